/* arm2-core.c: forward kinematics of the seed's 2-DOF arm.
 *
 * The trigonometry is our own rather than the C library's: sin and cos of
 * a rollout's angles in one pass, on the vector unit somaif_simd() names,
 * in plain double arithmetic (no fused multiply-add: the file is compiled
 * with -ffp-contract=off), so that every clone, CPU and C library gives the
 * same bits (glibc's own sin and cos have versions with and without FMA,
 * chosen by the CPU, that may differ in the last bit).  Within 2 units in
 * the last place of glibc's (test-golden-arm holds it to that).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "arm2-core.h"
#include "somaif/plugin.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ARM2_X86 1
#define ARM2_AVX2 __attribute__ ((target ("avx2")))
#define ARM2_AVX512 __attribute__ ((target ("avx512f")))
#endif
#define ARM2_INLINE static inline __attribute__ ((always_inline))

/* ------------------------------------------------------------------ */
/* sin and cos, eight angles at a time                                  */

#define LANES 8
typedef double V8d __attribute__ ((vector_size (LANES * sizeof (double))));
typedef long long V8l __attribute__ ((vector_size (LANES * sizeof (long long))));

/* Angles beyond this take the C library's sin and cos: the reduction below
 * is exact while k, the nearest multiple of pi/2, has at most 20 bits. */
#define SINCOS_RANGE 1.0e6
/* x 2/pi + 1.5 2^52 rounds x 2/pi to the nearest integer k, which the
 * sum's mantissa holds in its low bits (k mod 4 in the last two). */
#define ROUNDER 6755399441055744.0
#define TWO_OVER_PI 0.63661977236758134308
/* pi/2 in three parts, the first two of 33 bits, so that k P1 and k P2 are
 * exact: r = x - k pi/2 loses nothing to cancellation. */
#define PIO2_1 1.57079632673412561417e+00
#define PIO2_2 6.07710050630396597660e-11
#define PIO2_3 2.02226624879595063154e-21

/* sin and cos of x[0 .. 7], in s and c.  With r = x - k pi/2 in
 * [-pi/4, pi/4] and z = r^2: sin r = r + r z S(z), cos r = (1 - z/2) +
 * z^2 C(z), S and C the Taylor series to r^17 and r^16 (on |r| <= pi/4 the
 * first term left out is below 2^-62 of the result); then the quadrant,
 * k mod 4, swaps them and sets their signs. */
ARM2_INLINE void
sincos8 (const double *x, double *s, double *c)
{
  V8d v, t, k;
  memcpy (&v, x, sizeof v);
  t = v * TWO_OVER_PI + ROUNDER;
  k = t - ROUNDER;
  V8l q;
  memcpy (&q, &t, sizeof q);
  V8d r = ((v - k * PIO2_1) - k * PIO2_2) - k * PIO2_3;
  V8d z = r * r;
  V8d ps = -1.0 / 1307674368000.0 + z * (1.0 / 355687428096000.0);
  ps = 1.0 / 6227020800.0 + z * ps;
  ps = -1.0 / 39916800.0 + z * ps;
  ps = 1.0 / 362880.0 + z * ps;
  ps = -1.0 / 5040.0 + z * ps;
  ps = 1.0 / 120.0 + z * ps;
  ps = -1.0 / 6.0 + z * ps;
  V8d sn = r + (r * z) * ps;
  V8d pc = 1.0 / 20922789888000.0 + z * (-1.0 / 6402373705728000.0);
  pc = -1.0 / 87178291200.0 + z * pc;
  pc = 1.0 / 479001600.0 + z * pc;
  pc = -1.0 / 3628800.0 + z * pc;
  pc = 1.0 / 40320.0 + z * pc;
  pc = -1.0 / 720.0 + z * pc;
  pc = 1.0 / 24.0 + z * pc;
  V8d cs = (1.0 - 0.5 * z) + (z * z) * pc;
  /* quadrant 1 and 3: sin x = +-cos r, cos x = -+sin r; 2 and 3: sin x < 0
     where sin r > 0; 1 and 2: cos x < 0 where cos r > 0 */
  const V8l sign = (V8l) { 0 } + (long long) 0x8000000000000000ull;
  V8l odd = (q & 1) != 0, high = (q & 2) != 0;
  V8l sbits, cbits, rbits;
  memcpy (&sbits, &sn, sizeof sbits);
  memcpy (&cbits, &cs, sizeof cbits);
  memcpy (&rbits, &r, sizeof rbits);
  /* sin -0 = -0 (the sum above gives +0) */
  V8l zero = r == 0.0;
  sbits = (zero & rbits) | (~zero & sbits);
  V8l so = (odd & cbits) | (~odd & sbits);
  V8l co = (odd & sbits) | (~odd & cbits);
  so ^= high & sign;
  co ^= (odd ^ high) & sign;
  memcpy (s, &so, sizeof so);
  memcpy (c, &co, sizeof co);
}

/* The C library's, where sincos8 would be inexact. */
static void
sincos_far (const double *x, double *s, double *c, int n)
{
  for (int i = 0; i < n; i++)
    if (fabs (x[i]) > SINCOS_RANGE)
      {
        s[i] = sin (x[i]);
        c[i] = cos (x[i]);
      }
}

/* n angles, in whole vectors (the arrays hold a multiple of LANES). */
ARM2_INLINE void
sincos_vectors (const double *x, double *s, double *c, int n)
{
  for (int i = 0; i < n; i += LANES)
    sincos8 (x + i, s + i, c + i);
}

#ifdef ARM2_X86
ARM2_AVX512 static void
sincos_avx512 (const double *x, double *s, double *c, int n)
{
  sincos_vectors (x, s, c, n);
}

ARM2_AVX2 static void
sincos_avx2 (const double *x, double *s, double *c, int n)
{
  sincos_vectors (x, s, c, n);
}
#endif

static void
sincos_plain (const double *x, double *s, double *c, int n)
{
  sincos_vectors (x, s, c, n);
}

/* sin and cos of x[0 .. n - 1]; the arrays have room for n rounded up to
 * whole vectors (the lanes past n are computed and ignored). */
static void
sincos_array (const double *x, double *s, double *c, int n)
{
#ifdef ARM2_X86
  SomaifSimd simd = somaif_simd ();
  if (simd == SOMAIF_SIMD_AVX512)
    sincos_avx512 (x, s, c, n);
  else if (simd == SOMAIF_SIMD_AVX2)
    sincos_avx2 (x, s, c, n);
  else
#endif
    sincos_plain (x, s, c, n);
  sincos_far (x, s, c, n);
}

void
somaif_arm2_sincos (const double *x, double *s, double *c, int n)
{
  double xa[LANES], sa[LANES], ca[LANES];
  for (int i = 0; i < n; i += LANES)
    {
      int m = MIN (LANES, n - i);
      memset (xa, 0, sizeof xa);
      memcpy (xa, x + i, (gsize) m * sizeof *x);
      sincos_array (xa, sa, ca, LANES);
      memcpy (s + i, sa, (gsize) m * sizeof *s);
      memcpy (c + i, ca, (gsize) m * sizeof *c);
    }
}

/* ------------------------------------------------------------------ */
/* The arm                                                              */

void
somaif_arm2_init (SomaifArm2 *arm, double length, const double angles[2], double divisor)
{
  arm->length = length;
  arm->angles[0] = angles[0];
  arm->angles[1] = angles[1];
  arm->divisor = divisor;
  double x[2] = { angles[0], angles[0] + angles[1] }, s[2], c[2];
  somaif_arm2_sincos (x, s, c, 2);
  arm->base_unit[0] = c[0] + c[1];
  arm->base_unit[1] = s[0] + s[1];
}

/* Steps whose angles go through sin and cos together. */
#define BLOCK_STEPS 128

/* The pens at n steps' angles (their sin and cos in s and c, two a step:
 * a0, then a0 + a1), relative to where the pen starts: l ((cos a0 +
 * cos(a0+a1)) - base_unit), the notebook's l (-sqrt2/2 + (cos a0 +
 * cos(a0+a1))) with base_unit in place of sqrt2/2. */
static void
pens (const SomaifArm2 *arm, int n, const double *s, const double *c, double *points)
{
  for (int i = 0; i < n; i++)
    {
      points[2 * i] = arm->length * ((c[2 * i] + c[2 * i + 1]) - arm->base_unit[0]);
      points[2 * i + 1] = arm->length * ((s[2 * i] + s[2 * i + 1]) - arm->base_unit[1]);
    }
}

/* The trajectory from the angles a (updated), of velocities v (steps x 2,
 * float or double as fv or dv says): points, a point a step. */
static void
trajectory (const SomaifArm2 *arm, double a[2], int steps, const float *fv, const double *dv,
            double *points)
{
  double ang[2 * BLOCK_STEPS], s[2 * BLOCK_STEPS], c[2 * BLOCK_STEPS];
  for (int t0 = 0; t0 < steps; t0 += BLOCK_STEPS)
    {
      int n = MIN (BLOCK_STEPS, steps - t0);
      for (int i = 0; i < n; i++)
        {
          int t = t0 + i;
          for (int k = 0; k < 2; k++)
            a[k] += (fv ? (double) fv[2 * t + k] : dv[2 * t + k]) / arm->divisor;
          ang[2 * i] = a[0];
          ang[2 * i + 1] = a[0] + a[1];
        }
      int m = (2 * n + LANES - 1) / LANES * LANES;
      for (int i = 2 * n; i < m; i++)
        ang[i] = 0.0;
      sincos_array (ang, s, c, m);
      pens (arm, n, s, c, points + 2 * t0);
    }
}

void
somaif_arm2_run (const SomaifArm2 *arm, int steps, const double *motor, double *points)
{
  double a[2] = { arm->angles[0], arm->angles[1] };
  /* the canvas's initial point: exactly the origin */
  points[0] = 0.0;
  points[1] = 0.0;
  trajectory (arm, a, steps, NULL, motor, points + 2);
}

void
somaif_arm2_run_float (const SomaifArm2 *arm, int steps, const float *motor, double *points)
{
  somaif_arm2_run_from (arm, NULL, steps, motor, points, NULL);
}

void
somaif_arm2_run_from (const SomaifArm2 *arm, const double *pose, int steps,
                      const float *motor, double *points, double *end_pose)
{
  double a[2];
  for (int k = 0; k < 2; k++)
    a[k] = pose ? pose[k] : arm->angles[k];
  if (pose)
    {
      double x[2] = { a[0], a[0] + a[1] }, s[2], c[2];
      somaif_arm2_sincos (x, s, c, 2);
      pens (arm, 1, s, c, points);
    }
  else
    {
      /* the canvas's initial point: exactly the origin */
      points[0] = 0.0;
      points[1] = 0.0;
    }
  trajectory (arm, a, steps, motor, NULL, points + 2);
  for (int k = 0; k < 2; k++)
    if (end_pose)
      end_pose[k] = a[k];
}
