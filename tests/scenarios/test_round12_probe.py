"""Round 12's probe: images, tables and arrays as other users' habits bring them (pixel
units, missing-value codes of statistics packages, arrays of another shape), each case a
defect found and fixed."""

from __future__ import annotations

import numpy as np
import pytest

from tests.clirun import numpynn, ok


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    """A model trained on 8x8 uint8 images (pixels 0..255), and the directory."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (60, 8, 8), dtype=np.uint8)
    np.savez(root / "train.npz", X=images, y=rng.integers(0, 3, 60))
    ok(numpynn("train", "--data", "train.npz", "--epochs", "1", "--quiet", "--no-report",
               "--out", "run", cwd=root))
    return root, images


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_images_in_other_units_than_trainings_are_warned_with_the_factor(image_run, command):
    """Images scaled to 0..1 given to a model trained on 0..255 pixels were predicted
    without a word (every answer wrong): now a warning names the file and the factor."""
    root, images = image_run
    np.savez(root / "scaled.npz", X=images[:10] / 255.0, y=np.arange(10) % 3)
    result = numpynn(command, "run/model.npz", "--data", "scaled.npz", cwd=root)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "warning: scaled.npz" in result.stderr and "multiply X by 255" in result.stderr


def test_images_in_the_trainings_units_get_no_warning(image_run):
    root, images = image_run
    np.savez(root / "same.npz", X=images[:5])
    result = numpynn("predict", "run/model.npz", "--data", "same.npz", cwd=root)
    assert result.returncode == 0 and "warning" not in result.stderr


def test_raw_pixels_given_to_the_digits_model_are_warned(tmp_path):
    """The bundled digits are 0..16: 0..255 images are in other units."""
    ok(numpynn("train", "--epochs", "1", "--quiet", "--no-report", "--out", "d",
               cwd=tmp_path))
    np.savez(tmp_path / "mine.npz", X=np.full((2, 8, 8), 255, dtype=np.uint8))
    result = numpynn("predict", "d/model.npz", "--data", "mine.npz", cwd=tmp_path)
    assert result.returncode == 0 and "divide X by 16" in result.stderr


def _coded_table(path, code, *, target=False):
    """40 rows: a feature 0..6 (or a target) holding ``code`` in every sixth row."""
    rows = "".join(f"{code if i % 6 == 0 and not target else i % 7},{(i * 3) % 11},"
                   f"{(code if i % 6 == 0 else round(i * 1.37 % 50, 2)) if target else i % 2}\n"
                   for i in range(40))
    path.write_text(("a,b,target\n" if target else "a,b,label\n") + rows)
    return path


@pytest.mark.parametrize("code", ["-99", "999", "-9999"])
def test_a_missing_value_code_of_statistics_packages_is_warned(tmp_path, code):
    """SPSS's -99 (Stata's, surveys' 999) among features of 0 to 6 was read as a number
    without a word: now a warning names the column, the code, its first row and the fix."""
    _coded_table(tmp_path / "coded.csv", code)
    result = numpynn("train", "--data", "coded.csv", "--epochs", "1", "--no-report",
                     "--out", "r", cwd=tmp_path)
    assert result.returncode == 0
    said = [line for line in result.stdout.splitlines() if code in line]
    assert said and "'a' (column index 0)" in said[0] and "row 2" in said[0]
    assert "warning" in said[0] and "NA" in said[0]


def test_a_missing_value_code_in_a_regression_target_says_drop_unlabelled(tmp_path):
    _coded_table(tmp_path / "coded.csv", "-999", target=True)
    result = numpynn("train", "--data", "coded.csv", "--task", "regression", "--epochs", "1",
                     "--no-report", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0
    said = [line for line in result.stdout.splitlines() if "holds -999" in line]
    assert said and "'target'" in said[0] and "--drop-unlabelled" in said[0]


def test_a_value_among_values_of_its_size_is_not_a_missing_code(tmp_path):
    """99 among ages of 20 to 98 is an age."""
    rows = "".join(f"{99 if i % 6 == 0 else 20 + 2 * i},{i % 3},{i % 2}\n" for i in range(40))
    (tmp_path / "ages.csv").write_text("age,b,label\n" + rows)
    result = numpynn("train", "--data", "ages.csv", "--epochs", "1", "--no-report",
                     "--out", "r", cwd=tmp_path)
    assert result.returncode == 0 and "missing value, as SPSS" not in result.stdout


@pytest.mark.parametrize("X,said", [
    (lambda images: images[0], "give it a first axis of length 1"),
    (lambda images: images[:4, ..., None].repeat(3, -1), "these have 3: average the colour"),
    (lambda images: images[:4, :7, :7], "resize the images to that size"),
])
def test_images_of_another_shape_are_refused_naming_the_cause(image_run, X, said):
    """"has 8 feature columns but the model expects 64" said nothing of the cause: one
    image saved without its first axis, colour images for a grey model, another size."""
    root, images = image_run
    np.savez(root / "other.npz", X=X(images))
    result = numpynn("predict", "run/model.npz", "--data", "other.npz", cwd=root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "other.npz" in result.stderr and said in result.stderr


@pytest.mark.parametrize("cell,said", [
    ("n.a.", "a word for no value"),
    ("k.A.", "write NA"),
    ("1.234,50-", "'-1.234,50'"),
    ("15/01/2020", "write every date year first"),
    ("13:45", "a time of day"),
    ("<5", "a bound, not a value"),
])
def test_a_cell_that_is_no_number_in_a_column_of_numbers_says_what_it_is(tmp_path, cell,
                                                                          said):
    """'n.a.', a minus sign written last (SAP), a date day first among year-first ones
    were refused as "cannot read ... as a number" saying no more."""
    def first(i: int) -> str:
        if i % 6 == 0:
            return cell
        return f"2020-01-{i + 1:02d}" if "/" in cell else str(i)

    rows = "".join(f"{first(i)};{i % 3};{i % 2}\n" for i in range(24))
    (tmp_path / "t.csv").write_text("a;b;label\n" + rows)
    result = numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "r", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "row 2, 'a' (column index 0)" in result.stderr and said in result.stderr


def test_a_column_index_written_as_a_whole_float_is_that_index(tmp_path):
    """--label-column 2.0 (a notebook's habit) was "not a column of the file"."""
    rows = "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("a,b,target\n" + rows)
    result = numpynn("train", "--data", "t.csv", "--label-column", "2.0", "--ignore-columns",
                     "1.0", "--epochs", "1", "--no-report", "--out", "r", cwd=tmp_path)
    assert "'target' (column index 2)" in ok(result) and "1 features" in result.stdout


def _idx_set(folder, names=("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")):
    import struct

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, n in zip(names, (30, 30, 10, 10)):
        if "images" in name.lower():
            data = struct.pack(">IIII", 0x803, n, 8, 8) + rng.integers(
                0, 256, (n, 8, 8), dtype=np.uint8).tobytes()
        else:
            data = struct.pack(">II", 0x801, n) + (np.arange(n) % 3).astype(np.uint8).tobytes()
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("layout,spec", [
    ("data/MNIST/raw", "mnist:data"),  # torchvision's folders, the root given
    ("upper", "mnist:upper"),  # the file names in capitals
])
def test_mnist_files_as_other_tools_keep_them_are_read(tmp_path, layout, spec):
    """torchvision keeps the files in ROOT/MNIST/raw, and some copies name them in capitals:
    both were "missing MNIST file(s)"."""
    names = None if layout != "upper" else tuple(
        n.upper() for n in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))
    _idx_set(tmp_path / layout, *(names,) if names else ())
    out = ok(numpynn("train", "--data", spec, "--epochs", "1", "--no-report", "--out", "r",
                     cwd=tmp_path))
    assert "30 train" in out
    if "raw" in layout:
        assert "MNIST/raw" in out


def test_one_idx_file_given_as_the_data_names_the_directory_spec(tmp_path):
    _idx_set(tmp_path / "m")
    result = numpynn("train", "--data", "m/train-images-idx3-ubyte", "--out", "r",
                     cwd=tmp_path)
    assert result.returncode == 2 and "IDX file" in result.stderr
    assert "mnist:m" in result.stderr


def test_evaluating_a_model_of_the_other_task_names_the_models_task(tmp_path):
    """A regression model evaluated on class labels said "train a classifier with --task
    classification", and a classifier on numbers "is label_column the right column?":
    options evaluate does not have. Now the model's task and the way out are said."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    numbers = "".join(f"{a[i]:.3f},{b[i]:.3f},{2 * a[i] + b[i]:.3f}\n" for i in range(40))
    classes = "".join(f"{a[i]:.3f},{b[i]:.3f},{'yes' if a[i] > 0 else 'no'}\n"
                      for i in range(40))
    (tmp_path / "numbers.csv").write_text("a,b,target\n" + numbers)
    (tmp_path / "classes.csv").write_text("a,b,target\n" + classes)
    for data, out in (("numbers.csv", "reg"), ("classes.csv", "clf")):
        ok(numpynn("train", "--data", data, "--epochs", "1", "--no-report", "--out", out,
                   cwd=tmp_path))
    result = numpynn("evaluate", "reg/model.npz", "--data", "classes.csv", cwd=tmp_path)
    assert result.returncode == 2 and "classes.csv: row 2" in result.stderr
    assert "the model is a regression" in result.stderr and "--task" not in result.stderr
    result = numpynn("evaluate", "clf/model.npz", "--data", "numbers.csv", cwd=tmp_path)
    assert result.returncode == 2 and "numbers.csv" in result.stderr
    assert "['no', 'yes']" in result.stderr and "the model is a classifier" in result.stderr
    assert "--drop-unknown-labels" not in result.stderr
    (tmp_path / "ints.csv").write_text("a,b,target\n" + "".join(
        f"{a[i]:.3f},{b[i]:.3f},{int(a[i] > 0)}\n" for i in range(40)))
    ok(numpynn("train", "--data", "ints.csv", "--epochs", "1", "--no-report", "--out", "int",
               cwd=tmp_path))
    result = numpynn("evaluate", "int/model.npz", "--data", "numbers.csv", cwd=tmp_path)
    assert result.returncode == 2 and "numbers.csv: row 2" in result.stderr
    assert "the model is a classifier of the classes [0, 1]" in result.stderr


def test_few_fractional_labels_are_classes_when_classification_is_asked_for(tmp_path):
    """Labels 0.5 / 1.5 were trained as a regression with a note to give --task
    classification, which then refused them as "continuous": a dead end."""
    rows = "".join(f"{i % 7},{(i * 3) % 11},{('0.5', '1.5', '2.5')[i % 3]}\n"
                   for i in range(36))
    (tmp_path / "t.csv").write_text("a,b,grade\n" + rows)
    out = ok(numpynn("train", "--data", "t.csv", "--label-column", "grade", "--task",
                     "classification", "--epochs", "1", "--no-report", "--out", "r",
                     cwd=tmp_path))
    assert "3 classes" in out
    predicted = ok(numpynn("predict", "r/model.npz", "--data", "t.csv", cwd=tmp_path))
    assert set(predicted.split()[1:]) <= {"0.5", "1.5", "2.5"}
    many = "".join(f"{i % 7},{i},{i * 1.37:.2f}\n" for i in range(36))  # a quantity
    (tmp_path / "q.csv").write_text("a,b,grade\n" + many)
    result = numpynn("train", "--data", "q.csv", "--label-column", "grade", "--task",
                     "classification", "--out", "q", cwd=tmp_path)
    assert result.returncode == 2 and "looks continuous" in result.stderr


def test_a_test_file_without_header_and_label_but_with_the_id_is_read_by_position(tmp_path):
    """The training file's columns but its label (a Kaggle test file, its id kept), with no
    header: "has 3 columns but the model expects 2 or 4"."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    rows = [(100 + i, "yes" if a[i] + b[i] > 0 else "no", f"{a[i]:.3f}", f"{b[i]:.3f}")
            for i in range(40)]
    (tmp_path / "train.csv").write_text(
        "PassengerId,Survived,a,b\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    ok(numpynn("train", "--data", "train.csv", "--label-column", "Survived", "--epochs", "1",
               "--no-report", "--out", "r", cwd=tmp_path))
    (tmp_path / "named.csv").write_text(
        "PassengerId,a,b\n" + "".join(f"{r[0]},{r[2]},{r[3]}\n" for r in rows[:8]))
    (tmp_path / "bare.csv").write_text("".join(f"{r[0]},{r[2]},{r[3]}\n" for r in rows[:8]))
    named = ok(numpynn("predict", "r/model.npz", "--data", "named.csv", "--proba",
                       cwd=tmp_path))
    bare = ok(numpynn("predict", "r/model.npz", "--data", "bare.csv", "--proba", cwd=tmp_path))
    assert bare == named


@pytest.mark.parametrize("argv,said", [
    (["train", "--task", "regresion"], "did you mean --task regression?"),
    (["train", "--norm", "batchnorm"], "did you mean --norm batch?"),
    (["train", "--select", "acc"], "did you mean --select accuracy?"),
    (["evaluate", "m.npz", "--split", "tst"], "did you mean --split test?"),
])
def test_a_misspelt_choice_is_answered_with_the_choice_it_means(tmp_path, argv, said):
    result = numpynn(*argv, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr


def test_no_choice_is_made_up_where_none_is_close(tmp_path):
    result = numpynn("train", "--task", "xyz", cwd=tmp_path)
    assert result.returncode == 2 and "did you mean" not in result.stderr


@pytest.mark.parametrize("text,same_as", [
    ("March 2021", "2021-03-01"),
    ("Sep-2020", "2020-09-01"),
    ("2021-03-01 12:00:00 UTC", "2021-03-01 12:00:00"),
])
def test_a_named_month_alone_and_a_utc_zone_name_are_dates(text, same_as):
    """Monthly data ('March 2021') and times with 'UTC' after them were text: a category
    per month (or an identifier left out), their order lost."""
    from numpynn.data.cells import date_value

    assert date_value(text) == pytest.approx(date_value(same_as))


def test_a_year_and_month_in_digits_stays_text_for_seasons_are_written_so():
    from numpynn.data.cells import date_value

    assert date_value("2009-10") is None and date_value("Apples 2020") is None


def _npz_train(tmp_path, **arrays):
    np.savez(tmp_path / "d.npz", **arrays)
    return numpynn("train", "--data", "d.npz", "--epochs", "1", "--no-report", "--out", "r",
                   cwd=tmp_path)


def test_npz_labels_that_differ_only_in_spaces_or_case_are_warned(tmp_path):
    """'cat' and 'cat ' in y were two classes without a word (a CSV's were warned)."""
    X = np.random.default_rng(0).normal(size=(40, 3))
    out = ok(_npz_train(tmp_path, X=X, y=np.array(["cat", "cat ", "Dog", "dog"] * 10)))
    assert "warning: d.npz" in out and "'cat' / 'cat '" in out


def test_npz_rows_of_probabilities_as_y_are_warned_with_argmax(tmp_path):
    """Soft labels (rows summing to 1) were trained as a regression of C numbers."""
    rng = np.random.default_rng(0)
    out = ok(_npz_train(tmp_path, X=rng.normal(size=(40, 3)),
                        y=rng.dirichlet([1, 1, 1], 40)))
    assert "probabilities summing to 1" in out and "y.argmax(axis=1)" in out


def test_npz_features_saved_one_column_per_example_say_to_transpose(tmp_path):
    X = np.random.default_rng(0).normal(size=(40, 3))
    result = _npz_train(tmp_path, X=X.T, y=np.arange(40) % 2)
    assert result.returncode == 2 and "d.npz" in result.stderr and "X.T" in result.stderr


def test_npz_arrays_named_features_and_labels_are_read(tmp_path):
    X = np.random.default_rng(0).normal(size=(40, 3))
    out = ok(_npz_train(tmp_path, features=X, labels=np.arange(40) % 2))
    assert "features and labels read as the data" in out


@pytest.mark.parametrize("spec,said", [
    ("https://example.com/d/train.csv", "curl -LO https://example.com/d/train.csv"),
    ("s3://bucket/train.csv", "copy it to a local file first"),
    ("file:///data/train.csv", "give the file's path instead: /data/train.csv"),
])
def test_a_url_given_as_the_data_says_numpynn_reads_files(tmp_path, spec, said):
    """A URL was "CSV file not found: https:/example.com/..." (its slashes collapsed)."""
    result = numpynn("train", "--data", spec, "--out", "r", cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr and "--data" in result.stderr
    from numpynn.data import load_dataset
    from numpynn.errors import DataError

    with pytest.raises(DataError, match="URL"):
        load_dataset(spec)


@pytest.mark.parametrize("given", ["t.csv ", '"t.csv"', "'t.csv'"])
def test_a_data_path_pasted_with_its_quotes_or_a_space_is_the_file(tmp_path, given):
    rows = "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("a,b,label\n" + rows)
    ok(numpynn("train", "--data", given, "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))


def test_one_row_to_predict_without_a_header_is_a_row_not_a_header(tmp_path):
    """A single headerless row with a text cell was taken for a header ("missing columns
    ['a', 'b', 'color'] and unexpected ['0.12', '-0.43', 'blue']")."""
    rows = "".join(f"{i * 0.1:.2f},{-i * 0.2:.2f},{('red', 'blue')[i % 2]},{i % 2}\n"
                   for i in range(30))
    (tmp_path / "t.csv").write_text("a,b,color,label\n" + rows)
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))
    (tmp_path / "one.csv").write_text("0.12,-0.43,blue\n")
    (tmp_path / "named.csv").write_text("a,b,color\n0.12,-0.43,blue\n")
    bare = ok(numpynn("predict", "r/model.npz", "--data", "one.csv", "--proba", cwd=tmp_path))
    assert bare == ok(numpynn("predict", "r/model.npz", "--data", "named.csv", "--proba",
                              cwd=tmp_path))


def _workbook_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize("content,said", [
    (_workbook_bytes(), "is a spreadsheet workbook"),
    (b"PAR1" + bytes(64) + b"PAR1", "is a Parquet file"),
    (b"SQLite format 3\x00" + bytes(64), "is an SQLite database"),
    (b"<!DOCTYPE html>\n<html><body>Page not found</body></html>\n", "is a web page"),
    (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n",
     "is a Git LFS pointer"),
])
def test_a_file_of_another_kind_named_csv_says_what_it_is(tmp_path, content, said):
    """An .xlsx or Parquet file saved as .csv, GitHub's page downloaded instead of the
    file, a Git LFS pointer: were "a zip archive of 2 files", "row 1 has a single column",
    "a header but no data rows", "a second header row"."""
    (tmp_path / "data.csv").write_bytes(content)
    result = numpynn("train", "--data", "data.csv", "--out", "r", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "data.csv" in result.stderr and said in result.stderr


def test_a_git_lfs_pointer_as_npz_data_or_model_says_so(tmp_path):
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n"
    (tmp_path / "d.npz").write_bytes(pointer)
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    result = numpynn("train", "--data", "d.npz", "--out", "r", cwd=tmp_path)
    assert result.returncode == 2 and "d.npz is a Git LFS pointer" in result.stderr
    result = numpynn("predict", "d.npz", "--data", "t.csv", cwd=tmp_path)
    assert result.returncode == 2 and "Git LFS pointer" in result.stderr


def test_an_empty_last_column_pandas_named_unnamed_is_not_the_label(tmp_path):
    """A spreadsheet's empty formatted column, read and written back by pandas, is named
    'Unnamed: 4': it was taken for the label ("the label is empty; 40 rows")."""
    rows = "".join(f"{i},{i % 5},{i % 3},{i % 2},\n" for i in range(40))
    (tmp_path / "t.csv").write_text("Unnamed: 0,a,b,label,Unnamed: 4\n" + rows)
    out = ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out",
                     "r", cwd=tmp_path))
    assert "label: 'label'" in out and "2 features" in out


def test_ignore_columns_as_one_comma_text_in_the_library_is_those_columns(tmp_path):
    """ignore_columns='id,color' (the command line's way) was one name, "did you mean
    'color'?"; load_dataset's plain text was read letter by letter."""
    from numpynn.data import load_dataset
    from numpynn.errors import DataError

    rows = "".join(f"{i},{i % 5},{('red', 'blue')[i % 2]},{i % 2}\n" for i in range(30))
    path = tmp_path / "t.csv"
    path.write_text("id,a,color,label\n" + rows)
    assert load_dataset(str(path), ignore_columns="id, color").X.shape == (30, 1)
    assert load_dataset(str(path), ignore_columns=["id,color"]).X.shape == (30, 1)
    path.write_text('id,"a,b",label\n' + "".join(f"{i},{i % 5},{i % 2}\n" for i in range(30)))
    with pytest.raises(DataError, match="no feature column"):  # a name with a comma: it
        load_dataset(str(path), ignore_columns=["a,b"])


def test_numbers_written_with_a_unit_are_named_as_such_not_as_an_identifier(tmp_path):
    """'50.5 kg' in every row was left out as "an identifier or free text (names, ticket
    numbers)": now the note says they are numbers with a unit and how to use them."""
    rows = "".join(f"{50 + i * 1.5:.1f} kg,{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("weight,b,label\n" + rows)
    out = ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out",
                     "r", cwd=tmp_path))
    said = [line for line in out.splitlines() if "'weight'" in line]
    assert said and "written with a unit ('50.0 kg')" in said[0] and "weight_kg" in said[0]


def test_a_saved_model_predicts_rows_as_python_and_pandas_hold_them(tmp_path):
    """One row as a Series or a dict, a dict of columns, JSON's records were "expected
    rows of 3 feature cells"; a frame's extra column was told to use `ignore_columns`,
    which predict() does not take."""
    pd = pytest.importorskip("pandas")
    from numpynn.errors import DataError
    from numpynn.model_file import load_model

    rows = "".join(f"{i},{i * 0.1:.1f},{('red', 'blue')[i % 2]},{i % 2}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("id,a,color,label\n" + rows)
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))
    model = load_model(tmp_path / "r" / "model.npz")
    frame = pd.DataFrame({"a": [0.3, 1.2], "color": ["red", "blue"]})
    want = model.predict(frame)
    assert model.predict(frame.iloc[0])[0] == want[0]
    assert model.predict(frame.iloc[1].to_dict())[0] == want[1]
    assert list(model.predict(frame.to_dict("list"))) == list(want)
    assert list(model.predict(frame.to_dict("records"))) == list(want)
    with pytest.raises(DataError, match=r"select the model's columns first: rows\["):
        model.predict(frame.assign(extra=1))


def test_evaluating_on_another_models_data_says_so_not_to_fix_every_label(tmp_path):
    """A table model evaluated on digits was told to correct 1,797 labels or drop them all
    (--drop-unknown-labels); now: none is the model's class, its features counted."""
    rows = "".join(f"{i % 5},{i % 3},{('no', 'yes')[i % 2]}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("a,b,label\n" + rows)
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))
    result = numpynn("evaluate", "r/model.npz", "--data", "digits", cwd=tmp_path)
    assert result.returncode == 2 and "digits: none of its labels" in result.stderr
    assert "(trained on t.csv)" in result.stderr and "64 feature columns" in result.stderr
    assert "--drop-unknown-labels" not in result.stderr


def test_columns_aligned_by_spaces_with_a_tab_before_the_last_are_read(tmp_path):
    """UCI's auto-mpg.data: columns aligned by runs of spaces, a tab before the quoted car
    name; the tab was taken for the delimiter (2 columns: 'no feature column is left')."""
    lines = "".join(f"{15 + i % 20}.5   {4 + 2 * (i % 3)}   {100 + i * 2:.1f}      "
                    f"{'?' if i % 13 == 0 else f'{90 + i % 60}.0'}   {70 + i % 12}  {1 + i % 3}"
                    f"\t\"car {i}\"\n" for i in range(40))
    (tmp_path / "auto-mpg.data").write_text(lines)
    out = ok(numpynn("train", "--data", "auto-mpg.data", "--label-column", "0", "--epochs",
                     "1", "--no-report", "--out", "r", cwd=tmp_path))
    assert "column index 6 holds text" in out and "5 features" in out


def test_a_headerless_label_second_after_an_id_is_warned(tmp_path):
    """UCI's wdbc.data (id, diagnosis M/B, measurements): the last measurement became a
    regression's target without a word about the diagnosis column."""
    rng = np.random.default_rng(0)
    lines = "".join(f"{842302 + i * 17},{'MB'[i % 2]},"
                    + ",".join(f"{v:.4f}" for v in rng.normal(10, 2, 4)) + "\n"
                    for i in range(40))
    (tmp_path / "wdbc.data").write_text(lines)
    out = ok(numpynn("train", "--data", "wdbc.data", "--epochs", "1", "--no-report", "--out",
                     "r", cwd=tmp_path))
    assert "column index 1 holds 2 values: B, M" in out and "--label-column 1" in out


def test_a_headerless_first_column_of_distinct_whole_numbers_is_warned_as_an_id(tmp_path):
    """Without a header to name it, an id column (1000, 1001, ...; wdbc.data's ids) was a
    feature without a word (with a header named 'id' it is left out)."""
    lines = "".join(f"{1000 + i},{i % 5}.5,{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "t.data").write_text(lines)
    out = ok(numpynn("train", "--data", "t.data", "--epochs", "1", "--no-report", "--out",
                     "r", cwd=tmp_path))
    assert "column index 0 holds a different whole number in every row" in out
    assert "--ignore-columns 0" in out


def test_one_image_file_is_predicted_and_refused_for_training_saying_why(tmp_path):
    """`numpynn predict model.npz --data cat.png` was "unknown data spec 'cat.png'"."""
    image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(6):
            image.fromarray(rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)).save(
                tmp_path / "data" / name / f"{i}.png")
    image.fromarray(rng.integers(0, 256, (9, 9), dtype=np.uint8)).save(tmp_path / "one.png")
    ok(numpynn("train", "--data", "data", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))
    out = ok(numpynn("predict", "r/model.npz", "--data", "one.png", cwd=tmp_path))
    assert out.splitlines()[0] == "file,prediction" and out.splitlines()[1].startswith("one.png,")
    result = numpynn("train", "--data", "one.png", "--out", "q", cwd=tmp_path)
    assert result.returncode == 2 and "one image without a label" in result.stderr


def test_image_files_given_to_a_model_of_scaled_images_are_warned(tmp_path):
    image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "scaled.npz", X=rng.random((30, 6, 6, 3)), y=np.arange(30) % 2)
    ok(numpynn("train", "--data", "scaled.npz", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))
    image.fromarray(rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)).save(tmp_path / "a.png")
    result = numpynn("predict", "r/model.npz", "--data", "a.png", cwd=tmp_path)
    assert result.returncode == 0 and "warning" in result.stderr
    assert "image files are read as their pixels, 0..255" in result.stderr


def test_evaluating_a_test_file_without_its_labels_says_to_predict_it(tmp_path):
    """A Kaggle test file (the features, no label) given to evaluate was "missing
    column(s) ['label']; the model was trained on ...", not what to do instead."""
    rows = "".join(f"{i},{i % 5},{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "train.csv").write_text("id,a,b,label\n" + rows)
    ok(numpynn("train", "--data", "train.csv", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))
    (tmp_path / "test.csv").write_text("id,a,b\n" + "".join(f"{i},{i % 5},{i % 3}\n"
                                                            for i in range(5)))
    result = numpynn("evaluate", "r/model.npz", "--data", "test.csv", cwd=tmp_path)
    assert result.returncode == 2 and "missing column(s) ['label'], the label" in result.stderr
    assert "numpynn predict" in result.stderr


def test_a_table_whose_first_column_is_named_like_a_signature_is_a_table(tmp_path):
    rows = "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("PAR1,b,label\n" + rows)
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_the_model_and_the_data_given_the_other_way_round_are_named_so(tmp_path, command):
    rows = "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("a,b,label\n" + rows)
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--no-report", "--out", "r",
               cwd=tmp_path))
    result = numpynn(command, "t.csv", "--data", "r/model.npz", cwd=tmp_path)
    assert result.returncode == 2 and "the other way round" in result.stderr
    assert f"numpynn {command} r/model.npz --data t.csv" in result.stderr
