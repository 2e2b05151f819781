"""Round 17's probe of real tables (R's data sets of medicaldata, modeldata, stevedata and
causaldata, pandas' own ways of writing periods and lengths of time, files of other
tools): each case a defect found and fixed, reproduced on a small synthetic table."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.data.cells import duration_hours, number_value
from numpynn.data.csv_file import load_csv
from numpynn.errors import DataError
from tests.clirun import numpynn, ok

_QUICK = ("--epochs", "3", "--cv-folds", "1", "--quiet", "--no-report", "--out", "run")


def _rows(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n,) a feature that tells two classes apart, and the classes 0/1."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return y * 3 + rng.normal(0, 0.3, n), y


def test_numbers_in_fortrans_double_precision_notation_are_numbers(tmp_path):
    """A Fortran program writes a double as 0.1234567890123457D+01: every cell of the
    column was text that never repeats, so the column was left out as an identifier, the
    one feature that told the classes apart, with a note that called it free text."""
    a, y = _rows()
    lines = ["a,b,label"] + [f"{v:.15E},{0.5 * i:.6E},{k}".replace("E", "D")
                             for i, (v, k) in enumerate(zip(a, y))]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    ds = load_csv(tmp_path / "t.csv")
    assert ds.table.feature_names == ["a", "b"] and not ds.notes
    np.testing.assert_allclose(ds.X[:, 0], a, rtol=1e-12)
    assert number_value("-1.5d-3", False) == pytest.approx(-0.0015)
    assert number_value("12D3", False) is None  # a code, not a number


@pytest.mark.parametrize("write", ["{y}Q{q}", "{y} Q{q}", "{y}-Q{q}", "Q{q} {y}", "Q{q}-{y}"])
def test_quarters_as_pandas_and_statistics_offices_write_them_are_dates(tmp_path, write):
    """pandas writes a quarterly ``Period`` index as 2000Q1 (statistics offices: 2000 Q1,
    Q1 2000): the column was text whose values occur once, left out as an identifier, so
    a time series lost its time. A quarter is now a date (its first day), as a month
    named without its day is, at train and predict time alike."""
    a, y = _rows()
    lines = ["quarter,a,label"] + [f"{write.format(y=2000 + i // 4, q=i % 4 + 1)},{v:.3f},{k}"
                                   for i, (v, k) in enumerate(zip(a, y))]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    ds = load_csv(tmp_path / "t.csv")
    assert ds.table.feature_names == ["quarter", "a"] and not ds.table.categorical
    assert ds.X[0, 0] == 2000.0 and ds.X[6, 0] == pytest.approx(2001.5, abs=0.01)
    assert any("'quarter' (column index 0) holds dates" in n for n in ds.notes)


def test_lengths_of_time_as_pandas_and_iso_8601_write_them_are_hours(tmp_path):
    """pandas writes a ``Timedelta`` column as '0 days 02:33:14' (a web API as
    'PT2H33M14S'): the column was left out as an identifier or free text. Such a cell says
    its hours, minutes and seconds apart, so it is read as its hours, in training and in
    the files given to predict."""
    a, y = _rows()
    lines = ["a,wait,label"] + [f"{v:.3f},{'-1' if i == 3 else i % 3} days "
                                f"{'+' if i == 3 else ''}{(7 * i) % 24:02d}:{i % 60:02d}:30.5,{k}"
                                for i, (v, k) in enumerate(zip(a, y))]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    ds = load_csv(tmp_path / "train.csv")
    assert ds.table.feature_names == ["a", "wait"] and not ds.table.categorical
    assert ds.X[1, 1] == pytest.approx(24 + 7 + 1 / 60 + 30.5 / 3600)
    assert ds.X[3, 1] == pytest.approx(-24 + 21 + 3 / 60 + 30.5 / 3600)
    assert duration_hours("PT2H30M") == 2.5 and duration_hours("P1DT12H") == 36.0
    assert duration_hours("P") is None and duration_hours("13:45") is None
    ok(numpynn("train", "--data", "train.csv", *_QUICK, cwd=tmp_path))
    (tmp_path / "new.csv").write_text("a,wait\n0.1,0 days 01:00:00\n3.0,PT26H\n")
    result = ok(numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path))
    assert len(result.splitlines()) == 3


@pytest.mark.parametrize("ends", [("5+", "<1"), (">3",), (">=65", "≤2")])
def test_a_surveys_answer_codes_with_their_open_ends_are_categories(tmp_path, ends):
    """openintro's ``yrbss`` asks hours of TV a day: 1, 2, 3, 4, '5+', '<1', 'do not
    watch'; ``reddit_finance`` counts incomes 1, 2, 3, '>3'. Whole numbers that repeat
    beside text with a letter were codes (categories) since round 16, but an open end
    has none: training stopped at "cannot read '5+' as a number". Such a column is now
    read as categories, with the note, at train and predict time alike; a measurement
    with a bound (0.52, '<0.1') stays an error naming the cell."""
    a, y = _rows()
    lines = ["a,hours,label"] + [f"{v:.3f},{ends[i % len(ends)] if i % 5 == 0 else i % 4},{k}"
                                 for i, (v, k) in enumerate(zip(a, y))]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    out = ok(numpynn("train", "--data", "train.csv", *_QUICK, cwd=tmp_path))
    assert "'hours' (column index 1) holds whole numbers that repeat beside text" in out
    ds = load_csv(tmp_path / "train.csv")
    assert sorted(ds.table.categorical[1]) == sorted(["0", "1", "2", "3", *ends])
    (tmp_path / "new.csv").write_text(f"a,hours\n0.1,{ends[0]}\n3.0,2\n")
    result = numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path)
    assert result.returncode == 0 and "not seen" not in result.stderr
    measured = ["a,level,label"] + [f"{v:.3f},{'<0.1' if i % 9 == 0 else f'{0.1 * i:.2f}'},{k}"
                                    for i, (v, k) in enumerate(zip(a, y))]
    (tmp_path / "lab.csv").write_text("\n".join(measured) + "\n")
    with pytest.raises(DataError, match="cannot read '<0.1' as a number"):
        load_csv(tmp_path / "lab.csv")
