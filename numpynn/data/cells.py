"""What a CSV cell says: numbers as people and spreadsheets write them.

Besides what ``float`` reads: a decimal comma (files separated by ; or tab), thousands
separators, a currency sign and percentages (:func:`number_value`).
"""

from __future__ import annotations

import math
import re


def decimal_point(text: str) -> str:
    """``"5,1"`` -> ``"5.1"``: a number written with a decimal comma (one comma, no point),
    as spreadsheets in many locales save ;-separated files; other text unchanged."""
    if text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    return text


_CURRENCY = "$€£¥"
_GROUPED_POINT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")  # 1,234,567.89
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d*")  # 1.234.567,89


def number_value(text: str, decimal_comma: bool) -> float | None:
    """The number a cell writes, or None when it is not one. Besides what ``float``
    reads: a decimal comma (``"5,1"``, with ``decimal_comma``: files separated by ; or
    tab), thousands separators (``"1,234.5"``; ``"1.234,5"`` with ``decimal_comma``), a
    currency sign before or after (``"$1,200"``, ``"15 €"``) and percentages
    (``"12.5%"`` is 0.125), as spreadsheets export them."""
    try:
        return float(text)
    except ValueError:
        pass
    body, scale = text.strip(), 1.0
    if body.endswith("%"):
        body, scale = body[:-1].rstrip(), 0.01
    if body[:1] in _CURRENCY:
        body = body[1:].lstrip()
    elif body[-1:] in _CURRENCY:
        body = body[:-1].rstrip()
    elif body[:1] in "+-" and body[1:2] in _CURRENCY:  # -$5
        body = body[0] + body[2:].lstrip()
    if not body or body[-1] in "%" + _CURRENCY:
        return None
    if decimal_comma and _GROUPED_COMMA.fullmatch(body):
        body = body.replace(".", "").replace(",", ".")
    elif not decimal_comma and _GROUPED_POINT.fullmatch(body):
        body = body.replace(",", "")
    elif decimal_comma:
        body = decimal_point(body)
    try:
        value = float(body)
    except ValueError:
        return None
    return value * scale if math.isfinite(value) else None


def is_number_cell(text: str, decimal_comma: bool) -> bool:
    return number_value(text, decimal_comma) is not None


def number_either_way(text: str) -> bool:
    """A number with a decimal point or a decimal comma: a column of either kind is a
    number column (read in the file's convention; the other is an error that says so)."""
    return is_number_cell(text, False) or is_number_cell(text, True)
