"""Array checks shared by the CSV and NPZ readers."""

from __future__ import annotations

import numpy as np


def non_finite(X: np.ndarray) -> tuple[int, tuple[int, int]] | None:
    """Count the NaN/inf entries of a float (N, D) array ``X``.

    Returns:
        None when every entry is finite, else ``(count, (row, column))`` of the first
        non-finite entry in row-major order (0-based).
    """
    bad = ~np.isfinite(X)
    if not bad.any():
        return None
    i, j = np.argwhere(bad)[0]
    return int(bad.sum()), (int(i), int(j))
