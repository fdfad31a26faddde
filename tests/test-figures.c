/* test-figures.c: the PNGs read back with cairo (size, colours where they must be,
 * errors on bad paths); the curves' numbers are tested in test-rundir.c. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "figures.h"
#include "rundir.h"
#include "test-tree.h"

/* ---- helpers ---------------------------------------------------------- */

typedef struct
{
  char *dir;
} TmpDir;

static void
tmp_dir_init (TmpDir *t)
{
  GError *error = NULL;
  t->dir = g_dir_make_tmp ("test-figures-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
tmp_dir_clear (TmpDir *t)
{
  g_assert_true (test_remove_tree (t->dir));
  g_free (t->dir);
}

typedef struct
{
  cairo_surface_t *s;
  int w, h, stride;
  const unsigned char *data;
} Png;

static void
png_read (Png *png, const char *path)
{
  png->s = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png->s), ==, CAIRO_STATUS_SUCCESS);
  png->w = cairo_image_surface_get_width (png->s);
  png->h = cairo_image_surface_get_height (png->s);
  png->stride = cairo_image_surface_get_stride (png->s);
  png->data = cairo_image_surface_get_data (png->s);
}

/* The colour type in a PNG file's header: 0 greyscale, 2 RGB. */
static int
png_colour_type (const char *path)
{
  gchar *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_cmpuint (len, >, 26);
  g_assert_cmpmem (bytes + 12, 4, "IHDR", 4);
  int type = (guint8) bytes[25];
  g_free (bytes);
  return type;
}

static void
png_pixel (const Png *png, int x, int y, int *r, int *g, int *b)
{
  g_assert_true (x >= 0 && x < png->w && y >= 0 && y < png->h);
  guint32 p = *(const guint32 *) (const void *) (png->data + (gsize) y * png->stride + 4 * (gsize) x);
  *r = (p >> 16) & 255;
  *g = (p >> 8) & 255;
  *b = p & 255;
}

/* Pixels within tol of (r, g, b) in the rectangle [x0, x1) x [y0, y1). */
static int
png_count (const Png *png, int x0, int y0, int x1, int y1, int r, int g, int b, int tol)
{
  int n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        int pr, pg, pb;
        png_pixel (png, x, y, &pr, &pg, &pb);
        if (ABS (pr - r) <= tol && ABS (pg - g) <= tol && ABS (pb - b) <= tol)
          n++;
      }
  return n;
}

/* The first pixel of exactly (r, g, b) in raster order; FALSE if none. */
static gboolean
png_find (const Png *png, int r, int g, int b, int *fx, int *fy)
{
  for (int y = 0; y < png->h; y++)
    for (int x = 0; x < png->w; x++)
      {
        int pr, pg, pb;
        png_pixel (png, x, y, &pr, &pg, &pb);
        if (pr == r && pg == g && pb == b)
          {
            *fx = x;
            *fy = y;
            return TRUE;
          }
      }
  return FALSE;
}

static void
png_clear (Png *png)
{
  cairo_surface_destroy (png->s);
}

/* ---- somaif_figure_curves --------------------------------------------- */

#define N_CURVE 60

static void
make_curves (double *am, double *ab, double *cm, double *cb)
{
  for (int i = 0; i < N_CURVE; i++)
    {
      double t = (double) i / (N_CURVE - 1);
      am[i] = 250.0 - 170.0 * t * t;
      ab[i] = 8.0 + 4.0 * sin (i);
      cm[i] = 100.0 * (1.0 - t);
      cb[i] = 5.0;
    }
}

static void
test_figure_curves (void)
{
  TmpDir t;
  tmp_dir_init (&t);
  double am[N_CURVE], ab[N_CURVE], cm[N_CURVE], cb[N_CURVE];
  make_curves (am, ab, cm, cb);
  char *p1 = g_build_filename (t.dir, "curves.png", NULL);
  char *p2 = g_build_filename (t.dir, "curves-again.png", NULL);
  GError *error = NULL;
  g_assert_true (somaif_figure_curves (p1, N_CURVE, am, ab, cm, cb, &error));
  g_assert_no_error (error);
  g_assert_true (somaif_figure_curves (p2, N_CURVE, am, ab, cm, cb, &error));
  g_assert_no_error (error);

  Png png;
  png_read (&png, p1);
  g_assert_cmpint (png.w, ==, 600);
  g_assert_cmpint (png.h, ==, 400);
  /* Background white at the corners. */
  int r, g, b;
  png_pixel (&png, 0, 0, &r, &g, &b);
  g_assert_true (r == 255 && g == 255 && b == 255);
  png_pixel (&png, 599, 399, &r, &g, &b);
  g_assert_true (r == 255 && g == 255 && b == 255);
  /* Both lines (C0 #1f77b4, C1 #ff7f0e) and both bands (each at alpha 0.5
   * over white) inside the central plot area. */
  int c0 = png_count (&png, 100, 20, 560, 320, 0x1f, 0x77, 0xb4, 4);
  int c1 = png_count (&png, 100, 20, 560, 320, 0xff, 0x7f, 0x0e, 4);
  int b0 = png_count (&png, 100, 20, 560, 320, 143, 187, 218, 4);
  int b1 = png_count (&png, 100, 20, 560, 320, 255, 191, 135, 4);
  g_test_message ("pixels: C0 line %d, C1 line %d, C0 band %d, C1 band %d", c0, c1, b0, b1);
  g_assert_cmpint (c0, >, 300);
  g_assert_cmpint (c1, >, 300);
  g_assert_cmpint (b0, >, 300);
  g_assert_cmpint (b1, >, 300);
  /* Inaccuracy (250 -> 80) lies above complexity (100 -> 0): at the left, the
   * C0 line's pixels are higher up than C1's. */
  int y0 = -1, y1 = -1;
  for (int y = 0; y < png.h && (y0 < 0 || y1 < 0); y++)
    {
      png_pixel (&png, 110, y, &r, &g, &b);
      if (y0 < 0 && ABS (r - 0x1f) <= 4 && ABS (g - 0x77) <= 4 && ABS (b - 0xb4) <= 4)
        y0 = y;
      if (y1 < 0 && ABS (r - 0xff) <= 4 && ABS (g - 0x7f) <= 4 && ABS (b - 0x0e) <= 4)
        y1 = y;
    }
  g_assert_cmpint (y0, >=, 0);
  g_assert_cmpint (y1, >, y0);
  /* Text (tick labels, x label) below the plot area: dark pixels. */
  g_assert_cmpint (png_count (&png, 0, 340, 600, 400, 0, 0, 0, 60), >, 50);
  /* Left of the plot area: y tick labels. */
  g_assert_cmpint (png_count (&png, 0, 0, 40, 340, 0, 0, 0, 60), >, 30);
  png_clear (&png);

  /* Same inputs, same bytes. */
  char *s1, *s2;
  gsize l1, l2;
  g_assert_true (g_file_get_contents (p1, &s1, &l1, NULL));
  g_assert_true (g_file_get_contents (p2, &s2, &l2, NULL));
  g_assert_cmpmem (s1, l1, s2, l2);
  g_free (s1);
  g_free (s2);
  g_free (p1);
  g_free (p2);
  tmp_dir_clear (&t);
}

static void
test_figure_curves_degenerate (void)
{
  TmpDir t;
  tmp_dir_init (&t);
  char *p = g_build_filename (t.dir, "c.png", NULL);
  GError *error = NULL;
  Png png;

  /* No point at all. */
  g_assert_true (somaif_figure_curves (p, 0, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  png_read (&png, p);
  g_assert_cmpint (png.w, ==, 600);
  png_clear (&png);

  /* One point: drawn as a dot of each colour. */
  double a1 = 5.0, b1 = 1.0, c1 = 2.0, d1 = 0.5;
  g_assert_true (somaif_figure_curves (p, 1, &a1, &b1, &c1, &d1, &error));
  g_assert_no_error (error);
  png_read (&png, p);
  g_assert_cmpint (png_count (&png, 60, 0, 600, 340, 0x1f, 0x77, 0xb4, 4), >, 4);
  g_assert_cmpint (png_count (&png, 60, 0, 600, 340, 0xff, 0x7f, 0x0e, 4), >, 4);
  png_clear (&png);

  /* NaN and infinities: gaps, the rest still drawn. */
  double am[N_CURVE], ab[N_CURVE], cm[N_CURVE], cb[N_CURVE];
  make_curves (am, ab, cm, cb);
  am[3] = NAN;
  am[10] = INFINITY;
  ab[20] = NAN;
  cm[0] = -INFINITY;
  cb[30] = INFINITY;
  cm[40] = 1e300;
  g_assert_true (somaif_figure_curves (p, N_CURVE, am, ab, cm, cb, &error));
  g_assert_no_error (error);
  png_read (&png, p);
  g_assert_cmpint (png_count (&png, 100, 20, 560, 320, 0x1f, 0x77, 0xb4, 4), >, 300);
  g_assert_cmpint (png_count (&png, 100, 20, 560, 320, 0xff, 0x7f, 0x0e, 4), >, 300);
  png_clear (&png);

  /* Everything missing, constant curves, negative values, no bands. */
  for (int i = 0; i < N_CURVE; i++)
    am[i] = cm[i] = NAN;
  g_assert_true (somaif_figure_curves (p, N_CURVE, am, ab, cm, cb, &error));
  for (int i = 0; i < N_CURVE; i++)
    {
      am[i] = 7.0;
      cm[i] = -1e-3 * i;
    }
  g_assert_true (somaif_figure_curves (p, N_CURVE, am, NULL, cm, NULL, &error));
  g_assert_no_error (error);
  png_read (&png, p);
  g_assert_cmpint (png_count (&png, 100, 20, 560, 320, 0x1f, 0x77, 0xb4, 4), >, 300);
  png_clear (&png);

  g_free (p);
  tmp_dir_clear (&t);
}

static void
test_figure_bad_path (void)
{
  const char *bad = "/nonexistent/dir/x.png";
  double v[2] = { 1, 2 };
  GError *error = NULL;
  g_assert_false (somaif_figure_curves (bad, 2, v, v, v, v, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == SOMAIF_RUNDIR_ERROR);
  g_assert_nonnull (strstr (error->message, bad));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  float proto[4] = { 0, 1, 1, 0 };
  g_assert_false (somaif_figure_tiles (bad, "t", 1, 1, 1, 2, 2, proto, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == SOMAIF_RUNDIR_ERROR);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);
}

/* ---- somaif_figure_tiles ---------------------------------------------- */

#define TW 8
#define TH 6

static void
test_figure_tiles (void)
{
  TmpDir t;
  tmp_dir_init (&t);
  /* 3 units on a 2 x 2 grid of 8 x 6 images; 1 is paper, 0 ink. */
  float proto[3 * TH * TW], draw[3 * TH * TW];
  for (int k = 0; k < 3 * TH * TW; k++)
    proto[k] = draw[k] = 1.0f;
  proto[0 * TH * TW + 1 * TW + 1] = 0.0f; /* unit 0, row 1 col 1: prototype only */
  draw[0 * TH * TW + 3 * TW + 5] = 0.0f;  /* unit 0, row 3 col 5: drawing only */
  proto[0 * TH * TW + 2 * TW + 3] = 0.0f; /* unit 0, row 2 col 3: both */
  draw[0 * TH * TW + 2 * TW + 3] = 0.0f;
  proto[1 * TH * TW + 0 * TW + 0] = 0.5f; /* unit 1, row 0 col 0: half grey prototype */
  proto[2 * TH * TW + 5 * TW + 7] = 0.0f; /* unit 2, last pixel: prototype only */

  char *pc = g_build_filename (t.dir, "tiles.png", NULL);
  char *pg = g_build_filename (t.dir, "tiles-grey.png", NULL);
  GError *error = NULL;
  g_assert_true (somaif_figure_tiles (pc, "Repertoire", 3, 2, 2, TW, TH, proto, draw, &error));
  g_assert_no_error (error);
  g_assert_true (somaif_figure_tiles (pg, "Repertoire", 3, 2, 2, TW, TH, proto, NULL, &error));
  g_assert_no_error (error);

  Png c, gr;
  png_read (&c, pc);
  png_read (&gr, pg);
  g_assert_cmpint (c.w, ==, gr.w);
  g_assert_cmpint (c.h, ==, gr.h);

  /* The prototype-only pixel is magenta (R = drawing 1, G = prototype 0, B = 1);
   * unit 0 is the top-left tile, so its block comes first in raster order. */
  int mx, my;
  g_assert_true (png_find (&c, 255, 0, 255, &mx, &my));
  int s = 0;
  while (mx + s < c.w && png_count (&c, mx + s, my, mx + s + 1, my + 1, 255, 0, 255, 0) == 1)
    s++;
  g_test_message ("tile scale %d, image %d x %d", s, c.w, c.h);
  g_assert_cmpint (s, >=, 2);
  g_assert_cmpint (c.w, >=, 2 * TW * s);
  g_assert_cmpint (c.h, >=, 2 * TH * s);
  /* Nearest neighbour: each source pixel is an s x s square of one colour. */
  g_assert_cmpint (png_count (&c, mx, my, mx + s, my + s, 255, 0, 255, 0), ==, s * s);
  g_assert_cmpint (png_count (&c, 0, 0, c.w, c.h, 255, 0, 255, 0), ==, 2 * s * s);
  /* Drawing only: cyan, (5 - 1, 3 - 1) source pixels away; both: blue. */
  int cx = mx + 4 * s, cy = my + 2 * s, bx = mx + 2 * s, by = my + s;
  g_assert_cmpint (png_count (&c, cx, cy, cx + s, cy + s, 0, 255, 255, 0), ==, s * s);
  g_assert_cmpint (png_count (&c, 0, 0, c.w, c.h, 0, 255, 255, 0), ==, s * s);
  g_assert_cmpint (png_count (&c, bx, by, bx + s, by + s, 0, 0, 255, 0), ==, s * s);
  g_assert_cmpint (png_count (&c, 0, 0, c.w, c.h, 0, 0, 255, 0), ==, s * s);
  /* Paper is white: the tile's corner (0, 0). */
  g_assert_cmpint (png_count (&c, mx - s, my - s, mx, my, 255, 255, 255, 0), ==, s * s);
  /* Unit 1 (top right) has a half-grey prototype: (255, 128, 255), to the
   * right of unit 0 at the same rows. */
  int hx, hy;
  g_assert_true (png_find (&c, 255, 128, 255, &hx, &hy));
  g_assert_cmpint (hx, >, mx + (TW - 1) * s);
  g_assert_cmpint (hy, ==, my - s);
  /* Unit 2 (bottom left): its last pixel lies below unit 0's tile. */
  int ux = -1, uy = -1;
  for (int y = my + TH * s; y < c.h && ux < 0; y++)
    for (int x = 0; x < c.w; x++)
      if (png_count (&c, x, y, x + 1, y + 1, 255, 0, 255, 0) == 1)
        {
          ux = x;
          uy = y;
          break;
        }
  g_assert_cmpint (ux, ==, mx + 6 * s);
  g_assert_cmpint (uy, >, my + (TH - 1) * s);

  /* Without drawings: prototypes alone in grey levels, same layout. */
  int r, g, b;
  png_pixel (&gr, mx, my, &r, &g, &b);
  g_assert_true (r == 0 && g == 0 && b == 0);
  png_pixel (&gr, bx + s - 1, by + s - 1, &r, &g, &b);
  g_assert_true (r == 0 && g == 0 && b == 0);
  png_pixel (&gr, cx, cy, &r, &g, &b);
  g_assert_true (r == 255 && g == 255 && b == 255);
  g_assert_cmpint (png_count (&gr, hx, hy, hx + s, hy + s, 128, 128, 128, 0), ==, s * s);
  /* No colour anywhere: written as a greyscale PNG (the other in RGB). */
  g_assert_cmpint (png_colour_type (pg), ==, 0);
  g_assert_cmpint (png_colour_type (pc), ==, 2);
  int coloured = 0;
  for (int y = 0; y < gr.h; y++)
    for (int x = 0; x < gr.w; x++)
      {
        png_pixel (&gr, x, y, &r, &g, &b);
        coloured += r != g || g != b;
      }
  g_assert_cmpint (coloured, ==, 0);
  /* A title and unit numbers: dark text pixels above the first tile. */
  g_assert_cmpint (png_count (&c, 0, 0, c.w, my - s, 0, 0, 0, 100), >, 20);

  png_clear (&c);
  png_clear (&gr);
  g_free (pc);
  g_free (pg);
  tmp_dir_clear (&t);
}

static void
test_figure_tiles_bad_args (void)
{
  TmpDir t;
  tmp_dir_init (&t);
  char *p = g_build_filename (t.dir, "bad.png", NULL);
  float proto[5 * 4] = { 0 };
  GError *error = NULL;
  /* 5 units do not fit 2 x 2. */
  g_assert_false (somaif_figure_tiles (p, "x", 5, 2, 2, 2, 2, proto, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull (strstr (error->message, p));
  g_clear_error (&error);
  g_assert_false (somaif_figure_tiles (p, "x", 1, 1, 1, 0, 2, proto, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error (&error);
  /* Too large for any scale. */
  g_assert_false (somaif_figure_tiles (p, "x", 1, 1, 1, 40000, 1, proto, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error (&error);
  g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
  /* No units and no title: an empty grid is still a picture. */
  g_assert_true (somaif_figure_tiles (p, NULL, 0, 1, 3, 4, 4, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (p);
  tmp_dir_clear (&t);
}

/* Fontconfig keeps its parsed configuration for the process' life (only
 * FcFini frees it, and fontconfig is cairo's dependency, not ours): tell
 * LeakSanitizer, when it is there, that this one is not a leak. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:libfontconfig.so\n";
}

/* ---- somaif_figure_column ---------------------------------------------- */

/* The x centres of the runs of columns holding matplotlib's C0 (the first
 * line's colour) in the picture; returns how many (at most max). */
static int
c0_columns (const Png *png, double *centre, int max)
{
  int n = 0, start = -1;
  for (int x = 0; x <= png->w; x++)
    {
      gboolean has = x < png->w && png_count (png, x, 0, x + 1, png->h, 0x1f, 0x77, 0xb4, 0) > 0;
      if (has && start < 0)
        start = x;
      if (!has && start >= 0)
        {
          if (n < max)
            centre[n] = (start + x - 1) / 2.0;
          n++;
          start = -1;
        }
    }
  return n;
}

/* On a log axis the points at x = 1, 10, 100 are equally spaced; on a
 * linear one they are not.  NaN means between them leave lone dots. */
static void
test_figure_column_log (void)
{
  TmpDir t;
  tmp_dir_init (&t);
  g_autofree char *path = g_build_filename (t.dir, "column.png", NULL);
  const double x[5] = { 1, 3, 10, 30, 100 }, mean[5] = { 2, NAN, 3, NAN, 2.5 };
  const double band[5] = { 0.1, NAN, NAN, 0.2, 0.3 };
  for (int log_x = 1; log_x >= 0; log_x--)
    {
      GError *error = NULL;
      g_assert_true (somaif_figure_column (path, "beta study", "experiment.beta", "distance",
                                           log_x, 1, NULL, 5, x, mean, band, &error));
      g_assert_no_error (error);
      Png png;
      png_read (&png, path);
      double c[8];
      int n = c0_columns (&png, c, 8);
      g_test_message ("%s axis: %d dots at x = %.1f, %.1f, %.1f", log_x ? "log" : "linear", n,
                      c[0], c[1], c[2]);
      g_assert_cmpint (n, ==, 3);
      double gap1 = c[1] - c[0], gap2 = c[2] - c[1];
      if (log_x)
        g_assert_cmpfloat (fabs (gap1 - gap2), <=, 2.0);
      else
        g_assert_cmpfloat (gap2, >, 5.0 * gap1);
      png_clear (&png);
      g_remove (path);
    }

  /* several lines, a lone point, and refusals: x <= 0 on a log axis */
  const double x2[1] = { 4.0 }, m2[3] = { 1, NAN, 2 };
  const char *labels[3] = { "units = 10", NULL, "units = 30" };
  GError *error = NULL;
  g_assert_true (somaif_figure_column (path, NULL, NULL, NULL, TRUE, 3, labels, 1, x2, m2, NULL,
                                       &error));
  g_assert_no_error (error);
  g_remove (path);
  const double bad[2] = { 0.0, 1.0 }, m3[2] = { 1, 2 };
  g_assert_false (somaif_figure_column (path, NULL, NULL, NULL, TRUE, 1, NULL, 2, bad, m3, NULL,
                                        &error));
  g_assert_nonnull (strstr (error->message, "log"));
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  tmp_dir_clear (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/figures/curves-png", test_figure_curves);
  g_test_add_func ("/figures/curves-png-degenerate", test_figure_curves_degenerate);
  g_test_add_func ("/figures/bad-path", test_figure_bad_path);
  g_test_add_func ("/figures/tiles-png", test_figure_tiles);
  g_test_add_func ("/figures/tiles-bad-args", test_figure_tiles_bad_args);
  g_test_add_func ("/figures/column-log-axis", test_figure_column_log);
  int rc = g_test_run ();
  /* Let cairo drop its font caches, so that a leak checker sees only ours. */
  cairo_debug_reset_static_data ();
  return rc;
}
