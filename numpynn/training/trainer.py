"""The training loop (CS231n's Solver, grown up).

:class:`Trainer` runs shuffled minibatch gradient descent on any model with CS231n's
protocol: a ``params`` dict of arrays and ``loss(X, y)`` returning ``(loss, grads)`` (and
``loss(X)`` returning scores): every example once per epoch, validation after each epoch,
a :class:`History`, early stopping with the best parameters restored, divergence
detection, checkpoints that resume bit-identically, and callbacks for progress bars and
reports. Same seed, same result.

A :class:`numpynn.models.Network` whose ``loss`` is not overridden trains through the
engine (:mod:`numpynn.training.engine`), which computes the same loss and gradients faster;
anything else, including a subclass that overrides ``loss``, trains through its own
``loss``. ``History.engine`` records which.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ..denormals import flush_denormals
from ..errors import DivergenceError, InputError, ModelFileError
from ..model_file import read_container, write_container
from ..models import Network, check_sample_weight
from ..validation import (  # SEED_MAX: seeds are integers in 0..2**32-1 everywhere
    DECAY,
    EPOCHS,
    OTHER_NAMES,
    POSITIVE_INT,
    POSITIVE_NUMBER,
    SEED_MAX,
    check_bool,
    check_choice,
    check_features,
    check_keywords,
    check_labels,
    check_number,
    check_seed,
    check_type,
    unknown_keyword,
)
from . import engine
from .engine import TrainStep
from .optim import OPTIMIZERS, Optimizer, make_optimizer
from .schedules import SCHEDULES, Schedule, make_schedule
from .scores import (
    BALANCED_ACCURACY,
    LossScorer,
    Scorer,
    model_score_name,
    score_label,
)

#: The divergence rule on a finite loss: a minibatch loss above this many times the
#: reference loss (the loss of predicting nothing, all-zero scores, on the training rows:
#: log C for a softmax, half the targets' mean square for squared error; at least 1) ends
#: training as a divergence, as a NaN does. A learning curve never climbs that far; a
#: learning rate of 1e9 or weights of scale 1e10 reach it in a step.
DIVERGENCE_GROWTH = 1e4

#: History.best_rule of a run without validation data
NO_VALIDATION_RULE = "last epoch, no validation data"

#: TrainConfig.lr_decay's default: the factor of ``schedule="step"`` (CS231n's 0.95)
LR_DECAY_DEFAULT = 0.95

SELECT_RULES = {
    "loss": "lowest validation loss",
    "accuracy": "best validation accuracy",
    "auto": "best validation accuracy on 1,000+ validation rows, else lowest validation loss",
}
"""TrainConfig.select values and how the kept epoch is described (History.best_rule);
``"accuracy"`` selects by the model's score (:data:`SCORE_LABELS`), whatever it is, the
lower loss breaking ties; ``"auto"`` is resolved by :func:`resolve_select`."""

#: from this many validation rows on, ``select="auto"`` keeps the epoch of the best score
SCORE_SELECT_MIN_ROWS = 1000


def resolve_select(select: str, n_val: int, score_name: str = "accuracy") -> str:
    """``select`` with "auto" resolved for a validation split of ``n_val`` rows and a score named
    ``score_name``: the score (what a run is judged by) where it is measured on
    :data:`SCORE_SELECT_MIN_ROWS` rows or more, or where it is a balanced accuracy, else the
    loss. On a few hundred rows an accuracy moves in steps of a row and peaks by chance: on the
    table panel (benchmarks/tables.py, 16 classification tables, 3 seeds) selecting by accuracy
    left 7 tables within 0.5 point of scikit-learn's MLP and 3 more than 2 points behind, by
    the loss 9 and 1; on MNIST's 6,000 validation rows the lowest loss came at epoch 4 of 24
    and the best accuracy later. A balanced accuracy is chosen on two imbalanced classes, where
    the lowest loss comes with a network that answers the frequent class (see
    :meth:`numpynn.tasks.Classification.run_scorer`)."""
    if select != "auto":
        return select
    if score_name == BALANCED_ACCURACY:
        return "accuracy"
    return "accuracy" if n_val >= SCORE_SELECT_MIN_ROWS else "loss"

def select_rule(select: str, score_name: str) -> str:
    """How the kept epoch is described: "lowest validation loss", "best validation R^2"."""
    if select == "loss":
        return SELECT_RULES["loss"]
    return f"best validation {score_label(score_name)}"


@dataclass
class TrainConfig:
    """How to train. Every field is JSON-serialisable (it is stored in checkpoints).

    epochs: passes over the training set; batch_size: examples per step (the last
    batch of an epoch may be smaller); optimizer: one of numpynn.training.optim.OPTIMIZERS with
    ``lr`` and ``optimizer_kwargs``; schedule: one of numpynn.training.schedules.SCHEDULES with
    ``schedule_kwargs`` (``"step"`` uses ``lr_decay`` as CS231n's learning_rate_decay);
    select: which validation epoch is best: ``"loss"`` (the lowest validation loss,
    higher validation accuracy breaking ties; the default) or ``"accuracy"`` (the
    earliest epoch with the highest validation accuracy, numpynn 0.1's rule);
    patience: stop after this many epochs without a better epoch by that rule (None:
    never); keep_best: end with the parameters of the best validation epoch;
    eval_samples: training rows (a fixed random subset) used for per-epoch train
    accuracy (None: all); seed: shuffling and subsets (None: drawn once, then stored).
    """

    epochs: int = 20
    batch_size: int = 200
    optimizer: str = "sgd"
    lr: float = 1e-3
    optimizer_kwargs: dict[str, Any] = field(default_factory=dict)
    schedule: str = "constant"
    lr_decay: float = LR_DECAY_DEFAULT
    schedule_kwargs: dict[str, Any] = field(default_factory=dict)
    patience: int | None = None
    keep_best: bool = True
    select: str = "loss"
    eval_samples: int | None = 10_000
    seed: int | None = 0

    def __new__(cls, *args: Any, **kwargs: Any):
        check_keywords(cls, kwargs)  # RunOptions(lr=...) -> where lr lives, not a bare TypeError
        config = super().__new__(cls)
        # the fields the caller gave (not a dataclass field: equality, to_dict and copies
        # see none of it): read by completed(), where a run fills the others with its own
        # defaults (RunOptions(train=TrainConfig(epochs=5)): numpynn train's Adam, not SGD)
        names = [f.name for f in fields(cls)]
        config._given = frozenset(names[:len(args)]) | frozenset(kwargs)
        return config

    def completed(self, defaults: TrainConfig) -> TrainConfig:
        """This config with each field its constructor was not given taken from
        ``defaults`` (``TrainConfig(epochs=5).completed(default_train_config())``: epochs 5,
        the rest ``numpynn train``'s). A config of :meth:`from_dict`, ``replace`` or a copy
        counts every field as given and is returned as it is."""
        given = getattr(self, "_given", None)
        if given is None or len(given) == len(fields(self)):
            return self
        return type(self)(**{f.name: getattr(self if f.name in given else defaults, f.name)
                             for f in fields(self)})

    def __post_init__(self) -> None:
        self.epochs = EPOCHS.check(self.epochs, "epochs")
        self.batch_size = POSITIVE_INT.check(self.batch_size, "batch_size")
        if self.patience is not None:
            self.patience = POSITIVE_INT.check(self.patience, "patience")
        check_choice(self.select, "select", SELECT_RULES)
        if self.eval_samples is not None:
            self.eval_samples = POSITIVE_INT.check(self.eval_samples, "eval_samples")
        for name, registry in (("optimizer", OPTIMIZERS), ("schedule", SCHEDULES)):
            check_choice(getattr(self, name), name, registry.names(), ignore_case=True)
        POSITIVE_NUMBER.check(self.lr, "lr")
        self.lr_decay = DECAY.check(self.lr_decay, "lr_decay")  # as --lr-decay
        if self.lr_decay != LR_DECAY_DEFAULT and self.schedule.lower() != "step":
            raise InputError(
                f"`lr_decay={self.lr_decay:g}` is the factor of `schedule='step'`, and this "
                f"run's schedule is {self.schedule!r}, which would ignore it: add "
                "`schedule='step'`, or leave out `lr_decay`.", param="lr_decay")
        check_bool(self.keep_best, "keep_best")
        check_seed(self.seed)
        for name in ("optimizer_kwargs", "schedule_kwargs"):
            check_type(getattr(self, name), name, dict, "a dict of keyword arguments")
        self.make_optimizer()  # validates optimizer_kwargs
        self.make_schedule()  # validates schedule arguments

    def make_optimizer(self) -> Optimizer:
        return make_optimizer(self.optimizer, self.lr, **self.optimizer_kwargs)

    def make_schedule(self) -> Schedule:
        kwargs = dict(self.schedule_kwargs)
        name = self.schedule.lower()
        if name == "step":
            kwargs.setdefault("decay", self.lr_decay)
        if name == "cosine":
            kwargs.setdefault("total_epochs", self.epochs)
        return make_schedule(name, self.lr, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InputError(f"unknown training options {sorted(unknown)}; valid: {sorted(known)}")
        data = dict(data)
        if str(data.get("schedule", "constant")).lower() != "step" and "lr_decay" in data:
            # stored before another schedule refused lr_decay, which it ignored: its value
            # changed nothing, and a run or model of then must still load
            data["lr_decay"] = LR_DECAY_DEFAULT
        config = cls(**data)
        # a stored config is whole: a field it lacks (a file of an older numpynn) keeps
        # this class's default, as it did when the file was written
        config._given = frozenset(f.name for f in fields(cls))
        return config


@dataclass
class History:
    """What happened: the loss of every step and the metrics of every epoch.

    train_loss/val_loss are data losses (no regularisation) measured after the epoch;
    train_score/val_score the model's score, named by ``score_name``: ``"accuracy"`` for
    a classifier, ``"r2"`` for a regression (R^2). Without validation data ``val_loss``
    and ``val_score`` stay empty (histories written before numpynn 0.3 held copies of the
    training figures there: :meth:`from_dict` drops them; files of before 0.3 named the
    score ``train_acc``/``val_acc`` whatever it was: they load too). ``train_acc`` and
    ``val_acc`` read the score of a classifier only;
    step_loss is the full objective of each minibatch step. ``seconds`` holds each
    epoch's wall time (not part of the deterministic record). ``best_epoch`` is the
    epoch whose parameters were kept and ``best_rule`` what chose it (e.g. "lowest
    validation loss", or "last epoch" without validation data). ``engine`` says how the
    steps ran: ``"engine"`` (numpynn.training.engine) or ``"reference: <why>"`` (``model.loss``).
    """

    step_loss: list[float] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_score: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_score: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int = 0
    best_rule: str = ""
    stop_reason: str = ""
    engine: str = ""
    score_name: str = "accuracy"

    @property
    def train_acc(self) -> list[float]:
        """The training accuracy per epoch (a classifier's score)."""
        return self._accuracy("train")

    @property
    def val_acc(self) -> list[float]:
        """The validation accuracy per epoch (a classifier's score)."""
        return self._accuracy("val")

    def _accuracy(self, part: str) -> list[float]:
        if self.score_name != "accuracy":
            raise AttributeError(f"this history's score is {score_label(self.score_name)}, "
                                 f"not accuracy: read {part}_score")
        return getattr(self, f"{part}_score")

    def to_dict(self) -> dict[str, Any]:
        """The fields, each list copied (its items are numbers). Not ``asdict``: it
        deep-copies item by item, and a checkpoint takes this every epoch (on wine's 200
        epochs that was 1.8 of the 2.5 seconds of a run)."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), list) else v)
                for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> History:
        data = {**{f"{part}_score": data[f"{part}_acc"] for part in ("train", "val")
                   if f"{part}_acc" in data}, **data}  # the names of before numpynn 0.3
        history = cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
        for f in fields(cls):  # a damaged checkpoint must fail here, not in mid-training
            value = getattr(history, f.name)
            if str(f.type).startswith("list"):
                ok = isinstance(value, list) and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            else:
                kind = str if str(f.type) == "str" else int
                ok = isinstance(value, kind) and not isinstance(value, bool)
            if not ok:
                raise InputError(f"history field {f.name!r} has the wrong type: {value!r:.60}")
        if history.best_rule.startswith(NO_VALIDATION_RULE) and (
                history.val_loss == history.train_loss
                and history.val_score == history.train_score):
            history.val_loss, history.val_score = [], []  # an old file's copies, not figures
        return history

    def deterministic(self) -> dict[str, Any]:
        """Everything but the timings: equal for two runs with the same seed."""
        d = self.to_dict()
        d.pop("seconds")
        return d


class Callback:
    """Hooks called by :class:`Trainer`; override the ones you need."""

    def on_train_begin(self, trainer: Trainer) -> None: ...

    def on_step_end(self, trainer: Trainer, loss: float) -> None: ...

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None: ...

    def on_train_end(self, trainer: Trainer) -> None: ...


#: other libraries' arguments of a training call and where numpynn's Trainer takes them
_TRAINER_HOMES = {
    "validation_data": "give the validation rows as X_val and y_val",
    "eval_set": "give the validation rows as X_val and y_val",
    "verbose": "a Trainer prints nothing itself; give callbacks=[numpynn.progress.EpochLog()] "
               "to see a line per epoch",
}


def _check_trainer_keywords(kwargs: Mapping[str, Any]) -> None:
    """Refuse a keyword that Trainer does not take, naming where it lives: a TrainConfig
    option (``epochs``, ``lr``, ``batch_size`` or another library's name for one) goes in
    ``config=TrainConfig(...)``."""
    known = [p for p in inspect.signature(Trainer.__init__).parameters if p != "self"]
    options = [f.name for f in fields(TrainConfig)]
    for name in kwargs:
        if name in known:
            continue
        option = name if name in options else OTHER_NAMES.get(name)
        if option in options:
            said = "" if option == name else f"numpynn's name for it is {option!r}, "
            home = (f"{said}an option of TrainConfig: Trainer(model, X, y, "
                    f"config=TrainConfig({option}=...))")
        else:
            home = _TRAINER_HOMES.get(name, "")
        raise unknown_keyword("Trainer", name, known, home=home, what="parameters")


class Trainer:
    """Minibatch training of ``model`` on X_train: (N, D), y_train: (N,).

    model: anything with CS231n's protocol: ``params`` (a dict of float arrays, updated in
    place) and ``loss(X, y)`` returning ``(loss, grads)`` with the keys of ``params``
    (``loss(X)`` returning scores (N, C) is used for accuracy). X_val/y_val: validation
    data (optional: without it, early stopping and keep_best use nothing and the last
    parameters are kept). checkpoint: path of a ``.npz`` that :meth:`resume` continues
    from, written atomically (temporary file, fsync, rename) after the first and the last
    epoch and whenever ``checkpoint_every`` seconds have passed since the last write; an
    exception or interrupt (Ctrl-C, SIGTERM, divergence) leaving :meth:`train` writes the
    last finished epoch first, so only a hard kill (SIGKILL, power cut) loses epochs, at
    most ``checkpoint_every`` seconds of them (0: write after every epoch; on small
    tables an fsync per epoch took most of the training time). fast: let
    :mod:`numpynn.training.engine` run the steps when it computes what ``model.loss`` computes
    (:func:`numpynn.training.engine.supports`); False always runs ``model.loss`` +
    ``optimizer.step``. sample_weight: (N,) weights of the training rows (a Network's
    loss is then their weighted mean per batch, as
    scikit-learn's); validation metrics stay unweighted. scorer: the per-epoch score
    (a :class:`Scorer`: its ``name`` and ``scorer(model, X, y, idx=None) -> (score,
    loss)``, higher scores better); default the model loss's (:func:`score_and_loss`).
    augment: called as ``augment(x, rng)`` on each training minibatch x (b, D) (a copy)
    before its step, to change it in place with draws from the trainer's generator (e.g.
    :class:`numpynn.training.augment.Shift`: random translations); validation and the
    per-epoch scores see the rows as they are. None (default): no augmentation.
    """

    def __new__(cls, *args: Any, **kwargs: Any):
        _check_trainer_keywords(kwargs)  # Trainer(..., epochs=5): where it goes, not a
        return super().__new__(cls)      # bare TypeError

    def __init__(
        self,
        model: Any,
        X_train: np.ndarray,
        y_train: np.ndarray,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        config: TrainConfig | None = None,
        callbacks: Iterable[Callback] = (),
        checkpoint: str | Path | None = None,
        checkpoint_extra: Mapping[str, Any] | None = None,
        checkpoint_every: float = 5.0,
        fast: bool = True,
        sample_weight: np.ndarray | None = None,
        scorer: Scorer | None = None,
        augment: Callable[[np.ndarray, np.random.Generator], None] | None = None,
    ) -> None:
        if not isinstance(config, (TrainConfig, type(None))):
            raise InputError(f"config must be a TrainConfig (e.g. TrainConfig(optimizer="
                             f"'adam')) or None; got {type(config).__name__} {config!r:.60}.")
        _check_model(model)
        self.model = model
        self.config = config if config is not None else TrainConfig()
        self.X_train, self.y_train = self._check_data(X_train, y_train, "X_train", "y_train")
        if (X_val is None) != (y_val is None):
            raise InputError("give both X_val and y_val, or neither.")
        if X_val is not None:
            self.X_val, self.y_val = self._check_data(X_val, y_val, "X_val", "y_val")
        else:
            self.X_val = self.y_val = None
        self.sample_weight = None
        if sample_weight is not None:
            if not isinstance(model, Network):
                raise InputError("sample_weight needs a numpynn Network (its loss takes the "
                                 f"weights); {type(model).__name__} has no weighted loss.")
            self.sample_weight = check_sample_weight(sample_weight, self.X_train.shape[0])
        if augment is not None and not callable(augment):
            raise InputError(f"augment must be callable as augment(x, rng) (e.g. numpynn."
                             f"training.augment.Shift) or None; got {augment!r:.60}.")
        self.augment = augment
        self.callbacks = list(callbacks)
        self.checkpoint = Path(checkpoint) if checkpoint is not None else None
        self.checkpoint_extra = dict(checkpoint_extra or {})
        self.checkpoint_every = check_number(checkpoint_every, "checkpoint_every", low=0)
        self._checkpoint_written: float | None = None  # time.monotonic() of the last write
        self._unsaved_checkpoint: tuple[dict[str, Any], dict[str, np.ndarray]] | None = None
        if self.config.seed is None:
            self.config.seed = int(np.random.SeedSequence().entropy % (SEED_MAX + 1))
        train_seq, eval_seq = np.random.SeedSequence(self.config.seed).spawn(2)
        self.rng = np.random.default_rng(train_seq)
        n = self.X_train.shape[0]
        k = self.config.eval_samples
        eval_rng = np.random.default_rng(eval_seq)
        self.eval_idx = np.sort(eval_rng.choice(n, k, replace=False)) if k and k < n else None
        self.optimizer = self.config.make_optimizer()
        self.schedule = self.config.make_schedule()
        self.history = History()
        self.epoch = 0
        self.scorer = scorer or LossScorer(model_score_name(self.model))
        self.score_name = self.scorer.name
        self.history.score_name = self.score_name
        self.select = resolve_select(self.config.select,
                                     0 if self.X_val is None else self.X_val.shape[0],
                                     self.score_name)
        self.best_val_score = -math.inf  # a regression's R^2 can be < -1
        self.best_val_loss = math.inf
        self.best_state: dict[str, np.ndarray] | None = None
        self.bad_epochs = 0
        self.step_count = 0
        self.fast = fast
        self._step: TrainStep | None = None
        self._loss_limit: float | None = None  # set by :meth:`divergence_limit`
        self._reference_loss: float | None = None

    def _check_data(self, X: Any, y: Any, xname: str, yname: str
                    ) -> tuple[np.ndarray, np.ndarray]:
        model = self.model
        if isinstance(model, Network):
            X = check_features(X, model.input_dim, model.dtype, xname)
            return X, model.loss_fn.check_targets(y, X.shape[0], model.num_outputs, yname)
        dtype = next(iter(model.params.values())).dtype
        X = check_features(X, int(np.prod(np.shape(X)[1:])), dtype, xname)
        return X, check_labels(y, X.shape[0], np.iinfo(np.int64).max, yname)

    @property
    def best_params(self) -> dict[str, np.ndarray] | None:
        """Parameters of the best validation epoch so far (None before the first)."""
        return None if self.best_state is None else _group(self.best_state, "param/")

    def uses_engine(self) -> bool:
        """Whether steps run in :mod:`numpynn.training.engine` (else through ``model.loss``)."""
        return self.fast and engine.supports(self.model)

    # ----------------------------------------------------------------------- training
    def train(self) -> History:
        """Train for the configured epochs (from the current epoch on). Returns the history.

        Raises DivergenceError on a non-finite loss (or parameters), after restoring the
        parameters of the last good epoch.
        """
        cfg = self.config
        self.history.engine = "engine" if self.uses_engine() else (
            "reference: fast=False" if not self.fast else
            f"reference: {type(self.model).__name__}.loss is not numpynn's Network.loss")
        good_state = _copy_state(self.model)
        step = self._train_step()
        if step is not None and engine.FlatParams.applies(self.model, self.optimizer):
            # params as views of one flat array until the end (callbacks see the views)
            step.flat = engine.FlatParams(self.model, step.engine, self.optimizer)
        try:
            for cb in self.callbacks:
                cb.on_train_begin(self)
            with flush_denormals():  # subnormals cost a CPU a hundred cycles each
                while self.epoch < cfg.epochs and not self.history.stop_reason:
                    self._run_epoch(self.epoch + 1, good_state)
        finally:  # also on Ctrl-C or divergence: the last finished epoch reaches the disk
            if step is not None and step.flat is not None:
                step.flat.release()  # the model's own arrays hold the values again
                step.flat = None
            self._write_unsaved_checkpoint()
        if not self.history.stop_reason:
            self.history.stop_reason = f"completed {cfg.epochs} epochs"
        if cfg.keep_best and self.best_state is not None:
            _restore_state(self.model, self.best_state)
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def divergence_limit(self, first_loss: float | None = None) -> float | None:
        """The largest finite minibatch loss that is not a divergence:
        :data:`DIVERGENCE_GROWTH` times the reference loss (at least 1). The reference is
        the loss of all-zero scores on (up to 1,000 of) the training rows for a numpynn
        Network, else ``first_loss``, the first step's (None until it is known)."""
        if self._loss_limit is None:
            ref = None
            model = self.model
            if isinstance(model, Network):
                n = min(self.X_train.shape[0], 1000)
                zeros = np.zeros((n, model.num_outputs), dtype=model.dtype)
                with np.errstate(all="ignore"):
                    ref = float(model.loss_fn(zeros, self.y_train[:n])[0])
            elif first_loss is not None and math.isfinite(first_loss):
                ref = first_loss
            if ref is None or not math.isfinite(ref):
                return None
            self._reference_loss = ref
            self._loss_limit = DIVERGENCE_GROWTH * max(ref, 1.0)
        return self._loss_limit

    def _grew_too_far(self, loss: float) -> bool:
        limit = self.divergence_limit(loss)
        return limit is not None and loss > limit

    def _growth_text(self, loss: float) -> str:
        return (f"the loss grew to {loss:.3g}, more than {DIVERGENCE_GROWTH:g} times the "
                f"loss of predicting nothing ({self._reference_loss:.3g})"
                if isinstance(self.model, Network) else
                f"the loss grew to {loss:.3g}, more than {DIVERGENCE_GROWTH:g} times the first "
                f"step's ({self._reference_loss:.3g})")

    def stop(self, reason: str) -> None:
        """Ask training to end after the current epoch (callbacks use it); ``reason`` is
        recorded as ``history.stop_reason``."""
        self.history.stop_reason = reason

    def _run_epoch(self, epoch: int, good_state: dict[str, np.ndarray]) -> None:
        """One pass over the shuffled training set, then evaluation and checkpoint."""
        N, B = self.X_train.shape[0], self.config.batch_size
        params = self.model.params
        started = time.perf_counter()
        order = self.rng.permutation(N)
        step = self._train_step()
        for start in range(0, N, B):
            if step is not None:  # gather, loss, and (if finite) backward and update
                loss = step(order, start, self.optimizer)
                if not math.isfinite(loss):
                    self._diverged(epoch, good_state, loss)
                if self._grew_too_far(loss):
                    self._diverged(epoch, good_state, self._growth_text(loss), loss)
            else:
                idx = order[start : start + B]
                xb = self.X_train[idx]
                if self.augment is not None:
                    self.augment(xb, self.rng)
                if self.sample_weight is None:
                    loss, grads = self.model.loss(xb, self.y_train[idx])
                else:
                    loss, grads = self.model.loss(xb, self.y_train[idx],
                                                  sample_weight=self.sample_weight[idx])
                loss = float(loss)
                if not math.isfinite(loss):
                    self._diverged(epoch, good_state, loss)
                if self._grew_too_far(loss):
                    self._diverged(epoch, good_state, self._growth_text(loss), loss)
                self.optimizer.step(params, grads)
            self.step_count += 1
            self.history.step_loss.append(float(loss))
            for cb in self.callbacks:
                cb.on_step_end(self, float(loss))
        # an update can overflow although the loss before it was finite
        if not all(np.isfinite(v).all() for v in params.values()):
            self._diverged(epoch, good_state, "the parameters became inf or NaN")
        self._end_epoch(epoch, time.perf_counter() - started)
        _copy_state(self.model, into=good_state)
        if self.checkpoint is not None:
            ending = epoch >= self.config.epochs or bool(self.history.stop_reason)
            self._checkpoint_epoch(last=ending)
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch)

    def _train_step(self) -> TrainStep | None:
        """The engine's step for this epoch, or None for the reference loop."""
        if not self.uses_engine():
            return None
        step = self._step
        if step is None or step.model is not self.model or step.B != self.config.batch_size:
            step = self._step = TrainStep(self.model, self.X_train, self.y_train,
                                          self.config.batch_size, self.sample_weight,
                                          augment=self.augment, rng=self.rng)
        return step

    def _end_epoch(self, epoch: int, seconds: float) -> None:
        cfg, h = self.config, self.history
        train_score, train_loss = self.scorer(self.model, self.X_train, self.y_train,
                                              idx=self.eval_idx)
        h.epochs.append(epoch)
        h.train_score.append(train_score)
        h.train_loss.append(train_loss)
        if self.X_val is not None:
            val_score, val_loss = self.scorer(self.model, self.X_val, self.y_val)
            h.val_score.append(val_score)
            h.val_loss.append(val_loss)
        else:  # no validation: none recorded; a plateau schedule watches the training loss
            val_score, val_loss = train_score, train_loss
        h.lr.append(self.optimizer.lr)
        h.seconds.append(seconds)
        if self.X_val is None:  # nothing to select or stop on: the last epoch is kept
            h.best_epoch, h.best_rule = epoch, NO_VALIDATION_RULE
        elif self._improves(val_score, val_loss):
            self.best_val_score, self.best_val_loss = val_score, val_loss
            self.bad_epochs, h.best_epoch = 0, epoch
            h.best_rule = select_rule(self.select, self.score_name)
            self.best_state = _copy_state(self.model)
        else:
            self.bad_epochs += 1
            if cfg.patience is not None and self.bad_epochs >= cfg.patience:
                best = (f"loss {self.best_val_loss:.4f}" if self.select == "loss" else
                        f"{score_label(self.score_name)} {self.best_val_score:.4f}")
                self.stop(
                    f"early stopping after epoch {epoch}: no "
                    f"{select_rule(self.select, self.score_name)} "
                    f"improvement for {cfg.patience} epochs (best {best} at epoch "
                    f"{h.best_epoch})"
                )
        self.optimizer.lr = self.schedule.lr_for_epoch_end(epoch, val_loss)
        self.epoch = epoch

    def _improves(self, val_score: float, val_loss: float) -> bool:
        """Whether this epoch beats the best so far under ``config.select``."""
        if self.select == "accuracy":  # the score; the lower loss breaks ties
            return val_score > self.best_val_score or (
                val_score == self.best_val_score and val_loss < self.best_val_loss)
        if not math.isfinite(val_loss):
            return False
        return val_loss < self.best_val_loss or (
            val_loss == self.best_val_loss and val_score > self.best_val_score)

    def _diverged(
        self, epoch: int, good_state: dict[str, np.ndarray], loss: float | str,
        value: float | None = None,
    ) -> None:
        """Restore the last good epoch and raise DivergenceError; ``loss`` is the non-finite
        loss or the words for what went wrong (``value``: the finite loss they describe)."""
        _restore_state(self.model, good_state)
        lr = self.optimizer.lr
        what = loss if isinstance(loss, str) else f"the loss became {loss}"
        kept = (f"The parameters from the last good epoch {epoch - 1} were kept."
                if epoch > 1 else "The initial parameters were kept.")
        self.history.stop_reason = f"diverged in epoch {epoch} ({what})"
        if self.step_count == 0 and (not isinstance(loss, str) or value is not None):
            loss = loss if value is None else f"{value:.3g}"
            # no update has happened yet: the learning rate cannot be the cause
            largest = max(float(np.abs(v).max()) for v in self.model.params.values())
            penalty = self._penalty()
            total = value if value is not None else float(loss)
            limit, reg = self._loss_limit, float(getattr(self.model, "reg", 0.0) or 0.0)
            # without reg's term no divergence, and reg above the usual (a usual reg's
            # term is large only on weights that are too large: the message below)
            if math.isfinite(total) and reg > 1e-2 and (
                    total - penalty <= limit if limit is not None else penalty >= 0.5 * total):
                raise DivergenceError(
                    f"training cannot start: the loss of the initial parameters on the "
                    f"first batch is already {loss}, of which {penalty:.3g} is the L2 term "
                    f"0.5 * reg * sum(W**2) (no update was made, so the learning rate is "
                    f"not the cause): `reg`={reg:g} is far too large; lower it "
                    "(typical values are 1e-5 to 1e-2)."
                )
            raise DivergenceError(
                f"training cannot start: the loss of the initial parameters on the first "
                f"batch is already {loss} (no update was made, so the learning rate is not "
                f"the cause; the largest initial weight is {largest:.3g}). The initial "
                "weights are too large (use `weight_scale` he, glorot or a small number "
                "such as 0.01) or the inputs have an extreme scale (use "
                "`preprocessing='standardize'`)."
            )
        raise DivergenceError(
            f"training diverged in epoch {epoch}: {what}. {kept} "
            f"Try a smaller learning rate, e.g. `lr={lr / 10:g}`."
        )

    def _penalty(self) -> float:
        """The model's L2 term, ``0.5 * reg * sum(W**2)`` over its decayed parameters
        (0.0 for a model without them)."""
        reg = float(getattr(self.model, "reg", 0.0) or 0.0)
        keys = getattr(self.model, "decay_keys", ())
        with np.errstate(over="ignore"):
            return 0.5 * reg * sum(float(np.sum(np.square(self.model.params[k],
                                                          dtype=np.float64)))
                                   for k in keys)

    # -------------------------------------------------------------------- checkpoints
    def _checkpoint_epoch(self, last: bool) -> None:
        """Write the checkpoint of the epoch just finished if it is the first or the last
        one or ``checkpoint_every`` seconds have passed; else keep it in memory."""
        written = self._checkpoint_written
        if last or written is None or time.monotonic() - written >= self.checkpoint_every:
            self._unsaved_checkpoint = None
            self.save_checkpoint(self.checkpoint)
        else:
            self._unsaved_checkpoint = self._checkpoint_contents(copy_live=True)

    def _write_unsaved_checkpoint(self) -> None:
        if self._unsaved_checkpoint is not None:  # only kept when there is a checkpoint
            contents, self._unsaved_checkpoint = self._unsaved_checkpoint, None
            self._write_checkpoint(self.checkpoint, contents)

    def save_checkpoint(self, path: str | Path) -> Path:
        """Write everything needed to resume bit-identically, atomically, to ``path``."""
        return self._write_checkpoint(path, self._checkpoint_contents())

    def _write_checkpoint(self, path: str | Path,
                          contents: tuple[dict[str, Any], dict[str, np.ndarray]]) -> Path:
        written = write_container(path, *contents)
        self._checkpoint_written = time.monotonic()
        return written

    def _checkpoint_contents(self, copy_live: bool = False
                             ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The checkpoint's JSON header and arrays. The model's own arrays are live ones
        unless ``copy_live`` (to keep them past the next step); the optimiser's state and
        the best parameters are copies already (and never changed in place)."""
        model_rng = getattr(self.model, "rng", None)
        optimizer = self.optimizer.state_dict()
        header = {
            "kind": "checkpoint",
            "config": self.config.to_dict(),
            "architecture": _architecture(self.model),
            "epoch": self.epoch,
            "step_count": self.step_count,
            "history": self.history.to_dict(),
            "rng": self.rng.bit_generator.state,
            "model_rng": (model_rng.bit_generator.state
                          if isinstance(model_rng, np.random.Generator) else None),
            "optimizer": {k: v for k, v in optimizer.items() if k != "arrays"},
            "schedule": self.schedule.state_dict(),
            "best_val_score": self.best_val_score,
            "best_val_loss": self.best_val_loss if math.isfinite(self.best_val_loss) else None,
            "bad_epochs": self.bad_epochs,
            "has_best": self.best_state is not None,
            "extra": self.checkpoint_extra,
        }
        arrays = _copy_state(self.model) if copy_live else dict(_live_state(self.model))
        arrays |= {f"opt/{k}": v for k, v in optimizer["arrays"].items()}
        if self.best_state is not None:
            arrays |= {f"best/{k}": v for k, v in self.best_state.items()}
        return header, arrays

    def resume(self, path: str | Path) -> None:
        """Load a checkpoint written by :meth:`save_checkpoint` into this trainer."""
        header, arrays = read_checkpoint(path)
        if header.get("architecture") != _architecture(self.model):
            raise ModelFileError(f"checkpoint {path} was written for another architecture.")
        try:
            own = _live_state(self.model)
            saved = {k: v for k, v in arrays.items() if k.startswith(("param/", "buffer/"))}
            _check_state(saved, own)
            best = _group(arrays, "best/")
            if header["has_best"]:
                _check_state(best, own)
            # checkpoints of numpynn 0.1 have no "select": they chose by accuracy
            config = TrainConfig.from_dict({"select": "accuracy", **header["config"]})
            optimizer = config.make_optimizer()
            optimizer.load_state_dict({**header["optimizer"], "arrays": _group(arrays, "opt/")})
            for key, arr in optimizer.state_dict()["arrays"].items():
                slot, _, pkey = key.partition("/")
                if pkey not in self.model.params or arr.shape != self.model.params[pkey].shape:
                    raise ValueError(f"optimiser state {key!r} does not fit the model")
            schedule = config.make_schedule()
            schedule.load_state_dict(header["schedule"])
            history = History.from_dict(header["history"])
            self.rng.bit_generator.state = header["rng"]
            model_rng = getattr(self.model, "rng", None)
            if header.get("model_rng") is not None and isinstance(model_rng,
                                                                 np.random.Generator):
                model_rng.bit_generator.state = header["model_rng"]
            _restore_state(self.model, saved)
            self.config, self.optimizer, self.schedule = config, optimizer, schedule
            self.select = resolve_select(config.select, 0 if self.X_val is None
                                         else self.X_val.shape[0])
            history.score_name = self.score_name
            self.history = history
            self.epoch = int(header["epoch"])
            self.step_count = int(header["step_count"])
            # checkpoints of before numpynn 0.3 name it best_val_acc, whatever the score
            self.best_val_score = float(header.get("best_val_score",
                                                   header.get("best_val_acc")))
            best_loss = header.get("best_val_loss")
            self.best_val_loss = math.inf if best_loss is None else float(best_loss)
            self.bad_epochs = int(header["bad_epochs"])
            self.best_state = None
            if header["has_best"]:
                self.best_state = {k: np.array(v, dtype=own[k].dtype) for k, v in best.items()}
        except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                OverflowError) as exc:  # InputErrors (ValueErrors) are reworded here too
            raise ModelFileError(f"checkpoint {path} is inconsistent ({exc}); it cannot be "
                                 "resumed: start the training again.") from None


def _check_model(model: Any) -> None:
    """CS231n's protocol: a dict ``params`` of float arrays and a callable ``loss``."""
    params = getattr(model, "params", None)
    if not callable(getattr(model, "loss", None)) or not isinstance(params, Mapping) or (
            not params) or not all(isinstance(v, np.ndarray) and v.dtype.kind == "f"
                                   for v in params.values()):
        raise InputError(
            f"model must have a dict `params` of float arrays and a method `loss(X, y)` "
            f"returning (loss, grads) (CS231n's protocol); got {type(model).__name__}.")


def _architecture(model: Any) -> Any:
    """What a checkpoint records to recognise the model: its config, or its param shapes."""
    if callable(getattr(model, "config", None)):
        return model.config()
    return {"params": {k: list(v.shape) for k, v in model.params.items()}}


def _live_state(model: Any) -> dict[str, np.ndarray]:
    """The model's arrays that training changes: ``param/<key>`` and ``buffer/<key>``."""
    state = {f"param/{k}": v for k, v in model.params.items()}
    buffers = getattr(model, "buffers", None)
    if isinstance(buffers, Mapping):
        state |= {f"buffer/{k}": v for k, v in buffers.items()}
    return state


def _copy_state(model: Any, into: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """A copy of :func:`_live_state` (or copied into ``into``'s arrays)."""
    live = _live_state(model)
    if into is None:
        return {k: v.copy() for k, v in live.items()}
    for k, v in live.items():
        np.copyto(into[k], v)
    return into


def _restore_state(model: Any, state: Mapping[str, np.ndarray]) -> None:
    """Write ``state`` back into the model's own arrays (in place)."""
    for k, v in _live_state(model).items():
        np.copyto(v, state[k], casting="unsafe")


def _check_state(saved: Mapping[str, np.ndarray], own: Mapping[str, np.ndarray]) -> None:
    if set(saved) != set(own) or any(saved[k].shape != own[k].shape for k in own):
        raise ValueError("the saved parameters do not match the model")


def read_checkpoint(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Header and arrays of a checkpoint file (ModelFileError if damaged or foreign)."""
    return read_container(path, "checkpoint")


def _group(arrays: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
