#!/usr/bin/env python3
"""Time somaif.load(RUN) plus the first access of its metrics and final,
with each CSV engine, against np.loadtxt on the same metrics.csv.

    PYTHONPATH=python python3 python/bench-load.py runs/seed [REPEATS]

A benchmark, not a test: it prints timings (best of REPEATS, wall and CPU)
and asserts nothing about them.
"""
import os
import sys
import time

import numpy as np

import somaif


def best(function, repeats):
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def load_and_touch(path, engine):
    os.environ["SOMAIF_CSV_ENGINE"] = engine
    run = somaif.load(path)
    return run.metrics.size + run.final.size


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rows = somaif.load(path).metrics.size
    print(f"numpy {np.__version__}; {path}: {rows} metrics rows; best of {repeats}")
    cases = [("somaif.load + metrics + final (default engine)",
              lambda: load_and_touch(path, "")),
             ("  the same with engine 'swar'", lambda: load_and_touch(path, "swar")),
             ("  the same with engine 'loadtxt'", lambda: load_and_touch(path, "loadtxt")),
             ("np.loadtxt(metrics.csv) alone",
              lambda: np.loadtxt(f"{path}/metrics.csv", delimiter=",", skiprows=1))]
    for label, function in cases:
        wall, cpu = best(function, repeats)
        print(f"{label:50s} wall {wall:.3f} s  cpu {cpu:.3f} s")


if __name__ == "__main__":
    main()
