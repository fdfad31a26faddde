/* test-params-reach.c: every declared parameter of every plugin, at its
 * minimum, its maximum and a value other than its default.  The config
 * validator must accept each (a value equal to a bound is in range), and a
 * short run with it must write outputs other than the run without it: the
 * value reaches the model.  Then one value followed all the way: a reservoir
 * with tau = 20 against the leaky update and the arm computed here. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libconfig.h>

#include "host.h"
#include "loader.h"
#include "test-ci.h"
#include "test-tree.h"

/* The small experiment every run starts from; one group is replaced by the
   plugin under test with its defaults. */
static const char *const base_groups[SOMAIF_N_PARTS] = {
  "generator = { plugin = \"esn\"; units = 16; };",
  "plant = { plugin = \"arm2\"; };",
  "renderer = { plugin = \"canvas\"; width = 16; height = 16; };",
  "perceiver = { plugin = \"ringsom\"; units = 4; };",
  "optimiser = { plugin = \"randsearch\"; directions = 2; };",
};
static const char *const group_names[SOMAIF_N_PARTS]
    = { "generator", "plant", "renderer", "perceiver", "optimiser" };
static const char experiment[]
    = "experiment = { epochs = 6; seed = 3; steps = 20; snapshots = 0; checkpoint_every = 0; };\n";

/* Values that cannot show in a run's outputs, or need a companion setting. */
typedef struct
{
  const char *plugin, *param;
  const char *other;  /* the non-default value (strings) */
  const char *extra;  /* group text appended for every run of this parameter */
  const char *why;    /* not NULL: the outputs may stay the same, and why */
} Special;

static const Special specials[] = {
  { "canvas", "snap", NULL, NULL,
    "only paths made solely of horizontal and vertical segments snap: none in a run "
    "(test-golden-render checks snapping)" },
  { "gridsom", "topology", "\"torus\"", NULL, NULL },
  { "gridsom", "kernel", "\"dense\"", NULL, NULL },
  { "ringsom", "kernel", "\"dense\"", NULL, NULL },
  { "cmaes", "covariance", "\"full\"", NULL, NULL },
  /* 1 is in the declared range but refused by create(): one candidate ranks nothing */
  { "cmaes", "population", "6", NULL, NULL },
  { "esn", "weights", "WEIGHTS", "units = 100;", NULL },
  { "esn", "recurrent_scaling", "\"network\"", NULL, NULL },
  { "esn", "readout", "\"tanh\"", NULL, NULL },
  { "esn", "readout_scaling", "\"none\"", NULL, NULL },
  { "randsearch", "step_scaling", "\"fixed\"", NULL, NULL },
};

static const Special *
special (const char *plugin, const char *param)
{
  for (gsize i = 0; i < G_N_ELEMENTS (specials); i++)
    if (g_str_equal (specials[i].plugin, plugin) && g_str_equal (specials[i].param, param))
      return &specials[i];
  return NULL;
}

/* ---- values as libconfig text ---------------------------------------------- */

static char *
float_text (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  if (!strpbrk (buf, ".e"))
    return g_strconcat (buf, ".0", NULL);
  return g_strdup (buf);
}

/* The default's numbers (FLOATS), parsed from the declaration. */
static GArray *
default_floats (const SomaifParamSpec *spec)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (double));
  config_t cfg;
  config_init (&cfg);
  g_autofree char *line = g_strdup_printf ("v = %s;", spec->def);
  g_assert_true (config_read_string (&cfg, line) == CONFIG_TRUE);
  const config_setting_t *s = config_lookup (&cfg, "v");
  for (int i = 0; i < config_setting_length (s); i++)
    {
      const config_setting_t *e = config_setting_get_elem (s, (unsigned) i);
      double x = config_setting_type (e) == CONFIG_TYPE_FLOAT ? config_setting_get_float (e)
                                                              : config_setting_get_int64 (e);
      g_array_append_val (a, x);
    }
  config_destroy (&cfg);
  return a;
}

static char *
floats_text (GArray *a)
{
  GString *s = g_string_new ("[");
  for (guint i = 0; i < a->len; i++)
    {
      g_autofree char *t = float_text (g_array_index (a, double, i));
      g_string_append_printf (s, "%s%s", i ? ", " : "", t);
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* which: 0 the minimum, 1 the maximum, 2 another value; NULL if there is none. */
static char *
value_text (const SomaifParamSpec *spec, const Special *sp, int which)
{
  gboolean bounded = spec->min <= spec->max;
  if (which == 2 && sp && sp->other && !g_str_equal (sp->other, "WEIGHTS"))
    return g_strdup (sp->other);
  if (which < 2 && (!bounded || spec->type == SOMAIF_PARAM_BOOL
                    || spec->type == SOMAIF_PARAM_STRING))
    return NULL;
  double bound = which == 0 ? spec->min : spec->max;
  switch (spec->type)
    {
    case SOMAIF_PARAM_INT:
      {
        gint64 def = g_ascii_strtoll (spec->def, NULL, 10);
        gint64 v = which < 2 ? (gint64) bound : def + 1 <= spec->max || !bounded ? def + 1 : def - 1;
        return g_strdup_printf ("%" G_GINT64_FORMAT, v);
      }
    case SOMAIF_PARAM_FLOAT:
      {
        double def = g_ascii_strtod (spec->def, NULL);
        double v = def != 0.0 ? def * 1.25 : 0.25;
        if (bounded && v > spec->max)
          v = def - (def - spec->min) / 4;
        return float_text (which < 2 ? bound : v);
      }
    case SOMAIF_PARAM_BOOL:
      return g_strdup (g_str_equal (spec->def, "true") ? "false" : "true");
    case SOMAIF_PARAM_STRING:
      if (!sp || !sp->other)
        return NULL;
      if (g_str_equal (sp->other, "WEIGHTS"))
        {
          const char *data = g_getenv ("SOMAIF_TEST_DATA");
          if (!data)
            return NULL;
          g_autofree char *path = g_build_filename (data, "golden", "esn.txt", NULL);
          return g_strdup_printf ("\"%s\"", path);
        }
      return g_strdup (sp->other);
    case SOMAIF_PARAM_FLOATS:
      {
        g_autoptr (GArray) a = default_floats (spec);
        for (guint i = 0; i < a->len; i++)
          {
            double *x = &g_array_index (a, double, i);
            *x = which < 2 ? bound : *x * 1.25 + 0.125;
          }
        return floats_text (a);
      }
    }
  return NULL;
}

/* ---- configs and runs --------------------------------------------------------- */

static char *
config_text (SomaifKind kind, const char *plugin, const char *param, const char *value,
             const char *extra)
{
  GString *s = g_string_new (experiment);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      if (k + 1 != (int) kind)
        {
          /* arm3 takes three motor commands a step */
          if (k == 0 && g_str_equal (plugin, "arm3"))
            g_string_append (s, "generator = { plugin = \"esn\"; units = 16; outputs = 3; };\n");
          else
            g_string_append_printf (s, "%s\n", base_groups[k]);
          continue;
        }
      g_string_append_printf (s, "%s = { plugin = \"%s\"; %s", group_names[k], plugin,
                              extra ? extra : "");
      /* the base's own small sizes stay unless this is the parameter tried */
      if (kind == SOMAIF_KIND_GENERATOR && !g_str_equal (param ? param : "", "units")
          && !(extra && strstr (extra, "units")))
        g_string_append (s, " units = 16;");
      if (kind == SOMAIF_KIND_RENDERER)
        {
          if (!g_str_equal (param ? param : "", "width"))
            g_string_append (s, " width = 16;");
          if (!g_str_equal (param ? param : "", "height"))
            g_string_append (s, " height = 16;");
        }
      if (param)
        g_string_append_printf (s, " %s = %s;", param, value);
      g_string_append (s, " };\n");
    }
  return g_string_free (s, FALSE);
}

typedef struct
{
  char *dir;
  int exit_status;
  char *err;
} Run;

static Run
run_text (const char *text, const char *tag)
{
  GError *error = NULL;
  Run r = { g_dir_make_tmp ("test-params-XXXXXX", &error), -1, NULL };
  g_assert_no_error (error);
  g_autofree char *cfg = g_build_filename (r.dir, "c.cfg", NULL);
  g_autofree char *out = g_build_filename (r.dir, "out", NULL);
  g_file_set_contents (cfg, text, -1, &error);
  g_assert_no_error (error);
  const char *argv[] = { g_getenv ("SOMAIF_RUN"), "--quiet", "--threads=1", "--output", out,
                         cfg, NULL };
  int status = 0;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                &r.err, &status, &error);
  g_assert_no_error (error);
  r.exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  (void) tag;
  return r;
}

static void
run_clear (Run *r)
{
  test_remove_tree (r->dir);
  g_free (r->dir);
  g_free (r->err);
}

static gboolean
same_file (const char *a, const char *b)
{
  g_autofree char *x = NULL, *y = NULL;
  gsize nx = 0, ny = 0;
  if (!g_file_get_contents (a, &x, &nx, NULL) || !g_file_get_contents (b, &y, &ny, NULL))
    return FALSE;
  return nx == ny && memcmp (x, y, nx) == 0;
}

/* Whether two runs wrote the same metrics, final.csv and model arrays. */
static gboolean
same_outputs (const Run *a, const Run *b)
{
  static const char *const files[]
      = { "metrics.csv", "final.csv", "model/prototypes.npy", "model/initial_states.npy",
          "model/trajectories.npy", "model/drawings.npy" };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *x = g_build_filename (a->dir, "out", files[i], NULL);
      g_autofree char *y = g_build_filename (b->dir, "out", files[i], NULL);
      if (!same_file (x, y))
        return FALSE;
    }
  return TRUE;
}

/* The validator alone (no plugin is created): the config loads. */
static void
assert_valid (const char *text, const char *what)
{
  g_autofree char *path = NULL;
  GError *error = NULL;
  int fd = g_file_open_tmp ("test-params-XXXXXX.cfg", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  SomaifConfig *c = somaif_config_load (path, NULL, -1, &error);
  if (!c)
    g_error ("%s: the validator refused it: %s", what, error->message);
  somaif_config_free (c);
  g_unlink (path);
}

/* A run too big for a test at this value: the validator is asked alone. */
static gboolean
too_big (const SomaifParamSpec *spec, const char *value)
{
  if (spec->type != SOMAIF_PARAM_INT)
    return FALSE;
  gint64 v = g_ascii_strtoll (value, NULL, 10);
  return v > 1024;
}

static void
test_plugin (gconstpointer data)
{
  const char *name = data;
  if (!g_getenv ("SOMAIF_RUN"))
    {
      test_skip_unless_ci ("SOMAIF_RUN is not set (make check sets it)");
      return;
    }
  GError *error = NULL;
  SomaifPlugin *plugin = somaif_plugin_load (name, NULL, 0, &error);
  if (!plugin)
    {
      g_autofree char *why = g_strdup_printf ("plugin %s: %s", name, error->message);
      g_clear_error (&error);
      test_skip_unless_ci (why);
      return;
    }
  SomaifKind kind = plugin->head->kind;
  g_autofree char *base_text = config_text (kind, name, NULL, NULL, NULL);
  Run base = run_text (base_text, "base");
  if (base.exit_status != 0)
    g_error ("%s with its defaults: exit %d: %s", name, base.exit_status, base.err);

  for (const SomaifParamSpec *spec = plugin->head->params; spec->name; spec++)
    {
      const Special *sp = special (name, spec->name);
      Run with_extra = { NULL, 0, NULL };
      const Run *ref = &base;
      if (sp && sp->extra)
        {
          g_autofree char *t = config_text (kind, name, NULL, NULL, sp->extra);
          with_extra = run_text (t, "extra");
          g_assert_cmpint (with_extra.exit_status, ==, 0);
          ref = &with_extra;
        }
      int tried = 0;
      for (int which = 0; which < 3; which++)
        {
          g_autofree char *value = value_text (spec, sp, which);
          if (!value || (spec->def && which < 2 && spec->type != SOMAIF_PARAM_FLOATS
                         && g_ascii_strtod (value, NULL) == g_ascii_strtod (spec->def, NULL)))
            continue; /* no such bound, or the bound is the default */
          static const char *const words[] = { "minimum", "maximum", "other value" };
          g_autofree char *what = g_strdup_printf ("%s.%s = %s (its %s)", name, spec->name,
                                                   value, words[which]);
          g_autofree char *text = config_text (kind, name, spec->name, value, sp ? sp->extra : NULL);
          assert_valid (text, what);
          tried++;
          if (too_big (spec, value))
            {
              g_test_message ("%s: accepted; too big to run in a test", what);
              continue;
            }
          Run r = run_text (text, what);
          if (g_str_equal (name, "esn") && g_str_equal (spec->name, "outputs"))
            {
              /* the arm takes 2 a step: the experiment refuses any other size */
              if (r.exit_status != 2 || !strstr (r.err, value))
                g_error ("%s: exit %d (wanted 2, naming %s): %s", what, r.exit_status, value,
                         r.err);
            }
          else if (r.exit_status != 0)
            g_error ("%s: the run failed (exit %d): %s", what, r.exit_status, r.err);
          else if (same_outputs (&r, ref) && !(sp && sp->why))
            g_error ("%s: the outputs are those of the default: it never reached the model",
                     what);
          else if (same_outputs (&r, ref))
            g_test_message ("%s: the outputs are those of the default: %s", what, sp->why);
          run_clear (&r);
        }
      if (tried == 0)
        g_error ("%s.%s: no value tried (a string: give its other value in specials[])", name,
                 spec->name);
      if (with_extra.dir)
        run_clear (&with_extra);
    }
  run_clear (&base);
  somaif_plugin_free (plugin);
}

/* ---- tau followed into the model ---------------------------------------------------- */

typedef struct
{
  int shape[3];
  gsize n;
  double *v;
} Array;

static Array
read_npy (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, "out", "model", name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_true (len > 10 && data[6] == 1);
  gsize hlen = (guint8) data[8] | (gsize) (guint8) data[9] << 8, start = 10;
  g_autofree char *header = g_strndup (data + start, hlen);
  gboolean f4 = strstr (header, "'<f4'") != NULL;
  Array a = { { 1, 1, 1 }, 1, NULL };
  char *p = strstr (header, "'shape': (") + strlen ("'shape': (");
  for (int d = 0; *p != ')'; d++)
    {
      a.shape[d] = (int) g_ascii_strtoll (p, &p, 10);
      a.n *= (gsize) a.shape[d];
      while (*p == ',' || *p == ' ')
        p++;
    }
  g_assert_cmpuint (len, ==, start + hlen + a.n * (f4 ? 4 : 8));
  a.v = g_new (double, a.n);
  for (gsize i = 0; i < a.n; i++)
    {
      if (f4)
        {
          float f;
          memcpy (&f, data + start + hlen + 4 * i, 4);
          a.v[i] = f;
        }
      else
        memcpy (&a.v[i], data + start + hlen + 8 * i, 8);
    }
  return a;
}

/* The largest distance between the run's pen points and those computed here
   from its weights and initial states with time constant tau: h = (1 - 1/tau) h
   + (1/tau) (W_r tanh(h) + b_r), x = W_o tanh(h) + b_o, angles += x / divisor. */
static double
trajectory_error (const char *dir, double tau, double length, double divisor,
                  const double angles0[2])
{
  Array wr = read_npy (dir, "w_r.npy"), br = read_npy (dir, "b_r.npy");
  Array wo = read_npy (dir, "w_o.npy"), bo = read_npy (dir, "b_o.npy");
  Array h0 = read_npy (dir, "initial_states.npy"), traj = read_npy (dir, "trajectories.npy");
  int n = wr.shape[0], goals = h0.shape[0], points = traj.shape[1];
  g_assert_cmpint (wo.shape[0], ==, 2);
  double worst = 0;
  g_autofree double *h = g_new (double, n), *th = g_new (double, n);
  for (int g = 0; g < goals; g++)
    {
      memcpy (h, h0.v + (gsize) g * n, sizeof (double) * n);
      double a[2] = { angles0[0], angles0[1] };
      double base[2] = { cos (a[0]) + cos (a[0] + a[1]), sin (a[0]) + sin (a[0] + a[1]) };
      for (int t = 1; t < points; t++)
        {
          for (int i = 0; i < n; i++)
            th[i] = tanh (h[i]);
          for (int i = 0; i < n; i++)
            {
              double s = br.v[i];
              for (int j = 0; j < n; j++)
                s += wr.v[(gsize) i * n + j] * th[j];
              h[i] = (1.0 - 1.0 / tau) * h[i] + s / tau;
            }
          for (int i = 0; i < n; i++)
            th[i] = tanh (h[i]);
          for (int k = 0; k < 2; k++)
            {
              double x = bo.v[k];
              for (int j = 0; j < n; j++)
                x += wo.v[(gsize) k * n + j] * th[j];
              a[k] += x / divisor;
            }
          const double *p = traj.v + ((gsize) g * points + t) * 2;
          double px = length * (cos (a[0]) + cos (a[0] + a[1]) - base[0]);
          double py = length * (sin (a[0]) + sin (a[0] + a[1]) - base[1]);
          worst = MAX (worst, hypot (p[0] - px, p[1] - py));
        }
    }
  g_free (wr.v), g_free (br.v), g_free (wo.v), g_free (bo.v), g_free (h0.v), g_free (traj.v);
  return worst;
}

static void
test_tau (void)
{
  if (!g_getenv ("SOMAIF_RUN"))
    {
      test_skip_unless_ci ("SOMAIF_RUN is not set (make check sets it)");
      return;
    }
  const double angles[2] = { 0.25, 1.5 };
  g_autofree char *text = g_strdup_printf (
      "%sgenerator = { plugin = \"esn\"; units = 16; tau = 20.0; sigma = 2.0; };\n"
      "plant = { plugin = \"arm2\"; length = 40.0; divisor = 7.0; initial_angles = [0.25, 1.5]; };\n"
      "renderer = { plugin = \"canvas\"; width = 16; height = 16; };\n"
      "perceiver = { plugin = \"ringsom\"; units = 4; };\n"
      "optimiser = { plugin = \"randsearch\"; directions = 2; sigma = 0.5; step = 0.01; };\n",
      experiment);
  Run r = run_text (text, "tau");
  if (r.exit_status != 0)
    g_error ("tau = 20: exit %d: %s", r.exit_status, r.err);
  /* float32 in the plugin against doubles here, over 20 steps: 1.0e-6 observed */
  double err = trajectory_error (r.dir, 20.0, 40.0, 7.0, angles);
  double err50 = trajectory_error (r.dir, 50.0, 40.0, 7.0, angles);
  double err_div = trajectory_error (r.dir, 20.0, 40.0, 10.0, angles);
  g_test_message ("pen points against the leaky update computed here: tau 20 off by %.3g; "
                  "tau 50 off by %.3g; divisor 10 off by %.3g", err, err50, err_div);
  g_assert_cmpfloat (err, <, 1e-5);
  g_assert_cmpfloat (err50, >, 0.1);
  g_assert_cmpfloat (err_div, >, 0.1);
  run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  static const char *const plugins[]
      = { "esn", "arm2", "arm3", "canvas", "ringsom", "gridsom", "randsearch", "cmaes" };
  for (gsize i = 0; i < G_N_ELEMENTS (plugins); i++)
    {
      g_autofree char *path = g_strdup_printf ("/params/%s", plugins[i]);
      g_test_add_data_func (path, plugins[i], test_plugin);
    }
  g_test_add_func ("/params/esn-tau-reaches-the-model", test_tau);
  return g_test_run ();
}
