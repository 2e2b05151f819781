"""CSV tables as users have them, and the data-reading recipe stored in the model file.

Columns by name (in any order) or by position, --label-column by name or index,
--ignore-columns, gzip, detected delimiters, missing cells (error or median imputation),
categorical columns (one-hot, unseen categories), the continuous-label guard, the recipe
through save/load, and scikit-learn's feature-name rules in MLPClassifier.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from numpynn.data import TableRecipe, load_csv, looks_continuous
from numpynn.errors import DataError, ModelFileError
from numpynn.model_file import load_model, save_model
from numpynn.runs.run import (
    RunOptions,
    evaluation_data,
    prediction_data,
    run_training,
    split_dataset,
)
from numpynn.training.trainer import TrainConfig
from tests.clirun import REPO, numpynn, ok


def table(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """An id, three numeric features, a categorical 'color', the class 'species'."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    frame = pd.DataFrame({
        "id": np.arange(1000, 1000 + n),
        "length": rng.normal(size=n) + 2.5 * y,
        "width": rng.normal(size=n) - 2.0 * y,
        "color": np.array(["red", "green", "blue"])[(y + (rng.random(n) < 0.1)) % 3],
        "weight": rng.normal(size=n) * 0.5 + y,
        "species": np.array(["setosa", "versicolor", "virginica"])[y],
    })
    return frame


def options(data: Path, **kw) -> RunOptions:
    return RunOptions(data=str(data), hidden=[16],
                      train=TrainConfig(epochs=kw.pop("epochs", 30), batch_size=16, lr=1e-2,
                                        keep_best=False, seed=0), **kw)


def train(tmp: Path, data: Path, name: str = "run", **kw):
    return run_training(options(data, **kw), tmp / name, report=False).saved


def accuracy(saved, X, labels) -> float:
    return float(np.mean(np.asarray(saved.predict(X)).astype(str) == np.asarray(labels)))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model trained on a table with a header, an id (ignored) and a text column."""
    tmp = tmp_path_factory.mktemp("recipe")
    frame = table()
    frame.to_csv(tmp / "train.csv", index=False)
    saved = train(tmp, tmp / "train.csv", label_column="species", ignore_columns=["id"])
    return tmp, frame, saved


# ------------------------------------------------------------------ columns by name
def test_shuffled_columns_give_the_same_predictions(trained):
    tmp, frame, saved = trained
    features = frame.drop(columns=["species"])
    features.to_csv(tmp / "in_order.csv", index=False)
    shuffled = features[["weight", "color", "id", "width", "length"]]
    shuffled.to_csv(tmp / "shuffled.csv", index=False)
    first = saved.predict(prediction_data(saved, str(tmp / "in_order.csv")))
    second = saved.predict(prediction_data(saved, str(tmp / "shuffled.csv")))
    np.testing.assert_array_equal(first, second)
    assert accuracy(saved, prediction_data(saved, str(tmp / "shuffled.csv")),
                    frame.species) > 0.8
    # SavedModel.predict from raw table rows: a DataFrame in any order, or rows
    np.testing.assert_array_equal(saved.predict(shuffled), first)
    rows = frame[["length", "width", "color", "weight"]].to_numpy(dtype=object)
    np.testing.assert_array_equal(saved.predict(rows), first)


def test_a_missing_column_is_named(trained):
    tmp, frame, saved = trained
    frame.drop(columns=["width"]).to_csv(tmp / "no_width.csv", index=False)
    with pytest.raises(DataError, match=r"missing column\(s\) \['width'\]"):
        prediction_data(saved, str(tmp / "no_width.csv"))
    frame.drop(columns=["species"]).to_csv(tmp / "no_label.csv", index=False)
    with pytest.raises(DataError, match=r"missing column\(s\) \['species'\]"):
        evaluation_data(saved, str(tmp / "no_label.csv"))


def test_an_unexpected_column_is_named(trained):
    tmp, frame, saved = trained
    frame.assign(height=1.0).to_csv(tmp / "extra.csv", index=False)
    with pytest.raises(DataError, match=r"unexpected column\(s\) \['height'\]"):
        prediction_data(saved, str(tmp / "extra.csv"))
    renamed = frame.rename(columns={"width": "breadth"})
    renamed.to_csv(tmp / "renamed.csv", index=False)
    with pytest.raises(DataError, match=r"missing column\(s\) \['width'\] and unexpected "
                                        r"column\(s\) \['breadth'\]"):
        prediction_data(saved, str(tmp / "renamed.csv"))


def test_label_and_ignored_columns_are_tolerated_and_evaluate_finds_the_label(trained):
    tmp, frame, saved = trained
    frame[frame.columns[::-1]].to_csv(tmp / "reversed.csv", index=False)
    X, y, split = evaluation_data(saved, str(tmp / "reversed.csv"))
    assert split == "all" and X.shape == (len(frame), 4)
    np.testing.assert_array_equal(saved.classes[y], frame.species)
    frame.drop(columns=["id"]).to_csv(tmp / "no_id.csv", index=False)
    np.testing.assert_array_equal(prediction_data(saved, str(tmp / "no_id.csv")), X)


def test_evaluate_on_the_training_file_recreates_the_test_split(trained):
    tmp, frame, saved = trained
    X, y, split = evaluation_data(saved, str(tmp / "train.csv"))
    assert split == "test" and len(y) == 24
    accuracy = float(np.mean(saved.predict(X) == saved.classes[y]))
    assert accuracy == pytest.approx(saved.metadata["metrics"]["test"]["accuracy"])


def test_the_recipe_round_trips_through_save_and_load(trained):
    tmp, frame, saved = trained
    recipe = saved.recipe
    assert recipe.feature_names == ["length", "width", "color", "weight"]
    assert recipe.label_name == "species" and recipe.columns[recipe.ignored[0]] == "id"
    assert recipe.categorical == {2: ["blue", "green", "red"]}
    assert saved.model.input_dim == 3 + 3 == recipe.n_outputs
    loaded = load_model(tmp / "run" / "model.npz")
    assert loaded.recipe == recipe
    assert TableRecipe.from_dict(recipe.to_dict()) == recipe
    save_model(tmp / "again.npz", loaded)
    again = load_model(tmp / "again.npz")
    np.testing.assert_array_equal(again.predict_proba(frame), saved.predict_proba(frame))


def test_a_tampered_recipe_is_refused(trained, tmp_path):
    import json
    import zipfile

    tmp, _, saved = trained
    with zipfile.ZipFile(tmp / "run" / "model.npz") as z:
        members = {n: z.read(n) for n in z.namelist()}
    header = np.load(tmp / "run" / "model.npz")["__header__"]
    data = json.loads(bytes(header).decode())
    data["data_recipe"]["categorical"] = {"2": ["blue", "red"]}  # one category less
    np.savez(tmp_path / "bad.npz", __header__=np.frombuffer(json.dumps(data).encode(), np.uint8),
             **{n[:-4]: np.load(tmp / "run" / "model.npz")[n[:-4]]
                for n in members if n != "__header__.npy"})
    with pytest.raises(ModelFileError, match="recipe gives 5 inputs for a model of 6"):
        load_model(tmp_path / "bad.npz")


# -------------------------------------------------------------- label and ignored
@pytest.mark.parametrize("spec", ["0", "species", "-4"])
def test_label_column_by_name_or_index_is_honoured_by_predict(tmp_path, spec):
    """Issue 10's case: the label first; predict must drop it, not the last column."""
    frame = table().drop(columns=["id", "color"])
    frame = frame[["species", "length", "width", "weight"]]
    frame.to_csv(tmp_path / "first.csv", index=False, header=spec == "species")
    out = numpynn("train", "--data", "first.csv", "--label-column", spec, "--hidden", "16",
                  "--epochs", "20", "--lr", "0.01", "--out", "run", "--no-report", "--quiet",
                  cwd=tmp_path)
    ok(out)
    printed = ok(numpynn("predict", "run/model.npz", "--data", "first.csv", cwd=tmp_path))
    predictions = printed.splitlines()[1:]
    assert np.mean(np.array(predictions) == frame.species.to_numpy()) > 0.8
    frame.drop(columns=["species"]).to_csv(tmp_path / "features.csv", index=False,
                                           header=spec == "species")
    alone = ok(numpynn("predict", "run/model.npz", "--data", "features.csv", cwd=tmp_path))
    assert alone.splitlines()[1:] == predictions


def test_ignore_columns_by_name_and_index(tmp_path):
    frame = table()
    frame.to_csv(tmp_path / "t.csv", index=False)
    ds = load_csv(tmp_path / "t.csv", label_column="species", ignore_columns=[0, "color"])
    assert ds.table.feature_names == ["length", "width", "weight"]
    np.testing.assert_array_equal(ds.X, frame[["length", "width", "weight"]].to_numpy())
    with pytest.raises(DataError, match="`ignore_columns='size'` is not a column"):
        load_csv(tmp_path / "t.csv", ignore_columns=["size"])
    with pytest.raises(DataError, match="is the label column"):
        load_csv(tmp_path / "t.csv", ignore_columns=["species"])
    frame.to_csv(tmp_path / "nohead.csv", index=False, header=False)
    with pytest.raises(DataError, match="has no header row.*index"):
        load_csv(tmp_path / "nohead.csv", label_column="species")


def test_continuous_label_guard(tmp_path):
    assert looks_continuous(np.array([1.5, 2.0, 3.0]))
    assert looks_continuous(np.arange(100.0) * 10)  # integral but one value per row
    assert not looks_continuous(np.arange(100) % 3)
    assert not looks_continuous(np.array(["a", "b"] * 50))
    frame = table()[["species", "length", "width", "weight"]]
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataError, match=r"label column 'weight' \(column index 3\) looks continuous"
                                        r".*numpynn classifies.*`label_column`"):
        load_csv(tmp_path / "t.csv")
    assert load_csv(tmp_path / "t.csv", label_column="species").n_classes == 3


# ------------------------------------------------------------ files as users have them
def test_gzip_and_detected_delimiters_read_the_same_table(tmp_path):
    frame = table()
    frame.to_csv(tmp_path / "t.csv", index=False)
    reference = load_csv(tmp_path / "t.csv", label_column="species")
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress((tmp_path / "t.csv").read_bytes()))
    frame.to_csv(tmp_path / "semi.csv", index=False, sep=";")
    frame.to_csv(tmp_path / "tab.csv", index=False, sep="\t")
    for name, sep in (("t.csv.gz", ","), ("semi.csv", ";"), ("tab.csv", "\t")):
        ds = load_csv(tmp_path / name, label_column="species")
        assert ds.table.delimiter == sep
        np.testing.assert_array_equal(ds.X, reference.X)
        np.testing.assert_array_equal(ds.y, reference.y)
    with pytest.raises(DataError, match="single column.*`delimiter`"):
        load_csv(tmp_path / "semi.csv", delimiter=",")
    # a model trained on the gzip file reads a tab-separated file (its delimiter detected)
    saved = train(tmp_path, tmp_path / "t.csv.gz", label_column="species",
                  ignore_columns=["id"], epochs=2)
    assert saved.recipe.delimiter == ","
    np.testing.assert_array_equal(prediction_data(saved, str(tmp_path / "tab.csv")),
                                  prediction_data(saved, str(tmp_path / "t.csv")))


def test_decimal_commas_read_in_a_semicolon_file_and_explained_in_a_comma_file(tmp_path):
    (tmp_path / "dc.csv").write_text("a;b;label\n1,5;2;x\n3,5;4;y\n")
    np.testing.assert_array_equal(load_csv(tmp_path / "dc.csv").X, [[1.5, 2.0], [3.5, 4.0]])
    (tmp_path / "cc.csv").write_text('a,b,label\n"1,5",2,x\n"3,5",4,y\n"2,5",1,x\n')
    with pytest.raises(DataError, match="row 2, 'a' \\(column index 0\\).*'1,5'.*decimal comma"):
        load_csv(tmp_path / "cc.csv")


def test_missing_cells_are_an_error_with_the_editor_row(tmp_path):
    text = "a,b,label\n1,2,x\n3,4,y\n5,NA,x\n7,8,y\n"
    (tmp_path / "m.csv").write_text(text)
    with pytest.raises(DataError, match=r"row 4, 'b' \(column index 1\): an empty cell or missing "
                                        r"value.*`impute='median'`"):
        load_csv(tmp_path / "m.csv")
    (tmp_path / "q.csv").write_text("1,2,0\n3,?,1\n")
    with pytest.raises(DataError, match=r"row 2, column index 1.*missing"):
        load_csv(tmp_path / "q.csv")
    (tmp_path / "quoted.csv").write_text('a,note,label\n1,"two\nlines",x\n2,,y\n')
    with pytest.raises(DataError, match=r"row 4, 'note' \(column index 1\)"):
        load_csv(tmp_path / "quoted.csv")


def test_impute_median_fitted_on_the_training_split_and_applied_at_predict(tmp_path):
    frame = table().drop(columns=["id", "color"])
    holes = frame.copy()
    holes.loc[::7, "width"] = np.nan
    holes.to_csv(tmp_path / "holes.csv", index=False, na_rep="NA")
    with pytest.raises(DataError, match="missing value.*`impute='median'`"):
        train(tmp_path, tmp_path / "holes.csv", label_column="species", impute="none")
    saved = train(tmp_path, tmp_path / "holes.csv", label_column="species")  # the default
    opts = options(tmp_path / "holes.csv", label_column="species", impute="median")
    ds = load_csv(tmp_path / "holes.csv", label_column="species", allow_missing=True)
    X_tr = split_dataset(ds, opts)[0]
    expected = [float(np.nanmedian(X_tr[:, j])) for j in range(3)]
    assert saved.recipe.medians == expected
    assert expected[1] != float(np.nanmedian(ds.X[:, 1]))  # not the whole file's median
    new = pd.DataFrame({"length": [2.0, 2.0], "width": [np.nan, expected[1]],
                        "weight": [1.0, 1.0]})
    new.to_csv(tmp_path / "new.csv", index=False)
    X = prediction_data(saved, str(tmp_path / "new.csv"))
    proba = saved.predict_proba(X)
    np.testing.assert_array_equal(proba[0], proba[1])


def test_impute_median_fills_text_with_the_training_splits_most_frequent_category(
        tmp_path):
    """Never all-zero one-hot for a missing text cell: the most frequent category of the
    training split, stored in the model, round-tripped, and a tampered one refused."""
    frame = table().drop(columns=["id"])
    holes = frame.copy()
    holes.loc[::5, "color"] = np.nan
    holes.to_csv(tmp_path / "holes.csv", index=False, na_rep="NA")
    saved = train(tmp_path, tmp_path / "holes.csv", label_column="species", impute="median")
    recipe = saved.recipe
    j = recipe.feature_names.index("color")
    opts = options(tmp_path / "holes.csv", label_column="species", impute="median")
    ds = load_csv(tmp_path / "holes.csv", label_column="species", allow_missing=True)
    codes = split_dataset(ds, opts)[0][:, j]
    names = np.asarray(ds.table.categorical[j])[codes[~np.isnan(codes)].astype(int)]
    found, counts = np.unique(names, return_counts=True)
    assert recipe.modes == {j: found[np.argmax(counts)]}
    assert TableRecipe.from_dict(recipe.to_dict()) == recipe
    rows = frame.drop(columns=["species"]).head(4).copy()
    filled = rows.copy()
    rows["color"] = np.nan
    filled["color"] = recipe.modes[j]
    np.testing.assert_allclose(saved.predict_proba(rows), saved.predict_proba(filled))
    bad = recipe.to_dict() | {"modes": {str(j): "purple"}}
    with pytest.raises(ValueError, match="most frequent categories are inconsistent"):
        TableRecipe.from_dict(bad)


def test_categorical_one_hot_and_unseen_categories(trained, tmp_path):
    tmp, frame, saved = trained
    one = frame.drop(columns=["species"]).iloc[:3].copy()
    encoded = saved.encode(one)
    np.testing.assert_array_equal(encoded[:, 2:5].sum(axis=1), [1, 1, 1])
    colors = ["blue", "green", "red"]
    for row, color in zip(encoded, one.color):
        assert row[2 + colors.index(color)] == 1
    # by default a category not seen in training is all zeros (see the test below)
    assert saved.recipe.handle_unknown == "ignore"
    new = frame.drop(columns=["species"]).iloc[:2].assign(color="purple")
    new.to_csv(tmp_path / "new.csv", index=False)
    X = prediction_data(saved, str(tmp_path / "new.csv"))
    assert (X[:, 2] == -1).all()
    np.testing.assert_array_equal(saved.encode(X)[:, 2:5], np.zeros((2, 3)))
    np.testing.assert_array_equal(saved.encode(new), saved.encode(X))
    assert saved.predict(new).shape == (2,)


def test_handle_unknown_error_is_stored_in_the_model(tmp_path):
    frame = table()
    frame.to_csv(tmp_path / "t.csv", index=False)
    saved = train(tmp_path, tmp_path / "t.csv", label_column="species", ignore_columns=["id"],
                  handle_unknown="error", epochs=2)
    one = frame.drop(columns=["species"]).iloc[:3].copy()
    one.iloc[1, one.columns.get_loc("color")] = "purple"
    one.to_csv(tmp_path / "purple.csv", index=False)
    with pytest.raises(DataError, match=r"row 3, 'color' \(column index 3\): category 'purple' was "
                                        r"not seen in training.*`handle_unknown='ignore'`"):
        prediction_data(saved, str(tmp_path / "purple.csv"))
    with pytest.raises(DataError, match="category 'purple' was not seen"):
        saved.predict(one)


def test_unseen_categories_in_a_new_file_are_named_by_predict_and_evaluate(tmp_path):
    """A city, a nation, a product code that the training rows did not hold (common in
    text columns of many values: R's Greene, Sacramento, CPU tables) does not stop
    predict or evaluate on the rest of the file: the cells are encoded as all zeros, and
    a note names the column, the values and how many rows have them."""
    frame = table()
    frame.to_csv(tmp_path / "t.csv", index=False)
    ok(numpynn("train", "--data", "t.csv", "--label-column", "species", "--epochs", "2",
               "--no-report", "--quiet", "--out", "run", cwd=tmp_path))
    new = frame.iloc[:5].copy()
    new["color"] = ["purple", "red", "purple", "teal", "blue"]
    new.to_csv(tmp_path / "new.csv", index=False)
    for argv in (["predict", "run", "--data", "new.csv"],
                 ["evaluate", "run", "--data", "new.csv", "--json"]):
        proc = numpynn(*argv, cwd=tmp_path)
        ok(proc)
        assert ("note: new.csv: categories not seen in training are encoded as all zeros"
                in proc.stderr), proc.stderr
        assert "'color' (column index 3): 'purple', 'teal' (3 rows)" in proc.stderr
        assert "--handle-unknown error" in proc.stderr
    assert len(ok(numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path)
                  ).strip().splitlines()) == 6
    # the file of known categories only: no such note
    proc = numpynn("predict", "run", "--data", "t.csv", cwd=tmp_path)
    assert proc.returncode == 0 and "not seen in training" not in proc.stderr
    ok(numpynn("train", "--data", "t.csv", "--label-column", "species", "--epochs", "2",
               "--no-report", "--quiet", "--out", "strict", "--handle-unknown", "error",
               cwd=tmp_path))
    proc = numpynn("predict", "strict", "--data", "new.csv", cwd=tmp_path)
    assert proc.returncode == 2 and "category 'purple' was not seen" in proc.stderr


def test_predict_and_evaluate_override_how_the_model_reads_a_new_category(trained, tmp_path):
    """Rows to predict bring a category the training table did not have: read as all
    zeros by default (with a note naming the cells, on standard error: --json stays
    JSON); ``--handle-unknown error`` on predict or evaluate refuses them naming the
    cell, and on a model trained that way ``--handle-unknown ignore`` reads them; the
    saved model is not changed. The API: ``SavedModel.with_handle_unknown``."""
    import json

    tmp, frame, saved = trained
    new = frame.iloc[:6].copy()
    new.loc[[1, 4], "color"] = "purple"
    new.to_csv(tmp_path / "new.csv", index=False)
    model = tmp / "run" / "model.npz"
    done = numpynn("predict", model, "--data", "new.csv", cwd=tmp_path)
    assert len(ok(done).splitlines()) == 7 and "'purple' (2 rows)" in done.stderr
    refused = numpynn("predict", model, "--data", "new.csv", "--handle-unknown", "error",
                      cwd=tmp_path)
    assert refused.returncode == 2
    assert "category 'purple' was not seen in training" in refused.stderr
    assert "give --handle-unknown ignore" in refused.stderr
    assert numpynn("evaluate", model, "--data", "new.csv", "--handle-unknown", "error",
                   cwd=tmp_path).returncode == 2
    evaluated = numpynn("evaluate", model, "--data", "new.csv", "--json", cwd=tmp_path)
    assert json.loads(ok(evaluated))["split"] == "all"
    assert "'purple' (2 rows)" in evaluated.stderr
    assert load_model(model).recipe.handle_unknown == "ignore"  # the file is as it was
    new.loc[2, "color"] = new.loc[0, "color"].upper()  # a known category written otherwise
    new.to_csv(tmp_path / "upper.csv", index=False)
    upper = numpynn("predict", model, "--data", "upper.csv", cwd=tmp_path)
    shout = new.loc[2, "color"]
    assert f"{shout!r} (the model knows {shout.lower()!r})" in ok(upper) + upper.stderr
    strict = saved.with_handle_unknown("error")
    rows = new.drop(columns=["species"])
    with pytest.raises(DataError, match="category 'purple' was not seen"):
        strict.predict(rows)
    lenient = strict.with_handle_unknown("ignore")
    np.testing.assert_array_equal(lenient.encode(rows)[[1, 4], 2:5], np.zeros((2, 3)))
    np.testing.assert_array_equal(lenient.predict(rows), saved.predict(rows))


def test_handle_unknown_is_refused_for_a_model_without_text_columns(tmp_path):
    from numpynn.errors import InputError

    ok(numpynn("train", "--data", "digits", "--epochs", "1", "--no-report", "--out", "run",
               cwd=tmp_path))
    with pytest.raises(InputError, match="text columns of a model trained on a CSV table"):
        load_model(tmp_path / "run" / "model.npz").with_handle_unknown("ignore")
    refused = numpynn("predict", "run", "--data", "digits", "--handle-unknown", "ignore",
                      cwd=tmp_path)
    assert refused.returncode == 2 and "--handle-unknown" in refused.stderr


@pytest.mark.parametrize(("row", "lands_in_train"), [(5, True), (9, False)])
def test_categories_are_the_whole_files_wherever_the_split_puts_a_rare_value(tmp_path, row,
                                                                             lands_in_train):
    """numpynn's own random split may put a rare value in the test split only: it is
    still a category of the user's file, with its one-hot column, and a file given to
    the model later may hold it."""
    frame = table(n=60)
    frame.loc[row, "color"] = "gold"  # one row: it lands in a single split
    frame.to_csv(tmp_path / "t.csv", index=False)
    opts = options(tmp_path / "t.csv", label_column="species", ignore_columns=["id"])
    ds = load_csv(tmp_path / "t.csv", label_column="species", ignore_columns=["id"])
    gold = ds.table.categorical[2].index("gold")
    in_train = (split_dataset(ds, opts)[0][:, 2] == gold).any()
    assert in_train == lands_in_train  # the seed-0 split puts it there
    result = run_training(opts, tmp_path / "run", report=False)
    saved = result.saved
    assert "gold" in saved.recipe.categorical[2]
    assert not [n for n in result.notes if "'gold'" in n]
    new = frame.drop(columns=["species"]).iloc[[row]]
    assert saved.predict(new).shape == (1,)
    column = saved.recipe.categorical[2].index("gold")
    assert saved.encode(saved.recipe.cells_to_raw(new))[0, 2 + column] == 1.0


def test_a_headerless_file_is_taken_by_position(tmp_path):
    frame = table().drop(columns=["id", "color"])
    frame.to_csv(tmp_path / "plain.csv", index=False, header=False)
    saved = train(tmp_path, tmp_path / "plain.csv")
    assert saved.recipe.columns is None and saved.recipe.header is False
    with_label = prediction_data(saved, str(tmp_path / "plain.csv"))
    frame.drop(columns=["species"]).to_csv(tmp_path / "x.csv", index=False, header=False)
    alone = prediction_data(saved, str(tmp_path / "x.csv"))
    np.testing.assert_array_equal(with_label, alone)
    assert accuracy(saved, alone, frame.species) > 0.8
    frame.iloc[:, :2].to_csv(tmp_path / "narrow.csv", index=False, header=False)
    with pytest.raises(DataError, match="has 2 columns but the model expects 3 .* or 4"):
        prediction_data(saved, str(tmp_path / "narrow.csv"))
    # a header on new data for a model trained without one: dropped, read by position
    frame.to_csv(tmp_path / "named.csv", index=False)
    np.testing.assert_array_equal(prediction_data(saved, str(tmp_path / "named.csv")), alone)


def test_old_model_files_have_no_recipe_and_keep_the_old_reading():
    fixtures = REPO / "tests" / "fixtures"
    saved = load_model(fixtures / "v0_1_table_model.npz")
    assert saved.recipe is None


# ------------------------------------------------------------------- CLI end to end
def test_cli_csv_options_end_to_end(tmp_path):
    frame = table()
    frame.loc[3, "width"] = np.nan
    text = frame.to_csv(index=False, sep=";", na_rep="?")
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress(text.encode()))
    failed = numpynn("train", "--data", "t.csv.gz", "--label-column", "species",
                     "--ignore-columns", "id", "--impute", "none", "--out", "r", cwd=tmp_path)
    assert failed.returncode == 2
    assert failed.stderr.startswith("numpynn: error: ") and "row 5, 'width'" in failed.stderr
    ok(numpynn("train", "--data", "t.csv.gz", "--label-column", "species", "--ignore-columns",
               "id", "--impute", "median", "--epochs", "5", "--hidden", "16", "--out", "r",
               "--no-report", "--quiet", cwd=tmp_path))
    frame[frame.columns[::-1]].drop(columns=["species"]).to_csv(tmp_path / "new.csv",
                                                                index=False)
    out = ok(numpynn("predict", "r/model.npz", "--data", "new.csv", cwd=tmp_path))
    assert len(out.splitlines()) == len(frame) + 1
    frame.assign(extra=0).to_csv(tmp_path / "extra.csv", index=False)
    bad = numpynn("evaluate", "r/model.npz", "--data", "extra.csv", cwd=tmp_path)
    assert bad.returncode == 2 and "unexpected column(s) ['extra']" in bad.stderr
    assert len(bad.stderr.splitlines()) == 1


# --------------------------------------------------------------- MLPClassifier names
def test_mlpclassifier_follows_sklearn_feature_names():
    from sklearn.utils.estimator_checks import check_dataframe_column_names_consistency

    from numpynn.sklearn.classifier import MLPClassifier

    frame = table()
    X, y = frame[["length", "width", "weight"]], frame.species
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(est.feature_names_in_, ["length", "width", "weight"])
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        est.predict(X[["weight", "width", "length"]])
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        est.predict(X.rename(columns={"width": "breadth"}))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X.to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(
            X.to_numpy(), y)
    assert not hasattr(plain, "feature_names_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_dataframe_column_names_consistency(
            "MLPClassifier", MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0))
