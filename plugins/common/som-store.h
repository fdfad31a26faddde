/* som-store.h: the prototypes of a Kohonen map, whatever its topology: the
 * store, the distances, the two best units, the update and the saved state.
 * Internal to the map plugins (ringsom, gridsom): built into each, never
 * installed.
 *
 * When unit x wins, unit u learns w += h_u * (x - w) * rate with the factor
 * h_u the map's neighbourhood gives (its geometry, below).  Two kernels keep
 * the prototypes:
 * dense   float32 prototypes w, every step of the update rounded to float32
 *         as the seed's torch code (the reference).
 * sparse  the map in ink terms v = 1 - w, u = 1 - x, where the update reads
 *         v = (1 - a) v + a u with a = h * rate.  A unit is v = s z (a double
 *         scale times a double vector), so that its shrink by (1 - a) costs
 *         O(1) and only the ink pixels of an input (u != 0) are touched; the
 *         norm |z|^2 kept per unit gives |w - x|^2 = s^2 |z|^2 - 2 s z.u + |u|^2
 *         in O(ink).  z is stored pixel-major, so one ink pixel touches the
 *         units as one contiguous row.
 * Both give the same winners and prototypes within float rounding.
 */
#ifndef SOMAIF_PLUGINS_SOM_STORE_H
#define SOMAIF_PLUGINS_SOM_STORE_H

#include <glib.h>

#include "somaif/plugin.h"

G_BEGIN_DECLS

typedef enum
{
  SOMAIF_SOM_DENSE = 0,
  SOMAIF_SOM_SPARSE = 1
} SomaifSomKernel;

/* The kernel named "dense" or "sparse"; -1 for anything else (NULL too). */
int somaif_som_kernel_from_name (const char *name);
const char *somaif_som_kernel_name (SomaifSomKernel kernel);

/* What a map's topology tells its store; map is the pointer given to
 * somaif_som_store_new(). */
typedef struct
{
  /* The factor of every unit (n_units floats) when winner wins. */
  const float *(*factors) (const void *map, int winner);
  /* Rebuilds the neighbourhood for a spread > 0. */
  void (*set_spread) (void *map, double spread);
  /* The map's shape in a saved state: shape_size bytes after the kernel's. */
  gsize shape_size;
  void (*put_shape) (const void *map, GByteArray *out);
  /* 0 when shape is this map's; otherwise -1 and why in message. */
  int (*check_shape) (const void *map, const guint8 *shape, char *message, gsize message_size);
  /* The map distance between units u and v (both in range). */
  double (*distance) (const void *map, int u, int v);
  /* The units as a rows x cols picture (rows * cols = n_units). */
  void (*layout) (const void *map, int *rows, int *cols);
} SomaifSomGeometry;

typedef struct SomaifSomStore SomaifSomStore;

/* n_units >= 1 prototypes of input_size >= 1 pixels, all 1 (blank), rate
 * 0.1, spread 1 (the map's neighbourhood built for it: map must be ready
 * for set_spread()); NULL for a bad size or when memory is short.  geometry
 * and map must outlive the store. */
SomaifSomStore *somaif_som_store_new (int n_units, int input_size, SomaifSomKernel kernel,
                                      const SomaifSomGeometry *geometry, void *map);
void somaif_som_store_free (SomaifSomStore *store);

/* The sparse kernels' vector unit: AVX-512 where simd says so, otherwise
 * the AVX2 or plain ones (the same bits); FALSE, and nothing changed, for a
 * unit this CPU lacks.  A new store takes somaif_simd()'s (for tests). */
gboolean somaif_som_store_set_simd (SomaifSomStore *store, SomaifSimd simd);

/* The map and geometry given to somaif_som_store_new(). */
void *somaif_som_store_map (const SomaifSomStore *store);
const SomaifSomGeometry *somaif_som_store_geometry (const SomaifSomStore *store);

int somaif_som_store_n_units (const SomaifSomStore *store);
int somaif_som_store_input_size (const SomaifSomStore *store);
SomaifSomKernel somaif_som_store_kernel (const SomaifSomStore *store);
double somaif_som_store_spread (const SomaifSomStore *store);
double somaif_som_store_rate (const SomaifSomStore *store);

/* Keeps spread (> 0) and has the map rebuild its neighbourhood. */
void somaif_som_store_set_spread (SomaifSomStore *store, double spread);
/* The learning rate, in [0, 1]. */
void somaif_som_store_set_rate (SomaifSomStore *store, double rate);

/* Sets every prototype from w (n_units x input_size, row-major). */
void somaif_som_store_set_prototypes (SomaifSomStore *store, const float *w);
/* w = 1 - uniform * noise in float32 (torch's 1 - rand * noise), drawn from
 * rng unit after unit, pixel after pixel; allocates (set-up only). */
void somaif_som_store_init_noise (SomaifSomStore *store, SomaifRng *rng, double noise);

/* Copies unit's prototype w (input_size floats); the sparse kernel keeps a
 * copy for the next call while the unit stays as it is, so this too is a
 * call for one thread at a time. */
void somaif_som_store_prototype (const SomaifSomStore *store, int unit, float *out);
/* Copies every prototype (n_units x input_size). */
void somaif_som_store_prototypes (const SomaifSomStore *store, float *out);

/* The two best units, best first, and their squared distances sum((w - x)^2);
 * on ties the lower unit comes first.  A store of one unit reports it twice.
 * Writes nothing into the store (stack buffers only): safe from several
 * threads at once. */
void somaif_som_store_best_two (const SomaifSomStore *store, const float *x, int best[2],
                                double distance[2]);
/* best_two()'s first unit and its squared distance. */
void somaif_som_store_recognise (const SomaifSomStore *store, const float *x, int *winner,
                                 double *distance);
/* recognise() (the same winner and distance), then every unit learns from x
 * with the factors the map gives for the winner. */
void somaif_som_store_learn (SomaifSomStore *store, const float *x, int *winner,
                             double *distance);

/* Appends the whole state, little-endian: version u8, kernel u8, the map's
 * shape, spread f64, rate f64; then dense: w (n x d f32); sparse: scale
 * (n f64), |z|^2 (n f64), z (n x d f64, unit after unit). */
void somaif_som_store_save (const SomaifSomStore *store, GByteArray *out);
/* Restores what somaif_som_store_save() wrote for a map of the same shape (a
 * state of the other kernel is converted); on refusal returns -1, leaves
 * the map unchanged and writes why into message. */
int somaif_som_store_load (SomaifSomStore *store, const guint8 *data, gsize length,
                           char *message, gsize message_size);

G_END_DECLS

#endif /* SOMAIF_PLUGINS_SOM_STORE_H */
