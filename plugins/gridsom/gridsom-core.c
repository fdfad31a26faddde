/* gridsom-core.c: the 2-D Kohonen map's arithmetic (see gridsom-core.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "gridsom-core.h"

#define STATE_VERSION 1

/* Units one vector holds: the sparse map pads its units to a multiple. */
#define LANES 4

/* A sparse unit whose scale falls below this folds it into z (z *= s, s = 1):
 * far from underflow; a factor a = 1 (scale 0) lands here too. */
#define RESCALE_BELOW 0x1.0p-24

/* best_two() scores this many units at once and gathers this many ink pixels
 * at once, in stack buffers (it runs in several threads at once). */
#define BLOCK_UNITS 64
#define BLOCK_INK 256

/* Pixels checked at once for ink. */
#define CHUNK 16

struct SomaifGridsom
{
  int rows, cols;
  int n;                        /* rows x cols units */
  int d;                        /* pixels of an input */
  SomaifGridsomTopology topology;
  SomaifGridsomKernel kernel;
  double spread, rate;
  float *nf;                    /* (2 rows - 1) x (2 cols - 1), by offset */

  /* dense */
  float *w;                     /* n x d */

  /* sparse: 1 - w[k][p] = scale[k] * zt[p * np + k] */
  int np;                       /* n padded to LANES (padding units stay 0) */
  double *zt;                   /* d x np */
  double *scale;                /* np */
  double *zz;                   /* np: sum over p of zt[p * np + k]^2 */

  /* sparse learn() scratch */
  int *ink;                     /* d: the input's ink pixels */
  double *ink_u;                /* d: their 1 - x */
  double *dot;                  /* np: z.u per unit */
  double *coef;                 /* np: what the update adds, times u */
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

int
somaif_gridsom_kernel_from_name (const char *name)
{
  if (name && strcmp (name, "dense") == 0)
    return SOMAIF_GRIDSOM_DENSE;
  if (name && strcmp (name, "sparse") == 0)
    return SOMAIF_GRIDSOM_SPARSE;
  return -1;
}

const char *
somaif_gridsom_kernel_name (SomaifGridsomKernel kernel)
{
  return kernel == SOMAIF_GRIDSOM_DENSE ? "dense" : "sparse";
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
/* Vector kernels of the sparse map                                    */

/* Several units at once, one per lane: every lane sums in the order of the
 * ink pixels, exactly as a scalar loop would (no FMA unless built with
 * --enable-native), so learn() and best_two() give the same distances and
 * every machine the same numbers. */
#if defined(__GNUC__)
#define GRIDSOM_VECTORS 1
typedef double Lanes __attribute__ ((vector_size (LANES * sizeof (double))));
/* Macros, not functions: passing a 32-byte vector by value changes the ABI. */
#define LANES_GET(v, p) memcpy (&(v), (p), sizeof (Lanes))
#define LANES_PUT(p, v) memcpy ((p), &(v), sizeof (Lanes))
#endif

#if defined(SOMAIF_HAVE_TARGET_CLONES) && defined(GRIDSOM_VECTORS)
#define CLONED __attribute__ ((target_clones ("avx2", "default")))
#else
#define CLONED
#endif

/* acc[j] += sum over i < m of zt[idx[i] * stride + j] * u[i], for j < count
 * (a multiple of LANES). */
CLONED static void
dots_add (const double *zt, gsize stride, const int *idx, const double *u, int m,
          double *acc, int count)
{
  int j = 0;
#ifdef GRIDSOM_VECTORS
  /* 4 vectors of accumulators stay in registers over the ink. */
  for (; j + 4 * LANES <= count; j += 4 * LANES)
    {
      Lanes s0, s1, s2, s3;
      LANES_GET (s0, acc + j);
      LANES_GET (s1, acc + j + LANES);
      LANES_GET (s2, acc + j + 2 * LANES);
      LANES_GET (s3, acc + j + 3 * LANES);
      for (int i = 0; i < m; i++)
        {
          const double *z = zt + (gsize) idx[i] * stride + j;
          Lanes z0, z1, z2, z3;
          LANES_GET (z0, z);
          LANES_GET (z1, z + LANES);
          LANES_GET (z2, z + 2 * LANES);
          LANES_GET (z3, z + 3 * LANES);
          s0 += z0 * u[i];
          s1 += z1 * u[i];
          s2 += z2 * u[i];
          s3 += z3 * u[i];
        }
      LANES_PUT (acc + j, s0);
      LANES_PUT (acc + j + LANES, s1);
      LANES_PUT (acc + j + 2 * LANES, s2);
      LANES_PUT (acc + j + 3 * LANES, s3);
    }
  for (; j < count; j += LANES)
    {
      Lanes s0, z0;
      LANES_GET (s0, acc + j);
      for (int i = 0; i < m; i++)
        {
          LANES_GET (z0, zt + (gsize) idx[i] * stride + j);
          s0 += z0 * u[i];
        }
      LANES_PUT (acc + j, s0);
    }
#endif
  for (; j < count; j++)
    {
      double s = acc[j];
      for (int i = 0; i < m; i++)
        s += zt[(gsize) idx[i] * stride + j] * u[i];
      acc[j] = s;
    }
}

/* zt[idx[i] * stride + j] += coef[j] * u[i] for i < m and j < count (a
 * multiple of LANES): one contiguous row of units per ink pixel. */
CLONED static void
rows_add (double *zt, gsize stride, const int *idx, const double *u, int m,
          const double *coef, int count)
{
  for (int i = 0; i < m; i++)
    {
      double *z = zt + (gsize) idx[i] * stride;
      double ui = u[i];
      int j = 0;
#ifdef GRIDSOM_VECTORS
      for (; j < count; j += LANES)
        {
          Lanes c, v;
          LANES_GET (c, coef + j);
          LANES_GET (v, z + j);
          v += c * ui;
          LANES_PUT (z + j, v);
        }
#endif
      for (; j < count; j++)
        z[j] += coef[j] * ui;
    }
}

/* Whether x[0 .. CHUNK - 1] are all blank paper (branch-free: vectorised). */
static inline gboolean
chunk_blank (const float *x)
{
  int ink = 0;
  for (int j = 0; j < CHUNK; j++)
    ink |= x[j] != 1.0f;
  return ink == 0;
}

/* Gathers the ink pixels (x != 1) of x from *from on, their indices into idx
 * and u = 1 - x into u, at most max of them; adds the u^2 to *usq in pixel
 * order; returns how many and moves *from past the pixels read (d: all). */
static int
gather_ink (const float *x, int d, int *from, int max, int *idx, double *u, double *usq)
{
  int m = 0, p = *from;
  double sq = *usq;
  while (p < d)
    {
      if (p + CHUNK <= d)
        {
          if (m + CHUNK > max)
            break;
          if (!chunk_blank (x + p))
            for (int j = p; j < p + CHUNK; j++)
              {
                /* Written for every pixel, kept for ink: no branch; a blank
                   pixel adds an exact 0 to sq. */
                double uj = 1.0 - (double) x[j];
                idx[m] = j;
                u[m] = uj;
                sq += uj * uj;
                m += x[j] != 1.0f;
              }
          p += CHUNK;
        }
      else
        {
          if (m >= max)
            break;
          if (x[p] != 1.0f)
            {
              double up = 1.0 - (double) x[p];
              idx[m] = p;
              u[m] = up;
              sq += up * up;
              m++;
            }
          p++;
        }
    }
  *usq = sq;
  *from = p;
  return m;
}

/* ------------------------------------------------------------------ */
/* Life cycle and accessors                                            */

SomaifGridsom *
somaif_gridsom_new (int rows, int cols, SomaifGridsomTopology topology, int input_size,
                    SomaifGridsomKernel kernel)
{
  if (rows < 1 || cols < 1 || input_size < 1
      || (gint64) rows * cols > SOMAIF_GRIDSOM_MAX_UNITS)
    return NULL;
  SomaifGridsom *m = g_new0 (SomaifGridsom, 1);
  m->rows = rows;
  m->cols = cols;
  m->n = rows * cols;
  m->d = input_size;
  m->np = (m->n + LANES - 1) / LANES * LANES;
  m->topology = topology;
  m->kernel = kernel;
  gsize n = (gsize) m->n, d = (gsize) m->d, np = (gsize) m->np;
  m->nf = g_try_new (float, (gsize) (2 * rows - 1) * (2 * cols - 1));
  gboolean ok = m->nf != NULL;
  if (kernel == SOMAIF_GRIDSOM_DENSE)
    {
      m->w = g_try_new (float, n * d);
      ok = ok && m->w;
      for (gsize i = 0; ok && i < n * d; i++)
        m->w[i] = 1.0f;
    }
  else
    {
      m->zt = g_try_new0 (double, np * d);
      m->scale = g_try_new (double, np);
      m->zz = g_try_new0 (double, np);
      m->ink = g_try_new (int, d);
      m->ink_u = g_try_new (double, d);
      m->dot = g_try_new0 (double, np);
      m->coef = g_try_new0 (double, np);
      ok = ok && m->zt && m->scale && m->zz && m->ink && m->ink_u && m->dot && m->coef;
      for (gsize k = 0; ok && k < np; k++)
        m->scale[k] = 1.0;
    }
  if (!ok)
    {
      somaif_gridsom_free (m);
      return NULL;
    }
  m->rate = 0.1;
  somaif_gridsom_set_spread (m, 1.0);
  return m;
}

void
somaif_gridsom_free (SomaifGridsom *m)
{
  if (!m)
    return;
  g_free (m->nf);
  g_free (m->w);
  g_free (m->zt);
  g_free (m->scale);
  g_free (m->zz);
  g_free (m->ink);
  g_free (m->ink_u);
  g_free (m->dot);
  g_free (m->coef);
  g_free (m);
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

int
somaif_gridsom_n_units (const SomaifGridsom *m)
{
  return m->n;
}

int
somaif_gridsom_input_size (const SomaifGridsom *m)
{
  return m->d;
}

SomaifGridsomTopology
somaif_gridsom_topology (const SomaifGridsom *m)
{
  return m->topology;
}

SomaifGridsomKernel
somaif_gridsom_kernel (const SomaifGridsom *m)
{
  return m->kernel;
}

double
somaif_gridsom_spread (const SomaifGridsom *m)
{
  return m->spread;
}

double
somaif_gridsom_rate (const SomaifGridsom *m)
{
  return m->rate;
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

void
somaif_gridsom_set_spread (SomaifGridsom *m, double spread)
{
  m->spread = spread;
  somaif_gridsom_build_nf (m->rows, m->cols, m->topology, spread, m->nf);
}

void
somaif_gridsom_set_rate (SomaifGridsom *m, double rate)
{
  m->rate = rate;
}

/* The exact squared norm of sparse unit k's z. */
static double
sparse_norm (const SomaifGridsom *m, int k)
{
  double acc = 0.0;
  for (gsize p = 0; p < (gsize) m->d; p++)
    {
      double z = m->zt[p * m->np + k];
      acc += z * z;
    }
  return acc;
}

void
somaif_gridsom_set_prototypes (SomaifGridsom *m, const float *w)
{
  gsize n = (gsize) m->n, d = (gsize) m->d, np = (gsize) m->np;
  if (m->kernel == SOMAIF_GRIDSOM_DENSE)
    {
      memcpy (m->w, w, n * d * sizeof (float));
      return;
    }
  /* 1 - w is exact in double: prototype() gives w back bit for bit. */
  for (gsize k = 0; k < n; k++)
    {
      m->scale[k] = 1.0;
      for (gsize p = 0; p < d; p++)
        m->zt[p * np + k] = 1.0 - (double) w[k * d + p];
    }
  for (gsize k = 0; k < n; k++)
    m->zz[k] = sparse_norm (m, (int) k);
}

void
somaif_gridsom_init_noise (SomaifGridsom *m, SomaifRng *rng, double noise)
{
  gsize size = (gsize) m->n * m->d;
  float *w = g_new (float, size);
  float f_noise = (float) noise;
  for (gsize i = 0; i < size; i++)
    w[i] = 1.0f - (float) somaif_rng_uniform (rng) * f_noise;
  somaif_gridsom_set_prototypes (m, w);
  g_free (w);
}

void
somaif_gridsom_prototype (const SomaifGridsom *m, int unit, float *out)
{
  gsize d = (gsize) m->d, np = (gsize) m->np;
  if (m->kernel == SOMAIF_GRIDSOM_DENSE)
    {
      memcpy (out, m->w + (gsize) unit * d, d * sizeof (float));
      return;
    }
  double s = m->scale[unit];
  const double *z = m->zt + unit;
  for (gsize p = 0; p < d; p++)
    out[p] = (float) (1.0 - s * z[p * np]);
}

/* ------------------------------------------------------------------ */
/* Distances and winners                                               */

/* sum((w - x)^2): differences and squares in float32, the sum in double. */
static double
dense_distance (const SomaifGridsom *m, int k, const float *x)
{
  const float *w = m->w + (gsize) k * m->d;
  double acc = 0.0;
  for (int p = 0; p < m->d; p++)
    {
      float e = w[p] - x[p];
      acc += (double) (e * e);
    }
  return acc;
}

/* |s z - u|^2 = s^2 |z|^2 - 2 s z.u + |u|^2, never below 0. */
static inline double
sparse_distance (double s, double zz, double dot, double usq)
{
  double dist = s * s * zz - 2.0 * s * dot + usq;
  return dist > 0.0 ? dist : 0.0;
}

/* Offers unit k, in increasing k, to the two best so far (best[i] < 0: none
 * yet, taken whatever its distance): a later unit must be strictly nearer. */
static inline void
rank_unit (int k, double dist, int best[2], double bd[2])
{
  if (best[0] < 0 || dist < bd[0])
    {
      best[1] = best[0];
      bd[1] = bd[0];
      best[0] = k;
      bd[0] = dist;
    }
  else if (best[1] < 0 || dist < bd[1])
    {
      best[1] = k;
      bd[1] = dist;
    }
}

void
somaif_gridsom_best_two (const SomaifGridsom *m, const float *x, int best[2],
                         double distance[2])
{
  best[0] = best[1] = -1;
  distance[0] = distance[1] = INFINITY;
  if (m->kernel == SOMAIF_GRIDSOM_DENSE)
    for (int k = 0; k < m->n; k++)
      rank_unit (k, dense_distance (m, k, x), best, distance);
  else
    for (int k0 = 0; k0 < m->n; k0 += BLOCK_UNITS)
      {
        int count = MIN (BLOCK_UNITS, m->n - k0);
        int lanes = (count + LANES - 1) / LANES * LANES;
        double acc[BLOCK_UNITS] = { 0 };
        int idx[BLOCK_INK];
        double u[BLOCK_INK];
        double usq = 0.0;
        for (int p = 0; p < m->d;)
          {
            int ink = gather_ink (x, m->d, &p, BLOCK_INK, idx, u, &usq);
            dots_add (m->zt + k0, (gsize) m->np, idx, u, ink, acc, lanes);
          }
        for (int j = 0; j < count; j++)
          rank_unit (k0 + j, sparse_distance (m->scale[k0 + j], m->zz[k0 + j], acc[j], usq),
                     best, distance);
      }
  if (best[1] < 0)
    {
      best[1] = best[0];
      distance[1] = distance[0];
    }
}

void
somaif_gridsom_recognise (const SomaifGridsom *m, const float *x, int *winner,
                          double *distance)
{
  int best[2];
  double bd[2];
  somaif_gridsom_best_two (m, x, best, bd);
  *winner = best[0];
  *distance = bd[0];
}

/* ------------------------------------------------------------------ */
/* Learning                                                            */

static void
dense_update (SomaifGridsom *m, const float *x, int winner)
{
  float lr = (float) m->rate;
  if (lr == 0.0f)
    return;
  gsize d = (gsize) m->d;
  for (int r = 0; r < m->rows; r++)
    {
      const float *h = nf_line (m, r, winner);
      for (int c = 0; c < m->cols; c++)
        {
          if (h[c] == 0.0f)
            continue; /* w += 0 * (x - w) * lr changes nothing */
          float *w = m->w + (gsize) (r * m->cols + c) * d;
          /* ((h * (x - w)) * lr), then w + it: each step in float32. */
          for (gsize p = 0; p < d; p++)
            {
              float t = h[c] * (x[p] - w[p]);
              t = t * lr;
              w[p] = w[p] + t;
            }
        }
    }
}

/* v = s z <- (1 - a) v + a u for every unit, a = h * lr.  The scale takes the
 * (1 - a) in O(1); z gains (a / s') u on the ink pixels only, for the span of
 * units with a != 0.  m->dot holds z.u before the update and usq = u.u, so
 * |z + c u|^2 = |z|^2 + c (2 z.u + c u.u) in O(1). */
static void
sparse_update (SomaifGridsom *m, int winner, int n_ink, double usq)
{
  double lr = (double) (float) m->rate;
  if (lr == 0.0)
    return;
  gsize np = (gsize) m->np;
  int lo = m->n, hi = 0;
  gboolean recount = FALSE;
  for (int r = 0, k = 0; r < m->rows; r++)
    {
      const float *h = nf_line (m, r, winner);
      for (int c = 0; c < m->cols; c++, k++)
        {
          double a = (double) h[c] * lr;
          m->coef[k] = 0.0;
          if (a == 0.0)
            continue;
          lo = MIN (lo, k);
          hi = k + 1;
          double s = m->scale[k] * (1.0 - a);
          if (s >= RESCALE_BELOW)
            {
              double coef = a / s;
              m->scale[k] = s;
              m->coef[k] = coef;
              m->zz[k] += coef * (2.0 * m->dot[k] + coef * usq);
              continue;
            }
          /* Fold the scale into z (O(d), seldom); the norm is counted anew
             after the ink is added. */
          for (gsize p = 0; p < (gsize) m->d; p++)
            m->zt[p * np + k] *= s;
          m->scale[k] = 1.0;
          m->coef[k] = a;
          m->zz[k] = -1.0;
          recount = TRUE;
        }
    }
  if (lo >= hi)
    return;
  /* Units outside [lo, hi) have coef 0 (padding units always). */
  int j0 = lo / LANES * LANES;
  int j1 = (hi + LANES - 1) / LANES * LANES;
  rows_add (m->zt + j0, np, m->ink, m->ink_u, n_ink, m->coef + j0, j1 - j0);
  if (recount)
    for (int k = lo; k < hi; k++)
      if (m->zz[k] < 0.0)
        m->zz[k] = sparse_norm (m, k);
}

void
somaif_gridsom_learn (SomaifGridsom *m, const float *x, int *winner, double *distance)
{
  if (m->kernel == SOMAIF_GRIDSOM_DENSE)
    {
      somaif_gridsom_recognise (m, x, winner, distance);
      dense_update (m, x, *winner);
      return;
    }

  /* One pass over the image: its ink, kept for the update, and every unit's
   * z.u, summed in the order best_two() sums them. */
  int p = 0;
  double usq = 0.0;
  int n_ink = gather_ink (x, m->d, &p, m->d, m->ink, m->ink_u, &usq);
  memset (m->dot, 0, (gsize) m->np * sizeof (double));
  dots_add (m->zt, (gsize) m->np, m->ink, m->ink_u, n_ink, m->dot, m->np);
  int best[2] = { -1, -1 };
  double bd[2] = { INFINITY, INFINITY };
  for (int k = 0; k < m->n; k++)
    rank_unit (k, sparse_distance (m->scale[k], m->zz[k], m->dot[k], usq), best, bd);
  *winner = best[0];
  *distance = bd[0];
  sparse_update (m, best[0], n_ink, usq);
}

/* ------------------------------------------------------------------ */
/* State                                                               */

/* Layout, little-endian: version u8, kernel u8, topology u8, 0 u8, rows u32,
 * cols u32, pixels u32, spread f64, rate f64; then dense: w (n x d f32);
 * sparse: scale (n f64), |z|^2 (n f64), z (n x d f64, unit after unit). */
#define HEADER_SIZE (4 + 3 * 4 + 2 * 8)

/* Fields at a given offset: the core's readers, which move a pointer on. */
static inline guint32
get_u32 (const guint8 *p)
{
  return somaif_state_get_u32 (&p);
}

static inline double
get_f64 (const guint8 *p)
{
  return somaif_state_get_f64 (&p);
}

static inline float
get_f32 (const guint8 *p)
{
  float v;
  somaif_state_get_f32s (&p, &v, 1);
  return v;
}

static gsize
state_size (int kernel, gsize n, gsize d)
{
  if (kernel == SOMAIF_GRIDSOM_DENSE)
    return HEADER_SIZE + n * d * 4;
  return HEADER_SIZE + n * 16 + n * d * 8;
}

void
somaif_gridsom_save (const SomaifGridsom *m, GByteArray *out)
{
  gsize n = (gsize) m->n, d = (gsize) m->d, np = (gsize) m->np;
  guint8 head[4] = { STATE_VERSION, (guint8) m->kernel, (guint8) m->topology, 0 };
  g_byte_array_append (out, head, 4);
  somaif_state_put_u32 (out, (guint32) m->rows);
  somaif_state_put_u32 (out, (guint32) m->cols);
  somaif_state_put_u32 (out, (guint32) m->d);
  somaif_state_put_f64 (out, m->spread);
  somaif_state_put_f64 (out, m->rate);
  if (m->kernel == SOMAIF_GRIDSOM_DENSE)
    {
      somaif_state_put_f32s (out, m->w, n * d);
      return;
    }
  for (gsize k = 0; k < n; k++)
    somaif_state_put_f64 (out, m->scale[k]);
  for (gsize k = 0; k < n; k++)
    somaif_state_put_f64 (out, m->zz[k]);
  for (gsize k = 0; k < n; k++)
    for (gsize p = 0; p < d; p++)
      somaif_state_put_f64 (out, m->zt[p * np + k]);
}

int
somaif_gridsom_load (SomaifGridsom *m, const guint8 *data, gsize length, char *message,
                     gsize message_size)
{
  gsize n = (gsize) m->n, d = (gsize) m->d, np = (gsize) m->np;
  if (length < HEADER_SIZE)
    {
      g_snprintf (message, message_size, "state of %" G_GSIZE_FORMAT " bytes is too short",
                  length);
      return -1;
    }
  if (data[0] != STATE_VERSION)
    {
      g_snprintf (message, message_size, "state version %u, this plugin reads version %u",
                  data[0], STATE_VERSION);
      return -1;
    }
  int kernel = data[1], topology = data[2];
  if (kernel != SOMAIF_GRIDSOM_DENSE && kernel != SOMAIF_GRIDSOM_SPARSE)
    {
      g_snprintf (message, message_size, "state of an unknown kernel %d", kernel);
      return -1;
    }
  if (topology != (int) m->topology)
    {
      g_snprintf (message, message_size, "state of a %s map, this map is %s",
                  topology == SOMAIF_GRIDSOM_TORUS ? "torus"
                  : topology == SOMAIF_GRIDSOM_PLANAR ? "planar" : "unknown",
                  somaif_gridsom_topology_name (m->topology));
      return -1;
    }
  guint32 rows = get_u32 (data + 4), cols = get_u32 (data + 8), pixels = get_u32 (data + 12);
  if (rows != (guint32) m->rows || cols != (guint32) m->cols || pixels != (guint32) m->d)
    {
      g_snprintf (message, message_size,
                  "state of a %u x %u map of %u pixels, this map is %d x %d of %d pixels",
                  rows, cols, pixels, m->rows, m->cols, m->d);
      return -1;
    }
  if (length != state_size (kernel, n, d))
    {
      g_snprintf (message, message_size,
                  "state of %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, length,
                  state_size (kernel, n, d));
      return -1;
    }
  double spread = get_f64 (data + 16), rate = get_f64 (data + 24);
  if (!(spread > 0.0) || !isfinite (spread) || !(rate >= 0.0 && rate <= 1.0))
    {
      g_snprintf (message, message_size, "state with spread %g and rate %g", spread, rate);
      return -1;
    }
  const guint8 *body = data + HEADER_SIZE;
  const guint8 *zbody = body + 16 * n;
  if (kernel == SOMAIF_GRIDSOM_SPARSE)
    for (gsize k = 0; k < n; k++)
      if (!(get_f64 (body + 8 * k) > 0.0))
        {
          g_snprintf (message, message_size,
                      "state with a non-positive scale of unit %" G_GSIZE_FORMAT, k);
          return -1;
        }

  somaif_gridsom_set_spread (m, spread);
  somaif_gridsom_set_rate (m, rate);
  if (kernel == (int) m->kernel && kernel == SOMAIF_GRIDSOM_DENSE)
    {
      for (gsize i = 0; i < n * d; i++)
        m->w[i] = get_f32 (body + 4 * i);
      return 0;
    }
  if (kernel == (int) m->kernel)
    {
      for (gsize k = 0; k < n; k++)
        {
          m->scale[k] = get_f64 (body + 8 * k);
          m->zz[k] = get_f64 (body + 8 * (n + k));
          for (gsize p = 0; p < d; p++)
            m->zt[p * np + k] = get_f64 (zbody + 8 * (k * d + p));
        }
      return 0;
    }

  /* The other kernel's state: through the prototypes. */
  float *w = g_new (float, n * d);
  if (kernel == SOMAIF_GRIDSOM_DENSE)
    for (gsize i = 0; i < n * d; i++)
      w[i] = get_f32 (body + 4 * i);
  else
    for (gsize k = 0; k < n; k++)
      {
        double s = get_f64 (body + 8 * k);
        for (gsize p = 0; p < d; p++)
          w[k * d + p] = (float) (1.0 - s * get_f64 (zbody + 8 * (k * d + p)));
      }
  somaif_gridsom_set_prototypes (m, w);
  g_free (w);
  return 0;
}
