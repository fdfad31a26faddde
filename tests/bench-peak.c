/* bench-peak.c: the fp32 FMA peak of this machine, measured with chains of
 * independent fused multiply-adds (more chains than the FMA units' latency
 * times their number, so that the units never wait), on the vector unit
 * asked for, on one thread or on several at once.  The best of a few
 * repeats: the peak, not an average. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include <glib.h>

#include "bench-peak.h"

#define CHAINS 12
#define ITERS (1 << 22)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

__attribute__ ((target ("avx512f"))) static float
chains_avx512 (long iters)
{
  __m512 a[CHAINS];
  const __m512 b = _mm512_set1_ps (0.999999f), c = _mm512_set1_ps (1e-7f);
  for (int j = 0; j < CHAINS; j++)
    a[j] = _mm512_set1_ps ((float) j);
  for (long i = 0; i < iters; i++)
    {
      /* unrolled, so that every chain lives in a register */
      SOMAIF_UNROLL (12)
      for (int j = 0; j < CHAINS; j++)
        a[j] = _mm512_fmadd_ps (a[j], b, c);
    }
  for (int j = 1; j < CHAINS; j++)
    a[0] = _mm512_add_ps (a[0], a[j]);
  return _mm512_reduce_add_ps (a[0]);
}

__attribute__ ((target ("avx2,fma"))) static float
chains_avx2 (long iters)
{
  __m256 a[CHAINS];
  const __m256 b = _mm256_set1_ps (0.999999f), c = _mm256_set1_ps (1e-7f);
  for (int j = 0; j < CHAINS; j++)
    a[j] = _mm256_set1_ps ((float) j);
  for (long i = 0; i < iters; i++)
    {
      SOMAIF_UNROLL (12)
      for (int j = 0; j < CHAINS; j++)
        a[j] = _mm256_fmadd_ps (a[j], b, c);
    }
  float v[8];
  for (int j = 1; j < CHAINS; j++)
    a[0] = _mm256_add_ps (a[0], a[j]);
  _mm256_storeu_ps (v, a[0]);
  return v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
}
#endif

/* The plain unit: the compiler's own code for scalar fmaf (a call into
 * libm where the CPU has no FMA instruction). */
static float
chains_plain (long iters)
{
  volatile float seed = 0.999999f;
  float a[CHAINS], b = seed, c = 1e-7f;
  for (int j = 0; j < CHAINS; j++)
    a[j] = (float) j;
  for (long i = 0; i < iters; i++)
    {
      SOMAIF_UNROLL (12)
      for (int j = 0; j < CHAINS; j++)
        a[j] = fmaf (a[j], b, c);
    }
  float s = 0;
  for (int j = 0; j < CHAINS; j++)
    s += a[j];
  return s;
}

static int
lanes (SomaifSimd simd)
{
  return simd == SOMAIF_SIMD_AVX512 ? 16 : simd == SOMAIF_SIMD_AVX2 ? 8 : 1;
}

static float
chains (SomaifSimd simd, long iters)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (simd == SOMAIF_SIMD_AVX512)
    return chains_avx512 (iters);
  if (simd == SOMAIF_SIMD_AVX2)
    return chains_avx2 (iters);
#endif
  return chains_plain (iters);
}

typedef struct
{
  SomaifSimd simd;
  long iters;
  pthread_barrier_t *start;
  float sink;
  gint64 t0, t1; /* this thread's own start and end: the caller may be
                    waiting for a core of its own */
} Job;

static void *
job_run (void *data)
{
  Job *j = data;
  pthread_barrier_wait (j->start);
  j->t0 = g_get_monotonic_time ();
  j->sink = chains (j->simd, j->iters);
  j->t1 = g_get_monotonic_time ();
  return NULL;
}

double
somaif_bench_fma_peak (SomaifSimd simd, int threads)
{
  long iters = simd == SOMAIF_SIMD_BASELINE ? ITERS / 8 : ITERS;
  double best = 0.0;
  threads = MAX (threads, 1);
  for (int rep = 0; rep < 5; rep++)
    {
      pthread_barrier_t start;
      pthread_barrier_init (&start, NULL, (unsigned) threads + 1);
      pthread_t tid[threads];
      Job jobs[threads];
      for (int t = 0; t < threads; t++)
        {
          jobs[t] = (Job) { simd, iters, &start, 0.0f, 0, 0 };
          pthread_create (&tid[t], NULL, job_run, &jobs[t]);
        }
      pthread_barrier_wait (&start);
      gint64 t0 = G_MAXINT64, t1 = 0;
      for (int t = 0; t < threads; t++)
        {
          pthread_join (tid[t], NULL);
          t0 = MIN (t0, jobs[t].t0);
          t1 = MAX (t1, jobs[t].t1);
        }
      double secs = (double) (t1 - t0) / 1e6;
      pthread_barrier_destroy (&start);
      double flop = 2.0 * CHAINS * lanes (simd) * (double) iters * threads;
      if (secs > 0 && flop / secs / 1e9 > best)
        best = flop / secs / 1e9;
    }
  return best;
}
