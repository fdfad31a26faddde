/* machine.c: the CPU's name and the vector unit asked for. */
#include "config.h"

#include <string.h>
#if defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || defined(__DragonFly__)
#include <sys/types.h>
#include <sys/sysctl.h>
#define SOMAIF_BSD 1
#endif

#include "experiment.h"
#include "machine.h"
#include "somaif/plugin.h"

char *
somaif_cpu_model (void)
{
#ifdef SOMAIF_BSD
  char name[256];
  size_t len = sizeof name;
  int mib[2] = { CTL_HW, HW_MODEL };
  if (sysctl (mib, 2, name, &len, NULL, 0) == 0 && len > 1)
    return g_strstrip (g_strndup (name, len));
#else
  g_autofree char *text = NULL;
  if (g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
      /* x86 says "model name", ARM "Model" or "CPU part" */
      static const char *const keys[] = { "model name", "Model", "cpu model", "Processor" };
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        for (char **l = lines; *l; l++)
          if (g_str_has_prefix (*l, keys[k]))
            {
              const char *colon = strchr (*l, ':');
              if (colon && colon[1])
                return g_strstrip (g_strdup (colon + 1));
            }
    }
#endif
  return g_strdup ("unknown");
}

gboolean
somaif_simd_check_env (GError **error)
{
  const char *want = g_getenv ("SOMAIF_SIMD");
  if (!want || strcmp (want, somaif_simd_name (somaif_simd ())) == 0)
    return TRUE;
  SomaifSimd best = somaif_simd_best ();
  for (int l = SOMAIF_SIMD_BASELINE; l <= SOMAIF_SIMD_AVX512; l++)
    if (strcmp (want, somaif_simd_name ((SomaifSimd) l)) == 0)
      {
        g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                     "SOMAIF_SIMD=%s: this CPU has no %s (its widest vector unit is %s)",
                     want, want, somaif_simd_name (best));
        return FALSE;
      }
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
               "SOMAIF_SIMD=%s: not a vector unit (baseline, avx2 or avx512; unset: the "
               "widest this CPU has, %s)", want, somaif_simd_name (best));
  return FALSE;
}
