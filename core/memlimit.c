/* memlimit.c: what RLIMIT_AS and the cgroup's memory.max leave to a run, so
 * that it refuses at start, saying why, what would fail or be killed later. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "memlimit.h"

/* A number in a small text file (cgroup and proc files); FALSE when absent
 * or not a number ("max"). */
static gboolean
read_number (const char *path, guint64 *value)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  char *end;
  guint64 v = g_ascii_strtoull (text, &end, 10);
  if (end == text)
    return FALSE;
  *value = v;
  return TRUE;
}

/* The address space in use (VmSize of /proc/self/status), in bytes. */
static guint64
address_space_used (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  const char *vm = strstr (status, "\nVmSize:");
  return vm ? g_ascii_strtoull (vm + 8, NULL, 10) * 1024 : 0;
}

/* The memory limit and use of this process' cgroup: v2's memory.max and
 * memory.current, else v1's memory.limit_in_bytes and memory.usage_in_bytes
 * (in its own folder, or at the root of a namespaced mount).  FALSE when
 * there is no limit. */
static gboolean
cgroup_memory (guint64 *max, guint64 *current)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents ("/proc/self/cgroup", &text, NULL, NULL))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  const char *v2 = NULL, *v1 = NULL;
  for (int i = 0; lines[i]; i++)
    {
      char *colon = strchr (lines[i], ':');
      if (g_str_has_prefix (lines[i], "0::"))
        v2 = lines[i] + 3;
      else if (colon && g_str_has_prefix (colon + 1, "memory:"))
        v1 = colon + 8;
    }
  const char *const tries[][3] = {
    { "/sys/fs/cgroup", "memory.max", "memory.current" },
    { "/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes" },
  };
  const char *paths[] = { v2, v1 };
  for (int t = 0; t < 2; t++)
    for (int root = 0; paths[t] && root < 2; root++)
      {
        g_autofree char *m = g_build_filename (tries[t][0], root ? "" : paths[t], tries[t][1], NULL);
        g_autofree char *c = g_build_filename (tries[t][0], root ? "" : paths[t], tries[t][2], NULL);
        if (!read_number (m, max))
          continue;
        *current = 0;
        read_number (c, current);
        /* v1 writes "no limit" as a page-rounded 2^63. */
        return *max < ((guint64) 1 << 62);
      }
  return FALSE;
}

guint64
somaif_memory_available (const char **limit)
{
  guint64 best = G_MAXUINT64;
  const char *which = NULL;
  struct rlimit rl;
  if (getrlimit (RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    {
      guint64 used = address_space_used ();
      best = (guint64) rl.rlim_cur > used ? (guint64) rl.rlim_cur - used : 0;
      which = "the address space limit (RLIMIT_AS, ulimit -v)";
    }
  guint64 max, current;
  if (cgroup_memory (&max, &current))
    {
      guint64 left = max > current ? max - current : 0;
      if (left < best)
        {
          best = left;
          which = "the cgroup's memory limit";
        }
    }
  if (limit)
    *limit = which;
  return best;
}

char *
somaif_memory_text (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

gboolean
somaif_memory_check (guint64 need, const char *what, GError **error)
{
  const char *limit = NULL;
  guint64 available = somaif_memory_available (&limit);
  if (need <= available)
    return TRUE;
  g_autofree char *n = somaif_memory_text (need);
  g_autofree char *a = somaif_memory_text (available);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
               "%s needs about %s of memory, but %s leaves %s", what, n, limit, a);
  return FALSE;
}
