/* ringsom-core.h: the arithmetic of a ring Kohonen map (the seed's
 * RingKohonenLayer with grid_dim_linear = 1), in two kernels.
 *
 * dense   the notebook's arithmetic on float32 prototypes w (the reference):
 *         w += nf_window * (x - w) * lr for every unit.
 * sparse  the same map kept in ink terms v = 1 - w, u = 1 - x, so that the
 *         update reads v = (1 - a) v + a u with a = nf * lr.  Each unit is
 *         v = s * z (a double scale times a double vector), so the (1 - a)
 *         shrink of a unit is O(1) and only the ink pixels (u != 0) of an input
 *         are touched; per-unit norms give
 *         ||w - x||^2 = ||v - u||^2 = s^2 ||z||^2 - 2 s z.u + ||u||^2 in O(ink).
 *         z is stored pixel-major (input_size x n_units) so that one ink pixel
 *         touches n_units contiguous numbers.
 *
 * Both kernels return the same winners and prototypes within float rounding.
 */
#ifndef SOMAIF_RINGSOM_CORE_H
#define SOMAIF_RINGSOM_CORE_H

#include <glib.h>

#include "somaif/plugin.h"

G_BEGIN_DECLS

/* Writes the ring's neighbourhood column, 2 n_units - 1 floats, as the
 * notebook's build_nf(): nf[i] = exp(-d^2 / spread^2) with the signed ring
 * distance d = ((i + 1 + n/2) mod n) - n/2 (n/2 a real number, as Python's /).
 * Unit u's factor when the winner is x is nf[n_units - x - 1 + u]. */
void somaif_ringsom_build_nf (int n_units, double spread, float *nf);

/* min(|u - v|, n - |u - v|). */
double somaif_ringsom_ring_distance (int n_units, int u, int v);

typedef enum
{
  SOMAIF_RINGSOM_DENSE = 0,
  SOMAIF_RINGSOM_SPARSE = 1
} SomaifRingsomKernel;

/* The kernel named "dense" or "sparse"; -1 for anything else. */
int somaif_ringsom_kernel_from_name (const char *name);
const char *somaif_ringsom_kernel_name (SomaifRingsomKernel kernel);

typedef struct SomaifRingsom SomaifRingsom;

/* A map of n_units >= 2 prototypes of input_size >= 1 pixels, all 1 (blank),
 * with spread 1 and rate 0.1; NULL when memory is short. */
SomaifRingsom *somaif_ringsom_new (int n_units, int input_size, SomaifRingsomKernel kernel);
void somaif_ringsom_free (SomaifRingsom *map);

int somaif_ringsom_n_units (const SomaifRingsom *map);
int somaif_ringsom_input_size (const SomaifRingsom *map);
SomaifRingsomKernel somaif_ringsom_kernel (const SomaifRingsom *map);
double somaif_ringsom_spread (const SomaifRingsom *map);
double somaif_ringsom_rate (const SomaifRingsom *map);
/* The current neighbourhood column (2 n_units - 1 floats). */
const float *somaif_ringsom_nf (const SomaifRingsom *map);

/* Rebuilds the neighbourhood column (spread > 0). */
void somaif_ringsom_set_spread (SomaifRingsom *map, double spread);
/* The learning rate, in [0, 1]. */
void somaif_ringsom_set_rate (SomaifRingsom *map, double rate);

/* Sets every prototype from w (n_units x input_size, row-major). */
void somaif_ringsom_set_prototypes (SomaifRingsom *map, const float *w);
/* The notebook's reset(): w = 1 - uniform * noise, drawn in float32 from rng
 * unit after unit, pixel after pixel. */
void somaif_ringsom_init_noise (SomaifRingsom *map, SomaifRng *rng, double noise);

/* Copies unit's prototype w (input_size floats). */
void somaif_ringsom_prototype (const SomaifRingsom *map, int unit, float *out);
/* Copies every prototype (n_units x input_size). */
void somaif_ringsom_prototypes (const SomaifRingsom *map, float *out);

/* The best unit (first on ties) and its squared distance sum((w - x)^2);
 * changes nothing, safe from several threads at once. */
void somaif_ringsom_recognise (const SomaifRingsom *map, const float *x, int *winner,
                               double *distance);
/* The two best units, best first (first on ties), and their squared distances. */
void somaif_ringsom_best_two (const SomaifRingsom *map, const float *x, int best[2],
                              double distance[2]);
/* recognise(), then w += nf_window * (x - w) * lr for every unit. */
void somaif_ringsom_learn (SomaifRingsom *map, const float *x, int *winner, double *distance);

/* Appends the whole state (a version byte first).  */
void somaif_ringsom_save (const SomaifRingsom *map, GByteArray *out);
/* Restores what somaif_ringsom_save() wrote for a map of the same size (a
 * state of the other kernel is converted); on refusal returns -1, leaves the
 * map unchanged and writes why into message. */
int somaif_ringsom_load (SomaifRingsom *map, const guint8 *data, gsize length, char *message,
                         gsize message_size);

G_END_DECLS

#endif /* SOMAIF_RINGSOM_CORE_H */
