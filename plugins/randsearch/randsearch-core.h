/* randsearch-core.h: the arithmetic of the seed's random search (RSNetwork
 * with an index): finite differences along random directions, one goal's
 * column at a time.  Weights are kept goal after goal (one column of the
 * notebook's D x G matrix is d contiguous floats here). */
#ifndef SOMAIF_RANDSEARCH_CORE_H
#define SOMAIF_RANDSEARCH_CORE_H

#include <glib.h>

#include "somaif/plugin.h"

G_BEGIN_DECLS

/* The notebook's controller.alpha = base / search_std. */
double somaif_randsearch_alpha (double step, double sigma);

/* Draws k directions of d floats each (k x d): standard normals times sigma. */
void somaif_randsearch_draw (SomaifRng *rng, int d, int k, double sigma, float *deltas);

/* Writes the 2k candidates (2k x d) in the notebook's order: for each
 * direction j, first w - deltas[j], then w + deltas[j]. */
void somaif_randsearch_candidates (int d, int k, const float *w, const float *deltas,
                                   float *candidates);

/* w += alpha * sum_j (-rewards[2j] * deltas[j] + rewards[2j+1] * deltas[j]),
 * in float32 and in the notebook's order of summation. */
void somaif_randsearch_update (int d, int k, float *w, const float *deltas,
                               const double *rewards, double alpha);

G_END_DECLS

#endif /* SOMAIF_RANDSEARCH_CORE_H */
