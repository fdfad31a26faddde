/* good-renderer: a minimal valid renderer for the core's tests: blank paper
 * with an inked pixel under every point. */
#include <math.h>

#include "somaif/plugin.h"

static const SomaifParamSpec params[] = {
  { "width", SOMAIF_PARAM_INT, "8", 1, 256, 0, 0, "image width in pixels" },
  { "height", SOMAIF_PARAM_INT, "8", 1, 256, 0, 0, "image height in pixels" },
  { "extent", SOMAIF_PARAM_FLOAT, "2.0", 0.001, 1e6, 0, 0,
    "half the side of the paper, in paper units" },
  SOMAIF_PARAM_END
};

typedef struct
{
  int width, height;
  double extent;
} GoodRenderer;

static void *
good_renderer_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  if (setup->input_size != 2)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "draws 2-D points, not %d-D", setup->input_size);
      return NULL;
    }
  GoodRenderer *g = g_new0 (GoodRenderer, 1);
  g->width = (int) somaif_params_get_int (p, "width");
  g->height = (int) somaif_params_get_int (p, "height");
  g->extent = somaif_params_get_float (p, "extent");
  return g;
}

static void
good_renderer_destroy (void *self)
{
  g_free (self);
}

static int
good_renderer_width (const void *self)
{
  return ((const GoodRenderer *) self)->width;
}

static int
good_renderer_height (const void *self)
{
  return ((const GoodRenderer *) self)->height;
}

static int
good_renderer_draw (const void *self, int n, const double *points, float *image)
{
  const GoodRenderer *g = self;
  for (int i = 0; i < g->width * g->height; i++)
    image[i] = 1.0f;
  for (int i = 0; i < n; i++)
    {
      double col = floor ((points[2 * i] + g->extent) / (2 * g->extent) * g->width);
      double row = floor ((g->extent - points[2 * i + 1]) / (2 * g->extent) * g->height);
      if (col >= 0 && col < g->width && row >= 0 && row < g->height)
        image[(int) row * g->width + (int) col] = 0.0f;
    }
  return 0;
}

static const SomaifRenderer vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_RENDERER,
    .name = "good-renderer",
    .description = "test renderer: one inked pixel a point",
    .params = params,
    .create = good_renderer_create,
    .destroy = good_renderer_destroy,
  },
  .width = good_renderer_width,
  .height = good_renderer_height,
  .draw = good_renderer_draw,
};

SOMAIF_PLUGIN_DEFINE (vtable)
