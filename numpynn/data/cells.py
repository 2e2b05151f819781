"""What a CSV cell says: numbers as people and spreadsheets write them.

Besides what ``float`` reads: a decimal comma (files separated by ; or tab), thousands
separators (commas, points, spaces or apostrophes), a currency sign, percentages,
accounting negatives in parentheses and the minus sign U+2212 (:func:`number_value`),
and dates written
year first (``2010-04-18``, ``2012-01-01T06:16:41Z``) or with the month named
(``07-Dec-2026``, ``Dec 7, 2026``), read as the year with its fraction
(:func:`date_value`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone


def composed(text: str) -> str:
    """A text in Unicode's composed form (NFC): "café" typed on macOS (decomposed, as its
    file names are) and on Linux is one text, as a label, a category or a column name."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def decimal_point(text: str) -> str:
    """``"5,1"`` -> ``"5.1"``: a number written with a decimal comma (one comma, no point),
    as spreadsheets in many locales save ;-separated files; other text unchanged."""
    if text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    return text


#: the currency signs a number may carry before or after it
CURRENCY_SIGNS = "$€£¥₹₩₽₺₪₫฿₴₦₱"
#: a currency written as its ISO code (or R$, US$, ...) before or after the number, with
#: or without a space: USD 1,200 or 1.200,00 EUR; a closed list, so that product codes
#: such as 'SKU 123' stay text
_CURRENCY_CODE = re.compile(
    r"(?:(?P<code>USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|CNY|RMB|INR|BRL|MXN|SEK|NOK|DKK|PLN|CZK|"
    r"HUF|RUB|KRW|ZAR|TRY|SGD|HKD|ILS|[A-Z]{1,2}\$)\s?(?P<after>.+)|(?P<before>.+?)\s?"
    r"(?P<code2>USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|CNY|RMB|INR|BRL|MXN|SEK|NOK|DKK|PLN|CZK|"
    r"HUF|RUB|KRW|ZAR|TRY|SGD|HKD|ILS))")
_GROUPED_POINT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")  # 1,234,567.89
_GROUPED_INDIAN = re.compile(r"[+-]?\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d*)?")  # 12,34,567.89
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d*")  # 1.234.567,89
#: a whole number grouped by points (12.345, 1.500.000): a decimal fraction to ``float``,
#: but thousands in a column that writes decimal commas (:func:`writes_decimal_comma`)
_GROUPED_POINT_WHOLE = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")
#: thousands grouped by a space (French, SI; LibreOffice and Excel write a no-break or a
#: narrow no-break space) or an apostrophe (Swiss), the same one throughout:
#: 1 234 567,89 or 1'234'567.89; the decimal mark after the groups is read as the file's
_GROUPED_SPACE = re.compile(r"[+-]?\d{1,3}([ \u00a0\u202f\u2009'\u2019])\d{3}(?:\1\d{3})*"
                            r"(?:[.,]\d*)?")
#: the minus sign (U+2212) that typeset and some statistics exports write for "-"
_MINUS_SIGN = "\u2212"


#: a date written year first (ISO 8601 and its usual variants): 2010-04-18, 2010/4/18,
#: 2010-04-18 13:05, 2012-01-01T06:16:41Z, 2012-01-01T06:16:41.5+02:00
_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})"
                   r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*"
                   r"(Z|[+-]\d{2}:?\d{2})?)?")


_MONTHS = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), 1) for name in names}
_TIME_OF_DAY = r"(?:[T ,]\s*(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?"
#: a date with its month named (English), in any order that says it: 07-Dec-2026 (MATLAB,
#: Oracle), 7 December 2026, Dec 7, 2026 (Excel, Numbers), 2026-Dec-07; a year of four
#: digits (07-DEC-26 leaves the century to guess), a time of day may follow
_NAMED_DATES = (
    re.compile(r"(?P<day>\d{1,2})[-/ .](?P<month>[A-Za-z]{3,9})\.?[-/ .](?P<year>\d{4})"
               + _TIME_OF_DAY),
    re.compile(r"(?P<month>[A-Za-z]{3,9})\.? (?P<day>\d{1,2}),? (?P<year>\d{4})"
               + _TIME_OF_DAY),
    re.compile(r"(?P<year>\d{4})[-/ ](?P<month>[A-Za-z]{3,9})[-/ ](?P<day>\d{1,2})"
               + _TIME_OF_DAY),
)


def _named_date(text: str) -> tuple[str, ...] | None:
    """(year, month, day, hour, minute, second) of a date whose month is named
    (:data:`_NAMED_DATES`), month as its number; None for other text."""
    for pattern in _NAMED_DATES:
        match = pattern.fullmatch(text)
        if match is not None:
            month = _MONTHS.get(match.group("month").lower())
            if month is None:
                return None
            hour, minute, second = match.groups()[3:]
            return match.group("year"), str(month), match.group("day"), hour, minute, second
    return None


#: a month named without its day (monthly data): March 2021, Mar-2021. (2021-03 is not
#: read so: sports seasons are written 2009-10)
_MONTH_YEAR = re.compile(r"(?P<month>[A-Za-z]{3,9})\.?[-/ ](?P<year>\d{4})")
#: a time zone's name after a time of day: 2021-03-01 00:00:00 UTC
_ZONE = re.compile(r"(?<=\d)\s+(?:UTC|GMT|Z)$")


#: a quarter of a year, as pandas writes a quarterly ``Period`` (2021Q3) and statistics
#: offices write them (2021 Q3, 2021-Q3, Q3 2021, Q3-2021)
_QUARTER = re.compile(r"(?P<year>\d{4})[-/ ]?[Qq](?P<q>[1-4])"
                      r"|[Qq](?P<q2>[1-4])[-/ ]?(?P<year2>\d{4})")


def _quarter(text: str) -> str | None:
    """``2021-07-01`` for a quarter (:data:`_QUARTER`): the quarter read as its first day,
    as a month named without its day is; None for other text."""
    match = _QUARTER.fullmatch(text)
    if match is None:
        return None
    quarter = int(match.group("q") or match.group("q2"))
    return f"{match.group('year') or match.group('year2')}-{3 * quarter - 2:02d}-01"


def _year_month(text: str) -> str | None:
    """``2021-03-01`` for a month named without its day (:data:`_MONTH_YEAR`): the month
    read as its first day; None for other text."""
    match = _MONTH_YEAR.fullmatch(text)
    month = _MONTHS.get(match.group("month").lower(), 0) if match is not None else 0
    if match is None or not month:
        return None
    return f"{match.group('year')}-{month:02d}-01"


def date_value(text: str) -> float | None:
    """A date written year first, or with its month named (``07-Dec-2026``, ``Dec 7,
    2026``), or a month named alone (``March 2021``: its first day), or a quarter
    (``2021Q3``, ``Q3 2021``: its first day), as a number: the year
    with the elapsed share of it (``2000-07-02`` is 2000.5; a time of day and a UTC offset
    or zone name count), or None when the cell is not such a date.
    Dates read this way keep their order and spacing, so a model carries what it learned
    to dates it has not seen (a category per date would not)."""
    text = _ZONE.sub("", text.strip())
    text = _year_month(text) or _quarter(text) or text
    match = _DATE.fullmatch(text)
    if match is None:
        named = _named_date(text.strip()) if any(c.isalpha() for c in text) else None
        if named is None:
            return None
        year, month, day, hour, minute, second = named
        offset = None
    else:
        year, _, month, day, hour, minute, second, offset = match.groups()
    try:
        seconds = float(second or 0)
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          tzinfo=timezone.utc) + timedelta(seconds=seconds)
    except ValueError:  # 2010-13-45
        return None
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    start = datetime(moment.year, 1, 1, tzinfo=timezone.utc)
    length = (datetime(moment.year + 1, 1, 1, tzinfo=timezone.utc) - start).total_seconds()
    return moment.year + (moment - start).total_seconds() / length


#: a length of time as pandas writes a ``Timedelta`` (``0 days 02:33:14``, ``-1 days
#: +23:59:59.500000``, ``3 days``)
_TIMEDELTA = re.compile(r"(?P<days>[+-]?\d+) days?(?: (?P<sign>[+-]?)(?P<h>\d{1,2}):(?P<m>\d{2})"
                        r":(?P<s>\d{2}(?:\.\d+)?))?")
#: a length of time in ISO 8601 (``PT2H33M14S``, ``P1DT12H``, ``P3D``), as web APIs write it
_ISO_DURATION = re.compile(r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
                           r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?")


def duration_hours(text: str) -> float | None:
    """A length of time as pandas writes a ``Timedelta`` (``0 days 02:33:14``) or in ISO
    8601 (``PT2H33M14S``), in hours (2.5537...); None for other text. Such a cell says
    hours, minutes and seconds apart (``13:45`` alone does not: it stays text)."""
    match = _TIMEDELTA.fullmatch(text)
    if match is not None:
        days = int(match.group("days"))
        if match.group("h") is None:
            return 24.0 * days
        hours = (int(match.group("h")) + int(match.group("m")) / 60
                 + float(match.group("s")) / 3600)
        return 24.0 * days + (-hours if match.group("sign") == "-" else hours)
    match = _ISO_DURATION.fullmatch(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return (parts["w"] * 168 + parts["d"] * 24 + parts["h"] + parts["m"] / 60
            + parts["s"] / 3600)


#: a number in Fortran's double precision notation: 0.1234567890123457D+01, 1.5d-3
_FORTRAN_DOUBLE = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)[dD][+-]?\d{1,3}")


def writes_decimal_comma(text: str) -> bool:
    """Whether a cell is a number written with a decimal comma (``"2,5"``,
    ``"1.234,50"``, ``"12,5 %"``): a column holding one writes numbers as spreadsheets in
    many locales do, so a point in its other cells groups thousands (``"12.345"`` is
    12345, as Excel reads it there)."""
    if "," not in text or number_value(text, False) is not None:
        return False
    return number_value(text, True) is not None


def groups_thousands(cells: Sequence[str]) -> bool:
    """Whether no filled cell of a column writes a decimal point: every cell that holds a
    point writes a whole number grouped by points (``"1.299"``, ``"12.500 €"``: read
    otherwise with thousands points), or none holds one (``"899"``). In a file whose
    numbers write decimal commas such a column groups thousands by points, though none of
    its cells has a comma: "1.299" beside "899" is 1299, in a later row too."""
    return all((grouped := number_value(c, True, True)) is not None
               and grouped != number_value(c, True, False) for c in cells if "." in c)


def number_value(text: str, decimal_comma: bool, thousands_points: bool = False
                 ) -> float | None:
    """The number a cell writes, or None when it is not one. Besides what ``float``
    reads: a decimal comma (``"5,1"``, with ``decimal_comma``: files separated by ; or
    tab), thousands separators (``"1,234.5"``; ``"1.234,5"`` with ``decimal_comma``), a
    currency sign before or after (``"$1,200"``, ``"15 €"``) and percentages
    (``"12.5%"`` is 0.125), thousands grouped by spaces or apostrophes (``"1 234,5"``
    with ``decimal_comma``, ``"1'234.5"``), a negative in parentheses (``"(1,200)"`` is
    -1200, accounting formats) and the minus sign U+2212, as spreadsheets and statistics
    packages export them; a date written year first is the year with its fraction
    (:func:`date_value`); Fortran's double precision ``"1.5D+03"`` is 1500; a length of
    time as pandas or ISO 8601 write it (``"0 days 02:30:00"``, ``"PT2H30M"``) is its
    hours (:func:`duration_hours`). ``thousands_points`` (a column that writes decimal commas:
    :func:`writes_decimal_comma`): a whole number grouped by points (``"12.345"``) is
    12345, not the fraction ``float`` reads."""
    if not (thousands_points and "." in text):
        try:
            return float(text)
        except ValueError:
            pass
    lettered = any(c.isalpha() for c in text)
    if text[4:5] in ("-", "/") or text.strip()[4:5] in ("-", "/") or (
            lettered and text.strip()[:1].isalnum()
            and (len(text) >= 8 or _QUARTER.fullmatch(text.strip()))):
        date = date_value(text)
        if date is not None:
            return date
    if lettered:
        stripped = text.strip()
        if _FORTRAN_DOUBLE.fullmatch(stripped):
            return float(stripped.replace("D", "e").replace("d", "e"))
        if stripped[:1] == "P" or "day" in stripped:
            hours = duration_hours(stripped)
            if hours is not None:
                return hours
    body, scale = text.strip().replace(_MINUS_SIGN, "-"), 1.0
    negative = body[:1] == "(" and body[-1:] == ")"  # accounting: (1,234.50) is -1234.5
    if negative:
        body = body[1:-1].strip()
    if body.endswith("%"):
        body, scale = body[:-1].rstrip(), 0.01
    coded = _CURRENCY_CODE.fullmatch(body) if body[:1].isalpha() or body[-1:].isalpha() \
        else None
    if coded:
        body = (coded.group("after") or coded.group("before")).strip()
    if body[:1] in CURRENCY_SIGNS:
        body = body[1:].lstrip()
    elif body[-1:] in CURRENCY_SIGNS:
        body = body[:-1].rstrip()
    elif body[:1] in "+-" and body[1:2] in CURRENCY_SIGNS:  # -$5
        body = body[0] + body[2:].lstrip()
    if not body or body[-1] in "%" + CURRENCY_SIGNS:
        return None
    if not negative and body[:1] == "(" and body[-1:] == ")":  # $(1,200)
        body, negative = body[1:-1].strip(), True
    if negative:
        if body[:1] in "+-(" or not body:
            return None
        scale = -scale
    spaced = _GROUPED_SPACE.fullmatch(body)
    if spaced:
        body = body.replace(spaced.group(1), "")
    if decimal_comma and _GROUPED_COMMA.fullmatch(body):
        body = body.replace(".", "").replace(",", ".")
    elif thousands_points and _GROUPED_POINT_WHOLE.fullmatch(body):
        body = body.replace(".", "")
    elif not decimal_comma and (_GROUPED_POINT.fullmatch(body)
                                or _GROUPED_INDIAN.fullmatch(body)):
        body = body.replace(",", "")
    elif decimal_comma:
        body = decimal_point(body)
    try:
        value = float(body)
    except ValueError:
        return None
    return value * scale if math.isfinite(value) else None


#: the characters of a cell that messages show; a longer one is cut, its length said
SHOWN_CHARS = 40


def cell_repr(value: object, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` for a message, a long text cut: ``'<p>Dear customer, ...'... (18,204
    characters)``, so that a page of notes in a cell does not fill the terminal."""
    text = str(value)
    if len(text) <= limit:
        return repr(value)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def preview(values: Sequence[object], limit: int = 12) -> str:
    """``['a', 'b', ... (8 more)]``: the first ``limit`` values for a message, each as
    :func:`cell_repr` writes it."""
    shown = ", ".join(cell_repr(v) for v in list(values)[:limit])
    more = len(values) - limit
    return f"[{shown}{f', ... ({more} more)' if more > 0 else ''}]"


def is_number_cell(text: str, decimal_comma: bool) -> bool:
    return number_value(text, decimal_comma) is not None


def number_either_way(text: str) -> bool:
    """A number with a decimal point or a decimal comma: a column of either kind is a
    number column (read in the file's convention; the other is an error that says so)."""
    return is_number_cell(text, False) or is_number_cell(text, True)
