/* npy.c: the bytes of a NumPy format 1.0 file (npy.h). */
#include "npy.h"

GByteArray *
somaif_npy_encode (const void *data, gsize elem, const char *descr, int ndim,
                   const int *shape)
{
  GString *hdr = g_string_new (NULL);
  gsize count = 1;
  g_string_append_printf (hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int i = 0; i < ndim; i++)
    {
      g_string_append_printf (hdr, "%d,%s", shape[i], (i + 1 < ndim) ? " " : "");
      count *= (gsize) shape[i];
    }
  if (ndim > 1)
    g_string_truncate (hdr, hdr->len - 1); /* (a, b) not (a, b,) */
  g_string_append (hdr, "), }");
  gsize total = 10 + hdr->len + 1;
  gsize pad = (64 - total % 64) % 64;
  for (gsize i = 0; i < pad; i++)
    g_string_append_c (hdr, ' ');
  g_string_append_c (hdr, '\n');

  GByteArray *buf = g_byte_array_sized_new ((guint) (10 + hdr->len + count * elem));
  guint8 head[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
  head[8] = (guint8) (hdr->len & 0xff);
  head[9] = (guint8) (hdr->len >> 8);
  g_byte_array_append (buf, head, 10);
  g_byte_array_append (buf, (const guint8 *) hdr->str, (guint) hdr->len);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  g_byte_array_append (buf, data, (guint) (count * elem));
#else
  for (gsize i = 0; i < count; i++)
    for (gsize b = 0; b < elem; b++)
      g_byte_array_append (buf, (const guint8 *) data + i * elem + (elem - 1 - b), 1);
#endif
  g_string_free (hdr, TRUE);
  return buf;
}
