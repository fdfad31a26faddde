/* esn-core.c: the seed's echo-state network, fast.
 *
 * The run is a units x units matrix-vector product per row and step; the
 * seed's experiment does 2e7 of them, so the kernel is written for the vector
 * unit:
 *   - W_r is stored transposed, its output units padded to whole groups of 8
 *     (zeros), in panels of PANEL groups: the inner loop broadcasts one
 *     tanh(h_k) and multiply-adds it with contiguous weights;
 *   - ROWS batch rows share each weight load; a short block is filled with
 *     dummy rows (zeros) and computed by the same code, so a row's arithmetic
 *     never depends on the batch size or its position;
 *   - tanh is a rational function evaluated on whole vectors;
 *   - the kernel is cloned for AVX2+FMA and plain x86-64 (target_clones),
 *     the clone picked once a process from the CPU.  The AVX2 clone works on
 *     8-lane vectors, the others on 4-lane ones (SSE2, NEON): GCC keeps an
 *     8-lane vector that the target lacks in memory, which is slower than
 *     scalar code.
 *
 * This file includes itself twice (ESN_LANES 8, then 4) to instantiate the
 * kernels for both vector widths from one text; the first pass holds
 * everything else.
 */
#ifndef ESN_LANES /* ---------------------------------------------- first pass */

#include "config.h"

#include <math.h>
#include <string.h>

#include "esn-core.h"
#include "../common/simd.h"

#if !defined(__GNUC__)
#error "esn-core.c uses the vector extensions of GCC and Clang"
#endif

#define COL 8   /* the layout's group of output units (one AVX vector) */
#define PANEL 2 /* groups a kernel pass accumulates per row */
#define ROWS SOMAIF_ESN_BLOCK_ROWS

/* AVX2 and FMA where the CPU has them, chosen at load time; plain C otherwise. */
#define ESN_KERNEL SOMAIF_SIMD_FMA
#define ESN_CPU_WIDE() SOMAIF_SIMD_FMA_CPU ()

#define ESN_INLINE static inline __attribute__ ((always_inline))
#define ESN_PASTE_(a, b) a##b
#define ESN_PASTE(a, b) ESN_PASTE_ (a, b)

struct SomaifEsnModel
{
  int units, outputs;
  int ng;          /* groups of COL units: ng * COL >= units */
  gboolean wide;   /* run the 8-lane kernel (the CPU has AVX2 and FMA) */
  double tau;
  SomaifEsnReadout readout;
  float leak;      /* 1 - 1/tau, rounded to float as torch rounds a Python scalar */
  float gain;      /* 1/tau */
  float *wt;       /* W_r^T in panels: the panel of groups [g, g+p) starts at
                      wt + g*COL*units and holds units rows of p*COL */
  float *br;       /* ng*COL, zero padded */
  float *wo;       /* outputs x ng*COL, zero padded */
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

/* Vector loads and stores are macros (VF: the pass's vector type): a
 * function taking or returning a 32-byte vector by value has no portable ABI
 * in the plain x86-64 clone (GCC notes it, Clang refuses it). */
#define VLOAD(p)                                                              \
  ({                                                                          \
    VF vload_value_;                                                          \
    memcpy (&vload_value_, (p), sizeof vload_value_);                         \
    vload_value_;                                                             \
  })

#define VSTORE(p, v)                                                          \
  do                                                                          \
    {                                                                         \
      const VF vstore_value_ = (v);                                           \
      memcpy ((p), &vstore_value_, sizeof vstore_value_);                     \
    }                                                                         \
  while (0)

#define ESN_LANES 8
#include "esn-core.c"
#undef ESN_LANES
#define ESN_LANES 4
#include "esn-core.c"
#undef ESN_LANES

/* Runs blocks x ROWS rows (see run_group_8).  Cloned: the 8-lane kernel is
 * compiled for AVX2+FMA, the 4-lane one for the baseline. */
ESN_KERNEL static void
run_group (const SomaifEsnModel *m, int blocks, const float *const *states, int steps,
           float *const *out)
{
  if (m->wide)
    run_group_8 (m, blocks, states, steps, out);
  else
    run_group_4 (m, blocks, states, steps, out);
}

ESN_KERNEL static void
tanh_array (gboolean wide, const float *x, float *y, int n)
{
  int i = 0;
  if (wide)
    for (; i + 8 <= n; i += 8)
      tanh_8 (y + i, x + i);
  for (; i + 4 <= n; i += 4)
    tanh_4 (y + i, x + i);
  if (i < n)
    {
      float in[4] = { 0 }, res[4];
      memcpy (in, x + i, (size_t) (n - i) * sizeof (float));
      tanh_4 (res, in);
      memcpy (y + i, res, (size_t) (n - i) * sizeof (float));
    }
}

void
somaif_esn_tanh_array (const float *x, float *y, int n)
{
  tanh_array (ESN_CPU_WIDE () != 0, x, y, n);
}

/* At most this many blocks take turns on the weight panels, within a stack
 * budget for their scratch (2 x rows x units floats). */
#define GROUP_BLOCKS 4
#define GROUP_STACK_BYTES (96 * 1024)

void
somaif_esn_run (const SomaifEsnModel *m, int batch, const float *states, int steps, float *out)
{
  const size_t n = (size_t) m->units, row_out = (size_t) steps * (size_t) m->outputs;
  const size_t block_bytes = 2 * ROWS * ((size_t) m->ng * COL + 16) * sizeof (float);
  int group = (int) MIN ((size_t) GROUP_BLOCKS, GROUP_STACK_BYTES / block_bytes);
  group = MAX (group, 1);
  const float *in[GROUP_BLOCKS * ROWS];
  float *res[GROUP_BLOCKS * ROWS];
  for (int b0 = 0; b0 < batch; b0 += group * ROWS)
    {
      int blocks = MIN (group, (batch - b0 + ROWS - 1) / ROWS);
      for (int r = 0; r < blocks * ROWS; r++)
        {
          gboolean real = b0 + r < batch;
          in[r] = real ? states + (size_t) (b0 + r) * n : NULL;
          res[r] = real ? out + (size_t) (b0 + r) * row_out : NULL;
        }
      run_group (m, blocks, in, steps, res);
    }
  /* elementwise, so each row's result still ignores the batch */
  if (m->readout == SOMAIF_ESN_READOUT_TANH)
    for (int b = 0; b < batch; b++)
      {
        float *row = out + (size_t) b * row_out;
        tanh_array (m->wide, row, row, (int) row_out);
      }
}

/* The panel holding group g: its first group and its width in groups. */
static void
panel_of (const SomaifEsnModel *m, int g, int *first, int *width)
{
  *first = g - g % PANEL;
  *width = PANEL;
  if (*first + PANEL > m->ng)
    *first = g, *width = 1;
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
  m->ng = (units + COL - 1) / COL;
  m->wide = ESN_CPU_WIDE () != 0;
  m->tau = tau;
  m->leak = (float) (1.0 - 1.0 / tau);
  m->gain = (float) (1.0 / tau);

  const size_t padded = (size_t) m->ng * COL;
  const size_t n_wt = (size_t) units * padded, n_br = padded;
  const size_t n_wo = (size_t) outputs * padded, n_bo = (size_t) outputs;
  /* 32-byte aligned, each array starting on a whole group */
  m->block = g_malloc0 ((n_wt + n_br + n_wo + n_bo + 3 * COL) * sizeof (float) + 32);
  float *base = (float *) (((guintptr) m->block + 31) & ~(guintptr) 31);
  m->wt = base;
  m->br = m->wt + n_wt;
  m->wo = m->br + n_br;
  m->bo = m->wo + n_wo;

  for (int g = 0; g < m->ng; g++)
    {
      int first, width;
      panel_of (m, g, &first, &width);
      float *panel = m->wt + (size_t) first * COL * units;
      for (int k = 0; k < units; k++)
        for (int l = 0; l < COL; l++)
          {
            int i = g * COL + l;
            panel[(size_t) k * width * COL + (g - first) * COL + l]
              = i < units ? w_r[(size_t) i * units + k] : 0.0f;
          }
    }
  memcpy (m->br, b_r, (size_t) units * sizeof (float));
  for (int o = 0; o < outputs; o++)
    memcpy (m->wo + (size_t) o * padded, w_o + (size_t) o * units,
            (size_t) units * sizeof (float));
  memcpy (m->bo, b_o, (size_t) outputs * sizeof (float));
  return m;
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
  const size_t padded = (size_t) m->ng * COL;
  if (w_r)
    for (int g = 0; g < m->ng; g++)
      {
        int first, width;
        panel_of (m, g, &first, &width);
        const float *panel = m->wt + (size_t) first * COL * units;
        for (int k = 0; k < units; k++)
          for (int l = 0; l < COL && g * COL + l < units; l++)
            w_r[(size_t) (g * COL + l) * units + k]
              = panel[(size_t) k * width * COL + (g - first) * COL + l];
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

#else /* ------------------------------------- kernel pass: ESN_LANES lanes */

/* This pass's names: VF vf8, tanh_8 ... for ESN_LANES 8. */
#define W ESN_LANES
#define VF ESN_PASTE (vf, ESN_LANES)
#define VI ESN_PASTE (vi, ESN_LANES)
#define K(name) ESN_PASTE (name, ESN_PASTE (_, ESN_LANES))

typedef float VF __attribute__ ((vector_size (W * sizeof (float))));
typedef gint32 VI __attribute__ ((vector_size (W * sizeof (gint32))));

ESN_INLINE void
K (tanh) (float *out, const float *in)
{
  /* (VF) {} + c: a broadcast constant of any width */
  const VF hi = (VF) {} + TANH_CLAMP, lo = (VF) {} - TANH_CLAMP, one = (VF) {} + 1.0f;
  VF x = VLOAD (in);
  /* clamp with bit masks (C has no vector ?:); NaN compares false, stays NaN */
  VI mask = x > hi;
  x = (VF) ((mask & (VI) hi) | (~mask & (VI) x));
  mask = x < lo;
  x = (VF) ((mask & (VI) lo) | (~mask & (VI) x));
  VF y = x * x;
  VF p = (((TP4 * y + TP3) * y + TP2) * y + TP1) * y + TP0;
  VF q = (((TQ4 * y + TQ3) * y + TQ2) * y + TQ1) * y + 1.0f;
  VF t = x * p / q;
  /* rounding overshoots 1 by an ulp or two near the clamp: keep |tanh| <= 1 */
  mask = t > one;
  t = (VF) ((mask & (VI) one) | (~mask & (VI) t));
  mask = t < -one;
  VSTORE (out, (VF) ((mask & (VI) -one) | (~mask & (VI) t)));
}

/* Sums the lanes in a fixed order. */
ESN_INLINE float
K (hsum) (const VF *s)
{
#if W == 8
  return (((*s)[0] + (*s)[4]) + ((*s)[2] + (*s)[6]))
         + (((*s)[1] + (*s)[5]) + ((*s)[3] + (*s)[7]));
#else
  return ((*s)[0] + (*s)[2]) + ((*s)[1] + (*s)[3]);
#endif
}

/* One step's recurrent update of nv vectors (1 or 2, a constant once inlined,
 * so that the accumulators live in registers) of the ROWS rows of a block:
 * h = leak h + gain (tanh(h) W_r^T + b_r) with th = tanh(h), rows stride
 * floats apart.  w: the weights of the first vector at k = 0, wstride floats
 * a k; col: the first unit. */
ESN_INLINE void
K (update) (const SomaifEsnModel *m, const float *w, int wstride, int col, int nv,
            const float *th, float *h, size_t stride)
{
  const int n = m->units;
  VF acc[ROWS][2];
#pragma GCC unroll 8
  for (int r = 0; r < ROWS; r++)
#pragma GCC unroll 2
    for (int q = 0; q < nv; q++)
      acc[r][q] = (VF) {};
  for (int k = 0; k < n; k++, w += wstride)
    {
      VF wk[2];
#pragma GCC unroll 2
      for (int q = 0; q < nv; q++)
        wk[q] = VLOAD (w + q * W);
#pragma GCC unroll 8
      for (int r = 0; r < ROWS; r++)
        {
          /* vector * scalar: a broadcast from memory with AVX, a shuffle in a
             register with SSE */
          const float s = th[r * stride + k];
#pragma GCC unroll 2
          for (int q = 0; q < nv; q++)
            acc[r][q] += wk[q] * s;
        }
    }
  const VF leak = (VF) {} + m->leak, gain = (VF) {} + m->gain;
#pragma GCC unroll 2
  for (int q = 0; q < nv; q++)
    {
      const VF b = VLOAD (m->br + col + q * W);
#pragma GCC unroll 8
      for (int r = 0; r < ROWS; r++)
        {
          float *hp = h + r * stride + col + q * W;
          VSTORE (hp, leak * VLOAD (hp) + gain * (acc[r][q] + b));
        }
    }
}

/* Runs blocks x ROWS rows for steps steps.  states[r] NULL is a dummy row
 * (zeros) whose output out[r] (then NULL) is not stored.  The blocks take
 * turns on each weight panel while it is in the L1 cache; that order changes
 * no row's arithmetic. */
ESN_INLINE void
K (run_group) (const SomaifEsnModel *m, int blocks, const float *const *states, int steps,
               float *const *out)
{
  const int n = m->units, no = m->outputs, rows = blocks * ROWS;
  const size_t padded = (size_t) m->ng * COL;
  const int nvec = (int) (padded / W);
  /* a cache line more than the row, so that the rows' k-th values do not
     share an L1 set */
  const size_t stride = padded + 16;
  float scratch[2 * rows * stride + COL];
  float *h = (float *) (((guintptr) scratch + 31) & ~(guintptr) 31);
  float *th = h + rows * stride;

  for (int r = 0; r < rows; r++)
    {
      float *hr = h + r * stride, *tr = th + r * stride;
      memset (hr, 0, padded * sizeof (float));
      if (states[r])
        memcpy (hr, states[r], (size_t) n * sizeof (float));
      for (int u = 0; u < nvec; u++)
        K (tanh) (tr + u * W, hr + u * W);
    }

  for (int t = 0; t < steps; t++)
    {
      for (int g = 0; g < m->ng; g += PANEL)
        {
          const int width = (g + PANEL <= m->ng ? PANEL : 1) * COL;
          const float *panel = m->wt + (size_t) g * COL * n;
          /* the panel in passes of (at most) two vectors */
          for (int off = 0; off < width; off += 2 * W)
            for (int b = 0; b < blocks; b++)
              {
                float *hb = h + b * ROWS * stride;
                const float *tb = th + b * ROWS * stride;
                if (width - off >= 2 * W)
                  K (update) (m, panel + off, width, g * COL + off, 2, tb, hb, stride);
                else
                  K (update) (m, panel + off, width, g * COL + off, 1, tb, hb, stride);
              }
        }

      for (int r = 0; r < rows; r++)
        {
          float *hr = h + r * stride, *tr = th + r * stride;
          for (int u = 0; u < nvec; u++)
            K (tanh) (tr + u * W, hr + u * W);
          if (!out[r])
            continue;
          for (int o = 0; o < no; o++)
            {
              const float *w = m->wo + (size_t) o * padded;
              VF s = {};
              for (int u = 0; u < nvec; u++)
                s += VLOAD (tr + u * W) * VLOAD (w + u * W);
              out[r][(size_t) t * no + o] = K (hsum) (&s) + m->bo[o];
            }
        }
    }
}

#undef W
#undef VF
#undef VI
#undef K

#endif /* ESN_LANES */
