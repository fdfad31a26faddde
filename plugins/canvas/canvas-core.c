/* canvas-core.c: the stroke of a polyline, rasterised as matplotlib's Agg does.
 *
 * How and why: the seed's images come from matplotlib's Agg backend, so we
 * redo its pipeline rather than approximate it.  Points go to pixels; a
 * non-finite point breaks the line; segments are clipped to the image grown
 * by a margin (matplotlib's PathClipper); a path made only of horizontal and
 * vertical segments has its vertices snapped to pixel centres (PathSnapper);
 * then Agg's stroker (vcgen_stroke / math_stroke: square caps, round joins with
 * its own coarse arc step, inner joins as a miter or a bevel) turns each
 * subpath into ONE closed outline polygon, and that outline is filled by exact
 * area coverage under the non-zero rule: each edge adds its signed area to
 * the cells it crosses and a running sum along each row gives the winding-
 * weighted coverage, clamped to 1 (Agg's cell rasteriser, in floating point
 * instead of 1/256 fixed point).  Overlaps and joins are thus inked once
 * wherever a pixel is fully inside the stroke; like Agg, a pixel on the edge
 * of a self-overlap may sum its parts (then clamps at 1).  This is exact where
 * supersampling is not, and fast: the accumulation buffer is the caller's
 * image itself, the work is linear in the outline's length plus one pass over
 * the touched rows, nothing is allocated, and no size limit arises.
 * Not reproduced: matplotlib's simplification of paths of 128 or more
 * vertices (it moves vertices by at most 1/9 pixel) and Agg's 8-bit output.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "canvas-core.h"
#include "somaif/plugin.h"

/* Agg's constants (agg_math.h, agg_math_stroke.h). */
#define VERTEX_DIST_EPSILON 1e-14
#define INNER_MITER_LIMIT 1.01
/* matplotlib's PathSnapper: a segment is axis-aligned when |dx| or |dy| is
 * below this (pixels). */
#define SNAP_TOLERANCE 1e-4
/* Pixel coordinates beyond this are a gap in the line, as a non-finite
 * point (they would overflow the clipping arithmetic). */
#define FAR_AWAY 1e100
/* Coverage this close to 0 or 1 is 0 or 1: float rounding of the row sums
 * must leave blank paper exactly blank. */
#define COVER_EPSILON 1e-5f

gboolean
somaif_canvas_init (SomaifCanvas *canvas, int width, int height, const double xlim[2],
                    const double ylim[2], double linewidth, gboolean snap, GError **error)
{
  if (width < SOMAIF_CANVAS_MIN_SIZE || width > SOMAIF_CANVAS_MAX_SIZE
      || height < SOMAIF_CANVAS_MIN_SIZE || height > SOMAIF_CANVAS_MAX_SIZE)
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "image of %d x %d pixels: width and height must lie in [%d, %d]", width,
                   height, SOMAIF_CANVAS_MIN_SIZE, SOMAIF_CANVAS_MAX_SIZE);
      return FALSE;
    }
  if (!isfinite (xlim[0]) || !isfinite (xlim[1]) || !isfinite (ylim[0])
      || !isfinite (ylim[1]) || xlim[0] == xlim[1] || ylim[0] == ylim[1])
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "xlim = [%g, %g], ylim = [%g, %g]: each must be two different finite numbers",
                   xlim[0], xlim[1], ylim[0], ylim[1]);
      return FALSE;
    }
  if (!(linewidth >= SOMAIF_CANVAS_MIN_LINEWIDTH && linewidth <= SOMAIF_CANVAS_MAX_LINEWIDTH))
    {
      g_set_error (error, SOMAIF_PLUGIN_ERROR, SOMAIF_PLUGIN_ERROR_CREATE,
                   "linewidth = %g pixels: it must lie in [%g, %g]", linewidth,
                   SOMAIF_CANVAS_MIN_LINEWIDTH, SOMAIF_CANVAS_MAX_LINEWIDTH);
      return FALSE;
    }

  memset (canvas, 0, sizeof *canvas);
  canvas->width = width;
  canvas->height = height;
  canvas->xlim[0] = xlim[0];
  canvas->xlim[1] = xlim[1];
  canvas->ylim[0] = ylim[0];
  canvas->ylim[1] = ylim[1];
  canvas->linewidth = linewidth;
  canvas->snap = snap;

  /* matplotlib's transData then Agg's flip (y' = height - y), one affine map. */
  canvas->ax = width / (xlim[1] - xlim[0]);
  canvas->cx = -xlim[0] * canvas->ax;
  double ay_up = height / (ylim[1] - ylim[0]);
  canvas->ay = -ay_up;
  canvas->cy = height + ylim[0] * ay_up;

  canvas->half = linewidth / 2;
  /* math_stroke::calc_arc with approximation scale 1. */
  canvas->arc_step = 2 * acos (canvas->half / (canvas->half + 0.125));
  canvas->cos_arc_step = cos (canvas->arc_step);
  /* math_stroke::calc_join: no bevel at an outer join whose bevel would lie
   * within w / 1024 of the full width w (the offsets' dot product then
   * exceeds this times w^2). */
  canvas->straight_dot = 2 * (1 - 1 / 1024.0) * (1 - 1 / 1024.0) - 1;
  /* PathSnapper: pixel centres for odd widths, pixel corners for even ones. */
  canvas->snap_offset = ((long) floor (linewidth + 0.5)) % 2 ? 0.5 : 0.0;
  /* matplotlib clips at one pixel outside the image; a wider line needs more
   * room or the cap at a cut would show. */
  canvas->clip_margin = MAX (1.0, linewidth);
  return TRUE;
}

void
somaif_canvas_to_pixels (const SomaifCanvas *canvas, double x, double y, double *px,
                         double *py)
{
  *px = canvas->ax * x + canvas->cx;
  *py = canvas->ay * y + canvas->cy;
}

/* ------------------------------------------------------------------ */
/* Area-coverage rasteriser                                             */

/* One row of blank paper to copy from. */
#define ONES4 1.0f, 1.0f, 1.0f, 1.0f
#define ONES16 ONES4, ONES4, ONES4, ONES4
#define ONES64 ONES16, ONES16, ONES16, ONES16
#define ONES256 ONES64, ONES64, ONES64, ONES64
#define ONES1024 ONES256, ONES256, ONES256, ONES256
static const float blank_row[SOMAIF_CANVAS_MAX_SIZE] = { ONES1024, ONES1024, ONES1024,
                                                         ONES1024 };

typedef struct
{
  float *acc;        /* height x width: each cell the jump of coverage there */
  int width, height;
  guint16 *lo, *hi;  /* a row's touched cells [lo, hi] (lo > hi: none) */
} Raster;

static inline void
raster_touch (Raster *r, int row, int a, int b)
{
  if (a < r->lo[row])
    r->lo[row] = (guint16) a;
  if (b > r->hi[row])
    r->hi[row] = (guint16) b;
}

/* An edge of signed height d crossing a row at x = xm, or within one pixel
 * around xm (the mean coverage is then linear in x): pixel floor(xm) gets
 * the part of d left of its right side, the next pixel the rest. */
static inline void
raster_cell (Raster *r, int row, double xm, double d)
{
  int k = (int) xm;
  if (G_UNLIKELY (k >= r->width))
    return;
  float *line = r->acc + (gsize) row * r->width;
  double f = xm - k;
  line[k] += (float) (d - d * f);
  if (G_LIKELY (k + 1 < r->width))
    {
      line[k + 1] += (float) (d * f);
      raster_touch (r, row, k, k + 1);
    }
  else
    raster_touch (r, row, k, k);
}

/* An edge of signed height d crossing a row from x = lo to hi
 * (0 <= lo < hi <= width) over several pixels: pixel k gets the mean over
 * the edge of the area of [k, k + 1] right of it, G(k + 1), minus G(k).  G
 * is 0 up to k0 = floor(lo), s (1 - f0)^2 / 2 at k0 + 1, s (k + 0.5 - lo)
 * in between, 1 - s f1^2 / 2 at k1 + 1 = floor(hi) + 1, and 1 after (s the
 * inverse length, f0 and f1 the fractions of lo and hi). */
static void
raster_span (Raster *r, int row, double lo, double hi, double d)
{
  float *line = r->acc + (gsize) row * r->width;
  int width = r->width;
  int k0 = (int) lo, k1 = (int) hi;
  double s = 1.0 / (hi - lo);
  double f0 = lo - k0, f1 = hi - k1;
  double g0 = 0.5 * s * (1.0 - f0) * (1.0 - f0);
  double g1 = 1.0 - 0.5 * s * f1 * f1;
  raster_touch (r, row, k0, MIN (k1 + 1, width - 1));
  line[k0] += (float) (d * g0);
  double prev = g0;
  for (int k = k0 + 1; k < k1 && k < width; k++)
    {
      double g = s * (k + 0.5 - lo);
      line[k] += (float) (d * (g - prev));
      prev = g;
    }
  if (k1 < width)
    line[k1] += (float) (d * (g1 - prev));
  if (k1 + 1 < width)
    line[k1 + 1] += (float) (d * (1.0 - g1));
}

/* An edge crossing a row from x = lo to hi (0 <= lo <= hi <= width). */
static inline void
raster_cells (Raster *r, int row, double lo, double hi, double d)
{
  if ((int) lo == (int) hi || hi - lo < 1e-9)
    raster_cell (r, row, 0.5 * (lo + hi), d);
  else
    raster_span (r, row, lo, hi, d);
}

/* The part of an edge within one row, from x = xa to xb, of signed height d,
 * wherever it lies. */
static void
raster_row_clipped (Raster *r, int row, double xa, double xb, double d)
{
  double w = r->width;
  double lo = MIN (xa, xb), hi = MAX (xa, xb);
  if (lo >= 0.0 && hi <= w)
    {
      raster_cells (r, row, lo, hi, d);
      return;
    }
  if (lo >= w)
    return; /* only pixels right of the image would see it */
  /* Left of x = 0 the edge acts as if at x = 0; right of width it matters
   * to no pixel of ours. */
  double span = hi - lo;
  if (lo < 0.0)
    raster_cell (r, row, 0.0, hi <= 0.0 ? d : d * -lo / span);
  if (hi <= 0.0)
    return;
  double clo = MAX (lo, 0.0), chi = MIN (hi, w);
  raster_cells (r, row, clo, chi, d * (chi - clo) / span);
}

/* One directed edge of an outline: downwards (y growing) it adds coverage
 * to its right, upwards it takes it away. */
static void
raster_line (Raster *r, double x0, double y0, double x1, double y1)
{
  double dy = y1 - y0;
  double dir = copysign (1.0, dy);
  double ylo = MIN (y0, y1), yhi = MAX (y0, y1);
  double h = r->height;
  /* A (nearly) horizontal edge changes no coverage. */
  if (!(fabs (dy) > 1e-12) || yhi <= 0.0 || ylo >= h)
    return;
  double xlo = MIN (x0, x1), xhi = MAX (x0, x1);
  if (G_LIKELY (ylo >= 0.0 && yhi <= h && xlo >= 0.0 && xhi <= r->width))
    {
      /* Inside the image, the usual case: rows r0 to rl. */
      int r0 = (int) ylo, rl = (int) yhi;
      if (rl == yhi)
        rl--;
      if (rl <= r0)
        {
          raster_cells (r, r0, xlo, xhi, dy);
          return;
        }
      double dxdy = (x1 - x0) / dy;
      double xs = dy > 0.0 ? x0 : x1, xe = dy > 0.0 ? x1 : x0; /* x at ylo, yhi */
      double xb = xs + (r0 + 1 - ylo) * dxdy;
      raster_cells (r, r0, MIN (xs, xb), MAX (xs, xb), (r0 + 1 - ylo) * dir);
      for (int row = r0 + 1; row < rl; row++)
        {
          double xn = xb + dxdy;
          raster_cells (r, row, MIN (xb, xn), MAX (xb, xn), dir);
          xb = xn;
        }
      raster_cells (r, rl, MIN (xb, xe), MAX (xb, xe), (yhi - rl) * dir);
      return;
    }
  double dxdy = (x1 - x0) / dy;
  double ya0 = MAX (ylo, 0.0), yb1 = MIN (yhi, h);
  int r0 = (int) ya0, r1 = (int) yb1;
  if (r1 < yb1)
    r1++;
  for (int row = r0; row < r1; row++)
    {
      double ya = MAX (ya0, (double) row), yb = MIN (yb1, (double) row + 1);
      if (!(yb > ya))
        continue;
      double xa = x0 + (ya - y0) * dxdy;
      double xb = x0 + (yb - y0) * dxdy;
      raster_row_clipped (r, row, xa, xb, (yb - ya) * dir);
    }
}

/* 1 - min(1, |s|), with coverage within COVER_EPSILON of 0 or 1 made
 * exact (the stretch changes the rest by less than that). */
static inline float
coverage_to_paper (float s)
{
  float a = (fabsf (s) - COVER_EPSILON) * (1.0f / (1.0f - 2 * COVER_EPSILON));
  a = a > 0.0f ? a : 0.0f;
  a = a < 1.0f ? a : 1.0f;
  return 1.0f - a;
}

/* Turns the accumulated jumps into 1 - min(1, |coverage|), row by row; a
 * row's sum is 0 left of its touched cells and constant right of them. */
static void
raster_resolve (const Raster *r, float *image)
{
  int w = r->width;
  for (int row = 0; row < r->height; row++)
    {
      float *line = image + (gsize) row * w;
      int lo = r->lo[row], hi = r->hi[row];
      if (lo > hi)
        {
          memcpy (line, blank_row, (gsize) w * sizeof *line);
          continue;
        }
      memcpy (line, blank_row, (gsize) lo * sizeof *line);
      float s = 0.0f;
      for (int c = lo; c <= hi; c++)
        {
          s += line[c];
          line[c] = coverage_to_paper (s);
        }
      float rest = coverage_to_paper (s);
      if (rest == 1.0f)
        memcpy (line + hi + 1, blank_row, (gsize) (w - hi - 1) * sizeof *line);
      else
        for (int c = hi + 1; c < w; c++)
          line[c] = rest;
    }
}

/* ------------------------------------------------------------------ */
/* Agg's stroker (math_stroke with square caps and round joins)          */

/* The vertices of one outline, drawn as they come: each vertex closes the
 * edge from the previous one. */
typedef struct
{
  Raster *r;
  gboolean any;
  double fx, fy;  /* first vertex */
  double lx, ly;  /* last vertex */
} Chain;

static inline void
chain_add (Chain *ch, double x, double y)
{
  if (ch->any)
    raster_line (ch->r, ch->lx, ch->ly, x, y);
  else
    {
      ch->fx = x;
      ch->fy = y;
      ch->any = TRUE;
    }
  ch->lx = x;
  ch->ly = y;
}

/* A round join around (x, y) from offset (dx1, dy1) to (dx2, dy2), both of
 * length half the width, turning by Agg's fixed angular step
 * (math_stroke::calc_arc). */
static void
stroke_arc (Chain *ch, const SomaifCanvas *c, double x, double y, double dx1, double dy1,
            double dx2, double dy2)
{
  double w = c->half;
  chain_add (ch, x + dx1, y + dy1);
  double cross = dx1 * dy2 - dy1 * dx2, dot = dx1 * dx2 + dy1 * dy2;
  /* The usual case, turning by less than a step: no vertex in between
   * (what the angles below would give, without their trigonometry). */
  if (!(cross >= 0.0 && dot > c->cos_arc_step * w * w))
    {
      double a1 = atan2 (dy1, dx1), a2 = atan2 (dy2, dx2);
      if (a1 > a2)
        a2 += 2 * G_PI;
      int n = (int) ((a2 - a1) / c->arc_step);
      double da = (a2 - a1) / (n + 1);
      a1 += da;
      for (int i = 0; i < n; i++)
        {
          chain_add (ch, x + cos (a1) * w, y + sin (a1) * w);
          a1 += da;
        }
    }
  chain_add (ch, x + dx2, y + dy2);
}

/* One side of a join that turns by more than a few degrees (stroker_join()
 * mitres the others), at (x, y) between two segments whose offsets towards
 * this side are p1 (incoming) and p2 (outgoing), dot = p1.p2; miter_limit2
 * is the squared distance allowed to an inner miter point.
 * math_stroke::calc_join with round joins and Agg's default inner join: on
 * the inner side the offset lines' meeting point m (m.p1 = m.p2 = w^2) while
 * it stays within the limit, else a bevel (the outline then loops inside the
 * stroke); on the outer side an arc. */
static void
stroke_join_side (Chain *ch, const SomaifCanvas *c, gboolean inner, double x, double y,
                  double p1x, double p1y, double p2x, double p2y, double dot,
                  double miter_limit2)
{
  if (!inner)
    {
      stroke_arc (ch, c, x, y, p1x, p1y, p2x, p2y);
      return;
    }
  double w2 = c->half * c->half;
  if (w2 + dot > 1e-12 * w2)
    {
      double k = w2 / (w2 + dot), sx = p1x + p2x, sy = p1y + p2y;
      if (k * k * (sx * sx + sy * sy) <= miter_limit2)
        {
          chain_add (ch, x + k * sx, y + k * sy);
          return;
        }
    }
  chain_add (ch, x + p1x, y + p1y);
  chain_add (ch, x + p2x, y + p2y);
}

/* ------------------------------------------------------------------ */
/* The path: pixels, gaps, clipping, snapping                           */

/* Receives the clipped path: a move_to starts a subpath; a line_to ends
 * the segment from the path's point seg to seg + 1 (clipped or not). */
typedef struct Sink Sink;
struct Sink
{
  void (*move_to) (Sink *sink, double x, double y);
  void (*line_to) (Sink *sink, double x, double y, int seg);
  gboolean done; /* set by the sink to stop the walk */
};

/* rect: x1, y1, x2, y2, the boundary included. */
static inline gboolean
in_rect (const double rect[4], double x, double y)
{
  return x >= rect[0] && x <= rect[2] && y >= rect[1] && y <= rect[3];
}

/* Liang-Barsky clipping of a segment to rect, as Agg's clip_line_segment()
 * (in0, in1: whether each point lies in rect): -1 when nothing is left, else
 * bit 0 set when the first point moved and bit 1 when the second did. */
static int
clip_segment (const double rect[4], gboolean in0, gboolean in1, double *x0, double *y0,
              double *x1, double *y1)
{
  if (in0 && in1)
    return 0;
  double dx = *x1 - *x0, dy = *y1 - *y0;
  double p[4] = { -dx, dx, -dy, dy };
  double q[4] = { *x0 - rect[0], rect[2] - *x0, *y0 - rect[1], rect[3] - *y0 };
  double t0 = 0.0, t1 = 1.0;
  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0.0)
        {
          if (q[i] < 0.0)
            return -1;
          continue;
        }
      double t = q[i] / p[i];
      if (p[i] < 0.0)
        {
          if (t > t1)
            return -1;
          if (t > t0)
            t0 = t;
        }
      else
        {
          if (t < t0)
            return -1;
          if (t < t1)
            t1 = t;
        }
    }
  int moved = 0;
  double nx0 = *x0, ny0 = *y0, nx1 = *x1, ny1 = *y1;
  if (!in0)
    {
      nx0 = *x0 + t0 * dx;
      ny0 = *y0 + t0 * dy;
      moved |= 1;
    }
  if (!in1)
    {
      nx1 = *x0 + t1 * dx;
      ny1 = *y0 + t1 * dy;
      moved |= 2;
    }
  if (nx0 == nx1 && ny0 == ny1)
    return -1;
  *x0 = nx0;
  *y0 = ny0;
  *x1 = nx1;
  *y1 = ny1;
  return moved;
}

/* matplotlib's PathNanRemover then PathClipper: gaps at non-finite points,
 * each segment clipped, a new subpath wherever a segment's start was cut.
 * (An isolated point is dropped: it would draw nothing.) */
static void
walk_path (const SomaifCanvas *c, int n, const double *points, Sink *sink)
{
  double m = c->clip_margin;
  double rect[4] = { -m, -m, c->width + m, c->height + m };
  gboolean gap = TRUE;     /* the next good point starts a subpath */
  gboolean pending = TRUE; /* no segment of this subpath emitted yet */
  double lx = 0.0, ly = 0.0;
  gboolean lin = FALSE;
  for (int i = 0; i < n && !sink->done; i++)
    {
      double px, py;
      somaif_canvas_to_pixels (c, points[2 * i], points[2 * i + 1], &px, &py);
      if (!(fabs (px) <= FAR_AWAY && fabs (py) <= FAR_AWAY))
        {
          gap = TRUE;
          continue;
        }
      gboolean in = in_rect (rect, px, py);
      if (gap)
        {
          lx = px;
          ly = py;
          lin = in;
          gap = FALSE;
          pending = TRUE;
          continue;
        }
      double x0 = lx, y0 = ly, x1 = px, y1 = py;
      int moved = clip_segment (rect, lin, in, &x0, &y0, &x1, &y1);
      lx = px;
      ly = py;
      lin = in;
      if (moved < 0)
        continue;
      if ((moved & 1) || pending)
        sink->move_to (sink, x0, y0);
      sink->line_to (sink, x1, y1, i - 1);
      pending = FALSE;
    }
}

/* PathSnapper::should_snap(): every segment horizontal or vertical. */
typedef struct
{
  Sink sink;
  double x, y;
  gboolean aligned;
} SnapScan;

static void
snap_scan_move_to (Sink *sink, double x, double y)
{
  SnapScan *s = (SnapScan *) sink;
  s->x = x;
  s->y = y;
}

static void
snap_scan_line_to (Sink *sink, double x, double y, int seg)
{
  SnapScan *s = (SnapScan *) sink;
  if (fabs (x - s->x) >= SNAP_TOLERANCE && fabs (y - s->y) >= SNAP_TOLERANCE)
    {
      s->aligned = FALSE;
      sink->done = TRUE;
    }
  s->x = x;
  s->y = y;
}

/* The path's own segments, worked out ahead, AHEAD_SEGMENTS at a time.
 *
 * Each vertex of the stroke needs a square root and two divisions, each
 * waiting for the one before (the segment's length, its offset, then the
 * join's miter point), and drawing the outline between them keeps the CPU
 * from overlapping one vertex's chain with the next's.  Computed first, in a
 * loop of their own, they overlap.  A segment the stroker receives is the
 * path's own when its (dx, dy) equals the table's (not when it was clipped
 * or follows a dropped vertex): the numbers then come from the very same
 * operations on the very same operands, so the outline is the same to the
 * bit; any other segment is worked out on the way, as before. */
#define AHEAD_SEGMENTS 64

typedef struct
{
  const SomaifCanvas *c;
  const double *points; /* the path, n points */
  int n;
  int first, count;   /* the segments in the table: first .. first + count - 1 */
  double ux[AHEAD_SEGMENTS], uy[AHEAD_SEGMENTS]; /* segment: pixels */
  double d[AHEAD_SEGMENTS];                      /* its length */
  double q[AHEAD_SEGMENTS];                      /* half the width / d */
  /* the join of segment first + j - 1 and first + j, for j >= 1, as
   * stroker_join() computes it: the offsets' dot product, the miter point's
   * offset from the vertex */
  double dot[AHEAD_SEGMENTS], mx[AHEAD_SEGMENTS], my[AHEAD_SEGMENTS];
} Ahead;

/* The table from segment first on (first < n - 1). */
static void
ahead_fill (Ahead *a, int first)
{
  const SomaifCanvas *c = a->c;
  int count = MIN (AHEAD_SEGMENTS, a->n - 1 - first);
  const double *p = a->points + 2 * first;
  double x0, y0;
  somaif_canvas_to_pixels (c, p[0], p[1], &x0, &y0); /* as walk_path() does */
  for (int j = 0; j < count; j++)
    {
      double x1, y1;
      somaif_canvas_to_pixels (c, p[2 * j + 2], p[2 * j + 3], &x1, &y1);
      a->ux[j] = x1 - x0;
      a->uy[j] = y1 - y0;
      x0 = x1;
      y0 = y1;
    }
  for (int j = 0; j < count; j++)
    {
      a->d[j] = sqrt (a->ux[j] * a->ux[j] + a->uy[j] * a->uy[j]);
      a->q[j] = c->half / a->d[j];
    }
  double w2 = c->half * c->half;
  for (int j = 1; j < count; j++)
    {
      double ox0 = a->q[j - 1] * a->uy[j - 1], oy0 = -a->q[j - 1] * a->ux[j - 1];
      double ox1 = a->q[j] * a->uy[j], oy1 = -a->q[j] * a->ux[j];
      a->dot[j] = ox0 * ox1 + oy0 * oy1;
      double k = w2 / (w2 + a->dot[j]);
      a->mx[j] = k * (ox0 + ox1);
      a->my[j] = k * (oy0 + oy1);
    }
  a->first = first;
  a->count = count;
}

/* vcgen_stroke, streamed: walking a subpath forward, each join is drawn on
 * both sides at once (the outline's edges add up in any order).  The side
 * drawn forward is Agg's first side, at offset +o of each segment, where
 * o = w (dy, -dx) / len for a segment (dx, dy) and w is half the width. */
typedef struct
{
  Sink sink;
  const SomaifCanvas *c;
  Raster *r;
  gboolean snap;
  int count;          /* distinct vertices of the subpath so far */
  double ax, ay;      /* the vertex before b */
  double bx, by;      /* the last vertex */
  double len;         /* |b - a| */
  double ox, oy;      /* the offset o of segment a -> b */
  double fx, fy;      /* where the forward side of the outline has reached */
  double tx, ty;      /* where the backward side, drawn so far, begins */
  int last;           /* which of the path's own segments a -> b is (see
                         Ahead), or -1: clipped, or worked out on the way */
  Ahead *ahead;       /* NULL: everything on the way */
} Stroker;

static void
stroker_finish (Stroker *s)
{
  if (s->count >= 2)
    {
      /* The square cap at b: half the width beyond it, across to the
       * backward side. */
      double ex = -s->oy, ey = s->ox; /* w times the direction a -> b */
      double x0 = s->bx + ex + s->ox, y0 = s->by + ey + s->oy;
      double x1 = s->bx + ex - s->ox, y1 = s->by + ey - s->oy;
      raster_line (s->r, s->fx, s->fy, x0, y0);
      raster_line (s->r, x0, y0, x1, y1);
      raster_line (s->r, x1, y1, s->tx, s->ty);
    }
  s->count = 0;
}

static inline void
stroker_snap (const Stroker *s, double *x, double *y)
{
  if (s->snap)
    {
      *x = floor (*x + 0.5) + s->c->snap_offset;
      *y = floor (*y + 0.5) + s->c->snap_offset;
    }
}

static void
stroker_move_to (Sink *sink, double x, double y)
{
  Stroker *s = (Stroker *) sink;
  stroker_finish (s);
  stroker_snap (s, &x, &y);
  s->bx = x;
  s->by = y;
  s->count = 1;
  s->last = -1;
}

/* The join at b, between a -> b and b -> (b + u) of length d and offset o,
 * on both sides of the outline; ahead > 0: both segments are the path's own,
 * the join at that place of the table. */
static void
stroker_join (Stroker *s, double ux, double uy, double d, double ox, double oy, int ahead)
{
  const SomaifCanvas *c = s->c;
  const Ahead *a = s->ahead;
  double dot = ahead > 0 ? a->dot[ahead] : s->ox * ox + s->oy * oy, w2 = c->half * c->half;
  if (dot > c->straight_dot * w2)
    {
      /* Nearly straight on, the usual case: one miter point a side.  Agg
       * mitres an outer join whose bevel would lie within w / 1024 of the
       * full width; the inner one is then well within its limit. */
      double mx, my;
      if (ahead > 0)
        {
          mx = a->mx[ahead];
          my = a->my[ahead];
        }
      else
        {
          double k = w2 / (w2 + dot);
          mx = k * (s->ox + ox);
          my = k * (s->oy + oy);
        }
      raster_line (s->r, s->fx, s->fy, s->bx + mx, s->by + my);
      raster_line (s->r, s->bx - mx, s->by - my, s->tx, s->ty);
      s->fx = s->bx + mx;
      s->fy = s->by + my;
      s->tx = s->bx - mx;
      s->ty = s->by - my;
      return;
    }
  /* Agg's cross_product(a, b, c): > 0 turns the forward side inward. */
  double cp = ux * (s->by - s->ay) - uy * (s->bx - s->ax);
  double limit = MAX (INNER_MITER_LIMIT * c->half, MIN (s->len, d));
  Chain fwd = { s->r, TRUE, s->fx, s->fy, s->fx, s->fy };
  stroke_join_side (&fwd, c, cp > VERTEX_DIST_EPSILON, s->bx, s->by, s->ox, s->oy, ox, oy,
                    dot, limit * limit);
  s->fx = fwd.lx;
  s->fy = fwd.ly;
  /* Agg walks this side backwards: from segment b -> b + u to a -> b. */
  Chain back = { s->r, FALSE, 0, 0, 0, 0 };
  stroke_join_side (&back, c, cp < -VERTEX_DIST_EPSILON, s->bx, s->by, -ox, -oy, -s->ox,
                    -s->oy, dot, limit * limit);
  raster_line (s->r, back.lx, back.ly, s->tx, s->ty);
  s->tx = back.fx;
  s->ty = back.fy;
}

static void
stroker_line_to (Sink *sink, double x, double y, int seg)
{
  Stroker *s = (Stroker *) sink;
  stroker_snap (s, &x, &y);
  double ux = x - s->bx, uy = y - s->by;
  Ahead *a = s->ahead;
  int j = -1; /* the segment's place in the table, if it is the path's own */
  if (a)
    {
      if (seg - a->first >= a->count || seg < a->first)
        ahead_fill (a, seg);
      j = seg - a->first;
      if (!(ux == a->ux[j] && uy == a->uy[j]))
        j = -1;
    }
  double d, q;
  if (j >= 0)
    {
      d = a->d[j];
      q = a->q[j];
    }
  else
    {
      d = sqrt (ux * ux + uy * uy);
      q = s->c->half / d;
    }
  if (!(d > VERTEX_DIST_EPSILON))
    return; /* Agg drops a vertex that repeats the last one */
  /* the join's numbers, when the segment before was the path's own too */
  int join = j >= 1 && s->last == seg - 1 ? j : 0;
  s->last = j >= 0 ? seg : -1;
  double ox = q * uy, oy = -q * ux;
  if (s->count == 1)
    {
      /* The square cap at the start: half the width before it. */
      double ex = -oy, ey = ox; /* w times the direction */
      double x0 = s->bx - ex - ox, y0 = s->by - ey - oy;
      double x1 = s->bx - ex + ox, y1 = s->by - ey + oy;
      raster_line (s->r, x0, y0, x1, y1);
      s->tx = x0;
      s->ty = y0;
      s->fx = x1;
      s->fy = y1;
    }
  else
    stroker_join (s, ux, uy, d, ox, oy, join);
  s->ax = s->bx;
  s->ay = s->by;
  s->bx = x;
  s->by = y;
  s->len = d;
  s->ox = ox;
  s->oy = oy;
  s->count++;
}

int
somaif_canvas_draw (const SomaifCanvas *canvas, int n, const double *points, float *image)
{
  if (!canvas || !image || n < 0 || (n > 0 && !points))
    return -1;
  guint16 lo[SOMAIF_CANVAS_MAX_SIZE], hi[SOMAIF_CANVAS_MAX_SIZE];
  Raster r = { image, canvas->width, canvas->height, lo, hi };
  for (int row = 0; row < canvas->height; row++)
    {
      lo[row] = (guint16) canvas->width;
      hi[row] = 0;
    }
  memset (image, 0, (gsize) canvas->width * canvas->height * sizeof *image);
  if (n >= 2)
    {
      gboolean snap = FALSE;
      if (canvas->snap && n <= SOMAIF_CANVAS_SNAP_MAX_VERTICES)
        {
          SnapScan scan = { { snap_scan_move_to, snap_scan_line_to, FALSE }, 0, 0, TRUE };
          walk_path (canvas, n, points, &scan.sink);
          snap = scan.aligned;
        }
      /* Snapped vertices are not the path's own: nothing to work out ahead
         (nor for a test's plain reference). */
      Ahead ahead; /* filled as the stroker needs it (not cleared: 3.5 KiB) */
      ahead.c = canvas;
      ahead.points = points;
      ahead.n = n;
      ahead.first = 0;
      ahead.count = 0;
      Stroker s = { { stroker_move_to, stroker_line_to, FALSE }, canvas, &r, snap, 0,
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1,
                    snap || canvas->plain ? NULL : &ahead };
      walk_path (canvas, n, points, &s.sink);
      stroker_finish (&s);
    }
  raster_resolve (&r, image);
  return 0;
}
