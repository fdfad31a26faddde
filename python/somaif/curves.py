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
    """Mean and 95% band half-width of each curve, a value a visit (point).

    Attributes: ``accuracy_mean``, ``accuracy_ci95``, ``complexity_mean``,
    ``complexity_ci95`` (float64 arrays of the same length, as curves.csv's
    columns) and ``goals`` (how many goals each point averages).
    """

    def __init__(self, accuracy_mean, accuracy_ci95, complexity_mean, complexity_ci95,
                 goals=0):
        self.accuracy_mean = np.asarray(accuracy_mean, np.float64)
        self.accuracy_ci95 = np.asarray(accuracy_ci95, np.float64)
        self.complexity_mean = np.asarray(complexity_mean, np.float64)
        self.complexity_ci95 = np.asarray(complexity_ci95, np.float64)
        self.goals = goals

    def __len__(self):
        return self.accuracy_mean.size

    def __repr__(self):
        return f"somaif.Curves({len(self)} points, {self.goals} goals)"

    @classmethod
    def from_array(cls, table):
        """From curves.csv read as a structured array (visit, goals,
        accuracy_mean, accuracy_ci95, complexity_mean, complexity_ci95)."""
        goals = int(table["goals"][0]) if table.size else 0
        return cls(table["accuracy_mean"], table["accuracy_ci95"],
                   table["complexity_mean"], table["complexity_ci95"], goals)

    def frame(self):
        """The curves as a pandas DataFrame, a row per visit, with curves.csv's
        columns."""
        import pandas as pd
        return pd.DataFrame({"visit": np.arange(len(self)),
                             "goals": np.full(len(self), self.goals),
                             "accuracy_mean": self.accuracy_mean,
                             "accuracy_ci95": self.accuracy_ci95,
                             "complexity_mean": self.complexity_mean,
                             "complexity_ci95": self.complexity_ci95})


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
