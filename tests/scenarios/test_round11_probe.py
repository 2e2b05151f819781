"""Round 11's probe: tables and habits of more users (Google Sheets, LibreOffice, R,
pandas, psql, scikit-learn, Keras and shell users), each case a defect found and fixed."""

from __future__ import annotations

import pytest

from numpynn.cli.main import build_parser
from numpynn.errors import InputError
from tests.clirun import numpynn


def _parse(*argv: str):
    return build_parser(argv[:1], argv).parse_args(list(argv))


@pytest.mark.parametrize("argv,dest,value", [
    (["train", "--data", "x.csv", "--epochs", "5.0"], "epochs", 5),
    (["train", "--data", "x.csv", "--batch-size", "32.0"], "batch_size", 32),
    (["train", "--data", "x.csv", "--epochs", "1e2"], "epochs", 100),
    (["train", "--data", "x.csv", "--hidden", "64.0,32"], "hidden", [64, 32]),
    (["search", "--data", "x.csv", "--trials", "4.0"], "trials", 4),
    (["search", "--data", "x.csv", "--jobs", "2.0"], "jobs", 2),
    (["search", "--data", "x.csv", "--epochs", "2.0,3"], "epochs", (2, 3)),
    (["explain", "--batch", "4.0"], "batch", 4),
])
def test_a_whole_number_written_as_a_float_is_an_integer_option_value(argv, dest, value):
    parsed = vars(_parse(*argv))
    assert parsed[dest] == value and type(
        parsed[dest][0] if isinstance(value, (list, tuple)) else parsed[dest]) is int


@pytest.mark.parametrize("argv,said", [
    (["train", "--data", "x.csv", "--epochs", "5.5"], "--epochs: expected an integer in "
     "1..1000000, got '5.5' (not a whole number)"),
    (["search", "--data", "x.csv", "--jobs", "1.5"], "got '1.5' (not a whole number)"),
    (["train", "--data", "x.csv", "--batch-size", "nan"], "got 'nan' (not a whole number)"),
    (["train", "--data", "x.csv", "--epochs", "1e400"], "beyond a float's range"),
    (["train", "--data", "x.csv", "--epochs", "five"], "got 'five' (see"),
])
def test_a_number_that_is_not_whole_is_still_refused_saying_so(argv, said):
    with pytest.raises(InputError) as err:
        _parse(*argv)
    assert said in str(err.value)


def _table(path, text):
    path.write_text(text)
    return path


def test_a_column_is_numbered_in_messages_as_the_column_options_take_it(tmp_path):
    """Messages said "column 2" for the column --ignore-columns takes as 1: now both
    count from 0, said "column index 1"."""
    rows = "".join(f"{i},{'abc' if i == 3 else i * 2},{i % 2}\n" for i in range(20))
    _table(tmp_path / "n.csv", "a,b,label\n" + rows)
    result = numpynn("train", "--data", "n.csv", "--out", "r", cwd=tmp_path)
    assert result.returncode == 2
    assert "'b' (column index 1): cannot read 'abc'" in result.stderr
    assert "--ignore-columns b" in result.stderr or "--ignore-columns 1" in result.stderr


def test_ignoring_every_feature_says_so_and_not_delimiter(tmp_path):
    rows = "".join(f"{i},{i * 2},{i % 2}\n" for i in range(20))
    _table(tmp_path / "t.csv", "a,b,label\n" + rows)
    result = numpynn("train", "--data", "t.csv", "--ignore-columns", "a,1", "--out", "r",
                     cwd=tmp_path)
    assert result.returncode == 2 and "--delimiter" not in result.stderr
    assert ("no feature column is left of its 3 columns (the label is 'label' (column index "
            "2); --ignore-columns leaves out 'a' (column index 0), 'b' (column index 1)); "
            "ignore fewer columns") in result.stderr


@pytest.mark.parametrize("cells,said", [
    (["0,5", "1,25"], "df['a'] = df['a'].str.replace(',', '.').astype(float) (a decimal comma"),
    (["45%", "3%"], "df['a'] = df['a'].str.rstrip('%').astype(float) / 100"),
    (["1,200", "2,300"], "df['a'] = df['a'].str.replace(',', '').astype(float) (thousands"),
    (["3.5", "4"], "df['a'] = df['a'].astype(float)"),
    (["$1,200.50", "$3"], "rewrite df['a'] as plain numbers"),
])
def test_a_dataframe_column_of_numbers_as_text_is_named_with_its_conversion(cells, said):
    """A decimal-comma column of a DataFrame (read without decimal=',') was called one of
    "text or categories", with a OneHotEncoder as the advice: a category per number."""
    import numpy as np
    import pandas as pd

    from numpynn.sklearn import MLPClassifier, MLPRegressor

    frame = pd.DataFrame({"a": (cells * 10)[:20], "b": np.arange(20.0)})
    with pytest.raises(ValueError) as err:
        MLPClassifier(max_iter=1).fit(frame, np.arange(20) % 2)
    assert "1 column(s) of numbers stored as text ['a']" in str(err.value)
    assert said in str(err.value) and "OneHotEncoder" not in str(err.value)
    if not cells[0][0].isdigit() or "," in cells[0] or "%" in cells[0]:
        with pytest.raises(ValueError) as err:
            MLPRegressor(max_iter=1).fit(np.arange(40.0).reshape(20, 2), (cells * 10)[:20])
        assert "y holds numbers stored as text" in str(err.value)
        assert said.replace("df['a'] = df['a']", "y = pd.Series(y)").replace(
            "df['a']", "y") in str(err.value)
