/* figures.h: the run's pictures (cairo). */
#ifndef SOMAIF_FIGURES_H
#define SOMAIF_FIGURES_H

#include <glib.h>

G_BEGIN_DECLS

/* curves.png: inaccuracy and complexity against training iteration, each a
 * line with its shaded band, axes with ticks, labels and a legend. */
gboolean somaif_figure_curves (const char *path, int n_points, const double *acc_mean,
                               const double *acc_band, const double *comp_mean,
                               const double *comp_band, GError **error);

/* A grid of tiles, one per map unit (rows x cols, unit u at row u / cols,
 * column u % cols), each tile a width x height image scaled up.
 * prototypes: n_units x (height*width), 1 paper, 0 ink, drawn in magenta;
 * drawings: the same layout drawn in cyan over it (NULL: prototypes alone,
 * in black).  As the notebook, a tile is (R, G, B) = (drawing, prototype, 1).
 * A title above the grid; each tile labelled with its unit number. */
gboolean somaif_figure_tiles (const char *path, const char *title, int n_units, int rows,
                              int cols, int width, int height, const float *prototypes,
                              const float *drawings, GError **error);

/* Several labelled curves with their bands, one colour per curve (cycling
 * matplotlib's ten colours, then dashed, dotted, ...), in n_panels panels
 * stacked one above another, with a legend on the right and title (NULL: none)
 * above.  Curve c has n_points[c] points at x = 0, 1, ...; in panel p its
 * values are mean[p * n_curves + c] and its band's half-widths
 * band[p * n_curves + c] (NULL, or NaN at a point: no band there).  Panel p
 * is labelled panel_labels[p] along its y axis. */
gboolean somaif_figure_curve_panels (const char *path, const char *title, int n_panels,
                                     const char *const *panel_labels, int n_curves,
                                     const char *const *curve_labels, const int *n_points,
                                     const double *const *mean, const double *const *band,
                                     GError **error);

G_END_DECLS

#endif
