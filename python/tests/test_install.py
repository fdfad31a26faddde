"""The installed package, from a DESTDIR install of this build tree: the
command of the documentation runs quick with the installed somaif-run."""
import os
import subprocess
import sys

import pytest

COMMAND = ("import somaif; r = somaif.run('quick'); "
           "print(r.final['accuracy'].mean())")


def pc_variable(builddir, name):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(builddir, "core"))
    return subprocess.run(["pkg-config", f"--variable={name}", "somaif"], env=env,
                          check=True, capture_output=True, text=True).stdout.strip()


def test_installed_package_runs_quick(tmp_path):
    build = os.environ.get("G_TEST_BUILDDIR")
    pythondir = os.environ.get("SOMAIF_PYTHONDIR")
    if not build or not pythondir:
        pytest.skip("run through make check (needs G_TEST_BUILDDIR and SOMAIF_PYTHONDIR)")
    builddir = os.path.dirname(build.rstrip("/"))
    root = tmp_path / "root"
    make = os.environ.get("MAKE", "make")
    done = subprocess.run([make, "-C", builddir, "install", f"DESTDIR={root}"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    under = lambda path: str(root) + path  # noqa: E731
    package = under(pythondir)
    assert os.path.exists(os.path.join(package, "somaif", "__init__.py"))
    # Only the installed files: no source tree, no build tree on any path.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SOMAIF_RUN", "SOMAIF_SWEEP", "SOMAIF_PLUGIN_PATH")}
    env.update(PYTHONPATH=package,
               PATH=under(pc_variable(builddir, "bindir")) + os.pathsep + env.get("PATH", ""),
               LD_LIBRARY_PATH=under(pc_variable(builddir, "libdir")),
               SOMAIF_PLUGIN_PATH=under(pc_variable(builddir, "pluginsdir")),
               SOMAIF_CONFIGS_DIR=under(pc_variable(builddir, "configsdir")))
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", COMMAND], cwd=work, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert float(done.stdout.strip().splitlines()[-1]) > 0
    # It imported the installed copy, and wrote the run where somaif-run does.
    where = subprocess.run([sys.executable, "-c", "import somaif; print(somaif.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True).stdout
    assert where.startswith(package)
    assert len(os.listdir(work / "runs")) == 1
