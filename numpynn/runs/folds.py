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

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import InputError
from ..tasks import Targets
from ..validation import POSITIVE_INT

__all__ = ["FOLDS_MAX_ROWS", "FOLDS_MIN_ROWS", "FoldChoice", "Part", "Setting", "auto_folds",
           "choice_text", "choose_by_folds", "comparable", "fold_indices", "held_out_rows",
           "settings", "train_settings"]

#: "auto" cross-validates tables with this many training rows or more ...
FOLDS_MIN_ROWS = 100
#: ... and fewer than this (above it a validation split holds enough rows, and K
#: trainings cost more than they settle). Up to 2,000 before round 9: on the table panel's
#: 8 tables of 2,000 to 8,000 training rows (benchmarks/tables.py, 5 splits) 3 folds
#: instead of a 20% validation split raised the mean score 0.45 points (caravan +2.2
#: balanced accuracy, churn +1.2, credit_data +0.8; default -0.4, computers -0.3 R^2):
#: the folds' networks see every training row, and no row is kept out of the estimate's
FOLDS_MAX_ROWS = 10_000
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


def held_out_rows(folds: list[np.ndarray]) -> list[np.ndarray]:
    """The rows each fold's network is validated on: its fold (K disjoint folds of
    :func:`fold_indices`), topped up with the first rows of the next fold where it is
    smaller than the largest (N not a multiple of K), so that every network trains on
    the same number of rows, the rest, and the K networks train packed (one engine step
    for all; a pack steps through one number of rows per network). A borrowed row is
    validated on twice (and trained on by the other K - 2 networks); each of the other
    rows is validated on once and trained on K - 1 times, as in plain K-fold."""
    largest = max(f.shape[0] for f in folds)
    return [np.sort(np.concatenate([f, folds[(i + 1) % len(folds)][: largest - f.shape[0]]]))
            if f.shape[0] < largest else f for i, f in enumerate(folds)]


@dataclass
class FoldChoice:
    """What the folds chose: the epoch count, the target transform (None: the run's own),
    the L2 strength (the run's own unless it was "auto") and a line saying so;
    ``fold_epochs``/``fold_scores``: each fold's kept epoch and its validation score under
    the chosen setting."""

    epochs: int
    targets: Targets | None
    text: str
    fold_epochs: list[int]
    fold_scores: list[float]
    reg: float = 0.0


@dataclass
class Setting:
    """One candidate of a choice on held-out rows: a target transform (None: the run's
    own; ``name`` says which, "" for the values as they are) and an L2 strength."""

    targets: Targets | None
    name: str
    reg: float


@dataclass(frozen=True)
class Part:
    """A network's share of a run's training rows (a fold): ``splits`` is its own split
    (its training rows, its held-out fold as validation rows, its target transform) and
    ``train``/``val`` are the indices of those rows among the run's training rows."""

    splits: Any
    train: np.ndarray
    val: np.ndarray


def settings(options: Any, task: Any, y_train: np.ndarray) -> list[Setting]:
    """The candidates of a run: the run's target transform and the task's alternative one
    (:meth:`numpynn.tasks.Task.alternative_targets`), each with the run's L2 strength or,
    where it is "auto", each of the task's ``reg_candidates``; the first is the run's
    plain setting."""
    regs = list(task.reg_candidates) if options.reg == "auto" else [float(options.reg)]
    targets: list[tuple[Targets | None, str]] = [(None, "")]
    other = task.alternative_targets(y_train, options)
    if other is not None:
        targets.append(other)
    return [Setting(t, name, r) for t, name in targets for r in regs]


def comparable(score: float) -> float:
    """A held-out score to rank by: NaN (a diverged network) ranks last."""
    return -math.inf if math.isnan(score) else score


def choice_text(chosen: Setting, scores: list[tuple[Setting, float]], label: str,
                where: str) -> str:
    """What a choice among ``scores`` (each setting, its held-out score) kept, against
    what, and how to fix it instead: ``L2 reg 0.03; target: the values as they are (mean
    fold R^2 0.8123, against reg 0.0001 0.7712, ...); ...``."""
    tried_reg = len({s.reg for s, _ in scores}) > 1
    other_target = next((s.name for s, _ in scores if s.name), "")

    def words(s: Setting) -> str:
        return " with ".join(([f"reg {s.reg:g}"] if tried_reg else []) + (
            [s.name or "the values as they are"] if other_target else []))

    kept = ([f"L2 reg {chosen.reg:g}"] if tried_reg else []) + (
        [f"target: trained on {chosen.name}, predictions mapped back" if chosen.name
         else "target: the values as they are"] if other_target else [])
    best = next(v for s, v in scores if s is chosen)
    against = ", ".join(f"{words(s)} {v:.4f}" for s, v in scores if s is not chosen)
    fixes = (["give `reg` a number to fix the L2 strength"] if tried_reg else []) + (
        [("`target_transform='none'` keeps the values" if chosen.name
          else f"`target_transform='log'` asks for {other_target}")] if other_target else [])
    return f"{'; '.join(kept)} ({where} {label} {best:.4f}, against {against}); " + \
        "; ".join(fixes)


def train_settings(candidates: list[Setting], options: Any, splits: Any,
                   train_together: Any) -> list[tuple[Setting, Any, Any, Any]]:
    """Each candidate trained on ``splits`` (its training rows, validated on its
    validation rows): the run's target transform is ``splits.targets``, the alternative
    one fitted on ``splits.y_train``; the candidates of one transform train together
    (``train_together(options_list, splits)``, packed where it can:
    :func:`numpynn.runs.run.train_together`). Returns (setting, network, history, the
    splits with its transform) in the candidates' order."""
    task = splits.task
    groups: dict[str, list[Setting]] = {}
    for c in candidates:
        groups.setdefault(c.name, []).append(c)
    trained: dict[int, tuple[Setting, Any, Any, Any]] = {}
    for name, group in groups.items():
        fitted = task.alternative_targets(splits.y_train, options) if name else None
        part = replace(splits, targets=fitted[0]) if fitted is not None else splits
        for c, (model, history) in zip(group, train_together(
                [replace(options, reg=c.reg) for c in group], part)):
            trained[id(c)] = (c, model, history, part)
    return [trained[id(c)] for c in candidates]


def choose_by_folds(options: Any, splits: Any, k: int, train_together: Any) -> FoldChoice:
    """Cross-validate the run on its training rows (``splits.X_train``, ``y_train``):
    for each candidate setting (:func:`settings`: target transforms, L2 strengths under
    ``reg='auto'``), K networks (the run's options and seed, no callbacks) each stopped on
    its own fold, all of them in one call of ``train_together(options_list, splits,
    parts=...)`` (:func:`numpynn.runs.run.train_together`: packed where it can, across
    folds and candidates); the setting of the best mean fold score is kept (the first,
    the run's plain one, on a tie)."""
    task = splits.task
    n = splits.y_train.shape[0]
    if k > n // 2:
        raise InputError(f"`cv_folds={k}` splits the {n:,} training rows into folds of "
                         f"{n // k} row(s); every fold needs at least 2: give at most "
                         f"{max(2, n // 2)}, or 1 for a validation split instead.",
                         param="cv_folds")
    stratified = task.has_classes and np.bincount(splits.y_train).min() >= k
    folds = fold_indices(splits.y_train, k, options.train.seed or 0, stratified)
    candidates = settings(options, task, splits.y_train)
    # a fold's network is judged on its own fold; its training figures per epoch are only
    # a curve nobody sees, so a few rows score them
    fold_options = replace(options, train=replace(options.train,
                                                  eval_samples=FOLD_EVAL_SAMPLES))
    # every fold's network of every candidate in one call: packed, across folds too
    jobs: list[tuple[Setting, Any, Part]] = []
    for i, held in enumerate(held_out_rows(folds)):
        train = np.concatenate([f for j, f in enumerate(folds) if j != i])
        train = train[~np.isin(train, held)]  # a row borrowed by this fold's held rows
        y_fold = splits.y_train[train]
        fold = replace(splits, X_train=splits.X_train[train], y_train=y_fold,
                       X_val=splits.X_train[held], y_val=splits.y_train[held],
                       targets=task.fit_targets(y_fold, options))  # on the fold's own rows
        alternative = {c.name: task.alternative_targets(y_fold, options)
                       for c in candidates if c.name}
        for c in candidates:
            fitted = alternative.get(c.name)
            part = fold if fitted is None else replace(fold, targets=fitted[0])
            jobs.append((c, replace(fold_options, reg=c.reg), Part(part, train, held)))
    trained = train_together([o for _, o, _ in jobs], splits,
                             parts=[p for _, _, p in jobs])
    epochs: dict[int, list[int]] = {id(c): [] for c in candidates}
    scores: dict[int, list[float]] = {id(c): [] for c in candidates}
    for (c, _, p), (model, history) in zip(jobs, trained):
        epochs[id(c)].append(max(1, int(history.best_epoch)))
        kept = task.metrics(model, p.splits.X_val, p.splits.y_val, p.splits.targets)
        scores[id(c)].append(float(kept[task.score_key]))
    results = [(float(np.mean(scores[id(c)])), c) for c in candidates]
    best = max(range(len(results)), key=lambda i: comparable(results[i][0]))
    mean, chosen = results[best]
    kept_epochs = epochs[id(chosen)]
    count = int(np.median(kept_epochs))
    label = task.score_label
    rules = {h.best_rule for (c, _, _), (_, h) in zip(jobs, trained) if c is chosen}
    rule = f"; {rules.pop()}" if len(rules) == 1 else ""  # e.g. lowest validation loss
    text = (f"epochs: {count}, the median of the epochs {k}-fold cross-validation on the "
            f"{splits.y_train.shape[0]:,} training rows kept "
            f"({', '.join(map(str, kept_epochs))}{rule}; mean validation {label} {mean:.4f})")
    if len(results) > 1:
        text += "; " + choice_text(chosen, [(c, v) for v, c in results], label, "mean fold")
    return FoldChoice(count, chosen.targets, text, kept_epochs, scores[id(chosen)],
                      reg=chosen.reg)
