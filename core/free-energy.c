/* free-energy.c: the terms of the free energy the optimiser minimises. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "free-energy.h"
#include "somaif/plugin.h"
#include "scan.h"

/* ------------------------------------------------------------------ */
/* Logarithms of our own, eight at a time                               */

/* The goal's terms cost 4096 logarithms a goal image, each epoch, on the
 * thread that learns (it waits for them).  They are computed here in plain
 * double arithmetic (this file, like every file, is compiled with
 * -ffp-contract=off), on the vector unit somaif_simd() names: every clone,
 * CPU and C library gives the same bits.  log x = e ln 2 + log m, x = m 2^e
 * with m in [sqrt(1/2), sqrt 2); log m = 2 atanh s, s = (m - 1) / (m + 1),
 * |s| < 0.1716, by its series: to s^13 for a float result (the first term
 * left out is below 2^-39 of it), to s^21 for a double one (2^-60). */

#define LANES 8
typedef double V8d __attribute__ ((vector_size (LANES * sizeof (double))));
typedef long long V8l __attribute__ ((vector_size (LANES * sizeof (long long))));
typedef float V8f __attribute__ ((vector_size (LANES * sizeof (float))));
typedef int V8i __attribute__ ((vector_size (LANES * sizeof (int))));

#define SQRT2 1.41421356237309504880
/* ln 2 in two parts, the first with trailing zeros: e LN2_HI is exact. */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10

#define FE_INLINE static inline __attribute__ ((always_inline))

/* out = log in for 8 positive, finite, normal in; full: to double
 * precision, else to float's. */
FE_INLINE void
log8 (const double *in, double *out, int full)
{
  V8l bits;
  memcpy (&bits, in, sizeof bits);
  /* the biased exponent E as a double, without an integer conversion:
     2^52 + E has E's bits in its mantissa */
  V8l ebits = ((bits >> 52) & 0x7ff) | 0x4330000000000000LL;
  V8d ed;
  memcpy (&ed, &ebits, sizeof ed);
  ed = ed - (4503599627370496.0 + 1023.0);
  V8l mbits = (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;
  V8d m;
  memcpy (&m, &mbits, sizeof m);
  V8l big = m > SQRT2; /* -1 where so: halve m, add 1 to e */
  V8d half = m * 0.5;
  V8l hbits;
  memcpy (&hbits, &half, sizeof hbits);
  mbits = (big & hbits) | (~big & mbits);
  memcpy (&m, &mbits, sizeof m);
  V8d one = (V8d) { 0 } + 1.0;
  V8l obits;
  memcpy (&obits, &one, sizeof obits);
  obits &= big;
  memcpy (&one, &obits, sizeof one);
  ed = ed + one;
  V8d s = (m - 1.0) / (m + 1.0);
  V8d z = s * s, p;
  if (full)
    {
      p = 2.0 / 19.0 + z * (2.0 / 21.0);
      p = 2.0 / 17.0 + z * p;
      p = 2.0 / 15.0 + z * p;
      p = 2.0 / 13.0 + z * p;
    }
  else
    p = (V8d) { 0 } + 2.0 / 13.0;
  p = 2.0 / 11.0 + z * p;
  p = 2.0 / 9.0 + z * p;
  p = 2.0 / 7.0 + z * p;
  p = 2.0 / 5.0 + z * p;
  p = 2.0 / 3.0 + z * p;
  V8d l = ed * LN2_HI + (ed * LN2_LO + (2.0 * s + (s * z) * p));
  memcpy (out, &l, sizeof l);
}

/* For each of 8 pixels: t = goal 0.999 + 0.0005 in float, as the seed;
 * d = log(t / (1 - t)) (logf where that ratio is not a normal positive
 * float: a NaN goal, or one outside [0, 1]); *prod times t, lane by lane,
 * for the pixels before m (the index of goal[0] is p). */
FE_INLINE void
goal_d8 (const float *goal, int p, int m, float *d8, V8d *prod)
{
  V8f g, t, y;
  memcpy (&g, goal, sizeof g);
  t = g * 0.999f + 0.0005f;
  y = t / (1.0f - t);
  V8d yd = __builtin_convertvector (y, V8d), ld;
  log8 ((const double *) &yd, (double *) &ld, 0);
  V8f l = __builtin_convertvector (ld, V8f);
  memcpy (d8, &l, sizeof l);
  V8d td = __builtin_convertvector (t, V8d);
  if (p + LANES > m)
    {
      double ta[LANES];
      memcpy (ta, &td, sizeof ta);
      for (int i = MAX (m - p, 0); i < LANES; i++)
        ta[i] = 1.0;
      memcpy (&td, ta, sizeof td);
    }
  *prod = *prod * td;
  V8i ok = (y >= FLT_MIN) & (y <= FLT_MAX);
  guint64 w[LANES / 2];
  memcpy (w, &ok, sizeof w);
  if ((w[0] & w[1] & w[2] & w[3]) != ~(guint64) 0)
    {
      float ya[LANES];
      memcpy (ya, &y, sizeof ya);
      for (int i = 0; i < LANES; i++)
        if (!(ya[i] >= FLT_MIN && ya[i] <= FLT_MAX))
          d8[i] = logf (ya[i]);
    }
}

/* Pixels whose t's a lane multiplies together: 16, so that a product stays
 * far above double's smallest normal (t >= 0.0005) and there are 16 times
 * fewer logs than pixels. */
#define GROUP_PIXELS (16 * LANES)

/* The goal's d for the n pixels of goal (n a multiple of GROUP_PIXELS: the
 * arrays are padded; the pixels from m on count for nothing); for each
 * group of GROUP_PIXELS pixels its lanes' products of t in prod[n / 16 ..],
 * and their logs in prod[0 .. n / 16) (those of positive, finite, normal
 * products: the others are left to the caller). */
FE_INLINE void
goal_vectors (const float *goal, int n, int m, float *d, double *prod)
{
  double *x = prod + n / 16;
  for (int p0 = 0; p0 < n; p0 += GROUP_PIXELS)
    {
      V8d acc = (V8d) { 0 } + 1.0;
      for (int p = p0; p < p0 + GROUP_PIXELS; p += LANES)
        goal_d8 (goal + p, p, m, d + p, &acc);
      memcpy (x + p0 / 16, &acc, sizeof acc);
    }
  for (int b = 0; b < n / 16; b += LANES)
    log8 (x + b, prod + b, 1);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FE_X86 1
#include <immintrin.h>
__attribute__ ((target ("avx512f"))) static void
goal_vectors_avx512 (const float *goal, int n, int m, float *d, double *prod)
{
  goal_vectors (goal, n, m, d, prod);
}

__attribute__ ((target ("avx2"))) static void
goal_vectors_avx2 (const float *goal, int n, int m, float *d, double *prod)
{
  goal_vectors (goal, n, m, d, prod);
}
#endif

static void
goal_vectors_plain (const float *goal, int n, int m, float *d, double *prod)
{
  goal_vectors (goal, n, m, d, prod);
}

/* Pixels a chunk of the goal image, on the stack. */
#define CHUNK_PIXELS (8 * GROUP_PIXELS)

double
somaif_goal_terms (const float *goal, int n, float *d)
{
  /* sum log t: the logs of the products of t over the lanes of each group
     of pixels, added in order of groups and lanes. */
  SomaifSimd simd = somaif_simd ();
  float g[CHUNK_PIXELS], dd[CHUNK_PIXELS];
  /* the products' logs, then the products */
  double prod[2 * CHUNK_PIXELS / 16];
  double sum = 0.0;
  for (int p0 = 0; p0 < n; p0 += CHUNK_PIXELS)
    {
      int m = MIN (CHUNK_PIXELS, n - p0);
      int mg = (m + GROUP_PIXELS - 1) / GROUP_PIXELS * GROUP_PIXELS;
      memcpy (g, goal + p0, (gsize) m * sizeof *g);
      for (int p = m; p < mg; p++)
        g[p] = 1.0f;
#ifdef FE_X86
      if (simd == SOMAIF_SIMD_AVX512)
        goal_vectors_avx512 (g, mg, m, dd, prod);
      else if (simd == SOMAIF_SIMD_AVX2)
        goal_vectors_avx2 (g, mg, m, dd, prod);
      else
#endif
        goal_vectors_plain (g, mg, m, dd, prod);
      memcpy (d + p0, dd, (gsize) m * sizeof *d);
      const double *x = prod + mg / 16;
      for (int b = 0; b < mg / 16; b++)
        sum += x[b] >= DBL_MIN && x[b] <= DBL_MAX ? prod[b] : log (x[b]);
    }
  return sum;
}

/* Pixels a blank test looks at together (somaif_blank16). */
#define BLANK_RUN 16

/* The ink's sum from pixel p0 on (the plain way, for a short run). */
static double
ink_rest (const float *image, const float *d, int p0, int n, double ink)
{
  for (int p = p0; p < n; p++)
    if (image[p] != 1.0f)
      ink += (1.0 - (double) image[p]) * (double) d[p];
  return ink;
}

static double
cross_entropy_plain (const float *image, const float *d, int n)
{
  /* In a run with ink, every pixel's term is computed and the ink's kept,
     without a branch (which pixels are ink is not predictable); then the
     kept terms are added in order. */
  double ink = 0.0;
  double t[BLANK_RUN];
  int p0 = 0;
  for (; p0 + BLANK_RUN <= n; p0 += BLANK_RUN)
    {
      if (somaif_blank16 (image + p0))
        continue;
      int m = 0;
      for (int p = p0; p < p0 + BLANK_RUN; p++)
        {
          t[m] = (1.0 - (double) image[p]) * (double) d[p];
          m += image[p] != 1.0f;
        }
      for (int j = 0; j < m; j++)
        ink += t[j];
    }
  return ink_rest (image, d, p0, n, ink);
}

#ifdef FE_X86
/* The same on AVX-512: a run's 16 terms in two vectors of doubles, the
 * ink's packed to the front (compress) and added in order. */
__attribute__ ((target ("avx512f"))) static double
cross_entropy_avx512 (const float *image, const float *d, int n)
{
  const __m512 one = _mm512_set1_ps (1.0f);
  const __m512d oned = _mm512_set1_pd (1.0);
  double ink = 0.0;
  double t[BLANK_RUN + 8];
  int p0 = 0;
  for (; p0 + BLANK_RUN <= n; p0 += BLANK_RUN)
    {
      __m512 x = _mm512_loadu_ps (image + p0);
      /* unordered: a NaN is ink, as x != 1 says */
      __mmask16 k = _mm512_cmp_ps_mask (x, one, _CMP_NEQ_UQ);
      if (k == 0)
        continue;
      __m512 dv = _mm512_loadu_ps (d + p0);
      __m512d xl = _mm512_cvtps_pd (_mm512_castps512_ps256 (x));
      __m512d xh = _mm512_cvtps_pd (
        _mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (x), 1)));
      __m512d dl = _mm512_cvtps_pd (_mm512_castps512_ps256 (dv));
      __m512d dh = _mm512_cvtps_pd (
        _mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (dv), 1)));
      __mmask8 kl = (__mmask8) (k & 0xff), kh = (__mmask8) (k >> 8);
      __m512d tl = _mm512_mul_pd (_mm512_sub_pd (oned, xl), dl);
      __m512d th = _mm512_mul_pd (_mm512_sub_pd (oned, xh), dh);
      int ml = __builtin_popcount (kl), m = ml + __builtin_popcount (kh);
      /* compress in registers, then whole stores (t has room for them): the
         compressing store is slow on some CPUs */
      _mm512_storeu_pd (t, _mm512_maskz_compress_pd (kl, tl));
      _mm512_storeu_pd (t + ml, _mm512_maskz_compress_pd (kh, th));
      for (int i = 0; i < m; i++)
        ink += t[i];
    }
  return ink_rest (image, d, p0, n, ink);
}
#endif

double
somaif_cross_entropy_with (SomaifSimd simd, const float *image, const float *d,
                           double sum_log_t, int n)
{
  /* A drawing is mostly blank paper (exactly 1): runs of it are skipped by a
     vector test; the ink is summed in pixel order, so the sum is the same as
     a plain loop's, on every vector unit. */
#ifdef FE_X86
  if (simd == SOMAIF_SIMD_AVX512)
    return cross_entropy_avx512 (image, d, n) - sum_log_t;
#endif
  return cross_entropy_plain (image, d, n) - sum_log_t;
}

double
somaif_cross_entropy (const float *image, const float *d, double sum_log_t, int n)
{
  return somaif_cross_entropy_with (somaif_simd (), image, d, sum_log_t, n);
}

double
somaif_log_partition (const double *distances, int n, double beta)
{
  /* Shift by the smallest distance: exp(-beta d) underflows for a far unit. */
  double dmin = INFINITY;
  for (int u = 0; u < n; u++)
    dmin = fmin (dmin, distances[u]);
  double z = 0.0;
  for (int u = 0; u < n; u++)
    z += exp (-beta * (distances[u] - dmin));
  return log (z) - beta * dmin;
}

double
somaif_complexity (double beta, double distance, double log_z)
{
  return beta * distance + log_z;
}
