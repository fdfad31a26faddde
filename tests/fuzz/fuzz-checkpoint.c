/* fuzz-checkpoint: libFuzzer harness of the checkpoint reader.  Each input is
 * parsed twice: as it is (its checksum almost never matches, which exercises
 * the gate), and with its last 8 bytes replaced by the right checksum, so
 * that the fields behind the gate are fuzzed too.  A checkpoint that parses
 * must write back and parse again to the same fields.  Build: configure
 * CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz-checkpoint -max_total_time=60 tests/fuzz/corpus-checkpoint */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
same_or_abort (const SomaifCheckpoint *a, const SomaifCheckpoint *b)
{
  gboolean same = a->config_hash == b->config_hash && a->next_epoch == b->next_epoch
                  && a->metrics_bytes == b->metrics_bytes
                  && a->schedules_bytes == b->schedules_bytes
                  && memcmp (a->rng.s, b->rng.s, sizeof a->rng.s) == 0
                  && a->rng.has_spare == b->rng.has_spare;
  for (int k = 0; same && k < SOMAIF_CHECKPOINT_PARTS; k++)
    {
      same = g_strcmp0 (a->names[k], b->names[k]) == 0 && a->n_values[k] == b->n_values[k]
             && memcmp (a->values[k], b->values[k], sizeof (double) * a->n_values[k]) == 0
             && (a->states[k] != NULL) == (b->states[k] != NULL)
             && (!a->states[k] || g_bytes_equal (a->states[k], b->states[k]));
    }
  if (!same)
    {
      fprintf (stderr, "a checkpoint written back parses to other fields\n");
      abort ();
    }
}

static void
parse (const guint8 *data, gsize size)
{
  GError *error = NULL;
  SomaifCheckpoint *ck = somaif_checkpoint_parse (data, size, "fuzz.bin", &error);
  if (!ck)
    {
      if (!error || !*error->message)
        abort ();
      g_error_free (error);
      return;
    }
  /* Round trip through a file (in memory where there is /dev/shm, since the
     writer syncs): write, read, compare. */
  g_autofree char *path = g_build_filename (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR)
                                            ? "/dev/shm" : g_get_tmp_dir (),
                                            "fuzz-checkpoint-XXXXXX", NULL);
  int fd = g_mkstemp (path);
  if (fd < 0)
    abort ();
  close (fd);
  if (!somaif_checkpoint_write (path, ck, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      abort ();
    }
  SomaifCheckpoint *again = somaif_checkpoint_read (path, &error);
  unlink (path);
  if (!again)
    {
      fprintf (stderr, "a checkpoint written back is refused: %s\n", error->message);
      abort ();
    }
  same_or_abort (ck, again);
  somaif_checkpoint_free (again);
  somaif_checkpoint_free (ck);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  parse (data, size);
  if (size >= 16)
    {
      guint8 *fixed = g_malloc (size);
      memcpy (fixed, data, size);
      guint64 sum = somaif_hash64 (fixed, size - 8);
      for (int i = 0; i < 8; i++)
        fixed[size - 8 + i] = (guint8) (sum >> (8 * i));
      parse (fixed, size);
      g_free (fixed);
    }
  return 0;
}
