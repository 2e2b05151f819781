"""What a task is: everything a run does differently for classification and regression.

A :class:`Task` owns the targets (checking them, splitting the rows by them, scaling them
for training and back), the network's output layer and loss, the score that ranks epochs
and trials (its name and its key in the metrics), the metrics of a split, the defaults it
needs where the user left an option unset, what the model file records about it, its
report and its final table. The run (:mod:`numpynn.runs.run`) and the search do the
same steps for every task and ask the task where they differ, as scikit-learn's
``BaseMultilayerPerceptron`` keeps the task to target handling, output, loss and score.

A task registers itself by name (``@TASKS.register("regression")``); a model file
records that name and loading asks the task of that name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..data import Dataset
from ..errors import InputError
from ..models import Network
from ..named import Registry

#: every task by name; ``auto`` is not a task but the choice between them
TASKS: Registry[Task] = Registry("task")


class Targets(ABC):
    """How a task's targets become what the network trains on, and its outputs back."""

    @abstractmethod
    def transform(self, y: np.ndarray) -> np.ndarray:
        """Targets as the network trains on them: y (N,) or (N, K)."""

    @abstractmethod
    def inverse(self, outputs: np.ndarray) -> np.ndarray:
        """Network outputs (N, K) as predictions in the targets' units."""

    def state(self) -> dict[str, Any] | None:
        """What a model file stores to invert (None: nothing)."""
        return None



class Identity(Targets):
    """Targets used as they are (class indices)."""

    def transform(self, y: np.ndarray) -> np.ndarray:
        return y

    def inverse(self, outputs: np.ndarray) -> np.ndarray:
        return outputs


class Task(ABC):
    """One kind of learning problem. Subclasses are stateless; one instance serves all."""

    name: ClassVar[str] = ""
    #: the key of the score in a split's metrics, the score's label in tables and plots
    score_key: ClassVar[str] = ""
    score_label: ClassVar[str] = ""
    #: the loss of the network's output layer (numpynn.losses)
    loss: ClassVar[str] = ""
    #: option -> value used where the user left the option at its (classification) default
    defaults: ClassVar[Mapping[str, Any]] = {}
    #: a validation share even when ``val_fraction`` is unset (the epoch is chosen on it)
    always_validates: ClassVar[bool] = False
    #: how a CSV reader takes the label column: "classification" (labels of classes) or
    #: "regression" (numbers, the target values)
    reads_labels_as: ClassVar[str] = "classification"
    #: how a search ranks this task's trials: by validation "score" (higher first, loss
    #: breaking ties) or by validation "loss" (lower first)
    ranks_by: ClassVar[str] = "score"
    #: whether the network's outputs are the scores of classes (a model file lists them)
    has_classes: ClassVar[bool] = True
    #: the report's title, before ": <data>"
    report_title: ClassVar[str] = "numpynn training report"
    #: the L2 strengths ``reg='auto'`` chooses among on held-out rows (the folds of a small
    #: table, else the validation split), the first trained first: what a few hundred
    #: noisy rows need (3e-2) and what thousands of rows or a strong signal need (1e-4)
    #: differ by more than any one value serves (benchmarks/RESULTS.md, "L2 chosen")
    reg_candidates: ClassVar[tuple[float, ...]] = (1e-4, 3e-3, 3e-2)

    # ---- targets ---------------------------------------------------------------------
    @abstractmethod
    def check_data(self, ds: Dataset, spec: str) -> None:
        """DataError when ``ds``'s targets cannot be learnt by this task."""

    def check_options(self, options: Any) -> None:
        """InputError for an option this task cannot honour (never ignored silently)."""
        return None

    def data_notes(self, y_train: np.ndarray, dataset: Dataset, options: Any) -> list[str]:
        """Notes on the training targets the user should hear of before training (none by
        default)."""
        return []

    def alternative_targets(self, y_train: np.ndarray, options: Any
                            ) -> tuple[Targets, str] | None:
        """Another target transform worth a second training, kept where it scores better
        on the validation split, and how to name it; None (the default): none."""
        return None

    def warnings(self, metrics: Mapping[str, Mapping[str, float]], splits: Any,
                 options: Any = None) -> list[str]:
        """Lines a finished run prints loudly when its held-out figures say the model is
        no better than a constant guess (none by default)."""
        return []

    @abstractmethod
    def split(self, ds: Dataset, val_fraction: float | None, test_fraction: float,
              seed: int) -> tuple[np.ndarray, ...]:
        """The run's split of raw ``ds``: (X_tr, y_tr, X_val, y_val, X_te, y_te), the same
        for the same seed; y as this task keeps targets (see :meth:`targets_array`)."""

    def targets_array(self, y: np.ndarray) -> np.ndarray:
        """Targets as a run's splits hold them, from a reader's labels y (N,)."""
        return y

    def label_reading(self, classes: np.ndarray) -> dict[str, Any]:
        """How a reader takes a labelled file's label column for a model of this task
        whose class labels are ``classes`` (keyword arguments of ``load_dataset``)."""
        if self.reads_labels_as == "regression":
            return {"task": "regression"}  # numbers, whatever they become
        return {"classes": classes}

    def epoch_scorer(self, targets: Targets) -> Any:
        """The score a run ranks its epochs by (a
        :class:`~numpynn.training.trainer.Scorer`, given the fitted target transform); None:
        the network loss's own (accuracy, R^2)."""
        return None

    def run_scorer(self, targets: Targets, y_train: np.ndarray) -> Any:
        """The epoch score of a run whose training targets are y_train (as :meth:`split`
        gives them): :meth:`epoch_scorer` unless the task looks at the targets too."""
        return self.epoch_scorer(targets)

    @abstractmethod
    def fit_targets(self, y_train: np.ndarray, options: Any = None) -> Targets:
        """The target transform, fitted on the training targets (with the run's
        ``options`` where it has choices)."""

    @abstractmethod
    def targets_from_state(self, state: Any, n_outputs: int) -> Targets:
        """The transform a model file recorded (:meth:`Targets.state`)."""

    @abstractmethod
    def n_outputs(self, ds: Dataset, y_train: np.ndarray) -> int:
        """Units of the output layer."""

    def sample_weight(self, options: Any, y_train: np.ndarray) -> np.ndarray | None:
        """Per-row training weights the options ask for (None: unweighted)."""
        return None

    # ---- the network -------------------------------------------------------------------
    @abstractmethod
    def build_model(self, options: Any, n_features: int, n_outputs: int,
                    seed: int | None) -> Network:
        """The network ``options`` describe, with this task's output layer and loss."""

    # ---- scores ------------------------------------------------------------------------
    @abstractmethod
    def metrics(self, model: Network, X: np.ndarray, y: np.ndarray,
                targets: Targets) -> dict[str, float]:
        """The figures of one split (its score under :attr:`score_key`, and ``loss``):
        X (N, D) preprocessed, y (N,) or (N, K) as :meth:`split` gives them."""

    def test_evaluation(self, model: Network, X: np.ndarray, y: np.ndarray) -> Any:
        """The detailed evaluation the report shows for the test split (None: none)."""
        return None

    @abstractmethod
    def format_metrics(self, metrics: Mapping[str, Mapping[str, float]],
                       seconds: float | None = None) -> str:
        """The final table ``numpynn train`` prints, one row per split."""

    # ---- a saved model on new rows ---------------------------------------------------------
    @abstractmethod
    def evaluation(self, saved: Any, X: np.ndarray, y: np.ndarray
                   ) -> tuple[dict[str, Any], str]:
        """What ``numpynn evaluate`` reports of a saved model on raw rows X (N, F) with
        targets y (as :meth:`targets_array`): (JSON-ready figures, the text table)."""

    @abstractmethod
    def prediction_table(self, saved: Any, X: np.ndarray, proba: bool, source: str
                         ) -> tuple[list[str], list[list[str]]]:
        """``(header, rows)`` of a saved model's predictions for raw X (N, F), one row of
        strings per input row; InputError when some row's outputs are not finite
        (``source`` names X) or ``proba`` is asked of a task without probabilities."""

    # ---- files -------------------------------------------------------------------------
    @abstractmethod
    def classes(self, ds: Dataset) -> np.ndarray:
        """The model file's class labels (empty for a task without classes)."""

    @abstractmethod
    def metadata(self, splits: Any, options: Any) -> dict[str, Any]:
        """What the model file records for this task (class names, target scaler...), from
        the run's splits (their dataset's description, recipe and target transform)."""

    @abstractmethod
    def write_report(self, out_dir: Path, *, history: Any, metrics: Mapping[str, Any],
                     model: Network, splits: Any, title: str, details: Mapping[str, Any],
                     configuration: Mapping[str, Any], evaluation: Any,
                     sizes: Mapping[str, int]) -> Path:
        """The report's plots and ``report.html`` in ``out_dir`` (``sizes``: rows per
        split); returns the HTML path."""


def task_named(name: Any) -> Task:
    """The registered task ``name`` (an instance), or InputError naming the valid ones."""
    return TASKS.entry(name).cls()


def check_task_choice(name: Any) -> str:
    """``name`` if it is ``auto`` or a registered task, else InputError."""
    if name == "auto" or (isinstance(name, str) and name.strip().lower() in TASKS.names()):
        return "auto" if name == "auto" else name.strip().lower()
    raise InputError(f"task must be auto or one of {', '.join(TASKS.names())}; got {name!r}.",
                     param="task")


def loss_cell(value: float, width: int = 9) -> str:
    """A loss for a table column: 4 decimals when that fits ``width``, else 4 significant
    digits (1.2e+18), so a huge loss never runs into the column before it; never "-0"."""
    text = f"{round(value, 4) + 0.0:.4f}"
    return text if len(text) <= width else f"{value:.4g}"
