"""somaif from Python: run experiments and read their run folders.

    import somaif
    r = somaif.run("quick", seed=2, perceiver__units=12)   # runs somaif-run
    r.final["accuracy"].mean()                           # numpy structured arrays
    r.frame("metrics")                                   # a pandas DataFrame
    somaif.plot.curves(r, ax=ax)                         # matplotlib, into an axes

    r = somaif.load("runs/quick-20260101-120000")        # an existing run folder
    s = somaif.load_sweep("sweeps/betas")                # a sweep: summary and runs
    c = somaif.chain(r, chain__targets="c,i")            # runs somaif-chain on a run

numpy is needed; pandas only by the frame() methods and matplotlib only by
somaif.plot's functions.  The run folder's files are described in
docs/run-folder.md; this package is described in docs/python.md.
"""

from . import plot
from ._csv import CSVError
from ._chain import Chain, load_chain
from ._process import Interrupted, SomaifError, chain, format_value, resume, run, sweep
from ._rundir import Run, RunFolderError, load
from ._sweep import Sweep, load_sweep
from .curves import Curves, compute_curves

__version__ = "0.1.0"

__all__ = ["Run", "Sweep", "Chain", "Curves", "load", "load_sweep", "load_chain", "run",
           "resume", "sweep", "chain",
           "compute_curves", "plot", "format_value", "SomaifError", "Interrupted",
           "RunFolderError", "CSVError", "__version__"]
