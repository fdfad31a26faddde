/* test-rundir.c: the run folder's files written and read back, the learning
 * curves grouped by epoch against hand-computed numbers (with a varying number
 * of candidates an epoch), run.json and config.json, and the config resolver. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "fmt.h"
#include "rundir.h"
#include "test-tree.h"

static char *
tmp_dir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("test-rundir-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
rm_dir (char *dir)
{
  test_remove_tree (dir);
  g_free (dir);
}

static void
put_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
assert_close (double got, double want)
{
  g_assert_cmpfloat_with_epsilon (got, want, 1e-12 * MAX (1.0, fabs (want)));
}

/* ---- metrics.csv ---- */

static const SomaifMetricsRow some_rows[] = {
  { 0, 3, 0, 2, 1.5, 0.25, 1.75 },
  { 0, 3, 1, 3, 2.5, -0.125, 2.375 },
  { 1, 0, 0, 0, 1e-3, 0, 1e-3 },
  { 123456789012, 7, 4, 1, 12345.5, 1e-9, 12345.500000001 },
};

static void
test_metrics_round_trip (void)
{
  char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  GError *error = NULL;
  FILE *f = somaif_rundir_open (path, -1, &error);
  g_assert_no_error (error);
  somaif_rundir_metrics_header (f);
  for (guint i = 0; i < G_N_ELEMENTS (some_rows); i++)
    somaif_rundir_metrics_row (f, &some_rows[i]);
  g_assert_true (somaif_rundir_close (f, path, &error));
  GArray *rows = somaif_rundir_read_metrics (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (some_rows));
  for (guint i = 0; i < rows->len; i++)
    {
      const SomaifMetricsRow *r = &g_array_index (rows, SomaifMetricsRow, i);
      g_assert_cmpint (r->epoch, ==, some_rows[i].epoch);
      g_assert_cmpint (r->goal, ==, some_rows[i].goal);
      g_assert_cmpint (r->candidate, ==, some_rows[i].candidate);
      g_assert_cmpint (r->winner, ==, some_rows[i].winner);
      /* Ten significant digits are written. */
      g_assert_cmpfloat_with_epsilon (r->accuracy, some_rows[i].accuracy,
                                      1e-9 * fabs (some_rows[i].accuracy));
      g_assert_cmpfloat (r->complexity, ==, some_rows[i].complexity);
    }
  g_array_free (rows, TRUE);

  /* Resuming cuts the file back to a length and appends after it. */
  g_autofree char *text = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  const char *second = strchr (strchr (text, '\n') + 1, '\n') + 1;
  f = somaif_rundir_open (path, second - text, &error);
  g_assert_no_error (error);
  somaif_rundir_metrics_row (f, &some_rows[2]);
  g_assert_true (somaif_rundir_close (f, path, &error));
  rows = somaif_rundir_read_metrics (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (g_array_index (rows, SomaifMetricsRow, 1).epoch, ==, 1);
  g_array_free (rows, TRUE);
  /* ... but not past its end. */
  g_assert_null (somaif_rundir_open (path, 100000, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE);
  g_clear_error (&error);
  rm_dir (dir);
}

static void
test_metrics_read_rules (void)
{
  char *dir = tmp_dir ();
  GError *error = NULL;
  /* CR LF line ends and blank lines are read as written on Unix. */
  put_file (dir, "metrics.csv", "epoch,goal,candidate,winner,accuracy,complexity,free_energy\r\n"
            "0,1,0,1,2.5,0.5,3\r\n\r\n\n0,1,1,0,nan,1,nan\r\n");
  GArray *rows = somaif_rundir_read_metrics (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_true (isnan (g_array_index (rows, SomaifMetricsRow, 1).accuracy));
  g_array_free (rows, TRUE);

  const char *bad[] = {
    "epoch,goal,candidate,winner,accuracy,complexity,free_energy\n0,1,0,1,2.5,0.5\n",
    "epoch,goal,candidate,winner,accuracy,complexity,free_energy\n0,1,0,1,2.5,0.5,3,4\n",
    "epoch,goal,candidate,winner,accuracy,complexity,free_energy\n0,-1,0,1,2.5,0.5,3\n",
    "epoch,goal,candidate,winner,accuracy,complexity,free_energy\n0,1.5,0,1,2.5,0.5,3\n",
    "epoch,goal,candidate,winner,accuracy,complexity,free_energy\n0,1,0,1,2.5x,0.5,3\n",
    "epoch,goal,winner,accuracy,complexity,free_energy\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      put_file (dir, "metrics.csv", bad[i]);
      g_assert_null (somaif_rundir_read_metrics (dir, &error));
      g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE);
      /* The message names the file and line. */
      g_assert_nonnull (strstr (error->message, i + 1 < G_N_ELEMENTS (bad) ? "metrics.csv:2"
                                                                          : "metrics.csv:1"));
      g_clear_error (&error);
    }
  g_autofree char *path = g_build_filename (dir, "metrics.csv", NULL);
  g_remove (path);
  g_assert_null (somaif_rundir_read_metrics (dir, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_READ);
  g_clear_error (&error);
  rm_dir (dir);
}

/* ---- curves ---- */

static void
test_curves_by_epoch (void)
{
  /* An optimiser proposing 3, 1, 2 and 3 candidates: epochs 0 and 2 visit goal
   * 0, epochs 1 and 3 goal 1, epoch 4 goal 0 again (a third visit that goal 1
   * does not have: cut).  Goal 2 is never visited and left out. */
  const SomaifMetricsRow rows[] = {
    { 0, 0, 0, 0, 1, 10, 0 }, { 0, 0, 1, 0, 2, 20, 0 }, { 0, 0, 2, 0, 6, 30, 0 },
    { 1, 1, 0, 0, 5, 40, 0 },
    { 2, 0, 0, 0, 7, 50, 0 }, { 2, 0, 1, 0, 9, 70, 0 },
    { 3, 1, 0, 0, 1, 1, 0 }, { 3, 1, 1, 0, 2, 2, 0 }, { 3, 1, 2, 0, 3, 3, 0 },
    { 4, 0, 0, 0, 1e6, 1e6, 0 },
  };
  SomaifCurves c;
  somaif_rundir_curves (rows, G_N_ELEMENTS (rows), &c);
  g_assert_cmpint (c.n_points, ==, 2);
  g_assert_cmpint (c.goals, ==, 2);
  /* Visit means: goal 0 accuracy 3, 8; goal 1: 5, 2. */
  assert_close (c.acc_mean[0], 4.0);
  assert_close (c.acc_mean[1], 5.0);
  /* Population std 1 and 3 over sqrt(2) goals. */
  assert_close (c.acc_band[0], 1.96 * 1.0 / sqrt (2.0));
  assert_close (c.acc_band[1], 1.96 * 3.0 / sqrt (2.0));
  /* Complexity: goal 0: 20, 60; goal 1: 40, 2. */
  assert_close (c.comp_mean[0], 30.0);
  assert_close (c.comp_mean[1], 31.0);
  assert_close (c.comp_band[1], 1.96 * 29.0 / sqrt (2.0));
  somaif_rundir_curves_clear (&c);
  g_assert_null (c.acc_mean);
}

static void
test_curves_std (void)
{
  /* Three goals, one visit each: 1, 2, 6; numpy's std (ddof 0) is sqrt(14/3). */
  const SomaifMetricsRow rows[] = {
    { 0, 2, 0, 0, 6, 0, 0 }, { 1, 0, 0, 0, 1, 0, 0 }, { 2, 1, 0, 0, 2, 0, 0 },
  };
  SomaifCurves c;
  somaif_rundir_curves (rows, 3, &c);
  g_assert_cmpint (c.n_points, ==, 1);
  assert_close (c.acc_mean[0], 3.0);
  assert_close (c.acc_band[0], 1.96 * sqrt (14.0 / 3.0) / sqrt (3.0));
  assert_close (c.comp_band[0], 0.0);
  somaif_rundir_curves_clear (&c);

  somaif_rundir_curves (NULL, 0, &c);
  g_assert_cmpint (c.n_points, ==, 0);
  g_assert_null (c.acc_mean);
  g_assert_null (c.comp_band);
}

static void
test_curves_round_trip (void)
{
  const SomaifMetricsRow rows[] = {
    { 0, 0, 0, 0, 1.25, 3, 0 }, { 1, 1, 0, 0, 2.5, 4, 0 }, { 2, 1, 0, 0, 7, 5, 0 },
    { 3, 0, 0, 0, 0.5, 6, 0 },
  };
  SomaifCurves c, back;
  somaif_rundir_curves (rows, G_N_ELEMENTS (rows), &c);
  char *dir = tmp_dir ();
  GError *error = NULL;
  g_assert_true (somaif_rundir_write_curves (dir, &c, &error));
  g_assert_true (somaif_rundir_read_curves (dir, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.n_points, ==, 2);
  g_assert_cmpint (back.goals, ==, 2);
  for (int i = 0; i < 2; i++)
    {
      g_assert_cmpfloat_with_epsilon (back.acc_mean[i], c.acc_mean[i], 1e-9);
      g_assert_cmpfloat_with_epsilon (back.acc_band[i], c.acc_band[i], 1e-9);
      g_assert_cmpfloat_with_epsilon (back.comp_mean[i], c.comp_mean[i], 1e-9);
      g_assert_cmpfloat_with_epsilon (back.comp_band[i], c.comp_band[i], 1e-9);
    }
  somaif_rundir_curves_clear (&back);
  somaif_rundir_curves_clear (&c);
  /* Visits are numbered from 0 without a gap. */
  put_file (dir, "curves.csv", "visit,goals,accuracy_mean,accuracy_ci95,complexity_mean,"
            "complexity_ci95\n0,2,1,1,1,1\n2,2,1,1,1,1\n");
  g_assert_false (somaif_rundir_read_curves (dir, &back, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "curves.csv:3"));
  g_clear_error (&error);
  rm_dir (dir);
}

/* ---- final.csv, quality.csv ---- */

static void
test_final_round_trip (void)
{
  const SomaifFinalRow rows[] = { { 0, 0, 0, 12.5, 0.125 }, { 1, 3, 2, 7.25, 1.5 } };
  char *dir = tmp_dir ();
  GError *error = NULL;
  g_assert_true (somaif_rundir_write_final (dir, rows, 2, &error));
  GArray *back = somaif_rundir_read_final (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  g_assert_cmpint (g_array_index (back, SomaifFinalRow, 1).winner, ==, 3);
  g_assert_cmpfloat (g_array_index (back, SomaifFinalRow, 1).accuracy, ==, 7.25);
  g_assert_cmpfloat (g_array_index (back, SomaifFinalRow, 1).complexity, ==, 1.5);
  g_array_free (back, TRUE);

  /* No rows, goals out of order, a missing field: refused. */
  const char *bad[] = { "goal,winner,distance,accuracy,complexity\n",
                        "goal,winner,distance,accuracy,complexity\n1,0,0,1,1\n",
                        "goal,winner,distance,accuracy,complexity\n0,0,0,1\n" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      put_file (dir, "final.csv", bad[i]);
      g_assert_null (somaif_rundir_read_final (dir, &error));
      g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE);
      g_clear_error (&error);
    }
  g_assert_true (somaif_rundir_write_quality (dir, 0.5, NAN, &error));
  g_autofree char *path = g_build_filename (dir, "quality.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "quantization_error,topographic_error\n0.5,nan\n");
  rm_dir (dir);
}

/* ---- run.json ---- */

static void
test_run_json (void)
{
  char *dir = tmp_dir ();
  GError *error = NULL;
  SomaifRunInfo info = { 0 }, back;
  info.somaif = g_strdup ("1.2.3");
  info.abi = g_strdup ("1.0");
  info.config = g_strdup ("a \"quoted\"\\path\n.cfg");
  info.started = g_strdup ("2026-01-02T03:04:05+01:00");
  info.command = g_strdup ("somaif-run 'x y'");
  info.threads = 3;
  info.wall_seconds = 12.25;
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      info.plugin_names[k] = g_strdup_printf ("p%d", k);
      info.plugin_files[k] = g_strdup_printf ("/lib/p%d.so", k);
    }
  g_assert_true (somaif_rundir_write_run (dir, &info, &error));
  g_assert_true (somaif_rundir_read_run (dir, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.schema, ==, SOMAIF_RUNDIR_SCHEMA);
  g_assert_cmpstr (back.config, ==, info.config);
  g_assert_cmpstr (back.command, ==, info.command);
  g_assert_cmpstr (back.started, ==, info.started);
  g_assert_cmpstr (back.plugin_files[4], ==, "/lib/p4.so");
  g_assert_cmpstr (back.plugin_names[3], ==, "p3");
  g_assert_cmpint (back.threads, ==, 3);
  g_assert_cmpfloat (back.wall_seconds, ==, 12.25);
  somaif_rundir_run_info_clear (&back);
  somaif_rundir_run_info_clear (&info);

  /* A run.json from before the schema field reads as schema 0. */
  put_file (dir, "run.json", "{\n  \"somaif\": \"0.1.0\",\n  \"wall_seconds\": 2.500,\n"
            "  \"plugins\": { \"perceiver\": { \"name\": \"ringsom\", \"file\": \"/x\" } }\n}\n");
  g_assert_true (somaif_rundir_read_run (dir, &back, &error));
  g_assert_cmpint (back.schema, ==, 0);
  g_assert_cmpfloat (back.wall_seconds, ==, 2.5);
  g_assert_cmpstr (back.plugin_names[3], ==, "ringsom");
  g_assert_null (back.plugin_names[0]);
  somaif_rundir_run_info_clear (&back);

  const char *bad[] = { "{ \"schema\": 99, \"wall_seconds\": 1 }", "{ \"wall\": 1 }",
                        "{ \"wall_seconds\": \"1\" }", "[1]", "{" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      put_file (dir, "run.json", bad[i]);
      g_assert_false (somaif_rundir_read_run (dir, &back, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "run.json"));
      g_clear_error (&error);
    }
  rm_dir (dir);
}

/* ---- config.json ---- */

static void
test_config_json (void)
{
  GError *error = NULL;
  g_autofree char *json = somaif_rundir_config_json (
    "experiment = { epochs = 20; beta = 8.0; big = 12345678901L; };\n"
    "plant = { plugin = \"arm2\"; angles = [-0.5, 2.0]; on = true; };\n"
    "optimiser = { sigma = { kind = \"linear\"; points = ( (0, 1.0), (10, 0.5) ); }; };\n",
    &error);
  g_assert_no_error (error);
  JsonParser *p = json_parser_new ();
  g_assert_true (json_parser_load_from_data (p, json, -1, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (p));
  JsonObject *e = json_object_get_object_member (root, "experiment");
  g_assert_cmpint (json_object_get_int_member (e, "epochs"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (e, "big"), ==, 12345678901LL);
  g_assert_cmpfloat (json_object_get_double_member (e, "beta"), ==, 8.0);
  JsonObject *plant = json_object_get_object_member (root, "plant");
  g_assert_cmpstr (json_object_get_string_member (plant, "plugin"), ==, "arm2");
  g_assert_true (json_object_get_boolean_member (plant, "on"));
  JsonArray *a = json_object_get_array_member (plant, "angles");
  g_assert_cmpuint (json_array_get_length (a), ==, 2);
  g_assert_cmpfloat (json_array_get_double_element (a, 0), ==, -0.5);
  JsonObject *s = json_object_get_object_member (json_object_get_object_member (root,
                                                                                "optimiser"),
                                                 "sigma");
  JsonArray *pts = json_object_get_array_member (s, "points");
  g_assert_cmpfloat (json_array_get_double_element (json_array_get_array_element (pts, 1), 1),
                     ==, 0.5);
  g_object_unref (p);

  g_assert_null (somaif_rundir_config_json ("a = ;", &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE);
  g_clear_error (&error);
}

/* ---- links and the folder ---- */

static void
test_links (void)
{
  char *dir = tmp_dir ();
  char *other = tmp_dir ();
  put_file (other, "target", "precious");
  g_autofree char *target = g_build_filename (other, "target", NULL);
  g_autofree char *link = g_build_filename (dir, "metrics.csv", NULL);
  g_assert_cmpint (symlink (target, link), ==, 0);
  GError *error = NULL;
  /* A stream is never opened through a link ... */
  g_assert_null (somaif_rundir_open (link, -1, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);
  /* ... and a whole file replaces the link, not what it points to. */
  g_assert_true (somaif_rundir_write (link, "new", 3, &error));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (target, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "precious");
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  /* A linked folder is refused. */
  g_autofree char *sub = g_build_filename (dir, "model", NULL);
  g_assert_cmpint (symlink (other, sub), ==, 0);
  g_assert_false (somaif_rundir_mkdir (sub, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_REFUSED);
  g_clear_error (&error);
  g_autofree char *slash = g_strconcat (sub, "/", NULL);
  g_assert_false (somaif_rundir_check_not_link (slash, &error));
  g_clear_error (&error);
  /* Clearing removes the link itself, never what is behind it. */
  g_assert_true (somaif_rundir_clear (dir, &error));
  g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (target, G_FILE_TEST_IS_REGULAR));
  rm_dir (dir);
  rm_dir (other);
}

static void
test_lock (void)
{
  char *dir = tmp_dir ();
  GError *error = NULL;
  g_assert_false (somaif_rundir_holds_run (dir));
  SomaifRundirLock *lock = somaif_rundir_lock (dir, &error);
  g_assert_no_error (error);
  /* flock locks belong to an open file: a second open in this process is
   * refused as another process would be, naming the holder. */
  g_assert_null (somaif_rundir_lock (dir, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_LOCKED);
  g_autofree char *pid = g_strdup_printf ("pid %ld", (long) getpid ());
  g_assert_nonnull (strstr (error->message, pid));
  g_clear_error (&error);
  g_assert_true (somaif_rundir_holds_run (dir));
  g_assert_false (somaif_rundir_has_files (dir));
  somaif_rundir_unlock (lock);
  lock = somaif_rundir_lock (dir, &error);
  g_assert_no_error (error);
  somaif_rundir_unlock (lock);
  /* Unique folders: a taken name gets a suffix. */
  g_autofree char *a = somaif_rundir_make_unique (dir, "x", &error);
  g_autofree char *b = somaif_rundir_make_unique (dir, "x", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (a, "/x"));
  g_assert_true (g_str_has_suffix (b, "/x-2"));
  g_rmdir (a);
  g_rmdir (b);
  g_autofree char *lockfile = g_build_filename (dir, SOMAIF_RUNDIR_LOCK_FILE, NULL);
  g_remove (lockfile);
  rm_dir (dir);
}

/* ---- the config resolver ---- */

static void
test_config_find (void)
{
  char *dir = tmp_dir ();
  char *installed = tmp_dir ();
  put_file (dir, "here.cfg", "");
  put_file (installed, "there.cfg", "");
  put_file (installed, "here.cfg", "");
  g_setenv ("SOMAIF_CONFIGS_DIR", installed, TRUE);

  g_autofree char *want_here = g_build_filename (dir, "here.cfg", NULL);
  g_autofree char *want_there = g_build_filename (installed, "there.cfg", NULL);
  g_autofree char *a = somaif_config_find ("here.cfg", dir);
  g_autofree char *b = somaif_config_find ("there", dir);
  g_autofree char *c = somaif_config_find ("there.cfg", dir);
  g_autofree char *d = somaif_config_find ("sub/there.cfg", dir);
  g_autofree char *e = somaif_config_find ("nowhere", dir);
  g_autofree char *f = somaif_config_find (want_there, dir);
  /* The referring file's folder first, then the installed configs. */
  g_assert_cmpstr (a, ==, want_here);
  g_assert_cmpstr (b, ==, want_there);
  g_assert_cmpstr (c, ==, want_there);
  /* A path is never looked up among the installed configs. */
  g_autofree char *want_d = g_build_filename (dir, "sub/there.cfg", NULL);
  g_assert_cmpstr (d, ==, want_d);
  g_autofree char *want_e = g_build_filename (dir, "nowhere", NULL);
  g_assert_cmpstr (e, ==, want_e);
  g_assert_cmpstr (f, ==, want_there);
  /* From the command line: the current folder's path as given. */
  g_autofree char *g = somaif_config_find ("there", NULL);
  g_assert_cmpstr (g, ==, want_there);
  g_autofree char *h = somaif_config_find ("./there", NULL);
  g_assert_cmpstr (h, ==, "./there");

  g_unsetenv ("SOMAIF_CONFIGS_DIR");
  rm_dir (dir);
  rm_dir (installed);
}

/* somaif_fmt_g10 writes what printf's %.10g writes, and reads back as
 * strtod reads that (and somaif_fmt_g17 what %.17g writes): special values,
 * ties, powers of ten, every decade the runs meet and far beyond, and a
 * million random doubles. */
static void
check_g10 (double v)
{
  char want[64], got[SOMAIF_FMT_G10_SIZE];
  snprintf (want, sizeof want, "%.10g", v);
  double back = -1234.5;
  int len = somaif_fmt_g10 (got, v, &back);
  if (strcmp (want, got) != 0)
    g_error ("%.17g: printf writes %s, somaif_fmt_g10 %s", v, want, got);
  g_assert_cmpint (len, ==, (int) strlen (want));
  double wback = g_ascii_strtod (want, NULL);
  if (memcmp (&wback, &back, sizeof back) != 0 && !(isnan (wback) && isnan (back)))
    g_error ("%.17g (%s): strtod reads %.17g, somaif_fmt_g10 %.17g", v, want, wback, back);
}

/* somaif_fmt_g17 writes what printf's %.17g writes. */
static void
check_g17 (double v)
{
  char want[64], got[SOMAIF_FMT_G17_SIZE];
  snprintf (want, sizeof want, "%.17g", v);
  int len = somaif_fmt_g17 (got, v);
  if (strcmp (want, got) != 0)
    g_error ("%.17g: printf writes %s, somaif_fmt_g17 %s", v, want, got);
  g_assert_cmpint (len, ==, (int) strlen (want));
}

static void
check_both (double v)
{
  check_g10 (v);
  check_g17 (v);
}

static void
test_fmt_g10 (void)
{
  const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 1234567890.5, 1234567891.5,
                             9999999999.5, 0.00012345678905, 1e-5, 1e-4, 9.9999999995e-5,
                             999.99999999999, 999.9999999949, 1e10, 1e9, 123456789012.0,
                             1e22, 1e23, 1e-300, 5e-324, 1.7976931348623157e308, INFINITY,
                             -INFINITY, NAN, 72.171234567, 0.000655, 3.3e-7, 100.0, 2.5,
                             0.1, 0.3, 1.0 / 3.0, 0.99999999999990641, 1.0000000000000001e-05,
                             1e16, 1e17, 9.9999999999999984e16, 99999999999999999.0,
                             123456789012345678.0, 0.1 + 0.2, 1e-11, 1e-12, 2.2250738585072014e-308 };
  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    check_both (special[i]);
  for (int e = -30; e <= 30; e++)
    for (int d = -3; d <= 3; d++)
      {
        double v = pow (10.0, e);
        for (int s = 0; s < (d < 0 ? -d : d); s++)
          v = nextafter (v, d > 0 ? INFINITY : 0.0);
        check_both (v);
      }
  GRand *r = g_rand_new_with_seed (5);
  for (int i = 0; i < 1000000; i++)
    {
      double m = g_rand_double (r) * 10.0;
      int e = g_rand_int_range (r, -12, 14);
      double v = m * pow (10.0, e) * (g_rand_boolean (r) ? 1 : -1);
      check_both (v);
      /* ten digits and a half: the ties and near-ties */
      double t = (floor (m * 1e9) + 0.5) / 1e9 * pow (10.0, e);
      check_both (t);
      /* seventeen and a half, and a double's neighbours */
      double t17 = (floor (m * 1e16) + 0.5) / 1e16 * pow (10.0, e);
      check_g17 (t17);
      check_g17 (nextafter (t17, INFINITY));
      check_g17 (nextafter (t17, 0.0));
    }
  g_rand_free (r);
  char buf[24];
  const gint64 ints[] = { 0, 7, -7, 10, 1234567890123, G_MAXINT64, G_MININT64 };
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      char want[32];
      snprintf (want, sizeof want, "%" G_GINT64_FORMAT, ints[i]);
      int n = somaif_fmt_int (buf, ints[i]);
      g_assert_cmpmem (buf, n, want, strlen (want));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rundir/fmt-g10", test_fmt_g10);
  g_test_add_func ("/rundir/metrics-round-trip", test_metrics_round_trip);
  g_test_add_func ("/rundir/metrics-read-rules", test_metrics_read_rules);
  g_test_add_func ("/rundir/curves-by-epoch", test_curves_by_epoch);
  g_test_add_func ("/rundir/curves-std", test_curves_std);
  g_test_add_func ("/rundir/curves-round-trip", test_curves_round_trip);
  g_test_add_func ("/rundir/final-round-trip", test_final_round_trip);
  g_test_add_func ("/rundir/run-json", test_run_json);
  g_test_add_func ("/rundir/config-json", test_config_json);
  g_test_add_func ("/rundir/config-find", test_config_find);
  g_test_add_func ("/rundir/links", test_links);
  g_test_add_func ("/rundir/lock", test_lock);
  return g_test_run ();
}
