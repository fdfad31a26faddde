/* ringsom.c: the ring Kohonen map as a somaif perceiver (the vtable glue). */
#include "config.h"

#include <math.h>

#include "ringsom-core.h"
#include "somaif/plugin.h"

/* Indices into ringsom_params (set_param() receives them). */
enum
{
  RINGSOM_UNITS,
  RINGSOM_SPREAD,
  RINGSOM_RATE,
  RINGSOM_INIT_NOISE,
  RINGSOM_KERNEL
};

static const SomaifParamSpec ringsom_params[] = {
  { "units", SOMAIF_PARAM_INT, "50", 2, 65536, 0, 0,
    "number of units on the ring (the goals of the optimiser)" },
  { "spread", SOMAIF_PARAM_FLOAT, "1.0", 1e-6, 1e6, 0, SOMAIF_PARAM_SCHEDULABLE,
    "neighbourhood width: exp(-d^2 / spread^2) over the ring distance d, in units (> 0)" },
  { "rate", SOMAIF_PARAM_FLOAT, "0.1", 0, 1, 0, SOMAIF_PARAM_SCHEDULABLE,
    "learning rate of the prototypes (0: the map no longer learns)" },
  { "init_noise", SOMAIF_PARAM_FLOAT, "0.1", 0, 1, 0, 0,
    "initial prototypes are 1 - uniform * init_noise (nearly blank paper)" },
  { "kernel", SOMAIF_PARAM_STRING, "\"sparse\"", 1, 0, 0, 0,
    "\"sparse\" (cost follows the ink of an image) or \"dense\" (the notebook's float32 arithmetic)" },
  SOMAIF_PARAM_END
};

typedef struct
{
  SomaifRingsom *map;
  char message[256];
} Ringsom;

static void *
ringsom_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  gint64 units = somaif_params_get_int (params, "units");
  double spread = somaif_params_get_float (params, "spread");
  double rate = somaif_params_get_float (params, "rate");
  double noise = somaif_params_get_float (params, "init_noise");
  const char *kernel_name = somaif_params_get_string (params, "kernel");
  int kernel = somaif_ringsom_kernel_from_name (kernel_name);

  if (setup->input_size < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "an input of %d pixels: the renderer must give at least one",
                   setup->input_size);
      return NULL;
    }
  if (units < 2 || units > 65536)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "units = %" G_GINT64_FORMAT ": a ring needs 2 to 65536 units", units);
      return NULL;
    }
  if (!(spread > 0.0) || !isfinite (spread))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "spread = %g: it must be a positive number", spread);
      return NULL;
    }
  if (!(rate >= 0.0 && rate <= 1.0))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "rate = %g: it must lie in [0, 1]", rate);
      return NULL;
    }
  if (!(noise >= 0.0 && noise <= 1.0))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "init_noise = %g: it must lie in [0, 1]", noise);
      return NULL;
    }
  if (kernel < 0)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "kernel = \"%s\": it must be \"sparse\" or \"dense\"",
                   kernel_name ? kernel_name : "(none)");
      return NULL;
    }

  Ringsom *self = g_new0 (Ringsom, 1);
  self->map = somaif_ringsom_new ((int) units, setup->input_size, (SomaifRingsomKernel) kernel);
  if (!self->map)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "not enough memory for %" G_GINT64_FORMAT " prototypes of %d pixels",
                   units, setup->input_size);
      g_free (self);
      return NULL;
    }
  somaif_ringsom_set_spread (self->map, spread);
  somaif_ringsom_set_rate (self->map, rate);
  SomaifRng rng;
  somaif_rng_init (&rng, setup->seed);
  somaif_ringsom_init_noise (self->map, &rng, noise);
  return self;
}

static void
ringsom_destroy (void *p)
{
  Ringsom *self = p;
  if (!self)
    return;
  somaif_ringsom_free (self->map);
  g_free (self);
}

static int
ringsom_set_param (void *p, int index, double value)
{
  Ringsom *self = p;
  self->message[0] = '\0';
  switch (index)
    {
    case RINGSOM_SPREAD:
      if (!(value > 0.0) || !isfinite (value))
        {
          g_snprintf (self->message, sizeof self->message,
                      "spread = %g: it must be a positive number", value);
          return -1;
        }
      somaif_ringsom_set_spread (self->map, value);
      return 0;
    case RINGSOM_RATE:
      if (!(value >= 0.0 && value <= 1.0))
        {
          g_snprintf (self->message, sizeof self->message,
                      "rate = %g: it must lie in [0, 1]", value);
          return -1;
        }
      somaif_ringsom_set_rate (self->map, value);
      return 0;
    default:
      g_snprintf (self->message, sizeof self->message,
                  "parameter %d is not schedulable (spread and rate are)", index);
      return -1;
    }
}

static const char *
ringsom_error_message (const void *p)
{
  const Ringsom *self = p;
  /* Concurrent methods cannot write a message: they only fail on a bad argument. */
  return self->message[0] ? self->message : "a unit out of range or a NULL array";
}

static int
ringsom_save_state (const void *p, GByteArray *out)
{
  const Ringsom *self = p;
  somaif_ringsom_save (self->map, out);
  return 0;
}

static int
ringsom_load_state (void *p, const guint8 *data, gsize length)
{
  Ringsom *self = p;
  self->message[0] = '\0';
  return somaif_ringsom_load (self->map, data, length, self->message, sizeof self->message);
}

static int
ringsom_n_units (const void *p)
{
  const Ringsom *self = p;
  return somaif_ringsom_n_units (self->map);
}

static void
ringsom_layout (const void *p, int *rows, int *cols)
{
  const Ringsom *self = p;
  *rows = 1;
  *cols = somaif_ringsom_n_units (self->map);
}

static double
ringsom_distance (const void *p, int u, int v)
{
  const Ringsom *self = p;
  int n = somaif_ringsom_n_units (self->map);
  if (u < 0 || u >= n || v < 0 || v >= n)
    return NAN;
  return somaif_ringsom_ring_distance (n, u, v);
}

static int
ringsom_prototype (const void *p, int unit, float *out)
{
  const Ringsom *self = p;
  if (unit < 0 || unit >= somaif_ringsom_n_units (self->map) || !out)
    return -1;
  somaif_ringsom_prototype (self->map, unit, out);
  return 0;
}

static int
ringsom_recognise (const void *p, const float *input, int *winner, double *distance)
{
  const Ringsom *self = p;
  if (!input || !winner || !distance)
    return -1;
  somaif_ringsom_recognise (self->map, input, winner, distance);
  return 0;
}

static int
ringsom_learn (void *p, const float *input, int *winner, double *distance)
{
  Ringsom *self = p;
  self->message[0] = '\0';
  if (!input || !winner || !distance)
    {
      g_snprintf (self->message, sizeof self->message, "learn() given a NULL array");
      return -1;
    }
  somaif_ringsom_learn (self->map, input, winner, distance);
  return 0;
}

static int
ringsom_best_two (const void *p, const float *input, int best[2], double distance[2])
{
  const Ringsom *self = p;
  if (!input || !best || !distance)
    return -1;
  somaif_ringsom_best_two (self->map, input, best, distance);
  return 0;
}

static const SomaifPerceiver ringsom_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_PERCEIVER,
    .name = "ringsom",
    .description = "ring Kohonen map: the seed's perceiver, prototypes learned with a ring neighbourhood",
    .params = ringsom_params,
    .create = ringsom_create,
    .destroy = ringsom_destroy,
    .set_param = ringsom_set_param,
    .error_message = ringsom_error_message,
    .save_state = ringsom_save_state,
    .load_state = ringsom_load_state,
  },
  .n_units = ringsom_n_units,
  .layout = ringsom_layout,
  .distance = ringsom_distance,
  .prototype = ringsom_prototype,
  .recognise = ringsom_recognise,
  .learn = ringsom_learn,
  .best_two = ringsom_best_two,
};

SOMAIF_PLUGIN_DEFINE (ringsom_vtable)
