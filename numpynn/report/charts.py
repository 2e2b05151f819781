"""The run report's figures as SVG (:mod:`.svg`, no matplotlib): loss curves, the score per
epoch (accuracy or R²), the confusion matrix and the regression scatter panels.

Also the readers of a training history that these and the matplotlib kit share. A
history is any object with per-epoch lists (see :mod:`numpynn.report.kit`): ``epochs``,
``step_loss`` (every minibatch), ``train_loss``, ``val_loss``, ``train_score``,
``val_score`` (or ``train_acc``/``val_acc``), ``best_epoch`` and ``best_rule``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from .svg import BLUE, GREEN, GREY, ORANGE, RED, Chart, Line, Series, heatmap, panels

__all__ = ["confusion_svg", "loss_chart", "residual_panels", "scatter_panels", "score_chart"]

MAX_ANNOTATED_CLASSES = 20
MAX_PANELS = 4


def floats(values: object, name: str) -> np.ndarray:
    """``values`` as a 1-D float array; non-finite entries become NaN."""
    try:
        arr = np.asarray(values if values is not None else [], dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InputError(f"history.{name} must be a list of numbers: {exc}") from None
    return np.where(np.isfinite(arr), arr, np.nan)


def epochs_of(history: object) -> np.ndarray:
    """``history.epochs`` as floats (E,)."""
    return np.asarray(getattr(history, "epochs", None) or [], dtype=np.float64).reshape(-1)


def per_epoch(history: object, name: str, n_epochs: int) -> np.ndarray | None:
    """The per-epoch series ``history.<name>`` (E,), or None when absent, empty, all NaN
    or not one value per epoch."""
    values = floats(getattr(history, name, None), name)
    if values.size == 0 or values.size != n_epochs or np.isnan(values).all():
        return None
    return values


def scores(history: object, n_epochs: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(train, val) score per epoch: ``*_score``, or ``*_acc`` for a history without them."""
    return tuple(per_epoch(history, f"{part}_score", n_epochs)  # type: ignore[return-value]
                 if getattr(history, f"{part}_score", None) is not None
                 else per_epoch(history, f"{part}_acc", n_epochs) for part in ("train", "val"))


def best_epoch(history: object, epochs: np.ndarray) -> int | None:
    """``history.best_epoch`` when it is one of ``epochs``, else None."""
    best = getattr(history, "best_epoch", 0) or 0
    try:
        best = int(best)
    except (TypeError, ValueError):
        return None
    return best if best > 0 and epochs.size and best in set(epochs.astype(int).tolist()) else None


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Centred mean over ``window`` neighbouring finite values (shorter at the ends)."""
    finite = ~np.isnan(values)
    csum = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(finite)])
    idx = np.arange(values.size)
    lo = np.maximum(idx - window // 2, 0)
    hi = np.minimum(idx + window - window // 2, values.size)
    count = ccount[hi] - ccount[lo]
    return np.where(count > 0, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)


def step_window(n_steps: int, n_epochs: int) -> int:
    """The moving-average window of the per-step loss: about one epoch of steps."""
    steps_per_epoch = n_steps / n_epochs if n_epochs else 1.0
    window = int(round(steps_per_epoch)) if steps_per_epoch >= 2 else n_steps // 20
    return max(1, min(window, max(1, n_steps // 5)))


def loss_chart(history: object, title: str = "Loss") -> Chart:
    """Training loss of every step (faint) with its moving average, and the train and
    validation loss per epoch; x in epochs (step k of S per epoch at k / S); a log y-axis
    when the losses span more than two decades."""
    steps = floats(getattr(history, "step_loss", None), "step_loss")
    epochs = epochs_of(history)
    train = per_epoch(history, "train_loss", epochs.size)
    val = per_epoch(history, "val_loss", epochs.size)
    series = []
    if steps.size:
        per = steps.size / epochs.size if epochs.size else 1.0
        x = np.arange(1, steps.size + 1) / per
        series.append(Series(x, steps, "loss per step", BLUE, width=0.8, opacity=0.3))
        window = step_window(steps.size, epochs.size)
        if window > 1:
            series.append(Series(x, moving_average(steps, window),
                                 f"moving average ({window} steps)", BLUE, width=1.8))
    few = epochs.size <= 60  # markers on each epoch while they stay apart
    if train is not None:
        series.append(Series(epochs, train, "train loss (per epoch)", GREEN,
                             marker="o" if few else "", width=1.2 if epochs.size > 1 else 0))
    if val is not None:
        series.append(Series(epochs, val, "validation loss (per epoch)", ORANGE,
                             marker="s" if few else "", width=1.2 if epochs.size > 1 else 0))
    shown = np.concatenate([s for s in (steps, train, val) if s is not None] or [np.zeros(0)])
    shown = shown[~np.isnan(shown)]
    log = bool(shown.size and shown.min() > 0 and shown.max() / shown.min() > 100)
    return Chart(title, "epoch", "loss (log scale)" if log else "loss", series, ylog=log,
                 integer_x=True, xlim=(0.0, float(max(epochs.max(), 1))) if epochs.size
                 else None, empty="no loss recorded")


def score_chart(history: object, percent: bool, title: str, label: str) -> Chart:
    """Train and validation score per epoch (``label``: "accuracy" shown as percent when
    ``percent``, or "R²"), the kept epoch marked with the rule that chose it."""
    epochs = epochs_of(history)
    train, val = scores(history, epochs.size)
    markers = 3 if epochs.size <= 60 else 0
    series = []
    if train is not None:
        series.append(Series(epochs, train, "train", BLUE, marker="o" if markers else "",
                             marker_size=markers))
    if val is not None:
        series.append(Series(epochs, val, "validation", ORANGE, marker="s" if markers else "",
                             marker_size=markers))
    lines = []
    best = best_epoch(history, epochs)
    if best is not None and series:
        i = int(np.nonzero(epochs.astype(int) == best)[0][0])
        rule = getattr(history, "best_rule", "") or ""
        text = f"kept epoch {best}" + (f", {rule}" if rule else "")
        ref = val if val is not None and not np.isnan(val[i]) else train
        if ref is not None and not np.isnan(ref[i]):
            value = f"{100 * ref[i]:.2f}%" if percent else f"{ref[i]:.3f}"
            text += f" ({'val' if ref is val else 'train'} {value})"
            series.append(Series([best], [ref[i]], text, RED, width=0, marker="*",
                                 marker_size=8))
            lines.append(Line(best, RED))
        else:
            lines.append(Line(best, RED, text))
    ylim = None
    if percent and series:
        shown = np.concatenate([s for s in (train, val) if s is not None])
        lower = max(0.0, math.floor((float(np.nanmin(shown)) - 0.05) * 10) / 10)
        ylim = (lower, 1.0 + 0.02 * (1.0 - lower))
    xlim = (float(epochs[0]) - 1, float(epochs[0]) + 1) if epochs.size == 1 else None
    return Chart(title, "epoch", label, series, lines, percent=percent, integer_x=True,
                 ylim=ylim, xlim=xlim, legend="lower right", empty=f"no {label} recorded")


def confusion_svg(confusion: np.ndarray, class_names: Sequence[str],
                  title: str = "Confusion matrix (test)") -> str:
    """The confusion matrix (C, C), rows true classes and columns predicted ones, as SVG:
    cells coloured by the fraction of their true class, counts written when C <= 20."""
    try:
        cm = np.asarray(confusion, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"confusion must be a numeric array: {exc}") from None
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise InputError(
            f"confusion must be a square (C, C) matrix of counts; got shape {cm.shape}.")
    if not np.isfinite(cm).all() or (cm < 0).any():
        raise InputError("confusion must hold finite, non-negative counts.")
    n = cm.shape[0]
    names = [str(c) for c in class_names]
    if len(names) != n:
        raise InputError(f"class_names has {len(names)} entries but confusion is {n}x{n}; "
                         "pass one name per class.")
    totals = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)
    texts = None
    if n <= MAX_ANNOTATED_CLASSES:
        integral = bool(np.all(cm == np.round(cm)))
        texts = [[f"{int(v)}" if integral else f"{v:.3g}" for v in row] for row in cm]
    total = cm.sum()
    subtitle = (f"{total:.0f} rows, accuracy {100 * np.trace(cm) / total:.2f}%"
                if total > 0 else "no rows")
    return heatmap(title, norm, texts, names, names, "predicted class", "true class",
                   "fraction of the true class", subtitle)


def _output_panels(y_true: np.ndarray, y_pred: np.ndarray, names: list[str] | None,
                   title: str, residuals: bool) -> str:
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    t, p = (t[:, None] if t.ndim == 1 else t), (p[:, None] if p.ndim == 1 else p)
    charts = []
    for j in range(min(t.shape[1], MAX_PANELS)):
        name = f"{title}: {names[j]}" if names else title
        tj, pj = t[:, j], p[:, j]
        if residuals:
            series = [Series(pj, tj - pj, "", ORANGE, width=0, marker="o", marker_size=2.5,
                             opacity=0.6)]
            lines = [Line(0.0, GREY, vertical=False)]
            axes = ("predicted", "true - predicted")
        else:
            series = [Series(tj, pj, "", BLUE, width=0, marker="o", marker_size=2.5,
                             opacity=0.6)]
            if tj.size:
                lo = float(min(np.nanmin(tj), np.nanmin(pj)))
                hi = float(max(np.nanmax(tj), np.nanmax(pj)))
                series.append(Series([lo, hi], [lo, hi], "y = x", GREY, width=1.2, dash=True))
            lines = []
            axes = ("true", "predicted")
        charts.append(Chart(name, *axes, series, lines, legend="upper left",
                            empty="no rows", width=440, height=400))
    return panels(charts)


def scatter_panels(y_true: np.ndarray, y_pred: np.ndarray, names: list[str] | None = None,
                   title: str = "Predicted vs true") -> str:
    """Predictions against targets (N, K), one panel per output (at most 4), with the
    identity line, as SVG."""
    return _output_panels(y_true, y_pred, names, title, residuals=False)


def residual_panels(y_true: np.ndarray, y_pred: np.ndarray, names: list[str] | None = None,
                    title: str = "Residuals") -> str:
    """Residuals (true - predicted) against predictions (N, K), with the zero line, as SVG."""
    return _output_panels(y_true, y_pred, names, title, residuals=True)
