/* experiment.h: the instances of a run and its epoch loop. */
#ifndef SOMAIF_EXPERIMENT_H
#define SOMAIF_EXPERIMENT_H

#include <glib.h>

#include "config-private.h"

#define SOMAIF_RUN_ERROR (somaif_run_error_quark ())
GQuark somaif_run_error_quark (void);
typedef enum
{
  SOMAIF_RUN_ERROR_SETUP,   /* an instance could not be created, sizes disagree */
  SOMAIF_RUN_ERROR_PLUGIN,  /* a plugin method failed */
  SOMAIF_RUN_ERROR_NUMERIC, /* NaN or Inf */
  SOMAIF_RUN_ERROR_OUTPUT   /* a file could not be written */
} SomaifRunError;

typedef struct SomaifExperiment SomaifExperiment;

typedef enum
{
  SOMAIF_PROGRESS_NONE,   /* --quiet */
  SOMAIF_PROGRESS_LINES,  /* a line every tenth of the run (not a terminal) */
  SOMAIF_PROGRESS_BAR     /* a bar redrawn on a terminal */
} SomaifProgressStyle;

typedef struct
{
  double wall_seconds;
  double final_accuracy;    /* mean over goals of final.csv's accuracy */
  double final_complexity;  /* mean over goals of final.csv's complexity */
  double final_recognised;  /* share of goals recognised as themselves */
  double tail_accuracy;     /* mean over the last 5% of rollouts */
  double tail_complexity;
} SomaifSummary;

/* Creates every instance (taking ownership of config) and checks that the
 * parts' sizes agree. */
SomaifExperiment *somaif_experiment_new (SomaifConfig *config, int threads, GError **error);
void somaif_experiment_free (SomaifExperiment *x);
const SomaifConfig *somaif_experiment_config (const SomaifExperiment *x);
/* The command line recorded in run.json. */
void somaif_experiment_set_command (SomaifExperiment *x, const char *command);

/* Trains for the configured epochs, writing the outputs into outdir (which
 * exists), then evaluates, saves the model and draws the figures. */
gboolean somaif_experiment_run (SomaifExperiment *x, const char *outdir,
                                SomaifProgressStyle progress, SomaifSummary *summary,
                                GError **error);

/* Restores the learned state saved in dir/model and redraws final.csv and
 * the figures without training (curves from dir/metrics.csv). */
gboolean somaif_experiment_replay (SomaifExperiment *x, const char *dir,
                                   SomaifSummary *summary, GError **error);

#endif
