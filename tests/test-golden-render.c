/* test-golden-render.c: the canvas renderer against the seed's Agg images
 * (golden/render.txt), a few properties of a stroke, its speed, and its
 * plugin glue.
 *
 * The glue is compiled into this program (it is one file of static functions)
 * so that its vtable is at hand without dlopen. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libconfig.h>

#include "params-private.h"
#include "plugins/canvas/canvas.c"
#include "tests/test-params.h"

/* The requirement, as ink difference sum|a - b| / sum(ref) per case. */
#define INK_MEAN_MAX 0.06
#define INK_CASE_MAX 0.30
/* This renderer redoes Agg's geometry (the rest is Agg's 8-bit rounding):
 * observed 0.0059 on average and 0.0098 at worst (case 12); about 2.5 and 3
 * times that allowed, to catch a broken stroker long before the requirement. */
#define INK_MEAN_THIS 0.015
#define INK_CASE_THIS 0.03

#define SIZE 64

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
golden_array (const char *name)
{
  GError *error = NULL;
  const SomaifArray *a = somaif_arrays_get (golden, name, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

static double
golden_scalar (const char *name)
{
  const SomaifArray *a = golden_array (name);
  g_assert_cmpuint (a->size, ==, 1);
  return a->data[0];
}

static const SomaifArray *
golden_case (const char *what, int k)
{
  g_autofree char *name = g_strdup_printf ("%s_%d", what, k);
  return golden_array (name);
}

/* The seed's canvas: 64 x 64, limits +-60 (the notebook's DrawingEnv width and
 * height), 1.5 pt at 64 dpi, snapping on. */
static void
seed_canvas (SomaifCanvas *c)
{
  double xlim[2] = { -golden_scalar ("width"), golden_scalar ("width") };
  double ylim[2] = { -golden_scalar ("height"), golden_scalar ("height") };
  GError *error = NULL;
  g_assert_true (somaif_canvas_init (c, SIZE, SIZE, xlim, ylim, 1.5 * 64 / 72, TRUE, &error));
  g_assert_no_error (error);
}

static SomaifCanvas
canvas_of (int width, int height, double linewidth, gboolean snap)
{
  SomaifCanvas c;
  double lim[2] = { -60.0, 60.0 };
  GError *error = NULL;
  g_assert_true (somaif_canvas_init (&c, width, height, lim, lim, linewidth, snap, &error));
  g_assert_no_error (error);
  return c;
}

static void
draw_ok (const SomaifCanvas *c, int n, const double *points, float *image)
{
  g_assert_cmpint (somaif_canvas_draw (c, n, points, image), ==, 0);
  for (int i = 0; i < c->width * c->height; i++)
    if (!(image[i] >= 0.0f && image[i] <= 1.0f))
      g_error ("pixel %d = %g: not within [0, 1]", i, image[i]);
}

static double
ink_sum (const float *image, int n)
{
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += 1.0 - image[i];
  return s;
}

static gboolean
all_blank (const float *image, int n)
{
  for (int i = 0; i < n; i++)
    if (image[i] != 1.0f)
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Golden: the seed's 13 polylines                                      */

static void
test_golden_cases (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  int cases = (int) golden_scalar ("cases");
  g_assert_cmpint (cases, >=, 1);
  float image[SIZE * SIZE];
  double sum = 0.0, sum_agg = 0.0, worst = 0.0;
  int inked = 0, blank = 0, worst_case = -1;
  for (int k = 0; k < cases; k++)
    {
      const SomaifArray *traj = golden_case ("traj", k);
      const SomaifArray *alpha = golden_case ("alpha", k);
      g_assert_cmpint (traj->ndim, ==, 2);
      g_assert_cmpint (traj->shape[1], ==, 2);
      g_assert_cmpuint (alpha->size, ==, SIZE * SIZE);
      draw_ok (&c, traj->shape[0], traj->data, image);

      double diff = 0.0, diff_agg = 0.0, ref = 0.0;
      for (int i = 0; i < SIZE * SIZE; i++)
        {
          double a = 1.0 - image[i], b = alpha->data[i] / 255.0;
          /* Agg's own rounding of a coverage to 8 bits, for information. */
          double q = MIN (255.0, ceil (a * 256.0 - 1e-6)) / 255.0;
          diff += fabs (a - b);
          diff_agg += fabs (q - b);
          ref += b;
        }
      if (ref == 0.0)
        {
          g_test_message ("case %2d (%3d points): no ink in the golden image; ours %s", k,
                          traj->shape[0], all_blank (image, SIZE * SIZE) ? "blank" : "INKED");
          g_assert_true (all_blank (image, SIZE * SIZE));
          blank++;
          continue;
        }
      double ratio = diff / ref;
      g_test_message ("case %2d (%3d points): ink %7.2f px, difference %.4f of it "
                      "(%.4f once rounded as Agg)", k, traj->shape[0], ref, ratio,
                      diff_agg / ref);
      g_assert_cmpfloat (ratio, <=, INK_CASE_MAX);
      g_assert_cmpfloat (ratio, <=, INK_CASE_THIS);
      sum += ratio;
      sum_agg += diff_agg / ref;
      inked++;
      if (ratio > worst)
        {
          worst = ratio;
          worst_case = k;
        }
    }
  g_assert_cmpint (blank, ==, 1);
  g_assert_cmpint (inked, ==, cases - 1);
  double mean = sum / inked;
  g_test_message ("ink difference: mean %.4f over %d cases (%.4f once rounded as Agg), "
                  "worst %.4f (case %d); required mean <= %.2f, each <= %.2f", mean, inked,
                  sum_agg / inked, worst, worst_case, INK_MEAN_MAX, INK_CASE_MAX);
  g_assert_cmpfloat (mean, <=, INK_MEAN_MAX);
  g_assert_cmpfloat (mean, <=, INK_MEAN_THIS);
}

/* The image the caller hands over is not cleared first: whatever it held
 * (here NaNs and ink), each golden case's drawing is the same bytes as in
 * a zeroed buffer. */
static void
test_dirty_buffer (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  int cases = (int) golden_scalar ("cases");
  float clean[SIZE * SIZE], dirty[SIZE * SIZE];
  for (int k = 0; k < cases; k++)
    {
      const SomaifArray *traj = golden_case ("traj", k);
      memset (clean, 0, sizeof clean);
      for (int i = 0; i < SIZE * SIZE; i++)
        dirty[i] = i % 3 == 0 ? NAN : 0.25f * (float) (i % 5);
      draw_ok (&c, traj->shape[0], traj->data, clean);
      draw_ok (&c, traj->shape[0], traj->data, dirty);
      g_assert_cmpmem (clean, sizeof clean, dirty, sizeof dirty);
    }
}

/* The golden arm trajectories (101 points), drawn over and over: for
 * information only, no bound. */
static void
test_speed (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  int cases = (int) golden_scalar ("cases");
  const SomaifArray *arms[64];
  int n_arms = 0;
  for (int k = 0; k < cases && n_arms < 64; k++)
    {
      const SomaifArray *traj = golden_case ("traj", k);
      if (traj->shape[0] == 101)
        arms[n_arms++] = traj;
    }
  g_assert_cmpint (n_arms, >=, 1);
  float image[SIZE * SIZE];
  double check = 0.0;
  int reps = g_test_perf () ? 20000 : 2000;
  gint64 t0 = g_get_monotonic_time ();
  for (int r = 0; r < reps; r++)
    for (int a = 0; a < n_arms; a++)
      {
        g_assert_cmpint (somaif_canvas_draw (&c, 101, arms[a]->data, image), ==, 0);
        check += image[(r * 31 + a) % (SIZE * SIZE)];
      }
  gint64 t1 = g_get_monotonic_time ();
  g_assert_true (isfinite (check));
  g_test_message ("speed: %.2f us per drawing (mean of %d drawings of the %d golden arm "
                  "trajectories, 101 points, one thread)", (double) (t1 - t0) / (reps * n_arms),
                  reps * n_arms, n_arms);
}

/* ------------------------------------------------------------------ */
/* Properties                                                           */

/* A horizontal line at y = 0 from x = -30 to 30 is axis-aligned, so snapped:
 * its centre goes to pixel row 32's middle, y = 32.5, and it spans rows
 * [31.833, 33.167]: row 32 full, rows 31 and 33 one sixth; the ends go from
 * x = 16 and 48 to 16.5 and 48.5, plus the square caps: [15.833, 49.167]. */
static void
test_horizontal_rows (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  float image[SIZE * SIZE];
  double line[] = { -30, 0, 30, 0 };
  draw_ok (&c, 2, line, image);
  for (int r = 0; r < SIZE; r++)
    for (int col = 0; col < SIZE; col++)
      {
        double ink = 1.0 - image[r * SIZE + col];
        double across = r == 32 ? 1.0 : r == 31 || r == 33 ? 1.0 / 6 : 0.0;
        double along = col >= 16 && col <= 48 ? 1.0 : col == 15 || col == 49 ? 1.0 / 6 : 0.0;
        if (fabs (ink - across * along) > 1e-4)
          g_error ("pixel (%d, %d): ink %g, expected %g", r, col, ink, across * along);
      }

  /* Unsnapped, the centre stays on the boundary of rows 31 and 32. */
  SomaifCanvas u = canvas_of (SIZE, SIZE, 4.0 / 3, FALSE);
  draw_ok (&u, 2, line, image);
  for (int r = 0; r < SIZE; r++)
    {
      double ink = 1.0 - image[r * SIZE + 32];
      double expected = r == 31 || r == 32 ? 2.0 / 3 : 0.0;
      g_assert_cmpfloat (fabs (ink - expected), <=, 1e-4);
    }

  /* A vertical line on a wider than high canvas: x = 0 is pixel 48 of 96,
   * snapped to 48.5: columns 47 to 49, and nothing else. */
  SomaifCanvas w = canvas_of (96, 32, 4.0 / 3, TRUE);
  float wide[96 * 32];
  double vertical[] = { 0, -30, 0, 30 };
  draw_ok (&w, 2, vertical, wide);
  for (int r = 0; r < 32; r++)
    for (int col = 0; col < 96; col++)
      {
        double ink = 1.0 - wide[r * 96 + col];
        if (col < 47 || col > 49)
          g_assert_cmpfloat (ink, ==, 0.0);
        else if (col == 48 && r > 8 && r < 23)
          g_assert_cmpfloat (ink, ==, 1.0);
      }
}

/* Away from the image's edges, the ink of a segment is its rectangle with the
 * square caps: (length + width) x width, whatever its direction. */
static void
test_area (void)
{
  static const double segs[][4] = {
    { -40, -31, 37, 22 }, { 10, 40, -33.3, -8.1 }, { 0, 0, 1, 0.5 }, { -5, 20, 5, 20.01 },
  };
  static const double widths[] = { 4.0 / 3, 1.0, 3.7 };
  for (int wi = 0; wi < 3; wi++)
    for (int s = 0; s < 4; s++)
      {
        SomaifCanvas c = canvas_of (SIZE, SIZE, widths[wi], FALSE);
        float image[SIZE * SIZE];
        draw_ok (&c, 2, segs[s], image);
        double x0, y0, x1, y1;
        somaif_canvas_to_pixels (&c, segs[s][0], segs[s][1], &x0, &y0);
        somaif_canvas_to_pixels (&c, segs[s][2], segs[s][3], &x1, &y1);
        double expected = (hypot (x1 - x0, y1 - y0) + widths[wi]) * widths[wi];
        double got = ink_sum (image, SIZE * SIZE);
        if (fabs (got - expected) > 1e-3 * expected)
          g_error ("segment %d, width %g: ink %g px, expected %g", s, widths[wi], got,
                   expected);
      }
}

/* One shape: a vertex in the middle of a straight line changes nothing, and
 * repeated points are dropped. */
static void
test_one_shape (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  float a[SIZE * SIZE], b[SIZE * SIZE];
  double straight[] = { -30, -20, 30, 20 };
  double split[] = { -30, -20, 0, 0, 15, 10, 30, 20 };
  draw_ok (&c, 2, straight, a);
  draw_ok (&c, 4, split, b);
  double worst = 0.0;
  for (int i = 0; i < SIZE * SIZE; i++)
    worst = MAX (worst, fabs (a[i] - b[i]));
  g_assert_cmpfloat (worst, <=, 1e-4);

  double bent[] = { -30, -20, 0, 0, 20, -25 };
  double repeated[] = { -30, -20, -30, -20, 0, 0, 0, 0, 0, 0, 20, -25, 20, -25 };
  draw_ok (&c, 3, bent, a);
  draw_ok (&c, 7, repeated, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);

  /* Sharp turns and a full turn back draw without trouble (draw_ok() checks
   * that every pixel stays within [0, 1]). */
  double back[] = { -30, 0, 30, 0.5, -20, 0.8, 25, -30, 26, 31 };
  draw_ok (&c, 5, back, a);
  g_assert_cmpfloat (ink_sum (a, SIZE * SIZE), >, 50.0);
}

/* Nothing to draw: no points, one point, the same point over and over. */
static void
test_blank (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  float image[SIZE * SIZE];
  double same[] = { 3, 4, 3, 4, 3, 4 };
  for (int n = 0; n <= 3; n++)
    {
      memset (image, 0, sizeof image);
      draw_ok (&c, n, same, image);
      g_assert_true (all_blank (image, SIZE * SIZE));
    }
  g_assert_cmpint (somaif_canvas_draw (&c, 0, NULL, image), ==, 0);
  g_assert_true (all_blank (image, SIZE * SIZE));
  /* A line entirely off the paper. */
  double away[] = { 100, 100, 200, -100 };
  draw_ok (&c, 2, away, image);
  g_assert_true (all_blank (image, SIZE * SIZE));
  /* Refusals. */
  g_assert_cmpint (somaif_canvas_draw (&c, -1, same, image), <, 0);
  g_assert_cmpint (somaif_canvas_draw (&c, 2, NULL, image), <, 0);
  g_assert_cmpint (somaif_canvas_draw (&c, 2, same, NULL), <, 0);
}

/* Non-finite points break the line; far points are clipped, not looped over. */
static void
test_gaps_and_far_points (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  float image[SIZE * SIZE];
  /* x = -10 and 10 snap to 27.5 and 37.5: the caps end at 28.17 and 36.83. */
  double gap[] = { -30, 0, -10, 0, NAN, 5, 10, 0, 30, 0 };
  draw_ok (&c, 5, gap, image);
  g_assert_cmpfloat (image[32 * SIZE + 20], ==, 0.0f);
  g_assert_cmpfloat (image[32 * SIZE + 40], ==, 0.0f);
  for (int col = 29; col <= 35; col++)
    g_assert_cmpfloat (image[32 * SIZE + col], ==, 1.0f);

  /* From the centre towards a point far up and right: the diagonal to the
   * top right corner, through pixel (10, 53) whose centre it crosses. */
  double far[] = { 0, 0, 1e9, 1e9, -1e300, 5, INFINITY, 0, 0, 0, 1e-300, -1e-300 };
  draw_ok (&c, 6, far, image);
  g_assert_cmpfloat (1.0 - image[10 * SIZE + 53], >, 0.7);
  g_assert_cmpfloat (image[53 * SIZE + 10], ==, 1.0f);
}

/* A random canvas and path: sizes of 8 to 100 pixels, widths of 1e-3 to
 * 50 pixels, snapping on or off; paths of up to MAX_POINTS points inside
 * the paper, axis-aligned, wild (huge, tiny, non-finite) or with repeats.
 * TRUE when the path stays inside the paper. */
enum { MAX_POINTS = 40, MAX_SIDE = 100 };

static gboolean
random_case (SomaifRng *rng, SomaifCanvas *c, double *points, int *n_points)
{
  int w = 8 + (int) somaif_rng_below (rng, MAX_SIDE - 7);
  int h = 8 + (int) somaif_rng_below (rng, MAX_SIDE - 7);
  double lw = exp (log (1e-3) + somaif_rng_uniform (rng) * log (5e4)); /* to 50 px */
  *c = canvas_of (w, h, lw, somaif_rng_below (rng, 4) != 0);
  int n = (int) somaif_rng_below (rng, MAX_POINTS + 1);
  int kind = (int) somaif_rng_below (rng, 4);
  for (int i = 0; i < n; i++)
    {
      double x = 50 * somaif_rng_normal (rng), y = 50 * somaif_rng_normal (rng);
      if (kind == 0)
        {
          x = CLAMP (x, -50, 50);
          y = CLAMP (y, -50, 50);
        }
      else if (kind == 1 && i > 0)
        {
          /* Axis-aligned steps, repeats included. */
          x = points[2 * i - 2];
          y = points[2 * i - 1];
          if (somaif_rng_below (rng, 2))
            x += 20 * somaif_rng_normal (rng) * somaif_rng_below (rng, 2);
          else
            y += 20 * somaif_rng_normal (rng) * somaif_rng_below (rng, 2);
        }
      else if (kind == 2)
        {
          static const double wild[] = { 1e3, -1e7, 1e15, -1e150, 1e-300, 0.0, NAN,
                                         INFINITY, -INFINITY, 60.0, -60.0 };
          if (somaif_rng_below (rng, 3) == 0)
            x = wild[somaif_rng_below (rng, G_N_ELEMENTS (wild))];
          if (somaif_rng_below (rng, 3) == 0)
            y = wild[somaif_rng_below (rng, G_N_ELEMENTS (wild))];
        }
      else if (i > 0 && somaif_rng_below (rng, 3) == 0)
        {
          /* Tiny steps and exact repeats. */
          x = points[2 * i - 2] + 1e-9 * somaif_rng_below (rng, 3);
          y = points[2 * i - 1];
        }
      points[2 * i] = x;
      points[2 * i + 1] = y;
    }
  *n_points = n;
  return kind == 0;
}

/* Random canvases and wild polylines (far, repeated, non-finite, axis-aligned
 * points): every pixel stays within [0, 1], nothing is read or written out of
 * bounds (run under AddressSanitizer), and a stroke inside the image keeps
 * to its bounding box grown by the width. */
static void
test_random (void)
{
  SomaifRng rng;
  somaif_rng_init (&rng, 20240611);
  static float image[MAX_SIDE * MAX_SIDE];
  double points[2 * MAX_POINTS];
  for (int t = 0; t < 1500; t++)
    {
      SomaifCanvas c;
      int n;
      gboolean inside = random_case (&rng, &c, points, &n);
      int w = c.width, h = c.height;
      double lw = c.linewidth;
      draw_ok (&c, n, points, image);
      if (!inside || n < 2)
        continue;
      double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
      for (int i = 0; i < n; i++)
        {
          double px, py;
          somaif_canvas_to_pixels (&c, points[2 * i], points[2 * i + 1], &px, &py);
          x0 = MIN (x0, px);
          x1 = MAX (x1, px);
          y0 = MIN (y0, py);
          y1 = MAX (y1, py);
        }
      double reach = lw + 1.0; /* a miter point or a snap moves a little further */
      for (int r = 0; r < h; r++)
        for (int col = 0; col < w; col++)
          if (image[r * w + col] != 1.0f
              && (col + 1 < x0 - reach || col > x1 + reach || r + 1 < y0 - reach
                  || r > y1 + reach))
            g_error ("case %d: ink at (%d, %d), away from the stroke's box [%g, %g] x [%g, %g]",
                     t, r, col, x0, x1, y0, y1);
    }
}

/* Draws the path both ways, the stroke's numbers worked out ahead and all
 * on the way (plain): the very same floats. */
static void
same_as_plain (SomaifCanvas *c, int n, const double *points, const char *what, int t)
{
  static float fast[MAX_SIDE * MAX_SIDE], plain[MAX_SIDE * MAX_SIDE];
  c->plain = FALSE;
  draw_ok (c, n, points, fast);
  c->plain = TRUE;
  draw_ok (c, n, points, plain);
  c->plain = FALSE;
  for (int i = 0; i < c->width * c->height; i++)
    if (memcmp (&fast[i], &plain[i], sizeof (float)) != 0)
      g_error ("%s %d (%d x %d, width %g, %d points): pixel (%d, %d) %.9g, plainly %.9g", what,
               t, c->width, c->height, c->linewidth, n, i / c->width, i % c->width, fast[i],
               plain[i]);
}

/* Long paths of small smooth steps, as the arm draws: more segments than
 * the stroker's table holds at once, with excursions off the paper (clipped
 * segments), gaps (a NaN), tiny steps and repeats (dropped vertices), and
 * sharp turns (round joins). */
static int
arm_like_path (SomaifRng *rng, double *points, int max_points)
{
  int n = 2 + (int) somaif_rng_below (rng, (guint32) max_points - 1);
  double x = 40 * somaif_rng_normal (rng), y = 40 * somaif_rng_normal (rng);
  double vx = 0.0, vy = 0.0, step = 0.05 + 3 * somaif_rng_uniform (rng);
  for (int i = 0; i < n; i++)
    {
      vx = 0.9 * vx + step * somaif_rng_normal (rng);
      vy = 0.9 * vy + step * somaif_rng_normal (rng);
      switch (somaif_rng_below (rng, 40))
        {
        case 0: /* a sharp turn */
          vx = -2 * vx;
          break;
        case 1: /* a repeat */
          vx = vy = 0.0;
          break;
        case 2: /* a step below the stroker's notice */
          vx = 1e-15;
          vy = 0.0;
          break;
        default:
          break;
        }
      x += vx;
      y += vy;
      points[2 * i] = x;
      points[2 * i + 1] = somaif_rng_below (rng, 150) == 0 ? NAN : y;
    }
  return n;
}

/* The stroke's numbers worked out ahead (see canvas-core.c) change no
 * pixel: random paths and canvases of every kind, long arm-like paths, the
 * seed's golden polylines, each drawn both ways. */
static void
test_plain_same (void)
{
  SomaifRng rng;
  somaif_rng_init (&rng, 20261201);
  double points[2 * MAX_POINTS];
  for (int t = 0; t < 3000; t++)
    {
      SomaifCanvas c;
      int n;
      random_case (&rng, &c, points, &n);
      same_as_plain (&c, n, points, "random case", t);
    }
  enum { LONG = 400 };
  double *path = g_new (double, 2 * LONG);
  for (int t = 0; t < 1500; t++)
    {
      int n = arm_like_path (&rng, path, LONG);
      int size = 8 + (int) somaif_rng_below (&rng, MAX_SIDE - 7);
      double lw = t % 3 ? 1.5 * 64 / 72 : 0.2 + 4 * somaif_rng_uniform (&rng);
      SomaifCanvas c = canvas_of (size, size, lw, TRUE);
      same_as_plain (&c, n, path, "arm-like path", t);
    }
  g_free (path);
  SomaifCanvas c;
  seed_canvas (&c);
  int cases = (int) golden_scalar ("cases");
  for (int k = 0; k < cases; k++)
    {
      const SomaifArray *traj = golden_case ("traj", k);
      same_as_plain (&c, traj->shape[0], traj->data, "golden case", k);
    }
}

/* draw() from several threads at once on one canvas gives what one gives. */
typedef struct
{
  const SomaifCanvas *c;
  const SomaifArray *traj;
  const float *expected;
  int failures;
} Worker;

static gpointer
worker_run (gpointer p)
{
  Worker *w = p;
  float image[SIZE * SIZE];
  for (int r = 0; r < 300; r++)
    {
      if (somaif_canvas_draw (w->c, w->traj->shape[0], w->traj->data, image) != 0
          || memcmp (image, w->expected, sizeof image) != 0)
        w->failures++;
    }
  return NULL;
}

static void
test_threads (void)
{
  SomaifCanvas c;
  seed_canvas (&c);
  enum { THREADS = 4 };
  float expected[THREADS][SIZE * SIZE];
  Worker workers[THREADS];
  GThread *threads[THREADS];
  for (int t = 0; t < THREADS; t++)
    {
      const SomaifArray *traj = golden_case ("traj", t % 5);
      draw_ok (&c, traj->shape[0], traj->data, expected[t]);
      workers[t] = (Worker) { &c, traj, expected[t], 0 };
    }
  for (int t = 0; t < THREADS; t++)
    threads[t] = g_thread_new ("draw", worker_run, &workers[t]);
  for (int t = 0; t < THREADS; t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpint (workers[t].failures, ==, 0);
    }
}

static void
test_init_refusals (void)
{
  SomaifCanvas c;
  double lim[2] = { -60, 60 }, flat[2] = { 5, 5 }, bad[2] = { 0, NAN };
  struct
  {
    int w, h;
    const double *x, *y;
    double lw;
  } cases[] = {
    { 7, 64, lim, lim, 1.0 },     { 64, 5000, lim, lim, 1.0 }, { 64, 64, flat, lim, 1.0 },
    { 64, 64, lim, bad, 1.0 },    { 64, 64, lim, lim, 0.0 },   { 64, 64, lim, lim, NAN },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_assert_false (somaif_canvas_init (&c, cases[i].w, cases[i].h, cases[i].x, cases[i].y,
                                          cases[i].lw, TRUE, &error));
      g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
      g_test_message ("refused: %s", error->message);
      g_error_free (error);
    }
  /* Inverted limits mirror the image. */
  double inv[2] = { 60, -60 };
  GError *error = NULL;
  g_assert_true (somaif_canvas_init (&c, SIZE, SIZE, inv, lim, 4.0 / 3, TRUE, &error));
  float image[SIZE * SIZE];
  double line[] = { 10, 0, 50, 0 }; /* x = 10 .. 50 lands left of the centre */
  draw_ok (&c, 2, line, image);
  g_assert_cmpfloat (image[32 * SIZE + 15], ==, 0.0f);
  g_assert_cmpfloat (image[32 * SIZE + 40], ==, 1.0f);
}

/* ------------------------------------------------------------------ */
/* The plugin glue                                                     */


static Canvas *
create_canvas (int point_size, const char *const *overrides, GError **error)
{
  SomaifSetup setup = { 0 };
  setup.struct_size = sizeof setup;
  setup.input_size = point_size;
  SomaifParams *p = test_params_new (canvas_params, overrides, error);
  if (!p)
    return NULL;
  Canvas *self = canvas_vtable.head.create (&setup, p, error);
  somaif_params_free (p);
  return self;
}

static void
test_plugin (void)
{
  const SomaifPluginHead *head = somaif_plugin_describe ();
  g_assert_true (head == &canvas_vtable.head);
  g_assert_cmpuint (head->kind, ==, SOMAIF_KIND_RENDERER);
  g_assert_cmpstr (head->name, ==, "canvas");

  GError *error = NULL;
  Canvas *self = create_canvas (2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (canvas_vtable.width (self), ==, SIZE);
  g_assert_cmpint (canvas_vtable.height (self), ==, SIZE);
  g_assert_cmpfloat (self->canvas.linewidth, ==, 1.5 * 64 / 72);
  g_assert_true (self->canvas.snap);

  /* The defaults are the seed's canvas: the golden image of case 6. */
  SomaifCanvas seed;
  seed_canvas (&seed);
  const SomaifArray *traj = golden_case ("traj", 6);
  float a[SIZE * SIZE], b[SIZE * SIZE];
  g_assert_cmpint (canvas_vtable.draw (self, traj->shape[0], traj->data, a), ==, 0);
  draw_ok (&seed, traj->shape[0], traj->data, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  g_assert_cmpint (canvas_vtable.draw (self, -3, traj->data, a), <, 0);
  g_assert_nonnull (head->error_message (self));

  /* State: saved, restored, refused by another canvas or version. */
  GByteArray *state = g_byte_array_new ();
  g_assert_cmpint (head->save_state (self, state), ==, 0);
  g_assert_cmpint (state->data[0], ==, STATE_VERSION);
  g_assert_cmpint (head->load_state (self, state->data, state->len), ==, 0);
  g_assert_cmpint (head->load_state (self, state->data, state->len - 1), <, 0);
  state->data[0]++;
  g_assert_cmpint (head->load_state (self, state->data, state->len), <, 0);
  g_assert_nonnull (strstr (head->error_message (self), "version"));
  state->data[0]--;
  const char *const thin[] = { "linewidth", "0.5", "width", "32", NULL };
  Canvas *other = create_canvas (2, thin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (canvas_vtable.width (other), ==, 32);
  g_assert_cmpint (head->load_state (other, state->data, state->len), <, 0);
  g_test_message ("refused: %s", head->error_message (other));
  g_byte_array_unref (state);
  head->destroy (other);
  head->destroy (self);

  /* Refusals at creation. */
  g_assert_null (create_canvas (3, NULL, &error));
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_clear_error (&error);
  const char *const flat[] = { "ylim", "[2.0, 2.0]", NULL };
  g_assert_null (create_canvas (2, flat, &error));
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autofree char *path = data_file ("render.txt");
  GError *error = NULL;
  golden = somaif_arrays_load (path, &error);
  if (!golden)
    g_error ("%s", error->message);

  g_test_add_func ("/render/golden", test_golden_cases);
  g_test_add_func ("/render/dirty-buffer", test_dirty_buffer);
  g_test_add_func ("/render/speed", test_speed);
  g_test_add_func ("/render/horizontal-rows", test_horizontal_rows);
  g_test_add_func ("/render/area", test_area);
  g_test_add_func ("/render/one-shape", test_one_shape);
  g_test_add_func ("/render/blank", test_blank);
  g_test_add_func ("/render/gaps-and-far-points", test_gaps_and_far_points);
  g_test_add_func ("/render/random", test_random);
  g_test_add_func ("/render/plain-same", test_plain_same);
  g_test_add_func ("/render/threads", test_threads);
  g_test_add_func ("/render/init-refusals", test_init_refusals);
  g_test_add_func ("/render/plugin", test_plugin);
  int status = g_test_run ();
  g_hash_table_unref (golden);
  return status;
}
