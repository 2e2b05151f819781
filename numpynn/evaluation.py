"""Metrics of a saved model on labelled data: accuracy, loss, per-class scores, confusion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InputError
from .losses import softmax_cross_entropy
from .validation import check_features


@dataclass
class Evaluation:
    """accuracy and mean data loss; per-class precision/recall/f1/support (C,);
    confusion (C, C) with rows = true class, columns = predicted class."""

    accuracy: float
    loss: float
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    confusion: np.ndarray

    def summary(self) -> dict[str, float]:
        return {"accuracy": self.accuracy, "loss": self.loss}

    @property
    def balanced_accuracy(self) -> float:
        """The mean recall of the classes present (scikit-learn's balanced accuracy)."""
        present = np.asarray(self.support) > 0
        return float(np.mean(np.asarray(self.recall)[present])) if present.any() else 0.0


def evaluate(model: Any, X: np.ndarray, y: np.ndarray) -> Evaluation:
    """Evaluate a network on preprocessed X: (N, D) with class indices y: (N,).

    A classifier's figures; a network that predicts values (a regression) is refused
    with the call that measures it."""
    if not all(hasattr(model, a) for a in ("forward", "input_dim", "dtype", "num_classes")):
        raise InputError(f"evaluate() needs a numpynn network (e.g. load_model(path).model); "
                         f"got {type(model).__name__} {model!r:.60}.")
    if getattr(getattr(model, "loss_fn", None), "task", "") == "regression":
        raise InputError(
            "evaluate() measures a classifier (accuracy, per-class figures); this network "
            "predicts values: measure it with saved.task.evaluation(saved, X_raw, y) on the "
            "raw rows, as 'numpynn evaluate' does (R^2, RMSE, MAE), or with "
            "numpynn.regression.regression_metrics(y, saved.values(X_raw)).")
    X = check_features(X, model.input_dim, model.dtype)
    scores = model.forward(X)
    loss, _ = softmax_cross_entropy(scores.astype(np.float64), y)
    pred = np.argmax(scores, axis=1)
    return Evaluation(accuracy=float(np.mean(pred == y)), loss=float(loss),
                      **class_metrics(y, pred, model.num_classes))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den elementwise, 0 where den is 0 (scikit-learn's ``zero_division=0``)."""
    out = np.zeros(num.shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def class_metrics(y: np.ndarray, pred: np.ndarray, num_classes: int) -> dict[str, np.ndarray]:
    """Per-class precision, recall, F1 and support, and the confusion matrix (rows: true
    class, columns: predicted), for class indices y, pred: (N,) in 0..C-1. The same figures
    as scikit-learn's ``precision_recall_fscore_support(..., zero_division=0)`` and
    ``confusion_matrix``, from one ``bincount``: C x C counts, no scikit-learn import."""
    C = int(num_classes)
    flat = np.asarray(y, dtype=np.int64) * C + np.asarray(pred, dtype=np.int64)
    confusion = np.bincount(flat, minlength=C * C).reshape(C, C)
    true_pos = np.diag(confusion).astype(np.float64)
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    return {
        "precision": _ratio(true_pos, predicted),
        "recall": _ratio(true_pos, support),
        "f1": _ratio(2 * true_pos, support + predicted),  # 2PR / (P + R), 0 when empty
        "support": support,
        "confusion": confusion,
    }


def evaluation_dict(ev: Evaluation, data: str | None = None, split: str | None = None,
                    class_names: list[str] | None = None) -> dict[str, Any]:
    """The evaluation as plain JSON-ready values (what ``numpynn evaluate --json`` prints):
    ``data`` and ``split`` (when given), accuracy, balanced accuracy, loss, the class
    names (when given), per-class precision, recall, F1 and support (lists of C numbers)
    and the confusion matrix (C lists of C ints, rows = true class). A non-finite loss
    stays a float here; :func:`numpynn.model_file.json_safe` makes it None."""
    where = {k: v for k, v in (("data", data), ("split", split)) if v is not None}
    names = {"classes": [str(c) for c in class_names]} if class_names is not None else {}
    return {**where, "accuracy": float(ev.accuracy),
            "balanced_accuracy": ev.balanced_accuracy, "loss": float(ev.loss), **names,
            "precision": np.asarray(ev.precision, dtype=float).tolist(),
            "recall": np.asarray(ev.recall, dtype=float).tolist(),
            "f1": np.asarray(ev.f1, dtype=float).tolist(),
            "support": np.asarray(ev.support).astype(int).tolist(),
            "confusion": np.asarray(ev.confusion).astype(int).tolist()}


def format_evaluation(ev: Evaluation, class_names: list[str]) -> str:
    """Per-class table and confusion matrix as text."""
    width = max(8, *(len(c) for c in class_names))
    lines = [f"accuracy {ev.accuracy:.2%}   loss {ev.loss:.4f}   ({int(ev.support.sum())} rows)",
             "", f"{'class':<{width}} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for i, name in enumerate(class_names):
        lines.append(f"{name:<{width}} {ev.precision[i]:>9.3f} {ev.recall[i]:>7.3f} "
                     f"{ev.f1[i]:>6.3f} {int(ev.support[i]):>8}")
    lines += ["", "confusion matrix (rows: true class, columns: predicted class)"]
    cell = max(4, len(str(int(ev.confusion.max()))) + 1, *(len(c) + 1 for c in class_names))
    lines.append(" " * width + "".join(f"{c:>{cell}}" for c in class_names))
    for i, name in enumerate(class_names):
        lines.append(f"{name:<{width}}" + "".join(f"{v:>{cell}}" for v in ev.confusion[i]))
    return "\n".join(lines)
