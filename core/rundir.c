/* rundir.c: the files of a run folder, written and read in one place
 * (docs/run-folder.md is their specification). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fmt.h"
#include "rundir.h"
#include "npy.h"
#include "readfile.h"

G_DEFINE_QUARK (somaif-rundir-error-quark, somaif_rundir_error)

/* ------------------------------------------------------------------ */
/* Creating files                                                      */

static gboolean
write_error (GError **error, const char *path, const char *what, int e)
{
  g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_WRITE, "%s: %s: %s", path, what,
               g_strerror (e ? e : EIO));
  return FALSE;
}

int
somaif_rundir_create (const char *path, gboolean truncate, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (truncate ? O_TRUNC : 0),
                 0666);
  if (fd < 0)
    {
      int e = errno;
      write_error (error, path, e == ELOOP ? "a symbolic link: not written through"
                                           : "cannot write", e);
      errno = e; /* for callers that word their own message */
    }
  return fd;
}

FILE *
somaif_rundir_open (const char *path, gint64 keep, GError **error)
{
  int fd = somaif_rundir_create (path, keep < 0, error);
  if (fd < 0)
    return NULL;
  struct stat st;
  if (keep >= 0
      && (fstat (fd, &st) != 0 || st.st_size < keep || ftruncate (fd, (off_t) keep) != 0
          || lseek (fd, 0, SEEK_END) < 0))
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                   "%s: shorter than its checkpoint says (%" G_GINT64_FORMAT
                   " bytes): cannot resume", path, keep);
      close (fd);
      return NULL;
    }
  FILE *f = fdopen (fd, "w");
  if (!f)
    {
      write_error (error, path, "cannot write", errno);
      close (fd);
      return NULL;
    }
  /* Large buffer: 200,000 metric rows go out without a syscall each. */
  setvbuf (f, NULL, _IOFBF, 1 << 20);
  return f;
}

gboolean
somaif_rundir_close (FILE *f, const char *path, GError **error)
{
  if (!f)
    return TRUE;
  gboolean ok = !ferror (f);
  int e = errno;
  if (fclose (f) != 0)
    ok = FALSE, e = errno;
  if (!ok && error && !*error)
    write_error (error, path, "write failed", e);
  return ok;
}

gboolean
somaif_rundir_write (const char *path, const void *data, gsize length, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  unlink (tmp); /* a leftover, or a planted link: never written through */
  int fd = somaif_rundir_create (tmp, TRUE, error);
  if (fd < 0)
    return FALSE;
  const char *p = data;
  gsize left = length;
  while (left > 0)
    {
      ssize_t w = write (fd, p, left);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          int e = errno;
          close (fd);
          unlink (tmp);
          return write_error (error, path, "write failed", e);
        }
      p += w;
      left -= (gsize) w;
    }
  if (close (fd) != 0 || rename (tmp, path) != 0)
    {
      int e = errno;
      unlink (tmp);
      return write_error (error, path, "write failed", e);
    }
  return TRUE;
}

static gboolean
write_text (const char *dir, const char *name, const char *text, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return somaif_rundir_write (path, text, strlen (text), error);
}

gboolean
somaif_rundir_mkdir (const char *path, GError **error)
{
  if (!somaif_rundir_check_not_link (path, error))
    return FALSE;
  if (g_mkdir_with_parents (path, 0777) != 0)
    return write_error (error, path, "cannot create", errno);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The folder                                                          */

struct SomaifRundirLock
{
  int fd;
};

gboolean
somaif_rundir_check_not_link (const char *path, GError **error)
{
  struct stat st;
  g_autofree char *bare = g_strdup (path);
  /* "link/" would be followed by lstat: ask about "link". */
  for (gsize n = strlen (bare); n > 1 && bare[n - 1] == '/'; n--)
    bare[n - 1] = '\0';
  if (lstat (bare, &st) == 0 && S_ISLNK (st.st_mode))
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_REFUSED,
                   "%s is a symbolic link: a run folder and its folders must not be", path);
      return FALSE;
    }
  return TRUE;
}

/* "host H pid P" from the lock file, or words saying it is not known. */
static char *
lock_holder (int fd)
{
  char buf[256];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  buf[n > 0 ? n : 0] = '\0';
  g_strstrip (buf);
  return g_strdup (*buf ? buf : "a process that has not said which yet");
}

SomaifRundirLock *
somaif_rundir_lock (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, SOMAIF_RUNDIR_LOCK_FILE, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0)
    {
      write_error (error, path, "cannot lock", errno);
      return NULL;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int e = errno;
      g_autofree char *holder = e == EWOULDBLOCK ? lock_holder (fd) : NULL;
      if (holder)
        g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_LOCKED,
                     "%s is in use by another run (%s): wait for it to end or choose another "
                     "folder", dir, holder);
      else
        write_error (error, path, "cannot lock", e);
      close (fd);
      return NULL;
    }
  g_autofree char *me = g_strdup_printf ("host %s pid %ld\n", g_get_host_name (),
                                         (long) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, me, strlen (me), 0) != (ssize_t) strlen (me))
    {
      write_error (error, path, "cannot write", errno);
      close (fd);
      return NULL;
    }
  SomaifRundirLock *lock = g_new (SomaifRundirLock, 1);
  lock->fd = fd;
  return lock;
}

void
somaif_rundir_unlock (SomaifRundirLock *lock)
{
  if (!lock)
    return;
  close (lock->fd);
  g_free (lock);
}

static gboolean
has (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
somaif_rundir_holds_run (const char *dir)
{
  return (has (dir, "config.cfg") && (has (dir, "run.json") || has (dir, "checkpoint.bin")))
         || has (dir, SOMAIF_RUNDIR_LOCK_FILE);
}

gboolean
somaif_rundir_has_files (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (!d)
    return FALSE;
  const char *name;
  gboolean any = FALSE;
  while (!any && (name = g_dir_read_name (d)))
    any = strcmp (name, SOMAIF_RUNDIR_LOCK_FILE) != 0;
  g_dir_close (d);
  return any;
}

/* The files a run writes at the top of its folder. */
static const char *const run_files[] = {
  "config.cfg", "config.json", "metrics.csv", "schedules.csv", "checkpoint.bin", "final.csv",
  "quality.csv", "curves.csv", "curves.png", "repertoire.png", "prototypes.png", "run.json",
  "metrics.csv.gz", "metrics.csv.gz.tmp",
  "segments.json",
};

/* Removes dir/name unless it is a folder (a run writes none by that name). */
static gboolean
remove_file (const char *dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;
  if (lstat (path, &st) != 0 || S_ISDIR (st.st_mode))
    return TRUE;
  if (unlink (path) != 0 && errno != ENOENT)
    return write_error (error, path, "cannot remove", errno);
  return TRUE;
}

/* Removes the entries of dir/sub that ours() names, then dir/sub if it is
 * left empty; a link named sub is removed, not followed; a file named sub
 * is not the run's and stays. */
static gboolean
clear_folder (const char *dir, const char *sub, gboolean (*ours) (const char *name),
              GError **error)
{
  g_autofree char *path = g_build_filename (dir, sub, NULL);
  struct stat st;
  if (lstat (path, &st) != 0 || S_ISREG (st.st_mode))
    return TRUE;
  if (!S_ISDIR (st.st_mode))
    return remove_file (dir, sub, error);
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;
  gboolean ok = TRUE;
  while (ok && d && (name = g_dir_read_name (d)))
    if (ours (name))
      ok = remove_file (path, name, error);
  if (d)
    g_dir_close (d);
  rmdir (path); /* kept when something else is in it */
  return ok;
}

static gboolean
snapshot_name (const char *name)
{
  return g_str_has_prefix (name, "prototypes-")
         && (g_str_has_suffix (name, ".npy") || g_str_has_suffix (name, ".png")
             || g_str_has_suffix (name, ".tmp"));
}

static gboolean
model_name (const char *name)
{
  return g_str_has_suffix (name, ".npy") || g_str_has_suffix (name, ".state")
         || g_str_has_suffix (name, ".tmp");
}

gboolean
somaif_rundir_clear (const char *dir, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (run_files); i++)
    {
      g_autofree char *tmp = g_strconcat (run_files[i], ".tmp", NULL);
      if (!remove_file (dir, run_files[i], error) || !remove_file (dir, tmp, error))
        return FALSE;
    }
  return clear_folder (dir, "snapshots", snapshot_name, error)
         && clear_folder (dir, "model", model_name, error);
}

char *
somaif_rundir_make_unique (const char *parent, const char *name, GError **error)
{
  if (g_mkdir_with_parents (parent, 0777) != 0)
    {
      write_error (error, parent, "cannot create", errno);
      return NULL;
    }
  for (int i = 1; i < 10000; i++)
    {
      g_autofree char *leaf = i == 1 ? g_strdup (name) : g_strdup_printf ("%s-%d", name, i);
      char *path = g_build_filename (parent, leaf, NULL);
      if (mkdir (path, 0777) == 0)
        return path;
      int e = errno;
      if (e != EEXIST)
        {
          write_error (error, path, "cannot create", e);
          g_free (path);
          return NULL;
        }
      g_free (path);
    }
  g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_WRITE,
               "%s: no free folder name for %s", parent, name);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Output levels                                                       */

guint
somaif_rundir_level_keeps (int level)
{
  guint all = SOMAIF_RUNDIR_KEEP_SNAPSHOTS | SOMAIF_RUNDIR_KEEP_FIGURES
              | SOMAIF_RUNDIR_KEEP_METRICS | SOMAIF_RUNDIR_KEEP_SCHEDULES
              | SOMAIF_RUNDIR_KEEP_DRAWINGS | SOMAIF_RUNDIR_KEEP_STATES
              | SOMAIF_RUNDIR_KEEP_CHECKPOINT;
  switch (level)
    {
    case SOMAIF_OUTPUT_COMPACT:
      return all & ~(guint) (SOMAIF_RUNDIR_KEEP_SNAPSHOTS | SOMAIF_RUNDIR_KEEP_CHECKPOINT);
    case SOMAIF_OUTPUT_LEAN:
      return 0;
    default:
      return all;
    }
}

/* dir/metrics.csv into dir/metrics.csv.gz (through a temporary file renamed
 * into place), then the plain file removed. */
static gboolean
gzip_metrics (const char *dir, GError **error)
{
  g_autofree char *plain = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *gz = g_build_filename (dir, "metrics.csv.gz", NULL);
  g_autofree char *tmp = g_build_filename (dir, "metrics.csv.gz.tmp", NULL);
  FILE *in = fopen (plain, "rb");
  if (!in)
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_READ, "%s: %s", plain,
                   g_strerror (errno));
      return FALSE;
    }
  int fd = somaif_rundir_create (tmp, TRUE, error);
  gzFile z = fd >= 0 ? gzdopen (fd, "wb6") : NULL;
  gboolean ok = z != NULL;
  char buf[1 << 16];
  size_t n;
  while (ok && (n = fread (buf, 1, sizeof buf, in)) > 0)
    ok = gzwrite (z, buf, (unsigned) n) == (int) n;
  ok = ok && !ferror (in);
  fclose (in);
  if (z)
    ok = gzclose (z) == Z_OK && ok;
  else if (fd >= 0)
    close (fd);
  if (ok && rename (tmp, gz) == 0 && unlink (plain) == 0)
    return TRUE;
  if (fd >= 0)
    unlink (tmp);
  return error && *error ? FALSE : write_error (error, gz, "write failed", errno);
}

gboolean
somaif_rundir_finish (const char *dir, int level, gboolean gzip, GError **error)
{
  guint keep = somaif_rundir_level_keeps (level);
  g_autofree char *plain = g_build_filename (dir, "metrics.csv", NULL);
  gboolean has_plain = g_file_test (plain, G_FILE_TEST_IS_REGULAR);
  if (!(keep & SOMAIF_RUNDIR_KEEP_METRICS))
    {
      if (!remove_file (dir, "metrics.csv", error) || !remove_file (dir, "metrics.csv.gz", error))
        return FALSE;
    }
  else if (has_plain && (gzip || level == SOMAIF_OUTPUT_COMPACT) && !gzip_metrics (dir, error))
    return FALSE;
  return ((keep & SOMAIF_RUNDIR_KEEP_SCHEDULES) || remove_file (dir, "schedules.csv", error))
         && ((keep & SOMAIF_RUNDIR_KEEP_CHECKPOINT)
             || remove_file (dir, "checkpoint.bin", error));
}

/* ------------------------------------------------------------------ */
/* Reading tables                                                      */

/* A CSV table of numbers: the header line as written, then rows of
 * n_fields numbers.  Blank lines and a CR before each LF are ignored. */
typedef gboolean (*RowFunc) (const double *v, gpointer data);

/* The text of a gzip file (a NUL after it), NULL with errno set. */
static char *
read_gzip (const char *path)
{
  gzFile z = gzopen (path, "rb");
  if (!z)
    return NULL;
  GString *text = g_string_new (NULL);
  char buf[1 << 16];
  int n;
  while ((n = gzread (z, buf, sizeof buf)) > 0)
    g_string_append_len (text, buf, n);
  int zerr = Z_OK;
  gzerror (z, &zerr);
  gzclose (z);
  if (n < 0 || zerr != Z_OK)
    {
      g_string_free (text, TRUE);
      errno = EIO; /* a cut or corrupt stream */
      return NULL;
    }
  return g_string_free (text, FALSE);
}

/* dir/name, or when it is missing dir/name.gz uncompressed. */
static char *
read_file (const char *dir, const char *name, char **path, GError **error)
{
  *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  GError *err = NULL;
  g_autofree char *gz = g_strconcat (*path, ".gz", NULL);
  if (!g_file_test (*path, G_FILE_TEST_EXISTS) && g_file_test (gz, G_FILE_TEST_EXISTS))
    {
      g_free (*path);
      *path = g_steal_pointer (&gz);
      if (!(text = read_gzip (*path)))
        g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_READ,
                     "%s: cannot read (gzip): %s", *path, g_strerror (errno));
      return text;
    }
  if (!somaif_read_file (*path, "table", SOMAIF_MAX_ARRAYS_BYTES, &text, NULL, &err))
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_READ, "%s", err->message);
      g_error_free (err);
    }
  return text;
}

static gboolean
parse_fields (char *line, double *v, int n_fields)
{
  char *p = line;
  for (int k = 0; k < n_fields; k++)
    {
      char *end = NULL;
      if (g_ascii_strncasecmp (p, "nan", 3) == 0)
        v[k] = NAN, end = p + 3;
      else
        v[k] = g_ascii_strtod (p, &end);
      if (end == p || *end != (k + 1 < n_fields ? ',' : '\0'))
        return FALSE;
      p = end + 1;
    }
  return TRUE;
}

static gboolean
read_table (const char *dir, const char *name, const char *header, int n_fields, RowFunc row,
            gpointer data, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *text = read_file (dir, name, &path, error);
  if (!text)
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  double v[16];
  g_assert (n_fields <= (int) G_N_ELEMENTS (v));
  for (int i = 0; lines[i]; i++)
    {
      char *l = lines[i];
      gsize len = strlen (l);
      if (len && l[len - 1] == '\r')
        l[--len] = '\0';
      if (i == 0 && strcmp (l, header) != 0)
        {
          g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                       "%s:1: the header is not %s", path, header);
          return FALSE;
        }
      if (i == 0 || len == 0)
        continue;
      if (!parse_fields (l, v, n_fields) || !row (v, data))
        {
          g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                       "%s:%d: not a row %s", path, i + 1, header);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
whole (double v, double lo, double hi)
{
  return v == floor (v) && v >= lo && v <= hi;
}

static const char *
fmt (char *buf, double v)
{
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.10g", v);
}

/* ------------------------------------------------------------------ */
/* metrics.csv                                                         */

#define METRICS_HEADER "epoch,goal,candidate,winner,accuracy,complexity,free_energy"

void
somaif_rundir_metrics_header (FILE *f)
{
  fputs (METRICS_HEADER "\n", f);
}

void
somaif_rundir_metrics_row (FILE *f, const SomaifMetricsRow *r)
{
  /* printf's "%" G_GINT64_FORMAT ",%d,%d,%d,%.10g,%.10g,%.10g\n", by hand: a
     row a rollout */
  char line[4 * 24 + 3 * SOMAIF_FMT_G10_SIZE + 8];
  int n = somaif_fmt_int (line, r->epoch);
  const gint64 ints[] = { r->goal, r->candidate, r->winner };
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      line[n++] = ',';
      n += somaif_fmt_int (line + n, ints[i]);
    }
  const double reals[] = { r->accuracy, r->complexity, r->free_energy };
  for (guint i = 0; i < G_N_ELEMENTS (reals); i++)
    {
      line[n++] = ',';
      n += somaif_fmt_g10 (line + n, reals[i], NULL);
    }
  line[n++] = '\n';
  fwrite (line, 1, (size_t) n, f);
}

static gboolean
metrics_row (const double *v, gpointer data)
{
  if (!whole (v[0], 0, 9e15) || !whole (v[1], 0, G_MAXINT) || !whole (v[2], 0, G_MAXINT)
      || !whole (v[3], 0, G_MAXINT))
    return FALSE;
  SomaifMetricsRow r = { (gint64) v[0], (int) v[1], (int) v[2], (int) v[3], v[4], v[5], v[6] };
  g_array_append_val ((GArray *) data, r);
  return TRUE;
}

GArray *
somaif_rundir_read_metrics (const char *dir, GError **error)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (SomaifMetricsRow));
  if (!read_table (dir, "metrics.csv", METRICS_HEADER, 7, metrics_row, rows, error))
    {
      g_array_free (rows, TRUE);
      return NULL;
    }
  return rows;
}

/* ------------------------------------------------------------------ */
/* Learning curves                                                     */

void
somaif_rundir_curves_clear (SomaifCurves *c)
{
  g_free (c->acc_mean);
  g_free (c->acc_band);
  g_free (c->comp_mean);
  g_free (c->comp_band);
  memset (c, 0, sizeof *c);
}

/* Mean across goals of column b and 1.96 * std / sqrt(goals), std as
 * numpy's (ddof 0). */
static void
across_goals (const double *x, int used, gsize len, gsize b, double *mean, double *band)
{
  double sum = 0.0, ss = 0.0;
  for (int r = 0; r < used; r++)
    sum += x[(gsize) r * len + b];
  double m = sum / used;
  for (int r = 0; r < used; r++)
    {
      double d = x[(gsize) r * len + b] - m;
      ss += d * d;
    }
  *mean = m;
  *band = 1.96 * sqrt (ss / used) / sqrt ((double) used);
}

/* Each visited goal's visit count, its row among the visited goals (-1: not
 * visited); returns the fewest visits of a visited goal (0: none visited). */
static gsize
count_visits (const SomaifMetricsRow *rows, gsize n, int n_goals, gsize *visits, int *row,
              int *used)
{
  for (gsize i = 0; i < n; i++)
    if (i == 0 || rows[i].epoch != rows[i - 1].epoch)
      visits[rows[i].goal]++;
  gsize min_len = G_MAXSIZE;
  *used = 0;
  for (int g = 0; g < n_goals; g++)
    {
      row[g] = visits[g] ? (*used)++ : -1;
      if (visits[g])
        min_len = MIN (min_len, visits[g]);
    }
  return *used ? min_len : 0;
}

void
somaif_rundir_curves (const SomaifMetricsRow *rows, gsize n, SomaifCurves *c)
{
  memset (c, 0, sizeof *c);
  int n_goals = 0;
  for (gsize i = 0; i < n; i++)
    n_goals = MAX (n_goals, rows[i].goal + 1);
  if (n_goals == 0)
    return;
  gsize *visits = g_new0 (gsize, n_goals);
  int *row = g_new (int, n_goals);
  int used = 0;
  gsize len = count_visits (rows, n, n_goals, visits, row, &used);
  if (len == 0 || len > G_MAXINT)
    {
      g_free (visits);
      g_free (row);
      return;
    }
  /* Each visit's mean, over each goal's first len visits (a visit's rows
   * are summed in order, as the first curves were, so they round alike). */
  double *acc = g_new0 (double, (gsize) used * len);
  double *comp = g_new0 (double, (gsize) used * len);
  memset (visits, 0, sizeof (gsize) * (gsize) n_goals);
  for (gsize i = 0; i < n;)
    {
      int g = rows[i].goal;
      gsize j = i, b = visits[g]++;
      double sa = 0.0, sc = 0.0;
      for (; j < n && rows[j].epoch == rows[i].epoch; j++)
        sa += rows[j].accuracy, sc += rows[j].complexity;
      if (b < len)
        {
          acc[(gsize) row[g] * len + b] = sa / (double) (j - i);
          comp[(gsize) row[g] * len + b] = sc / (double) (j - i);
        }
      i = j;
    }
  c->n_points = (int) len;
  c->goals = used;
  c->acc_mean = g_new (double, len);
  c->acc_band = g_new (double, len);
  c->comp_mean = g_new (double, len);
  c->comp_band = g_new (double, len);
  for (gsize b = 0; b < len; b++)
    {
      across_goals (acc, used, len, b, &c->acc_mean[b], &c->acc_band[b]);
      across_goals (comp, used, len, b, &c->comp_mean[b], &c->comp_band[b]);
    }
  g_free (acc);
  g_free (comp);
  g_free (visits);
  g_free (row);
}

#define CURVES_HEADER "visit,goals,accuracy_mean,accuracy_ci95,complexity_mean,complexity_ci95"

gboolean
somaif_rundir_write_curves (const char *dir, const SomaifCurves *c, GError **error)
{
  GString *csv = g_string_new (CURVES_HEADER "\n");
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  char d[G_ASCII_DTOSTR_BUF_SIZE], e[G_ASCII_DTOSTR_BUF_SIZE];
  for (int i = 0; i < c->n_points; i++)
    g_string_append_printf (csv, "%d,%d,%s,%s,%s,%s\n", i, c->goals, fmt (a, c->acc_mean[i]),
                            fmt (b, c->acc_band[i]), fmt (d, c->comp_mean[i]),
                            fmt (e, c->comp_band[i]));
  gboolean ok = write_text (dir, "curves.csv", csv->str, error);
  g_string_free (csv, TRUE);
  return ok;
}

typedef struct
{
  GArray *v[4];
  int goals;
} CurvesRead;

static gboolean
curves_row (const double *v, gpointer data)
{
  CurvesRead *r = data;
  if (!whole (v[0], r->v[0]->len, r->v[0]->len) || !whole (v[1], 1, G_MAXINT))
    return FALSE;
  r->goals = (int) v[1];
  for (int k = 0; k < 4; k++)
    g_array_append_val (r->v[k], v[2 + k]);
  return TRUE;
}

gboolean
somaif_rundir_read_curves (const char *dir, SomaifCurves *c, GError **error)
{
  memset (c, 0, sizeof *c);
  CurvesRead r = { { NULL }, 0 };
  for (int k = 0; k < 4; k++)
    r.v[k] = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean ok = read_table (dir, "curves.csv", CURVES_HEADER, 6, curves_row, &r, error);
  c->n_points = ok ? (int) r.v[0]->len : 0;
  c->goals = r.goals;
  double **dest[4] = { &c->acc_mean, &c->acc_band, &c->comp_mean, &c->comp_band };
  for (int k = 0; k < 4; k++)
    *dest[k] = (double *) (void *) g_array_free (r.v[k], !ok);
  return ok;
}

/* ------------------------------------------------------------------ */
/* final.csv and quality.csv                                           */

#define FINAL_HEADER "goal,winner,distance,accuracy,complexity"

gboolean
somaif_rundir_write_final (const char *dir, const SomaifFinalRow *rows, int n, GError **error)
{
  GString *csv = g_string_new (FINAL_HEADER "\n");
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
  for (int i = 0; i < n; i++)
    g_string_append_printf (csv, "%d,%d,%s,%s,%s\n", rows[i].goal, rows[i].winner,
                            fmt (a, rows[i].distance), fmt (b, rows[i].accuracy),
                            fmt (c, rows[i].complexity));
  gboolean ok = write_text (dir, "final.csv", csv->str, error);
  g_string_free (csv, TRUE);
  return ok;
}

static gboolean
final_row (const double *v, gpointer data)
{
  GArray *rows = data;
  if (!whole (v[0], rows->len, rows->len) || !whole (v[1], 0, G_MAXINT))
    return FALSE;
  SomaifFinalRow r = { (int) v[0], (int) v[1], v[2], v[3], v[4] };
  g_array_append_val (rows, r);
  return TRUE;
}

GArray *
somaif_rundir_read_final (const char *dir, GError **error)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (SomaifFinalRow));
  if (!read_table (dir, "final.csv", FINAL_HEADER, 5, final_row, rows, error))
    {
      g_array_free (rows, TRUE);
      return NULL;
    }
  if (rows->len == 0)
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                   "%s/final.csv: no rows", dir);
      g_array_free (rows, TRUE);
      return NULL;
    }
  return rows;
}

gboolean
somaif_rundir_write_quality (const char *dir, double qe, double te, GError **error)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *text = g_strdup_printf ("quantization_error,topographic_error\n%s,%s\n",
                                           fmt (a, qe), fmt (b, te));
  return write_text (dir, "quality.csv", text, error);
}

/* ------------------------------------------------------------------ */
/* schedules.csv                                                       */

void
somaif_rundir_schedules_header (FILE *f, const char *const *names, int n)
{
  fputs ("epoch", f);
  for (int i = 0; i < n; i++)
    fprintf (f, ",%s", names[i]);
  fputc ('\n', f);
}

void
somaif_rundir_schedules_row (FILE *f, gint64 epoch, const double *values, int n)
{
  /* printf's "%" G_GINT64_FORMAT and ",%.17g" a value, by hand */
  char buf[24 + SOMAIF_FMT_G17_SIZE];
  fwrite (buf, 1, (size_t) somaif_fmt_int (buf, epoch), f);
  for (int i = 0; i < n; i++)
    {
      buf[0] = ',';
      fwrite (buf, 1, (size_t) somaif_fmt_g17 (buf + 1, values[i]) + 1, f);
    }
  fputc ('\n', f);
}

/* ------------------------------------------------------------------ */
/* config.cfg and config.json                                          */

static JsonNode *
setting_json (const config_setting_t *s)
{
  JsonNode *node = json_node_alloc ();
  switch (config_setting_type (s))
    {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
      return json_node_init_int (node, config_setting_get_int64 (s));
    case CONFIG_TYPE_FLOAT:
      return json_node_init_double (node, config_setting_get_float (s));
    case CONFIG_TYPE_BOOL:
      return json_node_init_boolean (node, config_setting_get_bool (s));
    case CONFIG_TYPE_STRING:
      return json_node_init_string (node, config_setting_get_string (s));
    case CONFIG_TYPE_GROUP:
      {
        JsonObject *o = json_object_new ();
        for (int i = 0; i < config_setting_length (s); i++)
          {
            const config_setting_t *m = config_setting_get_elem (s, (unsigned) i);
            json_object_set_member (o, config_setting_name (m), setting_json (m));
          }
        json_node_init_object (node, o);
        json_object_unref (o);
        return node;
      }
    default: /* arrays and lists */
      {
        JsonArray *a = json_array_new ();
        for (int i = 0; i < config_setting_length (s); i++)
          json_array_add_element (a, setting_json (config_setting_get_elem (s, (unsigned) i)));
        json_node_init_array (node, a);
        json_array_unref (a);
        return node;
      }
    }
}

static char *
json_text (JsonNode *root)
{
  JsonGenerator *gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  char *body = json_generator_to_data (gen, NULL);
  char *text = g_strconcat (body, "\n", NULL);
  g_free (body);
  g_object_unref (gen);
  return text;
}

char *
somaif_rundir_config_json (const char *text, GError **error)
{
  config_t cfg;
  config_init (&cfg);
  char *out = NULL;
  if (config_read_string (&cfg, text) == CONFIG_TRUE)
    {
      JsonNode *root = setting_json (config_root_setting (&cfg));
      out = json_text (root);
      json_node_unref (root);
    }
  else
    g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                 "the resolved config does not parse: line %d: %s", config_error_line (&cfg),
                 config_error_text (&cfg));
  config_destroy (&cfg);
  return out;
}

gboolean
somaif_rundir_write_config (const char *dir, const SomaifConfig *cfg, GError **error)
{
  g_autofree char *resolved = somaif_config_resolved (cfg);
  g_autofree char *json = somaif_rundir_config_json (resolved, error);
  return json && write_text (dir, "config.cfg", resolved, error)
         && write_text (dir, "config.json", json, error);
}

/* ------------------------------------------------------------------ */
/* .npy (NumPy format 1.0: magic, version, header length, a dict padded   */
/* to 64 bytes, then the little-endian values in C order)                */

static gboolean
write_npy (const char *path, const void *data, gsize elem, const char *descr, int ndim,
           const int *shape, GError **error)
{
  GByteArray *buf = somaif_npy_encode (data, elem, descr, ndim, shape);
  gboolean ok = somaif_rundir_write (path, buf->data, buf->len, error);
  g_byte_array_unref (buf);
  return ok;
}

int
somaif_rundir_npy_rows (const char *path, GError **error)
{
  char head[4096] = "";
  FILE *f = fopen (path, "rb");
  size_t n = f ? fread (head, 1, sizeof head - 1, f) : 0;
  if (f)
    fclose (f);
  head[n] = '\0';
  const char *shape = n > 10 && memcmp (head, "\x93NUMPY", 6) == 0
                      ? strstr (head + 10, "'shape': (") : NULL;
  char *end = NULL;
  long rows = shape ? strtol (shape + strlen ("'shape': ("), &end, 10) : -1;
  if (!shape || end == shape + strlen ("'shape': (") || rows < 0 || rows > G_MAXINT)
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, f ? SOMAIF_RUNDIR_ERROR_PARSE
                                                 : SOMAIF_RUNDIR_ERROR_READ,
                   "%s: %s", path, f ? "not a NumPy array with a shape" : "missing");
      return -1;
    }
  return (int) rows;
}

gboolean
somaif_rundir_check_final (const char *dir, GError **error)
{
  g_autofree char *fin = g_build_filename (dir, "final.csv", NULL);
  if (!g_file_test (fin, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_READ,
                   "%s: no final.csv, though run.json says the run finished", dir);
      return FALSE;
    }
  g_autofree char *npy = g_build_filename (dir, "model", "prototypes.npy", NULL);
  int goals = somaif_rundir_npy_rows (npy, error);
  GArray *rows = goals >= 0 ? somaif_rundir_read_final (dir, error) : NULL;
  gboolean ok = rows && rows->len == (guint) goals;
  if (rows && !ok)
    g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                 "%s has %u rows but the map has %d goals (model/prototypes.npy): it is "
                 "truncated", fin, rows->len, goals);
  if (rows)
    g_array_free (rows, TRUE);
  return ok;
}

gboolean
somaif_rundir_write_npy_f32 (const char *path, const float *data, int ndim, const int *shape,
                             GError **error)
{
  return write_npy (path, data, sizeof (float), "<f4", ndim, shape, error);
}

gboolean
somaif_rundir_write_npy_f64 (const char *path, const double *data, int ndim,
                             const int *shape, GError **error)
{
  return write_npy (path, data, sizeof (double), "<f8", ndim, shape, error);
}

/* The shape of a .npy header "{'descr': '<f4', 'fortran_order': False,
 * 'shape': (a, b), }": FALSE unless it is float32 C order of ndim dims. */
static gboolean
npy_shape (const char *header, int ndim, int *shape, gsize *count)
{
  const char *sh = strstr (header, "'shape': (");
  if (!strstr (header, "'descr': '<f4'") || !strstr (header, "'fortran_order': False") || !sh)
    return FALSE;
  const char *p = sh + strlen ("'shape': (");
  *count = 1;
  for (int i = 0; i < ndim; i++)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p || v < 0 || v > (1L << 30) || (*end != ',' && *end != ')'))
        return FALSE;
      shape[i] = (int) v;
      *count *= (gsize) v;
      p = end + (*end == ',' ? 1 : 0);
      while (*p == ' ')
        p++;
    }
  return *p == ')';
}

float *
somaif_rundir_read_npy_f32 (const char *path, int ndim, int *shape, GError **error)
{
  gsize len = 0;
  g_autofree char *data = NULL;
  GError *err = NULL;
  if (!somaif_read_file (path, "array file", SOMAIF_MAX_ARRAYS_BYTES, &data, &len, &err))
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_READ, "%s", err->message);
      g_error_free (err);
      return NULL;
    }
  gsize hlen = len >= 10 ? (guint8) data[8] | ((gsize) (guint8) data[9] << 8) : 0, count = 0;
  g_autofree char *header = len >= 10 + hlen ? g_strndup (data + 10, hlen) : NULL;
  if (ndim > 4 || !header || memcmp (data, "\x93NUMPY\x01", 7) != 0
      || !npy_shape (header, ndim, shape, &count) || len - 10 - hlen != count * 4)
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                   "%s: not a %d-dimensional float32 .npy file as somaif writes them", path,
                   ndim);
      return NULL;
    }
  float *out = g_new (float, MAX (count, 1));
  memcpy (out, data + 10 + hlen, count * 4);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < count; i++)
    {
      guint32 v;
      memcpy (&v, out + i, 4);
      v = GUINT32_SWAP_LE_BE (v);
      memcpy (out + i, &v, 4);
    }
#endif
  return out;
}

GBytes *
somaif_rundir_read_state (const char *dir, const char *group, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%s.state", group);
  g_autofree char *path = g_build_filename (dir, "model", name, NULL);
  char *data = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  if (!somaif_read_file (path, "saved state", SOMAIF_MAX_ARRAYS_BYTES, &data, &len, &err))
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_READ, "%s", err->message);
      g_error_free (err);
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

/* ------------------------------------------------------------------ */
/* run.json                                                            */

static const char *const part_groups[SOMAIF_N_PARTS] = {
  "generator", "plant", "renderer", "perceiver", "optimiser"
};

void
somaif_run_segment_clear (SomaifRunSegment *s)
{
  g_free (s->started);
  g_free (s->command);
  g_free (s->simd);
  g_free (s->cpu);
  memset (s, 0, sizeof *s);
}

static void
add_segments (JsonBuilder *b, const SomaifRunSegment *segments, int n)
{
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "started");
      json_builder_add_string_value (b, segments[i].started ? segments[i].started : "");
      json_builder_set_member_name (b, "wall_seconds");
      json_builder_add_double_value (b, round (segments[i].wall_seconds * 1000) / 1000);
      json_builder_set_member_name (b, "threads");
      json_builder_add_int_value (b, segments[i].threads);
      json_builder_set_member_name (b, "command");
      json_builder_add_string_value (b, segments[i].command ? segments[i].command : "");
      json_builder_set_member_name (b, "simd");
      json_builder_add_string_value (b, segments[i].simd ? segments[i].simd : "");
      json_builder_set_member_name (b, "cpu");
      json_builder_add_string_value (b, segments[i].cpu ? segments[i].cpu : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

gboolean
somaif_rundir_write_run (const char *dir, const SomaifRunInfo *info, GError **error)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_int_value (b, SOMAIF_RUNDIR_SCHEMA);
  const char *keys[] = { "somaif", "abi", "config", "started", "command", "simd", "cpu" };
  const char *vals[] = { info->somaif, info->abi,     info->config, info->started,
                         info->command, info->simd,   info->cpu };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      json_builder_set_member_name (b, keys[i]);
      json_builder_add_string_value (b, vals[i] ? vals[i] : "");
    }
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, info->threads);
  json_builder_set_member_name (b, "wall_seconds");
  json_builder_add_double_value (b, round (info->wall_seconds * 1000) / 1000);
  json_builder_set_member_name (b, "segments");
  add_segments (b, info->segments, info->n_segments);
  json_builder_set_member_name (b, "plugins");
  json_builder_begin_object (b);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      json_builder_set_member_name (b, part_groups[k]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, info->plugin_names[k] ? info->plugin_names[k] : "");
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, info->plugin_files[k] ? info->plugin_files[k] : "");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  JsonNode *root = json_builder_get_root (b);
  g_autofree char *text = json_text (root);
  json_node_unref (root);
  g_object_unref (b);
  return write_text (dir, "run.json", text, error);
}

static char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? g_strdup (json_node_get_string (n)) : NULL;
}

static gboolean
member_number (JsonObject *o, const char *name, double *v)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  GType t = json_node_get_value_type (n);
  if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
    return FALSE;
  *v = json_node_get_double (n);
  return TRUE;
}

static void
read_plugins (JsonObject *o, SomaifRunInfo *info)
{
  JsonNode *n = json_object_get_member (o, "plugins");
  if (!n || !JSON_NODE_HOLDS_OBJECT (n))
    return;
  JsonObject *plugins = json_node_get_object (n);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      JsonNode *p = json_object_get_member (plugins, part_groups[k]);
      if (!p || !JSON_NODE_HOLDS_OBJECT (p))
        continue;
      info->plugin_names[k] = member_string (json_node_get_object (p), "name");
      info->plugin_files[k] = member_string (json_node_get_object (p), "file");
    }
}

gboolean
somaif_rundir_read_run (const char *dir, SomaifRunInfo *info, GError **error)
{
  memset (info, 0, sizeof *info);
  g_autofree char *path = NULL;
  g_autofree char *text = read_file (dir, "run.json", &path, error);
  if (!text)
    return FALSE;
  JsonParser *parser = json_parser_new ();
  GError *err = NULL;
  gboolean ok = json_parser_load_from_data (parser, text, -1, &err);
  JsonNode *root = ok ? json_parser_get_root (parser) : NULL;
  double schema = 0, threads = 0;
  if (root && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);
      ok = member_number (o, "wall_seconds", &info->wall_seconds);
      member_number (o, "schema", &schema);
      member_number (o, "threads", &threads);
      info->schema = (int) schema;
      info->threads = (int) threads;
      info->somaif = member_string (o, "somaif");
      info->abi = member_string (o, "abi");
      info->config = member_string (o, "config");
      info->started = member_string (o, "started");
      info->command = member_string (o, "command");
      info->simd = member_string (o, "simd");
      info->cpu = member_string (o, "cpu");
      read_plugins (o, info);
    }
  if (!ok || !root || !JSON_NODE_HOLDS_OBJECT (root) || info->schema > SOMAIF_RUNDIR_SCHEMA)
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE, "%s: %s", path,
                   err ? err->message
                   : info->schema > SOMAIF_RUNDIR_SCHEMA ? "written by a newer somaif"
                   : "not a run.json with wall_seconds");
      g_clear_error (&err);
      somaif_rundir_run_info_clear (info);
      ok = FALSE;
    }
  g_object_unref (parser);
  return ok;
}

void
somaif_rundir_run_info_clear (SomaifRunInfo *info)
{
  g_free (info->somaif);
  g_free (info->abi);
  g_free (info->config);
  g_free (info->started);
  g_free (info->command);
  g_free (info->simd);
  g_free (info->cpu);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    {
      g_free (info->plugin_names[k]);
      g_free (info->plugin_files[k]);
    }
  memset (info, 0, sizeof *info);
}

gboolean
somaif_rundir_write_segments (const char *dir, const SomaifRunSegment *segments, int n,
                              GError **error)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_int_value (b, SOMAIF_RUNDIR_SCHEMA);
  json_builder_set_member_name (b, "segments");
  add_segments (b, segments, n);
  json_builder_end_object (b);
  JsonNode *root = json_builder_get_root (b);
  g_autofree char *text = json_text (root);
  json_node_unref (root);
  g_object_unref (b);
  return write_text (dir, "segments.json", text, error);
}

static JsonNode *
load_json (const char *dir, const char *name, JsonParser *parser, char **path, GError **error)
{
  g_autofree char *text = read_file (dir, name, path, error);
  if (!text)
    return NULL;
  GError *err = NULL;
  JsonNode *root = json_parser_load_from_data (parser, text, -1, &err)
                   ? json_parser_get_root (parser) : NULL;
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE, "%s: %s", *path,
                   err ? err->message : "not a JSON object");
      g_clear_error (&err);
      return NULL;
    }
  return root;
}

GArray *
somaif_rundir_segments_new (void)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SomaifRunSegment));
  g_array_set_clear_func (out, (GDestroyNotify) somaif_run_segment_clear);
  return out;
}

GArray *
somaif_rundir_read_segments (const char *dir, GError **error)
{
  GArray *out = somaif_rundir_segments_new ();
  g_autofree char *probe = g_build_filename (dir, "segments.json", NULL);
  if (!g_file_test (probe, G_FILE_TEST_EXISTS))
    return out;
  JsonParser *parser = json_parser_new ();
  g_autofree char *path = NULL;
  JsonNode *root = load_json (dir, "segments.json", parser, &path, error);
  JsonNode *list = root ? json_object_get_member (json_node_get_object (root), "segments")
                        : NULL;
  gboolean ok = list && JSON_NODE_HOLDS_ARRAY (list);
  for (guint i = 0; ok && i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (list), i);
      SomaifRunSegment s = { 0 };
      double threads = 0;
      ok = JSON_NODE_HOLDS_OBJECT (e)
           && member_number (json_node_get_object (e), "wall_seconds", &s.wall_seconds);
      if (!ok)
        break;
      member_number (json_node_get_object (e), "threads", &threads);
      s.threads = (int) threads;
      s.started = member_string (json_node_get_object (e), "started");
      s.command = member_string (json_node_get_object (e), "command");
      s.simd = member_string (json_node_get_object (e), "simd");
      s.cpu = member_string (json_node_get_object (e), "cpu");
      g_array_append_val (out, s);
    }
  if (root && !ok)
    g_set_error (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_PARSE,
                 "%s: not a list of segments with wall_seconds", path);
  g_object_unref (parser);
  if (!ok)
    g_clear_pointer (&out, g_array_unref);
  return out;
}
