"""Logistic sigmoid ``1 / (1 + e^-x)``, registered also as scikit-learn's ``logistic`` (Glorot
initialisation for the layer before it).

Readable pair, in-place kernel and registered layer (see :mod:`.elementwise` for the
kernels' shared design and the table of derivatives)."""

from __future__ import annotations

import numpy as np

from .base import CoursePair, Layer
from .elementwise import DerivativeKernel
from .registry import register


def sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow.

    ``exp(-x)`` overflows for x below about -710 (float64; -89 in float32). With
    ``z = exp(-|x|)``, which lies in (0, 1], ``sigmoid(x) = 1 / (1 + z)`` for x >= 0 and
    ``z / (1 + z)`` for x < 0: the same value, and nothing overflows.
    x: (N, D). Returns out (N, D) and the cache (the output).
    """
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, out


def sigmoid_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dx = dout * s (1 - s), s = sigmoid(x), the forward output."""
    return dout * cache * (1 - cache)


class SigmoidKernel(DerivativeKernel):
    """scipy's ``expit`` (stable for any x) in place; derivative ``s (1 - s)``."""

    def forward(self, x, out, params, buffers, train, rng) -> None:
        from scipy.special import expit  # imported on use: SciPy adds 0.2 s to every start

        expit(x, out=out)
        if train:
            d = self._deriv[: x.shape[0]]
            np.subtract(1, out, out=d)
            np.multiply(d, out, out=d)


@register(aliases=("logistic",))
class Sigmoid(Layer):
    """Logistic sigmoid (scikit-learn calls it ``logistic``); Glorot initialisation."""

    course = CoursePair("sigmoid", sigmoid_forward, sigmoid_backward)

    name = "sigmoid"
    init_scheme = "glorot"
    kernel = SigmoidKernel

    def forward(self, x, params, buffers, train, rng):
        return sigmoid_forward(x)

    def backward(self, dout, cache):
        return sigmoid_backward(dout, cache), {}

    def onnx(self, g, params, buffers, x):
        """Its ONNX node: Sigmoid (numpynn.export builds the graph, ``g``)."""
        return g.op("Sigmoid", [x], self.name)
