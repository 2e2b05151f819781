"""Stratified, seeded train / validation / test split."""

from __future__ import annotations

import math

import numpy as np

from ..errors import DataError, InputError

AUTO_VAL_FRACTION = 0.1
AUTO_VAL_MIN_ROWS = 10_000
"""Below this many rows outside the test part, ``val_fraction=None`` makes no validation
split: every row trains for the full epoch count and the last epoch is kept. On tables of
up to a few thousand rows this beats early stopping on a 10% split (measured in
benchmarks/RESULTS.md, "Defaults on users' tables": the lowest validation loss comes
long before the best accuracy, and the split costs a tenth of the training rows); from
10,000 rows on the split holds 1,000+ rows to choose the epoch by and early stopping
saves most of the 200 epochs' time."""


def val_fraction_for(val_fraction: float | None, n_rows: int, test_fraction: float) -> float:
    """The validation share to split ``n_rows`` with: ``val_fraction`` when given, else
    :data:`AUTO_VAL_FRACTION` when the rows outside the test part number at least
    :data:`AUTO_VAL_MIN_ROWS`, else 0."""
    if val_fraction is not None:
        return val_fraction
    pool = n_rows - math.ceil(test_fraction * n_rows)
    return AUTO_VAL_FRACTION if pool >= AUTO_VAL_MIN_ROWS else 0.0


def _check_fraction(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InputError(f"{name} must be a number in [0, 1); got {value!r}")
    if not 0.0 <= float(value) < 1.0:
        percent = (" (a share of the rows, not a percentage: 20% is 0.2)"
                   if isinstance(value, (int, float)) and 1 < value <= 100 else "")
        raise InputError(f"{name} must be in [0, 1); got {value!r}{percent}")
    return float(value)


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    *,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
    classes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split (X, y) into train, validation and test parts with the same class proportions.

    Args:
        X: (N, ...) examples (rows are split; the dtype is kept).
        y: (N,) class labels (indices or any values) used to stratify.
        val_fraction: share of the N examples in the validation part (rounded up), in
            [0, 1); 0 gives an empty validation part.
        test_fraction: share in the test part (rounded up), in [0, 1); 0 gives an empty
            test part, e.g. for data sets with a predefined test split.
        seed: the same seed gives the same split.
        classes: (C,) the original labels when ``y`` holds class indices; messages then
            name a class by its label (e.g. 20), not by its index.

    Returns:
        ``(X_train, y_train, X_val, y_val, X_test, y_test)``; empty parts keep the shape
        of the rest, e.g. X_test (0, D) and y_test (0,).

    Raises:
        InputError: fractions out of range or summing to 1 or more.
        DataError: X and y of different lengths, or a class with too few examples to
            appear in every part (the error names the class and its count).
    """
    val_fraction = _check_fraction("val_fraction", val_fraction)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    if val_fraction + test_fraction >= 1.0:
        raise InputError(
            f"`val_fraction` + `test_fraction` must be below 1 to leave training data; got "
            f"{val_fraction} + {test_fraction}"
        )
    X, y = np.asarray(X), np.asarray(y)
    if y.ndim != 1:
        raise DataError(f"y must be 1-D with shape (N,); got shape {y.shape}")
    if X.ndim == 0 or len(X) != len(y):
        raise DataError(f"X has shape {X.shape} but y has {len(y)} labels; the lengths must match")
    n = len(y)
    n_test = math.ceil(test_fraction * n)
    n_val = math.ceil(val_fraction * n)
    labels, counts = np.unique(y, return_counts=True)
    parts = [("training", n - n_test - n_val)]
    parts += [("validation", n_val)] if n_val else []
    parts += [("test", n_test)] if n_test else []
    need = len(parts)
    def name(label: object) -> object:
        if classes is not None and isinstance(label, int) and 0 <= label < len(classes):
            return np.asarray(classes)[label].item()
        return label

    for label, count in zip(labels.tolist(), counts.tolist()):
        label = name(label)
        if need > 1 and count < need:
            names = "/".join(name for name, _ in parts)
            number = (isinstance(label, (int, float)) and not isinstance(label, bool)
                      and classes is not None)
            # only the parts there are can be dropped (before: "set `val_fraction` or
            # `test_fraction` to 0" with one of them 0 already)
            fewer = " or ".join(f"`{f}`" for f, v in (("val_fraction", val_fraction),
                                                      ("test_fraction", test_fraction)) if v)
            raise DataError(
                f"class {label!r} has only {count} example(s), but a stratified "
                f"{names} split needs at least {need} per class; collect more examples of "
                "it, drop or merge that class, or lower the number of parts (set "
                f"{fewer} to 0)"
                + ("; if the label is a number to predict (a count, a score), "
                   "`task='regression'`" if number else "")
            )
    for name, size in parts:
        if need > 1 and size < len(labels):
            raise DataError(
                f"the {name} part would hold {size} of {n} examples, fewer than the "
                f"{len(labels)} classes, so it cannot hold every class; change "
                "`val_fraction` or `test_fraction`, or use more data"
            )
    index = np.arange(n)
    empty = index[:0]
    rest, test = _stratified(index, y, n_test, seed, name) if n_test else (index, empty)
    train, val = _stratified(rest, y[rest], n_val, seed, name) if n_val else (rest, empty)
    return X[train], y[train], X[val], y[val], X[test], y[test]


def _stratified(
    index: np.ndarray, y: np.ndarray, n_take: int, seed: int, name=lambda label: label
) -> tuple[np.ndarray, np.ndarray]:
    """``index`` (n,) split into (keep, take) with ``n_take`` rows taken, stratified by
    ``y`` (n,): :func:`stratified_indices` on positions, mapped back to ``index``."""
    try:
        keep, take = stratified_indices(y, n_take, seed)
    except ValueError as exc:
        labels, counts = np.unique(y, return_counts=True)
        least = int(np.argmin(counts))
        raise DataError(
            f"cannot split stratified: {exc} (class {name(labels[least].item())!r} has "
            f"{counts[least]} example(s) left); collect more examples of the rare classes "
            "or lower `val_fraction` or `test_fraction`"
        ) from None
    return index[keep], index[take]


def stratified_indices(y: np.ndarray, n_take: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (keep, take) of a seeded stratified split of ``y``: (n,) labels, ``n_take``
    of the n rows taken, every class in both parts in proportion.

    The rows chosen are exactly those of scikit-learn's ``train_test_split(range(n),
    test_size=n_take, stratify=y, random_state=seed)`` (tests compare the two), so runs
    recorded by earlier versions keep their test rows; numpynn keeps its own copy so that
    a run's split does not change with the installed scikit-learn and ``evaluate`` does not
    import it (1.4 s). The procedure, with one ``RandomState(seed)`` drawn in this order:

    1. per class, how many rows each part gets (:func:`_apportion`): the keep part first,
       then the take part from what is left;
    2. per class in label order, a permutation of its rows (in their original order); the
       first rows go to keep, the next to take;
    3. each part is shuffled as a whole.
    """
    y = np.asarray(y)
    n = len(y)
    n_keep = n - n_take
    classes, codes = np.unique(y, return_inverse=True)
    counts = np.bincount(codes.ravel(), minlength=len(classes))
    if counts.min() < 2:
        raise ValueError("the least populated class has only 1 member, too few to split")
    for part, size in (("keep", n_keep), ("take", n_take)):
        if size < len(classes):
            raise ValueError(f"the {part} part of {size} rows cannot hold all "
                             f"{len(classes)} classes")
    rows_of = np.split(np.argsort(codes.ravel(), kind="stable"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(seed)
    keep_counts = _apportion(counts, n_keep, rng)
    take_counts = _apportion(counts - keep_counts, n_take, rng)
    keep: list[int] = []
    take: list[int] = []
    for rows, k, t in zip(rows_of, keep_counts, take_counts):
        shuffled = rows[rng.permutation(len(rows))]
        keep.extend(shuffled[:k])
        take.extend(shuffled[k:k + t])
    return (rng.permutation(np.array(keep, dtype=np.intp)),
            rng.permutation(np.array(take, dtype=np.intp)))


def _apportion(counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of ``n_draws`` rows each class gets, (C,) ints summing to ``n_draws``: each
    class its proportional share rounded down, then one more row each for the classes with
    the largest fractional parts; among classes tied at the cut, ``rng`` chooses."""
    share = counts / counts.sum() * n_draws
    given = np.floor(share)
    missing = int(n_draws - given.sum())
    fraction = share - given
    for value in np.unique(fraction)[::-1]:
        if missing <= 0:
            break
        (tied,) = np.nonzero(fraction == value)
        chosen = rng.choice(tied, size=min(len(tied), missing), replace=False)
        given[chosen] += 1
        missing -= len(chosen)
    return given.astype(int)
