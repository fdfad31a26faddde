/* chain-targets.c: letters, images and pen points as targets of chains. */
#include "config.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "chain.h"
#include "chain-targets.h"
#include "hershey.h"
#include "readfile.h"

void
somaif_strokes_free (SomaifStrokes *s)
{
  if (!s)
    return;
  g_free (s->start);
  g_free (s->xy);
  g_free (s);
}

int
somaif_target_kind (const char *target, GError **error)
{
  if (g_utf8_validate (target, -1, NULL) && g_utf8_strlen (target, -1) == 1)
    return SOMAIF_TARGET_LETTER;
  g_autofree char *lower = g_ascii_strdown (target, -1);
  if (g_str_has_suffix (lower, ".png"))
    return SOMAIF_TARGET_PNG;
  if (g_str_has_suffix (lower, ".csv"))
    return SOMAIF_TARGET_CSV;
  g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT,
               "target '%s': a target is one letter, a .png image or a .csv of pen points",
               target);
  return -1;
}

gboolean
somaif_strokes_draw (const SomaifRenderer *renderer, const void *self,
                     const SomaifStrokes *strokes, float *image, GError **error)
{
  int n = renderer->width (self) * renderer->height (self);
  float *one = g_new (float, n);
  gboolean ok = TRUE;
  for (int p = 0; p < n; p++)
    image[p] = 1.0f;
  for (int s = 0; ok && s < strokes->n_strokes; s++)
    {
      int a = strokes->start[s], b = strokes->start[s + 1];
      ok = renderer->draw (self, b - a, strokes->xy + 2 * (gsize) a, one) == 0;
      for (int p = 0; ok && p < n; p++)
        image[p] *= one[p];
    }
  if (!ok)
    g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_PLUGIN,
                 "renderer plugin '%s' failed to draw a target: %s", renderer->head.name,
                 renderer->head.error_message ? renderer->head.error_message (self) : "");
  g_free (one);
  return ok;
}

/* ------------------------------------------------------------------ */
/* CSV pen points                                                       */

static gboolean
csv_fail (GError **error, const char *path, int line, const char *why)
{
  g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT, "%s:%d: %s", path, line,
               why);
  return FALSE;
}

/* Adds the row "x,y" to points, or fails. */
static gboolean
csv_point (const char *row, GArray *points, const char *path, int line, GError **error)
{
  g_auto (GStrv) f = g_strsplit (row, ",", -1);
  double v[2];
  if (g_strv_length (f) != 2)
    return csv_fail (error, path, line, "expected two numbers x,y (paper units), or "
                     "'lift' or an empty line to lift the pen");
  for (int i = 0; i < 2; i++)
    {
      char *end;
      g_strstrip (f[i]);
      v[i] = g_ascii_strtod (f[i], &end);
      if (!f[i][0] || *end || !isfinite (v[i]))
        return csv_fail (error, path, line, "a coordinate is not a finite number");
    }
  g_array_append_vals (points, v, 2);
  return TRUE;
}

SomaifStrokes *
somaif_strokes_from_csv (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  GError *err = NULL;
  if (!somaif_read_file (path, "pen points file", SOMAIF_MAX_CONFIG_BYTES, &text, NULL, &err))
    {
      g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT, "%s", err->message);
      g_error_free (err);
      return NULL;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *start = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean ok = TRUE, lifted = TRUE;
  for (int i = 0; ok && lines[i]; i++)
    {
      char *row = g_strstrip (lines[i]);
      if (row[0] == '#' || (i == 0 && g_ascii_strcasecmp (row, "x,y") == 0))
        continue;
      if (!row[0] || strcmp (row, "lift") == 0)
        {
          lifted = TRUE;
          continue;
        }
      int at = (int) (xy->len / 2);
      if (lifted)
        g_array_append_val (start, at);
      lifted = FALSE;
      ok = csv_point (row, xy, path, i + 1, error);
    }
  if (ok && xy->len < 4)
    ok = csv_fail (error, path, 1, "no stroke: at least two points x,y are needed");
  if (!ok)
    {
      g_array_free (xy, TRUE);
      g_array_free (start, TRUE);
      return NULL;
    }
  SomaifStrokes *s = g_new0 (SomaifStrokes, 1);
  s->n_points = (int) (xy->len / 2);
  s->n_strokes = (int) start->len;
  g_array_append_val (start, s->n_points);
  s->start = (int *) (void *) g_array_free (start, FALSE);
  s->xy = (double *) (void *) g_array_free (xy, FALSE);
  return s;
}

/* ------------------------------------------------------------------ */
/* Letters                                                              */

static double
jitter (SomaifRng *rng, double range)
{
  return rng ? (2.0 * somaif_rng_uniform (rng) - 1.0) * range : 0.0;
}

SomaifStrokes *
somaif_strokes_from_glyph (const void *glyph_data, const SomaifTargetOptions *opt,
                           SomaifRng *rng)
{
  const SomaifGlyph *g = glyph_data;
  int xmin = G_MAXINT, xmax = G_MININT, ymin = G_MAXINT, ymax = G_MININT;
  for (int i = 0; i < g->n_points; i++)
    {
      xmin = MIN (xmin, g->points[2 * i]);
      xmax = MAX (xmax, g->points[2 * i]);
      ymin = MIN (ymin, g->points[2 * i + 1]);
      ymax = MAX (ymax, g->points[2 * i + 1]);
    }
  double cx = 0.5 * (xmin + xmax), cy = 0.5 * (ymin + ymax);
  double k = opt->size / 32.0 * (1.0 + jitter (rng, opt->scale_jitter));
  double th = jitter (rng, opt->rotation_jitter), sh = jitter (rng, opt->shear_jitter);
  double tx = opt->x + jitter (rng, opt->shift_jitter);
  double ty = opt->y + jitter (rng, opt->shift_jitter);
  SomaifStrokes *s = g_new0 (SomaifStrokes, 1);
  s->n_strokes = g->n_strokes;
  s->start = g_memdup2 (g->stroke_start, ((gsize) g->n_strokes + 1) * sizeof (int));
  s->n_points = g->n_points;
  s->xy = g_new (double, 2 * (gsize) g->n_points);
  for (int i = 0; i < g->n_points; i++)
    {
      /* Font y grows downwards; the paper's upwards. */
      double u = g->points[2 * i] - cx, v = -(g->points[2 * i + 1] - cy);
      u += sh * v;
      s->xy[2 * i] = tx + k * (cos (th) * u - sin (th) * v);
      s->xy[2 * i + 1] = ty + k * (sin (th) * u + cos (th) * v);
    }
  return s;
}

/* Loads opt->fonts; fails naming a font that is not Latin or not there. */
static GPtrArray *
load_fonts (const SomaifTargetOptions *opt, GError **error)
{
  GPtrArray *fonts = g_ptr_array_new_with_free_func ((GDestroyNotify) somaif_hershey_free);
  for (int i = 0; opt->fonts[i]; i++)
    {
      if (!somaif_hershey_is_latin (opt->fonts[i]))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) somaif_hershey_latin_fonts);
          g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT,
                       "font '%s' is not one of the Latin Hershey fonts (%s)", opt->fonts[i],
                       list);
          g_ptr_array_free (fonts, TRUE);
          return NULL;
        }
      g_autofree char *file = g_strconcat (opt->fonts[i], ".jhf", NULL);
      g_autofree char *path = g_build_filename (opt->hershey_dir, file, NULL);
      SomaifHersheyFont *f = somaif_hershey_load (path, error);
      if (!f)
        {
          g_prefix_error (error, "the Hershey fonts (Debian's hershey-fonts-data; configure "
                          "--with-hershey-dir, or letters.hershey_dir): ");
          g_ptr_array_free (fonts, TRUE);
          return NULL;
        }
      g_ptr_array_add (fonts, f);
    }
  return fonts;
}

/* A letter's filter: the mean of its jittered samples over the fonts having it. */
static gboolean
letter_filter (const char *letter, int index, GPtrArray *fonts,
               const SomaifTargetOptions *opt, const SomaifRenderer *renderer,
               const void *self, int n_pixels, float *filter, GError **error)
{
  GPtrArray *glyphs = g_ptr_array_new ();
  int c = (unsigned char) letter[0];
  for (guint f = 0; f < fonts->len && !(letter[0] & 0x80); f++)
    {
      const SomaifGlyph *g = somaif_hershey_glyph (g_ptr_array_index (fonts, f), c);
      if (g)
        g_ptr_array_add (glyphs, (gpointer) g);
    }
  if (glyphs->len == 0)
    {
      g_autofree char *list = g_strjoinv (", ", opt->fonts);
      g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT,
                   "letter '%s': no Latin Hershey font has it (fonts: %s)", letter, list);
      g_ptr_array_free (glyphs, TRUE);
      return FALSE;
    }
  SomaifRng rng;
  somaif_rng_init (&rng, opt->seed * 1000003u + (guint64) index);
  float *image = g_new (float, n_pixels);
  double *sum = g_new0 (double, n_pixels);
  gboolean ok = TRUE;
  for (int j = 0; ok && j < opt->samples; j++)
    {
      SomaifStrokes *s = somaif_strokes_from_glyph (g_ptr_array_index (glyphs, j % glyphs->len),
                                                    opt, &rng);
      ok = somaif_strokes_draw (renderer, self, s, image, error);
      for (int p = 0; ok && p < n_pixels; p++)
        sum[p] += image[p];
      somaif_strokes_free (s);
    }
  for (int p = 0; p < n_pixels; p++)
    filter[p] = (float) (sum[p] / opt->samples);
  g_free (image);
  g_free (sum);
  g_ptr_array_free (glyphs, TRUE);
  return ok;
}

/* ------------------------------------------------------------------ */
/* PNG images                                                           */

/* Luminance in [0, 1] of pixel (r, c) of an RGB24 image. */
static double
luminance (const unsigned char *data, int stride, int r, int c)
{
  guint32 px;
  memcpy (&px, data + (gsize) r * stride + 4 * (gsize) c, 4);
  return (0.2126 * ((px >> 16) & 255) + 0.7152 * ((px >> 8) & 255) + 0.0722 * (px & 255))
         / 255.0;
}

gboolean
somaif_target_png (const char *path, int width, int height, double threshold,
                   float *image, GError **error)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT,
                   "%s: not a readable PNG image (%s)", path,
                   cairo_status_to_string (cairo_surface_status (s)));
      cairo_surface_destroy (s);
      return FALSE;
    }
  /* Composite over white paper, then area means into the canvas' pixels. */
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  cairo_surface_t *white = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (white);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_surface (cr, s, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (white);
  const unsigned char *data = cairo_image_surface_get_data (white);
  int stride = cairo_image_surface_get_stride (white);
  double *sum = g_new0 (double, (gsize) width * height);
  double *count = g_new0 (double, (gsize) width * height);
  for (int r = 0; r < h; r++)
    for (int c = 0; c < w; c++)
      {
        gsize q = (gsize) (r * (gint64) height / h) * width + (gsize) (c * (gint64) width / w);
        sum[q] += luminance (data, stride, r, c);
        count[q] += 1.0;
      }
  for (int r = 0; r < height; r++)
    for (int c = 0; c < width; c++)
      {
        gsize q = (gsize) r * width + c;
        /* An image smaller than the canvas: the source pixel under the centre. */
        double lum = count[q] > 0.0 ? sum[q] / count[q]
                     : luminance (data, stride, (int) ((r + 0.5) * h / height),
                                  (int) ((c + 0.5) * w / width));
        image[q] = lum < threshold ? 0.0f : 1.0f;
      }
  g_free (sum);
  g_free (count);
  cairo_surface_destroy (white);
  cairo_surface_destroy (s);
  return TRUE;
}

float *
somaif_targets_filters (char *const *targets, int n, const SomaifTargetOptions *opt,
                        const SomaifRenderer *renderer, const void *self, int width,
                        int height, GError **error)
{
  int n_pixels = width * height;
  float *filters = g_new (float, (gsize) n * n_pixels);
  GPtrArray *fonts = NULL;
  gboolean ok = TRUE;
  for (int t = 0; ok && t < n; t++)
    {
      float *f = filters + (gsize) t * n_pixels;
      int kind = somaif_target_kind (targets[t], error);
      if (kind == SOMAIF_TARGET_LETTER && !fonts)
        ok = (fonts = load_fonts (opt, error)) != NULL;
      if (!ok || kind < 0)
        ok = FALSE;
      else if (kind == SOMAIF_TARGET_LETTER)
        ok = letter_filter (targets[t], t, fonts, opt, renderer, self, n_pixels, f, error);
      else if (kind == SOMAIF_TARGET_PNG)
        ok = somaif_target_png (targets[t], width, height, opt->threshold, f, error);
      else
        {
          SomaifStrokes *s = somaif_strokes_from_csv (targets[t], error);
          ok = s && somaif_strokes_draw (renderer, self, s, f, error);
          somaif_strokes_free (s);
        }
    }
  if (fonts)
    g_ptr_array_free (fonts, TRUE);
  if (!ok)
    {
      g_free (filters);
      return NULL;
    }
  return filters;
}
