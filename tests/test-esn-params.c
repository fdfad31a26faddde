/* test-esn-params.c: the esn parameters that the paper's reservoir needs
 * (readout, recurrent_scaling, readout_scaling, biases), each checked against
 * values computed here, apart from the plugin's own arithmetic. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "somaif/plugin.h"
#include "params-private.h"
#include "plugins/esn/esn-core.h"
/* The vtable glue is static: compile it in to reach create() and the model. */
#include "plugins/esn/esn.c"
#include "tests/test-params.h"

static SomaifSetup
make_setup (guint64 seed)
{
  SomaifSetup s = { 0 };
  s.struct_size = sizeof s;
  s.seed = seed;
  s.config_dir = ".";
  s.steps = 20;
  return s;
}

/* An instance from the declared defaults and overrides ("name", "value", ...). */
static Esn *
create_esn (guint64 seed, const char *const *overrides, GError **error)
{
  SomaifSetup setup = make_setup (seed);
  /* test_params_new() wants a default for every key: weights has none */
  SomaifParams *p = somaif_params_new (esn_params);
  for (int i = 0; i < p->n; i++)
    if (p->values[i].spec->def)
      test_param_take (&p->values[i], p->values[i].spec->def);
  for (int i = 0; overrides && overrides[i]; i += 2)
    {
      SomaifParamValue *v = somaif_params_lookup (p, overrides[i]);
      g_assert_nonnull (v);
      test_param_take (v, overrides[i + 1]);
      v->given = TRUE;
    }
  Esn *self = esn_vtable.head.create (&setup, p, error);
  somaif_params_free (p);
  return self;
}

typedef struct
{
  int units, outputs;
  float *w_r, *b_r, *w_o, *b_o;
} Weights;

static Weights
weights_of (const Esn *self)
{
  Weights w;
  w.units = somaif_esn_model_units (self->model);
  w.outputs = somaif_esn_model_outputs (self->model);
  w.w_r = g_new (float, w.units * w.units);
  w.b_r = g_new (float, w.units);
  w.w_o = g_new (float, w.outputs * w.units);
  w.b_o = g_new (float, w.outputs);
  somaif_esn_model_get_weights (self->model, w.w_r, w.b_r, w.w_o, w.b_o);
  return w;
}

static void
weights_clear (Weights *w)
{
  g_free (w->w_r);
  g_free (w->b_r);
  g_free (w->w_o);
  g_free (w->b_o);
}

/* Sample standard deviation (about 0) and count of the nonzero values. */
static double
nonzero_std (const float *x, int n, int *count)
{
  double ss = 0.0;
  *count = 0;
  for (int i = 0; i < n; i++)
    if (x[i] != 0.0f)
      {
        ss += (double) x[i] * x[i];
        (*count)++;
      }
  return *count ? sqrt (ss / *count) : 0.0;
}

/* The forward pass of esn-core.h written plainly in double: x_t for one row. */
static void
reference_run (const Weights *w, double tau, const float *state, int steps, gboolean tanh_out,
               double *out)
{
  const int n = w->units;
  double *h = g_new (double, n), *r = g_new (double, n), *next = g_new (double, n);
  for (int i = 0; i < n; i++)
    h[i] = state[i];
  for (int t = 0; t < steps; t++)
    {
      for (int i = 0; i < n; i++)
        r[i] = tanh (h[i]);
      for (int i = 0; i < n; i++)
        {
          double s = w->b_r[i];
          for (int k = 0; k < n; k++)
            s += w->w_r[i * n + k] * r[k];
          next[i] = (1.0 - 1.0 / tau) * h[i] + s / tau;
        }
      memcpy (h, next, n * sizeof (double));
      for (int o = 0; o < w->outputs; o++)
        {
          double s = w->b_o[o];
          for (int k = 0; k < n; k++)
            s += w->w_o[o * n + k] * tanh (h[k]);
          out[t * w->outputs + o] = tanh_out ? tanh (s) : s;
        }
    }
  g_free (h);
  g_free (r);
  g_free (next);
}

/* readout = "tanh": the outputs are tanh of the linear readout, as computed
 * here from the instance's own weights; the linear readout's are not. */
static void
test_tanh_readout (void)
{
  static const char *const lin[] = { "units", "12", "readout_scaling", "\"none\"", NULL };
  static const char *const tnh[] = { "units", "12", "readout_scaling", "\"none\"",
                                     "readout", "\"tanh\"", NULL };
  const int steps = 20, batch = 3, n = 12;
  GError *error = NULL;
  Esn *a = create_esn (5, lin, &error);
  g_assert_no_error (error);
  Esn *b = create_esn (5, tnh, &error);
  g_assert_no_error (error);
  Weights w = weights_of (b);

  float states[3 * 12];
  for (int i = 0; i < batch * n; i++)
    states[i] = (float) sin (1.7 * i);
  float out_lin[3 * 20 * 2], out_tanh[3 * 20 * 2];
  g_assert_cmpint (esn_vtable.run (a, batch, states, steps, out_lin), ==, 0);
  g_assert_cmpint (esn_vtable.run (b, batch, states, steps, out_tanh), ==, 0);

  double ref[20 * 2], worst = 0.0, beyond_one = 0.0;
  for (int r = 0; r < batch; r++)
    {
      reference_run (&w, 50.0, states + r * n, steps, TRUE, ref);
      for (int i = 0; i < steps * 2; i++)
        {
          worst = MAX (worst, fabs (out_tanh[r * steps * 2 + i] - ref[i]));
          beyond_one = MAX (beyond_one, fabs (out_lin[r * steps * 2 + i]));
        }
    }
  g_test_message ("tanh readout: worst |error| %.3g; largest linear output %.3g", worst,
                  beyond_one);
  g_assert_cmpfloat (worst, <, 1e-5);
  /* N(0, 1) readout weights make linear outputs beyond 1, which tanh cannot give */
  g_assert_cmpfloat (beyond_one, >, 1.0);

  weights_clear (&w);
  esn_vtable.head.destroy (a);
  esn_vtable.head.destroy (b);
}

/* recurrent_scaling = "network": nonzero weights' std is sigma / sqrt(p N);
 * "none" (the default): sigma.  readout_scaling = "none": std 1; the
 * default: 1 / units.  Sampling tolerances: the relative error of a std
 * estimated from m values is about 1 / sqrt(2 m). */
static void
test_weight_scaling (void)
{
  static const char *const paper[] = { "units", "200", "connectivity", "0.1",
                                       "recurrent_scaling", "\"network\"",
                                       "readout_scaling", "\"none\"", "outputs", "4", NULL };
  static const char *const plain[] = { "units", "200", "connectivity", "0.1",
                                       "outputs", "4", NULL };
  GError *error = NULL;
  Esn *a = create_esn (3, paper, &error);
  g_assert_no_error (error);
  Esn *b = create_esn (3, plain, &error);
  g_assert_no_error (error);
  Weights wa = weights_of (a), wb = weights_of (b);

  int m, mb, mo;
  double want = 1.5 / sqrt (0.1 * 200);
  double got = nonzero_std (wa.w_r, 200 * 200, &m);
  double got_plain = nonzero_std (wb.w_r, 200 * 200, &mb);
  double got_out = nonzero_std (wa.w_o, 4 * 200, &mo);
  double got_out_plain = nonzero_std (wb.w_o, 4 * 200, &mo);
  g_test_message ("recurrent std %.4f (want %.4f, %d weights), unscaled %.4f; readout std %.4f,"
                  " default %.5f", got, want, m, got_plain, got_out, got_out_plain);
  g_assert_cmpfloat (fabs (m / (200.0 * 200.0) - 0.1), <, 0.01);
  g_assert_cmpfloat (fabs (got / want - 1.0), <, 5.0 / sqrt (2.0 * m));
  g_assert_cmpfloat (fabs (got_plain / 1.5 - 1.0), <, 5.0 / sqrt (2.0 * mb));
  g_assert_cmpfloat (fabs (got_out - 1.0), <, 5.0 / sqrt (2.0 * 800));
  g_assert_cmpfloat (fabs (got_out_plain * 200 - 1.0), <, 5.0 / sqrt (2.0 * 800));
  /* the same draws, only scaled: the mask and signs agree */
  for (int i = 0; i < 200 * 200; i++)
    g_assert_true ((wa.w_r[i] > 0) == (wb.w_r[i] > 0) && (wa.w_r[i] == 0) == (wb.w_r[i] == 0));

  weights_clear (&wa);
  weights_clear (&wb);
  esn_vtable.head.destroy (a);
  esn_vtable.head.destroy (b);
}

/* The float32 values of a 1-D .npy file of n floats (its last 4 n bytes). */
static float *
npy_tail (const char *path, int n)
{
  gchar *bytes;
  gsize length;
  GError *error = NULL;
  g_assert_true (g_file_get_contents (path, &bytes, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 4 * (gsize) n);
  g_assert_true (memcmp (bytes, "\x93NUMPY", 6) == 0);
  float *v = g_new (float, n);
  memcpy (v, bytes + length - 4 * (gsize) n, 4 * (gsize) n);
  g_free (bytes);
  return v;
}

/* biases = false: b_r and b_o are zero, written to model/ as zeros, and the
 * other weights are those drawn with biases. */
static void
test_no_biases (void)
{
  static const char *const none[] = { "units", "16", "biases", "false", NULL };
  static const char *const some[] = { "units", "16", NULL };
  GError *error = NULL;
  Esn *a = create_esn (9, none, &error);
  g_assert_no_error (error);
  Esn *b = create_esn (9, some, &error);
  g_assert_no_error (error);
  Weights wa = weights_of (a), wb = weights_of (b);
  int nonzero_b = 0;
  for (int i = 0; i < 16; i++)
    {
      g_assert_cmpfloat (wa.b_r[i], ==, 0.0f);
      nonzero_b += wb.b_r[i] != 0.0f;
    }
  g_assert_cmpfloat (wa.b_o[0], ==, 0.0f);
  g_assert_cmpfloat (wa.b_o[1], ==, 0.0f);
  g_assert_cmpint (nonzero_b, ==, 16);
  g_assert_cmpmem (wa.w_r, 16 * 16 * sizeof (float), wb.w_r, 16 * 16 * sizeof (float));
  g_assert_cmpmem (wa.w_o, 2 * 16 * sizeof (float), wb.w_o, 2 * 16 * sizeof (float));

  g_autofree char *dir = g_dir_make_tmp ("test-esn-params-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (esn_vtable.export_model (a, dir, &error), ==, 0);
  g_assert_no_error (error);
  g_autofree char *b_r_path = g_build_filename (dir, "b_r.npy", NULL);
  g_autofree char *b_o_path = g_build_filename (dir, "b_o.npy", NULL);
  g_autofree char *w_r_path = g_build_filename (dir, "w_r.npy", NULL);
  g_autofree char *w_o_path = g_build_filename (dir, "w_o.npy", NULL);
  float *b_r = npy_tail (b_r_path, 16), *b_o = npy_tail (b_o_path, 2);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat (b_r[i], ==, 0.0f);
  g_assert_cmpfloat (b_o[0], ==, 0.0f);
  g_assert_cmpfloat (b_o[1], ==, 0.0f);
  g_free (b_r);
  g_free (b_o);
  g_remove (b_r_path);
  g_remove (b_o_path);
  g_remove (w_r_path);
  g_remove (w_o_path);
  g_rmdir (dir);

  weights_clear (&wa);
  weights_clear (&wb);
  esn_vtable.head.destroy (a);
  esn_vtable.head.destroy (b);
}

/* A readout loaded back from a saved state keeps the instance's readout. */
static void
test_state_keeps_readout (void)
{
  static const char *const tnh[] = { "units", "8", "readout", "\"tanh\"",
                                     "readout_scaling", "\"none\"", NULL };
  GError *error = NULL;
  Esn *a = create_esn (2, tnh, &error);
  g_assert_no_error (error);
  Esn *b = create_esn (4, tnh, &error);
  g_assert_no_error (error);
  GByteArray *saved = g_byte_array_new ();
  g_assert_cmpint (esn_vtable.head.save_state (a, saved), ==, 0);
  g_assert_cmpint (esn_vtable.head.load_state (b, saved->data, saved->len), ==, 0);
  float state[8] = { 0.5f, -0.5f, 1, -1, 2, -2, 0.1f, 0 }, out_a[20], out_b[20];
  g_assert_cmpint (esn_vtable.run (a, 1, state, 10, out_a), ==, 0);
  g_assert_cmpint (esn_vtable.run (b, 1, state, 10, out_b), ==, 0);
  g_assert_cmpmem (out_a, sizeof out_a, out_b, sizeof out_b);
  g_byte_array_unref (saved);
  esn_vtable.head.destroy (a);
  esn_vtable.head.destroy (b);
}

/* A word outside a choice's list is refused, naming the key and the words. */
static void
test_bad_choices (void)
{
  static const char *const keys[][2] = { { "readout", "sigmoid" },
                                         { "recurrent_scaling", "sqrt" },
                                         { "readout_scaling", "unit" } };
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = g_strdup_printf ("\"%s\"", keys[i][1]);
      const char *const over[] = { keys[i][0], value, NULL };
      GError *error = NULL;
      Esn *self = create_esn (1, over, &error);
      g_assert_null (self);
      g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
      g_test_message ("refused: %s", error->message);
      g_assert_nonnull (strstr (error->message, keys[i][0]));
      g_assert_nonnull (strstr (error->message, keys[i][1]));
      g_error_free (error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esn-params/tanh-readout", test_tanh_readout);
  g_test_add_func ("/esn-params/weight-scaling", test_weight_scaling);
  g_test_add_func ("/esn-params/no-biases", test_no_biases);
  g_test_add_func ("/esn-params/state-keeps-readout", test_state_keeps_readout);
  g_test_add_func ("/esn-params/bad-choices", test_bad_choices);
  return g_test_run ();
}
