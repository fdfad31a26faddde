/* test-ci.h: a test that cannot run for want of a plugin, a config or MPI
 * skips on a developer's machine but fails in CI (CI=true), where everything
 * it needs is built: a silent skip there would hide a broken build. */
#ifndef SOMAIF_TEST_CI_H
#define SOMAIF_TEST_CI_H

#include <glib.h>

static inline gboolean
test_in_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

/* Skips the current test case, or fails it under CI=true. */
static inline void
test_skip_unless_ci (const char *why)
{
  if (test_in_ci ())
    {
      g_test_message ("CI=true, and this cannot run: %s", why);
      g_test_fail ();
    }
  else
    g_test_skip (why);
}

#endif
