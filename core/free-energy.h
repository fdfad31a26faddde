/* free-energy.h: the seed's free energy, accuracy plus complexity. */
#ifndef SOMAIF_FREE_ENERGY_H
#define SOMAIF_FREE_ENERGY_H

#include "somaif/plugin.h"

/* The goal's terms for the cross-entropy, as the seed's float32 target
 * t = goal * 0.999 + 0.0005: d = log(t / (1 - t)) per pixel, and the sum of
 * log t over the image, returned. */
double somaif_goal_terms (const float *goal, int n, float *d);

/* Accuracy (the seed's "inaccuracy"): -sum x log t + (1 - x) log(1 - t),
 * computed as -sum log t + sum (1 - x) d, so that only the pixels with ink
 * (x < 1) cost anything: a drawing inks a few hundred of 4096. */
double somaif_cross_entropy (const float *image, const float *d, double sum_log_t, int n);

/* The same on the vector unit simd (at most somaif_simd_best()): every one
 * gives the same bits (for tests). */
double somaif_cross_entropy_with (SomaifSimd simd, const float *image, const float *d,
                                  double sum_log_t, int n);

/* log Z for the complexity prior: log sum_u exp(-beta d_u) over the n
 * distances from the goal to every unit (the goal's own 0 included). */
double somaif_log_partition (const double *distances, int n, double beta);

/* Complexity: -log(exp(-beta d) / Z) = beta d + log Z, which does not
 * underflow where exp(-beta d) would. */
double somaif_complexity (double beta, double distance, double log_z);

#endif
