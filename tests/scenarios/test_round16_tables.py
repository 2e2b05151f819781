"""Round 16's probe of real tables (40-odd more of R's data sets, written as pandas, R's
write.csv and spreadsheets write them): each case a defect found and fixed, reproduced on
a small synthetic table."""

from __future__ import annotations

import json

import numpy as np
import pytest

from numpynn.data.csv_file import load_csv
from numpynn.errors import DataError
from numpynn.model_file import load_model
from tests.clirun import numpynn, ok

_QUICK = ("--epochs", "3", "--cv-folds", "1", "--quiet", "--no-report", "--out", "run")


def _rows(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 2) features that tell two classes apart, and the classes 0/1."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return np.c_[y * 3 + rng.normal(0, 0.3, n), rng.normal(size=n)], y


@pytest.mark.parametrize("name", ["seqno", "SEQN", "case_no", "PatientNr", "textbook_isbn"])
def test_a_record_number_named_as_registers_name_it_is_not_a_feature(tmp_path, name):
    """survival's ``nwtco`` numbers its rows ``seqno`` (NHANES: ``SEQN``), a textbook
    table its books by ``isbn``, written 9780393938098.0 by pandas beside empty cells:
    all were features, with no note; an id says nothing about an example."""
    X, y = _rows()
    lines = [f"{name},a,b,label"]
    for i, ((a, b), k) in enumerate(zip(X, y)):
        number = "" if name.endswith("isbn") and i % 9 == 4 else (
            f"{9780000000000 + 7919 * i}.0" if name.endswith("isbn") else str(3 * i + 11))
        lines.append(f"{number},{a:.3f},{b:.3f},{k}")
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    ds = load_csv(tmp_path / "t.csv", allow_missing=True)
    assert ds.table.feature_names == ["a", "b"]
    assert any(f"'{name}' (column index 0) is named as an identifier" in n for n in ds.notes)


def test_a_count_under_a_name_like_number_that_repeats_stays_a_feature(tmp_path):
    X, y = _rows()
    lines = ["number,a,label"] + [f"{i % 7},{a:.3f},{k}" for i, ((a, _), k)
                                   in enumerate(zip(X, y))]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    assert load_csv(tmp_path / "t.csv").table.feature_names == ["number", "a"]


def _cylinders(path, rows=60, rotary=(7, 33)):
    """Cars93's ``Cylinders``: 4, 6, 8 and, for a Mazda, 'rotary' (an R factor)."""
    X, y = _rows(rows)
    lines = ["a,Cylinders,label"]
    for i, ((a, _), k) in enumerate(zip(X, y)):
        lines.append(f"{a:.3f},{'rotary' if i in rotary else (4, 6, 8)[i % 3]},{'yn'[k]}")
    path.write_text("\n".join(lines) + "\n")


def test_whole_number_codes_beside_a_text_code_are_categories(tmp_path):
    """A factor whose levels are mostly numerals (Cars93's Cylinders: 3, 4, 5, 6, 8,
    'rotary'; course numbers 1, 31, '3A', 'M10') refused training ("cannot read 'rotary'
    as a number") with no way to say the column is categorical. Its values are now
    categories, with a note, at train and predict time alike."""
    _cylinders(tmp_path / "train.csv")
    out = ok(numpynn("train", "--data", "train.csv", *_QUICK, cwd=tmp_path))
    assert "'Cylinders' (column index 1) holds whole numbers that repeat beside text " \
           "('rotary'): codes, read as categories" in out
    ds = load_csv(tmp_path / "train.csv")
    assert list(ds.table.categorical) == [1]
    assert sorted(ds.table.categorical[1]) == ["4", "6", "8", "rotary"]
    (tmp_path / "new.csv").write_text("a,Cylinders\n0.1,rotary\n3.0,8\n0.0,4\n")
    result = numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path)
    assert result.returncode == 0 and "not seen" not in result.stderr
    assert len(result.stdout.splitlines()) == 4


@pytest.mark.parametrize("cell, codes", [("unknown", False), ("4.O1", False),
                                         ("unknown", True), ("-", True), ("none", True)])
def test_a_measurement_or_codes_with_a_stray_word_is_still_an_error(tmp_path, cell, codes):
    """Numbers that rarely repeat, or decimals, with a word among them: not codes; nor
    codes beside a word for no value or a dash (what those are is the error's to say)."""
    X, y = _rows()
    lines = ["a,b,label"] + [f"{a:.3f},{i % 4 if codes else 100 + 3 * i},{k}"
                             for i, ((a, _), k) in enumerate(zip(X, y))]
    lines[5] = lines[5].split(",")[0] + f",{cell}," + lines[5].split(",")[2]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    result = numpynn("train", "--data", "t.csv", *_QUICK, cwd=tmp_path)
    assert result.returncode == 2 and f"cannot read '{cell}' as a number" in result.stderr


def _truth_table(path, true="True", false="False", label=False):
    """A logical feature (and label) as pandas writes it (True/False) or R and Excel do
    (TRUE/FALSE)."""
    X, y = _rows()
    lines = ["a,flag,label"]
    for i, ((a, _), k) in enumerate(zip(X, y)):
        flag = true if (i * 7) % 3 == 0 else false
        lines.append(f"{a:.3f},{flag},{(true if k else false) if label else 'ny'[k]}")
    path.write_text("\n".join(lines) + "\n")


def test_r_truth_values_given_to_a_model_of_pandas_ones_are_the_same_category(tmp_path):
    """A model trained on pandas' True/False read a file R's write.csv saved (TRUE/FALSE)
    as categories it never saw, all zeros: predictions silently changed."""
    _truth_table(tmp_path / "train.csv")
    ok(numpynn("train", "--data", "train.csv", *_QUICK, cwd=tmp_path))
    _truth_table(tmp_path / "pandas.csv")
    _truth_table(tmp_path / "r.csv", "TRUE", "FALSE")
    first = numpynn("predict", "run", "--data", "pandas.csv", "--proba", cwd=tmp_path)
    second = numpynn("predict", "run", "--data", "r.csv", "--proba", cwd=tmp_path)
    assert second.returncode == 0 and "not seen in training" not in second.stderr
    assert second.stdout == first.stdout


def test_truth_values_of_files_joined_from_two_tools_are_one_category(tmp_path):
    _truth_table(tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    lines[30:] = [ln.replace("True", "TRUE").replace("False", "FALSE") for ln in lines[30:]]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape[1] == 2 and len(ds.table.categorical[1]) == 2


def test_a_truth_label_written_by_another_tool_is_the_class_the_model_knows(tmp_path):
    """evaluate refused R's TRUE/FALSE labels for a model of pandas' True/False ("not
    among the known classes"), and a file joined from both had four classes."""
    _truth_table(tmp_path / "train.csv", label=True)
    ok(numpynn("train", "--data", "train.csv", "--label-column", "label", *_QUICK,
               cwd=tmp_path))
    _truth_table(tmp_path / "r.csv", "TRUE", "FALSE", label=True)
    report = json.loads(ok(numpynn("evaluate", "run", "--data", "r.csv", "--split", "all",
                                   "--json", cwd=tmp_path)))
    assert report["classes"] == ["False", "True"] and sum(report["support"]) == 60
    lines = (tmp_path / "train.csv").read_text().splitlines()
    lines[30:] = (tmp_path / "r.csv").read_text().splitlines()[30:]
    (tmp_path / "joined.csv").write_text("\n".join(lines) + "\n")
    assert len(load_csv(tmp_path / "joined.csv", label_column="label").classes) == 2


def test_a_label_of_a_few_whole_numbers_read_as_classes_says_so(tmp_path):
    """AER's ``affairs`` (0, 1, 2, 3, 7, 12) or a count of 0 to 7 named as the label
    became classes with no word of it: the user who meant a count learned it only from
    the class table. The run's first lines now say so and name the flag."""
    rng = np.random.default_rng(0)
    values = [0, 1, 2, 3, 7, 12]
    lines = ["affairs,a,b"] + [f"{values[i % 6]},{i % 6 + rng.normal(0, .2):.3f},"
                               f"{rng.normal():.3f}" for i in range(90)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    out = ok(numpynn("train", "--data", "t.csv", "--label-column", "affairs", *_QUICK,
                     cwd=tmp_path))
    assert ("the label column 'affairs' (column index 0) holds 6 whole numbers (0, 1, 2, 3, "
            "7, 12), read as classes" in out and "--task regression" in out)
    (tmp_path / "two.csv").write_text("\n".join(
        ["a,b,label"] + [f"{i % 2 + rng.normal(0, .2):.3f},{rng.normal():.3f},{i % 2}"
                         for i in range(40)]) + "\n")
    out = ok(numpynn("train", "--data", "two.csv", *_QUICK[:-1], "run2", cwd=tmp_path))
    assert "read as classes" not in out  # two values: classes, nothing to say


@pytest.mark.parametrize("names", ["numbers", "text"])
def test_a_frame_read_back_with_pandas_unnamed_index_column_is_predicted(tmp_path, names):
    """``SavedModel.predict(pd.read_csv("new.csv"))`` of a file pandas or R wrote with
    its row names (numbers, or mtcars' car names) was refused: "unexpected column(s)
    ['Unnamed: 0']", while ``numpynn predict`` of the same file read it."""
    pd = pytest.importorskip("pandas")
    X, y = _rows()
    index = [f"car {i}" for i in range(60)] if names == "text" else list(range(60))
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "label": np.array(["n", "y"])[y]},
                         index=index)
    frame.to_csv(tmp_path / "train.csv")
    ok(numpynn("train", "--data", "train.csv", *_QUICK, cwd=tmp_path))
    frame.drop(columns="label").to_csv(tmp_path / "new.csv")
    model = load_model(str(tmp_path / "run"))
    read_back = pd.read_csv(tmp_path / "new.csv")
    assert read_back.columns[0] == "Unnamed: 0"
    expected = model.predict(pd.read_csv(tmp_path / "new.csv", index_col=0))
    assert model.predict(read_back).tolist() == expected.tolist()
    with pytest.raises(DataError, match=r"unexpected column\(s\) \['Unnamed: 5'\]|"
                                        r"missing column"):
        model.predict(read_back.rename(columns={"a": "Unnamed: 5"}))


def test_an_id_whose_numbers_repeat_is_a_feature_with_a_warning(tmp_path):
    """survival's ``colon`` holds two rows a patient, its ``id`` in both: not distinct, so
    not left out, and it was a feature, read as an amount, with no word of it."""
    X, y = _rows()
    lines = ["id,a,b,label"] + [f"{100 + i // 2},{a:.3f},{b:.3f},{k}"
                                for i, ((a, b), k) in enumerate(zip(X, y))]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    ds = load_csv(tmp_path / "t.csv")
    assert ds.table.feature_names == ["id", "a", "b"]
    assert any(n.startswith("warning: t.csv: 'id' (column index 0) is named as an identifier "
                            "and its whole numbers repeat (30 distinct in 60 filled cells")
               and "`ignore_columns='id'`" in n for n in ds.notes)
    lines = ["grade,a,label"] + [f"{i % 5},{a:.3f},{k}" for i, ((a, _), k)
                                 in enumerate(zip(X, y))]
    (tmp_path / "u.csv").write_text("\n".join(lines) + "\n")
    assert not any("identifier" in n for n in load_csv(tmp_path / "u.csv").notes)


def test_coordinates_x_and_y_beside_a_label_column_are_not_asked_about(tmp_path):
    """A table of points (x, y, then the class: a map's sites, a plot's points) was
    refused without --label-column: "its name says it is the label, and so do other
    columns' names: 'y'". Beside an x, a y is a coordinate."""
    X, y = _rows()
    lines = ["x,y,species"] + [f"{a:.3f},{b:.3f},{'ab'[k]}" for (a, b), k in zip(X, y)]
    (tmp_path / "points.csv").write_text("\n".join(lines) + "\n")
    out = ok(numpynn("train", "--data", "points.csv", *_QUICK, cwd=tmp_path))
    assert out.startswith("label: 'species' (column index 2)")
    lines = ["a,y,species"] + [f"{a:.3f},{b:.3f},{'ab'[k]}" for (a, b), k in zip(X, y)]
    (tmp_path / "named.csv").write_text("\n".join(lines) + "\n")
    result = numpynn("train", "--data", "named.csv", *_QUICK[:-1], "run2", cwd=tmp_path)
    assert result.returncode == 2 and "which column is the label?" in result.stderr
    lines = ["x,b,y"] + [f"{a:.3f},{b:.3f},{'ab'[k]}" for (a, b), k in zip(X, y)]
    (tmp_path / "xy.csv").write_text("\n".join(lines) + "\n")  # features x..., label y
    out = ok(numpynn("train", "--data", "xy.csv", *_QUICK[:-1], "run3", cwd=tmp_path))
    assert out.startswith("label: 'y' (column index 2)")
