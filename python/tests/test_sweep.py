"""somaif.sweep and load_sweep through the real somaif-sweep."""
import os

import pytest

import somaif


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory, quick_cfg, need_somaif_run):
    folder = tmp_path_factory.mktemp("sweep")
    base = folder / "small.cfg"
    base.write_text(open(quick_cfg).read().replace("epochs = 2000;", "epochs = 60;"))
    spec = folder / "betas.cfg"
    spec.write_text('base = "small.cfg";\n'
                    'vary = ( { key = "experiment.beta"; values = [4.0, 8.0]; } );\n'
                    'seeds = { from = 1; count = 2; };\nthreads = 1;\n')
    return somaif.sweep(spec, output=folder / "out", jobs=2, quiet=True)


def test_summary_is_read_by_header_names(small_sweep):
    summary = small_sweep.summary
    assert summary["experiment.beta"].tolist() == [4.0, 8.0]
    assert summary["runs"].tolist() == [2, 2]
    assert "accuracy_mean" in summary.dtype.names and "complexity_ci95" in summary.dtype.names


def test_every_run_is_loaded(small_sweep):
    runs = small_sweep.runs
    assert sorted(runs) == ["beta=4-seed=1", "beta=4-seed=2", "beta=8-seed=1", "beta=8-seed=2"]
    for name, run in runs.items():
        # A sweep's runs are lean by default: curves.csv stands for metrics.csv.
        assert run.config["experiment"]["output"] == "lean"
        assert run.curves is not None and len(run.final) == 10
        with pytest.raises(somaif.RunFolderError, match="lean"):
            run.metrics
        assert run.config["experiment"]["beta"] == float(name[5])


def test_load_sweep_reads_the_same_folder(small_sweep):
    again = somaif.load_sweep(small_sweep.path)
    assert (again.summary == small_sweep.summary).all()


def test_a_failing_sweep_raises(tmp_path, need_somaif_run):
    spec = tmp_path / "bad.cfg"
    spec.write_text('base = "nothing.cfg";\nseeds = { from = 1; count = 1; };\n')
    with pytest.raises(somaif.SomaifError) as e:
        somaif.sweep(spec, output=tmp_path / "out", quiet=True)
    assert e.value.status == 2 and "nothing.cfg" in str(e.value)


def test_a_folder_that_is_no_sweep_is_refused(tmp_path):
    with pytest.raises(somaif.RunFolderError):
        somaif.load_sweep(tmp_path)
    assert not os.listdir(tmp_path)


def test_a_compact_run_reads_its_gzipped_metrics(tmp_path, quick_cfg, need_somaif_run):
    full = somaif.run(quick_cfg, output=tmp_path / "full", experiment__epochs=40, quiet=True)
    packed = somaif.run(quick_cfg, output=tmp_path / "compact", experiment__epochs=40,
                        experiment__output="compact", quiet=True)
    assert not os.path.exists(os.path.join(packed.path, "metrics.csv"))
    assert os.path.exists(os.path.join(packed.path, "metrics.csv.gz"))
    assert packed.metrics.dtype == full.metrics.dtype
    assert (packed.metrics == full.metrics).all()
