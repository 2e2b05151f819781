#!/usr/bin/env python
"""Training with subnormal floats flushed to zero (``numpynn/denormals.py``, as
numpynn trains) against IEEE arithmetic (the flushing switched off for the run), on the
digits shape: what subnormals cost on this CPU.

Workload: sklearn's bundled digits (X / 16, float32; 1437 training, 360 validation rows,
a fixed split), a 64-100-10 ReLU network, batch 32, Adam (lr 1e-3), L2 1e-4 on the
weights, ``--epochs`` epochs (200 by default, ``numpynn train``'s digits run is as long):
one network through the ``Trainer`` and a 5-network ensemble through ``train_packed``
(seeds 0-4, own data orders). Each is run with flushing (numpynn as shipped) and
without it, in interleaved rounds; the table gives medians over the rounds of the whole
run's wall time and of the mean epoch time over the first and over the last 20 epochs
(``History.seconds``), and, for the run without flushing, how many of the trained
network's parameters are subnormal. A second table times two operations on subnormal
operands with and without the flushing (:func:`ops_table`).

Usage::

    python benchmarks/bench_denormals.py                  # 200 epochs, 3 rounds (~1.5 minutes)
    python benchmarks/bench_denormals.py --epochs 50 --rounds 1
    python benchmarks/bench_denormals.py --quick          # a check that it runs (seconds)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import timeit
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_packed import digits  # noqa: E402
from bench_train import ieee, machine  # noqa: E402

from numpynn.denormals import available, flush_denormals  # noqa: E402
from numpynn.models import MLP  # noqa: E402
from numpynn.training.packed import train_packed  # noqa: E402
from numpynn.training.trainer import TrainConfig, Trainer  # noqa: E402

REG = 1e-4
MEMBERS = 5


def subnormals(models: list[MLP]) -> int:
    tiny = np.finfo(np.float32).tiny
    return sum(int(((a != 0) & (np.abs(a) < tiny)).sum())
               for m in models for a in m.params.values())


def run(kind: str, epochs: int, data: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """One run of ``kind`` ("one" or "ensemble"): wall s, first/last epochs' mean ms."""
    seeds = [0] if kind == "one" else list(range(MEMBERS))
    models = [MLP(64, [100], 10, reg=REG, dtype="float32", seed=s) for s in seeds]
    configs = [TrainConfig(epochs=epochs, batch_size=32, optimizer="adam", lr=1e-3, seed=s)
               for s in seeds]
    started = time.perf_counter()
    if kind == "one":
        seconds = Trainer(models[0], *data, config=configs[0]).train().seconds
    else:
        seconds = train_packed(models, data[0], data[1], configs, data[2], data[3])[0].seconds
    wall = time.perf_counter() - started
    edge = min(20, len(seconds))
    return {"wall": wall, "first_ms": 1e3 * statistics.fmean(seconds[:edge]),
            "last_ms": 1e3 * statistics.fmean(seconds[-edge:]),
            "subnormal": subnormals(models)}


def ops_table(X_digits: np.ndarray, repeat: int = 3, number: int = 20) -> list[str]:
    """Three operations on subnormal float32 operands, with and without the flushing: a
    multiply of 100,000 by 0.5, a 512 x 512 matrix product (one BLAS thread: OpenBLAS's
    worker threads keep their own mode) and a digits network's ``predict_proba`` where 6
    input rows of W1 are subnormal (prediction does not flush: with ``flushed``, the
    block around it does); best of ``repeat`` x ``number`` runs each (after one), against
    the same operations on normal numbers."""
    from threadpoolctl import threadpool_limits

    tiny = np.full(100_000, 1e-39, np.float32)
    normal = np.full(100_000, 1e-30, np.float32)
    out = np.empty_like(tiny)
    a_tiny = np.full((512, 512), 1e-39, np.float32)
    a_normal = np.full((512, 512), 1e-30, np.float32)
    b, c = np.ones((512, 512), np.float32), np.empty((512, 512), np.float32)

    def best(fn: Any, flushed: bool) -> float:
        with threadpool_limits(limits=1, user_api="blas"), (
                flush_denormals() if flushed else contextlib.nullcontext()):
            fn()
            return min(timeit.repeat(fn, number=number, repeat=repeat)) / number

    # a digits network whose weights of 6 always-zero inputs are subnormal, as 200 epochs
    # without the flushing leave it (590 of them), and its twin with those weights normal
    X = np.tile(X_digits, (10, 1))  # 14,370 rows
    net_tiny = MLP(64, [100], 10, reg=REG, dtype="float32", seed=0)
    net_normal = MLP(64, [100], 10, reg=REG, dtype="float32", seed=0)
    net_tiny.params["W1"][:6] = 1e-39
    net_normal.params["W1"][:6] = 1e-30
    X[:, :6] = 0

    rows = ["| operation | subnormal operands: IEEE | subnormal: flushed | normal operands |",
            "|---|---|---|---|"]
    for name, fn_tiny, fn_normal in (
            ("multiply of 100,000 float32", lambda: np.multiply(tiny, 0.5, out=out),
             lambda: np.multiply(normal, 0.5, out=out)),
            ("512 x 512 float32 product", lambda: np.matmul(a_tiny, b, out=c),
             lambda: np.matmul(a_normal, b, out=c)),
            ("predict_proba of 14,370 rows, 600 subnormal weights",
             lambda: net_tiny.predict_proba(X), lambda: net_normal.predict_proba(X))):
        times = [best(fn_tiny, False), best(fn_tiny, True), best(fn_normal, False)]
        rows.append(f"| {name} | " + " | ".join(f"{1e6 * t:,.0f} us" for t in times) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--quick", action="store_true",
                   help="a check that it runs: 2 epochs, 1 round, each operation timed once")
    a = p.parse_args(argv)
    if a.quick:
        a.epochs, a.rounds = 2, 1
    if not available():
        print("this CPU / C library has no flush-to-zero mode numpynn can set: nothing to "
              "compare")
        return 0
    data = digits()
    load_before = os.getloadavg()
    info = machine()
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    columns = [(kind, mode) for kind in ("one", "ensemble") for mode in ("flushed", "ieee")]
    for r in range(a.rounds):
        for kind, mode in columns[:: 1 if r % 2 == 0 else -1]:
            with ieee() if mode == "ieee" else contextlib.nullcontext():
                got = run(kind, a.epochs, data)
            runs.setdefault((kind, mode), []).append(got)
            print(f"round {r + 1}/{a.rounds}: {kind}, {mode}: {got['wall']:.2f} s",
                  file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    def med(key: tuple[str, str], field: str) -> float:
        return statistics.median(x[field] for x in runs[key])

    print(f"machine: {info['cpu']}; numpy {info['numpy']}; BLAS {info['numpy_blas']}")
    print(f"load average (1 min): before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"command: python benchmarks/bench_denormals.py --epochs {a.epochs} --rounds "
          f"{a.rounds}; medians of {a.rounds} interleaved rounds\n")
    print("| run | flushed: wall s | IEEE: wall s | IEEE / flushed | flushed: first / last "
          "20 epochs, ms | IEEE: first / last 20 epochs, ms | IEEE: subnormal parameters |")
    print("|---|---|---|---|---|---|---|")
    for kind, label in (("one", "one network (Trainer)"),
                        ("ensemble", f"{MEMBERS} networks (train_packed)")):
        f, i = (kind, "flushed"), (kind, "ieee")
        print(f"| {label} | {med(f, 'wall'):.2f} | {med(i, 'wall'):.2f} | "
              f"{med(i, 'wall') / med(f, 'wall'):.2f}x | {med(f, 'first_ms'):.1f} / "
              f"{med(f, 'last_ms'):.1f} | {med(i, 'first_ms'):.1f} / {med(i, 'last_ms'):.1f} "
              f"| {int(med(i, 'subnormal'))} |")
    print()
    print("\n".join(ops_table(data[0], *((1, 1) if a.quick else (3, 20)))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
