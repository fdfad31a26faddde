/* arrays.c: named arrays in the golden text format, and NumPy .npy output. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "readfile.h"
#include "somaif/plugin.h"

G_DEFINE_QUARK (somaif-plugin-error-quark, somaif_plugin_error)

static void
array_free (gpointer p)
{
  SomaifArray *a = p;
  g_free (a->name);
  g_free (a->data);
  g_free (a);
}

/* Parses "@ NAME d1 d2 ..." into a new, empty array. */
static SomaifArray *
parse_header (const char *line, const char *path, int lineno, GError **error)
{
  g_auto (GStrv) tok = g_strsplit_set (line + 1, " \t", -1);
  SomaifArray *a = g_new0 (SomaifArray, 1);
  int n = 0;
  a->size = 1;
  for (int i = 0; tok[i]; i++)
    {
      if (tok[i][0] == '\0')
        continue;
      if (!a->name)
        {
          a->name = g_strdup (tok[i]);
          continue;
        }
      char *end;
      errno = 0;
      long d = strtol (tok[i], &end, 10);
      if (*end || errno || d <= 0 || d > (1 << 24) || n == 4)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s:%d: bad shape '%s' of array '%s'", path, lineno, tok[i],
                       a->name);
          array_free (a);
          return NULL;
        }
      a->shape[n++] = (int) d;
      a->size *= (gsize) d;
    }
  if (!a->name)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: '@' without a name",
                   path, lineno);
      array_free (a);
      return NULL;
    }
  a->ndim = n;
  if (a->size > ((gsize) 1 << 28))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: array '%s' is too large",
                   path, lineno, a->name);
      array_free (a);
      return NULL;
    }
  a->data = g_new (double, a->size);
  return a;
}

static gboolean
finish_array (SomaifArray *a, gsize filled, const char *path, int lineno, GError **error)
{
  if (filled != a->size)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s:%d: array '%s' has %" G_GSIZE_FORMAT " values, its shape says %"
                   G_GSIZE_FORMAT, path, lineno, a->name, filled, a->size);
      return FALSE;
    }
  return TRUE;
}

GHashTable *
somaif_arrays_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!somaif_read_file (path, "arrays file", SOMAIF_MAX_ARRAYS_BYTES, &text, NULL, error))
    return NULL;
  GHashTable *arrays = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, array_free);
  SomaifArray *cur = NULL;
  gsize filled = 0;
  int lineno = 0, header_line = 0;
  char *save = NULL;
  /* Split by hand: strtok_r skips empty lines, which carry nothing here. */
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      lineno++;
      g_strstrip (line);
      if (line[0] == '#' || line[0] == '\0')
        continue;
      if (line[0] == '@')
        {
          if (cur && !finish_array (cur, filled, path, header_line, error))
            goto fail;
          cur = parse_header (line, path, lineno, error);
          if (!cur)
            goto fail;
          if (g_hash_table_contains (arrays, cur->name))
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s:%d: array '%s' appears twice", path, lineno, cur->name);
              array_free (cur);
              cur = NULL;
              goto fail;
            }
          g_hash_table_insert (arrays, cur->name, cur);
          filled = 0;
          header_line = lineno;
          continue;
        }
      if (!cur)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s:%d: values before any '@ name' line", path, lineno);
          goto fail;
        }
      char *p = line;
      while (*p)
        {
          while (*p == ' ' || *p == '\t')
            p++;
          if (!*p)
            break;
          char *end;
          double v = g_ascii_strtod (p, &end);
          if (end == p)
            {
              if (g_ascii_strncasecmp (p, "nan", 3) == 0)
                v = NAN, end = p + 3;
              else
                {
                  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                               "%s:%d: '%.20s' is not a number", path, lineno, p);
                  goto fail;
                }
            }
          if (filled >= cur->size)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s:%d: array '%s' has more values than its shape", path,
                           lineno, cur->name);
              goto fail;
            }
          cur->data[filled++] = v;
          p = end;
        }
    }
  if (cur && !finish_array (cur, filled, path, header_line, error))
    goto fail;
  return arrays;
fail:
  g_hash_table_destroy (arrays);
  return NULL;
}

const SomaifArray *
somaif_arrays_get (GHashTable *arrays, const char *name, int ndim, const int *shape,
                   GError **error)
{
  const SomaifArray *a = g_hash_table_lookup (arrays, name);
  if (!a)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no array named '%s'", name);
      return NULL;
    }
  if (ndim >= 0)
    {
      gboolean ok = a->ndim == ndim;
      for (int i = 0; ok && i < ndim; i++)
        ok = a->shape[i] == shape[i];
      if (!ok)
        {
          GString *want = g_string_new ("(");
          GString *got = g_string_new ("(");
          for (int i = 0; i < ndim; i++)
            g_string_append_printf (want, "%s%d", i ? ", " : "", shape[i]);
          for (int i = 0; i < a->ndim; i++)
            g_string_append_printf (got, "%s%d", i ? ", " : "", a->shape[i]);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "array '%s' has shape %s), expected %s)", name, got->str, want->str);
          g_string_free (want, TRUE);
          g_string_free (got, TRUE);
          return NULL;
        }
    }
  return a;
}

/* NumPy format 1.0 (npy.c). */
static gboolean
npy_write (const char *path, const void *data, gsize elem, const char *descr, int ndim,
           const int *shape, GError **error)
{
  GByteArray *buf = somaif_npy_encode (data, elem, descr, ndim, shape);
  gboolean ok = g_file_set_contents (path, (const char *) buf->data, buf->len, error);
  g_byte_array_unref (buf);
  return ok;
}

gboolean
somaif_npy_write_f64 (const char *path, const double *data, int ndim, const int *shape,
                      GError **error)
{
  return npy_write (path, data, sizeof (double), "<f8", ndim, shape, error);
}

gboolean
somaif_npy_write_f32 (const char *path, const float *data, int ndim, const int *shape,
                      GError **error)
{
  return npy_write (path, data, sizeof (float), "<f4", ndim, shape, error);
}
