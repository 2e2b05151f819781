"""GELU, exact: ``x Phi(x)`` with the normal CDF ``Phi(x) = (1 + erf(x / sqrt 2)) / 2`` (He
initialisation for the layer before it).

Readable pair, in-place kernel and registered layer (see :mod:`.elementwise` for the
kernels' shared design and the table of derivatives)."""

from __future__ import annotations

import math

import numpy as np

from .base import Layer
from .elementwise import DerivativeKernel
from .registry import register

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def gelu_forward(x: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Exact GELU: ``x * Phi(x)``, Phi the standard normal CDF ``(1 + erf(x / √2)) / 2``
    (PyTorch's default ``approximate='none'``, not the tanh approximation). x: (N, D)."""
    from scipy.special import erf  # imported on use: SciPy adds 0.2 s to every start

    cdf = 0.5 * (1 + erf(x * _SQRT_HALF))
    return x * cdf, (x, cdf)


def gelu_backward(dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """dx = dout * (Phi(x) + x phi(x)), phi(x) = exp(-x^2 / 2) / √(2 pi) the normal density."""
    x, cdf = cache
    pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
    return dout * (cdf + x * pdf)


class GELUKernel(DerivativeKernel):
    """Phi(x) into one scratch, the derivative ``Phi + x phi`` into another (from x, before
    ``out = x * Phi`` may overwrite it): backward then needs no x, so it runs in place."""

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._cdf = np.empty((capacity, input_dim), self.dtype)

    def forward(self, x, out, params, buffers, train, rng) -> None:
        b = x.shape[0]
        cdf = self._cdf[:b]
        np.multiply(x, _SQRT_HALF, out=cdf)
        from scipy.special import erf  # imported on use (start-up time)

        erf(cdf, out=cdf)
        np.add(cdf, 1, out=cdf)
        np.multiply(cdf, 0.5, out=cdf)
        if train:
            d = self._deriv[:b]
            np.multiply(x, x, out=d)
            np.multiply(d, -0.5, out=d)
            np.exp(d, out=d)
            np.multiply(d, _INV_SQRT_2PI, out=d)
            np.multiply(d, x, out=d)
            np.add(d, cdf, out=d)
        np.multiply(x, cdf, out=out)


@register
class GELU(Layer):
    """Exact GELU ``x * Phi(x)`` (with ``scipy.special.erf``); He initialisation."""

    name = "gelu"
    init_scheme = "he"
    kernel = GELUKernel

    def forward(self, x, params, buffers, train, rng):
        return gelu_forward(x)

    def backward(self, dout, cache):
        return gelu_backward(dout, cache), {}

    def onnx(self, g, params, buffers, x):
        """Its ONNX nodes (numpynn.export builds the graph, ``g``): Erf in float32, its
        series in float64 (onnxruntime has no float64 Erf kernel)."""
        t = g.op("Mul", [x, g.const(_SQRT_HALF, "sqrt_half")])  # x / sqrt(2), as numpynn
        erf = g.op("Erf", [t]) if g.dtype == np.float32 else _erf_series(g, t)
        cdf = g.op("Mul", [g.op("Add", [erf, g.const(1.0, "one")]), g.const(0.5, "half")])
        return g.op("Mul", [x, cdf], "gelu")


_ERF_TERMS = 100  # terms of erf's series for float64 GELU (|error| < 1e-14 on [-6, 6])
_ERF_CLIP = 6.0  # erf(6) rounds to 1.0 in float64


def _erf_series(g, t: str) -> str:
    """erf(t) in float64 ONNX nodes from its all-positive series, nested so that every
    constant is a plain ratio (onnxruntime's optimiser drops an ``Add`` whose constant
    underflows float32, as the series' plain coefficients do)::

        sum_n 2^n t^2n / (1*3*...*(2n+1)) = 1 + (2/3) u (1 + (2/5) u (1 + ...)),  u = t^2
    """
    t = g.op("Clip", [t, g.const(-_ERF_CLIP, "lo"), g.const(_ERF_CLIP, "hi")])
    u = g.op("Mul", [t, t])
    one = g.const(1.0, "one")
    s = one
    for n in range(_ERF_TERMS, 0, -1):
        term = g.op("Mul", [g.op("Mul", [u, s]), g.const(2.0 / (2 * n + 1), "ratio")])
        s = g.op("Add", [term, one])
    scale = g.op("Mul", [g.op("Exp", [g.op("Neg", [u])]),
                         g.const(2.0 / math.sqrt(math.pi), "two_over_sqrt_pi")])
    return g.op("Mul", [g.op("Mul", [t, s]), scale], "erf")
