"""Numerical gradients and three-valued checks of hand-written backward passes.

Every check answers **pass**, **FAIL** or **inconclusive**, per checked array:

* the yardstick is CS231n's relative error ``|a - n| / max(1e-8, |a| + |n|)`` per entry
  (a analytic, n numerical); an entry under ``tol`` (1e-7) agrees;
* an entry above ``tol`` is a **FAIL** only when its absolute error ``|a - n|`` exceeds
  SAFETY times the error the numerical gradient itself may carry there (its
  *uncertainty*, below), and a second probe at ``h/10`` confirms it;
* otherwise the entry is not evidence of a bug: it passes if its absolute error is
  under ``tol`` times the array's largest gradient (a norm-wise agreement), or within
  the uncertainty when that is under RESOLUTION (1e-5) of the array's largest gradient
  (float64 cannot referee finer; a bug of relative size >= 1e-4 exceeds it), and is
  **inconclusive** if not, with the cause and what to do (:data:`CAUSES`).

The uncertainty of a numerical gradient entry has three sources, each estimated from the
evaluations the check makes anyway (``f`` at ``x +- h`` and ``x +- h/2``):

* *rounding*: ``f`` is known to about ``eps * |f|``; the centred difference divides that
  by ``h``. A gradient entry far below ``eps |f| / h`` (e.g. 1e-11 for a loss of 2 in
  float64) cannot be resolved, however right the backward pass is.
* *truncation*: centred differences are off by ``h^2 f''' / 6``. The check combines
  the ``h`` and ``h/2`` estimates by Richardson extrapolation, ``(4 D(h/2) - D(h)) / 3``,
  which cancels that term, and takes ``|D(h) - D(h/2)|`` as the remaining doubt.
* *a ReLU kink*: when ``x +- h`` crosses a point where ``f`` has no derivative, the
  centred difference averages the two one-sided slopes. The check sees this as second
  differences at ``h`` and ``h/2`` that disagree (smooth functions give the same one).

The rounding floor is lowered two ways: the numerical side is evaluated in NumPy's
extended precision (``np.longdouble``, 18-19 digits on x86) where the code keeps it: a
layer's forward pass by :func:`check_layer`, and a whole model's ``loss`` by
:func:`check_gradients`, on a copy of the model with its parameters in longdouble (the
analytic gradients stay the float64 model's: what the user wrote is what is checked);
and an unresolved entry is probed again with other steps (larger ``h`` against rounding,
smaller against kinks and truncation; in extended precision also smaller steps for an
apparent mismatch, which a kink within ``h`` can cause), ``h`` chosen per entry. A model
that cannot run in longdouble (float64 hard-coded, a loss returned as a Python float,
``scipy.special.erf`` in a GELU) is checked in float64 (``report.extended`` says which).

What centred differences leave unresolved is then tried with **complex steps**
(:class:`ComplexStep`): ``Im f(x + i t) / t`` with t = 1e-20, on a complex128 copy of the
model (or of a layer's inputs) when the code keeps complex values. No difference of
nearly equal values is taken, so there is no rounding floor, and the real part of x does
not move, so no kink is crossed (NumPy orders complex numbers by their real part first:
``max(z, 0)`` keeps the side z is on). It is used only after it agrees with the centred
differences wherever those are conclusive (code that is not complex-analytic, e.g.
``abs`` or ``np.var`` of a complex array, fails there), it can clear an entry but never
condemn one, and an entry it contradicts stays inconclusive with the cause
``"complex"``.

Inputs and ``dout`` are copied before every call, so forward and backward passes that
work in place (``dout *= s * (1 - s); return dout``) are checked correctly.

Why checks run in float64 at least: float32 carries about 7 significant digits, so
with h = 1e-5 the centred difference keeps about 2 and no bug could be told from
rounding. A float32 model is therefore checked on a float64 copy (``model.astype``
when it has one, else a deep copy of the model with its parameters cast);
the check is then of the same formulas, which do not depend on the dtype.

A FAIL names the likely kind of bug when the numbers show it (:data:`KINDS`,
:func:`bug_kind`: a constant ratio N, 1/N, 2, 1/2 or -1; a mask; the regularisation term,
by a re-check at reg 0; an in-place edit; a random loss). Every array a check makes up
comes from a stream of its own (:func:`stream`).

Reports print as tables (``print(report)``); see numpynn/docs/gradcheck.md
(``numpynn docs gradcheck``) for the measured false-alarm and detection rates.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..layers import (
    LAYERS,
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    relu_backward,
    relu_forward,
)
from ..losses import softmax_cross_entropy
from ..models import MLP, Network

DEFAULT_TOL = 1e-7
PASS, FAIL, INCONCLUSIVE = "pass", "FAIL", "inconclusive"

# One evaluation of f is assumed accurate to ROUNDING_ULPS units in the last place of its
# dtype (summing a loss over a batch loses a few; this leaves a wide margin).
ROUNDING_ULPS = 4.0
# An entry is a FAIL only if its error exceeds SAFETY times the estimated uncertainty.
SAFETY = 4.0
# Where float64 cannot resolve tol, agreement within the numerical gradient's own
# uncertainty passes if that uncertainty is below RESOLUTION of the array's largest entry.
RESOLUTION = 1e-5
# A mismatch is confirmed at CONFIRM_STEP * h, trying at most CONFIRM_TRIES entries.
CONFIRM_STEP, CONFIRM_TRIES = 0.1, 8
# Steps tried again for an unresolved entry, as multiples of h, per cause.
RETRY_STEPS = {"rounding": (10.0, 100.0), "kink": (0.1, 0.01, 0.001),
               "truncation": (0.1, 0.01)}
# A mismatch at h may be a kink within +- h that the second differences did not show
# (the pre-activations of a small-weight network lie within h of 0): smaller steps are
# tried where the loss is evaluated in extended precision (their rounding stays low).
MISMATCH_RETRY_STEPS = (0.1, 0.01, 0.001)

CAUSES: dict[str, tuple[str, str]] = {
    "rounding": (
        "below the rounding floor: the gradient entry is too small for centred "
        "differences of the loss to resolve (the loss is known to ~eps*|loss|, divided by h)",
        "not evidence of a bug. To resolve it: check the layer alone with check_layer "
        "(extended precision), use larger weights or inputs for the check (weight_scale "
        "1e-2 instead of 1e-3), or fewer, larger-magnitude examples",
    ),
    "kink": (
        "at a ReLU kink: x +- h crosses a point where the function has no derivative, so "
        "the centred difference averages the two one-sided slopes",
        "not evidence of a bug. Re-run with another seed or inputs, or move pre-activations "
        "away from 0 (nonzero biases); smaller h was tried and did not clear it, nor did "
        "complex steps where the code takes them",
    ),
    "truncation": (
        "truncation error: the function curves so much within +- h that the centred "
        "differences at h and h/2 disagree",
        "not evidence of a bug. Re-run with a smaller h, or with inputs of smaller magnitude",
    ),
    "precision": (
        "the function computes in lower precision than float64 (float32: an astype(np.float32), "
        "or float32 arrays in the computation): moving this input by less than float32 can "
        "resolve (a relative 1e-9; for a model's parameter, a quarter of float32's spacing) "
        "leaves its output exactly as it was, so centred differences at h measure its "
        "rounding",
        "not evidence of a bug, and no step can resolve it: compute in float64 for the "
        "check (leave out the cast to float32; the course's gradient checks use float64)",
    ),
    "complex": (
        "the complex-step derivative (no difference taken, no kink crossed) disagrees with "
        "the analytic gradient by more than 1e-5 of the array's largest entry, but centred "
        "differences cannot confirm it (rounding floor or kinks)",
        "likely a bug: look at how this gradient is computed. To confirm it, check with "
        "larger weights (weight_scale 1e-2 instead of 1e-3) or nonzero biases",
    ),
}


#: The kinds of bug a FAIL can name when the numbers show it (:func:`bug_kind`): key ->
#: what the numbers show and the likely mistake. ``{N}`` is the batch size.
KINDS: dict[str, str] = {
    "factor N": "analytic = N x numerical (N = {N}, the batch size): a missing division "
                "by N (e.g. dscores = P - Y instead of (P - Y) / N), or a loss averaged "
                "over the batch whose gradient is not",
    "factor 1/N": "analytic = numerical / N (N = {N}, the batch size): an extra division "
                  "by N (a bias gradient averaged instead of summed, or /N applied twice), "
                  "or a loss summed over the batch (not divided by N) whose gradient is "
                  "averaged",
    "factor 2": "analytic = 2 x numerical: a factor of 2 too many (a term counted twice, "
                "or 2 reg W for a loss of 0.5 reg |W|^2)",
    "factor 1/2": "analytic = numerical / 2: a factor of 2 missing (reg W for a loss of "
                  "reg |W|^2, or one of two paths into a variable dropped)",
    "factor": "analytic = {ratio:.4g} x numerical everywhere: a constant factor is wrong "
              "(a scale such as 1/p in dropout, or a forgotten constant)",
    "negation": "analytic = -numerical exactly: a sign error (e.g. Y - P instead of P - Y, "
                "or a minus sign dropped in a chain-rule step)",
    "mask": "the analytic gradient is 0 where the true gradient is not (or the reverse): a "
            "wrong mask (ReLU's mask of the wrong sign or of the wrong array, such as "
            "dout > 0 instead of x > 0)",
    "factor 0": "the analytic gradient is exactly 0 everywhere where the true gradient "
                "is not: a factor of 0, such as 1 // N or Python 2's 1 / N (integer "
                "division: 0 for every N > 1; write 1.0 / N or divide by N), or a "
                "gradient array made with np.zeros and never filled",
    "clipped": "the analytic gradient agrees except where the true gradient is larger "
               "than {clip:.4g} in size, and there it is +-{clip:.4g}: it is clipped "
               "(np.clip or gradient clipping inside the backward pass); a gradient "
               "check needs the true gradient: clip in the training step, if at all, "
               "never in loss or backward",
    "regularisation": "only the weights fail, and they pass at reg 0: the regularisation "
                      "term's gradient is wrong (reg W for 0.5 reg |W|^2 as in assignment "
                      "2, 2 reg W for reg |W|^2 as in assignment 1)",
    "in place": "calling the function again changed a result: it edits an array in place "
                "(its input, its cache or a previous output) that the check, or an "
                "earlier layer's cache, still holds; copy before editing",
    "random loss": "two calls with the same inputs give different values, so no gradient "
                   "can be checked: seed the randomness (dropout_param['seed'], or the "
                   "model's seed) or check in test mode",
    "forward": "the forward pass computes another function than the layer's name says "
               "(compared with numpynn's own, or with the course's statistical checks)",
    "test mode": "test mode does not do what it must (dropout: return the input; batch "
                 "norm: normalise with the running averages, kept up to date in train mode)",
    "not finite": "the gradient (or the loss) has NaN or inf entries: look for a log of 0, "
                  "0 / 0, an overflowing exp, or an array made with np.empty and never "
                  "filled",
    "wrong array": "the derivative's formula is evaluated at the wrong array (the input x "
                   "where it needs the forward's output, or dout where it needs x)",
    "overflow": "with large scores the loss or its gradient overflows to inf or NaN: "
                "subtract each row's max from the scores before exp (softmax does not "
                "change when a constant is subtracted from a row)",
    "correct class": "only the entries of the correct classes, dx[i, y[i]], are wrong",
    "N x C": "the softmax's gradient dscores is not N x C: an N x 1 column (one number "
             "per example) broadcast across the classes, or the correct classes' entries "
             "alone; it has one entry per example and class, probs with 1 subtracted at "
             "each example's correct class, dscores[range(N), y] -= 1, divided by N",
    "mean term": "dgamma and dbeta agree, and dx is off by the same amount for every "
                 "value normalised together: the path through the mean (dmu / N) is "
                 "missing or wrong",
    "variance term": "dgamma and dbeta agree, dx is off in proportion to x - mu: the path "
                     "through the variance (dvar * 2 (x - mu) / N) is missing or wrong",
    "running statistics": "batch norm's backward uses the running mean and variance "
                          "(bn_param's running_mean, running_var) where it needs the "
                          "batch's own: in train mode the forward normalises with the "
                          "batch's mean and variance, and the cache must hold those (mu = "
                          "x.mean(axis=0), var = x.var(axis=0)); with running averages "
                          "equal to the batch's statistics its gradients are right",
    "count": "a normalisation's backward divides by the wrong count: N (the batch size) "
             "where layer norm averages over the D features, or D where batch norm "
             "averages over the N examples",
    "accumulate": "a gradient keeps only the last term of its sum: it is assigned (dw[f] "
                  "= ...) in a loop where it must be accumulated (dw[f] += ...)",
    "solver": "the Solver does not do what the course's does: _step applies the update "
              "rule once per parameter, with that parameter's own config, storing next_w "
              "in model.params and the returned config in optim_configs; check_accuracy "
              "predicts every row; train decays the learning rate after every epoch and "
              "restores the best parameters",
    "update rule": "an update rule (optim.py) moves w, or keeps its state, otherwise than "
                   "the course's: next_w and config's state are compared with numpynn's "
                   "over three steps",
    "swapped": "two gradients are each other's: the backward returns them in each "
               "other's places (return dx, dbeta, dgamma for dx, dgamma, dbeta)",
    "param dict": "a convolution, max pool or group norm passes with one stride, pad, "
                  "window or G and fails with another: the forward or backward pass "
                  "ignores its parameters (stride = 1, pad = 1, a 2 x 2 window or one group "
                  "written as constants)",
    "height and width": "a convolution or max pool passes on square images, filters "
                        "and windows and fails where heights and widths differ: a height "
                        "used where a width is needed (W' from H, WW from HH, pool_width "
                        "from pool_height), or the reverse",
    "initialisation": "a model's constructor draws its initial weights otherwise than the "
                      "course's weight_scale * np.random.randn(...) (std * in assignment "
                      "1): uniform np.random.rand, or a scale other than the one it is "
                      "given",
    "chain rule": "the backward returns the layer's own derivative without multiplying it "
                  "by the upstream gradient dout (dx = dout * local derivative)",
    "training loop": "an assignment-1 classifier's train or predict differs from the "
                     "course's: each iteration's minibatch draws rows and their labels "
                     "together, every weight steps W -= learning_rate * grad, the loss is "
                     "kept in loss_history, and predict is the argmax of the scores",
    "return value": "what loss(X, y) returns is not what the course's returns: the loss "
                    "must be one number (a float or a 0-d array, not an array of shape (1,) "
                    "or (1, 1)), and each gradient has its parameter's shape and dtype",
    "loss value": "the loss is not the course's of the model's own scores (softmax "
                  "cross-entropy or SVM hinge, averaged over the batch) although its "
                  "gradients agree with it: a loss summed over the batch (not / N), or "
                  "averaged over every entry of an N x C array",
    "layout": "an array is reshaped between (N, C, H, W) and (N*H*W, C) without its "
              "transpose: a plain reshape mixes channels and positions (x.transpose(0, 2, "
              "3, 1).reshape(-1, C), and .reshape(N, H, W, C).transpose(0, 3, 1, 2) back)",
    "one-hot": "the loss breaks on a batch whose labels miss the last class: a one-hot "
               "matrix sized from the labels (np.eye(y.max() + 1)[y]) has fewer columns "
               "than the scores; size it from the scores (np.eye(C)[y], C = "
               "scores.shape[1])",
    "changes params": "loss(X, y) changed the model's parameters: a loss must leave "
                      "self.params as they are (an update such as W -= lr * dW belongs in "
                      "the training step, not in loss), or no gradient can be checked",
}


#: The note of a backward pass that changes the ``dout`` it is given (not a FAIL: its
#: gradients are right, and the course's layers never use dout after the call).
DOUT_EDITED = (
    "note: backward changed the dout it was given: dx = dout makes dx the same array, so "
    "dx[x <= 0] = 0 (or dx *= ..., dout *= ...) edits the caller's dout. Its gradients are "
    "right, and harmless where nothing reads dout afterwards, as in the course's layers; "
    "but a network that uses dout again (a residual connection x + f(x), whose backward "
    "adds dout to f's dx; dout sent to two branches; a notebook cell comparing with dout "
    "after the call) then reads the edited values. Write dx = dout.copy() first (or dx = "
    "dout * (x > 0)).")


class ReturnError(InputError):
    """What a learner's function returned cannot be checked (a gradient of the wrong
    shape, a missing gradient, a value where a tuple is expected); the message says what
    it returned and what it must return."""


def shape_hint(label: str, got: tuple[int, ...], want: tuple[int, ...],
               batch: int | None = None) -> str:
    """What a gradient of shape ``got`` for ``label`` of shape ``want`` usually means
    (the learner's likely mistake), or ""."""
    got, want = tuple(got), tuple(want)
    if len(want) == 2 and got == want[::-1] and want[0] != want[1]:
        return (f"it is {label}'s shape transposed: swap the product's operands (for a "
                "weight: dw = x.T @ dout, not dout.T @ x)")
    if len(want) == 1 and got in ((1, want[0]), (want[0], 1)):
        return ("a 2-D sum (keepdims=True, or a row or column vector): sum over the "
                "examples, axis 0, without keepdims: np.sum(dout, axis=0)")
    if len(want) == 1 and len(got) > 1 and want[0] in got:
        return ("summed over too few axes: a bias gradient sums over every axis but the one "
                "it indexes (affine: np.sum(dout, axis=0); conv: np.sum(dout, axis=(0, 2, "
                "3)))")
    if len(want) == 1 and len(got) == 1 and batch is not None and got[0] == batch:
        return ("one entry per example: it is summed over the wrong axis; a bias gradient "
                "sums over the examples, axis 0: np.sum(dout, axis=0)")
    if len(got) > len(want):
        return (f"more dimensions than {label}: an input of shape (N, d1, d2, ...) must be "
                "flattened to (N, D) in the backward pass too, as in the forward "
                "(x.reshape(x.shape[0], -1).T @ dout)")
    if int(np.prod(got)) == int(np.prod(want)):
        return (f"it has the right number of entries: reshape it to {label}'s shape "
                f"(d{label}.reshape({label}.shape); for an input the forward pass flattened: "
                "dx = (dout @ w.T).reshape(x.shape))")
    return ""


def _shape_message(what: str, label: str, got: tuple[int, ...], want: tuple[int, ...],
                   batch: int | None = None) -> str:
    hint = shape_hint(label, got, want, batch)
    return (f"{what} has shape {tuple(got)}, but {label} has shape {tuple(want)}; a "
            f"gradient has the shape of what it differentiates" + (f": {hint}" if hint
                                                                    else "") + ".")


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """CS231n's relative error: ``max(|a - b| / max(1e-8, |a| + |b|))`` over all entries."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs arrays of one shape; got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def stream(seed: int, name: str) -> np.random.Generator:
    """A generator of its own for each array a check draws (``name``: ``"x"``, ``"w"``,
    ``"dout"``...): the same seed gives unrelated draws for different names, so an
    upstream gradient is never equal to the input (a backward that uses ``dout`` where
    it needs ``x`` would pass a check where they are equal)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


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
    Returns an array of x's shape. (The checks use :func:`probe_gradient`, which adds
    Richardson extrapolation and error estimates.)
    """
    if not isinstance(x, np.ndarray):
        raise TypeError("numerical_gradient perturbs x in place: pass a NumPy array.")
    if x.dtype.kind not in "fc":  # x[i] + h stored back as a whole number: a wrong slope
        raise TypeError(
            f"numerical_gradient perturbs x in place, and x has dtype {x.dtype}: x[i] + h "
            f"(h={h:g}) is stored rounded to a whole number, so the result would be "
            "wrong, not small; use a float array: x = x.astype(np.float64) (and compute "
            "f from that array).")
    if df is not None:
        df = np.asarray(df)
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        if old + x.dtype.type(h) == old or old - x.dtype.type(h) == old:
            fix = ("a larger h (about 1e-5 times abs(x).max())" if x.dtype.itemsize >= 8
                   else "float64 (x = x.astype(np.float64)), or a larger h")
            raise ValueError(
                f"x[{', '.join(map(str, idx))}] = {old.item()!r} does not change by h={h:g} "
                f"in x's dtype {x.dtype}, so its difference would be zero or noise: use "
                f"{fix}.")
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


# ------------------------------------------------------------------ one entry, one step
@dataclass(frozen=True)
class Probe:
    """The numerical derivative of one entry at one step ``h``, with its error estimates.

    estimate: Richardson's ``(4 D(h/2) - D(h)) / 3``; rounding, truncation: bounds of
    its error from each source; kink: True when second differences at h and h/2
    disagree (a point without derivative within +- h), kink_size: the slope jump.
    """

    h: float
    estimate: float
    rounding: float
    truncation: float
    kink: bool
    kink_size: float
    one_sided: tuple[float, float] = (0.0, 0.0)  # Richardson backward / forward estimates

    @property
    def one_sided_rounding(self) -> float:
        """Rounding bound of each one-sided estimate (10 delta / h; delta = rounding h / 3)."""
        return 10 * self.rounding / 3

    @property
    def uncertainty(self) -> float:
        return self.rounding + self.truncation + (self.kink_size if self.kink else 0.0)


def probe_gradient(
    evaluate: Callable[[], Any],
    x: np.ndarray,
    idx: tuple[int, ...],
    h: float,
    df: np.ndarray | None = None,
    f0: np.ndarray | None = None,
) -> Probe:
    """Differentiate ``sum(evaluate() * df)`` with respect to ``x[idx]`` at step ``h``.

    evaluate: reads ``x`` (changed in place here, restored exactly afterwards) and
    returns a scalar or, with ``df`` of its shape, an array. f0: ``evaluate()`` at the
    unperturbed x (computed if not given).
    """
    old = x[idx]
    outs = []
    try:
        for step in (h, -h, h / 2, -h / 2):
            x[idx] = old + step
            outs.append(evaluate())
    finally:
        x[idx] = old
    if f0 is None:
        f0 = evaluate()
    steps = [float(x.dtype.type(old + s) - old) for s in (h, -h, h / 2, -h / 2)]
    if df is None:  # a scalar function: plain floats are much faster than 0-d arrays
        p1, m1, p2, m2 = (_scalar(v) for v in outs)
        z = _scalar(f0)
        eps = _eps(np.asarray(outs[0]).dtype)
        delta = eps * max(abs(p1), abs(m1), abs(p2), abs(m2))
        diffs = (p1 - m1, p2 - m2, (p1 - z) + (m1 - z), (p2 - z) + (m2 - z),
                 z - m1, z - m2, p1 - z, p2 - z)
    else:
        p1, m1, p2, m2 = (np.asarray(v) for v in outs)
        w = np.asarray(df, dtype=p1.dtype)
        z = np.asarray(f0)
        # An output entry can change by less than its last digit and show no change at
        # all, so every entry's rounding counts, changed or not.
        big = np.maximum(np.maximum(np.abs(p1), np.abs(m1)), np.maximum(np.abs(p2), np.abs(m2)))
        delta = _eps(p1.dtype) * float(np.sum(big * np.abs(w)))
        diffs = tuple(float(np.sum(v * w)) for v in
                      (p1 - m1, p2 - m2, (p1 - z) + (m1 - z), (p2 - z) + (m2 - z),
                       z - m1, z - m2, p1 - z, p2 - z))
    delta *= ROUNDING_ULPS
    d1 = diffs[0] / (steps[0] - steps[1])
    d2 = diffs[1] / (steps[2] - steps[3])
    s1 = diffs[2] / h**2
    s2 = diffs[3] / (h / 2) ** 2
    rounding = 3 * delta / h  # Richardson's combination: (4 * 2 delta/h + delta/h) / 3
    truncation = abs(d1 - d2)
    curvature = max(abs(s1), abs(s2)) * h  # ~ the slope jump when a kink is within h
    jump = abs(s2 - s1) * h
    # Smooth f: second differences at h and h/2 agree and |D(h) - D(h/2)| ~ h^2 f''' is
    # tiny next to h f''. A kink within h breaks both (module docstring).
    noise = 80 * delta / h
    kink = jump > max(noise, 0.1 * curvature) or truncation > max(noise, 0.01 * curvature)
    # One-sided differences from x, Richardson-combined (2 D(h/2) - D(h)): past a kink on
    # one side of x, the other side's estimate is still the derivative at x.
    back = 2 * diffs[5] / -steps[3] - diffs[4] / -steps[1]
    fwd = 2 * diffs[7] / steps[2] - diffs[6] / steps[0]
    return Probe(h, float((4 * d2 - d1) / 3), float(rounding), float(truncation), bool(kink),
                 float(max(curvature, jump)), (float(back), float(fwd)))


def _scalar(v: Any) -> float:
    a = np.asarray(v)
    if a.size != 1:
        raise InputError(f"the function returned an array of shape {a.shape} where a scalar "
                         "was expected; pass df (its upstream gradient) for array outputs.")
    v = a.reshape(())[()]
    # Kept in extended precision (differences of nearly equal losses are taken next).
    return v if a.dtype == np.longdouble else float(v)


_EPS: dict[Any, float] = {}


def _eps(dtype: np.dtype) -> float:
    """Machine epsilon of a float dtype (float64's for anything else)."""
    if dtype not in _EPS:
        _EPS[dtype] = float(np.finfo(dtype if dtype.kind == "f" else np.float64).eps)
    return _EPS[dtype]



# ------------------------------------------------------------------------- the reports
@dataclass(frozen=True)
class Entry:
    """One gradient entry: where, both values and their absolute and relative error."""

    index: tuple[int, ...]
    analytic: float
    numerical: float

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numerical)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(1e-8, abs(self.analytic) + abs(self.numerical))


@dataclass(frozen=True)
class GradCheckRow:
    """The check of one array: verdict, CS231n's max relative error, the worst entry and,
    when not a pass, the cause (a key of :data:`CAUSES`, or ``"mismatch"`` for a FAIL).

    verdict: ``"pass"``, ``"FAIL"`` or ``"inconclusive"``; if not given, ``"pass"`` when
    ``max_rel_error < tol`` else ``"FAIL"`` (the plain two-valued check).
    """

    name: str
    shape: tuple[int, ...]
    max_rel_error: float
    tol: float
    verdict: str | None = None
    worst: Entry | None = None
    cause: str | None = None
    unresolved: int = 0
    kind: str | None = None  # a key of KINDS when the numbers show the kind of bug
    kind_text: str = ""  # KINDS[kind] with its numbers filled in

    def __post_init__(self) -> None:
        if self.verdict is None:
            object.__setattr__(self, "verdict", PASS if self.max_rel_error < self.tol else FAIL)

    @property
    def passed(self) -> bool:
        return self.verdict == PASS

    def explanation(self) -> str:
        """Why the row is not a pass and what to do; empty for a pass."""
        if self.verdict == PASS:
            return ""
        w = self.worst
        where = f" at {_fmt_index(w.index)}" if w is not None else ""
        if self.verdict == FAIL:
            detail = (f"analytic {w.analytic:.6e} vs numerical {w.numerical:.6e}" if w else "")
            if self.kind is not None:
                return (f"{self.name}: FAIL{where}: {detail + '; ' if detail else ''}likely "
                        f"bug: {self.kind}: {self.kind_text or KINDS[self.kind]}.")
            return (f"{self.name}: FAIL{where}: {detail}; the difference is far beyond the "
                    "numerical gradient's own error, so the backward pass is wrong for this "
                    "array (look at how it is computed, and at its shape and scale).")
        why, todo = CAUSES.get(self.cause or "", ("", ""))
        return (f"{self.name}: inconclusive ({self.unresolved} entries){where}: {why}. "
                f"This is {todo}.")


def _fmt_index(index: tuple[int, ...]) -> str:
    return "[" + ",".join(map(str, index)) + "]" if index else "[]"


@dataclass
class GradCheckReport:
    """Rows of a gradient check. ``verdict`` is FAIL if any row fails, else inconclusive
    if any row is, else pass; ``print(report)`` shows the table and the explanations."""

    rows: list[GradCheckRow] = field(default_factory=list)
    title: str = ""
    extended: bool = False  # the numerical side was evaluated in np.longdouble
    complex_step: bool = False  # complex-step derivatives settled entries (validated)
    notes: list[str] = field(default_factory=list)  # printed under the table

    @property
    def kinds(self) -> list[str]:
        """The bug kinds (keys of :data:`KINDS`) its FAIL rows name, in row order."""
        return list(dict.fromkeys(r.kind for r in self.rows
                                  if r.verdict == FAIL and r.kind is not None))

    @property
    def verdict(self) -> str:
        verdicts = {r.verdict for r in self.rows}
        return FAIL if FAIL in verdicts else INCONCLUSIVE if INCONCLUSIVE in verdicts else PASS

    @property
    def passed(self) -> bool:
        return self.verdict == PASS

    @property
    def failed(self) -> bool:
        return self.verdict == FAIL

    @property
    def max_rel_error(self) -> float:
        return max((r.max_rel_error for r in self.rows), default=0.0)

    def __getitem__(self, name: str) -> GradCheckRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_table(self) -> str:
        """A text table, one row per array: shape, CS231n's max relative error, verdict,
        and the worst entry (index, analytic, numerical, absolute and relative error);
        then one line per row that is not a pass, saying why and what to do."""
        nw = max([10, *(len(r.name) for r in self.rows)])
        head = (f"{'parameter':<{nw}} {'shape':<9} {'max rel err':>11}  {'result':<12} "
                f"{'worst entry':<11} {'analytic':>11} {'numerical':>11} {'abs err':>8} "
                f"{'rel err':>8}")
        lines = [self.title] if self.title else []
        lines += [head, "-" * len(head)]
        for r in self.rows:
            shape = "x".join(map(str, r.shape)) or "scalar"
            line = f"{r.name:<{nw}} {shape:<9} {r.max_rel_error:>11.2e}  {r.verdict:<12}"
            if r.worst is not None:
                w = r.worst
                line += (f" {_fmt_index(w.index):<11} {w.analytic:>11.4e} {w.numerical:>11.4e} "
                         f"{w.abs_error:>8.1e} {w.rel_error:>8.1e}")
            lines.append(line.rstrip())
        notes = [r.explanation() for r in self.rows if not r.passed] + self.notes
        if notes:
            lines.append("")
            lines += notes
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_table()


# ------------------------------------------------------------------------ the checks
def _agreeing_estimate(a: float, p: Probe) -> float:
    """The numerical value that cleared an entry, as the report shows it: the centred
    estimate, or at a kink the one-sided estimate (the side x lies on) nearest to ``a``."""
    if not p.kink:
        return p.estimate
    return min((p.estimate, *p.one_sided), key=lambda v: abs(a - v))


def _classify(a: float, p: Probe, scale: float, tol: float, analytic_rounding: float) -> str:
    """``"ok"``, ``"mismatch"`` or the cause that leaves the entry unresolved.

    ok: within ``tol`` (relative, or of the array's scale), or within the probe's own
    uncertainty when that is at most RESOLUTION of the array's scale (float64 cannot
    referee finer there, and any bug of relative size >= 1e-4 would exceed it).
    """
    e = abs(a - p.estimate)
    if e / max(1e-8, abs(a) + abs(p.estimate)) < tol or e <= tol * scale:
        return "ok"
    doubt = SAFETY * p.uncertainty + analytic_rounding
    if e <= doubt <= RESOLUTION * scale:
        return "ok"
    if p.kink:
        # The analytic gradient is the slope of the side x lies on: one one-sided estimate
        # must match it (a kink on each side within h leaves both off: unresolved).
        one = SAFETY * p.one_sided_rounding + analytic_rounding
        if one <= RESOLUTION * scale and min(abs(a - v) for v in p.one_sided) <= max(
                one, tol * scale):
            return "ok"
        return "kink"
    if e > doubt:
        return "mismatch"
    return "rounding" if p.rounding >= p.truncation else "truncation"


# The imaginary step of the complex-step derivative: far below any kink's distance, and
# its truncation error (t^2 times the third derivative / 6) far below float64's last digit.
COMPLEX_STEP = 1e-20
# The complex step is trusted for a check only if it agrees with the centred differences
# on up to CS_VALIDATE entries per array where those are conclusive (no kink, error under
# RESOLUTION of the array's scale), and on at least one entry in all.
CS_VALIDATE = 3


@contextmanager
def _complex_errors() -> Iterator[None]:
    """A cast that drops an imaginary part (ComplexWarning) raises: that code cannot be
    differentiated by complex steps."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        with np.errstate(all="ignore"):
            yield


class ComplexStep:
    """Complex-step derivatives ``Im f(x + i t) / t`` of the entries of one array.

    evaluate: computes f from ``xc``, a complex128 copy of the checked array that is
    changed in place here (restored exactly afterwards); it returns a scalar, or an
    array of ``df``'s shape whose weighted sum ``sum(f * df)`` is differentiated.

    No difference of nearly equal values is taken, so with t = COMPLEX_STEP (1e-20) the
    derivative is accurate to float64's last digits however small it is, and the real
    part of x does not move: no ReLU kink is crossed. NumPy orders complex numbers by
    their real part, then their imaginary part, so ``max(z, 0)`` and ``z * (z > 0)``
    take the slope of the side of the kink that z lies on (at z exactly 0: the
    right-hand slope for +i t, the left-hand one for -i t). Code that is not
    complex-analytic (``abs``, ``np.var`` of a complex array, a cast to float) gives
    wrong values or raises: :func:`_resolve_by_complex_step` validates first.
    """

    def __init__(self, evaluate: Callable[[], Any], xc: np.ndarray,
                 df: np.ndarray | None = None, base: Any = None) -> None:
        self.evaluate, self.xc, self.df = evaluate, xc, df
        if base is None:
            with _complex_errors():
                base = evaluate()
        self.base = self._imag(base)

    def _imag(self, out: Any) -> float:
        v = np.asarray(out)
        if v.dtype.kind != "c":
            raise TypeError("the function dropped the imaginary part of its input")
        im = v.imag.astype(np.float64)
        if self.df is None:
            return float(im.sum())
        return float(np.sum(im * self.df))

    def derivative(self, idx: tuple[int, ...], sign: float = 1.0) -> float:
        """``Im(f(x + sign i t) - f(x)) / (sign t)`` at entry ``idx``."""
        old = self.xc[idx]
        t = sign * COMPLEX_STEP
        try:
            self.xc[idx] = old + 1j * t
            with _complex_errors():
                out = self.evaluate()
        finally:
            self.xc[idx] = old
        return (self._imag(out) - self.base) / t


def _reliable(state: _ArrayState) -> list[tuple[int, ...]]:
    """Entries whose centred difference at h is conclusive whatever the analytic value:
    no kink, and an error bound under RESOLUTION of the array's scale; largest first."""
    good = [i for i, p in state.probes.items() if not p.kink and p.estimate != 0
            and SAFETY * p.uncertainty + state.a_round <= RESOLUTION * state.scale]
    return sorted(good, key=lambda i: -abs(state.probes[i].estimate))


def _resolve_by_complex_step(states: list[_ArrayState], steps: list[ComplexStep],
                             tol: float) -> bool:
    """Clear the unresolved entries whose analytic gradient the complex-step derivative
    confirms (within ``tol``, as for centred differences); returns whether the complex
    step was used.

    It is used only if it first agrees with the centred differences wherever those are
    conclusive (up to CS_VALIDATE entries per array, at least one in all): code that is
    not complex-analytic fails there. For an entry left unresolved by rounding or
    truncation it must also lie within the centred difference's own error bound. It
    never condemns an entry: FAILs come from centred differences alone. An entry it
    contradicts by more than RESOLUTION of the array's scale stays inconclusive, with
    the cause ``"complex"`` (likely a bug that centred differences cannot confirm).
    """
    cleared: list[tuple[_ArrayState, tuple[int, ...], float]] = []
    suspect: list[tuple[_ArrayState, tuple[int, ...], float]] = []
    try:
        checked = 0
        for st, cs in zip(states, steps):
            for idx in _reliable(st)[:CS_VALIDATE]:
                p = st.probes[idx]
                if abs(cs.derivative(idx) - p.estimate) > (SAFETY * p.uncertainty + st.a_round
                                                           + tol * st.scale):
                    return False
                checked += 1
        if not checked:
            return False
        for st, cs in zip(states, steps):
            for idx in st.unresolved:
                a, p = st.a[idx], st.probes[idx]
                values = list(dict.fromkeys((cs.derivative(idx, 1.0), cs.derivative(idx, -1.0))))
                # Left unresolved by rounding or truncation, the entry's centred difference
                # still bounds the derivative: a complex step outside that bound is not used.
                values = [v for v in values if st.status[idx] == "kink" or abs(v - p.estimate)
                          <= SAFETY * p.uncertainty + st.a_round]
                errors = [abs(a - v) for v in values]
                for value, e in zip(values, errors):
                    if e / max(1e-8, abs(a) + abs(value)) < tol or e <= tol * st.scale:
                        cleared.append((st, idx, value))
                        break
                else:
                    if values and min(errors) > RESOLUTION * st.scale:
                        suspect.append((st, idx, values[int(np.argmin(errors))]))
    except Exception:  # noqa: BLE001 - code that cannot take complex steps: not used
        return False
    for st, idx, value in cleared:
        st.status[idx] = "ok"
        st.num[idx] = value
    for st, idx, value in suspect:
        st.status[idx] = "complex"
        st.num[idx] = value
    return True


@dataclass
class _ArrayState:
    """One array's check in progress: its probes at h, each entry's status ("ok",
    "mismatch" or a cause) and numerical value, the array's scale and the analytic
    gradient's rounding (:func:`_probe_array`; :func:`_finish` makes the row)."""

    name: str
    a: np.ndarray
    x: np.ndarray
    probes: dict
    status: dict
    num: np.ndarray
    scale: float
    a_round: float

    @property
    def unresolved(self) -> list[tuple[int, ...]]:
        return [i for i, s in self.status.items() if s not in ("ok", "mismatch")]


def _probe_array(name: str, analytic: np.ndarray, evaluate: Callable[[], Any], x: np.ndarray,
                 h: float, tol: float, df: np.ndarray | None) -> _ArrayState:
    """Probe every entry at ``h``, retry the unresolved ones at the steps of their cause
    and confirm the mismatches (:func:`check_array`)."""
    a = np.asarray(analytic, dtype=np.float64)
    f0 = np.asarray(evaluate())
    extended = f0.dtype == np.longdouble and _eps(f0.dtype) < _eps(np.dtype(np.float64))
    probes = {idx: probe_gradient(evaluate, x, idx, h, df, f0) for idx in np.ndindex(*x.shape)}
    num = np.zeros(x.shape, dtype=np.float64)
    for idx, p in probes.items():
        num[idx] = p.estimate
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(num).max(initial=0.0)))
    a_round = ROUNDING_ULPS * float(np.finfo(np.float64).eps) * scale
    status = {}
    for idx, p in probes.items():
        s = _classify(a[idx], p, scale, tol, a_round)
        if s == "ok":
            num[idx] = _agreeing_estimate(a[idx], p)
        steps = RETRY_STEPS.get(s, MISMATCH_RETRY_STEPS if extended else ())
        for factor in steps:
            retry = probe_gradient(evaluate, x, idx, h * factor, df, f0)
            # Another step can clear an entry, never condemn it: a FAIL must show at h.
            if _classify(a[idx], retry, scale, tol, a_round) == "ok":
                s = "ok"
                num[idx] = _agreeing_estimate(a[idx], retry)
                break
        status[idx] = s
    _confirm(status, probes, a, evaluate, x, h, df, f0, scale, a_round)
    return _ArrayState(name, a, x, probes, status, num, scale, a_round)


def _finish(state: _ArrayState, tol: float, batch: int | None = None) -> GradCheckRow:
    """The row of a probed array: FAIL if any entry is a confirmed mismatch, else
    inconclusive if any is unresolved, else pass."""
    status, a, x = state.status, state.a, state.x
    entries = {idx: Entry(idx, float(a[idx]), float(state.num[idx])) for idx in status}
    finite = np.isfinite(a) & np.isfinite(state.num)
    if not finite.all():  # no rounding floor or kink explains a NaN: never inconclusive
        first = tuple(int(i) for i in np.argwhere(~finite)[0])
        mine = not np.isfinite(a).all()
        count = int(np.sum(~np.isfinite(a if mine else state.num)))
        text = (f"{count} of {a.size} entries of the analytic gradient are NaN or inf "
                f"(first at {_fmt_index(first)})" if mine else
                f"the function is NaN or inf where {state.name} is moved by h (first at "
                f"{_fmt_index(first)}): it cannot be differentiated there")
        return GradCheckRow(state.name, tuple(x.shape), float("inf"), tol, FAIL,
                            entries[first], "mismatch", 0, "not finite",
                            f"{text}; {KINDS['not finite']}")
    bad = [i for i, s in status.items() if s == "mismatch"]
    unresolved = state.unresolved
    cause = None
    if bad:
        verdict = FAIL
        worst = max((entries[i] for i in bad), key=lambda e: (e.rel_error, e.abs_error))
    elif unresolved:
        verdict = INCONCLUSIVE
        # an entry the complex step contradicts is named first (likely a bug)
        worst = max((entries[i] for i in unresolved),
                    key=lambda e: (status[e.index] == "complex", e.abs_error))
        cause = status[worst.index]
    else:
        verdict = PASS
        worst = max(entries.values(), key=lambda e: e.rel_error, default=None)
    kind, text = bug_kind(a, state.num, batch) if verdict == FAIL else (None, "")
    return GradCheckRow(state.name, tuple(x.shape), rel_error(a, state.num), tol, verdict,
                        worst, cause, len(unresolved), kind, text)


def bug_kind(analytic: np.ndarray, numerical: np.ndarray,
             batch: int | None = None) -> tuple[str | None, str]:
    """The kind of bug (a key of :data:`KINDS`, and its text with the numbers) that a
    failing array's numbers show, or ``(None, "")``.

    A constant ratio analytic / numerical over every entry where both are clearly
    nonzero, with zeros in the same places, is a factor (N, 1/N with N = ``batch``, 2,
    1/2, -1 or another constant); mismatches all of which have one side 0 and the other
    not are a mask, unless the numerical gradient is 0 everywhere (the loss does not
    depend on the array, as b before batch norm: a backward that skips a step, not a
    mask). Anything else names no kind.
    """
    a = np.asarray(analytic, dtype=np.float64).ravel()
    n = np.asarray(numerical, dtype=np.float64).ravel()
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(n).max(initial=0.0)))
    if scale == 0 or not np.all(np.isfinite(a)):
        return None, ""
    small = 1e-6 * scale
    za, zn = np.abs(a) <= small, np.abs(n) <= small
    wrong = np.abs(a - n) > 1e-6 * scale
    if not np.any(a) and not zn.any() and a.size > 1:
        # 1 // N: 0 where every true entry is nonzero (zeros among them: a mask can be)
        return "factor 0", KINDS["factor 0"]
    if wrong.any() and np.all(za[wrong] != zn[wrong]) and not zn.all():
        return "mask", KINDS["mask"]
    clip = float(np.abs(a).max(initial=0.0))
    at_clip = np.abs(np.abs(a) - clip) <= 1e-9 * clip
    if (wrong.any() and clip > 0 and np.count_nonzero(at_clip) >= 2 and np.all(at_clip[wrong])
            and np.all(np.abs(n[at_clip]) > clip * (1 + 1e-3)) and np.all(
                np.sign(a[wrong]) == np.sign(n[wrong]))):
        # np.clip(grad, -c, c): right below c, +-c wherever the true gradient is above c
        # (an SVM's -1/N for -count/N is at the largest size too, but so are right +1/N)
        return "clipped", KINDS["clipped"].format(clip=clip)
    both = ~za & ~zn
    if not both.any() or np.any(za != zn):
        return None, ""
    ratio = a[both] / n[both]
    r = float(np.median(ratio))
    if r == 0 or np.max(np.abs(ratio - r)) > 1e-4 * abs(r) or abs(r - 1) < 1e-4:
        return None, ""
    fmt = {"N": batch, "ratio": r}
    named = [("negation", -1.0, ""), ("factor 2", 2.0, ""), ("factor 1/2", 0.5, "")]
    if batch is not None and batch > 1:
        twice = f" (the ratio is {r:.6g} = N^2: the division by N is missing or doubled twice)"
        named = [("factor N", float(batch), ""), ("factor 1/N", 1.0 / batch, ""),
                 ("factor N", float(batch) ** 2, twice),
                 ("factor 1/N", 1.0 / batch**2, twice.replace("N^2", "1/N^2"))] + named
    for kind, value, extra in named:
        if abs(r - value) <= 1e-4 * abs(value):
            return kind, KINDS[kind].format(**fmt) + extra
    return "factor", KINDS["factor"].format(**fmt)


def check_array(
    name: str,
    analytic: np.ndarray,
    evaluate: Callable[[], Any],
    x: np.ndarray,
    h: float = 1e-5,
    tol: float = DEFAULT_TOL,
    df: np.ndarray | None = None,
    complex_step: ComplexStep | None = None,
    batch: int | None = None,
) -> GradCheckRow:
    """Three-valued check of the gradient ``analytic`` of ``sum(evaluate() * df)`` with
    respect to ``x`` (perturbed in place, restored exactly; same shape as ``analytic``).

    Each entry is probed at ``h`` (:func:`probe_gradient`); an entry that is neither
    within ``tol`` nor clearly wrong is probed again at the :data:`RETRY_STEPS` of its
    cause. complex_step: the same function's complex-step derivatives
    (:class:`ComplexStep`), tried on the entries still unresolved (it can clear an
    entry, never condemn one). batch: N, to name a factor of N in a FAIL (:func:`bug_kind`).
    Returns the row: verdict, max relative error, worst entry, cause and bug kind.
    """
    state = _probe_array(name, analytic, evaluate, x, h, tol, df)
    if complex_step is not None and state.unresolved:
        _resolve_by_complex_step([state], [complex_step], tol)
    return _finish(state, tol, batch)


def _confirm(status: dict, probes: dict, a: np.ndarray, evaluate: Callable[[], Any],
             x: np.ndarray, h: float, df: np.ndarray | None, f0: Any, scale: float,
             a_round: float) -> None:
    """A mismatch at h is a FAIL only if a probe at CONFIRM_STEP * h agrees with the
    first numerical value and disagrees with the analytic one as clearly (many small
    kinks can bias both h and h/2 alike; a bug shows at every step). The worst
    CONFIRM_TRIES mismatches are tried; the rest, and the unconfirmed, become "kink"."""
    bad = sorted((i for i, s in status.items() if s == "mismatch"),
                 key=lambda i: -abs(a[i] - probes[i].estimate) / max(1e-8, abs(a[i])))
    for n, idx in enumerate(bad):
        status[idx] = "kink"
        if n >= CONFIRM_TRIES:
            continue
        first = probes[idx]
        second = probe_gradient(evaluate, x, idx, h * CONFIRM_STEP, df, f0)
        d1 = SAFETY * first.uncertainty + a_round
        d2 = SAFETY * second.uncertainty + a_round
        if (not second.kink and abs(first.estimate - second.estimate) <= d1 + d2
                and abs(a[idx] - second.estimate) > d2):
            status[idx] = "mismatch"
            break


def checkable_model(model: Any) -> Any:
    """The object whose ``params`` and ``loss`` :func:`check_gradients` checks: ``model``
    itself, the network inside a fitted scikit-learn estimator (``model_``) or a loaded
    model file (``model``); an ensemble is refused (its members are each a network: check
    ``members[i]``), as is anything without CS231n's protocol, naming what is missing."""
    name = type(model).__name__
    if hasattr(model, "get_params") and not hasattr(model, "params"):  # an estimator
        if not hasattr(model, "model_"):
            raise InputError(f"check_gradients: this {name} is not fitted; call "
                             f"fit(X, y) first (its network is then est.model_).")
        model = model.model_
    elif not hasattr(model, "params") and hasattr(getattr(model, "model", None), "params"):
        model = model.model  # numpynn.load_model's SavedModel
    elif not hasattr(model, "params") and hasattr(getattr(model, "model", None), "members"):
        model = model.model
    if hasattr(model, "members") and not hasattr(model, "params"):
        raise InputError(f"check_gradients: an ensemble of {len(model.members)} networks "
                         "has no gradients of its own; check one member at a time: "
                         "check_gradients(ensemble.members[0], X, y).")
    missing = [a for a in ("params", "loss") if not hasattr(model, a)]
    if missing:
        raise InputError(
            f"check_gradients: the {type(model).__name__} given has no {' or '.join(missing)}; the "
            "model must follow CS231n's protocol: params (a dict name -> array) and "
            "loss(X, y) -> (loss, grads). For one layer's forward/backward pair use "
            "check_layer; for a file of your own code, numpynn gradcheck FILE.")
    return model


def as_float64_model(model: Any) -> Any:
    """``model`` itself if its parameters are float64, else a float64 copy: its
    ``astype(np.float64)`` if it has one, else a deep copy with the parameters cast."""
    if all(np.asarray(p).dtype == np.float64 for p in model.params.values()):
        return model
    if hasattr(model, "astype"):
        return model.astype(np.float64)
    clone = copy.deepcopy(model)
    for k, v in clone.params.items():
        clone.params[k] = np.array(v, dtype=np.float64)
    if hasattr(clone, "dtype"):
        clone.dtype = np.dtype(np.float64)
    return clone


def check_gradients(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    h: float = 1e-5,
    tol: float = DEFAULT_TOL,
    extended: bool = True,
    complex_step: bool = True,
    diagnose: bool = True,
) -> GradCheckReport:
    """Check ``model.loss``'s analytic gradients against numerical ones, three-valued.

    model: any object with ``params`` (name -> array) and ``loss(X, y) -> (loss, grads)``
    (CS231n's protocol: numpynn's MLP and TwoLayerNet, a course notebook's nets);
    X: (N, D); y: (N,). A float32 model is checked on a float64 copy (module docstring).
    X, y are copied before every call and the gradients copied as soon as returned.
    extended: evaluate the loss for the numerical gradients in ``np.longdouble`` on a
    copy of the model when its ``loss`` keeps that precision (a rounding floor about
    2000 times lower on x86); the analytic gradients are always the float64 model's.
    False, or a model that cannot run in longdouble: float64 only.
    complex_step: entries that centred differences leave unresolved are tried with
    complex-step derivatives on a complex128 copy of the model, when its ``loss`` keeps
    complex values and agrees with the centred differences where those are conclusive
    (:class:`ComplexStep`; it can clear an entry, never condemn one).
    diagnose: when only weights (or only biases) fail, check a copy at ``reg = 0`` to
    name the kind "regularisation" (:data:`KINDS`; factors and masks are named per row, a loss that
    differs between two calls is a FAIL of kind "random loss" before any probing).
    Returns one row per parameter, in ``params`` order.
    """
    model = as_float64_model(checkable_model(model))
    X = np.array(X, dtype=np.float64, copy=True)
    y = np.array(y, copy=True)
    restore = _freeze_randomness(model)
    before = {k: np.array(v, copy=True) for k, v in model.params.items()}
    value = model.loss(X.copy(), y.copy())
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and isinstance(value[1], (tuple, list))):
        names = ", ".join(f"{k!r}: d{k}" for k in model.params)
        raise ReturnError(f"loss(X, y) returned its gradients as a {type(value[1]).__name__} "
                          f"of {len(value[1])}; grads must be a dict with one entry per "
                          f"parameter, named as in params (grads = {{{names}}}), so that "
                          "each gradient is matched with its parameter")
    if not (isinstance(value, (tuple, list)) and len(value) == 2
            and hasattr(value[1], "items")):
        raise ReturnError(f"loss(X, y) returned {_describe(value)}; given labels y it must "
                          "return (loss, grads): the loss and a dict of gradients with one "
                          f"entry per parameter ({', '.join(model.params)})")
    loss64, grads = value
    if np.size(loss64) != 1:
        raise ReturnError(_loss_shape_message(np.shape(loss64), X.shape[0], type(loss64)))
    for name, param in model.params.items():
        if name not in grads:
            raise ReturnError(f"loss(X, y) returned no gradient for parameter {name!r}; "
                              "grads must hold one per entry of params "
                              f"({sorted(model.params)}); it holds {sorted(grads)}"
                              + _key_hint(name, grads))
        if np.shape(grads[name]) != np.shape(param):
            raise ReturnError(_shape_message(f"the gradient grads[{name!r}]", name,
                                             np.shape(grads[name]), np.shape(param),
                                             X.shape[0]))
    if loss64 is None or np.iscomplexobj(loss64) or not np.issubdtype(
            np.asarray(loss64).dtype, np.number):
        raise ReturnError(f"loss(X, y) returned {_describe(loss64)} as the loss; it must be "
                          "a number, the data loss plus the regularisation (the skeleton's "
                          "'loss = None' not filled in yet?)")
    if not np.isfinite(float(np.asarray(loss64, dtype=np.float64).reshape(()))):
        # before the second call: NaN != NaN would read as a random loss
        restore()
        report = GradCheckReport(title=repr(model))
        text = nan_loss_text("loss(X, y)", loss64, [np.asarray(grads[k], dtype=np.float64)
                                                    for k in model.params], "dscores")
        report.rows = [GradCheckRow(k, tuple(np.shape(v)), float("inf"), tol, FAIL,
                                    kind="not finite", kind_text=text)
                       for k, v in model.params.items()]
        return report
    grads = {k: np.array(v, dtype=np.float64, copy=True) for k, v in grads.items()}
    restore()
    report = GradCheckReport(title=repr(model))
    changed = [k for k, v in before.items() if k in model.params and not _same(
        np.asarray(model.params[k], dtype=np.float64), v.astype(np.float64))]
    if changed:
        for k in changed:  # put the parameters back as they were
            if np.shape(model.params[k]) == before[k].shape:
                np.copyto(model.params[k], before[k], casting="unsafe")
            else:
                model.params[k] = before[k]
        report.rows = [GradCheckRow(
            k, tuple(np.shape(v)), float("inf"), tol, FAIL, kind="changes params",
            kind_text=f"one call of loss(X, y) changed self.params[{k!r}]: "
                      + KINDS["changes params"]) for k, v in before.items() if k in changed]
        return report
    again = model.loss(X.copy(), y.copy())[0]
    restore()
    if not _close(again, loss64):
        text = (f"two calls of loss(X, y) with the same X, y and parameters gave "
                f"{float(np.asarray(loss64).reshape(())):.10g} and "
                f"{float(np.asarray(again).reshape(())):.10g}; " + KINDS["random loss"])
        report.rows = [GradCheckRow(k, tuple(np.shape(v)), float("inf"), tol, FAIL,
                                    kind="random loss", kind_text=text)
                       for k, v in model.params.items()]
        return report
    # The analytic gradients are the float64 model's; only the numerical side is
    # evaluated in extended precision, on a copy, when the model's loss keeps it.
    ext = _extended_model(model, X, y, loss64) if extended else None
    target, Xe = (ext, X.astype(np.longdouble)) if ext is not None else (model, X)
    restore_target = _freeze_randomness(target)

    def evaluate() -> Any:
        restore_target()  # the same dropout masks, the same buffers, at every evaluation
        return target.loss(Xe.copy(), y.copy())[0]

    states = []
    for name in model.params:
        states.append(_probe_array(name, grads[name], evaluate, target.params[name], h, tol,
                                   None))
    if complex_step and any(st.unresolved for st in states):
        report.complex_step = _model_complex_step(model, X, y, loss64, states, tol)
    report.rows = [_finish(st, tol, X.shape[0]) for st in states]
    restore()
    if any(r.verdict == INCONCLUSIVE for r in report.rows):
        coarse = _coarse_params(model, X, y, loss64, grads, restore,
                                [r.name for r in report.rows if r.verdict == INCONCLUSIVE])
        report.rows = [dataclasses.replace(r, cause="precision") if r.name in coarse else r
                       for r in report.rows]
    report.extended = ext is not None
    if diagnose:
        _diagnose_regularisation(report, model, X, y, h, tol, extended, complex_step)
        _diagnose_relu_mask(report, model, X, y, h, tol, extended, complex_step)
    _name_dimension_factor(report, model, X)
    report.rows = _name_swapped(report.rows, states)
    return report


def _name_dimension_factor(report: GradCheckReport, model: Any, X: np.ndarray) -> None:
    """Say which size a constant factor is made of, in place: a FAIL of kind "factor"
    whose ratio r (analytic / numerical) is N / k, 1 / k or k for a size k != N of the
    model's arrays (X (N, D), a weight (D, H) or (H, C)) divided by k where the loss
    divides by N (``dscores /= scores.shape[1]``: C for N), or by both, or not by k. The
    two agree where the sizes coincide (N = C), as in a check with square shapes."""
    N = X.shape[0]
    sizes: dict[int, str] = {}
    for key, value in list(model.params.items()) + [("X", X)]:
        for axis, k in enumerate(np.shape(value)[:2] if np.ndim(value) == 2 else ()):
            if k not in (1, N) and k not in sizes:
                sizes[k] = f"{key}.shape[{axis}]"
    last = sorted((str(k) for k in model.params if str(k)[:1] == "W" and str(k)[1:].isdigit()),
                  key=lambda k: int(k[1:]))
    if last and np.ndim(model.params[last[-1]]) == 2:
        sizes[int(np.shape(model.params[last[-1]])[1])] = (
            f"C, the number of classes ({last[-1]}.shape[1])")
    sizes.pop(N, None)
    for i, r in enumerate(report.rows):
        if r.verdict != FAIL or r.kind != "factor" or r.worst is None or not r.worst.numerical:
            continue
        ratio = r.worst.analytic / r.worst.numerical
        for k, where in sizes.items():
            for value, what in ((N / k, f"N / {k}: a division by {k} where the loss divides "
                                        f"by N = {N} (e.g. dscores /= scores.shape[1] or a "
                                        "mean over the wrong axis)"),
                                (1 / k, f"1 / {k}: an extra division by {k}"),
                                (float(k), f"{k}: a division by {k} missing")):
                if abs(ratio - value) <= 1e-3 * abs(value):
                    report.rows[i] = dataclasses.replace(r, kind_text=(
                        f"{r.kind_text} (the factor is {what}, {k} being {where}; with "
                        f"shapes where that size equals N the bug would not show)"))
                    break
            else:
                continue
            break


def _name_swapped(rows: list[GradCheckRow], states: list[_ArrayState]) -> list[GradCheckRow]:
    """Two failing parameters of one shape whose analytic gradients are each other's
    numerical ones (``grads["gamma1"] = dbeta``) get the kind "swapped"."""
    by_name = {st.name: st for st in states}
    out = list(rows)

    def agrees(analytic: np.ndarray, numerical: np.ndarray) -> bool:
        scale = float(np.abs(numerical).max(initial=0.0))
        return scale > 0 and float(np.abs(analytic - numerical).max()) <= RESOLUTION * scale

    failing = [i for i, r in enumerate(rows) if r.verdict == FAIL and r.name in by_name]
    for i, j in itertools.combinations(failing, 2):
        a, b = by_name[rows[i].name], by_name[rows[j].name]
        if a.a.shape == b.a.shape and agrees(a.a, b.num) and agrees(b.a, a.num):
            text = (f"grads[{rows[i].name!r}] and grads[{rows[j].name!r}] hold each other's "
                    "gradients: each parameter's gradient must be stored under its own name "
                    f"(grads[{rows[i].name!r}] = d{rows[i].name.rstrip('0123456789')}, ...)")
            out[i] = dataclasses.replace(rows[i], kind="swapped", kind_text=text)
            out[j] = dataclasses.replace(rows[j], kind="swapped", kind_text=text)
    return out


def _diagnose_regularisation(report: GradCheckReport, model: Any, X: np.ndarray,
                             y: np.ndarray, h: float, tol: float, extended: bool,
                             complex_step: bool) -> None:
    """Name the kind "regularisation" on the failing rows when only weights (``W...``),
    or only biases (``b...``: reg applied to them), fail, some other parameter passes,
    the model has ``reg > 0``, and the same check at ``reg = 0`` (on a copy) has no
    FAIL."""
    failing = [r for r in report.rows if r.verdict == FAIL]
    reg = getattr(model, "reg", None)
    if not failing or not isinstance(reg, (int, float, np.floating)) or not reg > 0:
        return
    biases = all(r.name.startswith("b") for r in failing)
    only = (biases or all(r.name.startswith("W") for r in failing)) and any(
        r.verdict == PASS for r in report.rows)
    # a ratio blurred by the reg term: the biases name a kind, the weights none
    unnamed = [r for r in failing if r.kind is None]
    blurred = (0 < len(unnamed) < len(failing)
               and all(r.name.startswith("W") for r in unnamed))
    if not (only or blurred):
        return
    try:
        clone = copy.deepcopy(model)
        clone.reg = 0.0
        at_zero = check_gradients(clone, X, y, h, tol, extended, complex_step, diagnose=False)
    except Exception:  # noqa: BLE001 - a model whose reg cannot be set: no diagnosis
        return
    if at_zero.verdict == FAIL:
        # the reg term blurs a ratio (analytic = N x data term + reg W): the kind the
        # numbers show at reg 0 is named on the rows that named none
        zero = {r.name: r for r in at_zero.rows}
        for i, r in enumerate(report.rows):
            z = zero.get(r.name)
            if r.verdict == FAIL and r.kind is None and z is not None and z.kind:
                report.rows[i] = dataclasses.replace(r, kind=z.kind, kind_text=(
                    f"{z.kind_text or KINDS[z.kind]} (seen in the same check at reg = 0, "
                    "where the regularisation term does not blur the ratio)"))
        return
    if not only:
        return
    text = KINDS["regularisation"] + f" (reg = {reg:g} here)"
    if biases:
        text = ("only the biases fail, and they pass at reg 0: the regularisation term's "
                "gradient is added to the biases (reg * b), whose loss has no reg term; "
                f"CS231n regularises the weights W only (reg = {reg:g} here)")
    for i, r in enumerate(report.rows):
        if r.verdict == FAIL:
            report.rows[i] = dataclasses.replace(r, kind="regularisation", kind_text=text)


def _diagnose_relu_mask(report: GradCheckReport, model: Any, X: np.ndarray, y: np.ndarray,
                        h: float, tol: float, extended: bool, complex_step: bool) -> None:
    """Name the kind "mask" on the failing rows of an affine - ReLU network (params
    ``W1, b1, ..., WL, bL`` only) when only layers below the last fail, with no kind
    named, and the same check passes on a copy whose hidden biases are raised until every
    ReLU input is positive (every mask 1): the ReLU's mask is wrong or never applies
    (assignment 1's ``dh1[h1 < 0] = 0`` on the ReLU's output)."""
    failing = [r for r in report.rows if r.verdict == FAIL]
    keys = set(model.params)
    layers = sum(1 for k in keys if str(k).startswith("W"))
    if (not failing or any(r.kind is not None for r in failing) or layers < 2
            or keys != {f"{p}{i}" for p in "Wb" for i in range(1, layers + 1)}
            or any(r.name in (f"W{layers}", f"b{layers}") for r in failing)):
        return
    try:
        clone = copy.deepcopy(model)
        act = np.asarray(X, dtype=np.float64).reshape(X.shape[0], -1)
        columns = getattr(model, "column_major", False)  # deeplearning.ai's W (out, in)
        if columns:
            act = act.T
        for i in range(1, layers):
            b, W = clone.params[f"b{i}"], np.asarray(clone.params[f"W{i}"], dtype=np.float64)
            z = W @ act + b if columns else act @ W + b
            b[...] = b + np.maximum(0.0, 0.5 - z.min(axis=1 if columns else 0,
                                                     keepdims=columns))
            act = W @ act + b if columns else act @ W + b
        active = check_gradients(clone, X, y, h, tol, extended, complex_step, diagnose=False)
    except Exception:  # noqa: BLE001 - a model of another shape: no diagnosis
        return
    if active.verdict != PASS:
        if not columns:
            _diagnose_mask_from_dout(report, model, X, y, layers)
        return
    text = ("only the layers below a ReLU fail, and they pass where every ReLU input is "
            "positive (biases raised, every mask 1): the ReLU's mask in the backward pass "
            "is wrong or never applies. Take it from the pre-activation, dh1 * (z1 > 0), "
            "or from the ReLU's output with <=: dh1[h1 <= 0] = 0 (after a ReLU, h1 < 0 "
            "is never true)")
    report.rows = [dataclasses.replace(r, kind="mask", kind_text=text)
                   if r.verdict == FAIL else r for r in report.rows]


def _diagnose_mask_from_dout(report: GradCheckReport, model: Any, X: np.ndarray,
                             y: np.ndarray, layers: int) -> None:
    """Name the kind "mask" on the failing rows of an affine - ReLU - ... - affine -
    softmax network (``W1, b1, ..., WL, bL``; X (N, D), y (N,)) whose hidden biases'
    gradients are those of a backward pass that takes each ReLU's mask from the upstream
    gradient (``dh1[dh1 <= 0] = 0``) instead of the ReLU's input, while its last bias's
    is the softmax's ``sum((P - Y) / N)``; computed here from the parameters."""
    try:
        p = {k: np.asarray(v, dtype=np.float64) for k, v in model.params.items()}
        grads = dict(model.loss(X.copy(), y.copy())[1])
        act = np.asarray(X, dtype=np.float64).reshape(X.shape[0], -1)
        for i in range(1, layers):
            act = np.maximum(0.0, act @ p[f"W{i}"] + p[f"b{i}"])
        scores = act @ p[f"W{layers}"] + p[f"b{layers}"]
        dscores = softmax_cross_entropy(scores, y)[1]
        if not np.allclose(grads[f"b{layers}"], dscores.sum(axis=0), rtol=1e-6, atol=1e-12):
            return
        # the upstream gradient's own sign as the mask, at every hidden layer
        g, same = dscores @ p[f"W{layers}"].T, True
        for i in range(layers - 1, 0, -1):
            dz = g * (g > 0)
            want = dz.sum(axis=0)
            same = same and np.allclose(np.asarray(grads[f"b{i}"], dtype=np.float64), want,
                                        rtol=1e-6, atol=1e-9 * max(np.abs(want).max(), 1e-300))
            g = dz @ p[f"W{i}"].T
    except Exception:  # noqa: BLE001 - a model of another shape or loss: no diagnosis
        return
    if not same:
        return
    text = ("the hidden layers' gradients are those of a ReLU mask taken from the upstream "
            "gradient (dh1[dh1 <= 0] = 0, dh1 * (dh1 > 0)) instead of the ReLU's input: "
            "the mask is where the forward pass's input was positive, dh1[h1 <= 0] = 0 (h1 "
            "the ReLU's output) or dh1 * (z1 > 0)")
    report.rows = [dataclasses.replace(r, kind="mask", kind_text=text)
                   if r.verdict == FAIL else r for r in report.rows]


def _model_complex_step(model: Any, X: np.ndarray, y: np.ndarray, loss64: Any,
                        states: list[_ArrayState], tol: float) -> bool:
    """Settle unresolved entries by complex steps on a complex128 copy of ``model`` if its
    ``loss`` keeps complex values close to the float64 loss; returns whether it did."""
    clone = _cast_model(model, np.complex128)
    if clone is None:
        return False
    restore = _freeze_randomness(clone)

    def evaluate() -> Any:
        restore()
        return clone.loss(X.copy(), y.copy())[0]

    try:
        with _complex_errors():
            base = evaluate()
        value = np.asarray(base)
        if value.dtype.kind != "c" or value.size != 1 or not _close(value.real, loss64):
            return False
        steps = [ComplexStep(evaluate, clone.params[st.name], base=base) for st in states]
    except Exception:  # noqa: BLE001 - a model that cannot run on complex numbers
        return False
    return _resolve_by_complex_step(states, steps, tol)


def nan_loss_text(call: str, loss: Any, gradients: list[np.ndarray], grad_name: str) -> str:
    """Why a loss came back NaN or inf on the check's small scores (no overflow there),
    and, when its gradient is finite, the usual cause: the probabilities edited in place."""
    text = (f"{call} returned the loss {float(np.asarray(loss, dtype=np.float64).reshape(()))}"
            " on small scores (no exp overflows there): a log of 0 or of a negative "
            "number, or 0 / 0")
    if gradients and all(np.all(np.isfinite(g)) for g in gradients):
        text += (f". The gradient is finite, so the loss most likely reads an array that the "
                 f"gradient's code edited afterwards or before: {grad_name} = probs (no copy) "
                 f"then {grad_name}[np.arange(N), y] -= 1 also makes probs[np.arange(N), y] "
                 "p - 1 < 0, whose log is NaN; write "
                 f"{grad_name} = probs.copy(), or compute the loss before the gradient")
    return text + ": " + KINDS["not finite"]


def _key_hint(name: str, grads: Any) -> str:
    """What to rename when ``grads`` holds ``name`` under another spelling ('w1', 'dW1',
    'grad_W1' for 'W1'): dict keys are matched exactly, case included."""
    near = [k for k in grads if isinstance(k, str) and k != name and (
        k.lower() == name.lower() or k.lower().lstrip("d_") == name.lower()
        or k.lower() in (f"grad_{name.lower()}", f"d{name.lower()}", f"grad{name.lower()}"))]
    if not near:
        return ""
    return (f": its key {near[0]!r} is {name!r} spelled otherwise (keys are matched exactly, "
            f"upper and lower case included): name each gradient as its parameter, "
            f"grads[{name!r}] = ...")


def _loss_shape_message(shape: tuple[int, ...], n: int, kind: type) -> str:
    """What a model's ``loss(X, y)`` returning more than one number as the loss means."""
    what = (f"an array of shape {shape}" if kind is np.ndarray
            else f"{kind.__name__} of shape {shape}")
    if shape == (n,):
        why = (f"one loss per example (N = {n}): the per-example losses, e.g. "
               "-np.log(probs[np.arange(N), y]), not yet averaged")
    elif len(shape) == 2 and shape[0] == n:
        why = (f"an N x {shape[1]} array (N = {n}): a loss per score, e.g. -Y * np.log(probs) "
               "or the margins, not yet summed over the classes and averaged")
    else:
        why = "more than one value: an np.sum or np.mean over the right axes is missing"
    return (f"loss(X, y) returned the loss as {what}, {why}; the loss must be one number, "
            "the mean over the batch: loss = np.sum(per_example_losses) / N (the gradient "
            "check differentiates that one number, and the Solver's loss_history expects it)")


def _describe(value: Any) -> str:
    """A returned value as a learner recognises it: its type, and its shape if an array."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return (f"a {type(value).__name__} of {len(value)} values ("
                + ", ".join(type(v).__name__ for v in value[:4]) + ")")
    return f"a {type(value).__name__}"


def _cast_model(model: Any, dtype: Any) -> Any:
    """A deep copy of ``model`` with parameters and buffers (and a ``dtype`` attribute)
    cast to ``dtype``, or None if it cannot be copied so."""
    try:
        clone = copy.deepcopy(model)
        if clone.params is model.params:  # shared, not copied: leave the model alone
            return None
        for k in list(clone.params):
            clone.params[k] = np.array(clone.params[k], dtype=dtype)
        buffers = getattr(clone, "buffers", None)
        if isinstance(buffers, dict):
            for k in list(buffers):
                buffers[k] = np.array(buffers[k], dtype=dtype)
        if isinstance(getattr(clone, "dtype", None), np.dtype):
            clone.dtype = np.dtype(dtype)
    except Exception:  # noqa: BLE001 - a model that cannot be copied or cast
        return None
    return clone


def _close(value: Any, loss64: Any) -> bool:
    """True when ``value`` is within 1e-9 (relative, at least absolute) of ``loss64``."""
    l64 = float(np.asarray(loss64).reshape(()))
    v = float(np.asarray(value, dtype=np.float64).reshape(()))
    return bool(np.isfinite(l64) and abs(v - l64) <= 1e-9 * max(1.0, abs(l64)))


def _extended_model(model: Any, X: np.ndarray, y: np.ndarray, loss64: Any) -> Any:
    """A copy of ``model`` with parameters and buffers in ``np.longdouble`` if its
    ``loss`` computes in it (returns a longdouble loss close to the float64 one), else
    None (e.g. a layer calls ``scipy.special.erf``, which has no longdouble loop, or the
    loss is returned as a Python float)."""
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        return None
    clone = _cast_model(model, np.longdouble)
    if clone is None:
        return None
    try:
        restore = _freeze_randomness(clone)
        with np.errstate(all="ignore"):
            loss = clone.loss(X.astype(np.longdouble), y.copy())[0]
        restore()
    except Exception:  # noqa: BLE001 - a model that cannot run in longdouble: float64
        return None
    value = np.asarray(loss)
    if value.dtype != np.longdouble or value.size != 1:
        return None
    return clone if _close(value, loss64) else None


def _freeze_randomness(model: Any) -> Callable[[], None]:
    """A function that puts back the model's random generator (``rng``, which dropout
    draws from) and its buffers (running statistics) as they are now, so that every
    evaluation of a training-mode loss computes the same function."""
    rng = getattr(model, "rng", None)
    rng_state = rng.bit_generator.state if isinstance(rng, np.random.Generator) else None
    buffers = getattr(model, "buffers", None)
    saved = {k: v.copy() for k, v in buffers.items()} if isinstance(buffers, dict) else {}

    def restore() -> None:
        if rng_state is not None:
            rng.bit_generator.state = rng_state
        for k, v in saved.items():
            np.copyto(buffers[k], v)

    return restore


def _extended_inputs(forward: Callable[..., Any], arrays: list[np.ndarray],
                     out: np.ndarray) -> list[np.ndarray] | None:
    """longdouble copies of ``arrays`` if ``forward`` computes in longdouble (returns a
    longdouble output close to its float64 one), else None."""
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        return None
    ext = [a.astype(np.longdouble) for a in arrays]
    try:
        with np.errstate(all="ignore"):
            out_ext = np.asarray(forward(*[e.copy() for e in ext])[0])
    except Exception:  # noqa: BLE001 - a forward that cannot take longdouble is checked in float64
        return None
    if out_ext.dtype != np.longdouble or out_ext.shape != np.shape(out):
        return None
    if not np.allclose(out_ext.astype(np.float64), out, rtol=1e-9, atol=1e-12):
        return None
    return ext


def check_layer(
    forward: Callable[..., tuple[np.ndarray, object]],
    backward: Callable[[np.ndarray, object], object],
    *inputs: np.ndarray,
    names: Sequence[str] | None = None,
    h: float = 1e-5,
    tol: float = DEFAULT_TOL,
    seed: int = 0,
    extended: bool = True,
    complex_step: bool = True,
) -> GradCheckReport:
    """Check a layer of your own: ``forward(*inputs) -> (out, cache)`` and
    ``backward(dout, cache) -> (d_input_1, d_input_2, ...)`` (one array if one input).

    A random upstream gradient ``dout`` (from ``stream(seed, "dout")``, never equal to
    an input drawn from the same seed) stands in for the rest of the network; each
    input's analytic gradient is compared with the numerical gradient of
    ``sum(forward(*inputs)[0] * dout)``, three-valued (module docstring), and a FAIL
    names its kind when the numbers show one (:func:`bug_kind`). Inputs and ``dout`` are
    copied before every call, so in-place forward and backward passes are checked
    correctly; a row ``forward`` or ``backward`` is added as a FAIL when the layer is
    random (two forwards on equal inputs differ: kind "random loss") or edits what it
    must not (a second forward on the same arrays, or a second backward on the same
    cache, gives another result: kind "in place").

    extended: evaluate the forward pass in ``np.longdouble`` when it keeps that
    precision (lower rounding floor); False for float64 only. complex_step:
    entries left unresolved are tried with complex-step derivatives of the forward pass
    when it keeps complex values (:class:`ComplexStep`; clears, never condemns).

    Example::

        report = check_layer(affine_forward, affine_backward, x, w, b, names="xwb")
        print(report)
    """
    arrays = [np.array(a, dtype=np.float64, copy=True) for a in inputs]
    labels = list(names) if names is not None else [f"input{i}" for i in range(len(arrays))]
    if len(labels) != len(arrays):
        raise InputError(f"names has {len(labels)} entries for {len(arrays)} inputs.")
    out, cache = forward(*[a.copy() for a in arrays])
    out = np.array(out, dtype=np.float64, copy=True)
    dout = stream(seed, "dout").standard_normal(out.shape)
    given = dout.copy()
    analytic = backward(given, cache)
    edits_dout = given.shape == dout.shape and not _same(given, dout)
    if isinstance(analytic, list) and len(arrays) == 1 and len(analytic) != 1 and np.shape(
            analytic) == arrays[0].shape:  # the rows of one gradient, not gradients
        raise ReturnError(
            f"backward returned a Python list of {len(analytic)} rows (shape "
            f"{np.shape(analytic)} as an array), not a NumPy array: return the gradient "
            f"d{labels[0]} as an array (np.array(...), or compute it with NumPy's operations on "
            "whole arrays); the layers before it call array methods on it")
    if isinstance(analytic, np.ndarray):
        analytic = (analytic,)
    analytic = tuple(np.array(g, dtype=np.float64, copy=True) for g in analytic)
    call_rows = _call_checks(forward, backward, arrays, labels, out, dout, cache, analytic,
                             tol)
    if len(analytic) != len(arrays):
        raise ReturnError(
            f"backward returned {len(analytic)} gradients for {len(arrays)} inputs "
            f"({', '.join(labels)}); it must return one gradient per input, in the order "
            f"forward takes them: return {', '.join('d' + str(lab) for lab in labels)}."
        )
    ext = _extended_inputs(forward, arrays, out) if extended else None
    work = ext if ext is not None else arrays
    df = dout.astype(work[0].dtype) if work else dout
    report = GradCheckReport(title=getattr(forward, "__name__", "layer"))
    if edits_dout:
        report.notes.append(DOUT_EDITED)

    def evaluate() -> np.ndarray:
        return np.asarray(forward(*[a.copy() for a in work])[0])

    states = []
    for k, (label, grad) in enumerate(zip(labels, analytic)):
        if grad.shape != arrays[k].shape:
            raise ReturnError(_shape_message(
                f"backward's gradient for {label} (d{label})", label, grad.shape,
                arrays[k].shape, arrays[0].shape[0] if arrays[0].ndim else None))
        states.append(_probe_array(label, grad, evaluate, work[k], h, tol, df))
    if complex_step and any(st.unresolved for st in states):
        report.complex_step = _layer_complex_step(forward, arrays, out, dout, states, tol)
    batch = arrays[0].shape[0] if arrays and arrays[0].ndim else None
    report.rows = [_finish(st, tol, batch) for st in states] + call_rows
    if any(r.verdict == INCONCLUSIVE for r in report.rows):
        coarse = _coarse_inputs(forward, arrays, labels, out)
        report.rows = [dataclasses.replace(r, cause="precision")
                       if r.verdict == INCONCLUSIVE and r.name in coarse else r
                       for r in report.rows]
    return report


def _coarse_inputs(forward: Callable[..., Any], arrays: list[np.ndarray], labels: list[str],
                   out: np.ndarray) -> set[str]:
    """The inputs a move of a relative 1e-9 (far above float64's rounding, below
    float32's) leaves the forward's output exactly unchanged by: the layer computes in
    float32 (or less), which no step h can resolve (cause "precision", not a kink)."""
    coarse = set()
    for k, label in enumerate(labels):
        moved = [a.copy() for a in arrays]
        moved[k] = moved[k] * (1 + 1e-9) + 1e-9 * (moved[k] == 0)
        try:
            again = np.asarray(forward(*moved)[0], dtype=np.float64)
        except Exception:  # noqa: BLE001 - the learner's forward: no diagnosis then
            continue
        if again.shape == out.shape and np.any(out != 0) and np.array_equal(again, out):
            coarse.add(label)
    return coarse


def _coarse_params(model: Any, X: np.ndarray, y: np.ndarray, loss64: Any,
                   grads: dict[str, np.ndarray], restore: Callable[[], None],
                   names: list[str]) -> set[str]:
    """The parameters (of ``names``) the model's loss sees only through float32: its
    ``loss`` computes in float32 (``W1.astype(np.float32)``, ``dtype=np.float32``
    arrays), whose rounding no step h can resolve (cause "precision", where the rows
    would otherwise blame ReLU kinks). The test: with the parameter at its float32 values
    r, a move of a quarter of float32's spacing away from zero (which rounds back to r in
    float32) of the entries whose moves change the loss the same way (no cancelling)
    leaves the loss exactly as it was, where the gradient says float64 would see
    it change (by over 1e-12 of the loss), at ``reg = 0`` where the model has a ``reg``
    (the penalty sees W in float64). The parameters are put back as they were."""
    coarse: set[str] = set()
    scale = abs(float(np.asarray(loss64, dtype=np.float64).reshape(())))
    if not np.isfinite(scale):
        return coarse
    with np.errstate(all="ignore"):
        for name in names:
            param = model.params[name]
            if not isinstance(param, np.ndarray) or param.dtype != np.float64:
                continue
            r32 = param.astype(np.float32)
            if not np.all(np.isfinite(r32)):
                continue
            r = r32.astype(np.float64)
            delta = np.sign(r) * 0.25 * np.spacing(np.abs(r32)).astype(np.float64)
            # only the entries whose moves change the loss the same way: no cancelling
            g = np.asarray(grads[name], dtype=np.float64)
            ahead = g * delta > 0
            if np.sum(g * delta * ahead) < -np.sum(g * delta * ~ahead):
                ahead = g * delta < 0
            delta = delta * ahead
            if abs(float(np.sum(np.asarray(grads[name]) * delta))) <= 1e-12 * max(scale,
                                                                                1e-300):
                continue  # float64 could not see the move either: no diagnosis
            old, reg = param.copy(), getattr(model, "reg", None)
            try:
                if isinstance(reg, (int, float, np.floating)) and reg:
                    model.reg = 0.0  # the penalty sees W in float64 whatever the loss does
                values = []
                for point in (r, r + delta):
                    np.copyto(param, point)
                    values.append(float(np.asarray(model.loss(X.copy(), y.copy())[0],
                                                   dtype=np.float64).reshape(())))
                    restore()
            except Exception:  # noqa: BLE001 - the learner's loss: no diagnosis then
                continue
            finally:
                np.copyto(param, old)
                if isinstance(reg, (int, float, np.floating)) and reg:
                    model.reg = reg
                restore()
            if values[0] == values[1]:
                coarse.add(name)
    return coarse


def _same(a: Any, b: Any) -> bool:
    """Equal shapes and values to 1e-10 (relative): a multithreaded BLAS may sum in
    another order on a second call; a random mask or an in-place edit differs by far more."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    return bool(np.allclose(a, b, rtol=1e-10, atol=1e-300, equal_nan=True))


def _call_checks(forward: Callable[..., Any], backward: Callable[..., Any],
                 arrays: list[np.ndarray], labels: list[str], out: np.ndarray,
                 dout: np.ndarray, cache: Any, analytic: tuple[np.ndarray, ...],
                 tol: float) -> list[GradCheckRow]:
    """FAIL rows for a layer that is random (two forwards on equal inputs differ) or
    works in place where it must not: a second forward on the same (not copied) arrays
    gives another output or changes the first one, or a second backward on the same
    cache gives other gradients (the seed's ``da1 = a1; da1[a1 > 0] = 1``)."""
    again = np.array(forward(*[a.copy() for a in arrays])[0], dtype=np.float64, copy=True)
    if not _same(again, out):
        return [GradCheckRow("forward", out.shape, rel_error(again, out) if
                             again.shape == out.shape else float("inf"), tol, FAIL,
                             kind="random loss",
                             kind_text="two forward passes on equal inputs gave different "
                             "outputs, so no gradient can be checked: draw the randomness "
                             "from a seed given in the param dict (np.random.seed(param"
                             "['seed']) when 'seed' is in it)")]
    rows = []
    shared = [a.copy() for a in arrays]
    first = forward(*shared)[0]
    kept = np.array(first, dtype=np.float64, copy=True)
    second = np.array(forward(*shared)[0], dtype=np.float64, copy=True)
    if not _same(second, kept) or not _same(np.asarray(first, dtype=np.float64), kept):
        changed = [lab for lab, a, b in zip(labels, shared, arrays) if not _same(a, b)]
        what = (f"it changed its input {', '.join(changed)} in place" if changed else
                "it overwrites an array a previous output still uses")
        rows.append(GradCheckRow("forward", out.shape, rel_error(second, kept) if
                                 second.shape == kept.shape else float("inf"), tol, FAIL,
                                 kind="in place", kind_text="calling forward a second time "
                                 f"on the same arrays gave another output: {what}; copy "
                                 "before editing (out = x.copy() or x * mask, not x *= mask)"))
    twice = backward(dout.copy(), cache)
    twice = (twice,) if isinstance(twice, np.ndarray) else tuple(twice)
    if len(twice) != len(analytic) or not all(_same(np.asarray(g, dtype=np.float64), a)
                                              for g, a in zip(twice, analytic)):
        rows.append(GradCheckRow("backward", out.shape, float("inf"), tol, FAIL,
                                 kind="in place", kind_text="calling backward a second time "
                                 "with the same cache gave other gradients: it edits an array "
                                 "of its cache in place (as the seed's da1 = a1; da1[a1 > 0] "
                                 "= 1 edits the activation); copy it first"))
    return rows


def _layer_complex_step(forward: Callable[..., Any], arrays: list[np.ndarray], out: np.ndarray,
                        dout: np.ndarray, states: list[_ArrayState], tol: float) -> bool:
    """Settle unresolved entries by complex steps of ``forward`` on complex128 copies of
    the inputs, if its output keeps complex values close to the float64 output."""
    work = [a.astype(np.complex128) for a in arrays]

    def evaluate() -> Any:
        return forward(*[a.copy() for a in work])[0]

    try:
        with _complex_errors():
            base = np.asarray(evaluate())
        if (base.dtype.kind != "c" or base.shape != np.shape(out)
                or not np.allclose(base.real, out, rtol=1e-9, atol=1e-12)):
            return False
        steps = [ComplexStep(evaluate, work[k], dout, base) for k in range(len(states))]
    except Exception:  # noqa: BLE001 - a forward that cannot run on complex numbers
        return False
    return _resolve_by_complex_step(states, steps, tol)


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
    _, dscores = softmax_cross_entropy(scores.copy(), labels)
    loss_report.rows.append(check_array(
        "scores", dscores, lambda: softmax_cross_entropy(scores.copy(), labels)[0], scores))
    reports.append(loss_report)
    reports += registry_checks(seed)
    for depth in (1, 2, 3, 4):
        for reg in (0.0, 0.1):
            hidden = [7, 6, 5, 4][:depth]
            model, X, y = well_conditioned_problem(9, 5, hidden, 4, reg, seed=seed)
            report = check_gradients(model, X, y)
            report.title = f"MLP hidden={hidden} reg={reg}"
            reports.append(report)
    return reports


#: Options for registered layers that need some to be built (the rest use defaults).
LAYER_OPTIONS = {"affine": {"units": 3}}


def registry_checks(seed: int = 0) -> list[GradCheckReport]:
    """Every registered layer (:data:`numpynn.layers.LAYERS`), its readable pair checked
    through the Layer interface (input and parameters), and a network using it
    (``affine -> layer -> affine``, reg 0.1): a layer added to the registry is checked
    here with no other change. Inputs stay clear of kinks (|x| >= 0.1)."""

    reports = []
    for name in sorted(LAYERS):
        layer = LAYERS[name](**LAYER_OPTIONS.get(name, {}))
        rng = np.random.default_rng(seed)
        d = 5
        x = rng.standard_normal((4, d))
        x = np.sign(x) * (0.1 + np.abs(x))
        specs = layer.param_specs(d)
        params = [rng.standard_normal(spec.shape) * 0.5 + (1.0 if spec.init == "ones" else 0.0)
                  for spec in specs]
        buffers = {spec.name: (np.ones if spec.init == "ones" else np.zeros)(spec.shape)
                   for spec in layer.buffer_specs(d)}
        names = [spec.name for spec in specs]

        def forward(x, *ps, layer=layer, names=names, buffers=buffers):
            fixed = np.random.default_rng(seed)  # dropout: the same mask every call
            local = {k: np.copy(v) for k, v in buffers.items()}
            return layer.forward(x, dict(zip(names, ps)), local, True, fixed)

        def backward(dout, cache, layer=layer, names=names):
            dx, dparams = layer.backward(dout, cache)
            return (dx, *[dparams[n] for n in names])

        report = check_layer(forward, backward, x, *params, names=["x", *names], seed=seed)
        report.title = f"layer {name}"
        reports.append(report)
        net = Network(d, [LAYERS["affine"](units=6), layer, LAYERS["affine"](units=3)],
                      reg=0.1, weight_scale=1.0, dtype=np.float64, seed=seed)
        for key, value in net.params.items():
            if key.startswith("b"):
                value[...] = 0.1 * rng.standard_normal(value.shape)
        X = rng.standard_normal((6, d))
        yy = rng.integers(0, 3, 6)
        report = check_gradients(net, X, yy)
        report.title = f"network affine -> {name} -> affine"
        reports.append(report)
    return reports
