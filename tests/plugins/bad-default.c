/* bad-default: a generator whose FLOATS default has the wrong length (the
 * loader checks every default against its own declaration). */
#include "stub-generator.h"

static const SomaifParamSpec bad_params[] = {
  { "units", SOMAIF_PARAM_INT, "3", 1, 64, 0, 0, "state size" },
  { "gains", SOMAIF_PARAM_FLOATS, "[1.0, 2.0]", 0, 10, 3, 0, "one gain per joint" },
  SOMAIF_PARAM_END
};

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR, "bad-default", bad_params,
                                 NULL) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
  .run = stub_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
