/* no-entry: a shared object that exports no somaif_plugin_describe(). */
#include "somaif/plugin.h"

SOMAIF_EXPORT int somaif_plugin_describe_not (void);

SOMAIF_EXPORT int
somaif_plugin_describe_not (void)
{
  return 42;
}
