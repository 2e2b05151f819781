"""Input checks shared by the models and the training loop.

Each check raises :class:`numpynn.errors.InputError` (a ``ValueError``) naming the
argument, what was wrong with it and how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import InputError


def check_features(X: object, n_features: int, dtype: np.dtype, name: str = "X") -> np.ndarray:
    """Return ``X`` as a C-contiguous (N, n_features) array of ``dtype``.

    Accepts (N, D) or CS231n-style (N, d1, ..., dk) with d1*...*dk == D (flattened).
    """
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} cannot be converted to a numeric array: {exc}") from None
    if arr.ndim < 2:
        hint = " For a single example use X.reshape(1, -1)." if arr.ndim == 1 else ""
        raise InputError(
            f"{name} must be a 2-D array of shape (N, D); got shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise InputError(f"{name} is an empty batch (shape {arr.shape}); pass at least one row.")
    if arr.dtype.kind not in "biuf":
        raise InputError(
            f"{name} must hold numbers (int or float); got dtype {arr.dtype}. "
            "Convert non-numeric columns first."
        )
    d = int(np.prod(arr.shape[1:]))
    if d != n_features:
        raise InputError(
            f"{name} has {d} features per row (shape {arr.shape}) but the model expects "
            f"{n_features}; use data with the same columns the model was built for."
        )
    arr = np.ascontiguousarray(arr.reshape(arr.shape[0], d), dtype=dtype)
    if not _all_finite(arr):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise InputError(
            f"{name} contains NaN or infinite values (first at row {bad[0]}, column {bad[1]}); "
            "remove or impute them before training or predicting."
        )
    return arr


def _all_finite(arr: np.ndarray, chunk_bytes: int = 1 << 24) -> bool:
    """``np.isfinite(arr).all()`` for a C-contiguous 2-D array, a block of rows at a time.

    The one-shot form makes a boolean array of arr's size (150 MB for CIFAR-10's training
    set); blocks of <= chunk_bytes keep the temporary small and in cache.
    """
    rows = max(1, chunk_bytes // max(1, arr.shape[1] * arr.itemsize))
    return all(bool(np.isfinite(arr[s : s + rows]).all()) for s in range(0, arr.shape[0], rows))


def check_labels(y: object, n_rows: int, n_classes: int, name: str = "y") -> np.ndarray:
    """Return ``y`` as an (N,) int64 array of class indices in 0..n_classes-1."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise InputError(f"{name} must be a 1-D array of shape (N,); got shape {arr.shape}.")
    if arr.shape[0] != n_rows:
        raise InputError(
            f"{name} has {arr.shape[0]} labels but X has {n_rows} rows; they must match."
        )
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or not np.all(arr == np.round(arr)):
            raise InputError(
                f"{name} must hold integer class indices; got non-integer values "
                f"such as {arr[~(arr == np.round(arr))][:3].tolist()}."
            )
    elif arr.dtype.kind not in "biu":
        raise InputError(
            f"{name} must hold integer class indices 0..{n_classes - 1}; got dtype {arr.dtype}. "
            "Map labels to indices first (numpynn.MLPClassifier does this for you)."
        )
    arr = arr.astype(np.int64, copy=False)
    if n_rows and (arr.min() < 0 or arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= n_classes)][:3].tolist()
        raise InputError(
            f"{name} must hold class indices in 0..{n_classes - 1}; found {bad}."
        )
    return arr


def check_positive_int(value: object, name: str) -> int:
    """An integer >= 1 (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def check_hidden_dims(hidden_dims: Sequence[int] | int, name: str = "hidden_dims") -> list[int]:
    """A non-empty list of positive hidden-layer sizes."""
    if isinstance(hidden_dims, (int, np.integer)) and not isinstance(hidden_dims, bool):
        hidden_dims = [int(hidden_dims)]
    try:
        dims = list(hidden_dims)
    except TypeError:
        raise InputError(
            f"{name} must be a list of positive integers; got {hidden_dims!r}."
        ) from None
    if not dims:
        raise InputError(f"{name} must name at least one hidden layer; got {hidden_dims!r}.")
    return [check_positive_int(h, f"{name}[{i}]") for i, h in enumerate(dims)]


def check_nonnegative_float(value: object, name: str) -> float:
    """A finite float >= 0."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number >= 0; got {value!r}.") from None
    if not np.isfinite(v) or v < 0:
        raise InputError(f"{name} must be a finite number >= 0; got {value!r}.")
    return v


# ------------------------------------------------------------ declarative argument checks
# One message format for every argument: "<name> must be <what>; got <value>."


def _fail(name: str, what: str, value: object) -> InputError:
    return InputError(f"{name} must be {what}; got {value!r}.", param=name)


def _is_bool(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


def check_number(value: object, name: str, *, low: float | None = None,
                 high: float | None = None, low_open: bool = False,
                 high_open: bool = False) -> float:
    """A finite real number (bools refused) in the range given by ``low``/``high``
    (closed unless ``low_open``/``high_open``); returned as a float."""
    lo = "" if low is None else f"{'(' if low_open else '['}{low:g}"
    hi = "" if high is None else f"{high:g}{')' if high_open else ']'}"
    if low is not None and high is not None:
        what = f"a finite number in {lo}, {hi}"
    elif low is not None:
        what = f"a finite number {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        what = f"a finite number {'<' if high_open else '<='} {high:g}"
    else:
        what = "a finite number"
    if _is_bool(value) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _fail(name, what, value)
    x = float(value)
    ok = bool(np.isfinite(x))
    if ok and low is not None:
        ok = x > low if low_open else x >= low
    if ok and high is not None:
        ok = x < high if high_open else x <= high
    if not ok:
        raise _fail(name, what, value)
    return x


def check_int(value: object, name: str, *, low: int | None = None,
              high: int | None = None) -> int:
    """An integer (bools refused) in ``low..high`` (either may be None); returned as int."""
    if low is not None and high is not None:
        what = f"an integer in {low}..{high}"
    elif low is not None:
        what = f"an integer >= {low}"
    elif high is not None:
        what = f"an integer <= {high}"
    else:
        what = "an integer"
    if _is_bool(value) or not isinstance(value, (int, np.integer)):
        raise _fail(name, what, value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(name, what, value)
    return int(value)


def check_bool(value: object, name: str) -> bool:
    """True or False (numpy bools too; 0/1 refused)."""
    if not _is_bool(value):
        raise _fail(name, "True or False", value)
    return bool(value)


def check_choice(value: object, name: str, choices: Sequence[object]) -> object:
    """One of ``choices``."""
    try:
        ok = value in choices
    except TypeError:  # an unhashable value against a set
        ok = False
    if not ok:
        raise _fail(name, "one of " + ", ".join(map(repr, choices)), value)
    return value


SEED_MAX = 2**32 - 1


def check_seed(seed: object, name: str = "seed") -> int | None:
    """None or an integer in 0..2**32-1 (what NumPy's seeding accepts)."""
    if seed is None:
        return None
    if _is_bool(seed) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= SEED_MAX:
        raise _fail(name, f"None or an integer in 0..{SEED_MAX}", seed)
    return int(seed)


def check_sample_weight(sample_weight: object, n_rows: int, name: str = "sample_weight"
                        ) -> np.ndarray:
    """(N,) finite weights >= 0 as float64, one per row (InputError naming ``name``)."""
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of numbers; got {sample_weight!r:.60}",
                         param=name) from None
    if w.shape != (n_rows,):
        raise InputError(f"{name} must have shape ({n_rows},), one weight per row; got "
                         f"shape {w.shape}.", param=name)
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError(f"{name} must hold finite weights >= 0; found "
                         f"{w[~np.isfinite(w) | (w < 0)][:3].tolist()}.", param=name)
    if n_rows and not w.any():
        raise InputError(f"{name} is zero for every row; give some rows a positive weight.",
                         param=name)
    return w
