/* host.h: the host's API (not installed, unlike somaif/plugin.h): reading, validating
 * and writing experiment configs. */
#ifndef SOMAIF_HOST_H
#define SOMAIF_HOST_H

#include <glib.h>
#include <libconfig.h>

#include "loader.h"
#include "params-private.h"
#include "schedule.h"
#include "somaif/plugin.h"

#define SOMAIF_CONFIG_ERROR (somaif_config_error_quark ())
GQuark somaif_config_error_quark (void);
typedef enum
{
  SOMAIF_CONFIG_ERROR_SYNTAX,
  SOMAIF_CONFIG_ERROR_INVALID,
  SOMAIF_CONFIG_ERROR_USAGE
} SomaifConfigError;

#define SOMAIF_N_PARTS 5

typedef struct
{
  SomaifKind kind;
  const char *group;      /* "generator", ... */
  int line;               /* of the group */
  SomaifPlugin *plugin;
  SomaifParams *params;
  SomaifSchedule **schedules; /* per parameter; NULL where not schedulable */
} SomaifPart;

typedef struct
{
  char *path;   /* as given */
  char *dir;    /* its folder, for relative paths */
  char *name;   /* file name without .cfg: names the default output folder */
  SomaifParams *experiment;
  gint64 epochs, seed, steps, snapshots, checkpoint_every;
  double beta;
  int output_level;       /* SomaifOutputLevel: what the run folder keeps */
  gboolean gzip_metrics;  /* metrics.csv becomes metrics.csv.gz at the end */
  SomaifPart parts[SOMAIF_N_PARTS]; /* in SomaifKind order */
} SomaifConfig;

/* experiment.output: what a run folder keeps (docs/run-folder.md). */
typedef enum
{
  SOMAIF_OUTPUT_FULL,    /* everything */
  SOMAIF_OUTPUT_COMPACT, /* no snapshots, no checkpoint once done, metrics.csv.gz */
  SOMAIF_OUTPUT_LEAN     /* the results alone: no metrics, figures nor plugin states */
} SomaifOutputLevel;

/* The level named name ("full", "compact", "lean"), or -1. */
int somaif_output_level_parse (const char *name);
const char *somaif_output_level_name (int level);

/* The experiment group's declared keys. */
extern const SomaifParamSpec somaif_experiment_params[];

/* Reads and validates path; sets is a NULL-terminated array of "key.path=value"
 * overrides (NULL: none); seed >= 0 overrides experiment.seed.  Loads each
 * part's plugin and validates its group against the plugin's declaration. */
SomaifConfig *somaif_config_load (const char *path, const char *const *sets, gint64 seed,
                                  GError **error);
void somaif_config_free (SomaifConfig *config);

/* Finds a config named by a command line (dir NULL: the current folder) or
 * by a file in folder dir: name as a path from dir when that exists or name
 * holds a '/', else name (".cfg" added when missing) in $SOMAIF_CONFIGS_DIR,
 * then in the installed configs; else the path from dir, for the error. */
char *somaif_config_find (const char *name, const char *dir);

/* The resolved config: every key with its value, defaults filled. */
char *somaif_config_resolved (const SomaifConfig *config);

/* Helpers shared with schedule.c. */
void somaif_config_error (GError **error, const char *file, int line, const char *key,
                          const char *message);
void somaif_config_unknown_key (GError **error, const char *file, int line, const char *key,
                                const char *name, const char *const *valid, int n_valid);
void somaif_config_append_float (GString *out, double v);
/* A string in double quotes, escaped as libconfig reads it. */
void somaif_config_append_string (GString *out, const char *s);
/* The valid name closest to name, or NULL when none is close. */
const char *somaif_closest_name (const char *name, const char *const *valid, int n_valid);

const char *somaif_kind_name (SomaifKind kind);

/* Reads a config of plain groups, none naming a plugin: path (NULL: only
 * defaults) with the --set overrides sets, each group names[g] validated
 * against what params[g] (from somaif_params_new) declares; other groups are
 * refused.  Errors name file:line and the key, as somaif_config_load's. */
gboolean somaif_config_read_plain (const char *path, const char *const *sets, int n_groups,
                                   const char *const *names, SomaifParams *const *params,
                                   GError **error);

#endif
