"""ELU ``x if x > 0 else alpha (e^x - 1)`` (alpha 1; He initialisation for the layer before
it).

Readable pair, in-place kernel and registered layer (see :mod:`.elementwise` for the
kernels' shared design and the table of derivatives)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer
from .elementwise import DerivativeKernel, finite_number
from .registry import register


def elu_forward(x: np.ndarray, alpha: float = 1.0) -> tuple[np.ndarray, tuple]:
    """ELU: ``x`` where ``x > 0``, ``alpha * (exp(x) - 1)`` elsewhere. x: (N, D).

    ``expm1`` keeps the digits of ``exp(x) - 1`` near 0; it is taken of ``min(x, 0)`` so
    that a large positive x cannot overflow in the branch that is discarded.
    """
    negative = alpha * np.expm1(np.minimum(x, 0))
    out = np.where(x > 0, x, negative)
    return out, (x > 0, negative, alpha)


def elu_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dx = dout * (1 if x > 0 else alpha * exp(x)); ``alpha * exp(x) = out + alpha``."""
    positive, negative, alpha = cache
    return dout * np.where(positive, 1.0, negative + alpha).astype(dout.dtype, copy=False)


class ELUKernel(DerivativeKernel):
    """``neg = alpha * expm1(min(x, 0))`` in the scratch, then ``out = max(x, 0) + neg``
    (for x > 0, neg is 0; for x <= 0, max(x, 0) is 0); the derivative is neg + alpha
    where x <= 0 and 1 elsewhere, written over neg once out is done."""

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._positive = np.empty((capacity, input_dim), bool)

    def forward(self, x, out, params, buffers, train, rng) -> None:
        b = x.shape[0]
        alpha = self.layer.alpha
        neg = self._deriv[:b]
        positive = self._positive[:b]
        if train:
            np.greater(x, 0, out=positive)
        np.minimum(x, 0, out=neg)
        np.expm1(neg, out=neg)
        np.multiply(neg, alpha, out=neg)
        np.maximum(x, 0, out=out)
        np.add(out, neg, out=out)
        if train:
            np.add(neg, alpha, out=neg)
            np.copyto(neg, 1, where=positive)


@register
class ELU(Layer):
    """``x if x > 0 else alpha * (exp(x) - 1)`` (default alpha 1, as PyTorch); alpha > 0."""

    name = "elu"
    init_scheme = "he"
    kernel = ELUKernel

    def __init__(self, alpha: float = 1.0) -> None:
        alpha = finite_number(alpha, "elu alpha")
        if alpha <= 0:
            raise ValueError(f"elu alpha must be positive; got {alpha!r}")
        self.alpha = alpha

    def config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def forward(self, x, params, buffers, train, rng):
        return elu_forward(x, self.alpha)

    def backward(self, dout, cache):
        return elu_backward(dout, cache), {}

    def onnx(self, g, params, buffers, x):
        """Its ONNX nodes (numpynn.export builds the graph, ``g``)."""
        if g.dtype == np.float32:
            return g.op("Elu", [x], "elu", alpha=float(self.alpha))
        # float64: no Elu kernel in onnxruntime; alpha * (e^min(x,0) - 1) where x <= 0
        zero, one = g.const(0.0, "zero"), g.const(1.0, "one")
        neg = g.op("Sub", [g.op("Exp", [g.op("Min", [x, zero])]), one])
        neg = g.op("Mul", [neg, g.const(self.alpha, "alpha")])
        return g.op("Where", [g.op("Greater", [x, zero]), x, neg], "elu")
