"""Plots and the static HTML run report written after training.

Every plot function takes the data and an output path, writes one PNG and returns the
path as a :class:`pathlib.Path`. Figures are built with matplotlib's object API on an
Agg canvas (no ``pyplot``, no global state, no GUI), so they are safe in threads and on
machines without a display.

:func:`write_report` puts the plots and a self-contained ``report.html`` (no scripts, no
external resources; images referenced by relative file name) into one directory.

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

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..errors import InputError
from ..model_file import atomic_write, write_text_atomic
from ..training.trainer import SCORE_LABELS

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


def _floats(values: object, name: str) -> np.ndarray:
    """``values`` as a 1-D float array; non-finite entries become NaN."""
    try:
        arr = np.asarray(values if values is not None else [], dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InputError(f"history.{name} must be a list of numbers: {exc}") from None
    return np.where(np.isfinite(arr), arr, np.nan)


def _per_epoch(history: object, name: str, n_epochs: int) -> np.ndarray | None:
    """The per-epoch series ``history.<name>``, or None when absent, empty or misaligned."""
    values = _floats(getattr(history, name, None), name)
    if values.size == 0 or values.size != n_epochs or np.isnan(values).all():
        return None
    return values


def _epochs(history: object) -> np.ndarray:
    epochs = np.asarray(getattr(history, "epochs", None) or [], dtype=np.float64).reshape(-1)
    return epochs


def _best_epoch(history: object, epochs: np.ndarray) -> int | None:
    best = getattr(history, "best_epoch", 0) or 0
    try:
        best = int(best)
    except (TypeError, ValueError):
        return None
    return best if best > 0 and epochs.size and best in set(epochs.astype(int).tolist()) else None


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Centred mean over ``window`` neighbouring finite values (shorter at the ends)."""
    finite = ~np.isnan(values)
    csum = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(finite)])
    idx = np.arange(values.size)
    lo = np.maximum(idx - window // 2, 0)
    hi = np.minimum(idx + window - window // 2, values.size)
    count = ccount[hi] - ccount[lo]
    return np.where(count > 0, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)


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
    train, val = (_per_epoch(history, f"{part}_score", epochs.size)
                  if getattr(history, f"{part}_score", None) is not None
                  else _per_epoch(history, f"{part}_acc", epochs.size) for part in ("train", "val"))
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
    fig, ax, epochs, train, val = _score_axes(history, "Accuracy per epoch", "accuracy")
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
    ax.set_ylabel("accuracy")
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
    W = _as_matrix(W1, "W1")
    if W.ndim != 2:
        raise InputError(f"W1 must be a 2-D (D, H) weight matrix; got shape {W.shape}.")
    try:
        shape = tuple(int(d) for d in image_shape)
    except (TypeError, ValueError):
        raise InputError(f"image_shape must be a tuple of ints; got {image_shape!r}.") from None
    if int(np.prod(shape)) != W.shape[0]:
        raise InputError(
            f"image_shape {shape} has {int(np.prod(shape))} values but W1 has {W.shape[0]} "
            "rows; pass the shape of the network's input images."
        )
    if len(shape) == 3 and shape[2] == 1:
        shape = shape[:2]
    colour = len(shape) == 3 and shape[2] == 3
    if len(shape) != 2 and not colour:
        raise InputError(f"image_shape must be (h, w) or (h, w, 3); got {tuple(image_shape)}.")
    if int(max_units) < 1:
        raise InputError(f"max_units must be at least 1; got {max_units}.")

    n = min(W.shape[1], int(max_units))
    fig = _new_figure(6.0, 6.3)
    ax = fig.add_subplot()
    shown = "" if n == W.shape[1] else f" (first {n} of {W.shape[1]} units)"
    ax.set_title(f"First-layer weights{shown}")
    ax.set_axis_off()
    if n == 0:
        _no_data(ax, "W1 has no hidden units")
        return _save(fig, path)

    tiles = W[:, :n].T.reshape(n, *shape)
    lo = tiles.reshape(n, -1).min(axis=1)
    hi = tiles.reshape(n, -1).max(axis=1)
    span = hi - lo
    expand = (slice(None),) + (None,) * (tiles.ndim - 1)
    scaled = np.where(
        (span > 0)[expand],
        (tiles - lo[expand]) / np.where(span > 0, span, 1.0)[expand],
        0.5,
    )

    h, w = shape[:2]
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    pad = max(1, min(h, w) // 12)
    grid_shape = (rows * (h + pad) + pad, cols * (w + pad) + pad) + ((3,) if colour else ())
    grid = np.ones(grid_shape)
    for k in range(n):
        r, c = divmod(k, cols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        grid[top:top + h, left:left + w] = scaled[k]
    if colour:
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
    percent = score == "accuracy"
    label = SCORE_LABELS.get(score, score)
    best = int(np.flatnonzero(ok)[np.argmax(acc[ok])])
    value = f"{100 * acc[best]:.2f}%" if percent else f"{label} {acc[best]:.3f}"
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


# ----------------------------------------------------------------------------- report


def _format_metric(name: str, value: object) -> str:
    if value is None:
        return "–"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return str(number)
    lowered = name.lower()
    if "acc" in lowered:
        return f"{100 * number:.2f}%"
    if "loss" in lowered:
        return f"{number:.4f}"
    return f"{number:.4g}"


def _format_detail(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if isinstance(value, list | tuple):
        return ", ".join(_format_detail(v) for v in value)
    return str(value)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { border-bottom: 2px solid #ddd; padding-bottom: .3em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: .3em .8em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #f3f3f3; }
figure { margin: 1em 0 2em; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
"""


def _metrics_table(metrics: Mapping[str, Mapping[str, float]]) -> list[str]:
    columns: list[str] = []
    for row in metrics.values():
        for name in row:
            if name not in columns:
                columns.append(name)
    lines = ['<table class="metrics">', "<thead><tr><th>split</th>"]
    lines += [f"<th>{html.escape(str(c))}</th>" for c in columns]
    lines.append("</tr></thead><tbody>")
    for split, row in metrics.items():
        cells = "".join(
            f'<td class="num">{html.escape(_format_metric(str(c), row.get(c)))}</td>'
            for c in columns
        )
        lines.append(f"<tr><th>{html.escape(str(split))}</th>{cells}</tr>")
    lines.append("</tbody></table>")
    return lines


def _cell(name: str, value: object) -> str:
    """An integer (a seed, an epoch) as it is; other values as :func:`_format_metric`."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(value)
    return _format_metric(name, value)


def _rows_table(rows: Sequence[Mapping[str, object]], css_class: str) -> list[str]:
    """A table of ``rows`` ({column: value}, columns in first-seen order): the first
    column as row headings, the other cells as :func:`_cell` writes them."""
    columns: list[str] = []
    for row in rows:
        columns += [str(c) for c in row if str(c) not in columns]
    esc = html.escape
    lines = [f'<table class="{css_class}"><thead><tr>'
             + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr></thead><tbody>"]
    for row in rows:
        head, *rest = columns
        cells = "".join(f'<td class="num">{esc(_cell(c, row.get(c)))}</td>' for c in rest)
        lines.append(f"<tr><th>{esc(str(row.get(head)))}</th>{cells}</tr>")
    lines.append("</tbody></table>")
    return lines


def _per_class_table(ev: object, class_names: Sequence[str] | None) -> list[str]:
    """Rows of precision, recall, F1 and support per class (an Evaluation's arrays)."""
    columns = ("precision", "recall", "f1", "support")
    values = [np.asarray(getattr(ev, c), dtype=np.float64).reshape(-1) for c in columns]
    n = values[0].size
    names = list(class_names) if class_names is not None and len(class_names) == n else [
        str(i) for i in range(n)]
    lines = ['<table class="per-class">', "<thead><tr><th>class</th>"
             + "".join(f"<th>{c}</th>" for c in columns) + "</tr></thead><tbody>"]
    for i in range(n):
        cells = "".join(f'<td class="num">{v[i]:.3f}</td>' for v in values[:3])
        cells += f'<td class="num">{int(values[3][i])}</td>'
        lines.append(f"<tr><th>{html.escape(str(names[i]))}</th>{cells}</tr>")
    lines.append("</tbody></table>")
    return lines


def _key_value_table(items: Iterable[tuple[object, object]], css_class: str) -> list[str]:
    """A two-column table of (key, value) rows."""
    esc = html.escape
    return ([f'<table class="{css_class}"><tbody>']
            + [f"<tr><th>{esc(str(key))}</th><td>{esc(_format_detail(value))}</td></tr>"
               for key, value in items]
            + ["</tbody></table>"])


def _html_start(title: object) -> list[str]:
    """The page up to and including its ``<h1>``."""
    esc = html.escape
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(str(title))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(str(title))}</h1>",
    ]


def _kept_summary(history: object, rule: str | None = None) -> list[str]:
    """"N epochs run; parameters kept from epoch B (rule)." (``rule`` defaults to
    ``history.best_rule``); nothing for an empty history."""
    epochs = _epochs(history)
    if not epochs.size:
        return []
    best = _best_epoch(history, epochs)
    summary = f"{epochs.size} epoch{'s' if epochs.size != 1 else ''} run"
    if best is not None:
        summary += f"; parameters kept from epoch {best}"
        rule = (getattr(history, "best_rule", "") or "") if rule is None else rule
        if rule:
            summary += f" ({rule})"
    return [f'<p class="kept">{html.escape(summary)}.</p>']


def _html_finish(out: Path, lines: list[str], figures: Sequence[tuple[str, str, str]]
                 ) -> Path:
    """Append the ``figures`` (heading, file name, alt text) and the end of the page to
    ``lines``; write them to ``out``/report.html (atomically) and return its path."""

    esc = html.escape
    for heading, name, alt in figures:
        lines.append(f"<h2>{esc(heading)}</h2>")
        lines.append(f'<figure><img src="{esc(name)}" alt="{esc(alt)}"></figure>')
    lines += ["</body>", "</html>", ""]
    report = out / "report.html"
    write_text_atomic(report, "\n".join(lines))
    return report


def _flatten(config: Mapping[str, object], prefix: str = "") -> list[tuple[str, object]]:
    """{"a": 1, "train": {"lr": 0.1}} -> [("a", 1), ("train.lr", 0.1)]."""
    items: list[tuple[str, object]] = []
    for key, value in config.items():
        if isinstance(value, Mapping) and value:
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def write_report(
    out_dir: str | Path,
    history: object,
    *,
    metrics: Mapping[str, Mapping[str, float]],
    confusion: np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    W1: np.ndarray | None = None,
    image_shape: tuple[int, ...] | None = None,
    title: str = "numpynn training report",
    details: Mapping[str, object] | None = None,
    split_sizes: Mapping[str, int] | None = None,
    evaluation: object | None = None,
    configuration: Mapping[str, object] | None = None,
    members: Sequence[Mapping[str, object]] = (),
) -> Path:
    """Write the plots and ``report.html`` into ``out_dir`` (created); return the HTML path.

    Always writes ``loss.png`` and ``accuracy.png``; ``confusion.png`` when ``confusion``
    is given (class names default to "0".."C-1"); ``weights.png`` when ``W1`` and
    ``image_shape`` are given and ``prod(image_shape) == W1.shape[0]``.

    ``metrics`` maps split names ("train", "val", "test") to {metric name: value};
    metrics whose name contains "acc" are fractions shown as percent with 2 decimals,
    those containing "loss" are shown with 4 decimals. ``details`` is a free key/value
    table (data set, architecture, optimiser, epochs, seed, time, ...). ``split_sizes``
    maps split names to row counts; ``evaluation`` (a :class:`numpynn.evaluation.Evaluation`
    of the test split: per-class ``precision``, ``recall``, ``f1``, ``support`` (C,))
    adds the per-class table; ``configuration`` (e.g. ``RunOptions.to_dict()``) is listed
    in full, nested dicts flattened as ``train.lr``. The kept epoch is stated with
    ``history.best_rule``, the rule that chose it. ``members``: an ensemble's spread,
    rows of {column: value} (one per member, then the ensemble's; e.g. ``model``,
    ``seed``, ``kept epoch``, ``val accuracy``, ``val loss``), shown as the table
    "Ensemble members".
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    figures: list[tuple[str, str, str]] = []  # (heading, file name, alt text)
    both = "training and validation" if getattr(history, "val_loss", None) else "training"
    plot_loss(history, out / "loss.png")
    figures.append(("Loss", "loss.png", f"{both} loss"))
    plot_accuracy(history, out / "accuracy.png")
    figures.append(("Accuracy", "accuracy.png", f"{both} accuracy per epoch"))
    if confusion is not None:
        cm = np.asarray(confusion)
        names = (
            list(class_names) if class_names is not None
            else [str(i) for i in range(cm.shape[0] if cm.ndim else 0)]
        )
        plot_confusion(cm, names, out / "confusion.png")
        figures.append(("Confusion matrix", "confusion.png", "confusion matrix on the test set"))
    if W1 is not None and image_shape is not None:
        W = np.asarray(W1)
        if W.ndim == 2 and int(np.prod(image_shape)) == W.shape[0]:
            plot_first_layer_weights(W, tuple(image_shape), out / "weights.png")
            figures.append(("First-layer weights", "weights.png",
                            "first-layer weights shown as images"))

    esc = html.escape
    lines = _html_start(title) + _kept_summary(history)
    if split_sizes:
        lines.append("<h2>Data splits</h2>")
        lines.append('<table class="splits"><thead><tr><th>split</th><th>rows</th></tr>'
                     "</thead><tbody>")
        lines += [f'<tr><th>{esc(str(k))}</th><td class="num">{int(v):,}</td></tr>'
                  for k, v in split_sizes.items()]
        lines.append("</tbody></table>")
    if metrics:
        lines.append("<h2>Metrics</h2>")
        lines += _metrics_table(metrics)
    if members:
        lines.append("<h2>Ensemble members</h2>")
        lines += _rows_table(members, "members")
    if evaluation is not None:
        lines.append("<h2>Per class (test)</h2>")
        lines += _per_class_table(evaluation, class_names)
    if details:
        lines.append("<h2>Details</h2>")
        lines += _key_value_table(details.items(), "details")
    if configuration:
        lines.append("<h2>Configuration</h2>")
        lines += _key_value_table(_flatten(configuration), "configuration")
    return _html_finish(out, lines, figures)
