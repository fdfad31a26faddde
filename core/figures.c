/* figures.c: the learning curves (computed in rundir.c) and the repertoire
 * picture, drawn with cairo. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <png.h>
#include <zlib.h>

#include "figures.h"
#include "rundir.h"

/* ------------------------------------------------------------------------ */
/* Shared drawing helpers                                                   */
/* ------------------------------------------------------------------------ */

#define FONT_FACE "DejaVu Sans"
/* Cairo's fixed-point coordinates overflow long before a double does:
 * values beyond this are treated as missing. */
#define HUGE_VALUE 1e15

static void
set_font (cairo_t *cr, double size, gboolean bold)
{
  /* Spelled out so fontconfig's local taste (subpixel colour fringes) does
   * not change the pixels: same inputs, same PNG. */
  cairo_font_options_t *fo = cairo_font_options_create ();
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_ON);
  cairo_set_font_options (cr, fo);
  cairo_font_options_destroy (fo);
  cairo_select_font_face (cr, FONT_FACE, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

static double
text_width (cairo_t *cr, const char *s)
{
  cairo_text_extents_t te;
  cairo_text_extents (cr, s, &te);
  return te.x_advance;
}

/* Draws s with its anchor at (x, y): ax 0 left, 0.5 centre, 1 right; ay 0
 * top, 0.5 middle, 1 bottom of the font's ascent + descent box. */
static void
show_text (cairo_t *cr, const char *s, double x, double y, double ax, double ay)
{
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  double w = text_width (cr, s);
  double h = fe.ascent + fe.descent;
  cairo_move_to (cr, round (x - ax * w), round (y - ay * h + fe.ascent));
  cairo_show_text (cr, s);
}

/* libpng's errors come back here: a longjmp out of png_write_*. */
static void
png_fail (png_structp png, png_const_charp message)
{
  g_strlcpy (png_get_error_ptr (png), message, 256);
  png_longjmp (png, 1);
}

static void
png_warn (png_structp png, png_const_charp message)
{
}

/* Whether every pixel of an RGB24 surface is grey (red = green = blue). */
static gboolean
all_grey (const guint8 *data, int w, int h, int stride)
{
  for (int y = 0; y < h; y++)
    {
      const guint32 *px = (const guint32 *) (const void *) (data + (gsize) y * stride);
      guint32 odd = 0;
      for (int x = 0; x < w; x++)
        odd |= ((px[x] >> 8) ^ px[x]) & 0xffff;
      if (odd)
        return FALSE;
    }
  return TRUE;
}

/* Writes an RGB24 surface with libpng at a fast compression level: a run
 * writes a dozen large figures, and zlib's default level made them a fifth of
 * a short run's time.  A picture all in greys (the prototypes' sheets) is
 * written as a greyscale PNG, a third of the bytes to filter and compress;
 * its pixels read back the same. */
static gboolean
write_png (cairo_surface_t *surface, const char *path, GError **error)
{
  cairo_surface_flush (surface);
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  g_return_val_if_fail (cairo_image_surface_get_format (surface) == CAIRO_FORMAT_RGB24, FALSE);
  const gboolean grey = all_grey (data, w, h, stride);

  int fd = somaif_rundir_create (path, TRUE, error);
  FILE *f = fd >= 0 ? fdopen (fd, "wb") : NULL;
  if (!f)
    {
      if (fd >= 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "cannot write '%s': %s", path, g_strerror (saved));
        }
      return FALSE;
    }
  char message[256] = "";
  guint8 *row = g_malloc ((gsize) w * 3);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, message, png_fail,
                                             png_warn);
  png_infop info = png ? png_create_info_struct (png) : NULL;
  /* volatile: read after libpng's longjmp */
  volatile gboolean ok = FALSE;
  if (png && info && !setjmp (png_jmpbuf (png)))
    {
      png_init_io (png, f);
      png_set_compression_level (png, 2);
      png_set_compression_strategy (png, Z_RLE);
      png_set_filter (png, 0, PNG_FILTER_UP);
      png_set_IHDR (png, info, (png_uint_32) w, (png_uint_32) h, 8,
                    grey ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
      png_write_info (png, info);
      for (int y = 0; y < h; y++)
        {
          /* RGB24 is a native-endian 32-bit xRGB word a pixel. */
          const guint32 *px = (const guint32 *) (const void *) (data + (gsize) y * stride);
          if (grey)
            for (int x = 0; x < w; x++)
              row[x] = (guint8) px[x];
          else
            for (int x = 0; x < w; x++)
              {
                row[3 * x] = (guint8) (px[x] >> 16);
                row[3 * x + 1] = (guint8) (px[x] >> 8);
                row[3 * x + 2] = (guint8) px[x];
              }
          png_write_row (png, row);
        }
      png_write_end (png, NULL);
      ok = TRUE;
    }
  else if (!message[0])
    g_strlcpy (message, "out of memory", sizeof message);
  png_destroy_write_struct (png ? &png : NULL, info ? &info : NULL);
  g_free (row);
  int saved = 0;
  if (ferror (f))
    ok = FALSE, saved = errno;
  if (fclose (f) != 0 && ok)
    ok = FALSE, saved = errno;
  if (!ok)
    {
      if (saved)
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                     "cannot write '%s': %s", path, g_strerror (saved));
      else
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot write '%s': %s", path,
                     message[0] ? message : "write error");
    }
  return ok;
}

static gboolean
check_surface (cairo_surface_t *surface, const char *path, GError **error)
{
  cairo_status_t st = cairo_surface_status (surface);
  if (st == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "cannot draw '%s': %s", path,
               cairo_status_to_string (st));
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* curves.png                                                               */
/* ------------------------------------------------------------------------ */

/* 6 x 4 inches at 100 dpi, as the notebook's plt.figure(figsize=(6,4)). */
#define CURVES_W 600
#define CURVES_H 400
#define CURVES_FONT 13.0    /* 10 pt at 100 dpi */
#define TICK_LEN 5.0        /* 3.5 pt */
#define TICK_PAD 4.0
#define LINE_WIDTH 2.0      /* 1.5 pt */
#define MAX_TICKS 64

typedef struct
{
  double r, g, b;
} Rgb;

/* matplotlib's first two default colours, C0 and C1. */
static const Rgb curve_colour[2] = {
  { 0x1f / 255.0, 0x77 / 255.0, 0xb4 / 255.0 },
  { 0xff / 255.0, 0x7f / 255.0, 0x0e / 255.0 },
};
static const char *const curve_label[2] = { "Inaccuracy", "Complexity" };

typedef struct
{
  const double *mean, *band; /* either may be NULL */
} Series;

typedef struct
{
  double x0, x1, y0, y1;    /* data limits */
  double left, right, top, bottom; /* plot area in pixels */
} Frame;

static gboolean
usable (double v)
{
  return isfinite (v) && fabs (v) <= HUGE_VALUE;
}

static double
px (const Frame *f, double x)
{
  return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left);
}

static double
py (const Frame *f, double y)
{
  return f->bottom - (y - f->y0) / (f->y1 - f->y0) * (f->bottom - f->top);
}

static gboolean
band_at (const Series *s, int i, double *lo, double *hi)
{
  if (!s->mean || !s->band || !usable (s->mean[i]) || !usable (s->band[i]))
    return FALSE;
  *lo = s->mean[i] - s->band[i];
  *hi = s->mean[i] + s->band[i];
  return TRUE;
}

/* A nice tick step (1, 2, 2.5 or 5 times a power of ten) giving at most
 * about `target` intervals over span. */
static double
nice_step (double span, int target, double min_step)
{
  double raw = span / target;
  double mag = pow (10.0, floor (log10 (raw)));
  static const double mult[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
  double step = 10.0 * mag;
  for (guint k = 0; k < G_N_ELEMENTS (mult); k++)
    if (mult[k] * mag >= raw * (1.0 - 1e-9))
      {
        step = mult[k] * mag;
        break;
      }
  return MAX (step, min_step);
}

/* Widens [*lo, *hi] when empty and pads it by 5% each side, as matplotlib. */
static void
pad_range (double *lo, double *hi)
{
  if (*hi - *lo <= fabs (*hi) * 1e-12)
    {
      double d = fabs (*lo) > 0.0 ? fabs (*lo) * 0.1 : 1.0;
      *lo -= d;
      *hi += d;
    }
  double m = 0.05 * (*hi - *lo);
  *lo -= m;
  *hi += m;
}

/* Tick values k * step inside [lo, hi]; returns how many. */
static int
ticks_in (double lo, double hi, double step, double *t)
{
  int n = 0;
  double k0 = ceil (lo / step - 1e-9), k1 = floor (hi / step + 1e-9);
  for (double k = k0; k <= k1 && n < MAX_TICKS; k++)
    t[n++] = k * step;
  return n;
}

/* A tick label with just enough decimals for the step; matplotlib's minus. */
static void
format_tick (char *buf, gsize len, double v, double step, double maxabs)
{
  if (fabs (v) < step * 1e-6)
    v = 0.0;
  double e = floor (log10 (step) + 1e-9);
  double lead = step / pow (10.0, e);
  /* 2.5 x 10^e needs one digit more than 10^e: 0.25 two, 2.5 one, 25 none. */
  int extra = fabs (lead - 2.5) < 1e-6;
  int decimals = (int) MAX (0.0, -e + extra);
  char tmp[64];
  if (decimals <= 6 && maxabs < 1e7)
    g_snprintf (tmp, sizeof tmp, "%.*f", decimals, fabs (v));
  else
    {
      /* Enough significant digits that neighbouring ticks differ. */
      int digits = (int) (floor (log10 (MAX (maxabs, step))) - e) + 1 + extra;
      g_snprintf (tmp, sizeof tmp, "%.*g", CLAMP (digits, 1, 15), fabs (v));
    }
  g_snprintf (buf, len, "%s%s", v < 0.0 ? "\xe2\x88\x92" : "", tmp);
}

/* Does segment a-b touch the rectangle?  (Liang-Barsky clipping.) */
static gboolean
segment_hits (double ax, double ay, double bx, double by, double rx0, double ry0,
              double rx1, double ry1)
{
  double t0 = 0.0, t1 = 1.0, dx = bx - ax, dy = by - ay;
  double p[4] = { -dx, dx, -dy, dy };
  double q[4] = { ax - rx0, rx1 - ax, ay - ry0, ry1 - ay };
  for (int k = 0; k < 4; k++)
    {
      if (p[k] == 0.0)
        {
          if (q[k] < 0.0)
            return FALSE;
          continue;
        }
      double r = q[k] / p[k];
      if (p[k] < 0.0)
        t0 = MAX (t0, r);
      else
        t1 = MIN (t1, r);
      if (t0 > t1)
        return FALSE;
    }
  return TRUE;
}

/* How much of the drawn data a legend box at (x, y, w, h) would hide:
 * vertices inside it count 1, segments crossing it count 1 more. */
static int
legend_badness (const Frame *f, const Series *ser, int n, double x, double y, double w,
                double h)
{
  int bad = 0;
  for (int s = 0; s < 2; s++)
    for (int c = 0; c < 3; c++)
      {
        double prev_x = 0.0, prev_y = 0.0;
        gboolean have_prev = FALSE;
        for (int i = 0; i < n; i++)
          {
            double v, lo, hi;
            gboolean ok;
            if (c == 0)
              {
                ok = ser[s].mean && usable (ser[s].mean[i]);
                v = ok ? ser[s].mean[i] : 0.0;
              }
            else
              {
                ok = band_at (&ser[s], i, &lo, &hi);
                v = c == 1 ? lo : hi;
              }
            if (!ok)
              {
                have_prev = FALSE;
                continue;
              }
            double qx = px (f, i), qy = py (f, v);
            if (qx >= x && qx <= x + w && qy >= y && qy <= y + h)
              bad++;
            if (have_prev && segment_hits (prev_x, prev_y, qx, qy, x, y, x + w, y + h))
              bad++;
            prev_x = qx;
            prev_y = qy;
            have_prev = TRUE;
          }
      }
  return bad;
}

static void
rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* The axes' frame, then the ticks with their labels below and to the left. */
static void
draw_frame (cairo_t *cr, const Frame *f, const double *xt, const char (*xlab)[80], int nxt,
            const double *yt, const char (*ylab)[80], int nyt)
{
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, f->left, f->top, f->right - f->left, f->bottom - f->top);
  cairo_stroke (cr);
  for (int k = 0; k < nxt; k++)
    {
      double x = round (px (f, xt[k])) + 0.5;
      cairo_move_to (cr, x, f->bottom);
      cairo_line_to (cr, x, f->bottom + TICK_LEN);
      cairo_stroke (cr);
      show_text (cr, xlab[k], x, f->bottom + TICK_LEN + TICK_PAD, 0.5, 0.0);
    }
  for (int k = 0; k < nyt; k++)
    {
      double y = round (py (f, yt[k])) + 0.5;
      cairo_move_to (cr, f->left, y);
      cairo_line_to (cr, f->left - TICK_LEN, y);
      cairo_stroke (cr);
      show_text (cr, ylab[k], f->left - TICK_LEN - TICK_PAD, y, 1.0, 0.5);
    }
}

static void
draw_legend (cairo_t *cr, const Frame *f, const Series *ser, int n)
{
  const double em = CURVES_FONT;
  const double pad = 0.4 * em, handle = 2.0 * em, gap = 0.8 * em, spacing = 0.5 * em;
  const double inset = 0.5 * em;
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  double row_h = fe.ascent + fe.descent;
  double text_w = 0.0;
  int rows = 0;
  for (int s = 0; s < 2; s++)
    if (ser[s].mean)
      {
        text_w = MAX (text_w, text_width (cr, curve_label[s]));
        rows++;
      }
  if (rows == 0)
    return;
  double w = 2 * pad + handle + gap + text_w;
  double h = 2 * pad + rows * row_h + (rows - 1) * spacing;

  /* matplotlib's loc='best': the first of its candidate places hiding the
   * fewest data points. */
  double l = f->left + inset, r = f->right - inset - w;
  double t = f->top + inset, b = f->bottom - inset - h;
  double cx = (f->left + f->right - w) / 2, cy = (f->top + f->bottom - h) / 2;
  const double cand[10][2] = {
    { r, t }, { l, t }, { l, b }, { r, b }, { r, cy },
    { l, cy }, { r, cy }, { cx, b }, { cx, t }, { cx, cy },
  };
  int best = 0, best_bad = G_MAXINT;
  for (int k = 0; k < 10; k++)
    {
      int bad = legend_badness (f, ser, n, cand[k][0], cand[k][1], w, h);
      if (bad < best_bad)
        {
          best_bad = bad;
          best = k;
        }
    }
  double x = round (cand[best][0]) + 0.5, y = round (cand[best][1]) + 0.5;

  rounded_rect (cr, x, y, w, h, 0.2 * em);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  double yy = y + pad;
  for (int s = 0; s < 2; s++)
    {
      if (!ser[s].mean)
        continue;
      double mid = yy + row_h / 2;
      cairo_set_source_rgb (cr, curve_colour[s].r, curve_colour[s].g, curve_colour[s].b);
      cairo_set_line_width (cr, LINE_WIDTH);
      cairo_move_to (cr, x + pad, round (mid));
      cairo_line_to (cr, x + pad + handle, round (mid));
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      show_text (cr, curve_label[s], x + pad + handle + gap, mid, 0.0, 0.5);
      yy += row_h + spacing;
    }
}

static void
draw_series (cairo_t *cr, const Frame *f, const Series *s, const Rgb *c, int n)
{
  /* The band: one filled polygon per run of usable points. */
  for (int i = 0; s->band && i < n;)
    {
      double lo, hi;
      if (!band_at (s, i, &lo, &hi))
        {
          i++;
          continue;
        }
      int j = i;
      while (j < n && band_at (s, j, &lo, &hi))
        j++;
      if (j - i == 1)
        {
          /* A lone point: a short vertical bar. */
          band_at (s, i, &lo, &hi);
          cairo_move_to (cr, px (f, i), py (f, lo));
          cairo_line_to (cr, px (f, i), py (f, hi));
          cairo_set_source_rgba (cr, c->r, c->g, c->b, 0.5);
          cairo_set_line_width (cr, LINE_WIDTH);
          cairo_stroke (cr);
        }
      else
        {
          for (int k = i; k < j; k++)
            {
              band_at (s, k, &lo, &hi);
              if (k == i)
                cairo_move_to (cr, px (f, k), py (f, hi));
              else
                cairo_line_to (cr, px (f, k), py (f, hi));
            }
          for (int k = j - 1; k >= i; k--)
            {
              band_at (s, k, &lo, &hi);
              cairo_line_to (cr, px (f, k), py (f, lo));
            }
          cairo_close_path (cr);
          cairo_set_source_rgba (cr, c->r, c->g, c->b, 0.5);
          cairo_fill (cr);
        }
      i = j;
    }
}

static void
draw_line (cairo_t *cr, const Frame *f, const Series *s, const Rgb *c, int n)
{
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  for (int i = 0; s->mean && i < n;)
    {
      if (!usable (s->mean[i]))
        {
          i++;
          continue;
        }
      int j = i;
      while (j < n && usable (s->mean[j]))
        j++;
      if (j - i == 1)
        {
          /* A lone point: a dot, since a one-point line draws nothing. */
          cairo_arc (cr, px (f, i), py (f, s->mean[i]), 1.5 * LINE_WIDTH, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      else
        {
          for (int k = i; k < j; k++)
            cairo_line_to (cr, px (f, k), py (f, s->mean[k]));
          cairo_stroke (cr);
        }
      i = j;
    }
}

gboolean
somaif_figure_curves (const char *path, int n_points, const double *acc_mean,
                      const double *acc_band, const double *comp_mean,
                      const double *comp_band, GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  int n = MAX (n_points, 0);
  /* Missing arrays draw nothing (with n_points 0, all may be NULL). */
  Series ser[2] = { { acc_mean, acc_mean ? acc_band : NULL },
                    { comp_mean, comp_mean ? comp_band : NULL } };

  /* Data limits: over everything drawable. */
  double y0 = G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  for (int s = 0; s < 2; s++)
    for (int i = 0; i < n; i++)
      {
        double lo, hi;
        if (ser[s].mean && usable (ser[s].mean[i]))
          {
            y0 = MIN (y0, ser[s].mean[i]);
            y1 = MAX (y1, ser[s].mean[i]);
          }
        if (band_at (&ser[s], i, &lo, &hi))
          {
            y0 = MIN (y0, MIN (lo, hi));
            y1 = MAX (y1, MAX (lo, hi));
          }
      }
  if (y0 > y1)
    {
      y0 = 0.0;
      y1 = 1.0;
    }
  double x0 = 0.0, x1 = n > 1 ? n - 1 : 1.0;
  if (n == 1)
    x0 = -1.0;
  pad_range (&x0, &x1);
  pad_range (&y0, &y1);

  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, CURVES_W,
                                                         CURVES_H);
  if (!check_surface (surface, path, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  set_font (cr, CURVES_FONT, FALSE);
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  double text_h = fe.ascent + fe.descent;

  /* Ticks: x at whole iterations. */
  double xt[MAX_TICKS], yt[MAX_TICKS];
  double xstep = nice_step (x1 - x0, 8, 1.0), ystep = nice_step (y1 - y0, 7, 0.0);
  int nxt = ticks_in (x0, x1, xstep, xt), nyt = ticks_in (y0, y1, ystep, yt);
  char ylab[MAX_TICKS][80], xlab[MAX_TICKS][80];
  double ymax_abs = MAX (fabs (y0), fabs (y1)), xmax_abs = MAX (fabs (x0), fabs (x1));
  double ylab_w = 0.0;
  for (int k = 0; k < nyt; k++)
    {
      format_tick (ylab[k], sizeof ylab[k], yt[k], ystep, ymax_abs);
      ylab_w = MAX (ylab_w, text_width (cr, ylab[k]));
    }
  for (int k = 0; k < nxt; k++)
    format_tick (xlab[k], sizeof xlab[k], xt[k], xstep, xmax_abs);

  /* The plot area leaves room for the labels it needs. */
  Frame f = { x0, x1, y0, y1, 0, 0, 0, 0 };
  f.left = round (12.0 + ylab_w + TICK_PAD + TICK_LEN) + 0.5;
  f.right = CURVES_W - 14.5;
  f.top = 12.5;
  f.bottom = round (CURVES_H - (8.0 + text_h + 5.0 + text_h + TICK_PAD + TICK_LEN)) + 0.5;

  /* Data first (bands under both lines, as fill_between's zorder), clipped. */
  cairo_save (cr);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_clip (cr);
  for (int s = 0; s < 2; s++)
    draw_series (cr, &f, &ser[s], &curve_colour[s], n);
  for (int s = 0; s < 2; s++)
    draw_line (cr, &f, &ser[s], &curve_colour[s], n);
  cairo_restore (cr);

  draw_frame (cr, &f, xt, (const char (*)[80]) xlab, nxt, yt, (const char (*)[80]) ylab, nyt);
  show_text (cr, "Training iteration", (f.left + f.right) / 2,
             f.bottom + TICK_LEN + TICK_PAD + text_h + 5.0, 0.5, 0.0);

  draw_legend (cr, &f, ser, n);

  cairo_destroy (cr);
  gboolean ok = check_surface (surface, path, error) && write_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* The repertoire: one tile per map unit                                    */
/* ------------------------------------------------------------------------ */

#define TILE_TARGET 192     /* pixels a tile side aims at (64 x 3) */
#define TILE_MAX_SCALE 8
#define TILE_GAP 12
#define TILE_MARGIN 12
#define TITLE_FONT 18.0
#define LABEL_FONT 12.0
#define MAX_SIDE 32767      /* cairo's largest image surface */
#define MAX_PIXELS (1 << 25) /* 128 MiB of pixels: scale down before that */

static guint8
to_byte (float v)
{
  /* NaN shows as paper rather than ink. */
  if (!(v >= 0.0f))
    return v < 0.0f ? 0 : 255;
  if (v >= 1.0f)
    return 255;
  return (guint8) lrintf (v * 255.0f);
}

/* The size of a tile sheet and its tiles' scale: the largest scale up to
 * the target that keeps the picture a sane size. */
static int
tiles_size (int rows, int cols, int width, int height, gboolean has_title, gint64 *img_w,
            gint64 *img_h)
{
  double title_h = has_title ? ceil (TITLE_FONT * 1.2) + 8.0 : 0.0;
  double label_h = ceil (LABEL_FONT * 1.2) + 2.0;
  int scale = CLAMP (TILE_TARGET / MAX (width, height), 1, TILE_MAX_SCALE);
  for (;; scale--)
    {
      *img_w = 2 * TILE_MARGIN + (gint64) cols * width * scale + (gint64) (cols - 1) * TILE_GAP;
      *img_h = 2 * TILE_MARGIN + (gint64) title_h
               + (gint64) rows * ((gint64) height * scale + (gint64) label_h)
               + (gint64) (rows - 1) * TILE_GAP;
      if (scale == 1
          || (*img_w <= MAX_SIDE && *img_h <= MAX_SIDE && *img_w * *img_h <= MAX_PIXELS))
        return scale;
    }
}

gint64
somaif_figure_tiles_bytes (int n_units, int rows, int cols, int width, int height,
                           GError **error)
{
  if (rows < 1 || cols < 1 || width < 1 || height < 1 || n_units < 0
      || (gint64) rows * cols < n_units)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%d units do not fit a %d x %d grid of %d x %d tiles", n_units, rows, cols,
                   width, height);
      return -1;
    }
  gint64 img_w, img_h;
  tiles_size (rows, cols, width, height, TRUE, &img_w, &img_h);
  if (img_w > MAX_SIDE || img_h > MAX_SIDE)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "a %d x %d grid of %d x %d tiles is %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   " pixels, more than the %d a side of a picture may have", rows, cols, width,
                   height, img_w, img_h, MAX_SIDE);
      return -1;
    }
  return img_w * img_h * 4;
}

gboolean
somaif_figure_tiles (const char *path, const char *title, int n_units, int rows,
                     int cols, int width, int height, const float *prototypes,
                     const float *drawings, GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  GError *err = NULL;
  if ((n_units > 0 && !prototypes)
      || somaif_figure_tiles_bytes (n_units, rows, cols, width, height, &err) < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "cannot draw '%s': %s", path,
                   err ? err->message : "no prototypes");
      g_clear_error (&err);
      return FALSE;
    }

  gboolean has_title = title && *title;
  double title_h = has_title ? ceil (TITLE_FONT * 1.2) + 8.0 : 0.0;
  double label_h = ceil (LABEL_FONT * 1.2) + 2.0;
  gint64 img_w, img_h;
  int scale = tiles_size (rows, cols, width, height, has_title, &img_w, &img_h);

  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) img_w,
                                                         (int) img_h);
  if (!check_surface (surface, path, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  if (has_title)
    {
      set_font (cr, TITLE_FONT, TRUE);
      /* A title wider than the grid is set smaller rather than cut. */
      double avail = img_w - 2.0 * TILE_MARGIN, tw = text_width (cr, title);
      if (tw > avail)
        cairo_set_font_size (cr, MAX (6.0, TITLE_FONT * avail / tw));
      cairo_set_source_rgb (cr, 0, 0, 0);
      show_text (cr, title, img_w / 2.0, TILE_MARGIN, 0.5, 0.0);
    }

  /* Labels and frames; the pixels go in afterwards, straight into the buffer. */
  set_font (cr, LABEL_FONT, FALSE);
  int tile_w = width * scale, tile_h = height * scale;
  for (int u = 0; u < n_units; u++)
    {
      double x = TILE_MARGIN + (double) (u % cols) * (tile_w + TILE_GAP);
      double y = TILE_MARGIN + title_h + (double) (u / cols) * (tile_h + label_h + TILE_GAP);
      char label[16];
      g_snprintf (label, sizeof label, "%d", u);
      cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
      show_text (cr, label, x, y + label_h - 2.0, 0.0, 1.0);
      cairo_set_source_rgb (cr, 0.6, 0.6, 0.6);
      cairo_set_line_width (cr, 1.0);
      cairo_rectangle (cr, x - 0.5, y + label_h - 0.5, tile_w + 1.0, tile_h + 1.0);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);

  cairo_surface_flush (surface);
  unsigned char *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  gsize plane = (gsize) width * height;
  for (int u = 0; u < n_units; u++)
    {
      int x0 = TILE_MARGIN + (u % cols) * (tile_w + TILE_GAP);
      int y0 = TILE_MARGIN + (int) title_h + (u / cols) * (tile_h + (int) label_h + TILE_GAP)
               + (int) label_h;
      const float *p = prototypes + (gsize) u * plane;
      const float *d = drawings ? drawings + (gsize) u * plane : NULL;
      /* A tile's row of pixels is made once, from its source row, and
         copied to the scale - 1 lines below it. */
      for (int i = 0; i < tile_h; i++)
        {
          guint32 *line = (guint32 *) (void *) (data + (gsize) (y0 + i) * stride) + x0;
          if (i % scale)
            {
              memcpy (line, (guint8 *) line - stride, (gsize) tile_w * sizeof *line);
              continue;
            }
          gsize base = (gsize) (i / scale) * width;
          for (int j = 0; j < width; j++)
            {
              guint8 g = to_byte (p[base + j]);
              /* As the notebook: (R, G, B) = (drawing, prototype, 1). */
              guint8 r = d ? to_byte (d[base + j]) : g;
              guint8 b = d ? 255 : g;
              guint32 px = ((guint32) r << 16) | ((guint32) g << 8) | b;
              for (int k = 0; k < scale; k++)
                line[j * scale + k] = px;
            }
        }
    }
  cairo_surface_mark_dirty (surface);

  gboolean ok = write_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Several labelled curves with bands, in stacked panels (sweep.png)        */
/* ------------------------------------------------------------------------ */

#define PANELS_PLOT_W 640
#define PANELS_PLOT_H 250
#define PANELS_MARGIN 12.0
#define PANELS_MAX 16
#define PANELS_LEGEND_ROWS 60   /* then "... and N more" */
#define PANELS_LABEL_MAX 360.0  /* a longer legend label is cut short */

/* matplotlib's ten default colours, C0 to C9. */
static const Rgb cycle_colour[10] = {
  { 0x1f / 255.0, 0x77 / 255.0, 0xb4 / 255.0 }, { 0xff / 255.0, 0x7f / 255.0, 0x0e / 255.0 },
  { 0x2c / 255.0, 0xa0 / 255.0, 0x2c / 255.0 }, { 0xd6 / 255.0, 0x27 / 255.0, 0x28 / 255.0 },
  { 0x94 / 255.0, 0x67 / 255.0, 0xbd / 255.0 }, { 0x8c / 255.0, 0x56 / 255.0, 0x4b / 255.0 },
  { 0xe3 / 255.0, 0x77 / 255.0, 0xc2 / 255.0 }, { 0x7f / 255.0, 0x7f / 255.0, 0x7f / 255.0 },
  { 0xbc / 255.0, 0xbd / 255.0, 0x22 / 255.0 }, { 0x17 / 255.0, 0xbe / 255.0, 0xcf / 255.0 },
};

/* Curve c's line: colour c mod 10, dashes by c / 10. */
static void
set_cycle_dash (cairo_t *cr, int c)
{
  static const double dashed[] = { 7.0, 4.0 }, dotted[] = { 1.5, 3.0 },
                      dash_dot[] = { 7.0, 3.0, 1.5, 3.0 };
  switch ((c / 10) % 4)
    {
    case 1: cairo_set_dash (cr, dashed, 2, 0.0); break;
    case 2: cairo_set_dash (cr, dotted, 2, 0.0); break;
    case 3: cairo_set_dash (cr, dash_dot, 4, 0.0); break;
    default: cairo_set_dash (cr, NULL, 0, 0.0); break;
    }
}

/* A label no wider than max at the current font: cut short with an
 * ellipsis when it must be. */
static char *
fit_label (cairo_t *cr, const char *label, double max)
{
  if (text_width (cr, label) <= max)
    return g_strdup (label);
  GString *s = g_string_new (label);
  g_string_append (s, "\xe2\x80\xa6");
  while (s->len > 3 && text_width (cr, s->str) > max)
    {
      /* Drop the last character before the ellipsis. */
      gsize keep = s->len - 3;
      const char *prev = g_utf8_find_prev_char (s->str, s->str + keep);
      gsize at = prev ? (gsize) (prev - s->str) : 0;
      g_string_erase (s, (gssize) at, (gssize) (keep - at));
    }
  return g_string_free (s, FALSE);
}

/* The panels' figure, measured before it is drawn. */
typedef struct
{
  int n_panels, n_curves;
  const int *n_points;
  const double *const *mean, *const *band;
  double x0, x1, y0[PANELS_MAX], y1[PANELS_MAX];
  double xt[MAX_TICKS], yt[PANELS_MAX][MAX_TICKS];
  char xlab[MAX_TICKS][80], ylab[PANELS_MAX][MAX_TICKS][80];
  int nxt, nyt[PANELS_MAX];
  double text_h, ylab_w, label_w, title_h;
  int rows;             /* legend rows naming a curve */
  gboolean more;        /* and a row "... and N more" */
  char **labels;
  char *title_text;     /* NULL: no title */
  double left, top0, panel_step, legend_w, legend_h;
} Panels;

/* The x range (the longest curve) and each panel's y range over everything
 * drawable in it. */
static void
panels_ranges (Panels *pl)
{
  int n_max = 0;
  for (int c = 0; c < pl->n_curves; c++)
    n_max = MAX (n_max, pl->n_points[c]);
  pl->x0 = n_max == 1 ? -1.0 : 0.0;
  pl->x1 = n_max > 1 ? n_max - 1 : 1.0;
  pad_range (&pl->x0, &pl->x1);
  for (int p = 0; p < pl->n_panels; p++)
    {
      double y0 = G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
      for (int c = 0; c < pl->n_curves; c++)
        {
          int k = p * pl->n_curves + c;
          Series s = { pl->mean[k], pl->band ? pl->band[k] : NULL };
          for (int i = 0; s.mean && i < pl->n_points[c]; i++)
            {
              double lo, hi;
              if (usable (s.mean[i]))
                y0 = MIN (y0, s.mean[i]), y1 = MAX (y1, s.mean[i]);
              if (band_at (&s, i, &lo, &hi))
                y0 = MIN (y0, MIN (lo, hi)), y1 = MAX (y1, MAX (lo, hi));
            }
        }
      if (y0 > y1)
        y0 = 0.0, y1 = 1.0;
      pad_range (&y0, &y1);
      pl->y0[p] = y0;
      pl->y1[p] = y1;
    }
}

static void
panels_ticks (Panels *pl, cairo_t *cr)
{
  double xstep = nice_step (pl->x1 - pl->x0, 8, 1.0);
  pl->nxt = ticks_in (pl->x0, pl->x1, xstep, pl->xt);
  for (int k = 0; k < pl->nxt; k++)
    format_tick (pl->xlab[k], sizeof pl->xlab[k], pl->xt[k], xstep,
                 MAX (fabs (pl->x0), fabs (pl->x1)));
  pl->ylab_w = 0.0;
  for (int p = 0; p < pl->n_panels; p++)
    {
      double ystep = nice_step (pl->y1[p] - pl->y0[p], 6, 0.0);
      pl->nyt[p] = ticks_in (pl->y0[p], pl->y1[p], ystep, pl->yt[p]);
      for (int k = 0; k < pl->nyt[p]; k++)
        {
          format_tick (pl->ylab[p][k], sizeof pl->ylab[p][k], pl->yt[p][k], ystep,
                       MAX (fabs (pl->y0[p]), fabs (pl->y1[p])));
          pl->ylab_w = MAX (pl->ylab_w, text_width (cr, pl->ylab[p][k]));
        }
    }
}

/* Measures the text on a scratch surface to size the picture. */
static void
panels_measure (Panels *pl, const char *title, const char *const *curve_labels)
{
  cairo_surface_t *scratch = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t *cr = cairo_create (scratch);
  set_font (cr, CURVES_FONT, FALSE);
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  pl->text_h = fe.ascent + fe.descent;
  panels_ticks (pl, cr);
  pl->rows = MIN (pl->n_curves, PANELS_LEGEND_ROWS);
  pl->more = pl->n_curves > pl->rows;
  pl->labels = g_new0 (char *, pl->rows + 2);
  pl->label_w = 0.0;
  for (int c = 0; c < pl->rows; c++)
    {
      pl->labels[c] = fit_label (cr, curve_labels && curve_labels[c] ? curve_labels[c] : "",
                                 PANELS_LABEL_MAX);
      pl->label_w = MAX (pl->label_w, text_width (cr, pl->labels[c]));
    }
  if (pl->more)
    {
      pl->labels[pl->rows] = g_strdup_printf ("\xe2\x80\xa6 and %d more",
                                              pl->n_curves - pl->rows);
      pl->label_w = MAX (pl->label_w, text_width (cr, pl->labels[pl->rows]));
    }
  pl->title_h = 0.0;
  if (title && *title)
    {
      set_font (cr, TITLE_FONT, TRUE);
      pl->title_text = fit_label (cr, title, PANELS_PLOT_W);
      pl->title_h = ceil (TITLE_FONT * 1.2) + 8.0;
    }
  cairo_destroy (cr);
  cairo_surface_destroy (scratch);
}

static void
panels_draw_panel (cairo_t *cr, const Panels *pl, int p, const char *const *panel_labels)
{
  int n_curves = pl->n_curves;
  Frame f = { pl->x0, pl->x1, pl->y0[p], pl->y1[p], pl->left, pl->left + PANELS_PLOT_W,
              pl->top0 + p * pl->panel_step, pl->top0 + p * pl->panel_step + PANELS_PLOT_H };
  cairo_save (cr);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_clip (cr);
  /* Bands first, lighter than curves.png's since they overlap. */
  for (int c = 0; pl->band && c < n_curves; c++)
    {
      Series s = { pl->mean[p * n_curves + c], pl->band[p * n_curves + c] };
      if (!s.mean || !s.band)
        continue;
      cairo_push_group (cr);
      draw_series (cr, &f, &s, &cycle_colour[c % 10], pl->n_points[c]);
      cairo_pop_group_to_source (cr);
      cairo_paint_with_alpha (cr, 0.45);
    }
  for (int c = 0; c < n_curves; c++)
    {
      Series s = { pl->mean[p * n_curves + c], NULL };
      set_cycle_dash (cr, c);
      draw_line (cr, &f, &s, &cycle_colour[c % 10], pl->n_points[c]);
    }
  cairo_set_dash (cr, NULL, 0, 0.0);
  cairo_restore (cr);

  draw_frame (cr, &f, pl->xt, (const char (*)[80]) pl->xlab, pl->nxt, pl->yt[p],
              (const char (*)[80]) pl->ylab[p], pl->nyt[p]);
  if (panel_labels && panel_labels[p])
    {
      cairo_save (cr);
      cairo_translate (cr, PANELS_MARGIN, (f.top + f.bottom) / 2);
      cairo_rotate (cr, -G_PI / 2);
      show_text (cr, panel_labels[p], 0.0, 0.0, 0.5, 0.0);
      cairo_restore (cr);
    }
  if (p == pl->n_panels - 1)
    show_text (cr, "Training iteration", (f.left + f.right) / 2,
               f.bottom + TICK_LEN + TICK_PAD + pl->text_h + 5.0, 0.5, 0.0);
}

static void
panels_draw_legend (cairo_t *cr, const Panels *pl)
{
  const double em = CURVES_FONT, pad = 0.4 * em, handle = 2.0 * em, gap = 0.8 * em;
  double row_h = pl->text_h + 0.4 * em;
  double x = round (pl->left + PANELS_PLOT_W + 20.0) + 0.5, y = pl->top0;
  rounded_rect (cr, x, y, pl->legend_w, pl->legend_h, 0.2 * em);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
  for (int c = 0; c < pl->rows + (pl->more ? 1 : 0); c++)
    {
      double mid = y + pad + c * row_h + row_h / 2;
      if (c < pl->rows)
        {
          const Rgb *col = &cycle_colour[c % 10];
          cairo_set_source_rgba (cr, col->r, col->g, col->b, 0.225);
          cairo_rectangle (cr, x + pad, mid - 0.3 * em, handle, 0.6 * em);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, col->r, col->g, col->b);
          cairo_set_line_width (cr, LINE_WIDTH);
          set_cycle_dash (cr, c);
          cairo_move_to (cr, x + pad, round (mid));
          cairo_line_to (cr, x + pad + handle, round (mid));
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0.0);
        }
      cairo_set_source_rgb (cr, 0, 0, 0);
      show_text (cr, pl->labels[c], x + pad + handle + gap, mid, 0.0, 0.5);
    }
}

/* The picture's size, the panels' origin and the legend's box. */
static void
panels_place (Panels *pl, double *width, double *height)
{
  const double em = CURVES_FONT, pad = 0.4 * em, handle = 2.0 * em, gap = 0.8 * em;
  double row_h = pl->text_h + 0.4 * em;
  int legend_rows = pl->rows + (pl->more ? 1 : 0);
  pl->legend_w = legend_rows ? 2 * pad + handle + gap + pl->label_w : 0.0;
  pl->legend_h = legend_rows ? 2 * pad + legend_rows * row_h : 0.0;
  pl->left = round (PANELS_MARGIN + pl->text_h + 8.0 + pl->ylab_w + TICK_PAD + TICK_LEN) + 0.5;
  pl->panel_step = PANELS_PLOT_H + TICK_LEN + TICK_PAD + pl->text_h + 14.0;
  pl->top0 = round (PANELS_MARGIN + pl->title_h) + 0.5;
  *width = pl->left + PANELS_PLOT_W + (legend_rows ? 20.0 + pl->legend_w : 0.0)
           + PANELS_MARGIN;
  *height = MAX (pl->top0 + pl->n_panels * pl->panel_step + pl->text_h + PANELS_MARGIN,
                 pl->top0 + pl->legend_h + PANELS_MARGIN);
}

gboolean
somaif_figure_curve_panels (const char *path, const char *title, int n_panels,
                            const char *const *panel_labels, int n_curves,
                            const char *const *curve_labels, const int *n_points,
                            const double *const *mean, const double *const *band,
                            GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (n_panels < 1 || n_panels > PANELS_MAX || n_curves < 0
      || (n_curves > 0 && (!n_points || !mean)))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "cannot draw '%s': %d panels of %d curves", path, n_panels, n_curves);
      return FALSE;
    }
  Panels *pl = g_new0 (Panels, 1);
  pl->n_panels = n_panels;
  pl->n_curves = n_curves;
  pl->n_points = n_points;
  pl->mean = mean;
  pl->band = band;
  panels_ranges (pl);
  panels_measure (pl, title, curve_labels);
  double width, height;
  panels_place (pl, &width, &height);

  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) ceil (width),
                                                         (int) ceil (height));
  gboolean ok = check_surface (surface, path, error);
  if (ok)
    {
      cairo_t *cr = cairo_create (surface);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      if (pl->title_text)
        {
          set_font (cr, TITLE_FONT, TRUE);
          cairo_set_source_rgb (cr, 0, 0, 0);
          show_text (cr, pl->title_text, pl->left + PANELS_PLOT_W / 2.0, PANELS_MARGIN, 0.5,
                     0.0);
        }
      set_font (cr, CURVES_FONT, FALSE);
      for (int p = 0; p < n_panels; p++)
        panels_draw_panel (cr, pl, p, panel_labels);
      if (pl->rows + (pl->more ? 1 : 0))
        panels_draw_legend (cr, pl);
      cairo_destroy (cr);
      ok = check_surface (surface, path, error) && write_png (surface, path, error);
    }
  cairo_surface_destroy (surface);
  g_strfreev (pl->labels);
  g_free (pl->title_text);
  g_free (pl);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* A summary column against a varied key                                    */
/* ------------------------------------------------------------------------ */

#define COLUMN_W 640
#define COLUMN_H 420
#define COLUMN_LEGEND_ROWS 12

/* The x position drawn: log10 x on a log axis. */
static double
column_x (double x, gboolean log_x)
{
  return log_x ? log10 (x) : x;
}

/* Log-axis ticks: the data's own x values (sorted, distinct), every k-th
 * one so that their labels do not touch.  Returns how many. */
static int
column_log_ticks (cairo_t *cr, int n, const double *x, double width, double span,
                  double *t, char (*lab)[80])
{
  double v[MAX_TICKS];
  int nv = 0;
  for (int i = 0; i < n && nv < MAX_TICKS; i++)
    {
      int at = 0;
      while (at < nv && v[at] < x[i])
        at++;
      if (at < nv && v[at] == x[i])
        continue;
      memmove (v + at + 1, v + at, (size_t) (nv - at) * sizeof (double));
      v[at] = x[i];
      nv++;
    }
  for (int every = 1;; every++)
    {
      int nt = 0;
      double last_right = -G_MAXDOUBLE;
      gboolean fits = TRUE;
      for (int i = 0; i < nv; i += every)
        {
          g_snprintf (lab[nt], 80, "%g", v[i]);
          t[nt] = log10 (v[i]);
          double centre = t[nt] / span * width, half = text_width (cr, lab[nt]) / 2 + 4.0;
          fits = fits && centre - half > last_right;
          last_right = centre + half;
          nt++;
        }
      if (fits || every >= nv)
        return nt;
    }
}

/* Each line's points joined, with their 95% error bars, clipped to f. */
static void
column_lines (cairo_t *cr, const Frame *fr, gboolean log_x, int n_lines, int n_points,
              const double *x, const double *mean, const double *band)
{
  const Frame f = *fr;
  cairo_save (cr);
  cairo_rectangle (cr, f.left, f.top, f.right - f.left, f.bottom - f.top);
  cairo_clip (cr);
  for (int l = 0; l < n_lines; l++)
    {
      const Rgb *c = &cycle_colour[l % 10];
      const double *m = mean + l * n_points, *b = band ? band + l * n_points : NULL;
      cairo_set_source_rgb (cr, c->r, c->g, c->b);
      cairo_set_line_width (cr, LINE_WIDTH);
      set_cycle_dash (cr, l);
      cairo_new_path (cr);
      for (int i = 0; i < n_points; i++)
        if (usable (m[i]))
          cairo_line_to (cr, px (&f, column_x (x[i], log_x)), py (&f, m[i]));
        else
          cairo_new_sub_path (cr);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0.0);
      for (int i = 0; i < n_points; i++)
        {
          double cx = px (&f, column_x (x[i], log_x));
          Series s = { m, b };
          double lo, hi;
          if (band_at (&s, i, &lo, &hi))
            {
              /* the 95% interval as an error bar with caps */
              cairo_move_to (cr, cx, py (&f, lo));
              cairo_line_to (cr, cx, py (&f, hi));
              cairo_move_to (cr, cx - 4, py (&f, lo));
              cairo_line_to (cr, cx + 4, py (&f, lo));
              cairo_move_to (cr, cx - 4, py (&f, hi));
              cairo_line_to (cr, cx + 4, py (&f, hi));
              cairo_set_line_width (cr, 1.0);
              cairo_stroke (cr);
            }
          if (usable (m[i]))
            {
              cairo_arc (cr, cx, py (&f, m[i]), 1.5 * LINE_WIDTH, 0, 2 * G_PI);
              cairo_fill (cr);
            }
        }
    }
  cairo_restore (cr);
}

/* The padded data limits of the points and their bands. */
static void
column_range (gboolean log_x, int n, int n_points, const double *x, const double *mean,
              const double *band, double *px0, double *px1, double *py0, double *py1)
{
  double x0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y0 = G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  for (int i = 0; i < n_points; i++)
    {
      x0 = MIN (x0, column_x (x[i], log_x));
      x1 = MAX (x1, column_x (x[i], log_x));
    }
  for (int i = 0; i < n; i++)
    {
      Series s = { mean, band };
      double lo, hi;
      if (usable (mean[i]))
        y0 = MIN (y0, mean[i]), y1 = MAX (y1, mean[i]);
      if (band_at (&s, i, &lo, &hi))
        y0 = MIN (y0, lo), y1 = MAX (y1, hi);
    }
  if (y0 > y1)
    y0 = 0.0, y1 = 1.0;
  pad_range (&x0, &x1);
  pad_range (&y0, &y1);
  *px0 = x0, *px1 = x1, *py0 = y0, *py1 = y1;
}

gboolean
somaif_figure_column (const char *path, const char *title, const char *x_label,
                      const char *y_label, gboolean log_x, int n_lines,
                      const char *const *line_labels, int n_points, const double *x,
                      const double *mean, const double *band, GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  int n = n_lines * n_points;
  gboolean x_ok = n_lines >= 1 && n_points >= 1 && n_points <= MAX_TICKS && x && mean;
  for (int i = 0; x_ok && i < n_points; i++)
    x_ok = usable (x[i]) && (!log_x || x[i] > 0.0);
  if (!x_ok)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "cannot draw '%s': %d lines of %d points%s", path, n_lines, n_points,
                   log_x ? " (a log axis needs x > 0)" : "");
      return FALSE;
    }

  double x0, x1, y0, y1;
  column_range (log_x, n, n_points, x, mean, band, &x0, &x1, &y0, &y1);

  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, COLUMN_W, COLUMN_H);
  if (!check_surface (surface, path, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  set_font (cr, CURVES_FONT, FALSE);
  cairo_font_extents_t fe;
  cairo_font_extents (cr, &fe);
  double text_h = fe.ascent + fe.descent, title_h = title && *title ? ceil (TITLE_FONT * 1.2) + 8.0 : 0.0;

  double xt[MAX_TICKS], yt[MAX_TICKS];
  char xlab[MAX_TICKS][80], ylab[MAX_TICKS][80];
  double ystep = nice_step (y1 - y0, 7, 0.0), ylab_w = 0.0;
  int nyt = ticks_in (y0, y1, ystep, yt), nxt;
  for (int k = 0; k < nyt; k++)
    {
      format_tick (ylab[k], sizeof ylab[k], yt[k], ystep, MAX (fabs (y0), fabs (y1)));
      ylab_w = MAX (ylab_w, text_width (cr, ylab[k]));
    }
  Frame f = { x0, x1, y0, y1, 0, 0, 0, 0 };
  f.left = round (12.0 + text_h + 8.0 + ylab_w + TICK_PAD + TICK_LEN) + 0.5;
  f.right = COLUMN_W - 14.5;
  f.top = round (12.0 + title_h) + 0.5;
  f.bottom = round (COLUMN_H - (8.0 + text_h + 5.0 + text_h + TICK_PAD + TICK_LEN)) + 0.5;
  if (log_x)
    nxt = column_log_ticks (cr, n_points, x, f.right - f.left, x1 - x0, xt, xlab);
  else
    {
      double xstep = nice_step (x1 - x0, 8, 0.0);
      nxt = ticks_in (x0, x1, xstep, xt);
      for (int k = 0; k < nxt; k++)
        format_tick (xlab[k], sizeof xlab[k], xt[k], xstep, MAX (fabs (x0), fabs (x1)));
    }

  column_lines (cr, &f, log_x, n_lines, n_points, x, mean, band);

  draw_frame (cr, &f, xt, (const char (*)[80]) xlab, nxt, yt, (const char (*)[80]) ylab, nyt);
  cairo_set_source_rgb (cr, 0, 0, 0);
  g_autofree char *xl = g_strdup_printf ("%s%s", x_label ? x_label : "", log_x ? " (log scale)" : "");
  show_text (cr, xl, (f.left + f.right) / 2, f.bottom + TICK_LEN + TICK_PAD + text_h + 5.0, 0.5,
             0.0);
  if (y_label)
    {
      cairo_save (cr);
      cairo_translate (cr, 12.0, (f.top + f.bottom) / 2);
      cairo_rotate (cr, -G_PI / 2);
      show_text (cr, y_label, 0.0, 0.0, 0.5, 0.0);
      cairo_restore (cr);
    }
  if (title_h > 0.0)
    {
      set_font (cr, TITLE_FONT, TRUE);
      g_autofree char *t = fit_label (cr, title, f.right - f.left);
      show_text (cr, t, (f.left + f.right) / 2, 12.0, 0.5, 0.0);
      set_font (cr, CURVES_FONT, FALSE);
    }
  /* with several lines, their labels at the top right, in their colours */
  for (int l = 0; n_lines > 1 && line_labels && l < MIN (n_lines, COLUMN_LEGEND_ROWS); l++)
    {
      const Rgb *c = &cycle_colour[l % 10];
      cairo_set_source_rgb (cr, c->r, c->g, c->b);
      g_autofree char *t = fit_label (cr, line_labels[l] ? line_labels[l] : "", 260.0);
      show_text (cr, t, f.right - 8.0, f.top + 6.0 + l * (text_h + 2.0), 1.0, 0.0);
    }

  cairo_destroy (cr);
  gboolean ok = check_surface (surface, path, error) && write_png (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}
