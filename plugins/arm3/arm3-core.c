/* arm3-core.c: forward kinematics of a 3-joint planar arm. */
#include "config.h"

#include <math.h>

#include "arm3-core.h"

void
somaif_arm3_forward (const double lengths[SOMAIF_ARM3_JOINTS],
                     const double angles[SOMAIF_ARM3_JOINTS], double point[2])
{
  double sum = 0.0, x = 0.0, y = 0.0;
  for (int k = 0; k < SOMAIF_ARM3_JOINTS; k++)
    {
      sum += angles[k];
      x += lengths[k] * cos (sum);
      y += lengths[k] * sin (sum);
    }
  point[0] = x;
  point[1] = y;
}

void
somaif_arm3_init (SomaifArm3 *arm, const double lengths[SOMAIF_ARM3_JOINTS],
                  const double angles[SOMAIF_ARM3_JOINTS], double divisor)
{
  for (int k = 0; k < SOMAIF_ARM3_JOINTS; k++)
    {
      arm->lengths[k] = lengths[k];
      arm->angles[k] = angles[k];
    }
  arm->divisor = divisor;
  somaif_arm3_forward (lengths, angles, arm->base);
}

/* The pen at joint angles a, relative to where it started. */
static inline void
pen (const SomaifArm3 *arm, const double a[SOMAIF_ARM3_JOINTS], double *point)
{
  double p[2];
  somaif_arm3_forward (arm->lengths, a, p);
  point[0] = p[0] - arm->base[0];
  point[1] = p[1] - arm->base[1];
}

void
somaif_arm3_run (const SomaifArm3 *arm, int steps, const double *motor, double *points)
{
  double a[SOMAIF_ARM3_JOINTS] = { arm->angles[0], arm->angles[1], arm->angles[2] };
  /* the canvas's initial point: exactly the origin */
  points[0] = 0.0;
  points[1] = 0.0;
  for (int t = 0; t < steps; t++)
    {
      for (int k = 0; k < SOMAIF_ARM3_JOINTS; k++)
        a[k] += motor[SOMAIF_ARM3_JOINTS * t + k] / arm->divisor;
      pen (arm, a, points + 2 * (t + 1));
    }
}

void
somaif_arm3_run_float (const SomaifArm3 *arm, int steps, const float *motor, double *points)
{
  somaif_arm3_run_from (arm, NULL, steps, motor, points, NULL);
}

void
somaif_arm3_run_from (const SomaifArm3 *arm, const double *pose, int steps,
                      const float *motor, double *points, double *end_pose)
{
  double a[SOMAIF_ARM3_JOINTS];
  for (int k = 0; k < SOMAIF_ARM3_JOINTS; k++)
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
      for (int k = 0; k < SOMAIF_ARM3_JOINTS; k++)
        a[k] += (double) motor[SOMAIF_ARM3_JOINTS * t + k] / arm->divisor;
      pen (arm, a, points + 2 * (t + 1));
    }
  for (int k = 0; end_pose && k < SOMAIF_ARM3_JOINTS; k++)
    end_pose[k] = a[k];
}
