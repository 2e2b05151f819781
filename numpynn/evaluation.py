"""Metrics on labelled data: a classifier's accuracy, loss, per-class scores and confusion;
a regression's R^2, RMSE and MAE (and the per-epoch R^2 the Trainer records)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InputError
from .losses import softmax_cross_entropy
from .training.chunks import row_chunks
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
            "numpynn.evaluation.regression_metrics(y, saved.values(X_raw)).")
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
    # the balanced accuracy too: what an imbalanced run is chosen by, and what train's
    # note on imbalanced classes sends the user here to read
    lines = [f"accuracy {ev.accuracy:.2%}   balanced accuracy {ev.balanced_accuracy:.2%}   "
             f"loss {ev.loss:.4f}   ({int(ev.support.sum())} rows)",
             "", f"{'class':<{width}} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for i, name in enumerate(class_names):
        lines.append(f"{name:<{width}} {ev.precision[i]:>9.3f} {ev.recall[i]:>7.3f} "
                     f"{ev.f1[i]:>6.3f} {int(ev.support[i]):>8}")
    if len(class_names) > MATRIX_CLASSES:
        return "\n".join(lines + ["", *_most_confused(ev, class_names)])
    lines += ["", "confusion matrix (rows: true class, columns: predicted class)"]
    cell = max(4, len(str(int(ev.confusion.max()))) + 1, *(len(c) + 1 for c in class_names))
    lines.append(" " * width + "".join(f"{c:>{cell}}" for c in class_names))
    for i, name in enumerate(class_names):
        lines.append(f"{name:<{width}}" + "".join(f"{v:>{cell}}" for v in ev.confusion[i]))
    return "\n".join(lines)


#: classes up to which the text shows the whole confusion matrix (a terminal's width);
#: above, the pairs most often confused (``--json`` holds the matrix)
MATRIX_CLASSES = 20


def _most_confused(ev: Evaluation, class_names: list[str], top: int = 10) -> list[str]:
    """The ``top`` (true, predicted) pairs of different classes with the most rows."""
    off = np.array(ev.confusion, dtype=np.int64)
    np.fill_diagonal(off, 0)
    order = np.argsort(off, axis=None, kind="stable")[::-1][:top]
    pairs = [(int(off.flat[k]), *divmod(int(k), off.shape[1])) for k in order]
    pairs = [p for p in pairs if p[0] > 0]
    head = (f"most confused pairs ({len(class_names)} classes: the whole confusion matrix is "
            "in --json)")
    if not pairs:
        return [head, "  none: every row is predicted as its class"]
    width = max(len(class_names[i]) for _, i, _ in pairs)
    return [head, *(f"  {class_names[i]:<{width}} predicted as {class_names[j]}: {n} "
                    f"row{'s' if n != 1 else ''}"
                    for n, i, j in pairs)]


def _as_2d(y: np.ndarray) -> np.ndarray:
    arr = np.asarray(y, dtype=np.float64)
    return arr[:, None] if arr.ndim == 1 else arr


def _r2_from_sums(sse: np.ndarray, sst: np.ndarray) -> float:
    """Uniform average of per-output R^2 = 1 - SSE/SST; a constant output scores 1 if
    predicted exactly, else 0 (scikit-learn's ``force_finite``)."""
    return float(r2_from_sums(sse, sst))


def r2_from_sums(sse: np.ndarray, sst: np.ndarray) -> np.ndarray:
    """:func:`_r2_from_sums` along the last axis: sse, sst (..., C) -> R^2 (...), e.g. the
    (K, C) sums of K networks on one set of rows."""
    r2 = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0),
                  np.where(sse == 0, 1.0, 0.0))
    return r2.mean(axis=-1)


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, uniform average over outputs. y: (N, K) or (N,)."""
    t, p = _as_2d(y_true), _as_2d(y_pred)
    if t.shape != p.shape:
        raise InputError(f"y_true has shape {t.shape} but y_pred {p.shape}; they must match.")
    sse = ((t - p) ** 2).sum(axis=0)
    sst = ((t - t.mean(axis=0)) ** 2).sum(axis=0)
    return _r2_from_sums(sse, sst)


def r2_undefined(y_true: np.ndarray) -> str | None:
    """Why R^2 says nothing about rows with targets y_true (N, K) or (N,): fewer than two
    rows, or every output holding one value (its spread, the denominator, is 0; R^2 is
    then given as 0, or 1 for exact predictions, scikit-learn's ``force_finite``), else
    None."""
    t = _as_2d(y_true)
    if t.shape[0] < 2:
        return f"{t.shape[0]} row{'s' if t.shape[0] != 1 else ''}"
    if np.all(t == t[0]):
        return "the targets hold one value"
    return None


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """``{"r2", "rmse", "mae", "n"}`` of predictions in the targets' own units.

    r2: uniform average over outputs; rmse / mae: over every cell (N * K values).
    """
    t, p = _as_2d(y_true), _as_2d(y_pred)
    diff = t - p
    return {"r2": r2_score(t, p), "rmse": float(np.sqrt(np.mean(diff ** 2))),
            "mae": float(np.mean(np.abs(diff))), "n": int(t.shape[0])}


def r2_and_loss(model: Any, X: np.ndarray, y: np.ndarray, chunk: int = 8192,
                idx: np.ndarray | None = None, units: Any = None) -> tuple[float, float]:
    """R^2 and mean data loss of a regression network on validated X: (N, D), y: (N, K),
    a chunk of rows at a time (idx: only these rows). The loss is in the units the network
    was trained in; R^2 in the targets' own units: ``units`` maps outputs and y (M, K)
    back to them (a run's ``Targets.inverse``; None: already there, or an affine
    standardisation, which leaves each output's R^2 as it is), so that the figure a
    history records is the one ``numpynn evaluate`` gives."""
    n = X.shape[0] if idx is None else idx.shape[0]
    k = y.shape[1]
    if (units is None and n <= chunk
            and getattr(model.loss_fn, "name", "") == "squared_error"):
        # one chunk of a squared-error network (a validation split, a training subset,
        # evaluated every epoch): the residuals once, the spread of y in two passes
        Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        diff = model.forward(Xb).astype(np.float64)
        diff -= yb
        sse = np.einsum("ij,ij->j", diff, diff)
        dev = yb - yb.mean(axis=0)
        return _r2_from_sums(sse, np.einsum("ij,ij->j", dev, dev)), 0.5 * float(sse.sum()) / n
    sse, mean, m2 = np.zeros(k), np.zeros(k), np.zeros(k)  # m2: sum of squared deviations
    total_loss, seen = 0.0, 0
    for Xb, yb in row_chunks(X, y, chunk, idx):
        scores = model.forward(Xb).astype(np.float64)
        loss, _ = model.loss_fn(scores, yb)
        total_loss += loss * yb.shape[0]
        if units is not None:  # R^2 in the targets' own units
            scores, yb = units(scores), units(yb)
        sse += ((scores - yb) ** 2).sum(axis=0)
        b = yb.shape[0]  # merge the chunk's mean and spread (Chan et al.): no cancellation
        chunk_mean = yb.mean(axis=0)
        delta = chunk_mean - mean
        m2 += ((yb - chunk_mean) ** 2).sum(axis=0) + delta ** 2 * seen * b / (seen + b)
        mean += delta * b / (seen + b)
        seen += b
    return _r2_from_sums(sse, m2), total_loss / n
