"""``numpynn train --ensemble K``: the run's K networks from different seeds, trained
packed (:func:`numpynn.training.ensemble.train_ensemble`), saved as one
:class:`~numpynn.ensemble.Ensemble` whose probabilities are the members' mean; and the
spread across members that the report and the printed summary show.

What the packed engine cannot train is refused before any data is read, naming the
option: a regression (its outputs are values, not probabilities to average), batch or
layer normalisation, ``class_weight`` (per-row weights), ``refit``. An ensemble run
writes no checkpoint (the engine trains every epoch in one call), so it cannot be
resumed; ``ensemble`` cannot be changed by ``--resume`` either (it is not resumable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..ensemble import Ensemble
from ..errors import InputError
from ..evaluation import evaluate
from ..training.ensemble import member_seeds, refuse_diverged
from ..training.packed import train_packed
from ..training.scores import model_score_name
from ..training.trainer import Callback, History, TrainConfig, resolve_select
from ..validation import POSITIVE_INT

__all__ = ["PackedFit", "check_ensemble", "fit_ensemble", "member_eval_samples",
           "member_table", "spread_text"]


def check_ensemble(options: Any, task: Any) -> None:
    """Refuse, naming the options, an ensemble run the packed engine cannot train
    (``options``: RunOptions with their task's defaults; ``task``: the run's Task)."""
    k = POSITIVE_INT.check(options.ensemble, "ensemble")
    if k == 1:
        return
    if not task.has_classes:
        raise InputError(
            f"`ensemble={k}` averages the class probabilities of {k} classifiers; this run "
            f"is a {task.name} (its outputs are values). Train one network (leave out "
            "`ensemble`) or, for a label column read as numbers, classify with "
            "`task='classification'`.", param="ensemble")
    refused = [(options.normalization is not None,
                f"`normalization='{options.normalization}'`",
                "the packed engine trains affine layers, elementwise activations and "
                "dropout only"),
               (options.class_weight is not None, f"`class_weight='{options.class_weight}'`",
                "the packed engine takes no per-row weights"),
               (options.refit, "`refit`", "a refit of each member is not implemented"),
               (getattr(options, "reg", None) == "auto", "`reg='auto'`",
                "choosing the L2 strength for each member is not implemented: give a "
                "number"),
               ((getattr(options, "cv_folds", None) or 1) > 1,
                f"`cv_folds={getattr(options, 'cv_folds', None)}`",
                "each member stops on the validation split (folds of each are not "
                "implemented)"),
               (getattr(options, "final_fit", "none") == "all", "`final_fit='all'`",
                "a final fit of each member on every row is not implemented (an ensemble "
                "keeps the members its figures describe)")]
    for hit, what, why in refused:
        if hit:
            raise InputError(f"`ensemble={k}` trains its members packed and cannot be "
                             f"combined with {what}: {why}. Leave out one of the two.",
                             param="ensemble")


@dataclass
class PackedFit:
    """What callbacks see of an ensemble's training: ``on_train_begin`` before and
    ``on_train_end`` after (the packed engine trains every epoch in one call, so there
    are no step or epoch events). Attributes as a Trainer's: the model (the ensemble),
    the training and validation arrays (X_val None without a validation split), the
    members' shared config and the run's ``checkpoint_extra`` (no checkpoint is written),
    and, as a Trainer's, the epoch score's name and the resolved rule that keeps an epoch."""

    model: Ensemble
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    config: TrainConfig
    checkpoint_extra: dict[str, Any] = field(default_factory=dict)
    epoch: int = 0
    score_name: str = "accuracy"
    select: str = "loss"


def member_eval_samples(eval_samples: int | None, n_train: int, n_members: int) -> int:
    """Training rows each member scores after every epoch (its history's training curve):
    1/K of what one network of the run would score (``eval_samples`` rows, all when None
    or more than ``n_train``), at least one; so the K members' per-epoch evaluation costs
    one network's."""
    rows = n_train if eval_samples is None else min(eval_samples, n_train)
    return max(1, -(-rows // n_members))


def fit_ensemble(options: Any, splits: Any, callbacks: Iterable[Callback] = (),
                 extra: Mapping[str, Any] | None = None, augment: Any = None
                 ) -> tuple[Ensemble, list[int]]:
    """Train ``options.ensemble`` networks of the run's architecture on ``splits``,
    packed; member i is the task's network for ``options`` initialised from, and
    shuffling with, ``member_seeds(seed, K)[i]`` (seed: the run's, 0 when unset).

    Each member measures its per-epoch training figures on its own random subset of
    :func:`member_eval_samples` rows (the validation split, which chooses the kept
    epoch, is scored in full): on digits the per-epoch evaluation of 5 members on all
    1,437 training rows was 36% of the ensemble's time. Member i is therefore the network
    ``Trainer`` would train alone with ``replace(options.train, seed=seeds[i],
    eval_samples=member_eval_samples(...))`` (and ``augment``: the run's augmentation,
    :func:`numpynn.runs.run.augmentation`, each member's batches with its own draws).

    Returns the trained ensemble (its ``histories`` set) and the members' seeds."""
    task, targets = splits.task, splits.targets
    seed = options.train.seed if options.train.seed is not None else 0
    seeds = member_seeds(seed, options.ensemble)
    n_out = task.n_outputs(splits.dataset, splits.y_train)
    members = [task.build_model(options, splits.X_train.shape[1], n_out, s) for s in seeds]
    has_val = splits.X_val.shape[0] > 0
    # the members' epochs are scored as the run's one network's would be (a balanced
    # accuracy on two imbalanced classes), so an ensemble keeps the epochs it would
    scorer = task.run_scorer(targets, splits.y_train)
    score = None if scorer is None else scorer.name
    score_name = score or model_score_name(members[0])
    fit = PackedFit(Ensemble(members), splits.X_train, targets.transform(splits.y_train),
                    splits.X_val if has_val else None,
                    targets.transform(splits.y_val) if has_val else None,
                    options.train, dict(extra or {}), score_name=score_name,
                    select=resolve_select(options.train.select, splits.X_val.shape[0],
                                          score_name))
    callbacks = list(callbacks)
    for cb in callbacks:
        cb.on_train_begin(fit)  # type: ignore[arg-type]
    try:
        rows = member_eval_samples(options.train.eval_samples, fit.X_train.shape[0],
                                   len(seeds))
        histories = train_packed(
            members, fit.X_train, fit.y_train,
            [replace(options.train, seed=s, eval_samples=rows) for s in seeds],
            fit.X_val, fit.y_val, augment=augment, score=score,
            units=[getattr(scorer, "units", None)] * len(members))
    finally:
        for cb in callbacks:
            cb.on_train_end(fit)  # type: ignore[arg-type]
    refuse_diverged(histories, options.train.lr)
    return Ensemble(members, histories), seeds


def member_table(ensemble: Ensemble, splits: Any, metrics: Mapping[str, Mapping[str, float]],
                 seeds: Sequence[int]) -> list[dict[str, Any]]:
    """The spread across members: one row per member, then the ensemble's, each
    ``{"model", "seed", "kept epoch", "<split> accuracy", "<split> loss"}`` on the
    validation and test splits that have rows (the training split when neither has)."""
    parts = [(name, X, y) for name, X, y in (("val", splits.X_val, splits.y_val),
                                             ("test", splits.X_test, splits.y_test))
             if X.shape[0]] or [("train", splits.X_train, splits.y_train)]
    histories: Sequence[History | None] = ensemble.histories or [None] * ensemble.n_members
    rows: list[dict[str, Any]] = []
    for i, (member, history) in enumerate(zip(ensemble.members, histories)):
        row: dict[str, Any] = {"model": f"member {i + 1}", "seed": int(seeds[i]),
                               "kept epoch": history.best_epoch if history else None}
        for name, X, y in parts:
            with np.errstate(all="ignore"):
                m = evaluate(member, X, y).summary()
            row |= {f"{name} accuracy": m["accuracy"], f"{name} loss": m["loss"]}
        rows.append(row)
    row = {"model": f"ensemble ({ensemble.n_members})", "seed": None, "kept epoch": None}
    for name, _, _ in parts:
        row |= {f"{name} accuracy": metrics[name]["accuracy"],
                f"{name} loss": metrics[name]["loss"]}
    rows.append(row)
    return rows


def spread_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """One line of :func:`member_table`'s rows, on its last split (test when there is
    one): "ensemble of 5: test accuracy 97.50%, loss 0.0712; members 95.83% to 96.94%
    (mean 96.39%), loss 0.1020 to 0.1301"."""
    ens, members = rows[-1], rows[:-1]
    split = [k for k in ens if k.endswith(" accuracy")][-1].removesuffix(" accuracy")
    acc = [float(r[f"{split} accuracy"]) for r in members]
    loss = [float(r[f"{split} loss"]) for r in members]
    return (f"ensemble of {len(members)}: {split} accuracy {ens[f'{split} accuracy']:.2%}, "
            f"loss {ens[f'{split} loss']:.4f}; members {min(acc):.2%} to {max(acc):.2%} "
            f"(mean {np.mean(acc):.2%}), loss {min(loss):.4f} to {max(loss):.4f}")
