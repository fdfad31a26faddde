/* test-golden-arm.c: the arm2 plant against the seed's own trajectories
 * (tests/data/golden/arm.txt): 1e-9 in double, 1e-4 through the float
 * motor commands a generator writes; and the plugin glue. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "somaif/plugin.h"
#include "params-private.h"
#include "plugins/arm2/arm2-core.h"
/* The vtable glue is static: compile it in to reach create() and the methods. */
#include "plugins/arm2/arm2.c"

#define N_TRAJ 5
#define STEPS 100

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("SOMAIF_TEST_DATA");
  if (dir && *dir)
    return g_build_filename (dir, "golden", name, NULL);
  return g_build_filename (g_test_get_dir (G_TEST_DIST), "data", "golden", name, NULL);
}

typedef struct
{
  GHashTable *arrays;
  double length, divisor, angles[2];
  const double *ang_vel[N_TRAJ]; /* STEPS x 2 */
  const double *traj[N_TRAJ];    /* (STEPS + 1) x 2 */
} Golden;

static const SomaifArray *
get (GHashTable *arrays, const char *name, int ndim, const int *shape)
{
  GError *error = NULL;
  const SomaifArray *a = somaif_arrays_get (arrays, name, ndim, shape, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

static void
golden_init (Golden *g)
{
  g_autofree char *path = data_path ("arm.txt");
  GError *error = NULL;
  g->arrays = somaif_arrays_load (path, &error);
  g_assert_no_error (error);
  const int s_ang[1] = { 2 }, s_vel[2] = { STEPS, 2 }, s_traj[2] = { STEPS + 1, 2 };
  g->length = get (g->arrays, "l", 0, NULL)->data[0];
  g->divisor = get (g->arrays, "div", 0, NULL)->data[0];
  const SomaifArray *a = get (g->arrays, "initial_angles", 1, s_ang);
  g->angles[0] = a->data[0];
  g->angles[1] = a->data[1];
  for (int k = 0; k < N_TRAJ; k++)
    {
      char name[32];
      g_snprintf (name, sizeof name, "ang_vel_%d", k);
      g->ang_vel[k] = get (g->arrays, name, 2, s_vel)->data;
      g_snprintf (name, sizeof name, "traj_%d", k);
      g->traj[k] = get (g->arrays, name, 2, s_traj)->data;
    }
}

static void
golden_clear (Golden *g)
{
  g_hash_table_destroy (g->arrays);
}

static double
worst_error (const double *points, const double *want)
{
  double worst = 0.0;
  for (int i = 0; i < 2 * (STEPS + 1); i++)
    {
      g_assert_true (isfinite (points[i]));
      worst = MAX (worst, fabs (points[i] - want[i]));
    }
  return worst;
}

/* The double path: 5.7e-14 absolute observed; 5e-13 allowed. */
static void
test_golden_double (void)
{
  Golden g;
  golden_init (&g);
  g_assert_cmpfloat (g.length, ==, 60.0);
  g_assert_cmpfloat (g.divisor, ==, 10.0);
  SomaifArm2 arm;
  somaif_arm2_init (&arm, g.length, g.angles, g.divisor);
  /* for the seed's angles the base is the notebook's l (sqrt2/2, sqrt2/2) */
  g_assert_cmpfloat (fabs (arm.base_unit[0] - G_SQRT2 / 2), <, 1e-15);
  g_assert_cmpfloat (fabs (arm.base_unit[1] - G_SQRT2 / 2), <, 1e-15);

  double points[2 * (STEPS + 1)], worst = 0.0, span = 0.0;
  for (int k = 0; k < N_TRAJ; k++)
    {
      memset (points, 0xff, sizeof points); /* NaN: every point must be written */
      somaif_arm2_run (&arm, STEPS, g.ang_vel[k], points);
      g_assert_cmpfloat (points[0], ==, 0.0);
      g_assert_cmpfloat (points[1], ==, 0.0);
      double e = worst_error (points, g.traj[k]);
      g_test_message ("traj_%d (double): worst |error| %.3g", k, e);
      worst = MAX (worst, e);
      for (int i = 0; i < 2 * (STEPS + 1); i++)
        span = MAX (span, fabs (g.traj[k][i]));
    }
  g_test_message ("arm vs golden, double: worst |error| %.3g (tolerance 5e-13); "
                  "trajectories reach %.1f paper units", worst, span);
  g_assert_cmpfloat (span, >, 1.0);
  g_assert_cmpfloat (worst, <=, 5e-13);
  golden_clear (&g);
}

/* The float path (what the plugin's run() takes): 6.6e-6 absolute observed (float
 * commands); 3e-5 allowed. */
static void
test_golden_float (void)
{
  Golden g;
  golden_init (&g);
  SomaifArm2 arm;
  somaif_arm2_init (&arm, g.length, g.angles, g.divisor);
  float motor[2 * STEPS];
  double points[2 * (STEPS + 1)], worst = 0.0;
  for (int k = 0; k < N_TRAJ; k++)
    {
      for (int i = 0; i < 2 * STEPS; i++)
        motor[i] = (float) g.ang_vel[k][i];
      somaif_arm2_run_float (&arm, STEPS, motor, points);
      double e = worst_error (points, g.traj[k]);
      g_test_message ("traj_%d (float commands): worst |error| %.3g", k, e);
      worst = MAX (worst, e);
    }
  g_test_message ("arm vs golden, float commands: worst |error| %.3g (tolerance 3e-5)", worst);
  g_assert_cmpfloat (worst, <=, 3e-5);
  golden_clear (&g);
}

/* ---- the plugin glue ----------------------------------------------------- */

static double *
parse_floats (const char *text, int *n)
{
  g_autofree char *inner = g_strstrip (g_strdelimit (g_strdup (text), "[]", ' '));
  g_auto (GStrv) parts = g_strsplit (inner, ",", -1);
  *n = (int) g_strv_length (parts);
  double *v = g_new (double, *n);
  for (int i = 0; i < *n; i++)
    v[i] = g_ascii_strtod (parts[i], NULL);
  return v;
}

/* The declared parameters with their defaults (the host's job, done by hand). */
static SomaifParams *
default_params (void)
{
  SomaifParams *p = somaif_params_new (arm2_params);
  for (int i = 0; i < p->n; i++)
    {
      SomaifParamValue *v = &p->values[i];
      g_assert_nonnull (v->spec->def);
      g_assert_nonnull (v->spec->doc);
      v->present = TRUE;
      if (v->spec->type == SOMAIF_PARAM_FLOAT)
        v->f = g_ascii_strtod (v->spec->def, NULL);
      else if (v->spec->type == SOMAIF_PARAM_FLOATS)
        {
          v->floats = parse_floats (v->spec->def, &v->n_floats);
          g_assert_cmpint (v->n_floats, ==, v->spec->length);
        }
      else
        g_assert_not_reached ();
    }
  return p;
}

static SomaifSetup
make_setup (void)
{
  SomaifSetup s = { 0 };
  s.struct_size = sizeof s;
  s.seed = 1;
  s.config_dir = ".";
  s.steps = STEPS;
  s.input_size = 2;
  return s;
}

/* The plant's own sin and cos: within 2 units in the last place of the C
 * library's on angles of every size it meets (and of the reduction's hard
 * cases, near multiples of pi/2); the C library's beyond its range; exact
 * where the answer is; NaN for NaN and infinity. */
static double
ulps_from (double a, double ref)
{
  if (a == ref)
    return 0.0;
  return fabs (a - ref) / (nextafter (fabs (ref), INFINITY) - fabs (ref));
}

static void
test_sincos (void)
{
  enum { N = 200003 }; /* not a multiple of the vectors' lanes */
  double *x = g_new (double, N), *s = g_new (double, N), *c = g_new (double, N);
  SomaifRng rng;
  somaif_rng_init (&rng, 5);
  for (int i = 0; i < N; i++)
    switch (i % 4)
      {
      case 0: x[i] = 8.0 * (somaif_rng_uniform (&rng) - 0.5); break;
      case 1: x[i] = 400.0 * (somaif_rng_uniform (&rng) - 0.5); break;
      case 2:
        x[i] = (double) ((int) (2000 * somaif_rng_uniform (&rng)) - 1000) * G_PI_2
               + 1e-6 * (somaif_rng_uniform (&rng) - 0.5);
        break;
      default: x[i] = 2e5 * (somaif_rng_uniform (&rng) - 0.5); break;
      }
  somaif_arm2_sincos (x, s, c, N);
  double ws = 0.0, wc = 0.0;
  for (int i = 0; i < N; i++)
    {
      ws = MAX (ws, ulps_from (s[i], sin (x[i])));
      wc = MAX (wc, ulps_from (c[i], cos (x[i])));
    }
  g_test_message ("own sin and cos vs the C library's: worst %.2f and %.2f units in the last "
                  "place", ws, wc);
  g_assert_cmpfloat (ws, <=, 2.0);
  g_assert_cmpfloat (wc, <=, 2.0);

  double special[] = { 0.0, -0.0, 1e7, -3e9, NAN, INFINITY, -INFINITY, 1e-300 };
  int ns = G_N_ELEMENTS (special);
  somaif_arm2_sincos (special, s, c, ns);
  g_assert_true (s[0] == 0.0 && c[0] == 1.0 && !signbit (s[0]));
  g_assert_true (s[1] == 0.0 && c[1] == 1.0 && signbit (s[1]));
  g_assert_cmpfloat (s[2], ==, sin (1e7));
  g_assert_cmpfloat (c[3], ==, cos (-3e9));
  for (int i = 4; i < 7; i++)
    g_assert_true (isnan (s[i]) && isnan (c[i]));
  g_assert_cmpfloat (s[7], ==, 1e-300);
  g_assert_cmpfloat (c[7], ==, 1.0);
  g_free (x);
  g_free (s);
  g_free (c);
}

static void
test_plugin (void)
{
  const SomaifPluginHead *head = somaif_plugin_describe ();
  g_assert_cmpuint (head->abi_major, ==, SOMAIF_ABI_MAJOR);
  g_assert_cmpuint (head->kind, ==, SOMAIF_KIND_PLANT);
  g_assert_cmpstr (head->name, ==, "arm2");

  Golden g;
  golden_init (&g);
  SomaifParams *p = default_params ();
  /* the defaults are the seed's arm, to the last bit */
  int n = 0;
  const double *angles = somaif_params_get_floats (p, "initial_angles", &n);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpfloat (angles[0], ==, g.angles[0]);
  g_assert_cmpfloat (angles[1], ==, g.angles[1]);
  g_assert_cmpfloat (angles[0], ==, -G_PI / 12);
  g_assert_cmpfloat (angles[1], ==, 2 * G_PI / 3);
  g_assert_cmpfloat (somaif_params_get_float (p, "length"), ==, g.length);
  g_assert_cmpfloat (somaif_params_get_float (p, "divisor"), ==, g.divisor);

  SomaifSetup setup = make_setup ();
  GError *error = NULL;
  void *self = arm2_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (self);
  g_assert_cmpint (arm2_vtable.input_size (self), ==, 2);
  g_assert_cmpint (arm2_vtable.point_size (self), ==, 2);
  g_assert_cmpint (arm2_vtable.n_points (self, STEPS), ==, STEPS + 1);

  float motor[2 * STEPS];
  double points[2 * (STEPS + 1)], direct[2 * (STEPS + 1)], worst = 0.0;
  SomaifArm2 arm;
  somaif_arm2_init (&arm, g.length, g.angles, g.divisor);
  for (int k = 0; k < N_TRAJ; k++)
    {
      for (int i = 0; i < 2 * STEPS; i++)
        motor[i] = (float) g.ang_vel[k][i];
      g_assert_cmpint (arm2_vtable.run (self, STEPS, motor, points), ==, 0);
      somaif_arm2_run_float (&arm, STEPS, motor, direct);
      g_assert_cmpmem (points, sizeof points, direct, sizeof direct);
      worst = MAX (worst, worst_error (points, g.traj[k]));
    }
  g_test_message ("arm2 plugin vs golden: worst |error| %.3g (tolerance 3e-5)", worst);
  g_assert_cmpfloat (worst, <=, 3e-5);

  /* no steps: the origin alone */
  double one[2] = { 5, 5 };
  g_assert_cmpint (arm2_vtable.run (self, 0, NULL, one), ==, 0);
  g_assert_cmpfloat (one[0], ==, 0.0);
  g_assert_cmpfloat (one[1], ==, 0.0);
  /* bad calls fail with a message */
  g_assert_cmpint (arm2_vtable.run (self, -1, motor, points), <, 0);
  g_assert_nonnull (strstr (arm2_vtable.head.error_message (self), "steps"));
  g_assert_cmpint (arm2_vtable.run (self, STEPS, NULL, points), <, 0);
  g_assert_nonnull (strstr (arm2_vtable.head.error_message (self), "NULL"));

  /* state: a version byte, refused otherwise */
  GByteArray *state = g_byte_array_new ();
  g_assert_cmpint (arm2_vtable.head.save_state (self, state), ==, 0);
  g_assert_cmpuint (state->len, ==, 1);
  g_assert_cmpint (arm2_vtable.head.load_state (self, state->data, state->len), ==, 0);
  guint8 bad = 7;
  g_assert_cmpint (arm2_vtable.head.load_state (self, &bad, 1), <, 0);
  g_assert_nonnull (strstr (arm2_vtable.head.error_message (self), "version"));
  g_byte_array_unref (state);
  arm2_vtable.head.destroy (self);

  /* another arm: the base follows the initial angles, the first point stays
     the origin and the rest is the plain kinematics */
  SomaifParamValue *v = somaif_params_lookup (p, "initial_angles");
  v->floats[0] = 0.3;
  v->floats[1] = -1.1;
  somaif_params_lookup (p, "length")->f = 2.0;
  somaif_params_lookup (p, "divisor")->f = 4.0;
  self = arm2_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  float cmd[4] = { 0.5f, -0.75f, 0.0f, 2.0f }; /* exact in float */
  double pts[6];
  g_assert_cmpint (arm2_vtable.run (self, 2, cmd, pts), ==, 0);
  double a0 = 0.3 + 0.125, a1 = -1.1 - 0.1875;
  double bx = cos (0.3) + cos (0.3 - 1.1), by = sin (0.3) + sin (0.3 - 1.1);
  g_assert_cmpfloat (pts[0], ==, 0.0);
  g_assert_cmpfloat (fabs (pts[2] - 2.0 * (cos (a0) + cos (a0 + a1) - bx)), <, 1e-12);
  g_assert_cmpfloat (fabs (pts[3] - 2.0 * (sin (a0) + sin (a0 + a1) - by)), <, 1e-12);
  a1 += 0.5;
  g_assert_cmpfloat (fabs (pts[4] - 2.0 * (cos (a0) + cos (a0 + a1) - bx)), <, 1e-12);
  g_assert_cmpfloat (fabs (pts[5] - 2.0 * (sin (a0) + sin (a0 + a1) - by)), <, 1e-12);
  arm2_vtable.head.destroy (self);

  /* refused: non-positive length or divisor */
  somaif_params_lookup (p, "length")->f = 0.0;
  g_assert_null (arm2_vtable.head.create (&setup, p, &error));
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_assert_nonnull (strstr (error->message, "length"));
  g_clear_error (&error);
  somaif_params_lookup (p, "length")->f = 60.0;
  somaif_params_lookup (p, "divisor")->f = 0.0;
  g_assert_null (arm2_vtable.head.create (&setup, p, &error));
  g_assert_nonnull (strstr (error->message, "divisor"));
  g_clear_error (&error);
  somaif_params_lookup (p, "divisor")->f = 10.0;
  /* A generator of another width is the host's to refuse (it names both
     plugins): the arm still says it takes 2. */
  setup.input_size = 3;
  self = arm2_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  g_assert_cmpint (arm2_vtable.input_size (self), ==, 2);
  arm2_vtable.head.destroy (self);

  somaif_params_free (p);
  golden_clear (&g);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arm2/golden-double", test_golden_double);
  g_test_add_func ("/arm2/golden-float", test_golden_float);
  g_test_add_func ("/arm2/plugin", test_plugin);
  g_test_add_func ("/arm2/sincos", test_sincos);
  return g_test_run ();
}
