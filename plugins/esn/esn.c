/* esn.c: the seed's echo-state network as a somaif generator plugin.
 * The arithmetic lives in esn-core.c; this file is the vtable glue. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "somaif/plugin.h"
#include "esn-core.h"

#define ESN_STATE_VERSION 1

static const SomaifParamSpec esn_params[] = {
  { "units", SOMAIF_PARAM_INT, "100", 1, SOMAIF_ESN_MAX_UNITS, 0, 0,
    "reservoir units: the size of an initial state" },
  { "connectivity", SOMAIF_PARAM_FLOAT, "0.6", 0.0, 1.0, 0, 0,
    "probability that a recurrent connection exists" },
  { "sigma", SOMAIF_PARAM_FLOAT, "1.5", 0.0, 1e6, 0, 0,
    "gain of the recurrent weights: their standard deviation, or see recurrent_scaling" },
  { "recurrent_scaling", SOMAIF_PARAM_STRING, "\"none\"", 1, 0, 0, 0,
    "\"none\": recurrent std sigma (the notebook); \"network\": sigma / sqrt(connectivity "
    "units) (Laje and Buonomano's g / sqrt(p N), the paper)" },
  { "readout", SOMAIF_PARAM_STRING, "\"linear\"", 1, 0, 0, 0,
    "\"linear\": x = W_o r + b_o (the notebook); \"tanh\": x = tanh(W_o r + b_o) (the paper)" },
  { "readout_scaling", SOMAIF_PARAM_STRING, "\"units\"", 1, 0, 0, 0,
    "\"units\": readout weights N(0, 1) / units (the notebook); \"none\": N(0, 1) (the paper)" },
  { "biases", SOMAIF_PARAM_BOOL, "true", 1, 0, 0, 0,
    "draw the biases b_r, b_o ~ N(0, 1) / 10 (the notebook); false: zero (the paper)" },
  { "tau", SOMAIF_PARAM_FLOAT, "50", 1.0, 1e9, 0, 0,
    "leak time constant, in steps" },
  { "outputs", SOMAIF_PARAM_INT, "2", 1, SOMAIF_ESN_MAX_OUTPUTS, 0, 0,
    "motor commands per step" },
  { "weights", SOMAIF_PARAM_STRING, NULL, 1, 0, 0, SOMAIF_PARAM_PATH | SOMAIF_PARAM_OPTIONAL,
    "file of arrays w_r, b_r, w_o, b_o (golden text format) used instead of random weights" },
  SOMAIF_PARAM_END
};

/* Each choice-valued parameter's words, the first the default. */
static const char *const esn_recurrent_scalings[] = { "none", "network", NULL };
static const char *const esn_readouts[] = { "linear", "tanh", NULL };
static const char *const esn_readout_scalings[] = { "units", "none", NULL };

typedef struct
{
  SomaifEsnModel *model;
  gpointer error;  /* const char *: why the last method failed (static text) */
} Esn;

static void
esn_fail (const Esn *self, const char *message)
{
  /* run() is concurrent: the message is a static string, swapped atomically */
  g_atomic_pointer_set (&((Esn *) self)->error, (gpointer) message);
}

/* Reads name from a weights file as floats, checking its shape and values. */
static float *
weights_array (GHashTable *arrays, const char *path, const char *name, int ndim,
               const int *shape, GError **error)
{
  GError *local = NULL;
  const SomaifArray *a = somaif_arrays_get (arrays, name, ndim, shape, &local);
  if (!a)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "weights file '%s': %s", path, local->message);
      g_error_free (local);
      return NULL;
    }
  float *out = g_new (float, a->size);
  for (gsize i = 0; i < a->size; i++)
    {
      if (!isfinite (a->data[i]) || fabs (a->data[i]) > G_MAXFLOAT)
        {
          g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                       "weights file '%s': array '%s' holds %g at index %" G_GSIZE_FORMAT
                       ", not a finite float", path, name, a->data[i], i);
          g_free (out);
          return NULL;
        }
      out[i] = (float) a->data[i];
    }
  return out;
}

/* The index of the string parameter name's value among words, or -1 with
 * *error set. */
static int
esn_choice (const SomaifParams *params, const char *name, const char *const *words,
            GError **error)
{
  const char *value = somaif_params_get_string (params, name);
  for (int i = 0; value && words[i]; i++)
    if (strcmp (value, words[i]) == 0)
      return i;
  GString *list = g_string_new (NULL);
  for (int i = 0; words[i]; i++)
    g_string_append_printf (list, "%s\"%s\"", i ? (words[i + 1] ? ", " : " or ") : "",
                            words[i]);
  g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
               "%s = \"%s\": it must be %s", name, value ? value : "(none)", list->str);
  g_string_free (list, TRUE);
  return -1;
}

/* The draw's settings and the readout from the parameters; FALSE with
 * *error set when a choice is not one of its words. */
static gboolean
esn_read_choices (const SomaifParams *params, SomaifEsnDraw *draw, SomaifEsnReadout *readout,
                  GError **error)
{
  int recurrent = esn_choice (params, "recurrent_scaling", esn_recurrent_scalings, error);
  int out = recurrent < 0 ? -1 : esn_choice (params, "readout", esn_readouts, error);
  int out_scaling
    = out < 0 ? -1 : esn_choice (params, "readout_scaling", esn_readout_scalings, error);
  if (out_scaling < 0)
    return FALSE;
  draw->connectivity = somaif_params_get_float (params, "connectivity");
  draw->sigma = somaif_params_get_float (params, "sigma");
  draw->network_scaled = recurrent == 1;
  draw->readout_unit = out_scaling == 1;
  draw->biases = somaif_params_get_bool (params, "biases");
  *readout = out == 1 ? SOMAIF_ESN_READOUT_TANH : SOMAIF_ESN_READOUT_LINEAR;
  return TRUE;
}

static void *
esn_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  gint64 units64 = somaif_params_get_int (params, "units");
  gint64 outputs64 = somaif_params_get_int (params, "outputs");
  double connectivity = somaif_params_get_float (params, "connectivity");
  double sigma = somaif_params_get_float (params, "sigma");
  double tau = somaif_params_get_float (params, "tau");
  const char *path = somaif_params_get_string (params, "weights");

  if (units64 < 1 || units64 > SOMAIF_ESN_MAX_UNITS)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "units = %" G_GINT64_FORMAT " is out of range: this build runs 1 to %d "
                   "units (SOMAIF_ESN_MAX_UNITS bounds run()'s stack scratch)",
                   units64, SOMAIF_ESN_MAX_UNITS);
      return NULL;
    }
  if (outputs64 < 1 || outputs64 > SOMAIF_ESN_MAX_OUTPUTS)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "outputs = %" G_GINT64_FORMAT " is out of range (1 to %d)", outputs64,
                   SOMAIF_ESN_MAX_OUTPUTS);
      return NULL;
    }
  if (!(connectivity >= 0.0 && connectivity <= 1.0) || !(sigma >= 0.0) || !isfinite (sigma))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "connectivity = %g must be in [0, 1] and sigma = %g finite and >= 0",
                   connectivity, sigma);
      return NULL;
    }
  const int units = (int) units64, outputs = (int) outputs64;
  SomaifEsnDraw draw;
  SomaifEsnReadout readout;
  if (!esn_read_choices (params, &draw, &readout, error))
    return NULL;

  float *w_r = NULL, *b_r = NULL, *w_o = NULL, *b_o = NULL;
  SomaifEsnModel *model = NULL;
  if (path)
    {
      GError *local = NULL;
      GHashTable *arrays = somaif_arrays_load (path, &local);
      if (!arrays)
        {
          g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                       "weights file '%s': %s", path, local->message);
          g_error_free (local);
          return NULL;
        }
      const int s_rr[2] = { units, units }, s_r[1] = { units };
      const int s_or[2] = { outputs, units }, s_o[1] = { outputs };
      if ((w_r = weights_array (arrays, path, "w_r", 2, s_rr, error))
          && (b_r = weights_array (arrays, path, "b_r", 1, s_r, error))
          && (w_o = weights_array (arrays, path, "w_o", 2, s_or, error))
          && (b_o = weights_array (arrays, path, "b_o", 1, s_o, error)))
        model = somaif_esn_model_new (units, outputs, tau, w_r, b_r, w_o, b_o, error);
      g_hash_table_destroy (arrays);
    }
  else
    {
      SomaifRng rng;
      somaif_rng_init (&rng, setup->seed);
      w_r = g_new (float, (gsize) units * units);
      b_r = g_new (float, units);
      w_o = g_new (float, (gsize) outputs * units);
      b_o = g_new (float, outputs);
      somaif_esn_draw_weights_with (&rng, units, outputs, &draw, w_r, b_r, w_o, b_o);
      model = somaif_esn_model_new (units, outputs, tau, w_r, b_r, w_o, b_o, error);
    }
  g_free (w_r);
  g_free (b_r);
  g_free (w_o);
  g_free (b_o);
  if (!model)
    return NULL;
  somaif_esn_model_set_readout (model, readout);

  Esn *self = g_new0 (Esn, 1);
  self->model = model;
  return self;
}

static void
esn_destroy (void *data)
{
  Esn *self = data;
  if (!self)
    return;
  somaif_esn_model_free (self->model);
  g_free (self);
}

static const char *
esn_error_message (const void *data)
{
  const Esn *self = data;
  const char *message = g_atomic_pointer_get (&((Esn *) self)->error);
  return message ? message : "no error";
}

static int
esn_state_size (const void *data)
{
  return somaif_esn_model_units (((const Esn *) data)->model);
}

static int
esn_output_size (const void *data)
{
  return somaif_esn_model_outputs (((const Esn *) data)->model);
}

static int
esn_run (const void *data, int batch, const float *states, int steps, float *out)
{
  const Esn *self = data;
  if (batch < 0 || steps < 0)
    {
      esn_fail (self, "run: batch and steps must be >= 0");
      return -1;
    }
  if (batch > 0 && (!states || (steps > 0 && !out)))
    {
      esn_fail (self, "run: states or out is NULL");
      return -1;
    }
  somaif_esn_run (self->model, batch, states, steps, out);
  return 0;
}

/* The four weight arrays' sizes, in the order they are saved and exported. */
static void
weight_sizes (const SomaifEsnModel *m, gsize size[4])
{
  gsize units = (gsize) somaif_esn_model_units (m), outputs = (gsize) somaif_esn_model_outputs (m);
  size[0] = units * units;
  size[1] = units;
  size[2] = outputs * units;
  size[3] = outputs;
}

static inline guint32
get_u32 (const guint8 *p)
{
  return somaif_state_get_u32 (&p);
}

/* Layout: version byte, units and outputs (u32 LE), then w_r, b_r, w_o, b_o
 * as little-endian float32: the weights are the instance's only state (the
 * random generator is used up in create()). */
static int
esn_save_state (const void *data, GByteArray *out)
{
  const Esn *self = data;
  const SomaifEsnModel *m = self->model;
  gsize size[4];
  weight_sizes (m, size);
  float *w[4];
  for (int i = 0; i < 4; i++)
    w[i] = g_new (float, size[i]);
  somaif_esn_model_get_weights (m, w[0], w[1], w[2], w[3]);
  guint8 version = ESN_STATE_VERSION;
  g_byte_array_append (out, &version, 1);
  somaif_state_put_u32 (out, (guint32) somaif_esn_model_units (m));
  somaif_state_put_u32 (out, (guint32) somaif_esn_model_outputs (m));
  for (int i = 0; i < 4; i++)
    {
      for (gsize j = 0; j < size[i]; j++)
        {
          guint32 bits;
          memcpy (&bits, &w[i][j], 4);
          somaif_state_put_u32 (out, bits);
        }
      g_free (w[i]);
    }
  return 0;
}

static int
esn_load_state (void *data, const guint8 *bytes, gsize length)
{
  Esn *self = data;
  const SomaifEsnModel *m = self->model;
  gsize size[4];
  weight_sizes (m, size);
  gsize want = 9 + 4 * (size[0] + size[1] + size[2] + size[3]);
  if (length < 1 || bytes[0] != ESN_STATE_VERSION)
    {
      esn_fail (self, "load_state: not a state of this esn version (1)");
      return -1;
    }
  if (length != want || get_u32 (bytes + 1) != (guint32) somaif_esn_model_units (m)
      || get_u32 (bytes + 5) != (guint32) somaif_esn_model_outputs (m))
    {
      esn_fail (self, "load_state: the state was saved by an esn of another size "
                "(units, outputs)");
      return -1;
    }
  float *w[4];
  const guint8 *p = bytes + 9;
  for (int i = 0; i < 4; i++)
    {
      w[i] = g_new (float, size[i]);
      for (gsize j = 0; j < size[i]; j++, p += 4)
        {
          guint32 bits = get_u32 (p);
          memcpy (&w[i][j], &bits, 4);
        }
    }
  SomaifEsnModel *fresh
    = somaif_esn_model_new (somaif_esn_model_units (m), somaif_esn_model_outputs (m),
                            somaif_esn_model_tau (m), w[0], w[1], w[2], w[3], NULL);
  for (int i = 0; i < 4; i++)
    g_free (w[i]);
  if (!fresh)
    {
      esn_fail (self, "load_state: could not rebuild the model");
      return -1;
    }
  somaif_esn_model_set_readout (fresh, somaif_esn_model_readout (m));
  somaif_esn_model_free (self->model);
  self->model = fresh;
  return 0;
}

static int
esn_export_model (const void *data, const char *dir, GError **error)
{
  const Esn *self = data;
  const SomaifEsnModel *m = self->model;
  const int units = somaif_esn_model_units (m), outputs = somaif_esn_model_outputs (m);
  static const char *const names[4] = { "w_r.npy", "b_r.npy", "w_o.npy", "b_o.npy" };
  const int shapes[4][2] = { { units, units }, { units, 0 }, { outputs, units }, { outputs, 0 } };
  const int ndims[4] = { 2, 1, 2, 1 };
  gsize size[4];
  weight_sizes (m, size);
  float *w[4];
  for (int i = 0; i < 4; i++)
    w[i] = g_new (float, size[i]);
  somaif_esn_model_get_weights (m, w[0], w[1], w[2], w[3]);
  gboolean ok = TRUE;
  for (int i = 0; ok && i < 4; i++)
    {
      char *path = g_build_filename (dir, names[i], NULL);
      ok = somaif_npy_write_f32 (path, w[i], ndims[i], shapes[i], error);
      g_free (path);
    }
  for (int i = 0; i < 4; i++)
    g_free (w[i]);
  return ok ? 0 : -1;
}

static const SomaifGenerator esn_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_GENERATOR,
    .name = "esn",
    .description = "leaky echo-state network with fixed random weights (the seed's ESN)",
    .params = esn_params,
    .create = esn_create,
    .destroy = esn_destroy,
    .set_param = NULL,
    .error_message = esn_error_message,
    .save_state = esn_save_state,
    .load_state = esn_load_state,
  },
  .state_size = esn_state_size,
  .output_size = esn_output_size,
  .run = esn_run,
  .export_model = esn_export_model,
};

SOMAIF_PLUGIN_DEFINE (esn_vtable)
