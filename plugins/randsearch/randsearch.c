/* randsearch.c: the seed's random search as a somaif optimiser (the vtable glue). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "randsearch-core.h"
#include "somaif/plugin.h"

/* Indices into randsearch_params (set_param() receives them). */
enum
{
  RANDSEARCH_DIRECTIONS,
  RANDSEARCH_SIGMA,
  RANDSEARCH_STEP
};

static const SomaifParamSpec randsearch_params[] = {
  { "directions", SOMAIF_PARAM_INT, "5", 1, 100000, 0, 0,
    "random directions a goal and epoch; each gives two candidates (minus, then plus)" },
  { "sigma", SOMAIF_PARAM_FLOAT, "0.01", 1e-12, 1e6, 0, SOMAIF_PARAM_SCHEDULABLE,
    "standard deviation of the search directions (the notebook's search_std, > 0)" },
  { "step", SOMAIF_PARAM_FLOAT, "1e-5", 0, 1e6, 0, SOMAIF_PARAM_SCHEDULABLE,
    "base step of the update; its alpha is step / sigma, or see step_scaling" },
  { "step_scaling", SOMAIF_PARAM_STRING, "\"sigma\"", 1, 0, 0, 0,
    "\"sigma\": alpha = step / sigma (the notebook); \"fixed\": alpha = step (the paper's "
    "lambda)" },
  SOMAIF_PARAM_END
};

#define STATE_VERSION 1

typedef struct
{
  int d;          /* state dimension */
  int g;          /* goals */
  int k;          /* directions */
  double sigma, step;
  gboolean fixed_step; /* alpha = step, not step / sigma */
  float *w;       /* g x d: goal after goal */
  /* Two proposals may wait for their rewards (the host proposes for the next
     goal before learning from this one: SOMAIF_OPTIMISER_PROPOSES_AHEAD):
     each keeps its directions, its goal and the alpha in force when it was
     made. */
  float *slot_deltas[2]; /* k x d each */
  int slot_goal[2];      /* -1: learned from (or never made) */
  double slot_alpha[2];
  int last;              /* the slot of the last proposal */
  SomaifRng rng;
  char message[256];
} Randsearch;

/* The alpha of the next update: the notebook's base / search_std. */
static double
randsearch_effective_alpha (const Randsearch *self)
{
  return self->fixed_step ? self->step : somaif_randsearch_alpha (self->step, self->sigma);
}

static void
randsearch_destroy (void *p)
{
  Randsearch *self = p;
  if (!self)
    return;
  g_free (self->w);
  g_free (self->slot_deltas[0]);
  g_free (self->slot_deltas[1]);
  g_free (self);
}

static void *
randsearch_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  gint64 k = somaif_params_get_int (params, "directions");
  double sigma = somaif_params_get_float (params, "sigma");
  double step = somaif_params_get_float (params, "step");
  const char *scaling = somaif_params_get_string (params, "step_scaling");

  if (setup->input_size < 1 || setup->goals < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "states of %d numbers for %d goals: both must be at least 1",
                   setup->input_size, setup->goals);
      return NULL;
    }
  if (k < 1 || k > 100000)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "directions = %" G_GINT64_FORMAT ": it must lie in [1, 100000]", k);
      return NULL;
    }
  if (!(sigma > 0.0) || !isfinite (sigma))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "sigma = %g: it must be a positive number", sigma);
      return NULL;
    }
  if (!(step >= 0.0) || !isfinite (step))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "step = %g: it must be a number >= 0", step);
      return NULL;
    }

  if (!scaling || (strcmp (scaling, "sigma") != 0 && strcmp (scaling, "fixed") != 0))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "step_scaling = \"%s\": it must be \"sigma\" or \"fixed\"",
                   scaling ? scaling : "(none)");
      return NULL;
    }

  Randsearch *self = g_new0 (Randsearch, 1);
  self->fixed_step = strcmp (scaling, "fixed") == 0;
  self->d = setup->input_size;
  self->g = setup->goals;
  self->k = (int) k;
  self->sigma = sigma;
  self->step = step;
  self->slot_goal[0] = self->slot_goal[1] = -1;
  /* The notebook's weights start at zero. */
  self->w = g_try_new0 (float, (gsize) self->g * self->d);
  self->slot_deltas[0] = g_try_new0 (float, (gsize) self->k * self->d);
  self->slot_deltas[1] = g_try_new0 (float, (gsize) self->k * self->d);
  if (!self->w || !self->slot_deltas[0] || !self->slot_deltas[1])
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "not enough memory for %d goals and %d directions of %d numbers",
                   self->g, self->k, self->d);
      randsearch_destroy (self);
      return NULL;
    }
  somaif_rng_init (&self->rng, setup->seed);
  return self;
}

static int
randsearch_set_param (void *p, int index, double value)
{
  Randsearch *self = p;
  self->message[0] = '\0';
  switch (index)
    {
    case RANDSEARCH_SIGMA:
      if (!(value > 0.0) || !isfinite (value))
        {
          g_snprintf (self->message, sizeof self->message,
                      "sigma = %g: it must be a positive number", value);
          return -1;
        }
      self->sigma = value;
      return 0;
    case RANDSEARCH_STEP:
      if (!(value >= 0.0) || !isfinite (value))
        {
          g_snprintf (self->message, sizeof self->message,
                      "step = %g: it must be a number >= 0", value);
          return -1;
        }
      self->step = value;
      return 0;
    default:
      g_snprintf (self->message, sizeof self->message,
                  "parameter %d is not schedulable (sigma and step are)", index);
      return -1;
    }
}

static const char *
randsearch_error_message (const void *p)
{
  const Randsearch *self = p;
  /* solution() is the only method that cannot write a message (it is const). */
  return self->message[0] ? self->message : "a goal out of range or a NULL array";
}

/* ------------------------------------------------------------------ */
/* State: version u8, d g k u32, sigma step f64, proposed i32, the RNG
 * (4 u64, spare f64, has_spare u32), w (g x d f32), deltas (k x d f32); all
 * little-endian. */

#define HEADER_SIZE (1 + 3 * 4 + 2 * 8 + 4 + 4 * 8 + 8 + 4)

static int
randsearch_save_state (const void *p, GByteArray *out)
{
  const Randsearch *self = p;
  guint8 version = STATE_VERSION;
  g_byte_array_append (out, &version, 1);
  somaif_state_put_u32 (out, (guint32) self->d);
  somaif_state_put_u32 (out, (guint32) self->g);
  somaif_state_put_u32 (out, (guint32) self->k);
  somaif_state_put_f64 (out, self->sigma);
  somaif_state_put_f64 (out, self->step);
  /* the last proposal, as one slot (the host saves between epochs, when no
     other waits) */
  somaif_state_put_u32 (out, (guint32) self->slot_goal[self->last]);
  for (int i = 0; i < 4; i++)
    somaif_state_put_u64 (out, self->rng.s[i]);
  somaif_state_put_f64 (out, self->rng.spare);
  somaif_state_put_u32 (out, (guint32) self->rng.has_spare);
  somaif_state_put_f32s (out, self->w, (gsize) self->g * self->d);
  somaif_state_put_f32s (out, self->slot_deltas[self->last], (gsize) self->k * self->d);
  return 0;
}

static int
randsearch_load_state (void *p, const guint8 *data, gsize length)
{
  Randsearch *self = p;
  self->message[0] = '\0';
  gsize expected = HEADER_SIZE + 4 * ((gsize) self->g * self->d + (gsize) self->k * self->d);
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
  guint32 d = somaif_state_get_u32 (&q), g = somaif_state_get_u32 (&q), k = somaif_state_get_u32 (&q);
  if (d != (guint32) self->d || g != (guint32) self->g || k != (guint32) self->k)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state of %u goals, %u directions, states of %u numbers; this instance has "
                  "%d, %d, %d", g, k, d, self->g, self->k, self->d);
      return -1;
    }
  if (length != expected)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state of %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT, length,
                  expected);
      return -1;
    }
  double sigma = somaif_state_get_f64 (&q), step = somaif_state_get_f64 (&q);
  gint32 proposed = (gint32) somaif_state_get_u32 (&q);
  if (!(sigma > 0.0) || !isfinite (sigma) || !(step >= 0.0) || !isfinite (step)
      || proposed < -1 || proposed >= self->g)
    {
      g_snprintf (self->message, sizeof self->message,
                  "state with sigma %g, step %g, proposed goal %d", sigma, step,
                  (int) proposed);
      return -1;
    }
  self->sigma = sigma;
  self->step = step;
  self->last = 0;
  self->slot_goal[0] = proposed;
  self->slot_goal[1] = -1;
  for (int i = 0; i < 4; i++)
    self->rng.s[i] = somaif_state_get_u64 (&q);
  self->rng.spare = somaif_state_get_f64 (&q);
  self->rng.has_spare = (int) somaif_state_get_u32 (&q);
  somaif_state_get_f32s (&q, self->w, (gsize) self->g * self->d);
  somaif_state_get_f32s (&q, self->slot_deltas[0], (gsize) self->k * self->d);
  self->slot_alpha[0] = randsearch_effective_alpha (self);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Methods                                                             */

static int
randsearch_max_candidates (const void *p)
{
  const Randsearch *self = p;
  return 2 * self->k;
}

/* The goal a proposal waits for (the last one's first), or -1. */
static int
randsearch_waiting (const Randsearch *self)
{
  return self->slot_goal[self->last] >= 0 ? self->slot_goal[self->last]
                                          : self->slot_goal[1 - self->last];
}

static int
randsearch_propose (void *p, int goal, float *candidates, int *n)
{
  Randsearch *self = p;
  self->message[0] = '\0';
  if (goal < 0 || goal >= self->g || !candidates || !n)
    {
      g_snprintf (self->message, sizeof self->message,
                  "propose() for goal %d of %d (or a NULL array)", goal, self->g);
      return -1;
    }
  /* A new proposal for the same goal replaces its last one, as it always did. */
  int s = self->slot_goal[self->last] < 0 || self->slot_goal[self->last] == goal
            ? self->last : 1 - self->last;
  if (self->slot_goal[s] >= 0 && self->slot_goal[s] != goal)
    {
      g_snprintf (self->message, sizeof self->message,
                  "propose() for goal %d while goals %d and %d still wait for their rewards",
                  goal, self->slot_goal[0], self->slot_goal[1]);
      return -1;
    }
  somaif_randsearch_draw (&self->rng, self->d, self->k, self->sigma, self->slot_deltas[s]);
  somaif_randsearch_candidates (self->d, self->k, self->w + (gsize) goal * self->d,
                                self->slot_deltas[s], candidates);
  *n = 2 * self->k;
  self->slot_goal[s] = goal;
  self->slot_alpha[s] = randsearch_effective_alpha (self);
  self->last = s;
  return 0;
}

static int
randsearch_update (void *p, int goal, int n, const double *rewards)
{
  Randsearch *self = p;
  self->message[0] = '\0';
  int s = goal >= 0 && self->slot_goal[self->last] == goal ? self->last
          : goal >= 0 && self->slot_goal[1 - self->last] == goal ? 1 - self->last : -1;
  if (s < 0)
    {
      int waiting = randsearch_waiting (self);
      g_snprintf (self->message, sizeof self->message,
                  "update() for goal %d, but the candidates waiting for rewards are %s%d",
                  goal, waiting < 0 ? "none: " : "goal's ", waiting);
      return -1;
    }
  if (n != 2 * self->k || !rewards)
    {
      g_snprintf (self->message, sizeof self->message,
                  "update() given %d rewards for %d candidates", n, 2 * self->k);
      return -1;
    }
  for (int i = 0; i < n; i++)
    if (!isfinite (rewards[i]))
      {
        g_snprintf (self->message, sizeof self->message,
                    "reward %d of goal %d is %g: the update would spoil the weights", i, goal,
                    rewards[i]);
        return -1;
      }
  somaif_randsearch_update (self->d, self->k, self->w + (gsize) goal * self->d,
                            self->slot_deltas[s], rewards, self->slot_alpha[s]);
  self->slot_goal[s] = -1;
  return 0;
}

static int
randsearch_solution (const void *p, int goal, float *state)
{
  const Randsearch *self = p;
  if (goal < 0 || goal >= self->g || !state)
    return -1;
  memcpy (state, self->w + (gsize) goal * self->d, (gsize) self->d * sizeof (float));
  return 0;
}

static const SomaifOptimiser randsearch_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_OPTIMISER,
    .name = "randsearch",
    .description = "random search: finite differences along random directions, one goal at a time",
    .params = randsearch_params,
    .create = randsearch_create,
    .destroy = randsearch_destroy,
    .set_param = randsearch_set_param,
    .error_message = randsearch_error_message,
    .save_state = randsearch_save_state,
    .load_state = randsearch_load_state,
  },
  .max_candidates = randsearch_max_candidates,
  .propose = randsearch_propose,
  .update = randsearch_update,
  .solution = randsearch_solution,
  .flags = SOMAIF_OPTIMISER_PROPOSES_AHEAD,
};

SOMAIF_PLUGIN_DEFINE (randsearch_vtable)
