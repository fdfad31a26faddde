/* somaif-sweep: runs every combination of a sweep file's values and seeds,
 * each in its own folder, as somaif-run child processes: several at once on
 * one machine, or across the ranks of an MPI job; then summarises them. */
#define _GNU_SOURCE /* sched_getaffinity */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __FreeBSD__
#include <sys/procctl.h>
#endif

#include "host.h"
#include "experiment.h"
#include "machine.h"
#include "rundir.h"
#include "sweep.h"
#include "sweep-ranks.h"
#include "readfile.h"

extern char **environ;

enum
{
  EXIT_DONE = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2
};

/* What became of a run. */
enum
{
  OUTCOME_DONE,
  OUTCOME_FAILED,
  OUTCOME_INTERRUPTED
};

/* A run's code when it never started or could not be waited for. */
#define CODE_LOST (-1000)

/* How a run starts. */
enum
{
  MODE_FRESH,
  MODE_RESUME
};

/* Messages between the ranks (sweep-ranks.h: three int64 each). */
enum
{
  TAG_REQUEST = 1, /* worker -> 0: a run please; 0 answers with TAG_TASK */
  TAG_TASK,        /* 0 -> worker: { run or -1 (no more), mode } */
  TAG_RESULT,      /* worker -> 0: { run, outcome, exit code or -signal } */
  TAG_BYE,         /* worker -> 0: nothing running, nothing more wanted */
  TAG_STOP,        /* 0 -> worker: { signal }: stop the runs (they checkpoint) */
  TAG_END          /* 0 -> worker: every worker said bye: finish */
};

static gboolean opt_version, opt_quiet, opt_check;
static int opt_jobs;
static char *opt_output, *opt_summarise, *opt_slice;

static const GOptionEntry entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "The sweep's folder (default: sweeps/NAME-DATE-TIME); run again with the same "
    "folder to go on", "DIR" },
  { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs,
    "Runs at once (default: the cores / threads per run; under mpirun, per rank, "
    "default 1)", "N" },
  { "check", 0, 0, G_OPTION_ARG_NONE, &opt_check,
    "Validate every combination and list the runs; run nothing", NULL },
  { "summarise", 0, 0, G_OPTION_ARG_FILENAME, &opt_summarise,
    "Write DIR/summary.csv and DIR/sweep.png again from the runs in DIR", "DIR" },
  { "slice", 0, 0, G_OPTION_ARG_STRING, &opt_slice,
    "Take only slice I of N: the runs whose number is I-1 modulo N (one task of a job "
    "array; no summary: run --summarise DIR after the last)", "I/N" },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Print nothing but errors", NULL },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version,
    "Print the version and whether MPI is built in", NULL },
  { NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL }
};

/* Signals asked the sweep to stop: how many, and the last. */
static volatile sig_atomic_t signals_seen, last_signal;

static void
on_stop_signal (int sig)
{
  last_signal = sig;
  signals_seen++;
}

static void
catch_stop_signals (void)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
}

typedef struct
{
  pid_t pid;
  int run;
} Child;

typedef struct
{
  SomaifSweep *sweep;
  char *outdir;
  SomaifRundirLock *lock; /* rank 0: the sweep folder's, for the sweep's life */
  char *run_bin;          /* somaif-run */
  int jobs;               /* runs at once here */
  gboolean quiet, tty;
  int rank, size;         /* MPI; 0 and 1 without */

  /* Rank 0: the runs to hand out. */
  int *queue, *mode;
  int n_queue, next;
  int n_runs, already_done;  /* in this slice */
  int n_all;              /* the sweep's runs */
  int slice, n_slices;    /* --slice: this task takes runs slice-1 modulo n_slices */
  GArray *running;        /* the runs handed out and not yet reported */
  int done, failed, interrupted, running_remote;
  gint64 *handed_at;      /* per run: when it started (0: not yet) */
  gboolean *finished;     /* per run: reported */
  double sum_seconds;     /* of the runs done, for the ETA */
  int n_timed;
  gint64 start;
  gint64 last_draw;
  gboolean drawn;         /* a progress bar is on the terminal's last line */

  GArray *children;       /* Child */
  int forwarded;          /* signals passed on to the children */
  int absorb;             /* worker: signals already passed on at rank 0's word */
  gboolean stopping;
  int stop_signal;
  gboolean no_more;       /* worker: rank 0 has no more runs */
  gboolean kernel_ties;   /* runs die with the sweep by the kernel's word, not a watcher's */
} Sweep;

static void
nap (int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

static char *
format_duration (double s)
{
  if (!(s >= 0.0) || s > 1e8)
    return g_strdup ("--");
  gint64 t = (gint64) (s + 0.5);
  if (t >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", t / 3600, (int) (t / 60 % 60),
                            (int) (t % 60));
  return g_strdup_printf ("%d:%02d", (int) (t / 60), (int) (t % 60));
}

/* ------------------------------------------------------------------ */
/* Finding somaif-run                                                   */

static char *
executable_in (const char *dir)
{
  char *path = g_build_filename (dir, "somaif-run", NULL);
  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (path, G_FILE_TEST_IS_DIR))
    return path;
  g_free (path);
  return NULL;
}

/* $SOMAIF_RUN; else somaif-run next to this program (the folder of
 * /proc/self/exe, then of argv[0]; in a build tree's .libs, the libtool
 * wrapper one folder up); else the PATH. */
static char *
find_run_binary (const char *argv0)
{
  const char *env = g_getenv ("SOMAIF_RUN");
  if (env && *env)
    return g_strdup (env);
  char *dirs[2] = { NULL, NULL };
  char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self)
    dirs[0] = g_path_get_dirname (self);
  if (argv0 && strchr (argv0, '/'))
    dirs[1] = g_path_get_dirname (argv0);
  g_free (self);
  char *found = NULL;
  for (int i = 0; i < 2 && !found; i++)
    {
      if (!dirs[i])
        continue;
      g_autofree char *leaf = g_path_get_basename (dirs[i]);
      if (strcmp (leaf, ".libs") == 0)
        {
          g_autofree char *up = g_path_get_dirname (dirs[i]);
          found = executable_in (up);
        }
      if (!found)
        found = executable_in (dirs[i]);
    }
  g_free (dirs[0]);
  g_free (dirs[1]);
  if (!found)
    found = g_find_program_in_path ("somaif-run");
  if (found && !g_path_is_absolute (found))
    {
      char *abs = g_canonicalize_filename (found, NULL);
      g_free (found);
      found = abs;
    }
  return found;
}

/* ------------------------------------------------------------------ */
/* Runs as child processes                                              */

static char *
run_dir (const Sweep *sw, int run)
{
  g_autofree char *name = somaif_sweep_run_name (sw->sweep, run);
  return g_build_filename (sw->outdir, name, NULL);
}

static char *
log_path (const Sweep *sw, int run)
{
  g_autofree char *name = somaif_sweep_run_name (sw->sweep, run);
  g_autofree char *leaf = g_strconcat (name, ".log", NULL);
  return g_build_filename (sw->outdir, "logs", leaf, NULL);
}

/* The last non-empty line of a run's log (its error, usually). */
static char *
log_tail (const Sweep *sw, int run)
{
  g_autofree char *path = log_path (sw, run);
  g_autofree char *text = NULL;
  /* A link planted as the log is not the run's: nothing of it is shown. */
  if (!somaif_rundir_check_not_link (path, NULL) || !somaif_read_file (path, "log", SOMAIF_MAX_CONFIG_BYTES, &text, NULL, NULL))
    return g_strdup ("");
  g_strchomp (text);
  char *nl = strrchr (text, '\n');
  return g_strdup (nl ? nl + 1 : text);
}

/* somaif-run's arguments for run: a fresh start or a resume. */
static GPtrArray *
run_args (const Sweep *sw, int run, int mode)
{
  const SomaifSweep *s = sw->sweep;
  g_autofree char *dir = run_dir (sw, run);
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup (sw->run_bin));
  g_ptr_array_add (args, g_strdup ("--quiet"));
  g_ptr_array_add (args, g_strdup_printf ("--threads=%d", s->threads));
  if (mode == MODE_RESUME)
    {
      g_ptr_array_add (args, g_strdup ("--resume"));
      g_ptr_array_add (args, g_strdup (dir));
    }
  else
    {
      g_ptr_array_add (args, g_strdup ("--force"));
      g_ptr_array_add (args, g_strdup_printf ("--seed=%" G_GINT64_FORMAT,
                                              somaif_sweep_run_seed (s, run)));
      g_ptr_array_add (args, g_strdup ("--output"));
      g_ptr_array_add (args, g_strdup (dir));
      g_auto (GStrv) sets = somaif_sweep_run_sets (s, run / s->n_seeds);
      for (int i = 0; sets[i]; i++)
        {
          g_ptr_array_add (args, g_strdup ("--set"));
          g_ptr_array_add (args, g_strdup (sets[i]));
        }
      g_ptr_array_add (args, g_strdup (s->base));
    }
  g_ptr_array_add (args, NULL);
  return args;
}

/* The log's header line for one start: when, which rank, the command. */
static void
write_log_head (const Sweep *sw, int fd, char **args)
{
  GDateTime *now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  g_date_time_unref (now);
  g_autofree char *cmd = g_strjoinv (" ", args);
  g_autofree char *rank = sw->size > 1 ? g_strdup_printf (" rank %d:", sw->rank) : g_strdup ("");
  g_autofree char *head = g_strdup_printf ("== %s%s %s\n", stamp, rank, cmd);
  if (write (fd, head, strlen (head)) < 0)
    { /* the log is a courtesy: run anyway */ }
}

/* ------------------------------------------------------------------ */
/* Runs die with the sweep                                              */

/* Where the kernel cannot tie a run's life to the sweep's (no
 * PR_SET_PDEATHSIG nor PROC_PDEATHSIG_CTL), a watcher process does: each run
 * writes its pid into a pipe before it starts and the sweep writes the pid
 * negated once it has reaped it; when the pipe ends (the sweep exited, even by
 * SIGKILL), the watcher sends SIGTERM to the runs still listed.  It uses only
 * async-signal-safe calls, so that it may fork from a threaded process. */
#define WATCHED_MAX 4096
static int watch_fd = -1;

static void
watch_runs (int fd)
{
  static pid_t live[WATCHED_MAX];
  int n = 0;
  pid_t pid;
  while (read (fd, &pid, sizeof pid) == (ssize_t) sizeof pid)
    {
      if (pid > 0 && n < WATCHED_MAX)
        live[n++] = pid;
      for (int i = 0; pid < 0 && i < n; i++)
        if (live[i] == -pid)
          live[i] = live[--n];
    }
  for (int i = 0; i < n; i++)
    kill (live[i], SIGTERM);
  _exit (0);
}

static void
start_watcher (void)
{
  int p[2];
  if (pipe (p) != 0)
    return;
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (p[1]);
      /* Its own group: a Ctrl-C on the terminal is the sweep's to pass on. */
      setpgid (0, 0);
      signal (SIGINT, SIG_IGN);
      signal (SIGTERM, SIG_IGN);
      signal (SIGHUP, SIG_IGN);
      /* Nor does it hold the sweep's output open after the sweep. */
      int null = open ("/dev/null", O_RDWR);
      for (int fd = STDIN_FILENO; null >= 0 && fd <= STDERR_FILENO; fd++)
        dup2 (null, fd);
      watch_runs (p[0]);
    }
  close (p[0]);
  if (pid < 0)
    close (p[1]);
  else
    watch_fd = p[1];
  if (watch_fd >= 0)
    fcntl (watch_fd, F_SETFD, FD_CLOEXEC);
}

static void
watch_pid (pid_t pid)
{
  if (watch_fd >= 0 && write (watch_fd, &pid, sizeof pid) < 0)
    { /* the watcher is gone: nothing more to do */ }
}

/* Has the kernel tie this process' life to its parent's (SIGTERM, so that a
 * run checkpoints)?  FALSE where it cannot, or when told not to. */
static gboolean
kernel_ties (void)
{
#if defined(PR_SET_PDEATHSIG) || defined(PROC_PDEATHSIG_CTL)
  return !g_getenv ("SOMAIF_SWEEP_WATCHER");
#else
  return FALSE;
#endif
}

/* In a new run, before it starts: async-signal-safe calls only. */
static void
tie_to_sweep (gboolean kernel, pid_t sweep)
{
#if defined(PR_SET_PDEATHSIG)
  if (kernel)
    prctl (PR_SET_PDEATHSIG, SIGTERM);
#elif defined(PROC_PDEATHSIG_CTL)
  int sig = SIGTERM;
  if (kernel)
    procctl (P_PID, 0, PROC_PDEATHSIG_CTL, &sig);
#endif
  if (!kernel)
    watch_pid (getpid ());
  /* The sweep died before the tie was made: then nobody would tell. */
  if (getppid () != sweep)
    _exit (128 + SIGTERM);
}

/* ------------------------------------------------------------------ */
/* Runs as child processes                                              */

/* Forks and executes somaif-run: its own process group (so that a Ctrl-C
 * on the terminal reaches the sweep alone, which passes it on exactly once),
 * default signal handling, no input, its output into log_fd, and its life
 * tied to the sweep's. */
static pid_t
spawn_run (const char *bin, char **argv, int log_fd, gboolean kernel)
{
  pid_t sweep = getpid ();
  struct sigaction dfl;
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigset_t none;
  sigemptyset (&none);
  pid_t pid = fork ();
  if (pid != 0)
    return pid;
  setpgid (0, 0);
  const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
  for (guint i = 0; i < G_N_ELEMENTS (sigs); i++)
    sigaction (sigs[i], &dfl, NULL);
  sigprocmask (SIG_SETMASK, &none, NULL);
  tie_to_sweep (kernel, sweep);
  int in = open ("/dev/null", O_RDONLY);
  if (in >= 0 && dup2 (in, STDIN_FILENO) >= 0 && dup2 (log_fd, STDOUT_FILENO) >= 0
      && dup2 (log_fd, STDERR_FILENO) >= 0)
    execve (bin, argv, environ);
  static const char msg[] = "somaif-sweep: cannot start somaif-run\n";
  if (write (log_fd, msg, sizeof msg - 1) < 0)
    { /* nowhere else to say it */ }
  _exit (127);
}

/* Starts somaif-run for run, its output appended to logs/NAME.log. */
static gboolean
start_run (Sweep *sw, int run, int mode)
{
  g_autofree char *logp = log_path (sw, run);
  GError *error = NULL;
  int fd = somaif_rundir_create (logp, FALSE, &error);
  /* Appended to: a resumed run's log follows its first start's. */
  if (fd >= 0 && fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_APPEND) != 0)
    {
      g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", logp,
                   g_strerror (errno));
      close (fd);
      fd = -1;
    }
  if (fd < 0)
    {
      fprintf (stderr, "somaif-sweep: %s\n", error->message);
      g_error_free (error);
      return FALSE;
    }
  GPtrArray *args = run_args (sw, run, mode);
  write_log_head (sw, fd, (char **) args->pdata);
  pid_t pid = spawn_run (sw->run_bin, (char **) args->pdata, fd, sw->kernel_ties);
  int err = errno;
  close (fd);
  g_ptr_array_free (args, TRUE);
  if (pid < 0)
    {
      fprintf (stderr, "somaif-sweep: cannot start %s: %s\n", sw->run_bin, g_strerror (err));
      return FALSE;
    }
  Child c = { pid, run };
  g_array_append_val (sw->children, c);
  return TRUE;
}

/* A stop signal, passed on.  A hangup reaches the runs as SIGTERM: their
 * terminal is a log file, and SIGTERM is what makes them checkpoint. */
static void
signal_children (Sweep *sw, int sig)
{
  for (guint i = 0; i < sw->children->len; i++)
    kill (g_array_index (sw->children, Child, i).pid, sig == SIGHUP ? SIGTERM : sig);
}

/* ------------------------------------------------------------------ */
/* Progress (rank 0)                                                    */

static void
clear_bar (Sweep *sw)
{
  if (sw->drawn)
    {
      fputs ("\r\033[K", stderr);
      sw->drawn = FALSE;
    }
}

static int
running_now (const Sweep *sw)
{
  return (int) sw->children->len + sw->running_remote;
}

/* elapsed and ETA: what is left of the running runs and the runs waiting,
 * at the mean length of the runs done so far, shared by the slots. */
static void
pace (const Sweep *sw, char **elapsed, char **eta)
{
  gint64 now = g_get_monotonic_time ();
  *elapsed = format_duration ((double) (now - sw->start) / 1e6);
  if (sw->n_timed == 0)
    {
      *eta = g_strdup ("--");
      return;
    }
  double mean = sw->sum_seconds / sw->n_timed;
  int waiting = sw->stopping ? 0 : sw->n_queue - sw->next;
  double work = waiting * mean, longest = waiting ? mean : 0.0;
  /* The runs in flight only: rank 0's work per run stays constant. */
  for (guint k = 0; k < sw->running->len; k++)
    {
      int run = g_array_index (sw->running, int, k);
      double rest = MAX (0.0, mean - (double) (now - sw->handed_at[run]) / 1e6);
      work += rest;
      longest = MAX (longest, rest);
    }
  *eta = format_duration (MAX (work / MAX (1, sw->jobs * sw->size), longest));
}

static void
draw_progress (Sweep *sw, gboolean force)
{
  if (sw->quiet || !sw->tty)
    return;
  gint64 now = g_get_monotonic_time ();
  if (!force && now - sw->last_draw < 250000)
    return;
  sw->last_draw = now;
  int total = sw->n_runs, done = sw->already_done + sw->done;
  g_autofree char *elapsed = NULL, *eta = NULL;
  pace (sw, &elapsed, &eta);
  char bar[31];
  int fill = total ? (int) (30.0 * done / total) : 30;
  for (int i = 0; i < 30; i++)
    bar[i] = i < fill ? '#' : '.';
  bar[30] = '\0';
  fprintf (stderr, "\r\033[K[%s] %d/%d runs, %d running, %d failed, %s elapsed, ETA %s", bar,
           done, total, running_now (sw), sw->failed, elapsed, eta);
  fflush (stderr);
  sw->drawn = TRUE;
}

/* A run finished (here or on another rank). */
static void
record_result (Sweep *sw, int run, int outcome, int code)
{
  g_autofree char *name = somaif_sweep_run_name (sw->sweep, run);
  if (run >= 0 && run < sw->n_all)
    {
      for (guint i = 0; i < sw->running->len; i++)
        if (g_array_index (sw->running, int, i) == run)
          {
            g_array_remove_index_fast (sw->running, i);
            break;
          }
      sw->finished[run] = TRUE;
      if (outcome == OUTCOME_DONE && sw->handed_at[run])
        {
          sw->sum_seconds += (double) (g_get_monotonic_time () - sw->handed_at[run]) / 1e6;
          sw->n_timed++;
        }
    }
  if (outcome == OUTCOME_DONE)
    sw->done++;
  else if (outcome == OUTCOME_INTERRUPTED)
    sw->interrupted++;
  else
    {
      sw->failed++;
      clear_bar (sw);
      g_autofree char *tail = log_tail (sw, run);
      g_autofree char *how = code >= 0 ? g_strdup_printf ("exit %d", code)
                             : code == CODE_LOST ? g_strdup ("could not be started or waited for")
                             : g_strdup_printf ("killed by signal %d", -code);
      fprintf (stderr, "somaif-sweep: %s failed (%s)%s%s; see %s/logs/%s.log\n", name, how,
               *tail ? ": " : "", tail, sw->outdir, name);
    }
  if (!sw->quiet && !sw->tty && outcome == OUTCOME_DONE)
    {
      g_autofree char *elapsed = NULL, *eta = NULL;
      pace (sw, &elapsed, &eta);
      fprintf (stderr, "somaif-sweep: %d/%d runs done, %d running, %s elapsed, ETA %s (%s)\n",
               sw->already_done + sw->done, sw->n_runs, running_now (sw), elapsed, eta, name);
    }
  else if (!sw->quiet && outcome == OUTCOME_INTERRUPTED)
    {
      clear_bar (sw);
      fprintf (stderr, "somaif-sweep: %s interrupted (checkpointed)\n", name);
    }
  draw_progress (sw, TRUE);
}

/* Collects the children that ended: outcome and code into results (pairs
 * of run, outcome, code) for the caller to record or send. */
static void
reap_children (Sweep *sw, GArray *results)
{
  for (guint i = 0; i < sw->children->len;)
    {
      Child *c = &g_array_index (sw->children, Child, i);
      int st = 0;
      pid_t r = waitpid (c->pid, &st, WNOHANG);
      if (r == 0 || (r < 0 && errno == EINTR))
        {
          i++;
          continue;
        }
      int outcome, code;
      if (r < 0)
        outcome = OUTCOME_FAILED, code = CODE_LOST;
      else if (WIFEXITED (st))
        {
          code = WEXITSTATUS (st);
          outcome = code == 0 ? OUTCOME_DONE
                    : (code == 128 + SIGINT || code == 128 + SIGTERM || code == 128 + SIGHUP)
                      ? OUTCOME_INTERRUPTED
                    : OUTCOME_FAILED;
        }
      else
        {
          code = -WTERMSIG (st);
          /* Stopped before it could catch the signal: nothing to lose. */
          outcome = sw->stopping && WTERMSIG (st) == sw->stop_signal ? OUTCOME_INTERRUPTED
                                                                     : OUTCOME_FAILED;
        }
      int rec[3] = { c->run, outcome, code };
      g_array_append_vals (results, rec, 3);
      if (!sw->kernel_ties)
        watch_pid (-c->pid);
      g_array_remove_index (sw->children, i);
    }
}

/* Passes new signals on to the children; the first stops the handing out. */
static gboolean
take_signals (Sweep *sw)
{
  int seen = signals_seen;
  if (seen <= sw->forwarded)
    return FALSE;
  int sig = last_signal, fresh = seen - sw->forwarded;
  sw->forwarded = seen;
  /* Under mpirun one Ctrl-C reaches a worker twice: as a signal and as rank
     0's word; passed on twice it would stop the runs before a checkpoint. */
  while (fresh > 0 && sw->absorb > 0)
    fresh--, sw->absorb--;
  if (fresh > 0)
    signal_children (sw, sig);
  if (!sw->stopping)
    {
      sw->stopping = TRUE;
      sw->stop_signal = sig;
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The loop of rank 0 (the only one without MPI)                        */

/* Hands out the next run to a worker rank, or says there is none. */
static void
hand_out (Sweep *sw, int worker)
{
  if (sw->stopping || sw->next >= sw->n_queue)
    {
      somaif_ranks_send (worker, TAG_TASK, -1, 0, 0);
      return;
    }
  int k = sw->next++;
  sw->handed_at[sw->queue[k]] = g_get_monotonic_time ();
  g_array_append_val (sw->running, sw->queue[k]);
  somaif_ranks_send (worker, TAG_TASK, sw->queue[k], sw->mode[k], 0);
  sw->running_remote++;
  draw_progress (sw, TRUE);
}

/* Answers the workers' messages waiting now. */
static void
serve_requests (Sweep *sw, int *byes)
{
  int source, tag;
  gint64 msg[SOMAIF_RANKS_WORDS];
  while (somaif_ranks_poll (-1, &source, &tag, msg))
    {
      if (tag == TAG_REQUEST)
        hand_out (sw, source);
      else if (tag == TAG_RESULT)
        {
          sw->running_remote--;
          record_result (sw, (int) msg[0], (int) msg[1], (int) msg[2]);
        }
      else if (tag == TAG_BYE)
        (*byes)++;
    }
}

/* Starts runs here while a slot is free and a run waits. */
static void
fill_slots (Sweep *sw)
{
  while (!sw->stopping && (int) sw->children->len < sw->jobs && sw->next < sw->n_queue)
    {
      int k = sw->next++;
      sw->handed_at[sw->queue[k]] = g_get_monotonic_time ();
      g_array_append_val (sw->running, sw->queue[k]);
      if (!start_run (sw, sw->queue[k], sw->mode[k]))
        record_result (sw, sw->queue[k], OUTCOME_FAILED, CODE_LOST);
      draw_progress (sw, TRUE);
    }
}

static void
run_master (Sweep *sw)
{
  GArray *results = g_array_new (FALSE, FALSE, sizeof (int));
  int byes = 0;
  gboolean told_workers = FALSE;
  for (;;)
    {
      if (take_signals (sw))
        {
          clear_bar (sw);
          if (!sw->quiet)
            fprintf (stderr, "somaif-sweep: stopping: the %d running runs write a checkpoint "
                     "(again to stop them at once)\n", running_now (sw));
        }
      if (sw->stopping && !told_workers)
        for (int r = 1; r < sw->size; r++)
          somaif_ranks_send (r, TAG_STOP, sw->stop_signal, 0, 0);
      told_workers = told_workers || sw->stopping;
      if (sw->size > 1)
        serve_requests (sw, &byes);
      reap_children (sw, results);
      for (guint i = 0; i < results->len; i += 3)
        record_result (sw, g_array_index (results, int, i), g_array_index (results, int, i + 1),
                       g_array_index (results, int, i + 2));
      g_array_set_size (results, 0);
      fill_slots (sw);
      draw_progress (sw, FALSE);
      if (sw->children->len == 0 && (sw->stopping || sw->next >= sw->n_queue)
          && byes == sw->size - 1)
        break;
      nap (sw->size > 1 ? 5 : 50);
    }
  for (int r = 1; r < sw->size; r++)
    somaif_ranks_send (r, TAG_END, 0, 0, 0);
  clear_bar (sw);
  g_array_free (results, TRUE);
}

/* ------------------------------------------------------------------ */
/* The loop of the other ranks                                          */

/* Rank 0's word to a worker; FALSE when it says the sweep is over. */
static gboolean
heed_master (Sweep *sw, int tag, const gint64 *msg)
{
  if (tag == TAG_END)
    return FALSE;
  if (tag == TAG_STOP && !sw->stopping)
    {
      /* Unless this rank was signalled itself, which passed it on. */
      signal_children (sw, (int) msg[0]);
      sw->stopping = TRUE;
      sw->stop_signal = (int) msg[0];
      sw->absorb = 1;
    }
  return TRUE;
}

/* Asks rank 0 for a run per free slot and starts each. */
static void
ask_for_runs (Sweep *sw)
{
  while (!sw->stopping && !sw->no_more && (int) sw->children->len < sw->jobs)
    {
      somaif_ranks_send (0, TAG_REQUEST, 0, 0, 0);
      gint64 task[SOMAIF_RANKS_WORDS];
      somaif_ranks_wait (0, TAG_TASK, task);
      if (task[0] < 0)
        sw->no_more = TRUE;
      else if (!start_run (sw, (int) task[0], (int) task[1]))
        somaif_ranks_send (0, TAG_RESULT, task[0], OUTCOME_FAILED, CODE_LOST);
    }
}

/* A worker rank: asks rank 0 for runs, one per free slot, runs them and
 * reports each; says bye when it has nothing running and wants nothing
 * more, and waits for rank 0's end. */
static void
run_worker (Sweep *sw)
{
  GArray *results = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean bye = FALSE;
  for (;;)
    {
      take_signals (sw);
      int source, tag;
      gint64 msg[SOMAIF_RANKS_WORDS];
      if (somaif_ranks_poll (0, &source, &tag, msg))
        {
          if (!heed_master (sw, tag, msg))
            break;
          continue;
        }
      reap_children (sw, results);
      for (guint i = 0; i < results->len; i += 3)
        somaif_ranks_send (0, TAG_RESULT, g_array_index (results, int, i),
                           g_array_index (results, int, i + 1), g_array_index (results, int, i + 2));
      g_array_set_size (results, 0);
      ask_for_runs (sw);
      if (!bye && sw->children->len == 0 && (sw->stopping || sw->no_more))
        {
          somaif_ranks_send (0, TAG_BYE, 0, 0, 0);
          bye = TRUE;
        }
      nap (bye ? 20 : 50);
    }
  g_array_free (results, TRUE);
}

/* ------------------------------------------------------------------ */
/* Preparation (rank 0)                                                 */

static char *
default_output (const char *name)
{
  GDateTime *now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_date_time_unref (now);
  g_autofree char *leaf = g_strdup_printf ("%s-%s", name, stamp);
  return g_build_filename ("sweeps", leaf, NULL);
}

/* Loads every combination's config with its overrides and creates its
 * experiment (which checks the parts' sizes agree); reports the invalid. */
static gboolean
validate (const SomaifSweep *s)
{
  int bad = 0;
  /* The first config held to the end keeps its plugins loaded: the next
     thousands reuse them instead of loading each file again. */
  SomaifConfig *held = NULL;
  for (int combo = 0; combo < s->n_combos; combo++)
    {
      g_auto (GStrv) sets = somaif_sweep_run_sets (s, combo);
      GError *error = NULL;
      SomaifConfig *cfg = somaif_config_load (s->base, (const char *const *) sets, s->seeds[0],
                                              &error);
      if (cfg && !held)
        held = somaif_config_load (s->base, (const char *const *) sets, s->seeds[0], NULL);
      SomaifExperiment *x = cfg ? somaif_experiment_new (cfg, 1, &error) : NULL;
      if (x)
        {
          somaif_experiment_free (x);
          continue;
        }
      if (bad++ < 10)
        {
          g_autofree char *name = somaif_sweep_combo_name (s, combo);
          g_auto (GStrv) varied = somaif_sweep_combo_sets (s, combo);
          g_autofree char *what = g_strjoinv (", ", varied);
          fprintf (stderr, "somaif-sweep: combination %s%s%s%s is invalid: %s\n", name,
                   *what ? " (" : "", what, *what ? ")" : "", error->message);
        }
      g_error_free (error);
    }
  if (held)
    somaif_config_free (held);
  if (bad > 10)
    fprintf (stderr, "somaif-sweep: ... and %d more invalid combinations\n", bad - 10);
  if (bad)
    fprintf (stderr, "somaif-sweep: %d of %d combinations invalid: nothing was run\n", bad,
             s->n_combos);
  return bad == 0;
}

static const char *
state_word (SomaifSweepRunState st)
{
  return st == SOMAIF_SWEEP_RUN_DONE ? "done"
         : st == SOMAIF_SWEEP_RUN_INTERRUPTED ? "to resume" : "to run";
}

/* Scans the run folders: the finished are skipped, the interrupted resumed. */
static void
plan_runs (Sweep *sw, gboolean list)
{
  const SomaifSweep *s = sw->sweep;
  sw->n_all = somaif_sweep_n_runs (s);
  sw->queue = g_new (int, sw->n_all);
  sw->mode = g_new (int, sw->n_all);
  sw->handed_at = g_new0 (gint64, sw->n_all);
  sw->finished = g_new0 (gboolean, sw->n_all);
  sw->running = g_array_new (FALSE, FALSE, sizeof (int));
  for (int run = 0; run < sw->n_all; run++)
    {
      if (sw->n_slices > 1 && run % sw->n_slices != sw->slice - 1)
        continue;
      sw->n_runs++;
      g_autofree char *dir = run_dir (sw, run);
      SomaifSweepRunState st = somaif_sweep_run_state_of (s, run, dir);
      if (list)
        {
          g_autofree char *name = somaif_sweep_run_name (s, run);
          printf ("%-40s %s\n", name, state_word (st));
        }
      if (st == SOMAIF_SWEEP_RUN_DONE)
        {
          sw->already_done++;
          continue;
        }
      sw->queue[sw->n_queue] = run;
      sw->mode[sw->n_queue++] = st == SOMAIF_SWEEP_RUN_INTERRUPTED ? MODE_RESUME : MODE_FRESH;
    }
}

static int
summarise (const SomaifSweep *s, const char *outdir, gboolean quiet)
{
  GError *error = NULL;
  int missing = 0;
  if (!somaif_sweep_summarise (s, outdir, &missing, &error))
    {
      fprintf (stderr, "somaif-sweep: cannot summarise %s: %s\n", outdir, error->message);
      g_error_free (error);
      return EXIT_FAILED;
    }
  g_autofree char *figure = s->figure_stat < 0 ? g_strdup ("")
                            : g_strdup_printf (", sweep-%s.png",
                                               somaif_sweep_stat_name (s->figure_stat));
  if (!quiet)
    printf ("somaif-sweep: %s/summary.csv, sweep.png%s written (%d combination%s, %d of "
            "%d runs finished)\n", outdir, figure, s->n_combos, s->n_combos == 1 ? "" : "s",
            somaif_sweep_n_runs (s) - missing, somaif_sweep_n_runs (s));
  return EXIT_DONE;
}

/* The sweep folder could not be taken or written: status 2 when another
 * sweep holds it or it is a link, 1 otherwise. */
static int
folder_failed (GError *error)
{
  gboolean usage = g_error_matches (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_LOCKED)
                   || g_error_matches (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_REFUSED);
  fprintf (stderr, "somaif-sweep: %s\n", error->message);
  g_error_free (error);
  return usage ? EXIT_USAGE : EXIT_FAILED;
}

/* Rank 0's part before any run: reads, validates and plans.  Returns the
 * exit status, or -1 to go on. */
static int
prepare (Sweep *sw, const char *sweep_file)
{
  GError *error = NULL;
  sw->sweep = somaif_sweep_load (sweep_file, &error);
  if (!sw->sweep)
    {
      fprintf (stderr, "somaif-sweep: %s\n", error->message);
      g_error_free (error);
      return EXIT_USAGE;
    }
  if (!validate (sw->sweep))
    return EXIT_USAGE;
  sw->outdir = opt_output ? g_strdup (opt_output) : default_output (sw->sweep->name);
  if (opt_check)
    {
      plan_runs (sw, TRUE);
      if (!sw->quiet)
        printf ("%s: valid: %d runs (%d combination%s x %d seed%s%s), %d done, into %s\n",
                sweep_file, sw->n_runs, sw->sweep->n_combos, sw->sweep->n_combos == 1 ? "" : "s",
                sw->sweep->n_seeds, sw->sweep->n_seeds == 1 ? "" : "s",
                sw->n_slices > 1 ? ", this slice's" : "", sw->already_done, sw->outdir);
      return EXIT_DONE;
    }
  g_autofree char *logs = g_build_filename (sw->outdir, "logs", NULL);
  g_autofree char *resolved = somaif_sweep_resolved (sw->sweep);
  g_autofree char *copy = g_build_filename (sw->outdir, "sweep.cfg", NULL);
  if (!somaif_rundir_mkdir (sw->outdir, &error)
      /* Slices of a job array share the folder at once; their runs are disjoint. */
      || (!opt_slice && !(sw->lock = somaif_rundir_lock (sw->outdir, &error)))
      || !somaif_rundir_mkdir (logs, &error)
      || !somaif_rundir_write (copy, resolved, strlen (resolved), &error))
    return folder_failed (error);
  plan_runs (sw, FALSE);
  return -1;
}

/* ------------------------------------------------------------------ */

static int
finish (Sweep *sw)
{
  int status = EXIT_DONE;
  double t = (double) (g_get_monotonic_time () - sw->start) / 1e6;
  g_autofree char *elapsed = format_duration (t);
  int finished = sw->already_done + sw->done;
  if (sw->stopping)
    {
      fprintf (stderr, "somaif-sweep: stopped after %s: %d of %d runs finished, %d interrupted "
               "(checkpointed); go on with: somaif-sweep%s%s --output %s %s\n", elapsed,
               finished, sw->n_runs, sw->interrupted, opt_slice ? " --slice " : "",
               opt_slice ? opt_slice : "", sw->outdir, sw->sweep->path);
      return 128 + sw->stop_signal;
    }
  if (!sw->quiet)
    printf ("somaif-sweep: %d of %d runs finished (%d skipped as done, %d failed, %d "
            "interrupted) in %s\n", finished, sw->n_runs, sw->already_done, sw->failed,
            sw->interrupted, elapsed);
  if (sw->failed || sw->interrupted)
    {
      fprintf (stderr, "somaif-sweep: %d runs did not finish; run the sweep again with "
               "--output %s to retry them\n", sw->failed + sw->interrupted, sw->outdir);
      status = EXIT_FAILED;
    }
  /* The other slices may still run: the summary waits for --summarise. */
  if (sw->n_slices > 1)
    {
      if (!sw->quiet)
        printf ("somaif-sweep: slice %d/%d done; once every slice is, summarise with: "
                "somaif-sweep --summarise %s\n", sw->slice, sw->n_slices, sw->outdir);
      return status;
    }
  if (summarise (sw->sweep, sw->outdir, sw->quiet) != EXIT_DONE)
    status = EXIT_FAILED;
  return status;
}

static void
sweep_clear (Sweep *sw)
{
  somaif_sweep_free (sw->sweep);
  somaif_rundir_unlock (sw->lock);
  g_free (sw->outdir);
  g_free (sw->run_bin);
  g_free (sw->queue);
  g_free (sw->mode);
  g_free (sw->handed_at);
  g_free (sw->finished);
  if (sw->running)
    g_array_free (sw->running, TRUE);
  if (sw->children)
    g_array_free (sw->children, TRUE);
}

/* Every rank learns rank 0's status (-1: go on), then the sweep and its
 * folder.  Returns the status to exit with, or -1. */
static int
share_plan (Sweep *sw, int status)
{
  somaif_ranks_share_int (&status);
  if (status >= 0)
    return status;
  char *text = sw->rank == 0 ? somaif_sweep_resolved (sw->sweep) : NULL;
  somaif_ranks_share_string (&text, sw->rank);
  somaif_ranks_share_string (&sw->outdir, sw->rank);
  if (sw->rank != 0)
    {
      GError *error = NULL;
      g_autofree char *file = g_build_filename (sw->outdir, "sweep.cfg", NULL);
      sw->sweep = somaif_sweep_load_data (text, file, &error);
      if (!sw->sweep)
        {
          fprintf (stderr, "somaif-sweep: rank %d: %s\n", sw->rank, error->message);
          g_clear_error (&error);
          sw->no_more = TRUE;
        }
    }
  g_free (text);
  return -1;
}

/* mpirun binds each rank to a core by default, and the runs inherit it. */
static void
warn_binding (const Sweep *sw)
{
  cpu_set_t set;
  CPU_ZERO (&set);
  if (sched_getaffinity (0, sizeof set, &set) == 0
      && CPU_COUNT (&set) < sw->jobs * sw->sweep->threads)
    fprintf (stderr, "somaif-sweep: rank %d may use %d core%s but runs %d x %d threads: "
             "start mpirun with --bind-to none (or --map-by slot:PE=%d)\n", sw->rank,
             CPU_COUNT (&set), CPU_COUNT (&set) == 1 ? "" : "s", sw->jobs,
             sw->sweep->threads, sw->jobs * sw->sweep->threads);
}

static void
announce (const Sweep *sw)
{
  int resume = 0;
  for (int k = 0; k < sw->n_queue; k++)
    resume += sw->mode[k] == MODE_RESUME;
  const SomaifSweep *s = sw->sweep;
  fprintf (stderr, "somaif-sweep: %d runs (%d combination%s x %d seed%s): %d done, %d "
           "to resume, %d to run; %d rank%s x %d at once x %d thread%s; into %s\n",
           sw->n_runs, s->n_combos, s->n_combos == 1 ? "" : "s", s->n_seeds,
           s->n_seeds == 1 ? "" : "s", sw->already_done, resume, sw->n_queue - resume,
           sw->size, sw->size == 1 ? "" : "s", sw->jobs, s->threads,
           s->threads == 1 ? "" : "s", sw->outdir);
}

/* Runs the sweep file's runs on every rank; the exit status. */
static int
run_sweep (Sweep *sw, const char *sweep_file, const char *argv0, gboolean launched)
{
  sw->quiet = opt_quiet;
  sw->tty = isatty (STDERR_FILENO);
  sw->children = g_array_new (FALSE, FALSE, sizeof (Child));
  sw->run_bin = find_run_binary (argv0);
  if (!sw->run_bin)
    {
      if (sw->rank == 0)
        fprintf (stderr, "somaif-sweep: cannot find somaif-run (next to somaif-sweep or on "
                 "the PATH); set SOMAIF_RUN to it\n");
      return EXIT_USAGE;
    }
  /* Signals before any run starts, so none is lost between two. */
  catch_stop_signals ();
  int status = sw->rank == 0 ? prepare (sw, sweep_file) : -1;
  if (sw->size > 1)
    status = share_plan (sw, status);
  if (status >= 0)
    return status;

  sw->jobs = opt_jobs > 0 ? opt_jobs
             : sw->size > 1 ? 1
             : MAX (1, somaif_machine_cores () / sw->sweep->threads);
  sw->start = g_get_monotonic_time ();
  sw->kernel_ties = kernel_ties ();
  if (!sw->kernel_ties)
    start_watcher ();
  if (launched && sw->sweep && !sw->quiet)
    warn_binding (sw);
  if (sw->rank != 0)
    {
      run_worker (sw);
      return sw->stopping ? 128 + sw->stop_signal : EXIT_DONE;
    }
  if (!sw->quiet)
    announce (sw);
  run_master (sw);
  return finish (sw);
}

static GOptionContext *
option_context (void)
{
  GOptionContext *ctx = g_option_context_new ("SWEEP");
  g_option_context_set_summary (ctx,
    "Runs every combination of a sweep file's values and seeds with somaif-run,\n"
    "each into its own folder, then writes summary.csv and sweep.png.\n"
    "SWEEP is a libconfig file:\n"
    "  base = \"quick.cfg\";   # a config (relative to SWEEP) or an installed name\n"
    "  vary = ( { key = \"experiment.beta\"; values = [4.0, 8.0]; } );\n"
    "  seeds = { from = 1; count = 4; };\n"
    "  threads = 1;          # threads per run\n"
    "  output = \"lean\";     # what each run keeps: full, compact or lean\n"
    "Finished runs are skipped and interrupted ones resumed, so running the sweep\n"
    "again with the same --output goes on where it stopped.  Under\n"
    "mpirun -np P (when built with MPI) the ranks share the runs.");
  g_option_context_set_description (ctx,
    "Exit status:\n"
    "  0  every run finished and the summary was written\n"
    "  1  a run failed (its log is in DIR/logs/) or the summary could not be written\n"
    "  2  bad usage or sweep file, an invalid combination (nothing was run), or\n"
    "     started by an MPI launcher when built without MPI\n"
    "  129, 130, 143  stopped by SIGHUP, SIGINT (Ctrl-C) or SIGTERM: the running\n"
    "     runs wrote a checkpoint; run the same sweep with the same --output to go on\n"
    "\n"
    "Environment:\n"
    "  SOMAIF_RUN          the somaif-run program to use (default: the one next\n"
    "                      to somaif-sweep, else the PATH's)\n"
    "  SOMAIF_PLUGIN_PATH  colon-separated folders searched for plugins first\n"
    "  SOMAIF_CONFIGS_DIR  a folder searched for configs named without a path\n"
    "  SOMAIF_SWEEP_WATCHER  if set, a watcher process, not the kernel, stops the\n"
    "                      runs when the sweep dies (the fallback of other systems)\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  return ctx;
}

/* --summarise DIR: the summary again from DIR/sweep.cfg and its runs. */
static int
summarise_folder (int argc)
{
  if (argc > 1)
    {
      fprintf (stderr, "somaif-sweep: --summarise DIR takes no SWEEP (it reads "
               "DIR/sweep.cfg)\n");
      return EXIT_USAGE;
    }
  GError *error = NULL;
  g_autofree char *file = g_build_filename (opt_summarise, "sweep.cfg", NULL);
  SomaifSweep *s = somaif_sweep_load (file, &error);
  if (!s)
    {
      fprintf (stderr, "somaif-sweep: %s: not a sweep folder: %s\n", opt_summarise,
               error->message);
      g_error_free (error);
      return EXIT_USAGE;
    }
  SomaifRundirLock *lock = somaif_rundir_check_not_link (opt_summarise, &error)
                           ? somaif_rundir_lock (opt_summarise, &error) : NULL;
  int status = lock ? summarise (s, opt_summarise, opt_quiet) : folder_failed (error);
  somaif_rundir_unlock (lock);
  somaif_sweep_free (s);
  return status;
}

/* The options' verdict: an exit status, or -1 to run the sweep.  Only rank
 * 0 speaks (and alone summarises). */
static gboolean
parse_slice (const char *text, int *slice, int *n_slices)
{
  char *end = NULL;
  gint64 i = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '/')
    return FALSE;
  const char *rest = end + 1;
  gint64 n = g_ascii_strtoll (rest, &end, 10);
  if (end == rest || *end || i < 1 || n < i || n > 1000000)
    return FALSE;
  *slice = (int) i;
  *n_slices = (int) n;
  return TRUE;
}

static int
dispatch (int *argcp, char ***argvp, gboolean speak, int *slice, int *n_slices)
{
  GError *error = NULL;
  GOptionContext *ctx = option_context ();
  gboolean parsed = g_option_context_parse (ctx, argcp, argvp, &error);
  g_option_context_free (ctx);
  int argc = *argcp;
  const char *usage = NULL;
  g_autofree char *owned = NULL;
  if (!parsed)
    usage = owned = g_strdup_printf ("%s (see somaif-sweep --help)", error->message);
  else if (opt_version)
    {
      if (speak)
        printf ("somaif-sweep %s (plugin ABI %d.%d, %s)\n", PACKAGE_VERSION, SOMAIF_ABI_MAJOR,
                SOMAIF_ABI_MINOR, somaif_ranks_build ());
      return EXIT_DONE;
    }
  else if (opt_summarise)
    return speak ? summarise_folder (argc) : EXIT_DONE;
  else if (argc != 2)
    usage = argc < 2 ? "which sweep? give one SWEEP file (see somaif-sweep --help)"
                     : "give exactly one SWEEP file (see somaif-sweep --help)";
  else if (opt_slice && !parse_slice (opt_slice, slice, n_slices))
    usage = owned = g_strdup_printf ("--slice takes I/N with 1 <= I <= N <= 1000000, not '%s'",
                                     opt_slice);
  else if (opt_jobs < 0 || opt_jobs > 1024)
    usage = owned = g_strdup_printf ("--jobs takes 1 to 1024 (0: the default), not %d", opt_jobs);
  g_clear_error (&error);
  if (!usage)
    return -1;
  if (speak)
    fprintf (stderr, "somaif-sweep: %s\n", usage);
  return EXIT_USAGE;
}

int
main (int argc, char **argv)
{
  Sweep sw;
  memset (&sw, 0, sizeof sw);
  GError *error = NULL;
  gboolean launched = FALSE;
  if (!somaif_ranks_init (&argc, &argv, &sw.rank, &sw.size, &launched, &error))
    {
      fprintf (stderr, "somaif-sweep: %s\n", error->message);
      g_error_free (error);
      return EXIT_USAGE;
    }
  /* The parser takes the options out of argv, leaving the program and SWEEP. */
  int status = dispatch (&argc, &argv, sw.rank == 0, &sw.slice, &sw.n_slices);
  if (status < 0)
    status = run_sweep (&sw, argv[1], argv[0], launched);
  sweep_clear (&sw);
  g_free (opt_output);
  g_free (opt_summarise);
  g_free (opt_slice);
  somaif_ranks_finish ();
  return status;
}
