"""Read a CSV file of numeric features and an optional label column (no pandas)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence

import numpy as np

from ..errors import DataError, InputError
from ._checks import non_finite
from ._files import as_path, read_bytes
from .dataset import Dataset
from .labels import as_classes, encode_labels, is_number, parse_label_cells


def load_csv(
    path: str | os.PathLike[str],
    *,
    label_column: int | None = -1,
    classes: Sequence[object] | np.ndarray | None = None,
) -> Dataset:
    """Load a comma-separated file: X (N, D) float64 features, y (N,) class indices.

    The first row is a header when one of its feature cells is not a number (or when
    only its label cell is not a number while every other row's label is). Blank lines
    are skipped. Row numbers in error messages are line numbers of the file, from 1.

    Args:
        path: the ``.csv`` file.
        label_column: index of the label column (negative counts from the end; default
            the last), or None when the file has no labels (then ``y`` is None).
        classes: known class labels (e.g. from a saved model); labels are mapped to
            indices of this sequence. Default: the sorted unique labels of the file.

    Raises:
        DataError: missing/unreadable file, empty file, header without data, ragged rows,
            non-numeric or NaN/inf features, non-integer numeric labels, unknown labels.
    """
    path = as_path(path)
    rows = _read_rows(path)
    n_cols = len(rows[0][1])
    label = _label_index(label_column, n_cols, path)
    features = [j for j in range(n_cols) if j != label]
    if not features:
        raise DataError(
            f"{path}: row {rows[0][0]} has a single column, so there is no feature column "
            "besides the label; numpynn reads comma-separated values (is the file "
            "separated by ';' or tabs?)"
        )
    if _is_header(rows, features, label):
        header_row, rows = rows[0][0], rows[1:]
        if not rows:
            raise DataError(
                f"{path}: has a header (row {header_row}) but no data rows; "
                "add one row per example below it"
            )
    first_row = rows[0][0]
    for row, cells in rows:
        if len(cells) != n_cols:
            raise DataError(
                f"{path}: row {row} has {len(cells)} columns, expected {n_cols} "
                f"(as in row {first_row}); every row must have the same number of cells"
            )
    X = _parse_features(rows, features, path)
    found = non_finite(X)
    if found is not None:
        count, (i, j) = found
        raise DataError(
            f"{path}: {count} feature value(s) are NaN or infinite (first at row "
            f"{rows[i][0]}, column {features[j] + 1}: {rows[i][1][features[j]]!r}); clean "
            "or impute the data (e.g. drop those rows or fill in the column mean) first"
        )
    if label is None:
        known = as_classes(classes) if classes is not None else np.empty(0, dtype=np.int64)
        return Dataset(X=X, y=None, classes=known, name=path.name, image_shape=None)
    cells = [cells[label] for _, cells in rows]
    line_numbers = [row for row, _ in rows]
    if classes is not None and as_classes(classes).dtype.kind == "U":
        for cell, row in zip(cells, line_numbers):
            if cell == "":
                raise DataError(f"{path}: row {row}: the label cell is empty")
        raw = np.array(cells, dtype=str)
    else:
        raw = parse_label_cells(cells, line_numbers, str(path))
    y, known = encode_labels(raw, classes, source=str(path))
    return Dataset(X=X, y=y, classes=known, name=path.name, image_shape=None)


def _read_rows(path: os.PathLike[str]) -> list[tuple[int, list[str]]]:
    """Return the non-blank rows as (line number, stripped cells)."""
    data = read_bytes(as_path(path), "CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not a UTF-8 text file (undecodable byte at offset {exc.start}); "
            "save it as UTF-8 comma-separated numbers (e.g. 'CSV UTF-8' in a spreadsheet)"
        ) from None
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1  # the line a row starts on (a quoted cell may span lines), as editors count
    try:
        for cells in reader:
            if cells and not (len(cells) == 1 and not cells[0].strip()):
                rows.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{path}: row {start}: malformed CSV ({exc})") from None
    if not rows:
        raise DataError(
            f"{path}: the file is empty (no rows); give a CSV with one example "
            "per row: the features, then the label"
        )
    return rows


def _label_index(label_column: int | None, n_cols: int, path: os.PathLike[str]) -> int | None:
    if label_column is None:
        return None
    if isinstance(label_column, bool) or not isinstance(label_column, (int, np.integer)):
        raise InputError(
            f"label_column must be an integer column index or None; got {label_column!r}"
        )
    if not -n_cols <= label_column < n_cols:
        raise DataError(
            f"{path}: label_column={label_column} is out of range for a file with {n_cols} "
            f"columns; use 0..{n_cols - 1}, -1 for the last column, or None for no labels"
        )
    return int(label_column) % n_cols


def _is_header(rows: list[tuple[int, list[str]]], features: list[int], label: int | None) -> bool:
    first = rows[0][1]
    if any(not is_number(first[j]) for j in features):
        return True
    if label is None or is_number(first[label]) or len(rows) < 2:
        return False
    # e.g. pandas' "0,1,2,label": numeric feature names, a text label name, numeric labels
    return all(len(cells) > label and is_number(cells[label]) for _, cells in rows[1:])


def _parse_features(
    rows: list[tuple[int, list[str]]], features: list[int], path: os.PathLike[str]
) -> np.ndarray:
    X = np.empty((len(rows), len(features)), dtype=np.float64)
    for i, (row, cells) in enumerate(rows):
        try:
            X[i] = [float(cells[j]) for j in features]
        except ValueError:
            for j in features:
                if not is_number(cells[j]):
                    hint = " (an empty cell: fill in the missing value or drop the row)"
                    raise DataError(
                        f"{path}: row {row}, column {j + 1}: cannot read {cells[j]!r} as a "
                        f"number; feature columns must be numeric{hint if not cells[j] else ''}"
                    ) from None
            raise
    return X
