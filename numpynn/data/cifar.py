"""Read CIFAR-10 batches: the python version (safe unpickling) or the binary version."""

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


def read_python_batch(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read one python-version batch (a pickled dict) through the safe unpickler.

    Returns:
        ``(pixels, labels)``: (N, 3072) uint8 channel-first rows and (N,) int64 labels.
    """
    path = as_path(path)
    batch = safe_load_pickle(path)
    if not isinstance(batch, dict):
        raise DataError(
            f"{path}: expected a pickled dict with b'data' and b'labels', "
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
    raw_labels = _entry(batch, "labels", path)
    try:
        labels = np.asarray(raw_labels)
    except Exception:  # ragged or odd objects
        labels = np.asarray(None)
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or len(labels) != len(data):
        raise DataError(
            f"{path}: b'labels' must be a list of {len(data)} integers (one per row of "
            f"b'data'); got {type(raw_labels).__name__} of shape {labels.shape}"
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
