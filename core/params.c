/* params.c: the getters a plugin reads its validated parameter values with (SDK). */
#include "config.h"

#include <string.h>

#include "params-private.h"

static const SomaifParamValue *
typed (const SomaifParams *p, const char *name, SomaifParamType type)
{
  const SomaifParamValue *v = somaif_params_lookup (p, name);
  if (!v || v->spec->type != type || !v->present)
    return NULL;
  return v;
}

gint64
somaif_params_get_int (const SomaifParams *p, const char *name)
{
  const SomaifParamValue *v = typed (p, name, SOMAIF_PARAM_INT);
  return v ? v->i : 0;
}

double
somaif_params_get_float (const SomaifParams *p, const char *name)
{
  const SomaifParamValue *v = typed (p, name, SOMAIF_PARAM_FLOAT);
  return v ? v->f : 0.0;
}

gboolean
somaif_params_get_bool (const SomaifParams *p, const char *name)
{
  const SomaifParamValue *v = typed (p, name, SOMAIF_PARAM_BOOL);
  return v ? v->b : FALSE;
}

const char *
somaif_params_get_string (const SomaifParams *p, const char *name)
{
  const SomaifParamValue *v = typed (p, name, SOMAIF_PARAM_STRING);
  return v ? v->s : NULL;
}

const double *
somaif_params_get_floats (const SomaifParams *p, const char *name, int *length)
{
  const SomaifParamValue *v = typed (p, name, SOMAIF_PARAM_FLOATS);
  if (length)
    *length = v ? v->n_floats : 0;
  return v ? v->floats : NULL;
}

gboolean
somaif_params_has (const SomaifParams *p, const char *name)
{
  const SomaifParamValue *v = somaif_params_lookup (p, name);
  return v && v->given;
}
