#!/usr/bin/env python
"""Prediction throughput: numpynn's ``model.predict_proba`` against onnxruntime running the
graph ``numpynn.export.to_onnx`` writes, on the cifar-shape network.

Network: ``MLP(3072, [100], 10)`` float32 (CS231n's two-layer net on CIFAR-10-shaped
rows); data: ``--rows`` (10000) synthetic rows of D=3072 uniform in [0, 1) (scaled
pixels), one batch per call. onnxruntime: CPU provider, ``intra_op_num_threads=--threads``
(2), one inter-op thread, all graph optimisations, outputs ``label`` and
``probabilities`` (what a server asks for). numpynn: its default BLAS threads (2 on this
machine). Rounds are interleaved (each round times both, in alternating order) after a
warm-up call each; the report gives medians over rounds in rows/s and their ratio, and
the load average before and after (timings on a busy machine vary).

Usage::

    python benchmarks/bench_onnx.py                 # 10000 rows, 9 rounds
    python benchmarks/bench_onnx.py --rows 2000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000, help="rows per predict call")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved timed rounds")
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads")
    parser.add_argument("--repeat", type=int, default=3,
                        help="calls per timing (the time of one call is their mean)")
    args = parser.parse_args()

    import onnxruntime as ort

    from numpynn.export.onnx import OPSET, to_onnx
    from numpynn.models import MLP

    load_before = os.getloadavg()
    net = MLP(3072, [100], 10, dtype=np.float32, seed=0)
    X = np.random.default_rng(1).random((args.rows, 3072), dtype=np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(to_onnx(net).SerializeToString(), options,
                                providers=["CPUExecutionProvider"])

    def run_numpynn() -> np.ndarray:
        return net.predict_proba(X)

    def run_onnx() -> np.ndarray:
        return sess.run(["label", "probabilities"], {"X": X})[1]

    diff = float(np.abs(run_numpynn() - run_onnx()).max())  # also the warm-up calls
    runners = {"numpynn": run_numpynn, "onnxruntime": run_onnx}
    times: dict[str, list[float]] = {name: [] for name in runners}
    for r in range(args.rounds):
        order = list(runners) if r % 2 == 0 else list(reversed(runners))
        for name in order:
            start = time.perf_counter()
            for _ in range(args.repeat):
                runners[name]()
            times[name].append((time.perf_counter() - start) / args.repeat)
    load_after = os.getloadavg()

    rate = {name: args.rows / statistics.median(t) for name, t in times.items()}
    print(f"predict throughput, MLP(3072, [100], 10) float32, batch {args.rows} rows, "
          f"{args.rounds} interleaved rounds x {args.repeat} calls, median")
    print(f"onnxruntime {ort.__version__} (opset {OPSET}, {args.threads} intra-op threads); "
          f"numpynn with NumPy {np.__version__}")
    for name, value in rate.items():
        spread = [args.rows / t for t in (max(times[name]), min(times[name]))]
        print(f"  {name:<12} {value:>12,.0f} rows/s   (range {spread[0]:,.0f} - "
              f"{spread[1]:,.0f})")
    print(f"  numpynn / onnxruntime: {rate['numpynn'] / rate['onnxruntime']:.2f}x")
    print(f"  max |probabilities difference|: {diff:.2e}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
