/* scan.h: whole-array tests on a drawing's pixels, on integer vectors (GCC
 * and Clang vector extensions), for every rollout: are the numbers finite,
 * is a run of pixels blank paper (exactly 1). */
#ifndef SOMAIF_SCAN_H
#define SOMAIF_SCAN_H

#include <string.h>

#include <glib.h>

#include "somaif/plugin.h"

#if defined(__GNUC__) || defined(__clang__)
typedef guint32 SomaifU32x4 __attribute__ ((vector_size (16)));
typedef guint64 SomaifU64x2 __attribute__ ((vector_size (16)));
#define SOMAIF_SCAN_VECTORS 1
#endif

/* Whether n floats are all finite: an infinity or a NaN has every exponent
 * bit set. */
static inline gboolean
somaif_all_finite_f32 (const float *v, gsize n)
{
  gsize i = 0;
  guint32 bad = 0;
#ifdef SOMAIF_SCAN_VECTORS
  const SomaifU32x4 e = { 0x7f800000u, 0x7f800000u, 0x7f800000u, 0x7f800000u };
  SomaifU32x4 acc = { 0, 0, 0, 0 };
  for (; i + 16 <= n; i += 16)
    {
      SomaifU32x4 a, b, c, d;
      memcpy (&a, v + i, 16);
      memcpy (&b, v + i + 4, 16);
      memcpy (&c, v + i + 8, 16);
      memcpy (&d, v + i + 12, 16);
      acc |= (SomaifU32x4) ((a & e) == e) | (SomaifU32x4) ((b & e) == e)
             | (SomaifU32x4) ((c & e) == e) | (SomaifU32x4) ((d & e) == e);
    }
  bad = acc[0] | acc[1] | acc[2] | acc[3];
#endif
  for (; i < n; i++)
    {
      guint32 u;
      memcpy (&u, &v[i], sizeof u);
      bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
  return !bad;
}

/* The same, on the widest vector unit somaif_simd() names (scan.c): for
 * the long arrays, a drawing's pixels; _with, on the one given (which the
 * CPU must have). */
gboolean somaif_all_finite_f32_wide (const float *v, gsize n);
gboolean somaif_all_finite_f32_with (SomaifSimd simd, const float *v, gsize n);

static inline gboolean
somaif_all_finite_f64 (const double *v, gsize n)
{
  const guint64 exponent = G_GUINT64_CONSTANT (0x7ff0000000000000);
  gsize i = 0;
  guint64 bad = 0;
#ifdef SOMAIF_SCAN_VECTORS
  const SomaifU64x2 e = { exponent, exponent };
  SomaifU64x2 acc = { 0, 0 };
  for (; i + 4 <= n; i += 4)
    {
      SomaifU64x2 a, b;
      memcpy (&a, v + i, 16);
      memcpy (&b, v + i + 2, 16);
      acc |= (SomaifU64x2) ((a & e) == e) | (SomaifU64x2) ((b & e) == e);
    }
  bad = acc[0] | acc[1];
#endif
  for (; i < n; i++)
    {
      guint64 u;
      memcpy (&u, &v[i], sizeof u);
      bad |= (u & exponent) == exponent;
    }
  return !bad;
}

/* Whether x[0..15] are all exactly 1 (1.0f is one bit pattern). */
static inline gboolean
somaif_blank16 (const float *x)
{
#ifdef SOMAIF_SCAN_VECTORS
  const SomaifU32x4 one = { 0x3f800000u, 0x3f800000u, 0x3f800000u, 0x3f800000u };
  SomaifU32x4 a, b, c, d;
  memcpy (&a, x, 16);
  memcpy (&b, x + 4, 16);
  memcpy (&c, x + 8, 16);
  memcpy (&d, x + 12, 16);
  SomaifU32x4 diff = (a ^ one) | (b ^ one) | (c ^ one) | (d ^ one);
  return (diff[0] | diff[1] | diff[2] | diff[3]) == 0;
#else
  for (int i = 0; i < 16; i++)
    if (x[i] != 1.0f)
      return FALSE;
  return TRUE;
#endif
}

#endif /* SOMAIF_SCAN_H */
