"""Map original label values to class indices 0..C-1 (and check them against known classes)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ..errors import DataError, InputError
from .cells import cell_repr, composed, preview

_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1


def as_classes(classes: Sequence[object] | np.ndarray) -> np.ndarray:
    """Return known class labels as a (C,) array of numbers or strings.

    Raises:
        InputError: ``classes`` is empty, not 1-D, or holds duplicates.
    """
    arr = np.asarray(classes)
    if arr.dtype.kind == "S":
        arr = arr.astype(str)
    elif arr.dtype.kind not in "biufU":
        arr = arr.astype(str)
    if arr.ndim != 1 or arr.shape[0] == 0:
        raise InputError(
            f"classes must be a non-empty 1-D sequence of labels; got shape {arr.shape}"
        )
    if len(np.unique(arr)) != len(arr):
        raise InputError(f"classes must not repeat a label; got {arr.tolist()}")
    return arr


def encode_labels(
    raw: np.ndarray,
    classes: Sequence[object] | np.ndarray | None = None,
    *,
    source: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Turn original labels into class indices.

    Args:
        raw: (N,) original labels, integers or strings.
        classes: known labels (e.g. from a saved model). If None, the classes are the
            sorted unique values of ``raw``.
        source: the file or data set name, used in error messages.

    Returns:
        ``(y, classes)``: y (N,) int64 indices with ``classes[y] == raw``, classes (C,).

    Raises:
        DataError: ``raw`` holds labels that are not among ``classes``.
    """
    raw = np.asarray(raw)
    if classes is None:
        raw = _one_truth_spelling(raw)
        found, y = np.unique(raw, return_inverse=True)
        return y.reshape(-1).astype(np.int64), found
    known = as_classes(classes)
    if (known.dtype.kind == "U") != (raw.dtype.kind == "U"):
        keys, values = known.astype(str).tolist(), raw.astype(str).tolist()
    else:
        keys, values = known.tolist(), raw.tolist()
    if known.dtype.kind == "U" and len({composed(k) for k in keys}) == len(keys):
        keys, values = [composed(k) for k in keys], [composed(v) for v in values]
    index = {k: i for i, k in enumerate(keys)}
    for k, i in list(index.items()):  # TRUE (R, Excel) is the model's True (pandas)
        if isinstance(k, str) and k.strip().casefold() in _TRUTH:
            for spelling in _TRUTH[k.strip().casefold()]:
                index.setdefault(spelling, i)
    y = np.fromiter((index.get(v, -1) for v in values), dtype=np.int64, count=len(values))
    if (y < 0).any():
        unknown, counts = np.unique(raw[y < 0], return_counts=True)
        raise UnknownLabelsError(source, dict(zip(unknown.tolist(), counts.tolist())), known)
    return y, known


#: the spellings of a truth value: pandas writes True, R and Excel TRUE, JSON true
_TRUTH = {"true": ("True", "TRUE", "true"), "false": ("False", "FALSE", "false")}


def _one_truth_spelling(raw: np.ndarray) -> np.ndarray:
    """(N,) labels with every spelling of a truth value written as one of them, the first
    in sorted order (a file joined from pandas' True and R's TRUE holds one class, not
    two)."""
    if raw.dtype.kind != "U":
        return raw
    first: dict[str, str] = {}
    spelt = {v: first.setdefault(v.strip().casefold(), v) for v in np.unique(raw).tolist()
             if v.strip().casefold() in _TRUTH}
    if all(k == v for k, v in spelt.items()):
        return raw
    return np.array([spelt.get(v, v) for v in raw.tolist()], dtype=raw.dtype)


def folded_label(label: object) -> str:
    """A label in lower case with its runs of spaces as one, a whole number without its
    leading zeros: ``'Yes'`` and ``'yes '`` fold alike, and ``'01'`` and ``1``, the same
    class written otherwise (a spreadsheet drops the zeros of a code it reads as a
    number)."""
    text = " ".join(str(label).split()).casefold()
    return str(int(text)) if _WHOLE.fullmatch(text) else text


_WHOLE = re.compile(r"[+-]?\d+")
_ZERO_PADDED = re.compile(r"[+-]?0\d+")


def written_as_a_class(text: str) -> bool:
    """Whether a whole number is written otherwise than as the number: with a leading
    zero (:func:`zero_padded`) or a plus sign (``'+1'`` beside ``'-1'``, as svmlight's
    classes): a class label given back as the file writes it."""
    return zero_padded(text) or _PLUS.fullmatch(text.strip()) is not None


_PLUS = re.compile(r"\+\d+")


def zero_padded(text: str) -> bool:
    """Whether ``text`` is a whole number written with a leading zero (``'01'``,
    ``'007'``): how codes are written (classes, postcodes, product codes), never a
    quantity; ``'0'`` and ``'0.5'`` are not."""
    return _ZERO_PADDED.fullmatch(text.strip()) is not None


class UnknownLabelsError(DataError):
    """Labels that are not among a model's classes: ``counts`` maps each such label to its
    number of rows; ``known`` holds the model's classes."""

    def __init__(self, source: str, counts: dict[object, int], known: np.ndarray,
                 fix: str = "the data must use the same labels as the data the model was "
                            "trained on") -> None:
        self.source, self.counts, self.known = source, counts, known
        n = sum(counts.values())
        folded = {folded_label(c): c for c in known.tolist()}

        def spelt(label: object) -> str:  # 'Yes' -> "'Yes' (the model knows 'yes')"
            alike = folded.get(folded_label(label))
            return cell_repr(label) + (f" (the model knows {cell_repr(alike)})"
                                       if alike is not None else "")

        listed = ", ".join(f"{spelt(label)} ({count:,} row{'s' if count != 1 else ''})"
                           for label, count in list(counts.items())[:10])
        more = f", ... ({len(counts) - 10} more)" if len(counts) > 10 else ""
        total = f" ({n:,} row{'s' if n != 1 else ''} in all)" if len(counts) > 1 else ""
        super().__init__(
            f"{source}: label value{'s' if len(counts) != 1 else ''} {listed}{more}{total} "
            f"{'are' if len(counts) != 1 else 'is'} not among the known classes "
            f"{preview(known.tolist(), limit=10)}; {fix}")

    def with_fix(self, fix: str) -> UnknownLabelsError:
        """The same error, its way forward said otherwise."""
        return UnknownLabelsError(self.source, self.counts, self.known, fix)


def codes_as_written(cells: Sequence[str]) -> bool:
    """Whether numeric label texts are class codes, kept as the file writes them: one is
    written with a leading zero or a plus sign ("01", "+1": :func:`written_as_a_class`),
    and no number is written two ways ("1" beside "01" is one class written otherwise,
    which as texts would silently be two)."""
    if not any(map(written_as_a_class, cells)):
        return False
    written: dict[float, str] = {}
    for cell in cells:
        number = float(cell)
        if written.setdefault(number, cell) != cell:
            return False
    return True


def parse_label_cells(cells: Sequence[str], rows: Sequence[int], source: str,
                      numbers: bool = False) -> np.ndarray:
    """Parse text labels (e.g. one CSV column): integers if all are numbers, else strings.

    Numbers written as floats are accepted when integral ("3.0" -> 3). Codes written with
    leading zeros ("01", "007") or a plus sign ("+1") are strings, kept as the file
    writes them (:func:`codes_as_written`): as numbers the model would answer 1 for the
    class "01" or "+1". ``numbers``: read them as numbers all the same (a model whose
    classes are numbers reads "03" as its class 3).

    Args:
        cells: the N label texts, already stripped.
        rows: the N row numbers of the cells in the file, for error messages.
        source: the file name, for error messages.

    Returns:
        (N,) int64 array, or (N,) str array when any label is not a number.

    Raises:
        DataError: a label is empty, or numeric but not an integer (1.5, nan, inf).
    """
    for cell, row in zip(cells, rows):
        if cell == "":
            raise DataError(f"{source}: row {row}: the label cell is empty; every row needs one")
    if not all(is_number(cell) for cell in cells) or (
            not numbers and codes_as_written(list(dict.fromkeys(cells)))):
        return np.array(list(cells), dtype=str)
    parsed: list[int] = []
    for cell, row in zip(cells, rows):
        try:
            value = int(cell)
        except ValueError:
            number = float(cell)
            if not (math.isfinite(number) and number.is_integer()):
                raise DataError(
                    f"{source}: row {row}: label {cell_repr(cell)} is not an integer; class labels "
                    "must be integers or text (is label_column the right column?)"
                ) from None
            value = int(number)
        if not -_INT64_MAX - 1 <= value <= _UINT64_MAX:
            raise DataError(f"{source}: row {row}: label {cell!r} is too large (class labels "
                            "are 64-bit integers or text)")
        parsed.append(value)
    if parsed and max(parsed) > _INT64_MAX:  # unsigned 64-bit labels
        if min(parsed) < 0:
            raise DataError(f"{source}: labels from {min(parsed)} to {max(parsed)} do not fit "
                            "one 64-bit integer type; write them as text (e.g. quote them)")
        return np.array(parsed, dtype=np.uint64)
    return np.array(parsed, dtype=np.int64)


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
