"""Elementwise activations: ``leaky_relu``, ``elu``, ``tanh``, ``sigmoid`` (alias
``logistic``), ``gelu`` and ``identity`` (ReLU has its own module, :mod:`.relu`).

Each has its readable pair ``*_forward(x, ...) -> (out, cache)`` /
``*_backward(dout, cache) -> dx`` (x, out, dout, dx: (N, D), any shape in fact), a
registered :class:`~numpynn.layers.base.Layer` and an in-place kernel.

The kernels share one design: in a training forward they write the local derivative
``f'(x)`` into a scratch of ``capacity`` rows while ``x`` is still at hand, so that
backward is one product ``dx = dout * f'(x)``. Hence every kernel here may run in place
(``out is x``, ``dx is dout``) and none reads its output in backward (``reads_output`` is
False: the next layer, e.g. dropout, may overwrite it). A test-mode forward (prediction)
skips the derivative.

The derivatives, each written with what the kernel has at hand:

=============  =====================================  ==========================
layer          f(x)                                   f'(x)
=============  =====================================  ==========================
leaky_relu     x if x > 0 else s x                    1 if x > 0 else s
elu            x if x > 0 else a (e^x - 1)            1 if x > 0 else f(x) + a
tanh           tanh x                                 1 - f(x)^2
sigmoid        1 / (1 + e^-x)                         f(x) (1 - f(x))
gelu           x Phi(x), Phi(x) = (1 + erf(x/√2))/2   Phi(x) + x phi(x)
identity       x                                      1
=============  =====================================  ==========================

``init_scheme`` says which weight initialisation the affine layer before the activation
should get unless the user gives one: He for the ReLU family (leaky ReLU, ELU, GELU) and
for identity (numpynn's default scheme; in a deep purely linear stack He doubles the
variance per layer where Glorot would keep it), Glorot for the saturating tanh and
sigmoid.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import erf, expit

from .base import Kernel, Layer
from .registry import register

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _finite_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number; got {value!r}")
    return float(value)


# ---- the readable pairs ---------------------------------------------------------------

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


def tanh_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``tanh(x)`` elementwise. x: (N, D). The cache is the output."""
    out = np.tanh(x)
    return out, out


def tanh_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dx = dout * (1 - tanh(x)^2), read off the forward output."""
    return dout * (1 - cache**2)


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


def gelu_forward(x: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Exact GELU: ``x * Phi(x)``, Phi the standard normal CDF ``(1 + erf(x / √2)) / 2``
    (PyTorch's default ``approximate='none'``, not the tanh approximation). x: (N, D)."""
    cdf = 0.5 * (1 + erf(x * _SQRT_HALF))
    return x * cdf, (x, cdf)


def gelu_backward(dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """dx = dout * (Phi(x) + x phi(x)), phi(x) = exp(-x^2 / 2) / √(2 pi) the normal density."""
    x, cdf = cache
    pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
    return dout * (cdf + x * pdf)


def identity_forward(x: np.ndarray) -> tuple[np.ndarray, None]:
    """``out = x`` (a linear output layer, or an MLP without a nonlinearity)."""
    return x, None


def identity_backward(dout: np.ndarray, cache: None) -> np.ndarray:
    """dx = dout."""
    return dout


# ---- kernels ----------------------------------------------------------------------------

class _DerivativeKernel(Kernel):
    """Shared part of the activation kernels: a scratch ``deriv`` of ``capacity`` rows
    holding f'(x) from the last training forward; backward is ``dx = dout * deriv``."""

    inplace = True
    reads_output = False

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._deriv = np.empty((capacity, input_dim), self.dtype)
        self._b = 0

    def backward(self, dout, dx, grads) -> None:
        if dx is not None:
            np.multiply(dout, self._deriv[: dout.shape[0]], out=dx)


class LeakyReLUKernel(_DerivativeKernel):
    """The local slope (1 where x > 0, s elsewhere) goes into the scratch first (exactly
    those two values, as the readable pair), then ``out = x * slope``."""

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._positive = np.empty((capacity, input_dim), bool)

    def forward(self, x, out, params, buffers, train, rng) -> None:
        b = x.shape[0]
        slope = self._deriv[:b]
        positive = self._positive[:b]
        np.greater(x, 0, out=positive)
        slope.fill(self.layer.negative_slope)
        np.copyto(slope, 1, where=positive)
        np.multiply(x, slope, out=out)


class ELUKernel(_DerivativeKernel):
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


class TanhKernel(_DerivativeKernel):
    def forward(self, x, out, params, buffers, train, rng) -> None:
        np.tanh(x, out=out)
        if train:
            d = self._deriv[: x.shape[0]]
            np.multiply(out, out, out=d)
            np.subtract(1, d, out=d)


class SigmoidKernel(_DerivativeKernel):
    """scipy's ``expit`` (stable for any x) in place; derivative ``s (1 - s)``."""

    def forward(self, x, out, params, buffers, train, rng) -> None:
        expit(x, out=out)
        if train:
            d = self._deriv[: x.shape[0]]
            np.subtract(1, out, out=d)
            np.multiply(d, out, out=d)


class GELUKernel(_DerivativeKernel):
    """Phi(x) into one scratch, the derivative ``Phi + x phi`` into another (from x, before
    ``out = x * Phi`` may overwrite it): backward then needs no x, so it runs in place."""

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._cdf = np.empty((capacity, input_dim), self.dtype)

    def forward(self, x, out, params, buffers, train, rng) -> None:
        b = x.shape[0]
        cdf = self._cdf[:b]
        np.multiply(x, _SQRT_HALF, out=cdf)
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


class IdentityKernel(Kernel):
    """Nothing to do in place; otherwise a copy."""

    inplace = True

    def forward(self, x, out, params, buffers, train, rng) -> None:
        if out is not x:
            np.copyto(out, x)

    def backward(self, dout, dx, grads) -> None:
        if dx is not None and dx is not dout:
            np.copyto(dx, dout)


# ---- layers -----------------------------------------------------------------------------

@register
class LeakyReLU(Layer):
    """``x if x > 0 else negative_slope * x`` (default 0.01, as PyTorch); no parameters."""

    name = "leaky_relu"
    init_scheme = "he"
    kernel = LeakyReLUKernel

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = _finite_number(negative_slope, "leaky_relu negative_slope")

    def config(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}

    def forward(self, x, params, buffers, train, rng):
        return leaky_relu_forward(x, self.negative_slope)

    def backward(self, dout, cache):
        return leaky_relu_backward(dout, cache), {}


@register
class ELU(Layer):
    """``x if x > 0 else alpha * (exp(x) - 1)`` (default alpha 1, as PyTorch); alpha > 0."""

    name = "elu"
    init_scheme = "he"
    kernel = ELUKernel

    def __init__(self, alpha: float = 1.0) -> None:
        alpha = _finite_number(alpha, "elu alpha")
        if alpha <= 0:
            raise ValueError(f"elu alpha must be positive; got {alpha!r}")
        self.alpha = alpha

    def config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def forward(self, x, params, buffers, train, rng):
        return elu_forward(x, self.alpha)

    def backward(self, dout, cache):
        return elu_backward(dout, cache), {}


@register
class Tanh(Layer):
    """``tanh(x)``; no parameters; Glorot initialisation for the layer before it."""

    name = "tanh"
    init_scheme = "glorot"
    kernel = TanhKernel

    def forward(self, x, params, buffers, train, rng):
        return tanh_forward(x)

    def backward(self, dout, cache):
        return tanh_backward(dout, cache), {}


@register(aliases=("logistic",))
class Sigmoid(Layer):
    """Logistic sigmoid (scikit-learn calls it ``logistic``); Glorot initialisation."""

    name = "sigmoid"
    init_scheme = "glorot"
    kernel = SigmoidKernel

    def forward(self, x, params, buffers, train, rng):
        return sigmoid_forward(x)

    def backward(self, dout, cache):
        return sigmoid_backward(dout, cache), {}


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


@register
class Identity(Layer):
    """``out = x`` (a linear network, or a block without nonlinearity)."""

    name = "identity"
    init_scheme = "he"
    kernel = IdentityKernel

    def forward(self, x, params, buffers, train, rng):
        return identity_forward(x)

    def backward(self, dout, cache):
        return identity_backward(dout, cache), {}
