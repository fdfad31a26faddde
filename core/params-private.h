/* params-private.h: the layout of SomaifParams, shared by the SDK (params.c)
 * and the host (params-host.c); not installed. */
#ifndef SOMAIF_PARAMS_PRIVATE_H
#define SOMAIF_PARAMS_PRIVATE_H

#include <string.h>

#include "somaif/plugin.h"

typedef struct
{
  const SomaifParamSpec *spec;
  gboolean given;   /* written in the config (or --set) */
  gboolean present; /* has a value: given or defaulted */
  gint64 i;
  double f;
  gboolean b;
  char *s;
  double *floats;
  int n_floats;
} SomaifParamValue;

struct SomaifParams
{
  int n;
  SomaifParamValue *values;
};

SomaifParams *somaif_params_new (const SomaifParamSpec *specs);
void somaif_params_free (SomaifParams *params);
int somaif_params_count_specs (const SomaifParamSpec *specs);

/* Inline: both the SDK's getters and the host's validation look values up. */
static inline SomaifParamValue *
somaif_params_lookup (const SomaifParams *p, const char *name)
{
  for (int i = 0; p && name && i < p->n; i++)
    if (strcmp (p->values[i].spec->name, name) == 0)
      return &p->values[i];
  return NULL;
}

/* The host's validation, the one every config group goes through (conf.c).
 * Why v's value breaks its declaration (not finite, outside the range, a
 * list of the wrong length), as words to follow its key; NULL when it keeps
 * it.  Free with g_free(). */
char *somaif_param_value_problem (const SomaifParamValue *v);
/* Checks every value of params against its declaration, and that each one
 * not OPTIONAL is present; FALSE with error (SOMAIF_PLUGIN_ERROR_PARAMS)
 * naming group.key otherwise.  A plugin's create() gets only params that pass. */
gboolean somaif_params_validate (const SomaifParams *params, const char *group,
                                 GError **error);

#endif
