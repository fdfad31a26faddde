/* nan-renderer: good-renderer's drawing with two faults to order, for the
 * command-line tests: from the epoch a schedule turns `poison` on, every
 * image holds a NaN pixel (no real plugin lets a NaN reach the free energy:
 * a plant's NaN point is a gap in the line); and `delay` makes each drawing
 * sleep, so that a signal can be sent in the middle of an epoch. */
#include <math.h>
#include <stdio.h>

#include "somaif/plugin.h"

enum { P_WIDTH, P_HEIGHT, P_EXTENT, P_POISON, P_DELAY };

static const SomaifParamSpec params[] = {
  [P_WIDTH] = { "width", SOMAIF_PARAM_INT, "8", 1, 256, 0, 0, "image width in pixels" },
  [P_HEIGHT] = { "height", SOMAIF_PARAM_INT, "8", 1, 256, 0, 0, "image height in pixels" },
  [P_EXTENT] = { "extent", SOMAIF_PARAM_FLOAT, "2.0", 0.001, 1e6, 0, 0,
                 "half the side of the paper, in paper units" },
  [P_POISON] = { "poison", SOMAIF_PARAM_FLOAT, "0.0", 0, 1, 0, SOMAIF_PARAM_SCHEDULABLE,
                 "from 0.5 on, the images hold a NaN pixel (schedule it to pick the epoch)" },
  [P_DELAY] = { "delay", SOMAIF_PARAM_FLOAT, "0.0", 0, 10, 0, 0,
                "seconds each drawing sleeps" },
  SOMAIF_PARAM_END
};

typedef struct
{
  int width, height;
  double extent, poison, delay;
  char message[64];
} NanRenderer;

static void *
nan_renderer_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  if (setup->input_size != 2)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "draws 2-D points, not %d-D", setup->input_size);
      return NULL;
    }
  NanRenderer *r = g_new0 (NanRenderer, 1);
  r->width = (int) somaif_params_get_int (p, "width");
  r->height = (int) somaif_params_get_int (p, "height");
  r->extent = somaif_params_get_float (p, "extent");
  r->poison = somaif_params_get_float (p, "poison");
  r->delay = somaif_params_get_float (p, "delay");
  return r;
}

static void
nan_renderer_destroy (void *self)
{
  g_free (self);
}

static int
nan_renderer_set_param (void *self, int index, double value)
{
  NanRenderer *r = self;
  if (index != P_POISON)
    {
      snprintf (r->message, sizeof r->message, "parameter %d is not schedulable", index);
      return -1;
    }
  r->poison = value;
  return 0;
}

static const char *
nan_renderer_error_message (const void *self)
{
  return ((const NanRenderer *) self)->message;
}

static int
nan_renderer_width (const void *self)
{
  return ((const NanRenderer *) self)->width;
}

static int
nan_renderer_height (const void *self)
{
  return ((const NanRenderer *) self)->height;
}

static int
nan_renderer_draw (const void *self, int n, const double *points, float *image)
{
  const NanRenderer *r = self;
  if (r->delay > 0)
    g_usleep ((gulong) (r->delay * G_USEC_PER_SEC));
  for (int i = 0; i < r->width * r->height; i++)
    image[i] = 1.0f;
  for (int i = 0; i < n; i++)
    {
      double col = floor ((points[2 * i] + r->extent) / (2 * r->extent) * r->width);
      double row = floor ((r->extent - points[2 * i + 1]) / (2 * r->extent) * r->height);
      if (col >= 0 && col < r->width && row >= 0 && row < r->height)
        image[(int) row * r->width + (int) col] = 0.0f;
    }
  if (r->poison >= 0.5)
    image[0] = NAN;
  return 0;
}

static const SomaifRenderer vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_RENDERER,
    .name = "nan-renderer",
    .description = "test renderer: good-renderer's drawing, NaN pixels when poisoned, slow on request",
    .params = params,
    .create = nan_renderer_create,
    .destroy = nan_renderer_destroy,
    .set_param = nan_renderer_set_param,
    .error_message = nan_renderer_error_message,
  },
  .width = nan_renderer_width,
  .height = nan_renderer_height,
  .draw = nan_renderer_draw,
};

SOMAIF_PLUGIN_DEFINE (vtable)
