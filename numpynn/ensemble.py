"""An ensemble: K networks of one input width and one set of classes whose class
probabilities are averaged (a "deep ensemble"; trained packed by
:func:`numpynn.training.ensemble.train_ensemble`).

An :class:`Ensemble` answers what the rest of numpynn asks of a classifier network
(``input_dim``, ``num_classes``, ``dtype``, ``loss_fn``, ``forward``, ``predict_proba``,
``predict``, ``num_parameters``, ``summary``), so evaluation, model files
(:mod:`numpynn.model_file`, format version 3), ONNX export (the members' graphs with
their probabilities averaged), ``numpynn train --ensemble K``
(:mod:`numpynn.runs.ensembles`) and ``MLPClassifier(n_ensemble=K)`` take it where they
take a network. Its :meth:`Ensemble.forward` returns the log of the mean probabilities,
``log((1/K) sum_k softmax(S_k))`` (N, C): its softmax is the mean probabilities, its
argmax the ensemble's class and its softmax cross-entropy the ensemble's log loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InputError
from .losses import log_softmax
from .models import Network

__all__ = ["Ensemble"]


class Ensemble:
    """Members (networks with one input width and one set of classes) whose predicted
    probabilities are averaged.

    members: K trained :class:`~numpynn.models.Network` s; histories: their training
    histories (optional, same order).
    """

    def __init__(self, members: Sequence[Network],
                 histories: Sequence[Any] | None = None) -> None:
        if isinstance(members, Network) or not isinstance(members, Sequence) or not members:
            raise InputError(f"members must be a non-empty list of networks; got "
                             f"{members!r:.80}")
        for i, m in enumerate(members):
            if not isinstance(m, Network):
                raise InputError(f"members[{i}] must be a numpynn Network; got "
                                 f"{type(m).__name__}.")
            if (m.input_dim, m.num_outputs) != (members[0].input_dim, members[0].num_outputs):
                raise InputError(
                    f"members[{i}] maps {m.input_dim} inputs to {m.num_outputs} outputs but "
                    f"members[0] maps {members[0].input_dim} to {members[0].num_outputs}.")
            if m.loss_fn.name != "softmax":
                raise InputError(
                    f"members[{i}] is trained with the loss {m.loss_fn.name!r}; an ensemble "
                    "averages class probabilities, so its members must be softmax classifiers.")
            if m.dtype != members[0].dtype:
                raise InputError(f"members[{i}] computes in {m.dtype.name} but members[0] in "
                                 f"{members[0].dtype.name}; cast them to one dtype first.")
        if histories is not None and len(histories) != len(members):
            raise InputError(f"histories must have one entry per member ({len(members)}); "
                             f"got {len(histories)}.")
        self.members = list(members)
        self.histories = None if histories is None else list(histories)

    @property
    def n_members(self) -> int:
        return len(self.members)

    # ---------------------------------------------- what numpynn asks of a network
    @property
    def input_dim(self) -> int:
        """D, features per example (every member's)."""
        return self.members[0].input_dim

    @property
    def num_outputs(self) -> int:
        """C, the number of classes (every member's)."""
        return self.members[0].num_outputs

    @property
    def num_classes(self) -> int:
        return self.num_outputs

    @property
    def dtype(self) -> np.dtype:
        return self.members[0].dtype

    @property
    def loss_fn(self):
        """Softmax cross-entropy: applied to :meth:`forward`, the ensemble's log loss."""
        return self.members[0].loss_fn

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Log of the members' mean probabilities, X (N, D) -> (N, C) float64:
        ``logsumexp_k(log_softmax(S_k)) - log K`` (no underflow of a tiny probability to
        log 0 unless every member's is; float64 so that its argmax is :meth:`predict`'s)."""
        logs = np.stack([log_softmax(m.forward(X).astype(np.float64)) for m in self.members])
        top = logs.max(axis=0)
        return top + np.log(np.exp(logs - top).sum(axis=0)) - np.log(len(self.members))

    def predict_output(self, X: np.ndarray) -> np.ndarray:
        """The mean class probabilities (N, C), as a network's ``predict_output``."""
        return self.predict_proba(X)

    def num_parameters(self) -> int:
        """Learnable scalars of all members together."""
        return sum(m.num_parameters() for m in self.members)

    def summary(self) -> str:
        """The members' common layer table, headed by the member count."""
        return (f"Ensemble of {self.n_members} members (probabilities averaged), "
                f"{self.num_parameters():,} parameters in all; each member:\n"
                + self.members[0].summary())

    def config(self) -> dict[str, Any]:
        """The members' shared architecture (``members[0].config()``) and their count."""
        return {"class": "Ensemble", "n_members": self.n_members,
                "member": self.members[0].config()}

    def __repr__(self) -> str:
        return f"Ensemble({self.n_members} x {self.members[0]!r})"

    def member_proba(self, X: np.ndarray) -> np.ndarray:
        """Each member's class probabilities: X (N, D) -> (K, N, C)."""
        return np.stack([m.predict_proba(X) for m in self.members])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The members' mean class probabilities: X (N, D) -> (N, C), rows sum to 1."""
        out = self.members[0].predict_proba(X).astype(np.float64)
        for m in self.members[1:]:
            out += m.predict_proba(X)
        out /= len(self.members)
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class indices of the mean probabilities: X (N, D) -> (N,) int64."""
        return np.argmax(self.forward(X), axis=1).astype(np.int64)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy of :meth:`predict` on X (N, D), y (N,)."""
        y = np.asarray(y)
        if y.shape != (np.shape(X)[0],):
            raise InputError(f"y must have shape ({np.shape(X)[0]},) to match X; got "
                             f"{y.shape}.")
        return float(np.mean(self.predict(X) == y))

    def member_scores(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each member's accuracy on X (N, D), y (N,): (K,) (the spread a report shows)."""
        y = np.asarray(y)
        return np.array([float(np.mean(m.predict(X) == y)) for m in self.members])
