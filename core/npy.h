/* npy.h: the bytes of a NumPy format 1.0 file, for the SDK's and the run
 * folder's writers alike (compiled into both libraries, exported by neither). */
#ifndef SOMAIF_NPY_H
#define SOMAIF_NPY_H

#include <glib.h>

/* Magic, version, header length, a dict padded to 64 bytes, then count
 * values of elem bytes each, little-endian, in C order. */
GByteArray *somaif_npy_encode (const void *data, gsize elem, const char *descr, int ndim,
                               const int *shape);

#endif
