#!/usr/bin/env python
"""The packed evaluation on one BLAS thread against the pool's own count.

``numpynn.training.packed`` evaluates every member each epoch under
``Blas.threads(EVAL_THREADS)`` (1): its K multiplies of a chunk's rows are small, and
OpenBLAS's second thread can cost more than it gives, most of all on a loaded machine.
This times ``train_packed`` of 16 digits-sized models (64-100-10 ReLU, Adam, batch 32,
10 epochs; 1437 training and 360 validation rows, evaluated every epoch) with
``EVAL_THREADS = 1`` and with no limit, alternating in one process after a warm-up run;
prints the medians, the BLAS pool's thread count and the load average.

Usage::

    python benchmarks/bench_eval_threads.py --rounds 8
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from numpynn.models import MLP  # noqa: E402
from numpynn.training import packed  # noqa: E402
from numpynn.training.trainer import TrainConfig  # noqa: E402


def run_pack(data: tuple[np.ndarray, ...], k: int = 16, epochs: int = 10) -> float:
    models = [MLP(64, [100], 10, seed=i, reg=1e-4) for i in range(k)]
    configs = [TrainConfig(epochs=epochs, batch_size=32, optimizer="adam", lr=1e-3, seed=0)
               for _ in range(k)]
    started = time.perf_counter()
    packed.train_packed(models, data[0], data[1], configs, data[2], data[3])
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args(argv)
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    data = (X[:1437], y[:1437], X[1437:], y[1437:])
    print(f"load average before: {os.getloadavg()[0]:.2f}; BLAS threads: "
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'the pool default')}")
    run_pack(data)
    times: dict[str, list[float]] = {"one thread": [], "no limit": []}
    for r in range(args.rounds):
        for name in (("one thread", "no limit") if r % 2 else ("no limit", "one thread")):
            packed.EVAL_THREADS = 1 if name == "one thread" else 1 << 10
            times[name].append(run_pack(data))
    packed.EVAL_THREADS = 1
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.3f} s "
              f"(range {min(values):.3f}-{max(values):.3f}) over {len(values)} runs")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
