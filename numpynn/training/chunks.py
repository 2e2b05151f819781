"""Rows a block at a time: the scores of a whole split without a copy of it."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def row_chunks(X: np.ndarray, y: np.ndarray, chunk: int, idx: np.ndarray | None = None
               ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(X, y) a block of ``chunk`` rows at a time: views of X: (N, D) and y, or, with
    ``idx``, copies of only those rows (gathered a block at a time)."""
    n = X.shape[0] if idx is None else idx.shape[0]
    for start in range(0, n, chunk):
        if idx is None:
            yield X[start : start + chunk], y[start : start + chunk]
        else:
            rows = idx[start : start + chunk]
            yield X[rows], y[rows]
