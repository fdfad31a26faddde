"""The run's figures drawn with matplotlib into a given axes, so that they
compose in a notebook's figures.  matplotlib is imported when a function
draws, never by ``import somaif``.

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    somaif.plot.curves(run, ax=left)
    somaif.plot.repertoire(run, ax=right)
"""

import numpy as np

from .curves import Curves

__all__ = ["curves", "repertoire", "prototypes", "tiles"]

# curves.png's colours: matplotlib's first two.
_COLOURS = {"accuracy": "C0", "complexity": "C1"}
_LABELS = {"accuracy": "Inaccuracy", "complexity": "Complexity"}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    return ax


def _curves_of(source):
    if isinstance(source, Curves):
        return source
    return source.curves


def curves(source, ax=None, which=("accuracy", "complexity"), label=None, band=True,
           color=None, **line_style):
    """Draw learning curves, each a line with its shaded 95% band, against
    training iteration (one point an epoch of each goal), as curves.png.

    source: a Run (its curves.csv) or a Curves (Run.compute_curves(), ...)
    ax:     the matplotlib axes (None: the current one)
    which:  'accuracy', 'complexity' or both
    label:  put before each curve's name in the legend (e.g. 'seed 2')
    band:   shade mean +- band
    color:  one colour for all curves drawn (default: C0 and C1, as curves.png)
    line_style: more keywords for Axes.plot (linestyle, linewidth, ...)

    Returns the axes.
    """
    ax = _axes(ax)
    data = _curves_of(source)
    if isinstance(which, str):
        which = (which,)
    x = np.arange(len(data))
    for name in which:
        if name not in _LABELS:
            raise ValueError(f"no curve named {name!r}: 'accuracy' or 'complexity'")
        mean = getattr(data, f"{name}_mean")
        half = getattr(data, f"{name}_ci95")
        colour = color or _COLOURS[name]
        text = _LABELS[name] if label is None else f"{label}: {_LABELS[name]}"
        ax.plot(x, mean, color=colour, label=text, **line_style)
        if band:
            ax.fill_between(x, mean - half, mean + half, color=colour, alpha=0.3,
                            linewidth=0)
    ax.set_xlabel("Training iteration")
    ax.set_ylabel("nats")
    ax.legend()
    return ax


def tiles(images, layout=None, overlay=None):
    """One RGB picture of a grid of tiles, as repertoire.png: images
    (n, height, width) with 1 for paper and 0 for ink, in magenta (green
    off); overlay the same shape in cyan (red off).  Without overlay, the
    images in black.  layout: (rows, cols), default up to 10 a row."""
    images = np.asarray(images, np.float64)
    n, h, w = images.shape
    rows, cols = layout or ((n + min(n, 10) - 1) // min(n, 10), min(n, 10))
    grid = np.ones((rows * (h + 1) + 1, cols * (w + 1) + 1, 3))
    for u in range(n):
        r, c = divmod(u, cols)
        y, x = 1 + r * (h + 1), 1 + c * (w + 1)
        proto = np.clip(images[u], 0, 1)
        if overlay is None:
            tile = np.repeat(proto[:, :, None], 3, axis=2)
        else:
            # As the notebook: (R, G, B) = (drawing, prototype, 1).
            tile = np.stack([np.clip(overlay[u], 0, 1), proto, np.ones_like(proto)], axis=2)
        grid[y:y + h, x:x + w] = tile
    grid[0::h + 1, :, :] = 0.6
    grid[:, 0::w + 1, :] = 0.6
    return grid


def _show_tiles(ax, picture, title, layout, size):
    ax.imshow(picture, interpolation="nearest")
    rows, cols = layout
    h, w = size
    ax.set_xticks([1 + c * (w + 1) + w / 2 for c in range(cols)])
    ax.set_xticklabels([str(c) for c in range(cols)])
    ax.set_yticks([1 + r * (h + 1) + h / 2 for r in range(rows)])
    ax.set_yticklabels([str(r * cols) for r in range(rows)])
    ax.tick_params(length=0)
    if title:
        ax.set_title(title)
    return ax


def repertoire(run, ax=None, title="Learned repertoire: prototypes (magenta), drawings (cyan)"):
    """Draw the learned repertoire as repertoire.png: each unit's prototype
    in magenta and the drawing of its final initial state in cyan over it,
    in the map's layout (tick labels: column, and the first unit of a row).
    Returns the axes."""
    ax = _axes(ax)
    protos = _as_tiles(run.prototypes)
    picture = tiles(protos, run.layout, _as_tiles(run.drawings))
    return _show_tiles(ax, picture, title, run.layout, protos.shape[1:])


def prototypes(run, ax=None, epoch=None, title=None):
    """Draw the map's prototypes in black, as prototypes.png, or those of
    the snapshot at ``epoch`` (a key of run.snapshots).  Returns the axes."""
    ax = _axes(ax)
    if epoch is None:
        images, default = run.prototypes, "Prototypes of the map"
    else:
        if epoch not in run.snapshots:
            raise KeyError(f"no snapshot at epoch {epoch} (snapshots: "
                           f"{sorted(run.snapshots)})")
        images, default = run.snapshots[epoch], f"Prototypes at epoch {epoch}"
    images = _as_tiles(images)
    return _show_tiles(ax, tiles(images, run.layout), default if title is None else title,
                       run.layout, images.shape[1:])


def _as_tiles(array):
    """(units, height, width) from any leading shape of units."""
    array = np.asarray(array)
    return array.reshape((-1,) + array.shape[-2:])
