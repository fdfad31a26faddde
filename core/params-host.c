/* params-host.c: the host creates and frees the SomaifParams it validates. */
#include "config.h"

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
