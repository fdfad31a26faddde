/* rundir.h: a run folder: every file in it is written and read here, as
 * docs/run-folder.md describes them. */
#ifndef SOMAIF_RUNDIR_H
#define SOMAIF_RUNDIR_H

#include <glib.h>
#include <stdio.h>

#include "host.h"

G_BEGIN_DECLS

/* run.json's "schema": raised when a field changes meaning or goes away. */
#define SOMAIF_RUNDIR_SCHEMA 1

#define SOMAIF_RUNDIR_ERROR (somaif_rundir_error_quark ())
GQuark somaif_rundir_error_quark (void);
typedef enum
{
  SOMAIF_RUNDIR_ERROR_WRITE, /* a file could not be created or written */
  SOMAIF_RUNDIR_ERROR_READ,  /* a file is missing or unreadable */
  SOMAIF_RUNDIR_ERROR_PARSE, /* a file is not in its documented form */
  SOMAIF_RUNDIR_ERROR_LOCKED, /* another process holds the folder */
  SOMAIF_RUNDIR_ERROR_REFUSED /* a link, or not a run folder where one must be */
} SomaifRundirError;

/* ---- the folder ---- */

#define SOMAIF_RUNDIR_LOCK_FILE "somaif.lock"

typedef struct SomaifRundirLock SomaifRundirLock;
/* Takes an exclusive lock on dir (flock on dir/somaif.lock), held until
 * somaif_rundir_unlock() or the process ends, and records "host HOST pid PID"
 * in the file.  While another process holds it: SOMAIF_RUNDIR_ERROR_LOCKED,
 * naming the holder. */
SomaifRundirLock *somaif_rundir_lock (const char *dir, GError **error);
void somaif_rundir_unlock (SomaifRundirLock *lock);
/* Does dir hold a run: config.cfg with run.json or checkpoint.bin, or the
 * lock file? */
gboolean somaif_rundir_holds_run (const char *dir);
/* Does dir hold anything but its lock file? */
gboolean somaif_rundir_has_files (const char *dir);
/* Removes what a run writes, and nothing else (for --force). */
gboolean somaif_rundir_clear (const char *dir, GError **error);
/* Creates parent/name, or parent/name-2, -3, ... when taken, exclusively:
 * two runs never share it.  Returns its path. */
char *somaif_rundir_make_unique (const char *parent, const char *name, GError **error);
/* SOMAIF_RUNDIR_ERROR_REFUSED when path is a symbolic link. */
gboolean somaif_rundir_check_not_link (const char *path, GError **error);

/* ---- creating files: the only place a file of a run folder is created ---- */

/* Opens path for writing (creating it), as a file descriptor: every other
 * writer here, the checkpoint's and the figures' come through this one.
 * truncate: empty it; otherwise keep what it holds.  A symbolic link is
 * never written through. */
int somaif_rundir_create (const char *path, gboolean truncate, GError **error);
/* Opens path for writing: keep < 0 creates it empty; keep >= 0 cuts an
 * existing file back to keep bytes (a resumed run) and writes at its end. */
FILE *somaif_rundir_open (const char *path, gint64 keep, GError **error);
/* Closes f, turning a failed write into an error naming path. */
gboolean somaif_rundir_close (FILE *f, const char *path, GError **error);
/* Writes a whole file: a temporary file beside it renamed into place. */
gboolean somaif_rundir_write (const char *path, const void *data, gsize length,
                              GError **error);
/* Creates a folder (and its parents); refuses one that is a link. */
gboolean somaif_rundir_mkdir (const char *path, GError **error);

/* ---- output levels (experiment.output): what a finished run keeps ---- */

typedef enum
{
  SOMAIF_RUNDIR_KEEP_SNAPSHOTS = 1 << 0,  /* snapshots/ */
  SOMAIF_RUNDIR_KEEP_FIGURES = 1 << 1,    /* curves.png, repertoire.png, prototypes.png */
  SOMAIF_RUNDIR_KEEP_METRICS = 1 << 2,    /* metrics.csv (or .gz) after the run */
  SOMAIF_RUNDIR_KEEP_SCHEDULES = 1 << 3,  /* schedules.csv after the run */
  SOMAIF_RUNDIR_KEEP_DRAWINGS = 1 << 4,   /* model/drawings.npy, model/trajectories.npy */
  SOMAIF_RUNDIR_KEEP_STATES = 1 << 5,     /* model/GROUP.state (what --replay loads) */
  SOMAIF_RUNDIR_KEEP_CHECKPOINT = 1 << 6  /* checkpoint.bin after the run */
} SomaifRundirKeep;

/* The SomaifRundirKeep flags of an output level (a SomaifOutputLevel). */
guint somaif_rundir_level_keeps (int level);
/* Ends a finished run's folder (after run.json): metrics.csv compressed into
 * metrics.csv.gz when gzip is set or the level asks for it, and the files the
 * level does not keep removed.  Until then a run keeps what --resume needs. */
gboolean somaif_rundir_finish (const char *dir, int level, gboolean gzip, GError **error);

/* ---- metrics.csv: one row a rollout ---- */

typedef struct
{
  gint64 epoch;
  int goal;          /* the map unit whose prototype was the goal */
  int candidate;     /* 0 .. candidates proposed this epoch - 1 */
  int winner;        /* the unit that recognised the drawing */
  double accuracy;   /* cross-entropy against the goal, nats */
  double complexity; /* nats */
  double free_energy;
} SomaifMetricsRow;

void somaif_rundir_metrics_header (FILE *f);
void somaif_rundir_metrics_row (FILE *f, const SomaifMetricsRow *row);
/* Every row of dir/metrics.csv, or of dir/metrics.csv.gz when there is no
 * metrics.csv (a GArray of SomaifMetricsRow). */
GArray *somaif_rundir_read_metrics (const char *dir, GError **error);

/* ---- learning curves (curves.csv, curves.png, sweep.png) ---- */

/* A visit is one epoch: its rollouts towards its one goal (however many
 * candidates the optimiser proposed).  Each goal's visits are averaged in
 * order; point i is the mean across goals of their visit i, and its band the
 * half-width 1.96 * std / sqrt(goals) (population std, as numpy), over as
 * many visits as the least visited goal has.  Goals never visited are left
 * out. */
typedef struct
{
  int n_points;
  int goals;          /* goals averaged at each point */
  double *acc_mean, *acc_band, *comp_mean, *comp_band; /* n_points each */
} SomaifCurves;

/* Rows must be in the order written (epochs ascending). */
void somaif_rundir_curves (const SomaifMetricsRow *rows, gsize n, SomaifCurves *curves);
void somaif_rundir_curves_clear (SomaifCurves *curves);
gboolean somaif_rundir_write_curves (const char *dir, const SomaifCurves *curves,
                                     GError **error);
/* Reads dir/curves.csv back. */
gboolean somaif_rundir_read_curves (const char *dir, SomaifCurves *curves, GError **error);

/* ---- final.csv and quality.csv ---- */

typedef struct
{
  int goal, winner;
  double distance;   /* between winner and goal on the map */
  double accuracy, complexity;
} SomaifFinalRow;

gboolean somaif_rundir_write_final (const char *dir, const SomaifFinalRow *rows, int n,
                                    GError **error);
/* final.csv's rows (a GArray of SomaifFinalRow); at least one. */
GArray *somaif_rundir_read_final (const char *dir, GError **error);
gboolean somaif_rundir_write_quality (const char *dir, double quantization_error,
                                      double topographic_error, GError **error);

/* ---- schedules.csv: a row at epoch 0 and whenever a scheduled value changes ---- */

/* names: "group.key" of each scheduled parameter, n of them. */
void somaif_rundir_schedules_header (FILE *f, const char *const *names, int n);
void somaif_rundir_schedules_row (FILE *f, gint64 epoch, const double *values, int n);

/* ---- config.cfg and config.json ---- */

/* Writes the resolved config as config.cfg and the same as config.json. */
gboolean somaif_rundir_write_config (const char *dir, const SomaifConfig *cfg,
                                     GError **error);
/* The JSON text of a libconfig text (groups as objects, lists and arrays as
 * arrays), NULL when text does not parse. */
char *somaif_rundir_config_json (const char *text, GError **error);

/* ---- model/ ---- */

gboolean somaif_rundir_write_npy_f32 (const char *path, const float *data, int ndim,
                                      const int *shape, GError **error);
/* The first dimension of a .npy file's shape (read from its header), or -1. */
int somaif_rundir_npy_rows (const char *path, GError **error);
/* Is dir/final.csv whole: a row per goal of model/prototypes.npy?  The
 * error says what is missing or short. */
gboolean somaif_rundir_check_final (const char *dir, GError **error);
gboolean somaif_rundir_write_npy_f64 (const char *path, const double *data, int ndim,
                                      const int *shape, GError **error);
/* Reads a float32 .npy of ndim (<= 4) dimensions as the writer above writes
 * it (version 1.0, little-endian, C order) into shape. */
float *somaif_rundir_read_npy_f32 (const char *path, int ndim, int *shape, GError **error);
/* The bytes of dir/model/GROUP.state; NULL without an error when there is
 * none. */
GBytes *somaif_rundir_read_state (const char *dir, const char *group, GError **error);

/* ---- segments.json and run.json: provenance ---- */

/* One stretch of a run: the first start, then each --resume. */
typedef struct
{
  char *started;       /* ISO 8601, local time with offset */
  double wall_seconds;
  int threads;
  char *command;
  char *simd;          /* the vector unit of the kernels (somaif_simd_name) */
  char *cpu;           /* the CPU's model */
} SomaifRunSegment;

void somaif_run_segment_clear (SomaifRunSegment *segment);
/* Writes dir/segments.json, the segments so far (rewritten at each checkpoint). */
gboolean somaif_rundir_write_segments (const char *dir, const SomaifRunSegment *segments, int n,
                                       GError **error);
/* The segments of dir/segments.json (a GArray of SomaifRunSegment, with
 * its clear function set); empty when the file is missing. */
GArray *somaif_rundir_read_segments (const char *dir, GError **error);
/* An empty GArray of SomaifRunSegment that clears them when freed. */
GArray *somaif_rundir_segments_new (void);

typedef struct
{
  int schema;          /* 0: written before the field existed */
  char *somaif;        /* version */
  char *abi;           /* "MAJOR.MINOR" */
  char *config;        /* the config as given */
  char *started;       /* ISO 8601: the first segment's start */
  int threads;         /* the last segment's */
  double wall_seconds; /* summed over the segments */
  char *command;       /* the last segment's */
  char *simd;          /* the last segment's vector unit */
  char *cpu;           /* the last segment's CPU */
  const SomaifRunSegment *segments;  /* written only; NULL: none */
  int n_segments;
  char *plugin_names[SOMAIF_N_PARTS];  /* in SomaifKind order */
  char *plugin_files[SOMAIF_N_PARTS];
} SomaifRunInfo;

gboolean somaif_rundir_write_run (const char *dir, const SomaifRunInfo *info, GError **error);
gboolean somaif_rundir_read_run (const char *dir, SomaifRunInfo *info, GError **error);
void somaif_rundir_run_info_clear (SomaifRunInfo *info);

G_END_DECLS

#endif
