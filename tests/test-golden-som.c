/* test-golden-som.c: the ringsom perceiver against the seed's numbers
 * (golden/som.txt), its two kernels against each other, and its plugin glue.
 *
 * The glue is compiled into this program (it is one file of static functions)
 * so that its vtable is at hand without dlopen. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libconfig.h>

#include "params-private.h"
#include "plugins/ringsom/ringsom.c"
#include "tests/test-params.h"

/* Against the seed's numbers: 2.1e-7 observed (distances), 1e-6 allowed.
 * Kernels against each other: 8.3e-7 observed (prototypes), 5e-6 allowed. */
#define GOLDEN_TOL 1e-6
#define KERNEL_TOL 5e-6

static GHashTable *golden;

static char *
data_file (const char *name)
{
  const char *dir = g_getenv ("SOMAIF_TEST_DATA");
  if (dir && *dir)
    return g_build_filename (dir, "golden", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "data", "golden", name, NULL);
}

static const SomaifArray *
golden_array (const char *name, int ndim, const int *shape)
{
  GError *error = NULL;
  const SomaifArray *a = somaif_arrays_get (golden, name, ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

static double
golden_scalar (const char *name)
{
  const SomaifArray *a = golden_array (name, -1, NULL);
  g_assert_cmpuint (a->size, ==, 1);
  return a->data[0];
}

/* ------------------------------------------------------------------ */
/* Instances as the host creates them (parameters: tests/test-params.h)  */

static SomaifSetup
image_setup (guint64 seed, int width, int height)
{
  SomaifSetup s = { 0 };
  s.struct_size = sizeof s;
  s.seed = seed;
  s.steps = 100;
  s.input_size = width * height;
  s.input_width = width;
  s.input_height = height;
  s.epochs = 20000;
  return s;
}

static Ringsom *
create_som (const SomaifSetup *setup, const char *const *overrides, GError **error)
{
  SomaifParams *p = test_params_new (ringsom_params, overrides, error);
  if (!p)
    return NULL;
  Ringsom *som = ringsom_vtable.head.create (setup, p, error);
  somaif_params_free (p);
  return som;
}

/* ------------------------------------------------------------------ */
/* Images: polyline-like strokes, a few hundred pixels of ink in [0, 1)  */

static void
stroke_image (SomaifRng *rng, int width, int height, float *img)
{
  for (int i = 0; i < width * height; i++)
    img[i] = 1.0f;
  double x = width * (0.25 + 0.5 * somaif_rng_uniform (rng));
  double y = height * (0.25 + 0.5 * somaif_rng_uniform (rng));
  double heading = 2 * G_PI * somaif_rng_uniform (rng);
  double turn = 0.0;
  int segments = 40 + (int) somaif_rng_below (rng, 40);
  for (int s = 0; s < segments; s++)
    {
      turn = 0.8 * turn + 0.3 * somaif_rng_normal (rng);
      heading += turn;
      double nx = CLAMP (x + 2.0 * cos (heading), 1.0, width - 2.0);
      double ny = CLAMP (y + 2.0 * sin (heading), 1.0, height - 2.0);
      /* Ink the pixels whose centre lies within 1 px of the segment. */
      for (int t = 0; t <= 8; t++)
        {
          double px = x + (nx - x) * t / 8.0, py = y + (ny - y) * t / 8.0;
          for (int r = (int) py - 1; r <= (int) py + 1; r++)
            for (int c = (int) px - 1; c <= (int) px + 1; c++)
              {
                if (r < 0 || r >= height || c < 0 || c >= width)
                  continue;
                double dist = hypot (c + 0.5 - px, r + 0.5 - py);
                double ink = CLAMP (1.3 - dist, 0.0, 1.0);
                float value = (float) (1.0 - ink);
                if (ink > 0.0 && value < img[r * width + c])
                  img[r * width + c] = value;
              }
        }
      x = nx;
      y = ny;
    }
}

static int
count_ink (const float *img, int n)
{
  int ink = 0;
  for (int i = 0; i < n; i++)
    ink += img[i] != 1.0f;
  return ink;
}

/* ------------------------------------------------------------------ */
/* Golden: the neighbourhood function                                   */

static void
test_nf (void)
{
  static const int sizes[] = { 50, 7 };
  static const char *spreads[] = { "100", "10", "1", "0.3" };
  double worst = 0.0;
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 4; b++)
      {
        int n = sizes[a];
        int shape[1] = { 2 * n - 1 };
        g_autofree char *name = g_strdup_printf ("nf_n%d_spread%s", n, spreads[b]);
        const SomaifArray *ref = golden_array (name, 1, shape);
        float *nf = g_new (float, 2 * n - 1);
        somaif_ringsom_build_nf (n, g_ascii_strtod (spreads[b], NULL), nf);
        for (int i = 0; i < 2 * n - 1; i++)
          {
            double err = fabs (nf[i] - ref->data[i]);
            worst = MAX (worst, err);
            if (err > GOLDEN_TOL)
              g_error ("%s[%d] = %.9g, golden %.9g", name, i, nf[i], ref->data[i]);
            /* The winner's own factor is 1, and the ring is symmetric. */
            g_assert_cmpfloat (nf[i], ==, nf[2 * n - 2 - i]);
          }
        g_assert_cmpfloat (nf[n - 1], ==, 1.0f);
        g_free (nf);
      }
  g_test_message ("neighbourhood functions: worst absolute error %.3g", worst);
}

static void
test_ring_distance (void)
{
  g_assert_cmpfloat (somaif_ringsom_ring_distance (50, 0, 49), ==, 1.0);
  g_assert_cmpfloat (somaif_ringsom_ring_distance (50, 3, 28), ==, 25.0);
  g_assert_cmpfloat (somaif_ringsom_ring_distance (50, 28, 3), ==, 25.0);
  g_assert_cmpfloat (somaif_ringsom_ring_distance (50, 10, 36), ==, 24.0);
  g_assert_cmpfloat (somaif_ringsom_ring_distance (7, 0, 4), ==, 3.0);
  g_assert_cmpfloat (somaif_ringsom_ring_distance (7, 5, 5), ==, 0.0);
}

/* ------------------------------------------------------------------ */
/* Golden: three learning steps, both kernels                           */

static double
max_abs_diff (const float *a, const double *b, gsize n)
{
  double worst = 0.0;
  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs (a[i] - b[i]));
  return worst;
}

static void
to_floats (const double *src, float *dst, gsize n)
{
  for (gsize i = 0; i < n; i++)
    dst[i] = (float) src[i];
}

static void
golden_steps (SomaifRingsomKernel kernel, gboolean chained)
{
  const int n = 50, d = 64;
  int wshape[2] = { n, d }, xshape[1] = { d };
  float *w = g_new (float, n * d), *x = g_new (float, d), *out = g_new (float, n * d);
  SomaifRingsom *map = somaif_ringsom_new (n, d, kernel);
  g_assert_nonnull (map);
  to_floats (golden_array ("w_init", 2, wshape)->data, w, n * d);
  somaif_ringsom_set_prototypes (map, w);
  somaif_ringsom_prototypes (map, out);
  g_assert_cmpmem (out, n * d * sizeof (float), w, n * d * sizeof (float));

  double worst_w = 0.0, worst_dist = 0.0;
  for (int step = 0; step < 3; step++)
    {
      char name[64];
      if (!chained && step > 0)
        {
          /* Each step from the golden map before it, not from ours. */
          g_snprintf (name, sizeof name, "step%d_w_after", step - 1);
          to_floats (golden_array (name, 2, wshape)->data, w, n * d);
          somaif_ringsom_set_prototypes (map, w);
        }
      g_snprintf (name, sizeof name, "step%d_spread", step);
      somaif_ringsom_set_spread (map, golden_scalar (name));
      g_snprintf (name, sizeof name, "step%d_lr", step);
      somaif_ringsom_set_rate (map, golden_scalar (name));
      g_snprintf (name, sizeof name, "step%d_input", step);
      to_floats (golden_array (name, 1, xshape)->data, x, d);
      g_snprintf (name, sizeof name, "step%d_winner", step);
      int ref_winner = (int) golden_scalar (name);
      g_snprintf (name, sizeof name, "step%d_distance", step);
      double ref_dist = golden_scalar (name);

      int rwin, win;
      double rdist, dist;
      somaif_ringsom_recognise (map, x, &rwin, &rdist);
      somaif_ringsom_learn (map, x, &win, &dist);
      g_assert_cmpint (rwin, ==, ref_winner);
      g_assert_cmpint (win, ==, ref_winner);
      g_assert_cmpfloat (rdist, ==, dist);
      worst_dist = MAX (worst_dist, fabs (dist - ref_dist));
      g_assert_cmpfloat_with_epsilon (dist, ref_dist, GOLDEN_TOL);

      g_snprintf (name, sizeof name, "step%d_w_after", step);
      const SomaifArray *ref = golden_array (name, 2, wshape);
      somaif_ringsom_prototypes (map, out);
      double err = max_abs_diff (out, ref->data, (gsize) n * d);
      worst_w = MAX (worst_w, err);
      if (err > GOLDEN_TOL)
        g_error ("%s kernel, %s: worst error %.3g", somaif_ringsom_kernel_name (kernel), name,
                 err);
    }
  g_test_message ("%s kernel (%s): worst prototype error %.3g, worst distance error %.3g",
                  somaif_ringsom_kernel_name (kernel), chained ? "chained" : "step by step",
                  worst_w, worst_dist);
  somaif_ringsom_free (map);
  g_free (w);
  g_free (x);
  g_free (out);
}

static void
test_golden_dense (void)
{
  golden_steps (SOMAIF_RINGSOM_DENSE, FALSE);
  golden_steps (SOMAIF_RINGSOM_DENSE, TRUE);
}

static void
test_golden_sparse (void)
{
  golden_steps (SOMAIF_RINGSOM_SPARSE, FALSE);
  golden_steps (SOMAIF_RINGSOM_SPARSE, TRUE);
}

/* ------------------------------------------------------------------ */
/* The sparse kernel against the dense one                              */

/* Sets step's spread and rate on both maps, a schedule like the seed's,
 * compressed: epoch 0 (spread 100, rate 1), a decaying spread at rate 0.01,
 * a stretch at rate 0.5 that drives the sparse scales down to their
 * rescaling, a narrow spread, then no learning. */
static void
schedule_both (int step, SomaifRingsom *a, SomaifRingsom *b)
{
  double spread, rate;
  if (step < 10)
    spread = 100, rate = 1.0;
  else if (step < 150)
    spread = 10 * exp (-3.0 * step / 150.0), rate = 0.01;
  else if (step < 200)
    spread = 3.0, rate = 0.5;
  else if (step < 300)
    spread = 0.3, rate = 0.01;
  else
    spread = 0.3, rate = 0.0;
  somaif_ringsom_set_spread (a, spread);
  somaif_ringsom_set_spread (b, spread);
  somaif_ringsom_set_rate (a, rate);
  somaif_ringsom_set_rate (b, rate);
}

static void
test_kernels_agree (void)
{
  const int n = 50, width = 64, height = 64, d = width * height, steps = 400;
  SomaifRingsom *dense = somaif_ringsom_new (n, d, SOMAIF_RINGSOM_DENSE);
  SomaifRingsom *sparse = somaif_ringsom_new (n, d, SOMAIF_RINGSOM_SPARSE);
  SomaifRng rng_a, rng_b, images;
  somaif_rng_init (&rng_a, 7);
  somaif_rng_init (&rng_b, 7);
  somaif_ringsom_init_noise (dense, &rng_a, 0.1);
  somaif_ringsom_init_noise (sparse, &rng_b, 0.1);
  somaif_rng_init (&images, 2024);

  float *x = g_new (float, d), *pa = g_new (float, n * d), *pb = g_new (float, n * d);
  somaif_ringsom_prototypes (dense, pa);
  somaif_ringsom_prototypes (sparse, pb);
  g_assert_cmpmem (pa, n * d * sizeof (float), pb, n * d * sizeof (float));

  double worst_rel_dist = 0.0;
  int ink_min = d, ink_max = 0, n_winners = 0;
  gboolean won[50] = { FALSE };
  for (int step = 0; step < steps; step++)
    {
      schedule_both (step, dense, sparse);
      stroke_image (&images, width, height, x);
      int ink = count_ink (x, d);
      ink_min = MIN (ink_min, ink);
      ink_max = MAX (ink_max, ink);

      if (step % 25 == 0)
        {
          int ba[2], bb[2];
          double da[2], db[2];
          somaif_ringsom_best_two (dense, x, ba, da);
          somaif_ringsom_best_two (sparse, x, bb, db);
          g_assert_cmpint (ba[0], ==, bb[0]);
          g_assert_cmpint (ba[1], ==, bb[1]);
          g_assert_cmpint (ba[0], !=, ba[1]);
          g_assert_cmpfloat (da[0], <=, da[1]);
          g_assert_cmpfloat_with_epsilon (db[1], da[1], 1e-5 * MAX (1.0, da[1]));
        }

      int wa, wb;
      double da, db;
      somaif_ringsom_learn (dense, x, &wa, &da);
      somaif_ringsom_learn (sparse, x, &wb, &db);
      if (wa != wb)
        g_error ("step %d: dense winner %d (%.9g), sparse winner %d (%.9g)", step, wa, da, wb,
                 db);
      worst_rel_dist = MAX (worst_rel_dist, fabs (da - db) / MAX (1.0, da));
      n_winners += !won[wa];
      won[wa] = TRUE;
      g_assert_cmpfloat_with_epsilon (db, da, 1e-5 * MAX (1.0, da));
    }

  somaif_ringsom_prototypes (dense, pa);
  somaif_ringsom_prototypes (sparse, pb);
  double worst = 0.0;
  float lo = 1.0f, hi = 0.0f;
  for (int i = 0; i < n * d; i++)
    {
      worst = MAX (worst, fabs (pa[i] - pb[i]));
      lo = MIN (lo, pb[i]);
      hi = MAX (hi, pb[i]);
    }
  g_test_message ("%d steps on strokes of %d to %d ink pixels: same winners (%d units won); "
                  "worst prototype difference %.3g, worst relative distance difference %.3g",
                  steps, ink_min, ink_max, n_winners, worst, worst_rel_dist);
  g_assert_cmpint (n_winners, >=, 10);
  g_assert_cmpint (ink_min, >=, 100);
  g_assert_cmpint (ink_max, <=, 1000);
  g_assert_cmpfloat (worst, <=, KERNEL_TOL);
  /* Real prototypes w (blank paper near 1, ink near 0), not ink terms. */
  g_assert_cmpfloat (hi, >, 0.99f);
  g_assert_cmpfloat (lo, <, 0.2f);
  g_assert_cmpfloat (lo, >=, -1e-6f);
  g_assert_cmpfloat (hi, <=, 1.0f + 1e-6f);

  somaif_ringsom_free (dense);
  somaif_ringsom_free (sparse);
  g_free (x);
  g_free (pa);
  g_free (pb);
}

/* The sparse store's AVX-512 kernels against the others, to the bit: the
 * same winners, distances and prototypes through learning, the seed's
 * schedule, strokes and drawings with more ink than best_two() gathers at
 * once (256 pixels). */
static void
test_store_clones (void)
{
  if (somaif_simd_best () < SOMAIF_SIMD_AVX512)
    {
      g_test_skip ("this CPU has no AVX-512: one kernel only");
      return;
    }
  const int n = 50, width = 64, height = 64, d = width * height, steps = 300;
  SomaifRingsom *wide = somaif_ringsom_new (n, d, SOMAIF_RINGSOM_SPARSE);
  SomaifRingsom *narrow = somaif_ringsom_new (n, d, SOMAIF_RINGSOM_SPARSE);
  g_assert_true (somaif_som_store_set_simd (somaif_ringsom_store (wide), SOMAIF_SIMD_AVX512));
  g_assert_true (somaif_som_store_set_simd (somaif_ringsom_store (narrow), SOMAIF_SIMD_AVX2));
  g_assert_false (somaif_som_store_set_simd (somaif_ringsom_store (narrow), (SomaifSimd) 9));
  SomaifRng rng_a, rng_b, images;
  somaif_rng_init (&rng_a, 5);
  somaif_rng_init (&rng_b, 5);
  somaif_ringsom_init_noise (wide, &rng_a, 0.1);
  somaif_ringsom_init_noise (narrow, &rng_b, 0.1);
  somaif_rng_init (&images, 99);
  float *x = g_new (float, d), *pa = g_new (float, n * d), *pb = g_new (float, n * d);
  int most_ink = 0;
  for (int step = 0; step < steps; step++)
    {
      schedule_both (step, wide, narrow);
      stroke_image (&images, width, height, x);
      if (step % 5 == 4)
        /* a smudge: grey over a band of rows, with a blank pixel here and there */
        for (int p = (step * 37) % (d / 2); p < (step * 37) % (d / 2) + d / 3; p++)
          x[p] = somaif_rng_uniform (&images) < 0.1 ? 1.0f : (float) somaif_rng_uniform (&images);
      most_ink = MAX (most_ink, count_ink (x, d));
      int ba[2], bb[2], wa, wb;
      double da[2], db[2], la, lb;
      somaif_ringsom_best_two (wide, x, ba, da);
      somaif_ringsom_best_two (narrow, x, bb, db);
      g_assert_cmpmem (ba, sizeof ba, bb, sizeof bb);
      g_assert_cmpmem (da, sizeof da, db, sizeof db);
      somaif_ringsom_learn (wide, x, &wa, &la);
      somaif_ringsom_learn (narrow, x, &wb, &lb);
      g_assert_cmpint (wa, ==, wb);
      g_assert_cmpmem (&la, sizeof la, &lb, sizeof lb);
    }
  somaif_ringsom_prototypes (wide, pa);
  somaif_ringsom_prototypes (narrow, pb);
  g_assert_cmpmem (pa, n * d * sizeof (float), pb, n * d * sizeof (float));
  g_test_message ("%d steps, up to %d ink pixels a drawing: the same bits", steps, most_ink);
  g_assert_cmpint (most_ink, >, 1000);
  somaif_ringsom_free (wide);
  somaif_ringsom_free (narrow);
  g_free (x);
  g_free (pa);
  g_free (pb);
}

/* Many strong updates in a row: every sparse scale halves 1200 times, far
 * past where its vector (1 / scale) would overflow without rescaling. */
static void
test_long_decay (void)
{
  const int n = 8, d = 64 * 64, steps = 1200;
  SomaifRingsom *maps[2];
  SomaifRng rng;
  float *x = g_new (float, d), *pa = g_new (float, n * d), *pb = g_new (float, n * d);
  for (int kernel = 0; kernel < 2; kernel++)
    {
      maps[kernel] = somaif_ringsom_new (n, d, kernel);
      somaif_rng_init (&rng, 17);
      somaif_ringsom_init_noise (maps[kernel], &rng, 0.1);
      somaif_ringsom_set_spread (maps[kernel], 100.0);
      somaif_ringsom_set_rate (maps[kernel], 0.5);
    }
  somaif_rng_init (&rng, 18);
  for (int step = 0; step < steps; step++)
    {
      stroke_image (&rng, 64, 64, x);
      int wa, wb;
      double da, db;
      somaif_ringsom_learn (maps[0], x, &wa, &da);
      somaif_ringsom_learn (maps[1], x, &wb, &db);
      g_assert_cmpint (wa, ==, wb);
      g_assert_true (isfinite (db));
      g_assert_cmpfloat_with_epsilon (db, da, 1e-5 * MAX (1.0, da));
    }
  somaif_ringsom_prototypes (maps[0], pa);
  somaif_ringsom_prototypes (maps[1], pb);
  double worst = 0.0;
  for (int i = 0; i < n * d; i++)
    {
      g_assert_true (isfinite (pb[i]));
      worst = MAX (worst, fabs (pa[i] - pb[i]));
    }
  g_test_message ("%d updates at rate 0.5: worst prototype difference %.3g", steps, worst);
  g_assert_cmpfloat (worst, <=, KERNEL_TOL);
  somaif_ringsom_free (maps[0]);
  somaif_ringsom_free (maps[1]);
  g_free (x);
  g_free (pa);
  g_free (pb);
}

/* A rate-1 update of the winner with spread 100 copies the image into it
 * (the sparse unit is then rebuilt from scratch: v = u). */
static void
test_rate_one_copies (void)
{
  const int n = 5, d = 64 * 64;
  float *x = g_new (float, d), *w = g_new (float, d);
  SomaifRng rng;
  somaif_rng_init (&rng, 3);
  for (int kernel = 0; kernel < 2; kernel++)
    {
      SomaifRingsom *map = somaif_ringsom_new (n, d, kernel);
      somaif_ringsom_init_noise (map, &rng, 0.1);
      somaif_ringsom_set_spread (map, 100);
      somaif_ringsom_set_rate (map, 1.0);
      for (int rep = 0; rep < 3; rep++)
        {
          stroke_image (&rng, 64, 64, x);
          int win;
          double dist;
          somaif_ringsom_learn (map, x, &win, &dist);
          g_assert_cmpfloat (dist, >, 1.0);
          somaif_ringsom_prototype (map, win, w);
          for (int p = 0; p < d; p++)
            g_assert_cmpfloat_with_epsilon (w[p], x[p], 1e-6);
          /* The same image again: it wins with distance ~0. */
          int again;
          somaif_ringsom_recognise (map, x, &again, &dist);
          g_assert_cmpint (again, ==, win);
          g_assert_cmpfloat (dist, <, 1e-9);
        }
      somaif_ringsom_free (map);
    }
  g_free (x);
  g_free (w);
}

/* ------------------------------------------------------------------ */
/* The plugin                                                           */

static void
test_plugin_defaults (void)
{
  SomaifSetup setup = image_setup (11, 64, 64);
  GError *error = NULL;
  Ringsom *a = create_som (&setup, NULL, &error);
  g_assert_no_error (error);
  const SomaifPerceiver *vt = &ringsom_vtable;
  g_assert_cmpint (vt->n_units (a), ==, 50);
  int rows = 0, cols = 0;
  vt->layout (a, &rows, &cols);
  g_assert_cmpint (rows, ==, 1);
  g_assert_cmpint (cols, ==, 50);
  g_assert_cmpfloat (vt->distance (a, 0, 49), ==, 1.0);
  g_assert_cmpfloat (vt->distance (a, 3, 28), ==, 25.0);
  g_assert_cmpint (somaif_ringsom_kernel (a->map), ==, SOMAIF_RINGSOM_SPARSE);
  g_assert_cmpfloat (somaif_ringsom_spread (a->map), ==, 1.0);
  g_assert_cmpfloat (somaif_ringsom_rate (a->map), ==, 0.1);

  /* Initial prototypes: 1 - uniform * 0.1, the same for both kernels and seeds. */
  const char *dense_kernel[] = { "kernel", "\"dense\"", NULL };
  Ringsom *b = create_som (&setup, dense_kernel, &error);
  g_assert_no_error (error);
  g_assert_cmpint (somaif_ringsom_kernel (b->map), ==, SOMAIF_RINGSOM_DENSE);
  float *pa = g_new (float, 4096), *pb = g_new (float, 4096);
  float lo = 1, hi = 0;
  for (int k = 0; k < 50; k++)
    {
      g_assert_cmpint (vt->prototype (a, k, pa), ==, 0);
      g_assert_cmpint (vt->prototype (b, k, pb), ==, 0);
      g_assert_cmpmem (pa, 4096 * sizeof (float), pb, 4096 * sizeof (float));
      for (int p = 0; p < 4096; p++)
        {
          lo = MIN (lo, pa[p]);
          hi = MAX (hi, pa[p]);
        }
    }
  g_assert_cmpfloat (lo, >=, 0.9f);
  g_assert_cmpfloat (lo, <, 0.901f);
  g_assert_cmpfloat (hi, <=, 1.0f);
  g_assert_cmpfloat (hi, >, 0.999f);
  g_assert_cmpint (vt->prototype (a, 50, pa), <, 0);
  g_assert_cmpint (vt->prototype (a, -1, pa), <, 0);
  g_assert_nonnull (vt->head.error_message (a));

  /* Another seed, other prototypes. */
  SomaifSetup other = image_setup (12, 64, 64);
  Ringsom *c = create_som (&other, NULL, &error);
  g_assert_no_error (error);
  vt->prototype (a, 0, pa);
  vt->prototype (c, 0, pb);
  g_assert_true (memcmp (pa, pb, 4096 * sizeof (float)) != 0);

  /* Schedulable parameters. */
  g_assert_cmpint (vt->head.set_param (a, RINGSOM_SPREAD, 100.0), ==, 0);
  g_assert_cmpfloat (somaif_ringsom_nf (a->map)[0], ==, (float) exp (-1.0 / 10000.0));
  g_assert_cmpint (vt->head.set_param (a, RINGSOM_RATE, 1.0), ==, 0);
  g_assert_cmpfloat (somaif_ringsom_rate (a->map), ==, 1.0);
  g_assert_cmpint (vt->head.set_param (a, RINGSOM_UNITS, 3.0), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (a), "schedulable"));
  g_assert_cmpfloat (somaif_ringsom_spread (a->map), ==, 100.0);
  g_assert_cmpfloat (somaif_ringsom_rate (a->map), ==, 1.0);

  /* Spread 100, rate 1: the winner's prototype becomes the image itself. */
  SomaifRng rng;
  somaif_rng_init (&rng, 5);
  float *x = g_new (float, 4096);
  stroke_image (&rng, 64, 64, x);
  int win = -1, win2 = -1, best[2];
  double dist = -1, dist2, bd[2];
  g_assert_cmpint (vt->recognise (a, x, &win2, &dist2), ==, 0);
  g_assert_cmpint (vt->best_two (a, x, best, bd), ==, 0);
  g_assert_cmpint (vt->learn (a, x, &win, &dist), ==, 0);
  g_assert_cmpint (win, ==, win2);
  g_assert_cmpint (best[0], ==, win);
  g_assert_cmpfloat (dist, ==, dist2);
  g_assert_cmpfloat (bd[0], ==, dist);
  g_assert_cmpfloat (bd[1], >=, bd[0]);
  g_assert_cmpint (vt->prototype (a, win, pa), ==, 0);
  for (int p = 0; p < 4096; p++)
    g_assert_cmpfloat_with_epsilon (pa[p], x[p], 1e-6);

  vt->head.destroy (a);
  vt->head.destroy (b);
  vt->head.destroy (c);
  g_free (pa);
  g_free (pb);
  g_free (x);
}

/* code: SOMAIF_PLUGIN_ERROR_PARAMS for a value the host's validation
 * refuses (ranges), SOMAIF_PLUGIN_ERROR_CREATE for what create() refuses. */
static void
expect_create_error (const SomaifSetup *setup, const char *const *overrides, int code,
                     const char *const *words)
{
  GError *error = NULL;
  Ringsom *som = create_som (setup, overrides, &error);
  g_assert_null (som);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, code);
  for (int i = 0; words[i]; i++)
    if (!strstr (error->message, words[i]))
      g_error ("'%s' does not say '%s'", error->message, words[i]);
  g_test_message ("refused: %s", error->message);
  g_error_free (error);
}

static void
test_plugin_refuses (void)
{
  SomaifSetup setup = image_setup (1, 64, 64);
  const char *bad_kernel[] = { "kernel", "\"fast\"", NULL };
  const char *bad_kernel_words[] = { "fast", "\"sparse\"", "\"dense\"", NULL };
  expect_create_error (&setup, bad_kernel, SOMAIF_PLUGIN_ERROR_CREATE, bad_kernel_words);
  const char *bad_spread[] = { "spread", "0.0", NULL };
  const char *bad_spread_words[] = { "spread", "outside", NULL };
  expect_create_error (&setup, bad_spread, SOMAIF_PLUGIN_ERROR_PARAMS, bad_spread_words);
  const char *bad_rate[] = { "rate", "2.0", NULL };
  const char *bad_rate_words[] = { "rate", "[0, 1]", NULL };
  expect_create_error (&setup, bad_rate, SOMAIF_PLUGIN_ERROR_PARAMS, bad_rate_words);
  const char *bad_noise[] = { "init_noise", "-0.5", NULL };
  const char *bad_noise_words[] = { "init_noise", NULL };
  expect_create_error (&setup, bad_noise, SOMAIF_PLUGIN_ERROR_PARAMS, bad_noise_words);
  const char *bad_units[] = { "units", "1", NULL };
  const char *bad_units_words[] = { "units", "[2, 65536]", NULL };
  expect_create_error (&setup, bad_units, SOMAIF_PLUGIN_ERROR_PARAMS, bad_units_words);
  SomaifSetup empty = image_setup (1, 0, 0);
  const char *no_words[] = { "pixels", NULL };
  expect_create_error (&empty, NULL, SOMAIF_PLUGIN_ERROR_CREATE, no_words);
}

/* Learns the same images in a and b and checks they stay identical. */
static void
learn_in_step (const SomaifPerceiver *vt, void *a, void *b, SomaifRng *rng, int count,
               gboolean bitwise)
{
  float *x = g_new (float, 4096), *pa = g_new (float, 4096), *pb = g_new (float, 4096);
  for (int i = 0; i < count; i++)
    {
      stroke_image (rng, 64, 64, x);
      int wa, wb;
      double da, db;
      g_assert_cmpint (vt->learn (a, x, &wa, &da), ==, 0);
      g_assert_cmpint (vt->learn (b, x, &wb, &db), ==, 0);
      g_assert_cmpint (wa, ==, wb);
      if (bitwise)
        g_assert_cmpfloat (da, ==, db);
      else
        g_assert_cmpfloat_with_epsilon (da, db, 1e-5 * MAX (1.0, da));
    }
  for (int k = 0; k < vt->n_units (a); k++)
    {
      vt->prototype (a, k, pa);
      vt->prototype (b, k, pb);
      for (int p = 0; p < 4096; p++)
        if (bitwise)
          g_assert_cmpfloat (pa[p], ==, pb[p]);
        else
          g_assert_cmpfloat_with_epsilon (pa[p], pb[p], KERNEL_TOL);
    }
  g_free (x);
  g_free (pa);
  g_free (pb);
}

static void
test_plugin_state (void)
{
  const SomaifPerceiver *vt = &ringsom_vtable;
  SomaifSetup setup = image_setup (21, 64, 64);
  const char *start[] = { "spread", "5.0", "rate", "0.2", "units", "12", NULL };
  const char *start_dense[] = { "spread", "5.0", "rate", "0.2", "units", "12", "kernel",
                                "\"dense\"", NULL };
  GError *error = NULL;
  SomaifRng rng;
  somaif_rng_init (&rng, 99);

  for (int kernel = 0; kernel < 2; kernel++)
    {
      const char *const *ov = kernel == SOMAIF_RINGSOM_DENSE ? start_dense : start;
      Ringsom *a = create_som (&setup, ov, &error);
      g_assert_no_error (error);
      float *x = g_new (float, 4096);
      for (int i = 0; i < 30; i++)
        {
          int w;
          double d;
          stroke_image (&rng, 64, 64, x);
          vt->learn (a, x, &w, &d);
        }
      vt->head.set_param (a, RINGSOM_SPREAD, 2.0);
      vt->head.set_param (a, RINGSOM_RATE, 0.05);
      GByteArray *state = g_byte_array_new ();
      g_assert_cmpint (vt->head.save_state (a, state), ==, 0);

      /* Another seed and schedule values: the state brings back everything. */
      SomaifSetup other = image_setup (22, 64, 64);
      Ringsom *b = create_som (&other, ov, &error);
      g_assert_no_error (error);
      g_assert_cmpint (vt->head.load_state (b, state->data, state->len), ==, 0);
      g_assert_cmpfloat (somaif_ringsom_spread (b->map), ==, 2.0);
      g_assert_cmpfloat (somaif_ringsom_rate (b->map), ==, 0.05);
      learn_in_step (&ringsom_vtable, a, b, &rng, 20, TRUE);

      /* The other kernel takes the state through the prototypes. */
      Ringsom *c = create_som (&other, kernel == SOMAIF_RINGSOM_DENSE ? start : start_dense,
                               &error);
      g_assert_no_error (error);
      g_byte_array_set_size (state, 0);
      vt->head.save_state (a, state);
      g_assert_cmpint (vt->head.load_state (c, state->data, state->len), ==, 0);
      g_assert_cmpint (somaif_ringsom_kernel (c->map), !=, kernel);
      learn_in_step (&ringsom_vtable, a, c, &rng, 20, FALSE);

      /* Refusals, each leaving the instance as it was. */
      float *before = g_new (float, 4096), *after = g_new (float, 4096);
      vt->prototype (b, 3, before);
      g_byte_array_set_size (state, 0);
      vt->head.save_state (a, state);
      state->data[0] = 99;
      g_assert_cmpint (vt->head.load_state (b, state->data, state->len), <, 0);
      g_assert_nonnull (strstr (vt->head.error_message (b), "version"));
      state->data[0] = 1;
      g_assert_cmpint (vt->head.load_state (b, state->data, state->len - 1), <, 0);
      g_assert_nonnull (strstr (vt->head.error_message (b), "bytes"));
      g_assert_cmpint (vt->head.load_state (b, state->data, 5), <, 0);
      const char *more_units[] = { "units", "13", "kernel",
                                   kernel == SOMAIF_RINGSOM_DENSE ? "\"dense\"" : "\"sparse\"",
                                   NULL };
      Ringsom *e = create_som (&setup, more_units, &error);
      g_assert_no_error (error);
      g_assert_cmpint (vt->head.load_state (e, state->data, state->len), <, 0);
      g_assert_nonnull (strstr (vt->head.error_message (e), "units"));
      vt->prototype (b, 3, after);
      g_assert_cmpmem (before, 4096 * sizeof (float), after, 4096 * sizeof (float));

      g_byte_array_unref (state);
      vt->head.destroy (a);
      vt->head.destroy (b);
      vt->head.destroy (c);
      vt->head.destroy (e);
      g_free (x);
      g_free (before);
      g_free (after);
    }
}

/* recognise() and best_two() from several threads at once. */
typedef struct
{
  const Ringsom *som;
  const float *images;
  int count;
  const int *expect;
  int mismatches;
} RecogniseJob;

static gpointer
recognise_job (gpointer data)
{
  RecogniseJob *job = data;
  for (int rep = 0; rep < 5; rep++)
    for (int i = 0; i < job->count; i++)
      {
        int win, best[2];
        double dist, bd[2];
        ringsom_vtable.recognise (job->som, job->images + (gsize) i * 4096, &win, &dist);
        ringsom_vtable.best_two (job->som, job->images + (gsize) i * 4096, best, bd);
        if (win != job->expect[i] || best[0] != win || bd[0] != dist)
          job->mismatches++;
      }
  return NULL;
}

static void
test_concurrent_recognise (void)
{
  SomaifSetup setup = image_setup (31, 64, 64);
  GError *error = NULL;
  const char *ov[] = { "spread", "3.0", "rate", "0.3", "units", "80", NULL };
  Ringsom *som = create_som (&setup, ov, &error);
  g_assert_no_error (error);
  const int count = 40;
  float *images = g_new (float, (gsize) count * 4096);
  int expect[40];
  SomaifRng rng;
  somaif_rng_init (&rng, 8);
  for (int i = 0; i < count; i++)
    {
      int w;
      double d;
      stroke_image (&rng, 64, 64, images + (gsize) i * 4096);
      ringsom_vtable.learn (som, images + (gsize) i * 4096, &w, &d);
    }
  for (int i = 0; i < count; i++)
    {
      double d;
      ringsom_vtable.recognise (som, images + (gsize) i * 4096, &expect[i], &d);
    }
  RecogniseJob jobs[4];
  GThread *threads[4];
  for (int t = 0; t < 4; t++)
    {
      jobs[t] = (RecogniseJob) { som, images, count, expect, 0 };
      threads[t] = g_thread_new ("recognise", recognise_job, &jobs[t]);
    }
  for (int t = 0; t < 4; t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpint (jobs[t].mismatches, ==, 0);
    }
  ringsom_vtable.head.destroy (som);
  g_free (images);
}

/* ------------------------------------------------------------------ */
/* Speed (only with -m perf)                                            */

typedef struct
{
  double learn, recognise, prototype; /* seconds a call */
} Timing;

static Timing
time_calls (const char *kernel, int calls, const float *images, int n_images)
{
  SomaifSetup setup = image_setup (41, 64, 64);
  const char *ov[] = { "kernel", kernel, "spread", "10.0", "rate", "0.01", NULL };
  GError *error = NULL;
  Ringsom *som = create_som (&setup, ov, &error);
  g_assert_no_error (error);
  const SomaifPerceiver *vt = &ringsom_vtable;
  Timing t;
  int w;
  double d;
  /* The seed's epoch 0 first, so that prototypes look like drawings. */
  vt->head.set_param (som, RINGSOM_SPREAD, 100.0);
  vt->head.set_param (som, RINGSOM_RATE, 1.0);
  for (int i = 0; i < 10; i++)
    vt->learn (som, images + (gsize) (i % n_images) * 4096, &w, &d);
  vt->head.set_param (som, RINGSOM_RATE, 0.01);
  gint64 t0 = g_get_monotonic_time ();
  for (int i = 0; i < calls; i++)
    {
      if (i % 10 == 0)
        vt->head.set_param (som, RINGSOM_SPREAD, 10.0 * exp (-6.0 * i / calls));
      vt->learn (som, images + (gsize) (i % n_images) * 4096, &w, &d);
    }
  gint64 t1 = g_get_monotonic_time ();
  for (int i = 0; i < calls; i++)
    vt->recognise (som, images + (gsize) (i % n_images) * 4096, &w, &d);
  gint64 t2 = g_get_monotonic_time ();
  float *out = g_new (float, 4096);
  for (int i = 0; i < calls; i++)
    vt->prototype (som, i % 50, out);
  gint64 t3 = g_get_monotonic_time ();
  t.learn = (t1 - t0) / 1e6 / calls;
  t.recognise = (t2 - t1) / 1e6 / calls;
  t.prototype = (t3 - t2) / 1e6 / calls;
  g_free (out);
  vt->head.destroy (som);
  return t;
}

static void
test_speed (void)
{
  const int n_images = 256;
  float *images = g_new (float, (gsize) n_images * 4096);
  SomaifRng rng;
  somaif_rng_init (&rng, 77);
  long ink = 0;
  for (int i = 0; i < n_images; i++)
    {
      stroke_image (&rng, 64, 64, images + (gsize) i * 4096);
      ink += count_ink (images + (gsize) i * 4096, 4096);
    }
  Timing ts = time_calls ("\"sparse\"", 200000, images, n_images);
  Timing td = time_calls ("\"dense\"", 5000, images, n_images);
  g_test_message ("50 units, 64x64 strokes of %ld ink pixels on average, microseconds a call:",
                  ink / n_images);
  g_test_message ("  sparse: learn %.2f, recognise %.2f, prototype %.2f (200000 learn(): %.1f s)",
                  1e6 * ts.learn, 1e6 * ts.recognise, 1e6 * ts.prototype, 2e5 * ts.learn);
  g_test_message ("  dense:  learn %.2f, recognise %.2f, prototype %.2f (200000 learn(): %.1f s)",
                  1e6 * td.learn, 1e6 * td.recognise, 1e6 * td.prototype, 2e5 * td.learn);
  g_test_minimized_result (1e6 * ts.learn, "sparse learn() %.2f us", 1e6 * ts.learn);
  g_free (images);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_autofree char *path = data_file ("som.txt");
  GError *error = NULL;
  golden = somaif_arrays_load (path, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ringsom/golden/nf", test_nf);
  g_test_add_func ("/ringsom/ring-distance", test_ring_distance);
  g_test_add_func ("/ringsom/golden/steps-dense", test_golden_dense);
  g_test_add_func ("/ringsom/golden/steps-sparse", test_golden_sparse);
  g_test_add_func ("/ringsom/kernels-agree", test_kernels_agree);
  g_test_add_func ("/ringsom/store-clones", test_store_clones);
  g_test_add_func ("/ringsom/long-decay", test_long_decay);
  g_test_add_func ("/ringsom/rate-one-copies", test_rate_one_copies);
  g_test_add_func ("/ringsom/plugin/defaults", test_plugin_defaults);
  g_test_add_func ("/ringsom/plugin/refuses", test_plugin_refuses);
  g_test_add_func ("/ringsom/plugin/state", test_plugin_state);
  g_test_add_func ("/ringsom/plugin/concurrent", test_concurrent_recognise);
  if (g_test_perf ())
    g_test_add_func ("/ringsom/speed", test_speed);

  int status = g_test_run ();
  g_hash_table_unref (golden);
  return status;
}
