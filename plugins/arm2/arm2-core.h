/* arm2-core.h: the seed's 2-DOF arm, as plain functions shared by the
 * plugin glue (arm2.c) and the tests.
 *
 * Two links of length l; the angles start at a and each step adds the
 * step's angle velocities divided by the divisor.  The pen is at
 *   l (cos a0 + cos(a0+a1), sin a0 + sin(a0+a1)) - base,
 * base being the pen's position at the initial angles, so that a trajectory
 * starts at the origin (for the seed's angles base = l (sqrt2/2, sqrt2/2), the
 * notebook's constant).  A rollout of n steps gives n + 1 points: the origin,
 * then one point a step.  Everything is computed in double.
 */
#ifndef SOMAIF_ARM2_CORE_H
#define SOMAIF_ARM2_CORE_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double length;       /* of each link, in paper units */
  double angles[2];    /* initial angles, radians */
  double divisor;      /* angle step = velocity / divisor */
  double base_unit[2]; /* (cos a0 + cos(a0+a1), sin a0 + sin(a0+a1)) at the initial angles */
} SomaifArm2;

void somaif_arm2_init (SomaifArm2 *arm, double length, const double angles[2], double divisor);

/* motor: steps x 2 angle velocities; points: (steps + 1) x 2. */
void somaif_arm2_run (const SomaifArm2 *arm, int steps, const double *motor, double *points);
/* The same with float velocities (what a generator writes), widened to double. */
void somaif_arm2_run_float (const SomaifArm2 *arm, int steps, const float *motor,
                            double *points);

/* The same from the joint angles pose (2 doubles; NULL: the initial
 * angles): points[0] is the pen at pose, relative to where the pen starts at
 * the initial angles; the angles after the last step go into end_pose (NULL:
 * not wanted).  From the initial angles points[0] is exactly the origin. */
void somaif_arm2_run_from (const SomaifArm2 *arm, const double *pose, int steps,
                          const float *motor, double *points, double *end_pose);

/* sin and cos of x[0 .. n - 1], in s and c: our own, the same bits on
 * every CPU and C library (see arm2-core.c). */
void somaif_arm2_sincos (const double *x, double *s, double *c, int n);

G_END_DECLS

#endif /* SOMAIF_ARM2_CORE_H */
