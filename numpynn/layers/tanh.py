"""Hyperbolic tangent (Glorot initialisation for the layer before it).

Readable pair, in-place kernel and registered layer (see :mod:`.elementwise` for the
kernels' shared design and the table of derivatives)."""

from __future__ import annotations

import numpy as np

from .base import CoursePair, Layer
from .elementwise import DerivativeKernel
from .registry import register


def tanh_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``tanh(x)`` elementwise. x: (N, D). The cache is the output."""
    out = np.tanh(x)
    return out, out


def tanh_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dx = dout * (1 - tanh(x)^2), read off the forward output."""
    return dout * (1 - cache**2)


class TanhKernel(DerivativeKernel):
    def forward(self, x, out, params, buffers, train, rng) -> None:
        np.tanh(x, out=out)
        if train:
            d = self._deriv[: x.shape[0]]
            np.multiply(out, out, out=d)
            np.subtract(1, d, out=d)


@register
class Tanh(Layer):
    """``tanh(x)``; no parameters; Glorot initialisation for the layer before it."""

    course = CoursePair("tanh", tanh_forward, tanh_backward)

    name = "tanh"
    init_scheme = "glorot"
    kernel = TanhKernel

    def forward(self, x, params, buffers, train, rng):
        return tanh_forward(x)

    def backward(self, dout, cache):
        return tanh_backward(dout, cache), {}

    def onnx(self, g, params, buffers, x):
        """Its ONNX node: Tanh (numpynn.export builds the graph, ``g``)."""
        return g.op("Tanh", [x], self.name)
