"""The training loop (CS231n's Solver, grown up).

:class:`Trainer` runs shuffled minibatch gradient descent on a model with the
``params`` / ``_loss_and_grads`` interface of :class:`numpynn.models.MLP`: every
example once per epoch, validation after each epoch, a :class:`History`, early stopping
with the best parameters restored, divergence detection, checkpoints that resume
bit-identically, and callbacks for progress bars and reports. Same seed, same result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from . import fastpath
from .errors import DivergenceError, InputError, ModelFileError
from .fastpath import FastStep
from .io import read_container, write_container
from .losses import softmax_cross_entropy
from .models import MLP
from .optim import OPTIMIZERS, Optimizer, make_optimizer
from .schedules import SCHEDULES, Schedule, make_schedule
from .validation import check_features, check_labels, check_positive_int

#: Seeds are integers in 0..2**32-1 everywhere (the range numpy's legacy seeding takes).
SEED_MAX = 2**32 - 1


@dataclass
class TrainConfig:
    """How to train. Every field is JSON-serialisable (it is stored in checkpoints).

    epochs: passes over the training set; batch_size: examples per step (the last
    batch of an epoch may be smaller); optimizer: one of numpynn.optim.OPTIMIZERS with
    ``lr`` and ``optimizer_kwargs``; schedule: one of numpynn.schedules.SCHEDULES with
    ``schedule_kwargs`` (``"step"`` uses ``lr_decay`` as CS231n's learning_rate_decay);
    patience: stop after this many epochs without a better validation accuracy (None:
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
    lr_decay: float = 0.95
    schedule_kwargs: dict[str, Any] = field(default_factory=dict)
    patience: int | None = None
    keep_best: bool = True
    eval_samples: int | None = 10_000
    seed: int | None = 0

    def __post_init__(self) -> None:
        self.epochs = check_positive_int(self.epochs, "epochs")
        self.batch_size = check_positive_int(self.batch_size, "batch_size")
        if self.patience is not None:
            if isinstance(self.patience, bool) or not isinstance(self.patience, int) or (
                self.patience < 1
            ):
                raise InputError(f"patience must be a positive integer or None; got "
                                 f"{self.patience!r}.")
        if self.eval_samples is not None:
            self.eval_samples = check_positive_int(self.eval_samples, "eval_samples")
        if not isinstance(self.optimizer, str) or self.optimizer.lower() not in OPTIMIZERS:
            raise InputError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got "
                             f"{self.optimizer!r}.")
        if not isinstance(self.schedule, str) or self.schedule.lower() not in SCHEDULES:
            raise InputError(f"schedule must be one of {', '.join(SCHEDULES)}; got "
                             f"{self.schedule!r}.")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or (
                not math.isfinite(self.lr) or self.lr <= 0):
            raise InputError(f"lr (learning rate) must be a positive number; got {self.lr!r}.")
        if not isinstance(self.keep_best, bool):
            raise InputError(f"keep_best must be True or False; got {self.keep_best!r}.")
        if self.seed is not None and (
                isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer))
                or not 0 <= self.seed <= SEED_MAX):
            raise InputError(f"seed must be an integer from 0 to 2**32-1 ({SEED_MAX}) or None; "
                             f"got {self.seed!r}.")
        for name in ("optimizer_kwargs", "schedule_kwargs"):
            if not isinstance(getattr(self, name), dict):
                raise InputError(f"{name} must be a dict of keyword arguments; got "
                                 f"{getattr(self, name)!r:.60}.")
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
        return cls(**data)


@dataclass
class History:
    """What happened: the loss of every step and the metrics of every epoch.

    train_loss/val_loss are data losses (no regularisation) measured after the epoch;
    step_loss is the full objective of each minibatch step. ``seconds`` holds each
    epoch's wall time (not part of the deterministic record).
    """

    step_loss: list[float] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int = 0
    stop_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> History:
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


def accuracy_and_loss(
    model: MLP, X: np.ndarray, y: np.ndarray, chunk: int = 8192,
    idx: np.ndarray | None = None,
) -> tuple[float, float]:
    """Accuracy and mean data loss of ``model`` on validated X: (N, D), y: (N,).

    idx: evaluate only these rows, gathered a chunk (<= 16 MiB) at a time instead of
    copying them all first.
    """
    if idx is not None:
        chunk = max(1, min(chunk, (1 << 24) // max(1, X.shape[1] * X.itemsize)))
    n = X.shape[0] if idx is None else idx.shape[0]
    correct, total_loss = 0, 0.0
    for start in range(0, n, chunk):
        if idx is None:
            Xb, yb = X[start : start + chunk], y[start : start + chunk]
        else:
            rows = idx[start : start + chunk]
            Xb, yb = X[rows], y[rows]
        scores = model._scores(Xb)
        loss, _ = softmax_cross_entropy(scores.astype(np.float64), yb)
        total_loss += loss * yb.shape[0]
        correct += int(np.sum(np.argmax(scores, axis=1) == yb))
    return correct / n, total_loss / n


class Trainer:
    """Minibatch training of ``model`` on X_train: (N, D), y_train: (N,).

    X_val/y_val: validation data (optional: without it, early stopping and keep_best
    use nothing and the last parameters are kept). checkpoint: path of a ``.npz``
    written atomically after every epoch; :meth:`resume` continues from it.
    fast: train an :class:`MLP` with :mod:`numpynn.fastpath` (preallocated workspaces,
    fused updates; the same results to float rounding, deterministic per seed, the same
    optimiser state and checkpoints); False runs the readable reference loop
    (``model._loss_and_grads`` + ``optimizer.step``), as does a replaced ``_loss_fn``.
    """

    def __init__(
        self,
        model: MLP,
        X_train: np.ndarray,
        y_train: np.ndarray,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        config: TrainConfig | None = None,
        callbacks: Iterable[Callback] = (),
        checkpoint: str | Path | None = None,
        checkpoint_extra: Mapping[str, Any] | None = None,
        fast: bool = True,
    ) -> None:
        if not isinstance(config, (TrainConfig, type(None))):
            raise InputError(f"config must be a TrainConfig (e.g. TrainConfig(optimizer="
                             f"'adam')) or None; got {type(config).__name__} {config!r:.60}.")
        if not (hasattr(model, "params") and hasattr(model, "_loss_and_grads")):
            raise InputError(f"model must be a numpynn model such as MLP; got "
                             f"{type(model).__name__}.")
        self.model = model
        self.config = config if config is not None else TrainConfig()
        self.X_train = check_features(X_train, model.input_dim, model.dtype, "X_train")
        self.y_train = check_labels(y_train, self.X_train.shape[0], model.num_classes, "y_train")
        if (X_val is None) != (y_val is None):
            raise InputError("give both X_val and y_val, or neither.")
        if X_val is not None:
            self.X_val = check_features(X_val, model.input_dim, model.dtype, "X_val")
            self.y_val = check_labels(y_val, self.X_val.shape[0], model.num_classes, "y_val")
        else:
            self.X_val = self.y_val = None
        self.callbacks = list(callbacks)
        self.checkpoint = Path(checkpoint) if checkpoint is not None else None
        self.checkpoint_extra = dict(checkpoint_extra or {})
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
        self.best_val_acc = -1.0
        self.best_params: dict[str, np.ndarray] | None = None
        self.bad_epochs = 0
        self.step_count = 0
        self._loss_fn = model._loss_and_grads
        # fast: the optimised step of numpynn.fastpath (same results to float rounding);
        # False, or a replaced _loss_fn, runs the readable reference loop below.
        self.fast = fast
        self._fast_step: FastStep | None = None

    # ----------------------------------------------------------------------- training
    def train(self) -> History:
        """Train for the configured epochs (from the current epoch on). Returns the history.

        Raises DivergenceError on a non-finite loss (or parameters), after restoring the
        parameters of the last good epoch.
        """
        cfg = self.config
        params = self.model.params
        good_params = {k: v.copy() for k, v in params.items()}
        for cb in self.callbacks:
            cb.on_train_begin(self)
        try:
            while self.epoch < cfg.epochs and not self.history.stop_reason:
                self._run_epoch(self.epoch + 1, good_params)
        finally:
            if self._fast_step is not None:
                self._fast_step.close()  # stops a prefetch thread, also on divergence
        if not self.history.stop_reason:
            self.history.stop_reason = f"completed {cfg.epochs} epochs"
        if cfg.keep_best and self.best_params is not None:
            for k, v in self.best_params.items():
                np.copyto(params[k], v)
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def stop(self, reason: str) -> None:
        """Ask training to end after the current epoch (callbacks use it); ``reason`` is
        recorded as ``history.stop_reason``."""
        self.history.stop_reason = reason

    def _run_epoch(self, epoch: int, good_params: dict[str, np.ndarray]) -> None:
        """One pass over the shuffled training set, then evaluation and checkpoint."""
        N, B = self.X_train.shape[0], self.config.batch_size
        params = self.model.params
        started = time.perf_counter()
        order = self.rng.permutation(N)
        fast = self._fast()
        for start in range(0, N, B):
            if fast is not None:  # gather, loss, and (if finite) backward and update
                loss = fast(order, start, self.optimizer)
                if not math.isfinite(loss):
                    self._diverged(epoch, good_params, loss)
            else:
                idx = order[start : start + B]
                loss, grads = self._loss_fn(self.X_train[idx], self.y_train[idx])
                if not math.isfinite(loss):
                    self._diverged(epoch, good_params, loss)
                self.optimizer.step(params, grads)
            self.step_count += 1
            self.history.step_loss.append(float(loss))
            for cb in self.callbacks:
                cb.on_step_end(self, float(loss))
        # an update can overflow although the loss before it was finite
        if not all(np.isfinite(v).all() for v in params.values()):
            self._diverged(epoch, good_params, "the parameters became inf or NaN")
        self._end_epoch(epoch, time.perf_counter() - started)
        for k, v in params.items():
            np.copyto(good_params[k], v)
        if self.checkpoint is not None:
            self.save_checkpoint(self.checkpoint)
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch)

    def _fast(self) -> FastStep | None:
        """The fast step for this epoch, or None for the reference loop."""
        if not (self.fast and fastpath.supports(self.model)
                and self._loss_fn == self.model._loss_and_grads):
            return None
        step = self._fast_step
        if step is None or step.model is not self.model or step.B != self.config.batch_size:
            if step is not None:
                step.close()
            step = self._fast_step = FastStep(self.model, self.optimizer, self.X_train,
                                              self.y_train, self.config.batch_size)
        return step

    def _end_epoch(self, epoch: int, seconds: float) -> None:
        cfg, h = self.config, self.history
        train_acc, train_loss = accuracy_and_loss(self.model, self.X_train, self.y_train,
                                                  idx=self.eval_idx)
        if self.X_val is not None:
            val_acc, val_loss = accuracy_and_loss(self.model, self.X_val, self.y_val)
        else:
            val_acc, val_loss = train_acc, train_loss
        h.epochs.append(epoch)
        h.train_acc.append(train_acc)
        h.train_loss.append(train_loss)
        h.val_acc.append(val_acc)
        h.val_loss.append(val_loss)
        h.lr.append(self.optimizer.lr)
        h.seconds.append(seconds)
        if self.X_val is None:  # nothing to select or stop on: the last epoch is kept
            h.best_epoch = epoch
        elif val_acc > self.best_val_acc:
            self.best_val_acc, self.bad_epochs, h.best_epoch = val_acc, 0, epoch
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        else:
            self.bad_epochs += 1
            if cfg.patience is not None and self.bad_epochs >= cfg.patience:
                self.stop(
                    f"early stopping after epoch {epoch}: no better validation accuracy for "
                    f"{cfg.patience} epochs (best {self.best_val_acc:.4f} at epoch {h.best_epoch})"
                )
        self.optimizer.lr = self.schedule.lr_for_epoch_end(epoch, val_loss)
        self.epoch = epoch

    def _diverged(
        self, epoch: int, good_params: dict[str, np.ndarray], loss: float | str
    ) -> None:
        for k, v in good_params.items():
            np.copyto(self.model.params[k], v)
        lr = self.optimizer.lr
        what = loss if isinstance(loss, str) else f"the loss became {loss}"
        kept = (f"The parameters from the last good epoch {epoch - 1} were kept."
                if epoch > 1 else "The initial parameters were kept.")
        self.history.stop_reason = f"diverged in epoch {epoch} ({what})"
        if self.step_count == 0 and not isinstance(loss, str):
            # no update has happened yet: the learning rate cannot be the cause
            largest = max(float(np.abs(v).max()) for v in self.model.params.values())
            raise DivergenceError(
                f"training cannot start: the loss of the initial parameters on the first "
                f"batch is already {loss} (no update was made, so the learning rate is not "
                f"the cause; the largest initial weight is {largest:.3g}). The initial "
                "weights are too large (use --weight-scale he, glorot or a small number "
                "such as 0.01) or the inputs have an extreme scale (use --preprocessing "
                "standardize)."
            )
        raise DivergenceError(
            f"training diverged in epoch {epoch}: {what}. {kept} "
            f"Try a smaller learning rate, e.g. --lr {lr / 10:g}."
        )

    # -------------------------------------------------------------------- checkpoints
    def save_checkpoint(self, path: str | Path) -> Path:
        """Write everything needed to resume bit-identically, atomically, to ``path``."""
        header = {
            "kind": "checkpoint",
            "config": self.config.to_dict(),
            "architecture": self.model.config(),
            "epoch": self.epoch,
            "step_count": self.step_count,
            "history": self.history.to_dict(),
            "rng": self.rng.bit_generator.state,
            "optimizer": {k: v for k, v in self.optimizer.state_dict().items() if k != "arrays"},
            "schedule": self.schedule.state_dict(),
            "best_val_acc": self.best_val_acc,
            "bad_epochs": self.bad_epochs,
            "has_best": self.best_params is not None,
            "extra": self.checkpoint_extra,
        }
        arrays = {f"param/{k}": v for k, v in self.model.params.items()}
        arrays |= {f"opt/{k}": v for k, v in self.optimizer.state_dict()["arrays"].items()}
        if self.best_params is not None:
            arrays |= {f"best/{k}": v for k, v in self.best_params.items()}
        return write_container(path, header, arrays)

    def resume(self, path: str | Path) -> None:
        """Load a checkpoint written by :meth:`save_checkpoint` into this trainer."""
        header, arrays = read_checkpoint(path)
        if header.get("architecture") != self.model.config():
            raise ModelFileError(f"checkpoint {path} was written for another architecture.")
        try:
            self.model.set_params(_group(arrays, "param/"))
            self.config = TrainConfig.from_dict(header["config"])
            self.optimizer = self.config.make_optimizer()
            self.optimizer.load_state_dict({**header["optimizer"],
                                            "arrays": _group(arrays, "opt/")})
            self.schedule = self.config.make_schedule()
            self.schedule.load_state_dict(header["schedule"])
            self.rng.bit_generator.state = header["rng"]
            self.history = History.from_dict(header["history"])
            self.epoch = int(header["epoch"])
            self.step_count = int(header["step_count"])
            self.best_val_acc = float(header["best_val_acc"])
            self.bad_epochs = int(header["bad_epochs"])
            self.best_params = None
            if header["has_best"]:
                best, own = _group(arrays, "best/"), self.model.params
                if set(best) != set(own) or any(best[k].shape != own[k].shape for k in own):
                    raise ValueError("the best parameters do not match the model")
                self.best_params = {k: np.array(v, dtype=self.model.dtype) for k, v in best.items()}
        except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                OverflowError) as exc:  # InputErrors (ValueErrors) are reworded here too
            raise ModelFileError(f"checkpoint {path} is inconsistent ({exc}); it cannot be "
                                 "resumed: start the training again.") from None


def read_checkpoint(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Header and arrays of a checkpoint file (ModelFileError if damaged or foreign)."""
    return read_container(path, "checkpoint")


def _group(arrays: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
