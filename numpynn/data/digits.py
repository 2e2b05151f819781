"""The 8x8 digits bundled with scikit-learn, read from its data file without importing it.

``sklearn.datasets.load_digits`` imports scikit-learn, SciPy and pandas: 1-2 s for 1797
rows of 65 numbers, paid by every search worker and every ``numpynn train`` on digits.
The rows live in scikit-learn's ``datasets/data/digits.csv.gz`` (64 pixel columns, then
the label); this module finds that file through the import system (no import) and parses
it with NumPy, giving the same arrays. Where the file is not there (another layout of
scikit-learn), it falls back to ``load_digits``.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

#: the file inside scikit-learn's package
DIGITS_FILE = Path("datasets") / "data" / "digits.csv.gz"


def _bundled_file() -> Path | None:
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / DIGITS_FILE
        if path.is_file():
            return path
    return None


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """X (1797, 64) float64 pixel values 0..16 and y (1797,) int64 labels 0..9, equal to
    ``sklearn.datasets.load_digits(return_X_y=True)``."""
    path = _bundled_file()
    if path is not None:
        with gzip.open(path, "rt") as fh:
            data = np.loadtxt(fh, delimiter=",", dtype=np.float64)
        if data.ndim == 2 and data.shape[1] == 65:
            return np.ascontiguousarray(data[:, :-1]), data[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits  # another layout: scikit-learn's reader

    X, y = load_digits(return_X_y=True)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
