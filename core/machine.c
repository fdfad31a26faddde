/* machine.c: the CPU's name, the cores a run may use, and the vector unit
 * asked for. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifdef HAVE_MALLOC_H
#include <malloc.h>
#endif
#if defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || defined(__DragonFly__)
#include <sys/types.h>
#include <sys/sysctl.h>
#define SOMAIF_BSD 1
#endif

#include "experiment.h"
#include "machine.h"
#include "somaif/plugin.h"

void
somaif_machine_tune_memory (void)
{
#if defined(HAVE_MALLOPT) && defined(M_ARENA_MAX)
  mallopt (M_ARENA_MAX, 1);
#endif
}

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

/* A number alone on the first line of folder dir's file name; FALSE if the
 * file is not there or holds something else. */
static gboolean
read_number (const char *dir, const char *name, gint64 *value)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  char *end;
  errno = 0;
  *value = g_ascii_strtoll (text, &end, 10);
  return errno == 0 && end != text && (*end == '\n' || *end == '\0');
}

/* Cores from a quota of q microseconds every p, rounded up; 0: no cap. */
static int
quota_cores (gint64 q, gint64 p)
{
  if (q <= 0 || p <= 0)
    return 0;
  gint64 cores = q / p + (q % p != 0);
  return (int) MIN (cores, G_MAXINT);
}

/* The lesser of two caps, 0 standing for none. */
static int
lesser_cap (int a, int b)
{
  return a == 0 ? b : b == 0 ? a : MIN (a, b);
}

/* The cap set in folder dir: cgroup2's cpu.max ("max 100000" or "150000
 * 100000"), or v1's cpu.cfs_quota_us (-1: none) over cpu.cfs_period_us;
 * 0 where none is. */
static int
cap_in (const char *dir, gboolean v2)
{
  if (!v2)
    {
      gint64 q, p;
      return read_number (dir, "cpu.cfs_quota_us", &q)
                 && read_number (dir, "cpu.cfs_period_us", &p)
               ? quota_cores (q, p)
               : 0;
    }
  g_autofree char *path = g_build_filename (dir, "cpu.max", NULL);
  g_autofree char *text = NULL;
  long long q, p;
  char tail = '\n';
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  int n = sscanf (text, "%lld %lld%c", &q, &p, &tail);
  if (n < 2 || tail != '\n')
    return 0; /* "max 100000": no quota */
  return quota_cores (q, p);
}

/* The least cap of group path (under root) and its parents up to root:
 * a group gets no more than its parents allow.  In a container the path
 * may name folders the mount does not show, whose root is then the
 * container's own group. */
static int
least_cap (const char *root, const char *path, gboolean v2)
{
  int least = 0;
  g_autofree char *dir = g_build_filename (root, path, NULL);
  size_t root_len = strlen (root);
  for (;;)
    {
      least = lesser_cap (least, cap_in (dir, v2));
      char *up = g_path_get_dirname (dir);
      gboolean done = strlen (up) < root_len || strcmp (up, dir) == 0;
      g_free (dir);
      dir = up;
      if (done)
        break;
    }
  return least;
}

int
somaif_machine_cgroup_cap (const char *self, const char *root_v2,
                           const char *const *roots_v1)
{
  int least = 0;
  g_auto (GStrv) lines = g_strsplit (self, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      /* id:controllers:path */
      g_auto (GStrv) f = g_strsplit (*l, ":", 3);
      if (g_strv_length (f) != 3 || f[2][0] != '/')
        continue;
      int cap = 0;
      if (strcmp (f[0], "0") == 0 && f[1][0] == '\0')
        cap = least_cap (root_v2, f[2], TRUE);
      else
        {
          g_auto (GStrv) controllers = g_strsplit (f[1], ",", -1);
          if (!g_strv_contains ((const char *const *) controllers, "cpu"))
            continue;
          for (const char *const *r = roots_v1; *r && cap == 0; r++)
            if (g_file_test (*r, G_FILE_TEST_IS_DIR))
              cap = least_cap (*r, f[2], FALSE);
        }
      least = lesser_cap (least, cap);
    }
  return least;
}

static int
count_cores (void)
{
  int cores = (int) g_get_num_processors ();
  g_autofree char *self = NULL;
  if (g_file_get_contents ("/proc/self/cgroup", &self, NULL, NULL))
    {
      static const char *const v1[] = { "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu",
                                        NULL };
      int cap = somaif_machine_cgroup_cap (self, "/sys/fs/cgroup", v1);
      if (cap > 0 && cap < cores)
        cores = cap;
    }
  return MAX (cores, 1);
}

/* Counted once a process: somaif-run's default threads, its more-threads
 * line and the pool all ask, and must hear the same number. */
int
somaif_machine_cores (void)
{
  static gsize cores = 0;
  if (g_once_init_enter (&cores))
    g_once_init_leave (&cores, (gsize) count_cores ());
  return (int) cores;
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
