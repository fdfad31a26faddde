/* dup-param: a generator declaring one parameter twice. */
#include "stub-generator.h"

static const SomaifParamSpec dup_params[] = {
  { "units", SOMAIF_PARAM_INT, "3", 1, 64, 0, 0, "state size" },
  { "leak", SOMAIF_PARAM_FLOAT, "0.5", 0, 1, 0, 0, "leak rate" },
  { "units", SOMAIF_PARAM_INT, "4", 1, 64, 0, 0, "state size again" },
  SOMAIF_PARAM_END
};

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR, "dup-param", dup_params,
                                 NULL) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
  .run = stub_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
