"""Batch normalisation (Ioffe and Szegedy, 2015), CS231n's ``batchnorm_forward`` /
``batchnorm_backward`` / ``batchnorm_backward_alt``.

Training: each feature is normalised with the statistics of the batch (mean and the
BIASED variance, divided by N, as CS231n and the paper's training step), then scaled and
shifted: ``out = gamma * xhat + beta``. Test: the running averages replace the batch
statistics, so an example's output does not depend on the rest of its batch.

Running averages, CS231n's convention::

    running = momentum * running + (1 - momentum) * batch      (momentum = 0.9)

PyTorch writes the same update as ``(1 - momentum) * running + momentum * batch`` with
momentum = 0.1: the same numbers. One difference remains: PyTorch folds the UNBIASED
batch variance (divided by N - 1) into ``running_var``; numpynn, like CS231n, folds the
biased one, so its running variance is smaller by a factor (N - 1) / N (0.8% for N = 128).

Buffers start as running_mean = 0 and running_var = 1 (PyTorch's choice). CS231n starts
running_var at zeros; a test-mode forward before any training step then divides by
``sqrt(0 + eps)``, blowing activations up by ~300x. With ones, an untrained network's
test-mode output is finite and of the same scale as in training.

Derivation of the backward passes: numpynn/docs/layers.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import LAYERS_DOC, BufferSpec, CoursePair, Kernel, Layer, ParamSpec
from .registry import register


def _check_options(eps: Any, momentum: Any, what: str) -> tuple[float, float]:
    for name, value in (("eps", eps), ("momentum", momentum)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                             np.floating)) \
                or not math.isfinite(value):
            raise ValueError(f"{what} {name} must be a finite number; got {value!r}")
    if eps <= 0:
        raise ValueError(f"{what} eps must be positive; got {eps!r}")
    if not 0 <= momentum <= 1:
        raise ValueError(f"{what} momentum (CS231n's: the weight kept by the running "
                         f"average, 0.9 = PyTorch's 0.1) must be in [0, 1]; got {momentum!r}")
    return float(eps), float(momentum)


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, bn_param: dict[str, Any]
) -> tuple[np.ndarray, tuple | None]:
    """Batch normalisation, step by step as a computational graph.

    x: (N, D); gamma, beta: (D,).
    bn_param:
      - ``mode``: ``"train"`` or ``"test"`` (required);
      - ``eps``: added to the variance (default 1e-5);
      - ``momentum``: weight of the old running value (default 0.9, CS231n's convention);
      - ``running_mean``, ``running_var``: (D,) arrays, updated IN PLACE in train mode
        (created as zeros / ones in x's dtype and stored in bn_param if absent).
    Returns out: (N, D) and the cache for :func:`batchnorm_backward` (None in test mode).
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.setdefault("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.setdefault("running_var", np.ones(D, dtype=x.dtype))

    if mode == "train":
        sample_mean = x.mean(axis=0)  # (D,)
        xc = x - sample_mean  # (N, D) centred
        sq = xc**2  # (N, D)
        sample_var = sq.mean(axis=0)  # (D,) biased: divided by N
        std = np.sqrt(sample_var + eps)  # (D,)
        inv_std = 1 / std  # (D,)
        xhat = xc * inv_std  # (N, D) normalised
        out = gamma * xhat + beta  # (N, D)
        running_mean *= momentum  # in place: the caller's arrays change
        running_mean += (1 - momentum) * sample_mean
        running_var *= momentum
        running_var += (1 - momentum) * sample_var
        cache = (xhat, xc, std, inv_std, gamma)
    elif mode == "test":
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * xhat + beta
        cache = None
    else:
        raise ValueError(f"batchnorm mode must be 'train' or 'test'; got {mode!r}")
    return out, cache


def batchnorm_backward(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`batchnorm_forward` (train mode), node by node back through
    the graph. dout: (N, D). Returns dx: (N, D), dgamma: (D,), dbeta: (D,)."""
    xhat, xc, std, inv_std, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)  # out = gamma * xhat + beta
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma  # (N, D)
    dinv_std = (dxhat * xc).sum(axis=0)  # xhat = xc * inv_std; inv_std is shared by a column
    dxc = dxhat * inv_std  # first path into xc
    dstd = -dinv_std / std**2  # inv_std = 1 / std
    dvar = 0.5 * dstd / std  # std = sqrt(var + eps)
    dsq = np.ones_like(dout) * dvar / N  # var = mean of sq over the batch
    dxc = dxc + 2 * xc * dsq  # second path into xc: sq = xc**2
    dmean = -dxc.sum(axis=0)  # xc = x - mean
    dx = dxc + dmean / N  # mean = sum of x / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same gradients in the compact form (derived in numpynn/docs/layers.md)::

        dx = (1/N) * inv_std * (N * dxhat - sum_i dxhat - xhat * sum_i(dxhat * xhat))

    with ``dxhat = dout * gamma``. dout: (N, D). Returns dx, dgamma, dbeta.
    """
    xhat, _, _, inv_std, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = (inv_std / N) * (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, dgamma, dbeta


class BatchNormKernel(Kernel):
    """Few passes over the (b, D) data, column sums as ``ones @ M`` (one GEMV each).

    Training forward: mean, centred x into the xhat scratch, its square into ``out``
    (free until written last), variance, ``xhat *= inv_std``, ``out = gamma xhat + beta``;
    x is not read after the centring, so ``out is x`` is allowed. Backward, compact form
    with ``sum_i dxhat = gamma dbeta`` and ``sum_i dxhat xhat = gamma dgamma``::

        dx = (gamma inv_std) * dout - (gamma inv_std / b) * (dbeta + xhat * dgamma)

    Test forward folds everything into one scale and shift per feature.
    """

    inplace = True
    reads_output = False

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._ones = np.ones(capacity, self.dtype)
        self._xhat = np.empty((capacity, input_dim), self.dtype)
        self._tmp = np.empty((capacity, input_dim), self.dtype)
        self._inv_std = np.empty(input_dim, self.dtype)
        self._dgamma = np.empty(input_dim, self.dtype)
        self._dbeta = np.empty(input_dim, self.dtype)
        self._gamma: np.ndarray | None = None

    def forward(self, x, out, params, buffers, train, rng) -> None:
        layer = self.layer
        gamma, beta = params["gamma"], params["beta"]
        if not train:
            scale = gamma / np.sqrt(buffers["running_var"] + layer.eps)
            shift = beta - buffers["running_mean"] * scale
            np.multiply(x, scale, out=out)
            np.add(out, shift, out=out)
            return
        b = x.shape[0]
        ones = self._ones[:b]
        xhat = self._xhat[:b]
        mean = np.dot(ones, x) / b  # (D,)
        np.subtract(x, mean, out=xhat)  # centred; x is free from here on
        np.multiply(xhat, xhat, out=out)
        var = np.dot(ones, out) / b  # biased variance (D,)
        inv_std = self._inv_std
        np.add(var, layer.eps, out=inv_std)
        np.sqrt(inv_std, out=inv_std)
        np.divide(1, inv_std, out=inv_std)
        np.multiply(xhat, inv_std, out=xhat)
        np.multiply(xhat, gamma, out=out)
        np.add(out, beta, out=out)
        m = layer.momentum
        for name, batch in (("running_mean", mean), ("running_var", var)):
            running = buffers[name]
            running *= m
            running += (1 - m) * batch
        self._gamma = gamma

    def backward(self, dout, dx, grads) -> None:
        b = dout.shape[0]
        xhat = self._xhat[:b]
        tmp = self._tmp[:b]
        ones = self._ones[:b]
        np.dot(ones, dout, out=self._dbeta)
        np.multiply(dout, xhat, out=tmp)
        np.dot(ones, tmp, out=self._dgamma)
        if dx is not None:
            coef = self._gamma * self._inv_std  # (D,)
            np.multiply(xhat, self._dgamma, out=tmp)
            np.add(tmp, self._dbeta, out=tmp)
            np.multiply(tmp, coef / b, out=tmp)
            np.multiply(dout, coef, out=dx)  # dout is not read after this (dx may be it)
            np.subtract(dx, tmp, out=dx)
        np.copyto(grads["gamma"], self._dgamma)
        np.copyto(grads["beta"], self._dbeta)


@register(aliases=("batch_norm",))
class BatchNorm(Layer):
    """Batch normalisation of each feature; gamma (D,) ones, beta (D,) zeros (no L2);
    buffers running_mean (zeros) and running_var (ones), updated in place in training.

    Options: eps (1e-5), momentum (0.9, CS231n's convention = PyTorch's 0.1).
    """

    course = CoursePair(
        "batchnorm", batchnorm_forward, batchnorm_backward, ("x", "gamma", "beta"), "norm",
        param=lambda: {"mode": "train", "eps": 1e-5, "momentum": 0.9},
        alt_backwards=("batchnorm_backward_alt",))

    name = "batchnorm"
    symbol = "bn"
    kernel = BatchNormKernel

    def __init__(self, eps: float = 1e-5, momentum: float = 0.9) -> None:
        self.eps, self.momentum = _check_options(eps, momentum, "batchnorm")

    def param_specs(self, input_dim: int) -> list[ParamSpec]:
        return [ParamSpec("gamma", (input_dim,), "ones"), ParamSpec("beta", (input_dim,))]

    def buffer_specs(self, input_dim: int) -> list[BufferSpec]:
        return [BufferSpec("running_mean", (input_dim,), "zeros"),
                BufferSpec("running_var", (input_dim,), "ones")]

    def config(self) -> dict[str, Any]:
        return {"eps": self.eps, "momentum": self.momentum}

    def forward(self, x, params, buffers, train, rng):
        bn_param = {"mode": "train" if train else "test", "eps": self.eps,
                    "momentum": self.momentum, "running_mean": buffers["running_mean"],
                    "running_var": buffers["running_var"]}
        return batchnorm_forward(x, params["gamma"], params["beta"], bn_param)

    def backward(self, dout, cache):
        dx, dgamma, dbeta = batchnorm_backward_alt(dout, cache)
        return dx, {"gamma": dgamma, "beta": dbeta}

    def forward_equation(self, out, inp, keys):
        return (f"{out} = {keys['gamma']} ⊙ ({inp} - mean) / √(var + eps) + {keys['beta']}, "
                "mean/var per column", f"{LAYERS_DOC} batch normalisation")

    def backward_equations(self, out, inp, keys, reg):
        return self._normalisation_equations("batch", "column", "N", out, inp, keys, reg)

    def onnx(self, g, params, buffers, x):
        """Its ONNX nodes (numpynn.export builds the graph, ``g``): batch norm not preceded
        by an affine layer (else the export folds it into that layer)."""
        if g.dtype == np.float64:  # the operator's epsilon attribute is a float32: fold it
            scale = params["gamma"] / np.sqrt(buffers["running_var"] + self.eps)
            shift = params["beta"] - buffers["running_mean"] * scale
            return g.op("Add", [g.op("Mul", [x, g.const(scale, "bn_scale")]),
                                g.const(shift, "bn_shift")], "batchnorm")
        inputs = [g.const(params["gamma"], "gamma"), g.const(params["beta"], "beta"),
                  g.const(buffers["running_mean"], "running_mean"),
                  g.const(buffers["running_var"], "running_var")]
        return g.op("BatchNormalization", [x, *inputs], "batchnorm", epsilon=float(self.eps))
