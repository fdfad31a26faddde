/* missing-method: a generator without its required run(). */
#include "stub-generator.h"

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR, "missing-method",
                                 stub_params, NULL) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
};

SOMAIF_PLUGIN_DEFINE (vtable)
