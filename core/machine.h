/* machine.h: facts of the machine a run goes on, for run.json, the
 * number of threads and the benchmark. */
#ifndef SOMAIF_MACHINE_H
#define SOMAIF_MACHINE_H

#include <glib.h>

/* The CPU's model name ("unknown" where the system does not say). */
char *somaif_cpu_model (void);

/* The cores this process may use: the CPUs it may run on (GLib's count,
 * which follows the process's CPU affinity), or fewer where a Linux control
 * group caps its CPU time (a quota of q microseconds every p: q / p cores,
 * rounded up), as in a container started with --cpus.  At least 1.
 * Counted at the first call; later calls return that count. */
int somaif_machine_cores (void);

/* The cap of the control groups named in self (the text of
 * /proc/self/cgroup), read from the cgroup2 tree mounted at root_v2 and from
 * the first of roots_v1 (NULL-terminated: where cgroup v1's cpu controller
 * may be mounted) that holds one: the least quota over period of the group
 * and each of its parents, in cores rounded up; 0 where none is set. */
int somaif_machine_cgroup_cap (const char *self, const char *root_v2,
                               const char *const *roots_v1);

/* For a program that runs experiments, at its start: every thread allocates
 * from one glibc arena.  By default each thread that allocates while
 * another does gets an arena of its own, which keeps the megabytes it frees
 * (a snapshot's picture, a checkpoint's bytes, the prototypes' copies, made
 * on threads of their own): a seed run on 2 threads peaked at 63 MiB
 * resident that way, 46 MiB with one arena.  The epochs allocate nothing
 * (a seed run calls malloc() about 16,000 times, nearly all at its start),
 * so the threads do not wait on the arena's lock.  Does nothing where the
 * C library has no mallopt(). */
void somaif_machine_tune_memory (void);

/* FALSE with *error set when the environment variable SOMAIF_SIMD names a
 * vector unit that is not one, or one this CPU lacks (somaif_simd() would
 * quietly use another). */
gboolean somaif_simd_check_env (GError **error);

#endif
