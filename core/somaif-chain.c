/* somaif-chain: chain a finished run's primitives into letters or targets. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "chain-io.h"
#include "chain-targets.h"
#include "host.h"
#include "rundir.h"

#ifndef SOMAIF_HERSHEY_DIR
#define SOMAIF_HERSHEY_DIR "/usr/share/hershey-fonts"
#endif

enum
{
  EXIT_DONE = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2
};

static const SomaifParamSpec chain_params[] = {
  { "targets", SOMAIF_PARAM_STRING, "\"c,h,i,s,r\"", 0, 0, 0, 0,
    "what to draw, comma-separated: letters, .png images, .csv pen points" },
  { "primitives", SOMAIF_PARAM_INT, "5", 1, 1000, 0, 0,
    "M: primitives chained for each target" },
  { "objective", SOMAIF_PARAM_STRING, "\"efe\"", 0, 0, 0, 0,
    "efe (expected free energy: risk + ambiguity) or accuracy (cross-entropy)" },
  { "planner", SOMAIF_PARAM_STRING, "\"greedy\"", 0, 0, 0, 0,
    "greedy (the paper's), beam or lookahead" },
  { "beam", SOMAIF_PARAM_INT, "5", 1, 10000, 0, 0,
    "partial chains the beam planner keeps after each step" },
  { "repertoire", SOMAIF_PARAM_STRING, "\"learned\"", 0, 0, 0, 0,
    "learned (the run's initial states) or random (x ~ N(0, 1) from the seed)" },
  { "classifier", SOMAIF_PARAM_STRING, "\"mean\"", 0, 0, 0, 0,
    "q(sigma) = softmax(log p(o|sigma) / (s T)): s = pixels (mean) or 1 (sum)" },
  { "temperature", SOMAIF_PARAM_FLOAT, "0.01", 1e-9, 1e9, 0, 0,
    "T of the classifier's softmax" },
  { "preference", SOMAIF_PARAM_FLOAT, "0.96", 1e-6, 0.999999, 0, 0,
    "prior preference p(sigma) of the target; the others share the rest" },
  { "seed", SOMAIF_PARAM_INT, "1", 0, 4.6e18, 0, 0,
    "seed of the letters' jitter and of a random repertoire" },
  SOMAIF_PARAM_END
};

static const SomaifParamSpec letters_params[] = {
  { "fonts", SOMAIF_PARAM_STRING,
    "\"rowmans,futural,cursive,scripts,scriptc,timesr,timesi\"", 0, 0, 0, 0,
    "Latin Hershey fonts the samples come from, in turn (comma-separated)" },
  { "hershey_dir", SOMAIF_PARAM_STRING, "\"" SOMAIF_HERSHEY_DIR "\"", 0, 0, 0, 0,
    "folder of the .jhf fonts (Debian's hershey-fonts-data)" },
  { "size", SOMAIF_PARAM_FLOAT, "64", 1e-3, 1e6, 0, 0,
    "paper units of a font's 32-unit body" },
  { "x", SOMAIF_PARAM_FLOAT, "0", -1e6, 1e6, 0, 0, "centre of a letter's box, paper units" },
  { "y", SOMAIF_PARAM_FLOAT, "0", -1e6, 1e6, 0, 0, "centre of a letter's box, paper units" },
  { "samples", SOMAIF_PARAM_INT, "70", 1, 100000, 0, 0,
    "jittered drawings averaged into a letter's filter" },
  { "scale_jitter", SOMAIF_PARAM_FLOAT, "0.1", 0, 0.9, 0, 0, "scale drawn from 1 +- this" },
  { "rotation_jitter", SOMAIF_PARAM_FLOAT, "0.15", 0, 3.2, 0, 0, "rotation +- this, radians" },
  { "shear_jitter", SOMAIF_PARAM_FLOAT, "0.15", 0, 10, 0, 0, "horizontal shear +- this" },
  { "shift_jitter", SOMAIF_PARAM_FLOAT, "4", 0, 1e6, 0, 0,
    "translation +- this on each axis, paper units" },
  SOMAIF_PARAM_END
};

static const SomaifParamSpec images_params[] = {
  { "threshold", SOMAIF_PARAM_FLOAT, "0.5", 0, 1, 0, 0,
    "a PNG pixel is ink where its luminance (0 black, 1 white) is below this" },
  SOMAIF_PARAM_END
};

static const char *const group_names[] = { "chain", "letters", "images" };

static gboolean opt_version, opt_check, opt_quiet, opt_force;
static char **opt_sets;
static char *opt_output, *opt_repertoire;
static gint64 opt_seed = -1;

static gboolean
parse_seed (const char *name, const char *value, gpointer data, GError **error)
{
  char *end;
  errno = 0;
  gint64 v = g_ascii_strtoll (value, &end, 10);
  if (!*value || *end || v < 0 || errno == ERANGE || (double) v > 4.6e18)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--seed takes a whole number from 0 to 4600000000000000000, not '%s'",
                   value);
      return FALSE;
    }
  opt_seed = v;
  return TRUE;
}

static const GOptionEntry entries[] = {
  { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &opt_sets,
    "Override a config key, typed as in the file (repeatable)", "KEY.PATH=VALUE" },
  { "seed", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) parse_seed,
    "Override chain.seed", "N" },
  { "repertoire", 'r', 0, G_OPTION_ARG_STRING, &opt_repertoire,
    "Override chain.repertoire: learned or random", "KIND" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Output folder (default: chains/RUN-DATE-TIME)", "DIR" },
  { "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
    "Write into an output folder that already holds files", NULL },
  { "check", 0, 0, G_OPTION_ARG_NONE, &opt_check,
    "Validate the config, the run and the targets; chain nothing", NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Print nothing but errors", NULL },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version,
    "Print the version and the plugin ABI", NULL },
  { NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL }
};

/* The chaining as the config, the options and the run say. */
typedef struct
{
  SomaifParams *groups[3];
  char **targets;
  int n_targets;
  SomaifPlan plan;
  SomaifClassifierRule rule;
  gboolean random;
  guint64 seed;
  SomaifTargetOptions topt;
  SomaifChainRun *run;
  SomaifClasses *classes;
  double *preference;
} Chaining;

static void
chaining_clear (Chaining *c)
{
  for (int g = 0; g < 3; g++)
    somaif_params_free (c->groups[g]);
  g_strfreev (c->targets);
  g_strfreev (c->topt.fonts);
  somaif_chain_run_free (c->run);
  somaif_classes_free (c->classes);
  g_free (c->preference);
}

static gboolean
usage_error (GError **error, const char *format, const char *a, const char *b)
{
  g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_INPUT, format, a, b);
  return FALSE;
}

/* Splits a comma-separated list, dropping empty items. */
static char **
split_list (const char *text, int *n)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  GPtrArray *out = g_ptr_array_new ();
  for (int i = 0; parts[i]; i++)
    if (*g_strstrip (parts[i]))
      g_ptr_array_add (out, g_strdup (parts[i]));
  *n = (int) out->len;
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Reads the names of the chain group into c, refusing unknown ones. */
static gboolean
take_names (Chaining *c, GError **error)
{
  const SomaifParams *p = c->groups[0];
  const char *obj = somaif_params_get_string (p, "objective");
  const char *planner = somaif_params_get_string (p, "planner");
  const char *rule = somaif_params_get_string (p, "classifier");
  const char *rep = opt_repertoire ? opt_repertoire : somaif_params_get_string (p, "repertoire");
  if (somaif_objective_from_name (obj) < 0)
    return usage_error (error, "chain.objective = '%s': it is efe or accuracy%s", obj, "");
  if (somaif_planner_from_name (planner) < 0)
    return usage_error (error, "chain.planner = '%s': it is greedy, beam or lookahead%s",
                        planner, "");
  if (somaif_classifier_rule_from_name (rule) < 0)
    return usage_error (error, "chain.classifier = '%s': it is mean or sum%s", rule, "");
  if (strcmp (rep, "learned") != 0 && strcmp (rep, "random") != 0)
    return usage_error (error, "repertoire '%s': it is learned or random%s", rep, "");
  c->plan.objective = somaif_objective_from_name (obj);
  c->plan.planner = somaif_planner_from_name (planner);
  c->rule = somaif_classifier_rule_from_name (rule);
  c->random = strcmp (rep, "random") == 0;
  return TRUE;
}

static gboolean
read_options (Chaining *c, const char *cfgpath, GError **error)
{
  c->groups[0] = somaif_params_new (chain_params);
  c->groups[1] = somaif_params_new (letters_params);
  c->groups[2] = somaif_params_new (images_params);
  if (!somaif_config_read_plain (cfgpath, (const char *const *) opt_sets, 3, group_names,
                                 c->groups, error)
      || !take_names (c, error))
    return FALSE;
  const SomaifParams *p = c->groups[0], *l = c->groups[1];
  c->targets = split_list (somaif_params_get_string (p, "targets"), &c->n_targets);
  c->plan.length = (int) somaif_params_get_int (p, "primitives");
  c->plan.beam = (int) somaif_params_get_int (p, "beam");
  c->seed = opt_seed >= 0 ? (guint64) opt_seed : (guint64) somaif_params_get_int (p, "seed");
  int n_fonts;
  c->topt = (SomaifTargetOptions) {
    somaif_params_get_string (l, "hershey_dir"),
    split_list (somaif_params_get_string (l, "fonts"), &n_fonts),
    somaif_params_get_float (l, "size"), somaif_params_get_float (l, "x"),
    somaif_params_get_float (l, "y"), (int) somaif_params_get_int (l, "samples"),
    somaif_params_get_float (l, "scale_jitter"), somaif_params_get_float (l, "rotation_jitter"),
    somaif_params_get_float (l, "shear_jitter"), somaif_params_get_float (l, "shift_jitter"),
    c->seed, somaif_params_get_float (c->groups[2], "threshold") };
  if (c->n_targets < 1)
    return usage_error (error, "chain.targets is empty: name letters, .png or .csv files%s%s",
                        "", "");
  if (n_fonts < 1)
    return usage_error (error, "letters.fonts is empty%s%s", "", "");
  for (int t = 0; t < c->n_targets; t++)
    if (somaif_target_kind (c->targets[t], error) < 0)
      return FALSE;
  if (c->plan.objective == SOMAIF_OBJECTIVE_EFE && c->n_targets < 2)
    return usage_error (error, "one target ('%s') with the expected free energy: its risk "
                        "and ambiguity need at least 2 classes; chain a single target with "
                        "chain.objective = \"accuracy\" (the cross-entropy against it)%s",
                        c->targets[0], "");
  return TRUE;
}

/* Opens the run and builds the classes from the targets. */
static gboolean
prepare (Chaining *c, const char *run_dir, GError **error)
{
  if (!(c->run = somaif_chain_run_open (run_dir, error)))
    return FALSE;
  const SomaifChainRun *r = c->run;
  int w = r->renderer->width (r->renderer_self), h = r->renderer->height (r->renderer_self);
  SomaifTargetOptions topt = c->topt;
  topt.seed = c->seed * 2 + 1;
  float *filters = somaif_targets_filters (c->targets, c->n_targets, &topt, r->renderer,
                                           r->renderer_self, w, h, error);
  if (!filters)
    return FALSE;
  c->classes = somaif_classes_new (c->n_targets, w * h, filters, c->rule,
                                   somaif_params_get_float (c->groups[0], "temperature"));
  g_free (filters);
  int T = c->n_targets;
  c->preference = g_new (double, (gsize) T * T);
  for (int t = 0; t < T; t++)
    somaif_preference (T, t, somaif_params_get_float (c->groups[0], "preference"),
                       c->preference + (gsize) t * T);
  return TRUE;
}

/* Each step's stroke drawn alone, for chains.png. */
static gboolean
draw_strokes (const SomaifRepertoire *rep, const SomaifChain *chain, float *out,
              GError **error)
{
  gsize n = (gsize) rep->width * rep->height;
  for (int k = 0; k < chain->length; k++)
    {
      const double *first = chain->points + (gsize) k * (rep->segment_points - 1)
                                            * rep->point_size;
      if (rep->renderer->draw (rep->renderer_self, rep->segment_points, first, out + k * n) != 0)
        {
          g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_PLUGIN,
                       "renderer plugin '%s' failed to draw a stroke",
                       rep->renderer->head.name);
          return FALSE;
        }
    }
  return TRUE;
}

/* The primitives' motor commands, once for the whole repertoire. */
static float *
repertoire_motor (const SomaifChainRun *r, const float *states, GError **error)
{
  int steps = (int) r->cfg->steps;
  float *motor = g_new (float, (gsize) r->units * steps * r->motor_size);
  if (r->gen->run (r->gen_self, r->units, states, steps, motor) != 0)
    {
      g_set_error (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_PLUGIN,
                   "generator plugin '%s' failed: %s", r->gen->head.name,
                   r->gen->head.error_message ? r->gen->head.error_message (r->gen_self) : "");
      g_free (motor);
      return NULL;
    }
  return motor;
}

static gboolean
chain_all (Chaining *c, const char *outdir, GError **error)
{
  const SomaifChainRun *r = c->run;
  float *states = somaif_chain_run_states (r, c->random, c->seed * 2);
  float *motor = repertoire_motor (r, states, error);
  g_free (states);
  if (!motor)
    return FALSE;
  SomaifRepertoire rep = {
    r->plant, r->plant_self, r->renderer, r->renderer_self, r->units, (int) r->cfg->steps,
    r->motor_size, motor, r->plant->pose_size (r->plant_self),
    r->plant->point_size (r->plant_self),
    r->plant->n_points (r->plant_self, (int) r->cfg->steps),
    r->renderer->width (r->renderer_self), r->renderer->height (r->renderer_self) };
  int T = c->n_targets, M = c->plan.length;
  gsize n = (gsize) rep.width * rep.height;
  SomaifChainResult res = { T, T, M, rep.pose_size, rep.point_size, rep.segment_points,
                            rep.width, rep.height, c->targets, c->classes, c->preference,
                            g_new0 (SomaifChain *, T), g_new (float, (gsize) T * M * n) };
  gboolean ok = TRUE;
  for (int t = 0; ok && t < T; t++)
    {
      SomaifPlan plan = c->plan;
      plan.target = t;
      plan.preference = c->preference + (gsize) t * T;
      ok = (res.chains[t] = somaif_chain_plan (&rep, c->classes, &plan, error)) != NULL
           && draw_strokes (&rep, res.chains[t], res.drawings + (gsize) t * M * n, error);
    }
  ok = ok && somaif_chain_write (outdir, &res, error);
  if (ok && !opt_quiet)
    for (int t = 0; t < T; t++)
      {
        const SomaifChain *ch = res.chains[t];
        const double *q = ch->q + (gsize) (M - 1) * T;
        printf ("  %-12s q(target) %.3f  KL %.3f  cross-entropy %.1f\n", c->targets[t], q[t],
                T >= 2 ? somaif_kl (q, c->preference + (gsize) t * T, T) : NAN,
                ch->scores[M - 1].cross_entropy);
      }
  for (int t = 0; t < T; t++)
    somaif_chain_free (res.chains[t]);
  g_free (res.chains);
  g_free (res.drawings);
  g_free (motor);
  return ok;
}

static char *
default_output (const char *run_dir)
{
  GDateTime *now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_date_time_unref (now);
  g_autofree char *canon = g_canonicalize_filename (run_dir, NULL);
  g_autofree char *base = g_path_get_basename (canon);
  g_autofree char *leaf = g_strdup_printf ("%s-%s", base, stamp);
  return g_build_filename ("chains", leaf, NULL);
}

static gboolean
dir_has_files (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (!d)
    return FALSE;
  gboolean any = g_dir_read_name (d) != NULL;
  g_dir_close (d);
  return any;
}

static int
fail (int status, GError *error)
{
  fprintf (stderr, "somaif-chain: %s\n", error->message);
  g_error_free (error);
  return status;
}

static int
status_of (const GError *error)
{
  /* Bad input is 2; what fails while chaining (a plugin, a write) is 1. */
  return g_error_matches (error, SOMAIF_CHAIN_ERROR, SOMAIF_CHAIN_ERROR_PLUGIN)
         || g_error_matches (error, SOMAIF_RUNDIR_ERROR, SOMAIF_RUNDIR_ERROR_WRITE)
         || error->domain == G_FILE_ERROR ? EXIT_FAILED : EXIT_USAGE;
}

static gboolean
parse_args (int *argc, char ***argv, GError **error)
{
  GOptionContext *ctx = g_option_context_new ("RUN [CONFIG]");
  g_option_context_set_summary (ctx,
    "Chains the primitives of a finished somaif-run run (RUN, its folder) into\n"
    "letters or other targets, each primitive chosen to minimise an objective.\n"
    "CONFIG is a libconfig file of the groups chain, letters and images (see\n"
    "somaif-chain(1)); without it every key takes its default.");
  g_option_context_set_description (ctx,
    "Exit status:\n"
    "  0  done\n"
    "  1  failed while chaining (a plugin's failure, an unwritable file)\n"
    "  2  bad usage, config, run folder or target, or an overwrite refused\n"
    "\n"
    "Environment:\n"
    "  SOMAIF_PLUGIN_PATH  colon-separated folders searched for plugins before\n"
    "                      the installed plugin folder\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  gboolean ok = g_option_context_parse (ctx, argc, argv, error);
  g_option_context_free (ctx);
  return ok;
}

static int
run_main (const char *run_dir, const char *cfgpath)
{
  GError *error = NULL;
  Chaining c;
  memset (&c, 0, sizeof c);
  int status = EXIT_DONE;
  if (!read_options (&c, cfgpath, &error) || !prepare (&c, run_dir, &error))
    status = fail (status_of (error), error);
  else if (opt_check)
    {
      if (!opt_quiet)
        printf ("%s: valid; %d targets, %d primitives of %s\n",
                cfgpath ? cfgpath : "(defaults)", c.n_targets, c.run->units, run_dir);
    }
  else
    {
      g_autofree char *outdir = opt_output ? g_strdup (opt_output) : default_output (run_dir);
      if (dir_has_files (outdir) && !opt_force)
        {
          fprintf (stderr, "somaif-chain: %s already holds files; choose another --output or "
                   "add --force to write over them\n", outdir);
          status = EXIT_USAGE;
        }
      else if (!somaif_rundir_mkdir (outdir, &error))
        status = fail (EXIT_FAILED, error);
      else if (!chain_all (&c, outdir, &error))
        status = fail (status_of (error), error);
      else if (!opt_quiet)
        printf ("somaif-chain: outputs in %s/ (chain.csv chain-summary.csv chains.png "
                "classes.png *.npy)\n", outdir);
    }
  chaining_clear (&c);
  return status;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  if (!parse_args (&argc, &argv, &error))
    {
      fprintf (stderr, "somaif-chain: %s (see somaif-chain --help)\n", error->message);
      g_error_free (error);
      return EXIT_USAGE;
    }
  if (opt_version)
    {
      printf ("somaif-chain %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, SOMAIF_ABI_MAJOR,
              SOMAIF_ABI_MINOR);
      return EXIT_DONE;
    }
  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "somaif-chain: %s (see somaif-chain --help)\n",
               argc < 2 ? "which run? give the folder of a finished run"
                        : "give one RUN folder and at most one CONFIG");
      return EXIT_USAGE;
    }
  int status = run_main (argv[1], argc == 3 ? argv[2] : NULL);
  g_strfreev (opt_sets);
  g_free (opt_output);
  g_free (opt_repertoire);
  return status;
}
