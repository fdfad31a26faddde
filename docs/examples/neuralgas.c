/* neuralgas.c: a perceiver that learns its prototypes as a neural gas
 * (Martinetz and Schulten): every unit moves towards each image, by a share
 * that falls with its rank among the units sorted by distance.  A gas has no
 * map: every other unit is one step away. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <somaif/plugin.h>

enum { P_UNITS, P_RATE, P_RANGE };

static const SomaifParamSpec neuralgas_params[] = {
  [P_UNITS] = { "units", SOMAIF_PARAM_INT, "16", 2, 4096, 0, 0,
                "prototypes (the optimiser's goals)" },
  [P_RATE] = { "rate", SOMAIF_PARAM_FLOAT, "0.1", 0.0, 1.0, 0, SOMAIF_PARAM_SCHEDULABLE,
               "share of the way the nearest unit moves towards an image" },
  [P_RANGE] = { "range", SOMAIF_PARAM_FLOAT, "2.0", 1e-3, 1e6, 0, 0,
                "rank at which a unit moves 1/e as far as the nearest one" },
  SOMAIF_PARAM_END
};

#define STATE_VERSION 1

typedef struct
{
  double distance;
  int unit;
} Ranked;

typedef struct
{
  int units, pixels;
  double rate, range;
  float *protos;   /* units x pixels */
  Ranked *ranked;  /* scratch for learn(), which is never concurrent */
  char message[160];
} NeuralGas;

static void *
neuralgas_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  if (setup->input_size < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "needs images of at least one pixel, not %d", setup->input_size);
      return NULL;
    }
  NeuralGas *self = g_new0 (NeuralGas, 1);
  self->units = (int) somaif_params_get_int (params, "units");
  self->rate = somaif_params_get_float (params, "rate");
  self->range = somaif_params_get_float (params, "range");
  self->pixels = setup->input_size;
  gsize n = (gsize) self->units * self->pixels;
  self->protos = g_new (float, n);
  self->ranked = g_new (Ranked, self->units);
  /* Blank paper with a little ink: units differ from the start. */
  SomaifRng rng;
  somaif_rng_init (&rng, setup->seed);
  for (gsize i = 0; i < n; i++)
    self->protos[i] = (float) (1.0 - 0.1 * somaif_rng_uniform (&rng));
  return self;
}

static void
neuralgas_destroy (void *data)
{
  NeuralGas *self = data;
  g_free (self->protos);
  g_free (self->ranked);
  g_free (self);
}

static int
neuralgas_set_param (void *data, int index, double value)
{
  NeuralGas *self = data;
  if (index != P_RATE)
    {
      g_snprintf (self->message, sizeof self->message, "parameter %d is not schedulable", index);
      return -1;
    }
  self->rate = value;
  return 0;
}

static const char *
neuralgas_error_message (const void *data)
{
  return ((const NeuralGas *) data)->message;
}

static int
neuralgas_n_units (const void *data)
{
  return ((const NeuralGas *) data)->units;
}

static void
neuralgas_layout (const void *data, int *rows, int *cols)
{
  *rows = 1;
  *cols = ((const NeuralGas *) data)->units;
}

/* The host's contract: constant, finite, >= 0, and 0 on the diagonal. */
static double
neuralgas_distance (const void *data, int u, int v)
{
  return u == v ? 0.0 : 1.0;
}

static double
squared_distance (const NeuralGas *self, int unit, const float *input)
{
  const float *w = self->protos + (gsize) unit * self->pixels;
  double sum = 0.0;
  for (int i = 0; i < self->pixels; i++)
    sum += ((double) input[i] - w[i]) * ((double) input[i] - w[i]);
  return sum;
}

/* Concurrent: it may not write into the instance, so it says why it failed
   with somaif_plugin_fail(), which keeps the message for this thread. */
static int
neuralgas_prototype (const void *data, int unit, float *out)
{
  const NeuralGas *self = data;
  if (unit < 0 || unit >= self->units)
    return somaif_plugin_fail ("unit %d is not one of the %d units", unit, self->units);
  memcpy (out, self->protos + (gsize) unit * self->pixels, sizeof (float) * self->pixels);
  return 0;
}

/* Concurrent. */
static int
neuralgas_recognise (const void *data, const float *input, int *winner, double *distance)
{
  const NeuralGas *self = data;
  *winner = 0;
  *distance = squared_distance (self, 0, input);
  for (int u = 1; u < self->units; u++)
    {
      double d = squared_distance (self, u, input);
      if (d < *distance)
        {
          *winner = u;
          *distance = d;
        }
    }
  return 0;
}

static int
by_distance (const void *a, const void *b)
{
  const Ranked *x = a, *y = b;
  if (x->distance != y->distance)
    return x->distance < y->distance ? -1 : 1;
  return x->unit - y->unit; /* the first unit wins ties */
}

static int
neuralgas_learn (void *data, const float *input, int *winner, double *distance)
{
  NeuralGas *self = data;
  for (int u = 0; u < self->units; u++)
    self->ranked[u] = (Ranked) { squared_distance (self, u, input), u };
  qsort (self->ranked, (size_t) self->units, sizeof (Ranked), by_distance);
  *winner = self->ranked[0].unit;
  *distance = self->ranked[0].distance;
  for (int rank = 0; rank < self->units; rank++)
    {
      float share = (float) (self->rate * exp (-rank / self->range));
      float *w = self->protos + (gsize) self->ranked[rank].unit * self->pixels;
      for (int i = 0; i < self->pixels; i++)
        w[i] += share * (input[i] - w[i]);
    }
  return 0;
}

static int
neuralgas_save_state (const void *data, GByteArray *out)
{
  const NeuralGas *self = data;
  somaif_state_put_u32 (out, STATE_VERSION);
  somaif_state_put_u32 (out, (guint32) self->units);
  somaif_state_put_u32 (out, (guint32) self->pixels);
  somaif_state_put_f32s (out, self->protos, (gsize) self->units * self->pixels);
  return 0;
}

static int
neuralgas_load_state (void *data, const guint8 *bytes, gsize length)
{
  NeuralGas *self = data;
  gsize n = (gsize) self->units * self->pixels;
  if (length != 12 + 4 * n)
    {
      g_snprintf (self->message, sizeof self->message,
                  "a state of %" G_GSIZE_FORMAT " bytes, not %" G_GSIZE_FORMAT, length,
                  12 + 4 * n);
      return -1;
    }
  const guint8 *p = bytes;
  guint32 version = somaif_state_get_u32 (&p);
  guint32 units = somaif_state_get_u32 (&p), pixels = somaif_state_get_u32 (&p);
  if (version != STATE_VERSION || units != (guint32) self->units
      || pixels != (guint32) self->pixels)
    {
      g_snprintf (self->message, sizeof self->message,
                  "a state of version %u for %u units of %u pixels, not version %d for %d of %d",
                  version, units, pixels, STATE_VERSION, self->units, self->pixels);
      return -1;
    }
  somaif_state_get_f32s (&p, self->protos, n);
  return 0;
}

static const SomaifPerceiver neuralgas_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_PERCEIVER,
    .name = "neuralgas",
    .description = "a neural gas: every unit learns, by its rank in distance",
    .params = neuralgas_params,
    .create = neuralgas_create,
    .destroy = neuralgas_destroy,
    .set_param = neuralgas_set_param,
    .error_message = neuralgas_error_message,
    .save_state = neuralgas_save_state,
    .load_state = neuralgas_load_state,
  },
  .n_units = neuralgas_n_units,
  .layout = neuralgas_layout,
  .distance = neuralgas_distance,
  .prototype = neuralgas_prototype,
  .recognise = neuralgas_recognise,
  .learn = neuralgas_learn,
};

SOMAIF_PLUGIN_DEFINE (neuralgas_vtable)
