#!/usr/bin/env python
"""Training and prediction speed of numpynn against PyTorch (CPU) and scikit-learn.

Each workload trains the same architecture on the same data with the same batch size,
optimiser, learning rate, L2 strength and dtype (float32) in every framework:

* numpynn:  ``numpynn.Trainer`` (the training engine, ``numpynn.training.engine``), and
  the same Trainer with ``fast=False`` (the readable reference loop) for comparison;
* PyTorch:  ``nn.Sequential(Linear, ReLU, ..., Linear)``, ``CrossEntropyLoss``,
  ``torch.optim.SGD(momentum=0.9)`` (or ``Adam``) with weight decay on the affine weights
  only (the L2 term numpynn adds to the loss), a
  ``randperm`` per epoch and index gathers, ``loss.item()`` recorded every step (numpynn
  records every step's loss too);
* scikit-learn: ``MLPClassifier(solver="sgd", momentum=0.9, nesterovs_momentum=False)``
  with ``alpha = reg * batch_size`` (its penalty is divided by the batch size); one
  ``fit(max_iter=E)`` per round, timed per epoch as total / E (its input check is paid once
  per round).

Runs are interleaved (one round = one measurement of every framework, in a rotating
order) after a warm-up epoch each, and the table reports medians over rounds. Workloads:

* ``cifar``:  N=49000, D=3072, H=100, C=10, batch 200 (synthetic CIFAR-10-shaped data);
* ``digits``: the 1797 bundled 8x8 digits, H=100, batch 32 (per-step overhead dominates);
* ``deep``:   N=60000, D=784, hidden (512, 256, 128), batch 128 (synthetic);
* ``deep-bn``: the deep shape with batch norm after every hidden affine layer and dropout
  0.2 after every activation (PyTorch: ``Linear -> BatchNorm1d -> ReLU -> Dropout``,
  numpynn's and CS231n's order), momentum SGD as ``deep``; no scikit-learn column (it has
  neither layer);
* ``adam``:   the deep shape trained with Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8;
  ``torch.optim.Adam`` with its defaults, which on CPU tensors is the single-tensor loop:
  ``foreach`` and ``fused`` default to off for CPU parameters; scikit-learn's ``adam``
  solver with the same hyper-parameters);
* ``predict``: ``predict_proba`` throughput on 100k rows with the cifar network.

For numpynn the table also gives the achieved GFLOP/s (the multiplies a training step
needs: forward, weight gradients, and input gradients of every layer but the first,
divided by the epoch time) against the *limit*: the same multiplies, same shapes, timed
alone with ``np.dot`` into preallocated outputs (the machine's single-precision matrix
multiply rate for these shapes); "of limit" is their ratio.

Usage::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_train.py
    python benchmarks/bench_train.py --quick            # under a minute
    python benchmarks/bench_train.py --memory           # peak RSS of cifar training
    python benchmarks/bench_train.py --profile          # phases + cProfile, cifar epoch
    python benchmarks/bench_train.py --profile --quick --workloads adam,deep-bn
    python benchmarks/bench_train.py --workloads digits,predict --rounds 9

Needs ``pip install torch threadpoolctl`` (the ``[bench]`` extra) for the PyTorch column;
without torch that column is skipped. Timings on a shared or busy machine vary: the
report prints the load average before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

# ------------------------------------------------------------------------ workloads


@dataclass
class Workload:
    name: str
    N: int
    D: int
    hidden: tuple[int, ...]
    C: int
    batch: int
    lr: float
    reg: float
    epochs_per_round: int = 1  # per measurement (sklearn: fit(max_iter=this))
    rounds: int = 5
    note: str = ""
    optimizer: str = "momentum"  # or "adam" (torch.optim.Adam, same hyper-parameters)
    norm: str | None = None  # "batch": BatchNorm1d after every hidden affine layer
    dropout: float = 0.0  # drop probability after every hidden activation

    @property
    def dims(self) -> list[int]:
        return [self.D, *self.hidden, self.C]


FULL = {
    "cifar": Workload("cifar", 49000, 3072, (100,), 10, 200, 1e-3, 1e-3, rounds=5,
                      note="synthetic, CIFAR-10 shape"),
    "digits": Workload("digits", 1797, 64, (100,), 10, 32, 1e-2, 1e-4, epochs_per_round=5,
                       rounds=9, note="sklearn's bundled digits"),
    "deep": Workload("deep", 60000, 784, (512, 256, 128), 10, 128, 1e-2, 1e-4, rounds=5,
                     note="synthetic, MNIST shape"),
    "deep-bn": Workload("deep-bn", 60000, 784, (512, 256, 128), 10, 128, 1e-2, 1e-4,
                        rounds=5, norm="batch", dropout=0.2,
                        note="synthetic, MNIST shape, batch norm + dropout 0.2"),
    "adam": Workload("adam", 60000, 784, (512, 256, 128), 10, 128, 1e-3, 1e-4, rounds=5,
                     optimizer="adam", note="synthetic, MNIST shape, Adam"),
    "predict": Workload("predict", 100_000, 3072, (100,), 10, 0, 0.0, 0.0, rounds=7,
                        note="predict_proba, cifar network"),
}
QUICK = {
    "cifar": Workload("cifar", 9800, 3072, (100,), 10, 200, 1e-3, 1e-3, rounds=3,
                      note="synthetic, CIFAR-10 shape, N reduced"),
    "digits": Workload("digits", 1797, 64, (100,), 10, 32, 1e-2, 1e-4, epochs_per_round=3,
                       rounds=5, note="sklearn's bundled digits"),
    "deep": Workload("deep", 6000, 784, (512, 256, 128), 10, 128, 1e-2, 1e-4, rounds=3,
                     note="synthetic, MNIST shape, N reduced"),
    "deep-bn": Workload("deep-bn", 6000, 784, (512, 256, 128), 10, 128, 1e-2, 1e-4,
                        rounds=3, norm="batch", dropout=0.2,
                        note="synthetic, MNIST shape, batch norm + dropout 0.2, N reduced"),
    "adam": Workload("adam", 6000, 784, (512, 256, 128), 10, 128, 1e-3, 1e-4, rounds=3,
                     optimizer="adam", note="synthetic, MNIST shape, Adam, N reduced"),
    "predict": Workload("predict", 20_000, 3072, (100,), 10, 0, 0.0, 0.0, rounds=5,
                        note="predict_proba, cifar network, N reduced"),
}


@contextlib.contextmanager
def ieee() -> Iterator[None]:
    """numpynn with its flushing of subnormal floats switched off (``flush_denormals`` a
    no-op for every caller): IEEE arithmetic, to measure what the flushing saves."""
    from numpynn import denormals

    denormals.available()  # loaded and self-tested: the state to put back
    saved = denormals._state["env"]
    denormals._state["env"] = None
    try:
        yield
    finally:
        denormals._state["env"] = saved


def make_data(w: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """float32 C-contiguous X (N, D) and int64 y (N,); learnable synthetic data."""
    if w.name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        return np.ascontiguousarray(X / 16.0, dtype=np.float32), y.astype(np.int64)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((w.N, w.D), dtype=np.float32)  # no float64 temporary
    teacher = rng.standard_normal((w.D, w.C), dtype=np.float32)
    y = np.empty(w.N, np.int64)
    for s in range(0, w.N, 8192):  # labels from a random linear teacher, chunked
        np.argmax(X[s : s + 8192] @ teacher, axis=1, out=y[s : s + 8192])
    return X, y


def train_flops(w: Workload, n_rows: int) -> float:
    """Multiply-add flops of one epoch: forward, dW of every layer, dX of layers 2..L."""
    d = w.dims
    pairs = [d[i] * d[i + 1] for i in range(len(d) - 1)]
    return 2.0 * n_rows * (2 * sum(pairs) + sum(pairs[1:]))


def matmul_limit(w: Workload, repeats: int = 3) -> float:
    """Seconds per epoch of the training multiplies alone (np.dot, preallocated outputs)."""
    rng = np.random.default_rng(1)
    d = w.dims
    f32 = np.float32
    Ws = [rng.standard_normal((d[i], d[i + 1]), dtype=f32) for i in range(len(d) - 1)]
    gWs = [np.empty_like(W) for W in Ws]

    def one_step(b: int, hs: list[np.ndarray], dhs: list[np.ndarray]) -> None:
        for i, W in enumerate(Ws):
            np.dot(hs[i], W, out=hs[i + 1])
        for i in range(len(Ws) - 1, -1, -1):
            np.dot(hs[i].T, dhs[i + 1], out=gWs[i])
            if i:
                np.dot(dhs[i + 1], Ws[i].T, out=dhs[i])

    def buffers(b: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        hs = [rng.standard_normal((b, k), dtype=f32) for k in d]
        return hs, [h.copy() for h in hs]

    full, last = divmod(w.N, w.batch)
    hb, db = buffers(w.batch)
    hl, dl = buffers(last) if last else (None, None)
    one_step(w.batch, hb, db)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(full):
            one_step(w.batch, hb, db)
        if last:
            one_step(last, hl, dl)
        best = min(best, time.perf_counter() - t)
    return best


def predict_limit(w: Workload, X: np.ndarray, repeats: int = 3) -> float:
    rng = np.random.default_rng(1)
    d = w.dims
    Ws = [rng.standard_normal((d[i], d[i + 1]), dtype=np.float32) for i in range(len(d) - 1)]
    outs = [np.empty((X.shape[0], k), np.float32) for k in d[1:]]
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        h = X
        for W, o in zip(Ws, outs):
            np.dot(h, W, out=o)
            h = o
        best = min(best, time.perf_counter() - t)
    return best


# ------------------------------------------------------------------------ runners


class Runner(ABC):
    """One framework on one workload: ``epoch()`` returns seconds per epoch."""

    name = ""

    @abstractmethod
    def epoch(self) -> float:
        ...


def make_model(w: Workload):
    """The workload's numpynn network (float32, seed 0)."""
    from numpynn.models import MLP

    return MLP(w.D, list(w.hidden), w.C, reg=w.reg, dtype="float32", seed=0,
               dropout=w.dropout, normalization=w.norm)


def optimizer_kwargs(w: Workload) -> dict[str, Any]:
    """numpynn's optimiser arguments; Adam keeps its defaults (PyTorch's: 0.9, 0.999, 1e-8)."""
    return {"momentum": 0.9} if w.optimizer == "momentum" else {}


class NumpynnRunner(Runner):
    def __init__(self, w: Workload, X: np.ndarray, y: np.ndarray, fast: bool = True) -> None:
        from numpynn.training.trainer import TrainConfig, Trainer

        self.name = "numpynn" if fast else "numpynn-ref"
        model = make_model(w)
        cfg = TrainConfig(epochs=1, batch_size=w.batch, optimizer=w.optimizer, lr=w.lr,
                          optimizer_kwargs=optimizer_kwargs(w), keep_best=False,
                          eval_samples=1000, seed=0)
        self.trainer = Trainer(model, X, y, config=cfg, fast=fast)
        self.k = w.epochs_per_round

    def epoch(self) -> float:
        tr = self.trainer
        tr.config.epochs = tr.epoch + self.k
        tr.history.stop_reason = ""  # continue the same run
        tr.train()
        return statistics.median(tr.history.seconds[-self.k :])


class TorchRunner(Runner):
    name = "pytorch"

    def __init__(self, w: Workload, X: np.ndarray, y: np.ndarray) -> None:
        import torch

        torch.manual_seed(0)
        layers: list[Any] = []
        d = w.dims
        for i in range(len(d) - 1):  # numpynn's (and CS231n's) order of a hidden block
            layers.append(torch.nn.Linear(d[i], d[i + 1]))
            if i < len(d) - 2:
                if w.norm == "batch":  # momentum 0.1 = numpynn's 0.9, eps 1e-5 both
                    layers.append(torch.nn.BatchNorm1d(d[i + 1]))
                layers.append(torch.nn.ReLU())
                if w.dropout:
                    layers.append(torch.nn.Dropout(w.dropout))
        self.net = torch.nn.Sequential(*layers).train()
        linears = [m for m in self.net if isinstance(m, torch.nn.Linear)]
        weights = [m.weight for m in linears]  # L2 on the affine weights only, as numpynn
        others = [p for p in self.net.parameters() if all(p is not q for q in weights)]
        groups = [{"params": weights, "weight_decay": w.reg},
                  {"params": others, "weight_decay": 0}]
        if w.optimizer == "adam":  # Adam's weight_decay is L2 added to the gradient
            self.opt = torch.optim.Adam(groups, lr=w.lr, betas=(0.9, 0.999), eps=1e-8)
        else:
            self.opt = torch.optim.SGD(groups, lr=w.lr, momentum=0.9)
        self.lossf = torch.nn.CrossEntropyLoss()
        self.X = torch.from_numpy(X)  # shares memory
        self.y = torch.from_numpy(y)
        self.gen = torch.Generator().manual_seed(0)
        self.B, self.k, self.torch = w.batch, w.epochs_per_round, torch
        self.losses: list[float] = []

    def _one(self) -> float:
        t = time.perf_counter()
        N, B = self.X.shape[0], self.B
        perm = self.torch.randperm(N, generator=self.gen)
        net, opt, lossf, X, y = self.net, self.opt, self.lossf, self.X, self.y
        for s in range(0, N, B):
            idx = perm[s : s + B]
            opt.zero_grad(set_to_none=True)
            loss = lossf(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
            self.losses.append(loss.item())
        return time.perf_counter() - t

    def epoch(self) -> float:
        return statistics.median(self._one() for _ in range(self.k))


class SklearnRunner(Runner):
    name = "sklearn"

    def __init__(self, w: Workload, X: np.ndarray, y: np.ndarray) -> None:
        from sklearn.neural_network import MLPClassifier

        self.X, self.y, self.k = X, y, max(w.epochs_per_round, 2)
        solver = {"adam": {"solver": "adam", "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
                  "momentum": {"solver": "sgd", "momentum": 0.9,
                               "nesterovs_momentum": False}}[w.optimizer]
        self.make = lambda: MLPClassifier(
            w.hidden, batch_size=w.batch, learning_rate_init=w.lr, alpha=w.reg * w.batch,
            shuffle=True, max_iter=self.k, tol=0.0, n_iter_no_change=10**9, random_state=0,
            **solver,
        )

    def epoch(self) -> float:
        from sklearn.exceptions import ConvergenceWarning

        clf = self.make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t = time.perf_counter()
            clf.fit(self.X, self.y)
            return (time.perf_counter() - t) / self.k


# ------------------------------------------------------------------------ predict


def predict_runners(w: Workload, X: np.ndarray, y: np.ndarray, frameworks: list[str]):
    from numpynn.models import MLP

    model = MLP(w.D, list(w.hidden), w.C, dtype="float32", seed=0)
    out: dict[str, Callable[[], Any]] = {"numpynn": lambda: model.predict_proba(X)}
    if "pytorch" in frameworks:
        import torch

        net = torch.nn.Sequential(torch.nn.Linear(w.D, w.hidden[0]), torch.nn.ReLU(),
                                  torch.nn.Linear(w.hidden[0], w.C))
        with torch.no_grad():  # the same weights
            net[0].weight.copy_(torch.from_numpy(model.params["W1"].T.copy()))
            net[0].bias.copy_(torch.from_numpy(model.params["b1"]))
            net[2].weight.copy_(torch.from_numpy(model.params["W2"].T.copy()))
            net[2].bias.copy_(torch.from_numpy(model.params["b2"]))
        Xt = torch.from_numpy(X)

        def torch_predict():
            with torch.inference_mode():
                return torch.softmax(net(Xt), dim=1)

        out["pytorch"] = torch_predict
        ref = model.predict_proba(X[:1000])
        got = torch_predict()[:1000].numpy()
        assert np.allclose(ref, got, atol=1e-4), "pytorch and numpynn disagree"
    if "sklearn" in frameworks:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        clf = MLPClassifier(w.hidden, max_iter=1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X[:200], np.arange(200) % w.C)
        clf.coefs_ = [model.params["W1"], model.params["W2"]]
        clf.intercepts_ = [model.params["b1"], model.params["b2"]]
        out["sklearn"] = lambda: clf.predict_proba(X)
    return out


# ------------------------------------------------------------------------ reporting


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__}
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        info["cpu"] = f"{names[0]} x {len(names)} logical CPUs" if names else platform.processor()
    except OSError:
        info["cpu"] = platform.processor() or platform.machine()
    info["os"] = platform.platform()
    try:
        from threadpoolctl import threadpool_info

        info["numpy_blas"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for p in threadpool_info() if p.get("user_api") == "blas"
        ]
    except ImportError:
        info["numpy_blas"] = "threadpoolctl not installed"
    try:
        import torch

        cfg = torch.__config__.show()
        blas = "MKL" if "BLAS_INFO=mkl" in cfg else "other"
        info["torch"] = f"{torch.__version__}, {torch.get_num_threads()} threads, BLAS {blas}, " \
                        f"CPU capability {torch.backends.cpu.get_cpu_capability()}"
        try:  # what torch.optim.Adam(foreach=None, fused=None) picks for CPU parameters
            from torch.optim.optimizer import _default_to_fused_or_foreach

            fused, foreach = _default_to_fused_or_foreach([torch.zeros(1)], False, False)
            info["torch_adam"] = ("fused" if fused else "foreach" if foreach
                                  else "single-tensor loop") + " (the default on CPU)"
        except (ImportError, TypeError, ValueError):
            info["torch_adam"] = "unknown"
    except ImportError:
        info["torch"] = "not installed"
    import sklearn

    info["sklearn"] = sklearn.__version__
    info["env"] = {k: os.environ[k] for k in sorted(os.environ)
                   if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    return info


def fmt_time(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s < 10 else f"{s:.2f} s"


# ------------------------------------------------------------------------ main


def run_training(w: Workload, frameworks: list[str], rounds: int, log) -> dict[str, Any]:
    X, y = make_data(w)
    runners: list[Runner] = [NumpynnRunner(w, X, y)]
    if "numpynn-ref" in frameworks:
        runners.append(NumpynnRunner(w, X, y, fast=False))
    if "pytorch" in frameworks:
        runners.append(TorchRunner(w, X, y))
    if "sklearn" in frameworks and not (w.norm or w.dropout):  # it has neither layer
        runners.append(SklearnRunner(w, X, y))
    for r in runners:  # warm-up
        r.epoch()
    times: dict[str, list[float]] = {r.name: [] for r in runners}
    for i in range(rounds):
        k = i % len(runners)
        for r in runners[k:] + runners[:k]:  # rotate the order every round
            gc.collect()
            times[r.name].append(r.epoch())
        log(f"  {w.name} round {i + 1}/{rounds}: "
            + ", ".join(f"{n} {fmt_time(t[-1])}" for n, t in times.items()))
    limit = matmul_limit(w)
    n_rows = X.shape[0]
    del runners
    gc.collect()
    return {"times": times, "limit_s": limit, "flops": train_flops(w, n_rows), "rows": n_rows}


def run_predict(w: Workload, frameworks: list[str], rounds: int, log) -> dict[str, Any]:
    X, y = make_data(w)
    fns = predict_runners(w, X, y, [f for f in frameworks if f != "numpynn-ref"])
    for f in fns.values():
        f()
    times: dict[str, list[float]] = {n: [] for n in fns}
    names = list(fns)
    for i in range(rounds):
        k = i % len(names)
        for n in names[k:] + names[:k]:
            gc.collect()
            t = time.perf_counter()
            fns[n]()
            times[n].append(time.perf_counter() - t)
        log(f"  predict round {i + 1}/{rounds}: "
            + ", ".join(f"{n} {fmt_time(t[-1])}" for n, t in times.items()))
    limit = predict_limit(w, X)
    d = w.dims
    flops = 2.0 * X.shape[0] * sum(d[i] * d[i + 1] for i in range(len(d) - 1))
    return {"times": times, "limit_s": limit, "flops": flops, "rows": X.shape[0]}


def table(results: dict[str, dict[str, Any]], workloads: dict[str, Workload]) -> list[str]:
    lines = [
        "| workload | framework | median epoch | min | numpynn / peer (time) |"
        " GFLOP/s | limit GFLOP/s | of limit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, res in results.items():
        w = workloads[name]
        med = {n: statistics.median(t) for n, t in res["times"].items()}
        ours = med["numpynn"]
        for n, t in res["times"].items():
            m = med[n]
            if name == "predict":
                speed = f"{res['rows'] / m / 1e3:.0f}k rows/s"
                cell = f"{fmt_time(m)} ({speed})"
            else:
                cell = fmt_time(m)
            if n == "numpynn":
                gf = res["flops"] / m / 1e9
                lim = res["flops"] / res["limit_s"] / 1e9
                extra = f"| {gf:.0f} | {lim:.0f} | {100 * res['limit_s'] / m:.0f}% |"
                ratio = "-"
            else:
                extra = "| | | |"
                ratio = f"{ours / m:.2f}"
            lines.append(f"| {name} ({w.note}) | {n} | {cell} | {fmt_time(min(t))} | "
                         f"{ratio} {extra}")
    return lines


def memory_child(n: int) -> None:
    """Run in a subprocess: train the cifar workload, report RSS figures as JSON."""

    def rss() -> int:
        with open("/proc/self/status") as f:
            for ln in f:
                if ln.startswith("VmRSS:"):
                    return int(ln.split()[1]) * 1024
        return 0

    from numpynn.models import MLP
    from numpynn.training.trainer import TrainConfig, Trainer

    w = Workload("cifar", n, 3072, (100,), 10, 200, 1e-3, 1e-3)
    after_import = rss()
    X, y = make_data(w)
    after_data = rss()
    model = MLP(w.D, list(w.hidden), w.C, reg=w.reg, dtype="float32", seed=0)
    cfg = TrainConfig(epochs=2, batch_size=w.batch, optimizer="momentum", lr=w.lr,
                      optimizer_kwargs={"momentum": 0.9}, seed=0)  # default eval_samples
    Trainer(model, X, y, X[:1000], y[:1000], config=cfg).train()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"after_import": after_import, "after_data": after_data, "peak": peak,
                      "data_bytes": int(X.nbytes + y.nbytes)}))


def phases(w: Workload, X: np.ndarray, y: np.ndarray, steps: int = 200) -> None:
    """Median microseconds per step of each phase, reference loop and engine."""
    from numpynn.training.engine import TrainStep
    from numpynn.training.optim import make_optimizer

    pc = time.perf_counter
    order = np.random.default_rng(5).permutation(X.shape[0])
    B = w.batch
    starts = [(i * B) % (X.shape[0] - B) for i in range(steps)]

    model = make_model(w)
    opt = make_optimizer(w.optimizer, w.lr, **optimizer_kwargs(w))
    ref: dict[str, list[float]] = {"gather X[idx], y[idx]": [], "model.loss": [],
                                   "optimizer.step": []}
    for s in starts:
        t0 = pc()
        idx = order[s : s + B]
        xb, yb = X[idx], y[idx]
        t1 = pc()
        _, grads = model.loss(xb, yb)
        t2 = pc()
        opt.step(model.params, grads)
        t3 = pc()
        for k, a, b in zip(ref, (t0, t1, t2), (t1, t2, t3)):
            ref[k].append(b - a)

    model = make_model(w)
    opt = make_optimizer(w.optimizer, w.lr, **optimizer_kwargs(w))
    step = TrainStep(model, X, y, B)
    fast: dict[str, list[float]] = {"gather (np.take into the buffer)": [],
                                    "forward (+ softmax, loss)": [],
                                    "backward + update (fused where the optimiser allows)": []}
    for s in starts:
        t0 = pc()
        x, yb, _ = step.gather(order, s)
        t1 = pc()
        step.engine.forward(x, yb)
        t2 = pc()
        step.update(opt)
        t3 = pc()
        for k, a, b in zip(fast, (t0, t1, t2), (t1, t2, t3)):
            fast[k].append(b - a)
    n_full = X.shape[0] // B
    limit_step = matmul_limit(w) / (n_full + (1 if X.shape[0] % B else 0))
    print(f"### Phases of one {w.name} step (median of {steps} steps, microseconds)\n")
    print("| path | phase | us/step |\n|---|---|---|")
    for name, d in (("reference", ref), ("engine", fast)):
        total = 0.0
        for k, t in d.items():
            m = statistics.median(t) * 1e6
            total += m
            print(f"| {name} | {k} | {m:.0f} |")
        print(f"| {name} | **sum** | **{total:.0f}** |")
    print(f"| limit | the step's multiplies alone (np.dot, hot operands) | "
          f"{limit_step * 1e6:.0f} |")
    print()


def profile(w: Workload, top: int = 14) -> None:
    """Phases, and cProfile of one training epoch, reference loop and engine (after a
    warm-up)."""
    import cProfile
    import io
    import pstats

    X, y = make_data(w)
    phases(w, X, y)
    for fast in (False, True):
        r = NumpynnRunner(w, X, y, fast=fast)
        r.epoch()
        prof = cProfile.Profile()
        prof.enable()
        r.epoch()
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
        text = out.getvalue()
        body = text[text.index("   ncalls"):] if "   ncalls" in text else text
        print(f"### {r.name}: one {w.name} epoch, {r.trainer.history.seconds[-1]:.3f} s "
              f"(unprofiled epoch before: {r.trainer.history.seconds[-2]:.3f} s)\n")
        print("```")
        print(body.rstrip())
        print("```\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    p.add_argument("--workloads", default="cifar,digits,deep,deep-bn,adam,predict")
    p.add_argument("--frameworks", default="numpynn-ref,pytorch,sklearn",
                   help="peers besides numpynn (comma-separated)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default per workload)")
    p.add_argument("--memory", action="store_true",
                   help="only measure peak RSS of cifar-shape training (in a subprocess)")
    p.add_argument("--profile", action="store_true",
                   help="only phases + cProfile of one cifar epoch (or of --workloads), "
                        "reference loop and engine")
    p.add_argument("--json", help="also write the raw results to this file")
    p.add_argument("--ieee", action="store_true",
                   help="numpynn's training without flushing subnormal floats to zero "
                        "(numpynn/denormals.py): what the flushing saves")
    p.add_argument("--_memory-child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args._memory_child:
        memory_child(args._memory_child)
        return 0

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.memory:
        n = 9800 if args.quick else 49000
        out = subprocess.run([sys.executable, __file__, "--_memory-child", str(n)],
                             check=True, capture_output=True, text=True)
        m = json.loads(out.stdout.strip().splitlines()[-1])
        mb = 1 << 20
        budget = m["data_bytes"] + 150 * mb
        print(f"cifar-shape training, N={n}: data set {m['data_bytes'] / mb:.0f} MiB; RSS after "
              f"imports {m['after_import'] / mb:.0f} MiB, after data {m['after_data'] / mb:.0f} "
              f"MiB; peak RSS {m['peak'] / mb:.0f} MiB = data + "
              f"{(m['peak'] - m['data_bytes']) / mb:.0f} MiB (budget data + 150 MiB: "
              f"{'met' if m['peak'] <= budget else 'NOT met'})")
        return 0

    table_of = QUICK if args.quick else FULL
    names = [s.strip() for s in args.workloads.split(",") if s.strip()]
    unknown = [n for n in names if n not in table_of]
    if unknown:
        p.error(f"unknown workloads {unknown}; choose from {list(table_of)}")
    if args.profile:  # cifar unless --workloads names others
        for name in names if "--workloads" in " ".join(sys.argv) else ["cifar"]:
            if name != "predict":
                profile(table_of[name])
        return 0
    frameworks = [s.strip() for s in args.frameworks.split(",") if s.strip()]
    if "pytorch" in frameworks:
        try:
            import torch  # noqa: F401
        except ImportError:
            log("torch is not installed (pip install torch): skipping the PyTorch column")
            frameworks.remove("pytorch")

    started = time.perf_counter()
    load_before = os.getloadavg()
    info = machine()
    results: dict[str, dict[str, Any]] = {}
    with ieee() if args.ieee else contextlib.nullcontext():
        for name in names:
            w = table_of[name]
            rounds = args.rounds or w.rounds
            log(f"{name}: {w}")
            if name == "predict":
                results[name] = run_predict(w, frameworks, rounds, log)
            else:
                results[name] = run_training(w, frameworks, rounds, log)
    load_after = os.getloadavg()

    cmd = "python " + " ".join([os.path.relpath(__file__)] + (argv or sys.argv[1:]))
    print(f"## {'Quick' if args.quick else 'Full'} run\n")
    print(f"Command: `{cmd}` ({time.perf_counter() - started:.0f} s)\n")
    for k, v in info.items():
        print(f"- {k}: {v}")
    print(f"- load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print()
    print("\n".join(table(results, table_of)))
    print()
    for name, res in results.items():
        med = {n: statistics.median(t) for n, t in res["times"].items()}
        ratios = ", ".join(f"{n} {med['numpynn'] / t:.2f}" for n, t in med.items()
                           if n != "numpynn")
        print(f"- {name}: numpynn/peer time ratio: {ratios}; numpynn at "
              f"{100 * res['limit_s'] / med['numpynn']:.0f}% of the multiply-only limit")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "results": results,
                       "workloads": {n: table_of[n].__dict__ for n in names}}, f, indent=1,
                      default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
