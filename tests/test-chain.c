/* test-chain.c: the .jhf reader, the classifier and objectives, the plants'
 * pose methods, and the planners against exhaustive search. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "chain.h"
#include "chain-targets.h"
#include "hershey.h"
#include "loader.h"
#include "rundir.h"
#include "test-params.h"

/* ---- the .jhf reader ---- */

static void
test_hershey_parse (void)
{
  /* Glyph 1: margins -5 +5, a stroke of 2 points, a lift, a stroke of 1;
     glyph 2 goes on in the next line. */
  const char *text = "    1  5MWRFRT RRY\n"
                     "    2  3JZNF\n"
                     "NM\n";
  GError *error = NULL;
  SomaifHersheyFont *f = somaif_hershey_parse (text, strlen (text), "t.jhf", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->glyphs->len, ==, 2);
  const SomaifGlyph *g = somaif_hershey_glyph (f, ' ');
  g_assert_nonnull (g);
  g_assert_cmpint (g->left, ==, 'M' - 'R');
  g_assert_cmpint (g->right, ==, 'W' - 'R');
  g_assert_cmpint (g->n_strokes, ==, 2);
  g_assert_cmpint (g->n_points, ==, 3);
  g_assert_cmpint (g->stroke_start[1], ==, 2);
  g_assert_cmpint (g->points[1], ==, 'F' - 'R');
  g_assert_cmpint (g->points[4], ==, 0);
  g_assert_cmpint (g->points[5], ==, 'Y' - 'R');
  const SomaifGlyph *g2 = somaif_hershey_glyph (f, '!');
  g_assert_cmpint (g2->n_strokes, ==, 1);
  g_assert_cmpint (g2->n_points, ==, 2);
  g_assert_cmpint (g2->points[2], ==, 'N' - 'R');
  g_assert_null (somaif_hershey_glyph (f, '"'));
  somaif_hershey_free (f);
}

static void
test_hershey_bad (void)
{
  const char *cases[][2] = {
    { "    1  9MWRFRT\n", "t.jhf:1: record 1 announces 9" },
    { "hello\n", "t.jhf:1: not a .jhf record" },
    { "\n\n", "t.jhf:1: no glyph records" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_assert_null (somaif_hershey_parse (cases[i][0], strlen (cases[i][0]), "t.jhf", &error));
      g_assert_error (error, SOMAIF_HERSHEY_ERROR, SOMAIF_HERSHEY_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, cases[i][1]));
      g_error_free (error);
    }
}

/* Debian's fonts: every Latin font has the 95 printable ASCII records and
 * inked glyphs for a-z; 'i' is a dot and a stem. */
static void
test_hershey_debian (void)
{
  for (int i = 0; somaif_hershey_latin_fonts[i]; i++)
    {
      g_autofree char *file = g_strconcat (somaif_hershey_latin_fonts[i], ".jhf", NULL);
      g_autofree char *path = g_build_filename (SOMAIF_HERSHEY_DIR, file, NULL);
      GError *error = NULL;
      SomaifHersheyFont *f = somaif_hershey_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (f->glyphs->len, >=, 95);
      for (int c = 'a'; c <= 'z'; c++)
        g_assert_nonnull (somaif_hershey_glyph (f, c));
      g_assert_null (somaif_hershey_glyph (f, ' '));
      if (strcmp (somaif_hershey_latin_fonts[i], "rowmans") == 0)
        g_assert_cmpint (somaif_hershey_glyph (f, 'i')->n_strokes, ==, 2);
      somaif_hershey_free (f);
    }
  g_assert_false (somaif_hershey_is_latin ("greek"));
}

/* ---- the classifier and the objectives ---- */

static SomaifClasses *
three_classes (SomaifClassifierRule rule, double temperature)
{
  /* 4 pixels; class k inks pixel k. */
  float f[3 * 4];
  for (int k = 0; k < 3; k++)
    for (int p = 0; p < 4; p++)
      f[k * 4 + p] = p == k ? 0.0f : 1.0f;
  return somaif_classes_new (3, 4, f, rule, temperature);
}

static void
test_classifier (void)
{
  SomaifClasses *c = three_classes (SOMAIF_CLASSIFIER_MEAN, 0.5);
  float image[4] = { 1, 0, 1, 1 };
  double ce[3], q[3];
  somaif_classes_cross_entropy (c, image, ce);
  g_assert_cmpfloat (ce[1], <, ce[0]);
  g_assert_cmpfloat_with_epsilon (ce[0], ce[2], 1e-9);
  somaif_classes_posterior (c, ce, q);
  g_assert_cmpfloat_with_epsilon (q[0] + q[1] + q[2], 1.0, 1e-12);
  g_assert_cmpfloat (q[1], >, q[0]);
  /* The softmax of -ce / (pixels T). */
  g_assert_cmpfloat_with_epsilon (q[1] / q[0], exp ((ce[0] - ce[1]) / (4 * 0.5)), 1e-9);
  /* A colder classifier is surer; the sum rule is the mean rule's T x pixels. */
  SomaifClasses *cold = three_classes (SOMAIF_CLASSIFIER_MEAN, 0.05);
  SomaifClasses *sum = three_classes (SOMAIF_CLASSIFIER_SUM, 2.0);
  double qc[3], qs[3];
  somaif_classes_posterior (cold, ce, qc);
  somaif_classes_posterior (sum, ce, qs);
  g_assert_cmpfloat (qc[1], >, q[1]);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat_with_epsilon (qs[k], q[k], 1e-12);
  somaif_classes_free (cold);
  somaif_classes_free (sum);
  somaif_classes_free (c);
}

static void
test_score (void)
{
  SomaifClasses *c = three_classes (SOMAIF_CLASSIFIER_MEAN, 0.5);
  double p[3], q[3], ce[3];
  somaif_preference (3, 2, 0.96, p);
  g_assert_cmpfloat_with_epsilon (p[2], 0.96, 1e-15);
  g_assert_cmpfloat_with_epsilon (p[0], 0.02, 1e-15);
  g_assert_cmpfloat_with_epsilon (somaif_kl (p, p, 3), 0.0, 1e-15);
  double one[3] = { 0, 0, 1 };
  g_assert_cmpfloat_with_epsilon (somaif_kl (one, p, 3), -log (0.96), 1e-12);
  float image[4] = { 1, 1, 0, 1 };
  SomaifScore s, a;
  somaif_chain_score (c, SOMAIF_OBJECTIVE_EFE, 2, p, image, q, ce, &s);
  g_assert_cmpfloat_with_epsilon (s.risk, somaif_kl (q, p, 3), 1e-12);
  double amb = 0;
  for (int k = 0; k < 3; k++)
    amb += q[k] * c->entropy[k] / 4;
  g_assert_cmpfloat_with_epsilon (s.ambiguity, amb, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.value, s.risk + s.ambiguity, 1e-12);
  /* Drawing the target costs less than drawing another class. */
  float other[4] = { 0, 1, 1, 1 };
  SomaifScore s2;
  somaif_chain_score (c, SOMAIF_OBJECTIVE_EFE, 2, p, other, q, ce, &s2);
  g_assert_cmpfloat (s.value, <, s2.value);
  somaif_chain_score (c, SOMAIF_OBJECTIVE_ACCURACY, 2, p, image, q, ce, &a);
  g_assert_cmpfloat (a.value, ==, ce[2]);
  somaif_classes_free (c);
}

/* ---- plants: pose methods, and a plugin built before them ---- */

static const SomaifPlant *
load_plant (const char *name, SomaifPlugin **plugin)
{
  GError *error = NULL;
  *plugin = somaif_plugin_load (name, ".", SOMAIF_KIND_PLANT, &error);
  g_assert_no_error (error);
  return (const SomaifPlant *) (*plugin)->head;
}

static void *
create (const SomaifPluginHead *head, int input_size)
{
  GError *error = NULL;
  SomaifParams *params = test_params_new (head->params, NULL, &error);
  g_assert_no_error (error);
  SomaifSetup setup = { sizeof setup, 1, ".", 10, input_size, 0, 0, 0, 1 };
  void *self = head->create (&setup, params, &error);
  g_assert_no_error (error);
  somaif_params_free (params);
  return self;
}

/* Two rollouts chained through the end pose draw what one rollout of both
 * command sequences draws; from no pose, what run() draws. */
static void
test_pose (gconstpointer data)
{
  SomaifPlugin *plugin;
  const SomaifPlant *plant = load_plant (data, &plugin);
  GError *error = NULL;
  g_assert_true (somaif_plant_can_chain (plant, plugin->path, &error));
  void *self = create (&plant->head, 0);
  int m = plant->input_size (self), d = plant->pose_size (self), T = 7;
  float motor[2 * 7 * 3];
  for (int i = 0; i < 2 * T * m; i++)
    motor[i] = (float) sin (0.7 * i + 0.3);
  double whole[(2 * 7 + 1) * 2], first[(7 + 1) * 2], second[(7 + 1) * 2], plain[(7 + 1) * 2];
  double pose[3], end[3], end2[3];
  g_assert_cmpint (plant->run (self, 2 * T, motor, whole), ==, 0);
  g_assert_cmpint (plant->run (self, T, motor, plain), ==, 0);
  g_assert_cmpint (plant->run_from (self, NULL, T, motor, first, pose), ==, 0);
  g_assert_cmpmem (first, sizeof first, plain, sizeof plain);
  g_assert_cmpmem (first, sizeof first, whole, sizeof first);
  g_assert_cmpint (plant->run_from (self, pose, T, motor + T * m, second, end), ==, 0);
  for (int i = 0; i < 2 * (T + 1); i++)
    g_assert_cmpfloat_with_epsilon (second[i], whole[2 * T + i], 1e-9);
  /* The end pose of no steps is the pose itself. */
  g_assert_cmpint (plant->run_from (self, end, 0, NULL, second, end2), ==, 0);
  g_assert_cmpmem (end, d * sizeof (double), end2, d * sizeof (double));
  plant->head.destroy (self);
  somaif_plugin_free (plugin);
}

/* A plugin built against minor 0 loads and runs as before, and is refused
 * for chaining with the reason; one of minor 1 without the methods too. */
static void
test_old_plant (void)
{
  SomaifPlugin *plugin;
  const SomaifPlant *plant = load_plant (TEST_PLUGINS_DIR "/old-plant.so", &plugin);
  g_assert_cmpuint (plant->head.abi_minor, ==, 0);
  void *self = create (&plant->head, 2);
  float motor[4] = { 1, 2, 3, 4 };
  double points[6];
  g_assert_cmpint (plant->run (self, 2, motor, points), ==, 0);
  g_assert_cmpfloat (points[5], ==, 6.0);
  GError *error = NULL;
  g_assert_false (somaif_plant_can_chain (plant, plugin->path, &error));
  g_assert_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "'old-plant'"));
  g_assert_nonnull (strstr (error->message, "minor 0"));
  g_clear_error (&error);
  plant->head.destroy (self);
  somaif_plugin_free (plugin);

  plant = load_plant (TEST_PLUGINS_DIR "/good-plant.so", &plugin);
  g_assert_false (somaif_plant_can_chain (plant, plugin->path, &error));
  g_assert_nonnull (strstr (error->message, "lacks the optional pose methods"));
  g_clear_error (&error);
  somaif_plugin_free (plugin);
}

/* ---- planners ---- */

typedef struct
{
  SomaifPlugin *plant_plugin, *renderer_plugin;
  void *plant, *renderer;
  SomaifRepertoire rep;
  SomaifClasses *classes;
  double p[2];
  float *motor;
} Fixture;

/* arm2 and the canvas; K primitives of 10 steps of smooth random commands;
 * two classes: the drawings of two fixed command sequences. */
static void
fixture_init (Fixture *f, int K)
{
  const SomaifPlant *plant = load_plant ("arm2", &f->plant_plugin);
  GError *error = NULL;
  f->renderer_plugin = somaif_plugin_load ("canvas", ".", SOMAIF_KIND_RENDERER, &error);
  g_assert_no_error (error);
  const SomaifRenderer *r = (const SomaifRenderer *) f->renderer_plugin->head;
  f->plant = create (&plant->head, 2);
  f->renderer = create (&r->head, 2);
  int T = 10;
  f->motor = g_new (float, (gsize) K * T * 2);
  SomaifRng rng;
  somaif_rng_init (&rng, 7);
  for (int i = 0; i < K * T * 2; i++)
    f->motor[i] = (float) (3.0 * somaif_rng_normal (&rng));
  f->rep = (SomaifRepertoire) { plant, f->plant, r, f->renderer, K, T, 2, f->motor, 2, 2,
                                T + 1, r->width (f->renderer), r->height (f->renderer) };
  int n = f->rep.width * f->rep.height;
  float *filters = g_new (float, 2 * (gsize) n);
  double pts[(2 * 10 + 1) * 2], pose[2];
  for (int c = 0; c < 2; c++)
    {
      /* Class c: primitives c then c + 2, chained. */
      plant->run_from (f->plant, NULL, T, f->motor + c * T * 2, pts, pose);
      plant->run_from (f->plant, pose, T, f->motor + (c + 2) * T * 2, pts + 2 * T, NULL);
      r->draw (f->renderer, 2 * T + 1, pts, filters + c * n);
    }
  f->classes = somaif_classes_new (2, n, filters, SOMAIF_CLASSIFIER_MEAN, 0.01);
  g_free (filters);
  somaif_preference (2, 0, 0.96, f->p);
}

static void
fixture_clear (Fixture *f)
{
  somaif_classes_free (f->classes);
  f->rep.plant->head.destroy (f->plant);
  f->rep.renderer->head.destroy (f->renderer);
  somaif_plugin_free (f->plant_plugin);
  somaif_plugin_free (f->renderer_plugin);
  g_free (f->motor);
}

static SomaifChain *
plan (Fixture *f, SomaifPlanner planner, SomaifObjective objective, int M, int beam)
{
  SomaifPlan plan = { objective, planner, beam, M, 0, f->p };
  GError *error = NULL;
  SomaifChain *c = somaif_chain_plan (&f->rep, f->classes, &plan, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->length, ==, M);
  g_assert_cmpint (c->n_points, ==, 1 + M * 10);
  return c;
}

/* The objective after the primitives ks (M of them), by brute force. */
static double
value_of (Fixture *f, SomaifObjective objective, const int *ks, int M)
{
  double pts[(4 * 10 + 1) * 2], pose[2], seg[11 * 2];
  int n = 1;
  pts[0] = pts[1] = 0;
  for (int s = 0; s < M; s++)
    {
      f->rep.plant->run_from (f->plant, s ? pose : NULL, 10, f->motor + ks[s] * 20, seg, pose);
      memcpy (pts + 2 * n, seg + 2, 20 * sizeof (double));
      n += 10;
    }
  float *image = g_new (float, (gsize) f->rep.width * f->rep.height);
  f->rep.renderer->draw (f->renderer, n, pts, image);
  double q[2], ce[2];
  SomaifScore sc;
  somaif_chain_score (f->classes, objective, 0, f->p, image, q, ce, &sc);
  g_free (image);
  return sc.value;
}

static void
test_planners (void)
{
  Fixture f;
  int K = 6;
  fixture_init (&f, K);
  for (int o = 0; o < 2; o++)
    {
      SomaifObjective obj = o ? SOMAIF_OBJECTIVE_ACCURACY : SOMAIF_OBJECTIVE_EFE;
      /* Greedy: each step the best extension of what it has. */
      SomaifChain *g = plan (&f, SOMAIF_PLANNER_GREEDY, obj, 3, 1);
      for (int s = 0; s < 3; s++)
        for (int k = 0; k < K; k++)
          {
            int ks[3] = { g->primitives[0], g->primitives[1], g->primitives[2] };
            ks[s] = k;
            g_assert_cmpfloat (value_of (&f, obj, ks, s + 1), >=, g->scores[s].value - 1e-9);
          }
      g_assert_cmpfloat_with_epsilon (value_of (&f, obj, g->primitives, 3),
                                      g->scores[2].value, 1e-9);
      /* A beam of 1 is greedy. */
      SomaifChain *b1 = plan (&f, SOMAIF_PLANNER_BEAM, obj, 3, 1);
      g_assert_cmpmem (b1->primitives, 3 * sizeof (int), g->primitives, 3 * sizeof (int));
      /* With M = 2, lookahead and a beam of K find the best pair. */
      double best = INFINITY;
      for (int a = 0; a < K; a++)
        for (int b = 0; b < K; b++)
          best = fmin (best, value_of (&f, obj, (int[]) { a, b }, 2));
      SomaifChain *la = plan (&f, SOMAIF_PLANNER_LOOKAHEAD, obj, 2, 1);
      SomaifChain *bk = plan (&f, SOMAIF_PLANNER_BEAM, obj, 2, K);
      SomaifChain *g2 = plan (&f, SOMAIF_PLANNER_GREEDY, obj, 2, 1);
      g_assert_cmpfloat_with_epsilon (la->scores[1].value, best, 1e-9);
      g_assert_cmpfloat_with_epsilon (bk->scores[1].value, best, 1e-9);
      g_assert_cmpfloat (g2->scores[1].value, >=, best - 1e-9);
      /* q is a distribution after every step. */
      for (int s = 0; s < 3; s++)
        g_assert_cmpfloat_with_epsilon (g->q[2 * s] + g->q[2 * s + 1], 1.0, 1e-12);
      somaif_chain_free (g);
      somaif_chain_free (b1);
      somaif_chain_free (la);
      somaif_chain_free (bk);
      somaif_chain_free (g2);
    }
  fixture_clear (&f);
}

/* ---- targets ---- */

static void
test_targets (void)
{
  GError *error = NULL;
  g_assert_cmpint (somaif_target_kind ("a", NULL), ==, SOMAIF_TARGET_LETTER);
  g_assert_cmpint (somaif_target_kind ("x.PNG", NULL), ==, SOMAIF_TARGET_PNG);
  g_assert_cmpint (somaif_target_kind ("pen.csv", NULL), ==, SOMAIF_TARGET_CSV);
  g_assert_cmpint (somaif_target_kind ("ab", &error), ==, -1);
  g_assert_nonnull (strstr (error->message, "one letter, a .png image or a .csv"));
  g_clear_error (&error);

  /* A letter's strokes keep its pen lifts and are centred where asked. */
  g_autofree char *path = g_build_filename (SOMAIF_HERSHEY_DIR, "rowmans.jhf", NULL);
  SomaifHersheyFont *font = somaif_hershey_load (path, &error);
  g_assert_no_error (error);
  char *fonts[] = { "rowmans", NULL };
  SomaifTargetOptions opt = { SOMAIF_HERSHEY_DIR, fonts, 64, 10, -5, 1, 0, 0, 0, 0, 1, 0.5 };
  SomaifStrokes *s = somaif_strokes_from_glyph (somaif_hershey_glyph (font, 'i'), &opt, NULL);
  g_assert_cmpint (s->n_strokes, ==, 2);
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (int i = 0; i < s->n_points; i++)
    {
      xmin = fmin (xmin, s->xy[2 * i]);
      xmax = fmax (xmax, s->xy[2 * i]);
      ymin = fmin (ymin, s->xy[2 * i + 1]);
      ymax = fmax (ymax, s->xy[2 * i + 1]);
    }
  g_assert_cmpfloat_with_epsilon ((xmin + xmax) / 2, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon ((ymin + ymax) / 2, -5, 1e-9);
  /* rowmans' 'i' spans y -13 (its dot) to 9: 22 font units, 44 paper units at size 64. */
  g_assert_cmpfloat_with_epsilon (ymax - ymin, 44, 1e-9);
  somaif_strokes_free (s);
  somaif_hershey_free (font);
}

/* model/'s arrays read back as written; another shape refused. */
static void
test_npy_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-chain-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "a.npy", NULL);
  float data[2 * 3 * 4];
  for (int i = 0; i < 24; i++)
    data[i] = (float) i / 7.0f - 1.0f;
  int shape[3] = { 2, 3, 4 }, got[4];
  GError *error = NULL;
  g_assert_true (somaif_rundir_write_npy_f32 (path, data, 3, shape, &error));
  float *back = somaif_rundir_read_npy_f32 (path, 3, got, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (got, sizeof shape, shape, sizeof shape);
  g_assert_cmpmem (back, sizeof data, data, sizeof data);
  g_free (back);
  g_assert_null (somaif_rundir_read_npy_f32 (path, 2, got, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_true (somaif_rundir_write_npy_f64 (path, (double[]) { 1, 2 }, 1, (int[]) { 2 }, &error));
  g_assert_null (somaif_rundir_read_npy_f32 (path, 1, got, &error));
  g_assert_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_null (somaif_rundir_read_state (dir, "generator", &error));
  g_assert_no_error (error);
  g_remove (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chain/hershey/parse", test_hershey_parse);
  g_test_add_func ("/chain/hershey/bad", test_hershey_bad);
  g_test_add_func ("/chain/hershey/debian", test_hershey_debian);
  g_test_add_func ("/chain/classifier", test_classifier);
  g_test_add_func ("/chain/score", test_score);
  g_test_add_data_func ("/chain/pose/arm2", "arm2", test_pose);
  g_test_add_data_func ("/chain/pose/arm3", "arm3", test_pose);
  g_test_add_func ("/chain/pose/old-plant", test_old_plant);
  g_test_add_func ("/chain/planners", test_planners);
  g_test_add_func ("/chain/targets", test_targets);
  g_test_add_func ("/chain/npy-read", test_npy_read);
  return g_test_run ();
}
