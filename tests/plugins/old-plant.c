/* old-plant: a plant built before plants carried their pose (plugin ABI
 * 1.0): its vtable ends after run(), as a plugin compiled against the minor-0
 * header does, so nothing appended since exists in its memory.  The host
 * must load and run it as before, and refuse it for chaining. */
#include "somaif/plugin.h"

static const SomaifParamSpec params[] = { SOMAIF_PARAM_END };

/* SomaifPlant as ABI 1.0 defined it. */
typedef struct
{
  SomaifPluginHead head;
  int (*input_size) (const void *self);
  int (*point_size) (const void *self);
  int (*n_points) (const void *self, int steps);
  int (*run) (const void *self, int steps, const float *motor, double *points);
} OldPlant;

static void *
old_plant_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  return g_new0 (int, 1);
}

static void
old_plant_destroy (void *self)
{
  g_free (self);
}

static int
old_plant_input_size (const void *self)
{
  return 2;
}

static int
old_plant_point_size (const void *self)
{
  return 2;
}

static int
old_plant_n_points (const void *self, int steps)
{
  return steps + 1;
}

/* The pen integrates the commands from the origin. */
static int
old_plant_run (const void *self, int steps, const float *motor, double *points)
{
  points[0] = points[1] = 0.0;
  for (int t = 0; t < steps; t++)
    {
      points[2 * t + 2] = points[2 * t] + motor[2 * t];
      points[2 * t + 3] = points[2 * t + 1] + motor[2 * t + 1];
    }
  return 0;
}

static const OldPlant vtable = {
  .head = {
    .abi_major = 1,
    .abi_minor = 0,
    .kind = SOMAIF_KIND_PLANT,
    .name = "old-plant",
    .description = "test plant built for plugin ABI 1.0 (no pose methods)",
    .params = params,
    .create = old_plant_create,
    .destroy = old_plant_destroy,
  },
  .input_size = old_plant_input_size,
  .point_size = old_plant_point_size,
  .n_points = old_plant_n_points,
  .run = old_plant_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
