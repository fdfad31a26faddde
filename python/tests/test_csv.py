"""The CSV reader: exact values, integer columns, errors naming the place."""
import numpy as np
import pytest

from somaif._csv import CSVError, read_numeric, read_table

ENGINES = ["swar", "loadtxt"]


def write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["%.10g", "%.17g", "%.3f", "%g", "%d"])
def test_values_equal_pythons_float(tmp_path, engine, fmt):
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.standard_normal(3000) * 10.0 ** rng.integers(-9, 13, 3000),
                             rng.integers(-10 ** 6, 10 ** 6, 500), [0.0, -0.0]])
    lines = [f"{fmt % v},{fmt % abs(v * 3)}" for v in values]
    path = write(tmp_path / "x.csv", "x,y\n" + "\n".join(lines) + "\n")
    table = read_numeric(path, engine=engine)
    expected = np.array([[float(t) for t in line.split(",")] for line in lines])
    assert np.array_equal(table["x"], expected[:, 0])
    assert np.array_equal(table["y"], expected[:, 1])
    assert np.array_equal(np.signbit(table["x"]), np.signbit(expected[:, 0]))


@pytest.mark.parametrize("engine", ENGINES)
def test_special_tokens_and_integer_columns(tmp_path, engine):
    path = write(tmp_path / "x.csv", "n,v\n1,nan\n-2,-inf\n30,1e-05\n4,6.709252810e-04\n5,7")
    table = read_numeric(path, ("n",), engine=engine)
    assert table.dtype == np.dtype([("n", np.int64), ("v", np.float64)])
    assert table["n"].tolist() == [1, -2, 30, 4, 5]
    assert np.isnan(table["v"][0]) and table["v"][1] == -np.inf
    assert table["v"][2:].tolist() == [1e-05, 6.709252810e-04, 7.0]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("text, where", [
    pytest.param("a,b\n1,2\n3,x\n", "line 3", id="not-a-number"),
    pytest.param("a,b\n1,2\n3\n", "line 3", id="short-row"),
    pytest.param("a,b\n1,2.5.1\n", "line 2", id="two-dots"),
    pytest.param("a,b\n1,2\n4-5,1\n", "line 3", id="inner-minus"),
])
def test_errors_name_the_file_and_line(tmp_path, engine, text, where):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(CSVError) as e:
        read_numeric(path, engine=engine)
    assert path in str(e.value) and where in str(e.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_integer_column_refuses_a_fraction(tmp_path, engine):
    path = write(tmp_path / "x.csv", "a,b\n1,2\n3.5,4\n")
    with pytest.raises(CSVError, match="line 3"):
        read_numeric(path, ("a",), engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_crlf_and_blank_lines_are_accepted(tmp_path, engine):
    path = write(tmp_path / "x.csv", "a,b\r\n1,2.5\r\n\r\n3,4\r\n\n")
    assert read_numeric(path, ("a",), engine=engine).tolist() == [(1, 2.5), (3, 4.0)]


@pytest.mark.parametrize("engine", ENGINES)
def test_header_only_gives_no_rows(tmp_path, engine):
    table = read_numeric(write(tmp_path / "x.csv", "a,b\n"), ("a",), engine=engine)
    assert table.shape == (0,) and table.dtype.names == ("a", "b")


def test_table_types_columns_by_their_values(tmp_path):
    path = write(tmp_path / "s.csv", 'perceiver.plugin,runs,accuracy_mean\n'
                 'ringsom,2,1.5\n"grid,som",3,2\n')
    table = read_table(path)
    assert table["perceiver.plugin"].tolist() == ["ringsom", "grid,som"]
    assert table["runs"].dtype == np.int64 and table["accuracy_mean"].dtype == np.float64
