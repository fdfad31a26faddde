/* somaif-run: run an experiment described by a config file. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "experiment.h"
#include "machine.h"
#include "memlimit.h"
#include "rundir.h"

enum
{
  EXIT_DONE = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2
};

static gboolean opt_version, opt_list, opt_check, opt_quiet, opt_force;
static char **opt_sets;
static gint64 opt_seed = -1;
static char *opt_output, *opt_replay, *opt_resume;

/* The signal that asked the run to stop, 0 while none has. */
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal (int sig)
{
  if (stop_signal)
    {
      /* A second signal stops at once: files already written stay as they are. */
      signal (sig, SIG_DFL);
      raise (sig);
      return;
    }
  stop_signal = sig;
}

static void
catch_stop_signals (void)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  /* A closed terminal is a request to stop like any other. */
  sigaction (SIGHUP, &sa, NULL);
}

/* arg as a shell reads it back: as it is when it holds only safe
 * characters, else in single quotes. */
static void
append_quoted (GString *out, const char *arg)
{
  gboolean plain = *arg != '\0';
  for (const char *c = arg; *c && plain; c++)
    plain = g_ascii_isalnum (*c) || strchr ("-_./=:,+@%", *c);
  if (plain)
    g_string_append (out, arg);
  else
    {
      g_autofree char *q = g_shell_quote (arg);
      g_string_append (out, q);
    }
}

static char *
quoted (const char *arg)
{
  GString *out = g_string_new (NULL);
  append_quoted (out, arg);
  return g_string_free (out, FALSE);
}

/* The command line as a shell would run it again (for run.json). */
static char *
quoted_command (int argc, char **argv)
{
  GString *out = g_string_new (NULL);
  for (int i = 0; i < argc; i++)
    {
      if (i)
        g_string_append_c (out, ' ');
      append_quoted (out, argv[i]);
    }
  return g_string_free (out, FALSE);
}
static int opt_threads;

static gboolean
parse_seed (const char *name, const char *value, gpointer data, GError **error)
{
  char *end;
  /* Within experiment.seed's declared range, or the config.cfg written with
     it could not be read back (nor --resume'd). */
  double max = 0;
  for (const SomaifParamSpec *s = somaif_experiment_params; s->name; s++)
    if (strcmp (s->name, "seed") == 0)
      max = s->max;
  errno = 0;
  gint64 v = g_ascii_strtoll (value, &end, 10);
  if (!*value || *end || v < 0 || errno == ERANGE || (double) v > max)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--seed takes a whole number from 0 to %.0f, not '%s'", max, value);
      return FALSE;
    }
  opt_seed = v;
  return TRUE;
}

static const GOptionEntry entries[] = {
  { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &opt_sets,
    "Override a config key, typed as in the file (repeatable)", "KEY.PATH=VALUE" },
  { "seed", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) parse_seed,
    "Override experiment.seed", "N" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Output folder (default: runs/NAME-DATE-TIME)", "DIR" },
  { "threads", 'j', 0, G_OPTION_ARG_INT, &opt_threads,
    "Worker threads (default: all cores); results do not depend on it", "N" },
  { "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
    "Write into an output folder that already holds files", NULL },
  { "check", 0, 0, G_OPTION_ARG_NONE, &opt_check,
    "Validate the config and load the plugins; run nothing", NULL },
  { "resume", 0, 0, G_OPTION_ARG_FILENAME, &opt_resume,
    "Continue an interrupted run from its folder's checkpoint", "DIR" },
  { "replay", 0, 0, G_OPTION_ARG_FILENAME, &opt_replay,
    "Redraw the figures and final.csv of a finished run from its model/", "DIR" },
  { "list-plugins", 0, 0, G_OPTION_ARG_NONE, &opt_list,
    "List the plugins found and their parameters", NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
    "Print nothing but errors", NULL },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version,
    "Print the version and the plugin ABI", NULL },
  { NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL }
};

static const char *
type_name (SomaifParamType t)
{
  switch (t)
    {
    case SOMAIF_PARAM_INT: return "int";
    case SOMAIF_PARAM_FLOAT: return "float";
    case SOMAIF_PARAM_BOOL: return "bool";
    case SOMAIF_PARAM_STRING: return "string";
    case SOMAIF_PARAM_FLOATS: return "floats";
    }
  return "?";
}

static void
print_params (const SomaifParamSpec *specs)
{
  for (const SomaifParamSpec *s = specs; s->name; s++)
    {
      GString *line = g_string_new (NULL);
      g_string_append_printf (line, "    %-16s %-7s", s->name, type_name (s->type));
      g_string_append_printf (line, " default %-10s", s->def ? s->def : "(none)");
      if (s->min <= s->max)
        g_string_append_printf (line, " range [%g, %g]", s->min, s->max);
      if (s->flags & SOMAIF_PARAM_SCHEDULABLE)
        g_string_append (line, " schedulable");
      printf ("%s\n        %s\n", line->str, s->doc);
      g_string_free (line, TRUE);
    }
}

static int
list_plugins (void)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *found = somaif_plugin_list (problems);
  g_auto (GStrv) dirs = somaif_plugin_dirs ();
  g_autofree char *searched = g_strjoinv (":", dirs);
  printf ("Plugins (searched %s):\n", searched);
  printf ("\nexperiment (the core's own group)\n");
  print_params (somaif_experiment_params);
  for (guint i = 0; i < found->len; i++)
    {
      const SomaifPlugin *p = g_ptr_array_index (found, i);
      printf ("\n%s %s  (%s)\n  %s\n", somaif_kind_name (p->head->kind), p->head->name, p->path,
              p->head->description);
      print_params (p->head->params);
    }
  for (guint i = 0; i < problems->len; i++)
    fprintf (stderr, "somaif-run: skipped %s\n", (char *) g_ptr_array_index (problems, i));
  if (found->len == 0)
    printf ("\n(no plugins found)\n");
  g_ptr_array_free (found, TRUE);
  g_ptr_array_free (problems, TRUE);
  return EXIT_DONE;
}

/* A new folder runs/NAME-DATE-TIME, made here (with a suffix when taken). */
static char *
default_output (const char *name, GError **error)
{
  GDateTime *now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_date_time_unref (now);
  g_autofree char *leaf = g_strdup_printf ("%s-%s", name, stamp);
  return somaif_rundir_make_unique ("runs", leaf, error);
}

static int
fail (int status, GError *error)
{
  fprintf (stderr, "somaif-run: %s\n", error->message);
  g_error_free (error);
  return status;
}

/* ------------------------------------------------------------------ */
/* Progress on standard error (docs/run-folder.md keeps the line format) */

typedef enum
{
  PROGRESS_NONE,   /* --quiet */
  PROGRESS_LINES,  /* a line every tenth of the run (not a terminal) */
  PROGRESS_BAR     /* a bar redrawn on a terminal */
} ProgressStyle;

typedef struct
{
  ProgressStyle style;
  gint64 start, last;
  int last_tenth;     /* -1: not yet known */
  gboolean drawn;     /* a bar is on the terminal's last line */
} Progress;

static void
draw_bar (Progress *p, gint64 done, gint64 epochs, double rate, double left)
{
  gboolean final = done == epochs;
  gint64 now = g_get_monotonic_time ();
  if (!final && now - p->last < 100000)
    return;
  p->last = now;
  char bar[31];
  int filled = (int) (30.0 * (double) done / (double) epochs);
  for (int i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : (i == filled ? '>' : '.');
  bar[30] = '\0';
  fprintf (stderr, "\r[%s] epoch %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
           "  %.0f epochs/s  %.1f s left   %s", bar, done, epochs, rate, left,
           final ? "\n" : "");
  fflush (stderr);
  p->drawn = !final;
}

static void
show_progress (gint64 done, gint64 first, gint64 epochs, gpointer data)
{
  Progress *p = data;
  /* A reader that went away (| head) ends the progress, not the run. */
  if (ferror (stderr))
    return;
  double elapsed = (double) (g_get_monotonic_time () - p->start) / 1e6;
  double rate = elapsed > 0 ? (double) (done - first) / elapsed : 0.0;
  double left = rate > 0 ? (double) (epochs - done) / rate : 0.0;
  if (p->style == PROGRESS_BAR)
    {
      draw_bar (p, done, epochs, rate, left);
      return;
    }
  if (p->last_tenth < 0)
    p->last_tenth = (int) (10 * first / epochs);
  int tenth = (int) (10 * done / epochs);
  if (tenth > p->last_tenth)
    {
      p->last_tenth = tenth;
      fprintf (stderr, "somaif: epoch %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
               " (%d%%), %.0f epochs/s, %.1f s left\n", done, epochs,
               (int) (100 * done / epochs), rate, left);
    }
}

/* ------------------------------------------------------------------ */
/* What to run                                                         */

/* Checks the options of --replay and --resume; the config is DIR/config.cfg. */
static int
run_dir_config (int argc, char **cfgpath)
{
  const char *run_dir = opt_replay ? opt_replay : opt_resume;
  const char *opt = opt_replay ? "--replay" : "--resume";
  if (argc > 1)
    {
      fprintf (stderr, "somaif-run: %s DIR takes no CONFIG (it reads DIR/config.cfg)\n", opt);
      return EXIT_USAGE;
    }
  if (opt_sets || opt_seed >= 0 || opt_output)
    {
      fprintf (stderr, "somaif-run: %s DIR takes no --set, --seed or --output: the run "
               "goes on as its config.cfg says, in DIR\n", opt);
      return EXIT_USAGE;
    }
  *cfgpath = g_build_filename (run_dir, "config.cfg", NULL);
  if (!g_file_test (*cfgpath, G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "somaif-run: %s: not a run folder (no config.cfg)\n", run_dir);
      return EXIT_USAGE;
    }
  g_autofree char *ck = g_build_filename (run_dir, "checkpoint.bin", NULL);
  if (opt_resume && !g_file_test (ck, G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "somaif-run: %s: no checkpoint.bin to resume from\n", run_dir);
      return EXIT_USAGE;
    }
  return EXIT_DONE;
}

/* The config to load (*cfgpath) from the arguments left after the options. */
static int
choose_config (int argc, char **argv, char **cfgpath)
{
  if (opt_replay && opt_resume)
    {
      fprintf (stderr, "somaif-run: --replay and --resume do not go together\n");
      return EXIT_USAGE;
    }
  if (opt_replay || opt_resume)
    return run_dir_config (argc, cfgpath);
  if (argc != 2)
    {
      fprintf (stderr, "somaif-run: %s (see somaif-run --help)\n",
               argc < 2 ? "which config? give one CONFIG file or name"
                        : "give exactly one CONFIG");
      return EXIT_USAGE;
    }
  *cfgpath = somaif_config_find (argv[1], NULL);
  return EXIT_DONE;
}

static int
parse_options (int *argc, char ***argv)
{
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new ("CONFIG");
  g_option_context_set_summary (ctx,
    "Runs a somaif experiment: a generator drives a plant whose pen draws on a\n"
    "renderer's canvas; a perceiver learns prototypes of the drawings and an\n"
    "optimiser learns, per map unit, the initial state minimising a free energy.\n"
    "CONFIG is a libconfig file, or the name of an installed config (e.g. seed).");
  g_option_context_set_description (ctx,
    "Exit status:\n"
    "  0  done\n"
    "  1  failed while running (a plugin's failure, a NaN, an unwritable file)\n"
    "  2  bad usage, config, --resume folder or checkpoint, or an overwrite refused\n"
    "  129, 130, 143  stopped by SIGHUP, SIGINT (Ctrl-C) or SIGTERM after writing a\n"
    "     checkpoint:\n"
    "     somaif-run --resume DIR goes on; a second Ctrl-C stops at once\n"
    "\n"
    "Environment:\n"
    "  SOMAIF_PLUGIN_PATH  colon-separated folders searched for plugins before\n"
    "                      the installed plugin folder\n"
    "  SOMAIF_CONFIGS_DIR  a folder searched for configs named without a path\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean parsed = g_option_context_parse (ctx, argc, argv, &error);
  g_option_context_free (ctx);
  if (!parsed)
    {
      fprintf (stderr, "somaif-run: %s (see somaif-run --help)\n", error->message);
      g_error_free (error);
      return EXIT_USAGE;
    }
  return EXIT_DONE;
}

/* ------------------------------------------------------------------ */
/* --check, --replay, a run                                            */

static int
check_only (const SomaifConfig *cfg, const char *cfgpath)
{
  if (opt_quiet)
    return EXIT_DONE;
  printf ("%s: valid\n", cfgpath);
  for (int k = 0; k < SOMAIF_N_PARTS; k++)
    printf ("  %-10s %s (%s)\n", cfg->parts[k].group, cfg->parts[k].plugin->head->name,
            cfg->parts[k].plugin->path);
  return EXIT_DONE;
}

/* Refusals of a folder (in use, a link, not a run) are the user's to fix. */
static int
folder_fail (GError *error)
{
  gboolean refused = g_error_matches (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_LOCKED)
                     || g_error_matches (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_REFUSED);
  return fail (refused ? EXIT_USAGE : EXIT_FAILED, error);
}

static int
replay (SomaifExperiment *x)
{
  SomaifSummary summary;
  GError *error = NULL;
  SomaifRundirLock *lock = somaif_rundir_check_not_link (opt_replay, &error)
                           ? somaif_rundir_lock (opt_replay, &error) : NULL;
  if (!lock)
    return folder_fail (error);
  gboolean ok = somaif_experiment_replay (x, opt_replay, &summary, &error);
  somaif_rundir_unlock (lock);
  if (!ok)
    return fail (g_error_matches (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP)
                 ? EXIT_USAGE : EXIT_FAILED, error);
  if (!opt_quiet)
    printf ("somaif-run: replayed %s: final inaccuracy %.2f, complexity %.4f; "
            "final.csv, curves.png, repertoire.png, prototypes.png redrawn\n", opt_replay,
            summary.final_accuracy, summary.final_complexity);
  return EXIT_DONE;
}

/* A folder that already holds files: --force replaces a run (only what
 * the run wrote), and nothing else. */
static int
replace_run (const char *outdir, gboolean was_run)
{
  if (!opt_force)
    {
      fprintf (stderr, "somaif-run: %s already holds files; choose another --output or add "
               "--force to write over them\n", outdir);
      return EXIT_USAGE;
    }
  if (!was_run)
    {
      fprintf (stderr, "somaif-run: %s holds files but no run (no config.cfg with run.json "
               "or checkpoint.bin, no " SOMAIF_RUNDIR_LOCK_FILE "): --force only replaces a "
               "run\n", outdir);
      return EXIT_USAGE;
    }
  GError *error = NULL;
  return somaif_rundir_clear (outdir, &error) ? EXIT_DONE : folder_fail (error);
}

/* The output folder, made and locked for the run's life (*lock); NULL and
 * *status when refused or impossible. */
static char *
take_output (const SomaifConfig *cfg, SomaifRundirLock **lock, int *status)
{
  GError *error = NULL;
  char *outdir = opt_resume ? g_strdup (opt_resume)
                 : opt_output ? g_strdup (opt_output) : default_output (cfg->name, &error);
  /* Asked before the lock file exists: it marks a run folder too. */
  gboolean was_run = outdir && somaif_rundir_holds_run (outdir);
  if (!outdir || !somaif_rundir_check_not_link (outdir, &error))
    *status = folder_fail (error);
  else if (g_mkdir_with_parents (outdir, 0777) != 0)
    {
      fprintf (stderr, "somaif-run: %s: cannot create the output folder: %s\n", outdir,
               g_strerror (errno));
      *status = EXIT_FAILED;
    }
  /* A refusal writes nothing, not even the lock file; the files are looked
     at again under the lock, which a run holds while it writes them. */
  else if (!opt_resume && somaif_rundir_has_files (outdir) && (!opt_force || !was_run))
    *status = replace_run (outdir, was_run);
  else if (!(*lock = somaif_rundir_lock (outdir, &error)))
    *status = folder_fail (error);
  else if (!opt_resume && somaif_rundir_has_files (outdir))
    *status = replace_run (outdir, was_run);
  if (*status == EXIT_DONE)
    return outdir;
  g_clear_pointer (lock, somaif_rundir_unlock);
  g_free (outdir);
  return NULL;
}

static void
print_summary (const SomaifSummary *s, const char *outdir)
{
  printf ("somaif-run: done in %.2f s\n"
          "  last 5%% of training: inaccuracy %.2f, complexity %.4f\n"
          "  final (each goal's own solution): inaccuracy %.2f, complexity %.4f, "
          "%.0f%% of goals recognised as themselves\n"
          "  map quality: quantization error %.3f, topographic error %.3f\n"
          "  outputs: %s/ (metrics.csv final.csv quality.csv schedules.csv config.cfg "
          "config.json run.json curves.csv model/ snapshots/ curves.png repertoire.png "
          "prototypes.png)\n",
          s->wall_seconds, s->tail_accuracy, s->tail_complexity, s->final_accuracy,
          s->final_complexity, 100.0 * s->final_recognised, s->quantization_error,
          s->topographic_error, outdir);
}

static int
train (SomaifExperiment *x, const SomaifConfig *cfg, const char *cfgpath, int threads)
{
  int status = EXIT_DONE;
  SomaifRundirLock *lock = NULL;
  g_autofree char *outdir = take_output (cfg, &lock, &status);
  if (!outdir)
    return status;
  Progress progress = { opt_quiet ? PROGRESS_NONE
                        : isatty (STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_LINES,
                        0, 0, -1, FALSE };
  if (!opt_quiet)
    {
      g_autofree char *need = somaif_memory_text (somaif_experiment_memory_need (x));
      fprintf (stderr, "somaif-run: %s: %" G_GINT64_FORMAT " epochs, %d thread%s, %s of memory "
               "besides the plugins', into %s\n", cfgpath, cfg->epochs, threads,
               threads == 1 ? "" : "s", need, outdir);
      /* the same numbers, but threads beyond the cores take turns on them (or
         spend a quota's CPU time waiting), and an epoch waits for the last */
      int cores = somaif_machine_cores ();
      if (threads > cores)
        fprintf (stderr, "somaif-run: %d threads on %d core%s: the same results, but slower "
                 "than with -j %d\n", threads, cores, cores == 1 ? "" : "s", cores);
    }
  catch_stop_signals ();
  somaif_experiment_set_stop_flag (x, &stop_signal);
  if (progress.style != PROGRESS_NONE)
    somaif_experiment_set_progress (x, show_progress, &progress);
  progress.start = g_get_monotonic_time ();
  SomaifSummary summary;
  GError *error = NULL;
  gboolean ok = somaif_experiment_run (x, outdir, opt_resume != NULL, &summary, &error);
  somaif_rundir_unlock (lock);
  if (progress.drawn)
    fputc ('\n', stderr);
  if (ok)
    {
      if (!opt_quiet)
        print_summary (&summary, outdir);
      return EXIT_DONE;
    }
  if (!g_error_matches (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_INTERRUPTED))
    return fail (opt_resume && g_error_matches (error, SOMAIF_RUN_ERROR, SOMAIF_RUN_ERROR_SETUP)
                 ? EXIT_USAGE : EXIT_FAILED, error);
  g_autofree char *dir = quoted (outdir);
  fprintf (stderr, "somaif-run: %s\nsomaif-run: go on with: somaif-run --resume %s\n",
           error->message, dir);
  g_error_free (error);
  return 128 + stop_signal;
}

int
main (int argc, char **argv)
{
  g_autofree char *command = quoted_command (argc, argv);
  /* A closed stdout or stderr (| head) fails the write, and the run goes on. */
  signal (SIGPIPE, SIG_IGN);
  somaif_machine_tune_memory ();
  int status = parse_options (&argc, &argv);
  if (status != EXIT_DONE)
    return status;
  if (opt_version)
    {
      printf ("somaif-run %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, SOMAIF_ABI_MAJOR,
              SOMAIF_ABI_MINOR);
      return EXIT_DONE;
    }
  if (opt_list)
    return list_plugins ();
  g_autofree char *cfgpath = NULL;
  status = choose_config (argc, argv, &cfgpath);
  if (status != EXIT_DONE)
    return status;
  if (opt_threads < 0 || opt_threads > 1024)
    {
      fprintf (stderr, "somaif-run: --threads takes 1 to 1024 (0: all cores), not %d\n",
               opt_threads);
      return EXIT_USAGE;
    }
  int threads = opt_threads > 0 ? opt_threads : somaif_machine_cores ();

  GError *error = NULL;
  SomaifConfig *cfg = somaif_config_load (cfgpath, (const char *const *) opt_sets, opt_seed,
                                          &error);
  if (!cfg)
    return fail (EXIT_USAGE, error);
  SomaifExperiment *x = somaif_experiment_new (cfg, threads, &error);
  if (!x)
    return fail (EXIT_USAGE, error);
  somaif_experiment_set_command (x, command);
  status = opt_check ? check_only (cfg, cfgpath)
           : opt_replay ? replay (x) : train (x, cfg, cfgpath, threads);
  somaif_experiment_free (x);
  g_strfreev (opt_sets);
  g_free (opt_output);
  g_free (opt_replay);
  g_free (opt_resume);
  return status;
}
