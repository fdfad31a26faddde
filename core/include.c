/* include.c: @include expanded by the host.  libconfig 1.5 resolves an
 * include against the current folder (or one fixed folder), so a config
 * run from elsewhere would miss its includes or, worse, read a same-named
 * file there; here each is taken relative to the file that names it. */
#include "config.h"

#include <string.h>

#include "host.h"
#include "include.h"
#include "readfile.h"

/* Deep enough for any layering; stops a chain that never ends. */
#define MAX_DEPTH 16

typedef struct
{
  int file;   /* index into files */
  int line;   /* 1-based, in that file */
} Origin;

struct SomaifSourceMap
{
  GPtrArray *files;  /* char *, as named (joined to the including file's folder) */
  GArray *lines;     /* Origin per expanded line */
};

void
somaif_source_map_free (SomaifSourceMap *map)
{
  if (!map)
    return;
  g_ptr_array_free (map->files, TRUE);
  g_array_free (map->lines, TRUE);
  g_free (map);
}

gboolean
somaif_source_map_find (const SomaifSourceMap *map, int line, const char **file, int *file_line)
{
  if (!map || line < 1 || (guint) line > map->lines->len)
    return FALSE;
  const Origin *o = &g_array_index (map->lines, Origin, line - 1);
  *file = g_ptr_array_index (map->files, o->file);
  *file_line = o->line;
  return TRUE;
}

/* The file name of an "@include" line, or NULL when line is no include. */
static char *
include_name (const char *line)
{
  while (*line == ' ' || *line == '\t')
    line++;
  if (!g_str_has_prefix (line, "@include"))
    return NULL;
  const char *q = strchr (line, '"');
  const char *end = q ? strchr (q + 1, '"') : NULL;
  return end ? g_strndup (q + 1, (gsize) (end - q - 1)) : g_strdup ("");
}

static gboolean expand_file (const char *path, const char *from, int from_line, int depth,
                             GPtrArray *stack, GString *out, SomaifSourceMap *map,
                             GError **error);

/* Expands one line of file (index file_index, at line lineno). */
static gboolean
expand_line (const char *line, const char *path, int file_index, int lineno, int depth,
             GPtrArray *stack, GString *out, SomaifSourceMap *map, GError **error)
{
  g_autofree char *name = include_name (line);
  if (!name)
    {
      g_string_append (out, line);
      g_string_append_c (out, '\n');
      Origin o = { file_index, lineno };
      g_array_append_val (map->lines, o);
      return TRUE;
    }
  if (!name[0])
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX,
                   "%s:%d: @include needs a file name in double quotes", path, lineno);
      return FALSE;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *target = g_path_is_absolute (name) || strcmp (dir, ".") == 0
    ? g_strdup (name) : g_build_filename (dir, name, NULL);
  return expand_file (target, path, lineno, depth + 1, stack, out, map, error);
}

static gboolean
expand_text (char *text, const char *path, int depth, GPtrArray *stack, GString *out,
             SomaifSourceMap *map, GError **error)
{
  int file_index = (int) map->files->len;
  g_ptr_array_add (map->files, g_strdup (path));
  int lineno = 0;
  char *line = text;
  while (*line)
    {
      char *nl = strchr (line, '\n');
      if (nl)
        *nl = '\0';
      if (!expand_line (line, path, file_index, ++lineno, depth, stack, out, map, error))
        return FALSE;
      if (!nl)
        break;
      line = nl + 1;
    }
  return TRUE;
}

static gboolean
expand_file (const char *path, const char *from, int from_line, int depth, GPtrArray *stack,
             GString *out, SomaifSourceMap *map, GError **error)
{
  g_autofree char *where = from ? g_strdup_printf ("%s:%d: @include: ", from, from_line)
    : g_strdup ("");
  g_autofree char *canon = g_canonicalize_filename (path, NULL);
  gboolean cycle = depth > MAX_DEPTH;
  for (guint i = 0; i < stack->len; i++)
    cycle = cycle || strcmp (g_ptr_array_index (stack, i), canon) == 0;
  if (cycle)
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX,
                   "%s%s includes itself (or includes nest deeper than %d)", where, path,
                   MAX_DEPTH);
      return FALSE;
    }
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!somaif_read_file (path, "config file", SOMAIF_MAX_CONFIG_BYTES, &text, &len, &err))
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_USAGE, "%s%s", where,
                   err->message);
      g_error_free (err);
      return FALSE;
    }
  if (memchr (text, '\0', len) || !g_utf8_validate (text, (gssize) len, NULL))
    {
      g_set_error (error, SOMAIF_CONFIG_ERROR, SOMAIF_CONFIG_ERROR_SYNTAX,
                   "%s%s: not a text config file (it holds binary data)", where, path);
      return FALSE;
    }
  g_ptr_array_add (stack, g_steal_pointer (&canon));
  gboolean ok = expand_text (text, path, depth, stack, out, map, error);
  g_ptr_array_remove_index (stack, stack->len - 1);
  return ok;
}

char *
somaif_config_expand (const char *path, SomaifSourceMap **map, GError **error)
{
  SomaifSourceMap *m = g_new0 (SomaifSourceMap, 1);
  m->files = g_ptr_array_new_with_free_func (g_free);
  m->lines = g_array_new (FALSE, FALSE, sizeof (Origin));
  GPtrArray *stack = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);
  gboolean ok = expand_file (path, NULL, 0, 0, stack, out, m, error);
  g_ptr_array_free (stack, TRUE);
  if (!ok)
    {
      somaif_source_map_free (m);
      g_string_free (out, TRUE);
      return NULL;
    }
  *map = m;
  return g_string_free (out, FALSE);
}
