/* good-optimiser: a minimal valid optimiser for the core's tests: per goal,
 * candidates around the best state so far; the best rewarded one is kept. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "somaif/plugin.h"

#ifndef GOOD_OPTIMISER_STATELESS
#define GOOD_OPTIMISER_STATELESS 0
#endif

enum { P_CANDIDATES, P_SIGMA, P_VARYING };

static const SomaifParamSpec params[] = {
  [P_CANDIDATES] = { "candidates", SOMAIF_PARAM_INT, "2", 1, 64, 0, 0,
                     "candidates proposed per goal and epoch" },
  [P_SIGMA] = { "sigma", SOMAIF_PARAM_FLOAT, "0.5", 0, 10, 0, SOMAIF_PARAM_SCHEDULABLE,
                "standard deviation of the candidates around the best state" },
  [P_VARYING] = { "varying", SOMAIF_PARAM_BOOL, "false", 1, 0, 0, 0,
                  "propose 1 to candidates candidates, a random number each epoch" },
  SOMAIF_PARAM_END
};

#define STATE_VERSION 1

typedef struct
{
  int candidates, goals, size;
  gboolean varying;
  double sigma;
  SomaifRng rng;
  float *best;        /* goals x size */
  double *best_reward;/* goals */
  float *last;        /* candidates x size, as last proposed */
  int last_goal, last_n;
  char message[128];
} GoodOptimiser;

static void *
good_optimiser_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  if (setup->goals < 1 || setup->input_size < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "needs goals and a state size (got %d, %d)", setup->goals,
                   setup->input_size);
      return NULL;
    }
  GoodOptimiser *g = g_new0 (GoodOptimiser, 1);
  g->candidates = (int) somaif_params_get_int (p, "candidates");
  g->sigma = somaif_params_get_float (p, "sigma");
  g->varying = somaif_params_get_bool (p, "varying");
  g->goals = setup->goals;
  g->size = setup->input_size;
  somaif_rng_init (&g->rng, setup->seed);
  g->best = g_new0 (float, (gsize) g->goals * g->size);
  g->best_reward = g_new (double, g->goals);
  for (int i = 0; i < g->goals; i++)
    g->best_reward[i] = -INFINITY;
  g->last = g_new0 (float, (gsize) g->candidates * g->size);
  g->last_goal = -1;
  return g;
}

static void
good_optimiser_destroy (void *self)
{
  GoodOptimiser *g = self;
  g_free (g->best);
  g_free (g->best_reward);
  g_free (g->last);
  g_free (g);
}

static int
good_optimiser_set_param (void *self, int index, double value)
{
  GoodOptimiser *g = self;
  if (index != P_SIGMA)
    {
      snprintf (g->message, sizeof g->message, "parameter %d is not schedulable", index);
      return -1;
    }
  g->sigma = value;
  return 0;
}

static const char *
good_optimiser_error_message (const void *self)
{
  return ((const GoodOptimiser *) self)->message;
}

static int
good_optimiser_save_state (const void *self, GByteArray *out)
{
  const GoodOptimiser *g = self;
  guint8 version = STATE_VERSION;
  g_byte_array_append (out, &version, 1);
  g_byte_array_append (out, (const guint8 *) g->best,
                       (guint) (sizeof (float) * (gsize) g->goals * g->size));
  g_byte_array_append (out, (const guint8 *) g->best_reward,
                       (guint) (sizeof (double) * g->goals));
  g_byte_array_append (out, (const guint8 *) &g->rng, sizeof g->rng);
  return 0;
}

static int
good_optimiser_load_state (void *self, const guint8 *data, gsize length)
{
  GoodOptimiser *g = self;
  gsize nb = sizeof (float) * (gsize) g->goals * g->size;
  gsize nr = sizeof (double) * g->goals;
  if (length != 1 + nb + nr + sizeof g->rng || data[0] != STATE_VERSION)
    {
      snprintf (g->message, sizeof g->message, "a state of version %d and %zu bytes is "
                "needed", STATE_VERSION, 1 + nb + nr + sizeof g->rng);
      return -1;
    }
  memcpy (g->best, data + 1, nb);
  memcpy (g->best_reward, data + 1 + nb, nr);
  memcpy (&g->rng, data + 1 + nb + nr, sizeof g->rng);
  return 0;
}

static int
good_optimiser_max_candidates (const void *self)
{
  return ((const GoodOptimiser *) self)->candidates;
}

static int
good_optimiser_propose (void *self, int goal, float *candidates, int *n)
{
  GoodOptimiser *g = self;
  if (goal < 0 || goal >= g->goals)
    {
      snprintf (g->message, sizeof g->message, "no goal %d", goal);
      return -1;
    }
  const float *base = g->best + (gsize) goal * g->size;
  int count = g->varying ? 1 + (int) somaif_rng_below (&g->rng, (guint32) g->candidates)
                         : g->candidates;
  for (int k = 0; k < count; k++)
    for (int i = 0; i < g->size; i++)
      g->last[k * g->size + i] = base[i] + (float) (g->sigma * somaif_rng_normal (&g->rng));
  memcpy (candidates, g->last, sizeof (float) * (gsize) count * g->size);
  g->last_goal = goal;
  g->last_n = count;
  *n = count;
  return 0;
}

static int
good_optimiser_update (void *self, int goal, int n, const double *rewards)
{
  GoodOptimiser *g = self;
  if (goal != g->last_goal || n != g->last_n)
    {
      snprintf (g->message, sizeof g->message, "update of goal %d (%d) does not follow its "
                "proposal", goal, n);
      return -1;
    }
  for (int k = 0; k < n; k++)
    if (rewards[k] > g->best_reward[goal])
      {
        g->best_reward[goal] = rewards[k];
        memcpy (g->best + (gsize) goal * g->size, g->last + (gsize) k * g->size,
                sizeof (float) * g->size);
      }
  return 0;
}

static int
good_optimiser_solution (const void *self, int goal, float *state)
{
  const GoodOptimiser *g = self;
  memcpy (state, g->best + (gsize) goal * g->size, sizeof (float) * g->size);
  return 0;
}

static const SomaifOptimiser vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_OPTIMISER,
    .name = "good-optimiser",
    .description = "test optimiser: keeps the best rewarded candidate per goal",
    .params = params,
    .create = good_optimiser_create,
    .destroy = good_optimiser_destroy,
    .set_param = good_optimiser_set_param,
    .error_message = good_optimiser_error_message,
    /* The build without them is the same plugin in another version, for
       --resume's check (tests/stateless/). */
    .save_state = GOOD_OPTIMISER_STATELESS ? NULL : good_optimiser_save_state,
    .load_state = GOOD_OPTIMISER_STATELESS ? NULL : good_optimiser_load_state,
  },
  .max_candidates = good_optimiser_max_candidates,
  .propose = good_optimiser_propose,
  .update = good_optimiser_update,
  .solution = good_optimiser_solution,
};

SOMAIF_PLUGIN_DEFINE (vtable)
