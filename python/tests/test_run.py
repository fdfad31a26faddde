"""somaif.run and somaif.resume through the real somaif-run."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import somaif

from conftest import QUICK_EPOCHS


def test_run_returns_the_run_it_wrote(quick_run):
    assert os.path.isdir(quick_run.path)
    assert quick_run.provenance["plugins"]["perceiver"]["name"] == "ringsom"
    assert quick_run.metrics["epoch"].max() == QUICK_EPOCHS - 1


def test_overrides_reach_the_run(tmp_path, quick_cfg, need_somaif_run):
    run = somaif.run(quick_cfg, output=tmp_path / "r", seed=3, threads=1, quiet=True,
                     perceiver__units=7, overrides={"experiment.epochs": 40})
    assert run.config["perceiver"]["units"] == 7
    assert run.config["experiment"]["seed"] == 3
    assert run.prototypes.shape[0] == 7 and run.final.shape == (7,)
    assert run.metrics["epoch"].max() == 39


def test_a_failing_config_raises_with_the_message(tmp_path, quick_cfg, need_somaif_run):
    with pytest.raises(somaif.SomaifError) as e:
        somaif.run(quick_cfg, output=tmp_path / "r", quiet=True, perceiver__units="many")
    assert e.value.status == 2
    assert "perceiver.units" in str(e.value) and "integer" in str(e.value)
    assert "perceiver.units" in e.value.message


def test_a_missing_config_raises(tmp_path, need_somaif_run):
    with pytest.raises(somaif.SomaifError) as e:
        somaif.run(str(tmp_path / "nothing.cfg"), output=tmp_path / "r", quiet=True)
    assert e.value.status == 2 and "nothing.cfg" in str(e.value)


def test_default_output_folder_is_found(tmp_path, quick_cfg, need_somaif_run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = somaif.run(quick_cfg, quiet=True, experiment__epochs=20)
    assert os.path.dirname(run.path) == str(tmp_path / "runs")
    assert run.metrics["epoch"].max() == 19


@pytest.mark.parametrize("value, text", [
    (True, "true"), (3, "3"), (2.0, "2.0"), (1e-05, "1e-05"), ("a\"b", '"a\\"b"'),
    ([1.0, 2.5], "[1.0, 2.5]"), ({"plugin": "arm2", "length": 60.0},
                                '{ plugin = "arm2"; length = 60.0; }'),
    (np.int64(4), "4"), (np.float32(0.5), "0.5"),
])
def test_values_are_written_as_config_text(value, text):
    assert somaif.format_value(value) == text


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError):
        somaif.format_value(float("nan"))


def test_ctrl_c_checkpoints_and_resume_finishes_the_same_run(tmp_path, quick_cfg,
                                                             need_somaif_run):
    """SIGINT to a Python running somaif.run reaches somaif-run once: it
    stops with a checkpoint, Interrupted is raised, and resume() finishes a
    run equal to one never interrupted."""
    # Long enough that the signal, sent at the first tenth, lands well before
    # the end even on a loaded machine (600 epochs, 0.26 s, once did not).
    epochs = 4000
    script = textwrap.dedent(f"""
        import sys, somaif
        try:
            somaif.run({quick_cfg!r}, output={str(tmp_path / 'cut')!r}, threads=1,
                       experiment__epochs={epochs})
        except somaif.Interrupted as e:
            print("interrupted", e.status, e.output)
            sys.exit(0)
        print("finished")
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    # The first progress line: the run is under way, with most of it left.
    for line in child.stderr:
        if "epoch" in line:
            break
    child.send_signal(signal.SIGINT)
    out, err = child.communicate()
    assert child.returncode == 0, err
    assert out.startswith("interrupted 130"), out + err
    assert os.path.exists(tmp_path / "cut" / "checkpoint.bin")
    resumed = somaif.resume(tmp_path / "cut", threads=2, quiet=True)
    whole = somaif.run(quick_cfg, output=tmp_path / "whole", threads=2, quiet=True,
                       experiment__epochs=epochs)
    assert np.array_equal(resumed.metrics, whole.metrics)
    assert np.array_equal(resumed.prototypes, whole.prototypes)


def test_a_missing_program_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("SOMAIF_RUN", str(tmp_path / "no-such-somaif-run"))
    with pytest.raises(somaif.SomaifError, match="no-such-somaif-run"):
        somaif.run("quick", quiet=True)
