"""numpynn.data.digits: scikit-learn's digits read from its file, without importing it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from numpynn.data import digits as digits_module
from numpynn.data.digits import digits_arrays
from numpynn.data.sources import load_digits


def test_digits_equal_scikit_learns():
    from sklearn.datasets import load_digits as sklearn_digits

    X, y = digits_arrays()
    Xs, ys = sklearn_digits(return_X_y=True)
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, Xs)
    np.testing.assert_array_equal(y, ys)
    d = load_digits()
    np.testing.assert_array_equal(d.X, Xs)
    assert d.image_shape == (8, 8)


def test_loading_digits_does_not_import_scikit_learn(tmp_path):
    code = ("import sys; from numpynn.data.sources import load_digits; d = load_digits(); "
            "print(d.X.shape, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(_repo())}, cwd=tmp_path).stdout
    assert out.strip() == "(1797, 64) False"


def test_another_layout_falls_back_to_scikit_learns_reader(monkeypatch):
    monkeypatch.setattr(digits_module, "_bundled_file", lambda: None)
    X, y = digits_arrays()
    assert X.shape == (1797, 64) and y[:3].tolist() == [0, 1, 2]


def _repo():
    from pathlib import Path

    return Path(__file__).resolve().parents[3]
