/* test-gridsom.c: the gridsom perceiver (a 2-D Kohonen map): its distances
 * and neighbourhood against hand values, a learning step worked out by hand,
 * tie breaking, its two kernels against each other, its state and its
 * plugin glue.
 *
 * The glue is compiled into this program (one file of static functions) so
 * that its vtable is at hand without dlopen. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "params-private.h"
#include "plugins/gridsom/gridsom.c"
#include "tests/test-params.h"

/* Sparse against dense after a few hundred steps: float rounding. */
#define KERNEL_TOL 1e-4

static const double E1 = 0.36787944117144233; /* e^-1 */
static const double E2 = 0.1353352832366127;  /* e^-2 */

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

static Gridsom *
create_som (const SomaifSetup *setup, const char *const *overrides, GError **error)
{
  SomaifParams *p = test_params_new (gridsom_params, overrides, error);
  if (!p)
    return NULL;
  Gridsom *som = gridsom_vtable.head.create (setup, p, error);
  somaif_params_free (p);
  return som;
}

/* ------------------------------------------------------------------ */
/* Images: random pen strokes, a few hundred pixels of ink, blank = 1    */

static void
stroke_image (SomaifRng *rng, int width, int height, float *img)
{
  for (int i = 0; i < width * height; i++)
    img[i] = 1.0f;
  double x = width * (0.3 + 0.4 * somaif_rng_uniform (rng));
  double y = height * (0.3 + 0.4 * somaif_rng_uniform (rng));
  double angle = 2 * G_PI * somaif_rng_uniform (rng);
  double bend = 0.4 * somaif_rng_normal (rng) / 8.0;
  int dots = 120 + (int) somaif_rng_below (rng, 240);
  for (int t = 0; t < dots; t++)
    {
      angle += bend + 0.05 * somaif_rng_normal (rng);
      x = CLAMP (x + 0.5 * cos (angle), 1.0, width - 2.0);
      y = CLAMP (y + 0.5 * sin (angle), 1.0, height - 2.0);
      /* A round pen of radius about 1 px, partly covering pixels. */
      for (int r = (int) y - 2; r <= (int) y + 2; r++)
        for (int c = (int) x - 2; c <= (int) x + 2; c++)
          {
            if (r < 0 || r >= height || c < 0 || c >= width)
              continue;
            double ink = CLAMP (1.2 - hypot (c + 0.5 - x, r + 0.5 - y), 0.0, 1.0);
            float value = (float) (1.0 - ink);
            if (value < img[r * width + c])
              img[r * width + c] = value;
          }
    }
}

static int
ink_pixels (const float *img, int n)
{
  int ink = 0;
  for (int i = 0; i < n; i++)
    ink += img[i] != 1.0f;
  return ink;
}

static double
max_abs_diff (const float *a, const float *b, gsize n)
{
  double worst = 0.0;
  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs ((double) a[i] - (double) b[i]));
  return worst;
}

/* Every prototype of map, n_units x input_size, newly allocated. */
static float *
all_prototypes (const SomaifGridsom *map)
{
  const SomaifSomStore *store = somaif_gridsom_store (map);
  int n = somaif_som_store_n_units (store), d = somaif_som_store_input_size (store);
  float *w = g_new (float, (gsize) n * d);
  for (int k = 0; k < n; k++)
    somaif_som_store_prototype (store, k, w + (gsize) k * d);
  return w;
}

/* ------------------------------------------------------------------ */
/* Distances on the grid                                               */

static void
test_distance (void)
{
  /* A 3 x 4 map: unit u at (u / 4, u % 4). */
  const SomaifGridsomTopology P = SOMAIF_GRIDSOM_PLANAR, T = SOMAIF_GRIDSOM_TORUS;
  static const struct
  {
    int u, v;
    double planar, torus;
  } hand[] = {
    { 7, 7, 0.0, 0.0 },
    { 0, 1, 1.0, 1.0 },
    { 0, 4, 1.0, 1.0 },
    { 0, 5, G_SQRT2, G_SQRT2 },
    { 0, 2, 2.0, 2.0 },          /* (0, 2): half way round a row of 4 either way */
    { 0, 3, 3.0, 1.0 },          /* (0, 3): a row wraps */
    { 0, 8, 2.0, 1.0 },          /* (2, 0): a column wraps */
    { 0, 11, 3.605551275463989, G_SQRT2 }, /* (2, 3): sqrt 13, or (1, 1) */
    { 0, 10, 2.8284271247461903, 2.23606797749979 }, /* (2, 2): sqrt 8, or sqrt 5 */
    { 5, 2, G_SQRT2, G_SQRT2 },  /* (1, 1) to (0, 2) */
    { 5, 3, 2.23606797749979, 2.23606797749979 }, /* (1, 1) to (0, 3): sqrt 5 both */
    { 3, 8, 3.605551275463989, G_SQRT2 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (hand); i++)
    {
      int u = hand[i].u, v = hand[i].v;
      g_assert_cmpfloat_with_epsilon (somaif_gridsom_grid_distance (3, 4, P, u, v),
                                      hand[i].planar, 1e-12);
      g_assert_cmpfloat_with_epsilon (somaif_gridsom_grid_distance (3, 4, P, v, u),
                                      hand[i].planar, 1e-12);
      g_assert_cmpfloat_with_epsilon (somaif_gridsom_grid_distance (3, 4, T, u, v),
                                      hand[i].torus, 1e-12);
      g_assert_cmpfloat_with_epsilon (somaif_gridsom_grid_distance (3, 4, T, v, u),
                                      hand[i].torus, 1e-12);
    }
  /* Squared distances are exact integers. */
  g_assert_cmpfloat (somaif_gridsom_distance_sq (3, 4, P, 0, 11), ==, 13.0);
  g_assert_cmpfloat (somaif_gridsom_distance_sq (3, 4, T, 0, 10), ==, 5.0);

  /* Every pair: symmetric, zero only on the diagonal, the torus never longer
   * than the plane, and the triangle inequality. */
  for (int u = 0; u < 12; u++)
    for (int v = 0; v < 12; v++)
      {
        double p = somaif_gridsom_grid_distance (3, 4, P, u, v);
        double t = somaif_gridsom_grid_distance (3, 4, T, u, v);
        g_assert_cmpfloat (p, ==, somaif_gridsom_grid_distance (3, 4, P, v, u));
        g_assert_cmpfloat (t, ==, somaif_gridsom_grid_distance (3, 4, T, v, u));
        g_assert_true ((p == 0.0) == (u == v));
        g_assert_true ((t == 0.0) == (u == v));
        g_assert_cmpfloat (t, <=, p);
        for (int w = 0; w < 12; w++)
          g_assert_cmpfloat (t, <=, somaif_gridsom_grid_distance (3, 4, T, u, w)
                                    + somaif_gridsom_grid_distance (3, 4, T, w, v) + 1e-12);
      }

  /* A single row is a line, not a ring (unless a torus). */
  g_assert_cmpfloat (somaif_gridsom_grid_distance (1, 10, P, 0, 9), ==, 9.0);
  g_assert_cmpfloat (somaif_gridsom_grid_distance (1, 10, T, 0, 9), ==, 1.0);
}

/* The complexity prior's normaliser Z_g = sum_u exp(-beta d(u, g)), which the
 * core computes from distance(): the same for every goal of a torus, larger
 * at the centre than in a corner of a plane. */
static void
test_normaliser (void)
{
  const double beta = 1.0;
  double z[2][49];
  for (int t = 0; t < 2; t++)
    for (int g = 0; g < 49; g++)
      {
        z[t][g] = 0.0;
        for (int u = 0; u < 49; u++)
          z[t][g] += exp (-beta * somaif_gridsom_grid_distance (7, 7, (SomaifGridsomTopology) t,
                                                                u, g));
      }
  for (int g = 1; g < 49; g++)
    g_assert_cmpfloat_with_epsilon (z[SOMAIF_GRIDSOM_TORUS][g], z[SOMAIF_GRIDSOM_TORUS][0],
                                    1e-12);
  g_assert_cmpfloat (z[SOMAIF_GRIDSOM_PLANAR][24], >, z[SOMAIF_GRIDSOM_PLANAR][0] + 0.5);
  g_assert_cmpfloat_with_epsilon (z[SOMAIF_GRIDSOM_PLANAR][0], z[SOMAIF_GRIDSOM_PLANAR][48],
                                  1e-12);
  /* The centre of an odd plane sees no edge: it is as a unit of the torus. */
  g_assert_cmpfloat_with_epsilon (z[SOMAIF_GRIDSOM_TORUS][0], z[SOMAIF_GRIDSOM_PLANAR][24],
                                  1e-12);
  g_assert_cmpfloat (z[SOMAIF_GRIDSOM_PLANAR][1], >, z[SOMAIF_GRIDSOM_PLANAR][0]);
  g_assert_cmpfloat (z[SOMAIF_GRIDSOM_PLANAR][23], <, z[SOMAIF_GRIDSOM_PLANAR][24]);
}

/* ------------------------------------------------------------------ */
/* The neighbourhood                                                   */

static void
test_neighbourhood (void)
{
  /* 5 x 5, spread 2: h = exp(-d^2 / 4). */
  SomaifGridsom *p = somaif_gridsom_new (5, 5, SOMAIF_GRIDSOM_PLANAR, 1, SOMAIF_SOM_DENSE);
  SomaifGridsom *t = somaif_gridsom_new (5, 5, SOMAIF_GRIDSOM_TORUS, 1, SOMAIF_SOM_SPARSE);
  somaif_som_store_set_spread (somaif_gridsom_store (p), 2.0);
  somaif_som_store_set_spread (somaif_gridsom_store (t), 2.0);
  static const struct
  {
    int winner, unit;
    double planar, torus;
  } hand[] = {
    { 12, 12, 1.0, 1.0 },
    { 12, 13, 0.7788007830714049, 0.7788007830714049 },   /* d^2 1: e^-1/4 */
    { 12, 18, 0.6065306597126334, 0.6065306597126334 },   /* d^2 2: e^-1/2 */
    { 12, 14, 0.36787944117144233, 0.36787944117144233 }, /* d^2 4: e^-1 */
    { 12, 0, 0.1353352832366127, 0.1353352832366127 },    /* d^2 8: e^-2 */
    { 0, 4, 0.01831563888873418, 0.7788007830714049 },    /* (0, 4): 16, or 1 */
    { 0, 24, 3.3546262790251185e-4, 0.6065306597126334 }, /* (4, 4): 32, or 2 */
    { 0, 3, 0.1053992245618643, 0.36787944117144233 },    /* (0, 3): 9, or 4 */
    { 0, 12, 0.1353352832366127, 0.1353352832366127 },    /* (2, 2): 8 both */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (hand); i++)
    {
      int w = hand[i].winner, u = hand[i].unit;
      g_assert_cmpfloat_with_epsilon (somaif_gridsom_factor (p, w, u), hand[i].planar,
                                      1e-7 * hand[i].planar);
      g_assert_cmpfloat_with_epsilon (somaif_gridsom_factor (t, w, u), hand[i].torus,
                                      1e-7 * hand[i].torus);
      /* Symmetric in winner and unit. */
      g_assert_cmpfloat (somaif_gridsom_factor (p, u, w), ==, somaif_gridsom_factor (p, w, u));
      g_assert_cmpfloat (somaif_gridsom_factor (t, u, w), ==, somaif_gridsom_factor (t, w, u));
    }
  /* Every factor is the float32 of exp(-d^2 / spread^2) over distance(). */
  for (int w = 0; w < 25; w++)
    for (int u = 0; u < 25; u++)
      {
        double d = somaif_gridsom_distance (t, w, u);
        g_assert_cmpfloat_with_epsilon (somaif_gridsom_factor (t, w, u), exp (-d * d / 4.0),
                                        1e-7);
      }

  /* A wide spread reaches everyone almost fully; a narrow one only the winner. */
  somaif_som_store_set_spread (somaif_gridsom_store (p), 100.0);
  g_assert_cmpfloat (somaif_gridsom_factor (p, 0, 24), >, 0.996f);
  somaif_som_store_set_spread (somaif_gridsom_store (p), 0.05);
  g_assert_cmpfloat (somaif_gridsom_factor (p, 12, 12), ==, 1.0f);
  g_assert_cmpfloat (somaif_gridsom_factor (p, 12, 13), ==, 0.0f);
  g_assert_cmpfloat (somaif_som_store_spread (somaif_gridsom_store (p)), ==, 0.05);

  somaif_gridsom_free (p);
  somaif_gridsom_free (t);
}

/* ------------------------------------------------------------------ */
/* One learning step on a 2 x 3 map of 4-pixel inputs, by hand          */

/* Units all blank but `near`, which is half-way to x = (0, 0, 1, 1); spread 1
 * and rate 0.5: near wins at squared distance 0.5 (the others: 2), then each
 * unit's pixels 0 and 1 go from w to w + h (0 - w) / 2, with h = 1 for the
 * winner, e^-1 at distance 1, e^-2 at sqrt 2, e^-4 at 2 and e^-5 at sqrt 5:
 *   near:        0.5 - 0.5 / 2       = 0.25
 *   d^2 = 1:     1 - e^-1 / 2        = 0.81606028
 *   d^2 = 2:     1 - e^-2 / 2        = 0.93233236
 *   d^2 = 4:     1 - e^-4 / 2        = 0.99084218
 *   d^2 = 5:     1 - e^-5 / 2        = 0.99663103
 * Pixels 2 and 3 are ink-free in x and in every unit: they stay 1. */
static void
check_hand_step (SomaifGridsomTopology topology, SomaifSomKernel kernel, int near,
                 const double expected[6])
{
  SomaifGridsom *map = somaif_gridsom_new (2, 3, topology, 4, kernel);
  float w[6 * 4];
  for (int i = 0; i < 6 * 4; i++)
    w[i] = 1.0f;
  w[near * 4 + 0] = w[near * 4 + 1] = 0.5f;
  somaif_som_store_set_prototypes (somaif_gridsom_store (map), w);
  somaif_som_store_set_spread (somaif_gridsom_store (map), 1.0);
  somaif_som_store_set_rate (somaif_gridsom_store (map), 0.5);
  const float x[4] = { 0.0f, 0.0f, 1.0f, 1.0f };
  int winner = -1;
  double dist = -1.0;
  somaif_som_store_learn (somaif_gridsom_store (map), x, &winner, &dist);
  g_assert_cmpint (winner, ==, near);
  g_assert_cmpfloat_with_epsilon (dist, 0.5, 1e-12);
  for (int k = 0; k < 6; k++)
    {
      float out[4];
      somaif_som_store_prototype (somaif_gridsom_store (map), k, out);
      for (int p = 0; p < 2; p++)
        if (fabs (out[p] - expected[k]) > 1e-6)
          g_error ("%s %s map, unit %d pixel %d: %.9g, by hand %.9g",
                   somaif_gridsom_topology_name (topology), somaif_som_kernel_name (kernel),
                   k, p, out[p], expected[k]);
      g_assert_cmpfloat (out[2], ==, 1.0f);
      g_assert_cmpfloat (out[3], ==, 1.0f);
    }
  /* The same x again: near is now at 2 x 0.25^2. */
  somaif_som_store_recognise (somaif_gridsom_store (map), x, &winner, &dist);
  g_assert_cmpint (winner, ==, near);
  g_assert_cmpfloat_with_epsilon (dist, 0.125, 1e-7);
  somaif_gridsom_free (map);
}

static void
test_hand_step (void)
{
  const double h1 = 1.0 - E1 / 2, h2 = 1.0 - E2 / 2;
  const double h4 = 0.99084218055563, h5 = 0.99663102650045;
  /* Winner 4 at (1, 1): units 1, 3, 5 at distance 1, units 0 and 2 at sqrt 2,
   * on a plane and on a torus alike. */
  const double centre[6] = { h2, h1, h2, h1, 0.25, h1 };
  /* Winner 3 at (1, 0): on a plane unit 5 (1, 2) is 2 away and unit 2 (0, 2)
   * sqrt 5; on a torus the rows wrap, so both are one column away. */
  const double edge_planar[6] = { h1, h2, h5, 0.25, h1, h4 };
  const double edge_torus[6] = { h1, h2, h2, 0.25, h1, h1 };
  g_assert_cmpfloat_with_epsilon (h1, 0.81606028, 1e-8);
  g_assert_cmpfloat_with_epsilon (h2, 0.93233236, 1e-8);
  for (int k = 0; k < 2; k++)
    {
      SomaifSomKernel kernel = (SomaifSomKernel) k;
      check_hand_step (SOMAIF_GRIDSOM_PLANAR, kernel, 4, centre);
      check_hand_step (SOMAIF_GRIDSOM_TORUS, kernel, 4, centre);
      check_hand_step (SOMAIF_GRIDSOM_PLANAR, kernel, 3, edge_planar);
      check_hand_step (SOMAIF_GRIDSOM_TORUS, kernel, 3, edge_torus);
    }
}

/* Rate 0 learns nothing; rate 1 with spread 1e6 makes every unit the input;
 * the seed's epoch 0 (spread 100, rate 1) leaves every unit the last image
 * but for 1 - h <= 1 - exp(-72 / 100^2) < 0.0072 of what it was. */
static void
test_rate_extremes (void)
{
  const int D = 64 * 64;
  SomaifRng rng;
  somaif_rng_init (&rng, 5);
  float *images = g_new (float, 10 * D);
  for (int i = 0; i < 10; i++)
    stroke_image (&rng, 64, 64, images + i * D);
  const float *x = images;
  const gsize size = (gsize) 49 * D * sizeof (float);
  for (int k = 0; k < 2; k++)
    {
      SomaifGridsom *map = somaif_gridsom_new (7, 7, SOMAIF_GRIDSOM_PLANAR, D,
                                               (SomaifSomKernel) k);
      SomaifRng init;
      somaif_rng_init (&init, 6);
      somaif_som_store_init_noise (somaif_gridsom_store (map), &init, 0.1);
      g_autofree float *before = all_prototypes (map);
      int winner;
      double dist;
      somaif_som_store_set_rate (somaif_gridsom_store (map), 0.0);
      somaif_som_store_learn (somaif_gridsom_store (map), x, &winner, &dist);
      g_autofree float *same = all_prototypes (map);
      g_assert_cmpmem (before, size, same, size);

      somaif_som_store_set_rate (somaif_gridsom_store (map), 1.0);
      somaif_som_store_set_spread (somaif_gridsom_store (map), 100.0);
      for (int i = 0; i < 10; i++)
        somaif_som_store_learn (somaif_gridsom_store (map), images + i * D, &winner, &dist);
      const float *last = images + 9 * D;
      double worst = 0.0;
      for (int u = 0; u < 49; u++)
        {
          float out[64 * 64];
          somaif_som_store_prototype (somaif_gridsom_store (map), u, out);
          double err = max_abs_diff (out, last, D);
          worst = MAX (worst, err);
          g_assert_cmpfloat (err, <, u == winner ? 1e-6 : 0.0072);
        }
      g_assert_cmpfloat (worst, >, 1e-4); /* (the far units keep a trace) */

      somaif_som_store_set_spread (somaif_gridsom_store (map), 1e6);
      somaif_som_store_learn (somaif_gridsom_store (map), x, &winner, &dist);
      for (int u = 0; u < 49; u++)
        {
          float out[64 * 64];
          somaif_som_store_prototype (somaif_gridsom_store (map), u, out);
          g_assert_cmpfloat (max_abs_diff (out, x, D), <, 1e-6);
        }
      somaif_gridsom_free (map);
    }
  g_free (images);
}

/* ------------------------------------------------------------------ */
/* Ties go to the first unit                                           */

static void
test_ties (void)
{
  for (int k = 0; k < 2; k++)
    {
      SomaifSomKernel kernel = (SomaifSomKernel) k;
      SomaifGridsom *map = somaif_gridsom_new (2, 3, SOMAIF_GRIDSOM_PLANAR, 4, kernel);
      const float x[4] = { 0.0f, 0.5f, 1.0f, 1.0f };
      int winner = -1, best[2];
      double dist, bd[2];

      /* All units blank: all tie. */
      somaif_som_store_recognise (somaif_gridsom_store (map), x, &winner, &dist);
      g_assert_cmpint (winner, ==, 0);
      g_assert_cmpfloat_with_epsilon (dist, 1.25, 1e-12);
      somaif_som_store_best_two (somaif_gridsom_store (map), x, best, bd);
      g_assert_cmpint (best[0], ==, 0);
      g_assert_cmpint (best[1], ==, 1);
      g_assert_cmpfloat (bd[0], ==, bd[1]);

      /* Units 2 and 5 equally near, unit 4 a little farther. */
      float w[6 * 4];
      for (int i = 0; i < 6 * 4; i++)
        w[i] = 1.0f;
      const float nearer[4] = { 0.25f, 0.5f, 1.0f, 1.0f };
      const float near[4] = { 0.5f, 0.5f, 1.0f, 1.0f };
      memcpy (w + 5 * 4, nearer, sizeof nearer);
      memcpy (w + 2 * 4, nearer, sizeof nearer);
      memcpy (w + 4 * 4, near, sizeof near);
      somaif_som_store_set_prototypes (somaif_gridsom_store (map), w);
      somaif_som_store_best_two (somaif_gridsom_store (map), x, best, bd);
      g_assert_cmpint (best[0], ==, 2);
      g_assert_cmpint (best[1], ==, 5);
      g_assert_cmpfloat (bd[0], ==, bd[1]);
      g_assert_cmpfloat_with_epsilon (bd[0], 0.0625, 1e-12);

      /* learn() names the same winner, computed before it learns. */
      somaif_som_store_set_rate (somaif_gridsom_store (map), 0.5);
      somaif_som_store_learn (somaif_gridsom_store (map), x, &winner, &dist);
      g_assert_cmpint (winner, ==, 2);
      g_assert_cmpfloat_with_epsilon (dist, 0.0625, 1e-12);
      /* Having learned, 2 is now strictly nearer than 5. */
      somaif_som_store_best_two (somaif_gridsom_store (map), x, best, bd);
      g_assert_cmpint (best[0], ==, 2);
      g_assert_cmpfloat (bd[0], <, bd[1]);
      somaif_gridsom_free (map);
    }

  /* A map of one unit: it is both the best and the second best. */
  SomaifGridsom *one = somaif_gridsom_new (1, 1, SOMAIF_GRIDSOM_PLANAR, 4, SOMAIF_SOM_SPARSE);
  const float x[4] = { 0.0f, 1.0f, 1.0f, 1.0f };
  int best[2];
  double bd[2];
  somaif_som_store_best_two (somaif_gridsom_store (one), x, best, bd);
  g_assert_cmpint (best[0], ==, 0);
  g_assert_cmpint (best[1], ==, 0);
  g_assert_cmpfloat (bd[0], ==, 1.0);
  g_assert_cmpfloat (bd[1], ==, 1.0);
  somaif_gridsom_free (one);
}

/* ------------------------------------------------------------------ */
/* The two kernels agree                                               */

/* Runs `steps` learning steps of stroke images through a dense and a sparse
 * map started from the same noise, with a spread decaying from 4 and the
 * given rate.  Winners must match step by step, and each map's learn() must
 * name its recognise()'s winner and distance.  (Not from the seed's epoch 0:
 * a few steps of rate 1 and spread 100 make every unit the last image but
 * for float rounding, and which of them wins next is then rounding too.) */
static void
kernels_agree (int rows, int cols, SomaifGridsomTopology topology, int steps, double rate,
               int n_images, double *worst_proto, double *worst_dist)
{
  const int W = 64, H = 64, D = W * H;
  SomaifGridsom *maps[2];
  for (int k = 0; k < 2; k++)
    {
      maps[k] = somaif_gridsom_new (rows, cols, topology, D, (SomaifSomKernel) k);
      SomaifRng init;
      somaif_rng_init (&init, 99);
      somaif_som_store_init_noise (somaif_gridsom_store (maps[k]), &init, 0.1);
    }
  SomaifRng rng;
  somaif_rng_init (&rng, (guint64) rows * 1000 + cols);
  float *images = g_new (float, (gsize) n_images * D);
  int ink = 0;
  for (int i = 0; i < n_images; i++)
    {
      stroke_image (&rng, W, H, images + (gsize) i * D);
      ink += ink_pixels (images + (gsize) i * D, D);
    }
  g_assert_cmpint (ink / n_images, >, 50);
  g_assert_cmpint (ink / n_images, <, D / 4);

  for (int t = 0; t < steps; t++)
    {
      const float *x = images + (gsize) somaif_rng_below (&rng, (guint32) n_images) * D;
      double spread = 4.0 * exp (-6.0 * t / steps);
      int winner[2];
      double dist[2];
      for (int k = 0; k < 2; k++)
        {
          int rw;
          double rd;
          somaif_som_store_set_spread (somaif_gridsom_store (maps[k]), spread);
          somaif_som_store_set_rate (somaif_gridsom_store (maps[k]), rate);
          somaif_som_store_recognise (somaif_gridsom_store (maps[k]), x, &rw, &rd);
          somaif_som_store_learn (somaif_gridsom_store (maps[k]), x, &winner[k], &dist[k]);
          g_assert_cmpint (winner[k], ==, rw);
          g_assert_cmpfloat (dist[k], ==, rd);
        }
      if (winner[0] != winner[1])
        g_error ("%d x %d %s, step %d: dense winner %d (%.9g), sparse %d (%.9g)", rows, cols,
                 somaif_gridsom_topology_name (topology), t, winner[0], dist[0], winner[1],
                 dist[1]);
      *worst_dist = MAX (*worst_dist, fabs (dist[0] - dist[1]) / MAX (1.0, dist[0]));
    }
  g_autofree float *dense = all_prototypes (maps[0]);
  g_autofree float *sparse = all_prototypes (maps[1]);
  double err = max_abs_diff (dense, sparse, (gsize) rows * cols * D);
  *worst_proto = MAX (*worst_proto, err);
  g_assert_cmpfloat (err, <, KERNEL_TOL);

  /* And the learned maps rank every image alike. */
  for (int i = 0; i < n_images; i++)
    {
      int b0[2], b1[2];
      double d0[2], d1[2];
      somaif_som_store_best_two (somaif_gridsom_store (maps[0]), images + (gsize) i * D, b0, d0);
      somaif_som_store_best_two (somaif_gridsom_store (maps[1]), images + (gsize) i * D, b1, d1);
      g_assert_cmpint (b0[0], ==, b1[0]);
      g_assert_cmpint (b0[1], ==, b1[1]);
      g_assert_cmpfloat (fabs (d0[0] - d1[0]), <, KERNEL_TOL * MAX (1.0, d0[0]));
    }
  g_free (images);
  somaif_gridsom_free (maps[0]);
  somaif_gridsom_free (maps[1]);
}

static void
test_kernels_agree (void)
{
  double worst_proto = 0.0, worst_dist = 0.0;
  kernels_agree (7, 7, SOMAIF_GRIDSOM_PLANAR, 400, 0.05, 40, &worst_proto, &worst_dist);
  kernels_agree (5, 4, SOMAIF_GRIDSOM_TORUS, 300, 0.1, 30, &worst_proto, &worst_dist);
  kernels_agree (1, 9, SOMAIF_GRIDSOM_PLANAR, 300, 0.1, 20, &worst_proto, &worst_dist);
  /* More than one block of units in best_two(). */
  kernels_agree (9, 10, SOMAIF_GRIDSOM_TORUS, 200, 0.1, 30, &worst_proto, &worst_dist);
  g_test_message ("sparse vs dense: worst prototype difference %.3g, worst relative "
                  "distance difference %.3g", worst_proto, worst_dist);
}

/* Many small steps on a few images: every sparse scale decays past its
 * rescaling threshold several times (0.95^k < 2^-24 from k = 325). */
static void
test_long_decay (void)
{
  const int D = 64 * 64;
  SomaifGridsom *maps[2];
  for (int k = 0; k < 2; k++)
    {
      maps[k] = somaif_gridsom_new (3, 3, SOMAIF_GRIDSOM_TORUS, D, (SomaifSomKernel) k);
      somaif_som_store_set_spread (somaif_gridsom_store (maps[k]), 3.0);
      somaif_som_store_set_rate (somaif_gridsom_store (maps[k]), 0.05);
    }
  SomaifRng rng;
  somaif_rng_init (&rng, 17);
  float *images = g_new (float, 4 * D);
  for (int i = 0; i < 4; i++)
    stroke_image (&rng, 64, 64, images + (gsize) i * D);
  for (int t = 0; t < 3000; t++)
    {
      const float *x = images + (gsize) (t % 4) * D;
      int w0, w1;
      double d0, d1;
      somaif_som_store_learn (somaif_gridsom_store (maps[0]), x, &w0, &d0);
      somaif_som_store_learn (somaif_gridsom_store (maps[1]), x, &w1, &d1);
      g_assert_cmpint (w0, ==, w1);
    }
  g_autofree float *dense = all_prototypes (maps[0]);
  g_autofree float *sparse = all_prototypes (maps[1]);
  double err = max_abs_diff (dense, sparse, (gsize) 9 * D);
  g_test_message ("3000 steps: worst prototype difference %.3g", err);
  g_assert_cmpfloat (err, <, KERNEL_TOL);
  g_free (images);
  somaif_gridsom_free (maps[0]);
  somaif_gridsom_free (maps[1]);
}

/* ------------------------------------------------------------------ */
/* The plugin glue                                                     */

static void
test_plugin_defaults (void)
{
  const SomaifPerceiver *v = &gridsom_vtable;
  g_assert_cmpuint (v->head.kind, ==, SOMAIF_KIND_PERCEIVER);
  g_assert_cmpstr (v->head.name, ==, "gridsom");
  g_assert_nonnull (v->best_two);
  static const char *const names[] = { "rows", "cols", "topology", "spread", "rate",
                                       "init_noise", "kernel" };
  g_assert_cmpint (somaif_params_count_specs (gridsom_params), ==, G_N_ELEMENTS (names));
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (gridsom_params[i].name, ==, names[i]);
      g_assert_nonnull (gridsom_params[i].doc);
      g_assert_nonnull (gridsom_params[i].def);
      gboolean schedulable = (gridsom_params[i].flags & SOMAIF_PARAM_SCHEDULABLE) != 0;
      g_assert_true (schedulable == (i == GRIDSOM_SPREAD || i == GRIDSOM_RATE));
    }
  g_assert_cmpstr (gridsom_params[GRIDSOM_TOPOLOGY].def, ==, "\"planar\"");
  g_assert_cmpstr (gridsom_params[GRIDSOM_KERNEL].def, ==, "\"sparse\"");

  SomaifSetup setup = image_setup (3, 64, 64);
  GError *error = NULL;
  Gridsom *som = create_som (&setup, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (v->n_units (som), ==, 49);
  int rows = 0, cols = 0;
  v->layout (som, &rows, &cols);
  g_assert_cmpint (rows, ==, 7);
  g_assert_cmpint (cols, ==, 7);
  g_assert_cmpint (somaif_som_store_kernel (som->store), ==, SOMAIF_SOM_SPARSE);
  g_assert_cmpint (somaif_gridsom_topology (som->map), ==, SOMAIF_GRIDSOM_PLANAR);
  g_assert_cmpfloat (somaif_som_store_spread (som->store), ==, 1.0);
  g_assert_cmpfloat (somaif_som_store_rate (som->store), ==, 0.1);
  g_assert_cmpfloat_with_epsilon (v->distance (som, 0, 48), sqrt (72.0), 1e-12);
  g_assert_cmpfloat_with_epsilon (v->distance (som, 8, 16), G_SQRT2, 1e-12);
  g_assert_true (isnan (v->distance (som, 0, 49)));
  g_assert_true (isnan (v->distance (som, -1, 0)));

  /* Prototypes start as nearly blank paper, different from unit to unit. */
  float a[64 * 64], b[64 * 64];
  g_assert_cmpint (v->prototype (som, 0, a), ==, 0);
  g_assert_cmpint (v->prototype (som, 48, b), ==, 0);
  for (int p = 0; p < 64 * 64; p++)
    {
      g_assert_cmpfloat (a[p], >, 0.9f - 1e-6f);
      g_assert_cmpfloat (a[p], <=, 1.0f);
    }
  g_assert_cmpfloat (max_abs_diff (a, b, 64 * 64), >, 0.01);
  g_assert_cmpint (v->prototype (som, 49, a), <, 0);

  /* Schedules reach the map; the other parameters are not schedulable. */
  g_assert_cmpint (v->head.set_param (som, GRIDSOM_SPREAD, 3.5), ==, 0);
  g_assert_cmpint (v->head.set_param (som, GRIDSOM_RATE, 0.25), ==, 0);
  g_assert_cmpfloat (somaif_som_store_spread (som->store), ==, 3.5);
  g_assert_cmpfloat (somaif_som_store_rate (som->store), ==, 0.25);
  g_assert_cmpint (v->head.set_param (som, GRIDSOM_ROWS, 3), <, 0);
  g_assert_nonnull (strstr (v->head.error_message (som), "schedulable"));
  g_assert_cmpfloat (somaif_som_store_spread (som->store), ==, 3.5);

  int winner = -1, best[2];
  double dist, bd[2];
  SomaifRng rng;
  somaif_rng_init (&rng, 1);
  stroke_image (&rng, 64, 64, a);
  g_assert_cmpint (v->learn (som, a, &winner, &dist), ==, 0);
  g_assert_cmpint (winner, >=, 0);
  g_assert_cmpint (winner, <, 49);
  g_assert_cmpint (v->best_two (som, a, best, bd), ==, 0);
  g_assert_cmpint (best[0], ==, winner);
  g_assert_cmpfloat (bd[0], <, dist);
  g_assert_cmpint (v->learn (som, NULL, &winner, &dist), <, 0);
  g_assert_nonnull (strstr (v->head.error_message (som), "NULL"));
  v->head.destroy (som);

  /* The seed decides the initial prototypes. */
  Gridsom *s1 = create_som (&setup, NULL, &error);
  Gridsom *s2 = create_som (&(SomaifSetup) { .struct_size = sizeof (SomaifSetup), .seed = 4,
                                             .input_size = 64 * 64 },
                            NULL, &error);
  g_assert_no_error (error);
  v->prototype (s1, 10, a);
  v->prototype (s2, 10, b);
  g_assert_cmpfloat (max_abs_diff (a, b, 64 * 64), >, 0.01);
  v->head.destroy (s1);
  v->head.destroy (s2);

  /* A torus of 3 x 5, dense. */
  static const char *const torus[] = { "rows", "3", "cols", "5", "topology", "\"torus\"",
                                       "kernel", "\"dense\"", NULL };
  Gridsom *t = create_som (&setup, torus, &error);
  g_assert_no_error (error);
  v->layout (t, &rows, &cols);
  g_assert_cmpint (rows * 100 + cols, ==, 305);
  g_assert_cmpfloat (v->distance (t, 0, 14), ==, G_SQRT2);
  g_assert_cmpint (somaif_som_store_kernel (t->store), ==, SOMAIF_SOM_DENSE);
  v->head.destroy (t);
}

/* code: SOMAIF_PLUGIN_ERROR_PARAMS for a value the host's validation
 * refuses (ranges), SOMAIF_PLUGIN_ERROR_CREATE for what create() refuses. */
static void
refused (const char *const *overrides, int code, const char *fragment, const char *fragment2)
{
  SomaifSetup setup = image_setup (1, 64, 64);
  GError *error = NULL;
  Gridsom *som = create_som (&setup, overrides, &error);
  g_assert_null (som);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, code);
  if (!strstr (error->message, fragment) || (fragment2 && !strstr (error->message, fragment2)))
    g_error ("'%s' does not say '%s' and '%s'", error->message, fragment,
             fragment2 ? fragment2 : "");
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);
}

static void
test_plugin_refuses (void)
{
  const int create = SOMAIF_PLUGIN_ERROR_CREATE, range = SOMAIF_PLUGIN_ERROR_PARAMS;
  refused ((const char *const[]) { "topology", "\"hexagonal\"", NULL }, create, "\"planar\"",
           "\"torus\"");
  refused ((const char *const[]) { "topology", "\"Torus\"", NULL }, create, "\"Torus\"",
           "\"planar\" or \"torus\"");
  refused ((const char *const[]) { "kernel", "\"fast\"", NULL }, create, "\"sparse\"",
           "\"dense\"");
  refused ((const char *const[]) { "rows", "300", "cols", "300", NULL }, create,
           "300 x 300", "at most 65536");
  refused ((const char *const[]) { "rows", "0", NULL }, range, "rows", "[1, 65536]");
  refused ((const char *const[]) { "cols", "-2", NULL }, range, "cols", "-2");
  refused ((const char *const[]) { "cols", "65537", NULL }, range, "cols", "65537");
  refused ((const char *const[]) { "spread", "0", NULL }, range, "spread", "outside");
  refused ((const char *const[]) { "spread", "-1.5", NULL }, range, "spread", "-1.5");
  refused ((const char *const[]) { "rate", "1.5", NULL }, range, "rate", "[0, 1]");
  refused ((const char *const[]) { "rate", "-0.1", NULL }, range, "rate", "-0.1");
  refused ((const char *const[]) { "init_noise", "2", NULL }, range, "init_noise", NULL);

  SomaifSetup empty = image_setup (1, 0, 0);
  GError *error = NULL;
  g_assert_null (create_som (&empty, NULL, &error));
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_clear_error (&error);

  /* The core refuses bad shapes too. */
  g_assert_null (somaif_gridsom_new (0, 3, SOMAIF_GRIDSOM_PLANAR, 4, SOMAIF_SOM_DENSE));
  g_assert_null (somaif_gridsom_new (3, 3, SOMAIF_GRIDSOM_PLANAR, 0, SOMAIF_SOM_DENSE));
  g_assert_null (somaif_gridsom_new (65537, 1, SOMAIF_GRIDSOM_PLANAR, 4, SOMAIF_SOM_DENSE));
  g_assert_cmpint (somaif_gridsom_topology_from_name (NULL), ==, -1);
  g_assert_cmpint (somaif_gridsom_topology_from_name ("torus"), ==, SOMAIF_GRIDSOM_TORUS);
  g_assert_cmpint (somaif_som_kernel_from_name ("Dense"), ==, -1);
}

/* ------------------------------------------------------------------ */
/* State                                                               */

static void
train (const SomaifPerceiver *v, void *som, SomaifRng *rng, int steps, int *winners)
{
  float x[64 * 64];
  double dist;
  for (int t = 0; t < steps; t++)
    {
      stroke_image (rng, 64, 64, x);
      g_assert_cmpint (v->learn (som, x, &winners[t], &dist), ==, 0);
    }
}

static float *
plugin_prototypes (const Gridsom *som)
{
  return all_prototypes (som->map);
}

static void
test_plugin_state (void)
{
  const SomaifPerceiver *v = &gridsom_vtable;
  SomaifSetup setup = image_setup (8, 64, 64);
  const gsize size = (gsize) 49 * 64 * 64 * sizeof (float);
  GError *error = NULL;
  static const char *const dense[] = { "kernel", "\"dense\"", NULL };
  for (int k = 0; k < 2; k++)
    {
      const char *const *kernel = k == 0 ? dense : NULL;
      Gridsom *a = create_som (&setup, kernel, &error);
      g_assert_no_error (error);
      v->head.set_param (a, GRIDSOM_SPREAD, 2.0);
      v->head.set_param (a, GRIDSOM_RATE, 0.2);
      SomaifRng rng;
      somaif_rng_init (&rng, 21);
      int winners[2][40];
      train (v, a, &rng, 40, winners[0]);

      GByteArray *state = g_byte_array_new ();
      g_assert_cmpint (v->head.save_state (a, state), ==, 0);
      g_assert_cmpuint (state->len, >, 49 * 64 * 64 * 4);
      g_assert_cmpuint (state->data[0], ==, 1);

      /* Into a fresh instance of another seed and schedule: the same map. */
      Gridsom *b = create_som (&(SomaifSetup) { .struct_size = sizeof (SomaifSetup),
                                                .seed = 9, .input_size = 64 * 64 },
                               kernel, &error);
      g_assert_no_error (error);
      g_autofree float *pa = plugin_prototypes (a);
      g_autofree float *pb = plugin_prototypes (b);
      g_assert_true (memcmp (pa, pb, size) != 0);
      g_assert_cmpint (v->head.load_state (b, state->data, state->len), ==, 0);
      g_autofree float *pb2 = plugin_prototypes (b);
      g_assert_cmpmem (pa, size, pb2, size);
      g_assert_cmpfloat (somaif_som_store_spread (b->store), ==, 2.0);
      g_assert_cmpfloat (somaif_som_store_rate (b->store), ==, 0.2);
      GByteArray *again = g_byte_array_new ();
      v->head.save_state (b, again);
      g_assert_cmpmem (state->data, state->len, again->data, again->len);
      g_byte_array_unref (again);

      /* Both go on alike, bit for bit. */
      SomaifRng r1 = rng, r2 = rng;
      train (v, a, &r1, 40, winners[0]);
      train (v, b, &r2, 40, winners[1]);
      g_assert_cmpmem (winners[0], sizeof winners[0], winners[1], sizeof winners[1]);
      g_autofree float *qa = plugin_prototypes (a);
      g_autofree float *qb = plugin_prototypes (b);
      g_assert_cmpmem (qa, size, qb, size);

      /* Into the other kernel: the same prototypes. */
      Gridsom *c = create_som (&setup, k == 0 ? NULL : dense, &error);
      g_assert_no_error (error);
      g_assert_cmpint (v->head.load_state (c, state->data, state->len), ==, 0);
      g_autofree float *pc = plugin_prototypes (c);
      g_assert_cmpmem (pa, size, pc, size);
      v->head.destroy (c);

      /* Refusals leave the map as it was. */
      g_autofree float *before = plugin_prototypes (b);
      guint8 *bad = g_memdup2 (state->data, state->len);
      bad[0] = 2;
      g_assert_cmpint (v->head.load_state (b, bad, state->len), <, 0);
      g_assert_nonnull (strstr (v->head.error_message (b), "version 2"));
      bad[0] = 1;
      g_assert_cmpint (v->head.load_state (b, bad, state->len - 8), <, 0);
      g_assert_nonnull (strstr (v->head.error_message (b), "bytes"));
      g_assert_cmpint (v->head.load_state (b, bad, 10), <, 0);
      g_assert_nonnull (strstr (v->head.error_message (b), "too short"));
      bad[2] = SOMAIF_GRIDSOM_TORUS;
      g_assert_cmpint (v->head.load_state (b, bad, state->len), <, 0);
      g_assert_nonnull (strstr (v->head.error_message (b), "torus"));
      bad[2] = SOMAIF_GRIDSOM_PLANAR;
      double nan_rate = NAN;
      memcpy (bad + 24, &nan_rate, 8);
      g_assert_cmpint (v->head.load_state (b, bad, state->len), <, 0);
      g_assert_nonnull (strstr (v->head.error_message (b), "rate"));
      g_free (bad);
      g_autofree float *after = plugin_prototypes (b);
      g_assert_cmpmem (before, size, after, size);
      g_assert_cmpfloat (somaif_som_store_rate (b->store), ==, 0.2);

      /* A map of another shape refuses it. */
      static const char *const other[] = { "rows", "49", "cols", "1", NULL };
      Gridsom *d = create_som (&setup, other, &error);
      g_assert_no_error (error);
      g_assert_cmpint (v->head.load_state (d, state->data, state->len), <, 0);
      g_assert_nonnull (strstr (v->head.error_message (d), "7 x 7"));
      v->head.destroy (d);

      g_byte_array_unref (state);
      v->head.destroy (a);
      v->head.destroy (b);
    }
}

/* ------------------------------------------------------------------ */
/* recognise() and best_two() from several threads at once             */

typedef struct
{
  const Gridsom *som;
  const float *images;
  int n;
  int *best;      /* n x 2 */
  double *dist;   /* n x 2 */
} Job;

static gpointer
recognise_job (gpointer data)
{
  Job *job = data;
  for (int rep = 0; rep < 5; rep++)
    for (int i = 0; i < job->n; i++)
      {
        int w;
        double d;
        gridsom_vtable.best_two (job->som, job->images + (gsize) i * 64 * 64, job->best + 2 * i,
                                 job->dist + 2 * i);
        gridsom_vtable.recognise (job->som, job->images + (gsize) i * 64 * 64, &w, &d);
        if (w != job->best[2 * i] || d != job->dist[2 * i])
          return GINT_TO_POINTER (1);
      }
  return NULL;
}

static void
test_concurrent (void)
{
  enum { N = 32, THREADS = 4 };
  SomaifSetup setup = image_setup (12, 64, 64);
  static const char *const big[] = { "rows", "10", "cols", "13", NULL };
  GError *error = NULL;
  Gridsom *som = create_som (&setup, big, &error);
  g_assert_no_error (error);
  SomaifRng rng;
  somaif_rng_init (&rng, 4);
  int winners[100];
  gridsom_vtable.head.set_param (som, GRIDSOM_SPREAD, 1.5);
  train (&gridsom_vtable, som, &rng, 100, winners);
  float *images = g_new (float, (gsize) N * 64 * 64);
  for (int i = 0; i < N; i++)
    stroke_image (&rng, 64, 64, images + (gsize) i * 64 * 64);

  int serial_best[2 * N];
  double serial_dist[2 * N];
  Job serial = { som, images, N, serial_best, serial_dist };
  g_assert_null (recognise_job (&serial));

  int best[THREADS][2 * N];
  double dist[THREADS][2 * N];
  Job jobs[THREADS];
  GThread *threads[THREADS];
  for (int t = 0; t < THREADS; t++)
    {
      jobs[t] = (Job) { som, images, N, best[t], dist[t] };
      threads[t] = g_thread_new ("recognise", recognise_job, &jobs[t]);
    }
  for (int t = 0; t < THREADS; t++)
    {
      g_assert_null (g_thread_join (threads[t]));
      g_assert_cmpmem (best[t], sizeof best[t], serial_best, sizeof serial_best);
      g_assert_cmpmem (dist[t], sizeof dist[t], serial_dist, sizeof serial_dist);
    }
  g_free (images);
  gridsom_vtable.head.destroy (som);
}

/* ------------------------------------------------------------------ */
/* Speed (measured, never asserted)                                    */

static void
test_speed (void)
{
  const int D = 64 * 64, N = 64;
  SomaifRng rng;
  somaif_rng_init (&rng, 2);
  float *images = g_new (float, (gsize) N * D);
  int ink = 0;
  for (int i = 0; i < N; i++)
    {
      stroke_image (&rng, 64, 64, images + (gsize) i * D);
      ink += ink_pixels (images + (gsize) i * D, D);
    }
  g_test_message ("64x64 strokes of %d ink pixels on average", ink / N);
  for (int k = 0; k < 2; k++)
    {
      SomaifGridsom *map = somaif_gridsom_new (7, 7, SOMAIF_GRIDSOM_PLANAR, D,
                                               (SomaifSomKernel) k);
      somaif_som_store_init_noise (somaif_gridsom_store (map), &rng, 0.1);
      somaif_som_store_set_rate (somaif_gridsom_store (map), 0.01);
      int reps = (k == 0 ? 200 : 5000) * (g_test_perf () ? 10 : 1);
      double spreads[2] = { 4.0, 0.1 };
      for (int s = 0; s < 2; s++)
        {
          somaif_som_store_set_spread (somaif_gridsom_store (map), spreads[s]);
          gint64 t0 = g_get_monotonic_time ();
          for (int r = 0; r < reps; r++)
            {
              int w;
              double d;
              somaif_som_store_learn (somaif_gridsom_store (map), images + (gsize) (r % N) * D,
                                      &w, &d);
            }
          gint64 t1 = g_get_monotonic_time ();
          for (int r = 0; r < reps; r++)
            {
              int w;
              double d;
              somaif_som_store_recognise (somaif_gridsom_store (map),
                                          images + (gsize) (r % N) * D, &w, &d);
            }
          gint64 t2 = g_get_monotonic_time ();
          g_test_message ("7 x 7 %s, spread %g: learn %.2f us, recognise %.2f us (%d calls)",
                          somaif_som_kernel_name ((SomaifSomKernel) k), spreads[s],
                          (double) (t1 - t0) / reps, (double) (t2 - t1) / reps, reps);
        }
      somaif_gridsom_free (map);
    }
  g_free (images);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gridsom/distance", test_distance);
  g_test_add_func ("/gridsom/normaliser", test_normaliser);
  g_test_add_func ("/gridsom/neighbourhood", test_neighbourhood);
  g_test_add_func ("/gridsom/hand-step", test_hand_step);
  g_test_add_func ("/gridsom/rate-extremes", test_rate_extremes);
  g_test_add_func ("/gridsom/ties", test_ties);
  g_test_add_func ("/gridsom/kernels-agree", test_kernels_agree);
  g_test_add_func ("/gridsom/long-decay", test_long_decay);
  g_test_add_func ("/gridsom/plugin/defaults", test_plugin_defaults);
  g_test_add_func ("/gridsom/plugin/refuses", test_plugin_refuses);
  g_test_add_func ("/gridsom/plugin/state", test_plugin_state);
  g_test_add_func ("/gridsom/plugin/concurrent", test_concurrent);
  g_test_add_func ("/gridsom/speed", test_speed);
  return g_test_run ();
}
