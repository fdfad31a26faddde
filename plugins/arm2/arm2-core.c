/* arm2-core.c: forward kinematics of the seed's 2-DOF arm. */
#include "config.h"

#include <math.h>

#include "arm2-core.h"

void
somaif_arm2_init (SomaifArm2 *arm, double length, const double angles[2], double divisor)
{
  arm->length = length;
  arm->angles[0] = angles[0];
  arm->angles[1] = angles[1];
  arm->divisor = divisor;
  arm->base_unit[0] = cos (angles[0]) + cos (angles[0] + angles[1]);
  arm->base_unit[1] = sin (angles[0]) + sin (angles[0] + angles[1]);
}

/* The pen at angles a, relative to where it started; the notebook's
 * l * (-sqrt2/2 + (cos a0 + cos(a0+a1))) with base_unit in place of sqrt2/2. */
static inline void
pen (const SomaifArm2 *arm, const double a[2], double *point)
{
  point[0] = arm->length * ((cos (a[0]) + cos (a[0] + a[1])) - arm->base_unit[0]);
  point[1] = arm->length * ((sin (a[0]) + sin (a[0] + a[1])) - arm->base_unit[1]);
}

void
somaif_arm2_run (const SomaifArm2 *arm, int steps, const double *motor, double *points)
{
  double a[2] = { arm->angles[0], arm->angles[1] };
  /* the canvas's initial point: exactly the origin */
  points[0] = 0.0;
  points[1] = 0.0;
  for (int t = 0; t < steps; t++)
    {
      a[0] += motor[2 * t] / arm->divisor;
      a[1] += motor[2 * t + 1] / arm->divisor;
      pen (arm, a, points + 2 * (t + 1));
    }
}

void
somaif_arm2_run_float (const SomaifArm2 *arm, int steps, const float *motor, double *points)
{
  somaif_arm2_run_from (arm, NULL, steps, motor, points, NULL);
}

void
somaif_arm2_run_from (const SomaifArm2 *arm, const double *pose, int steps,
                      const float *motor, double *points, double *end_pose)
{
  double a[2];
  for (int k = 0; k < 2; k++)
    a[k] = pose ? pose[k] : arm->angles[k];
  if (pose)
    pen (arm, a, points);
  else
    {
      /* the canvas's initial point: exactly the origin */
      points[0] = 0.0;
      points[1] = 0.0;
    }
  for (int t = 0; t < steps; t++)
    {
      for (int k = 0; k < 2; k++)
        a[k] += (double) motor[2 * t + k] / arm->divisor;
      pen (arm, a, points + 2 * (t + 1));
    }
  for (int k = 0; end_pose && k < 2; k++)
    end_pose[k] = a[k];
}
