"""Leaky ReLU ``x if x > 0 else negative_slope * x`` (slope 0.01 as in PyTorch; He
initialisation for the layer before it).

Readable pair, in-place kernel and registered layer (see :mod:`.elementwise` for the
kernels' shared design and the table of derivatives)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import CoursePair, Layer
from .elementwise import DerivativeKernel, finite_number
from .registry import register


def leaky_relu_forward(
    x: np.ndarray, negative_slope: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """Leaky ReLU: ``x`` where ``x > 0``, ``negative_slope * x`` elsewhere (PyTorch's
    default slope 0.01). x: (N, D). Returns out (N, D) and the cache (the local slope)."""
    slope = np.where(x > 0, 1.0, negative_slope).astype(x.dtype, copy=False)
    return x * slope, slope


def leaky_relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dx = dout * (1 if x > 0 else negative_slope). dout: (N, D) -> dx: (N, D)."""
    return dout * cache


class LeakyReLUKernel(DerivativeKernel):
    """The local slope (exactly 1 where x > 0 and s elsewhere, as the readable pair) goes
    into the scratch first, then ``out = x * slope``. For 0 <= s <= 1 the slope is
    ``max(1[x > 0], s)``: two fast passes (a masked ``copyto`` is ~3x slower)."""

    def forward(self, x, out, params, buffers, train, rng) -> None:
        slope = self._deriv[: x.shape[0]]
        s = self.layer.negative_slope
        np.greater(x, 0, out=slope)  # 1.0 / 0.0 in the float dtype
        if 0 <= s <= 1:
            np.maximum(slope, s, out=slope)
        else:
            np.copyto(slope, s, where=slope == 0)
        np.multiply(x, slope, out=out)


@register
class LeakyReLU(Layer):
    """``x if x > 0 else negative_slope * x`` (default 0.01, as PyTorch); no parameters."""

    course = CoursePair("leaky_relu", leaky_relu_forward, leaky_relu_backward,
                        sample="kinked")

    name = "leaky_relu"
    init_scheme = "he"
    kernel = LeakyReLUKernel

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = finite_number(negative_slope, "leaky_relu negative_slope")

    def config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}

    def forward(self, x, params, buffers, train, rng):
        return leaky_relu_forward(x, self.negative_slope)

    def backward(self, dout, cache):
        return leaky_relu_backward(dout, cache), {}

    def onnx(self, g, params, buffers, x):
        """Its ONNX nodes (numpynn.export builds the graph, ``g``)."""
        if g.dtype == np.float32:
            return g.op("LeakyRelu", [x], "leaky_relu", alpha=float(self.negative_slope))
        # float64: LeakyRelu's alpha attribute is a float32 (0.01 would become 0.0099999998)
        neg = g.op("Mul", [x, g.const(self.negative_slope, "negative_slope")])
        return g.op("Where", [g.op("Greater", [x, g.const(0.0, "zero")]), x, neg], "leaky_relu")
