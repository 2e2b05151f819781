""".npz files as other tools and habits write them: Keras' mnist.npz (x_train, y_train,
x_test, y_test), images (N, H, W), (N, H, W, C) and (N, C, H, W), one-hot labels, a
scikit-learn Bunch's data/target, and a regression's float targets: each is read (with a
note saying how), trained on, evaluated and predicted on, never refused for its layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numpynn.data import load_dataset
from numpynn.data.npz_file import load_npz
from tests.clirun import numpynn

RNG = np.random.default_rng(0)


def _images(n: int = 120, shape: tuple[int, ...] = (8, 8)) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images whose class is where a bright band is (learnable in a few epochs)."""
    y = RNG.integers(0, 4, n)
    X = (RNG.random((n, *shape)) * 60).astype(np.uint8)
    for c in range(4):
        X[y == c, 2 * c : 2 * c + 2] = 255
    return X, y


def _train(tmp_path: Path, data: str, *args: str) -> tuple[int, str]:
    proc = numpynn("train", "--data", data, "--epochs", "3", "--hidden", "16", "--out", "run",
                   "--no-report", *args, cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout + proc.stderr


def test_keras_mnist_npz_keeps_its_test_split(tmp_path):
    X, y = _images(150)
    np.savez(tmp_path / "mnist.npz", x_train=X[:120], y_train=y[:120], x_test=X[120:],
             y_test=y[120:])
    ds = load_npz(tmp_path / "mnist.npz")
    assert ds.X.shape == (120, 64) and ds.X_test.shape == (30, 64) and ds.image_shape == (8, 8)
    np.testing.assert_array_equal(ds.classes[ds.y_test], y[120:])
    assert any("x_test and y_test as its test split" in n for n in ds.notes)
    code, out = _train(tmp_path, "mnist.npz")
    assert code == 0 and "/ 30 test rows" in out, out
    proc = numpynn("predict", "run", "--data", "mnist.npz", "--output", "-", cwd=tmp_path)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 1 + 150  # header + rows


@pytest.mark.parametrize("layout", ["NHW", "NHWC", "NCHW"])
def test_image_arrays_are_read_as_rows_of_pixels_channels_last(tmp_path, layout):
    X, y = _images(40, (8, 8, 3))
    stored = {"NHW": X[..., 0], "NHWC": X, "NCHW": np.moveaxis(X, -1, 1)}[layout]
    np.savez(tmp_path / "img.npz", X=stored, y=y)
    ds = load_npz(tmp_path / "img.npz")
    want = X[..., 0] if layout == "NHW" else X
    np.testing.assert_array_equal(ds.X, want.reshape(40, -1).astype(np.float32))
    assert ds.image_shape == want.shape[1:] and ds.X.dtype == np.float32
    assert ds.notes and "images of 8x8 pixels" in ds.notes[0]


def test_npz_images_take_the_shift_augmentation(tmp_path):
    X, y = _images(80, (8, 8, 1))
    np.savez(tmp_path / "img.npz", X=np.moveaxis(X, -1, 1), y=y)  # (N, 1, 8, 8)
    code, out = _train(tmp_path, "img.npz", "--augment", "shift:1")
    assert code == 0, out


@pytest.mark.parametrize("labels", ["one-hot", "column"])
def test_one_hot_and_column_labels_are_class_indices(tmp_path, labels):
    X, y = _images(60)
    stored = np.eye(4)[y] if labels == "one-hot" else y[:, None]
    np.savez(tmp_path / "d.npz", data=X.reshape(60, -1), target=stored)
    ds = load_npz(tmp_path / "d.npz")
    np.testing.assert_array_equal(ds.classes[ds.y], y)
    assert any("data and target read as the data" in n for n in ds.notes)
    assert (labels == "one-hot") == any("one-hot" in n for n in ds.notes)


def test_float_targets_train_a_regression_evaluated_and_predicted(tmp_path):
    X = RNG.random((240, 3))
    Y = np.c_[X @ [1.0, 2.0, 3.0], X @ [3.0, -1.0, 0.5]]
    np.savez(tmp_path / "reg.npz", x_train=X[:200], y_train=Y[:200], x_test=X[200:],
             y_test=Y[200:])
    ds = load_dataset(str(tmp_path / "reg.npz"), task="auto")
    assert ds.y.dtype == np.float64 and ds.y.shape == (200, 2) and len(ds.classes) == 0
    code, out = _train(tmp_path, "reg.npz")
    assert code == 0 and "regression" in out and "/ 40 test rows" in out, out
    proc = numpynn("evaluate", "run", "--data", "reg.npz", cwd=tmp_path)
    assert proc.returncode == 0 and "R^2" in proc.stdout, proc.stderr
    proc = numpynn("predict", "run", "--data", "reg.npz", "--output", "-", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("prediction_0,prediction_1")


def test_whole_numbers_stay_classes_and_a_class_task_names_the_regression(tmp_path):
    X = RNG.random((50, 2))
    np.savez(tmp_path / "c.npz", X=X, y=(X[:, 0] > 0.5).astype(float))  # 0.0 / 1.0
    assert load_dataset(str(tmp_path / "c.npz"), task="auto").y.dtype.kind == "i"
    np.savez(tmp_path / "r.npz", X=X, y=X[:, 0] * 3.3)
    code, out = _train(tmp_path, "r.npz", "--task", "classification")
    assert code == 2 and "--task regression" in out
    np.savez(tmp_path / "n.npz", X=X, y=np.r_[np.nan, X[1:, 0]])
    code, out = _train(tmp_path, "n.npz", "--task", "regression")
    assert code == 2 and "NaN or infinite target" in out and "row 0" in out


def test_arrays_saved_without_names_are_x_then_y(tmp_path):
    X, y = _images(30)
    np.savez(tmp_path / "p.npz", X.reshape(30, -1), y)  # arr_0, arr_1
    ds = load_npz(tmp_path / "p.npz")
    assert ds.X.shape == (30, 64) and any("arr_0 and arr_1" in n for n in ds.notes)
    np.savez(tmp_path / "swapped.npz", y, X.reshape(30, -1))  # (y, X): refused, not misread
    code, out = _train(tmp_path, "swapped.npz")
    assert code == 2 and "arr_0 has shape (30,)" in out
