/* good-plant: a minimal valid plant for the core's tests: the pen moves by
 * scale times each motor command, starting at the origin. */
#include <string.h>

#include "somaif/plugin.h"

static const SomaifParamSpec params[] = {
  { "scale", SOMAIF_PARAM_FLOAT, "1.0", 0.001, 1000, 0, 0, "pen travel per unit command" },
  SOMAIF_PARAM_END
};

typedef struct
{
  double scale;
} GoodPlant;

static void *
good_plant_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  GoodPlant *g = g_new0 (GoodPlant, 1);
  g->scale = somaif_params_get_float (p, "scale");
  return g;
}

static void
good_plant_destroy (void *self)
{
  g_free (self);
}

static int
good_plant_input_size (const void *self)
{
  return 2;
}

static int
good_plant_point_size (const void *self)
{
  return 2;
}

static int
good_plant_n_points (const void *self, int steps)
{
  return steps + 1;
}

static int
good_plant_run (const void *self, int steps, const float *motor, double *points)
{
  const GoodPlant *g = self;
  points[0] = points[1] = 0.0;
  for (int t = 0; t < steps; t++)
    {
      points[2 * t + 2] = points[2 * t] + g->scale * motor[2 * t];
      points[2 * t + 3] = points[2 * t + 1] + g->scale * motor[2 * t + 1];
    }
  return 0;
}

static const SomaifPlant vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_PLANT,
    .name = "good-plant",
    .description = "test plant: a pen that integrates the commands",
    .params = params,
    .create = good_plant_create,
    .destroy = good_plant_destroy,
  },
  .input_size = good_plant_input_size,
  .point_size = good_plant_point_size,
  .n_points = good_plant_n_points,
  .run = good_plant_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
