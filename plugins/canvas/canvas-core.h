/* canvas-core.h: pen points -> an antialiased image of the stroke, as
 * matplotlib's Agg backend draws the seed's ax.plot(x, y, color='black').
 *
 * Pixel coordinates: px = (x - xmin) / (xmax - xmin) * width and
 * py = (ymax - y) / (ymax - ymin) * height; pixel (r, c) spans [c, c + 1] x
 * [r, r + 1], row 0 at the top.  The image holds 1 - coverage (1 blank paper,
 * 0 full ink).
 */
#ifndef SOMAIF_CANVAS_CORE_H
#define SOMAIF_CANVAS_CORE_H

#include <glib.h>

G_BEGIN_DECLS

/* Accepted sizes and widths (the plugin declares the same ranges). */
#define SOMAIF_CANVAS_MIN_SIZE 8
#define SOMAIF_CANVAS_MAX_SIZE 4096
#define SOMAIF_CANVAS_MIN_LINEWIDTH 1e-3
#define SOMAIF_CANVAS_MAX_LINEWIDTH 1000.0

/* An axis-aligned path of more vertices than this is not snapped (as
 * matplotlib's PathSnapper). */
#define SOMAIF_CANVAS_SNAP_MAX_VERTICES 1024

typedef struct
{
  int width, height;      /* pixels */
  double xlim[2], ylim[2];/* paper units at the left / right and bottom / top edges */
  double linewidth;       /* pixels */
  gboolean snap;          /* snap axis-aligned paths to the pixel grid, as Agg */
  gboolean plain;         /* tests: every number on the way, the same pixels */

  /* Derived by somaif_canvas_init(); read-only afterwards. */
  double ax, cx, ay, cy;  /* px = ax x + cx, py = ay y + cy */
  double half;            /* linewidth / 2 */
  double arc_step;        /* Agg's angle between two vertices of a round join */
  double cos_arc_step;
  double straight_dot;    /* outer joins straighter than this are mitred */
  double snap_offset;     /* 0.5 when round(linewidth) is odd, else 0 (Agg) */
  double clip_margin;     /* segments are clipped to the image grown by this */
} SomaifCanvas;

/* Validates the settings and fills canvas; FALSE with *error set
 * (SOMAIF_PLUGIN_ERROR_CREATE) when a setting is out of range. */
gboolean somaif_canvas_init (SomaifCanvas *canvas, int width, int height, const double xlim[2],
                             const double ylim[2], double linewidth, gboolean snap,
                             GError **error);

/* Paper units -> pixel units. */
void somaif_canvas_to_pixels (const SomaifCanvas *canvas, double x, double y, double *px,
                              double *py);

/* Draws the polyline of n points (n x 2 doubles, paper units) into image
 * (height x width floats, all of it written): a stroke linewidth pixels wide
 * with square caps and round joins, as matplotlib's Agg backend draws it.  A
 * non-finite point (or one beyond 1e100 pixels) breaks the line; a single
 * point draws nothing.  Allocates nothing (20 KiB of stack), changes nothing
 * but image: safe from several threads at once.  Returns 0, or -1 when n < 0
 * or an array is NULL (points may be NULL when n = 0). */
int somaif_canvas_draw (const SomaifCanvas *canvas, int n, const double *points, float *image);

G_END_DECLS

#endif /* SOMAIF_CANVAS_CORE_H */
