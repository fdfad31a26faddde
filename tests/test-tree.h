/* test-tree.h: the folders the test programs and the bench make, removed
 * again. */
#ifndef SOMAIF_TEST_TREE_H
#define SOMAIF_TEST_TREE_H

#include <glib.h>

/* Removes path and, when it is a folder, everything in it (a symbolic link
 * is removed, never followed).  TRUE when every removal succeeded. */
gboolean test_remove_tree (const char *path);

#endif
