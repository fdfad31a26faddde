/* extra-export: a valid generator that also exports a helper function and a
 * table (as a plugin built without -fvisibility=hidden does). */
#include "stub-generator.h"

SOMAIF_EXPORT int extra_export_helper (int x);
SOMAIF_EXPORT int
extra_export_helper (int x)
{
  return x + 1;
}

SOMAIF_EXPORT const int extra_export_table[3] = { 1, 2, 3 };

static const SomaifGenerator vtable = {
  .head = { STUB_GENERATOR_HEAD (SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR, "extra-export", stub_params,
                                 NULL) },
  .state_size = stub_state_size,
  .output_size = stub_output_size,
  .run = stub_run,
};

SOMAIF_PLUGIN_DEFINE (vtable)
