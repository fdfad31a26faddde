/* hershey.c: a reader of the .jhf format (see hershey.h). */
#include "config.h"

#include <string.h>

#include "hershey.h"
#include "readfile.h"

G_DEFINE_QUARK (somaif-hershey-error-quark, somaif_hershey_error)

const char *const somaif_hershey_latin_fonts[] = {
  "rowmans", "futural", "cursive", "scripts", "scriptc", "timesr", "timesi", NULL
};

gboolean
somaif_hershey_is_latin (const char *name)
{
  for (int i = 0; somaif_hershey_latin_fonts[i]; i++)
    if (strcmp (name, somaif_hershey_latin_fonts[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
glyph_free (gpointer data)
{
  SomaifGlyph *g = data;
  g_free (g->stroke_start);
  g_free (g->points);
  g_free (g);
}

void
somaif_hershey_free (SomaifHersheyFont *font)
{
  if (!font)
    return;
  g_free (font->path);
  g_ptr_array_free (font->glyphs, TRUE);
  g_free (font);
}

/* A whole number from a fixed-width field (spaces around it allowed). */
static gboolean
field_int (const char *p, int width, int *out)
{
  char buf[8];
  memcpy (buf, p, (size_t) width);
  buf[width] = '\0';
  char *s = g_strstrip (buf), *end;
  if (!*s)
    return FALSE;
  long v = strtol (s, &end, 10);
  if (*end || v < 0 || v > 99999)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

/* Builds a glyph from its pairs (the margins first). */
static SomaifGlyph *
glyph_from_pairs (const char *pairs, int n_pairs)
{
  SomaifGlyph *g = g_new0 (SomaifGlyph, 1);
  g->left = pairs[0] - 'R';
  g->right = pairs[1] - 'R';
  g->points = g_new (int, 2 * (gsize) n_pairs);
  g->stroke_start = g_new (int, (gsize) n_pairs + 1);
  gboolean pen_up = TRUE;
  for (int i = 1; i < n_pairs; i++)
    {
      const char *c = pairs + 2 * i;
      if (c[0] == ' ' && c[1] == 'R')
        {
          pen_up = TRUE;
          continue;
        }
      if (pen_up)
        g->stroke_start[g->n_strokes++] = g->n_points;
      pen_up = FALSE;
      g->points[2 * g->n_points] = c[0] - 'R';
      g->points[2 * g->n_points + 1] = c[1] - 'R';
      g->n_points++;
    }
  g->stroke_start[g->n_strokes] = g->n_points;
  return g;
}

static gboolean
parse_fail (GError **error, const char *path, int line, const char *why)
{
  g_set_error (error, SOMAIF_HERSHEY_ERROR, SOMAIF_HERSHEY_ERROR_PARSE, "%s:%d: %s", path,
               line, why);
  return FALSE;
}

/* Reads the record starting at line *i of lines, moving *i past it. */
static SomaifGlyph *
parse_record (char **lines, int n_lines, int *i, const char *path, GError **error)
{
  int first = *i + 1, n_pairs = 0, number = 0;
  const char *line = lines[*i];
  if (strlen (line) < 8 || !field_int (line, 5, &number) || !field_int (line + 5, 3, &n_pairs)
      || n_pairs < 1)
    {
      parse_fail (error, path, first, "not a .jhf record (a 5-digit number, a 3-digit "
                  "count of coordinate pairs, then the pairs)");
      return NULL;
    }
  GString *pairs = g_string_new (line + 8);
  /* A long record goes on in the following lines. */
  while (pairs->len < 2 * (gsize) n_pairs && *i + 1 < n_lines)
    g_string_append (pairs, lines[++*i]);
  (*i)++;
  gboolean ok = pairs->len >= 2 * (gsize) n_pairs;
  for (gsize k = 0; ok && k < 2 * (gsize) n_pairs; k++)
    ok = pairs->str[k] >= ' ' && pairs->str[k] <= '~';
  if (!ok)
    {
      g_autofree char *why = g_strdup_printf ("record %d announces %d coordinate pairs but "
                                              "holds fewer, or a character outside ' '..'~'",
                                              number, n_pairs);
      parse_fail (error, path, first, why);
      g_string_free (pairs, TRUE);
      return NULL;
    }
  SomaifGlyph *g = glyph_from_pairs (pairs->str, n_pairs);
  g_string_free (pairs, TRUE);
  return g;
}

SomaifHersheyFont *
somaif_hershey_parse (const char *text, gsize length, const char *path, GError **error)
{
  if (memchr (text, '\0', length))
    {
      parse_fail (error, path, 1, "not a text file");
      return NULL;
    }
  g_autofree char *copy = g_strndup (text, length);
  for (char *c = copy; *c; c++)
    if (*c == '\r')
      *c = '\n';
  g_auto (GStrv) lines = g_strsplit (copy, "\n", -1);
  int n_lines = (int) g_strv_length (lines);
  SomaifHersheyFont *font = g_new0 (SomaifHersheyFont, 1);
  font->path = g_strdup (path);
  font->glyphs = g_ptr_array_new_with_free_func (glyph_free);
  for (int i = 0; i < n_lines;)
    {
      if (!lines[i][0])
        {
          i++;
          continue;
        }
      SomaifGlyph *g = parse_record (lines, n_lines, &i, path, error);
      if (!g)
        {
          somaif_hershey_free (font);
          return NULL;
        }
      g_ptr_array_add (font->glyphs, g);
    }
  if (font->glyphs->len == 0)
    {
      parse_fail (error, path, 1, "no glyph records");
      somaif_hershey_free (font);
      return NULL;
    }
  return font;
}

SomaifHersheyFont *
somaif_hershey_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  GError *err = NULL;
  if (!somaif_read_file (path, "font file", SOMAIF_MAX_CONFIG_BYTES, &text, &length, &err))
    {
      g_set_error (error, SOMAIF_HERSHEY_ERROR, SOMAIF_HERSHEY_ERROR_READ, "%s", err->message);
      g_error_free (err);
      return NULL;
    }
  return somaif_hershey_parse (text, length, path, error);
}

const SomaifGlyph *
somaif_hershey_glyph (const SomaifHersheyFont *font, int c)
{
  if (c < 32 || c > 126 || (guint) (c - 32) >= font->glyphs->len)
    return NULL;
  const SomaifGlyph *g = g_ptr_array_index (font->glyphs, c - 32);
  return g->n_points > 0 ? g : NULL;
}
