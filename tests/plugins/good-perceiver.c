/* good-perceiver: a minimal valid perceiver for the core's tests: a ring of
 * prototypes; the winner (first nearest) moves towards each input by rate. */
#include <stdio.h>
#include <string.h>

#include "somaif/plugin.h"

enum { P_UNITS, P_RATE };

static const SomaifParamSpec params[] = {
  [P_UNITS] = { "units", SOMAIF_PARAM_INT, "4", 1, 1000, 0, 0, "units on the ring" },
  [P_RATE] = { "rate", SOMAIF_PARAM_FLOAT, "0.5", 0, 1, 0, SOMAIF_PARAM_SCHEDULABLE,
               "share of the way the winner moves towards an input" },
  SOMAIF_PARAM_END
};

#define STATE_VERSION 1

typedef struct
{
  int units, size;
  double rate;
  float *protos;
  char message[128];
} GoodPerceiver;

static void *
good_perceiver_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  if (setup->input_size < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "needs images of at least one pixel");
      return NULL;
    }
  GoodPerceiver *g = g_new0 (GoodPerceiver, 1);
  g->units = (int) somaif_params_get_int (p, "units");
  g->rate = somaif_params_get_float (p, "rate");
  g->size = setup->input_size;
  g->protos = g_new (float, (gsize) g->units * g->size);
  SomaifRng rng;
  somaif_rng_init (&rng, setup->seed);
  for (gsize i = 0; i < (gsize) g->units * g->size; i++)
    g->protos[i] = (float) somaif_rng_uniform (&rng);
  return g;
}

static void
good_perceiver_destroy (void *self)
{
  GoodPerceiver *g = self;
  g_free (g->protos);
  g_free (g);
}

static int
good_perceiver_set_param (void *self, int index, double value)
{
  GoodPerceiver *g = self;
  if (index != P_RATE)
    {
      snprintf (g->message, sizeof g->message, "parameter %d is not schedulable", index);
      return -1;
    }
  g->rate = value;
  return 0;
}

static const char *
good_perceiver_error_message (const void *self)
{
  return ((const GoodPerceiver *) self)->message;
}

static int
good_perceiver_save_state (const void *self, GByteArray *out)
{
  const GoodPerceiver *g = self;
  guint8 version = STATE_VERSION;
  g_byte_array_append (out, &version, 1);
  g_byte_array_append (out, (const guint8 *) g->protos,
                       (guint) (sizeof (float) * (gsize) g->units * g->size));
  return 0;
}

static int
good_perceiver_load_state (void *self, const guint8 *data, gsize length)
{
  GoodPerceiver *g = self;
  gsize want = 1 + sizeof (float) * (gsize) g->units * g->size;
  if (length != want || data[0] != STATE_VERSION)
    {
      snprintf (g->message, sizeof g->message, "a state of version %d and %zu bytes is "
                "needed", STATE_VERSION, want);
      return -1;
    }
  memcpy (g->protos, data + 1, want - 1);
  return 0;
}

static int
good_perceiver_n_units (const void *self)
{
  return ((const GoodPerceiver *) self)->units;
}

static void
good_perceiver_layout (const void *self, int *rows, int *cols)
{
  *rows = 1;
  *cols = ((const GoodPerceiver *) self)->units;
}

static double
good_perceiver_distance (const void *self, int u, int v)
{
  int n = ((const GoodPerceiver *) self)->units;
  int d = ABS (u - v);
  return MIN (d, n - d);
}

static int
good_perceiver_prototype (const void *self, int unit, float *out)
{
  const GoodPerceiver *g = self;
  memcpy (out, g->protos + (gsize) unit * g->size, sizeof (float) * g->size);
  return 0;
}

static int
good_perceiver_recognise (const void *self, const float *input, int *winner, double *distance)
{
  const GoodPerceiver *g = self;
  int best = 0;
  double best_d = 0;
  for (int u = 0; u < g->units; u++)
    {
      double d = 0;
      const float *p = g->protos + (gsize) u * g->size;
      for (int i = 0; i < g->size; i++)
        d += ((double) input[i] - p[i]) * ((double) input[i] - p[i]);
      if (u == 0 || d < best_d)
        best = u, best_d = d;
    }
  *winner = best;
  *distance = best_d;
  return 0;
}

static int
good_perceiver_learn (void *self, const float *input, int *winner, double *distance)
{
  GoodPerceiver *g = self;
  good_perceiver_recognise (g, input, winner, distance);
  float *p = g->protos + (gsize) *winner * g->size;
  for (int i = 0; i < g->size; i++)
    p[i] += (float) (g->rate * (input[i] - p[i]));
  return 0;
}

static const SomaifPerceiver vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_PERCEIVER,
    .name = "good-perceiver",
    .description = "test perceiver: winner-take-all prototypes on a ring",
    .params = params,
    .create = good_perceiver_create,
    .destroy = good_perceiver_destroy,
    .set_param = good_perceiver_set_param,
    .error_message = good_perceiver_error_message,
    .save_state = good_perceiver_save_state,
    .load_state = good_perceiver_load_state,
  },
  .n_units = good_perceiver_n_units,
  .layout = good_perceiver_layout,
  .distance = good_perceiver_distance,
  .prototype = good_perceiver_prototype,
  .recognise = good_perceiver_recognise,
  .learn = good_perceiver_learn,
};

SOMAIF_PLUGIN_DEFINE (vtable)
