/* free-energy.c: the terms of the free energy the optimiser minimises. */
#include "config.h"

#include <math.h>

#include "free-energy.h"

void
somaif_goal_log_terms (const float *goal, int n, float *log_t, float *log_1mt)
{
  for (int p = 0; p < n; p++)
    {
      float t = goal[p] * 0.999f + 0.0005f;
      log_t[p] = logf (t);
      log_1mt[p] = logf (1.0f - t);
    }
}

double
somaif_cross_entropy (const float *image, const float *log_t, const float *log_1mt, int n)
{
  double sum = 0.0;
  for (int p = 0; p < n; p++)
    sum += (double) (image[p] * log_t[p] + (1.0f - image[p]) * log_1mt[p]);
  return -sum;
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
