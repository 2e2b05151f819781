"""Which task a run is: read the data for ``options.task`` and, for ``auto``, choose.

``auto`` trains a regression on a CSV whose label column looks continuous and a
classification otherwise, and refuses where the file makes the label unclear (the user
most likely forgot ``label_column``): a regression on the wrong column would be silently
wrong. Named data sets (digits, mnist, ...) are classifications.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..data import Dataset, load_dataset
from ..data.csv_file import MissingLabelError
from ..data.spec import DataSpec
from ..data.table import column_label
from ..errors import DataError, InputError
from .base import TASKS, Task, check_task_choice, task_named
from .label_choice import MAX_CLASSES, default_label_note


def load_for_task(options: Any, image_reader: int | None = None
                  ) -> tuple[Dataset, Task, str | None]:
    """Load ``options.data`` for ``options.task``: (dataset, the task, a note to print on
    what was chosen without being asked, or None); ``image_reader``: how a folder's image
    files are read (a resumed checkpoint's; default the current way)."""
    requested = check_task_choice(getattr(options, "task", "auto"))
    extra = options.csv_options()
    source = DataSpec.parse(options.data).source
    if source in ("csv", "npz"):  # how labels are read
        extra["task"] = "auto" if requested == "auto" else task_named(requested).reads_labels_as
    elif requested not in ("auto", "classification"):
        raise InputError(f"`task='{requested}'` needs numeric targets: a CSV file's target "
                         f"column or an .npz file's y; {options.data} is a classification "
                         "data set.", param="task")
    try:
        ds = load_dataset(options.data, label_column=options.label_column,
                          image_reader=image_reader, **extra)
    except MissingLabelError as exc:
        if options.label_column != -1 or source != "csv":
            raise
        _ask_which_label(exc, options, extra, requested)
        raise
    if ds.y is None:
        raise DataError(f"{options.data} has no labels; training needs a label column.")
    if requested != "auto":
        task = task_named(requested)
        task.check_data(ds, options.data)
        return ds, task, default_label_note(ds, options,
                                            regression_asked=task.name != "classification")
    if ds.y.dtype.kind != "f":
        note = default_label_note(ds, options)
        count = _count_like_label(ds, options)
        if count is None:
            return ds, task_named("classification"), "\n".join(
                filter(None, [note, _number_classes_note(ds)])) or None
        ds, count_note = count
        return ds, task_named("regression"), "\n".join(filter(None, [note, count_note]))
    label_note = default_label_note(ds, options)
    distinct = len(np.unique(ds.y))
    name = ds.table.label_name if ds.table is not None else None
    column = (f"the label column {name!r}" if name else "the label column"
              if ds.table is not None else "its y")
    note = (f"note: {column} looks continuous ({distinct} distinct values in "
            f"{ds.y.shape[0]} rows), so numpynn trains a regression (squared error; "
            "R^2, RMSE, MAE). Give `task='classification'` to treat it as classes.")
    if ds.y.ndim == 2:  # several columns that are not one-hot rows of 0 and 1
        note = (f"note: {column} holds {ds.y.shape[1]} columns of numbers that are not "
                "one-hot rows of 0 and 1, so numpynn trains a regression of "
                f"{ds.y.shape[1]} targets (squared error; R^2, RMSE, MAE)."
                + _coded_one_hot_hint(ds.y))
    return ds, task_named("regression"), "\n".join(filter(None, [label_note, note]))


def _coded_one_hot_hint(y: np.ndarray) -> str:
    """Where y (N, K) holds two values, one row's high value among low ones (-1 and 1,
    as an SVM codes classes): the line that makes them classes; "" otherwise."""
    values = np.unique(y)
    if len(values) != 2 or not len(y) or not ((y == values[1]).sum(axis=1) == 1).all():
        return ""
    return (f" Its rows hold one {values[1]:g} among {values[0]:g}s: one-hot classes coded "
            f"with {values[0]:g}? For classes, save y.argmax(axis=1) as y instead.")


def _ask_which_label(exc: MissingLabelError, options: Any, extra: dict[str, Any],
                     requested: str) -> None:
    """The last column, taken as the label because no ``label_column`` was given, has
    empty cells: where the file does not make that column clearly the label (see
    :mod:`~numpynn.tasks.label_choice`), the user most likely forgot ``label_column``, so
    the refusal asks which column is the label (a DataError naming the candidates) rather
    than offering to drop the rows of a column that is not the label. Returns where the
    last column is clearly the label (the caller raises ``exc``)."""
    try:
        ds = load_dataset(options.data, label_column=-1, **{**extra, "drop_unlabelled": True})
    except DataError:
        return
    if ds.y is None or ds.y.shape[0] == 0:
        return
    try:
        default_label_note(ds, options, regression_asked=requested == "regression")
    except DataError as asked:
        raise DataError(f"{asked} (The last column, {exc.column}, also has {exc.rows} "
                        "row(s) without a value: to keep it as the label, add "
                        "`drop_unlabelled=True`.)") from None


def _number_classes_note(ds: Dataset) -> str | None:
    """For a table's label of more than two whole numbers that ``auto`` reads as classes
    (codes: 4, 6, 8 cylinders; or a count or a score with few values, such as AER's
    ``affairs``: 0, 1, 2, 3, 7, 12): a note that says so and how to predict it as a
    number instead; None for other labels."""
    classes = np.asarray(ds.classes)
    if (ds.table is None or ds.image_shape is not None or classes.dtype.kind not in "iu"
            or len(classes) <= 2):
        return None
    column = column_label(ds.table.columns, ds.table.label)
    return (f"note: the label column {column} holds {len(classes)} whole numbers "
            f"({', '.join(map(str, classes[:6].tolist()))}{', ...' if len(classes) > 6 else ''})"
            ", read as classes, each scored as right or wrong; if they are a count or a "
            "score, give `task='regression'` to predict them as a number.")


#: Up to this many distinct whole numbers read as class codes without a question, even
#: with a class seen once (a tiny file of digits); above it, a value seen once is asked
#: about (HR tables' ``YearsWithCurrManager``: 18 values, one of them once).
COUNT_LIKE_DISTINCT = 10


def _count_like_label(ds: Dataset, options: Any) -> tuple[Dataset, str] | None:
    """Whether ``auto`` reads a column of whole numbers as a count or an amount rather
    than classes: more than :data:`COUNT_LIKE_DISTINCT` distinct values and some of them
    seen only once (class codes repeat; counts, ages and years trail off); for a column
    the user named, more than two values and some seen once (AER's DoctorVisits: visits
    0 to 9, 9 seen once), or more than :data:`~numpynn.tasks.label_choice.MAX_CLASSES`
    distinct values (ESS's immigration score: 31 values from 0 to 30, each seen often in
    1,900 rows). Columns with many singletons never get here: the reader takes them as
    continuous. None: classes.

    A column the user named (``label_column``) is then a regression's target, with a
    note: ``ds`` with its labels as values and the note are returned (classes seen once
    could not be split, learned or scored). The last column taken without being named is
    refused instead (a DataError): the user most likely forgot ``label_column``, and a
    regression on the wrong column would be silently wrong."""
    classes = np.asarray(ds.classes)
    if classes.dtype.kind not in "iu" or len(classes) <= 2 or ds.image_shape is not None:
        return None  # (an image's label is its class: CIFAR-100's 100, EMNIST's 47)
    counts = np.bincount(ds.y, minlength=len(classes))
    once = int(np.sum(counts == 1))
    table = ds.table
    if table is not None and table.label is not None and table.columns is not None:
        column = column_label(table.columns, table.label)
    else:
        column = "the label column"
    default = getattr(options, "label_column", -1) == -1  # not named: the last column
    if default and (once == 0 or len(classes) <= COUNT_LIKE_DISTINCT):
        return None
    if not default and once == 0 and len(classes) <= MAX_CLASSES:
        return None
    values = (f"holds whole numbers with {len(classes)} distinct values from "
              f"{classes.min()} to {classes.max()}, "
              + (f"{once} of them seen only once" if once else
                 f"more than {MAX_CLASSES}"))
    if not default:
        note = (f"note: the label column {column} {values}: a count, a score or an amount, so "
                "numpynn trains a regression (squared error; R^2, RMSE, MAE). Give "
                "`task='classification'` to treat every value as a class.")
        return replace(ds, y=classes[ds.y].astype(np.float64),
                       classes=np.empty(0, dtype=np.float64)), note
    if table is None:  # an .npz's y: no column to name
        raise DataError(
            f"{ds.name}: its y {values}: that looks like a count or an amount, not class "
            "labels. Give `task='regression'` to predict it as a number, or "
            "`task='classification'` to treat every value as a class.")
    raise DataError(
        f"{ds.name}: the label column {column} (the last one, as no `label_column` was "
        f"given) {values}: that looks like a count or an amount, not class "
        "labels. Give `task='regression'` to predict it as a number, "
        "`task='classification'` to treat every value as a class, or `label_column` to "
        "name the column that holds the labels.")


__all__ = ["TASKS", "load_for_task"]
