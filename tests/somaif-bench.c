/* somaif-bench: times the seed experiment with all its outputs, and how the
 * cost scales with the reservoir, the map and the image.  A benchmark, not a
 * test: it asserts nothing and prints numbers (make bench). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "core/host.h"
#include "core/experiment.h"

static const char *const stage_names[SOMAIF_N_STAGES] = {
  "generator", "plant", "renderer", "accuracy", "perceiver", "optimiser",
  "rollouts (wall)", "output"
};

static double
peak_rss_mib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
#ifdef __APPLE__
  return (double) ru.ru_maxrss / (1024.0 * 1024.0);
#else
  return (double) ru.ru_maxrss / 1024.0; /* KiB on Linux and the BSDs */
#endif
}

static gboolean
run_once (const char *cfgpath, const char *const *sets, int threads, const char *outdir,
          SomaifSummary *s, int *units, int *steps, int *units_out)
{
  GError *error = NULL;
  SomaifConfig *cfg = somaif_config_load (cfgpath, sets, -1, &error);
  if (!cfg)
    {
      fprintf (stderr, "somaif-bench: %s\n", error->message);
      g_error_free (error);
      return FALSE;
    }
  *units = (int) somaif_params_get_int (cfg->parts[0].params, "units");
  *units_out = (int) somaif_params_get_int (cfg->parts[0].params, "outputs");
  *steps = (int) cfg->steps;
  SomaifExperiment *x = somaif_experiment_new (cfg, threads, &error);
  if (!x)
    {
      fprintf (stderr, "somaif-bench: %s\n", error->message);
      g_error_free (error);
      return FALSE;
    }
  g_mkdir_with_parents (outdir, 0777);
  gboolean ok = somaif_experiment_run (x, outdir, FALSE, s, &error);
  if (!ok)
    {
      fprintf (stderr, "somaif-bench: %s\n", error->message);
      g_error_free (error);
    }
  somaif_experiment_free (x);
  return ok;
}

/* Generator arithmetic per rollout: per step a units x units product, the
 * output layer, and the leak (2 flops a multiply-add). */
static double
generator_gflop (const SomaifSummary *s, int units, int steps, int outputs)
{
  double per_step = 2.0 * units * units + 2.0 * units * outputs + 4.0 * units;
  return (double) s->rollouts * steps * per_step / 1e9;
}

static void
print_split (const SomaifSummary *s, int units, int steps, int outputs)
{
  printf ("  split (thread-seconds for the parallel stages, wall for the rest):\n");
  for (int k = 0; k < SOMAIF_N_STAGES; k++)
    printf ("    %-16s %7.3f s  %5.1f%% of wall\n", stage_names[k], s->stage_seconds[k],
            100.0 * s->stage_seconds[k] / s->wall_seconds);
  double loop = s->train_seconds - s->stage_seconds[SOMAIF_STAGE_ROLLOUTS]
                - s->stage_seconds[SOMAIF_STAGE_PERCEIVER]
                - s->stage_seconds[SOMAIF_STAGE_OPTIMISER];
  printf ("    %-16s %7.3f s  (training wall minus rollouts, perceiver, optimiser)\n",
          "loop and rows", loop);
  printf ("  generator: %.1f GFLOP/s per thread (%.0f GFLOP in %.2f thread-seconds)\n",
          generator_gflop (s, units, steps, outputs) / s->stage_seconds[SOMAIF_STAGE_GENERATOR],
          generator_gflop (s, units, steps, outputs), s->stage_seconds[SOMAIF_STAGE_GENERATOR]);
}

static gboolean
same_file (const char *a, const char *b)
{
  g_autofree char *ta = NULL, *tb = NULL;
  gsize la = 0, lb = 0;
  if (!g_file_get_contents (a, &ta, &la, NULL) || !g_file_get_contents (b, &tb, &lb, NULL))
    return FALSE;
  return la == lb && memcmp (ta, tb, la) == 0;
}

static void
remove_tree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d)
    {
      const char *f;
      while ((f = g_dir_read_name (d)))
        {
          g_autofree char *p = g_build_filename (path, f, NULL);
          remove_tree (p);
        }
      g_dir_close (d);
    }
  g_remove (path);
}

int
main (int argc, char **argv)
{
  const char *cfgpath = argc > 1 ? argv[1] : "configs/seed.cfg";
  int threads = (int) g_get_num_processors ();
  g_autofree char *tmp = g_dir_make_tmp ("somaif-bench-XXXXXX", NULL);
  if (!tmp)
    {
      fprintf (stderr, "somaif-bench: cannot make a temporary folder\n");
      return 1;
    }
  SomaifSummary s;
  int units, steps, outputs;

  printf ("somaif-bench: %s with all its outputs, %d threads\n", cfgpath, threads);
  g_autofree char *out_n = g_build_filename (tmp, "threads-n", NULL);
  if (!run_once (cfgpath, NULL, threads, out_n, &s, &units, &steps, &outputs))
    return 1;
  gint64 epochs = s.epochs;
  printf ("  wall %.2f s (training %.2f s), %.3f ms per epoch, %" G_GINT64_FORMAT " rollouts\n",
          s.wall_seconds, s.train_seconds, 1000.0 * s.train_seconds / (double) epochs,
          s.rollouts);
  printf ("  peak resident memory %.1f MiB\n", peak_rss_mib ());
  print_split (&s, units, steps, outputs);

  printf ("\nsomaif-bench: the same with 1 thread\n");
  g_autofree char *out_1 = g_build_filename (tmp, "threads-1", NULL);
  SomaifSummary s1;
  if (!run_once (cfgpath, NULL, 1, out_1, &s1, &units, &steps, &outputs))
    return 1;
  printf ("  wall %.2f s (training %.2f s); %d threads are %.2fx faster\n", s1.wall_seconds,
          s1.train_seconds, threads, s1.wall_seconds / s.wall_seconds);
  print_split (&s1, units, steps, outputs);
  const char *files[] = { "metrics.csv", "final.csv", "schedules.csv", "model/prototypes.npy",
                          "model/initial_states.npy" };
  gboolean same = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = g_build_filename (out_n, files[i], NULL);
      g_autofree char *b = g_build_filename (out_1, files[i], NULL);
      same = same && same_file (a, b);
    }
  printf ("  outputs of 1 and %d threads byte-identical: %s\n", threads, same ? "yes" : "NO");

  struct { const char *label; const char *set; } scale[] = {
    { "seed sizes", NULL },
    { "reservoir 200", "generator.units=200" },
    { "reservoir 400", "generator.units=400" },
    { "map 200", "perceiver.units=200" },
    { "map 800", "perceiver.units=800" },
    { "image 128", "renderer.width=128" },
  };
  const char *epochs_set = "experiment.epochs=2000";
  printf ("\nscaling at 2000 epochs, %d threads (ms per epoch; relative to the seed's sizes)\n",
          threads);
  printf ("  %-16s %10s %8s %10s\n", "variant", "ms/epoch", "ratio", "GFLOP/s");
  double base = 0;
  for (guint i = 0; i < G_N_ELEMENTS (scale); i++)
    {
      const char *sets[4] = { epochs_set, scale[i].set, NULL, NULL };
      if (scale[i].set && g_str_has_prefix (scale[i].set, "renderer.width"))
        sets[2] = "renderer.height=128";
      g_autofree char *out = g_strdup_printf ("%s/scale-%u", tmp, i);
      SomaifSummary sc;
      if (!run_once (cfgpath, sets, threads, out, &sc, &units, &steps, &outputs))
        return 1;
      double ms = 1000.0 * sc.train_seconds / 2000.0;
      if (i == 0)
        base = ms;
      printf ("  %-16s %10.3f %8.2f %10.1f\n", scale[i].label, ms, ms / base,
              generator_gflop (&sc, units, steps, outputs)
              / sc.stage_seconds[SOMAIF_STAGE_GENERATOR]);
    }
  remove_tree (tmp);
  return same ? 0 : 1;
}
