/* test-golden-fe.c: the free energy's two terms against the seed's own numbers. */
#include "config.h"

#include <math.h>

#include "core/free-energy.h"
#include "somaif/plugin.h"

static GHashTable *
load (void)
{
  const char *dir = g_getenv ("SOMAIF_TEST_DATA");
  g_autofree char *path = dir ? g_build_filename (dir, "golden", "free_energy.txt", NULL)
                              : g_test_build_filename (G_TEST_DIST, "data", "golden",
                                                       "free_energy.txt", NULL);
  GError *error = NULL;
  GHashTable *arrays = somaif_arrays_load (path, &error);
  g_assert_no_error (error);
  return arrays;
}

static void
test_complexity (void)
{
  GHashTable *a = load ();
  GError *error = NULL;
  const SomaifArray *beta = somaif_arrays_get (a, "beta", 0, NULL, &error);
  g_assert_no_error (error);
  const SomaifArray *n = somaif_arrays_get (a, "n", 0, NULL, &error);
  g_assert_no_error (error);
  int shape[1] = { 26 };
  const SomaifArray *ref = somaif_arrays_get (a, "complexity", 1, shape, &error);
  g_assert_no_error (error);
  int units = (int) n->data[0];
  double *dist = g_new (double, units);
  for (int u = 0; u < units; u++)
    dist[u] = MIN (u, units - u); /* ring distance to goal 0 */
  double log_z = somaif_log_partition (dist, units, beta->data[0]);
  double worst = 0;
  for (int d = 0; d < 26; d++)
    {
      double c = somaif_complexity (beta->data[0], d, log_z);
      double rel = fabs (c - ref->data[d]) / fabs (ref->data[d]);
      worst = MAX (worst, rel);
      /* 4.5e-14 relative observed */
      g_assert_cmpfloat (rel, <=, 5e-13);
    }
  /* Far units: exp(-8 d) is 0 in float32 from d = 13, the formula is not. */
  g_assert_true (isfinite (somaif_complexity (beta->data[0], 25, log_z)));
  g_test_message ("complexity: worst relative error %.3g", worst);
  g_free (dist);
  g_hash_table_destroy (a);
}

static void
test_accuracy (void)
{
  GHashTable *a = load ();
  GError *error = NULL;
  int shape[2] = { 64, 64 };
  const SomaifArray *img = somaif_arrays_get (a, "image", 2, shape, &error);
  g_assert_no_error (error);
  const SomaifArray *goal = somaif_arrays_get (a, "goal", 2, shape, &error);
  g_assert_no_error (error);
  const SomaifArray *ref = somaif_arrays_get (a, "accuracy", 0, NULL, &error);
  g_assert_no_error (error);
  float *x = g_new (float, 4096), *g = g_new (float, 4096);
  float *d = g_new (float, 4096);
  for (int i = 0; i < 4096; i++)
    x[i] = (float) img->data[i], g[i] = (float) goal->data[i];
  double sum_log_t = somaif_goal_terms (g, 4096, d);
  double acc = somaif_cross_entropy (x, d, sum_log_t, 4096);
  double rel = fabs (acc - ref->data[0]) / fabs (ref->data[0]);
  g_test_message ("accuracy %.9g, seed %.9g: relative error %.3g", acc, ref->data[0], rel);
  /* 9.7e-8 relative observed (float32 logs against the seed's) */
  g_assert_cmpfloat (rel, <=, 5e-7);
  /* Blank paper against a blank goal costs -log(0.9995) a pixel, nothing more. */
  float *blank = g_new (float, 4096);
  for (int i = 0; i < 4096; i++)
    blank[i] = 1.0f;
  sum_log_t = somaif_goal_terms (blank, 4096, d);
  g_assert_cmpfloat (fabs (somaif_cross_entropy (blank, d, sum_log_t, 4096) + 4096 * log (0.9995)),
                     <, 1e-3);
  /* The ink-only sum is the plain per-pixel sum of the seed's formula. */
  double plain = 0.0;
  for (int i = 0; i < 4096; i++)
    {
      double t = (double) (g[i] * 0.999f + 0.0005f);
      plain -= x[i] * log (t) + (1.0 - x[i]) * log (1.0 - t);
    }
  g_assert_cmpfloat (fabs (acc - plain) / plain, <, 1e-6);
  g_free (blank);
  g_free (x);
  g_free (g);
  g_free (d);
  g_hash_table_destroy (a);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/golden/free-energy/complexity", test_complexity);
  g_test_add_func ("/golden/free-energy/accuracy", test_accuracy);
  return g_test_run ();
}
