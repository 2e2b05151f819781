"""Regression helpers: the target scaler, R^2 / RMSE / MAE, and the per-epoch R^2 + loss
that :func:`numpynn.training.trainer.accuracy_and_loss` reports for a regression network.

Targets are (N, K) float arrays (K outputs); a (N,) array is one output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InputError, ModelFileError
from .training.chunks import row_chunks

__all__ = ["TargetScaler", "r2_score", "regression_metrics", "r2_and_loss"]


class TargetScaler:
    """Standardises regression targets: ``(y - mean) / scale`` per output column.

    Fitted on the training targets only; ``scale`` is the standard deviation, 1 where a
    column is constant (so a constant target stays finite). ``inverse_transform`` maps
    predictions back to the original units. ``state()`` / ``from_state`` store it in a
    model file as plain lists (JSON).
    """

    def __init__(self, mean: np.ndarray | None = None, scale: np.ndarray | None = None
                 ) -> None:
        self.mean = None if mean is None else np.asarray(mean, np.float64).reshape(-1)
        self.scale = None if scale is None else np.asarray(scale, np.float64).reshape(-1)

    def fit(self, y: np.ndarray) -> TargetScaler:
        """y: (N, K) (or (N,)) finite training targets."""
        y2 = _as_2d(y)
        self.mean = y2.mean(axis=0)
        std = y2.std(axis=0)
        self.scale = np.where(std > 0, std, 1.0)
        return self

    def transform(self, y: np.ndarray) -> np.ndarray:
        """(N, K) float64 standardised copy of y."""
        return (_as_2d(y) - self.mean) / self.scale

    def inverse_transform(self, y: np.ndarray) -> np.ndarray:
        """Predictions (N, K) in scaled units back to the original units (float64)."""
        return _as_2d(y) * self.scale + self.mean

    def state(self) -> dict[str, Any]:
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_state(cls, state: Any, n_outputs: int) -> TargetScaler:
        """A scaler from :meth:`state` output (ModelFileError when damaged)."""
        try:
            mean = np.asarray(state["mean"], np.float64)
            scale = np.asarray(state["scale"], np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"the model file's target scaler is damaged ({exc}); "
                                 "train the model again.") from None
        if mean.shape != (n_outputs,) or scale.shape != (n_outputs,) or not (
                np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise ModelFileError(f"the model file's target scaler does not fit the model's "
                                 f"{n_outputs} output(s); train the model again.")
        return cls(mean, scale)


def _as_2d(y: np.ndarray) -> np.ndarray:
    arr = np.asarray(y, dtype=np.float64)
    return arr[:, None] if arr.ndim == 1 else arr


def _r2_from_sums(sse: np.ndarray, sst: np.ndarray) -> float:
    """Uniform average of per-output R^2 = 1 - SSE/SST; a constant output scores 1 if
    predicted exactly, else 0 (scikit-learn's ``force_finite``)."""
    r2 = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0),
                  np.where(sse == 0, 1.0, 0.0))
    return float(np.mean(r2))


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, uniform average over outputs. y: (N, K) or (N,)."""
    t, p = _as_2d(y_true), _as_2d(y_pred)
    if t.shape != p.shape:
        raise InputError(f"y_true has shape {t.shape} but y_pred {p.shape}; they must match.")
    sse = ((t - p) ** 2).sum(axis=0)
    sst = ((t - t.mean(axis=0)) ** 2).sum(axis=0)
    return _r2_from_sums(sse, sst)


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """``{"r2", "rmse", "mae", "n"}`` of predictions in the targets' own units.

    r2: uniform average over outputs; rmse / mae: over every cell (N * K values).
    """
    t, p = _as_2d(y_true), _as_2d(y_pred)
    diff = t - p
    return {"r2": r2_score(t, p), "rmse": float(np.sqrt(np.mean(diff ** 2))),
            "mae": float(np.mean(np.abs(diff))), "n": int(t.shape[0])}


def r2_and_loss(model: Any, X: np.ndarray, y: np.ndarray, chunk: int = 8192,
                idx: np.ndarray | None = None) -> tuple[float, float]:
    """R^2 and mean data loss of a regression network on validated X: (N, D), y: (N, K),
    a chunk of rows at a time (idx: only these rows), in the units the network was
    trained in."""
    n = X.shape[0] if idx is None else idx.shape[0]
    k = y.shape[1]
    sse, mean, m2 = np.zeros(k), np.zeros(k), np.zeros(k)  # m2: sum of squared deviations
    total_loss, seen = 0.0, 0
    for Xb, yb in row_chunks(X, y, chunk, idx):
        scores = model.forward(Xb).astype(np.float64)
        loss, _ = model.loss_fn(scores, yb)
        total_loss += loss * yb.shape[0]
        sse += ((scores - yb) ** 2).sum(axis=0)
        b = yb.shape[0]  # merge the chunk's mean and spread (Chan et al.): no cancellation
        chunk_mean = yb.mean(axis=0)
        delta = chunk_mean - mean
        m2 += ((yb - chunk_mean) ** 2).sum(axis=0) + delta ** 2 * seen * b / (seen + b)
        mean += delta * b / (seen + b)
        seen += b
    return _r2_from_sums(sse, m2), total_loss / n
