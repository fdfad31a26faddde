/* test-golden-randsearch.c: the randsearch optimiser against the seed's numbers
 * (golden/random_search.txt and the alpha of golden/schedules.txt), and its
 * plugin glue.
 *
 * The glue is compiled into this program (it is one file of static functions)
 * so that its vtable and instance are at hand without dlopen. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libconfig.h>

#include "params-private.h"
#include "plugins/randsearch/randsearch.c"
#include "tests/test-params.h"

/* Against the seed's numbers: 0 observed (bit for bit in float32); 1e-7, under
 * a float32 ulp at 1, allowed. */
#define GOLDEN_TOL 1e-7
#define SCHEDULE_RTOL 1e-12

static char *
data_file (const char *name)
{
  const char *dir = g_getenv ("SOMAIF_TEST_DATA");
  if (dir && *dir)
    return g_build_filename (dir, "golden", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "data", "golden", name, NULL);
}

static GHashTable *
load_golden (const char *name)
{
  g_autofree char *path = data_file (name);
  GError *error = NULL;
  GHashTable *arrays = somaif_arrays_load (path, &error);
  g_assert_no_error (error);
  return arrays;
}

static const SomaifArray *
golden_array (GHashTable *arrays, const char *name, int ndim, const int *shape)
{
  GError *error = NULL;
  const SomaifArray *a = somaif_arrays_get (arrays, name, ndim, shape, &error);
  g_assert_no_error (error);
  return a;
}

/* ------------------------------------------------------------------ */
/* Instances as the host creates them (parameters: tests/test-params.h)  */

static Randsearch *
create_rs (guint64 seed, int d, int goals, const char *const *overrides, GError **error)
{
  SomaifSetup setup = { 0 };
  setup.struct_size = sizeof setup;
  setup.seed = seed;
  setup.steps = 100;
  setup.input_size = d;
  setup.goals = goals;
  setup.epochs = 20000;
  SomaifParams *p = test_params_new (randsearch_params, overrides, error);
  if (!p)
    return NULL;
  Randsearch *rs = randsearch_vtable.head.create (&setup, p, error);
  somaif_params_free (p);
  return rs;
}

/* ------------------------------------------------------------------ */
/* Golden: candidates and the one-column update                         */

typedef struct
{
  int d, g, k, index;
  double alpha;
  float *w;        /* g x d: column after column */
  float *deltas;   /* k x d: column index of each direction */
  double *rewards; /* 2k */
  const SomaifArray *candidates, *weights_after;
} Golden;

static void
golden_read (GHashTable *arrays, Golden *gd)
{
  gd->d = 6;
  gd->g = 4;
  gd->k = 5;
  gd->alpha = golden_array (arrays, "alpha", -1, NULL)->data[0];
  gd->index = (int) golden_array (arrays, "index", -1, NULL)->data[0];
  int wshape[2] = { gd->d, gd->g }, dshape[3] = { gd->k, gd->d, gd->g };
  int rshape[1] = { 2 * gd->k }, cshape[2] = { 2 * gd->k, gd->d };
  const SomaifArray *w = golden_array (arrays, "weights", 2, wshape);
  const SomaifArray *deltas = golden_array (arrays, "deltas", 3, dshape);
  const SomaifArray *rewards = golden_array (arrays, "rewards", 1, rshape);
  gd->candidates = golden_array (arrays, "candidates", 2, cshape);
  gd->weights_after = golden_array (arrays, "weights_after", 2, wshape);
  g_assert_cmpint (gd->index, >=, 0);
  g_assert_cmpint (gd->index, <, gd->g);

  gd->w = g_new (float, gd->g * gd->d);
  for (int p = 0; p < gd->d; p++)
    for (int j = 0; j < gd->g; j++)
      gd->w[j * gd->d + p] = (float) w->data[p * gd->g + j];
  gd->deltas = g_new (float, gd->k * gd->d);
  for (int k = 0; k < gd->k; k++)
    for (int p = 0; p < gd->d; p++)
      gd->deltas[k * gd->d + p] = (float) deltas->data[(k * gd->d + p) * gd->g + gd->index];
  gd->rewards = g_new (double, 2 * gd->k);
  memcpy (gd->rewards, rewards->data, 2 * gd->k * sizeof (double));
}

static void
golden_clear (Golden *gd)
{
  g_free (gd->w);
  g_free (gd->deltas);
  g_free (gd->rewards);
}

/* Worst error of w (g x d, column after column) against weights_after. */
static double
weights_error (const Golden *gd, const float *w)
{
  double worst = 0.0;
  for (int p = 0; p < gd->d; p++)
    for (int j = 0; j < gd->g; j++)
      worst = MAX (worst, fabs (w[j * gd->d + p] - gd->weights_after->data[p * gd->g + j]));
  return worst;
}

static void
test_golden_core (void)
{
  GHashTable *arrays = load_golden ("random_search.txt");
  Golden gd;
  golden_read (arrays, &gd);
  float *col = gd.w + gd.index * gd.d;

  float *cand = g_new (float, 2 * gd.k * gd.d);
  somaif_randsearch_candidates (gd.d, gd.k, col, gd.deltas, cand);
  double worst_c = 0.0;
  for (int i = 0; i < 2 * gd.k * gd.d; i++)
    worst_c = MAX (worst_c, fabs (cand[i] - gd.candidates->data[i]));
  /* The order: minus first, then plus, direction after direction. */
  for (int p = 0; p < gd.d; p++)
    {
      g_assert_cmpfloat (cand[p], ==, col[p] - gd.deltas[p]);
      g_assert_cmpfloat (cand[gd.d + p], ==, col[p] + gd.deltas[p]);
    }

  somaif_randsearch_update (gd.d, gd.k, col, gd.deltas, gd.rewards, gd.alpha);
  double worst_w = weights_error (&gd, gd.w);
  g_test_message ("random search: worst candidate error %.3g, worst weight error %.3g", worst_c,
                  worst_w);
  g_assert_cmpfloat (worst_c, <=, GOLDEN_TOL);
  g_assert_cmpfloat (worst_w, <=, GOLDEN_TOL);
  /* The column did move, by far more than the tolerance. */
  const SomaifArray *before = golden_array (arrays, "weights", -1, NULL);
  double moved = 0.0;
  for (int p = 0; p < gd.d; p++)
    moved = MAX (moved, fabs (gd.weights_after->data[p * gd.g + gd.index]
                              - before->data[p * gd.g + gd.index]));
  g_assert_cmpfloat (moved, >, 100 * GOLDEN_TOL);

  g_free (cand);
  golden_clear (&gd);
  g_hash_table_unref (arrays);
}

/* The same update through the plugin: golden weights and directions put in
 * an instance, step / sigma = alpha, update() then solution(). */
static void
test_golden_plugin (void)
{
  GHashTable *arrays = load_golden ("random_search.txt");
  Golden gd;
  golden_read (arrays, &gd);
  GError *error = NULL;
  Randsearch *rs = create_rs (1, gd.d, gd.g, NULL, &error);
  g_assert_no_error (error);
  const SomaifOptimiser *vt = &randsearch_vtable;
  g_assert_cmpint (vt->max_candidates (rs), ==, 2 * gd.k);

  memcpy (rs->w, gd.w, gd.g * gd.d * sizeof (float));
  memcpy (rs->slot_deltas[rs->last], gd.deltas, gd.k * gd.d * sizeof (float));
  rs->slot_goal[rs->last] = gd.index;
  g_assert_cmpint (vt->head.set_param (rs, RANDSEARCH_SIGMA, 0.5), ==, 0);
  g_assert_cmpint (vt->head.set_param (rs, RANDSEARCH_STEP, gd.alpha * 0.5), ==, 0);
  g_assert_cmpfloat (randsearch_effective_alpha (rs), ==, gd.alpha);
  /* the alpha a proposal made now would keep */
  rs->slot_alpha[rs->last] = randsearch_effective_alpha (rs);
  g_assert_cmpint (vt->update (rs, gd.index, 2 * gd.k, gd.rewards), ==, 0);

  float *w = g_new (float, gd.g * gd.d);
  for (int j = 0; j < gd.g; j++)
    g_assert_cmpint (vt->solution (rs, j, w + j * gd.d), ==, 0);
  double worst = weights_error (&gd, w);
  g_test_message ("through the plugin: worst weight error %.3g", worst);
  g_assert_cmpfloat (worst, <=, GOLDEN_TOL);

  g_free (w);
  vt->head.destroy (rs);
  golden_clear (&gd);
  g_hash_table_unref (arrays);
}

/* ------------------------------------------------------------------ */
/* Golden: the effective alpha over the seed's schedules                */

static void
test_golden_alpha (void)
{
  GHashTable *arrays = load_golden ("schedules.txt");
  double epochs = golden_array (arrays, "epochs", -1, NULL)->data[0];
  const SomaifArray *e = golden_array (arrays, "e", -1, NULL);
  g_assert_cmpint (e->ndim, ==, 1);
  int shape[1] = { (int) e->size };
  const SomaifArray *std_ref = golden_array (arrays, "search_std", 1, shape);
  const SomaifArray *alpha_ref = golden_array (arrays, "alpha", 1, shape);
  g_assert_cmpfloat (epochs, ==, 20000.0);

  GError *error = NULL;
  const int d = 100, goals = 50;
  Randsearch *rs = create_rs (3, d, goals, NULL, &error);
  g_assert_no_error (error);
  const SomaifOptimiser *vt = &randsearch_vtable;
  float *cand = g_new (float, vt->max_candidates (rs) * d), *w = g_new (float, d);
  double *rewards = g_new0 (double, vt->max_candidates (rs));
  double worst_std = 0.0, worst_alpha = 0.0;

  for (gsize i = 0; i < e->size; i++)
    {
      double ep = e->data[i];
      double sigma = 1.0 - (tanh (20.0 * (ep - 3.0 * epochs / 4.0) / epochs) + 1.0) / 2.0;
      double step = ep < 0.7 * epochs ? 1e-5 : 1e-3;
      double rel_std = fabs (sigma - std_ref->data[i]) / std_ref->data[i];
      worst_std = MAX (worst_std, rel_std);
      g_assert_cmpfloat (rel_std, <=, SCHEDULE_RTOL);

      g_assert_cmpint (vt->head.set_param (rs, RANDSEARCH_SIGMA, sigma), ==, 0);
      g_assert_cmpint (vt->head.set_param (rs, RANDSEARCH_STEP, step), ==, 0);
      double alpha = randsearch_effective_alpha (rs);
      double rel = fabs (alpha - alpha_ref->data[i]) / alpha_ref->data[i];
      worst_alpha = MAX (worst_alpha, rel);
      if (rel > SCHEDULE_RTOL)
        g_error ("epoch %g: alpha %.17g, golden %.17g", ep, alpha, alpha_ref->data[i]);

      /* And update() uses it: one goal, reward 1 on the first plus candidate
         only, from zero weights: w = alpha * delta_0 (in float32). */
      int goal = (int) i, n = 0;
      g_assert_cmpint (vt->propose (rs, goal, cand, &n), ==, 0);
      g_assert_cmpint (n, ==, vt->max_candidates (rs));
      memset (rewards, 0, n * sizeof (double));
      rewards[1] = 1.0;
      g_assert_cmpint (vt->update (rs, goal, n, rewards), ==, 0);
      g_assert_cmpint (vt->solution (rs, goal, w), ==, 0);
      for (int p = 0; p < d; p++)
        {
          g_assert_cmpfloat (cand[p], ==, -cand[d + p]);
          g_assert_cmpfloat (w[p], ==, (float) alpha * cand[d + p]);
        }
    }
  g_test_message ("schedules: worst relative error of search_std %.3g, of alpha %.3g",
                  worst_std, worst_alpha);

  vt->head.destroy (rs);
  g_free (cand);
  g_free (w);
  g_free (rewards);
  g_hash_table_unref (arrays);
}

/* ------------------------------------------------------------------ */
/* The plugin                                                           */

static void
test_propose (void)
{
  const int d = 100, goals = 50;
  GError *error = NULL;
  const char *ov[] = { "sigma", "0.3", NULL };
  Randsearch *a = create_rs (5, d, goals, ov, &error);
  Randsearch *b = create_rs (5, d, goals, ov, &error);
  Randsearch *c = create_rs (6, d, goals, ov, &error);
  g_assert_no_error (error);
  const SomaifOptimiser *vt = &randsearch_vtable;
  g_assert_cmpint (vt->max_candidates (a), ==, 10);
  g_assert_cmpint (a->k, ==, 5);
  g_assert_cmpfloat (a->step, ==, 1e-5);

  float *ca = g_new (float, 10 * d), *cb = g_new (float, 10 * d), *cc = g_new (float, 10 * d);
  float *w = g_new (float, d);
  double sum = 0, sum2 = 0;
  long count = 0;
  int n;
  for (int rep = 0; rep < 40; rep++)
    {
      int goal = rep % goals;
      g_assert_cmpint (vt->propose (a, goal, ca, &n), ==, 0);
      g_assert_cmpint (n, ==, 10);
      vt->propose (b, goal, cb, &n);
      vt->propose (c, goal, cc, &n);
      /* Same seed, same candidates; another seed, others. */
      g_assert_cmpmem (ca, 10 * d * sizeof (float), cb, 10 * d * sizeof (float));
      g_assert_true (memcmp (ca, cc, 10 * d * sizeof (float)) != 0);
      vt->solution (a, goal, w);
      for (int k = 0; k < 5; k++)
        for (int p = 0; p < d; p++)
          {
            /* Minus then plus the same direction around the goal's state. */
            float minus = ca[(2 * k) * d + p], plus = ca[(2 * k + 1) * d + p];
            double delta = a->slot_deltas[a->last][k * d + p];
            g_assert_cmpfloat (minus, ==, w[p] - (float) delta);
            g_assert_cmpfloat (plus, ==, w[p] + (float) delta);
            sum += delta;
            sum2 += delta * delta;
            count++;
          }
      double rewards[10];
      for (int i = 0; i < 10; i++)
        rewards[i] = rep + i * 0.5;
      g_assert_cmpint (vt->update (a, goal, 10, rewards), ==, 0);
      g_assert_cmpint (vt->update (b, goal, 10, rewards), ==, 0);
    }
  double mean = sum / count, sd = sqrt (sum2 / count - mean * mean);
  g_test_message ("%ld direction components: mean %.4f, std %.4f (sigma 0.3)", count, mean, sd);
  g_assert_cmpfloat (fabs (mean), <, 0.02);
  g_assert_cmpfloat (fabs (sd - 0.3), <, 0.3 * 0.03);

  /* Only the proposed goal's state moved. */
  vt->solution (a, 45, w);
  for (int p = 0; p < d; p++)
    g_assert_cmpfloat (w[p], ==, 0.0f);
  vt->solution (a, 1, w);
  float moved = 0;
  for (int p = 0; p < d; p++)
    moved = MAX (moved, fabsf (w[p]));
  g_assert_cmpfloat (moved, >, 0.0f);

  /* Refusals. */
  double rewards[10] = { 0 };
  g_assert_cmpint (vt->update (a, 3, 10, rewards), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (a), "none"));
  vt->propose (a, 3, ca, &n);
  g_assert_cmpint (vt->update (a, 4, 10, rewards), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (a), "goal 4"));
  g_assert_cmpint (vt->update (a, 3, 9, rewards), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (a), "9 rewards"));
  rewards[7] = NAN;
  g_assert_cmpint (vt->update (a, 3, 10, rewards), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (a), "reward 7"));
  rewards[7] = 0;
  g_assert_cmpint (vt->update (a, 3, 10, rewards), ==, 0);
  g_assert_cmpint (vt->update (a, 3, 10, rewards), <, 0);
  g_assert_cmpint (vt->propose (a, goals, ca, &n), <, 0);
  g_assert_cmpint (vt->propose (a, -1, ca, &n), <, 0);
  g_assert_cmpint (vt->solution (a, goals, w), <, 0);
  g_assert_cmpint (vt->head.set_param (a, RANDSEARCH_SIGMA, 0.0), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (a), "sigma"));
  g_assert_cmpint (vt->head.set_param (a, RANDSEARCH_STEP, -1.0), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (a), "step"));
  g_assert_cmpint (vt->head.set_param (a, RANDSEARCH_DIRECTIONS, 3.0), <, 0);
  g_assert_cmpfloat (a->sigma, ==, 0.3);

  vt->head.destroy (a);
  vt->head.destroy (b);
  vt->head.destroy (c);
  g_free (ca);
  g_free (cb);
  g_free (cc);
  g_free (w);
}

/* code: SOMAIF_PLUGIN_ERROR_PARAMS for a value the host's validation
 * refuses, SOMAIF_PLUGIN_ERROR_CREATE for what create() refuses. */
static void
expect_create_error (int d, int goals, const char *const *overrides, int code,
                     const char *word)
{
  GError *error = NULL;
  Randsearch *rs = create_rs (1, d, goals, overrides, &error);
  g_assert_null (rs);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, code);
  if (!strstr (error->message, word))
    g_error ("'%s' does not say '%s'", error->message, word);
  g_error_free (error);
}

static void
test_refuses (void)
{
  const char *sigma[] = { "sigma", "0.0", NULL };
  expect_create_error (100, 50, sigma, SOMAIF_PLUGIN_ERROR_PARAMS, "sigma");
  const char *step[] = { "step", "-1e-5", NULL };
  expect_create_error (100, 50, step, SOMAIF_PLUGIN_ERROR_PARAMS, "step");
  const char *dirs[] = { "directions", "0", NULL };
  expect_create_error (100, 50, dirs, SOMAIF_PLUGIN_ERROR_PARAMS, "directions");
  expect_create_error (100, 0, NULL, SOMAIF_PLUGIN_ERROR_CREATE, "goals");
  expect_create_error (0, 50, NULL, SOMAIF_PLUGIN_ERROR_CREATE, "goals");
}

static void
test_state (void)
{
  const int d = 20, goals = 7;
  GError *error = NULL;
  const char *ov[] = { "directions", "3", NULL };
  Randsearch *a = create_rs (10, d, goals, ov, &error);
  Randsearch *b = create_rs (11, d, goals, ov, &error);
  g_assert_no_error (error);
  const SomaifOptimiser *vt = &randsearch_vtable;
  float *ca = g_new (float, 6 * d), *cb = g_new (float, 6 * d);
  float *wa = g_new (float, d), *wb = g_new (float, d);
  double rewards[6] = { 1, -2, 3, 0.5, -1, 4 };
  int n;
  for (int rep = 0; rep < 5; rep++)
    {
      vt->propose (a, rep % goals, ca, &n);
      vt->update (a, rep % goals, n, rewards);
    }
  vt->head.set_param (a, RANDSEARCH_SIGMA, 0.25);
  vt->head.set_param (a, RANDSEARCH_STEP, 0.125);
  /* Saved between a proposal and its update. */
  vt->propose (a, 2, ca, &n);
  GByteArray *state = g_byte_array_new ();
  g_assert_cmpint (vt->head.save_state (a, state), ==, 0);
  g_assert_cmpint (vt->head.load_state (b, state->data, state->len), ==, 0);
  g_assert_cmpfloat (randsearch_effective_alpha (b), ==, 0.5);
  g_assert_cmpint (vt->update (a, 2, n, rewards), ==, 0);
  g_assert_cmpint (vt->update (b, 2, n, rewards), ==, 0);
  for (int rep = 0; rep < 5; rep++)
    {
      vt->propose (a, rep, ca, &n);
      vt->propose (b, rep, cb, &n);
      g_assert_cmpmem (ca, 6 * d * sizeof (float), cb, 6 * d * sizeof (float));
      vt->update (a, rep, n, rewards);
      vt->update (b, rep, n, rewards);
    }
  for (int j = 0; j < goals; j++)
    {
      vt->solution (a, j, wa);
      vt->solution (b, j, wb);
      g_assert_cmpmem (wa, d * sizeof (float), wb, d * sizeof (float));
    }

  /* Refusals leave the instance as it was. */
  vt->solution (b, 2, wa);
  state->data[0] = 7;
  g_assert_cmpint (vt->head.load_state (b, state->data, state->len), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (b), "version"));
  state->data[0] = 1;
  g_assert_cmpint (vt->head.load_state (b, state->data, state->len - 4), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (b), "bytes"));
  g_assert_cmpint (vt->head.load_state (b, state->data, 10), <, 0);
  Randsearch *c = create_rs (10, d, goals + 1, ov, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vt->head.load_state (c, state->data, state->len), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (c), "goals"));
  vt->solution (b, 2, wb);
  g_assert_cmpmem (wa, d * sizeof (float), wb, d * sizeof (float));

  g_byte_array_unref (state);
  vt->head.destroy (a);
  vt->head.destroy (b);
  vt->head.destroy (c);
  g_free (ca);
  g_free (cb);
  g_free (wa);
  g_free (wb);
}

/* SOMAIF_OPTIMISER_PROPOSES_AHEAD: proposing for goal b before learning from
 * goal a's proposal, with sigma and step changed in between, gives the
 * candidates and the weights of the plain order, to the byte; a third
 * proposal while two wait is refused. */
static void
test_proposes_ahead (void)
{
  const SomaifOptimiser *vt = &randsearch_vtable;
  g_assert_true (vt->flags & SOMAIF_OPTIMISER_PROPOSES_AHEAD);
  enum { D = 7, G = 4, N = 10 };
  GError *error = NULL;
  Randsearch *plain = create_rs (5, D, G, NULL, &error), *ahead = create_rs (5, D, G, NULL, &error);
  g_assert_no_error (error);
  float cp[N * D], ca[N * D], cb[N * D], w1[D], w2[D];
  double r[N];
  int n;
  SomaifRng rng;
  somaif_rng_init (&rng, 9);
  int goals[] = { 0, 2, 1, 3, 2, 0, 1 };
  /* the first proposal, in both */
  g_assert_cmpint (vt->propose (plain, goals[0], cp, &n), ==, 0);
  g_assert_cmpint (vt->propose (ahead, goals[0], ca, &n), ==, 0);
  for (guint e = 0; e + 1 < G_N_ELEMENTS (goals); e++)
    {
      for (int i = 0; i < N; i++)
        r[i] = somaif_rng_normal (&rng);
      double sigma = 0.2 + 0.1 * e, step = 1e-2 * (e + 1);
      /* plain: update e, set the values of e + 1, propose e + 1 */
      g_assert_cmpint (vt->update (plain, goals[e], N, r), ==, 0);
      vt->head.set_param (plain, RANDSEARCH_SIGMA, sigma);
      vt->head.set_param (plain, RANDSEARCH_STEP, step);
      g_assert_cmpint (vt->propose (plain, goals[e + 1], cp, &n), ==, 0);
      /* ahead: set the values of e + 1, propose e + 1, then update e */
      vt->head.set_param (ahead, RANDSEARCH_SIGMA, sigma);
      vt->head.set_param (ahead, RANDSEARCH_STEP, step);
      g_assert_cmpint (vt->propose (ahead, goals[e + 1], cb, &n), ==, 0);
      if (e == 2)
        {
          /* a third while two wait */
          float c3[N * D];
          g_assert_cmpint (vt->propose (ahead, (goals[e] + 3) % G == goals[e + 1]
                                                  ? (goals[e] + 2) % G : (goals[e] + 3) % G,
                                        c3, &n), ==, -1);
          g_assert_nonnull (strstr (vt->head.error_message (ahead), "still wait"));
        }
      g_assert_cmpint (vt->update (ahead, goals[e], N, r), ==, 0);
      g_assert_cmpmem (cp, sizeof cp, cb, sizeof cb);
    }
  for (int j = 0; j < G; j++)
    {
      vt->solution (plain, j, w1);
      vt->solution (ahead, j, w2);
      g_assert_cmpmem (w1, sizeof w1, w2, sizeof w2);
    }
  vt->head.destroy (plain);
  vt->head.destroy (ahead);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/randsearch/golden/core", test_golden_core);
  g_test_add_func ("/randsearch/golden/plugin", test_golden_plugin);
  g_test_add_func ("/randsearch/golden/alpha-schedule", test_golden_alpha);
  g_test_add_func ("/randsearch/plugin/propose", test_propose);
  g_test_add_func ("/randsearch/plugin/refuses", test_refuses);
  g_test_add_func ("/randsearch/plugin/state", test_state);
  g_test_add_func ("/randsearch/plugin/proposes-ahead", test_proposes_ahead);
  return g_test_run ();
}
