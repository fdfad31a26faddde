/* bad-sched-default: a generator whose schedulable parameter's default is a
 * schedule that leaves the parameter's range during the run: the loader
 * cannot see it (it depends on the run's epochs), the config check must,
 * and must say that the default is at fault. */
#include "stub-generator.h"

static const SomaifParamSpec sched_params[] = {
  { "gain", SOMAIF_PARAM_FLOAT, "{ linear = { from = 1.0; to = 20.0; }; }", 0, 10, 0,
    SOMAIF_PARAM_SCHEDULABLE, "gain" },
  SOMAIF_PARAM_END
};

static int
sched_set_param (void *self, int index, double value)
{
  return 0;
}

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR, "bad-sched-default",
                                 sched_params, sched_set_param) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
  .run = stub_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
