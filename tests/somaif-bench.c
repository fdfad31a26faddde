/* somaif-bench: times the seed experiment with all its outputs against this
 * machine's floor, and how the cost scales with the reservoir, the map and
 * the image (make bench); with --pairs N, only all threads against one over
 * N pairs of runs (make bench-threads).  A benchmark, not a test: it asserts
 * nothing of its times, and prints numbers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "core/host.h"
#include "core/experiment.h"
#include "core/machine.h"
#include "plugins/esn/esn-core.h"
#include "bench-peak.h"
#include "test-tree.h"

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

/* RUNS pairs of runs, on all threads then on one, each into its folder
 * afresh: the fastest of each (a shared machine's neighbours only slow a
 * run down).  The runs of the two take turns, so that a slower hour slows
 * both alike; *ratio_means: the speed-up of the means. */
#define RUNS 3

/* The all-core peak below which the cores count as shared: this part of
 * their number times the one-core peak. */
#define CORES_SCALE 0.9

/* The FMA peaks, measured several times during the bench: other work on
 * the machine lowers a measured peak (never raises it), and a lower peak
 * flatters the ratio, so the highest of each is the machine's; the lowest
 * shows how much the machine moved. */
typedef struct
{
  SomaifSimd simd;
  int threads, times;
  double hi1, lo1, hin, lon;
} Peaks;

static void
peaks_measure (Peaks *p)
{
  double p1 = somaif_bench_fma_peak (p->simd, 1);
  double pn = somaif_bench_fma_peak (p->simd, p->threads);
  p->hi1 = p->times ? MAX (p->hi1, p1) : p1;
  p->lo1 = p->times ? MIN (p->lo1, p1) : p1;
  p->hin = p->times ? MAX (p->hin, pn) : pn;
  p->lon = p->times ? MIN (p->lon, pn) : pn;
  p->times++;
}

/* Whether even the highest all-core peak fell under CORES_SCALE times the
 * cores' number times the one-core peak: other work held a core through
 * every measurement (cores of their own measured 1.8x-2.0x one here). */
static gboolean
peaks_shared (const Peaks *p)
{
  return p->threads > 1 && p->hin < CORES_SCALE * p->threads * p->hi1;
}

static gboolean
best_of_pairs (const char *cfgpath, int threads, const char *out_n, const char *out_1,
               SomaifSummary *best_n, SomaifSummary *best_1, double *ratio_means, int *units,
               int *steps, int *units_out, Peaks *peaks)
{
  double sum_n = 0.0, sum_1 = 0.0;
  for (int i = 0; i < RUNS; i++)
    {
      SomaifSummary sn, s1;
      test_remove_tree (out_n);
      if (!run_once (cfgpath, NULL, threads, out_n, &sn, units, steps, units_out))
        return FALSE;
      test_remove_tree (out_1);
      if (!run_once (cfgpath, NULL, 1, out_1, &s1, units, steps, units_out))
        return FALSE;
      printf ("    pair %d of %d: %d threads %.2f s, 1 thread %.2f s\n", i + 1, RUNS, threads,
              sn.wall_seconds, s1.wall_seconds);
      peaks_measure (peaks);
      if (i == 0 || sn.wall_seconds < best_n->wall_seconds)
        *best_n = sn;
      if (i == 0 || s1.wall_seconds < best_1->wall_seconds)
        *best_1 = s1;
      sum_n += sn.wall_seconds;
      sum_1 += s1.wall_seconds;
    }
  *ratio_means = sum_1 / sum_n;
  return TRUE;
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

/* The ratio to the floor in two parts: the reservoir's thread-seconds
 * spread evenly over the threads, and the rest of the wall (every other
 * stage, the loop, the waiting).  The floor is the reservoir at the FMA
 * peak, so 1 + the rest's part is what the run would take with a kernel
 * at the peak and everything else as it is. */
static void
print_ratio_parts (const SomaifSummary *s, int threads, double floor_s)
{
  double reservoir = s->stage_seconds[SOMAIF_STAGE_GENERATOR] / threads;
  double rest = s->wall_seconds - reservoir;
  printf ("  of the %.2fx: the reservoir %.2fx (%.2f thread-seconds over %d threads), the rest "
          "%.2fx (every other stage, the loop, the waiting); with the reservoir at the FMA "
          "peak and the rest as it is, the run would take %.2fx\n", s->wall_seconds / floor_s,
          reservoir / floor_s, s->stage_seconds[SOMAIF_STAGE_GENERATOR], threads,
          rest / floor_s, 1.0 + rest / floor_s);
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

/* --pairs: the speed-up of threads over one thread alone, from n pairs of
 * runs taking turns, the order alternating (the first pair's runs on
 * threads first, the second's on one first, ...), so that the machine's
 * drift (other tenants, its clock) weighs on both sides alike.  Prints each
 * pair, the speed-up of the means with a bootstrap's 95% interval (the
 * pairs resampled, seed 1), the single pairs' range and median, the
 * machine's own speed-up (its FMA peak on the threads against one thread,
 * measured before the pairs and after each, the highest of each: what
 * compute-bound code could gain at most), and a table row; FALSE if a run
 * failed.  *same: whether every run wrote the bytes of the first. */
#define BOOTSTRAP_RESAMPLES 10000

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static const char *const compared_files[] = { "metrics.csv", "final.csv", "schedules.csv",
                                              "model/prototypes.npy",
                                              "model/initial_states.npy" };

/* Whether the runs in folders a and b wrote the same compared_files. */
static gboolean
same_outputs (const char *a, const char *b)
{
  for (guint i = 0; i < G_N_ELEMENTS (compared_files); i++)
    {
      g_autofree char *fa = g_build_filename (a, compared_files[i], NULL);
      g_autofree char *fb = g_build_filename (b, compared_files[i], NULL);
      if (!same_file (fa, fb))
        return FALSE;
    }
  return TRUE;
}

static gboolean
speedup_pairs (const char *cfgpath, int threads, int n, const char *tmp, const char *cpu,
               gboolean *same)
{
  g_autofree double *tn = g_new (double, n), *t1 = g_new (double, n);
  g_autofree char *first = g_build_filename (tmp, "first", NULL);
  g_autofree char *out = g_build_filename (tmp, "run", NULL);
  int units, steps, outputs;
  *same = TRUE;
  Peaks peaks = { somaif_simd (), threads, 0, 0.0, 0.0, 0.0, 0.0 };
  peaks_measure (&peaks);
  printf ("somaif-bench: %s with all its outputs, %d pairs of runs on %d threads and on 1, "
          "taking turns\n", cfgpath, n, threads);
  for (int i = 0; i < n; i++)
    {
      for (int k = 0; k < 2; k++)
        {
          gboolean alone = (k == 0) == (i % 2 == 1); /* odd pairs: 1 thread first */
          SomaifSummary s;
          const char *dir = i == 0 && k == 0 ? first : out;
          test_remove_tree (dir);
          if (!run_once (cfgpath, NULL, alone ? 1 : threads, dir, &s, &units, &steps, &outputs))
            return FALSE;
          *(alone ? &t1[i] : &tn[i]) = s.wall_seconds;
          if (dir == out)
            *same = *same && same_outputs (first, out);
        }
      printf ("  pair %d of %d (%s first): %d threads %.2f s, 1 thread %.2f s: %.2fx\n",
              i + 1, n, i % 2 ? "1 thread" : "threads", threads, tn[i], t1[i], t1[i] / tn[i]);
      peaks_measure (&peaks); /* after each pair */
    }
  /* the pairs' own ratios, sorted: their range, and their median, which a
     pair that another tenant slowed moves least */
  double sum_n = 0.0, sum_1 = 0.0;
  g_autofree double *single = g_new (double, n);
  for (int i = 0; i < n; i++)
    {
      sum_n += tn[i];
      sum_1 += t1[i];
      single[i] = t1[i] / tn[i];
    }
  double ratio = sum_1 / sum_n;
  qsort (single, n, sizeof *single, compare_doubles);
  double lo = single[0], hi = single[n - 1];
  double median = n % 2 ? single[n / 2] : 0.5 * (single[n / 2 - 1] + single[n / 2]);
  /* The pairs resampled with replacement: the spread of the ratio of the
     means, were the machine to give pairs like these again. */
  g_autofree double *boot = g_new (double, BOOTSTRAP_RESAMPLES);
  SomaifRng rng;
  somaif_rng_init (&rng, 1);
  for (int b = 0; b < BOOTSTRAP_RESAMPLES; b++)
    {
      double bn = 0.0, b1 = 0.0;
      for (int i = 0; i < n; i++)
        {
          guint32 j = somaif_rng_below (&rng, (guint32) n);
          bn += tn[j];
          b1 += t1[j];
        }
      boot[b] = b1 / bn;
    }
  qsort (boot, BOOTSTRAP_RESAMPLES, sizeof *boot, compare_doubles);
  double blo = boot[BOOTSTRAP_RESAMPLES / 40], bhi = boot[BOOTSTRAP_RESAMPLES * 39 / 40 - 1];
  printf ("\n  the means: %d threads %.2f s, 1 thread %.2f s: %d threads are %.2fx faster (a "
          "bootstrap's 95%% interval %.2fx-%.2fx; single pairs %.2fx to %.2fx, their median "
          "%.2fx)\n", threads, sum_n / n, sum_1 / n, threads, ratio, blo, bhi, lo, hi, median);
  double own = peaks.hin / peaks.hi1;
  printf ("  the machine's own: fp32 FMA peak (%s) %.1f-%.1f GFLOP/s on 1 thread, %.1f-%.1f on "
          "%d, measured %d times (before the pairs and after each); at the highest of each, "
          "%d threads are %.2fx one, and the runs' speed-up of the means %.0f%% of that\n",
          somaif_simd_name (peaks.simd), peaks.lo1, peaks.hi1, peaks.lon, peaks.hin, threads,
          peaks.times, threads, own, 100.0 * ratio / own);
  if (peaks_shared (&peaks))
    printf ("  warning: %d threads' peak was under %.1f times their number times one's at "
            "every measurement: the cores look shared with other work\n", threads,
            CORES_SCALE);
  printf ("  outputs of every run byte-identical: %s\n", *same ? "yes" : "NO");
  printf ("\n| CPU | pairs | wall, %d threads (mean) | wall, 1 thread (mean) | speed-up of the "
          "means | 95%% interval | single pairs | median pair | FMA peak, %d threads / 1 |\n",
          threads, threads);
  printf ("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  printf ("| %s | %d | %.2f s | %.2f s | %.2fx | %.2fx-%.2fx | %.2fx-%.2fx | %.2fx | %.2fx |\n",
          cpu, n, sum_n / n, sum_1 / n, ratio, blo, bhi, lo, hi, median, own);
  return TRUE;
}

/* The reservoir kernel alone on the seed's shape (a batch of 10 rows, 100
 * units, 2 outputs, 100 steps) with the clone simd, on one thread: GFLOP/s
 * as generator_gflop counts them. */
static double
kernel_gflops (SomaifSimd simd)
{
  enum { N = 100, NO = 2, B = 10, T = 100 };
  SomaifRng rng;
  somaif_rng_init (&rng, 1);
  float *w_r = g_new (float, N * N), b_r[N], w_o[NO * N], b_o[NO];
  somaif_esn_draw_weights (&rng, N, NO, 0.6, 1.5, w_r, b_r, w_o, b_o);
  SomaifEsnModel *m = somaif_esn_model_new (N, NO, 50.0, w_r, b_r, w_o, b_o, NULL);
  g_free (w_r);
  if (!m || !somaif_esn_model_set_simd (m, simd))
    {
      somaif_esn_model_free (m);
      return 0.0;
    }
  float *states = g_new (float, B * N), *out = g_new (float, B * T * NO);
  for (int i = 0; i < B * N; i++)
    states[i] = (float) somaif_rng_normal (&rng);
  double best = 0.0;
  for (int rep = 0; rep < 3; rep++)
    {
      int runs = 0;
      gint64 t0 = g_get_monotonic_time (), t1;
      do
        {
          somaif_esn_run (m, B, states, T, out);
          runs++;
          t1 = g_get_monotonic_time ();
        }
      while (t1 - t0 < 200000);
      double flop = (double) runs * B * T * (2.0 * N * N + 2.0 * N * NO + 4.0 * N);
      best = MAX (best, flop / ((double) (t1 - t0) / 1e6) / 1e9);
    }
  g_free (states);
  g_free (out);
  somaif_esn_model_free (m);
  return best;
}

/* The compiler of this build (of the plugins too, unless they came from
 * elsewhere): it sets how fast the same code runs. */
#if defined(__clang__)
#define BENCH_COMPILER __VERSION__ /* names clang */
#elif defined(__GNUC__)
#define BENCH_COMPILER "GCC " __VERSION__
#else
#define BENCH_COMPILER "a compiler of unknown name"
#endif

int
main (int argc, char **argv)
{
  int pairs = -1, threads = 0; /* pairs: -1 unless --pairs is given */
  somaif_machine_tune_memory (); /* as somaif-run does */
  GOptionEntry entries[] = {
    { "pairs", 0, 0, G_OPTION_ARG_INT, &pairs,
      "Only the speed-up of all threads over one: N pairs of runs taking turns, with a "
      "bootstrap's 95% interval (make bench-threads)", "N" },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads,
      "Threads of the runs (default: one a core), against 1", "N" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  GOptionContext *ctx = g_option_context_new ("[CONFIG]");
  g_option_context_set_summary (ctx,
    "Times CONFIG (configs/seed.cfg) with all its outputs against this machine's floor, the "
    "reservoir's arithmetic at its measured FMA peak (make bench).\n"
    "Exit status: 0 done; 1 a run failed, or runs wrote different bytes; 2 bad usage.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *error = NULL;
  gboolean parsed = g_option_context_parse (ctx, &argc, &argv, &error);
  g_option_context_free (ctx);
  if (!parsed || argc > 2 || pairs == 0 || pairs > 1000 || threads < 0 || threads > 1024)
    {
      if (error)
        fprintf (stderr, "somaif-bench: %s\n", error->message);
      else if (argc > 2)
        fprintf (stderr, "somaif-bench: one config at most, not %d\n", argc - 1);
      else
        fprintf (stderr, "somaif-bench: --pairs takes 1 to 1000, not %d, and --threads 1 to "
                 "1024 (0: one a core), not %d\n", pairs, threads);
      g_clear_error (&error);
      return 2;
    }
  const char *cfgpath = argc > 1 ? argv[1] : "configs/seed.cfg";
  /* A config that cannot run is said before minutes of measuring. */
  SomaifConfig *check = somaif_config_load (cfgpath, NULL, -1, &error);
  if (!check)
    {
      fprintf (stderr, "somaif-bench: %s\n", error->message);
      g_error_free (error);
      return 2;
    }
  somaif_config_free (check);
  setvbuf (stdout, NULL, _IOLBF, 0); /* lines as they come, into a pipe too */
  if (threads == 0)
    threads = somaif_machine_cores ();
  g_autofree char *tmp = g_dir_make_tmp ("somaif-bench-XXXXXX", NULL);
  if (!tmp)
    {
      fprintf (stderr, "somaif-bench: cannot make a temporary folder\n");
      return 1;
    }
  if (pairs > 0 && threads < 2)
    {
      fprintf (stderr, "somaif-bench: --pairs compares runs on more threads than 1 with runs "
               "on 1; give --threads 2 or more (this machine counts %d core%s)\n",
               somaif_machine_cores (), somaif_machine_cores () == 1 ? "" : "s");
      test_remove_tree (tmp);
      return 2;
    }
  if (pairs > 0)
    {
      g_autofree char *cpu = somaif_cpu_model ();
      gboolean same = FALSE;
      gboolean ran = speedup_pairs (cfgpath, threads, pairs, tmp, cpu, &same);
      test_remove_tree (tmp);
      return ran && same ? 0 : 1;
    }
  SomaifSummary s;
  int units, steps, outputs;

  /* This machine's arithmetic: its floor for the reservoir. */
  g_autofree char *cpu = somaif_cpu_model ();
  SomaifSimd widest = somaif_simd_best (), used = somaif_simd ();
  printf ("somaif-bench on %s, %d cores; widest vector unit %s, the kernels run %s; built by %s\n",
          cpu, threads, somaif_simd_name (widest), somaif_simd_name (used), BENCH_COMPILER);
  Peaks peaks = { widest, threads, 0, 0.0, 0.0, 0.0, 0.0 };
  peaks_measure (&peaks);
  /* Kernels forced to a narrower unit (SOMAIF_SIMD): that unit's peaks too,
     for the run as on a CPU that has no wider one. */
  Peaks narrow = { used, threads, 0, 0.0, 0.0, 0.0, 0.0 };
  if (used != widest)
    peaks_measure (&narrow);
  double peak1 = peaks.hi1, peakn = peaks.hin;
  printf ("  fp32 FMA peak (%s, measured): %.1f GFLOP/s on 1 core, %.1f on %d\n",
          somaif_simd_name (widest), peak1, peakn, threads);
  double kernel[SOMAIF_SIMD_AVX512 + 1] = { 0 };
  for (int l = SOMAIF_SIMD_BASELINE; l <= (int) widest; l++)
    {
      kernel[l] = kernel_gflops ((SomaifSimd) l);
      double own = l == (int) widest ? peak1 : somaif_bench_fma_peak ((SomaifSimd) l, 1);
      printf ("  reservoir kernel, %-8s clone: %6.1f GFLOP/s on 1 core = %4.1f%% of the "
              "%s peak (%.1f%% of its own unit's)\n", somaif_simd_name ((SomaifSimd) l),
              kernel[l], 100.0 * kernel[l] / peak1, somaif_simd_name (widest),
              100.0 * kernel[l] / own);
    }

  printf ("\nsomaif-bench: %s with all its outputs, on %d threads and on 1, taking turns\n",
          cfgpath, threads);
  g_autofree char *out_n = g_build_filename (tmp, "threads-n", NULL);
  g_autofree char *out_1 = g_build_filename (tmp, "threads-1", NULL);
  SomaifSummary s1;
  double ratio_means;
  if (!best_of_pairs (cfgpath, threads, out_n, out_1, &s, &s1, &ratio_means, &units, &steps,
                      &outputs, &peaks))
    return 1;
  /* The kernel, like the peaks (see Peaks), measured again after the runs;
     the higher is used. */
  double kernel_again = kernel_gflops (used);
  if (used != widest)
    peaks_measure (&narrow);
  printf ("\n  measured %d times (before the runs and after each pair): fp32 FMA peak %.1f-%.1f "
          "GFLOP/s on 1 core, %.1f-%.1f on %d; the %s kernel again %.1f GFLOP/s (the highest of "
          "each is used below)\n", peaks.times, peaks.lo1, peaks.hi1, peaks.lon, peaks.hin,
          threads, somaif_simd_name (used), kernel_again);
  peak1 = peaks.hi1;
  peakn = peaks.hin;
  kernel[used] = MAX (kernel[used], kernel_again);
  /* Cores of their own scale almost fully (2 measured 1.8x-2.0x one on a
     quiet day here); far less means that other work held a core through
     every measurement: the runs suffer too, but the floor is the machine's,
     not the moment's. */
  gboolean shared = peaks_shared (&peaks);
  if (shared)
    printf ("  warning: %d cores measured %.1f GFLOP/s, %.2fx one core's %.1f (less than "
            "%.1fx): other work shared the cores, or they share their FMA units; the ratio "
            "to the floor below may flatter the run, and is given against %d x %.1f GFLOP/s "
            "too\n", threads, peakn, peakn / peak1, peak1, CORES_SCALE * threads, threads,
            peak1);
  printf ("\n%d threads (the best of %d runs):\n", threads, RUNS);
  gint64 epochs = s.epochs;
  double gflop = generator_gflop (&s, units, steps, outputs);
  double floor_s = gflop / peakn;
  printf ("  the reservoir's arithmetic: %.0f GFLOP; its floor at %.1f GFLOP/s: %.2f s\n", gflop,
          peakn, floor_s);
  printf ("  wall %.2f s (training %.2f s) = %.2fx the floor, %.3f ms per epoch, %" G_GINT64_FORMAT
          " rollouts\n", s.wall_seconds, s.train_seconds, s.wall_seconds / floor_s,
          1000.0 * s.train_seconds / (double) epochs, s.rollouts);
  /* the ratio were the cores unshared (see shared) */
  double floor_unshared = gflop / (threads * peak1);
  if (shared)
    printf ("  against %d x %.1f GFLOP/s (the cores unshared): the floor %.2f s, the wall %.2fx "
            "it\n", threads, peak1, floor_unshared, s.wall_seconds / floor_unshared);
  if (used != widest)
    {
      double floor_narrow = gflop / narrow.hin;
      printf ("  the kernels forced to %s: against that unit's peak, %.1f GFLOP/s on 1 core and "
              "%.1f on %d (the highest of %d measurements), as if the CPU had no wider unit: "
              "the floor %.2f s, the wall %.2fx it\n", somaif_simd_name (used), narrow.hi1,
              narrow.hin, threads, narrow.times, floor_narrow, s.wall_seconds / floor_narrow);
    }
  printf ("  peak resident memory %.1f MiB\n", peak_rss_mib ());
  print_split (&s, units, steps, outputs);
  print_ratio_parts (&s, threads, floor_s);

  printf ("\n1 thread (the best of %d runs):\n", RUNS);
  printf ("  wall %.2f s (training %.2f s) = %.2fx the floor; %d threads are %.2fx faster "
          "(%.2fx on the means of the pairs)\n", s1.wall_seconds, s1.train_seconds,
          s1.wall_seconds / floor_s, threads, s1.wall_seconds / s.wall_seconds, ratio_means);
  print_split (&s1, units, steps, outputs);
  gboolean same = same_outputs (out_n, out_1);
  printf ("  outputs of 1 and %d threads byte-identical: %s\n", threads, same ? "yes" : "NO");

  printf ("\n| CPU | vector unit | FMA peak, 1 core / %d | floor | wall, %d threads | ratio | "
          "wall, 1 thread | speed-up | kernel, 1 core |\n", threads, threads);
  printf ("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  g_autofree char *unshared = shared ? g_strdup_printf (" (%.2fx against %d x the 1-core peak)",
                                                         s.wall_seconds / floor_unshared, threads)
                                      : g_strdup ("");
  printf ("| %s | %s | %.1f / %.1f GFLOP/s | %.2f s | %.2f s | %.2fx%s | %.2f s | %.2fx | "
          "%.1f GFLOP/s (%.0f%%) |\n", cpu, somaif_simd_name (used), peak1, peakn, floor_s,
          s.wall_seconds, s.wall_seconds / floor_s, unshared, s1.wall_seconds,
          s1.wall_seconds / s.wall_seconds, kernel[used], 100.0 * kernel[used] / peak1);

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
  test_remove_tree (tmp);
  return same ? 0 : 1;
}
