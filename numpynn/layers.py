"""Forward/backward pairs, one per operation, each backward right beside its forward.

Every ``*_forward`` returns ``(out, cache)``; the matching ``*_backward`` takes the
upstream gradient ``dout`` (same shape as ``out``) and that ``cache`` and returns the
gradient of the loss with respect to each input. The equation numbers refer to
``docs/backprop.md`` (the seed question's eqs. 1-4).
"""

from __future__ import annotations

import numpy as np

AffineCache = tuple[np.ndarray, np.ndarray, tuple[int, ...]]


def affine_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, AffineCache]:
    """Fully connected layer ``out = x w + b``.

    x: (N, D) or (N, d1, ..., dk) with d1*...*dk == D (flattened per row, as in CS231n)
    w: (D, M); b: (M,)
    Returns out: (N, M) and the cache for :func:`affine_backward`.
    """
    x2 = x.reshape(x.shape[0], -1)
    out = x2 @ w + b
    return out, (x2, w, x.shape)


def affine_backward(
    dout: np.ndarray, cache: AffineCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_forward`.

    dout: (N, M), the layer's delta.
    Returns dx: (N, D) (reshaped like the original x), dw: (D, M), db: (M,).
    """
    x2, w, x_shape = cache
    dx = (dout @ w.T).reshape(x_shape)  # eq. 2, first factor: delta W^T
    dw = x2.T @ dout  # eq. 4: input^T delta, summed over the batch by the product
    db = dout.sum(axis=0)  # eq. 3: column sums of the delta
    return dx, dw, db


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ReLU ``out = max(0, x)`` elementwise. x: any shape. Returns out (same shape), cache."""
    out = np.maximum(x, 0)
    return out, out


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Backward pass of :func:`relu_forward`: ``dx = dout * 1[x > 0]`` (eq. 2, second factor).

    ``cache`` is the forward output; ``out > 0`` exactly where ``x > 0``.
    """
    return dout * (cache > 0)


def affine_relu_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple[AffineCache, np.ndarray]]:
    """Affine followed by ReLU. x: (N, D), w: (D, M), b: (M,) -> out: (N, M)."""
    a, affine_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (affine_cache, relu_cache)


def affine_relu_backward(
    dout: np.ndarray, cache: tuple[AffineCache, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_relu_forward`. Returns dx, dw, db."""
    affine_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, affine_cache)
