/* experiment.h: the instances of a run and its epoch loop (docs/design.md). */
#ifndef SOMAIF_EXPERIMENT_H
#define SOMAIF_EXPERIMENT_H

#include <glib.h>
#include <signal.h>

#include "host.h"

#define SOMAIF_RUN_ERROR (somaif_run_error_quark ())
GQuark somaif_run_error_quark (void);
typedef enum
{
  SOMAIF_RUN_ERROR_SETUP,   /* an instance could not be created, sizes disagree */
  SOMAIF_RUN_ERROR_PLUGIN,  /* a plugin method failed */
  SOMAIF_RUN_ERROR_NUMERIC, /* NaN or Inf */
  SOMAIF_RUN_ERROR_OUTPUT,  /* a file could not be written */
  SOMAIF_RUN_ERROR_INTERRUPTED /* stopped by a signal; a checkpoint was written */
} SomaifRunError;

typedef struct SomaifExperiment SomaifExperiment;

/* Called after each epoch with the epochs done, the epoch this run (or
 * resumed segment) started at, and the run's epochs.  The library prints
 * nothing: the program renders progress as it likes. */
typedef void (*SomaifProgressFunc) (gint64 done, gint64 first, gint64 epochs, gpointer data);

/* Where the time went: seconds summed over threads for the parallel stages
 * (generator, plant, renderer, accuracy), wall seconds for the others. */
typedef enum
{
  SOMAIF_STAGE_GENERATOR,
  SOMAIF_STAGE_PLANT,
  SOMAIF_STAGE_RENDERER,
  SOMAIF_STAGE_ACCURACY,
  SOMAIF_STAGE_PERCEIVER,
  SOMAIF_STAGE_OPTIMISER,
  SOMAIF_STAGE_ROLLOUTS,  /* wall time of the parallel section */
  SOMAIF_STAGE_OUTPUT,    /* CSV rows, snapshots, the final outputs and figures */
  SOMAIF_N_STAGES
} SomaifStage;

typedef struct
{
  double wall_seconds;
  double train_seconds;     /* the epoch loop alone */
  double stage_seconds[SOMAIF_N_STAGES];
  gint64 epochs;
  gint64 rollouts;          /* during training */
  double final_accuracy;    /* mean over goals of final.csv's accuracy */
  double final_complexity;  /* mean over goals of final.csv's complexity */
  double final_recognised;  /* share of goals recognised as themselves */
  double quantization_error;
  double topographic_error; /* NaN when the perceiver has no best_two */
  double tail_accuracy;     /* mean over the last 5% of rollouts */
  double tail_complexity;
} SomaifSummary;

/* Creates every instance (taking ownership of config) and checks that the
 * parts' sizes agree. */
SomaifExperiment *somaif_experiment_new (SomaifConfig *config, int threads, GError **error);
void somaif_experiment_free (SomaifExperiment *x);
const SomaifConfig *somaif_experiment_config (const SomaifExperiment *x);
/* Bytes the run allocates besides the plugins' own (checked against the
 * memory limits when it was created). */
guint64 somaif_experiment_memory_need (const SomaifExperiment *x);
/* After each epoch the loop reads *flag; when set it writes a checkpoint
 * and stops with SOMAIF_RUN_ERROR_INTERRUPTED. */
void somaif_experiment_set_stop_flag (SomaifExperiment *x, volatile sig_atomic_t *flag);
void somaif_experiment_set_progress (SomaifExperiment *x, SomaifProgressFunc func,
                                     gpointer data);
/* The command line recorded in run.json. */
void somaif_experiment_set_command (SomaifExperiment *x, const char *command);

/* Trains for the configured epochs, writing the outputs into outdir (which
 * exists), with a checkpoint every experiment.checkpoint_every epochs and at
 * the end; then evaluates, saves the model and draws the figures.  resume:
 * go on from outdir/checkpoint.bin, cutting the outputs back to it. */
gboolean somaif_experiment_run (SomaifExperiment *x, const char *outdir, gboolean resume,
                                SomaifSummary *summary, GError **error);

/* Restores the learned state saved in dir/model and redraws final.csv and
 * the figures without training (curves from dir/metrics.csv). */
gboolean somaif_experiment_replay (SomaifExperiment *x, const char *dir,
                                   SomaifSummary *summary, GError **error);

#endif
