#!/usr/bin/env python
"""``numpynn train --ensemble 5`` against ``numpynn train --ensemble 1`` on digits: the
time of the whole command and the scores (issue 22, item 4: <= 2x the time of one
network, and the ensemble scoring above one member).

Each command runs in this process through the command line's ``main(argv)`` (the same
code as the console script, without the interpreter's start-up, which both pay alike),
with no warm worker left by the command before (``numpynn.training.forked``: as in a
new process, an ensemble's command pays its fork), with ``--no-report`` (drawing the
plots costs the same for both and is not training) and ``--quiet``, into a fresh
directory; its wall time, its CPU time and the run's own
``train_seconds`` (data loading, split, training, scoring, files) are recorded. Rounds
are interleaved (each round runs every command once per ``--seed``, in alternating
order) after a warm-up of each; the time table gives medians over rounds and seeds. The
scores come from the model files, per seed (one test row of digits' 360 is 0.28 point):
the test accuracy and log loss of the single network, of the ensemble and of each
member (the metadata's ``ensemble.members`` table). The machine is described by
``bench_train.machine()``; the load average is printed before and after.

Usage::

    python benchmarks/bench_ensemble.py                   # numpynn train's defaults, seeds 0-2
    python benchmarks/bench_ensemble.py --rounds 5 --seeds 0 --args "--epochs 50"
    python benchmarks/bench_ensemble.py --threads 1      # one BLAS thread (a steadier ratio)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import machine  # noqa: E402

from numpynn.cli.main import main as numpynn_main  # noqa: E402
from numpynn.model_file import load_model  # noqa: E402
from numpynn.training import forked  # noqa: E402


def cpu_seconds() -> float:
    """CPU seconds of this process and of its reaped children (an ensemble's second
    process, ``numpynn.training.forked``)."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def train(members: int, seed: int, extra: list[str]) -> dict[str, Any]:
    """One ``numpynn train --ensemble MEMBERS --seed SEED --no-report --quiet EXTRA`` into
    a fresh directory: wall and CPU seconds, the run's train_seconds, its test figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        argv = ["train", "--ensemble", str(members), "--seed", str(seed), "--out", str(out),
                "--no-report", "--quiet", *extra]
        forked._release()  # no warm worker from the command before: a new process has none
        wall, cpu = time.perf_counter(), cpu_seconds()
        with contextlib.redirect_stdout(io.StringIO()):
            code = numpynn_main(argv)
        wall = time.perf_counter() - wall
        forked._release()  # its second process stopped and reaped: its CPU time counted
        cpu = cpu_seconds() - cpu
        if code != 0:
            raise SystemExit(f"numpynn {' '.join(argv)} exited {code}")
        meta = load_model(out).metadata
    test = meta["metrics"]["test"]
    rows = (meta.get("ensemble") or {}).get("members") or []
    return {"wall": wall, "cpu": cpu, "train_seconds": meta["train_seconds"],
            "accuracy": test["accuracy"], "loss": test["loss"],
            "member_acc": [r["test accuracy"] for r in rows[:-1]],
            "member_loss": [r["test loss"] for r in rows[:-1]]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", type=int, default=5, help="K of the ensemble (default 5)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seeds", default="0,1,2", help="--seed values (comma-separated)")
    p.add_argument("--threads", type=int,
                   help="BLAS threads of NumPy for the whole run (threadpoolctl; default: as "
                        "installed)")
    p.add_argument("--args", default="", help="more 'numpynn train' flags for both commands, "
                   "e.g. \"--epochs 50 --seed 1\" (default: none: numpynn train's defaults)")
    a = p.parse_args(argv)
    extra = shlex.split(a.args)
    seeds = [int(v) for v in a.seeds.split(",") if v.strip()]
    if a.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=a.threads, user_api="blas")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load_before = os.getloadavg()
    info = machine()
    runs: dict[int, list[dict[str, Any]]] = {1: [], a.members: []}
    last: dict[tuple[int, int], dict[str, Any]] = {}  # (K, seed) -> its last run
    for k in runs:  # warm-up
        train(k, seeds[0], extra)
    for r in range(a.rounds):
        for seed in seeds:
            for k in list(runs)[:: 1 if r % 2 == 0 else -1]:
                last[k, seed] = train(k, seed, extra)
                runs[k].append(last[k, seed])
            log(f"round {r + 1}/{a.rounds}, seed {seed}: " + ", ".join(
                f"--ensemble {k} {v[-1]['wall']:.2f} s" for k, v in runs.items()))
    load_after = os.getloadavg()

    def median(k: int, key: str) -> float:
        return statistics.median(run[key] for run in runs[k])

    print(f"machine: {info['cpu']}; numpy {info['numpy']}; BLAS {info['numpy_blas']}")
    print(f"load average (1, 5, 15 min): before {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} "
          f"{load_after[2]:.2f}")
    print(f"command: numpynn train --ensemble K --seed S --no-report --quiet "
          f"{' '.join(extra)}; seeds {a.seeds}; medians of {a.rounds} interleaved rounds x "
          f"{len(seeds)} seeds\n")
    print("| --ensemble | wall s | CPU s | train_seconds |")
    print("|---|---|---|---|")
    for k in runs:
        print(f"| {k} | {median(k, 'wall'):.2f} | {median(k, 'cpu'):.2f} | "
              f"{median(k, 'train_seconds'):.2f} |")
    k = a.members
    print(f"| {k} / 1 | {median(k, 'wall') / median(1, 'wall'):.2f}x | "
          f"{median(k, 'cpu') / median(1, 'cpu'):.2f}x | "
          f"{median(k, 'train_seconds') / median(1, 'train_seconds'):.2f}x |\n")
    print(f"| --seed | one network: test accuracy; log loss | {k} members: accuracy min-max "
          "(mean); log loss min-max (mean) | the ensemble: accuracy; log loss |")
    print("|---|---|---|---|")
    for seed in seeds:
        one, ens = last[1, seed], last[k, seed]
        acc, loss = np.array(ens["member_acc"]), np.array(ens["member_loss"])
        print(f"| {seed} | {one['accuracy']:.4f}; {one['loss']:.4f} | {acc.min():.4f}-"
              f"{acc.max():.4f} ({acc.mean():.4f}); {loss.min():.4f}-{loss.max():.4f} "
              f"({loss.mean():.4f}) | {ens['accuracy']:.4f}; {ens['loss']:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
