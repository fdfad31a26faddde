/* chain-targets.h: what chains aim at: letters of the Hershey fonts, drawn
 * with seeded jitter into class samples, a user's PNG image, or a CSV of pen
 * points (docs/chaining.md). */
#ifndef SOMAIF_CHAIN_TARGETS_H
#define SOMAIF_CHAIN_TARGETS_H

#include <glib.h>

#include "somaif/plugin.h"

G_BEGIN_DECLS

typedef struct
{
  const char *hershey_dir;
  char **fonts;               /* NULL-terminated Latin font names */
  double size;                /* paper units of the fonts' 32-unit body */
  double x, y;                /* centre of a letter's box on the paper */
  int samples;                /* drawings averaged into a letter's filter */
  double scale_jitter;        /* scale drawn from 1 +- this */
  double rotation_jitter;     /* radians, +- */
  double shear_jitter;        /* x += shear * y, shear +- this */
  double shift_jitter;        /* paper units, +- on each axis */
  guint64 seed;
  double threshold;           /* PNG: luminance below it is ink */
} SomaifTargetOptions;

/* Pen strokes in paper units: stroke s is points start[s] .. start[s+1]-1. */
typedef struct
{
  int n_strokes;
  int *start;         /* n_strokes + 1 */
  int n_points;
  double *xy;         /* n_points x 2 */
} SomaifStrokes;

void somaif_strokes_free (SomaifStrokes *strokes);

/* What a target names: a letter (one character), a .png or a .csv file. */
typedef enum
{
  SOMAIF_TARGET_LETTER,
  SOMAIF_TARGET_PNG,
  SOMAIF_TARGET_CSV
} SomaifTargetKind;

/* The kind of a target, or -1 with an error saying what targets may be. */
int somaif_target_kind (const char *target, GError **error);

/* Draws strokes stroke by stroke with the renderer (the pen lifted between
 * them): image = the product of the strokes' images (1 paper, 0 ink). */
gboolean somaif_strokes_draw (const SomaifRenderer *renderer, const void *self,
                              const SomaifStrokes *strokes, float *image, GError **error);

/* The strokes of a CSV of pen points: "x,y" rows in paper units; an empty
 * line or a row "lift" lifts the pen; lines starting with '#' and a first
 * row "x,y" are skipped. */
SomaifStrokes *somaif_strokes_from_csv (const char *path, GError **error);

/* The strokes of letter c in font (glyph centred at opt->x, opt->y), with a
 * random affine jitter drawn from rng (NULL: none). */
SomaifStrokes *somaif_strokes_from_glyph (const void *glyph, const SomaifTargetOptions *opt,
                                          SomaifRng *rng);

/* A PNG resampled to width x height (area means of its luminance over white
 * paper), then ink (0) where below opt->threshold, paper (1) elsewhere. */
gboolean somaif_target_png (const char *path, int width, int height, double threshold,
                            float *image, GError **error);

/* The filter of each target (n x width*height, 1 paper, 0 ink): a letter's
 * is the mean of opt->samples jittered drawings, over the fonts having it in
 * turn; an image's is itself. */
float *somaif_targets_filters (char *const *targets, int n, const SomaifTargetOptions *opt,
                               const SomaifRenderer *renderer, const void *self, int width,
                               int height, GError **error);

G_END_DECLS

#endif
