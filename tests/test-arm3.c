/* test-arm3.c: the 3-joint arm plant: hand-computed poses, arm2's golden
 * trajectories drawn again with a third link of length 0, the plugin glue
 * (defaults, state, refused parameters), and somaif-run refusing an esn of 2
 * outputs in front of it with both sizes and both plugin names. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "somaif/plugin.h"
#include "params-private.h"
#include "plugins/arm2/arm2-core.h"
#include "plugins/arm3/arm3-core.h"
#include "test-ci.h"
/* The vtable glue is static: compile it in to reach create() and the methods. */
#include "plugins/arm3/arm3.c"

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

static void
assert_point (const double *p, double x, double y, double tol)
{
  if (!(fabs (p[0] - x) <= tol) || !(fabs (p[1] - y) <= tol))
    g_error ("point (%.17g, %.17g), expected (%.17g, %.17g) within %g", p[0], p[1], x, y, tol);
}

/* ---- kinematics by hand --------------------------------------------------- */

static void
test_forward (void)
{
  const double l[3] = { 1.0, 2.0, 3.0 };
  double p[2];

  /* stretched along x: the sum of the lengths */
  somaif_arm3_forward (l, (const double[3]) { 0, 0, 0 }, p);
  assert_point (p, 6.0, 0.0, 0.0);
  /* the whole arm turned a right angle at the shoulder: along y */
  somaif_arm3_forward (l, (const double[3]) { G_PI / 2, 0, 0 }, p);
  assert_point (p, 0.0, 6.0, 1e-14);
  /* a right angle at the elbow: link 0 along x, links 1 and 2 along y */
  somaif_arm3_forward (l, (const double[3]) { 0, G_PI / 2, 0 }, p);
  assert_point (p, 1.0, 5.0, 1e-14);
  /* right angles at elbow and wrist: the last link points back along -x */
  somaif_arm3_forward (l, (const double[3]) { 0, G_PI / 2, G_PI / 2 }, p);
  assert_point (p, -2.0, 2.0, 1e-14);
  /* angles are relative: bending back undoes the bend */
  somaif_arm3_forward (l, (const double[3]) { 0, G_PI / 2, -G_PI / 2 }, p);
  assert_point (p, 4.0, 2.0, 1e-14);
  /* folded back on itself */
  somaif_arm3_forward (l, (const double[3]) { G_PI, G_PI, 0 }, p);
  assert_point (p, -1.0 + 2.0 + 3.0, 0.0, 1e-14);
  /* 30, 60, 90 degrees absolute */
  somaif_arm3_forward (l, (const double[3]) { G_PI / 6, G_PI / 6, G_PI / 6 }, p);
  assert_point (p, sqrt (3) / 2 + 2 * 0.5 + 0.0, 0.5 + 2 * sqrt (3) / 2 + 3.0, 1e-14);
}

static void
test_run (void)
{
  const double l[3] = { 1.0, 2.0, 3.0 }, zero[3] = { 0, 0, 0 };
  SomaifArm3 arm;
  somaif_arm3_init (&arm, l, zero, 4.0);
  /* base: the pen at the initial angles, stretched along x */
  assert_point (arm.base, 6.0, 0.0, 0.0);

  /* step 1: the elbow turns pi/2 (velocity 2 pi / divisor 4); step 2: the wrist */
  const double motor[6] = { 0, 2 * G_PI, 0, 0, 0, 2 * G_PI };
  double pts[6];
  memset (pts, 0xff, sizeof pts); /* NaN: every point must be written */
  somaif_arm3_run (&arm, 2, motor, pts);
  assert_point (pts, 0.0, 0.0, 0.0); /* the origin, exactly */
  assert_point (pts + 2, 1.0 - 6.0, 5.0, 1e-14);
  assert_point (pts + 4, -2.0 - 6.0, 2.0, 1e-14);

  /* the shoulder turns everything: a half turn in 2 steps mirrors the arm */
  const double spin[6] = { 2 * G_PI, 0, 0, 2 * G_PI, 0, 0 };
  somaif_arm3_run (&arm, 2, spin, pts);
  assert_point (pts + 2, -6.0, 6.0, 1e-14);
  assert_point (pts + 4, -12.0, 0.0, 1e-14);

  /* a start that is not the origin of the shoulder: the drawing still starts at 0 */
  const double bent[3] = { 0.3, -1.1, 2.0 };
  somaif_arm3_init (&arm, l, bent, 10.0);
  double still[4 * 2];
  const double none[3 * 3] = { 0 };
  somaif_arm3_run (&arm, 3, none, still);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat (fabs (still[i]), <=, 1e-15);

  /* the float path: the same numbers widened give the same bits */
  const float fm[6] = { 0.5f, -0.75f, 0.125f, 0.0f, 2.0f, -3.5f };
  double dm[6], a[6], b[6];
  for (int i = 0; i < 6; i++)
    dm[i] = fm[i];
  somaif_arm3_run (&arm, 2, dm, a);
  somaif_arm3_run_float (&arm, 2, fm, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  /* and that is the kinematics: angles 0.3 + 0.05, -1.1 - 0.075, 2.0 + 0.0125 */
  double want[2];
  somaif_arm3_forward (l, (const double[3]) { 0.35, -1.175, 2.0125 }, want);
  assert_point (a + 2, want[0] - arm.base[0], want[1] - arm.base[1], 1e-14);
}

/* ---- arm2's golden trajectories, drawn by arm3 with a null third link ----- */

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

static void
test_like_arm2 (void)
{
  Golden g;
  golden_init (&g);
  SomaifArm2 arm2;
  somaif_arm2_init (&arm2, g.length, g.angles, g.divisor);

  /* third link 0 (the shortest a config allows through the plugin, below),
     the wrist anywhere */
  const double wrists[2] = { 0.0, 1.3 };
  double worst_arm2 = 0.0, worst_golden = 0.0, worst_float = 0.0, moved = 0.0;
  double motor3[3 * STEPS], ref[2 * (STEPS + 1)], pts[2 * (STEPS + 1)];
  float fmotor2[2 * STEPS], fmotor3[3 * STEPS];
  for (int w = 0; w < 2; w++)
    {
      SomaifArm3 arm3, arm3_long;
      const double lengths[3] = { g.length, g.length, 0.0 };
      const double long_wrist[3] = { g.length, g.length, 10.0 };
      const double angles[3] = { g.angles[0], g.angles[1], wrists[w] };
      somaif_arm3_init (&arm3, lengths, angles, g.divisor);
      somaif_arm3_init (&arm3_long, long_wrist, angles, g.divisor);
      for (int k = 0; k < N_TRAJ; k++)
        {
          /* the third velocity: 0 with the wrist at 0, otherwise anything */
          for (int t = 0; t < STEPS; t++)
            {
              motor3[3 * t] = g.ang_vel[k][2 * t];
              motor3[3 * t + 1] = g.ang_vel[k][2 * t + 1];
              motor3[3 * t + 2] = w == 0 ? 0.0 : 0.5 * sin (0.1 * t + k);
              fmotor2[2 * t] = (float) motor3[3 * t];
              fmotor2[2 * t + 1] = (float) motor3[3 * t + 1];
              for (int j = 0; j < 3; j++)
                fmotor3[3 * t + j] = (float) motor3[3 * t + j];
            }
          somaif_arm2_run (&arm2, STEPS, g.ang_vel[k], ref);
          memset (pts, 0xff, sizeof pts);
          somaif_arm3_run (&arm3, STEPS, motor3, pts);
          g_assert_cmpfloat (pts[0], ==, 0.0);
          g_assert_cmpfloat (pts[1], ==, 0.0);
          worst_arm2 = MAX (worst_arm2, worst_error (pts, ref));
          worst_golden = MAX (worst_golden, worst_error (pts, g.traj[k]));

          somaif_arm2_run_float (&arm2, STEPS, fmotor2, ref);
          somaif_arm3_run_float (&arm3, STEPS, fmotor3, pts);
          worst_float = MAX (worst_float, worst_error (pts, ref));

          /* a real third link does change the drawing (the check can fail) */
          somaif_arm3_run (&arm3_long, STEPS, motor3, pts);
          somaif_arm2_run (&arm2, STEPS, g.ang_vel[k], ref);
          moved = MAX (moved, worst_error (pts, ref));
        }
    }
  g_test_message ("arm3 (third link 0) vs arm2 on the golden velocities: worst |error| %.3g "
                  "(tolerance 1e-9); vs the golden trajectories: %.3g; float commands vs "
                  "arm2's float path: %.3g; a third link of 10 moves the pen up to %.3g",
                  worst_arm2, worst_golden, worst_float, moved);
  g_assert_cmpfloat (worst_arm2, <=, 1e-9);
  g_assert_cmpfloat (worst_golden, <=, 1e-9);
  g_assert_cmpfloat (worst_float, <=, 1e-9);
  g_assert_cmpfloat (moved, >, 1.0);
  g_hash_table_destroy (g.arrays);
}

/* ---- the plugin glue ------------------------------------------------------ */

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
  SomaifParams *p = somaif_params_new (arm3_params);
  g_assert_cmpint (p->n, ==, 3);
  for (int i = 0; i < p->n; i++)
    {
      SomaifParamValue *v = &p->values[i];
      g_assert_nonnull (v->spec->def);
      g_assert_nonnull (v->spec->doc);
      g_assert_null (strchr (v->spec->doc, '\n'));
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
make_setup (int input_size)
{
  SomaifSetup s = { 0 };
  s.struct_size = sizeof s;
  s.seed = 1;
  s.config_dir = ".";
  s.steps = STEPS;
  s.input_size = input_size;
  return s;
}

/* create() must refuse p with a message naming `what`. */
static void
assert_refused (const SomaifParams *p, const char *what)
{
  SomaifSetup setup = make_setup (3);
  GError *error = NULL;
  void *self = arm3_vtable.head.create (&setup, p, &error);
  g_assert_null (self);
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  if (!strstr (error->message, what))
    g_error ("refusal '%s' does not name '%s'", error->message, what);
  g_clear_error (&error);
}

static void
test_plugin (void)
{
  const SomaifPluginHead *head = somaif_plugin_describe ();
  g_assert_true (head == &arm3_vtable.head);
  g_assert_cmpuint (head->abi_major, ==, SOMAIF_ABI_MAJOR);
  g_assert_cmpuint (head->abi_minor, ==, SOMAIF_ABI_MINOR);
  g_assert_cmpuint (head->kind, ==, SOMAIF_KIND_PLANT);
  g_assert_cmpstr (head->name, ==, "arm3");

  SomaifParams *p = default_params ();
  int n = 0;
  const double *lengths = somaif_params_get_floats (p, "lengths", &n);
  g_assert_cmpint (n, ==, 3);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat (lengths[k], ==, 40.0);
  const double *angles = somaif_params_get_floats (p, "initial_angles", &n);
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpfloat (somaif_params_get_float (p, "divisor"), ==, 10.0);

  SomaifSetup setup = make_setup (3);
  GError *error = NULL;
  void *self = arm3_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (self);
  g_assert_cmpint (arm3_vtable.input_size (self), ==, 3);
  g_assert_cmpint (arm3_vtable.point_size (self), ==, 2);
  g_assert_cmpint (arm3_vtable.n_points (self, STEPS), ==, STEPS + 1);
  g_assert_cmpint (arm3_vtable.n_points (self, 0), ==, 1);

  /* the default pose, as its doc line says: every joint bent a right angle,
     the pen 40 out from the shoulder at 45 degrees */
  const Arm3 *arm = self;
  g_assert_cmpfloat (fabs (angles[0] + G_PI / 4), <, 1e-15);
  g_assert_cmpfloat (fabs (angles[1] - G_PI / 2), <, 1e-15);
  g_assert_cmpfloat (fabs (angles[2] - G_PI / 2), <, 1e-15);
  assert_point (arm->arm.base, 40.0 * G_SQRT2 / 2, 40.0 * G_SQRT2 / 2, 1e-12);

  /* run() is the core's float path, to the bit */
  float motor[3 * STEPS];
  double points[2 * (STEPS + 1)], direct[2 * (STEPS + 1)];
  for (int i = 0; i < 3 * STEPS; i++)
    motor[i] = (float) (0.3 * sin (0.05 * i) - 0.1);
  memset (points, 0xff, sizeof points);
  g_assert_cmpint (arm3_vtable.run (self, STEPS, motor, points), ==, 0);
  somaif_arm3_run_float (&arm->arm, STEPS, motor, direct);
  g_assert_cmpmem (points, sizeof points, direct, sizeof direct);
  g_assert_cmpfloat (points[0], ==, 0.0);
  g_assert_cmpfloat (points[1], ==, 0.0);
  double reach = 0.0;
  for (int i = 1; i <= STEPS; i++)
    reach = MAX (reach, hypot (points[2 * i] + arm->arm.base[0],
                               points[2 * i + 1] + arm->arm.base[1]));
  g_assert_cmpfloat (reach, <=, 120.0 + 1e-9); /* never beyond the sum of the links */
  g_assert_cmpfloat (reach, >, 0.0);

  /* no steps: the origin alone */
  double one[2] = { 5, 5 };
  g_assert_cmpint (arm3_vtable.run (self, 0, NULL, one), ==, 0);
  assert_point (one, 0.0, 0.0, 0.0);
  /* bad calls fail with a message */
  g_assert_cmpstr (arm3_vtable.head.error_message (self), ==, "no error");
  g_assert_cmpint (arm3_vtable.run (self, -1, motor, points), <, 0);
  g_assert_nonnull (strstr (arm3_vtable.head.error_message (self), "steps"));
  g_assert_cmpint (arm3_vtable.run (self, STEPS, NULL, points), <, 0);
  g_assert_nonnull (strstr (arm3_vtable.head.error_message (self), "NULL"));
  g_assert_cmpint (arm3_vtable.run (self, STEPS, motor, NULL), <, 0);

  /* state: a version byte, round trip; other versions and sizes refused */
  GByteArray *state = g_byte_array_new ();
  g_assert_cmpint (arm3_vtable.head.save_state (self, state), ==, 0);
  g_assert_cmpuint (state->len, ==, 1);
  g_assert_cmpuint (state->data[0], ==, ARM3_STATE_VERSION);
  g_assert_cmpint (arm3_vtable.head.load_state (self, state->data, state->len), ==, 0);
  guint8 bad[2] = { 7, ARM3_STATE_VERSION };
  g_assert_cmpint (arm3_vtable.head.load_state (self, bad, 1), <, 0);
  g_assert_nonnull (strstr (arm3_vtable.head.error_message (self), "version"));
  g_assert_cmpint (arm3_vtable.head.load_state (self, bad + 1, 0), <, 0);
  g_byte_array_append (state, state->data, 1); /* 2 bytes: too long */
  g_assert_cmpint (arm3_vtable.head.load_state (self, state->data, state->len), <, 0);
  g_byte_array_unref (state);
  /* the arm still draws the same after a reload */
  g_assert_cmpint (arm3_vtable.run (self, STEPS, motor, points), ==, 0);
  g_assert_cmpmem (points, sizeof points, direct, sizeof direct);
  arm3_vtable.head.destroy (self);

  /* a generator of another width is left to the host, which names both
     plugins (see test_mismatch): create() accepts it, input_size() says 3 */
  setup = make_setup (2);
  self = arm3_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  g_assert_cmpint (arm3_vtable.input_size (self), ==, 3);
  arm3_vtable.head.destroy (self);

  /* refused: a link not > 0 or not finite, a divisor not > 0, angles not finite */
  SomaifParamValue *lv = somaif_params_lookup (p, "lengths");
  SomaifParamValue *av = somaif_params_lookup (p, "initial_angles");
  SomaifParamValue *dv = somaif_params_lookup (p, "divisor");
  const double bad_lengths[] = { 0.0, -1.0, NAN, INFINITY };
  for (int k = 0; k < 3; k++)
    for (guint b = 0; b < G_N_ELEMENTS (bad_lengths); b++)
      {
        lv->floats[k] = bad_lengths[b];
        assert_refused (p, "lengths");
        lv->floats[k] = 40.0;
      }
  lv->n_floats = 2; /* the host checks the count; create() does too */
  assert_refused (p, "lengths");
  lv->n_floats = 3;
  const double bad_divisors[] = { 0.0, -10.0, NAN, INFINITY };
  for (guint b = 0; b < G_N_ELEMENTS (bad_divisors); b++)
    {
      dv->f = bad_divisors[b];
      assert_refused (p, "divisor");
    }
  dv->f = 10.0;
  av->floats[2] = NAN;
  assert_refused (p, "initial_angles");
  av->floats[2] = INFINITY;
  assert_refused (p, "initial_angles");
  av->floats[2] = G_PI / 2;
  av->n_floats = 4;
  assert_refused (p, "initial_angles");
  av->n_floats = 3;

  /* after all that, the defaults are accepted again */
  setup = make_setup (3);
  self = arm3_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);
  arm3_vtable.head.destroy (self);
  somaif_params_free (p);
}

/* The plugin, configured as the seed's arm with the shortest wrist a config
 * may give (1e-9), draws arm2's trajectories from the float commands a
 * generator writes, the third padded with 0: within 1e-9 plus what the wrist
 * itself can move the pen (twice its length). */
static void
test_plugin_like_arm2 (void)
{
  Golden g;
  golden_init (&g);
  SomaifArm2 arm2;
  somaif_arm2_init (&arm2, g.length, g.angles, g.divisor);

  SomaifParams *p = default_params ();
  SomaifParamValue *lv = somaif_params_lookup (p, "lengths");
  SomaifParamValue *av = somaif_params_lookup (p, "initial_angles");
  lv->floats[0] = lv->floats[1] = g.length;
  const double wrist = arm3_params[0].min;
  g_assert_cmpfloat (wrist, ==, 1e-9);
  lv->floats[2] = wrist;
  av->floats[0] = g.angles[0];
  av->floats[1] = g.angles[1];
  av->floats[2] = 0.0;
  somaif_params_lookup (p, "divisor")->f = g.divisor;
  SomaifSetup setup = make_setup (3);
  GError *error = NULL;
  void *self = arm3_vtable.head.create (&setup, p, &error);
  g_assert_no_error (error);

  float motor2[2 * STEPS], motor3[3 * STEPS];
  double ref[2 * (STEPS + 1)], pts[2 * (STEPS + 1)], worst = 0.0, worst_golden = 0.0;
  for (int k = 0; k < N_TRAJ; k++)
    {
      for (int t = 0; t < STEPS; t++)
        {
          motor2[2 * t] = motor3[3 * t] = (float) g.ang_vel[k][2 * t];
          motor2[2 * t + 1] = motor3[3 * t + 1] = (float) g.ang_vel[k][2 * t + 1];
          motor3[3 * t + 2] = 0.0f;
        }
      somaif_arm2_run_float (&arm2, STEPS, motor2, ref);
      memset (pts, 0xff, sizeof pts);
      g_assert_cmpint (arm3_vtable.run (self, STEPS, motor3, pts), ==, 0);
      worst = MAX (worst, worst_error (pts, ref));
      worst_golden = MAX (worst_golden, worst_error (pts, g.traj[k]));
    }
  g_test_message ("arm3 plugin (wrist %g) vs arm2's float path: worst |error| %.3g "
                  "(tolerance 1e-9 + 2 x wrist); vs the golden trajectories: %.3g "
                  "(tolerance 1e-4)", wrist, worst, worst_golden);
  g_assert_cmpfloat (worst, <=, 1e-9 + 2 * wrist);
  g_assert_cmpfloat (worst_golden, <=, 1e-4);
  arm3_vtable.head.destroy (self);
  somaif_params_free (p);
  g_hash_table_destroy (g.arrays);
}

/* ---- somaif-run: an esn of 2 outputs cannot drive a 3-joint arm ---------- */

static const char *mismatch_cfg =
  "experiment = { epochs = 10; seed = 1; steps = 20; };\n"
  "generator = { plugin = \"esn\"; units = 10; outputs = %d; };\n"
  "plant = { plugin = \"arm3\"; };\n"
  "renderer = { plugin = \"canvas\"; };\n"
  "perceiver = { plugin = \"ringsom\"; units = 5; };\n"
  "optimiser = { plugin = \"randsearch\"; };\n";

/* Runs `somaif-run --check` on a config with the given generator outputs. */
static int
check_config (const char *run, const char *dir, int outputs, char **out, char **err)
{
  g_autofree char *path = g_build_filename (dir, outputs == 3 ? "match.cfg" : "mismatch.cfg",
                                            NULL);
  g_autofree char *text = g_strdup_printf (mismatch_cfg, outputs);
  GError *error = NULL;
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  const char *argv[] = { run, "--check", path, NULL };
  int status = -1;
  /* the environment (SOMAIF_PLUGIN_PATH) is inherited */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out,
                               err, &status, &error));
  g_assert_no_error (error);
  g_unlink (path);
  return status;
}

/* Whether text holds the number n on its own (not as part of a longer number). */
static gboolean
has_number (const char *text, int n)
{
  g_autofree char *pattern = g_strdup_printf ("(^|[^0-9.])%d([^0-9.]|$)", n);
  return g_regex_match_simple (pattern, text, 0, 0);
}

static void
test_mismatch (void)
{
  const char *run = g_getenv ("SOMAIF_RUN");
  if (!run || !*run)
    {
      test_skip_unless_ci ("SOMAIF_RUN is not set (make check sets it)");
      return;
    }
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-arm3-XXXXXX", &error);
  g_assert_no_error (error);

  /* the control: 3 outputs are valid (so the plugins are found) */
  g_autofree char *out = NULL, *err = NULL;
  int status = check_config (run, dir, 3, &out, &err);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("somaif-run --check refused a matching config (is SOMAIF_PLUGIN_PATH set?): %s",
             err);

  g_autofree char *out2 = NULL, *err2 = NULL;
  status = check_config (run, dir, 2, &out2, &err2);
  g_assert_true (WIFEXITED (status)); /* refused, not crashed */
  g_assert_cmpint (WEXITSTATUS (status), !=, 0);
  g_test_message ("somaif-run --check, esn outputs 2 with arm3: %s", g_strstrip (err2));
  /* both plugin names, both sizes (the path and 'arm3' taken out first: the
     temporary folder's name and 'arm3' hold digits of their own) */
  g_assert_nonnull (strstr (err2, "'esn'"));
  g_assert_nonnull (strstr (err2, "'arm3'"));
  g_autofree char *cfgpath = g_build_filename (dir, "mismatch.cfg", NULL);
  g_auto (GStrv) parts = g_strsplit (err2, cfgpath, -1);
  g_autofree char *no_path = g_strjoinv ("", parts);
  g_auto (GStrv) parts2 = g_strsplit (no_path, "arm3", -1);
  g_autofree char *bare = g_strjoinv ("", parts2);
  if (!has_number (bare, 2) || !has_number (bare, 3))
    g_error ("the refusal does not give both sizes (2 and 3): %s", err2);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arm3/forward", test_forward);
  g_test_add_func ("/arm3/run", test_run);
  g_test_add_func ("/arm3/like-arm2", test_like_arm2);
  g_test_add_func ("/arm3/plugin", test_plugin);
  g_test_add_func ("/arm3/plugin-like-arm2", test_plugin_like_arm2);
  g_test_add_func ("/arm3/mismatch", test_mismatch);
  return g_test_run ();
}
