"""The prediction table: one row per input row with the predicted label and, optionally,
one probability column per class, or the predicted values (the CSV that ``numpynn
predict`` writes); each task writes its own (:meth:`numpynn.tasks.Task.prediction_table`)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence

import numpy as np

from ..model_file import SavedModel
from ..outputs import write_path


def prediction_table(saved: SavedModel, X: np.ndarray, proba: bool = False,
                     source: str = "X") -> tuple[list[str], list[list[str]]]:
    """``(header, rows)`` of the predictions of ``saved`` for raw X: (N, D) (as read from
    the data, before the model's preprocessing).

    header: ``["prediction"]``, plus ``p_<class>`` per class when ``proba``; rows: N lists
    of strings, the class label then (with ``proba``) C probabilities with 6 significant
    digits. A regression model's table is its predicted values in the targets' units:
    ``["prediction"]`` (``prediction_0``, ... for K outputs), 10 significant digits
    (``proba`` is refused: there are no classes). Raises InputError when the scores of
    some row are not finite (inputs far outside the training data's range); ``source``
    names X in that message.
    """
    return saved.task.prediction_table(saved, X, proba, source)


def prediction_csv(saved: SavedModel, X: np.ndarray, proba: bool = False,
                   source: str = "X", ids: Sequence[str] | None = None,
                   id_name: str = "id") -> str:
    """The prediction table (:func:`prediction_table`) as CSV text, ``\\n`` line ends;
    with ``ids`` (N,), a first column ``id_name`` holding them."""
    return _csv_text(*_with_ids(*prediction_table(saved, X, proba, source), ids, id_name))


def _with_ids(header: list[str], rows: list[list[str]], ids: Sequence[str] | None,
              id_name: str) -> tuple[list[str], list[list[str]]]:
    if ids is None:
        return header, rows
    if len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids for {len(rows)} prediction rows")
    if id_name in header:
        id_name = f"{id_name}_id"
    return [id_name, *header], [[i, *row] for i, row in zip(ids, rows)]


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_predictions(output: str | os.PathLike[str], saved: SavedModel, X: np.ndarray,
                      proba: bool = False, inputs: Iterable[str | os.PathLike[str]] = (),
                      source: str = "X", ids: Sequence[str] | None = None,
                      id_name: str = "id") -> int:
    """Write the prediction CSV to ``output`` ("-": standard output; a regular file is
    replaced atomically; never one of ``inputs``, the files the caller reads); returns
    the number of rows written; ``ids`` as in :func:`prediction_csv`."""
    header, rows = _with_ids(*prediction_table(saved, X, proba, source), ids, id_name)
    text = _csv_text(header, rows)
    write_path(output, lambda fh: fh.write(text.encode("utf-8")), inputs, what="`output`")
    return len(rows)
