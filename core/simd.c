/* simd.c: which vector unit the plugins' kernels use, one choice a process. */
#include "config.h"

#include <string.h>

#include "somaif/plugin.h"

static const char *const simd_names[] = { "baseline", "avx2", "avx512" };

const char *
somaif_simd_name (SomaifSimd level)
{
  return level >= SOMAIF_SIMD_BASELINE && level <= SOMAIF_SIMD_AVX512 ? simd_names[level]
                                                                     : "unknown";
}

SomaifSimd
somaif_simd_best (void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init ();
  /* GCC's and Clang's checks include the operating system's support of the
     wider registers (XGETBV). */
  if (__builtin_cpu_supports ("avx512f"))
    return SOMAIF_SIMD_AVX512;
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return SOMAIF_SIMD_AVX2;
#endif
  return SOMAIF_SIMD_BASELINE;
}

SomaifSimd
somaif_simd (void)
{
  static gsize once = 0;
  static SomaifSimd level;
  if (g_once_init_enter (&once))
    {
      SomaifSimd best = somaif_simd_best (), chosen = best;
      const char *want = g_getenv ("SOMAIF_SIMD");
      if (want)
        for (int l = SOMAIF_SIMD_BASELINE; l <= (int) best; l++)
          if (strcmp (want, simd_names[l]) == 0)
            chosen = (SomaifSimd) l;
      level = chosen;
      g_once_init_leave (&once, 1);
    }
  return level;
}
