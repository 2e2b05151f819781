"""Layer normalisation (Ba, Kiros and Hinton, 2016): each example (row) is normalised with
its own mean and (biased) variance over its D features, then scaled and shifted per
feature: ``out = gamma * xhat + beta``. No batch statistics, so no running averages and
the same computation in train and test mode (CS231n's ``layernorm_forward`` /
``layernorm_backward``; eps 1e-5 as PyTorch's ``nn.LayerNorm``).

It is batch normalisation with the roles of the axes swapped: the statistics are over
axis 1 (features) instead of axis 0 (examples), while gamma and beta stay per feature.
The backward pass is the compact batch-norm formula with sums over a row and D in place
of N (numpynn/docs/layers.md).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import LAYERS_DOC, CoursePair, Kernel, Layer, ParamSpec
from .registry import register


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, ln_param: dict[str, Any]
) -> tuple[np.ndarray, tuple]:
    """Layer normalisation. x: (N, D); gamma, beta: (D,).

    ln_param: ``eps`` (default 1e-5); a ``mode`` key is accepted and ignored (train and
    test are the same). Returns out: (N, D) and the cache for :func:`layernorm_backward`.
    """
    eps = ln_param.get("eps", 1e-5)
    mean = x.mean(axis=1, keepdims=True)  # (N, 1)
    xc = x - mean  # (N, D)
    var = (xc**2).mean(axis=1, keepdims=True)  # (N, 1) biased: divided by D
    inv_std = 1 / np.sqrt(var + eps)  # (N, 1)
    xhat = xc * inv_std  # (N, D)
    out = gamma * xhat + beta
    return out, (xhat, inv_std, gamma)


def layernorm_backward(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`layernorm_forward`. dout: (N, D).

    gamma and beta act per feature, so their gradients sum over the batch (axis 0); the
    normalisation acts per row, so dx is batch norm's compact form along axis 1::

        dx = (1/D) * inv_std * (D * dxhat - sum_j dxhat - xhat * sum_j(dxhat * xhat))

    Returns dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    xhat, inv_std, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma  # (N, D)
    dx = (inv_std / D) * (D * dxhat - dxhat.sum(axis=1, keepdims=True)
                          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True))
    return dx, dgamma, dbeta


class LayerNormKernel(Kernel):
    """Row sums as ``M @ ones`` (GEMV), column sums as ``ones @ M``; scratch of capacity
    rows for xhat and one product; x is not read after centring (``out is x`` allowed)
    and backward needs only xhat, 1/std and gamma."""

    inplace = True
    reads_output = False

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._ones_b = np.ones(capacity, self.dtype)
        self._ones_d = np.ones(input_dim, self.dtype)
        self._xhat = np.empty((capacity, input_dim), self.dtype)
        self._tmp = np.empty((capacity, input_dim), self.dtype)
        self._inv_std = np.empty((capacity, 1), self.dtype)
        self._s1 = np.empty((capacity, 1), self.dtype)
        self._s2 = np.empty((capacity, 1), self.dtype)
        self._dgamma = np.empty(input_dim, self.dtype)
        self._dbeta = np.empty(input_dim, self.dtype)
        self._gamma: np.ndarray | None = None

    def forward(self, x, out, params, buffers, train, rng) -> None:
        b, D = x.shape
        xhat = self._xhat[:b]
        inv_std = self._inv_std[:b]
        np.dot(x, self._ones_d, out=inv_std[:, 0])  # row sums
        np.multiply(inv_std, 1 / D, out=inv_std)  # row means
        np.subtract(x, inv_std, out=xhat)  # centred; x is free from here on
        np.multiply(xhat, xhat, out=out)
        np.dot(out, self._ones_d, out=inv_std[:, 0])
        np.multiply(inv_std, 1 / D, out=inv_std)  # biased variance per row
        np.add(inv_std, self.layer.eps, out=inv_std)
        np.sqrt(inv_std, out=inv_std)
        np.divide(1, inv_std, out=inv_std)
        np.multiply(xhat, inv_std, out=xhat)
        np.multiply(xhat, params["gamma"], out=out)
        np.add(out, params["beta"], out=out)
        self._gamma = params["gamma"]

    def backward(self, dout, dx, grads) -> None:
        b, D = dout.shape
        xhat = self._xhat[:b]
        tmp = self._tmp[:b]
        ones = self._ones_b[:b]
        np.dot(ones, dout, out=self._dbeta)
        np.multiply(dout, xhat, out=tmp)
        np.dot(ones, tmp, out=self._dgamma)
        if dx is not None:
            s1, s2 = self._s1[:b], self._s2[:b]
            np.multiply(dout, self._gamma, out=tmp)  # dxhat
            np.dot(tmp, self._ones_d, out=s1[:, 0])  # sum_j dxhat
            np.multiply(tmp, xhat, out=dx)  # dout is not read after this (dx may be it)
            np.dot(dx, self._ones_d, out=s2[:, 0])  # sum_j dxhat * xhat
            np.multiply(xhat, s2, out=dx)
            np.multiply(tmp, D, out=tmp)
            np.subtract(tmp, s1, out=tmp)
            np.subtract(tmp, dx, out=tmp)
            np.multiply(self._inv_std[:b], 1 / D, out=s1)
            np.multiply(tmp, s1, out=dx)
        np.copyto(grads["gamma"], self._dgamma)
        np.copyto(grads["beta"], self._dbeta)


@register(aliases=("layer_norm",))
class LayerNorm(Layer):
    """Layer normalisation of each example; gamma (D,) ones, beta (D,) zeros (no L2).

    Option: eps (1e-5). Same behaviour in train and test mode.
    """

    course = CoursePair(
        "layernorm", layernorm_forward, layernorm_backward, ("x", "gamma", "beta"), "norm",
        param=lambda: {"eps": 1e-5}, alt_backwards=("layernorm_backward_alt",))

    name = "layernorm"
    symbol = "ln"
    kernel = LayerNormKernel

    def __init__(self, eps: float = 1e-5) -> None:
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) \
                or not (math.isfinite(eps) and eps > 0):
            raise ValueError(f"layernorm eps must be a positive finite number; got {eps!r}")
        self.eps = float(eps)

    def param_specs(self, input_dim: int) -> list[ParamSpec]:
        return [ParamSpec("gamma", (input_dim,), "ones"), ParamSpec("beta", (input_dim,))]

    def config(self) -> dict[str, Any]:
        return {"eps": self.eps}

    def forward(self, x, params, buffers, train, rng):
        return layernorm_forward(x, params["gamma"], params["beta"], {"eps": self.eps})

    def backward(self, dout, cache):
        dx, dgamma, dbeta = layernorm_backward(dout, cache)
        return dx, {"gamma": dgamma, "beta": dbeta}

    def forward_equation(self, out, inp, keys):
        return (f"{out} = {keys['gamma']} ⊙ ({inp} - mean) / √(var + eps) + {keys['beta']}, "
                "mean/var per row", f"{LAYERS_DOC} layer normalisation")

    def backward_equations(self, out, inp, keys, reg):
        return self._normalisation_equations("layer", "row", "D", out, inp, keys, reg)

    def onnx(self, g, params, buffers, x):
        """Its ONNX nodes (numpynn.export builds the graph, ``g``)."""
        mean = g.op("ReduceMean", [x], "row_mean", axes=[1], keepdims=1)
        xc = g.op("Sub", [x, mean])
        var = g.op("ReduceMean", [g.op("Mul", [xc, xc])], "row_var", axes=[1], keepdims=1)
        std = g.op("Sqrt", [g.op("Add", [var, g.const(self.eps, "eps")])])
        xhat = g.op("Mul", [xc, g.op("Div", [g.const(1.0, "one"), std])])
        scaled = g.op("Mul", [xhat, g.const(params["gamma"], "gamma")])
        return g.op("Add", [scaled, g.const(params["beta"], "beta")], "layernorm")
