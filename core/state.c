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

/* Room for n values of size bytes at the end of out: where they go.  The
 * array grows once, not once a value (a map's state is 200,000 values). */
static guint8 *
grow (GByteArray *out, gsize n, gsize size)
{
  guint at = out->len;
  if (n > (G_MAXUINT - at) / size)
    g_error ("a plugin's state of more than %u bytes", G_MAXUINT);
  g_byte_array_set_size (out, at + (guint) (n * size));
  return out->data + at;
}

void
somaif_state_put_f32s (GByteArray *out, const float *v, gsize n)
{
  if (n == 0)
    return;
  guint8 *p = grow (out, n, 4);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  memcpy (p, v, n * 4);
#else
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &v[i], 4);
      bits = GUINT32_TO_LE (bits);
      memcpy (p + 4 * i, &bits, 4);
    }
#endif
}

void
somaif_state_put_f64s (GByteArray *out, const double *v, gsize n)
{
  if (n == 0)
    return;
  guint8 *p = grow (out, n, 8);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  memcpy (p, v, n * 8);
#else
  for (gsize i = 0; i < n; i++)
    {
      guint64 bits;
      memcpy (&bits, &v[i], 8);
      bits = GUINT64_TO_LE (bits);
      memcpy (p + 8 * i, &bits, 8);
    }
#endif
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
