"""Learning curves: inaccuracy and complexity over training, with bands.

As somaif-run draws them in curves.png (and writes them in curves.csv): a
visit is one epoch, its rollouts towards its one goal; each goal's visits
are averaged in order; point i is the mean across goals of their visit i,
and its band the half-width 1.96 * std / sqrt(goals) (population std), over
as many visits as the least visited goal has.  Goals never visited are left
out.
"""

import numpy as np

__all__ = ["Curves", "compute_curves"]


class Curves:
    """Mean and band half-width of each curve, one value a point.

    Attributes: ``accuracy_mean``, ``accuracy_band``, ``complexity_mean``,
    ``complexity_band`` (float64 arrays of the same length) and ``goals``
    (how many goals each point averages).
    """

    def __init__(self, accuracy_mean, accuracy_band, complexity_mean, complexity_band,
                 goals=None):
        self.accuracy_mean = np.asarray(accuracy_mean, np.float64)
        self.accuracy_band = np.asarray(accuracy_band, np.float64)
        self.complexity_mean = np.asarray(complexity_mean, np.float64)
        self.complexity_band = np.asarray(complexity_band, np.float64)
        self.goals = goals

    def __len__(self):
        return self.accuracy_mean.size

    def __repr__(self):
        return f"somaif.Curves({len(self)} points, {self.goals} goals)"

    @classmethod
    def from_array(cls, table):
        """From curves.csv's columns, read as a structured array."""
        names = table.dtype.names
        goals = None
        if "goals" in names and table.size:
            goals = int(table["goals"][0])
        return cls(table["accuracy_mean"], table["accuracy_band"],
                   table["complexity_mean"], table["complexity_band"], goals)

    def frame(self):
        """The curves as a pandas DataFrame, a row per point."""
        import pandas as pd
        return pd.DataFrame({"accuracy_mean": self.accuracy_mean,
                             "accuracy_band": self.accuracy_band,
                             "complexity_mean": self.complexity_mean,
                             "complexity_band": self.complexity_band})


def _visit_means(metrics):
    """Each epoch's goal and its rollouts' mean accuracy and complexity."""
    epoch = np.asarray(metrics["epoch"])
    if epoch.size == 0:
        return epoch, np.zeros(0), np.zeros(0), np.zeros(0)
    first = np.flatnonzero(np.concatenate(([True], epoch[1:] != epoch[:-1])))
    rollouts = np.diff(np.append(first, epoch.size))
    accuracy = np.add.reduceat(np.asarray(metrics["accuracy"], np.float64), first) / rollouts
    complexity = np.add.reduceat(np.asarray(metrics["complexity"], np.float64), first) / rollouts
    return np.asarray(metrics["goal"])[first], accuracy, complexity, rollouts


def compute_curves(metrics):
    """The learning curves of a run's metrics (a structured array with
    epoch, goal, accuracy and complexity columns, rows in epoch order)."""
    goal, accuracy, complexity, _ = _visit_means(metrics)
    if goal.size == 0:
        return Curves([], [], [], [], 0)
    used, visits = np.unique(goal, return_counts=True)
    n = int(visits.min())
    # Each used goal's visits in order: a stable sort by goal keeps epochs' order.
    order = np.argsort(goal, kind="stable")
    row = np.searchsorted(used, goal[order])
    rank = np.arange(goal.size) - np.searchsorted(goal[order], goal[order])
    keep = rank < n
    acc = np.empty((used.size, n))
    comp = np.empty((used.size, n))
    acc[row[keep], rank[keep]] = accuracy[order][keep]
    comp[row[keep], rank[keep]] = complexity[order][keep]
    scale = 1.96 / np.sqrt(used.size)
    return Curves(acc.mean(axis=0), scale * acc.std(axis=0),
                  comp.mean(axis=0), scale * comp.std(axis=0), int(used.size))
