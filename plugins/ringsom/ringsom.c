/* ringsom.c: the ring Kohonen map as a somaif perceiver (the vtable glue). */
#include "config.h"

#include "../common/som-plugin.h"
#include "ringsom-core.h"
#include "somaif/plugin.h"

/* Indices into ringsom_params (set_param() receives them). */
enum
{
  RINGSOM_UNITS,
  RINGSOM_SPREAD,
  RINGSOM_RATE,
  RINGSOM_INIT_NOISE,
  RINGSOM_KERNEL
};

static const SomaifParamSpec ringsom_params[] = {
  { "units", SOMAIF_PARAM_INT, "50", 2, 65536, 0, 0,
    "number of units on the ring (the goals of the optimiser)" },
  SOMAIF_SOM_PARAMS ("ring distance"),
  SOMAIF_PARAM_END
};

/* The shared instance: its map is a SomaifRingsom. */
typedef SomaifSomPlugin Ringsom;

/* The host has checked every value against ringsom_params. */
static void *
ringsom_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  SomaifSomKernel kernel;
  if (!somaif_som_plugin_check (setup, params, &kernel, error))
    return NULL;
  SomaifRingsom *map = somaif_ringsom_new ((int) somaif_params_get_int (params, "units"),
                                           setup->input_size, (SomaifRingsomKernel) kernel);
  SomaifSomStore *store = map ? somaif_ringsom_store (map) : NULL;
  return somaif_som_plugin_new (map, (GDestroyNotify) somaif_ringsom_free, store, RINGSOM_SPREAD,
                                setup, params, error);
}

static const SomaifPerceiver ringsom_vtable = {
  .head.name = "ringsom",
  .head.description = "ring Kohonen map: the seed's perceiver, prototypes learned with a ring neighbourhood",
  .head.params = ringsom_params,
  .head.create = ringsom_create,
  SOMAIF_SOM_PLUGIN_METHODS,
};

SOMAIF_PLUGIN_DEFINE (ringsom_vtable)
