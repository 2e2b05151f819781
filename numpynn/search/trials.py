"""One trial: load the search's splits once per process, train and validate a network."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import DataError, DivergenceError, InputError
from ..models import Network
from ..runs.options import with_values
from ..runs.run import (
    RunOptions,
    Splits,
    fingerprint,
    make_trainer,
    own_defaults,
    prepare_splits,
)
from ..tasks import load_for_task
from ..training.trainer import History, Trainer
from .space import PARAMS

_SPLITS_CACHE: dict[str, Splits] = {}


def _data_key(options: RunOptions) -> str:
    o = options
    return json.dumps([o.data, o.label_column, o.task, o.preprocessing, o.val_fraction,
                       o.test_fraction, o.dtype, o.train.seed])


def data_fingerprint(splits: Splits) -> str:
    """Fingerprint of the training and validation arrays: equal on every machine that reads
    the same data."""
    return fingerprint(splits.X_train, splits.y_train, splits.X_val, splits.y_val)


def _splits(options: RunOptions, fingerprint: str | None = None,
            given: Splits | None = None) -> Splits:
    """The search's splits: ``given`` (sent by the search: in its own process, or a local
    worker's memory map of the search's arrays), else loaded once per process (a Dask
    worker keeps them between trials).

    fingerprint: the client's :func:`data_fingerprint`; a worker that reads other data
    (another file at the same path) raises instead of producing incomparable results.
    """
    if given is not None:
        return given
    key = _data_key(options) + (fingerprint or "")
    if key not in _SPLITS_CACHE:
        splits = search_splits(options)
        if fingerprint is not None and data_fingerprint(splits) != fingerprint:
            raise InputError(
                f"this worker ({socket.gethostname()}) reads other data from {options.data} "
                "than the client did; give every worker the same data at the same path."
            )
        _SPLITS_CACHE.clear()
        _SPLITS_CACHE[key] = splits
    return _SPLITS_CACHE[key]


def search_splits(options: RunOptions) -> Splits:
    """The splits of :func:`search_inputs` for options that already hold the defaults it
    applies (a worker's: the search sends them)."""
    return search_inputs(options, own=False)[1]


def search_inputs(options: RunOptions, own: bool = True) -> tuple[RunOptions, Splits]:
    """The options a search's trials train with (``options`` with the task's and the data
    set's own defaults where the user left them: :func:`numpynn.runs.run.own_defaults`,
    as ``numpynn train`` does; the searched ones each trial's) and the splits of
    ``numpynn train`` for the options' task (a continuous label column of a CSV, or task
    "regression", gives a regression's: random split, target scaler). Their ``notes`` hold
    what reading and splitting decided (columns left out, the task chosen, a category
    found outside the training rows only). ``own`` False: ``options`` as they are (a
    search started before its trials took those defaults, resumed)."""
    ds, task, note = load_for_task(options)
    if own:
        options = own_defaults(options, task)
    notes = [*([note] if note else []), *ds.notes]
    try:
        splits = prepare_splits(options, ds, task)
    except DataError as exc:  # the parts a search can do without: the test part alone
        raise _without_dropping_val(exc) from None
    if splits.task.alternative_targets(splits.y_train, options) is not None:
        # numpynn train's auto also trains on log(1 + y) and keeps the better; a trial
        # trains once, on the values as they are
        notes.append("note: the targets have a heavy right tail; `target_transform='auto'` "
                     "in a search trains every trial on the values as they are (numpynn "
                     "train's auto also tries log(1 + y) and keeps the better on "
                     "validation): give `target_transform='log'` to search on log(1 + y), "
                     "or `target_transform='none'` to keep the values without this note.")
    splits.notes = [*notes, *splits.notes]  # what reading and splitting decided
    return options, splits


#: what the stratified split suggests dropping -> what a search can drop (it ranks its
#: trials on the validation part, and refuses `val_fraction=0`)
_SEARCH_PARTS = {
    "set `val_fraction` or `test_fraction` to 0": "set `test_fraction` to 0: a search keeps "
    "its validation part, which ranks the trials",
    ", or lower the number of parts (set `val_fraction` to 0)": " (a search keeps its "
    "validation part, which ranks the trials)",
    "change `val_fraction` or `test_fraction`": "change `val_fraction` (above 0: it ranks "
    "the trials) or `test_fraction`",
}


def _without_dropping_val(exc: DataError) -> DataError:
    """``exc`` (the split's refusal of a class or a part too small) suggesting only what a
    search takes. Before, a search on 2 rows per class was told to "set --val-fraction or
    --test-fraction to 0", and --val-fraction 0 was then refused."""
    text = str(exc)
    for said, meant in _SEARCH_PARTS.items():
        text = text.replace(said, meant)
    return exc if text == str(exc) else DataError(text, param=exc.param)


#: Training rows a trial scores after every epoch for its training figures (its row's
#: ``train_score``): a fixed random subset of this many (fewer where ``eval_samples`` of
#: the search's options says so). The validation split, which picks the kept epoch and
#: ranks the trials, is always scored in full. On digits' 48-configuration grid, scoring
#: all 1,149 training rows every epoch was 32% of a hidden-512 pack's time.
SEARCH_EVAL_SAMPLES = 256


def trial_options(base: RunOptions, trial: Mapping[str, Any]) -> RunOptions:
    """``base`` with the trial's hyper-parameters (each the run option of its name,
    :data:`numpynn.runs.options.FIELDS`; train.seed stays the split seed) and
    ``train.eval_samples`` at most :data:`SEARCH_EVAL_SAMPLES`."""
    values = {name: trial[name] for name in PARAMS if name in trial}
    values["hidden"] = list(values["hidden"])
    options = with_values(base, values)
    rows = options.train.eval_samples
    rows = SEARCH_EVAL_SAMPLES if rows is None else min(rows, SEARCH_EVAL_SAMPLES)
    return replace(options, train=replace(options.train, eval_samples=rows))


def _train(options: RunOptions, splits: Splits, seed: int) -> tuple[Network, Trainer, str]:
    """Train the trial network as a run does (:func:`numpynn.runs.run.make_trainer`):
    init and shuffling from ``seed``, on the given splits."""
    trainer = make_trainer(options, splits, seed=seed)
    return trainer.model, trainer, _fit(trainer)


def _fit(trainer: Trainer) -> str:
    status = "ok"
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            trainer.train()
        except DivergenceError:
            status = "diverged"
    return status


def _where() -> tuple[str, int, str]:
    worker = "local"
    distributed = sys.modules.get("distributed")
    if distributed is not None:
        try:
            worker = distributed.get_worker().address
        except ValueError:
            pass
    return worker, os.getpid(), socket.gethostname()


def _blas_one_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


#: A trial's trained network and its history (None: the trial failed or diverged).
Trained = tuple[Network, History] | None


def run_trial(base: RunOptions, trial: Mapping[str, Any],
              fingerprint: str | None = None) -> dict[str, Any]:
    """Train and validate one trial; returns its result row (never raises for the trial's
    own failures: divergence or errors are recorded in ``status``).

    base: the search's options (``train.seed`` is the split seed); trial: a
    :func:`trial_plan` entry (a halving search's with its ``rung`` and that rung's
    ``epochs``: :func:`numpynn.search.halving.rung_plan`); fingerprint: the client's
    :func:`data_fingerprint`, checked when the data is loaded.
    """
    return trial_outcome(base, trial, fingerprint)[0]


def trial_outcome(base: RunOptions, trial: Mapping[str, Any], fingerprint: str | None = None,
                  splits: Splits | None = None) -> tuple[dict[str, Any], Trained]:
    """:func:`run_trial`'s row and the trained network with its history (the search
    saves its best without training it again). splits: the search's, where it sends
    them (else loaded once per process)."""
    started = time.perf_counter()
    row = start_row(trial)
    try:
        with _blas_one_thread():
            splits = _splits(base, fingerprint, splits)
            model, trainer, status = _train(trial_options(base, trial), splits, row["seed"])
        row = finish_row(row, splits, trainer.history, status, time.perf_counter() - started)
        return row, ((model, trainer.history) if row["status"] == "ok" else None)
    except Exception as exc:  # a trial must not bring the search down
        return finish_row(row, None, None, exc, time.perf_counter() - started), None


def start_row(trial: Mapping[str, Any]) -> dict[str, Any]:
    """A trial's row before training: its number, seed, hyper-parameters (and rung)."""
    row: dict[str, Any] = {"trial": int(trial["trial"]), "seed": int(trial["seed"]),
                           **{k: trial.get(k) for k in PARAMS}}
    row["hidden"] = list(row["hidden"])
    if "rung" in trial:  # a halving search's: the trial's epochs are its rung's
        row["rung"] = int(trial["rung"])
    return row


def finish_row(row: dict[str, Any], splits: Splits | None, history: Any,
               status: str | BaseException, seconds: float) -> dict[str, Any]:
    """``row`` completed from the trial's ``history`` (a Trainer's or a pack's) and
    ``status`` ("ok", "diverged"), or, when ``status`` is an exception, as an error row;
    then where it ran and its ``seconds``."""
    if isinstance(status, BaseException):
        row |= {"status": f"error: {type(status).__name__}: "
                          f"{' '.join(str(status).split())[:300]}",
                "val_score": None, "val_loss": None, "train_score": None, "best_epoch": None,
                "epochs_run": 0}
    else:
        h = history
        best = h.best_epoch
        ok = status == "ok" and best >= 1
        row |= {
            "status": status,
            "task": splits.task.name,
            "score_name": h.score_name,
            "val_score": float(h.val_score[best - 1]) if ok else None,
            "val_loss": float(h.val_loss[best - 1]) if ok else None,
            "train_score": float(h.train_score[best - 1]) if ok else None,
            "best_epoch": int(best) if ok else None,
            "epochs_run": len(h.epochs),
        }
    worker, pid, host = _where()
    row |= {"seconds": round(seconds, 3), "worker": worker, "pid": pid, "host": host}
    return row
