"""Read CIFAR-10 batches (the python version, through safe unpickling, or the binary
version) and CIFAR-100's python version (``train``, ``test``, ``meta``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError
from ._files import as_path, read_bytes, require_dir
from .dataset import Dataset
from .labels import encode_labels
from .safe_pickle import safe_load_pickle

IMAGE_SHAPE = (32, 32, 3)  # height, width, channels: the layout of the rows of X
N_PIXELS = 3 * 32 * 32
RECORD_BYTES = 1 + N_PIXELS  # binary version: one label byte, then the pixels

PYTHON_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
BINARY_BATCHES = [f"{name}.bin" for name in PYTHON_BATCHES]
_GET_AGAIN = (
    "download and unpack CIFAR-10 again from its original source, "
    "https://www.cs.toronto.edu/~kriz/cifar.html"
)
_SUBDIRS = {"python": "cifar-10-batches-py", "binary": "cifar-10-batches-bin"}
_BATCHES = {"python": PYTHON_BATCHES, "binary": BINARY_BATCHES}


def channels_last(pixels: np.ndarray) -> np.ndarray:
    """Reorder CIFAR rows from channel-first (3, 32, 32) to (32, 32, 3) storage.

    Args:
        pixels: (N, 3072) rows, each the red, then green, then blue 32x32 plane.

    Returns:
        (N, 3072) rows in height, width, channel order, so that
        ``result.reshape(N, 32, 32, 3)[n, h, w, c] == pixels.reshape(N, 3, 32, 32)[n, c, h, w]``.
    """
    n = len(pixels)
    return pixels.reshape(n, 3, 32, 32).transpose(0, 2, 3, 1).reshape(n, N_PIXELS)


def _locate(directory: Path) -> tuple[Path, str]:
    """Return the folder holding the batches and the version, "python" or "binary"."""
    for version in ("python", "binary"):
        for folder in (directory, directory / _SUBDIRS[version]):
            if any((folder / name).exists() for name in _BATCHES[version]):
                return folder, version
    if _cifar100_folder(directory) is not None:
        raise DataError(f"{directory} holds CIFAR-100 (train, test and meta files), not "
                        f"CIFAR-10's batches; give cifar100:{directory}")
    raise DataError(
        f"{directory}: no CIFAR-10 batches found; expected the python version "
        "(data_batch_1 .. data_batch_5 and test_batch, or a cifar-10-batches-py folder "
        "holding them) or the binary version (data_batch_1.bin .. data_batch_5.bin and "
        "test_batch.bin, or a cifar-10-batches-bin folder)"
    )


def _entry(batch: dict, key: str, path: Path) -> object:
    for k in (key.encode(), key):
        if k in batch:
            return batch[k]
    keys = ", ".join(repr(k) for k in list(batch)[:10])
    raise DataError(f"{path}: the batch has no {key!r} entry (found keys: {keys})")


def read_python_batch(path: str | os.PathLike[str], labels_key: str = "labels"
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Read one python-version batch (a pickled dict) through the safe unpickler; its
    labels are ``labels_key``'s (CIFAR-100: ``fine_labels`` or ``coarse_labels``).

    Returns:
        ``(pixels, labels)``: (N, 3072) uint8 channel-first rows and (N,) int64 labels.
    """
    path = as_path(path)
    batch = safe_load_pickle(path)
    if not isinstance(batch, dict):
        raise DataError(
            f"{path}: expected a pickled dict with b'data' and b'{labels_key}', "
            f"got {type(batch).__name__}"
        )
    data = _entry(batch, "data", path)
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != N_PIXELS:
        shape = getattr(data, "shape", type(data).__name__)
        raise DataError(
            f"{path}: b'data' must be an (N, {N_PIXELS}) array of 3x32x32 images; got {shape}"
        )
    if data.dtype.kind not in "iu" or (data.size and (data.min() < 0 or data.max() > 255)):
        raise DataError(f"{path}: b'data' must hold pixel values 0..255; got dtype {data.dtype}")
    raw_labels = _entry(batch, labels_key, path)
    try:
        labels = np.asarray(raw_labels)
    except Exception:  # ragged or odd objects
        labels = np.asarray(None)
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or len(labels) != len(data):
        raise DataError(
            f"{path}: b'{labels_key}' must be a list of {len(data)} integers (one per row "
            f"of b'data'); got {type(raw_labels).__name__} of shape {labels.shape}"
        )
    return data.astype(np.uint8), labels.astype(np.int64)


def read_binary_batch(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read one binary-version batch: records of 1 label byte + 3072 pixel bytes.

    Returns:
        ``(pixels, labels)``: (N, 3072) uint8 channel-first rows and (N,) int64 labels.
    """
    path = as_path(path)
    data = read_bytes(path, "CIFAR-10 batch file")
    if not data:
        raise DataError(f"{path}: the batch file is empty")
    if len(data) % RECORD_BYTES:
        raise DataError(
            f"{path}: truncated or corrupt: {len(data)} bytes is not a multiple of the "
            f"{RECORD_BYTES}-byte record (1 label byte + {N_PIXELS} pixel bytes)"
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD_BYTES)
    return records[:, 1:], records[:, 0].astype(np.int64)


def _read_names(folder: Path, version: str) -> list[str] | None:
    if version == "python":
        path = folder / "batches.meta"
        if not path.is_file():
            return None
        meta = safe_load_pickle(path)
        names = None
        if isinstance(meta, dict):
            names = meta.get(b"label_names", meta.get("label_names"))
        if not isinstance(names, list):
            return None
        names = [n.decode("utf-8", "replace") if isinstance(n, bytes) else n for n in names]
    else:
        path = folder / "batches.meta.txt"
        if not path.is_file():
            return None
        text = read_bytes(path).decode("utf-8", "replace")
        names = [line.strip() for line in text.splitlines() if line.strip()]
    if len(names) != 10 or not all(isinstance(n, str) for n in names):
        return None
    return names


def load_cifar10(
    directory: str | os.PathLike[str],
    *,
    classes: Sequence[object] | np.ndarray | None = None,
) -> Dataset:
    """Load CIFAR-10 from its python or binary batches.

    ``directory`` holds ``data_batch_1`` .. ``data_batch_5`` and ``test_batch`` (python
    version, pickles read with :func:`~numpynn.data.safe_pickle.safe_load_pickle`) or the
    same names ending ``.bin`` (binary version), directly or in the
    ``cifar-10-batches-py`` / ``cifar-10-batches-bin`` subfolder. Batches may hold any
    number of rows, each of 3072 pixels.

    Returns:
        Dataset with X (N, 3072) float32 pixels 0..255 in (32, 32, 3) order from the
        five training batches, X_test/y_test from the test batch, classes 0..9 and the
        class names of ``batches.meta`` / ``batches.meta.txt`` when present.

    Raises:
        DataError: missing directory or batches (named), truncated or corrupt batches,
            pickles that ask for anything but numpy arrays, labels outside 0..9.
    """
    directory = require_dir(as_path(directory), "CIFAR-10 directory")
    folder, version = _locate(directory)
    missing = [name for name in _BATCHES[version] if not (folder / name).exists()]
    if missing:
        raise DataError(
            f"{folder}: missing CIFAR-10 batch file(s): {', '.join(missing)}; {_GET_AGAIN}"
        )
    read = read_python_batch if version == "python" else read_binary_batch
    try:
        batches = [read(folder / name) for name in _BATCHES[version]]
    except DataError as exc:
        if "original source" in str(exc):
            raise
        raise DataError(f"{exc}; {_GET_AGAIN}") from None
    for name, (pixels, _) in zip(_BATCHES[version], batches):
        if len(pixels) == 0:
            raise DataError(f"{folder / name}: the batch holds no images")
    known = np.arange(10) if classes is None else classes
    indices = []
    for name, (_, labels) in zip(_BATCHES[version], batches):
        y_batch, known = encode_labels(labels, known, source=str(folder / name))
        indices.append(y_batch)
    train_pixels = np.concatenate([pixels for pixels, _ in batches[:5]])
    test_pixels = batches[5][0]
    return Dataset(
        X=channels_last(train_pixels).astype(np.float32),
        y=np.concatenate(indices[:5]),
        classes=known,
        name="cifar10",
        image_shape=IMAGE_SHAPE,
        X_test=channels_last(test_pixels).astype(np.float32),
        y_test=indices[5],
        class_names=_read_names(folder, version),
    )


#: CIFAR-100's python version: its files, in ``DIR`` or ``DIR/cifar-100-python``
CIFAR100_FILES = ("train", "test")
_GET_CIFAR100 = ("download cifar-100-python.tar.gz from https://www.cs.toronto.edu/~kriz/"
                 "cifar.html and unpack it")


def _cifar100_folder(directory: Path) -> Path | None:
    for folder in (directory, directory / "cifar-100-python"):
        if all((folder / name).is_file() for name in CIFAR100_FILES):
            return folder
    return None


def load_cifar100(
    directory: str | os.PathLike[str],
    *,
    classes: Sequence[object] | np.ndarray | None = None,
    labels: str = "fine",
) -> Dataset:
    """Load CIFAR-100 from its python version: ``train`` and ``test`` (pickled dicts of
    ``data`` (N, 3072) and ``fine_labels`` / ``coarse_labels``, read by the safe
    unpickler) and ``meta`` (the class names), in ``directory`` or its
    ``cifar-100-python`` subfolder.

    Returns:
        Dataset with X (N, 3072) float32 pixels 0..255 in (32, 32, 3) order from
        ``train``, X_test/y_test from ``test``, classes 0..99 (``labels="coarse"``: the 20
        superclasses) and their names from ``meta``.

    Raises:
        DataError: missing directory or files (named), corrupt files, pickles that ask
            for anything but numpy arrays and lists, labels outside the classes.
    """
    directory = require_dir(as_path(directory), "CIFAR-100 directory")
    folder = _cifar100_folder(directory)
    if folder is None:
        missing = [n for n in CIFAR100_FILES if not (directory / n).is_file()]
        found = " (it holds CIFAR-10's batches: give cifar10:DIR)" if any(
            (directory / n).exists() or (directory / _SUBDIRS["python"] / n).exists()
            for n in PYTHON_BATCHES) else ""
        raise DataError(f"{directory}: missing CIFAR-100 file(s) {', '.join(missing)} (the "
                        f"python version: train, test and meta){found}; {_GET_CIFAR100}")
    key = f"{labels}_labels"
    try:
        (train_pixels, train_labels), (test_pixels, test_labels) = (
            read_python_batch(folder / name, key) for name in CIFAR100_FILES)
    except DataError as exc:
        raise DataError(f"{exc}; {_GET_CIFAR100}") from None
    count = 100 if labels == "fine" else 20
    known = np.arange(count) if classes is None else classes
    y, known = encode_labels(train_labels, known, source=str(folder / "train"))
    y_test, _ = encode_labels(test_labels, known, source=str(folder / "test"))
    return Dataset(
        X=channels_last(train_pixels).astype(np.float32),
        y=y,
        classes=known,
        name="cifar100",
        image_shape=IMAGE_SHAPE,
        X_test=channels_last(test_pixels).astype(np.float32),
        y_test=y_test,
        class_names=_cifar100_names(folder, f"{labels}_label_names", count),
    )


def _cifar100_names(folder: Path, key: str, count: int) -> list[str] | None:
    path = folder / "meta"
    if not path.is_file():
        return None
    meta = safe_load_pickle(path)
    names = meta.get(key.encode(), meta.get(key)) if isinstance(meta, dict) else None
    if not isinstance(names, list) or len(names) != count:
        return None
    return [n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n) for n in names]
