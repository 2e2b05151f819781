"""Convenience pairs of layers used together (CS231n's ``layer_utils``)."""

from __future__ import annotations

import numpy as np

from .affine import AffineCache, affine_backward, affine_forward
from .base import CoursePair
from .registry import register_course
from .relu import relu_backward, relu_forward


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


register_course(CoursePair("affine_relu", affine_relu_forward, affine_relu_backward,
                           ("x", "w", "b"), "affine"))
