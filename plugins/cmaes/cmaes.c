/* cmaes.c: CMA-ES, one search distribution per goal, as a somaif optimiser
 * (the vtable glue; the arithmetic is in cmaes-core.c). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cmaes-core.h"
#include "somaif/plugin.h"

static const SomaifParamSpec cmaes_params[] = {
  { "population", SOMAIF_PARAM_INT, "0", 0, 100000, 0, 0,
    "candidates a goal and epoch (lambda, >= 2); 0: 4 + floor(3 ln n) for states of n numbers" },
  { "sigma", SOMAIF_PARAM_FLOAT, "0.5", 1e-12, 1e6, 0, 0,
    "initial step size: the candidates' first standard deviation in every coordinate (> 0)" },
  { "covariance", SOMAIF_PARAM_STRING, "\"separable\"", 1, 0, 0, 0,
    "\"separable\" (sep-CMA-ES: diagonal, O(n) a candidate) or \"full\" (n x n, O(n^2))" },
  { "initial_mean", SOMAIF_PARAM_FLOAT, "0.0", 1, 0, 0, 0,
    "every coordinate of each goal's initial mean (the seed's initial states are 0)" },
  SOMAIF_PARAM_END
};

#define STATE_VERSION 1

typedef struct
{
  SomaifCmaes *es;
  int proposed;   /* goal of the last proposal not yet learned from; -1: none */
  char message[256];
} Cmaes;

static void
cmaes_destroy (void *p)
{
  Cmaes *self = p;
  if (!self)
    return;
  somaif_cmaes_free (self->es);
  g_free (self);
}

static void *
cmaes_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  gint64 population = somaif_params_get_int (params, "population");
  double sigma = somaif_params_get_float (params, "sigma");
  const char *cov_name = somaif_params_get_string (params, "covariance");
  double initial_mean = somaif_params_get_float (params, "initial_mean");
  int covariance = somaif_cmaes_covariance_from_name (cov_name);
  int n = setup->input_size;

  if (n < 1 || setup->goals < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "states of %d numbers for %d goals: both must be at least 1", n,
                   setup->goals);
      return NULL;
    }
  if (population == 1 || population < 0 || population > 100000)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "population = %" G_GINT64_FORMAT ": it must be 0 (from the dimension) "
                   "or lie in [2, 100000]", population);
      return NULL;
    }
  if (!(sigma > 0.0) || !isfinite (sigma))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "sigma = %g: it must be a positive number", sigma);
      return NULL;
    }
  if (!isfinite (initial_mean))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "initial_mean = %g: it must be a finite number", initial_mean);
      return NULL;
    }
  if (covariance < 0)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "covariance = \"%s\": it must be \"separable\" or \"full\"",
                   cov_name ? cov_name : "(none)");
      return NULL;
    }
  int lambda = population ? (int) population : somaif_cmaes_default_population (n);
  if (covariance == SOMAIF_CMAES_FULL && n > 4096)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "a full covariance for states of %d numbers: at most 4096 "
                   "(use covariance = \"separable\")", n);
      return NULL;
    }

  Cmaes *self = g_new0 (Cmaes, 1);
  self->proposed = -1;
  self->es = somaif_cmaes_new (n, setup->goals, lambda, (SomaifCmaesCovariance) covariance,
                               sigma, initial_mean, setup->seed);
  if (!self->es)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "not enough memory for %d goals of %s covariance in %d dimensions",
                   setup->goals, somaif_cmaes_covariance_name (covariance), n);
      cmaes_destroy (self);
      return NULL;
    }
  return self;
}

static const char *
cmaes_error_message (const void *p)
{
  const Cmaes *self = p;
  /* solution() is the only method that cannot write a message (it is const). */
  return self->message[0] ? self->message : "a goal out of range or a NULL array";
}

/* ------------------------------------------------------------------ */
/* State: version u8; n, goals, lambda, covariance u32; proposed i32; the RNG
 * (4 u64, spare f64, has_spare u32); the last sample's z and y (lambda x n
 * f64 each); then each goal: sigma f64, generation and eigen_generation i64,
 * mean, ps, pc, d (n f64 each), C (n or n x n f64), B (full: n x n f64).
 * All little-endian. */

#define HEADER_SIZE (1 + 4 * 4 + 4 + 4 * 8 + 8 + 4)

static gsize
state_size (const SomaifCmaes *es)
{
  gsize n = (gsize) es->k.n, nn = n * n;
  gboolean full = es->k.covariance == SOMAIF_CMAES_FULL;
  gsize per_goal = 3 * 8 + 8 * (4 * n + (full ? 2 * nn : n));
  return HEADER_SIZE + 2 * 8 * (gsize) es->k.lambda * n + (gsize) es->goals * per_goal;
}

static int
cmaes_save_state (const void *p, GByteArray *out)
{
  const Cmaes *self = p;
  const SomaifCmaes *es = self->es;
  gsize n = (gsize) es->k.n, nn = n * n;
  gboolean full = es->k.covariance == SOMAIF_CMAES_FULL;
  guint8 version = STATE_VERSION;
  g_byte_array_append (out, &version, 1);
  somaif_state_put_u32 (out, (guint32) es->k.n);
  somaif_state_put_u32 (out, (guint32) es->goals);
  somaif_state_put_u32 (out, (guint32) es->k.lambda);
  somaif_state_put_u32 (out, (guint32) es->k.covariance);
  somaif_state_put_u32 (out, (guint32) self->proposed);
  for (int i = 0; i < 4; i++)
    somaif_state_put_u64 (out, es->rng.s[i]);
  somaif_state_put_f64s (out, &es->rng.spare, 1);
  somaif_state_put_u32 (out, (guint32) es->rng.has_spare);
  somaif_state_put_f64s (out, es->z, (gsize) es->k.lambda * n);
  somaif_state_put_f64s (out, es->y, (gsize) es->k.lambda * n);
  for (int g = 0; g < es->goals; g++)
    {
      const SomaifCmaesGoal *s = &es->goal[g];
      somaif_state_put_f64s (out, &s->sigma, 1);
      somaif_state_put_u64 (out, (guint64) s->generation);
      somaif_state_put_u64 (out, (guint64) s->eigen_generation);
      somaif_state_put_f64s (out, s->mean, n);
      somaif_state_put_f64s (out, s->ps, n);
      somaif_state_put_f64s (out, s->pc, n);
      somaif_state_put_f64s (out, s->d, n);
      somaif_state_put_f64s (out, s->c, full ? nn : n);
      if (full)
        somaif_state_put_f64s (out, s->b, nn);
    }
  return 0;
}

static int
cmaes_load_state (void *p, const guint8 *data, gsize length)
{
  Cmaes *self = p;
  SomaifCmaes *es = self->es;
  gsize n = (gsize) es->k.n, nn = n * n;
  gboolean full = es->k.covariance == SOMAIF_CMAES_FULL;
  self->message[0] = '\0';
  if (length < 1 || data[0] != STATE_VERSION)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state version %d, this plugin reads version %d", length ? data[0] : -1,
                  STATE_VERSION);
      return -1;
    }
  if (length < HEADER_SIZE)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state of %" G_GSIZE_FORMAT " bytes is too short", length);
      return -1;
    }
  const guint8 *q = data + 1;
  guint32 sn = somaif_state_get_u32 (&q), sg = somaif_state_get_u32 (&q), sl = somaif_state_get_u32 (&q), sc = somaif_state_get_u32 (&q);
  if (sn != (guint32) es->k.n || sg != (guint32) es->goals || sl != (guint32) es->k.lambda
      || sc != (guint32) es->k.covariance)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state of %u goals, population %u, covariance %u, states of %u numbers; "
                  "this instance has %d, %d, %u (%s), %d", sg, sl, sc, sn, es->goals,
                  es->k.lambda, (unsigned) es->k.covariance,
                  somaif_cmaes_covariance_name (es->k.covariance), es->k.n);
      return -1;
    }
  if (length != state_size (es))
    {
      g_snprintf (self->message, sizeof self->message,
                  "state of %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, length,
                  state_size (es));
      return -1;
    }
  gint32 proposed = (gint32) somaif_state_get_u32 (&q);
  if (proposed < -1 || proposed >= es->goals)
    {
      g_snprintf (self->message, sizeof self->message, "state with proposed goal %d",
                  (int) proposed);
      return -1;
    }
  /* Check every goal before changing anything. */
  const guint8 *goals_at = q + 4 * 8 + 8 + 4 + 2 * 8 * (gsize) es->k.lambda * n;
  gsize per_goal = 3 * 8 + 8 * (4 * n + (full ? 2 * nn : n));
  for (int g = 0; g < es->goals; g++)
    {
      const guint8 *r = goals_at + (gsize) g * per_goal;
      double sigma;
      somaif_state_get_f64s (&r, &sigma, 1);
      gint64 generation = (gint64) somaif_state_get_u64 (&r), eigen_generation = (gint64) somaif_state_get_u64 (&r);
      if (!(sigma > 0.0) || !isfinite (sigma) || generation < 0 || eigen_generation < 0
          || eigen_generation > generation)
        {
          g_snprintf (self->message, sizeof self->message,
                      "state of goal %d with sigma %g, generation %" G_GINT64_FORMAT
                      ", decomposed at %" G_GINT64_FORMAT, g, sigma, generation,
                      eigen_generation);
          return -1;
        }
    }
  self->proposed = proposed;
  for (int i = 0; i < 4; i++)
    es->rng.s[i] = somaif_state_get_u64 (&q);
  somaif_state_get_f64s (&q, &es->rng.spare, 1);
  es->rng.has_spare = (int) somaif_state_get_u32 (&q);
  somaif_state_get_f64s (&q, es->z, (gsize) es->k.lambda * n);
  somaif_state_get_f64s (&q, es->y, (gsize) es->k.lambda * n);
  for (int g = 0; g < es->goals; g++)
    {
      SomaifCmaesGoal *s = &es->goal[g];
      somaif_state_get_f64s (&q, &s->sigma, 1);
      s->generation = (gint64) somaif_state_get_u64 (&q);
      s->eigen_generation = (gint64) somaif_state_get_u64 (&q);
      somaif_state_get_f64s (&q, s->mean, n);
      somaif_state_get_f64s (&q, s->ps, n);
      somaif_state_get_f64s (&q, s->pc, n);
      somaif_state_get_f64s (&q, s->d, n);
      somaif_state_get_f64s (&q, s->c, full ? nn : n);
      if (full)
        somaif_state_get_f64s (&q, s->b, nn);
    }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Methods                                                             */

static int
cmaes_max_candidates (const void *p)
{
  const Cmaes *self = p;
  return self->es->k.lambda;
}

static int
cmaes_propose (void *p, int goal, float *candidates, int *n)
{
  Cmaes *self = p;
  self->message[0] = '\0';
  if (goal < 0 || goal >= self->es->goals || !candidates || !n)
    {
      g_snprintf (self->message, sizeof self->message,
                  "propose() for goal %d of %d (or a NULL array)", goal, self->es->goals);
      return -1;
    }
  somaif_cmaes_sample (self->es, goal, candidates);
  *n = self->es->k.lambda;
  self->proposed = goal;
  return 0;
}

static int
cmaes_update (void *p, int goal, int n, const double *rewards)
{
  Cmaes *self = p;
  self->message[0] = '\0';
  if (goal != self->proposed || goal < 0)
    {
      g_snprintf (self->message, sizeof self->message,
                  "update() for goal %d, but the candidates waiting for rewards are %s%d",
                  goal, self->proposed < 0 ? "none: " : "goal's ", self->proposed);
      return -1;
    }
  if (n != self->es->k.lambda || !rewards)
    {
      g_snprintf (self->message, sizeof self->message,
                  "update() given %d rewards for %d candidates", n, self->es->k.lambda);
      return -1;
    }
  for (int i = 0; i < n; i++)
    if (!isfinite (rewards[i]))
      {
        g_snprintf (self->message, sizeof self->message,
                    "reward %d of goal %d is %g: it cannot be ranked", i, goal, rewards[i]);
        return -1;
      }
  self->proposed = -1;
  if (somaif_cmaes_tell (self->es, goal, rewards) != 0)
    {
      g_snprintf (self->message, sizeof self->message,
                  "goal %d: the step size (%g) or the mean left the finite numbers", goal,
                  self->es->goal[goal].sigma);
      return -1;
    }
  return 0;
}

static int
cmaes_solution (const void *p, int goal, float *state)
{
  const Cmaes *self = p;
  if (goal < 0 || goal >= self->es->goals || !state)
    return -1;
  const double *mean = self->es->goal[goal].mean;
  for (int i = 0; i < self->es->k.n; i++)
    state[i] = (float) mean[i];
  return 0;
}

static const SomaifOptimiser cmaes_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_OPTIMISER,
    .name = "cmaes",
    .description = "CMA-ES, one search distribution per goal (full or separable covariance)",
    .params = cmaes_params,
    .create = cmaes_create,
    .destroy = cmaes_destroy,
    .set_param = NULL,
    .error_message = cmaes_error_message,
    .save_state = cmaes_save_state,
    .load_state = cmaes_load_state,
  },
  .max_candidates = cmaes_max_candidates,
  .propose = cmaes_propose,
  .update = cmaes_update,
  .solution = cmaes_solution,
};

SOMAIF_PLUGIN_DEFINE (cmaes_vtable)
