/* experiment.c: one run: the parts wired together and the epoch loop, as
 * docs/design.md describes them (the data flow of an epoch, where each job
 * lives).  The files it writes are rundir.c's, the checkpoint checkpoint.c's,
 * the pictures figures.c's. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "experiment.h"
#include "memlimit.h"
#include "checkpoint.h"
#include "figures.h"
#include "free-energy.h"
#include "pool.h"
#include "rundir.h"
#include "scan.h"
#include "fmt.h"
#include "machine.h"
#include "readfile.h"

G_DEFINE_QUARK (somaif-run-error-quark, somaif_run_error)

/* A part of the run: its config, its plugin's instance, its schedulable
 * parameters' last values. */
typedef SomaifCheckpointPart Part;

/* The buffers of one epoch's candidates. */
typedef struct
{
  float *states;      /* K x D */
  float *motor;       /* K x T x M */
  float *images;      /* K x pixels */
  double *points;     /* K x P x point_size */
  double *accuracy;   /* K */
  unsigned char *scored; /* K: accuracy[c] computed by c's task (Rollouts) */
} Batch;

/* Whether rollouts score their drawings against the goal image: not at all
 * (the final evaluation), once the caller has taken the image (rollouts
 * started ahead, whose goal image waits for the map's learning of the epoch
 * before), or from the start. */
enum { GOAL_NONE, GOAL_LATER, GOAL_READY };

/* The parts set_schedules sets, as bits of their kinds. */
#define KIND_BIT(kind) (1u << (kind))
#define ALL_PARTS (~0u)
#define ROLLOUT_PARTS                                                         \
  (KIND_BIT (SOMAIF_KIND_GENERATOR) | KIND_BIT (SOMAIF_KIND_PLANT)            \
   | KIND_BIT (SOMAIF_KIND_RENDERER))

/* A task's stage timings, alone in a cache line: tasks that run at once on
 * different threads do not write to one line. */
typedef union
{
  struct
  {
    gint64 ns[SOMAIF_STAGE_ACCURACY + 1]; /* summed over the run */
    gint64 last_generator;                /* a block's: its last call's */
  };
  char line[64];
} TaskTimes;
G_STATIC_ASSERT (sizeof (TaskTimes) == 64);

/* Rollouts running on the pool: tasks 0 .. blocks - 1 run the generator on
 * a block of candidates each, then the plant, renderer (and accuracy) of
 * the block's candidates one at a time; tasks blocks .. 2 blocks - 1 help:
 * each takes the candidates of finished blocks that are not taken yet, and
 * ends when there are none (so a thread never waits for another's block: it
 * goes on with the next epoch's rollouts if they are started).  A task
 * whose goal image is not there yet leaves the accuracy to the caller
 * (score_rest): no task ever waits for the caller's learning. */
typedef struct
{
  struct SomaifExperiment *x;
  Batch b;          /* the buffers they fill */
  atomic_int goal;  /* GOAL_*: set to GOAL_READY after the image (release) */
  int blocks;
  int *first;       /* block i: candidates first[i] .. first[i + 1] - 1 */
  atomic_int *done; /* block i: 0 running (or not begun), 1 done, -1 failed */
  atomic_int *taken; /* candidate c: its plant and renderer taken by a task */
  TaskTimes *times; /* task i's timings */
  gint64 started;   /* when this call began (see split_blocks) */
  /* The failure of a task, kept for the message (under fail_lock). */
  char *fail_message;
  gboolean fail_numeric; /* the failure is a NaN or an infinity */
  int fail_candidate;   /* the candidate it names */
} Rollouts;

/* A goal's terms of the free energy, kept with the image they come from. */
typedef struct
{
  float *image;       /* the goal image they were computed from */
  float *d;           /* its log(t / (1 - t)) */
  double sum_log_t;
  gboolean valid;
} GoalTerms;

/* The goal terms are kept per goal (GoalTerms) when they take at most this
 * much memory in all. */
#define GOAL_CACHE_BYTES (8u << 20)

struct SomaifExperiment
{
  SomaifConfig *cfg;
  /* The five parts by name, and as an array in SomaifKind order. */
  union
  {
    struct
    {
      Part generator, plant, renderer, perceiver, optimiser;
    };
    Part parts[SOMAIF_N_PARTS];
  };
  const SomaifGenerator *gen;
  const SomaifPlant *pla;
  const SomaifRenderer *ren;
  const SomaifPerceiver *per;
  const SomaifOptimiser *opt;

  int steps;          /* T */
  int state_size;     /* D */
  int motor_size;     /* M */
  int n_points;       /* P */
  int point_size;     /* 2 */
  int width, height;  /* image */
  int n_pixels;
  int units;          /* perceiver units = goals */
  int max_candidates; /* K */

  double *log_z;      /* per goal: log sum_u exp(-beta dist(u, g)) */
  SomaifRng rng;      /* the core's own stream: goal choice */
  SomaifPool *pool;

  /* Per-epoch buffers, indexed by candidate: two sets (the next epoch's
     rollouts may run in the other); cur, the current epoch's. */
  Batch batch[2];
  Batch *cur;
  gboolean ahead_ok;  /* the optimiser proposes ahead and there are workers */
  float *goal_image;
  float *goal_d;      /* log(t / (1 - t)) of the goal image's target t: in
                         goal_d_own or in the goal's GoalTerms */
  double goal_sum_log_t; /* sum of log t over the goal image */
  float *goal_d_own;
  GoalTerms *goal_terms; /* units, or NULL (see goal_cache_bytes) */
  float *goal_terms_block; /* their images and d's */
  /* Rollouts in each set of buffers; those started and not yet joined,
     oldest first (the next epoch's may start before this one's join). */
  Rollouts rolls[2];
  Rollouts *pending[2];
  int n_pending;
  /* For the sizes of the blocks (see split_blocks), averages over the calls
     so far: from a call's start to the caller's join, and the generator's
     time a candidate. */
  double late_ns, row_ns;
  gboolean rollouts_unscheduled; /* no scheduled value in the rollouts' parts */
  /* Stage timings: one row a task of each set's rollouts (a task runs on
     one thread at a time). */
  TaskTimes *task_times;
  int n_task_times;
  void *task_times_block; /* the allocation they are aligned in */
  gint64 stage_ns[SOMAIF_N_STAGES];

  /* Guards the Rollouts' failure records; not a GMutex: thread checkers
     see this one. */
  pthread_mutex_t fail_lock;
  guint64 memory_need; /* bytes the host allocates after the plugins' create() */
  char *command;      /* the command line, for run.json */
  volatile sig_atomic_t *stop; /* set by a signal handler: stop after this epoch */
  SomaifProgressFunc progress;
  gpointer progress_data;
  GArray *segments;   /* SomaifRunSegment: this run's, the last one going on */
  gint64 segment_start; /* monotonic, microseconds */
};

/* ------------------------------------------------------------------ */
/* Timing                                                              */

static gint64
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Adds the time since *t to *total and moves *t on to now. */
static void
lap (gint64 *total, gint64 *t)
{
  gint64 now = now_ns ();
  *total += now - *t;
  *t = now;
}

/* Does the run's output level keep this kind of file? */
static gboolean
keeps (const SomaifExperiment *x, SomaifRundirKeep what)
{
  return (somaif_rundir_level_keeps (x->cfg->output_level) & what) != 0;
}

/* ------------------------------------------------------------------ */
/* Wiring                                                              */

static guint64
derive_seed (guint64 seed, guint64 stream)
{
  /* splitmix64 of the pair: independent streams from one user seed. */
  guint64 z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

const SomaifConfig *
somaif_experiment_config (const SomaifExperiment *x)
{
  return x->cfg;
}

void
somaif_experiment_set_stop_flag (SomaifExperiment *x, volatile sig_atomic_t *flag)
{
  x->stop = flag;
}

void
somaif_experiment_set_progress (SomaifExperiment *x, SomaifProgressFunc func, gpointer data)
{
  x->progress = func;
  x->progress_data = data;
}

void
somaif_experiment_set_command (SomaifExperiment *x, const char *command)
{
  g_free (x->command);
  x->command = g_strdup (command);
}

void
somaif_experiment_free (SomaifExperiment *x)
{
  if (!x)
    return;
  for (int k = SOMAIF_N_PARTS - 1; k >= 0; k--)
    {
      if (x->parts[k].inst)
        x->cfg->parts[k].plugin->head->destroy (x->parts[k].inst);
      g_free (x->parts[k].values);
    }
  somaif_pool_free (x->pool);
  g_free (x->log_z);
  for (int i = 0; i < 2; i++)
    {
      g_free (x->batch[i].states);
      g_free (x->batch[i].motor);
      g_free (x->batch[i].points);
      g_free (x->batch[i].images);
      g_free (x->batch[i].accuracy);
      g_free (x->batch[i].scored);
    }
  for (int i = 0; i < 2; i++)
    {
      g_free (x->rolls[i].first);
      g_free (x->rolls[i].done);
      g_free (x->rolls[i].taken);
      g_free (x->rolls[i].fail_message);
    }
  g_free (x->task_times_block);
  g_free (x->goal_image);
  g_free (x->goal_d_own);
  g_free (x->goal_terms);
  g_free (x->goal_terms_block);
  g_free (x->command);
  if (x->segments)
    g_array_unref (x->segments);
  pthread_mutex_destroy (&x->fail_lock);
  somaif_config_free (x->cfg);
  g_free (x);
}

static gboolean
create_part (SomaifExperiment *x, SomaifKind kind, SomaifSetup *setup, GError **error)
{
  SomaifPart *part = &x->cfg->parts[kind - 1];
  setup->struct_size = sizeof (SomaifSetup);
  setup->seed = derive_seed ((guint64) x->cfg->seed, kind);
  setup->config_dir = x->cfg->dir;
  setup->steps = (int) x->cfg->steps;
  setup->epochs = (int) MIN (x->cfg->epochs, G_MAXINT);
  GError *err = NULL;
  void *inst = part->plugin->head->create (setup, part->params, &err);
  if (!inst)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: %s plugin '%s' could not start: %s", x->cfg->path, part->group,
                   part->plugin->head->name, err ? err->message
                   : "its create() returned no instance without setting its GError (a mistake "
                     "of the plugin)");
      g_clear_error (&err);
      return FALSE;
    }
  x->parts[kind - 1].inst = inst;
  return TRUE;
}

static gboolean
size_error (SomaifExperiment *x, GError **error, const char *what, SomaifKind a, int a_size,
            SomaifKind b, int b_size)
{
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
               "%s: %s: %s '%s' gives %d but %s '%s' takes %d", x->cfg->path, what,
               somaif_kind_name (a), x->cfg->parts[a - 1].plugin->head->name, a_size,
               somaif_kind_name (b), x->cfg->parts[b - 1].plugin->head->name, b_size);
  return FALSE;
}

/* Creates the parts in data-flow order, each told the size of its input. */
static gboolean
create_parts (SomaifExperiment *x, GError **error)
{
  SomaifSetup setup = { 0 };
  if (!create_part (x, SOMAIF_KIND_GENERATOR, &setup, error))
    return FALSE;
  x->state_size = x->gen->state_size (x->generator.inst);
  x->motor_size = x->gen->output_size (x->generator.inst);

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->motor_size;
  if (!create_part (x, SOMAIF_KIND_PLANT, &setup, error))
    return FALSE;
  int plant_in = x->pla->input_size (x->plant.inst);
  if (plant_in != x->motor_size)
    return size_error (x, error, "motor commands per step do not match",
                       SOMAIF_KIND_GENERATOR, x->motor_size, SOMAIF_KIND_PLANT, plant_in);
  x->point_size = x->pla->point_size (x->plant.inst);
  x->n_points = x->pla->n_points (x->plant.inst, x->steps);

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->point_size;
  if (!create_part (x, SOMAIF_KIND_RENDERER, &setup, error))
    return FALSE;
  x->width = x->ren->width (x->renderer.inst);
  x->height = x->ren->height (x->renderer.inst);
  x->n_pixels = x->width * x->height;

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->n_pixels;
  setup.input_width = x->width;
  setup.input_height = x->height;
  if (!create_part (x, SOMAIF_KIND_PERCEIVER, &setup, error))
    return FALSE;
  x->units = x->per->n_units (x->perceiver.inst);

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->state_size;
  setup.goals = x->units;
  if (!create_part (x, SOMAIF_KIND_OPTIMISER, &setup, error))
    return FALSE;
  x->max_candidates = x->opt->max_candidates (x->optimiser.inst);
  return TRUE;
}

static gboolean
check_sizes (SomaifExperiment *x, GError **error)
{
  if (x->state_size < 1 || x->motor_size < 1 || x->point_size < 1 || x->n_points < 1
      || x->width < 1 || x->height < 1 || x->units < 1 || x->max_candidates < 1)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: a plugin reported an empty size (state %d, motor %d, points %d x %d, "
                   "image %d x %d, units %d, candidates %d)", x->cfg->path, x->state_size,
                   x->motor_size, x->n_points, x->point_size, x->width, x->height, x->units,
                   x->max_candidates);
      return FALSE;
    }
  /* Renderers draw on paper: the plant must give 2-D points. */
  if (x->point_size != 2)
    return size_error (x, error, "point coordinates do not match", SOMAIF_KIND_PLANT,
                       x->point_size, SOMAIF_KIND_RENDERER, 2);
  return TRUE;
}

/* The complexity prior's normaliser, per goal (on a ring the same for all),
 * from every pair's map distance, each checked against distance()'s
 * contract: the run calls it again per rollout and trusts the same value. */
static gboolean
compute_log_z (SomaifExperiment *x, GError **error)
{
  x->log_z = g_new (double, x->units);
  double *d = g_new (double, x->units);
  for (int g = 0; g < x->units; g++)
    {
      for (int u = 0; u < x->units; u++)
        {
          d[u] = x->per->distance (x->perceiver.inst, u, g);
          if (!isfinite (d[u]) || d[u] < 0 || (u == g && d[u] != 0.0))
            {
              g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                           "%s: perceiver plugin '%s': distance (%d, %d) is %g, but a map "
                           "distance must be finite and >= 0, and 0 from a unit to itself",
                           x->cfg->path, x->per->head.name, u, g, d[u]);
              g_free (d);
              return FALSE;
            }
        }
      x->log_z[g] = somaif_log_partition (d, x->units, x->cfg->beta);
    }
  g_free (d);
  return TRUE;
}

static void tile_layout (const SomaifExperiment *x, int *rows, int *cols);

/* The memory the goals' terms take when kept, or 0 when they are not. */
static guint64
goal_cache_bytes (const SomaifExperiment *x)
{
  guint64 b = (guint64) x->units * (2 * (guint64) x->n_pixels * sizeof (float)
                                    + sizeof (GoalTerms));
  return b <= GOAL_CACHE_BYTES ? b : 0;
}

/* What the run will allocate besides what the plugins hold already: the
 * epoch's buffers, the final evaluation's, the pictures' and the threads'
 * stacks; refused up front when the limits it can see cannot hold it, and
 * when a picture of the prototypes cannot be drawn at all (which would
 * otherwise fail at the first snapshot, or after all training). */
static gboolean
check_memory (SomaifExperiment *x, int threads, GError **error)
{
  int rows, cols;
  tile_layout (x, &rows, &cols);
  GError *err = NULL;
  gint64 sheet = somaif_figure_tiles_bytes (x->units, rows, cols, x->width, x->height, &err);
  if (sheet < 0)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: the pictures of the prototypes (%d units of %d x %d pixels) cannot "
                   "be drawn: %s", x->cfg->path, x->units, x->width, x->height, err->message);
      g_error_free (err);
      return FALSE;
    }
  guint64 K = (guint64) x->max_candidates, U = (guint64) x->units, N = (guint64) x->n_pixels;
  guint64 rollout = 4 * (guint64) x->state_size + 4 * (guint64) x->steps * x->motor_size
                    + 8 * (guint64) x->n_points * x->point_size + 4 * N + 8 + 1;
  x->memory_need = 2 * K * rollout + 8 * N      /* two epochs' buffers, goal image */
                   + goal_cache_bytes (x)       /* the goals' terms */
                   + U * (rollout + 8 * N)      /* final rollouts, prototypes' copy */
                   + (guint64) sheet            /* one picture at a time */
                   /* every rollout's metrics row, kept for curves.csv (the array
                      grows by doubling) */
                   + 2 * (guint64) x->cfg->epochs * K * sizeof (SomaifMetricsRow)
                   /* the threads' stacks, and the snapshots' thread's */
                   + (guint64) (MAX (threads, 1) + (threads > 1)) * (8 << 20);
  g_autofree char *what = g_strdup_printf ("%s: this run", x->cfg->path);
  if (!somaif_memory_check (x->memory_need, what, &err))
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP, "%s", err->message);
      g_error_free (err);
      return FALSE;
    }
  return TRUE;
}

guint64
somaif_experiment_memory_need (const SomaifExperiment *x)
{
  return x->memory_need;
}

/* The current epoch's buffers: set i. */
static void
use_batch (SomaifExperiment *x, int i)
{
  x->cur = &x->batch[i];
}

/* The rollouts of the current buffers. */
static Rollouts *
cur_rollouts (SomaifExperiment *x)
{
  return &x->rolls[x->cur - x->batch];
}

static void
allocate_buffers (SomaifExperiment *x, int threads)
{
  gsize K = (gsize) x->max_candidates;
  for (int i = 0; i < 2; i++)
    {
      Batch *b = &x->batch[i];
      b->states = g_new0 (float, K * x->state_size);
      b->motor = g_new0 (float, K * x->steps * x->motor_size);
      b->points = g_new0 (double, K * x->n_points * x->point_size);
      b->images = g_new0 (float, K * x->n_pixels);
      b->accuracy = g_new0 (double, K);
      b->scored = g_new0 (unsigned char, K);
    }
  use_batch (x, 0);
  for (int i = 0; i < 2; i++)
    {
      x->rolls[i].first = g_new0 (int, K + 1);
      x->rolls[i].done = g_new0 (atomic_int, K);
      x->rolls[i].taken = g_new0 (atomic_int, K);
    }
  x->goal_image = g_new0 (float, x->n_pixels);
  x->goal_d_own = g_new0 (float, x->n_pixels);
  x->goal_d = x->goal_d_own;
  if (goal_cache_bytes (x) > 0)
    {
      gsize n = (gsize) x->n_pixels;
      x->goal_terms = g_new0 (GoalTerms, x->units);
      x->goal_terms_block = g_new (float, 2 * n * (gsize) x->units);
      for (int g = 0; g < x->units; g++)
        {
          x->goal_terms[g].image = x->goal_terms_block + 2 * n * (gsize) g;
          x->goal_terms[g].d = x->goal_terms[g].image + n;
        }
    }
  x->pool = somaif_pool_new (threads);
  /* An optimiser built before ABI 1.2 has no flags field. */
  x->ahead_ok = somaif_pool_threads (x->pool) > 1 && x->opt->head.abi_minor >= 2
                && (x->opt->flags & SOMAIF_OPTIMISER_PROPOSES_AHEAD);
  /* a row a task of each set's rollouts (at most two a candidate: a block
     and a helper), and one for the help of the thread that joins */
  x->n_task_times = 2 * (2 * (int) MAX (K, 1) + 1);
  x->task_times_block = g_malloc0 (sizeof (TaskTimes) * (gsize) x->n_task_times + 63);
  x->task_times = (TaskTimes *) (((guintptr) x->task_times_block + 63) & ~(guintptr) 63);
  for (int i = 0; i < 2; i++)
    x->rolls[i].times = x->task_times + (gsize) i * x->n_task_times / 2;
  /* The next epoch's rollouts may start while this one's run only if no
     scheduled value of theirs changes in between (a value given as a
     number is a constant schedule). */
  x->rollouts_unscheduled = TRUE;
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      if (!(ROLLOUT_PARTS & KIND_BIT (x->parts[k].part->kind)))
        continue;
      for (int i = 0; i < x->parts[k].part->params->n; i++)
        if (x->parts[k].part->schedules[i]
            && !somaif_schedule_is_constant (x->parts[k].part->schedules[i]))
          x->rollouts_unscheduled = FALSE;
    }
}

SomaifExperiment *
somaif_experiment_new (SomaifConfig *cfg, int threads, GError **error)
{
  if (!somaif_simd_check_env (error))
    {
      somaif_config_free (cfg);
      return NULL;
    }
  SomaifExperiment *x = g_new0 (SomaifExperiment, 1);
  pthread_mutex_init (&x->fail_lock, NULL);
  x->cfg = cfg;
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      int n = cfg->parts[k].params->n;
      x->parts[k].part = &cfg->parts[k];
      x->parts[k].values = g_new (double, n ? n : 1);
      for (int i = 0; i < n; i++)
        x->parts[k].values[i] = cfg->parts[k].params->values[i].f;
    }
  x->gen = (const SomaifGenerator *) cfg->parts[SOMAIF_KIND_GENERATOR - 1].plugin->head;
  x->pla = (const SomaifPlant *) cfg->parts[SOMAIF_KIND_PLANT - 1].plugin->head;
  x->ren = (const SomaifRenderer *) cfg->parts[SOMAIF_KIND_RENDERER - 1].plugin->head;
  x->per = (const SomaifPerceiver *) cfg->parts[SOMAIF_KIND_PERCEIVER - 1].plugin->head;
  x->opt = (const SomaifOptimiser *) cfg->parts[SOMAIF_KIND_OPTIMISER - 1].plugin->head;
  x->steps = (int) cfg->steps;
  if (!create_parts (x, error) || !check_sizes (x, error) || !compute_log_z (x, error)
      || !check_memory (x, threads, error))
    {
      somaif_experiment_free (x);
      return NULL;
    }
  somaif_rng_init (&x->rng, derive_seed ((guint64) cfg->seed, 0));
  allocate_buffers (x, threads);
  return x;
}

/* ------------------------------------------------------------------ */
/* The free energy                                                     */

/* The goal terms of x->goal_image, goal's prototype: those computed before
 * when the image is the one they came from, bit for bit (a map that has
 * stopped learning gives the same images again), else computed (and kept,
 * within GOAL_CACHE_BYTES). */
static void
prepare_goal (SomaifExperiment *x, int goal)
{
  gsize bytes = (gsize) x->n_pixels * sizeof (float);
  if (!x->goal_terms)
    {
      x->goal_d = x->goal_d_own;
      x->goal_sum_log_t = somaif_goal_terms (x->goal_image, x->n_pixels, x->goal_d);
      return;
    }
  GoalTerms *c = &x->goal_terms[goal];
  x->goal_d = c->d;
  if (!(c->valid && memcmp (c->image, x->goal_image, bytes) == 0))
    {
      memcpy (c->image, x->goal_image, bytes);
      c->sum_log_t = somaif_goal_terms (x->goal_image, x->n_pixels, c->d);
      c->valid = TRUE;
    }
  x->goal_sum_log_t = c->sum_log_t;
}

static double
cross_entropy (const SomaifExperiment *x, const float *image)
{
  return somaif_cross_entropy (image, x->goal_d, x->goal_sum_log_t, x->n_pixels);
}

static double
complexity (const SomaifExperiment *x, int winner, int goal)
{
  return somaif_complexity (x->cfg->beta, x->per->distance (x->perceiver.inst, winner, goal),
                            x->log_z[goal]);
}

/* v as metrics.csv holds it (10 digits): a resumed run reads the rows back, so
   the curves of both must start from the same numbers. */
static double
as_written (double v)
{
  char buf[SOMAIF_FMT_G10_SIZE];
  double back;
  somaif_fmt_g10 (buf, v, &back);
  return back;
}

/* ------------------------------------------------------------------ */
/* Rollouts: generator -> plant -> renderer, independent per candidate  */


/* Keeps the failure of the lowest candidate (tasks end in any order; the
 * message must not depend on it): a method's (stage is its name), or a
 * non-finite output (nonfinite says what it was). */
static void
task_fail (Rollouts *r, const char *stage, SomaifKind kind, int candidate,
           const char *nonfinite)
{
  SomaifExperiment *x = r->x;
  const Part *p = &x->parts[kind - 1];
  /* Read on this thread, before another call into the plugin. */
  const char *why = nonfinite ? NULL : somaif_part_message (p->part, p->inst);
  pthread_mutex_lock (&x->fail_lock);
  if (!r->fail_message || candidate < r->fail_candidate)
    {
      g_free (r->fail_message);
      if (nonfinite)
        r->fail_message = g_strdup_printf ("%s plugin '%s' %s (candidate %d)", p->part->group,
                                           p->part->plugin->head->name, nonfinite, candidate);
      else
        r->fail_message = g_strdup_printf ("%s plugin '%s' failed in %s (candidate %d): %s",
                                           p->part->group, p->part->plugin->head->name, stage,
                                           candidate, why);
      r->fail_candidate = candidate;
      r->fail_numeric = nonfinite != NULL;
    }
  pthread_mutex_unlock (&x->fail_lock);
}

/* The first of n candidates from first whose motor commands are not all
 * finite, or -1. */
static int
nonfinite_motor (const SomaifExperiment *x, const Batch *b, int first, int n)
{
  gsize row = (gsize) x->steps * x->motor_size;
  for (int c = first; c < first + n; c++)
    if (!somaif_all_finite_f32 (b->motor + (gsize) c * row, row))
      return c;
  return -1;
}

/* Plant, renderer and accuracy of candidate c. */
static gboolean
rollout_one (Rollouts *r, int c, gboolean score, gint64 *ns, gint64 *t)
{
  SomaifExperiment *x = r->x;
  const Batch *b = &r->b;
  double *pts = b->points + (gsize) c * x->n_points * x->point_size;
  float *img = b->images + (gsize) c * x->n_pixels;
  if (x->pla->run (x->plant.inst, x->steps, b->motor + (gsize) c * x->steps * x->motor_size,
                   pts) != 0)
    {
      task_fail (r, "run", SOMAIF_KIND_PLANT, c, NULL);
      return FALSE;
    }
  if (!somaif_all_finite_f64 (pts, (gsize) x->n_points * x->point_size))
    {
      task_fail (r, "run", SOMAIF_KIND_PLANT, c, "gave a non-finite point");
      return FALSE;
    }
  lap (&ns[SOMAIF_STAGE_PLANT], t);
  if (x->ren->draw (x->renderer.inst, x->n_points, pts, img) != 0)
    {
      task_fail (r, "draw", SOMAIF_KIND_RENDERER, c, NULL);
      return FALSE;
    }
  if (!somaif_all_finite_f32_wide (img, (gsize) x->n_pixels))
    {
      task_fail (r, "draw", SOMAIF_KIND_RENDERER, c, "drew a non-finite pixel");
      return FALSE;
    }
  lap (&ns[SOMAIF_STAGE_RENDERER], t);
  if (score)
    b->accuracy[c] = cross_entropy (x, img);
  lap (&ns[SOMAIF_STAGE_ACCURACY], t);
  return TRUE;
}

/* Candidate c's plant, renderer and accuracy, its goal image there or not. */
static void
candidate_task (Rollouts *r, int c, gint64 *ns)
{
  gint64 t = now_ns ();
  gboolean score = atomic_load_explicit (&r->goal, memory_order_acquire) == GOAL_READY;
  r->b.scored[c] = (unsigned char) score;
  rollout_one (r, c, score, ns, &t);
}

/* A candidate of block i not taken yet, now taken; -1 if none. */
static int
take_candidate (Rollouts *r, int i)
{
  for (int c = r->first[i]; c < r->first[i + 1]; c++)
    if (!atomic_load_explicit (&r->taken[c], memory_order_relaxed)
        && !atomic_exchange_explicit (&r->taken[c], 1, memory_order_relaxed))
      return c;
  return -1;
}

/* The candidates of finished block i not taken yet, timed in ns; nonzero
 * if there was one. */
static int
draw_block (Rollouts *r, int i, gint64 *ns)
{
  int any = 0;
  for (int c = take_candidate (r, i); c >= 0; c = take_candidate (r, i))
    {
      candidate_task (r, c, ns);
      any = 1;
    }
  return any;
}

/* The same for every finished block. */
static int
help_with_candidates (Rollouts *r, gint64 *ns)
{
  int any = 0;
  for (int i = 0; i < r->blocks; i++)
    if (atomic_load_explicit (&r->done[i], memory_order_acquire) > 0)
      any |= draw_block (r, i, ns);
  return any;
}

/* The same on the thread that joins, while the others end their tasks;
 * timed in the row after the tasks'. */
static int
rollouts_help (void *data)
{
  Rollouts *r = data;
  return help_with_candidates (r, r->times[2 * r->blocks].ns);
}

/* The generator on a block of candidates, then their plant, renderer and
 * accuracy; or help with the candidates of finished blocks (see Rollouts). */
static void
rollout_task (void *data, int task)
{
  Rollouts *r = data;
  SomaifExperiment *x = r->x;
  const Batch *b = &r->b;
  gint64 *ns = r->times[task].ns;
  if (task >= r->blocks)
    {
      help_with_candidates (r, ns);
      return;
    }
  int first = r->first[task];
  int n = r->first[task + 1] - first; /* at least 1: see rollouts_start */
  int ok = 1;
  gint64 t = now_ns (), t0 = t;
  if (x->gen->run (x->generator.inst, n, b->states + (gsize) first * x->state_size, x->steps,
                   b->motor + (gsize) first * x->steps * x->motor_size) != 0)
    {
      task_fail (r, "run", SOMAIF_KIND_GENERATOR, first, NULL);
      ok = -1;
    }
  else
    {
      int bad = nonfinite_motor (x, b, first, n);
      if (bad >= 0)
        {
          task_fail (r, "run", SOMAIF_KIND_GENERATOR, bad, "gave a non-finite motor command");
          ok = -1;
        }
    }
  lap (&ns[SOMAIF_STAGE_GENERATOR], &t);
  r->times[task].last_generator = t - t0;
  atomic_store_explicit (&r->done[task], ok, memory_order_release);
  if (ok > 0)
    draw_block (r, task, ns);
}

/* Sets the workers on the rollouts of n candidates in the current buffers;
 * the calling thread joins in at rollouts_join, having done other work
 * meanwhile or not.  The generator runs in blocks of at least
 * MIN_BLOCK_ROWS candidates (its kernel is slower on fewer), one block a
 * thread at most; the plant and renderer a candidate at a time, taken by
 * whichever thread is free once its block is done, so that a thread that
 * comes late or ends early takes what is left.  A candidate's result does
 * not depend on its block or its thread.  n >= 1 (an epoch has a candidate
 * at least, the evaluation a goal), so no block is empty. */
#define MIN_BLOCK_ROWS 4

/* The candidates of each block.  The workers begin at once (or, started
 * behind the epoch before's rollouts, when those are joined), the caller
 * when it joins, often after work of its own (the learning of the epoch
 * before, when the rollouts were started ahead): the last block, which the
 * caller takes when it comes late, is made shorter by what its lateness
 * would leave the others waiting, so that the blocks end together
 * (l = n / B - late (B - 1) / (B row), at least MIN_BLOCK_ROWS, at most
 * an even share), from the averages of the calls so far.  Timing decides
 * only who computes which candidate, never what a candidate gets. */
static void
split_blocks (const SomaifExperiment *x, Rollouts *r, int n)
{
  int B = r->blocks, last = n - (int) ((gint64) n * (B - 1) / B);
  if (B > 1 && x->row_ns > 0.0)
    {
      double want = (double) n / B - x->late_ns * (B - 1) / (B * x->row_ns);
      if (want < last)
        last = MAX (MIN_BLOCK_ROWS, (int) lround (want));
      last = MIN (last, n - (int) ((gint64) n * (B - 1) / B));
    }
  r->first[0] = 0;
  for (int i = 1; i < B; i++)
    r->first[i] = (int) ((gint64) (n - last) * i / (B - 1));
  r->first[B] = n;
  for (int i = 0; i < B; i++)
    g_assert (r->first[i] < r->first[i + 1]);
}

/* Starts the rollouts of n candidates in the current buffers, after those
 * started and not joined yet (at most one: the epoch before's). */
static void
rollouts_start (SomaifExperiment *x, int n, int goal)
{
  g_assert (n >= 1);
  Rollouts *r = cur_rollouts (x);
  g_assert (x->n_pending < 2 && (x->n_pending == 0 || x->pending[0] != r));
  r->x = x;
  r->b = *x->cur;
  atomic_store_explicit (&r->goal, goal, memory_order_relaxed);
  r->blocks = CLAMP (n / MIN_BLOCK_ROWS, 1, somaif_pool_threads (x->pool));
  r->started = now_ns ();
  x->pending[x->n_pending++] = r;
  split_blocks (x, r, n);
  for (int i = 0; i < r->blocks; i++)
    {
      atomic_store_explicit (&r->done[i], 0, memory_order_relaxed);
      for (int c = r->first[i]; c < r->first[i + 1]; c++)
        atomic_store_explicit (&r->taken[c], 0, memory_order_relaxed);
    }
  somaif_pool_start (x->pool, 2 * r->blocks, rollout_task, r);
}

/* Joins the oldest rollouts started; FALSE with the failure of a task. */
static gboolean
rollouts_join (SomaifExperiment *x, GError **error)
{
  g_assert (x->n_pending > 0);
  Rollouts *r = x->pending[0];
  gint64 t = now_ns ();
  double late = (double) (t - r->started);
  somaif_pool_join_idle (x->pool, rollouts_help, r);
  lap (&x->stage_ns[SOMAIF_STAGE_ROLLOUTS], &t);
  x->pending[0] = x->pending[1];
  if (--x->n_pending > 0)
    {
      /* the workers begin the next ones now, not when they were started */
      x->pending[0]->started = t;
    }
  /* averages over about the last 16 calls */
  gint64 gen = 0;
  for (int i = 0; i < r->blocks; i++)
    gen += r->times[i].last_generator;
  double row = (double) gen / r->first[r->blocks];
  gboolean first_call = x->row_ns == 0.0;
  x->late_ns = first_call ? late : x->late_ns + (late - x->late_ns) / 16;
  x->row_ns = first_call ? row : x->row_ns + (row - x->row_ns) / 16;
  if (r->fail_message)
    {
      g_set_error (error, SOMAIF_RUN_ERROR,
                   r->fail_numeric ? SOMAIF_RUN_ERROR_NUMERIC : SOMAIF_RUN_ERROR_PLUGIN, "%s",
                   r->fail_message);
      g_clear_pointer (&r->fail_message, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Joins every rollout started (after a failure), their failures dropped. */
static void
rollouts_join_all (SomaifExperiment *x)
{
  while (x->n_pending > 0)
    rollouts_join (x, NULL);
}

/* The goal image of the current buffers' rollouts, started ahead, is
 * there: their tasks score from now on. */
static void
rollouts_goal_ready (SomaifExperiment *x)
{
  atomic_store_explicit (&cur_rollouts (x)->goal, GOAL_READY, memory_order_release);
}

static gboolean
run_rollouts (SomaifExperiment *x, int n, int goal, GError **error)
{
  rollouts_start (x, n, goal);
  return rollouts_join (x, error);
}

/* ------------------------------------------------------------------ */
/* Outputs                                                             */

typedef struct
{
  FILE *f;
  char *path;
} OutFile;

/* keep < 0: a new file; otherwise the file cut back to keep bytes (resume). */
static gboolean
out_open (OutFile *o, const char *dir, const char *name, gint64 keep, GError **error)
{
  o->path = g_build_filename (dir, name, NULL);
  GError *err = NULL;
  o->f = somaif_rundir_open (o->path, keep, &err);
  if (g_error_matches (err, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE))
    {
      /* A folder that does not match its checkpoint cannot be resumed. */
      err->domain = SOMAIF_RUN_ERROR;
      err->code = SOMAIF_RUN_ERROR_SETUP;
    }
  if (err)
    g_propagate_error (error, err);
  if (!o->f)
    g_clear_pointer (&o->path, g_free);
  return o->f != NULL;
}

static gboolean
out_close (OutFile *o, GError **error)
{
  gboolean ok = somaif_rundir_close (o->f, o->path, error);
  o->f = NULL;
  g_clear_pointer (&o->path, g_free);
  return ok;
}

static gboolean
wrap_output_error (GError **error, GError *err)
{
  if (err)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT, "%s", err->message);
      g_error_free (err);
      return FALSE;
    }
  return TRUE;
}

/* Tiles: a ring (1 x n) is folded into rows of 10, a grid keeps its shape. */
static void
tile_layout (const SomaifExperiment *x, int *rows, int *cols)
{
  int r = 1, c = x->units;
  x->per->layout (x->perceiver.inst, &r, &c);
  if (r <= 1 || r * c != x->units)
    {
      c = MIN (x->units, 10);
      r = (x->units + c - 1) / c;
    }
  *rows = r;
  *cols = c;
}

static float *
all_prototypes (const SomaifExperiment *x)
{
  float *protos = g_new (float, (gsize) x->units * x->n_pixels);
  for (int u = 0; u < x->units; u++)
    x->per->prototype (x->perceiver.inst, u, protos + (gsize) u * x->n_pixels);
  return protos;
}

/* An output written on a thread of its own while the epochs go on (a
 * snapshot's files, a checkpoint): its job, the job's write and free
 * functions, how the write went, and a flag the thread sets at its end. */
typedef struct
{
  gpointer job;
  gboolean (*write) (gpointer job, GError **error);
  void (*free) (gpointer job);
  GThread *thread;
  atomic_int done;
  GError *error;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  w->write (w->job, &w->error);
  atomic_store_explicit (&w->done, 1, memory_order_release);
  return NULL;
}

/* Writes job (and frees it): on a thread of its own, then in *pending,
 * when background and a thread can be had; otherwise now. */
static gboolean
writer_start (Writer **pending, gboolean background, const char *name, gpointer job,
              gboolean (*write) (gpointer job, GError **error), void (*free_job) (gpointer job),
              GError **error)
{
  if (background)
    {
      Writer *w = g_new0 (Writer, 1);
      *w = (Writer) { job, write, free_job, NULL, 0, NULL };
      w->thread = g_thread_try_new (name, writer_thread, w, NULL);
      if (w->thread)
        {
          *pending = w;
          return TRUE;
        }
      g_free (w);
    }
  gboolean ok = write (job, error);
  free_job (job);
  return ok;
}

/* Whether the write in *pending, if any, has ended (its thread joins at once). */
static gboolean
writer_ended (const Writer *pending)
{
  return pending && atomic_load_explicit (&pending->done, memory_order_acquire);
}

/* Waits for the write in *pending, if any (*pending, then NULL): its
 * failure is reported now, into error when that is not NULL. */
static gboolean
writer_join (Writer **pending, GError **error)
{
  Writer *w = *pending;
  if (!w)
    return TRUE;
  *pending = NULL;
  g_thread_join (w->thread);
  gboolean ok = w->error == NULL;
  if (!ok && error)
    g_propagate_error (error, g_steal_pointer (&w->error));
  g_clear_error (&w->error);
  w->free (w->job);
  g_free (w);
  return ok;
}

/* A sheet of the map's tiles: its units, each height x width, laid out in
 * rows x cols. */
typedef struct
{
  int units, height, width, rows, cols;
} Sheet;

static Sheet
sheet_of (const SomaifExperiment *x)
{
  Sheet sh = { x->units, x->height, x->width, 0, 0 };
  tile_layout (x, &sh.rows, &sh.cols);
  return sh;
}

/* The sheet of protos (and drawings, or NULL) in path; FALSE with error set
 * as a failed output. */
static gboolean
draw_sheet (const char *path, const char *title, const Sheet *sh, const float *protos,
            const float *drawings, GError **error)
{
  GError *err = NULL;
  return somaif_figure_tiles (path, title, sh->units, sh->rows, sh->cols, sh->width, sh->height,
                              protos, drawings, &err)
         || wrap_output_error (error, err);
}

/* Writes job now, or with more than one thread on a thread of its own, in
 * *pending (see writer_start()). */
static gboolean
write_behind (const SomaifExperiment *x, Writer **pending, const char *name, gpointer job,
              gboolean (*write) (gpointer job, GError **error), void (*free_job) (gpointer job),
              GError **error)
{
  return writer_start (pending, somaif_pool_threads (x->pool) > 1, name, job, write, free_job,
                       error);
}

/* A snapshot of the prototypes: what its files need. */
typedef struct
{
  char *snapdir;
  gint64 epochs_done;
  float *protos;      /* units x height x width */
  Sheet sheet;
} Snapshot;

/* The snapshot's files: snapshots/prototypes-NNNNNN.npy and .png. */
static gboolean
snapshot_write (gpointer job, GError **error)
{
  Snapshot *s = job;
  g_autofree char *name = g_strdup_printf ("prototypes-%06" G_GINT64_FORMAT, s->epochs_done);
  g_autofree char *npy = g_strdup_printf ("%s/%s.npy", s->snapdir, name);
  g_autofree char *png = g_strdup_printf ("%s/%s.png", s->snapdir, name);
  g_autofree char *title = g_strdup_printf ("Prototypes after %" G_GINT64_FORMAT " epochs",
                                            s->epochs_done);
  int shape[3] = { s->sheet.units, s->sheet.height, s->sheet.width };
  return somaif_rundir_write_npy_f32 (npy, s->protos, 3, shape, error)
         && draw_sheet (png, title, &s->sheet, s->protos, NULL, error);
}

static void
snapshot_free (gpointer job)
{
  Snapshot *s = job;
  g_free (s->snapdir);
  g_free (s->protos);
  g_free (s);
}

/* The map's prototypes after epochs_done epochs, copied now and written to
 * snapdir: on a thread of its own when the run has more than one (the
 * picture takes tens of milliseconds, while the epochs go on), joined before
 * the next snapshot or the end, or by the thread of a checkpoint due
 * meanwhile (see CheckpointJob); at once otherwise. */
static gboolean
take_snapshot (const SomaifExperiment *x, const char *snapdir, gint64 epochs_done,
               Writer **pending, GError **error)
{
  if (!writer_join (pending, error))
    return FALSE;
  Snapshot *s = g_new0 (Snapshot, 1);
  s->snapdir = g_strdup (snapdir);
  s->epochs_done = epochs_done;
  s->protos = all_prototypes (x);
  s->sheet = sheet_of (x);
  return write_behind (x, pending, "somaif-snapshot", s, snapshot_write, snapshot_free, error);
}

/* ------------------------------------------------------------------ */
/* Schedules                                                           */

typedef struct
{
  OutFile file;
  GArray *values;     /* double: this epoch's scheduled values */
} ScheduleLog;

static gboolean
schedules_open (SomaifExperiment *x, ScheduleLog *log, const char *outdir, gint64 keep,
                GError **error)
{
  if (!out_open (&log->file, outdir, "schedules.csv", keep, error))
    return FALSE;
  log->values = g_array_new (FALSE, FALSE, sizeof (double));
  if (keep >= 0)
    return TRUE;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      const SomaifPart *part = &x->cfg->parts[k];
      for (int i = 0; i < part->params->n; i++)
        if (part->schedules[i])
          g_ptr_array_add (names, g_strdup_printf ("%s.%s", part->group,
                                                   part->params->values[i].spec->name));
    }
  somaif_rundir_schedules_header (log->file.f, (const char *const *) names->pdata,
                                  (int) names->len);
  g_ptr_array_free (names, TRUE);
  return TRUE;
}

/* Sets epoch's scheduled values of the parts whose kinds' bits are in
 * kinds; *changed when one changed (or always, without a log). */
static gboolean
set_schedules (SomaifExperiment *x, gint64 epoch, unsigned kinds, gboolean logged,
               gboolean *changed, GError **error)
{
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      Part *p = &x->parts[k];
      if (!(kinds & KIND_BIT (p->part->kind)))
        continue;
      for (int i = 0; i < p->part->params->n; i++)
        {
          if (!p->part->schedules[i])
            continue;
          double v = somaif_schedule_eval (p->part->schedules[i], epoch, x->cfg->epochs);
          if (!logged || epoch == 0 || v != p->values[i])
            {
              *changed = TRUE;
              p->values[i] = v;
              if (!somaif_part_set_param (p->part, p->inst, i, v, error))
                {
                  g_prefix_error (error, "epoch %" G_GINT64_FORMAT ": ", epoch);
                  return FALSE;
                }
            }
        }
    }
  return TRUE;
}

/* Every scheduled value in force, for schedules.csv's next row. */
static void
collect_schedules (SomaifExperiment *x, ScheduleLog *log)
{
  g_array_set_size (log->values, 0);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    for (int i = 0; i < x->parts[k].part->params->n; i++)
      if (x->parts[k].part->schedules[i])
        g_array_append_val (log->values, x->parts[k].values[i]);
}

/* schedules.csv's row of epoch, of the values collected. */
static void
write_schedules (ScheduleLog *log, gint64 epoch)
{
  if (log->file.f)
    somaif_rundir_schedules_row (log->file.f, epoch, (const double *) (void *) log->values->data,
                                 (int) log->values->len);
}

/* schedules.csv's row of epoch: every scheduled value in force. */
static void
log_schedules (SomaifExperiment *x, gint64 epoch, ScheduleLog *log)
{
  collect_schedules (x, log);
  write_schedules (log, epoch);
}

/* Sets this epoch's scheduled values; a row in schedules.csv when one
 * changed (log NULL: set them, write nothing). */
static gboolean
apply_schedules (SomaifExperiment *x, gint64 epoch, ScheduleLog *log, GError **error)
{
  gboolean changed = epoch == 0;
  if (!set_schedules (x, epoch, ALL_PARTS, log != NULL, &changed, error))
    return FALSE;
  if (changed && log)
    log_schedules (x, epoch, log);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* One epoch: the rollouts, then the learning                          */

typedef struct
{
  OutFile metrics;
  ScheduleLog sched;
  GArray *rows;        /* SomaifMetricsRow: every rollout so far */
  double *rewards;     /* K */
  char *snapdir;
  gint64 every;        /* epochs between snapshots; 0: none */
  /* The next epoch, begun during this one's learning (see run_epoch). */
  gboolean ahead;      /* its candidates are proposed and their rollouts started */
  int next_goal;       /* its goal, drawn already; -1: not yet */
  int next_n;          /* its candidates (ahead, proposed) */
  gboolean next_changed; /* a scheduled value of its changed (ahead, proposed) */
  gboolean proposed;   /* its candidates are proposed, its rollouts not started */
  Writer *snapshot;    /* being written on its own thread; NULL: none */
  Writer *checkpoint;  /* the same for checkpoint.bin */
} Training;

typedef struct
{
  gint64 e;
  int goal;
  int n;               /* candidates proposed */
} Epoch;

static gboolean
method_failed (SomaifExperiment *x, GError **error, SomaifKind kind, const char *method,
               gint64 epoch, int goal)
{
  const Part *p = &x->parts[kind - 1];
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
               "epoch %" G_GINT64_FORMAT ", goal %d: %s plugin '%s' failed in %s: %s", epoch,
               goal, p->part->group, p->part->plugin->head->name, method,
               somaif_part_message (p->part, p->inst));
  return FALSE;
}

/* Refuses initial states (n rows) that are not all finite, naming the
 * optimiser's method: a NaN state would otherwise draw nothing and pass. */
static gboolean
check_states (SomaifExperiment *x, const float *states, int n, const char *what, gint64 epoch,
              int goal, GError **error)
{
  gsize row = (gsize) x->state_size;
  for (int c = 0; c < n; c++)
    if (!somaif_all_finite_f32 (states + (gsize) c * row, row))
      {
        g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_NUMERIC,
                     "epoch %" G_GINT64_FORMAT ", goal %d: optimiser plugin '%s' %s (candidate %d)",
                     epoch, goal, x->opt->head.name, what, c);
        return FALSE;
      }
  return TRUE;
}

/* Refuses a winner's squared distance that is not finite or is negative. */
static gboolean
check_winner (SomaifExperiment *x, double distance, const char *method, gint64 epoch, int goal,
              GError **error)
{
  if (isfinite (distance) && distance >= 0)
    return TRUE;
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_NUMERIC,
               "epoch %" G_GINT64_FORMAT ", goal %d: perceiver plugin '%s' gave a %s distance "
               "to its winner in %s (%g)", epoch, goal, x->per->head.name,
               isfinite (distance) ? "negative" : "non-finite", method, distance);
  return FALSE;
}

/* Names the first stage whose output is not finite, for a NaN's message. */
static const char *
nan_stage (const SomaifExperiment *x, int c)
{
  const float *m = x->cur->motor + (gsize) c * x->steps * x->motor_size;
  for (gsize i = 0; i < (gsize) x->steps * x->motor_size; i++)
    if (!isfinite (m[i]))
      return "the generator's motor commands";
  const double *p = x->cur->points + (gsize) c * x->n_points * x->point_size;
  for (gsize i = 0; i < (gsize) x->n_points * x->point_size; i++)
    if (!isfinite (p[i]))
      return "the plant's points";
  const float *img = x->cur->images + (gsize) c * x->n_pixels;
  for (int i = 0; i < x->n_pixels; i++)
    if (!isfinite (img[i]))
      return "the renderer's image";
  for (int i = 0; i < x->n_pixels; i++)
    if (!isfinite (x->goal_image[i]))
      return "the goal prototype";
  return "the perceiver's map distance or the free energy";
}

/* The next goal, from the core's own stream. */
static int
draw_goal (SomaifExperiment *x)
{
  return (int) somaif_rng_below (&x->rng, (guint32) x->units);
}

/* The goal's image, a copy (the map keeps learning), and its terms. */
static void
take_goal_image (SomaifExperiment *x, int goal)
{
  gint64 t = now_ns ();
  x->per->prototype (x->perceiver.inst, goal, x->goal_image);
  lap (&x->stage_ns[SOMAIF_STAGE_PERCEIVER], &t);
  prepare_goal (x, goal);
  lap (&x->stage_ns[SOMAIF_STAGE_ACCURACY], &t);
}

/* The optimiser's candidates for ep's goal, in states. */
static gboolean
propose (SomaifExperiment *x, Epoch *ep, float *states, GError **error)
{
  gint64 t = now_ns ();
  ep->n = 0;
  int proposed = x->opt->propose (x->optimiser.inst, ep->goal, states, &ep->n);
  lap (&x->stage_ns[SOMAIF_STAGE_OPTIMISER], &t);
  if (proposed != 0)
    return method_failed (x, error, SOMAIF_KIND_OPTIMISER, "propose", ep->e, ep->goal);
  if (ep->n < 1 || ep->n > x->max_candidates)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                   "epoch %" G_GINT64_FORMAT ": optimiser '%s' proposed %d candidates, "
                   "not 1 to %d", ep->e, x->opt->head.name, ep->n, x->max_candidates);
      return FALSE;
    }
  return check_states (x, states, ep->n, "proposed a non-finite initial state", ep->e,
                       ep->goal, error);
}

static gboolean
rollouts_failed (const Epoch *ep, GError **error)
{
  g_prefix_error (error, "epoch %" G_GINT64_FORMAT ", goal %d: ", ep->e, ep->goal);
  return FALSE;
}

/* A goal, its image, the optimiser's candidates and their drawings. */
static gboolean
epoch_rollouts (SomaifExperiment *x, Training *tr, Epoch *ep, GError **error)
{
  /* The goal sequence is the core's own stream: a goal drawn ahead is the
     same goal. */
  ep->goal = tr->next_goal >= 0 ? tr->next_goal : draw_goal (x);
  tr->next_goal = -1;
  take_goal_image (x, ep->goal);
  if (!propose (x, ep, x->cur->states, error))
    return FALSE;
  return run_rollouts (x, ep->n, GOAL_READY, error) || rollouts_failed (ep, error);
}

/* The accuracy, against the goal, of those of the current buffers' n
 * drawings whose tasks ran before the goal image was there. */
static void
score_rest (SomaifExperiment *x, int n)
{
  gint64 t = now_ns ();
  for (int c = 0; c < n; c++)
    if (!x->cur->scored[c])
      x->cur->accuracy[c] = cross_entropy (x, x->cur->images + (gsize) c * x->n_pixels);
  lap (&x->stage_ns[SOMAIF_STAGE_ACCURACY], &t);
}

/* Candidate c's drawing through the perceiver (which learns from it): its
 * metrics row. */
static gboolean
learn_one (SomaifExperiment *x, const Epoch *ep, int c, SomaifMetricsRow *row, GError **error)
{
  int winner = -1;
  double dist = 0.0;
  gint64 t = now_ns ();
  int learned = x->per->learn (x->perceiver.inst, x->cur->images + (gsize) c * x->n_pixels,
                               &winner, &dist);
  lap (&x->stage_ns[SOMAIF_STAGE_PERCEIVER], &t);
  if (learned != 0)
    return method_failed (x, error, SOMAIF_KIND_PERCEIVER, "learn", ep->e, ep->goal);
  if (!check_winner (x, dist, "learn", ep->e, ep->goal, error))
    return FALSE;
  if (winner < 0 || winner >= x->units)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                   "epoch %" G_GINT64_FORMAT ": perceiver '%s' named unit %d of %d", ep->e,
                   x->per->head.name, winner, x->units);
      return FALSE;
    }
  double acc = x->cur->accuracy[c];
  double comp = complexity (x, winner, ep->goal);
  double fe = acc + comp;
  if (!isfinite (fe))
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_NUMERIC,
                   "epoch %" G_GINT64_FORMAT ", goal %d, candidate %d: the free energy is %g "
                   "(accuracy %g, complexity %g): %s went non-finite", ep->e, ep->goal, c, fe,
                   acc, comp, nan_stage (x, c));
      return FALSE;
    }
  *row = (SomaifMetricsRow) { ep->e, ep->goal, c, winner, as_written (acc), as_written (comp),
                              fe };
  return TRUE;
}

/* In order (the map changes with each drawing): the perceiver learns, the
 * free energies go to metrics.csv, then the optimiser updates the goal. */
static gboolean
epoch_learning (SomaifExperiment *x, Training *tr, const Epoch *ep, GError **error)
{
  for (int c = 0; c < ep->n; c++)
    {
      SomaifMetricsRow row;
      if (!learn_one (x, ep, c, &row, error))
        return FALSE;
      gint64 t = now_ns ();
      tr->rewards[c] = -row.free_energy;
      g_array_append_val (tr->rows, row);
      somaif_rundir_metrics_row (tr->metrics.f, &row);
      lap (&x->stage_ns[SOMAIF_STAGE_OUTPUT], &t);
    }
  if (ferror (tr->metrics.f))
    {
      /* errno still holds the failed write's reason here, not later. */
      int e = errno ? errno : EIO;
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT, "%s: write failed: %s",
                   tr->metrics.path, g_strerror (e));
      return FALSE;
    }
  gint64 t = now_ns ();
  int updated = x->opt->update (x->optimiser.inst, ep->goal, ep->n, tr->rewards);
  lap (&x->stage_ns[SOMAIF_STAGE_OPTIMISER], &t);
  if (updated != 0)
    return method_failed (x, error, SOMAIF_KIND_OPTIMISER, "update", ep->e, ep->goal);
  return TRUE;
}

/* Whether epoch e + 1 may begin during e's learning: the optimiser promised
 * that proposing ahead changes nothing (SOMAIF_OPTIMISER_PROPOSES_AHEAD),
 * there is a worker to run the rollouts, and nothing at the end of e saves
 * the state (a checkpoint, or a stop a signal asked for): a checkpoint after
 * e must not hold e + 1's proposal. */
static gboolean
may_go_ahead (const SomaifExperiment *x, gint64 e)
{
  gint64 ck = x->cfg->checkpoint_every;
  return x->ahead_ok && e + 1 < x->cfg->epochs && !(ck > 0 && (e + 1) % ck == 0)
         && !(x->stop && *x->stop);
}

/* Epoch e + 1's goal, its optimiser's schedules and its proposal in the
 * other buffers (not its goal image: the map has not learned from e yet).
 * When its goal is e's, whose update its proposal needs, only the goal is
 * drawn. */
static gboolean
propose_ahead (SomaifExperiment *x, Training *tr, const Epoch *ep, GError **error)
{
  tr->next_goal = draw_goal (x);
  if (tr->next_goal == ep->goal)
    return TRUE;
  tr->next_changed = FALSE;
  if (!set_schedules (x, ep->e + 1, KIND_BIT (SOMAIF_KIND_OPTIMISER), TRUE, &tr->next_changed,
                      error))
    return FALSE;
  Epoch next = { ep->e + 1, tr->next_goal, 0 };
  float *states = x->batch[(ep->e + 1) & 1].states;
  if (!propose (x, &next, states, error))
    return FALSE;
  tr->next_n = next.n;
  tr->proposed = TRUE;
  return TRUE;
}

/* Epoch e + 1, proposed: the schedules of its rollouts' parts (none of
 * e's rollouts is running), and its rollouts started in the other
 * buffers. */
static gboolean
start_ahead (SomaifExperiment *x, Training *tr, const Epoch *ep, GError **error)
{
  tr->proposed = FALSE;
  if (!set_schedules (x, ep->e + 1, ROLLOUT_PARTS, TRUE, &tr->next_changed, error))
    return FALSE;
  int cur = (int) (ep->e & 1);
  use_batch (x, 1 - cur);
  rollouts_start (x, tr->next_n, GOAL_LATER);
  use_batch (x, cur);
  tr->ahead = TRUE;
  return TRUE;
}

/* Epoch e + 1 proposed and its rollouts started, after e's. */
static gboolean
go_ahead (SomaifExperiment *x, Training *tr, const Epoch *ep, GError **error)
{
  return propose_ahead (x, tr, ep, error) && (!tr->proposed || start_ahead (x, tr, ep, error));
}

/* Epoch e, begun during e - 1 (its rollouts running): the perceiver's
 * schedules, e's goal image (the map has learned from e - 1), from which
 * e's tasks score their drawings, then epoch e + 1 proposed while e's
 * rollouts end (the map, the optimiser and the core's stream are not
 * theirs), and its rollouts started behind e's when no scheduled value of
 * theirs can change (the workers go on with them as soon as e's tasks are
 * all taken, instead of waiting for e's last to end), then e's rollouts
 * joined and e + 1's started now if they were not (run_epoch scores the
 * drawings whose tasks came before the image once they are under way).
 * schedules.csv's row of e holds e's values, taken before e + 1's. */
static gboolean
finish_ahead (SomaifExperiment *x, Training *tr, Epoch *ep, GError **error)
{
  ep->goal = tr->next_goal;
  ep->n = tr->next_n;
  tr->next_goal = -1;
  gboolean changed = tr->next_changed || ep->e == 0;
  if (!set_schedules (x, ep->e, KIND_BIT (SOMAIF_KIND_PERCEIVER), TRUE, &changed, error))
    return FALSE;
  if (changed)
    collect_schedules (x, &tr->sched);
  take_goal_image (x, ep->goal);
  rollouts_goal_ready (x);
  if (may_go_ahead (x, ep->e) && !propose_ahead (x, tr, ep, error))
    return FALSE;
  tr->ahead = FALSE;
  if (tr->proposed && x->rollouts_unscheduled && !start_ahead (x, tr, ep, error))
    return FALSE;
  if (!rollouts_join (x, error))
    return rollouts_failed (ep, error);
  /* e + 1's rollouts first, so that the workers need not wait for e's row
     of schedules.csv: it holds the values collected above. */
  gboolean ok = !tr->proposed || start_ahead (x, tr, ep, error);
  if (ok && changed)
    write_schedules (&tr->sched, ep->e);
  return ok;
}

/* One epoch.  In the plain order: schedules, goal, proposal, rollouts, then
 * the map learns from each drawing and the optimiser from the rewards.
 * With an optimiser that proposes ahead, the next epoch's proposal and
 * rollouts are made before this one's learning, and its rollouts run on the
 * workers while this one's drawings are scored and the map learns: the same
 * calls on each instance in the same order, to the byte. */
static gboolean
run_epoch (SomaifExperiment *x, Training *tr, gint64 e, GError **error)
{
  Epoch ep = { e, -1, 0 };
  use_batch (x, (int) (e & 1));
  gboolean begun = tr->ahead;
  if (begun ? !finish_ahead (x, tr, &ep, error)
            : !(apply_schedules (x, e, &tr->sched, error) && epoch_rollouts (x, tr, &ep, error)
                && (!may_go_ahead (x, e) || go_ahead (x, tr, &ep, error))))
    return FALSE;
  if (begun)
    score_rest (x, ep.n);
  return epoch_learning (x, tr, &ep, error);
}

/* ------------------------------------------------------------------ */
/* Training: the epoch loop, its checkpoints and snapshots             */

static void
parts_array (SomaifExperiment *x, SomaifCheckpointPart *out)
{
  memcpy (out, x->parts, sizeof x->parts);
}

/* This segment's wall time, up to now. */
static void
stamp_segment (SomaifExperiment *x)
{
  SomaifRunSegment *s = &g_array_index (x->segments, SomaifRunSegment, x->segments->len - 1);
  s->wall_seconds = (double) (g_get_monotonic_time () - x->segment_start) / 1e6;
}

/* segments.json with this segment's wall time so far: a resumed run adds
 * its segment to these. */
static gboolean
record_segment (SomaifExperiment *x, const char *outdir, GError **error)
{
  stamp_segment (x);
  return somaif_rundir_write_segments (outdir, (const SomaifRunSegment *) (void *)
                                       x->segments->data, (int) x->segments->len, error);
}

/* The segments before this one (resume) and this one, just started. */
static gboolean
start_segment (SomaifExperiment *x, const char *outdir, gboolean resume, GError **error)
{
  x->segment_start = g_get_monotonic_time ();
  if (x->segments)
    g_array_unref (x->segments);
  x->segments = resume ? somaif_rundir_read_segments (outdir, error)
                       : somaif_rundir_segments_new ();
  if (!x->segments)
    return FALSE;
  GDateTime *now = g_date_time_new_now_local ();
  SomaifRunSegment s = { g_date_time_format_iso8601 (now), 0.0, somaif_pool_threads (x->pool),
                         g_strdup (x->command ? x->command : ""),
                         g_strdup (somaif_simd_name (somaif_simd ())), somaif_cpu_model () };
  g_date_time_unref (now);
  g_array_append_val (x->segments, s);
  return TRUE;
}

/* A checkpoint being written: its bytes, made on the calling thread between
 * two epochs (the parts' states), checksummed, written and made durable on a
 * thread of its own, then segments.json with the wall time at the
 * checkpoint; the calling thread meanwhile goes on with the next epochs.  A
 * checkpoint stands for every file before it: a snapshot still being written
 * (its picture takes tens of milliseconds) is waited for on that thread, and
 * its failure is the checkpoint's. */
typedef struct
{
  Writer *after;       /* the snapshot being written, or NULL */
  GByteArray *bytes;
  char *path;          /* outdir/checkpoint.bin */
  char *outdir;
  GArray *segments;    /* SomaifRunSegment: a copy of the run's, strings shared */
} CheckpointJob;

static gboolean
checkpoint_job_write (gpointer job, GError **error)
{
  CheckpointJob *j = job;
  return writer_join (&j->after, error) && somaif_checkpoint_write_bytes (j->path, j->bytes, error)
         && somaif_rundir_write_segments (j->outdir, (const SomaifRunSegment *) (void *)
                                          j->segments->data, (int) j->segments->len, error);
}

static void
checkpoint_job_free (gpointer job)
{
  CheckpointJob *j = job;
  writer_join (&j->after, NULL); /* joined already, unless the job was never written */
  g_byte_array_unref (j->bytes);
  g_free (j->path);
  g_free (j->outdir);
  g_array_free (j->segments, TRUE);
  g_free (j);
}

/* Writes outdir/checkpoint.bin: everything needed to go on at next_epoch;
 * on a thread of its own when there are workers, unless wait (then it is
 * on disk, and segments.json too, before this returns). */
static gboolean
save_checkpoint (SomaifExperiment *x, Training *tr, const char *outdir, gint64 next_epoch,
                 gboolean wait, GError **error)
{
  if (!writer_join (&tr->checkpoint, error))
    return FALSE;
  if (fflush (tr->metrics.f) != 0 || fflush (tr->sched.file.f) != 0)
    {
      int e = errno;
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT,
                   "%s: write failed: %s", outdir, g_strerror (e));
      return FALSE;
    }
  SomaifCheckpoint ck = { 0 };
  ck.next_epoch = next_epoch;
  ck.rng = x->rng;
  ck.metrics_bytes = ftello (tr->metrics.f);
  ck.schedules_bytes = ftello (tr->sched.file.f);
  SomaifCheckpointPart parts[SOMAIF_N_PARTS];
  parts_array (x, parts);
  GByteArray *bytes = somaif_checkpoint_prepare (&ck, x->cfg, parts, error);
  if (!bytes)
    return FALSE;
  CheckpointJob *j = g_new0 (CheckpointJob, 1);
  j->bytes = bytes;
  j->path = g_build_filename (outdir, "checkpoint.bin", NULL);
  j->outdir = g_strdup (outdir);
  stamp_segment (x);
  j->segments = g_array_sized_new (FALSE, FALSE, sizeof (SomaifRunSegment), x->segments->len);
  g_array_append_vals (j->segments, x->segments->data, x->segments->len);
  j->after = g_steal_pointer (&tr->snapshot);
  return writer_start (&tr->checkpoint, !wait && somaif_pool_threads (x->pool) > 1,
                       "somaif-checkpoint", j, checkpoint_job_write, checkpoint_job_free, error);
}

/* Opens the outputs, new or (resume) cut back to the checkpoint, whose
 * state the parts take; *first: the first epoch to run. */
static gboolean
training_open (SomaifExperiment *x, Training *tr, const char *outdir, gboolean resume,
               gint64 *first, GError **error)
{
  *first = 0;
  if (!resume)
    {
      if (!out_open (&tr->metrics, outdir, "metrics.csv", -1, error)
          || !schedules_open (x, &tr->sched, outdir, -1, error))
        return FALSE;
      somaif_rundir_metrics_header (tr->metrics.f);
      return TRUE;
    }
  SomaifCheckpointPart parts[SOMAIF_N_PARTS];
  parts_array (x, parts);
  g_autofree char *path = g_build_filename (outdir, "checkpoint.bin", NULL);
  SomaifCheckpoint *ck = somaif_checkpoint_restore (path, x->cfg, parts, error);
  if (!ck)
    return FALSE;
  x->rng = ck->rng;
  *first = ck->next_epoch;
  gint64 mb = ck->metrics_bytes, sb = ck->schedules_bytes;
  somaif_checkpoint_free (ck);
  if (!out_open (&tr->metrics, outdir, "metrics.csv", mb, error)
      || !schedules_open (x, &tr->sched, outdir, sb, error))
    return FALSE;
  /* The curves need every rollout so far: read back what is final. */
  fflush (tr->metrics.f);
  GArray *before = somaif_rundir_read_metrics (outdir, error);
  if (!before)
    return FALSE;
  g_array_append_vals (tr->rows, before->data, before->len);
  g_array_free (before, TRUE);
  return TRUE;
}

/* After epoch e: a snapshot, progress, a checkpoint when one is due, and
 * the stop a signal asked for. */
static gboolean
epoch_end (SomaifExperiment *x, Training *tr, const char *outdir, gint64 e, gint64 first,
           GError **error)
{
  gint64 epochs = x->cfg->epochs, t = now_ns ();
  /* A checkpoint that failed on its thread is reported as soon as it ends. */
  if (writer_ended (tr->checkpoint) && !writer_join (&tr->checkpoint, error))
    return FALSE;
  if (tr->every && e % tr->every == tr->every - 1
      && !take_snapshot (x, tr->snapdir, e + 1, &tr->snapshot, error))
    return FALSE;
  lap (&x->stage_ns[SOMAIF_STAGE_OUTPUT], &t);
  if (x->progress)
    x->progress (e + 1, first, epochs, x->progress_data);
  /* With the next epoch begun (its goal drawn, perhaps its proposal made),
     a stop waits for its end: a checkpoint now would hold it. */
  gboolean stopping = x->stop && *x->stop && !tr->ahead && tr->next_goal < 0;
  gint64 ck_every = x->cfg->checkpoint_every;
  if (stopping || e + 1 == epochs || (ck_every > 0 && (e + 1) % ck_every == 0))
    {
      t = now_ns ();
      /* A checkpoint stands for every file before it, the snapshots too (its
         thread waits for the snapshot's).  A stop waits for both: the
         message says they are there. */
      if (!save_checkpoint (x, tr, outdir, e + 1, stopping, error))
        return FALSE;
      lap (&x->stage_ns[SOMAIF_STAGE_OUTPUT], &t);
    }
  if (stopping && e + 1 < epochs)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_INTERRUPTED,
                   "interrupted after epoch %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                   "; the outputs so far and a checkpoint are in %s", e + 1, epochs, outdir);
      return FALSE;
    }
  return TRUE;
}

/* The epoch loop; rows gets every rollout's metrics. */
static gboolean
train (SomaifExperiment *x, const char *outdir, GArray *rows, gboolean resume, GError **error)
{
  const SomaifConfig *cfg = x->cfg;
  Training tr = { { 0 }, { { 0 }, NULL }, rows, g_new (double, x->max_candidates),
                  g_build_filename (outdir, "snapshots", NULL),
                  cfg->snapshots > 0 && keeps (x, SOMAIF_RUNDIR_KEEP_SNAPSHOTS)
                  ? MAX (1, cfg->epochs / cfg->snapshots) : 0, FALSE, -1, 0, FALSE, FALSE, NULL, NULL };
  gint64 first = 0;
  gboolean ok = training_open (x, &tr, outdir, resume, &first, error)
                && (!tr.every || somaif_rundir_mkdir (tr.snapdir, error));
  for (gint64 e = first; ok && e < cfg->epochs; e++)
    ok = run_epoch (x, &tr, e, error) && epoch_end (x, &tr, outdir, e, first, error);
  /* Rollouts started ahead of a failure: wait for them before freeing. */
  rollouts_join_all (x);
  ok = writer_join (&tr.snapshot, ok ? error : NULL) && ok;
  ok = writer_join (&tr.checkpoint, ok ? error : NULL) && ok;
  use_batch (x, 0);
  ok = out_close (&tr.metrics, ok ? error : NULL) && ok;
  ok = out_close (&tr.sched.file, ok ? error : NULL) && ok;
  if (tr.sched.values)
    g_array_free (tr.sched.values, TRUE);
  g_free (tr.rewards);
  g_free (tr.snapdir);
  return ok;
}

/* ------------------------------------------------------------------ */
/* After training: each goal's own solution, recognised without learning */

/* Map quality over the final drawings: quantization error (mean Euclidean
 * distance to the best unit) and topographic error (share of drawings whose
 * two best units are not neighbours: within sqrt 2 on the map, so the two
 * ring neighbours or the 8 surrounding grid units). */
static gboolean
write_quality (SomaifExperiment *x, const float *drawings, const char *outdir,
               SomaifSummary *summary, GError **error)
{
  double qe = 0.0, te = NAN;
  int apart = 0;
  void *inst = x->perceiver.inst;
  for (int g = 0; g < x->units; g++)
    {
      const float *img = drawings + (gsize) g * x->n_pixels;
      int best[2] = { -1, -1 };
      double d[2] = { 0, 0 };
      int status = x->per->best_two ? x->per->best_two (inst, img, best, d)
                                    : x->per->recognise (inst, img, &best[0], &d[0]);
      const char *method = x->per->best_two ? "best_two" : "recognise";
      if (status != 0)
        return method_failed (x, error, SOMAIF_KIND_PERCEIVER, method, x->cfg->epochs, g);
      if (!check_winner (x, d[0], method, x->cfg->epochs, g, error)
          || (x->per->best_two && !check_winner (x, d[1], method, x->cfg->epochs, g, error)))
        return FALSE;
      qe += sqrt (fmax (d[0], 0.0));
      if (x->per->best_two)
        apart += x->per->distance (inst, best[0], best[1]) > G_SQRT2 + 1e-9;
    }
  qe /= x->units;
  if (x->per->best_two)
    te = (double) apart / x->units;
  summary->quantization_error = qe;
  summary->topographic_error = te;
  return somaif_rundir_write_quality (outdir, qe, te, error);
}

/* What the evaluation produces, goal by goal. */
typedef struct
{
  float *states;        /* U x D: the optimiser's solutions */
  float *drawings;      /* U x pixels */
  double *trajectories; /* U x P x point_size */
  float *protos;        /* U x pixels */
} Final;

static void
final_clear (Final *f)
{
  g_free (f->states);
  g_free (f->drawings);
  g_free (f->trajectories);
  g_free (f->protos);
}

/* Each goal's solution, rolled out in batches of the epoch buffers' size. */
static gboolean
final_rollouts (SomaifExperiment *x, Final *f, GError **error)
{
  int U = x->units;
  for (int g = 0; g < U; g++)
    {
      float *state = f->states + (gsize) g * x->state_size;
      if (x->opt->solution (x->optimiser.inst, g, state) != 0)
        return method_failed (x, error, SOMAIF_KIND_OPTIMISER, "solution", x->cfg->epochs, g);
      if (!somaif_all_finite_f32 (state, (gsize) x->state_size))
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_NUMERIC,
                       "final evaluation: optimiser plugin '%s' gave a non-finite solution for "
                       "goal %d", x->opt->head.name, g);
          return FALSE;
        }
    }
  for (int first = 0; first < U; first += x->max_candidates)
    {
      int n = MIN (x->max_candidates, U - first);
      memcpy (x->cur->states, f->states + (gsize) first * x->state_size,
              sizeof (float) * (gsize) n * x->state_size);
      if (!run_rollouts (x, n, GOAL_NONE, error))
        {
          g_prefix_error (error, "final evaluation: ");
          return FALSE;
        }
      memcpy (f->drawings + (gsize) first * x->n_pixels, x->cur->images,
              sizeof (float) * (gsize) n * x->n_pixels);
      memcpy (f->trajectories + (gsize) first * x->n_points * x->point_size, x->cur->points,
              sizeof (double) * (gsize) n * x->n_points * x->point_size);
    }
  return TRUE;
}

/* final.csv: each drawing recognised and scored against its own goal. */
static gboolean
write_final (SomaifExperiment *x, const Final *f, const char *outdir, SomaifSummary *summary,
             GError **error)
{
  int U = x->units;
  SomaifFinalRow *rows = g_new (SomaifFinalRow, MAX (U, 1));
  double sum_acc = 0, sum_comp = 0;
  int recognised = 0;
  gboolean ok = TRUE;
  for (int g = 0; g < U && ok; g++)
    {
      int winner = -1;
      double sq = 0;
      const float *img = f->drawings + (gsize) g * x->n_pixels;
      if (x->per->recognise (x->perceiver.inst, img, &winner, &sq) != 0)
        {
          ok = method_failed (x, error, SOMAIF_KIND_PERCEIVER, "recognise", x->cfg->epochs, g);
          break;
        }
      if (!check_winner (x, sq, "recognise", x->cfg->epochs, g, error))
        {
          g_prefix_error (error, "final evaluation: ");
          ok = FALSE;
          break;
        }
      memcpy (x->goal_image, f->protos + (gsize) g * x->n_pixels, sizeof (float) * x->n_pixels);
      prepare_goal (x, g);
      double acc = cross_entropy (x, img);
      double comp = complexity (x, winner, g);
      double d = x->per->distance (x->perceiver.inst, winner, g);
      rows[g] = (SomaifFinalRow) { g, winner, d, acc, comp };
      sum_acc += acc;
      sum_comp += comp;
      recognised += d == 0.0;
    }
  ok = ok && somaif_rundir_write_final (outdir, rows, U, error);
  g_free (rows);
  summary->final_accuracy = sum_acc / U;
  summary->final_complexity = sum_comp / U;
  summary->final_recognised = (double) recognised / U;
  return ok;
}

/* model/: the arrays, and what the generator exports. */
static gboolean
write_model (SomaifExperiment *x, const Final *f, const char *outdir, GError **error)
{
  int U = x->units;
  g_autofree char *model = g_build_filename (outdir, "model", NULL);
  g_autofree char *p1 = g_build_filename (model, "prototypes.npy", NULL);
  g_autofree char *p2 = g_build_filename (model, "initial_states.npy", NULL);
  g_autofree char *p3 = g_build_filename (model, "trajectories.npy", NULL);
  g_autofree char *p4 = g_build_filename (model, "drawings.npy", NULL);
  int s1[3] = { U, x->height, x->width };
  int s2[2] = { U, x->state_size };
  int s3[3] = { U, x->n_points, x->point_size };
  if (!somaif_rundir_mkdir (model, error)
      || !somaif_rundir_write_npy_f32 (p1, f->protos, 3, s1, error)
      || !somaif_rundir_write_npy_f32 (p2, f->states, 2, s2, error))
    return FALSE;
  if (keeps (x, SOMAIF_RUNDIR_KEEP_DRAWINGS)
      && (!somaif_rundir_write_npy_f64 (p3, f->trajectories, 3, s3, error)
          || !somaif_rundir_write_npy_f32 (p4, f->drawings, 3, s1, error)))
    return FALSE;
  GError *err = NULL;
  if (x->gen->export_model && x->gen->export_model (x->generator.inst, model, &err) != 0)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT,
                   "generator '%s' could not export its model: %s", x->gen->head.name,
                   err ? err->message
                       : somaif_part_message (x->generator.part, x->generator.inst));
      g_clear_error (&err);
      return FALSE;
    }
  return TRUE;
}

/* The final pictures: what their files need. */
typedef struct
{
  char *repertoire, *prototypes; /* the files */
  float *protos, *drawings;      /* units x height x width each */
  Sheet sheet;
} Pictures;

/* repertoire.png, then prototypes.png: one picture at a time. */
static gboolean
pictures_write (gpointer job, GError **error)
{
  Pictures *p = job;
  return draw_sheet (p->repertoire, "Learned repertoire: prototypes (magenta), drawings (cyan)",
                     &p->sheet, p->protos, p->drawings, error)
         && draw_sheet (p->prototypes, "Prototypes of the map", &p->sheet, p->protos, NULL, error);
}

static void
pictures_free (gpointer job)
{
  Pictures *p = job;
  g_free (p->repertoire);
  g_free (p->prototypes);
  g_free (p->protos);
  g_free (p->drawings);
  g_free (p);
}

/* Draws the final pictures from f's prototypes and drawings (taken from f):
 * with more than one thread on a thread of its own, in *pending, while the
 * run writes the rest (end_pictures() joins it); otherwise now. */
static gboolean
start_pictures (SomaifExperiment *x, Final *f, const char *outdir, Writer **pending,
                GError **error)
{
  Pictures *p = g_new0 (Pictures, 1);
  p->repertoire = g_build_filename (outdir, "repertoire.png", NULL);
  p->prototypes = g_build_filename (outdir, "prototypes.png", NULL);
  p->protos = g_steal_pointer (&f->protos);
  p->drawings = g_steal_pointer (&f->drawings);
  p->sheet = sheet_of (x);
  return write_behind (x, pending, "somaif-figures", p, pictures_write, pictures_free, error);
}

/* Waits for the final pictures, if on their thread; ok: whether what the
 * run wrote meanwhile went well (else error is set).  The pictures come
 * first among the files, so their failure is the one reported (as it would
 * be on one thread). */
static gboolean
end_pictures (Writer **pending, gboolean ok, GError **error)
{
  GError *err = NULL;
  if (writer_join (pending, &err))
    return ok;
  if (!ok)
    g_clear_error (error);
  g_propagate_error (error, err);
  return FALSE;
}

/* The final rollouts and their files; the pictures maybe still drawing in
 * *pictures (see start_pictures()). */
static gboolean
evaluate (SomaifExperiment *x, const char *outdir, SomaifSummary *summary, Writer **pictures,
          GError **error)
{
  int U = x->units;
  Final f = { g_new (float, (gsize) U * x->state_size), g_new (float, (gsize) U * x->n_pixels),
              g_new (double, (gsize) U * x->n_points * x->point_size), all_prototypes (x) };
  gboolean ok = final_rollouts (x, &f, error) && write_final (x, &f, outdir, summary, error)
                && write_quality (x, f.drawings, outdir, summary, error)
                && write_model (x, &f, outdir, error)
                && (!keeps (x, SOMAIF_RUNDIR_KEEP_FIGURES)
                    || start_pictures (x, &f, outdir, pictures, error));
  final_clear (&f);
  return ok;
}

/* Saves each plugin's state into model/<group>.state, for --replay. */
static gboolean
save_states (SomaifExperiment *x, const char *outdir, GError **error)
{
  for (int k = 0; k < SOMAIF_N_PARTS && keeps (x, SOMAIF_RUNDIR_KEEP_STATES); k++)
    {
      const Part *p = &x->parts[k];
      if (!p->part->plugin->head->save_state)
        continue;
      GBytes *state = somaif_part_save_state (p->part, p->inst, error);
      if (!state)
        return FALSE;
      g_autofree char *name = g_strdup_printf ("model/%s.state", p->part->group);
      g_autofree char *path = g_build_filename (outdir, name, NULL);
      gsize len = 0;
      const void *data = g_bytes_get_data (state, &len);
      gboolean ok = somaif_rundir_write (path, data, len, error);
      g_bytes_unref (state);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* curves.csv and curves.png, from every rollout so far. */
static gboolean
draw_curves (const GArray *rows, const char *outdir, gboolean figure, GError **error)
{
  SomaifCurves c;
  somaif_rundir_curves ((const SomaifMetricsRow *) (void *) rows->data, rows->len, &c);
  g_autofree char *path = g_build_filename (outdir, "curves.png", NULL);
  GError *err = NULL;
  gboolean ok = somaif_rundir_write_curves (outdir, &c, error);
  ok = ok && (!figure || somaif_figure_curves (path, c.n_points, c.acc_mean, c.acc_band, c.comp_mean,
                                    c.comp_band, &err) || wrap_output_error (error, err));
  somaif_rundir_curves_clear (&c);
  return ok;
}

static void
tail_means (const GArray *rows, SomaifSummary *s)
{
  guint n = rows->len;
  guint from = n - MAX (1u, n / 20);
  double a = 0, c = 0;
  for (guint i = from; i < n; i++)
    {
      a += g_array_index (rows, SomaifMetricsRow, i).accuracy;
      c += g_array_index (rows, SomaifMetricsRow, i).complexity;
    }
  s->tail_accuracy = n ? a / (n - from) : NAN;
  s->tail_complexity = n ? c / (n - from) : NAN;
}

/* run.json: the first segment's start, the wall time of all segments. */
static gboolean
write_run_json (SomaifExperiment *x, const char *outdir, GError **error)
{
  if (!record_segment (x, outdir, error))
    return FALSE;
  const SomaifRunSegment *seg = (const SomaifRunSegment *) (void *) x->segments->data;
  SomaifRunInfo info = { 0 };
  info.somaif = g_strdup (PACKAGE_VERSION);
  info.abi = g_strdup_printf ("%d.%d", SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR);
  info.config = g_strdup (x->cfg->path);
  info.started = g_strdup (seg[0].started);
  info.threads = somaif_pool_threads (x->pool);
  for (guint i = 0; i < x->segments->len; i++)
    info.wall_seconds += seg[i].wall_seconds;
  info.command = g_strdup (x->command ? x->command : "");
  info.simd = g_strdup (seg[x->segments->len - 1].simd);
  info.cpu = g_strdup (seg[x->segments->len - 1].cpu);
  info.segments = seg;
  info.n_segments = (int) x->segments->len;
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      info.plugin_names[k] = g_strdup (x->cfg->parts[k].plugin->head->name);
      info.plugin_files[k] = g_canonicalize_filename (x->cfg->parts[k].plugin->path, NULL);
    }
  gboolean ok = somaif_rundir_write_run (outdir, &info, error);
  somaif_rundir_run_info_clear (&info);
  return ok;
}

static void
sum_timings (SomaifExperiment *x, SomaifSummary *summary)
{
  for (int t = 0; t < x->n_task_times; t++)
    for (int k = 0; k <= SOMAIF_STAGE_ACCURACY; k++)
      x->stage_ns[k] += x->task_times[t].ns[k];
  for (int k = 0; k < SOMAIF_N_STAGES; k++)
    summary->stage_seconds[k] = (double) x->stage_ns[k] / 1e9;
}

gboolean
somaif_experiment_run (SomaifExperiment *x, const char *outdir, gboolean resume,
                       SomaifSummary *summary, GError **error)
{
  gint64 start = g_get_monotonic_time ();
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (SomaifMetricsRow));
  gboolean ok = FALSE;
  memset (summary, 0, sizeof *summary);

  if (!start_segment (x, outdir, resume, error)
      || (!resume && !somaif_rundir_write_config (outdir, x->cfg, error)))
    goto out;
  gint64 t = now_ns ();
  if (!train (x, outdir, rows, resume, error))
    goto out;
  summary->train_seconds = (double) (now_ns () - t) / 1e9;
  summary->rollouts = rows->len;
  summary->epochs = x->cfg->epochs;
  t = now_ns ();
  tail_means (rows, summary);
  Writer *pictures = NULL;
  if (!end_pictures (&pictures,
                     evaluate (x, outdir, summary, &pictures, error)
                       && save_states (x, outdir, error)
                       && draw_curves (rows, outdir, keeps (x, SOMAIF_RUNDIR_KEEP_FIGURES), error),
                     error))
    goto out;
  lap (&x->stage_ns[SOMAIF_STAGE_OUTPUT], &t);
  sum_timings (x, summary);
  summary->wall_seconds = (double) (g_get_monotonic_time () - start) / 1e6;
  /* Done once run.json is there; then the level's tidying (nothing lost if cut short). */
  ok = write_run_json (x, outdir, error)
       && somaif_rundir_finish (outdir, x->cfg->output_level, x->cfg->gzip_metrics, error);
out:
  g_array_free (rows, TRUE);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Replay                                                              */

/* Loads model/<group>.state into each part that saves one. */
static gboolean
load_states (SomaifExperiment *x, const char *dir, GError **error)
{
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      const Part *p = &x->parts[k];
      const SomaifPluginHead *h = p->part->plugin->head;
      if (!h->save_state)
        continue; /* nothing learned to restore: rebuilt from the config's seed */
      if (!h->load_state)
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                       "%s plugin '%s' cannot load its state", p->part->group, h->name);
          return FALSE;
        }
      g_autofree char *name = g_strdup_printf ("model/%s.state", p->part->group);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      GError *err = NULL;
      if (!somaif_read_file (path, "saved state", SOMAIF_MAX_ARRAYS_BYTES, &data, &len, &err))
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP, "%s", err->message);
          g_error_free (err);
          return FALSE;
        }
      if (h->load_state (p->inst, (const guint8 *) data, len) != 0)
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                       "%s: %s plugin '%s' refused this state: %s", path, p->part->group,
                       h->name, somaif_part_message (p->part, p->inst));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
replay_refused (GError **error, const char *dir, const char *why)
{
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP, "%s: cannot replay: %s", dir,
               why);
  return FALSE;
}

/* Checks that dir is a finished run of this config and these plugins, as
 * --resume checks its checkpoint, and that what learned was saved. */
static gboolean
check_replay (SomaifExperiment *x, const char *dir, GError **error)
{
  const Part *learners[2] = { &x->perceiver, &x->optimiser };
  for (int i = 0; i < 2; i++)
    if (!learners[i]->part->plugin->head->save_state)
      {
        g_autofree char *why = g_strdup_printf (
          "the %s plugin '%s' has no save_state, so what it learned was not kept",
          learners[i]->part->group, learners[i]->part->plugin->head->name);
        return replay_refused (error, dir, why);
      }
  g_autofree char *path = g_build_filename (dir, "checkpoint.bin", NULL);
  g_autofree char *json = g_build_filename (dir, "run.json", NULL);
  /* A level that drops the checkpoint drops it once run.json is written. */
  if (!keeps (x, SOMAIF_RUNDIR_KEEP_CHECKPOINT) && !g_file_test (path, G_FILE_TEST_EXISTS)
      && g_file_test (json, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return replay_refused (error, dir, "no checkpoint.bin, so not a run that finished");
  SomaifCheckpoint *ck = somaif_checkpoint_read (path, error);
  gboolean ok = ck && somaif_checkpoint_check (ck, path, x->cfg, error);
  if (ok && (ck->next_epoch < x->cfg->epochs || !g_file_test (json, G_FILE_TEST_IS_REGULAR)))
    {
      g_autofree char *why = g_strdup_printf (
        "the run did not finish (trained %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
        " epochs%s); somaif-run --resume finishes it", ck->next_epoch, x->cfg->epochs,
        g_file_test (json, G_FILE_TEST_IS_REGULAR) ? "" : ", no run.json");
      ok = replay_refused (error, dir, why);
    }
  somaif_checkpoint_free (ck);
  return ok;
}

gboolean
somaif_experiment_replay (SomaifExperiment *x, const char *dir, SomaifSummary *summary,
                          GError **error)
{
  memset (summary, 0, sizeof *summary);
  gint64 start = g_get_monotonic_time ();
  if (!keeps (x, SOMAIF_RUNDIR_KEEP_STATES) || !keeps (x, SOMAIF_RUNDIR_KEEP_METRICS))
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: written at output level %s, which keeps neither the plugins' states "
                   "nor metrics.csv: --replay needs a full or compact run", dir,
                   somaif_output_level_name (x->cfg->output_level));
      return FALSE;
    }
  if (!check_replay (x, dir, error))
    return FALSE;
  /* The run evaluated with its last epoch's scheduled values: set them again. */
  Writer *pictures = NULL;
  if (!load_states (x, dir, error) || !apply_schedules (x, x->cfg->epochs - 1, NULL, error)
      || !evaluate (x, dir, summary, &pictures, error))
    return end_pictures (&pictures, FALSE, error);
  GArray *rows = somaif_rundir_read_metrics (dir, error);
  gboolean ok = rows && draw_curves (rows, dir, keeps (x, SOMAIF_RUNDIR_KEEP_FIGURES), error);
  ok = end_pictures (&pictures, ok, error);
  if (ok)
    tail_means (rows, summary);
  if (rows)
    g_array_free (rows, TRUE);
  summary->wall_seconds = (double) (g_get_monotonic_time () - start) / 1e6;
  return ok;
}
