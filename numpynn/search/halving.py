"""Successive halving: the rungs of a search, their epoch budgets and who goes on.

A halving search (``search(..., halving=True, eta=3)``, ``numpynn search --halving``)
runs in rungs, as scikit-learn's ``HalvingRandomSearchCV`` / ``HalvingGridSearchCV``
(``resource="max_iter"``) and ASHA do. Rung 0 trains every trial of the plan on a small
epoch budget; each later rung takes the best ``ceil(n / eta)`` trials of the one before
(ranked as the table ranks them: :func:`numpynn.search.results.ranked`, by the task's
``ranks_by``: a classification's validation accuracy, a regression's validation loss)
and gives them ``eta`` times the epochs. Trials that fail (diverged, error) never go on.

Epoch budgets: with ``R`` rungs, a trial whose plan says ``epochs = E`` trains
``ceil(E / eta ** (R - 1 - r))`` epochs in rung ``r``, so the last rung trains the
plan's epochs. ``R = 1 + min(floor(log_eta n), floor(log_eta E_min))`` for ``n`` trials
whose smallest epoch count is ``E_min``: no rung below one trial per ``eta``, none
below one epoch per ``eta``. The 48-trial, 20-epoch digits grid with ``eta = 3`` has 3
rungs: 48 trials x 3 epochs, 16 x 7, 6 x 20 (376 trial-epochs against 960).

A promoted trial is *retrained from its start* with the larger budget, not continued:
it has the same seed (initial weights, shuffles, dropout stream), so its first epochs
repeat the ones of the rung before, and its row equals the row a plain search would give
that trial with that epoch count (schedules that depend on the epoch count included).
Nothing but the row has to travel between rungs: a rung's trials run on any worker
(joblib's processes or a Dask cluster), and a killed search resumed re-runs only the
(trial, rung) pairs missing from ``trials.jsonl``. The price is the repeated epochs:
376 trial-epochs where continuing would train 48 x 3 + 16 x 4 + 6 x 13 = 286.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import InputError
from .results import ranked

#: eta of ``numpynn search --halving`` and of ``search(halving=True)``
DEFAULT_ETA = 3


def check_eta(eta: object) -> int:
    """eta: an integer >= 2 (InputError naming ``eta`` otherwise)."""
    if isinstance(eta, bool) or not isinstance(eta, int) or eta < 2:
        raise InputError(f"`eta` (the halving factor: 1 trial in eta goes on to the next "
                         f"rung) must be an integer >= 2; got {eta!r}.", param="eta")
    return eta


def _floor_log(x: int, base: int) -> int:
    """floor(log_base(x)) for integers x >= 1, base >= 2, without float rounding."""
    k = 0
    while base ** (k + 1) <= x:
        k += 1
    return k


def rung_count(trials: int, min_epochs: int, eta: int) -> int:
    """The rungs of a halving search of ``trials`` trials whose smallest epoch count is
    ``min_epochs`` (see the module docstring). At least 1."""
    return 1 + min(_floor_log(max(trials, 1), eta), _floor_log(max(min_epochs, 1), eta))


def rung_epochs(epochs: int, rung: int, rungs: int, eta: int) -> int:
    """Epochs of a trial whose plan says ``epochs`` in rung ``rung`` (0-based) of
    ``rungs``: ``ceil(epochs / eta ** (rungs - 1 - rung))``, at least 1."""
    return max(1, -(-epochs // eta ** (rungs - 1 - rung)))


def rung_sizes(trials: int, rungs: int, eta: int) -> list[int]:
    """Trials per rung when none fails: ``trials``, then ``ceil(n / eta)`` each rung."""
    sizes = [trials]
    for _ in range(rungs - 1):
        sizes.append(math.ceil(sizes[-1] / eta))
    return sizes


def promoted(rows: Iterable[Mapping[str, Any]], eta: int) -> list[int]:
    """The trial numbers that go on from a finished rung: the best ``ceil(n / eta)`` of
    its ``n`` rows, as :func:`ranked` orders them; failed trials never go on."""
    rows = list(rows)
    keep = math.ceil(len(rows) / eta)
    return [r["trial"] for r in ranked(rows)[:keep] if r["status"] == "ok"]


def rung_plan(plan: Sequence[Mapping[str, Any]], trials: Iterable[int], rung: int,
              rungs: int, eta: int) -> list[dict[str, Any]]:
    """The entries of ``plan`` for ``trials`` in rung ``rung``: each with ``rung`` and
    its rung's ``epochs``, in plan order."""
    wanted = set(trials)
    return [{**t, "rung": rung, "epochs": rung_epochs(int(t["epochs"]), rung, rungs, eta)}
            for t in plan if t["trial"] in wanted]



class Rungs:
    """The rungs of one halving search: ``count`` rungs of (at most) ``sizes`` trials,
    and the plan of each rung from the rows of the rungs before it.

    plan: the search's :func:`numpynn.search.space.trial_plan`; eta: checked by
    :func:`check_eta`."""

    def __init__(self, plan: Sequence[Mapping[str, Any]], eta: int) -> None:
        self.trials = [dict(t) for t in plan]
        self.eta = eta
        self.count = rung_count(len(self.trials),
                                min(int(t["epochs"]) for t in self.trials), eta)
        self.sizes = rung_sizes(len(self.trials), self.count, eta)

    def plan(self, rung: int, done: Mapping[tuple[int, Any], Mapping[str, Any]]
             ) -> list[dict[str, Any]]:
        """Rung ``rung``'s trials (:func:`rung_plan`); ``done`` maps ``(trial, rung)``
        to the row of every finished trial of the rungs before it."""
        ids = [t["trial"] for t in self.trials]
        for r in range(rung):
            ids = promoted([done[i, r] for i in ids], self.eta)
        return rung_plan(self.trials, ids, rung, self.count, self.eta)


def summary(rows: Iterable[Mapping[str, Any]], eta: int) -> str:
    """What a halving search ran, from its (trial, rung) rows: ``successive halving, eta
    3: rung 0: 48 trials x 3 epochs; rung 1: 16 x 7; rung 2: 6 x 20``."""
    by_rung: dict[int, list[int]] = {}
    for r in rows:
        by_rung.setdefault(int(r.get("rung") or 0), []).append(int(r["epochs"]))
    parts = []
    for rung in sorted(by_rung):
        epochs = by_rung[rung]
        span = (f"{min(epochs)}" if min(epochs) == max(epochs)
                else f"{min(epochs)}-{max(epochs)}")
        words = (" trials", " epochs") if rung == min(by_rung) else ("", "")
        parts.append(f"rung {rung}: {len(epochs)}{words[0]} x {span}{words[1]}")
    return f"successive halving, eta {eta}: " + "; ".join(parts)
