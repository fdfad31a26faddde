/* cmaes-core.c: CMA-ES per goal (see cmaes-core.h for the formulas' source). */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "cmaes-core.h"

int
somaif_cmaes_covariance_from_name (const char *name)
{
  if (!name)
    return -1;
  if (strcmp (name, "separable") == 0)
    return SOMAIF_CMAES_SEPARABLE;
  if (strcmp (name, "full") == 0)
    return SOMAIF_CMAES_FULL;
  return -1;
}

const char *
somaif_cmaes_covariance_name (SomaifCmaesCovariance covariance)
{
  return covariance == SOMAIF_CMAES_FULL ? "full" : "separable";
}

int
somaif_cmaes_default_population (int n)
{
  return 4 + (int) floor (3.0 * log ((double) MAX (n, 1)));
}

void
somaif_cmaes_constants (SomaifCmaesConstants *k, int n, int lambda,
                        SomaifCmaesCovariance covariance)
{
  double dn = (double) n;
  k->n = n;
  k->lambda = lambda;
  k->mu = lambda / 2;
  k->covariance = covariance;

  /* Log-decreasing weights w'_i = ln((lambda + 1) / 2) - ln i, normalised. */
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < k->mu; i++)
    {
      k->weights[i] = log ((lambda + 1) / 2.0) - log ((double) (i + 1));
      sum += k->weights[i];
    }
  for (int i = 0; i < k->mu; i++)
    {
      k->weights[i] /= sum;
      sum2 += k->weights[i] * k->weights[i];
    }
  double mu_eff = 1.0 / sum2;
  k->mu_eff = mu_eff;

  k->c_sigma = (mu_eff + 2.0) / (dn + mu_eff + 5.0);
  k->d_sigma = 1.0 + 2.0 * MAX (0.0, sqrt ((mu_eff - 1.0) / (dn + 1.0)) - 1.0) + k->c_sigma;
  k->c_c = (4.0 + mu_eff / dn) / (dn + 4.0 + 2.0 * mu_eff / dn);
  double c_1 = 2.0 / ((dn + 1.3) * (dn + 1.3) + mu_eff);
  double c_mu = 2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((dn + 2.0) * (dn + 2.0) + mu_eff);
  if (covariance == SOMAIF_CMAES_SEPARABLE)
    {
      /* Ros & Hansen 2008: a diagonal C learns (n + 2) / 3 times faster. */
      c_1 = MIN (1.0, c_1 * (dn + 2.0) / 3.0);
      c_mu *= (dn + 2.0) / 3.0;
    }
  k->c_1 = c_1;
  k->c_mu = MIN (1.0 - c_1, c_mu);
  k->chi_n = sqrt (dn) * (1.0 - 1.0 / (4.0 * dn) + 1.0 / (21.0 * dn * dn));
  /* The tutorial's lazy update: every lambda / (c_1 + c_mu) / n / 10 evaluations. */
  k->eigen_gap = covariance == SOMAIF_CMAES_FULL ? 1.0 / (10.0 * dn * (k->c_1 + k->c_mu)) : 0.0;
}

void
somaif_cmaes_free (SomaifCmaes *es)
{
  if (!es)
    return;
  if (es->goal)
    for (int g = 0; g < es->goals; g++)
      {
        g_free (es->goal[g].mean);
        g_free (es->goal[g].c);
        g_free (es->goal[g].b);
      }
  g_free (es->goal);
  g_free (es->k.weights);
  g_free (es->z);
  g_free (es->y);
  g_free (es->order);
  g_free (es->work);
  g_free (es);
}

SomaifCmaes *
somaif_cmaes_new (int n, int goals, int lambda, SomaifCmaesCovariance covariance,
                  double sigma, double initial_mean, guint64 seed)
{
  g_return_val_if_fail (n >= 1 && goals >= 1 && lambda >= 2, NULL);
  gsize nn = (gsize) n * n;
  gboolean full = covariance == SOMAIF_CMAES_FULL;
  SomaifCmaes *es = g_try_new0 (SomaifCmaes, 1);
  if (!es)
    return NULL;
  es->goals = goals;
  es->k.weights = g_try_new0 (double, lambda / 2);
  es->goal = g_try_new0 (SomaifCmaesGoal, goals);
  es->z = g_try_new0 (double, (gsize) lambda * n);
  es->y = g_try_new0 (double, (gsize) lambda * n);
  es->order = g_try_new0 (int, lambda);
  es->work = g_try_new0 (double, 2 * nn + 4 * (gsize) n);
  if (!es->k.weights || !es->goal || !es->z || !es->y || !es->order || !es->work)
    {
      somaif_cmaes_free (es);
      return NULL;
    }
  somaif_cmaes_constants (&es->k, n, lambda, covariance);
  for (int g = 0; g < goals; g++)
    {
      SomaifCmaesGoal *s = &es->goal[g];
      /* One block for the vectors: mean, ps, pc, d. */
      s->mean = g_try_new0 (double, 4 * (gsize) n);
      s->c = g_try_new0 (double, full ? nn : (gsize) n);
      s->b = full ? g_try_new0 (double, nn) : NULL;
      if (!s->mean || !s->c || (full && !s->b))
        {
          somaif_cmaes_free (es);
          return NULL;
        }
      s->ps = s->mean + n;
      s->pc = s->mean + 2 * n;
      s->d = s->mean + 3 * n;
      s->sigma = sigma;
      for (int i = 0; i < n; i++)
        {
          s->mean[i] = initial_mean;
          s->d[i] = 1.0;
          if (full)
            {
              s->c[(gsize) i * n + i] = 1.0;
              s->b[(gsize) i * n + i] = 1.0;
            }
          else
            s->c[i] = 1.0;
        }
    }
  somaif_rng_init (&es->rng, seed);
  return es;
}

/* ------------------------------------------------------------------ */
/* Eigendecomposition                                                  */

int
somaif_cmaes_eigen_jacobi (int n, double *a, double *v, double *w)
{
  enum { MAX_SWEEPS = 100 };
  int sweeps = -1;
  memset (v, 0, (gsize) n * n * sizeof *v);
  for (int i = 0; i < n; i++)
    v[(gsize) i * n + i] = 1.0;

  for (int sweep = 0; sweep <= MAX_SWEEPS; sweep++)
    {
      double off = 0.0, diag = 0.0;
      for (int p = 0; p < n; p++)
        {
          diag += a[(gsize) p * n + p] * a[(gsize) p * n + p];
          for (int q = p + 1; q < n; q++)
            off += a[(gsize) p * n + q] * a[(gsize) p * n + q];
        }
      /* Off-diagonal norm below 1e-16 of the diagonal's: done. */
      if (off == 0.0 || off <= 1e-32 * diag)
        {
          sweeps = sweep;
          break;
        }
      if (sweep == MAX_SWEEPS)
        break;
      for (int p = 0; p < n - 1; p++)
        for (int q = p + 1; q < n; q++)
          {
            double *ap = a + (gsize) p * n, *aq = a + (gsize) q * n;
            double apq = ap[q];
            if (apq == 0.0)
              continue;
            double app = ap[p], aqq = aq[q];
            /* An element too small to change either diagonal entry is
               simply dropped. */
            if (fabs (app) + 100.0 * fabs (apq) == fabs (app)
                && fabs (aqq) + 100.0 * fabs (apq) == fabs (aqq))
              {
                ap[q] = aq[p] = 0.0;
                continue;
              }
            /* The rotation by angle phi with cot(2 phi) = theta that zeroes a_pq;
               t = tan(phi), the smaller root. */
            double theta = (aqq - app) / (2.0 * apq);
            double t;
            if (fabs (theta) > 1e150)
              t = 0.5 / theta;
            else
              {
                t = 1.0 / (fabs (theta) + sqrt (theta * theta + 1.0));
                if (theta < 0.0)
                  t = -t;
              }
            double c = 1.0 / sqrt (t * t + 1.0);
            double s = t * c;
            double tau = s / (1.0 + c);
            ap[p] = app - t * apq;
            aq[q] = aqq + t * apq;
            ap[q] = aq[p] = 0.0;
            for (int r = 0; r < n; r++)
              {
                if (r == p || r == q)
                  continue;
                double *ar = a + (gsize) r * n;
                double arp = ar[p], arq = ar[q];
                double nrp = arp - s * (arq + tau * arp);
                double nrq = arq + s * (arp - tau * arq);
                ar[p] = ap[r] = nrp;
                ar[q] = aq[r] = nrq;
              }
            /* The eigenvectors are v's rows: two contiguous rows turn. */
            double *vp = v + (gsize) p * n, *vq = v + (gsize) q * n;
            for (int r = 0; r < n; r++)
              {
                double vrp = vp[r], vrq = vq[r];
                vp[r] = vrp - s * (vrq + tau * vrp);
                vq[r] = vrq + s * (vrp - tau * vrq);
              }
          }
    }
  for (int i = 0; i < n; i++)
    w[i] = a[(gsize) i * n + i];
  return sweeps;
}

/* Householder reduction of the symmetric a to a tridiagonal T = Q^T a Q
 * (diagonal d, subdiagonal e[0 .. n-2]); writes Q^T into v (rows).  Column k's
 * reflector H = I - beta u u^T, u kept in a's row k (right of the diagonal). */
static void
tridiagonalise (int n, double *a, double *v, double *d, double *e, double *beta, double *p)
{
  for (int k = 0; k + 2 < n; k++)
    {
      double *ak = a + (gsize) k * n;
      double *u = ak + k + 1; /* x = column k below the diagonal = row k right of it */
      int m = n - k - 1;
      double norm2 = 0.0;
      for (int i = 0; i < m; i++)
        norm2 += u[i] * u[i];
      d[k] = ak[k];
      if (norm2 == 0.0)
        {
          e[k] = 0.0;
          beta[k] = 0.0;
          continue;
        }
      double norm = sqrt (norm2);
      double alpha = u[0] > 0.0 ? -norm : norm;
      /* u = x - alpha e_1: H x = alpha e_1; u^T u = 2 (|x|^2 - alpha x_0). */
      double utu = 2.0 * (norm2 - alpha * u[0]);
      u[0] -= alpha;
      double b = 2.0 / utu;
      e[k] = alpha;
      beta[k] = b;
      /* The trailing block S <- H S H = S - u w^T - w u^T with p = beta S u,
         w = p - (beta u^T p / 2) u. */
      double up = 0.0;
      for (int i = 0; i < m; i++)
        {
          const double *si = a + (gsize) (k + 1 + i) * n + k + 1;
          double sum = 0.0;
          for (int j = 0; j < m; j++)
            sum += si[j] * u[j];
          p[i] = b * sum;
          up += u[i] * p[i];
        }
      double half = 0.5 * b * up;
      for (int i = 0; i < m; i++)
        p[i] -= half * u[i];
      for (int i = 0; i < m; i++)
        {
          double *si = a + (gsize) (k + 1 + i) * n + k + 1;
          double ui = u[i], wi = p[i];
          for (int j = 0; j < m; j++)
            si[j] -= ui * p[j] + wi * u[j];
        }
    }
  if (n >= 2)
    {
      d[n - 2] = a[(gsize) (n - 2) * n + n - 2];
      e[n - 2] = a[(gsize) (n - 1) * n + n - 2];
    }
  d[n - 1] = a[(gsize) (n - 1) * n + n - 1];
  if (n >= 1)
    e[n - 1] = 0.0;

  /* Q^T = H_{n-3} ... H_0 = I H_{n-3} ... H_0: each H_k changes the rows and
     columns k + 1 .. n - 1 only. */
  memset (v, 0, (gsize) n * n * sizeof *v);
  for (int i = 0; i < n; i++)
    v[(gsize) i * n + i] = 1.0;
  for (int k = n - 3; k >= 0; k--)
    {
      if (beta[k] == 0.0)
        continue;
      const double *u = a + (gsize) k * n + k + 1;
      int m = n - k - 1;
      for (int i = k + 1; i < n; i++)
        {
          double *vi = v + (gsize) i * n + k + 1;
          double t = 0.0;
          for (int j = 0; j < m; j++)
            t += vi[j] * u[j];
          t *= beta[k];
          for (int j = 0; j < m; j++)
            vi[j] -= t * u[j];
        }
    }
}

int
somaif_cmaes_eigen (int n, double *a, double *v, double *w, double *scratch)
{
  double *d = w, *e = scratch, *beta = scratch + n, *p = scratch + 2 * n;
  if (n < 1)
    return 0;
  tridiagonalise (n, a, v, d, e, beta, p);

  /* Implicit symmetric QR steps with Wilkinson's shift on the unreduced block
     [lo, hi] that ends at the bottom-most coupling; each Givens rotation G of
     rows (k, k+1) turns T into G^T T G and v (= W^T) into G^T v. */
  int steps = 0, max_steps = 30 * n;
  int hi = n - 1;
  while (hi > 0)
    {
      if (fabs (e[hi - 1]) <= DBL_EPSILON * (fabs (d[hi - 1]) + fabs (d[hi])))
        {
          e[hi - 1] = 0.0;
          hi--;
          continue;
        }
      if (steps++ >= max_steps)
        return -1;
      int lo = hi - 1;
      while (lo > 0 && fabs (e[lo - 1]) > DBL_EPSILON * (fabs (d[lo - 1]) + fabs (d[lo])))
        lo--;
      /* Wilkinson's shift: the eigenvalue of the trailing 2 x 2 nearer d[hi]. */
      double delta = 0.5 * (d[hi - 1] - d[hi]);
      double eh = e[hi - 1];
      double root = hypot (delta, eh);
      double mu = d[hi] - eh * eh / (delta + (delta >= 0.0 ? root : -root));
      double x = d[lo] - mu, z = e[lo];
      for (int k = lo; k < hi; k++)
        {
          double r = hypot (x, z);
          double c = 1.0, s = 0.0;
          if (r > 0.0)
            {
              c = x / r;
              s = -z / r;
            }
          if (k > lo)
            e[k - 1] = r;
          double dk = d[k], ek = e[k], dk1 = d[k + 1];
          double cc = c * c, ss = s * s, cs = c * s;
          d[k] = cc * dk - 2.0 * cs * ek + ss * dk1;
          d[k + 1] = ss * dk + 2.0 * cs * ek + cc * dk1;
          e[k] = cs * (dk - dk1) + (cc - ss) * ek;
          if (k + 1 < hi)
            {
              /* The bulge at (k, k + 2) that the next rotation chases down. */
              z = -s * e[k + 1];
              e[k + 1] *= c;
              x = e[k];
            }
          double *vp = v + (gsize) k * n, *vq = vp + n;
          for (int j = 0; j < n; j++)
            {
              double a1 = vp[j], a2 = vq[j];
              vp[j] = c * a1 - s * a2;
              vq[j] = s * a1 + c * a2;
            }
        }
    }
  return steps;
}

void
somaif_cmaes_decompose (SomaifCmaes *es, int goal)
{
  int n = es->k.n;
  SomaifCmaesGoal *s = &es->goal[goal];
  if (es->k.covariance != SOMAIF_CMAES_FULL)
    {
      for (int i = 0; i < n; i++)
        s->d[i] = sqrt (s->c[i]);
      s->eigen_generation = s->generation;
      return;
    }
  gsize nn = (gsize) n * n;
  double *a = es->work, *v = es->work + nn, *ev = es->work + 2 * nn;
  memcpy (a, s->c, nn * sizeof *a);
  somaif_cmaes_eigen (n, a, v, ev, ev + n);
  /* B = V: v holds the eigenvectors as rows. */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      s->b[(gsize) i * n + j] = v[(gsize) j * n + i];
  /* C is positive definite in exact arithmetic; rounding may leave tiny or
     negative eigenvalues: keep the condition number below 1e14. */
  double top = 0.0;
  for (int i = 0; i < n; i++)
    top = MAX (top, ev[i]);
  double floor_ev = top > 0.0 ? top * 1e-14 : DBL_MIN;
  for (int i = 0; i < n; i++)
    s->d[i] = sqrt (MAX (ev[i], floor_ev));
  s->eigen_generation = s->generation;
}

/* ------------------------------------------------------------------ */
/* Ask and tell                                                        */

void
somaif_cmaes_sample (SomaifCmaes *es, int goal, float *candidates)
{
  const SomaifCmaesConstants *k = &es->k;
  int n = k->n;
  SomaifCmaesGoal *s = &es->goal[goal];
  gboolean full = k->covariance == SOMAIF_CMAES_FULL;

  if (full && (double) (s->generation - s->eigen_generation) > k->eigen_gap)
    somaif_cmaes_decompose (es, goal);

  double *dz = es->work;
  for (int c = 0; c < k->lambda; c++)
    {
      double *z = es->z + (gsize) c * n, *y = es->y + (gsize) c * n;
      for (int i = 0; i < n; i++)
        z[i] = somaif_rng_normal (&es->rng);
      if (full)
        {
          for (int j = 0; j < n; j++)
            dz[j] = s->d[j] * z[j];
          for (int i = 0; i < n; i++)
            {
              const double *bi = s->b + (gsize) i * n;
              double sum = 0.0;
              for (int j = 0; j < n; j++)
                sum += bi[j] * dz[j];
              y[i] = sum;
            }
        }
      else
        for (int i = 0; i < n; i++)
          y[i] = s->d[i] * z[i];
      float *x = candidates + (gsize) c * n;
      for (int i = 0; i < n; i++)
        x[i] = (float) (s->mean[i] + s->sigma * y[i]);
    }
}

/* order[0 .. lambda-1] = candidate indices by decreasing reward; stable. */
static void
rank (int lambda, const double *rewards, int *order)
{
  for (int i = 0; i < lambda; i++)
    {
      int j = i;
      while (j > 0 && rewards[order[j - 1]] < rewards[i])
        {
          order[j] = order[j - 1];
          j--;
        }
      order[j] = i;
    }
}

int
somaif_cmaes_tell (SomaifCmaes *es, int goal, const double *rewards)
{
  const SomaifCmaesConstants *k = &es->k;
  int n = k->n, mu = k->mu;
  gsize nn = (gsize) n * n;
  SomaifCmaesGoal *s = &es->goal[goal];
  gboolean full = k->covariance == SOMAIF_CMAES_FULL;
  double *bz = es->work, *yw = es->work + nn, *zw = es->work + nn + n;

  rank (k->lambda, rewards, es->order);

  /* The weighted means of the mu best steps, in z and in y = B D z. */
  memset (yw, 0, (gsize) n * sizeof *yw);
  memset (zw, 0, (gsize) n * sizeof *zw);
  for (int r = 0; r < mu; r++)
    {
      const double *y = es->y + (gsize) es->order[r] * n;
      const double *z = es->z + (gsize) es->order[r] * n;
      double w = k->weights[r];
      for (int i = 0; i < n; i++)
        {
          yw[i] += w * y[i];
          zw[i] += w * z[i];
        }
    }
  for (int i = 0; i < n; i++)
    s->mean[i] += s->sigma * yw[i];

  /* C^(-1/2) y_w = B D^-1 B^T B D z_w = B z_w (separable: z_w). */
  if (full)
    for (int i = 0; i < n; i++)
      {
        const double *bi = s->b + (gsize) i * n;
        double sum = 0.0;
        for (int j = 0; j < n; j++)
          sum += bi[j] * zw[j];
        bz[i] = sum;
      }
  else
    memcpy (bz, zw, (gsize) n * sizeof *bz);

  double cs = k->c_sigma, cc = k->c_c;
  double ns = sqrt (cs * (2.0 - cs) * k->mu_eff);
  double norm2 = 0.0;
  for (int i = 0; i < n; i++)
    {
      s->ps[i] = (1.0 - cs) * s->ps[i] + ns * bz[i];
      norm2 += s->ps[i] * s->ps[i];
    }
  double norm = sqrt (norm2);
  s->generation++;

  /* h_sigma stalls the rank-one path while ||ps|| is large (sigma growing). */
  double bias = sqrt (1.0 - pow (1.0 - cs, 2.0 * (double) s->generation));
  double hsig = norm / bias < (1.4 + 2.0 / (n + 1.0)) * k->chi_n ? 1.0 : 0.0;
  double nc = hsig * sqrt (cc * (2.0 - cc) * k->mu_eff);
  for (int i = 0; i < n; i++)
    s->pc[i] = (1.0 - cc) * s->pc[i] + nc * yw[i];

  double delta = (1.0 - hsig) * cc * (2.0 - cc);
  /* The weights sum to 1. */
  double keep = 1.0 - k->c_1 - k->c_mu + k->c_1 * delta;
  if (full)
    for (int i = 0; i < n; i++)
      for (int j = i; j < n; j++)
        {
          double rank_mu = 0.0;
          for (int r = 0; r < mu; r++)
            {
              const double *y = es->y + (gsize) es->order[r] * n;
              rank_mu += k->weights[r] * y[i] * y[j];
            }
          double cij = keep * s->c[(gsize) i * n + j] + k->c_1 * s->pc[i] * s->pc[j]
                       + k->c_mu * rank_mu;
          s->c[(gsize) i * n + j] = s->c[(gsize) j * n + i] = cij;
        }
  else
    {
      for (int i = 0; i < n; i++)
        {
          double rank_mu = 0.0;
          for (int r = 0; r < mu; r++)
            {
              double yi = es->y[(gsize) es->order[r] * n + i];
              rank_mu += k->weights[r] * yi * yi;
            }
          s->c[i] = keep * s->c[i] + k->c_1 * s->pc[i] * s->pc[i] + k->c_mu * rank_mu;
          s->d[i] = sqrt (s->c[i]);
        }
      s->eigen_generation = s->generation;
    }

  s->sigma *= exp (cs / k->d_sigma * (norm / k->chi_n - 1.0));

  if (!isfinite (s->sigma) || !(s->sigma > 0.0))
    return -1;
  for (int i = 0; i < n; i++)
    if (!isfinite (s->mean[i]))
      return -1;
  return 0;
}
