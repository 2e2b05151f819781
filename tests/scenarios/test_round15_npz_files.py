""".npz files as users bring them (round 15): arrays under the names their tools give
(any letter case, a folder in the archive, TensorFlow's train_images, a test split alone),
arrays left unread named, compressed copies read, files that are no archive said to be
what they are (empty, cut short, a CSV file), images of another shape than the model's
refused, and no stale advice."""

from __future__ import annotations

import gzip
import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from numpynn.data.npz_file import load_npz
from numpynn.errors import DataError
from tests.clirun import numpynn, ok

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y = RNG.integers(0, 2, 40)


def _nested(path: Path) -> None:
    """An archive made by hand with its arrays in a folder (data/X.npy, data/y.npy)."""
    with zipfile.ZipFile(path, "w") as z:
        for key, value in (("X", X), ("y", Y)):
            buf = io.BytesIO()
            np.save(buf, value)
            z.writestr(f"data/{key}.npy", buf.getvalue())


@pytest.mark.parametrize(("arrays", "features", "labels"), [
    ({"x": X, "Y": Y}, "x", "Y"),
    ({"X": X, "labels": Y}, "X", "labels"),
    ({"data": X, "labels": Y}, "data", "labels"),
    ({"features": X, "y": Y}, "features", "y"),
    ({"x_test": X, "y_test": Y}, "x_test", "y_test"),
    ({"test_images": X, "test_labels": Y}, "test_images", "test_labels"),
])
def test_arrays_under_the_names_other_tools_give_are_read(tmp_path, arrays, features, labels):
    np.savez(tmp_path / "d.npz", **arrays)
    ds = load_npz(tmp_path / "d.npz")
    np.testing.assert_allclose(ds.X, X)
    np.testing.assert_array_equal(ds.classes[ds.y], Y)
    assert any(f"{features} and {labels} read as the data" in n for n in ds.notes), ds.notes


def test_tensorflow_train_and_test_images_keep_their_test_split(tmp_path):
    np.savez(tmp_path / "d.npz", train_images=X[:30], train_labels=Y[:30],
             test_images=X[30:], test_labels=Y[30:])
    ds = load_npz(tmp_path / "d.npz")
    assert ds.X.shape == (30, 3) and ds.X_test.shape == (10, 3)


def test_arrays_in_a_folder_of_the_archive_are_read(tmp_path):
    _nested(tmp_path / "d.npz")
    ds = load_npz(tmp_path / "d.npz")
    np.testing.assert_allclose(ds.X, X)


def test_validation_and_other_arrays_left_unread_are_named(tmp_path):
    np.savez(tmp_path / "d.npz", x_train=X, y_train=Y, x_val=X[:5], y_val=Y[:5],
             feature_names=np.array(["a", "b", "c"]))
    ds = load_npz(tmp_path / "d.npz")
    said = " ".join(ds.notes)
    assert "feature_names, x_val, y_val are not read" in said and "--val-fraction" in said


def test_a_compressed_npz_is_read_and_said_so(tmp_path):
    buf = io.BytesIO()
    np.savez(buf, X=X, y=Y)
    (tmp_path / "d.npz").write_bytes(gzip.compress(buf.getvalue()))
    ds = load_npz(tmp_path / "d.npz")
    np.testing.assert_allclose(ds.X, X)
    assert any("gzip-compressed" in n for n in ds.notes)


def test_a_file_that_is_no_archive_is_said_to_be_what_it_is(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    np.savez(tmp_path / "full.npz", X=X, y=Y)
    whole = (tmp_path / "full.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "table.npz").write_text("a,b,label\n1,2,0\n")
    for name, said in (("empty.npz", "empty (0 bytes)"), ("cut.npz", "cut short"),
                       ("table.npz", "a CSV file? Give it with the ending .csv")):
        with pytest.raises(DataError, match=said.replace("(", r"\(").replace(")", r"\)")
                           .replace("?", r"\?")):
            load_npz(tmp_path / name)


def test_labels_of_several_columns_name_the_regression_task(tmp_path):
    np.savez(tmp_path / "d.npz", X=X, y=np.stack([Y, Y + 1], axis=1))
    with pytest.raises(DataError, match="--task regression") as info:
        load_npz(tmp_path / "d.npz")
    assert "CSV" not in str(info.value)
    assert load_npz(tmp_path / "d.npz", task="regression").y.shape == (40, 2)


def test_a_structured_array_is_named_with_the_line_that_makes_it_rows(tmp_path):
    rec = np.zeros(40, dtype=[("a", "f8"), ("b", "f8")])
    np.savez(tmp_path / "d.npz", X=rec, y=Y)
    with pytest.raises(DataError, match=r"structured array with fields 'a', 'b'.*"
                                        r"np.column_stack"):
        load_npz(tmp_path / "d.npz")


def test_images_of_another_shape_than_the_models_are_refused(tmp_path):
    images = RNG.integers(0, 256, (60, 8, 8)).astype(np.uint8)
    labels = RNG.integers(0, 2, 60)
    np.savez(tmp_path / "train.npz", X=images, y=labels)
    np.savez(tmp_path / "other.npz", X=images.reshape(60, 4, 16), y=labels)
    proc = numpynn("train", "--data", "train.npz", "--epochs", "1", "--hidden", "4", "--out",
                   "run", "--no-report", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for command in ("evaluate", "predict"):
        proc = numpynn(command, "run/model.npz", "--data", "other.npz", cwd=tmp_path)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert "4x16" in proc.stderr and "8x8" in proc.stderr, proc.stderr
    flat = numpynn("evaluate", "run/model.npz", "--data", "train.npz", cwd=tmp_path)
    assert flat.returncode == 0, flat.stderr


def test_an_npz_named_csv_is_said_to_be_an_npz(tmp_path):
    np.savez(tmp_path / "d.npz", X=X, y=Y)
    (tmp_path / "d.csv").write_bytes((tmp_path / "d.npz").read_bytes())
    proc = numpynn("train", "--data", "d.csv", "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert ".npz" in proc.stderr and "rename" in proc.stderr, proc.stderr


def test_a_gzipped_npz_by_its_ending_is_read_through_the_cli(tmp_path):
    buf = io.BytesIO()
    np.savez(buf, X=X, y=Y)
    (tmp_path / "d.npz.gz").write_bytes(gzip.compress(buf.getvalue()))
    proc = numpynn("train", "--data", "d.npz.gz", "--epochs", "1", "--hidden", "4", "--out",
                   "run", "--no-report", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "gzip-compressed, read decompressed" in proc.stdout + proc.stderr


@pytest.mark.parametrize("folder", ["out.csv", "out"])
def test_a_folder_of_csv_parts_is_named_with_the_line_that_joins_them(tmp_path, folder):
    (tmp_path / folder).mkdir()
    for i in range(2):
        (tmp_path / folder / f"part-0000{i}-abc.csv").write_text("a,b,label\n1,2,0\n3,4,1\n")
    (tmp_path / folder / "_SUCCESS").write_text("")
    proc = numpynn("train", "--data", folder, "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "the parts of one table" in proc.stderr and "part-*.csv) > all.csv" in proc.stderr


def test_labels_of_several_numeric_columns_are_said_to_be_a_regression_of_each(tmp_path):
    np.savez(tmp_path / "d.npz", X=X, y=np.eye(2)[Y] * 2 - 1)  # one-hot coded -1 / 1
    proc = numpynn("train", "--data", "d.npz", "--epochs", "1", "--hidden", "4", "--out",
                   "run", "--no-report", cwd=tmp_path)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 0, said
    assert "holds 2 columns of numbers" in said and "regression of 2 targets" in said, said
    assert "distinct values" not in said and "y.argmax(axis=1)" in said, said


def test_a_single_npy_says_how_to_predict_on_it_without_labels(tmp_path):
    np.save(tmp_path / "new.npy", X)
    proc = numpynn("train", "--data", "new.npy", "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "np.savez('data.npz', X=np.load('new.npy'))" in proc.stderr, proc.stderr


def test_empty_string_labels_are_missing_labels_not_a_class(tmp_path):
    for kind in ("U", "S"):
        labels = np.array(["cat", ""] * 20).astype(kind)
        np.savez(tmp_path / "d.npz", X=X, y=labels)
        with pytest.raises(DataError, match=r"20 empty label\(s\) \(first y\[1\]\)"):
            load_npz(tmp_path / "d.npz")


def test_image_values_beyond_float32_are_named_without_a_warning(tmp_path):
    images = RNG.random((40, 4, 4))
    images[3, 1, 2] = 1e300
    np.savez(tmp_path / "d.npz", X=images, y=Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's overflow warning would be an error
        with pytest.raises(DataError, match=r"beyond float32's range.*X\[3, 6\] = 1e\+300"):
            load_npz(tmp_path / "d.npz")


def test_a_value_beyond_float32s_range_is_named_with_its_place_not_called_infinite(tmp_path):
    """1e300 in a table given to a float32 model became inf in the cast and was reported
    as "NaN or infinite values (first at row 0, column 0)": a finite number called
    infinite, at a row counted from 0."""
    from numpynn.errors import InputError
    from numpynn.validation import check_features

    with pytest.raises(InputError, match=r"X\[0, 1\] \(row 1, column 2 of the data\) is "
                                         r"1e\+300, beyond float32's range"):
        check_features(np.array([[0.5, 1e300]]), 2, np.float32)
    rng = np.random.default_rng(0)
    rows = "".join(f"{rng.normal():.3f},{rng.normal():.3f},{'xy'[i % 2]}\n" for i in range(60))
    (tmp_path / "t.csv").write_text("a,b,label\n" + rows)
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--quiet", "--no-report",
               "--out", "run", cwd=tmp_path))
    (tmp_path / "new.csv").write_text("a,b\n0.1,0.2\n1e300,0.5\n")
    result = numpynn("predict", "run", "--data", "new.csv", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "X[1, 0] (row 2, column 1 of the data) is 1e+300, beyond float32's range" in \
        result.stderr
