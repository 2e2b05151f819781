#!/usr/bin/env python
"""The 48-configuration digits grid searched by ``numpynn.search`` against scikit-learn's
``GridSearchCV`` and ``HalvingGridSearchCV`` (issue 22, item 6), then packed training of
K = 1, 4, 16 digits-sized networks against training them one after another and against
``torch.func.vmap`` (``bench_packed.py``'s measurement, run from here).

The grid: hidden 64/128/256/512 x lr 1e-3/3e-3/1e-2 x L2 1e-4/1e-3 x batch 32/64, Adam,
20 epochs, one fixed validation split, 2 jobs:

* ``numpynn grid``: ``search(mode="grid", jobs=2, out=None)`` (no files, no saved best;
  trials' per-epoch figures as a search computes them), with the search's default packing
  (``DEFAULT_PACK`` = 8: the 6 trials of each of the 8 shapes, hidden x batch, trained
  together, ``numpynn.search.packing``);
* ``numpynn grid, pack 1``: the same with ``pack=1``: every trial alone;
* ``numpynn grid + files``: ``numpynn grid`` with ``out=DIR``: the search's files and its
  best saved (refitted on train + validation; ``report=False``): what ``numpynn search
  --grid --no-report`` does;
* ``numpynn halving``: ``search(..., halving=True, eta=3)``: 48 trials x 3 epochs, 16 x 7,
  6 x 20 (``numpynn.search.halving``), each rung packed by default;
* ``GridSearchCV``: ``MLPClassifier(solver="adam", max_iter=20, random_state=0)``, the
  same grid (``alpha`` takes the L2 values), ``cv=PredefinedSplit`` (the numpynn search's
  training rows train, its validation rows score), ``n_jobs=2``, ``refit=False``;
* ``HalvingGridSearchCV``: the same, ``resource="max_iter"``, ``factor=3``,
  ``min_resources=2``, ``max_resources=20``: 48 candidates x 2 iterations, 16 x 6, 6 x 18
  (scikit-learn's budgets are ``min_resources * factor**i``: 20 itself is out of reach
  with factor 3; ``min_resources="exhaust"`` gives 1, 3, 9).

Both sides get the same arrays: numpynn's split of digits (seed 0: 1149 training, 288
validation rows, standardised on the training rows, float32). The two L2 terms differ by
scikit-learn's convention: its ``alpha`` is divided by the batch's rows (``0.5 * alpha *
|W|^2 / b``), numpynn's ``reg`` is not (``0.5 * reg * |W|^2``); each side searches its own.
The best validation score: numpynn's is the accuracy of the trial's kept epoch (the best
of its epochs by validation accuracy, as ``numpynn train`` keeps it); scikit-learn's is
the accuracy after its last iteration.

Each contender runs in a fresh Python process (``--one NAME``), as a user runs a search:
the time is measured inside it, from just before the search call to its return, so it
holds the worker pool's start, the workers' imports and data, not the interpreter's start
or the parent's imports. Rounds are interleaved in a rotating order; the table gives
medians (and the range), and the ratio to ``GridSearchCV`` of each round (the same
load for both) as a median over the rounds. The load average is printed before and after,
and with each round.

Usage::

    python benchmarks/bench_search.py                  # 3 rounds + packed K=1,4,16 (~2 min)
    python benchmarks/bench_search.py --rounds 5 --no-packed
    python benchmarks/bench_search.py --breakdown     # where the packed grid's time goes
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

HIDDEN = (64, 128, 256, 512)
LRS = (1e-3, 3e-3, 1e-2)
L2S = (1e-4, 1e-3)
BATCHES = (32, 64)
SEED = 0
NAMES = ("numpynn grid", "numpynn grid, pack 1", "numpynn grid + files", "numpynn halving",
         "GridSearchCV", "HalvingGridSearchCV")


def numpynn_inputs(epochs: int) -> tuple[Any, Any]:
    """(RunOptions, SearchSpace) of the grid."""
    from numpynn.runs.run import RunOptions
    from numpynn.search import SearchSpace

    # the options at their defaults: the space sets each trial's epochs (a search refuses
    # options that its space replaces)
    options = RunOptions(data="digits")
    space = SearchSpace(hidden=[[h] for h in HIDDEN], lr=list(LRS), reg=list(L2S),
                        batch_size=list(BATCHES), optimizer=["adam"], epochs=[epochs])
    return options, space


def split_arrays(epochs: int) -> tuple[Any, ...]:
    """numpynn's search split of digits: X_train, y_train, X_val, y_val (as the trials see
    them: standardised on the training rows)."""
    from numpynn.data.split import AUTO_VAL_FRACTION
    from numpynn.search.trials import search_splits

    options, _ = numpynn_inputs(epochs)
    options = replace(options, val_fraction=AUTO_VAL_FRACTION,
                      train=replace(options.train, seed=SEED))
    s = search_splits(options)
    return s.X_train, s.y_train, s.X_val, s.y_val


def run_numpynn(name: str, epochs: int, jobs: int, scratch: Path) -> dict[str, Any]:
    from numpynn.search import DEFAULT_PACK, search

    options, space = numpynn_inputs(epochs)
    files = name == "numpynn grid + files"
    started = time.perf_counter()
    result = search(options, space, mode="grid", seed=SEED, jobs=jobs,
                    out=scratch / "search" if files else None, report=False,
                    halving="halving" in name, pack=1 if "pack 1" in name else DEFAULT_PACK)
    seconds = time.perf_counter() - started
    b = result.best
    return {"seconds": seconds, "best_val": b["val_score"],
            "best": f"hidden {b['hidden'][0]}, lr {b['lr']:g}, L2 {b['reg']:g}, "
                    f"batch {b['batch_size']}", "fits": len(result.rows),
            "note": "; ".join(t for t in (result.halving, result.packing) if t)}


def run_sklearn(name: str, epochs: int, jobs: int) -> dict[str, Any]:
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, PredefinedSplit
    from sklearn.neural_network import MLPClassifier

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, Xv, yv = split_arrays(epochs)
    Xa, ya = np.concatenate([X, Xv]), np.concatenate([y, yv])
    fold = PredefinedSplit(np.r_[np.full(len(X), -1), np.zeros(len(Xv), dtype=int)])
    grid = {"hidden_layer_sizes": [(h,) for h in HIDDEN], "learning_rate_init": list(LRS),
            "alpha": list(L2S), "batch_size": list(BATCHES)}
    est = MLPClassifier(solver="adam", max_iter=epochs, random_state=SEED)
    if name == "GridSearchCV":
        cv = GridSearchCV(est, grid, cv=fold, n_jobs=jobs, refit=False)
    else:
        cv = HalvingGridSearchCV(est, grid, cv=fold, n_jobs=jobs, refit=False, factor=3,
                                 resource="max_iter", min_resources=2, max_resources=epochs)
    started = time.perf_counter()
    cv.fit(Xa, ya)
    seconds = time.perf_counter() - started
    p = cv.best_params_
    note = ""
    if name != "GridSearchCV":
        note = "iterations " + ", ".join(
            f"{n} x {r}" for n, r in zip(cv.n_candidates_, cv.n_resources_))
    return {"seconds": seconds, "best_val": float(cv.best_score_),
            "best": f"hidden {p['hidden_layer_sizes'][0]}, lr {p['learning_rate_init']:g}, "
                    f"alpha {p['alpha']:g}, batch {p['batch_size']}",
            "fits": len(cv.cv_results_["params"]), "note": note}


def one(name: str, epochs: int, jobs: int) -> dict[str, Any]:
    """One timed run of contender ``name`` in this process."""
    import tempfile

    if name.startswith("numpynn"):
        with tempfile.TemporaryDirectory() as scratch:
            return run_numpynn(name, epochs, jobs, Path(scratch))
    return run_sklearn(name, epochs, jobs)


def in_fresh_process(name: str, epochs: int, jobs: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}  # the workers' ConvergenceWarnings
    proc = subprocess.run([sys.executable, __file__, "--one", name, "--epochs", str(epochs),
                           "--jobs", str(jobs)], capture_output=True, text=True, env=env,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def grid_limit(epochs: int, jobs: int) -> float:
    """Seconds of the grid's multiplies alone, the machine's limit for the packed search:
    each (hidden, batch) pack of the 6 lr x L2 trials (``bench_packed.multiply_limit``,
    own batches per trial, one BLAS thread as in a search's worker, the trials' scored
    training rows and the validation rows evaluated every epoch), summed and shared by
    ``jobs`` cores."""
    from bench_packed import multiply_limit

    from numpynn.search.trials import SEARCH_EVAL_SAMPLES

    X, _, Xv, _ = split_arrays(epochs)
    n_eval = Xv.shape[0] + min(SEARCH_EVAL_SAMPLES, X.shape[0])
    k = len(LRS) * len(L2S)
    total = sum(multiply_limit(k, h, b, epochs, X.shape[0], n_eval, shared=False, threads=1)
                for h in HIDDEN for b in BATCHES)
    return total / max(1, min(jobs, os.cpu_count() or 1))


def grid_table(a: argparse.Namespace, log) -> list[str]:
    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in NAMES}
    for r in range(a.rounds):
        j = r % len(NAMES)
        for name in NAMES[j:] + NAMES[:j]:
            runs[name].append(in_fresh_process(name, a.epochs, a.jobs))
        log(f"round {r + 1}/{a.rounds} (load {os.getloadavg()[0]:.2f}): " + ", ".join(
            f"{n} {v[-1]['seconds']:.2f} s" for n, v in runs.items()))
    ref = [x["seconds"] for x in runs["GridSearchCV"]]
    limit = grid_limit(a.epochs, a.jobs)
    lines = ["| contender | fits | wall s, median (range) | / GridSearchCV, per round: median "
             "(range) | best val acc | best configuration | budgets |",
             "|---|---|---|---|---|---|---|"]
    for name, v in runs.items():
        secs = [x["seconds"] for x in v]
        ratios = [s / g for s, g in zip(secs, ref)]  # the same round: the same load
        last = v[-1]
        lines.append(f"| {name} | {last['fits']} | {statistics.median(secs):.2f} "
                     f"({min(secs):.2f}-{max(secs):.2f}) | {statistics.median(ratios):.2f}x "
                     f"({min(ratios):.2f}-{max(ratios):.2f}) | {100 * last['best_val']:.2f}% | "
                     f"{last['best']} | {last['note']} |")
    grid = statistics.median(x["seconds"] for x in runs["numpynn grid"])
    lines += ["", f"The machine's limit for the packed grid (`grid_limit`: the 8 packs' "
              f"multiplies alone, one thread each, shared by {a.jobs} cores): {limit:.2f} s; "
              f"numpynn grid at {100 * limit / grid:.0f}% of it; 0.2x GridSearchCV "
              f"({0.2 * statistics.median(ref):.2f} s) would be "
              f"{100 * limit / (0.2 * statistics.median(ref)):.0f}% of it."]
    return lines


def breakdown(epochs: int) -> list[str]:
    """Where a packed grid's time goes: the search in this process alone (``jobs=1``, one
    BLAS thread), each pack timed with its multiply-only limit, and the engine's phases
    (``_Pack.forward`` (with the loss), ``backward``, ``update`` (the optimiser), the
    per-epoch evaluation and the rest of an epoch: batch gathering, bookkeeping) timed by
    wrappers around them."""
    from bench_packed import multiply_limit
    from threadpoolctl import threadpool_limits

    import numpynn.search.runner as runner
    import numpynn.training.packed as packed
    from numpynn.search import search
    from numpynn.search.trials import SEARCH_EVAL_SAMPLES

    phases: dict[str, float] = dict.fromkeys(("forward", "_loss", "backward", "update",
                                              "_evaluate", "_run_epoch"), 0.0)
    packs: dict[tuple[int, int], float] = {}
    originals: list[tuple[Any, str, Any]] = []  # put back at the end

    def timed(owner: Any, name: str, key: Any = None) -> None:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds = time.perf_counter() - started
                if key is None:
                    phases[name] += seconds
                else:
                    packs[key(*args)] = packs.get(key(*args), 0.0) + seconds

        setattr(owner, name, wrapper)

    for name in ("forward", "_loss", "backward", "update"):
        timed(packed._Pack, name)
    for name in ("_evaluate", "_run_epoch"):
        timed(packed, name)
    timed(runner, "run_pack", key=lambda base, p, *rest: (p[0]["hidden"][0],
                                                          p[0]["batch_size"]))
    options, space = numpynn_inputs(epochs)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            started = time.perf_counter()
            search(options, space, mode="grid", seed=SEED, jobs=1, out=None, report=False)
            total = time.perf_counter() - started
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    X, _, Xv, _ = split_arrays(epochs)
    n_eval = Xv.shape[0] + min(SEARCH_EVAL_SAMPLES, X.shape[0])
    k = len(LRS) * len(L2S)
    lines = ["| pack (hidden, batch) | s | multiply-only limit s | of limit |", "|---|---|---|---|"]
    limit_sum = 0.0
    for (h, b), seconds in sorted(packs.items()):
        limit = multiply_limit(k, h, b, epochs, X.shape[0], n_eval, shared=False, threads=1)
        limit_sum += limit
        lines.append(f"| {h}, {b} | {seconds:.3f} | {limit:.3f} | {100 * limit / seconds:.0f}% |")
    lines.append(f"| all | {sum(packs.values()):.3f} | {limit_sum:.3f} | "
                 f"{100 * limit_sum / sum(packs.values()):.0f}% |")
    rest = phases["_run_epoch"] - sum(phases[n] for n in ("forward", "backward", "update",
                                                          "_evaluate"))
    lines += ["", f"The search in one process: {total:.2f} s. Phases: forward "
              f"{phases['forward']:.3f} s (the loss {phases['_loss']:.3f} s of it), backward "
              f"{phases['backward']:.3f} s, update {phases['update']:.3f} s, per-epoch "
              f"evaluation {phases['_evaluate']:.3f} s, the rest of the epochs "
              f"{rest:.3f} s."]
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--no-packed", action="store_true", help="skip the packed K=1,4,16 part")
    p.add_argument("--ks", default="1,4,16", help="pack sizes of the packed part")
    p.add_argument("--one", choices=NAMES, help=argparse.SUPPRESS)
    p.add_argument("--breakdown", action="store_true",
                   help="only where the packed grid's time goes, in one process (~5 s)")
    a = p.parse_args(argv)
    if a.one:
        print(json.dumps(one(a.one, a.epochs, a.jobs)))
        return 0
    if a.breakdown:
        print("\n".join(breakdown(a.epochs)))
        return 0

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    from bench_train import machine

    started = time.perf_counter()
    load_before = os.getloadavg()
    lines = grid_table(a, log)
    load_after = os.getloadavg()
    cmd = "python " + " ".join([os.path.relpath(__file__)] + (argv or sys.argv[1:]))
    print(f"Command: `{cmd}` (grid part {time.perf_counter() - started:.0f} s)\n")
    for key, v in machine().items():
        print(f"- {key}: {v}")
    print(f"- load average (1 min) before / after the grid part: {load_before[0]:.2f} / "
          f"{load_after[0]:.2f}")
    print(f"- grid: hidden {HIDDEN} x lr {LRS} x L2 {L2S} x batch {BATCHES}, Adam, "
          f"{a.epochs} epochs, numpynn's digits split (seed {SEED}), {a.jobs} jobs, each "
          f"run in a fresh process; median of {a.rounds} interleaved rounds\n")
    print("\n".join(lines))
    if not a.no_packed:
        import bench_packed

        print("\nPacked training, the digits shape (bench_packed.py, "
              f"load {os.getloadavg()[0]:.2f} at its start):\n")
        bench_packed.main(["--ks", a.ks, "--rounds", str(a.rounds), "--ensemble-epochs", "0"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
