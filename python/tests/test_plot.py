"""The matplotlib helpers draw into the axes they are given."""
import numpy as np
import pytest

import somaif


@pytest.fixture(scope="module")
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
    return pyplot


def test_curves_draw_the_means_and_bands(plt, quick_run):
    curves = quick_run.compute_curves()
    fig, ax = plt.subplots()
    assert somaif.plot.curves(curves, ax=ax, label="seed 1") is ax
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["seed 1: Inaccuracy", "seed 1: Complexity"]
    assert np.array_equal(lines[0].get_ydata(), curves.accuracy_mean)
    assert np.array_equal(lines[1].get_ydata(), curves.complexity_mean)
    # One shaded band a curve, from mean - band to mean + band.
    bands = ax.collections
    assert len(bands) == 2
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(ys.max(), (curves.accuracy_mean + curves.accuracy_ci95).max())
    assert np.isclose(ys.min(), (curves.accuracy_mean - curves.accuracy_ci95).min())
    plt.close(fig)


def test_repertoire_tiles_prototypes_and_drawings(plt, quick_run):
    fig, (a, b) = plt.subplots(1, 2)
    somaif.plot.repertoire(quick_run, ax=a)
    somaif.plot.prototypes(quick_run, ax=b, epoch=max(quick_run.snapshots))
    picture = a.get_images()[0].get_array()
    units, h, w = quick_run.prototypes.shape
    rows, cols = quick_run.layout
    assert picture.shape == (rows * (h + 1) + 1, cols * (w + 1) + 1, 3)
    # Unit 0's tile: (R, G, B) = (drawing, prototype, 1).
    tile = picture[1:1 + h, 1:1 + w]
    assert np.allclose(tile[:, :, 0], np.clip(quick_run.drawings[0], 0, 1))
    assert np.allclose(tile[:, :, 1], np.clip(quick_run.prototypes[0], 0, 1))
    last = b.get_images()[0].get_array()[1:1 + h, 1:1 + w, 0]
    assert np.allclose(last, np.clip(quick_run.snapshots[max(quick_run.snapshots)][0], 0, 1))
    plt.close(fig)


def test_an_unknown_snapshot_is_refused(plt, quick_run):
    fig, ax = plt.subplots()
    with pytest.raises(KeyError):
        somaif.plot.prototypes(quick_run, ax=ax, epoch=-1)
    plt.close(fig)
