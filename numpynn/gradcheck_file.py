"""Check a learner's own layers: every CS231n-named forward/backward pair in a module.

``check_module(module)`` looks for the names CS231n's assignments use
(:data:`LAYERS`: ``affine_forward``/``affine_backward``, ``relu_*``, ``affine_relu_*``,
``sigmoid_*``, ``tanh_*``, ``leaky_relu_*``, ``batchnorm_forward``/``batchnorm_backward``
and ``batchnorm_backward_alt``, ``layernorm_*``, ``dropout_*``; and the losses
``softmax_loss``, ``svm_loss``), calls each on inputs whose shapes numpynn chooses, and
checks it two ways:

* against numerical gradients (:func:`numpynn.gradcheck.check_layer`, three-valued);
* against numpynn's own implementation where it has one (:data:`REFERENCES`, a lookup
  table ``name -> (forward, backward)``; :func:`register_reference` adds more): the
  forward outputs and the gradients for the same ``dout`` must agree.

Parameter dicts are built fresh for every call: ``bn_param = {"mode": "train"}``,
``ln_param = {}``, ``dropout_param = {"mode": "train", "p": 0.7, "seed": 123}`` (the
fixed seed makes the mask the same in every call, as CS231n's checks do).
Importing the file is the CLI's job (``numpynn gradcheck --file``).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from .gradcheck import (
    FAIL,
    INCONCLUSIVE,
    PASS,
    Entry,
    GradCheckReport,
    GradCheckRow,
    check_array,
    check_layer,
)

# Forward outputs and gradients must match numpynn's to this (relative to the largest entry).
REFERENCE_TOL = 1e-6


@dataclass(frozen=True)
class LayerSpec:
    """How to call one CS231n layer: its differentiable inputs (names and a maker of
    arrays from a Generator) and its constant trailing arguments (made fresh per call)."""

    names: tuple[str, ...]
    make: Callable[[np.random.Generator], list[np.ndarray]]
    extra: Callable[[], tuple[Any, ...]] = lambda: ()


def _away_from_zero(a: np.ndarray) -> np.ndarray:
    """Entries moved at least 0.05 away from 0 (ReLU-like kinks sit at 0)."""
    return np.where(np.abs(a) < 0.05, np.sign(a) * 0.05 + (a == 0) * 0.05, a)


def _affine_inputs(rng: np.random.Generator) -> list[np.ndarray]:
    # x (N, d1, d2) flattens to D = 6, as CS231n's affine test: w (D, M), b (M,)
    return [rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)),
            rng.standard_normal(5)]


def _norm_inputs(rng: np.random.Generator) -> list[np.ndarray]:
    return [3 * rng.standard_normal((6, 5)) + 2, 1 + 0.5 * rng.standard_normal(5),
            rng.standard_normal(5)]


LAYERS: dict[str, LayerSpec] = {
    "affine": LayerSpec(("x", "w", "b"), _affine_inputs),
    "relu": LayerSpec(("x",), lambda r: [_away_from_zero(r.standard_normal((4, 5)))]),
    "affine_relu": LayerSpec(("x", "w", "b"), _affine_inputs),
    "sigmoid": LayerSpec(("x",), lambda r: [r.standard_normal((4, 5))]),
    "tanh": LayerSpec(("x",), lambda r: [r.standard_normal((4, 5))]),
    "leaky_relu": LayerSpec(("x",), lambda r: [_away_from_zero(r.standard_normal((4, 5)))]),
    "batchnorm": LayerSpec(("x", "gamma", "beta"), _norm_inputs,
                           lambda: ({"mode": "train", "eps": 1e-5, "momentum": 0.9},)),
    "layernorm": LayerSpec(("x", "gamma", "beta"), _norm_inputs, lambda: ({"eps": 1e-5},)),
    "dropout": LayerSpec(("x",), lambda r: [r.standard_normal((4, 5)) + 1],
                         lambda: ({"mode": "train", "p": 0.7, "seed": 123},)),
}
# Extra backward names checked against the same forward (CS231n's alternative batchnorm).
ALT_BACKWARDS: dict[str, tuple[str, ...]] = {"batchnorm": ("batchnorm_backward_alt",)}
LOSSES: tuple[str, ...] = ("softmax_loss", "svm_loss")


def _reference_table() -> dict[str, tuple[Callable, Callable]]:
    from .layers import (
        affine_backward,
        affine_forward,
        affine_relu_backward,
        affine_relu_forward,
        relu_backward,
        relu_forward,
    )
    from .losses import softmax_cross_entropy, svm_loss

    return {
        "affine": (affine_forward, affine_backward),
        "relu": (relu_forward, relu_backward),
        "affine_relu": (affine_relu_forward, affine_relu_backward),
        "softmax_loss": (softmax_cross_entropy, None),
        "svm_loss": (svm_loss, None),
    }


REFERENCES: dict[str, tuple[Callable, Callable | None]] = _reference_table()


def register_reference(name: str, forward: Callable, backward: Callable | None = None) -> None:
    """Compare the learner's ``name`` (a key of :data:`LAYERS` or a loss name) with
    numpynn's ``forward`` / ``backward`` (CS231n signatures; backward None for a loss
    ``f(x, y) -> (loss, dx)``)."""
    REFERENCES[name] = (forward, backward)


@dataclass
class FileCheck:
    """The checks of one module: a report per function pair, errors, what was skipped."""

    reports: list[GradCheckReport] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (function, message)
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        """Titles of the failed reports and the functions that raised."""
        return [r.title for r in self.reports if r.verdict == FAIL] + [n for n, _ in self.errors]

    @property
    def verdict(self) -> str:
        if self.failed:
            return FAIL
        if any(r.verdict == INCONCLUSIVE for r in self.reports):
            return INCONCLUSIVE
        return PASS

    def to_table(self) -> str:
        parts = [r.to_table() for r in self.reports]
        parts += [f"{name}: FAIL: raised {msg}" for name, msg in self.errors]
        if self.skipped:
            parts.append("not checked: " + "; ".join(self.skipped))
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.to_table()


def _compare(name: str, got: Any, want: Any) -> GradCheckRow:
    """A row comparing the learner's array with numpynn's: FAIL beyond REFERENCE_TOL."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return GradCheckRow(name, want.shape, float("inf"), REFERENCE_TOL, FAIL)
    diff = np.abs(got - want)
    scale = max(float(np.abs(want).max(initial=0.0)), 1e-12)
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    worst = Entry(tuple(int(i) for i in idx), float(got[idx]), float(want[idx])) \
        if diff.size else None
    rel = float(diff.max(initial=0.0)) / scale
    return GradCheckRow(name, want.shape, rel, REFERENCE_TOL,
                        PASS if rel <= REFERENCE_TOL else FAIL, worst)


class _SignatureError(Exception):
    """A learner's function does not take CS231n's arguments."""


def _as_tuple(grads: Any) -> tuple:
    return (grads,) if isinstance(grads, np.ndarray) else tuple(grads)


def _layer_checks(name: str, spec: LayerSpec, fwd: Callable, bwd: Callable, bwd_name: str,
                  seed: int) -> list[GradCheckReport]:
    rng = np.random.default_rng(seed)
    inputs = spec.make(rng)

    def forward(*arrays: np.ndarray) -> Any:
        return fwd(*arrays, *spec.extra())

    try:
        first = np.asarray(forward(*[a.copy() for a in inputs])[0])
    except TypeError as exc:  # another signature than CS231n's: say so, do not fail it
        raise _SignatureError(f"{name}_forward: called with ({', '.join(spec.names)}"
                         f"{', param dict' if spec.extra() else ''}) as CS231n's, it raised "
                         f"TypeError: {exc}") from None
    again = np.asarray(forward(*[a.copy() for a in inputs])[0])
    if not np.array_equal(first, again, equal_nan=True):
        raise ValueError(f"{name}_forward gives different outputs for the same inputs; "
                         "a dropout must draw its mask from np.random.seed(param['seed']) "
                         "when 'seed' is in its param dict")
    report = check_layer(forward, bwd, *inputs, names=spec.names, seed=seed)
    report.title = f"{name}_forward / {bwd_name}: numerical gradients"
    reports = [report]
    ref = REFERENCES.get(name)
    if ref is not None and ref[1] is not None:
        ref_fwd, ref_bwd = ref
        out, cache = forward(*[a.copy() for a in inputs])
        want_out, want_cache = ref_fwd(*[a.copy() for a in inputs], *spec.extra())
        dout = np.random.default_rng(seed).standard_normal(np.shape(want_out))
        got = _as_tuple(bwd(dout.copy(), cache))
        want = _as_tuple(ref_bwd(dout.copy(), want_cache))
        cmp = GradCheckReport(title=f"{name}_forward / {bwd_name} vs numpynn's {name} "
                                    "(analytic = yours, numerical = numpynn's)")
        cmp.rows.append(_compare("out", out, want_out))
        for label, g, w in zip(spec.names, got, want):
            cmp.rows.append(_compare(f"d{label}", g, w))
        reports.append(cmp)
    return reports


def _loss_checks(name: str, fn: Callable, seed: int) -> list[GradCheckReport]:
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    loss, dx = fn(x.copy(), y.copy())
    dx = np.array(dx, dtype=np.float64, copy=True)
    if dx.shape != x.shape:
        raise ValueError(f"{name} returned dx of shape {dx.shape} for x of shape {x.shape}; "
                         "dx must have x's shape (N, C)")
    work = x.copy()
    report = GradCheckReport(title=f"{name}: numerical gradient")
    report.rows.append(check_array("x", dx, lambda: float(fn(work.copy(), y.copy())[0]), work))
    reports = [report]
    ref = REFERENCES.get(name)
    if ref is not None:
        want_loss, want_dx = ref[0](x.copy(), y.copy())
        cmp = GradCheckReport(title=f"{name} vs numpynn's (analytic = yours, numerical = "
                                    "numpynn's)")
        cmp.rows.append(_compare("loss", loss, want_loss))
        cmp.rows.append(_compare("dx", dx, want_dx))
        reports.append(cmp)
    return reports


def check_module(module: ModuleType, seed: int = 0) -> FileCheck:
    """Check every CS231n-named layer and loss that ``module`` defines (module docstring).

    A function that raises is recorded in ``errors`` (its exception, one line) and the
    others are still checked; a forward without its backward (or the reverse), or one
    that does not take CS231n's arguments (a TypeError on the first call), is listed in
    ``skipped``.
    """
    result = FileCheck()
    for name, spec in LAYERS.items():
        fwd = getattr(module, f"{name}_forward", None)
        backs = [f"{name}_backward", *ALT_BACKWARDS.get(name, ())]
        found = [(b, getattr(module, b)) for b in backs if callable(getattr(module, b, None))]
        if not callable(fwd):
            if found:
                result.skipped.append(f"{found[0][0]} (no {name}_forward)")
            continue
        if not found:
            result.skipped.append(f"{name}_forward (no {name}_backward)")
            continue
        for bwd_name, bwd in found:
            try:
                result.reports += _layer_checks(name, spec, fwd, bwd, bwd_name, seed)
            except _SignatureError as exc:
                result.skipped.append(str(exc))
                break
            except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
                result.errors.append((f"{name}_forward / {bwd_name}", _one_line(exc)))
    for name in LOSSES:
        fn = getattr(module, name, None)
        if not callable(fn):
            continue
        try:
            result.reports += _loss_checks(name, fn, seed)
        except Exception as exc:  # noqa: BLE001
            result.errors.append((name, _one_line(exc)))
    return result


def _one_line(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" (line {tb[-1].lineno} of {tb[-1].filename})" if tb else ""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}{where}"
