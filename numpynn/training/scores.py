"""Per-epoch scores of a network: what a run ranks its epochs by and how it names them.

A score is higher-is-better: a classifier's accuracy (or balanced accuracy, the mean
per-class recall, on imbalanced classes), a regression's R^2. :class:`Scorer` is the
interface a task's own score implements; :func:`score_and_loss` computes the loss's own
score and the mean data loss of validated X: (N, D) a chunk of rows at a time."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ..evaluation import r2_and_loss
from ..losses import softmax_cross_entropy
from ..models import Network
from .chunks import row_chunks

#: the score of a classifier on imbalanced classes (:class:`BalancedAccuracyScorer`)
BALANCED_ACCURACY = "balanced_accuracy"

#: History.score_name -> how tables, plots and messages name the score
SCORE_LABELS = {"accuracy": "accuracy", BALANCED_ACCURACY: "balanced accuracy", "r2": "R^2"}

#: scores that are fractions of rows (or of classes), shown as percent
PERCENT_SCORES = frozenset({"accuracy", BALANCED_ACCURACY})


def score_label(score_name: str) -> str:
    """``"accuracy"``, ``"R^2"``, or the score's own name."""
    return SCORE_LABELS.get(score_name, score_name)


def model_scores(model: Any, X: np.ndarray) -> np.ndarray:
    """Test-mode scores (N, C) of validated X: the network's one prediction forward, or
    ``model.loss(X)`` for any other model (CS231n's protocol)."""
    if isinstance(model, Network) and type(model).loss is Network.loss:
        return model.forward(X)
    return np.asarray(model.loss(X))


def model_score_name(model: Any) -> str:
    """The name of the score :func:`score_and_loss` gives for ``model``: its loss's
    (``"accuracy"``, ``"r2"``), ``"accuracy"`` for a CS231n-protocol model."""
    loss_fn = getattr(model, "loss_fn", None) if isinstance(model, Network) else None
    return getattr(loss_fn, "score_name", "accuracy")


def score_and_loss(
    model: Any, X: np.ndarray, y: np.ndarray, chunk: int = 8192,
    idx: np.ndarray | None = None, balanced: bool = False,
) -> tuple[float, float]:
    """The score (:func:`model_score_name`) and mean data loss of ``model`` on validated
    X: (N, D), y: (N,): accuracy for a classifier; for a regression loss (y: (N, K)) R^2
    (uniform average over outputs, as scikit-learn's ``score``): higher is better, and for
    one output it ranks epochs exactly as the validation loss does.

    idx: evaluate only these rows, gathered a chunk (<= 16 MiB) at a time instead of
    copying them all first. balanced: a classifier's balanced accuracy instead (the mean
    over the classes present in y of the share of their rows it gets right).
    """
    if idx is not None:
        chunk = max(1, min(chunk, (1 << 24) // max(1, X.shape[1] * X.itemsize)))
    n = X.shape[0] if idx is None else idx.shape[0]
    loss_fn = getattr(model, "loss_fn", None) if isinstance(model, Network) else None
    if getattr(loss_fn, "score_name", "") == "r2":  # a regression's score: R^2
        return r2_and_loss(model, X, y, chunk, idx)
    hits: Any = 0  # rows right per class (an array from the first chunk on) ...
    rows: Any = 0  # ... and rows per class
    total_loss = 0.0
    for Xb, yb in row_chunks(X, y, chunk, idx):
        scores = model_scores(model, Xb)
        if loss_fn is None:
            loss, _ = softmax_cross_entropy(scores.astype(np.float64), yb)
        else:
            loss, _ = loss_fn(scores.astype(np.float64), yb)
        total_loss += loss * yb.shape[0]
        right = np.argmax(scores, axis=1) == yb
        c = scores.shape[1]
        hits = hits + np.bincount(yb[right], minlength=c)
        rows = rows + np.bincount(yb, minlength=c)
    return float(class_score(hits, rows, balanced)), total_loss / n


def class_score(hits: np.ndarray, rows: np.ndarray, balanced: bool) -> np.ndarray:
    """Accuracy (``balanced`` False) or balanced accuracy from per-class counts of rows
    right, ``hits`` (..., C), and of rows, ``rows`` (..., C): the mean over the classes
    with rows of their share right (scikit-learn's ``balanced_accuracy_score``)."""
    hits, rows = np.asarray(hits, np.float64), np.asarray(rows, np.float64)
    if not balanced:
        return hits.sum(axis=-1) / rows.sum(axis=-1)
    present = rows > 0
    recall = np.divide(hits, rows, out=np.zeros(np.broadcast(hits, rows).shape),
                       where=present)
    return recall.sum(axis=-1) / present.sum(axis=-1)


class Scorer(ABC):
    """A per-epoch score of a model: its ``name`` (History.score_name) and, called as
    ``scorer(model, X, y, idx=None)``, ``(score, mean data loss)`` on validated X: (N, D)
    and targets y (``idx``: only these rows). Higher scores are better. An abstract
    interface: a task's scorer subclasses it (:class:`LossScorer` is the default)."""

    name: str = "accuracy"

    @abstractmethod
    def __call__(self, model: Any, X: np.ndarray, y: np.ndarray,
                 idx: np.ndarray | None = None) -> tuple[float, float]:
        """(score, mean data loss) of ``model`` on rows ``idx`` (default all) of X, y."""


class LossScorer(Scorer):
    """The score the model's loss names (:func:`score_and_loss`): accuracy, or R^2."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, model: Any, X: np.ndarray, y: np.ndarray,
                 idx: np.ndarray | None = None) -> tuple[float, float]:
        return score_and_loss(model, X, y, idx=idx)


class UnitsR2Scorer(Scorer):
    """A regression's R^2 in the targets' own units, for a network trained on targets
    that are not an affine map of them (log(1 + y)): ``units`` (a run's
    ``Targets.inverse``) maps outputs and targets (N, K) back, so the R^2 a history,
    a search row and a report record is the one ``numpynn evaluate`` gives; the loss stays
    in the trained units (:func:`numpynn.evaluation.r2_and_loss`)."""

    name = "r2"

    def __init__(self, units: Any) -> None:
        self.units = units

    def __call__(self, model: Any, X: np.ndarray, y: np.ndarray,
                 idx: np.ndarray | None = None) -> tuple[float, float]:
        return r2_and_loss(model, X, y, idx=idx, units=self.units)


class BalancedAccuracyScorer(Scorer):
    """A classifier's balanced accuracy (:func:`class_score`): the score of a table whose
    classes are imbalanced, where plain accuracy rewards answering the frequent class."""

    name = BALANCED_ACCURACY

    def __call__(self, model: Any, X: np.ndarray, y: np.ndarray,
                 idx: np.ndarray | None = None) -> tuple[float, float]:
        return score_and_loss(model, X, y, idx=idx, balanced=True)
