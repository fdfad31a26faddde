/* ringsom-core.c: the ring Kohonen map's arithmetic (see ringsom-core.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ringsom-core.h"

/* Below this scale a sparse unit is rescaled (z *= s, s = 1): far from
 * underflow, and the (1 - a) = 0 of a rate-1 update lands here too. */
#define SPARSE_MIN_SCALE 0x1.0p-24

/* Units whose distances recognise() computes at once, and ink pixels it
 * gathers at once (stack buffers: it may run in several threads). */
#define UNIT_BLOCK 64
#define INK_BLOCK 256

#define STATE_VERSION 1

struct SomaifRingsom
{
  int n;                  /* units */
  int d;                  /* pixels of an input */
  SomaifRingsomKernel kernel;
  double spread, rate;
  float *nf;              /* 2n - 1 */

  /* dense */
  float *w;               /* n x d */

  /* sparse: v[k][p] = 1 - w[k][p] = scale[k] * zt[p * np + k] */
  int np;                 /* n rounded up to a multiple of 4 (padding units stay 0) */
  double *zt;             /* d x np */
  double *scale;          /* np */
  double *zz;             /* np: sum over p of zt[p * np + k]^2 */

  /* sparse learn() scratch */
  int *ink;               /* d: pixels with x != 1 */
  double *ink_u;          /* d: their 1 - x */
  double *dot;            /* np */
  double *coef;           /* np */
};

/* ------------------------------------------------------------------ */
/* Vector kernels of the sparse map                                    */

/* Groups of 4 units as one vector.  Neither clone uses FMA (unless built
 * with --enable-native): every machine rounds alike, so runs repeat exactly. */
#if defined(__GNUC__)
#define HAVE_VECTORS 1
typedef double V4 __attribute__ ((vector_size (32)));
/* Unaligned loads and stores (macros: a V4 passed by value changes the ABI). */
#define LOAD4(v, p) memcpy (&(v), (p), sizeof (V4))
#define STORE4(p, v) memcpy ((p), &(v), sizeof (V4))
#endif

#if defined(SOMAIF_HAVE_TARGET_CLONES) && defined(HAVE_VECTORS)
#define KERNEL __attribute__ ((target_clones ("avx2", "default")))
#else
#define KERNEL
#endif

/* dot[j] += sum over i of zt[idx[i] * np + k0 + j] * u[i], j < count, count
 * a multiple of 4; the sum runs in pixel order (the same order for learn()
 * and recognise(), so both give the same distances). */
KERNEL static void
accumulate_dots (const double *zt, int np, int k0, int count, const int *idx,
                 const double *u, int m, double *dot)
{
#ifdef HAVE_VECTORS
  int j = 0;
  for (; j + 16 <= count; j += 16)
    {
      V4 a0, a1, a2, a3, r0, r1, r2, r3;
      LOAD4 (a0, dot + j);
      LOAD4 (a1, dot + j + 4);
      LOAD4 (a2, dot + j + 8);
      LOAD4 (a3, dot + j + 12);
      for (int i = 0; i < m; i++)
        {
          const double *row = zt + (gsize) idx[i] * np + k0 + j;
          double ui = u[i];
          LOAD4 (r0, row);
          LOAD4 (r1, row + 4);
          LOAD4 (r2, row + 8);
          LOAD4 (r3, row + 12);
          a0 += r0 * ui;
          a1 += r1 * ui;
          a2 += r2 * ui;
          a3 += r3 * ui;
        }
      STORE4 (dot + j, a0);
      STORE4 (dot + j + 4, a1);
      STORE4 (dot + j + 8, a2);
      STORE4 (dot + j + 12, a3);
    }
  for (; j < count; j += 4)
    {
      V4 a0, r0;
      LOAD4 (a0, dot + j);
      for (int i = 0; i < m; i++)
        {
          LOAD4 (r0, zt + (gsize) idx[i] * np + k0 + j);
          a0 += r0 * u[i];
        }
      STORE4 (dot + j, a0);
    }
#else
  for (int j = 0; j < count; j++)
    {
      double a = dot[j];
      for (int i = 0; i < m; i++)
        a += zt[(gsize) idx[i] * np + k0 + j] * u[i];
      dot[j] = a;
    }
#endif
}

/* z[p][k] += coef[k] * u for the ink pixels p and all np units, pixel after
 * pixel (a row of np contiguous numbers each). */
KERNEL static void
add_ink (double *zt, int np, const double *coef, const int *idx, const double *u, int m)
{
#ifdef HAVE_VECTORS
  for (int i = 0; i < m; i++)
    {
      double *row = zt + (gsize) idx[i] * np;
      double ui = u[i];
      for (int j = 0; j < np; j += 4)
        {
          V4 c, z;
          LOAD4 (c, coef + j);
          LOAD4 (z, row + j);
          z += c * ui;
          STORE4 (row + j, z);
        }
    }
#else
  for (int i = 0; i < m; i++)
    {
      double *row = zt + (gsize) idx[i] * np;
      for (int j = 0; j < np; j++)
        row[j] += coef[j] * u[i];
    }
#endif
}

/* Whether any of x[0 .. 7] is not blank paper (branch-free: vectorised). */
static inline gboolean
chunk_has_ink (const float *x)
{
  int any = 0;
  for (int j = 0; j < 8; j++)
    any |= x[j] != 1.0f;
  return any != 0;
}

/* Gathers the ink pixels of x[start ..] (x != 1) and their u = 1 - x, at most
 * max of them; returns how many and sets *next to where to go on (d: done).
 * *usq accumulates sum(u^2).  idx and u must hold max entries, and m <= p
 * keeps the branch-free writes of a chunk inside x's length too. */
static int
gather_ink (const float *x, int d, int start, int max, int *idx, double *u, double *usq,
            int *next)
{
  int m = 0, p = start;
  double sq = *usq;
  while (p < d && m + 8 <= max)
    {
      if (p + 8 <= d)
        {
          if (chunk_has_ink (x + p))
            for (int j = 0; j < 8; j++)
              {
                /* Written for every pixel, kept for ink (u = 0 adds 0 to sq). */
                double uj = 1.0 - (double) x[p + j];
                idx[m] = p + j;
                u[m] = uj;
                sq += uj * uj;
                m += x[p + j] != 1.0f;
              }
          p += 8;
          continue;
        }
      for (; p < d; p++)
        if (x[p] != 1.0f)
          {
            double uj = 1.0 - (double) x[p];
            idx[m] = p;
            u[m] = uj;
            sq += uj * uj;
            m++;
          }
    }
  *usq = sq;
  *next = p;
  return m;
}

/* ------------------------------------------------------------------ */
/* Neighbourhood and topology                                          */

void
somaif_ringsom_build_nf (int n_units, double spread, float *nf)
{
  double half = n_units / 2.0;
  double s2 = spread * spread;
  for (int i = 0; i < 2 * n_units - 1; i++)
    {
      /* fmod of positive numbers is Python's %: the notebook's formula as is. */
      double d = fmod (i + 1 + half, (double) n_units) - half;
      nf[i] = (float) exp ((-(d * d) - 0.0) / s2);
    }
}

double
somaif_ringsom_ring_distance (int n_units, int u, int v)
{
  int d = u > v ? u - v : v - u;
  return (double) MIN (d, n_units - d);
}

int
somaif_ringsom_kernel_from_name (const char *name)
{
  if (name && strcmp (name, "dense") == 0)
    return SOMAIF_RINGSOM_DENSE;
  if (name && strcmp (name, "sparse") == 0)
    return SOMAIF_RINGSOM_SPARSE;
  return -1;
}

const char *
somaif_ringsom_kernel_name (SomaifRingsomKernel kernel)
{
  return kernel == SOMAIF_RINGSOM_DENSE ? "dense" : "sparse";
}

/* ------------------------------------------------------------------ */
/* Life cycle and accessors                                            */

SomaifRingsom *
somaif_ringsom_new (int n_units, int input_size, SomaifRingsomKernel kernel)
{
  if (n_units < 2 || input_size < 1)
    return NULL;
  gsize n = (gsize) n_units, d = (gsize) input_size;
  SomaifRingsom *m = g_new0 (SomaifRingsom, 1);
  m->n = n_units;
  m->d = input_size;
  m->np = (n_units + 3) & ~3;
  m->kernel = kernel;
  m->nf = g_try_new (float, 2 * n - 1);
  gboolean ok = m->nf != NULL;
  if (kernel == SOMAIF_RINGSOM_DENSE)
    {
      m->w = g_try_new (float, n * d);
      ok = ok && m->w;
    }
  else
    {
      gsize np = (gsize) m->np;
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
      somaif_ringsom_free (m);
      return NULL;
    }
  if (kernel == SOMAIF_RINGSOM_DENSE)
    for (gsize i = 0; i < n * d; i++)
      m->w[i] = 1.0f;
  m->rate = 0.1;
  somaif_ringsom_set_spread (m, 1.0);
  return m;
}

void
somaif_ringsom_free (SomaifRingsom *m)
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
somaif_ringsom_n_units (const SomaifRingsom *m)
{
  return m->n;
}

int
somaif_ringsom_input_size (const SomaifRingsom *m)
{
  return m->d;
}

SomaifRingsomKernel
somaif_ringsom_kernel (const SomaifRingsom *m)
{
  return m->kernel;
}

double
somaif_ringsom_spread (const SomaifRingsom *m)
{
  return m->spread;
}

double
somaif_ringsom_rate (const SomaifRingsom *m)
{
  return m->rate;
}

const float *
somaif_ringsom_nf (const SomaifRingsom *m)
{
  return m->nf;
}

void
somaif_ringsom_set_spread (SomaifRingsom *m, double spread)
{
  m->spread = spread;
  somaif_ringsom_build_nf (m->n, spread, m->nf);
}

void
somaif_ringsom_set_rate (SomaifRingsom *m, double rate)
{
  m->rate = rate;
}

/* Recomputes every sparse unit's squared norm from z. */
static void
sparse_recount (SomaifRingsom *m)
{
  int np = m->np;
  for (int k = 0; k < np; k++)
    m->zz[k] = 0.0;
  for (int p = 0; p < m->d; p++)
    {
      const double *row = m->zt + (gsize) p * np;
      for (int k = 0; k < np; k++)
        m->zz[k] += row[k] * row[k];
    }
}

void
somaif_ringsom_set_prototypes (SomaifRingsom *m, const float *w)
{
  int n = m->n, d = m->d, np = m->np;
  if (m->kernel == SOMAIF_RINGSOM_DENSE)
    {
      memcpy (m->w, w, (gsize) n * d * sizeof (float));
      return;
    }
  /* 1 - w is exact in double: prototype() gives w back bit for bit. */
  for (int k = 0; k < n; k++)
    {
      m->scale[k] = 1.0;
      for (int p = 0; p < d; p++)
        m->zt[(gsize) p * np + k] = 1.0 - (double) w[(gsize) k * d + p];
    }
  sparse_recount (m);
}

void
somaif_ringsom_init_noise (SomaifRingsom *m, SomaifRng *rng, double noise)
{
  gsize size = (gsize) m->n * m->d;
  float *w = g_new (float, size);
  float f_noise = (float) noise;
  /* torch: 1 - rand(float32) * .1, each operation rounded to float32. */
  for (gsize i = 0; i < size; i++)
    w[i] = 1.0f - (float) somaif_rng_uniform (rng) * f_noise;
  somaif_ringsom_set_prototypes (m, w);
  g_free (w);
}

void
somaif_ringsom_prototype (const SomaifRingsom *m, int unit, float *out)
{
  int d = m->d, np = m->np;
  if (m->kernel == SOMAIF_RINGSOM_DENSE)
    {
      memcpy (out, m->w + (gsize) unit * d, (gsize) d * sizeof (float));
      return;
    }
  double s = m->scale[unit];
  const double *z = m->zt + unit;
  for (int p = 0; p < d; p++)
    out[p] = (float) (1.0 - s * z[(gsize) p * np]);
}

void
somaif_ringsom_prototypes (const SomaifRingsom *m, float *out)
{
  for (int k = 0; k < m->n; k++)
    somaif_ringsom_prototype (m, k, out + (gsize) k * m->d);
}

/* ------------------------------------------------------------------ */
/* Distances                                                           */

/* sum((w - x)^2) of dense unit k: float32 differences and squares as torch,
 * accumulated in double. */
static double
dense_distance (const SomaifRingsom *m, int k, const float *x)
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

/* ||s z - u||^2 from the norm and the dot product; never negative. */
static inline double
sparse_distance (double s, double zz, double dot, double usq)
{
  double dist = s * s * zz - 2.0 * s * dot + usq;
  return dist > 0.0 ? dist : 0.0;
}

/* Squared distances of sparse units k0 .. k0 + count - 1 to x (count <=
 * UNIT_BLOCK), with stack memory only. */
static void
sparse_block_distances (const SomaifRingsom *m, const float *x, int k0, int count, double *dist)
{
  double dot[UNIT_BLOCK] = { 0 };
  int idx[INK_BLOCK];
  double u[INK_BLOCK];
  double usq = 0.0;
  int padded = MIN ((count + 3) & ~3, m->np - k0);
  for (int p = 0; p < m->d;)
    {
      int ink = gather_ink (x, m->d, p, INK_BLOCK, idx, u, &usq, &p);
      accumulate_dots (m->zt, m->np, k0, padded, idx, u, ink, dot);
    }
  for (int j = 0; j < count; j++)
    dist[j] = sparse_distance (m->scale[k0 + j], m->zz[k0 + j], dot[j], usq);
}

/* Keeps best[0] <= best[1] (first unit on ties) as units arrive in order. */
static inline void
push_best (int k, double dist, int best[2], double bd[2])
{
  if (dist < bd[0])
    {
      best[1] = best[0];
      bd[1] = bd[0];
      best[0] = k;
      bd[0] = dist;
    }
  else if (dist < bd[1])
    {
      best[1] = k;
      bd[1] = dist;
    }
}

void
somaif_ringsom_best_two (const SomaifRingsom *m, const float *x, int best[2],
                         double distance[2])
{
  best[0] = best[1] = -1;
  distance[0] = distance[1] = INFINITY;
  if (m->kernel == SOMAIF_RINGSOM_DENSE)
    for (int k = 0; k < m->n; k++)
      push_best (k, dense_distance (m, k, x), best, distance);
  else
    {
      double dist[UNIT_BLOCK];
      for (int k0 = 0; k0 < m->n; k0 += UNIT_BLOCK)
        {
          int count = MIN (UNIT_BLOCK, m->n - k0);
          sparse_block_distances (m, x, k0, count, dist);
          for (int j = 0; j < count; j++)
            push_best (k0 + j, dist[j], best, distance);
        }
    }
  /* A NaN input leaves no best: report units 0 and 1 rather than -1. */
  for (int i = 0; i < 2; i++)
    if (best[i] < 0)
      best[i] = i;
}

void
somaif_ringsom_recognise (const SomaifRingsom *m, const float *x, int *winner,
                          double *distance)
{
  int best[2];
  double bd[2];
  if (m->kernel == SOMAIF_RINGSOM_DENSE)
    {
      best[0] = 0;
      bd[0] = dense_distance (m, 0, x);
      for (int k = 1; k < m->n; k++)
        {
          double dist = dense_distance (m, k, x);
          if (dist < bd[0])
            {
              best[0] = k;
              bd[0] = dist;
            }
        }
    }
  else
    somaif_ringsom_best_two (m, x, best, bd);
  *winner = best[0];
  *distance = bd[0];
}

/* ------------------------------------------------------------------ */
/* Learning                                                            */

static void
dense_learn (SomaifRingsom *m, const float *x, int win)
{
  int n = m->n, d = m->d;
  float lr = (float) m->rate;
  if (lr == 0.0f)
    return;
  const float *nf = m->nf + (n - 1 - win);
  for (int k = 0; k < n; k++)
    {
      float f = nf[k];
      if (f == 0.0f)
        continue; /* w += 0 * (x - w) * lr changes nothing */
      float *w = m->w + (gsize) k * d;
      /* torch: ((nf * (x - w)) * lr), then w += it; each step in float32. */
      for (int p = 0; p < d; p++)
        {
          float t = f * (x[p] - w[p]);
          t = t * lr;
          w[p] = w[p] + t;
        }
    }
}

/* v = s z <- (1 - a) v + a u for every unit k, with a = nf * lr: O(1) a unit
 * for the scale, O(ink) a unit for the addition.  dot holds z.u of the z
 * before the update and usq = u.u, so that sum(z^2) follows in O(1):
 * sum((z + c u)^2) = sum(z^2) + 2 c z.u + c^2 u.u. */
static void
sparse_learn (SomaifRingsom *m, int win, int n_ink, double usq)
{
  int n = m->n, d = m->d, np = m->np;
  double lr = (double) (float) m->rate;
  const float *nf = m->nf + (n - 1 - win);
  int any = 0;
  for (int k = 0; k < n; k++)
    {
      double a = (double) nf[k] * lr;
      m->coef[k] = 0.0;
      if (a == 0.0)
        continue;
      any = 1;
      double s = m->scale[k] * (1.0 - a);
      double dot = m->dot[k];
      if (s >= SPARSE_MIN_SCALE)
        {
          double c = a / s;
          m->scale[k] = s;
          m->coef[k] = c;
          m->zz[k] += c * (2.0 * dot + c * usq);
          continue;
        }
      /* Rescale the unit to s = 1 (z = 0 when a = 1): O(d), seldom; its
         norm is counted afresh after the addition. */
      for (int p = 0; p < d; p++)
        m->zt[(gsize) p * np + k] *= s;
      m->scale[k] = 1.0;
      m->coef[k] = a;
      m->zz[k] = -1.0;
    }
  if (!any)
    return;
  add_ink (m->zt, np, m->coef, m->ink, m->ink_u, n_ink);
  for (int k = 0; k < n; k++)
    if (m->zz[k] < 0.0)
      {
        double acc = 0.0;
        for (int p = 0; p < d; p++)
          {
            double z = m->zt[(gsize) p * np + k];
            acc += z * z;
          }
        m->zz[k] = acc;
      }
}

void
somaif_ringsom_learn (SomaifRingsom *m, const float *x, int *winner, double *distance)
{
  if (m->kernel == SOMAIF_RINGSOM_DENSE)
    {
      somaif_ringsom_recognise (m, x, winner, distance);
      dense_learn (m, x, *winner);
      return;
    }

  /* One scan for the ink, kept for the update. */
  int n = m->n, end;
  double usq = 0.0;
  int n_ink = gather_ink (x, m->d, 0, m->d + 8, m->ink, m->ink_u, &usq, &end);
  for (int k = 0; k < m->np; k++)
    m->dot[k] = 0.0;
  accumulate_dots (m->zt, m->np, 0, m->np, m->ink, m->ink_u, n_ink, m->dot);

  int win = 0;
  double best = INFINITY;
  for (int k = 0; k < n; k++)
    {
      double dist = sparse_distance (m->scale[k], m->zz[k], m->dot[k], usq);
      if (dist < best)
        {
          best = dist;
          win = k;
        }
    }
  *winner = win;
  *distance = best;
  sparse_learn (m, win, n_ink, usq);
}

/* ------------------------------------------------------------------ */
/* State                                                               */

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

/* Layout: version u8, kernel u8, n u32, d u32, spread f64, rate f64, then
 * dense: w (n x d f32); sparse: scale (n f64), zz (n f64), z (n x d f64, unit
 * after unit); little-endian. */
#define HEADER_SIZE (2 + 4 + 4 + 8 + 8)

static gsize
state_size (int kernel, gsize n, gsize d)
{
  if (kernel == SOMAIF_RINGSOM_DENSE)
    return HEADER_SIZE + n * d * 4;
  return HEADER_SIZE + 2 * n * 8 + n * d * 8;
}

void
somaif_ringsom_save (const SomaifRingsom *m, GByteArray *out)
{
  gsize n = (gsize) m->n, d = (gsize) m->d, np = (gsize) m->np;
  guint8 head[2] = { STATE_VERSION, (guint8) m->kernel };
  g_byte_array_append (out, head, 2);
  somaif_state_put_u32 (out, (guint32) n);
  somaif_state_put_u32 (out, (guint32) d);
  somaif_state_put_f64 (out, m->spread);
  somaif_state_put_f64 (out, m->rate);
  if (m->kernel == SOMAIF_RINGSOM_DENSE)
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
somaif_ringsom_load (SomaifRingsom *m, const guint8 *data, gsize length, char *message,
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
  int kernel = data[1];
  if (kernel != SOMAIF_RINGSOM_DENSE && kernel != SOMAIF_RINGSOM_SPARSE)
    {
      g_snprintf (message, message_size, "state of an unknown kernel %d", kernel);
      return -1;
    }
  guint32 sn = get_u32 (data + 2), sd = get_u32 (data + 6);
  if (sn != n || sd != d)
    {
      g_snprintf (message, message_size,
                  "state of %u units of %u pixels, this map has %d units of %d pixels", sn,
                  sd, m->n, m->d);
      return -1;
    }
  if (length != state_size (kernel, n, d))
    {
      g_snprintf (message, message_size,
                  "state of %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, length,
                  state_size (kernel, n, d));
      return -1;
    }
  double spread = get_f64 (data + 10), rate = get_f64 (data + 18);
  if (!(spread > 0.0) || !isfinite (spread) || !(rate >= 0.0 && rate <= 1.0))
    {
      g_snprintf (message, message_size, "state with spread %g and rate %g", spread, rate);
      return -1;
    }
  const guint8 *body = data + HEADER_SIZE;
  const guint8 *zbody = body + 16 * n;
  if (kernel == SOMAIF_RINGSOM_SPARSE)
    for (gsize k = 0; k < n; k++)
      if (!(get_f64 (body + 8 * k) > 0.0))
        {
          g_snprintf (message, message_size,
                      "state with a non-positive scale of unit %" G_GSIZE_FORMAT, k);
          return -1;
        }

  somaif_ringsom_set_spread (m, spread);
  somaif_ringsom_set_rate (m, rate);
  if (kernel == (int) m->kernel)
    {
      if (kernel == SOMAIF_RINGSOM_DENSE)
        for (gsize i = 0; i < n * d; i++)
          m->w[i] = get_f32 (body + 4 * i);
      else
        {
          for (gsize k = 0; k < n; k++)
            {
              m->scale[k] = get_f64 (body + 8 * k);
              m->zz[k] = get_f64 (body + 8 * (n + k));
              for (gsize p = 0; p < d; p++)
                m->zt[p * np + k] = get_f64 (zbody + 8 * (k * d + p));
            }
        }
      return 0;
    }

  /* The other kernel's state: through the prototypes w. */
  float *w = g_new (float, n * d);
  if (kernel == SOMAIF_RINGSOM_DENSE)
    for (gsize i = 0; i < n * d; i++)
      w[i] = get_f32 (body + 4 * i);
  else
    for (gsize k = 0; k < n; k++)
      {
        double s = get_f64 (body + 8 * k);
        for (gsize p = 0; p < d; p++)
          w[k * d + p] = (float) (1.0 - s * get_f64 (zbody + 8 * (k * d + p)));
      }
  somaif_ringsom_set_prototypes (m, w);
  g_free (w);
  return 0;
}
