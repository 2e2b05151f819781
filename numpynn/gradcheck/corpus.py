"""The gradient checker's own test bench: correct models that must never FAIL, and
wrong backward passes (the mistakes learners make) that must.

``run_corpus()`` checks every case with :func:`numpynn.gradcheck.checks.check_gradients` /
:func:`~numpynn.gradcheck.checks.check_layer` and tallies the verdicts; ``numpynn gradcheck
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
gradient plus that fraction of the mutation's change, relative to the largest entry);
single layers with a learner's mistakes (:func:`layer_cases`: every elementwise layer's
backward using ``dout`` where it needs ``x``, masks, negations, in-place edits, an
unseeded dropout); and a learner's layers file with forward and test-mode bugs that only
``gradcheck --file``'s behaviour checks can see, and backward bugs whose kind only the
layer shows (a missing mean or variance term, a new dropout mask, a sigmoid derivative at
its input, a softmax that overflows, an SVM gradient without its count) (:func:`file_cases`,
:data:`FILE_MUTATIONS`; the file is also checked correct with its running variance
started at zeros, as CS231n's starter code does); the same file with a FullyConnectedNet
(:data:`LEARNER_MODEL`) correct and with each of :data:`MODEL_MUTATIONS` (test-mode bugs
only its ``loss(X)`` shows); a learner's assignment-1 TwoLayerNet
(:data:`LEARNER_A1_NET`) correct and with each of :data:`A1_NET_MUTATIONS`; a learner's
Solver (:data:`LEARNER_SOLVER`) correct and with each of :data:`SOLVER_MUTATIONS`; a learner's
convolution and max pool (:data:`LEARNER_CNN`) correct and with each of
:data:`CNN_MUTATIONS` (forward bugs their backward agrees with) and
:data:`CNN_BACKWARD_MUTATIONS`; a ThreeLayerConvNet on them (:data:`LEARNER_CONVNET`)
correct and with each of :data:`CONVNET_MUTATIONS`;
a learner's ``optim.py``
(:data:`LEARNER_OPTIM`) correct, with epsilon inside the square root, and with each of
:data:`OPTIM_MUTATIONS` (update-rule bugs); and the sixth learner round's files
(:data:`SIXTH_ROUND_FILES`: the older FullyConnectedNets, assignment 2's TwoLayerNet,
sandwich layers of the learner's own naming) correct (:data:`SIXTH_ROUND_CORRECT`) and
with each of :data:`SIXTH_ROUND_MUTATIONS` (a height used for a width, eps, initial
weights, ...); and the seventh round's (:data:`SEVENTH_ROUND_FILES`: assignment 3's RNN,
LSTM and word embedding, with the files before) correct (:data:`SEVENTH_ROUND_CORRECT`) and
with each of :data:`SEVENTH_ROUND_MUTATIONS`; and the eighth round's, the seed question's
network in other styles (:data:`EIGHTH_ROUND_FILES`: deeplearning.ai's and Nielsen's
networks, layer classes and a functional script with the docs' adapters) correct
(:data:`EIGHTH_ROUND_CORRECT`) and with each of :data:`EIGHTH_ROUND_MUTATIONS`. A bug whose
numbers show one kind carries the kind its FAIL must name (:data:`MUTATION_KINDS`;
``numpynn.gradcheck.checks.KINDS``): the table's "kind named" column. Only the public
model surface is used: the ``MLP`` / ``TwoLayerNet`` constructors, ``params``, ``reg``
and ``loss(X, y)``.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from ..layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    elu_backward,
    elu_forward,
    gelu_backward,
    gelu_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from ..losses import softmax_cross_entropy, svm_loss
from ..models import MLP
from .checks import (
    FAIL,
    INCONCLUSIVE,
    PASS,
    check_gradients,
    check_layer,
    stream,
)
from .file import check_module, python2_shims

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
    "sign_flip": "dscores = (Y - P) / N: the sign of eq. 1 flipped",
    "db_doubled": "bias gradients counted twice (2 * column sums)",
    "random_loss": "an unseeded random term in the loss (dropout without a fixed mask)",
}
#: The bug kind (a key of numpynn.gradcheck.checks.KINDS) a FAIL of each mutation in full must
#: name; mutations not listed show no single kind in their numbers (none is claimed).
MUTATION_KINDS: dict[str, str] = {
    "no_1/N": "factor N", "double_1/N": "factor 1/N", "dW_extra_1/N": "factor 1/N",
    "db_mean": "factor 1/N", "reg_missing": "regularisation", "reg_doubled": "regularisation",
    "sign_flip": "negation", "db_doubled": "factor 2", "random_loss": "random loss",
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
        if self.mutation is not None and self.mutation != "random_loss" \
                and self.strength is None:  # the loss is the same with every bug: one pass
            return _learner_loss(self.params, self.reg, X, y, self.mutation)
        loss, good = _learner_loss(self.params, self.reg, X, y, None)
        if self.mutation is None:
            return loss, good
        if self.mutation == "random_loss":  # NumPy's global stream, never reseeded
            return loss + 1e-3 * float(np.random.rand()), good
        _, bad = _learner_loss(self.params, self.reg, X, y, self.mutation)
        return loss, {k: _blend(good[k], bad[k], self.strength) for k in good}

    def relative_size(self, X: np.ndarray, y: np.ndarray) -> float:
        """The bug's size: max over parameters of max|g_bug - g| / max|g| (1 for a random
        loss: every gradient check of it is meaningless)."""
        if self.mutation == "random_loss":
            return 1.0
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
    elif bug == "sign_flip":
        delta = (Y - P) / n
    else:
        delta = (P - Y) / n
    grads: dict[str, np.ndarray] = {}
    reg_factor = {"reg_missing": 0.0, "reg_doubled": 2.0}.get(bug or "", 1.0)
    for i in range(L, 0, -1):
        a = acts[i - 1]
        grads[f"W{i}"] = a.T @ delta + reg_factor * reg * p[f"W{i}"]
        if bug == "dW_extra_1/N" and i == L:
            grads[f"W{i}"] = grads[f"W{i}"] / N
        grads[f"b{i}"] = delta.sum(axis=0) / (N if bug == "db_mean" else 1) * (
            2 if bug == "db_doubled" else 1)
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
    net = _set_cs231n_params(MLP(4, [10], 3, weight_scale=1e-1, reg=0.05), 1e-1)
    np.random.seed(1)
    X = 10 * np.random.randn(5, 4)
    yield "A1 TwoLayerNet 4-10-3 std=1e-1 reg=0.05", net, X, np.array([0, 1, 2, 2, 1])
    for reg in (0.0, 0.7):
        np.random.seed(231)
        X, y = np.random.randn(3, 5), np.random.randint(7, size=3)
        net = MLP(5, [50], 7, weight_scale=1e-3, reg=reg, seed=0)
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
    run: Callable[[], Any]  # a GradCheckReport, or a FileCheck for module cases
    size: float = 0.0  # a bug's relative size (0 for correct code)
    kind: str | None = None  # the bug kind its FAIL must name (numpynn.gradcheck.checks.KINDS)


def _sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = 1 / (1 + np.exp(-x))
    return s, s


def _sigmoid_backward_inplace(dout: np.ndarray, s: np.ndarray) -> np.ndarray:
    dout *= s * (1 - s)  # correct, and edits dout in place
    return dout


def _sigmoid_backward_off(dout: np.ndarray, s: np.ndarray) -> np.ndarray:
    return dout * s * (1 - s) * (1 + 1e-4)  # a 0.01% bug


def _sigmoid_backward_edits_cache(dout: np.ndarray, s: np.ndarray) -> np.ndarray:
    s *= 1 - s  # overwrites the cached output: a second backward is wrong
    return dout * s


def _scale_forward_inplace(x: np.ndarray) -> tuple[np.ndarray, None]:
    x *= 2  # edits the caller's array: calling it again on that array doubles again
    return x, None


def _dropout_unseeded(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mask = (np.random.rand(*x.shape) < 0.7) / 0.7  # a new mask on every call
    return x * mask, mask


def _elementwise_pairs() -> dict[str, tuple[Callable, Callable, Callable]]:
    """name -> (forward, backward, the backward's derivative at a point: used to build
    the bug "backward uses dout where it needs x") of every elementwise layer."""

    def at(fwd: Callable, bwd: Callable) -> Callable:
        # the derivative evaluated where the input is dout: bwd(1, cache of fwd(dout))
        return lambda dout: bwd(np.ones_like(dout), fwd(dout.copy())[1])

    pairs = {"relu": (relu_forward, relu_backward), "leaky_relu": (leaky_relu_forward,
                                                                  leaky_relu_backward),
             "sigmoid": (sigmoid_forward, sigmoid_backward), "tanh": (tanh_forward,
                                                                     tanh_backward),
             "elu": (elu_forward, elu_backward), "gelu": (gelu_forward, gelu_backward)}
    return {k: (f, b, at(f, b)) for k, (f, b) in pairs.items()}


def layer_cases(seed: int = 0) -> list[Case]:
    """Single layers, correct and wrong, through :func:`check_layer`: each elementwise
    layer correct and with "backward uses dout where it needs x" (the blind spot of a
    check whose dout equals x); named kinds (mask, negation, 1/N, in place, random)."""

    x, w, b = (stream(seed, k).standard_normal(s) for k, s in
               (("x", (4, 5)), ("w", (5, 3)), ("b", (3,))))
    scores = stream(seed, "scores").standard_normal((6, 4))
    labels = stream(seed, "labels").integers(0, 4, 6)
    xr = np.where(np.abs(x) < 0.05, 0.5, x)

    def loss_layer(fn: Callable[..., tuple[float, np.ndarray]]) -> tuple[Callable, Callable]:
        return (lambda s: (np.asarray(fn(s, labels)[0]), fn(s, labels)[1]),
                lambda dout, ds: ds * dout)

    sm, svm = loss_layer(softmax_cross_entropy), loss_layer(svm_loss)

    def case(name: str, expect: str, fwd: Callable, bwd: Callable, *inputs: np.ndarray,
             size: float = 0.0, kind: str | None = None) -> Case:
        return Case(name, "layers", expect, lambda: check_layer(fwd, bwd, *inputs, seed=seed),
                    size, kind)

    cases = [
        case("affine", "correct", affine_forward, affine_backward, x, w, b),
        case("affine_relu", "correct", affine_relu_forward, affine_relu_backward, x, w, b),
        case("sigmoid, in-place backward", "correct", _sigmoid_forward,
             _sigmoid_backward_inplace, x),
        case("softmax loss", "correct", *sm, scores),
        case("svm loss", "correct", *svm, scores),
        case("sigmoid off by 0.01%", "bug", _sigmoid_forward, _sigmoid_backward_off, x,
             size=1e-4),
        case("affine, db averaged", "bug", affine_forward,
             lambda d, c: (*affine_backward(d, c)[:2], affine_backward(d, c)[2] / 4), x, w, b,
             size=0.75, kind="factor 1/N"),
        case("affine, dw negated", "bug", affine_forward,
             lambda d, c: (affine_backward(d, c)[0], -affine_backward(d, c)[1],
                           affine_backward(d, c)[2]), x, w, b, size=2.0, kind="negation"),
        case("relu, mask of the wrong sign", "bug", relu_forward,
             lambda d, c: d * (c < 0), xr, size=1.0, kind="mask"),
        case("sigmoid, backward edits its cache", "bug", _sigmoid_forward,
             _sigmoid_backward_edits_cache, x, size=1.0, kind="in place"),
        case("scale, forward edits its input", "bug", _scale_forward_inplace,
             lambda d, c: 2 * d, x, size=1.0, kind="in place"),
        case("dropout without a seed", "bug", _dropout_unseeded, lambda d, m: d * m, x,
             size=1.0, kind="random loss"),
    ]
    for name, (fwd, bwd, deriv) in _elementwise_pairs().items():
        inputs = xr if name in ("relu", "leaky_relu") else x
        cases.append(case(name, "correct", fwd, bwd, inputs))
        cases.append(case(f"{name}, backward uses dout where it needs x", "bug", fwd,
                          lambda d, c, deriv=deriv: d * deriv(d), inputs, size=1.0,
                          kind="mask" if name == "relu" else None))
    return cases


#: A learner's layers file written the CS231n way, correct; :data:`FILE_MUTATIONS` plant
#: the forward and test-mode bugs that gradients cannot show, and backward bugs whose kind
#: only the layer shows.
LEARNER_LAYERS = """
import numpy as np

def relu_forward(x):
    return np.maximum(0, x), x

def relu_backward(dout, x):
    return dout * (x > 0)

def leaky_relu_forward(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x), (x, alpha)

def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return dout * np.where(x > 0, 1.0, alpha)

def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(x.shape[1]))
    running_var = bn_param.get("running_var", np.ones(x.shape[1]))
    if bn_param["mode"] == "test":
        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, None
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
    bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps))

def batchnorm_backward(dout, cache):
    xhat, gamma, std = cache
    N = dout.shape[0]
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)

def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps))

def layernorm_backward(dout, cache):
    xhat, gamma, std = cache
    D = dout.shape[1]
    dxhat = dout * gamma
    dx = (D * dxhat - dxhat.sum(axis=1, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (D * std)
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)

def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "test":
        return x, None
    mask = (np.random.rand(*x.shape) < p) / p
    return x * mask, mask

def dropout_backward(dout, mask):
    return dout * mask

def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out

def sigmoid_backward(dout, out):
    return dout * out * (1 - out)

def softmax_loss(x, y):
    N = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    return loss, dx / N

def svm_loss(x, y):
    N = x.shape[0]
    margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1.0)
    margins[np.arange(N), y] = 0
    dx = (margins > 0).astype(float)
    dx[np.arange(N), y] -= np.sum(margins > 0, axis=1)
    return np.sum(margins) / N, dx / N
"""

_DROPOUT_FORWARD = '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "test":
        return x, None
    mask = (np.random.rand(*x.shape) < p) / p'''


def _vanilla(doc: str) -> str:
    """LEARNER_LAYERS's dropout_forward as vanilla dropout (kept units unscaled, the
    output scaled by p at test time) under the docstring ``doc``."""
    return (_DROPOUT_FORWARD.replace("dropout_param):\n", f"dropout_param):\n    {doc}\n")
            .replace("        return x, None", "        return x * p, None")
            .replace("mask = (np.random.rand(*x.shape) < p) / p",
                     "mask = np.random.rand(*x.shape) < p"))


#: name -> (text replaced in LEARNER_LAYERS, its replacement, the kind its FAIL names).
FILE_MUTATIONS: dict[str, tuple[str, str, str]] = {
    "batchnorm_forward updating its running averages with the test batch in test mode": (
        "        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, None\n",
        "        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta\n"
        '        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * '
        "x.mean(axis=0)\n"
        '        bn_param["running_var"] = momentum * running_var + (1 - momentum) * '
        "x.var(axis=0)\n"
        "        return out, None\n", "test mode"),
    "softmax with each column's max subtracted (axis=0), its gradient consistent": (
        "shifted = x - np.max(x, axis=1, keepdims=True)",
        "shifted = x - np.max(x, axis=0, keepdims=True)", "forward"),
    "softmax normalised over every score (np.sum without an axis)": (
        "np.sum(np.exp(shifted), axis=1, keepdims=True)", "np.sum(np.exp(shifted))",
        "forward"),
    "svm_loss read from margins after dx = margins (no copy) edited them": (
        "    dx = (margins > 0).astype(float)\n"
        "    dx[np.arange(N), y] -= np.sum(margins > 0, axis=1)\n",
        "    dx = margins\n    dx[margins > 0] = 1\n"
        "    dx[np.arange(N), y] = -np.sum(dx, axis=1)\n", "forward"),
    "softmax_loss read from probs after dx = probs (no copy) edited them (NaN)": (
        "    loss = -np.sum(np.log(probs[np.arange(N), y])) / N\n    dx = probs.copy()\n"
        "    dx[np.arange(N), y] -= 1\n",
        "    dx = probs\n    dx[np.arange(N), y] -= 1\n"
        "    loss = -np.sum(np.log(probs[np.arange(N), y])) / N\n", "not finite"),
    "dropout not scaled by 1/p": ("mask = (np.random.rand(*x.shape) < p) / p",
                                  "mask = np.random.rand(*x.shape) < p", "forward"),
    "dropout mask applied in test mode": ('    if mode == "test":\n        return x, None\n',
                                          "", "test mode"),
    "dropout p as the drop probability": ("mask = (np.random.rand(*x.shape) < p) / p",
                                          "mask = (np.random.rand(*x.shape) >= p) / (1 - p)",
                                          "forward"),
    "batchnorm test mode with batch statistics": (
        "return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, None",
        "return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta, None", "test mode"),
    "batchnorm running averages not kept": (
        'bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu', "",
        "test mode"),
    "batchnorm momentum on the wrong side": (
        'bn_param["running_var"] = momentum * running_var + (1 - momentum) * var',
        'bn_param["running_var"] = (1 - momentum) * running_var + momentum * var',
        "test mode"),
    "batchnorm momentum on the wrong side of both averages": (
        'bn_param.get("momentum", 0.9)', '1 - bn_param.get("momentum", 0.9)', "test mode"),
    "vanilla dropout (scaled at test time) under the course's inverted docstring": (
        _DROPOUT_FORWARD, _vanilla('"""Performs the forward pass for (inverted) dropout."""'),
        "test mode"),
    "layernorm over the batch axis": (
        "mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)",
        "mu, var = x.mean(axis=0, keepdims=True), x.var(axis=0, keepdims=True)", "forward"),
    "layernorm test mode with batch statistics": (
        "    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)",
        '    if ln_param.get("mode") == "test":\n'
        "        mu, var = x.mean(axis=0), x.var(axis=0)\n"
        "    else:\n"
        "        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)",
        "test mode"),
    "batchnorm backward without the mean term": (
        "(N * dxhat - dxhat.sum(axis=0) - xhat", "(N * dxhat - xhat", "mean term"),
    "batchnorm backward without the variance term": (
        "(N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))",
        "(N * dxhat - dxhat.sum(axis=0))", "variance term"),
    "dropout backward with a fresh mask": (
        "    return dout * mask", "    return dout * (np.random.rand(*dout.shape) < 0.7) / 0.7",
        "mask"),
    "dropout backward ignoring the mask": ("    return dout * mask", "    return dout",
                                           "mask"),
    "batchnorm backward with the running variance": (
        "return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps))",
        'return gamma * xhat + beta, (xhat, gamma, np.sqrt(bn_param["running_var"] + eps))',
        "running statistics"),
    "batchnorm backward returning dgamma and dbeta swapped": (
        "/ (N * std)\n    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)",
        "/ (N * std)\n    return dx, np.sum(dout, axis=0), np.sum(dout * xhat, axis=0)",
        "swapped"),
    "leaky ReLU backward with another slope than its forward": (
        "    return dout * np.where(x > 0, 1.0, alpha)",
        "    return dout * np.where(x > 0, 1.0, 0.1)", "factor"),
    "sigmoid backward at the input": ("    return out, out\n", "    return out, x\n",
                                      "wrong array"),
    "sigmoid backward applying the sigmoid to its cached output again": (
        "    return dout * out * (1 - out)\n",
        "    s = 1 / (1 + np.exp(-out))\n    return dout * s * (1 - s)\n", "wrong array"),
    "relu backward without dout (the local derivative alone)": (
        "    return dout * (x > 0)\n\ndef leaky", "    return (x > 0) * 1.0\n\ndef leaky",
        "chain rule"),
    "batchnorm backward's dgamma from x - mu, not xhat": (
        "return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)\n\ndef layernorm_forward",
        "return dx, np.sum(dout * xhat * std, axis=0), np.sum(dout, axis=0)\n\n"
        "def layernorm_forward", "wrong array"),
    "softmax without the max shift": ("shifted = x - np.max(x, axis=1, keepdims=True)",
                                      "shifted = x", "overflow"),
    "svm gradient without the count of positive margins": (
        "dx[np.arange(N), y] -= np.sum(margins > 0, axis=1)", "dx[np.arange(N), y] = -1",
        "correct class"),
    "svm loss counting the correct class's own margin": (
        "    margins[np.arange(N), y] = 0\n    dx", "    dx", "forward"),
    "softmax dx divided by N on the correct classes only": (
        "    dx[np.arange(N), y] -= 1\n    return loss, dx / N",
        "    dx[np.arange(N), y] -= 1\n    dx[np.arange(N), y] /= N\n    return loss, dx",
        "factor N"),
    "layernorm backward dividing by N where it needs D": (
        "    D = dout.shape[1]", "    D = dout.shape[0]", "count"),
    "batchnorm backward dividing by D where it needs N": (
        "    N = dout.shape[0]\n    dxhat = dout * gamma\n    dx = (N * dxhat",
        "    N = dout.shape[1]\n    dxhat = dout * gamma\n    dx = (N * dxhat", "count"),
    "relu forward and backward both scaled by 2": (
        "    return np.maximum(0, x), x\n\ndef relu_backward(dout, x):\n"
        "    return dout * (x > 0)",
        "    return 2 * np.maximum(0, x), x\n\ndef relu_backward(dout, x):\n"
        "    return 2 * dout * (x > 0)", "forward"),
}

#: name -> (text replaced in LEARNER_LAYERS, its replacement): correct code written
#: another way, not a hyper-parameter choice (:data:`FILE_CHOICES`); each must pass.
FILE_VARIANTS: dict[str, tuple[str, str]] = {
    "relu_forward editing x in place (x[x < 0] = 0), right and noted": (
        "def relu_forward(x):\n    return np.maximum(0, x), x\n",
        "def relu_forward(x):\n    x[x < 0] = 0\n    return x, x\n"),
}

#: name -> (text replaced in LEARNER_LAYERS, its replacement): correct files that choose a
#: hyper-parameter otherwise than numpynn's default, used the same in forward and
#: backward (``gradcheck --file`` reads it from the forward: a choice, not a bug).
FILE_CHOICES: dict[str, tuple[str, str]] = {
    "leaky ReLU with alpha 0.2 in both passes": ("def leaky_relu_forward(x, alpha=0.01)",
                                                 "def leaky_relu_forward(x, alpha=0.2)"),
    "batchnorm with eps 1e-3, not the param dict's": (
        'eps, momentum = bn_param.get("eps", 1e-5),', "eps, momentum = 1e-3,"),
    "layernorm with eps 1e-8": ('eps = ln_param.get("eps", 1e-5)', "eps = 1e-8"),
    "batchnorm with its own momentum 0.99, not the param dict's": (
        'bn_param.get("momentum", 0.9)', "0.99"),
    "batchnorm's running variance of the unbiased batch variance, as PyTorch's": (
        'bn_param["running_var"] = momentum * running_var + (1 - momentum) * var',
        'bn_param["running_var"] = momentum * running_var + (1 - momentum) * x.var(axis=0, '
        "ddof=1)"),
    "vanilla dropout (scaled at test time), as its docstring says": (
        _DROPOUT_FORWARD, _vanilla('"""Vanilla (non-inverted) dropout: scaled by p at test '
                                   'time."""')),
    "dropout p as the drop probability, as the older course's docstring says": (
        '    p, mode = dropout_param["p"], dropout_param["mode"]\n    if "seed"',
        '    """- p: Dropout parameter. We drop each neuron output with probability p."""\n'
        '    p, mode = 1 - dropout_param["p"], dropout_param["mode"]\n    if "seed"'),
}


#: The affine layer of the learner's files, written the CS231n way.
LEARNER_AFFINE = """
def affine_forward(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    return ((dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout,
            dout.sum(axis=0))
"""

#: A learner's fc_net.py with its layers (:data:`LEARNER_LAYERS` and an affine layer):
#: a FullyConnectedNet with batch norm and dropout, correct; :data:`MODEL_MUTATIONS` plant
#: the test-mode bugs that only its ``loss(X)`` (y None) shows, and gradients stored
#: under each other's names.
LEARNER_MODEL = LEARNER_LAYERS + LEARNER_AFFINE + """
class FullyConnectedNet:
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10,
                 dropout_keep_ratio=1, normalization=None, reg=0.0, weight_scale=1e-2,
                 dtype=np.float32, seed=None):
        self.normalization, self.reg = normalization, reg
        self.use_dropout = dropout_keep_ratio != 1
        self.num_layers = 1 + len(hidden_dims)
        dims = [input_dim] + list(hidden_dims) + [num_classes]
        self.params = {}
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = weight_scale * np.random.randn(dims[i], dims[i + 1])
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])
            if normalization == "batchnorm" and i < self.num_layers - 1:
                self.params[f"gamma{i + 1}"] = np.ones(dims[i + 1])
                self.params[f"beta{i + 1}"] = np.zeros(dims[i + 1])
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
        if seed is not None:
            self.dropout_param["seed"] = seed
        self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

    def loss(self, X, y=None):
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        for bn_param in self.bn_params:
            bn_param["mode"] = mode
        h, caches, L = X, [], self.num_layers
        for i in range(1, L):
            h, fc = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            bn = do = None
            if self.normalization == "batchnorm":
                h, bn = batchnorm_forward(h, self.params[f"gamma{i}"],
                                          self.params[f"beta{i}"], self.bn_params[i - 1])
            h, relu = relu_forward(h)
            if self.use_dropout:
                h, do = dropout_forward(h, self.dropout_param)
            caches.append((fc, bn, relu, do))
        scores, last = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        if mode == "test":
            return scores
        loss, dh = softmax_loss(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dh, last)
        for i in range(L - 1, 0, -1):
            fc, bn, relu, do = caches[i - 1]
            if do is not None:
                dh = dropout_backward(dh, do)
            dh = relu_backward(dh, relu)
            if bn is not None:
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dh, bn)
            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc)
        for i in range(1, L + 1):
            loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)
            grads[f"W{i}"] += self.reg * self.params[f"W{i}"]
        return loss, grads
"""

#: name -> (text replaced in LEARNER_MODEL, its replacement, the kind its FAIL names).
MODEL_MUTATIONS: dict[str, tuple[str, str, str]] = {
    "batch norm left in train mode at test time": (
        '            bn_param["mode"] = mode\n', '            pass\n', "test mode"),
    "dropout left in train mode at test time": (
        '        self.dropout_param["mode"] = mode\n', "", "test mode"),
    "bn_params rebuilt on every loss call (running averages never kept)": (
        '        for bn_param in self.bn_params:\n            bn_param["mode"] = mode\n',
        '        self.bn_params = [{"mode": mode} for _ in range(self.num_layers - 1)]\n',
        "test mode"),
    "a ReLU on the scores too (the hidden-layer loop one layer too far), backward to match": (
        '        if mode == "test":\n            return scores\n'
        '        loss, dh = softmax_loss(scores, y)\n        grads = {}\n',
        '        scores, relu_last = relu_forward(scores)\n'
        '        if mode == "test":\n            return scores\n'
        '        loss, dh = softmax_loss(scores, y)\n        grads = {}\n'
        '        dh = relu_backward(dh, relu_last)\n', "forward"),
    "grads of gamma and beta stored under each other's names": (
        'dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward',
        'dh, grads[f"beta{i}"], grads[f"gamma{i}"] = batchnorm_backward', "swapped"),
}


#: A learner's assignment-1 TwoLayerNet (neural_net.py: the loss with reg as an argument,
#: reg |W|^2), correct; :data:`A1_NET_MUTATIONS` plant the bugs whose kind only a re-check
#: of the model shows.
LEARNER_A1_NET = """
import numpy as np

class TwoLayerNet(object):
    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {"W1": std * np.random.randn(input_size, hidden_size),
                       "b1": np.zeros(hidden_size),
                       "W2": std * np.random.randn(hidden_size, output_size),
                       "b2": np.zeros(output_size)}

    def loss(self, X, y=None, reg=0.0):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        N = X.shape[0]
        h1 = np.maximum(0, X.dot(W1) + b1)
        scores = h1.dot(W2) + b2
        if y is None:
            return scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
        loss = -np.sum(np.log(probs[np.arange(N), y])) / N
        loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = {}
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads["W2"] = h1.T.dot(dscores) + 2 * reg * W2
        grads["b2"] = np.sum(dscores, axis=0)
        dh1 = dscores.dot(W2.T)
        dh1[h1 <= 0] = 0
        grads["W1"] = X.T.dot(dh1) + 2 * reg * W1
        grads["b1"] = np.sum(dh1, axis=0)
        return loss, grads

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95,
              reg=5e-6, num_iters=100, batch_size=200, verbose=False):
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train / batch_size, 1)
        loss_history, train_acc_history, val_acc_history = [], [], []
        for it in range(num_iters):
            idx = np.random.choice(num_train, batch_size)
            X_batch, y_batch = X[idx], y[idx]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)
            for name in self.params:
                self.params[name] -= learning_rate * grads[name]
            if it % iterations_per_epoch == 0:
                train_acc_history.append((self.predict(X_batch) == y_batch).mean())
                val_acc_history.append((self.predict(X_val) == y_val).mean())
                learning_rate *= learning_rate_decay
        return {"loss_history": loss_history, "train_acc_history": train_acc_history,
                "val_acc_history": val_acc_history}

    def predict(self, X):
        return np.argmax(self.loss(X), axis=1)
"""

#: name -> (text replaced in LEARNER_A1_NET, its replacement, the kind its FAIL names).
A1_NET_MUTATIONS: dict[str, tuple[str, str, str]] = {
    "ReLU mask on the ReLU's output with < (never applies)": (
        "dh1[h1 <= 0] = 0", "dh1[h1 < 0] = 0", "mask"),
    "dscores without the -1 at each example's correct class": (
        "        dscores[np.arange(N), y] -= 1\n", "", "correct class"),
    "TwoLayerNet.train stepping the weights only, not the biases": (
        "            for name in self.params:\n"
        "                self.params[name] -= learning_rate * grads[name]",
        '            for name in ("W1", "W2"):\n'
        "                self.params[name] -= learning_rate * grads[name]", "training loop"),
    "TwoLayerNet.train decaying the learning rate every iteration": (
        "                val_acc_history.append((self.predict(X_val) == y_val).mean())\n"
        "                learning_rate *= learning_rate_decay",
        "                val_acc_history.append((self.predict(X_val) == y_val).mean())\n"
        "            learning_rate *= learning_rate_decay", "training loop"),
    "TwoLayerNet.predict with the argmax over the batch": (
        "np.argmax(self.loss(X), axis=1)", "np.argmax(self.loss(X), axis=0)",
        "training loop"),
}

#: name -> (replacements in LEARNER_A1_NET, the kind its FAIL names): bugs the net's
#: gradients do not show (the check passes copies of X; a loss and gradient that agree
#: with each other; a softmax that overflows only on large scores) or show without
#: naming them, caught by ``gradcheck --file``'s checks of the loss itself
#: (``numpynn.gradcheck.file._model_loss_behaviour``) and by naming what a factor or a
#: mask is made of.
A1_NET_LOSS_MUTATIONS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "TwoLayerNet softmax without the max shift (overflows on large scores)": (
        (("shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores"),),
        "overflow"),
    "TwoLayerNet.loss centring the caller's X in place (X -= X.mean(axis=0))": (
        (("        N = X.shape[0]\n", "        N = X.shape[0]\n        X -= X.mean(axis=0)\n"),),
        "in place"),
    "TwoLayerNet.loss scaling the caller's X in place (X /= 2)": (
        (("        N = X.shape[0]\n", "        N = X.shape[0]\n        X /= 2.0\n"),),
        "in place"),
    "TwoLayerNet.loss returning the loss as an array of shape (1,)": (
        (("        grads = {}\n", "        loss = np.array([loss])\n        grads = {}\n"),),
        "return value"),
    "TwoLayerNet.loss returning the loss as an array of shape (1, 1)": (
        (("        grads = {}\n",
          "        loss = np.reshape(loss, (1, 1))\n        grads = {}\n"),),
        "return value"),
    "TwoLayerNet.loss returning grads['b2'] as float32": (
        (('grads["b2"] = np.sum(dscores, axis=0)',
          'grads["b2"] = np.sum(dscores, axis=0).astype(np.float32)'),), "return value"),
    "TwoLayerNet regularising its biases, in the loss and the gradients alike": (
        (("loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))",
          "loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(b1 * b1) "
          "+ np.sum(b2 * b2))"),
         ('grads["b2"] = np.sum(dscores, axis=0)',
          'grads["b2"] = np.sum(dscores, axis=0) + 2 * reg * b2'),
         ('grads["b1"] = np.sum(dh1, axis=0)',
          'grads["b1"] = np.sum(dh1, axis=0) + 2 * reg * b1')), "regularisation"),
    "TwoLayerNet leaving W2 out of the penalty and its gradient alike": (
        (("loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))",
          "loss += reg * np.sum(W1 * W1)"), (" + 2 * reg * W2", "")), "regularisation"),
    "TwoLayerNet without any penalty, in the loss and the gradients alike": (
        (("        loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))\n", ""),
         (" + 2 * reg * W2", ""), (" + 2 * reg * W1", "")), "regularisation"),
    "TwoLayerNet dividing dscores by C (the number of classes) instead of N": (
        (("dscores /= N", "dscores /= probs.shape[1]"),), "factor"),
    "TwoLayerNet summing the loss over the batch, its gradient summed too": (
        (("loss = -np.sum(np.log(probs[np.arange(N), y])) / N",
          "loss = -np.sum(np.log(probs[np.arange(N), y]))"), ("        dscores /= N\n", "")),
        "loss value"),
    "TwoLayerNet averaging the loss over all N x C entries, its gradient too": (
        (("        loss = -np.sum(np.log(probs[np.arange(N), y])) / N\n",
          "        Y = np.eye(probs.shape[1])[y]\n"
          "        loss = -np.mean(Y * np.log(probs))\n"),
         ("        dscores /= N\n", "        dscores /= N * probs.shape[1]\n")),
        "loss value"),
    "TwoLayerNet's loss from probs[y], the rows numbered by the labels": (
        (("np.log(probs[np.arange(N), y])", "np.log(probs[y])"),), "loss value"),
    "TwoLayerNet's loss from probs[:, y], the columns of the labels": (
        (("np.log(probs[np.arange(N), y])", "np.log(probs[:, y])"),), "loss value"),
    "TwoLayerNet subtracting 1 at the labels' columns in every row (dscores[:, y] -= 1)": (
        (("dscores[np.arange(N), y] -= 1", "dscores[:, y] -= 1"),), "correct class"),
    "TwoLayerNet taking the ReLU mask from the upstream gradient (dh1[dh1 <= 0] = 0)": (
        (("dh1[h1 <= 0] = 0", "dh1[dh1 <= 0] = 0"),), "mask"),
}

#: name -> (replacements in LEARNER_A1_NET, what its FAIL's line must say): bugs that
#: raise in the learner's code (no kind: the line and the cause are named).
A1_NET_RAISING: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "TwoLayerNet using the labels y as one-hot rows in dscores (probs - y)": (
        (("        dscores = probs.copy()\n        dscores[np.arange(N), y] -= 1\n",
          "        dscores = probs - y\n"),), "the labels y used as one-hot rows"),
    "TwoLayerNet using the labels y as one-hot rows in the loss (y * log(probs))": (
        (("loss = -np.sum(np.log(probs[np.arange(N), y])) / N",
          "loss = -np.sum(y * np.log(probs)) / N"),), "the labels y used as one-hot rows"),
}

#: name -> replacements in LEARNER_A1_NET: correct variants, each must pass.
A1_NET_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "the seed question's eq. 1, its commented line (-(1 / p_y)[:, None] * da2 / N)": (
        ("        dscores = probs.copy()\n        dscores[np.arange(N), y] -= 1\n"
         "        dscores /= N\n",
         "        da2 = -probs\n        da2[np.arange(N), y] += 1\n"
         "        da2 *= probs[np.arange(N), y][:, None]\n"
         "        dscores = -(1 / probs[np.arange(N), y])[:, None] * da2 / N\n"),),
    "penalty 0.5 * reg * sum(W^2) with its gradient reg * W": (
        ("loss += reg * (", "loss += 0.5 * reg * ("), ("2 * reg * W2", "reg * W2"),
        ("2 * reg * W1", "reg * W1")),
    "labels as one-hot rows (np.eye(C)[y])": (
        ("        loss = -np.sum(np.log(probs[np.arange(N), y])) / N\n",
         "        Y = np.eye(probs.shape[1])[y]\n"
         "        loss = -np.sum(Y * np.log(probs)) / N\n"),),
    "ReLU applied in place to a fresh array (h1[h1 < 0] = 0)": (
        ("        h1 = np.maximum(0, X.dot(W1) + b1)\n",
         "        h1 = X.dot(W1) + b1\n        h1[h1 < 0] = 0\n"),),
    "ReLU mask as a product (dh1 *= h1 > 0)": (("dh1[h1 <= 0] = 0", "dh1 *= h1 > 0"),),
    "log(p + 1e-8) against log(0)": (
        ("np.log(probs[np.arange(N), y])", "np.log(probs[np.arange(N), y] + 1e-8)"),),
    "printing inside loss and counting its calls in a global": (
        ("        N = X.shape[0]\n",
         "        N = X.shape[0]\n        global CALLS\n"
         "        CALLS = globals().get('CALLS', 0) + 1\n"
         "        for _ in range(20):\n            print('loss call', CALLS, X.shape)\n"),),
}

#: name -> (text replaced in LEARNER_MODEL, its replacement, the kind its FAIL names):
#: the assignment-2 FullyConnectedNet's bugs of :data:`A1_NET_LOSS_MUTATIONS`' kinds.
MODEL_LOSS_MUTATIONS: dict[str, tuple[str, str, str]] = {
    "FullyConnectedNet regularising its biases, in the loss and the gradients alike": (
        '            grads[f"W{i}"] += self.reg * self.params[f"W{i}"]\n',
        '            grads[f"W{i}"] += self.reg * self.params[f"W{i}"]\n'
        '            loss += 0.5 * self.reg * np.sum(self.params[f"b{i}"] ** 2)\n'
        '            grads[f"b{i}"] += self.reg * self.params[f"b{i}"]\n', "regularisation"),
    "FullyConnectedNet.loss centring the caller's X in place": (
        "        h, caches, L = X, [], self.num_layers\n",
        "        X -= X.mean(axis=0)\n        h, caches, L = X, [], self.num_layers\n",
        "in place"),
}

#: A learner's solver.py (CS231n's Solver, with its own sgd), correct;
#: :data:`SOLVER_MUTATIONS` plant the bugs in ``_step`` that ``gradcheck --file`` checks.
LEARNER_SOLVER = """import numpy as np


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


class Solver(object):
    def __init__(self, model, data, **kwargs):
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        self.update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)
        if kwargs:
            raise ValueError("Unrecognized arguments %s" % ", ".join(kwargs))
        self.update_rule = globals()[self.update_rule]
        self._reset()

    def _reset(self):
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.optim_configs = {}
        for p in self.model.params:
            self.optim_configs[p] = {k: v for k, v in self.optim_config.items()}

    def _step(self):
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch_mask], self.y_train[batch_mask])
        self.loss_history.append(loss)
        for p, w in self.model.params.items():
            config = self.optim_configs[p]
            next_w, next_config = self.update_rule(w, grads[p], config)
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N = num_samples
            X = X[mask]
            y = y[mask]
        num_batches = (N + batch_size - 1) // batch_size
        y_pred = []
        for i in range(num_batches):
            scores = self.model.loss(X[i * batch_size:(i + 1) * batch_size])
            y_pred.append(np.argmax(scores, axis=1))
        return np.mean(np.hstack(y_pred) == y)

    def train(self):
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(num_iterations):
            self._step()
            if self.verbose and t % self.print_every == 0:
                print("(Iteration %d / %d) loss: %f" % (t + 1, num_iterations,
                                                       self.loss_history[-1]))
            epoch_end = (t + 1) % iterations_per_epoch == 0
            if epoch_end:
                self.epoch += 1
                for k in self.optim_configs:
                    self.optim_configs[k]["learning_rate"] *= self.lr_decay
            first_it = t == 0
            last_it = t == num_iterations - 1
            if first_it or last_it or epoch_end:
                train_acc = self.check_accuracy(self.X_train, self.y_train,
                                                num_samples=1000)
                val_acc = self.check_accuracy(self.X_val, self.y_val)
                self.train_acc_history.append(train_acc)
                self.val_acc_history.append(val_acc)
                if val_acc > self.best_val_acc:
                    self.best_val_acc = val_acc
                    self.best_params = {}
                    for k, v in self.model.params.items():
                        self.best_params[k] = v.copy()
        self.model.params = self.best_params
"""

#: name -> (text replaced in LEARNER_SOLVER, its replacement, the kind its FAIL names).
SOLVER_MUTATIONS: dict[str, tuple[str, str, str]] = {
    "Solver's _step not storing the returned config": (
        "            self.optim_configs[p] = next_config\n", "", "solver"),
    "Solver's _step not storing next_w": (
        "            self.model.params[p] = next_w\n", "", "solver"),
    "Solver's _step passing one config from parameter to parameter": (
        "            config = self.optim_configs[p]\n"
        "            next_w, next_config = self.update_rule(w, grads[p], config)\n",
        "            next_w, self.optim_config = self.update_rule(w, grads[p], "
        "self.optim_config)\n            next_config = self.optim_config\n", "solver"),
    "Solver's check_accuracy dropping the last, shorter batch": (
        "num_batches = (N + batch_size - 1) // batch_size", "num_batches = N // batch_size",
        "solver"),
    "Solver's train decaying the learning rate every iteration": (
        "            if epoch_end:\n                self.epoch += 1\n"
        "                for k in self.optim_configs:\n"
        '                    self.optim_configs[k]["learning_rate"] *= self.lr_decay\n',
        "            if epoch_end:\n                self.epoch += 1\n"
        "            for k in self.optim_configs:\n"
        '                self.optim_configs[k]["learning_rate"] *= self.lr_decay\n', "solver"),
    "Solver's train keeping the last parameters, not the best": (
        "        self.model.params = self.best_params\n", "", "solver"),
    "Solver's train keeping the best parameters without copying them": (
        "                        self.best_params[k] = v.copy()",
        "                        self.best_params[k] = v", "solver"),
}


#: A learner's optim.py written the CS231n way, correct; :data:`OPTIM_MUTATIONS` plant the
#: update-rule bugs that only ``gradcheck --file``'s comparison with numpynn's rules sees.
LEARNER_OPTIM = """
import numpy as np

def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config

def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config

def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config

def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    mt = config["m"] / (1 - config["beta1"] ** config["t"])
    vt = config["v"] / (1 - config["beta2"] ** config["t"])
    next_w = w - config["learning_rate"] * mt / (np.sqrt(vt) + config["epsilon"])
    return next_w, config
"""

#: name -> ((text replaced in LEARNER_OPTIM, its replacement), ..., the kind its FAIL names).
OPTIM_MUTATIONS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "sgd steps up the gradient": (
        (('w -= config["learning_rate"] * dw', 'w += config["learning_rate"] * dw'),),
        "negation"),
    "sgd_momentum's velocity adds the gradient": (
        (('v = config["momentum"] * v - config["learning_rate"] * dw',
          'v = config["momentum"] * v + config["learning_rate"] * dw'),), "negation"),
    "sgd_momentum's velocity not stored": (
        (('    config["velocity"] = v\n', ""),), "update rule"),
    "rmsprop without the square root": (
        (('dw / (np.sqrt(config["cache"]) + config["epsilon"])',
          'dw / (config["cache"] + config["epsilon"])'),), "update rule"),
    "adam without bias correction": (
        (('mt = config["m"] / (1 - config["beta1"] ** config["t"])', 'mt = config["m"]'),
         ('vt = config["v"] / (1 - config["beta2"] ** config["t"])', 'vt = config["v"]')),
        "update rule"),
    "adam's t incremented after use": (
        (('    config["t"] += 1\n', ""),
         ("    return next_w, config\n", '    config["t"] += 1\n    return next_w, config\n')),
        "update rule"),
    "adam stores the bias-corrected moments": (
        (('mt = config["m"] / (1 - config["beta1"] ** config["t"])',
          'mt = config["m"] = config["m"] / (1 - config["beta1"] ** config["t"])'),
         ('vt = config["v"] / (1 - config["beta2"] ** config["t"])',
          'vt = config["v"] = config["v"] / (1 - config["beta2"] ** config["t"])')),
        "update rule"),
}


def _optim_text(pairs: tuple[tuple[str, str], ...], text: str = LEARNER_OPTIM) -> str:
    """``text`` (LEARNER_OPTIM) with ``pairs`` replaced (each at its last occurrence: in
    LEARNER_OPTIM, adam's)."""
    for old, new in pairs:
        if old not in text:
            raise AssertionError(f"mutation: {old!r} no longer applies")
        head, _, tail = text.rpartition(old)
        text = head + new + tail
    return text


#: A learner's convolution and max pool (assignment 2's naive layers, looping over the
#: output positions), correct; :data:`CNN_MUTATIONS` plant forward bugs whose backward is
#: consistent with them, which only the comparison with the course's definition sees.
LEARNER_CNN = """
import numpy as np

def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(win, k, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)

def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w
    dxp, dk = np.zeros_like(xp), np.zeros_like(w)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            win = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            dk += np.tensordot(dout[:, :, i, j], win, axes=([0], [0]))
            dxp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += np.tensordot(
                dout[:, :, i, j], k, axes=([1], [0]))
    dw = dk
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))

def max_pool_forward_naive(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    out = np.zeros((N, C, 1 + (H - ph) // s, 1 + (W - pw) // s))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)

def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            win = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            mask = win == win.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += mask * dout[:, :, i:i + 1, j:j + 1]
    return dx
"""

#: name -> ((text replaced in LEARNER_CNN, its replacement), ..., the kind its FAIL names).
CNN_MUTATIONS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "conv with its kernel flipped (a true convolution), backward to match": (
        (("    k = w\n    out", "    k = w[:, :, ::-1, ::-1]\n    out"),
         ("    k = w\n    dxp", "    k = w[:, :, ::-1, ::-1]\n    dxp"),
         ("    dw = dk\n", "    dw = dk[:, :, ::-1, ::-1]\n")), "forward"),
    "average pool for max pool, backward to match": (
        (("ph, j * s:j * s + pw].max(axis=(2, 3))", "ph, j * s:j * s + pw].mean(axis=(2, 3))"),
         ("mask = win == win.max(axis=(2, 3), keepdims=True)",
          "mask = np.full(win.shape, 1 / (ph * pw))")), "forward"),
}

#: name -> ((text replaced in LEARNER_CNN, its replacement), ..., the kind its FAIL names):
#: backward bugs the numerical check catches, whose kind only the layer's numbers show.
CNN_BACKWARD_MUTATIONS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "conv dw assigned in the loop, not accumulated": (
        (("            dk += np.tensordot", "            dk = np.tensordot"),), "accumulate"),
    # pass with the notebook's parameters (stride 1, pad 1; a 2 x 2 window, stride 2),
    # fail with the second ones (numpynn.gradcheck.file.CNN_SECOND)
    "conv with stride and pad written as constants, in both passes": (
        (('stride, pad = conv_param["stride"], conv_param["pad"]', "stride, pad = 1, 1"),
         ('stride, pad = conv_param["stride"], conv_param["pad"]', "stride, pad = 1, 1")),
        "param dict"),
    "conv backward with the stride written as a constant": (
        (('stride, pad = conv_param["stride"], conv_param["pad"]\n    N, C, H, W = x.shape\n'
          "    F, _, HH, WW = w.shape\n    xp",
          'stride, pad = 1, conv_param["pad"]\n    N, C, H, W = x.shape\n'
          "    F, _, HH, WW = w.shape\n    xp"),), "param dict"),
    "max pool with a 2 x 2 window written as constants, in both passes": (
        (('ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], '
          'pool_param["stride"]', "ph, pw, s = 2, 2, 2"),
         ('ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], '
          'pool_param["stride"]', "ph, pw, s = 2, 2, 2")), "param dict"),
    # pass with the first two (pad 1), fail with the third (pad 0: CNN_THIRD)
    "conv backward slicing dx_pad[pad:-pad] (empty at pad 0)": (
        (("return dxp[:, :, pad:pad + H, pad:pad + W]", "return dxp[:, :, pad:-pad, pad:-pad]"),),
        "param dict"),
    "max pool backward assigning each window's gradient (overlapping windows)": (
        (("dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += mask",
          "dx[:, :, i * s:i * s + ph, j * s:j * s + pw] = mask"),), "accumulate"),
}


#: A learner's cnn.py: assignment 2's ThreeLayerConvNet (conv - relu - 2x2 max pool -
#: affine - relu - affine - softmax) on :data:`LEARNER_CNN`'s layers and its own affine,
#: ReLU and softmax helpers, correct; :data:`CONVNET_MUTATIONS` plant bugs in its loss.
LEARNER_CONVNET = LEARNER_CNN + """
def _affine(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b

def _softmax_loss(x, y):
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    N = x.shape[0]
    dx = p.copy()
    dx[np.arange(N), y] -= 1
    return -np.log(p[np.arange(N), y]).mean(), dx / N

class ThreeLayerConvNet(object):
    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        self.reg = reg
        C, H, W = input_dim
        self.params = {
            "W1": weight_scale * np.random.randn(num_filters, C, filter_size, filter_size),
            "b1": np.zeros(num_filters),
            "W2": weight_scale * np.random.randn(num_filters * (H // 2) * (W // 2),
                                                 hidden_dim),
            "b2": np.zeros(hidden_dim),
            "W3": weight_scale * np.random.randn(hidden_dim, num_classes),
            "b3": np.zeros(num_classes)}
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

    def loss(self, X, y=None):
        W1, b1, W2, b2, W3, b3 = (self.params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
        conv_param = {"stride": 1, "pad": (W1.shape[2] - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        a, conv_cache = conv_forward_naive(X, W1, b1, conv_param)
        p, pool_cache = max_pool_forward_naive(np.maximum(a, 0), pool_param)
        h = _affine(p, W2, b2)
        scores = _affine(np.maximum(h, 0), W3, b3)
        if y is None:
            return scores
        loss, dscores = _softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(np.sum(w * w) for w in (W1, W2, W3))
        hr = np.maximum(h, 0)
        grads = {"W3": hr.T @ dscores + self.reg * W3, "b3": dscores.sum(axis=0)}
        dh = (dscores @ W3.T) * (h > 0)
        grads["W2"] = p.reshape(p.shape[0], -1).T @ dh + self.reg * W2
        grads["b2"] = dh.sum(axis=0)
        dp = (dh @ W2.T).reshape(p.shape)
        da = max_pool_backward_naive(dp, pool_cache) * (a > 0)
        _, dw1, grads["b1"] = conv_backward_naive(da, conv_cache)
        grads["W1"] = dw1 + self.reg * W1
        return loss, grads
"""

#: name -> (text replaced in LEARNER_CONVNET, its replacement, the kind its FAIL names).
CONVNET_MUTATIONS: dict[str, tuple[str, str, str]] = {
    "ThreeLayerConvNet without the reg term in W1's gradient": (
        'grads["W1"] = dw1 + self.reg * W1', 'grads["W1"] = dw1', "regularisation"),
}


#: A learner's assignment-1 linear classifiers (classifiers/linear_svm.py, softmax.py and
#: linear_classifier.py in one file, with the starter code's Python-2 imports): the SVM
#: with loops and vectorised, the softmax with loops and vectorised (its penalty the
#: older years' 0.5 * reg * sum(W * W), gradient reg * W), LinearClassifier's train and
#: predict, correct; :data:`LINEAR_MUTATIONS` plant bugs.
LEARNER_LINEAR = """from builtins import range
import numpy as np
from random import shuffle
from past.builtins import xrange

def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW

def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(num_train), y].reshape(-1, 1)
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    binary = (margins > 0).astype(float)
    binary[np.arange(num_train), y] = -np.sum(binary, axis=1)
    dW = X.T.dot(binary) / num_train + 2 * reg * W
    return loss, dW

def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]
    for i in xrange(num_train):
        f = X[i].dot(W)
        f -= np.max(f)
        p = np.exp(f) / np.sum(np.exp(f))
        loss += -np.log(p[y[i]])
        for j in range(W.shape[1]):
            dW[:, j] += (p[j] - (j == y[i])) * X[i]
    loss = loss / num_train + 0.5 * reg * np.sum(W * W)
    dW = dW / num_train + reg * W
    return loss, dW

def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores -= scores.max(axis=1)[:, np.newaxis]
    log_sum = np.log(np.exp(scores).sum(axis=1))
    loss = np.mean(log_sum - scores[np.arange(N), y])
    probs = np.exp(scores - log_sum[:, None])
    probs[np.arange(N), y] -= 1
    dW = X.T @ probs / N
    loss += 0.5 * reg * np.sum(W ** 2)
    dW += reg * W
    return loss, dW

class LinearClassifier(object):
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              verbose=False):
        num_train, dim = X.shape
        num_classes = np.max(y) + 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, num_classes)
        loss_history = []
        for it in range(num_iters):
            idx = np.random.choice(num_train, batch_size, replace=True)
            X_batch = X[idx]
            y_batch = y[idx]
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss_history

    def predict(self, X):
        return np.argmax(X.dot(self.W), axis=1)

    def loss(self, X_batch, y_batch, reg):
        pass

class LinearSVM(LinearClassifier):
    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)

class Softmax(LinearClassifier):
    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)
"""

#: name -> (text replaced in LEARNER_LINEAR, its replacement, the kind its FAIL names).
LINEAR_MUTATIONS: dict[str, tuple[str, str, str]] = {
    "svm_loss_naive without the correct class's column": (
        "                dW[:, y[i]] -= X[i]\n", "", "correct class"),
    "svm_loss_vectorized with -1 for the count of positive margins": (
        "binary[np.arange(num_train), y] = -np.sum(binary, axis=1)",
        "binary[np.arange(num_train), y] = -1", "correct class"),
    "svm_loss_vectorized with the gradient reg * W for reg * sum(W * W)": (
        "dW = X.T.dot(binary) / num_train + 2 * reg * W",
        "dW = X.T.dot(binary) / num_train + reg * W", "regularisation"),
    "softmax_loss_naive without the max shift": ("        f -= np.max(f)\n", "", "overflow"),
    "softmax_loss_naive with a gradient for the correct class only": (
        "            dW[:, j] += (p[j] - (j == y[i])) * X[i]",
        "            if j == y[i]:\n                dW[:, j] += (p[j] - 1) * X[i]", "mask"),
    "softmax_loss_vectorized with dW not divided by N": (
        "dW = X.T @ probs / N", "dW = X.T @ probs", "factor N"),
    "softmax_loss_vectorized without reg in dW": ("    dW += reg * W\n", "",
                                                   "regularisation"),
    "LinearClassifier.train stepping up the gradient": (
        "            self.W -= learning_rate * grad", "            self.W += learning_rate * grad",
        "negation"),
    "LinearClassifier.train drawing the labels apart from the rows": (
        "            y_batch = y[idx]",
        "            y_batch = y[np.random.choice(num_train, batch_size)]", "training loop"),
    "LinearClassifier.predict with the argmax over the batch": (
        "np.argmax(X.dot(self.W), axis=1)", "np.argmax(X.dot(self.W), axis=0)",
        "training loop"),
}


def _replaced(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """``text`` with each of ``pairs`` replaced wherever it occurs."""
    for old, new in pairs:
        if old not in text:
            raise AssertionError(f"mutation: {old!r} no longer applies")
        text = text.replace(old, new)
    return text


# ------------------------------------------------------------- the sixth learner round
#: A learner's assignment-2 TwoLayerNet (fc_net.py: weight_scale, reg in the constructor,
#: 0.5 reg |W|^2), correct; :data:`SIXTH_ROUND_MUTATIONS` draws its weights otherwise.
LEARNER_A2_NET = '''
import numpy as np
class TwoLayerNet(object):
    def __init__(self, input_dim=3*32*32, hidden_dim=100, num_classes=10, weight_scale=1e-3,
                 reg=0.0):
        self.reg = reg
        self.params = {"W1": weight_scale * np.random.randn(input_dim, hidden_dim),
                       "b1": np.zeros(hidden_dim),
                       "W2": weight_scale * np.random.randn(hidden_dim, num_classes),
                       "b2": np.zeros(num_classes)}
    def loss(self, X, y=None):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        N = X.shape[0]
        z1 = X.reshape(N, -1).dot(W1) + b1
        h1 = np.maximum(0, z1)
        scores = h1.dot(W2) + b2
        if y is None:
            return scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
        loss = -np.sum(np.log(probs[np.arange(N), y])) / N
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads = {"W2": h1.T.dot(dscores) + self.reg * W2, "b2": np.sum(dscores, axis=0)}
        dh1 = dscores.dot(W2.T)
        dh1[z1 <= 0] = 0
        grads["W1"] = X.reshape(N, -1).T.dot(dh1) + self.reg * W1
        grads["b1"] = np.sum(dh1, axis=0)
        return loss, grads
'''

#: :data:`LEARNER_MODEL` with the 2017 course's signature (``dropout=0,
#: use_batchnorm=False``: dropout's p the keep probability, 0 for none), correct.
LEARNER_FC_2017 = _replaced(LEARNER_MODEL, (
    ("dropout_keep_ratio=1, normalization=None,", "dropout=0, use_batchnorm=False,"),
    ("self.normalization, self.reg = normalization, reg",
     "self.normalization, self.reg = ('batchnorm' if use_batchnorm else None), reg\n"
     "        normalization = self.normalization"),
    ("self.use_dropout = dropout_keep_ratio != 1", "self.use_dropout = dropout > 0"),
    ('{"mode": "train", "p": dropout_keep_ratio}', '{"mode": "train", "p": dropout}')))
#: :data:`LEARNER_MODEL` with the 2018-2019 course's signature (``dropout=1``, the keep
#: probability, 1 for none; ``normalization``), correct.
LEARNER_FC_2019 = _replaced(LEARNER_MODEL, (
    ("dropout_keep_ratio=1,", "dropout=1,"),
    ("self.use_dropout = dropout_keep_ratio != 1", "self.use_dropout = dropout != 1"),
    ('{"mode": "train", "p": dropout_keep_ratio}', '{"mode": "train", "p": dropout}')))

#: A learner's layer_utils.py: :data:`LEARNER_LAYERS`, an affine layer and a sandwich
#: layer of the learner's own naming (affine - batch norm - ReLU), correct.
LEARNER_UTILS = LEARNER_LAYERS + LEARNER_AFFINE + '''
def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):
    a, fc_cache = affine_forward(x, w, b)
    an, bn_cache = batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(an)
    return out, (fc_cache, bn_cache, relu_cache)

def affine_bn_relu_backward(dout, cache):
    fc_cache, bn_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dan, dgamma, dbeta = batchnorm_backward(da, bn_cache)
    dx, dw, db = affine_backward(dan, fc_cache)
    return dx, dw, db, dgamma, dbeta
'''

#: :data:`LEARNER_CNN` with a ReLU and the course's conv - relu - pool sandwich layer,
#: correct.
LEARNER_CNN_UTILS = LEARNER_CNN + '''
def relu_forward(x):
    return np.maximum(0, x), x

def relu_backward(dout, x):
    return dout * (x > 0)

def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    a, conv_cache = conv_forward_naive(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_naive(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)

def conv_relu_pool_backward(dout, cache):
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_naive(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    return conv_backward_naive(da, conv_cache)
'''

#: Assignment 3's temporal affine layer (x of shape (N, T, D)): checked on its own shapes
#: (``numpynn.gradcheck.recurrent``; before the ninth learner round, listed as not checked).
LEARNER_TEMPORAL = '''
import numpy as np
def temporal_affine_forward(x, w, b):
    N, T, D = x.shape
    out = x.reshape(N * T, D).dot(w).reshape(N, T, b.shape[0]) + b
    return out, (x, w, b)
def temporal_affine_backward(dout, cache):
    x, w, b = cache
    N, T, D = x.shape
    M = b.shape[0]
    return (dout.reshape(N * T, M).dot(w.T).reshape(N, T, D),
            x.reshape(N * T, D).T.dot(dout.reshape(N * T, M)), dout.sum(axis=(0, 1)))
'''

#: The learners' files the sixth round's cases edit, by the name its tables use.
SIXTH_ROUND_FILES: dict[str, str] = {
    "layers": LEARNER_LAYERS, "model": LEARNER_MODEL, "cnn": LEARNER_CNN,
    "convnet": LEARNER_CONVNET, "fc 2017": LEARNER_FC_2017, "fc 2019": LEARNER_FC_2019,
    "a2 net": LEARNER_A2_NET, "utils": LEARNER_UTILS, "cnn utils": LEARNER_CNN_UTILS,
    "temporal": LEARNER_TEMPORAL,
}

#: name -> (a key of :data:`SIXTH_ROUND_FILES`, replacements (each wherever it occurs), the
#: kind its FAIL names or None): the sixth learner round's bugs, which
#: the checker passed before it (a height used for a width on square shapes, the older
#: nets' batch norm and dropout never built, batch norm without eps, initial weights,
#: some hidden layers normalised, a layer of the learner's own naming, a float32 gradient)
#: or named wrongly (eps added to the std, the unbiased variance).
SIXTH_ROUND_MUTATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...], str | None]] = {
    "conv with W' and the filter's width from H and HH, in both passes": (
        "cnn", (("1 + (W + 2 * pad - WW) // stride", "1 + (H + 2 * pad - HH) // stride"),
                ("j * stride:j * stride + WW]", "j * stride:j * stride + HH]")),
        "height and width"),
    "conv backward cropping dx_pad's width with H": (
        "cnn", (("return dxp[:, :, pad:pad + H, pad:pad + W]",
                 "return dxp[:, :, pad:pad + H, pad:pad + H]"),), "height and width"),
    "max pool forward with the window's width from pool_height": (
        "cnn", (("1 + (W - pw) // s", "1 + (H - ph) // s"),
                ("j * s:j * s + pw].max", "j * s:j * s + ph].max")), "height and width"),
    "max pool backward with pool_height for pool_width": (
        "cnn", (('x, pool_param = cache\n    ph, pw, s = pool_param["pool_height"], '
                 'pool_param["pool_width"]',
                 'x, pool_param = cache\n    ph, pw, s = pool_param["pool_height"], '
                 'pool_param["pool_height"]'),),
        "height and width"),
    "ThreeLayerConvNet sizing W2 from the height twice (H // 2 * H // 2)": (
        "convnet", (("num_filters * (H // 2) * (W // 2)", "num_filters * (H // 2) * (H // 2)"),),
        None),
    "2017 FullyConnectedNet (use_batchnorm) storing gamma's and beta's gradients swapped": (
        "fc 2017", (('dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dh, bn)',
                     'dh, grads[f"beta{i}"], grads[f"gamma{i}"] = batchnorm_backward(dh, bn)'),),
        "swapped"),
    "2017 FullyConnectedNet (dropout=0) leaving dropout in train mode at test time": (
        "fc 2017", (('self.dropout_param["mode"] = mode',
                     'self.dropout_param["mode"] = "train"'),), "test mode"),
    "2019 FullyConnectedNet (dropout=1) leaving dropout in train mode at test time": (
        "fc 2019", (('self.dropout_param["mode"] = mode',
                     'self.dropout_param["mode"] = "train"'),), "test mode"),
    "FullyConnectedNet normalising all hidden layers but the last": (
        "model", (('if normalization == "batchnorm" and i < self.num_layers - 1:',
                   'if normalization == "batchnorm" and i < self.num_layers - 2:'),
                  ('if self.normalization == "batchnorm":\n                h, bn',
                   'if self.normalization == "batchnorm" and i < L - 1:\n                h, bn')),
        "forward"),
    "batchnorm without eps (0 / 0 on a constant feature)": (
        "layers", (('eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)',
                    'eps, momentum = 0.0, bn_param.get("momentum", 0.9)'),), "not finite"),
    "layernorm without eps (0 / 0 on a constant example)": (
        "layers", (('    eps = ln_param.get("eps", 1e-5)\n', "    eps = 0\n"),), "not finite"),
    "batchnorm adding eps to the standard deviation, backward to match": (
        "layers", (("    xhat = (x - mu) / np.sqrt(var + eps)\n    bn_param",
                    "    xhat = (x - mu) / (np.sqrt(var) + eps)\n    bn_param"),
                   ("return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps))\n\n"
                    "def batchnorm_b",
                    "return gamma * xhat + beta, (xhat, gamma, np.sqrt(var) + eps)\n\n"
                    "def batchnorm_b")), "forward"),
    "batchnorm normalising with the unbiased batch variance (ddof=1)": (
        "layers", (("mu, var = x.mean(axis=0), x.var(axis=0)",
                    "mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)"),), "forward"),
    "relu_backward returning a float32 gradient": (
        "layers", (("def relu_backward(dout, x):\n    return dout * (x > 0)",
                    "def relu_backward(dout, x):\n"
                    "    return (dout * (x > 0)).astype(np.float32)"),),
        "return value"),
    "TwoLayerNet drawing its weights with np.random.rand (uniform, all positive)": (
        "a2 net", (("weight_scale * np.random.randn(input_dim", "weight_scale * np.random.rand("
                    "input_dim"),), "initialisation"),
    "TwoLayerNet drawing its weights with a scale of its own (0.01), not weight_scale": (
        "a2 net", (("weight_scale * np.random.randn(input_dim", "0.01 * np.random.randn("
                    "input_dim"),
                   ("weight_scale * np.random.randn(hidden_dim", "0.01 * np.random.randn("
                    "hidden_dim")), "initialisation"),
    "affine_bn_relu_backward passing batch norm's input gradient over (da for dan)": (
        "utils", (("dx, dw, db = affine_backward(dan, fc_cache)",
                   "dx, dw, db = affine_backward(da, fc_cache)"),), None),
    "conv_relu_pool_backward without the ReLU's mask": (
        "cnn utils", (("    da = relu_backward(ds, relu_cache)\n    return conv_backward_naive(da",
                       "    return conv_backward_naive(ds"),), None),
    "FullyConnectedNet summing the biases' gradients over the features (axis=1)": (
        "model", (('            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc)',
                   '            db = dh.sum(axis=1)\n'
                   '            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc)\n'
                   '            grads[f"b{i}"] = db'),), None),
}

#: name -> (a key of :data:`SIXTH_ROUND_FILES`, replacements): the sixth round's correct
#: files (the files themselves pass too), each must pass.
SIXTH_ROUND_CORRECT: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "the 2017 FullyConnectedNet (use_batchnorm, dropout=0)": ("fc 2017", ()),
    "the 2019 FullyConnectedNet (dropout=1, normalization)": ("fc 2019", ()),
    "assignment 2's TwoLayerNet": ("a2 net", ()),
    "assignment 2's TwoLayerNet drawing np.random.normal(0, weight_scale, shape)": (
        "a2 net", (("weight_scale * np.random.randn(input_dim, hidden_dim)",
                    "np.random.normal(0, weight_scale, (input_dim, hidden_dim))"),)),
    "layer_utils with affine_bn_relu_forward / _backward": ("utils", ()),
    "conv_relu_pool_forward / _backward on the naive layers": ("cnn utils", ()),
    "max pool backward through np.unravel_index of each window's argmax": (
        "cnn", (("            mask = win == win.max(axis=(2, 3), keepdims=True)\n"
                 "            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += mask * "
                 "dout[:, :, i:i + 1, j:j + 1]\n",
                 "            for n in range(x.shape[0]):\n"
                 "                for c in range(x.shape[1]):\n"
                 "                    a, b = np.unravel_index(np.argmax(win[n, c]), (ph, pw))\n"
                 "                    dx[n, c, i * s + a, j * s + b] += dout[n, c, i, j]\n"),)),
    "FullyConnectedNet with its parameters numbered from 0 (W0, gamma0, ...)": (
        "model", (('f"W{i + 1}"', 'f"W{i}"'), ('f"b{i + 1}"', 'f"b{i}"'),
                  ('f"gamma{i + 1}"', 'f"gamma{i}"'), ('f"beta{i + 1}"', 'f"beta{i}"'),
                  ("range(1, L)", "range(0, L - 1)"),
                  ('self.params[f"W{L}"], self.params[f"b{L}"]',
                   'self.params[f"W{L-1}"], self.params[f"b{L-1}"]'),
                  ('grads[f"W{L}"], grads[f"b{L}"]', 'grads[f"W{L-1}"], grads[f"b{L-1}"]'),
                  ("range(L - 1, 0, -1)", "range(L - 2, -1, -1)"), ("caches[i - 1]", "caches[i]"),
                  ("self.bn_params[i - 1]", "self.bn_params[i]"),
                  ("range(1, L + 1)", "range(0, L)"))),
    "assignment 3's temporal affine layer (x of (N, T, D)), checked on its own shapes": (
        "temporal", ()),
}


#: Assignment 3's vanilla RNN (rnn_layers.py): a step pair and the sequence pair on it.
LEARNER_RNN = '''import numpy as np

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache

def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h ** 2)
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db

def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    prev = h0
    for t in range(T):
        prev, c = rnn_step_forward(x[:, t, :], prev, Wx, Wh, b)
        h[:, t, :] = prev
        cache.append(c)
    return h, cache

def rnn_backward(dh, cache):
    N, T, H = dh.shape
    x0 = cache[0][0]
    D = x0.shape[1]
    dx = np.zeros((N, T, D)); dWx = np.zeros((D, H)); dWh = np.zeros((H, H)); db = np.zeros(H)
    dprev = np.zeros((N, H))
    for t in reversed(range(T)):
        dxt, dprev, dWxt, dWht, dbt = rnn_step_backward(dh[:, t, :] + dprev, cache[t])
        dx[:, t, :] = dxt
        dWx += dWxt; dWh += dWht; db += dbt
    return dx, dprev, dWx, dWh, db
'''

#: Assignment 3's LSTM step and sequence pairs, and the word embedding (np.add.at).
LEARNER_LSTM = '''import numpy as np

def sigmoid(x):
    pos = x >= 0
    neg = x < 0
    z = np.zeros_like(x)
    z[pos] = np.exp(-x[pos])
    z[neg] = np.exp(x[neg])
    top = np.ones_like(x)
    top[neg] = z[neg]
    return top / (1 + z)

def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H])
    o, g = sigmoid(a[:, 2*H:3*H]), np.tanh(a[:, 3*H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)
    return next_h, next_c, cache

def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tc = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    di = dc * g; df = dc * prev_c; do = dnext_h * tc; dg = dc * i
    da = np.hstack([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g ** 2)])
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dprev_c = dc * f
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(0)
    return dx, dprev_h, dprev_c, dWx, dWh, db

def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    c = np.zeros_like(h0)
    prev_h = h0
    caches = []
    for t in range(T):
        prev_h, c, cache = lstm_step_forward(x[:, t], prev_h, c, Wx, Wh, b)
        h[:, t] = prev_h
        caches.append(cache)
    return h, caches

def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D)); dWx = np.zeros((D, 4*H)); dWh = np.zeros((H, 4*H)); db = np.zeros(4*H)
    dprev_h = np.zeros((N, H)); dprev_c = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t], dprev_h, dprev_c, dWxt, dWht, dbt = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, cache[t])
        dWx += dWxt; dWh += dWht; db += dbt
    return dx, dprev_h, dWx, dWh, db

def word_embedding_forward(x, W):
    out = W[x]
    return out, (x, W)

def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    np.add.at(dW, x, dout)
    return dW
'''

#: The learners' files the seventh round's cases edit, by the name its tables use.
SEVENTH_ROUND_FILES: dict[str, str] = {
    "rnn": LEARNER_RNN, "lstm": LEARNER_LSTM, "a1 net": LEARNER_A1_NET,
    "linear": LEARNER_LINEAR, "layers": LEARNER_LAYERS, "cnn": LEARNER_CNN,
}

#: name -> (a key of :data:`SEVENTH_ROUND_FILES`, replacements, the kind its FAIL names):
#: the seventh learner round's bugs, which the checker listed as not checked (assignment
#: 3's recurrent functions), passed (an integer parameter) or named wrongly or not at all.
SEVENTH_ROUND_MUTATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...], str | None]] = {
    "rnn_backward not carrying dprev_h back through time": (
        "rnn", (("rnn_step_backward(dh[:, t, :] + dprev, cache[t])",
                 "rnn_step_backward(dh[:, t, :], cache[t])"),), "accumulate"),
    "rnn_backward assigning dWx in the loop over time (dWx = dWx_t)": (
        "rnn", (("dWx += dWxt; dWh += dWht", "dWx = dWxt; dWh += dWht"),), "accumulate"),
    "rnn_step_backward taking tanh of the cached output again": (
        "rnn", (("da = dnext_h * (1 - next_h ** 2)", "da = dnext_h * (1 - np.tanh(next_h) ** 2)"),),
        None),
    "rnn_step_backward averaging db over the batch": (
        "rnn", (("db = da.sum(axis=0)", "db = da.mean(axis=0)"),), "factor 1/N"),
    "lstm_backward restarting dprev_c at zeros every step": (
        "lstm", (("dh[:, t] + dprev_h, dprev_c, cache[t])",
                  "dh[:, t] + dprev_h, np.zeros_like(dprev_c), cache[t])"),),
        None),
    "lstm_step_backward without tanh's derivative on the cell": (
        "lstm", (("dc = dnext_c + dnext_h * o * (1 - tc ** 2)", "dc = dnext_c + dnext_h * o"),),
        None),
    "lstm_backward not carrying dprev_h back through time": (
        "lstm", (("dh[:, t] + dprev_h, dprev_c, cache[t])",
                  "dh[:, t], dprev_c, cache[t])"),), None),
    "word_embedding_backward with dW[x] += dout (repeated words added once)": (
        "lstm", (("np.add.at(dW, x, dout)", "dW[x] += dout"),), "accumulate"),
    "assignment-1 net subtracting 1 from every entry of dscores (dscores -= 1)": (
        "a1 net", (("dscores[np.arange(N), y] -= 1", "dscores -= 1"),), "correct class"),
    "assignment-1 net normalising the softmax over axis 0": (
        "a1 net", (("probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)",
                    "probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=0, keepdims=True)"),),
        "loss value"),
    "assignment-1 net with integer biases (np.zeros(size, dtype=int))": (
        "a1 net", (('"b1": np.zeros(hidden_size)', '"b1": np.zeros(hidden_size, dtype=int)'),
                   ('"b2": np.zeros(output_size)', '"b2": np.zeros(output_size, dtype=int)')),
        "initialisation"),
    "svm_loss_naive without the margin's + 1": (
        "linear", (("margin = scores[j] - correct_class_score + 1",
                    "margin = scores[j] - correct_class_score"),), "forward"),
    "svm_loss_vectorized computing its loss after binary = margins is edited": (
        "linear", (("    loss = np.sum(margins) / num_train + reg * np.sum(W * W)\n"
                    "    binary = (margins > 0).astype(float)\n",
                    "    binary = margins\n    binary[margins > 0] = 1\n"
                    "    loss = np.sum(margins) / num_train + reg * np.sum(W * W)\n"),),
        "forward"),
    "softmax_loss_naive dividing the loss by N twice": (
        "linear", (("        loss += -np.log(p[y[i]])\n",
                    "        loss += -np.log(p[y[i]]) / num_train\n"),), "forward"),
    "softmax_loss_vectorized normalising over axis 0": (
        "linear", (("log_sum = np.log(np.exp(scores).sum(axis=1))",
                    "log_sum = np.log(np.exp(scores).sum(axis=0))"),
                   ("loss = np.mean(log_sum - scores[np.arange(N), y])",
                    "loss = np.mean(log_sum[y] - scores[np.arange(N), y])"),
                   ("probs = np.exp(scores - log_sum[:, None])",
                    "probs = np.exp(scores - log_sum[None, :])")), "forward"),
    "svm_loss without the margin's + 1": (
        "layers", (("margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1.0)",
                    "margins = np.maximum(0, x - x[np.arange(N), y][:, None])"),), "forward"),
    "conv backward assigning db per example (db = dout[n].sum(...))": (
        "cnn", (("dout.sum(axis=(0, 2, 3))", "dout[-1].sum(axis=(1, 2))"),), "accumulate"),
}

#: name -> (a key of :data:`SEVENTH_ROUND_FILES`, replacements): the seventh round's correct
#: files, each must pass.
SEVENTH_ROUND_CORRECT: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "assignment 3's vanilla RNN (step and sequence)": ("rnn", ()),
    "assignment 3's LSTM and word embedding": ("lstm", ()),
    "assignment-1 net with the seed question's eq. 1 (N x 1 factors that cancel)": (
        "a1 net", (("        dscores = probs.copy()\n        dscores[np.arange(N), y] -= 1\n"
                    "        dscores /= N\n",
                    "        da2 = -probs\n        da2[np.arange(N), y] += 1\n"
                    "        da2 *= (probs[np.arange(N), y])[:, None]\n"
                    "        dscores = -(1 / probs[np.arange(N), y])[:, None] * da2 / N\n"),)),
    "assignment-1 net with np.einsum and a one-hot matrix": (
        "a1 net", (("        dscores = probs.copy()\n        dscores[np.arange(N), y] -= 1\n"
                    "        dscores /= N\n",
                    "        dscores = (probs - np.eye(W2.shape[1])[y]) / N\n"),
                   ('grads["W2"] = h1.T.dot(dscores)', 'grads["W2"] = np.einsum("nh,nc->hc", h1, '
                    'dscores)'))),
    "svm_loss_vectorized computing its loss before binary = margins is edited": (
        "linear", (("    binary = (margins > 0).astype(float)\n",
                    "    binary = margins\n    binary[margins > 0] = 1\n"),)),
}


# ------------------------------------------------------------- the eighth learner round
#: deeplearning.ai's L-layer network (Andrew Ng's course: column-major X of shape (D, m),
#: ReLU layers and a sigmoid output with the binary cross-entropy cost), correct.
LEARNER_NG = '''import numpy as np

def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l-1]) * 0.01
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters

def sigmoid(Z):
    A = 1/(1+np.exp(-Z))
    return A, Z

def relu(Z):
    A = np.maximum(0,Z)
    return A, Z

def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ

def sigmoid_backward(dA, cache):
    Z = cache
    s = 1/(1+np.exp(-Z))
    return dA * s * (1-s)

def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache

def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)

def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters['W' + str(l)],
                                             parameters['b' + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters['W' + str(L)],
                                          parameters['b' + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches

def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -1/m * np.sum(Y*np.log(AL) + (1-Y)*np.log(1-AL))
    return np.squeeze(cost)

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1/m * np.dot(dZ, A_prev.T)
    db = 1/m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db

def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)

def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L-1]
    dA_prev, dW, db = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L-1)], grads["dW" + str(L)], grads["db" + str(L)] = dA_prev, dW, db
    for l in reversed(range(L-1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads

def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l+1)] -= learning_rate * grads["dW" + str(l+1)]
        parameters["b" + str(l+1)] -= learning_rate * grads["db" + str(l+1)]
    return parameters
'''

#: deeplearning.ai's two-layer network (tanh hidden layer, sigmoid output), correct.
LEARNER_NG2 = '''import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def initialize_parameters(n_x, n_h, n_y):
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}

def forward_propagation(X, parameters):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache

def compute_cost(A2, Y, parameters):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = - np.sum(logprobs) / m
    return float(np.squeeze(cost))

def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
'''

#: Nielsen's network.py (sigmoid layers, the quadratic cost), correct.
LEARNER_NIELSEN = '''import random
import numpy as np

class Network(object):
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a)+b)
        return a
    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation)+b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
        return (nabla_b, nabla_w)
    def cost_derivative(self, output_activations, y):
        return (output_activations-y)

def sigmoid(z):
    return 1.0/(1.0+np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z)*(1-sigmoid(z))
'''

#: Nielsen's network2.py (a cost object: cross-entropy), correct.
LEARNER_NIELSEN2 = '''import numpy as np

class QuadraticCost(object):
    @staticmethod
    def fn(a, y):
        return 0.5*np.linalg.norm(a-y)**2
    @staticmethod
    def delta(z, a, y):
        return (a-y) * sigmoid_prime(z)

class CrossEntropyCost(object):
    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y*np.log(a)-(1-y)*np.log(1-a)))
    @staticmethod
    def delta(z, a, y):
        return (a-y)

class Network(object):
    def __init__(self, sizes, cost=CrossEntropyCost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]
        self.weights = [np.random.randn(y, x)/np.sqrt(x)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]
        self.cost = cost
    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a)+b)
        return a
    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation)+b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (self.cost).delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
        return (nabla_b, nabla_w)

def sigmoid(z):
    return 1.0/(1.0+np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z)*(1-sigmoid(z))
'''

#: the seed question's network as layer classes with forward / backward methods
#: (PyTorch-like); checkable with :data:`ADAPTER_CLASSES` appended.
LEARNER_CLASSES = '''import numpy as np

class Linear:
    def __init__(self, n_in, n_out):
        self.W = 0.01 * np.random.randn(n_in, n_out)
        self.b = np.zeros(n_out)
    def forward(self, x):
        self.x = x
        return x @ self.W + self.b
    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T

class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask
    def backward(self, grad):
        return grad * self.mask

class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        s = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(s); p /= p.sum(axis=1, keepdims=True)
        self.p, self.y = p, y
        return -np.log(p[np.arange(len(y)), y]).mean()
    def backward(self):
        N = len(self.y)
        d = self.p.copy(); d[np.arange(N), self.y] -= 1
        return d / N

class Net:
    def __init__(self, D, H, C):
        self.layers = [Linear(D, H), ReLU(), Linear(H, C)]
        self.loss_fn = SoftmaxCrossEntropy()
    def forward(self, X):
        for l in self.layers:
            X = l.forward(X)
        return X
    def backward(self, dout):
        for l in reversed(self.layers):
            dout = l.backward(dout)
        return dout
'''

#: the seed question's network as a functional script (forward(X, params), backward(X, y,
#: params, cache) -> grads); checkable with :data:`ADAPTER_FUNCTIONAL` appended.
LEARNER_FUNCTIONAL = '''import numpy as np

def init_params(D, H, C):
    return {"W1": 0.01*np.random.randn(D, H), "b1": np.zeros(H),
            "W2": 0.01*np.random.randn(H, C), "b2": np.zeros(C)}

def forward(X, params):
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.maximum(0, z1)
    scores = a1 @ params["W2"] + params["b2"]
    s = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(s); p /= p.sum(axis=1, keepdims=True)
    return p, {"z1": z1, "a1": a1, "p": p}

def backward(X, y, params, cache):
    N = X.shape[0]
    d = cache["p"].copy(); d[np.arange(N), y] -= 1; d /= N
    grads = {"W2": cache["a1"].T @ d, "b2": d.sum(0)}
    da1 = d @ params["W2"].T
    dz1 = da1 * (cache["z1"] > 0)
    grads["W1"] = X.T @ dz1
    grads["b1"] = dz1.sum(0)
    return grads
'''

#: the model classes numpynn's docs give (docs/gradcheck.md, "Networks in other styles"):
#: CS231n's interface around :data:`LEARNER_CLASSES` and :data:`LEARNER_FUNCTIONAL`.
ADAPTER_CLASSES = '''

class CheckedNet:  # numpynn gradcheck: CS231n's model interface around the layer classes
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0):
        self.reg = reg
        self.net = Net(input_dim, hidden_dim, num_classes)
        first, last = self.net.layers[0], self.net.layers[-1]
        first.W = weight_scale * np.random.randn(input_dim, hidden_dim)
        last.W = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params = {"W1": first.W, "b1": first.b, "W2": last.W, "b2": last.b}

    def loss(self, X, y=None):
        first, last = self.net.layers[0], self.net.layers[-1]
        first.W, first.b = self.params["W1"], self.params["b1"]
        last.W, last.b = self.params["W2"], self.params["b2"]
        scores = self.net.forward(X)
        if y is None:
            return scores
        loss = self.net.loss_fn.forward(scores, y)
        loss += 0.5 * self.reg * (np.sum(first.W ** 2) + np.sum(last.W ** 2))
        self.net.backward(self.net.loss_fn.backward())
        return loss, {"W1": first.dW + self.reg * first.W, "b1": first.db,
                      "W2": last.dW + self.reg * last.W, "b2": last.db}
'''
ADAPTER_FUNCTIONAL = '''

class CheckedNet:  # numpynn gradcheck: CS231n's model interface around forward/backward
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0):
        self.reg = reg
        self.params = {"W1": weight_scale * np.random.randn(input_dim, hidden_dim),
                       "b1": np.zeros(hidden_dim),
                       "W2": weight_scale * np.random.randn(hidden_dim, num_classes),
                       "b2": np.zeros(num_classes)}

    def loss(self, X, y=None):
        probs, cache = forward(X, self.params)
        if y is None:
            return np.log(probs)  # scores whose softmax is probs
        N, W1, W2 = X.shape[0], self.params["W1"], self.params["W2"]
        loss = -np.mean(np.log(probs[np.arange(N), y]))
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = dict(backward(X, y, self.params, cache))
        grads["W1"] = grads["W1"] + self.reg * W1
        grads["W2"] = grads["W2"] + self.reg * W2
        return loss, grads
'''

#: The learners' files the eighth round's cases edit, by the name its tables use.
EIGHTH_ROUND_FILES: dict[str, str] = {
    "ng": LEARNER_NG, "ng2": LEARNER_NG2, "nielsen": LEARNER_NIELSEN,
    "nielsen2": LEARNER_NIELSEN2, "classes": LEARNER_CLASSES + ADAPTER_CLASSES,
    "functional": LEARNER_FUNCTIONAL + ADAPTER_FUNCTIONAL,
}

#: name -> (a key of :data:`EIGHTH_ROUND_FILES`, replacements): the eighth round's correct
#: files (other styles than CS231n's), each must pass.
EIGHTH_ROUND_CORRECT: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "deeplearning.ai's L-layer network": ("ng", ()),
    "deeplearning.ai's two-layer network": ("ng2", ()),
    "Nielsen's network.py": ("nielsen", ()),
    "Nielsen's network2.py (cross-entropy)": ("nielsen2", ()),
    "Nielsen's network2.py (quadratic cost)": ("nielsen2", (("cost=CrossEntropyCost",
                                                             "cost=QuadraticCost"),)),
    "layer classes with the docs' adapter": ("classes", ()),
    "functional script with the docs' adapter": ("functional", ()),
    "functional script with the seed question's eq. 1 (N x 1 factors that cancel)": (
        "functional", (("d = cache[\"p\"].copy(); d[np.arange(N), y] -= 1; d /= N",
                        "p = cache[\"p\"]\n    da2 = -p\n    da2[np.arange(N), y] += 1\n"
                        "    da2 *= (p[np.arange(N), y])[:, None]\n"
                        "    d = -(1 / p[np.arange(N), y])[:, None] * da2 / N"),)),
}

#: name -> (a key of :data:`EIGHTH_ROUND_FILES`, replacements, the kind its FAIL names):
#: the classic bugs written in the eighth round's styles.
EIGHTH_ROUND_MUTATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...], str | None]] = {
    "deeplearning.ai linear_backward without 1/m": (
        "ng", (("dW = 1/m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)"),
               ("db = 1/m * np.sum(dZ", "db = np.sum(dZ")), "factor N"),
    "deeplearning.ai dAL with its sign flipped": (
        "ng", (("dAL = - (np.divide", "dAL = (np.divide"),), "negation"),
    "deeplearning.ai relu_backward without its mask": (
        "ng", (("    dZ[Z <= 0] = 0", "    pass"),), "mask"),
    "deeplearning.ai linear_backward's dW transposed": (
        "ng", (("dW = 1/m * np.dot(dZ, A_prev.T)", "dW = 1/m * np.dot(A_prev, dZ.T)"),), None),
    "deeplearning.ai two-layer dW1 without 1/m": (
        "ng2", (("dW1 = (1 / m) * np.dot(dZ1, X.T)", "dW1 = np.dot(dZ1, X.T)"),), "factor N"),
    "deeplearning.ai two-layer without tanh's derivative": (
        "ng2", ((" * (1 - np.power(A1, 2))", ""),), None),
    "Nielsen sigmoid_prime with 1 + sigmoid": (
        "nielsen", (("return sigmoid(z)*(1-sigmoid(z))", "return sigmoid(z)*(1+sigmoid(z))"),),
        None),
    "Nielsen cost_derivative y - a": (
        "nielsen", (("return (output_activations-y)", "return (y-output_activations)"),),
        "negation"),
    "Nielsen nabla_w transposed": (
        "nielsen", (("nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())",
                     "nabla_w[-l] = np.dot(activations[-l-1], delta.transpose())"),), None),
    "Nielsen network2 cross-entropy delta with sigmoid_prime": (
        "nielsen2", (("        return (a-y)\n", "        return (a-y) * sigmoid_prime(z)\n"),),
        None),
    "layer classes: softmax backward not divided by N": (
        "classes", (("        return d / N", "        return d"),), "factor N"),
    "layer classes: ReLU backward without its mask": (
        "classes", (("return grad * self.mask", "return grad"),), "mask"),
    "layer classes: Linear's dW transposed": (
        "classes", (("self.dW = self.x.T @ grad", "self.dW = grad.T @ self.x"),), None),
    "functional: dscores not divided by N": (
        "functional", (("d[np.arange(N), y] -= 1; d /= N", "d[np.arange(N), y] -= 1"),),
        "factor N"),
    "functional: ReLU mask left out": (
        "functional", (("dz1 = da1 * (cache[\"z1\"] > 0)", "dz1 = da1"),), "mask"),
    "functional: dscores N x 1 (the correct class's column only)": (
        "functional", (("d = cache[\"p\"].copy(); d[np.arange(N), y] -= 1; d /= N",
                        "d = (cache[\"p\"][np.arange(N), y] - 1)[:, None] / N"),), None),
}


#: Assignment 2's spatial batch norm on the layers file's batch norm (the course's
#: transpose to (N*H*W, C) and back, in both passes).
LEARNER_SPATIAL_BN = LEARNER_LAYERS + """
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = batchnorm_forward(x.transpose(0, 2, 3, 1).reshape(-1, C), gamma, beta,
                                   bn_param)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2), cache

def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta
"""

#: Assignment 3's temporal_softmax_loss as the course's reference writes it (/ N only).
LEARNER_TEMPORAL_LOSS = """import numpy as np

def temporal_softmax_loss(x, y, mask, verbose=False):
    N, T, V = x.shape
    x_flat, y_flat, mask_flat = x.reshape(N * T, V), y.reshape(N * T), mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
    dx_flat = probs.copy()
    dx_flat[np.arange(N * T), y_flat] -= 1
    dx_flat /= N
    dx_flat *= mask_flat[:, None]
    return loss, dx_flat.reshape(N, T, V)
"""

#: The 2019+ FullyConnectedNet (dropout_keep_ratio) that keeps no self.dropout_param: it
#: builds the dict dropout_forward takes inside loss, from its own self.keep.
LEARNER_FC_KEEP = LEARNER_LAYERS + LEARNER_AFFINE + """
class FullyConnectedNet(object):
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10,
                 dropout_keep_ratio=1, reg=0.0,
                 weight_scale=1e-2, dtype=np.float32, seed=None):
        self.use_dropout = dropout_keep_ratio != 1
        self.keep, self.seed = dropout_keep_ratio, seed
        self.reg, self.L, self.params = reg, 1 + len(hidden_dims), {}
        dims = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(self.L):
            self.params["W%d" % (i + 1)] = (weight_scale * np.random.randn(
                dims[i], dims[i + 1])).astype(dtype)
            self.params["b%d" % (i + 1)] = np.zeros(dims[i + 1], dtype=dtype)

    def loss(self, X, y=None):
        mode = "test" if y is None else "train"
        dp = {"mode": mode, "p": self.keep}
        if self.seed is not None:
            dp["seed"] = self.seed
        h, caches = X, []
        for i in range(1, self.L):
            a, ca = affine_forward(h, self.params["W%d" % i], self.params["b%d" % i])
            h = np.maximum(a, 0)
            cd = None
            if self.use_dropout:
                h, cd = dropout_forward(h, dp)
            caches.append((ca, a, cd))
        scores, cl = affine_forward(h, self.params["W%d" % self.L],
                                    self.params["b%d" % self.L])
        if y is None:
            return scores
        loss, d = softmax_loss(scores, y)
        grads = {}
        for i in range(1, self.L + 1):
            loss += 0.5 * self.reg * np.sum(self.params["W%d" % i] ** 2)
        d, grads["W%d" % self.L], grads["b%d" % self.L] = affine_backward(d, cl)
        for i in range(self.L - 1, 0, -1):
            ca, a, cd = caches[i - 1]
            if self.use_dropout:
                d = dropout_backward(d, cd)
            d, grads["W%d" % i], grads["b%d" % i] = affine_backward(d * (a > 0), ca)
        for i in range(1, self.L + 1):
            grads["W%d" % i] += self.reg * self.params["W%d" % i]
        return loss, grads
"""

#: The learners' files the tenth round's cases edit, by the name its tables use.
TENTH_ROUND_FILES: dict[str, str] = {
    "spatial bn": LEARNER_SPATIAL_BN, "temporal loss": LEARNER_TEMPORAL_LOSS,
    "fc keep": LEARNER_FC_KEEP, "a1 net": LEARNER_A1_NET,
}

_A1_DSCORES = ("dscores = probs.copy()\n        dscores[np.arange(N), y] -= 1\n"
               "        dscores /= N\n")

#: name -> (a key of :data:`TENTH_ROUND_FILES`, replacements): the tenth round's correct
#: files, each must pass.
TENTH_ROUND_CORRECT: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "spatial batch norm (transposed to (N*H*W, C) and back)": ("spatial bn", ()),
    "temporal_softmax_loss divided by N (the course's)": ("temporal loss", ()),
    "FullyConnectedNet building dropout's dict in loss from dropout_keep_ratio": (
        "fc keep", ()),
    "TwoLayerNet's loss through np.choose(y, probs.T)": (
        "a1 net", (("np.log(probs[np.arange(N), y])", "np.log(np.choose(y, probs.T))"),)),
    "TwoLayerNet indexing dscores with y and range(N) as columns": (
        "a1 net", (("dscores[np.arange(N), y] -= 1",
                    "dscores[np.arange(N)[:, None], y[:, None]] -= 1"),)),
}

#: name -> (a key of :data:`TENTH_ROUND_FILES`, replacements, the kind its FAIL names):
#: the tenth round's bugs, passed or failed without a kind before it.
TENTH_ROUND_MUTATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...], str | None]] = {
    "spatial_batchnorm_backward reshaping dout without the transpose": (
        "spatial bn", (("batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)",
                        "batchnorm_backward(dout.reshape(-1, C), cache)"),), "layout"),
    "spatial_batchnorm_backward reshaping dx back without the transpose": (
        "spatial bn", (("return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma",
                        "return dx.reshape(N, C, H, W), dgamma"),), "layout"),
    "temporal_softmax_loss dividing by N * T in the loss and dx alike": (
        "temporal loss", ((") / N\n", ") / (N * T)\n"),
                          ("dx_flat /= N", "dx_flat /= N * T")), "loss value"),
    "temporal_softmax_loss as np.mean over every time step, dx / (N * T)": (
        "temporal loss", (("-np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N",
                           "-np.mean(mask_flat * np.log(probs[np.arange(N * T), y_flat]))"),
                          ("dx_flat /= N", "dx_flat /= N * T")), "loss value"),
    "FullyConnectedNet (no dropout_param) passing 1 - dropout_keep_ratio as p": (
        "fc keep", (('dp = {"mode": mode, "p": self.keep}',
                     'dp = {"mode": mode, "p": 1 - self.keep}'),), "forward"),
    "TwoLayerNet's dscores N x 1 (probs[range(N), y] - 1 broadcast over the classes)": (
        "a1 net", ((_A1_DSCORES, "dscores = (probs[np.arange(N), y] - 1)[:, None] / N "
                                 "* np.ones_like(probs)\n"),), "N x C"),
    "TwoLayerNet's dscores from the seed question's eq. 1 (((1 / a2) * mask) * da2 / N)": (
        "a1 net", ((_A1_DSCORES, "da2 = -probs.copy()\n        da2[np.arange(N), y] += 1\n"
                                 "        da2 *= (probs[np.arange(N), y])[:, None]\n"
                                 "        mask = np.zeros(probs.shape)\n"
                                 "        mask[np.arange(N), y] = 1\n"
                                 "        dscores = -((1 / probs) * mask) * da2 / N\n"),),
        "N x C"),
    "TwoLayerNet's dscores with its correct classes' entries alone": (
        "a1 net", ((_A1_DSCORES, "dscores = np.zeros_like(probs)\n"
                                 "        dscores[np.arange(N), y] = (probs[np.arange(N), y]"
                                 " - 1) / N\n"),), "N x C"),
    "TwoLayerNet subtracting 1 at rows numbered by the labels (dscores[y] -= 1)": (
        "a1 net", (("dscores[np.arange(N), y] -= 1", "dscores[y] -= 1"),), "correct class"),
    "TwoLayerNet returning its gradients as a tuple": (
        "a1 net", (("        return loss, grads\n",
                    "        return loss, (grads['W1'], grads['b1'], grads['W2'], "
                    "grads['b2'])\n"),), None),
}


# ---------------------------------------------------------- the eleventh learner round
_A2_DSCORES = "dscores = probs.copy()\n        dscores[np.arange(N), y] -= 1\n"

#: The learners' files the eleventh round's cases edit, by the name its tables use.
ELEVENTH_ROUND_FILES: dict[str, str] = {"a2 net": LEARNER_A2_NET, "layers": LEARNER_LAYERS}

#: name -> (a key of :data:`ELEVENTH_ROUND_FILES`, replacements): the eleventh round's
#: correct files, each must pass.
ELEVENTH_ROUND_CORRECT: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "TwoLayerNet with PyTorch's layout (W of shape (out, in), x @ W.T)": ("a2 net", (
        ("weight_scale * np.random.randn(input_dim, hidden_dim)",
         "weight_scale * np.random.randn(hidden_dim, input_dim)"),
        ("weight_scale * np.random.randn(hidden_dim, num_classes)",
         "weight_scale * np.random.randn(num_classes, hidden_dim)"),
        ("X.reshape(N, -1).dot(W1)", "X.reshape(N, -1).dot(W1.T)"),
        ("h1.dot(W2) + b2", "h1.dot(W2.T) + b2"), ("h1.T.dot(dscores)", "dscores.T.dot(h1)"),
        ("dscores.dot(W2.T)", "dscores.dot(W2)"),
        ("X.reshape(N, -1).T.dot(dh1)", "dh1.T.dot(X.reshape(N, -1))"))),
    "TwoLayerNet's ReLU backward masked by its output (h1 > 0)": (
        "a2 net", (("dh1[z1 <= 0] = 0", "dh1[h1 <= 0] = 0"),)),
    "TwoLayerNet's one-hot sized from the scores (np.eye(C)[y])": (
        "a2 net", ((_A2_DSCORES, "dscores = probs - np.eye(scores.shape[1])[y]\n"),)),
    "relu_backward editing the dout it is given (dx = dout; dx[x <= 0] = 0)": (
        "layers", (("def relu_backward(dout, x):\n    return dout * (x > 0)",
                    "def relu_backward(dout, x):\n    dx = dout\n    dx[x <= 0] = 0\n"
                    "    return dx"),)),
}

#: name -> (a key of :data:`ELEVENTH_ROUND_FILES`, replacements, the kind its FAIL names):
#: the eleventh round's bugs, named wrongly, not named or passed before it.
ELEVENTH_ROUND_MUTATIONS: dict[str, tuple[str, tuple[tuple[str, str], ...], str | None]] = {
    "TwoLayerNet dividing dscores by N with Python 2's integer division (* (1 // N))": (
        "a2 net", (("dscores /= N", "dscores *= 1 // N"),), "factor 0"),
    "softmax_loss returning dx * (1 // N)": (
        "layers", (("return loss, dx / N", "return loss, dx * (1 // N)"),), "factor 0"),
    "TwoLayerNet clipping its gradients inside loss (np.clip(grads[k], -0.01, 0.01))": (
        "a2 net", (('        grads["b1"] = np.sum(dh1, axis=0)\n',
                    '        grads["b1"] = np.sum(dh1, axis=0)\n        for k in grads:\n'
                    '            grads[k] = np.clip(grads[k], -0.01, 0.01)\n'),), "clipped"),
    "TwoLayerNet's one-hot np.eye(y.max() + 1)[y] (a batch missing the top class)": (
        "a2 net", ((_A2_DSCORES, "dscores = probs - np.eye(y.max() + 1)[y]\n"),), "one-hot"),
    "TwoLayerNet's one-hot with len(np.unique(y)) columns": (
        "a2 net", ((_A2_DSCORES, "Y = np.zeros((N, len(np.unique(y))))\n"
                                 "        Y[np.arange(N), y] = 1\n"
                                 "        dscores = probs - Y\n"),), "one-hot"),
    "softmax_loss's one-hot np.eye(y.max() + 1)[y]": (
        "layers", (("dx = probs.copy()\n    dx[np.arange(N), y] -= 1",
                    "dx = probs - np.eye(y.max() + 1)[y]"),), "one-hot"),
    "TwoLayerNet's grads key 'w1' for the parameter 'W1'": (
        "a2 net", (('grads["W1"] =', 'grads["w1"] ='),), None),
}


def _module_from(text: str, name: str, folder: str | None = None) -> ModuleType:
    """The learner's file ``text`` as a module, imported from ``name.py`` in ``folder`` (kept
    there: what reads the learner's source, such as the steps of a layer of the learner's
    own naming, reads it as from a learner's file), or in a temporary folder removed after
    the import, as ``gradcheck --file`` imports a learner's file (no ``exec`` of strings
    in numpynn)."""
    import importlib.util
    from pathlib import Path

    added = python2_shims()  # LEARNER_LINEAR's "from past.builtins import xrange"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(folder or tmp) / f"{name}.py"
            path.write_text(text, encoding="utf-8")
            spec = importlib.util.spec_from_file_location(f"numpynn_corpus_{name}", path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
    finally:  # the stand-ins only while the file is imported
        for key in added:
            sys.modules.pop(key, None)
    return module


def file_cases(seed: int = 0) -> list[Case]:
    """The learner's layers file (:data:`LEARNER_LAYERS`) through ``check_module``
    (gradients, numpynn's reference, forward and test mode), correct and with each of
    :data:`FILE_MUTATIONS` (bugs only the forward and test-mode checks can see)."""

    def run(text: str) -> Callable[[], Any]:
        def checked() -> Any:
            # what a learner's code prints (a correct case prints) stays out of the table
            with contextlib.redirect_stdout(io.StringIO()), \
                    tempfile.TemporaryDirectory() as folder:  # the file, while it is checked
                return check_module(_module_from(text, "learner_layers", folder), seed=seed,
                                    timing=False)
        return checked

    cases = [Case("learner's layers file", "file", "correct", run(LEARNER_LAYERS)),
             # CS231n's starter code starts the running variance at zeros, numpynn at ones
             Case("learner's layers file, running_var started at 0", "file", "correct",
                  run(LEARNER_LAYERS.replace('bn_param.get("running_var", np.ones(',
                                             'bn_param.get("running_var", np.zeros(')))]
    for table, edits in (("FILE_CHOICES", FILE_CHOICES), ("FILE_VARIANTS", FILE_VARIANTS)):
        for name, (old, new) in edits.items():
            if old not in LEARNER_LAYERS:
                raise AssertionError(f"{table}[{name!r}] no longer applies")
            cases.append(Case(f"learner's layers file, {name}", "file", "correct",
                              run(LEARNER_LAYERS.replace(old, new))))
    for name, (old, new, kind) in FILE_MUTATIONS.items():
        if old not in LEARNER_LAYERS:
            raise AssertionError(f"FILE_MUTATIONS[{name!r}] no longer applies")
        cases.append(Case(name, "file", "bug", run(LEARNER_LAYERS.replace(old, new)), 1.0,
                          kind))
    cases.append(Case("learner's model file", "file", "correct", run(LEARNER_MODEL)))
    for name, (old, new, kind) in MODEL_MUTATIONS.items():
        if old not in LEARNER_MODEL:
            raise AssertionError(f"MODEL_MUTATIONS[{name!r}] no longer applies")
        cases.append(Case(name, "file", "bug", run(LEARNER_MODEL.replace(old, new)), 1.0,
                          kind))
    cases.append(Case("learner's assignment-1 net", "file", "correct", run(LEARNER_A1_NET)))
    for name, (old, new, kind) in A1_NET_MUTATIONS.items():
        if old not in LEARNER_A1_NET:
            raise AssertionError(f"A1_NET_MUTATIONS[{name!r}] no longer applies")
        cases.append(Case(name, "file", "bug", run(LEARNER_A1_NET.replace(old, new)), 1.0,
                          kind))
    for name, (pairs, kind) in A1_NET_LOSS_MUTATIONS.items():
        cases.append(Case(name, "file", "bug", run(_optim_text(pairs, LEARNER_A1_NET)), 1.0,
                          kind))
    for name, (pairs, _) in A1_NET_RAISING.items():
        cases.append(Case(name, "file", "bug", run(_optim_text(pairs, LEARNER_A1_NET)), 1.0))
    for name, pairs in A1_NET_CHOICES.items():
        cases.append(Case(f"learner's assignment-1 net, {name}", "file", "correct",
                          run(_optim_text(pairs, LEARNER_A1_NET))))
    for name, (old, new, kind) in MODEL_LOSS_MUTATIONS.items():
        if old not in LEARNER_MODEL:
            raise AssertionError(f"MODEL_LOSS_MUTATIONS[{name!r}] no longer applies")
        cases.append(Case(name, "file", "bug", run(LEARNER_MODEL.replace(old, new)), 1.0,
                          kind))
    # assignment 1's penalty reg * sum(W^2), gradient 2 reg W, in assignment 2's net
    cases.append(Case("learner's model file, penalty reg * sum(W^2) with gradient 2 reg W",
                      "file", "correct", run(_optim_text((
                          ('loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)',
                           'loss += self.reg * np.sum(self.params[f"W{i}"] ** 2)'),
                          ('grads[f"W{i}"] += self.reg * self.params[f"W{i}"]',
                           'grads[f"W{i}"] += 2 * self.reg * self.params[f"W{i}"]')),
                          LEARNER_MODEL))))
    cases.append(Case("learner's solver", "file", "correct", run(LEARNER_SOLVER)))
    for name, (old, new, kind) in SOLVER_MUTATIONS.items():
        if old not in LEARNER_SOLVER:
            raise AssertionError(f"SOLVER_MUTATIONS[{name!r}] no longer applies")
        cases.append(Case(name, "file", "bug", run(LEARNER_SOLVER.replace(old, new)), 1.0,
                          kind))
    cases.append(Case("learner's CNN file", "file", "correct", run(LEARNER_CNN)))
    for name, (pairs, kind) in {**CNN_MUTATIONS, **CNN_BACKWARD_MUTATIONS}.items():
        cases.append(Case(name, "file", "bug", run(_optim_text(pairs, LEARNER_CNN)), 1.0,
                          kind))
    cases.append(Case("learner's ThreeLayerConvNet", "file", "correct",
                      run(LEARNER_CONVNET)))
    for name, (old, new, kind) in CONVNET_MUTATIONS.items():
        if old not in LEARNER_CONVNET:
            raise AssertionError(f"CONVNET_MUTATIONS[{name!r}] no longer applies")
        cases.append(Case(name, "file", "bug", run(LEARNER_CONVNET.replace(old, new)), 1.0,
                          kind))
    cases.append(Case("learner's linear classifiers", "file", "correct",
                      run(LEARNER_LINEAR)))
    for name, (old, new, kind) in LINEAR_MUTATIONS.items():
        if old not in LEARNER_LINEAR:
            raise AssertionError(f"LINEAR_MUTATIONS[{name!r}] no longer applies")
        cases.append(Case(name, "file", "bug", run(LEARNER_LINEAR.replace(old, new)), 1.0,
                          kind))
    cases.append(Case("learner's optim file", "file", "correct", run(LEARNER_OPTIM)))
    # epsilon inside the square root, as some libraries write it: as right
    cases.append(Case("learner's optim file, epsilon inside the square root", "file",
                      "correct", run(_optim_text((
                          ('dw / (np.sqrt(config["cache"]) + config["epsilon"])',
                           'dw / np.sqrt(config["cache"] + config["epsilon"])'),
                          ('mt / (np.sqrt(vt) + config["epsilon"])',
                           'mt / np.sqrt(vt + config["epsilon"])'))))))
    for name, (pairs, kind) in OPTIM_MUTATIONS.items():
        cases.append(Case(name, "file", "bug", run(_optim_text(pairs)), 1.0, kind))
    for name, (base, pairs) in SIXTH_ROUND_CORRECT.items():
        cases.append(Case(f"learner's {name}", "file", "correct",
                          run(_replaced(SIXTH_ROUND_FILES[base], pairs))))
    for name, (base, pairs, kind) in SIXTH_ROUND_MUTATIONS.items():
        cases.append(Case(name, "file", "bug", run(_replaced(SIXTH_ROUND_FILES[base], pairs)),
                          1.0, kind))
    for name, (base, pairs) in SEVENTH_ROUND_CORRECT.items():
        cases.append(Case(f"learner's {name}", "file", "correct",
                          run(_replaced(SEVENTH_ROUND_FILES[base], pairs))))
    for name, (base, pairs, kind) in SEVENTH_ROUND_MUTATIONS.items():
        cases.append(Case(name, "file", "bug", run(_replaced(SEVENTH_ROUND_FILES[base], pairs)),
                          1.0, kind))
    for name, (base, pairs) in EIGHTH_ROUND_CORRECT.items():
        cases.append(Case(f"learner's {name}", "file", "correct",
                          run(_replaced(EIGHTH_ROUND_FILES[base], pairs))))
    for name, (base, pairs, kind) in EIGHTH_ROUND_MUTATIONS.items():
        cases.append(Case(name, "file", "bug", run(_replaced(EIGHTH_ROUND_FILES[base], pairs)),
                          1.0, kind))
    for name, (base, pairs) in TENTH_ROUND_CORRECT.items():
        cases.append(Case(f"learner's {name}", "file", "correct",
                          run(_replaced(TENTH_ROUND_FILES[base], pairs))))
    for name, (base, pairs, kind) in TENTH_ROUND_MUTATIONS.items():
        cases.append(Case(name, "file", "bug", run(_replaced(TENTH_ROUND_FILES[base], pairs)),
                          1.0, kind))
    for name, (base, pairs) in ELEVENTH_ROUND_CORRECT.items():
        cases.append(Case(f"learner's {name}", "file", "correct",
                          run(_replaced(ELEVENTH_ROUND_FILES[base], pairs))))
    for name, (base, pairs, kind) in ELEVENTH_ROUND_MUTATIONS.items():
        cases.append(Case(name, "file", "bug",
                          run(_replaced(ELEVENTH_ROUND_FILES[base], pairs)), 1.0, kind))
    return cases


def model_cases(seeds: int = 2, quick: bool = False, smoke: bool = False) -> list[Case]:
    """Whole models: numpynn's nets and the learner's net (correct) on every problem;
    the learner's net with each mutation at each of :data:`SCALES` on CS231n's
    assignment-1 net and on the seed-0, reg-0.1 random MLPs of depth 1 and 2.
    quick: the smaller random grid (:func:`random_mlp_problems`), mutations of the random
    MLPs at weight scale 1 only, strengths full and 1e-4 only. smoke: one case of every
    mutation (in full, on the assignment-1 net; missing_transpose, which needs a square
    W, on the [8, 8] MLP at weight scale 1) and the correct nets of those two problems."""
    cases = []
    problems = [("cs231n", *p) for p in cs231n_problems()]
    problems += [("random MLP", *p) for p in random_mlp_problems(1 if quick else seeds,
                                                                 quick or smoke)]
    if smoke:
        problems = [p for p in problems if p[1].startswith("A1")
                    or p[1] == "MLP [8, 8] ws=1 reg=0.1 seed=0"]
    scales = (None,) if smoke else (None, 1e-4) if quick else SCALES
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
            if smoke and (mutation == "missing_transpose") == name.startswith("A1"):
                continue
            if mutation == "missing_transpose" and not any(
                    v.ndim == 2 and v.shape[0] == v.shape[1] for v in net.params.values()):
                continue
            for strength in scales:
                if mutation == "random_loss" and strength is not None:
                    continue  # a random loss has no size to scale
                bug = LearnerNet(net.params, net.reg, mutation, strength)
                size = bug.relative_size(X, y)
                if size == 0:
                    continue  # the mutation changes nothing here (e.g. no active unit)
                label = "full" if strength is None else f"{strength:g}"
                cases.append(Case(f"{mutation} ({label}) {name}", group, "bug",
                                  lambda m=bug, X=X, y=y: check_gradients(m, X, y), size,
                                  MUTATION_KINDS.get(mutation) if strength is None else None))
    return cases


def names_kind(report: Any, kind: str) -> bool:
    """Whether a FAIL's message names the bug kind ``kind`` ("likely bug: <kind>")."""
    return report.verdict == FAIL and f"likely bug: {kind}:" in report.to_table()


@dataclass
class CorpusResult:
    """Verdict counts per group and expectation, the cases that missed the target, and per
    group how many FAILs of bugs with a known kind (:data:`MUTATION_KINDS`,
    :data:`FILE_MUTATIONS`, the layer cases') name it."""

    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    misses: list[tuple[Case, Any]] = field(default_factory=list)
    inconclusive: list[tuple[Case, Any]] = field(default_factory=list)
    named: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # [named, of]
    unnamed: list[Case] = field(default_factory=list)

    def total(self, expect: str, verdict: str) -> int:
        return sum(c.get(verdict, 0) for (g, e), c in self.counts.items() if e == expect)

    def rate(self, expect: str, verdict: str) -> float:
        n = sum(sum(c.values()) for (g, e), c in self.counts.items() if e == expect)
        return self.total(expect, verdict) / max(n, 1)

    @property
    def named_kind_rate(self) -> float:
        """Of the FAILs whose bug has a known kind, the fraction whose message names it."""
        named = sum(v[0] for v in self.named.values())
        return named / max(sum(v[1] for v in self.named.values()), 1)

    def meets_target(self) -> bool:
        """0 FAIL on correct code, every bug of relative size >= 1e-4 a FAIL, and < 5%
        of correct cases inconclusive, over the whole corpus (no group set aside)."""
        return not self.misses and self.rate("correct", INCONCLUSIVE) < 0.05

    def to_table(self) -> str:
        head = (f"{'group':<14} {'code':<8} {'cases':>5} {'pass':>5} {'FAIL':>5} "
                f"{'inconcl.':>8} {'kind named':>10}")
        lines = [head, "-" * len(head)]
        for (group, expect), c in sorted(self.counts.items()):
            named = self.named.get((group, expect))
            kinds = f"{named[0]}/{named[1]}" if named else "-"
            lines.append(f"{group:<14} {expect:<8} {sum(c.values()):>5} {c.get(PASS, 0):>5} "
                         f"{c.get(FAIL, 0):>5} {c.get(INCONCLUSIVE, 0):>8} {kinds:>10}")
        lines.append("")
        lines.append(f"correct code: {self.total('correct', FAIL)} FAIL, "
                     f"{100 * self.rate('correct', INCONCLUSIVE):.1f}% inconclusive "
                     "(target 0 FAIL, < 5%)")
        lines.append(f"bugs of relative size >= 1e-4 not a FAIL: {len(self.misses)} (target 0)")
        n_named = sum(v[0] for v in self.named.values())
        n_kind = sum(v[1] for v in self.named.values())
        lines.append(f"named kind: {n_named} of {n_kind} FAILs of bugs with a known kind name "
                     f"it ({100 * self.named_kind_rate:.0f}%)")
        for case, report in self.misses:
            lines.append(f"  MISSED {case.name} (size {case.size:.1e}): {report.verdict}")
        for case in self.unnamed:
            lines.append(f"  kind not named: {case.name} (expected {case.kind})")
        for case, report in self.inconclusive:
            causes = ", ".join(f"{r.name}: {r.cause}" for r in getattr(report, "rows", [])
                               if r.cause)
            lines.append(f"  inconclusive: {case.name} ({causes})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_table()


def run_corpus(seeds: int = 2, seed: int = 0, quick: bool = False,
               smoke: bool = False) -> CorpusResult:
    """Run every case of the corpus (:func:`layer_cases`, :func:`file_cases`,
    :func:`model_cases`); see the module docstring for the targets. quick: the smaller
    corpus; smoke: one case of every mutation kind (the fast default test's)."""
    result = CorpusResult()
    state = np.random.get_state()
    try:
        cases = layer_cases(seed) + file_cases(seed) + model_cases(seeds, quick, smoke)
    finally:
        np.random.set_state(state)  # CS231n's seeding used the global stream
    for case in cases:
        report = case.run()
        key = (case.group, case.expect)
        counts = result.counts.setdefault(key, {})
        counts[report.verdict] = counts.get(report.verdict, 0) + 1
        if case.expect == "correct" and report.verdict == FAIL:
            result.misses.append((case, report))
        elif case.expect == "bug" and case.size >= 1e-4 and report.verdict != FAIL:
            result.misses.append((case, report))
        elif case.expect == "correct" and report.verdict == INCONCLUSIVE:
            result.inconclusive.append((case, report))
        if case.kind is not None and report.verdict == FAIL:
            tally = result.named.setdefault(key, [0, 0])
            tally[1] += 1
            if names_kind(report, case.kind):
                tally[0] += 1
            else:
                result.unnamed.append(case)
    return result
