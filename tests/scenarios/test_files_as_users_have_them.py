"""Tables as users have them: a header whose names also occur as values, ``--header``
where detection cannot tell, a pandas index written after a shuffle, numeric ids, and
files given to ``predict`` with an id column to carry and columns to leave out."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from numpynn.data import load_csv
from numpynn.errors import DataError
from numpynn.model_file import load_model
from tests.clirun import numpynn, ok

N = 80


def _rows(seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    y = np.arange(N) % 2
    return [[("smoker", "non")[int(k)], f"{20 + 3 * k + rng.normal():.2f}",
             f"{rng.normal() + 2 * k:.3f}", ("yes", "no")[int(k)]] for k in y]


def _write(path, header: list[str] | None, rows: list[list[object]]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)


def test_a_header_name_that_is_also_a_value_is_still_a_header(tmp_path):
    """'smoker' names the first column and is one of its values; 'age' over numbers
    decides: the first row is a header (before, 'age' was read as a number)."""
    _write(tmp_path / "t.csv", ["smoker", "age", "score", "label"], _rows())
    ds = load_csv(tmp_path / "t.csv")
    assert ds.table.header and ds.X.shape == (N, 3)
    assert ds.table.feature_names == ["smoker", "age", "score"]


def test_header_yes_or_no_overrides_the_detection_and_is_kept_for_new_files(tmp_path):
    """An all-text table whose first row repeats in its columns reads as data; --header
    yes says otherwise, and the model reads new files with the same rule."""
    rng = np.random.default_rng(0)
    rows = [[str(rng.choice(["a", "b"])), str(rng.choice(["x", "y"])),
             str(rng.choice(["p", "q"]))] for _ in range(60)]
    rows[0] = ["a", "colour", "q"]
    _write(tmp_path / "t.csv", None, rows)
    assert not load_csv(tmp_path / "t.csv", allow_missing=True).table.header
    ds = load_csv(tmp_path / "t.csv", header=True)
    assert ds.table.header and ds.table.columns == ["a", "colour", "q"]
    assert ds.n_examples == 59
    out = ok(numpynn("train", "--data", "t.csv", "--header", "yes", "--label-column", "q",
                     "--epochs", "1", "--no-report", "--test-fraction", "0", "--out", "run",
                     cwd=tmp_path))
    assert "label: 'q' (column index 2)" in out
    recipe = load_model(tmp_path / "run").recipe
    assert recipe.header and recipe.header_given
    predictions = ok(numpynn("predict", "run", "--data", "t.csv", cwd=tmp_path))
    assert len(predictions.splitlines()) == 1 + 59  # the header row is not predicted
    proc = numpynn("train", "--data", "t.csv", "--header", "sometimes", cwd=tmp_path)
    assert proc.returncode == 2 and "--header" in proc.stderr and "auto" in proc.stderr


@pytest.mark.parametrize("name", ["", "Unnamed: 0"])
def test_a_shuffled_pandas_index_is_left_out_at_train_and_predict_time(tmp_path, name):
    rows = _rows()
    order = np.random.default_rng(1).permutation(N)
    _write(tmp_path / "train.csv", [name, "smoker", "age", "score", "label"],
           [[int(i), *rows[i]] for i in order])
    ds = load_csv(tmp_path / "train.csv")
    assert ds.X.shape[1] == 3 and ds.table.ignored == [0]
    assert any("holds the row numbers" in n for n in ds.notes)
    # a model trained without the index reads a file that has one, with a note
    _write(tmp_path / "plain.csv", ["smoker", "age", "score", "label"], rows)
    ok(numpynn("train", "--data", "plain.csv", "--label-column", "label", "--epochs", "1",
               "--no-report", "--out", "run", cwd=tmp_path))
    _write(tmp_path / "new.csv", [name, "smoker", "age", "score"],
           [[int(i), *rows[i][:3]] for i in order[:10]])
    proc = numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 11
    assert "holds row numbers (pandas' index)" in proc.stderr


def test_numbers_in_a_column_without_a_name_that_repeat_are_not_an_index(tmp_path):
    rows = _rows()
    _write(tmp_path / "t.csv", ["", "smoker", "age", "score", "label"],
           [[i % 7, *r] for i, r in enumerate(rows)])
    assert load_csv(tmp_path / "t.csv").X.shape[1] == 4


def test_predict_carries_an_id_column_and_leaves_out_columns(tmp_path):
    rows = _rows()
    _write(tmp_path / "train.csv", ["smoker", "age", "score", "label"], rows)
    ok(numpynn("train", "--data", "train.csv", "--label-column", "label", "--epochs", "2",
               "--no-report", "--out", "run", cwd=tmp_path))
    ids = [f"P-{i:03d}" for i in range(N)]
    _write(tmp_path / "new.csv", ["patient", "score", "smoker", "comment", "age"],
           [[ids[i], r[2], r[0], "seen twice", r[1]] for i, r in enumerate(rows)])
    proc = numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path)
    assert proc.returncode == 2 and "unexpected column(s) ['patient', 'comment']" in proc.stderr
    assert "--ignore-columns" in proc.stderr and "--id-column" in proc.stderr
    plain = ok(numpynn("predict", "run", "--data", "train.csv", cwd=tmp_path))
    out = ok(numpynn("predict", "run", "--data", "new.csv", "--id-column", "patient",
                     "--ignore-columns", "comment", "--proba", cwd=tmp_path))
    lines = out.splitlines()
    assert lines[0].startswith("patient,prediction,p_")
    assert [line.split(",")[0] for line in lines[1:]] == ids
    # the same predictions as the training file's rows gives, id aside
    assert [line.split(",", 1)[1].split(",")[0] for line in lines[1:]] == [
        line.split(",")[0] for line in plain.splitlines()[1:]]
    ok(numpynn("predict", "run", "--data", "new.csv", "--id-column", "patient",
               "--ignore-columns", "comment", "--output", "p.csv", cwd=tmp_path))
    assert (tmp_path / "p.csv").read_text().splitlines() == [
        line.split(",p_")[0] if i == 0 else ",".join(line.split(",")[:2])
        for i, line in enumerate(lines)]


def test_predict_by_position_skips_the_columns_given_by_index(tmp_path):
    rows = _rows()
    _write(tmp_path / "train.csv", None, rows)
    ok(numpynn("train", "--data", "train.csv", "--epochs", "1", "--no-report", "--out", "run",
               cwd=tmp_path))
    _write(tmp_path / "new.csv", None, [[f"id{i}", *r[:3]] for i, r in enumerate(rows)])
    out = ok(numpynn("predict", "run", "--data", "new.csv", "--id-column", "0", cwd=tmp_path))
    assert out.splitlines()[0] == "id,prediction" and out.splitlines()[1].startswith("id0,")


def test_id_column_on_a_data_set_without_columns_is_refused(tmp_path):
    ok(numpynn("train", "--data", "digits", "--epochs", "1", "--no-report", "--out", "run",
               cwd=tmp_path))
    proc = numpynn("predict", "run", "--data", "digits", "--id-column", "id", cwd=tmp_path)
    assert proc.returncode == 2 and "--id-column" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_unknown_id_column_is_named(tmp_path):
    rows = _rows()
    _write(tmp_path / "train.csv", ["smoker", "age", "score", "label"], rows)
    ok(numpynn("train", "--data", "train.csv", "--label-column", "label", "--epochs", "1",
               "--no-report", "--out", "run", cwd=tmp_path))
    proc = numpynn("predict", "run", "--data", "train.csv", "--id-column", "patient",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "--id-column patient is not a column" in proc.stderr
    with pytest.raises(DataError):
        load_csv(tmp_path / "train.csv", id_column="patient",
                 recipe=load_model(tmp_path / "run").recipe, label_column=None)


def test_ignoring_a_column_the_model_needs_is_refused(tmp_path):
    _write(tmp_path / "train.csv", ["smoker", "age", "score", "label"], _rows())
    ok(numpynn("train", "--data", "train.csv", "--label-column", "label", "--epochs", "1",
               "--no-report", "--out", "run", cwd=tmp_path))
    proc = numpynn("predict", "run", "--data", "train.csv", "--ignore-columns", "age",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "'age'" in proc.stderr and "needs" in proc.stderr
    assert "Traceback" not in proc.stderr
    # an id column that is also a feature is carried and still read as a feature
    out = ok(numpynn("predict", "run", "--data", "train.csv", "--id-column", "age",
                     cwd=tmp_path))
    assert out.splitlines()[0] == "age,prediction"


def test_evaluate_leaves_out_the_columns_it_is_told_to(tmp_path):
    rows = _rows()
    _write(tmp_path / "train.csv", ["smoker", "age", "score", "label"], rows)
    ok(numpynn("train", "--data", "train.csv", "--label-column", "label", "--epochs", "2",
               "--no-report", "--out", "run", cwd=tmp_path))
    _write(tmp_path / "other.csv", ["patient", "smoker", "age", "score", "label"],
           [[f"P{i}", *r] for i, r in enumerate(rows)])
    proc = numpynn("evaluate", "run", "--data", "other.csv", "--json", cwd=tmp_path)
    assert proc.returncode == 2 and "--ignore-columns" in proc.stderr
    res = json.loads(ok(numpynn("evaluate", "run", "--data", "other.csv", "--json",
                                "--ignore-columns", "patient", cwd=tmp_path)))
    same = json.loads(ok(numpynn("evaluate", "run", "--data", "train.csv", "--split", "all",
                                 "--json", cwd=tmp_path)))
    assert sum(res["support"]) == sum(same["support"]) == N
    assert res["accuracy"] == same["accuracy"]
    assert same["seen_in_training"] is True and res["seen_in_training"] is False
