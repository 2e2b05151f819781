"""Learning-rate schedules, consulted once at the end of every epoch.

A trainer asks ``schedule.lr_for_epoch_end(epoch, val_loss)`` after epoch ``epoch``
(counted from 1) and sets ``optimizer.lr`` to the answer for the next epoch. Before the
first epoch it uses ``schedule.initial_lr``.

* ``ConstantLR(lr)``: always ``lr``.
* ``StepDecay(lr, decay=0.95, every=1)``: CS231n's ``learning_rate_decay``; after epoch
  ``e`` the rate is ``lr * decay ** (e // every)``.
* ``CosineDecay(lr, total_epochs, min_lr=0.0)``: after epoch ``e`` the rate is
  ``min_lr + 0.5 * (lr - min_lr) * (1 + cos(pi * min(e, total_epochs) / total_epochs))``.
* ``ReduceOnPlateau(lr, factor=0.5, patience=3, min_lr=1e-6, threshold=1e-4)``: the rate
  is multiplied by ``factor`` once the validation loss has gone ``patience`` epochs in a
  row without improving on the best so far by the relative ``threshold``, then the count
  starts again; never below ``min_lr``.

Checkpoints: ``state_dict()`` returns plain JSON-serialisable values::

    {"name": "plateau",                        # one of SCHEDULES
     "hyper": {"lr": 0.1, "factor": 0.5, ...}, # the constructor's arguments
     "lr": 0.05,                               # the rate last returned (initial_lr at first)
     "best": 0.73, "num_bad_epochs": 1}        # ReduceOnPlateau only; best may be None

``load_state_dict`` on a schedule of the same kind, or :func:`schedule_from_state_dict`,
restores it.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from numpynn.errors import InputError
from numpynn.named import REQUIRED, Hyper, Registry, check_hyper, check_state_header
from numpynn.validation import (
    DECAY,
    NONNEGATIVE_INT,
    NONNEGATIVE_NUMBER,
    POSITIVE_INT,
    Rule,
    check_int,
    check_number,
)

__all__ = [
    "SCHEDULES",
    "ConstantLR",
    "CosineDecay",
    "ReduceOnPlateau",
    "Schedule",
    "StepDecay",
    "make_schedule",
    "schedule_from_state_dict",
]

#: every schedule by name: ``SCHEDULES.names()``, ``SCHEDULES.build(name, lr, **hyper)``;
#: a class joins with ``@SCHEDULES.register(name)``
SCHEDULES: Registry[Schedule] = Registry("schedule")


class Schedule(ABC):
    """Base class of the learning-rate schedules.

    Attributes:
        initial_lr: the rate for the first epoch, as given at construction.
        lr: the rate last returned by ``lr_for_epoch_end`` (``initial_lr`` before that).
    """

    #: the constructor's arguments besides ``lr``: default and rule, kept as attributes
    hyper: ClassVar[dict[str, Hyper]] = {}

    def __init__(self, lr: float, *args: Any, **hyper: Any) -> None:
        self.initial_lr: float = check_number(lr, "lr", low=0.0)
        for k, v in check_hyper(self.hyper, hyper, type(self).__name__, args).items():
            setattr(self, k, v)
        self._check_together()
        self.lr: float = self.initial_lr

    @property
    def name(self) -> str:
        """The name this schedule is registered under."""
        return SCHEDULES.name_of(self)

    def _check_together(self) -> None:
        """Checks across arguments, after each has passed its own rule."""
        return None  # a hook: a schedule whose arguments constrain each other overrides it

    def lr_for_epoch_end(self, epoch: int, val_loss: float | None = None) -> float:
        """Return the learning rate for the epoch after ``epoch``.

        Args:
            epoch: the epoch just finished, counted from 1.
            val_loss: its validation loss; needed by ``ReduceOnPlateau`` only. A NaN or
                infinite loss counts as no improvement.

        Raises:
            InputError: ``epoch`` is not an integer >= 1, or ``val_loss`` is not a number
                (or is None where the schedule needs it).
        """
        epoch = check_int(epoch, "epoch", low=1)
        if val_loss is not None:
            if isinstance(val_loss, (bool, np.bool_)) or not isinstance(
                val_loss, (int, float, np.integer, np.floating)
            ):
                raise InputError(f"val_loss must be a number or None, got {val_loss!r}")
            val_loss = float(val_loss)
        self.lr = self._next(epoch, val_loss)
        return self.lr

    @abstractmethod
    def _next(self, epoch: int, val_loss: float | None) -> float:
        ...

    def _hyper(self) -> dict[str, Any]:
        """The constructor's arguments as plain Python scalars."""
        return {"lr": self.initial_lr, **{k: getattr(self, k) for k in self.hyper}}

    def _extra(self) -> dict[str, Any]:
        """Further mutable state, beyond ``lr``, for ``state_dict``."""
        return {}

    def _set_extra(self, state: Mapping[str, Any]) -> None:
        """Restore what ``_extra`` returned (validated, already)."""
        return None  # a hook: subclasses with extra state override it

    def state_dict(self) -> dict[str, Any]:
        """The schedule's state as JSON-serialisable values; layout in the module docstring."""
        return {"name": self.name, "hyper": self._hyper(), "lr": self.lr, **self._extra()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a ``state_dict()`` of a schedule of the same kind and arguments.

        Raises:
            InputError: ``state`` comes from another kind of schedule, with other
                constructor arguments, or is malformed. The schedule is left unchanged.
        """
        check_state_header(state, "schedule", {"name", "hyper", "lr", *self._extra()},
                           self.name)
        hyper = state["hyper"]
        if not isinstance(hyper, Mapping) or dict(hyper) != self._hyper():
            raise InputError(
                f"schedule state has the arguments {hyper!r} but this schedule was built "
                f"with {self._hyper()!r}; build it with the same arguments or use "
                f"schedule_from_state_dict"
            )
        lr = check_number(state["lr"], "schedule state 'lr'", low=0.0)
        self._set_extra(state)
        self.lr = lr

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({args})"


@SCHEDULES.register("constant")
class ConstantLR(Schedule):
    """The same learning rate every epoch."""

    def _next(self, epoch: int, val_loss: float | None) -> float:
        return self.initial_lr


@SCHEDULES.register("step")
class StepDecay(Schedule):
    """Multiply the rate by ``decay`` after every ``every`` epochs.

    After epoch ``e``: ``lr * decay ** (e // every)``. With ``every=1`` this is CS231n's
    ``learning_rate_decay`` (the rate is multiplied by ``decay`` after each epoch).

    Args:
        lr: initial learning rate >= 0.
        decay: factor in (0, 1].
        every: integer >= 1, epochs between decays.
    """

    hyper: ClassVar[dict[str, Hyper]] = {
        "decay": Hyper(0.95, DECAY),
        "every": Hyper(1, POSITIVE_INT),
    }

    def _next(self, epoch: int, val_loss: float | None) -> float:
        return self.initial_lr * self.decay ** (epoch // self.every)


@SCHEDULES.register("cosine")
class CosineDecay(Schedule):
    """Half a cosine from ``lr`` down to ``min_lr`` over ``total_epochs`` epochs.

    After epoch ``e``: ``min_lr + 0.5 * (lr - min_lr) * (1 + cos(pi * e / total_epochs))``
    with ``e`` clipped at ``total_epochs`` (so the rate stays at ``min_lr`` afterwards).

    Args:
        lr: initial learning rate >= 0.
        total_epochs: integer >= 1.
        min_lr: final rate, in [0, lr].
    """

    hyper: ClassVar[dict[str, Hyper]] = {
        "total_epochs": Hyper(REQUIRED, POSITIVE_INT),
        "min_lr": Hyper(0.0, NONNEGATIVE_NUMBER),
    }

    def _check_together(self) -> None:
        check_number(self.min_lr, "min_lr", low=0.0, high=self.initial_lr)

    def _next(self, epoch: int, val_loss: float | None) -> float:
        e = min(epoch, self.total_epochs)
        cos = math.cos(math.pi * e / self.total_epochs)
        return self.min_lr + 0.5 * (self.initial_lr - self.min_lr) * (1.0 + cos)


@SCHEDULES.register("plateau")
class ReduceOnPlateau(Schedule):
    """Cut the rate when the validation loss stops improving.

    An epoch improves when ``val_loss < best - threshold * abs(best)`` (``best``: the lowest
    loss so far; the first finite loss always improves). After ``patience`` epochs in a row
    without improvement the rate becomes ``max(lr * factor, min_lr)`` and the count
    restarts. ``patience=0`` cuts on every epoch that does not improve (as does 1).

    Args:
        lr: initial learning rate >= 0.
        factor: in (0, 1).
        patience: integer >= 0.
        min_lr: floor >= 0; a rate already at or below it is not cut.
        threshold: relative improvement needed, >= 0.
    """

    hyper: ClassVar[dict[str, Hyper]] = {
        "factor": Hyper(0.5, Rule("number", low=0, high=1, low_open=True, high_open=True)),
        "patience": Hyper(3, NONNEGATIVE_INT),
        "min_lr": Hyper(1e-6, NONNEGATIVE_NUMBER),
        "threshold": Hyper(1e-4, NONNEGATIVE_NUMBER),
    }
    best: float | None = None  # the lowest validation loss so far
    num_bad_epochs: int = 0  # epochs in a row without improvement

    def _extra(self) -> dict[str, Any]:
        return {"best": self.best, "num_bad_epochs": self.num_bad_epochs}

    def _set_extra(self, state: Mapping[str, Any]) -> None:
        best = state["best"]
        if best is not None:
            best = check_number(best, "schedule state 'best'")
        num_bad = check_int(state["num_bad_epochs"], "schedule state 'num_bad_epochs'", low=0)
        self.best = best
        self.num_bad_epochs = num_bad

    def _next(self, epoch: int, val_loss: float | None) -> float:
        if val_loss is None:
            raise InputError(
                f"val_loss is None at epoch {epoch}; ReduceOnPlateau needs a validation loss "
                "every epoch (use another schedule when there is no validation set)"
            )
        improved = math.isfinite(val_loss) and (
            self.best is None or val_loss < self.best - self.threshold * abs(self.best)
        )
        if improved:
            self.best = val_loss
            self.num_bad_epochs = 0
            return self.lr
        self.num_bad_epochs += 1
        if self.num_bad_epochs < self.patience:
            return self.lr
        self.num_bad_epochs = 0
        if self.lr <= self.min_lr:
            return self.lr
        return max(self.lr * self.factor, self.min_lr)


def make_schedule(name: str, lr: float, **kwargs: Any) -> Schedule:
    """Build a schedule by name (case-insensitive), one of ``SCHEDULES.names()``.

    ``kwargs`` are the schedule's arguments: ``decay``, ``every`` (step);
    ``total_epochs`` (required), ``min_lr`` (cosine); ``factor``, ``patience``, ``min_lr``,
    ``threshold`` (plateau).

    Raises:
        InputError: unknown name, an argument the schedule does not take, a missing
            ``total_epochs`` for cosine, or a value out of range.
    """
    return SCHEDULES.build(name, lr, **kwargs)


def schedule_from_state_dict(state: Mapping[str, Any]) -> Schedule:
    """Build the schedule a ``state_dict()`` came from and load that state into it."""
    if not isinstance(state, Mapping) or not isinstance(state.get("hyper"), Mapping):
        raise InputError("state must be a dict from Schedule.state_dict()")
    hyper = dict(state["hyper"])
    if "lr" not in hyper:
        raise InputError("schedule state 'hyper' lacks 'lr'")
    lr = hyper.pop("lr")
    sched = make_schedule(str(state.get("name")), lr, **hyper)
    sched.load_state_dict(state)
    return sched
