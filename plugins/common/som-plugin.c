/* som-plugin.c: the perceiver methods the map plugins share (see som-plugin.h). */
#include "config.h"

#include <math.h>

#include "som-plugin.h"

gboolean
somaif_som_plugin_check (const SomaifSetup *setup, const SomaifParams *params,
                         SomaifSomKernel *kernel, GError **error)
{
  const char *kernel_name = somaif_params_get_string (params, "kernel");
  int k = somaif_som_kernel_from_name (kernel_name);
  if (setup->input_size < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "an input of %d pixels: the renderer must give at least one",
                   setup->input_size);
      return FALSE;
    }
  if (k < 0)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "kernel = \"%s\": it must be \"sparse\" or \"dense\"",
                   kernel_name ? kernel_name : "(none)");
      return FALSE;
    }
  *kernel = (SomaifSomKernel) k;
  return TRUE;
}

SomaifSomPlugin *
somaif_som_plugin_new (void *map, GDestroyNotify free_map, SomaifSomStore *store,
                       int spread_index, const SomaifSetup *setup, const SomaifParams *params,
                       GError **error)
{
  if (!map)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "not enough memory for the prototypes of %d pixels", setup->input_size);
      return NULL;
    }
  somaif_som_store_set_spread (store, somaif_params_get_float (params, "spread"));
  somaif_som_store_set_rate (store, somaif_params_get_float (params, "rate"));
  SomaifRng rng;
  somaif_rng_init (&rng, setup->seed);
  somaif_som_store_init_noise (store, &rng, somaif_params_get_float (params, "init_noise"));
  SomaifSomPlugin *self = g_new0 (SomaifSomPlugin, 1);
  self->map = map;
  self->free_map = free_map;
  self->store = store;
  self->spread_index = spread_index;
  return self;
}

void
somaif_som_plugin_destroy (void *p)
{
  SomaifSomPlugin *self = p;
  if (!self)
    return;
  self->free_map (self->map);
  g_free (self);
}

/* The host keeps a scheduled value inside its declared range. */
int
somaif_som_plugin_set_param (void *p, int index, double value)
{
  SomaifSomPlugin *self = p;
  self->message[0] = '\0';
  if (index == self->spread_index)
    somaif_som_store_set_spread (self->store, value);
  else if (index == self->spread_index + 1)
    somaif_som_store_set_rate (self->store, value);
  else
    {
      g_snprintf (self->message, sizeof self->message,
                  "parameter %d is not schedulable (spread and rate are)", index);
      return -1;
    }
  return 0;
}

const char *
somaif_som_plugin_error_message (const void *p)
{
  const SomaifSomPlugin *self = p;
  /* Concurrent methods cannot write a message: they only fail on a bad argument. */
  return self->message[0] ? self->message : "a unit out of range or a NULL array";
}

int
somaif_som_plugin_save_state (const void *p, GByteArray *out)
{
  const SomaifSomPlugin *self = p;
  somaif_som_store_save (self->store, out);
  return 0;
}

int
somaif_som_plugin_load_state (void *p, const guint8 *data, gsize length)
{
  SomaifSomPlugin *self = p;
  self->message[0] = '\0';
  return somaif_som_store_load (self->store, data, length, self->message,
                                sizeof self->message);
}

int
somaif_som_plugin_n_units (const void *p)
{
  const SomaifSomPlugin *self = p;
  return somaif_som_store_n_units (self->store);
}

void
somaif_som_plugin_layout (const void *p, int *rows, int *cols)
{
  const SomaifSomPlugin *self = p;
  somaif_som_store_geometry (self->store)->layout (self->map, rows, cols);
}

double
somaif_som_plugin_distance (const void *p, int u, int v)
{
  const SomaifSomPlugin *self = p;
  int n = somaif_som_store_n_units (self->store);
  if (u < 0 || u >= n || v < 0 || v >= n)
    return NAN;
  return somaif_som_store_geometry (self->store)->distance (self->map, u, v);
}

int
somaif_som_plugin_prototype (const void *p, int unit, float *out)
{
  const SomaifSomPlugin *self = p;
  if (unit < 0 || unit >= somaif_som_store_n_units (self->store) || !out)
    return -1;
  somaif_som_store_prototype (self->store, unit, out);
  return 0;
}

int
somaif_som_plugin_recognise (const void *p, const float *input, int *winner, double *distance)
{
  const SomaifSomPlugin *self = p;
  if (!input || !winner || !distance)
    return -1;
  somaif_som_store_recognise (self->store, input, winner, distance);
  return 0;
}

int
somaif_som_plugin_learn (void *p, const float *input, int *winner, double *distance)
{
  SomaifSomPlugin *self = p;
  self->message[0] = '\0';
  if (!input || !winner || !distance)
    {
      g_snprintf (self->message, sizeof self->message, "learn() given a NULL array");
      return -1;
    }
  somaif_som_store_learn (self->store, input, winner, distance);
  return 0;
}

int
somaif_som_plugin_best_two (const void *p, const float *input, int best[2],
                            double distance[2])
{
  const SomaifSomPlugin *self = p;
  if (!input || !best || !distance)
    return -1;
  somaif_som_store_best_two (self->store, input, best, distance);
  return 0;
}
