/* gridsom-core.c: the 2-D Kohonen map's arithmetic (see gridsom-core.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "gridsom-core.h"

struct SomaifGridsom
{
  int rows, cols;
  SomaifGridsomTopology topology;
  float *nf;                    /* (2 rows - 1) x (2 cols - 1), by offset */
  float *factors;               /* rows x cols: every unit's, for one winner */
  SomaifSomStore *store;
};

/* ------------------------------------------------------------------ */
/* Names and topology                                                  */

int
somaif_gridsom_topology_from_name (const char *name)
{
  if (name && strcmp (name, "planar") == 0)
    return SOMAIF_GRIDSOM_PLANAR;
  if (name && strcmp (name, "torus") == 0)
    return SOMAIF_GRIDSOM_TORUS;
  return -1;
}

const char *
somaif_gridsom_topology_name (SomaifGridsomTopology topology)
{
  return topology == SOMAIF_GRIDSOM_TORUS ? "torus" : "planar";
}

/* The length of an axis offset: |delta|, or around the torus if shorter. */
static inline double
axis_offset (int delta, int size, SomaifGridsomTopology topology)
{
  int a = delta < 0 ? -delta : delta;
  if (topology == SOMAIF_GRIDSOM_TORUS && size - a < a)
    a = size - a;
  return (double) a;
}

/* dr^2 + dc^2 is an integer below 2^33: exact in double. */
static inline double
offset_sq (int dr, int dc, int rows, int cols, SomaifGridsomTopology topology)
{
  double r = axis_offset (dr, rows, topology), c = axis_offset (dc, cols, topology);
  return r * r + c * c;
}

double
somaif_gridsom_distance_sq (int rows, int cols, SomaifGridsomTopology topology, int u, int v)
{
  return offset_sq (u / cols - v / cols, u % cols - v % cols, rows, cols, topology);
}

double
somaif_gridsom_grid_distance (int rows, int cols, SomaifGridsomTopology topology, int u,
                              int v)
{
  return sqrt (somaif_gridsom_distance_sq (rows, cols, topology, u, v));
}

void
somaif_gridsom_build_nf (int rows, int cols, SomaifGridsomTopology topology, double spread,
                         float *nf)
{
  double s2 = spread * spread;
  int width = 2 * cols - 1;
  for (int dr = -(rows - 1); dr <= rows - 1; dr++)
    {
      float *line = nf + (gsize) (dr + rows - 1) * width + (cols - 1);
      for (int dc = -(cols - 1); dc <= cols - 1; dc++)
        line[dc] = (float) exp (-offset_sq (dr, dc, rows, cols, topology) / s2);
    }
}

/* The neighbourhood factors of winner's row wr for the units of row r, to be
 * indexed by their column. */
static inline const float *
nf_line (const SomaifGridsom *m, int r, int winner)
{
  int wr = winner / m->cols, wc = winner % m->cols;
  return m->nf + (gsize) (r - wr + m->rows - 1) * (2 * m->cols - 1) + (m->cols - 1 - wc);
}

/* ------------------------------------------------------------------ */
/* The grid's geometry, as the store asks it                           */

/* Every unit's factor, row after row of the winner's neighbourhood. */
static const float *
grid_factors (const void *map, int winner)
{
  const SomaifGridsom *m = map;
  gsize cols = (gsize) m->cols;
  for (int r = 0; r < m->rows; r++)
    memcpy (m->factors + r * cols, nf_line (m, r, winner), cols * sizeof (float));
  return m->factors;
}

static void
grid_set_spread (void *map, double spread)
{
  SomaifGridsom *m = map;
  somaif_gridsom_build_nf (m->rows, m->cols, m->topology, spread, m->nf);
}

/* A state's shape: topology u8, 0 u8, rows u32, cols u32, pixels u32. */
static void
grid_put_shape (const void *map, GByteArray *out)
{
  const SomaifGridsom *m = map;
  guint8 head[2] = { (guint8) m->topology, 0 };
  g_byte_array_append (out, head, 2);
  somaif_state_put_u32 (out, (guint32) m->rows);
  somaif_state_put_u32 (out, (guint32) m->cols);
  somaif_state_put_u32 (out, (guint32) somaif_som_store_input_size (m->store));
}

static int
grid_check_shape (const void *map, const guint8 *shape, char *message, gsize message_size)
{
  const SomaifGridsom *m = map;
  int topology = shape[0];
  if (topology != (int) m->topology)
    {
      g_snprintf (message, message_size, "state of a %s map, this map is %s",
                  topology == SOMAIF_GRIDSOM_TORUS ? "torus"
                  : topology == SOMAIF_GRIDSOM_PLANAR ? "planar" : "unknown",
                  somaif_gridsom_topology_name (m->topology));
      return -1;
    }
  const guint8 *p = shape + 2;
  guint32 rows = somaif_state_get_u32 (&p), cols = somaif_state_get_u32 (&p);
  guint32 pixels = somaif_state_get_u32 (&p);
  int d = somaif_som_store_input_size (m->store);
  if (rows == (guint32) m->rows && cols == (guint32) m->cols && pixels == (guint32) d)
    return 0;
  g_snprintf (message, message_size,
              "state of a %u x %u map of %u pixels, this map is %d x %d of %d pixels", rows,
              cols, pixels, m->rows, m->cols, d);
  return -1;
}

static double
grid_unit_distance (const void *map, int u, int v)
{
  return somaif_gridsom_distance (map, u, v);
}

static void
grid_layout (const void *map, int *rows, int *cols)
{
  *rows = somaif_gridsom_rows (map);
  *cols = somaif_gridsom_cols (map);
}

static const SomaifSomGeometry grid_geometry = {
  .factors = grid_factors,
  .set_spread = grid_set_spread,
  .shape_size = 2 + 3 * 4,
  .put_shape = grid_put_shape,
  .check_shape = grid_check_shape,
  .distance = grid_unit_distance,
  .layout = grid_layout,
};

/* ------------------------------------------------------------------ */
/* Life cycle and accessors                                            */

SomaifGridsom *
somaif_gridsom_new (int rows, int cols, SomaifGridsomTopology topology, int input_size,
                    SomaifSomKernel kernel)
{
  if (rows < 1 || cols < 1 || input_size < 1
      || (gint64) rows * cols > SOMAIF_GRIDSOM_MAX_UNITS)
    return NULL;
  SomaifGridsom *m = g_new0 (SomaifGridsom, 1);
  m->rows = rows;
  m->cols = cols;
  m->topology = topology;
  m->nf = g_try_new (float, (gsize) (2 * rows - 1) * (2 * cols - 1));
  m->factors = g_try_new (float, (gsize) rows * cols);
  if (m->nf && m->factors)
    m->store = somaif_som_store_new (rows * cols, input_size, kernel, &grid_geometry, m);
  if (!m->store)
    {
      somaif_gridsom_free (m);
      return NULL;
    }
  return m;
}

void
somaif_gridsom_free (SomaifGridsom *m)
{
  if (!m)
    return;
  somaif_som_store_free (m->store);
  g_free (m->nf);
  g_free (m->factors);
  g_free (m);
}

SomaifSomStore *
somaif_gridsom_store (const SomaifGridsom *m)
{
  return m->store;
}

int
somaif_gridsom_rows (const SomaifGridsom *m)
{
  return m->rows;
}

int
somaif_gridsom_cols (const SomaifGridsom *m)
{
  return m->cols;
}

SomaifGridsomTopology
somaif_gridsom_topology (const SomaifGridsom *m)
{
  return m->topology;
}

double
somaif_gridsom_distance (const SomaifGridsom *m, int u, int v)
{
  return somaif_gridsom_grid_distance (m->rows, m->cols, m->topology, u, v);
}

float
somaif_gridsom_factor (const SomaifGridsom *m, int winner, int unit)
{
  return nf_line (m, unit / m->cols, winner)[unit % m->cols];
}
