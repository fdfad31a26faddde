/* newer-minor: a generator that needs a newer minor ABI than the host has. */
#include "stub-generator.h"

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR + 1, "newer-minor",
                                 stub_params, NULL) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
  .run = stub_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
