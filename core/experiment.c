/* experiment.c: one run: the instances, the epoch loop of DESIGN.md, and
 * the outputs (CSV, .npy, figures, provenance). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "experiment.h"
#include "checkpoint.h"
#include "figures.h"
#include "free-energy.h"
#include "pool.h"
#include "rundir.h"

G_DEFINE_QUARK (somaif-run-error-quark, somaif_run_error)

struct SomaifExperiment
{
  SomaifConfig *cfg;
  void *inst[SOMAIF_N_PARTS];
  const SomaifGenerator *gen;
  const SomaifPlant *plant;
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
  double *last_value[SOMAIF_N_PARTS]; /* schedulable parameters' last values */
  SomaifRng rng;      /* the core's own stream: goal choice */
  SomaifPool *pool;

  /* Per-epoch buffers, indexed by candidate. */
  float *states;      /* K x D */
  float *motor;       /* K x T x M */
  double *points;     /* K x P x point_size */
  float *images;      /* K x pixels */
  double *accuracy;   /* K */
  float *goal_image;
  float *goal_d;      /* log(t / (1 - t)) of the goal image's target t */
  double goal_sum_log_t; /* sum of log t over the goal image */
  int chunk;          /* candidates per task */

  /* Stage timings: one row a task (a task runs on one thread at a time). */
  gint64 (*task_ns)[SOMAIF_STAGE_ACCURACY + 1];
  gint64 stage_ns[SOMAIF_N_STAGES];

  /* The failure of a parallel task, kept for the message. */
  GMutex fail_lock;
  char *fail_message;
  char *command;      /* the command line, for run.json */
  volatile sig_atomic_t *stop; /* set by a signal handler: stop after this epoch */
};

static gint64
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static guint64
derive_seed (guint64 seed, guint64 stream)
{
  /* splitmix64 of the pair: independent streams from one user seed. */
  guint64 z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static const char *
plugin_message (const SomaifPart *part, const void *inst)
{
  const char *m = part->plugin->head->error_message ? part->plugin->head->error_message (inst)
                                                    : NULL;
  return m && *m ? m : "no reason given";
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
      if (x->inst[k])
        x->cfg->parts[k].plugin->head->destroy (x->inst[k]);
      g_free (x->last_value[k]);
    }
  somaif_pool_free (x->pool);
  g_free (x->log_z);
  g_free (x->states);
  g_free (x->motor);
  g_free (x->points);
  g_free (x->images);
  g_free (x->accuracy);
  g_free (x->task_ns);
  g_free (x->goal_image);
  g_free (x->goal_d);
  g_free (x->fail_message);
  g_free (x->command);
  g_mutex_clear (&x->fail_lock);
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
                   part->plugin->head->name, err ? err->message : "no reason given");
      g_clear_error (&err);
      return FALSE;
    }
  x->inst[kind - 1] = inst;
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

SomaifExperiment *
somaif_experiment_new (SomaifConfig *cfg, int threads, GError **error)
{
  SomaifExperiment *x = g_new0 (SomaifExperiment, 1);
  g_mutex_init (&x->fail_lock);
  x->cfg = cfg;
  x->gen = (const SomaifGenerator *) cfg->parts[0].plugin->head;
  x->plant = (const SomaifPlant *) cfg->parts[1].plugin->head;
  x->ren = (const SomaifRenderer *) cfg->parts[2].plugin->head;
  x->per = (const SomaifPerceiver *) cfg->parts[3].plugin->head;
  x->opt = (const SomaifOptimiser *) cfg->parts[4].plugin->head;
  x->steps = (int) cfg->steps;

  SomaifSetup setup = { 0 };
  if (!create_part (x, SOMAIF_KIND_GENERATOR, &setup, error))
    goto fail;
  x->state_size = x->gen->state_size (x->inst[0]);
  x->motor_size = x->gen->output_size (x->inst[0]);

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->motor_size;
  if (!create_part (x, SOMAIF_KIND_PLANT, &setup, error))
    goto fail;
  int plant_in = x->plant->input_size (x->inst[1]);
  if (plant_in != x->motor_size)
    {
      size_error (x, error, "motor commands per step do not match", SOMAIF_KIND_GENERATOR,
                  x->motor_size, SOMAIF_KIND_PLANT, plant_in);
      goto fail;
    }
  x->point_size = x->plant->point_size (x->inst[1]);
  x->n_points = x->plant->n_points (x->inst[1], x->steps);

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->point_size;
  if (!create_part (x, SOMAIF_KIND_RENDERER, &setup, error))
    goto fail;
  x->width = x->ren->width (x->inst[2]);
  x->height = x->ren->height (x->inst[2]);
  x->n_pixels = x->width * x->height;

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->n_pixels;
  setup.input_width = x->width;
  setup.input_height = x->height;
  if (!create_part (x, SOMAIF_KIND_PERCEIVER, &setup, error))
    goto fail;
  x->units = x->per->n_units (x->inst[3]);

  memset (&setup, 0, sizeof setup);
  setup.input_size = x->state_size;
  setup.goals = x->units;
  if (!create_part (x, SOMAIF_KIND_OPTIMISER, &setup, error))
    goto fail;
  x->max_candidates = x->opt->max_candidates (x->inst[4]);

  if (x->state_size < 1 || x->motor_size < 1 || x->point_size < 1 || x->n_points < 1
      || x->width < 1 || x->height < 1 || x->units < 1 || x->max_candidates < 1)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: a plugin reported an empty size (state %d, motor %d, points %d x %d, "
                   "image %d x %d, units %d, candidates %d)", cfg->path, x->state_size,
                   x->motor_size, x->n_points, x->point_size, x->width, x->height, x->units,
                   x->max_candidates);
      goto fail;
    }
  if (x->point_size != 2)
    {
      /* Renderers draw on paper: the plant must give 2-D points. */
      size_error (x, error, "point coordinates do not match", SOMAIF_KIND_PLANT,
                  x->point_size, SOMAIF_KIND_RENDERER, 2);
      goto fail;
    }

  /* The complexity prior's normaliser, per goal (on a ring the same for all). */
  x->log_z = g_new (double, x->units);
  {
    double *d = g_new (double, x->units);
    for (int g = 0; g < x->units; g++)
      {
        for (int u = 0; u < x->units; u++)
          d[u] = x->per->distance (x->inst[3], u, g);
        x->log_z[g] = somaif_log_partition (d, x->units, cfg->beta);
      }
    g_free (d);
  }

  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      int n = cfg->parts[k].params->n;
      x->last_value[k] = g_new (double, n ? n : 1);
      for (int i = 0; i < n; i++)
        x->last_value[k][i] = cfg->parts[k].params->values[i].f;
    }
  somaif_rng_init (&x->rng, derive_seed ((guint64) cfg->seed, 0));

  gsize K = (gsize) x->max_candidates;
  x->states = g_new0 (float, K * x->state_size);
  x->motor = g_new0 (float, K * x->steps * x->motor_size);
  x->points = g_new0 (double, K * x->n_points * x->point_size);
  x->images = g_new0 (float, K * x->n_pixels);
  x->accuracy = g_new0 (double, K);
  x->goal_image = g_new0 (float, x->n_pixels);
  x->goal_d = g_new0 (float, x->n_pixels);
  x->pool = somaif_pool_new (threads);
  x->task_ns = g_malloc0 (sizeof *x->task_ns * (gsize) somaif_pool_threads (x->pool));
  return x;

fail:
  somaif_experiment_free (x);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The free energy                                                     */

static void
prepare_goal (SomaifExperiment *x)
{
  x->goal_sum_log_t = somaif_goal_terms (x->goal_image, x->n_pixels, x->goal_d);
}

static double
cross_entropy (const SomaifExperiment *x, const float *image)
{
  return somaif_cross_entropy (image, x->goal_d, x->goal_sum_log_t, x->n_pixels);
}

static double
complexity (const SomaifExperiment *x, int winner, int goal)
{
  return somaif_complexity (x->cfg->beta, x->per->distance (x->inst[3], winner, goal),
                            x->log_z[goal]);
}

/* v as metrics.csv holds it (10 digits): a resumed run reads the rows back, so
   the curves of both must start from the same numbers. */
static double
as_written (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.10g", v), NULL);
}

/* ------------------------------------------------------------------ */
/* Rollouts: generator -> plant -> renderer, independent per candidate  */

typedef struct
{
  SomaifExperiment *x;
  int n;            /* candidates this epoch */
  gboolean score;   /* compute the accuracy against the goal image */
} Rollouts;

static void
task_fail (SomaifExperiment *x, const char *stage, SomaifKind kind, int candidate)
{
  const SomaifPart *part = &x->cfg->parts[kind - 1];
  g_mutex_lock (&x->fail_lock);
  if (!x->fail_message)
    x->fail_message = g_strdup_printf ("%s plugin '%s' failed in %s (candidate %d): %s",
                                       part->group, part->plugin->head->name, stage, candidate,
                                       plugin_message (part, x->inst[kind - 1]));
  g_mutex_unlock (&x->fail_lock);
}

static void
rollout_task (void *data, int task)
{
  Rollouts *r = data;
  SomaifExperiment *x = r->x;
  int first = task * x->chunk;
  int n = MIN (x->chunk, r->n - first);
  if (n <= 0)
    return;
  gint64 *ns = x->task_ns[task];
  gint64 t0 = now_ns (), t1;
  if (x->gen->run (x->inst[0], n, x->states + (gsize) first * x->state_size, x->steps,
                   x->motor + (gsize) first * x->steps * x->motor_size) != 0)
    {
      task_fail (x, "run", SOMAIF_KIND_GENERATOR, first);
      return;
    }
  t1 = now_ns ();
  ns[SOMAIF_STAGE_GENERATOR] += t1 - t0;
  for (int c = first; c < first + n; c++)
    {
      double *pts = x->points + (gsize) c * x->n_points * x->point_size;
      float *img = x->images + (gsize) c * x->n_pixels;
      if (x->plant->run (x->inst[1], x->steps,
                         x->motor + (gsize) c * x->steps * x->motor_size, pts) != 0)
        {
          task_fail (x, "run", SOMAIF_KIND_PLANT, c);
          return;
        }
      t0 = now_ns ();
      ns[SOMAIF_STAGE_PLANT] += t0 - t1;
      if (x->ren->draw (x->inst[2], x->n_points, pts, img) != 0)
        {
          task_fail (x, "draw", SOMAIF_KIND_RENDERER, c);
          return;
        }
      t1 = now_ns ();
      ns[SOMAIF_STAGE_RENDERER] += t1 - t0;
      if (r->score)
        x->accuracy[c] = cross_entropy (x, img);
      t0 = now_ns ();
      ns[SOMAIF_STAGE_ACCURACY] += t0 - t1;
      t1 = t0;
    }
}

static gboolean
run_rollouts (SomaifExperiment *x, int n, gboolean score, GError **error)
{
  Rollouts r = { x, n, score };
  int threads = somaif_pool_threads (x->pool);
  /* Tasks split the batch; a row's result does not depend on its task. */
  x->chunk = (n + threads - 1) / threads;
  if (x->chunk < 1)
    x->chunk = 1;
  int tasks = (n + x->chunk - 1) / x->chunk;
  gint64 t0 = now_ns ();
  somaif_pool_run (x->pool, tasks, rollout_task, &r);
  x->stage_ns[SOMAIF_STAGE_ROLLOUTS] += now_ns () - t0;
  if (x->fail_message)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN, "%s", x->fail_message);
      g_clear_pointer (&x->fail_message, g_free);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Output helpers                                                      */

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
  x->per->layout (x->inst[3], &r, &c);
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
    x->per->prototype (x->inst[3], u, protos + (gsize) u * x->n_pixels);
  return protos;
}

static gboolean
write_prototypes (const SomaifExperiment *x, const char *path_npy, const char *path_png,
                  const char *title, GError **error)
{
  g_autofree float *protos = all_prototypes (x);
  int shape[3] = { x->units, x->height, x->width };
  GError *err = NULL;
  if (!somaif_rundir_write_npy_f32 (path_npy, protos, 3, shape, error))
    return FALSE;
  if (path_png)
    {
      int rows, cols;
      tile_layout (x, &rows, &cols);
      if (!somaif_figure_tiles (path_png, title, x->units, rows, cols, x->width, x->height,
                                protos, NULL, &err))
        return wrap_output_error (error, err);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Progress                                                            */

typedef struct
{
  SomaifProgressStyle style;
  gint64 start, last;
  int last_tenth;
} Progress;

static void
progress_show (Progress *p, gint64 epoch, gint64 epochs, gboolean final)
{
  if (p->style == SOMAIF_PROGRESS_NONE)
    return;
  gint64 now = g_get_monotonic_time ();
  double elapsed = (double) (now - p->start) / 1e6;
  double rate = elapsed > 0 ? (double) epoch / elapsed : 0.0;
  double left = rate > 0 ? (double) (epochs - epoch) / rate : 0.0;
  if (p->style == SOMAIF_PROGRESS_BAR)
    {
      if (!final && now - p->last < 100000)
        return;
      p->last = now;
      char bar[31];
      int filled = (int) (30.0 * (double) epoch / (double) epochs);
      for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : (i == filled ? '>' : '.');
      bar[30] = '\0';
      fprintf (stderr, "\r[%s] epoch %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
               "  %.0f epochs/s  %.1f s left   %s", bar, epoch, epochs, rate, left,
               final ? "\n" : "");
      fflush (stderr);
      return;
    }
  int tenth = (int) (10 * epoch / epochs);
  if (tenth > p->last_tenth)
    {
      p->last_tenth = tenth;
      fprintf (stderr, "somaif: epoch %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
               " (%d%%), %.0f epochs/s, %.1f s left\n", epoch, epochs,
               (int) (100 * epoch / epochs), rate, left);
    }
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

/* Sets this epoch's scheduled values; a row in schedules.csv when one changed. */
static gboolean
apply_schedules (SomaifExperiment *x, gint64 epoch, ScheduleLog *log, GError **error)
{
  gboolean changed = epoch == 0;
  g_array_set_size (log->values, 0);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      SomaifPart *part = &x->cfg->parts[k];
      for (int i = 0; i < part->params->n; i++)
        {
          if (!part->schedules[i])
            continue;
          double v = somaif_schedule_eval (part->schedules[i], epoch, x->cfg->epochs);
          if (epoch == 0 || v != x->last_value[k][i])
            {
              changed = TRUE;
              x->last_value[k][i] = v;
              if (part->plugin->head->set_param (x->inst[k], i, v) != 0)
                {
                  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                               "epoch %" G_GINT64_FORMAT ": %s plugin '%s' refused %s.%s = %g: %s",
                               epoch, part->group, part->plugin->head->name, part->group,
                               part->params->values[i].spec->name, v,
                               plugin_message (part, x->inst[k]));
                  return FALSE;
                }
            }
          g_array_append_val (log->values, v);
        }
    }
  if (changed && log->file.f)
    somaif_rundir_schedules_row (log->file.f, epoch, (const double *) (void *) log->values->data,
                                 (int) log->values->len);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Training                                                            */


static gboolean
method_failed (SomaifExperiment *x, GError **error, SomaifKind kind, const char *method,
               gint64 epoch, int goal)
{
  const SomaifPart *part = &x->cfg->parts[kind - 1];
  g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
               "epoch %" G_GINT64_FORMAT ", goal %d: %s plugin '%s' failed in %s: %s", epoch,
               goal, part->group, part->plugin->head->name, method,
               plugin_message (part, x->inst[kind - 1]));
  return FALSE;
}

/* Names the first stage whose output is not finite, for a NaN's message. */
static const char *
nan_stage (const SomaifExperiment *x, int c)
{
  const float *m = x->motor + (gsize) c * x->steps * x->motor_size;
  for (gsize i = 0; i < (gsize) x->steps * x->motor_size; i++)
    if (!isfinite (m[i]))
      return "the generator's motor commands";
  const double *p = x->points + (gsize) c * x->n_points * x->point_size;
  for (gsize i = 0; i < (gsize) x->n_points * x->point_size; i++)
    if (!isfinite (p[i]))
      return "the plant's points";
  const float *img = x->images + (gsize) c * x->n_pixels;
  for (int i = 0; i < x->n_pixels; i++)
    if (!isfinite (img[i]))
      return "the renderer's image";
  for (int i = 0; i < x->n_pixels; i++)
    if (!isfinite (x->goal_image[i]))
      return "the goal prototype";
  return "the free energy";
}

static guint64
config_hash (const SomaifExperiment *x)
{
  g_autofree char *text = somaif_config_resolved (x->cfg);
  return somaif_hash64 (text, strlen (text));
}

/* Writes outdir/checkpoint.bin: everything needed to go on at next_epoch. */
static gboolean
save_checkpoint (SomaifExperiment *x, const char *outdir, gint64 next_epoch, OutFile *metrics,
                 OutFile *schedules, GError **error)
{
  if (fflush (metrics->f) != 0 || fflush (schedules->f) != 0)
    {
      int e = errno;
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT,
                   "%s: write failed: %s", outdir, g_strerror (e));
      return FALSE;
    }
  SomaifCheckpoint ck = { 0 };
  ck.config_hash = config_hash (x);
  ck.next_epoch = next_epoch;
  ck.rng = x->rng;
  ck.metrics_bytes = ftello (metrics->f);
  ck.schedules_bytes = ftello (schedules->f);
  gboolean ok = TRUE;
  for (int k = 0; k < SOMAIF_N_PARTS && ok; k++)
    {
      const SomaifPart *part = &x->cfg->parts[k];
      ck.names[k] = (char *) part->plugin->head->name;
      ck.n_values[k] = part->params->n;
      ck.values[k] = x->last_value[k];
      if (part->plugin->head->save_state)
        {
          GByteArray *buf = g_byte_array_new ();
          if (part->plugin->head->save_state (x->inst[k], buf) != 0)
            {
              g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                           "%s plugin '%s' could not save its state: %s", part->group,
                           part->plugin->head->name, plugin_message (part, x->inst[k]));
              ok = FALSE;
            }
          ck.states[k] = g_byte_array_free_to_bytes (buf);
        }
    }
  g_autofree char *path = g_build_filename (outdir, "checkpoint.bin", NULL);
  ok = ok && somaif_checkpoint_write (path, &ck, error);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    if (ck.states[k])
      g_bytes_unref (ck.states[k]);
  return ok;
}

/* Restores a checkpoint into the instances; returns it for the output lengths. */
static SomaifCheckpoint *
load_checkpoint (SomaifExperiment *x, const char *outdir, GError **error)
{
  g_autofree char *path = g_build_filename (outdir, "checkpoint.bin", NULL);
  SomaifCheckpoint *ck = somaif_checkpoint_read (path, error);
  if (!ck)
    return NULL;
  if (ck->config_hash != config_hash (x))
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: written for another config than %s/config.cfg", path, outdir);
      goto fail;
    }
  if (ck->next_epoch > x->cfg->epochs)
    {
      g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                   "%s: at epoch %" G_GINT64_FORMAT ", past the run's %" G_GINT64_FORMAT,
                   path, ck->next_epoch, x->cfg->epochs);
      goto fail;
    }
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      const SomaifPart *part = &x->cfg->parts[k];
      const SomaifPluginHead *h = part->plugin->head;
      if (g_strcmp0 (ck->names[k], h->name) != 0 || ck->n_values[k] != part->params->n
          || (ck->states[k] != NULL) != (h->save_state != NULL))
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                       "%s: the %s was plugin '%s' when it was written, now '%s'", path,
                       part->group, ck->names[k], h->name);
          goto fail;
        }
      memcpy (x->last_value[k], ck->values[k], sizeof (double) * ck->n_values[k]);
      for (int i = 0; i < part->params->n; i++)
        if (part->schedules[i] && h->set_param (x->inst[k], i, x->last_value[k][i]) != 0)
          {
            g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                         "%s plugin '%s' refused %s.%s from the checkpoint: %s", part->group,
                         h->name, part->group, part->params->values[i].spec->name,
                         plugin_message (part, x->inst[k]));
            goto fail;
          }
      if (ck->states[k])
        {
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (ck->states[k], &len);
          if (!h->load_state || h->load_state (x->inst[k], data, len) != 0)
            {
              g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                           "%s: %s plugin '%s' refused its saved state: %s", path, part->group,
                           h->name, h->load_state ? plugin_message (part, x->inst[k])
                                                  : "it cannot load a state");
              goto fail;
            }
        }
    }
  x->rng = ck->rng;
  return ck;
fail:
  somaif_checkpoint_free (ck);
  return NULL;
}


static gboolean
train (SomaifExperiment *x, const char *outdir, SomaifProgressStyle style, GArray *mx,
       gboolean resume, GError **error)
{
  const SomaifConfig *cfg = x->cfg;
  gint64 epochs = cfg->epochs;
  gint64 every = cfg->snapshots > 0 ? MAX (1, epochs / cfg->snapshots) : 0;
  OutFile metrics = { 0 };
  ScheduleLog sched = { { 0 }, NULL };
  gboolean ok = FALSE;
  double *rewards = g_new (double, x->max_candidates);
  g_autofree char *snapdir = g_build_filename (outdir, "snapshots", NULL);
  Progress progress = { style, g_get_monotonic_time (), 0, 0 };
  gint64 first = 0;
  gint64 ck_every = cfg->checkpoint_every;

  if (resume)
    {
      SomaifCheckpoint *ck = load_checkpoint (x, outdir, error);
      if (!ck)
        goto out;
      first = ck->next_epoch;
      gint64 mb = ck->metrics_bytes, sb = ck->schedules_bytes;
      somaif_checkpoint_free (ck);
      if (!out_open (&metrics, outdir, "metrics.csv", mb, error)
          || !schedules_open (x, &sched, outdir, sb, error))
        goto out;
      /* The curves need every rollout so far: read back what is final. */
      fflush (metrics.f);
      GArray *before = somaif_rundir_read_metrics (outdir, error);
      if (!before)
        goto out;
      g_array_append_vals (mx, before->data, before->len);
      g_array_free (before, TRUE);
      progress.last_tenth = (int) (10 * first / epochs);
    }
  else
    {
      if (!out_open (&metrics, outdir, "metrics.csv", -1, error)
          || !schedules_open (x, &sched, outdir, -1, error))
        goto out;
      somaif_rundir_metrics_header (metrics.f);
    }
  if (every && !somaif_rundir_mkdir (snapdir, error))
    goto out;

  for (gint64 e = first; e < epochs; e++)
    {
      if (!apply_schedules (x, e, &sched, error))
        goto out;
      int g = (int) somaif_rng_below (&x->rng, (guint32) x->units);
      /* The goal is a copy: the map keeps learning during the rollouts. */
      gint64 t0 = now_ns ();
      x->per->prototype (x->inst[3], g, x->goal_image);
      gint64 t1 = now_ns ();
      x->stage_ns[SOMAIF_STAGE_PERCEIVER] += t1 - t0;
      prepare_goal (x);
      int n = 0;
      t0 = now_ns ();
      x->stage_ns[SOMAIF_STAGE_ACCURACY] += t0 - t1;
      int proposed = x->opt->propose (x->inst[4], g, x->states, &n);
      x->stage_ns[SOMAIF_STAGE_OPTIMISER] += now_ns () - t0;
      if (proposed != 0)
        {
          method_failed (x, error, SOMAIF_KIND_OPTIMISER, "propose", e, g);
          goto out;
        }
      if (n < 1 || n > x->max_candidates)
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                       "epoch %" G_GINT64_FORMAT ": optimiser '%s' proposed %d candidates, "
                       "not 1 to %d", e, x->opt->head.name, n, x->max_candidates);
          goto out;
        }
      if (!run_rollouts (x, n, TRUE, error))
        {
          g_prefix_error (error, "epoch %" G_GINT64_FORMAT ", goal %d: ", e, g);
          goto out;
        }
      for (int c = 0; c < n; c++)
        {
          int winner = -1;
          double dist = 0.0;
          t0 = now_ns ();
          int learned = x->per->learn (x->inst[3], x->images + (gsize) c * x->n_pixels,
                                       &winner, &dist);
          t1 = now_ns ();
          x->stage_ns[SOMAIF_STAGE_PERCEIVER] += t1 - t0;
          if (learned != 0)
            {
              method_failed (x, error, SOMAIF_KIND_PERCEIVER, "learn", e, g);
              goto out;
            }
          if (winner < 0 || winner >= x->units)
            {
              g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                           "epoch %" G_GINT64_FORMAT ": perceiver '%s' named unit %d of %d",
                           e, x->per->head.name, winner, x->units);
              goto out;
            }
          double acc = x->accuracy[c];
          double comp = complexity (x, winner, g);
          double fe = acc + comp;
          if (!isfinite (fe))
            {
              g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_NUMERIC,
                           "epoch %" G_GINT64_FORMAT ", goal %d, candidate %d: the free "
                           "energy is %g (accuracy %g, complexity %g): %s went non-finite",
                           e, g, c, fe, acc, comp, nan_stage (x, c));
              goto out;
            }
          rewards[c] = -fe;
          SomaifMetricsRow row = { e, g, c, winner, as_written (acc), as_written (comp), fe };
          g_array_append_val (mx, row);
          somaif_rundir_metrics_row (metrics.f, &row);
          x->stage_ns[SOMAIF_STAGE_OUTPUT] += now_ns () - t1;
        }
      if (ferror (metrics.f))
        {
          /* errno still holds the failed write's reason here, not later. */
          int e = errno ? errno : EIO;
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT,
                       "%s: write failed: %s", metrics.path, g_strerror (e));
          goto out;
        }
      t0 = now_ns ();
      int updated = x->opt->update (x->inst[4], g, n, rewards);
      x->stage_ns[SOMAIF_STAGE_OPTIMISER] += now_ns () - t0;
      if (updated != 0)
        {
          method_failed (x, error, SOMAIF_KIND_OPTIMISER, "update", e, g);
          goto out;
        }
      if (every && e % every == every - 1)
        {
          g_autofree char *name = g_strdup_printf ("prototypes-%06" G_GINT64_FORMAT, e + 1);
          g_autofree char *npy = g_strdup_printf ("%s/%s.npy", snapdir, name);
          g_autofree char *png = g_strdup_printf ("%s/%s.png", snapdir, name);
          g_autofree char *title = g_strdup_printf ("Prototypes after %" G_GINT64_FORMAT
                                                    " epochs", e + 1);
          t0 = now_ns ();
          if (!write_prototypes (x, npy, png, title, error))
            goto out;
          x->stage_ns[SOMAIF_STAGE_OUTPUT] += now_ns () - t0;
        }
      progress_show (&progress, e + 1, epochs, e + 1 == epochs);
      gboolean stopping = x->stop && *x->stop;
      if (stopping || e + 1 == epochs || (ck_every > 0 && (e + 1) % ck_every == 0))
        {
          t0 = now_ns ();
          if (!save_checkpoint (x, outdir, e + 1, &metrics, &sched.file, error))
            goto out;
          x->stage_ns[SOMAIF_STAGE_OUTPUT] += now_ns () - t0;
        }
      if (stopping && e + 1 < epochs)
        {
          if (style == SOMAIF_PROGRESS_BAR)
            fputc ('\n', stderr);
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_INTERRUPTED,
                       "interrupted after epoch %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                       "; the outputs so far and a checkpoint are in %s", e + 1, epochs,
                       outdir);
          goto out;
        }
    }
  ok = TRUE;
out:
  ok = out_close (&metrics, ok ? error : NULL) && ok;
  ok = out_close (&sched.file, ok ? error : NULL) && ok;
  if (sched.values)
    g_array_free (sched.values, TRUE);
  g_free (rewards);
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
  for (int g = 0; g < x->units; g++)
    {
      const float *img = drawings + (gsize) g * x->n_pixels;
      int best[2] = { -1, -1 };
      double d[2] = { 0, 0 };
      int status = x->per->best_two ? x->per->best_two (x->inst[3], img, best, d)
                                    : x->per->recognise (x->inst[3], img, &best[0], &d[0]);
      if (status != 0)
        return method_failed (x, error, SOMAIF_KIND_PERCEIVER,
                              x->per->best_two ? "best_two" : "recognise", x->cfg->epochs, g);
      qe += sqrt (fmax (d[0], 0.0));
      if (x->per->best_two)
        apart += x->per->distance (x->inst[3], best[0], best[1]) > G_SQRT2 + 1e-9;
    }
  qe /= x->units;
  if (x->per->best_two)
    te = (double) apart / x->units;
  summary->quantization_error = qe;
  summary->topographic_error = te;
  return somaif_rundir_write_quality (outdir, qe, te, error);
}

static gboolean
evaluate (SomaifExperiment *x, const char *outdir, SomaifSummary *summary, GError **error)
{
  int U = x->units;
  float *states = g_new (float, (gsize) U * x->state_size);
  float *drawings = g_new (float, (gsize) U * x->n_pixels);
  double *trajectories = g_new (double, (gsize) U * x->n_points * x->point_size);
  float *protos = all_prototypes (x);
  SomaifFinalRow *rows = g_new (SomaifFinalRow, U);
  gboolean ok = FALSE;
  double sum_acc = 0, sum_comp = 0;
  int recognised = 0;

  for (int g = 0; g < U; g++)
    if (x->opt->solution (x->inst[4], g, states + (gsize) g * x->state_size) != 0)
      {
        method_failed (x, error, SOMAIF_KIND_OPTIMISER, "solution", x->cfg->epochs, g);
        goto out;
      }
  /* Rollouts in batches of the epoch buffers' size. */
  for (int first = 0; first < U; first += x->max_candidates)
    {
      int n = MIN (x->max_candidates, U - first);
      memcpy (x->states, states + (gsize) first * x->state_size,
              sizeof (float) * (gsize) n * x->state_size);
      if (!run_rollouts (x, n, FALSE, error))
        {
          g_prefix_error (error, "final evaluation: ");
          goto out;
        }
      memcpy (drawings + (gsize) first * x->n_pixels, x->images,
              sizeof (float) * (gsize) n * x->n_pixels);
      memcpy (trajectories + (gsize) first * x->n_points * x->point_size, x->points,
              sizeof (double) * (gsize) n * x->n_points * x->point_size);
    }
  for (int g = 0; g < U; g++)
    {
      int winner = -1;
      double sq = 0;
      const float *img = drawings + (gsize) g * x->n_pixels;
      if (x->per->recognise (x->inst[3], img, &winner, &sq) != 0)
        {
          method_failed (x, error, SOMAIF_KIND_PERCEIVER, "recognise", x->cfg->epochs, g);
          goto out;
        }
      memcpy (x->goal_image, protos + (gsize) g * x->n_pixels, sizeof (float) * x->n_pixels);
      prepare_goal (x);
      double acc = cross_entropy (x, img);
      double comp = complexity (x, winner, g);
      double d = x->per->distance (x->inst[3], winner, g);
      rows[g] = (SomaifFinalRow) { g, winner, d, acc, comp };
      sum_acc += acc;
      sum_comp += comp;
      recognised += d == 0.0;
    }
  if (!somaif_rundir_write_final (outdir, rows, U, error))
    goto out;
  summary->final_accuracy = sum_acc / U;
  summary->final_complexity = sum_comp / U;
  summary->final_recognised = (double) recognised / U;
  if (!write_quality (x, drawings, outdir, summary, error))
    goto out;

  {
    g_autofree char *model = g_build_filename (outdir, "model", NULL);
    if (!somaif_rundir_mkdir (model, error))
      goto out;
    GError *err = NULL;
    g_autofree char *p1 = g_build_filename (model, "prototypes.npy", NULL);
    g_autofree char *p2 = g_build_filename (model, "initial_states.npy", NULL);
    g_autofree char *p3 = g_build_filename (model, "trajectories.npy", NULL);
    g_autofree char *p4 = g_build_filename (model, "drawings.npy", NULL);
    int s1[3] = { U, x->height, x->width };
    int s2[2] = { U, x->state_size };
    int s3[3] = { U, x->n_points, x->point_size };
    if (!somaif_rundir_write_npy_f32 (p1, protos, 3, s1, error)
        || !somaif_rundir_write_npy_f32 (p2, states, 2, s2, error)
        || !somaif_rundir_write_npy_f64 (p3, trajectories, 3, s3, error)
        || !somaif_rundir_write_npy_f32 (p4, drawings, 3, s1, error))
      goto out;
    if (x->gen->export_model && x->gen->export_model (x->inst[0], model, &err) != 0)
      {
        g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_OUTPUT,
                     "generator '%s' could not export its model: %s", x->gen->head.name,
                     err ? err->message : plugin_message (&x->cfg->parts[0], x->inst[0]));
        g_clear_error (&err);
        goto out;
      }
  }

  {
    int rows, cols;
    tile_layout (x, &rows, &cols);
    GError *err = NULL;
    g_autofree char *rep = g_build_filename (outdir, "repertoire.png", NULL);
    g_autofree char *pro = g_build_filename (outdir, "prototypes.png", NULL);
    if (!somaif_figure_tiles (rep, "Learned repertoire: prototypes (magenta), drawings (cyan)",
                              U, rows, cols, x->width, x->height, protos, drawings, &err)
        || !somaif_figure_tiles (pro, "Prototypes of the map", U, rows, cols, x->width,
                                 x->height, protos, NULL, &err))
      {
        wrap_output_error (error, err);
        goto out;
      }
  }
  ok = TRUE;
out:
  g_free (states);
  g_free (drawings);
  g_free (trajectories);
  g_free (protos);
  g_free (rows);
  return ok;
}

/* Saves each plugin's state into model/<group>.state, for --replay. */
static gboolean
save_states (SomaifExperiment *x, const char *outdir, GError **error)
{
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      const SomaifPart *part = &x->cfg->parts[k];
      if (!part->plugin->head->save_state)
        continue;
      GByteArray *buf = g_byte_array_new ();
      if (part->plugin->head->save_state (x->inst[k], buf) != 0)
        {
          g_byte_array_unref (buf);
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                       "%s plugin '%s' could not save its state: %s", part->group,
                       part->plugin->head->name, plugin_message (part, x->inst[k]));
          return FALSE;
        }
      g_autofree char *name = g_strdup_printf ("model/%s.state", part->group);
      g_autofree char *path = g_build_filename (outdir, name, NULL);
      gboolean ok = somaif_rundir_write (path, buf->data, buf->len, error);
      g_byte_array_unref (buf);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* curves.csv and curves.png, from every rollout so far. */
static gboolean
draw_curves (const GArray *mx, const char *outdir, GError **error)
{
  SomaifCurves c;
  somaif_rundir_curves ((const SomaifMetricsRow *) (void *) mx->data, mx->len, &c);
  g_autofree char *path = g_build_filename (outdir, "curves.png", NULL);
  GError *err = NULL;
  gboolean ok = somaif_rundir_write_curves (outdir, &c, error);
  ok = ok && (somaif_figure_curves (path, c.n_points, c.acc_mean, c.acc_band, c.comp_mean,
                                    c.comp_band, &err) || wrap_output_error (error, err));
  somaif_rundir_curves_clear (&c);
  return ok;
}

static void
tail_means (const GArray *mx, SomaifSummary *s)
{
  guint n = mx->len;
  guint from = n - MAX (1u, n / 20);
  double a = 0, c = 0;
  for (guint i = from; i < n; i++)
    {
      a += g_array_index (mx, SomaifMetricsRow, i).accuracy;
      c += g_array_index (mx, SomaifMetricsRow, i).complexity;
    }
  s->tail_accuracy = n ? a / (n - from) : NAN;
  s->tail_complexity = n ? c / (n - from) : NAN;
}

static gboolean
write_run_json (SomaifExperiment *x, const char *outdir, const char *started, double wall,
                GError **error)
{
  SomaifRunInfo info = { 0 };
  info.somaif = g_strdup (PACKAGE_VERSION);
  info.abi = g_strdup_printf ("%d.%d", SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR);
  info.config = g_strdup (x->cfg->path);
  info.started = g_strdup (started);
  info.threads = somaif_pool_threads (x->pool);
  info.wall_seconds = wall;
  info.command = g_strdup (x->command ? x->command : "");
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      info.plugin_names[k] = g_strdup (x->cfg->parts[k].plugin->head->name);
      info.plugin_files[k] = g_canonicalize_filename (x->cfg->parts[k].plugin->path, NULL);
    }
  gboolean ok = somaif_rundir_write_run (outdir, &info, error);
  somaif_rundir_run_info_clear (&info);
  return ok;
}

gboolean
somaif_experiment_run (SomaifExperiment *x, const char *outdir, SomaifProgressStyle progress,
                       gboolean resume, SomaifSummary *summary, GError **error)
{
  gint64 start = g_get_monotonic_time ();
  GDateTime *now = g_date_time_new_now_local ();
  g_autofree char *started = g_date_time_format_iso8601 (now);
  g_date_time_unref (now);
  GArray *mx = g_array_new (FALSE, FALSE, sizeof (SomaifMetricsRow));
  gboolean ok = FALSE;
  memset (summary, 0, sizeof *summary);

  if (!resume && !somaif_rundir_write_config (outdir, x->cfg, error))
    goto out;
  gint64 t_train = now_ns ();
  if (!train (x, outdir, progress, mx, resume, error))
    goto out;
  summary->train_seconds = (double) (now_ns () - t_train) / 1e9;
  summary->rollouts = mx->len;
  summary->epochs = x->cfg->epochs;
  gint64 t_final = now_ns ();
  tail_means (mx, summary);
  if (!evaluate (x, outdir, summary, error) || !save_states (x, outdir, error))
    goto out;
  if (!draw_curves (mx, outdir, error))
    goto out;

  x->stage_ns[SOMAIF_STAGE_OUTPUT] += now_ns () - t_final;
  for (int t = 0; t < somaif_pool_threads (x->pool); t++)
    for (int k = 0; k <= SOMAIF_STAGE_ACCURACY; k++)
      x->stage_ns[k] += x->task_ns[t][k];
  for (int k = 0; k < SOMAIF_N_STAGES; k++)
    summary->stage_seconds[k] = (double) x->stage_ns[k] / 1e9;
  summary->wall_seconds = (double) (g_get_monotonic_time () - start) / 1e6;
  ok = write_run_json (x, outdir, started, summary->wall_seconds, error);
out:
  g_array_free (mx, TRUE);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Replay                                                              */

gboolean
somaif_experiment_replay (SomaifExperiment *x, const char *dir, SomaifSummary *summary,
                          GError **error)
{
  memset (summary, 0, sizeof *summary);
  gint64 start = g_get_monotonic_time ();
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      const SomaifPart *part = &x->cfg->parts[k];
      const SomaifPluginHead *h = part->plugin->head;
      g_autofree char *name = g_strdup_printf ("model/%s.state", part->group);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!h->save_state)
        continue; /* nothing learned to restore: rebuilt from the config's seed */
      if (!h->load_state)
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                       "%s plugin '%s' cannot load its state", part->group, h->name);
          return FALSE;
        }
      g_autofree char *data = NULL;
      gsize len = 0;
      GError *err = NULL;
      if (!g_file_get_contents (path, &data, &len, &err))
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP, "%s", err->message);
          g_error_free (err);
          return FALSE;
        }
      if (h->load_state (x->inst[k], (const guint8 *) data, len) != 0)
        {
          g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP,
                       "%s: %s plugin '%s' refused this state: %s", path, part->group,
                       h->name, plugin_message (part, x->inst[k]));
          return FALSE;
        }
    }
  /* The run evaluated with its last epoch's scheduled values: set them again. */
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      const SomaifPart *part = &x->cfg->parts[k];
      for (int i = 0; i < part->params->n; i++)
        if (part->schedules[i])
          {
            double v = somaif_schedule_eval (part->schedules[i], x->cfg->epochs - 1,
                                             x->cfg->epochs);
            if (part->plugin->head->set_param (x->inst[k], i, v) != 0)
              {
                g_set_error (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_PLUGIN,
                             "%s plugin '%s' refused %s.%s = %g: %s", part->group,
                             part->plugin->head->name, part->group,
                             part->params->values[i].spec->name, v,
                             plugin_message (part, x->inst[k]));
                return FALSE;
              }
          }
    }
  if (!evaluate (x, dir, summary, error))
    return FALSE;
  GArray *mx = somaif_rundir_read_metrics (dir, error);
  gboolean ok = mx && draw_curves (mx, dir, error);
  if (ok)
    tail_means (mx, summary);
  if (mx)
    g_array_free (mx, TRUE);
  summary->wall_seconds = (double) (g_get_monotonic_time () - start) / 1e6;
  return ok;
}
