/* fmt.c: %.10g by hand, for the rows written every rollout.
 *
 * The ten significant digits are the nearest integer to |v| 10^(9-e), with e
 * the decimal exponent of |v|, computed in long double with the power of ten
 * exact; where the rounding error could decide a tie (the fractional part
 * within a bound of one half), or where the arithmetic is not exact enough
 * (a long double no wider than a double, an exponent far from 0), printf
 * itself is asked.  The text read back is then M x 10^(e-9) with both
 * factors exact doubles: one correctly rounded product or quotient, which is
 * what strtod gives (Clinger's fast path). */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

/* Powers of ten exact in long double (5^k < 2^LDBL_MANT_DIG). */
#define MAX_EXACT_POW 27

static long double
pow10l_exact (int k)
{
  long double p = 1.0L;
  for (int i = 0; i < k; i++)
    p *= 10.0L;
  return p;
}

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

static int
slow (char *buf, double v, double *read_back)
{
  int len = snprintf (buf, SOMAIF_FMT_G10_SIZE, "%.10g", v);
  if (read_back)
    *read_back = g_ascii_strtod (buf, NULL);
  return len;
}

int
somaif_fmt_g10 (char *buf, double v, double *read_back)
{
  if (LDBL_MANT_DIG < 64 || !isfinite (v) || v == 0.0)
    return slow (buf, v, read_back);
  double a = fabs (v);
  int e = (int) floor (log10 (a));
  int k = 9 - e;               /* scale |v| by 10^k */
  if (k > MAX_EXACT_POW || -k > MAX_EXACT_POW || k > 22 || -k > 22)
    return slow (buf, v, read_back);
  long double y = k >= 0 ? (long double) a * pow10l_exact (k) : (long double) a / pow10l_exact (-k);
  /* y < 2^34: its error is under 2^-29 (two roundings of 2^-64 relative) */
  long double fl = floorl (y), frac = y - fl;
  if (fabsl (frac - 0.5L) < 0x1p-26L)
    return slow (buf, v, read_back);
  guint64 m = (guint64) fl + (frac > 0.5L);
  /* log10 may be off by one near a power of ten; the digits say */
  if (m < 1000000000u || m >= 10000000000u)
    return slow (buf, v, read_back);

  char digits[10];
  for (int i = 9; i >= 0; i--, m /= 10)
    digits[i] = (char) ('0' + m % 10);
  guint64 mm = 0;
  for (int i = 0; i < 10; i++)
    mm = mm * 10 + (guint64) (digits[i] - '0');
  int nd = 10; /* significant digits without the trailing zeros */
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;

  int len = 0;
  if (v < 0)
    buf[len++] = '-';
  if (e < -4 || e >= 10)
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
      /* both exact: 10^|k| <= 10^22, the digits < 2^53 */
      double p = 1.0;
      for (int i = 0; i < (k < 0 ? -k : k); i++)
        p *= 10.0;
      double r = k >= 0 ? (double) mm / p : (double) mm * p;
      *read_back = v < 0 ? -r : r;
    }
  return len;
}
