"""A regression run, as ``numpynn train --task regression`` does it (and ``--task auto``
when the label column looks continuous).

data spec -> Dataset with float targets -> random (not stratified) split ->
preprocessing and target scaler fitted on train -> Network (hidden blocks, one linear
output, squared error) -> Trainer (epochs ranked by validation R^2, i.e. by validation
loss for one target) -> R^2 / RMSE / MAE per split in the targets' units -> model.npz
(the target scaler in its metadata, ``classes`` empty), history.json, report.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .data import Dataset, Preprocessor, TableRecipe, load_dataset
from .data.table import class_like_column, column_label, named_like_a_label
from .errors import DataError, InputError
from .experiment import SplitArrays, encode_splits, split_sizes, split_sizes_text
from .io import SavedModel, save_model, write_json_atomic
from .layers import build_layer
from .models import Network, hidden_block
from .regression import TargetScaler, regression_metrics
from .runfiles import StagedOutputs
from .train import Callback, History, Trainer

TASKS = ("auto", "classification", "regression")

#: what a regression run uses for the options the user left at their defaults
#: (``RunOptions.task_defaults``); chosen with benchmarks/regression.py (see
#: benchmarks/RESULTS.md): larger batches and a larger step than classification's
#: defaults, up to 200 epochs, stopped after 15 without a better validation R^2.
REGRESSION_DEFAULTS: dict[str, Any] = {"hidden": [100], "epochs": 200, "batch_size": 128,
                                       "lr": 1e-2, "patience": 15, "weight_scale": "auto"}
#: the REGRESSION_DEFAULTS that are RunOptions fields (the others are TrainConfig's)
RUN_FIELDS = ("hidden", "weight_scale")


def with_regression_defaults(options: Any) -> Any:
    """A copy of ``options`` whose fields in ``options.task_defaults`` hold
    :data:`REGRESSION_DEFAULTS`, and a validation share (``val_fraction=None``, "by
    table size", becomes 0.1: a regression always chooses its epoch on validation)."""
    from .experiment import AUTO_VAL_FRACTION

    unset = set(getattr(options, "task_defaults", ()))
    train = replace(options.train, **{k: v for k, v in REGRESSION_DEFAULTS.items()
                                      if k in unset and k not in RUN_FIELDS})
    run = {k: (list(v) if isinstance(v, list) else v)
           for k, v in REGRESSION_DEFAULTS.items() if k in RUN_FIELDS and k in unset}
    val = AUTO_VAL_FRACTION if options.val_fraction is None else options.val_fraction
    return replace(options, **run, train=train, task_defaults=[], val_fraction=val)

#: the regression model's key in a model file's metadata
SCALER_KEY = "target_scaler"


def is_regression_model(saved: SavedModel) -> bool:
    """Whether a saved model predicts values (a squared-error network)."""
    return getattr(saved.model.loss_fn, "task", "") == "regression"


def target_scaler(saved: SavedModel) -> TargetScaler | None:
    """The saved regression model's target scaler (None when it was trained unscaled)."""
    state = saved.metadata.get(SCALER_KEY)
    return None if state is None else TargetScaler.from_state(state, saved.model.num_outputs)


def predict_values(saved: SavedModel, X_raw: np.ndarray) -> np.ndarray:
    """Predictions (N, K) in the targets' units of raw rows X_raw (N, F): the model's
    recipe, preprocessing and inverse target scaling are applied."""
    X = saved.transform(X_raw)
    out = saved.model.forward(np.ascontiguousarray(X, dtype=saved.model.dtype))
    scaler = target_scaler(saved)
    return np.asarray(out, np.float64) if scaler is None else scaler.inverse_transform(out)


def load_task(options: Any) -> tuple[Dataset, str, str | None]:
    """Load ``options.data`` for ``options.task``: (dataset, "classification" or
    "regression", a note to print when auto chose regression).

    ``task="auto"`` with the label in the default place (the last column, ``label_column``
    -1) refuses a continuous-looking label when another column looks like class labels
    (:func:`numpynn.data.table.class_like_column`): the user most likely forgot
    ``label_column``, and a regression on the wrong column would be silently wrong.
    """
    task = getattr(options, "task", "classification")
    if task not in TASKS:
        raise InputError(f"`task` must be one of {', '.join(TASKS)}; got {task!r}.",
                         param="task")
    extra = options.csv_options()
    from .data import is_csv_spec

    if is_csv_spec(options.data):
        extra["task"] = task
    elif task == "regression":
        raise InputError(f"`task='regression'` needs a CSV file with a numeric target "
                         f"column; {options.data} is a classification data set.")
    ds = load_dataset(options.data, label_column=options.label_column, **extra)
    if ds.y is None:
        raise DataError(f"{options.data} has no labels; training needs a label column.")
    if ds.y.dtype.kind != "f":
        return ds, "classification", _default_label_note(ds, options)
    note = None
    if task == "auto":
        _refuse_forgotten_label_column(ds, options)
        distinct = len(np.unique(ds.y))
        name = ds.table.label_name if ds.table is not None else None
        column = f"the label column {name!r}" if name else "the label column"
        note = (f"note: {column} looks continuous ({distinct} distinct values in "
                f"{ds.y.shape[0]} rows), so numpynn trains a regression (squared error; "
                "R^2, RMSE, MAE). Give `task='classification'` to treat it as classes.")
    return ds, "regression", note


def _default_label_note(ds: Dataset, options: Any) -> str | None:
    """For classes taken from the default (last) column of a CSV with a header: a note
    naming it; a DataError when another column is named like a label (``target``,
    ``class``, ...) and the last one is not, as the user most likely forgot
    ``label_column``."""
    table = ds.table
    if (table is None or table.label is None or options.label_column != -1
            or table.columns is None):
        return None
    label = column_label(table.columns, table.label)
    j = class_like_column(table, ds.X, by_name_only=True)
    if j is not None and not named_like_a_label(table.label_name):
        name = table.columns[table.features[j]]
        raise DataError(
            f"{ds.name}: the label column is {label}, the last one (no `label_column` was "
            f"given), while {table.feature_label(j)} is named like the label; give "
            f"`label_column={name!r}` to classify by it, or `label_column="
            f"{table.label_name!r}` to keep the last column.")
    classes = ", ".join(map(str, ds.classes[:5])) + (", ..." if len(ds.classes) > 5 else "")
    return (f"note: {ds.name}: the label is the last column, {label} ({len(ds.classes)} "
            f"classes: {classes}); `label_column` names another.")


def _refuse_forgotten_label_column(ds: Dataset, options: Any) -> None:
    """DataError when the default (last) label column looks continuous while another
    column looks like the classes (see :func:`load_task`)."""
    table = ds.table
    if table is None or table.label is None or options.label_column != -1:
        return
    j = class_like_column(table, ds.X)
    if j is None:
        return
    label = column_label(table.columns, table.label)
    other = table.feature_label(j)
    column = ds.X[:, j]
    if j in table.categorical:
        values = [table.categorical[j][int(c)] for c in np.unique(column[column >= 0])]
    else:
        values = [f"{v:g}" for v in np.unique(column[np.isfinite(column)])]
    shown = ", ".join(map(str, values[:4])) + (", ..." if len(values) > 4 else "")
    name = table.columns[table.features[j]] if table.columns else table.features[j]
    target = table.label_name or table.label
    raise DataError(
        f"{ds.name}: the label column {label}, the last one (no `label_column` was given), "
        f"looks continuous ({len(np.unique(ds.y))} distinct values in {ds.y.shape[0]} rows), "
        f"while {other} looks like class labels ({len(values)} values: {shown}). To classify "
        f"by it give `label_column={name!r}`; to predict {target!r} give "
        "`task='regression'`.")


@dataclass
class RegressionSplits(SplitArrays):
    """Preprocessed features and *unscaled* float targets (N, 1) of each split."""

    scaler: TargetScaler
    recipe: TableRecipe | None
    name: str


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


def split_regression(ds: Dataset, options: Any) -> tuple[np.ndarray, ...]:
    """The run's random split of raw ``ds`` (same seed, same split):
    (X_tr, y_tr, X_val, y_val, X_te, y_te), targets (n, 1) float64."""
    from .experiment import AUTO_VAL_FRACTION

    seed = options.train.seed if options.train.seed is not None else 0
    # a regression always holds out a validation share: its epoch is chosen on it
    val = AUTO_VAL_FRACTION if options.val_fraction is None else options.val_fraction
    tr, va, te = random_split(ds.X.shape[0], val, options.test_fraction, seed)
    y = ds.y.reshape(-1, 1).astype(np.float64)
    return ds.X[tr], y[tr], ds.X[va], y[va], ds.X[te], y[te]


def prepare_regression(ds: Dataset, options: Any, source: str) -> RegressionSplits:
    """Split, encode (CSV recipe fitted on train), preprocess, fit the target scaler."""
    X_tr, y_tr, X_val, y_val, X_te, y_te = split_regression(ds, options)
    recipe, (X_tr, X_val, X_te), split_notes = encode_splits(ds, source, (X_tr, X_val, X_te),
                                                             options)
    splits = splits_from_arrays(X_tr, y_tr, X_val, y_val, X_te, y_te, options, recipe, ds.name)
    splits.notes = split_notes
    return splits


def splits_from_arrays(X_tr: np.ndarray, y_tr: np.ndarray, X_val: np.ndarray,
                       y_val: np.ndarray, X_te: np.ndarray, y_te: np.ndarray, options: Any,
                       recipe: TableRecipe | None = None, name: str = "") -> RegressionSplits:
    """Numeric features (n, D) and targets (n,) or (n, K) of each split -> preprocessing
    (``options.preprocessing``) and target scaler fitted on the training part."""
    dtype = np.dtype(options.dtype)
    prep = Preprocessor(options.preprocessing).fit(X_tr.astype(dtype))
    X_tr, X_val, X_te = (prep.transform(X.astype(dtype)) for X in (X_tr, X_val, X_te))
    k = int(np.prod(np.shape(y_tr)[1:], dtype=np.int64))  # targets per row (1 for (n,))
    # an empty split (--test-fraction 0, --val-fraction 0) keeps the K columns: (0, K)
    y_tr, y_val, y_te = (np.asarray(y, np.float64).reshape(len(y), k)
                         for y in (y_tr, y_val, y_te))
    return RegressionSplits(X_tr, y_tr, X_val, y_val, X_te, y_te, prep,
                            TargetScaler().fit(y_tr), recipe, name)


def build_regression_model(options: Any, n_features: int, n_outputs: int,
                           seed: int | None) -> Network:
    """``{affine - [norm] - activation - [dropout]} x len(hidden) - affine`` with the
    squared-error loss, as ``options`` describe it."""
    layers = []
    for h in options.hidden:
        layers += hidden_block(h, options.activation, options.dropout, options.normalization)
    layers.append(build_layer("affine", units=n_outputs))
    return Network(n_features, layers, loss="squared_error", reg=options.reg,
                   weight_scale=options.weight_scale, dtype=options.dtype, seed=seed)


def train_regression(splits: RegressionSplits, options: Any,
                     callbacks: Iterable[Callback] = (),
                     checkpoint: Path | None = None,
                     checkpoint_extra: Mapping[str, Any] | None = None,
                     resume: bool = False) -> tuple[Network, History]:
    """Train on the scaled targets; returns the model (best validation epoch) and history."""
    s = splits
    model = build_regression_model(options, s.X_train.shape[1], s.y_train.shape[1],
                                   options.train.seed)
    has_val = s.X_val.shape[0] > 0
    trainer = Trainer(model, s.X_train, s.scaler.transform(s.y_train),
                      s.X_val if has_val else None,
                      s.scaler.transform(s.y_val) if has_val else None,
                      config=replace(options.train), callbacks=callbacks,
                      checkpoint=checkpoint, checkpoint_extra=checkpoint_extra)
    if resume and checkpoint is not None:
        trainer.resume(checkpoint)
    with np.errstate(over="ignore", invalid="ignore"):
        history = trainer.train()
    return model, history


def split_metrics(model: Network, splits: RegressionSplits) -> dict[str, dict[str, float]]:
    """R^2, RMSE, MAE (targets' units) and the mean loss (scaled units) of every split."""
    metrics = {}
    for name, X, y in (("train", splits.X_train, splits.y_train),
                       ("val", splits.X_val, splits.y_val),
                       ("test", splits.X_test, splits.y_test)):
        if X.shape[0]:
            scores = model.forward(X)
            m = regression_metrics(y, splits.scaler.inverse_transform(scores))
            m["loss"] = model.loss_fn(scores.astype(np.float64), splits.scaler.transform(y))[0]
            metrics[name] = m
    return metrics


def run_regression(options: Any, out: Path, ds: Dataset, source: str,
                   callbacks: Iterable[Callback] = (), resume: bool = False,
                   report: bool = True, checkpoint_name: str = "checkpoint.npz",
                   model_name: str = "model.npz", history_name: str = "history.json",
                   notes: list[str] | None = None
                   ) -> tuple[SavedModel, History, dict[str, dict[str, float]], float,
                              dict[str, Path]]:
    """Train a regression on ``ds`` as ``numpynn train`` does and write its files.

    The trainer's ``checkpoint_extra`` carries the options, the data fingerprint, the split
    sizes and ``notes`` (e.g. why the task was chosen), for callbacks that print a header;
    the split's own notes are appended to the ``notes`` list given."""
    from .experiment import check_same_data, fingerprint

    options = with_regression_defaults(options)
    started = time.perf_counter()
    splits = prepare_regression(ds, options, source)
    notes = notes if notes is not None else []
    notes.extend(splits.notes)
    data_key = fingerprint(splits.X_train, splits.y_train)
    checkpoint = out / checkpoint_name
    if resume:
        check_same_data(checkpoint, data_key, options.data, out)
    model, history = train_regression(
        splits, options, callbacks, checkpoint,
        {"options": options.to_dict(), "fingerprint": data_key,
         "split_sizes": split_sizes(splits), "notes": list(notes), "report": report},
        resume)
    seconds = time.perf_counter() - started
    saved, metrics, paths = save_regression_run(
        out, options, splits, model, history, seconds, report=report,
        extra_metadata={"target_names": [_target_name(ds, options)]},
        model_name=model_name, history_name=history_name)
    return saved, history, metrics, seconds, paths


def save_regression_run(out: Path, options: Any, splits: RegressionSplits, model: Network,
                        history: History, seconds: float, report: bool = True,
                        title: str | None = None,
                        extra_metadata: Mapping[str, Any] | None = None,
                        model_name: str = "model.npz", history_name: str = "history.json"
                        ) -> tuple[SavedModel, dict[str, dict[str, float]], dict[str, Path]]:
    """Metrics of every split, then model.npz (target scaler in the metadata),
    history.json and the report."""
    metrics = split_metrics(model, splits)
    metadata = {
        "data": options.data, "task": "regression", "options": options.to_dict(),
        **(extra_metadata or {}),
        "metrics": metrics, "image_shape": None, "class_names": [],
        SCALER_KEY: splits.scaler.state(),
        "epochs_run": len(history.epochs), "best_epoch": history.best_epoch,
        "stop_reason": history.stop_reason, "train_seconds": seconds,
    }
    saved = SavedModel(model, np.empty(0, np.float64),
                       {"kind": splits.preprocessor.kind, "state": splits.preprocessor.state()},
                       metadata, recipe=splits.recipe)
    # staged, as numpynn.experiment.save_run: the files reach ``out`` together, on success
    with StagedOutputs(out) as staged:
        save_model(staged.path(model_name), saved)
        write_json_atomic(staged.path(history_name), history.to_dict())
        if report:
            from .regression_report import write_regression_report

            test = "test" if splits.X_test.shape[0] else "val"
            X_eval = splits.X_test if test == "test" else splits.X_val
            y_eval = splits.y_test if test == "test" else splits.y_val
            details = {"data": options.data, "task": "regression", "architecture": repr(model),
                       "optimizer": f"{options.train.optimizer} lr={options.train.lr:.4g}",
                       "reg": f"{options.reg:.4g}", "batch size": options.train.batch_size,
                       "split sizes": split_sizes_text(split_sizes(splits)),
                       "epochs run": len(history.epochs),
                       "kept epoch": f"{history.best_epoch} ({history.best_rule or 'last epoch'})",
                       "seed": options.train.seed,
                       "stop reason": history.stop_reason, "time (s)": f"{seconds:.1f}"}
            write_regression_report(
                staged.dir, history, metrics, y_eval,
                splits.scaler.inverse_transform(model.forward(X_eval)) if X_eval.shape[0]
                else y_eval, split=test,
                title=title or f"numpynn regression report: {options.data}", details=details)
        committed = staged.commit()
    paths = {"model": committed[model_name], "history": committed[history_name]}
    if report:
        paths["report"] = committed["report.html"]
    return saved, metrics, paths


def _target_name(ds: Dataset, options: Any) -> str:
    table = ds.table
    names = getattr(table, "label_name", None) if table is not None else None
    return str(names) if names else str(options.label_column)


def format_regression_metrics(metrics: Mapping[str, Mapping[str, float]],
                              seconds: float | None = None) -> str:
    """The final table of a regression run: one row per split with R^2, RMSE, MAE."""
    lines = [f"{'split':<6} {'rows':>7} {'R^2':>8} {'RMSE':>11} {'MAE':>11}"]
    for name, m in metrics.items():
        lines.append(f"{name:<6} {m['n']:>7} {m['r2']:>8.4f} {m['rmse']:>11.5g} "
                     f"{m['mae']:>11.5g}")
    if seconds is not None:
        lines.append(f"time {seconds:.1f} s")
    return "\n".join(lines)


def regression_evaluation_data(saved: SavedModel, spec: str, split: str = "auto"
                               ) -> tuple[np.ndarray, np.ndarray, str]:
    """Raw X (N, F), targets (N, 1) and the split's name to evaluate a regression model on
    (as :func:`numpynn.experiment.evaluation_data`: "auto" is the training run's test split
    on its own data, else every row; "train"/"val"/"test" re-create the run's split)."""
    from .data import is_csv_spec
    from .experiment import RunOptions

    options = saved.metadata.get("options")
    same = options is not None and spec == options.get("data")
    if split == "auto":
        split = "test" if same else "all"
    if split not in ("all", "train", "val", "test"):
        raise InputError(f"--split must be auto, all, train, val or test; got {split!r}.")
    if split != "all" and not same:
        raise InputError(f"--split {split} re-creates the training split, which needs the "
                         f"training data ({options.get('data') if options else 'unknown'}); "
                         f"got {spec}. Use --split all for other data.")
    if not is_csv_spec(spec):
        raise InputError(f"a regression model is evaluated on a CSV file with its target "
                         f"column; got {spec}.")
    if saved.recipe is not None and saved.recipe.source == "csv":
        ds = load_dataset(spec, label_column=0, recipe=saved.recipe, task="regression")
    else:
        label = options.get("label_column", -1) if options else -1
        ds = load_dataset(spec, label_column=label, task="regression")
    if ds.y is None:
        raise DataError(f"{spec} has no target column; evaluate needs the true values.")
    if split == "all":
        return ds.X, ds.y.reshape(-1, 1), "all"
    try:
        run = RunOptions.from_dict(options)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        from .errors import ModelFileError

        raise ModelFileError(f"the model's recorded training options are damaged ({exc}); "
                             "use --split all.") from None
    parts = split_regression(ds, run)
    i = {"train": 0, "val": 2, "test": 4}[split]
    return parts[i], parts[i + 1], split
