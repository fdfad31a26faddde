/* fmt.h: numbers as printf's %.10g writes them, without printf. */
#ifndef SOMAIF_FMT_H
#define SOMAIF_FMT_H

#include <glib.h>

/* Room for any %.10g of a double, with its NUL. */
#define SOMAIF_FMT_G10_SIZE 24

/* Writes v as printf ("%.10g", v) does in the C locale (the same bytes),
 * NUL-terminated, and returns its length.  *read_back (when not NULL) gets
 * the double that text reads back as (strtod's). */
int somaif_fmt_g10 (char *buf, double v, double *read_back);

/* Room for any %.17g of a double, with its NUL. */
#define SOMAIF_FMT_G17_SIZE 32

/* Writes v as printf ("%.17g", v) does in the C locale (the same bytes),
 * NUL-terminated, and returns its length. */
int somaif_fmt_g17 (char *buf, double v);

/* The decimal digits of v (a whole number), returned length, no NUL. */
int somaif_fmt_int (char *buf, gint64 v);

#endif
