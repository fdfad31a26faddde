"""A chain folder of somaif-chain: primitives of a run chained into targets."""

import os
from functools import cached_property

import numpy as np

from ._csv import read_table
from ._rundir import RunFolderError

__all__ = ["Chain", "load_chain"]


class Chain:
    """The outputs of somaif-chain, read lazily (docs/run-folder.md, "A chain
    folder"; docs/chaining.md says how each number is computed).

    Attributes:
      path:           the chain folder (a str)
      steps:          chain.csv, a structured array with a row a target and
                      step (target, step, primitive, G, risk, ambiguity,
                      cross_entropy, pose_*, pen_x, pen_y, q_CLASS...)
      summary:        chain-summary.csv, a row a target
      classes:        the class names, in the order of q's last axis
      primitives:     {target: [primitive, ...]} from the summary
      points:         chains-points.npy, float64 (targets, 1 + steps (P - 1), 2)
      chained:        chains-primitives.npy, float64 (targets, steps)
      q:              chains-q.npy, float64 (targets, steps, classes): the
                      targets are the classes
      class_filters:  class-filters.npy, float32 (classes, height, width)
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.isdir(self.path):
            raise RunFolderError(f"{self.path}: no such folder")
        if not os.path.exists(os.path.join(self.path, "chain-summary.csv")) and \
                not os.path.exists(os.path.join(self.path, "chain.csv")):
            raise RunFolderError(f"{self.path}: not a chain folder (no chain.csv or "
                                 "chain-summary.csv)")

    def __repr__(self):
        return f"somaif.Chain({self.path!r})"

    def _file(self, name):
        path = os.path.join(self.path, name)
        if not os.path.exists(path):
            raise RunFolderError(f"{path}: no such file in the chain folder")
        return path

    @cached_property
    def steps(self):
        return read_table(self._file("chain.csv"))

    @cached_property
    def summary(self):
        return read_table(self._file("chain-summary.csv"))

    @cached_property
    def classes(self):
        return [n[2:] for n in self.steps.dtype.names if n.startswith("q_")]

    @cached_property
    def primitives(self):
        return {str(t): [int(k) for k in str(p).split()]
                for t, p in zip(self.summary["target"], self.summary["primitives"])}

    @cached_property
    def points(self):
        return np.load(self._file("chains-points.npy"))

    @cached_property
    def chained(self):
        return np.load(self._file("chains-primitives.npy"))

    @cached_property
    def q(self):
        return np.load(self._file("chains-q.npy"))

    @cached_property
    def class_filters(self):
        return np.load(self._file("class-filters.npy"))

    def frame(self, name="steps"):
        """'steps' or 'summary' as a pandas DataFrame (pandas needed here only)."""
        import pandas as pd
        if name not in ("steps", "summary"):
            raise ValueError(f"no table named {name!r}: steps or summary")
        return pd.DataFrame(getattr(self, name))


def load_chain(path):
    """The outputs of somaif-chain in folder ``path`` (a :class:`Chain`)."""
    return Chain(path)
