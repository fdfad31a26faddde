/* esn-core.c: the seed's echo-state network, fast.
 *
 * The run is a units x units matrix-vector product per row and step; the
 * seed's experiment does 2e7 of them, so the kernel is written for the vector
 * unit, in three clones chosen at run time (somaif_simd()): AVX-512, AVX2
 * and plain C.
 *   - W_r is stored transposed, its output units padded to whole groups of
 *     the clone's lanes (zeros), in panels of a few groups: the inner loop
 *     broadcasts one tanh(h_k) and multiply-adds it with contiguous weights,
 *     the accumulators of ROWS rows x a panel held in registers (24 of the 32
 *     AVX-512 registers, 12 of the 16 AVX2 ones);
 *   - ROWS batch rows share each weight load (a shorter last block has
 *     kernels of its own); a row's arithmetic never depends on the batch
 *     size or its position;
 *   - tanh is a rational function evaluated on whole vectors; the units of
 *     the last, partly padded group of several rows share one vector (the
 *     seed's 100 units: 6 vectors and a quarter a row, not 7).
 *
 * Every clone does the same arithmetic in the same order, so every clone
 * gives the same bytes (the tests force each in turn):
 *   th_k  = tanh(h_k), below
 *   acc_i = fma(w_ik, th_k, acc_i) for k = 0, 1, ... units-1, from acc_i = 0
 *   h_i   = fma(leak, h_i, gain * (acc_i + b_i))
 *   out_o = (((s_0 + s_4) + (s_2 + s_6)) + ((s_1 + s_5) + (s_3 + s_7))) + b_o,
 *           s_l = fma(th_j, wo_oj, s_l) over j = l, l + 8, l + 16, ...
 * Fused multiply-adds round once on every CPU: the plain clone calls fmaf()
 * where the CPU fuses, and otherwise computes it exactly in double (see
 * fma_exact).  The file is compiled with -ffp-contract=off, so no other
 * product and sum is fused behind our back.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "esn-core.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ESN_X86 1
#include <immintrin.h>
#define ESN_AVX2 __attribute__ ((target ("avx2,fma")))
#define ESN_AVX512 __attribute__ ((target ("avx512f,avx2,fma")))
#endif

#define ROWS SOMAIF_ESN_BLOCK_ROWS
#define ESN_INLINE static inline __attribute__ ((always_inline))

struct SomaifEsnModel
{
  int units, outputs;
  SomaifSimd simd; /* the clone that runs */
  int col;         /* the layout's group of output units: the clone's lanes */
  int panel;       /* groups a panel holds */
  int ng;          /* groups of col units: ng * col >= units */
  int nr;          /* groups of 8 units of the readout: nr * 8 >= units */
  double tau;
  SomaifEsnReadout readout;
  float leak;      /* 1 - 1/tau, rounded to float as torch rounds a Python scalar */
  float gain;      /* 1/tau */
  float *wt;       /* W_r^T in panels: the panel of groups [g, g+p) starts at
                      wt + g*col*units and holds units rows of p*col */
  float *br;       /* ng*col, zero padded */
  float *wo;       /* outputs x ng*col, zero padded */
  float *bo;       /* outputs */
  void *block;     /* the one allocation the arrays above live in */
};

/* tanh(x) = x P(x^2) / Q(x^2) on [-9, 9], +-1 beyond (tanh(9) rounds to 1 in
 * float).  Coefficients fitted here (Lawson's iteration on the relative
 * error, degrees 4/4 in x^2): relative error 2e-8 before float rounding. */
#define TANH_CLAMP 9.0f
#define TP0 0.99999997965231917967f
#define TP1 0.13380962666006851139f
#define TP2 0.0034955090179044051173f
#define TP3 0.000020607612852835044714f
#define TP4 1.335233789347586079e-8f
#define TQ1 0.46714278374940915602f
#define TQ2 0.02587669244858658058f
#define TQ3 0.00032854980715017830943f
#define TQ4 7.7756663341192707857e-7f

/* ------------------------------------------------------------------ */
/* The plain clone                                                     */

/* a * b + c rounded once, as the vector units' FMA does.  Where the CPU has
 * no FMA instruction: the product of two floats is exact in double, so the
 * double sum s is the exact result rounded once; rounding s to float is then
 * right unless s fell on a midpoint between two floats, where the error of
 * the double sum (Knuth's TwoSum) says which way the exact result lies. */
ESN_INLINE float
fma_exact (float a, float b, float c)
{
#ifdef FP_FAST_FMAF
  return fmaf (a, b, c);
#else
  double p = (double) a * (double) b, s = p + (double) c;
  double bb = s - p, err = (p - (s - bb)) + ((double) c - bb);
  guint64 u;
  memcpy (&u, &s, sizeof u);
  if (G_UNLIKELY ((u & 0x1fffffffu) == 0x10000000u) && err != 0.0)
    {
      /* a midpoint (or a subnormal float's rounding): the slow exact way */
      return fmaf (a, b, c);
    }
  if (G_UNLIKELY (fabs (s) < 0x1p-126 && s != 0.0))
    return fmaf (a, b, c);
  return (float) s;
#endif
}

float
somaif_esn_fma (float a, float b, float c)
{
  return fma_exact (a, b, c);
}

ESN_INLINE float
tanh_one (float x)
{
  /* NaN compares false and stays NaN */
  x = x > TANH_CLAMP ? TANH_CLAMP : x;
  x = x < -TANH_CLAMP ? -TANH_CLAMP : x;
  float y = x * x;
  float p = fma_exact (fma_exact (fma_exact (fma_exact (TP4, y, TP3), y, TP2), y, TP1), y, TP0);
  float q = fma_exact (fma_exact (fma_exact (fma_exact (TQ4, y, TQ3), y, TQ2), y, TQ1), y, 1.0f);
  float t = (x * p) / q;
  /* rounding overshoots 1 by an ulp or two near the clamp: keep |tanh| <= 1 */
  t = t > 1.0f ? 1.0f : t;
  return t < -1.0f ? -1.0f : t;
}

static void
tanh_plain (float *y, const float *x, int n)
{
  for (int i = 0; i < n; i++)
    y[i] = tanh_one (x[i]);
}

/* The readout's sum of th . w over units (padded to nr groups of 8). */
ESN_INLINE float
readout_sum (const float *th, const float *w, int nr)
{
  float s[8] = { 0 };
  for (int u = 0; u < nr; u++)
    for (int l = 0; l < 8; l++)
      s[l] = fma_exact (th[u * 8 + l], w[u * 8 + l], s[l]);
  return ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
}

/* One step's update of the units [col, col + width) of R rows. */
static void
update_plain (const SomaifEsnModel *m, const float *w, int width, int col, int R,
              const float *th, float *h, size_t stride)
{
  float acc[ROWS][64];
  for (int c0 = 0; c0 < width; c0 += 64)
    {
      const int cw = MIN (64, width - c0);
      for (int r = 0; r < R; r++)
        memset (acc[r], 0, sizeof acc[r]);
      for (int k = 0; k < m->units; k++)
        {
          const float *wk = w + (size_t) k * width + c0;
          for (int r = 0; r < R; r++)
            {
              const float s = th[r * stride + k];
              for (int l = 0; l < cw; l++)
                acc[r][l] = fma_exact (wk[l], s, acc[r][l]);
            }
        }
      for (int r = 0; r < R; r++)
        for (int l = 0; l < cw; l++)
          {
            float *hp = h + r * stride + col + c0 + l;
            *hp = fma_exact (m->leak, *hp, m->gain * (acc[r][l] + m->br[col + c0 + l]));
          }
    }
}

/* ------------------------------------------------------------------ */
/* The AVX2 clone                                                      */

#ifdef ESN_X86
ESN_AVX2 ESN_INLINE __m256
tanh_avx2 (__m256 x)
{
  const __m256 hi = _mm256_set1_ps (TANH_CLAMP), lo = _mm256_set1_ps (-TANH_CLAMP);
  const __m256 one = _mm256_set1_ps (1.0f), mone = _mm256_set1_ps (-1.0f);
  /* max(lo, x) returns x when x is NaN (the second operand) */
  x = _mm256_min_ps (hi, _mm256_max_ps (lo, x));
  __m256 y = _mm256_mul_ps (x, x);
  __m256 p = _mm256_fmadd_ps (_mm256_set1_ps (TP4), y, _mm256_set1_ps (TP3));
  p = _mm256_fmadd_ps (p, y, _mm256_set1_ps (TP2));
  p = _mm256_fmadd_ps (p, y, _mm256_set1_ps (TP1));
  p = _mm256_fmadd_ps (p, y, _mm256_set1_ps (TP0));
  __m256 q = _mm256_fmadd_ps (_mm256_set1_ps (TQ4), y, _mm256_set1_ps (TQ3));
  q = _mm256_fmadd_ps (q, y, _mm256_set1_ps (TQ2));
  q = _mm256_fmadd_ps (q, y, _mm256_set1_ps (TQ1));
  q = _mm256_fmadd_ps (q, y, one);
  __m256 t = _mm256_div_ps (_mm256_mul_ps (x, p), q);
  return _mm256_min_ps (one, _mm256_max_ps (mone, t));
}

ESN_AVX2 static void
tanh_array_avx2 (float *y, const float *x, int n)
{
  int i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps (y + i, tanh_avx2 (_mm256_loadu_ps (x + i)));
  if (i < n)
    {
      float in[8] = { 0 }, res[8];
      memcpy (in, x + i, (size_t) (n - i) * sizeof (float));
      _mm256_storeu_ps (res, tanh_avx2 (_mm256_loadu_ps (in)));
      memcpy (y + i, res, (size_t) (n - i) * sizeof (float));
    }
}

/* tanh of rows rows (stride floats apart) of n units in groups of 8: the
 * whole groups a row at a time, the last group's units of two rows in one
 * vector where there are at most 4 a row; the padding's tanh, 0, stays as
 * it is. */
ESN_AVX2 static void
tanh_rows_avx2 (float *th, const float *h, size_t stride, int rows, int n)
{
  const int full = n / 8 * 8;
  for (int r = 0; r < rows; r++)
    for (int i = 0; i < full; i += 8)
      _mm256_storeu_ps (th + r * stride + i, tanh_avx2 (_mm256_loadu_ps (h + r * stride + i)));
  if (full == n)
    return;
  if (n - full > 4)
    {
      for (int r = 0; r < rows; r++)
        _mm256_storeu_ps (th + r * stride + full,
                          tanh_avx2 (_mm256_loadu_ps (h + r * stride + full)));
      return;
    }
  for (int r = 0; r < rows; r += 2)
    {
      const float *h0 = h + r * stride + full;
      float *t0 = th + r * stride + full;
      __m128 b = r + 1 < rows ? _mm_loadu_ps (h0 + stride) : _mm_setzero_ps ();
      __m256 t = tanh_avx2 (_mm256_insertf128_ps (_mm256_castps128_ps256 (_mm_loadu_ps (h0)), b, 1));
      _mm_storeu_ps (t0, _mm256_castps256_ps128 (t));
      if (r + 1 < rows)
        _mm_storeu_ps (t0 + stride, _mm256_extractf128_ps (t, 1));
    }
}

ESN_AVX2 ESN_INLINE float
hsum_avx2 (__m256 s)
{
  float v[8];
  _mm256_storeu_ps (v, s);
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

/* The readout of R rows (a constant once inlined) at step t: two outputs
 * at a time, the rows' and outputs' sums interleaved (each sum in its own
 * order, as readout_sum's), so that the FMAs do not wait on each other. */
ESN_AVX2 ESN_INLINE void
readout_rows_avx2 (const SomaifEsnModel *m, const float *th, size_t stride, const int R,
                   float *const *out, int t)
{
  const int no = m->outputs;
  const size_t padded = (size_t) m->ng * m->col;
  for (int o0 = 0; o0 < no; o0 += 2)
    {
      const int two = o0 + 1 < no;
      const float *w0 = m->wo + (size_t) o0 * padded, *w1 = two ? w0 + padded : w0;
      __m256 acc[ROWS][2];
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        acc[r][0] = acc[r][1] = _mm256_setzero_ps ();
      for (int u = 0; u < m->nr; u++)
        {
          const __m256 a = _mm256_loadu_ps (w0 + u * 8), b = _mm256_loadu_ps (w1 + u * 8);
          SOMAIF_UNROLL (8)
          for (int r = 0; r < R; r++)
            {
              const __m256 x = _mm256_loadu_ps (th + r * stride + u * 8);
              acc[r][0] = _mm256_fmadd_ps (x, a, acc[r][0]);
              acc[r][1] = _mm256_fmadd_ps (x, b, acc[r][1]);
            }
        }
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        {
          out[r][(size_t) t * no + o0] = hsum_avx2 (acc[r][0]) + m->bo[o0];
          if (two)
            out[r][(size_t) t * no + o0 + 1] = hsum_avx2 (acc[r][1]) + m->bo[o0 + 1];
        }
    }
}

/* rows (m, th, stride, R, out, t) with R (1 to ROWS) a constant, so that
 * its loops over the rows unroll: each clone's readout of a block. */
#define READOUT_BY_ROWS(rows)                                                 \
  switch (R)                                                                  \
    {                                                                         \
    case 1: rows (m, th, stride, 1, out, t); break;                           \
    case 2: rows (m, th, stride, 2, out, t); break;                           \
    case 3: rows (m, th, stride, 3, out, t); break;                           \
    case 4: rows (m, th, stride, 4, out, t); break;                           \
    case 5: rows (m, th, stride, 5, out, t); break;                           \
    default: rows (m, th, stride, 6, out, t); break;                          \
    }

ESN_AVX2 static void
readout_block_avx2 (const SomaifEsnModel *m, const float *th, size_t stride, int R,
                    float *const *out, int t)
{
  READOUT_BY_ROWS (readout_rows_avx2);
}

/* nv (1 or 2) vectors of R (1 to ROWS) rows (constants once inlined), from the
 * weights w (wstride floats a k) of the units from col. */
ESN_AVX2 ESN_INLINE void
update_avx2 (const SomaifEsnModel *m, const float *w, int wstride, int col, const int R, const int nv,
            const float *th, float *h, size_t stride)
{
  /* unrolled, so that the accumulators live in registers */
  __m256 acc[ROWS][2];
  SOMAIF_UNROLL (8)
  for (int r = 0; r < R; r++)
    SOMAIF_UNROLL (4)
    for (int q = 0; q < nv; q++)
      acc[r][q] = _mm256_setzero_ps ();
  for (int k = 0; k < m->units; k++, w += wstride)
    {
      __m256 wk[2];
      SOMAIF_UNROLL (4)
      for (int q = 0; q < nv; q++)
        wk[q] = _mm256_loadu_ps (w + q * 8);
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        {
          const __m256 s = _mm256_broadcast_ss (th + r * stride + k);
          SOMAIF_UNROLL (4)
          for (int q = 0; q < nv; q++)
            acc[r][q] = _mm256_fmadd_ps (wk[q], s, acc[r][q]);
        }
    }
  const __m256 leak = _mm256_set1_ps (m->leak), gain = _mm256_set1_ps (m->gain);
  SOMAIF_UNROLL (4)
  for (int q = 0; q < nv; q++)
    {
      const __m256 b = _mm256_loadu_ps (m->br + col + q * 8);
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        {
          float *hp = h + r * stride + col + q * 8;
          __m256 v = _mm256_mul_ps (gain, _mm256_add_ps (acc[r][q], b));
          _mm256_storeu_ps (hp, _mm256_fmadd_ps (leak, _mm256_loadu_ps (hp), v));
        }
    }
}

/* The instance of update_avx2 for R rows and nv vectors. */
#define AVX2_CASE(R)                                                          \
  case R:                                                                     \
    if (nv == 2)                                                              \
      update_avx2 (m, w, width, c, R, 2, th, h, stride);                      \
    else                                                                      \
      update_avx2 (m, w, width, c, R, 1, th, h, stride);                      \
    break;

ESN_AVX2 static void
update_panel_avx2 (const SomaifEsnModel *m, const float *panel, int width, int col, int R,
                   const float *th, float *h, size_t stride)
{
  for (int off = 0; off < width; off += 16)
    {
      const float *w = panel + off;
      const int nv = width - off >= 16 ? 2 : 1, c = col + off;
      switch (R)
        {
          AVX2_CASE (1) AVX2_CASE (2) AVX2_CASE (3) AVX2_CASE (4) AVX2_CASE (5) AVX2_CASE (6)
        }
    }
}

/* ------------------------------------------------------------------ */
/* The AVX-512 clone                                                   */

ESN_AVX512 ESN_INLINE __m512
tanh_avx512 (__m512 x)
{
  const __m512 hi = _mm512_set1_ps (TANH_CLAMP), lo = _mm512_set1_ps (-TANH_CLAMP);
  const __m512 one = _mm512_set1_ps (1.0f), mone = _mm512_set1_ps (-1.0f);
  x = _mm512_min_ps (hi, _mm512_max_ps (lo, x));
  __m512 y = _mm512_mul_ps (x, x);
  __m512 p = _mm512_fmadd_ps (_mm512_set1_ps (TP4), y, _mm512_set1_ps (TP3));
  p = _mm512_fmadd_ps (p, y, _mm512_set1_ps (TP2));
  p = _mm512_fmadd_ps (p, y, _mm512_set1_ps (TP1));
  p = _mm512_fmadd_ps (p, y, _mm512_set1_ps (TP0));
  __m512 q = _mm512_fmadd_ps (_mm512_set1_ps (TQ4), y, _mm512_set1_ps (TQ3));
  q = _mm512_fmadd_ps (q, y, _mm512_set1_ps (TQ2));
  q = _mm512_fmadd_ps (q, y, _mm512_set1_ps (TQ1));
  q = _mm512_fmadd_ps (q, y, one);
  __m512 t = _mm512_div_ps (_mm512_mul_ps (x, p), q);
  return _mm512_min_ps (one, _mm512_max_ps (mone, t));
}

ESN_AVX512 static void
tanh_array_avx512 (float *y, const float *x, int n)
{
  int i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps (y + i, tanh_avx512 (_mm512_loadu_ps (x + i)));
  if (i < n)
    {
      float in[16] = { 0 }, res[16];
      memcpy (in, x + i, (size_t) (n - i) * sizeof (float));
      _mm512_storeu_ps (res, tanh_avx512 (_mm512_loadu_ps (in)));
      memcpy (y + i, res, (size_t) (n - i) * sizeof (float));
    }
}

/* tanh of rows rows (stride floats apart) of n units in groups of 16: the
 * whole groups a row at a time, the last group's units of four rows in one
 * vector (at most 4 units a row) or of two (at most 8); the padding's
 * tanh, 0, stays as it is. */
ESN_AVX512 static void
tanh_rows_avx512 (float *th, const float *h, size_t stride, int rows, int n)
{
  const int full = n / 16 * 16, tail = n - full;
  for (int r = 0; r < rows; r++)
    for (int i = 0; i < full; i += 16)
      _mm512_storeu_ps (th + r * stride + i, tanh_avx512 (_mm512_loadu_ps (h + r * stride + i)));
  if (tail == 0)
    return;
  if (tail > 8)
    {
      for (int r = 0; r < rows; r++)
        _mm512_storeu_ps (th + r * stride + full,
                          tanh_avx512 (_mm512_loadu_ps (h + r * stride + full)));
      return;
    }
  if (tail > 4)
    {
      for (int r = 0; r < rows; r += 2)
        {
          const float *h0 = h + r * stride + full;
          float *t0 = th + r * stride + full;
          __m256d b = r + 1 < rows ? _mm256_castps_pd (_mm256_loadu_ps (h0 + stride))
                                   : _mm256_setzero_pd ();
          __m512 v = _mm512_castpd_ps (
            _mm512_insertf64x4 (_mm512_castps_pd (_mm512_castps256_ps512 (_mm256_loadu_ps (h0))),
                                b, 1));
          __m512 t = tanh_avx512 (v);
          _mm256_storeu_ps (t0, _mm512_castps512_ps256 (t));
          if (r + 1 < rows)
            _mm256_storeu_ps (t0 + stride,
                              _mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (t), 1)));
        }
      return;
    }
  for (int r = 0; r < rows; r += 4)
    {
      const float *h0 = h + r * stride + full;
      float *t0 = th + r * stride + full;
      const int k = MIN (4, rows - r);
      __m128 b = k > 1 ? _mm_loadu_ps (h0 + stride) : _mm_setzero_ps ();
      __m128 c = k > 2 ? _mm_loadu_ps (h0 + 2 * stride) : _mm_setzero_ps ();
      __m128 d = k > 3 ? _mm_loadu_ps (h0 + 3 * stride) : _mm_setzero_ps ();
      __m512 v = _mm512_castps128_ps512 (_mm_loadu_ps (h0));
      v = _mm512_insertf32x4 (_mm512_insertf32x4 (_mm512_insertf32x4 (v, b, 1), c, 2), d, 3);
      __m512 t = tanh_avx512 (v);
      _mm_storeu_ps (t0, _mm512_castps512_ps128 (t));
      if (k > 1)
        _mm_storeu_ps (t0 + stride, _mm512_extractf32x4_ps (t, 1));
      if (k > 2)
        _mm_storeu_ps (t0 + 2 * stride, _mm512_extractf32x4_ps (t, 2));
      if (k > 3)
        _mm_storeu_ps (t0 + 3 * stride, _mm512_extractf32x4_ps (t, 3));
    }
}

/* nv (1 to 4) vectors of 16 units of R (1 to ROWS) rows, constants once
 * inlined: up to 6 x 4 accumulators, 4 weights and a broadcast in registers. */
ESN_AVX512 ESN_INLINE void
update_avx512 (const SomaifEsnModel *m, const float *w, int wstride, int col, const int R, const int nv,
              const float *th, float *h, size_t stride)
{
  /* unrolled, so that the accumulators live in registers */
  __m512 acc[ROWS][4];
  SOMAIF_UNROLL (8)
  for (int r = 0; r < R; r++)
    SOMAIF_UNROLL (4)
    for (int q = 0; q < nv; q++)
      acc[r][q] = _mm512_setzero_ps ();
  for (int k = 0; k < m->units; k++, w += wstride)
    {
      __m512 wk[4];
      SOMAIF_UNROLL (4)
      for (int q = 0; q < nv; q++)
        wk[q] = _mm512_loadu_ps (w + q * 16);
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        {
          const __m512 s = _mm512_set1_ps (th[r * stride + k]);
          SOMAIF_UNROLL (4)
          for (int q = 0; q < nv; q++)
            acc[r][q] = _mm512_fmadd_ps (wk[q], s, acc[r][q]);
        }
    }
  const __m512 leak = _mm512_set1_ps (m->leak), gain = _mm512_set1_ps (m->gain);
  SOMAIF_UNROLL (4)
  for (int q = 0; q < nv; q++)
    {
      const __m512 b = _mm512_loadu_ps (m->br + col + q * 16);
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        {
          float *hp = h + r * stride + col + q * 16;
          __m512 v = _mm512_mul_ps (gain, _mm512_add_ps (acc[r][q], b));
          _mm512_storeu_ps (hp, _mm512_fmadd_ps (leak, _mm512_loadu_ps (hp), v));
        }
    }
}

/* The readout of R rows at step t, as readout_rows_avx2's (each lane the
 * same FMAs, each sum the same tree), two outputs in one vector: lanes 0-7
 * the first's partial sums, lanes 8-15 the second's. */
ESN_AVX512 ESN_INLINE void
readout_rows_avx512 (const SomaifEsnModel *m, const float *th, size_t stride, const int R,
                     float *const *out, int t)
{
  const int no = m->outputs;
  const size_t padded = (size_t) m->ng * m->col;
  for (int o0 = 0; o0 < no; o0 += 2)
    {
      const int two = o0 + 1 < no;
      const float *w0 = m->wo + (size_t) o0 * padded, *w1 = two ? w0 + padded : w0;
      __m512 acc[ROWS];
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        acc[r] = _mm512_setzero_ps ();
      for (int u = 0; u < m->nr; u++)
        {
          const __m512 w = _mm512_castpd_ps (_mm512_insertf64x4 (
            _mm512_castps_pd (_mm512_castps256_ps512 (_mm256_loadu_ps (w0 + u * 8))),
            _mm256_castps_pd (_mm256_loadu_ps (w1 + u * 8)), 1));
          SOMAIF_UNROLL (8)
          for (int r = 0; r < R; r++)
            {
              const __m512 x = _mm512_castpd_ps (_mm512_broadcast_f64x4 (
                _mm256_castps_pd (_mm256_loadu_ps (th + r * stride + u * 8))));
              acc[r] = _mm512_fmadd_ps (x, w, acc[r]);
            }
        }
      SOMAIF_UNROLL (8)
      for (int r = 0; r < R; r++)
        {
          /* s_l + s_(l+4), then + the pair two lanes on, then the two */
          __m512 v = _mm512_add_ps (acc[r], _mm512_shuffle_f32x4 (acc[r], acc[r],
                                                                   _MM_SHUFFLE (2, 3, 0, 1)));
          v = _mm512_add_ps (v, _mm512_permute_ps (v, _MM_SHUFFLE (1, 0, 3, 2)));
          v = _mm512_add_ps (v, _mm512_permute_ps (v, _MM_SHUFFLE (2, 3, 0, 1)));
          out[r][(size_t) t * no + o0] = _mm512_cvtss_f32 (v) + m->bo[o0];
          if (two)
            out[r][(size_t) t * no + o0 + 1]
              = _mm_cvtss_f32 (_mm512_extractf32x4_ps (v, 2)) + m->bo[o0 + 1];
        }
    }
}

ESN_AVX512 static void
readout_block_avx512 (const SomaifEsnModel *m, const float *th, size_t stride, int R,
                      float *const *out, int t)
{
  READOUT_BY_ROWS (readout_rows_avx512);
}

/* The instance of update_avx512 for R rows and nv vectors. */
#define AVX512_NV(R, NV) update_avx512 (m, panel, width, col, R, NV, th, h, stride)
#define AVX512_CASE(R)                                                        \
  case R:                                                                     \
    if (nv == 4)                                                              \
      AVX512_NV (R, 4);                                                       \
    else if (nv == 3)                                                         \
      AVX512_NV (R, 3);                                                       \
    else if (nv == 2)                                                         \
      AVX512_NV (R, 2);                                                       \
    else                                                                      \
      AVX512_NV (R, 1);                                                       \
    break;

ESN_AVX512 static void
update_panel_avx512 (const SomaifEsnModel *m, const float *panel, int width, int col, int R,
                     const float *th, float *h, size_t stride)
{
  const int nv = width / 16;
  switch (R)
    {
      AVX512_CASE (1) AVX512_CASE (2) AVX512_CASE (3) AVX512_CASE (4) AVX512_CASE (5)
      AVX512_CASE (6)
    }
}
#endif /* ESN_X86 */

/* ------------------------------------------------------------------ */
/* The clones behind one interface                                     */

static void
tanh_array (const SomaifEsnModel *m, float *y, const float *x, int n)
{
#ifdef ESN_X86
  if (m->simd == SOMAIF_SIMD_AVX512)
    {
      tanh_array_avx512 (y, x, n);
      return;
    }
  if (m->simd == SOMAIF_SIMD_AVX2)
    {
      tanh_array_avx2 (y, x, n);
      return;
    }
#endif
  tanh_plain (y, x, n);
}

/* tanh of the units of rows rows (stride floats apart), their padding
 * left as it is: 0, the tanh of the padding's 0, from the start. */
static void
tanh_rows (const SomaifEsnModel *m, float *th, const float *h, size_t stride, int rows)
{
#ifdef ESN_X86
  if (m->simd == SOMAIF_SIMD_AVX512)
    {
      tanh_rows_avx512 (th, h, stride, rows, m->units);
      return;
    }
  if (m->simd == SOMAIF_SIMD_AVX2)
    {
      tanh_rows_avx2 (th, h, stride, rows, m->units);
      return;
    }
#endif
  for (int r = 0; r < rows; r++)
    tanh_array (m, th + r * stride, h + r * stride, m->units);
}

static void
update_panel (const SomaifEsnModel *m, const float *panel, int width, int col, int R,
              const float *th, float *h, size_t stride)
{
#ifdef ESN_X86
  if (m->simd == SOMAIF_SIMD_AVX512)
    {
      update_panel_avx512 (m, panel, width, col, R, th, h, stride);
      return;
    }
  if (m->simd == SOMAIF_SIMD_AVX2)
    {
      update_panel_avx2 (m, panel, width, col, R, th, h, stride);
      return;
    }
#endif
  update_plain (m, panel, width, col, R, th, h, stride);
}

/* The readout of R rows at step t (rows stride floats apart). */
static void
readout_block (const SomaifEsnModel *m, const float *th, size_t stride, int R,
               float *const *out, int t)
{
#ifdef ESN_X86
  if (m->simd == SOMAIF_SIMD_AVX512)
    {
      readout_block_avx512 (m, th, stride, R, out, t);
      return;
    }
  if (m->simd == SOMAIF_SIMD_AVX2)
    {
      readout_block_avx2 (m, th, stride, R, out, t);
      return;
    }
#endif
  const size_t padded = (size_t) m->ng * m->col;
  for (int r = 0; r < R; r++)
    for (int o = 0; o < m->outputs; o++)
      out[r][(size_t) t * m->outputs + o]
        = readout_sum (th + r * stride, m->wo + (size_t) o * padded, m->nr) + m->bo[o];
}
void
somaif_esn_tanh_array (const float *x, float *y, int n)
{
  SomaifEsnModel m = { .simd = somaif_simd () };
  tanh_array (&m, y, x, n);
}

/* Runs rows rows for steps steps, in blocks of ROWS rows (the last one
 * shorter).  The blocks take turns on each weight panel while it is in the
 * L1 cache; neither that order nor a row's block changes its arithmetic. */
static void
run_group (const SomaifEsnModel *m, int rows, const float *const *states, int steps,
           float *const *out)
{
  const int n = m->units, col = m->col;
  const size_t padded = (size_t) m->ng * col;
  /* a cache line more than the row, so that the rows' k-th values do not
     share an L1 set */
  const size_t stride = padded + 16;
  float scratch[2 * rows * stride + 16];
  float *h = (float *) (((guintptr) scratch + 63) & ~(guintptr) 63);
  float *th = h + rows * stride;

  for (int r = 0; r < rows; r++)
    {
      float *hr = h + r * stride, *tr = th + r * stride;
      memset (hr, 0, padded * sizeof (float));
      memcpy (hr, states[r], (size_t) n * sizeof (float));
      tanh_array (m, tr, hr, (int) padded);
    }

  for (int t = 0; t < steps; t++)
    {
      for (int g = 0; g < m->ng; g += m->panel)
        {
          const int width = MIN (m->panel, m->ng - g) * col;
          const float *panel = m->wt + (size_t) g * col * n;
          for (int b = 0; b < rows; b += ROWS)
            update_panel (m, panel, width, g * col, MIN (ROWS, rows - b), th + b * stride,
                          h + b * stride, stride);
        }
      tanh_rows (m, th, h, stride, rows);
      for (int b = 0; b < rows; b += ROWS)
        readout_block (m, th + b * stride, stride, MIN (ROWS, rows - b), out + b, t);
    }
}

/* At most this many blocks take turns on the weight panels, within a stack
 * budget for their scratch (2 x rows x units floats). */
#define GROUP_BLOCKS 4
#define GROUP_STACK_BYTES (96 * 1024)

void
somaif_esn_run (const SomaifEsnModel *m, int batch, const float *states, int steps, float *out)
{
  const size_t n = (size_t) m->units, row_out = (size_t) steps * (size_t) m->outputs;
  const size_t block_bytes = 2 * ROWS * ((size_t) m->ng * m->col + 16) * sizeof (float);
  int group = (int) MIN ((size_t) GROUP_BLOCKS, GROUP_STACK_BYTES / block_bytes);
  group = MAX (group, 1);
  const float *in[GROUP_BLOCKS * ROWS];
  float *res[GROUP_BLOCKS * ROWS];
  for (int b0 = 0; b0 < batch; b0 += group * ROWS)
    {
      int rows = MIN (group * ROWS, batch - b0);
      for (int r = 0; r < rows; r++)
        {
          in[r] = states + (size_t) (b0 + r) * n;
          res[r] = out + (size_t) (b0 + r) * row_out;
        }
      run_group (m, rows, in, steps, res);
    }
  /* elementwise, so each row's result still ignores the batch */
  if (m->readout == SOMAIF_ESN_READOUT_TANH)
    for (int b = 0; b < batch; b++)
      {
        float *row = out + (size_t) b * row_out;
        tanh_array (m, row, row, (int) row_out);
      }
}

/* The panel holding group g: its first group and its width in groups. */
static void
panel_of (const SomaifEsnModel *m, int g, int *first, int *width)
{
  *first = g - g % m->panel;
  *width = MIN (m->panel, m->ng - *first);
}

/* The layout of the clone simd for the weights given in the seed's layout
 * (the model's old arrays are freed). */
static void
lay_out (SomaifEsnModel *m, SomaifSimd simd, const float *w_r, const float *b_r,
         const float *w_o, const float *b_o)
{
  const int units = m->units, outputs = m->outputs;
  m->simd = simd;
  m->col = simd == SOMAIF_SIMD_AVX512 ? 16 : 8;
  /* 4 x 16 (AVX-512) or 2 x 8 (AVX2) units a pass; the plain clone's
     compiler is given whole rows */
  m->ng = (units + m->col - 1) / m->col;
  m->panel = simd == SOMAIF_SIMD_AVX512 ? 4 : simd == SOMAIF_SIMD_AVX2 ? 2 : m->ng;
  m->nr = (units + 7) / 8;

  const size_t padded = (size_t) m->ng * m->col;
  const size_t n_wt = (size_t) units * padded, n_br = padded;
  const size_t n_wo = (size_t) outputs * padded, n_bo = (size_t) outputs;
  /* 64-byte aligned, each array starting on a whole group */
  g_free (m->block);
  m->block = g_malloc0 ((n_wt + n_br + n_wo + n_bo + 3 * 16) * sizeof (float) + 64);
  float *base = (float *) (((guintptr) m->block + 63) & ~(guintptr) 63);
  m->wt = base;
  m->br = m->wt + n_wt;
  m->wo = m->br + n_br;
  m->bo = m->wo + n_wo;

  for (int g = 0; g < m->ng; g++)
    {
      int first, width;
      panel_of (m, g, &first, &width);
      float *panel = m->wt + (size_t) first * m->col * units;
      for (int k = 0; k < units; k++)
        for (int l = 0; l < m->col; l++)
          {
            int i = g * m->col + l;
            panel[(size_t) k * width * m->col + (g - first) * m->col + l]
              = i < units ? w_r[(size_t) i * units + k] : 0.0f;
          }
    }
  memcpy (m->br, b_r, (size_t) units * sizeof (float));
  for (int o = 0; o < outputs; o++)
    memcpy (m->wo + (size_t) o * padded, w_o + (size_t) o * units,
            (size_t) units * sizeof (float));
  memcpy (m->bo, b_o, (size_t) outputs * sizeof (float));
}

SomaifEsnModel *
somaif_esn_model_new (int units, int outputs, double tau, const float *w_r, const float *b_r,
                      const float *w_o, const float *b_o, GError **error)
{
  if (units < 1 || units > SOMAIF_ESN_MAX_UNITS)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "units = %d is out of range: this build runs 1 to %d units", units,
                   SOMAIF_ESN_MAX_UNITS);
      return NULL;
    }
  if (outputs < 1 || outputs > SOMAIF_ESN_MAX_OUTPUTS)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "outputs = %d is out of range (1 to %d)", outputs, SOMAIF_ESN_MAX_OUTPUTS);
      return NULL;
    }
  if (!(tau >= 1.0) || !isfinite (tau))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "tau = %g: it must be a finite number >= 1", tau);
      return NULL;
    }

  SomaifEsnModel *m = g_new0 (SomaifEsnModel, 1);
  m->units = units;
  m->outputs = outputs;
  m->tau = tau;
  m->leak = (float) (1.0 - 1.0 / tau);
  m->gain = (float) (1.0 / tau);
  lay_out (m, somaif_simd (), w_r, b_r, w_o, b_o);
  return m;
}

gboolean
somaif_esn_model_set_simd (SomaifEsnModel *m, SomaifSimd simd)
{
  if (simd < SOMAIF_SIMD_BASELINE || simd > somaif_simd_best ())
    return FALSE;
  const size_t n = (size_t) m->units, no = (size_t) m->outputs;
  float *w = g_new (float, n * n + n + no * n + no);
  somaif_esn_model_get_weights (m, w, w + n * n, w + n * n + n, w + n * n + n + no * n);
  lay_out (m, simd, w, w + n * n, w + n * n + n, w + n * n + n + no * n);
  g_free (w);
  return TRUE;
}

SomaifSimd
somaif_esn_model_simd (const SomaifEsnModel *m)
{
  return m->simd;
}

void
somaif_esn_model_free (SomaifEsnModel *m)
{
  if (!m)
    return;
  g_free (m->block);
  g_free (m);
}

int
somaif_esn_model_units (const SomaifEsnModel *m)
{
  return m->units;
}

int
somaif_esn_model_outputs (const SomaifEsnModel *m)
{
  return m->outputs;
}

double
somaif_esn_model_tau (const SomaifEsnModel *m)
{
  return m->tau;
}

void
somaif_esn_model_set_readout (SomaifEsnModel *m, SomaifEsnReadout readout)
{
  m->readout = readout;
}

SomaifEsnReadout
somaif_esn_model_readout (const SomaifEsnModel *m)
{
  return m->readout;
}

void
somaif_esn_model_get_weights (const SomaifEsnModel *m, float *w_r, float *b_r, float *w_o,
                              float *b_o)
{
  const int units = m->units;
  const size_t padded = (size_t) m->ng * m->col;
  if (w_r)
    for (int g = 0; g < m->ng; g++)
      {
        int first, width;
        panel_of (m, g, &first, &width);
        const float *panel = m->wt + (size_t) first * m->col * units;
        for (int k = 0; k < units; k++)
          for (int l = 0; l < m->col && g * m->col + l < units; l++)
            w_r[(size_t) (g * m->col + l) * units + k]
              = panel[(size_t) k * width * m->col + (g - first) * m->col + l];
      }
  if (b_r)
    memcpy (b_r, m->br, (size_t) units * sizeof (float));
  if (w_o)
    for (int o = 0; o < m->outputs; o++)
      memcpy (w_o + (size_t) o * units, m->wo + (size_t) o * padded,
              (size_t) units * sizeof (float));
  if (b_o)
    memcpy (b_o, m->bo, (size_t) m->outputs * sizeof (float));
}

void
somaif_esn_draw_weights (SomaifRng *rng, int units, int outputs, double connectivity,
                         double sigma, float *w_r, float *b_r, float *w_o, float *b_o)
{
  const SomaifEsnDraw draw = { .connectivity = connectivity, .sigma = sigma, .biases = TRUE };
  somaif_esn_draw_weights_with (rng, units, outputs, &draw, w_r, b_r, w_o, b_o);
}

void
somaif_esn_draw_weights_with (SomaifRng *rng, int units, int outputs, const SomaifEsnDraw *draw,
                              float *w_r, float *b_r, float *w_o, float *b_o)
{
  const size_t nn = (size_t) units * units;
  /* the notebook rounds sigma to float before multiplying: kept for its bytes */
  float sigma = (float) draw->sigma;
  if (draw->network_scaled)
    sigma = draw->connectivity > 0.0
              ? (float) (draw->sigma / sqrt (draw->connectivity * units)) : 0.0f;
  /* the seed's order: w_o, b_o, w_r, its connection mask, b_r */
  for (size_t i = 0; i < (size_t) outputs * units; i++)
    w_o[i] = draw->readout_unit ? (float) somaif_rng_normal (rng)
                                : (float) somaif_rng_normal (rng) / (float) units;
  for (int o = 0; o < outputs; o++)
    b_o[o] = (float) somaif_rng_normal (rng) / 10.0f;
  for (size_t i = 0; i < nn; i++)
    w_r[i] = (float) somaif_rng_normal (rng) * sigma;
  for (size_t i = 0; i < nn; i++)
    if (!(somaif_rng_uniform (rng) < draw->connectivity))
      w_r[i] = 0.0f;
  for (int i = 0; i < units; i++)
    b_r[i] = (float) somaif_rng_normal (rng) / 10.0f;
  if (!draw->biases)
    {
      memset (b_o, 0, (size_t) outputs * sizeof (float));
      memset (b_r, 0, (size_t) units * sizeof (float));
    }
}
