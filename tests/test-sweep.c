/* test-sweep: a sweep file's combinations and folder names, Student's t
 * quantiles, the summary statistics and summary.csv on hand-made runs. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "figures.h"
#include "host.h"
#include "rundir.h"
#include "sweep.h"
#include "test-tree.h"

static char *
make_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("somaif-sweep-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
write_file (const char *dir, const char *leaf, const char *text)
{
  g_autofree char *path = g_build_filename (dir, leaf, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0777), ==, 0);
  GError *error = NULL;
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static SomaifSweep *
load_ok (const char *text)
{
  GError *error = NULL;
  SomaifSweep *s = somaif_sweep_load_data (text, "/nowhere/test.cfg", &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

/* Refused, with a message holding want. */
static void
load_bad (const char *text, const char *want)
{
  GError *error = NULL;
  SomaifSweep *s = somaif_sweep_load_data (text, "/nowhere/test.cfg", &error);
  g_assert_null (s);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  if (!strstr (error->message, want))
    g_error ("message '%s' lacks '%s'", error->message, want);
  g_error_free (error);
}

/* ------------------------------------------------------------------ */

static void
test_enumeration (void)
{
  SomaifSweep *s = load_ok ("base = \"/cfg/quick.cfg\";\n"
                            "vary = ( { key = \"experiment.beta\"; values = [4.0, 8.0]; },\n"
                            "         { key = \"perceiver.units\"; values = [10, 20, 30]; } );\n"
                            "seeds = { from = 1; count = 2; };\n");
  g_assert_cmpstr (s->base, ==, "/cfg/quick.cfg");
  g_assert_cmpstr (s->name, ==, "test");
  g_assert_cmpint (s->n_axes, ==, 2);
  g_assert_cmpint (s->n_combos, ==, 6);
  g_assert_cmpint (s->n_seeds, ==, 2);
  g_assert_cmpint (s->threads, ==, 1);
  g_assert_cmpint (somaif_sweep_n_runs (s), ==, 12);

  /* The first axis varies slowest, the seed fastest. */
  const char *want[12] = {
    "beta=4-units=10-seed=1", "beta=4-units=10-seed=2", "beta=4-units=20-seed=1",
    "beta=4-units=20-seed=2", "beta=4-units=30-seed=1", "beta=4-units=30-seed=2",
    "beta=8-units=10-seed=1", "beta=8-units=10-seed=2", "beta=8-units=20-seed=1",
    "beta=8-units=20-seed=2", "beta=8-units=30-seed=1", "beta=8-units=30-seed=2",
  };
  for (int r = 0; r < 12; r++)
    {
      g_autofree char *name = somaif_sweep_run_name (s, r);
      g_assert_cmpstr (name, ==, want[r]);
      g_assert_cmpint (somaif_sweep_run_seed (s, r), ==, 1 + r % 2);
    }
  int index[2];
  somaif_sweep_combo_indices (s, 4, index);
  g_assert_cmpint (index[0], ==, 1);
  g_assert_cmpint (index[1], ==, 1);
  g_auto (GStrv) sets = somaif_sweep_combo_sets (s, 4);
  g_assert_cmpint (g_strv_length (sets), ==, 2);
  g_assert_cmpstr (sets[0], ==, "experiment.beta=8.0");
  g_assert_cmpstr (sets[1], ==, "perceiver.units=20");
  g_autofree char *combo = somaif_sweep_combo_name (s, 5);
  g_assert_cmpstr (combo, ==, "beta=8-units=30");

  /* The resolved text enumerates the same runs. */
  g_autofree char *resolved = somaif_sweep_resolved (s);
  g_test_message ("%s", resolved);
  GError *error = NULL;
  SomaifSweep *t = somaif_sweep_load_data (resolved, "/out/sweep.cfg", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->name, ==, "test");
  g_assert_cmpstr (t->base, ==, "/cfg/quick.cfg");
  g_assert_cmpint (somaif_sweep_n_runs (t), ==, 12);
  for (int r = 0; r < 12; r++)
    {
      g_autofree char *a = somaif_sweep_run_name (t, r);
      g_assert_cmpstr (a, ==, want[r]);
    }
  for (int c = 0; c < 6; c++)
    {
      g_auto (GStrv) a = somaif_sweep_combo_sets (s, c);
      g_auto (GStrv) b = somaif_sweep_combo_sets (t, c);
      g_assert_true (g_strv_equal ((const char *const *) a, (const char *const *) b));
    }
  somaif_sweep_free (t);
  somaif_sweep_free (s);
}

static void
test_no_axis (void)
{
  SomaifSweep *s = load_ok ("base = \"/cfg/quick.cfg\"; seeds = [5, 9, 2]; threads = 2;");
  g_assert_cmpint (s->n_combos, ==, 1);
  g_assert_cmpint (somaif_sweep_n_runs (s), ==, 3);
  g_assert_cmpint (s->threads, ==, 2);
  g_autofree char *n0 = somaif_sweep_run_name (s, 0);
  g_autofree char *n2 = somaif_sweep_run_name (s, 2);
  g_assert_cmpstr (n0, ==, "base-seed=5");
  g_assert_cmpstr (n2, ==, "base-seed=2");
  g_auto (GStrv) sets = somaif_sweep_combo_sets (s, 0);
  g_assert_cmpint (g_strv_length (sets), ==, 0);
  somaif_sweep_free (s);
}

static void
test_names (void)
{
  /* Values of every type, as --set text and as folder names. */
  SomaifSweep *s = load_ok (
    "base = \"/b.cfg\";\n"
    "vary = ( { key = \"optimiser.step\"; values = [1e-5, 0.1, -2.5, 3.0]; },\n"
    "         { key = \"generator.plugin\"; values = (\"esn\", \"../my plugins/x.so\"); },\n"
    "         { key = \"plant.initial_angles\"; values = ([0.5, 2.0], [1.0, 1.5]); },\n"
    "         { key = \"experiment.flag\"; values = [true, false]; },\n"
    "         { key = \"experiment.big\"; values = [5000000000L]; } );\n"
    "seeds = [3];\n");
  const SomaifSweepAxis *a = &s->axes[0];
  g_assert_cmpstr (a->label, ==, "step");
  g_assert_cmpstr (a->values[0], ==, "1e-05");
  g_assert_cmpstr (a->names[0], ==, "1e-05");
  g_assert_cmpstr (a->values[1], ==, "0.1");
  g_assert_cmpstr (a->names[1], ==, "0.1");
  g_assert_cmpstr (a->names[2], ==, "-2.5");
  g_assert_cmpstr (a->values[3], ==, "3.0");
  g_assert_cmpstr (a->names[3], ==, "3");
  a = &s->axes[1];
  g_assert_cmpstr (a->values[0], ==, "\"esn\"");
  g_assert_cmpstr (a->names[0], ==, "esn");
  g_assert_cmpstr (a->values[1], ==, "\"../my plugins/x.so\"");
  g_assert_cmpstr (a->names[1], ==, ".._my_plugins_x.so");
  a = &s->axes[2];
  g_assert_cmpstr (a->label, ==, "initial_angles");
  g_assert_cmpstr (a->values[0], ==, "[0.5, 2.0]");
  g_assert_cmpstr (a->names[0], ==, "0.5,2");
  a = &s->axes[3];
  g_assert_cmpstr (a->values[1], ==, "false");
  g_assert_cmpstr (a->names[0], ==, "true");
  a = &s->axes[4];
  g_assert_cmpstr (a->values[0], ==, "5000000000L");
  g_assert_cmpstr (a->names[0], ==, "5000000000");
  g_autofree char *last = somaif_sweep_run_name (s, somaif_sweep_n_runs (s) - 1);
  g_assert_cmpstr (last, ==,
                   "step=3-plugin=.._my_plugins_x.so-initial_angles=1,1.5-flag=false-big=5000000000-seed=3");
  /* No folder separator or space can reach a name. */
  for (int r = 0; r < somaif_sweep_n_runs (s); r++)
    {
      g_autofree char *n = somaif_sweep_run_name (s, r);
      g_assert_null (strpbrk (n, "/ \\\"[]"));
    }
  somaif_sweep_free (s);

  /* Two varied keys sharing a last part are named in full. */
  s = load_ok ("base = \"/b.cfg\"; seeds = [1];\n"
               "vary = ( { key = \"generator.units\"; values = [50]; },\n"
               "         { key = \"perceiver.units\"; values = [10]; } );");
  g_autofree char *n = somaif_sweep_run_name (s, 0);
  g_assert_cmpstr (n, ==, "generator.units=50-perceiver.units=10-seed=1");
  somaif_sweep_free (s);

  g_autofree char *a1 = somaif_sweep_sanitise ("a/b c\\d");
  g_assert_cmpstr (a1, ==, "a_b_c_d");
  g_autofree char *a2 = somaif_sweep_sanitise ("..");
  g_assert_cmpstr (a2, ==, ".._");
  g_autofree char *a3 = somaif_sweep_sanitise ("");
  g_assert_cmpstr (a3, ==, "_");
  g_autofree char *a4 = somaif_sweep_sanitise ("caf\xc3\xa9 = 1");
  g_assert_cmpstr (a4, ==, "caf_1");

  /* Names too long for a file are cut and keep a hash. */
  GString *long_text = g_string_new ("base = \"/b.cfg\"; seeds = [1]; vary = ( { key = "
                                     "\"generator.tag\"; values = [\"");
  for (int i = 0; i < 300; i++)
    g_string_append_c (long_text, 'a' + i % 26);
  g_string_append (long_text, "\", \"");
  for (int i = 0; i < 300; i++)
    g_string_append_c (long_text, 'a' + i % 26);
  g_string_append (long_text, "x\"]; } );");
  s = load_ok (long_text->str);
  g_string_free (long_text, TRUE);
  g_autofree char *l0 = somaif_sweep_run_name (s, 0);
  g_autofree char *l1 = somaif_sweep_run_name (s, 1);
  g_assert_cmpuint (strlen (l0), <, 255);
  g_assert_cmpstr (l0, !=, l1);
  somaif_sweep_free (s);
}

static void
test_refusals (void)
{
  load_bad ("vary = ();", "base");
  load_bad ("base = \"/b.cfg\"; seed = 1;", "did you mean 'seeds'");
  load_bad ("base = \"/b.cfg\"; vary = ( { key = \"experiment.seed\"; values = [1, 2]; } );",
            "seeds");
  load_bad ("base = \"/b.cfg\"; vary = ( { key = \"beta\"; values = [1.0]; } );",
            "not a key path");
  load_bad ("base = \"/b.cfg\"; vary = ( { key = \"experiment.beta\"; values = []; } );",
            "non-empty");
  load_bad ("base = \"/b.cfg\"; vary = ( { key = \"experiment.beta\"; values = (4, 4.0); } );",
            "folder name '4'");
  load_bad ("base = \"/b.cfg\"; vary = ( { key = \"experiment.beta\"; values = [4.0]; },"
            " { key = \"experiment.beta\"; values = [8.0]; } );", "varied twice");
  load_bad ("base = \"/b.cfg\"; vary = ( { key = \"experiment.beta\"; value = [4.0]; } );",
            "did you mean 'values'");
  load_bad ("base = \"/b.cfg\"; seeds = { from = 1; };", "seeds.count");
  load_bad ("base = \"/b.cfg\"; seeds = { from = -1; count = 2; };", "seeds.from");
  load_bad ("base = \"/b.cfg\"; seeds = [1, 2, 1];", "listed twice");
  load_bad ("base = \"/b.cfg\"; threads = 0;", "threads");
  load_bad ("base = \"/b.cfg\"; vary = ", "syntax error");
  /* figure: a summary column against a varied key of numbers (> 0 for log) */
  const char *beta = "base = \"/b.cfg\"; vary = ( { key = \"experiment.beta\"; "
                     "values = [0.5, 2.0]; }, { key = \"generator.plugin\"; values = [\"a\"]; } ); ";
  g_autofree char *c1 = g_strconcat (beta, "figure = { column = \"speed\"; against = \"beta\"; };", NULL);
  g_autofree char *c2 = g_strconcat (beta, "figure = { column = \"distance\"; against = \"units\"; };", NULL);
  g_autofree char *c3 = g_strconcat (beta, "figure = { column = \"distance\"; against = \"plugin\"; };", NULL);
  g_autofree char *c4 = g_strconcat (beta, "figure = { column = \"distance\"; };", NULL);
  g_autofree char *c5 = g_strconcat (beta, "figure = { column = \"distance\"; against = \"beta\"; log = 1; };", NULL);
  load_bad (c1, "figure.column");
  load_bad (c2, "figure.against");
  load_bad (c3, "numbers");
  load_bad (c4, "figure");
  load_bad (c5, "figure.log");
  load_bad ("base = \"/b.cfg\"; vary = ( { key = \"experiment.beta\"; values = [0.0, 2.0]; } );"
            " figure = { column = \"recognised\"; against = \"beta\"; log = true; };", "> 0");
}

/* figure: read, and written back into sweep.cfg so that --summarise draws it. */
static void
test_figure_setting (void)
{
  SomaifSweep *s = load_ok ("base = \"/b.cfg\"; vary = ( { key = \"experiment.beta\"; "
                            "values = [0.5, 2.0]; } ); figure = { column = \"recognised\"; "
                            "against = \"experiment.beta\"; log = true; };");
  g_assert_cmpint (s->figure_stat, ==, SOMAIF_SWEEP_RECOGNISED);
  g_assert_cmpint (s->figure_axis, ==, 0);
  g_assert_true (s->figure_log);
  g_autofree char *text = somaif_sweep_resolved (s);
  GError *error = NULL;
  SomaifSweep *again = somaif_sweep_load_data (text, "/x/sweep.cfg", &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->figure_stat, ==, SOMAIF_SWEEP_RECOGNISED);
  g_assert_true (again->figure_log);
  somaif_sweep_free (again);
  somaif_sweep_free (s);
  s = load_ok ("base = \"/b.cfg\";");
  g_assert_cmpint (s->figure_stat, ==, -1);
  somaif_sweep_free (s);
}

static void
test_base_paths (void)
{
  g_autofree char *dir = make_tmpdir ();
  write_file (dir, "sub/base.cfg", "experiment = { epochs = 10; seed = 7; };\n");
  write_file (dir, "sub/s.cfg", "base = \"base.cfg\";\n");
  write_file (dir, "installed/named.cfg", "experiment = { epochs = 10; };\n");
  g_autofree char *sweep_file = g_build_filename (dir, "sub", "s.cfg", NULL);
  GError *error = NULL;
  SomaifSweep *s = somaif_sweep_load (sweep_file, &error);
  g_assert_no_error (error);
  g_autofree char *want = g_build_filename (dir, "sub", "base.cfg", NULL);
  g_assert_cmpstr (s->base, ==, want);
  /* No seeds: the base config's own seed. */
  g_assert_cmpint (s->n_seeds, ==, 1);
  g_assert_cmpint (s->seeds[0], ==, 7);
  somaif_sweep_free (s);

  /* A bare name not beside the sweep file: an installed config. */
  g_autofree char *installed = g_build_filename (dir, "installed", NULL);
  g_setenv ("SOMAIF_CONFIGS_DIR", installed, TRUE);
  write_file (dir, "sub/t.cfg", "base = \"named\"; seeds = { count = 3; };\n");
  g_autofree char *t_file = g_build_filename (dir, "sub", "t.cfg", NULL);
  s = somaif_sweep_load (t_file, &error);
  g_assert_no_error (error);
  g_autofree char *want2 = g_build_filename (installed, "named.cfg", NULL);
  g_assert_cmpstr (s->base, ==, want2);
  g_assert_cmpint (s->seeds[0], ==, 0);
  g_assert_cmpint (s->seeds[2], ==, 2);
  somaif_sweep_free (s);
  /* a sweep named without a path: the installed one, its base beside it */
  write_file (dir, "installed/study.cfg", "base = \"named.cfg\";\n");
  s = somaif_sweep_load ("study", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->name, ==, "study");
  g_assert_cmpstr (s->base, ==, want2);
  somaif_sweep_free (s);
  g_unsetenv ("SOMAIF_CONFIGS_DIR");
  s = somaif_sweep_load ("study", &error);
  g_assert_null (s);
  g_assert_nonnull (strstr (error->message, "study"));
  g_clear_error (&error);

  s = somaif_sweep_load (dir, &error);
  g_assert_null (s);
  g_assert_error (error, g_quark_from_static_string ("somaif-config-error-quark"), 2);
  g_clear_error (&error);
  test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */

static void
test_t_quantiles (void)
{
  /* Closed forms for 1 and 2 degrees of freedom. */
  double worst = 0.0;
  double t1 = somaif_t_quantile (0.975, 1);
  double t2 = somaif_t_quantile (0.975, 2);
  g_assert_cmpfloat_with_epsilon (t1, tan (G_PI * 0.475), 1e-9);
  g_assert_cmpfloat_with_epsilon (t2, 0.95 * sqrt (2.0 / (4 * 0.975 * 0.025)), 1e-11);
  /* Tabulated values (R's qt). */
  const struct { double p, df, t; } table[] = {
    { 0.975, 3, 3.182446305 }, { 0.975, 4, 2.776445105 }, { 0.975, 5, 2.570581836 },
    { 0.975, 7, 2.364624252 }, { 0.975, 9, 2.262157163 }, { 0.975, 10, 2.228138852 },
    { 0.975, 30, 2.042272456 }, { 0.975, 100, 1.983971519 }, { 0.995, 5, 4.032142984 },
    { 0.95, 1, 6.313751515 }, { 0.975, 1e9, 1.959963985 }, { 0.975, 1e12, 1.959963985 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      double t = somaif_t_quantile (table[i].p, table[i].df);
      double err = fabs (t - table[i].t);
      worst = MAX (worst, err);
      if (err > 2e-9)
        g_error ("t(%g, %g) = %.12g, want %.10g", table[i].p, table[i].df, t, table[i].t);
    }
  g_test_message ("worst error against the table: %.3g", worst);
  /* Symmetry and the middle. */
  g_assert_cmpfloat_with_epsilon (somaif_t_quantile (0.025, 3), -3.182446305, 1e-8);
  g_assert_cmpfloat (somaif_t_quantile (0.5, 3), ==, 0.0);
  g_assert_true (isnan (somaif_t_quantile (0.975, 0)));
  g_assert_true (isnan (somaif_t_quantile (1.5, 3)));
}

static void
test_statistics (void)
{
  double m, h;
  const double x[4] = { 1, 2, 3, 4 };
  somaif_mean_ci95 (x, 4, &m, &h);
  g_assert_cmpfloat (m, ==, 2.5);
  /* t(0.975, 3) sqrt(5/3) / 2 */
  g_assert_cmpfloat_with_epsilon (h, 2.054260256760879, 1e-9);
  const double y[8] = { 2, 4, 4, 4, 5, 5, 7, 9 };
  somaif_mean_ci95 (y, 8, &m, &h);
  g_assert_cmpfloat (m, ==, 5.0);
  g_assert_cmpfloat_with_epsilon (h, 1.7874879182362104, 1e-9);
  somaif_mean_ci95 (x, 1, &m, &h);
  g_assert_cmpfloat (m, ==, 1.0);
  g_assert_true (isnan (h));
  somaif_mean_ci95 (x, 0, &m, &h);
  g_assert_true (isnan (m) && isnan (h));
  const double same[3] = { 7, 7, 7 };
  somaif_mean_ci95 (same, 3, &m, &h);
  g_assert_cmpfloat (m, ==, 7.0);
  g_assert_cmpfloat (h, ==, 0.0);

  /* Curves: over the shortest, point by point. */
  double c0[3] = { 1, 2, 3 }, c1[2] = { 3, 6 }, c2[4] = { 5, 10, 0, 0 };
  double *curves[3] = { c0, c1, c2 };
  int lens[3] = { 3, 2, 4 };
  double *mean, *band;
  int len = somaif_sweep_mean_curves (3, lens, curves, &mean, &band);
  g_assert_cmpint (len, ==, 2);
  g_assert_cmpfloat (mean[0], ==, 3.0);
  g_assert_cmpfloat (mean[1], ==, 6.0);
  /* s = 2 and 4: t(0.975, 2) s / sqrt(3) */
  g_assert_cmpfloat_with_epsilon (band[0], 4.302652729749464 * 2 / sqrt (3.0), 1e-9);
  g_assert_cmpfloat_with_epsilon (band[1], 4.302652729749464 * 4 / sqrt (3.0), 1e-9);
  g_free (mean);
  g_free (band);
  len = somaif_sweep_mean_curves (0, lens, curves, &mean, &band);
  g_assert_cmpint (len, ==, 0);
  g_assert_null (mean);
}

/* ------------------------------------------------------------------ */

/* model/prototypes.npy of a map of goals units (1 x 1 images). */
static void
write_model (const char *dir, int goals)
{
  g_autofree char *model = g_build_filename (dir, "model", NULL);
  g_autofree char *path = g_build_filename (model, "prototypes.npy", NULL);
  g_assert_cmpint (g_mkdir_with_parents (model, 0777), ==, 0);
  float v[4] = { 1, 1, 1, 1 };
  int shape[3] = { goals, 1, 1 };
  g_assert_true (somaif_rundir_write_npy_f32 (path, v, 3, shape, NULL));
}

static void
test_run_state (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_assert_cmpint (somaif_sweep_run_state (dir), ==, SOMAIF_SWEEP_RUN_NEW);
  write_file (dir, "metrics.csv", "epoch\n");
  g_assert_cmpint (somaif_sweep_run_state (dir), ==, SOMAIF_SWEEP_RUN_NEW);
  write_file (dir, "checkpoint.bin", "x");
  g_assert_cmpint (somaif_sweep_run_state (dir), ==, SOMAIF_SWEEP_RUN_INTERRUPTED);
  write_file (dir, "run.json", "{}");
  g_assert_cmpint (somaif_sweep_run_state (dir), ==, SOMAIF_SWEEP_RUN_NEW);
  write_file (dir, "final.csv", "goal,winner,distance,accuracy,complexity\n0,0,0,1,1\n");
  /* Without the model, final.csv's length cannot be checked: not done. */
  g_assert_cmpint (somaif_sweep_run_state (dir), ==, SOMAIF_SWEEP_RUN_NEW);
  write_model (dir, 1);
  g_assert_cmpint (somaif_sweep_run_state (dir), ==, SOMAIF_SWEEP_RUN_DONE);
  write_model (dir, 2);
  g_assert_cmpint (somaif_sweep_run_state (dir), ==, SOMAIF_SWEEP_RUN_NEW);
  g_autofree char *missing = g_build_filename (dir, "nothing", NULL);
  g_assert_cmpint (somaif_sweep_run_state (missing), ==, SOMAIF_SWEEP_RUN_NEW);
  test_remove_tree (dir);
}

/* A finished run's files: two goals, two candidates an epoch, four epochs;
 * every rollout's accuracy acc and complexity comp; final.csv's accuracy
 * terms fa0 and fa1. */
static void
fake_run_d (const char *outdir, const char *name, double acc, double comp, double fa0,
            double fa1, double wall, int winner1)
{
  g_autofree char *dir = g_build_filename (outdir, name, NULL);
  GString *m = g_string_new ("epoch,goal,candidate,winner,accuracy,complexity,free_energy\n");
  for (int e = 0; e < 4; e++)
    for (int c = 0; c < 2; c++)
      g_string_append_printf (m, "%d,%d,%d,0,%g,%g,%g\n", e, e % 2, c, acc, comp, acc + comp);
  write_file (dir, "metrics.csv", m->str);
  g_string_free (m, TRUE);
  /* goal 1's winner may miss it, by winner1 - 1 units (no wrap: a small map) */
  g_autofree char *fin = g_strdup_printf ("goal,winner,distance,accuracy,complexity\n"
                                          "0,0,0,%g,0.5\n1,%d,%d,%g,1.5\n", fa0, winner1,
                                          abs (winner1 - 1), fa1);
  write_file (dir, "final.csv", fin);
  write_model (dir, 2);
  g_autofree char *json = g_strdup_printf ("{\n  \"threads\": 1,\n  \"wall_seconds\": %g,\n"
                                           "  \"command\": \"x\"\n}\n", wall);
  write_file (dir, "run.json", json);
}

static void
fake_run (const char *outdir, const char *name, double acc, double comp, double fa0,
          double fa1, double wall)
{
  fake_run_d (outdir, name, acc, comp, fa0, fa1, wall, 1);
}

/* The config.cfg somaif-run writes for the sweep's run. */
static void
fake_config (const SomaifSweep *s, const char *outdir, int run)
{
  g_auto (GStrv) sets = somaif_sweep_run_sets (s, run / s->n_seeds);
  GError *error = NULL;
  SomaifConfig *cfg = somaif_config_load (s->base, (const char *const *) sets,
                                          somaif_sweep_run_seed (s, run), &error);
  g_assert_no_error (error);
  g_autofree char *text = somaif_config_resolved (cfg);
  somaif_config_free (cfg);
  g_autofree char *name = somaif_sweep_run_name (s, run);
  g_autofree char *dir = g_build_filename (outdir, name, NULL);
  write_file (dir, "config.cfg", text);
}

/* A sweep over a base of the test plugins (their .libs searched first). */
static SomaifSweep *
tiny_sweep (const char *dir, const char *extra)
{
  const char *path = g_getenv ("SOMAIF_PLUGIN_PATH");
  const char *build = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *libs = g_build_filename (build ? build : ".", ".libs", NULL);
  if (!path || !strstr (path, libs))
    {
      g_autofree char *both = path ? g_strconcat (libs, ":", path, NULL) : g_strdup (libs);
      g_setenv ("SOMAIF_PLUGIN_PATH", both, TRUE);
    }
  write_file (dir, "tiny.cfg",
              "experiment = { epochs = 4; };\n"
              "generator = { plugin = \"good-gen\"; };\nplant = { plugin = \"good-plant\"; };\n"
              "renderer = { plugin = \"good-renderer\"; };\n"
              "perceiver = { plugin = \"good-perceiver\"; units = 2; };\n"
              "optimiser = { plugin = \"good-optimiser\"; };\n");
  g_autofree char *text = g_strdup_printf (
    "base = \"%s/tiny.cfg\"; seeds = { from = 1; count = 2; };\n"
    "vary = ( { key = \"experiment.beta\"; values = [4.0, 8.0]; },\n"
    "         { key = \"generator.label\"; values = [\"a,b\"]; } );\n%s", dir, extra);
  return load_ok (text);
}

static void
test_summary (void)
{
  g_autofree char *out = make_tmpdir ();
  g_autofree char *base_dir = make_tmpdir ();
  SomaifSweep *s = tiny_sweep (base_dir, "");
  fake_run (out, "beta=4-label=a,b-seed=1", 10, 1, 100, 200, 2.0);
  fake_run (out, "beta=4-label=a,b-seed=2", 20, 3, 300, 400, 4.0);
  fake_run (out, "beta=8-label=a,b-seed=1", 30, 5, 50, 50, 3.0);
  for (int run = 0; run < 3; run++)
    fake_config (s, out, run);
  /* beta=8 seed 2 was interrupted: not counted. */
  write_file (out, "beta=8-label=a,b-seed=2/checkpoint.bin", "x");

  GError *error = NULL;
  int missing = -1;
  g_assert_true (somaif_sweep_summarise (s, out, &missing, &error));
  g_assert_no_error (error);
  g_assert_cmpint (missing, ==, 1);

  g_autofree char *csv_path = g_build_filename (out, "summary.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_test_message ("%s", csv);
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpint (g_strv_length (lines), ==, 4); /* header, 2 rows, "" */
  g_assert_cmpstr (lines[0], ==, "experiment.beta,generator.label,runs,accuracy_mean,"
                   "accuracy_ci95,complexity_mean,complexity_ci95,wall_seconds_mean,"
                   "wall_seconds_ci95,distance_mean,distance_ci95,recognised_mean,"
                   "recognised_ci95");
  /* Accuracy per run: 150 and 350 -> mean 250, s = 141.42..., half-width
   * t(0.975, 1) * 100.  Complexity 1 each: half-width 0.  Wall 2 and 4. */
  g_auto (GStrv) f = g_strsplit (lines[1], ",", -1);
  g_assert_cmpint (g_strv_length (f), ==, 14); /* "a,b" quoted: two pieces */
  g_assert_cmpstr (f[0], ==, "4");
  g_assert_cmpstr (f[1], ==, "\"a");
  g_assert_cmpstr (f[2], ==, "b\"");
  g_assert_cmpstr (f[3], ==, "2");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[4], NULL), 250.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[5], NULL), 12.70620474 * 100.0, 1e-4);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[6], NULL), 1.0, 1e-12);
  g_assert_cmpfloat (g_ascii_strtod (f[7], NULL), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[8], NULL), 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[9], NULL), 12.70620474, 1e-6);
  /* every goal recognised, at distance 0 */
  g_assert_cmpfloat (g_ascii_strtod (f[10], NULL), ==, 0.0);
  g_assert_cmpfloat (g_ascii_strtod (f[12], NULL), ==, 1.0);
  g_assert_cmpfloat (g_ascii_strtod (f[13], NULL), ==, 0.0);
  g_assert_cmpstr (lines[2], ==, "8,\"a,b\",1,50,nan,1,nan,3,nan,0,nan,1,nan");

  g_autofree char *png = g_build_filename (out, "sweep.png", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (png, &data, &len, NULL));
  g_assert_cmpuint (len, >, 1000);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  /* no figure asked for: no sweep-COLUMN.png */
  g_autofree char *col_png = g_build_filename (out, "sweep-distance.png", NULL);
  g_assert_false (g_file_test (col_png, G_FILE_TEST_EXISTS));
  SomaifSweep *sf = tiny_sweep (base_dir, "figure = { column = \"distance\"; against = "
                                "\"beta\"; log = true; };");
  g_assert_true (somaif_sweep_summarise (sf, out, &missing, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (col_png, G_FILE_TEST_IS_REGULAR));
  somaif_sweep_free (sf);

  /* A finished run with a truncated or missing final.csv: an error saying so. */
  write_file (out, "beta=4-label=a,b-seed=2/final.csv",
              "goal,winner,distance,accuracy,complexity\n0,0,0,1,1\n");
  g_assert_false (somaif_sweep_summarise (s, out, &missing, &error));
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_clear_error (&error);
  g_autofree char *gone = g_build_filename (out, "beta=4-label=a,b-seed=2/final.csv", NULL);
  g_remove (gone);
  g_assert_false (somaif_sweep_summarise (s, out, &missing, &error));
  g_assert_nonnull (strstr (error->message, "no final.csv"));
  g_clear_error (&error);
  fake_run (out, "beta=4-label=a,b-seed=2", 20, 3, 300, 400, 4.0);

  /* Another sweep's run (another seed here) is refused, saying so. */
  g_autofree char *cfg1 = g_build_filename (out, "beta=4-label=a,b-seed=1", "config.cfg", NULL);
  g_autofree char *cfg2 = g_build_filename (out, "beta=4-label=a,b-seed=2", "config.cfg", NULL);
  g_autofree char *text1 = NULL;
  g_assert_true (g_file_get_contents (cfg1, &text1, NULL, NULL));
  g_assert_true (g_file_set_contents (cfg2, text1, -1, NULL));
  g_assert_false (somaif_sweep_summarise (s, out, &missing, &error));
  g_assert_nonnull (strstr (error->message, "not this sweep's run beta=4-label=a,b-seed=2"));
  g_clear_error (&error);
  g_autofree char *run2 = g_build_filename (out, "beta=4-label=a,b-seed=2", NULL);
  g_assert_cmpint (somaif_sweep_run_state (run2), ==, SOMAIF_SWEEP_RUN_DONE);
  g_assert_cmpint (somaif_sweep_run_state_of (s, 1, run2), ==, SOMAIF_SWEEP_RUN_NEW);
  fake_config (s, out, 1);
  g_assert_cmpint (somaif_sweep_run_state_of (s, 1, run2), ==, SOMAIF_SWEEP_RUN_DONE);

  /* A damaged finished run is an error naming its file. */
  write_file (out, "beta=8-label=a,b-seed=1/metrics.csv",
              "epoch,goal,candidate,winner,accuracy,complexity,free_energy\n1,2,x\n");
  g_assert_false (somaif_sweep_summarise (s, out, &missing, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "metrics.csv:2"));
  g_clear_error (&error);

  somaif_sweep_free (s);
  test_remove_tree (out);
  test_remove_tree (base_dir);
}

static void
test_read_run (void)
{
  g_autofree char *out = make_tmpdir ();
  fake_run (out, "r", 1, 1, 3, 5, 12.5);
  g_autofree char *dir = g_build_filename (out, "r", NULL);
  fake_run_d (out, "miss", 1, 1, 3, 5, 2.0, 4);
  g_autofree char *miss = g_build_filename (out, "miss", NULL);
  double st[SOMAIF_SWEEP_N_STATS];
  GError *error = NULL;
  g_assert_true (somaif_sweep_read_run (dir, st, &error));
  g_assert_cmpfloat (st[SOMAIF_SWEEP_ACCURACY], ==, 4.0);
  g_assert_cmpfloat (st[SOMAIF_SWEEP_COMPLEXITY], ==, 1.0);
  g_assert_cmpfloat (st[SOMAIF_SWEEP_WALL_SECONDS], ==, 12.5);
  g_assert_cmpfloat (st[SOMAIF_SWEEP_DISTANCE], ==, 0.0);
  g_assert_cmpfloat (st[SOMAIF_SWEEP_RECOGNISED], ==, 1.0);
  /* goal 1 won by unit 4: distance 3, one goal of two recognised */
  g_assert_true (somaif_sweep_read_run (miss, st, &error));
  g_assert_cmpfloat (st[SOMAIF_SWEEP_DISTANCE], ==, 1.5);
  g_assert_cmpfloat (st[SOMAIF_SWEEP_RECOGNISED], ==, 0.5);
  g_assert_cmpstr (somaif_sweep_stat_name (SOMAIF_SWEEP_RECOGNISED), ==, "recognised");
  write_file (dir, "run.json", "{ \"threads\": 1 }");
  g_assert_false (somaif_sweep_read_run (dir, st, &error));
  g_assert_nonnull (strstr (error->message, "wall_seconds"));
  g_clear_error (&error);
  test_remove_tree (out);
}

/* The figure of several curves survives awkward input. */
static void
test_figure (void)
{
  g_autofree char *out = make_tmpdir ();
  g_autofree char *path = g_build_filename (out, "f.png", NULL);
  enum { N = 75 };
  const char *panels[2] = { "Inaccuracy", "Complexity" };
  char *labels[N];
  int points[N];
  double *mean[2 * N], *band[2 * N];
  for (int c = 0; c < N; c++)
    {
      labels[c] = g_strdup_printf (c == 3 ? "a very long label %d that goes on and on and on "
                                   "and on and on and on and on and on and on and on" : "c%d", c);
      points[c] = c % 5 == 4 ? (c % 10 == 4 ? 0 : 1) : 20;
      for (int p = 0; p < 2; p++)
        {
          mean[p * N + c] = g_new (double, 20);
          band[p * N + c] = g_new (double, 20);
          for (int i = 0; i < 20; i++)
            {
              mean[p * N + c][i] = (p + 1) * (c + sin (i));
              band[p * N + c][i] = i % 7 == 3 ? NAN : 0.5;
            }
        }
    }
  mean[5][7] = NAN;
  GError *error = NULL;
  g_assert_true (somaif_figure_curve_panels (path, "a title", 2, panels, N,
                                             (const char *const *) labels, points,
                                             (const double *const *) mean,
                                             (const double *const *) band, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (somaif_figure_curve_panels (path, NULL, 1, NULL, 0, NULL, NULL, NULL, NULL,
                                             &error));
  g_assert_no_error (error);
  g_assert_false (somaif_figure_curve_panels (path, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL,
                                              &error));
  g_clear_error (&error);
  for (int c = 0; c < N; c++)
    g_free (labels[c]);
  for (int k = 0; k < 2 * N; k++)
    {
      g_free (mean[k]);
      g_free (band[k]);
    }
  test_remove_tree (out);
}

/* Fontconfig (cairo's, for sweep.png) keeps its configuration for the
 * process' life: tell LeakSanitizer, when it is there, that is no leak. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:libfontconfig.so\n";
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sweep/enumeration", test_enumeration);
  g_test_add_func ("/sweep/no-axis", test_no_axis);
  g_test_add_func ("/sweep/names", test_names);
  g_test_add_func ("/sweep/refusals", test_refusals);
  g_test_add_func ("/sweep/base-paths", test_base_paths);
  g_test_add_func ("/sweep/t-quantiles", test_t_quantiles);
  g_test_add_func ("/sweep/statistics", test_statistics);
  g_test_add_func ("/sweep/run-state", test_run_state);
  g_test_add_func ("/sweep/read-run", test_read_run);
  g_test_add_func ("/sweep/summary", test_summary);
  g_test_add_func ("/sweep/figure", test_figure);
  g_test_add_func ("/sweep/figure-setting", test_figure_setting);
  return g_test_run ();
}
