"""The gradient checker's own test bench: correct models that must never FAIL, and
wrong backward passes (the mistakes learners make) that must.

``run_corpus()`` checks every case with :func:`numpynn.gradcheck.check_gradients` /
:func:`~numpynn.gradcheck.check_layer` and tallies the verdicts; ``numpynn gradcheck
--corpus`` prints the table (numpynn/docs/gradcheck.md shows it). Targets: 0 FAIL on correct
code, every bug of relative size >= 1e-4 a FAIL, < 5% inconclusive on correct code.

Correct cases: CS231n's assignment-1 TwoLayerNet check (seed 0, 4-10-3, 5 inputs,
std 1e-1, reg 0.05), assignment-2's TwoLayerNet (seed 231, N=3, D=5, H=50, C=7,
weight_scale 1e-3, reg 0 and 0.7) and FullyConnectedNets (seed 231, hidden [20, 30],
weight scales 5e-2 and 1e-3, reg 0 and 3.14) on numpynn's own nets, random MLPs of
depth 1-3 at weight scales 1e-3..1, a learner-style network written the CS231n way, and
single layers (affine, ReLU, sigmoid written in place, softmax loss, SVM loss).

Wrong cases: that learner-style network with one mutation each (:data:`MUTATIONS`),
in full and scaled down to a relative size of 1e-2, 1e-3 and 1e-4 (the analytic
gradient plus that fraction of the mutation's change, relative to the largest entry).
Only the public model surface is used: the ``MLP`` / ``TwoLayerNet`` constructors,
``params``, ``reg`` and ``loss(X, y)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .gradcheck import FAIL, INCONCLUSIVE, PASS, GradCheckReport, check_gradients, check_layer
from .models import MLP, TwoLayerNet

MUTATIONS: dict[str, str] = {
    "no_1/N": "dscores not divided by N",
    "double_1/N": "dscores divided by N twice",
    "dW_extra_1/N": "dW of the last layer divided by N again",
    "db_mean": "bias gradients averaged (sum / N) instead of summed",
    "relu_mask_sign": "ReLU mask of the wrong sign (z < 0)",
    "aliasing": "da1 = a1; da1[a1 > 0] = 1 (the seed's code: edits a1 in place)",
    "softmax_wrong_axis": "softmax normalised over axis 0 in the backward pass",
    "softmax_elementwise": "softmax treated element-wise: delta = dL/dP * P (1 - P)",
    "seed_mask_eq1": "the seed question's mask version of eq. 1",
    "missing_transpose": "dh = delta @ W instead of delta @ W.T (square W)",
    "reg_missing": "no reg term in dW",
    "reg_doubled": "2 reg W in dW for a loss of 0.5 reg |W|^2",
}
SCALES = (None, 1e-2, 1e-3, 1e-4)
# Networks with two or more hidden layers at weight scale <= 1e-2 and zero biases: their
# first layers' gradients lie below float64's rounding floor for differences of the loss
# and their deeper ReLU inputs within h of 0. They are shown as a group of their own and
# held to the same targets (the loss is evaluated in np.longdouble for them, and what
# centred differences leave unresolved is settled by complex steps).
DEEP = "deep, ws<=1e-2"


class LearnerNet:
    """A network written the way a CS231n student writes it, with an optional bug.

    ``{affine - relu} x len(hidden) - affine - softmax``; params ``W1, b1, ...`` as
    CS231n, loss ``mean cross-entropy + 0.5 reg sum |W|^2``. mutation: a key of
    :data:`MUTATIONS` or None; strength: None for the mutation in full, else the
    gradient returned is ``g + strength * max|g| * (g_mut - g) / max|g_mut - g|`` per
    changed parameter (a bug of that relative size).
    """

    def __init__(self, params: dict[str, np.ndarray], reg: float = 0.0,
                 mutation: str | None = None, strength: float | None = None) -> None:
        self.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.reg = reg
        self.mutation = mutation
        self.strength = strength

    def __repr__(self) -> str:
        return f"LearnerNet(mutation={self.mutation}, strength={self.strength})"

    def loss(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        loss, good = _learner_loss(self.params, self.reg, X, y, None)
        if self.mutation is None:
            return loss, good
        _, bad = _learner_loss(self.params, self.reg, X, y, self.mutation)
        if self.strength is None:
            return loss, bad
        return loss, {k: _blend(good[k], bad[k], self.strength) for k in good}

    def relative_size(self, X: np.ndarray, y: np.ndarray) -> float:
        """The bug's size: max over parameters of max|g_bug - g| / max|g|."""
        _, good = _learner_loss(self.params, self.reg, X, y, None)
        _, bad = self.loss(X, y)
        return max(float(np.abs(bad[k] - good[k]).max() / max(np.abs(good[k]).max(), 1e-300))
                   for k in good)


def _blend(g: np.ndarray, bad: np.ndarray, strength: float) -> np.ndarray:
    diff = bad - g
    size = np.abs(diff).max()
    if size == 0:
        return g
    return g + strength * np.abs(g).max() * diff / size


def _learner_loss(p: dict[str, np.ndarray], reg: float, X: np.ndarray, y: np.ndarray,
                  bug: str | None) -> tuple[float, dict[str, np.ndarray]]:
    """Forward and backward of :class:`LearnerNet`, with the bug ``bug`` (or None)."""
    L = len(p) // 2
    N = X.shape[0]
    acts, pre = [X], []
    for i in range(1, L):
        z = acts[-1] @ p[f"W{i}"] + p[f"b{i}"]
        pre.append(z)
        acts.append(np.maximum(z, 0))
    scores = acts[-1] @ p[f"W{L}"] + p[f"b{L}"]
    shifted = scores - scores.max(axis=1, keepdims=True)
    P = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    rows = np.arange(N)
    loss = -np.mean(np.log(P[rows, y])) + 0.5 * reg * sum(np.sum(p[f"W{i}"] ** 2)
                                                          for i in range(1, L + 1))
    Y = np.zeros_like(P)
    Y[rows, y] = 1
    n = {"no_1/N": 1, "double_1/N": N * N}.get(bug or "", N)
    if bug == "softmax_wrong_axis":
        e = np.exp(shifted)
        delta = (e / e.sum(axis=0, keepdims=True) - Y) / n
    elif bug == "softmax_elementwise":
        delta = (-Y / (N * P)) * P * (1 - P)
    elif bug == "seed_mask_eq1":
        da2 = -P.copy()
        da2[rows, y] += 1
        da2 *= P[rows, y][:, None]
        delta = ((1 / P) * Y) * da2 / N
    else:
        delta = (P - Y) / n
    grads: dict[str, np.ndarray] = {}
    reg_factor = {"reg_missing": 0.0, "reg_doubled": 2.0}.get(bug or "", 1.0)
    for i in range(L, 0, -1):
        a = acts[i - 1]
        grads[f"W{i}"] = a.T @ delta + reg_factor * reg * p[f"W{i}"]
        if bug == "dW_extra_1/N" and i == L:
            grads[f"W{i}"] = grads[f"W{i}"] / N
        grads[f"b{i}"] = delta.sum(axis=0) / (N if bug == "db_mean" else 1)
        if i == 1:
            break
        W = p[f"W{i}"]
        square = W.shape[0] == W.shape[1]
        dh = delta @ (W if bug == "missing_transpose" and square else W.T)
        if bug == "relu_mask_sign":
            delta = dh * (pre[i - 2] < 0)
        elif bug == "aliasing":  # the seed's ReLU derivative: overwrites the activation
            da = acts[i - 1]
            da[a > 0] = 1
            delta = dh * da
        else:
            delta = dh * (pre[i - 2] > 0)
    if bug == "aliasing":  # the edited activation was used for dW above; redo with it
        grads[f"W{L}"] = acts[L - 1].T @ ((P - Y) / N) + reg * p[f"W{L}"]
    return loss, grads  # a NumPy scalar of the params' dtype, as a learner returns it


# ----------------------------------------------------------------------- the problems
def _set_cs231n_params(model: Any, std: float) -> Any:
    """Weights ``std * np.random.randn`` (the global stream, as CS231n), biases zero."""
    for k, v in model.params.items():
        model.params[k] = (std * np.random.randn(*v.shape) if k.startswith("W")
                           else np.zeros(v.shape))
    return model


def cs231n_problems() -> Iterator[tuple[str, Any, np.ndarray, np.ndarray]]:
    """(name, numpynn model, X, y) of the CS231n notebook checks, seeded as there."""
    np.random.seed(0)
    net = _set_cs231n_params(TwoLayerNet(4, 10, 3, weight_scale=1e-1, reg=0.05), 1e-1)
    np.random.seed(1)
    X = 10 * np.random.randn(5, 4)
    yield "A1 TwoLayerNet 4-10-3 std=1e-1 reg=0.05", net, X, np.array([0, 1, 2, 2, 1])
    for reg in (0.0, 0.7):
        np.random.seed(231)
        X, y = np.random.randn(3, 5), np.random.randint(7, size=3)
        net = TwoLayerNet(5, 50, 7, weight_scale=1e-3, reg=reg, seed=0)
        _set_cs231n_params(net, 1e-3)
        yield f"A2 TwoLayerNet 5-50-7 ws=1e-3 reg={reg}", net, X, y
    for (n, d, c), ws in (((2, 15, 10), 5e-2), ((3, 5, 7), 1e-3)):
        for reg in (0.0, 3.14):
            np.random.seed(231)
            X, y = np.random.randn(n, d), np.random.randint(c, size=n)
            net = MLP(d, [20, 30], c, weight_scale=ws, reg=reg, dtype=np.float64, seed=0)
            _set_cs231n_params(net, ws)
            yield f"A2 FCN {d}-[20,30]-{c} N={n} ws={ws:g} reg={reg}", net, X, y


def random_mlp_problems(seeds: int = 2, quick: bool = False
                        ) -> Iterator[tuple[str, Any, np.ndarray, np.ndarray]]:
    """Random float64 MLPs (N=6, D=5, C=4) of depth 1-3 at weight scales 1e-3..1, reg 0
    and 0.1; quick: depth 1-2 at weight scales 1e-3, 1e-1 and 1 and depth 3 at 1e-3
    (ReLU inputs of about 1e-9), reg 0.1."""
    for hidden in ([8], [8, 8], [7, 6, 5]):
        for ws in (1e-3, 1e-1, 1.0) if quick else (1e-3, 1e-2, 1e-1, 1.0):
            if quick and len(hidden) == 3 and ws != 1e-3:
                continue
            for reg in (0.1,) if quick else (0.0, 0.1):
                for seed in range(seeds):
                    rng = np.random.default_rng(1000 + seed)
                    X, y = rng.standard_normal((6, 5)), rng.integers(0, 4, 6)
                    net = MLP(5, hidden, 4, weight_scale=ws, reg=reg, dtype=np.float64,
                              seed=seed)
                    yield f"MLP {hidden} ws={ws:g} reg={reg} seed={seed}", net, X, y


# --------------------------------------------------------------------------- the cases
@dataclass
class Case:
    """One check: ``run()`` gives its report; ``expect`` is "correct" or "bug"."""

    name: str
    group: str
    expect: str
    run: Callable[[], GradCheckReport]
    size: float = 0.0  # a bug's relative size (0 for correct code)


def _sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = 1 / (1 + np.exp(-x))
    return s, s


def _sigmoid_backward_inplace(dout: np.ndarray, s: np.ndarray) -> np.ndarray:
    dout *= s * (1 - s)  # correct, and edits dout in place
    return dout


def _sigmoid_backward_off(dout: np.ndarray, s: np.ndarray) -> np.ndarray:
    return dout * s * (1 - s) * (1 + 1e-4)  # a 0.01% bug


def layer_cases(seed: int = 0) -> list[Case]:
    """Single layers, correct and wrong, through :func:`check_layer`."""
    from .layers import (
        affine_backward,
        affine_forward,
        affine_relu_backward,
        affine_relu_forward,
        relu_backward,
        relu_forward,
    )
    from .losses import softmax_cross_entropy, svm_loss

    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    scores, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    xr = np.where(np.abs(x) < 0.01, 0.5, x)

    def loss_layer(fn: Callable[..., tuple[float, np.ndarray]]) -> tuple[Callable, Callable]:
        return (lambda s: (np.asarray(fn(s, labels)[0]), fn(s, labels)[1]),
                lambda dout, ds: ds * dout)

    sm, svm = loss_layer(softmax_cross_entropy), loss_layer(svm_loss)

    def case(name: str, expect: str, fwd: Callable, bwd: Callable, *inputs: np.ndarray,
             size: float = 0.0) -> Case:
        return Case(name, "layers", expect, lambda: check_layer(fwd, bwd, *inputs, seed=seed),
                    size)

    return [
        case("affine", "correct", affine_forward, affine_backward, x, w, b),
        case("relu", "correct", relu_forward, relu_backward, xr),
        case("affine_relu", "correct", affine_relu_forward, affine_relu_backward, x, w, b),
        case("sigmoid, in-place backward", "correct", _sigmoid_forward,
             _sigmoid_backward_inplace, x),
        case("softmax loss", "correct", *sm, scores),
        case("svm loss", "correct", *svm, scores),
        case("sigmoid off by 0.01%", "bug", _sigmoid_forward, _sigmoid_backward_off, x,
             size=1e-4),
        case("affine, db averaged", "bug", affine_forward,
             lambda d, c: (*affine_backward(d, c)[:2], affine_backward(d, c)[2] / 4), x, w, b,
             size=0.75),
    ]


def model_cases(seeds: int = 2, quick: bool = False) -> list[Case]:
    """Whole models: numpynn's nets and the learner's net (correct) on every problem;
    the learner's net with each mutation at each of :data:`SCALES` on CS231n's
    assignment-1 net and on the seed-0, reg-0.1 random MLPs of depth 1 and 2.
    quick: the smaller random grid (:func:`random_mlp_problems`), mutations of the random
    MLPs at weight scale 1 only, strengths full and 1e-4 only."""
    cases = []
    problems = [("cs231n", *p) for p in cs231n_problems()]
    problems += [("random MLP", *p) for p in random_mlp_problems(1 if quick else seeds, quick)]
    scales = (None, 1e-4) if quick else SCALES
    for group, name, net, X, y in problems:
        mutate = name.startswith("A1") or (
            group == "random MLP" and name.endswith("reg=0.1 seed=0")
            and "[7, 6, 5]" not in name and (not quick or " ws=0.001 " not in name
                                             and " ws=0.1 " not in name))
        if len(net.params) >= 6 and float(np.std(net.params["W1"])) < 0.03:
            group = DEEP  # >= 2 hidden layers at weight scale <= 1e-2 (see DEEP)
        cases.append(Case(f"numpynn {name}", group, "correct",
                          lambda net=net, X=X, y=y: check_gradients(net, X, y)))
        learner = LearnerNet(net.params, net.reg)
        cases.append(Case(f"learner {name}", group, "correct",
                          lambda m=learner, X=X, y=y: check_gradients(m, X, y)))
        if not mutate:
            continue
        for mutation in MUTATIONS:
            if mutation.startswith("reg") and net.reg == 0:
                continue
            if mutation == "missing_transpose" and not any(
                    v.ndim == 2 and v.shape[0] == v.shape[1] for v in net.params.values()):
                continue
            for strength in scales:
                bug = LearnerNet(net.params, net.reg, mutation, strength)
                size = bug.relative_size(X, y)
                if size == 0:
                    continue  # the mutation changes nothing here (e.g. no active unit)
                label = "full" if strength is None else f"{strength:g}"
                cases.append(Case(f"{mutation} ({label}) {name}", group, "bug",
                                  lambda m=bug, X=X, y=y: check_gradients(m, X, y), size))
    return cases


@dataclass
class CorpusResult:
    """Verdict counts per group and expectation, and the cases that missed the target."""

    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    misses: list[tuple[Case, GradCheckReport]] = field(default_factory=list)
    inconclusive: list[tuple[Case, GradCheckReport]] = field(default_factory=list)

    def total(self, expect: str, verdict: str) -> int:
        return sum(c.get(verdict, 0) for (g, e), c in self.counts.items() if e == expect)

    def rate(self, expect: str, verdict: str) -> float:
        n = sum(sum(c.values()) for (g, e), c in self.counts.items() if e == expect)
        return self.total(expect, verdict) / max(n, 1)

    def meets_target(self) -> bool:
        """0 FAIL on correct code, every bug of relative size >= 1e-4 a FAIL, and < 5%
        of correct cases inconclusive, over the whole corpus (no group set aside)."""
        return not self.misses and self.rate("correct", INCONCLUSIVE) < 0.05

    def to_table(self) -> str:
        head = f"{'group':<12} {'code':<8} {'cases':>5} {'pass':>5} {'FAIL':>5} {'inconcl.':>8}"
        lines = [head, "-" * len(head)]
        for (group, expect), c in sorted(self.counts.items()):
            lines.append(f"{group:<12} {expect:<8} {sum(c.values()):>5} {c.get(PASS, 0):>5} "
                         f"{c.get(FAIL, 0):>5} {c.get(INCONCLUSIVE, 0):>8}")
        lines.append("")
        lines.append(f"correct code: {self.total('correct', FAIL)} FAIL, "
                     f"{100 * self.rate('correct', INCONCLUSIVE):.1f}% inconclusive "
                     "(target 0 FAIL, < 5%)")
        lines.append(f"bugs of relative size >= 1e-4 not a FAIL: {len(self.misses)} (target 0)")
        for case, report in self.misses:
            lines.append(f"  MISSED {case.name} (size {case.size:.1e}): {report.verdict}")
        for case, report in self.inconclusive:
            causes = ", ".join(f"{r.name}: {r.cause}" for r in report.rows if r.cause)
            lines.append(f"  inconclusive: {case.name} ({causes})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_table()


def run_corpus(seeds: int = 2, seed: int = 0, quick: bool = False) -> CorpusResult:
    """Run every case of the corpus (:func:`layer_cases`, :func:`model_cases`); see the
    module docstring for the targets. quick: the smaller corpus the test suite runs."""
    result = CorpusResult()
    state = np.random.get_state()
    try:
        cases = layer_cases(seed) + model_cases(seeds, quick)
    finally:
        np.random.set_state(state)  # CS231n's seeding used the global stream
    for case in cases:
        report = case.run()
        counts = result.counts.setdefault((case.group, case.expect), {})
        counts[report.verdict] = counts.get(report.verdict, 0) + 1
        if case.expect == "correct" and report.verdict == FAIL:
            result.misses.append((case, report))
        elif case.expect == "bug" and case.size >= 1e-4 and report.verdict != FAIL:
            result.misses.append((case, report))
        elif case.expect == "correct" and report.verdict == INCONCLUSIVE:
            result.inconclusive.append((case, report))
    return result
