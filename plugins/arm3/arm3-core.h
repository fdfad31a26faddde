/* arm3-core.h: a 3-joint planar arm, as plain functions shared by the plugin
 * glue (arm3.c) and the tests.
 *
 * Three links of lengths l0, l1, l2; the joint angles start at a and each
 * step adds the step's three angle velocities divided by the divisor.  Joint
 * k's angle is relative to link k - 1, so link k points along
 * A_k = a_0 + ... + a_k and the pen is at
 *   sum_k l_k (cos A_k, sin A_k) - base,
 * base being the pen's position at the initial angles, so that a trajectory
 * starts at the origin, as the seed's arm2 does.  A rollout of n steps gives
 * n + 1 points: the origin, then one point a step.  Everything is computed in
 * double.  With l2 = 0 and the first two angles and velocities of arm2, it
 * draws arm2's trajectory.
 */
#ifndef SOMAIF_ARM3_CORE_H
#define SOMAIF_ARM3_CORE_H

#include <glib.h>

G_BEGIN_DECLS

#define SOMAIF_ARM3_JOINTS 3

typedef struct
{
  double lengths[SOMAIF_ARM3_JOINTS]; /* of each link, in paper units */
  double angles[SOMAIF_ARM3_JOINTS];  /* initial joint angles, radians */
  double divisor;                     /* angle step = velocity / divisor */
  double base[2];                     /* the pen at the initial angles, from the shoulder */
} SomaifArm3;

/* The pen seen from the shoulder: sum_k lengths[k] (cos A_k, sin A_k). */
void somaif_arm3_forward (const double lengths[SOMAIF_ARM3_JOINTS],
                          const double angles[SOMAIF_ARM3_JOINTS], double point[2]);

void somaif_arm3_init (SomaifArm3 *arm, const double lengths[SOMAIF_ARM3_JOINTS],
                       const double angles[SOMAIF_ARM3_JOINTS], double divisor);

/* motor: steps x 3 angle velocities; points: (steps + 1) x 2. */
void somaif_arm3_run (const SomaifArm3 *arm, int steps, const double *motor, double *points);
/* The same with float velocities (what a generator writes), widened to double. */
void somaif_arm3_run_float (const SomaifArm3 *arm, int steps, const float *motor,
                            double *points);

/* The same from the joint angles pose (SOMAIF_ARM3_JOINTS doubles; NULL: the initial
 * angles): points[0] is the pen at pose, relative to where the pen starts at
 * the initial angles; the angles after the last step go into end_pose (NULL:
 * not wanted).  From the initial angles points[0] is exactly the origin. */
void somaif_arm3_run_from (const SomaifArm3 *arm, const double *pose, int steps,
                          const float *motor, double *points, double *end_pose);

G_END_DECLS

#endif /* SOMAIF_ARM3_CORE_H */
