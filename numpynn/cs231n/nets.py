"""The course's two network classes on numpynn's networks (package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import models
from ..errors import InputError
from ..validation import check_nonnegative_float
from . import two_layer_net

#: FullyConnectedNet's normalization values -> numpynn's MLP's.
NORMALIZATIONS = {None: None, "batchnorm": "batch", "layernorm": "layer"}


def _course_init(params: dict[str, np.ndarray], std: float) -> None:
    """Weights ``std * np.random.randn`` in layer order (W1, W2, ...: the course's draws
    from NumPy's global generator), biases and betas 0, gammas 1, in place."""
    for key in sorted((k for k in params if k.startswith("W")), key=lambda k: int(k[1:])):
        params[key][...] = std * np.random.randn(*params[key].shape)
    for key, value in params.items():
        if not key.startswith("W"):
            value[...] = 1.0 if key.startswith("gamma") else 0.0


class TwoLayerNet(two_layer_net.TwoLayerNet):
    """Assignment 1's two-layer net: ``affine - relu - affine - softmax``.

    input_size: D; hidden_size: H; output_size: C; std: initial weights are
    ``std * np.random.randn(D, H)`` and ``std * np.random.randn(H, C)`` from NumPy's global
    generator (the course seeds it with ``np.random.seed``), biases 0. Parameters ``W1``
    (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,); float64.

    ``loss(X, y=None, reg=0.0)``: scores (N, C) without y, else ``(loss, grads)`` with the
    penalty ``reg * (sum(W1**2) + sum(W2**2))`` (assignment 1's; assignment 2 and numpynn
    use ``0.5 * reg``). ``train`` and ``predict`` as numpynn's :class:`~numpynn.TwoLayerNet`
    (its ``train`` calls this ``loss``, so its ``reg`` is assignment 1's too).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 std: float = 1e-4) -> None:
        std = check_nonnegative_float(std, "std")
        super().__init__(input_size, hidden_size, output_size, weight_scale=max(std, 1e-300),
                         reg=0.0, dtype=np.float64, seed=0)
        self.std = std
        _course_init(self.params, std)

    def loss(self, X: np.ndarray, y: np.ndarray | None = None, reg: float = 0.0,
             sample_weight: np.ndarray | None = None) -> Any:
        """Scores (N, C), or ``(loss, grads)`` with assignment 1's ``reg * sum(W**2)``.

        X: (N, D); y: (N,). reg: the penalty's strength (numpynn's ``0.5 * reg'`` with
        ``reg' = 2 * reg``: the same loss and the gradient ``2 reg W``).
        """
        if y is None:
            return super().loss(X)
        reg = check_nonnegative_float(reg, "reg")
        return super().loss(X, y, reg=2.0 * reg, sample_weight=sample_weight)

    def __repr__(self) -> str:
        return (f"cs231n.TwoLayerNet(input_size={self.input_dim}, hidden_size="
                f"{self.hidden_dim}, output_size={self.num_classes}, std={self.std:g})")


class FullyConnectedNet(models.MLP):
    """Assignment 2's fully connected net:
    ``{affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax``.

    hidden_dims: [H1, H2, ...]; input_dim: D; num_classes: C; dropout_keep_ratio: the
    probability of KEEPING a unit (1: no dropout); normalization: None, ``"batchnorm"`` or
    ``"layernorm"``; reg: the penalty ``0.5 * reg * sum(W**2)``; weight_scale: initial
    weights ``weight_scale * np.random.randn`` from NumPy's global generator (biases and
    betas 0, gammas 1); dtype: float32 (training) or float64 (gradient checks); seed: with
    a seed, every forward draws its dropout mask from a generator seeded afresh with it
    (the same mask each call, so a numerical gradient check works as in the course's
    Dropout notebook); None: a new mask every call.

    Parameters ``W1, b1, gamma1, beta1, ..., WL, bL`` as the course; ``loss(X, y=None)``
    returns test-mode scores (N, C) without y, else ``(loss, grads)`` in training mode.
    """

    def __init__(
        self,
        hidden_dims: Sequence[int],
        input_dim: int = 3 * 32 * 32,
        num_classes: int = 10,
        dropout_keep_ratio: float = 1,
        normalization: str | None = None,
        reg: float = 0.0,
        weight_scale: float = 1e-2,
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        if isinstance(dropout_keep_ratio, bool) or not isinstance(
                dropout_keep_ratio, (int, float, np.integer, np.floating)) or not (
                0 < dropout_keep_ratio <= 1):
            raise InputError(f"dropout_keep_ratio is the probability of keeping a unit and "
                             f"must be in (0, 1]; got {dropout_keep_ratio!r}.")
        if normalization not in NORMALIZATIONS:
            raise InputError(f"normalization must be None, 'batchnorm' or 'layernorm' (the "
                             f"course's names); got {normalization!r}.")
        super().__init__(input_dim, hidden_dims, num_classes, weight_scale=weight_scale,
                         reg=reg, dtype=dtype, seed=seed, dropout=1.0 - float(
                             dropout_keep_ratio), normalization=NORMALIZATIONS[normalization])
        self.dropout_keep_ratio = float(dropout_keep_ratio)
        self.use_dropout = self.dropout_keep_ratio != 1
        self.course_normalization = normalization
        _course_init(self.params, float(weight_scale))

    def loss(self, X: np.ndarray, y: np.ndarray | None = None, reg: float | None = None,
             sample_weight: np.ndarray | None = None) -> Any:
        """Scores (N, C) without y (test mode), else ``(loss, grads)`` (training mode: batch
        statistics, dropout). X: (N, D) or (N, d1, ..., dk); y: (N,). With a seed, the
        dropout mask comes from a generator seeded afresh with it (class docstring)."""
        if self.seed is not None:
            self.rng = np.random.default_rng(self.seed)
        return super().loss(X, y, reg=reg, sample_weight=sample_weight)

    def __repr__(self) -> str:
        return (f"cs231n.FullyConnectedNet(hidden_dims={self.hidden_dims}, input_dim="
                f"{self.input_dim}, num_classes={self.num_classes}, dropout_keep_ratio="
                f"{self.dropout_keep_ratio:g}, normalization={self.course_normalization!r}, "
                f"reg={self.reg}, dtype={self.dtype.name}, seed={self.seed})")
