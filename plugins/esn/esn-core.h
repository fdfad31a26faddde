/* esn-core.h: the leaky echo-state network of the seed (class ESN), as plain
 * functions that the plugin glue (esn.c) and the tests share.
 *
 * Forward pass, in float32, for t = 0 .. steps-1:
 *   h   = (1 - 1/tau) h + (1/tau) (tanh(h) W_r^T + b_r)
 *   x_t = tanh(h) W_o^T + b_o           (linear readout, the notebook's)
 *   x_t = tanh(tanh(h) W_o^T + b_o)     (tanh readout, the paper's)
 * w_r[i][j] is the weight from unit j to unit i; w_o[k][j] from unit j to
 * output k (the seed's layout).
 */
#ifndef SOMAIF_ESN_CORE_H
#define SOMAIF_ESN_CORE_H

#include <somaif/plugin.h>

G_BEGIN_DECLS

/* run() never allocates: its scratch lives on the stack (under 100 KiB),
 * which this bounds. */
#define SOMAIF_ESN_MAX_UNITS 1024

/* A bound on the outputs a step, only to keep sizes in range. */
#define SOMAIF_ESN_MAX_OUTPUTS (1 << 20)

/* Batch rows that share each weight load (a shorter last block has
 * kernels of its own; every row goes through the same arithmetic). */
#define SOMAIF_ESN_BLOCK_ROWS 6

typedef struct SomaifEsnModel SomaifEsnModel;

/* The readout's nonlinearity. */
typedef enum
{
  SOMAIF_ESN_READOUT_LINEAR = 0,
  SOMAIF_ESN_READOUT_TANH = 1
} SomaifEsnReadout;

/* How the random weights' scales are set (see somaif_esn_draw_weights). */
typedef struct
{
  double connectivity;      /* probability that a recurrent weight is nonzero */
  double sigma;             /* the recurrent weights' gain */
  gboolean network_scaled;  /* recurrent std sigma / sqrt(connectivity units), else sigma */
  gboolean readout_unit;    /* readout std 1, else 1 / units */
  gboolean biases;          /* FALSE: b_r and b_o are zero */
} SomaifEsnDraw;

/* A model holding copies of the weights (row-major, the seed's layout);
 * NULL with *error set when the sizes are out of range. */
SomaifEsnModel *somaif_esn_model_new (int units, int outputs, double tau,
                                      const float *w_r, const float *b_r,
                                      const float *w_o, const float *b_o,
                                      GError **error);
void somaif_esn_model_free (SomaifEsnModel *model);

int somaif_esn_model_units (const SomaifEsnModel *model);
int somaif_esn_model_outputs (const SomaifEsnModel *model);
double somaif_esn_model_tau (const SomaifEsnModel *model);

/* A new model's readout is linear. */
void somaif_esn_model_set_readout (SomaifEsnModel *model, SomaifEsnReadout readout);
SomaifEsnReadout somaif_esn_model_readout (const SomaifEsnModel *model);

/* Copies the weights out in the seed's layout (any pointer may be NULL). */
void somaif_esn_model_get_weights (const SomaifEsnModel *model, float *w_r, float *b_r,
                                   float *w_o, float *b_o);

/* Draws weights as the seed does, in its order: w_o = randn / units,
 * b_o = randn / 10, w_r = randn * sigma masked by (uniform < connectivity),
 * b_r = randn / 10. */
void somaif_esn_draw_weights (SomaifRng *rng, int units, int outputs, double connectivity,
                              double sigma, float *w_r, float *b_r, float *w_o, float *b_o);

/* The same draws in the same order, scaled as draw says: w_o's std is 1 or
 * 1 / units, w_r's sigma or sigma / sqrt(connectivity units) (Laje and
 * Buonomano's g / sqrt(p N)); without biases b_r and b_o are drawn, then
 * zeroed, so that the other weights do not depend on that switch.  The
 * defaults (both FALSE, biases TRUE) give draw_weights()'s numbers. */
void somaif_esn_draw_weights_with (SomaifRng *rng, int units, int outputs,
                                   const SomaifEsnDraw *draw, float *w_r, float *b_r,
                                   float *w_o, float *b_o);

/* states: batch x units; out: batch x steps x outputs.  Reads the model
 * only (safe to call from several threads at once) and never allocates.
 * Each row's result is bit-identical whatever the batch and its position. */
void somaif_esn_run (const SomaifEsnModel *model, int batch, const float *states, int steps,
                     float *out);

/* The clone that runs (somaif_simd() when the model was made). */
SomaifSimd somaif_esn_model_simd (const SomaifEsnModel *model);
/* Lays the weights out for another clone (for tests and benchmarks); FALSE,
 * changing nothing, when this CPU lacks it.  Every clone gives the same
 * bytes. */
gboolean somaif_esn_model_set_simd (SomaifEsnModel *model, SomaifSimd simd);

/* a * b + c rounded once, as the plain clone computes it (for tests). */
float somaif_esn_fma (float a, float b, float c);

/* The vectorised tanh that run() uses, over n values (for tests). */
void somaif_esn_tanh_array (const float *x, float *y, int n);

G_END_DECLS

#endif /* SOMAIF_ESN_CORE_H */
