/* loader.h: finding, opening and checking plugins. */
#ifndef SOMAIF_LOADER_H
#define SOMAIF_LOADER_H

#include <glib.h>

#include "somaif/plugin.h"

typedef struct
{
  char *path;                    /* the file opened */
  void *handle;                  /* dlopen handle */
  const SomaifPluginHead *head;  /* the plugin's vtable (checked) */
} SomaifPlugin;

/* Directories searched for a plugin by name, in order: SOMAIF_PLUGIN_PATH's
 * entries, then the installed plugin folder.  g_strfreev the result. */
char **somaif_plugin_dirs (void);

/* Loads a plugin named in a config: a bare name maps to exactly NAME.so in the
 * search directories; a value with a '/' is a path, relative to base_dir.
 * kind 0 accepts any kind.  Every refusal happens before any plugin code
 * other than its entry symbol has run. */
SomaifPlugin *somaif_plugin_load (const char *value, const char *base_dir, SomaifKind kind,
                                  GError **error);
void somaif_plugin_free (SomaifPlugin *plugin);

/* Every plugin file found in the search directories (first of each name wins);
 * those that fail to load are reported in *problems (may be NULL). */
GPtrArray *somaif_plugin_list (GPtrArray *problems);

#endif
