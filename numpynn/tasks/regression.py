"""Regression: numeric targets (N, K), a random split, targets standardised for training,
squared error, R^2 as the score, predicted-vs-true plots in the report."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..data import Dataset
from ..data.preprocessing import TargetScaler, far_columns, log_candidates
from ..data.split import AUTO_VAL_FRACTION
from ..errors import DataError, InputError
from ..evaluation import r2_undefined, regression_metrics
from ..layers import build_layer
from ..models import Network, hidden_block
from ..training.scores import UnitsR2Scorer
from .base import TASKS, Targets, Task


class ScaledTargets(Targets):
    """Targets standardised per column for training (``numpynn.data.preprocessing.TargetScaler``),
    outputs mapped back to the targets' units."""

    def __init__(self, scaler: TargetScaler) -> None:
        self.scaler = scaler

    def transform(self, y: np.ndarray) -> np.ndarray:
        return self.scaler.transform(y)

    def inverse(self, outputs: np.ndarray) -> np.ndarray:
        return self.scaler.inverse_transform(outputs)

    def state(self) -> dict[str, Any]:
        return self.scaler.state()


#: a target this many robust standard deviations (1.4826 x the median absolute deviation)
#: from the median is out of line with the rest: a typo, other units, a code for missing
#: (1e12 among values of a few units); a heavy but real tail (prices, counts) stays below
EXTREME_TARGET = 1e6


def extreme_targets(y: np.ndarray, name: str | None = None) -> str | None:
    """A warning when some targets in y (N, K) lie more than :data:`EXTREME_TARGET`
    robust standard deviations from their column's median, else None. Squared error and
    R^2 are then the few rows' figures: the network fits them and misses the rest (R^2
    0.04 on the training rows, -17 on the rows without the outlier), and nothing said so."""
    y = np.asarray(y, np.float64).reshape(len(y), -1)
    if y.shape[0] < 3:
        return None
    med = np.median(y, axis=0)
    spread = 1.4826 * np.median(np.abs(y - med), axis=0)
    far = (np.abs(y - med) > EXTREME_TARGET * spread) & (spread > 0)
    if not far.any():
        return None
    k = int(np.flatnonzero(far.any(axis=0))[0])
    values = y[far[:, k], k]
    where = (f"target column {k}" if y.shape[1] > 1
             else f"the label column {name!r}" if name else "the targets")
    shown = ", ".join(f"{v:g}" for v in values[:3]) + (", ..." if values.size > 3 else "")
    return (f"warning: {values.size} value(s) of {where} ({shown}) lie more than a million "
            f"typical deviations from the others (median {med[k]:.4g}, median absolute "
            f"deviation {spread[k] / 1.4826:.4g}): squared error and R^2 are dominated by "
            "them, so the model and its figures describe those rows, not the rest. Check "
            "them for a typo, other units or a code for missing, and drop or fix them; a "
            "real heavy tail trains better on log(1 + y) (`target_transform='log'`, targets "
            "of at least 0).")


def random_split(n: int, val_fraction: float, test_fraction: float, seed: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices (train, val, test) of a random split (sizes rounded up, as the
    classification split)."""
    if val_fraction + test_fraction >= 1.0:
        raise InputError(f"val_fraction + test_fraction must be below 1; got "
                         f"{val_fraction} + {test_fraction}.")
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(np.ceil(test_fraction * n)) if test_fraction else 0
    n_val = int(np.ceil(val_fraction * n)) if val_fraction else 0
    if n - n_test - n_val < 1:
        raise DataError(f"{n} rows are too few for a validation share of {val_fraction} and "
                        f"a test share of {test_fraction}; give more data or smaller shares.")
    test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    return np.sort(train), np.sort(val), np.sort(test)


#: a network whose widest hidden layer has at most this many units is called too narrow
#: (rather than too big for its rows) when it predicts worse than the mean
NARROW = 2


@TASKS.register("regression")
class Regression(Task):
    """Numeric targets: K linear outputs, squared error on the standardised targets."""

    name: ClassVar[str] = "regression"
    score_key: ClassVar[str] = "r2"
    score_label: ClassVar[str] = "R^2"
    loss: ClassVar[str] = "squared_error"
    #: batch 128 chosen with benchmarks/regression.py; the step (3e-3, was 1e-2) with the
    #: table panel (benchmarks/tables.py, 9 regression tables x 5 seeds: within 0.5 point
    #: of scikit-learn's MLP on 5 instead of 4); the L2 strength chosen on held-out rows
    #: (``reg_candidates``: the best of them differs by table, by up to 7 points of R^2),
    #: then up to 600 epochs with patience 60 (were 200 and 30: boston and computers came
    #: within 0.5 point); see benchmarks/RESULTS.md, "L2 chosen on held-out rows"
    defaults: ClassVar[Mapping[str, Any]] = {
        "hidden": [100], "epochs": 600, "batch_size": 128, "lr": 3e-3, "patience": 60,
        "weight_scale": "auto", "reg": "auto"}
    always_validates: ClassVar[bool] = True
    reads_labels_as: ClassVar[str] = "regression"
    has_classes: ClassVar[bool] = False
    ranks_by: ClassVar[str] = "loss"  # R^2 of several outputs averages; the loss sums
    report_title: ClassVar[str] = "numpynn regression report"

    def epoch_scorer(self, targets: Targets) -> Any:
        """R^2 in the targets' own units where the network trains on log(1 + y) (the
        figure ``numpynn evaluate`` gives); None where the targets are only standardised,
        which leaves each output's R^2 as it is."""
        scaler = getattr(targets, "scaler", None)
        log = getattr(scaler, "log", None)
        return None if log is None or not log.any() else UnitsR2Scorer(targets.inverse)

    def check_data(self, ds: Dataset, spec: str) -> None:
        if ds.y is None or ds.y.dtype.kind != "f":
            raise InputError(f"`task='regression'` needs numeric targets (a CSV file's "
                             f"numeric target column, an .npz file's y); {spec} has class "
                             "labels.", param="task")
        y = self.targets_array(ds.y)
        if y.shape[0] < 2:
            return
        constant = np.flatnonzero(np.ptp(y, axis=0) == 0)
        if constant.size:
            name = ds.table.label_name if ds.table is not None else None
            if y.shape[1] > 1:
                where = f"target column {int(constant[0])} (of {y.shape[1]})"
            else:
                where = f"the label column {name!r}" if name else "the target"
            raise DataError(
                f"{spec}: {where} holds the same value ({y[0, constant[0]]:g}) in every "
                f"one of the {y.shape[0]:,} rows, so there is nothing to learn (R^2 is "
                "undefined). Check that the label column is the right one "
                "(`label_column`), or predict that value without a model.")

    def check_options(self, options: Any) -> None:
        if options.refit:
            raise InputError("`refit` retrains a classifier on the training and validation "
                             "rows; a regression run keeps its best validation epoch "
                             "instead: leave out `refit`.", param="refit")
        if options.class_weight is not None:
            raise InputError("`class_weight` balances classes; a regression has none: leave "
                             "it out.", param="class_weight")

    def alternative_targets(self, y_train: np.ndarray, options: Any
                            ) -> tuple[Targets, str] | None:
        """log(1 + y) for the columns with a heavy right tail (:func:`log_candidates`),
        under ``target_transform='auto'``."""
        if getattr(options, "target_transform", "none") != "auto":
            return None
        columns = log_candidates(y_train)
        if not columns.any():
            return None
        return ScaledTargets(TargetScaler().fit(y_train, "log", columns)), "log(1 + y)"

    def warnings(self, metrics: Mapping[str, Mapping[str, float]], splits: Any,
                 options: Any = None) -> list[str]:
        """A held-out R^2 below 0: the predictions are worse than the training mean;
        targets far out of line with the rest (:func:`extreme_targets`)."""
        log = getattr(splits.targets, "scaler", None)
        logged = log is not None and log.log is not None and bool(log.log.any())
        parts = [np.asarray(getattr(splits, name, None), np.float64).reshape(
            -1, splits.y_train.shape[1]) for name in ("y_train", "y_val", "y_test")
            if getattr(splits, name, None) is not None]
        recipe = getattr(splits, "recipe", None)  # a table's: it names the label column
        extreme = None if logged else extreme_targets(
            np.concatenate(parts), getattr(recipe, "label_name", None))
        out = [] if extreme is None else [extreme]
        bad = [(name, m["r2"]) for name, m in metrics.items()
               if name in ("val", "test") and m.get("n", 0) >= 2 and m.get("r2", 0) < 0]
        if not bad:
            return out
        figures = ", ".join(f"{name} R^2 {r2:.3f}" for name, r2 in bad)
        rows = int(splits.y_train.shape[0])
        widest = max(getattr(options, "hidden", None) or [0])
        smaller = 16 if widest == 0 or widest > 32 else max(2, widest // 4)
        causes = [
            "the label column is not the one you meant (the run's first line names it; "
            "`label_column` names another)",
            f"too few training rows ({rows:,}) for the network: try a smaller `hidden` "
            f"(e.g. {smaller}) or a larger `reg`" if widest == 0 or widest > NARROW else
            f"too narrow a network (its widest layer has {widest} unit"
            f"{'s' if widest > 1 else ''}: a ReLU unit that dies leaves a constant): try "
            "a wider `hidden` (e.g. 16)",
        ]
        if not logged:
            causes.append("a target with a long tail or outliers: try "
                          "`target_transform='log'` (targets of at least 0)")
        held = [getattr(splits, name, None) for name in ("X_val", "X_test")]
        held = [X for X in held if X is not None and X.shape[0]]
        seen = getattr(splits, "X_train", None)
        rows_held = np.concatenate(held) if held and seen is not None else None
        far = far_columns(seen, rows_held) if rows_held is not None else []
        if far:
            reach = np.abs(rows_held[:, far]).max()
            causes.insert(0, f"held-out rows far outside the training rows: feature column"
                          f"{'s' if len(far) > 1 else ''} {', '.join(map(str, far[:5]))} "
                          f"{'reach' if len(far) > 1 else 'reaches'} {reach:.3g} in the "
                          "training rows' standardised units there (a sentinel such as "
                          "999999, a unit change, a value constant in training): clean "
                          "those cells or drop the column")
        causes.append("held-out rows unlike the training rows (a time order, a rare "
                      "group); check the split")
        return [f"warning: {figures}: the model predicts worse than always answering the "
                "training mean, so do not use it as it is. Likely causes: "
                + "; ".join(causes) + "."] + out

    def split(self, ds: Dataset, val_fraction: float | None, test_fraction: float,
              seed: int) -> tuple[np.ndarray, ...]:
        """Random rows; targets (n, K) float64."""
        val = AUTO_VAL_FRACTION if val_fraction is None else val_fraction
        tr, va, te = random_split(ds.X.shape[0], val, test_fraction, seed)
        y = self.targets_array(ds.y)
        return ds.X[tr], y[tr], ds.X[va], y[va], ds.X[te], y[te]

    def targets_array(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, np.float64)
        return y.reshape(len(y), -1)

    def fit_targets(self, y_train: np.ndarray, options: Any = None) -> Targets:
        transform = getattr(options, "target_transform", "none")
        return ScaledTargets(TargetScaler().fit(y_train, transform))

    def targets_from_state(self, state: Any, n_outputs: int) -> Targets:
        if state is None:
            return ScaledTargets(TargetScaler(np.zeros(n_outputs), np.ones(n_outputs)))
        return ScaledTargets(TargetScaler.from_state(state, n_outputs))

    def n_outputs(self, ds: Dataset, y_train: np.ndarray) -> int:
        return int(y_train.shape[1])

    def build_model(self, options: Any, n_features: int, n_outputs: int,
                    seed: int | None) -> Network:
        """``{affine - [norm] - activation - [dropout]} x len(hidden) - affine`` with the
        squared-error loss."""
        layers = []
        for h in options.hidden:
            layers += hidden_block(h, options.activation, options.dropout,
                                   options.normalization)
        layers.append(build_layer("affine", units=n_outputs))
        return Network(n_features, layers, loss=self.loss, reg=options.reg,
                       weight_scale=options.weight_scale, dtype=options.dtype, seed=seed)

    def metrics(self, model: Network, X: np.ndarray, y: np.ndarray,
                targets: Targets) -> dict[str, float]:
        """R^2, RMSE, MAE in the targets' units and the mean loss in scaled units."""
        outputs = model.forward(X)
        m = regression_metrics(y, targets.inverse(outputs))
        m["loss"] = model.loss_fn(outputs.astype(np.float64), targets.transform(y))[0]
        return m

    def format_metrics(self, metrics: Mapping[str, Mapping[str, float]],
                       seconds: float | None = None) -> str:
        lines = [f"{'split':<6} {'rows':>7} {'R^2':>8} {'RMSE':>11} {'MAE':>11}"]
        for name, m in metrics.items():
            r2 = f"{m['r2']:>8.4f}" if m["n"] >= 2 else f"{'n/a':>8}"  # 1 row: no spread
            lines.append(f"{name:<6} {m['n']:>7} {r2} {m['rmse']:>11.5g} "
                         f"{m['mae']:>11.5g}")
        if seconds is not None:
            lines.append(f"time {seconds:.1f} s")
        return "\n".join(lines)

    def evaluation(self, saved: Any, X: np.ndarray, y: np.ndarray
                   ) -> tuple[dict[str, Any], str]:
        """R^2, RMSE and MAE in the targets' units."""
        with np.errstate(all="ignore"):
            m = regression_metrics(y, saved.values(X))
        undefined = r2_undefined(y)
        r2 = (f"{m['r2']:.4f}" if undefined is None else
              f"n/a ({undefined}: R^2 compares the errors with the targets' spread, and "
              "there is none; read RMSE and MAE)")
        text = f"{m['n']} rows\nR^2   {r2}\nRMSE  {m['rmse']:.6g}\nMAE   {m['mae']:.6g}"
        return {"task": self.name, **m}, text

    def prediction_table(self, saved: Any, X: np.ndarray, proba: bool, source: str
                         ) -> tuple[list[str], list[list[str]]]:
        """``["prediction"]`` (``prediction_0``, ... for K outputs): the values in the
        targets' units, 10 significant digits."""
        if proba:
            raise InputError("`proba` gives class probabilities; a regression model "
                             "predicts values: leave out `proba`.", param="proba")
        with np.errstate(all="ignore"):
            values = saved.values(X)
        bad = ~np.isfinite(values).all(axis=1)
        if bad.any():
            raise InputError(
                f"the model's outputs overflow for {int(bad.sum())} of {len(bad)} rows of "
                f"{source} (first: row {int(np.argmax(bad)) + 1}); check the data (its scale "
                "and columns) or train the model again.")
        k = values.shape[1]
        header = ["prediction"] if k == 1 else [f"prediction_{j}" for j in range(k)]
        return header, [[f"{v:.10g}" for v in row] for row in values]

    def classes(self, ds: Dataset) -> np.ndarray:
        return np.empty(0, np.float64)

    def metadata(self, splits: Any, options: Any) -> dict[str, Any]:
        name = getattr(splits.recipe, "label_name", None)
        return {"image_shape": None, "class_names": [],
                "target_names": [str(name) if name else str(options.label_column)],
                "target_scaler": splits.targets.state()}

    def write_report(self, out_dir: Path, *, history: Any, metrics: Mapping[str, Any],
                     model: Network, splits: Any, title: str, details: Mapping[str, Any],
                     configuration: Mapping[str, Any], evaluation: Any,
                     sizes: Mapping[str, int]) -> Path:
        from ..report.page import write_regression_report  # the report: imported on use

        part = "test" if splits.X_test.shape[0] else "val"
        X, y = (splits.X_test, splits.y_test) if part == "test" else (splits.X_val,
                                                                       splits.y_val)
        predicted = splits.targets.inverse(model.forward(X)) if X.shape[0] else y
        return write_regression_report(out_dir, history, metrics, y, predicted, split=part,
                                       title=title, details=details, split_sizes=sizes,
                                       configuration=configuration)
