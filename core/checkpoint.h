/* checkpoint.h: the whole state of a run between two epochs, on disk. */
#ifndef SOMAIF_CHECKPOINT_H
#define SOMAIF_CHECKPOINT_H

#include <glib.h>

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

/* Reads and checks magic, format version, length and checksum. */
SomaifCheckpoint *somaif_checkpoint_read (const char *path, GError **error);
SomaifCheckpoint *somaif_checkpoint_parse (const guint8 *data, gsize length, const char *path,
                                           GError **error);
void somaif_checkpoint_free (SomaifCheckpoint *ck);

#endif
