"""The prediction table: one row per input row with the predicted label and, optionally,
one probability column per class (the CSV that ``numpynn predict`` writes)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable

import numpy as np

from .errors import InputError
from .io import SavedModel


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
    from .regression_run import is_regression_model

    if is_regression_model(saved):
        return _value_table(saved, X, proba, source)
    with np.errstate(all="ignore"):  # overflowing scores are reported below, not warned
        p = saved.predict_proba(X)
    bad = ~np.isfinite(p).all(axis=1)
    if bad.any():
        raise InputError(
            f"the model's scores overflow for {int(bad.sum())} of {len(bad)} rows of "
            f"{source} (first: row {int(np.argmax(bad)) + 1}): their probabilities are "
            "not finite numbers. The inputs are far outside the range of the training "
            "data, or the model's weights are extreme; check the data (its scale and "
            "columns) or train the model again.")
    labels = saved.classes[np.argmax(p, axis=1)].tolist()
    names = [str(c) for c in saved.classes.tolist()]
    header = ["prediction"] + ([f"p_{n}" for n in names] if proba else [])
    rows = [[str(label)] + ([f"{q:.6g}" for q in row] if proba else [])
            for label, row in zip(labels, p)]
    return header, rows


def _value_table(saved: SavedModel, X: np.ndarray, proba: bool,
                 source: str) -> tuple[list[str], list[list[str]]]:
    """A regression model's prediction table: one column per output."""
    from .regression_run import predict_values

    if proba:
        raise InputError("`proba` gives class probabilities; a regression model predicts "
                         "values: leave out `proba`.", param="proba")
    with np.errstate(all="ignore"):
        values = predict_values(saved, X)
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise InputError(
            f"the model's outputs overflow for {int(bad.sum())} of {len(bad)} rows of "
            f"{source} (first: row {int(np.argmax(bad)) + 1}); check the data (its scale "
            "and columns) or train the model again.")
    k = values.shape[1]
    header = ["prediction"] if k == 1 else [f"prediction_{j}" for j in range(k)]
    return header, [[f"{v:.10g}" for v in row] for row in values]


def prediction_csv(saved: SavedModel, X: np.ndarray, proba: bool = False,
                   source: str = "X") -> str:
    """The prediction table (:func:`prediction_table`) as CSV text, ``\\n`` line ends."""
    return _csv_text(*prediction_table(saved, X, proba, source))


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_predictions(output: str | os.PathLike[str], saved: SavedModel, X: np.ndarray,
                      proba: bool = False, inputs: Iterable[str | os.PathLike[str]] = (),
                      source: str = "X") -> int:
    """Write the prediction CSV to ``output`` ("-": standard output; a regular file is
    replaced atomically; never one of ``inputs``, the files the caller reads); returns
    the number of rows written."""
    from .outputs import write_path

    header, rows = prediction_table(saved, X, proba, source)
    text = _csv_text(header, rows)
    write_path(output, lambda fh: fh.write(text.encode("utf-8")), inputs, what="`output`")
    return len(rows)
