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
from numpynn.validation import check_int, check_number

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

SCHEDULES: tuple[str, ...] = ("constant", "step", "cosine", "plateau")


class Schedule(ABC):
    """Base class of the learning-rate schedules.

    Attributes:
        initial_lr: the rate for the first epoch, as given at construction.
        lr: the rate last returned by ``lr_for_epoch_end`` (``initial_lr`` before that).
    """

    name: ClassVar[str] = ""

    def __init__(self, lr: float) -> None:
        self.initial_lr: float = check_number(lr, "lr", low=0.0)
        self.lr: float = self.initial_lr

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
        return {"lr": self.initial_lr}

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
        if not isinstance(state, Mapping):
            raise InputError(f"state must be a dict from state_dict(), got {type(state)}")
        expected = {"name", "hyper", "lr", *self._extra()}
        if set(state) != expected:
            raise InputError(
                f"schedule state must have the keys {sorted(expected)}, got {sorted(state)}"
            )
        if state["name"] != self.name:
            raise InputError(
                f"schedule state is for {state['name']!r}, cannot load it into {self.name!r}"
            )
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


class ConstantLR(Schedule):
    """The same learning rate every epoch."""

    name: ClassVar[str] = "constant"

    def _next(self, epoch: int, val_loss: float | None) -> float:
        return self.initial_lr


class StepDecay(Schedule):
    """Multiply the rate by ``decay`` after every ``every`` epochs.

    After epoch ``e``: ``lr * decay ** (e // every)``. With ``every=1`` this is CS231n's
    ``learning_rate_decay`` (the rate is multiplied by ``decay`` after each epoch).

    Args:
        lr: initial learning rate >= 0.
        decay: factor in (0, 1].
        every: integer >= 1, epochs between decays.
    """

    name: ClassVar[str] = "step"

    def __init__(self, lr: float, decay: float = 0.95, every: int = 1) -> None:
        super().__init__(lr)
        self.decay = check_number(decay, "decay", low=0.0, high=1.0, low_open=True)
        self.every = check_int(every, "every", low=1)

    def _hyper(self) -> dict[str, Any]:
        return {"lr": self.initial_lr, "decay": self.decay, "every": self.every}

    def _next(self, epoch: int, val_loss: float | None) -> float:
        return self.initial_lr * self.decay ** (epoch // self.every)


class CosineDecay(Schedule):
    """Half a cosine from ``lr`` down to ``min_lr`` over ``total_epochs`` epochs.

    After epoch ``e``: ``min_lr + 0.5 * (lr - min_lr) * (1 + cos(pi * e / total_epochs))``
    with ``e`` clipped at ``total_epochs`` (so the rate stays at ``min_lr`` afterwards).

    Args:
        lr: initial learning rate >= 0.
        total_epochs: integer >= 1.
        min_lr: final rate, in [0, lr].
    """

    name: ClassVar[str] = "cosine"

    def __init__(self, lr: float, total_epochs: int, min_lr: float = 0.0) -> None:
        super().__init__(lr)
        self.total_epochs = check_int(total_epochs, "total_epochs", low=1)
        self.min_lr = check_number(min_lr, "min_lr", low=0.0, high=self.initial_lr)

    def _hyper(self) -> dict[str, Any]:
        return {"lr": self.initial_lr, "total_epochs": self.total_epochs, "min_lr": self.min_lr}

    def _next(self, epoch: int, val_loss: float | None) -> float:
        e = min(epoch, self.total_epochs)
        cos = math.cos(math.pi * e / self.total_epochs)
        return self.min_lr + 0.5 * (self.initial_lr - self.min_lr) * (1.0 + cos)


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

    name: ClassVar[str] = "plateau"

    def __init__(
        self,
        lr: float,
        factor: float = 0.5,
        patience: int = 3,
        min_lr: float = 1e-6,
        threshold: float = 1e-4,
    ) -> None:
        super().__init__(lr)
        self.factor = check_number(
            factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True
        )
        self.patience = check_int(patience, "patience", low=0)
        self.min_lr = check_number(min_lr, "min_lr", low=0.0)
        self.threshold = check_number(threshold, "threshold", low=0.0)
        self.best: float | None = None
        self.num_bad_epochs: int = 0

    def _hyper(self) -> dict[str, Any]:
        return {
            "lr": self.initial_lr,
            "factor": self.factor,
            "patience": self.patience,
            "min_lr": self.min_lr,
            "threshold": self.threshold,
        }

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


_KWARGS: dict[str, tuple[str, ...]] = {
    "constant": (),
    "step": ("decay", "every"),
    "cosine": ("total_epochs", "min_lr"),
    "plateau": ("factor", "patience", "min_lr", "threshold"),
}


def make_schedule(name: str, lr: float, **kwargs: Any) -> Schedule:
    """Build a schedule by name (case-insensitive), one of :data:`SCHEDULES`.

    ``kwargs`` are the schedule's arguments: ``decay``, ``every`` (step);
    ``total_epochs`` (required), ``min_lr`` (cosine); ``factor``, ``patience``, ``min_lr``,
    ``threshold`` (plateau).

    Raises:
        InputError: unknown name, an argument the schedule does not take, a missing
            ``total_epochs`` for cosine, or a value out of range.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in _KWARGS:
        raise InputError(f"unknown schedule {name!r}; valid names: {', '.join(SCHEDULES)}")
    allowed = _KWARGS[key]
    for arg in kwargs:
        if arg not in allowed:
            raise InputError(
                f"schedule {key!r} takes no argument {arg!r}; it takes lr"
                + "".join(f", {a}" for a in allowed)
            )
    if key == "constant":
        return ConstantLR(lr)
    if key == "step":
        return StepDecay(lr, **kwargs)
    if key == "cosine":
        if "total_epochs" not in kwargs:
            raise InputError("schedule 'cosine' needs total_epochs (an integer >= 1)")
        return CosineDecay(lr, **kwargs)
    return ReduceOnPlateau(lr, **kwargs)


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
