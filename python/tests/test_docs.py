"""docs/python.md's walk-through runs as written (each ```python block in
turn, as notebook cells), on a shortened quick config."""
import os
import re

import pytest

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                   "python.md")


def cells():
    text = open(DOC, encoding="utf-8").read()
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def test_the_walk_through_runs(tmp_path, quick_cfg, need_somaif_run, monkeypatch):
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib").use("Agg")
    # 'quick' here is quick.cfg for 100 epochs, for somaif-run and the sweep.
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "quick.cfg").write_text(
        open(quick_cfg).read().replace("epochs = 2000;", "epochs = 100;"))
    monkeypatch.setenv("SOMAIF_CONFIGS_DIR", str(configs))
    monkeypatch.chdir(tmp_path)
    found = cells()
    assert len(found) >= 6
    namespace = {}
    for code in found:
        exec(compile(code, DOC, "exec"), namespace)
    # The last cells' names: the two seeds' runs and the sweep.
    assert namespace["r2"].config["experiment"]["seed"] == 2
    assert len(namespace["s"].runs) == 4
