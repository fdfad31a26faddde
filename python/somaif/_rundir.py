"""A run folder, read lazily: each file is read on first access, then kept."""

import gzip
import json
import os
import re
import shutil
import tempfile
from functools import cached_property

import numpy as np

from ._csv import read_numeric
from .curves import Curves, compute_curves

__all__ = ["Run", "load", "RunFolderError"]

# Columns of the run folder's CSV files that hold integers (docs/run-folder.md).
_INTEGER_COLUMNS = {
    "metrics.csv": ("epoch", "goal", "candidate", "winner"),
    "final.csv": ("goal", "winner"),
    "schedules.csv": ("epoch",),
    "curves.csv": ("visit", "goals"),
}

# The newest run.json schema this package reads (docs/run-folder.md).
SCHEMA = 1

_SNAPSHOT = re.compile(r"^prototypes-(\d+)\.npy$")


class RunFolderError(FileNotFoundError):
    """A folder that is not a run folder, or misses a file asked for."""


def _numeric(path, name):
    return read_numeric(path, _INTEGER_COLUMNS.get(name, ()))


class Run:
    """A finished (or interrupted) run of somaif-run, read from its folder.

    Nothing is read until asked for: ``Run(path)`` only checks that the
    folder holds a run.  Each attribute reads its file on first access.

    Attributes:
      path:            the run folder (a str)
      config:          the resolved config (config.json) as nested dicts
      provenance:      run.json as a dict: schema, version, command, plugins, times
      finished:        whether run.json is there (it is written last)
      metrics:         metrics.csv, a structured array with a row per rollout
      final:           final.csv, a row per goal for its final solution
      quality:         quality.csv's one row as a dict
      schedules:       schedules.csv, a structured array
      curves:          the learning curves somaif-run drew (curves.csv)
      prototypes:      model/prototypes.npy, float32 (units, height, width)
      initial_states:  model/initial_states.npy, float32 (units, state size)
      trajectories:    model/trajectories.npy, float64 (units, steps + 1, 2)
      drawings:        model/drawings.npy, float32 (units, height, width)
      reservoir:       the generator's arrays in model/ (e.g. w_r, b_r, w_o, b_o)
      snapshots:       {epoch: prototypes} from snapshots/
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.isdir(self.path):
            raise RunFolderError(f"{self.path}: no such folder")
        if not any(os.path.exists(os.path.join(self.path, f))
                   for f in ("run.json", "config.json", "metrics.csv")):
            raise RunFolderError(f"{self.path}: not a run folder (no run.json, "
                                 "config.json or metrics.csv)")
        if self.finished:
            schema = self.provenance.get("schema", 0)
            if not isinstance(schema, int) or schema > SCHEMA:
                raise RunFolderError(f"{self.file('run.json')}: schema {schema!r} is newer "
                                     f"than this somaif package reads ({SCHEMA}): "
                                     "update the package")

    def __repr__(self):
        return f"somaif.Run({self.path!r})"

    @property
    def finished(self):
        """Whether the run finished (run.json, written last, is there)."""
        return os.path.exists(os.path.join(self.path, "run.json"))

    def file(self, *parts):
        """The path of a file in the run folder; RunFolderError if absent."""
        path = os.path.join(self.path, *parts)
        if not os.path.exists(path):
            raise RunFolderError(f"{path}: no such file in the run folder")
        return path

    def _json(self, name):
        with open(self.file(name), encoding="utf-8") as f:
            return json.load(f)

    def _npy(self, name):
        return np.load(self.file("model", name))

    @cached_property
    def config(self):
        return self._json("config.json")

    @cached_property
    def provenance(self):
        return self._json("run.json")

    @cached_property
    def metrics(self):
        """metrics.csv, or metrics.csv.gz where the run compressed it; a lean
        run keeps neither (docs/run-folder.md, output levels)."""
        plain = os.path.join(self.path, "metrics.csv")
        packed = plain + ".gz"
        if os.path.exists(plain) or not os.path.exists(packed):
            if not os.path.exists(plain) and self._level() == "lean":
                raise RunFolderError(f"{plain}: not kept: the run's output level is 'lean' "
                                     "(its curves are in curves.csv)")
            return _numeric(self.file("metrics.csv"), "metrics.csv")
        with gzip.open(packed, "rb") as src, \
                tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
            shutil.copyfileobj(src, tmp)
            tmp.flush()
            return _numeric(tmp.name, "metrics.csv")

    def _level(self):
        try:
            return self.config.get("experiment", {}).get("output", "full")
        except (OSError, ValueError):
            return "full"

    @cached_property
    def final(self):
        return _numeric(self.file("final.csv"), "final.csv")

    @cached_property
    def schedules(self):
        return _numeric(self.file("schedules.csv"), "schedules.csv")

    @cached_property
    def quality(self):
        row = _numeric(self.file("quality.csv"), "quality.csv")
        return {name: float(row[name][0]) for name in row.dtype.names}

    @cached_property
    def curves(self):
        return Curves.from_array(_numeric(self.file("curves.csv"), "curves.csv"))

    def compute_curves(self):
        """The learning curves computed here from metrics (as curves.csv's)."""
        return compute_curves(self.metrics)

    @cached_property
    def prototypes(self):
        return self._npy("prototypes.npy")

    @cached_property
    def initial_states(self):
        return self._npy("initial_states.npy")

    @cached_property
    def trajectories(self):
        return self._npy("trajectories.npy")

    @cached_property
    def drawings(self):
        return self._npy("drawings.npy")

    @cached_property
    def reservoir(self):
        known = {"prototypes.npy", "initial_states.npy", "trajectories.npy", "drawings.npy"}
        folder = self.file("model")
        return {name[:-4]: np.load(os.path.join(folder, name))
                for name in sorted(os.listdir(folder))
                if name.endswith(".npy") and name not in known}

    @cached_property
    def snapshots(self):
        folder = os.path.join(self.path, "snapshots")
        if not os.path.isdir(folder):
            return {}
        found = sorted((int(m.group(1)), name) for name in os.listdir(folder)
                       for m in [_SNAPSHOT.match(name)] if m)
        return {epoch: np.load(os.path.join(folder, name)) for epoch, name in found}

    @property
    def layout(self):
        """(rows, cols) of the map's units as the figures place them."""
        try:
            perceiver = self.config.get("perceiver", {})
        except RunFolderError:
            perceiver = {}
        units = int(self.prototypes.shape[0])
        rows, cols = perceiver.get("rows"), perceiver.get("cols")
        if isinstance(rows, int) and isinstance(cols, int) and rows > 1 and rows * cols == units:
            return rows, cols
        cols = min(units, 10)
        return (units + cols - 1) // cols, cols

    def frame(self, name="metrics"):
        """A table of the run as a pandas DataFrame (pandas is needed here
        only): 'metrics', 'final', 'schedules', 'quality' or 'curves'."""
        import pandas as pd
        if name == "quality":
            return pd.DataFrame([self.quality])
        if name == "curves":
            return self.curves.frame()
        if name not in ("metrics", "final", "schedules"):
            raise ValueError(f"no table named {name!r}: metrics, final, schedules, "
                             "quality or curves")
        return pd.DataFrame(getattr(self, name))


def load(path):
    """The run in folder ``path`` (a :class:`Run`; its files are read when used)."""
    return Run(path)
