/* test-golden-esn.c: the esn generator against the seed's own numbers
 * (tests/data/golden/esn.txt), the batch-independence of its rows, its tanh,
 * and the plugin glue (weights file, random weights, state, export). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "somaif/plugin.h"
#include "params-private.h"
#include "plugins/esn/esn-core.h"
/* The vtable glue is static: compile it in to reach create() and the methods. */
#include "plugins/esn/esn.c"
#include "tests/test-params.h"

/* The outputs against the seed's float32 PyTorch numbers, as a share of max|xs|:
 * 4.3e-7 observed (8.94e-8 absolute); 2e-6 allowed. */
#define ESN_TOL 2e-6

/* ---- helpers ---------------------------------------------------------- */

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("SOMAIF_TEST_DATA");
  if (dir && *dir)
    return g_build_filename (dir, "golden", name, NULL);
  return g_build_filename (g_test_get_dir (G_TEST_DIST), "data", "golden", name, NULL);
}

static GHashTable *
load_golden (void)
{
  g_autofree char *path = data_path ("esn.txt");
  GError *error = NULL;
  GHashTable *arrays = somaif_arrays_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (arrays);
  return arrays;
}

static float *
golden_floats (GHashTable *arrays, const char *name, int ndim, const int *shape)
{
  GError *error = NULL;
  const SomaifArray *a = somaif_arrays_get (arrays, name, ndim, shape, &error);
  g_assert_no_error (error);
  float *out = g_new (float, a->size);
  for (gsize i = 0; i < a->size; i++)
    out[i] = (float) a->data[i];
  return out;
}

typedef struct
{
  SomaifEsnModel *model;
  float *h_init;  /* 3 x 100 */
  const SomaifArray *xs;  /* 100 x 3 x 2 */
  GHashTable *arrays;
} Golden;

static void
golden_init (Golden *g)
{
  g->arrays = load_golden ();
  const int s_rr[2] = { 100, 100 }, s_r[1] = { 100 }, s_or[2] = { 2, 100 }, s_o[1] = { 2 };
  const int s_h[2] = { 3, 100 }, s_xs[3] = { 100, 3, 2 };
  float *w_r = golden_floats (g->arrays, "w_r", 2, s_rr);
  float *b_r = golden_floats (g->arrays, "b_r", 1, s_r);
  float *w_o = golden_floats (g->arrays, "w_o", 2, s_or);
  float *b_o = golden_floats (g->arrays, "b_o", 1, s_o);
  GError *error = NULL;
  const SomaifArray *tau = somaif_arrays_get (g->arrays, "tau", 0, NULL, &error);
  g_assert_no_error (error);
  g->model = somaif_esn_model_new (100, 2, tau->data[0], w_r, b_r, w_o, b_o, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g->model);
  g->h_init = golden_floats (g->arrays, "h_init", 2, s_h);
  g->xs = somaif_arrays_get (g->arrays, "xs", 3, s_xs, &error);
  g_assert_no_error (error);
  g_free (w_r);
  g_free (b_r);
  g_free (w_o);
  g_free (b_o);
}

static void
golden_clear (Golden *g)
{
  somaif_esn_model_free (g->model);
  g_free (g->h_init);
  g_hash_table_destroy (g->arrays);
}

/* out is batch x steps x outputs; the golden xs is steps x batch x outputs. */
static double
worst_error (const float *out, const SomaifArray *xs, double *scale)
{
  const int steps = xs->shape[0], batch = xs->shape[1], outputs = xs->shape[2];
  double worst = 0.0, max_abs = 0.0;
  for (gsize i = 0; i < xs->size; i++)
    max_abs = MAX (max_abs, fabs (xs->data[i]));
  for (int b = 0; b < batch; b++)
    for (int t = 0; t < steps; t++)
      for (int k = 0; k < outputs; k++)
        {
          double want = xs->data[((gsize) t * batch + b) * outputs + k];
          double got = out[((gsize) b * steps + t) * outputs + k];
          g_assert_true (isfinite (got));
          worst = MAX (worst, fabs (got - want));
        }
  *scale = max_abs;
  return worst;
}

/* ---- the seed's numbers ------------------------------------------------- */

static void
test_golden_forward (void)
{
  Golden g;
  golden_init (&g);
  float *out = g_new0 (float, 3 * 100 * 2);
  somaif_esn_run (g.model, 3, g.h_init, 100, out);
  double scale, worst = worst_error (out, g.xs, &scale);
  g_test_message ("esn vs golden xs: worst |error| %.3g, max|xs| %.4g, tolerance %.3g "
                  "(worst / max|xs| = %.3g)", worst, scale, ESN_TOL * scale, worst / scale);
  g_assert_cmpfloat (scale, >, 0.01);
  g_assert_cmpfloat (worst, <=, ESN_TOL * scale);

  /* one row at a time: bit-identical to the batch */
  float *one = g_new0 (float, 100 * 2);
  for (int b = 0; b < 3; b++)
    {
      somaif_esn_run (g.model, 1, g.h_init + b * 100, 100, one);
      g_assert_cmpmem (one, 100 * 2 * sizeof (float), out + b * 100 * 2,
                       100 * 2 * sizeof (float));
    }
  g_free (one);
  g_free (out);
  golden_clear (&g);
}

/* A row's result is bit-identical alone, in a batch of 10 at every position,
 * and in batches that split the kernel's row blocks differently. */
static void
test_batch_independent (void)
{
  Golden g;
  golden_init (&g);
  enum { B = 10, STEPS = 100, OUT = 2, N = 100 };
  SomaifRng rng;
  somaif_rng_init (&rng, 7);
  float *states = g_new (float, B * N);
  for (int i = 0; i < B * N; i++)
    states[i] = (float) (2.0 * somaif_rng_normal (&rng));
  memcpy (states, g.h_init + 100, N * sizeof (float)); /* a golden row too */

  float *batch = g_new (float, B * STEPS * OUT);
  somaif_esn_run (g.model, B, states, STEPS, batch);

  float *alone = g_new (float, STEPS * OUT);
  for (int b = 0; b < B; b++)
    {
      somaif_esn_run (g.model, 1, states + b * N, STEPS, alone);
      g_assert_cmpmem (alone, sizeof (float) * STEPS * OUT, batch + b * STEPS * OUT,
                       sizeof (float) * STEPS * OUT);
    }

  /* reversed order, and every prefix length (1 .. 10 rows) */
  float *rev_states = g_new (float, B * N), *rev = g_new (float, B * STEPS * OUT);
  for (int b = 0; b < B; b++)
    memcpy (rev_states + b * N, states + (B - 1 - b) * N, N * sizeof (float));
  somaif_esn_run (g.model, B, rev_states, STEPS, rev);
  for (int b = 0; b < B; b++)
    g_assert_cmpmem (rev + b * STEPS * OUT, sizeof (float) * STEPS * OUT,
                     batch + (B - 1 - b) * STEPS * OUT, sizeof (float) * STEPS * OUT);
  for (int len = 1; len <= B; len++)
    {
      somaif_esn_run (g.model, len, rev_states + (B - len) * N, STEPS, rev);
      for (int b = 0; b < len; b++)
        g_assert_cmpmem (rev + b * STEPS * OUT, sizeof (float) * STEPS * OUT,
                         batch + (len - 1 - b) * STEPS * OUT, sizeof (float) * STEPS * OUT);
    }

  /* a batch long enough to span several groups of row blocks */
  enum { BIG = 4 * SOMAIF_ESN_BLOCK_ROWS * 2 + 3 };
  float *big_states = g_new (float, BIG * N), *big = g_new (float, BIG * STEPS * OUT);
  for (int b = 0; b < BIG; b++)
    memcpy (big_states + b * N, states + ((b * 7) % B) * N, N * sizeof (float));
  somaif_esn_run (g.model, BIG, big_states, STEPS, big);
  for (int b = 0; b < BIG; b++)
    g_assert_cmpmem (big + b * STEPS * OUT, sizeof (float) * STEPS * OUT,
                     batch + ((b * 7) % B) * STEPS * OUT, sizeof (float) * STEPS * OUT);
  g_free (big_states);
  g_free (big);

  /* fewer steps: the same prefix */
  somaif_esn_run (g.model, 1, states + 3 * N, 17, alone);
  g_assert_cmpmem (alone, sizeof (float) * 17 * OUT, batch + 3 * STEPS * OUT,
                   sizeof (float) * 17 * OUT);

  g_free (states);
  g_free (batch);
  g_free (alone);
  g_free (rev_states);
  g_free (rev);
  golden_clear (&g);
}

/* The vectorised tanh against libm's on a dense grid of [-20, 20]. */
static void
test_tanh (void)
{
  const int n = 4000001; /* step 1e-5 */
  float *x = g_new (float, n + 8), *y = g_new (float, n + 8);
  for (int i = 0; i < n; i++)
    x[i] = (float) (-20.0 + 40.0 * i / (n - 1));
  /* tiny and special values */
  const float extra[8] = { 0.0f, -0.0f, 1e-30f, -3e-8f, 1e-4f, INFINITY, -INFINITY, 9.5f };
  memcpy (x + n, extra, sizeof extra);
  somaif_esn_tanh_array (x, y, n + 8);
  double worst_rel = 0.0, worst_abs = 0.0;
  float at = 0.0f;
  for (int i = 0; i < n + 6; i++)
    {
      double want = tanh ((double) x[i]);
      double abs_err = fabs ((double) y[i] - want);
      double rel = want != 0.0 ? abs_err / fabs (want) : abs_err;
      if (rel > worst_rel)
        worst_rel = rel, at = x[i];
      worst_abs = MAX (worst_abs, abs_err);
      g_assert_cmpfloat (fabs (y[i]), <=, 1.0f);
    }
  g_test_message ("tanh: worst relative error %.3g at x = %.9g, worst absolute %.3g",
                  worst_rel, at, worst_abs);
  g_assert_cmpfloat (worst_rel, <, 1e-6);
  g_assert_true (y[n] == 0.0f && y[n + 1] == 0.0f);
  g_assert_cmpfloat (y[n + 5], ==, 1.0f);
  g_assert_cmpfloat (y[n + 6], ==, -1.0f);
  /* odd, and monotone up to float rounding (a few ulps near +-1) */
  for (int i = 0; i < n / 2; i++)
    g_assert_cmpfloat (y[i], ==, -y[n - 1 - i]);
  for (int i = 1; i < n; i++)
    g_assert_cmpfloat (y[i], >=, y[i - 1] - 5e-7f);
  /* NaN stays NaN; an odd length uses the padded tail */
  float nan_in[3] = { NAN, 0.5f, -0.5f }, nan_out[3];
  somaif_esn_tanh_array (nan_in, nan_out, 3);
  g_assert_true (isnan (nan_out[0]));
  g_assert_cmpfloat (fabs (nan_out[1] - tanh (0.5)), <, 1e-7);
  g_assert_cmpfloat (nan_out[2], ==, -nan_out[1]);
  g_free (x);
  g_free (y);
}

/* ---- the plugin glue ----------------------------------------------------- */

/* The declared parameters with their defaults (the host's job, done by hand). */
static SomaifParams *
default_params (void)
{
  SomaifParams *p = somaif_params_new (esn_params);
  for (int i = 0; i < p->n; i++)
    {
      SomaifParamValue *v = &p->values[i];
      if (v->spec->def)
        test_param_take (v, v->spec->def);
    }
  return p;
}

static void
set_int (SomaifParams *p, const char *name, gint64 value)
{
  SomaifParamValue *v = somaif_params_lookup (p, name);
  g_assert_nonnull (v);
  v->present = v->given = TRUE;
  v->i = value;
}

static void
set_string (SomaifParams *p, const char *name, const char *value)
{
  SomaifParamValue *v = somaif_params_lookup (p, name);
  g_assert_nonnull (v);
  g_free (v->s);
  v->present = v->given = TRUE;
  v->s = g_strdup (value);
}

static SomaifSetup
make_setup (guint64 seed)
{
  SomaifSetup s = { 0 };
  s.struct_size = sizeof s;
  s.seed = seed;
  s.config_dir = ".";
  s.steps = 100;
  return s;
}

static void
test_vtable (void)
{
  const SomaifPluginHead *head = somaif_plugin_describe ();
  const SomaifGenerator *gen = (const SomaifGenerator *) head;
  g_assert_cmpuint (head->abi_major, ==, SOMAIF_ABI_MAJOR);
  g_assert_cmpuint (head->kind, ==, SOMAIF_KIND_GENERATOR);
  g_assert_cmpstr (head->name, ==, "esn");
  g_assert_nonnull (gen->run);
  g_assert_nonnull (gen->state_size);
  g_assert_nonnull (gen->output_size);
  for (const SomaifParamSpec *s = head->params; s->name; s++)
    {
      g_assert_nonnull (s->doc);
      g_assert_true (s->def || (s->flags & SOMAIF_PARAM_OPTIONAL));
    }
}

/* The golden weights through a weights file give the golden outputs. */
static void
test_create_weights_file (void)
{
  g_autofree char *path = data_path ("esn.txt");
  SomaifParams *p = default_params ();
  set_string (p, "weights", path);
  SomaifSetup setup = make_setup (1);
  GError *error = NULL;
  void *self = esn_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (self);
  g_assert_cmpint (esn_vtable.state_size (self), ==, 100);
  g_assert_cmpint (esn_vtable.output_size (self), ==, 2);

  Golden g;
  golden_init (&g);
  float *out = g_new (float, 3 * 100 * 2);
  g_assert_cmpint (esn_vtable.run (self, 3, g.h_init, 100, out), ==, 0);
  double scale, worst = worst_error (out, g.xs, &scale);
  g_test_message ("esn plugin with weights file: worst |error| %.3g (tolerance %.3g)", worst,
                  ESN_TOL * scale);
  g_assert_cmpfloat (worst, <=, ESN_TOL * scale);

  /* bad calls fail with a message, change nothing */
  g_assert_cmpint (esn_vtable.run (self, -1, g.h_init, 100, out), <, 0);
  g_assert_nonnull (strstr (esn_vtable.head.error_message (self), "batch"));
  g_assert_cmpint (esn_vtable.run (self, 0, NULL, 100, NULL), ==, 0);

  g_free (out);
  golden_clear (&g);
  esn_vtable.head.destroy (self);
  somaif_params_free (p);
}

static char *
write_tmp (const char *text)
{
  GError *error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("test-esn-XXXXXX.txt", &path, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A weights file whose shapes disagree with units/outputs is refused, naming
 * the file and the array. */
static void
test_create_wrong_shape (void)
{
  static const char *const files[][2] = {
    { "@ w_r 3 3\n0 0 0 0 0 0 0 0 0\n@ b_r 4\n0 0 0 0\n@ w_o 2 4\n0 0 0 0 0 0 0 0\n"
      "@ b_o 2\n0 0\n", "w_r" },
    { "@ w_r 4 4\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n@ b_r 4\n0 0 0 0\n@ w_o 3 4\n"
      "0 0 0 0 0 0 0 0 0 0 0 0\n@ b_o 2\n0 0\n", "w_o" },
    { "@ w_r 4 4\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n@ b_r 5\n0 0 0 0 0\n@ w_o 2 4\n"
      "0 0 0 0 0 0 0 0\n@ b_o 2\n0 0\n", "b_r" },
    { "@ w_r 4 4\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n@ b_r 4\n0 0 0 0\n@ w_o 2 4\n"
      "0 0 0 0 0 0 0 0\n", "b_o" },
    { "@ w_r 4 4\n0 0 0 0 0 0 nan 0 0 0 0 0 0 0 0 0\n@ b_r 4\n0 0 0 0\n@ w_o 2 4\n"
      "0 0 0 0 0 0 0 0\n@ b_o 2\n0 0\n", "w_r" },
  };
  SomaifSetup setup = make_setup (1);
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = write_tmp (files[i][0]);
      SomaifParams *p = default_params ();
      set_int (p, "units", 4);
      set_string (p, "weights", path);
      GError *error = NULL;
      void *self = esn_vtable.head.create (&setup, p, &error);
      g_assert_null (self);
      g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
      g_test_message ("refused: %s", error->message);
      g_autofree char *quoted = g_strdup_printf ("'%s'", files[i][1]);
      g_assert_nonnull (strstr (error->message, quoted));
      g_assert_nonnull (strstr (error->message, path));
      g_error_free (error);
      somaif_params_free (p);
      g_remove (path);
    }

  /* the same shapes, right this time, are accepted */
  g_autofree char *good = write_tmp (
    "@ w_r 4 4\n1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1\n@ b_r 4\n0 0 0 0\n@ w_o 2 4\n"
    "1 0 0 0 0 1 0 0\n@ b_o 2\n0.5 -0.5\n");
  SomaifParams *p = default_params ();
  set_int (p, "units", 4);
  set_string (p, "weights", good);
  GError *error = NULL;
  void *self = esn_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  float state[4] = { 0 }, out[2];
  g_assert_cmpint (esn_vtable.run (self, 1, state, 1, out), ==, 0);
  g_assert_cmpfloat (out[0], ==, 0.5f);
  g_assert_cmpfloat (out[1], ==, -0.5f);
  esn_vtable.head.destroy (self);
  somaif_params_free (p);
  g_remove (good);

  /* a missing file is refused with its name */
  p = default_params ();
  set_string (p, "weights", "/nonexistent/esn-weights.txt");
  self = esn_vtable.head.create (&setup, p, &error);
  g_assert_null (self);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/esn-weights.txt"));
  g_clear_error (&error);
  somaif_params_free (p);

  /* more units than run()'s scratch holds */
  p = default_params ();
  set_int (p, "units", SOMAIF_ESN_MAX_UNITS + 1);
  self = esn_vtable.head.create (&setup, p, &error);
  g_assert_null (self);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_assert_nonnull (strstr (error->message, "units"));
  g_clear_error (&error);
  somaif_params_free (p);
}

static GByteArray *
saved_state (void *self)
{
  GByteArray *b = g_byte_array_new ();
  g_assert_cmpint (esn_vtable.head.save_state (self, b), ==, 0);
  return b;
}

/* Random weights: drawn from the seed as the seed's ESN draws them. */
static void
test_random_weights (void)
{
  SomaifParams *p = default_params ();
  SomaifSetup s1 = make_setup (11), s2 = make_setup (12);
  GError *error = NULL;
  void *a = esn_vtable.head.create (&s1, p, &error);
  g_assert_no_error (error);
  void *a2 = esn_vtable.head.create (&s1, p, &error);
  g_assert_no_error (error);
  void *b = esn_vtable.head.create (&s2, p, &error);
  g_assert_no_error (error);

  GByteArray *sa = saved_state (a), *sa2 = saved_state (a2), *sb = saved_state (b);
  g_assert_cmpmem (sa->data, sa->len, sa2->data, sa2->len);
  g_assert_cmpuint (sa->len, ==, sb->len);
  g_assert_true (memcmp (sa->data, sb->data, sa->len) != 0);

  /* statistics of the draw: connectivity, scales */
  const SomaifEsnModel *m = ((Esn *) a)->model;
  float *w_r = g_new (float, 100 * 100), b_r[100], w_o[200], b_o[2];
  somaif_esn_model_get_weights (m, w_r, b_r, w_o, b_o);
  int zeros = 0;
  double ss = 0.0;
  for (int i = 0; i < 100 * 100; i++)
    if (w_r[i] == 0.0f)
      zeros++;
    else
      ss += (double) w_r[i] * w_r[i];
  double sd_r = sqrt (ss / (100 * 100 - zeros));
  double ss_o = 0.0, ss_br = 0.0;
  for (int i = 0; i < 200; i++)
    ss_o += (double) w_o[i] * w_o[i];
  for (int i = 0; i < 100; i++)
    ss_br += (double) b_r[i] * b_r[i];
  g_test_message ("random esn: %.4f connected, sd(w_r) %.3f, sd(w_o) %.4f, sd(b_r) %.4f",
                  1.0 - zeros / 1e4, sd_r, sqrt (ss_o / 200), sqrt (ss_br / 100));
  g_assert_cmpfloat (fabs (1.0 - zeros / 1e4 - 0.6), <, 0.02);
  g_assert_cmpfloat (fabs (sd_r - 1.5), <, 0.06);
  g_assert_cmpfloat (fabs (sqrt (ss_o / 200) - 0.01), <, 0.002);
  g_assert_cmpfloat (fabs (sqrt (ss_br / 100) - 0.1), <, 0.03);
  g_free (w_r);

  /* the state moves the weights: b behaves as a afterwards */
  float state[100], out_a[200], out_b[200];
  for (int i = 0; i < 100; i++)
    state[i] = (float) sin (i);
  g_assert_cmpint (esn_vtable.run (a, 1, state, 100, out_a), ==, 0);
  g_assert_cmpint (esn_vtable.run (b, 1, state, 100, out_b), ==, 0);
  g_assert_true (memcmp (out_a, out_b, sizeof out_a) != 0);
  g_assert_cmpint (esn_vtable.head.load_state (b, sa->data, sa->len), ==, 0);
  g_assert_cmpint (esn_vtable.run (b, 1, state, 100, out_b), ==, 0);
  g_assert_cmpmem (out_a, sizeof out_a, out_b, sizeof out_b);

  /* refused: another version, a truncated state, another size */
  sa->data[0] = 99;
  g_assert_cmpint (esn_vtable.head.load_state (b, sa->data, sa->len), <, 0);
  g_assert_nonnull (strstr (esn_vtable.head.error_message (b), "version"));
  sa->data[0] = 1;
  g_assert_cmpint (esn_vtable.head.load_state (b, sa->data, sa->len - 4), <, 0);
  set_int (p, "units", 50);
  void *c = esn_vtable.head.create (&s1, p, &error);
  g_assert_no_error (error);
  g_assert_cmpint (esn_vtable.head.load_state (c, sa->data, sa->len), <, 0);
  g_assert_nonnull (strstr (esn_vtable.head.error_message (c), "size"));

  g_byte_array_unref (sa);
  g_byte_array_unref (sa2);
  g_byte_array_unref (sb);
  esn_vtable.head.destroy (a);
  esn_vtable.head.destroy (a2);
  esn_vtable.head.destroy (b);
  esn_vtable.head.destroy (c);
  somaif_params_free (p);
}

/* export_model writes the four weight arrays as float32 .npy files. */
static void
test_export (void)
{
  SomaifParams *p = default_params ();
  set_int (p, "units", 12);
  set_int (p, "outputs", 3);
  SomaifSetup s = make_setup (5);
  GError *error = NULL;
  void *self = esn_vtable.head.create (&s, p, &error);
  g_assert_no_error (error);
  g_autofree char *dir = g_dir_make_tmp ("test-esn-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (esn_vtable.export_model (self, dir, &error), ==, 0);
  g_assert_no_error (error);

  float w[4][144];
  somaif_esn_model_get_weights (((Esn *) self)->model, w[0], w[1], w[2], w[3]);
  static const char *const names[4] = { "w_r.npy", "b_r.npy", "w_o.npy", "b_o.npy" };
  static const char *const shapes[4] = { "(12, 12)", "(12,)", "(3, 12)", "(3,)" };
  const gsize sizes[4] = { 144, 12, 36, 3 };
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (bytes, 6, "\x93NUMPY", 6);
      gsize header = 10 + (guint8) bytes[8] + 256 * (guint8) bytes[9];
      g_assert_cmpuint (len, ==, header + 4 * sizes[i]);
      g_autofree char *dict = g_strndup (bytes + 10, header - 10);
      g_assert_nonnull (strstr (dict, "'<f4'"));
      g_assert_nonnull (strstr (dict, shapes[i]));
      float back[144];
      memcpy (back, bytes + header, 4 * sizes[i]);
      g_assert_cmpmem (back, 4 * sizes[i], w[i], 4 * sizes[i]);
      g_remove (path);
    }
  g_rmdir (dir);
  esn_vtable.head.destroy (self);
  somaif_params_free (p);
}

/* Every clone this CPU runs gives the same bytes as the plain one, for odd
 * sizes too (units not a multiple of any vector, a partial panel, a short
 * block), with both readouts; the golden numbers hold for each. */
static void
test_clones (void)
{
  /* the last group of 16 units (AVX-512) or 8 (AVX2) holding at most 4 of
     a row (whose tanh takes four or two rows at once), 5 to 8, more, none */
  static const int sizes[][2] = { { 100, 2 }, { 37, 3 }, { 1, 1 }, { 130, 5 },
                                  { 24, 2 },  { 30, 2 }, { 32, 1 } };
  SomaifSimd best = somaif_simd_best ();
  g_test_message ("this CPU runs the clones up to %s", somaif_simd_name (best));
  for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
    for (int readout = 0; readout < 2; readout++)
      {
        const int n = sizes[z][0], no = sizes[z][1], batch = 7, steps = 30;
        SomaifRng rng;
        somaif_rng_init (&rng, 11 + z);
        float *w_r = g_new (float, n * n), *b_r = g_new (float, n);
        float *w_o = g_new (float, no * n), *b_o = g_new (float, no);
        somaif_esn_draw_weights (&rng, n, no, 0.6, 1.5, w_r, b_r, w_o, b_o);
        float *states = g_new (float, batch * n);
        for (int i = 0; i < batch * n; i++)
          states[i] = (float) (3.0 * somaif_rng_normal (&rng));
        SomaifEsnModel *m = somaif_esn_model_new (n, no, 7.0, w_r, b_r, w_o, b_o, NULL);
        g_assert_nonnull (m);
        somaif_esn_model_set_readout (m, readout ? SOMAIF_ESN_READOUT_TANH
                                                 : SOMAIF_ESN_READOUT_LINEAR);
        gsize len = (gsize) batch * steps * no;
        float *plain = g_new (float, len), *out = g_new (float, len);
        g_assert_true (somaif_esn_model_set_simd (m, SOMAIF_SIMD_BASELINE));
        somaif_esn_run (m, batch, states, steps, plain);
        for (int l = SOMAIF_SIMD_AVX2; l <= (int) best; l++)
          {
            g_assert_true (somaif_esn_model_set_simd (m, (SomaifSimd) l));
            g_assert_cmpint (somaif_esn_model_simd (m), ==, l);
            memset (out, 0, len * sizeof (float));
            somaif_esn_run (m, batch, states, steps, out);
            g_assert_cmpmem (out, len * sizeof (float), plain, len * sizeof (float));
          }
        /* a clone this CPU lacks is refused and changes nothing */
        if (best < SOMAIF_SIMD_AVX512)
          g_assert_false (somaif_esn_model_set_simd (m, SOMAIF_SIMD_AVX512));
        g_free (plain);
        g_free (out);
        g_free (states);
        g_free (w_r);
        g_free (b_r);
        g_free (w_o);
        g_free (b_o);
        somaif_esn_model_free (m);
      }

  /* the seed's golden forward pass, by each clone */
  Golden g;
  golden_init (&g);
  float *first = g_new0 (float, 3 * 100 * 2), *out = g_new0 (float, 3 * 100 * 2);
  for (int l = SOMAIF_SIMD_BASELINE; l <= (int) best; l++)
    {
      g_assert_true (somaif_esn_model_set_simd (g.model, (SomaifSimd) l));
      somaif_esn_run (g.model, 3, g.h_init, 100, l == 0 ? first : out);
      if (l > 0)
        g_assert_cmpmem (out, 3 * 100 * 2 * sizeof (float), first, 3 * 100 * 2 * sizeof (float));
    }
  double scale, worst = worst_error (first, g.xs, &scale);
  g_assert_cmpfloat (worst, <=, ESN_TOL * scale);
  g_free (first);
  g_free (out);
  golden_clear (&g);
}

/* The plain clone's fused multiply-add is rounded once, as the vector
 * units' is (and as libm's fmaf): on cases where rounding the product and sum
 * twice differs, on midpoints that only the error term decides, on
 * subnormal results, and on random triples. */
static void
test_fma (void)
{
  const float cases[][3] = {
    /* (1 + 2^-12)^2 + 2^-60: the double sum falls on a float midpoint */
    { 1.0f + 0x1p-12f, 1.0f + 0x1p-12f, 0x1p-60f },
    { 1.0f + 0x1p-12f, 1.0f + 0x1p-12f, -0x1p-60f },
    { -(1.0f + 0x1p-12f), 1.0f + 0x1p-12f, 0x1p-60f },
    { 1.0f + 0x1p-12f, 1.0f + 0x1p-12f, 0.0f },
    /* c + 2^-24 - 2^-54: the midpoint again, from below, where ties-to-even
       would round up */
    { 0x1p-24f * (1.0f - 0x1p-15f), 1.0f + 0x1p-15f, 1.0f + 0x1p-22f + 0x1p-23f },
    { 0x1p-70f, 0x1p-70f, 0x1p-140f },          /* subnormal */
    { 3.0f, 1.0f / 3.0f, -1.0f },               /* the product's low bits */
    { 0.1f, 10.0f, -1.0f },
    { 1e30f, 1e30f, 0.0f },                     /* overflow */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      float want = fmaf (cases[i][0], cases[i][1], cases[i][2]);
      float got = somaif_esn_fma (cases[i][0], cases[i][1], cases[i][2]);
      if (memcmp (&want, &got, sizeof want) != 0)
        g_error ("fma(%a, %a, %a): libm %a, the plain clone %a", cases[i][0], cases[i][1],
                 cases[i][2], want, got);
    }
  /* the double-rounding case is one: twice rounded, it would be the even one */
  g_assert_cmpfloat (somaif_esn_fma (1.0f + 0x1p-12f, 1.0f + 0x1p-12f, 0x1p-60f), ==,
                     1.0f + 0x1p-11f + 0x1p-23f);
  g_assert_cmpfloat (somaif_esn_fma (0x1p-24f * (1.0f - 0x1p-15f), 1.0f + 0x1p-15f,
                                     1.0f + 0x1p-22f + 0x1p-23f), ==, 1.0f + 0x1p-22f + 0x1p-23f);
  SomaifRng rng;
  somaif_rng_init (&rng, 3);
  for (int i = 0; i < 1000000; i++)
    {
      float a = (float) somaif_rng_normal (&rng), b = (float) somaif_rng_normal (&rng);
      /* c near -a*b: cancellation, where the product's low half counts */
      float c = i % 2 ? (float) somaif_rng_normal (&rng) : -(a * b) * (1.0f + 0x1p-20f * (float) (i % 7));
      float want = fmaf (a, b, c), got = somaif_esn_fma (a, b, c);
      if (memcmp (&want, &got, sizeof want) != 0)
        g_error ("fma(%a, %a, %a): libm %a, the plain clone %a", a, b, c, want, got);
    }
}

/* For information: the speed of run() on the experiment's shape. */
static void
test_speed (void)
{
  Golden g;
  golden_init (&g);
  enum { B = 10, STEPS = 100, N = 100 };
  float states[B * N], *out = g_new (float, B * STEPS * 2);
  for (int i = 0; i < B * N; i++)
    states[i] = g.h_init[i % 300];
  int reps = g_test_perf () ? 2000 : 100;
  somaif_esn_run (g.model, B, states, STEPS, out);
  gint64 t0 = g_get_monotonic_time ();
  for (int r = 0; r < reps; r++)
    somaif_esn_run (g.model, B, states, STEPS, out);
  double seconds = (g_get_monotonic_time () - t0) * 1e-6;
  double flops = 2.0 * N * N * STEPS * B * (double) reps;
  g_test_message ("esn run(): %d x batch %d x %d steps in %.3f s: %.1f GFLOP/s "
                  "(100x100 matvecs only), %.2f us a rollout", reps, B, STEPS, seconds,
                  flops / seconds * 1e-9, seconds / (reps * B) * 1e6);
  g_assert_true (isfinite (out[B * STEPS * 2 - 1]));
  g_free (out);
  golden_clear (&g);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esn/golden-forward", test_golden_forward);
  g_test_add_func ("/esn/batch-independent", test_batch_independent);
  g_test_add_func ("/esn/tanh", test_tanh);
  g_test_add_func ("/esn/vtable", test_vtable);
  g_test_add_func ("/esn/create-weights-file", test_create_weights_file);
  g_test_add_func ("/esn/create-wrong-shape", test_create_wrong_shape);
  g_test_add_func ("/esn/random-weights", test_random_weights);
  g_test_add_func ("/esn/export", test_export);
  g_test_add_func ("/esn/fma", test_fma);
  g_test_add_func ("/esn/clones", test_clones);
  g_test_add_func ("/esn/speed", test_speed);
  return g_test_run ();
}
