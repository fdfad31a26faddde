"""A real quick run read back: every file as docs/run-folder.md describes it."""
import importlib.util
import os
import re

import numpy as np
import pytest

import somaif

from conftest import QUICK_EPOCHS

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                    "run-folder.md")


def spec_section(title):
    """The text of docs/run-folder.md's section '## title' (up to the next)."""
    text = open(SPEC, encoding="utf-8").read()
    m = re.search(r"^## " + re.escape(title) + r"\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"docs/run-folder.md has no section '{title}'"
    return m.group(1)


def spec_header(title):
    """The CSV header the section shows (its first indented line)."""
    return re.search(r"^    (\S+)$", spec_section(title), re.M).group(1).split(",")


def spec_rows(title):
    """The cells of the section's table rows, less the header and rule."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in spec_section(title).splitlines() if line.startswith("|")]
    return rows[2:]


def symbols(run):
    c = run.config
    return {"U": c["perceiver"]["units"], "H": c["renderer"]["height"],
            "W": c["renderer"]["width"], "D": c["generator"]["units"],
            "P": c["experiment"]["steps"] + 1}


@pytest.mark.parametrize("attr, title", [
    ("metrics", "metrics.csv"), ("final", "final.csv"), ("quality", "quality.csv"),
    ("curves", "curves.csv and curves.png"),
])
def test_csv_columns_are_the_specs(quick_run, attr, title):
    if attr == "quality":
        names = list(quick_run.quality)
    elif attr == "curves":
        names = list(quick_run.frame("curves").columns) if _pandas() else \
            ["visit", "goals", "accuracy_mean", "accuracy_ci95", "complexity_mean",
             "complexity_ci95"]
    else:
        names = list(getattr(quick_run, attr).dtype.names)
    assert names == spec_header(title)


def _pandas():
    return importlib.util.find_spec("pandas") is not None


def test_metrics_types_and_rows_are_the_specs(quick_run):
    metrics = quick_run.metrics
    for column, kind, _ in spec_rows("metrics.csv"):
        name = column.strip("`")
        expected = np.int64 if kind.startswith("integer") else np.float64
        assert metrics.dtype[name] == expected, name
    # One goal an epoch, epochs ascending, candidates from 0 within an epoch.
    assert metrics["epoch"][0] == 0 and metrics["epoch"][-1] == QUICK_EPOCHS - 1
    assert np.all(np.diff(metrics["epoch"]) >= 0)
    first = np.flatnonzero(np.diff(metrics["epoch"], prepend=-1))
    assert np.all(metrics["candidate"][first] == 0)
    units = symbols(quick_run)["U"]
    assert metrics["goal"].min() >= 0 and metrics["goal"].max() < units
    assert np.allclose(metrics["free_energy"], metrics["accuracy"] + metrics["complexity"],
                       rtol=1e-8)


def test_final_has_a_row_per_goal(quick_run):
    final = quick_run.final
    assert final["goal"].tolist() == list(range(symbols(quick_run)["U"]))
    assert final.dtype["goal"] == np.int64 and final.dtype["distance"] == np.float64


def test_model_arrays_have_the_specs_dtypes_and_shapes(quick_run):
    sizes = symbols(quick_run)
    checked = 0
    for name, dtype, shape in spec_rows("model/ and snapshots/"):
        path = name.strip("`")
        code = re.search(r"`([<>|][a-z]\d+)`", dtype).group(1)
        dims = tuple(int(s) if s.strip().isdigit() else sizes[s.strip()]
                     for s in re.match(r"\(([^)]*)\)", shape).group(1).split(","))
        if path.startswith("snapshots/"):
            arrays = list(quick_run.snapshots.values())
        else:
            arrays = [getattr(quick_run, os.path.basename(path)[:-4])]
        assert arrays, path
        for array in arrays:
            assert array.dtype == np.dtype(code), path
            assert array.shape == dims, path
        checked += 1
    assert checked == 5


def test_snapshots_every_tenth_of_the_run(quick_run):
    every = QUICK_EPOCHS // quick_run.config["experiment"]["snapshots"]
    assert sorted(quick_run.snapshots) == list(range(every, QUICK_EPOCHS + 1, every))


def test_reservoir_is_the_generators_arrays(quick_run):
    units = quick_run.config["generator"]["units"]
    outputs = quick_run.config["generator"]["outputs"]
    shapes = {k: v.shape for k, v in quick_run.reservoir.items()}
    assert shapes == {"w_r": (units, units), "b_r": (units,), "w_o": (outputs, units),
                      "b_o": (outputs,)}


def test_config_and_provenance(quick_run, quick_cfg):
    assert quick_run.config["experiment"]["epochs"] == QUICK_EPOCHS
    assert quick_run.config["perceiver"]["plugin"] == "ringsom"
    p = quick_run.provenance
    assert p["schema"] == 1 and p["config"] == quick_cfg and p["threads"] == 2
    assert set(p["plugins"]) == {"generator", "plant", "renderer", "perceiver", "optimiser"}
    assert quick_run.finished


def test_load_reads_nothing_until_asked(quick_run):
    run = somaif.load(quick_run.path)
    assert not {"metrics", "final", "prototypes", "config"} & set(vars(run))
    assert np.array_equal(run.metrics, quick_run.metrics)
    assert "metrics" in vars(run) and "final" not in vars(run)


def test_frames_hold_the_same_tables(quick_run):
    pytest.importorskip("pandas")
    frame = quick_run.frame("metrics")
    assert list(frame.columns) == list(quick_run.metrics.dtype.names)
    assert np.array_equal(frame["accuracy"].to_numpy(), quick_run.metrics["accuracy"])
    assert frame["epoch"].dtype == np.int64
    assert quick_run.frame("quality").shape == (1, 2)


def test_a_newer_schema_is_refused(quick_run, tmp_path):
    copy = tmp_path / "run"
    copy.mkdir()
    text = open(os.path.join(quick_run.path, "run.json")).read()
    (copy / "run.json").write_text(re.sub(r'"schema"\s*:\s*\d+', '"schema": 99', text))
    with pytest.raises(somaif.RunFolderError, match="schema"):
        somaif.load(copy)


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    with pytest.raises(somaif.RunFolderError, match="not a run folder"):
        somaif.load(tmp_path)
    with pytest.raises(somaif.RunFolderError, match="no such folder"):
        somaif.load(tmp_path / "absent")
