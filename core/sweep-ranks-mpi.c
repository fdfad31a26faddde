/* sweep-ranks-mpi.c: sweep-ranks.h over MPI (Open MPI or another). */
#include "config.h"

#include <string.h>

#include <mpi.h>

#include "sweep-ranks.h"

static gboolean joined;

/* Launched by mpirun (or another PMI launcher)?  Started alone, the program
 * runs as one rank without touching MPI. */
static gboolean
launched_by_mpi (void)
{
  const char *vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE" };
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    if (g_getenv (vars[i]))
      return TRUE;
  return FALSE;
}

gboolean
somaif_ranks_init (int *argc, char ***argv, int *rank, int *size, gboolean *launched,
                   GError **error)
{
  *rank = 0;
  *size = 1;
  *launched = launched_by_mpi ();
  if (!*launched)
    return TRUE;
  MPI_Init (argc, argv);
  MPI_Comm_rank (MPI_COMM_WORLD, rank);
  MPI_Comm_size (MPI_COMM_WORLD, size);
  joined = TRUE;
  return TRUE;
}

void
somaif_ranks_finish (void)
{
  if (joined)
    MPI_Finalize ();
  joined = FALSE;
}

const char *
somaif_ranks_build (void)
{
  return "with MPI";
}

void
somaif_ranks_send (int dest, int tag, gint64 a, gint64 b, gint64 c)
{
  gint64 msg[SOMAIF_RANKS_WORDS] = { a, b, c };
  MPI_Send (msg, SOMAIF_RANKS_WORDS, MPI_INT64_T, dest, tag, MPI_COMM_WORLD);
}

gboolean
somaif_ranks_poll (int from, int *source, int *tag, gint64 msg[SOMAIF_RANKS_WORDS])
{
  int flag = 0;
  MPI_Status st;
  MPI_Iprobe (from < 0 ? MPI_ANY_SOURCE : from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
  if (!flag)
    return FALSE;
  MPI_Recv (msg, SOMAIF_RANKS_WORDS, MPI_INT64_T, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
            MPI_STATUS_IGNORE);
  *source = st.MPI_SOURCE;
  *tag = st.MPI_TAG;
  return TRUE;
}

void
somaif_ranks_wait (int from, int tag, gint64 msg[SOMAIF_RANKS_WORDS])
{
  MPI_Recv (msg, SOMAIF_RANKS_WORDS, MPI_INT64_T, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

void
somaif_ranks_share_int (int *v)
{
  MPI_Bcast (v, 1, MPI_INT, 0, MPI_COMM_WORLD);
}

void
somaif_ranks_share_string (char **s, int rank)
{
  gint64 len = rank == 0 ? (gint64) strlen (*s) : 0;
  MPI_Bcast (&len, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  if (rank != 0)
    *s = g_malloc0 ((gsize) len + 1);
  MPI_Bcast (*s, (int) len, MPI_CHAR, 0, MPI_COMM_WORLD);
}
