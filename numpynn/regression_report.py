"""The report of a regression run: loss curves, R^2 per epoch, predicted-vs-true and
residual plots (PNG, matplotlib's object API) and ``report.html``.

Built from :mod:`numpynn.report`'s helpers; targets are (N, K) (one panel per output,
at most :data:`MAX_PANELS`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from .report import (
    _CSS,
    _TRAIN_COLOR,
    _VAL_COLOR,
    _best_epoch,
    _epochs,
    _format_detail,
    _metrics_table,
    _new_figure,
    _no_data,
    _per_epoch,
    _save,
    plot_loss,
)

__all__ = ["plot_predicted_vs_true", "plot_r2", "plot_residuals", "write_regression_report"]

MAX_PANELS = 4


def _as_2d(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def plot_predicted_vs_true(y_true: np.ndarray, y_pred: np.ndarray, path: str | Path,
                           names: list[str] | None = None) -> Path:
    """Scatter of predictions against targets (N, K), with the identity line."""
    t, p = _as_2d(y_true), _as_2d(y_pred)
    k = min(t.shape[1], MAX_PANELS)
    fig = _new_figure(4.2 * k, 4.2)
    for j in range(k):
        ax = fig.add_subplot(1, k, j + 1)
        ax.set_title(f"Predicted vs true{f': {names[j]}' if names else ''}")
        ax.grid(True, alpha=0.3)
        if t.shape[0] == 0:
            _no_data(ax, "no rows")
            continue
        ax.scatter(t[:, j], p[:, j], s=10, alpha=0.6, color=_TRAIN_COLOR)
        lo = float(min(t[:, j].min(), p[:, j].min()))
        hi = float(max(t[:, j].max(), p[:, j].max()))
        ax.plot([lo, hi], [lo, hi], "--", color="gray", linewidth=1, label="y = x")
        ax.set_xlabel("true")
        ax.set_ylabel("predicted")
        ax.legend(loc="upper left", fontsize=9)
    return _save(fig, path)


def plot_residuals(y_true: np.ndarray, y_pred: np.ndarray, path: str | Path,
                   names: list[str] | None = None) -> Path:
    """Residuals (true - predicted) against the predictions, with the zero line."""
    t, p = _as_2d(y_true), _as_2d(y_pred)
    k = min(t.shape[1], MAX_PANELS)
    fig = _new_figure(4.2 * k, 4.2)
    for j in range(k):
        ax = fig.add_subplot(1, k, j + 1)
        ax.set_title(f"Residuals{f': {names[j]}' if names else ''}")
        ax.grid(True, alpha=0.3)
        if t.shape[0] == 0:
            _no_data(ax, "no rows")
            continue
        ax.scatter(p[:, j], t[:, j] - p[:, j], s=10, alpha=0.6, color=_VAL_COLOR)
        ax.axhline(0.0, color="gray", linestyle="--", linewidth=1)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true - predicted")
    return _save(fig, path)


def plot_r2(history: object, path: str | Path) -> Path:
    """Train and validation R^2 per epoch (the history's accuracy slots of a regression)."""
    epochs = _epochs(history)
    train = _per_epoch(history, "train_acc", epochs.size)
    val = _per_epoch(history, "val_acc", epochs.size)
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.set_title("R² per epoch")
    ax.grid(True, alpha=0.3)
    if train is None and val is None:
        _no_data(ax, "no R² recorded")
        return _save(fig, path)
    if train is not None:
        ax.plot(epochs, train, "o-", color=_TRAIN_COLOR, markersize=4, label="train")
    if val is not None:
        ax.plot(epochs, val, "s-", color=_VAL_COLOR, markersize=4, label="validation")
    best = _best_epoch(history, epochs)
    if best is not None:
        ax.axvline(best, color="tab:red", linestyle="--", linewidth=1,
                   label=f"best epoch {best}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("R²")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower right", fontsize=9)
    return _save(fig, path)


def write_regression_report(
    out_dir: str | Path,
    history: object,
    metrics: Mapping[str, Mapping[str, float]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    split: str = "test",
    names: list[str] | None = None,
    title: str = "numpynn regression report",
    details: Mapping[str, object] | None = None,
) -> Path:
    """Write loss.png, r2.png, predicted_vs_true.png, residuals.png and report.html into
    ``out_dir``; y_true / y_pred: (N, K) of the ``split`` rows in the targets' units."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plot_loss(history, out / "loss.png")
    plot_r2(history, out / "r2.png")
    plot_predicted_vs_true(y_true, y_pred, out / "predicted_vs_true.png", names)
    plot_residuals(y_true, y_pred, out / "residuals.png", names)
    figures = [("Loss", "loss.png", "training and validation loss (scaled targets)"),
               ("R²", "r2.png", "training and validation R² per epoch"),
               (f"Predicted vs true ({split})", "predicted_vs_true.png",
                f"predicted against true values on the {split} split"),
               (f"Residuals ({split})", "residuals.png",
                f"residuals against predictions on the {split} split")]
    esc = html.escape
    lines = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{esc(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
             f"<h1>{esc(title)}</h1>"]
    epochs = _epochs(history)
    if epochs.size:
        best = _best_epoch(history, epochs)
        summary = f"{epochs.size} epoch{'s' if epochs.size != 1 else ''} run"
        if best is not None:
            summary += f"; parameters kept from epoch {best} (best validation R²)"
        lines.append(f"<p>{esc(summary)}.</p>")
    if metrics:
        lines.append("<h2>Metrics</h2>")
        lines.append("<p>R², RMSE and MAE in the targets' units; loss: half squared error "
                     "of the standardised targets.</p>")
        lines += _metrics_table(metrics)
    if details:
        lines.append("<h2>Details</h2>")
        lines.append('<table class="details"><tbody>')
        for key, value in details.items():
            lines.append(f"<tr><th>{esc(str(key))}</th><td>{esc(_format_detail(value))}"
                         "</td></tr>")
        lines.append("</tbody></table>")
    for heading, name, alt in figures:
        lines.append(f"<h2>{esc(heading)}</h2>")
        lines.append(f'<figure><img src="{esc(name)}" alt="{esc(alt)}"></figure>')
    lines += ["</body>", "</html>", ""]
    report = out / "report.html"
    report.write_text("\n".join(lines), encoding="utf-8")
    return report
