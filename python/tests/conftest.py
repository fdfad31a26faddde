"""Shared fixtures: a real quick run written by somaif-run, once per session.

Run through make check (tests/test-python.sh), which points SOMAIF_RUN,
SOMAIF_PLUGIN_PATH and SOMAIF_CONFIGS at the build and source trees.
"""
import os
import shutil

import pytest

import somaif

# Short runs keep the suite quick, under sanitizers too.
QUICK_EPOCHS = 300


def configs_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("SOMAIF_CONFIGS") or os.path.join(here, "..", "..", "configs")


@pytest.fixture(scope="session")
def quick_cfg():
    return os.path.join(configs_dir(), "quick.cfg")


@pytest.fixture(scope="session")
def need_somaif_run():
    if not os.environ.get("SOMAIF_RUN") and not shutil.which("somaif-run"):
        pytest.skip("no somaif-run: run through make check, or set SOMAIF_RUN")


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory, quick_cfg, need_somaif_run):
    """quick.cfg for QUICK_EPOCHS epochs on 2 threads."""
    out = tmp_path_factory.mktemp("quick") / "run"
    return somaif.run(quick_cfg, output=out, threads=2, quiet=True,
                      experiment__epochs=QUICK_EPOCHS)
