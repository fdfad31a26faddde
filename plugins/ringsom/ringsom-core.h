/* ringsom-core.h: a ring Kohonen map (the seed's RingKohonenLayer with
 * grid_dim_linear = 1): the ring's neighbourhood and distance over the
 * prototype store every map shares (plugins/common/som-store.h, which holds
 * the dense and sparse kernels). */
#ifndef SOMAIF_RINGSOM_CORE_H
#define SOMAIF_RINGSOM_CORE_H

#include <glib.h>

#include "../common/som-store.h"
#include "somaif/plugin.h"

G_BEGIN_DECLS

/* Writes the ring's neighbourhood column, 2 n_units - 1 floats, as the
 * notebook's build_nf(): nf[i] = exp(-d^2 / spread^2) with the signed ring
 * distance d = ((i + 1 + n/2) mod n) - n/2 (n/2 a real number, as Python's /).
 * Unit u's factor when the winner is x is nf[n_units - x - 1 + u]. */
void somaif_ringsom_build_nf (int n_units, double spread, float *nf);

/* min(|u - v|, n - |u - v|). */
double somaif_ringsom_ring_distance (int n_units, int u, int v);

/* The store's kernels under the ring's names. */
typedef enum
{
  SOMAIF_RINGSOM_DENSE = SOMAIF_SOM_DENSE,
  SOMAIF_RINGSOM_SPARSE = SOMAIF_SOM_SPARSE
} SomaifRingsomKernel;

typedef struct SomaifRingsom SomaifRingsom;

/* A map of n_units >= 2 prototypes of input_size >= 1 pixels, all 1 (blank),
 * with spread 1 and rate 0.1; NULL when memory is short. */
SomaifRingsom *somaif_ringsom_new (int n_units, int input_size, SomaifRingsomKernel kernel);
void somaif_ringsom_free (SomaifRingsom *map);

/* The prototypes: distances, winners, learning and state go through it. */
SomaifSomStore *somaif_ringsom_store (const SomaifRingsom *map);
/* The current neighbourhood column (2 n_units - 1 floats). */
const float *somaif_ringsom_nf (const SomaifRingsom *map);

/* The store's methods for a ring (as the seed's tests call them). */
SomaifRingsomKernel somaif_ringsom_kernel (const SomaifRingsom *map);
const char *somaif_ringsom_kernel_name (SomaifRingsomKernel kernel);
double somaif_ringsom_spread (const SomaifRingsom *map);
double somaif_ringsom_rate (const SomaifRingsom *map);
void somaif_ringsom_set_spread (SomaifRingsom *map, double spread);
void somaif_ringsom_set_rate (SomaifRingsom *map, double rate);
void somaif_ringsom_set_prototypes (SomaifRingsom *map, const float *w);
void somaif_ringsom_init_noise (SomaifRingsom *map, SomaifRng *rng, double noise);
void somaif_ringsom_prototype (const SomaifRingsom *map, int unit, float *out);
void somaif_ringsom_prototypes (const SomaifRingsom *map, float *out);
void somaif_ringsom_recognise (const SomaifRingsom *map, const float *x, int *winner,
                               double *distance);
void somaif_ringsom_best_two (const SomaifRingsom *map, const float *x, int best[2],
                              double distance[2]);
void somaif_ringsom_learn (SomaifRingsom *map, const float *x, int *winner, double *distance);

G_END_DECLS

#endif /* SOMAIF_RINGSOM_CORE_H */
