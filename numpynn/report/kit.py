"""matplotlib figures of a training: for notebooks, for a user's own plots, and for the
search's ``search.png``.

Every plot function takes the data and an output path, writes one PNG and returns the
path as a :class:`pathlib.Path`; the ``*_figure`` functions return the matplotlib
``Figure``. Figures are built with matplotlib's object API on an Agg canvas (no
``pyplot``, no global state, no GUI), so they are safe in threads and on machines without
a display.

The run report (``report.html`` and its figures, :func:`write_report`, re-exported here
from :mod:`numpynn.report.page`) is drawn without matplotlib, as SVG, so that ``numpynn
train`` does not pay matplotlib's start-up (about 0.3 s).

A training history is any object with these attributes (plain lists, one entry per
epoch unless noted), such as :class:`numpynn.training.trainer.History`::

    step_loss   list[float]  training loss of every minibatch step
    epochs      list[int]    1, 2, ...
    train_loss, train_score, val_loss, val_score   list[float] (score_name: accuracy, r2)
    lr          list[float]  learning rate used in each epoch
    best_epoch  int          epoch whose parameters were kept (0 if none)
    best_rule   str          optional: the rule that chose it ("lowest validation loss")
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..errors import InputError
from ..model_file import atomic_write
from ..training.scores import PERCENT_SCORES, SCORE_LABELS
from .charts import best_epoch as _best_epoch
from .charts import epochs_of as _epochs
from .charts import floats as _floats
from .charts import moving_average as _moving_average
from .charts import per_epoch as _per_epoch
from .charts import scores as _scores
from .page import write_report
from .png import weights_grid

__all__ = [
    "plot_accuracy",
    "plot_confusion",
    "plot_first_layer_weights",
    "plot_loss",
    "plot_search",
    "write_report",
]

DPI = 110
_TRAIN_COLOR = "tab:blue"
_VAL_COLOR = "tab:orange"
_BEST_COLOR = "tab:red"
_MAX_ANNOTATED_CLASSES = 20


# ----------------------------------------------------------------------------- helpers


def _new_figure(width: float = 6.4, height: float = 4.2) -> Figure:
    """A figure with constrained (tight) layout on its own Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | Path) -> Path:

    path = Path(path)
    atomic_write(path, lambda fh: fig.savefig(fh, dpi=DPI, format="png", facecolor="white"))
    return path












def _no_data(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes,
            fontsize=11, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def _as_matrix(values: object, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be a numeric array: {exc}") from None
    return arr


# ----------------------------------------------------------------------------- loss


def plot_loss(history: object, path: str | Path) -> Path:
    """Write :func:`loss_figure` of ``history`` to the PNG ``path``."""
    return _save(loss_figure(history), path)


def loss_figure(history: object) -> Figure:
    """Training loss per step with a moving average, and per-epoch train/val loss.

    The per-epoch points sit at the last step of their epoch; a second x-axis on top
    counts epochs. The y-axis is logarithmic when the losses span more than two decades.
    """
    steps = _floats(getattr(history, "step_loss", None), "step_loss")
    epochs = _epochs(history)
    n_epochs = epochs.size
    train = _per_epoch(history, "train_loss", n_epochs)
    val = _per_epoch(history, "val_loss", n_epochs)

    fig = _new_figure()
    ax = fig.add_subplot()
    ax.set_title("Training loss")
    ax.grid(True, alpha=0.3)

    if steps.size == 0 and train is None and val is None:
        _no_data(ax, "no loss recorded")
        return fig

    if steps.size:
        steps_per_epoch = steps.size / n_epochs if n_epochs else 1.0
        step_x = np.arange(1, steps.size + 1)
        window = int(round(steps_per_epoch)) if steps_per_epoch >= 2 else steps.size // 20
        window = max(1, min(window, max(1, steps.size // 5)))
        ax.plot(step_x, steps, color="tab:blue", linewidth=0.6, alpha=0.3,
                label="loss per step")
        if window > 1:
            ax.plot(step_x, _moving_average(steps, window), color=_TRAIN_COLOR, linewidth=1.6,
                    label=f"centred moving average ({window} steps)")
        ax.set_xlabel("step (minibatch)")
        epoch_x = epochs * steps_per_epoch
        if n_epochs:
            spe = steps_per_epoch
            top = ax.secondary_xaxis("top", functions=(lambda s: s / spe, lambda e: e * spe))
            top.set_xlabel("epoch")
            top.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, steps.size * 1.01 + 0.5)
    else:
        epoch_x = epochs
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    if train is not None:
        ax.plot(epoch_x, train, "o-", color="tab:green", markersize=4, linewidth=1.4,
                label="train loss (per epoch)")
    if val is not None:
        ax.plot(epoch_x, val, "s-", color=_VAL_COLOR, markersize=4, linewidth=1.4,
                label="val loss (per epoch)")

    shown = np.concatenate([a for a in (steps, train, val) if a is not None])
    shown = shown[~np.isnan(shown)]
    if shown.size and shown.min() > 0 and shown.max() / shown.min() > 100:
        ax.set_yscale("log")
    ax.set_ylabel("loss" + (" (log scale)" if ax.get_yscale() == "log" else ""))
    ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    return fig


# ----------------------------------------------------------------------------- accuracy


def plot_accuracy(history: object, path: str | Path) -> Path:
    """Write :func:`accuracy_figure` of ``history`` to the PNG ``path``."""
    return _save(accuracy_figure(history), path)


def _score_axes(history: object, title: str, what: str):
    """A figure titled ``title`` with the train and validation score per epoch
    (``history.train_score`` / ``val_score``, named by ``history.score_name``: accuracy,
    or R^2 for a regression; ``train_acc`` / ``val_acc`` for a history-like object
    without them).

    Returns (fig, ax, epochs, train, val); train and val are None when absent, and with
    neither the axes say "no {what} recorded".
    """
    epochs = _epochs(history)
    train, val = _scores(history, epochs.size)
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if train is None and val is None:
        _no_data(ax, f"no {what} recorded")
    if train is not None:
        ax.plot(epochs, train, "o-", color=_TRAIN_COLOR, markersize=4, label="train")
    if val is not None:
        ax.plot(epochs, val, "s-", color=_VAL_COLOR, markersize=4, label="validation")
    return fig, ax, epochs, train, val


def accuracy_figure(history: object) -> Figure:
    """Train and validation accuracy per epoch (as percent), with the kept epoch marked
    (labelled with ``history.best_rule`` when it has one)."""
    name = SCORE_LABELS.get(getattr(history, "score_name", "accuracy"), "accuracy")
    fig, ax, epochs, train, val = _score_axes(history, f"{name.capitalize()} per epoch", name)
    if train is None and val is None:
        return fig

    best = _best_epoch(history, epochs)
    if best is not None:
        i = int(np.nonzero(epochs.astype(int) == best)[0][0])
        ax.axvline(best, color=_BEST_COLOR, linestyle="--", linewidth=1, alpha=0.8)
        ref = val if val is not None and not np.isnan(val[i]) else train
        rule = getattr(history, "best_rule", "") or ""
        label = f"kept epoch {best}" + (f", {rule}" if rule else "")
        if ref is not None and not np.isnan(ref[i]):
            label += f" ({'val' if ref is val else 'train'} {100 * ref[i]:.2f}%)"
            ax.plot([best], [ref[i]], marker="*", markersize=14, color=_BEST_COLOR,
                    linestyle="none", label=label, zorder=5)
        else:
            ax.lines[-1].set_label(label)

    shown = np.concatenate([a for a in (train, val) if a is not None])
    low = float(np.nanmin(shown))
    lower = max(0.0, math.floor((low - 0.05) * 10) / 10)
    ax.set_ylim(lower, 1.0 + 0.02 * (1.0 - lower))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if epochs.size == 1:
        ax.set_xlim(epochs[0] - 1, epochs[0] + 1)
    ax.legend(loc="lower right", fontsize=9, framealpha=0.85)
    return fig


# ----------------------------------------------------------------------------- confusion


def plot_confusion(
    confusion: np.ndarray,
    class_names: Sequence[str],
    path: str | Path,
    title: str = "Confusion matrix (test)",
) -> Path:
    """Write :func:`confusion_figure` to the PNG ``path``."""
    return _save(confusion_figure(confusion, class_names, title), path)


def confusion_figure(
    confusion: np.ndarray,
    class_names: Sequence[str],
    title: str = "Confusion matrix (test)",
) -> Figure:
    """Confusion matrix: rows are true labels, columns predicted labels.

    Cell colours are the counts normalised per row (the fraction of each true class);
    the counts themselves are written in the cells when there are at most 20 classes.
    """
    cm = _as_matrix(confusion, "confusion")
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise InputError(
            f"confusion must be a square (C, C) matrix of counts; got shape {cm.shape}."
        )
    if not np.isfinite(cm).all() or (cm < 0).any():
        raise InputError("confusion must hold finite, non-negative counts.")
    n = cm.shape[0]
    names = [str(c) for c in class_names]
    if len(names) != n:
        raise InputError(
            f"class_names has {len(names)} entries but confusion is {n}x{n}; "
            "pass one name per class."
        )

    totals = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)

    side = float(min(max(5.0, 0.42 * n + 2.2), 11.0))
    fig = _new_figure(side + 0.9, side)
    ax = fig.add_subplot()
    image = ax.imshow(norm, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, shrink=0.85)
    bar.set_label("fraction of true class (row-normalised)")
    bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))

    tick_size = 9 if n <= 12 else (8 if n <= 30 else 6)
    ticks = np.arange(n) if n <= 60 else np.arange(0, n, int(math.ceil(n / 60)))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xticklabels([names[i] for i in ticks], fontsize=tick_size)
    ax.set_yticklabels([names[i] for i in ticks], fontsize=tick_size)
    # Rotate the predicted-label ticks only when they would run into each other.
    longest = max((len(names[i]) for i in ticks), default=0)
    cell_points = 72.0 * (side - 1.6) / n * (n / len(ticks))
    if 0.62 * tick_size * longest > 0.9 * cell_points:
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    total = cm.sum()
    subtitle = ""
    if total > 0:
        subtitle = f"\n{total:.0f} examples, accuracy {100 * np.trace(cm) / total:.2f}%"
    ax.set_title(f"{title}{subtitle}")

    if n <= _MAX_ANNOTATED_CLASSES:
        integral = np.all(cm == np.round(cm))
        cell_size = 10 if n <= 6 else (8 if n <= 12 else 6)
        for i in range(n):
            for j in range(n):
                text = f"{int(cm[i, j])}" if integral else f"{cm[i, j]:.3g}"
                ax.text(j, i, text, ha="center", va="center", fontsize=cell_size,
                        color="white" if norm[i, j] > 0.55 else "black")
    return fig


# ----------------------------------------------------------------------------- weights


def plot_first_layer_weights(
    W1: np.ndarray,
    image_shape: tuple[int, ...],
    path: str | Path,
    max_units: int = 64,
) -> Path:
    """Grid of the first ``max_units`` hidden units' input weights shown as images.

    ``W1`` is (D, H); each column is reshaped (row-major) to ``image_shape`` — (h, w)
    for grey images, (h, w, 3) for colour — and min-max scaled to [0, 1] on its own.
    """
    grid, n = weights_grid(W1, image_shape, max_units)
    n_units = np.shape(W1)[1]
    fig = _new_figure(6.0, 6.3)
    ax = fig.add_subplot()
    shown = "" if n == n_units else f" (first {n} of {n_units} units)"
    ax.set_title(f"First-layer weights{shown}")
    ax.set_axis_off()
    if n == 0:
        _no_data(ax, "W1 has no hidden units")
        return _save(fig, path)
    if grid.ndim == 3:
        ax.imshow(grid, interpolation="nearest")
    else:
        ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    return _save(fig, path)


# ----------------------------------------------------------------------------- search


def _search_column(results: Sequence[Mapping], key: str) -> np.ndarray:
    values = []
    for i, row in enumerate(results):
        if key not in row:
            raise InputError(
                f"search result {i} has no {key!r} entry (keys: {sorted(map(str, row))}); "
                "each row needs 'lr', 'reg' and 'val_score' (or 'val_acc')."
            )
        try:
            values.append(float(row[key]))
        except (TypeError, ValueError):
            raise InputError(
                f"search result {i} has a non-numeric {key!r}: {row[key]!r}."
            ) from None
    return np.asarray(values, dtype=np.float64)


def plot_search(results: Sequence[Mapping], path: str | Path) -> Path:
    """Hyper-parameter search: validation score against learning rate and against reg.

    Each row has ``lr``, ``reg`` and ``val_score`` (``val_acc`` in rows of before numpynn
    0.3), and may name its ``score_name`` ("accuracy", shown as percent, or e.g. "r2").

    Learning rate is on a log axis, regularisation on a symmetric-log axis (so 0 is
    allowed); the best trial is a red star in both panels. Trials whose validation
    accuracy is not finite (failed or diverged) are counted in the title, not drawn.
    """
    results = list(results)
    if not results:
        raise InputError("plot_search needs at least one search result; got none.")
    lr = _search_column(results, "lr")
    reg = _search_column(results, "reg")
    acc = _search_column(results, "val_score" if all("val_score" in r for r in results)
                         else "val_acc")
    ok = np.isfinite(acc) & np.isfinite(lr) & np.isfinite(reg)

    fig = _new_figure(10.0, 4.2)
    ax_lr, ax_reg = fig.subplots(1, 2, sharey=True)
    failed = int((~ok).sum())
    note = f" ({failed} failed trial{'s' if failed != 1 else ''} not shown)" if failed else ""
    fig.suptitle(f"Hyper-parameter search: {ok.sum()} trials{note}")
    if not ok.any():
        for ax in (ax_lr, ax_reg):
            _no_data(ax, "no finished trials")
        return _save(fig, path)

    names = {r.get("score_name", "accuracy") for r in results}
    score = names.pop() if len(names) == 1 else "accuracy"
    percent = score in PERCENT_SCORES
    label = SCORE_LABELS.get(score, score)
    best = int(np.flatnonzero(ok)[np.argmax(acc[ok])])
    value = (f"{'' if score == 'accuracy' else label + ' '}{100 * acc[best]:.2f}%" if percent
             else f"{label} {acc[best]:.3f}")
    best_label = f"best: lr={lr[best]:.3g}, reg={reg[best]:.3g}, val {value}"
    for ax, x, name in ((ax_lr, lr, "learning rate"), (ax_reg, reg, "regularisation strength")):
        ax.scatter(x[ok], acc[ok], s=28, color=_TRAIN_COLOR, alpha=0.75, edgecolors="none",
                   label="trial")
        ax.scatter([x[best]], [acc[best]], s=220, marker="*", color=_BEST_COLOR,
                   edgecolors="black", linewidths=0.6, zorder=5, label=best_label)
        ax.set_xlabel(name)
        ax.grid(True, alpha=0.3)

    if (lr[ok] > 0).all():
        ax_lr.set_xscale("log")
    positive = np.abs(reg[ok][reg[ok] != 0])
    linthresh = float(positive.min()) if positive.size else 1e-6
    ax_reg.set_xscale("symlog", linthresh=linthresh)
    # Regularisation is never negative: start the axis just left of 0 and leave room on
    # the right so that the largest values are not cut by the frame.
    top = float(reg[ok].max())
    ax_reg.set_xlim(-0.5 * linthresh, top * 2.0 if top > linthresh else 2.0 * linthresh)
    ax_lr.set_title(f"validation {label} vs learning rate (log x)", fontsize=10)
    ax_reg.set_title(f"validation {label} vs reg (symlog x)", fontsize=10)
    ax_lr.set_ylabel(f"validation {label}")
    low, high = float(acc[ok].min()), float(acc[ok].max())
    margin = max(0.02, 0.08 * (high - low))
    if percent:
        ax_lr.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax_lr.set_ylim(max(0.0, low - margin), min(1.0, high + margin) + 0.01)
    else:  # R^2 may be far below 0
        ax_lr.set_ylim(low - margin, high + margin)
    ax_lr.legend(loc="lower left", fontsize=8, framealpha=0.85)
    return _save(fig, path)
