"""Read an ``.npz`` archive holding features or images and their labels, never unpickling."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import math
import os
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError
from ._checks import non_finite
from ._files import as_path, not_the_data, require_file
from .csv_file import look_alike
from .dataset import Dataset
from .labels import as_classes, encode_labels

_HOW_TO = "create one with np.savez(path, X=X, y=y)"


#: the names other tools save features under, and labels under, tried in this order and
#: compared ignoring letter case and a folder inside the archive (``data/X.npy``):
#: numpynn's ``X``/``y``, Keras' ``mnist.npz`` (``x_train``...: its test arrays are the
#: test split), TensorFlow Datasets' and tutorials' (``train_images``...), scikit-learn's
#: Bunch (``data``, ``target``), image sets' (``images``, ``labels``), other pipelines'
#: (``features``/``inputs``, ``labels``/``targets``) and ``np.savez(path, X, y)``
#: without names (``arr_0``, ``arr_1``)
FEATURE_NAMES = ("x", "x_train", "train_x", "train_images", "train_data", "data", "images",
                 "features", "inputs", "arr_0")
LABEL_NAMES = ("y", "y_train", "train_y", "train_labels", "target", "targets", "labels",
               "label", "arr_1")
#: the labels that go with features of these names (before :data:`LABEL_NAMES`), and the
#: test split's features and labels beside them
PARTNERS = {"x_train": "y_train", "train_x": "train_y", "train_images": "train_labels",
            "train_data": "train_labels", "arr_0": "arr_1"}
TEST_PAIRS = {"x_train": ("x_test", "y_test"), "train_x": ("test_x", "test_y"),
              "train_images": ("test_images", "test_labels"),
              "train_data": ("test_data", "test_labels")}
#: a file of a test split alone (what evaluate and predict are often given)
TEST_ONLY = tuple(TEST_PAIRS.values())
#: the channel counts of an image array's channel axis (first or last of an image's axes)
CHANNELS = (1, 3, 4)


def load_npz(
    path: str | os.PathLike[str],
    *,
    label_column: int | None = -1,
    classes: Sequence[object] | np.ndarray | None = None,
    task: str = "classification",
) -> Dataset:
    """Load X (N, D) and y (N,) from an ``.npz`` file written by ``np.savez``.

    The arrays may have the names of another tool (:data:`FEATURE_NAMES`,
    :data:`LABEL_NAMES`, any letter case, also in a folder of the archive: ``X``/``y``,
    ``x_train``/``y_train`` with ``x_test``/``y_test`` as Keras' ``mnist.npz`` holds
    them, which become the test split, ``train_images``/``train_labels``,
    ``data``/``target``, ``images``/``labels``, ``arr_0``/``arr_1`` of
    ``np.savez(path, X, y)``, or a test split alone). A gzip, bz2 or xz copy of the
    archive is read decompressed; arrays left unread are named in a note. X is
    (N, D) features (float64) or images (float32, flattened row-major as (H, W) or
    (H, W, C): (N, H, W), (N, H, W, C) and (N, C, H, W) with C in 1, 3, 4, the last
    moved to channels last), and y (N,) labels, (N, 1), or one-hot (N, C) rows (read as
    the index of their 1). What was read differently from (N, D) and (N,) is in the
    Dataset's ``notes``. Loading uses ``allow_pickle=False``: object arrays are refused.

    Args:
        path: the ``.npz`` file.
        label_column: None when the file has no labels (only X is required and y is
            ignored); any integer means y is required (its value is not used).
        classes: known class labels (e.g. from a saved model). Default: the sorted
            unique values of y (and of the test split's labels).
        task: how y is read: "classification" (class labels), "regression" (numbers:
            float64 targets (N,) or (N, K), ``classes`` empty) or "auto" (numbers that are
            not all whole, or several columns that are not one-hot, are a regression's
            targets; class labels otherwise), as the CSV reader takes a label column.

    Raises:
        DataError: not a zip/.npz file, no arrays of a known pair, pickled objects, X
            not of a shape above or not numeric, length mismatch, non-finite features,
            non-integer labels.
    """
    path = require_file(as_path(path), ".npz file")
    labelled = label_column is not None
    names, test_names, arrays, notes = _read_arrays(path, labelled)
    if names != ("X", "y"):
        train = " and ".join(n for n in names if n in arrays)
        test = " and ".join(n for n in (test_names or ()) if n in arrays)
        notes.append(f"{path.name}: {train} read as the data"
                     + (f", {test} as its test split (the file's own)" if test else "") + ".")
    X, image_shape = _check_X(arrays[names[0]], path, names[0], notes)
    X_test = None
    if test_names is not None:
        X_test, test_shape = _check_X(arrays[test_names[0]], path, test_names[0], [])
        if test_shape != image_shape or X_test.shape[1] != X.shape[1]:
            raise DataError(f"{path}: {names[0]} holds rows of shape {arrays[names[0]].shape[1:]}"
                            f" but {test_names[0]} of {arrays[test_names[0]].shape[1:]}; the "
                            "training and test arrays must have one shape")
    if not labelled:
        known = as_classes(classes) if classes is not None else np.empty(0, dtype=np.int64)
        return Dataset(X=X, y=None, classes=known, name=path.name, image_shape=image_shape,
                       X_test=X_test, notes=notes)
    _check_orientation(arrays, names, path)
    if _targets(arrays[names[1]], task):
        notes += _probabilities_note(arrays[names[1]], path, names[1])
        return Dataset(X=X, y=_check_targets(arrays[names[1]], len(X), path, names),
                       classes=np.empty(0), name=path.name, image_shape=image_shape,
                       X_test=X_test, notes=notes,
                       y_test=None if X_test is None else _check_targets(
                           arrays[test_names[1]], len(X_test), path, test_names))
    raw = _check_y(arrays[names[1]], len(X), path, names, notes)
    if raw.dtype.kind == "U" and classes is None:
        alike = look_alike(np.unique(raw).tolist())
        if alike:
            shown = ", ".join(" / ".join(repr(v) for v in g) for g in alike[:4])
            notes.append(f"warning: {path.name}: {names[1]} holds labels that differ only in "
                         f"letter case, spaces or how yes or no is written ({shown}): each is "
                         "a class of its own. If they mean the same, write them alike "
                         "(np.char.strip, np.char.lower) and save the file again.")
    raw_test = None if X_test is None else _check_y(arrays[test_names[1]], len(X_test), path,
                                                    test_names, [])
    if classes is None and raw_test is not None:
        classes = np.unique(np.concatenate([raw, raw_test]))
    y, known = encode_labels(raw, classes, source=str(path))
    y_test = None if raw_test is None else encode_labels(raw_test, known, source=str(path))[0]
    return Dataset(X=X, y=y, classes=known, name=path.name, image_shape=image_shape,
                   X_test=X_test, y_test=y_test, notes=notes)


def _check_orientation(arrays: dict[str, np.ndarray], names: tuple[str, str],
                       path: os.PathLike[str]) -> None:
    """A DataError for features saved one column per example (X (D, N) beside y (N,)):
    the transpose gives one row per example."""
    X, y = arrays[names[0]], arrays[names[1]]
    if X.ndim == 2 and y.ndim >= 1 and X.shape[0] != len(y) and X.shape[1] == len(y):
        raise DataError(f"{path}: {names[0]} has {X.shape[0]} rows but {names[1]} has "
                        f"{len(y)} labels, and {names[0]} has {X.shape[1]} columns: one "
                        f"column per example? numpynn reads one row per example: save "
                        f"{names[0]}.T (np.savez(path, X=X.T, y=y))")


def _probabilities_note(y: np.ndarray, path: os.PathLike[str], name: str) -> list[str]:
    """A warning where y (N, K) read as a regression's K targets holds rows of
    probabilities (each in [0, 1], summing to 1: soft or smoothed one-hot labels), which
    are classes more often than K numbers to predict."""
    if y.ndim != 2 or y.shape[1] < 2 or y.dtype.kind != "f" or not len(y):
        return []
    wide = y.astype(np.float64)
    if not (np.isfinite(wide).all() and (wide >= 0).all() and (wide <= 1).all()
            and np.allclose(wide.sum(axis=1), 1.0, atol=1e-3)):
        return []
    return [f"warning: {path.name}: {name} holds rows of probabilities summing to 1 (soft "
            "or smoothed one-hot labels?), trained as a regression of "
            f"{y.shape[1]} numbers; for classes, save {name}.argmax(axis=1) (or the class "
            "names) instead."]


def _read_arrays(path: os.PathLike[str], labelled: bool
                 ) -> tuple[tuple[str, str], tuple[str, str] | None, dict[str, np.ndarray],
                            list[str]]:
    """The names of the features and labels the file holds (:data:`FEATURE_NAMES`,
    :data:`LABEL_NAMES`; its features alone without labels), the names of its test split's
    pair (or None), the arrays read, and the notes on how it was read (compressed, arrays
    left unread)."""
    source, notes = _zip_source(path)
    try:
        with zipfile.ZipFile(source) as archive:
            members = {n[:-4] if n.endswith(".npy") else n: n for n in archive.namelist()
                       if not n.endswith("/")}
            found = _names(members, labelled)
            if found is None and "__header__" in members:  # numpynn's own container
                raise DataError(
                    f"{path} is a numpynn {_container_kind(archive, members['__header__'])} "
                    "file (a network's parameters), not a data set; give the data: a .csv "
                    f"file, or an .npz holding X (and y); {_HOW_TO}")
            if found is None and labelled and _names(members, False) is not None:
                x = _names(members, False)[0][0]
                raise DataError(
                    f"{path}: holds the features {x!r} but no labels under a name numpynn "
                    f"knows (y, labels, target, y_train, ...); the file holds "
                    f"{', '.join(map(repr, sorted(members)[:12]))}; save the labels beside "
                    f"them ({_HOW_TO}), or (predict) give the file to predict on")
            if found is None:
                held = ", ".join(f"{k!r} {_shape(archive, members[k])}"
                                 for k in sorted(members)[:12]) or "no arrays"
                raise DataError(
                    f"{path}: no array of features{' and labels' if labelled else ''} under "
                    f"a name numpynn knows (X and y, x_train and y_train, data and target, "
                    f"images and labels, ...); the file holds {held}; {_HOW_TO}")
            names, test = found
            wanted = [*names[: 2 if labelled else 1],
                      *(test[: 2 if labelled else 1] if test else ())]
            arrays = {key: _read_member(archive, members[key], key, path) for key in wanted}
            unread = sorted(set(members) - set(wanted) - {names[1]} - set(test or ()))
            if unread:
                shown = ", ".join(unread[:8]) + (" ..." if len(unread) > 8 else "")
                val = [k for k in unread if "val" in k.lower() or "dev" in k.lower()]
                notes.append(
                    f"{Path(path).name}: its arrays {shown} are not read"
                    + (f" ({' and '.join(val[:2])}: numpynn takes its validation rows from "
                       "the training arrays, --val-fraction; to train on them too, join them "
                       "to the training arrays)" if val else "") + ".")
            return names, test, arrays, notes
    except DataError:
        raise
    except Exception as exc:  # zip and .npy parsing can fail in many ways on bad bytes
        raise DataError(
            f"{path}: not a valid .npz file, it is corrupt or truncated "
            f"({type(exc).__name__}: {exc}); {_HOW_TO}"
        ) from None


def _names(members: dict[str, str], labelled: bool
           ) -> tuple[tuple[str, str], tuple[str, str] | None] | None:
    """((features, labels), the test split's (features, labels) or None) as named in
    ``members`` (an archive's names without ``.npy``), matched to :data:`FEATURE_NAMES`
    and :data:`LABEL_NAMES` ignoring case and a folder whose name is the archive's only;
    None when no features (and labels, ``labelled``) are found."""
    lookup: dict[str, str] = {}
    for key in sorted(members):
        lookup.setdefault(key.lower(), key)
    for key in sorted(members):  # data/X.npy: its base name, where it is the only one
        base = key.rsplit("/", 1)[-1].lower()
        if sum(k.rsplit("/", 1)[-1].lower() == base for k in members) == 1:
            lookup.setdefault(base, key)
    for x in FEATURE_NAMES:
        if x not in lookup:
            continue
        labels = [PARTNERS[x]] if x in PARTNERS else []
        y = next((lookup[n] for n in [*labels, *LABEL_NAMES] if n in lookup), None)
        if y is None and labelled:
            continue
        test = TEST_PAIRS.get(x)
        test_names = None
        if test is not None and test[0] in lookup and (test[1] in lookup or not labelled):
            test_names = (lookup[test[0]], lookup.get(test[1], test[1]))
        return (lookup[x], y or "y"), test_names
    for tx, ty in TEST_ONLY:  # a test split alone: the data
        if tx in lookup and (ty in lookup or not labelled):
            return (lookup[tx], lookup.get(ty, ty)), None
    return None


def _shape(archive: zipfile.ZipFile, member: str) -> str:
    """An array's shape and dtype from its header, e.g. "(60, 4) float64" ("" unread)."""
    try:
        with archive.open(member) as f:
            version = np.lib.format.read_magic(f)
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read(f)
        return f"{shape} {dtype}"
    except Exception:  # a damaged or non-.npy member: its name is enough
        return ""


#: compressions a file is read through (its first bytes -> opener)
_COMPRESSED = ((b"\x1f\x8b", "gzip", gzip.open), (b"BZh", "bz2", bz2.open),
               (b"\xfd7zXZ\x00", "xz", lzma.open))


def _zip_source(path: os.PathLike[str]) -> tuple[os.PathLike[str] | io.BytesIO, list[str]]:
    """The archive to read: the file, or its bytes decompressed where it is gzip, bz2 or
    xz (``data.npz.gz``), with a note; a DataError saying what the file is where it is no
    zip archive."""
    with open(path, "rb") as f:
        head = f.read(512)
    for magic, name, opener in _COMPRESSED:
        if head.startswith(magic):
            try:
                with opener(path, "rb") as f:
                    data = io.BytesIO(f.read())
            except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
                raise DataError(f"{path}: a {name}-compressed file that cannot be "
                                f"decompressed (truncated or corrupt: {exc}); copy it again"
                                ) from None
            if not zipfile.is_zipfile(data):
                raise DataError(f"{path}: a {name}-compressed file that holds no .npz "
                                f"archive{_what(data.getvalue()[:512])}; {_HOW_TO}")
            return data, [f"{Path(path).name}: {name}-compressed, read decompressed."]
    if zipfile.is_zipfile(path):
        return path, []
    other = not_the_data(head)
    if other is not None:
        raise DataError(f"{path} is {other}")
    what = _what(head, path).replace(", it is", ": it is", 1)
    raise DataError(f"{path}: not a valid .npz file (not a zip archive){what}; {_HOW_TO}")


def _what(head: bytes, path: os.PathLike[str] | None = None) -> str:
    """", it is ..." naming what a file whose first bytes are ``head`` is instead of a zip
    archive (empty, cut short, a single array, a pickle, text such as a CSV file); ""
    where the bytes say nothing."""
    other = not_the_data(head)
    if other is not None:
        return f", it is {other}"
    if not head:
        return (", it is empty (0 bytes): was it saved or copied completely? Save or copy it"
                " again")
    if head.startswith(b"PK\x03\x04"):
        size = f" of {os.path.getsize(path):,} bytes" if path is not None else ""
        return (f", it is a zip archive cut short{size} (its end, the archive's table of "
                "contents, is missing: still being written or copied?); wait until it is "
                "complete, or save or copy it again")
    if head.startswith(b"\x93NUMPY"):
        return ", it is a single .npy array (np.save), not an .npz archive of X and y"
    if head[:1] == b"\x80" or head.startswith(b"(dp"):
        return ", it is a Python pickle, which numpynn refuses to load"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    if text.strip() and all(c.isprintable() or c in "\r\n\t" for c in text):
        line = text.lstrip("\ufeff").splitlines()[0][:60]
        return (f", it is a text file (first line {line!r}): a CSV file? Give it with the "
                "ending .csv")
    return ""


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


def _check_X(X: np.ndarray, path: os.PathLike[str], name: str, notes: list[str]
             ) -> tuple[np.ndarray, tuple[int, ...] | None]:
    """(X as rows (N, D), the images' shape (H, W) or (H, W, C), or None for features)."""
    _refuse_structured(X, path, name)
    image_shape = _image_shape(X, path, name, notes)
    if X.shape[0] == 0 or math.prod(X.shape[1:]) == 0:
        raise DataError(f"{path}: {name} is empty (shape {X.shape}); it needs rows and columns")
    if X.dtype.kind not in "biuf":
        raise DataError(
            f"{path}: {name} must hold numbers; got dtype {X.dtype}; save it as a "
            "numeric array, e.g. np.savez(path, X=X.astype(float), y=y)"
        )
    if image_shape is not None and X.ndim == 4 and X.shape[-1] != image_shape[-1]:
        X = np.moveaxis(X, 1, -1)  # channels first -> last
    rows = X.reshape(len(X), -1)
    with np.errstate(over="ignore"):  # values beyond float32's range: said below
        X = rows.astype(np.float32 if image_shape else np.float64)
    found = non_finite(X)
    if found is not None and non_finite(rows) is None:  # finite, but not as float32
        count, (i, j) = found
        raise DataError(
            f"{path}: {name} has {count} value(s) beyond float32's range (about 3.4e38; "
            f"first {name}[{i}, {j}] = {rows[i, j].item():g} of its rows of pixels), which "
            "images are read in; scale the images (e.g. to 0..1 or 0..255) first")
    if found is not None:
        count, (i, j) = found
        raise DataError(
            f"{path}: {name} has {count} NaN or infinite value(s) (first at {name}[{i}, {j}]"
            f"{' of its rows of pixels' if image_shape else ''}); clean or impute the data "
            "(e.g. drop those rows or fill in the column mean) first"
        )
    return X, image_shape


def _refuse_structured(a: np.ndarray, path: os.PathLike[str], name: str) -> None:
    """A DataError for a structured array (a record per row, pandas' ``to_records()``):
    its fields, and the line that makes it rows of numbers."""
    if a.dtype.names is None:
        return
    fields = ", ".join(map(repr, a.dtype.names[:6])) + (" ..." if len(a.dtype.names) > 6
                                                        else "")
    raise DataError(f"{path}: {name} is a structured array with fields {fields} (one record "
                    "per row), not rows of numbers; save its fields as columns: "
                    f"{name} = np.column_stack([{name}[f] for f in {name}.dtype.names])"
                    + (" (the label field as y)" if name == "X" or "x" in name.lower()
                       else ""))


def _image_shape(X: np.ndarray, path: os.PathLike[str], name: str, notes: list[str]
                 ) -> tuple[int, ...] | None:
    """None for (N, D) features; (H, W) or (H, W, C) for images (module docstring)."""
    if X.ndim == 2:
        return None
    shape = tuple(int(d) for d in X.shape[1:])
    if X.ndim == 3:
        notes.append(f"{path.name}: {name} holds {X.shape[0]} images of {shape[0]}x{shape[1]}"
                     " pixels, read as rows of their pixels.")
        return shape
    if X.ndim == 4 and shape[-1] in CHANNELS:
        notes.append(f"{path.name}: {name} holds {X.shape[0]} images of {shape[0]}x{shape[1]}"
                     f" pixels and {shape[2]} channel(s), read as rows of their pixels.")
        return shape
    if X.ndim == 4 and shape[0] in CHANNELS:
        notes.append(f"{path.name}: {name} holds {X.shape[0]} images of {shape[1]}x{shape[2]}"
                     f" pixels with the {shape[0]} channel(s) first (N, C, H, W), read as "
                     "rows of their pixels with the channels last.")
        return (shape[1], shape[2], shape[0])
    hint = ("images of shape (N, H, W), (N, H, W, C) or (N, C, H, W) with C in 1, 3, 4, or "
            "rows (N, D): flatten them with X.reshape(len(X), -1)") if X.ndim > 2 else (
        "rows (N, D): one row per example, e.g. X.reshape(-1, 1) for one feature")
    raise DataError(f"{path}: {name} has shape {X.shape}; numpynn reads {hint}")


def _check_y(y: np.ndarray, n: int, path: os.PathLike[str], names: tuple[str, str],
             notes: list[str]) -> np.ndarray:
    x_name, name = names
    _refuse_structured(y, path, name)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    elif y.ndim == 2 and y.shape[1] > 1 and len(y) and _one_hot(y):
        notes.append(f"{path.name}: {name} holds one-hot rows of {y.shape[1]} classes, read "
                     "as the class of each row's 1.")
        y = np.argmax(y, axis=1)
    if y.ndim != 1:
        raise DataError(f"{path}: {name} must hold one label per row, shape (N,) (or one-hot "
                        f"rows (N, C)); got shape {y.shape}"
                        + (". For a regression of its columns, give --task regression"
                           if y.ndim == 2 and y.dtype.kind in "biuf" else ""))
    if len(y) != n:
        raise DataError(f"{path}: {x_name} has {n} rows but {name} has {len(y)} labels; they "
                        "must match")
    if y.dtype.kind == "b":  # the labels False / True, as a CSV's cells name them
        return np.where(y, "True", "False")
    if y.dtype.kind in "iu":
        if y.dtype.kind == "u" and y.size and int(y.max()) > np.iinfo(np.int64).max:
            return y.astype(np.uint64)  # labels above 2**63-1 would wrap in int64
        return y.astype(np.int64)
    if y.dtype.kind == "f":
        wide = y.astype(np.float64)  # float16's range ends below 2**63: no cast warning
        bad = ~(np.isfinite(wide) & (wide == np.round(wide)) & (np.abs(wide) < 2.0**63))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"{path}: {name}[{i}] = {y[i].item()!r} is not an integer; class labels must "
                "be integers or strings (for a regression on these numbers give --task "
                "regression)"
            )
        return y.astype(np.int64)
    if y.dtype.kind == "S":
        try:
            y = np.char.decode(y, "utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{path}: {name} holds byte strings that are not UTF-8 text") from None
    if y.dtype.kind == "U":
        blank = np.char.strip(y) == ""
        if blank.any():
            i = int(np.argmax(blank))
            raise DataError(f"{path}: {name} has {int(blank.sum())} empty label(s) (first "
                            f"{name}[{i}]): missing labels, not a class; drop those rows "
                            f"first (keep = np.char.strip({name}) != ''; np.savez(path, "
                            f"X=X[keep], y={name}[keep]))")
        return y
    raise DataError(f"{path}: {name} must hold integer or string labels; got dtype {y.dtype}")


def _targets(y: np.ndarray, task: str) -> bool:
    """True when y is read as a regression's targets (see :func:`load_npz`'s ``task``)."""
    if task == "regression":
        return True
    if task != "auto" or y.dtype.kind != "f" or y.ndim not in (1, 2):
        return False
    if y.ndim == 2 and y.shape[1] > 1:
        return not (len(y) and _one_hot(y))
    finite = y[np.isfinite(y)]
    return bool(finite.size) and not bool((finite == np.round(finite)).all())


def _check_targets(y: np.ndarray, n: int, path: os.PathLike[str], names: tuple[str, str]
                   ) -> np.ndarray:
    """A regression's targets: float64 (N,) or (N, K), every one a finite number."""
    x_name, name = names
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim not in (1, 2) or y.dtype.kind not in "biuf":
        raise DataError(f"{path}: {name} must hold a regression's numeric targets, shape (N,)"
                        f" or (N, K); got {y.dtype} of shape {y.shape}")
    if len(y) != n:
        raise DataError(f"{path}: {x_name} has {n} rows but {name} has {len(y)} targets; they "
                        "must match")
    y = y.astype(np.float64)
    bad = ~np.isfinite(y)
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise DataError(f"{path}: {name} has {int(bad.sum())} NaN or infinite target(s) (first"
                        f" in row {i}); drop those rows (e.g. keep = np.isfinite(y); "
                        "np.savez(path, X=X[keep], y=y[keep]))")
    return y


def _one_hot(y: np.ndarray) -> bool:
    """True when every row of y (N, C) holds one 1 and zeros."""
    if y.dtype.kind not in "biuf":
        return False
    return bool(((y == 0) | (y == 1)).all() and (y.sum(axis=1) == 1).all())
