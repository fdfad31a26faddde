/* som-plugin.h: the perceiver methods every Kohonen map plugin shares (the
 * vtable glue around a map and its prototype store).  Internal to the map
 * plugins: built into each, never installed.
 *
 * A map plugin declares its own parameters then SOMAIF_SOM_PARAMS, writes
 * its create() (its own cross-field checks), and fills the rest of its
 * vtable with SOMAIF_SOM_PLUGIN_METHODS: layout and distance come from the
 * map's geometry (som-store.h). */
#ifndef SOMAIF_PLUGINS_SOM_PLUGIN_H
#define SOMAIF_PLUGINS_SOM_PLUGIN_H

#include <glib.h>

#include "som-store.h"
#include "somaif/plugin.h"

G_BEGIN_DECLS

/* The parameters every map declares after its own, in this order (its
 * enum of indices names them likewise); distance: the words for the map's
 * distance, in the doc of spread.  The host checks their ranges. */
#define SOMAIF_SOM_PARAMS(distance)                                                        \
  { "spread", SOMAIF_PARAM_FLOAT, "1.0", 1e-6, 1e6, 0, SOMAIF_PARAM_SCHEDULABLE,           \
    "neighbourhood width: exp(-d^2 / spread^2) over the " distance " d, in units (> 0)" }, \
  { "rate", SOMAIF_PARAM_FLOAT, "0.1", 0, 1, 0, SOMAIF_PARAM_SCHEDULABLE,                  \
    "learning rate of the prototypes (0: the map no longer learns)" },                     \
  { "init_noise", SOMAIF_PARAM_FLOAT, "0.1", 0, 1, 0, 0,                                   \
    "initial prototypes are 1 - uniform * init_noise (nearly blank paper)" },              \
  { "kernel", SOMAIF_PARAM_STRING, "\"sparse\"", 1, 0, 0, 0,                               \
    "\"sparse\" (cost follows the ink of an image) or \"dense\" (the seed's float32 "      \
    "arithmetic)" }

/* The members of a map's SomaifPerceiver that the functions below fill; the
 * map adds its name, description, params and create. */
#define SOMAIF_SOM_PLUGIN_METHODS                                             \
  .head.abi_major = SOMAIF_ABI_MAJOR,                                         \
  .head.abi_minor = SOMAIF_ABI_MINOR,                                         \
  .head.kind = SOMAIF_KIND_PERCEIVER,                                         \
  .head.destroy = somaif_som_plugin_destroy,                                  \
  .head.set_param = somaif_som_plugin_set_param,                              \
  .head.error_message = somaif_som_plugin_error_message,                      \
  .head.save_state = somaif_som_plugin_save_state,                            \
  .head.load_state = somaif_som_plugin_load_state,                            \
  .n_units = somaif_som_plugin_n_units,                                       \
  .layout = somaif_som_plugin_layout,                                         \
  .distance = somaif_som_plugin_distance,                                     \
  .prototype = somaif_som_plugin_prototype,                                   \
  .recognise = somaif_som_plugin_recognise,                                   \
  .learn = somaif_som_plugin_learn,                                           \
  .best_two = somaif_som_plugin_best_two

typedef struct
{
  void *map;                    /* the ring or grid */
  GDestroyNotify free_map;
  SomaifSomStore *store;        /* the map's */
  int spread_index;             /* of the SOMAIF_SOM_PARAMS; rate follows */
  char message[256];
} SomaifSomPlugin;

/* Checks what every map needs of the setup (an input of at least one pixel)
 * and reads params' kernel into *kernel; FALSE with error set if either is
 * wrong. */
gboolean somaif_som_plugin_check (const SomaifSetup *setup, const SomaifParams *params,
                                  SomaifSomKernel *kernel, GError **error);

/* The instance around a new map (NULL: memory was short) and its store:
 * spread and rate from params, prototypes drawn with init_noise from the
 * setup's seed.  NULL with error set when map is NULL. */
SomaifSomPlugin *somaif_som_plugin_new (void *map, GDestroyNotify free_map,
                                        SomaifSomStore *store, int spread_index,
                                        const SomaifSetup *setup, const SomaifParams *params,
                                        GError **error);

void somaif_som_plugin_destroy (void *self);
int somaif_som_plugin_set_param (void *self, int index, double value);
const char *somaif_som_plugin_error_message (const void *self);
int somaif_som_plugin_save_state (const void *self, GByteArray *out);
int somaif_som_plugin_load_state (void *self, const guint8 *data, gsize length);
int somaif_som_plugin_n_units (const void *self);
void somaif_som_plugin_layout (const void *self, int *rows, int *cols);
double somaif_som_plugin_distance (const void *self, int u, int v);
int somaif_som_plugin_prototype (const void *self, int unit, float *out);
int somaif_som_plugin_recognise (const void *self, const float *input, int *winner,
                                 double *distance);
int somaif_som_plugin_learn (void *self, const float *input, int *winner, double *distance);
int somaif_som_plugin_best_two (const void *self, const float *input, int best[2],
                                double distance[2]);

G_END_DECLS

#endif /* SOMAIF_PLUGINS_SOM_PLUGIN_H */
