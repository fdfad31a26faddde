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
 * kind 0 accepts any kind.  A folder or a device is refused as such; a file
 * exporting symbols besides the entry is refused before it is opened.  Every
 * refusal happens before any plugin code other than its constructors and its
 * entry symbol has run. */
SomaifPlugin *somaif_plugin_load (const char *value, const char *base_dir, SomaifKind kind,
                                  GError **error);
void somaif_plugin_free (SomaifPlugin *plugin);

/* Every plugin file found in the search directories (first of each name wins);
 * those that fail to load are reported in *problems (may be NULL). */
GPtrArray *somaif_plugin_list (GPtrArray *problems);

/* Checks a plugin's parameter declarations: names, types, flags, and that
 * each default is a valid value of its own parameter (type, range, length);
 * path and name are for the message. */
gboolean somaif_plugin_check_specs (const SomaifParamSpec *specs, const char *path,
                                    const char *name, GError **error);

/* Why a method of instance just failed: the message the plugin left for this
 * thread with somaif_plugin_fail() (then forgotten), else its
 * error_message(), else words saying it gave none.  Valid until the next
 * call into the plugin on this thread. */
const char *somaif_plugin_reason (const SomaifPlugin *plugin, const void *instance);

#endif
