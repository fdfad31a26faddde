/* gridsom-core.h: a 2-D Kohonen map of rows x cols units, on a plane or a
 * torus, with the seed's learning rule (the ring map's, over the grid
 * distance instead of the ring distance): its topology over the prototype
 * store every map shares (plugins/common/som-store.h, which holds the dense
 * and sparse kernels).
 *
 * Unit u sits at row u / cols, column u % cols.  The distance between two
 * units is the Euclidean distance of their grid positions; on a torus each
 * axis wraps (min(|dr|, rows - |dr|), min(|dc|, cols - |dc|)).  When the winner
 * is x, unit u learns with the factor h = exp(-d(u, x)^2 / spread^2), rounded
 * to float32: w += h * (x - w) * rate.
 */
#ifndef SOMAIF_GRIDSOM_CORE_H
#define SOMAIF_GRIDSOM_CORE_H

#include <glib.h>

#include "../common/som-store.h"
#include "somaif/plugin.h"

G_BEGIN_DECLS

/* The largest map (rows * cols). */
#define SOMAIF_GRIDSOM_MAX_UNITS 65536

typedef enum
{
  SOMAIF_GRIDSOM_PLANAR = 0,
  SOMAIF_GRIDSOM_TORUS = 1
} SomaifGridsomTopology;

/* The topology named "planar" or "torus"; -1 for anything else (NULL
 * included). */
int somaif_gridsom_topology_from_name (const char *name);
const char *somaif_gridsom_topology_name (SomaifGridsomTopology topology);

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
                                   int input_size, SomaifSomKernel kernel);
void somaif_gridsom_free (SomaifGridsom *map);

/* The prototypes: spread, rate, distances, winners, learning and state go
 * through it. */
SomaifSomStore *somaif_gridsom_store (const SomaifGridsom *map);

int somaif_gridsom_rows (const SomaifGridsom *map);
int somaif_gridsom_cols (const SomaifGridsom *map);
SomaifGridsomTopology somaif_gridsom_topology (const SomaifGridsom *map);

/* The map distance between units u and v (both in range). */
double somaif_gridsom_distance (const SomaifGridsom *map, int u, int v);
/* The factor unit learns with when winner wins, at the current spread. */
float somaif_gridsom_factor (const SomaifGridsom *map, int winner, int unit);

G_END_DECLS

#endif /* SOMAIF_GRIDSOM_CORE_H */
