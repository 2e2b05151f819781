"""Losses: the readable softmax cross-entropy (fused, numerically stable), the loss objects a
network is built with, and their in-place kernels for the training engine."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from .errors import InputError
from .validation import check_labels


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax by the log-sum-exp trick. scores: (N, C) -> (N, C).

    Subtracting each row's maximum leaves softmax unchanged and keeps ``exp`` in
    [0, 1], so scores of +-1e4 give finite results.
    """
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax probabilities. scores: (N, C) -> P: (N, C), rows sum to 1."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def loss_value(v: Any) -> Any:
    """A loss as a Python float, or kept as an ``np.longdouble`` or complex scalar when
    computed in one (the gradient checker's numerical side evaluates in extended precision
    and takes complex steps)."""
    a = np.asarray(v)
    return a.reshape(())[()] if a.dtype == np.longdouble or a.dtype.kind == "c" else float(v)


def softmax_cross_entropy(
    scores: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(scores) against integer labels, and its gradient.

    scores: (N, C) class scores; y: (N,) integer labels in 0..C-1.
    Returns ``(loss, dscores)`` with ``loss = -(1/N) sum_i log P[i, y_i]`` and
    ``dscores = (P - Y) / N``: an (N, C) matrix, one row per example (eq. 1 of
    numpynn/docs/backprop.md). Y is the one-hot encoding of y.

    sample_weight: (N,) weights w_i >= 0: the weighted mean
    ``loss = sum_i w_i CE_i / sum_i w_i`` (scikit-learn's convention), so
    ``dscores = w_i (P - Y) / sum_i w_i``; all ones gives the unweighted loss. A batch
    whose weights are all zero has loss 0 and gradient 0.
    """
    n = scores.shape[0]
    rows = np.arange(n)
    log_probs = log_softmax(scores)
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1
    if sample_weight is None:
        loss = -loss_value(log_probs[rows, y].mean())
        dscores /= n
        return loss, dscores
    w = np.asarray(sample_weight, dtype=np.float64)
    total = float(w.sum())
    if total <= 0:
        return 0.0, np.zeros_like(dscores)
    loss = -loss_value(np.dot(w, log_probs[rows, y])) / total
    dscores *= (w / total)[:, None].astype(dscores.dtype)
    return loss, dscores


def svm_loss(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Multiclass SVM (hinge) loss and its gradient, as CS231n's assignment 1.

    x: (N, C) class scores; y: (N,) integer labels in 0..C-1.
    Returns ``(loss, dx)`` with ``loss = (1/N) sum_i sum_{j != y_i} max(0, x[i,j] -
    x[i,y_i] + 1)`` and dx: (N, C): ``1/N`` at every positive margin, and minus ``1/N``
    times the number of positive margins of the row at its label. The hinge has a kink
    where a margin is exactly 0; there the gradient taken is 0 (the right-hand slope).
    """
    x = np.asarray(x)
    n = x.shape[0]
    rows = np.arange(n)
    margins = np.maximum(0, x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = 0
    loss = loss_value(margins.sum() / n)
    positive = (margins > 0).astype(x.dtype if x.dtype.kind == "f" else np.float64)
    positive[rows, y] = -positive.sum(axis=1)
    return loss, positive / n


# --------------------------------------------------------------------------- loss objects
class Loss(ABC):
    """What a network's last layer is scored with: ``(loss, dscores)`` for scores (N, C).

    Subclasses set ``name`` (how model files and the CLI name it), implement the readable
    :meth:`__call__`, and may provide a :class:`LossKernel` for the training engine.
    """

    name: ClassVar[str] = ""
    kernel: ClassVar[type[LossKernel] | None] = None
    #: "classification" (targets are class indices) or "regression" (float targets)
    task: ClassVar[str] = "classification"
    #: the score of the network's predictions under this loss, as History names it
    score_name: ClassVar[str] = "accuracy"

    @abstractmethod
    def __call__(self, scores: np.ndarray, y: np.ndarray,
                 sample_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Mean loss over the batch (weighted mean ``sum w_i l_i / sum w_i`` with
        ``sample_weight`` (N,)) and its gradient with respect to ``scores``."""

    @abstractmethod
    def check_targets(self, y: object, n_rows: int, n_outputs: int, name: str = "y"
                      ) -> np.ndarray:
        """``y`` validated and converted for this loss (InputError naming ``name``)."""

    def output(self, scores: np.ndarray) -> np.ndarray:
        """What the network predicts from its scores (N, C): in place where possible."""
        return scores


class SoftmaxCrossEntropy(Loss):
    """Softmax cross-entropy for class indices y: (N,) in 0..C-1 (see
    :func:`softmax_cross_entropy`). Predictions are probabilities (rows sum to 1)."""

    name = "softmax"

    def __call__(self, scores, y, sample_weight=None):
        return softmax_cross_entropy(scores, y, sample_weight)

    def check_targets(self, y, n_rows, n_outputs, name="y"):

        return check_labels(y, n_rows, n_outputs, name)

    def output(self, scores):
        return softmax_inplace(scores)


def softmax_inplace(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax written over ``scores`` (N, C) (float): shift, exp, normalise."""
    rowbuf = np.empty((scores.shape[0], 1), scores.dtype)
    np.maximum.reduce(scores, axis=1, out=rowbuf[:, 0])
    np.subtract(scores, rowbuf, out=scores)
    np.exp(scores, out=scores)
    np.add.reduce(scores, axis=1, out=rowbuf[:, 0])
    np.divide(scores, rowbuf, out=scores)
    return scores


class LossKernel:
    """A loss computed in the training engine's buffers.

    ``forward(scores, y, sample_weight=None)`` returns the (weighted) mean loss of the
    batch and may overwrite ``scores`` (b, C) with whatever :meth:`backward` needs;
    ``backward(alpha, delta)``
    writes ``alpha * b`` times the gradient, i.e. ``alpha * N * dscores``, into ``delta``
    (which may be the ``scores`` buffer itself). This base class runs the readable loss.
    """

    def __init__(self, loss: Loss, n_outputs: int, dtype: np.dtype, capacity: int) -> None:
        self.loss = loss
        self._dscores: np.ndarray | None = None

    def forward(self, scores: np.ndarray, y: np.ndarray,
                sample_weight: np.ndarray | None = None) -> float:
        value, self._dscores = self.loss(scores, y, sample_weight)
        return float(value)

    def backward(self, alpha: float, delta: np.ndarray) -> None:
        np.multiply(self._dscores, alpha * delta.shape[0], out=delta, casting="same_kind")


class SoftmaxCrossEntropyKernel(LossKernel):
    """Fused softmax cross-entropy in place: max, shift, exp and row sums overwrite the
    scores; the loss is ``mean(log(rowsum) - shifted[y])`` (log-sum-exp, finite for any
    finite scores); backward turns them into ``alpha * (P - Y)`` in place."""

    def __init__(self, loss, n_outputs, dtype, capacity) -> None:
        super().__init__(loss, n_outputs, dtype, capacity)
        dt = np.dtype(dtype)
        self._ones_c = np.ones(n_outputs, dt)
        self._ones = np.ones(capacity, dt)
        self._rows_c = np.arange(capacity, dtype=np.intp) * n_outputs
        self._flat = np.empty(capacity, np.intp)
        self._rowmax = np.empty(capacity, dt)
        self._rowsum = np.empty(capacity, dt)
        self._picked = np.empty(capacity, dt)
        self._scores: np.ndarray | None = None
        self._row_scale: np.ndarray | None = None  # b * w_i / sum w, for weighted batches

    def forward(self, scores, y, sample_weight=None) -> float:
        b = scores.shape[0]
        rowmax, rowsum, picked = self._rowmax[:b], self._rowsum[:b], self._picked[:b]
        flat = self._flat[:b]
        np.maximum.reduce(scores, axis=1, out=rowmax)
        np.subtract(scores, rowmax[:, None], out=scores)
        np.add(self._rows_c[:b], y, out=flat)
        sf = scores.reshape(-1)  # C-contiguous rows: a view
        np.take(sf, flat, out=picked, mode="clip")  # shifted score of the label
        np.exp(scores, out=scores)
        np.dot(scores, self._ones_c, out=rowsum)
        np.log(rowsum, out=rowmax)  # log-sum-exp of the shifted row
        np.subtract(rowmax, picked, out=rowmax)  # -log P[i, y_i]
        self._scores = scores
        if sample_weight is None:
            self._row_scale = None
            return float(np.dot(rowmax, self._ones[:b])) / b
        total = float(np.sum(sample_weight, dtype=np.float64))
        if total <= 0:  # nothing to learn from this batch (as the readable loss)
            self._row_scale = np.zeros(b, scores.dtype)
            return 0.0
        self._row_scale = (sample_weight * (b / total)).astype(scores.dtype)
        return float(np.dot(rowmax, sample_weight)) / total

    def backward(self, alpha, delta) -> None:
        s = self._scores
        b = s.shape[0]
        rowsum = self._rowsum[:b]
        np.divide(alpha, rowsum, out=rowsum)
        if self._row_scale is None:
            np.multiply(s, rowsum[:, None], out=delta)  # alpha * P
            delta.reshape(-1)[self._flat[:b]] -= alpha  # eq. 1 scaled: alpha * b * (P - Y) / b
            return
        # weighted: alpha * b * w_i (P - Y) / sum w, row by row
        np.multiply(rowsum, self._row_scale, out=rowsum)
        np.multiply(s, rowsum[:, None], out=delta)
        delta.reshape(-1)[self._flat[:b]] -= alpha * self._row_scale


SoftmaxCrossEntropy.kernel = SoftmaxCrossEntropyKernel

# --------------------------------------------------------------------------- regression
def squared_error(
    scores: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Half the squared error, mean over examples, summed over outputs, and its gradient.

    scores: (N, K) predictions; y: (N, K) float targets. Returns ``(loss, dscores)`` with
    ``loss = (1/N) sum_i 0.5 * sum_k (scores[i, k] - y[i, k])**2`` and
    ``dscores = (scores - y) / N``. sample_weight: (N,) weights w_i >= 0 give the weighted
    mean ``sum_i w_i l_i / sum_i w_i`` and ``dscores = w_i (scores - y) / sum_i w_i``; a
    batch whose weights are all zero has loss 0 and gradient 0.

    scikit-learn's MLPRegressor (``sklearn/neural_network/_base.py``, ``squared_loss``)
    *reports* ``0.5 * np.average((y - yhat)**2, weights=w, axis=0).mean()``, i.e. the mean
    over outputs as well, but its backward pass starts from ``yhat - y`` scaled by
    ``w_i / sum w`` (``_backprop``): the gradient of the sum over outputs, which is ours.
    So the two train identically; for K outputs our loss value is K times the one
    scikit-learn prints (equal for a single output).
    """
    residual = scores - y
    per_row = 0.5 * np.einsum("ij,ij->i", residual, residual, dtype=np.float64)
    n = scores.shape[0]
    if sample_weight is None:
        return float(per_row.sum()) / n, residual / n
    w = np.asarray(sample_weight, dtype=np.float64)
    total = float(w.sum())
    if total <= 0:
        return 0.0, np.zeros_like(residual)
    return float(np.dot(w, per_row)) / total, residual * (w / total)[:, None].astype(
        residual.dtype)


def check_regression_targets(y: object, n_rows: int, n_outputs: int, name: str = "y"
                             ) -> np.ndarray:
    """``y`` as a finite float64 (N, K) array: (N,) is accepted for one output (K = 1)."""

    arr = np.asarray(y)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{name} must hold numbers (regression targets); got dtype "
                         f"{arr.dtype}.")
    if arr.ndim == 1 and n_outputs == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != n_outputs:
        want = "(N,) or (N, 1)" if n_outputs == 1 else f"(N, {n_outputs})"
        raise InputError(f"{name} must have shape {want} for a network with {n_outputs} "
                         f"output(s); got shape {arr.shape}.")
    if arr.shape[0] != n_rows:
        raise InputError(f"{name} has {arr.shape[0]} rows but X has {n_rows} rows; they "
                         "must match.")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise InputError(f"{name} holds NaN or infinite targets; drop or fill those rows.")
    return arr


class SquaredError(Loss):
    """Half squared error for float targets y: (N, K) (or (N,) for K = 1), see
    :func:`squared_error` (scikit-learn's convention there). Predictions are the scores."""

    name = "squared_error"
    task = "regression"
    score_name = "r2"

    def __call__(self, scores, y, sample_weight=None):
        return squared_error(scores, y, sample_weight)

    def check_targets(self, y, n_rows, n_outputs, name="y"):
        return check_regression_targets(y, n_rows, n_outputs, name)


class SquaredErrorKernel(LossKernel):
    """Squared error in place: forward overwrites the scores with the residual
    ``scores - y``; backward scales it by ``alpha`` (``alpha * b * w_i / sum w`` weighted),
    so no array is allocated per step."""

    def __init__(self, loss, n_outputs, dtype, capacity) -> None:
        super().__init__(loss, n_outputs, dtype, capacity)
        self._rowsq = np.empty(capacity, np.dtype(dtype))
        self._residual: np.ndarray | None = None
        self._row_scale: np.ndarray | None = None

    def forward(self, scores, y, sample_weight=None) -> float:
        b = scores.shape[0]
        np.subtract(scores, y, out=scores, casting="same_kind")
        self._residual = scores
        if b > self._rowsq.shape[0]:
            self._rowsq = np.empty(b, scores.dtype)
        rowsq = self._rowsq[:b]
        np.einsum("ij,ij->i", scores, scores, out=rowsq)
        if sample_weight is None:
            self._row_scale = None
            return 0.5 * float(np.sum(rowsq, dtype=np.float64)) / b
        total = float(np.sum(sample_weight, dtype=np.float64))
        if total <= 0:
            self._row_scale = np.zeros(b, scores.dtype)
            return 0.0
        self._row_scale = (sample_weight * (b / total)).astype(scores.dtype)
        return 0.5 * float(np.dot(rowsq, sample_weight)) / total

    def backward(self, alpha, delta) -> None:
        r = self._residual
        if self._row_scale is None:
            np.multiply(r, alpha, out=delta)
        else:
            np.multiply(r, (alpha * self._row_scale)[:, None], out=delta)


SquaredError.kernel = SquaredErrorKernel

LOSSES: dict[str, type[Loss]] = {"softmax": SoftmaxCrossEntropy, "squared_error": SquaredError}


def make_loss(name: Any) -> Loss:
    """The loss registered as ``name`` (an instance is returned unchanged)."""
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str) or name.lower() not in LOSSES:

        raise InputError(f"loss must be one of {', '.join(LOSSES)}; got {name!r}.")
    return LOSSES[name.lower()]()
