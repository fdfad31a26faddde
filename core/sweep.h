/* sweep.h: a parameter sweep: the combinations of a sweep file, their run
 * folders, and the statistics summarising them (used by somaif-sweep). */
#ifndef SOMAIF_SWEEP_H
#define SOMAIF_SWEEP_H

#include <glib.h>

G_BEGIN_DECLS

/* One varied key and its values. */
typedef struct
{
  char *key;      /* "experiment.beta" */
  char *label;    /* its name in folder names: the last part ("beta"), or
                     the whole key when two varied keys share a last part */
  int n_values;
  char **values;  /* config text of each value, as --set takes it: "4.0" */
  char **names;   /* each value in a folder name, sanitised: "4" */
} SomaifSweepAxis;

typedef struct
{
  char *path;     /* the sweep file (or the name given for text) */
  char *name;     /* its file name without .cfg: names the default output folder */
  char *base;     /* the base config's path, resolved */
  int n_axes;
  SomaifSweepAxis *axes;
  int n_seeds;
  gint64 *seeds;
  int threads;    /* threads per run */
  int n_combos;   /* product of the axes' value counts (1 with no axis) */
  /* figure = { column = "distance"; against = "beta"; log = true; }: a
   * second picture, of a summary column against a varied key */
  int figure_stat;     /* a SomaifSweepStat; -1: no such figure */
  int figure_axis;     /* the varied key on x (its values are numbers) */
  gboolean figure_log; /* x on a log scale (the values are > 0) */
  int output_level;    /* the runs' experiment.output (SomaifOutputLevel) */
} SomaifSweep;

/* Reads a sweep file:
 *   base = "quick.cfg";   (relative to the sweep file's folder, or an
 *                          installed config's name as somaif-run takes it)
 *   vary = ( { key = "experiment.beta"; values = [4.0, 8.0]; }, ... );
 *   seeds = { from = 1; count = 4; };   (or a list [1, 5, 9]; default:
 *                                        the base config's own seed)
 *   threads = 1;                        (threads per run)
 *   figure = { column = "distance"; against = "beta"; log = true; };
 *                    (optional: sweep-COLUMN.png, the column's mean and 95%
 *                     interval against a varied key of numbers, named by
 *                     its key or its label; log: a log x axis)
 *   output = "lean";   (the runs' experiment.output: full, compact or lean;
 *                       default lean)
 * A path naming no file, without a '/', is looked for as NAME.cfg among the
 * installed configs (as somaif-run finds a config).
 * Checks its form only; somaif_config_load() judges the values. */
SomaifSweep *somaif_sweep_load (const char *path, GError **error);
/* The same from text; relative base paths are taken from path's folder. */
SomaifSweep *somaif_sweep_load_data (const char *text, const char *path, GError **error);
void somaif_sweep_free (SomaifSweep *sweep);

/* Runs are numbered combo * n_seeds + seed index; combinations in row-major
 * order of the axes (the first axis varies slowest). */
int somaif_sweep_n_runs (const SomaifSweep *sweep);
/* Each axis's value index for combination combo (index: n_axes ints). */
void somaif_sweep_combo_indices (const SomaifSweep *sweep, int combo, int *index);
/* "beta=4-units=10" ("base" with no axis). */
char *somaif_sweep_combo_name (const SomaifSweep *sweep, int combo);
/* The run's folder name: "beta=4-units=10-seed=1". */
char *somaif_sweep_run_name (const SomaifSweep *sweep, int run);
gint64 somaif_sweep_run_seed (const SomaifSweep *sweep, int run);
/* The run's overrides, NULL-terminated "key=value" (g_strfreev). */
char **somaif_sweep_combo_sets (const SomaifSweep *sweep, int combo);
/* The --set that gives each run the sweep's output level
 * ("experiment.output=\"lean\""), NULL when an axis varies it. */
char *somaif_sweep_output_set (const SomaifSweep *s);
/* What somaif-run gets for a run of combo: the output set, then the combo's
 * (NULL-terminated, g_strfreev). */
char **somaif_sweep_run_sets (const SomaifSweep *s, int combo);
/* Text of a sweep file that enumerates the same runs, base as an absolute
 * path and seeds as a list (written into the output folder as sweep.cfg). */
char *somaif_sweep_resolved (const SomaifSweep *sweep);

/* Makes text usable in a file name: keeps ASCII letters, digits and ._+-,
 * and writes one '_' for each run of anything else; a text of nothing or
 * only dots gets a '_' added. */
char *somaif_sweep_sanitise (const char *text);

typedef enum
{
  SOMAIF_SWEEP_RUN_NEW,          /* start fresh (--force over what is there) */
  SOMAIF_SWEEP_RUN_INTERRUPTED,  /* checkpoint.bin but no run.json: --resume */
  SOMAIF_SWEEP_RUN_DONE          /* run.json and a whole final.csv: skip */
} SomaifSweepRunState;

SomaifSweepRunState somaif_sweep_run_state (const char *dir);
/* The state of the sweep's run in dir: a folder whose config.cfg is not
 * this run's (another base config or other values) is NEW, to be replaced. */
SomaifSweepRunState somaif_sweep_run_state_of (const SomaifSweep *sweep, int run,
                                               const char *dir);
/* Is dir/config.cfg the resolved config of the sweep's run?  The error says
 * it is another's. */
gboolean somaif_sweep_check_config (const SomaifSweep *sweep, int run, const char *dir,
                                    GError **error);

/* Quantile p of Student's t with df > 0 degrees of freedom. */
double somaif_t_quantile (double p, double df);
/* Mean of x[0..n) and the half-width of its 95% Student-t interval
 * (t_{0.975, n-1} s / sqrt(n), s the sample std); n = 1: half-width NaN;
 * n = 0: both NaN. */
void somaif_mean_ci95 (const double *x, int n, double *mean, double *half);

/* The mean across n runs of their curves (curve[k] has n_points[k] points)
 * over the length they share, and the 95% Student-t half-width at each
 * point.  Returns that length; *mean and *band are g_new'd (NULL for 0). */
int somaif_sweep_mean_curves (int n, const int *n_points, double *const *curve, double **mean,
                              double **band);

/* The numbers summary.csv gives for each combination, in its order. */
typedef enum
{
  SOMAIF_SWEEP_ACCURACY,     /* the mean over goals of final.csv's accuracy */
  SOMAIF_SWEEP_COMPLEXITY,   /* ... of its complexity */
  SOMAIF_SWEEP_WALL_SECONDS, /* run.json's wall_seconds */
  SOMAIF_SWEEP_DISTANCE,     /* the mean over goals of final.csv's distance */
  SOMAIF_SWEEP_RECOGNISED,   /* the share of goals whose winner is the goal */
  SOMAIF_SWEEP_N_STATS
} SomaifSweepStat;

/* "accuracy", "complexity", ... as summary.csv's columns name them. */
const char *somaif_sweep_stat_name (SomaifSweepStat stat);

/* A finished run's numbers, stats[SOMAIF_SWEEP_N_STATS]. */
gboolean somaif_sweep_read_run (const char *dir, double *stats, GError **error);

/* Writes outdir/summary.csv (a row per combination: its values, runs, and
 * the mean and 95% half-width of each SomaifSweepStat over its finished
 * runs), outdir/sweep.png (each combination's learning curves, mean across
 * seeds with the 95% band) and, when the sweep asks for it,
 * outdir/sweep-COLUMN.png.  *n_missing: runs not finished. */
gboolean somaif_sweep_summarise (const SomaifSweep *sweep, const char *outdir, int *n_missing,
                                 GError **error);

G_END_DECLS

#endif
