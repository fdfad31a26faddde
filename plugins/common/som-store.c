/* som-store.c: a Kohonen map's prototypes (see som-store.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "simd.h"
#include "som-store.h"

#ifdef SOMAIF_SIMD_TARGET_AVX512
#include <immintrin.h>
#endif

#define STATE_VERSION 1

/* Units one vector holds: the sparse store pads its units to a multiple. */
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

struct SomaifSomStore
{
  int n;                        /* units */
  int d;                        /* pixels of an input */
  SomaifSomKernel kernel;
  double spread, rate;
  const SomaifSomGeometry *geometry;
  void *map;

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
  gboolean wide;                /* the AVX-512 kernels run */

  /* sparse: the prototypes prototype() gave, while their units stay as they
     were (a unit's column is d cache lines of zt; a frozen map's goal asks
     for the same ones again and again) */
  float *given;                 /* n x d, or NULL: not yet, or too large */
  guint8 *given_ok;             /* n: given[k] is prototype k */
  gboolean given_tried;         /* given allocated, or found too large */
};

/* The prototypes prototype() keeps, at most this many bytes of them. */
#define GIVEN_BYTES (8u << 20)

/* Unit k's prototype changed: prototype() works it out anew. */
static inline void
forget_given (SomaifSomStore *s, int k)
{
  if (s->given_ok)
    s->given_ok[k] = 0;
}

static void
forget_all_given (SomaifSomStore *s)
{
  if (s->given_ok)
    memset (s->given_ok, 0, (gsize) s->n);
}

int
somaif_som_kernel_from_name (const char *name)
{
  if (name && strcmp (name, "dense") == 0)
    return SOMAIF_SOM_DENSE;
  if (name && strcmp (name, "sparse") == 0)
    return SOMAIF_SOM_SPARSE;
  return -1;
}

const char *
somaif_som_kernel_name (SomaifSomKernel kernel)
{
  return kernel == SOMAIF_SOM_DENSE ? "dense" : "sparse";
}

/* ------------------------------------------------------------------ */
/* Vector kernels of the sparse store                                  */

/* Several units at once, one per lane: every lane sums in the order of the
 * ink pixels, exactly as a scalar loop would, and without FMA, so learn()
 * and best_two() give the same distances and every machine the same
 * numbers, whichever kernel runs: AVX-512 (a Wide, 8 units, is one
 * register), AVX2 (a Lanes, 4 units, is one), plain x86-64. */
#if defined(__GNUC__)
#define STORE_VECTORS 1
typedef double Lanes __attribute__ ((vector_size (LANES * sizeof (double))));
/* Macros, not functions: passing a 32-byte vector by value changes the ABI. */
#define LANES_GET(v, p) memcpy (&(v), (p), sizeof (Lanes))
#define LANES_PUT(p, v) memcpy ((p), &(v), sizeof (Lanes))
#define STORE_INLINE static inline __attribute__ ((always_inline))

/* One pass over the ink for acc[0 .. 4 n - 1] (n <= 8), the n sums in
 * registers (named, not an array, so that they stay there): 8 Lanes is 8
 * AVX2 registers, enough independent sums to keep the adders busy. */
#define PASS_LANES 8
STORE_INLINE void
dots_pass (const double *zt, gsize stride, const int *idx, const double *u, int m, double *acc,
           const int n)
{
  Lanes s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 }, s4 = { 0 }, s5 = { 0 }, s6 = { 0 },
        s7 = { 0 };
#define DOTS_EACH(X) X (0, s0) X (1, s1) X (2, s2) X (3, s3) X (4, s4) X (5, s5) X (6, s6) X (7, s7)
#define DOTS_GET(k, sk) if (n > k) LANES_GET (sk, acc + k * LANES);
#define DOTS_ADD(k, sk)                                                       \
  if (n > k)                                                                  \
    {                                                                         \
      Lanes zk;                                                               \
      LANES_GET (zk, z + k * LANES);                                          \
      sk += zk * ui;                                                          \
    }
#define DOTS_PUT(k, sk) if (n > k) LANES_PUT (acc + k * LANES, sk);
  DOTS_EACH (DOTS_GET)
  for (int i = 0; i < m; i++)
    {
      const double *z = zt + (gsize) idx[i] * stride;
      double ui = u[i];
      DOTS_EACH (DOTS_ADD)
    }
  DOTS_EACH (DOTS_PUT)
#undef DOTS_GET
#undef DOTS_ADD
#undef DOTS_PUT
}
#endif

/* acc[j] += sum over i < m of zt[idx[i] * stride + j] * u[i], for j < count
 * (a multiple of LANES). */
SOMAIF_SIMD_NOFMA static void
dots_add (const double *zt, gsize stride, const int *idx, const double *u, int m,
          double *acc, int count)
{
  int j = 0;
#ifdef STORE_VECTORS
  for (; j + PASS_LANES * LANES <= count; j += PASS_LANES * LANES)
    dots_pass (zt + j, stride, idx, u, m, acc + j, PASS_LANES);
  /* The rest, fewer than PASS_LANES vectors, in one pass. */
  switch ((count - j) / LANES)
    {
#define DOTS_CASE(k) case k: dots_pass (zt + j, stride, idx, u, m, acc + j, k); break;
      DOTS_CASE (1) DOTS_CASE (2) DOTS_CASE (3) DOTS_CASE (4) DOTS_CASE (5) DOTS_CASE (6)
      DOTS_CASE (7)
#undef DOTS_CASE
    default:
      break;
    }
  j = count;
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
SOMAIF_SIMD_NOFMA static void
rows_add (double *zt, gsize stride, const int *idx, const double *u, int m,
          const double *coef, int count)
{
  for (int i = 0; i < m; i++)
    {
      double *z = zt + (gsize) idx[i] * stride;
      double ui = u[i];
      int j = 0;
#ifdef STORE_VECTORS
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

#if defined(STORE_VECTORS) && defined(SOMAIF_SIMD_TARGET_AVX512)
/* The same two kernels on AVX-512, 8 units a register: the same sums. */
typedef double Wide __attribute__ ((vector_size (2 * LANES * sizeof (double))));
#define WIDE_GET(v, p) memcpy (&(v), (p), sizeof (Wide))
#define WIDE_PUT(p, v) memcpy ((p), &(v), sizeof (Wide))

/* acc[0 .. 8 nw + 4 tail - 1] (nw <= 4, tail 0 or 1) in one pass. */
STORE_INLINE void
dots_pass_wide (const double *zt, gsize stride, const int *idx, const double *u, int m,
                double *acc, const int nw, const int tail)
{
  Wide s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
  Lanes t = { 0 };
#define WIDE_EACH(X) X (0, s0) X (1, s1) X (2, s2) X (3, s3)
#define WIDE_GET_K(k, sk) if (nw > k) WIDE_GET (sk, acc + k * 2 * LANES);
#define WIDE_ADD_K(k, sk)                                                     \
  if (nw > k)                                                                 \
    {                                                                         \
      Wide zk;                                                                \
      WIDE_GET (zk, z + k * 2 * LANES);                                       \
      sk += zk * ui;                                                          \
    }
#define WIDE_PUT_K(k, sk) if (nw > k) WIDE_PUT (acc + k * 2 * LANES, sk);
  WIDE_EACH (WIDE_GET_K)
  if (tail)
    LANES_GET (t, acc + nw * 2 * LANES);
  for (int i = 0; i < m; i++)
    {
      const double *z = zt + (gsize) idx[i] * stride;
      double ui = u[i];
      WIDE_EACH (WIDE_ADD_K)
      if (tail)
        {
          Lanes zl;
          LANES_GET (zl, z + nw * 2 * LANES);
          t += zl * ui;
        }
    }
  WIDE_EACH (WIDE_PUT_K)
  if (tail)
    LANES_PUT (acc + nw * 2 * LANES, t);
#undef WIDE_GET_K
#undef WIDE_ADD_K
#undef WIDE_PUT_K
}

SOMAIF_SIMD_TARGET_AVX512 static void
dots_add_wide (const double *zt, gsize stride, const int *idx, const double *u, int m,
               double *acc, int count)
{
  int j = 0;
  for (; j + 8 * LANES <= count; j += 8 * LANES)
    dots_pass_wide (zt + j, stride, idx, u, m, acc + j, 4, 0);
  switch ((count - j) / LANES)
    {
#define WIDE_CASE(k) case k: dots_pass_wide (zt + j, stride, idx, u, m, acc + j, k / 2, k % 2); break;
      WIDE_CASE (1) WIDE_CASE (2) WIDE_CASE (3) WIDE_CASE (4) WIDE_CASE (5) WIDE_CASE (6)
      WIDE_CASE (7)
#undef WIDE_CASE
    default:
      break;
    }
}

SOMAIF_SIMD_TARGET_AVX512 static void
rows_add_wide (double *zt, gsize stride, const int *idx, const double *u, int m,
               const double *coef, int count)
{
  for (int i = 0; i < m; i++)
    {
      double *z = zt + (gsize) idx[i] * stride;
      double ui = u[i];
      int j = 0;
      for (; j + 2 * LANES <= count; j += 2 * LANES)
        {
          Wide c, v;
          WIDE_GET (c, coef + j);
          WIDE_GET (v, z + j);
          v += c * ui;
          WIDE_PUT (z + j, v);
        }
      if (j < count)
        {
          Lanes c, v;
          LANES_GET (c, coef + j);
          LANES_GET (v, z + j);
          v += c * ui;
          LANES_PUT (z + j, v);
        }
    }
}
#define STORE_WIDE 1
#endif

/* The kernels for this store: AVX-512 where somaif_simd() says so. */
static void
store_dots (const SomaifSomStore *s, const double *zt, const int *idx, const double *u, int m,
            double *acc, int count)
{
#ifdef STORE_WIDE
  if (s->wide)
    {
      dots_add_wide (zt, (gsize) s->np, idx, u, m, acc, count);
      return;
    }
#endif
  dots_add (zt, (gsize) s->np, idx, u, m, acc, count);
}

static void
store_rows (const SomaifSomStore *s, double *zt, const int *idx, const double *u, int m,
            const double *coef, int count)
{
#ifdef STORE_WIDE
  if (s->wide)
    {
      rows_add_wide (zt, (gsize) s->np, idx, u, m, coef, count);
      return;
    }
#endif
  rows_add (zt, (gsize) s->np, idx, u, m, coef, count);
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

/* The end of gather_ink(): pixels one at a time from p (for the last
 * pixels, fewer than CHUNK), then the sum of squares. */
static int
gather_finish (const float *x, int d, int p, int m, int max, int *idx, double *u, double *usq,
               int *from)
{
  for (; p < d && m < max; p++)
    if (x[p] != 1.0f)
      {
        idx[m] = p;
        u[m] = 1.0 - (double) x[p];
        m++;
      }
  double sq = *usq;
  for (int i = 0; i < m; i++)
    sq += u[i] * u[i];
  *usq = sq;
  *from = p;
  return m;
}

/* Gathers the ink pixels (x != 1) of x from *from on, their indices into idx
 * and u = 1 - x into u, at most max of them; adds the u^2 to *usq in pixel
 * order; returns how many and moves *from past the pixels read (d: all).
 * The sum runs over the ink alone, after the scan: a blank pixel would add
 * an exact 0 (the sum is never -0), so the sum is the same as over every
 * pixel, and the scan carries no chain of additions. */
SOMAIF_SIMD_NOFMA static int
gather_ink (const float *x, int d, int *from, int max, int *idx, double *u, double *usq)
{
  int m = 0, p = *from;
  for (; p + CHUNK <= d; p += CHUNK)
    {
      if (m + CHUNK > max)
        return gather_finish (x, d, p, m, m, idx, u, usq, from);
      if (!chunk_blank (x + p))
        for (int j = p; j < p + CHUNK; j++)
          {
            /* Written for every pixel, kept for ink: no branch. */
            idx[m] = j;
            u[m] = 1.0 - (double) x[j];
            m += x[j] != 1.0f;
          }
    }
  return gather_finish (x, d, p, m, max, idx, u, usq, from);
}

#ifdef STORE_WIDE
/* The same on AVX-512: a chunk's ink packed to the front of two registers
 * of indices and u (compress), stored whole (the arrays have room: max is
 * CHUNK past them). */
SOMAIF_SIMD_TARGET_AVX512 static int
gather_ink_wide (const float *x, int d, int *from, int max, int *idx, double *u, double *usq)
{
  const __m512 one = _mm512_set1_ps (1.0f);
  const __m512d oned = _mm512_set1_pd (1.0);
  const __m512i lanes = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int m = 0, p = *from;
  for (; p + CHUNK <= d; p += CHUNK)
    {
      if (m + CHUNK > max)
        return gather_finish (x, d, p, m, m, idx, u, usq, from);
      __m512 v = _mm512_loadu_ps (x + p);
      /* unordered: a NaN is ink, as x != 1 says */
      __mmask16 k = _mm512_cmp_ps_mask (v, one, _CMP_NEQ_UQ);
      if (k == 0)
        continue;
      __mmask8 kl = (__mmask8) (k & 0xff), kh = (__mmask8) (k >> 8);
      int ml = __builtin_popcount (kl);
      __m512i at = _mm512_add_epi32 (lanes, _mm512_set1_epi32 (p));
      _mm512_storeu_si512 (idx + m, _mm512_maskz_compress_epi32 (k, at));
      __m512d lo = _mm512_sub_pd (oned, _mm512_cvtps_pd (_mm512_castps512_ps256 (v)));
      __m512d hi = _mm512_sub_pd (
        oned, _mm512_cvtps_pd (_mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (v), 1))));
      _mm512_storeu_pd (u + m, _mm512_maskz_compress_pd (kl, lo));
      _mm512_storeu_pd (u + m + ml, _mm512_maskz_compress_pd (kh, hi));
      m += ml + __builtin_popcount (kh);
    }
  return gather_finish (x, d, p, m, max, idx, u, usq, from);
}
#endif

/* gather_ink() for this store: AVX-512 where somaif_simd() says so. */
static int
store_gather (const SomaifSomStore *s, const float *x, int *from, int max, int *idx, double *u,
              double *usq)
{
#ifdef STORE_WIDE
  if (s->wide)
    return gather_ink_wide (x, s->d, from, max, idx, u, usq);
#endif
  return gather_ink (x, s->d, from, max, idx, u, usq);
}

/* ------------------------------------------------------------------ */
/* Life cycle and accessors                                            */

/* The sparse arrays, scales 1; FALSE when memory is short. */
static gboolean
sparse_alloc (SomaifSomStore *s)
{
  gsize d = (gsize) s->d, np = (gsize) s->np;
  s->zt = g_try_new0 (double, np * d);
  s->scale = g_try_new (double, np);
  s->zz = g_try_new0 (double, np);
  s->ink = g_try_new (int, d);
  s->ink_u = g_try_new (double, d);
  s->dot = g_try_new0 (double, np);
  s->coef = g_try_new0 (double, np);
  if (!(s->zt && s->scale && s->zz && s->ink && s->ink_u && s->dot && s->coef))
    return FALSE;
  for (gsize k = 0; k < np; k++)
    s->scale[k] = 1.0;
  return TRUE;
}

SomaifSomStore *
somaif_som_store_new (int n_units, int input_size, SomaifSomKernel kernel,
                      const SomaifSomGeometry *geometry, void *map)
{
  if (n_units < 1 || input_size < 1)
    return NULL;
  SomaifSomStore *s = g_new0 (SomaifSomStore, 1);
  s->n = n_units;
  s->d = input_size;
  s->np = (n_units + LANES - 1) / LANES * LANES;
  s->kernel = kernel;
  s->geometry = geometry;
  s->map = map;
  s->spread = 1.0;
  s->rate = 0.1;
#ifdef STORE_WIDE
  s->wide = somaif_simd () >= SOMAIF_SIMD_AVX512;
#endif
  gsize size = (gsize) s->n * (gsize) s->d;
  gboolean ok;
  if (kernel == SOMAIF_SOM_DENSE)
    {
      s->w = g_try_new (float, size);
      ok = s->w != NULL;
      for (gsize i = 0; ok && i < size; i++)
        s->w[i] = 1.0f;
    }
  else
    ok = sparse_alloc (s);
  if (!ok)
    {
      somaif_som_store_free (s);
      return NULL;
    }
  geometry->set_spread (map, s->spread);
  return s;
}

gboolean
somaif_som_store_set_simd (SomaifSomStore *s, SomaifSimd simd)
{
  if (simd < SOMAIF_SIMD_BASELINE || simd > somaif_simd_best ())
    return FALSE;
#ifdef STORE_WIDE
  s->wide = simd >= SOMAIF_SIMD_AVX512;
#endif
  return TRUE;
}

void
somaif_som_store_free (SomaifSomStore *s)
{
  if (!s)
    return;
  g_free (s->w);
  g_free (s->zt);
  g_free (s->scale);
  g_free (s->zz);
  g_free (s->ink);
  g_free (s->ink_u);
  g_free (s->dot);
  g_free (s->coef);
  g_free (s->given);
  g_free (s->given_ok);
  g_free (s);
}

void *
somaif_som_store_map (const SomaifSomStore *s)
{
  return s->map;
}

const SomaifSomGeometry *
somaif_som_store_geometry (const SomaifSomStore *s)
{
  return s->geometry;
}

int
somaif_som_store_n_units (const SomaifSomStore *s)
{
  return s->n;
}

int
somaif_som_store_input_size (const SomaifSomStore *s)
{
  return s->d;
}

SomaifSomKernel
somaif_som_store_kernel (const SomaifSomStore *s)
{
  return s->kernel;
}

double
somaif_som_store_spread (const SomaifSomStore *s)
{
  return s->spread;
}

double
somaif_som_store_rate (const SomaifSomStore *s)
{
  return s->rate;
}

void
somaif_som_store_set_spread (SomaifSomStore *s, double spread)
{
  s->spread = spread;
  s->geometry->set_spread (s->map, spread);
}

void
somaif_som_store_set_rate (SomaifSomStore *s, double rate)
{
  s->rate = rate;
}

/* The exact squared norm of sparse unit k's z. */
static double
sparse_norm (const SomaifSomStore *s, int k)
{
  double acc = 0.0;
  for (gsize p = 0; p < (gsize) s->d; p++)
    {
      double z = s->zt[p * s->np + k];
      acc += z * z;
    }
  return acc;
}

void
somaif_som_store_set_prototypes (SomaifSomStore *s, const float *w)
{
  gsize n = (gsize) s->n, d = (gsize) s->d, np = (gsize) s->np;
  if (s->kernel == SOMAIF_SOM_DENSE)
    {
      memcpy (s->w, w, n * d * sizeof (float));
      return;
    }
  /* 1 - w is exact in double: prototype() gives w back bit for bit. */
  forget_all_given (s);
  for (gsize k = 0; k < n; k++)
    {
      s->scale[k] = 1.0;
      for (gsize p = 0; p < d; p++)
        s->zt[p * np + k] = 1.0 - (double) w[k * d + p];
    }
  for (gsize k = 0; k < n; k++)
    s->zz[k] = sparse_norm (s, (int) k);
}

void
somaif_som_store_init_noise (SomaifSomStore *s, SomaifRng *rng, double noise)
{
  gsize size = (gsize) s->n * s->d;
  float *w = g_new (float, size);
  float f_noise = (float) noise;
  /* Each operation rounded to float32, as torch's 1 - rand(float32) * noise. */
  for (gsize i = 0; i < size; i++)
    w[i] = 1.0f - (float) somaif_rng_uniform (rng) * f_noise;
  somaif_som_store_set_prototypes (s, w);
  g_free (w);
}

/* Unit's prototype from its column of zt. */
static void
prototype_column (const SomaifSomStore *s, int unit, float *out)
{
  gsize d = (gsize) s->d, np = (gsize) s->np;
  double scale = s->scale[unit];
  const double *z = s->zt + unit;
  /* A unit's column: one cache line a pixel (np doubles apart), loaded 16
   * pixels ahead. */
  gsize p = 0;
  for (; p + 16 < d; p++)
    {
      __builtin_prefetch (z + (p + 16) * np);
      out[p] = (float) (1.0 - scale * z[p * np]);
    }
  for (; p < d; p++)
    out[p] = (float) (1.0 - scale * z[p * np]);
}

void
somaif_som_store_prototype (const SomaifSomStore *store, int unit, float *out)
{
  /* The copies kept are not the store's value: a const store gives them too
     (never one defined const: every store is allocated). */
  SomaifSomStore *s = (SomaifSomStore *) store;
  gsize d = (gsize) s->d;
  if (s->kernel == SOMAIF_SOM_DENSE)
    {
      memcpy (out, s->w + (gsize) unit * d, d * sizeof (float));
      return;
    }
  if (!s->given_tried)
    {
      /* at the first call, within a budget; without it, every call gathers */
      s->given_tried = TRUE;
      if ((gsize) s->n * d <= GIVEN_BYTES / sizeof (float))
        s->given = g_try_new (float, (gsize) s->n * d);
      s->given_ok = s->given ? g_new0 (guint8, s->n) : NULL;
    }
  float *given = s->given_ok ? s->given + (gsize) unit * d : NULL;
  if (given && s->given_ok[unit])
    {
      memcpy (out, given, d * sizeof (float));
      return;
    }
  prototype_column (s, unit, out);
  if (given)
    {
      memcpy (given, out, d * sizeof (float));
      s->given_ok[unit] = 1;
    }
}

void
somaif_som_store_prototypes (const SomaifSomStore *s, float *out)
{
  for (int k = 0; k < s->n; k++)
    somaif_som_store_prototype (s, k, out + (gsize) k * s->d);
}

/* ------------------------------------------------------------------ */
/* Distances and winners                                               */

/* sum((w - x)^2): differences and squares in float32 as torch, the sum in
 * double. */
static double
dense_distance (const SomaifSomStore *s, int k, const float *x)
{
  const float *w = s->w + (gsize) k * s->d;
  double acc = 0.0;
  for (int p = 0; p < s->d; p++)
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

/* Ranks sparse units k0 .. k0 + count - 1 (count <= BLOCK_UNITS) with stack
 * memory only; the dots sum in pixel order, as learn() sums them. */
static void
sparse_rank_block (const SomaifSomStore *s, const float *x, int k0, int count, int best[2],
                   double bd[2])
{
  int lanes = (count + LANES - 1) / LANES * LANES;
  double acc[BLOCK_UNITS] = { 0 };
  int idx[BLOCK_INK];
  double u[BLOCK_INK];
  double usq = 0.0;
  for (int p = 0; p < s->d;)
    {
      int ink = store_gather (s, x, &p, BLOCK_INK, idx, u, &usq);
      store_dots (s, s->zt + k0, idx, u, ink, acc, lanes);
    }
  for (int j = 0; j < count; j++)
    rank_unit (k0 + j, sparse_distance (s->scale[k0 + j], s->zz[k0 + j], acc[j], usq), best,
               bd);
}

void
somaif_som_store_best_two (const SomaifSomStore *s, const float *x, int best[2],
                           double distance[2])
{
  best[0] = best[1] = -1;
  distance[0] = distance[1] = INFINITY;
  if (s->kernel == SOMAIF_SOM_DENSE)
    for (int k = 0; k < s->n; k++)
      rank_unit (k, dense_distance (s, k, x), best, distance);
  else
    for (int k0 = 0; k0 < s->n; k0 += BLOCK_UNITS)
      sparse_rank_block (s, x, k0, MIN (BLOCK_UNITS, s->n - k0), best, distance);
  if (best[1] < 0)
    {
      best[1] = best[0];
      distance[1] = distance[0];
    }
}

void
somaif_som_store_recognise (const SomaifSomStore *s, const float *x, int *winner,
                            double *distance)
{
  int best[2];
  double bd[2];
  somaif_som_store_best_two (s, x, best, bd);
  *winner = best[0];
  *distance = bd[0];
}

/* ------------------------------------------------------------------ */
/* Learning                                                            */

static void
dense_update (SomaifSomStore *s, const float *x, const float *h)
{
  float lr = (float) s->rate;
  if (lr == 0.0f)
    return;
  gsize d = (gsize) s->d;
  for (int k = 0; k < s->n; k++)
    {
      float f = h[k];
      if (f == 0.0f)
        continue; /* w += 0 * (x - w) * lr changes nothing */
      float *w = s->w + (gsize) k * d;
      /* ((h * (x - w)) * lr), then w + it: each step in float32. */
      for (gsize p = 0; p < d; p++)
        {
          float t = f * (x[p] - w[p]);
          t = t * lr;
          w[p] = w[p] + t;
        }
    }
}

/* Shrinks sparse unit k by (1 - a) and sets what its z gains, coef[k] u;
 * returns FALSE when the unit's norm must be counted anew after that. */
static gboolean
sparse_shrink (SomaifSomStore *s, int k, double a, double usq)
{
  double scale = s->scale[k] * (1.0 - a);
  if (scale >= RESCALE_BELOW)
    {
      double coef = a / scale;
      s->scale[k] = scale;
      s->coef[k] = coef;
      /* |z + c u|^2 = |z|^2 + c (2 z.u + c u.u), z.u from before the update. */
      s->zz[k] += coef * (2.0 * s->dot[k] + coef * usq);
      return TRUE;
    }
  /* Fold the scale into z (O(d), seldom). */
  gsize np = (gsize) s->np;
  for (gsize p = 0; p < (gsize) s->d; p++)
    s->zt[p * np + k] *= scale;
  s->scale[k] = 1.0;
  s->coef[k] = a;
  s->zz[k] = -1.0;
  return FALSE;
}

/* v = s z <- (1 - a) v + a u for every unit, a = h * lr: the scale takes the
 * (1 - a) in O(1); z gains (a / s') u on the ink pixels only, for the span of
 * units with a != 0.  s->dot holds z.u before the update and usq = u.u. */
static void
sparse_update (SomaifSomStore *s, const float *h, int n_ink, double usq)
{
  double lr = (double) (float) s->rate;
  if (lr == 0.0)
    return;
  int lo = s->n, hi = 0;
  gboolean recount = FALSE;
  for (int k = 0; k < s->n; k++)
    {
      double a = (double) h[k] * lr;
      s->coef[k] = 0.0;
      if (a == 0.0)
        continue;
      forget_given (s, k);
      lo = MIN (lo, k);
      hi = k + 1;
      recount |= !sparse_shrink (s, k, a, usq);
    }
  if (lo >= hi)
    return;
  /* Units outside [lo, hi) have coef 0 (padding units always). */
  int j0 = lo / LANES * LANES;
  int j1 = (hi + LANES - 1) / LANES * LANES;
  store_rows (s, s->zt + j0, s->ink, s->ink_u, n_ink, s->coef + j0, j1 - j0);
  if (recount)
    for (int k = lo; k < hi; k++)
      if (s->zz[k] < 0.0)
        s->zz[k] = sparse_norm (s, k);
}

void
somaif_som_store_learn (SomaifSomStore *s, const float *x, int *winner, double *distance)
{
  if (s->kernel == SOMAIF_SOM_DENSE)
    {
      somaif_som_store_recognise (s, x, winner, distance);
      dense_update (s, x, s->geometry->factors (s->map, *winner));
      return;
    }

  /* One pass over the image: its ink, kept for the update, and every unit's
   * z.u, summed in the order best_two() sums them. */
  int p = 0;
  double usq = 0.0;
  int n_ink = store_gather (s, x, &p, s->d, s->ink, s->ink_u, &usq);
  memset (s->dot, 0, (gsize) s->np * sizeof (double));
  store_dots (s, s->zt, s->ink, s->ink_u, n_ink, s->dot, s->np);
  int best[2] = { -1, -1 };
  double bd[2] = { INFINITY, INFINITY };
  for (int k = 0; k < s->n; k++)
    rank_unit (k, sparse_distance (s->scale[k], s->zz[k], s->dot[k], usq), best, bd);
  *winner = best[0];
  *distance = bd[0];
  sparse_update (s, s->geometry->factors (s->map, best[0]), n_ink, usq);
}

/* ------------------------------------------------------------------ */
/* State                                                               */

/* Fields at a given offset: the core's readers, which move a pointer on. */
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

/* version, kernel, the map's shape, spread, rate */
static gsize
header_size (const SomaifSomStore *s)
{
  return 2 + s->geometry->shape_size + 2 * 8;
}

static gsize
state_size (const SomaifSomStore *s, int kernel)
{
  gsize n = (gsize) s->n, d = (gsize) s->d;
  if (kernel == SOMAIF_SOM_DENSE)
    return header_size (s) + n * d * 4;
  return header_size (s) + n * 16 + n * d * 8;
}

void
somaif_som_store_save (const SomaifSomStore *s, GByteArray *out)
{
  gsize n = (gsize) s->n, d = (gsize) s->d, np = (gsize) s->np;
  guint8 head[2] = { STATE_VERSION, (guint8) s->kernel };
  g_byte_array_append (out, head, 2);
  s->geometry->put_shape (s->map, out);
  somaif_state_put_f64 (out, s->spread);
  somaif_state_put_f64 (out, s->rate);
  if (s->kernel == SOMAIF_SOM_DENSE)
    {
      somaif_state_put_f32s (out, s->w, n * d);
      return;
    }
  somaif_state_put_f64s (out, s->scale, n);
  somaif_state_put_f64s (out, s->zz, n);
  /* unit by unit, each unit's column gathered from the pixel-major store */
  double *column = g_new (double, d);
  for (gsize k = 0; k < n; k++)
    {
      for (gsize p = 0; p < d; p++)
        column[p] = s->zt[p * np + k];
      somaif_state_put_f64s (out, column, d);
    }
  g_free (column);
}

/* 0 when data is a state this store can take, else -1 and why in message. */
static int
check_state (const SomaifSomStore *s, const guint8 *data, gsize length, char *message,
             gsize message_size)
{
  gsize head = header_size (s);
  if (length < head)
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
  if (kernel != SOMAIF_SOM_DENSE && kernel != SOMAIF_SOM_SPARSE)
    {
      g_snprintf (message, message_size, "state of an unknown kernel %d", kernel);
      return -1;
    }
  if (s->geometry->check_shape (s->map, data + 2, message, message_size) != 0)
    return -1;
  if (length != state_size (s, kernel))
    {
      g_snprintf (message, message_size,
                  "state of %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, length,
                  state_size (s, kernel));
      return -1;
    }
  double spread = get_f64 (data + head - 16), rate = get_f64 (data + head - 8);
  if (!(spread > 0.0) || !isfinite (spread) || !(rate >= 0.0 && rate <= 1.0))
    {
      g_snprintf (message, message_size, "state with spread %g and rate %g", spread, rate);
      return -1;
    }
  for (gsize k = 0; kernel == SOMAIF_SOM_SPARSE && k < (gsize) s->n; k++)
    if (!(get_f64 (data + head + 8 * k) > 0.0))
      {
        g_snprintf (message, message_size,
                    "state with a non-positive scale of unit %" G_GSIZE_FORMAT, k);
        return -1;
      }
  return 0;
}

/* The prototypes w (n x d) of a state body of either kernel. */
static void
body_prototypes (const SomaifSomStore *s, int kernel, const guint8 *body, float *w)
{
  gsize n = (gsize) s->n, d = (gsize) s->d;
  const guint8 *zbody = body + 16 * n;
  if (kernel == SOMAIF_SOM_DENSE)
    for (gsize i = 0; i < n * d; i++)
      w[i] = get_f32 (body + 4 * i);
  else
    for (gsize k = 0; k < n; k++)
      {
        double scale = get_f64 (body + 8 * k);
        for (gsize p = 0; p < d; p++)
          w[k * d + p] = (float) (1.0 - scale * get_f64 (zbody + 8 * (k * d + p)));
      }
}

int
somaif_som_store_load (SomaifSomStore *s, const guint8 *data, gsize length, char *message,
                       gsize message_size)
{
  if (check_state (s, data, length, message, message_size) != 0)
    return -1;
  forget_all_given (s); /* every unit as the state has it */
  gsize n = (gsize) s->n, d = (gsize) s->d, np = (gsize) s->np;
  gsize head = header_size (s);
  int kernel = data[1];
  const guint8 *body = data + head;
  somaif_som_store_set_spread (s, get_f64 (data + head - 16));
  somaif_som_store_set_rate (s, get_f64 (data + head - 8));
  if (kernel == (int) s->kernel && kernel == SOMAIF_SOM_SPARSE)
    {
      const guint8 *zbody = body + 16 * n;
      for (gsize k = 0; k < n; k++)
        {
          s->scale[k] = get_f64 (body + 8 * k);
          s->zz[k] = get_f64 (body + 8 * (n + k));
          for (gsize p = 0; p < d; p++)
            s->zt[p * np + k] = get_f64 (zbody + 8 * (k * d + p));
        }
      return 0;
    }
  if (kernel == (int) s->kernel)
    {
      body_prototypes (s, kernel, body, s->w);
      return 0;
    }
  /* The other kernel's state: through the prototypes. */
  float *w = g_new (float, n * d);
  body_prototypes (s, kernel, body, w);
  somaif_som_store_set_prototypes (s, w);
  g_free (w);
  return 0;
}
