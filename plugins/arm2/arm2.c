/* arm2.c: the seed's 2-DOF arm as a somaif plant plugin.
 * The arithmetic lives in arm2-core.c; this file is the vtable glue. */
#include "config.h"

#include <math.h>

#include "somaif/plugin.h"
#include "arm2-core.h"

#define ARM2_STATE_VERSION 1

static const SomaifParamSpec arm2_params[] = {
  { "length", SOMAIF_PARAM_FLOAT, "60", 1e-9, 1e9, 0, 0,
    "length of each link, in paper units" },
  { "initial_angles", SOMAIF_PARAM_FLOATS, "[-0.26179938779914941, 2.0943951023931953]",
    1.0, 0.0, 2, 0, "the joints' angles before the first step, in radians" },
  { "divisor", SOMAIF_PARAM_FLOAT, "10", 1e-9, 1e9, 0, 0,
    "each step adds motor command / divisor to a joint's angle (radians)" },
  SOMAIF_PARAM_END
};

typedef struct
{
  SomaifArm2 arm;
  gpointer error; /* const char *: why the last method failed (static text) */
} Arm2;

static void
arm2_fail (const Arm2 *self, const char *message)
{
  /* run() is concurrent: the message is a static string, swapped atomically */
  g_atomic_pointer_set (&((Arm2 *) self)->error, (gpointer) message);
}

static void *
arm2_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  double length = somaif_params_get_float (params, "length");
  double divisor = somaif_params_get_float (params, "divisor");
  int n_angles = 0;
  const double *angles = somaif_params_get_floats (params, "initial_angles", &n_angles);

  if (!(length > 0.0) || !isfinite (length))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "length = %g: it must be a finite number > 0", length);
      return NULL;
    }
  if (!(divisor > 0.0) || !isfinite (divisor))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "divisor = %g: it must be a finite number > 0", divisor);
      return NULL;
    }
  if (!angles || n_angles != 2 || !isfinite (angles[0]) || !isfinite (angles[1]))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "initial_angles must be 2 finite numbers (got %d)", n_angles);
      return NULL;
    }
  /* The host compares the generator's output size with input_size() and
     names both plugins when they differ: no check of setup->input_size here. */

  Arm2 *self = g_new0 (Arm2, 1);
  somaif_arm2_init (&self->arm, length, angles, divisor);
  return self;
}

static void
arm2_destroy (void *data)
{
  g_free (data);
}

static const char *
arm2_error_message (const void *data)
{
  const char *message = g_atomic_pointer_get (&((Arm2 *) data)->error);
  return message ? message : "no error";
}

static int
arm2_input_size (const void *data)
{
  return 2;
}

static int
arm2_point_size (const void *data)
{
  return 2;
}

static int
arm2_n_points (const void *data, int steps)
{
  return steps + 1;
}

static int
arm2_run (const void *data, int steps, const float *motor, double *points)
{
  const Arm2 *self = data;
  if (steps < 0 || steps == G_MAXINT)
    {
      arm2_fail (self, "run: steps must be in [0, INT_MAX)");
      return -1;
    }
  if (!points || (steps > 0 && !motor))
    {
      arm2_fail (self, "run: motor or points is NULL");
      return -1;
    }
  somaif_arm2_run_float (&self->arm, steps, motor, points);
  return 0;
}

static int
arm2_pose_size (const void *data)
{
  return 2;
}

static int
arm2_run_from (const void *data, const double *pose, int steps, const float *motor,
              double *points, double *end_pose)
{
  const Arm2 *self = data;
  if (steps < 0 || steps == G_MAXINT)
    {
      arm2_fail (self, "run_from: steps must be in [0, INT_MAX)");
      return -1;
    }
  if (!points || (steps > 0 && !motor))
    {
      arm2_fail (self, "run_from: motor or points is NULL");
      return -1;
    }
  for (int k = 0; pose && k < 2; k++)
    if (!isfinite (pose[k]))
      {
        arm2_fail (self, "run_from: the pose holds a NaN or an infinity");
        return -1;
      }
  somaif_arm2_run_from (&self->arm, pose, steps, motor, points, end_pose);
  return 0;
}

/* The arm learns nothing and draws nothing at random: its state is its version. */
static int
arm2_save_state (const void *data, GByteArray *out)
{
  guint8 version = ARM2_STATE_VERSION;
  g_byte_array_append (out, &version, 1);
  return 0;
}

static int
arm2_load_state (void *data, const guint8 *bytes, gsize length)
{
  Arm2 *self = data;
  if (length != 1 || bytes[0] != ARM2_STATE_VERSION)
    {
      arm2_fail (self, "load_state: not a state of this arm2 version (1 byte, version 1)");
      return -1;
    }
  return 0;
}

static const SomaifPlant arm2_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_PLANT,
    .name = "arm2",
    .description = "2-joint planar arm: angle velocities to pen positions (the seed's arm)",
    .params = arm2_params,
    .create = arm2_create,
    .destroy = arm2_destroy,
    .set_param = NULL,
    .error_message = arm2_error_message,
    .save_state = arm2_save_state,
    .load_state = arm2_load_state,
  },
  .input_size = arm2_input_size,
  .point_size = arm2_point_size,
  .n_points = arm2_n_points,
  .run = arm2_run,
  .pose_size = arm2_pose_size,
  .run_from = arm2_run_from,
};

SOMAIF_PLUGIN_DEFINE (arm2_vtable)
