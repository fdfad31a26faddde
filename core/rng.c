/* rng.c: xoshiro256** seeded through splitmix64; one generator per component. */
#include "config.h"

#include <math.h>

#include "somaif/plugin.h"

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

void
somaif_rng_init (SomaifRng *rng, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
  rng->spare = 0.0;
  rng->has_spare = 0;
}

guint64
somaif_rng_next (SomaifRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
somaif_rng_uniform (SomaifRng *rng)
{
  /* 53 random bits: every double in [0, 1) on the 2^-53 grid. */
  return (double) (somaif_rng_next (rng) >> 11) * 0x1.0p-53;
}

guint32
somaif_rng_below (SomaifRng *rng, guint32 n)
{
  /* Lemire's multiply-shift with rejection: unbiased. */
  guint64 m = (guint64) (guint32) (somaif_rng_next (rng) >> 32) * n;
  guint32 low = (guint32) m;
  if (low < n)
    {
      guint32 threshold = (guint32) (-n) % n;
      while (low < threshold)
        {
          m = (guint64) (guint32) (somaif_rng_next (rng) >> 32) * n;
          low = (guint32) m;
        }
    }
  return (guint32) (m >> 32);
}

double
somaif_rng_normal (SomaifRng *rng)
{
  if (rng->has_spare)
    {
      rng->has_spare = 0;
      return rng->spare;
    }
  /* Box-Muller: u1 in (0, 1] so that log never sees 0. */
  double u1 = 1.0 - somaif_rng_uniform (rng);
  double u2 = somaif_rng_uniform (rng);
  double r = sqrt (-2.0 * log (u1));
  double a = 2.0 * G_PI * u2;
  rng->spare = r * sin (a);
  rng->has_spare = 1;
  return r * cos (a);
}
