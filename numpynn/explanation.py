"""Backprop shape by shape: every forward and backward tensor of a network, its shape, and
the equation that produces it.

``explain(model, X, y)`` runs one training-mode forward and backward pass of any
:class:`~numpynn.models.Network` on a batch and lists, in order, each tensor with a
CS231n-style name (``X``, ``h1 = affine(X)``, ``a1 = relu(h1)``, ..., ``scores``, ``P``,
``L``; then ``dscores``, ``dW2``, ``db2``, ``da1``, ``dh1``, ...), its shape in symbols
(N examples, D input features, H hidden units, C classes) and in numbers, the equation
that produces it and where it is derived: eqs. 1-4 of numpynn/docs/backprop.md for the
two-layer net, the sections of numpynn/docs/layers.md for the other layers. ``values=True``
keeps the numbers and checks every backward tensor against its centred-difference
gradient with gradcheck's three-valued rule (:func:`numpynn.gradcheck.checks.check_array`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InputError
from .gradcheck.checks import DEFAULT_TOL, FAIL, INCONCLUSIVE, PASS, check_array
from .layers.base import BACKPROP_DOC
from .models import Network
from .validation import check_features, check_nonnegative_float

#: Each backward tensor is checked as ``numpynn gradcheck`` checks an array
#: (:func:`numpynn.gradcheck.checks.check_array`): pass, FAIL (a confirmed mismatch, far beyond
#: the numerical gradient's own error) or inconclusive (a ReLU kink crossed, the rounding
#: floor: not evidence of a bug), with its cause. STEP is the first step h.
STEP = 1e-5

WHY_N_BY_C = (
    "Why dscores is N x C: L is one number and scores has N*C entries, so dL/dscores has "
    "the shape of scores, one row per example. The examples are independent: example k's "
    "loss l_k = -log P[k, y_k] does not depend on row i of the scores for k != i, so row "
    "i of dscores is (1/N) times the gradient of l_i with respect to its own C scores. "
    "Per example the softmax Jacobian dp/ds = diag(p) - p p^T is C x C and not diagonal "
    "(every probability depends on every score), so the element-wise rule "
    "delta = dC/da * sigma'(z) does not apply; contracting the Jacobian with "
    "dl/dp = -onehot(y) / p_y gives p - onehot(y). Stacking the N rows gives (P - Y) / N. "
    "An N x 1 array such as P[range(N), y] is a per-example factor, not a gradient."
)

BACKPROP = BACKPROP_DOC


@dataclass
class Step:
    """One tensor of the pass.

    phase: ``"forward"`` or ``"backward"``; name: CS231n-style name (``h1``, ``dW2``);
    shape: its shape in numbers; symbols: the same in symbols (``("N", "H")``);
    equation: how it is computed; ref: where that equation is derived (docs file and
    equation or section); note: a longer explanation (the loss gradient's N x C);
    value: the array (``values=True`` only); rel_error (CS231n's max relative error),
    abs_error (the worst entry's), verdict (pass, FAIL or inconclusive, as gradcheck
    decides), passed (verdict == pass) and check_note: the check of a backward tensor
    against its numerical gradient (``values=True`` only; else None).
    """

    phase: str
    name: str
    shape: tuple[int, ...]
    symbols: tuple[str, ...]
    equation: str
    ref: str = ""
    note: str = ""
    value: np.ndarray | None = field(default=None, repr=False)
    rel_error: float | None = None
    abs_error: float | None = None
    passed: bool | None = None
    verdict: str | None = None  # "pass", "FAIL" or "inconclusive" (values=True only)
    check_note: str = ""  # why it is not a pass and what to do (gradcheck's explanation)

    @property
    def shape_text(self) -> str:
        """``(N, H) = (4, 100)``; ``scalar`` for a 0-d tensor."""
        if not self.shape:
            return "scalar"
        sym = "(" + ", ".join(self.symbols) + ("," if len(self.symbols) == 1 else "") + ")"
        num = "(" + ", ".join(map(str, self.shape)) + ("," if len(self.shape) == 1 else "") + ")"
        return f"{sym} = {num}"


@dataclass
class Explanation:
    """The steps of :func:`explain`, in order (forward, then backward); prints as a table."""

    steps: list[Step]
    title: str = ""
    symbols: dict[str, int] = field(default_factory=dict)

    @property
    def forward(self) -> list[Step]:
        return [s for s in self.steps if s.phase == "forward"]

    @property
    def backward(self) -> list[Step]:
        return [s for s in self.steps if s.phase == "backward"]

    @property
    def checked(self) -> bool:
        """Whether the backward tensors were checked (``values=True``)."""
        return any(s.passed is not None for s in self.steps)

    @property
    def passed(self) -> bool | None:
        """All checked backward tensors pass (None when nothing was checked)."""
        if not self.checked:
            return None
        return all(s.passed for s in self.backward if s.passed is not None)

    @property
    def verdict(self) -> str | None:
        """FAIL if a checked tensor fails, else inconclusive if one is, else pass (None
        when nothing was checked): gradcheck's three-valued verdict."""
        if not self.checked:
            return None
        verdicts = {s.verdict for s in self.backward if s.verdict is not None}
        return FAIL if FAIL in verdicts else INCONCLUSIVE if INCONCLUSIVE in verdicts else PASS

    def __getitem__(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_table(self) -> str:
        """Fixed-width text: one row per tensor; values and checks when kept."""
        checked = self.checked
        head = ["tensor", "shape", "equation", "ref"] + (["rel err", "abs err", "check"]
                                                         if checked else [])
        blocks: list[str] = []
        if self.title:
            blocks.append(self.title)
        if self.symbols:
            blocks.append("symbols: " + ", ".join(f"{k} = {v}" for k, v in self.symbols.items()))
        for phase in ("forward", "backward"):
            steps = [s for s in self.steps if s.phase == phase]
            rows = []
            for s in steps:
                row = [s.name, s.shape_text, s.equation, s.ref]
                if checked:
                    row += (["", "", ""] if s.verdict is None else
                            [f"{s.rel_error:.1e}", f"{s.abs_error:.1e}", s.verdict])
                rows.append(row)
            widths = [max(len(r[c]) for r in [head] + rows) for c in range(len(head))]
            fmt = "  ".join(f"{{:<{w}}}" for w in widths)
            lines = [f"{phase.upper()}", fmt.format(*head).rstrip(),
                     "  ".join("-" * w for w in widths)]
            for s, r in zip(steps, rows):
                lines.append(fmt.format(*r).rstrip())
                if s.value is not None:
                    lines.append(_indent(_format_array(s.value)))
            blocks.append("\n".join(lines))
        notes = [textwrap.fill(f"{s.name}: {s.note}", 92, subsequent_indent="  ")
                 for s in self.steps if s.note]
        if notes:
            blocks.append("\n".join(notes))
        if checked:
            n_fail = sum(1 for s in self.backward if s.verdict == FAIL)
            n_unsure = sum(1 for s in self.backward if s.verdict == INCONCLUSIVE)
            n = sum(1 for s in self.backward if s.verdict is not None)
            outcome = [f"{n_fail} FAIL"] if n_fail else []
            outcome += [f"{n_unsure} inconclusive (not evidence of a bug)"] if n_unsure else []
            blocks.append(textwrap.fill(
                f"checked {n} backward tensors against centred differences as numpynn "
                f"gradcheck does (float64, h = {STEP:g} and {STEP / 2:g}, extrapolated, "
                f"tolerance {DEFAULT_TOL:g}, three verdicts): "
                + (", ".join(outcome) if outcome else "all pass"), 92))
            notes = [textwrap.fill(s.check_note, 92, subsequent_indent="  ")
                     for s in self.backward if s.check_note]
            if notes:
                blocks.append("\n".join(notes))
        return "\n\n".join(blocks)

    def __str__(self) -> str:
        return self.to_table()


def _format_array(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), precision=4, suppress_small=True, threshold=40,
                           edgeitems=3, max_line_width=96)


def _indent(text: str, pad: str = "      ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


# ------------------------------------------------------------------------------ naming
def _names(model: Network) -> list[str]:
    """The name of every layer's output: ``h1``, ``a1``, ``bn1``, ... and ``scores``."""
    names, taken, block = [], {"X", "scores", "P", "L"}, 0
    last = len(model.layers) - 1
    for i, layer in enumerate(model.layers):
        block += bool(layer.starts_block)
        if i == last:
            names.append("scores")
            continue
        prefix = layer.symbol or ("a" if layer.init_scheme is not None else layer.name)
        name, k = f"{prefix}{block}", 2
        while name in taken:
            name, k = f"{prefix}{block}_{k}", k + 1
        taken.add(name)
        names.append(name)
    return names


def _symbols(model: Network) -> list[str]:
    """The width symbol of X and of every layer's output: D, H (or H1, H2, ...), C."""
    n_affine = sum(bool(layer.starts_block) for layer in model.layers)
    hidden = n_affine - 1
    syms, block, seen_affine = ["D"], 0, 0
    for i, layer in enumerate(model.layers):
        d_in, d_out = model.dims[i], model.dims[i + 1]
        if layer.starts_block:
            block += 1
            seen_affine += 1
            syms.append("C" if seen_affine == n_affine else ("H" if hidden == 1 else f"H{block}"))
        elif d_out == d_in:
            syms.append(syms[-1])
        else:
            syms.append(f"M{i + 1}")
    syms[-1] = "C"
    return syms


# ---------------------------------------------------------------------------- explain
def explain(model: Network, X: np.ndarray, y: np.ndarray, values: bool = False,
            reg: float | None = None) -> Explanation:
    """Every forward and backward tensor of one training step of ``model`` on (X, y).

    model: any :class:`~numpynn.models.Network` (not modified: the pass runs on a
    float64 copy, so batch norm's running statistics and the dropout generator of
    ``model`` are untouched); X: (N, D); y: (N,) labels; reg: L2 strength (None: the
    model's). values: keep each tensor's numbers and check every backward tensor
    against its numerical gradient (centred differences in float64: cost grows with the
    number of parameters, so use a tiny batch and a small network).

    Returns an :class:`Explanation`; ``print(explanation)`` shows the table.
    """
    if not isinstance(model, Network):
        raise InputError(f"explain needs a numpynn Network (MLP, TwoLayerNet or Network); "
                         f"got {type(model).__name__}.")
    net = model.astype(np.float64)
    X = check_features(X, net.input_dim, net.dtype)
    y = net.loss_fn.check_targets(y, X.shape[0], net.num_outputs)
    reg = net.reg if reg is None else check_nonnegative_float(reg, "reg")
    names, syms = _names(net), _symbols(net)
    in_names = ["X"] + names[:-1]
    decay = set(net.decay_keys)
    N = X.shape[0]
    symbols = {"N": N}
    for s, d in zip(syms, net.dims):
        symbols.setdefault(s, d)

    # one recorded training-mode pass: each layer's input, output, cache and the state of
    # the generator before it (so a numerical gradient replays the same dropout masks)
    params = net.params
    buffers0 = {k: v.copy() for k, v in net.buffers.items()}
    rng_states: list[dict[str, Any]] = []
    outs: list[np.ndarray] = []
    caches: list[Any] = []
    h = X
    for i, layer in enumerate(net.layers):
        rng_states.append(net.rng.bit_generator.state)
        h, cache = layer.forward(h, net._local(i, params), _copy(net._local(i, buffers0)),
                                 True, net.rng)
        outs.append(h)
        caches.append(cache)
    scores = outs[-1]
    data_loss, dscores = net.loss_fn(scores, y)
    reg_loss = 0.5 * reg * sum(float(np.sum(params[k] ** 2)) for k in decay)

    def loss_from(j: int, h_in: np.ndarray) -> float:
        """The loss, running layers j.. on h_in with the recorded masks and statistics."""
        rng = np.random.default_rng()
        for i in range(j, len(net.layers)):
            rng.bit_generator.state = rng_states[i]
            h_in, _ = net.layers[i].forward(h_in, net._local(i, params),
                                            _copy(net._local(i, buffers0)), True, rng)
        r = 0.5 * reg * sum(float(np.sum(params[k] ** 2)) for k in decay)
        return float(net.loss_fn(h_in, y)[0]) + r

    def shape_syms(arr: np.ndarray, width: str) -> tuple[str, ...]:
        return ("N", width)[: arr.ndim] if arr.ndim == 2 else ("N",)

    steps: list[Step] = [Step("forward", "X", X.shape, ("N", "D"), "input batch",
                              value=X.copy() if values else None)]
    for i, layer in enumerate(net.layers):
        eq, ref = layer.forward_equation(names[i], in_names[i], net.keys[i])
        steps.append(Step("forward", names[i], outs[i].shape, shape_syms(outs[i], syms[i + 1]),
                          eq, ref, value=outs[i].copy() if values else None))
    softmax = net.loss_fn.name == "softmax"
    if softmax:
        P = np.exp(scores - scores.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        steps.append(Step("forward", "P", P.shape, ("N", "C"),
                          "P = softmax(scores), row by row", f"{BACKPROP} notation",
                          value=P if values else None))
        loss_eq = "L = -(1/N) Σ_i log P[i, y_i] + (reg/2) Σ_W |W|²"
    else:
        loss_eq = f"L = {net.loss_fn.name} loss of scores + (reg/2) Σ_W |W|²"
    steps.append(Step("forward", "L", (), (), loss_eq, f"{BACKPROP} notation" if softmax else "",
                      value=np.array(data_loss + reg_loss) if values else None))

    def check(step: Step, analytic: np.ndarray, f: Callable[[np.ndarray], float],
              x: np.ndarray) -> None:
        if not values:
            return
        row = check_array(step.name, analytic, lambda: f(x), x, h=STEP, batch=N)
        step.value = analytic.copy()
        step.rel_error = row.max_rel_error
        step.abs_error = row.worst.abs_error if row.worst is not None else 0.0
        step.verdict = row.verdict
        step.passed = row.verdict == PASS
        step.check_note = row.explanation()

    eq1 = ("dscores = (P - Y) / N" if softmax else f"dscores = ∂L/∂scores ({net.loss_fn.name})")
    step = Step("backward", "dscores", dscores.shape, ("N", "C"), eq1,
                f"{BACKPROP} eq. 1" if softmax else "", note=WHY_N_BY_C if softmax else "")
    last = len(net.layers) - 1
    check(step, dscores, lambda _: loss_from(last + 1, outs[last]), outs[last])
    steps.append(step)
    dh = dscores
    for i in range(last, -1, -1):
        layer, keys = net.layers[i], net.keys[i]
        dx, dlocal = layer.backward(dh, caches[i])
        peqs, (xeq, xref) = layer.backward_equations(
            names[i], in_names[i], keys,
            lambda local, keys=keys: f" + reg {keys[local]}" if keys.get(local) in decay else "")
        for local, g in dlocal.items():
            key = keys[local]
            if key in decay:
                g = g + reg * params[key]
            eq, ref = peqs.get(local, (f"d{key} = ∂L/∂{key}", f"layer {layer.name!r}"))
            step = Step("backward", f"d{key}", g.shape, _param_syms(key, g.shape, net, syms),
                        eq, ref)
            check(step, g, lambda _: loss_from(0, X), params[key])
            steps.append(step)
        if i > 0:
            step = Step("backward", f"d{in_names[i]}", dx.shape,
                        shape_syms(dx, syms[i]), xeq, xref)
            inp = outs[i - 1]
            check(step, dx, lambda _, j=i, inp=inp: loss_from(j, inp), inp)
            steps.append(step)
        dh = dx
    title = (f"{type(model).__name__}: " + " -> ".join(
        [f"X ({X.shape[0]}x{X.shape[1]})"] + [layer.name for layer in net.layers]
        + [net.loss_fn.name]) + f"; reg {reg:g}")
    return Explanation(steps, title, symbols)


def _param_syms(key: str, shape: tuple[int, ...], net: Network,
                syms: list[str]) -> tuple[str, ...]:
    """Symbols of a parameter's shape, from the widths of its layer's input and output."""
    for i, keys in enumerate(net.keys):
        if key in keys.values():
            d_in, d_out = net.dims[i], net.dims[i + 1]
            s_in, s_out = syms[i], syms[i + 1]
            return tuple(s_in if (n == d_in and (j == 0 and len(shape) == 2)) else
                         s_out if n == d_out else str(n) for j, n in enumerate(shape))
    return tuple(map(str, shape))


def _copy(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in arrays.items()}
