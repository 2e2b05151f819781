"""Softmax and the fused, numerically stable softmax cross-entropy loss."""

from __future__ import annotations

import numpy as np


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


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(scores) against integer labels, and its gradient.

    scores: (N, C) class scores; y: (N,) integer labels in 0..C-1.
    Returns ``(loss, dscores)`` with ``loss = -(1/N) sum_i log P[i, y_i]`` and
    ``dscores = (P - Y) / N``: an (N, C) matrix, one row per example (eq. 1 of
    docs/backprop.md). Y is the one-hot encoding of y.
    """
    n = scores.shape[0]
    rows = np.arange(n)
    log_probs = log_softmax(scores)
    loss = -float(log_probs[rows, y].mean())
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1
    dscores /= n
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
    loss = float(margins.sum() / n)
    positive = (margins > 0).astype(x.dtype if x.dtype.kind == "f" else np.float64)
    positive[rows, y] = -positive.sum(axis=1)
    return loss, positive / n
