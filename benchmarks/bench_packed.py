#!/usr/bin/env python
"""Packed training (``numpynn.training.packed.train_packed``) against training the same K models one
after another with numpynn's Trainer, and against PyTorch's way of training an ensemble at
once (``torch.func.stack_module_state`` + ``vmap`` over ``functional_call``).

Workload: the digits shape: sklearn's bundled 8x8 digits (X / 16, float32), 1437 training
rows and 360 validation rows (a fixed split), a 64-H-10 ReLU network (H=100 by default),
batch 32, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8) or momentum SGD (0.9, lr 1e-2), L2
1e-4 on the weights, E epochs. The K models differ in their initial weights (seeds
0..K-1) and share the data order (one shuffling seed). Every epoch, each framework
evaluates each model on the validation rows and on the training rows (the Trainer's
default ``eval_samples`` covers all 1437; its History records both). ``--eval-samples
256`` scores a fixed random 256 of the training rows instead, on every side, as a search's
trials do (``numpynn.search.trials.SEARCH_EVAL_SAMPLES``): the time of a search trial.

* numpynn sequential: K ``Trainer(model, X, y, X_val, y_val, config).train()`` calls;
* numpynn packed: one ``train_packed(models, X, y, configs, X_val, y_val)``;
* torch vmap: the K models' parameters stacked (``stack_module_state``), the forward
  ``vmap(functional_call)`` over them (one batch for all), the loss the sum of each
  model's mean cross-entropy, one ``backward()``, ``torch.optim.Adam`` (or ``SGD``) with
  ``weight_decay`` on the weights only (numpynn's L2), each step's K losses read back
  (numpynn records them too), evaluation under ``no_grad``.

Throughput = training rows x epochs x K / wall time (model-samples per second). Runs are
interleaved (each round times every column once, in a rotating order) after a warm-up
run each; the table gives medians over the rounds. The machine (CPU, AVX2/AVX-512, BLAS,
threads) is described by ``bench_train.machine()``; the load average is printed before
and after.

Usage::

    python benchmarks/bench_packed.py                    # K = 1, 4, 16, Adam, ~1 minute
    python benchmarks/bench_packed.py --optimizer momentum --rounds 5 --ks 1,4,16,32

Needs ``pip install torch`` (the ``[bench]`` extra) for the torch column; without torch
that column is skipped and the report says so.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import machine  # noqa: E402

from numpynn.models import MLP  # noqa: E402
from numpynn.training import forked  # noqa: E402
from numpynn.training.packed import train_packed  # noqa: E402
from numpynn.training.trainer import TrainConfig, Trainer  # noqa: E402

REG = 1e-4


def vector_units() -> str:
    """Which of AVX2 / AVX-512F /proc/cpuinfo lists (where there is one)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((ln.split(":", 1)[1].split() for ln in f if ln.startswith("flags")), [])
    except OSError:
        return "unknown"
    return ", ".join(f"{name} {'yes' if flag in flags else 'no'}"
                     for name, flag in (("AVX2", "avx2"), ("AVX-512F", "avx512f")))


def digits() -> tuple[np.ndarray, ...]:
    """The bundled digits as float32 X / 16, split 1437 / 360 by a fixed permutation."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = np.ascontiguousarray(X / 16.0, dtype=np.float32)
    y = y.astype(np.int64)
    order = np.random.default_rng(0).permutation(X.shape[0])
    tr, va = order[:1437], order[1437:]
    return X[tr], y[tr], X[va], y[va]


def configs(k: int, a: argparse.Namespace) -> list[TrainConfig]:
    kw = {"momentum": 0.9} if a.optimizer == "momentum" else {}
    return [TrainConfig(epochs=a.epochs, batch_size=a.batch, optimizer=a.optimizer,
                        lr=a.lr, optimizer_kwargs=kw, seed=0, eval_samples=a.eval_samples)
            for _ in range(k)]


def models(k: int, a: argparse.Namespace) -> list[MLP]:
    return [MLP(64, [a.hidden], 10, reg=REG, dtype="float32", seed=i) for i in range(k)]


def clock() -> tuple[float, float]:
    """(wall, CPU seconds of this process, of its finished children and of its warm worker
    (a packed run's second half: ``numpynn.training.forked``, a child forked for one pack,
    or the worker that stays for the packs that follow): CPU time is what a run costs when
    other jobs share the cores (with one BLAS thread it is the run's own work)."""
    t = os.times()
    return (time.perf_counter(),
            time.process_time() + t.children_user + t.children_system + worker_cpu())


def worker_cpu() -> float:
    """CPU seconds the warm worker of ``numpynn.training.forked`` has used (0 without one):
    a live child, so not in ``os.times()``'s children; read from /proc."""
    worker = forked._worker
    if worker is None or not worker.process.is_alive():
        return 0.0
    try:
        with open(f"/proc/{worker.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def run_sequential(k: int, a: argparse.Namespace, data) -> tuple[float, float, float]:
    """(wall, CPU, fastest epoch's minibatch pass summed over the K models)."""
    ms, cs = models(k, a), configs(k, a)
    t = clock()
    hs = [Trainer(m, *data[:2], *data[2:], config=c).train() for m, c in zip(ms, cs)]
    return (*since(t), sum(min(h.seconds) for h in hs))


def run_packed(k: int, a: argparse.Namespace, data) -> tuple[float, float, float]:
    ms, cs = models(k, a), configs(k, a)
    t = clock()
    hs = train_packed(ms, *data[:2], cs, *data[2:])
    return (*since(t), min(hs[0].seconds))


def multiply_limit(k: int, hidden: int, batch: int, epochs: int, n_train: int,
                   n_eval: int, shared: bool = True, threads: int | None = None,
                   repeats: int = 3) -> float:
    """Seconds of a packed run's multiplies alone, the machine's limit for its shapes:
    per step, the stacked multiplies the engine makes ([x, 1] (b, D+1) by [W1; b1]
    (K, D+1, H), or (K, b, D+1) batches where the K models draw their own (``shared``
    False: a search's trials); H -> 10 forward; delta W2^T; dW2; [dW1; db1]), for every
    step of ``epochs`` epochs of ``n_train`` rows (the last batch of an epoch smaller),
    and per epoch the evaluation's forward multiplies on ``n_eval`` rows; hot operands,
    preallocated outputs. threads: BLAS threads (None: the faster of NumPy's as installed
    and one)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(1)
    f32, D, H, C = np.float32, 64, hidden, 10
    Wb1 = rng.standard_normal((k, D + 1, H), dtype=f32)
    W2T = rng.standard_normal((k, C, H), dtype=f32)
    dWb1, dW2T = np.empty_like(Wb1), np.empty_like(W2T)

    def step_buffers(b: int) -> tuple[np.ndarray, ...]:
        xa = rng.standard_normal((b, D + 1) if shared else (k, b, D + 1), dtype=f32)
        return (xa, np.ascontiguousarray(np.swapaxes(xa, -1, -2)), np.empty((k, b, H), f32),
                np.empty((k, b, C), f32), rng.standard_normal((k, b, C), dtype=f32),
                np.empty((k, b, H), f32))

    def step(xa, xaT, h, s, delta, dh) -> None:
        np.matmul(xa, Wb1, out=h)
        np.matmul(h, W2T.transpose(0, 2, 1), out=s)
        np.matmul(delta, W2T, out=dh)
        np.matmul(delta.transpose(0, 2, 1), h, out=dW2T)
        np.matmul(xaT, dh, out=dWb1)

    Xe = rng.standard_normal((n_eval, D), dtype=f32)
    W1 = np.ascontiguousarray(Wb1[:, :D])
    he, se = np.empty((k, n_eval, H), f32), np.empty((k, n_eval, C), f32)
    full, last = divmod(n_train, batch)
    main, tail = step_buffers(batch), step_buffers(last) if last else None

    def run() -> float:
        step(*main)
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            for _ in range(epochs):
                for _ in range(full):
                    step(*main)
                if tail is not None:
                    step(*tail)
                np.matmul(Xe, W1, out=he)
                np.matmul(he, W2T.transpose(0, 2, 1), out=se)
            best = min(best, time.perf_counter() - t)
        return best

    if threads is not None:
        with threadpool_limits(limits=threads, user_api="blas"):
            return run()
    as_installed = run()
    with threadpool_limits(limits=1, user_api="blas"):
        return min(as_installed, run())


class TorchEnsemble:
    """K copies of ``Linear(64, H) - ReLU - Linear(H, 10)`` trained at once with
    ``torch.func``: stacked parameters, ``vmap`` over ``functional_call``."""

    def __init__(self, k: int, a: argparse.Namespace, data) -> None:
        import copy

        import torch
        from torch.func import functional_call, stack_module_state, vmap

        self.torch, self.k, self.a = torch, k, a
        torch.manual_seed(0)
        nets = [torch.nn.Sequential(torch.nn.Linear(64, a.hidden), torch.nn.ReLU(),
                                    torch.nn.Linear(a.hidden, 10)) for _ in range(k)]
        params, buffers = stack_module_state(nets)  # (K, ...) leaves that require grad
        base = copy.deepcopy(nets[0]).to("meta")

        def one(p: dict, b: dict, x: Any) -> Any:
            return functional_call(base, (p, b), (x,))

        self.forward = vmap(one, in_dims=(0, 0, None))  # one batch, K models
        self.params, self.buffers = params, buffers
        weights = [v for n, v in params.items() if n.endswith("weight")]
        others = [v for n, v in params.items() if not n.endswith("weight")]
        groups = [{"params": weights, "weight_decay": REG},
                  {"params": others, "weight_decay": 0.0}]
        if a.optimizer == "adam":
            self.opt = torch.optim.Adam(groups, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
        else:
            self.opt = torch.optim.SGD(groups, lr=a.lr, momentum=0.9)
        X, y, Xv, yv = (torch.from_numpy(v) for v in data)
        self.X, self.y, self.Xv, self.yv = X, y, Xv, yv
        self.Xe, self.ye = X, y  # the training rows scored each epoch
        if a.eval_samples is not None and a.eval_samples < X.shape[0]:
            rows = torch.from_numpy(np.random.default_rng(0).choice(
                X.shape[0], a.eval_samples, replace=False))
            self.Xe, self.ye = X[rows], y[rows]
        self.gen = torch.Generator().manual_seed(0)
        self.losses: list[list[float]] = []

    def _metrics(self, X: Any, y: Any) -> tuple[list[float], list[float]]:
        torch = self.torch
        with torch.no_grad():
            s = self.forward(self.params, self.buffers, X)  # (K, n, C)
            loss = torch.nn.functional.cross_entropy(
                s.reshape(-1, s.shape[-1]), y.repeat(self.k), reduction="none")
            acc = (s.argmax(-1) == y).float().mean(1)
            return acc.tolist(), loss.view(self.k, -1).mean(1).tolist()

    def train(self) -> tuple[float, float, float]:
        torch, k = self.torch, self.k
        F = torch.nn.functional
        t = clock()
        N, B = self.X.shape[0], self.a.batch
        fastest = float("inf")
        for _ in range(self.a.epochs):
            started = time.perf_counter()
            perm = torch.randperm(N, generator=self.gen)
            for s in range(0, N, B):
                idx = perm[s : s + B]
                xb, yb = self.X[idx], self.y[idx]
                scores = self.forward(self.params, self.buffers, xb)  # (K, b, C)
                per_model = F.cross_entropy(scores.reshape(-1, scores.shape[-1]),
                                            yb.repeat(k), reduction="none").view(k, -1).mean(1)
                self.opt.zero_grad(set_to_none=True)
                per_model.sum().backward()
                self.opt.step()
                self.losses.append(per_model.tolist())
            fastest = min(fastest, time.perf_counter() - started)
            self._metrics(self.Xe, self.ye)
            self._metrics(self.Xv, self.yv)
        return (*since(t), fastest)


def run_torch(k: int, a: argparse.Namespace, data) -> tuple[float, float, float]:
    return TorchEnsemble(k, a, data).train()


def ensemble_rounds(a: argparse.Namespace, rounds: int, log) -> dict[str, Any]:
    """A 5-member ensemble (``train_ensemble``, own data orders) against its first member
    trained alone by the Trainer: wall times (interleaved rounds) and test accuracies on a
    1077 / 360 / 360 split of digits."""
    from numpynn.training.ensemble import member_seeds, train_ensemble

    X, y, Xv, yv = digits()
    Xt, yt, X, y = X[:360], y[:360], X[360:], y[360:]  # a test split from the training part
    cfg = configs(1, a)[0]
    seed0 = member_seeds(0, 5)[0]

    def build(s: int) -> MLP:
        return MLP(64, [a.hidden], 10, reg=REG, dtype="float32", seed=s)

    def ensemble() -> tuple[tuple[float, float], Any]:
        t = clock()
        ens = train_ensemble(build, 5, X, y, cfg, Xv, yv, seed=0)
        return since(t), ens

    def one() -> tuple[tuple[float, float], Any]:
        m = build(seed0)
        t = clock()
        Trainer(m, X, y, Xv, yv, config=TrainConfig(**{**cfg.to_dict(), "seed": seed0})).train()
        return since(t), m

    ensemble(), one()  # warm-up
    t_ens, t_one = [], []
    for r in range(rounds):
        for name, fn in (("ensemble", ensemble), ("one", one))[:: 1 if r % 2 == 0 else -1]:
            gc.collect()
            seconds, result = fn()
            (t_ens if name == "ensemble" else t_one).append(seconds)
            if name == "ensemble":
                ens = result
            else:
                member = result
        log(f"ensemble round {r + 1}/{rounds}: 5 members {t_ens[-1][0]:.3f} s, one "
            f"{t_one[-1][0]:.3f} s (CPU {t_ens[-1][1]:.3f} / {t_one[-1][1]:.3f} s)")
    return {"ensemble_s": statistics.median(t[0] for t in t_ens),
            "one_s": statistics.median(t[0] for t in t_one),
            "ensemble_cpu": statistics.median(t[1] for t in t_ens),
            "one_cpu": statistics.median(t[1] for t in t_one),
            "ensemble_acc": ens.score(Xt, yt), "member_accs": ens.member_scores(Xt, yt),
            "alone_acc": float(np.mean(member.predict(Xt) == yt))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ks", default="1,4,16", help="pack sizes K (comma-separated)")
    p.add_argument("--optimizer", choices=["adam", "momentum"], default="adam")
    p.add_argument("--hidden", type=int, default=100)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=5, help="epochs per measured run")
    p.add_argument("--lr", type=float, help="default 1e-3 (adam), 1e-2 (momentum)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--eval-samples", type=int, default=None,
                   help="training rows each model is scored on after every epoch (default: "
                   "all, the Trainer's default; a search's trials: 256)")
    p.add_argument("--threads", type=int,
                   help="BLAS threads of NumPy (threadpoolctl) and PyTorch (set_num_threads) "
                        "for the whole run (default: as installed)")
    p.add_argument("--ensemble-epochs", type=int, default=15,
                   help="epochs of the 5-member ensemble measurement (0: skip it)")
    a = p.parse_args(argv)
    if a.lr is None:
        a.lr = 1e-3 if a.optimizer == "adam" else 1e-2
    ks = [int(s) for s in a.ks.split(",") if s.strip()]

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    runners = {"numpynn sequential": run_sequential, "numpynn packed": run_packed}
    try:
        import torch

        if a.threads:
            torch.set_num_threads(a.threads)
        runners["torch vmap"] = run_torch
    except ImportError:
        log("torch is not installed (pip install torch): the torch vmap column is skipped")
    if a.threads:  # after torch's import: it brings BLAS libraries of its own
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=a.threads, user_api="blas")
    data = digits()
    started = time.perf_counter()
    load_before = os.getloadavg()
    info = machine()
    info["vector units"] = vector_units()
    times: dict[int, dict[str, list[tuple[float, float, float]]]] = {}
    names = list(runners)
    for k in ks:
        times[k] = {n: [] for n in names}
        for n in names:  # warm-up
            runners[n](k, a, data)
        for r in range(a.rounds):
            j = r % len(names)
            for n in names[j:] + names[:j]:
                gc.collect()
                times[k][n].append(runners[n](k, a, data))
            log(f"K={k} round {r + 1}/{a.rounds}: "
                + ", ".join(f"{n} {t[-1][0]:.3f} s (CPU {t[-1][1]:.3f} s)"
                            for n, t in times[k].items()))
    n_train, n_val = data[0].shape[0], data[2].shape[0]
    n_eval = n_val + (n_train if a.eval_samples is None else min(a.eval_samples, n_train))
    limits = {k: multiply_limit(k, a.hidden, a.batch, a.epochs, n_train, n_eval) for k in ks}
    ens = None
    if a.ensemble_epochs:
        ens = ensemble_rounds(argparse.Namespace(**{**vars(a), "epochs": a.ensemble_epochs}),
                              a.rounds, log)
    load_after = os.getloadavg()

    work = data[0].shape[0] * a.epochs  # training rows x epochs, per model
    cmd = "python " + " ".join([os.path.relpath(__file__)] + (argv or sys.argv[1:]))
    print(f"Command: `{cmd}` ({time.perf_counter() - started:.0f} s)\n")
    for key, v in info.items():
        print(f"- {key}: {v}")
    print(f"- load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print(f"- workload: digits 1437 train / 360 val rows, 64-{a.hidden}-10 ReLU, batch "
          f"{a.batch}, {a.optimizer} lr {a.lr:g}, L2 {REG:g}, {a.epochs} epochs, evaluation "
          f"every epoch on the validation rows and "
          f"{'all' if a.eval_samples is None else a.eval_samples} training rows; median of "
          f"{a.rounds} rounds\n")
    head = ("| K | " + " | ".join(f"{n}: model-samples/s (wall s; CPU s)" for n in names)
            + " | packed / sequential: wall; CPU; minibatch pass |"
            + (" packed / torch vmap: wall; CPU; minibatch pass |" if "torch vmap" in names
               else ""))
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    for k in ks:
        med = {n: [statistics.median(t[i] for t in ts) for i in range(3)]
               for n, ts in times[k].items()}
        row = f"| {k} | " + " | ".join(
            f"{work * k / med[n][0]:,.0f} ({med[n][0]:.3f}; {med[n][1]:.3f})" for n in names)
        row += " |"
        for peer in ["numpynn sequential"] + (["torch vmap"] if "torch vmap" in names else []):
            row += " " + "; ".join(f"{med[peer][i] / med['numpynn packed'][i]:.2f}x"
                                   for i in range(3)) + " |"
        print(row)
    print("\n(minibatch pass: the fastest epoch's shuffled minibatch loop, evaluation "
          "excluded; numpynn's `History.seconds`, summed over the K models one after another)")
    print("\nThe machine's limit (`multiply_limit`: the packed run's multiplies alone, same "
          "shapes, every step and every epoch's evaluation):\n")
    print("| K | multiplies alone: s | packed: of limit | sequential: of limit "
          "| packed at 3x the sequential's throughput would be |")
    print("|---|---|---|---|---|")
    for k in ks:
        packed = statistics.median(t[0] for t in times[k]["numpynn packed"])
        seq = statistics.median(t[0] for t in times[k]["numpynn sequential"])
        lim = limits[k]
        print(f"| {k} | {lim:.3f} | {100 * lim / packed:.0f}% "
              f"| {100 * lim / seq:.0f}% | {100 * lim / (seq / 3):.0f}% of limit |")
    if ens is not None:
        accs = ens["member_accs"]
        print(f"\n5-member ensemble (train_ensemble, own data orders), {a.ensemble_epochs} "
              f"epochs, 1077 train / 360 val / 360 test rows: {ens['ensemble_s']:.3f} s "
              f"against {ens['one_s']:.3f} s for its first member trained alone "
              f"({ens['ensemble_s'] / ens['one_s']:.2f}x the time; CPU time "
              f"{ens['ensemble_cpu'] / ens['one_cpu']:.2f}x); test accuracy "
              f"{ens['ensemble_acc']:.4f} against members {accs.min():.4f}-{accs.max():.4f} "
              f"(mean {accs.mean():.4f}; the first member alone {ens['alone_acc']:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
