/* bad-abi: a generator built for a plugin ABI whose major version is 99. */
#include "stub-generator.h"

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (99, 0, "bad-abi", stub_params, NULL) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
  .run = stub_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
