/* params-private.h: the host side of SomaifParams. */
#ifndef SOMAIF_PARAMS_PRIVATE_H
#define SOMAIF_PARAMS_PRIVATE_H

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
SomaifParamValue *somaif_params_lookup (const SomaifParams *params, const char *name);
int somaif_params_count_specs (const SomaifParamSpec *specs);

#endif
