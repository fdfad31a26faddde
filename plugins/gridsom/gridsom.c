/* gridsom.c: the 2-D Kohonen map as a somaif perceiver (the vtable glue). */
#include "config.h"

#include <math.h>

#include "gridsom-core.h"
#include "somaif/plugin.h"

/* Indices into gridsom_params (set_param() receives them). */
enum
{
  GRIDSOM_ROWS,
  GRIDSOM_COLS,
  GRIDSOM_TOPOLOGY,
  GRIDSOM_SPREAD,
  GRIDSOM_RATE,
  GRIDSOM_INIT_NOISE,
  GRIDSOM_KERNEL
};

static const SomaifParamSpec gridsom_params[] = {
  { "rows", SOMAIF_PARAM_INT, "7", 1, SOMAIF_GRIDSOM_MAX_UNITS, 0, 0,
    "rows of the map (units = rows x cols, the goals of the optimiser)" },
  { "cols", SOMAIF_PARAM_INT, "7", 1, SOMAIF_GRIDSOM_MAX_UNITS, 0, 0,
    "columns of the map; unit u sits at row u / cols, column u % cols" },
  { "topology", SOMAIF_PARAM_STRING, "\"planar\"", 1, 0, 0, 0,
    "\"planar\" (a flat sheet with edges) or \"torus\" (both axes wrap around)" },
  { "spread", SOMAIF_PARAM_FLOAT, "1.0", 1e-6, 1e6, 0, SOMAIF_PARAM_SCHEDULABLE,
    "neighbourhood width: exp(-d^2 / spread^2) over the grid distance d, in units (> 0)" },
  { "rate", SOMAIF_PARAM_FLOAT, "0.1", 0, 1, 0, SOMAIF_PARAM_SCHEDULABLE,
    "learning rate of the prototypes (0: the map no longer learns)" },
  { "init_noise", SOMAIF_PARAM_FLOAT, "0.1", 0, 1, 0, 0,
    "initial prototypes are 1 - uniform * init_noise (nearly blank paper)" },
  { "kernel", SOMAIF_PARAM_STRING, "\"sparse\"", 1, 0, 0, 0,
    "\"sparse\" (cost follows the ink of an image) or \"dense\" (plain float32 arithmetic)" },
  SOMAIF_PARAM_END
};

typedef struct
{
  SomaifGridsom *map;
  char message[256];
} Gridsom;

static void *
gridsom_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  gint64 rows = somaif_params_get_int (params, "rows");
  gint64 cols = somaif_params_get_int (params, "cols");
  const char *topology_name = somaif_params_get_string (params, "topology");
  int topology = somaif_gridsom_topology_from_name (topology_name);
  double spread = somaif_params_get_float (params, "spread");
  double rate = somaif_params_get_float (params, "rate");
  double noise = somaif_params_get_float (params, "init_noise");
  const char *kernel_name = somaif_params_get_string (params, "kernel");
  int kernel = somaif_gridsom_kernel_from_name (kernel_name);

#define REFUSE(...)                                                           \
  do                                                                          \
    {                                                                         \
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,    \
                   __VA_ARGS__);                                              \
      return NULL;                                                            \
    }                                                                         \
  while (0)

  if (setup->input_size < 1)
    REFUSE ("an input of %d pixels: the renderer must give at least one", setup->input_size);
  if (rows < 1 || cols < 1 || rows > SOMAIF_GRIDSOM_MAX_UNITS
      || cols > SOMAIF_GRIDSOM_MAX_UNITS || rows * cols > SOMAIF_GRIDSOM_MAX_UNITS)
    REFUSE ("a map of %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
            ": rows and cols must be at least 1, and rows x cols at most %d",
            rows, cols, SOMAIF_GRIDSOM_MAX_UNITS);
  if (topology < 0)
    REFUSE ("topology = \"%s\": it must be \"planar\" or \"torus\"",
            topology_name ? topology_name : "(none)");
  if (!(spread > 0.0) || !isfinite (spread))
    REFUSE ("spread = %g: it must be a positive number", spread);
  if (!(rate >= 0.0 && rate <= 1.0))
    REFUSE ("rate = %g: it must lie in [0, 1]", rate);
  if (!(noise >= 0.0 && noise <= 1.0))
    REFUSE ("init_noise = %g: it must lie in [0, 1]", noise);
  if (kernel < 0)
    REFUSE ("kernel = \"%s\": it must be \"sparse\" or \"dense\"",
            kernel_name ? kernel_name : "(none)");
#undef REFUSE

  SomaifGridsom *map = somaif_gridsom_new ((int) rows, (int) cols,
                                           (SomaifGridsomTopology) topology,
                                           setup->input_size, (SomaifGridsomKernel) kernel);
  if (!map)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "not enough memory for %" G_GINT64_FORMAT " prototypes of %d pixels",
                   rows * cols, setup->input_size);
      return NULL;
    }
  somaif_gridsom_set_spread (map, spread);
  somaif_gridsom_set_rate (map, rate);
  SomaifRng rng;
  somaif_rng_init (&rng, setup->seed);
  somaif_gridsom_init_noise (map, &rng, noise);
  Gridsom *self = g_new0 (Gridsom, 1);
  self->map = map;
  return self;
}

static void
gridsom_destroy (void *p)
{
  Gridsom *self = p;
  if (!self)
    return;
  somaif_gridsom_free (self->map);
  g_free (self);
}

static int
gridsom_set_param (void *p, int index, double value)
{
  Gridsom *self = p;
  self->message[0] = '\0';
  switch (index)
    {
    case GRIDSOM_SPREAD:
      if (!(value > 0.0) || !isfinite (value))
        {
          g_snprintf (self->message, sizeof self->message,
                      "spread = %g: it must be a positive number", value);
          return -1;
        }
      somaif_gridsom_set_spread (self->map, value);
      return 0;
    case GRIDSOM_RATE:
      if (!(value >= 0.0 && value <= 1.0))
        {
          g_snprintf (self->message, sizeof self->message,
                      "rate = %g: it must lie in [0, 1]", value);
          return -1;
        }
      somaif_gridsom_set_rate (self->map, value);
      return 0;
    default:
      g_snprintf (self->message, sizeof self->message,
                  "parameter %d is not schedulable (spread and rate are)", index);
      return -1;
    }
}

static const char *
gridsom_error_message (const void *p)
{
  const Gridsom *self = p;
  /* Concurrent methods cannot write a message: they only fail on a bad argument. */
  return self->message[0] ? self->message : "a unit out of range or a NULL array";
}

static int
gridsom_save_state (const void *p, GByteArray *out)
{
  const Gridsom *self = p;
  somaif_gridsom_save (self->map, out);
  return 0;
}

static int
gridsom_load_state (void *p, const guint8 *data, gsize length)
{
  Gridsom *self = p;
  self->message[0] = '\0';
  return somaif_gridsom_load (self->map, data, length, self->message, sizeof self->message);
}

static int
gridsom_n_units (const void *p)
{
  const Gridsom *self = p;
  return somaif_gridsom_n_units (self->map);
}

static void
gridsom_layout (const void *p, int *rows, int *cols)
{
  const Gridsom *self = p;
  *rows = somaif_gridsom_rows (self->map);
  *cols = somaif_gridsom_cols (self->map);
}

static double
gridsom_distance (const void *p, int u, int v)
{
  const Gridsom *self = p;
  int n = somaif_gridsom_n_units (self->map);
  if (u < 0 || u >= n || v < 0 || v >= n)
    return NAN;
  return somaif_gridsom_distance (self->map, u, v);
}

static int
gridsom_prototype (const void *p, int unit, float *out)
{
  const Gridsom *self = p;
  if (unit < 0 || unit >= somaif_gridsom_n_units (self->map) || !out)
    return -1;
  somaif_gridsom_prototype (self->map, unit, out);
  return 0;
}

static int
gridsom_recognise (const void *p, const float *input, int *winner, double *distance)
{
  const Gridsom *self = p;
  if (!input || !winner || !distance)
    return -1;
  somaif_gridsom_recognise (self->map, input, winner, distance);
  return 0;
}

static int
gridsom_learn (void *p, const float *input, int *winner, double *distance)
{
  Gridsom *self = p;
  self->message[0] = '\0';
  if (!input || !winner || !distance)
    {
      g_snprintf (self->message, sizeof self->message, "learn() given a NULL array");
      return -1;
    }
  somaif_gridsom_learn (self->map, input, winner, distance);
  return 0;
}

static int
gridsom_best_two (const void *p, const float *input, int best[2], double distance[2])
{
  const Gridsom *self = p;
  if (!input || !best || !distance)
    return -1;
  somaif_gridsom_best_two (self->map, input, best, distance);
  return 0;
}

static const SomaifPerceiver gridsom_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_PERCEIVER,
    .name = "gridsom",
    .description = "2-D Kohonen map: rows x cols prototypes learned with a planar or torus grid neighbourhood",
    .params = gridsom_params,
    .create = gridsom_create,
    .destroy = gridsom_destroy,
    .set_param = gridsom_set_param,
    .error_message = gridsom_error_message,
    .save_state = gridsom_save_state,
    .load_state = gridsom_load_state,
  },
  .n_units = gridsom_n_units,
  .layout = gridsom_layout,
  .distance = gridsom_distance,
  .prototype = gridsom_prototype,
  .recognise = gridsom_recognise,
  .learn = gridsom_learn,
  .best_two = gridsom_best_two,
};

SOMAIF_PLUGIN_DEFINE (gridsom_vtable)
