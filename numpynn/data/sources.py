"""``load_dataset(spec)``: pick the reader for a data-set spec string."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import DataError
from .cifar import load_cifar10
from .csv_file import load_csv
from .dataset import Dataset
from .download import DATASETS, FASHION_CLASS_NAMES, download_dataset
from .idx import load_mnist
from .labels import encode_labels
from .npz_file import load_npz

SPEC_FORMS = (
    "'digits' (bundled with scikit-learn)",
    "'mnist', 'fashion-mnist', 'cifar10' (downloaded once into the cache)",
    "'cifar10:DIR' (CIFAR-10 python or binary batches)",
    "'mnist:DIR' or 'fashion-mnist:DIR' (IDX files)",
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


def load_fashion_mnist(
    directory: str | os.PathLike[str],
    *,
    classes: Sequence[object] | np.ndarray | None = None,
) -> Dataset:
    """Fashion-MNIST from its IDX files: :func:`load_mnist` with the clothing class names.

    Returns:
        Dataset named "fashion-mnist", X (N, 784) float32, class_names "T-shirt/top",
        "Trouser", ... when the classes are 0..9.
    """
    ds = load_mnist(directory, classes=classes)
    names = (FASHION_CLASS_NAMES if np.array_equal(np.asarray(ds.classes), np.arange(10))
             else None)
    return replace(ds, name="fashion-mnist", class_names=names)


_DIRECTORY_LOADERS = (("cifar10:", load_cifar10), ("mnist:", load_mnist),
                      ("fashion-mnist:", load_fashion_mnist))
_DOWNLOAD_LOADERS = {"cifar10": load_cifar10, "mnist": load_mnist,
                     "fashion-mnist": load_fashion_mnist}


def load_dataset(
    spec: str | os.PathLike[str],
    *,
    label_column: int | str | None = -1,
    classes: Sequence[object] | np.ndarray | None = None,
    progress: bool | None = None,
    **csv_options: Any,
) -> Dataset:
    """Load the data set named by ``spec``, raw (not preprocessed, not split).

    Args:
        spec: ``"digits"``; ``"mnist"``, ``"fashion-mnist"`` or ``"cifar10"`` (read from
            the cache, downloaded there first if missing: see :mod:`numpynn.data.download`);
            ``"cifar10:DIR"``, ``"mnist:DIR"``, ``"fashion-mnist:DIR"``; a path ending
            ``.csv`` (``.csv.gz``, ``.tsv``, ``.tsv.gz``) or a path ending ``.npz``.
        label_column: CSV: the label column's name or index (default last), or None for
            files without labels (then ``y`` is None). NPZ: None means only ``X`` is
            read. Ignored for the other sources.
        progress: a download's progress bar (None: on a terminal only).
        csv_options: for CSV files, more keyword arguments of
            :func:`~numpynn.data.csv_file.load_csv` (``ignore_columns``, ``delimiter``,
            ``allow_missing``, ``recipe``); ignored for the other sources.
        classes: known class labels (e.g. from a saved model): labels are mapped to
            their indices in this sequence, and labels not in it raise DataError.
            Default: the sorted unique labels found (0..9 for digits, MNIST, CIFAR-10).
        progress: download progress bar on stderr: None only when stderr is a terminal,
            False never. Only used when a data set must be downloaded.

    Returns:
        A :class:`Dataset` with X (N, D): float64 for digits/CSV/NPZ, float32 for
        cifar10/mnist (see :class:`Dataset`).

    Raises:
        DataError: an unknown spec (the message lists the accepted forms), any
            problem with the files, or a download that failed (offline: the message says
            where to place the files by hand).
    """
    if not isinstance(spec, (str, os.PathLike)):
        raise DataError(f"data spec must be a string; got {type(spec).__name__} {spec!r}")
    text = os.fspath(spec)
    if not isinstance(text, str):
        raise DataError(f"data spec must be a string; got {text!r}")
    lower = text.lower()
    for prefix, loader in _DIRECTORY_LOADERS:
        if lower.startswith(prefix):
            directory = text[len(prefix) :]
            if not directory:
                raise DataError(f"data spec {text!r} names no directory; write {prefix}DIR, "
                                f"or {prefix[:-1]} alone to use the download cache")
            return loader(directory, classes=classes)
    if lower in _DOWNLOAD_LOADERS and lower in DATASETS:
        folder = download_dataset(lower, progress=progress)
        return _DOWNLOAD_LOADERS[lower](folder, classes=classes)
    if lower == "digits":
        return load_digits(classes=classes)
    if is_csv_spec(lower):
        return load_csv(text, label_column=label_column, classes=classes, **csv_options)
    if lower.endswith(".npz"):
        return load_npz(text, label_column=label_column, classes=classes)
    hint = ""
    near = {"cifar-10": "cifar10", "cifar": "cifar10", "fashion_mnist": "fashion-mnist",
            "fashionmnist": "fashion-mnist", "fashion": "fashion-mnist"}
    if lower in near:
        hint = f" (did you mean {near[lower]}?)"
    raise DataError(f"unknown data spec {text!r}{hint}; use one of: {', '.join(SPEC_FORMS)}")
