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
