/* test-schedules.c: the seed's schedules, written in config syntax exactly as
 * configs/seed.cfg writes them, against the notebook's numbers in
 * golden/schedules.txt; each schedule kind on hand-computed cases; range
 * checks; and the written form parsing back to the same schedule. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "host.h"
#include "schedule.h"
#include "test-ci.h"

/* Copied from configs/seed.cfg. */
static const char seed_schedules[] =
  "perceiver = {\n"
  "  spread = { phases = (\n"
  "      { until_epoch = 1; value = 100.0; },\n"
  "      { value = { exp = { scale = 10.0; rate = -6.0; }; }; }\n"
  "    ); };\n"
  "  rate = { phases = (\n"
  "      { until_epoch = 1; value = 1.0; },\n"
  "      { until_fraction = 0.7; value = 0.01; },\n"
  "      { value = 0.0; }\n"
  "    ); };\n"
  "};\n"
  "optimiser = {\n"
  "  sigma = { tanh = { from = 1.0; to = 0.0; centre = 0.75; sharpness = 20.0; }; };\n"
  "  step = { phases = (\n"
  "      { until_fraction = 0.7; value = 1e-5; },\n"
  "      { value = 1e-3; }\n"
  "    ); };\n"
  "};\n";

static const char *const seed_keys[] = {
  "perceiver.spread", "perceiver.rate", "optimiser.sigma", "optimiser.step"
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("SOMAIF_TEST_DATA");
  if (dir)
    return g_build_filename (dir, "golden", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "data", "golden", name, NULL);
}

static char *
configs_path (const char *name)
{
  const char *dir = g_getenv ("SOMAIF_CONFIGS");
  if (dir)
    return g_build_filename (dir, name, NULL);
  return g_test_build_filename (G_TEST_DIST, "..", "configs", name, NULL);
}

/* Parses the setting at key of cfg as a schedule; fails the test on error. */
static SomaifSchedule *
parse_key (config_t *cfg, const char *key)
{
  config_setting_t *s = config_lookup (cfg, key);
  g_assert_nonnull (s);
  GError *error = NULL;
  SomaifSchedule *sched = somaif_schedule_parse (s, "test.cfg", key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sched);
  return sched;
}

static void
read_text (config_t *cfg, const char *text)
{
  config_init (cfg);
  if (config_read_string (cfg, text) != CONFIG_TRUE)
    g_error ("line %d: %s in:\n%s", config_error_line (cfg), config_error_text (cfg), text);
}

/* A schedule from the text of a value ("{ linear = ... }" or a number). */
static SomaifSchedule *
parse_value (const char *value)
{
  config_t cfg;
  g_autofree char *text = g_strdup_printf ("v = %s;", value);
  read_text (&cfg, text);
  SomaifSchedule *s = parse_key (&cfg, "v");
  config_destroy (&cfg);
  return s;
}

/* The parse error of a value's text. */
static char *
parse_error (const char *value)
{
  config_t cfg;
  g_autofree char *text = g_strdup_printf ("v = %s;", value);
  read_text (&cfg, text);
  GError *error = NULL;
  SomaifSchedule *s = somaif_schedule_parse (config_lookup (&cfg, "v"), "test.cfg", "v",
                                             &error);
  config_destroy (&cfg);
  g_assert_null (s);
  g_assert_nonnull (error);
  char *msg = g_strdup (error->message);
  g_error_free (error);
  return msg;
}

/* |got - want| <= rel |want|; exactly want when want is 0.  Returns the
 * relative error. */
static double
check_rel (const char *what, gint64 epoch, double got, double want, double rel)
{
  if (want == 0.0)
    {
      if (got != 0.0)
        g_error ("%s at epoch %" G_GINT64_FORMAT ": %.17g, expected exactly 0", what, epoch, got);
      return 0.0;
    }
  double err = fabs (got - want) / fabs (want);
  if (!(err <= rel))
    g_error ("%s at epoch %" G_GINT64_FORMAT ": %.17g, expected %.17g (relative error %g)",
             what, epoch, got, want, err);
  return err;
}

/* ------------------------------------------------------------------ */
/* The seed's schedules against the golden numbers                      */

static const SomaifArray *
golden (GHashTable *arrays, const char *name, int n)
{
  GError *error = NULL;
  const SomaifArray *a = somaif_arrays_get (arrays, name, n < 0 ? 0 : 1, n < 0 ? NULL : &n,
                                            &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

static void
check_against_golden (SomaifSchedule *const s[4], const char *source)
{
  g_autofree char *path = data_path ("schedules.txt");
  GError *error = NULL;
  GHashTable *arrays = somaif_arrays_load (path, &error);
  g_assert_no_error (error);
  const SomaifArray *ep = golden (arrays, "epochs", -1);
  const SomaifArray *e = golden (arrays, "e", 12);
  const SomaifArray *std = golden (arrays, "search_std", 12);
  const SomaifArray *spread = golden (arrays, "som_spread", 12);
  const SomaifArray *lr = golden (arrays, "som_lr", 12);
  const SomaifArray *alpha = golden (arrays, "alpha", 12);
  gint64 E = (gint64) ep->data[0];
  g_assert_cmpint (E, ==, 20000);

  double worst[4] = { 0 };
  int compared_spread = 0;
  for (gsize i = 0; i < e->size; i++)
    {
      gint64 epoch = (gint64) e->data[i];
      double v_spread = somaif_schedule_eval (s[0], epoch, E);
      double v_rate = somaif_schedule_eval (s[1], epoch, E);
      double v_sigma = somaif_schedule_eval (s[2], epoch, E);
      double v_step = somaif_schedule_eval (s[3], epoch, E);
      worst[0] = MAX (worst[0], check_rel ("search_std", epoch, v_sigma, std->data[i], 1e-12));
      if (!isnan (spread->data[i]))
        {
          worst[1] = MAX (worst[1], check_rel ("som_spread", epoch, v_spread, spread->data[i],
                                               1e-12));
          compared_spread++;
        }
      worst[2] = MAX (worst[2], check_rel ("som_lr", epoch, v_rate, lr->data[i], 1e-12));
      /* The optimiser's step is its base divided by the search std. */
      worst[3] = MAX (worst[3], check_rel ("alpha", epoch, v_step / v_sigma, alpha->data[i],
                                           1e-12));
    }
  g_assert_cmpint (compared_spread, ==, 7);
  g_test_message ("%s: worst relative errors: search_std %.3g, som_spread %.3g, som_lr %.3g, "
                  "alpha %.3g", source, worst[0], worst[1], worst[2], worst[3]);
  g_hash_table_destroy (arrays);
}

static void
test_seed_golden (void)
{
  config_t cfg;
  read_text (&cfg, seed_schedules);
  SomaifSchedule *s[4];
  for (int k = 0; k < 4; k++)
    s[k] = parse_key (&cfg, seed_keys[k]);
  config_destroy (&cfg);
  check_against_golden (s, "test text");
  /* Every value of the run lies in the declared ranges of the seed's plugins. */
  for (int k = 0; k < 4; k++)
    {
      GError *error = NULL;
      g_assert_true (somaif_schedule_check_range (s[k], 20000, 0, 1000, "seed.cfg", 1,
                                                  seed_keys[k], &error));
      g_assert_no_error (error);
      somaif_schedule_free (s[k]);
    }
}

/* configs/seed.cfg itself holds the same schedules (read without plugins). */
static void
test_seed_cfg_file (void)
{
  g_autofree char *path = configs_path ("seed.cfg");
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      test_skip_unless_ci ("configs/seed.cfg not found");
      return;
    }
  config_t file, text;
  config_init (&file);
  if (config_read_file (&file, path) != CONFIG_TRUE)
    g_error ("%s:%d: %s", path, config_error_line (&file), config_error_text (&file));
  read_text (&text, seed_schedules);
  SomaifSchedule *s[4];
  for (int k = 0; k < 4; k++)
    {
      s[k] = parse_key (&file, seed_keys[k]);
      SomaifSchedule *t = parse_key (&text, seed_keys[k]);
      for (gint64 e = 0; e < 20000; e++)
        g_assert_cmpfloat (somaif_schedule_eval (s[k], e, 20000), ==,
                           somaif_schedule_eval (t, e, 20000));
      somaif_schedule_free (t);
    }
  int epochs = 0;
  g_assert_true (config_lookup_int (&file, "experiment.epochs", &epochs));
  g_assert_cmpint (epochs, ==, 20000);
  check_against_golden (s, path);
  for (int k = 0; k < 4; k++)
    somaif_schedule_free (s[k]);
  config_destroy (&file);
  config_destroy (&text);
}

/* The seed's schedules at the boundaries the notebook uses. */
static void
test_seed_boundaries (void)
{
  config_t cfg;
  read_text (&cfg, seed_schedules);
  SomaifSchedule *spread = parse_key (&cfg, "perceiver.spread");
  SomaifSchedule *rate = parse_key (&cfg, "perceiver.rate");
  SomaifSchedule *step = parse_key (&cfg, "optimiser.step");
  config_destroy (&cfg);
  const gint64 E = 20000;
  g_assert_cmpfloat (somaif_schedule_eval (spread, 0, E), ==, 100.0);
  g_assert_cmpfloat (somaif_schedule_eval (spread, 1, E), ==, 10.0 * exp (-6.0 * 1 / 20000.0));
  g_assert_cmpfloat (somaif_schedule_eval (rate, 0, E), ==, 1.0);
  g_assert_cmpfloat (somaif_schedule_eval (rate, 1, E), ==, 0.01);
  g_assert_cmpfloat (somaif_schedule_eval (rate, 13999, E), ==, 0.01);
  g_assert_cmpfloat (somaif_schedule_eval (rate, 14000, E), ==, 0.0);
  g_assert_cmpfloat (somaif_schedule_eval (step, 13999, E), ==, 1e-5);
  g_assert_cmpfloat (somaif_schedule_eval (step, 14000, E), ==, 1e-3);
  /* With fractions, a shorter run moves the boundary with it. */
  g_assert_cmpfloat (somaif_schedule_eval (rate, 1399, 2000), ==, 0.01);
  g_assert_cmpfloat (somaif_schedule_eval (rate, 1400, 2000), ==, 0.0);
  g_assert_false (somaif_schedule_is_constant (rate));
  somaif_schedule_free (spread);
  somaif_schedule_free (rate);
  somaif_schedule_free (step);
}

/* ------------------------------------------------------------------ */
/* Each kind on hand-computed cases                                    */

typedef struct
{
  const char *text;
  gint64 epochs;
  gint64 epoch;
  double want;
} HandCase;

static const HandCase hand_cases[] = {
  { "0.25", 10, 7, 0.25 },
  { "3", 10, 0, 3.0 },
  { "-2.5e-3", 10, 9, -2.5e-3 },
  { "{ constant = 0.125; }", 10, 5, 0.125 },
  { "{ constant = 4; }", 10, 5, 4.0 },
  { "{ linear = { from = 1.0; to = 0.0; }; }", 10, 0, 1.0 },
  { "{ linear = { from = 1.0; to = 0.0; }; }", 10, 5, 0.5 },
  { "{ linear = { from = 1.0; to = 0.0; }; }", 10, 9, 0.1 },
  { "{ linear = { from = 1.0; to = 0.0; }; }", 10, 10, 0.0 },
  { "{ linear = { to = 6; from = 2; }; }", 4, 1, 3.0 },
  { "{ exp = { scale = 3.0; rate = -2.0; }; }", 10, 0, 3.0 },
  { "{ exp = { scale = 3.0; rate = -2.0; }; }", 10, 5, 1.1036383235143269 },   /* 3/e */
  { "{ exp = { scale = 10.0; rate = -6.0; }; }", 20000, 10000, 0.49787068367863943 },
  { "{ exp = { scale = 1.0; rate = 0.6931471805599453; }; }", 10, 10, 2.0 },
  { "{ tanh = { from = 0.0; to = 1.0; centre = 0.5; sharpness = 10.0; }; }", 10, 5, 0.5 },
  { "{ tanh = { from = 0.0; to = 1.0; centre = 0.5; sharpness = 10.0; }; }", 10, 10,
    0.99995460213129761 },  /* (tanh 5 + 1) / 2 */
  { "{ tanh = { from = 0.0; to = 1.0; centre = 0.5; sharpness = 10.0; }; }", 10, 0,
    4.5397868702434395e-05 },
  { "{ tanh = { from = 2.0; to = 4.0; centre = 0.25; sharpness = 4.0; }; }", 8, 2, 3.0 },
  { "{ tanh = { from = 1.0; to = 0.0; centre = 0.75; sharpness = 20.0; }; }", 20000, 15000,
    0.5 },
};

static const char phases_text[] =
  "{ phases = ( { until_epoch = 2; value = 7.0; },"
  "             { until_fraction = 0.5; value = 8.0; },"
  "             { value = 9.0; } ); }";

static const char nested_text[] =
  "{ phases = ( { until_epoch = 0; value = -1.0; },"
  "             { until_fraction = 0.0; value = -2.0; },"
  "             { until_epoch = 4; value = { linear = { from = 0.0; to = 10.0; }; }; },"
  "             { until_fraction = 0.8; value = { phases = ("
  "                   { until_epoch = 6; value = 5.0; },"
  "                   { value = { exp = { scale = 1.0; rate = 1.0; }; }; } ); }; },"
  "             { value = { constant = 0.5; }; } ); }";

static void
test_kinds (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hand_cases); i++)
    {
      const HandCase *c = &hand_cases[i];
      SomaifSchedule *s = parse_value (c->text);
      double got = somaif_schedule_eval (s, c->epoch, c->epochs);
      g_test_message ("%s at %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT ": %.17g (want %.17g)",
                      c->text, c->epoch, c->epochs, got, c->want);
      if (c->want == 0.0)
        g_assert_cmpfloat (got, ==, 0.0);
      else
        /* (tanh x + 1) / 2 loses digits to cancellation near 0: an absolute bound. */
        g_assert_cmpfloat_with_epsilon (got, c->want, 1e-14 * MAX (fabs (c->want), 1.0));
      gboolean constant = c->text[0] != '{' || strstr (c->text, "constant") != NULL;
      g_assert_cmpint (somaif_schedule_is_constant (s), ==, constant);
      somaif_schedule_free (s);
    }

  /* Phases: until_epoch is an index, until_fraction a share of the run; a
   * phase holds while e < its bound. */
  SomaifSchedule *p = parse_value (phases_text);
  static const double want10[] = { 7, 7, 8, 8, 8, 9, 9, 9, 9, 9 };
  for (int e = 0; e < 10; e++)
    g_assert_cmpfloat (somaif_schedule_eval (p, e, 10), ==, want10[e]);
  for (int e = 0; e < 20; e++)
    g_assert_cmpfloat (somaif_schedule_eval (p, e, 20), ==, e < 2 ? 7 : e < 10 ? 8 : 9);
  somaif_schedule_free (p);

  /* Empty phases never hold; formulas inside phases see the absolute epoch. */
  SomaifSchedule *n = parse_value (nested_text);
  const gint64 E = 10;
  for (gint64 e = 0; e < E; e++)
    {
      double want = e < 4 ? 10.0 * e / E : e < 6 ? 5.0 : e < 8 ? exp ((double) e / E) : 0.5;
      g_assert_cmpfloat_with_epsilon (somaif_schedule_eval (n, e, E), want, 1e-15);
    }
  somaif_schedule_free (n);

  SomaifSchedule *k = somaif_schedule_new_constant (1.5);
  g_assert_true (somaif_schedule_is_constant (k));
  g_assert_cmpfloat (somaif_schedule_eval (k, 123, 1000), ==, 1.5);
  somaif_schedule_free (k);
  somaif_schedule_free (NULL);
}

static void
test_parse_errors (void)
{
  static const struct { const char *text, *expect; } cases[] = {
    { "\"0.5\"", "test.cfg:1: v: must be a number or a schedule" },
    { "{ }", "v: must be a number or a schedule with one of: constant, linear, exp, tanh, phases" },
    { "{ linaer = { from = 1.0; to = 0.0; }; }", "v.linaer: unknown key; did you mean 'linear'?" },
    { "{ constant = \"x\"; }", "v.constant: must be a finite number" },
    { "{ linear = 1.0; }", "v.linear: must be a group" },
    { "{ exp = { scale = 1.0; }; }", "v.exp.rate: is missing" },
    { "{ tanh = { from = 1.0; to = 0.0; centre = 0.5; }; }", "v.tanh.sharpness: is missing" },
    { "{ phases = { value = 1.0; }; }", "v.phases: must be a non-empty list" },
    { "{ phases = ( 1.0 ); }", "v.phases[0]: a phase must be a group" },
    { "{ phases = ( { until_epoch = -1; value = 1.0; }, { value = 0.0; } ); }",
      "v.phases[0].until_epoch: must be an epoch index >= 0" },
    { "{ phases = ( { until_fraction = 0.5; value = 1.0; }, { until_fraction = 0.5; "
      "value = 2.0; }, { value = 0.0; } ); }",
      "v.phases[1].until_fraction: phases must end in increasing order" },
    { "{ phases = ( { until = 3; value = 1.0; }, { value = 0.0; } ); }",
      "v.phases[0].until: unknown key" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *msg = parse_error (cases[i].text);
      g_test_message ("%s -> %s", cases[i].text, msg);
      if (!strstr (msg, cases[i].expect))
        g_error ("expected '%s' in: %s", cases[i].expect, msg);
    }

  /* Nesting is bounded. */
  GString *deep = g_string_new ("1.0");
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *inner = g_string_free (deep, FALSE);
      deep = g_string_new (NULL);
      g_string_printf (deep, "{ phases = ( { value = %s; } ); }", inner);
    }
  g_autofree char *msg = parse_error (deep->str);
  g_assert_nonnull (strstr (msg, "nest too deeply"));
  g_string_free (deep, TRUE);
}

static void
test_check_range (void)
{
  SomaifSchedule *s = parse_value ("{ linear = { from = 0.5; to = 2.0; }; }");
  GError *error = NULL;
  g_assert_false (somaif_schedule_check_range (s, 5, 0.0, 1.0, "x.cfg", 7, "part.key", &error));
  g_assert_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "x.cfg:7: part.key: takes the value 1.1"));
  g_assert_nonnull (strstr (error->message, "at epoch 2, outside its range [0, 1]"));
  g_clear_error (&error);
  g_assert_true (somaif_schedule_check_range (s, 5, 0.0, 2.0, "x.cfg", 7, "part.key", &error));
  g_assert_no_error (error);
  /* min > max: unbounded. */
  g_assert_true (somaif_schedule_check_range (s, 5, 1.0, 0.0, "x.cfg", 7, "part.key", &error));
  g_assert_no_error (error);
  somaif_schedule_free (s);

  /* Only the last epoch goes out of range: every epoch is checked. */
  s = parse_value ("{ phases = ( { until_epoch = 999; value = 0.5; }, { value = 3.0; } ); }");
  g_assert_false (somaif_schedule_check_range (s, 1000, 0.0, 1.0, "x.cfg", 0, "k", &error));
  g_assert_nonnull (strstr (error->message, "at epoch 999"));
  g_assert_nonnull (strstr (error->message, "(from --set)"));
  g_clear_error (&error);
  somaif_schedule_free (s);

  /* Overflow to infinity is refused even without a range. */
  s = parse_value ("{ exp = { scale = 1.0; rate = 2000.0; }; }");
  g_assert_false (somaif_schedule_check_range (s, 2, 1.0, 0.0, "x.cfg", 3, "k", &error));
  g_assert_nonnull (strstr (error->message, "x.cfg:3: k: is not finite at epoch 1"));
  g_clear_error (&error);
  somaif_schedule_free (s);
}

/* ------------------------------------------------------------------ */
/* Written form                                                        */

static void
assert_round_trip (const char *text, gint64 E, int indent)
{
  SomaifSchedule *a = parse_value (text);
  GString *w = g_string_new (NULL);
  somaif_schedule_write (a, w, indent);
  g_test_message ("%s\n  -> %s", text, w->str);
  SomaifSchedule *b = parse_value (w->str);
  for (gint64 e = 0; e <= E; e++)
    {
      double x = somaif_schedule_eval (a, e, E), y = somaif_schedule_eval (b, e, E);
      if (memcmp (&x, &y, sizeof x) != 0)
        g_error ("%s: epoch %" G_GINT64_FORMAT ": %.17g before writing, %.17g after", text, e,
                 x, y);
    }
  g_assert_cmpint (somaif_schedule_is_constant (a), ==, somaif_schedule_is_constant (b));
  GString *w2 = g_string_new (NULL);
  somaif_schedule_write (b, w2, indent);
  g_assert_cmpstr (w->str, ==, w2->str);
  g_string_free (w, TRUE);
  g_string_free (w2, TRUE);
  somaif_schedule_free (a);
  somaif_schedule_free (b);
}

static void
test_write_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hand_cases); i++)
    assert_round_trip (hand_cases[i].text, 1000, 2);
  assert_round_trip (phases_text, 1000, 2);
  assert_round_trip (nested_text, 1000, 0);
  assert_round_trip ("{ linear = { from = 0.1; to = 0.30000000000000004; }; }", 997, 4);
  assert_round_trip ("{ constant = 1e-300; }", 3, 2);
  assert_round_trip ("{ exp = { scale = 123456789012345.0; rate = -1e-7; }; }", 100, 2);

  config_t cfg;
  read_text (&cfg, seed_schedules);
  for (int k = 0; k < 4; k++)
    {
      SomaifSchedule *s = parse_key (&cfg, seed_keys[k]);
      GString *w = g_string_new (NULL);
      somaif_schedule_write (s, w, 2);
      assert_round_trip (w->str, 20000, 2);
      g_string_free (w, TRUE);
      somaif_schedule_free (s);
    }
  config_destroy (&cfg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schedules/seed/golden", test_seed_golden);
  g_test_add_func ("/schedules/seed/seed-cfg", test_seed_cfg_file);
  g_test_add_func ("/schedules/seed/boundaries", test_seed_boundaries);
  g_test_add_func ("/schedules/kinds", test_kinds);
  g_test_add_func ("/schedules/parse-errors", test_parse_errors);
  g_test_add_func ("/schedules/check-range", test_check_range);
  g_test_add_func ("/schedules/write-round-trip", test_write_round_trip);
  return g_test_run ();
}
