"""Read an ``.npz`` archive holding ``X`` (N, D) and ``y`` (N,), never unpickling."""

from __future__ import annotations

import json
import math
import os
import zipfile
from collections.abc import Sequence

import numpy as np

from ..errors import DataError
from ._checks import non_finite
from ._files import as_path, require_file
from .dataset import Dataset
from .labels import as_classes, encode_labels

_HOW_TO = "create one with np.savez(path, X=X, y=y)"


def load_npz(
    path: str | os.PathLike[str],
    *,
    label_column: int | None = -1,
    classes: Sequence[object] | np.ndarray | None = None,
) -> Dataset:
    """Load X (N, D) float64 and y (N,) from an ``.npz`` file written by ``np.savez``.

    Loading uses ``allow_pickle=False``: object arrays are refused.

    Args:
        path: the ``.npz`` file.
        label_column: None when the file has no labels (only ``X`` is required and ``y``
            is ignored); any integer means ``y`` is required (its value is not used).
        classes: known class labels (e.g. from a saved model). Default: the sorted
            unique values of ``y``.

    Raises:
        DataError: not a zip/.npz file, missing ``X``/``y``, pickled objects, X not 2-D
            or not numeric, length mismatch, non-finite features, non-integer labels.
    """
    path = require_file(as_path(path), ".npz file")
    wanted = ["X"] if label_column is None else ["X", "y"]
    arrays = _read_arrays(path, wanted)
    X = _check_X(arrays["X"], path)
    if label_column is None:
        known = as_classes(classes) if classes is not None else np.empty(0, dtype=np.int64)
        return Dataset(X=X, y=None, classes=known, name=path.name, image_shape=None)
    raw = _check_y(arrays["y"], len(X), path)
    y, known = encode_labels(raw, classes, source=str(path))
    return Dataset(X=X, y=y, classes=known, name=path.name, image_shape=None)


def _read_arrays(path: os.PathLike[str], wanted: list[str]) -> dict[str, np.ndarray]:
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            head = f.read(8)
        kind = ""
        if head.startswith(b"\x93NUMPY"):
            kind = " (it is a single .npy array)"
        elif head[:1] == b"\x80" or head.startswith(b"(dp"):
            kind = " (it looks like a Python pickle, which numpynn refuses to load)"
        raise DataError(f"{path}: not a valid .npz file, it is not a zip archive{kind}; {_HOW_TO}")
    try:
        with zipfile.ZipFile(path) as archive:
            members = {n[:-4] if n.endswith(".npy") else n: n for n in archive.namelist()}
            missing = [key for key in wanted if key not in members]
            if missing and "__header__" in members:  # numpynn's own container (model_file)
                raise DataError(
                    f"{path} is a numpynn {_container_kind(archive, members['__header__'])} "
                    "file (a network's parameters), not a data set; give the data: a .csv "
                    f"file, or an .npz holding X (and y); {_HOW_TO}")
            if missing:
                raise DataError(
                    f"{path}: no array named {' or '.join(map(repr, missing))}; the file "
                    f"holds {sorted(members)}; {_HOW_TO}"
                )
            return {key: _read_member(archive, members[key], key, path) for key in wanted}
    except DataError:
        raise
    except Exception as exc:  # zip and .npy parsing can fail in many ways on bad bytes
        raise DataError(
            f"{path}: not a valid .npz file, it is corrupt or truncated "
            f"({type(exc).__name__}: {exc}); {_HOW_TO}"
        ) from None


def _container_kind(archive: zipfile.ZipFile, member: str) -> str:
    """The ``kind`` of a numpynn container's header ("model", "checkpoint"), or "model"
    when the header cannot be read."""
    try:
        with archive.open(member) as f:
            header = np.lib.format.read_array(f, allow_pickle=False)
        return str(json.loads(header.tobytes().decode()).get("kind", "model"))
    except Exception:  # a damaged header: the file is still not data
        return "model"


def _read_member(
    archive: zipfile.ZipFile, member: str, key: str, path: os.PathLike[str]
) -> np.ndarray:
    info = archive.getinfo(member)
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            shape, dtype = None, None
        if dtype is not None and dtype.hasobject:
            raise _pickled(path, key)
        if shape is not None:
            expected = math.prod(shape) * dtype.itemsize
            actual = info.file_size - f.tell()
            if expected != actual:
                raise DataError(
                    f"{path}: array {key!r} is truncated or corrupt: its header says shape "
                    f"{shape} of {dtype} ({expected} bytes) but the file holds {actual} bytes"
                )
    with archive.open(info) as f:
        try:
            return np.lib.format.read_array(f, allow_pickle=False)
        except ValueError as exc:
            if "pickle" in str(exc).lower():
                raise _pickled(path, key) from None
            raise


def _pickled(path: os.PathLike[str], key: str) -> DataError:
    return DataError(
        f"{path}: array {key!r} holds pickled Python objects (an object array), which "
        f"numpynn refuses to load because unpickling can run code; save plain numeric "
        f"arrays instead ({_HOW_TO})"
    )


def _check_X(X: np.ndarray, path: os.PathLike[str]) -> np.ndarray:
    if X.ndim != 2:
        hint = " (flatten images with X.reshape(len(X), -1))" if X.ndim > 2 else ""
        raise DataError(f"{path}: X must be 2-D with shape (N, D); got shape {X.shape}{hint}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"{path}: X is empty (shape {X.shape}); it needs rows and columns")
    if X.dtype.kind not in "biuf":
        raise DataError(
            f"{path}: X must hold numbers; got dtype {X.dtype}; save X as a "
            "numeric array, e.g. np.savez(path, X=X.astype(float), y=y)"
        )
    X = X.astype(np.float64)
    found = non_finite(X)
    if found is not None:
        count, (i, j) = found
        raise DataError(
            f"{path}: X has {count} NaN or infinite value(s) (first at X[{i}, {j}]); clean or "
            "impute the data (e.g. drop those rows or fill in the column mean) first"
        )
    return X


def _check_y(y: np.ndarray, n: int, path: os.PathLike[str]) -> np.ndarray:
    if y.ndim != 1:
        raise DataError(f"{path}: y must be 1-D with shape (N,); got shape {y.shape}")
    if len(y) != n:
        raise DataError(f"{path}: X has {n} rows but y has {len(y)} labels; they must match")
    if y.dtype.kind in "biu":
        if y.dtype.kind == "u" and y.size and int(y.max()) > np.iinfo(np.int64).max:
            return y.astype(np.uint64)  # labels above 2**63-1 would wrap in int64
        return y.astype(np.int64)
    if y.dtype.kind == "f":
        wide = y.astype(np.float64)  # float16's range ends below 2**63: no cast warning
        bad = ~(np.isfinite(wide) & (wide == np.round(wide)) & (np.abs(wide) < 2.0**63))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"{path}: y[{i}] = {y[i].item()!r} is not an integer; class labels must be "
                "integers or strings"
            )
        return y.astype(np.int64)
    if y.dtype.kind == "U":
        return y
    if y.dtype.kind == "S":
        try:
            return np.char.decode(y, "utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{path}: y holds byte strings that are not UTF-8 text") from None
    raise DataError(f"{path}: y must hold integer or string labels; got dtype {y.dtype}")
