/* scan.c: the finiteness test of a drawing's pixels on the widest vector
 * unit somaif_simd() names (scan.h has the portable one, on 4 lanes). */
#include "config.h"

#include "scan.h"
#include "somaif/plugin.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SCAN_X86 1

typedef guint32 U32x8 __attribute__ ((vector_size (32)));
typedef guint32 U32x16 __attribute__ ((vector_size (64)));

/* Whether any of v[0 .. n) has every exponent bit set (n a multiple of the
 * lanes times 4). */
#define ANY_NOT_FINITE(V, LANES)                                               \
  do                                                                           \
    {                                                                          \
      const V e = (V) { 0 } + 0x7f800000u;                                     \
      V acc = { 0 };                                                           \
      for (gsize i = 0; i < n; i += 4 * (LANES))                               \
        {                                                                      \
          V a, b, c, d;                                                        \
          memcpy (&a, v + i, sizeof a);                                        \
          memcpy (&b, v + i + (LANES), sizeof b);                              \
          memcpy (&c, v + i + 2 * (LANES), sizeof c);                          \
          memcpy (&d, v + i + 3 * (LANES), sizeof d);                          \
          acc |= (V) ((a & e) == e) | (V) ((b & e) == e) | (V) ((c & e) == e)  \
                 | (V) ((d & e) == e);                                         \
        }                                                                      \
      for (int l = 0; l < (LANES); l++)                                        \
        bad |= acc[l];                                                         \
    }                                                                          \
  while (0)

__attribute__ ((target ("avx2"))) static guint32
not_finite_avx2 (const float *v, gsize n)
{
  guint32 bad = 0;
  ANY_NOT_FINITE (U32x8, 8);
  return bad;
}

__attribute__ ((target ("avx512f"))) static guint32
not_finite_avx512 (const float *v, gsize n)
{
  guint32 bad = 0;
  ANY_NOT_FINITE (U32x16, 16);
  return bad;
}
#endif

gboolean
somaif_all_finite_f32_with (SomaifSimd simd, const float *v, gsize n)
{
#ifdef SCAN_X86
  /* 4 vectors an iteration */
  gsize block = simd == SOMAIF_SIMD_AVX512 ? 64 : simd == SOMAIF_SIMD_AVX2 ? 32 : 0;
  if (block)
    {
      gsize head = n / block * block;
      guint32 bad = simd == SOMAIF_SIMD_AVX512 ? not_finite_avx512 (v, head)
                                               : not_finite_avx2 (v, head);
      return !bad && somaif_all_finite_f32 (v + head, n - head);
    }
#else
  (void) simd;
#endif
  return somaif_all_finite_f32 (v, n);
}

gboolean
somaif_all_finite_f32_wide (const float *v, gsize n)
{
  return somaif_all_finite_f32_with (somaif_simd (), v, n);
}
