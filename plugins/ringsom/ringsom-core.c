/* ringsom-core.c: the ring Kohonen map (see ringsom-core.h). */
#include "config.h"

#include <math.h>

#include "ringsom-core.h"

struct SomaifRingsom
{
  int n;                  /* units */
  float *nf;              /* 2n - 1 */
  SomaifSomStore *store;
};

void
somaif_ringsom_build_nf (int n_units, double spread, float *nf)
{
  double half = n_units / 2.0;
  double s2 = spread * spread;
  for (int i = 0; i < 2 * n_units - 1; i++)
    {
      /* The notebook's (i + 1 + half) % n - half, Python's % of positive
         numbers (C's fmod), worked out on twice the values, all integers:
         exact, as fmod is, and the same bits; the call is a third cheaper
         (1.06 against 1.51 us for 50 units), and it runs at every change
         of the spread. */
      long twice = (2L * (i + 1) + n_units) % (2L * n_units);
      double d = twice / 2.0 - half;
      nf[i] = (float) exp ((-(d * d) - 0.0) / s2);
    }
}

double
somaif_ringsom_ring_distance (int n_units, int u, int v)
{
  int d = u > v ? u - v : v - u;
  return (double) MIN (d, n_units - d);
}

/* ------------------------------------------------------------------ */
/* The ring's geometry, as the store asks it                           */

/* The window of the column centred on the winner: unit u's factor at u. */
static const float *
ring_factors (const void *map, int winner)
{
  const SomaifRingsom *m = map;
  return m->nf + (m->n - 1 - winner);
}

static void
ring_set_spread (void *map, double spread)
{
  SomaifRingsom *m = map;
  somaif_ringsom_build_nf (m->n, spread, m->nf);
}

/* A state's shape: units u32, pixels u32. */
static void
ring_put_shape (const void *map, GByteArray *out)
{
  const SomaifRingsom *m = map;
  somaif_state_put_u32 (out, (guint32) m->n);
  somaif_state_put_u32 (out, (guint32) somaif_som_store_input_size (m->store));
}

static int
ring_check_shape (const void *map, const guint8 *shape, char *message, gsize message_size)
{
  const SomaifRingsom *m = map;
  int d = somaif_som_store_input_size (m->store);
  guint32 n_units = somaif_state_get_u32 (&shape), pixels = somaif_state_get_u32 (&shape);
  if (n_units == (guint32) m->n && pixels == (guint32) d)
    return 0;
  g_snprintf (message, message_size,
              "state of %u units of %u pixels, this map has %d units of %d pixels", n_units,
              pixels, m->n, d);
  return -1;
}

static double
ring_unit_distance (const void *map, int u, int v)
{
  return somaif_ringsom_ring_distance (((const SomaifRingsom *) map)->n, u, v);
}

/* One row of units. */
static void
ring_layout (const void *map, int *rows, int *cols)
{
  *rows = 1;
  *cols = ((const SomaifRingsom *) map)->n;
}

static const SomaifSomGeometry ring_geometry = {
  .factors = ring_factors,
  .set_spread = ring_set_spread,
  .shape_size = 8,
  .put_shape = ring_put_shape,
  .check_shape = ring_check_shape,
  .distance = ring_unit_distance,
  .layout = ring_layout,
};

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

SomaifRingsom *
somaif_ringsom_new (int n_units, int input_size, SomaifRingsomKernel kernel)
{
  if (n_units < 2 || input_size < 1)
    return NULL;
  SomaifRingsom *m = g_new0 (SomaifRingsom, 1);
  m->n = n_units;
  m->nf = g_try_new (float, 2 * (gsize) n_units - 1);
  if (m->nf)
    m->store = somaif_som_store_new (n_units, input_size, (SomaifSomKernel) kernel,
                                     &ring_geometry, m);
  if (!m->store)
    {
      somaif_ringsom_free (m);
      return NULL;
    }
  return m;
}

void
somaif_ringsom_free (SomaifRingsom *m)
{
  if (!m)
    return;
  somaif_som_store_free (m->store);
  g_free (m->nf);
  g_free (m);
}

SomaifSomStore *
somaif_ringsom_store (const SomaifRingsom *m)
{
  return m->store;
}

const float *
somaif_ringsom_nf (const SomaifRingsom *m)
{
  return m->nf;
}

/* ------------------------------------------------------------------ */
/* The store's methods for a ring                                      */

SomaifRingsomKernel
somaif_ringsom_kernel (const SomaifRingsom *m)
{
  return (SomaifRingsomKernel) somaif_som_store_kernel (m->store);
}

const char *
somaif_ringsom_kernel_name (SomaifRingsomKernel kernel)
{
  return somaif_som_kernel_name ((SomaifSomKernel) kernel);
}

double
somaif_ringsom_spread (const SomaifRingsom *m)
{
  return somaif_som_store_spread (m->store);
}

double
somaif_ringsom_rate (const SomaifRingsom *m)
{
  return somaif_som_store_rate (m->store);
}

void
somaif_ringsom_set_spread (SomaifRingsom *m, double spread)
{
  somaif_som_store_set_spread (m->store, spread);
}

void
somaif_ringsom_set_rate (SomaifRingsom *m, double rate)
{
  somaif_som_store_set_rate (m->store, rate);
}

void
somaif_ringsom_set_prototypes (SomaifRingsom *m, const float *w)
{
  somaif_som_store_set_prototypes (m->store, w);
}

void
somaif_ringsom_init_noise (SomaifRingsom *m, SomaifRng *rng, double noise)
{
  somaif_som_store_init_noise (m->store, rng, noise);
}

void
somaif_ringsom_prototype (const SomaifRingsom *m, int unit, float *out)
{
  somaif_som_store_prototype (m->store, unit, out);
}

void
somaif_ringsom_prototypes (const SomaifRingsom *m, float *out)
{
  somaif_som_store_prototypes (m->store, out);
}

void
somaif_ringsom_recognise (const SomaifRingsom *m, const float *x, int *winner,
                          double *distance)
{
  somaif_som_store_recognise (m->store, x, winner, distance);
}

void
somaif_ringsom_best_two (const SomaifRingsom *m, const float *x, int best[2],
                         double distance[2])
{
  somaif_som_store_best_two (m->store, x, best, distance);
}

void
somaif_ringsom_learn (SomaifRingsom *m, const float *x, int *winner, double *distance)
{
  somaif_som_store_learn (m->store, x, winner, distance);
}
