"""numpynn's two-layer net with CS231n's course surface: ``TwoLayerNet(input_dim,
hidden_dim, num_classes, weight_scale, reg)`` (assignment 2's names and ``0.5 * reg``), and
``train(X, y, X_val, y_val, ...)``, assignment 1's loop (minibatches drawn with
replacement, ``w -= lr * dw``, the rate decayed every epoch). The network itself is an
:class:`numpynn.models.MLP` with one hidden layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import InputError
from ..models import MLP
from ..validation import check_features, check_nonnegative_float, check_positive_int


def _refuse_other_assignments_arguments(given: Mapping[str, Any]) -> None:
    """A clear error for another course assignment's TwoLayerNet arguments (assignment
    1's ``std``, ``input_size``, ``hidden_size``, ``output_size``), naming the class that
    takes them."""
    assignment1 = {"std", "input_size", "hidden_size", "output_size"}
    names = ", ".join(sorted(given))
    if set(given) <= assignment1:
        raise InputError(
            f"TwoLayerNet got {names}: that is CS231n assignment 1's TwoLayerNet(input_size, "
            "hidden_size, output_size, std), whose loss adds reg * sum(W**2) and whose "
            "weights come from np.random; use numpynn.cs231n.TwoLayerNet for it. "
            "numpynn.TwoLayerNet is assignment 2's (input_dim, hidden_dim, num_classes, "
            "weight_scale, reg; 0.5 * reg * sum(W**2)).")
    raise InputError(f"TwoLayerNet got unexpected arguments {names}; it takes input_dim, "
                     "hidden_dim, num_classes, weight_scale, reg, dtype, seed, activation, "
                     "dropout, normalization.")


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
        activation: str = "relu",
        dropout: float = 0.0,
        normalization: str | None = None,
        **course: Any,
    ) -> None:
        if course:
            _refuse_other_assignments_arguments(course)
        super().__init__(
            input_dim,
            [check_positive_int(hidden_dim, "hidden_dim")],
            num_classes,
            weight_scale=weight_scale,
            reg=reg,
            dtype=dtype,
            seed=seed,
            activation=activation,
            dropout=dropout,
            normalization=normalization,
        )

    @property
    def hidden_dim(self) -> int:
        """H, the hidden layer's width."""
        return self.hidden_dims[0]

    def train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        X_val: np.ndarray,
        y_val: np.ndarray,
        learning_rate: float = 1e-3,
        learning_rate_decay: float = 0.95,
        reg: float = 5e-6,
        num_iters: int = 100,
        batch_size: int = 200,
        verbose: bool = False,
    ) -> dict[str, list[float]]:
        """CS231n assignment 1's ``TwoLayerNet.train``: SGD on random minibatches.

        X: (N, D), y: (N,) training data; X_val: (N_val, D), y_val: (N_val,). Each of the
        ``num_iters`` iterations draws ``batch_size`` rows *with replacement* (from
        ``self.rng``, the network's seeded generator), computes ``self.loss(X_batch,
        y_batch, reg=reg)`` and takes an SGD step (:class:`numpynn.training.optim.SGD`).
        Every ``iterations_per_epoch = max(N / batch_size, 1)`` iterations (the course's
        test ``it % iterations_per_epoch == 0``, true division: when N / batch_size is
        not a whole number only iteration 0 qualifies) it records the accuracy on the
        current minibatch and on the validation set and multiplies the learning rate by
        ``learning_rate_decay``. verbose: print the loss every 100 iterations (stdout).

        Returns ``{'loss_history': [...], 'train_acc_history': [...],
        'val_acc_history': [...]}`` (loss per iteration, accuracies per epoch).
        """

        X = check_features(X, self.input_dim, self.dtype, "X")
        y = self.loss_fn.check_targets(y, X.shape[0], self.num_outputs, "y")
        X_val = check_features(X_val, self.input_dim, self.dtype, "X_val")
        y_val = self.loss_fn.check_targets(y_val, X_val.shape[0], self.num_outputs, "y_val")
        num_iters = check_positive_int(num_iters, "num_iters")
        batch_size = check_positive_int(batch_size, "batch_size")
        reg = check_nonnegative_float(reg, "reg")
        decay = check_nonnegative_float(learning_rate_decay, "learning_rate_decay")
        lr = check_nonnegative_float(learning_rate, "learning_rate")
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train / batch_size, 1)
        loss_history: list[float] = []
        train_acc_history: list[float] = []
        val_acc_history: list[float] = []
        for it in range(num_iters):
            idx = self.rng.choice(num_train, batch_size, replace=True)
            X_batch, y_batch = X[idx], y[idx]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(float(loss))
            for key, w in self.params.items():  # CS231n's update: w -= lr * dw, in place
                w -= lr * grads[key]
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:f}")
            if it % iterations_per_epoch == 0:
                train_acc_history.append(float(np.mean(self.predict(X_batch) == y_batch)))
                val_acc_history.append(float(np.mean(self.predict(X_val) == y_val)))
                lr *= decay
        return {"loss_history": loss_history, "train_acc_history": train_acc_history,
                "val_acc_history": val_acc_history}
