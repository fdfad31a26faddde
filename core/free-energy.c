/* free-energy.c: the terms of the free energy the optimiser minimises. */
#include "config.h"

#include <math.h>

#include "free-energy.h"
#include "scan.h"

double
somaif_goal_terms (const float *goal, int n, float *d)
{
  /* sum log t as the log of products of 16 terms: t >= 0.0005, so a product
     stays far above double's smallest normal, and 16 times fewer logs. */
  double sum = 0.0;
  /* A prototype is mostly runs of one value (blank paper): the last pixel's
     target and log are reused for the next one of the same value. */
  float last_goal = NAN, last_t = 0.0f, last_d = 0.0f;
  for (int p0 = 0; p0 < n; p0 += 16)
    {
      double prod = 1.0;
      for (int p = p0; p < n && p < p0 + 16; p++)
        {
          if (goal[p] != last_goal)
            {
              last_goal = goal[p];
              last_t = goal[p] * 0.999f + 0.0005f;
              last_d = logf (last_t / (1.0f - last_t));
            }
          prod *= (double) last_t;
          d[p] = last_d;
        }
      sum += log (prod);
    }
  return sum;
}

/* Pixels a blank test looks at together (somaif_blank16). */
#define BLANK_RUN 16

double
somaif_cross_entropy (const float *image, const float *d, double sum_log_t, int n)
{
  /* A drawing is mostly blank paper (exactly 1): runs of it are skipped by a
     vector test; the ink is summed in pixel order, so the sum is the same as
     a plain loop's. */
  double ink = 0.0;
  for (int p0 = 0; p0 < n; p0 += BLANK_RUN)
    {
      if (p0 + BLANK_RUN <= n && somaif_blank16 (image + p0))
        continue;
      for (int p = p0; p < n && p < p0 + BLANK_RUN; p++)
        if (image[p] != 1.0f)
          ink += (1.0 - (double) image[p]) * (double) d[p];
    }
  return ink - sum_log_t;
}

double
somaif_log_partition (const double *distances, int n, double beta)
{
  /* Shift by the smallest distance: exp(-beta d) underflows for a far unit. */
  double dmin = INFINITY;
  for (int u = 0; u < n; u++)
    dmin = fmin (dmin, distances[u]);
  double z = 0.0;
  for (int u = 0; u < n; u++)
    z += exp (-beta * (distances[u] - dmin));
  return log (z) - beta * dmin;
}

double
somaif_complexity (double beta, double distance, double log_z)
{
  return beta * distance + log_z;
}
