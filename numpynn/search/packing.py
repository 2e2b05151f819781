"""Packed trials: a search's trials that share an architecture and a batch size trained
together by :func:`numpynn.training.packed.train_packed`, one engine step for all.

``search(..., pack=K)`` (``numpynn search --pack K``) groups the plan's trials by
:func:`pack_key` (hidden sizes, batch size, activation, dropout, normalisation: what one
pack must share; learning rate, L2, optimiser, epochs and seed stay each trial's own),
in plan order, and cuts each group into packs of at most K trials; ``train_packed`` cuts
further where a pack would exceed its memory budget (:func:`numpynn.training.packed.max_pack`).
A pack is one task for joblib or Dask. Packs go out largest estimated cost first
(:func:`pack_cost`), so that the last task to finish is a small one.

What packs: trials without per-row weights (``class_weight``) and with no normalisation
layer (:func:`numpynn.runs.run.packable`), classifications and regressions alike; other
trials (``normalization``) train alone as in a plain search. A packed trial's row equals
the row of the same trial trained alone to float rounding (``train_packed``'s contract:
float32 within 1e-4 relative), and says how many trials its pack held (``pack``). Packs
are formed from the plan (and, resumed, from the trials left to run), never from the
workers: the table does not depend on where the packs ran.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..errors import InputError
from ..runs.run import RunOptions, Splits, packable, train_together
from ..validation import POSITIVE_INT
from .trials import (
    Trained,
    _blas_one_thread,
    _splits,
    finish_row,
    start_row,
    trial_options,
    trial_outcome,
)

#: Trials per pack unless told: the search packs by default. On digits' 48-configuration
#: grid, packs of up to 8 (6 trials per shape) took 0.33x GridSearchCV's time where one
#: trial per task took 0.43x (benchmarks/RESULTS.md, round 6); 16 models of digits' shape
#: train at 2.4x the throughput of the Trainer one after another (4: 1.6x). A pack's
#: memory is capped further by :func:`numpynn.training.packed.max_pack`.
DEFAULT_PACK = 8


def check_pack(pack: object) -> int:
    """pack: trials per pack, an integer >= 1 (1: every trial alone)."""
    try:
        return POSITIVE_INT.check(pack, "pack")
    except InputError as exc:
        exc.param = "pack"
        raise


def pack_key(trial: Mapping[str, Any]) -> tuple:
    """What the trials of one pack share."""
    return (tuple(trial["hidden"]), int(trial["batch_size"]), trial.get("activation"),
            trial.get("dropout"), trial.get("normalization"))


def pack_cost(trials: Sequence[Mapping[str, Any]]) -> float:
    """A pack's work, up to a constant: trials x epochs x weights / sqrt(batch) (a small
    batch costs more per row: more steps of fixed cost)."""
    cost = 0.0
    for t in trials:
        widths = list(t["hidden"])
        weights = sum(a * b for a, b in zip([64, *widths], [*widths, 10]))
        cost += int(t["epochs"]) * weights / math.sqrt(int(t["batch_size"]))
    return cost


def make_packs(plan: Sequence[Mapping[str, Any]], pack: int) -> list[list[dict[str, Any]]]:
    """The plan's trials in packs of at most ``pack`` sharing :func:`pack_key`, the costliest
    first (ties: plan order); ``pack=1``: one trial per pack. Costliest first: with two
    workers, the 48-trial digits grid ended on a hidden-512 trial started last."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for i, t in enumerate(plan):
        groups.setdefault(pack_key(t) if pack > 1 else i, []).append(dict(t))
    packs = [g[i:i + pack] for g in groups.values() for i in range(0, len(g), pack)]
    order = sorted(range(len(packs)), key=lambda i: (-pack_cost(packs[i]), i))
    return [packs[i] for i in order]


def run_pack(base: RunOptions, trials: Sequence[Mapping[str, Any]],
             fingerprint: str | None = None, splits: Splits | None = None
             ) -> list[tuple[dict[str, Any], Trained]]:
    """Train the trials of one pack together; each trial's row (as :func:`run_trial`'s,
    with ``pack``: the trials trained together) and its trained network and history
    (:func:`trial_outcome`). Trials that cannot pack run alone. splits: the search's,
    where it sends them (else loaded once per process)."""
    if len(trials) == 1:
        return [trial_outcome(base, trials[0], fingerprint, splits)]
    try:
        with _blas_one_thread():
            splits = _splits(base, fingerprint, splits)
            options = [trial_options(base, t) for t in trials]
            if all(packable(o, splits) for o in options):
                return _train_pack(trials, options, splits)
    except Exception as exc:  # a pack must not bring the search down: each trial says why
        return [(finish_row(start_row(t), None, None, exc, 0.0), None) for t in trials]
    return [trial_outcome(base, t, fingerprint, splits) for t in trials]


def run_pack_on(base: RunOptions, fingerprint: str | None,
                trials: Sequence[Mapping[str, Any]], splits: Splits
                ) -> list[tuple[dict[str, Any], Trained]]:
    """:func:`run_pack` with its arguments in the order ``numpynn.search.local`` calls
    it (``functools.partial(run_pack_on, base, fingerprint)(pack, splits)``)."""
    return run_pack(base, trials, fingerprint, splits)


def _train_pack(trials: Sequence[Mapping[str, Any]], options: Sequence[RunOptions],
                splits: Splits) -> list[tuple[dict[str, Any], Trained]]:
    started = time.perf_counter()
    trained = train_together([replace(o, train=replace(o.train, seed=int(t["seed"])))
                              for o, t in zip(options, trials)], splits)
    seconds = (time.perf_counter() - started) / len(trials)  # each trial's share
    out: list[tuple[dict[str, Any], Trained]] = []
    for t, (model, h) in zip(trials, trained):
        row = start_row(t)
        status = "diverged" if h.stop_reason.startswith("diverged") else "ok"
        finish_row(row, splits, h, status, seconds)
        row["pack"] = len(trials)
        out.append((row, (model, h) if row["status"] == "ok" else None))
    return out


def packing_summary(rows: Sequence[Mapping[str, Any]]) -> str:
    """``packed: 48 of 48 trials in 8 packs (largest 6)``, or "" when none packed."""
    packed = [r for r in rows if r.get("pack")]
    if not packed:
        return ""
    packs = round(sum(1 / r["pack"] for r in packed))
    return (f"packed: {len(packed)} of {len(rows)} trial runs in {packs} packs "
            f"(largest {max(r['pack'] for r in packed)})")
