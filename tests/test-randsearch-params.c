/* test-randsearch-params.c: randsearch's step_scaling against the update
 * written out here: x <- x + alpha (r+ - r-) dx for one antithetic pair, with
 * alpha = step ("fixed", the paper's lambda) or step / sigma ("sigma", the
 * notebook's). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libconfig.h>

#include "params-private.h"
#include "plugins/randsearch/randsearch.c"
#include "tests/test-params.h"

#define D 6

static Randsearch *
create_rs (const char *const *overrides, GError **error)
{
  SomaifSetup setup = { 0 };
  setup.struct_size = sizeof setup;
  setup.seed = 7;
  setup.steps = 100;
  setup.input_size = D;
  setup.goals = 3;
  setup.epochs = 100;
  SomaifParams *p = test_params_new (randsearch_params, overrides, error);
  if (!p)
    return NULL;
  Randsearch *rs = randsearch_vtable.head.create (&setup, p, error);
  somaif_params_free (p);
  return rs;
}

/* Two proposals and updates of goal 1 with sigma changed between them (as a
 * schedule does); each column change is checked against alpha (r+ - r-) dx,
 * dx read back from the candidates.  Returns the largest relative error. */
static double
check_updates (Randsearch *rs, gboolean fixed, double step)
{
  const SomaifOptimiser *vt = &randsearch_vtable;
  static const double sigmas[2] = { 0.5, 0.05 };
  static const double rewards[2][2] = { { -3.0, -1.0 }, { -2.0, -6.5 } };
  double worst = 0.0;
  for (int round = 0; round < 2; round++)
    {
      g_assert_cmpint (vt->head.set_param (rs, RANDSEARCH_SIGMA, sigmas[round]), ==, 0);
      float before[D], after[D], cand[2 * D];
      int n = 0;
      g_assert_cmpint (vt->solution (rs, 1, before), ==, 0);
      g_assert_cmpint (vt->propose (rs, 1, cand, &n), ==, 0);
      g_assert_cmpint (n, ==, 2);
      g_assert_cmpint (vt->update (rs, 1, n, rewards[round]), ==, 0);
      g_assert_cmpint (vt->solution (rs, 1, after), ==, 0);
      double alpha = fixed ? step : step / sigmas[round];
      for (int p = 0; p < D; p++)
        {
          double dx = ((double) cand[D + p] - cand[p]) / 2.0;
          double want = before[p] + alpha * (rewards[round][1] - rewards[round][0]) * dx;
          g_assert_cmpfloat (fabs (dx), >, 0.0);
          worst = MAX (worst, fabs (after[p] - want) / MAX (fabs (want), 1e-6));
        }
    }
  return worst;
}

/* "fixed": the step itself, whatever sigma; "sigma" (the default): step / sigma. */
static void
test_step_scaling (void)
{
  static const char *const fixed[] = { "directions", "1", "step", "0.01",
                                       "step_scaling", "\"fixed\"", NULL };
  static const char *const scaled[] = { "directions", "1", "step", "0.01", NULL };
  GError *error = NULL;
  Randsearch *a = create_rs (fixed, &error);
  g_assert_no_error (error);
  Randsearch *b = create_rs (scaled, &error);
  g_assert_no_error (error);
  double worst_fixed = check_updates (a, TRUE, 0.01);
  double worst_scaled = check_updates (b, FALSE, 0.01);
  g_test_message ("relative error of the update: fixed %.3g, scaled by sigma %.3g", worst_fixed,
                  worst_scaled);
  g_assert_cmpfloat (worst_fixed, <, 1e-5);
  g_assert_cmpfloat (worst_scaled, <, 1e-5);
  /* and the two differ: the fixed instance's column is not the scaled one's */
  float wa[D], wb[D];
  randsearch_vtable.solution (a, 1, wa);
  randsearch_vtable.solution (b, 1, wb);
  g_assert_true (memcmp (wa, wb, sizeof wa) != 0);
  randsearch_vtable.head.destroy (a);
  randsearch_vtable.head.destroy (b);
}

static void
test_bad_scaling (void)
{
  static const char *const bad[] = { "step_scaling", "\"lambda\"", NULL };
  GError *error = NULL;
  Randsearch *rs = create_rs (bad, &error);
  g_assert_null (rs);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_assert_nonnull (strstr (error->message, "step_scaling"));
  g_assert_nonnull (strstr (error->message, "lambda"));
  g_error_free (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/randsearch-params/step-scaling", test_step_scaling);
  g_test_add_func ("/randsearch-params/bad-scaling", test_bad_scaling);
  return g_test_run ();
}
