"""A sweep folder of somaif-sweep: its summary and every run."""

import os
from functools import cached_property

from ._csv import read_table
from ._rundir import Run, RunFolderError

__all__ = ["Sweep", "load_sweep"]


class Sweep:
    """A sweep written by somaif-sweep, read lazily.

    Attributes:
      path:     the sweep folder (a str)
      summary:  summary.csv as a structured array, a row per combination;
                its columns are read by their header's names (the varied
                keys, runs, then each measure's mean and ci95), each typed
                by its values (int64, float64 or str)
      runs:     {name: Run} for every run folder in it, by folder name
                (e.g. 'beta=4-seed=1'), sorted
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.isdir(self.path):
            raise RunFolderError(f"{self.path}: no such folder")
        if not os.path.exists(os.path.join(self.path, "sweep.cfg")) and \
                not os.path.exists(os.path.join(self.path, "summary.csv")):
            raise RunFolderError(f"{self.path}: not a sweep folder (no sweep.cfg or "
                                 "summary.csv)")

    def __repr__(self):
        return f"somaif.Sweep({self.path!r})"

    @cached_property
    def summary(self):
        path = os.path.join(self.path, "summary.csv")
        if not os.path.exists(path):
            raise RunFolderError(f"{path}: no such file in the sweep folder")
        return read_table(path)

    @cached_property
    def runs(self):
        found = {}
        for name in sorted(os.listdir(self.path)):
            folder = os.path.join(self.path, name)
            if os.path.isdir(folder) and any(os.path.exists(os.path.join(folder, f))
                                             for f in ("run.json", "config.json")):
                found[name] = Run(folder)
        return found

    def frame(self):
        """The summary as a pandas DataFrame (pandas is needed here only)."""
        import pandas as pd
        return pd.DataFrame(self.summary)


def load_sweep(path):
    """The sweep in folder ``path`` (a :class:`Sweep`)."""
    return Sweep(path)
