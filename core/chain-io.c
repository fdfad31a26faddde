/* chain-io.c: reading a finished run for somaif-chain and writing its outputs. */
#include "config.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chain-io.h"
#include "rundir.h"

static gboolean
input_error (GError **error, const char *format, const char *a, const char *b)
{
  g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT, format, a, b);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Reading a run                                                        */

/* The stream seeds somaif-run hands its parts (experiment.c's derive_seed). */
static guint64
part_seed (guint64 seed, guint64 stream)
{
  guint64 z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Creates part kind with input_size, then restores model/<group>.state. */
static void *
open_part (SomaifChainRun *run, SomaifKind kind, int input_size, GError **error)
{
  SomaifPart *part = &run->cfg->parts[kind - 1];
  const SomaifPluginHead *h = part->plugin->head;
  SomaifSetup setup = { 0 };
  setup.struct_size = sizeof setup;
  setup.seed = part_seed ((guint64) run->cfg->seed, kind);
  setup.config_dir = run->cfg->dir;
  setup.steps = (int) run->cfg->steps;
  setup.epochs = (int) MIN (run->cfg->epochs, G_MAXINT);
  setup.input_size = input_size;
  GError *err = NULL;
  void *self = h->create (&setup, part->params, &err);
  if (!self)
    {
      g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT,
                   "%s: %s plugin '%s' could not start: %s", run->cfg->path, part->group,
                   h->name, err ? err->message : "no reason given");
      g_clear_error (&err);
      return NULL;
    }
  GBytes *state = h->load_state ? somaif_rundir_read_state (run->dir, part->group, &err) : NULL;
  gsize len = 0;
  const guint8 *data = state ? g_bytes_get_data (state, &len) : NULL;
  if (err || (state && h->load_state (self, data, len) != 0))
    {
      g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT,
                   "%s/model/%s.state: %s plugin '%s' refused this state: %s", run->dir,
                   part->group, part->group, h->name,
                   err ? err->message
                   : h->error_message ? h->error_message (self) : "no reason given");
      g_clear_error (&err);
      if (state)
        g_bytes_unref (state);
      h->destroy (self);
      return NULL;
    }
  if (state)
    g_bytes_unref (state);
  return self;
}

static gboolean
open_parts (SomaifChainRun *run, GError **error)
{
  run->gen = (const SomaifGenerator *) run->cfg->parts[0].plugin->head;
  run->plant = (const SomaifPlant *) run->cfg->parts[1].plugin->head;
  run->renderer = (const SomaifRenderer *) run->cfg->parts[2].plugin->head;
  if (!somaif_plant_can_chain (run->plant, run->cfg->parts[1].plugin->path, error))
    return FALSE;
  if (!(run->gen_self = open_part (run, SOMAIF_KIND_GENERATOR, 0, error)))
    return FALSE;
  run->motor_size = run->gen->output_size (run->gen_self);
  if (!(run->plant_self = open_part (run, SOMAIF_KIND_PLANT, run->motor_size, error)))
    return FALSE;
  int point_size = run->plant->point_size (run->plant_self);
  if (!(run->renderer_self = open_part (run, SOMAIF_KIND_RENDERER, point_size, error)))
    return FALSE;
  if (run->gen->state_size (run->gen_self) != run->state_size)
    return input_error (error, "%s: model/initial_states.npy does not fit the run's "
                        "generator%s", run->dir, "");
  return TRUE;
}

SomaifChainRun *
somaif_chain_run_open (const char *dir, GError **error)
{
  SomaifChainRun *run = g_new0 (SomaifChainRun, 1);
  run->dir = g_strdup (dir);
  g_autofree char *cfgpath = g_build_filename (dir, "config.cfg", NULL);
  g_autofree char *model = g_build_filename (dir, "model", NULL);
  g_autofree char *states = g_build_filename (model, "initial_states.npy", NULL);
  int shape[2];
  gboolean ok = FALSE;
  if (!g_file_test (cfgpath, G_FILE_TEST_IS_REGULAR))
    input_error (error, "%s: not a run folder (no config.cfg)%s", dir, "");
  else if (!g_file_test (model, G_FILE_TEST_IS_DIR))
    input_error (error, "%s: not a finished run (no model/: train it to the end with "
                 "somaif-run, or --resume it)%s", dir, "");
  else if ((run->cfg = somaif_config_load (cfgpath, NULL, -1, error))
           && (run->learned = somaif_rundir_read_npy_f32 (states, 2, shape, error)))
    {
      run->units = shape[0];
      run->state_size = shape[1];
      ok = open_parts (run, error);
    }
  if (error && *error && (*error)->domain != SOMAIF_CHAIN_ERROR)
    {
      /* A config that no longer loads is bad input as well. */
      GError *e = *error;
      *error = NULL;
      g_set_error_literal (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT, e->message);
      g_error_free (e);
    }
  if (!ok)
    {
      somaif_chain_run_free (run);
      return NULL;
    }
  return run;
}

void
somaif_chain_run_free (SomaifChainRun *run)
{
  if (!run)
    return;
  if (run->gen_self)
    run->gen->head.destroy (run->gen_self);
  if (run->plant_self)
    run->plant->head.destroy (run->plant_self);
  if (run->renderer_self)
    run->renderer->head.destroy (run->renderer_self);
  somaif_config_free (run->cfg);
  g_free (run->learned);
  g_free (run->dir);
  g_free (run);
}

float *
somaif_chain_run_states (const SomaifChainRun *run, gboolean random, guint64 seed)
{
  gsize n = (gsize) run->units * run->state_size;
  if (!random)
    return g_memdup2 (run->learned, n * sizeof (float));
  float *x = g_new (float, n);
  SomaifRng rng;
  somaif_rng_init (&rng, seed);
  for (gsize i = 0; i < n; i++)
    x[i] = (float) somaif_rng_normal (&rng);
  return x;
}

/* ------------------------------------------------------------------ */
/* Outputs                                                              */

/* Writes a whole file through a temporary file renamed into place. */
static gboolean
write_file (const char *dir, const char *name, const void *data, gsize len, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return somaif_rundir_write (path, data, len, error);
}

/* A target as a CSV field: a file's base name, without commas or quotes. */
static char *
target_label (const char *target)
{
  char *label = g_path_get_basename (target);
  g_strdelimit (label, ",\"\n\r", '_');
  return label;
}

static void
append_num (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (isnan (v))
    g_string_append (s, ",nan");
  else
    g_string_append_printf (s, ",%s", g_ascii_formatd (buf, sizeof buf, "%.9g", v));
}

static gboolean
write_chain_csv (const char *dir, const SomaifChainResult *r, GError **error)
{
  GString *s = g_string_new ("target,step,primitive,G,risk,ambiguity,cross_entropy");
  for (int d = 0; d < r->pose_size; d++)
    g_string_append_printf (s, ",pose_%d", d);
  g_string_append (s, ",pen_x,pen_y");
  for (int k = 0; k < r->n_classes; k++)
    {
      g_autofree char *label = target_label (r->targets[k]);
      g_string_append_printf (s, ",q_%s", label);
    }
  g_string_append_c (s, '\n');
  for (int t = 0; t < r->n_targets; t++)
    {
      g_autofree char *label = target_label (r->targets[t]);
      const SomaifChain *c = r->chains[t];
      for (int k = 0; k < c->length; k++)
        {
          const SomaifScore *sc = &c->scores[k];
          g_string_append_printf (s, "%s,%d,%d", label, k, c->primitives[k]);
          append_num (s, sc->value);
          append_num (s, sc->risk);
          append_num (s, sc->ambiguity);
          append_num (s, sc->cross_entropy);
          for (int d = 0; d < r->pose_size; d++)
            append_num (s, c->poses[(gsize) k * r->pose_size + d]);
          const double *pen = somaif_chain_pen (c, k, r->segment_points);
          append_num (s, pen[0]);
          append_num (s, r->point_size > 1 ? pen[1] : NAN);
          for (int j = 0; j < r->n_classes; j++)
            append_num (s, c->q[(gsize) k * r->n_classes + j]);
          g_string_append_c (s, '\n');
        }
    }
  gboolean ok = write_file (dir, "chain.csv", s->str, s->len, error);
  g_string_free (s, TRUE);
  return ok;
}

/* The index of the largest q (the first of equals). */
static int
argmax (const double *q, int n)
{
  int best = 0;
  for (int k = 1; k < n; k++)
    if (q[k] > q[best])
      best = k;
  return best;
}

static gboolean
write_summary_csv (const char *dir, const SomaifChainResult *r, GError **error)
{
  GString *s = g_string_new ("target,complexity,q_target,recognised,cross_entropy,G,"
                             "primitives\n");
  int C = r->n_classes;
  for (int t = 0; t < r->n_targets; t++)
    {
      g_autofree char *label = target_label (r->targets[t]);
      const SomaifChain *c = r->chains[t];
      const double *q = c->q + (gsize) (c->length - 1) * C;
      const SomaifScore *sc = &c->scores[c->length - 1];
      g_string_append (s, label);
      append_num (s, C >= 2 ? somaif_kl (q, r->preference + (gsize) t * C, C) : NAN);
      append_num (s, q[t]);
      g_string_append_printf (s, ",%d", argmax (q, C) == t);
      append_num (s, sc->cross_entropy);
      append_num (s, sc->value);
      g_string_append_c (s, ',');
      for (int k = 0; k < c->length; k++)
        g_string_append_printf (s, "%s%d", k ? " " : "", c->primitives[k]);
      g_string_append_c (s, '\n');
    }
  gboolean ok = write_file (dir, "chain-summary.csv", s->str, s->len, error);
  g_string_free (s, TRUE);
  return ok;
}

static gboolean
write_npys (const char *dir, const SomaifChainResult *r, GError **error)
{
  int T = r->n_targets, M = r->length, C = r->n_classes;
  int n_points = r->chains[0]->n_points, ps = r->point_size;
  double *points = g_new (double, (gsize) T * n_points * ps);
  double *prims = g_new (double, (gsize) T * M);
  double *q = g_new (double, (gsize) T * M * C);
  for (int t = 0; t < T; t++)
    {
      const SomaifChain *c = r->chains[t];
      memcpy (points + (gsize) t * n_points * ps, c->points, (gsize) n_points * ps * 8);
      memcpy (q + (gsize) t * M * C, c->q, (gsize) M * C * 8);
      for (int k = 0; k < M; k++)
        prims[(gsize) t * M + k] = c->primitives[k];
    }
  g_autofree char *p1 = g_build_filename (dir, "chains-points.npy", NULL);
  g_autofree char *p2 = g_build_filename (dir, "chains-primitives.npy", NULL);
  g_autofree char *p3 = g_build_filename (dir, "chains-q.npy", NULL);
  g_autofree char *p4 = g_build_filename (dir, "class-filters.npy", NULL);
  int s1[3] = { T, n_points, ps }, s2[2] = { T, M }, s3[3] = { T, M, C };
  int s4[3] = { C, r->height, r->width };
  gboolean ok = somaif_rundir_write_npy_f64 (p1, points, 3, s1, error)
                && somaif_rundir_write_npy_f64 (p2, prims, 2, s2, error)
                && somaif_rundir_write_npy_f64 (p3, q, 3, s3, error)
                && somaif_rundir_write_npy_f32 (p4, r->classes->filters, 3, s4, error);
  g_free (points);
  g_free (prims);
  g_free (q);
  return ok;
}

/* matplotlib's ten colours, one a primitive in turn. */
static const double tab10[10][3] = {
  { 0.122, 0.467, 0.706 }, { 1.000, 0.498, 0.055 }, { 0.173, 0.627, 0.173 },
  { 0.839, 0.153, 0.157 }, { 0.580, 0.404, 0.741 }, { 0.549, 0.337, 0.294 },
  { 0.890, 0.467, 0.761 }, { 0.498, 0.498, 0.498 }, { 0.737, 0.741, 0.133 },
  { 0.090, 0.745, 0.812 }
};

#define TILE_SCALE 3
#define LABEL_HEIGHT 22

/* An image tile: base (1 paper, 0 ink) in grey at strength, then each of
 * n_strokes stroke images in its colour over it; drawn at (x, y) scaled up. */
static void
paint_tile (cairo_t *cr, double x, double y, int width, int height, const float *base,
            double strength, const float *strokes, int n_strokes)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_surface_flush (s);
  unsigned char *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  gsize n = (gsize) width * height;
  for (gsize p = 0; p < n; p++)
    {
      double g = 1.0 - strength * (1.0 - base[p]), rgb[3] = { g, g, g };
      for (int k = 0; k < n_strokes; k++)
        {
          double a = 1.0 - strokes[(gsize) k * n + p];
          for (int i = 0; i < 3; i++)
            rgb[i] = rgb[i] * (1.0 - a) + tab10[k % 10][i] * a;
        }
      guint32 px = ((guint32) (rgb[0] * 255.0 + 0.5) << 16)
                   | ((guint32) (rgb[1] * 255.0 + 0.5) << 8) | (guint32) (rgb[2] * 255.0 + 0.5);
      memcpy (data + (p / width) * stride + 4 * (p % width), &px, 4);
    }
  cairo_surface_mark_dirty (s);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, TILE_SCALE, TILE_SCALE);
  cairo_set_source_surface (cr, s, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (s);
}

static void
label (cairo_t *cr, double x, double y, const char *text)
{
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, text);
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
write_png (const char *dir, const char *name, cairo_surface_t *s, GError **error)
{
  GByteArray *bytes = g_byte_array_new ();
  cairo_status_t st = cairo_surface_write_to_png_stream (s, append_bytes, bytes);
  gboolean ok = st == CAIRO_STATUS_SUCCESS;
  if (!ok)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s/%s: %s", dir, name,
                 cairo_status_to_string (st));
  ok = ok && write_file (dir, name, bytes->data, bytes->len, error);
  g_byte_array_unref (bytes);
  return ok;
}

static cairo_t *
new_figure (int w, int h, cairo_surface_t **s)
{
  *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (*s);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 13);
  return cr;
}

/* chains.png: a column a target: its filter above, its drawing below (over
 * the filter, faint) with each primitive's stroke in its own colour. */
static gboolean
write_chains_png (const char *dir, const SomaifChainResult *r, GError **error)
{
  int tw = r->width * TILE_SCALE, th = r->height * TILE_SCALE, gap = 10;
  int colw = tw + gap, rowh = th + LABEL_HEIGHT + gap, C = r->n_classes;
  gsize n = (gsize) r->width * r->height;
  cairo_surface_t *s;
  cairo_t *cr = new_figure (r->n_targets * colw + gap, 2 * rowh + gap, &s);
  for (int t = 0; t < r->n_targets; t++)
    {
      const SomaifChain *c = r->chains[t];
      const double *q = c->q + (gsize) (c->length - 1) * C;
      double x = gap + t * colw;
      g_autofree char *name = target_label (r->targets[t]);
      g_autofree char *top = g_strdup_printf ("%s: filter", name);
      g_autofree char *below = C >= 2
        ? g_strdup_printf ("q %.2f, KL(q||p) %.2f", q[t],
                           somaif_kl (q, r->preference + (gsize) t * C, C))
        : g_strdup_printf ("cross-entropy %.1f", c->scores[c->length - 1].cross_entropy);
      const float *filter = r->classes->filters + (gsize) t * n;
      label (cr, x, gap + 15, top);
      paint_tile (cr, x, gap + LABEL_HEIGHT, r->width, r->height, filter, 1.0, NULL, 0);
      label (cr, x, gap + rowh + 15, below);
      paint_tile (cr, x, gap + rowh + LABEL_HEIGHT, r->width, r->height, filter, 0.3,
                  r->drawings + (gsize) t * r->length * n, c->length);
    }
  cairo_destroy (cr);
  gboolean ok = write_png (dir, "chains.png", s, error);
  cairo_surface_destroy (s);
  return ok;
}

/* classes.png: the class filters side by side. */
static gboolean
write_classes_png (const char *dir, const SomaifChainResult *r, GError **error)
{
  int tw = r->width * TILE_SCALE, th = r->height * TILE_SCALE, gap = 10;
  gsize n = (gsize) r->width * r->height;
  cairo_surface_t *s;
  cairo_t *cr = new_figure (r->n_classes * (tw + gap) + gap, th + LABEL_HEIGHT + 2 * gap, &s);
  for (int k = 0; k < r->n_classes; k++)
    {
      g_autofree char *name = target_label (r->targets[k]);
      double x = gap + k * (tw + gap);
      label (cr, x, gap + 15, name);
      paint_tile (cr, x, gap + LABEL_HEIGHT, r->width, r->height,
                  r->classes->filters + (gsize) k * n, 1.0, NULL, 0);
    }
  cairo_destroy (cr);
  gboolean ok = write_png (dir, "classes.png", s, error);
  cairo_surface_destroy (s);
  return ok;
}

gboolean
somaif_chain_write (const char *dir, const SomaifChainResult *r, GError **error)
{
  return write_chain_csv (dir, r, error) && write_summary_csv (dir, r, error)
         && write_npys (dir, r, error) && write_chains_png (dir, r, error)
         && write_classes_png (dir, r, error);
}
