/* hershey.h: glyphs of the Hershey fonts in the .jhf text format.
 *
 * A .jhf file holds one glyph a record: a 5-character glyph number, a
 * 3-character count of coordinate pairs, then the pairs, two characters
 * each, every coordinate written as its offset from 'R' (so "R" is 0, "F" is
 * -12).  The first pair is the glyph's left and right margins; " R" (space,
 * R) lifts the pen; every other pair is a point (x right, y down).  A record
 * longer than a line goes on in the next line.  In the Latin fonts the n-th
 * record is the glyph of ASCII 32 + n.
 */
#ifndef SOMAIF_HERSHEY_H
#define SOMAIF_HERSHEY_H

#include <glib.h>

G_BEGIN_DECLS

#define SOMAIF_HERSHEY_ERROR (somaif_hershey_error_quark ())
GQuark somaif_hershey_error_quark (void);
typedef enum
{
  SOMAIF_HERSHEY_ERROR_READ,  /* the file could not be read */
  SOMAIF_HERSHEY_ERROR_PARSE, /* a record is not in the .jhf form */
  SOMAIF_HERSHEY_ERROR_GLYPH  /* no such glyph, or no Latin font has it */
} SomaifHersheyError;

typedef struct
{
  int left, right;   /* margins, in font units */
  int n_strokes;
  int *stroke_start; /* n_strokes + 1 offsets into points (in points) */
  int n_points;
  int *points;       /* n_points x 2: x right, y down, font units */
} SomaifGlyph;

typedef struct
{
  char *path;
  GPtrArray *glyphs; /* SomaifGlyph *, in the file's order */
} SomaifHersheyFont;

/* The fonts whose records follow ASCII from 32 ('rowmans', ..., 'timesi'),
 * NULL-terminated: the others put other glyphs at the ASCII letters. */
extern const char *const somaif_hershey_latin_fonts[];
gboolean somaif_hershey_is_latin (const char *name);

/* Parses the text of a .jhf file; path names it in messages. */
SomaifHersheyFont *somaif_hershey_parse (const char *text, gsize length, const char *path,
                                         GError **error);
SomaifHersheyFont *somaif_hershey_load (const char *path, GError **error);
void somaif_hershey_free (SomaifHersheyFont *font);

/* The glyph of ASCII character c (32..126), NULL when the font has none. */
const SomaifGlyph *somaif_hershey_glyph (const SomaifHersheyFont *font, int c);

G_END_DECLS

#endif
