"""Round 15's probe of real tables (R's data sets, penguins, scikit-learn's tables written
as pandas, R and spreadsheets write them): each case a defect found and fixed."""

from __future__ import annotations

import json
import unicodedata

import numpy as np
import pandas as pd
import pytest

from numpynn.data.csv_file import load_csv
from numpynn.data.table import TableRecipe
from numpynn.model_file import load_model
from tests.clirun import numpynn, ok


def _coded_table(path, codes, rows=60):
    """``rows`` rows: two features that tell the class apart, the class as ``codes`` writes
    it."""
    rng = np.random.default_rng(0)
    lines = ["x1,x2,group"]
    for i in range(rows):
        k = i % len(codes)
        lines.append(f"{k * 3 + rng.normal(0, 0.3):.3f},{rng.normal():.3f},{codes[k]}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("codes", [["01", "02", "10"], ["007", "012", "100"], ["+1", "-1"]])
def test_class_codes_written_with_leading_zeros_are_predicted_as_written(tmp_path, codes):
    """Classes written as codes ('01', '02', '10': a region, a product group; '+1' and
    '-1') were read as the numbers 1, 2, 10, and predict answered '1' for the file's '01'
    or '+1': predictions that match none of the user's labels. They are now classes as
    the file writes them."""
    _coded_table(tmp_path / "train.csv", codes)
    ok(numpynn("train", "--data", "train.csv", "--label-column", "group", "--epochs", "5",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "new.csv").write_text("x1,x2\n0.0,0.1\n3.0,0.2\n6.0,-0.1\n")
    header, *rows = ok(numpynn("predict", "run", "--data", "new.csv", "--proba",
                               cwd=tmp_path)).splitlines()
    assert header.split(",")[1:] == [f"p_{c}" for c in codes]
    assert {row.split(",")[0] for row in rows} <= set(codes)
    report = ok(numpynn("evaluate", "run", "--data", "train.csv", "--split", "all", "--json",
                        cwd=tmp_path))
    assert json.loads(report)["classes"] == codes


def test_a_code_whose_zeros_a_spreadsheet_dropped_names_the_class_the_model_knows(tmp_path):
    _coded_table(tmp_path / "train.csv", ["01", "02", "10"])
    ok(numpynn("train", "--data", "train.csv", "--label-column", "group", "--epochs", "2",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "test.csv").write_text("x1,x2,group\n0.0,0.1,1\n3.0,0.2,2\n6.0,0.0,10\n")
    result = numpynn("evaluate", "run", "--data", "test.csv", "--split", "all", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'1' (the model knows '01')" in result.stderr


def test_one_class_written_with_and_without_its_zero_stays_one_class(tmp_path):
    """'1' beside a few '01' (a hand-edited file): one '01' turned the whole column into
    text codes, and the class 1 silently became two classes, '1' and '01'."""
    path = _coded_table(tmp_path / "train.csv", ["1", "2", "3"])
    lines = path.read_text().splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0] + ",01"  # row 4 is class 1
    path.write_text("\n".join(lines) + "\n")
    ds = load_csv(path, label_column="group")
    assert ds.classes.tolist() == [1, 2, 3]


def test_a_model_of_number_classes_reads_a_padded_label_as_its_number(tmp_path):
    """A model of the classes 1, 2, 3 refused a test file's '03' ("not among the known
    classes") since codes became text; the number 3 is its class 3."""
    _coded_table(tmp_path / "train.csv", ["1", "2", "3"])
    ok(numpynn("train", "--data", "train.csv", "--label-column", "group", "--epochs", "2",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "test.csv").write_text("x1,x2,group\n0.0,0.1,01\n3.0,0.2,2\n6.0,0.0,03\n")
    report = json.loads(ok(numpynn("evaluate", "run", "--data", "test.csv", "--split", "all",
                                   "--json", cwd=tmp_path)))
    assert report["classes"] == ["1", "2", "3"] and sum(report["support"]) == 3


def test_many_zero_padded_codes_as_the_label_are_classes_not_a_regression(tmp_path):
    """Postcodes as the label looked continuous (many values) and trained a regression."""
    codes = [f"0{2100 + 7 * k}" for k in range(30)]
    _coded_table(tmp_path / "train.csv", codes, rows=300)
    result = numpynn("train", "--data", "train.csv", "--label-column", "group",
                     "--epochs", "1", "--cv-folds", "1", "--quiet", "--no-report",
                     "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "num_classes=30" in result.stdout and "regression" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def penguin_like_run(tmp_path_factory):
    """A model of a table with a number and a text feature, and its directory."""
    root = tmp_path_factory.mktemp("filled")
    rng = np.random.default_rng(1)
    lines = ["mass,sex,bill,species"]
    for i in range(60):
        k = i % 3
        lines.append(f"{3000 + 500 * k + rng.integers(0, 200)},{'female' if i % 2 else 'male'},"
                     f"{40 + 5 * k + rng.normal():.1f},{'ABC'[k]}")
    (root / "train.csv").write_text("\n".join(lines) + "\n")
    ok(numpynn("train", "--data", "train.csv", "--label-column", "species", "--epochs", "2",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=root))
    return root


def test_a_column_empty_in_every_row_of_a_file_to_predict_is_named(penguin_like_run):
    """A new file whose 'mass' and 'sex' columns were exported empty was predicted from the
    training medians without a word (every prediction made without those columns): the
    cells filled at predict and evaluate time are now named, an empty column as one."""
    root = penguin_like_run
    (root / "new.csv").write_text("mass,sex,bill\n,,41.0\n,,46.5\n,,50.2\n")
    result = numpynn("predict", "run", "--data", "new.csv", cwd=root)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 4
    assert "note: new.csv: missing cells filled as in training" in result.stderr
    assert "'mass' (column index 0): every row (3) with the median" in result.stderr
    assert "'sex' (column index 1): every row (3) with the most frequent category" in \
        result.stderr and "a column empty in every row" in result.stderr


def test_missing_cells_filled_at_evaluate_time_are_counted_in_the_json_notes(
        penguin_like_run):
    root = penguin_like_run
    (root / "test.csv").write_text("species,bill,sex,mass\nA,41.0,,3100\nB,46.5,male,\n"
                                   "C,50.2,female,4100\n")
    report = json.loads(ok(numpynn("evaluate", "run", "--data", "test.csv", "--split", "all",
                                   "--json", cwd=root)))
    filled = [n for n in report["notes"] if "missing cells filled" in n]
    assert filled and "'sex' (column index 2): 1 with" in filled[0]
    assert "'mass' (column index 3): 1 with the median" in filled[0]
    assert "every row" not in filled[0]
    clean = numpynn("predict", "run", "--data", "train.csv", cwd=root)
    assert "missing cells" not in clean.stderr


@pytest.mark.parametrize("error", ["#NV", "#WERT!", "#VALEUR!", "#¡VALOR!", "#N/D", "#ЗНАЧ!"])
def test_excels_errors_as_other_languages_write_them_are_missing_cells(tmp_path, error):
    """A German Excel's ';' file writes a formula without a value as #NV or #WERT! (a
    French one #VALEUR!): where the English #N/A and #VALUE! are missing cells, these
    stopped the column with 'cannot read '#NV' as a number'. They are missing cells too."""
    rng = np.random.default_rng(2)
    lines = ["Gewicht;Farbe;Art"]
    for i in range(60):
        k = i % 3
        weight = error if i % 10 == 3 else f"{3000 + 500 * k + rng.integers(0, 200)},5"
        colour = error if i % 10 == 6 else ["rot", "grün", "blau"][k]
        lines.append(f"{weight};{colour};{'ABC'[k]}")
    (tmp_path / "export.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = numpynn("train", "--data", "export.csv", "--label-column", "Art", "--epochs",
                     "1", "--cv-folds", "1", "--quiet", "--no-report", "--out", "run",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "'Gewicht' (column index 0): 6 with the median" in result.stdout + result.stderr
    assert "'Farbe' (column index 1): 6 with the most frequent category" in \
        result.stdout + result.stderr


def _german_prices(path, rows=60):
    """A ';' file as German Excel saves it: prices formatted with thousand points ('1.299'
    beside '899', no comma in that column), ratings with decimal commas."""
    rng = np.random.default_rng(3)
    lines = ["Preis;Bewertung;Klasse"]
    prices = []
    for i in range(rows):
        k = i % 2
        price = int(rng.integers(300, 900) if k == 0 else rng.integers(1000, 2500))
        prices.append(price)
        rating = f"{rng.uniform(1, 5):.1f}".replace(".", ",")
        lines.append(f"{price:,}".replace(",", ".") + f";{rating};{'billig teuer'.split()[k]}")
    path.write_text("\n".join(lines) + "\n")
    return np.array(prices, dtype=float)


def test_whole_numbers_grouped_by_points_in_a_decimal_comma_file_are_thousands(tmp_path):
    """In a German ';' file a price column formatted with thousand points and no decimals
    ('1.299', '899') was read as 1.299 beside 899, a thousand times too small in the rows
    over 999, without a word: the points group thousands there, as in the file's columns
    that write decimal commas, in training and in the files given to the model."""
    prices = _german_prices(tmp_path / "preise.csv")
    data = load_csv(tmp_path / "preise.csv", label_column="Klasse")
    np.testing.assert_allclose(data.X[:, 0], prices)
    ok(numpynn("train", "--data", "preise.csv", "--label-column", "Klasse", "--epochs",
               "1", "--cv-folds", "1", "--quiet", "--no-report", "--out", "run",
               cwd=tmp_path))
    (tmp_path / "neu.csv").write_text("Preis;Bewertung\n1.050;4,5\n950;3,0\n")
    saved = load_model(tmp_path / "run" / "model.npz")
    new = load_csv(tmp_path / "neu.csv", label_column=None, recipe=saved.recipe)
    np.testing.assert_allclose(new.X[:, 0], [1050.0, 950.0])


def test_a_target_grouped_by_points_in_a_decimal_comma_file_is_read_in_thousands(tmp_path):
    prices = _german_prices(tmp_path / "preise.csv", rows=120)
    text = (tmp_path / "preise.csv").read_text().splitlines()
    (tmp_path / "ziel.csv").write_text("\n".join(
        ["Bewertung;Preis"] + [";".join(line.split(";")[1::-1]) for line in text[1:]]) + "\n")
    data = load_csv(tmp_path / "ziel.csv", label_column="Preis", task="auto")
    np.testing.assert_allclose(data.y, prices)


def test_points_in_a_semicolon_file_without_decimal_commas_are_decimal_points(tmp_path):
    """pandas' to_csv(sep=';') writes decimal points: 1.299 stays 1.299 there."""
    (tmp_path / "p.csv").write_text("a;b;c\n" + "".join(
        f"{1 + i / 1000:.3f};{i % 7};{'xy'[i % 2]}\n" for i in range(40)))
    data = load_csv(tmp_path / "p.csv")
    np.testing.assert_allclose(data.X[:3, 0], [1.0, 1.001, 1.002])


def test_thousand_points_below_the_rows_that_decide_the_columns_are_thousands(tmp_path):
    """Sorted by price, the first rows (those read to decide each column) write no point
    at all: '1.299' further down is 1299 all the same, in a file of decimal commas."""
    prices = sorted(100 + k % 900 for k in range(1100)) + [1000 + 7 * k for k in range(60)]
    lines = ["Preis;Bewertung;Klasse"] + [
        f"{p:,}".replace(",", ".") + f";{1 + k % 4},5;{'ab'[k % 2]}"
        for k, p in enumerate(prices)]
    (tmp_path / "sortiert.csv").write_text("\n".join(lines) + "\n")
    data = load_csv(tmp_path / "sortiert.csv", label_column="Klasse")
    np.testing.assert_allclose(data.X[:, 0], prices)


def test_a_german_file_given_to_a_model_of_a_comma_file_reads_its_thousand_points(tmp_path):
    """A model trained on a comma file (decimal points), given the same rows as German
    Excel saves them ('40,9' and '3.200'), read '3.200' as 3.2, as its training file would
    have: the file's own decimal commas now say that its points group thousands, and its
    rows give the comma file's predictions."""
    rng = np.random.default_rng(4)
    masses = rng.integers(2700, 6300, 60)
    bills = rng.uniform(32, 60, 60).round(1)
    lines = ["mass,bill,height,species"] + [
        f"{m}.0,{b},{1 + i % 3},{'AB'[int(m > 4500)]}"
        for i, (m, b) in enumerate(zip(masses, bills))]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    ok(numpynn("train", "--data", "train.csv", "--label-column", "species", "--epochs", "2",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "comma.csv").write_text("mass,bill,height\n3200.0,40.9,1\n5750.0,49.6,2\n")
    (tmp_path / "german.csv").write_text("mass;bill;height\n3.200;40,9;1\n5.750;49,6;2\n")
    saved = load_model(tmp_path / "run" / "model.npz")
    german = load_csv(tmp_path / "german.csv", label_column=None, recipe=saved.recipe)
    np.testing.assert_allclose(german.X, [[3200, 40.9, 1], [5750, 49.6, 2]])
    assert ok(numpynn("predict", "run", "--data", "german.csv", "--proba", cwd=tmp_path)) == \
        ok(numpynn("predict", "run", "--data", "comma.csv", "--proba", cwd=tmp_path))


def test_a_german_test_file_of_a_comma_files_regression_reads_its_target_in_thousands(
        tmp_path):
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, 120).round(1)
    lines = ["x,price"] + [f"{v},{int(1000 + 300 * v + rng.integers(0, 50))}" for v in x]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    ok(numpynn("train", "--data", "train.csv", "--label-column", "price", "--task",
               "regression", "--epochs", "2", "--cv-folds", "1", "--quiet", "--no-report",
               "--out", "run", cwd=tmp_path))
    (tmp_path / "test.csv").write_text("x;price\n2,5;1.760\n7,5;3.260\n0,5;950\n")
    saved = load_model(tmp_path / "run" / "model.npz")
    test = load_csv(tmp_path / "test.csv", recipe=saved.recipe, label_column="price",
                    task="regression")
    np.testing.assert_allclose(test.y, [1760, 3260, 950])


@pytest.mark.parametrize("shuffled", [False, True])
def test_the_index_of_frames_joined_by_concat_is_not_a_feature(tmp_path, shuffled):
    """pd.concat([a, b]).to_csv() writes the index 0..39, 0..29 under an empty header
    cell: its numbers repeat, so it was no index and was trained on as a feature (named
    ''), a row's position in the user's frames: now it is left out with the index note,
    shuffled or split or not."""
    rng = np.random.default_rng(6)
    index = list(range(40)) + list(range(30))
    rows = [(i, rng.normal(), rng.normal(), "ab"[k % 2]) for k, i in enumerate(index)]
    if shuffled:
        rows = [rows[k] for k in rng.permutation(len(rows))]
    (tmp_path / "joined.csv").write_text(",x1,x2,label\n" + "".join(
        f"{i},{a:.3f},{b:.3f},{c}\n" for i, a, b, c in rows))
    data = load_csv(tmp_path / "joined.csv")
    assert data.table.feature_names == ["x1", "x2"]
    assert any("holds the row numbers" in note for note in data.notes)
    ok(numpynn("train", "--data", "joined.csv", "--epochs", "1", "--cv-folds", "1",
               "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "new.csv").write_text(",x1,x2\n0,0.1,0.2\n0,0.3,0.4\n1,0.5,0.6\n")
    assert len(ok(numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path))
               .splitlines()) == 4


def _nfd(text):
    return unicodedata.normalize("NFD", text)


def test_names_and_categories_typed_decomposed_are_the_ones_the_model_knows(tmp_path):
    """'Äpfelsäure' and 'Île Biscoe' written decomposed (as macOS writes names: 'A' and a
    combining diaeresis) were another column and an unseen category, named in messages
    that showed them identical to the model's ('missing column(s) ['Äpfelsäure'] and
    unexpected column(s) ['Äpfelsäure']'). Text is compared in Unicode's composed form, in
    files, in frames and in the model files saved before."""
    rng = np.random.default_rng(7)
    islands = ["Île Biscoe", "Rêve", "Torgersen"]
    lines = ["Äpfelsäure,Insel,Art"] + [
        f"{k * 2 + rng.normal(0, 0.2):.2f},{islands[k]},{'ABC'[k]}"
        for k in (i % 3 for i in range(60))]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    ok(numpynn("train", "--data", "train.csv", "--label-column", "Art", "--epochs", "2",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "composed.csv").write_text("Äpfelsäure,Insel\n0.1,Île Biscoe\n2.0,Rêve\n")
    (tmp_path / "decomposed.csv").write_text(
        _nfd("Äpfelsäure,Insel\n0.1,Île Biscoe\n2.0,Rêve\n"))
    result = numpynn("predict", "run", "--data", "decomposed.csv", "--proba", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "not seen in training" not in result.stderr
    assert result.stdout == ok(numpynn("predict", "run", "--data", "composed.csv", "--proba",
                                       cwd=tmp_path))
    saved = load_model(tmp_path / "run" / "model.npz")
    frame = pd.DataFrame({_nfd("Äpfelsäure"): [0.1, 2.0], "Insel": [_nfd(c) for c in islands[:2]]})
    np.testing.assert_allclose(saved.recipe.cells_to_raw(frame),
                               saved.recipe.cells_to_raw([[0.1, islands[0]], [2.0, islands[1]]]))


def test_a_model_file_whose_recipe_holds_decomposed_text_reads_files_alike():
    """A model saved before, from a file of decomposed names and categories: its recipe is
    read composed, as the files given to it now are."""
    recipe = TableRecipe(n_features=1, n_columns=2, label=1, features=[0], header=True,
                         columns=[_nfd("Île"), "y"], categorical={0: [_nfd("Rêve"), "b"]},
                         impute="median", modes={0: _nfd("Rêve")}, medians=[None],
                         source="csv")
    loaded = TableRecipe.from_dict(recipe.to_dict())
    assert loaded.feature_names == ["Île"] and loaded.categorical[0] == ["Rêve", "b"]
    assert loaded.modes[0] == "Rêve"
    np.testing.assert_allclose(loaded.cells_to_raw([["Rêve"], [_nfd("Rêve")]]), [[0], [0]])
