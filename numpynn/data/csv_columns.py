"""Which columns of a CSV table say nothing about an example, decided on the sampled
rows: row numbers (an index), identifiers and free text (values that mostly occur once),
and whether a column is text at all."""

from __future__ import annotations

import re
from collections import Counter

from .cells import date_value, number_either_way
from .image_folder import IMAGE_SUFFIXES
from .table import is_missing

Rows = list[tuple[int, list[str]]]  # (line number, cells)


#: a column is taken for row numbers only in files with at least this many rows
_MIN_INDEX_ROWS = 20


def unnamed(name: str | None) -> bool:
    """Whether a header cell is the one pandas writes above its index: empty, or
    ``Unnamed: 0`` as a frame read back and written again names it."""
    return name is not None and (name.strip() == "" or
                                 re.fullmatch(r"Unnamed: \d+", name.strip()) is not None)


#: names of a first column of row numbers (compared lower-case without spaces and
#: punctuation): R's row names as Rdatasets' files name them (``rownames``,
#: ``row.names``), pandas' ``reset_index`` (``index``, ``level_0``); and ``X`` as it is,
#: what R's ``read.csv`` names the empty header cell that ``write.csv`` writes
_ROW_NAMES = frozenset({"rownames", "rowname", "rownumber", "rownumbers", "rownum", "index",
                        "rowindex", "level0"})


def named_as_row_names(name: str | None, position: int) -> bool:
    """Whether a first column's header names row numbers (see :data:`_ROW_NAMES`)."""
    return (position == 0 and name is not None
            and (name.strip() == "X"
                 or re.sub(r"[\s._:\-]", "", name.lower()) in _ROW_NAMES))


def distinct_whole_numbers(body: Rows, position: int, min_rows: int = _MIN_INDEX_ROWS
                            ) -> list[int] | None:
    """The column's sampled cells as whole numbers when they are all distinct (at least
    ``min_rows`` of them), else None."""
    if len(body) < min_rows:
        return None
    try:
        values = [int(cells[position]) for _, cells in body]
    except (ValueError, IndexError):
        return None
    return values if len(set(values)) == len(values) else None


#: frames joined one below the other (``pd.concat`` without ``ignore_index``) repeat
#: their index: a number of a joined index is in at most this many rows
_JOINED_FRAMES = 5


def joined_index(body: Rows, position: int, min_rows: int = _MIN_INDEX_ROWS) -> bool:
    """Whether the first column holds the index of frames joined one below the other, as
    ``pd.concat([a, b]).to_csv()`` writes it (0, 1, ..., 199, 0, 1, ..., 143, shuffled
    or split or not): non-negative whole numbers, at least half of the rows' distinct,
    none in more than :data:`_JOINED_FRAMES` rows (a column of a few values repeated,
    such as 0 to 6, is not one)."""
    if position != 0 or len(body) < min_rows:
        return False
    try:
        values = [int(cells[position]) for _, cells in body]
    except (ValueError, IndexError):
        return False
    counts = Counter(values)
    return (bool(values) and min(values) >= 0 and 2 * len(counts) >= len(values)
            and max(counts.values()) <= _JOINED_FRAMES)


def index_of_a_few_rows(body: Rows, position: int, name: str | None) -> bool:
    """Whether an unnamed column (pandas' index), or a first column named for row numbers,
    holds distinct non-negative whole numbers (or a joined index: :func:`joined_index`)
    in however few sampled rows: for a file given to a model that does not know the
    column, where a few rows to predict are common."""
    if not (unnamed(name) or named_as_row_names(name, position)):
        return False
    values = distinct_whole_numbers(body, position, min_rows=0)
    if values is None:
        return joined_index(body, position, min_rows=0)
    return min(values, default=0) >= 0


def holds_row_numbers(body: Rows, position: int, name: str | None = None) -> bool:
    """Whether the column at ``position`` counts the rows in the sampled rows: k, k+1,
    k+2, ... with k 0 or 1, or, under an empty header cell (pandas' index, written after
    a shuffle or a split) or a first column's name for row numbers (R's ``rownames``,
    pandas' ``index``: :func:`named_as_row_names`), distinct non-negative whole numbers
    in any order, or the index of frames joined one below the other
    (:func:`joined_index`). An index carries nothing about an example."""
    values = distinct_whole_numbers(body, position)
    if values is None:  # frames joined one below the other repeat their index
        return ((unnamed(name) or named_as_row_names(name, position))
                and joined_index(body, position))
    if unnamed(name) or named_as_row_names(name, position):
        return min(values) >= 0
    start = values[0]
    return start in (0, 1) and all(v == start + i for i, v in enumerate(values))


def _name_words(name: str) -> list[str]:
    """``customerID`` -> ["customer", "id"]; ``penguin_id`` -> ["penguin", "id"]."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)]


#: last words of a name for an identifier (compared lower-case): ``id``, ``customerID``;
#: a record's or a case's number as registers and R's data sets name it (``seqno``,
#: NHANES' ``SEQN``, ``case_no``, ``PatientNr``, ``subject_num``, ``serial``), a book's
#: ``isbn``
_ID_WORDS = frozenset({"id", "ids", "uid", "uuid", "no", "nr", "num", "number", "seqno",
                       "seqn", "recno", "serial", "serialno", "isbn"})


def numeric_identifier(body: Rows, position: int, name: str | None) -> bool:
    """Whether a column of numbers is an identifier: named as one (``id``, ``ID``,
    ``penguin_id``, ``customerID``, ``seqno``, ``case_no``: :data:`_ID_WORDS`) and its
    filled sampled cells all distinct whole numbers (``12`` or ``12.0``; at least
    :data:`_MIN_INDEX_ROWS`). A numeric id says which example a row is, nothing about
    it."""
    values = _named_id_numbers(body, position, name)
    return (values is not None and len(values) >= _MIN_INDEX_ROWS
            and len(set(values)) == len(values))


def repeated_identifier(body: Rows, position: int, name: str | None) -> tuple[int, int] | None:
    """(distinct values, filled cells) of a column named as an identifier
    (:data:`_ID_WORDS`) whose whole numbers repeat: a subject's or a patient's id in a
    table of several rows each (lme4's ``sleepstudy``, survival's ``colon``), or a store's
    number. Read as an amount, it is a feature that means nothing; None for others."""
    values = _named_id_numbers(body, position, name)
    if values is None or len(values) < _MIN_INDEX_ROWS or len(set(values)) == len(values):
        return None
    return len(set(values)), len(values)


def _named_id_numbers(body: Rows, position: int, name: str | None) -> list[float] | None:
    """The filled sampled cells of a column named as an identifier when all are whole
    numbers (``12``, or ``12.0`` as pandas writes those of a column with missing cells),
    else None."""
    if name is None:
        return None
    words = _name_words(name)
    if not words or words[-1] not in _ID_WORDS:
        return None
    cells = [c[position] for _, c in body if not is_missing(c[position])]
    try:
        values = [float(cell) for cell in cells]
    except ValueError:
        return None
    return values if all(v.is_integer() for v in values) else None


#: a column whose filled sampled cells are at least this share values seen once, and
#: whose text cells (at least _IDENTIFIER_TEXT of them) are too, is an identifier
#: (names, ticket or cabin numbers), not a category
_IDENTIFIER_SINGLETONS = 0.5
_IDENTIFIER_TEXT = 0.1


def identifier_counts(body: Rows, position: int) -> tuple[int, int] | None:
    """(values seen once, filled cells) of an identifier column at ``position``, else None.

    An identifier holds text (at least :data:`_IDENTIFIER_TEXT` of its filled cells are
    not numbers) and its values, its text values too, mostly occur once in the sampled
    rows (at least :data:`_MIN_INDEX_ROWS` filled cells). A numeric column is never one
    (measurements are often all distinct), nor one with a stray typo or a repeated word
    such as 'unknown' among its numbers: reading those is an error that names the cell.
    """
    cells = [c[position] for _, c in body if not is_missing(c[position])]
    if len(cells) < _MIN_INDEX_ROWS:
        return None
    counts = Counter(cells)
    text = [c for c in counts if not number_either_way(c)]
    text_cells = sum(counts[c] for c in text)
    if text_cells < _IDENTIFIER_TEXT * len(cells):
        return None
    once = sum(1 for n in counts.values() if n == 1)
    text_once = sum(1 for c in text if counts[c] == 1)
    share = _IDENTIFIER_SINGLETONS
    if once < share * len(cells) or text_once < share * text_cells:
        return None
    return once, len(cells)


def mostly_text(body: Rows, position: int) -> bool:
    cells = [c[position] for _, c in body if len(c) > position and not is_missing(c[position])]
    text = sum(not number_either_way(c) for c in cells)
    return text > 0 and 2 * text > len(cells)


#: a column of codes holds at most this many distinct whole numbers beside its text
_MAX_NUMBER_CODES = 20
_WHOLE = re.compile(r"[+-]?\d+")
#: the open end of a survey's answer codes, a whole number with a bound: 5+, <1, >3, >=65
_BOUND_CODE = re.compile(r"\d+\s?\+|(?:[<>]=?|[≤≥])\s?\d+")


def mixed_codes(body: Rows, position: int) -> list[str]:
    """The distinct text values of a column of codes, else an empty list.

    A column of codes holds whole numbers that repeat (at most :data:`_MAX_NUMBER_CODES`
    distinct ones, each seen twice on average) beside text that is no number, in fewer
    than half of its filled sampled cells: Cars93's ``Cylinders`` (3, 4, 6, 8 and
    'rotary'), course numbers (1, 31, '3A', 'M10'), a survey's answer codes with their
    open ends (0, 1, ..., 4, '5+', '<1': :data:`_BOUND_CODE`). Its values are categories: read as
    numbers, the text would be an error. A measurement with a stray word (decimals, or
    numbers that rarely repeat) is not one, nor text without a letter (a dash): reading
    it stays an error naming the cell."""
    cells = [c[position].strip() for _, c in body
             if len(c) > position and not is_missing(c[position])]
    text = [c for c in cells if not number_either_way(c)]
    numbers = [c for c in cells if number_either_way(c)]
    if not text or 2 * len(text) > len(cells) or not numbers:
        return []
    if not all(_WHOLE.fullmatch(c) for c in numbers):
        return []
    distinct = set(numbers)
    if len(distinct) > _MAX_NUMBER_CODES or 2 * len(distinct) > len(numbers):
        return []
    if not all(any(ch.isalpha() for ch in t) or _BOUND_CODE.fullmatch(t.strip())
               for t in text):
        return []
    return list(dict.fromkeys(text))


def holds_dates(body: Rows, position: int) -> list[str]:
    """A few of the column's sampled cells when most of its filled ones are dates
    written year first (read as numbers: :func:`~numpynn.data.cells.date_value`), else
    an empty list."""
    cells = [c[position] for _, c in body if len(c) > position and not is_missing(c[position])]
    dates = [c for c in cells if date_value(c) is not None]
    return dates[:3] if dates and 2 * len(dates) > len(cells) else []


#: a date written day or month first (15/03/2020, 3/15/2020, 15.03.2020, 15-03-20), a
#: time of day may follow; and a time of day alone (13:45, 1:45:30 PM)
_OTHER_DATE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})"
                         r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)?")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?")


def other_date_kind(cell: str) -> str | None:
    """"dates" for a cell that writes a date day or month first, "times" for a time of
    day alone, else None."""
    for kind, pattern in (("dates", _OTHER_DATE), ("times", _TIME)):
        if pattern.fullmatch(cell.strip()):
            return kind
    return None


def holds_other_dates(body: Rows, position: int) -> tuple[str, list[str]] | None:
    """("dates", a few cells) when most of the column's filled sampled cells are dates
    written day or month first, ("times", a few cells) when they are times of day, else
    None. Both are text to the reader (the order of day and month cannot be told from a
    cell), which a person who wrote them as dates does not expect."""
    cells = [c[position] for _, c in body if len(c) > position and not is_missing(c[position])]
    for kind, pattern in (("dates", _OTHER_DATE), ("times", _TIME)):
        found = [c for c in cells if pattern.fullmatch(c)]
        if found and 2 * len(found) > len(cells):
            return kind, found[:3]
    return None


def image_file_names(body: Rows, position: int) -> list[str]:
    """A few of the cells of a column that names image files (``img_001.jpg``,
    ``train/cat/1.png``: Kaggle's and labelling tools' lists of images beside their
    labels), else []: every filled cell ends with an image's ending. A path is no
    feature: one-hot columns of file names, or no feature at all, would train on nothing
    of the images."""
    cells = [c[position].strip() for _, c in body
             if len(c) > position and not is_missing(c[position])]
    if not cells or not all(c.lower().endswith(tuple(IMAGE_SUFFIXES)) for c in cells):
        return []
    return cells[:3]
