/* randsearch-core.c: the random search's arithmetic (see randsearch-core.h). */
#include "config.h"

#include "randsearch-core.h"

double
somaif_randsearch_alpha (double step, double sigma)
{
  return step / sigma;
}

void
somaif_randsearch_draw (SomaifRng *rng, int d, int k, double sigma, float *deltas)
{
  for (gsize i = 0; i < (gsize) d * k; i++)
    deltas[i] = (float) (somaif_rng_normal (rng) * sigma);
}

void
somaif_randsearch_candidates (int d, int k, const float *w, const float *deltas,
                              float *candidates)
{
  for (int j = 0; j < k; j++)
    {
      const float *delta = deltas + (gsize) j * d;
      float *minus = candidates + (gsize) (2 * j) * d;
      float *plus = minus + d;
      for (int p = 0; p < d; p++)
        {
          minus[p] = w[p] - delta[p];
          plus[p] = w[p] + delta[p];
        }
    }
}

void
somaif_randsearch_update (int d, int k, float *w, const float *deltas, const double *rewards,
                          double alpha)
{
  float a = (float) alpha;
  for (int p = 0; p < d; p++)
    {
      /* Python's sum([a * r * delta ...]): 0 + term + term ..., each term
         (+-r) * delta and each addition rounded to float32. */
      float acc = 0.0f;
      for (int j = 0; j < k; j++)
        {
          float delta = deltas[(gsize) j * d + p];
          float minus = -(float) rewards[2 * j];
          float plus = (float) rewards[2 * j + 1];
          acc = acc + minus * delta;
          acc = acc + plus * delta;
        }
      w[p] = w[p] + a * acc;
    }
}
