"""Small SVG charts for the run report, written as text: no matplotlib, so a report costs
milliseconds instead of matplotlib's start-up (about 0.3 s to import on a 2-core machine,
a third of ``numpynn train``'s budget on a small table).

Two kinds of chart cover the report's figures:

* :class:`Chart`: x-y series (lines, markers or both) on linear axes or a logarithmic
  y-axis, with optional vertical/horizontal reference lines and a legend;
* :func:`heatmap`: a matrix of cells coloured by a value in [0, 1] (a row-normalised
  confusion matrix), with the cell texts, row and column names and a colour bar.

:func:`panels` puts several charts side by side in one SVG document. Sizes are in CSS
pixels; text widths are estimated (0.6 em per character), which is enough for margins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import numpy as np

__all__ = ["BLUE", "GREEN", "GREY", "ORANGE", "RED", "Chart", "Line", "Series", "heatmap",
           "nice_ticks", "panels"]

BLUE, ORANGE, GREEN, RED, GREY = "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#7f7f7f"
FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif"
MAX_POINTS = 1500  # a longer series is drawn as its min/max envelope over this many buckets


def _text_width(text: str, size: float) -> float:
    return 0.6 * size * len(text)


def _num(v: float) -> str:
    """A coordinate with one decimal (SVG text stays small)."""
    return f"{v:.1f}"


@dataclass
class Series:
    """One x-y series: ``x`` and ``y`` (N,) floats (NaN breaks the line); ``width`` 0
    draws no line, ``marker`` "o", "s" or "*" draws one per point."""

    x: Sequence[float] | np.ndarray
    y: Sequence[float] | np.ndarray
    label: str = ""
    color: str = BLUE
    width: float = 1.5
    marker: str = ""
    marker_size: float = 3.0
    opacity: float = 1.0
    dash: bool = False


@dataclass
class Line:
    """A reference line across the plot: vertical at x = ``at`` (``vertical``) or
    horizontal at y = ``at``; dashed; in the legend when it has a ``label``."""

    at: float
    color: str = GREY
    label: str = ""
    vertical: bool = True


def nice_ticks(lo: float, hi: float, target: int = 6, integer: bool = False) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) inside [lo, hi]; with
    ``integer`` the step is a whole number. At least one tick for a finite range."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(target, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    first = math.ceil(lo / step - 1e-9) * step
    count = int(math.floor((hi - first) / step + 1e-9)) + 1
    return [round(first + i * step, 12) for i in range(max(count, 0))]


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten inside [lo, hi] (lo > 0), every k-th when there are many."""
    a, b = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    stride = max(1, math.ceil((b - a + 1) / 8))
    return [10.0 ** k for k in range(a, b + 1, stride)]


def _tick_text(v: float, step: float, percent: bool) -> str:
    if percent:
        decimals = 0 if step >= 0.01 - 1e-12 else 1
        return f"{100 * v:.{decimals}f}%"
    if v == 0:
        return "0"
    if abs(v) >= 1e5 or abs(v) < 1e-3:
        return f"{v:.3g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"{v:.{min(decimals, 6)}f}"


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At most 2 * :data:`MAX_POINTS` points: the min and max of y in consecutive buckets
    (the envelope a dense line draws anyway), in x order."""
    n = x.size
    if n <= 2 * MAX_POINTS:
        return x, y
    edges = np.linspace(0, n, MAX_POINTS + 1).astype(int)
    xs, ys = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        chunk = y[a:b]
        if np.isnan(chunk).all():
            xs += [x[a]]
            ys += [np.nan]
            continue
        i, j = a + int(np.nanargmin(chunk)), a + int(np.nanargmax(chunk))
        for k in sorted({i, j}):
            xs.append(x[k])
            ys.append(y[k])
    return np.asarray(xs), np.asarray(ys)


def _marker(shape: str, cx: float, cy: float, r: float, color: str) -> str:
    if shape == "s":
        return (f'<rect x="{_num(cx - r)}" y="{_num(cy - r)}" width="{_num(2 * r)}" '
                f'height="{_num(2 * r)}" fill="{color}"/>')
    if shape == "*":
        points = " ".join(
            f"{_num(cx + (r if k % 2 == 0 else 0.45 * r) * math.sin(k * math.pi / 5))},"
            f"{_num(cy - (r if k % 2 == 0 else 0.45 * r) * math.cos(k * math.pi / 5))}"
            for k in range(10))
        return f'<polygon points="{points}" fill="{color}" stroke="black" stroke-width="0.5"/>'
    return f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="{color}"/>'


@dataclass
class Chart:
    """An x-y chart. ``percent``: y values are fractions, labelled as percent; ``ylog``:
    logarithmic y-axis (positive values only); ``integer_x``: whole-number x ticks;
    ``ylim``/``xlim``: fixed ranges (else the data's, padded); ``empty``: the text shown
    when there is nothing to draw."""

    title: str
    xlabel: str = ""
    ylabel: str = ""
    series: list[Series] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    ylog: bool = False
    percent: bool = False
    integer_x: bool = False
    ylim: tuple[float, float] | None = None
    xlim: tuple[float, float] | None = None
    legend: str = "upper right"  # or "lower right", "upper left", "lower left"
    empty: str = "nothing recorded"
    width: int = 560
    height: int = 380

    def svg(self) -> str:
        """The chart as a standalone SVG document."""
        return panels([self])

    # ------------------------------------------------------------------ drawing
    def _data(self) -> list[tuple[Series, np.ndarray, np.ndarray]]:
        out = []
        for s in self.series:
            x = np.asarray(s.x, dtype=np.float64).reshape(-1)
            y = np.asarray(s.y, dtype=np.float64).reshape(-1)
            n = min(x.size, y.size)
            x, y = x[:n], y[:n]
            y = np.where(np.isfinite(y) & (y > 0 if self.ylog else True), y, np.nan)
            if n and not np.isnan(y).all():
                out.append((s, *_thin(x, y)))
        return out

    def _ranges(self, data) -> tuple[tuple[float, float], tuple[float, float]]:
        xs = np.concatenate([x for _, x, _ in data] + [
            np.array([ln.at]) for ln in self.lines if ln.vertical])
        ys = np.concatenate([y for _, _, y in data] + [
            np.array([ln.at]) for ln in self.lines if not ln.vertical])
        xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
        x0, x1 = self.xlim or (float(xs.min()), float(xs.max()))
        if self.ylim:
            y0, y1 = self.ylim
        elif self.ylog:
            y0, y1 = float(ys.min()) / 1.25, float(ys.max()) * 1.25
        else:
            y0, y1 = float(ys.min()), float(ys.max())
            pad = 0.05 * (y1 - y0) or max(abs(y0) * 0.05, 0.5)
            y0, y1 = y0 - pad, y1 + pad
        if x1 <= x0:
            x0, x1 = x0 - 1, x1 + 1
        elif not self.xlim:
            pad = 0.02 * (x1 - x0)
            x0, x1 = x0 - pad, x1 + pad
        return (x0, x1), (y0, y1)

    def render(self, left: int = 0) -> list[str]:
        """The chart's SVG elements, drawn with its top-left corner at (``left``, 0)."""
        w, h = self.width, self.height
        out = [f'<g transform="translate({_num(left)},0)">',
               f'<rect width="{w}" height="{h}" fill="white"/>',
               f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="15" '
               f'font-weight="600">{escape(self.title)}</text>']
        data = self._data()
        if not data:
            out.append(f'<text x="{w / 2}" y="{h / 2}" text-anchor="middle" font-size="13" '
                       f'fill="#666">{escape(self.empty)}</text></g>')
            return out
        (x0, x1), (y0, y1) = self._ranges(data)
        if self.ylog:
            yt = _log_ticks(y0, y1)
            ystep = 0.0
            ly0, ly1 = math.log10(y0), math.log10(y1)
        else:
            yt = nice_ticks(y0, y1)
            ystep = yt[1] - yt[0] if len(yt) > 1 else 1.0
            ly0, ly1 = y0, y1
        ylabels = [_tick_text(v, ystep, self.percent) if not self.ylog else f"{v:g}" for v in yt]
        xt = nice_ticks(x0, x1, integer=self.integer_x)
        xstep = xt[1] - xt[0] if len(xt) > 1 else 1.0
        xlabels = [_tick_text(v, xstep, False) for v in xt]

        pl = 30 + max((_text_width(t, 11) for t in ylabels), default=0) + 6
        pt, pr, pb = 34, 14, 44
        pw, ph = w - pl - pr, h - pt - pb

        def px(v):
            return pl + (v - x0) / (x1 - x0) * pw

        def py(v):
            v = math.log10(v) if self.ylog else v
            return pt + ph - (v - ly0) / (ly1 - ly0) * ph

        out.append(f'<rect x="{_num(pl)}" y="{pt}" width="{_num(pw)}" height="{ph}" '
                   'fill="none" stroke="#333" stroke-width="0.8"/>')
        for v, text in zip(xt, xlabels):
            x = px(v)
            out.append(f'<line x1="{_num(x)}" y1="{pt}" x2="{_num(x)}" y2="{pt + ph}" '
                       'stroke="#ddd" stroke-width="0.6"/>')
            out.append(f'<text x="{_num(x)}" y="{pt + ph + 15}" text-anchor="middle" '
                       f'font-size="11">{escape(text)}</text>')
        for v, text in zip(yt, ylabels):
            y = py(v)
            out.append(f'<line x1="{_num(pl)}" y1="{_num(y)}" x2="{_num(pl + pw)}" '
                       f'y2="{_num(y)}" stroke="#ddd" stroke-width="0.6"/>')
            out.append(f'<text x="{_num(pl - 5)}" y="{_num(y + 4)}" text-anchor="end" '
                       f'font-size="11">{escape(text)}</text>')
        out.append(f'<text x="{_num(pl + pw / 2)}" y="{h - 8}" text-anchor="middle" '
                   f'font-size="12">{escape(self.xlabel)}</text>')
        out.append(f'<text transform="translate(13,{_num(pt + ph / 2)}) rotate(-90)" '
                   f'text-anchor="middle" font-size="12">{escape(self.ylabel)}</text>')

        clip = f"plot{int(left)}"  # unique among the panels of one document
        out.append(f'<clipPath id="{clip}"><rect x="{_num(pl)}" y="{pt}" width="{_num(pw)}" '
                   f'height="{ph}"/></clipPath><g clip-path="url(#{clip})">')
        for ln in self.lines:
            if ln.vertical:
                x = px(ln.at)
                out.append(f'<line x1="{_num(x)}" y1="{pt}" x2="{_num(x)}" y2="{pt + ph}" '
                           f'stroke="{ln.color}" stroke-dasharray="5,3" stroke-width="1.2"/>')
            else:
                y = py(ln.at)
                out.append(f'<line x1="{_num(pl)}" y1="{_num(y)}" x2="{_num(pl + pw)}" '
                           f'y2="{_num(y)}" stroke="{ln.color}" stroke-dasharray="5,3" '
                           'stroke-width="1.2"/>')
        for s, x, y in data:
            points = [(px(a), py(b)) if not math.isnan(b) else None for a, b in zip(x, y)]
            if s.width > 0:
                dash = ' stroke-dasharray="6,4"' if s.dash else ""
                run: list[str] = []
                for p in [*points, None]:
                    if p is not None:
                        run.append(f"{_num(p[0])},{_num(p[1])}")
                        continue
                    if len(run) > 1:
                        out.append(f'<polyline points="{" ".join(run)}" fill="none" '
                                   f'stroke="{s.color}" stroke-width="{s.width}" '
                                   f'stroke-opacity="{s.opacity}"{dash}/>')
                    run = []
            if s.marker:
                out.append(f'<g fill-opacity="{s.opacity}">')
                out += [_marker(s.marker, p[0], p[1], s.marker_size, s.color)
                        for p in points if p is not None]
                out.append("</g>")
        out.append("</g>")
        out += self._legend(pl, pt, pw, ph)
        out.append("</g>")
        return out

    def _legend(self, pl: float, pt: float, pw: float, ph: float) -> list[str]:
        entries = [(s.label, s.color, s.marker, s.width, s.dash) for s in self.series
                   if s.label] + [(ln.label, ln.color, "", 1.2, True) for ln in self.lines
                                  if ln.label]
        if not entries:
            return []
        size, row = 11, 16
        bw = 34 + max(_text_width(e[0], size) for e in entries)
        bh = row * len(entries) + 6
        x = pl + pw - bw - 6 if "right" in self.legend else pl + 6
        y = pt + 6 if "upper" in self.legend else pt + ph - bh - 6
        out = [f'<g class="legend"><rect x="{_num(x)}" y="{_num(y)}" width="{_num(bw)}" '
               f'height="{bh}" fill="white" fill-opacity="0.85" stroke="#ccc"/>']
        for i, (label, color, marker, width, dash) in enumerate(entries):
            cy = y + 3 + row * i + row / 2
            if width > 0:
                pattern = ' stroke-dasharray="5,3"' if dash else ""
                out.append(f'<line x1="{_num(x + 5)}" y1="{_num(cy)}" x2="{_num(x + 27)}" '
                           f'y2="{_num(cy)}" stroke="{color}" stroke-width="{width}"'
                           f"{pattern}/>")
            if marker:
                out.append(_marker(marker, x + 16, cy, 4.5 if marker == "*" else 3, color))
            out.append(f'<text x="{_num(x + 32)}" y="{_num(cy + 4)}" font-size="{size}">'
                       f"{escape(label)}</text>")
        out.append("</g>")
        return out


def _blues(v: float) -> str:
    """White (0) to dark blue (1)."""
    v = min(max(v, 0.0), 1.0)
    lo, hi = (247, 251, 255), (8, 48, 107)
    return "#" + "".join(f"{round(a + (b - a) * v):02x}" for a, b in zip(lo, hi))


def heatmap(title: str, values: np.ndarray, texts: Sequence[Sequence[str]] | None,
            row_names: Sequence[str], col_names: Sequence[str], xlabel: str, ylabel: str,
            bar_label: str, subtitle: str = "") -> str:
    """An SVG document: ``values`` (R, C) in [0, 1] as cell colours, ``texts`` (R, C) in
    the cells (None: none), names along the rows and columns (every k-th past 40), and a
    colour bar labelled ``bar_label`` from 0% to 100%; ``subtitle`` a second title line."""
    v = np.asarray(values, dtype=np.float64)
    r, c = v.shape
    cell = max(6.0, min(56.0, 440.0 / max(r, c)))
    stride = max(1, math.ceil(max(r, c) / 40))
    names_w = min(150.0, 8 + max((_text_width(str(n), 11) for n in row_names[::stride]),
                                 default=0))
    longest = max((_text_width(str(n), 11) for n in col_names[::stride]), default=0)
    rotate = longest > cell * stride * 0.9
    head = min(150.0, longest * 0.72 + 8) if rotate else 18.0
    left, top = 24 + names_w, 50 if subtitle else 32
    width = int(max(left + c * cell + 100, 16 + max(_text_width(title, 15),
                                                    _text_width(subtitle, 13))))
    height = int(top + r * cell + head + 30)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" style="{FONT}">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" '
           f'font-weight="600">{escape(title)}</text>']
    if subtitle:
        out.append(f'<text x="{width / 2}" y="38" text-anchor="middle" font-size="13">'
                   f"{escape(subtitle)}</text>")
    small = 12 if cell >= 40 else (10 if cell >= 24 else 8)
    for i in range(r):
        for j in range(c):
            x, y = left + j * cell, top + i * cell
            out.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(cell)}" '
                       f'height="{_num(cell)}" fill="{_blues(v[i, j])}"/>')
            if texts is not None:
                colour = "white" if v[i, j] > 0.55 else "black"
                out.append(f'<text x="{_num(x + cell / 2)}" y="{_num(y + cell / 2 + small / 3)}"'
                           f' text-anchor="middle" font-size="{small}" fill="{colour}">'
                           f"{escape(str(texts[i][j]))}</text>")
    out.append(f'<rect x="{_num(left)}" y="{top}" width="{_num(c * cell)}" '
               f'height="{_num(r * cell)}" fill="none" stroke="#333" stroke-width="0.8"/>')
    for i in range(0, r, stride):
        out.append(f'<text x="{_num(left - 5)}" y="{_num(top + (i + 0.5) * cell + 4)}" '
                   f'text-anchor="end" font-size="11">{escape(str(row_names[i]))}</text>')
    base = top + r * cell + 14
    for j in range(0, c, stride):
        x = left + (j + 0.5) * cell
        if rotate:
            out.append(f'<text transform="translate({_num(x + 4)},{_num(base - 6)}) '
                       f'rotate(-45)" text-anchor="end" font-size="11">'
                       f"{escape(str(col_names[j]))}</text>")
        else:
            out.append(f'<text x="{_num(x)}" y="{_num(base)}" text-anchor="middle" '
                       f'font-size="11">{escape(str(col_names[j]))}</text>')
    out.append(f'<text x="{_num(left + c * cell / 2)}" y="{_num(top + r * cell + head + 22)}" '
               f'text-anchor="middle" font-size="12">{escape(xlabel)}</text>')
    out.append(f'<text transform="translate(13,{_num(top + r * cell / 2)}) rotate(-90)" '
               f'text-anchor="middle" font-size="12">{escape(ylabel)}</text>')
    bx, bh = left + c * cell + 16, r * cell
    out.append('<defs><linearGradient id="bar" x1="0" y1="1" x2="0" y2="0">'
               f'<stop offset="0" stop-color="{_blues(0)}"/>'
               f'<stop offset="1" stop-color="{_blues(1)}"/></linearGradient></defs>')
    out.append(f'<rect x="{_num(bx)}" y="{top}" width="14" height="{_num(bh)}" '
               'fill="url(#bar)" stroke="#333" stroke-width="0.6"/>')
    for frac in (0.0, 0.5, 1.0):
        y = top + bh * (1 - frac)
        out.append(f'<text x="{_num(bx + 18)}" y="{_num(y + 4)}" font-size="10">'
                   f"{100 * frac:.0f}%</text>")
    out.append(f'<text transform="translate({_num(bx + 56)},{_num(top + bh / 2)}) rotate(90)"'
               f' text-anchor="middle" font-size="10">{escape(bar_label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def panels(charts: Sequence[Chart]) -> str:
    """``charts`` side by side in one SVG document."""
    width = sum(ch.width for ch in charts)
    height = max((ch.height for ch in charts), default=0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" style="{FONT}">']
    left = 0
    for ch in charts:
        out += ch.render(left)
        left += ch.width
    out.append("</svg>")
    return "\n".join(out) + "\n"
