"""The curves computed here from metrics.csv are those somaif-run wrote."""
import numpy as np

import somaif


def assert_same_curves(mine, theirs):
    assert len(mine) == len(theirs) > 0
    assert mine.goals == theirs.goals
    # curves.csv has 10 significant digits, as metrics.csv that they come from.
    for name in ("accuracy_mean", "accuracy_ci95", "complexity_mean", "complexity_ci95"):
        np.testing.assert_allclose(getattr(mine, name), getattr(theirs, name),
                                   rtol=1e-8, atol=1e-9, err_msg=name)


def test_curves_equal_the_c_sides(quick_run):
    assert_same_curves(quick_run.compute_curves(), quick_run.curves)


def test_curves_with_two_candidates_an_epoch(tmp_path, quick_cfg, need_somaif_run):
    """One search direction: 2 rollouts an epoch instead of 10."""
    run = somaif.run(quick_cfg, output=tmp_path / "r", threads=1, quiet=True,
                     experiment__epochs=120, optimiser__directions=1)
    assert_same_curves(run.compute_curves(), run.curves)


def test_curves_of_unequal_visits():
    """Point i averages each goal's i-th visit, over the least visited goal's
    visits; epochs of several rollouts are averaged first."""
    rows = [  # epoch, goal, accuracy, complexity
        (0, 0, 1.0, 0.0), (0, 0, 3.0, 2.0), (1, 1, 10.0, 1.0), (2, 0, 5.0, 0.0),
        (3, 1, 20.0, 3.0), (4, 0, 7.0, 1.0),
    ]
    metrics = np.array(rows, [("epoch", "i8"), ("goal", "i8"), ("accuracy", "f8"),
                              ("complexity", "f8")])
    curves = somaif.compute_curves(metrics)
    assert len(curves) == 2 and curves.goals == 2
    np.testing.assert_allclose(curves.accuracy_mean, [(2.0 + 10.0) / 2, (5.0 + 20.0) / 2])
    np.testing.assert_allclose(curves.accuracy_ci95, [1.96 * 4.0 / np.sqrt(2),
                                                      1.96 * 7.5 / np.sqrt(2)])
    np.testing.assert_allclose(curves.complexity_mean, [1.0, 1.5])
