"""The prediction table: one row per input row with the predicted label and, optionally,
one probability column per class, or the predicted values (the CSV that ``numpynn
predict`` writes); each task writes its own (:meth:`numpynn.tasks.Task.prediction_table`)."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
from collections.abc import Iterable, Sequence

import numpy as np

from ..errors import InputError
from ..model_file import SavedModel
from ..outputs import check_output, write_path
from .run import check_not_training_data


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
                   id_name: str = "id", blank_rows: Sequence[int] = ()) -> str:
    """The prediction table (:func:`prediction_table`) as CSV text, ``\\n`` line ends;
    with ``ids`` (N,), a first column ``id_name`` holding them; ``blank_rows``: positions
    of empty rows (:attr:`numpynn.data.Dataset.blank_rows`: i before X's row i)."""
    return _csv_text(*_output_rows(saved, X, proba, source, ids, id_name, blank_rows))


def _output_rows(saved: SavedModel, X: np.ndarray, proba: bool, source: str,
                 ids: Sequence[str] | None, id_name: str, blank_rows: Sequence[int]
                 ) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the output: the predictions, their ids, and an empty row where
    the input file had a row of empty cells (one output row per input row)."""
    header, rows = _with_ids(*prediction_table(saved, X, proba, source), ids, id_name)
    for at in sorted(blank_rows, reverse=True):  # the later first: earlier indices hold
        rows.insert(at, [""] * len(header))
    return header, rows


def _with_ids(header: list[str], rows: list[list[str]], ids: Sequence[str] | None,
              id_name: str) -> tuple[list[str], list[list[str]]]:
    if ids is None:
        return header, rows
    if len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids for {len(rows)} prediction rows")
    if id_name in header:
        id_name = f"{id_name}_id"
    return [id_name, *header], [[i, *row] for i, row in zip(ids, rows)]


#: output endings of other formats than the text table predict writes: the program that
#: would open the file, refused rather than handed CSV text it cannot read
_NOT_TEXT = {".xlsx": "Excel", ".xlsm": "Excel", ".xls": "Excel", ".ods": "LibreOffice",
             ".json": "a JSON reader", ".jsonl": "a JSON reader", ".parquet": "a Parquet reader",
             ".feather": "an Arrow reader", ".npz": "NumPy", ".npy": "NumPy",
             ".pkl": "pickle", ".pickle": "pickle", ".h5": "an HDF5 reader",
             ".hdf5": "an HDF5 reader", ".html": "a browser", ".onnx": "an ONNX runtime",
             ".zip": "an unzip tool"}
#: compressed endings of a table (as pandas' to_csv writes them): the text compressed so
_COMPRESS = {".gz": lambda data: gzip.compress(data, mtime=0), ".bz2": bz2.compress,
             ".xz": lzma.compress}


def output_delimiter(output: str | os.PathLike[str]) -> str:
    """The delimiter of the prediction table written to ``output``: a tab for a ``.tsv``
    (or ``.tab``) name, else a comma; InputError for a name of another format (``.xlsx``,
    ``.json``, ...), whose program could not open the CSV text written under it."""
    name = os.fspath(output).lower()
    suffix = os.path.splitext(os.path.splitext(name)[0] if name.endswith(tuple(_COMPRESS))
                              else name)[1]
    if suffix in _NOT_TEXT:
        raise InputError(
            f"`output` {os.fspath(output)} names a {suffix} file, but predict writes a CSV "
            f"table, which {_NOT_TEXT[suffix]} would not open under that name; give it a .csv "
            f"name (Excel and pandas open it) or .tsv for tab-separated values")
    return "\t" if suffix in (".tsv", ".tab") else ","


def csv_bytes(text: str) -> bytes:
    """The bytes of a prediction table's text, as ``--output`` and a redirected standard
    output hold them: UTF-8, a file name whose bytes are not UTF-8 (held by Python as
    lone surrogates) written back as its own bytes, so that it names the file still."""
    return text.encode("utf-8", "surrogateescape")


def _csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_predictions(output: str | os.PathLike[str], saved: SavedModel, X: np.ndarray,
                      proba: bool = False, inputs: Iterable[str | os.PathLike[str]] = (),
                      source: str = "X", ids: Sequence[str] | None = None,
                      id_name: str = "id", blank_rows: Sequence[int] = ()) -> int:
    """Write the prediction CSV to ``output`` ("-": standard output; a regular file is
    replaced atomically; never one of ``inputs``, the files the caller reads, nor the data
    ``saved`` was trained on; a ``.tsv``
    name gets tab-separated values, a ``.gz``, ``.bz2`` or ``.xz`` one the text so
    compressed, a name of another format than text is refused: :func:`output_delimiter`);
    returns the number of rows written (``blank_rows`` among them); ``ids`` and
    ``blank_rows`` as in :func:`prediction_csv`."""
    check_output(output, inputs, what="`output`")  # its inputs first: the worse mistake
    check_not_training_data(output, saved)  # nor the table the model was trained on
    delimiter = output_delimiter(output)
    header, rows = _output_rows(saved, X, proba, source, ids, id_name, blank_rows)
    data = csv_bytes(_csv_text(header, rows, delimiter))
    compress = _COMPRESS.get(os.path.splitext(os.fspath(output).lower())[1])
    if compress is not None and os.fspath(output) != "-":
        data = compress(data)
    write_path(output, lambda fh: fh.write(data), inputs, what="`output`")
    return len(rows)
