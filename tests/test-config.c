/* test-config.c: loading and validating experiment configs with the test
 * plugins: bad configs refused with file:line, the key path and a suggestion;
 * --set overrides; defaults filled; the resolved config reloading to the same
 * values. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "host.h"
#include "test-tree.h"

#ifndef TEST_PLUGINS_DIR
#error "TEST_PLUGINS_DIR must name the folder of the test plugins"
#endif

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

typedef struct
{
  char *dir;
} Tmp;

static void
tmp_setup (Tmp *t, gconstpointer data)
{
  GError *error = NULL;
  t->dir = g_dir_make_tmp ("test-config-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
tmp_teardown (Tmp *t, gconstpointer data)
{
  g_assert_true (test_remove_tree (t->dir));
  g_free (t->dir);
}

static char *
write_file (const Tmp *t, const char *name, const char *text, gssize len)
{
  char *path = g_build_filename (t->dir, name, NULL);
  GError *error = NULL;
  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (!strstr (haystack, needle))
    g_error ("expected '%s' in the message: %s", needle, haystack);
}

/* Loads path and checks that it fails with a message holding each of the
 * NULL-terminated expected strings. */
static void
assert_load_fails (const char *path, const char *const *sets, const char *const *expect)
{
  GError *error = NULL;
  SomaifConfig *c = somaif_config_load (path, sets, -1, &error);
  if (c)
    g_error ("%s loaded but should have been refused", path);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  for (int i = 0; expect[i]; i++)
    assert_contains (error->message, expect[i]);
  g_error_free (error);
}

static SomaifConfig *
load_ok (const char *path, const char *const *sets, gint64 seed)
{
  GError *error = NULL;
  SomaifConfig *c = somaif_config_load (path, sets, seed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  return c;
}

static const SomaifPart *
part (const SomaifConfig *c, SomaifKind kind)
{
  return &c->parts[kind - 1];
}

#define GEN(c) (part ((c), SOMAIF_KIND_GENERATOR)->params)

/* The base config: one group a line, so that a case replaces line k. */
static const char *const base_lines[6] = {
  "experiment = { epochs = 5; seed = 3; };",
  "generator = { plugin = \"good-gen\"; };",
  "plant = { plugin = \"good-plant\"; };",
  "renderer = { plugin = \"good-renderer\"; };",
  "perceiver = { plugin = \"good-perceiver\"; };",
  "optimiser = { plugin = \"good-optimiser\"; };",
};

/* Lines: NULL keeps the base line, "" leaves the line empty; extra is line 7. */
static char *
config_text (const char *const lines[6], const char *extra)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < 6; i++)
    g_string_append_printf (s, "%s\n", lines && lines[i] ? lines[i] : base_lines[i]);
  if (extra)
    g_string_append_printf (s, "%s\n", extra);
  return g_string_free (s, FALSE);
}

static char *
write_base (const Tmp *t, const char *name)
{
  g_autofree char *text = config_text (NULL, NULL);
  return write_file (t, name, text, -1);
}

/* ------------------------------------------------------------------ */
/* Bad configs, table-driven                                           */

typedef struct
{
  const char *what;
  const char *lines[6];
  const char *extra;
  const char *expect[5];
} BadCase;

#define PHASES(...) "perceiver = { plugin = \"good-perceiver\"; rate = { phases = ( " \
  __VA_ARGS__ " ); }; };"
#define RATE(...) "perceiver = { plugin = \"good-perceiver\"; rate = " __VA_ARGS__ "; };"
#define GENK(...) "generator = { plugin = \"good-gen\"; " __VA_ARGS__ " };"

static const BadCase bad_cases[] = {
  { "syntax error", { [2] = "plant = { plugin = = \"good-plant\"; };" }, NULL,
    { "bad.cfg:3: syntax error", NULL } },
  { "syntax error: two values", { [1] = GENK ("units = 3 4;") }, NULL,
    { "bad.cfg:2: syntax error", NULL } },
  { "unknown group, suggestion", { }, "optimizer = { plugin = \"good-optimiser\"; };",
    { "bad.cfg:7: optimizer: unknown key; did you mean 'optimiser'?", NULL } },
  { "unknown group, list", { }, "display = 1;",
    { "bad.cfg:7: display: unknown key",
      "(valid keys: experiment, generator, plant, renderer, perceiver, optimiser)", NULL } },
  { "unknown experiment key, suggestion", { [0] = "experiment = { epochs = 5; sed = 3; };" },
    NULL, { "bad.cfg:1: experiment.sed: unknown key; did you mean 'seed'?", NULL } },
  { "unknown experiment key, list", { [0] = "experiment = { epochs = 5; threads = 4; };" },
    NULL, { "bad.cfg:1: experiment.threads: unknown key",
            "valid keys: epochs, seed, steps, beta, snapshots", NULL } },
  { "unknown plugin key, suggestion", { [1] = GENK ("unitz = 3;") }, NULL,
    { "bad.cfg:2: generator.unitz: unknown key; did you mean 'units'?", NULL } },
  { "unknown plugin key, list", { [2] = "plant = { plugin = \"good-plant\"; colour = 1; };" },
    NULL, { "bad.cfg:3: plant.colour: unknown key", "valid keys: scale, plugin", NULL } },
  { "string for an integer", { [1] = GENK ("units = \"3\";") }, NULL,
    { "bad.cfg:2: generator.units: must be an integer", NULL } },
  { "float for an integer", { [1] = GENK ("units = 3.0;") }, NULL,
    { "bad.cfg:2: generator.units: must be an integer", NULL } },
  { "float for experiment.epochs", { [0] = "experiment = { epochs = 5.5; };" }, NULL,
    { "bad.cfg:1: experiment.epochs: must be an integer", NULL } },
  { "integer out of range", { [1] = GENK ("units = 65;") }, NULL,
    { "bad.cfg:2: generator.units: 65 is outside its range [1, 64]", NULL } },
  { "float out of range", { [1] = GENK ("gain = 10.5;") }, NULL,
    { "bad.cfg:2: generator.gain: 10.5 is outside its range [0, 10]", NULL } },
  { "zero epochs", { [0] = "experiment = { epochs = 0; };" }, NULL,
    { "bad.cfg:1: experiment.epochs: 0 is outside its range [1, ", NULL } },
  { "missing epochs", { [0] = "experiment = { seed = 3; };" }, NULL,
    { "bad.cfg:1: experiment.epochs: is required", "an integer", NULL } },
  { "missing group", { [2] = "" }, NULL,
    { "bad.cfg: the group 'plant' is missing", "plant = { plugin", NULL } },
  { "missing experiment", { [0] = "" }, NULL,
    { "bad.cfg: the group 'experiment' is missing", NULL } },
  { "group not a group", { [3] = "renderer = \"good-renderer\";" }, NULL,
    { "bad.cfg:4: renderer: must be a group", NULL } },
  { "experiment not a group", { [0] = "experiment = 5;" }, NULL,
    { "bad.cfg:1: experiment: must be a group", NULL } },
  { "missing plugin key", { [2] = "plant = { scale = 2.0; };" }, NULL,
    { "bad.cfg:3: plant.plugin: is required", NULL } },
  { "plugin not a string", { [2] = "plant = { plugin = 3; };" }, NULL,
    { "bad.cfg:3: plant.plugin: must be a string", NULL } },
  { "plugin not found", { [2] = "plant = { plugin = \"nosuch\"; };" }, NULL,
    { "bad.cfg:3: plant.plugin: plugin 'nosuch' not found", "nosuch.so",
      TEST_PLUGINS_DIR, NULL } },
  { "plugin file not found", { [2] = "plant = { plugin = \"./nosuch.so\"; };" }, NULL,
    { "bad.cfg:3: plant.plugin: plugin file ", "/nosuch.so not found", NULL } },
  { "wrong kind", { [1] = "generator = { plugin = \"good-perceiver\"; };" }, NULL,
    { "bad.cfg:2: generator.plugin: ", "is a perceiver plugin, but a generator is needed",
      NULL } },
  { "broken plugin", { [1] = "generator = { plugin = \"bad-abi\"; };" }, NULL,
    { "bad.cfg:2: generator.plugin: ", "ABI 99.0", NULL } },
  { "schedule of unknown kind, suggestion",
    { [4] = RATE ("{ liner = { from = 1.0; to = 0.0; }; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.liner: unknown key; did you mean 'linear'?", NULL } },
  { "schedule of unknown kind, list", { [4] = RATE ("{ cosine = 1.0; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.cosine: unknown key",
      "valid keys: constant, linear, exp, tanh, phases", NULL } },
  { "schedule of two kinds",
    { [4] = RATE ("{ constant = 1.0; linear = { from = 1.0; to = 0.0; }; }") }, NULL,
    { "bad.cfg:5: perceiver.rate: must be a number or a schedule with one of", NULL } },
  { "schedule member missing", { [4] = RATE ("{ linear = { from = 1.0; }; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.linear.to: is missing", NULL } },
  { "schedule member unknown",
    { [4] = RATE ("{ exp = { scale = 1.0; rate = -1.0; speed = 2.0; }; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.exp.speed: unknown key", "scale, rate", NULL } },
  { "schedule member not a number",
    { [4] = RATE ("{ tanh = { from = 1.0; to = \"0\"; centre = 0.5; sharpness = 2.0; }; }") },
    NULL, { "bad.cfg:5: perceiver.rate.tanh.to: must be a finite number", NULL } },
  { "phases out of order",
    { [4] = PHASES ("{ until_epoch = 3; value = 1.0; }, { until_epoch = 2; value = 0.5; },"
                    " { value = 0.0; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.phases[1].until_epoch: phases must end in increasing order",
      NULL } },
  { "last phase bounded",
    { [4] = PHASES ("{ until_epoch = 3; value = 1.0; }, { until_epoch = 4; value = 0.0; }") },
    NULL, { "bad.cfg:5: perceiver.rate.phases[1]: the last phase must have no bound",
            NULL } },
  { "unbounded phase before the last",
    { [4] = PHASES ("{ value = 1.0; }, { value = 0.0; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.phases[0]: only the last phase may go without", NULL } },
  { "phase without value", { [4] = PHASES ("{ until_epoch = 2; }, { value = 0.0; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.phases[0].value: is missing", NULL } },
  { "phase with two bounds",
    { [4] = PHASES ("{ until_epoch = 2; until_fraction = 0.5; value = 1.0; }, "
                    "{ value = 0.0; }") }, NULL,
    { "bad.cfg:5: perceiver.rate.phases[0].until_fraction: a phase has one bound", NULL } },
  { "fractional until_epoch",
    { [4] = PHASES ("{ until_epoch = 2.5; value = 1.0; }, { value = 0.0; }") }, NULL,
    { "perceiver.rate.phases[0].until_epoch: must be an integer epoch", NULL } },
  { "until_fraction above 1",
    { [4] = PHASES ("{ until_fraction = 1.5; value = 1.0; }, { value = 0.0; }") }, NULL,
    { "perceiver.rate.phases[0].until_fraction: must be a fraction of the run in [0, 1]",
      NULL } },
  { "empty phases", { [4] = PHASES ("") }, NULL,
    { "bad.cfg:5: perceiver.rate.phases: must be a non-empty list", NULL } },
  { "bad schedule inside a phase",
    { [4] = PHASES ("{ until_epoch = 1; value = { exp = { scale = 1.0; }; }; }, "
                    "{ value = 0.0; }") }, NULL,
    { "perceiver.rate.phases[0].value.exp.rate: is missing", NULL } },
  { "schedule of a non-schedulable parameter",
    { [2] = "plant = { plugin = \"good-plant\"; scale = { constant = 2.0; }; };" }, NULL,
    { "bad.cfg:3: plant.scale: cannot be scheduled", NULL } },
  { "schedule of an experiment key", { [0] = "experiment = { epochs = 5; beta = { constant = 1.0; }; };" },
    NULL, { "bad.cfg:1: experiment.beta: cannot be scheduled", NULL } },
  { "schedule out of range at an epoch",
    { [4] = RATE ("{ linear = { from = 0.5; to = 2.0; }; }") }, NULL,
    { "bad.cfg:5: perceiver.rate: takes the value 1.1", "at epoch 2",
      "outside its range [0, 1]", NULL } },
  { "phase value out of range at an epoch",
    { [4] = PHASES ("{ until_epoch = 4; value = 0.5; }, { value = -1.0; }") }, NULL,
    { "bad.cfg:5: perceiver.rate: takes the value -1 at epoch 4", NULL } },
  { "floats of the wrong length", { [1] = GENK ("offset = [1.0];") }, NULL,
    { "bad.cfg:2: generator.offset: must have 2 numbers, not 1", NULL } },
  { "floats too long", { [1] = GENK ("offset = [1.0, 2.0, 3.0];") }, NULL,
    { "bad.cfg:2: generator.offset: must have 2 numbers, not 3", NULL } },
  { "floats element out of range", { [1] = GENK ("offset = [1.0, 11.0];") }, NULL,
    { "bad.cfg:2: generator.offset: element 1 (11) is outside [-10, 10]", NULL } },
  { "floats element not a number", { [1] = GENK ("offset = (\"a\", 1.0);") }, NULL,
    { "bad.cfg:2: generator.offset: element 0 must be a finite number", NULL } },
  { "floats given a number", { [1] = GENK ("offset = 1.0;") }, NULL,
    { "bad.cfg:2: generator.offset: must be a list of numbers", NULL } },
  { "bool given a number", { [1] = GENK ("flip = 1;") }, NULL,
    { "bad.cfg:2: generator.flip: must be true or false", NULL } },
  { "string given a number", { [1] = GENK ("label = 3;") }, NULL,
    { "bad.cfg:2: generator.label: must be a string", NULL } },
  { "float given a string", { [1] = GENK ("gain = \"1\";") }, NULL,
    { "bad.cfg:2: generator.gain: must be a number or a schedule", NULL } },
  { "file of blank lines", { "", "", "", "", "", "" }, NULL,
    { "bad.cfg: the group 'experiment' is missing", NULL } },
};

static void
test_bad_configs (Tmp *t, gconstpointer data)
{
  g_assert_cmpuint (G_N_ELEMENTS (bad_cases), >=, 20);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *bc = &bad_cases[i];
      g_test_message ("case %u: %s", i, bc->what);
      g_autofree char *text = config_text (bc->lines, bc->extra);
      g_autofree char *path = write_file (t, "bad.cfg", text, -1);
      assert_load_fails (path, NULL, bc->expect);
    }
}

/* The base config loads: each bad case fails for its own change only. */
static void
test_base_config_loads (Tmp *t, gconstpointer data)
{
  g_autofree char *path = write_base (t, "good.cfg");
  SomaifConfig *c = load_ok (path, NULL, -1);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      g_assert_cmpint (c->parts[k].kind, ==, k + 1);
      g_assert_cmpint (c->parts[k].line, ==, k + 2);
      g_assert_cmpstr (c->parts[k].group, ==, somaif_kind_name (k + 1));
      g_assert_nonnull (c->parts[k].plugin);
    }
  g_assert_cmpstr (c->name, ==, "good");
  g_autofree char *canon = g_canonicalize_filename (t->dir, NULL);
  g_assert_cmpstr (c->dir, ==, canon);
  somaif_config_free (c);
}

static void
test_special_files (Tmp *t, gconstpointer data)
{
  static const char *const empty_expect[] = { "empty.cfg", "the group 'experiment' is missing",
                                              NULL };
  g_autofree char *empty = write_file (t, "empty.cfg", "", 0);
  assert_load_fails (empty, NULL, empty_expect);

  static const char *const comment_expect[] = { "the group 'experiment' is missing", NULL };
  g_autofree char *comments = write_file (t, "comments.cfg", "# nothing\n// here\n", -1);
  assert_load_fails (comments, NULL, comment_expect);

  static const char binary[] = { 'e', 'x', 0, 1, 2, (char) 0xff, (char) 0xfe, '\n', 0 };
  static const char *const bin_expect[] = { "binary.cfg", "not a text config file", NULL };
  g_autofree char *bin = write_file (t, "binary.cfg", binary, sizeof binary);
  assert_load_fails (bin, NULL, bin_expect);
  /* Invalid UTF-8 without a NUL byte is binary too. */
  static const char latin[] = "experiment = { epochs = 5; }; # \xe9\xff\n";
  g_autofree char *lat = write_file (t, "latin.cfg", latin, -1);
  assert_load_fails (lat, NULL, bin_expect + 1);

  g_autofree char *sub = g_build_filename (t->dir, "folder.cfg", NULL);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  static const char *const dir_expect[] = { "folder.cfg", "is a folder, not a config file", NULL };
  assert_load_fails (sub, NULL, dir_expect);

  g_autofree char *missing = g_build_filename (t->dir, "missing.cfg", NULL);
  static const char *const missing_expect[] = { "missing.cfg", NULL };
  assert_load_fails (missing, NULL, missing_expect);
}

/* ------------------------------------------------------------------ */
/* Values and defaults                                                 */

static void
test_defaults (Tmp *t, gconstpointer data)
{
  g_autofree char *path = write_base (t, "good.cfg");
  SomaifConfig *c = load_ok (path, NULL, -1);

  /* The experiment: given and defaulted. */
  g_assert_cmpint (c->epochs, ==, 5);
  g_assert_cmpint (c->seed, ==, 3);
  g_assert_cmpint (c->steps, ==, 100);
  g_assert_cmpfloat (c->beta, ==, 8.0);
  g_assert_cmpint (c->snapshots, ==, 10);
  g_assert_cmpint (somaif_params_get_int (c->experiment, "steps"), ==, 100);
  g_assert_cmpfloat (somaif_params_get_float (c->experiment, "beta"), ==, 8.0);
  g_assert_true (somaif_params_has (c->experiment, "epochs"));
  g_assert_true (somaif_params_has (c->experiment, "seed"));
  g_assert_false (somaif_params_has (c->experiment, "steps"));

  /* The generator: every type defaulted. */
  const SomaifParams *g = GEN (c);
  g_assert_cmpint (somaif_params_get_int (g, "units"), ==, 3);
  g_assert_cmpfloat (somaif_params_get_float (g, "gain"), ==, 1.0);
  g_assert_cmpstr (somaif_params_get_string (g, "label"), ==, "good");
  g_assert_false (somaif_params_get_bool (g, "flip"));
  int n = -1;
  const double *off = somaif_params_get_floats (g, "offset", &n);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpfloat (off[0], ==, 0.0);
  g_assert_cmpfloat (off[1], ==, 0.0);
  /* An OPTIONAL key without a default stays absent. */
  g_assert_null (somaif_params_get_string (g, "table"));
  for (const char *const *k = (const char *const[]) { "units", "gain", "label", "flip",
                                                      "offset", "table", NULL }; *k; k++)
    g_assert_false (somaif_params_has (g, *k));
  /* Wrong getter or undeclared name: 0 / NULL. */
  g_assert_cmpfloat (somaif_params_get_float (g, "units"), ==, 0.0);
  g_assert_cmpint (somaif_params_get_int (g, "gain"), ==, 0);
  g_assert_null (somaif_params_get_string (g, "nosuch"));
  g_assert_null (somaif_params_get_floats (g, "label", &n));
  g_assert_cmpint (n, ==, 0);
  g_assert_false (somaif_params_has (g, "nosuch"));

  /* The other parts' defaults. */
  const SomaifParams *r = part (c, SOMAIF_KIND_RENDERER)->params;
  g_assert_cmpint (somaif_params_get_int (r, "width"), ==, 8);
  g_assert_cmpint (somaif_params_get_int (r, "height"), ==, 8);
  g_assert_cmpfloat (somaif_params_get_float (r, "extent"), ==, 2.0);
  g_assert_cmpfloat (somaif_params_get_float (part (c, SOMAIF_KIND_PLANT)->params, "scale"),
                     ==, 1.0);
  const SomaifPart *per = part (c, SOMAIF_KIND_PERCEIVER);
  g_assert_cmpint (somaif_params_get_int (per->params, "units"), ==, 4);
  g_assert_cmpfloat (somaif_params_get_float (per->params, "rate"), ==, 0.5);
  /* A defaulted schedulable parameter is a constant schedule; others have none. */
  g_assert_nonnull (per->schedules[1]);
  g_assert_true (somaif_schedule_is_constant (per->schedules[1]));
  g_assert_null (per->schedules[0]);
  const SomaifPart *opt = part (c, SOMAIF_KIND_OPTIMISER);
  g_assert_cmpint (somaif_params_get_int (opt->params, "candidates"), ==, 2);
  g_assert_cmpfloat (somaif_params_get_float (opt->params, "sigma"), ==, 0.5);
  somaif_config_free (c);
}

static void
test_given_values (Tmp *t, gconstpointer data)
{
  const char *lines[6] = {
    "experiment = { epochs = 10; beta = 3; steps = 7; };",
    GENK ("units = 5; gain = 2; label = \"x y\"; offset = [1, -2]; flip = true;"
          " table = \"data/table.txt\";"),
    NULL, NULL,
    RATE ("{ linear = { from = 1; to = 0; }; }"),
    "optimiser = { plugin = \"good-optimiser\"; sigma = { exp = { scale = 2.0; rate = -1.0; }; }; };"
  };
  g_autofree char *text = config_text (lines, NULL);
  g_autofree char *path = write_file (t, "given.cfg", text, -1);
  SomaifConfig *c = load_ok (path, NULL, -1);

  /* Integers are accepted where floats are declared. */
  g_assert_cmpfloat (c->beta, ==, 3.0);
  g_assert_cmpint (c->steps, ==, 7);
  const SomaifParams *g = GEN (c);
  g_assert_cmpint (somaif_params_get_int (g, "units"), ==, 5);
  g_assert_cmpfloat (somaif_params_get_float (g, "gain"), ==, 2.0);
  g_assert_cmpstr (somaif_params_get_string (g, "label"), ==, "x y");
  g_assert_true (somaif_params_get_bool (g, "flip"));
  int n = 0;
  const double *off = somaif_params_get_floats (g, "offset", &n);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpfloat (off[0], ==, 1.0);
  g_assert_cmpfloat (off[1], ==, -2.0);
  /* A PATH string comes back relative to the config's folder. */
  g_autofree char *want = g_build_filename (c->dir, "data", "table.txt", NULL);
  g_assert_cmpstr (somaif_params_get_string (g, "table"), ==, want);
  for (const char *const *k = (const char *const[]) { "units", "gain", "label", "flip",
                                                      "offset", "table", NULL }; *k; k++)
    g_assert_true (somaif_params_has (g, *k));

  /* Scheduled parameters hold their value at epoch 0. */
  const SomaifPart *per = part (c, SOMAIF_KIND_PERCEIVER);
  g_assert_cmpfloat (somaif_params_get_float (per->params, "rate"), ==, 1.0);
  g_assert_cmpfloat (somaif_schedule_eval (per->schedules[1], 5, c->epochs), ==, 0.5);
  const SomaifPart *opt = part (c, SOMAIF_KIND_OPTIMISER);
  g_assert_cmpfloat (somaif_params_get_float (opt->params, "sigma"), ==, 2.0);
  g_assert_false (somaif_schedule_is_constant (opt->schedules[1]));
  somaif_config_free (c);

  /* The seed argument overrides experiment.seed. */
  c = load_ok (path, NULL, 42);
  g_assert_cmpint (c->seed, ==, 42);
  g_assert_cmpint (somaif_params_get_int (c->experiment, "seed"), ==, 42);
  g_assert_true (somaif_params_has (c->experiment, "seed"));
  somaif_config_free (c);
}

/* ------------------------------------------------------------------ */
/* --set                                                                */

static void
test_set_typed (Tmp *t, gconstpointer data)
{
  const char *lines[6] = { NULL, GENK ("units = 3;") };
  g_autofree char *text = config_text (lines, NULL);
  g_autofree char *path = write_file (t, "set.cfg", text, -1);
  const char *const sets[] = {
    "generator.units=4", "generator.units = 5", "generator.gain=2.5",
    "generator.label=\"hello world\"", "generator.offset=[1.0, -1.0]", "generator.flip=true",
    "experiment.epochs=7", "experiment.beta=2", "experiment.seed=5000000000",
    "perceiver.rate={ linear = { from = 0.25; to = 0.0; }; }",
    "plant.plugin=good-plant", NULL
  };
  SomaifConfig *c = load_ok (path, sets, -1);
  const SomaifParams *g = GEN (c);
  g_assert_cmpint (somaif_params_get_int (g, "units"), ==, 5); /* the last one wins */
  g_assert_cmpfloat (somaif_params_get_float (g, "gain"), ==, 2.5);
  g_assert_cmpstr (somaif_params_get_string (g, "label"), ==, "hello world");
  int n = 0;
  const double *off = somaif_params_get_floats (g, "offset", &n);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpfloat (off[0], ==, 1.0);
  g_assert_cmpfloat (off[1], ==, -1.0);
  g_assert_true (somaif_params_get_bool (g, "flip"));
  g_assert_cmpint (c->epochs, ==, 7);
  g_assert_cmpfloat (c->beta, ==, 2.0);
  g_assert_cmpint (c->seed, ==, G_GINT64_CONSTANT (5000000000));
  const SomaifPart *per = part (c, SOMAIF_KIND_PERCEIVER);
  g_assert_cmpfloat (somaif_params_get_float (per->params, "rate"), ==, 0.25);
  g_assert_cmpfloat (somaif_schedule_eval (per->schedules[1], 7, 7), ==, 0.0);
  somaif_config_free (c);
}

static void
test_set_bare_words (Tmp *t, gconstpointer data)
{
  /* A group missing from the file can be made with --set. */
  const char *lines[6] = { [2] = "" };
  g_autofree char *text = config_text (lines, NULL);
  g_autofree char *path = write_file (t, "set.cfg", text, -1);
  const char *const sets[] = {
    "plant.plugin=good-plant", "generator.label=hello", "generator.table=data/x.txt", NULL
  };
  SomaifConfig *c = load_ok (path, sets, -1);
  g_assert_cmpstr (part (c, SOMAIF_KIND_PLANT)->plugin->head->name, ==, "good-plant");
  g_assert_cmpstr (somaif_params_get_string (GEN (c), "label"), ==, "hello");
  /* A path given with --set is the user's: from the current folder. */
  g_autofree char *want = g_canonicalize_filename ("data/x.txt", NULL);
  g_assert_cmpstr (somaif_params_get_string (GEN (c), "table"), ==, want);
  somaif_config_free (c);
}

typedef struct
{
  const char *set;
  const char *expect[4];
} BadSet;

static const BadSet bad_sets[] = {
  { "generator.units", { "--set generator.units: expected key.path=value", NULL } },
  { "=3", { "expected key.path=value", NULL } },
  { "units=3", { "--set units=3", "must name a group and a key", NULL } },
  { "generator..units=3", { "'generator..units' is not a valid key path", NULL } },
  { "generator.1units=3", { "is not a valid key path", NULL } },
  { "generator.units.deeper=3", { "'units' in ", "set.cfg is not a group", NULL } },
  { "generator.units=[1,", { "'[1,' is not a config value", NULL } },
  { "generator.label=hello world", { "'hello world' is not a config value", NULL } },
  { "generator.units=abc",
    { "set.cfg: generator.units (from --set): must be an integer", NULL } },
  { "generator.units=100",
    { "set.cfg: generator.units (from --set): 100 is outside its range [1, 64]", NULL } },
  { "generator.unitz=3",
    { "set.cfg: generator.unitz (from --set): unknown key; did you mean 'units'?", NULL } },
  { "optimizer.sigma=1.0",
    { "set.cfg: optimizer (from --set): unknown key; did you mean 'optimiser'?", NULL } },
  { "perceiver.rate={ linear = { from = 0.5; }; }",
    { "perceiver.rate.linear.to (from --set): is missing", NULL } },
  { "perceiver.rate={ linear = { from = 0.5; to = 3.0; }; }",
    { "perceiver.rate (from --set): takes the value", "at epoch 2", NULL } },
  { "plant.scale={ constant = 1.0; }", { "plant.scale (from --set): cannot be scheduled",
                                          NULL } },
  { "generator.plugin=nosuch",
    { "generator.plugin (from --set): plugin 'nosuch' not found", NULL } },
};

static void
test_set_bad (Tmp *t, gconstpointer data)
{
  g_autofree char *path = write_base (t, "set.cfg");
  for (guint i = 0; i < G_N_ELEMENTS (bad_sets); i++)
    {
      g_test_message ("--set %s", bad_sets[i].set);
      const char *const sets[] = { "generator.units=4", bad_sets[i].set, NULL };
      assert_load_fails (path, sets, bad_sets[i].expect);
    }
}

/* ------------------------------------------------------------------ */
/* The resolved config                                                 */

/* Checks that b holds every value of a, schedules equal at every epoch. */
static void
assert_same_params (const SomaifParams *a, const SomaifParams *b, SomaifSchedule *const *sa,
                    SomaifSchedule *const *sb, gint64 epochs)
{
  g_assert_cmpint (a->n, ==, b->n);
  for (int i = 0; i < a->n; i++)
    {
      const SomaifParamValue *x = &a->values[i], *y = &b->values[i];
      g_assert_true (x->spec == y->spec);
      g_assert_cmpint (x->present, ==, y->present);
      if (!x->present)
        continue;
      /* Every present value is written, so the reloaded one is given. */
      g_assert_true (y->given);
      switch (x->spec->type)
        {
        case SOMAIF_PARAM_INT:
          g_assert_cmpint (x->i, ==, y->i);
          break;
        case SOMAIF_PARAM_FLOAT:
          g_assert_cmpfloat (x->f, ==, y->f);
          break;
        case SOMAIF_PARAM_BOOL:
          g_assert_cmpint (x->b, ==, y->b);
          break;
        case SOMAIF_PARAM_STRING:
          g_assert_cmpstr (x->s, ==, y->s);
          break;
        case SOMAIF_PARAM_FLOATS:
          g_assert_cmpint (x->n_floats, ==, y->n_floats);
          for (int k = 0; k < x->n_floats; k++)
            g_assert_cmpfloat (x->floats[k], ==, y->floats[k]);
          break;
        }
      if (sa)
        {
          g_assert_true ((sa[i] == NULL) == (sb[i] == NULL));
          for (gint64 e = 0; sa[i] && e < epochs; e++)
            g_assert_cmpfloat (somaif_schedule_eval (sa[i], e, epochs), ==,
                               somaif_schedule_eval (sb[i], e, epochs));
        }
    }
}

static const char *
skip_comments (const char *text)
{
  while (*text == '#' || *text == '\n')
    {
      const char *nl = strchr (text, '\n');
      text = nl ? nl + 1 : text + strlen (text);
    }
  return text;
}

static void
assert_resolved_round_trip (Tmp *t, const char *path)
{
  SomaifConfig *a = load_ok (path, NULL, -1);
  g_autofree char *text = somaif_config_resolved (a);
  g_test_message ("%s", text);
  g_autofree char *again = write_file (t, "resolved.cfg", text, -1);
  SomaifConfig *b = load_ok (again, NULL, -1);
  assert_same_params (a->experiment, b->experiment, NULL, NULL, 0);
  g_assert_cmpint (a->epochs, ==, b->epochs);
  g_assert_cmpint (a->seed, ==, b->seed);
  g_assert_cmpfloat (a->beta, ==, b->beta);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      g_autofree char *pa = g_canonicalize_filename (a->parts[k].plugin->path, NULL);
      g_autofree char *pb = g_canonicalize_filename (b->parts[k].plugin->path, NULL);
      g_assert_cmpstr (pa, ==, pb);
      assert_same_params (a->parts[k].params, b->parts[k].params, a->parts[k].schedules,
                          b->parts[k].schedules, a->epochs);
    }
  /* And the resolved config of the resolved config is the same text. */
  g_autofree char *text2 = somaif_config_resolved (b);
  g_assert_cmpstr (skip_comments (text), ==, skip_comments (text2));
  somaif_config_free (a);
  somaif_config_free (b);
}

static void
test_resolved_defaults (Tmp *t, gconstpointer data)
{
  g_autofree char *path = write_base (t, "good.cfg");
  assert_resolved_round_trip (t, path);
}

static void
test_resolved_rich (Tmp *t, gconstpointer data)
{
  /* A folder searched first holds another good-plant.so, so the plant given
   * by path must stay a path; the renderer given by a path that its name
   * also finds first may become a name. */
  g_autofree char *shadow_dir = g_build_filename (t->dir, "plugins", NULL);
  g_assert_cmpint (g_mkdir (shadow_dir, 0700), ==, 0);
  g_autofree char *shadow = g_build_filename (shadow_dir, "good-plant.so", NULL);
  {
    g_autofree char *bytes = NULL;
    gsize len = 0;
    g_assert_true (g_file_get_contents (TEST_PLUGINS_DIR "/good-plant.so", &bytes, &len, NULL));
    g_assert_true (g_file_set_contents (shadow, bytes, (gssize) len, NULL));
  }
  g_autofree char *search = g_strconcat (shadow_dir, ":", TEST_PLUGINS_DIR, NULL);
  g_setenv ("SOMAIF_PLUGIN_PATH", search, TRUE);

  const char *lines[6] = {
    "experiment = { epochs = 50; seed = 5000000000L; steps = 7; beta = 0.3; snapshots = 0; };",
    GENK ("units = 5; label = \"a \\\"quoted\\\" \\\\ label\"; offset = [0.1, -1e-300];"
          " flip = true; table = \"data/table.txt\";"
          " gain = { tanh = { from = 1.0; to = 0.1; centre = 0.75; sharpness = 20.0; }; };"),
    "plant = { plugin = \"" TEST_PLUGINS_DIR "/good-plant.so\"; scale = 0.1; };",
    "renderer = { plugin = \"" TEST_PLUGINS_DIR "/good-renderer.so\"; width = 6; height = 5;"
    " extent = 1e-3; };",
    PHASES ("{ until_epoch = 1; value = 1.0; },"
            " { until_fraction = 0.7; value = { exp = { scale = 0.5; rate = -3.0; }; }; },"
            " { until_fraction = 0.9; value = { phases = ( { until_epoch = 46; value = 0.2; },"
            "   { value = { linear = { from = 0.3; to = 0.1; }; }; } ); }; },"
            " { value = 0; }"),
    "optimiser = { plugin = \"good-optimiser\"; candidates = 3; sigma = 0.30000000000000004; };",
  };
  g_autofree char *text = config_text (lines, NULL);
  g_autofree char *path = write_file (t, "rich.cfg", text, -1);
  assert_resolved_round_trip (t, path);

  SomaifConfig *c = load_ok (path, NULL, -1);
  g_assert_cmpstr (part (c, SOMAIF_KIND_PLANT)->plugin->path, ==,
                   TEST_PLUGINS_DIR "/good-plant.so");
  g_assert_cmpint (c->seed, ==, G_GINT64_CONSTANT (5000000000));
  g_assert_cmpstr (somaif_params_get_string (GEN (c), "label"), ==, "a \"quoted\" \\ label");
  g_autofree char *res = somaif_config_resolved (c);
  assert_contains (res, "plugin = \"" TEST_PLUGINS_DIR "/good-plant.so\";");
  assert_contains (res, "plugin = \"good-renderer\";");
  assert_contains (res, "plugin = \"good-gen\";");
  assert_contains (res, "seed = 5000000000L;");
  assert_contains (res, "flip = true;");
  somaif_config_free (c);
  g_setenv ("SOMAIF_PLUGIN_PATH", TEST_PLUGINS_DIR, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("SOMAIF_PLUGIN_PATH", TEST_PLUGINS_DIR, TRUE);
#define ADD(name, fn) g_test_add (name, Tmp, NULL, tmp_setup, fn, tmp_teardown)
  ADD ("/config/base-loads", test_base_config_loads);
  ADD ("/config/bad", test_bad_configs);
  ADD ("/config/special-files", test_special_files);
  ADD ("/config/defaults", test_defaults);
  ADD ("/config/given-values", test_given_values);
  ADD ("/config/set/typed", test_set_typed);
  ADD ("/config/set/bare-words", test_set_bare_words);
  ADD ("/config/set/bad", test_set_bad);
  ADD ("/config/resolved/defaults", test_resolved_defaults);
  ADD ("/config/resolved/rich", test_resolved_rich);
  return g_test_run ();
}
