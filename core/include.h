/* include.h: a config's text with its @include lines expanded, each taken
 * relative to the file that names it, and where each line came from. */
#ifndef SOMAIF_INCLUDE_H
#define SOMAIF_INCLUDE_H

#include <glib.h>

typedef struct SomaifSourceMap SomaifSourceMap;

/* Reads path (bounded; a text file) and every file it includes, depth first,
 * and returns the whole text, with *map telling each line's file and line.
 * Refuses, naming the file and line of the @include, a file that cannot be
 * read, is no text, or includes itself (directly or not). */
char *somaif_config_expand (const char *path, SomaifSourceMap **map, GError **error);
void somaif_source_map_free (SomaifSourceMap *map);

/* The file and line where line (1-based, of the expanded text) was written;
 * FALSE (and nothing set) when line is outside the text. */
gboolean somaif_source_map_find (const SomaifSourceMap *map, int line, const char **file,
                                 int *file_line);

#endif
