/* test-cmaes-ref.c: CMA-ES's first generations against a small reference
 * written here from the published algorithm (Hansen, "The CMA Evolution
 * Strategy: A Tutorial", arXiv:1604.00772, table 1 and the algorithm of its
 * appendix A; the separable variant after Ros & Hansen, PPSN 2008).  The
 * plugin's standard normals z are the only thing taken from it: from them the
 * reference draws its own candidates and updates its own mean, step size,
 * paths and covariance, and each generation is compared. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "plugins/cmaes/cmaes-core.h"

#define N 4
#define GENERATIONS 8

typedef struct
{
  gboolean separable;
  int lambda, mu;
  double w[64], mueff, cs, ds, cc, c1, cmu, chin;
  double m[N], sigma, c[N][N], ps[N], pc[N];
  int gen;
  int stalled; /* generations with h_sigma = 0 */
} Ref;

/* Table 1 of the tutorial; c_1 and c_mu times (n + 2) / 3 when separable. */
static void
ref_init (Ref *r, int lambda, gboolean separable, double sigma, double mean)
{
  memset (r, 0, sizeof *r);
  double n = N;
  r->separable = separable;
  r->lambda = lambda;
  r->mu = lambda / 2;
  double sw = 0, sw2 = 0;
  for (int i = 0; i < r->mu; i++)
    sw += r->w[i] = log ((lambda + 1.0) / 2.0) - log (i + 1.0);
  for (int i = 0; i < r->mu; i++)
    {
      r->w[i] /= sw;
      sw2 += r->w[i] * r->w[i];
    }
  r->mueff = 1.0 / sw2;
  r->cs = (r->mueff + 2) / (n + r->mueff + 5);
  r->ds = 1 + 2 * fmax (0, sqrt ((r->mueff - 1) / (n + 1)) - 1) + r->cs;
  r->cc = (4 + r->mueff / n) / (n + 4 + 2 * r->mueff / n);
  r->c1 = 2 / ((n + 1.3) * (n + 1.3) + r->mueff);
  r->cmu = 2 * (r->mueff - 2 + 1 / r->mueff) / ((n + 2) * (n + 2) + r->mueff);
  if (separable)
    {
      r->c1 = fmin (1, r->c1 * (n + 2) / 3);
      r->cmu = r->cmu * (n + 2) / 3;
    }
  r->cmu = fmin (1 - r->c1, r->cmu);
  r->chin = sqrt (n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  r->sigma = sigma;
  for (int i = 0; i < N; i++)
    {
      r->m[i] = mean;
      r->c[i][i] = 1;
    }
}

/* Jacobi rotations: a = V diag(d) V^T, V's columns the eigenvectors. */
static void
jacobi (double a[N][N], double v[N][N], double d[N])
{
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      v[i][j] = i == j;
  for (int sweep = 0; sweep < 100; sweep++)
    {
      double off = 0;
      for (int p = 0; p < N; p++)
        for (int q = p + 1; q < N; q++)
          off += a[p][q] * a[p][q];
      if (off < 1e-30)
        break;
      for (int p = 0; p < N; p++)
        for (int q = p + 1; q < N; q++)
          {
            if (a[p][q] == 0)
              continue;
            double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
            double t = (theta >= 0 ? 1 : -1) / (fabs (theta) + sqrt (theta * theta + 1));
            double c = 1 / sqrt (t * t + 1), s = t * c;
            for (int k = 0; k < N; k++)
              {
                double akp = a[k][p], akq = a[k][q];
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
              }
            for (int k = 0; k < N; k++)
              {
                double apk = a[p][k], aqk = a[q][k];
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
              }
            for (int k = 0; k < N; k++)
              {
                double vkp = v[k][p], vkq = v[k][q];
                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
              }
          }
    }
  for (int i = 0; i < N; i++)
    d[i] = a[i][i];
}

/* C^(power) of the reference's C by its eigendecomposition (power 1/2, -1/2). */
static void
c_power (const Ref *r, double power, double out[N][N])
{
  double a[N][N], v[N][N], d[N];
  memcpy (a, r->c, sizeof a);
  jacobi (a, v, d);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      {
        double s = 0;
        for (int k = 0; k < N; k++)
          s += v[i][k] * pow (d[k], power) * v[j][k];
        out[i][j] = s;
      }
}

/* A rotated ellipsoid: the test's objective (rewards are minus it). */
static double
objective (const float *x)
{
  double f = 0;
  for (int i = 0; i < N; i++)
    {
      double u = x[i] + 0.5 * x[(i + 1) % N] - 1.0;
      f += pow (10.0, i) * u * u;
    }
  return f;
}

static void
assert_near (double got, double want, double tol, const char *what, int gen, int i)
{
  if (!(fabs (got - want) <= tol * (1 + fabs (want))))
    g_error ("generation %d, %s[%d]: the plugin has %.15g, the reference %.15g", gen, what, i,
             got, want);
}

/* One generation: the plugin samples; the reference builds the candidates
   from the same z, ranks them and updates; the two are compared. */
static void
generation (SomaifCmaes *es, Ref *r, float *cand, double *rewards)
{
  somaif_cmaes_sample (es, 0, cand);
  double y[64][N];
  for (int k = 0; k < r->lambda; k++)
    {
      const double *z = es->z + (gsize) k * N;
      double yv[N];
      if (r->separable)
        for (int i = 0; i < N; i++)
          yv[i] = sqrt (r->c[i][i]) * z[i];
      else
        {
          /* The plugin's y = B D z with its own B: same distribution, and
             the same length in the metric of C (|C^(-1/2) y| = |z|). */
          double inv[N][N], len = 0, zz = 0;
          c_power (r, -0.5, inv);
          const double *py = es->y + (gsize) k * N;
          for (int i = 0; i < N; i++)
            {
              double s = 0;
              for (int j = 0; j < N; j++)
                s += inv[i][j] * py[j];
              len += s * s;
              zz += z[i] * z[i];
            }
          assert_near (sqrt (len), sqrt (zz), 1e-9, "|C^-1/2 y| against |z|", r->gen, k);
          memcpy (yv, py, sizeof yv);
        }
      memcpy (y[k], yv, sizeof yv);
      for (int i = 0; i < N; i++)
        {
          float x = (float) (r->m[i] + r->sigma * yv[i]);
          if (x != cand[(gsize) k * N + i])
            g_error ("generation %d, candidate %d[%d]: the plugin's %.9g, the reference's %.9g",
                     r->gen, k, i, cand[(gsize) k * N + i], x);
        }
      rewards[k] = -objective (cand + (gsize) k * N);
    }

  /* rank: decreasing reward, ties in candidate order */
  int order[64];
  for (int k = 0; k < r->lambda; k++)
    order[k] = k;
  for (int a = 1; a < r->lambda; a++)
    for (int b = a; b > 0 && rewards[order[b - 1]] < rewards[order[b]]; b--)
      {
        int t = order[b];
        order[b] = order[b - 1];
        order[b - 1] = t;
      }
  double yw[N] = { 0 };
  for (int i = 0; i < r->mu; i++)
    for (int j = 0; j < N; j++)
      yw[j] += r->w[i] * y[order[i]][j];
  double inv[N][N];
  c_power (r, -0.5, inv);
  for (int j = 0; j < N; j++)
    r->m[j] += r->sigma * yw[j];
  double norm = 0;
  for (int i = 0; i < N; i++)
    {
      double s = 0;
      for (int j = 0; j < N; j++)
        s += (r->separable ? (i == j) / sqrt (r->c[i][i]) : inv[i][j]) * yw[j];
      r->ps[i] = (1 - r->cs) * r->ps[i] + sqrt (r->cs * (2 - r->cs) * r->mueff) * s;
      norm += r->ps[i] * r->ps[i];
    }
  norm = sqrt (norm);
  r->gen++;
  double hs = norm / sqrt (1 - pow (1 - r->cs, 2.0 * r->gen)) < (1.4 + 2.0 / (N + 1)) * r->chin;
  r->stalled += hs == 0;
  for (int i = 0; i < N; i++)
    r->pc[i] = (1 - r->cc) * r->pc[i] + hs * sqrt (r->cc * (2 - r->cc) * r->mueff) * yw[i];
  double dh = (1 - hs) * r->cc * (2 - r->cc);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      {
        if (r->separable && i != j)
          continue;
        double rank_mu = 0;
        for (int k = 0; k < r->mu; k++)
          rank_mu += r->w[k] * y[order[k]][i] * y[order[k]][j];
        r->c[i][j] = (1 + r->c1 * dh - r->c1 - r->cmu) * r->c[i][j]
                     + r->c1 * r->pc[i] * r->pc[j] + r->cmu * rank_mu;
      }
  r->sigma *= exp (r->cs / r->ds * (norm / r->chin - 1));

  g_assert_cmpint (somaif_cmaes_tell (es, 0, rewards), ==, 0);
  const SomaifCmaesGoal *s = &es->goal[0];
  /* doubles on both sides, the same formulas in another order: agreement
     within 1e-15 observed; 1e-13 allowed */
  assert_near (s->sigma, r->sigma, 1e-13, "sigma", r->gen, 0);
  for (int i = 0; i < N; i++)
    {
      assert_near (s->mean[i], r->m[i], 1e-13, "mean", r->gen, i);
      assert_near (s->ps[i], r->ps[i], 1e-13, "p_sigma", r->gen, i);
      assert_near (s->pc[i], r->pc[i], 1e-13, "p_c", r->gen, i);
      for (int j = 0; j < N; j++)
        {
          double got = r->separable ? (i == j ? s->c[i] : 0.0) : s->c[(gsize) i * N + j];
          assert_near (got, r->c[i][j], 1e-13, "C", r->gen, i * N + j);
        }
    }
}

/* far: a small step size far from the optimum, so that the step-size path
   grows long and h_sigma stalls the rank-one update. */
static void
run_case (gboolean separable, gboolean far)
{
  int lambda = somaif_cmaes_default_population (N);
  g_assert_cmpint (lambda, ==, 8); /* 4 + floor(3 ln 4) */
  SomaifCmaesCovariance cov = separable ? SOMAIF_CMAES_SEPARABLE : SOMAIF_CMAES_FULL;
  double sigma0 = far ? 0.002 : 0.3, mean0 = far ? -30.0 : 0.2;
  SomaifCmaes *es = somaif_cmaes_new (N, 1, lambda, cov, sigma0, mean0, 11);
  g_assert_nonnull (es);
  Ref r;
  ref_init (&r, lambda, separable, sigma0, mean0);
  float cand[64 * N];
  double rewards[64];
  for (int g = 0; g < GENERATIONS; g++)
    generation (es, &r, cand, rewards);
  if (far)
    g_assert_cmpint (r.stalled, >, 0);
  g_test_message ("after %d generations (h_sigma 0 in %d): sigma %.6g, mean %.4g %.4g %.4g %.4g", GENERATIONS, r.stalled,
                  r.sigma, r.m[0], r.m[1], r.m[2], r.m[3]);
  somaif_cmaes_free (es);
}

static void
test_generations (gconstpointer data)
{
  int which = GPOINTER_TO_INT (data);
  run_case (which & 1, which & 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/cmaes-ref/full", GINT_TO_POINTER (0), test_generations);
  g_test_add_data_func ("/cmaes-ref/separable", GINT_TO_POINTER (1), test_generations);
  g_test_add_data_func ("/cmaes-ref/full-far", GINT_TO_POINTER (2), test_generations);
  g_test_add_data_func ("/cmaes-ref/separable-far", GINT_TO_POINTER (3), test_generations);
  return g_test_run ();
}
