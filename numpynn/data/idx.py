"""Read MNIST-style IDX files (optionally gzip-compressed): parse the header ourselves."""

from __future__ import annotations

import gzip
import math
import os
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError
from ._files import as_path, read_bytes, require_dir
from .dataset import Dataset
from .labels import encode_labels

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (N, rows, cols)
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (N,)

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path: str | os.PathLike[str], magic: int) -> np.ndarray:
    """Read one IDX file of unsigned bytes (gzip-compressed or not).

    Args:
        path: the file.
        magic: the expected magic number, :data:`IMAGES_MAGIC` or :data:`LABELS_MAGIC`;
            its low byte is the number of dimensions.

    Returns:
        uint8 array of the shape in the header: (N, rows, cols) images or (N,) labels.

    Raises:
        DataError: not gzip-decompressible, wrong magic number, truncated header, or a
            payload whose length is not the product of the header's dimensions.
    """
    path = as_path(path)
    data = read_bytes(path, "IDX file")
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except Exception as exc:  # BadGzipFile, EOFError, zlib.error on corrupt input
            raise DataError(
                f"{path}: corrupt or truncated gzip file ({type(exc).__name__}: {exc})"
            ) from None
    kind = "images" if magic == IMAGES_MAGIC else "labels"
    if len(data) < 4:
        raise DataError(f"{path}: {len(data)} bytes is too short for an IDX {kind} file")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DataError(
            f"{path}: bad magic number 0x{found:08x}, expected 0x{magic:08x} for an IDX "
            f"{kind} file (is this the right file?)"
        )
    ndim = magic & 0xFF
    start = 4 + 4 * ndim
    if len(data) < start:
        raise DataError(f"{path}: truncated IDX header ({len(data)} of {start} bytes)")
    dims = struct.unpack(f">{ndim}I", data[4:start])
    expected, actual = math.prod(dims), len(data) - start
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise DataError(
            f"{path}: payload {what}: the header's dimensions {dims} need {expected} bytes, "
            f"the file holds {actual}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=start).reshape(dims)


def _find(directory: Path, base: str) -> Path | None:
    """The file of ``base`` in ``directory``: named so (``.gz`` or not, ``-idx`` or
    ``.idx``), or the one file whose name ends so after a set's prefix (EMNIST's
    ``emnist-balanced-train-images-idx3-ubyte.gz``; ``test`` for ``t10k`` too). Several
    such files (the sets of EMNIST side by side) raise DataError naming them."""
    dotted = base.replace("-idx", ".idx")  # a common renaming of the same files
    for name in (base, base + ".gz", dotted, dotted + ".gz"):
        if (directory / name).exists():
            return directory / name
    ends = {base, dotted, base.replace("t10k-", "test-"), dotted.replace("t10k-", "test-")}
    try:  # names compared in lower case: TRAIN-IMAGES-IDX3-UBYTE as some copies have them
        files = [p for p in directory.iterdir() if p.is_file()]
    except OSError:
        return None
    same = [p for p in files if p.name.lower().removesuffix(".gz") in (base, dotted)]
    if len(same) == 1:
        return same[0]
    found = sorted(p for p in files if any(
        p.name.lower().removesuffix(".gz").endswith(("-" + e, "_" + e)) for e in ends))
    if len(found) > 1:
        raise DataError(f"{directory} holds several {base} files of different sets "
                        f"({', '.join(p.name for p in found)}); put each set's four files "
                        "in a directory of its own and give that one")
    return found[0] if found else None


def load_mnist(
    directory: str | os.PathLike[str],
    *,
    classes: Sequence[object] | np.ndarray | None = None,
) -> Dataset:
    """Load MNIST (or a same-format set such as Fashion-MNIST) from IDX files.

    ``directory`` holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each optionally ``.gz``.

    Returns:
        Dataset with X (N, rows*cols) float32 pixels 0..255 from the train files,
        X_test/y_test from the t10k files, image_shape (rows, cols). Default classes are
        0..9 (or the sorted unique labels when some label is above 9).

    Raises:
        DataError: missing directory or files (named), corrupt files, image and label
            counts that differ, train and test images of different sizes.
    """
    directory = require_dir(as_path(directory), "MNIST directory")
    paths = {key: _find(directory, base) for key, base in MNIST_FILES.items()}
    missing = [MNIST_FILES[key] for key, p in paths.items() if p is None]
    notes = []
    inside = _set_below(directory) if len(missing) == len(MNIST_FILES) else None
    if inside is not None:  # torchvision's ROOT/MNIST/raw, an unpacked archive's folder
        notes.append(f"note: {directory}: the MNIST files are in {inside}, read from there.")
        directory = inside
        paths = {key: _find(directory, base) for key, base in MNIST_FILES.items()}
        missing = []
    if missing:
        raise DataError(
            f"{directory}: missing MNIST file(s) {', '.join(missing)} (each may also end "
            "in .gz); the directory must hold train-images-idx3-ubyte, "
            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte"
        )
    found = {key: p for key, p in paths.items() if p is not None}
    parts = {}
    for split in ("train", "test"):
        try:
            images = read_idx(found[f"{split}_images"], IMAGES_MAGIC)
            labels = read_idx(found[f"{split}_labels"], LABELS_MAGIC)
        except DataError as exc:
            raise DataError(
                f"{exc}; download the MNIST files again from their original "
                "source (gzip-compressed or unpacked)"
            ) from None
        if len(images) == 0:
            raise DataError(f"{found[f'{split}_images']}: holds no images")
        if images[0].size == 0:
            raise DataError(f"{found[f'{split}_images']}: its images are "
                            f"{'x'.join(map(str, images.shape[1:]))} pixels, i.e. empty; "
                            "download the MNIST files again")
        if len(images) != len(labels):
            raise DataError(
                f"{found[f'{split}_images']} holds {len(images)} images but "
                f"{found[f'{split}_labels']} holds {len(labels)} labels; they must match"
            )
        parts[split] = (images, labels)
    (train_images, train_labels), (test_images, test_labels) = parts["train"], parts["test"]
    if train_images.shape[1:] != test_images.shape[1:]:
        raise DataError(
            f"{directory}: train images are {train_images.shape[1:]} pixels but test images "
            f"are {test_images.shape[1:]}; they must have the same size"
        )
    if classes is None:
        all_labels = np.concatenate([train_labels, test_labels])
        classes = np.arange(10) if all_labels.max() < 10 else np.unique(all_labels)
    y, known = encode_labels(train_labels.astype(np.int64), classes, source=str(directory))
    y_test, _ = encode_labels(test_labels.astype(np.int64), known, source=str(directory))
    image_shape = tuple(int(d) for d in train_images.shape[1:])
    return Dataset(
        X=train_images.reshape(len(train_images), -1).astype(np.float32),
        y=y,
        classes=known,
        name="mnist",
        image_shape=image_shape,
        X_test=test_images.reshape(len(test_images), -1).astype(np.float32),
        y_test=y_test,
        notes=notes,
    )


def _set_below(directory: Path, depth: int = 3) -> Path | None:
    """The one folder below ``directory`` (at most ``depth`` levels down) that holds the
    four MNIST files, as torchvision keeps them (ROOT/MNIST/raw) or an archive unpacks
    them; None where there is none or more than one (each a set of its own)."""
    found: list[Path] = []
    level = [directory]
    for _ in range(depth):
        below = []
        for folder in level:
            try:
                below += sorted(p for p in folder.iterdir() if p.is_dir())
            except OSError:
                continue
        for folder in below:
            try:
                if all(_find(folder, base) is not None for base in MNIST_FILES.values()):
                    found.append(folder)
            except DataError:  # several sets side by side: not one set
                continue
        level = below[:200]  # a few folders, not a whole disk
    return found[0] if len(found) == 1 else None
