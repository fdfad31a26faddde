/* stub-generator.h: a do-nothing generator for the test plugins that the
 * loader must refuse; each includes this and breaks one thing. */
#ifndef STUB_GENERATOR_H
#define STUB_GENERATOR_H

#include <string.h>

#include "somaif/plugin.h"

static const SomaifParamSpec stub_params[] = {
  { "units", SOMAIF_PARAM_INT, "3", 1, 64, 0, 0, "state size" },
  SOMAIF_PARAM_END
};

G_GNUC_UNUSED static void *
stub_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  return g_new0 (int, 1);
}

G_GNUC_UNUSED static void
stub_destroy (void *self)
{
  g_free (self);
}

G_GNUC_UNUSED static int
stub_state_size (const void *self)
{
  return 3;
}

G_GNUC_UNUSED static int
stub_output_size (const void *self)
{
  return 2;
}

G_GNUC_UNUSED static int
stub_run (const void *self, int batch, const float *states, int steps, float *out)
{
  memset (out, 0, sizeof (float) * (gsize) batch * steps * 2);
  return 0;
}

/* A generator head whose ABI version, name, params and set_param are given. */
#define STUB_GENERATOR_HEAD(MAJOR, MINOR, NAME, PARAMS, SET_PARAM)          \
  .abi_major = (MAJOR), .abi_minor = (MINOR),                               \
  .kind = SOMAIF_KIND_GENERATOR, .name = (NAME),                            \
  .description = "a test plugin that the loader must refuse",              \
  .params = (PARAMS), .create = stub_create, .destroy = stub_destroy,       \
  .set_param = (SET_PARAM)

#endif
