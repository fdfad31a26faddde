/* chain-io.h: somaif-chain's input (a finished run folder) and outputs
 * (docs/run-folder.md, "Chains"). */
#ifndef SOMAIF_CHAIN_IO_H
#define SOMAIF_CHAIN_IO_H

#include <glib.h>

#include "chain.h"
#include "host.h"

G_BEGIN_DECLS

/* The parts of a finished run that chaining uses. */
typedef struct
{
  char *dir;
  SomaifConfig *cfg;
  const SomaifGenerator *gen;
  const SomaifPlant *plant;
  const SomaifRenderer *renderer;
  void *gen_self, *plant_self, *renderer_self;
  int units, state_size, motor_size;
  float *learned;    /* units x state_size: model/initial_states.npy */
} SomaifChainRun;

/* Opens dir: its config.cfg, model/initial_states.npy and the generator's,
 * plant's and renderer's instances with their saved states.  A folder that is
 * not a finished run, or a plant that cannot chain, is SOMAIF_CHAIN_ERROR_INPUT. */
SomaifChainRun *somaif_chain_run_open (const char *dir, GError **error);
void somaif_chain_run_free (SomaifChainRun *run);

/* The repertoire's initial states: the learned ones, or (random) x ~ N(0, 1)
 * drawn from seed, units x state_size. */
float *somaif_chain_run_states (const SomaifChainRun *run, gboolean random, guint64 seed);

/* Everything a chaining writes. */
typedef struct
{
  int n_targets, n_classes, length, pose_size, point_size, segment_points;
  int width, height;
  char **targets;                 /* n_targets (the classes, in order) */
  const SomaifClasses *classes;
  const double *preference;       /* n_targets x n_classes */
  SomaifChain **chains;           /* n_targets */
  float *drawings;                /* n_targets x (length x pixels): one image per stroke */
} SomaifChainResult;

/* Writes chain.csv, chain-summary.csv, chains-points.npy,
 * chains-primitives.npy, chains-q.npy, class-filters.npy, chains.png and
 * classes.png into dir (which exists). */
gboolean somaif_chain_write (const char *dir, const SomaifChainResult *result, GError **error);

G_END_DECLS

#endif
