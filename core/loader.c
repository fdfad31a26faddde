/* loader.c: plugins by name or path, refused with a reason before they run. */
#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include "host.h"
#include "loader.h"

#ifndef SOMAIF_PLUGINSDIR
#define SOMAIF_PLUGINSDIR "/usr/local/lib/somaif/plugins"
#endif

const char *
somaif_kind_name (SomaifKind kind)
{
  switch (kind)
    {
    case SOMAIF_KIND_GENERATOR: return "generator";
    case SOMAIF_KIND_PLANT: return "plant";
    case SOMAIF_KIND_RENDERER: return "renderer";
    case SOMAIF_KIND_PERCEIVER: return "perceiver";
    case SOMAIF_KIND_OPTIMISER: return "optimiser";
    }
  return "unknown kind";
}

char **
somaif_plugin_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new ();
  const char *env = g_getenv ("SOMAIF_PLUGIN_PATH");
  if (env)
    {
      g_auto (GStrv) parts = g_strsplit (env, ":", -1);
      for (int i = 0; parts[i]; i++)
        if (parts[i][0])
          g_ptr_array_add (dirs, g_strdup (parts[i]));
    }
  g_ptr_array_add (dirs, g_strdup (SOMAIF_PLUGINSDIR));
  g_ptr_array_add (dirs, NULL);
  return (char **) g_ptr_array_free (dirs, FALSE);
}

void
somaif_plugin_free (SomaifPlugin *p)
{
  if (!p)
    return;
  if (p->handle)
    dlclose (p->handle);
  g_free (p->path);
  g_free (p);
}

/* Checks a kind's required methods; returns the first missing one's name. */
static const char *
missing_method (const SomaifPluginHead *h)
{
#define REQ(ptr, label) do { if (!(ptr)) return label; } while (0)
  REQ (h->name, "name");
  REQ (h->description, "description");
  REQ (h->params, "params");
  REQ (h->create, "create");
  REQ (h->destroy, "destroy");
  for (const SomaifParamSpec *s = h->params; s->name; s++)
    if (s->flags & SOMAIF_PARAM_SCHEDULABLE)
      REQ (h->set_param, "set_param (it declares schedulable parameters)");
  switch ((SomaifKind) h->kind)
    {
    case SOMAIF_KIND_GENERATOR:
      {
        const SomaifGenerator *v = (const SomaifGenerator *) h;
        REQ (v->state_size, "state_size");
        REQ (v->output_size, "output_size");
        REQ (v->run, "run");
        break;
      }
    case SOMAIF_KIND_PLANT:
      {
        const SomaifPlant *v = (const SomaifPlant *) h;
        REQ (v->input_size, "input_size");
        REQ (v->point_size, "point_size");
        REQ (v->n_points, "n_points");
        REQ (v->run, "run");
        break;
      }
    case SOMAIF_KIND_RENDERER:
      {
        const SomaifRenderer *v = (const SomaifRenderer *) h;
        REQ (v->width, "width");
        REQ (v->height, "height");
        REQ (v->draw, "draw");
        break;
      }
    case SOMAIF_KIND_PERCEIVER:
      {
        const SomaifPerceiver *v = (const SomaifPerceiver *) h;
        REQ (v->n_units, "n_units");
        REQ (v->layout, "layout");
        REQ (v->distance, "distance");
        REQ (v->prototype, "prototype");
        REQ (v->recognise, "recognise");
        REQ (v->learn, "learn");
        break;
      }
    case SOMAIF_KIND_OPTIMISER:
      {
        const SomaifOptimiser *v = (const SomaifOptimiser *) h;
        REQ (v->max_candidates, "max_candidates");
        REQ (v->propose, "propose");
        REQ (v->update, "update");
        REQ (v->solution, "solution");
        break;
      }
    }
  return NULL;
#undef REQ
}

/* A declared parameter that the host could not validate against is a bug of
 * the plugin: refuse it with the parameter's name. */
static gboolean
check_specs (const SomaifPluginHead *h, const char *path, GError **error)
{
  for (const SomaifParamSpec *s = h->params; s->name; s++)
    {
      const char *why = NULL;
      gboolean ok = s->name[0] >= 'a' && s->name[0] <= 'z' && strcmp (s->name, "plugin") != 0;
      for (const char *c = s->name; ok && *c; c++)
        ok = g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '_';
      if (!ok)
        why = "a name is [a-z][a-z0-9_]* and not 'plugin'";
      else if (s->type < SOMAIF_PARAM_INT || s->type > SOMAIF_PARAM_FLOATS)
        why = "unknown type";
      else if (!s->doc)
        why = "no doc line";
      else if ((s->flags & SOMAIF_PARAM_SCHEDULABLE) && s->type != SOMAIF_PARAM_FLOAT)
        why = "only a float may be schedulable";
      if (why)
        {
          g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_PARAMS,
                       "%s: plugin '%s' declares an invalid parameter '%s' (%s)", path, h->name,
                       s->name, why);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
is_plain_name (const char *v)
{
  if (!*v)
    return FALSE;
  for (const char *c = v; *c; c++)
    if (!(g_ascii_isalnum (*c) || *c == '_' || *c == '-' || *c == '.'))
      return FALSE;
  return TRUE;
}

static SomaifPlugin *
open_checked (const char *path, const char *expected_name, SomaifKind kind, GError **error)
{
  /* RTLD_NOW: an undefined symbol is reported here, not in the middle of a run. */
  void *handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN,
                   "%s: cannot be loaded: %s", path, dlerror ());
      return NULL;
    }
  typedef const SomaifPluginHead *(*Describe) (void);
  Describe describe;
  *(void **) (&describe) = dlsym (handle, SOMAIF_PLUGIN_ENTRY);
  const SomaifPluginHead *h = describe ? describe () : NULL;
  if (!h)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN,
                   "%s: not a somaif plugin (no %s() entry point)", path, SOMAIF_PLUGIN_ENTRY);
      dlclose (handle);
      return NULL;
    }
  if (h->abi_major != SOMAIF_ABI_MAJOR || h->abi_minor > SOMAIF_ABI_MINOR)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_ABI,
                   "%s: built for plugin ABI %u.%u, but this somaif has ABI %d.%d%s", path,
                   h->abi_major, h->abi_minor, SOMAIF_ABI_MAJOR, SOMAIF_ABI_MINOR,
                   h->abi_major != SOMAIF_ABI_MAJOR ? " (the major version must match)"
                   : " (a plugin may not need a newer minor version than the host)");
      dlclose (handle);
      return NULL;
    }
  if (h->kind < SOMAIF_KIND_GENERATOR || h->kind > SOMAIF_KIND_OPTIMISER)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_KIND,
                   "%s: unknown plugin kind %u", path, h->kind);
      dlclose (handle);
      return NULL;
    }
  if (kind && h->kind != (guint32) kind)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_KIND,
                   "%s: '%s' is %s %s plugin, but %s %s is needed here", path,
                   h->name ? h->name : "?", h->kind == SOMAIF_KIND_OPTIMISER ? "an" : "a",
                   somaif_kind_name (h->kind), kind == SOMAIF_KIND_OPTIMISER ? "an" : "a",
                   somaif_kind_name (kind));
      dlclose (handle);
      return NULL;
    }
  if (!h->name || strcmp (h->name, expected_name) != 0)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NAME,
                   "%s: the plugin calls itself '%s', but its file is named '%s.so'", path,
                   h->name ? h->name : "(null)", expected_name);
      dlclose (handle);
      return NULL;
    }
  const char *missing = missing_method (h);
  if (missing)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_MISSING_METHOD,
                   "%s: %s plugin '%s' lacks the required %s", path,
                   somaif_kind_name (h->kind), h->name, missing);
      dlclose (handle);
      return NULL;
    }
  if (!check_specs (h, path, error))
    {
      dlclose (handle);
      return NULL;
    }
  SomaifPlugin *p = g_new0 (SomaifPlugin, 1);
  p->path = g_strdup (path);
  p->handle = handle;
  p->head = h;
  return p;
}

SomaifPlugin *
somaif_plugin_load (const char *value, const char *base_dir, SomaifKind kind, GError **error)
{
  if (strchr (value, '/'))
    {
      g_autofree char *path = g_path_is_absolute (value)
        ? g_strdup (value) : g_build_filename (base_dir ? base_dir : ".", value, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                       "plugin file %s not found", path);
          return NULL;
        }
      g_autofree char *base = g_path_get_basename (path);
      if (g_str_has_suffix (base, ".so"))
        base[strlen (base) - 3] = '\0';
      return open_checked (path, base, kind, error);
    }
  if (!is_plain_name (value))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                   "'%s' is not a plugin name (letters, digits, '-', '_')", value);
      return NULL;
    }
  g_auto (GStrv) dirs = somaif_plugin_dirs ();
  g_autofree char *file = g_strconcat (value, ".so", NULL);
  for (int i = 0; dirs[i]; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], file, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return open_checked (path, value, kind, error);
    }
  g_autofree char *searched = g_strjoinv (", ", dirs);
  g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
               "plugin '%s' not found: no %s in %s%s", value, file, searched,
               g_str_has_suffix (value, ".so") ? " (give the name without .so)" : "");
  return NULL;
}

static gint
compare_plugins (gconstpointer a, gconstpointer b)
{
  const SomaifPlugin *pa = *(SomaifPlugin *const *) a, *pb = *(SomaifPlugin *const *) b;
  if (pa->head->kind != pb->head->kind)
    return (gint) pa->head->kind - (gint) pb->head->kind;
  return strcmp (pa->head->name, pb->head->name);
}

GPtrArray *
somaif_plugin_list (GPtrArray *problems)
{
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) somaif_plugin_free);
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) dirs = somaif_plugin_dirs ();
  for (int i = 0; dirs[i]; i++)
    {
      GDir *d = g_dir_open (dirs[i], 0, NULL);
      if (!d)
        continue;
      GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
      const char *f;
      while ((f = g_dir_read_name (d)))
        if (g_str_has_suffix (f, ".so"))
          g_ptr_array_add (names, g_strdup (f));
      g_dir_close (d);
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint k = 0; k < names->len; k++)
        {
          const char *fname = g_ptr_array_index (names, k);
          g_autofree char *name = g_strndup (fname, strlen (fname) - 3);
          if (g_hash_table_contains (seen, name))
            continue;
          g_hash_table_add (seen, g_strdup (name));
          g_autofree char *path = g_build_filename (dirs[i], fname, NULL);
          GError *err = NULL;
          SomaifPlugin *p = open_checked (path, name, 0, &err);
          if (p)
            g_ptr_array_add (found, p);
          else
            {
              if (problems)
                g_ptr_array_add (problems, g_strdup (err->message));
              g_error_free (err);
            }
        }
      g_ptr_array_free (names, TRUE);
    }
  g_hash_table_destroy (seen);
  g_ptr_array_sort (found, compare_plugins);
  return found;
}
