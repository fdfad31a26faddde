/* sweep-ranks-single.c: sweep-ranks.h without MPI: one rank, and a process
 * that an MPI launcher started as one of several is refused. */
#include "config.h"

#include <string.h>

#include "sweep-ranks.h"

/* Open MPI's mpirun sets the first; MPICH's launchers and Slurm's srun the second. */
static const char *const launcher_vars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE" };

gboolean
somaif_ranks_init (int *argc, char ***argv, int *rank, int *size, gboolean *launched,
                   GError **error)
{
  *rank = 0;
  *size = 1;
  *launched = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (launcher_vars); i++)
    {
      const char *v = g_getenv (launcher_vars[i]);
      /* One process of one is harmless: it runs every run once. */
      if (!v || strcmp (v, "1") == 0)
        continue;
      g_set_error (error, g_quark_from_static_string ("somaif-ranks-error"), 0,
                   "started by an MPI launcher (%s=%s), but built without MPI: every process "
                   "would run every run into the same folders.  Configure somaif with MPI "
                   "(Open MPI found by ./configure; Debian: libopenmpi-dev openmpi-bin) and "
                   "rebuild, or run somaif-sweep without mpirun or srun",
                   launcher_vars[i], v);
      return FALSE;
    }
  return TRUE;
}

void
somaif_ranks_finish (void)
{
}

const char *
somaif_ranks_build (void)
{
  return "without MPI";
}

/* With one rank there is nobody to talk to: never called. */
void
somaif_ranks_send (int dest, int tag, gint64 a, gint64 b, gint64 c)
{
  g_return_if_reached ();
}

gboolean
somaif_ranks_poll (int from, int *source, int *tag, gint64 msg[SOMAIF_RANKS_WORDS])
{
  return FALSE;
}

void
somaif_ranks_wait (int from, int tag, gint64 msg[SOMAIF_RANKS_WORDS])
{
  g_return_if_reached ();
}

void
somaif_ranks_share_int (int *v)
{
}

void
somaif_ranks_share_string (char **s, int rank)
{
}
