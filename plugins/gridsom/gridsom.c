/* gridsom.c: the 2-D Kohonen map as a somaif perceiver (the vtable glue). */
#include "config.h"

#include "../common/som-plugin.h"
#include "gridsom-core.h"
#include "somaif/plugin.h"

/* Indices into gridsom_params (set_param() receives them). */
enum
{
  GRIDSOM_ROWS,
  GRIDSOM_COLS,
  GRIDSOM_TOPOLOGY,
  GRIDSOM_SPREAD,
  GRIDSOM_RATE,
  GRIDSOM_INIT_NOISE,
  GRIDSOM_KERNEL
};

static const SomaifParamSpec gridsom_params[] = {
  { "rows", SOMAIF_PARAM_INT, "7", 1, SOMAIF_GRIDSOM_MAX_UNITS, 0, 0,
    "rows of the map (units = rows x cols, the goals of the optimiser)" },
  { "cols", SOMAIF_PARAM_INT, "7", 1, SOMAIF_GRIDSOM_MAX_UNITS, 0, 0,
    "columns of the map; unit u sits at row u / cols, column u % cols" },
  { "topology", SOMAIF_PARAM_STRING, "\"planar\"", 1, 0, 0, 0,
    "\"planar\" (a flat sheet with edges) or \"torus\" (both axes wrap around)" },
  SOMAIF_SOM_PARAMS ("grid distance"),
  SOMAIF_PARAM_END
};

/* The shared instance: its map is a SomaifGridsom. */
typedef SomaifSomPlugin Gridsom;

/* The host has checked every value against gridsom_params; what is left is
 * their product and the names. */
static void *
gridsom_create (const SomaifSetup *setup, const SomaifParams *params, GError **error)
{
  gint64 rows = somaif_params_get_int (params, "rows");
  gint64 cols = somaif_params_get_int (params, "cols");
  const char *topology_name = somaif_params_get_string (params, "topology");
  int topology = somaif_gridsom_topology_from_name (topology_name);
  SomaifSomKernel kernel;

  if (!somaif_som_plugin_check (setup, params, &kernel, error))
    return NULL;
  if (rows * cols > SOMAIF_GRIDSOM_MAX_UNITS)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "a map of %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   ": rows x cols must be at most %d", rows, cols, SOMAIF_GRIDSOM_MAX_UNITS);
      return NULL;
    }
  if (topology < 0)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "topology = \"%s\": it must be \"planar\" or \"torus\"",
                   topology_name ? topology_name : "(none)");
      return NULL;
    }
  SomaifGridsom *map = somaif_gridsom_new ((int) rows, (int) cols,
                                           (SomaifGridsomTopology) topology,
                                           setup->input_size, kernel);
  SomaifSomStore *store = map ? somaif_gridsom_store (map) : NULL;
  return somaif_som_plugin_new (map, (GDestroyNotify) somaif_gridsom_free, store, GRIDSOM_SPREAD,
                                setup, params, error);
}

static const SomaifPerceiver gridsom_vtable = {
  .head.name = "gridsom",
  .head.description = "2-D Kohonen map: rows x cols prototypes learned with a planar or torus grid neighbourhood",
  .head.params = gridsom_params,
  .head.create = gridsom_create,
  SOMAIF_SOM_PLUGIN_METHODS,
};

SOMAIF_PLUGIN_DEFINE (gridsom_vtable)
