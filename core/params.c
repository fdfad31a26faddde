/* params.c: the validated parameter values a plugin reads in create(). */
#include "config.h"

#include <string.h>

#include "params-private.h"

int
somaif_params_count_specs (const SomaifParamSpec *specs)
{
  int n = 0;
  while (specs && specs[n].name)
    n++;
  return n;
}

SomaifParams *
somaif_params_new (const SomaifParamSpec *specs)
{
  SomaifParams *p = g_new0 (SomaifParams, 1);
  p->n = somaif_params_count_specs (specs);
  p->values = g_new0 (SomaifParamValue, p->n ? p->n : 1);
  for (int i = 0; i < p->n; i++)
    p->values[i].spec = &specs[i];
  return p;
}

void
somaif_params_free (SomaifParams *p)
{
  if (!p)
    return;
  for (int i = 0; i < p->n; i++)
    {
      g_free (p->values[i].s);
      g_free (p->values[i].floats);
    }
  g_free (p->values);
  g_free (p);
}

SomaifParamValue *
somaif_params_lookup (const SomaifParams *p, const char *name)
{
  for (int i = 0; p && name && i < p->n; i++)
    if (strcmp (p->values[i].spec->name, name) == 0)
      return &p->values[i];
  return NULL;
}

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
