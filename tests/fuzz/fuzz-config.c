/* fuzz-config: libFuzzer harness of the config reader.  An input is a config
 * text, optionally followed by a line "%%%" and --set assignments, one a
 * line.  The text goes into an in-memory file (memfd) read through its
 * /proc/self/fd path, then somaif_config_load() validates it, loading the test
 * plugins (tests/.libs) so that plugin validation runs too, and everything is
 * freed.  Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz-config -max_total_time=60 tests/fuzz/corpus-config */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memfd_create */
#endif
#include "config.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host.h"

#ifndef TEST_PLUGINS_DIR
#define TEST_PLUGINS_DIR "tests/.libs"
#endif

#define MAX_SETS 8

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
const char *__lsan_default_suppressions (void);

/* LeakSanitizer: libconfig 1.5 loses its string buffer when a string is left
 * open at the end of the text (its scanner's error path); not ours. */
const char *
__lsan_default_suppressions (void)
{
  return "leak:libconfig.so\n";
}

static int memfd = -1;
static char memfd_path[64];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* The test plugins, unless the caller points elsewhere. */
  g_setenv ("SOMAIF_PLUGIN_PATH", TEST_PLUGINS_DIR, FALSE);
  /* Each plugin stays loaded for the whole run: the loader's dlopen() and
     dlclose() per input then only count references, and libFuzzer does not
     see a new module (and new coverage counters) per input. */
  const char *path = g_getenv ("SOMAIF_PLUGIN_PATH");
  g_auto (GStrv) dirs = g_strsplit (path, ":", -1);
  for (int i = 0; dirs[i]; i++)
    {
      GDir *d = g_dir_open (dirs[i], 0, NULL);
      if (!d)
        continue;
      for (const char *name; (name = g_dir_read_name (d));)
        if (g_str_has_suffix (name, ".so"))
          {
            g_autofree char *file = g_build_filename (dirs[i], name, NULL);
            (void) dlopen (file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
          }
      g_dir_close (d);
    }
  memfd = memfd_create ("fuzz-config.cfg", 0);
  if (memfd < 0)
    {
      perror ("memfd_create");
      abort ();
    }
  snprintf (memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
  return 0;
}

/* The check of a schedule's range evaluates it at every epoch
 * (somaif_schedule_check_range in core/schedule.c): valid but slow for a
 * long run (seconds at 1e8 epochs, minutes under the sanitizers), so
 * libFuzzer would only find that timeout again and again.  Inputs whose
 * experiment.epochs (in the text or a --set) exceeds MAX_EPOCHS are skipped
 * (a --set in hex or with an L too). */
#define MAX_EPOCHS 10000

static gboolean
too_many_epochs (const char *text, size_t len, char *const *sets)
{
  long long epochs = 0;
  g_autofree char *copy = g_strndup (text, len);
  /* libconfig would follow an @include itself, and it exits the process on
     one that names a folder: made a comment here (the loader under test
     expands @include on its own and refuses a folder). */
  for (char *at = strchr (copy, '@'); at; at = strchr (at + 1, '@'))
    *at = '#';
  config_t cfg;
  config_init (&cfg);
  if (config_read_string (&cfg, copy) == CONFIG_TRUE)
    config_lookup_int64 (&cfg, "experiment.epochs", &epochs);
  config_destroy (&cfg);
  /* Beyond 1e9 the range check refuses it at once. */
  if (epochs > MAX_EPOCHS && epochs <= 1000000000)
    return TRUE;
  for (int i = 0; sets[i]; i++)
    {
      const char *eq = strchr (sets[i], '=');
      if (!eq)
        continue;
      g_autofree char *key = g_strstrip (g_strndup (sets[i], (gsize) (eq - sets[i])));
      if (strcmp (key, "experiment.epochs") == 0
          && g_ascii_strtoll (eq + 1, NULL, 0) > MAX_EPOCHS)
        return TRUE;
      /* A hex or 64-bit literal: the same or larger. */
      if (strcmp (key, "experiment.epochs") == 0 && strpbrk (eq + 1, "xXlL"))
        return TRUE;
    }
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  size_t text_len = size;
  char *sets[MAX_SETS + 1] = { NULL };
  const char *sep = g_strstr_len (text, (gssize) size, "\n%%%\n");
  if (sep)
    {
      text_len = (size_t) (sep - text) + 1;
      const char *p = sep + 5, *end = text + size;
      int n = 0;
      while (p < end && n < MAX_SETS)
        {
          const char *nl = memchr (p, '\n', (size_t) (end - p));
          const char *stop = nl ? nl : end;
          /* An assignment is a C string: one with a NUL is cut there. */
          sets[n++] = g_strndup (p, (gsize) (stop - p));
          p = stop + 1;
        }
    }
  if (too_many_epochs (text, text_len, sets))
    goto out;
  if (ftruncate (memfd, 0) != 0 || pwrite (memfd, text, text_len, 0) != (ssize_t) text_len)
    abort ();

  GError *error = NULL;
  SomaifConfig *cfg = somaif_config_load (memfd_path, (const char *const *) sets,
                                          size % 3 == 0 ? (gint64) size : -1, &error);
  if (cfg)
    {
      /* The resolved config must read back as a valid config. */
      char *resolved = somaif_config_resolved (cfg);
      if (ftruncate (memfd, 0) != 0
          || pwrite (memfd, resolved, strlen (resolved), 0) != (ssize_t) strlen (resolved))
        abort ();
      SomaifConfig *again = somaif_config_load (memfd_path, NULL, -1, &error);
      if (!again)
        {
          fprintf (stderr, "the resolved config is refused: %s\n%s\n", error->message, resolved);
          abort ();
        }
      char *resolved2 = somaif_config_resolved (again);
      if (strcmp (resolved, resolved2) != 0)
        {
          fprintf (stderr, "the resolved config changes when read back:\n%s\n---\n%s\n",
                   resolved, resolved2);
          abort ();
        }
      g_free (resolved2);
      g_free (resolved);
      somaif_config_free (again);
      somaif_config_free (cfg);
    }
  else if (!error || !error->message || !*error->message)
    {
      fprintf (stderr, "somaif_config_load failed without a message\n");
      abort ();
    }
  g_clear_error (&error);
out:
  for (int i = 0; sets[i]; i++)
    g_free (sets[i]);
  return 0;
}
