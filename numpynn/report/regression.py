"""matplotlib figures of a regression: R^2 per epoch, predicted-vs-true and residual
plots (PNG, matplotlib's object API), for notebooks and a user's own plots.

Built from :mod:`numpynn.report.kit`'s helpers; targets are (N, K) (one panel per output,
at most :data:`MAX_PANELS`). The run report (:func:`write_regression_report`, re-exported
from :mod:`numpynn.report.page`) draws the same figures as SVG, without matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from .kit import (
    _TRAIN_COLOR,
    _VAL_COLOR,
    _best_epoch,
    _new_figure,
    _no_data,
    _save,
    _score_axes,
)
from .page import write_regression_report

__all__ = ["plot_predicted_vs_true", "plot_r2", "plot_residuals", "write_regression_report"]

MAX_PANELS = 4


def _as_2d(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def _panels(y_true: np.ndarray, y_pred: np.ndarray, path: str | Path, title: str,
            names: list[str] | None, draw: Callable[[Axes, np.ndarray, np.ndarray], None]
            ) -> Path:
    """One panel per output (at most :data:`MAX_PANELS`) of targets and predictions (N, K):
    titled "{title}: {name}", gridded, "no rows" when N == 0, else ``draw(ax, t, p)``
    with that output's true and predicted values (N,)."""
    t, p = _as_2d(y_true), _as_2d(y_pred)
    k = min(t.shape[1], MAX_PANELS)
    fig = _new_figure(4.2 * k, 4.2)
    for j in range(k):
        ax = fig.add_subplot(1, k, j + 1)
        ax.set_title(f"{title}{f': {names[j]}' if names else ''}")
        ax.grid(True, alpha=0.3)
        if t.shape[0] == 0:
            _no_data(ax, "no rows")
            continue
        draw(ax, t[:, j], p[:, j])
    return _save(fig, path)


def _draw_predicted_vs_true(ax: Axes, t: np.ndarray, p: np.ndarray) -> None:
    ax.scatter(t, p, s=10, alpha=0.6, color=_TRAIN_COLOR)
    lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    ax.plot([lo, hi], [lo, hi], "--", color="gray", linewidth=1, label="y = x")
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    ax.legend(loc="upper left", fontsize=9)


def _draw_residuals(ax: Axes, t: np.ndarray, p: np.ndarray) -> None:
    ax.scatter(p, t - p, s=10, alpha=0.6, color=_VAL_COLOR)
    ax.axhline(0.0, color="gray", linestyle="--", linewidth=1)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true - predicted")


def plot_predicted_vs_true(y_true: np.ndarray, y_pred: np.ndarray, path: str | Path,
                           names: list[str] | None = None) -> Path:
    """Scatter of predictions against targets (N, K), with the identity line."""
    return _panels(y_true, y_pred, path, "Predicted vs true", names, _draw_predicted_vs_true)


def plot_residuals(y_true: np.ndarray, y_pred: np.ndarray, path: str | Path,
                   names: list[str] | None = None) -> Path:
    """Residuals (true - predicted) against the predictions, with the zero line."""
    return _panels(y_true, y_pred, path, "Residuals", names, _draw_residuals)


def plot_r2(history: object, path: str | Path) -> Path:
    """Train and validation R^2 per epoch (the history's accuracy slots of a regression)."""
    fig, ax, epochs, train, val = _score_axes(history, "R² per epoch", "R²")
    if train is None and val is None:
        return _save(fig, path)
    best = _best_epoch(history, epochs)
    if best is not None:
        ax.axvline(best, color="tab:red", linestyle="--", linewidth=1,
                   label=f"best epoch {best}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("R²")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower right", fontsize=9)
    return _save(fig, path)
