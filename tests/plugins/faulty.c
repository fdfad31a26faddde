/* faulty.c: one plugin of each kind that breaks the host's contract in the
 * way its `fault` parameter picks (0: none), for the command-line tests of
 * the host's checks.  Built four times: FAULTY_KIND picks the kind, and the
 * file is named after it (faulty-gen, faulty-plant, faulty-perceiver,
 * faulty-optimiser). */
#include <math.h>
#include <string.h>

#include "somaif/plugin.h"

#if FAULTY_KIND == 1
#define FAULTY_NAME "faulty-gen"
#define FAULTY_DOC "1: a NaN motor command, 2: create() fails without saying why, " \
  "3: a NaN motor command for a state the optimiser marked (its fault 3), 4: a huge " \
  "finite one (1e30) for such a state"
#elif FAULTY_KIND == 2
#define FAULTY_NAME "faulty-plant"
#define FAULTY_DOC "1: an infinite point, 2: an infinite point where a motor command is " \
  "huge (1e29 or more: the generator's fault 4)"
#elif FAULTY_KIND == 4
#define FAULTY_NAME "faulty-perceiver"
#define FAULTY_DOC "1: distance -1 between units, 2: distance NaN, 3: distance 1 from a unit " \
  "to itself, 4: a NaN winner distance when learning, 5: the same when recognising"
#elif FAULTY_KIND == 5
#define FAULTY_NAME "faulty-optimiser"
#define FAULTY_DOC "1: a NaN candidate, 2: an infinite solution, 3: candidate 1 marked for " \
  "the generator's fault 3 in the proposal numbered `at` (from 0: the epoch's) and after"
#else
#error "FAULTY_KIND must be 1, 2, 4 or 5"
#endif

static const SomaifParamSpec params[] = {
  { "fault", SOMAIF_PARAM_INT, "0", 0, 5, 0, 0, FAULTY_DOC },
  { "units", SOMAIF_PARAM_INT, "4", 1, 64, 0, 0, "units (perceiver) or candidates (optimiser)" },
  { "at", SOMAIF_PARAM_INT, "0", 0, 1000000, 0, 0, "the first proposal fault 3 marks (optimiser)" },
  SOMAIF_PARAM_END
};

/* The first state value of a candidate the optimiser marks (finite: the
 * host takes it), which the generator turns into a NaN. */
#define FAULTY_MARK 1e30f

typedef struct
{
  int fault, units, size, at;
  int proposals; /* optimiser: proposals so far, one an epoch, in order */
  float *protos; /* perceiver: units x size */
} Faulty;

static void *
faulty_create (const SomaifSetup *setup, const SomaifParams *p, GError **error)
{
  if (FAULTY_KIND == 1 && somaif_params_get_int (p, "fault") == 2)
    return NULL; /* the mistake: no GError */
  Faulty *f = g_new0 (Faulty, 1);
  f->fault = (int) somaif_params_get_int (p, "fault");
  f->units = (int) somaif_params_get_int (p, "units");
  f->at = (int) somaif_params_get_int (p, "at");
  f->size = setup->input_size;
  if (FAULTY_KIND == 4)
    {
      f->protos = g_new (float, (gsize) f->units * f->size);
      for (gsize i = 0; i < (gsize) f->units * f->size; i++)
        f->protos[i] = (float) (i % 7) / 7.0f;
    }
  return f;
}

static void
faulty_destroy (void *self)
{
  Faulty *f = self;
  g_free (f->protos);
  g_free (f);
}

#define HEAD(KIND)                                                            \
  .abi_major = SOMAIF_ABI_MAJOR, .abi_minor = SOMAIF_ABI_MINOR, .kind = (KIND), \
  .name = FAULTY_NAME, .description = "breaks the host's contract on purpose",  \
  .params = params, .create = faulty_create, .destroy = faulty_destroy

#if FAULTY_KIND == 1
static int gen_state_size (const void *self) { return 3; }
static int gen_output_size (const void *self) { return 2; }

static int
gen_run (const void *self, int batch, const float *states, int steps, float *out)
{
  const Faulty *f = self;
  for (int b = 0; b < batch; b++)
    for (int t = 0; t < steps; t++)
      for (int k = 0; k < 2; k++)
        out[((gsize) b * steps + t) * 2 + k] = tanhf (states[b * 3 + k] + 0.1f * t);
  if (f->fault == 1)
    out[(gsize) batch * steps * 2 - 1] = NAN;
  if (f->fault == 3 || f->fault == 4)
    for (int b = 0; b < batch; b++)
      if (states[b * 3] == FAULTY_MARK)
        out[(gsize) b * steps * 2] = f->fault == 3 ? NAN : FAULTY_MARK;
  return 0;
}

static const SomaifGenerator vtable = {
  .head = { HEAD (SOMAIF_KIND_GENERATOR) },
  .state_size = gen_state_size, .output_size = gen_output_size, .run = gen_run,
};
#elif FAULTY_KIND == 2
static int plant_input_size (const void *self) { return 2; }
static int plant_point_size (const void *self) { return 2; }
static int plant_n_points (const void *self, int steps) { return steps + 1; }

static int
plant_run (const void *self, int steps, const float *motor, double *points)
{
  const Faulty *f = self;
  points[0] = points[1] = 0.0;
  for (int t = 0; t < steps; t++)
    for (int k = 0; k < 2; k++)
      points[2 * (t + 1) + k] = points[2 * t + k] + 0.1 * motor[2 * t + k];
  if (f->fault == 1)
    points[3] = INFINITY;
  if (f->fault == 2)
    for (int t = 0; t < steps; t++)
      if (fabsf (motor[2 * t]) >= 1e29f)
        points[2 * (t + 1)] = INFINITY;
  return 0;
}

static const SomaifPlant vtable = {
  .head = { HEAD (SOMAIF_KIND_PLANT) },
  .input_size = plant_input_size, .point_size = plant_point_size,
  .n_points = plant_n_points, .run = plant_run,
};
#elif FAULTY_KIND == 4
static int per_n_units (const void *self) { return ((const Faulty *) self)->units; }

static void
per_layout (const void *self, int *rows, int *cols)
{
  *rows = 1;
  *cols = ((const Faulty *) self)->units;
}

static double
per_distance (const void *self, int u, int v)
{
  const Faulty *f = self;
  if (u == v)
    return f->fault == 3 ? 1.0 : 0.0;
  return f->fault == 1 ? -1.0 : f->fault == 2 ? NAN : 1.0;
}

static int
per_prototype (const void *self, int unit, float *out)
{
  const Faulty *f = self;
  memcpy (out, f->protos + (gsize) unit * f->size, sizeof (float) * f->size);
  return 0;
}

/* Unit 0 always wins; its squared distance, or NaN when fault says so. */
static int
per_winner (const Faulty *f, const float *input, int *winner, double *distance, int fault)
{
  *winner = 0;
  *distance = 0.0;
  for (int i = 0; i < f->size; i++)
    *distance += (input[i] - f->protos[i]) * (input[i] - f->protos[i]);
  if (f->fault == fault)
    *distance = NAN;
  return 0;
}

static int
per_recognise (const void *self, const float *input, int *winner, double *distance)
{
  return per_winner (self, input, winner, distance, 5);
}

static int
per_learn (void *self, const float *input, int *winner, double *distance)
{
  return per_winner (self, input, winner, distance, 4);
}

static const SomaifPerceiver vtable = {
  .head = { HEAD (SOMAIF_KIND_PERCEIVER) },
  .n_units = per_n_units, .layout = per_layout, .distance = per_distance,
  .prototype = per_prototype, .recognise = per_recognise, .learn = per_learn,
};
#else
static int opt_max_candidates (const void *self) { return ((const Faulty *) self)->units; }

static int
opt_propose (void *self, int goal, float *candidates, int *n)
{
  Faulty *f = self;
  *n = f->units;
  for (gsize i = 0; i < (gsize) f->units * f->size; i++)
    candidates[i] = (float) ((i * 37 + (gsize) goal) % 11) / 11.0f - 0.5f;
  if (f->fault == 1)
    candidates[f->size - 1] = NAN;
  if (f->fault == 3 && f->proposals >= f->at && f->units > 1)
    candidates[f->size] = FAULTY_MARK;
  f->proposals++;
  return 0;
}

static int
opt_update (void *self, int goal, int n, const double *rewards)
{
  return 0;
}

static int
opt_solution (const void *self, int goal, float *state)
{
  const Faulty *f = self;
  for (int i = 0; i < f->size; i++)
    state[i] = 0.25f;
  if (f->fault == 2)
    state[0] = INFINITY;
  return 0;
}

/* Proposing never depends on the updates (there are none), so the host may
 * propose an epoch ahead: its proposals still come one an epoch, in order. */
static const SomaifOptimiser vtable = {
  .head = { HEAD (SOMAIF_KIND_OPTIMISER) },
  .max_candidates = opt_max_candidates, .propose = opt_propose, .update = opt_update,
  .solution = opt_solution, .flags = SOMAIF_OPTIMISER_PROPOSES_AHEAD,
};
#endif

SOMAIF_PLUGIN_DEFINE (vtable)
