"""somaif.chain and load_chain through the real somaif-chain, on the quick run."""
import os
import shutil

import numpy as np
import pytest

import somaif


@pytest.fixture(scope="module")
def chained(tmp_path_factory, quick_run):
    if not os.environ.get("SOMAIF_CHAIN") and not shutil.which("somaif-chain"):
        pytest.skip("no somaif-chain: run through make check, or set SOMAIF_CHAIN")
    out = tmp_path_factory.mktemp("chain") / "c"
    return somaif.chain(quick_run, output=out, quiet=True, letters__samples=6,
                        chain__targets="c,i")


def test_tables_name_the_targets_and_classes(chained):
    assert chained.classes == ["c", "i"]
    assert chained.summary["target"].tolist() == ["c", "i"]
    names = chained.steps.dtype.names
    assert names[:7] == ("target", "step", "primitive", "G", "risk", "ambiguity",
                         "cross_entropy")
    assert names[-2:] == ("q_c", "q_i")


def test_arrays_have_the_documented_shapes(chained, quick_run):
    targets, steps = chained.chained.shape
    assert targets == 2 and chained.q.shape == (2, steps, 2)
    points = quick_run.trajectories.shape[1]
    assert chained.points.shape == (2, 1 + steps * (points - 1), 2)
    assert chained.class_filters.shape == (2,) + quick_run.prototypes.shape[1:]
    assert chained.class_filters.dtype == np.float32


def test_primitives_agree_across_files(chained):
    for t, target in enumerate(["c", "i"]):
        assert chained.primitives[target] == chained.chained[t].astype(int).tolist()
        rows = chained.steps[chained.steps["target"] == target]
        assert rows["primitive"].tolist() == chained.primitives[target]
        assert np.allclose(rows["q_c"], chained.q[t, :, 0])


def test_load_chain_reads_the_folder_and_refuses_others(chained, tmp_path):
    assert somaif.load_chain(chained.path).primitives == chained.primitives
    with pytest.raises(somaif.RunFolderError, match="not a chain folder"):
        somaif.load_chain(tmp_path)
