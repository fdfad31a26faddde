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
/* The bytes somaif_figure_tiles() takes for its picture, or -1 (error set)
 * when the grid cannot be drawn: a check before a run that would draw it. */
gint64 somaif_figure_tiles_bytes (int n_units, int rows, int cols, int width, int height,
                                  GError **error);
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

/* Points (x[i], mean[l * n_points + i]) joined into n_lines lines, each
 * with its 95% error bars (band: half-widths, NULL or NaN: none), x on a log
 * scale when log_x (x > 0: ticks at the x values themselves); a title
 * (NULL: none), axis labels, and with several lines their labels. */
gboolean somaif_figure_column (const char *path, const char *title, const char *x_label,
                               const char *y_label, gboolean log_x, int n_lines,
                               const char *const *line_labels, int n_points, const double *x,
                               const double *mean, const double *band, GError **error);

G_END_DECLS

#endif
