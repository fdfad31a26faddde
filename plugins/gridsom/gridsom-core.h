/* gridsom-core.h: the arithmetic of a 2-D Kohonen map of rows x cols units,
 * on a plane or a torus, with the seed's learning rule (the ring map's, over
 * the grid distance instead of the ring distance).
 *
 * Unit u sits at row u / cols, column u % cols.  The distance between two
 * units is the Euclidean distance of their grid positions; on a torus each
 * axis wraps (min(|dr|, rows - |dr|), min(|dc|, cols - |dc|)).  When the winner
 * is x, unit u learns with the factor h = exp(-d(u, x)^2 / spread^2), rounded
 * to float32: w += h * (x - w) * rate.
 *
 * Two kernels keep the prototypes:
 * dense   float32 prototypes w updated as written above, every operation
 *         rounded to float32 (the reference).
 * sparse  the map in ink terms v = 1 - w, u = 1 - x, where the update reads
 *         v = (1 - a) v + a u with a = h * rate.  A unit is v = s z (a double
 *         scale times a double vector), so that its shrink by (1 - a) costs
 *         O(1) and only the ink pixels of an input (u != 0) are touched; the
 *         norm |z|^2 kept per unit gives |w - x|^2 = s^2 |z|^2 - 2 s z.u + |u|^2
 *         in O(ink).  z is stored pixel-major, so one ink pixel touches the
 *         units as one contiguous row.
 * Both give the same winners and prototypes within float rounding.
 */
#ifndef SOMAIF_GRIDSOM_CORE_H
#define SOMAIF_GRIDSOM_CORE_H

#include <glib.h>

#include "somaif/plugin.h"

G_BEGIN_DECLS

/* The largest map (rows * cols). */
#define SOMAIF_GRIDSOM_MAX_UNITS 65536

typedef enum
{
  SOMAIF_GRIDSOM_PLANAR = 0,
  SOMAIF_GRIDSOM_TORUS = 1
} SomaifGridsomTopology;

typedef enum
{
  SOMAIF_GRIDSOM_DENSE = 0,
  SOMAIF_GRIDSOM_SPARSE = 1
} SomaifGridsomKernel;

/* The topology named "planar" or "torus", the kernel named "dense" or
 * "sparse"; -1 for anything else (NULL included). */
int somaif_gridsom_topology_from_name (const char *name);
const char *somaif_gridsom_topology_name (SomaifGridsomTopology topology);
int somaif_gridsom_kernel_from_name (const char *name);
const char *somaif_gridsom_kernel_name (SomaifGridsomKernel kernel);

/* The squared grid distance between units u and v of a rows x cols map: an
 * integer, exact in double (the neighbourhood uses it without a root). */
double somaif_gridsom_distance_sq (int rows, int cols, SomaifGridsomTopology topology, int u,
                                   int v);
/* Its square root: the map distance. */
double somaif_gridsom_grid_distance (int rows, int cols, SomaifGridsomTopology topology,
                                     int u, int v);

/* Writes the neighbourhood over every offset (dr, dc) of one unit from the
 * winner, dr in [-(rows - 1), rows - 1], dc in [-(cols - 1), cols - 1]:
 * (2 rows - 1) x (2 cols - 1) floats, row-major, offset (0, 0) at the centre;
 * nf = (float) exp(-d^2 / spread^2) with d the (wrapped) grid distance. */
void somaif_gridsom_build_nf (int rows, int cols, SomaifGridsomTopology topology,
                              double spread, float *nf);

typedef struct SomaifGridsom SomaifGridsom;

/* A map of rows x cols prototypes (1 to SOMAIF_GRIDSOM_MAX_UNITS units) of
 * input_size >= 1 pixels, all 1 (blank), with spread 1 and rate 0.1; NULL
 * for a bad size or when memory is short. */
SomaifGridsom *somaif_gridsom_new (int rows, int cols, SomaifGridsomTopology topology,
                                   int input_size, SomaifGridsomKernel kernel);
void somaif_gridsom_free (SomaifGridsom *map);

int somaif_gridsom_rows (const SomaifGridsom *map);
int somaif_gridsom_cols (const SomaifGridsom *map);
int somaif_gridsom_n_units (const SomaifGridsom *map);
int somaif_gridsom_input_size (const SomaifGridsom *map);
SomaifGridsomTopology somaif_gridsom_topology (const SomaifGridsom *map);
SomaifGridsomKernel somaif_gridsom_kernel (const SomaifGridsom *map);
double somaif_gridsom_spread (const SomaifGridsom *map);
double somaif_gridsom_rate (const SomaifGridsom *map);

/* The map distance between units u and v (both in range). */
double somaif_gridsom_distance (const SomaifGridsom *map, int u, int v);
/* The factor unit learns with when winner wins, at the current spread. */
float somaif_gridsom_factor (const SomaifGridsom *map, int winner, int unit);

/* Rebuilds the neighbourhood (spread > 0). */
void somaif_gridsom_set_spread (SomaifGridsom *map, double spread);
/* The learning rate, in [0, 1]. */
void somaif_gridsom_set_rate (SomaifGridsom *map, double rate);

/* Sets every prototype from w (n_units x input_size, row-major). */
void somaif_gridsom_set_prototypes (SomaifGridsom *map, const float *w);
/* w = 1 - uniform * noise in float32, drawn from rng unit after unit, pixel
 * after pixel (nearly blank paper); allocates (set-up only). */
void somaif_gridsom_init_noise (SomaifGridsom *map, SomaifRng *rng, double noise);

/* Copies unit's prototype w (input_size floats). */
void somaif_gridsom_prototype (const SomaifGridsom *map, int unit, float *out);

/* The two best units, best first, and their squared distances sum((w - x)^2);
 * on ties the lower unit comes first.  A map of one unit reports it twice.
 * Writes nothing into the map (stack buffers only): safe from several
 * threads at once. */
void somaif_gridsom_best_two (const SomaifGridsom *map, const float *x, int best[2],
                              double distance[2]);
/* best_two()'s first unit and its squared distance. */
void somaif_gridsom_recognise (const SomaifGridsom *map, const float *x, int *winner,
                               double *distance);
/* recognise() (the same winner and distance), then every unit learns from x. */
void somaif_gridsom_learn (SomaifGridsom *map, const float *x, int *winner, double *distance);

/* Appends the whole state, a version byte first. */
void somaif_gridsom_save (const SomaifGridsom *map, GByteArray *out);
/* Restores what somaif_gridsom_save() wrote for a map of the same shape,
 * topology and input size (a state of the other kernel is converted); on
 * refusal returns -1, leaves the map unchanged and writes why into message. */
int somaif_gridsom_load (SomaifGridsom *map, const guint8 *data, gsize length, char *message,
                         gsize message_size);

G_END_DECLS

#endif /* SOMAIF_GRIDSOM_CORE_H */
