/* bad-param: a generator declaring a parameter the host cannot validate
 * (an integer marked schedulable: only floats may be scheduled). */
#include "stub-generator.h"

static const SomaifParamSpec bad_params[] = {
  { "units", SOMAIF_PARAM_INT, "3", 1, 64, 0, SOMAIF_PARAM_SCHEDULABLE, "state size" },
  SOMAIF_PARAM_END
};

static int
bad_set_param (void *self, int index, double value)
{
  return 0;
}

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR, "bad-param", bad_params,
                                 bad_set_param) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
  .run = stub_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
