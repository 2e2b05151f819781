"""Tables as other tools and people export them: a delimiter at the end of every line, a
column left empty, identifiers and free text (names, tickets, cabins), missing labels
written as NA or ?, and a rare category that numpynn's own split puts outside the
training rows. Each is read the way its author meant, or refused with the fix named."""

from __future__ import annotations

import json

import numpy as np
import pytest

from numpynn.data import load_csv
from numpynn.data.cells import number_value
from numpynn.errors import DataError
from numpynn.runs.run import RunOptions, prediction_data, run_training
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn, ok

SPECIES = np.array(["setosa", "versicolor", "virginica"])


def _rows(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    return rng.normal(size=(n, 2)) + np.c_[2.0 * y, -1.5 * y], y


def _write(path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def _error_of(path, **kw) -> str:
    """The message of the DataError that reading ``path`` raises."""
    with pytest.raises(DataError) as info:
        load_csv(path, **kw)
    return str(info.value)


def _options(path, **kw) -> RunOptions:
    return RunOptions(data=str(path), hidden=[8],
                      train=TrainConfig(epochs=2, batch_size=16, seed=0), **kw)


def test_a_delimiter_at_the_end_of_every_line_is_not_a_column(tmp_path):
    X, y = _rows()
    body = [f"{a:.3f},{b:.3f},{SPECIES[k]}," for (a, b), k in zip(X, y)]
    _write(tmp_path / "t.csv", ["a,b,species,", *body])
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape == (60, 2) and list(ds.classes) == list(SPECIES)
    assert any("ends with the delimiter" in n for n in ds.notes)
    # the same table without the trailing delimiter reads the same
    _write(tmp_path / "plain.csv", ["a,b,species"] + [line[:-1] for line in body])
    plain = load_csv(tmp_path / "plain.csv")
    np.testing.assert_array_equal(ds.X, plain.X)
    np.testing.assert_array_equal(ds.y, plain.y)


def test_without_a_header_an_empty_last_column_is_an_empty_label_column(tmp_path):
    """'5.1,3.5,' on every line of a headerless file may be unlabelled rows: training on
    the last feature as the label would be silently wrong, so the labels are missing."""
    X, _ = _rows()
    _write(tmp_path / "t.csv", [f"{a:.3f},{b:.3f}," for a, b in X])
    assert "60 row(s) have no label" in _error_of(tmp_path / "t.csv")


def test_a_trailing_delimiter_on_some_lines_only_is_a_ragged_row(tmp_path):
    X, y = _rows()
    body = [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    body[3] += ","
    _write(tmp_path / "t.csv", ["a,b,species", *body])
    with pytest.raises(DataError, match="row 5 has 4 columns, expected 3"):
        load_csv(tmp_path / "t.csv")


def test_an_empty_column_is_left_out_with_a_note_and_may_be_filled_at_predict(tmp_path):
    X, y = _rows()
    _write(tmp_path / "t.csv", ["a,notes,b,species"]
           + [f"{a:.3f},,{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)])
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape == (60, 2)
    assert [n for n in ds.notes if "'notes' (column index 1) is empty in every row" in n]
    saved = run_training(_options(tmp_path / "t.csv"), tmp_path / "run", report=False).saved
    _write(tmp_path / "new.csv", ["b,a,notes", "0.1,2.0,checked", "0.3,-1.0,"])
    _write(tmp_path / "without.csv", ["b,a", "0.1,2.0", "0.3,-1.0"])
    X = prediction_data(saved, str(tmp_path / "new.csv"))
    np.testing.assert_array_equal(X, prediction_data(saved, str(tmp_path / "without.csv")))
    np.testing.assert_array_equal(X, [[2.0, 0.1], [-1.0, 0.3]])


def test_a_value_below_the_rows_that_showed_a_column_empty_is_an_error(tmp_path):
    """The layout is decided on the first 1000 rows; a column empty there and filled
    later is not silently dropped."""
    X, y = _rows(1100)
    lines = [f"{a:.3f},,{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    lines[1050] = lines[1050].replace(",,", ",late,")
    _write(tmp_path / "t.csv", ["a,notes,b,species", *lines])
    text = _error_of(tmp_path / "t.csv")
    assert "row 1052, 'notes' (column index 1): 'late'" in text
    assert "empty in the first 1000 rows" in text and "`ignore_columns='notes'`" in text


def _passengers(n: int = 120, seed: int = 0) -> list[str]:
    """A Titanic-like table: an index, the label second, names and tickets (identifiers,
    a ticket mostly numeric), a sparse cabin, repeating categories, a missing age."""
    rng = np.random.default_rng(seed)
    lines = ["PassengerId,Survived,Pclass,Name,Sex,Age,Ticket,Fare,Cabin,Embarked"]
    for i in range(n):
        sex = "female" if i % 3 == 0 else "male"
        survived = int((sex == "female") != (rng.random() < 0.15))
        age = "" if i % 7 == 3 else f"{20 + i % 40}"
        ticket = f"PC {17000 + i}" if i % 4 == 0 else str(300000 + 7 * i)
        cabin = f"C{i}" if i % 5 == 0 else ""
        lines.append(f'{i + 1},{survived},{1 + i % 3},"Doe, Mr. John {i}",{sex},{age},'
                     f"{ticket},{10 + (i % 9) * 3.5:.2f},{cabin},{'SCQ'[i % 3]}")
    return lines


def test_identifier_and_free_text_columns_are_left_out_with_notes(tmp_path):
    _write(tmp_path / "titanic.csv", _passengers())
    ds = load_csv(tmp_path / "titanic.csv", label_column="Survived", allow_missing=True)
    left_out = {name for name in ("PassengerId", "Name", "Ticket", "Cabin")
                if any(f"'{name}'" in n for n in ds.notes)}
    assert left_out == {"PassengerId", "Name", "Ticket", "Cabin"}
    # Pclass, Sex, Age, Fare, Embarked stay: repeating categories and numbers
    assert ds.table.feature_names == ["Pclass", "Sex", "Age", "Fare", "Embarked"]
    assert sorted(ds.table.categorical) == [1, 4]


def test_numbers_that_never_repeat_stay_features_with_a_repeated_missing_word(tmp_path):
    """Measurements are all distinct; 'unknown' written in some rows is a missing-value
    word numpynn does not know, not an identifier: the column is not dropped."""
    X, y = _rows()
    lines = [f"{a:.6f},{b:.6f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    _write(tmp_path / "t.csv", ["a,b,species", *lines])
    assert load_csv(tmp_path / "t.csv").X.shape == (60, 2)
    for i in range(0, 60, 4):
        lines[i] = "unknown," + lines[i].split(",", 1)[1]
    _write(tmp_path / "t.csv", ["a,b,species", *lines])
    with pytest.raises(DataError, match="cannot read 'unknown' as a number"):
        load_csv(tmp_path / "t.csv")


def test_a_mostly_numeric_column_with_some_text_names_the_fix(tmp_path):
    X, y = _rows()
    lines = [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    a, _, label = lines[4].split(",")
    lines[4] = f"{a},4.O1,{label}"  # the letter O typed for a zero
    _write(tmp_path / "t.csv", ["a,b,species", *lines])
    text = _error_of(tmp_path / "t.csv")
    assert "row 6, 'b' (column index 1): cannot read '4.O1' as a number" in text
    assert "mostly numbers" in text and "`ignore_columns='b'`" in text


@pytest.mark.parametrize("missing", ["", "NA", "?", "nan", "N/A"])
def test_a_missing_label_is_an_error_with_its_row_and_count_never_a_class(tmp_path, missing):
    X, y = _rows()
    labels = SPECIES[y].astype(object)
    labels[[4, 9, 30]] = missing
    _write(tmp_path / "t.csv", ["a,b,species"]
           + [f"{a:.3f},{b:.3f},{lab}" for (a, b), lab in zip(X, labels)])
    text = _error_of(tmp_path / "t.csv")
    assert "row 6: the label is" in text and "3 row(s) have no label" in text
    assert "'species' (column index 2) is the label column" in text
    with pytest.raises(DataError, match="3 row\\(s\\) have no label"):
        load_csv(tmp_path / "t.csv", task="auto")


@pytest.mark.parametrize("labels", ["text", "numbers"])
def test_drop_unlabelled_leaves_out_rows_without_a_label_with_a_note(tmp_path, labels):
    """Rows whose label is missing are dropped when asked, never made a class; the label
    values left keep their kind (numbers stay numbers)."""
    X, y = _rows(60)
    names = SPECIES[y].astype(object) if labels == "text" else (y + 1).astype(object)
    names[[4, 9, 30]] = ["", "NA", "?"]
    _write(tmp_path / "t.csv", ["a,b,species"]
           + [f"{a:.3f},{b:.3f},{lab}" for (a, b), lab in zip(X, names)])
    refused = numpynn("train", "--data", "t.csv", "--out", "run", cwd=tmp_path)
    assert refused.returncode == 2 and "--drop-unlabelled" in refused.stderr
    ds = load_csv(tmp_path / "t.csv", drop_unlabelled=True)
    assert ds.y.shape == (57,) and ds.X.shape == (57, 2)
    expected = SPECIES if labels == "text" else [1, 2, 3]
    assert [str(c) for c in ds.classes] == [str(c) for c in expected]
    keep = np.setdiff1d(np.arange(60), [4, 9, 30])
    np.testing.assert_array_equal(ds.y, y[keep])
    np.testing.assert_allclose(ds.X, np.round(X[keep], 3))
    assert any("3 row(s) without a label (the first at row 6)" in n for n in ds.notes)
    out = ok(numpynn("train", "--data", "t.csv", "--drop-unlabelled", "--epochs", "1",
                     "--no-report", "--out", "run", cwd=tmp_path))
    assert "--drop-unlabelled" in out and "3 classes" in out
    _write(tmp_path / "none.csv", ["a,b,species", "1,2,", "3,4,NA"])
    with pytest.raises(DataError, match="no row has a label"):
        load_csv(tmp_path / "none.csv", drop_unlabelled=True)


def test_evaluate_leaves_out_rows_without_a_label_as_training_did(tmp_path):
    """A model trained with --drop-unlabelled (R's SLID: wages missing in 3,278 rows) is
    evaluated on its own data's test split without a refusal; another file's rows
    without a label are refused with the flag that evaluate has, and left out with it."""
    X, y = _rows(90)
    names = SPECIES[y].astype(object)
    names[[4, 9, 30]] = ["", "NA", "?"]
    _write(tmp_path / "t.csv", ["a,b,species"]
           + [f"{a:.3f},{b:.3f},{lab}" for (a, b), lab in zip(X, names)])
    ok(numpynn("train", "--data", "t.csv", "--drop-unlabelled", "--epochs", "1",
               "--no-report", "--out", "run", cwd=tmp_path))
    proc = numpynn("evaluate", "run", cwd=tmp_path)
    assert "(test split)" in ok(proc)
    assert "3 row(s) without a label (the first at row 6) are left out" in proc.stderr
    plain = numpynn("train", "--data", "t.csv", "--label-column", "species", "--epochs", "1",
                    "--no-report", "--out", "other", cwd=tmp_path)
    assert plain.returncode == 2  # rows without a label: the training refusal
    _write(tmp_path / "ok.csv", ["a,b,species"]
           + [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)])
    ok(numpynn("train", "--data", "ok.csv", "--epochs", "1", "--no-report", "--out",
               "clean", cwd=tmp_path))
    refused = numpynn("evaluate", "clean", "--data", "t.csv", cwd=tmp_path)
    assert refused.returncode == 2 and "--drop-unlabelled" in refused.stderr
    out = ok(numpynn("evaluate", "clean", "--data", "t.csv", "--drop-unlabelled", "--json",
                     cwd=tmp_path))
    assert sum(json.loads(out)["support"]) == 87


@pytest.mark.parametrize(("text", "decimal_comma", "value"), [
    ("12.5%", False, 0.125), ("$1,234.50", False, 1234.5), ("-$5", False, -5.0),
    ("15 €", False, 15.0), ("1,234,567.8", False, 1234567.8), ("1.234,5", True, 1234.5),
    ("5,1", True, 5.1), ("1.5", True, 1.5), ("7", False, 7.0),
    ("5,1", False, None), ("1,23", False, None), ("%", False, None), ("€", False, None),
    ("12%%", False, None), ("abc", False, None), ("3.5m", False, None)])
def test_numbers_as_spreadsheets_format_them(text, decimal_comma, value):
    got = number_value(text, decimal_comma)
    assert got == pytest.approx(value) if value is not None else got is None


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_percent_and_currency_columns_are_numbers_in_training_and_prediction(tmp_path,
                                                                            delimiter):
    X, y = _rows()
    if delimiter == ",":
        cells = [f'{100 * a:.1f}%,"${1000 * abs(b):,.2f}"' for a, b in X]
        new = ['"$1,000.00",12.5%', "$2.00,-50%"]
    else:
        cells = [f"{100 * a:.1f}%;{1000 * abs(b):,.2f} €".replace(",", "_").replace(
            ".", ",").replace("_", ".") for a, b in X]
        new = ["1.000,00 €;12,5%", "2 €;-50%"]
    _write(tmp_path / "t.csv", [delimiter.join(["share", "price", "species"])]
           + [f"{c}{delimiter}{SPECIES[k]}" for c, k in zip(cells, y)])
    ds = load_csv(tmp_path / "t.csv")
    assert not ds.table.categorical
    np.testing.assert_allclose(ds.X[:, 0], np.round(100 * X[:, 0], 1) / 100)
    np.testing.assert_allclose(ds.X[:, 1], np.round(1000 * np.abs(X[:, 1]), 2))
    saved = run_training(_options(tmp_path / "t.csv"), tmp_path / "run", report=False).saved
    _write(tmp_path / "new.csv", [delimiter.join(["price", "share"]), *new])
    np.testing.assert_allclose(prediction_data(saved, str(tmp_path / "new.csv")),
                               [[0.125, 1000.0], [-0.5, 2.0]])


def test_titanic_like_table_trains_from_the_command_line(tmp_path):
    """The walk of a user with Kaggle's Titanic file: the label is named, missing ages are
    imputed, and identifiers, the index and the sparse cabin are left out with notes."""
    _write(tmp_path / "titanic.csv", _passengers(300))
    out = ok(numpynn("train", "--data", "titanic.csv", "--label-column", "Survived",
                     "--impute", "median", "--epochs", "3", "--no-report", "--out", "run",
                     cwd=tmp_path))
    for name in ("PassengerId", "Name", "Ticket", "Cabin"):
        assert f"'{name}'" in out
    assert "240 train / 0 val / 60 test rows" in out and "3-fold cross-validation" in out
    proc = numpynn("predict", "run", "--data", "titanic.csv", cwd=tmp_path)
    assert len(ok(proc).splitlines()) == 301  # header + one line per passenger


def _iris_like_lines(delimiter: str = ",") -> list[str]:
    X, y = _rows()
    return [delimiter.join(["a", "b", "species"])] + [
        delimiter.join([f"{a:.3f}", f"{b:.3f}", SPECIES[k]]) for (a, b), k in zip(X, y)]


def test_excel_unicode_text_utf16_with_tabs_is_read(tmp_path):
    """Excel's "Unicode Text" export: UTF-16 with a byte-order mark, tab-separated, .txt."""
    lines = _iris_like_lines("\t")
    (tmp_path / "t.txt").write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")
    _write(tmp_path / "plain.csv", _iris_like_lines())
    ds, plain = load_csv(tmp_path / "t.txt"), load_csv(tmp_path / "plain.csv")
    np.testing.assert_array_equal(ds.X, plain.X)
    np.testing.assert_array_equal(ds.y, plain.y)
    from numpynn.data import load_dataset

    assert load_dataset(str(tmp_path / "t.txt")).X.shape == (60, 2)  # a text table


def test_an_excel_sep_line_declares_the_delimiter_and_is_not_a_row(tmp_path):
    _write(tmp_path / "t.csv", ["sep=;", *_iris_like_lines(";")])
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape == (60, 2) and ds.table.feature_names == ["a", "b"]
    lines = _iris_like_lines(";")
    lines[5] = lines[5].replace(";", ";;", 1)
    _write(tmp_path / "bad.csv", ["sep=;", *lines])
    with pytest.raises(DataError, match="row 7 has 4 columns"):  # the editor's line number
        load_csv(tmp_path / "bad.csv")


def _r_write_table(row_names: list[str], delimiter: str = " ") -> list[str]:
    """The iris-like rows as R's write.table writes a data frame: quoted text, the row
    names first in every row and no header cell above them."""
    X, y = _rows()
    return [delimiter.join(['"a"', '"b"', '"species"'])] + [
        delimiter.join([f'"{name}"', f"{a:.3f}", f"{b:.3f}", f'"{SPECIES[k]}"'])
        for name, (a, b), k in zip(row_names, X, y)]


@pytest.mark.parametrize("delimiter", [" ", ",", "\t", ";"])
@pytest.mark.parametrize("names", ["numbers", "text"])
def test_r_write_table_header_without_a_row_names_cell(tmp_path, delimiter, names):
    """R's write.table (space-separated by default; read.table's rule): the header is one
    cell short and the first column holds the row names, shuffled numbers or text (car
    models): read as the same table as the plain file, the row names left out with a
    note, and a model trained on it predicts such a file."""
    order = np.random.default_rng(1).permutation(60) + 1
    row_names = [str(i) for i in order] if names == "numbers" else [
        f"car model {i}" for i in order]
    _write(tmp_path / "r.txt", _r_write_table(row_names, delimiter))
    _write(tmp_path / "plain.csv", _iris_like_lines())
    ds, plain = load_csv(tmp_path / "r.txt"), load_csv(tmp_path / "plain.csv")
    np.testing.assert_array_equal(ds.X, plain.X)
    np.testing.assert_array_equal(ds.y, plain.y)
    assert ds.table.feature_names == ["a", "b"]
    assert any("write.table" in n for n in ds.notes)
    # told there is no header, the file is ragged, as it is without R's rule
    with pytest.raises(DataError, match="row 2 has 4 columns"):
        load_csv(tmp_path / "r.txt", header=False)
    named = {" ": "space", "\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]
    ok(numpynn("train", "--data", "r.txt", "--label-column", "species", "--epochs", "2",
               "--delimiter", named, "--no-report", "--out", "run", cwd=tmp_path))
    out = ok(numpynn("predict", "run", "--data", "r.txt", cwd=tmp_path))
    assert len(out.splitlines()) == 61


@pytest.mark.parametrize("delimiter", ["|", " "])
def test_pipe_and_space_separated_files_are_detected(tmp_path, delimiter):
    from numpynn.data.csv_file import sniff_delimiter

    _write(tmp_path / "t.txt", _iris_like_lines(delimiter))
    _write(tmp_path / "plain.csv", _iris_like_lines())
    assert sniff_delimiter(tmp_path / "t.txt") == delimiter
    ds, plain = load_csv(tmp_path / "t.txt"), load_csv(tmp_path / "plain.csv")
    np.testing.assert_array_equal(ds.X, plain.X)
    np.testing.assert_array_equal(ds.y, plain.y)


def test_spaces_in_names_and_text_do_not_make_a_comma_file_space_separated(tmp_path):
    """Header names and category values with spaces, in a comma-separated file: still
    read at its commas (a space is taken only where every line splits evenly at it)."""
    from numpynn.data.csv_file import sniff_delimiter

    X, y = _rows()
    kinds = ["New York", "San Jose", "Los Angeles area"]
    body = [f"{a:.3f},{kinds[k]},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    _write(tmp_path / "t.csv", ["sepal length,home town,petal width,iris species", *body])
    assert sniff_delimiter(tmp_path / "t.csv") == ","
    ds = load_csv(tmp_path / "t.csv")
    assert ds.table.feature_names == ["sepal length", "home town", "petal width"]


def _european_lines() -> list[str]:
    """A ';' table with decimal commas and accented names and categories."""
    X, y = _rows()
    towns = ["Zürich", "Genève", "Köln"]
    return ["taille;ville;poids;espèce"] + [
        f"{a:.3f};{towns[k]};{b:.3f};{SPECIES[k]}".replace(".", ",")
        for (a, b), k in zip(X, y)]


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_windows_1252_file_as_excel_saves_it_is_read_with_a_note(tmp_path, gzipped):
    """Excel's 'CSV' on Windows writes Windows-1252 (é as one byte), ';' and decimal
    commas in many locales: read as the same table as its UTF-8 copy, with a note; a
    model trained on one predicts the other."""
    import gzip

    from numpynn.data.csv_file import sniff_delimiter

    text = "\r\n".join(_european_lines()) + "\r\n"
    name = "legacy.csv.gz" if gzipped else "legacy.csv"
    data = text.encode("cp1252")
    (tmp_path / name).write_bytes(gzip.compress(data) if gzipped else data)
    (tmp_path / "utf8.csv").write_text(text, encoding="utf-8")
    assert sniff_delimiter(tmp_path / name) == ";"
    legacy, utf8 = load_csv(tmp_path / name), load_csv(tmp_path / "utf8.csv")
    np.testing.assert_array_equal(legacy.X, utf8.X)
    np.testing.assert_array_equal(legacy.y, utf8.y)
    assert legacy.table.feature_names == ["taille", "ville", "poids"]
    assert legacy.table.categorical == utf8.table.categorical
    assert any("Windows-1252" in n for n in legacy.notes)
    assert not any("Windows-1252" in n for n in utf8.notes)
    ok(numpynn("train", "--data", name, "--label-column", "espèce", "--epochs", "2",
               "--no-report", "--out", "run", cwd=tmp_path))
    for other in (name, "utf8.csv"):
        assert len(ok(numpynn("predict", "run", "--data", other, cwd=tmp_path)).splitlines()) == 61


def test_binary_data_is_still_refused_as_not_text(tmp_path):
    """The Windows-1252 reading is for text: bytes with a NUL among them (binary data) or
    a byte that Windows-1252 leaves undefined are refused as not UTF-8."""
    (tmp_path / "nul.csv").write_bytes(b"a,b,c\n1,2,\xe9\x00x\n3,4,y\n" * 20)
    (tmp_path / "undefined.csv").write_bytes(b"a,b,c\n1,2,\x81x\n3,4,y\n" * 20)
    for name in ("nul.csv", "undefined.csv"):
        assert "not a UTF-8 text file" in _error_of(tmp_path / name)


def test_comment_lines_above_the_table_are_skipped_with_a_note(tmp_path):
    """Lines of notes starting with '#' above the header (R's read.table and pandas'
    comment='#' skip them) are not the header; a header whose first name starts with
    '#' is one, and so is a first column whose every value starts with '#'."""
    lines = _iris_like_lines()
    _write(tmp_path / "plain.csv", lines)
    _write(tmp_path / "notes.csv", ["# iris-like rows, exported 2024-01-01", "# units: cm, cm",
                                    "#", *lines])
    ds, plain = load_csv(tmp_path / "notes.csv"), load_csv(tmp_path / "plain.csv")
    np.testing.assert_array_equal(ds.X, plain.X)
    np.testing.assert_array_equal(ds.y, plain.y)
    assert ds.table.feature_names == ["a", "b"]
    assert any("line(s) 1, 2, 3 before the table start with '#'" in n for n in ds.notes)
    ok(numpynn("train", "--data", "notes.csv", "--label-column", "species", "--epochs", "2",
               "--no-report", "--out", "run", cwd=tmp_path))
    assert len(ok(numpynn("predict", "run", "--data", "notes.csv", cwd=tmp_path)
                  ).splitlines()) == 61
    # '#a' names the first column
    _write(tmp_path / "hash_header.csv", ["# notes", "#a,b,species", *lines[1:]])
    ds = load_csv(tmp_path / "hash_header.csv")
    assert ds.table.feature_names == ["#a", "b"] and ds.X.shape == (60, 2)
    # colour codes in every row: values, not comments
    X, y = _rows()
    colours = ["#FF0000", "#00FF00", "#0000FF"]
    _write(tmp_path / "colours.csv", [f"{colours[k]},{a:.3f},{SPECIES[k]}"
                                      for (a, _), k in zip(X, y)])
    ds = load_csv(tmp_path / "colours.csv")
    assert ds.X.shape == (60, 2) and not any("'#'" in n for n in ds.notes)


def test_values_that_differ_only_in_case_or_spaces_are_named(tmp_path):
    """'Yes' and 'yes' in the label (a file typed by hand, or joined from two sources) are
    two classes: a warning names them before training; text features alike get a note.
    Distinct values get neither."""
    X, y = _rows()
    labels = np.where(y == 0, "setosa", np.where(y == 1, "versicolor", "virginica"))
    labels[::7] = np.char.upper(labels[::7])
    towns = np.array(["New York", "Boston", "New  York"])[np.arange(60) % 3]
    body = [f"{a:.3f},{t},{b:.3f},{lab}" for (a, b), t, lab in zip(X, towns, labels)]
    _write(tmp_path / "t.csv", ["a,town,b,species", *body])
    notes = load_csv(tmp_path / "t.csv").notes
    assert any(n.startswith("warning: t.csv: the label column 'species'") and
               "'SETOSA' / 'setosa'" in n for n in notes)
    assert any("'town' (column index 1) has categories that differ only in case or spaces "
               "('New  York' / 'New York')" in n for n in notes)
    out = numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out", "run",
                  cwd=tmp_path)
    assert "differ only in case or spaces" in ok(out) + out.stderr
    _write(tmp_path / "plain.csv", _iris_like_lines())
    assert not any("differ only" in n for n in load_csv(tmp_path / "plain.csv").notes)


def test_a_repeated_header_row_of_joined_files_is_skipped_with_a_note(tmp_path):
    lines = _iris_like_lines()
    _write(tmp_path / "joined.csv", [*lines, *lines])
    ds = load_csv(tmp_path / "joined.csv")
    assert ds.X.shape == (120, 2) and ds.table.header
    assert any("row(s) 62 repeat the header row" in n for n in ds.notes)


@pytest.mark.parametrize(("given", "meant"), [("Species", "species"), ("specie", "species"),
                                              ("sepal_length", "sepal length")])
def test_a_misspelt_column_name_suggests_the_column(tmp_path, given, meant):
    X, y = _rows()
    _write(tmp_path / "t.csv", ["sepal length,b,species"]
           + [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)])
    with pytest.raises(DataError, match=f"did you mean {meant!r}"):
        load_csv(tmp_path / "t.csv", label_column=given)
    assert "did you mean" not in _error_of(tmp_path / "t.csv", label_column="colour")
    proc = numpynn("train", "--data", "t.csv", "--label-column", given, cwd=tmp_path)
    assert proc.returncode == 2 and f"--label-column {given} is not a column" in proc.stderr


def test_search_reports_the_columns_left_out(tmp_path):
    """`numpynn search` reads the table as train does, and says so: the notes on the
    columns left out come with its result (the CLI prints them)."""
    from numpynn.search import SearchSpace, search

    _write(tmp_path / "titanic.csv", _passengers())
    options = RunOptions(data=str(tmp_path / "titanic.csv"), label_column="Survived",
                         impute="median")
    space = SearchSpace(hidden=[[8]], epochs=[1], batch_size=[32])
    result = search(options, space, trials=1, seed=0, jobs=1, retrain=False,
                    out=tmp_path / "search")
    for name in ("PassengerId", "Name", "Ticket", "Cabin"):
        assert [n for n in result.notes if f"'{name}'" in n], name


def test_missing_cells_are_filled_by_default_and_named_in_a_note(tmp_path):
    """A table with empty numbers and text trains as it is: the note says how many cells
    of which column got what; `predict` fills new files the same way; `--impute none`
    refuses them with the row."""
    X, y = _rows(90)
    colors = np.array(["red", "green", "blue"])[y]
    lines = ["a,b,color,species"]
    for i, ((a, b), c, k) in enumerate(zip(X, colors, y)):
        a_cell = "" if i % 9 == 4 else f"{a:.3f}"
        c_cell = "NA" if i % 10 == 7 else c
        lines.append(f"{a_cell},{b:.3f},{c_cell},{SPECIES[k]}")
    _write(tmp_path / "t.csv", lines)
    out = ok(numpynn("train", "--data", "t.csv", "--epochs", "2", "--no-report", "--out",
                     "run", cwd=tmp_path))
    note = next(line for line in out.splitlines() if "missing cells filled" in line)
    assert "'a' (column index 0): 10 with the median " in note
    assert "'color' (column index 2): 9 with the most frequent category '" in note
    assert "--impute none" in note
    _write(tmp_path / "new.csv", ["a,b,color", ",0.5,", "1.0,?,red"])
    assert len(ok(numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path))
               .splitlines()) == 3
    refused = numpynn("train", "--data", "t.csv", "--impute", "none", "--out", "run2",
                      cwd=tmp_path)
    assert refused.returncode == 2 and "row 6, 'a' (column index 0)" in refused.stderr


@pytest.mark.parametrize(("text", "value"), [
    ("2000-07-02", 2000.5), ("2000/7/2", 2000.5), ("2000-01-01", 2000.0),
    ("2001-01-01T12:00:00Z", 2001 + 0.5 / 365), ("2001-01-01 12:00", 2001 + 0.5 / 365),
    ("2001-01-01T14:00:00+02:00", 2001 + 0.5 / 365), ("2001-01-01T12:00:00.5Z",
                                                      2001 + (0.5 + 0.5 / 86400) / 365),
    ("2010-13-45", None), ("2010-04", None), ("18/04/2010", None), ("2010-04-18x", None)])
def test_dates_written_year_first_are_numbers(text, value):
    got = number_value(text, False)
    assert got == pytest.approx(value, abs=1e-9) if value is not None else got is None


def test_a_date_column_is_a_number_in_training_and_prediction(tmp_path):
    """A column of dates (R's CPU table: release dates; openintro's email: send times) is
    read as the year with its fraction, with a note, not as one category per date (which
    no new date could match) nor as an identifier left out; predict reads new dates, in a
    file or a DataFrame, the same way."""
    import datetime

    import pandas as pd

    X, y = _rows()
    days = np.arange(len(y)) * 5
    dates = [str(datetime.date(2010, 1, 1) + datetime.timedelta(days=int(d))) for d in days]
    _write(tmp_path / "t.csv", ["a,released,species"]
           + [f"{a:.3f},{d},{SPECIES[k]}" for (a, _), d, k in zip(X, dates, y)])
    ds = load_csv(tmp_path / "t.csv")
    assert not ds.table.categorical and ds.table.feature_names == ["a", "released"]
    assert ds.X[0, 1] == 2010.0 and 2010 < ds.X[-1, 1] < 2011
    assert any("'released' (column index 1) holds dates (2010-01-01, 2010-01-06, 2010-01-11, ...): "
               "read as numbers, the year with its fraction" in n for n in ds.notes)
    saved = run_training(_options(tmp_path / "t.csv"), tmp_path / "run", report=False).saved
    _write(tmp_path / "new.csv", ["released,a", "2011-07-02,0.5", "2009-12-31T18:00:00Z,1"])
    np.testing.assert_allclose(prediction_data(saved, str(tmp_path / "new.csv")),
                               [[0.5, 2011 + 182 / 365], [1.0, 2009 + (364.75 / 365)]])
    frame = pd.DataFrame({"a": [0.5, 1.0], "released": ["2011-07-02", "2009-12-31T18:00Z"]})
    np.testing.assert_allclose(saved.recipe.cells_to_raw(frame),
                               prediction_data(saved, str(tmp_path / "new.csv")))
    stamps = frame.assign(released=pd.to_datetime(["2011-07-02 00:00", "2009-12-31 18:00"]))
    np.testing.assert_allclose(saved.recipe.cells_to_raw(stamps),
                               prediction_data(saved, str(tmp_path / "new.csv")))


@pytest.mark.parametrize("token", ["#N/A", "#NA", "<NA>", "1.#QNAN", "-1.#IND", ".", "#DIV/0!",
                                   "#VALUE!"])
def test_excel_and_pandas_missing_markers_are_missing_cells(tmp_path, token):
    """Excel writes a missing value as #N/A; pandas reads these tokens as missing by
    default. In a number column or a text column they are missing cells (filled, with
    the note), not text that stops the column from being numeric."""
    X, y = _rows(90)
    colors = np.array(["red", "green", "blue"])[y]
    lines = ["a,b,color,species"]
    for i, ((a, b), c, k) in enumerate(zip(X, colors, y)):
        lines.append(f"{token if i % 9 == 4 else f'{a:.3f}'},{b:.3f},"
                     f"{token if i % 10 == 7 else c},{SPECIES[k]}")
    _write(tmp_path / "t.csv", lines)
    ds = load_csv(tmp_path / "t.csv", allow_missing=True)
    assert list(ds.table.categorical) == [2]
    assert np.isnan(ds.X[:, 0]).sum() == 10 and np.isnan(ds.X[:, 2]).sum() == 9
    _write(tmp_path / "u.csv", ["a,b,species", *[f"1,{b:.3f},{SPECIES[k]}" for (_, b), k
                                                 in zip(X[:-1], y[:-1])], f"2,3,{token}"])
    with pytest.raises(DataError, match="the label is"):
        load_csv(tmp_path / "u.csv")
