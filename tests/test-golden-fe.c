/* test-golden-fe.c: the free energy's two terms against the seed's own numbers. */
#include "config.h"

#include <float.h>
#include <math.h>

#include "core/free-energy.h"
#include "core/scan.h"
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

/* The goal's terms come from logarithms of our own: each d within a unit
 * in the last place of the C library's logf, the sum of log t within 1e-14
 * of a long double sum, for goals of every kind (blank, ink, sizes that are
 * not a multiple of the vectors), and NaN or infinity where logf gives it. */
static void
test_goal_terms (void)
{
  SomaifRng rng;
  somaif_rng_init (&rng, 9);
  const int sizes[] = { 4096, 1, 17, 1000, 4099, 70000 };
  for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
    {
      int n = sizes[z];
      float *g = g_new (float, n), *d = g_new (float, n);
      for (int i = 0; i < n; i++)
        {
          double u = somaif_rng_uniform (&rng);
          g[i] = z % 2 ? (float) u : (u < 0.6 ? 1.0f : (float) somaif_rng_uniform (&rng));
        }
      double sum = somaif_goal_terms (g, n, d);
      long double ref = 0.0L;
      int worst = 0;
      for (int i = 0; i < n; i++)
        {
          float t = g[i] * 0.999f + 0.0005f;
          float l = logf (t / (1.0f - t));
          ref += logl ((long double) t);
          float ulp = nextafterf (fabsf (l), INFINITY) - fabsf (l);
          worst = MAX (worst, (int) (fabsf (d[i] - l) / ulp + 0.5f));
        }
      g_test_message ("%d pixels: d within %d ulp of logf's; sum of log t %.17g, "
                      "relative error %.3g", n, worst, sum,
                      (double) fabsl ((sum - ref) / ref));
      g_assert_cmpint (worst, <=, 1);
      g_assert_cmpfloat ((double) fabsl ((sum - ref) / ref), <, 1e-14);
      g_free (g);
      g_free (d);
    }
  float odd[] = { NAN, 1.5f, 1.0f, 0.0f, 0.5f, INFINITY, -2.0f, 1.0f };
  float d[8];
  double sum = somaif_goal_terms (odd, 8, d);
  g_assert_true (isnan (d[0]) && isnan (d[1]) && isnan (d[5]) && isnan (d[6]));
  g_assert_cmpfloat (d[4], ==, 0.0f);
  volatile float one = 1.0f, t = one * 0.999f + 0.0005f;
  g_assert_cmpfloat (fabsf (d[2] - logf (t / (1.0f - t))), <=, 1e-6f * fabsf (d[2]));
  g_assert_true (isnan (sum));
}

/* The finiteness test of a drawing's pixels, by each clone this CPU has:
 * a NaN, an infinity or a negative one anywhere in arrays of several sizes
 * is found, and the largest float, -0, denormals and blank paper pass. */
static void
test_finite_scan (void)
{
  const float bad[] = { NAN, -NAN, INFINITY, -INFINITY };
  const float good[] = { FLT_MAX, -FLT_MAX, -0.0f, FLT_MIN / 4, 1.0f };
  const gsize sizes[] = { 0, 1, 15, 64, 255, 256, 257, 4096, 4111 };
  for (int level = SOMAIF_SIMD_BASELINE; level <= (int) somaif_simd_best (); level++)
    for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
      {
        gsize n = sizes[z];
        float *v = g_new (float, MAX (n, 1));
        for (gsize i = 0; i < n; i++)
          v[i] = good[i % G_N_ELEMENTS (good)];
        g_assert_true (somaif_all_finite_f32_with ((SomaifSimd) level, v, n));
        for (gsize i = 0; i < n; i++)
          {
            float keep = v[i];
            v[i] = bad[i % G_N_ELEMENTS (bad)];
            if (somaif_all_finite_f32_with ((SomaifSimd) level, v, n))
              g_error ("clone %s, %zu floats: %g at %zu not found",
                       somaif_simd_name ((SomaifSimd) level), n, (double) v[i], i);
            v[i] = keep;
          }
        g_free (v);
      }
}

/* Every clone's accuracy is the plain loop's sum over the ink, in pixel
 * order, to the bit: drawings of scattered ink (partial, full, NaN,
 * infinite), lengths that end inside a run of 16 and runs all ink. */
static void
test_cross_entropy_clones (void)
{
  const int sizes[] = { 0, 5, 16, 17, 4096, 4111 };
  SomaifRng rng;
  somaif_rng_init (&rng, 23);
  for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
    for (int pattern = 0; pattern < 5; pattern++)
      {
        int n = sizes[z];
        float *x = g_new (float, MAX (n, 1)), *d = g_new (float, MAX (n, 1));
        for (int p = 0; p < n; p++)
          {
            double u = somaif_rng_uniform (&rng);
            d[p] = (float) (20.0 * somaif_rng_uniform (&rng) - 10.0);
            x[p] = pattern == 1 ? (float) u : u < 0.8 ? 1.0f : u < 0.9 ? 0.0f : (float) (u - 0.85);
          }
        if (n > 0 && pattern == 2)
          x[n / 2] = NAN;
        if (n > 0 && pattern == 3)
          x[n - 1] = INFINITY;
        if (n > 0 && pattern == 4)
          d[n / 3] = -INFINITY;
        double want = 0.0;
        for (int p = 0; p < n; p++)
          if (x[p] != 1.0f)
            want += (1.0 - (double) x[p]) * (double) d[p];
        want -= 1.5;
        for (int level = SOMAIF_SIMD_BASELINE; level <= (int) somaif_simd_best (); level++)
          {
            double got = somaif_cross_entropy_with ((SomaifSimd) level, x, d, 1.5, n);
            if (!(memcmp (&got, &want, sizeof got) == 0 || (isnan (got) && isnan (want))))
              g_error ("clone %s, %d pixels, pattern %d: %.17g, not %.17g",
                       somaif_simd_name ((SomaifSimd) level), n, pattern, got, want);
          }
        g_free (x);
        g_free (d);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/golden/free-energy/complexity", test_complexity);
  g_test_add_func ("/golden/free-energy/accuracy", test_accuracy);
  g_test_add_func ("/free-energy/goal-terms", test_goal_terms);
  g_test_add_func ("/scan/finite", test_finite_scan);
  g_test_add_func ("/free-energy/cross-entropy-clones", test_cross_entropy_clones);
  return g_test_run ();
}
