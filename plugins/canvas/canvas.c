/* canvas.c: the seed's matplotlib canvas as a somaif renderer (the vtable glue). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "canvas-core.h"
#include "somaif/plugin.h"

static const SomaifParamSpec canvas_params[] = {
  { "width", SOMAIF_PARAM_INT, "64", SOMAIF_CANVAS_MIN_SIZE, SOMAIF_CANVAS_MAX_SIZE, 0, 0,
    "image width in pixels (the notebook's 1 inch at 64 dpi)" },
  { "height", SOMAIF_PARAM_INT, "64", SOMAIF_CANVAS_MIN_SIZE, SOMAIF_CANVAS_MAX_SIZE, 0, 0,
    "image height in pixels" },
  { "xlim", SOMAIF_PARAM_FLOATS, "[-60.0, 60.0]", 1, 0, 2, 0,
    "paper x at the left and right edges of the image (two different numbers)" },
  { "ylim", SOMAIF_PARAM_FLOATS, "[-60.0, 60.0]", 1, 0, 2, 0,
    "paper y at the bottom and top edges of the image (two different numbers)" },
  { "linewidth", SOMAIF_PARAM_FLOAT, "1.3333333333333333", SOMAIF_CANVAS_MIN_LINEWIDTH,
    SOMAIF_CANVAS_MAX_LINEWIDTH, 0, 0,
    "line width in pixels, > 0 (matplotlib's default 1.5 pt at 64 dpi)" },
  { "snap", SOMAIF_PARAM_BOOL, "true", 1, 0, 0, 0,
    "snap paths made only of horizontal and vertical segments to the pixel grid, as Agg" },
  SOMAIF_PARAM_END
};

#define STATE_VERSION 1
/* version u8, width height u32, xlim ylim linewidth f64, snap u8; little-endian */
#define STATE_SIZE (1 + 2 * 4 + 5 * 8 + 1)

typedef struct
{
  SomaifCanvas canvas;
  char message[256]; /* why load_state() refused; draw() never writes (it is concurrent) */
} Canvas;

static void
canvas_destroy (void *p)
{
  g_free (p);
}

static void *
canvas_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  if (setup->input_size != 2)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "points of %d coordinates: the canvas draws 2-D points (x, y)",
                   setup->input_size);
      return NULL;
    }
  int nx = 0, ny = 0;
  const double *xlim = somaif_params_get_floats (params, "xlim", &nx);
  const double *ylim = somaif_params_get_floats (params, "ylim", &ny);
  if (!xlim || !ylim || nx != 2 || ny != 2)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "xlim and ylim must be two numbers each (got %d and %d)", nx, ny);
      return NULL;
    }
  gint64 width = somaif_params_get_int (params, "width");
  gint64 height = somaif_params_get_int (params, "height");
  if (width < SOMAIF_CANVAS_MIN_SIZE || width > SOMAIF_CANVAS_MAX_SIZE
      || height < SOMAIF_CANVAS_MIN_SIZE || height > SOMAIF_CANVAS_MAX_SIZE)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "image of %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   " pixels: width and height must lie in [%d, %d]", width, height,
                   SOMAIF_CANVAS_MIN_SIZE, SOMAIF_CANVAS_MAX_SIZE);
      return NULL;
    }
  Canvas *self = g_new0 (Canvas, 1);
  if (!somaif_canvas_init (&self->canvas, (int) width, (int) height, xlim, ylim,
                           somaif_params_get_float (params, "linewidth"),
                           somaif_params_get_bool (params, "snap"), error))
    {
      g_free (self);
      return NULL;
    }
  return self;
}

static const char *
canvas_error_message (const void *p)
{
  const Canvas *self = p;
  return self->message[0] ? self->message
                          : "draw() given a negative number of points or a NULL array";
}

/* ------------------------------------------------------------------ */
/* State: a renderer learns nothing; its settings are saved so that a
 * checkpoint is not resumed with another canvas (the perceiver's
 * prototypes were learned from these images). */

static int
canvas_save_state (const void *p, GByteArray *out)
{
  const Canvas *self = p;
  const SomaifCanvas *c = &self->canvas;
  guint8 version = STATE_VERSION, snap = c->snap ? 1 : 0;
  g_byte_array_append (out, &version, 1);
  somaif_state_put_u32 (out, (guint32) c->width);
  somaif_state_put_u32 (out, (guint32) c->height);
  somaif_state_put_f64 (out, c->xlim[0]);
  somaif_state_put_f64 (out, c->xlim[1]);
  somaif_state_put_f64 (out, c->ylim[0]);
  somaif_state_put_f64 (out, c->ylim[1]);
  somaif_state_put_f64 (out, c->linewidth);
  g_byte_array_append (out, &snap, 1);
  return 0;
}

static int
canvas_load_state (void *p, const guint8 *data, gsize length)
{
  Canvas *self = p;
  const SomaifCanvas *c = &self->canvas;
  self->message[0] = '\0';
  if (length < 1 || data[0] != STATE_VERSION)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state version %d, this plugin reads version %d", length ? data[0] : -1,
                  STATE_VERSION);
      return -1;
    }
  if (length != STATE_SIZE)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state of %" G_GSIZE_FORMAT " bytes, expected %d", length, STATE_SIZE);
      return -1;
    }
  const guint8 *q = data + 1;
  guint32 width = somaif_state_get_u32 (&q), height = somaif_state_get_u32 (&q);
  double x0 = somaif_state_get_f64 (&q), x1 = somaif_state_get_f64 (&q), y0 = somaif_state_get_f64 (&q), y1 = somaif_state_get_f64 (&q);
  double linewidth = somaif_state_get_f64 (&q);
  gboolean snap = *q != 0;
  if (width != (guint32) c->width || height != (guint32) c->height || x0 != c->xlim[0]
      || x1 != c->xlim[1] || y0 != c->ylim[0] || y1 != c->ylim[1]
      || linewidth != c->linewidth || snap != (c->snap != 0))
    {
      g_snprintf (self->message, sizeof self->message,
                  "state of a %u x %u canvas, xlim [%g, %g], ylim [%g, %g], linewidth %g, "
                  "snap %s; this one is %d x %d, [%g, %g], [%g, %g], %g, %s", width, height,
                  x0, x1, y0, y1, linewidth, snap ? "true" : "false", c->width, c->height,
                  c->xlim[0], c->xlim[1], c->ylim[0], c->ylim[1], c->linewidth,
                  c->snap ? "true" : "false");
      return -1;
    }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Methods                                                             */

static int
canvas_width (const void *p)
{
  const Canvas *self = p;
  return self->canvas.width;
}

static int
canvas_height (const void *p)
{
  const Canvas *self = p;
  return self->canvas.height;
}

static int
canvas_draw (const void *p, int n, const double *points, float *image)
{
  const Canvas *self = p;
  return somaif_canvas_draw (&self->canvas, n, points, image);
}

static const SomaifRenderer canvas_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_RENDERER,
    .name = "canvas",
    .description = "antialiased pen stroke as matplotlib's Agg draws it (square caps, round joins)",
    .params = canvas_params,
    .create = canvas_create,
    .destroy = canvas_destroy,
    .error_message = canvas_error_message,
    .save_state = canvas_save_state,
    .load_state = canvas_load_state,
  },
  .width = canvas_width,
  .height = canvas_height,
  .draw = canvas_draw,
};

SOMAIF_PLUGIN_DEFINE (canvas_vtable)
