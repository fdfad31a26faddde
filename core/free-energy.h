/* free-energy.h: the seed's free energy, accuracy plus complexity. */
#ifndef SOMAIF_FREE_ENERGY_H
#define SOMAIF_FREE_ENERGY_H

/* The goal's log terms for the cross-entropy, in float32 as the seed:
 * target = goal * 0.999 + 0.0005; log_t = log(target), log_1mt = log(1 - target). */
void somaif_goal_log_terms (const float *goal, int n, float *log_t, float *log_1mt);

/* Accuracy (the seed's "inaccuracy"): -sum x log t + (1 - x) log(1 - t). */
double somaif_cross_entropy (const float *image, const float *log_t, const float *log_1mt,
                             int n);

/* log Z for the complexity prior: log sum_u exp(-beta d_u) over the n
 * distances from the goal to every unit (the goal's own 0 included). */
double somaif_log_partition (const double *distances, int n, double beta);

/* Complexity: -log(exp(-beta d) / Z) = beta d + log Z, which does not
 * underflow where exp(-beta d) would. */
double somaif_complexity (double beta, double distance, double log_z);

#endif
