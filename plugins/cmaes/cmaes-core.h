/* cmaes-core.h: the arithmetic of CMA-ES (Hansen, "The CMA Evolution Strategy:
 * A Tutorial", arXiv:1604.00772), one independent search distribution per goal,
 * with an ask (sample) and tell (rank and update) interface.
 *
 * full       the covariance C is a symmetric n x n matrix; candidates are
 *            m + sigma B D z with C = B D^2 B^T, an eigendecomposition redone
 *            lazily, as the tutorial does, once more than 1 / (10 n (c_1 + c_mu))
 *            generations have passed since the last (Householder tridiagonal
 *            form, then implicit QR steps).
 * separable  sep-CMA-ES (Ros & Hansen 2008): C is diagonal, D = sqrt(diag C),
 *            and the covariance learning rates c_1 and c_mu are each scaled by
 *            (n + 2) / 3 (c_mu then capped at 1 - c_1).
 *
 * Only positive weights (the mu = lambda / 2 best candidates) are used; the
 * mean's learning rate c_m is 1.  Rewards are maximised: the best candidate
 * is the one with the HIGHEST reward.  Sampling and updating never allocate:
 * every goal's state and one shared workspace are allocated by
 * somaif_cmaes_new().
 */
#ifndef SOMAIF_CMAES_CORE_H
#define SOMAIF_CMAES_CORE_H

#include <glib.h>

#include "somaif/plugin.h"

G_BEGIN_DECLS

typedef enum
{
  SOMAIF_CMAES_SEPARABLE = 0,
  SOMAIF_CMAES_FULL = 1
} SomaifCmaesCovariance;

/* The covariance named "separable" or "full"; -1 for anything else. */
int somaif_cmaes_covariance_from_name (const char *name);
const char *somaif_cmaes_covariance_name (SomaifCmaesCovariance covariance);

/* The tutorial's default population 4 + floor(3 ln n), for n >= 1. */
int somaif_cmaes_default_population (int n);

/* The strategy's constants for dimension n and population lambda. */
typedef struct
{
  int n, lambda, mu;
  SomaifCmaesCovariance covariance;
  double *weights;   /* mu positive weights, decreasing, summing to 1 */
  double mu_eff;     /* 1 / sum w_i^2 */
  double c_sigma;    /* cumulation of the step-size path */
  double d_sigma;    /* damping of the step size */
  double c_c;        /* cumulation of the covariance path */
  double c_1;        /* rank-one learning rate */
  double c_mu;       /* rank-mu learning rate */
  double chi_n;      /* E||N(0, I)|| */
  double eigen_gap;  /* full: generations between eigendecompositions */
} SomaifCmaesConstants;

/* One goal's search distribution N(mean, sigma^2 C). */
typedef struct
{
  double sigma;
  gint64 generation;       /* updates done */
  gint64 eigen_generation; /* generation of the last decomposition (full) */
  double *mean;            /* n */
  double *ps, *pc;         /* n: evolution paths of sigma and of C */
  double *c;               /* full: n x n (row-major, symmetric); separable: n (diagonal) */
  double *b;               /* full: n x n eigenvectors in columns; separable: NULL */
  double *d;               /* n: square roots of C's eigenvalues (full) or diagonal */
} SomaifCmaesGoal;

typedef struct
{
  SomaifCmaesConstants k;
  int goals;
  SomaifCmaesGoal *goal;   /* goals */
  double *z;               /* lambda x n: the standard normals of the last sample */
  double *y;               /* lambda x n: B D z (the candidates are mean + sigma y) */
  int *order;              /* lambda: candidate indices, best first */
  double *work;            /* 2 n x n + 4 n scratch */
  SomaifRng rng;
} SomaifCmaes;

/* Fills k's numbers for n >= 1 and lambda >= 2; k->weights must hold
 * lambda / 2 doubles (the function sets k->weights[0 .. mu-1] and k->mu). */
void somaif_cmaes_constants (SomaifCmaesConstants *k, int n, int lambda,
                             SomaifCmaesCovariance covariance);

/* goals >= 1 distributions in n >= 1 dimensions, each with mean initial_mean
 * in every coordinate, step size sigma > 0, C = I; lambda >= 2 candidates a
 * sample; random numbers from seed.  NULL when memory is short. */
SomaifCmaes *somaif_cmaes_new (int n, int goals, int lambda, SomaifCmaesCovariance covariance,
                               double sigma, double initial_mean, guint64 seed);
void somaif_cmaes_free (SomaifCmaes *es);

/* Writes lambda candidates (lambda x n floats) drawn from goal's distribution,
 * first redoing its eigendecomposition if due (full); keeps z and y for the
 * next somaif_cmaes_tell() of the same goal. */
void somaif_cmaes_sample (SomaifCmaes *es, int goal, float *candidates);

/* Ranks the last sample's lambda candidates by reward (higher is better; ties
 * keep the earlier candidate first) and updates goal's mean, paths, C and
 * sigma.  Returns 0, or -1 when sigma or the mean left the finite numbers. */
int somaif_cmaes_tell (SomaifCmaes *es, int goal, const double *rewards);

/* Redoes goal's eigendecomposition now (full; separable: D = sqrt(diag C)). */
void somaif_cmaes_decompose (SomaifCmaes *es, int goal);

/* Eigendecomposition of the symmetric n x n matrix a (row-major; destroyed):
 * a = V diag(w) V^T with V orthogonal, written TRANSPOSED into v: row i of v
 * is the eigenvector of w[i] (eigenvalues in no particular order).
 * somaif_cmaes_eigen: Householder tridiagonalisation, then implicit QR steps
 * with Wilkinson's shift (about 6 n^3 flops); scratch holds 3 n doubles.
 * Returns the QR steps taken, or -1 if they ran out (30 n).
 * somaif_cmaes_eigen_jacobi: cyclic Jacobi rotations (slower; a reference).
 * Returns the sweeps used, or -1 if off-diagonal mass remained after 100. */
int somaif_cmaes_eigen (int n, double *a, double *v, double *w, double *scratch);
int somaif_cmaes_eigen_jacobi (int n, double *a, double *v, double *w);

G_END_DECLS

#endif /* SOMAIF_CMAES_CORE_H */
