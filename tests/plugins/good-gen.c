/* good-gen: a minimal valid generator for the core's tests.  It declares one
 * parameter of each type (a schedulable float, an integer with a range, a
 * string, a path, a bool, two floats) and turns each initial state into
 * smooth, bounded motor commands. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "somaif/plugin.h"

enum { P_UNITS, P_GAIN, P_LABEL, P_OFFSET, P_FLIP, P_TABLE };

static const SomaifParamSpec params[] = {
  [P_UNITS] = { "units", SOMAIF_PARAM_INT, "3", 1, 64, 0, 0,
                "size of an initial state" },
  [P_GAIN] = { "gain", SOMAIF_PARAM_FLOAT, "1.0", 0, 10, 0, SOMAIF_PARAM_SCHEDULABLE,
               "scale of the motor commands" },
  [P_LABEL] = { "label", SOMAIF_PARAM_STRING, "\"good\"", 1, 0, 0, 0,
                "a name, unused" },
  [P_OFFSET] = { "offset", SOMAIF_PARAM_FLOATS, "[0.0, 0.0]", -10, 10, 2, 0,
                 "added to the first two state elements" },
  [P_FLIP] = { "flip", SOMAIF_PARAM_BOOL, "false", 1, 0, 0, 0,
               "negate the second motor command" },
  [P_TABLE] = { "table", SOMAIF_PARAM_STRING, NULL, 1, 0, 0,
                SOMAIF_PARAM_PATH | SOMAIF_PARAM_OPTIONAL,
                "a file name, relative to the config (unused)" },
  SOMAIF_PARAM_END
};

typedef struct
{
  int units;
  double gain;
  double offset[2];
  gboolean flip;
  char message[128];
} GoodGen;

static void *
good_gen_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  int n = 0;
  const double *offset = somaif_params_get_floats (p, "offset", &n);
  if (!offset || n != 2)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "offset must hold 2 numbers");
      return NULL;
    }
  GoodGen *g = g_new0 (GoodGen, 1);
  g->units = (int) somaif_params_get_int (p, "units");
  g->gain = somaif_params_get_float (p, "gain");
  g->offset[0] = offset[0];
  g->offset[1] = offset[1];
  g->flip = somaif_params_get_bool (p, "flip");
  return g;
}

static void
good_gen_destroy (void *self)
{
  g_free (self);
}

static int
good_gen_set_param (void *self, int index, double value)
{
  GoodGen *g = self;
  if (index != P_GAIN)
    {
      snprintf (g->message, sizeof g->message, "parameter %d is not schedulable", index);
      return -1;
    }
  g->gain = value;
  return 0;
}

static const char *
good_gen_error_message (const void *self)
{
  return ((const GoodGen *) self)->message;
}

static int
good_gen_state_size (const void *self)
{
  return ((const GoodGen *) self)->units;
}

static int
good_gen_output_size (const void *self)
{
  return 2;
}

static int
good_gen_run (const void *self, int batch, const float *states, int steps, float *out)
{
  const GoodGen *g = self;
  for (int b = 0; b < batch; b++)
    {
      const float *s = states + (gsize) b * g->units;
      double a = s[0] + g->offset[0];
      double c = s[g->units > 1 ? 1 : 0] + g->offset[1];
      for (int t = 0; t < steps; t++)
        {
          float *o = out + ((gsize) b * steps + t) * 2;
          o[0] = (float) (g->gain * 0.3 * tanh (a + 0.05 * t));
          o[1] = (float) (g->gain * 0.3 * tanh (c - 0.03 * t) * (g->flip ? -1.0 : 1.0));
        }
    }
  return 0;
}

static const SomaifGenerator vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_GENERATOR,
    .name = "good-gen",
    .description = "test generator: bounded smooth commands from a state",
    .params = params,
    .create = good_gen_create,
    .destroy = good_gen_destroy,
    .set_param = good_gen_set_param,
    .error_message = good_gen_error_message,
  },
  .state_size = good_gen_state_size,
  .output_size = good_gen_output_size,
  .run = good_gen_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
