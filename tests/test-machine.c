/* test-machine.c: the cores a run may use (core/machine.c): a control
 * group's CPU quota read from cgroup2's cpu.max and from cgroup v1's
 * cpu.cfs_quota_us and cpu.cfs_period_us, in cores rounded up, the least of
 * a group and its parents, in trees made here as the kernel shows them. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>

#include "machine.h"
#include "test-tree.h"

typedef struct
{
  char *root;  /* a temporary folder */
  char *v2;    /* root/unified: a cgroup2 mount */
  char *v1;    /* root/cpu,cpuacct: a v1 cpu controller's mount */
  const char *roots_v1[3];
} Tree;

static void
tree_set_up (Tree *t, gconstpointer data)
{
  t->root = g_dir_make_tmp ("test-machine.XXXXXX", NULL);
  g_assert_nonnull (t->root);
  t->v2 = g_build_filename (t->root, "unified", NULL);
  t->v1 = g_build_filename (t->root, "cpu,cpuacct", NULL);
  g_assert_cmpint (g_mkdir (t->v2, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (t->v1, 0700), ==, 0);
  /* the first v1 root is not there, as on a machine without that name */
  t->roots_v1[0] = "/nonexistent/cpu";
  t->roots_v1[1] = t->v1;
  t->roots_v1[2] = NULL;
}

static void
tree_tear_down (Tree *t, gconstpointer data)
{
  test_remove_tree (t->root);
  g_free (t->root);
  g_free (t->v2);
  g_free (t->v1);
}

/* Writes text into base/group/name, making the folders. */
static void
put (const char *base, const char *group, const char *name, const char *text)
{
  g_autofree char *dir = g_build_filename (base, group, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static int
cap (Tree *t, const char *self)
{
  return somaif_machine_cgroup_cap (self, t->v2, t->roots_v1);
}

/* cgroup2: a quota of 1.5 cores is 2 (rounded up), "max" none, a whole
 * number of cores itself. */
static void
test_v2_quota (Tree *t, gconstpointer data)
{
  put (t->v2, "job", "cpu.max", "150000 100000\n");
  g_assert_cmpint (cap (t, "0::/job\n"), ==, 2);
  put (t->v2, "job", "cpu.max", "200000 100000\n");
  g_assert_cmpint (cap (t, "0::/job\n"), ==, 2);
  put (t->v2, "job", "cpu.max", "50000 100000\n");
  g_assert_cmpint (cap (t, "0::/job\n"), ==, 1);
  put (t->v2, "job", "cpu.max", "max 100000\n");
  g_assert_cmpint (cap (t, "0::/job\n"), ==, 0);
  /* no cpu.max (the root group), or none of it readable as numbers */
  g_assert_cmpint (cap (t, "0::/\n"), ==, 0);
  put (t->v2, "job", "cpu.max", "lots 100000\n");
  g_assert_cmpint (cap (t, "0::/job\n"), ==, 0);
  put (t->v2, "job", "cpu.max", "300000 0\n");
  g_assert_cmpint (cap (t, "0::/job\n"), ==, 0);
}

/* A group gets no more than its parents allow: the least over the group
 * and each parent up to the mount's root, and nothing above it. */
static void
test_v2_parents (Tree *t, gconstpointer data)
{
  put (t->v2, "a", "cpu.max", "300000 100000\n");
  put (t->v2, "a/b", "cpu.max", "max 100000\n");
  put (t->v2, "a/b/c", "cpu.max", "800000 100000\n");
  g_assert_cmpint (cap (t, "0::/a/b/c\n"), ==, 3);
  g_assert_cmpint (cap (t, "0::/a/b\n"), ==, 3);
  put (t->v2, "", "cpu.max", "100000 100000\n");
  g_assert_cmpint (cap (t, "0::/a/b/c\n"), ==, 1);
  /* a cpu.max above the mount's root is not read */
  g_autofree char *top = g_build_filename (t->v2, "cpu.max", NULL);
  g_assert_cmpint (g_remove (top), ==, 0);
  put (t->root, "", "cpu.max", "100000 100000\n");
  g_assert_cmpint (cap (t, "0::/a/b/c\n"), ==, 3);
}

/* In a container the group's path names folders that its mount does not
 * show: the mount's root is then the container's own group. */
static void
test_container (Tree *t, gconstpointer data)
{
  put (t->v2, "", "cpu.max", "250000 100000\n");
  g_assert_cmpint (cap (t, "0::/docker/0123abcd\n"), ==, 3);
  put (t->v1, "", "cpu.cfs_quota_us", "120000\n");
  put (t->v1, "", "cpu.cfs_period_us", "100000\n");
  g_assert_cmpint (cap (t, "5:cpu,cpuacct:/docker/0123abcd\n"), ==, 2);
}

/* cgroup v1: the cpu controller's quota (-1: none) over its period, the
 * controller found among others in its line, and the least of v1 and
 * cgroup2 where a machine has both. */
static void
test_v1 (Tree *t, gconstpointer data)
{
  put (t->v1, "slice", "cpu.cfs_quota_us", "-1\n");
  put (t->v1, "slice", "cpu.cfs_period_us", "100000\n");
  g_assert_cmpint (cap (t, "4:cpu,cpuacct:/slice\n"), ==, 0);
  put (t->v1, "slice", "cpu.cfs_quota_us", "250000\n");
  g_assert_cmpint (cap (t, "4:cpu,cpuacct:/slice\n"), ==, 3);
  g_assert_cmpint (cap (t, "4:cpuacct,cpu:/slice\n"), ==, 3);
  /* a line of other controllers is not the cpu controller's */
  g_assert_cmpint (cap (t, "3:cpuset:/slice\n4:memory:/slice\n"), ==, 0);
  put (t->v2, "unit", "cpu.max", "150000 100000\n");
  g_assert_cmpint (cap (t, "4:cpu,cpuacct:/slice\n0::/unit\n"), ==, 2);
  put (t->v2, "unit", "cpu.max", "900000 100000\n");
  g_assert_cmpint (cap (t, "4:cpu,cpuacct:/slice\n0::/unit\n"), ==, 3);
}

/* Text that is not /proc/self/cgroup's gives no cap. */
static void
test_malformed (Tree *t, gconstpointer data)
{
  put (t->v2, "", "cpu.max", "100000 100000\n");
  g_assert_cmpint (cap (t, ""), ==, 0);
  g_assert_cmpint (cap (t, "garbage\n"), ==, 0);
  g_assert_cmpint (cap (t, "0::relative\n"), ==, 0);
  g_assert_cmpint (cap (t, "0::/\n"), ==, 1);
}

/* This machine: at least 1, and no more than the CPUs it may run on. */
static void
test_this_machine (void)
{
  int cores = somaif_machine_cores ();
  g_assert_cmpint (cores, >=, 1);
  g_assert_cmpint (cores, <=, (int) g_get_num_processors ());
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/machine/cgroup2-quota", Tree, NULL, tree_set_up, test_v2_quota, tree_tear_down);
  g_test_add ("/machine/cgroup2-parents", Tree, NULL, tree_set_up, test_v2_parents,
              tree_tear_down);
  g_test_add ("/machine/container", Tree, NULL, tree_set_up, test_container, tree_tear_down);
  g_test_add ("/machine/cgroup-v1", Tree, NULL, tree_set_up, test_v1, tree_tear_down);
  g_test_add ("/machine/malformed", Tree, NULL, tree_set_up, test_malformed, tree_tear_down);
  g_test_add_func ("/machine/this-machine", test_this_machine);
  return g_test_run ();
}
