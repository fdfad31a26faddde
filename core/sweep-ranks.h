/* sweep-ranks.h: the ranks of an MPI job, as somaif-sweep uses them.
 *
 * Built from sweep-ranks-mpi.c when configured with MPI, else from
 * sweep-ranks-single.c: one rank, and a process that an MPI launcher started
 * is refused, since every rank would run every run into the same folders.
 * Messages are three int64 words with a tag, between rank 0 and the others. */
#ifndef SOMAIF_SWEEP_RANKS_H
#define SOMAIF_SWEEP_RANKS_H

#include <glib.h>

#define SOMAIF_RANKS_WORDS 3

/* Joins the job when a launcher started this process: *rank and *size
 * (0 and 1 otherwise), *launched whether a launcher did.  FALSE with a
 * message when this process cannot take part as a rank. */
gboolean somaif_ranks_init (int *argc, char ***argv, int *rank, int *size, gboolean *launched,
                            GError **error);
/* Leaves the job (every rank, once, at the end). */
void somaif_ranks_finish (void);
/* "with MPI" or "without MPI", for --version. */
const char *somaif_ranks_build (void);

void somaif_ranks_send (int dest, int tag, gint64 a, gint64 b, gint64 c);
/* A message waiting now from `from` (-1: any rank): its source, tag and words. */
gboolean somaif_ranks_poll (int from, int *source, int *tag, gint64 msg[SOMAIF_RANKS_WORDS]);
/* Waits for the message of `tag` from `from`. */
void somaif_ranks_wait (int from, int tag, gint64 msg[SOMAIF_RANKS_WORDS]);
/* Rank 0's value on every rank. */
void somaif_ranks_share_int (int *v);
/* Rank 0's string on every rank (the others get a new copy). */
void somaif_ranks_share_string (char **s, int rank);

#endif
