/* test-tree.c: see test-tree.h. */
#include "config.h"

#include <glib/gstdio.h>

#include "test-tree.h"

gboolean
test_remove_tree (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return g_remove (path) == 0;
  gboolean ok = TRUE;
  GDir *d = g_dir_open (path, 0, NULL);
  if (d)
    {
      const char *name;
      while ((name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          ok = test_remove_tree (child) && ok;
        }
      g_dir_close (d);
    }
  return g_rmdir (path) == 0 && ok;
}
