"""Inverted dropout: in training, each activation is zeroed with probability ``p`` and the
survivors are scaled by ``1 / (1 - p)``; at test time the layer is the identity.

``p`` is the DROP probability, as in PyTorch (``nn.Dropout(p)``) and Keras
(``Dropout(rate)``). CS231n's assignment has used ``p`` as the KEEP probability in some
years (``mask = (np.random.rand(*x.shape) < p) / p``): ``dropout(p=0.2)`` here is that
code's ``p = 0.8``.

Scaling at training time keeps the expected output equal to the input
(``E[mask] = (1 - p) * 1 / (1 - p) = 1``), so the test-time forward needs no change and
prediction costs nothing (see numpynn/docs/layers.md).

The mask is drawn by one function, :func:`keep_mask`, for the readable pair and the kernel
alike: from the same generator both draw the same mask.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import LAYERS_DOC, CoursePair, Kernel, Layer
from .registry import register


def check_drop_probability(p: Any) -> float:
    """``p`` as a float, or a ValueError naming it unless ``0 <= p < 1``."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not (
            math.isfinite(p) and 0 <= p < 1):
        raise ValueError(f"dropout p (the drop probability) must be a number in [0, 1); "
                         f"got {p!r}")
    return float(p)


def keep_mask(
    rng: np.random.Generator, shape: tuple[int, ...], p: float, dtype: Any = np.float64,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """1.0 where an activation is kept, 0.0 where it is dropped (probability ``p``).

    Draws ``rng.random(shape, dtype)`` (uniform in [0, 1)) and keeps entries ``>= p``.
    dtype: float32 or float64 (the draws, and so the stream consumed, depend on it);
    out: optional C-contiguous array of ``shape`` and ``dtype`` to fill (no allocation).
    Returns the mask, of ``shape`` and ``dtype``.
    """
    if out is None:
        u = rng.random(shape, dtype=dtype)
    else:
        u = rng.random(dtype=dtype, out=out)
    return np.greater_equal(u, p, out=u)


def dropout_forward(x: np.ndarray, dropout_param: dict[str, Any]) -> tuple[np.ndarray, tuple]:
    """Inverted dropout. x: (N, D) (any shape).

    dropout_param:
      - ``p``: drop probability, 0 <= p < 1 (NOT CS231n's keep probability);
      - ``mode``: ``"train"`` (drop and scale) or ``"test"`` (identity);
      - ``rng`` (a ``np.random.Generator``) or ``seed``: where the mask comes from.
        Neither given: a fresh unseeded generator (not reproducible).
    Returns out (same shape as x) and the cache ``(dropout_param, mask)``; mask is None
    in test mode and when p = 0 (nothing is drawn then).
    """
    p = check_drop_probability(dropout_param["p"])
    mode = dropout_param["mode"]
    if mode not in ("train", "test"):
        raise ValueError(f"dropout mode must be 'train' or 'test'; got {mode!r}")
    mask = None
    if mode == "train" and p > 0:
        rng = dropout_param.get("rng")
        if rng is None:
            rng = np.random.default_rng(dropout_param.get("seed"))
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        mask = keep_mask(rng, x.shape, p, dtype) * (1 / (1 - p))  # kept: scaled by 1/(1-p)
        out = x * mask
    else:
        out = x
    return out, (dropout_param, mask)


def dropout_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dx = dout * mask in training (the same scaled mask), dout at test time."""
    _, mask = cache
    return dout if mask is None else dout * mask


class DropoutKernel(Kernel):
    """The scaled mask in a scratch of ``capacity`` rows (drawn in place by
    :func:`keep_mask`, so the stream consumed is the readable pair's); ``out = x * mask``
    may overwrite x; backward ``dx = dout * mask`` needs neither x nor out."""

    inplace = True
    reads_output = False

    def __init__(self, layer, input_dim, dtype, capacity) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._mask = np.empty((capacity, input_dim), self.dtype)
        self._active = False

    def forward(self, x, out, params, buffers, train, rng) -> None:
        p = self.layer.p
        self._active = train and p > 0
        if not self._active:
            if out is not x:
                np.copyto(out, x)
            return
        mask = keep_mask(rng, x.shape, p, self.dtype, out=self._mask[: x.shape[0]])
        np.multiply(mask, 1 / (1 - p), out=mask)
        np.multiply(x, mask, out=out)

    def backward(self, dout, dx, grads) -> None:
        if dx is None:
            return
        if self._active:
            np.multiply(dout, self._mask[: dout.shape[0]], out=dx)
        elif dx is not dout:
            np.copyto(dx, dout)


@register
class Dropout(Layer):
    """Inverted dropout with drop probability ``p`` (0 <= p < 1, default 0.5 as PyTorch);
    draws from the network's generator in training, identity in test mode."""

    course = CoursePair(
        "dropout", None, None, sample="positive",
        # CS231n's keep probability p, and a fixed seed: the same mask in every call
        param=lambda: {"mode": "train", "p": 0.7, "seed": 123})

    name = "dropout"
    symbol = "drop"
    random = True
    kernel = DropoutKernel

    def __init__(self, p: float = 0.5) -> None:
        self.p = check_drop_probability(p)

    def config(self) -> dict[str, Any]:
        return {"p": self.p}

    def forward(self, x, params, buffers, train, rng):
        return dropout_forward(x, {"p": self.p, "mode": "train" if train else "test",
                                   "rng": rng})

    def backward(self, dout, cache):
        return dropout_backward(dout, cache), {}

    def forward_equation(self, out, inp, keys):
        return (f"{out} = {inp} ⊙ mask / (1 - p), P(mask = 0) = p = {self.p:g}",
                f"{LAYERS_DOC} dropout")

    def backward_equations(self, out, inp, keys, reg):
        return {}, (f"d{inp} = d{out} ⊙ mask / (1 - p)", f"{LAYERS_DOC} dropout")
