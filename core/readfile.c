/* readfile.c: bounded reads of input files: a device or a pipe named as a
 * config or a weights file would otherwise be read until memory runs out. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "readfile.h"

static gboolean
fail (GError **error, int code, const char *path, const char *what, const char *why)
{
  g_set_error (error, G_FILE_ERROR, code, "%s: cannot read this %s: %s", path, what, why);
  return FALSE;
}

/* Reads exactly size bytes (the file's size when opened) and checks that
 * nothing follows: a file still growing is refused rather than cut. */
static gboolean
read_all (int fd, char *buf, gsize size, const char *path, const char *what, GError **error)
{
  gsize got = 0;
  while (got <= size)
    {
      /* One byte past size shows a file that grew. */
      char extra;
      char *to = got < size ? buf + got : &extra;
      gsize want = got < size ? size - got : 1;
      ssize_t r = read (fd, to, want);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return fail (error, g_file_error_from_errno (errno), path, what, g_strerror (errno));
      if (r == 0)
        break;
      got += (gsize) r;
    }
  if (got != size)
    return fail (error, G_FILE_ERROR_FAILED, path, what,
                 "it changed size while being read");
  return TRUE;
}

gboolean
somaif_read_file (const char *path, const char *what, gsize max, char **contents,
                  gsize *length, GError **error)
{
  /* O_NONBLOCK: opening a FIFO without a writer must not hang. */
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int e = errno;
      return fail (error, g_file_error_from_errno (e), path, what, g_strerror (e));
    }
  struct stat st;
  gboolean ok = FALSE;
  if (fstat (fd, &st) != 0)
    fail (error, g_file_error_from_errno (errno), path, what, g_strerror (errno));
  else if (S_ISDIR (st.st_mode))
    fail (error, G_FILE_ERROR_ISDIR, path, what, "it is a folder");
  else if (!S_ISREG (st.st_mode))
    fail (error, G_FILE_ERROR_INVAL, path, what,
          "it is not a regular file (a device, a pipe or a socket)");
  else if ((guint64) st.st_size > max)
    {
      g_autofree char *size = g_format_size ((guint64) st.st_size);
      g_autofree char *cap = g_format_size (max);
      g_autofree char *why = g_strdup_printf ("it holds %s, more than the %s a %s may hold",
                                              size, cap, what);
      fail (error, G_FILE_ERROR_FAILED, path, what, why);
    }
  else
    {
      gsize size = (gsize) st.st_size;
      char *buf = g_malloc (size + 1);
      ok = read_all (fd, buf, size, path, what, error);
      if (ok)
        {
          buf[size] = '\0';
          *contents = buf;
          if (length)
            *length = size;
        }
      else
        g_free (buf);
    }
  close (fd);
  return ok;
}
