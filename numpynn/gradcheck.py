"""Numerical gradients and checks of hand-written backward passes.

The yardstick is CS231n's relative error ``max |a - b| / max(1e-8, |a| + |b|)``
(elementwise, then the maximum). In float64 with centred differences and h = 1e-5 a
correct backward pass gives about 1e-8 or less; numpynn's tests demand < 1e-7.

Why checks run in float64: a centred difference ``(f(x+h) - f(x-h)) / 2h`` loses the
digits of ``f`` that the subtraction cancels. float32 carries about 7 significant
digits, so with h = 1e-5 the difference keeps only about 2 and the numerical gradient
itself is wrong by around 1e-2 relative: no bug could be told from rounding. float64
(16 digits) leaves about 10 digits, enough to resolve 1e-7. A float32 model is
therefore copied to float64 before it is checked; the check is then of the same
formulas, which do not depend on the dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .models import MLP

DEFAULT_TOL = 1e-7


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """CS231n's relative error: ``max(|a - b| / max(1e-8, |a| + |b|))`` over all entries."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs arrays of one shape; got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(
    f: Callable[[np.ndarray], object],
    x: np.ndarray,
    h: float = 1e-5,
    df: np.ndarray | None = None,
) -> np.ndarray:
    """Centred-difference gradient of ``f`` at ``x``: ``(f(x+h) - f(x-h)) / 2h`` per entry.

    f: called as ``f(x)`` after ``x`` has been changed in place (so ``f`` may also
    ignore its argument and read ``x`` through a closure, e.g. ``lambda _: model.loss(X, y)[0]``).
    It returns a scalar, or an array when ``df`` is given.
    x: the array to perturb, any shape, float64 for meaningful results; it is
    restored exactly afterwards, even if ``f`` raises.
    df: upstream gradient of the same shape as ``f``'s output; the gradient of
    ``sum(f(x) * df)`` is returned (how a layer with an array output is checked).
    Returns an array of x's shape.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError("numerical_gradient perturbs x in place: pass a NumPy array.")
    if df is not None:
        df = np.asarray(df)
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            plus = np.array(f(x), dtype=np.float64)
            x[idx] = old - h
            minus = np.array(f(x), dtype=np.float64)
        finally:
            x[idx] = old
        if df is None:
            if plus.size != 1:
                raise ValueError(
                    f"f returned an array of shape {plus.shape}; pass df (its upstream "
                    "gradient) to check an array-valued function."
                )
            grad[idx] = float((plus - minus).reshape(())) / (2 * h)
        else:
            # Subtract entry by entry before weighting: large outputs then cancel exactly
            # instead of swamping the difference in one big sum.
            grad[idx] = np.sum((plus - minus) * df) / (2 * h)
    return grad


@dataclass(frozen=True)
class GradCheckRow:
    """One checked array: its name, shape and the relative error of its gradient."""

    name: str
    shape: tuple[int, ...]
    max_rel_error: float
    tol: float

    @property
    def passed(self) -> bool:
        return bool(self.max_rel_error < self.tol)


@dataclass
class GradCheckReport:
    """Rows of a gradient check; ``passed`` when every row is under its tolerance."""

    rows: list[GradCheckRow] = field(default_factory=list)
    title: str = ""

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)

    @property
    def max_rel_error(self) -> float:
        return max((r.max_rel_error for r in self.rows), default=0.0)

    def __getitem__(self, name: str) -> GradCheckRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_table(self) -> str:
        """A fixed-width text table: parameter, shape, max relative error, pass/fail."""
        head = f"{'parameter':<12} {'shape':<14} {'max rel error':>14}  result"
        lines = [self.title] if self.title else []
        lines += [head, "-" * len(head)]
        for r in self.rows:
            shape = "x".join(map(str, r.shape)) or "scalar"
            verdict = "pass" if r.passed else "FAIL"
            lines.append(f"{r.name:<12} {shape:<14} {r.max_rel_error:>14.2e}  {verdict}")
        return "\n".join(lines)


def check_gradients(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    h: float = 1e-5,
    tol: float = DEFAULT_TOL,
) -> GradCheckReport:
    """Compare ``model.loss``'s analytic gradients with centred differences.

    model: any object with ``params``, ``loss(X, y)`` and, if not float64, ``astype``;
    X: (N, D); y: (N,). A float32 model is checked on a float64 copy (module docstring).
    Returns one row per parameter, in ``params`` order.
    """
    if getattr(model, "dtype", np.dtype(np.float64)) != np.float64:
        model = model.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    _, grads = model.loss(X, y)
    report = GradCheckReport(title=repr(model))
    for name, param in model.params.items():
        num = numerical_gradient(lambda _: model.loss(X, y)[0], param, h=h)
        report.rows.append(GradCheckRow(name, param.shape, rel_error(grads[name], num), tol))
    return report


def check_layer(
    forward: Callable[..., tuple[np.ndarray, object]],
    backward: Callable[[np.ndarray, object], object],
    *inputs: np.ndarray,
    names: Sequence[str] | None = None,
    h: float = 1e-5,
    tol: float = DEFAULT_TOL,
    seed: int = 0,
) -> GradCheckReport:
    """Check a layer of your own: ``forward(*inputs) -> (out, cache)`` and
    ``backward(dout, cache) -> (d_input_1, d_input_2, ...)`` (one array if one input).

    A random upstream gradient ``dout`` (seeded) stands in for the rest of the
    network; each input's analytic gradient is compared with the numerical gradient of
    ``sum(forward(*inputs)[0] * dout)``. Inputs are cast to float64 copies.

    Example::

        report = check_layer(affine_forward, affine_backward, x, w, b, names="xwb")
        assert report.passed, report.to_table()
    """
    arrays = [np.array(a, dtype=np.float64, copy=True) for a in inputs]
    labels = list(names) if names is not None else [f"input{i}" for i in range(len(arrays))]
    if len(labels) != len(arrays):
        raise ValueError(f"names has {len(labels)} entries for {len(arrays)} inputs.")
    out, cache = forward(*arrays)
    dout = np.random.default_rng(seed).standard_normal(np.shape(out))
    analytic = backward(dout, cache)
    if isinstance(analytic, np.ndarray):
        analytic = (analytic,)
    analytic = tuple(analytic)
    if len(analytic) != len(arrays):
        raise ValueError(
            f"backward returned {len(analytic)} gradients for {len(arrays)} inputs; it must "
            "return one gradient per input, in the order forward takes them."
        )
    report = GradCheckReport(title=getattr(forward, "__name__", "layer"))
    for label, arr, grad in zip(labels, arrays, analytic):
        num = numerical_gradient(lambda _: forward(*arrays)[0], arr, h=h, df=dout)
        grad = np.asarray(grad)
        if grad.shape != arr.shape:
            raise ValueError(
                f"backward's gradient for {label} has shape {grad.shape}, "
                f"but {label} has shape {arr.shape}."
            )
        report.rows.append(GradCheckRow(label, arr.shape, rel_error(grad, num), tol))
    return report


# Centred differences in float64 lose about 1e-11 in absolute terms (rounding of a loss
# of order 1, divided by 2h = 2e-5): a gradient entry below GRAD_FLOOR cannot be
# resolved to a relative error of 1e-7, however right the backward pass is.
GRAD_FLOOR = 3e-4
# A ReLU pre-activation closer to zero than this may cross the kink when perturbed by h,
# where the function has no derivative and centred differences average the two sides.
KINK_MARGIN = 1e-3


def random_problem(
    seed: int, n: int, d: int, hidden: Sequence[int], c: int, reg: float, scale: float = 1.0
) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A random float64 MLP (He init, nonzero biases) with X: (n, d) * scale and y: (n,)."""
    rng = np.random.default_rng(seed)
    X = scale * rng.standard_normal((n, d))
    y = rng.integers(0, c, n)
    model = MLP(d, list(hidden), c, weight_scale="he", reg=reg, dtype=np.float64, seed=seed)
    for key, value in model.params.items():
        if key.startswith("b"):
            value[:] = 0.5 * rng.standard_normal(value.shape)
    return model, X, y


def is_well_conditioned(model: MLP, X: np.ndarray, y: np.ndarray) -> bool:
    """True when a centred-difference check of ``model`` on (X, y) is meaningful to 1e-7.

    That is: no ReLU pre-activation within KINK_MARGIN of its kink, and no nonzero
    analytic gradient entry below GRAD_FLOOR * max(1, |loss|) (the rounding floor of the
    method: the loss's last digits, divided by 2h), and numerical gradients with h and 2h
    agree within DEFAULT_TOL (so truncation error cannot explain a failure).
    """
    X = np.asarray(X, dtype=np.float64)
    h = X
    for i in range(1, model.num_layers):
        a = h @ model.params[f"W{i}"].astype(np.float64) + model.params[f"b{i}"]
        if np.abs(a).min() < KINK_MARGIN:
            return False
        h = np.maximum(a, 0)
    model = model.astype(np.float64)
    loss, grads = model.loss(X, y)
    floor = GRAD_FLOOR * max(1.0, abs(loss))  # rounding grows with the loss's magnitude
    if any(np.abs(g[g != 0]).min(initial=np.inf) <= floor for g in grads.values()):
        return False
    # Truncation error (h^2 f''' / 6) grows with the curvature; if halving h moves the
    # numerical gradient by more than the tolerance, it cannot referee at that tolerance.
    for param in model.params.values():
        steps = [numerical_gradient(lambda _: model.loss(X, y)[0], param, h=h)
                 for h in (1e-5, 2e-5)]
        if rel_error(*steps) > DEFAULT_TOL:
            return False
    return True


def well_conditioned_problem(
    n: int, d: int, hidden: Sequence[int], c: int, reg: float, seed: int = 0, tries: int = 100
) -> tuple[MLP, np.ndarray, np.ndarray]:
    """The first :func:`random_problem` from ``seed`` on that :func:`is_well_conditioned`."""
    for s in range(seed, seed + tries):
        problem = random_problem(s, n, d, hidden, c, reg)
        if is_well_conditioned(*problem):
            return problem
    raise RuntimeError(f"no well-conditioned problem in seeds {seed}..{seed + tries - 1}")


def builtin_checks(seed: int = 0) -> list[GradCheckReport]:
    """Check every layer, the loss and MLPs of depth 1-4, with and without reg.

    This is what ``numpynn gradcheck`` runs; each report is a real centred-difference
    check of the shipped backward passes on small random float64 problems.
    """
    from .layers import (
        affine_backward,
        affine_forward,
        affine_relu_backward,
        affine_relu_forward,
        relu_backward,
        relu_forward,
    )
    from .losses import softmax_cross_entropy

    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    reports = [
        check_layer(affine_forward, affine_backward, x, w, b, names="xwb", seed=seed),
        check_layer(relu_forward, relu_backward, np.where(np.abs(x) < 0.01, 0.5, x),
                    names=["x"], seed=seed),
        check_layer(affine_relu_forward, affine_relu_backward, x, w, b, names="xwb", seed=seed),
    ]
    reports[0].title, reports[1].title, reports[2].title = "affine", "relu", "affine + relu"
    scores, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    loss_report = GradCheckReport(title="softmax cross-entropy")
    _, dscores = softmax_cross_entropy(scores, labels)
    num = numerical_gradient(lambda _: softmax_cross_entropy(scores, labels)[0], scores)
    loss_report.rows.append(GradCheckRow("scores", scores.shape, rel_error(dscores, num),
                                         DEFAULT_TOL))
    reports.append(loss_report)
    for depth in (1, 2, 3, 4):
        for reg in (0.0, 0.1):
            hidden = [7, 6, 5, 4][:depth]
            model, X, y = well_conditioned_problem(9, 5, hidden, 4, reg, seed=seed)
            report = check_gradients(model, X, y)
            report.title = f"MLP hidden={hidden} reg={reg}"
            reports.append(report)
    return reports
