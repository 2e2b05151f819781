"""``load_dataset(spec)``: pick the reader for a data-set spec string."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import DataError
from .cifar import load_cifar10
from .csv_file import load_csv
from .dataset import Dataset
from .idx import load_mnist
from .labels import encode_labels
from .npz_file import load_npz

SPEC_FORMS = (
    "'digits' (bundled with scikit-learn)",
    "'cifar10:DIR' (CIFAR-10 python or binary batches)",
    "'mnist:DIR' (MNIST IDX files)",
    "'PATH.csv' (or .csv.gz, .tsv)",
    "'PATH.npz' (arrays X and y)",
)


CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz")


def is_csv_spec(spec: str) -> bool:
    """Whether a data spec names a CSV file (.csv, .csv.gz, .tsv, .tsv.gz)."""
    return spec.lower().endswith(CSV_SUFFIXES)


def load_digits(*, classes: Sequence[object] | np.ndarray | None = None) -> Dataset:
    """The 8x8 digits bundled with scikit-learn: X (1797, 64) float64 values 0..16."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    y, known = encode_labels(bunch.target.astype(np.int64), classes, source="digits")
    return Dataset(
        X=np.asarray(bunch.data, dtype=np.float64),
        y=y,
        classes=known,
        name="digits",
        image_shape=(8, 8),
    )


def load_dataset(
    spec: str | os.PathLike[str],
    *,
    label_column: int | str | None = -1,
    classes: Sequence[object] | np.ndarray | None = None,
    **csv_options: Any,
) -> Dataset:
    """Load the data set named by ``spec``, raw (not preprocessed, not split).

    Args:
        spec: ``"digits"``, ``"cifar10:DIR"``, ``"mnist:DIR"``, a path ending ``.csv``
            (``.csv.gz``, ``.tsv``, ``.tsv.gz``) or a path ending ``.npz``.
        label_column: CSV: the label column's name or index (default last), or None for
            files without labels (then ``y`` is None). NPZ: None means only ``X`` is
            read. Ignored for the other sources.
        csv_options: for CSV files, more keyword arguments of
            :func:`~numpynn.data.csv_file.load_csv` (``ignore_columns``, ``delimiter``,
            ``allow_missing``, ``recipe``); ignored for the other sources.
        classes: known class labels (e.g. from a saved model): labels are mapped to
            their indices in this sequence, and labels not in it raise DataError.
            Default: the sorted unique labels found (0..9 for digits, MNIST, CIFAR-10).

    Returns:
        A :class:`Dataset` with X (N, D): float64 for digits/CSV/NPZ, float32 for
        cifar10/mnist (see :class:`Dataset`).

    Raises:
        DataError: an unknown spec (the message lists the accepted forms) or any
            problem with the files.
    """
    if not isinstance(spec, (str, os.PathLike)):
        raise DataError(f"data spec must be a string; got {type(spec).__name__} {spec!r}")
    text = os.fspath(spec)
    if not isinstance(text, str):
        raise DataError(f"data spec must be a string; got {text!r}")
    lower = text.lower()
    for prefix, loader in (("cifar10:", load_cifar10), ("mnist:", load_mnist)):
        if lower.startswith(prefix):
            directory = text[len(prefix) :]
            if not directory:
                raise DataError(f"data spec {text!r} names no directory; write {prefix}DIR")
            return loader(directory, classes=classes)
    if lower == "digits":
        return load_digits(classes=classes)
    if is_csv_spec(lower):
        return load_csv(text, label_column=label_column, classes=classes, **csv_options)
    if lower.endswith(".npz"):
        return load_npz(text, label_column=label_column, classes=classes)
    hint = ""
    if lower in ("cifar10", "cifar-10", "mnist"):
        hint = f" (name the directory: {lower.replace('-', '')}:DIR)"
    raise DataError(f"unknown data spec {text!r}{hint}; use one of: {', '.join(SPEC_FORMS)}")
