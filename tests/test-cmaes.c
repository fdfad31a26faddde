/* test-cmaes.c: the cmaes optimiser: its constants (Hansen's tutorial), its
 * eigendecomposition, convergence of both variants on a sphere and a rotated
 * ellipsoid when driven through the vtable as the core drives it, the
 * independence of goals, checkpoints and refusals.
 *
 * The glue is compiled into this program (it is one file of static functions)
 * so that its vtable and instance are at hand without dlopen. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libconfig.h>

#include "params-private.h"
#include "plugins/cmaes/cmaes.c"
#include "tests/test-params.h"

/* ------------------------------------------------------------------ */
/* Instances as the host creates them (parameters: tests/test-params.h)  */

static Cmaes *
create_es (guint64 seed, int n, int goals, const char *const *overrides, GError **error)
{
  SomaifSetup setup = { 0 };
  setup.struct_size = sizeof setup;
  setup.seed = seed;
  setup.steps = 100;
  setup.input_size = n;
  setup.goals = goals;
  setup.epochs = 20000;
  SomaifParams *p = test_params_new (cmaes_params, overrides, error);
  if (!p)
    return NULL;
  Cmaes *es = cmaes_vtable.head.create (&setup, p, error);
  somaif_params_free (p);
  return es;
}

static Cmaes *
create_ok (guint64 seed, int n, int goals, const char *const *overrides)
{
  GError *error = NULL;
  Cmaes *es = create_es (seed, n, goals, overrides, &error);
  g_assert_no_error (error);
  g_assert_nonnull (es);
  return es;
}

/* ------------------------------------------------------------------ */
/* Constants                                                           */

static void
test_default_population (void)
{
  g_assert_cmpint (somaif_cmaes_default_population (100), ==, 17);
  g_assert_cmpint (somaif_cmaes_default_population (10), ==, 10);
  g_assert_cmpint (somaif_cmaes_default_population (2), ==, 6);
  g_assert_cmpint (somaif_cmaes_default_population (1), ==, 4);

  const char *full[] = { "covariance", "\"full\"", NULL };
  Cmaes *es = create_ok (1, 100, 50, NULL);
  g_assert_cmpint (cmaes_vtable.max_candidates (es), ==, 17);
  g_assert_cmpint (es->es->k.mu, ==, 8);
  cmaes_destroy (es);
  es = create_ok (1, 100, 2, full);
  g_assert_cmpint (cmaes_vtable.max_candidates (es), ==, 17);
  cmaes_destroy (es);
  const char *pop[] = { "population", "30", NULL };
  es = create_ok (1, 100, 2, pop);
  g_assert_cmpint (cmaes_vtable.max_candidates (es), ==, 30);
  g_assert_cmpint (es->es->k.mu, ==, 15);
  cmaes_destroy (es);
}

static void
test_weights (void)
{
  double w[64];
  SomaifCmaesConstants k = { .weights = w };

  /* lambda 4, mu 2: w' = (ln 2.5, ln 2.5 - ln 2), by hand. */
  somaif_cmaes_constants (&k, 3, 4, SOMAIF_CMAES_FULL);
  g_assert_cmpint (k.mu, ==, 2);
  double a = log (2.5), b = log (2.5) - log (2.0);
  g_assert_cmpfloat_with_epsilon (w[0], a / (a + b), 1e-15);
  g_assert_cmpfloat_with_epsilon (w[1], b / (a + b), 1e-15);
  g_assert_cmpfloat_with_epsilon (k.mu_eff, (a + b) * (a + b) / (a * a + b * b), 1e-13);

  /* n 10, lambda 10 (the default): numbers worked out separately. */
  static const double want[5] = { 0.45627264690340597, 0.2707530970017852,
                                  0.16223111715866978, 0.08523354710016448,
                                  0.025509591835974777 };
  somaif_cmaes_constants (&k, 10, 10, SOMAIF_CMAES_FULL);
  g_assert_cmpint (k.mu, ==, 5);
  double sum = 0.0;
  for (int i = 0; i < k.mu; i++)
    {
      g_assert_cmpfloat_with_epsilon (w[i], want[i], 1e-14);
      if (i > 0)
        g_assert_cmpfloat (w[i], <, w[i - 1]);
      sum += w[i];
    }
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-14);
  g_assert_cmpfloat_with_epsilon (k.mu_eff, 3.1672992814107017, 1e-12);
  double me = k.mu_eff;
  g_assert_cmpfloat_with_epsilon (k.c_sigma, (me + 2) / (10 + me + 5), 1e-15);
  g_assert_cmpfloat_with_epsilon (k.d_sigma, 1 + k.c_sigma, 1e-15); /* sqrt((me-1)/11) < 1 */
  g_assert_cmpfloat_with_epsilon (k.c_c, (4 + me / 10) / (14 + 2 * me / 10), 1e-15);
  g_assert_cmpfloat_with_epsilon (k.c_1, 2 / (11.3 * 11.3 + me), 1e-15);
  g_assert_cmpfloat_with_epsilon (k.c_mu, 2 * (me - 2 + 1 / me) / (144 + me), 1e-15);
  g_assert_cmpfloat_with_epsilon (k.chi_n, sqrt (10.0) * (1 - 1 / 40.0 + 1 / 2100.0), 1e-15);
  g_assert_cmpfloat (k.eigen_gap, >, 0.0);
  double c_1 = k.c_1, c_mu = k.c_mu;

  /* sep-CMA-ES: both covariance rates (n + 2) / 3 = 4 times larger. */
  somaif_cmaes_constants (&k, 10, 10, SOMAIF_CMAES_SEPARABLE);
  g_assert_cmpfloat_with_epsilon (k.c_1, 4 * c_1, 1e-15);
  g_assert_cmpfloat_with_epsilon (k.c_mu, 4 * c_mu, 1e-15);
  g_assert_cmpfloat_with_epsilon (k.mu_eff, me, 1e-15);

  /* lambda 17, n 100: the seed's shape; the rates stay valid. */
  somaif_cmaes_constants (&k, 100, 17, SOMAIF_CMAES_SEPARABLE);
  g_assert_cmpint (k.mu, ==, 8);
  g_assert_cmpfloat_with_epsilon (k.mu_eff, 5.096188878610173, 1e-12);
  g_assert_cmpfloat (k.c_1 + k.c_mu, <=, 1.0);
  g_assert_cmpfloat (k.c_1, >, 0.0);
  g_assert_cmpfloat (k.c_mu, >, 0.0);
}

/* ------------------------------------------------------------------ */
/* Jacobi                                                              */

/* Worst |A v_c - w_c v_c| and |V V^T - I| of a decomposition (rows of v). */
static void
check_eigen (int n, const double *a0, const double *v, const double *w, double *residual,
             double *ortho)
{
  *residual = *ortho = 0.0;
  for (int i = 0; i < n; i++)
    for (int c = 0; c < n; c++)
      {
        double av = 0.0, dot = 0.0;
        for (int j = 0; j < n; j++)
          {
            av += a0[i * n + j] * v[c * n + j];
            dot += v[i * n + j] * v[c * n + j];
          }
        *residual = MAX (*residual, fabs (av - w[c] * v[c * n + i]));
        *ortho = MAX (*ortho, fabs (dot - (i == c ? 1.0 : 0.0)));
      }
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
test_eigen (void)
{
  enum { N = 40 };
  SomaifRng rng;
  somaif_rng_init (&rng, 7);
  static double a0[N * N], a[N * N], v[N * N], vj[N * N];
  double w[N], wj[N], scratch[3 * N];
  /* Sizes 1 to N; random symmetric matrices, one with repeated eigenvalues
     (a projection), one already diagonal. */
  for (int n = 1; n <= N; n += (n < 5 ? 1 : 7))
    for (int kind = 0; kind < 3; kind++)
      {
        if (kind == 0)
          for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
              a0[i * n + j] = a0[j * n + i] = somaif_rng_normal (&rng) * (i == j ? 10.0 : 1.0);
        else if (kind == 1)
          {
            /* 2 u u^T / |u|^2 + I: eigenvalues 3 once and 1 (n - 1 times). */
            double u[N], uu = 0.0;
            for (int i = 0; i < n; i++)
              {
                u[i] = somaif_rng_normal (&rng);
                uu += u[i] * u[i];
              }
            for (int i = 0; i < n; i++)
              for (int j = 0; j < n; j++)
                a0[i * n + j] = 2.0 * u[i] * u[j] / uu + (i == j ? 1.0 : 0.0);
          }
        else
          {
            memset (a0, 0, sizeof (double) * n * n);
            for (int i = 0; i < n; i++)
              a0[i * n + i] = n - i;
          }
        double res, ortho, resj, orthoj;
        memcpy (a, a0, sizeof (double) * n * n);
        int steps = somaif_cmaes_eigen (n, a, v, w, scratch);
        g_assert_cmpint (steps, >=, 0);
        g_assert_cmpint (steps, <=, 30 * n);
        check_eigen (n, a0, v, w, &res, &ortho);
        memcpy (a, a0, sizeof (double) * n * n);
        int sweeps = somaif_cmaes_eigen_jacobi (n, a, vj, wj);
        g_assert_cmpint (sweeps, >=, 0);
        check_eigen (n, a0, vj, wj, &resj, &orthoj);
        if (n == 40 && kind == 0)
          g_test_message ("40 x 40: QR %d steps, |A v - w v| %.3g, |V V^T - I| %.3g; "
                          "Jacobi %d sweeps, %.3g, %.3g", steps, res, ortho, sweeps, resj,
                          orthoj);
        double scale = kind == 0 ? 10.0 : n;
        g_assert_cmpfloat (res, <, 1e-13 * scale * n);
        g_assert_cmpfloat (ortho, <, 1e-13 * n);
        g_assert_cmpfloat (resj, <, 1e-13 * scale * n);
        g_assert_cmpfloat (orthoj, <, 1e-13 * n);
        /* Both give the same spectrum. */
        qsort (w, n, sizeof *w, compare_doubles);
        qsort (wj, n, sizeof *wj, compare_doubles);
        for (int i = 0; i < n; i++)
          g_assert_cmpfloat (fabs (w[i] - wj[i]), <, 1e-12 * scale);
        if (kind == 1)
          {
            g_assert_cmpfloat (fabs (w[n - 1] - 3.0), <, 1e-12);
            if (n > 1)
              g_assert_cmpfloat (fabs (w[0] - 1.0), <, 1e-12);
          }
        if (kind == 2)
          g_assert_cmpint (sweeps, ==, 0);
      }
}

/* ------------------------------------------------------------------ */
/* Convergence, driven through the vtable                              */

typedef struct
{
  int n;
  double scale[16];   /* f = sum_i scale_i (R (x - shift))_i^2 */
  double rot[16 * 16];/* R, orthogonal; identity for the sphere */
  double shift[16];
} Problem;

static double
problem_f (const Problem *pb, const float *x)
{
  double f = 0.0;
  for (int i = 0; i < pb->n; i++)
    {
      double r = 0.0;
      for (int j = 0; j < pb->n; j++)
        r += pb->rot[i * pb->n + j] * ((double) x[j] - pb->shift[j]);
      f += pb->scale[i] * r * r;
    }
  return f;
}

static void
problem_sphere (Problem *pb, int n)
{
  memset (pb, 0, sizeof *pb);
  pb->n = n;
  for (int i = 0; i < n; i++)
    {
      pb->scale[i] = 1.0;
      pb->rot[i * n + i] = 1.0;
    }
}

/* An ellipsoid of condition number `condition`, rotated by a random
 * orthogonal matrix (Gram-Schmidt of normal vectors), shifted by 0.3. */
static void
problem_rotated_ellipsoid (Problem *pb, int n, double condition, guint64 seed)
{
  memset (pb, 0, sizeof *pb);
  pb->n = n;
  SomaifRng rng;
  somaif_rng_init (&rng, seed);
  for (int i = 0; i < n; i++)
    {
      pb->scale[i] = pow (condition, (double) i / (n - 1));
      pb->shift[i] = 0.3;
      double *ri = pb->rot + i * n;
      for (int j = 0; j < n; j++)
        ri[j] = somaif_rng_normal (&rng);
      for (int k = 0; k < i; k++)
        {
          const double *rk = pb->rot + k * n;
          double dot = 0.0;
          for (int j = 0; j < n; j++)
            dot += ri[j] * rk[j];
          for (int j = 0; j < n; j++)
            ri[j] -= dot * rk[j];
        }
      double norm = 0.0;
      for (int j = 0; j < n; j++)
        norm += ri[j] * ri[j];
      for (int j = 0; j < n; j++)
        ri[j] /= sqrt (norm);
    }
}

/* One epoch as the core does it: propose, evaluate, reward = -f, update. */
static void
epoch (Cmaes *es, int goal, const Problem *pb, float *cand, double *rewards)
{
  const SomaifOptimiser *vt = &cmaes_vtable;
  int n = 0;
  g_assert_cmpint (vt->propose (es, goal, cand, &n), ==, 0);
  g_assert_cmpint (n, ==, vt->max_candidates (es));
  for (int c = 0; c < n; c++)
    rewards[c] = -problem_f (pb, cand + (gsize) c * pb->n);
  int r = vt->update (es, goal, n, rewards);
  if (r != 0)
    g_error ("update: %s", vt->head.error_message (es));
}

/* Generations until f(solution) < 1e-8, or -1 after max_generations. */
static int
converge (const char *covariance, const Problem *pb, double initial_mean, double sigma,
          int max_generations, double *f0_out)
{
  const SomaifOptimiser *vt = &cmaes_vtable;
  g_autofree char *cov = g_strdup_printf ("\"%s\"", covariance);
  g_autofree char *mean = g_strdup_printf ("%.17g", initial_mean);
  g_autofree char *sig = g_strdup_printf ("%.17g", sigma);
  const char *over[] = { "covariance", cov, "initial_mean", mean, "sigma", sig, NULL };
  Cmaes *es = create_ok (42, pb->n, 1, over);
  int lambda = vt->max_candidates (es);
  float *cand = g_new (float, (gsize) lambda * pb->n);
  double *rewards = g_new (double, lambda);
  float sol[16] = { 0 };
  g_assert_cmpint (vt->solution (es, 0, sol), ==, 0);
  *f0_out = problem_f (pb, sol);
  int gens = -1;
  for (int g = 1; g <= max_generations; g++)
    {
      epoch (es, 0, pb, cand, rewards);
      g_assert_cmpint (vt->solution (es, 0, sol), ==, 0);
      if (problem_f (pb, sol) < 1e-8)
        {
          gens = g;
          break;
        }
    }
  g_free (cand);
  g_free (rewards);
  cmaes_destroy (es);
  return gens;
}

static void
test_sphere (void)
{
  Problem pb;
  problem_sphere (&pb, 10);
  const char *variants[] = { "separable", "full" };
  for (int v = 0; v < 2; v++)
    {
      double f0;
      int gens = converge (variants[v], &pb, 1.0, 0.5, 2000, &f0);
      g_test_message ("sphere, 10-D, %s: f %g -> below 1e-8 in %d generations", variants[v],
                      f0, gens);
      g_assert_cmpfloat_with_epsilon (f0, 10.0, 1e-12);
      g_assert_cmpint (gens, >, 0);
    }
}

static void
test_rotated_ellipsoid (void)
{
  Problem pb;
  problem_rotated_ellipsoid (&pb, 10, 1e3, 5);
  /* Start from 0: f = 0.09 sum_i scale_i (R 1)_i^2; set the shift for f ~ 10. */
  float zero[16] = { 0 };
  double f = problem_f (&pb, zero);
  for (int i = 0; i < pb.n; i++)
    pb.shift[i] *= sqrt (10.0 / f);
  const char *variants[] = { "separable", "full" };
  int gens[2];
  for (int v = 0; v < 2; v++)
    {
      double f0;
      gens[v] = converge (variants[v], &pb, 0.0, 0.5, 20000, &f0);
      g_test_message ("rotated ellipsoid (condition 1e3), 10-D, %s: f %g -> below 1e-8 in "
                      "%d generations", variants[v], f0, gens[v]);
      g_assert_cmpfloat_with_epsilon (f0, 10.0, 1e-9);
      g_assert_cmpint (gens[v], >, 0);
    }
  /* Only the full covariance learns the rotation. */
  g_assert_cmpint (gens[1], <, gens[0]);
}

/* The full variant learns the ellipsoid's shape: C's condition number
 * approaches the problem's. */
static void
test_full_learns_shape (void)
{
  Problem pb;
  problem_rotated_ellipsoid (&pb, 10, 1e3, 6);
  const SomaifOptimiser *vt = &cmaes_vtable;
  const char *over[] = { "covariance", "\"full\"", NULL };
  Cmaes *es = create_ok (3, pb.n, 1, over);
  int lambda = vt->max_candidates (es);
  float cand[16 * 64];
  double rewards[64];
  g_assert_cmpint (lambda, <=, 64);
  for (int g = 0; g < 600; g++)
    epoch (es, 0, &pb, cand, rewards);
  somaif_cmaes_decompose (es->es, 0);
  const SomaifCmaesGoal *s = &es->es->goal[0];
  const double *d = s->d;
  /* The (warm-started) decomposition: C = B D^2 B^T, B orthogonal. */
  double worst_c = 0.0, worst_b = 0.0, top = 0.0;
  for (int i = 0; i < pb.n; i++)
    for (int j = 0; j < pb.n; j++)
      {
        double bdb = 0.0, btb = 0.0;
        for (int k = 0; k < pb.n; k++)
          {
            bdb += s->b[i * pb.n + k] * d[k] * d[k] * s->b[j * pb.n + k];
            btb += s->b[k * pb.n + i] * s->b[k * pb.n + j];
          }
        worst_c = MAX (worst_c, fabs (bdb - s->c[i * pb.n + j]));
        worst_b = MAX (worst_b, fabs (btb - (i == j ? 1.0 : 0.0)));
        top = MAX (top, fabs (s->c[i * pb.n + j]));
      }
  g_test_message ("|B D^2 B^T - C| <= %.3g (|C| <= %.3g), |B^T B - I| <= %.3g", worst_c, top,
                  worst_b);
  g_assert_cmpfloat (worst_c, <, 1e-12 * top);
  g_assert_cmpfloat (worst_b, <, 1e-12);
  double lo = d[0], hi = d[0];
  for (int i = 1; i < pb.n; i++)
    {
      lo = MIN (lo, d[i]);
      hi = MAX (hi, d[i]);
    }
  double condition = (hi * hi) / (lo * lo);
  g_test_message ("after 600 generations: condition number of C %g (problem's 1e3)",
                  condition);
  g_assert_cmpfloat (condition, >, 1e2);
  g_assert_cmpfloat (condition, <, 1e4);
  cmaes_destroy (es);
}

/* ------------------------------------------------------------------ */
/* Goals, checkpoints, refusals                                        */

static void
test_goals_independent (void)
{
  const SomaifOptimiser *vt = &cmaes_vtable;
  const char *variants[] = { "\"separable\"", "\"full\"" };
  Problem pb;
  problem_sphere (&pb, 6);
  for (int v = 0; v < 2; v++)
    {
      const char *over[] = { "covariance", variants[v], "initial_mean", "0.7", NULL };
      Cmaes *es = create_ok (9, 6, 2, over);
      g_assert_cmpint (vt->max_candidates (es), <=, 64);
      float cand[6 * 64], before[6], after[6], other[6];
      double rewards[64];
      g_assert_cmpint (vt->solution (es, 1, before), ==, 0);
      for (int i = 0; i < 6; i++)
        g_assert_cmpfloat (before[i], ==, 0.7f);
      for (int g = 0; g < 20; g++)
        epoch (es, 0, &pb, cand, rewards);
      g_assert_cmpint (vt->solution (es, 1, after), ==, 0);
      g_assert_cmpmem (before, sizeof before, after, sizeof after);
      g_assert_cmpfloat (es->es->goal[1].sigma, ==, 0.5);
      g_assert_cmpint (es->es->goal[1].generation, ==, 0);
      /* Goal 0 did move. */
      g_assert_cmpint (vt->solution (es, 0, other), ==, 0);
      g_assert_true (memcmp (other, before, sizeof before) != 0);
      g_assert_cmpint (es->es->goal[0].generation, ==, 20);
      /* Goal 1's candidates are spread around its own mean. */
      int n = 0;
      g_assert_cmpint (vt->propose (es, 1, cand, &n), ==, 0);
      double mean = 0.0;
      for (int i = 0; i < n * 6; i++)
        mean += cand[i];
      mean /= n * 6;
      g_assert_cmpfloat (fabs (mean - 0.7), <, 0.5);
      cmaes_destroy (es);
    }
}

static void
test_save_load (void)
{
  const SomaifOptimiser *vt = &cmaes_vtable;
  const char *variants[] = { "\"separable\"", "\"full\"" };
  Problem pb;
  problem_sphere (&pb, 8);
  for (int v = 0; v < 2; v++)
    {
      const char *over[] = { "covariance", variants[v], "initial_mean", "1.0", NULL };
      Cmaes *a = create_ok (11, 8, 3, over);
      int lambda = vt->max_candidates (a);
      gsize size = (gsize) lambda * 8;
      float *cand = g_new (float, size);
      float *seq_a = g_new (float, 12 * size), *seq_b = g_new (float, 12 * size);
      double *rewards = g_new (double, lambda);
      for (int g = 0; g < 30; g++)
        epoch (a, g % 3, &pb, cand, rewards);
      /* Save between a proposal and its update: the candidates in flight too. */
      int n = 0;
      g_assert_cmpint (vt->propose (a, 2, cand, &n), ==, 0);
      for (int c = 0; c < n; c++)
        rewards[c] = -problem_f (&pb, cand + (gsize) c * 8);
      GByteArray *state = g_byte_array_new ();
      g_assert_cmpint (vt->head.save_state (a, state), ==, 0);
      g_assert_cmpint (vt->update (a, 2, n, rewards), ==, 0);
      /* The following proposals (epoch() writes them into seq_a). */
      for (int e = 0; e < 12; e++)
        epoch (a, (e * 7) % 3, &pb, seq_a + (gsize) e * size, rewards);

      /* Another seed: everything must come from the state. */
      Cmaes *b = create_ok (999, 8, 3, over);
      g_assert_cmpint (vt->head.load_state (b, state->data, state->len), ==, 0);
      for (int c = 0; c < n; c++)
        rewards[c] = -problem_f (&pb, cand + (gsize) c * 8);
      g_assert_cmpint (vt->update (b, 2, n, rewards), ==, 0);
      for (int e = 0; e < 12; e++)
        epoch (b, (e * 7) % 3, &pb, seq_b + (gsize) e * size, rewards);
      g_assert_cmpmem (seq_a, 12 * size * sizeof (float), seq_b, 12 * size * sizeof (float));
      for (int g = 0; g < 3; g++)
        {
          float sa[8], sb[8];
          g_assert_cmpint (vt->solution (a, g, sa), ==, 0);
          g_assert_cmpint (vt->solution (b, g, sb), ==, 0);
          g_assert_cmpmem (sa, sizeof sa, sb, sizeof sb);
        }

      /* Refusals: another version, a truncated state, another shape. */
      GByteArray *bad = g_byte_array_new ();
      g_byte_array_append (bad, state->data, state->len);
      bad->data[0] = STATE_VERSION + 1;
      g_assert_cmpint (vt->head.load_state (b, bad->data, bad->len), <, 0);
      g_assert_nonnull (strstr (vt->head.error_message (b), "version"));
      bad->data[0] = STATE_VERSION;
      g_assert_cmpint (vt->head.load_state (b, bad->data, bad->len - 8), <, 0);
      g_assert_nonnull (strstr (vt->head.error_message (b), "bytes"));
      const char *other_over[] = { "covariance", variants[1 - v], NULL };
      Cmaes *c = create_ok (11, 8, 3, other_over);
      g_assert_cmpint (vt->head.load_state (c, state->data, state->len), <, 0);
      g_test_message ("refused: %s", vt->head.error_message (c));
      cmaes_destroy (c);
      c = create_ok (11, 8, 4, over);
      g_assert_cmpint (vt->head.load_state (c, state->data, state->len), <, 0);
      cmaes_destroy (c);
      /* A goal with sigma 0 in it. */
      Cmaes *fresh = create_ok (1, 8, 3, over);
      GByteArray *zero = g_byte_array_new ();
      g_assert_cmpint (vt->head.save_state (fresh, zero), ==, 0);
      g_assert_cmpuint (zero->len, ==, state->len);
      gsize goal0 = HEADER_SIZE + 2 * 8 * (gsize) lambda * 8;
      memset (zero->data + goal0, 0, 8);
      g_assert_cmpint (vt->head.load_state (fresh, zero->data, zero->len), <, 0);
      g_assert_nonnull (strstr (vt->head.error_message (fresh), "sigma"));
      cmaes_destroy (fresh);

      g_byte_array_unref (zero);
      g_byte_array_unref (bad);
      g_byte_array_unref (state);
      g_free (cand);
      g_free (seq_a);
      g_free (seq_b);
      g_free (rewards);
      cmaes_destroy (a);
      cmaes_destroy (b);
    }
}

static void
test_bad_params (void)
{
  /* PARAMS: outside the declared range, refused by the host's validation;
     CREATE: refused by create(). */
  const int create = SOMAIF_PLUGIN_ERROR_CREATE, range = SOMAIF_PLUGIN_ERROR_PARAMS;
  static const char *const bad[][3] = {
    { "population", "1", NULL },
    { "population", "-3", NULL },
    { "sigma", "0.0", NULL },
    { "sigma", "-0.5", NULL },
    { "covariance", "\"diagonal\"", NULL },
    { "covariance", "\"\"", NULL },
  };
  const int code[] = { create, range, range, range, create, create };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      Cmaes *es = create_es (1, 10, 5, (const char *const *) bad[i], &error);
      g_assert_null (es);
      g_assert_error (error, SOMAIF_PLUGIN_ERROR, code[i]);
      g_assert_nonnull (strstr (error->message, bad[i][0]));
      g_test_message ("%s = %s: %s", bad[i][0], bad[i][1], error->message);
      g_clear_error (&error);
    }
  GError *error = NULL;
  g_assert_null (create_es (1, 0, 5, NULL, &error));
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_clear_error (&error);
  g_assert_null (create_es (1, 10, 0, NULL, &error));
  g_assert_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE);
  g_clear_error (&error);

  /* Bad calls: no proposal waiting, another goal, a wrong count, a NaN. */
  const SomaifOptimiser *vt = &cmaes_vtable;
  Cmaes *es = create_ok (1, 4, 2, NULL);
  int lambda = vt->max_candidates (es);
  float cand[4 * 64];
  double rewards[64] = { 0 };
  int n = 0;
  g_assert_cmpint (vt->update (es, 0, lambda, rewards), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (es), "none"));
  g_assert_cmpint (vt->propose (es, 2, cand, &n), <, 0);
  g_assert_cmpint (vt->propose (es, -1, cand, &n), <, 0);
  g_assert_cmpint (vt->propose (es, 0, cand, &n), ==, 0);
  g_assert_cmpint (vt->update (es, 1, n, rewards), <, 0);
  g_assert_cmpint (vt->update (es, 0, n - 1, rewards), <, 0);
  rewards[3] = NAN;
  g_assert_cmpint (vt->update (es, 0, n, rewards), <, 0);
  g_assert_nonnull (strstr (vt->head.error_message (es), "reward 3"));
  rewards[3] = 0.0;
  /* Equal rewards are fine (ties keep the earlier candidate first). */
  g_assert_cmpint (vt->update (es, 0, n, rewards), ==, 0);
  float sol[4];
  g_assert_cmpint (vt->solution (es, 2, sol), <, 0);
  g_assert_cmpint (vt->solution (es, 0, NULL), <, 0);
  cmaes_destroy (es);
}

/* Ranking: higher rewards are better, whatever their order. */
static void
test_ranking (void)
{
  const SomaifOptimiser *vt = &cmaes_vtable;
  const char *over[] = { "population", "6", NULL };
  Cmaes *es = create_ok (5, 3, 1, over);
  float cand[18];
  double rewards[6] = { -5.0, 2.0, -1.0, 7.0, 0.0, 2.0 };
  int n = 0;
  g_assert_cmpint (vt->propose (es, 0, cand, &n), ==, 0);
  g_assert_cmpint (vt->update (es, 0, n, rewards), ==, 0);
  static const int want[6] = { 3, 1, 5, 4, 2, 0 };
  for (int i = 0; i < 6; i++)
    g_assert_cmpint (es->es->order[i], ==, want[i]);
  /* The mean moved to the weighted mean of the best three candidates. */
  const double *w = es->es->k.weights;
  float sol[3];
  g_assert_cmpint (vt->solution (es, 0, sol), ==, 0);
  for (int i = 0; i < 3; i++)
    {
      double m = w[0] * cand[3 * 3 + i] + w[1] * cand[1 * 3 + i] + w[2] * cand[5 * 3 + i];
      g_assert_cmpfloat (fabs (sol[i] - m), <, 1e-6);
    }
  cmaes_destroy (es);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cmaes/default-population", test_default_population);
  g_test_add_func ("/cmaes/weights", test_weights);
  g_test_add_func ("/cmaes/eigen", test_eigen);
  g_test_add_func ("/cmaes/ranking", test_ranking);
  g_test_add_func ("/cmaes/sphere", test_sphere);
  g_test_add_func ("/cmaes/rotated-ellipsoid", test_rotated_ellipsoid);
  g_test_add_func ("/cmaes/full-learns-shape", test_full_learns_shape);
  g_test_add_func ("/cmaes/goals-independent", test_goals_independent);
  g_test_add_func ("/cmaes/save-load", test_save_load);
  g_test_add_func ("/cmaes/bad-params", test_bad_params);
  return g_test_run ();
}
