"""Identity ``out = x`` (a linear network; He initialisation for the layer before it).

Readable pair, in-place kernel and registered layer (see :mod:`.elementwise` for the
kernels' shared design and the table of derivatives)."""

from __future__ import annotations

import numpy as np

from .base import LAYERS_DOC, Kernel, Layer
from .registry import register


def identity_forward(x: np.ndarray) -> tuple[np.ndarray, None]:
    """``out = x`` (a linear output layer, or an MLP without a nonlinearity)."""
    return x, None


def identity_backward(dout: np.ndarray, cache: None) -> np.ndarray:
    """dx = dout."""
    return dout


class IdentityKernel(Kernel):
    """Nothing to do in place; otherwise a copy."""

    inplace = True

    def forward(self, x, out, params, buffers, train, rng) -> None:
        if out is not x:
            np.copyto(out, x)

    def backward(self, dout, dx, grads) -> None:
        if dx is not None and dx is not dout:
            np.copyto(dx, dout)


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

    def forward_equation(self, out, inp, keys):
        return f"{out} = {inp}", f"{LAYERS_DOC} elementwise activations"

    def backward_equations(self, out, inp, keys, reg):
        return {}, (f"d{inp} = d{out}", f"{LAYERS_DOC} elementwise activations")

