/* memlimit.h: the memory limits a run can see, checked before it allocates. */
#ifndef SOMAIF_MEMLIMIT_H
#define SOMAIF_MEMLIMIT_H

#include <glib.h>

/* Bytes this process may still allocate: the smaller of RLIMIT_AS less the
 * address space in use, and the cgroup's memory.max less memory.current.
 * G_MAXUINT64 when neither limits it.  *limit names the one that binds
 * (static text), when limit is not NULL. */
guint64 somaif_memory_available (const char **limit);

/* Refuses (SOMAIF_MEMORY_ERROR) a need of need bytes that the limits cannot
 * hold, naming what (e.g. "this run") and both sizes. */
gboolean somaif_memory_check (guint64 need, const char *what, GError **error);

/* "1.2 GiB": a size for messages (g_free). */
char *somaif_memory_text (guint64 bytes);

#endif
