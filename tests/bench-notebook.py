#!/usr/bin/env python3
"""Times the notebook somaif reproduces against somaif-run, on this machine.

A benchmark, not a test: nothing is asserted.  It runs the notebook's own code
("Motor sequence learning with SOMs and AIF", the copy you have: .ipynb, or
its Markdown export) for a sample of its training epochs, spread evenly over
its run, and estimates its whole run from them; then it times the seed
experiment whole with somaif-run, all its outputs written, on all cores and on
one; and it prints the ratios, with the CPU model and the versions beside
them.  The notebook is not part of somaif: give its path.

    make bench-notebook NOTEBOOK=path/to/notebook.ipynb
    tests/bench-notebook.py [--epochs N] [--in-order] [-j N] [--somaif-run PATH]
                            [--config CFG] [--seed N] NOTEBOOK

Running the notebook needs what it imports: numpy, torch and matplotlib
(Debian: python3-numpy python3-torch python3-matplotlib); tqdm is replaced
by a plain loop, and matplotlib draws off screen (Agg), as the notebook's
images are read back from the canvas anyway.  The cells after the training
loop (its figures) are not run.

Exit status: 0 done; 1 a run failed (the notebook's code or somaif-run);
2 bad usage, or a notebook without the cells this needs; 130 interrupted
(Ctrl-C).
"""

import argparse
import importlib.util
import json
import os
import platform
import re
import sys
import tempfile
import time
import types

#: The notebook's training loop, as it is written; it becomes a loop over the
#: sampled epochs.
LOOP = re.compile(r"^(?P<indent>[ \t]*)for\s+e\s+in\s+tqdm\(\s*range\(\s*epochs\s*\)\s*\)\s*:",
                  re.MULTILINE)
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


class NotebookError(Exception):
    """A notebook this cannot run: the message names the file and what is missing."""


def code_cells(path):
    """The notebook's code cells, in order: a list of (number, source).

    path is an .ipynb (JSON: the cells whose cell_type is "code") or a Markdown
    export (the ```python blocks).  Numbers count from 1 among code cells.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as err:
        raise NotebookError(f"{path}: cannot read it: {err.strerror}") from None
    if path.endswith(".ipynb"):
        try:
            nb = json.loads(text)
            cells = [c for c in nb["cells"] if c.get("cell_type") == "code"]
            sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                       for c in cells]
        except (ValueError, KeyError, TypeError) as err:
            raise NotebookError(f"{path}: not a Jupyter notebook ({err})") from None
    else:
        sources = FENCE.findall(text)
    sources = [s for s in sources if s.strip()]
    if not sources:
        raise NotebookError(f"{path}: no Python code cell")
    return list(enumerate(sources, start=1))


def split_at_training(path, cells):
    """(setup, training, cell number): the cells before the training loop's,
    joined, and that cell with its loop over the sampled epochs
    (__bench_epochs__, a name this gives it)."""
    for i, (number, source) in enumerate(cells):
        if LOOP.search(source):
            training = LOOP.sub(r"\g<indent>for e in __bench_epochs__:", source, count=1)
            setup = "\n\n".join(s for _, s in cells[:i])
            return setup, training, number
    raise NotebookError(f"{path}: no code cell holds the training loop "
                        "'for e in tqdm(range(epochs)):'")


def sampled_epochs(epochs, n):
    """n epochs spread evenly over range(epochs), the first (0, where the map
    is set up) among them."""
    n = max(1, min(n, epochs))
    return sorted({(k * epochs) // n for k in range(n)})


def plain_tqdm():
    """A tqdm.notebook whose tqdm is the plain iterable (a notebook widget
    needs a browser; a progress bar would be timed too)."""
    if importlib.util.find_spec("tqdm") is None:
        sys.modules.setdefault("tqdm", types.ModuleType("tqdm"))  # a parent for the stub
    stub = types.ModuleType("tqdm.notebook")
    stub.tqdm = lambda iterable=None, *args, **kwargs: iterable
    sys.modules["tqdm.notebook"] = stub


def time_notebook(path, n, seed, in_order=False):
    """Runs the notebook's setup cells, then its training cell over n sampled
    epochs (in_order: its first n): (the epochs, seconds of wall and of CPU
    for them, the epochs of the whole run, versions)."""
    setup, training, number = split_at_training(path, code_cells(path))
    os.environ["MPLBACKEND"] = "Agg"  # off screen, whatever the caller's default
    plain_tqdm()
    ns = {"__name__": "__notebook__"}
    try:
        exec(compile(setup, f"{path} (the cells before {number})", "exec"), ns)
    except Exception as err:
        raise RuntimeError(f"{path}: the cells before the training loop failed: "
                           f"{type(err).__name__}: {err}") from err
    if not isinstance(ns.get("epochs"), int):
        raise NotebookError(f"{path}: the cells before the training loop set no integer 'epochs'")
    # The notebook seeds nothing; seeded here, two benches draw the same.
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    ns["__bench_epochs__"] = (list(range(min(n, ns["epochs"]))) if in_order
                              else sampled_epochs(ns["epochs"], n))
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        exec(compile(training, f"{path} (cell {number}, the training loop)", "exec"), ns)
    except Exception as err:
        raise RuntimeError(f"{path}: the training loop failed: {type(err).__name__}: {err}") \
            from err
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    versions = [f"Python {platform.python_version()}"]
    for name in ("numpy", "torch", "matplotlib"):
        module = sys.modules.get(name)
        if module is not None:
            versions.append(f"{name} {getattr(module, '__version__', '?')}")
            if name == "torch":
                versions[-1] += f" on {module.get_num_threads()} thread(s)"
    versions = ", ".join(versions)
    return len(ns["__bench_epochs__"]), wall, cpu, ns["epochs"], versions


def time_somaif(config, threads, seed, out):
    """One somaif-run of config into out, through the somaif package: (wall
    seconds, the threads it ran, its epochs, the CPU as run.json names it).
    threads None: somaif-run's default (the cores); seed None: the config's."""
    import somaif
    t0 = time.perf_counter()
    try:
        run = somaif.run(config, out, seed=seed, threads=threads, force=True, quiet=True)
    except somaif.SomaifError as err:
        raise RuntimeError(str(err)) from err
    wall = time.perf_counter() - t0
    experiment = run.config.get("experiment", {})
    return (wall, run.provenance.get("threads", threads), experiment.get("epochs"),
            run.provenance.get("cpu", "an unknown CPU"))


def times(ratio):
    """A ratio with the digits it needs: 1567x, 12.5x, 0.84x."""
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:.1f}x" if ratio >= 10 else f"{ratio:.2f}x"


def on_threads(t):
    """somaif-run's threads as the lines say them: 1 thread, 2 threads."""
    return f"{t} thread{'s' if t > 1 else ''}"


def minutes(seconds):
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        prog="bench-notebook.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Times the notebook somaif reproduces against somaif-run on this machine.",
        epilog="Exit status:\n"
               "  0  done\n"
               "  1  a run failed (the notebook's code, or somaif-run)\n"
               "  2  bad usage, or a notebook without the cells this needs\n"
               "  130  interrupted (Ctrl-C)")
    ap.add_argument("notebook", metavar="NOTEBOOK",
                    help="the notebook: .ipynb, or its Markdown export")
    ap.add_argument("--epochs", type=int, default=200, metavar="N",
                    help="the notebook's epochs timed, spread evenly over its run "
                         "(default 200)")
    ap.add_argument("--in-order", action="store_true",
                    help="time the notebook's first N epochs instead (to check the estimate)")
    ap.add_argument("-j", "--threads", type=int, default=None, metavar="N",
                    help="somaif-run's threads in its first run; its second runs on 1 "
                         "(default: somaif-run's, all cores)")
    ap.add_argument("--somaif-run", default=None, metavar="PATH",
                    help="the somaif-run to time (default: $SOMAIF_RUN, else the one on PATH)")
    ap.add_argument("--config", default=os.path.join(here, "..", "configs", "seed.cfg"),
                    metavar="CFG", help="somaif's config of the notebook's experiment "
                                        "(default: configs/seed.cfg)")
    ap.add_argument("--seed", type=int, default=None, metavar="N",
                    help="the experiment's seed: numpy's and torch's in the notebook (default "
                         "1), experiment.seed in somaif-run (default: the config's)")
    args = ap.parse_args(argv)
    if args.epochs < 1 or (args.threads is not None and args.threads < 1):
        ap.error("--epochs and --threads must be at least 1")

    print(f"bench-notebook: {os.cpu_count()} CPUs", flush=True)
    try:
        n, wall, cpu_s, epochs, versions = time_notebook(args.notebook, args.epochs,
                                                         1 if args.seed is None else args.seed,
                                                         args.in_order)
    except NotebookError as err:
        print(f"bench-notebook: {err}", file=sys.stderr)
        return 2
    except (RuntimeError, ImportError) as err:
        print(f"bench-notebook: {err}", file=sys.stderr)
        return 1
    per = wall / n
    whole = per * epochs
    which = (f"its first {n} of {epochs} epochs" if args.in_order
             else f"{n} of its {epochs} epochs, spread evenly over its run,")
    print(f"the notebook: {which} in "
          f"{wall:.1f} s ({cpu_s:.1f} CPU-seconds): {1000 * per:.1f} ms an epoch, so "
          f"{minutes(whole)} for its {epochs} ({versions})", flush=True)

    if args.somaif_run:
        os.environ["SOMAIF_RUN"] = args.somaif_run
    sys.path.insert(0, os.path.join(here, "..", "python"))
    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as tmp:
        walls = {}
        try:
            for j in (args.threads, 1):
                wall, t, ran, cpu = time_somaif(args.config, j, args.seed,
                                                os.path.join(tmp, f"run-{j}"))
                walls[t] = wall
                print(f"somaif-run on {on_threads(t)}: {wall:.2f} s, the whole "
                      f"run with all its outputs ({os.path.basename(args.config)}, {cpu})",
                      flush=True)
                if t == 1:
                    break
        except ImportError as err:
            print(f"bench-notebook: the somaif Python package (which runs somaif-run) cannot "
                  f"be imported: {err}", file=sys.stderr)
            return 1
        except (OSError, RuntimeError) as err:
            print(f"bench-notebook: {err}", file=sys.stderr)
            return 1

    if ran != epochs:
        # Not the notebook's experiment: the notebook's time for as many epochs.
        print(f"bench-notebook: {args.config} runs {ran} epochs, the notebook {epochs}: "
              f"compared with the notebook's time for {ran}, not like for like",
              file=sys.stderr)
        whole = per * ran
    cells = [cpu, f"{1000 * per:.1f} ms", minutes(whole)]
    head = ["CPU", "notebook, an epoch", f"notebook, {ran} epochs (estimated)"]
    for t in sorted(walls, reverse=True):
        print(f"somaif-run on {on_threads(t)} is {times(whole / walls[t])} "
              "as fast as the notebook")
        head += [f"somaif-run, {on_threads(t)}", "speed-up"]
        cells += [f"{walls[t]:.2f} s", times(whole / walls[t])]
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench-notebook: interrupted", file=sys.stderr)
        sys.exit(130)
