"""Which column of a table is the label when the user did not say.

A CSV read without ``label_column`` takes its last column. That is right for files
written label last (UCI's, scikit-learn's ``as_frame`` tables), and silently wrong for
the many tables written label first or in the middle (R's data sets: ``Purchase`` first
and ``STORE`` last in ``OJ``; ``price`` first in ``Housing``): the run then trains on an
indicator or a region and reports a fine-looking score. So the last column is kept
without asking only where the file makes it clear:

- its name says so (``class``, ``label``, ``target``, ``species``, ...: see
  :data:`~numpynn.data.table.LABEL_NAMES`) and no other column's does; or
- nothing is named like a label and no other column could be one: no other text column
  with few values, no other column of two values, and, unless the last column itself
  holds text or two values, no other column of a few whole numbers (class codes).

Otherwise the run is refused with the candidates and the flag that names one. A file
without a header has no names to go by: its last column is the label, as UCI's files
have it, and the first line of the run says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..data import Dataset
from ..data.cells import SHOWN_CHARS
from ..data.table import TableRecipe, column_label, named_like_a_label
from ..errors import DataError

#: at most this many distinct values make a column of text or whole numbers class-like
MAX_CLASSES = 20
#: candidates listed in a refusal before "and N more"
_SHOWN = 6


@dataclass(frozen=True)
class Column:
    """A column as a label candidate.

    Attributes:
        name: its header name (what ``label_column`` takes).
        where: how messages name it: ``'sex' (column 7)``.
        kind: "text" (few text values), "two" (two values), "codes" (a few whole
            numbers), or "" (none of these: a measurement, an amount, free text).
        named: its name is one of the names labels go by.
        values: a preview of its values for messages: ``2 values: No, Yes``.
        text: it holds text (it cannot be a regression's target).
    """

    name: str
    where: str
    kind: str
    named: bool
    values: str
    text: bool = False

    @property
    def class_like(self) -> bool:
        return self.named or self.kind in ("text", "two")


def _preview(values: list[str], total: int) -> str:
    shown = ", ".join(v if len(v) <= SHOWN_CHARS else v[:SHOWN_CHARS] + "..."
                      for v in values[:4]) + (", ..." if total > 4 else "")
    return f"{total} values: {shown}"


def _feature_column(table: TableRecipe, X: np.ndarray, j: int) -> Column:
    """Feature ``j`` of ``X`` (N, F raw features) as a candidate."""
    name = table.columns[table.features[j]] if table.columns else str(table.features[j])
    column = X[:, j]
    filled = column[np.isfinite(column)]
    distinct = np.unique(filled)
    few = 2 <= distinct.size and 2 * distinct.size <= filled.size
    named = named_like_a_label(name) and (few or j not in table.categorical)
    if j in table.categorical:
        shown = [str(table.categorical[j][int(c)]) for c in distinct[:4]]
        kind = "two" if distinct.size == 2 else (
            "text" if few and distinct.size <= MAX_CLASSES else "")
    else:
        shown = [f"{v:g}" for v in distinct[:4]]
        whole = bool(np.all(distinct == np.round(distinct)))
        kind = "two" if distinct.size == 2 else (
            "codes" if whole and few and distinct.size <= MAX_CLASSES else "")
    return Column(name, table.feature_label(j), kind, named,
                  _preview(shown, int(distinct.size)), j in table.categorical)


def _label_column(ds: Dataset, table: TableRecipe) -> Column:
    """The label column the reader took (the last one) as a candidate."""
    assert table.label is not None and ds.y is not None
    name = table.label_name or str(table.label)
    where = column_label(table.columns, table.label)
    if ds.y.dtype.kind == "f":  # read as a continuous target
        distinct = np.unique(ds.y)
        values = f"{distinct.size} distinct values from {distinct[0]:g} to {distinct[-1]:g}"
        return Column(name, where, "", named_like_a_label(name), values)
    classes = [str(c) for c in ds.classes]
    if len(classes) == 2:
        kind = "two"
    elif np.asarray(ds.classes).dtype.kind in "iuf":
        kind = "codes"
    else:
        kind = "text"
    return Column(name, where, kind, named_like_a_label(name),
                  _preview(classes, len(classes)))


def _others(label: Column, features: list[Column], *, regression: bool) -> list[Column]:
    """The feature columns that could be the label as well as ``label``, the last one."""
    named = [c for c in features if c.named]
    if regression:  # asked for: any numeric column could be the target; names decide
        return [c for c in named if not c.text and c.kind != "two"]
    if label.named or named:
        return named  # names decide: the last column's alone, or theirs too
    strong = [c for c in features if c.kind in ("text", "two")]
    if label.kind in ("text", "two"):
        return strong
    return strong + [c for c in features if c.kind == "codes"]


def default_label_note(ds: Dataset, options: Any, *, regression_asked: bool = False
                       ) -> str | None:
    """The first line of a run on a CSV: which column is the label and why; a DataError
    when the user did not name it and the file does not make it clear (see the module
    docstring). None for data sets that are not tables."""
    table = ds.table
    if table is None or table.source != "csv" or table.label is None or ds.y is None:
        return None
    where = column_label(table.columns, table.label)
    if options.label_column != -1:
        return f"label: {where}, as `label_column` names it."
    if table.columns is None:
        return (f"label: {where}, the last one (the file has no header, so numpynn takes "
                "the last column, as UCI's files have it); `label_column` names another."
                + _first_column_warning(ds, table))
    label = _label_column(ds, table)
    features = [_feature_column(table, ds.X, j) for j in range(table.n_features)]
    features = _coordinates_aside(features, table.columns)
    others = _others(label, features, regression=regression_asked)
    if not others:
        why = "named like a label" if label.named else "no other column looks like a label"
        return (f"label: {where} ({label.values}), the last column: {why}; `label_column` "
                "names another.")
    numbers = [c.name for c in features if not c.text and not c.class_like and c.kind == ""]
    _refuse(ds.name, label, others, numbers)
    return None


def _coordinates_aside(features: list[Column], names: list[str]) -> list[Column]:
    """The feature columns (not the last one, the label) with one named ``y`` not named
    like a label where a column of the file is named ``x``: the two are coordinates (a
    map's, a plot's: a table of points and its class), not a label beside its features.
    (``x, ..., y`` with y last is the features and the label, as ever.)"""
    if not any(name.strip().lower() == "x" for name in names):
        return features
    return [replace(c, named=False) if c.name.strip().lower() == "y" else c
            for c in features]


def _first_column_warning(ds: Dataset, table: TableRecipe) -> str:
    """For a file without a header whose last column is read as a continuous target: a
    warning where the first column holds a few text values or whole numbers, as a label
    written first does (UCI's ``wine.data``: the class first, a measurement last)."""
    label = _label_column(ds, table)
    if label.kind:
        return ""
    for j, position in enumerate(table.features[:2]):  # the first, or the second after
        if position > 1:  # an id (UCI's wdbc.data: the id, the diagnosis, measurements)
            break
        first = _feature_column(table, ds.X, j)
        if first.kind in ("text", "codes", "two") and (position == 0 or first.text):
            return (f" warning: the last column looks continuous, so this is a regression, "
                    f"but {first.where} holds {first.values}, as a label written "
                    f"{'first' if position == 0 else 'before the measurements'} does (UCI's "
                    f"wine.data, wdbc.data): if it is the label, give "
                    f"`label_column={position}`.")
    return ""


def _refuse(source: str, label: Column, others: list[Column], numbers: list[str]) -> None:
    listed = "; ".join(f"{c.where}, {c.values}" for c in others[:_SHOWN])
    more = f"; and {len(others) - _SHOWN} more" if len(others) > _SHOWN else ""
    if label.named:
        why = "its name says it is the label, and so do other columns' names"
    elif any(c.named for c in others):
        why = "it is not named like a label while another column is"
    else:
        why = "it is not named like a label, and other columns could be the label too"
    example = next((c for c in others if c.named), others[0])
    amounts = ""
    if numbers:  # a regression of another column of numbers?
        shown = ", ".join(map(repr, numbers[:_SHOWN]))
        rest = f" and {len(numbers) - _SHOWN} more" if len(numbers) > _SHOWN else ""
        amounts = (f" A regression predicts a column of numbers, such as {shown}{rest}: "
                   "name it the same way.")
    raise DataError(
        f"{source}: which column is the label? No `label_column` was given, and the file "
        f"does not make it clear. The last column, {label.where} ({label.values}), would "
        f"be taken, but {why}: {listed}{more}. Name the column to predict, e.g. "
        f"`label_column={example.name!r}`, or `label_column={label.name!r}` to keep the "
        f"last one{' (a regression: it holds numbers)' if not label.kind else ''}."
        + amounts)


__all__ = ["MAX_CLASSES", "default_label_note"]
