/* checkpoint.h: the whole state of a run between two epochs, on disk. */
#ifndef SOMAIF_CHECKPOINT_H
#define SOMAIF_CHECKPOINT_H

#include <glib.h>

#include "host.h"
#include "somaif/plugin.h"

#define SOMAIF_CHECKPOINT_PARTS 5

typedef struct
{
  guint64 config_hash;     /* of the resolved config text */
  gint64 next_epoch;       /* the first epoch still to run */
  SomaifRng rng;           /* the core's own stream */
  gint64 metrics_bytes;    /* final length of metrics.csv */
  gint64 schedules_bytes;  /* final length of schedules.csv */
  char *names[SOMAIF_CHECKPOINT_PARTS];      /* plugin names */
  int n_values[SOMAIF_CHECKPOINT_PARTS];     /* scheduled parameters' last values */
  double *values[SOMAIF_CHECKPOINT_PARTS];
  GBytes *states[SOMAIF_CHECKPOINT_PARTS];   /* save_state() of each, or NULL */
} SomaifCheckpoint;

/* 64-bit FNV-1a, for the config's identity. */
guint64 somaif_hash64 (const void *data, gsize length);

/* Writes atomically: a temporary file, fsync, rename, fsync of the folder;
 * a crash leaves the previous checkpoint whole. */
gboolean somaif_checkpoint_write (const char *path, const SomaifCheckpoint *ck, GError **error);
/* The same in two steps: ck's bytes without their checksum, then the
 * checksum added to them and the whole written as above (from any thread:
 * it touches nothing but b and the file). */
GByteArray *somaif_checkpoint_encode (const SomaifCheckpoint *ck);
gboolean somaif_checkpoint_write_bytes (const char *path, GByteArray *b, GError **error);

/* Reads and checks magic, format version, length and checksum. */
SomaifCheckpoint *somaif_checkpoint_read (const char *path, GError **error);
SomaifCheckpoint *somaif_checkpoint_parse (const guint8 *data, gsize length, const char *path,
                                           GError **error);
void somaif_checkpoint_free (SomaifCheckpoint *ck);

/* ---- a run's parts: their parameters and states, and their checkpoint ---- */

typedef struct
{
  const SomaifPart *part;   /* the config's: plugin, parameters, schedules */
  void *inst;               /* the plugin's instance */
  double *values;           /* its parameters' last values (part->params->n) */
} SomaifCheckpointPart;

/* The plugin's reason for its last failure, or "no reason given". */
const char *somaif_part_message (const SomaifPart *part, const void *inst);
/* set_param(), failing with an error that names the plugin, key and value. */
gboolean somaif_part_set_param (const SomaifPart *part, void *inst, int index, double value,
                                GError **error);
/* save_state() into new bytes; NULL with an error that names the plugin. */
GBytes *somaif_part_save_state (const SomaifPart *part, void *inst, GError **error);
/* The config's identity: a hash of its resolved text. */
guint64 somaif_config_hash (const SomaifConfig *cfg);

/* A checkpoint's bytes, for somaif_checkpoint_write_bytes: ck's counts and
 * random stream and the parts' names, values and states (filled in here,
 * the states saved on the calling thread); NULL with an error when a part
 * cannot save its state. */
GByteArray *somaif_checkpoint_prepare (SomaifCheckpoint *ck, const SomaifConfig *cfg,
                                       const SomaifCheckpointPart *parts, GError **error);
/* Checks a checkpoint read from path against cfg: its config hash, epochs,
 * plugin names, value counts and which parts have a state. */
gboolean somaif_checkpoint_check (const SomaifCheckpoint *ck, const char *path,
                                  const SomaifConfig *cfg, GError **error);
/* Reads path, checks it against cfg (config hash, epochs, plugin names,
 * value counts, which parts have a state) and restores the parts: their
 * values, the scheduled ones set again, their states loaded. */
SomaifCheckpoint *somaif_checkpoint_restore (const char *path, const SomaifConfig *cfg,
                                             const SomaifCheckpointPart *parts, GError **error);

#endif
