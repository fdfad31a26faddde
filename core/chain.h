/* chain.h: chaining a repertoire's primitives into drawings, each chosen to
 * minimise an objective (docs/chaining.md).
 *
 * Classes sigma are Bernoulli pixel models, each with a filter f (the mean
 * image of its samples, 1 paper, 0 ink) read as the seed's accuracy term
 * reads a goal: t = 0.999 f + 0.0005 per pixel, and an image o costs
 * CE(o, sigma) = -log p(o | sigma) (somaif_cross_entropy).  The classifier
 * turns the likelihoods into q(sigma) = softmax(-CE(o, sigma) / (s T)) with
 * s = the pixels (rule "mean": the per-pixel mean log-likelihood) or s = 1
 * (rule "sum": the posterior under a flat prior when T = 1), temperature T.
 * The expected free energy of a drawing, with preferences p(sigma), is
 *   G = KL(q || p) + sum_i q(sigma_i) H[p(o | sigma_i)] / s
 * (risk plus ambiguity: H is the entropy of the pixel model, in the same
 * unit as the classifier's log-likelihood).  The accuracy objective is
 * CE(o, target).
 */
#ifndef SOMAIF_CHAIN_H
#define SOMAIF_CHAIN_H

#include <glib.h>

#include "somaif/plugin.h"

G_BEGIN_DECLS

#define SOMAIF_CHAIN_ERROR (somaif_chain_error_quark ())
GQuark somaif_chain_error_quark (void);
typedef enum
{
  SOMAIF_CHAIN_ERROR_INPUT,  /* bad targets, objective or plant: exit status 2 */
  SOMAIF_CHAIN_ERROR_PLUGIN  /* a plugin method failed while chaining */
} SomaifChainError;

typedef enum
{
  SOMAIF_CLASSIFIER_MEAN, /* softmax of the per-pixel mean log-likelihood / T */
  SOMAIF_CLASSIFIER_SUM   /* softmax of the log-likelihood / T */
} SomaifClassifierRule;

typedef enum
{
  SOMAIF_OBJECTIVE_EFE,      /* expected free energy: risk + ambiguity */
  SOMAIF_OBJECTIVE_ACCURACY  /* cross-entropy against the target's filter */
} SomaifObjective;

typedef enum
{
  SOMAIF_PLANNER_GREEDY,    /* each step the primitive minimising the objective (the paper's) */
  SOMAIF_PLANNER_BEAM,      /* the best B partial chains kept after each step */
  SOMAIF_PLANNER_LOOKAHEAD  /* k minimising the best objective after k then any k' */
} SomaifPlanner;

/* Names as the config writes them ("mean", "efe", "greedy", ...); -1: none. */
int somaif_classifier_rule_from_name (const char *name);
int somaif_objective_from_name (const char *name);
int somaif_planner_from_name (const char *name);

/* ---- classes and the classifier ---- */

typedef struct
{
  int n_classes, n_pixels;
  float *filters;      /* n_classes x n_pixels */
  float *d;            /* n_classes x n_pixels: log(t / (1 - t)) */
  double *sum_log_t;   /* n_classes */
  double *entropy;     /* n_classes: sum over pixels of the Bernoulli entropy, nats */
  SomaifClassifierRule rule;
  double temperature;
} SomaifClasses;

SomaifClasses *somaif_classes_new (int n_classes, int n_pixels, const float *filters,
                                   SomaifClassifierRule rule, double temperature);
void somaif_classes_free (SomaifClasses *classes);
/* The unit of the classifier's log-likelihood: n_pixels (mean) or 1 (sum). */
double somaif_classes_scale (const SomaifClasses *classes);
/* ce[c] = CE(image, c) for every class. */
void somaif_classes_cross_entropy (const SomaifClasses *classes, const float *image,
                                   double *ce);
/* q from the cross-entropies: a softmax, shifted so that it cannot overflow. */
void somaif_classes_posterior (const SomaifClasses *classes, const double *ce, double *q);

/* p(sigma): preference on the target, the rest shared equally by the others
 * (n = 1: all on the target). */
void somaif_preference (int n, int target, double preference, double *p);
/* KL(q || p) = sum q log(q / p), 0 log 0 = 0. */
double somaif_kl (const double *q, const double *p, int n);

typedef struct
{
  double value;          /* the objective */
  double risk;           /* KL(q || p) (NaN with fewer than 2 classes) */
  double ambiguity;      /* sum q H / scale (NaN with fewer than 2 classes) */
  double cross_entropy;  /* against the target's filter */
} SomaifScore;

/* Scores image for target under objective; q (n_classes) and ce (n_classes)
 * are written. */
void somaif_chain_score (const SomaifClasses *classes, SomaifObjective objective, int target,
                         const double *preference, const float *image, double *q, double *ce,
                         SomaifScore *score);

/* ---- the plant's pose ---- */

/* TRUE when the plant can chain (minor >= 1 with pose_size and run_from);
 * otherwise FALSE with a message saying why. */
gboolean somaif_plant_can_chain (const SomaifPlant *plant, const char *path, GError **error);

/* ---- a repertoire and its chains ---- */

typedef struct
{
  const SomaifPlant *plant;
  const void *plant_self;
  const SomaifRenderer *renderer;
  const void *renderer_self;
  int n_primitives, steps, motor_size;
  const float *motor;    /* n_primitives x steps x motor_size: computed once */
  int pose_size, point_size, segment_points; /* points of one primitive's rollout */
  int width, height;
} SomaifRepertoire;

typedef struct
{
  int length, capacity;    /* primitives chained, at most */
  int n_classes, pose_size, point_size;
  int *primitives;         /* capacity */
  double *poses;           /* capacity x pose_size: after each step */
  SomaifScore *scores;     /* capacity: after each step */
  double *q;               /* capacity x n_classes: after each step */
  int n_points;            /* 1 + length x (segment_points - 1) */
  double *points;          /* n_points x point_size */
} SomaifChain;

SomaifChain *somaif_chain_new (const SomaifRepertoire *rep, int capacity, int n_classes);
void somaif_chain_free (SomaifChain *chain);
void somaif_chain_copy (SomaifChain *dst, const SomaifChain *src);
/* The pen point after step s (the last point of its stroke). */
const double *somaif_chain_pen (const SomaifChain *chain, int step, int segment_points);

typedef struct
{
  SomaifObjective objective;
  SomaifPlanner planner;
  int beam;                  /* kept chains (beam) */
  int length;                /* M: primitives a chain */
  int target;                /* class index */
  const double *preference;  /* n_classes */
} SomaifPlan;

/* Chains plan->length primitives for plan->target.  NULL with an error when a
 * plugin fails. */
SomaifChain *somaif_chain_plan (const SomaifRepertoire *rep, const SomaifClasses *classes,
                                const SomaifPlan *plan, GError **error);

G_END_DECLS

#endif
