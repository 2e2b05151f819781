"""Read a CSV table (optionally compressed: gzip, bz2, xz, or the one file of a zip
archive) into raw features and labels (no pandas).

Reading is split in three steps: the **layout** (delimiter, header row, which columns are
label / ignored / features, which features are categorical: :func:`_layout`), the
**conversion** of the rows to numbers, streamed block by block so that memory stays
proportional to the file (:func:`_convert_rows`), and the **labels**. The layout comes
either from the file itself (training) or from a model's :class:`TableRecipe`
(predict / evaluate: columns matched by name in any order, or by position).

Row numbers in messages are line numbers of the file counted from 1, the header line
included, as an editor shows them.
"""

from __future__ import annotations

import bz2
import codecs
import collections
import csv
import functools
import gzip
import io
import itertools
import lzma
import os
import re
import shlex
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ..errors import DataError, InputError
from ._files import as_path, not_the_data, require_file
from .cells import (
    CURRENCY_SIGNS,
    cell_repr,
    composed,
    decimal_point,
    groups_thousands,
    is_number_cell,
    number_either_way,
    number_value,
    preview,
    writes_decimal_comma,
)
from .csv_columns import (
    distinct_whole_numbers,
    holds_dates,
    holds_other_dates,
    holds_row_numbers,
    identifier_counts,
    image_file_names,
    index_of_a_few_rows,
    mixed_codes,
    mostly_text,
    numeric_identifier,
    other_date_kind,
    repeated_identifier,
)
from .dataset import Dataset
from .formats import OTHER_FORMATS, TEXT_FORMATS, conversion_message
from .image_folder import IMAGE_SUFFIXES
from .labels import as_classes, encode_labels, is_number, parse_label_cells, zero_padded
from .table import (
    TableRecipe,
    column_label,
    continuous_label_message,
    is_missing,
    looks_continuous,
    resolve_column,
)

DELIMITERS = (",", ";", "\t")
#: also detected where the file is consistently separated by them (R's write.table
#: writes spaces), but never guessed from counts alone: names and text hold spaces
SNIFFED_DELIMITERS = (*DELIMITERS, "|", " ")
#: names a delimiter may be given by (``--delimiter tab``)
DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " ",
                   "pipe": "|"}
_SAMPLE_ROWS = 1000  # rows that decide the header and the categorical columns
_BLOCK_ROWS = 4096  # rows converted at a time


def load_csv(
    path: str | os.PathLike[str],
    *,
    label_column: int | str | None = -1,
    classes: Sequence[object] | np.ndarray | None = None,
    ignore_columns: Sequence[int | str] = (),
    delimiter: str | None = None,
    allow_missing: bool = False,
    recipe: TableRecipe | None = None,
    task: str = "classification",
    drop_unlabelled: bool = False,
    header: bool | None = None,
    id_column: int | str | None = None,
) -> Dataset:
    """Load a CSV file (``.csv``, or compressed as pandas' ``to_csv`` writes it: ``.csv.gz``,
    ``.csv.bz2``, ``.csv.xz``, ``.csv.zip``, or a zip of one table): raw X (N, F) and y
    (N,) class indices.

    task: ``"classification"`` (labels are classes; a continuous-looking numeric label
    column is refused), ``"regression"`` (y: (N,) float64 values, ``classes`` empty) or
    ``"auto"`` (regression when the label column looks continuous, see
    :func:`~numpynn.data.table.looks_continuous`, else classification).

    The delimiter is detected among ``,`` ``;`` and tab (or given). The first row is a
    header when some column holds numbers below a text cell in it (or, for an all-text
    table, when none of its cells occurs again in its column). A feature column whose
    cells are mostly not numbers is categorical: X holds the index of each cell's
    category in ``ds.table.categorical[j]`` (a file-wide sorted list); NaN marks a
    missing cell (empty, NA, N/A, NaN, null, ?). Numbers may be written as spreadsheets
    format them (percentages, currency signs, thousands separators; decimal commas in
    files separated by ; or tab: :func:`numpynn.data.cells.number_value`). Blank lines,
    and rows of empty cells only (``,,,``), are skipped; a delimiter ending every line
    adds no column. Columns of row numbers, empty columns and identifiers (text whose
    values mostly occur once: names, ticket numbers) are left out of the features, each
    with a note in ``Dataset.notes``. A missing label is an error.

    Args:
        path: the file.
        label_column: the label column's name or index (negative counts from the end;
            default the last), or None when the file has no labels (then ``y`` is None).
        classes: known class labels (e.g. from a saved model); labels are mapped to
            indices of this sequence. Default: the sorted unique labels of the file.
        ignore_columns: names or indices of columns to skip (e.g. an id).
        delimiter: the field separator; None detects it.
        allow_missing: keep missing cells as NaN (for imputation) instead of raising.
        drop_unlabelled: leave out the rows whose label is missing (with a note naming
            how many and the first row) instead of raising.
        header: whether the first row names the columns (None: detected; a recipe whose
            training file was read with the header given reads new files the same way).
        id_column: a column (name or index) whose cells are kept as they are in
            ``Dataset.ids`` (N,), to carry to a prediction table; it is not a feature
            unless the recipe has it as one.
        recipe: read the file as a model's training data were read: columns matched by
            name (or by position in a headerless file), categories and missing-cell
            handling of the recipe; ``label_column`` is then only None (no labels
            wanted) or not (labels required), and ``ignore_columns`` are this file's
            columns to leave out besides the recipe's (a file's own id or notes).
            The delimiter of each file is detected anew (or given).

    Returns:
        A :class:`Dataset` whose ``table`` is the reading recipe (not yet fitted).

    Raises:
        DataError: missing/unreadable file, empty file, header without data, ragged rows,
            text in a numeric column, missing cells (unless allowed), NaN/inf values,
            non-integer numeric labels, a continuous-looking label, unknown labels,
            missing or unexpected columns (with a recipe).
    """
    path = require_file(as_path(path), "CSV file")
    if isinstance(ignore_columns, (str, int)):  # one column, or 'id,notes'
        ignore_columns = [ignore_columns]
    _refuse_other_file_kind(path)
    read = functools.partial(
        _load_csv, path, label_column=label_column, classes=classes,
        ignore_columns=ignore_columns, delimiter=delimiter, allow_missing=allow_missing,
        recipe=recipe, task=task, drop_unlabelled=drop_unlabelled, header=header,
        id_column=id_column)
    try:
        return read(encoding=None)
    except _NotUtf8Error as exc:
        mixed, line = _utf8_survey(path)
        if mixed >= 2:  # UTF-8 text with a byte of another encoding: either way is wrong
            where = f"line {line}" if line else f"near row {exc.line}"
            raise DataError(
                f"{path}: mostly UTF-8 text ({mixed:,} accented letters or symbols written "
                f"as UTF-8), but a byte on {where} is not UTF-8 (Windows-1252's é, as "
                "Excel's 'CSV' writes it?): the file mixes two encodings, as tables joined "
                "from different programs do, and read either way some of its text comes "
                f"out wrong; save the rows from that program as UTF-8 too") from None
        legacy = _legacy_encoding(path)
        if legacy is None:
            raise DataError(str(exc)) from None
    dataset = read(encoding=legacy)
    dataset.notes.append(
        f"note: {path.name} is not UTF-8; it was read as Windows-1252 (Western European), "
        "as Excel's 'CSV' saves on Windows. If its accented letters look wrong in the "
        "categories, save it as 'CSV UTF-8'.")
    return dataset


#: The widest CSV table read (columns of its first row), refused before its rows are.
MAX_COLUMNS = 100_000


def _load_csv(path: Path, *, encoding: str | None, label_column: int | str | None,
              classes: Sequence[object] | np.ndarray | None,
              ignore_columns: Sequence[int | str], delimiter: str | None,
              allow_missing: bool, recipe: TableRecipe | None, task: str,
              drop_unlabelled: bool, header: bool | None, id_column: int | str | None
              ) -> Dataset:
    """:func:`load_csv` of a file in ``encoding`` (None: UTF-8, or UTF-16 by its BOM)."""
    declared = _declared_delimiter(path, encoding)  # Excel's "sep=;" first line
    if delimiter is not None:
        sep = _check_delimiter(delimiter)
    else:
        try:
            sep = declared or _sniff(path, encoding, declared=False)
        except UnicodeDecodeError as exc:
            raise _text_errors(path, 1)(exc) from None
    with _open_text(path, encoding) as fh:
        if declared:
            fh.readline()
        empty_rows: list[int] = []
        printed: list[int] = []
        rows = _rows(fh, sep, path, skipped=1 if declared else 0, empty=empty_rows,
                     printed=printed)
        first = next(rows, None)
        if first is None:
            raise DataError(f"{path}: the file is empty (no rows); give a CSV with one example "
                            "per row: the features, then the label")
        if len(first[1]) > MAX_COLUMNS:  # before a sample of rows so wide is held as text
            raise DataError(f"{path}: row {first[0]} has {len(first[1]):,} columns, more than "
                            f"numpynn reads from a CSV ({MAX_COLUMNS:,}: it holds every cell "
                            "as text while parsing); select the columns to use, or save the "
                            "array as .npz: numpy.savez('d.npz', X=X, y=y)")
        sample = [first]
        for row in rows:
            sample.append(row)
            if len(sample) > _SAMPLE_ROWS:
                break
        comments = _leading_comments(sample)
        if comments:
            comment_lines = [line for line, _ in sample[:comments]]
            sample = sample[comments:]
            if len(sample) <= _SAMPLE_ROWS:  # the rows after the sample fill it again
                sample.extend(itertools.islice(rows, _SAMPLE_ROWS + 1 - len(sample)))
        _refuse_other_text_format(path, sep, sample)
        titles = _title_rows(sample)
        title_rows = [(line, cells[0]) for line, cells in sample[:titles]]
        sample = sample[titles:]
        if header is not False:
            _refuse_header_rows(path, sample)
        ids_first = id_column is not None and (id_column == 0 or str(id_column).strip() ==
                                               sample[0][1][0])  # a row of an id: a row
        if len(sample) <= _SAMPLE_ROWS and not ids_first:  # the whole file: notes below
            footer = _footer_rows(sample)
            footer_rows = [(line, cells[0]) for line, cells in sample[len(sample) - footer:]]
            sample = sample[:len(sample) - footer]
        else:
            footer_rows = []
        trailing = _ends_with_delimiter(sample)
        if trailing:  # "a,b,c," on every line: the empty last cells are not columns
            sample = [(line, cells[:-trailing]) for line, cells in sample]
            rows = _without_last_cells(rows, len(sample[0][1]), trailing)
        row_names = header is not False and _header_lacks_row_names(sample)
        if row_names:  # R's write.table: no header cell above the row names
            sample[0] = (sample[0][0], ["", *sample[0][1]])
        layout = _layout(path, sample, sep, label_column, ignore_columns, recipe, header,
                         id_column)
        layout.footer_rows = footer_rows
        layout.decimal_comma = sep != ","
        data_rows = sample[1:] if layout.header else sample
        if layout.decimal_comma:  # the file's own columns that group thousands by points
            layout.thousands_points = _thousands_columns(layout, data_rows)
            if layout.from_model:  # and those the model's training file grouped so
                layout.thousands_points |= {layout.features[j]
                                            for j in layout.recipe.thousands_points}
        if not layout.from_model:
            layout.recipe.thousands_points = [j for j, p in enumerate(layout.features)
                                              if p in layout.thousands_points]
        if not data_rows and next(rows, None) is None:
            raise DataError(f"{path}: has a header (row {first[0]}) but no data rows; "
                            "add one row per example below it")
        X, labels, label_values, lines, ids = _convert_rows(
            path, layout, _chain(data_rows, rows, layout, path))
    dropped_note = None
    if drop_unlabelled and labels is not None:
        X, labels, label_values, lines, dropped_note, ids = _drop_unlabelled(
            path, X, labels, label_values, lines, ids)
    missing = allow_missing or (recipe is not None and recipe.impute != "none")
    _check_values(path, layout, X, lines, missing)
    table = layout.recipe
    notes = [_index_note(path, layout, p) for p in layout.index_columns]
    notes += [_skipped_note(path, layout, p) for p in layout.skipped_columns]
    notes += [_empty_note(path, layout, p, len(data_rows)) for p in layout.empty_columns]
    notes += [_image_column_note(path, layout, p) for p in layout.image_columns]
    body = sample[1:] if layout.header else sample
    dated = {} if recipe is None else None
    if dated is not None:  # dates not year first, times: text, said so
        text_columns = [*layout.identifier_columns,
                        *(layout.features[j] for j in layout.categories)]
        dated = {p: found for p in text_columns
                 if (found := holds_other_dates(body, p)) is not None}
        notes += [_other_dates_note(path, layout, p, *found) for p, found in dated.items()]
    notes += [_identifier_note(path, layout, p, body) for p in layout.identifier_columns
              if not dated or p not in dated]
    if (recipe is None and layout.names is None and layout.features[:1] == [0]
            and 0 not in layout.categories and distinct_whole_numbers(body, 0) is not None):
        notes.append(f"warning: {path.name}: column index 0 holds a different whole number "
                     f"in every row ({', '.join(cells[0] for _, cells in body[:3])}, ...), as "
                     "an id column does (the file has no header to name it); it is used as "
                     "a feature: if it is an id, leave it out with `ignore_columns=0`.")
    if recipe is None:
        notes += [note for j, p in enumerate(layout.features) if j not in layout.categories
                  if (note := _missing_code_note(path, column_label(layout.names, p),
                                                 X[:, j], lines)) is not None]
        for j, p in enumerate(layout.features):
            shown = [] if j in layout.categories else holds_dates(body, p)
            if shown:
                notes.append(
                    f"note: {path.name}: {column_label(layout.names, p)} holds dates "
                    f"({', '.join(shown)}, ...): read as numbers, the year with its fraction "
                    "(2000-07-02 is 2000.5), so that what the model learns carries over "
                    "to dates it has not seen.")
    notes += [f"note: {path.name}: {column_label(layout.names, p)} is named as an identifier "
              "and holds a different whole number in every row that has one: it says which "
              "example a row is, nothing about it, so it is not used as a feature (files "
              "given to predict may have it or not)." for p in layout.numeric_ids]
    notes += [f"warning: {path.name}: {column_label(layout.names, p)} is named as an "
              f"identifier and its whole numbers repeat ({distinct:,} distinct in {filled:,} "
              "filled cells read: several rows of one subject, patient or store?); it is "
              "used as a feature, read as an amount, which an id's number is not: if it says "
              "who or what a row is about, leave it out with "
              f"`ignore_columns={_column_spec(layout.names, p)}`."
              for p, (distinct, filled) in layout.repeated_ids.items()]
    notes += [f"note: {path.name}: {column_label(layout.names, p)} holds whole numbers that "
              f"repeat beside text ({', '.join(map(cell_repr, shown))}): codes, read as "
              "categories (one column each), its numbers too; to read its numbers as "
              "numbers, fix or clear the text cells." for p, shown in
              layout.coded_columns.items()]
    if layout.repeated_headers:
        repeated = layout.repeated_headers
        notes.append(f"note: {path.name}: row(s) {', '.join(map(str, repeated[:5]))}"
                     f"{' ...' if len(repeated) > 5 else ''} repeat the header row (files "
                     "joined one after the other, each with its header?); they are skipped.")
    notes += [dropped_note] if dropped_note else []
    if layout.unseen:
        notes.append(_unseen_note(path, layout))
    if recipe is not None and (filled := _filled_note(path, layout, recipe, X)):
        notes.append(filled)
    if empty_rows:
        notes.append(f"note: {path.name}: row(s) {', '.join(map(str, empty_rows[:5]))}"
                     f"{' ...' if len(empty_rows) > 5 else ''} hold empty cells only "
                     f"({sep * 2!r}: rows a spreadsheet once formatted or cleared); they are "
                     "skipped, as blank lines are.")
    # rows skipped among or below the rows read, which pandas and spreadsheets count
    top = sample[0][0] if layout.header else int(lines[0])
    skipped = sorted(r for r in [*empty_rows, *layout.repeated_headers,
                                 *(line for line, _ in layout.footer_rows)] if r > top)
    blank_rows = np.searchsorted(lines, skipped).tolist()
    if blank_rows and recipe is not None and layout.label is None:  # predictions
        notes.append(f"note: {path.name}: the predictions have an empty row for each row "
                     f"skipped among or below the rows read (row(s) "
                     f"{', '.join(map(str, skipped[:5]))}{' ...' if len(skipped) > 5 else ''}"
                     "), so that they stay in step with the file's rows.")
    if title_rows:
        said = "is a title, not a row" if len(title_rows) == 1 else "are titles, not rows"
        notes.append(f"note: {path.name}: {_margin_text(title_rows)} above the table "
                     f"{said}; skipped.")
    if layout.footer_rows:
        notes.append(f"note: {path.name}: {_margin_text(layout.footer_rows)} below the "
                     "table, a note or a total (as spreadsheets have them), not "
                     f"{'an example' if len(layout.footer_rows) == 1 else 'examples'}; "
                     "skipped.")
    if printed:
        notes.append(f"note: {path.name}: line(s) {', '.join(map(str, printed[:5]))}"
                     f"{' ...' if len(printed) > 5 else ''} are the rules or the row count "
                     "of a printed table (psql, MySQL, Markdown: ---+---, (40 rows)); they "
                     "are skipped.")
    if comments:
        notes.append(f"note: {path.name}: line(s) {', '.join(map(str, comment_lines[:5]))}"
                     f"{' ...' if comments > 5 else ''} before the table start with '#': "
                     "comments (as R's read.table and pandas' comment='#' read them), "
                     "skipped.")
    if row_names:
        notes.append(f"note: {path.name}: the header has one cell fewer than the rows, as R's "
                     "write.table writes it: the first column is read as the row names "
                     "(an unnamed column).")
    if trailing == 1:
        notes.append(f"note: {path.name}: every row ends with the delimiter {sep!r} (an empty "
                     "last cell); that empty cell is not read as a column.")
    elif trailing:
        notes.append(f"note: {path.name}: every row, the header too, ends with {trailing} "
                     f"empty cells ({sep * trailing!r}, as a spreadsheet saves cells formatted "
                     "beside the table); they are not read as columns.")
    if layout.label is None:
        known = as_classes(classes) if classes is not None else np.empty(0, dtype=np.int64)
        return Dataset(X=X, y=None, classes=known, name=path.name, table=table, notes=notes,
                       ids=ids, blank_rows=blank_rows)
    assert labels is not None
    _check_labels_present(path, layout, labels, label_values, lines)
    if task not in ("classification", "regression", "auto"):
        raise InputError(f"task must be classification, regression or auto; got {task!r}.")
    if task != "classification" and classes is None:
        values = _regression_values(path, layout, labels, label_values, lines,
                                    required=task == "regression")
        if values is not None:
            if recipe is None and values.ndim == 1:
                note = _missing_code_note(
                    path, f"the target column {column_label(layout.names, layout.label)}",
                    values, lines, then=", then leave those rows out with "
                    "`drop_unlabelled`")
                notes += [note] if note else []
            return Dataset(X=X, y=values, classes=np.empty(0, dtype=np.float64),
                           name=path.name, table=table, notes=notes, ids=ids)
    y, known = _encode_labels(path, layout, labels, label_values, lines, classes, task)
    if recipe is None:
        notes += _look_alike_notes(path, layout, [str(c) for c in known])
        notes += _header_read_as_data(path, layout, sample[0], y, header)
    return Dataset(X=X, y=y, classes=known, name=path.name, table=table, notes=notes,
                   ids=ids)


def _header_read_as_data(path: Path, layout: _Layout, first: tuple[int, list[str]],
                         y: np.ndarray, header: bool | None) -> list[str]:
    """A warning when the first row, read as data (no header detected), has a label seen
    in no other row while the other rows' labels repeat: a header of names the detection
    could not tell from data (numbers as names, such as years, above a text label)."""
    if header is not None or layout.header or y.size < 3 or layout.label is None:
        return []
    counts = np.bincount(y)
    if counts[y[0]] != 1 or (counts == 1).sum() != 1:
        return []
    cells = ", ".join(cell_repr(c) for c in first[1][:6]) + (
        ", ..." if len(first[1]) > 6 else "")
    return [f"warning: {path.name}: row {first[0]} ({cells}) was read as data, no header "
            f"being detected, and its label {cell_repr(first[1][layout.label])} occurs in "
            "no other row: if that row names the columns, give `header='yes'`."]


#: the spellings of yes and no that spreadsheets and exports write (Y/N, TRUE/FALSE)
_YES_NO = {**dict.fromkeys(("y", "yes", "true", "t"), "yes"),
           **dict.fromkeys(("n", "no", "false", "f"), "no")}


def _folded(value: str, yes_no: bool = True) -> str:
    """``value`` in lower case with its runs of spaces as one, a spelling of yes or no as
    that word (``yes_no``): how look-alikes compare."""
    folded = " ".join(value.split()).casefold()
    return _YES_NO.get(folded, folded) if yes_no else folded


def look_alike(values: Sequence[str]) -> list[list[str]]:
    """Groups of two or more distinct values that differ only in letter case or spaces
    ('Yes', 'yes', 'YES'; 'New York', 'New  York') or in how they write yes or no ('Y',
    'yes', 'TRUE')."""
    groups: dict[str, list[str]] = {}
    for v in values:
        groups.setdefault(_folded(v), []).append(v)
    return [g for g in groups.values() if len(g) > 1]


def _alike_words(groups: list[list[str]]) -> str:
    """How the values of ``groups`` differ: "only in case or spaces", or with a yes/no
    written two ways."""
    spelled = any(len({_folded(v, yes_no=False) for v in g}) > 1 for g in groups)
    return "only in case, spaces or how yes or no is written" if spelled else \
        "only in case or spaces"


def _look_alike_notes(path: Path, layout: _Layout, classes: list[str]) -> list[str]:
    """Warnings for a label, and notes for text feature columns, whose values differ only
    in case or spaces: each is its own class or one-hot column, which a person rarely
    means (a file typed by hand, or joined from two sources)."""
    def listed(groups: list[list[str]]) -> str:
        return ", ".join(" / ".join(cell_repr(v) for v in g) for g in groups[:4]) + (
            " ..." if len(groups) > 4 else "")

    out = []
    alike = look_alike(classes)
    if alike:
        out.append(f"warning: {path.name}: the label column "
                   f"{column_label(layout.names, layout.label)} has values that differ "
                   f"{_alike_words(alike)} ({listed(alike)}): each is a class of its own. If "
                   "they mean the same, write them alike in the file.")
    for j, cats in layout.recipe.categorical.items():
        alike = look_alike([str(c) for c in cats or []])
        if alike:
            out.append(f"note: {path.name}: {column_label(layout.names, layout.features[j])} "
                       f"has categories that differ {_alike_words(alike)} ({listed(alike)}): "
                       "each is a one-hot column of its own; write them alike if they mean "
                       "the same.")
    return out


#: numbers statistics packages and survey files write for a missing answer (SPSS's -99,
#: Stata's and SAS's exports of coded data: 999, -9999, ...)
_MISSING_CODES = (-9.0, -99.0, -999.0, -9999.0, -99999.0, 99.0, 999.0, 9999.0, 99999.0,
                  999999.0)


def missing_code(values: np.ndarray) -> tuple[float, int, float, float] | None:
    """(code, rows holding it, the other values' min and max) where the column ``values``
    (N,) holds one of :data:`_MISSING_CODES` in at least 2 rows, and that value lies
    farther from the other values than their whole range (0 to 6, and -99): a code for a
    missing value, read as a number. None otherwise (a code among values of its size,
    such as 99 among ages, is no different from them)."""
    finite = values[np.isfinite(values)]
    coded = np.isin(finite, _MISSING_CODES)
    if int(coded.sum()) < 2:
        return None
    rest = finite[~coded]  # the values that are no code
    if rest.size < 2:
        return None
    lo, hi = float(rest.min()), float(rest.max())
    span = max(hi - lo, 1.0)
    for code in _MISSING_CODES:
        count = int(np.count_nonzero(finite == code))
        if count < 2 or count == finite.size:
            continue
        if (code < 0 and code < lo - span) or (code > 0 and code > hi + span):
            return code, count, lo, hi
    return None


def _missing_code_note(path: Path, what: str, values: np.ndarray, lines: np.ndarray,
                       then: str = "") -> str | None:
    """A warning naming a column (``what``) whose ``values`` hold a missing-value code
    (:func:`missing_code`), with its first row, and how to mark those cells missing
    (``then``: what to do next, for a target)."""
    found = missing_code(values)
    if found is None:
        return None
    code, count, lo, hi = found
    first = int(lines[np.flatnonzero(values == code)[0]])
    side = "below" if code < 0 else "above"
    return (f"warning: {path.name}: {what} holds {code:g} in {count:,} rows (first at row "
            f"{first}), far {side} its other values ({lo:g} to {hi:g}): a code for a "
            "missing value, as SPSS, Stata and survey files write one? It is read as the "
            f"number {code:g}; if it means missing, empty those cells or write NA (pandas: "
            f"df.replace({code:g}, np.nan)){then}.")


def _unseen_note(path: Path, layout: _Layout) -> str:
    """The note naming the categories of a file read with a model's recipe that training
    did not see (encoded as all zeros under ``handle_unknown="ignore"``)."""
    parts = []
    for j, counts in sorted(layout.unseen.items()):
        rows = sum(counts.values())
        known = {_folded(str(c)): str(c)
                 for c in layout.categories.get(j) or layout.recipe.categorical.get(j) or []}

        values = ", ".join(_with_known_spelling(v, known) for v in list(counts)[:3]) + (
            f" and {len(counts) - 3} more" if len(counts) > 3 else "")
        parts.append(f"{column_label(layout.names, layout.features[j])}: {values} "
                     f"({rows:,} row{'s' if rows != 1 else ''})")
    return (f"note: {path.name}: categories not seen in training are encoded as all zeros, "
            f"so the model knows nothing of them there ({'; '.join(parts)}); "
            "`handle_unknown='error'` refuses such rows instead.")


def _filled_note(path: Path, layout: _Layout, recipe: TableRecipe, X: np.ndarray
                 ) -> str | None:
    """The note naming the missing cells of a file read with a model's ``recipe`` (raw
    features ``X`` (N, F)), which get the training split's median or most frequent
    category, column by column; a column missing in every row is said to be one: the
    model answers as if every row held the training value. None where nothing is filled."""
    if recipe.impute != "median" or not X.size:
        return None
    missing = np.isnan(np.asarray(X, dtype=np.float64)).sum(axis=0)
    parts, everywhere = [], False
    for j in np.flatnonzero(missing).tolist():
        value = (f"the most frequent category {cell_repr(recipe.modes[j])}" if j in recipe.modes
                 else f"the median {recipe.medians[j]:.6g}")
        whole = X.shape[0] > 1 and missing[j] == X.shape[0]
        everywhere |= whole
        count = f"every row ({missing[j]:,})" if whole else f"{missing[j]:,}"
        parts.append(f"{column_label(layout.names, layout.features[j])}: {count} with {value}")
    if not parts:
        return None
    shown = "; ".join(parts[:6]) + (f"; and {len(parts) - 6} more column(s)"
                                     if len(parts) > 6 else "")
    empty = (": a column empty in every row tells the model nothing of these rows, which "
             "it predicts as if each held the training value (is it the column the model "
             "was trained on?)" if everywhere else "")
    return f"note: {path.name}: missing cells filled as in training ({shown}){empty}."


def _with_known_spelling(value: str, known: dict[str, str]) -> str:
    """``'MALE'`` -> ``"'MALE' (the model knows 'male')"`` where a category the model knows
    (``known``: its case- and space-folded spellings) differs from it only so."""
    alike = known.get(_folded(value))
    return cell_repr(value) + (f" (the model knows {cell_repr(alike)})" if alike else "")


def _index_note(path: Path, layout: _Layout, position: int) -> str:
    return (f"note: {path.name}: {column_label(layout.names, position)} holds the row numbers "
            "(0, 1, 2, ... or, under an empty header cell or a first column's name for row "
            "numbers such as rownames or index, distinct whole numbers in any order, or "
            "those of frames joined by pd.concat, each once per frame: an "
            "index, as pandas' to_csv writes unless index=False, or R's row names), not a "
            "property of "
            "the examples, so it is not used as a feature (files given to predict may have it "
            "or not).")


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _skipped_note(path: Path, layout: _Layout, position: int) -> str:
    return (f"note: {path.name}: {column_label(layout.names, position)} is not a column the "
            "model was trained on and holds row numbers (pandas' index); it is not read as "
            "a feature.")


def _empty_note(path: Path, layout: _Layout, position: int, rows: int) -> str:
    within = (f" of the first {rows} (a value in a later row is an error)"
              if rows >= _SAMPLE_ROWS else "")
    return (f"note: {path.name}: {column_label(layout.names, position)} is empty in every "
            f"row{within}, so it is not used as a feature.")


def _image_column_note(path: Path, layout: _Layout, position: int) -> str:
    """The note on a column of image file names beside other features (left out)."""
    shown = ", ".join(layout.image_columns[position][:2])
    return (f"note: {path.name}: {column_label(layout.names, position)} names image files "
            f"({shown}, ...): a path is not a feature, so it is not used; numpynn reads "
            "images from a folder with one subfolder per class (FOLDER/CLASS/IMAGE, "
            "--data FOLDER), not through a table.")


def _refuse_list_of_images(path: Path, names: list[str] | None, label: int | None,
                           images: dict[int, list[str]]) -> None:
    """A table that lists image files beside their labels and holds nothing else (Kaggle's
    train.csv of id and label, a labelling tool's export): its only features would be the
    file names, one-hot, which carry nothing of the images. Refused, saying how numpynn
    reads a labelled set of images."""
    position, shown = next(iter(images.items()))
    where = path.parent / Path(shown[0]).parent if shown else path.parent
    by = ("its class" if label is None else
          f"its label (column {names[label]!r})" if names else f"its label (column {label})")
    raise DataError(f"{path}: {column_label(names, position)} names image files "
                    f"({', '.join(shown[:2])}, ...) and the table has no other feature: it is "
                    "a list of images with their labels, which numpynn does not read; put "
                    f"each image in a subfolder named by {by} (FOLDER/CLASS/IMAGE, e.g. "
                    f"{where.as_posix()}/CLASS/{Path(shown[0]).name}) and give --data FOLDER.")


def _other_dates_note(path: Path, layout: _Layout, position: int, kind: str,
                      shown: list[str]) -> str:
    """The note on a column of dates written day or month first, or of times of day
    (``kind``: "dates" or "times"; ``shown``: a few of its cells), which are text."""
    what = ("left out of the features as an identifier (its values mostly occur once)"
            if position in layout.identifier_columns else
            "read as categories, one-hot columns that know nothing of the values between "
            "or after them")
    fix = ("write them year first (2020-03-15, 2020-03-15 13:45), which is read as a "
           "number, the year with its fraction" if kind == "dates" else
           "write them as numbers (13:45 as 13.75 hours), or with their date year first "
           "(2020-03-15 13:45)")
    why = ("the order of day and month cannot be told from a cell" if kind == "dates" else
           "hours:minutes cannot be told from minutes:seconds")
    return (f"note: {path.name}: {column_label(layout.names, position)} holds {kind} "
            f"({', '.join(shown)}, ...), read as text ({why}), so it is {what}. To use them "
            f"as numbers, {fix}.")


#: a number followed by its unit: 50.5 kg, 170cm, 3.2 GB, 20 °C, 5 m/s
_WITH_UNIT = re.compile(r"[+-]?\d[\d.,]*\s*([^\d\s.,+-][^\d\s]{0,7})")


def _unit_of(body: list[tuple[int, list[str]]], position: int) -> tuple[str, str] | None:
    """(the unit, a cell) where most filled sampled cells of the column are a number
    followed by one unit ('50.5 kg'), else None."""
    cells = [c[position].strip() for _, c in body
             if len(c) > position and not is_missing(c[position])]
    units = collections.Counter(m.group(1) for c in cells if (m := _WITH_UNIT.fullmatch(c)))
    if not units:
        return None
    unit, count = units.most_common(1)[0]
    if 5 * count < 4 * len(cells):
        return None
    return unit, next(c for c in cells if c.endswith(unit))


def _identifier_note(path: Path, layout: _Layout, position: int,
                     body: list[tuple[int, list[str]]] = ()) -> str:
    once, filled = layout.identifier_columns[position]
    unit = _unit_of(list(body), position)
    if unit is not None:  # a measurement written with its unit: text to the reader
        return (f"note: {path.name}: {column_label(layout.names, position)} holds numbers "
                f"written with a unit ({unit[1]!r}), which are text to a CSV reader, and "
                "nearly all differ, so it is not used as a feature; to use it, write the "
                f"numbers alone and the unit in the column's name "
                f"({_unit_name(layout.names, position, unit[0])}).")
    return (f"note: {path.name}: {column_label(layout.names, position)} holds text whose "
            f"values mostly occur in one row only ({once} of {filled} filled cells read): an "
            "identifier or free text (names, ticket numbers, comments), not a category that "
            "repeats, so one-hot columns of it could not carry over to new rows; it is not "
            "used as a feature. To use it, put what it means (a title, a prefix) in a column "
            "of its own.")


def _unit_name(names: list[str] | None, position: int, unit: str) -> str:
    """A column name that carries the unit: 'weight_kg'."""
    name = names[position] if names and position < len(names) and names[position] else "col"
    return f"{name}_{unit}"


def _thousands_columns(layout: _Layout, data_rows: list[tuple[int, list[str]]]) -> set[int]:
    """The positions of the numeric columns of a file separated by ; or tab whose points
    group thousands, by the sampled ``data_rows``: those that write decimal commas
    ("1.234,5") and, where a numeric column or the label does (setting
    ``layout.writes_decimal_commas``), those that write no decimal point ("1.299" beside
    "899"): in a file of decimal commas a point is no decimal mark."""
    numeric = [p for j, p in enumerate(layout.features) if j not in layout.categories]
    found = {p for p in numeric if any(len(cells) > p and writes_decimal_comma(cells[p])
                                       for _, cells in data_rows)}
    label = [] if layout.label is None else [layout.label]
    layout.writes_decimal_commas = bool(found) or any(
        len(cells) > p and writes_decimal_comma(cells[p])
        for _, cells in data_rows for p in label)
    if layout.writes_decimal_commas:
        found |= {p for p in numeric if p not in found and groups_thousands(
            [cells[p] for _, cells in data_rows if len(cells) > p and not is_missing(cells[p])])}
    return found


def _regression_values(path: Path, layout: _Layout, codes: np.ndarray, texts: list[str],
                       lines: np.ndarray, required: bool) -> np.ndarray | None:
    """The label cells as float64 targets (N,) when regression is wanted (``required``)
    or the column looks continuous; None for classes (auto)."""
    points = layout.decimal_comma and (
        any(writes_decimal_comma(t) for t in texts)
        or (layout.writes_decimal_commas
            and groups_thousands([t for t in texts if not is_missing(t)])))
    if layout.from_model:  # or as the model's training file wrote its targets
        points = points or (layout.decimal_comma and layout.recipe.label_thousands_points)
    else:
        layout.recipe.label_thousands_points = points
    parsed = [number_value(t, layout.decimal_comma, points) for t in texts]
    if not required and any(map(zero_padded, texts)):  # codes ('01', '02134'): classes
        return None
    if any(v is None for v in parsed):
        if not required:
            return None
        bad = parsed.index(None)
        row = int(lines[int(np.flatnonzero(codes == bad)[0])])
        raise DataError(f"{path}: row {row}, {column_label(layout.names, layout.label)}: "
                        f"label {cell_repr(texts[bad])} is not a number; regression needs numeric "
                        "targets: fix the cell, or train a classifier with "
                        "`task='classification'`")
    numbers = np.array(parsed, dtype=np.float64)
    values = numbers[codes]
    if not np.isfinite(values).all():
        row = int(lines[int(np.flatnonzero(~np.isfinite(values))[0])])
        raise DataError(f"{path}: row {row}: the target is NaN or infinite; regression needs "
                        "finite targets: fill in or drop that row")
    if required or looks_continuous(values):
        return values
    return None


# ------------------------------------------------------------------------ the text
#: byte-order marks of UTF-16, which Excel's "Unicode Text" export writes
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


#: what reading a damaged or truncated compressed stream raises
_STREAM_ERRORS = (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, zlib.error)


#: the first bytes of files in formats numpynn does not read, whatever their ending
_SIGNATURES = (
    (b"PAR1", OTHER_FORMATS[(".parquet", ".pq")]),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OTHER_FORMATS[(".xlsx", ".xlsm", ".xls", ".ods")]),
    (b"ARROW1", OTHER_FORMATS[(".feather", ".arrow")]),
    (b"\x89HDF\r\n\x1a\n", OTHER_FORMATS[(".h5", ".hdf5")]),
    (b"\x93NUMPY", OTHER_FORMATS[(".npy",)]),
    (b"SQLite format 3\x00", ("an SQLite database", "export a table as CSV with a header: "
                              "sqlite3 -header -csv {path!r} 'SELECT * FROM TABLE' > "
                              "data.csv")),
    (b"%PDF", ("a PDF document", "export the table from the program that made it as CSV")),
    (b"\x89PNG", ("an image (PNG)", "put images in an .npz file: np.savez('data.npz', "
                                    "X=images, y=labels), X of shape (N, H, W[, C])")),
    (b"\xff\xd8\xff", ("an image (JPEG)", "put images in an .npz file: np.savez('data.npz', "
                                          "X=images, y=labels), X of shape (N, H, W[, C])")),
)
def _refuse_other_file_kind(path: Path) -> None:
    """A DataError for a file whose first bytes say it is not a table in text, whatever
    its ending: a workbook, Parquet, SQLite, HDF5, an image (:data:`_SIGNATURES`), an
    .xlsx or .ods workbook (a zip of XML), a web page or a Git LFS pointer
    (:func:`~numpynn.data._files.not_the_data`)."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(512)
    except OSError:
        return  # reading it says what is wrong
    try:
        binary = b"\x00" in start or not start.decode("utf-8")
    except UnicodeDecodeError:
        binary = True
    for magic, (kind, how) in _SIGNATURES:
        if start.startswith(magic) and binary:  # a header 'PAR1,PAR2' is a table's
            raise DataError(conversion_message(str(path), kind, how))
    if start.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return
        if "[Content_Types].xml" in names or "mimetype" in names:  # Office Open, OpenDocument
            kind, how = OTHER_FORMATS[_office_kind(path, names)]
            raise DataError(conversion_message(str(path), kind, how))
        arrays = [n for n in names if not n.endswith("/")]
        if arrays and all(n.endswith(".npy") for n in arrays):  # np.savez's archive
            held = ", ".join(n[:-4] for n in arrays[:6]) + (" ..." if len(arrays) > 6 else "")
            raise DataError(f"{path} is a NumPy .npz archive (arrays {held}) with another "
                            f"ending; rename it to end in .npz (mv {path} "
                            f"{path.with_suffix('.npz')}) and give that file")
        return
    what = not_the_data(start) or _binary_kind(start, path)
    if what is not None:
        raise DataError(f"{path} is {what}")


def _office_kind(path: Path, names: list[str]) -> tuple[str, ...]:
    """The :data:`OTHER_FORMATS` key of an Office Open or OpenDocument zip by what it
    holds: a Word or Writer document, a presentation, else a workbook."""
    mimetype = b""
    if "mimetype" in names:
        try:
            with zipfile.ZipFile(path) as archive:
                mimetype = archive.read("mimetype")[:100]
        except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
            pass
    if any(n.startswith("word/") for n in names) or mimetype.endswith(b".text"):
        return (".docx", ".doc", ".odt", ".rtf")
    if any(n.startswith("ppt/") for n in names) or mimetype.endswith(b".presentation"):
        return (".pptx", ".ppt", ".odp")
    return (".xlsx", ".xlsm", ".xls", ".ods")


#: bytes of no text (control characters but tab, line ends and form feeds)
_NOT_TEXT = frozenset([*range(0, 9), *range(14, 32), 127])
#: compressed streams, which the reader opens: not "binary" here
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"PK\x03\x04")


def _binary_kind(start: bytes, path: Path) -> str | None:
    """What a file whose first (up to 512) bytes are ``start`` is where they are no text
    in any encoding the reader knows (a program, a tar archive, other binary data) and no
    compressed stream it opens, as "a ..." with the fix; else None. Without it, such a
    file was read as text in another encoding ("mixes two encodings") or as rows cut
    short by NUL bytes."""
    if start.startswith(_COMPRESSED) or start[:2] in UTF16_BOMS \
            or _utf16_without_bom(start[:4]):
        return None
    if start and not start.strip(b"\x00"):
        return ("only NUL bytes (\\x00) at its start, no text: a file whose writing or copy was "
                "cut short, or a disk's damage, leaves them: restore the file from its source")
    if start[257:262] == b"ustar":
        return (f"a tar archive, not a table: extract it (tar xf {shlex.quote(str(path))}) and "
                "give the CSV file it holds")
    if start.startswith((b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")):
        return "a program (an executable), not a table: give the data file"
    if len(start) >= 16 and sum(b in _NOT_TEXT for b in start) > len(start) // 20:
        return ("binary data, not a table in text (its first bytes: "
                f"{start[:8].hex(' ')}): give a CSV file (or an .npz of arrays), or save "
                "the data as one from the program that made it")
    return None


def _zip_of_images(path: Path, images: list[str]) -> str:
    """The error of a zip archive of images (a folder of class folders zipped): numpynn
    reads the folder, unzipped, not the archive."""
    tops = {Path(n).parts[0] if len(Path(n).parts) > 2 else "" for n in images}
    if len(tops) == 1 and "" not in tops:  # pets.zip holds pets/CLASS/IMAGE
        folder = path.parent / tops.pop()
        # unzip writes into the working directory: -d puts the folder beside the archive
        unzip = f"unzip {path}" + ("" if path.parent == Path() else f" -d {path.parent}")
    else:  # it holds CLASS/IMAGE
        folder = path.with_suffix("")
        unzip = f"unzip {path} -d {folder}"
    return (f"{path}: a zip archive of {len(images):,} images ({images[0]}, ...); numpynn reads "
            f"a folder of images, not its archive: unzip it ({unzip}) and give "
            f"the folder whose subfolders are the classes: --data {folder}")


def _open_binary(path: Path) -> io.BufferedIOBase:
    """The file's bytes, decompressed when its first bytes say it is gzip, bz2, xz or a
    zip archive (of one file: another is a DataError naming its files)."""
    with open(path, "rb") as fh:
        magic = fh.read(10)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    if magic[:3] == b"BZh" and magic[4:10] == b"1AY&SY":
        return bz2.open(path, "rb")
    if magic[:6] == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb")
    if magic[:4] == b"PK\x03\x04":
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist()
                   if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if len(members) != 1:
            archive.close()
            names = ", ".join(m.filename for m in members[:5]) + (
                " ..." if len(members) > 5 else "")
            images = [m.filename for m in members
                      if Path(m.filename).suffix.lower() in IMAGE_SUFFIXES]
            if len(images) > len(members) // 2:
                raise DataError(_zip_of_images(path, images))
            raise DataError(f"{path}: a zip archive of {len(members)} files ({names}); "
                            "numpynn reads one table: unzip it and give the CSV file, or "
                            "give a zip that holds only it")
        return archive.open(members[0])  # type: ignore[return-value]
    return open(path, "rb")


def _open_text(path: Path, encoding: str | None = None) -> TextIO:
    """The file as text, decompressed (:func:`_open_binary`): in ``encoding``, or (None)
    UTF-8 (a BOM skipped), or UTF-16 when it starts with UTF-16's byte-order mark or with
    two ASCII characters in UTF-16 (:func:`_utf16_without_bom`)."""
    try:
        with _open_binary(path) as fh:
            start = fh.read(4)
        raw = _open_binary(path)
    except _STREAM_ERRORS as exc:
        raise DataError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
                        ) from None
    if encoding is None:
        encoding = ("utf-16" if start[:2] in UTF16_BOMS else _utf16_without_bom(start)
                    or "utf-8-sig")
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _utf16_without_bom(start: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" where a file's first 4 bytes are two printable ASCII
    characters in UTF-16 without a byte-order mark (every other byte 0: what SQL
    Server's bcp and some Windows tools write), else None."""
    def text(b: bytes) -> bool:
        return all(32 <= c < 127 or c in (9, 10, 13) for c in b)

    if len(start) == 4 and start[1] == start[3] == 0 and text(start[0::2]):
        return "utf-16-le"
    if len(start) == 4 and start[0] == start[2] == 0 and text(start[1::2]):
        return "utf-16-be"
    return None


class _NotUtf8Error(DataError):
    """A byte that is not UTF-8 in a file read as UTF-8 (near row :attr:`line`)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


#: a character of two to four bytes as UTF-8 writes it (é is C3 A9): in a file that is
#: not UTF-8 throughout, text of another program joined to UTF-8 text
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|"
                            rb"[\xf0-\xf4][\x80-\xbf]{3}")


def _utf8_survey(path: Path) -> tuple[int, int]:
    """How many characters of more than one byte, as UTF-8 writes them, the file holds
    (a Windows-1252 file holds such pairs only by rare chance: Ã followed by ©), and the
    line of its first byte that is not UTF-8 (0: none, or the file cannot be read)."""
    count = lines = bad = 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with _open_binary(path) as fh:
            while chunk := fh.read(1 << 20):
                count += len(_UTF8_SEQUENCE.findall(chunk))
                if not bad:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        bad = lines + chunk.count(b"\n", 0, max(0, exc.start)) + 1
                lines += chunk.count(b"\n")
    except (*_STREAM_ERRORS, DataError):
        return 0, 0
    return count, bad


#: bytes of a file read to tell legacy text from binary data
_LEGACY_PROBE = 1 << 16


def _legacy_encoding(path: Path) -> str | None:
    """"cp1252" where a file that is not UTF-8 reads as Windows-1252 text (what Excel's
    'CSV' writes on Windows: é as one byte), else None: binary data (a NUL byte in its
    first 64 KiB, or a byte that Windows-1252 leaves undefined)."""
    try:
        with _open_text(path, "cp1252") as fh:
            probe = fh.read(_LEGACY_PROBE)
            if "\x00" in probe:
                return None
            while fh.read(1 << 20):
                pass
    except (UnicodeDecodeError, *_STREAM_ERRORS, DataError):
        return None
    return "cp1252"


def _text_errors(path: Path, line: int):
    """Decoding problems of the text stream -> DataError."""

    def convert(exc: BaseException) -> DataError:
        if isinstance(exc, UnicodeDecodeError):
            return _NotUtf8Error(
                f"{path}: not a UTF-8 text file (undecodable byte near row {line}); save it "
                "as UTF-8 comma-separated values (e.g. 'CSV UTF-8' in a spreadsheet)", line)
        if isinstance(exc, csv.Error):
            return DataError(f"{path}: row {line}: malformed CSV ({exc})")
        return DataError(f"{path}: cannot read it as compressed text ({exc})")

    return convert


_DECLARED = re.compile(r"sep=(.)")


def _declared_delimiter(path: Path, encoding: str | None = None) -> str | None:
    """The delimiter a first line ``sep=;`` declares (Excel writes and reads it), else
    None."""
    try:
        with _open_text(path, encoding) as fh:
            first = fh.readline(64)
    except (UnicodeDecodeError, *_STREAM_ERRORS, DataError):
        return None
    match = _DECLARED.fullmatch(first.rstrip("\r\n").strip('"'))
    return match.group(1) if match and match.group(1) not in "\"\r\n" else None


def sniff_delimiter(path: str | os.PathLike[str]) -> str:
    """The delimiter of a CSV file among ``,`` ``;`` tab ``|`` and space, from its first
    lines.

    A first line ``sep=X`` (Excel's) declares it. Else csv.Sniffer (restricted to those)
    decides, ``|`` and space only where every sampled line splits into as many cells
    (:func:`_splits_evenly`); when it cannot, the one of ``,`` ``;`` and tab that occurs
    most often in the first line wins, and ``,`` when none occurs.
    """
    path = require_file(as_path(path), "CSV file")
    try:
        return _sniff(path, None)
    except UnicodeDecodeError:
        legacy = _legacy_encoding(path)
    return "," if legacy is None else _sniff(path, legacy)  # the reader reports a problem


def _sniff(path: Path, encoding: str | None, declared: bool = True) -> str:
    """:func:`sniff_delimiter` of a file in ``encoding`` (None: UTF-8, or UTF-16 by its
    BOM); UnicodeDecodeError where its first lines are not in it. ``declared=False``: the
    caller has looked for a ``sep=`` first line already."""
    found = _declared_delimiter(path, encoding) if declared else None
    if found:
        return found
    try:
        with _open_text(path, encoding) as fh:
            lines = []
            for line in fh:
                if (line.strip() and not (_is_comment(line) and not lines)
                        and not is_printed_table_line(line)):
                    lines.append(line)
                if len(lines) >= 50:
                    break
    except _STREAM_ERRORS:
        return ","  # the reader reports the problem with its row
    if not lines:
        return ","
    titles = _title_lines(lines)
    lines = lines[titles:]  # a title above the table, as spreadsheets export it
    sample = "".join(lines)
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(SNIFFED_DELIMITERS)).delimiter
    except csv.Error:
        found = None
    if found == " " and _splits_evenly(lines, "|"):  # psql's " a | b ": spaced pipes
        return "|"
    if found == "\t" and _aligned_with_a_tab(lines):  # UCI's auto-mpg.data: columns
        return " "  # aligned by runs of spaces, a tab before the last (a quoted name)
    if found in SNIFFED_DELIMITERS and found in lines[0] and (
            found in DELIMITERS or _splits_evenly(lines, found)):
        return found
    counts = {d: lines[0].count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    if not counts[best] and _splits_evenly(lines, " "):  # columns aligned by spaces
        return " "
    return best if counts[best] else ","


def _aligned_with_a_tab(lines: list[str]) -> bool:
    """Whether lines that hold a tab are columns aligned by runs of spaces, a tab among
    them (UCI's ``auto-mpg.data``): every line has a run of two spaces or more, and split
    at runs of spaces and tabs they have more cells, evenly, than split at tabs."""
    if not all(re.search(r"\S {2,}\S", line) for line in lines):
        return False
    tabs = {len(cells) for cells in _reader(lines, "\t")}
    spaced = [len(cells) for cells in _reader(lines, " ")]
    return _splits_evenly(lines, " ") and spaced[-1] > max(tabs)


def _title_lines(lines: list[str]) -> int:
    """How many of the first (at most 3) lines hold none of the delimiters while the line
    below them does: a title above a table (``Sales 2023``), not a row of it."""
    marks = (*DELIMITERS, "|")
    k = 0
    while k < min(3, len(lines) - 1) and not any(d in lines[k] for d in marks):
        k += 1
    return k if any(d in lines[k] for d in marks) else 0


def _splits_evenly(lines: list[str], delimiter: str) -> bool:
    """Whether every sampled line has the same number of cells split at ``delimiter``
    (quotes respected), the first line one fewer allowed (R's header without a cell for
    the row names), and more than one cell."""
    widths = [len(cells) for cells in _reader(lines, delimiter)]
    body = set(widths[1:]) or {widths[0]}
    return len(body) == 1 and body.pop() > 1 and widths[0] in (widths[-1], widths[-1] - 1)


def _reader(lines: Iterable[str], delimiter: str) -> Any:
    """``csv.reader`` over ``lines``. The space delimiter is a run of spaces or tabs, and
    those starting or ending a line separate nothing: tables aligned in columns (UCI's
    ``.data`` files, R's ``write.table``, a printed frame) read as R's ``read.table`` and
    pandas' whitespace separator read them. Likewise a ``|`` starting or ending a line
    of a ``|``-separated table (MySQL's and Markdown's tables: ``| a | b |``)."""
    if delimiter == "|":
        return csv.reader((_without_outer_pipes(line) for line in lines), delimiter="|",
                          skipinitialspace=True)
    if delimiter != " ":
        return csv.reader(lines, delimiter=delimiter)
    return csv.reader((_trimmed(line) for line in lines), delimiter=" ",
                      skipinitialspace=True)


def _without_outer_pipes(line: str) -> str:
    """A line of a ``|``-separated table without the ``|`` that starts and the one that
    ends it, where both are there (its line break kept)."""
    body = line.rstrip("\r\n")
    inner = body.strip()
    if len(inner) > 1 and inner[0] == inner[-1] == "|":
        return inner[1:-1] + line[len(body):]
    return line


#: a rule line of a printed table: psql's ``---+---``, MySQL's ``+---+---+``, Markdown's
#: ``|---|:--:|``, a line of ``===`` under a header
_RULE = re.compile(r"[\s|+:]*(?:-{3,}|={3,})[-=\s|+:]*")
#: psql's row count below its table: ``(40 rows)``, ``(1 row)``
_ROW_COUNT = re.compile(r"\(\d+ rows?\)")


def is_printed_table_line(line: str) -> bool:
    """Whether ``line`` is a rule or the row count of a table printed by psql, MySQL or
    Markdown: not a row of the table."""
    text = line.strip()
    return bool(_RULE.fullmatch(text) or _ROW_COUNT.fullmatch(text))


def _trimmed(line: str) -> str:
    """A line without the spaces and tabs at its two ends (its line break kept), tabs
    within it as spaces."""
    body = line.rstrip("\r\n")
    return body.replace("\t", " ").strip(" ") + line[len(body):]


def _check_delimiter(delimiter: str) -> str:
    if isinstance(delimiter, str):
        delimiter = DELIMITER_NAMES.get(delimiter, delimiter)
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise InputError(f"delimiter must be one character such as ',' ';' or 'tab'; "
                         f"got {delimiter!r}")
    return delimiter


#: the byte-order mark as text: the start of a UTF-8 file saved by Excel or Notepad
_BOM = "\ufeff"
#: the longest cell read (Python's csv module refuses cells over 128 KiB by default: a
#: page of notes or a JSON document in a cell; 2**31 - 1 is the largest on every platform)
_FIELD_LIMIT = 2**31 - 1


def _rows(fh: TextIO, delimiter: str, path: Path, skipped: int = 0,
          empty: list[int] | None = None, printed: list[int] | None = None
          ) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows as (the line the row starts on, as an editor counts: a quoted
    cell may span lines; stripped cells); ``skipped`` lines were read before. A row of
    empty cells only (``,,,``: what spreadsheets save for rows below the table that were
    once formatted or cleared) is blank too; its line is added to ``empty``. A UTF-8
    byte-order mark starting a line (files saved by Excel joined with ``cat``) is
    dropped. The rules and the row count of a table printed by psql, MySQL or Markdown
    (:func:`is_printed_table_line`) are skipped, their lines added to ``printed``."""
    if csv.field_size_limit() < _FIELD_LIMIT:  # a long cell is text, not a broken file
        csv.field_size_limit(_FIELD_LIMIT)
    reader = _reader(fh, delimiter)
    convert = _text_errors(path, 1)
    while True:
        start = reader.line_num + 1 + skipped
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error, OSError, EOFError) as exc:
            raise _text_errors(path, start)(exc) from None
        except Exception as exc:  # zlib.error from a damaged gzip stream
            raise convert(exc) from None
        cells = [cell.strip() for cell in cells]
        if not "".join(cells).isascii():  # "é" as one character, as macOS may not write it
            cells = [composed(cell) for cell in cells]
        if cells and cells[0].startswith(_BOM):  # a file joined after this one's start
            cells[0] = cells[0].lstrip(_BOM).strip()
        if not any(cells):
            if len(cells) > 1 and empty is not None:
                empty.append(start)
            continue
        if is_printed_table_line(delimiter.join(cells)):
            if printed is not None:
                printed.append(start)
            continue
        yield start, cells


_SVMLIGHT_PAIR = re.compile(r"(?:\d+|qid):[-+.\deE]+")
#: the first statement of an SQL script or dump (pg_dump, mysqldump, sqlite3 .dump)
_SQL = re.compile(r"(?:INSERT\s+INTO|CREATE\s+(?:TABLE|DATABASE|SCHEMA)|BEGIN\s+TRANSACTION|"
                  r"PRAGMA\s|SET\s+\w+\s*=|DROP\s+TABLE|COPY\s+\S+\s+\(|USE\s+\w+;)",
                  re.IGNORECASE)


def _refuse_other_text_format(path: Path, sep: str, sample: list[tuple[int, list[str]]]
                              ) -> None:
    """DataError where the sampled rows are a text format other than a table, whatever
    the file's ending: Weka's ARFF (``@relation`` first, after ``%`` comments) or svmlight /
    LIBSVM (``label index:value ...`` on every line), JSON or JSON Lines (``[{...`` or a
    ``{...}`` record a line) or an SQL script (``INSERT INTO ...``), which read as a table
    would be nonsense (classes such as ``'2:-0.048'``) or "a header but no data rows"."""
    lines = [sep.join(cells) for _, cells in sample[:50]]
    first = next((line for line in lines if not line.startswith("%")), "")
    statement = next((line for line in lines if not line.startswith(("--", "/*"))), "")
    kind = None
    if first.lower().startswith("@relation"):
        kind = "arff"
    elif _SQL.match(statement):
        kind = "sql"
    elif lines[0].startswith("{") and lines[0].endswith("}"):
        kind = "jsonl" if len(lines) > 1 and lines[1].startswith("{") else "json"
    elif lines[0] == "[" or lines[0].startswith(("[{", "[[", '["')):
        kind = "json"
    elif all(len(words := line.split()) > 1
             and all(_SVMLIGHT_PAIR.fullmatch(w) for w in words[1:]) for line in lines):
        kind = "svmlight"
    if kind is not None:
        raise DataError(conversion_message(str(path), *TEXT_FORMATS[kind]))


def _ends_with_delimiter(sample: list[tuple[int, list[str]]]) -> int:
    """How many empty cells every sampled row, a header first, ends with: some exports
    write ``a,b,c,`` (one), a spreadsheet ``a,b,c,,,`` for cells formatted beside the
    table; those cells are not columns (nor one that pandas named ``Unnamed: 4`` in the
    header, reading and writing such a file). Without a header (a first row of text) an
    empty last column may be a label column left empty, which must be refused as such, so
    0."""
    if len(sample) < 2:
        return 0
    head = list(sample[0][1])  # pandas' names of empty columns it read and wrote back
    j = len(head) - 1
    while j > 0 and (not head[j].strip() or re.fullmatch(r"Unnamed: \d+", head[j].strip())):
        head[j] = ""
        j -= 1
    k = min(len(cells) - 1 - _last_filled(cells)
            for cells in [head, *(cells for _, cells in sample[1:])])
    first = sample[0][1][:-k] if k else []
    header_like = any(not number_either_way(c) and not is_missing(c) for c in first)
    return k if header_like else 0


def _last_filled(cells: list[str]) -> int:
    """The position of the last non-empty cell of ``cells`` (0 when none is)."""
    return max((p for p, cell in enumerate(cells) if cell), default=0)


def _leading_comments(sample: list[tuple[int, list[str]]]) -> int:
    """How many of the first rows are comments: they start with ``#`` (a line of notes
    above the table), except the last of them where it has as many cells as the row
    below it (a header whose first name starts with ``#``, as ``#id``); where every
    sampled row starts with ``#`` (a first column of values such as ``#FF0000``): 0."""
    k = 0
    while k < len(sample) and sample[k][1][0].startswith("#"):
        k += 1
    if k == len(sample):
        return 0
    if k and len(sample[k - 1][1]) == len(sample[k][1]) > 1:
        k -= 1
    return k


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _header_lacks_row_names(sample: list[tuple[int, list[str]]]) -> bool:
    """Whether the first row, a header (some cell is not a number), has one cell fewer
    than every sampled row below it: R's ``write.table`` (and ``read.table``'s rule) puts
    the row names first in every row and no cell above them."""
    first = sample[0][1]
    body = [cells for _, cells in sample[1:]]
    return (bool(body) and all(len(cells) == len(first) + 1 for cells in body)
            and any(not number_either_way(c) and not is_missing(c) for c in first))


def _without_last_cells(rows: Iterator[tuple[int, list[str]]], width: int, k: int
                        ) -> Iterator[tuple[int, list[str]]]:
    """The rows after the sample, the ``k`` trailing empty cells cut where they are
    there."""
    for line, cells in rows:
        yield line, (cells[:-k] if len(cells) == width + k and not any(cells[-k:])
                     else cells)


def _chain(sample: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]],
           layout: _Layout, path: Path) -> Iterator[tuple[int, list[str]]]:
    """The data rows (sample then the rest of the file), each checked for its length and
    for values in a column left out as empty in the sample; copies of the header skipped,
    and notes or totals below the table (:func:`_margin_row`, the last rows only; not
    where the first column is ``id_column``'s, whose rows are examples to predict)."""
    header = layout.names if layout.header else None
    folded = None if header is None else [_folded(name, yes_no=False) for name in header]
    rows = itertools.chain(sample, rest)
    first_numeric = 0 in layout.features and layout.features.index(0) not in \
        layout.categories
    last = 0  # the last line of the row before
    pending: collections.deque[tuple[int, list[str]]] = collections.deque()
    while True:
        if not pending:
            row = next(rows, None)
            if row is None:
                return
            pending.append(row)
        line, cells = pending.popleft()
        if cells == header or (folded is not None and len(cells) == len(folded)
                               and _folded(cells[0], yes_no=False) == folded[0]
                               and [_folded(c, yes_no=False) for c in cells] == folded):
            layout.repeated_headers.append(line)  # files joined, each with its header
            continue
        apart = bool(last) and line > last + 1
        if layout.carry != 0 and _margin_row(cells, first_numeric, apart):  # notes below?
            pending.extend(itertools.islice(rows, _FOOTER_ROWS + 1 - len(pending)))
            below = [(line, cells), *pending]
            if len(below) <= _FOOTER_ROWS and all(_margin_row(c, first_numeric, apart)
                                                  for _, c in below):
                layout.footer_rows += [(n, c[0]) for n, c in below]
                return
        last = _end_line(line, cells)
        _check_width(line, cells, layout.n_columns, path, header is not None)
        for p in layout.empty_columns:  # empty in the sample by definition
            if not is_missing(cells[p]):
                raise DataError(
                    f"{path}: row {line}, {column_label(layout.names, p)}: "
                    f"{cell_repr(cells[p])}, but the column is empty in the first "
                    f"{_SAMPLE_ROWS} rows, which left it out as an empty column; fill it in "
                    "there too (then it is a feature), or "
                    f"leave it out with `ignore_columns={_column_spec(layout.names, p)}`")
        yield line, cells


#: the most rows below a table read as its notes or totals
_FOOTER_ROWS = 5
#: the first cell of a row of totals below a table (Excel's Total row, a sum, a mean)
_SUMMARY = re.compile(r"(?:grand\s*|sub)?(?:total|sum|average|mean|median|count|min|max)s?"
                      r"\s*:?", re.IGNORECASE)


def _margin_row(cells: list[str], first_numeric: bool, apart: bool = False) -> bool:
    """Whether a row reads as a title or a note beside a table rather than an example:
    its first cell names a total (``Total,1234,``); or it is text and no other cell is
    filled (``Source: survey,,``), where the first column holds numbers, the text says
    ``Note:``-like (a colon), or the row is ``apart`` from the table (a blank line
    between them, or a title above a header). A row of a text first column with its
    other cells missing is otherwise an example."""
    first = cells[0] if cells else ""
    if not first:
        return False
    if any(cells[1:]):  # every row of data but the rarest: one regex, no number parsing
        return bool(_SUMMARY.fullmatch(first))
    if ("\n" in first or not first.isprintable() or is_missing(first)
            or number_either_way(first)):  # a quote left open, NUL bytes: said as such
        return False
    return first_numeric or apart or ":" in first


def _title_rows(sample: list[tuple[int, list[str]]]) -> int:
    """How many of the first rows (at most 3) are titles above the table: one text cell
    filled (:func:`_margin_row`, not a total), above a header (two or more cells filled,
    none a number)."""
    k = 0
    while (k < min(3, len(sample) - 2) and sum(map(bool, sample[k][1])) == 1
           and _margin_row(sample[k][1], False, apart=True)):
        k += 1
    if not k:
        return 0
    header = [cell for cell in sample[k][1] if cell]
    return k if len(header) > 1 and not any(number_either_way(c) for c in header) else 0


def _names_only(cells: list[str]) -> bool:
    """Whether a row's filled cells are all text, none a number or a missing value."""
    filled = [c for c in cells if c and not is_missing(c)]
    return bool(filled) and not any(number_either_way(c) for c in filled)


def _refuse_header_rows(path: Path, sample: list[tuple[int, list[str]]]) -> None:
    """DataError where the table starts with two or three rows of names above its numbers
    (a row of units below the header, pandas' MultiIndex columns): numpynn reads one
    header row, and the second would be a row of text in columns of numbers."""
    k = 0
    while k < min(4, len(sample) - 1) and _names_only(sample[k][1]):
        k += 1
    if k < 2:
        return
    below = [cells for _, cells in sample[k:] if len(cells) == len(sample[k][1])]
    named = [j for j in range(len(sample[k][1]))
             if all(j < len(cells) and cells[j] and not is_missing(cells[j])
                    for _, cells in sample[:k])
             and (numbers := [c[j] for c in below if c[j] and not is_missing(c[j])])
             and all(number_either_way(c) for c in numbers)]
    if not named:
        return
    j = named[0]
    said = " / ".join(repr(cells[j]) for _, cells in sample[:k])
    lines = ", ".join(str(line) for line, _ in sample[:k])
    raise DataError(
        f"{path}: rows {lines} all hold names above the numbers (column index {j}: {said}): "
        "a second header row, such as a row of units or pandas' MultiIndex columns; numpynn "
        "reads one header row: delete the others, or join them into one (pandas: "
        "df.columns = [' '.join(c).strip() for c in df.columns])")


def _footer_rows(sample: list[tuple[int, list[str]]]) -> int:
    """How many of the last rows of a whole file (at most :data:`_FOOTER_ROWS`) are notes
    or totals below the table (:func:`_margin_row`); the first column counts as numbers
    where its other cells below the first row are numbers or missing."""
    body = sample[1:]
    first_numeric = bool(body) and all(
        number_either_way(cells[0]) or is_missing(cells[0]) for _, cells in
        body[:max(0, len(body) - _FOOTER_ROWS)] if cells)
    k = 0
    while k < min(_FOOTER_ROWS, len(sample) - 2):
        start = len(sample) - 1 - k  # the block sample[start:] below the table
        apart = sample[start][0] > _end_line(*sample[start - 1]) + 1  # a blank line above
        if not all(_margin_row(cells, first_numeric, apart) for _, cells in sample[start:]):
            break
        k += 1
    return k


def _end_line(line: int, cells: list[str]) -> int:
    """The last line of the row that starts on ``line`` (a quoted cell may span lines)."""
    return line + sum(cell.count("\n") for cell in cells)


def _margin_text(rows: list[tuple[int, str]]) -> str:
    """``row 43 ('Source: internal')``, ``rows 42, 43 ('Total', 'Source: x')``."""
    lines = ", ".join(str(line) for line, _ in rows)
    return (f"row{'s' if len(rows) > 1 else ''} {lines} "
            f"({', '.join(cell_repr(text) for _, text in rows)})")


def _listed(specs: Sequence[int | str], names: Sequence[str] | None) -> list[int | str]:
    """Columns as given, a text naming several (``'id,notes'``, as the command line takes
    them) split at its commas where it is no column's name."""
    out: list[int | str] = []
    for spec in specs:
        if isinstance(spec, str) and "," in spec and spec.strip() not in (names or ()):
            out += [part.strip() for part in spec.split(",") if part.strip()]
        else:
            out.append(spec)
    return out


def _column_spec(names: list[str] | None, position: int) -> str:
    """How to give a column to ``ignore_columns``: its name, else its index."""
    return repr(names[position]) if names is not None and names[position] else str(position)


def _check_width(line: int, cells: list[str], n_columns: int, path: Path,
                 headed: bool = False) -> None:
    """A row of another width than the first is an error; where one of its cells spans
    lines, the message says which quote is the likely cause."""
    if len(cells) != n_columns:
        spans = max((cell.count("\n") + 1 for cell in cells), default=1)
        quote = ("" if spans == 1 else
                 f"; a quoted cell of this row runs over {spans:,} lines: a quote (\") that "
                 "opens a cell and is not closed on its line takes in the lines below it. "
                 "Close the quote, or write a quote within a cell as two (\"\"), as the CSV "
                 "rule is")
        damaged = ("; it holds NUL bytes (\\x00), as a file whose writing or copy was cut "
                   "short, or a disk's damage, leaves them: restore the file from its source"
                   if any("\x00" in cell for cell in cells) else "")
        joined = ("; it holds names only, as a header does: another table, with other "
                  "columns, joined below this one? Give each table as a file of its own, or "
                  "give them the same columns" if headed and len(cells) > 1
                  and _names_only(cells) and not quote else "")
        raise DataError(f"{path}: row {line} has {len(cells)} columns, expected {n_columns} "
                        "(as in the first row); every row must have the same number of cells"
                        f"{quote}{damaged}{joined}")


# ----------------------------------------------------------------------- the layout
@dataclass
class _Layout:
    header: bool
    n_columns: int
    names: list[str] | None  # this file's header
    label: int | None  # position in this file
    features: list[int]  # positions in this file, in the recipe's feature order
    categories: dict[int, list[str] | None]  # feature number -> known categories or None
    recipe: TableRecipe  # unfitted (training) or the model's (predict/evaluate)
    from_model: bool = False
    index_columns: list[int] = field(default_factory=list)  # row numbers, left out
    empty_columns: list[int] = field(default_factory=list)  # no value in the sample
    repeated_headers: list[int] = field(default_factory=list)  # rows equal to the header
    #: rows below the table that are notes or totals (:func:`_margin_row`), skipped
    footer_rows: list[tuple[int, str]] = field(default_factory=list)
    #: text columns whose values mostly occur once -> (values seen once, filled cells)
    identifier_columns: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: columns of a file read with a recipe that the model does not know and that are
    #: left out: an index, the file's own ids, ``ignore_columns``
    skipped_columns: list[int] = field(default_factory=list)
    carry: int | None = None  # the position of ``id_column``, whose cells become ids
    numeric_ids: list[int] = field(default_factory=list)  # numbers named as ids, left out
    #: columns of whole-number codes beside text codes, read as categories -> a few of
    #: their text values (:func:`~numpynn.data.csv_columns.mixed_codes`)
    coded_columns: dict[int, list[str]] = field(default_factory=dict)
    #: columns of image file names -> a few of them (left out: a path is no feature)
    image_columns: dict[int, list[str]] = field(default_factory=dict)
    #: numbers named as ids whose values repeat, kept as features -> (distinct, filled)
    repeated_ids: dict[int, tuple[int, int]] = field(default_factory=dict)
    decimal_comma: bool = False  # "5,1" is 5.1 (files separated by ; or tab)
    #: numeric columns whose sampled cells write decimal commas ("1.234,5"): a point in
    #: their other cells groups thousands ("12.345" is 12345)
    thousands_points: set[int] = field(default_factory=set)
    #: whether a numeric column or the label of the file's sample writes decimal commas:
    #: then a point groups thousands in any column whose pointed cells all group them
    writes_decimal_commas: bool = False
    #: feature number -> {category not seen in training: rows} (``handle_unknown="ignore"``)
    unseen: dict[int, dict[str, int]] = field(default_factory=dict)


def _layout(path: Path, sample: list[tuple[int, list[str]]], delimiter: str,
            label_column: int | str | None, ignore_columns: Sequence[int | str],
            recipe: TableRecipe | None, header: bool | None = None,
            id_column: int | str | None = None) -> _Layout:
    first_line, first = sample[0]
    n_columns = len(first)
    if recipe is not None:
        return _layout_from_recipe(path, sample, label_column is not None, recipe,
                                   delimiter != ",", header, ignore_columns, id_column)
    has_header = _is_header(first, sample[1:], delimiter != ",") if header is None else header
    names = list(first) if has_header else None
    if names is not None:
        counts = collections.Counter(names)  # (names.count per name: quadratic in width)
        seen = [n for n in names if counts[n] > 1]
        if seen:
            raise DataError(f"{path}: row {first_line}: the header names {seen[0]!r} more than "
                            "once; give every column a distinct name")
    label = (None if label_column is None else
             resolve_column(label_column, names, n_columns, str(path), "label_column"))
    ignored: list[int] = []
    for spec in _listed(ignore_columns, names):
        position = resolve_column(spec, names, n_columns, str(path), "ignore_columns")
        if position == label:
            raise DataError(f"{path}: {column_label(names, position)} is the label column; "
                            "it cannot also be ignored")
        if position not in ignored:
            ignored.append(position)
    body = sample[1:] if has_header else sample
    chosen = [j for j in range(n_columns) if j != label and j not in ignored]
    index_columns = [j for j in chosen
                     if holds_row_numbers(body, j, names[j] if names else None)]
    whole = [row for row in body if len(row[1]) == n_columns]  # ragged rows fail later
    empty_columns = [j for j in chosen
                     if whole and all(is_missing(cells[j]) for _, cells in whole)]
    images = {j: shown for j in chosen if j not in index_columns + empty_columns
              and (shown := image_file_names(whole, j))}
    if images and all(j in images or j in index_columns + empty_columns for j in chosen):
        _refuse_list_of_images(path, names, label, images)
    identifiers = {j: counts for j in chosen if j not in index_columns + empty_columns
                   and j not in images
                   and (counts := identifier_counts(whole, j)) is not None}
    numeric_ids = [j for j in chosen if names and j not in index_columns + empty_columns
                   and j not in identifiers and j not in images
                   and numeric_identifier(whole, j, names[j])]
    ignored += index_columns + empty_columns + list(images) + list(identifiers) + numeric_ids
    repeated_ids = {j: counts for j in chosen if names and j not in ignored
                    and (counts := repeated_identifier(whole, j, names[j])) is not None}
    features = [j for j in range(n_columns) if j != label and j not in ignored]
    if not features:
        auto = [*index_columns, *empty_columns, *images, *identifiers, *numeric_ids]
        _no_features(path, first_line, n_columns, names, label, ignored[:len(ignored) - len(
            auto)], auto, delimiter, first)
    coded = {p: text[:3] for p in features if not mostly_text(body, p)
             and (text := mixed_codes(whole, p))  # a word for no value is not a code
             and not any(t.lower() in _NOT_NUMBERS for t in text)}
    categorical = [j for j, p in enumerate(features) if mostly_text(body, p) or p in coded]
    recipe = TableRecipe(source="csv", n_features=len(features), delimiter=delimiter,
                         header=has_header, header_given=header is not None, columns=names,
                         n_columns=n_columns, label=label,
                         ignored=sorted(ignored), features=features,
                         categorical={j: [] for j in categorical})
    return _Layout(has_header, n_columns, names, label, features,
                   {j: None for j in categorical}, recipe, index_columns=index_columns,
                   empty_columns=empty_columns, identifier_columns=identifiers,
                   numeric_ids=numeric_ids, coded_columns=coded, repeated_ids=repeated_ids,
                   image_columns=images)


def _no_features(path: Path, first_line: int, n_columns: int, names: list[str] | None,
                 label: int | None, given: list[int], auto: list[int], delimiter: str,
                 first: list[str]) -> None:
    """The error for a table with no feature column left: what took each column (the
    label, ``ignore_columns``, the columns left out on their own) and the fix for that;
    a file read as one column may be separated by another delimiter."""
    def said(columns: list[int]) -> str:
        return ", ".join(column_label(names, j) for j in sorted(columns))

    if n_columns == 1 or not (given or auto):
        counts = {d: first[0].count(d) for d in (*DELIMITERS, "|") if d != delimiter}
        other = max(counts, key=lambda d: counts[d])
        word = _delimiter_word(other)
        fix = (f"; it splits at {word} into {counts[other] + 1} cells: give `delimiter` "
               f"{shlex.quote(word)}" if counts[other] else
               "; if the file is separated otherwise, give `delimiter`")
        raise DataError(
            f"{path}: row {first_line} has a single column, so there is no feature column "
            f"besides the label (delimiter {_delimiter_word(delimiter)!r}){fix}")
    taken = [] if label is None else [f"the label is {column_label(names, label)}"]
    if given:
        taken.append(f"`ignore_columns` leaves out {said(given)}")
    if auto:
        taken.append(f"left out as row numbers, empty or identifiers: {said(auto)}")
    fix = ("ignore fewer columns: keep at least one feature in the table" if given else
           "a table needs at least one column of features besides the label")
    raise DataError(f"{path}: no feature column is left of its {n_columns} columns "
                    f"({'; '.join(taken)}); {fix}")


def _delimiter_word(delimiter: str) -> str:
    """A delimiter as ``delimiter`` takes it: ``tab`` and ``space`` by name."""
    return {"\t": "tab", " ": "space"}.get(delimiter, delimiter)


def _layout_from_recipe(path: Path, sample: list[tuple[int, list[str]]], labelled: bool,
                        recipe: TableRecipe, decimal_comma: bool, header: bool | None = None,
                        ignore_columns: Sequence[int | str] = (),
                        id_column: int | str | None = None) -> _Layout:
    first = sample[0][1]
    n = len(first)
    known = set(recipe.columns or [])
    if header is None and recipe.header_given:
        header = recipe.header
    lone = len(sample) == 1 and not known & set(first)  # one row to predict, no name known:
    has_header = (header if header is not None else  # a row of data when it holds a number
                  bool(known & set(first)) or (
                      not any(is_number_cell(c, decimal_comma) for c in first) if lone else
                      _is_header(first, sample[1:], decimal_comma)))
    names = list(first) if has_header else None
    skipped = [resolve_column(c, names, n, str(path), "ignore_columns")
               for c in _listed(ignore_columns, names)]
    needed = set(recipe.feature_names or []) if names is not None else set()
    clash = [names[p] for p in skipped if names is not None and names[p] in needed]
    if clash:
        raise DataError(f"{path}: `ignore_columns` names {_names(clash)}, which the model was "
                        "trained on and needs; leave only the columns it does not know "
                        "out (an id, notes)")
    carry = (None if id_column is None else
             resolve_column(id_column, names, n, str(path), "id_column"))
    if carry is not None:
        skipped.append(carry)
    categories: dict[int, list[str] | None] = dict(recipe.categorical.items())
    if has_header and recipe.feature_names is not None:
        body = sample[1:]
        extra = {first[p] for p in skipped} | {
            name for p, name in enumerate(first)
            if name not in known and index_of_a_few_rows(body, p, name)}
        features = recipe.match_names(first, str(path), labelled=labelled, extra=extra)
        label = (first.index(recipe.label_name)
                 if labelled and recipe.label_name is not None else None)
        skipped_names = {first[p] for p in skipped}
        left_out = sorted(p for p, name in enumerate(first) if name in extra
                          and name not in skipped_names and p not in features and p != label)
        return _Layout(True, n, list(first), label, features, categories, recipe, True,
                       skipped_columns=left_out, carry=carry)
    # positionally: the training file's layout, or the feature columns alone, once the
    # columns to skip are set aside
    kept = [p for p in range(n) if p not in skipped]
    F, C, m = recipe.n_features, recipe.n_columns, len(kept)
    left_out: list[int] = []  # the columns skipped were named by the caller
    if labelled:
        if m != C or recipe.label is None:
            raise DataError(f"{path} has {m} columns but the model expects {C} ({F} features "
                            "and the label), in the order of the training file")
        return _Layout(has_header, n, names, kept[recipe.label],
                       [kept[p] for p in recipe.features], categories, recipe, True,
                       skipped_columns=left_out, carry=carry)
    if m == C:
        return _Layout(has_header, n, names, None, [kept[p] for p in recipe.features],
                       categories, recipe, True, skipped_columns=left_out, carry=carry)
    if m == F:
        return _Layout(has_header, n, names, None, kept, categories, recipe, True,
                       skipped_columns=left_out, carry=carry)
    if m == C - 1 and recipe.label is not None:  # the training file's columns but the label
        label = recipe.label % C  # (a test file as Kaggle's: its id column kept)
        return _Layout(has_header, n, names, None,
                       [kept[p - (p > label)] for p in recipe.features], categories, recipe,
                       True, skipped_columns=left_out, carry=carry)
    also = f", {C - 1} (without the label)" if recipe.label is not None and C - 1 != F else ""
    raise DataError(f"{path} has {m} columns but the model expects {F} (the features){also} "
                    f"or {C} (as the training file, with the label); a file without a header "
                    "is read by position")


def _is_header(first: list[str], body: list[tuple[int, list[str]]],
               decimal_comma: bool = False) -> bool:
    """Whether the first row names the columns.

    Yes when some column holds a text cell in the first row and numbers below it; for
    columns that are text throughout, when no first-row cell occurs again below it.
    decimal_comma: "5,1" counts as a number.
    """
    width = len(first)  # a copy of the first row further down (joined files) says nothing
    rows = [cells for _, cells in body if len(cells) == width and cells != first]
    if not rows:  # a single row: a header if any cell is text
        return any(not is_number_cell(c, decimal_comma) and not is_missing(c) for c in first)
    text_cells = [j for j, cell in enumerate(first)
                  if not is_number_cell(cell, decimal_comma) and not is_missing(cell)]
    for j in text_cells:  # text above numbers: a header, whatever the other columns hold
        below = [r[j] for r in rows if not is_missing(r[j])]
        if below and all(is_number_cell(c, decimal_comma) for c in below):
            return True
    if len(text_cells) < width:
        return False
    # text throughout: a header when no first-row cell occurs again in its column
    return not any(first[j] in (r[j] for r in rows) for j in text_cells)


# ------------------------------------------------------------------- the conversion
def _convert_rows(path: Path, layout: _Layout, rows: Iterator[tuple[int, list[str]]]
                  ) -> tuple[np.ndarray, np.ndarray | None, list[str], np.ndarray,
                             list[str] | None]:
    """Convert the data rows block by block.

    Returns X (N, F) float64 raw features (categorical columns: codes into
    ``layout.recipe.categorical`` after sorting, -1 unknown; NaN missing), the label
    codes (N,) into the label texts (in order of first appearance), those texts, the
    line number of every row (N,), and the cells of ``layout.carry`` (N,) or None.
    """
    features, label = layout.features, layout.label
    cat_maps: dict[int, dict[str, int]] = {}
    for j, known in layout.categories.items():
        cat_maps[j] = {c: i for i, c in enumerate(known)} if known is not None else {}
    growing = {j for j, known in layout.categories.items() if known is None}
    numeric = [j for j in range(len(features)) if j not in cat_maps]
    label_map: dict[str, int] = {}
    blocks, label_blocks, line_blocks = [], [], []
    carried: list[str] | None = None if layout.carry is None else []
    block: list[tuple[int, list[str]]] = []

    def flush() -> None:
        X = np.empty((len(block), len(features)), dtype=np.float64)
        # columns that write decimal commas read "12.345" as 12345, not as float does
        slow = [j for j in numeric if features[j] in layout.thousands_points]
        fast = [j for j in numeric if features[j] not in layout.thousands_points]
        positions = [features[j] for j in fast]
        try:  # the fast path: every numeric cell of the block parses
            X[:, fast] = np.array([[cells[p] for p in positions] for _, cells in block],
                                  dtype=np.float64).reshape(len(block), len(fast))
        except ValueError:  # missing cells or text: column by column, cell by cell
            slow = numeric
        for j in slow:
            X[:, j] = _numbers([cells[features[j]] for _, cells in block],
                               block, features[j], layout, path)
        for j, mapping in cat_maps.items():
            p = features[j]
            X[:, j] = [_category(cells[p], mapping, j in growing, line, j, layout, path)
                       for line, cells in block]
        blocks.append(X)
        line_blocks.append(np.fromiter((line for line, _ in block), np.int64, len(block)))
        if carried is not None:
            carried.extend(cells[layout.carry] for _, cells in block)
        if label is not None:
            label_blocks.append(np.fromiter(
                (label_map.setdefault(cells[label], len(label_map)) for _, cells in block),
                np.int64, len(block)))
        block.clear()

    for row in rows:
        block.append(row)
        if len(block) == _BLOCK_ROWS:
            flush()
    if block or not blocks:
        flush()
    X = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    blocks.clear()  # the blocks are copied into X
    for j in growing:  # file categories in sorted order, codes renumbered to match
        names = sorted(cat_maps[j])
        renumber = np.array([cat_maps[j][n] for n in names], dtype=np.int64)
        order = np.empty(len(names) + 1, dtype=np.float64)
        order[renumber] = np.arange(len(names))
        order[-1] = np.nan
        codes = X[:, j]
        codes[np.isnan(codes)] = -1
        X[:, j] = order[codes.astype(np.int64)]
        layout.recipe.categorical[j] = names
    labels = None if label is None else np.concatenate(label_blocks)
    return X, labels, list(label_map), np.concatenate(line_blocks), carried


def _numbers(cells: list[str], block: list[tuple[int, list[str]]], position: int,
             layout: _Layout, path: Path) -> np.ndarray:
    """One numeric column of a block -> float64; missing cells become NaN."""
    points = position in layout.thousands_points
    if not points:
        try:
            return np.array(cells, dtype=np.float64)
        except ValueError:
            pass
    out = np.empty(len(cells), dtype=np.float64)
    for i, cell in enumerate(cells):
        value = number_value(cell, layout.decimal_comma, points)
        if value is not None:
            out[i] = value
        else:
            if not is_missing(cell):
                hint = (" (this column was numeric in the training data)"
                        if layout.from_model else "")
                if "," in cell and is_number(decimal_point(cell)):
                    hint += (" (a decimal comma? in a comma-separated file write numbers with "
                             "a decimal point; files separated by ; or tab may use commas)")
                hint += _not_a_number_hint(cell)
                fix = ("" if layout.from_model else
                       "; fix the text cells of the column, or leave the column out with "
                       f"`ignore_columns={_column_spec(layout.names, position)}`")
                raise DataError(
                    f"{path}: row {block[i][0]}, {column_label(layout.names, position)}: cannot "
                    f"read {cell_repr(cell)} as a number; feature columns must be numeric, or "
                    f"mostly text (then they are categorical), and this one is mostly numbers{hint}"
                    f"{fix}") from None
            out[i] = np.nan
    return out


#: cells of a column of numbers that other tools write for no value or zero: what each is
_NOT_NUMBERS = {
    **dict.fromkeys(("-", "--", "\u2013", "\u2014"),
                    "a dash: how accounting formats show zero and reports no value; write 0, "
                    "or leave the cell empty for a missing value"),
    **dict.fromkeys(("none", "nat"),
                    "how Python and pandas print a missing value; leave the cell empty or "
                    "write NA, a missing cell"),
    **dict.fromkeys(("1.#inf", "-1.#inf", "#inf", "infinity"),
                    "an infinite value, which a network cannot use"),
    **dict.fromkeys(("n.a.", "n.a", "na.", "n. a.", "n/v", "k.a.", "n.d.", "n/d", "nil",
                     "(null)", "missing", "unknown", "..", "...", "s.o."),
                    "a word for no value; leave the cell empty or write NA, a missing cell "
                    "(filled with the column's median by default)"),
}

#: a number with its minus sign after it (SAP's and other ledgers' exports: 1.234,50-)
_TRAILING_MINUS = re.compile(r"\d[\d.,' ]*-")


def _not_a_number_hint(cell: str) -> str:
    """What a cell that is not a number in a column of numbers most likely is (a dash,
    Python's None, a word for no value, a minus sign written last, a date written day or
    month first), as " (...)"; else ""."""
    text = cell.strip()
    what = _NOT_NUMBERS.get(text.strip(f" {CURRENCY_SIGNS}").lower())  # "$ -": zero
    if what is None and re.fullmatch(r"(?:[<>]=?|[≤≥])\s*[+-]?\d[\d.,]*", text):
        what = ("a bound, not a value, as lab results write one beyond a detection limit; "
                "write a number (the limit, or half of it) or leave the cell empty")
    if what is None and _TRAILING_MINUS.fullmatch(text):
        what = (f"a number with its minus sign last, as SAP and ledgers export them; write "
                f"it first ('-{text[:-1]}')")
    kind = other_date_kind(text) if what is None else None
    if kind == "dates":
        what = ("a date written day or month first, which cannot be read unambiguously "
                "while the column's other cells are read as numbers or year-first dates; "
                "write every date year first (2020-03-15)")
    elif kind == "times":
        what = "a time of day; write it as a number (hours: 13.75 for 13:45)"
    return f" ({text!r} is {what})" if what else ""


def _same_truth_value(cell: str, mapping: dict[str, int]) -> int | None:
    """The code of the category that writes the same truth value as ``cell`` in another
    letter case, else None: pandas writes ``True``, R and Excel ``TRUE``, JSON ``true``,
    one value whichever tool wrote the file (the model's or a file joined from two)."""
    folded = cell.strip().casefold()
    if folded not in ("true", "false"):
        return None
    return next((code for known, code in mapping.items()
                 if known.strip().casefold() == folded), None)


def _category(cell: str, mapping: dict[str, int], grow: bool, line: int, j: int,
              layout: _Layout, path: Path) -> float:
    if is_missing(cell):
        return np.nan
    code = mapping.get(cell)
    if code is None:
        code = _same_truth_value(cell, mapping)
    if code is not None:
        return float(code)
    if grow:
        mapping[cell] = len(mapping)
        return float(mapping[cell])
    if layout.recipe.handle_unknown == "ignore":
        seen = layout.unseen.setdefault(j, {})
        seen[cell] = seen.get(cell, 0) + 1
        return -1.0
    known = list(mapping)
    fix = ("give `handle_unknown='ignore'` to read unseen categories as all zeros" if
           layout.from_model else
           "train with `handle_unknown='ignore'` to encode unseen categories as all zeros")
    raise DataError(
        f"{path}: row {line}, {column_label(layout.names, layout.features[j])}: category "
        f"{cell_repr(cell)} was not seen in training (known: {preview(known)}); fix the value, "
        f"or {fix}")


def _check_values(path: Path, layout: _Layout, X: np.ndarray, lines: np.ndarray,
                  allow_missing: bool) -> None:
    """Missing cells (unless allowed) and infinite values, named by row and column."""
    bad = np.isnan(X)
    if not allow_missing and bad.any():
        i, j = np.argwhere(bad)[0]
        count = int(bad[:, j].sum())
        raise DataError(
            f"{path}: row {lines[i]}, {column_label(layout.names, layout.features[j])}: an "
            f"empty cell or missing value (NA, NaN, ?); that column has {count} missing "
            f"cell(s), {int(bad.any(axis=0).sum())} column(s) have some: fill in the missing "
            "cells, drop those rows, or train with `impute='median'`")
    infinite = np.isinf(X)
    if infinite.any():
        i, j = np.argwhere(infinite)[0]
        raise DataError(
            f"{path}: {int(infinite.sum())} feature value(s) are infinite (first at row "
            f"{lines[i]}, {column_label(layout.names, layout.features[j])}); NaN or infinite "
            "values cannot be used: clean the data or impute a finite value first")


# ------------------------------------------------------------------------ the labels
def _drop_unlabelled(path: Path, X: np.ndarray, codes: np.ndarray, texts: list[str],
                     lines: np.ndarray, ids: list[str] | None
                     ) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, str | None,
                                list[str] | None]:
    """The rows of (X (N, F), label codes (N,) into ``texts``, editor lines (N,), carried
    ids (N,) or None) whose label is present, the label texts re-coded without the
    missing ones, and a note (None when no row lacked a label)."""
    present = np.array([not is_missing(text) for text in texts], dtype=bool)
    if present.all():
        return X, codes, texts, lines, None, ids
    keep = present[codes]
    if not keep.any():
        raise DataError(f"{path}: no row has a label, so `drop_unlabelled` leaves nothing "
                        "to train on; check `label_column`")
    first = int(lines[int(np.argmax(~keep))])
    new_code = np.cumsum(present) - 1
    note = (f"note: {path.name}: {int((~keep).sum()):,} row(s) without a label (the first "
            f"at row {first}) are left out (`drop_unlabelled`).")
    kept_ids = None if ids is None else [i for i, k in zip(ids, keep) if k]
    return (X[keep], new_code[codes[keep]], [t for t, p in zip(texts, present) if p],
            lines[keep], note, kept_ids)


def _check_labels_present(path: Path, layout: _Layout, codes: np.ndarray, texts: list[str],
                          lines: np.ndarray) -> None:
    """A missing label (empty, NA, ?, ...) is an error naming its first row and the count,
    never a class of its own."""
    absent = [k for k, text in enumerate(texts) if is_missing(text)]
    if not absent:
        return
    rows = np.isin(codes, absent)
    first = int(lines[int(np.argmax(rows))])
    text = texts[int(codes[int(np.argmax(rows))])]
    shown = "empty" if text == "" else f"{cell_repr(text)}, a missing value"
    column = column_label(layout.names, layout.label)
    where = ("" if layout.from_model else
             f" ({column} is the label column: the last one unless `label_column` names "
             "another)")
    raise MissingLabelError(
        f"{path}: row {first}: the label is {shown}; {int(rows.sum())} row(s) have no "
        f"label{where}. Every labelled row needs one: fill them in or drop those rows "
        "(`drop_unlabelled=True`)", column=column, rows=int(rows.sum()))


class MissingLabelError(DataError):
    """Rows of a CSV file without a label: ``column`` (how messages name the label
    column) and the number of such ``rows``."""

    def __init__(self, message: str, *, column: str, rows: int) -> None:
        super().__init__(message)
        self.column, self.rows = column, rows


def _encode_labels(path: Path, layout: _Layout, codes: np.ndarray, texts: list[str],
                   lines: np.ndarray, classes: Sequence[object] | np.ndarray | None,
                   task: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """The label cells as class indices (N,) and the classes. Numbers that are not whole
    are refused as a continuous quantity, except where classification was asked for and
    they are few (at most 20 values, each in two rows on average: grades 2.5, 3.0...):
    then they are classes written as the file writes them."""
    first_rows = np.zeros(len(texts), dtype=np.int64)
    seen = np.zeros(len(texts), dtype=bool)
    for i, code in enumerate(codes.tolist()):  # the first row of every label value
        if not seen[code]:
            seen[code], first_rows[code] = True, lines[i]
        if seen.all():
            break
    if classes is not None and as_classes(classes).dtype.kind == "U":
        values = np.array(texts, dtype=str)  # missing labels were refused before
    else:
        if layout.decimal_comma and any(writes_decimal_comma(t) for t in texts) and all(
                is_number(t) or writes_decimal_comma(t) for t in texts):
            # numeric labels written with a decimal comma ("2,0" beside "2" in a ; file):
            # the numbers they write, as "2.0" is 2 in a comma-separated file
            texts = [decimal_point(t) if writes_decimal_comma(t) else t for t in texts]
        if (classes is None and all(is_number(t) for t in texts)
                and not any(map(zero_padded, texts))):  # codes ('01') are classes as text
            numbers = np.array([float(t) for t in texts])
            if (task == "classification" and len(texts) <= 20 and 2 * len(texts) <= len(codes)
                    and np.isfinite(numbers).all()
                    and not np.all(numbers == np.round(numbers))):
                return encode_labels(np.array(texts, dtype=str)[codes], None,
                                     source=str(path))
            if looks_continuous(numbers[codes]):
                fraction = np.flatnonzero(np.isfinite(numbers) & (numbers != np.round(numbers)))
                example = (None if not fraction.size else
                           (int(first_rows[fraction[0]]), texts[fraction[0]]))
                raise DataError(continuous_label_message(
                    str(path), column_label(layout.names, layout.label), numbers[codes],
                    example))
        values = parse_label_cells(texts, first_rows.tolist(), str(path),
                                   numbers=classes is not None)
    raw = values[codes]
    return encode_labels(raw, classes, source=str(path))
