/* hillclimb.c: an optimiser that climbs, per goal, from its best initial
 * state so far: each epoch it proposes that state again (the map, and so
 * its reward, keeps changing) and steps of normal noise around it, and moves
 * to the best of them. */
#include <math.h>
#include <string.h>
#include <somaif/plugin.h>

static const SomaifParamSpec hillclimb_params[] = {
  { "candidates", SOMAIF_PARAM_INT, "8", 2, 1024, 0, 0,
    "initial states proposed per epoch: the best so far and steps around it" },
  { "step", SOMAIF_PARAM_FLOAT, "0.1", 0.0, 1e3, 0, 0,
    "standard deviation of a step, per state dimension" },
  { "spread", SOMAIF_PARAM_FLOAT, "1.0", 0.0, 1e3, 0, 0,
    "standard deviation of the first state of every goal" },
  SOMAIF_PARAM_END
};

#define STATE_VERSION 1

typedef struct
{
  int goals, size, candidates;
  double step;
  SomaifRng rng;
  float *best;        /* goals x size */
  float *proposed;    /* candidates x size: the last proposal */
  int proposed_goal, proposed_n;
  char message[160];
} HillClimb;

static void *
hillclimb_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  if (setup->input_size < 1 || setup->goals < 1)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "needs states of at least one number and one goal, not %d and %d",
                   setup->input_size, setup->goals);
      return NULL;
    }
  HillClimb *self = g_new0 (HillClimb, 1);
  self->goals = setup->goals;
  self->size = setup->input_size;
  self->candidates = (int) somaif_params_get_int (params, "candidates");
  self->step = somaif_params_get_float (params, "step");
  double spread = somaif_params_get_float (params, "spread");
  somaif_rng_init (&self->rng, setup->seed);
  self->best = g_new (float, (gsize) self->goals * self->size);
  for (gsize i = 0; i < (gsize) self->goals * self->size; i++)
    self->best[i] = (float) (spread * somaif_rng_normal (&self->rng));
  self->proposed = g_new (float, (gsize) self->candidates * self->size);
  self->proposed_goal = -1;
  return self;
}

static void
hillclimb_destroy (void *data)
{
  HillClimb *self = data;
  g_free (self->best);
  g_free (self->proposed);
  g_free (self);
}

static const char *
hillclimb_error_message (const void *data)
{
  return ((const HillClimb *) data)->message;
}

static int
hillclimb_max_candidates (const void *data)
{
  return ((const HillClimb *) data)->candidates;
}

static int
hillclimb_propose (void *data, int goal, float *candidates, int *n)
{
  HillClimb *self = data;
  const float *best = self->best + (gsize) goal * self->size;
  for (int c = 0; c < self->candidates; c++)
    for (int i = 0; i < self->size; i++)
      self->proposed[(gsize) c * self->size + i] =
        best[i] + (c == 0 ? 0.0f : (float) (self->step * somaif_rng_normal (&self->rng)));
  memcpy (candidates, self->proposed, sizeof (float) * (gsize) self->candidates * self->size);
  *n = self->candidates;
  self->proposed_goal = goal;
  self->proposed_n = self->candidates;
  return 0;
}

/* rewards[c] is minus the free energy of candidate c: higher is better. */
static int
hillclimb_update (void *data, int goal, int n, const double *rewards)
{
  HillClimb *self = data;
  if (goal != self->proposed_goal || n != self->proposed_n)
    {
      g_snprintf (self->message, sizeof self->message,
                  "rewards for %d candidates of goal %d, but %d were proposed for goal %d", n,
                  goal, self->proposed_n, self->proposed_goal);
      return -1;
    }
  int top = 0;
  for (int c = 1; c < n; c++)
    if (rewards[c] > rewards[top])
      top = c;
  memcpy (self->best + (gsize) goal * self->size, self->proposed + (gsize) top * self->size,
          sizeof (float) * self->size);
  return 0;
}

static int
hillclimb_solution (const void *data, int goal, float *state)
{
  const HillClimb *self = data;
  memcpy (state, self->best + (gsize) goal * self->size, sizeof (float) * self->size);
  return 0;
}

/* The best states and the generator of steps: a resumed run repeats. */
static int
hillclimb_save_state (const void *data, GByteArray *out)
{
  const HillClimb *self = data;
  somaif_state_put_u32 (out, STATE_VERSION);
  somaif_state_put_u32 (out, (guint32) self->goals);
  somaif_state_put_u32 (out, (guint32) self->size);
  for (int i = 0; i < 4; i++)
    somaif_state_put_u64 (out, self->rng.s[i]);
  somaif_state_put_f64 (out, self->rng.spare);
  somaif_state_put_u32 (out, (guint32) self->rng.has_spare);
  somaif_state_put_f32s (out, self->best, (gsize) self->goals * self->size);
  return 0;
}

static int
hillclimb_load_state (void *data, const guint8 *bytes, gsize length)
{
  HillClimb *self = data;
  gsize n = (gsize) self->goals * self->size, want = 12 + 32 + 8 + 4 + 4 * n;
  const guint8 *p = bytes;
  if (length != want)
    {
      g_snprintf (self->message, sizeof self->message,
                  "a state of %" G_GSIZE_FORMAT " bytes, not %" G_GSIZE_FORMAT, length, want);
      return -1;
    }
  guint32 version = somaif_state_get_u32 (&p);
  guint32 goals = somaif_state_get_u32 (&p), size = somaif_state_get_u32 (&p);
  if (version != STATE_VERSION || goals != (guint32) self->goals || size != (guint32) self->size)
    {
      g_snprintf (self->message, sizeof self->message,
                  "a state of version %u for %u goals of %u numbers, not version %d for %d of %d",
                  version, goals, size, STATE_VERSION, self->goals, self->size);
      return -1;
    }
  for (int i = 0; i < 4; i++)
    self->rng.s[i] = somaif_state_get_u64 (&p);
  self->rng.spare = somaif_state_get_f64 (&p);
  self->rng.has_spare = (int) somaif_state_get_u32 (&p);
  somaif_state_get_f32s (&p, self->best, n);
  self->proposed_goal = -1;
  return 0;
}

static const SomaifOptimiser hillclimb_vtable = {
  .head = {
    .abi_major = SOMAIF_ABI_MAJOR,
    .abi_minor = SOMAIF_ABI_MINOR,
    .kind = SOMAIF_KIND_OPTIMISER,
    .name = "hillclimb",
    .description = "hill climbing per goal from its best initial state so far",
    .params = hillclimb_params,
    .create = hillclimb_create,
    .destroy = hillclimb_destroy,
    .error_message = hillclimb_error_message,
    .save_state = hillclimb_save_state,
    .load_state = hillclimb_load_state,
  },
  .max_candidates = hillclimb_max_candidates,
  .propose = hillclimb_propose,
  .update = hillclimb_update,
  .solution = hillclimb_solution,
};

SOMAIF_PLUGIN_DEFINE (hillclimb_vtable)
