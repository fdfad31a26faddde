/* readfile.h: reading a whole input file, refusing what is no file or too big. */
#ifndef SOMAIF_READFILE_H
#define SOMAIF_READFILE_H

#include <glib.h>

/* Caps of what each reader takes before parsing (bytes). */
#define SOMAIF_MAX_CONFIG_BYTES ((gsize) 16 << 20)
#define SOMAIF_MAX_ARRAYS_BYTES ((gsize) 1 << 30)

/* Reads path into *contents (NUL-terminated, g_free) and *length (may be
 * NULL).  Refuses, with a G_FILE_ERROR naming path and what (e.g. "weights
 * file"), a path that is not a regular file (a folder, a device, a pipe) and
 * a file longer than max bytes, before reading any of it. */
gboolean somaif_read_file (const char *path, const char *what, gsize max, char **contents,
                           gsize *length, GError **error);

#endif
