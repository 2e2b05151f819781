"""The epoch count (and a regression's target transform) of a small table, chosen by
K-fold cross-validation on its training rows instead of one validation split.

On a table of a few hundred rows a 20% validation split holds 50-100 rows: the epoch it
picks, and whether log(1 + y) helps, are decided by a handful of rows and differ from
split to split. Each of K networks here trains on K-1 folds of the training rows and
stops on the remaining fold (the run's patience and kept-epoch rule); the epoch count
is the median of their kept epochs and a transform is kept where its mean fold score is
higher. No row is held back from the estimate's network (it trains on every training
row for that count) nor from the saved model (the final fit on every row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import InputError
from ..tasks import Targets
from ..validation import POSITIVE_INT

__all__ = ["FOLDS_MAX_ROWS", "FOLDS_MIN_ROWS", "FoldChoice", "auto_folds", "choose_by_folds",
           "fold_indices"]

#: "auto" cross-validates tables with this many training rows or more ...
FOLDS_MIN_ROWS = 100
#: ... and fewer than this (above it a validation split holds enough rows, and K
#: trainings cost more than they settle)
FOLDS_MAX_ROWS = 2000
#: the folds of "auto"
AUTO_FOLDS = 3
#: training rows a fold's network scores each epoch (its validation fold is scored whole)
FOLD_EVAL_SAMPLES = 64


def auto_folds(pool_rows: int) -> int:
    """The fold count "auto" gives a run of ``pool_rows`` training rows (1: none)."""
    return AUTO_FOLDS if FOLDS_MIN_ROWS <= pool_rows < FOLDS_MAX_ROWS else 1


def fold_indices(y: np.ndarray, k: int, seed: int, stratified: bool) -> list[np.ndarray]:
    """K disjoint row-index arrays covering ``y`` (N,) (rows (N, ...) for several
    targets): a seeded shuffle dealt round-robin, class by class when ``stratified`` so
    that every fold holds each class in proportion."""
    k = POSITIVE_INT.check(k, "folds")
    rng = np.random.default_rng(seed)
    n = y.shape[0]
    if stratified:
        order = np.concatenate([rng.permutation(np.flatnonzero(y == c))
                                for c in np.unique(y)])
    else:
        order = rng.permutation(n)
    folds = np.empty(n, dtype=np.int64)
    folds[order] = np.arange(n) % k
    return [np.sort(np.flatnonzero(folds == i)) for i in range(k)]


@dataclass
class FoldChoice:
    """What the folds chose: the epoch count, the target transform (None: the run's own)
    and a line saying so; ``fold_epochs``/``fold_scores``: each fold's kept epoch and its
    validation score under the chosen transform."""

    epochs: int
    targets: Targets | None
    text: str
    fold_epochs: list[int]
    fold_scores: list[float]


def choose_by_folds(options: Any, splits: Any, k: int,
                    make_trainer: Any) -> FoldChoice:
    """Cross-validate the run on its training rows (``splits.X_train``, ``y_train``):
    for the run's target transform and the task's alternative one
    (:meth:`numpynn.tasks.Task.alternative_targets`), K networks (``make_trainer``,
    the run's options and seed, no callbacks) each stopped on its own fold."""
    task = splits.task
    n = splits.y_train.shape[0]
    if k > n // 2:
        raise InputError(f"`cv_folds={k}` splits the {n:,} training rows into folds of "
                         f"{n // k} row(s); every fold needs at least 2: give at most "
                         f"{max(2, n // 2)}, or 1 for a validation split instead.",
                         param="cv_folds")
    stratified = task.has_classes and np.bincount(splits.y_train).min() >= k
    folds = fold_indices(splits.y_train, k, options.train.seed or 0, stratified)
    candidates: list[tuple[Targets | None, str]] = [(None, "")]
    other = task.alternative_targets(splits.y_train, options)
    if other is not None:
        candidates.append(other)
    # a fold's network is judged on its own fold; its training figures per epoch are only
    # a curve nobody sees, so a few rows score them
    fold_options = replace(options, train=replace(options.train,
                                                  eval_samples=FOLD_EVAL_SAMPLES))
    results = []
    for targets, name in candidates:
        epochs, scores = [], []
        for i, held in enumerate(folds):
            train = np.concatenate([f for j, f in enumerate(folds) if j != i])
            y_fold = splits.y_train[train]
            # each fold's transform fitted on its own training rows
            fitted = task.alternative_targets(y_fold, options) if targets is not None else None
            fold = replace(splits, X_train=splits.X_train[train], y_train=y_fold,
                           X_val=splits.X_train[held], y_val=splits.y_train[held],
                           targets=(fitted[0] if fitted is not None
                                    else task.fit_targets(y_fold, options)))
            trainer = make_trainer(fold_options, fold)
            with np.errstate(over="ignore", invalid="ignore"):
                history = trainer.train()
            epochs.append(max(1, int(history.best_epoch)))
            kept = task.metrics(trainer.model, fold.X_val, fold.y_val, fold.targets)
            scores.append(float(kept[task.score_key]))
        results.append((float(np.mean(scores)), targets, name, epochs, scores))
    best = max(range(len(results)), key=lambda i: results[i][0])
    mean, targets, name, epochs, scores = results[best]
    count = int(np.median(epochs))
    label = task.score_label
    text = (f"epochs: {count}, the median of the epochs {k}-fold cross-validation on the "
            f"{splits.y_train.shape[0]:,} training rows kept ({', '.join(map(str, epochs))}; "
            f"mean validation {label} {mean:.4f})")
    if len(results) > 1:
        plain, tried = results[0][0], results[1][0]
        text += (f"; target: {'trained on ' + results[1][2] if best else 'the values as they are'}"
                 f" (mean fold {label} {max(plain, tried):.4f}, against {min(plain, tried):.4f}"
                 f"{' on the values as they are' if best else ' with ' + results[1][2]})"
                 + ("; `target_transform='none'` keeps the values" if best else ""))
    return FoldChoice(count, targets, text, epochs, scores)
