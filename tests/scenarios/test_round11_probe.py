"""Round 11's probe: tables and habits of more users (Google Sheets, LibreOffice, R,
pandas, psql, scikit-learn, Keras and shell users), each case a defect found and fixed."""

from __future__ import annotations

import numpy as np
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


def _rows(n: int = 30, sep: str = ",") -> list[str]:
    return [sep.join([f"{(i * 7 % 11) / 10 - 0.5:.2f}", f"{i % 5}", "yes" if i % 2 else "no"])
            for i in range(n)]


def _read(path, **kwargs):
    from numpynn.data.csv_file import load_csv

    return load_csv(path, **kwargs)


@pytest.mark.parametrize("name,text,sep", [
    ("psql.txt", " a | b | label\n---+---+-------\n{rows}\n(30 rows)\n\n", " | "),
    ("mysql.txt", "+---+---+-------+\n| a | b | label |\n+---+---+-------+\n{boxed}\n"
     "+---+---+-------+\n", " | "),
    ("table.md", "| a | b | label |\n|---|:-:|------:|\n{boxed}\n", " | "),
])
def test_a_table_printed_by_psql_mysql_or_markdown_is_read(tmp_path, name, text, sep):
    """psql's ``---+---`` rule and ``(30 rows)`` count, MySQL's ``+---+`` box and
    Markdown's outer pipes made a table of one column ("no feature column ... give
    --delimiter")."""
    rows = _rows(sep=sep)
    path = _table(tmp_path / name, text.format(rows="\n".join(rows),
                                               boxed="\n".join(f"| {r} |" for r in rows)))
    ds = _read(path)
    assert ds.X.shape == (30, 2) and ds.table.columns == ["a", "b", "label"]
    assert ds.X[1].tolist() == [0.2, 1.0] and sorted(ds.classes.tolist()) == ["no", "yes"]
    assert any("rules or the row count of a printed table" in n for n in ds.notes)


@pytest.mark.parametrize("above", ["Sales report 2023,,\n", "Sales report 2023\n\n",
                                   "Quarterly figures;;\nRegion north;;\n", "Sales,,\n"])
def test_a_title_above_the_header_is_skipped_with_a_note(tmp_path, above):
    """A spreadsheet's title row above the header was read as the header ("cannot read
    'Sales report 2023' as a number ... --ignore-columns 0")."""
    sep = ";" if ";" in above else ","
    path = _table(tmp_path / "t.csv", above + sep.join("abc") + "\n" +
                  "\n".join(_rows(sep=sep)) + "\n")
    ds = _read(path)
    assert ds.X.shape == (30, 2) and ds.table.columns == ["a", "b", "c"]
    assert any("above the table is a title" in n or "above the table are titles" in n
               for n in ds.notes)


@pytest.mark.parametrize("below,skipped", [
    ("\nSource: internal survey,,\nTotal,,\n", "rows 33, 34 ('Source: internal survey', "
     "'Total') below the table"),
    ("Total,12,\n", "row 32 ('Total') below the table"),
    ("Average:,2.0,\n", "row 32 ('Average:') below the table"),
])
def test_notes_and_totals_below_the_table_are_skipped_with_a_note(tmp_path, below, skipped):
    """Excel's Total row and notes below the data were rows: "cannot read 'Total' as a
    number ... leave the column out with --ignore-columns a"."""
    path = _table(tmp_path / "t.csv", "a,b,label\n" + "\n".join(_rows()) + "\n" + below)
    ds = _read(path)
    assert ds.X.shape == (30, 2)
    assert any(skipped in n for n in ds.notes), ds.notes
    result = numpynn("train", "--data", "t.csv", "--out", "r", "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 0 and skipped in result.stdout + result.stderr


def test_notes_below_a_table_longer_than_the_sample_are_skipped(tmp_path):
    rows = [f"{i % 13},{i % 7},{'yes' if i % 2 else 'no'}" for i in range(1500)]
    path = _table(tmp_path / "t.csv", "a,b,label\n" + "\n".join(rows) + "\n\nSource: x,,\n")
    ds = _read(path)
    assert ds.X.shape == (1500, 2) and any("row 1503 ('Source: x')" in n for n in ds.notes)


@pytest.mark.parametrize("tail,error", [
    ("New York,,\n", "row 32, 'b' (column index 1): an empty cell"),  # cells missing
    ('"5,6,yes\n7,8\n', "row 32 has 1 columns"),  # a quote left open
    ("Paris note,,\n1,2,yes\n", "row 32, 'b' (column index 1): an empty cell"),
])
def test_rows_like_notes_that_are_not_below_the_table_stay_rows(tmp_path, tail, error):
    rows = [f"{'New York' if i % 2 else 'Paris'},{i % 5},{'yes' if i % 2 else 'no'}"
            for i in range(30)]
    path = _table(tmp_path / "t.csv", "city,b,label\n" + "\n".join(rows) + "\n" + tail)
    with pytest.raises(Exception) as err:
        _read(path)
    assert error in str(err.value)


@pytest.mark.parametrize("name,text,said", [
    ("rows.jsonl", '{"a": 1, "label": "x"}\n{"a": 2, "label": "y"}\n',
     "is a JSON Lines file (one JSON record a line); numpynn reads CSV (.csv, .csv.gz, .tsv) "
     "and NPZ files: convert it with pandas: pd.read_json('rows.jsonl', lines=True)"),
    ("rows.txt", '{"a": 1, "label": "x"}\n{"a": 2, "label": "y"}\n', "lines=True"),
    ("rows.csv", '[{"a": 1, "label": "x"}, {"a": 2, "label": "y"}]', "is a JSON file"),
    ("dump.sql", "INSERT INTO t VALUES (1, 2, 'a');\n", "is an SQL script"),
    ("dump.txt", "-- pg_dump\nSET client_encoding = 'UTF8';\nCREATE TABLE t (a int);\n",
     "\\copy TABLE TO 'data.csv' CSV HEADER"),
])
def test_json_lines_and_sql_dumps_get_their_own_conversion(tmp_path, name, text, said):
    """A JSON Lines file got pd.read_json without lines=True (which fails on it); an SQL
    dump was "a header (row 1) but no data rows"."""
    _table(tmp_path / name, text)
    result = numpynn("train", "--data", name, "--out", "r", cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("flags,said", [
    (["--validation_split", "0.2"], "numpynn's flag for it is --val-fraction"),
    (["--bs", "16"], "numpynn's flag for it is --batch-size"),
    (["--hidden-layers", "32,16"], "numpynn's flag for it is --hidden"),
    (["--scheduler", "cosine"], "numpynn's flag for it is --schedule"),  # not search's Dask
    (["--sep", ";"], "numpynn's flag for it is --delimiter"),
    (["--y", "label"], "numpynn's flag for it is --label-column"),
    (["--device", "cuda"], "numpynn runs on the CPU with NumPy"),
    (["--verbose"], "numpynn prints the run's header and every epoch by default"),
    (["--features", "a,b"], "every column but the label as a feature"),
    (["--momentum", "0.9"], "--optimizer momentum or nesterov keeps 0.9"),
    (["--loss", "mse"], "squared error for --task regression"),
    (["--optimizer", "adamw"], "numpynn has no AdamW: --optimizer adam with --reg"),
    (["--optimizer", "Nadam"], "numpynn has no Nadam"),
    (["--header", "0"], "--header yes: the first row names the columns (pandas' header=0)"),
    (["--task", "classifier"], "; --task classification"),
    (["--dtype", "double"], "; --dtype float64"),
    (["--target", "species"], "--target was read as --target-transform, the flag it starts; "
     "for other tools' --target, numpynn's flag is --label-column"),
    (["--drop", "id"], "for other tools' --drop, numpynn's flag is --ignore-columns"),
])
def test_keras_pytorch_and_pandas_habits_get_numpynns_flag(tmp_path, flags, said):
    """Flags and values of Keras, PyTorch scripts, pandas and scikit-learn were refused
    with argparse's message alone (or ``--target species`` as a bad --target-transform)."""
    result = numpynn("train", "--data", "x.csv", *flags, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert not list(tmp_path.iterdir())


def test_a_pattern_of_data_files_says_numpynn_reads_one_and_how_to_join_them(tmp_path):
    """``--data *.csv`` expanded by the shell was "give the data file with --data: ...
    --data b.csv" (it was given); quoted, "did you mean a.csv?"."""
    for name in ("a.csv", "b.csv", "c.csv"):
        _table(tmp_path / name, "x,label\n1,u\n2,v\n")
    expanded = numpynn("train", "--data", "a.csv", "b.csv", "c.csv", cwd=tmp_path)
    assert expanded.returncode == 2
    assert ("--data takes one file, got 3: a.csv, b.csv, c.csv (a pattern such as *.csv, "
            "expanded by the shell?); give one, or join them into one first: (head -n 1 "
            "a.csv; tail -n +2 -q a.csv b.csv c.csv) > all.csv") in expanded.stderr
    quoted = numpynn("train", "--data", "*.csv", cwd=tmp_path)
    assert quoted.returncode == 2 and "did you mean" not in quoted.stderr
    assert ("*.csv; it is a pattern that matches a.csv, b.csv, c.csv; numpynn reads one data "
            "file: give one, or join them into one first: (head -n 1 a.csv; tail -n +2 -q "
            "*.csv) > all.csv") in quoted.stderr
    none = numpynn("train", "--data", "new/*.csv", cwd=tmp_path)
    assert none.returncode == 2 and "it is a pattern, and no file matches it" in none.stderr


@pytest.mark.parametrize("cell,said", [
    ("#ERROR!", None), ("#SPILL!", None), ("#N/A N/A", None),  # missing cells
    ("None", "'None' is how Python and pandas print a missing value"),
    ("-", "'-' is a dash: how accounting formats show zero"),
    ("$ -", "is a dash: how accounting formats show zero"),
    ("1.#INF", "'1.#INF' is an infinite value"),
])
def test_spreadsheet_errors_are_missing_and_other_non_numbers_are_named(tmp_path, cell, said):
    """Google Sheets' #ERROR! and Excel's newer errors were "cannot read as a number"
    while #VALUE! was a missing cell; a dash, None or 1.#INF got no word of what it is."""
    rows = [f"{cell if i == 4 else i / 10},{i % 3},{'yes' if i % 2 else 'no'}"
            for i in range(30)]
    path = _table(tmp_path / "t.csv", "a,b,label\n" + "\n".join(rows) + "\n")
    if said is None:
        ds = _read(path, allow_missing=True)
        assert ds.X.shape == (30, 2) and np.isnan(ds.X[4, 0])
    else:
        with pytest.raises(Exception) as err:
            _read(path)
        assert "row 6, 'a' (column index 0): cannot read" in str(err.value)
        assert said in str(err.value)


def test_a_frame_whose_columns_are_not_the_fits_is_told_how_to_select_them():
    """scikit-learn's "The feature names should match those that were passed during fit"
    named the columns but said no fix; the refusal stays (scikit-learn's estimator checks
    want it), with the selection that gives the fit's columns."""
    import pandas as pd

    from numpynn.sklearn import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = (frame.a > 0).astype(int)
    for est in (MLPClassifier(max_iter=3, random_state=0).fit(frame, y),
                MLPRegressor(max_iter=3, random_state=0).fit(frame, frame.a)):
        for other in (frame[["c", "a", "b"]], frame.assign(z=1.0)):
            with pytest.raises(ValueError, match=r"(?s)Feature names.*Select the columns of "
                                                 r"the fit, in its order: X\[est\.feature_"):
                est.predict(other)
        with pytest.raises(ValueError, match=r"(?s)missing:\n- c.*Give a frame with every "
                                             r"column of the fit"):
            est.predict(frame[["a", "b"]])


@pytest.mark.parametrize("text,same_as", [
    ("07-Dec-2026", "2026-12-07"), ("7 December 2026", "2026-12-07"),
    ("Dec 7, 2026", "2026-12-07"), ("2026-Dec-07", "2026-12-07"),
    ("07-Dec-2026 13:45", "2026-12-07 13:45"), ("Sept 3, 2020", "2020-09-03"),
])
def test_dates_with_the_month_named_are_numbers_as_year_first_ones(text, same_as):
    """MATLAB's writetable and Oracle write 07-Dec-2026, Excel and Numbers Dec 7, 2026: the
    month named, so unambiguous; they were text, a column of them "an identifier or
    free text" left out."""
    from numpynn.data.cells import number_value

    assert number_value(text, False) == number_value(same_as, False) is not None


@pytest.mark.parametrize("text", ["07-Foo-2026", "Mayor 5 2020", "Paris 2024", "07-DEC-26"])
def test_text_like_a_named_date_is_not_one(text):
    from numpynn.data.cells import number_value

    assert number_value(text, False) is None


def test_a_column_of_named_month_dates_is_a_feature_with_a_note(tmp_path):
    rows = [f"{(i % 28) + 1:02d}-Dec-2026,{i % 3},{'x' if i % 2 else 'y'}" for i in range(30)]
    ds = _read(_table(tmp_path / "m.csv", "when,b,label\n" + "\n".join(rows) + "\n"))
    assert ds.X.shape == (30, 2) and ds.X[0, 0] == pytest.approx(2026 + 334 / 365)
    assert any("'when' (column index 0) holds dates (01-Dec-2026" in n for n in ds.notes)


def test_a_spreadsheet_column_letter_is_answered_with_its_index(tmp_path):
    """``--label-column D``, the column as the spreadsheet showed it, was "not a column"
    with the names alone."""
    rows = "".join(f"{i},{i % 3},{i % 5},{'x' if i % 2 else 'y'}\n" for i in range(20))
    _table(tmp_path / "h.csv", "w,v,u,kind\n" + rows)
    _table(tmp_path / "n.csv", rows)
    for name in ("h.csv", "n.csv"):
        result = numpynn("train", "--data", name, "--label-column", "D", "--out", "r",
                         cwd=tmp_path)
        assert result.returncode == 2 and ("a spreadsheet's column letter? column D is index "
                                           "3 (0 is the first): give 3") in result.stderr
    result = numpynn("train", "--data", "h.csv", "--label-column", "Z", cwd=tmp_path)
    assert result.returncode == 2 and "spreadsheet" not in result.stderr


def test_nul_bytes_ending_a_file_are_damage_not_notes_below_the_table(tmp_path):
    """A file whose end is NUL bytes (a write or copy cut short) must stay an error, not
    be skipped as a note below the table; the error says what NUL bytes mean."""
    rows = "".join(f"{i / 10},{i % 3},{'x' if i % 2 else 'y'}\n" for i in range(30))
    path = _table(tmp_path / "t.csv", "a,b,label\n" + rows + "\x00\x00\x00\x00")
    with pytest.raises(Exception) as err:
        _read(path)
    assert "row 32 has 1 columns" in str(err.value) and "NUL bytes" in str(err.value)


def test_a_last_row_of_an_id_and_missing_cells_is_still_predicted(tmp_path):
    """The notes-below-the-table rule leaves a row whose first cell is --id-column's to
    the prediction: an example with its features missing, not a note."""
    rows = "".join(f"{i / 10},{i % 3},{'x' if i % 2 else 'y'}\n" for i in range(30))
    _table(tmp_path / "t.csv", "a,b,label\n" + rows)
    assert numpynn("train", "--data", "t.csv", "--out", "r", "--epochs", "1",
                   cwd=tmp_path).returncode == 0
    new = "".join(f"p{i},{i / 10},{i % 3}\n" for i in range(5)) + "\nZoe Smith,,\n"
    _table(tmp_path / "new.csv", "name,a,b\n" + new)
    result = numpynn("predict", "r", "--data", "new.csv", "--id-column", "name", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("Zoe Smith,")
    assert "below the table" not in result.stderr


def test_utf8_text_with_a_windows_1252_byte_is_named_as_mixed_encodings(tmp_path):
    """A UTF-8 file with one row of Windows-1252 (tables joined from two programs) was
    read wholly as Windows-1252: every UTF-8 é became Ã© in silence but for a note, and
    the one real é made a class of one example."""
    rows = "".join(f"{i / 10},{i % 3},{'café' if i % 2 else 'thé'}\n" for i in range(40))
    (tmp_path / "t.csv").write_bytes(("a,b,label\n" + rows).encode() + b"1.0,2,caf\xe9\n")
    with pytest.raises(Exception) as err:
        _read(tmp_path / "t.csv")
    assert ("mostly UTF-8 text (40 accented letters or symbols written as UTF-8), but a byte "
            "on line 42 is not UTF-8") in str(err.value)
    assert "mixes two encodings" in str(err.value)
    latin = "a,b,label\n" + rows
    (tmp_path / "w.csv").write_bytes(latin.encode("cp1252"))  # Windows-1252 throughout
    assert _read(tmp_path / "w.csv").X.shape == (40, 2)


@pytest.mark.parametrize("text,given,said", [
    ("a;b;label\n1;2;x\n3;4;y\n", ",", "it splits at ; into 3 cells: give --delimiter ';'"),
    ("a\tb\tlabel\r\n1\t2\tx\r\n3\t4\ty", ",", "it splits at tab into 3 cells: give "
     "--delimiter tab"),
    ("a,b,label\n1,2,x\n3,4,y\n", ";", "it splits at , into 3 cells: give --delimiter ,"),
])
def test_a_wrong_delimiter_given_is_answered_with_the_one_the_row_splits_at(tmp_path, text,
                                                                            given, said):
    """With --delimiter given and wrong, the message said to give --delimiter."""
    _table(tmp_path / "t.csv", text)
    result = numpynn("train", "--data", "t.csv", "--delimiter", given, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr


@pytest.mark.parametrize("top,said", [
    ("length,weight,label\ncm,kg,\n", "rows 1, 2 all hold names above the numbers (column "
     "index 0: 'length' / 'cm'): a second header row"),
    (",size,size,w,t\n,len,wid,kg,label\n", "(column index 1: 'size' / 'len')"),
])
def test_a_second_header_row_is_named_as_one(tmp_path, top, said):
    """A row of units below the header, or pandas' MultiIndex columns, was "cannot read
    'cm' as a number ... leave the column out with --ignore-columns length"."""
    wide = top.startswith(",")
    rows = "".join((f"{i}," if wide else "") + f"{i / 10},{i % 4}," + (f"{i % 3}," if wide
                                                                       else "")
                   + ("x" if i % 2 else "y") + "\n" for i in range(30))
    _table(tmp_path / "t.csv", top + rows)
    result = numpynn("train", "--data", "t.csv", "--out", "r", cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert "--ignore-columns" not in result.stderr


def test_a_table_of_text_throughout_has_no_second_header_row(tmp_path):
    rows = "".join(f"{'red' if i % 2 else 'blue'},{'s' if i % 3 else 'm'},"
                   f"{'x' if i % 2 else 'y'}\n" for i in range(30))
    ds = _read(_table(tmp_path / "t.csv", "color,size,label\n" + rows))
    assert ds.X.shape[0] == 30 and ds.table.columns == ["color", "size", "label"]


def test_yes_and_no_written_two_ways_are_named_like_case_look_alikes(tmp_path):
    """A label of yes/no in some rows and Y/N in others (two exports joined) made four
    classes without a word; case look-alikes were warned of."""
    rows = "".join(f"{i / 10},{'TRUE' if i % 3 else 't'},"
                   f"{('yes' if i % 2 else 'no') if i < 20 else ('Y' if i % 2 else 'N')}\n"
                   for i in range(40))
    ds = _read(_table(tmp_path / "t.csv", "a,b,label\n" + rows))
    assert len(ds.classes) == 4
    assert any("the label column 'label' (column index 2) has values that differ only in "
               "case, spaces or how yes or no is written ('N' / 'no', 'Y' / 'yes')" in n
               for n in ds.notes), ds.notes
    assert any("'b' (column index 1) has categories that differ only in case, spaces or how "
               "yes or no is written ('TRUE' / 't')" in n for n in ds.notes)


@pytest.mark.parametrize("argv,said", [
    (["fit", "--data", "x.csv"], "; numpynn's command for it is train: numpynn train ..."),
    (["eval", "run"], "numpynn's command for it is evaluate"),
    (["predict_proba", "run"], "numpynn's command for it is predict: numpynn predict ... "
     "(--proba adds the probabilities)"),
    (["tune"], "numpynn's command for it is search"),
    (["convert", "run", "m.onnx"], "numpynn's command for it is export"),
    (["trian"], "; did you mean numpynn train?"),
    (["version"], "; for the version: numpynn --version"),
    (["-V"], "; for the version: numpynn --version"),
])
def test_other_tools_commands_get_numpynns(tmp_path, argv, said):
    """scikit-learn's and other tools' verbs (fit, eval, predict_proba, tune, convert) and
    typos of a command got the list of commands alone."""
    result = numpynn(*argv, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr


def test_a_command_in_other_letter_case_is_the_command(tmp_path):
    """``numpynn Train``: options' choices were taken in any case, commands not."""
    result = numpynn("Evaluate", "no-such-run", cwd=tmp_path)
    assert result.returncode == 2 and "invalid choice" not in result.stderr
    assert "no-such-run" in result.stderr


@pytest.fixture
def small_run(tmp_path):
    rows = "".join(f"{i / 10},{i % 3},{'x' if i % 2 else 'y'}\n" for i in range(30))
    _table(tmp_path / "t.csv", "a,b,label\n" + rows)
    assert numpynn("train", "--data", "t.csv", "--out", "r", "--epochs", "1",
                   cwd=tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize("output,said", [
    ("preds/", "'preds/' ends with '/', so it names a directory; give a file path, e.g. "
     "preds/predictions.csv"),
    ("preds.xlsx", "--output preds.xlsx names a .xlsx file, but predict writes a CSV table, "
     "which Excel would not open under that name; give it a .csv name"),
    ("preds.json", "which a JSON reader would not open"),
    ("preds.zip", "names a .zip file"),
])
def test_an_output_named_as_a_directory_or_another_format_is_refused(small_run, output, said):
    """``--output preds/`` wrote a file named preds; ``--output preds.xlsx`` wrote CSV text
    that Excel refuses to open."""
    result = numpynn("predict", "r", "--data", "t.csv", "--output", output, cwd=small_run)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert not (small_run / output.rstrip("/")).exists()


def test_an_output_named_tsv_or_compressed_is_written_so(small_run):
    """``--output preds.tsv`` held commas and ``preds.csv.gz`` plain text (pandas refuses
    it: "Not a gzipped file"); written again, the compressed file is replaced."""
    import gzip

    import pandas as pd

    for _ in range(2):
        for name in ("p.tsv", "p.csv.gz", "p.tsv.xz"):
            result = numpynn("predict", "r", "--data", "t.csv", "--output", name, "--proba",
                             cwd=small_run)
            assert result.returncode == 0, result.stderr
    assert (small_run / "p.tsv").read_text().splitlines()[0] == "prediction\tp_x\tp_y"
    assert gzip.decompress((small_run / "p.csv.gz").read_bytes()).startswith(
        b"prediction,p_x,p_y\n")
    assert pd.read_csv(small_run / "p.tsv.xz", sep="\t").shape == (30, 3)


@pytest.mark.parametrize("output,said", [
    ("m.pt", "the output m.pt is named as a PyTorch file (.pt), but numpynn export writes an "
     "ONNX graph, which that tool would not load under this name; name it m.onnx"),
    ("m.h5", "named as a Keras file (.h5)"),
    ("exp/", "'exp/' ends with '/', so it names a directory; give a file path, e.g. "
     "exp/model.onnx"),
])
def test_export_to_a_name_of_another_format_or_a_directory_is_refused(small_run, output,
                                                                      said):
    """``numpynn export run model.pt`` wrote an ONNX graph that torch.load cannot read;
    ``export run exp/`` a file named exp."""
    result = numpynn("export", "r", output, cwd=small_run)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert not (small_run / output.rstrip("/")).exists()


def test_a_column_named_by_a_number_beyond_the_columns_is_that_column(tmp_path):
    """Columns named for years: ``--ignore-columns 2020`` was "out of range ... use 0..3,
    -1 for the last column, or a name", the name it was."""
    rows = "".join(f"{i / 10},{i % 3},{i % 7},{i % 2}\n" for i in range(30))
    path = _table(tmp_path / "t.csv", "2019,2020,2021,label\n" + rows)
    ds = _read(path, ignore_columns=[2020])
    assert ds.table.feature_names == ["2019", "2021"]
    assert _read(path, label_column=2021, task="auto").table.label_name == "2021"
    result = numpynn("train", "--data", "t.csv", "--ignore-columns", "2020", "--label-column",
                     "7", cwd=tmp_path)
    assert result.returncode == 2 and "--label-column 7 is out of range" in result.stderr


def test_a_header_repeated_in_other_case_is_skipped_and_another_tables_is_named(tmp_path):
    """Joined exports: a header again as ``A,B,Label`` was "cannot read 'A' as a number
    ... leave the column out"; the header of a table of other columns, a bare width
    error."""
    part = "".join(f"{i / 10},{i % 4},{'x' if i % 2 else 'y'}\n" for i in range(20))
    ds = _read(_table(tmp_path / "t.csv", "a,b,label\n" + part + "A, B ,Label\n" + part))
    assert ds.X.shape == (40, 2)
    assert any("row(s) 22 repeat the header row" in n for n in ds.notes)
    other = "".join(f"{i / 10},{i % 4},7,{'x' if i % 2 else 'y'}\n" for i in range(20))
    with pytest.raises(Exception) as err:
        _read(_table(tmp_path / "u.csv", "a,b,label\n" + part + "a,b,c,label\n" + other))
    assert ("row 22 has 4 columns, expected 3" in str(err.value)
            and "it holds names only, as a header does: another table" in str(err.value))


def test_predict_piped_to_head_ends_quietly_when_the_pipe_closes(small_run):
    """``numpynn predict ... | head -1``: the reader leaves after a line; the command must
    end without a BrokenPipeError traceback (a real process: the pipe is the point)."""
    from tests.clirun import start_numpynn

    _table(small_run / "many.csv", "a,b\n" + "".join(f"{i % 97 / 10},{i % 3}\n"
                                                    for i in range(40000)))
    proc = start_numpynn("predict", "r", "--data", "many.csv", cwd=small_run)
    assert proc.stdout.readline() == "prediction\n"
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) in (0, 1) and "Traceback" not in err and "Error" not in err


def test_a_dataframe_column_of_dates_as_text_is_named_as_dates():
    """A column of date strings was called one of numbers stored as text (or of text to
    one-hot encode): it is dates, made so by pd.to_datetime."""
    import pandas as pd

    from numpynn.sklearn import MLPClassifier

    frame = pd.DataFrame({"d": ["07-Dec-2026", "2026-01-05"] * 10, "x": np.arange(20.0)})
    with pytest.raises(ValueError, match=r"1 column\(s\) of dates, times or durations "
                                         r"\['d'\] \(those of text first made dates: df\[col\]"
                                         r" = pd\.to_datetime\(df\[col\]\)\)"):
        MLPClassifier(max_iter=1).fit(frame, np.arange(20) % 2)


def test_a_header_cell_wrapped_over_lines_is_named_with_spaces(tmp_path):
    """Excel's wrapped header cell 'Weight\\n(kg)' could not be named on a command line:
    ``--ignore-columns "Weight (kg)"`` was "not a column; did you mean 'Weight\\n(kg)'?"."""
    rows = "".join(f"{i / 10},{i % 4},{'x' if i % 2 else 'y'}\n" for i in range(30))
    _table(tmp_path / "t.csv", '"Length\n(cm)","Weight\n(kg)",Species\n' + rows)
    result = numpynn("train", "--data", "t.csv", "--ignore-columns", "Weight (kg)", "--out",
                     "r", "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 features" in result.stdout + result.stderr
