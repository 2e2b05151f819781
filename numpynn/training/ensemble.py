"""Ensembles: K networks of one architecture from different seeds, trained packed
(:mod:`numpynn.training.packed`), predicting the average of their class probabilities.

Averaging the probabilities of independently initialised networks (a "deep ensemble")
lowers the variance of the prediction: the ensemble's log loss is never above its
members' mean (the log is concave), and its accuracy is usually above a member's.

The members differ in their initial weights, dropout streams and, by default, their data
order (member i is built by ``build(seed_i)`` and shuffles with ``seed_i``): on digits
(64-64-10, Adam, 15 epochs, four random splits) members that shared one order were so
alike that the ensemble's accuracy was not above its members' mean in two splits of
four; with their own orders it was above it in all four. ``own_order=False`` shares
``config.seed``'s order (one gathered batch per step for all members).

The members are returned as an :class:`numpynn.ensemble.Ensemble` (re-exported here),
which model files, ONNX export, ``numpynn train --ensemble K`` and
``MLPClassifier(n_ensemble=K)`` take where they take a network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from ..ensemble import Ensemble
from ..errors import DivergenceError, InputError
from ..models import Network
from ..validation import POSITIVE_INT, check_seed
from .packed import train_packed
from .trainer import History, TrainConfig

__all__ = ["Ensemble", "member_seeds", "refuse_diverged", "train_ensemble"]


def member_seeds(seed: int, n_members: int) -> list[int]:
    """The seeds of ``n_members`` members: member i's depends on (seed, i) alone."""
    seed = check_seed(seed)
    if seed is None:
        raise InputError("seed must be an integer in 0..2**32-1 for an ensemble; got None.")
    return [int(s.generate_state(1)[0])
            for s in np.random.SeedSequence(seed).spawn(n_members)]


def train_ensemble(
    build: Callable[[int], Network],
    n_members: int,
    X_train: np.ndarray,
    y_train: np.ndarray,
    config: TrainConfig,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    seed: int = 0,
    own_order: bool = True,
    budget: int | None = None,
) -> Ensemble:
    """Train ``n_members`` networks packed and return them as an :class:`Ensemble`.

    build: ``build(seed) -> Network``, e.g. ``lambda s: MLP(64, [100], 10, seed=s)``;
    called with :func:`member_seeds` ``(seed, n_members)``. X_train: (N, D), y_train: (N,);
    X_val/y_val: validation rows (each member's epoch selection and early stopping, as
    the Trainer's). config: the training of every member; member i shuffles with its own
    seed, or, with ``own_order=False``, all with ``config.seed``. budget: bytes per pack
    (:func:`numpynn.training.packed.max_pack`).

    Member i is exactly (to rounding) ``build(seeds[i])`` trained alone by the Trainer with
    ``config`` (and, with ``own_order``, ``seed=seeds[i]``).
    """
    n_members = POSITIVE_INT.check(n_members, "n_members")
    if not callable(build):
        raise InputError(f"build must be a function seed -> Network; got {build!r:.60}.")
    if not isinstance(config, TrainConfig):
        raise InputError(f"config must be a TrainConfig; got {type(config).__name__}.")
    seeds = member_seeds(seed, n_members)
    members = [build(s) for s in seeds]
    configs = [replace(config, seed=s if own_order else config.seed) for s in seeds]
    histories = train_packed(members, X_train, y_train, configs, X_val, y_val, budget=budget)
    refuse_diverged(histories, config.lr)
    return Ensemble(members, histories)


def refuse_diverged(histories: Sequence[History], lr: float) -> None:
    """A member that diverged keeps parameters that predict nothing (its initial ones or
    an early epoch's), and its probabilities would be averaged in: the ensemble fails as
    one network's training does (DivergenceError), naming the members."""
    bad = [(i + 1, h.stop_reason) for i, h in enumerate(histories)
           if h.stop_reason.startswith("diverged")]
    if not bad:
        return
    which = ", ".join(str(i) for i, _ in bad)
    raise DivergenceError(
        f"training diverged: member{'s' if len(bad) > 1 else ''} {which} of "
        f"{len(histories)} ({bad[0][1]}); an ensemble would average in networks that "
        f"predict nothing. Try a smaller learning rate, e.g. `lr={lr / 10:g}`.")
