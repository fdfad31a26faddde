/* loader.c: plugins by name or path, refused with a reason before they run. */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The value a default's text gives, parsed as the config's values are;
 * NULL when it is no libconfig value at all. */
static config_setting_t *
parse_default (config_t *tmp, const char *def)
{
  g_autofree char *text = g_strdup_printf ("v = %s;", def);
  if (config_read_string (tmp, text) != CONFIG_TRUE)
    return NULL;
  return config_lookup (tmp, "v");
}

static gboolean
number_in_spec (const SomaifParamSpec *s, const config_setting_t *v, double *x)
{
  int t = config_setting_type (v);
  if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
    *x = (double) config_setting_get_int64 (v);
  else if (t == CONFIG_TYPE_FLOAT && s->type != SOMAIF_PARAM_INT)
    *x = config_setting_get_float (v);
  else
    return FALSE;
  return TRUE;
}

static gboolean
in_spec_range (const SomaifParamSpec *s, double x)
{
  return isfinite (x) && (s->min > s->max || (x >= s->min && x <= s->max));
}

#define QUOTES_HINT "(a string default keeps its quotes: \"\\\"text\\\"\")"

/* Why the list v is not a valid FLOATS value of s, or NULL. */
static const char *
floats_problem (const SomaifParamSpec *s, const config_setting_t *v, char *why, gsize size)
{
  if (!config_setting_is_array (v) && !config_setting_is_list (v))
    return "is not a list of numbers";
  int n = config_setting_length (v);
  if (s->length > 0 && n != s->length)
    {
      g_snprintf (why, size, "has %d numbers, but the declared length is %d", n, s->length);
      return why;
    }
  for (int i = 0; i < n; i++)
    {
      double x;
      if (!number_in_spec (s, config_setting_get_elem (v, (unsigned) i), &x))
        return "holds something other than numbers";
      if (!in_spec_range (s, x))
        {
          g_snprintf (why, size, "has element %d (%g) outside the range [%g, %g]", i, x,
                      s->min, s->max);
          return why;
        }
    }
  return NULL;
}

/* Why the parsed default v is not a valid value of s, or NULL. */
static const char *
value_problem (const SomaifParamSpec *s, const config_setting_t *v, char *why, gsize size)
{
  double x;
  switch (s->type)
    {
    case SOMAIF_PARAM_BOOL:
      return config_setting_type (v) == CONFIG_TYPE_BOOL ? NULL : "is not true or false";
    case SOMAIF_PARAM_STRING:
      return config_setting_type (v) == CONFIG_TYPE_STRING ? NULL
        : "is not a string " QUOTES_HINT;
    case SOMAIF_PARAM_FLOATS:
      return floats_problem (s, v, why, size);
    default:
      /* A schedule's values are checked like the config's, over every epoch. */
      if (config_setting_is_group (v) && (s->flags & SOMAIF_PARAM_SCHEDULABLE))
        return NULL;
      if (!number_in_spec (s, v, &x))
        return s->type == SOMAIF_PARAM_INT ? "is not an integer" : "is not a number";
      if (in_spec_range (s, x))
        return NULL;
      g_snprintf (why, size, "is outside the range [%g, %g]", s->min, s->max);
      return why;
    }
}

/* Why a declared default is not a valid value of its own parameter, or NULL
 * (also when there is none). */
static const char *
default_problem (const SomaifParamSpec *s, char *why, gsize size)
{
  if (!s->def)
    return NULL;
  config_t tmp;
  config_init (&tmp);
  const config_setting_t *v = parse_default (&tmp, s->def);
  const char *problem = !v ? (s->type == SOMAIF_PARAM_STRING
                              ? "is not a libconfig value " QUOTES_HINT
                              : "is not a libconfig value")
    : value_problem (s, v, why, size);
  config_destroy (&tmp);
  return problem;
}

/* Why one declaration is wrong, or NULL. */
static const char *
spec_problem (const SomaifParamSpec *specs, const SomaifParamSpec *s, char *why, gsize size)
{
  gboolean ok = s->name[0] >= 'a' && s->name[0] <= 'z' && strcmp (s->name, "plugin") != 0;
  for (const char *c = s->name; ok && *c; c++)
    ok = g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '_';
  if (!ok)
    return "a name is [a-z][a-z0-9_]* and not 'plugin'";
  for (const SomaifParamSpec *t = specs; t < s; t++)
    if (strcmp (t->name, s->name) == 0)
      return "declared twice";
  if (s->type < SOMAIF_PARAM_INT || s->type > SOMAIF_PARAM_FLOATS)
    return "unknown type";
  if (!s->doc)
    return "no doc line";
  if ((s->flags & SOMAIF_PARAM_SCHEDULABLE) && s->type != SOMAIF_PARAM_FLOAT)
    return "only a float may be schedulable";
  if (s->type == SOMAIF_PARAM_FLOATS && s->length < 0)
    return "a negative length";
  if (isnan (s->min) || isnan (s->max))
    return "a NaN bound";
  char reason[160];
  const char *def = default_problem (s, reason, sizeof reason);
  if (!def)
    return NULL;
  g_snprintf (why, size, "its default %s %s", s->def, def);
  return why;
}

gboolean
somaif_plugin_check_specs (const SomaifParamSpec *specs, const char *path, const char *name,
                           GError **error)
{
  char why[320];
  for (const SomaifParamSpec *s = specs; s->name; s++)
    {
      const char *problem = spec_problem (specs, s, why, sizeof why);
      if (problem)
        {
          g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_PARAMS,
                       "%s: plugin '%s' declares an invalid parameter '%s' (%s)", path, name,
                       s->name, problem);
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

/* ------------------------------------------------------------------ */
/* What a plugin file exports, read from its ELF dynamic symbol table   */

static gboolean
read_at (int fd, void *buf, gsize size, guint64 offset)
{
  gsize got = 0;
  while (got < size)
    {
      ssize_t r = pread (fd, (char *) buf + got, size - got, (off_t) (offset + got));
      if (r <= 0)
        return FALSE;
      got += (gsize) r;
    }
  return TRUE;
}

/* A section of at most 64 MiB read whole, or NULL. */
static void *
read_section (int fd, const ElfW (Shdr) *sh)
{
  if (sh->sh_size == 0 || sh->sh_size > ((guint64) 64 << 20))
    return NULL;
  void *buf = g_malloc (sh->sh_size + 1);
  ((char *) buf)[sh->sh_size] = '\0';
  if (!read_at (fd, buf, sh->sh_size, sh->sh_offset))
    g_clear_pointer (&buf, g_free);
  return buf;
}

/* Whether a defined dynamic symbol is one of the plugin's own exports: not
 * the entry, not hidden, not a name reserved to the toolchain (_end, __bss_start,
 * a sanitizer's __odr_asan...). */
static gboolean
is_extra_export (const ElfW (Sym) *sym, const char *name)
{
  int bind = ELF64_ST_BIND (sym->st_info), vis = ELF64_ST_VISIBILITY (sym->st_other);
  if (sym->st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK)
      || (vis != STV_DEFAULT && vis != STV_PROTECTED))
    return FALSE;
  static const char *const linker[] = { "_edata", "_end", "_init", "_fini" };
  if (!name[0] || strcmp (name, SOMAIF_PLUGIN_ENTRY) == 0 || g_str_has_prefix (name, "__"))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (linker); i++)
    if (strcmp (name, linker[i]) == 0)
      return FALSE;
  return TRUE;
}

/* The dynamic symbols path exports besides the entry, comma-separated (at
 * most a few named), or NULL when there are none, when the entry is missing
 * too, or when the file is no ELF object of this machine's class (dlopen or
 * dlsym then says what is wrong). */
static char *
extra_exports (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  ElfW (Ehdr) eh;
  ElfW (Shdr) *sh = NULL;
  ElfW (Sym) *syms = NULL;
  char *names = NULL;
  GString *out = NULL;
  int count = 0;
  gboolean has_entry = FALSE;
  if (!read_at (fd, &eh, sizeof eh, 0) || memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0
      || eh.e_ident[EI_CLASS] != (sizeof (void *) == 8 ? ELFCLASS64 : ELFCLASS32)
      || eh.e_shentsize != sizeof (ElfW (Shdr)) || eh.e_shnum == 0)
    goto done;
  sh = g_new (ElfW (Shdr), eh.e_shnum);
  if (!read_at (fd, sh, sizeof (ElfW (Shdr)) * eh.e_shnum, eh.e_shoff))
    goto done;
  for (int i = 0; i < eh.e_shnum && !syms; i++)
    if (sh[i].sh_type == SHT_DYNSYM && sh[i].sh_link < eh.e_shnum
        && sh[i].sh_entsize == sizeof (ElfW (Sym)))
      {
        syms = read_section (fd, &sh[i]);
        names = read_section (fd, &sh[sh[i].sh_link]);
        if (!syms || !names)
          goto done;
        gsize n = sh[i].sh_size / sizeof (ElfW (Sym)), names_size = sh[sh[i].sh_link].sh_size;
        for (gsize k = 1; k < n; k++)
          {
            const char *name = syms[k].st_name < names_size ? names + syms[k].st_name : "";
            has_entry |= syms[k].st_shndx != SHN_UNDEF && strcmp (name, SOMAIF_PLUGIN_ENTRY) == 0;
            if (!is_extra_export (&syms[k], name))
              continue;
            if (!out)
              out = g_string_new (NULL);
            if (count++ < 5)
              g_string_append_printf (out, "%s%s", out->len ? ", " : "", name);
          }
      }
  if (count > 5)
    g_string_append_printf (out, " and %d more", count - 5);
  /* Without the entry it is no plugin at all, which is the thing to say. */
  if (out && !has_entry)
    g_string_free (g_steal_pointer (&out), TRUE);
done:
  close (fd);
  g_free (sh);
  g_free (syms);
  g_free (names);
  return out ? g_string_free (out, FALSE) : NULL;
}

static SomaifPlugin *
open_checked (const char *path, const char *expected_name, SomaifKind kind, GError **error)
{
  /* Before dlopen: a refused plugin's constructors never run. */
  g_autofree char *extra = extra_exports (path);
  if (extra)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NOT_A_PLUGIN,
                   "%s: exports %s besides %s(); a plugin exports that one symbol only "
                   "(build it with -fvisibility=hidden, or make the others static)",
                   path, extra, SOMAIF_PLUGIN_ENTRY);
      return NULL;
    }
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
  if (!somaif_plugin_check_specs (h->params, path, h->name, error))
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

/* Whether path is a regular file (links followed), else why not. */
static gboolean
is_plugin_file (const char *path, GError **error)
{
  struct stat st;
  const char *why = NULL;
  if (stat (path, &st) != 0)
    why = "not found";
  else if (S_ISDIR (st.st_mode))
    why = "is a folder, not a plugin file";
  else if (!S_ISREG (st.st_mode))
    why = "is not a regular file (a device, a pipe or a socket), not a plugin file";
  if (why)
    g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_NOT_FOUND,
                 "plugin file %s %s", path, why);
  return !why;
}

const char *
somaif_plugin_reason (const SomaifPlugin *p, const void *instance)
{
  const char *m = somaif_plugin_take_failure ();
  if (!m && p->head->error_message)
    m = p->head->error_message (instance);
  return m && *m ? m
    : "the plugin gave no reason (a plugin says why with somaif_plugin_fail() or error_message())";
}

SomaifPlugin *
somaif_plugin_load (const char *value, const char *base_dir, SomaifKind kind, GError **error)
{
  if (strchr (value, '/'))
    {
      g_autofree char *path = g_path_is_absolute (value)
        ? g_strdup (value) : g_build_filename (base_dir ? base_dir : ".", value, NULL);
      if (!is_plugin_file (path, error))
        return NULL;
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
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return is_plugin_file (path, error) ? open_checked (path, value, kind, error) : NULL;
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
