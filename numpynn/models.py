"""Multi-layer perceptrons built from :mod:`numpynn.layers` and :mod:`numpynn.losses`.

``MLP`` is ``{affine - relu} x L - affine - softmax``; ``TwoLayerNet`` is the
one-hidden-layer case (the seed's network), kept compatible with CS231n so that
course notebooks work unchanged: ``params`` with keys ``W1, b1, W2, b2, ...``,
``reg`` and ``loss(X, y=None)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InputError
from .layers import affine_backward, affine_forward, affine_relu_backward, affine_relu_forward
from .losses import softmax, softmax_cross_entropy
from .validation import (
    check_features,
    check_hidden_dims,
    check_labels,
    check_nonnegative_float,
    check_positive_int,
)

INIT_SCHEMES = ("he", "glorot")
DTYPES = ("float32", "float64")


def _check_dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in DTYPES:
        raise InputError(f"dtype must be float32 or float64; got {dtype!r}.")
    return dt


def _init_std(weight_scale: float | str, fan_in: int, fan_out: int) -> float:
    if isinstance(weight_scale, str):
        if weight_scale == "he":
            return float(np.sqrt(2.0 / fan_in))
        if weight_scale == "glorot":
            return float(np.sqrt(2.0 / (fan_in + fan_out)))
        raise InputError(
            f"weight_scale must be a positive number or one of {INIT_SCHEMES}; "
            f"got {weight_scale!r}."
        )
    scale = float(weight_scale)
    if not np.isfinite(scale) or scale <= 0:
        raise InputError(f"weight_scale must be a positive number; got {weight_scale!r}.")
    return scale


class MLP:
    """Fully connected network ``{affine - relu} x len(hidden_dims) - affine - softmax``.

    input_dim: D, features per example; hidden_dims: sizes [H1, H2, ...];
    num_classes: C. Parameters: ``W1`` (D, H1), ``b1`` (H1,), ..., ``W{L}`` (H_{L-1}, C),
    ``b{L}`` (C,), where L = len(hidden_dims) + 1.

    weight_scale: standard deviation of the normal initial weights, or ``"he"``
    (sqrt(2 / fan_in), suited to ReLU) or ``"glorot"`` (sqrt(2 / (fan_in + fan_out))).
    Biases start at zero. reg: L2 strength; the loss adds ``0.5 * reg * sum(W**2)`` over
    every weight matrix (not biases). dtype: float32 (fast, default) or float64 (for
    gradient checks). seed: the same seed gives identical weights every time.
    """

    def __init__(
        self,
        input_dim: int,
        hidden_dims: Sequence[int],
        num_classes: int,
        weight_scale: float | str = "he",
        reg: float = 0.0,
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        self.input_dim = check_positive_int(input_dim, "input_dim")
        self.hidden_dims = check_hidden_dims(hidden_dims)
        self.num_classes = check_positive_int(num_classes, "num_classes")
        if self.num_classes < 2:
            raise InputError(f"num_classes must be at least 2; got {num_classes}.")
        self.reg = check_nonnegative_float(reg, "reg")
        self.dtype = _check_dtype(dtype)
        self.weight_scale = weight_scale
        rng = np.random.default_rng(seed)
        dims = [self.input_dim, *self.hidden_dims, self.num_classes]
        self.params: dict[str, np.ndarray] = {}
        for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            std = _init_std(weight_scale, fan_in, fan_out)
            self.params[f"W{i}"] = (std * rng.standard_normal((fan_in, fan_out))).astype(
                self.dtype
            )
            self.params[f"b{i}"] = np.zeros(fan_out, dtype=self.dtype)

    @property
    def num_layers(self) -> int:
        """Number of affine layers (hidden layers + 1)."""
        return len(self.hidden_dims) + 1

    # ----------------------------------------------------------------- forward/backward
    def loss(
        self, X: np.ndarray, y: np.ndarray | None = None
    ) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Scores, or loss and gradients.

        X: (N, D) (or (N, d1, ..., dk) flattening to D); y: (N,) labels in 0..C-1.
        Returns scores (N, C) when ``y`` is None, else ``(loss, grads)`` where ``grads``
        has exactly the keys and shapes of ``params``.
        """
        X = check_features(X, self.input_dim, self.dtype)
        if y is None:
            return self._scores(X)
        y = check_labels(y, X.shape[0], self.num_classes)
        return self._loss_and_grads(X, y)

    def _scores(self, X: np.ndarray) -> np.ndarray:
        """Forward pass only, on an already validated X: (N, D) -> scores (N, C)."""
        h = X
        L = self.num_layers
        for i in range(1, L):
            h, _ = affine_relu_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
        scores, _ = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        return scores

    def _loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Reference forward + backward on validated inputs (the readable version)."""
        L = self.num_layers
        p = self.params
        caches = []
        h = X
        for i in range(1, L):
            h, cache = affine_relu_forward(h, p[f"W{i}"], p[f"b{i}"])
            caches.append(cache)
        scores, last_cache = affine_forward(h, p[f"W{L}"], p[f"b{L}"])

        data_loss, dscores = softmax_cross_entropy(scores, y)  # eq. 1: dS = (P - Y) / N
        reg_loss = 0.5 * self.reg * sum(float(np.sum(p[f"W{i}"] ** 2)) for i in range(1, L + 1))

        grads: dict[str, np.ndarray] = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):
            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_relu_backward(dh, caches[i - 1])
        for i in range(1, L + 1):
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * p[f"W{i}"]
        return data_loss + reg_loss, grads

    # ----------------------------------------------------------------------- predict
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities. X: (N, D) -> (N, C), rows sum to 1.

        Computed by :func:`numpynn.fastpath.predict_proba` (in chunks, in place); the
        readable reference is :meth:`_predict_proba_reference`.
        """
        from .fastpath import predict_proba

        return predict_proba(self, X)

    def _predict_proba_reference(self, X: np.ndarray) -> np.ndarray:
        return softmax(self._scores(check_features(X, self.input_dim, self.dtype)))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class indices. X: (N, D) -> (N,) int64."""
        scores = self._scores(check_features(X, self.input_dim, self.dtype))
        return np.argmax(scores, axis=1).astype(np.int64)

    # ------------------------------------------------------------------ bookkeeping
    def config(self) -> dict[str, Any]:
        """Architecture as JSON-serialisable values (everything but the parameters)."""
        return {
            "input_dim": self.input_dim,
            "hidden_dims": list(self.hidden_dims),
            "num_classes": self.num_classes,
            "weight_scale": self.weight_scale,
            "reg": self.reg,
            "dtype": self.dtype.name,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], params: dict[str, np.ndarray] | None = None
    ) -> MLP:
        """Rebuild a model from :meth:`config` output and, optionally, its parameters."""
        model = MLP(
            config["input_dim"],
            config["hidden_dims"],
            config["num_classes"],
            weight_scale=config.get("weight_scale", "he"),
            reg=config.get("reg", 0.0),
            dtype=config.get("dtype", "float32"),
            seed=0,
        )
        if params is not None:
            model.set_params(params)
        return model

    def set_params(self, params: dict[str, np.ndarray]) -> None:
        """Replace all parameters, checking keys and shapes; arrays are copied to ``dtype``."""
        if set(params) != set(self.params):
            raise InputError(
                f"params must have keys {sorted(self.params)}; got {sorted(params)}."
            )
        for k, v in params.items():
            v = np.asarray(v)
            if v.shape != self.params[k].shape:
                raise InputError(
                    f"params[{k!r}] must have shape {self.params[k].shape}; got {v.shape}."
                )
            self.params[k] = np.array(v, dtype=self.dtype, copy=True)

    def astype(self, dtype: Any) -> MLP:
        """A copy of this model with parameters cast to ``dtype``."""
        copy = MLP.from_config({**self.config(), "dtype": np.dtype(dtype).name})
        copy.set_params(self.params)
        return copy

    def copy(self) -> MLP:
        """An independent copy (parameters copied)."""
        return self.astype(self.dtype)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(input_dim={self.input_dim}, hidden_dims={self.hidden_dims}, "
            f"num_classes={self.num_classes}, reg={self.reg}, dtype={self.dtype.name})"
        )


class TwoLayerNet(MLP):
    """The seed's network: ``affine - relu - affine - softmax`` (CS231n's TwoLayerNet).

    input_dim: D; hidden_dim: H; num_classes: C. ``W1`` (D, H), ``b1`` (H,),
    ``W2`` (H, C), ``b2`` (C,). Defaults follow CS231n: ``weight_scale=1e-3``,
    float64. Same implementation as :class:`MLP` with ``hidden_dims=[hidden_dim]``.
    """

    def __init__(
        self,
        input_dim: int = 3 * 32 * 32,
        hidden_dim: int = 100,
        num_classes: int = 10,
        weight_scale: float | str = 1e-3,
        reg: float = 0.0,
        dtype: Any = np.float64,
        seed: int | None = None,
    ) -> None:
        super().__init__(
            input_dim,
            [check_positive_int(hidden_dim, "hidden_dim")],
            num_classes,
            weight_scale=weight_scale,
            reg=reg,
            dtype=dtype,
            seed=seed,
        )

    @property
    def hidden_dim(self) -> int:
        """H, the hidden layer's width."""
        return self.hidden_dims[0]
