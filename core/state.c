/* state.c: the little-endian fields plugins save their state with. */
#include "config.h"

#include <string.h>

#include "somaif/plugin.h"

void
somaif_state_put_u32 (GByteArray *out, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &le, 4);
}

void
somaif_state_put_u64 (GByteArray *out, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &le, 8);
}

void
somaif_state_put_f64 (GByteArray *out, double v)
{
  guint64 bits;
  memcpy (&bits, &v, 8);
  somaif_state_put_u64 (out, bits);
}

void
somaif_state_put_f32s (GByteArray *out, const float *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &v[i], 4);
      somaif_state_put_u32 (out, bits);
    }
}

void
somaif_state_put_f64s (GByteArray *out, const double *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    somaif_state_put_f64 (out, v[i]);
}

guint32
somaif_state_get_u32 (const guint8 **p)
{
  guint32 v;
  memcpy (&v, *p, 4);
  *p += 4;
  return GUINT32_FROM_LE (v);
}

guint64
somaif_state_get_u64 (const guint8 **p)
{
  guint64 v;
  memcpy (&v, *p, 8);
  *p += 8;
  return GUINT64_FROM_LE (v);
}

double
somaif_state_get_f64 (const guint8 **p)
{
  guint64 bits = somaif_state_get_u64 (p);
  double v;
  memcpy (&v, &bits, 8);
  return v;
}

void
somaif_state_get_f32s (const guint8 **p, float *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits = somaif_state_get_u32 (p);
      memcpy (&v[i], &bits, 4);
    }
}

void
somaif_state_get_f64s (const guint8 **p, double *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    v[i] = somaif_state_get_f64 (p);
}
