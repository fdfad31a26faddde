/* failure.c: why a plugin method failed, kept per thread: concurrent methods
 * share their instance and so cannot keep a message in it. */
#include "config.h"

#include <stdarg.h>

#include "somaif/plugin.h"

/* A fixed buffer: saying why must not allocate. */
static _Thread_local char failure[256];
static _Thread_local gboolean failed;

int
somaif_plugin_fail (const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_vsnprintf (failure, sizeof failure, format, ap);
  va_end (ap);
  failed = TRUE;
  return -1;
}

const char *
somaif_plugin_take_failure (void)
{
  gboolean was = failed;
  failed = FALSE;
  return was ? failure : NULL;
}
