/* machine.h: facts of the machine a run goes on, for run.json and the
 * benchmark. */
#ifndef SOMAIF_MACHINE_H
#define SOMAIF_MACHINE_H

#include <glib.h>

/* The CPU's model name ("unknown" where the system does not say). */
char *somaif_cpu_model (void);

/* FALSE with *error set when the environment variable SOMAIF_SIMD names a
 * vector unit that is not one, or one this CPU lacks (somaif_simd() would
 * quietly use another). */
gboolean somaif_simd_check_env (GError **error);

#endif
