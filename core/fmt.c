/* fmt.c: %.10g and %.17g by hand, for the rows written every rollout and
 * every epoch.
 *
 * The P significant digits are the nearest integer to |v| 10^(P-1-e), with e
 * the decimal exponent of |v|, computed in long double with the power of ten
 * exact; where the rounding could decide a tie (the product or quotient
 * landed on one half), or where the arithmetic is not exact enough (a long
 * double that is not x87's extended or IEEE quad, an exponent far from 0),
 * printf itself is asked.  The text of %.10g read back is then M x 10^(e-9) with
 * both factors exact doubles: one correctly rounded product or quotient,
 * which is what strtod gives (Clinger's fast path). */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "fmt.h"

/* Powers of ten exact in long double (5^k < 2^LDBL_MANT_DIG for k <= 27)
 * and in double (k <= 22); the compiler rounds each literal correctly, and
 * these need no rounding. */
#define MAX_LD_POW 27
#define MAX_D_POW 22
static const long double pow10_ld[MAX_LD_POW + 1] = {
  1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
  1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
  1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L
};
static const double pow10_d[MAX_D_POW + 1] = {
  1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

int
somaif_fmt_int (char *buf, gint64 v)
{
  char tmp[24];
  int n = 0, len = 0;
  guint64 u = v < 0 ? (guint64) 0 - (guint64) v : (guint64) v;
  do
    tmp[n++] = (char) ('0' + u % 10);
  while ((u /= 10) != 0);
  if (v < 0)
    buf[len++] = '-';
  while (n > 0)
    buf[len++] = tmp[--n];
  return len;
}

/* The decimal digits of 0..99, two by two. */
static const char two_digits[201] = "00010203040506070809101112131415161718192021222324"
                                    "25262728293031323334353637383940414243444546474849"
                                    "50515253545556575859606162636465666768697071727374"
                                    "75767778798081828384858687888990919293949596979899";

/* The five digits of u < 100000, leading zeros included. */
static inline void
five_digits (char *d, guint32 u)
{
  guint32 r = u % 10000;
  d[0] = (char) ('0' + u / 10000);
  memcpy (d + 1, two_digits + 2 * (r / 100), 2);
  memcpy (d + 3, two_digits + 2 * (r % 100), 2);
}

/* printf's own digits, in the C locale whatever the process's */
static int
slow (char *buf, double v, int precision, double *read_back)
{
  if (precision == 10)
    g_ascii_formatd (buf, SOMAIF_FMT_G10_SIZE, "%.10g", v);
  else
    g_ascii_formatd (buf, SOMAIF_FMT_G17_SIZE, "%.17g", v);
  if (read_back)
    *read_back = g_ascii_strtod (buf, NULL);
  return (int) strlen (buf);
}

/* %.<precision>g for precision 10 or 17. */
static int
fmt_g (char *buf, double v, const int precision, double *read_back)
{
  /* The argument below needs a binary long double whose operations round
     correctly to at least 64 bits: x87's extended or IEEE quad (not a double,
     nor IBM's pair of doubles). */
  if (!(LDBL_MANT_DIG == 64 || LDBL_MANT_DIG == 113) || !isfinite (v) || v == 0.0)
    return slow (buf, v, precision, read_back);
  const int P = precision;
  const guint64 low = P == 10 ? G_GUINT64_CONSTANT (1000000000)
                              : G_GUINT64_CONSTANT (10000000000000000);
  const long double high = (long double) low * 10.0L; /* 10^P, exact */
  double a = fabs (v);
  /* The decimal exponent e of a = f 2^b (1 <= f < 2) is floor(b log10 2) or
     one more: scaled by 10^(P-1-e) the first guess gives P or P + 1 digits. */
  int b;
  frexp (a, &b);
  int e = (int) floor ((b - 1) * 0.30102999566398119521);
  long double y = 0.0L;
  for (int guess = 0; guess < 2; guess++, e++)
    {
      int k = P - 1 - e; /* scale |v| by 10^k */
      if (k > MAX_LD_POW || -k > MAX_LD_POW)
        return slow (buf, v, P, read_back);
      y = k >= 0 ? (long double) a * pow10_ld[k] : (long double) a / pow10_ld[-k];
      if (y < high - 0.5L)
        break;
      if (y == high - 0.5L)
        return slow (buf, v, P, read_back);
    }
  /* y is the exact |v| 10^k rounded once (the power is exact), and y < 2^63:
     every half-integer n + 1/2 near it is a long double, so rounding, which
     is monotonic, leaves y on the side of n + 1/2 where the exact value lies
     unless it makes y = n + 1/2.  Then only printf can tell; otherwise y
     rounds to the exact value's nearest integer.  (The same holds of the
     guesses' bound above.)  Truncation is y's floor (y > 0). */
  guint64 fl = (guint64) y;
  long double frac = y - (long double) fl;
  if (frac == 0.5L)
    return slow (buf, v, P, read_back);
  guint64 m = fl + (frac > 0.5L);
  int k = P - 1 - e;
  /* a guess off (or y within the rounding of a power of ten): printf says;
     so too where the text read back would need a power of ten inexact in
     double */
  if (m < low || (long double) m >= high || (read_back && (k > MAX_D_POW || -k > MAX_D_POW)))
    return slow (buf, v, P, read_back);
  const guint64 mm = m;

  char digits[17];
  if (P == 10)
    {
      five_digits (digits, (guint32) (m / 100000));
      five_digits (digits + 5, (guint32) (m % 100000));
    }
  else
    {
      guint32 top = (guint32) (m / G_GUINT64_CONSTANT (10000000000)); /* 7 digits */
      guint64 rest = m % G_GUINT64_CONSTANT (10000000000);
      memcpy (digits, two_digits + 2 * (top / 100000), 2);
      five_digits (digits + 2, top % 100000);
      five_digits (digits + 7, (guint32) (rest / 100000));
      five_digits (digits + 12, (guint32) (rest % 100000));
    }
  int nd = P; /* significant digits without the trailing zeros */
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;

  int len = 0;
  if (v < 0)
    buf[len++] = '-';
  if (e < -4 || e >= P)
    {
      buf[len++] = digits[0];
      if (nd > 1)
        {
          buf[len++] = '.';
          memcpy (buf + len, digits + 1, (size_t) nd - 1);
          len += nd - 1;
        }
      buf[len++] = 'e';
      buf[len++] = e < 0 ? '-' : '+';
      int ae = e < 0 ? -e : e;
      if (ae < 10)
        buf[len++] = '0';
      len += somaif_fmt_int (buf + len, ae);
    }
  else if (e >= 0)
    {
      /* e + 1 digits before the point */
      memcpy (buf + len, digits, (size_t) e + 1);
      len += e + 1;
      if (nd > e + 1)
        {
          buf[len++] = '.';
          memcpy (buf + len, digits + e + 1, (size_t) (nd - e - 1));
          len += nd - e - 1;
        }
    }
  else
    {
      buf[len++] = '0';
      buf[len++] = '.';
      for (int i = 0; i < -e - 1; i++)
        buf[len++] = '0';
      memcpy (buf + len, digits, (size_t) nd);
      len += nd;
    }
  buf[len] = '\0';
  if (read_back)
    {
      /* both exact: 10^|k| <= 10^22, and the digits < 2^53 (P = 10; with
         17 the product or quotient of the inexact digits is not strtod's) */
      g_assert (P == 10);
      double p = pow10_d[k < 0 ? -k : k];
      double r = k >= 0 ? (double) mm / p : (double) mm * p;
      *read_back = v < 0 ? -r : r;
    }
  return len;
}

int
somaif_fmt_g10 (char *buf, double v, double *read_back)
{
  return fmt_g (buf, v, 10, read_back);
}

int
somaif_fmt_g17 (char *buf, double v)
{
  return fmt_g (buf, v, 17, NULL);
}
