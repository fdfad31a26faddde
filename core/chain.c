/* chain.c: the classifier, the objectives and the planners of chain.h. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "chain.h"
#include "free-energy.h"

G_DEFINE_QUARK (somaif-chain-error-quark, somaif_chain_error)

static int
index_of (const char *name, const char *const *names, int n)
{
  for (int i = 0; name && i < n; i++)
    if (strcmp (name, names[i]) == 0)
      return i;
  return -1;
}

int
somaif_classifier_rule_from_name (const char *name)
{
  static const char *const names[] = { "mean", "sum" };
  return index_of (name, names, 2);
}

int
somaif_objective_from_name (const char *name)
{
  static const char *const names[] = { "efe", "accuracy" };
  return index_of (name, names, 2);
}

int
somaif_planner_from_name (const char *name)
{
  static const char *const names[] = { "greedy", "beam", "lookahead" };
  return index_of (name, names, 3);
}

/* ------------------------------------------------------------------ */
/* Classes and the classifier                                           */

/* Entropy of a Bernoulli pixel of probability t, nats. */
static double
bernoulli_entropy (double t)
{
  return -(t * log (t) + (1.0 - t) * log (1.0 - t));
}

SomaifClasses *
somaif_classes_new (int n_classes, int n_pixels, const float *filters,
                    SomaifClassifierRule rule, double temperature)
{
  SomaifClasses *c = g_new0 (SomaifClasses, 1);
  gsize n = (gsize) n_classes * (gsize) n_pixels;
  c->n_classes = n_classes;
  c->n_pixels = n_pixels;
  c->filters = g_memdup2 (filters, n * sizeof (float));
  c->d = g_new (float, n);
  c->sum_log_t = g_new (double, n_classes);
  c->entropy = g_new0 (double, n_classes);
  c->rule = rule;
  c->temperature = temperature;
  for (int k = 0; k < n_classes; k++)
    {
      const float *f = filters + (gsize) k * n_pixels;
      c->sum_log_t[k] = somaif_goal_terms (f, n_pixels, c->d + (gsize) k * n_pixels);
      for (int p = 0; p < n_pixels; p++)
        c->entropy[k] += bernoulli_entropy ((double) (f[p] * 0.999f + 0.0005f));
    }
  return c;
}

void
somaif_classes_free (SomaifClasses *c)
{
  if (!c)
    return;
  g_free (c->filters);
  g_free (c->d);
  g_free (c->sum_log_t);
  g_free (c->entropy);
  g_free (c);
}

double
somaif_classes_scale (const SomaifClasses *c)
{
  return c->rule == SOMAIF_CLASSIFIER_MEAN ? (double) c->n_pixels : 1.0;
}

void
somaif_classes_cross_entropy (const SomaifClasses *c, const float *image, double *ce)
{
  for (int k = 0; k < c->n_classes; k++)
    ce[k] = somaif_cross_entropy (image, c->d + (gsize) k * c->n_pixels, c->sum_log_t[k],
                                  c->n_pixels);
}

void
somaif_classes_posterior (const SomaifClasses *c, const double *ce, double *q)
{
  double scale = somaif_classes_scale (c) * c->temperature;
  double best = INFINITY, z = 0.0;
  for (int k = 0; k < c->n_classes; k++)
    best = fmin (best, ce[k]);
  for (int k = 0; k < c->n_classes; k++)
    z += q[k] = exp (-(ce[k] - best) / scale);
  for (int k = 0; k < c->n_classes; k++)
    q[k] /= z;
}

void
somaif_preference (int n, int target, double preference, double *p)
{
  for (int k = 0; k < n; k++)
    p[k] = n == 1 ? 1.0 : k == target ? preference : (1.0 - preference) / (n - 1);
}

double
somaif_kl (const double *q, const double *p, int n)
{
  double kl = 0.0;
  for (int k = 0; k < n; k++)
    if (q[k] > 0.0)
      kl += q[k] * log (q[k] / p[k]);
  return kl;
}

void
somaif_chain_score (const SomaifClasses *c, SomaifObjective objective, int target,
                    const double *preference, const float *image, double *q, double *ce,
                    SomaifScore *score)
{
  somaif_classes_cross_entropy (c, image, ce);
  somaif_classes_posterior (c, ce, q);
  score->cross_entropy = ce[target];
  score->risk = score->ambiguity = NAN;
  if (c->n_classes >= 2)
    {
      score->risk = somaif_kl (q, preference, c->n_classes);
      double amb = 0.0;
      for (int k = 0; k < c->n_classes; k++)
        amb += q[k] * c->entropy[k];
      score->ambiguity = amb / somaif_classes_scale (c);
    }
  score->value = objective == SOMAIF_OBJECTIVE_EFE ? score->risk + score->ambiguity
                                                   : score->cross_entropy;
}

/* ------------------------------------------------------------------ */
/* The plant's pose                                                     */

gboolean
somaif_plant_can_chain (const SomaifPlant *plant, const char *path, GError **error)
{
  const char *why = NULL;
  if (plant->head.abi_minor < 1)
    why = "it was built for plugin ABI minor 0, before plants carried their pose "
          "(pose_size and run_from, minor 1)";
  else if (!plant->pose_size || !plant->run_from)
    why = "it lacks the optional pose methods pose_size and run_from";
  if (!why)
    return TRUE;
  g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT,
               "plant plugin '%s' (%s) cannot chain primitives: %s; a primitive must start "
               "from the pose the last one ended in", plant->head.name, path, why);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Chains                                                               */

SomaifChain *
somaif_chain_new (const SomaifRepertoire *rep, int capacity, int n_classes)
{
  SomaifChain *c = g_new0 (SomaifChain, 1);
  c->capacity = capacity;
  c->n_classes = n_classes;
  c->pose_size = rep->pose_size;
  c->point_size = rep->point_size;
  c->primitives = g_new0 (int, capacity);
  c->poses = g_new0 (double, (gsize) capacity * rep->pose_size);
  c->scores = g_new0 (SomaifScore, capacity);
  c->q = g_new0 (double, (gsize) capacity * n_classes);
  c->points = g_new0 (double, (1 + (gsize) capacity * (rep->segment_points - 1))
                                * rep->point_size);
  return c;
}

void
somaif_chain_free (SomaifChain *c)
{
  if (!c)
    return;
  g_free (c->primitives);
  g_free (c->poses);
  g_free (c->scores);
  g_free (c->q);
  g_free (c->points);
  g_free (c);
}

void
somaif_chain_copy (SomaifChain *dst, const SomaifChain *src)
{
  int n = src->length;
  dst->length = n;
  dst->n_points = src->n_points;
  memcpy (dst->primitives, src->primitives, (gsize) n * sizeof (int));
  memcpy (dst->poses, src->poses, (gsize) n * src->pose_size * sizeof (double));
  memcpy (dst->scores, src->scores, (gsize) n * sizeof (SomaifScore));
  memcpy (dst->q, src->q, (gsize) n * src->n_classes * sizeof (double));
  memcpy (dst->points, src->points, (gsize) src->n_points * src->point_size * sizeof (double));
}

const double *
somaif_chain_pen (const SomaifChain *c, int step, int segment_points)
{
  return c->points + (gsize) (step + 1) * (segment_points - 1) * c->point_size;
}

/* What a plan needs while it runs. */
typedef struct
{
  const SomaifRepertoire *rep;
  const SomaifClasses *classes;
  const SomaifPlan *plan;
  double *segment;  /* segment_points x point_size */
  float *image;
  double *ce;
} Planner;

static gboolean
plugin_failed (GError **error, const SomaifPluginHead *head, const void *self,
               const char *what)
{
  g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_PLUGIN, "%s plugin '%s': %s "
               "failed: %s", head->kind == SOMAIF_KIND_PLANT ? "plant" : "renderer",
               head->name, what,
               head->error_message ? head->error_message (self) : "(no message)");
  return FALSE;
}

/* out = chain then primitive k, drawn and scored (out may not be chain). */
static gboolean
extend (Planner *pl, const SomaifChain *chain, int k, SomaifChain *out, GError **error)
{
  const SomaifRepertoire *rep = pl->rep;
  int s = chain->length, ps = rep->point_size;
  somaif_chain_copy (out, chain);
  const double *pose = s > 0 ? chain->poses + (gsize) (s - 1) * rep->pose_size : NULL;
  const float *motor = rep->motor + (gsize) k * rep->steps * rep->motor_size;
  if (rep->plant->run_from (rep->plant_self, pose, rep->steps, motor, pl->segment,
                            out->poses + (gsize) s * rep->pose_size) != 0)
    return plugin_failed (error, &rep->plant->head, rep->plant_self, "run_from");
  /* The pen stays down: a later stroke starts where the last one ended. */
  int skip = s > 0 ? 1 : 0;
  gsize n_new = (gsize) (rep->segment_points - skip);
  memcpy (out->points + (gsize) out->n_points * ps, pl->segment + (gsize) skip * ps,
          n_new * ps * sizeof (double));
  out->n_points += (int) n_new;
  out->primitives[s] = k;
  out->length = s + 1;
  if (rep->renderer->draw (rep->renderer_self, out->n_points, out->points, pl->image) != 0)
    return plugin_failed (error, &rep->renderer->head, rep->renderer_self, "draw");
  somaif_chain_score (pl->classes, pl->plan->objective, pl->plan->target,
                      pl->plan->preference, pl->image, out->q + (gsize) s * out->n_classes,
                      pl->ce, &out->scores[s]);
  return TRUE;
}

static double
last_value (const SomaifChain *c)
{
  return c->scores[c->length - 1].value;
}

/* One step: chain gets the primitive minimising the objective after it. */
static gboolean
greedy_step (Planner *pl, SomaifChain *chain, SomaifChain *tmp, SomaifChain *best,
             GError **error)
{
  double best_value = NAN;
  for (int k = 0; k < pl->rep->n_primitives; k++)
    {
      if (!extend (pl, chain, k, tmp, error))
        return FALSE;
      /* NaN wins only when all are NaN; the first of equals wins. */
      double v = last_value (tmp);
      if (k == 0 || v < best_value || (isnan (best_value) && !isnan (v)))
        {
          best_value = v;
          somaif_chain_copy (best, tmp);
        }
    }
  somaif_chain_copy (chain, best);
  return TRUE;
}

/* The best objective after chain then any one primitive. */
static gboolean
best_after (Planner *pl, const SomaifChain *chain, SomaifChain *tmp, double *best,
            GError **error)
{
  *best = INFINITY;
  for (int k = 0; k < pl->rep->n_primitives; k++)
    {
      if (!extend (pl, chain, k, tmp, error))
        return FALSE;
      *best = fmin (*best, last_value (tmp));
    }
  return TRUE;
}

static gboolean
lookahead_step (Planner *pl, SomaifChain *chain, SomaifChain *c1, SomaifChain *c2,
                GError **error)
{
  int best_k = 0;
  double best_value = INFINITY;
  for (int k = 0; k < pl->rep->n_primitives; k++)
    {
      double v;
      if (!extend (pl, chain, k, c1, error) || !best_after (pl, c1, c2, &v, error))
        return FALSE;
      if (v < best_value)
        {
          best_value = v;
          best_k = k;
        }
    }
  if (!extend (pl, chain, best_k, c1, error))
    return FALSE;
  somaif_chain_copy (chain, c1);
  return TRUE;
}

typedef struct
{
  double value;
  int parent, k;
} Candidate;

static int
candidate_cmp (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a, *y = b;
  /* NaN last; equal values keep their order (parent, then k). */
  gboolean xn = isnan (x->value), yn = isnan (y->value);
  if (xn != yn)
    return xn ? 1 : -1;
  if (!xn && x->value != y->value)
    return x->value < y->value ? -1 : 1;
  return x->parent != y->parent ? x->parent - y->parent : x->k - y->k;
}

/* One step of the beam: the best B of every kept chain extended by every
 * primitive. */
static gboolean
beam_step (Planner *pl, SomaifChain **beam, int *n_beam, SomaifChain **next,
           SomaifChain *tmp, GError **error)
{
  int K = pl->rep->n_primitives, n = 0;
  Candidate *cand = g_new (Candidate, (gsize) *n_beam * K);
  gboolean ok = TRUE;
  for (int b = 0; ok && b < *n_beam; b++)
    for (int k = 0; ok && k < K; k++)
      {
        ok = extend (pl, beam[b], k, tmp, error);
        cand[n++] = (Candidate) { ok ? last_value (tmp) : NAN, b, k };
      }
  if (ok)
    {
      qsort (cand, (size_t) n, sizeof *cand, candidate_cmp);
      int keep = MIN (n, pl->plan->beam);
      for (int i = 0; ok && i < keep; i++)
        ok = extend (pl, beam[cand[i].parent], cand[i].k, next[i], error);
      for (int i = 0; ok && i < keep; i++)
        somaif_chain_copy (beam[i], next[i]);
      *n_beam = keep;
    }
  g_free (cand);
  return ok;
}

static gboolean
plan_beam (Planner *pl, SomaifChain *result, GError **error)
{
  int B = MAX (1, pl->plan->beam), n_beam = 1;
  const SomaifRepertoire *rep = pl->rep;
  int C = pl->classes->n_classes, M = pl->plan->length;
  SomaifChain **beam = g_new (SomaifChain *, B), **next = g_new (SomaifChain *, B);
  for (int b = 0; b < B; b++)
    {
      beam[b] = somaif_chain_new (rep, M, C);
      next[b] = somaif_chain_new (rep, M, C);
    }
  SomaifChain *tmp = somaif_chain_new (rep, M, C);
  gboolean ok = TRUE;
  for (int s = 0; ok && s < M; s++)
    ok = beam_step (pl, beam, &n_beam, next, tmp, error);
  if (ok)
    somaif_chain_copy (result, beam[0]);
  for (int b = 0; b < B; b++)
    {
      somaif_chain_free (beam[b]);
      somaif_chain_free (next[b]);
    }
  somaif_chain_free (tmp);
  g_free (beam);
  g_free (next);
  return ok;
}

SomaifChain *
somaif_chain_plan (const SomaifRepertoire *rep, const SomaifClasses *classes,
                   const SomaifPlan *plan, GError **error)
{
  int C = classes->n_classes, M = plan->length;
  Planner pl = { rep, classes, plan,
                 g_new (double, (gsize) rep->segment_points * rep->point_size),
                 g_new (float, (gsize) rep->width * rep->height), g_new (double, C) };
  SomaifChain *chain = somaif_chain_new (rep, M, C);
  SomaifChain *a = somaif_chain_new (rep, M, C), *b = somaif_chain_new (rep, M, C);
  gboolean ok = TRUE;
  if (plan->planner == SOMAIF_PLANNER_BEAM)
    ok = plan_beam (&pl, chain, error);
  for (int s = 0; ok && plan->planner != SOMAIF_PLANNER_BEAM && s < M; s++)
    ok = plan->planner == SOMAIF_PLANNER_LOOKAHEAD && s + 1 < M
         ? lookahead_step (&pl, chain, a, b, error)
         : greedy_step (&pl, chain, a, b, error);
  somaif_chain_free (a);
  somaif_chain_free (b);
  g_free (pl.segment);
  g_free (pl.image);
  g_free (pl.ce);
  if (!ok)
    {
      somaif_chain_free (chain);
      return NULL;
    }
  return chain;
}
