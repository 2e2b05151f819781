"""Tables as spreadsheets and statistics packages of other locales and habits export them:
thousands grouped by spaces (French, with Excel's no-break space) or apostrophes (Swiss),
accounting negatives in parentheses, the typeset minus sign, rows and columns of nothing
but delimiters below and beside the data, and missing values as SAS, Stata and Excel's
formulas write them. Each is read as its author meant, never a feature silently lost."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.data import load_csv
from numpynn.data.cells import number_value
from numpynn.errors import DataError
from numpynn.runs.run import RunOptions, prediction_data, run_training
from numpynn.training.trainer import TrainConfig

SPECIES = np.array(["setosa", "versicolor", "virginica"])


def _rows(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    return rng.normal(size=(n, 2)) + np.c_[2.0 * y, -1.5 * y], y


def _write(path, lines: list[str], newline: str = "\n") -> None:
    path.write_text(newline.join(lines) + newline, encoding="utf-8")


def _options(path, **kw) -> RunOptions:
    return RunOptions(data=str(path), hidden=[8],
                      train=TrainConfig(epochs=2, batch_size=16, seed=0), **kw)


@pytest.mark.parametrize(("text", "decimal_comma", "value"), [
    ("1 234,5", True, 1234.5), ("1\u00a0234\u00a0567,89", True, 1234567.89),
    ("5\u202f123,45", True, 5123.45), ("1 234.5", False, 1234.5),
    ("1'234.50", False, 1234.5), ("1\u2019234.50", False, 1234.5),
    ("1 234 €", True, 1234.0), ("(1,234.50)", False, -1234.5), ("($1,200)", False, -1200.0),
    ("$(1,200)", False, -1200.0), ("(12.5%)", False, -0.125), ("(1.234,5) €", True, -1234.5),
    ("\u22121.5", False, -1.5), ("\u2212$5", False, -5.0),
    # currencies as codes and other signs, India's lakh grouping
    ("USD 1,200", False, 1200.0), ("1.200,00 EUR", True, 1200.0), ("R$ 1.234,56", True, 1234.56),
    ("US$5", False, 5.0), ("CHF 1'234.50", False, 1234.5), ("100 JPY", False, 100.0),
    ("(USD 1,200)", False, -1200.0), ("\u20b91,23,456.78", False, 123456.78),
    ("12,34,567", False, 1234567.0), ("SKU 123", False, None), ("EUR", False, None),
    ("1,23,45", False, None), ("12 kg", False, None),
    # not numbers: a decimal comma in a comma file, groups that are not thousands, mixed
    # separators, a sign inside the parentheses, an empty pair
    ("1 234,5", False, None), ("12 34", False, None), ("1 2345", False, None),
    ("1 234'567", False, None), ("555 123 4567", False, None), ("(-5)", False, None),
    ("()", False, None), ("(abc)", False, None)])
def test_numbers_grouped_and_signed_as_other_locales_write_them(text, decimal_comma, value):
    got = number_value(text, decimal_comma)
    assert got == pytest.approx(value) if value is not None else got is None


def test_a_column_of_such_numbers_is_a_feature_in_training_and_prediction(tmp_path):
    """Before, a French column ``5 123,45`` (no-break spaces, as Excel writes it) or an
    accounting column ``(1.23)`` was all text whose values never repeat, so it was left
    out of the features as an identifier: the model silently lost it."""
    X, y = _rows()
    amount = 1000 * X[:, 0] + 5000
    french = [f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",") for v in amount]
    accounting = [f"({-b:,.2f})" if b < 0 else f"{b:,.2f}" for b in X[:, 1]]
    _write(tmp_path / "t.csv", ["montant;solde;espece"]
           + [f"{a};{b.replace(',', '')};{SPECIES[k]}".replace(".", ",")
              for a, b, k in zip(french, accounting, y)])
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape == (60, 2) and not ds.table.categorical and not ds.notes
    np.testing.assert_allclose(ds.X[:, 0], np.round(amount, 2))
    np.testing.assert_allclose(ds.X[:, 1], np.round(X[:, 1], 2))
    saved = run_training(_options(tmp_path / "t.csv"), tmp_path / "run", report=False).saved
    _write(tmp_path / "new.csv", ["solde;montant", "(2,50);1\u202f000,5", "\u22121;12 345"])
    np.testing.assert_allclose(prediction_data(saved, str(tmp_path / "new.csv")),
                               [[1000.5, -2.5], [12345.0, -1.0]])


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_rows_of_empty_cells_below_the_table_are_skipped_with_a_note(tmp_path, delimiter):
    """Excel saves rows that were once formatted or cleared below the data as ``,,``; they
    were read as rows whose label is empty and the file was refused."""
    X, y = _rows()
    body = [delimiter.join([f"{a:.3f}", f"{b:.3f}", SPECIES[k]]) for (a, b), k in zip(X, y)]
    _write(tmp_path / "t.csv", ["a,b,species".replace(",", delimiter), *body[:30],
                                delimiter * 2, *body[30:], delimiter * 2, delimiter * 2],
           newline="\r\n")
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape == (60, 2) and list(ds.classes) == list(SPECIES)
    assert any("row(s) 32, 63, 64 hold empty cells only" in n for n in ds.notes)
    saved = run_training(_options(tmp_path / "t.csv"), tmp_path / "run", report=False).saved
    assert prediction_data(saved, str(tmp_path / "t.csv")).shape == (60, 2)


def test_several_empty_cells_at_the_end_of_every_row_are_not_columns(tmp_path):
    """A spreadsheet saves ``a,b,species,,`` when cells beside the table were formatted:
    the last (empty, unnamed) column was taken for the label and the file refused."""
    X, y = _rows()
    _write(tmp_path / "t.csv", ["a,b,species,,,"]
           + [f"{a:.3f},{b:.3f},{SPECIES[k]},,," for (a, b), k in zip(X, y)])
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape == (60, 2) and list(ds.classes) == list(SPECIES)
    assert any("ends with 3 empty cells" in n for n in ds.notes)
    plain = [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    _write(tmp_path / "plain.csv", ["a,b,species", *plain])
    np.testing.assert_array_equal(ds.X, load_csv(tmp_path / "plain.csv").X)
    # rows past the sampled ones lose the same empty cells; a filled one there is ragged
    _write(tmp_path / "long.csv", ["a,b,species,,"] + [f"{p},," for p in plain * 20])
    assert load_csv(tmp_path / "long.csv").X.shape == (1200, 2)
    # an empty label column under a name is still refused as unlabelled rows
    _write(tmp_path / "named.csv", ["a,b,species,,"] + [f"{a:.3f},{b:.3f},,," for a, b in X])
    with pytest.raises(DataError, match="the label is empty"):
        load_csv(tmp_path / "named.csv")


def test_a_table_aligned_in_columns_by_spaces_is_read(tmp_path):
    """UCI's ``housing.data`` and its kind (a Fortran or a printed table): cells padded
    by runs of spaces, a line starting with them. The file was one column (no delimiter
    detected), and with ``--delimiter space`` every space was a cell: ragged rows."""
    from numpynn.data.csv_file import sniff_delimiter

    X, y = _rows()
    aligned = [f"{a:10.3f}{b:10.3f}{k:4d}" for (a, b), k in zip(X, y)]
    _write(tmp_path / "housing.data", aligned)
    _write(tmp_path / "header.txt", [f"{'a':>10}{'b':>10}{'cls':>4}", *aligned])
    _write(tmp_path / "plain.csv", ["a,b,cls"]
           + [f"{a:.3f},{b:.3f},{k}" for (a, b), k in zip(X, y)])
    plain = load_csv(tmp_path / "plain.csv")
    for name in ("housing.data", "header.txt"):
        assert sniff_delimiter(tmp_path / name) == " "
        for delimiter in (None, " "):
            ds = load_csv(tmp_path / name, delimiter=delimiter)
            np.testing.assert_array_equal(ds.X, plain.X)
            np.testing.assert_array_equal(ds.y, plain.y)
    saved = run_training(_options(tmp_path / "header.txt"), tmp_path / "run",
                         report=False).saved
    _write(tmp_path / "new.txt", [" cls  b   a", "  1  2.5  -1", "0 3 4   "])
    np.testing.assert_allclose(prediction_data(saved, str(tmp_path / "new.txt")),
                               [[-1.0, 2.5], [4.0, 3.0]])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding):
    """UTF-16 without a BOM (SQL Server's bcp -w, some Windows tools): every cell was read
    with NUL characters in it and the message named columns such as 'a\\x00'."""
    X, y = _rows()
    lines = ["a,b,species"] + [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    (tmp_path / "t.csv").write_bytes("\r\n".join(lines).encode(encoding))
    _write(tmp_path / "plain.csv", lines)
    ds, plain = load_csv(tmp_path / "t.csv"), load_csv(tmp_path / "plain.csv")
    np.testing.assert_array_equal(ds.X, plain.X)
    np.testing.assert_array_equal(ds.y, plain.y)
    assert ds.table.feature_names == ["a", "b"]


def test_dates_not_written_year_first_and_times_are_named_as_such(tmp_path):
    """A column of dates as Excel writes them in the US (3/15/2020) or Germany
    (15.03.2020), or of times (13:45), is text; it was left out with a note calling it
    "an identifier or free text (names, ticket numbers, comments)", or one-hot encoded
    without a word. The note now names the dates or times and how to make them numbers."""
    X, y = _rows()
    us = [f"{1 + i % 12}/{1 + i % 28}/2020" for i in range(60)]
    de = [f"{1 + i % 3:02d}.03.2021 08:00" for i in range(60)]  # repeats: categories
    times = [f"{i % 24}:{(7 * i) % 60:02d}" for i in range(60)]
    _write(tmp_path / "t.csv", ["a,seen,booked,at,species"]
           + [f"{a:.3f},{u},{d},{t},{SPECIES[k]}"
              for a, u, d, t, k in zip(X[:, 0], us, de, times, y)])
    ds = load_csv(tmp_path / "t.csv")
    assert ds.table.feature_names == ["a", "booked"]
    notes = "\n".join(ds.notes)
    assert "'seen' (column index 1) holds dates (1/1/2020, 2/2/2020, 3/3/2020, ...)" in notes
    assert "'booked' (column index 2) holds dates (01.03.2021 08:00" in notes
    assert "'at' (column index 3) holds times (0:00, 1:07, 2:14, ...)" in notes
    assert "write them year first (2020-03-15" in notes and "identifier or free" not in notes


def test_arff_and_svmlight_text_are_refused_whatever_the_ending(tmp_path):
    """A LIBSVM file named ``.txt`` was read as a one-column table: classes such as
    '2:-0.048' and a message about a stratified split; an ARFF file as one column. Each
    is refused naming its format and the conversion."""
    X, y = _rows()
    _write(tmp_path / "a.txt", [f"{k} 1:{a:.3f} 2:{b:.3f}" for (a, b), k in zip(X, y)])
    _write(tmp_path / "sparse.dat", [f"{k} 1:{a:.3f} 2:{b:.3f}" if a > 0 else f"{k} 2:{b:.3f}"
                                     for (a, b), k in zip(X, y)])
    _write(tmp_path / "w.txt", ["% iris", "@RELATION iris", "", "@ATTRIBUTE a NUMERIC",
                                "@ATTRIBUTE class {setosa,versicolor,virginica}", "@DATA"]
           + [f"{a:.3f},{SPECIES[k]}" for a, k in zip(X[:, 0], y)])
    for name, words in [("a.txt", "load_svmlight_file"), ("sparse.dat", "svmlight"),
                        ("w.txt", "ARFF")]:
        with pytest.raises(DataError, match=words):
            load_csv(tmp_path / name)
    # a space-separated table with a colon in some cells is still a table
    _write(tmp_path / "t.txt", ["a b at species"]
           + [f"{a:.3f} {b:.3f} {i % 12}:30 {SPECIES[k]}"
              for i, ((a, b), k) in enumerate(zip(X, y))])
    assert load_csv(tmp_path / "t.txt").X.shape == (60, 3)


def test_tables_compressed_as_pandas_and_kaggle_write_them_are_read(tmp_path):
    """``df.to_csv("t.csv.zip")`` (or .bz2, .xz) and a Kaggle download (a zip of one
    table) were an "unknown data spec", with a "did you mean" of another file."""
    import bz2
    import lzma
    import zipfile

    from tests.clirun import numpynn, ok

    X, y = _rows()
    lines = ["a,b,species"] + [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    text = ("\n".join(lines) + "\n").encode()
    _write(tmp_path / "plain.csv", lines)
    (tmp_path / "t.csv.bz2").write_bytes(bz2.compress(text))
    (tmp_path / "t.csv.xz").write_bytes(lzma.compress(text))
    with zipfile.ZipFile(tmp_path / "t.csv.zip", "w") as archive:
        archive.writestr("t.csv", text)
    with zipfile.ZipFile(tmp_path / "kaggle.zip", "w") as archive:
        archive.writestr("train.csv", text)
        archive.writestr("__MACOSX/._train.csv", b"\0")
    plain = load_csv(tmp_path / "plain.csv")
    for name in ("t.csv.bz2", "t.csv.xz", "t.csv.zip", "kaggle.zip"):
        np.testing.assert_array_equal(load_csv(tmp_path / name).X, plain.X)
    ok(numpynn("train", "--data", "kaggle.zip", "--epochs", "1", "--no-report", "--out",
               "run", cwd=tmp_path))
    assert len(ok(numpynn("predict", "run", "--data", "t.csv.xz", cwd=tmp_path)
                  ).splitlines()) == 61
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("train.csv", text)
        archive.writestr("test.csv", text)
    (tmp_path / "cut.csv.xz").write_bytes(lzma.compress(text)[:40])
    for name, words in [("two.zip", "a zip archive of 2 files (train.csv, test.csv)"),
                        ("cut.csv.xz", "cut.csv.xz")]:
        proc = numpynn("train", "--data", name, "--epochs", "1", "--no-report", cwd=tmp_path)
        assert proc.returncode == 2 and words in proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_cell_longer_than_the_csv_modules_limit_is_read(tmp_path):
    """A page of notes or a JSON document in one cell (over 128 KiB, Python csv's default
    limit) was refused as "malformed CSV (field larger than field limit)"."""
    X, y = _rows()
    notes = [f"visit {i}" for i in range(60)]
    notes[7] = "x" * 200_000
    _write(tmp_path / "t.csv", ["a,b,notes,species"]
           + [f'{a:.3f},{b:.3f},"{n}",{SPECIES[k]}' for (a, b), n, k in zip(X, notes, y)])
    ds = load_csv(tmp_path / "t.csv")
    assert ds.X.shape == (60, 2) and any("'notes' (column index 2)" in n for n in ds.notes)


def test_messages_cut_a_long_cell_to_its_start_and_length(tmp_path):
    """A cell of 5,000 characters (an HTML snippet, a JSON document) was printed whole in
    the messages that name values: the label question, an unseen category, a number
    that is not one. Each shows its start and its length."""
    from numpynn.data.cells import cell_repr
    from tests.clirun import numpynn

    assert cell_repr("short") == "'short'"
    assert cell_repr("x" * 5000) == f"{'x' * 40!r}... (5,000 characters)"
    X, y = _rows()
    blob = "<p>" + "lorem ipsum " * 400 + "</p>"
    kinds = ["short", blob]
    _write(tmp_path / "t.csv", ["a,b,html,kind"]
           + [f'{a:.3f},{b:.3f},"{kinds[k % 2]}",{kinds[(k + 1) % 2] if k else blob}'
              for (a, b), k in zip(X, y)])
    proc = numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", cwd=tmp_path)
    assert proc.returncode == 2 and "which column is the label?" in proc.stderr
    assert "lorem ipsum " * 5 not in proc.stderr and len(proc.stderr) < 2000
    _write(tmp_path / "n.csv", ["a,b"] + [f"{a:.3f},{b:.3f}" for a, b in X[:30]]
           + [f'1,"{blob}"'])
    with pytest.raises(DataError) as info:
        load_csv(tmp_path / "n.csv", label_column=None)
    assert "(4,807 characters)" in str(info.value) and len(str(info.value)) < 1000


def test_a_quote_left_open_is_named_as_the_cause_of_a_short_row(tmp_path):
    """A cell opened with a quote that is not closed (``"unclosed``, a hand edit) takes in
    the lines below: the message said only that the row has 3 columns, which the row in
    an editor does not show."""
    X, y = _rows()
    body = [f"{a:.3f},{b:.3f},ok,{SPECIES[k]}" for (a, b), k in zip(X, y)]
    body[4] = '1.5,2.5,"unclosed,setosa'
    _write(tmp_path / "t.csv", ["a,b,notes,species", *body])
    with pytest.raises(DataError, match=r"row 6 has 3 columns, expected 4 .* runs over 56 "
                                        r"lines: a quote"):
        load_csv(tmp_path / "t.csv")
    body[4] = '1.5,2.5,"two\nlines",setosa'  # a quoted cell over two lines is a cell
    _write(tmp_path / "ok.csv", ["a,b,notes,species", *body])
    assert load_csv(tmp_path / "ok.csv").X.shape == (60, 3)


def test_a_column_index_out_of_range_or_a_name_without_a_header_is_said_with_the_flag(
        tmp_path):
    """The command line said ``label_column=3`` (the Python parameter) for
    ``--label-column 3``; every other column message names the flag."""
    from tests.clirun import numpynn

    X, y = _rows()
    lines = [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]
    _write(tmp_path / "t.csv", ["a,b,species", *lines])
    _write(tmp_path / "bare.csv", lines)
    for name, flags, words in [
            ("t.csv", ["--label-column", "3"], "--label-column 3 is out of range"),
            ("t.csv", ["--ignore-columns", "-4"], "--ignore-columns -4 is out of range"),
            ("bare.csv", ["--label-column", "species"],
             "--label-column species names a column, but the file has no header")]:
        proc = numpynn("train", "--data", name, *flags, "--epochs", "1", "--no-report",
                       cwd=tmp_path)
        assert proc.returncode == 2 and words in proc.stderr and "_column" not in proc.stderr


def test_files_saved_with_a_byte_order_mark_and_joined_read_as_one(tmp_path):
    """``cat a.csv b.csv`` of two files Excel saved as 'CSV UTF-8' (each starts with a
    byte-order mark): the second header began with an invisible U+FEFF, so it was not
    seen as the header again, the first row was not taken for a header either, and the
    error said "row 1, column 1: cannot read 'a' as a number"."""
    X, y = _rows()
    lines = [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)]

    def part(rows: list[str]) -> bytes:
        return ("\n".join(["a,b,species", *rows]) + "\n").encode("utf-8-sig")

    (tmp_path / "joined.csv").write_bytes(part(lines[:30]) + part(lines[30:]))
    _write(tmp_path / "plain.csv", ["a,b,species", *lines])
    ds, plain = load_csv(tmp_path / "joined.csv"), load_csv(tmp_path / "plain.csv")
    np.testing.assert_array_equal(ds.X, plain.X)
    assert any("row(s) 32 repeat the header row" in n for n in ds.notes)
    (tmp_path / "row.csv").write_bytes(b"a,b,species\n" + "\n".join(
        lines[:5] + ["\ufeff" + lines[5]] + lines[6:]).encode())
    np.testing.assert_array_equal(load_csv(tmp_path / "row.csv").X, plain.X)


def test_a_label_typed_in_another_case_names_the_class_the_model_knows(tmp_path):
    """Labels 'Yes' in a file given to evaluate, for a model trained on 'yes': refused
    (the model has no class 'Yes'), and now the message says which class it knows, as
    the note on an unseen category of a feature does."""
    from numpynn.data.labels import UnknownLabelsError, encode_labels

    with pytest.raises(UnknownLabelsError) as info:
        encode_labels(np.array(["Yes", "no", "New  York"]), np.array(["New York", "no", "yes"]),
                      source="t.csv")
    text = str(info.value)
    assert "'Yes' (the model knows 'yes') (1 row)" in text
    assert "'New  York' (the model knows 'New York')" in text


def test_missing_values_of_pandas_nullable_columns_are_missing_cells(tmp_path):
    """Rows to predict given as a DataFrame whose ``string`` column holds ``pd.NA`` raised
    a TypeError from float(); ``pd.NA`` in an object column of numbers was "cannot read
    <NA> as a number". Both are missing cells, filled as the model fills them, like None
    and NaN."""
    pd = pytest.importorskip("pandas")
    X, y = _rows()
    colors = np.array(["red", "blue", "blue"])[y]
    _write(tmp_path / "t.csv", ["a,b,color,species"]
           + [f"{a:.3f},{b:.3f},{c},{SPECIES[k]}" for (a, b), c, k in zip(X, colors, y)])
    saved = run_training(_options(tmp_path / "t.csv"), tmp_path / "run", report=False).saved
    plain = pd.DataFrame({"a": [0.5, None], "b": [1.0, 2.0], "color": ["red", None]})
    expected = saved.encode(plain)
    nullable = plain.astype({"a": "Float64", "color": "string"})
    np.testing.assert_array_equal(saved.encode(nullable), expected)
    as_objects = plain.astype(object).where(plain.notna(), pd.NA)
    np.testing.assert_array_equal(saved.encode(as_objects), expected)
    stamps = pd.DataFrame({"a": [pd.NaT], "b": [1.0], "color": ["red"]})
    assert np.isfinite(saved.encode(stamps)).all()  # NaT: the median, as a missing cell


def test_a_refused_split_says_the_readings_warning_that_explains_it(tmp_path):
    """A header of numbers (years) above a text label is not detected, so the header row
    is data and its label ('species') a class of one row; a label typed once as 'Yes'
    among 'yes' is a class of one row too. The run was refused with "class 'species' has
    only 1 example(s)" alone: the warnings that say why were printed only after a
    training that never came."""
    from tests.clirun import numpynn

    X, y = _rows()
    _write(tmp_path / "years.csv", ["2019,2020,species"]
           + [f"{a:.3f},{b:.3f},{SPECIES[k]}" for (a, b), k in zip(X, y)])
    proc = numpynn("train", "--data", "years.csv", "--epochs", "1", "--no-report",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "class 'species' has only 1 example" in proc.stderr
    assert "row 1 ('2019', '2020', 'species') was read as data" in proc.stderr
    assert "give --header yes" in proc.stderr and len(proc.stderr.splitlines()) == 1
    proc = numpynn("search", "--data", "years.csv", "--trials", "1", "--epochs", "1",
                   "--no-report", cwd=tmp_path)
    assert proc.returncode == 2 and "give --header yes" in proc.stderr
    answers = np.where(y == 0, "yes", "no")
    answers[5] = "Yes"
    _write(tmp_path / "typed.csv", ["a,b,answer"]
           + [f"{a:.3f},{b:.3f},{t}" for (a, b), t in zip(X, answers)])
    proc = numpynn("train", "--data", "typed.csv", "--epochs", "1", "--no-report",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "class 'Yes' has only 1 example" in proc.stderr
    assert "differ only in case or spaces ('Yes' / 'yes')" in proc.stderr
    ok = numpynn("train", "--data", "years.csv", "--header", "yes", "--epochs", "1",
                 "--no-report", "--out", "run", cwd=tmp_path)
    assert ok.returncode == 0 and "was read as data" not in ok.stdout + ok.stderr


def test_a_headerless_file_with_class_codes_first_and_a_measurement_last_is_warned(
        tmp_path):
    """UCI's wine.data: no header, the class (1, 2, 3) first, a measurement (proline)
    last. The last column was taken as a continuous target and a regression trained with
    nothing pointing at the first column; now the run's first line says so and names
    --label-column 0. With class-like values last (iris.data) nothing is said."""
    from tests.clirun import numpynn, ok

    X, y = _rows()
    rng = np.random.default_rng(1)
    _write(tmp_path / "wine.data", [f"{k + 1},{a:.3f},{b:.3f},{v}" for (a, b), k, v
                                    in zip(X, y, rng.integers(300, 1600, size=60))])
    out = ok(numpynn("train", "--data", "wine.data", "--epochs", "1", "--no-report",
                     "--out", "run", cwd=tmp_path))
    assert "column index 0 holds 3 values: 1, 2, 3, as a label written first" in out
    assert "give --label-column 0" in out
    _write(tmp_path / "iris.data", [f"{k + 1},{a:.3f},{b:.3f},{SPECIES[k]}"
                                    for (a, b), k in zip(X, y)])
    out = ok(numpynn("train", "--data", "iris.data", "--epochs", "1", "--no-report",
                     "--out", "iris", cwd=tmp_path))
    assert "written first" not in out
