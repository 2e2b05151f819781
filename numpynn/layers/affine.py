"""Fully connected (affine) layer: ``out = x W + b``. Opens block i of a network
(parameters ``W{i}`` (D, M) and ``b{i}`` (M,)).

Equation numbers refer to numpynn/docs/backprop.md (the seed question's eqs. 1-4).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import BACKPROP_DOC, CoursePair, Kernel, Layer, ParamSpec
from .registry import register

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


class AffineKernel(Kernel):
    """``out = x W + b`` by one GEMM into ``out``; backward: ``dx = dout W^T`` first (a
    fused optimiser update may change W next), ``dW = x^T dout`` through the sink (which
    may fuse the update), ``db`` as a matrix-vector product with ones (column sums)."""

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._ones = np.ones(capacity, self.dtype)
        self._x: np.ndarray | None = None
        self._w: np.ndarray | None = None

    def forward(self, x, out, params, buffers, train, rng) -> None:
        w = params["W"]
        np.dot(x, w, out=out)
        np.add(out, params["b"], out=out)
        self._x, self._w = x, w

    def backward(self, dout, dx, grads) -> None:
        if dx is not None:
            np.dot(dout, self._w.T, out=dx)  # eq. 2, first factor
        grads.matmul_tn("W", self._x, dout)  # eq. 4
        np.dot(self._ones[: dout.shape[0]], dout, out=grads["b"])  # eq. 3


@register
class Affine(Layer):
    """``out = x W + b`` with ``units`` outputs. W: (D, units), initialised by the
    network's scheme and penalised by L2; b: (units,), zeros, not penalised."""

    course = CoursePair("affine", affine_forward, affine_backward, ("x", "w", "b"), "affine")

    name = "affine"
    symbol = "h"
    starts_block = True
    kernel = AffineKernel

    def __init__(self, units: int) -> None:
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"affine units must be a positive integer; got {units!r}")
        self.units = int(units)

    def output_dim(self, input_dim: int) -> int:
        return self.units

    def param_specs(self, input_dim: int) -> list[ParamSpec]:
        return [ParamSpec("W", (input_dim, self.units), "weight", decay=True),
                ParamSpec("b", (self.units,), "zeros")]

    def config(self) -> dict[str, Any]:
        return {"units": self.units}

    def forward(self, x, params, buffers, train, rng):
        return affine_forward(x, params["W"], params["b"])

    def backward(self, dout, cache):
        dx, dw, db = affine_backward(dout, cache)
        return dx, {"W": dw, "b": db}

    def forward_equation(self, out, inp, keys):
        return f"{out} = {inp} {keys['W']} + {keys['b']}", f"{BACKPROP_DOC} notation"

    def backward_equations(self, out, inp, keys, reg):
        d = f"d{out}"
        return ({"W": (f"d{keys['W']} = {inp}^T {d}{reg('W')}", f"{BACKPROP_DOC} eq. 4"),
                 "b": (f"d{keys['b']} = column sums of {d}{reg('b')}", f"{BACKPROP_DOC} eq. 3")},
                (f"d{inp} = {d} {keys['W']}^T", f"{BACKPROP_DOC} eq. 2 (first factor)"))

    def onnx(self, g, params, buffers, x):
        """Its ONNX nodes: one Gemm (numpynn.export builds the graph, ``g``)."""
        return g.op("Gemm", [x, g.const(params["W"], "W"), g.const(params["b"], "b")], "affine")
