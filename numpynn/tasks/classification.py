"""Classification: class indices as targets, a stratified split, softmax cross-entropy,
accuracy as the score, a confusion matrix in the report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..data import Dataset, train_val_test_split
from ..data.split import val_fraction_for
from ..ensemble import Ensemble
from ..errors import DataError, InputError
from ..evaluation import evaluate, evaluation_dict, format_evaluation
from ..models import MLP
from ..training.scores import BalancedAccuracyScorer
from .base import TASKS, Identity, Targets, Task, loss_cell


@TASKS.register("classification")
class Classification(Task):
    """Labels of C classes: the network's C scores go through softmax cross-entropy."""

    name: ClassVar[str] = "classification"
    score_key: ClassVar[str] = "accuracy"
    score_label: ClassVar[str] = "accuracy"
    loss: ClassVar[str] = "softmax"

    def check_data(self, ds: Dataset, spec: str) -> None:
        if ds.n_classes < 2:
            raise DataError(
                f"{spec}: every labelled row has the same class ({ds.classes[0].item()!r}); a "
                "classifier needs examples of at least 2 classes. Check that the label column "
                "is the right one (`label_column`) or add data of the other classes.")

    def split(self, ds: Dataset, val_fraction: float | None, test_fraction: float,
              seed: int) -> tuple[np.ndarray, ...]:
        """Stratified by class."""
        val = val_fraction_for(val_fraction, ds.X.shape[0], test_fraction)
        return train_val_test_split(ds.X, ds.y, val_fraction=val, test_fraction=test_fraction,
                                    seed=seed, classes=ds.classes)

    #: a class under this share of 1 / C of the training rows makes a table imbalanced
    IMBALANCED_SHARE: ClassVar[float] = 0.5

    def imbalanced(self, y_train: np.ndarray) -> bool:
        """Whether a present class has under :attr:`IMBALANCED_SHARE` of an equal share
        of the training rows y_train (N,) (class indices)."""
        return self._skewed(_present_counts(y_train))

    def _skewed(self, present: np.ndarray) -> bool:
        """:meth:`imbalanced`, given the row counts of the classes present."""
        return len(present) >= 2 and bool(
            present.min() < self.IMBALANCED_SHARE * present.sum() / len(present))

    def run_scorer(self, targets: Any, y_train: np.ndarray) -> Any:
        """Balanced accuracy on two imbalanced classes (:meth:`imbalanced`), else None
        (accuracy). There the rare class is as a rule the one the table is about (a
        churn, a default, a spam, a denial), the run tells the user to judge by balanced
        accuracy, and the epoch of the lowest loss predicts the frequent class almost
        alone: on the 13 classification tables of ``benchmarks/tables.py --panel
        unseen`` (5 splits) choosing the epoch by validation balanced accuracy moved the
        balanced tables resume from 1.7 points behind scikit-learn's MLP to 0.5 ahead,
        email from 4.1 behind to 0.5 ahead, stackoverflow from 0.9 behind to 0.4 ahead.
        With three or more classes a rare class is one category among others, scored by
        accuracy: on R's Womenlf (3 classes, 16% part-time) choosing by balanced accuracy
        cost 5.8 points of accuracy, so those keep the accuracy."""
        present = _present_counts(y_train)
        return BalancedAccuracyScorer() if len(present) == 2 and self._skewed(present) else None

    def data_notes(self, y_train: np.ndarray, dataset: Dataset, options: Any) -> list[str]:
        """Imbalanced classes without ``class_weight``: the suggestion to weigh them (on
        R's Caravan table, 6% buyers, balanced accuracy rose 9.4 points with it)."""
        y = np.asarray(y_train)
        if getattr(options, "class_weight", None) is not None or not self.imbalanced(y):
            return []
        counts = np.bincount(y, minlength=len(dataset.classes))
        present = counts[counts > 0]
        order = np.argsort(counts)
        rare = [i for i in order if 0 < counts[i] < self.IMBALANCED_SHARE * y.size
                / len(present)]
        shares = ", ".join(f"{str(dataset.classes[i])!r} {counts[i] / y.size:.0%}"
                           for i in rare[:3]) + (", ..." if len(rare) > 3 else "")
        return [f"note: the classes are imbalanced ({shares} of the training rows, the "
                f"most frequent {str(dataset.classes[order[-1]])!r} "
                f"{counts[order[-1]] / y.size:.0%}): accuracy rewards answering the most "
                "frequent one; `class_weight='balanced'` weighs every class alike (judge it "
                "by the balanced accuracy of numpynn evaluate)."]

    def warnings(self, metrics: Mapping[str, Mapping[str, float]], splits: Any,
                 options: Any = None) -> list[str]:
        """A held-out accuracy no better than always answering the most frequent training
        class would score on the same rows (20 rows or more, where it means something)."""
        y = np.asarray(splits.y_train)
        if y.size == 0 or getattr(options, "class_weight", None) is not None:
            return []  # weighed classes trade accuracy for balanced accuracy, as asked
        top = int(np.argmax(np.bincount(y)))
        held_out = {"val": splits.y_val, "test": splits.y_test}
        bad = []
        for name, m in metrics.items():
            rows = np.asarray(held_out.get(name, []))
            if rows.size >= 20:
                share = float(np.mean(rows == top))
                if m["accuracy"] <= share < 1:
                    bad.append(f"{name} accuracy {m['accuracy']:.2%} (the most frequent "
                               f"class alone: {share:.2%})")
        if not bad:
            return []
        classes = getattr(splits.dataset, "classes", None)
        label = classes[top] if classes is not None and len(classes) > top else top
        check = ("Check the label column (the run's first line names it)"
                 if getattr(splits.dataset, "table", None) is not None else
                 "Check the labels (an image folder's: each image in its class's folder)"
                 if getattr(splits.dataset, "ids", None) is not None else
                 "Check the labels")
        return [f"warning: {'; '.join(bad)}: no better than always answering "
                f"{str(label)!r}, the most frequent training class. {check}; on "
                "imbalanced classes give "
                "`class_weight='balanced'` and judge by balanced accuracy (numpynn "
                "evaluate)."]

    def check_options(self, options: Any) -> None:
        if getattr(options, "target_transform", "auto") == "log":
            raise InputError("`target_transform` transforms a regression's numeric "
                             "targets; a classification has classes: leave it out.",
                             param="target_transform")

    def fit_targets(self, y_train: np.ndarray, options: Any = None) -> Targets:
        return Identity()

    def targets_from_state(self, state: Any, n_outputs: int) -> Targets:
        return Identity()

    def n_outputs(self, ds: Dataset, y_train: np.ndarray) -> int:
        return ds.n_classes

    def sample_weight(self, options: Any, y_train: np.ndarray) -> np.ndarray | None:
        return options.sample_weight(y_train)

    def build_model(self, options: Any, n_features: int, n_outputs: int,
                    seed: int | None) -> MLP:
        return options.build_model(n_features, n_outputs, seed)

    def metrics(self, model: Any, X: np.ndarray, y: np.ndarray,
                targets: Targets) -> dict[str, float]:
        return evaluate(model, X, y).summary()

    def test_evaluation(self, model: Any, X: np.ndarray, y: np.ndarray) -> Any:
        return evaluate(model, X, y)

    def format_metrics(self, metrics: Mapping[str, Mapping[str, float]],
                       seconds: float | None = None) -> str:
        lines = [f"{'split':<8}{'accuracy':>10}{'loss':>10}", "-" * 28]
        for split, m in metrics.items():
            lines.append(f"{split:<8}{m['accuracy']:>10.2%}{loss_cell(m['loss']):>10}")
        if seconds is not None:
            lines.append(f"time {seconds:.1f} s")
        return "\n".join(lines)

    def evaluation(self, saved: Any, X: np.ndarray, y: np.ndarray
                   ) -> tuple[dict[str, Any], str]:
        """Accuracy, balanced accuracy, loss, per-class precision/recall/F1/support and the
        confusion matrix, with the class names."""
        with np.errstate(all="ignore"):  # a non-finite loss is shown as such (null in JSON)
            ev = evaluate(saved.model, saved.transform(X), y)
        names = [str(c) for c in saved.metadata.get("class_names") or saved.classes.tolist()]
        return (evaluation_dict(ev, class_names=names),
                format_evaluation(ev, names))

    def prediction_table(self, saved: Any, X: np.ndarray, proba: bool, source: str
                         ) -> tuple[list[str], list[list[str]]]:
        """``["prediction"]`` (the class label), plus ``p_<class>`` per class when
        ``proba`` (6 significant digits)."""
        with np.errstate(all="ignore"):  # overflowing scores are reported below, not warned
            p = saved.predict_proba(X)
        bad = ~np.isfinite(p).all(axis=1)
        if bad.any():
            raise InputError(
                f"the model's scores overflow for {int(bad.sum())} of {len(bad)} rows of "
                f"{source} (first: row {int(np.argmax(bad)) + 1}): their probabilities are "
                "not finite numbers. The inputs are far outside the range of the training "
                "data, or the model's weights are extreme; check the data (its scale and "
                "columns) or train the model again.")
        labels = saved.classes[np.argmax(p, axis=1)].tolist()
        names = [str(c) for c in saved.classes.tolist()]
        header = ["prediction"] + ([f"p_{n}" for n in names] if proba else [])
        rows = [[str(label)] + ([f"{q:.6g}" for q in row] if proba else [])
                for label, row in zip(labels, p)]
        return header, rows

    def classes(self, ds: Dataset) -> np.ndarray:
        return ds.classes

    def class_names(self, ds: Dataset) -> list[str]:
        return ds.class_names or [str(c) for c in ds.classes.tolist()]

    def metadata(self, splits: Any, options: Any) -> dict[str, Any]:
        ds = splits.dataset
        return {"image_shape": list(ds.image_shape) if ds.image_shape else None,
                "class_names": self.class_names(ds),
                **({"image_reader": ds.image_reader} if ds.image_reader else {})}

    def write_report(self, out_dir: Path, *, history: Any, metrics: Mapping[str, Any],
                     model: Any, splits: Any, title: str, details: Mapping[str, Any],
                     configuration: Mapping[str, Any], evaluation: Any,
                     sizes: Mapping[str, int],
                     members: Sequence[Mapping[str, Any]] = ()) -> Path:
        """The report; ``members``: an ensemble's spread (one row per member, then the
        ensemble's), shown as a table; the first-layer weights are member 1's."""
        from ..report.page import write_report  # the report: imported when one is drawn

        ds = splits.dataset
        first = model.members[0] if isinstance(model, Ensemble) else model
        return write_report(
            out_dir, history, metrics=metrics,
            confusion=evaluation.confusion if evaluation is not None else None,
            class_names=self.class_names(ds), W1=first.params["W1"],
            image_shape=ds.image_shape, title=title, details=details,
            split_sizes=sizes, evaluation=evaluation,
            configuration=configuration, members=members)


def _present_counts(y: np.ndarray) -> np.ndarray:
    """The row counts of the classes present in class indices y (N,)."""
    y = np.asarray(y)
    counts = np.bincount(y) if y.size else np.zeros(0, np.int64)
    return counts[counts > 0]
