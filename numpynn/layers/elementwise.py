"""What the elementwise activation modules share (``leaky_relu``, ``elu``, ``tanh``,
``sigmoid``, ``gelu``, ``identity``; each is one module of its own, as is ReLU).


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

from .base import Kernel


def finite_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number; got {value!r}")
    return float(value)


class DerivativeKernel(Kernel):
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

