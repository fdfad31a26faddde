/* test-loader.c: the plugin loader's search and every one of its refusals,
 * with the test plugins of tests/plugins/ (built into TEST_PLUGINS_DIR). */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "loader.h"
#include "test-tree.h"

#ifndef TEST_PLUGINS_DIR
#error "TEST_PLUGINS_DIR must name the folder of the test plugins"
#endif

/* nan-renderer and the faulty ones are valid too: their faults are the
 * run's to find (test-bad-input.sh). */
static const char *const good_names[] = {
  "good-gen", "good-plant", "good-renderer", "good-perceiver", "good-optimiser", "nan-renderer",
  "faulty-gen", "faulty-plant", "faulty-perceiver", "faulty-optimiser", "bad-sched-default",
  "old-plant" /* built for ABI 1.0: still loaded */
};
static const SomaifKind good_kinds[] = {
  SOMAIF_KIND_GENERATOR, SOMAIF_KIND_PLANT, SOMAIF_KIND_RENDERER, SOMAIF_KIND_PERCEIVER,
  SOMAIF_KIND_OPTIMISER, SOMAIF_KIND_RENDERER, SOMAIF_KIND_GENERATOR, SOMAIF_KIND_PLANT,
  SOMAIF_KIND_PERCEIVER, SOMAIF_KIND_OPTIMISER, SOMAIF_KIND_GENERATOR, SOMAIF_KIND_PLANT
};

static void
set_plugin_path (const char *path)
{
  g_assert_true (g_setenv ("SOMAIF_PLUGIN_PATH", path, TRUE));
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (!strstr (haystack, needle))
    g_error ("expected '%s' in the message: %s", needle, haystack);
}

/* Loads value and checks the refusal's code and that the message holds each
 * of the NULL-terminated strings that follow. */
static void
assert_refused (const char *value, const char *base_dir, SomaifKind kind, int code, ...)
{
  GError *error = NULL;
  SomaifPlugin *p = somaif_plugin_load (value, base_dir, kind, &error);
  if (p)
    g_error ("'%s' loaded from %s but should have been refused", value, p->path);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, code);
  g_test_message ("%s -> %s", value, error->message);
  va_list ap;
  va_start (ap, code);
  for (const char *s = va_arg (ap, const char *); s; s = va_arg (ap, const char *))
    assert_contains (error->message, s);
  va_end (ap);
  g_error_free (error);
}

static char *
copy_file (const char *from, const char *dir, const char *name)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  g_assert_true (g_file_get_contents (from, &data, &len, &error));
  char *to = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (to, data, (gssize) len, &error));
  g_assert_no_error (error);
  return to;
}

/* ------------------------------------------------------------------ */

static void
test_dirs (void)
{
  set_plugin_path ("/nonexistent/a::" TEST_PLUGINS_DIR ":");
  g_auto (GStrv) dirs = somaif_plugin_dirs ();
  /* Empty entries are skipped; the installed folder comes last. */
  g_assert_cmpuint (g_strv_length (dirs), ==, 3);
  g_assert_cmpstr (dirs[0], ==, "/nonexistent/a");
  g_assert_cmpstr (dirs[1], ==, TEST_PLUGINS_DIR);

  g_unsetenv ("SOMAIF_PLUGIN_PATH");
  g_auto (GStrv) only = somaif_plugin_dirs ();
  g_assert_cmpuint (g_strv_length (only), ==, 1);
  g_assert_cmpstr (only[0], ==, dirs[2]);
}

static void
test_good (void)
{
  set_plugin_path ("/nonexistent/a:" TEST_PLUGINS_DIR);
  for (guint i = 0; i < G_N_ELEMENTS (good_names); i++)
    {
      for (int any = 0; any < 2; any++)
        {
          GError *error = NULL;
          SomaifPlugin *p = somaif_plugin_load (good_names[i], NULL, any ? 0 : good_kinds[i],
                                                &error);
          g_assert_no_error (error);
          g_assert_nonnull (p);
          g_assert_nonnull (p->handle);
          g_assert_cmpstr (p->head->name, ==, good_names[i]);
          g_assert_cmpuint (p->head->kind, ==, good_kinds[i]);
          g_autofree char *want = g_strdup_printf ("%s/%s.so", TEST_PLUGINS_DIR, good_names[i]);
          g_assert_cmpstr (p->path, ==, want);
          somaif_plugin_free (p);
        }
    }
  somaif_plugin_free (NULL);
}

static void
test_not_found (void)
{
  set_plugin_path ("/nonexistent/first:" TEST_PLUGINS_DIR ":/nonexistent/last");
  g_auto (GStrv) dirs = somaif_plugin_dirs ();
  const char *installed = dirs[g_strv_length (dirs) - 1];
  assert_refused ("nosuch", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                  "'nosuch' not found", "nosuch.so", "/nonexistent/first", TEST_PLUGINS_DIR,
                  "/nonexistent/last", installed, NULL);
  /* Found nowhere, even though the folder holds other plugins. */
  set_plugin_path ("");
  assert_refused ("good-gen", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                  "good-gen.so", installed, NULL);
}

static void
test_exact_name (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  /* A bare name maps to exactly NAME.so: no prefix or partial matching. */
  assert_refused ("good", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND, "no good.so in", NULL);
  assert_refused ("good-ge", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND, "good-ge.so", NULL);
  assert_refused ("gen", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND, "gen.so", NULL);
  assert_refused ("GOOD-GEN", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND, "GOOD-GEN.so", NULL);
  assert_refused ("good-gen.so", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                  "good-gen.so.so", "without .so", NULL);
  assert_refused ("good gen", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                  "'good gen' is not a plugin name", NULL);
  assert_refused ("", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND, "not a plugin name", NULL);
}

static void
test_not_a_plugin (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused ("no-entry", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN,
                  TEST_PLUGINS_DIR "/no-entry.so", "not a somaif plugin",
                  "somaif_plugin_describe", NULL);

  /* A file named .so that is no shared object at all. */
  g_autofree char *dir = g_dir_make_tmp ("test-loader-XXXXXX", NULL);
  g_assert_nonnull (dir);
  g_autofree char *junk = g_build_filename (dir, "junk.so", NULL);
  g_assert_true (g_file_set_contents (junk, "this is text\n", -1, NULL));
  set_plugin_path (dir);
  assert_refused ("junk", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN, junk, "cannot be loaded",
                  NULL);
  assert_refused (junk, NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN, junk, "cannot be loaded",
                  NULL);
  g_assert_true (test_remove_tree (dir));
}

static void
test_abi (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  g_autofree char *host = g_strdup_printf ("ABI %d.%d", SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR);
  assert_refused ("bad-abi", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_ABI,
                  "bad-abi.so", "ABI 99.0", host, "major", NULL);
  g_autofree char *newer = g_strdup_printf ("ABI %d.%d", SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR + 1);
  assert_refused ("newer-minor", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_ABI,
                  "newer-minor.so", newer, host, "minor", NULL);
  /* The ABI is checked whatever kind is asked for. */
  assert_refused ("bad-abi", NULL, 0, SOMAIF_PLUGIN_ERROR_ABI, "ABI 99.0", NULL);
}

static void
test_kind (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused ("good-perceiver", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_KIND,
                  "good-perceiver.so", "is a perceiver plugin", "a generator is needed", NULL);
  assert_refused ("good-gen", NULL, SOMAIF_KIND_OPTIMISER, SOMAIF_PLUGIN_ERROR_KIND,
                  "is a generator plugin", "an optimiser is needed", NULL);
  assert_refused ("good-plant", NULL, SOMAIF_KIND_RENDERER, SOMAIF_PLUGIN_ERROR_KIND,
                  "is a plant plugin", "a renderer is needed", NULL);
}

static void
test_name_mismatch (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused ("wrong-name", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_NAME,
                  "calls itself 'other'", "'wrong-name.so'", NULL);

  /* A good plugin under another file name, given by path. */
  g_autofree char *dir = g_dir_make_tmp ("test-loader-XXXXXX", NULL);
  g_assert_nonnull (dir);
  g_autofree char *renamed = copy_file (TEST_PLUGINS_DIR "/good-gen.so", dir, "renamed.so");
  assert_refused (renamed, NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_NAME,
                  "calls itself 'good-gen'", "'renamed.so'", NULL);
  g_assert_true (test_remove_tree (dir));
}

static void
test_missing_method (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused ("missing-method", NULL, SOMAIF_KIND_GENERATOR,
                  SOMAIF_PLUGIN_ERROR_MISSING_METHOD, "missing-method.so",
                  "generator plugin 'missing-method'", "lacks the required run", NULL);
}

static void
test_bad_param (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused ("bad-param", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_PARAMS,
                  "bad-param.so", "'bad-param'", "invalid parameter 'units'",
                  "only a float may be schedulable", NULL);
}

static void
test_path (void)
{
  /* A value with a '/' is a path, taken relative to the base folder and
   * found whatever SOMAIF_PLUGIN_PATH says. */
  set_plugin_path ("/nonexistent");
  g_autofree char *parent = g_path_get_dirname (TEST_PLUGINS_DIR);
  const char *values[] = { "./good-gen.so", ".libs/good-gen.so", TEST_PLUGINS_DIR "/good-gen.so" };
  const char *bases[] = { TEST_PLUGINS_DIR, parent, "/nonexistent" };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      GError *error = NULL;
      SomaifPlugin *p = somaif_plugin_load (values[i], bases[i], SOMAIF_KIND_GENERATOR, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (p->head->name, ==, "good-gen");
      g_autofree char *canon = g_canonicalize_filename (p->path, NULL);
      g_assert_cmpstr (canon, ==, TEST_PLUGINS_DIR "/good-gen.so");
      somaif_plugin_free (p);
    }
  /* Relative to the base folder, not to the search path. */
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused (".libs/good-gen.so", TEST_PLUGINS_DIR, SOMAIF_KIND_GENERATOR,
                  SOMAIF_PLUGIN_ERROR_NOT_FOUND, TEST_PLUGINS_DIR "/.libs/good-gen.so",
                  "not found", NULL);
  assert_refused ("./good", TEST_PLUGINS_DIR, SOMAIF_KIND_GENERATOR,
                  SOMAIF_PLUGIN_ERROR_NOT_FOUND, TEST_PLUGINS_DIR "/./good", NULL);
  /* A path is checked like a name: here its kind. */
  assert_refused ("./good-plant.so", TEST_PLUGINS_DIR, SOMAIF_KIND_GENERATOR,
                  SOMAIF_PLUGIN_ERROR_KIND, "is a plant plugin", NULL);
  /* A folder or a device is no plugin file, and is called what it is. */
  assert_refused ("./", TEST_PLUGINS_DIR, SOMAIF_KIND_GENERATOR,
                  SOMAIF_PLUGIN_ERROR_NOT_FOUND, "is a folder, not a plugin file", NULL);
  assert_refused ("/dev/null", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                  "/dev/null is not a regular file", NULL);
  assert_refused ("./nosuch.so", TEST_PLUGINS_DIR, SOMAIF_KIND_GENERATOR,
                  SOMAIF_PLUGIN_ERROR_NOT_FOUND, "nosuch.so not found", NULL);
  /* By name too: a folder called NAME.so in the search path. */
  g_autofree char *dir = g_dir_make_tmp ("test-loader-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "hollow.so", NULL);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  set_plugin_path (dir);
  assert_refused ("hollow", NULL, 0, SOMAIF_PLUGIN_ERROR_NOT_FOUND, sub, "is a folder", NULL);
  g_assert_cmpint (g_rmdir (sub), ==, 0);
  g_assert_true (test_remove_tree (dir));
}

static void
test_bad_default (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused ("bad-default", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_PARAMS,
                  "bad-default.so", "invalid parameter 'gains'",
                  "its default [1.0, 2.0] has 2 numbers, but the declared length is 3", NULL);
  assert_refused ("dup-param", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_PARAMS,
                  "dup-param.so", "invalid parameter 'units' (declared twice)", NULL);
}

/* Checks one declaration alone: NULL reason means it must pass. */
static void
assert_spec (SomaifParamSpec spec, const char *reason)
{
  const SomaifParamSpec specs[] = { spec, SOMAIF_PARAM_END };
  GError *error = NULL;
  gboolean ok = somaif_plugin_check_specs (specs, "x.so", "x", &error);
  if (!reason)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_PARAMS);
  g_test_message ("%s", error->message);
  assert_contains (error->message, "x.so: plugin 'x' declares an invalid parameter 'p' (");
  assert_contains (error->message, reason);
  g_error_free (error);
}

static void
test_defaults (void)
{
  const SomaifParamType I = SOMAIF_PARAM_INT, F = SOMAIF_PARAM_FLOAT, B = SOMAIF_PARAM_BOOL,
    S = SOMAIF_PARAM_STRING, L = SOMAIF_PARAM_FLOATS;
  /* Valid: in range, unbounded, absent, a schedule, a quoted string. */
  assert_spec ((SomaifParamSpec) { "p", I, "64", 1, 64, 0, 0, "d" }, NULL);
  assert_spec ((SomaifParamSpec) { "p", F, "-1e9", 1, 0, 0, 0, "d" }, NULL);
  assert_spec ((SomaifParamSpec) { "p", F, "2", 0, 3, 0, 0, "d" }, NULL);
  assert_spec ((SomaifParamSpec) { "p", F, NULL, 0, 3, 0, 0, "d" }, NULL);
  assert_spec ((SomaifParamSpec) { "p", F, "{ from = 1.0; to = 0.1; }", 0, 3, 0,
                                   SOMAIF_PARAM_SCHEDULABLE, "d" }, NULL);
  assert_spec ((SomaifParamSpec) { "p", S, "\"text\"", 0, 0, 0, 0, "d" }, NULL);
  assert_spec ((SomaifParamSpec) { "p", B, "true", 0, 0, 0, 0, "d" }, NULL);
  assert_spec ((SomaifParamSpec) { "p", L, "[0.5, 1.0]", 0, 1, 2, 0, "d" }, NULL);
  /* Refused, each saying why. */
  assert_spec ((SomaifParamSpec) { "p", I, "65", 1, 64, 0, 0, "d" },
               "its default 65 is outside the range [1, 64]");
  assert_spec ((SomaifParamSpec) { "p", I, "1.5", 1, 64, 0, 0, "d" },
               "its default 1.5 is not an integer");
  assert_spec ((SomaifParamSpec) { "p", F, "0.6x", 0, 1, 0, 0, "d" },
               "its default 0.6x is not a libconfig value");
  assert_spec ((SomaifParamSpec) { "p", S, "text", 0, 0, 0, 0, "d" },
               "keeps its quotes");
  assert_spec ((SomaifParamSpec) { "p", S, "1", 0, 0, 0, 0, "d" },
               "its default 1 is not a string");
  assert_spec ((SomaifParamSpec) { "p", B, "1", 0, 0, 0, 0, "d" },
               "is not true or false");
  assert_spec ((SomaifParamSpec) { "p", L, "[0.5, 2.0]", 0, 1, 2, 0, "d" },
               "has element 1 (2) outside the range [0, 1]");
  assert_spec ((SomaifParamSpec) { "p", L, "[0.5]", 0, 1, 2, 0, "d" },
               "has 1 numbers, but the declared length is 2");
  assert_spec ((SomaifParamSpec) { "p", L, "0.5", 0, 1, 0, 0, "d" },
               "is not a list of numbers");
  assert_spec ((SomaifParamSpec) { "p", L, "[\"a\"]", 0, 1, 0, 0, "d" },
               "holds something other than numbers");
}

static void
test_extra_export (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  assert_refused ("extra-export", NULL, SOMAIF_KIND_GENERATOR,
                  SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN, "extra-export.so", "extra_export_helper",
                  "extra_export_table", "besides somaif_plugin_describe()",
                  "-fvisibility=hidden", NULL);
}

typedef struct
{
  int id;
  pthread_barrier_t *both;
  char seen[64];
} FailArgs;

static gpointer
fail_thread (gpointer data)
{
  FailArgs *a = data;
  g_assert_cmpint (somaif_plugin_fail ("thread %d: %s", a->id, "why"), ==, -1);
  /* Both have written before either reads. */
  pthread_barrier_wait (a->both);
  g_strlcpy (a->seen, somaif_plugin_take_failure (), sizeof a->seen);
  return NULL;
}

static void
test_fail (void)
{
  g_assert_null (somaif_plugin_take_failure ());
  pthread_barrier_t both;
  g_assert_cmpint (pthread_barrier_init (&both, NULL, 2), ==, 0);
  FailArgs a[2] = { { 1, &both, "" }, { 2, &both, "" } };
  GThread *t = g_thread_new ("fail", fail_thread, &a[0]);
  fail_thread (&a[1]);
  g_thread_join (t);
  pthread_barrier_destroy (&both);
  /* Each thread reads its own message, not the last written. */
  g_assert_cmpstr (a[0].seen, ==, "thread 1: why");
  g_assert_cmpstr (a[1].seen, ==, "thread 2: why");
  /* Cut, never overflowed. */
  char *longer = g_strnfill (1000, 'x');
  somaif_plugin_fail ("%s", longer);
  g_assert_cmpuint (strlen (somaif_plugin_take_failure ()), ==, 255);
  g_free (longer);
  /* Taken once: a later failure that left none does not show it again. */
  g_assert_null (somaif_plugin_take_failure ());

  /* The reason the host reports: this thread's message first. */
  set_plugin_path (TEST_PLUGINS_DIR);
  SomaifPlugin *p = somaif_plugin_load ("good-plant", NULL, 0, NULL); /* no error_message() */
  g_assert_nonnull (p);
  assert_contains (somaif_plugin_reason (p, NULL), "gave no reason");
  somaif_plugin_fail ("joint %d left its range", 2);
  g_assert_cmpstr (somaif_plugin_reason (p, NULL), ==, "joint 2 left its range");
  assert_contains (somaif_plugin_reason (p, NULL), "gave no reason");
  somaif_plugin_free (p);
}

/* Returns how many messages of problems hold needle. */
static guint
count_holding (GPtrArray *problems, const char *needle)
{
  guint n = 0;
  for (guint i = 0; i < problems->len; i++)
    n += strstr (g_ptr_array_index (problems, i), needle) != NULL;
  return n;
}

static const SomaifPlugin *
find_listed (GPtrArray *found, const char *name)
{
  for (guint i = 0; i < found->len; i++)
    {
      const SomaifPlugin *p = g_ptr_array_index (found, i);
      if (strcmp (p->head->name, name) == 0)
        return p;
    }
  return NULL;
}

static void
test_list (void)
{
  set_plugin_path (TEST_PLUGINS_DIR);
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *found = somaif_plugin_list (problems);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *) g_ptr_array_index (problems, i));

  /* The good ones, sorted by kind. */
  guint n_test = 0;
  guint prev_kind = 0;
  for (guint i = 0; i < found->len; i++)
    {
      const SomaifPlugin *p = g_ptr_array_index (found, i);
      g_assert_cmpuint (p->head->kind, >=, prev_kind);
      prev_kind = p->head->kind;
      if (g_str_has_prefix (p->path, TEST_PLUGINS_DIR "/"))
        n_test++;
    }
  g_assert_cmpuint (n_test, ==, G_N_ELEMENTS (good_names));
  for (guint i = 0; i < G_N_ELEMENTS (good_names); i++)
    {
      const SomaifPlugin *p = find_listed (found, good_names[i]);
      g_assert_nonnull (p);
      g_assert_cmpuint (p->head->kind, ==, good_kinds[i]);
    }

  /* The broken ones, each reported once with its reason. */
  static const struct { const char *file, *reason; } broken[] = {
    { "/no-entry.so", "not a somaif plugin" },
    { "/bad-abi.so", "ABI 99.0" },
    { "/newer-minor.so", "minor" },
    { "/wrong-name.so", "calls itself 'other'" },
    { "/missing-method.so", "lacks the required run" },
    { "/bad-param.so", "invalid parameter" },
    { "/bad-default.so", "the declared length is 3" },
    { "/dup-param.so", "declared twice" },
    { "/extra-export.so", "extra_export_helper" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *path = g_strconcat (TEST_PLUGINS_DIR, broken[i].file, NULL);
      g_assert_cmpuint (count_holding (problems, path), ==, 1);
      for (guint k = 0; k < problems->len; k++)
        if (strstr (g_ptr_array_index (problems, k), path))
          assert_contains (g_ptr_array_index (problems, k), broken[i].reason);
    }
  g_assert_cmpuint (count_holding (problems, TEST_PLUGINS_DIR "/"), ==, G_N_ELEMENTS (broken));
  g_ptr_array_free (found, TRUE);
  g_ptr_array_free (problems, TRUE);

  /* problems may be NULL. */
  found = somaif_plugin_list (NULL);
  g_assert_nonnull (find_listed (found, "good-gen"));
  g_ptr_array_free (found, TRUE);
}

static void
test_list_first_wins (void)
{
  /* A second folder holds a broken file called good-gen.so. */
  g_autofree char *dir = g_dir_make_tmp ("test-loader-XXXXXX", NULL);
  g_assert_nonnull (dir);
  g_autofree char *shadow = copy_file (TEST_PLUGINS_DIR "/bad-abi.so", dir, "good-gen.so");

  g_autofree char *after = g_strconcat (TEST_PLUGINS_DIR, ":", dir, NULL);
  set_plugin_path (after);
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *found = somaif_plugin_list (problems);
  const SomaifPlugin *p = find_listed (found, "good-gen");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->path, ==, TEST_PLUGINS_DIR "/good-gen.so");
  g_assert_cmpuint (count_holding (problems, shadow), ==, 0);
  g_ptr_array_free (found, TRUE);
  g_ptr_array_free (problems, TRUE);

  g_autofree char *before = g_strconcat (dir, ":", TEST_PLUGINS_DIR, NULL);
  set_plugin_path (before);
  problems = g_ptr_array_new_with_free_func (g_free);
  found = somaif_plugin_list (problems);
  g_assert_null (find_listed (found, "good-gen"));
  g_assert_cmpuint (count_holding (problems, shadow), ==, 1);
  g_assert_cmpuint (count_holding (problems, "ABI 99.0"), ==, 2);
  g_ptr_array_free (found, TRUE);
  g_ptr_array_free (problems, TRUE);
  /* The loader agrees: the first folder's file is the one opened. */
  assert_refused ("good-gen", NULL, SOMAIF_KIND_GENERATOR, SOMAIF_PLUGIN_ERROR_ABI, shadow,
                  NULL);
  g_assert_true (test_remove_tree (dir));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loader/dirs", test_dirs);
  g_test_add_func ("/loader/good", test_good);
  g_test_add_func ("/loader/not-found", test_not_found);
  g_test_add_func ("/loader/exact-name", test_exact_name);
  g_test_add_func ("/loader/not-a-plugin", test_not_a_plugin);
  g_test_add_func ("/loader/abi", test_abi);
  g_test_add_func ("/loader/kind", test_kind);
  g_test_add_func ("/loader/name-mismatch", test_name_mismatch);
  g_test_add_func ("/loader/missing-method", test_missing_method);
  g_test_add_func ("/loader/bad-param", test_bad_param);
  g_test_add_func ("/loader/path", test_path);
  g_test_add_func ("/loader/bad-default", test_bad_default);
  g_test_add_func ("/loader/defaults", test_defaults);
  g_test_add_func ("/loader/extra-export", test_extra_export);
  g_test_add_func ("/loader/list", test_list);
  g_test_add_func ("/loader/list-first-wins", test_list_first_wins);
  /* Last: it starts a thread, and the others change the environment. */
  g_test_add_func ("/loader/fail", test_fail);
  return g_test_run ();
}
