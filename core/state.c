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

/* Appends n values of size bytes each from v, little-endian: the array grows
 * once and takes them in one copy, not a call a value (a map's state is
 * 200,000 values); a big-endian host then turns each value's bytes round. */
static void
put_array (GByteArray *out, const void *v, gsize n, gsize size)
{
  if (n == 0)
    return;
  guint at = out->len;
  if (n > (G_MAXUINT - at) / size)
    g_error ("a plugin's state of more than %u bytes", G_MAXUINT);
  g_byte_array_set_size (out, at + (guint) (n * size));
  guint8 *p = out->data + at;
  memcpy (p, v, n * size);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (guint8 *e = p; e < p + n * size; e += size)
    for (gsize a = 0, b = size - 1; a < b; a++, b--)
      {
        guint8 t = e[a];
        e[a] = e[b];
        e[b] = t;
      }
#endif
}

void
somaif_state_put_f32s (GByteArray *out, const float *v, gsize n)
{
  put_array (out, v, n, 4);
}

void
somaif_state_put_f64s (GByteArray *out, const double *v, gsize n)
{
  put_array (out, v, n, 8);
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
