/* arm3.c: a 3-joint planar arm as a somaif plant plugin.
 * The arithmetic lives in arm3-core.c; this file is the vtable glue. */
#include "config.h"

#include <math.h>

#include "somaif/plugin.h"
#include "arm3-core.h"

#define ARM3_STATE_VERSION 1

/* Default pose: every joint bent a right angle, (-pi/4, pi/2, pi/2): the
 * links point at -45, 45 and 135 degrees, none aligned with another, and the
 * pen starts at 45 degrees from the shoulder, as the seed arm's does.  A
 * folded arm has short levers behind its joints: from a straighter pose the
 * same angle velocities swing the pen much farther (rollouts of 300 random
 * 3-output reservoirs leave the [-60, 60] canvas for 28% of their points from
 * (-pi/12, pi/3, pi/3) with links of 40, for 13.5% from this pose). */
static const SomaifParamSpec arm3_params[] = {
  { "lengths", SOMAIF_PARAM_FLOATS, "[40.0, 40.0, 40.0]", 1e-9, 1e9, 3, 0,
    "length of each link from the shoulder out, in paper units" },
  { "initial_angles", SOMAIF_PARAM_FLOATS,
    "[-0.78539816339744828, 1.5707963267948966, 1.5707963267948966]", 1.0, 0.0, 3, 0,
    "joint angles before the first step, radians, each relative to the previous link "
    "(default: right angles, a folded arm with the pen at 45 degrees from the shoulder)" },
  { "divisor", SOMAIF_PARAM_FLOAT, "10", 1e-9, 1e9, 0, 0,
    "each step adds motor command / divisor to a joint's angle (radians)" },
  SOMAIF_PARAM_END
};

typedef struct
{
  SomaifArm3 arm;
  gpointer error; /* const char *: why the last method failed (static text) */
} Arm3;

static void
arm3_fail (const Arm3 *self, const char *message)
{
  /* run() is concurrent: the message is a static string, swapped atomically */
  g_atomic_pointer_set (&((Arm3 *) self)->error, (gpointer) message);
}

static gboolean
all_finite (const double *v, int n)
{
  for (int i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

static void *
arm3_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  double divisor = somaif_params_get_float (params, "divisor");
  int n_lengths = 0, n_angles = 0;
  const double *lengths = somaif_params_get_floats (params, "lengths", &n_lengths);
  const double *angles = somaif_params_get_floats (params, "initial_angles", &n_angles);

  if (!lengths || n_lengths != SOMAIF_ARM3_JOINTS)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "lengths must be %d numbers (got %d)", SOMAIF_ARM3_JOINTS, n_lengths);
      return NULL;
    }
  for (int k = 0; k < SOMAIF_ARM3_JOINTS; k++)
    if (!(lengths[k] > 0.0) || !isfinite (lengths[k]))
      {
        g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                     "lengths[%d] = %g: each link's length must be a finite number > 0", k,
                     lengths[k]);
        return NULL;
      }
  if (!angles || n_angles != SOMAIF_ARM3_JOINTS || !all_finite (angles, n_angles))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "initial_angles must be %d finite numbers (got %d)", SOMAIF_ARM3_JOINTS,
                   n_angles);
      return NULL;
    }
  if (!(divisor > 0.0) || !isfinite (divisor))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "divisor = %g: it must be a finite number > 0", divisor);
      return NULL;
    }
  /* A generator of another width (setup->input_size) is not refused here: the
     host compares it with input_size() and names both plugins and sizes. */
  (void) setup;

  Arm3 *self = g_new0 (Arm3, 1);
  somaif_arm3_init (&self->arm, lengths, angles, divisor);
  return self;
}

static void
arm3_destroy (void *data)
{
  g_free (data);
}

static const char *
arm3_error_message (const void *data)
{
  const char *message = g_atomic_pointer_get (&((Arm3 *) data)->error);
  return message ? message : "no error";
}

static int
arm3_input_size (const void *data)
{
  return SOMAIF_ARM3_JOINTS;
}

static int
arm3_point_size (const void *data)
{
  return 2;
}

static int
arm3_n_points (const void *data, int steps)
{
  return steps + 1;
}

static int
arm3_run (const void *data, int steps, const float *motor, double *points)
{
  const Arm3 *self = data;
  if (steps < 0 || steps == G_MAXINT)
    {
      arm3_fail (self, "run: steps must be in [0, INT_MAX)");
      return -1;
    }
  if (!points || (steps > 0 && !motor))
    {
      arm3_fail (self, "run: motor or points is NULL");
      return -1;
    }
  somaif_arm3_run_float (&self->arm, steps, motor, points);
  return 0;
}

static int
arm3_pose_size (const void *data)
{
  return SOMAIF_ARM3_JOINTS;
}

static int
arm3_run_from (const void *data, const double *pose, int steps, const float *motor,
              double *points, double *end_pose)
{
  const Arm3 *self = data;
  if (steps < 0 || steps == G_MAXINT)
    {
      arm3_fail (self, "run_from: steps must be in [0, INT_MAX)");
      return -1;
    }
  if (!points || (steps > 0 && !motor))
    {
      arm3_fail (self, "run_from: motor or points is NULL");
      return -1;
    }
  for (int k = 0; pose && k < SOMAIF_ARM3_JOINTS; k++)
    if (!isfinite (pose[k]))
      {
        arm3_fail (self, "run_from: the pose holds a NaN or an infinity");
        return -1;
      }
  somaif_arm3_run_from (&self->arm, pose, steps, motor, points, end_pose);
  return 0;
}

/* The arm learns nothing and draws nothing at random: its state is its version. */
static int
arm3_save_state (const void *data, GByteArray *out)
{
  guint8 version = ARM3_STATE_VERSION;
  g_byte_array_append (out, &version, 1);
  return 0;
}

static int
arm3_load_state (void *data, const guint8 *bytes, gsize length)
{
  Arm3 *self = data;
  if (length != 1 || !bytes || bytes[0] != ARM3_STATE_VERSION)
    {
      arm3_fail (self, "load_state: not a state of this arm3 version (1 byte, version 1)");
      return -1;
    }
  return 0;
}

static const SomaifPlant arm3_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_PLANT,
    .name = "arm3",
    .description = "3-joint planar arm: three angle velocities to pen positions",
    .params = arm3_params,
    .create = arm3_create,
    .destroy = arm3_destroy,
    .set_param = NULL,
    .error_message = arm3_error_message,
    .save_state = arm3_save_state,
    .load_state = arm3_load_state,
  },
  .input_size = arm3_input_size,
  .point_size = arm3_point_size,
  .n_points = arm3_n_points,
  .run = arm3_run,
  .pose_size = arm3_pose_size,
  .run_from = arm3_run_from,
};

SOMAIF_PLUGIN_DEFINE (arm3_vtable)
