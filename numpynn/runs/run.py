"""A whole training run, as ``numpynn train`` does it, callable from Python, one for
every task (:mod:`numpynn.tasks`):

data spec -> Dataset and its task -> the task's split -> preprocessing and target
transform fitted on train -> the task's network -> Trainer (checkpoints, see
numpynn.Trainer) -> the task's metrics -> model.npz, history.json, the task's report.

A run, a refit, a search trial and the retrain of a search's best fit a network the same
way (:func:`make_trainer`); evaluation re-creates a run's split by its task.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..data import (
    Dataset,
    Preprocessor,
    TableRecipe,
    is_csv_spec,
    is_npz_spec,
    load_dataset,
)
from ..data._files import require_file
from ..data.cells import preview
from ..data.image_folder import IMAGE_READER, is_image, load_image_files
from ..data.labels import UnknownLabelsError, as_classes, folded_label
from ..data.preprocessing import TARGET_TRANSFORMS, refit_far_columns
from ..data.spec import DataSpec
from ..data.split import AUTO_VAL_FRACTION
from ..ensemble import Ensemble
from ..errors import DataError, InputError, ModelFileError, in_memory_hint, shown
from ..evaluation import Evaluation
from ..memory import check_training_fits
from ..model_file import SavedModel, load_model, save_model, write_json_atomic
from ..models import (
    MLP,
    Network,
    check_activation,
    check_dropout,
    check_dtype,
    check_normalization,
)
from ..outputs import DirectoryLock, input_paths, output_directory, remove_stale_temp_files
from ..tasks import Classification, Identity, Targets, Task, check_task_choice, load_for_task
from ..training.augment import Shift, check_augment, check_image_shape, make_augmentation
from ..training.packed import MemberRows, train_packed
from ..training.scores import BALANCED_ACCURACY, PERCENT_SCORES, score_label
from ..training.trainer import Callback, History, TrainConfig, Trainer, read_checkpoint
from ..validation import (
    KEYWORD_HOMES,
    NONNEGATIVE_NUMBER,
    POSITIVE_INT,
    check_bool,
    check_hidden_dims,
    check_keywords,
)
from .ensembles import (
    check_ensemble,
    fit_ensemble,
    member_eval_samples,
    member_table,
    spread_text,
)
from .files import (
    CHECKPOINT_FILE,
    HISTORY_FILE,
    MODEL_FILE,
    SEARCH_SETTINGS_FILE,
    StagedOutputs,
    prepare_run_dir,
    remove_if_empty,
)
from .folds import (
    FOLD_EVAL_SAMPLES,
    Part,
    auto_folds,
    choice_text,
    choose_by_folds,
    comparable,
    settings,
    train_settings,
)

__all__ = ["CHECKPOINT_FILE", "HISTORY_FILE", "MODEL_FILE"]  # re-exported from runfiles


def default_train_config() -> TrainConfig:
    """The defaults of ``numpynn train`` (measured: benchmarks/defaults.py): Adam, lr
    1e-3, batch 32, up to 200 epochs; with a validation split, stop after 20 epochs
    without a better one and keep the best epoch: by the validation score (what the run
    is judged by: accuracy, or R^2; the lower loss breaking ties) on 1,000 validation
    rows or more, by the validation loss on fewer
    (:func:`numpynn.training.trainer.resolve_select`)."""
    return TrainConfig(epochs=200, batch_size=32, optimizer="adam", lr=1e-3, patience=20,
                       select="auto", seed=0)

#: ``final_fit``: the saved model fitted on every row after the estimate, or not
FINAL_FIT_CHOICES = ("auto", "all", "none")
#: the validation share of a run whose saved model is fitted on every row afterwards,
#: where none was given: its rows are not lost to the final model, so a table of any
#: size gets one to choose the epoch count by (measured: benchmarks/tables.py)
FINAL_FIT_VAL_FRACTION = 0.2
#: ... on tables with at least this many rows outside the test part (fewer: no split,
#: every row trains for the full epoch count, as before)
FINAL_FIT_MIN_ROWS = 100

#: ``reg``: the L2 strength chosen on held-out rows among the task's candidates
REG_AUTO = "auto"

#: ``header``: whether a CSV's first row names the columns (auto: detected)
HEADER_CHOICES: dict[str, bool | None] = {"auto": None, "yes": True, "no": False}


@dataclass
class RunOptions:
    """Everything that defines a run besides the output directory.

    data: a data spec (see numpynn.data.load_dataset); hidden: hidden-layer sizes;
    preprocessing: a numpynn.data.Preprocessor kind; val_fraction/test_fraction: the
    stratified split (the test part is the data set's own when it has one);
    val_fraction None (the default) means :data:`AUTO_VAL_FRACTION` for data sets of at
    least :data:`AUTO_VAL_MIN_ROWS` training-and-validation rows, else 0: no validation
    split, every row trains and the last epoch is kept (see :func:`val_fraction_for`);
    weight_scale/reg/dtype/activation/dropout/normalization: the model
    (numpynn.models.MLP, built by :meth:`build_model`; weight_scale "glorot" by default,
    as scikit-learn's MLPClassifier initialises, measured better than He on small
    tables; regression runs use "auto"); train: the Trainer's config, where the fields
    a TrainConfig is not given take ``numpynn train``'s defaults
    (:func:`default_train_config`: ``TrainConfig(epochs=20)`` trains with Adam, batch 32).
    CSV files: label_column (name or index, negative from the end), ignore_columns
    (names or indices), delimiter (None: detected), impute ("median", the
    default: training medians of numbers, most frequent categories of text, with a note
    naming what was filled; "none": a missing cell is an error),
    handle_unknown ("ignore", the default: a category unseen in training becomes all
    zeros, with a note naming it where a file is read; "error": such a cell is an
    error); see numpynn.data.load_csv.
    task: "classification", "regression" (CSV: a numeric target column; see
    numpynn.tasks) or "auto" (regression when the label column looks continuous).
    refit (classification): once the validation split has chosen the epoch count (the
    kept epoch), train a fresh network (the same seed) on the training and validation
    rows together for that many epochs and keep it instead; the saved model and every
    reported metric then describe the refit network (see :func:`refit_on_train_and_val`).
    No effect without a validation split.
    final_fit: "all": after the held-out estimate (a network trained on the training
    split, its epoch chosen on the validation split, scored on the test split), the saved
    model is a fresh network trained on every row (train + validation + test) for the
    chosen epoch count; "none": the saved model is the one the figures describe; "auto"
    (default): "all" for the user's files (CSV, NPZ), "none" for named data sets (their
    test part is a benchmark's), with ``refit`` and for an ensemble. See
    :func:`fit_on_every_row`.
    ensemble (classification): K > 1 trains K networks from different seeds together
    (packed) and saves them as one :class:`~numpynn.ensemble.Ensemble` whose
    probabilities are their mean (:mod:`numpynn.runs.ensembles`); 1 is one network.
    reg: the L2 strength, a number >= 0, or "auto" (a regression's default): each of the
    task's :attr:`~numpynn.tasks.Task.reg_candidates` is trained and the one scoring best
    on held-out rows is kept (on the folds where the run cross-validates, else on the
    validation split); the saved model records the number chosen.
    augment: "none" (default) or "shift:S": each image of each training minibatch moved by
    a random (dy, dx) in -S..S pixels, the background filled in
    (:mod:`numpynn.training.augment`); images only (the data set's ``image_shape``), never
    validation, test or prediction rows; the packed engine (ensembles, search packs)
    augments each network's batches as its Trainer would.
    """

    data: str = "digits"
    hidden: list[int] = field(default_factory=lambda: [100])
    preprocessing: str = "standardize"
    val_fraction: float | None = None
    test_fraction: float = 0.2
    label_column: int | str | None = -1
    ignore_columns: list[int | str] = field(default_factory=list)
    delimiter: str | None = None
    impute: str = "median"
    handle_unknown: str = "ignore"
    weight_scale: float | str = "glorot"
    reg: float | str = 1e-4
    dtype: str = "float32"
    activation: str = "relu"
    dropout: float = 0.0
    augment: str = "none"
    normalization: str | None = None
    class_weight: str | None = None
    refit: bool = False
    drop_unlabelled: bool = False
    header: str = "auto"
    target_transform: str = "auto"
    final_fit: str = "auto"
    cv_folds: int | None = None
    ensemble: int = 1
    task: str = "auto"
    train: TrainConfig = field(default_factory=default_train_config)
    #: options left at their (classification) defaults, which a regression run replaces
    #: by its task's defaults (numpynn.tasks.Task.defaults); the CLI lists those not typed
    task_defaults: list[str] = field(
        default_factory=lambda: ["hidden", "epochs", "batch_size", "lr", "patience",
                                 "weight_scale", "reg", "preprocessing", "dropout",
                                 "schedule", "augment", "select"])

    def __new__(cls, *args: Any, **kwargs: Any):
        check_keywords(cls, kwargs)  # RunOptions(lr=...) -> where lr lives, not a bare TypeError
        return super().__new__(cls)

    def __post_init__(self) -> None:
        if isinstance(self.data, os.PathLike):  # Path("wine.csv"): the spec is its text
            self.data = os.fspath(self.data)
        if not isinstance(self.data, str):
            raise InputError(f"`data` must be a data spec (a str or pathlib.Path such as "
                             f"'wine.csv', 'digits' or 'mnist:DIR'); got "
                             f"{type(self.data).__name__} {shown(self.data)}."
                             f"{in_memory_hint(self.data)}", param="data")
        if not isinstance(self.train, TrainConfig):
            raise InputError(f"`train` must be a TrainConfig (numpynn.training.trainer."
                             f"TrainConfig(epochs=..., lr=...)); got "
                             f"{type(self.train).__name__} {shown(self.train)}.", param="train")
        # TrainConfig(epochs=20) here means numpynn train's other defaults (Adam, batch 32,
        # patience 20), not TrainConfig's own (the Trainer's: plain SGD, batch 200)
        self.train = self.train.completed(default_train_config())
        self.dtype = check_dtype(self.dtype).name  # np.float64 or 'f8' -> 'float64'
        self.hidden = check_hidden_dims(self.hidden, "hidden")
        self.reg = check_reg(self.reg)
        Preprocessor(self.preprocessing)  # validates the kind
        self.activation = check_activation(self.activation)
        self.dropout = check_dropout(self.dropout)
        self.augment = check_augment(self.augment)
        self.normalization = check_normalization(self.normalization)
        if self.class_weight not in (None, "balanced"):
            raise InputError(f"class_weight must be None or 'balanced'; got "
                             f"{self.class_weight!r}.")
        check_bool(self.refit, "refit")
        check_bool(self.drop_unlabelled, "drop_unlabelled")
        if self.cv_folds is not None:
            self.cv_folds = POSITIVE_INT.check(self.cv_folds, "cv_folds")
        if self.final_fit not in FINAL_FIT_CHOICES:
            raise InputError(f"final_fit must be one of {list(FINAL_FIT_CHOICES)}; got "
                             f"{self.final_fit!r}.", param="final_fit")
        if self.refit and self.final_fit == "all":
            raise InputError("`refit` trains again on the training and validation rows and "
                             "`final_fit='all'` on every row: give one of them.",
                             param="final_fit")
        if self.target_transform not in TARGET_TRANSFORMS:
            raise InputError(f"target_transform must be one of {list(TARGET_TRANSFORMS)}; "
                             f"got {self.target_transform!r}.", param="target_transform")
        if self.header not in HEADER_CHOICES:
            raise InputError(f"header must be one of {list(HEADER_CHOICES)} (whether the "
                             f"CSV's first row names the columns); got {self.header!r}.",
                             param="header")
        self.ensemble = POSITIVE_INT.check(self.ensemble, "ensemble")
        self.task = check_task_choice(self.task)
        TableRecipe(impute=self.impute, handle_unknown=self.handle_unknown)  # validates
        if isinstance(self.ignore_columns, (str, int)):
            self.ignore_columns = [self.ignore_columns]
        self.ignore_columns = list(self.ignore_columns)

    def sample_weight(self, y_train: np.ndarray) -> np.ndarray | None:
        """Per-row training weights for ``class_weight`` (None: unweighted): "balanced"
        gives class c the weight n / (n_classes * count_c), as scikit-learn."""
        if self.class_weight is None:
            return None
        counts = np.bincount(y_train)
        present = counts > 0
        weights = np.zeros(counts.shape[0])
        weights[present] = y_train.shape[0] / (present.sum() * counts[present])
        return weights[y_train]

    def build_model(self, n_features: int, n_classes: int, seed: int | None) -> MLP:
        """The network these options describe, initialised from ``seed``."""
        return MLP(n_features, self.hidden, n_classes, weight_scale=self.weight_scale,
                   reg=self.reg, dtype=self.dtype, seed=seed, activation=self.activation,
                   dropout=self.dropout, normalization=self.normalization)

    def csv_options(self) -> dict[str, Any]:
        """The keyword arguments of numpynn.data.load_csv that these options set."""
        return {"ignore_columns": self.ignore_columns, "delimiter": self.delimiter,
                "allow_missing": self.impute != "none",
                "drop_unlabelled": self.drop_unlabelled,
                "header": HEADER_CHOICES[self.header]}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def fits_every_row(self) -> bool:
        """Whether the saved model is fitted on every row after the estimate (``final_fit``
        "all", or "auto" on a user's file without ``refit``)."""
        if self.final_fit != "auto":
            return self.final_fit == "all"
        return (not self.refit and self.ensemble == 1
                and DataSpec.parse(self.data).source in ("csv", "npz"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunOptions:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values.setdefault("final_fit", "none")  # runs of 0.2 saved their split's model
        values["train"] = TrainConfig.from_dict(data.get("train", {}))
        return cls(**values)


#: where an option given to the other class lives (numpynn.validation.check_keywords)
KEYWORD_HOMES["RunOptions"] = {
    f.name: f"it is an option of TrainConfig: RunOptions(train=TrainConfig({f.name}=...))"
    for f in fields(TrainConfig)}
KEYWORD_HOMES["TrainConfig"] = {
    f.name: f"it is an option of RunOptions: RunOptions({f.name}=..., train=TrainConfig(...))"
    for f in fields(RunOptions) if f.name != "train"}


@dataclass
class SplitArrays:
    """The preprocessed features (N, D) and the targets of the train, validation and test
    splits, the preprocessor fitted on the training split, and notes: what splitting and
    encoding decided on their own that the user should hear of."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    preprocessor: Preprocessor
    notes: list[str] = field(default_factory=list, kw_only=True)


@dataclass
class Splits(SplitArrays):
    """Preprocessed float features of each split, with the targets as the task keeps them
    (class indices (N,), or values (N, K) in the targets' units).

    ``dataset`` describes the source (classes, class names, image shape, feature count);
    its own arrays are emptied once split, so the rows are held only once, here.
    ``recipe``: how the data were read and encoded (categories and medians fitted on the
    training split); it is stored in the model file. ``task``: the run's task;
    ``targets``: its target transform fitted on the training targets (the network trains
    on ``targets.transform(y)``).
    """

    dataset: Dataset
    recipe: TableRecipe | None = None
    task: Task = field(default_factory=Classification)
    targets: Targets = field(default_factory=Identity)
    #: :func:`split_keys` of the raw split: recorded in the model, so that ``evaluate``
    #: knows a re-created split for the run's rows (empty: not known)
    keys: dict[str, str] = field(default_factory=dict, kw_only=True)


def split_keys(parts: Sequence[np.ndarray]) -> dict[str, str]:
    """Fingerprints of a raw split ``(X_tr, y_tr, X_val, y_val, X_te, y_te)`` (as
    :func:`split_dataset` returns it): ``labels``, of the targets of every part in order;
    ``rows``, of the features too, where they are numbers (a table's text columns read
    as objects are left to ``labels``). The same file gives the same keys; a file whose
    rows were reordered or edited since gives others (the same sizes notwithstanding)."""
    keys = {"labels": fingerprint(*(np.asarray(y) for y in parts[1::2]))}
    if all(np.asarray(X).dtype.kind in "biuf" for X in parts[0::2]):
        keys["rows"] = fingerprint(*(np.asarray(a) for a in parts))
    return keys


def check_reg(reg: object) -> float | str:
    """``reg``: a number >= 0 or "auto" (chosen on held-out rows; see :class:`RunOptions`)."""
    if reg == REG_AUTO:
        return REG_AUTO
    try:
        return float(NONNEGATIVE_NUMBER.check(reg, "reg"))
    except InputError:
        other = ("; no L2 is `reg=0`" if str(reg).strip().lower() in ("none", "off", "no",
                                                                       "false")
                 else "; numpynn's regularisation is L2 only: give its strength, e.g. 1e-4"
                 if str(reg).strip().lower() in ("l1", "l2", "l1_l2", "elasticnet",
                                                 "elastic_net")
                 else f"; a decimal comma? numpynn reads numbers with a point: "
                 f"{str(reg).strip().replace(',', '.')}"
                 if re.fullmatch(r"[+-]?\d+,\d+(?:[eE][+-]?\d+)?", str(reg).strip()) else "")
        raise InputError(f"`reg` must be a finite number >= 0 (e.g. 1e-4) or 'auto' (the L2 "
                         f"strength chosen on held-out rows); got {reg!r}{other}.",
                         param="reg") from None


def split_seed(options: RunOptions) -> int:
    """The seed of a run's split: its training seed, 0 when unset (so it can be re-created)."""
    return options.train.seed if options.train.seed is not None else 0


def split_dataset(ds: Dataset, options: RunOptions, task: Task | None = None
                  ) -> tuple[np.ndarray, ...]:
    """The run's split of raw ``ds`` by its task (default: classification, stratified):
    (X_tr, y_tr, X_val, y_val, X_te, y_te); the same seed gives the same split. The test
    part is the data set's own where it has one (MNIST's t10k, CIFAR-10's test batch, an
    .npz's x_test), for every task: its other rows give the training and validation."""
    task = task or Classification()
    if ds.X_test is None:
        return task.split(ds, options.val_fraction, options.test_fraction, split_seed(options))
    parts = task.split(replace(ds, X_test=None, y_test=None), options.val_fraction, 0.0,
                       split_seed(options))
    return (*parts[:4], ds.X_test, task.targets_array(ds.y_test))


def own_defaults(options: RunOptions, task: Task) -> RunOptions:
    """``options`` with the task's and the data set's own defaults (a regression's
    ``Task.defaults``; mnist's ``SOURCE_DEFAULTS``: pixels scaled, not standardised)
    where the user left an option at its (classification) default
    (``options.task_defaults`` lists those): what ``numpynn train`` and a search's trials
    train with."""
    train_fields = {f.name for f in fields(TrainConfig)}
    base = RunOptions(train=default_train_config())

    def value(o: RunOptions, name: str) -> Any:
        return getattr(o.train, name) if name in train_fields else getattr(o, name)

    # listed and still at the default: a value set in Python (RunOptions(hidden=[7])) is
    # the user's, even where task_defaults keeps listing it
    unset = {k for k in options.task_defaults if value(options, k) == value(base, k)}
    own = {**task.defaults, **DataSpec.parse(options.data).defaults}  # the data set's first
    chosen = {k: (list(v) if isinstance(v, list) else v) for k, v in own.items()
              if k in unset}
    train = replace(options.train, **{k: v for k, v in chosen.items() if k in train_fields})
    run = {k: v for k, v in chosen.items() if k not in train_fields}
    return replace(options, **run, train=train)


def apply_task_defaults(options: RunOptions, task: Task, n_rows: int | None = None
                        ) -> RunOptions:
    """``options`` for ``task``: the task's defaults where the user left an option at its
    (classification) default (``options.task_defaults`` lists those), a validation share
    for a task that always chooses its epoch on one or a run fitted on every row
    afterwards (of ``n_rows`` rows, when known), ``final_fit`` resolved, and the task
    recorded by name."""
    options = own_defaults(options, task)
    every_row = options.fits_every_row()
    val = options.val_fraction
    pool = None if n_rows is None else n_rows - math.ceil(options.test_fraction * n_rows)
    folds = options.cv_folds
    if folds is None:  # auto: small tables of a run fitted on every row afterwards (not
        # an ensemble: its packed members stop on a validation split, and folds chosen
        # here were refused as if the user had asked for them)
        folds = (auto_folds(pool) if every_row and val is None and pool is not None
                 and options.ensemble == 1 else 1)
    elif folds > 1 and val:
        raise InputError(f"`cv_folds={folds}` chooses the epoch count on folds of the "
                         f"training rows instead of a validation split; `val_fraction="
                         f"{val}` asks for one too: give one of them.", param="cv_folds")
    if folds > 1:
        val = 0.0  # the folds take the validation split's place
    elif val is None and every_row and (pool is None or pool >= FINAL_FIT_MIN_ROWS):
        val = FINAL_FIT_VAL_FRACTION
    elif val is None and task.always_validates:
        val = AUTO_VAL_FRACTION
    return replace(options, task=task.name, task_defaults=[], val_fraction=val,
                   final_fit="all" if every_row else "none", cv_folds=folds)


def prepare_splits(options: RunOptions, ds: Dataset | None = None,
                   task: Task | None = None) -> Splits:
    """Load ``options.data`` (unless ``ds`` is it, loaded; ``task`` then its task),
    split it by the task with the run's seed, encode it, fit preprocessing and the target
    transform on train."""
    if ds is None:
        ds, task, _ = load_for_task(options)
    if ds.y is None:
        raise DataError(f"{options.data} has no labels; training needs a label column.")
    task = task or Classification()
    try:
        task.check_data(ds, options.data)
        X_tr, y_tr, X_val, y_val, X_te, y_te = split_dataset(ds, options, task)
        keys = split_keys((X_tr, y_tr, X_val, y_val, X_te, y_te))
    except DataError as exc:  # the reading's warnings often say why (a class of one row)
        warnings = [note for note in ds.notes if note.startswith("warning: ")]
        if warnings:
            exc.args = (" ".join([str(exc), *warnings]),)
        raise
    recipe, (X_tr, X_val, X_te), split_notes = encode_splits(
        ds, source_kind(options.data), (X_tr, X_val, X_te), options)
    dtype = np.dtype(options.dtype)
    parts = [X for X in (X_tr, X_val, X_te) if X.size]
    peak = max(max(abs(float(X.max())), abs(float(X.min()))) for X in parts)  # no |X| copy
    largest = float(np.finfo(dtype).max)
    if peak > largest / 1e3:  # finite numbers that the cast (or the first layer) makes inf
        wider = ("rescale the features or use `dtype='float64'`" if dtype != np.float64
                 else "rescale the features (divide them by a power of ten)")
        raise DataError(
            f"{options.data} holds values up to {peak:.3g}, too large for {dtype.name} "
            f"computation (at most {largest:.3g}); {wider}.", param="dtype"
        )
    X_tr, X_val = X_tr.astype(dtype, copy=False), X_val.astype(dtype, copy=False)
    # numbers standardised, one-hot indicators left as 0/1
    prep = Preprocessor(options.preprocessing).fit(
        X_tr, keep=recipe.one_hot_columns() if recipe is not None else ())
    # The split made fresh copies of the rows, so they are transformed in place; the
    # data set's own arrays are released (Splits.dataset keeps its description only):
    # peak memory stays near twice the data set, not four times.
    owned_test = ds.X_test is None
    X_te = X_te.astype(dtype, copy=False)
    described = replace(ds, X=np.empty((0, X_tr.shape[1]), ds.X.dtype), y=ds.y[:0].copy(),
                        X_test=None, y_test=None, table=None)
    del ds
    targets = task.fit_targets(y_tr, options)
    return Splits(prep.transform(X_tr, copy=False), y_tr, prep.transform(X_val, copy=False),
                  y_val, prep.transform(X_te, copy=not owned_test), y_te, prep, described,
                  recipe, task, targets,
                  notes=split_notes + task.data_notes(y_tr, described, options), keys=keys)


def encode_splits(ds: Dataset, source: str, parts: tuple[np.ndarray, np.ndarray, np.ndarray],
                  options: Any) -> tuple[TableRecipe, list[np.ndarray], list[str]]:
    """The raw (train, val, test) features of ``ds`` as model inputs: a CSV's recipe
    (categories, medians) fitted on the training split and applied to all three
    (:meth:`TableRecipe.fit_splits`, with its notes); other sources pass through with
    an identity recipe of kind ``source``."""
    if ds.table is None:
        return TableRecipe(source=source, n_features=ds.n_features), list(parts), []
    X_tr, X_val, X_te = parts
    return ds.table.fit_splits(X_tr, [("validation split", X_val), ("test split", X_te)],
                               impute=options.impute, handle_unknown=options.handle_unknown)


def split_sizes(splits: SplitArrays) -> dict[str, int]:
    """Rows per split: {"train": n, "val": n, "test": n}."""
    return {"train": int(splits.y_train.shape[0]), "val": int(splits.y_val.shape[0]),
            "test": int(splits.y_test.shape[0])}


def split_sizes_text(sizes: Mapping[str, int]) -> str:
    """{"train": 1293, "val": 144, "test": 360} -> '1,293 train / 144 val / 360 test rows'."""
    return " / ".join(f"{n:,} {name}" for name, n in sizes.items()) + " rows"


def source_kind(spec: str) -> str:
    """The kind of data source a spec names: csv, npz, digits, mnist, fashion-mnist or
    cifar10 (:class:`numpynn.data.spec.DataSpec`)."""
    return DataSpec.parse(spec).source


def data_inputs(spec: str) -> list[str]:
    """The paths a data spec reads, which an output must never replace: the file of any
    file spec whatever its ending (.csv, .csv.gz, .tsv, .txt, UCI's .data, .npz, a text
    file named like a run file), the directory of ``cifar10:DIR``/``mnist:DIR``/
    ``fashion-mnist:DIR`` (every file in it); none for a built-in or cached name."""
    return input_paths(DataSpec.parse(spec).inputs())


def check_out_outside_images(out: str | os.PathLike[str], spec: str,
                             what: str = "`out`") -> None:
    """Refuse an output directory that is the image folder the data spec reads, or one
    of its folders of images (a class): the reader leaves a run's or a search's folder
    out of the data set (``--out imgs/run`` is fine), so there the whole data set, or
    that class, would be left out. Before, ``search --out imgs/dog`` wrote its tables,
    ``best/`` and search.png among the dog images and the next read of imgs had one
    class; ``train --out imgs`` failed with "imgs holds no image files". Checked before
    the directory is made."""
    parsed = DataSpec.parse(spec)
    if parsed.source != "images" or not parsed.path or not os.path.isdir(parsed.path):
        return
    folder = os.path.realpath(os.path.expanduser(parsed.path))
    target = os.path.realpath(os.path.expanduser(os.fspath(out)))
    if os.path.commonpath([folder, target]) != folder:
        return
    if target == folder:
        why = "is the image folder that this command reads"
    elif os.path.isdir(target) and any(is_image(p) for p in Path(target).iterdir()):
        why = f"holds images of the data set {parsed.path} that this command reads (a class)"
    else:
        return  # a folder of its own in the image folder: left out of the data as a run's
    example = Path(os.fspath(parsed.path)) / "run"
    raise InputError(f"{what} {os.fspath(out)} {why}: the files written there would mix "
                     "with the images, and the folder, read as a run's, would be left out of "
                     f"the data set. Give a folder of its own, e.g. {example} (left out of "
                     "the data), or one outside the image folder.", param="out")


def fingerprint(*arrays: np.ndarray) -> str:
    """SHA-1 of the arrays' dtypes, shapes and bytes: equal wherever the same data is read."""
    digest = hashlib.sha1()
    for a in arrays:
        digest.update(f"{a.dtype.str}{a.shape}".encode())
        digest.update(np.ascontiguousarray(a).data)
    return digest.hexdigest()


def check_same_data(checkpoint: Path, data_key: str, data: object, out: Path) -> None:
    """Refuse to resume from ``checkpoint`` (in run directory ``out``) when it was written
    for other data than ``data`` (whose :func:`fingerprint` is ``data_key``)."""
    header, _ = read_checkpoint(checkpoint)
    if header.get("extra", {}).get("fingerprint") != data_key:
        raise InputError(f"the data of {data} changed since the checkpoint in {out} "
                         "was written; resume with the same data or start a new run.")


@dataclass
class RunResult:
    """What a run produced: the saved model, its history, metrics per split, file paths."""

    saved: SavedModel
    history: History
    metrics: dict[str, dict[str, float]]
    test_evaluation: Evaluation | None
    seconds: float
    paths: dict[str, Path]
    task: str = "classification"
    notes: list[str] = field(default_factory=list)
    refit: dict[str, Any] | None = None
    #: a resumed run that had already finished: nothing was trained or written
    unchanged: bool = False
    #: lines to print loudly: held-out figures no better than a constant guess
    warnings: list[str] = field(default_factory=list)
    #: what the final fit on every row did (:func:`fit_on_every_row`), or None
    final_fit: dict[str, Any] | None = None
    #: what the run chose on held-out rows (the folds, :func:`try_other_settings`)
    choices: list[str] = field(default_factory=list)
    #: an ensemble's spread: one row per member, then the ensemble's
    #: (:func:`numpynn.runs.ensembles.member_table`); None for one network
    ensemble: list[dict[str, Any]] | None = None

    def spread_text(self) -> str | None:
        """One line on the ensemble's score and its members' range (None: one network)."""
        return spread_text(self.ensemble) if self.ensemble else None


def make_trainer(options: RunOptions, splits: Splits, *, seed: int | None = None,
                 callbacks: Iterable[Callback] = (), checkpoint: Path | None = None,
                 checkpoint_extra: Mapping[str, Any] | None = None) -> Trainer:
    """The one way a network is fitted for a run, a refit, a search trial and the retrain
    of a search's best: the task's network for ``options`` (initialised from ``seed``,
    default the run's), on the training targets as the task transforms them, validated
    on the validation split when there is one, weighted as the task and options ask."""
    seed = options.train.seed if seed is None else seed
    task, targets = splits.task, splits.targets
    model = task.build_model(options, splits.X_train.shape[1],
                             task.n_outputs(splits.dataset, splits.y_train), seed)
    has_val = splits.X_val.shape[0] > 0
    return Trainer(
        model, splits.X_train, targets.transform(splits.y_train),
        splits.X_val if has_val else None,
        targets.transform(splits.y_val) if has_val else None,
        config=replace(options.train, seed=seed), callbacks=callbacks, checkpoint=checkpoint,
        checkpoint_extra=checkpoint_extra,
        sample_weight=task.sample_weight(options, splits.y_train),
        scorer=task.run_scorer(targets, splits.y_train),
        augment=augmentation(options, splits))


def augmentation(options: RunOptions, splits: Splits) -> Shift | None:
    """The training batches' augmentation ``options.augment`` names for the run's images
    (None for "none"): the background of a shifted image is the value a raw 0 pixel
    takes after the run's preprocessing (0 for ``scale``; per pixel for ``standardize``)."""
    if options.augment == "none":
        return None
    zero = np.zeros((1, splits.X_train.shape[1]), splits.X_train.dtype)
    fill = splits.preprocessor.transform(zero)[0]
    return make_augmentation(options.augment, splits.dataset.image_shape, options.data, fill)


def packable(options: RunOptions, splits: Splits) -> bool:
    """Whether networks of these options train packed (one engine step for several,
    :func:`numpynn.training.packed.train_packed`) exactly as :func:`make_trainer` trains
    each: no per-row weights, no normalisation layer, an epoch score the packed engine
    computes (the loss's own or a balanced accuracy; an augmentation is applied by the
    packed engine as by the Trainer)."""
    task = splits.task
    return (epoch_score(splits) in PACKED_SCORES
            and task.sample_weight(options, splits.y_train) is None
            and options.normalization is None)


#: the epoch scores (:func:`epoch_score`) the packed engine computes (a regression's R^2
#: in its targets' units too: :func:`epoch_units`)
PACKED_SCORES = (None, BALANCED_ACCURACY, "r2")


def epoch_score(splits: Splits) -> str | None:
    """The name of the score the task ranks this run's epochs by (None: the loss's)."""
    scorer = splits.task.run_scorer(splits.targets, splits.y_train)
    return None if scorer is None else scorer.name


def epoch_units(splits: Splits) -> Any:
    """The map of outputs and targets (M, K) to the targets' own units that the run's
    epoch R^2 is computed in (the task scorer's ``units``; None: as trained)."""
    scorer = splits.task.run_scorer(splits.targets, splits.y_train)
    return getattr(scorer, "units", None)


def train_together(options: Sequence[RunOptions], splits: Splits, seed: int | None = None,
                   parts: Sequence[Part] | None = None) -> list[tuple[Network, History]]:
    """``make_trainer(o, splits, seed=seed).train()`` for each of ``options`` (networks of
    one architecture and batch size: only ``reg`` and the training configuration may
    differ), trained packed where :func:`packable` (each network ends as it would alone,
    to float rounding: the packed engine's contract), else one after another.

    parts: the network of ``options[i]`` trains on ``parts[i].splits`` instead, its share
    of ``splits``' training rows (a fold of cross-validation, :class:`Part`); networks
    with equally many training rows pack together (the packed engine groups them).
    """
    each = [splits] * len(options) if parts is None else [p.splits for p in parts]
    if len(options) == 1 or not all(packable(o, s) for o, s in zip(options, each)) or len(
            {o.augment for o in options}) > 1:
        return [_train_alone(o, s, seed) for o, s in zip(options, each)]
    return _train_packed(options, splits, seed, parts)


def _train_alone(options: RunOptions, splits: Splits, seed: int | None
                 ) -> tuple[Network, History]:
    trainer = make_trainer(options, splits, seed=seed)
    with np.errstate(over="ignore", invalid="ignore"):
        return trainer.model, trainer.train()


def _train_packed(options: Sequence[RunOptions], splits: Splits, seed: int | None,
                  parts: Sequence[Part] | None = None) -> list[tuple[Network, History]]:
    """:func:`train_together`'s packed networks, on ``splits`` or each on its part."""
    task, targets = splits.task, splits.targets
    n_out = task.n_outputs(splits.dataset, splits.y_train)
    seeds = [o.train.seed if seed is None else seed for o in options]
    models = [task.build_model(o, splits.X_train.shape[1], n_out, s)
              for o, s in zip(options, seeds)]
    y = targets.transform(splits.y_train)
    rows = None
    if parts is not None:  # each its rows, and its own targets where its transform differs
        own = [p.splits.targets.transform(splits.y_train) for p in parts]
        y = own[0]
        rows = [MemberRows(train=p.train, val=p.val, y=None if t is y else t)
                for p, t in zip(parts, own)]
    has_val = parts is None and splits.X_val.shape[0] > 0
    with np.errstate(over="ignore", invalid="ignore"):
        histories = train_packed(
            models, splits.X_train, y,
            [replace(o.train, seed=s) for o, s in zip(options, seeds)],
            splits.X_val if has_val else None,
            targets.transform(splits.y_val) if has_val else None,
            augment=augmentation(options[0], splits), rows=rows, score=epoch_score(splits),
            units=[epoch_units(s) for s in ([splits] * len(options) if parts is None
                                            else [p.splits for p in parts])])
    return list(zip(models, histories))


def run_training(
    options: RunOptions,
    out_dir: str | Path,
    callbacks: Iterable[Callback] = (),
    resume: bool = False,
    report: bool = True,
) -> RunResult:
    """Train as ``numpynn train`` does and write model.npz, history.json and the report,
    for every task (classification, regression, or ``auto``: chosen from the data).

    With ``resume=True`` the run continues from ``out_dir/checkpoint.npz``; it then ends
    with the same parameters and history as an uninterrupted run (``epochs`` and
    ``patience`` of ``options`` may extend it).
    """
    if not isinstance(options, RunOptions):
        raise InputError(f"`options` must be a RunOptions (numpynn.runs.run.RunOptions"
                         f"(data=..., ...)); got {type(options).__name__} {options!r:.60}.",
                         param="options")
    out = output_directory(out_dir)
    # the outputs are checked before the data is loaded: a bad --out fails at once
    check_out_outside_images(out, options.data)
    created = prepare_run_dir(out, inputs=data_inputs(options.data))
    lock = DirectoryLock(out, what="`out`")
    try:
        try:
            lock.acquire()  # a second process training into the same directory is refused
        except InputError:
            remove_if_empty(out, created)
            raise
        return _run_training(options, out, created, callbacks, resume, report)
    finally:
        lock.release()


def _run_training(options: RunOptions, out: Path, created: Path | None,
                  callbacks: Iterable[Callback], resume: bool, report: bool) -> RunResult:
    """The rest of :func:`run_training`, with ``out`` checked and held."""
    # which run a checkpoint and a model file belong to: a run that failed to save (a
    # full disk) after its checkpoint replaced an earlier run's leaves that run's model
    # beside it, which a resume must not take for its own
    run_id = secrets.token_hex(8)
    image_reader = IMAGE_READER  # how image files are read: a checkpoint's own on resume
    if resume:
        header = read_checkpoint(out / CHECKPOINT_FILE)[0]
        image_reader = int(header.get("extra", {}).get("image_reader") or 1)
        report = report and bool(header.get("extra", {}).get("report", True))
        done = finished_run(out, header, options.train.epochs)
        if done is not None:  # resuming a finished run changes nothing (no file written)
            return done
        run_id = str(header.get("extra", {}).get(RUN_ID_KEY) or run_id)
    try:
        remove_stale_temp_files(out)  # of killed processes; a live one's are kept
        started = time.perf_counter()
        loaded, task, note = load_for_task(options, image_reader=image_reader)
        reg_asked = options.reg == REG_AUTO  # asked for, not a task's default (yet)
        asked_to_validate = _validation_options_asked(options)
        options = apply_task_defaults(options, task, n_rows=loaded.X.shape[0])
        task.check_options(options)
        check_ensemble(options, task)
        check_image_shape(options.augment, loaded.image_shape, options.data)
        notes = ([note] if note else []) + list(loaded.notes)
        splits = prepare_splits(options, loaded, task)
        del loaded
        notes += splits.notes
        if (options.reg == REG_AUTO and splits.X_val.shape[0] < 2
                and (options.cv_folds or 1) <= 1):
            sizes = split_sizes_text(split_sizes(splits))
            if reg_asked:
                raise InputError(
                    f"`reg='auto'` chooses the L2 strength on held-out rows, and this run "
                    f"has none ({sizes}, no cross-validation folds): give a number (e.g. "
                    "1e-4), or a `val_fraction` (e.g. 0.2) to choose on.", param="reg")
            options = replace(options, reg=task.reg_candidates[0])
            notes.append(f"L2 strength: {options.reg:g}, not chosen: this run has no "
                         f"held-out rows to choose it on ({sizes}); `reg` sets another.")
        if options.refit and splits.X_val.shape[0] == 0:
            raise InputError(
                f"`refit` trains again on the training and validation rows for the epoch "
                f"count the validation split chose, but this run has no validation split "
                f"({split_sizes_text(split_sizes(splits))}; tables under 10,000 rows get "
                "none by default): give `val_fraction` (e.g. 0.1) or leave out `refit`.",
                param="refit")
        if (asked_to_validate and not resume and splits.X_val.shape[0] == 0
                and (options.cv_folds or 1) <= 1):
            one = len(asked_to_validate) == 1
            raise InputError(
                f"{' and '.join(asked_to_validate)} {'acts' if one else 'act'} on the "
                f"validation split, and this run has none "
                f"({split_sizes_text(split_sizes(splits))}; tables under 10,000 rows get "
                f"none by default), so {'it' if one else 'they'} would be ignored: give "
                f"`val_fraction` (e.g. 0.1), or leave {'it' if one else 'them'} out.",
                param="patience" if "`patience" in asked_to_validate[0] else "select")
        data_key = fingerprint(splits.X_train, splits.y_train)
        check_training_fits(splits.X_train.shape[1], options.hidden,
                            task.n_outputs(splits.dataset, splits.y_train),
                            options.train.batch_size, options.dtype,
                            rows=splits.X_train.shape[0], members=options.ensemble)
        extra = {"options": options.to_dict(), "fingerprint": data_key,
                 "data_dir": os.getcwd(), "split_sizes": split_sizes(splits),
                 "notes": notes, "report": report, "task": task.name, RUN_ID_KEY: run_id,
                 "image_reader": splits.dataset.image_reader}
        if options.ensemble > 1:
            if resume:
                raise InputError(f"the run in {out} trains an ensemble, which writes no "
                                 "checkpoint; it cannot be resumed: start it again.",
                                 param="resume")
            return _ensemble_run(options, splits, out, callbacks, extra, started, report,
                                 notes)
        folds = None
        trained_as = options
        if (options.cv_folds or 1) > 1 and splits.X_val.shape[0] == 0:
            folds = choose_by_folds(options, splits, options.cv_folds, train_together)
            if folds.targets is not None:
                splits = replace(splits, targets=folds.targets)
            options = replace(options, reg=folds.reg)  # "auto" chosen: the number from here
            trained_as = replace(options, train=replace(options.train, epochs=folds.epochs,
                                                        patience=None))
        elif options.reg == REG_AUTO:  # the first candidate; the others after it
            trained_as = replace(options, reg=task.reg_candidates[0])
        trainer = make_trainer(trained_as, splits, callbacks=callbacks,
                               checkpoint=out / CHECKPOINT_FILE, checkpoint_extra=extra)
    except BaseException:
        remove_if_empty(out, created)
        raise
    if resume:
        check_same_data(out / CHECKPOINT_FILE, data_key, options.data, out)
        trainer.resume(out / CHECKPOINT_FILE)
        _check_optimizer_state(trainer, out / CHECKPOINT_FILE)
        # the options that may change on resuming (numpynn train --resume DIR --epochs N)
        if trainer.config.epochs != trained_as.train.epochs or (
                trainer.config.patience != trained_as.train.patience):
            if trained_as.train.epochs < trainer.epoch:
                raise InputError(f"the run in {out} has already run {trainer.epoch} epochs; "
                                 f"`epochs={trained_as.train.epochs}` would end it in the past: "
                                 f"give at least {trainer.epoch}.")
            trainer.config = replace(trainer.config, epochs=trained_as.train.epochs,
                                     patience=trained_as.train.patience)
    start = None if resume else {k: v.copy() for k, v in trainer.model.params.items()}
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        history = trainer.train()
    still = still_text(start, trainer.model, history, trainer.config)
    if folds is not None:
        history.best_rule = f"the epoch count {options.cv_folds}-fold cross-validation chose"
    model = trainer.model
    options, model, history, splits, chosen = try_other_settings(options, splits, model,
                                                                 history)
    refit: dict[str, Any] | None = None
    final: Network | None = None
    final_pre: Preprocessor | None = None
    final_fit: dict[str, Any] | None = None
    if options.refit and splits.X_val.shape[0] > 0:
        model, splits, refit = refit_on_train_and_val(options, splits, history)
    elif options.fits_every_row() and (splits.X_val.shape[0] or splits.X_test.shape[0]):
        final, final_fit, final_pre = fit_on_every_row(options, splits, history)
    seconds = time.perf_counter() - started
    extra: dict[str, Any] = {RUN_ID_KEY: run_id, **({"refit": refit} if refit else {})}
    details = {"refit": refit_text(refit)} if refit else {}
    if final_fit:
        extra["final_fit"] = final_fit
        details["saved model"] = final_fit_text(final_fit)
    saved, metrics, test_eval, paths = save_run(
        out, options, splits, model, history, seconds, report=report,
        extra_metadata=extra, extra_details=details or None, saved_model=final,
        saved_preprocessor=final_pre,
    )
    choices = [c for c in (folds.text if folds is not None else None, chosen) if c]
    return RunResult(saved, history, metrics, test_eval, seconds, paths, task=task.name,
                     refit=refit, notes=notes,
                     warnings=[*still, *task.warnings(metrics, splits, options)],
                     final_fit=final_fit, choices=choices)


def _ensemble_run(options: RunOptions, splits: Splits, out: Path,
                  callbacks: Iterable[Callback], extra: Mapping[str, Any], started: float,
                  report: bool, notes: list[str]) -> RunResult:
    """The rest of :func:`run_training` for ``options.ensemble > 1``: the members trained
    packed (:func:`numpynn.runs.ensembles.fit_ensemble`), scored, saved as one model."""
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        ensemble, seeds = fit_ensemble(options, splits, callbacks, extra,
                                       augment=augmentation(options, splits))
    seconds = time.perf_counter() - started
    histories = ensemble.histories or []
    kept = ", ".join(str(h.best_epoch) for h in histories)
    rows = member_eval_samples(options.train.eval_samples, splits.X_train.shape[0],
                               ensemble.n_members)
    saved, metrics, test_eval, paths = save_run(
        out, options, splits, ensemble, histories[0], seconds, report=report,
        extra_details={"ensemble": f"{ensemble.n_members} members (seeds "
                                   f"{', '.join(map(str, seeds))}), probabilities "
                                   f"averaged; kept epochs {kept}; the curves are "
                                   "member 1's (its training figures on "
                                   f"{rows:,} rows)"},
        member_histories=histories, member_seeds=seeds)
    return RunResult(saved, histories[0], metrics, test_eval, seconds, paths,
                     task=splits.task.name, notes=notes,
                     ensemble=saved.metadata["ensemble"]["members"])


#: the key of a run's identity in its checkpoint's extra and its model's metadata
RUN_ID_KEY = "run_id"


def finished_run(out: Path, header: Mapping[str, Any], epochs: int) -> RunResult | None:
    """The run in ``out`` as it stands when its checkpoint (``header``) says it has
    nothing left to do for ``epochs`` (all run, or stopped early) and its model is there;
    else None. Nothing is read but the model file, nothing is written."""
    history = History.from_dict(header["history"])
    epoch = int(header.get("epoch", 0))
    if epochs < epoch:
        raise InputError(f"the run in {out} has already run {epoch} epochs; "
                         f"`epochs={epochs}` would end it in the past: give at least {epoch}.")
    if (epoch < epochs and not history.stop_reason) or not (out / MODEL_FILE).is_file():
        return None

    saved = load_model(out / MODEL_FILE)
    meta = saved.metadata
    run_id = header.get("extra", {}).get(RUN_ID_KEY)
    if run_id is not None and meta.get(RUN_ID_KEY) != run_id:
        return None  # an earlier run's model: this run's save failed; it is done now
    if not history.stop_reason:
        history.stop_reason = meta.get("stop_reason") or f"completed {epoch} epochs"
    if meta.get("best_epoch") is not None:
        history.best_epoch = int(meta["best_epoch"])
        history.best_rule = meta.get("best_rule") or history.best_rule
    return RunResult(saved, history, dict(meta.get("metrics") or {}), None,
                     float(meta.get("train_seconds") or 0.0), {},
                     task=str(meta.get("task") or "classification"),
                     refit=meta.get("refit"), unchanged=True,
                     final_fit=meta.get("final_fit"),
                     ensemble=meta["ensemble"].get("members")
                     if isinstance(meta.get("ensemble"), dict) else None)


def refit_on_train_and_val(
    options: RunOptions, splits: Splits, history: History
) -> tuple[Network, Splits, dict[str, Any]]:
    """Train a fresh network on the training and validation rows together for the
    epoch count that the validation split chose (``history.best_epoch``).

    The network has the run's seed and options; it trains without validation data (the
    last epoch is kept), without callbacks (no second progress display) and without a
    checkpoint: a resumed run repeats the refit, which is deterministic. The
    preprocessing and target transform stay those fitted on the training rows.
    Returns the network, the splits it trained on (train = train + val rows, no val)
    and what the refit did: {"epochs", "rows", "selected_on": {"train", "val"},
    "val_loss", "val_accuracy"} (the last two: the kept epoch of the selection run).
    """
    epochs = max(1, history.best_epoch)
    merged = replace(splits, X_train=np.concatenate([splits.X_train, splits.X_val]),
                     y_train=np.concatenate([splits.y_train, splits.y_val]),
                     X_val=splits.X_val[:0], y_val=splits.y_val[:0])
    trainer = make_trainer(replace(options, train=replace(options.train, epochs=epochs,
                                                          patience=None)), merged)
    with np.errstate(over="ignore", invalid="ignore"):
        trainer.train()
    i = history.epochs.index(history.best_epoch) if history.best_epoch in history.epochs else -1
    info = {"epochs": epochs, "rows": int(merged.y_train.shape[0]),
            "selected_on": {"train": int(splits.y_train.shape[0]),
                            "val": int(splits.y_val.shape[0])},
            "val_loss": float(history.val_loss[i]), "val_accuracy": float(history.val_score[i])}
    return trainer.model, merged, info


def try_other_settings(options: RunOptions, splits: Splits, model: Network, history: History
                       ) -> tuple[RunOptions, Network, History, Splits, str | None]:
    """Where the run has a validation split and more than one candidate setting
    (:func:`numpynn.runs.folds.settings`: a regression's log(1 + y) for a heavy right
    tail, :meth:`Task.alternative_targets`; each L2 strength of ``reg='auto'``), ``model``
    being the first candidate's: train a network for each other one
    (:func:`numpynn.runs.folds.train_settings`: the run's seed and options, packed where
    it can, no callbacks, no checkpoint: deterministic, so a resumed run repeats it) and
    keep the one with the best validation score in the targets' units (the first on a
    tie). Returns the options with the chosen ``reg`` (a number), the kept (network,
    history, splits with its transform) and a line saying what was chosen (None: no
    choice was made)."""
    task = splits.task
    candidates = settings(options, task, splits.y_train)
    if len(candidates) == 1 or splits.X_val.shape[0] < 2:
        return replace(options, reg=candidates[0].reg), model, history, splits, None
    trained = [(candidates[0], model, history, splits),
               *train_settings(candidates[1:], options, splits, train_together)]
    scores = [(c, task.metrics(m, part.X_val, part.y_val, part.targets)[task.score_key])
              for c, m, _, part in trained]
    best = max(range(len(trained)), key=lambda i: comparable(scores[i][1]))
    setting, model, history, splits = trained[best]
    return (replace(options, reg=setting.reg), model, history, splits,
            choice_text(setting, scores, task.score_label, "validation") + ".")


#: parameters that moved by less than this share of their size (Euclidean norms) over a
#: run's epochs: the learning rate is far too small for training to do anything
STILL = 1e-3


def still_text(start: Mapping[str, np.ndarray] | None, model: Network, history: History,
               config: TrainConfig) -> list[str]:
    """A warning where training left the network where it started (``start``: its
    parameters before; None: not known, e.g. a resumed run): a learning rate such as 1e-12
    trained for every epoch asked, with no error and a test score of the random network."""
    if start is None or not history.epochs or history.stop_reason.startswith("diverged"):
        return []
    before = np.sqrt(sum(float(np.sum(np.square(v, dtype=np.float64)))
                         for v in start.values()))
    moved = np.sqrt(sum(float(np.sum(np.square(model.params[k].astype(np.float64) - v)))
                        for k, v in start.items()))
    if not before > 0 or moved >= STILL * before:
        return []
    default = TrainConfig.__dataclass_fields__["lr"].default
    return [f"warning: training hardly moved the network: its parameters changed by "
            f"{moved / before:.2g} of their size in {len(history.epochs)} epoch"
            f"{'s' if len(history.epochs) > 1 else ''} at learning rate {config.lr:g}, so "
            "it predicts much as it was initialised (at random). "
            + (f"The learning rate is far too small: try the default, `lr={default:g}`."
               if config.lr < default else
               f"Give it more epochs (`epochs={max(10, 10 * config.epochs)}`) or a larger "
               f"learning rate (`lr={10 * config.lr:g}`).")]


def fit_on_every_row(options: RunOptions, splits: Splits, history: History
                     ) -> tuple[Network, dict[str, Any], Preprocessor]:
    """The saved model of a run with ``final_fit``: a fresh network (the run's seed and
    options) trained on the training, validation and test rows together for the epoch
    count the validation split chose (``history.best_epoch``; the last epoch is kept),
    after the held-out estimate was made with the network trained on the training split.

    The preprocessing and target transform stay those fitted on the training rows (what
    the estimate's network saw), but for a feature whose held-out rows lie far outside
    the training rows (:func:`numpynn.data.preprocessing.refit_far_columns`: constant in
    training, or a sentinel such as 999999 among the test rows), standardised again on
    every row: at 1e5 training units such a row made the fit diverge. No callbacks, no
    checkpoint: a resumed run repeats it, and it is deterministic. Returns the network,
    what it did: {"epochs", "rows", "estimate": {"train", "val", "test"} (the rows
    behind the reported figures), "kept_epoch_rule", and "restandardised" (the column
    indices refitted) where any was}, and the preprocessing the network's inputs need.
    """
    epochs = max(1, history.best_epoch)
    parts = [(splits.X_train, splits.y_train), (splits.X_val, splits.y_val),
             (splits.X_test, splits.y_test)]
    X = np.concatenate([p[0] for p in parts if p[0].shape[0]])
    y = np.concatenate([p[1] for p in parts if p[1].shape[0]])
    pre, X, far = refit_far_columns(splits.preprocessor, splits.X_train, X)
    every = replace(splits, X_train=X, y_train=y, X_val=X[:0], y_val=y[:0], preprocessor=pre,
                    X_test=X[:0], y_test=y[:0])
    train = replace(options.train, epochs=epochs, patience=None)
    if train.schedule.lower() != "plateau":  # else its training loss steers the rate
        # its figures per epoch are shown nowhere: a few rows score them
        train = replace(train, eval_samples=min(train.eval_samples or FOLD_EVAL_SAMPLES,
                                                FOLD_EVAL_SAMPLES))
    trainer = make_trainer(replace(options, train=train), every)
    with np.errstate(over="ignore", invalid="ignore"):
        trainer.train()
    return trainer.model, {"epochs": epochs, "rows": int(y.shape[0]),
                           "estimate": split_sizes(splits),
                           "kept_epoch_rule": history.best_rule,
                           **({"restandardised": far} if far else {})}, pre


def final_fit_text(final_fit: Mapping[str, Any]) -> str:
    """One line on the final fit: which rows the saved model saw, which the figures."""
    sizes = final_fit["estimate"]
    rule = str(final_fit.get("kept_epoch_rule") or "")
    chooser = ("cross-validation on the training rows" if "cross-validation" in rule else
               "the validation split" if sizes.get("val") else "the run's epoch count")
    return (f"fitted on every row ({final_fit['rows']:,}: train + val + test) for "
            f"{final_fit['epochs']} epochs, the count {chooser} chose; the "
            f"figures are those of a network trained on the {sizes['train']:,} training "
            f"rows, tested on {sizes['test']:,} rows it never saw"
            + (f"; feature column(s) {', '.join(map(str, final_fit['restandardised']))} "
               "standardised again on every row: their held-out values lie far outside "
               "the training rows'" if final_fit.get("restandardised") else ""))


def refit_text(refit: Mapping[str, Any] | None) -> str:
    """One line on a refit: what chose the epoch count and what the kept network trained on."""
    if not refit:
        return "no refit"
    sel = refit["selected_on"]
    return (f"refit on train + val ({refit['rows']:,} rows) for {refit['epochs']} epochs, "
            f"the count chosen on {sel['val']:,} validation rows (validation accuracy "
            f"{refit['val_accuracy']:.4f} when training on {sel['train']:,} rows)")


def _check_optimizer_state(trainer: Trainer, path: Path) -> None:
    """Each optimiser state array ("slot/param") must have its parameter's shape: a damaged
    checkpoint fails at resume time, not in the middle of the next epoch."""
    params = trainer.model.params
    for name, arr in trainer.optimizer.state_dict()["arrays"].items():
        key = name.split("/", 1)[-1]
        if key not in params or np.shape(arr) != params[key].shape or (
                np.asarray(arr).dtype.kind != "f" or not np.isfinite(arr).all()):
            raise ModelFileError(
                f"checkpoint {path} is inconsistent (optimiser state {name!r} of shape "
                f"{np.shape(arr)} does not fit parameter {key!r} of shape "
                f"{params[key].shape if key in params else 'none'}); it cannot be resumed: "
                "start the training again.")


def save_run(
    out: Path,
    options: RunOptions,
    splits: Splits,
    model: Network | Ensemble,
    history: History,
    seconds: float,
    report: bool = True,
    title: str | None = None,
    extra_metadata: Mapping[str, Any] | None = None,
    extra_details: Mapping[str, Any] | None = None,
    saved_model: Network | None = None,
    saved_preprocessor: Preprocessor | None = None,
    member_histories: Sequence[History] | None = None,
    member_seeds: Sequence[int] = (),
) -> tuple[SavedModel, dict[str, dict[str, float]], Any, dict[str, Path]]:
    """Score a trained model on every split (its task's metrics) and write model.npz,
    history.json and the report, staged: the files reach ``out`` together, on success.
    ``saved_model``: the network model.npz holds when it is not the one scored (the
    final fit on every row, :func:`fit_on_every_row`), ``saved_preprocessor`` the
    preprocessing its inputs need where not the split's.

    An :class:`~numpynn.ensemble.Ensemble` (``member_histories``: its members', whose
    first is ``history``; ``member_seeds``: their seeds) is scored as one model, and its
    spread (:func:`numpynn.runs.ensembles.member_table`) goes into the model's metadata
    as ``ensemble``, into history.json as ``members`` and into the report as a table.

    Returns the saved model, metrics per split ({"train": {"accuracy", "loss"}, ...} or
    R^2, RMSE, MAE for a regression), the task's test evaluation (a classification's
    per-class figures; None otherwise or without a test split) and the written paths.
    """
    task = splits.task
    metrics: dict[str, dict[str, float]] = {}
    for name, X, y in (("train", splits.X_train, splits.y_train),
                       ("val", splits.X_val, splits.y_val),
                       ("test", splits.X_test, splits.y_test)):
        if X.shape[0]:
            metrics[name] = task.metrics(model, X, y, splits.targets)
    test_eval = (task.test_evaluation(model, splits.X_test, splits.y_test)
                 if splits.X_test.shape[0] else None)
    ds = splits.dataset
    sizes = split_sizes(splits)
    spread = None
    if isinstance(model, Ensemble):
        spread = member_table(model, splits, metrics, member_seeds)
        extra_metadata = {**(extra_metadata or {}), "ensemble": {
            "n_members": model.n_members, "seeds": [int(s) for s in member_seeds],
            "members": spread}}
    history_dict = history.to_dict()
    if member_histories is not None:
        history_dict["members"] = [h.to_dict() for h in member_histories]
    metadata = {
        "data": options.data,
        "data_dir": os.getcwd(),  # what a relative data path in "data" is relative to
        "task": task.name,
        "options": options.to_dict(),
        **(extra_metadata or {}),
        "metrics": metrics,
        **task.metadata(splits, options),
        "epochs_run": len(history.epochs),
        "best_epoch": history.best_epoch,
        "best_rule": history.best_rule,
        "split_sizes": sizes,
        **({"split_keys": splits.keys} if getattr(splits, "keys", None) else {}),
        "stop_reason": history.stop_reason,
        "train_seconds": seconds,
    }
    pre = saved_preprocessor or splits.preprocessor
    saved = SavedModel(saved_model if saved_model is not None else model, task.classes(ds),
                       {"kind": pre.kind, "state": pre.state()},
                       metadata, recipe=splits.recipe)
    # every file goes to a staging directory first and reaches ``out`` only when all of
    # them were written (numpynn.runs.files): a failed save leaves the earlier run's files
    with StagedOutputs(out) as staged:
        save_model(staged.path(MODEL_FILE), saved)
        write_json_atomic(staged.path(HISTORY_FILE), history_dict)
        if report:
            details = {"data": options.data, "task": task.name, "architecture": repr(model),
                       "optimizer": f"{options.train.optimizer} lr={options.train.lr:.4g}",
                       "reg": f"{options.reg:.4g}", "batch size": options.train.batch_size,
                       "split sizes": split_sizes_text(sizes),
                       "epochs run": len(history.epochs),
                       "kept epoch": f"{history.best_epoch} ({history.best_rule or 'last epoch'})",
                       "seed": options.train.seed,
                       "stop reason": history.stop_reason, **(extra_details or {}),
                       "time (s)": f"{seconds:.1f}"}
            task.write_report(staged.dir, history=history, metrics=metrics, model=model,
                              splits=splits, title=title or f"{task.report_title}: "
                              f"{options.data}", details=details,
                              configuration=options.to_dict(), evaluation=test_eval,
                              sizes=sizes, **({"members": spread} if spread else {}))
        committed = staged.commit()
    paths = {"model": committed[MODEL_FILE], "history": committed[HISTORY_FILE]}
    if report:
        paths["report"] = committed["report.html"]
    return saved, metrics, test_eval, paths


def resume_options(out_dir: str | Path) -> RunOptions:
    """The options of the interrupted run whose checkpoint is in ``out_dir``."""
    path = Path(out_dir) / CHECKPOINT_FILE
    if Path(out_dir).is_file():  # --resume run/model.npz: a file of the run, not the run
        parent = Path(out_dir).parent
        raise InputError(f"{out_dir} is a file; a run is resumed by its directory, the one "
                         f"that holds {CHECKPOINT_FILE}: `resume='{parent}'`.", param="resume")
    if not path.exists() and (Path(out_dir) / SEARCH_SETTINGS_FILE).is_file():  # a search's
        raise InputError(f"{out_dir} holds a search, not a training run: resume it with "
                         f"'numpynn search --resume {out_dir}'.", param="resume")
    if not path.exists() and (Path(out_dir) / MODEL_FILE).is_file():
        parent = Path(out_dir).parent
        if (parent / SEARCH_SETTINGS_FILE).is_file():  # a search's best/
            raise InputError(f"{out_dir} holds the best model of the search in {parent}, "
                             "which keeps no checkpoint, so it cannot be resumed; to train "
                             "its configuration further, start a run with its options "
                             f"({parent / 'results.json'} lists them) and `epochs`.",
                             param="resume")
        ensemble = _ensemble_members(Path(out_dir) / MODEL_FILE)
        if ensemble:  # (before: "a run writes one there when started with `out` set to
            # that directory", which this run was: an ensemble writes none)
            raise InputError(f"the run in {out_dir} trained an ensemble of {ensemble} "
                             "networks, which writes no checkpoint (its members train "
                             "packed, every epoch in one call), so it cannot be resumed or "
                             "continued: train it again with the epochs you want, into "
                             "another `out` (numpynn train --overwrite replaces it).",
                             param="resume")
        raise InputError(f"{out_dir} holds a model ({MODEL_FILE}) but no {CHECKPOINT_FILE} "
                         "to resume from (it was removed, or the run kept none); start a "
                         "new run to train further.", param="resume")
    if not path.exists():
        raise InputError(f"no checkpoint to resume in {out_dir} (expected {path}); a run "
                         "writes one there when started with `out` set to that directory.",
                         param="resume")
    header, _ = read_checkpoint(path)
    try:
        options = RunOptions.from_dict(header["extra"]["options"])
        base = header["extra"].get("data_dir")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # ValueError: InputError
        raise ModelFileError(f"checkpoint {path} lacks valid run options ({exc}); it was not "
                             "written by 'numpynn train': start a new run.") from None
    resolved = resolve_recorded_spec(options.data, base)
    if resolved != options.data:
        where = DataSpec.parse(resolved).path or resolved
        if not os.path.exists(where):
            raise DataError(f"the run in {out_dir} was trained on {options.data!r}, a path "
                            f"relative to {base}, where it started; {where} no longer exists: "
                            "put the data back there to resume.")
        options.data = resolved
    return options


def _ensemble_members(model: Path) -> int:
    """The member count of the ensemble saved as ``model`` (0: no such file, not an
    ensemble, or unreadable: the caller's own message stands)."""
    if not model.is_file():
        return 0
    try:
        info = load_model(model).metadata.get("ensemble")
    except (InputError, OSError, ValueError):
        return 0
    return int(info.get("n_members") or 0) if isinstance(info, dict) else 0


def resolve_recorded_spec(spec: str, base: str | None) -> str:
    """A data spec recorded in a model or checkpoint, with a relative path made absolute
    against ``base``, the directory the run was started in (names are unchanged)."""
    if not isinstance(spec, str) or not isinstance(base, str) or not spec:
        return spec
    return DataSpec.parse(spec).absolute(base)


def is_training_data(saved: SavedModel, spec: str) -> bool:
    """Whether ``spec`` is the data ``saved`` was trained on (as recorded, or the same
    file by another spelling of its path)."""
    options = saved.metadata.get("options")
    recorded = options.get("data") if isinstance(options, Mapping) else None
    return recorded is not None and (spec == recorded or DataSpec.parse(spec).same_data(
        resolve_recorded_spec(recorded, saved.metadata.get("data_dir"))))


def check_not_training_data(output: str | os.PathLike[str] | None, saved: SavedModel,
                            what: str = "`output`") -> None:
    """InputError when ``output``, an existing file, is the data ``saved`` was trained on
    (as recorded: :func:`is_training_data`): a prediction table written there would
    replace the labelled table the model came from, which this command does not read and
    so :func:`numpynn.outputs.check_output` does not guard."""
    if output is None or os.fspath(output) == "-" or not os.path.isfile(output):
        return
    try:
        ours = is_training_data(saved, os.fspath(output))
    except (InputError, DataError):  # a name no data spec takes: not the data
        return
    if ours:
        raise InputError(f"{what} {os.fspath(output)} is the data the model was trained on "
                         "(as its model file records it): writing the predictions there "
                         "would replace that table; choose another output path.")


def seen_rows(saved: SavedModel, spec: str, split: str) -> tuple[bool, str | None]:
    """Whether the rows ``evaluate`` scores (``split`` of ``spec``) were seen by the saved
    model in training, and a note saying so and where the held-out figure is (None when
    they were not)."""
    if not is_training_data(saved, spec):
        return False, None
    meta = saved.metadata
    final_fit, refit = meta.get("final_fit"), meta.get("refit")
    if final_fit:
        seen = True
        why = ("the saved model was fitted on every row of this data after its held-out "
               f"figures were made (final fit, {final_fit.get('rows', '?')} rows), these "
               f"{split} rows among them")
    elif split in ("train", "all") or (refit and split == "val"):
        seen = True
        why = f"the model trained on {'these' if split == 'train' else 'some of these'} rows"
    else:
        return False, None
    test = (meta.get("metrics") or {}).get("test")
    score = saved.task.score_key
    held_out = ""
    if isinstance(test, Mapping) and score in test:
        value = float(test[score])
        shown = (f"{score_label(score)} {value:.2%}" if score in PERCENT_SCORES
                 else f"{score_label(score)} {value:.4f}")
        held_out = (f" The held-out figure, from a network trained without the "
                    f"{int(test.get('n', 0)) or ''} test rows: {shown}.").replace("  ", " ")
    return seen, (f"note: {why}, so the figures below are not a held-out estimate."
                  + held_out)


def _check_split_as_trained(saved: SavedModel, spec: str, sizes: Mapping[str, int],
                            split: str, parts: Sequence[np.ndarray] | None = None) -> None:
    """InputError where the split re-created from ``spec`` (its rows per part, ``sizes``)
    is not the training run's (as its model records it): the file changed since (rows
    added or removed), so the "test split" would be other rows, training rows among them."""
    recorded = saved.metadata.get("split_sizes")
    if not isinstance(recorded, Mapping) or not all(
            isinstance(recorded.get(k), int) for k in ("train", "val", "test")):
        recorded = None  # a model of before split sizes were recorded: nothing to compare
    # a refit moves the validation rows into train: the test rows and the total must match
    if recorded is None or recorded["test"] == sizes["test"] and sum(
            recorded[k] for k in sizes) == sum(sizes.values()):
        keys = saved.metadata.get("split_keys")
        if isinstance(keys, Mapping) and parts is not None:
            now = split_keys(parts)
            if any(keys.get(k) != now[k] for k in now if k in keys):
                # (before: rows reordered or edited, their count the same, gave a "test
                # split" of other rows, training rows among them, without a word)
                raise InputError(
                    f"the data of {spec} changed since the model was trained: the same number "
                    f"of rows ({split_sizes_text(sizes)}), but rows were edited or reordered, "
                    f"so the `split='{split}'` rows re-created from it are not the run's (rows "
                    "it trained on may be among them). Evaluate on labelled rows the model "
                    "never saw with `split='all'` (a file of new rows only), or restore the "
                    "file as it was.", param="split")
        return
    was = split_sizes_text({k: recorded[k] for k in sizes})
    raise InputError(f"the data of {spec} changed since the model was trained: its split "
                     f"now has {split_sizes_text(sizes)}, the training run's had {was}, "
                     f"so the `split='{split}'` rows are not "
                     "the run's (rows it trained on may be among them). Evaluate on "
                     "labelled rows the model never saw with `split='all'` (a file of new "
                     "rows only), or restore the file as it was.", param="split")


def evaluation_data(saved: SavedModel, spec: str, split: str = "auto",
                    ignore_columns: Sequence[int | str] = (), *,
                    notes: list[str] | None = None, drop_unlabelled: bool = False,
                    drop_unknown_labels: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, str]:
    """Raw X (N, F), the targets as the model's task keeps them (class indices (N,), or
    values (N, K)) and the split's name, to evaluate ``saved`` on; for every task alike.

    split: "test"/"val"/"train" re-create the training run's split (same seed, same task),
    so evaluating on the training data reproduces the printed metrics; "all" takes every
    labelled row; "auto" is "test" when spec is the training data (as recorded, or the
    same file by its absolute path), else "all". A CSV file is read with the model's
    recipe (:func:`read_with_recipe`): columns by name when it has a header, else by
    position. ``notes``, when given, receives the reader's notes on a file read with the
    recipe (columns left out, categories not seen in training, rows left out).
    ``drop_unlabelled`` leaves out a CSV's rows without a label (with a note), as it is
    done for a model trained with ``drop_unlabelled`` (so that its splits are those of
    its training run). Rows whose label is not among the model's classes are refused,
    each such label named with its row count; ``drop_unknown_labels`` leaves them out
    instead, with a note (the model cannot predict those classes, so its figures on them
    would say nothing of it).
    """
    options = saved.metadata.get("options")
    recorded = options.get("data") if isinstance(options, Mapping) else None
    same = is_training_data(saved, spec)
    if split == "auto":
        split = "test" if same else "all"
    if split not in ("all", "train", "val", "test"):
        raise InputError(f"`split` must be auto, all, train, val or test; got {split!r}.",
                         param="split")
    if split != "all" and not same:
        raise InputError(f"`split='{split}'` re-creates the training split, which needs the "
                         f"training data ({recorded or 'unknown'}); got {spec}. Use "
                         "`split='all'` for other data.", param="split")
    task = saved.task
    drop_unlabelled = drop_unlabelled or bool(
        isinstance(options, Mapping) and options.get("drop_unlabelled"))
    try:
        ds = _read_labelled(saved, spec, options, ignore_columns, drop_unlabelled)
    except UnknownLabelsError as exc:
        if not drop_unknown_labels:
            if _fractional(list(exc.counts)):
                raise exc.with_fix(
                    "they are numbers that are not whole (a regression's targets?), and the "
                    "model is a classifier: evaluate a regression model on them, or check "
                    "that the label is in the column the model's was") from None
            _refuse_other_models_data(saved, spec, options, ignore_columns, drop_unlabelled,
                                      exc)
            raise exc.with_fix(
                "correct those labels, or leave those rows out with `drop_unknown_labels` "
                "(the model cannot predict a class it was not trained on)") from None
        ds = _without_unknown_labels(saved, spec, options, ignore_columns, drop_unlabelled,
                                     exc)
    except DataError as exc:
        raise _with_task_fix(saved, exc) from None
    _check_image_shape_as_trained(ds.image_shape, saved, spec)
    if notes is not None and (_uses_recipe(saved, spec) or drop_unknown_labels):
        notes.extend(ds.notes)
    if notes is not None:  # the check reads up to 2,000 rows: only where it is said
        warning = pixel_units_warning(saved, ds.X, spec,
                                      files=DataSpec.parse(spec).source == "images")
        notes.extend([warning] if warning is not None else [])
    if split == "all":
        X, y = ds.X, ds.y
        if ds.X_test is not None:
            X, y = np.concatenate([X, ds.X_test]), np.concatenate([ds.y, ds.y_test])
        _check_feature_count(X, _feature_count(saved), spec, saved.metadata.get("image_shape"))
        return X, task.targets_array(y), "all"
    try:
        run = RunOptions.from_dict(options)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # ValueError: InputError
        raise ModelFileError(f"the model's recorded training options are damaged ({exc}); "
                             "use `split='all'`.", param="split") from None
    parts = split_dataset(ds, run, task)
    _check_split_as_trained(saved, spec, {"train": parts[0].shape[0], "val": parts[2].shape[0],
                                          "test": parts[4].shape[0]}, split, parts)
    i = {"train": 0, "val": 2, "test": 4}[split]
    if parts[i].shape[0] == 0:
        why = (f"`test_fraction={run.test_fraction:g}`" if split == "test"
               else "small tables get no validation split by default" if split == "val"
               else "no rows")
        raise InputError(f"the training run of {spec} had no {split} split (0 rows: "
                         f"{why}); choose another split or evaluate on other labelled data "
                         "with `split='all'`.", param="split")
    return parts[i], parts[i + 1], split


def _feature_count(saved: SavedModel) -> int:
    """The raw feature columns the saved model reads: its recipe's, else its input width."""
    return saved.recipe.n_features if saved.recipe else saved.model.input_dim


def _refuse_other_models_data(saved: SavedModel, spec: str,
                              options: Mapping[str, Any] | None,
                              ignore_columns: Sequence[int | str], drop_unlabelled: bool,
                              refusal: UnknownLabelsError) -> None:
    """Where no label of ``spec`` is one of the model's classes: a DataError saying the
    data are another model's (their features counted against the model's, the data the
    model was trained on named), rather than the labels to correct one by one. Returns
    where some label is known, or the file cannot be read with its own labels."""
    try:
        own = _read_labelled(saved, spec, options, ignore_columns, drop_unlabelled,
                             own_labels=True)
    except InputError:  # DataError among them: the first refusal stands
        return
    labels = own.classes.tolist()
    known = refusal.known
    keys = {folded_label(c) for c in known.tolist()}
    if any(folded_label(label) in keys for label in labels):  # 'YES' for 'yes': the
        return  # refusal names the class the model knows, the data are not another's
    expected = _feature_count(saved)
    recorded = saved.metadata.get("data")
    trained = f" (trained on {recorded})" if recorded else ""
    features = (f"; it has {own.X.shape[1]} feature columns where the model has {expected}"
                if own.X.shape[1] != expected else "")
    raise DataError(f"{spec}: none of its labels ({preview(labels)}) is a class of the "
                    f"model{trained}, {preview(known.tolist())}{features}: data of another "
                    f"model or task? Evaluate the model on data like its training data, or "
                    f"this data with a model trained on it.") from None


def _fractional(labels: Sequence[object]) -> bool:
    """Whether most of ``labels`` are numbers that are not whole (values of a regression's
    target, given to a classifier)."""
    def fraction(label: object) -> bool:
        try:
            value = float(str(label))
        except ValueError:
            return False
        return math.isfinite(value) and not value.is_integer()

    return bool(labels) and 2 * sum(map(fraction, labels)) > len(labels)


def _with_task_fix(saved: SavedModel, exc: DataError) -> DataError:
    """A label the reader refused because it is not of the model's task (text for a
    regression model, numbers that are not whole for a classifier): the refusal with the
    fix that evaluating takes (another model or other data), instead of the training
    options the reader names; any other error as it is."""
    text = str(exc)
    if not saved.task.has_classes and "is not a number; regression needs" in text:
        head = text.split("; regression needs")[0]
        return DataError(f"{head}; the model is a regression (it predicts numbers), and "
                         "these labels are text, classes: evaluate it on data whose label "
                         "column holds numbers, or evaluate a classifier trained on such "
                         "labels.")
    if saved.task.has_classes and "is not an integer; class labels" in text:
        head = text.split("; class labels")[0]
        return DataError(f"{head}; the model is a classifier of the classes "
                         f"{preview(as_classes(saved.classes).tolist())}, and these labels "
                         "are numbers that are not whole (a regression's targets?): evaluate "
                         "a regression model on them, or check that the label is in the "
                         "column the model's was.")
    return exc


def _validation_options_asked(options: RunOptions) -> list[str]:
    """The options the user set that act on the validation split only (``patience``,
    ``select``), as messages write them: a run without one must refuse them rather than
    ignore them. ``patience`` counts as set where the CLI saw it typed (it is not among
    ``task_defaults``) or where it differs from the default; ``select`` where it is
    ``'accuracy'`` or typed."""
    asked = []
    default = default_train_config().patience
    patience = options.train.patience
    if patience is not None and ("patience" not in options.task_defaults
                                 or patience != default):
        asked.append(f"`patience={patience}`")
    select = options.train.select
    if select == "accuracy" or (select != "auto" and "select" not in options.task_defaults):
        asked.append(f"`select='{select}'`")  # typed (not listed among the defaults)
    return asked


def _without_unknown_labels(saved: SavedModel, spec: str, options: Mapping[str, Any] | None,
                            ignore_columns: Sequence[int | str], drop_unlabelled: bool,
                            refusal: UnknownLabelsError) -> Dataset:
    """``spec`` read with its own labels, then its rows whose label is not one of the
    model's classes left out, with a note naming them (``refusal``: the error that
    reading them as the model's classes raised)."""
    ds = _read_labelled(saved, spec, options, ignore_columns, drop_unlabelled,
                        own_labels=True)
    known = as_classes(saved.classes)

    def mapped(y: np.ndarray) -> np.ndarray:
        raw = ds.classes[y]
        if (known.dtype.kind == "U") != (raw.dtype.kind == "U"):
            keys, values = known.astype(str).tolist(), raw.astype(str).tolist()
        else:
            keys, values = known.tolist(), raw.tolist()
        index = {k: i for i, k in enumerate(keys)}
        return np.fromiter((index.get(v, -1) for v in values), dtype=np.int64,
                           count=len(values))

    y = mapped(ds.y)
    X, y = ds.X[y >= 0], y[y >= 0]
    X_test, y_test = ds.X_test, ds.y_test
    if X_test is not None and y_test is not None:
        y_test = mapped(y_test)
        X_test, y_test = X_test[y_test >= 0], y_test[y_test >= 0]
    n = sum(refusal.counts.values())
    if X.shape[0] + (0 if X_test is None else X_test.shape[0]) == 0:
        raise refusal.with_fix("no row is left to evaluate: is it the data the model was "
                               "meant for, with its label in the column the model's was?")
    listed = ", ".join(f"{label!r} ({count:,})" for label, count in
                       list(refusal.counts.items())[:10])
    note = (f"note: {Path(spec).name}: {n:,} row{'s' if n != 1 else ''} left out, whose "
            f"label the model was not trained on: {listed}; the figures are on the other "
            "rows")
    return replace(ds, X=X, y=y, X_test=X_test, y_test=y_test, classes=known,
                   ids=None, notes=[*ds.notes, note])


def _read_labelled(saved: SavedModel, spec: str, options: Mapping[str, Any] | None,
                   ignore_columns: Sequence[int | str] = (), drop_unlabelled: bool = False,
                   own_labels: bool = False) -> Dataset:
    """``spec`` with its labels, read as the model's training data were (a CSV's
    ``ignore_columns``, its own columns the model does not know, left out; with
    ``drop_unlabelled``, its rows without a label)."""
    task = saved.task
    reading = task.label_reading(saved.classes)
    if own_labels:  # the file's labels as they are (the caller maps them to the classes)
        reading = {k: v for k, v in reading.items() if k != "classes"}
    if drop_unlabelled and is_csv_spec(spec):
        reading = {**reading, "drop_unlabelled": True}
    if _uses_recipe(saved, spec):
        ds = load_dataset(spec, label_column=0, recipe=saved.recipe,
                          ignore_columns=list(ignore_columns), **reading)
    elif ignore_columns:
        raise InputError(f"`ignore_columns` names columns of a CSV file read as the model's "
                         f"training file was; {spec} is not a CSV file, or the model records "
                         "no table. Leave it out.", param="ignore_columns")
    else:
        label_column = options.get("label_column", -1) if options else -1
        _check_csv_columns(spec, _feature_count(saved), labelled=True)
        if not (is_csv_spec(spec) or is_npz_spec(spec)) and not task.has_classes:
            raise InputError(f"a {task.name} model is evaluated on a CSV file with its "
                             f"target column or an .npz file with its y; got {spec}.")
        ds = load_dataset(spec, label_column=label_column, **reading,
                          **_image_reading(saved, spec))
    if ds.y is None:
        raise DataError(f"{spec} has no labels; evaluate needs labelled data.")
    return ds


def read_with_recipe(saved: SavedModel, spec: str, labelled: bool) -> Dataset:
    """Read the CSV file ``spec`` as the model's training data were read.

    With a header, the feature columns are matched by name in any order (the label and
    ignored columns may be present; any other or missing column is an error naming it);
    without one, the file has the training file's columns or the feature columns alone,
    in training order. Categorical cells map to the model's categories, missing cells
    are imputed as in training.
    """
    recipe = saved.recipe
    assert recipe is not None
    reading = saved.task.label_reading(saved.classes) if labelled else {}
    return load_dataset(spec, label_column=0 if labelled else None, recipe=recipe, **reading)


def _uses_recipe(saved: SavedModel, spec: str) -> bool:
    return saved.recipe is not None and saved.recipe.source == "csv" and is_csv_spec(spec)


@dataclass
class PredictionInput:
    """What ``predict`` reads: raw features X (N, F), the cells of the file's id column
    (N,) to carry to the output and its name (or None), notes on columns left out, and
    where the file's rows of empty cells stood (:attr:`Dataset.blank_rows`)."""

    X: np.ndarray
    ids: list[str] | None = None
    id_name: str | None = None
    notes: list[str] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)  # Dataset.blank_rows


def prediction_input(saved: SavedModel, spec: str, *, ignore_columns: Sequence[int | str] = (),
                     id_column: int | str | None = None) -> PredictionInput:
    """:func:`prediction_data` for ``numpynn predict``: a CSV read with the model's recipe
    may also have columns to leave out (``ignore_columns``, names or indices) and an id
    column whose cells are carried to the output (``id_column``); a pandas index is left
    out on its own, with a note."""
    ignore_columns = list(ignore_columns)
    if isinstance(spec, (list, tuple)):  # image files one by one (a shell's photos/*.jpg)
        return _image_files_input(saved, spec, ignore_columns, id_column)
    if not (isinstance(spec, (str, os.PathLike)) and _uses_recipe(saved, os.fspath(spec))):
        if ignore_columns or id_column is not None:
            given = "`id_column`" if id_column is not None else "`ignore_columns`"
            raise InputError(
                f"{given} names columns of a CSV file read as the model's training file was; "
                f"{spec} is not a CSV file, or the model records no table (a model of "
                "numpynn 0.1, or one trained on another source). Leave it out.",
                param="id_column" if id_column is not None else "ignore_columns")
        notes: list[str] = []
        path = os.fspath(spec)
        if DataSpec.parse(path).source == "images":  # each row named by its file
            ds = load_dataset(path, label_column=None, **_image_reading(saved, path))
            _check_feature_count(ds.X, saved.model.input_dim, path,
                                 saved.metadata.get("image_shape"))
            warning = pixel_units_warning(saved, ds.X, path, files=True)
            return PredictionInput(ds.X, ds.ids, "file",
                                   [*ds.notes, *([warning] if warning else [])])
        return PredictionInput(prediction_data(saved, spec, notes), notes=notes)
    assert saved.recipe is not None
    ds = load_dataset(os.fspath(spec), label_column=None, recipe=saved.recipe,
                      ignore_columns=ignore_columns, id_column=id_column)
    name = (None if id_column is None else
            id_column if isinstance(id_column, str) else "id")
    return PredictionInput(ds.X, ds.ids, name, list(ds.notes), ds.blank_rows)


def _image_files_input(saved: SavedModel, files: Sequence[str], ignore_columns: Sequence[int | str],
                       id_column: int | str | None) -> PredictionInput:
    """:func:`prediction_input` of several image files given one by one (``--data
    photos/*.jpg``), each read at the model's image shape and named by its path as
    given."""
    if ignore_columns or id_column is not None:
        raise InputError("`ignore_columns` and `id_column` name columns of a CSV file; the "
                         "data are image files. Leave them out.",
                         param="id_column" if id_column is not None else "ignore_columns")
    shape = saved.metadata.get("image_shape")
    if not shape:
        raise DataError(f"{files[0]} and the other values of `data` are image files, but the "
                        "model was not trained on images: give it data of its own kind (the "
                        "kind it was trained on).")
    ds = load_image_files(files, size=tuple(shape)[:2], reader=saved.image_reader,
                          channels=int(shape[2]) if len(shape) == 3 else 1)
    _check_feature_count(ds.X, saved.model.input_dim, files[0], shape)
    warning = pixel_units_warning(saved, ds.X, files[0], files=True)
    return PredictionInput(ds.X, ds.ids, "file", [*ds.notes, *([warning] if warning else [])])


def prediction_data(saved: SavedModel, spec: str, notes: list[str] | None = None
                    ) -> np.ndarray:
    """Raw features (N, F) of ``spec`` to predict on; a label column, if any, is ignored.

    A model that records how its CSV data were read (a recipe) reads CSV files the same
    way (:func:`read_with_recipe`). Older models: a CSV's label column is present when a
    row has one more column than the model has features. Data sets with a predefined
    test part give train rows then test (said in ``notes``, where given).
    """
    if not isinstance(spec, (str, os.PathLike)):
        raise DataError(f"data spec must be a string; got {type(spec).__name__} {spec!r:.60}")
    spec = os.fspath(spec)
    if _uses_recipe(saved, spec):
        return read_with_recipe(saved, spec, labelled=False).X
    n_features = _feature_count(saved)
    label_column: int | None = -1
    if is_csv_spec(spec):
        _check_csv_columns(spec, n_features, labelled=False)
        label_column = None if _csv_columns(spec) == n_features else -1
    elif DataSpec.parse(spec).source == "npz":
        label_column = None
    ds = load_dataset(spec, label_column=label_column, classes=None,
                      **_image_reading(saved, spec))
    X = ds.X if ds.X_test is None else np.concatenate([ds.X, ds.X_test])
    _check_image_shape_as_trained(ds.image_shape, saved, spec)
    _check_feature_count(X, n_features, spec, saved.metadata.get("image_shape"))
    if notes is not None:  # the check reads up to 2,000 rows: only where it is said
        warning = pixel_units_warning(saved, X, spec)
        notes.extend([warning] if warning is not None else [])
    if ds.X_test is not None and notes is not None:
        n = len(ds.X)
        notes.append(f"note: {ds.name}: rows 1 to {n:,} are its training part's, {n + 1:,} "
                     f"to {len(X):,} its test part's (train rows first, then test).")
    return X


def _image_reading(saved: SavedModel, spec: str) -> dict[str, Any]:
    """For a folder of images: read them at the model's image shape (resized, grey or
    RGB as it was trained); nothing for the other sources."""
    shape = saved.metadata.get("image_shape")
    if shape and DataSpec.parse(spec).source == "images":
        return {"image_shape": tuple(shape), "image_reader": saved.image_reader}
    return {}


def _recorded_pixel_peak(saved: SavedModel) -> float | None:
    """About the largest pixel magnitude of an image model's training data, from its
    preprocessing statistics (exact for ``scale``; for ``standardize`` the largest
    ``|mean| + std`` of a pixel, the upper values' level); None for a model not trained on
    images, or whose preprocessing keeps no statistics (``center``, ``none``)."""
    if not saved.metadata.get("image_shape"):
        return None
    try:
        kind, state = saved.preprocessing["kind"], saved.preprocessing["state"]
        mean, scale = np.asarray(state.get("mean")), np.asarray(state.get("scale"))
        if kind == "scale" and scale.size:
            return float(scale.max())
        if kind == "standardize" and mean.size and mean.shape == scale.shape:
            return float(np.max(np.abs(mean) + scale))  # about the upper half's values
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
    return None


#: images whose largest value and the training images' differ by more than this factor are
#: in other units (0..1 against 0..255, or digits' 0..16)
_PIXEL_UNITS_FACTOR = 8.0


def pixel_units_warning(saved: SavedModel, X: np.ndarray, spec: str,
                        files: bool = False) -> str | None:
    """A warning where the images X (N, D) to predict on are in other units than the image
    model's training images (values up to 1 against up to 255, say): the network would be
    fed numbers it never saw and predict nonsense without a word. None where they agree,
    where X is not finite, all zero, or the model not an image model. ``files``: X was
    read from image files (the fix is then the model's, not the data's)."""
    peak = _recorded_pixel_peak(saved)
    if peak is None or not np.isfinite(peak) or peak <= 0 or not X.size:
        return None
    with np.errstate(all="ignore"):  # the same level as the training one's, of X's pixels
        values = np.asarray(X[::max(1, len(X) // 2000)], dtype=np.float64)  # 2,000 rows
        new = float(np.max(np.abs(values.mean(axis=0)) + values.std(axis=0)))
    if not np.isfinite(new) or new <= 0:
        return None
    if max(new / peak, peak / new) < _PIXEL_UNITS_FACTOR:
        return None
    factor = peak / new
    common = min((255.0, 1 / 255.0, 16.0, 1 / 16.0, 65535.0, 1 / 65535.0),
                 key=lambda f: abs(math.log(f / factor)))
    if abs(math.log(common / factor)) < math.log(2.5):
        factor = common
    how = (f"multiply X by {factor:g}" if factor >= 1 else f"divide X by {1 / factor:g}")
    if files:  # image files: their pixels are what they are
        how = ("image files are read as their pixels, 0..255: train the model on images "
               "in those units, e.g. on a folder of the files")
    return (f"warning: {Path(spec).name}: its pixel values reach about {new:.3g}, but the "
            f"model was trained on images whose values reach about {peak:.3g}: other "
            "units (e.g. 0..1 against 0..255), so its predictions would be wrong; give the "
            f"images in the training images' units ({how}).")


def _check_image_shape_as_trained(image_shape: Sequence[int] | None, saved: SavedModel,
                                  spec: str) -> None:
    """A DataError where the images read (``image_shape``, (H, W) or (H, W, C)) have
    another height and width or channel count than the image model's training images: the
    same number of pixels in another shape (8x8 against 4x16) would be fed to the network
    as rows it was never trained on, without a word. Rows of features (no image shape),
    other pixel counts and models not trained on images are left to the feature count's
    check (:func:`_check_feature_count`), which names their cause."""
    trained = saved.metadata.get("image_shape")
    if not image_shape or not trained or len(image_shape) < 2 or len(trained) < 2:
        return
    def hwc(shape: Sequence[int]) -> tuple[int, int, int]:
        return int(shape[0]), int(shape[1]), int(shape[2]) if len(shape) > 2 else 1
    new, old = hwc(image_shape), hwc(trained)
    if new == old or np.prod(new) != np.prod(old):  # other counts: the count's check says
        return
    def said(shape: tuple[int, int, int]) -> str:
        return f"{shape[0]}x{shape[1]} pixels with {shape[2]} channel(s)"
    raise DataError(f"{spec}: its images are {said(new)}, but the model was trained on "
                    f"images of {said(old)}; give images of the model's shape (the same "
                    "height, width and channels, in the same order)")


def _check_feature_count(X: np.ndarray, n_features: int, spec: str,
                         image_shape: Sequence[int] | None = None) -> None:
    """X (N, D) must have the model's ``n_features`` columns; where it has not, the
    message names the likely cause: one example saved without its first axis (an
    (H, W) image read as H rows), or images of another channel count."""
    d = X.shape[1]
    if d == n_features:
        return
    hint = ""
    if X.shape[0] * d == n_features and X.shape[0] > 1:
        hint = (f" If it holds one example of shape {X.shape}, give it a first axis of "
                "length 1 (np.savez(path, X=X[None])).")
    elif image_shape and len(image_shape) >= 2:
        shape = tuple(int(v) for v in image_shape)
        channels = shape[2] if len(shape) == 3 else 1
        pixels = shape[0] * shape[1]
        if d % pixels == 0 and d // pixels != channels:
            hint = (f" The model reads images of {'x'.join(map(str, shape[:2]))} pixels with "
                    f"{channels} channel(s); these have {d // pixels}: "
                    + ("average the colour channels to grey first (X.mean(axis=-1), channels "
                       "last)." if channels == 1 else
                       f"give images of {channels} channel(s), as in training."))
        elif d % pixels:
            hint = (f" The model reads images of {'x'.join(map(str, shape[:2]))} pixels; "
                    "resize the images to that size first.")
    raise DataError(f"{spec} has {d} feature columns but the model expects "
                    f"{n_features}; use data with the columns the model was trained on."
                    f"{hint}")


def _check_csv_columns(spec: str, n_features: int, labelled: bool) -> None:
    """A CSV with the wrong number of columns, named before its cells are parsed."""
    if not is_csv_spec(spec):
        return
    n = _csv_columns(spec)
    allowed = (n_features + 1,) if labelled else (n_features, n_features + 1)
    if n is None or n in allowed:
        return
    want = (f"{n_features + 1} ({n_features} features and the label)" if labelled else
            f"{n_features} (the features) or {n_features + 1} (features and a label)")
    raise DataError(f"{spec} has {n} columns but the model expects {want}; use data with "
                    "the columns the model was trained on.")


def _csv_columns(path: str) -> int | None:
    import csv


    require_file(Path(path), "CSV file")  # a FIFO or device would block or never end
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                if row:
                    return len(row)
    except (OSError, UnicodeDecodeError):
        return None  # load_dataset reports the problem properly
    return None
