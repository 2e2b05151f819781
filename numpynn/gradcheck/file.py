"""Check a learner's own layers and models: every CS231n-named function and model class
in a module.

``check_module(module)`` looks for the names CS231n's assignments use
(the course pairs of the layer registry, :data:`numpynn.layers.registry.COURSE`:
``affine_forward``/``affine_backward``, ``relu_*``, ``affine_relu_*``,
``sigmoid_*``, ``tanh_*``, ``leaky_relu_*``, ``batchnorm_forward``/``batchnorm_backward``
and ``batchnorm_backward_alt``, ``layernorm_*`` (and ``layernorm_backward_alt``),
``dropout_*``; assignment 2's CNN functions, :data:`CNN_FUNCTIONS`, checked against
numerical gradients only; assignment 3's recurrent functions (``rnn_step_*``, ``rnn_*``,
``lstm_step_*``, ``lstm_*``, ``word_embedding_*``: :data:`numpynn.gradcheck.recurrent.RECURRENT`),
against numerical gradients only; the losses ``softmax_loss``, ``svm_loss``; and the update
rules of ``optim.py``, :data:`OPTIM_STATE`), calls each on
inputs whose shapes numpynn chooses, every input and ``dout`` drawn from its own stream
(:func:`numpynn.gradcheck.checks.stream`), and checks it:

* against numerical gradients (:func:`numpynn.gradcheck.checks.check_layer`, three-valued, the
  kind of bug named in a FAIL);
* against numpynn's own implementation where it has one (:data:`REFERENCES`, a lookup
  table ``name -> (forward, backward)``; :func:`register_reference` adds more): the
  forward outputs and the gradients for the same ``dout`` must agree;
* an update rule (``sgd``, ``sgd_momentum``, ``rmsprop``, ``adam``) against numpynn's
  (:mod:`numpynn.cs231n.optim`) for three steps: next_w and the config's state
  (:func:`_optim_checks`);
* in train and test mode with the course's statistical checks (:data:`BEHAVIOUR`:
  dropout, batch norm, layer norm), and batchnorm_backward against
  batchnorm_backward_alt (difference and a warmed-up timing, :func:`compare_backwards`).

Classes defined in the module with ``params`` and ``loss(X, y=None)`` are built with the
course's arguments (:func:`_course_instances`) and checked with
:func:`numpynn.gradcheck.checks.check_gradients`, and in test mode (``loss(X)``:
:func:`_model_test_mode`). A function still returning the course's stub
(None) is listed as not implemented yet; an exception, ``SystemExit`` included, is that
function's FAIL with the learner's file and line.

Parameter dicts are built fresh for every call: ``bn_param = {"mode": "train"}``,
``ln_param = {}``, ``dropout_param = {"mode": "train", "p": 0.7, "seed": 123}`` (the
fixed seed makes the mask the same in every call, as CS231n's checks do).
Importing the file, in a child process, is the CLI's job (``numpynn gradcheck --file``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import inspect
import io
import itertools
import os
import re
import sys
import time
import traceback
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from ..cs231n.optim import COURSE_RULES
from ..layers import (
    affine_backward,
    affine_forward,
    batchnorm_forward,
    layernorm_forward,
)
from ..layers.registry import COURSE
from ..losses import softmax, softmax_cross_entropy, svm_loss
from .checks import (
    FAIL,
    INCONCLUSIVE,
    KINDS,
    PASS,
    Entry,
    GradCheckReport,
    GradCheckRow,
    ReturnError,
    _describe,
    bug_kind,
    check_array,
    check_gradients,
    check_layer,
    nan_loss_text,
    stream,
)
from .recurrent import RECURRENT, Recurrent, recurrent_hint, temporal_loss_value
from .styles import NIELSEN_SIZES, ng_networks, nielsen_networks, other_styles

# Forward outputs and gradients must match numpynn's to this (relative to the largest entry).
REFERENCE_TOL = 1e-6


@dataclass(frozen=True)
class LayerSpec:
    """How to call one CS231n layer: its differentiable inputs (names and a maker of the
    arrays from a seed, each input from its own stream: :func:`numpynn.gradcheck.checks.stream`)
    and its constant trailing arguments (made fresh per call)."""

    names: tuple[str, ...]
    make: Callable[[int], list[np.ndarray]]
    extra: Callable[[], tuple[Any, ...]] = lambda: ()


def _draw(seed: int, name: str, shape: tuple[int, ...]) -> np.ndarray:
    return stream(seed, name).standard_normal(shape)


def _away_from_zero(a: np.ndarray) -> np.ndarray:
    """Entries moved at least 0.05 away from 0 (ReLU-like kinks sit at 0)."""
    return np.where(np.abs(a) < 0.05, np.sign(a) * 0.05 + (a == 0) * 0.05, a)


def _affine_inputs(seed: int) -> list[np.ndarray]:
    # x (N, d1, d2) flattens to D = 6, as CS231n's affine test: w (D, M), b (M,)
    return [_draw(seed, "x", (4, 2, 3)), _draw(seed, "w", (6, 5)), _draw(seed, "b", (5,))]


def _norm_inputs(seed: int) -> list[np.ndarray]:
    return [3 * _draw(seed, "x", (6, 5)) + 2, 1 + 0.5 * _draw(seed, "gamma", (5,)),
            _draw(seed, "beta", (5,))]


def _kinked(seed: int) -> list[np.ndarray]:
    return [_away_from_zero(_draw(seed, "x", (4, 5)))]


#: how a check draws each kind of a layer's sample inputs (:attr:`CoursePair.sample`)
SAMPLES: dict[str, Callable[[int], list[np.ndarray]]] = {
    "plain": lambda s: [_draw(s, "x", (4, 5))],
    "kinked": _kinked,
    "positive": lambda s: [_draw(s, "x", (4, 5)) + 1],
    "affine": _affine_inputs,
    "norm": _norm_inputs,
}


def _layer_specs() -> dict[str, LayerSpec]:
    """The course functions a learner's file is searched for, from the layer registry
    (:data:`numpynn.layers.registry.COURSE`: each layer's :class:`CoursePair`)."""
    return {name: LayerSpec(pair.inputs, SAMPLES[pair.sample],
                            (lambda p=pair.param: (p(),)) if pair.param else (lambda: ()))
            for name, pair in COURSE.items()}


def _conv_inputs(seed: int) -> list[np.ndarray]:
    # CS231n's conv test shapes, smaller: x (N, C, H, W), w (F, C, HH, WW), b (F,)
    return [_draw(seed, "x", (2, 3, 5, 5)), _draw(seed, "w", (3, 3, 3, 3)),
            _draw(seed, "b", (3,))]


def _pool_inputs(seed: int) -> list[np.ndarray]:
    # distinct values 0.1 apart (in a random order): no two entries of a pooling window
    # within h of each other, where max has no derivative
    x = stream(seed, "x").permutation(2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    return [0.1 * x - 4.0]


def _spatial_norm_inputs(seed: int) -> list[np.ndarray]:
    return [3 * _draw(seed, "x", (2, 3, 4, 4)) + 2, 1 + 0.5 * _draw(seed, "gamma", (3,)),
            _draw(seed, "beta", (3,))]


_CONV_PARAM = {"stride": 1, "pad": 1}
_POOL_PARAM = {"pool_height": 2, "pool_width": 2, "stride": 2}
_CONV = LayerSpec(("x", "w", "b"), _conv_inputs, lambda: (dict(_CONV_PARAM),))
_POOL = LayerSpec(("x",), _pool_inputs, lambda: (dict(_POOL_PARAM),))
#: the second parameters a convolution and a max pool are checked with: a forward or
#: backward that ignores its param dict (stride = 1, pad = 1, or a 2 x 2 window written
#: as constants) agrees with the first and not with these (CS231n's conv test itself uses
#: stride 2)
_CONV_PARAM_2 = {"stride": 2, "pad": 1}
_POOL_PARAM_2 = {"pool_height": 3, "pool_width": 3, "stride": 3}


_GROUPS_TEXT = ("each example's C channels form G groups of C // G consecutive channels, "
                "each normalised over its channels, H and W: x.reshape(N, G, C // G, H, W) "
                "(or x.reshape(N, G, -1)), statistics over axes (2, 3, 4), in the forward "
                "and the backward pass, with the G passed in")


def _pool_inputs_2(seed: int) -> list[np.ndarray]:
    # one example (the first check has the batch): distinct values 0.1 apart
    x = stream(seed, "x_pool_2").permutation(2 * 6 * 6).reshape(1, 2, 6, 6)
    return [0.1 * x - 3.0]


def _conv_inputs_2(seed: int) -> list[np.ndarray]:
    # smaller than the first check's (one example, 2 channels, 2 filters): the loops of a
    # naive convolution are run for every entry of the numerical gradient
    return [_draw(seed, "x_conv_2", (1, 2, 5, 5)), _draw(seed, "w_conv_2", (2, 2, 3, 3)),
            _draw(seed, "b_conv_2", (2,))]


_CNN_FIRST = {"spatial_groupnorm_forward": "G = 1",
              **{n: "conv_param stride 1, pad 1" for n in ("conv_forward_naive",
                                                           "conv_forward_fast")},
              **{n: "pool_param 2 x 2, stride 2" for n in ("max_pool_forward_naive",
                                                          "max_pool_forward_fast")}}
#: forward name -> (what the second check's param dict is, its spec): each CNN function
#: checked again with another stride, pad and window (the numerical gradients, the
#: course's output and the hints, as with the first)
CNN_SECOND: dict[str, tuple[str, LayerSpec]] = {
    **{name: ("conv_param stride 2, pad 1", LayerSpec(
        ("x", "w", "b"), _conv_inputs_2, lambda: (dict(_CONV_PARAM_2),)))
       for name in ("conv_forward_naive", "conv_forward_fast")},
    **{name: ("pool_param 3 x 3, stride 3", LayerSpec(
        ("x",), _pool_inputs_2, lambda: (dict(_POOL_PARAM_2),)))
       for name in ("max_pool_forward_naive", "max_pool_forward_fast")},
    # G = 2 groups of 3 channels: a group norm that ignores G (one group per example, as
    # layer norm), or groups the channels otherwise, agrees with G = 1 and not with this
    "spatial_groupnorm_forward": ("G = 2 (6 channels)", LayerSpec(
        ("x", "gamma", "beta"), lambda s: [
            3 * _draw(s, "x_gn_2", (2, 6, 3, 3)) + 2,
            1 + 0.5 * _draw(s, "gamma_gn_2", (1, 6, 1, 1)),
            _draw(s, "beta_gn_2", (1, 6, 1, 1))], lambda: (2, {}))),
}

def _conv_inputs_3(seed: int) -> list[np.ndarray]:
    # pad 0 (one example, 2 channels, 2 filters, a 4 x 4 image): out 2 x 2
    return [_draw(seed, "x_conv_3", (1, 2, 4, 4)), _draw(seed, "w_conv_3", (2, 2, 3, 3)),
            _draw(seed, "b_conv_3", (2,))]


def _pool_inputs_3(seed: int) -> list[np.ndarray]:
    # one example, one channel, distinct values 0.1 apart: overlapping 2 x 2 windows
    x = stream(seed, "x_pool_3").permutation(4 * 4).reshape(1, 1, 4, 4)
    return [0.1 * x - 0.8]


#: forward name -> (its param dict, its spec, kind, what to do): the third check, for a
#: function that passes the first two. pad 0: ``dx_pad[:, :, pad:-pad, pad:-pad]`` is
#: right at every pad but 0, where it is empty; a 2 x 2 window at stride 1: overlapping
#: windows share entries, whose gradients a ``dx[window] = ...`` overwrites.
CNN_THIRD: dict[str, tuple[str, LayerSpec, str, str]] = {
    **{name: ("conv_param stride 1, pad 0", LayerSpec(
        ("x", "w", "b"), _conv_inputs_3, lambda: ({"stride": 1, "pad": 0},)), "param dict",
        "at pad 0 a slice pad:-pad (x_pad[:, :, pad:-pad, pad:-pad]) is empty (-0 is 0): "
        "slice pad:pad + H and pad:pad + W, which hold at every pad")
       for name in ("conv_forward_naive", "conv_forward_fast")},
    **{name: ("pool_param 2 x 2, stride 1", LayerSpec(
        ("x",), _pool_inputs_3, lambda: ({"pool_height": 2, "pool_width": 2, "stride": 1},)),
        "accumulate", "with overlapping windows (stride < window) an entry of x is in "
        "several windows: add each window's gradient (dx[..., window] += mask * dout[..., "
        "i, j]), not assign it, and read the window's size and stride from pool_param")
       for name in ("max_pool_forward_naive", "max_pool_forward_fast")},
}

def _conv_inputs_4(seed: int) -> list[np.ndarray]:
    # every size its own: H 4, W 6, a 3 x 2 filter (out 4 x 7 at stride 1, pad 1)
    return [_draw(seed, "x_conv_4", (1, 2, 4, 6)), _draw(seed, "w_conv_4", (2, 2, 3, 2)),
            _draw(seed, "b_conv_4", (2,))]


def _pool_inputs_4(seed: int) -> list[np.ndarray]:
    # H 4, W 7, distinct values 0.1 apart: a 2 x 3 window at stride 2 (out 2 x 3)
    x = stream(seed, "x_pool_4").permutation(2 * 4 * 7).reshape(1, 2, 4, 7)
    return [0.1 * x - 2.8]


#: what a height used for a width looks like (kind "height and width")
_HW_TEXT = ("a height is used where a width is needed, or the reverse: W' computed from H "
            "or HH (1 + (W + 2 * pad - WW) // stride), a window sliced j * stride:j * "
            "stride + HH instead of + WW, pool_height used for pool_width, or a shape read "
            "in another order (N, C, H, W = x.shape; F, C, HH, WW = w.shape); the first "
            "checks' images, filters and windows are all square, where these agree")

#: forward name -> (its param dict, its spec): the fourth check, for a convolution or max
#: pool that passes the first three, whose images, filters and windows are all square:
#: one whose every height differs from its width (kind "height and width").
CNN_FOURTH: dict[str, tuple[str, LayerSpec]] = {
    **{name: ("x of H x W = 4 x 6, a 3 x 2 filter, stride 1, pad 1", LayerSpec(
        ("x", "w", "b"), _conv_inputs_4, lambda: ({"stride": 1, "pad": 1},)))
       for name in ("conv_forward_naive", "conv_forward_fast")},
    **{name: ("x of H x W = 4 x 7, a 2 x 3 window, stride 2", LayerSpec(
        ("x",), _pool_inputs_4, lambda: ({"pool_height": 2, "pool_width": 3, "stride": 2},)))
       for name in ("max_pool_forward_naive", "max_pool_forward_fast")},
}

#: CS231n's assignment-2 CNN functions, which numpynn has no layer for: forward name ->
#: (its backward names, spec). Checked against numerical gradients only (no reference),
#: with conv_param {"stride": 1, "pad": 1} and pool_param 2 x 2, stride 2.
CNN_FUNCTIONS: dict[str, tuple[tuple[str, ...], LayerSpec]] = {
    "conv_forward_naive": (("conv_backward_naive",), _CONV),
    "conv_forward_fast": (("conv_backward_fast",), _CONV),
    "max_pool_forward_naive": (("max_pool_backward_naive",), _POOL),
    "max_pool_forward_fast": (("max_pool_backward_fast",), _POOL),
    "spatial_batchnorm_forward": (("spatial_batchnorm_backward",), LayerSpec(
        ("x", "gamma", "beta"), _spatial_norm_inputs, lambda: ({"mode": "train"},))),
    "spatial_groupnorm_forward": (("spatial_groupnorm_backward",), LayerSpec(
        ("x", "gamma", "beta"), lambda s: [_spatial_norm_inputs(s)[0],
                                           *[a.reshape(1, 3, 1, 1) for a in
                                             _spatial_norm_inputs(s)[1:]]],
        lambda: (1, {}))),
}


def _windows(x: np.ndarray, hh: int, ww: int, stride: int) -> np.ndarray:
    """The hh x ww windows of x (N, C, H, W), stride apart: (N, C, H', W', hh, ww)."""
    view = np.lib.stride_tricks.sliding_window_view(x, (hh, ww), axis=(2, 3))
    return view[:, :, ::stride, ::stride]


def _conv_out(x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: dict) -> np.ndarray:
    pad = conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = _windows(xp, w.shape[2], w.shape[3], conv_param["stride"])
    return np.einsum("nchwij,fcij->nfhw", win, w) + b[None, :, None, None]


def _pool_out(x: np.ndarray, pool_param: dict) -> np.ndarray:
    return _windows(x, pool_param["pool_height"], pool_param["pool_width"],
                    pool_param["stride"]).max(axis=(4, 5))


def _spatial_bn_out(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                    bn_param: dict) -> np.ndarray:
    n, c, h, w = x.shape
    flat = x.transpose(0, 2, 3, 1).reshape(-1, c)
    out = batchnorm_forward(flat, gamma, beta, dict(bn_param))[0]
    return out.reshape(n, h, w, c).transpose(0, 3, 1, 2)


def _groupnorm_out(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, groups: int,
                   gn_param: dict) -> np.ndarray:
    n, c, h, w = x.shape
    g = x.reshape(n, groups, c // groups, h, w)
    mu, var = g.mean(axis=(2, 3, 4), keepdims=True), g.var(axis=(2, 3, 4), keepdims=True)
    xhat = ((g - mu) / np.sqrt(var + gn_param.get("eps", 1e-5))).reshape(x.shape)
    return gamma * xhat + beta


#: The forward outputs of assignment 2's CNN functions (which numpynn has no layer for):
#: forward name -> (the output for the same arguments, what the function must compute).
#: A forward whose backward is consistent with it passes the numerical check whatever it
#: computes (a flipped kernel, an average pool): its output is compared with these.
CNN_OUTPUTS: dict[str, tuple[Callable[..., np.ndarray], str]] = {
    "conv_forward_naive": (_conv_out, "out[n, f, i, j] = sum(x_pad[n, :, i*stride:i*stride "
                           "+ HH, j*stride:j*stride + WW] * w[f]) + b[f], x_pad x with pad "
                           "zeros on each side of H and W; w is not flipped (CS231n's "
                           "convolution is a cross-correlation)"),
    "max_pool_forward_naive": (_pool_out, "out[n, c, i, j] = the max of x[n, c] over the "
                               "pool_height x pool_width window at (i*stride, j*stride)"),
    "spatial_batchnorm_forward": (_spatial_bn_out, "each channel normalised over N, H and "
                                  "W: x.transpose(0, 2, 3, 1).reshape(-1, C) through "
                                  "batchnorm_forward, and back"),
    "spatial_groupnorm_forward": (_groupnorm_out, "each example's G groups of C // G "
                                  "channels normalised over their channels, H and W"),
}
CNN_OUTPUTS["conv_forward_fast"] = CNN_OUTPUTS["conv_forward_naive"]
CNN_OUTPUTS["max_pool_forward_fast"] = CNN_OUTPUTS["max_pool_forward_naive"]


#: the specs as numpynn ships them (a layer registered later is seen by check_module,
#: which asks the registry each time)
LAYERS: dict[str, LayerSpec] = _layer_specs()
#: The dropout_param of the gradient check: CS231n's keep probability p, a fixed seed.
DROPOUT_PARAM = COURSE["dropout"].param()
LOSSES: tuple[str, ...] = ("softmax_loss", "svm_loss")


def _reference_table() -> dict[str, tuple[Callable, Callable | None]]:
    """numpynn's own functions a learner's are compared with: every course pair with a
    reference (from the layer registry), and the two losses."""
    table: dict[str, tuple[Callable, Callable | None]] = {
        name: (pair.forward, pair.backward) for name, pair in COURSE.items()
        if pair.forward is not None}
    table["softmax_loss"] = (softmax_cross_entropy, None)
    table["svm_loss"] = (svm_loss, None)
    return table


#: references added by :func:`register_reference` (over the registry's)
REFERENCES: dict[str, tuple[Callable, Callable | None]] = {}


def _reference(name: str) -> tuple[Callable, Callable | None] | None:
    return REFERENCES.get(name) or _reference_table().get(name)


def register_reference(name: str, forward: Callable, backward: Callable | None = None) -> None:
    """Compare the learner's ``name`` (a key of :data:`LAYERS` or a loss name) with
    numpynn's ``forward`` / ``backward`` (CS231n signatures; backward None for a loss
    ``f(x, y) -> (loss, dx)``)."""
    REFERENCES[name] = (forward, backward)


def _leaky_slope(inputs: list[np.ndarray], out: np.ndarray) -> float | None:
    """The slope the learner's leaky ReLU forward gives x < 0 (the same for every such
    entry, out = x where x > 0), or None where its output is not of that form or the
    slope is not a leak (0 < slope < 1: slope 0 is a plain ReLU, a forward bug)."""
    x = inputs[0]
    neg, pos = x < 0, x > 0
    if out.shape != x.shape or not neg.any() or not np.allclose(out[pos], x[pos],
                                                                rtol=1e-12, atol=0):
        return None
    slopes = out[neg] / x[neg]
    s = float(np.median(slopes))
    return s if 0 < s < 1 and np.allclose(slopes, s, rtol=1e-9, atol=0) else None


def _norm_eps(axis: int | tuple[int, ...]
              ) -> Callable[[list[np.ndarray], np.ndarray], float | None]:
    """The eps the learner's normalisation forward adds to the variance (over ``axis``),
    read from out = gamma (x - mu) / sqrt(var + eps) + beta, or None (not of that form);
    a spatial layer's gamma and beta of shape (C,) scale x's axis 1."""
    def estimate(inputs: list[np.ndarray], out: np.ndarray) -> float | None:
        x, gamma, beta = inputs
        if x.ndim == 4 and gamma.ndim == 1:
            gamma, beta = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
        found = _normalised(x, gamma, beta, out, axis)
        if found is None:
            return None
        ratio, big = found
        eps = ratio ** 2 - x.var(axis=axis, keepdims=True)
        value = float(np.median(eps[big]))
        if not np.isfinite(value) or np.any(np.abs(eps[big] - value) > 1e-3 * abs(value)
                                            + 1e-10):
            return None  # no one eps under the square root (eps added to the std: below)
        return max(value, 0.0)
    return estimate


def _normalised(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, out: np.ndarray,
                axis: int | tuple[int, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """For out = gamma xhat + beta: (x - mu) / xhat, the denominator the forward divided by
    (where xhat is clearly nonzero), and that mask; None where out is not of that form."""
    if out.shape != x.shape or np.any(gamma == 0):
        return None
    xhat = (out - beta) / gamma
    big = np.abs(xhat) > 0.1
    if not big.any():
        return None
    return (x - x.mean(axis=axis, keepdims=True)) / np.where(big, xhat, 1.0), big


def _eps_on_std(axis: int | tuple[int, ...], inputs: list[np.ndarray], out: np.ndarray
                ) -> float | None:
    """The eps a normalisation forward adds to the standard deviation, read from out =
    gamma (x - mu) / (sqrt(var) + eps) + beta (one eps for every entry), or None."""
    x, gamma, beta = inputs
    found = _normalised(x, gamma, beta, out, axis)
    if found is None:
        return None
    ratio, big = found
    eps = ratio - np.sqrt(x.var(axis=axis, keepdims=True))
    value = float(np.median(eps[big]))
    if not (np.isfinite(value) and value > 1e-12) or np.any(
            np.abs(eps[big] - value) > 1e-3 * value + 1e-12):
        return None
    return value


def _norm_forward_text(name: str, inputs: list[np.ndarray], out: Any) -> str | None:
    """What a batch or layer norm forward whose output is not numpynn's computes, where it
    is one of two usual mistakes: eps added to the standard deviation, or the batch
    normalised with the unbiased variance (``ddof=1``); else None."""
    try:
        out = np.asarray(out, dtype=np.float64)
        axis = NORM_AXES[name]
        on_std = _eps_on_std(axis, inputs, out)
        if on_std is not None:
            return _eps_on_std_text(name, on_std)
        x, gamma, beta = inputs
        for eps in (1e-5, 1e-8, 1e-3, 0.0):
            var = x.var(axis=axis, ddof=1, keepdims=True)
            want = gamma * (x - x.mean(axis=axis, keepdims=True)) / np.sqrt(var + eps) + beta
            if out.shape == want.shape and np.allclose(out, want, rtol=1e-9, atol=1e-12):
                n = x.shape[axis]
                return (f"your {name} forward normalises with the unbiased variance (ddof=1, "
                        f"dividing by {n - 1} where the course's divides by {n}): xhat "
                        f"is sqrt({n - 1}/{n}) = {np.sqrt((n - 1) / n):.4g} times the "
                        f"course's; normalise with x.var(axis={axis}) (the biased variance, "
                        "as the batch norm paper and numpynn do)")
    except Exception:  # noqa: BLE001 - an output numpynn cannot read: no text
        return None
    return None


#: the axes batch and layer norm normalise over (their eps read from the output)
NORM_AXES: dict[str, int] = {"batchnorm": 0, "layernorm": 1}


def _eps_on_std_text(name: str, value: float) -> str:
    return (f"your {name} forward adds eps = {value:.3g} to the standard deviation, (x - mu) "
            "/ (np.sqrt(var) + eps), where the course (and the batch norm paper) add it to "
            "the variance, (x - mu) / np.sqrt(var + eps): the outputs differ by about eps / "
            "std, and a backward written for np.sqrt(var + eps) is not the gradient of this "
            "forward; write std = np.sqrt(var + eps) in the forward pass")


def _groupnorm_eps(inputs: list[np.ndarray], out: np.ndarray) -> float | None:
    """The eps of a group norm forward, for the G (a divisor of C, 1 first) whose groups
    give one eps for every entry: :func:`_norm_eps` over each example's groups."""
    x, gamma, beta = inputs
    n, c, h, w = x.shape
    for g in (d for d in range(1, c + 1) if c % d == 0):
        grouped = [x.reshape(n, g, c // g, h, w), gamma.reshape(1, g, c // g, 1, 1),
                   beta.reshape(1, g, c // g, 1, 1)]
        value = _norm_eps((2, 3, 4))(grouped, out.reshape(n, g, c // g, h, w))
        if value is None:
            continue
        xhat = (out - beta) / gamma
        g_x = x.reshape(n, g, -1)
        want = ((g_x - g_x.mean(axis=2, keepdims=True))
                / np.sqrt(g_x.var(axis=2, keepdims=True) + value)).reshape(x.shape)
        if np.allclose(xhat, want, rtol=1e-6, atol=1e-9):
            return value
    return None


@dataclass(frozen=True)
class Choice:
    """A hyper-parameter a learner may choose otherwise than numpynn's default (leaky
    ReLU's slope, a normalisation's eps): read from the learner's forward output
    (``estimate(inputs, out)``, None where it cannot be read), numpynn's forward is
    called with it (its keyword ``keyword``, or ``param_key`` of the param dict) and the
    learner's forward and backward are compared with that: a value used consistently is a
    choice, not a bug."""

    what: str
    default: float
    estimate: Callable[[list[np.ndarray], np.ndarray], float | None]
    keyword: str = ""
    param_key: str = ""

    def reference(self, forward: Callable, value: float) -> Callable:
        """numpynn's ``forward`` with the learner's value."""
        def call(*args: Any) -> Any:
            if self.param_key:
                *arrays, param = args
                return forward(*arrays, {**param, self.param_key: value})
            return forward(*args, **{self.keyword: value})
        return call


#: The hyper-parameters a learner's forward may set otherwise than numpynn: layer name ->
#: its :class:`Choice`.
CHOICES: dict[str, Choice] = {
    "leaky_relu": Choice("alpha (the slope where x < 0)", 0.01, _leaky_slope,
                         keyword="negative_slope"),
    "batchnorm": Choice("eps (added to the variance)", 1e-5, _norm_eps(0), param_key="eps"),
    "layernorm": Choice("eps (added to the variance)", 1e-5, _norm_eps(1), param_key="eps"),
    "spatial_batchnorm_forward": Choice("eps (added to the variance)", 1e-5,
                                        _norm_eps((0, 2, 3)), param_key="eps"),
    "spatial_groupnorm_forward": Choice("eps (added to the variance)", 1e-5,
                                        lambda inputs, out: _groupnorm_eps(inputs, out),
                                        param_key="eps"),
}


def _chosen(name: str, ref_fwd: Callable, forward: Callable, inputs: list[np.ndarray],
            extra: tuple) -> tuple[Callable, str]:
    """numpynn's forward for ``name`` with the hyper-parameter the learner's ``forward``
    uses (:data:`CHOICES`) where that differs from numpynn's default and reproduces the
    learner's output, and the note saying so; else (``ref_fwd``, "")."""
    choice = CHOICES.get(name)
    if choice is None:
        return ref_fwd, ""
    out = np.asarray(forward(*[a.copy() for a in inputs])[0], dtype=np.float64)
    value = choice.estimate(inputs, out)
    if value is None or np.isclose(value, choice.default, rtol=1e-3, atol=0):
        return ref_fwd, ""
    theirs = choice.reference(ref_fwd, value)
    want = np.asarray(theirs(*[a.copy() for a in inputs], *extra)[0], dtype=np.float64)
    if _compare("out", out, want, "forward").verdict != PASS:
        return ref_fwd, ""
    if choice.param_key == "eps" and value < 1e-12:  # no eps at all: not a choice
        return theirs, (f"your {name.removesuffix('_forward')} forward adds no eps to the "
                        "variance (eps = 0): a feature whose values are all equal in the "
                        "normalised group (a ReLU unit that is 0 for every example) divides "
                        "0 by 0; it is compared with the expected output at eps = 0 here, "
                        "and its train-and-test-mode check feeds it such a feature")
    return theirs, (f"your {name.removesuffix('_forward')} forward uses {choice.what} = "
                    f"{value:.3g}, numpynn's default {choice.default:g}: a choice, not a "
                    "bug; it is compared with the expected output at your value, and your "
                    "backward must use the same value")


@dataclass
class FileCheck:
    """The checks of one module: a report per function pair (numerical gradients, numpynn's
    reference, forward and test-mode behaviour), errors with the learner's file and line,
    what is not implemented yet and what was not checked (with the reason)."""

    reports: list[GradCheckReport] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (function, message)
    skipped: list[str] = field(default_factory=list)
    not_implemented: list[str] = field(default_factory=list)  # stubs that return None
    notes: list[str] = field(default_factory=list)  # timings and other information
    styles: list[str] = field(default_factory=list)  # code in styles numpynn does not check

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

    @property
    def kinds(self) -> list[str]:
        """The bug kinds the failed reports name (keys of numpynn.gradcheck.checks.KINDS)."""
        return list(dict.fromkeys(k for r in self.reports for k in r.kinds))

    def to_table(self) -> str:
        parts = [r.to_table() for r in self.reports]
        parts += [f"{name}: FAIL: {msg}" for name, msg in self.errors]
        parts += self.notes
        if self.not_implemented:
            parts.append("not implemented yet (a stub: returns None or raises "
                         "NotImplementedError; skipped): " + ", ".join(self.not_implemented))
        if self.skipped:
            parts.append("not checked: " + "; ".join(self.skipped))
        if self.styles:
            parts.append("not checked, written in another style: " + "; ".join(self.styles))
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.to_table()


def _compare(name: str, got: Any, want: Any, kind: str | None = None,
             text: str = "", batch: int | None = None) -> GradCheckRow:
    """A row comparing the learner's array with numpynn's: FAIL beyond REFERENCE_TOL
    (kind and text name what such a difference means, for the FAIL message; batch: N,
    to name a factor of N, the first input's rows by default)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return GradCheckRow(name, want.shape, float("inf"), REFERENCE_TOL, FAIL, kind=kind,
                            kind_text=f"shape {got.shape}, numpynn's {want.shape}; {text}"
                            if kind else "")
    diff = np.abs(got - want)
    scale = max(float(np.abs(want).max(initial=0.0)), 1e-12)
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    worst = Entry(tuple(int(i) for i in idx), float(got[idx]), float(want[idx])) \
        if diff.size else None
    rel = float(diff.max(initial=0.0)) / scale
    if not np.isfinite(rel):
        rel = float("inf")
    ok = rel <= REFERENCE_TOL
    if not ok and kind is None:  # a gradient that differs from numpynn's by a factor, a mask
        kind, text = bug_kind(got, want, batch if batch is not None else
                              got.shape[0] if got.ndim else None)
    return GradCheckRow(name, want.shape, rel, REFERENCE_TOL, PASS if ok else FAIL, worst,
                        kind=None if ok else kind, kind_text="" if ok else text)


def _stat_row(name: str, got: float, want: float, allowed: float, kind: str,
              text: str) -> GradCheckRow:
    """A row of a statistical check: ``|got - want| <= allowed`` passes."""
    err = abs(float(got) - float(want))
    ok = bool(np.isfinite(err) and err <= allowed)
    return GradCheckRow(name, (), err, allowed, PASS if ok else FAIL,
                        Entry((), float(got), float(want)), kind=None if ok else kind,
                        kind_text="" if ok else text)


class _SignatureError(Exception):
    """A learner's function does not take CS231n's arguments."""


class _NotImplementedYetError(Exception):
    """A learner's function is still the course's stub (it returns None)."""


def _as_tuple(grads: Any) -> tuple:
    return (grads,) if isinstance(grads, np.ndarray) else tuple(grads)


def _stub(value: Any) -> bool:
    """True for what an unfinished CS231n stub returns: None, or a tuple holding None
    (``out, cache = None, None``; ``dx, dw, db = None, None, None``)."""
    if value is None:
        return True
    return isinstance(value, tuple) and any(v is None for v in value)


def _layer_checks(name: str, spec: LayerSpec, fwd: Callable, bwd: Callable, bwd_name: str,
                  seed: int, fwd_name: str | None = None) -> list[GradCheckReport]:
    fwd_name = fwd_name or f"{name}_forward"
    inputs = spec.make(seed)
    more = _own_param_dict(fwd, len(inputs) + len(spec.extra()), name)

    def forward(*arrays: np.ndarray) -> Any:
        return fwd(*arrays, *spec.extra(), *([dict(more)] if more is not None else []))

    try:  # another signature than CS231n's: say so, do not fail it
        inspect.signature(fwd).bind(*inputs, *spec.extra(),
                                    *([more] if more is not None else []))
    except TypeError as exc:
        raise _SignatureError(f"{fwd_name}: called with ({', '.join(spec.names)}"
                              f"{', param dict' if spec.extra() else ''}) as CS231n's, it "
                              f"raised TypeError: {exc}") from None
    except ValueError:  # no signature to read (a builtin): call it and see
        pass
    given = [a.copy() for a in inputs]
    first = forward(*given)
    edited = [n for n, a, g in zip(spec.names, inputs, given)
              if np.shape(g) != a.shape or not np.array_equal(g, a)]
    if not isinstance(first, tuple) or len(first) != 2 or first[0] is None:
        if first is None or (isinstance(first, tuple) and first and first[0] is None):
            raise _NotImplementedYetError(fwd_name)
        raise ReturnError(f"{fwd_name} returned {_describe(first)}; it must return "
                          "the tuple (out, cache) as CS231n's layers do: return out, cache")
    if isinstance(first[0], (list, tuple)):
        raise ReturnError(f"{fwd_name} returned out as a Python {type(first[0]).__name__} "
                          f"(shape {np.shape(first[0])} as an array), not a NumPy array: the "
                          "next layer calls array methods on it (out.reshape, out.dot); "
                          "return np.array(out), or compute it with NumPy's operations on whole "
                          "arrays")
    dout = stream(seed, "dout").standard_normal(np.shape(first[0]))
    if _stub(bwd(dout.copy(), first[1])):
        raise _NotImplementedYetError(bwd_name)
    report = check_layer(forward, bwd, *inputs, names=spec.names, seed=seed)
    report.title = f"{fwd_name} / {bwd_name}: numerical gradients"
    low = [f"d{n} is {np.asarray(g).dtype} where {n} is {a.dtype}" for n, a, g in zip(
        spec.names, inputs, _as_tuple(bwd(dout.copy(), forward(*[a.copy() for a in inputs])[1])))
        if np.asarray(g).dtype.kind == "f" and np.asarray(g).dtype.itemsize < a.dtype.itemsize]
    if low:  # a float32 gradient of a float64 input: 7 digits, which checks cannot referee
        report.rows.append(GradCheckRow(
            "gradient dtypes", (len(spec.names),), float(len(low)), 0.0, FAIL,
            kind="return value", kind_text="; ".join(low) + (
                ": the backward rounds its gradient to a lower precision (astype(np.float32), "
                "an array made with dtype=np.float32) than its input's, which loses digits "
                "no gradient check can tell from a bug, and turns a float64 network's "
                "gradients float32; keep each gradient in its input's dtype "
                "(np.zeros_like(x), no astype)")))
    if edited:  # the same output again (x[x < 0] = 0 is idempotent): right, but the caller's
        report.notes.append(  # array is edited, which a FAIL of kind "in place" needs not be
            f"{fwd_name} edited its input {', '.join(edited)} in place (e.g. x[x < 0] = 0; "
            "out = x): its results are right, but the caller's array now holds the output, "
            "which a notebook or a layer that uses it again sees; compute into a new array "
            "(out = np.maximum(0, x))")
    reports = [report]
    ref = _reference(name)
    ref = ref if ref is not None and ref[1] is not None else None
    want: tuple = ()
    std_hint = None
    if ref is not None:
        ref_fwd, ref_bwd = ref
        out, cache = forward(*[a.copy() for a in inputs])
        ref_fwd, note = _chosen(name, ref_fwd, forward, inputs, spec.extra())
        want_out, want_cache = ref_fwd(*[a.copy() for a in inputs], *spec.extra())
        got = _as_tuple(bwd(dout.copy(), cache))
        want = _as_tuple(ref_bwd(dout.copy(), want_cache))
        cmp = GradCheckReport(title=f"{name}_forward / {bwd_name} vs numpynn's {name} "
                                    "(analytic = yours, numerical = numpynn's)",
                              notes=[note] if note else [])
        cmp.rows.append(_compare("out", out, want_out, "forward",
                                 f"{name}_forward computes another function than {name}"))
        for label, g, w in zip(spec.names, got, want):
            cmp.rows.append(_compare(f"d{label}", g, w, batch=inputs[0].shape[0]
                                     if inputs[0].ndim else None))
        text = _norm_forward_text(name, inputs, out) \
            if name in NORM_AXES and cmp.rows[0].verdict == FAIL else None
        if text is not None:  # the forward's own mistake: named on its FAILs below
            std_hint = ("forward", text)
            cmp.rows[0] = dataclasses.replace(cmp.rows[0], kind_text=text)
        reports.append(cmp)
    if ref is None and fwd_name in CNN_OUTPUTS:
        expected, what = CNN_OUTPUTS[fwd_name]
        course, note = _chosen(fwd_name, lambda *a: (expected(*a), None), forward, inputs,
                               spec.extra())
        cmp = GradCheckReport(title=f"{fwd_name}: forward output vs the course's definition "
                                    "(analytic = yours, numerical = expected)",
                              notes=[note] if note else [])
        cmp.rows.append(_compare("out", forward(*[a.copy() for a in inputs])[0],
                                 course(*[a.copy() for a in inputs], *spec.extra())[0],
                                 "forward", f"{fwd_name} computes another output: {what}"))
        reports.append(cmp)
    try:  # numpynn's own diagnosis: never the learner's error
        got = _as_tuple(bwd(dout.copy(), forward(*[a.copy() for a in inputs])[1]))
        hint = _layer_hint(name, inputs, dout, got, want if ref else (),
                           {r.name: r for rep in reports for r in rep.rows},
                           spec.extra()[0] if spec.extra() else None)
    except Exception:  # noqa: BLE001 - a learner's return value it cannot read: no hint
        hint = None
    if name == "batchnorm" and ref is not None and any(
            row.verdict == FAIL for rep in reports for row in rep.rows):
        try:  # numpynn's own diagnosis: never the learner's error
            if _uses_running_statistics(fwd, bwd, inputs, spec.extra()[0], dout, want):
                hint = ("running statistics", KINDS["running statistics"])
        except Exception:  # noqa: BLE001 - a learner's code that cannot run so: no hint
            pass
    if hint is None and std_hint is not None:
        hint = std_hint
    swapped = _swapped(spec.names, got, want) if ref is not None else {}
    for r in reports:  # gradients returned in each other's places
        r.rows = [dataclasses.replace(row, kind="swapped", kind_text=swapped[row.name])
                  if row.verdict == FAIL and row.name in swapped else row for row in r.rows]
    for r in reports:  # name the layer's own mistake on its input's failing rows
        r.rows = [dataclasses.replace(row, kind=hint[0], kind_text=hint[1])
                  if hint and row.verdict == FAIL and (row.kind is None or row.name in (
                      spec.names[0], f"d{spec.names[0]}"))
                  and row.kind not in ("in place", "random loss", "not finite", "swapped")
                  and row.name not in ("forward", "backward", "out")
                  else row for row in r.rows]
    return reports


#: the param dict a layer without one in CS231n's signature gets when the learner's
#: forward asks for one (``leaky_relu_forward(x, lrelu_param)``)
OWN_PARAM_DICTS: dict[str, dict[str, Any]] = {"leaky_relu": {"alpha": 0.01}}


def _own_param_dict(fwd: Callable, given: int, name: str) -> dict[str, Any] | None:
    """The dict to pass where the learner's forward takes one more required argument than
    CS231n's signature gives (``given``) and its name ends in ``param`` (``lrelu_param``,
    ``relu_param``): numpynn's defaults for the layer (:data:`OWN_PARAM_DICTS`), else {};
    None where the signature is the course's."""
    try:
        params = list(inspect.signature(fwd).parameters.values())
    except (TypeError, ValueError):
        return None
    required = [p for p in params if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(required) != given + 1 or not required[-1].name.endswith("param"):
        return None
    return dict(OWN_PARAM_DICTS.get(name, {}))


def _uses_running_statistics(fwd: Callable, bwd: Callable, inputs: list[np.ndarray],
                             param: dict, dout: np.ndarray, want: tuple) -> bool:
    """Whether a batch norm backward that disagrees with numpynn's agrees once the
    running averages equal the batch's own mean and variance (bn_param's running_mean
    and running_var set to them: the train-mode update leaves them so): it normalises
    with the running statistics where it needs the batch's."""
    x = inputs[0]
    param = {**param, "running_mean": x.mean(axis=0), "running_var": x.var(axis=0)}
    got = _as_tuple(bwd(dout.copy(), fwd(*[a.copy() for a in inputs], param)[1]))
    return len(got) == len(want) and all(_close_to(g, w) for g, w in zip(got, want))


def _swapped(names: tuple[str, ...], got: tuple, want: tuple) -> dict[str, str]:
    """Row name -> message for two gradients returned in each other's places (the
    learner's i-th equals numpynn's j-th and the reverse: dgamma and dbeta swapped), both
    the input's name (the numerical check's row) and ``d`` + it (the comparison's)."""
    out: dict[str, str] = {}
    for i, j in itertools.combinations(range(len(names)), 2):
        if max(i, j) >= min(len(got), len(want)) or np.shape(want[i]) != np.shape(want[j]):
            continue
        if _close_to(got[i], want[j]) and _close_to(got[j], want[i]) \
                and not _close_to(got[i], want[i]):
            order = ", ".join(f"d{n}" for n in names)
            text = (f"d{names[i]} and d{names[j]} are returned in each other's places: the "
                    f"backward must return its gradients in the order of the inputs, "
                    f"return {order}")
            out.update({k: text for k in (names[i], names[j], f"d{names[i]}",
                                          f"d{names[j]}")})
    return out


def _close_to(got: Any, want: Any) -> bool:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return False
    scale = max(float(np.abs(want).max(initial=0.0)), 1e-12)
    return bool(np.abs(got - want).max(initial=0.0) <= 1e-6 * scale)


def _layer_hint(name: str, inputs: list[np.ndarray], dout: np.ndarray, got: tuple,
                want: tuple, rows: dict[str, GradCheckRow],
                param: Any = None) -> tuple[str, str] | None:
    """The learner's likely mistake in ``name``'s backward pass when the numbers show it
    (the kind, a key of KINDS, and the text naming what to look at), or None: a
    derivative evaluated at the wrong array, a missing slope, the mean or variance path
    of a normalisation."""
    if not got or np.shape(got[0]) != np.shape(inputs[0]):
        return None
    x, dx = inputs[0], np.asarray(got[0], dtype=np.float64)
    wrong: dict[str, list[tuple[Callable[[], np.ndarray], str, str]]] = {
        "sigmoid": [(lambda: dout * x * (1 - x), "wrong array", "sigmoid_backward computes "
                     "s * (1 - s) with s = x, the forward's input; s must be the forward's "
                     "output sigmoid(x): cache the output (return out, out) and use it"),
                    (lambda: dout * _sig(_sig(x)) * (1 - _sig(_sig(x))), "wrong array",
                     "sigmoid_backward applies the sigmoid to the cached output again (s = "
                     "sigmoid(out)); the cache already holds s = sigmoid(x): dx = dout * s * "
                     "(1 - s) with s the cache")],
        "tanh": [(lambda: dout * (1 - x ** 2), "wrong array", "tanh_backward computes "
                  "1 - x**2 of the forward's input; the derivative is 1 - tanh(x)**2, of the "
                  "forward's output: cache out and use 1 - out**2"),
                 (lambda: dout * (1 - np.tanh(np.tanh(x)) ** 2), "wrong array",
                  "tanh_backward applies tanh to the cached output again (1 - "
                  "np.tanh(out)**2); the cache already holds tanh(x): use 1 - out**2")],
        "relu": [(lambda: dout * (dout > 0), "mask", "relu_backward takes its mask "
                  "from dout; it must come from the forward's input x: dx = dout * (x > 0)")],
        "leaky_relu": [(lambda: dout * (x > 0), "mask", "leaky_relu_backward is 0 where "
                        "x <= 0, but leaky ReLU's slope there is alpha (0.01), not 0: dx = "
                        "dout * np.where(x > 0, 1, alpha)"),
                       (lambda: dout * np.where(dout > 0, 1.0, 0.01), "mask",
                        "leaky_relu_backward takes its mask from dout; it must come from "
                        "the forward's input x")],
        "dropout": [(lambda: dout, "mask", "dropout_backward returns dout unchanged in train "
                     "mode: it must multiply by the mask the forward pass stored in the cache "
                     "(dx = dout * mask), which zeroes the dropped units and scales the kept "
                     "ones by 1/p")],
        "affine_relu": [(lambda: affine_backward(dout, affine_forward(*inputs)[1])[0], "mask",
                         "affine_relu_backward skips the ReLU: pass dout through "
                         "relu_backward(dout, relu_cache) first, then affine_backward(da, "
                         "fc_cache)")],
    }
    local = _LOCAL.get(name)
    if local is not None:  # the local derivative alone: dout left out of the chain rule
        wrong.setdefault(name, []).append((
            lambda: local(x), "chain rule", f"{name}_backward returns the layer's own "
            "derivative without the upstream gradient: the chain rule multiplies it by "
            "dout, dx = dout * (the derivative at x)"))
    if name in ("batchnorm", "layernorm") and len(got) == 3:
        axis = 0 if name == "batchnorm" else 1
        centred = x - x.mean(axis=axis, keepdims=True)
        for arr, what in ((x, "x"), (centred, "(x - mu)")):
            if _close_to(got[1], (dout * arr).sum(axis=0)):
                return "wrong array", (f"{name}_backward's dgamma is np.sum(dout * {what}, "
                                       "axis=0); gamma multiplies the normalised input: "
                                       "dgamma = np.sum(dout * xhat, axis=0), xhat = (x - mu) "
                                       "/ np.sqrt(var + eps)")
    for candidate, kind, text in wrong.get(name, []):
        try:
            value = candidate()
        except ValueError:  # shapes that do not broadcast: not this mistake
            continue
        if _close_to(dx, value):
            return kind, text
    if name == "leaky_relu" and rows["x"].verdict == FAIL:
        neg, pos = (x <= 0) & (np.abs(dout) > 1e-12), x > 0
        if neg.any() and _close_to(dx[pos], dout[pos]):
            slopes = dx[neg] / dout[neg]
            s = float(np.median(slopes))
            if s != 0 and np.abs(slopes - s).max() <= 1e-6 * abs(s):
                return "factor", (f"leaky_relu_backward's slope where x <= 0 is {s:g}, not "
                                  "the forward pass's: use the same alpha in both (dx = dout "
                                  "* np.where(x > 0, 1, alpha); numpynn's alpha is 0.01)")
    if name.startswith("max_pool_forward") and x.ndim == 4 and rows["x"].verdict == FAIL:
        pool = param if isinstance(param, dict) else _POOL_PARAM
        ph, pw, st = pool["pool_height"], pool["pool_width"], pool["stride"]
        argmax = np.zeros_like(x, dtype=bool)  # every window's max
        for i in range(0, x.shape[2] - ph + 1, st):
            for j in range(0, x.shape[3] - pw + 1, st):
                win = x[:, :, i:i + ph, j:j + pw]
                argmax[:, :, i:i + ph, j:j + pw] |= win == win.max(axis=(2, 3),
                                                                  keepdims=True)
        if np.any(dx[~argmax] != 0):
            return "mask", ("max_pool_backward gives gradient to entries that are not their "
                            "window's max: each window's dout goes to the argmax of x in the "
                            "window alone (dx = 0 elsewhere), not spread over the window")
    if name.startswith("conv_forward") and len(got) == 3 and rows["w"].verdict == FAIL:
        text = _conv_last_term(inputs, dout, np.asarray(got[1], dtype=np.float64),
                               param if isinstance(param, dict) else _CONV_PARAM)
        if text:
            return "accumulate", text
    if name.startswith("conv_forward") and len(got) == 3 and rows["b"].verdict == FAIL:
        db = np.asarray(got[2], dtype=np.float64)
        for value, what in ((dout[-1].sum(axis=(1, 2)), "the last example's"),
                            (dout[:, :, -1, -1].sum(axis=0),
                             "the last window's (output position's)")):
            if db.shape == value.shape and _close_to(db, value):
                return "accumulate", (
                    f"db is {what} contribution alone: it is assigned (db[f] = ...) inside a "
                    "loop where it must be accumulated over every example and window (db[f] "
                    "+= ..., or db = dout.sum(axis=(0, 2, 3)))")
    if name == "dropout" and rows["x"].verdict == FAIL and rows["x"].kind == "mask":
        return "mask", ("dropout_backward zeroes other entries than the forward pass did: "
                        "it must multiply dout by the mask stored in the cache by "
                        "dropout_forward (dx = dout * mask), not draw a new one")
    if name.startswith("spatial_batchnorm") and len(got) == 3 and x.ndim == 4:
        text = _spatial_layout(inputs, dout, got, param)
        if text:
            return "layout", text
    if name in ("batchnorm", "layernorm") and len(got) == 3 and len(want) == 3:
        if rows["dx"].verdict != FAIL or FAIL in (rows["dgamma"].verdict,
                                                  rows["dbeta"].verdict):
            return None
        axis = 0 if name == "batchnorm" else 1
        count = _norm_count(name, inputs, dout, dx, np.asarray(want[0], dtype=np.float64))
        if count is not None:
            return "count", count
        diff = dx - np.asarray(want[0], dtype=np.float64)
        centred = x - x.mean(axis=axis, keepdims=True)
        scale = max(float(np.abs(diff).max()), 1e-12)
        if np.abs(diff - diff.mean(axis=axis, keepdims=True)).max() <= 1e-6 * scale:
            return "mean term", (KINDS["mean term"] + f" (axis {axis}: {name} averages over "
                                 + ("the batch" if axis == 0 else "the features") + ")")
        ratio = diff / np.where(np.abs(centred) < 1e-12, np.nan, centred)
        spread = np.nanmax(np.abs(ratio - np.nanmean(ratio, axis=axis, keepdims=True)))
        if np.isfinite(spread) and spread <= 1e-6 * float(np.nanmax(np.abs(ratio))):
            return "variance term", KINDS["variance term"]
    return None


def _spatial_layout(inputs: list[np.ndarray], dout: np.ndarray, got: tuple,
                    param: Any) -> str | None:
    """spatial_batchnorm_backward reshaping dout (N, C, H, W) to (N*H*W, C), or its dx
    back, without the transpose (``dout.reshape(-1, C)``, ``dx.reshape(N, C, H, W)``),
    where the forward transposed: its dx (and dgamma, dbeta) are batch norm's backward of
    rows that mix channels and positions. None when dx is not one of those."""
    x, gamma = inputs[0], inputs[1]
    n, c, h, w = x.shape
    eps = param.get("eps", 1e-5) if isinstance(param, dict) else 1e-5
    xf = x.transpose(0, 2, 3, 1).reshape(-1, c)
    std = np.sqrt(xf.var(axis=0) + eps)
    xhat = (xf - xf.mean(axis=0)) / std
    dx = np.asarray(got[0], dtype=np.float64)
    ins = {"dout.transpose(0, 2, 3, 1).reshape(-1, C)": dout.transpose(0, 2, 3, 1).reshape(-1, c),
           "dout.reshape(-1, C)": dout.reshape(-1, c)}
    for din, d in ins.items():
        dxhat = d * gamma
        dxf = (len(d) * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (
            len(d) * std)
        outs = {"dx.reshape(N, H, W, C).transpose(0, 3, 1, 2)":
                dxf.reshape(n, h, w, c).transpose(0, 3, 1, 2),
                "dx.reshape(N, C, H, W)": dxf.reshape(n, c, h, w)}
        for dout_, value in outs.items():
            if din.startswith("dout.transpose") and dout_.endswith("transpose(0, 3, 1, 2)"):
                continue  # the right backward
            if _close_to(dx, value):
                wrong = [t for t in (din, dout_) if "transpose" not in t]
                return (f"spatial_batchnorm_backward reshapes without the transpose "
                        f"({' and '.join(wrong)}): a plain reshape between (N, C, H, W) "
                        "and (N*H*W, C) mixes channels and positions; as in the forward, "
                        "dout.transpose(0, 2, 3, 1).reshape(-1, C) into batchnorm_backward "
                        "and dx.reshape(N, H, W, C).transpose(0, 3, 1, 2) back")
    return None


def _sig(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


#: the elementwise layers' local derivatives at their input x (a backward returning one
#: of these left dout out of the chain rule)
_LOCAL: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda x: (x > 0).astype(np.float64),
    "leaky_relu": lambda x: np.where(x > 0, 1.0, 0.01),
    "sigmoid": lambda x: _sig(x) * (1 - _sig(x)),
    "tanh": lambda x: 1 - np.tanh(x) ** 2,
}


def _norm_count(name: str, inputs: list[np.ndarray], dout: np.ndarray, dx: np.ndarray,
                want: np.ndarray) -> str | None:
    """What a batch norm or layer norm backward dividing by the other axis's count does
    (N where layer norm needs D, D where batch norm needs N: in the mean term, the
    variance term or both), when ``dx`` is that; else None. With xhat and std of the
    param dict's eps, dx = (dxhat - S1 / M - xhat S2 / M) / std for the count M."""
    x, gamma = inputs[0], inputs[1]
    axis = 0 if name == "batchnorm" else 1
    right, other = x.shape[axis], x.shape[1 - axis]
    if right == other:
        return None
    std = np.sqrt(x.var(axis=axis, keepdims=True) + 1e-5)
    xhat = (x - x.mean(axis=axis, keepdims=True)) / std
    dxhat = dout * gamma
    mean_term = dxhat.sum(axis=axis, keepdims=True) / std
    var_term = xhat * (dxhat * xhat).sum(axis=axis, keepdims=True) / std
    wrong, need = ("N", "D") if axis == 1 else ("D", "N")
    what = {(True, True): "both the mean and the variance terms",
            (True, False): "the mean term", (False, True): "the variance term"}
    for (in_mean, in_var), where in what.items():
        change = ((mean_term if in_mean else 0) + (var_term if in_var else 0)) * (
            1 / right - 1 / other)
        if _close_to(dx, want + change):
            return (f"{name}_backward divides by {wrong} = {other} in {where}, where "
                    f"{name} averages over {need} = {right} "
                    + ("(the features of each example, axis 1: D = x.shape[1])"
                       if axis == 1 else "(the examples of the batch, axis 0: N = "
                       "x.shape[0])"))
    return None


def _conv_last_term(inputs: list[np.ndarray], dout: np.ndarray, dw: np.ndarray,
                    conv_param: dict | None = None) -> str:
    """What a convolution backward whose dw keeps only the last term of its sum shows
    (assigned, dw[f] = ..., in a loop where it must be accumulated, dw[f] += ...): the
    last example's contribution alone, the last window's, or both's; else ""."""
    x, w = inputs[0], inputs[1]
    conv_param = conv_param or _CONV_PARAM
    pad, stride = conv_param["pad"], conv_param["stride"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = _windows(xp, w.shape[2], w.shape[3], stride)
    if win.shape[2:4] != dout.shape[2:]:
        return ""
    last = (
        (np.einsum("chwij,fhw->fcij", win[-1], dout[-1]), "the last example's"),
        (np.einsum("ncij,nf->fcij", win[:, :, -1, -1], dout[:, :, -1, -1]),
         "the last window's (output position's)"),
        (np.einsum("cij,f->fcij", win[-1, :, -1, -1], dout[-1, :, -1, -1]),
         "the last example's last window's"))
    for value, what in last:
        if _close_to(dw, value):
            return (f"dw is {what} contribution alone: it is assigned (dw[f] = ... or dw "
                    "= ...) inside a loop where it must be accumulated over every example "
                    "and window (dw[f] += ...), starting from np.zeros_like(w)")
    return ""


#: What a loss's gradient with respect to the scores is, for the message on a wrong shape.
LOSS_GRADIENTS = {
    "softmax_loss": "dx[i] = (P[i] - onehot(y[i])) / N, with P the softmax probabilities: "
                    "dx = P.copy(); dx[np.arange(N), y] -= 1; dx /= N. Every score moves the "
                    "loss (through the softmax's denominator), not only the correct class's, "
                    "so dx is N x C; an N x 1 column such as (P[np.arange(N), y] - 1)[:, "
                    "None] holds only the correct classes' entries (multiplied with an N x C "
                    "array it is broadcast over the classes)",
    "svm_loss": "dx[i, j] = 1 / N for every wrong class j with a positive margin, and "
                "dx[i, y[i]] = -(the number of such classes) / N",
}


def _dscores_kind(name: str, dx: np.ndarray, want_dx: np.ndarray, y: np.ndarray
                  ) -> tuple[str, str] | None:
    """The usual mistake a loss's gradient with respect to the scores shows against
    numpynn's ``want_dx`` (kind and text), or None: only the correct classes' entries
    wrong (the SVM's count of margins), only they divided by N, or every other class's
    entry 0."""
    diff = np.abs(dx - want_dx) > 1e-6 * max(float(np.abs(want_dx).max()), 1e-12)
    correct = np.zeros(dx.shape, dtype=bool)
    correct[np.arange(dx.shape[0]), y] = True
    tiny = 1e-12 * max(float(np.abs(want_dx).max()), 1e-12)
    n = dx.shape[0]
    if diff.any() and not (diff & ~correct).any():
        return "correct class", (KINDS["correct class"] + ": "
                                 + LOSS_GRADIENTS.get(name, "")).rstrip(": ")
    if _close_to(dx[~correct], n * want_dx[~correct]) and _close_to(dx[correct],
                                                                     want_dx[correct]):
        return "factor N", (
            f"only the correct classes' entries dx[i, y[i]] are divided by N (= {n}); the "
            "other classes' are N times the gradient: divide every entry, after setting "
            "them all (dx[np.arange(N), y] -= ...; then dx /= N)")
    if np.all(np.abs(dx[~correct]) <= tiny) and np.any(np.abs(want_dx[~correct]) > tiny):
        # the seed question's misconception: only the correct class's score matters
        return "mask", (f"{name}'s dx is 0 for every class but the correct one, where the "
                        "true gradient is not: every score moves the loss, so dx has an "
                        "entry for every class; " + LOSS_GRADIENTS.get(name, "")).rstrip("; ")
    return None


#: a loss's numerical check that FAILs by less than this (relative), where its gradient
#: is numpynn's exactly and its loss numpynn's to REFERENCE_TOL, is the effect of a small
#: constant in the loss (``np.log(p + 1e-8)``), not a bug in the gradient
SMOOTHING_TOL = 1e-4


def _smoothed_loss(report: GradCheckReport, indices: list[int], cmp: GradCheckReport,
                   name: str) -> None:
    """Rows ``indices`` of ``report`` (a loss's numerical check) that FAIL by less than
    :data:`SMOOTHING_TOL` pass, with a note, where ``cmp`` (the comparison with numpynn's
    loss) passes in every row: the gradient is the exact formula's, and the loss differs
    from numpynn's by a small constant the learner added (a ``+ 1e-8`` inside the log
    against log(0)), whose own tiny derivative the gradient leaves out."""
    if not cmp.rows or any(r.verdict != PASS for r in cmp.rows):
        return
    for i in indices:
        row = report.rows[i]
        if row.verdict == FAIL and row.max_rel_error < SMOOTHING_TOL and row.kind is None:
            report.rows[i] = dataclasses.replace(row, verdict=PASS)
            note = (f"{name}'s numerical gradient differs from its gradient by "
                    f"{row.max_rel_error:.2g} (relative), while its gradient is numpynn's "
                    "exactly and its loss numpynn's to 1e-6: the loss holds a small constant "
                    "of its own (such as np.log(p + 1e-8) against log(0)), whose derivative "
                    "the gradient leaves out; not a bug (np.log(p) with the scores' max "
                    "subtracted cannot reach log(0))")
            if note not in report.notes:
                report.notes.append(note)


def _loss_and_gradient(name: str, value: object, grad: str, wrt: str,
                       shape: tuple[int, ...], loss_is: str) -> tuple[object, object]:
    """A loss function's (loss, gradient) as it returned them; a stub, another return or
    a loss that is not one number raises (``grad``: the gradient's name, dx or dW;
    ``wrt``: what it is the gradient of, of ``shape``; ``loss_is``: what the loss is)."""
    if _stub(value):
        raise _NotImplementedYetError(name)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        array = wrt.rsplit(" ", 1)[-1]
        raise ReturnError(f"{name} returned {_describe(value)}; it must return the tuple "
                          f"(loss, {grad}): the loss, a number, and its gradient with respect "
                          f"to {wrt}, of {array}'s shape {shape}: return loss, {grad}")
    loss, gradient = value
    if np.shape(loss) == shape and np.size(gradient) == 1:
        raise ReturnError(f"{name} returned ({grad}, loss), the gradient first: the first "
                          f"value has {wrt.rsplit(' ', 1)[-1]}'s shape "
                          f"{shape} and the second is a number; return loss, {grad}")
    if np.size(loss) != 1:
        raise ReturnError(f"{name}'s loss (the first value returned) has shape "
                          f"{np.shape(loss)}; it must be one number, {loss_is}")
    return loss, gradient


def _loss_checks(name: str, fn: Callable, seed: int) -> list[GradCheckReport]:
    x = _draw(seed, "x", (6, 4))
    y = stream(seed, "y").integers(0, 4, 6)
    with np.errstate(invalid="ignore", divide="ignore"):  # a NaN loss is a FAIL of its own
        value = fn(x.copy(), y.copy())
    loss, dx = _loss_and_gradient(name, value, "dx", "the scores x", x.shape,
                                  "the mean over the examples (np.sum(...) / N)")
    dx = np.array(dx, dtype=np.float64, copy=True)
    if dx.shape != x.shape:
        raise ReturnError(f"{name} returned dx of shape {dx.shape} for scores x of shape "
                          f"{x.shape} (N = {x.shape[0]} examples, C = {x.shape[1]} classes); "
                          "dx is the gradient of the loss with respect to every score, so "
                          f"it has x's shape, N x C: {LOSS_GRADIENTS.get(name, '')}".rstrip(": "))
    work = x.copy()
    report = GradCheckReport(title=f"{name}: numerical gradient")
    if not np.isfinite(float(loss)):  # before the second call: NaN != NaN is no random loss
        report.rows.append(GradCheckRow("loss", (), float("inf"), 0.0, FAIL, kind="not finite",
                                        kind_text=nan_loss_text(f"{name}(x, y)", loss, [dx],
                                                                "dx")))
        return [report]
    again = fn(x.copy(), y.copy())[0]
    if not np.isclose(float(again), float(loss), rtol=1e-10, atol=0):
        report.rows.append(GradCheckRow("loss", (), float("inf"), 0.0, FAIL,
                                        kind="random loss", kind_text=KINDS["random loss"]))
        return [report]
    report.rows.append(check_array("x", dx, lambda: float(fn(work.copy(), y.copy())[0]), work,
                                   batch=x.shape[0]))
    if report.rows[0].verdict == INCONCLUSIVE and float(fn(
            x * (1 + 1e-9) + 1e-9 * (x == 0), y.copy())[0]) == float(loss):
        # the loss does not move for a relative 1e-9: computed in float32, not a kink
        report.rows[0] = dataclasses.replace(report.rows[0], cause="precision")
    reports = [report]
    ref = _reference(name)
    if ref is not None:
        want_loss, want_dx = ref[0](x.copy(), y.copy())
        cmp = GradCheckReport(title=f"{name} vs numpynn's (analytic = yours, numerical = "
                                    "numpynn's)")
        ratio = float(loss) / float(want_loss) if float(want_loss) else 0.0
        text, named = f"{name} computes another loss than numpynn's", None
        if abs(ratio - x.shape[0]) < 1e-6 * x.shape[0]:
            text = (f"the loss is N = {x.shape[0]} times numpynn's: it is summed over the "
                    "examples, not averaged (divide it by N, as the gradient is)")
        elif name == "svm_loss" and abs(float(loss) - float(want_loss) - 1.0) < 1e-9:
            text = ("the loss is numpynn's + 1: each example's correct class adds its own "
                    "margin, x[i, y[i]] - x[i, y[i]] + 1 = delta; the sum runs over j != "
                    "y[i] only: set margins[np.arange(N), y] = 0 before summing")
        elif (named := _named_loss(name, x, y, float(loss), float(want_loss))) is not None:
            text = named
        if name == "softmax_loss" and named is None:
            text = _softmax_forward_text(x, y, float(loss), ref[0]) or text
        right_dx = bool(np.all(np.isfinite(dx)) and np.allclose(
            dx, want_dx, rtol=0, atol=REFERENCE_TOL * max(float(np.max(np.abs(want_dx))), 1e-300)))
        aliased = text == f"{name} computes another loss than numpynn's" and right_dx
        if aliased:
            text = (f"{name}'s dx equals numpynn's but its loss does not ({float(loss):.6g} "
                    f"for {float(want_loss):.6g}): most likely the loss reads an array that "
                    "the gradient's code edited in place (dx = margins or dx = probs without "
                    ".copy(), then dx[margins > 0] = 1 or dx[np.arange(N), y] -= 1 changes "
                    "it too); compute the loss before the gradient, or copy the array")
        cmp.rows.append(_compare("loss", loss, want_loss, "forward", text))
        cmp.rows.append(_compare("dx", dx, want_dx))
        row = cmp.rows[-1]
        if cmp.rows[0].verdict == FAIL and text != f"{name} computes another loss than " \
                "numpynn's":  # a named forward mistake: the gradients' FAILs follow from it
            for rows, k in ((cmp.rows, -1), (report.rows, 0)):
                # with numpynn's dx, a kind the numerical row names (a mask: the numerical
                # gradient of a constant loss is 0) is the wrong loss's, not the gradient's
                if rows[k].verdict == FAIL and (rows[k].kind is None or aliased):
                    rows[k] = dataclasses.replace(rows[k], kind="forward", kind_text=text + (
                        "; dx itself is right: the numerical gradient here is your loss's"
                        if aliased else "; fix the loss first (this gradient follows from it)"))
            row = cmp.rows[-1]
        if row.verdict == FAIL and row.kind is None:
            named = _dscores_kind(name, dx, want_dx, y)
            if named is not None:
                cmp.rows[-1] = dataclasses.replace(row, kind=named[0], kind_text=named[1])
            new = cmp.rows[-1]
            if new.kind is not None and report.rows[0].verdict == FAIL \
                    and report.rows[0].kind is None:
                report.rows[0] = dataclasses.replace(report.rows[0], kind=new.kind,
                                                     kind_text=new.kind_text)
        _smoothed_loss(report, [0], cmp, name)
        reports.append(cmp)
    if ref is not None:
        y2 = np.where(y == x.shape[1] - 1, 0, y)
        want2 = ref[0](x.copy(), y2.copy())

        def differs(value: Any) -> str | None:
            got = _as_tuple(value)
            if len(got) == 2 and np.shape(got[1]) == x.shape and np.allclose(
                    float(np.asarray(got[0], dtype=np.float64).sum()), want2[0],
                    rtol=1e-6) and np.allclose(np.asarray(got[1], dtype=np.float64),
                                               want2[1], rtol=1e-6, atol=1e-9):
                return None
            return "returned another loss or dx than numpynn's"

        if all(r.verdict == PASS for r in cmp.rows):  # else wrong on every batch already
            cmp.rows.append(_missing_class_row(f"{name}(x, y)", x.shape[1],
                                               lambda: fn(x.copy(), y2.copy()), differs))
    big = GradCheckReport(title=f"{name} with large scores (x + 1000: the same loss and "
                                "gradient, as the loss depends on differences of scores)")
    big.rows.append(_overflow_row("dx", x.shape, f"{name}(x + 1000, y)",
                                  lambda: fn(x.copy() + 1000.0, y.copy())))
    reports.append(big)
    return reports


def _named_loss(loss_name: str, scores: np.ndarray, y: np.ndarray, loss: float,
                want: float) -> str | None:
    """What a loss of the scores (N x C) that is not numpynn's ``loss_name`` (value
    ``want``) is, where the value shows it: 1 / N times (divided by N twice), the SVM
    without its margin (delta 0), a softmax normalised over axis 0. None otherwise."""
    N = scores.shape[0]
    close = lambda v: abs(loss - v) <= 1e-9 * max(1.0, abs(v))  # noqa: E731
    if want and close(want / N):
        return (f"the loss is 1 / N = 1 / {N} of the course's: it is divided by N twice (each "
                "example's term / N inside the loop, then the sum / N again); divide once")
    if loss_name == "svm_loss" and close(_svm_delta(scores, y, 0.0)):
        return ("the loss is the SVM loss without its margin: max(0, x[i, j] - x[i, y[i]]) "
                "where the course's is max(0, x[i, j] - x[i, y[i]] + 1) (delta = 1.0); add "
                "the 1, in the loss and in the mask of positive margins its gradient uses")
    if loss_name == "softmax_loss":
        for shift in (scores.max(axis=0, keepdims=True), scores.max(axis=1, keepdims=True)):
            e = np.exp(scores - shift)
            if close(float(-np.sum(np.log((e / e.sum(axis=0, keepdims=True))[
                    np.arange(N), y])) / N)):
                return (f"the loss is the softmax loss with the probabilities {AXIS_0} (each "
                        "class over the batch): softmax normalises each row of scores over "
                        "its C classes, np.sum(np.exp(scores), axis=1, keepdims=True), not "
                        "axis=0 (in the loss and in the probabilities its gradient uses)")
    return None


def _svm_delta(x: np.ndarray, y: np.ndarray, delta: float) -> float:
    """The multiclass SVM loss of scores x (N x C), labels y, with margin ``delta``."""
    N = x.shape[0]
    m = np.maximum(0.0, x - x[np.arange(N), y][:, None] + delta)
    m[np.arange(N), y] = 0.0
    return float(m.sum() / N)


def _softmax_forward_text(x: np.ndarray, y: np.ndarray, loss: float,
                          reference: Callable) -> str:
    """The usual softmax forward mistake a ``softmax_loss``'s loss value shows (numpynn's
    loss of scores changed as the mistake changes them), or ''."""
    N = x.shape[0]
    with np.errstate(all="ignore"):
        column = float(reference(x - x.max(axis=0, keepdims=True), y.copy())[0])
        # normalised over all N x C entries, with each row's max subtracted or without
        every = [float(-np.mean(s[np.arange(N), y] - np.log(np.sum(np.exp(s)))))
                 for s in (x - x.max(axis=1, keepdims=True), x - x.max())]
    if np.isclose(loss, column, rtol=1e-9, atol=0):
        return ("softmax_loss subtracts each column's max (np.max(x, axis=0)) where softmax "
                "needs each row's: a different constant per class changes the probabilities; "
                "write x - np.max(x, axis=1, keepdims=True)")
    if any(np.isclose(loss, v, rtol=1e-9, atol=0) for v in every):
        return ("softmax_loss normalises the exponentials over all N x C scores (np.sum("
                "np.exp(x)) without an axis): each example's probabilities must sum to 1 on "
                "their own row: np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)")
    return ""


def _overflow_row(grad: str, shape: tuple[int, ...], call: str,
                  evaluate: Callable[[], Any]) -> GradCheckRow:
    """The row of a loss function evaluated on scores shifted by 1000 (``evaluate()``:
    its (loss, gradient), ``call`` how the message names the call): a FAIL of kind
    overflow when the loss or the gradient ``grad`` is not finite, or the call raises."""
    try:
        with np.errstate(all="ignore"):
            got = evaluate()
        loss = float(np.asarray(got[0], dtype=np.float64).reshape(-1)[0])
        gradient = np.asarray(got[1], dtype=np.float64)
        bad = not np.isfinite(loss) or not np.all(np.isfinite(gradient))
        text = (f"{call} gave loss {loss:.6g} and a {grad} with "
                f"{int(np.sum(~np.isfinite(gradient)))} NaN or inf entries; ")
    except (ReturnError, _NotImplementedYetError):
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise on large scores
        bad, text = True, f"{call} {_error_text(exc)}; "
    return GradCheckRow(
        f"loss, {grad}", shape, float("inf") if bad else 0.0, 0.0, FAIL if bad else PASS,
        kind="overflow" if bad else None, kind_text=text + KINDS["overflow"] if bad else "")


# ------------------------------------------- assignment 1's linear classifiers' losses
#: Assignment 1's linear classifiers (classifiers/linear_svm.py, classifiers/softmax.py):
#: ``name(W, X, y, reg) -> (loss, dW)``, the loss of the scores X.dot(W) (numpynn's loss of
#: that name) plus a penalty on W.
LINEAR_LOSSES: dict[str, str] = {
    "svm_loss_naive": "svm_loss", "svm_loss_vectorized": "svm_loss",
    "softmax_loss_naive": "softmax_loss", "softmax_loss_vectorized": "softmax_loss",
}
#: N <= D: X.T has full column rank, so dW = X.T.dot(dscores) gives dscores back
LINEAR_N, LINEAR_D, LINEAR_C = 5, 7, 4
#: the reg of the second check (the first is at reg 0)
LINEAR_REG = 0.1


def _linear_checks(name: str, fn: Callable, seed: int) -> list[GradCheckReport]:
    """Assignment 1's ``svm_loss_naive`` / ``_vectorized``, ``softmax_loss_naive`` /
    ``_vectorized`` (W, X, y, reg): dW against numerical gradients at reg 0 and
    :data:`LINEAR_REG`; loss and dW at reg 0 against numpynn's loss of the scores X.dot(W)
    (a FAIL named from the dscores that dW holds, as for ``softmax_loss``); the penalty
    ``reg * sum(W * W)`` with gradient ``2 reg W`` (the course's) or ``0.5 reg sum(W *
    W)`` with ``reg W`` (older years'), either used consistently; finite on large scores."""
    loss_name = LINEAR_LOSSES[name]
    W = 0.5 * _draw(seed, "W_linear", (LINEAR_D, LINEAR_C))
    X = _draw(seed, "X_linear", (LINEAR_N, LINEAR_D))
    X[:, -1] = 1.0  # the course's bias trick: a column of ones
    y = stream(seed, "y_linear").integers(0, LINEAR_C, LINEAR_N)
    try:
        inspect.signature(fn).bind(W, X, y, 0.0)
    except TypeError as exc:
        raise _SignatureError(f"{name}: called with (W, X, y, reg) as CS231n's, it raised "
                              f"TypeError: {exc}") from None
    except ValueError:
        pass

    def call(w: np.ndarray, reg: float) -> tuple[float, np.ndarray]:
        loss, dw = _loss_and_gradient(name, fn(w.copy(), X.copy(), y.copy(), reg), "dW",
                                      "the weights W", W.shape,
                                      "the mean over the examples plus the penalty")
        dw = np.array(dw, dtype=np.float64, copy=True)
        if dw.shape != W.shape:
            raise ReturnError(
                f"{name} returned dW of shape {dw.shape} for W of shape {W.shape} (D = "
                f"{LINEAR_D}, C = {LINEAR_C}); dW has W's shape: dW = X.T.dot(dscores), "
                "dscores N x C" + (" (yours is transposed: X.T first)"
                                   if dw.shape == W.shape[::-1] else ""))
        return float(np.asarray(loss, dtype=np.float64).reshape(-1)[0]), dw

    loss0, dw0 = call(W, 0.0)
    report = GradCheckReport(title=f"{name}: numerical gradient of W, at reg 0 and "
                                   f"{LINEAR_REG:g}")
    if call(W, 0.0)[0] != loss0 and not np.isclose(call(W, 0.0)[0], loss0, rtol=1e-10,
                                                    atol=0):
        report.rows.append(GradCheckRow("loss", (), float("inf"), 0.0, FAIL,
                                        kind="random loss", kind_text=KINDS["random loss"]))
        return [report]
    loss_r, dw_r = call(W, LINEAR_REG)
    for reg, dw in ((0.0, dw0), (LINEAR_REG, dw_r)):
        work = W.copy()
        report.rows.append(check_array(f"W (reg={reg:g})", dw,
                                       lambda reg=reg, work=work: call(work, reg)[0], work,
                                       batch=LINEAR_N))
    zero, with_reg = report.rows
    if with_reg.verdict == FAIL and zero.verdict == PASS:
        report.rows[1] = dataclasses.replace(with_reg, kind="regularisation", kind_text=(
            KINDS["regularisation"] + f" (reg = {LINEAR_REG:g} here): the penalty reg * "
            "np.sum(W * W) has the gradient 2 * reg * W (0.5 * reg * np.sum(W * W): reg * W)"))
    reports = [report]
    want_loss, want_ds = _reference(loss_name)[0](X @ W, y)
    want_dw = X.T @ want_ds
    cmp = GradCheckReport(title=f"{name} at reg 0 vs numpynn's {loss_name} of the scores "
                                "X.dot(W) (analytic = yours, numerical = numpynn's)")
    text = f"{name} computes another loss than numpynn's {loss_name} of X.dot(W)"
    if abs(loss0 / float(want_loss) - LINEAR_N) < 1e-6 * LINEAR_N:
        text = (f"the loss is N = {LINEAR_N} times numpynn's: it is summed over the examples, "
                "not averaged (loss /= num_train, as dW /= num_train)")
    elif loss_name == "svm_loss" and abs(loss0 - float(want_loss) - 1.0) < 1e-9:
        text = ("the loss is numpynn's + 1: each example's correct class adds its own margin "
                "(delta = 1); skip j == y[i] in the loop, or set margins[np.arange(N), y] = 0")
    else:
        text = _named_loss(loss_name, X @ W, y, loss0, float(want_loss)) or text
    generic = text == f"{name} computes another loss than numpynn's {loss_name} of X.dot(W)"
    row = _compare("dW", dw0, want_dw, batch=LINEAR_N)
    aliased = generic and row.verdict == PASS
    if aliased:
        text = (f"{name}'s dW equals numpynn's but its loss does not ({loss0:.6g} for "
                f"{float(want_loss):.6g}): most likely the loss reads an array that the "
                "gradient's code edited in place (binary = margins without .copy(), then "
                "binary[margins > 0] = 1 changes margins too); compute the loss before the "
                "gradient, or copy the array")
    cmp.rows.append(_compare("loss", loss0, want_loss, "forward", text))
    if cmp.rows[0].verdict == FAIL and (not generic or aliased):
        # a named forward mistake: the gradients' FAILs follow from it (the numerical
        # gradient is of the learner's loss)
        follows = text + ("; dW itself is right: the numerical gradient here is your loss's"
                          if aliased else "; fix the loss first (this gradient follows from it)")
        if row.verdict == FAIL and row.kind is None:
            row = dataclasses.replace(row, kind="forward", kind_text=follows)
        report.rows = [dataclasses.replace(r, kind="forward", kind_text=follows)
                       if r.verdict == FAIL and r.kind is None else r for r in report.rows]
        zero = report.rows[0]
    if row.verdict == FAIL and row.kind is None:
        # X.T (D x N, N <= D) has full column rank: dW = X.T.dot(dscores) gives dscores
        ds = np.linalg.lstsq(X.T, dw0, rcond=None)[0]
        named = _dscores_kind(loss_name, ds, want_ds, y) if _close_to(X.T @ ds, dw0) \
            else None
        if named is not None:
            row = dataclasses.replace(row, kind=named[0], kind_text=(
                f"in dW = X.T.dot(dscores), the dscores: {named[1]}"))
    cmp.rows.append(row)
    if row.kind is not None and zero.verdict == FAIL and zero.kind is None:
        report.rows[0] = dataclasses.replace(zero, kind=row.kind, kind_text=row.kind_text)
    # the penalty: the loss's and the gradient's must be one convention's
    norm = float(np.sum(W * W))
    penalty = (loss_r - loss0) / (LINEAR_REG * norm)
    half = abs(penalty - 0.5) < 1e-6
    factor = 0.5 if half else 1.0
    cmp.rows.append(_compare(
        f"loss(reg={LINEAR_REG:g}) - loss(0)", loss_r - loss0, factor * LINEAR_REG * norm,
        "regularisation", f"the penalty is {penalty:.6g} * reg * np.sum(W * W); the course's "
        "is reg * np.sum(W * W) (or, in older years, 0.5 * reg * np.sum(W * W))"))
    cmp.rows.append(_compare(
        f"dW(reg={LINEAR_REG:g}) - dW(0)", dw_r - dw0, 2 * factor * LINEAR_REG * W,
        "regularisation", (f"the penalty's gradient must be {2 * factor:g} * reg * W for the "
                           f"loss's {factor:g} * reg * np.sum(W * W)"
                           + ("" if half else " (reg * W goes with 0.5 * reg * np.sum(W * W))"))))
    if half:
        cmp.notes.append(f"{name} uses the penalty 0.5 * reg * np.sum(W * W) (older years of "
                         "the course; the course's is reg * np.sum(W * W)), with its gradient "
                         "reg * W: consistent")
    _smoothed_loss(report, [0, 1] if cmp.rows[-1].verdict == PASS else [0], cmp, name)
    reports.append(cmp)
    if with_reg.verdict == FAIL and with_reg.kind is None \
            and report.rows[0].kind is not None \
            and cmp.rows[-1].verdict == PASS:  # the data term's mistake, seen at reg 0 too
        report.rows[1] = dataclasses.replace(with_reg, kind=report.rows[0].kind, kind_text=(
            report.rows[0].kind_text + " (seen in the same check at reg 0)"))
    big = GradCheckReport(title=f"{name} with large scores (W's last row, the bias of the "
                                "course's column of ones, + 1000: every score + 1000, the "
                                "same loss and dW)")
    shifted = W.copy()
    shifted[-1] += 1000.0
    big.rows.append(_overflow_row("dW", W.shape, f"{name} with every score + 1000",
                                  lambda: call(shifted, 0.0)))
    reports.append(big)
    return reports


# ------------------------------------------------------------ update rules (optim.py)
#: CS231n's update rules (optim.py) a learner's file is searched for: name -> the state
#: its config keeps (compared with numpynn's after every step).
OPTIM_STATE: dict[str, tuple[str, ...]] = {
    "sgd": (), "sgd_momentum": ("velocity",), "rmsprop": ("cache",), "adam": ("m", "v", "t"),
}
#: The course's update rules, for the FAIL message.
OPTIM_RULES: dict[str, str] = {
    "sgd": "next_w = w - learning_rate * dw",
    "sgd_momentum": "v = momentum * v - learning_rate * dw; next_w = w + v",
    "rmsprop": "cache = decay_rate * cache + (1 - decay_rate) * dw**2; next_w = w - "
               "learning_rate * dw / (np.sqrt(cache) + epsilon)",
    "adam": "t += 1; m = beta1 * m + (1 - beta1) * dw; v = beta2 * v + (1 - beta2) * dw**2; "
            "next_w = w - learning_rate * mt / (np.sqrt(vt) + epsilon) with mt = m / (1 - "
            "beta1**t), vt = v / (1 - beta2**t)",
}


def _optim_starts(name: str) -> list[tuple[str, dict[str, Any]]]:
    """The configs an update rule is checked from: the Optimization notebook's (its N, D
    = 4, 5 linspace state) and the Solver's (only a learning rate: the rule makes its
    own state, Adam's t from 0)."""
    size = 20
    state = {"sgd": {}, "sgd_momentum": {"velocity": np.linspace(0.6, 0.9, size)},
             "rmsprop": {"cache": np.linspace(0.7, 0.8, size)},
             "adam": {"m": np.linspace(0.6, 0.9, size), "v": np.linspace(0.7, 0.5, size),
                      "t": 5}}[name]
    lr = 1e-3 if name == "sgd_momentum" else 1e-2
    fresh = [(f"config {{'learning_rate': {lr:g}}}", {"learning_rate": lr})]
    if not state:  # sgd keeps no state: the notebook's config is the Solver's
        return fresh
    return [("the notebook's config", {"learning_rate": lr, **{
                k: v.reshape(4, 5) if isinstance(v, np.ndarray) else v
                for k, v in state.items()}}), *fresh]


def _optim_run(rule: Callable, config: dict[str, Any], w: np.ndarray, dws: list[np.ndarray],
               keys: tuple[str, ...]) -> tuple[np.ndarray, dict[str, Any]]:
    """``rule`` applied for len(dws) steps from ``config``, as the Solver applies it (the
    config it returns is passed to the next step): the stacked next_w's and each state
    key's stacked values (None where the config lacks it)."""
    config = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in config.items()}
    ws, states = [], {k: [] for k in keys}
    for dw in dws:
        with np.errstate(all="ignore"):  # a division by zero shows as NaN in the report
            out = rule(w.copy(), dw.copy(), config)
        if _stub(out):
            raise _NotImplementedYetError(getattr(rule, "__name__", "update rule"))
        if not isinstance(out, tuple) or len(out) != 2:
            raise ReturnError(f"{getattr(rule, '__name__', 'the update rule')} returned "
                              f"{_describe(out)}; it must return the tuple (next_w, config)")
        w, config = np.array(out[0], dtype=np.float64), out[1]
        ws.append(w)
        for k in keys:
            value = config.get(k) if hasattr(config, "get") else None
            states[k].append(None if value is None else np.array(value, dtype=np.float64))
    return np.stack(ws), {k: None if any(v is None for v in vs) else np.stack(vs)
                          for k, vs in states.items()}


def _eps_inside(name: str) -> Callable:
    """numpynn's ``name`` with epsilon inside the square root (``dw / np.sqrt(cache +
    epsilon)``, as some libraries write it): as right as the course's, and it differs
    from it where a state entry is below about epsilon."""
    def rule(w: np.ndarray, dw: np.ndarray, config: dict) -> tuple[np.ndarray, dict]:
        eps = config.get("epsilon", 1e-8)
        step = COURSE_RULES[name](np.zeros_like(w), dw, {**config, "epsilon": 0.0})[1]
        if name == "rmsprop":
            den = np.sqrt(step["cache"] + eps)
            out = w - step["learning_rate"] * dw / den
        else:
            t, b1, b2 = step["t"], step["beta1"], step["beta2"]
            mt, vt = step["m"] / (1 - b1 ** t), step["v"] / (1 - b2 ** t)
            out = w - step["learning_rate"] * mt / np.sqrt(vt + eps)
        config.update({k: v for k, v in step.items() if k != "epsilon"})
        config["epsilon"] = eps
        return out, config
    return rule


def _optim_variants(name: str) -> list[tuple[Callable, str, str]]:
    """The learners' usual mistakes in each update rule, written out: (rule, kind, text);
    the one whose steps the learner's match is named in the FAIL."""
    def sgd_up(w, dw, c):
        return w + c["learning_rate"] * dw, c

    def momentum_up(w, dw, c):
        c["velocity"] = c["momentum"] * c.get("velocity", np.zeros_like(w)) \
            + c["learning_rate"] * dw
        return w + c["velocity"], c

    def rmsprop_no_sqrt(w, dw, c):
        c["cache"] = c["decay_rate"] * c.get("cache", np.zeros_like(w)) \
            + (1 - c["decay_rate"]) * dw ** 2
        return w - c["learning_rate"] * dw / (c["cache"] + c["epsilon"]), c

    def adam(correct: bool, t_after: bool, store_hat: bool = False) -> Callable:
        def rule(w, dw, c):
            b1, b2 = c["beta1"], c["beta2"]
            t = c.get("t", 0)
            m = b1 * c.get("m", np.zeros_like(w)) + (1 - b1) * dw
            v = b2 * c.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
            used = t if t_after else t + 1
            with np.errstate(all="ignore"):
                mh = m / (1 - b1 ** used) if correct else m
                vh = v / (1 - b2 ** used) if correct else v
            c.update(t=t + 1, m=mh if store_hat else m, v=vh if store_hat else v)
            with np.errstate(all="ignore"):
                return w - c["learning_rate"] * mh / (np.sqrt(vh) + c["epsilon"]), c
        return rule

    def with_defaults(rule: Callable) -> Callable:
        defaults = {"learning_rate": 1e-2, "momentum": 0.9, "decay_rate": 0.99,
                    "epsilon": 1e-8, "beta1": 0.9, "beta2": 0.999}

        def run(w, dw, c):
            for k, v in defaults.items():
                c.setdefault(k, v)
            return rule(w, dw, c)
        return run

    table = {
        "sgd": [(sgd_up, "negation", "sgd moves w up the gradient (w + learning_rate * dw); "
                 "descent subtracts it: w - learning_rate * dw")],
        "sgd_momentum": [(momentum_up, "negation", "sgd_momentum's velocity adds the "
                          "gradient (v = momentum * v + learning_rate * dw, then w + v "
                          "climbs); the course's: v = momentum * v - learning_rate * dw, "
                          "next_w = w + v")],
        "rmsprop": [(rmsprop_no_sqrt, "update rule", "rmsprop divides by cache + epsilon; "
                     "it divides by the root mean square: dw / (np.sqrt(cache) + epsilon)")],
        "adam": [(adam(False, False), "update rule", "adam has no bias correction: it steps "
                  "with m and v themselves; use mt = m / (1 - beta1**t) and vt = v / (1 - "
                  "beta2**t), t counted from 1 (t += 1 first)"),
                 (adam(True, True), "update rule", "adam's bias correction uses t before it "
                  "is incremented (at the first step t = 0, 1 - beta1**0 = 0: a division by "
                  "zero); increment t first: config['t'] += 1, then mt = m / (1 - "
                  "beta1**t)"),
                 (adam(True, False, True), "update rule", "adam stores the bias-corrected "
                  "mt and vt in config['m'] and config['v']; the running averages m and v "
                  "must be kept uncorrected (correct a copy for the step)")],
    }
    return [(with_defaults(rule), kind, text) for rule, kind, text in table.get(name, [])]


def _optim_report(name: str, label: str, rule: Callable, config: dict[str, Any],
                  w: np.ndarray, dws: list[np.ndarray], got_w: np.ndarray,
                  got_state: dict[str, Any]) -> GradCheckReport:
    """The learner's steps (got_w, got_state) from ``config`` against ``rule``'s."""
    want_w, want_state = _optim_run(rule, config, w, dws, tuple(got_state))
    report = GradCheckReport(title=f"{name} from {label}, {len(dws)} steps, vs numpynn's "
                                   f"{name} (analytic = yours, numerical = numpynn's)")
    report.rows.append(_compare("next_w", got_w, want_w, "update rule",
                                f"{name}'s next_w differs from the course's: "
                                f"{OPTIM_RULES[name]}"))
    for k, got in got_state.items():
        if got is None:
            report.rows.append(GradCheckRow(
                f"config[{k!r}]", want_state[k].shape, float("inf"), REFERENCE_TOL, FAIL,
                kind="update rule", kind_text=f"the config {name} returns has no {k!r} "
                f"after a step: keep the state there (config[{k!r}] = ...), which the next "
                "step reads"))
        else:
            report.rows.append(_compare(f"config[{k!r}]", got, want_state[k], "update rule",
                                        f"{name} keeps config[{k!r}] otherwise than the "
                                        f"course's: {OPTIM_RULES[name]}"))
    return report


def _same_steps(got: np.ndarray, bad: np.ndarray) -> bool:
    """The learner's next_w's equal a variant's, NaN and inf entries included."""
    if got.shape != bad.shape:
        return False
    fin = np.isfinite(got)
    return bool(np.array_equal(fin, np.isfinite(bad))
                and np.array_equal(got[~fin], bad[~fin], equal_nan=True)
                and (not fin.any() or _close_to(got[fin], bad[fin])))


def _optim_checks(name: str, fn: Callable, seed: int) -> list[GradCheckReport]:
    """The learner's update rule ``name`` against numpynn's (:mod:`numpynn.cs231n.optim`)
    for three steps from each of :func:`_optim_starts`: next_w and the config's state
    after each step must agree to :data:`REFERENCE_TOL` (with rmsprop's and adam's
    epsilon inside the square root or outside it); a FAIL names the mistake when the
    steps match one of :func:`_optim_variants`."""
    try:
        inspect.signature(fn).bind(np.zeros(1), np.zeros(1), {})
    except TypeError as exc:
        raise _SignatureError(f"{name}: called with (w, dw, config) as CS231n's, it raised "
                              f"TypeError: {exc}") from None
    except ValueError:
        pass
    w = np.linspace(-0.4, 0.6, 20).reshape(4, 5)
    dws = [np.linspace(-0.6, 0.4, 20).reshape(4, 5),
           *(stream(seed, f"dw{k}").standard_normal((4, 5)) for k in (1, 2))]
    rules = [(COURSE_RULES[name], "")]
    if name in ("rmsprop", "adam"):
        rules.append((_eps_inside(name), " (epsilon inside the square root: as right)"))
    reports = []
    for label, config in _optim_starts(name):
        got_w, got_state = _optim_run(fn, config, w, dws, OPTIM_STATE[name])
        candidates = [_optim_report(name, label + how, rule, config, w, dws, got_w, got_state)
                      for rule, how in rules]
        report = next((r for r in candidates if r.verdict != FAIL), candidates[0])
        if report.verdict == FAIL:
            for rule, kind, text in _optim_variants(name):
                try:
                    with np.errstate(all="ignore"):
                        bad_w, _ = _optim_run(rule, config, w, dws, ())
                except Exception:  # noqa: BLE001 - numpynn's variant: never the learner's error
                    continue
                if _same_steps(got_w, bad_w):
                    report.rows = [dataclasses.replace(r, kind=kind, kind_text=text)
                                   if r.verdict == FAIL and r.name == "next_w" else r
                                   for r in report.rows]
                    break
        reports.append(report)
    return reports


# ---------------------------------------------------------- forward and test-mode checks
#: CS231n's dropout_forward docstring in older years of the course (p the probability of
#: DROPPING a unit), and in recent years (p the probability of KEEPING it).
DROP_DOCSTRING = "drop each neuron output with probability p"
#: words of a dropout_forward docstring that say it is vanilla dropout (kept units
#: unscaled in train mode, the output scaled by the keep probability at test time)
VANILLA_WORDS = ("vanilla", "non-inverted", "non inverted", "noninverted", "not inverted")
KEEP_DOCSTRING = "keep each neuron output with probability p"
#: a mention of vanilla dropout that says the function is NOT it: the course's own
#: docstring since 2019, "Forward pass for inverted dropout. Note that this is different
#: from the vanilla version of dropout."
_NOT_VANILLA = re.compile(
    r"\b(?:different from|differs from|unlike|instead of|as opposed to|rather than|not"
    r"|than)\s+(?:the\s+|a\s+)?(?:vanilla|non-inverted|non inverted|noninverted)")
#: "inverted" said of the function itself: not "non-inverted", "not inverted"
_INVERTED = re.compile(r"(?<![\w-])(?<!non )(?<!not )inverted\b")


def says_vanilla(doc: str | None) -> bool:
    """Whether a dropout_forward docstring says the function is vanilla (non-inverted)
    dropout (:data:`VANILLA_WORDS`): not where it mentions vanilla dropout to say it is
    something else (:data:`_NOT_VANILLA`), nor where it says it is inverted dropout."""
    text = " ".join((doc or "").split()).lower()
    text = _NOT_VANILLA.sub(" ", text)
    if _INVERTED.search(text):
        return False
    return any(w in text for w in VANILLA_WORDS)


def _dropout_behaviour(fwd: Callable, seed: int) -> GradCheckReport:
    """CS231n's dropout checks: in train mode the mean is preserved and a fraction 1 - p
    is zeroed (p the keep probability); in test mode the output equals the input. A
    forward whose docstring is the older course's (:data:`DROP_DOCSTRING`) may zero a
    fraction p instead, as that docstring asks (a note says which convention it uses)."""
    report = GradCheckReport(title="dropout_forward: train and test mode (analytic = "
                                   "yours, numerical = expected)")
    x = _draw(seed, "x_stats", (500, 500)) + 10
    doc = " ".join((inspect.getdoc(fwd) or "").split())
    old_course = DROP_DOCSTRING in doc
    vanilla = says_vanilla(doc)
    outs = {p: np.asarray(fwd(x.copy(), {"mode": "train", "p": p, "seed": 123})[0])
            for p in (0.25, 0.7)}
    zeroed = {p: float(np.mean(out == 0)) for p, out in outs.items()}
    drop_convention = all(abs(z - p) < 0.01 for p, z in zeroed.items())
    if old_course and drop_convention:
        report.notes.append(
            "your dropout_forward's docstring is the older years' ('We drop each neuron "
            "output with probability p') and your p drops units, as it says: checked as the "
            "drop probability (zeroed fraction p, kept units scaled by 1 / (1 - p)); your "
            "model must pass p as the drop rate (in recent years CS231n's p is the keep "
            "probability, FullyConnectedNet's dropout_keep_ratio)")
    if vanilla:
        report.notes.append(
            "your dropout_forward's docstring says it is vanilla (non-inverted) dropout: "
            "checked as such, the kept units unscaled in train mode and the output scaled "
            "by the keep probability at test time (CS231n's assignment asks for inverted "
            "dropout, which scales by 1 / p in train mode and returns the input at test "
            "time; a model's test mode is checked against that)")
    for p, out in outs.items():
        want = p if old_course and drop_convention else 1 - p
        report.rows.append(_stat_row(
            f"zeroed p={p}", zeroed[p], want, 0.01, "forward",
            f"{zeroed[p]:.3f} of the outputs are 0 for p = {p}; CS231n's p is the "
            "probability of KEEPING a unit (recent years: 'We keep each neuron output with "
            "probability p'), so 1 - p should be zeroed"
            + ((" (your p drops units, but your docstring says p keeps them: keep units "
                "where np.random.rand(*x.shape) < p)") if KEEP_DOCSTRING in doc else
               (" (your p drops units, as older years of the course had it, 'We drop each "
                "neuron output with probability p': if your course's dropout_forward "
                "docstring says so, keep it in the function and p is checked as the drop "
                "probability; otherwise keep units where np.random.rand(*x.shape) < p)"))
            * (drop_convention and not old_course)))
        mean = float(out.mean())
        keep = (1 - p if old_course and drop_convention else p) if vanilla else 1.0
        report.rows.append(_stat_row(
            f"mean p={p}", mean, keep * float(x.mean()), 0.02 * abs(float(x.mean())),
            "forward",
            f"the train-mode mean is {mean:.3f} for an input of mean {x.mean():.3f}: "
            + ("vanilla dropout (your docstring) keeps the kept units unscaled, so the "
               f"mean is {keep:g} x the input's" if vanilla else
               "the kept units must be scaled by 1 / (their probability) (inverted "
               "dropout) so that the mean is preserved")))
    test = np.asarray(fwd(x.copy(), {"mode": "test", "p": 0.25, "seed": 123})[0])
    keep = (0.75 if old_course and drop_convention else 0.25) if vanilla else 1.0
    cmp = _compare("test out", test, keep * x, "test mode",
                   f"vanilla dropout (your docstring) scales its input by the keep "
                   f"probability ({keep:g} here) at test time" if vanilla else
                   "in test mode dropout must return its input unchanged (no mask, no "
                   "scaling: inverted dropout scales at training time)" + (
                       "; yours scales by p at test time, as vanilla dropout does: the "
                       "course asks for inverted dropout, the kept units scaled by 1 / p in "
                       "train mode and x returned at test time (a docstring that says "
                       "'vanilla' or 'non-inverted' dropout is checked as that)"
                       if _close_to(test, 0.25 * x) else ""))
    report.rows.append(cmp)
    return report


def _batchnorm_behaviour(fwd: Callable, seed: int) -> GradCheckReport:
    """CS231n's batch norm checks: train-mode output mean 0 and std 1 per feature (gamma 1,
    beta 0) and beta/gamma otherwise; running averages after 50 steps equal numpynn's; the
    test-mode output uses them (compared with numpynn's on a batch of 5, whose own
    statistics differ from the running ones)."""

    report = GradCheckReport(title="batchnorm_forward: train and test mode (analytic = "
                                   "yours, numerical = expected)")
    rng = stream(seed, "bn_stats")
    w1, w2 = rng.standard_normal((4, 5)), rng.standard_normal((5, 3))

    def batch(n: int) -> np.ndarray:
        return 12 + np.maximum(rng.standard_normal((n, 4)) @ w1, 0) @ w2

    x = batch(200)
    out = np.asarray(fwd(x.copy(), np.ones(3), np.zeros(3), {"mode": "train"})[0])
    report.rows.append(_stat_row(
        "mean (g=1,b=0)", float(np.abs(out.mean(axis=0)).max()), 0.0, 1e-6, "forward",
        "the train-mode output's per-feature mean is not 0: normalise each column (axis 0) "
        "by the batch mean"))
    report.rows.append(_stat_row(
        "std (g=1,b=0)", float(np.abs(out.std(axis=0) - 1).max()), 0.0, 1e-3, "forward",
        "the train-mode output's per-feature std is not 1: divide by sqrt(var + eps) with "
        "the biased batch variance over axis 0"))
    report.rows.append(_constant_row(fwd, x, 0, "feature (column)"))
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0])
    out = np.asarray(fwd(x.copy(), gamma, beta, {"mode": "train"})[0])
    report.rows.append(_stat_row(
        "mean = beta", float(np.abs(out.mean(axis=0) - beta).max()), 0.0, 1e-6, "forward",
        "with gamma and beta the per-feature mean must be beta: out = gamma * xhat + beta"))
    # the same starting running averages for both (CS231n's starter code starts the
    # running variance at zeros, numpynn at ones: either is right)
    mine: dict[str, Any] = {"mode": "train", "running_mean": np.zeros(3),
                            "running_var": np.ones(3)}
    theirs: dict[str, Any] = {"mode": "train", "running_mean": np.zeros(3),
                              "running_var": np.ones(3)}
    momenta = _bn_momenta(fwd, batch(20), gamma, beta)
    chosen = _bn_momentum_choice(momenta)
    unbiased = chosen is not None and UNBIASED in momenta
    if chosen is not None and abs(chosen - BN_MOMENTUM) > 1e-6:
        theirs["momentum"] = chosen
        report.notes.append(
            f"your batchnorm_forward uses momentum = {chosen:.4g} for both running averages "
            f"(numpynn's default {BN_MOMENTUM:g}, used when bn_param has no 'momentum'): a "
            "choice, not a bug; the running averages are compared with numpynn's at your "
            "value")
    if unbiased and all(r.verdict == PASS for r in report.rows if r.name == "std (g=1,b=0)"):
        report.notes.append(
            "your batchnorm_forward's running variance averages the unbiased batch variance "
            "(x.var(axis=0, ddof=1), as PyTorch keeps it; the course's and numpynn's average "
            "the biased one, x.var(axis=0), which the batch is normalised with): a choice, "
            "not a bug; it is compared with that")
    for _ in range(50):
        xb = batch(20)
        fwd(xb.copy(), gamma, beta, mine)
        before = np.array(theirs["running_var"], dtype=np.float64)
        batchnorm_forward(xb.copy(), gamma, beta, theirs)
        if unbiased:
            m = theirs.get("momentum", BN_MOMENTUM)
            theirs["running_var"] = m * before + (1 - m) * xb.var(axis=0, ddof=1)
    for key in ("running_mean", "running_var"):
        if key not in mine:
            report.rows.append(GradCheckRow(key, (3,), float("inf"), REFERENCE_TOL, FAIL,
                                            kind="test mode", kind_text=f"bn_param has no "
                                            f"{key!r} after 50 train-mode steps; store it "
                                            "there (bn_param[key] = ...)"))
            continue
        report.rows.append(_compare(key, mine[key], theirs[key], "test mode",
                                    f"after 50 train-mode steps bn_param[{key!r}] differs from "
                                    "momentum * running + (1 - momentum) * batch statistic "
                                    "(momentum 0.9 by default)" + _momentum_text(
                                        key, momenta.get(key))))
    xt = batch(5)
    ref, note = _chosen("batchnorm", batchnorm_forward, lambda *a: fwd(*a, {"mode": "train"}),
                        [x, gamma, beta], ({"mode": "train"},))
    report.notes += [note] if note else []
    mine["mode"] = theirs["mode"] = "test"
    before = {k: np.array(mine[k], dtype=np.float64, copy=True)
              for k in ("running_mean", "running_var") if k in mine}
    got = np.asarray(fwd(xt.copy(), gamma, beta, mine)[0])
    want = np.asarray(ref(xt.copy(), gamma, beta, theirs)[0])
    report.rows.append(_compare("test out", got, want, "test mode",
                                "test mode must normalise with the running averages, not the "
                                "test batch's own statistics (and must not update them)"))
    # test mode reads the running averages and leaves them: updated with the test batch,
    # each prediction moves them, and the next test batch is normalised otherwise
    for key, old in before.items():
        report.rows.append(_compare(
            f"{key} after test mode", mine.get(key), old, "test mode",
            f"a test-mode call changed bn_param['{key}']: test mode must only read the "
            "running averages (the update momentum * running + (1 - momentum) * batch "
            "statistic belongs in the train-mode branch); updated with the test batch, "
            "every prediction moves them and the same input gets other outputs later"))
    return report


#: numpynn's (and CS231n's) batch norm momentum when bn_param has none
BN_MOMENTUM = 0.9


def _bn_momenta(fwd: Callable, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray
                ) -> dict[str, float]:
    """The momentum the learner's batch norm forward gives each running average (key ->
    m, where one train-mode step from a known start leaves ``m * start + (1 - m) * the
    batch's statistic`` with the same m for every feature); a key it does not update so
    is left out. bn_param holds no 'momentum', as the course's models pass it."""
    start = {"running_mean": np.array([-3.0, 5.0, 20.0]),
             "running_var": np.array([0.5, 40.0, 3.0])}
    param: dict[str, Any] = {"mode": "train", **{k: v.copy() for k, v in start.items()}}
    fwd(x.copy(), gamma.copy(), beta.copy(), param)
    stats = {"running_mean": x.mean(axis=0), "running_var": x.var(axis=0),
             # PyTorch's running variance: the unbiased batch variance (ddof=1)
             UNBIASED: x.var(axis=0, ddof=1)}
    out: dict[str, float] = {}
    for key, stat in stats.items():
        new = np.asarray(param.get(key.split(" ")[0], np.nan), dtype=np.float64)
        if new.shape != stat.shape:
            continue
        with np.errstate(all="ignore"):
            m = (new - stat) / (start[key.split(" ")[0]] - stat)
        if np.all(np.isfinite(m)) and np.ptp(m) <= 1e-6 * max(abs(float(m[0])), 1e-12):
            out[key] = float(np.mean(m))
    if UNBIASED in out and "running_var" in out:  # one of the two only
        del out[UNBIASED]
    return out


#: :func:`_bn_momenta`'s key for a running variance that averages the unbiased batch
#: variance (x.var(axis=0, ddof=1), as PyTorch's BatchNorm1d keeps it)
UNBIASED = "running_var (unbiased)"


def _bn_momentum_choice(momenta: dict[str, float]) -> float | None:
    """The learner's own momentum, where both running averages use the same one, other
    than :data:`BN_MOMENTUM`, and it keeps most of the old average (0.5 <= m < 1: a
    momentum below 0.5 is more likely ``(1 - momentum) * running + momentum * batch``,
    the momentum on the wrong side); else None."""
    var_key = UNBIASED if UNBIASED in momenta else "running_var"
    if set(momenta) != {"running_mean", var_key}:
        return None
    m, m_var = momenta["running_mean"], momenta[var_key]
    if abs(m - m_var) > 1e-6 or not 0.5 <= m < 1 - 1e-6 or (
            abs(m - BN_MOMENTUM) <= 1e-6 and var_key == "running_var"):
        return None
    return m


def _momentum_text(key: str, m: float | None) -> str:
    """What the momentum read from the learner's forward (:func:`_bn_momenta`) shows."""
    if m is None:
        return ""
    if abs(m - (1 - BN_MOMENTUM)) <= 1e-6:
        return (f"; yours keeps {m:.3g} of the old {key} and takes {1 - m:.3g} of the batch's: "
                "the momentum is on the wrong side, write momentum * running + (1 - "
                "momentum) * batch")
    if abs(m - 1) <= 1e-6:
        return f"; yours leaves {key} unchanged by a train-mode step"
    if abs(m - BN_MOMENTUM) > 1e-6:
        return (f"; yours keeps {m:.3g} of the old {key} (a momentum of your own is accepted "
                "when both running averages use it and it is at least 0.5)")
    return ""


def _constant_row(fwd: Callable, x: np.ndarray, axis: int, what: str) -> GradCheckRow:
    """A normalisation's train-mode output where one {what} of x is constant (variance 0,
    as a ReLU unit that is 0 for every example gives): it must be finite (0 / sqrt(0 +
    eps) = 0; without eps, 0 / 0 = NaN)."""
    x = np.array(x, dtype=np.float64, copy=True)
    if axis == 0:
        x[:, 1] = 0.0
    else:
        x[1, :] = 3.0
    d = x.shape[1]
    with np.errstate(all="ignore"):
        out = np.asarray(fwd(x, np.ones(d), np.zeros(d), {"mode": "train"})[0],
                         dtype=np.float64)
    bad = float(np.sum(~np.isfinite(out)))
    return _stat_row(
        f"constant {what.split()[0]}", bad, 0.0, 0.0, "not finite",
        f"with one {what} of x constant (its variance 0, as a ReLU unit that is 0 for "
        f"every example gives) the train-mode output has {bad:.0f} NaN or inf entries: "
        "the forward divides 0 by 0; add eps to the variance before the square root, "
        "np.sqrt(var + eps), eps = bn_param.get('eps', 1e-5) (ln_param for layer norm)")


def _layernorm_behaviour(fwd: Callable, seed: int) -> GradCheckReport:
    """Layer norm: each row of the output has mean 0, std 1 (gamma 1, beta 0), in train
    and in test mode alike."""
    report = GradCheckReport(title="layernorm_forward: train and test mode (analytic = "
                                   "yours, numerical = expected)")

    x = 5 * _draw(seed, "x_stats", (4, 60)) + 3
    gamma, beta = 1 + 0.5 * _draw(seed, "gamma_stats", (60,)), _draw(seed, "beta_stats", (60,))
    ref, note = _chosen("layernorm", layernorm_forward, lambda *a: fwd(*a, {"mode": "train"}),
                        [x, gamma, beta], ({"mode": "train"},))
    report.notes += [note] if note else []
    for mode in ("train", "test"):
        got = np.asarray(fwd(x.copy(), gamma.copy(), beta.copy(), {"mode": mode})[0])
        want = np.asarray(ref(x.copy(), gamma.copy(), beta.copy(), {"mode": mode})[0])
        report.rows.append(_compare(f"out ({mode})", got, want, "forward" if mode == "train"
                                    else "test mode", "layer norm normalises each example "
                                    "(row) by its own mean and variance, the same in train "
                                    "and test mode"))
        out = np.asarray(fwd(x.copy(), np.ones(60), np.zeros(60), {"mode": mode})[0])
        kind = "forward" if mode == "train" else "test mode"
        report.rows.append(_stat_row(
            f"row mean ({mode})", float(np.abs(out.mean(axis=1)).max()), 0.0, 1e-6, kind,
            "the per-example (row, axis 1) mean is not 0: layer norm normalises each example "
            "over its features"))
        report.rows.append(_stat_row(
            f"row std ({mode})", float(np.abs(out.std(axis=1) - 1).max()), 0.0, 1e-3,
            kind, "the per-example (row) std is not 1: divide by sqrt(var + eps), var "
            "over axis 1"))
    report.rows.append(_constant_row(fwd, x, 1, "example (row)"))
    return report


BEHAVIOUR: dict[str, Callable[[Callable, int], GradCheckReport]] = {
    "dropout": _dropout_behaviour,
    "batchnorm": _batchnorm_behaviour,
    "layernorm": _layernorm_behaviour,
}

#: Repeats of the batchnorm_backward / batchnorm_backward_alt timing (after a warm-up).
TIMING_REPEATS = 21


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``fn`` over ``repeats`` calls after two warm-up calls (the
    first calls pay for allocation and caches: a one-shot timing measures those)."""
    for _ in range(2):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def compare_backwards(fwd: Callable, bwd: Callable, alt: Callable, seed: int = 0,
                      shape: tuple[int, int] = (100, 500),
                      repeats: int = TIMING_REPEATS) -> tuple[GradCheckReport, str]:
    """CS231n's batchnorm_backward vs batchnorm_backward_alt step: the two backwards'
    relative difference (dx, dgamma, dbeta, as rows) and a timing note (the median of
    ``repeats`` warmed-up calls of each, on x of ``shape``, CS231n's N, D = 100, 500)."""
    x = 5 * _draw(seed, "x_time", shape) + 12
    gamma, beta = _draw(seed, "gamma_time", shape[1:]), _draw(seed, "beta_time", shape[1:])
    dout = stream(seed, "dout_time").standard_normal(shape)
    _, cache = fwd(x.copy(), gamma, beta, {"mode": "train"})
    a = _as_tuple(bwd(dout.copy(), cache))
    b = _as_tuple(alt(dout.copy(), cache))
    report = GradCheckReport(title="batchnorm_backward vs batchnorm_backward_alt "
                                   "(analytic = backward, numerical = _alt)")
    for label, g, w in zip(("dx", "dgamma", "dbeta"), a, b):
        report.rows.append(_compare(label, g, w))
    t1 = _median_seconds(lambda: bwd(dout.copy(), cache), repeats)
    t2 = _median_seconds(lambda: alt(dout.copy(), cache), repeats)
    note = (f"timing (x {shape[0]}x{shape[1]}, median of {repeats} calls after 2 warm-up "
            f"calls each): batchnorm_backward {1e3 * t1:.3f} ms, batchnorm_backward_alt "
            f"{1e3 * t2:.3f} ms, speedup {t1 / max(t2, 1e-12):.2f}x (a single time.time() "
            "around one call also times first-call allocation and cache misses; see "
            "'numpynn docs gradcheck')")
    return report, note


# ------------------------------------------------------------------------- model classes
#: Small problems the model classes are checked on: N, D, H, C.
MODEL_N, MODEL_D, MODEL_C = 5, 6, 4
#: The input_dim (C, H, W) a convolutional model (ThreeLayerConvNet) is checked with.
CONV_INPUT = (3, 4, 6)  # H != W: a height used for a width shows


def _course_instances(cls: type) -> tuple[list[tuple[str, Any, float]], str]:
    """Instances of a model class built with the course's arguments, each with a label and
    the reg its loss is called with (assignment 1 passes reg to loss), or ([], reason)."""
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return [], "its constructor's signature cannot be read"
    names = set(params)
    made: list[tuple[str, dict[str, Any], float]] = []
    if "num_filters" in names or "filter_size" in names:  # assignment 2's ThreeLayerConvNet
        made.append((f"input_dim={CONV_INPUT}, num_filters=2, filter_size=3, hidden_dim=7, "
                     "reg=0.1",
                     {"input_dim": CONV_INPUT, "num_filters": 2, "filter_size": 3,
                      "hidden_dim": 7, "num_classes": MODEL_C, "weight_scale": 1e-1,
                      "reg": 0.1, "dtype": np.float64}, 0.0))
    elif "hidden_dims" in names:  # assignment 2's FullyConnectedNet
        base = {"hidden_dims": [7, 8], "input_dim": MODEL_D, "num_classes": MODEL_C,
                "reg": 0.1, "weight_scale": 5e-2, "dtype": np.float64}
        made.append(("hidden_dims=[7, 8], reg=0.1", base, 0.0))
        if "normalization" in names:
            made.append(("normalization='batchnorm'", {**base, "normalization": "batchnorm"},
                         0.0))
            made.append(("normalization='layernorm'", {**base, "normalization": "layernorm"},
                         0.0))
        elif "use_batchnorm" in names:  # the course's 2017 signature
            made.append(("use_batchnorm=True", {**base, "use_batchnorm": True}, 0.0))
        key = next((k for k in DROPOUT_ARGS if k in names), None)
        if key is not None and "seed" in names:  # 0.5: the keep and the drop probability
            made.append((f"{key}=0.5, seed=123", {**base, key: 0.5, "seed": 123}, 0.0))
    elif "input_size" in names:  # assignment 1's TwoLayerNet
        made.append(("std=1e-1, loss(X, y, reg=0.05)",
                     {"input_size": MODEL_D, "hidden_size": 7, "output_size": MODEL_C,
                      "std": 1e-1}, 0.05))
    elif "hidden_dim" in names:  # assignment 2's TwoLayerNet
        made.append(("hidden_dim=7, reg=0.1",
                     {"input_dim": MODEL_D, "hidden_dim": 7, "num_classes": MODEL_C,
                      "weight_scale": 1e-1, "reg": 0.1}, 0.0))
    else:
        return [], (f"its constructor takes ({', '.join(params)}), not a course signature "
                    "(hidden_dims=..., or input_size/hidden_size/output_size, or "
                    "input_dim/hidden_dim/num_classes)")
    out = []
    for label, kwargs, reg in made:
        kwargs = {k: v for k, v in kwargs.items() if k in names}
        out.append((label, kwargs, reg))
    return out, ""


#: a FullyConnectedNet's dropout argument, by the course's years: ``dropout_keep_ratio``
#: (the keep probability, 1 for none), and before it ``dropout`` (2018-2019: the keep
#: probability, default 1; 2017: the drop probability, default 0). The check builds the
#: net with 0.5, the same network under either meaning.
DROPOUT_ARGS = ("dropout_keep_ratio", "dropout")


def _normalization(kwargs: dict[str, Any]) -> str | None:
    """The normalisation a model built with ``kwargs`` uses: ``normalization``, or the
    2017 course's ``use_batchnorm=True`` (batch norm)."""
    return kwargs.get("normalization") or ("batchnorm" if kwargs.get("use_batchnorm")
                                           else None)


def _dropout(cls: type, kwargs: dict[str, Any]) -> tuple[str, float, Any] | None:
    """(the argument, its value, the value without dropout) where a model built with
    ``kwargs`` uses dropout (:data:`DROPOUT_ARGS`), else None. Without dropout is the
    constructor's default (``dropout=0`` in 2017's signature, 1 after), or 1 for
    ``dropout_keep_ratio``."""
    for key in DROPOUT_ARGS:
        if key not in kwargs:
            continue
        try:
            default = inspect.signature(cls).parameters[key].default
        except (TypeError, ValueError, KeyError):
            default = inspect.Parameter.empty
        off = 1 if default is inspect.Parameter.empty and key == "dropout_keep_ratio" else (
            0 if default is inspect.Parameter.empty else default)
        if kwargs[key] != off:
            return key, float(kwargs[key]), off
    return None


class _WithReg:
    """An assignment-1 model seen through the protocol check_gradients uses:
    ``loss(X, y)`` calls the model's ``loss(X, y, reg=self.reg)``."""

    def __init__(self, model: Any, reg: float) -> None:
        self.model, self.reg = model, reg
        self.params = model.params

    def loss(self, X: np.ndarray, y: np.ndarray) -> Any:
        return self.model.loss(X, y, reg=self.reg)

    def __repr__(self) -> str:
        return f"{type(self.model).__name__} (loss at reg={self.reg:g})"


def _model_checks(module: ModuleType, result: FileCheck, seed: int, user_dir: str,
                  on_call: Callable[[str], None] | None = None,
                  isolated: bool = False) -> None:
    """Check the model classes defined in ``module`` (CS231n's protocol: ``params`` and
    ``loss(X, y=None)``), built with the course's arguments; list those not checked."""
    for cname, cls in sorted(vars(module).items()):
        if not (inspect.isclass(cls) and cls.__module__ == module.__name__
                and callable(getattr(cls, "loss", None))):
            continue
        instances, reason = _course_instances(cls)
        if not instances:
            if not (all(callable(getattr(cls, m, None)) for m in TRAIN_METHODS)
                    and _takes_nothing(cls)):  # LinearClassifier: its train is checked
                result.skipped.append(f"class {cname}: {reason}")
            continue
        for label, kwargs, reg in instances:
            title = f"{cname}({label})"
            if on_call is not None:
                on_call(title)
            state = np.random.get_state()
            np.random.seed(seed)  # the course draws initial weights from np.random
            try:
                model = cls(**kwargs)
                params = getattr(model, "params", None)
                if params is not None and not hasattr(params, "items"):
                    raise ReturnError(f"{cname}'s params is {_describe(params)}; it must be a "
                                      "dict name -> array (self.params = {'W1': ..., 'b1': "
                                      "...}), the arrays loss(X, y) reads and grads mirrors")
                if params is None and not hasattr(model, "params"):
                    arrays = [k for k, v in vars(model).items() if isinstance(v, np.ndarray)]
                    raise ReturnError(
                        f"{cname} has no attribute params; CS231n's models keep every weight "
                        "in the dict self.params (self.params['W1'] = ...), which the check "
                        "perturbs and loss(X, y) must read" + (
                            f" (it keeps arrays as attributes: {', '.join(arrays)})"
                            if arrays else ""))
                if not params or any(v is None for v in params.values()):
                    result.not_implemented.append(f"{cname}.__init__ (params empty or None)")
                    break
                init = _initial_weights(params, kwargs, title) \
                    if label == instances[0][0] else None  # before the biases are set
                if label == instances[0][0]:
                    init = _integer_params(params, title, init)
                _nonzero_biases(params, seed)
                X = _draw(seed, "X_model", (MODEL_N, *np.atleast_1d(
                    kwargs.get("input_dim", MODEL_D))))
                y = stream(seed, "y_model").integers(0, MODEL_C, MODEL_N)
                target = _WithReg(model, reg) if reg else model
                value = target.loss(X.copy(), y.copy())
                if _stub(value) or (isinstance(value, tuple) and len(value) == 2 and (
                        value[1] is None or (hasattr(value[1], "items") and any(
                            g is None for g in dict(value[1]).values()))
                        or not value[1])):
                    result.not_implemented.append(f"{cname}.loss")
                    break
                report = check_gradients(target, X, y)
                _name_dscores(report, target, X, y)
                report.title = f"{title}: numerical gradients"
                result.reports.append(report)
                kept = True
                if not {r.kind for r in report.rows} & {"changes params", "random loss"} and (
                        np.all(np.isfinite(np.asarray(value[0], dtype=np.float64)))):
                    behaviour, kept = _model_loss_behaviour(
                        model, target, reg if reg else kwargs.get("reg", 0.0), bool(reg),
                        X, y, title, not _normalization(kwargs)
                        and _dropout(cls, kwargs) is None)
                    result.reports.append(behaviour)
                    _blame_the_loss(report, behaviour)
                if kept:  # a loss that edits X gets other test-mode scores per batch
                    result.reports.append(_model_test_mode(cls, kwargs, model, X, title))
                if init is not None:
                    result.reports.append(init)
            except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything
                if isinstance(exc, KeyboardInterrupt) and not isolated:
                    raise
                if isinstance(exc, NotImplementedError):  # the learner's stub
                    result.not_implemented.append(
                        f"{title} ({_not_implemented_text(exc, user_dir)})")
                    break
                result.errors.append((title, _error_text(exc, user_dir)))
            finally:
                np.random.set_state(state)


#: what a loss-value row says of a softmax normalised over the batch (axis 0)
AXIS_0 = "normalised over axis 0"


def _blame_the_loss(report: GradCheckReport, behaviour: GradCheckReport) -> None:
    """A softmax normalised over axis 0 (each class over the batch) is no function of each
    row's scores alone: the numerical gradients are of that loss, and the kinds their
    numbers show (a bias gradient of 0: "mask") are not the mistake. Name the loss's on the
    gradients' FAILs (kind "loss value")."""
    named = [r for r in behaviour.rows if r.verdict == FAIL and r.kind == "loss value"
             and AXIS_0 in (r.kind_text or "")]
    if named:
        report.rows = [dataclasses.replace(row, kind="loss value", kind_text=named[0].kind_text)
                       if row.verdict == FAIL and row.kind not in (
                           "in place", "random loss", "not finite", "changes params")
                       else row for row in report.rows]


def _missing_class_row(call: str, classes: int, run: Callable[[], Any],
                       want: Callable[[Any], str | None] | None = None
                       ) -> GradCheckRow:
    """A FAIL of kind "one-hot" where ``run()`` (the loss called on labels that hold no
    example of the last class, as a minibatch may) raises, or where ``want(value)`` says
    what is wrong with its value; else a PASS. The checks' labels hold every class, so a
    one-hot matrix sized from the labels (``np.eye(y.max() + 1)[y]``) passes them."""
    label = f"labels without class {classes - 1}"
    try:
        with np.errstate(all="ignore"):
            value = run()
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
        what = f"raised {_one_line(exc, '')}"
    else:
        what = want(value) if want is not None else None
        if what is None:
            return GradCheckRow(label, (), 0.0, 0.0, PASS)
    return GradCheckRow(label, (), float("inf"), 0.0, FAIL, kind="one-hot", kind_text=(
        f"{call} with labels that hold no example of the last class ({classes - 1}; a "
        f"minibatch often misses a class) {what}: a one-hot matrix or a class count sized "
        "from the labels (np.eye(y.max() + 1)[y], np.unique(y), np.bincount(y)) has fewer "
        f"than the C = {classes} columns of the scores when the batch misses the top "
        "class; size it from the scores (np.eye(C)[y] with C = scores.shape[1]), or "
        "subtract 1 at each example's own class: dscores[np.arange(N), y] -= 1"))


#: Added to the last layer's bias (so to every score) by the model's overflow check.
SCORE_SHIFT = 1000.0


def _model_loss_behaviour(model: Any, target: Any, reg: float, reg_in_loss: bool,
                          X: np.ndarray, y: np.ndarray, title: str, plain: bool = False
                          ) -> tuple[GradCheckReport, bool]:
    """What gradients cannot show about a model's ``loss(X, y)`` (``target``: the model,
    or an assignment-1 model seen through :class:`_WithReg`), on X (N, D), y (N,):

    - X and y are left as they were (kind "in place": ``X -= X.mean(axis=0)`` inside loss
      edits the caller's data; the check passes copies, so its gradients look right);
    - the loss is one number, and each gradient has its parameter's dtype ("return value":
      ``np.array([loss])``, ``keepdims=True``; ``astype(np.float32)``);
    - with the last layer's bias (the one of C entries) + :data:`SCORE_SHIFT` the loss and
      gradients are finite ("overflow": a softmax without the max subtracted, which
      passes every gradient check on small scores);
    - the penalty, ``loss at reg - loss at reg 0``, is the course's ``reg * sum(W^2)``
      (assignment 1, ``reg_in_loss``: reg passed to loss) or ``0.5 * reg * sum(W^2)``
      (assignment 2: ``model.reg``), either accepted with a note, over every weight
      ``W...`` and nothing else ("regularisation": biases in the penalty, a weight left
      out, no penalty; consistent gradients pass the gradient check);
    - ``plain`` (no batch norm, no dropout: the test-mode scores are the train-mode
      ones): the loss at reg 0 is the softmax (or SVM) loss of the model's own test-mode
      scores ``loss(X)``, averaged over the batch ("loss value": a loss summed over the
      batch, its gradients summed too, passes every gradient check).

    Returns the report and whether X was left as it was."""
    name = type(model).__name__
    params = model.params
    report = GradCheckReport(title=f"{title}: loss(X, y)'s inputs, value and large scores "
                                   "(analytic = yours, numerical = expected)")
    Xc, yc, Xt = X.copy(), y.copy(), X.copy()
    value = target.loss(Xc, yc)
    loss, grads = value[0], dict(value[1])
    model.loss(Xt)
    changed = [(call, n, float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want),
                                      initial=0.0)) if np.shape(got) == want.shape else
                float("inf"))
               for call, n, got, want in (("loss(X, y)", "X", Xc, X), ("loss(X, y)", "y", yc, y),
                                          ("loss(X)", "X", Xt, X))
               if not np.array_equal(got, want)]
    report.rows.append(GradCheckRow(
        "X, y unchanged", X.shape, changed[0][2] if changed else 0.0, 0.0,
        FAIL if changed else PASS, kind="in place" if changed else None,
        kind_text="; ".join(f"{call} changed the caller's {n} (largest change {d:.3g})"
                            for call, n, d in changed)
        + ": an in-place operation on the input (X -= X.mean(axis=0), X /= 255, or one on "
          "a view of X such as X.reshape(N, -1) or X[:]) edits the array the Solver and "
          "the notebook pass, which must stay as it is: make a new array (X = X - "
          "X.mean(axis=0)); the gradient check passes copies, so its gradients can look "
          "right" if changed else ""))
    shape = np.shape(loss)
    report.rows.append(GradCheckRow(
        "loss is a number", shape, 0.0 if shape == () else float("inf"), 0.0,
        PASS if shape == () else FAIL, kind=None if shape == () else "return value",
        kind_text="" if shape == () else (
            f"{name}.loss(X, y) returned the loss as {_describe(loss)}; it must be one "
            "number (np.sum(...) / N gives a 0-d value; an array of shape (1,) or (1, 1) "
            "comes from np.array([loss]), keepdims=True or indexing with a list): the "
            "Solver's loss_history and plots expect numbers; return float(loss) or drop "
            "the extra axes")))
    low = []
    for key, grad in grads.items():
        p, g = np.asarray(params.get(key)), np.asarray(grad)
        if p.dtype.kind == "f" and (g.dtype.kind in "iub" or (
                g.dtype.kind == "f" and g.dtype.itemsize < p.dtype.itemsize)):
            low.append(f"grads[{key!r}] is {g.dtype} where {key} is {p.dtype}")
    report.rows.append(GradCheckRow(
        "gradient dtypes", (len(grads),), float(len(low)), 0.0, FAIL if low else PASS,
        kind="return value" if low else None, kind_text="; ".join(low) + (
            ": a gradient rounded to a lower precision (astype(np.float32), an array made "
            "with dtype=np.float32 or an int array accumulated into) loses digits no "
            "gradient check can tell from a bug; keep each gradient in its parameter's "
            "dtype (np.zeros_like(W), no astype)") if low else ""))
    y2 = np.where(y == MODEL_C - 1, 0, y)
    report.rows.append(_missing_class_row(f"{name}.loss(X, y)", MODEL_C,
                                          lambda: target.loss(X.copy(), y2.copy())))
    last = [k for k, v in params.items() if str(k)[:1] == "b" and np.shape(v) == (MODEL_C,)]
    if len(last) == 1:
        key = last[0]
        bias = params[key]
        old = np.array(bias, copy=True)

        def shifted() -> tuple[Any, np.ndarray]:
            bias[...] = old + SCORE_SHIFT
            try:
                got = target.loss(X.copy(), y.copy())
            finally:
                bias[...] = old
            return got[0], np.concatenate([np.asarray(g, dtype=np.float64).reshape(-1)
                                           for g in dict(got[1]).values()])

        report.rows.append(_overflow_row(
            "grads", (len(grads),), f"loss(X, y) with {key} + {SCORE_SHIFT:g} (every score "
            f"+ {SCORE_SHIFT:g}, which leaves softmax's probabilities as they are)", shifted))
    weights = [k for k in params if str(k)[:1] == "W"]
    total = float(np.asarray(loss, dtype=np.float64).sum())
    data = total if not reg else None
    if isinstance(reg, (int, float)) and reg > 0 and (
            reg_in_loss or isinstance(getattr(model, "reg", None), (int, float))):
        if reg_in_loss:
            at_zero = model.loss(X.copy(), y.copy(), reg=0.0)
        else:
            model.reg = 0.0
            try:
                at_zero = target.loss(X.copy(), y.copy())
            finally:
                model.reg = reg
        data = float(np.asarray(at_zero[0], dtype=np.float64).sum())
        if not reg_in_loss and abs(total - data) <= 1e-12 and not _no_penalty(
                model, X, y, total, plain):
            # model.reg set to 0 changed nothing, yet the loss holds more than the scores'
            # own loss (or that cannot be told): the penalty reads another attribute
            weights, data = [], None
        if weights:
            report.rows.append(_penalty_row(model, float(reg), reg_in_loss, total - data,
                                            weights, report))
    if plain and data is not None and np.isfinite(data):
        row = _data_loss_row(model, X, y, data)
        report.rows += [row] if row is not None else []
    if plain and not changed:  # a loss that edits X scores other inputs than X
        row = _architecture_row(model, X)
        report.rows += [row] if row is not None else []
    return report, not changed


def _architecture_row(model: Any, X: np.ndarray) -> GradCheckRow | None:
    """A plain network of affine layers (params exactly W1, b1, ..., WL, bL, L >= 2, whose
    shapes chain from X's features): its test-mode scores ``loss(X)`` must be the course's
    affine - ReLU - ... - affine - scores (CS231n's TwoLayerNet and FullyConnectedNet), with
    no ReLU on the last layer's output (kind "forward"; the gradients of a ReLU on the
    scores agree with it, so only the scores show it). Probabilities in place of the scores
    (softmax of them) pass, as for the loss-value row. None where the params are not such a
    network, loss(X) gives no N x C scores, or the scores are another network's of these
    params (tanh or sigmoid: the learner's choice, not a mistake this row can name)."""
    params = model.params
    layers = sorted(int(k[1:]) for k in params if re.fullmatch(r"W[1-9]\d*", str(k)))
    L = len(layers)
    if L < 2 or layers != list(range(1, L + 1)) or set(params) != {
            f"{p}{i}" for p in "Wb" for i in layers}:
        return None
    Xf = np.asarray(X, dtype=np.float64).reshape(X.shape[0], -1)
    Ws = [np.asarray(params[f"W{i}"], dtype=np.float64) for i in layers]
    bs = [np.asarray(params[f"b{i}"], dtype=np.float64) for i in layers]
    width = Xf.shape[1]
    for W, b in zip(Ws, bs):
        if W.ndim != 2 or W.shape[0] != width or b.shape != (W.shape[1],):
            return None
        width = W.shape[1]
    scores = _test_mode_scores(model, X)
    if scores is None:
        return None
    h = Xf
    for W, b in zip(Ws[:-1], bs[:-1]):
        h = np.maximum(0, h @ W + b)
    want = h @ Ws[-1] + bs[-1]
    if np.array_equal(scores.shape, want.shape) and np.allclose(
            scores, softmax(want), rtol=0, atol=REFERENCE_TOL):
        want = scores  # test mode returning the probabilities: the loss-value row's call
    name = type(model).__name__
    tol = REFERENCE_TOL * max(float(np.abs(want).max()), 1e-12)
    if np.array_equal(scores.shape, want.shape) and np.allclose(scores, want, rtol=0,
                                                                 atol=tol):
        text = ""
    elif (np.array_equal(scores.shape, want.shape) and np.any(want < 0)
          and np.allclose(scores, np.maximum(0, want), rtol=0, atol=tol)):
        text = (f"{name}.loss(X)'s scores are those of the course's network with a ReLU on the "
                "last layer's output too: they are never negative. The last affine layer "
                f"gives the scores directly (scores = h @ W{L} + b{L}, no ReLU): the loop over "
                f"the hidden layers runs one layer too far (it must stop before layer {L}), "
                "and the backward pass mirrors it, so the gradients agree")
    else:  # another network of these params (tanh, sigmoid, ...): the learner's choice
        return None
    row = _compare(f"scores (affine-ReLU x {L - 1}, affine)", scores, want, "forward", text)
    return row


def _test_mode_scores(model: Any, X: np.ndarray) -> np.ndarray | None:
    """The model's test-mode scores ``loss(X)`` on a copy of X (N x C, float64); None
    where ``loss(X)`` does not return an N x C array."""
    scores = model.loss(X.copy())
    if not isinstance(scores, np.ndarray) or scores.shape != (X.shape[0], MODEL_C):
        return None
    return np.asarray(scores, dtype=np.float64)


def _no_penalty(model: Any, X: np.ndarray, y: np.ndarray, total: float, plain: bool
                ) -> bool:
    """Whether a loss that ``model.reg = 0`` leaves unchanged (``total``) holds no penalty:
    ``plain`` (no batch norm, no dropout) and equal to numpynn's softmax or SVM loss of the
    model's test-mode scores. False where it cannot be told (a reg kept in another
    attribute must not be called "no penalty")."""
    if not plain:
        return False
    scores = _test_mode_scores(model, X)
    if scores is None:
        return False
    return any(abs(total - float(fn(scores, y)[0])) <= 1e-4 * abs(total)
               for fn in (softmax_cross_entropy, svm_loss))


def _data_loss_row(model: Any, X: np.ndarray, y: np.ndarray, data: float
                   ) -> GradCheckRow | None:
    """The row comparing the loss at reg 0, ``data``, with numpynn's softmax and SVM losses
    of the model's own test-mode scores ``loss(X)`` (N x C), averaged over the batch: a
    FAIL of kind "loss value" when it is neither (to 1e-4: a log(p + 1e-8) is right).
    None where ``loss(X)`` is not an N x C array (the test-mode check says so)."""
    scores = _test_mode_scores(model, X)
    if scores is None:
        return None
    N, C = scores.shape
    losses = {"softmax": float(softmax_cross_entropy(scores, y)[0]),
              "SVM": float(svm_loss(scores, y)[0])}
    if np.all(scores > 0) and np.allclose(scores.sum(axis=1), 1.0):
        # test mode returning the probabilities (argmax as the scores'): their own loss
        losses["log"] = float(-np.mean(np.log(scores[np.arange(N), y])))
    name, want = min(losses.items(), key=lambda kv: abs(kv[1] - data))
    allowed = 1e-4 * max(abs(want), 1e-12)
    text = ""
    if not abs(data - want) <= allowed:
        name, want = "softmax", losses["softmax"]
        ratio = data / want if want else float("inf")
        named = {N: f"{N} = N times: the loss is summed over the batch; divide it by N = "
                    "X.shape[0] (loss = -np.sum(np.log(p[np.arange(N), y])) / N) and its "
                    "gradient with it (dscores /= N), as the course's loss is the mean",
                 1 / C: f"1 / {C} = 1 / C times: the loss is averaged over every entry of "
                        "an N x C array (np.mean(Y * np.log(P))); sum over the classes, "
                        "average over the examples only"}
        P = softmax(scores)
        own = ("each example's probability of its own label is probs[np.arange(N), y] (one "
               "entry per row)")
        indexed = {"probs[:, y] (the columns of the labels, N x N entries)":
                   (-np.sum(np.log(P[:, y])) / N, own)}
        if y.max() < N:
            indexed["probs[y] (the rows numbered by the labels, N x C entries)"] = (
                -np.sum(np.log(P[y])) / N, own)
        # softmax over the batch: each column (class) normalised over the N examples
        # (exp of the scores as they are, or less each row's max, as the course shifts)
        fix = ("softmax normalises each row of scores over its C classes: "
               "np.sum(exp_scores, axis=1, keepdims=True), not axis=0 (in the loss and in "
               "the probabilities its gradient uses)")
        for shift in (scores.max(axis=0, keepdims=True), scores.max(axis=1, keepdims=True)):
            e = np.exp(scores - shift)
            value = -np.sum(np.log((e / e.sum(axis=0, keepdims=True))[np.arange(N), y])) / N
            if abs(data - value) <= 1e-6 * abs(value):
                indexed[f"probs {AXIS_0} (each class over the batch)"] = (
                    value, fix)
        for r, what in named.items():
            if abs(ratio - r) <= 1e-4 * r:
                text = f"the loss at reg 0 is the softmax loss of your scores loss(X) x {what}"
                break
        else:
            for what, (value, fix) in indexed.items():
                if abs(data - value) <= 1e-6 * abs(value):
                    text = f"the loss at reg 0 is -sum(log {what}) / N: {fix}"
                    break
        if not text:
            text = (f"the loss at reg 0 is {data:.6g}, where the softmax loss of your own "
                    f"scores loss(X), averaged over the batch, is {losses['softmax']:.6g} "
                    f"(the SVM loss {losses['SVM']:.6g}): the loss is not the course's "
                    "function of the scores, though its gradients agree with it")
    return _stat_row(f"loss at reg 0 ({name} of loss(X))", data, want, allowed, "loss value",
                     text)


def _penalty_row(model: Any, reg: float, reg_in_loss: bool, d: float, weights: list[str],
                 report: GradCheckReport) -> GradCheckRow:
    """The row comparing the penalty ``d`` in the loss (at ``reg``: the loss minus the
    loss at reg 0) with the course's over the weights ``weights``
    (:func:`_model_loss_behaviour`)."""
    squares = {k: float(np.sum(np.asarray(v, dtype=np.float64) ** 2))
               for k, v in model.params.items()}
    pw = sum(squares[k] for k in weights)
    others = [k for k in squares if k not in weights and squares[k] > 0]
    course, other = (1.0, 0.5) if reg_in_loss else (0.5, 1.0)
    a = "assignment 1's" if reg_in_loss else "assignment 2's"

    def near(want: float) -> bool:
        return abs(d - want) <= 1e-6 * max(abs(d), abs(want)) + 1e-12

    want = course * reg * pw
    if near(other * reg * pw):
        report.notes.append(
            f"your penalty is {other:g} * reg * sum(W^2) where {a} is {course:g} * reg * "
            f"sum(W^2): a choice, as long as each dW adds its gradient, {2 * other:g} * reg "
            "* W (the gradient check holds that)")
        want = other * reg * pw
    text = ""
    if not near(want):
        for c in (course, other):
            if others and near(c * reg * (pw + sum(squares[k] for k in others))):
                text = (f"the penalty includes {', '.join(others)} ({c:g} * reg * the sum of "
                        "their squares with the weights'): CS231n regularises the weights "
                        "W only; leave the biases (and gamma, beta) out of the penalty and "
                        "their gradients")
                break
            missing = [k for k in weights if squares[k] > 0 and near(c * reg * (
                pw - squares[k]))]
            if missing:
                text = (f"{missing[0]} is left out of the penalty (the loss holds {c:g} * "
                        f"reg * the sum of squares of the other weights): the course's "
                        f"penalty sums every weight matrix, {', '.join(weights)}, each with "
                        "its gradient term")
                break
        else:
            text = ("loss(X, y) is the same at reg = 0: the loss holds no penalty; add "
                    f"{course:g} * reg * sum(W^2) over {', '.join(weights)}"
                    if abs(d) <= 1e-12 else
                    f"the penalty in the loss (loss at reg = {reg:g} minus loss at reg = 0) "
                    f"is {d:.6g}, where {a}, {course:g} * reg * sum(W^2) over "
                    f"{', '.join(weights)}, is {want:.6g}")
    return _stat_row("penalty (loss at reg - at 0)", d, want,
                     1e-6 * max(abs(d), abs(want)) + 1e-12, "regularisation", text)


def _name_dscores(report: GradCheckReport, target: Any, X: np.ndarray, y: np.ndarray
                  ) -> None:
    """Name a model's FAIL that names no kind where the last layer's bias gradient (the
    bias of C entries) is off by c x (each class's count in y) / N for one c != 0, as
    db = sum(dscores) is when dscores' correct-class entries are (``dscores[range(N), y]
    -= 1`` missing: c = 1): its FAIL rows are named "correct class", in place."""
    failed = [r for r in report.rows if r.verdict == FAIL and r.kind is None]
    if not failed or any(r.verdict == FAIL and r.kind is not None for r in report.rows):
        return
    params = target.params
    keys = [k for k, v in params.items() if k[:1] == "b" and np.shape(v) == (MODEL_C,)]
    if len(keys) != 1:
        return
    key, N = keys[0], X.shape[0]
    b = params[key]

    def off(y: np.ndarray) -> np.ndarray:
        """The bias gradient less its centred difference, with labels y."""
        num = np.zeros(MODEL_C)
        h = 1e-5
        for j in range(MODEL_C):
            old = b[j]
            losses = []
            for step in (h, -h):
                b[j] = old + step
                losses.append(float(np.asarray(target.loss(X.copy(), y.copy())[0])))
            b[j] = old
            num[j] = (losses[0] - losses[1]) / (2 * h)
        got = np.asarray(dict(target.loss(X.copy(), y.copy())[1])[key], dtype=np.float64)
        return got - num

    diff = off(y)
    got = np.asarray(dict(target.loss(X.copy(), y.copy())[1])[key], dtype=np.float64)
    true = got - diff
    scale = max(float(np.abs(true).max()), 1e-12)
    if np.ptp(got) <= 1e-9 * scale < np.ptp(true) * 1e-3 and abs(got[0]) > 1e-6 * scale:
        text = (f"the last layer's {key} has the same entry for every class ({got[0]:.4g}): "
                "dscores is N x 1 (one number per example, such as probs[range(N), y] - 1, "
                "its [:, None] broadcast across the classes), where the softmax's gradient "
                "is N x C, one entry per example and class: dscores = probs.copy(); "
                "dscores[range(N), y] -= 1; dscores /= N")
        _name_kind(report, failed, "N x C", text)
        return
    y2 = np.where(y == MODEL_C - 1, 0, y)  # labels without the last class
    diff2 = off(y2)
    got2 = np.asarray(dict(target.loss(X.copy(), y2.copy())[1])[key], dtype=np.float64)
    if abs(got2[-1]) <= 1e-12 * scale and abs((got2 - diff2)[-1]) > 1e-6 * scale:
        text = (f"the last layer's {key} is 0 at a class no label in y holds: dscores is "
                "nonzero only at each example's correct class (a one-hot mask applied to "
                "it, as the seed question's ((1 / a2) * mask) * da2, or dscores[range(N), y] "
                "alone), where the softmax's gradient is N x C, probs[i, j] at every other "
                "class j too: dscores = probs.copy(); dscores[range(N), y] -= 1; "
                "dscores /= N")
        _name_kind(report, failed, "N x C", text)
        return
    rows = np.unique(y[y < N])  # dscores[y] -= 1: whole rows, numbered by the labels
    if len(rows) and np.allclose(diff, (np.bincount(y, minlength=MODEL_C) - len(rows)) / N,
                                 rtol=1e-4, atol=1e-7):
        _correct_class(report, failed, (
            f"the last layer's {key} (db = sum of dscores over the batch) is off as when 1 "
            "is subtracted from whole rows of dscores numbered by the labels: dscores[y] -= "
            "1 (or probs[y]) indexes the rows with y; the correct class of example i is "
            "entry (i, y[i]): dscores[np.arange(N), y] -= 1"))
        return
    counts = np.bincount(y, minlength=MODEL_C) / N
    c = float(diff @ counts / (counts @ counts))
    if abs(c) < 0.1 or not np.allclose(diff, c * counts, rtol=1e-4, atol=1e-7):
        # dscores[:, y] -= 1: 1 off in every row at each label in y, once per label
        present = np.isin(np.arange(MODEL_C), y).astype(np.float64)
        if np.allclose(diff, counts - 1, rtol=1e-4, atol=1e-7) and present.all():
            # y holds every class: dscores -= 1 (every entry) looks the same; labels
            # without the last class tell them apart
            y2 = np.where(y == MODEL_C - 1, 0, y)
            if np.allclose(off(y2), np.bincount(y2, minlength=MODEL_C) / N - 1,
                           rtol=1e-4, atol=1e-7):
                text = (f"the last layer's {key} (db = sum of dscores over the batch) is off "
                        "by (each class's count in y / N) - 1 at every class, also at a class "
                        "y does not hold: 1 is subtracted from every entry of dscores "
                        "(dscores -= 1); subtract it once per row at that row's own label: "
                        "dscores[np.arange(N), y] -= 1")
                _correct_class(report, failed, text)
                return
            present, counts, diff = (np.isin(np.arange(MODEL_C), y2).astype(np.float64),
                                     np.bincount(y2, minlength=MODEL_C) / N, off(y2))
        if np.allclose(diff, counts - present, rtol=1e-4, atol=1e-7) and not np.allclose(
                present / N, counts):
            text = (f"the last layer's {key} (db = sum of dscores over the batch) is off by "
                    "(each class's count in y / N) - 1 at each label that y holds: "
                    "dscores[:, y] -= 1 "
                    "subtracts 1 in every row at every label (columns y); subtract it once "
                    "per row at that row's own label: dscores[np.arange(N), y] -= 1")
            _correct_class(report, failed, text)
        return
    text = (f"the last layer's {key} (db = sum of dscores over the batch) is off by "
            f"{c:.3g} x each class's count in y / N: dscores' correct-class entries are "
            "wrong, " + ("dscores[np.arange(N), y] -= 1 is missing (dscores = (probs - "
                         "one_hot(y)) / N)" if abs(c - 1) < 1e-3 else
                         "dscores = (probs - one_hot(y)) / N, the 1 subtracted once at "
                         "each example's correct class"))
    _correct_class(report, failed, text)


def _correct_class(report: GradCheckReport, failed: Sequence[Any], text: str) -> None:
    """Name the ``failed`` rows of ``report`` as the correct class's mistake, ``text``."""
    _name_kind(report, failed, "correct class", text)


def _name_kind(report: GradCheckReport, failed: Sequence[Any], kind: str, text: str) -> None:
    """Name the ``failed`` rows of ``report`` as the bug ``kind``, said by ``text``."""
    report.rows = [dataclasses.replace(r, kind=kind, kind_text=text)
                   if r in failed else r for r in report.rows]


def _model_test_mode(cls: type, kwargs: dict[str, Any], model: Any, X: np.ndarray,
                     title: str) -> GradCheckReport:
    """The model's test mode, ``loss(X)`` (y None), as the Solver's check_accuracy calls
    it: the scores, N x C; each example's scores the same alone as in the batch (batch
    norm with the running averages, not the batch's statistics); with dropout, the scores
    of the same weights without it (dropout passes its input through at test time)."""
    name = type(model).__name__
    scores = model.loss(X.copy())
    if isinstance(scores, tuple) or np.shape(scores) != (X.shape[0], MODEL_C):
        raise ReturnError(f"{name}.loss(X) (y=None: test mode) returned {_describe(scores)}; "
                          f"it must return the scores, an array N x C ({X.shape[0]} x "
                          f"{MODEL_C}), which the Solver's check_accuracy reads: if y is "
                          "None: return scores")
    scores = np.asarray(scores, dtype=np.float64)
    report = GradCheckReport(title=f"{title}: test mode, loss(X) (analytic = yours, "
                                   "numerical = expected)")
    alone = np.concatenate([np.asarray(model.loss(X[i:i + 1].copy()), dtype=np.float64)
                            for i in range(2)])
    report.rows.append(_compare(
        "examples 0, 1 alone", alone, scores[:2], "test mode",
        f"in test mode (y=None) examples 0 and 1 get other scores alone than in a batch of "
        f"{X.shape[0]}: an example's prediction must not depend on the batch (batch norm "
        "normalising with the batch's statistics, or dropout drawing a mask, at test time: "
        "set each bn_param['mode'] and dropout_param['mode'] to 'test' when y is None)"))
    norm = _normalization(kwargs)
    if norm and "hidden_dims" in kwargs:  # {affine - norm - relu} x (L - 1) - affine
        hidden = len(kwargs["hidden_dims"])
        layers = sorted(int(str(k)[1:]) for k in model.params
                        if str(k)[:1] == "W" and str(k)[1:].isdigit())
        # the hidden layers are the weights' but the last (W1 .. WL, or W0 .. WL-1)
        first = layers[0] if len(layers) == hidden + 1 else 1
        want = {f"{p}{i}" for p in ("gamma", "beta") for i in range(first, first + hidden)}
        have = {str(k) for k in model.params if str(k).startswith(("gamma", "beta"))}
        missing, extra = sorted(want - have), sorted(have - want)
        if not have:  # the normalisation not written yet: the net is checked as it is
            report.notes.append(
                f"built with normalization='{norm}', the net has no gamma or beta: {norm} is "
                "not implemented in it yet (checked as the plain net)")
            missing = []
        report.rows.append(GradCheckRow(
            "normalised layers", (len(want),), float(len(missing) + len(extra)), 0.0,
            FAIL if missing or extra else PASS, kind="forward" if missing or extra else None,
            kind_text="" if not (missing or extra) else (
                f"built with normalization='{norm}' and {hidden} hidden layers, the net "
                f"must normalise each of them (the course's {{affine - {norm} - relu}} x "
                f"(L - 1) - affine), with params gamma{first} .. gamma{first + hidden - 1} "
                f"and beta{first} .. beta{first + hidden - 1}: "
                + "; ".join(t for t in (f"{', '.join(missing)} missing" if missing else "",
                                        f"{', '.join(extra)} too many" if extra else "")
                            if t)
                + " (a loop over range(self.num_layers - 2), or one that normalises the "
                "last affine layer's scores too)")))
    if norm == "batchnorm":
        report.rows.append(_running_averages_kept(cls, kwargs, model, X))
    drop = _dropout(cls, kwargs)
    if drop is not None and drop[0] == "dropout_keep_ratio":
        row = _keep_ratio_row(cls, kwargs, X)
        if row is not None:
            report.rows.append(row)
    if drop is not None and not _normalization(kwargs):
        plain = cls(**{**kwargs, drop[0]: drop[2]})
        for key, value in model.params.items():
            plain.params[key] = np.array(value, copy=True)
        want = np.asarray(plain.loss(X.copy()), dtype=np.float64)
        keep = drop[1]  # 0.5: the keep probability under either convention
        vanilla_want = _vanilla_scores(plain, model, X, keep)
        if _vanilla_dropout(cls):
            if vanilla_want is not None:
                want = vanilla_want
                report.notes.append(
                    "your dropout_forward's docstring says it is vanilla (non-inverted) "
                    f"dropout: the test-mode scores are checked against those of the same "
                    f"weights without dropout, each hidden layer's output scaled by the keep "
                    f"probability ({keep:g}), as vanilla dropout does at test time (the "
                    "course asks for inverted dropout, which passes its input through)")
        report.rows.append(_compare(
            "scores", scores, want, "test mode",
            ("in test mode (y=None) the scores differ from those of the same weights "
             "without dropout, each hidden layer's output scaled by the keep probability: "
             "your dropout_forward's docstring says vanilla dropout, which scales by p at "
             "test time (the kept units unscaled in train mode); make the model and "
             "dropout_forward agree" + ("; yours passes the input through, as inverted "
                                        "dropout does" if _close_to(scores, np.asarray(
                                            plain.loss(X.copy()))) else ""))
            if want is vanilla_want else
            "in test mode (y=None) the scores differ from those of the same weights without "
            "dropout: dropout must pass its input through at test time (set "
            "dropout_param['mode'] = 'test' when y is None)" + (
                "; yours scale each hidden layer's output by p, as vanilla dropout does: "
                "the course asks for inverted dropout (a dropout_forward whose docstring "
                "says 'vanilla' or 'non-inverted' is checked as that)"
                if vanilla_want is not None and _close_to(scores, vanilla_want) else "")))
    return report


#: the keep ratio a net is built with to read its dropout_param: 0.5 (the checks' value)
#: is both a keep and a drop probability, where 1 - keep_ratio passed as p looks right
KEEP_RATIO_PROBE = 0.8


def _dropout_p_passed(model: Any, X: np.ndarray) -> float | None:
    """The p of the dropout_param the model's ``loss(X, y)`` passes to ``dropout_forward``
    (its module's, spied on for one train-mode call): for nets that keep no
    ``self.dropout_param`` (``dropout_forward(h, {'mode': mode, 'p': ...})`` built in
    loss, or a ratio of their own naming). None when it calls none or passes no number."""
    space = getattr(getattr(type(model), "loss", None), "__globals__", None)
    real = space.get("dropout_forward") if isinstance(space, dict) else None
    if not callable(real):
        return None
    seen: list[Any] = []

    def spy(x: Any, dropout_param: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(dropout_param, dict):
            seen.append(dropout_param.get("p"))
        return real(x, dropout_param, *args, **kw)

    space["dropout_forward"] = spy
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            model.loss(X.copy(), np.arange(X.shape[0]) % MODEL_C)
    except Exception:  # noqa: BLE001 - the checks after this one say what is wrong
        return None
    finally:
        space["dropout_forward"] = real
    numbers = [v for v in seen if isinstance(v, (int, float, np.floating))
               and not isinstance(v, bool)]
    return float(numbers[0]) if numbers else None


def _keep_ratio_row(cls: type, kwargs: dict[str, Any], X: np.ndarray | None = None
                    ) -> GradCheckRow | None:
    """A net built with ``dropout_keep_ratio=0.8`` must pass 0.8 on as dropout_param's
    p (the course's dropout_forward keeps a unit with probability p): 0.2 there is the
    keep ratio turned into a drop probability (``1 - dropout_keep_ratio``), which the
    gradient checks at 0.5 cannot see. None where the net keeps no ``dropout_param`` dict
    with a number p and, given X, whose loss(X, y) passes dropout_forward none
    (:func:`_dropout_p_passed`)."""
    model = cls(**{**kwargs, "dropout_keep_ratio": KEEP_RATIO_PROBE})
    param = getattr(model, "dropout_param", None)
    p = param.get("p") if isinstance(param, dict) else None
    if (not isinstance(p, (int, float, np.floating)) or isinstance(p, bool)) and X is not None:
        p = _dropout_p_passed(model, X)
    if not isinstance(p, (int, float, np.floating)) or isinstance(p, bool):
        return None
    ok = abs(float(p) - KEEP_RATIO_PROBE) < 1e-12
    text = "" if ok else (
        f"built with dropout_keep_ratio={KEEP_RATIO_PROBE:g}, the dropout_param['p'] the "
        "net passes to dropout_forward "
        f"is {float(p):g}"
        + (": the keep ratio turned into a drop probability (1 - dropout_keep_ratio); "
           if abs(float(p) - (1 - KEEP_RATIO_PROBE)) < 1e-12 else ": ")
        + "dropout_forward keeps each unit with probability p, so pass "
        "{'mode': 'train', 'p': dropout_keep_ratio}")
    return GradCheckRow("dropout p", (), 0.0 if ok else float("inf"), REFERENCE_TOL,
                        PASS if ok else FAIL, kind=None if ok else "forward", kind_text=text)


def _vanilla_dropout(cls: type) -> bool:
    """Whether the dropout_forward the model's loss calls (its module's) says in its
    docstring that it is vanilla (non-inverted) dropout (:data:`VANILLA_WORDS`)."""
    fwd = getattr(getattr(cls, "loss", None), "__globals__", {}).get("dropout_forward")
    return callable(fwd) and says_vanilla(inspect.getdoc(fwd))


def _vanilla_scores(plain: Any, model: Any, X: np.ndarray, keep: float
                    ) -> np.ndarray | None:
    """The test-mode scores of vanilla dropout, each hidden layer's output scaled by the
    keep probability: those of ``plain`` (the model without dropout) with W2 .. WL scaled
    by it (the course's {affine - relu - dropout} x (L - 1) - affine: a scaled input of an
    affine layer is its scaled weights). None where the weights are not W1 .. WL."""
    weights = sorted((k for k in model.params if k[:1] == "W" and k[1:].isdigit()),
                     key=lambda k: int(k[1:]))
    if len(weights) < 2 or weights != [f"W{i}" for i in range(1, len(weights) + 1)]:
        return None
    for key in weights[1:]:
        plain.params[key] = keep * np.array(model.params[key], copy=True)
    try:
        return np.asarray(plain.loss(X.copy()), dtype=np.float64)
    finally:
        for key in weights[1:]:
            plain.params[key] = np.array(model.params[key], copy=True)


def _running_averages_kept(cls: type, kwargs: dict[str, Any], model: Any, X: np.ndarray
                           ) -> GradCheckRow:
    """A fresh model with ``model``'s weights: its test-mode scores after one train-mode
    ``loss(X, y)`` and after a second must differ (the second call moves batch norm's
    running averages further towards the batch's statistics). Equal scores: the running
    averages are not kept between calls (``self.bn_params`` rebuilt in ``loss``)."""
    fresh = cls(**kwargs)
    for key, value in model.params.items():
        fresh.params[key] = np.array(value, copy=True)
    y = np.arange(X.shape[0]) % MODEL_C
    after = []
    for _ in range(2):
        fresh.loss(X.copy(), y.copy())
        after.append(np.asarray(fresh.loss(X.copy()), dtype=np.float64))
    moved = float(np.max(np.abs(after[1] - after[0])))
    allowed = 1e-9 * max(1.0, float(np.max(np.abs(after[0]))))
    ok = bool(np.isfinite(moved) and moved > allowed)
    return GradCheckRow(
        "running averages", (), moved, allowed, PASS if ok else FAIL,
        Entry((), moved, allowed), kind=None if ok else "test mode", kind_text="" if ok else (
            "the test-mode scores after two train-mode calls of loss(X, y) are those after "
            "one: batch norm's running averages are not kept between calls (each call "
            "starts them again, e.g. self.bn_params built in loss, or a new dict per "
            "call): build self.bn_params once in __init__ and pass the same dicts to "
            "batchnorm_forward on every call, which updates their running_mean and "
            "running_var"))


def _initial_weights(params: dict, kwargs: dict[str, Any], title: str
                     ) -> GradCheckReport | None:
    """The weights a course model's constructor draws: ``weight_scale *
    np.random.randn(...)`` (``std *`` in assignment 1), normal with mean 0 and standard
    deviation the scale. Over every ``W...`` entry (70 or more in the check's models),
    their root mean square must be within a factor 2 of the scale and between 20% and 80%
    of them negative (normal draws: about half; 6 standard errors or more from either
    bound): ``np.random.rand`` (uniform on [0, 1), none negative) and a scale of one's own
    (0.01 or 1 written as a constant, He's sqrt(2 / fan_in)) fail (kind
    "initialisation"), and so does one weight of 20 entries or more with none negative
    (``np.random.rand`` in one line of several; normal draws: a chance of 2^-20 or less).
    None where the constructor takes no scale or the weights are fewer than 50."""
    key = "weight_scale" if "weight_scale" in kwargs else "std" if "std" in kwargs else None
    named = {str(k): np.asarray(v, dtype=np.float64).ravel() for k, v in params.items()
             if str(k)[:1] == "W" and str(k)[1:].isdigit() and isinstance(v, np.ndarray)}
    weights = list(named.values())
    if key is None or not weights:
        return None
    w = np.concatenate(weights)
    scale = float(kwargs[key])
    if w.size < 50 or scale <= 0:
        return None
    rms = float(np.sqrt(np.mean(w * w)))
    negative = float(np.mean(w < 0))
    call = f"{key} * np.random.randn(rows, columns)"
    report = GradCheckReport(title=f"{title}: initial weights (analytic = yours, numerical = "
                                   "expected)")
    report.rows.append(_stat_row(
        "share of W < 0", negative, 0.5, 0.3, "initialisation",
        f"{negative:.0%} of the initial weights are negative where normal draws of mean 0 "
        "give about half: " + (
            "np.random.rand draws uniformly on [0, 1) (never negative); the course draws "
            f"{call} (randn: normal, mean 0)" if negative == 0 else
            f"draw them as the course does, {call} (normal, mean 0)")))
    if negative > 0:  # some weights drawn with rand, the others as the course draws them
        for name, v in named.items():
            if v.size >= 20 and not np.any(v < 0):
                report.rows.append(_stat_row(
                    f"share of {name} < 0", 0.0, 0.5, 0.3, "initialisation",
                    f"none of {name}'s {v.size} initial weights is negative (normal draws "
                    "of mean 0 give about half): it is drawn with np.random.rand, uniform "
                    f"on [0, 1); the course draws every weight with {call} (randn: "
                    "normal, mean 0)"))
    ratio = rms / scale
    report.rows.append(_stat_row(
        f"rms(W) / {key}", ratio, 1.0, 1.0 if ratio > 1 else 0.5, "initialisation",
        f"the initial weights' root mean square is {rms:.3g}, {ratio:.3g} times {key} = "
        f"{scale:g}: the constructor does not draw them with the {key} it is given (a scale "
        "written as a constant such as 0.01, np.random.randn alone, or an initialisation "
        f"of your own such as He's sqrt(2 / fan_in)); the course draws {call}, so that the "
        f"notebooks' {key} experiments (and the initial loss of about log(C)) hold"))
    return report


def _integer_params(params: dict, title: str, report: GradCheckReport | None
                    ) -> GradCheckReport | None:
    """A FAIL row (kind "initialisation") per parameter the constructor made an integer
    array (``np.zeros(H, dtype=int)``, ``np.array([0, 0, 0])``): an update ``b -= lr *
    db`` raises a casting error, and ``b = b - lr * db`` works only by making a new float
    array (the dict's own array never learns in place). Added to ``report`` (or a new
    one); None where every parameter is a float array."""
    ints = [(str(k), np.asarray(v).dtype) for k, v in params.items()
            if isinstance(v, np.ndarray) and v.dtype.kind in "iub"]
    if not ints:
        return report
    report = report or GradCheckReport(title=f"{title}: initial weights (analytic = yours, "
                                             "numerical = expected)")
    for name, dtype in ints:
        report.rows.append(_stat_row(
            f"{name} dtype", 1.0, 0.0, 0.0, "initialisation",
            f"the constructor makes {name} an array of {dtype} (integers): an update "
            f"{name} -= learning_rate * d{name} raises a casting error (and a value of "
            "1e-3 cannot be held); make it a float array: np.zeros(size) without dtype=int, "
            "or np.zeros(size, dtype=self.dtype)"))
    return report


def _nonzero_biases(params: dict, seed: int) -> None:
    """Biases (``b...``, ``beta...``) that the constructor left all zero get small random
    values, in place: at b = 0 a bias gradient with ``reg * b`` added agrees with its
    numerical gradient, and a gradient check must hold at any parameters."""
    rng = stream(seed, "b_model")
    for key, value in params.items():
        if (str(key).startswith("b") and isinstance(value, np.ndarray)
                and value.dtype.kind == "f" and value.size and not np.any(value)):
            value[...] = 0.1 * rng.standard_normal(value.shape)


# ------------------------------------------------------------------------------ the Solver
#: The methods of CS231n's Solver (solver.py); a class with all of them is checked.
SOLVER_METHODS = ("_step", "train", "check_accuracy")


class _StepModel:
    """The model a Solver's ``_step`` is checked with: parameters W and b, and a loss whose
    gradients are fixed arrays, different for each parameter (so each call of the update
    rule says which parameter it updates)."""

    def __init__(self, seed: int) -> None:
        rng = stream(seed, "solver")
        self.params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
        self.grads = {k: rng.standard_normal(v.shape) for k, v in self.params.items()}

    def loss(self, X: np.ndarray, y: np.ndarray | None = None) -> Any:
        if y is None:
            return np.asarray(X)[:, :2]
        return 1.0, {k: v.copy() for k, v in self.grads.items()}


def _solver_step(cls: type, seed: int, steps: int = 2) -> GradCheckReport:
    """A Solver's ``_step`` (CS231n's solver.py), ``steps`` times, on :class:`_StepModel`
    with the update rule replaced by one that records its calls (next_w = w - dw, and a
    new config counting the steps): each step must call the rule once per parameter with
    the parameter, its gradient and that parameter's own config (the optim_config's
    entries at the first step, the config the rule returned since), and store next_w in
    model.params and the returned config in optim_configs."""
    model = _StepModel(seed)
    rng = stream(seed, "solver_data")
    data = {"X_train": rng.standard_normal((8, 3)), "y_train": rng.integers(0, 2, 8),
            "X_val": rng.standard_normal((4, 3)), "y_val": rng.integers(0, 2, 4)}
    start = {k: v.copy() for k, v in model.params.items()}
    try:
        solver = cls(model, data, update_rule="sgd", optim_config={"learning_rate": 0.1},
                     batch_size=4, verbose=False)
    except TypeError as exc:
        raise _SignatureError(f"{cls.__name__}: called as CS231n's Solver(model, data, "
                              "update_rule='sgd', optim_config={...}, batch_size=4, "
                              f"verbose=False), it raised TypeError: {exc}") from None
    calls: list[tuple[str, np.ndarray, Any]] = []

    def rule(w: np.ndarray, dw: np.ndarray, config: Any = None) -> tuple[np.ndarray, dict]:
        name = next((k for k, g in model.grads.items() if np.shape(dw) == g.shape
                     and np.allclose(dw, g)), "?")
        calls.append((name, np.array(w, dtype=np.float64), config))
        step = config.get("numpynn_step", 0) if isinstance(config, dict) else 0
        return w - dw, {"numpynn_step": step + 1, "numpynn_param": name}

    solver.update_rule = rule
    state = np.random.get_state()
    np.random.seed(seed)  # the Solver draws its minibatch from np.random
    try:
        for _ in range(steps):
            solver._step()
    finally:
        np.random.set_state(state)
    report = GradCheckReport(title=f"{cls.__name__}._step, {steps} steps (analytic = yours, "
                                   "numerical = expected)")

    def row(label: str, ok: bool, text: str) -> None:
        report.rows.append(GradCheckRow(label, (), 0.0 if ok else float("inf"), 0.0,
                                        PASS if ok else FAIL, kind=None if ok else "solver",
                                        kind_text="" if ok else text))

    names = [c[0] for c in calls]
    for p in model.params:
        row(f"calls for {p}", names.count(p) == steps,
            f"the update rule was called {names.count(p)} times for parameter {p!r} in "
            f"{steps} steps ({len(calls)} calls in all): each _step calls it once per "
            "parameter, for p, w in self.model.params.items(): next_w, next_config = "
            "self.update_rule(w, grads[p], self.optim_configs[p])")
        configs = [c[2] for c in calls if c[0] == p]
        shared = (f"parameter {p!r} was given another parameter's config: each parameter "
                  "needs its own, self.optim_configs[p]")
        first = configs[0] if configs else None
        row(f"config for {p}, step 1", isinstance(first, dict) and first.get(
            "learning_rate") == 0.1, shared if isinstance(first, dict) and first.get(
                "numpynn_param") not in (None, p) else
            f"the first step's config for {p!r} is {_describe(first)}, not a copy of "
            "optim_config (learning_rate 0.1 here): _reset makes each parameter's, "
            "self.optim_configs[p] = dict(self.optim_config)")
        later = configs[1:]
        row(f"config for {p}, later steps", all(
            isinstance(c, dict) and c.get("numpynn_param") == p
            and c.get("numpynn_step") == i + 1 for i, c in enumerate(later)),
            shared if any(isinstance(c, dict) and c.get("numpynn_param") not in (None, p)
                          for c in later) else
            f"the config the update rule returned for {p!r} is not the one it gets at the "
            "next step: store it, self.optim_configs[p] = next_config (momentum's "
            "velocity, Adam's m, v and t live there)")
        want = start[p] - steps * model.grads[p]
        got = np.asarray(model.params[p], dtype=np.float64)
        row(f"model.params[{p}]", got.shape == want.shape and _close_to(got, want),
            f"after {steps} steps model.params[{p!r}] is not the update rule's last next_w "
            "(each step's next_w = w - dw here): store it, self.model.params[p] = next_w")
    return report


class _TrainModel:
    """The model a Solver's ``train`` and ``check_accuracy`` are checked with: one weight
    matrix W, scores ``X.dot(W)`` in test mode, and in train mode a loss of ``sum(W**2)``
    (whatever the minibatch) with a fixed gradient, so that W after each step, and so
    every accuracy, follows from the learning rates alone."""

    def __init__(self, w: np.ndarray, grad: np.ndarray) -> None:
        self.params = {"W": w.copy()}
        self.grad = grad

    def loss(self, X: np.ndarray, y: np.ndarray | None = None) -> Any:
        if y is None:
            return np.asarray(X, dtype=np.float64) @ self.params["W"]
        return float(np.sum(self.params["W"] ** 2)), {"W": self.grad.copy()}


#: the Solver's train check: N_train (a multiple of the batch size, so that every version
#: of the course's solver makes num_epochs * N_train // batch_size iterations), N_val,
#: D, C, batch size, epochs, learning rate and its decay per epoch
TRAIN_N, TRAIN_N_VAL, TRAIN_D, TRAIN_C, TRAIN_BATCH, TRAIN_EPOCHS = 8, 6, 3, 3, 4, 2
TRAIN_LR, TRAIN_DECAY = 0.1, 0.5


def _solver_problem(seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Data, W0 and the fixed gradient of :class:`_TrainModel` for which the validation
    accuracy is highest at the course's second accuracy check (after the first epoch):
    y_val is the prediction there, and some predictions differ at the first and last
    checks, so that a Solver that does not keep the best parameters shows it."""
    rng = stream(seed, "solver_train")
    steps = TRAIN_EPOCHS * TRAIN_N // TRAIN_BATCH
    per_epoch = TRAIN_N // TRAIN_BATCH
    lrs = [TRAIN_LR * TRAIN_DECAY ** (t // per_epoch) for t in range(steps)]
    for _ in range(200):
        X_val = rng.standard_normal((TRAIN_N_VAL, TRAIN_D))
        w0 = rng.standard_normal((TRAIN_D, TRAIN_C))
        grad = 10 * rng.standard_normal((TRAIN_D, TRAIN_C))
        preds = [np.argmax(X_val @ (w0 - sum(lrs[:t + 1]) * grad), axis=1)
                 for t in _accuracy_steps(steps, per_epoch)]
        if np.any(preds[0] != preds[1]) and np.any(preds[-1] != preds[1]):
            break
    data = {"X_train": rng.standard_normal((TRAIN_N, TRAIN_D)),
            "y_train": rng.integers(0, TRAIN_C, TRAIN_N), "X_val": X_val,
            "y_val": preds[1]}
    return data, w0, grad


def _accuracy_steps(steps: int, per_epoch: int) -> list[int]:
    """The iterations after which the course's train checks the accuracies: the first,
    every epoch's last, and the last."""
    return [t for t in range(steps) if t == 0 or t == steps - 1 or (t + 1) % per_epoch == 0]


def _solver_train(cls: type, seed: int, user_dir: str = "") -> GradCheckReport:
    """A Solver's ``check_accuracy`` and ``train`` (CS231n's solver.py) on
    :class:`_TrainModel`, against the course's: the accuracy of rows in batches (the last
    one shorter); ``train`` for TRAIN_EPOCHS epochs of TRAIN_N // TRAIN_BATCH iterations
    with the update rule replaced by one that records the learning rate it is given
    (``next_w = w - learning_rate * dw``, the same config returned): the learning rate
    decayed after every epoch, a loss per iteration in loss_history, the accuracies
    after the first iteration and every epoch, and the best validation accuracy's
    parameters in model.params at the end."""
    data, w0, grad = _solver_problem(seed)
    model = _TrainModel(w0, grad)
    try:
        solver = cls(model, data, update_rule="sgd", optim_config={
            "learning_rate": TRAIN_LR}, lr_decay=TRAIN_DECAY, num_epochs=TRAIN_EPOCHS,
            batch_size=TRAIN_BATCH, print_every=1000, verbose=False)
    except TypeError as exc:
        raise _SignatureError(f"{cls.__name__}: called as CS231n's Solver(model, data, "
                              "update_rule='sgd', optim_config={...}, lr_decay=..., "
                              "num_epochs=..., batch_size=..., print_every=..., "
                              f"verbose=False), it raised TypeError: {exc}") from None
    report = GradCheckReport(title=f"{cls.__name__}.check_accuracy and .train (analytic = "
                                   "yours, numerical = expected)")

    def row(label: str, got: Any, want: Any, text: str) -> None:
        try:
            ok = bool(np.shape(got) == np.shape(want) and np.allclose(
                np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64),
                rtol=1e-9, atol=1e-12))
        except (TypeError, ValueError):
            ok = False
        a = np.asarray(got, dtype=object).ravel() if np.size(got) else np.zeros(0)
        b = np.asarray(want, dtype=object).ravel()
        worst = Entry((), float(a[0]) if len(a) == 1 and isinstance(
            a[0], (int, float, np.number)) else float("nan"), float(b[0])
            if len(b) == 1 else float("nan"))
        report.rows.append(GradCheckRow(label, np.shape(want), 0.0 if ok else float("inf"),
                                        0.0, PASS if ok else FAIL, worst,
                                        kind=None if ok else "solver",
                                        kind_text="" if ok else text))

    # check_accuracy: 10 rows in batches of 4 (a shorter last batch), and all at once
    rows = np.concatenate([data["X_val"], data["X_train"][:4]])
    labels = np.concatenate([data["y_val"], data["y_train"][:4]])
    want = float(np.mean(np.argmax(rows @ w0, axis=1) == labels))
    for kwargs in ({"batch_size": 4}, {}):
        try:
            got = solver.check_accuracy(rows.copy(), labels.copy(), **kwargs)
            gave = f"gave {_describe(got)}"
            if isinstance(got, (int, float, np.number)) or (
                    isinstance(got, np.ndarray) and got.size == 1):
                got = float(got)
        except Exception as exc:  # noqa: BLE001 - the learner's code: a FAIL with its line
            got, gave = None, _error_text(exc, user_dir)
        row(f"check_accuracy({', '.join(f'{k}={v}' for k, v in kwargs.items()) or 'X, y'})",
            got, want,
            f"check_accuracy on {len(rows)} rows{' in batches of 4' if kwargs else ''} "
            f"{gave}; the fraction of rows whose argmax of model.loss(X) (the "
            f"scores, N x C; argmax over axis 1) is y is {want:g}; predict every batch, "
            "the last one shorter too (num_batches = N // batch_size, + 1 if N % "
            "batch_size), then np.mean(np.hstack(y_pred) == y)")
    # train, the update rule recording the learning rates it is given
    seen: list[float] = []

    def rule(w: np.ndarray, dw: np.ndarray, config: Any = None) -> tuple[np.ndarray, Any]:
        lr = float(config.get("learning_rate", float("nan"))) if isinstance(
            config, dict) else float("nan")
        seen.append(lr)
        w -= lr * dw  # in place, as the course's sgd: best_params must be copies
        return w, config

    solver.update_rule = rule
    steps, per_epoch = TRAIN_EPOCHS * TRAIN_N // TRAIN_BATCH, TRAIN_N // TRAIN_BATCH
    lrs = [TRAIN_LR * TRAIN_DECAY ** (t // per_epoch) for t in range(steps)]
    ws = [w0 - sum(lrs[:t + 1]) * grad for t in range(steps)]
    losses = [float(np.sum(w0 ** 2))] + [float(np.sum(w ** 2)) for w in ws[:-1]]
    checks = _accuracy_steps(steps, per_epoch)
    train_acc = [float(np.mean(np.argmax(data["X_train"] @ ws[t], axis=1)
                               == data["y_train"])) for t in checks]
    val_acc = [float(np.mean(np.argmax(data["X_val"] @ ws[t], axis=1) == data["y_val"]))
               for t in checks]
    best = int(np.argmax(val_acc))  # the first of the highest, as val_acc > best_val_acc
    state = np.random.get_state()
    np.random.seed(seed)  # the Solver draws its minibatches from np.random
    try:
        solver.train()
    except Exception as exc:  # noqa: BLE001 - the learner's code: a FAIL with its line
        report.rows.append(GradCheckRow(
            "train()", (), float("inf"), 0.0, FAIL, kind="solver", kind_text=(
                f"train() {_error_text(exc, user_dir)}; " + (
                    "check_accuracy fails above" if any(
                        r.verdict == FAIL for r in report.rows) else
                    "it must run num_epochs * (N // batch_size) iterations of _step, "
                    "checking the accuracies after the first and each epoch's last"))))
        return report
    finally:
        np.random.set_state(state)
    row("learning rates", seen, lrs,
        f"the update rule was given the learning rates {[round(v, 6) for v in seen]} in "
        f"{steps} iterations ({TRAIN_EPOCHS} epochs of {TRAIN_N} // {TRAIN_BATCH}); the "
        f"course's: {lrs}, one update per iteration, and after every epoch each "
        "parameter's config['learning_rate'] *= lr_decay")
    row("loss_history", [float(v) for v in getattr(solver, "loss_history", [])], losses,
        f"loss_history must hold the loss of every iteration ({steps}), as _step appends "
        "it")
    for label, got, want in (("train_acc_history", getattr(solver, "train_acc_history",
                                                           None), train_acc),
                             ("val_acc_history", getattr(solver, "val_acc_history", None),
                              val_acc)):
        row(label, [float(v) for v in got] if isinstance(got, list) else got, want,
            f"{label} must hold the accuracy after the first iteration and after every "
            f"epoch ({len(want)} values for {TRAIN_EPOCHS} epochs: {want}), from "
            "check_accuracy")
    row("best_val_acc", float(getattr(solver, "best_val_acc", float("nan"))), val_acc[best],
        f"best_val_acc must be the highest validation accuracy seen, {val_acc[best]:g}")
    row("model.params at the end", np.asarray(model.params.get("W"), dtype=np.float64)
        if hasattr(model.params, "get") else None, ws[checks[best]],
        "after train, model.params must hold the parameters of the best validation "
        "accuracy (kept as copies when it improves, best_params[k] = v.copy(); at the "
        "end self.model.params = self.best_params), not the last ones")
    return report


# ------------------------------------------------ assignment 1's training loops
#: the methods of assignment 1's classifiers with a training loop: LinearClassifier
#: (linear_classifier.py, its loss(X_batch, y_batch, reg) the subclass's) and TwoLayerNet
#: (neural_net.py)
TRAIN_METHODS = ("train", "predict", "loss")
#: their check: N rows of D features, C classes, batch size, iterations, learning rate
LOOP_N, LOOP_D, LOOP_C, LOOP_BATCH, LOOP_ITERS, LOOP_LR, LOOP_REG = 8, 4, 3, 4, 5, 0.1, 0.25


def _loop_row(report: GradCheckReport, label: str, ok: bool, text: str,
              kind: str = "training loop") -> None:
    report.rows.append(GradCheckRow(label, (), 0.0 if ok else float("inf"), 0.0,
                                    PASS if ok else FAIL, kind=None if ok else kind,
                                    kind_text="" if ok else text))


def _batches_ok(calls: list[tuple[Any, Any]], X: np.ndarray, y: np.ndarray) -> bool:
    """Every minibatch given to loss: LOOP_BATCH rows of X with their own labels."""
    for xb, yb in calls:
        xb, yb = np.asarray(xb), np.asarray(yb)
        if xb.shape != (LOOP_BATCH, X.shape[1]) or yb.shape != (LOOP_BATCH,):
            return False
        for row, label in zip(xb, yb):
            match = np.flatnonzero(np.all(X == row, axis=1))
            if not match.size or not np.any(y[match] == label):
                return False
    return True


def _loop_problem(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = stream(seed, "train_loop")
    X = rng.standard_normal((LOOP_N, LOOP_D))
    y = np.arange(LOOP_N) % LOOP_C  # every class present: num_classes = max(y) + 1
    return X, rng.permutation(y)


def _loop_steps(report: GradCheckReport, name: str, got: np.ndarray, start: np.ndarray,
                grad: np.ndarray, lrs: list[float], what: str) -> None:
    """The weights after the loop: ``start - sum(lrs) * grad`` (negation where they
    climbed: ``start + sum(lrs) * grad``)."""
    want = start - sum(lrs) * grad
    ok = got.shape == want.shape and _close_to(got, want)
    up = got.shape == want.shape and _close_to(got, start + sum(lrs) * grad)
    _loop_row(report, name, ok, (
        f"after {len(lrs)} iterations {name} moved up the gradient: W += learning_rate * "
        "grad climbs the loss; descent subtracts it, W -= learning_rate * grad") if up else (
        f"after {len(lrs)} iterations {name} is not the start minus the learning rates "
        f"times the gradients ({what}): each iteration must step every weight, "
        "W -= learning_rate * grad, with the gradient loss returned"),
        "negation" if up else "training loop")


def _linear_classifier_train(cls: type, seed: int, user_dir: str = "") -> GradCheckReport:
    """Assignment 1's LinearClassifier.train and .predict, on a subclass whose loss
    returns a fixed gradient: LOOP_ITERS iterations of minibatches of LOOP_BATCH rows with
    their labels (and reg passed through), W -= learning_rate * grad each, the losses
    returned as loss_history; predict the argmax of X.dot(W)."""
    X, y = _loop_problem(seed)
    rng = stream(seed, "train_loop_w")
    w0 = rng.standard_normal((LOOP_D, LOOP_C))
    grad = rng.standard_normal((LOOP_D, LOOP_C))
    calls: list[tuple[Any, Any]] = []
    regs: list[Any] = []

    class Stub(cls):  # type: ignore[misc, valid-type]
        def loss(self, X_batch: Any, y_batch: Any, reg: Any) -> Any:
            calls.append((np.array(X_batch, copy=True), np.array(y_batch, copy=True)))
            regs.append(reg)
            return float(np.sum(np.asarray(self.W) ** 2)), grad.copy()

    Stub.__name__ = cls.__name__
    try:
        model = Stub()
    except TypeError as exc:
        raise _SignatureError(f"{cls.__name__}: built as CS231n's LinearClassifier(), it "
                              f"raised TypeError: {exc}") from None
    report = GradCheckReport(title=f"{cls.__name__}.train and .predict, {LOOP_ITERS} "
                                   "iterations (analytic = yours, numerical = expected)")
    model.W = w0.copy()
    _predict_row(report, lambda: model.predict(X.copy()), np.argmax(X @ w0, axis=1),
                 "np.argmax(X.dot(self.W), axis=1)", user_dir)
    model.W = w0.copy()
    losses = [float(np.sum((w0 - t * LOOP_LR * grad) ** 2)) for t in range(LOOP_ITERS)]
    state = np.random.get_state()
    np.random.seed(seed)  # the minibatches come from np.random
    try:
        history = model.train(X.copy(), y.copy(), learning_rate=LOOP_LR, reg=LOOP_REG,
                              num_iters=LOOP_ITERS, batch_size=LOOP_BATCH, verbose=False)
    except Exception as exc:  # noqa: BLE001 - the learner's code: a FAIL with its line
        return _train_raised(report, exc, user_dir)
    finally:
        np.random.set_state(state)
    _loop_row(report, "loss calls", len(calls) == LOOP_ITERS,
              f"loss was called {len(calls)} times in {LOOP_ITERS} iterations; once per "
              "iteration: loss, grad = self.loss(X_batch, y_batch, reg)")
    _loop_row(report, "minibatches", _batches_ok(calls, X, y),
              f"each minibatch must be batch_size = {LOOP_BATCH} rows of X with their own "
              "labels: idx = np.random.choice(num_train, batch_size); X_batch = X[idx]; "
              "y_batch = y[idx] (rows, not columns; the same idx for both)")
    _loop_row(report, "reg", all(r == LOOP_REG for r in regs),
              f"train(reg={LOOP_REG}) passed reg = {regs[:1]} to loss: pass train's reg on")
    _loop_steps(report, "W", np.asarray(model.W, dtype=np.float64), w0, grad,
                [LOOP_LR] * LOOP_ITERS, f"W0 - {LOOP_ITERS} x {LOOP_LR} x grad")
    got_hist = [float(v) for v in history] if isinstance(history, (list, tuple)) else None
    _loop_row(report, "loss_history", _history_ok(got_hist, losses, report),
              f"train must return loss_history, the loss of every iteration ({LOOP_ITERS} "
              f"values, each before that iteration's step); it returned "
              f"{_describe(history)}")
    return report


def _predict_row(report: GradCheckReport, predict: Callable[[], Any], want: np.ndarray,
                 how: str, user_dir: str) -> None:
    """predict(X) against ``want`` (each row's class of highest score)."""
    try:
        pred = predict()
        gave = f"gave {_describe(pred)}"
        ok = np.shape(pred) == want.shape and bool(np.all(np.asarray(pred) == want))
    except Exception as exc:  # noqa: BLE001 - the learner's code: a FAIL with its line
        ok, gave = False, _error_text(exc, user_dir)
    _loop_row(report, "predict", ok, f"predict(X) {gave}; it must be each row's class of "
              f"highest score: {how}, shape (N,)")


def _train_raised(report: GradCheckReport, exc: BaseException, user_dir: str
                  ) -> GradCheckReport:
    report.rows.append(GradCheckRow("train()", (), float("inf"), 0.0, FAIL,
                                    kind="training loop", kind_text=(
                                        f"train() {_error_text(exc, user_dir)}"
                                        + ("; predict fails above" if any(
                                            r.verdict == FAIL for r in report.rows)
                                           else ""))))
    return report


def _a1_net_train(cls: type, seed: int, user_dir: str = "") -> GradCheckReport:
    """Assignment 1's TwoLayerNet.train and .predict (neural_net.py), on a subclass whose
    loss returns fixed gradients: minibatches with their labels, every parameter stepped
    with the learning rate the course's loop uses (decayed once per epoch, where ``it %
    iterations_per_epoch == 0``), the losses in loss_history; predict the argmax of
    loss(X)."""
    X, y = _loop_problem(seed)
    rng = stream(seed, "train_loop_net")
    calls: list[tuple[Any, Any]] = []

    class Stub(cls):  # type: ignore[misc, valid-type]
        def loss(self, X: Any, y: Any = None, reg: float = 0.0) -> Any:
            if y is None:
                return _a1_scores(self.params, X)
            calls.append((np.array(X, copy=True), np.array(y, copy=True)))
            return float(sum(np.sum(v ** 2) for v in self.params.values())), {
                k: g.copy() for k, g in grads.items()}

    Stub.__name__ = cls.__name__
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        try:
            model = Stub(LOOP_D, 5, LOOP_C, std=1e-1)
        except TypeError as exc:
            raise _SignatureError(f"{cls.__name__}: built as CS231n's TwoLayerNet("
                                  f"input_size, hidden_size, output_size, std), it raised "
                                  f"TypeError: {exc}") from None
        if not hasattr(model.params, "items") or not model.params:
            raise _NotImplementedYetError(f"{cls.__name__}.__init__ (params empty)")
        start = {k: np.array(v, dtype=np.float64) for k, v in model.params.items()}
        grads = {k: rng.standard_normal(np.shape(v)) for k, v in start.items()}
        decay = 0.5
        report = GradCheckReport(title=f"{cls.__name__}.train and .predict, {LOOP_ITERS} "
                                       "iterations (analytic = yours, numerical = expected)")
        _predict_row(report, lambda: model.predict(X.copy()),
                     np.argmax(_a1_scores(start, X), axis=1),
                     "np.argmax(self.loss(X), axis=1)", user_dir)
        for key, value in start.items():
            model.params[key] = value.copy()
        try:
            history = model.train(X.copy(), y.copy(), X.copy(), y.copy(),
                                  learning_rate=LOOP_LR, learning_rate_decay=decay,
                                  reg=LOOP_REG, num_iters=LOOP_ITERS, batch_size=LOOP_BATCH,
                                  verbose=False)
        except Exception as exc:  # noqa: BLE001 - the learner's code: a FAIL with its line
            return _train_raised(report, exc, user_dir)
    finally:
        np.random.set_state(state)
    per_epoch = max(LOOP_N // LOOP_BATCH, 1)
    lrs, lr = [], LOOP_LR
    for it in range(LOOP_ITERS):  # the course's loop: decay after it % per_epoch == 0
        lrs.append(lr)
        if it % per_epoch == 0:
            lr *= decay
    _loop_row(report, "loss calls", len(calls) == LOOP_ITERS,
              f"loss was called {len(calls)} times with labels in {LOOP_ITERS} iterations; "
              "once per iteration: loss, grads = self.loss(X_batch, y=y_batch, reg=reg)")
    _loop_row(report, "minibatches", _batches_ok(calls, X, y),
              f"each minibatch must be batch_size = {LOOP_BATCH} rows of X with their own "
              "labels: idx = np.random.choice(num_train, batch_size); X_batch = X[idx]; "
              "y_batch = y[idx]")
    for key in start:
        _loop_steps(report, key, np.asarray(model.params[key], dtype=np.float64),
                    start[key], grads[key], lrs, "the learning rate decayed by "
                    "learning_rate_decay once per epoch, as the course's loop does: "
                    f"{[round(v, 6) for v in lrs]}")
    got = history.get("loss_history") if hasattr(history, "get") else None
    losses = [float(sum(np.sum((start[k] - sum(lrs[:t]) * grads[k]) ** 2) for k in start))
              for t in range(LOOP_ITERS)]
    _loop_row(report, "loss_history", _history_ok(
        [float(v) for v in got] if isinstance(got, (list, tuple)) else None, losses, report),
        "train must return {'loss_history': [the loss of every iteration], ...}")
    return report


def _history_ok(got: list[float] | None, want: list[float], report: GradCheckReport
                ) -> bool:
    """loss_history holds a loss per iteration, and (where the steps passed: the losses
    follow from them) the expected ones."""
    if got is None or len(got) != len(want):
        return False
    return any(r.verdict == FAIL for r in report.rows) or bool(
        np.allclose(got, want, rtol=1e-9, atol=0))


def _takes_nothing(cls: type) -> bool:
    """Whether ``cls()`` is its constructor's signature (LinearClassifier's)."""
    try:
        return not inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False


def _a1_scores(params: Any, X: Any) -> np.ndarray:
    """Assignment 1's TwoLayerNet scores: relu(X W1 + b1) W2 + b2."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    hidden = np.maximum(0, np.asarray(X, dtype=np.float64) @ p["W1"] + p["b1"])
    return hidden @ p["W2"] + p["b2"]


# ------------------------------------------------------------------------------ modules
def _user_call(result: FileCheck, title: str, user_dir: str, fn: Callable[[], Any],
               on_call: Callable[[str], None] | None = None, isolated: bool = False) -> Any:
    """Run ``fn`` (which calls the learner's code); an exception, SystemExit included,
    becomes ``title``'s FAIL with the learner's file and line; a stub is listed as not
    implemented yet. KeyboardInterrupt (Ctrl-C) is not caught: it stops the check.
    on_call: told ``title`` first (the CLI's child process records what is running).
    isolated: the check runs in a process of its own (the CLI's child), where a
    KeyboardInterrupt can only come from the learner's code (Ctrl-C stops the parent): it
    is that function's FAIL too."""
    if on_call is not None:
        on_call(title)
    try:
        try:
            return fn()
        except KeyboardInterrupt as exc:
            if not isolated:
                raise
            raise _LearnerInterrupt() from exc
    except _NotImplementedYetError as exc:
        result.not_implemented.append(str(exc))
    except NotImplementedError as exc:  # a stub of the learner's: raise NotImplementedError
        result.not_implemented.append(f"{title} ({_not_implemented_text(exc, user_dir)})")
    except _SignatureError as exc:
        result.skipped.append(str(exc))
    except KeyboardInterrupt:
        raise
    except _LearnerInterrupt as exc:
        result.errors.append((title, _error_text(exc.__cause__ or exc, user_dir)))
    except BaseException as exc:  # noqa: BLE001 - SystemExit, GeneratorExit and the rest
        result.errors.append((title, _error_text(exc, user_dir)))
    return None


def _not_implemented_text(exc: BaseException, user_dir: str) -> str:
    """Where a stub of the learner's raises NotImplementedError: ``raises
    NotImplementedError (line L of FILE)``."""
    where = _one_line(exc, user_dir)
    line = where[where.rfind(" (line "):] if " (line " in where else ""
    return "raises NotImplementedError" + line.replace(" (line ", ", line ", 1).rstrip(")")


def _error_text(exc: BaseException, user_dir: str = "") -> str:
    """An error's line in the report: what the learner's code returned that cannot be
    checked (:class:`ReturnError`, numpynn's message), else ``raised Type: message (line L
    of FILE)``."""
    if isinstance(exc, ReturnError):
        return " ".join(str(exc).split())
    text = "raised " + _one_line(exc, user_dir)
    if isinstance(exc, ValueError) and any(w in str(exc) for w in (
            "shape", "broadcast", "aligned", "matmul", "dimension")):
        text += (": a shape mismatch; print the shapes of the arrays on that line. Each "
                 "gradient has the shape of what it differentiates: dscores N x C like the "
                 "scores, dW like W, db like b, dx like x")
        shapes = re.findall(r"\((\d+),(\d*)\)", str(exc))
        flat = {int(a) for a, b in shapes if not b}
        every_row = re.search(r"(\w*)\[\s*:\s*,\s*(y\w*|labels?)\s*\]",
                              _learner_source_line(exc, user_dir))
        if every_row:
            a, labels = every_row.group(1) or "x", every_row.group(2)
            text += (f"; {a}[:, {labels}] takes, for every row, the columns of all N labels: "
                     f"an N x N array, not each example's own entry; the correct classes' "
                     f"scores are {a}[np.arange(N), {labels}] (shape (N,); add [:, None] "
                     "for an N x 1 column that lines up with the rows)")
        elif "broadcast" in str(exc) and any(int(a) in flat for a, b in shapes if b):
            line = _learner_source_line(exc, user_dir)
            reduction = bool(re.search(r"(\.|np\.)(a?max|a?min|sum|mean)\(", line)
                             and re.search(r"axis\s*=\s*(1|-1)\b", line)
                             and "keepdims" not in line)
            labels = bool(re.search(r"\by\b", line))
            if reduction:
                text += ("; an array of shape (N,) beside an N x C one: a reduction over "
                         "axis=1 on this line (np.max, np.sum, np.mean) without "
                         "keepdims=True gives one value per row, shape (N,), which NumPy "
                         "lines up with the columns, not the rows: write np.max(x, axis=1, "
                         "keepdims=True) (shape (N, 1))")
            if labels or not reduction:
                text += ("; an array of shape (N,) beside an N x C one is most often the "
                         "labels y used as one-hot rows: y holds each example's class index, "
                         "so take probs[np.arange(N), y] (one entry per row) or build the "
                         "rows with np.eye(C)[y]")
            if not labels and not reduction:
                text += (", or a row reduction (np.max(x, axis=1), np.sum(..., axis=1)) "
                         "made without keepdims=True")
        arrays = _line_arrays(exc, user_dir)
        if arrays:
            text += "; on that line " + ", ".join(
                f"{n} has shape {s}" for n, s in arrays[:4])
        columns = [s for _, s in arrays if len(s) == 2 and s[1] == 1 and s[0] > 1]
        if columns or any(b == "1" and int(a) > 1 for a, b in shapes) and any(
                b not in ("", "1") for _, b in shapes):
            text += ("; an array of shape (N, 1) where an N x C one is needed is most often "
                     "dscores made from the correct classes' column alone, such as "
                     "(probs[np.arange(N), y] - 1)[:, None]: every score moves the loss "
                     "(through the softmax's denominator), so dscores is N x C: dscores = "
                     "probs.copy(); dscores[np.arange(N), y] -= 1; dscores /= N")
    if isinstance(exc, ValueError) and "truth value of an array" in str(exc):
        line = _learner_source_line(exc, user_dir)
        none = re.search(r"\b(\w+)\s*[=!]=\s*None\b|\bnot\s+(\w+)\s*:|\bif\s+(\w+)\s*:",
                         line)
        v = next((g for g in none.groups() if g), "") if none else ""
        if none and (none.group(1) or v.lower().startswith(("y", "label"))):
            text += (f"; {v} is an array here, and `{line.strip()}` asks for one truth value "
                     f"of its many entries: test for the missing value with `if {v} is None:` "
                     f"(`is`, not `==`; `not {v}` and `{v} == None` look at the entries); "
                     "loss(X) passes y=None at test time and an array of labels in training")
    return text + _python_text(exc, user_dir) + _globals_text(exc, user_dir)


def _learner_frame(exc: BaseException, user_dir: str) -> Any:
    """The innermost traceback frame of ``exc`` in the learner's file (under
    ``user_dir``, not numpynn's), or None."""
    found, tb = None, exc.__traceback__
    while tb is not None:
        name = os.path.abspath(tb.tb_frame.f_code.co_filename)
        if user_dir and name.startswith(user_dir + os.sep) and (
                "numpynn" + os.sep not in name[len(user_dir):]):
            found = tb.tb_frame
        tb = tb.tb_next
    return found


def _line_arrays(exc: BaseException, user_dir: str) -> list[tuple[str, tuple[int, ...]]]:
    """The arrays the learner's raising line names (its local or global variables), with
    their shapes: a matmul's error (``A @ B``) does not show them."""
    frame = _learner_frame(exc, user_dir)
    if frame is None:
        return []
    seen: list[tuple[str, tuple[int, ...]]] = []
    for name in dict.fromkeys(re.findall(r"(?<![\w.])[A-Za-z_]\w*",
                                         _learner_source_line(exc, user_dir))):
        value = frame.f_locals.get(name, frame.f_globals.get(name))
        if isinstance(value, np.ndarray) and value.ndim:
            seen.append((name, tuple(int(d) for d in value.shape)))
    return seen


def _learner_source_line(exc: BaseException, user_dir: str) -> str:
    """The text of the learner's line that raised ``exc`` ('' when unknown)."""
    tb = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in tb if user_dir and os.path.abspath(f.filename).startswith(
        user_dir + os.sep)]
    return (mine[-1].line or "") if mine else ""


#: Python 2's builtins that older course code uses, and what Python 3 writes instead
PYTHON2_NAMES: dict[str, str] = {
    "xrange": "range (for i in range(N))", "raw_input": "input", "unicode": "str",
    "basestring": "str", "long": "int", "unichr": "chr",
    "reduce": "functools.reduce (import functools)", "cPickle": "pickle (import pickle)",
    "izip": "zip", "imap": "map"}
#: those :func:`python2_shims` provides as ``past.builtins``
PAST_BUILTINS = ("xrange", "raw_input", "unicode", "basestring", "long", "reduce")
#: Python 2's dict methods, and Python 3's
PYTHON2_METHODS: dict[str, str] = {
    "iteritems": "items()", "itervalues": "values()", "iterkeys": "keys()",
    "has_key": "key in d"}


def _python_text(exc: BaseException, user_dir: str) -> str:
    """What an error that Python 3 raises on Python 2 code, or on a float where an integer
    is needed, means: ``d.iteritems()``; ``Ho = 1 + (H - HH) / stride`` (a float in Python
    3) used as a size, a range or an index."""
    if isinstance(exc, AttributeError):
        method = "".join(re.findall(r"has no attribute '(\w+)'", str(exc))[:1])
        if method in PYTHON2_METHODS:
            return (f"; .{method} is Python 2's (the course's older code): Python 3's dict "
                    f"has {PYTHON2_METHODS[method]} instead")
        return ""
    message = str(exc)
    if not (isinstance(exc, (TypeError, IndexError)) and (
            "'float' object cannot be interpreted as an integer" in message
            or "slice indices must be integers" in message
            or "only integers, slices" in message
            or "expected a sequence of integers or a single integer, got" in message)):
        return ""
    frame = _learner_frame(exc, user_dir)
    floats = []
    if frame is not None:
        for name in dict.fromkeys(re.findall(r"(?<![\w.])[A-Za-z_]\w*",
                                             _learner_source_line(exc, user_dir))):
            value = frame.f_locals.get(name, frame.f_globals.get(name))
            if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
                floats.append(f"{name} = {value!r}")
    return ("; a float is used where an integer is needed (a size, a range or an index)"
            + (f": on that line {', '.join(floats[:4])}" if floats else "")
            + ". In Python 3, / always gives a float (5 / 1 = 5.0): compute sizes with "
            "integer division, Ho = 1 + (H + 2 * pad - HH) // stride, or int(...)")


def _globals_text(exc: BaseException, user_dir: str) -> str:
    """What a learner's function raising ``exc`` reads from the file's top level, or
    cannot find at all: a batch size or class count (``N``, ``C``) defined in the notebook
    or beside the function, not computed from the function's own inputs."""
    if isinstance(exc, NameError) and not isinstance(exc, UnboundLocalError):
        name = getattr(exc, "name", None) or "".join(re.findall(r"name '(\w+)'", str(exc))[:1])
        if name in PYTHON2_NAMES:
            return (f"; {name} is Python 2's (the course's older code), which Python 3 does "
                    f"not have: write {PYTHON2_NAMES[name]}, or import it at the top of the "
                    "file as the course's starter code does (from past.builtins import "
                    f"{name}; numpynn provides that module when the package future is not "
                    "installed)" if name in PAST_BUILTINS else
                    f"; {name} is Python 2's (the course's older code), which Python 3 does "
                    f"not have: write {PYTHON2_NAMES[name]}")
        if name:
            return (f"; {name} is not defined in the function or the file: a variable of the "
                    "notebook, or a local variable of another function, is not seen here. "
                    f"Compute it inside the function from its inputs (e.g. N = x.shape[0], "
                    "C = x.shape[1])")
        return ""
    frame = _learner_frame(exc, user_dir)
    if frame is None or frame.f_code.co_name == "<module>":
        return ""
    code = frame.f_code
    sizes = {d for a in code.co_varnames[:code.co_argcount]
             for d in np.shape(frame.f_locals.get(a)) or ()}  # the inputs' dimensions
    # whole numbers read from the top level that no input's dimension is: a batch size or
    # class count of the notebook (a constant like EPS = 1e-8, or a size that matches its
    # inputs, is not the cause)
    read = [(n, frame.f_globals[n]) for n in code.co_names
            if n in frame.f_globals and not n.startswith("__")
            and isinstance(frame.f_globals[n], (int, np.integer))
            and not isinstance(frame.f_globals[n], bool)
            and frame.f_globals[n] > 1 and frame.f_globals[n] not in sizes]
    if not read:
        return ""
    shown = ", ".join(f"{n} = {v!r}" for n, v in read[:3])
    return (f"; {frame.f_code.co_name} reads {shown} from the file's top level (a global), "
            "not from its own inputs: the check calls it with other sizes (as the Solver's "
            "last batch, or a test batch, does); compute them from the arguments (N = "
            "x.shape[0])")


class _LearnerInterrupt(Exception):  # noqa: N818 - carries a KeyboardInterrupt as its cause
    """A KeyboardInterrupt raised while the learner's code ran in a disposable process."""


def check_module(module: ModuleType, seed: int = 0, timing: bool = True,
                 on_call: Callable[[str], None] | None = None,
                 isolated: bool = False) -> FileCheck:
    """Check every CS231n-named layer, loss and model class that ``module`` defines
    (module docstring).

    A function that raises (``SystemExit`` from ``sys.exit`` included) is recorded in
    ``errors`` with the learner's file and line, and the others are still checked; a
    function that returns None (the course's unfinished stub) is listed in
    ``not_implemented``; a forward without its backward (or the reverse), or one that does
    not take CS231n's arguments (a TypeError on the first call), is listed in ``skipped``.
    timing: time batchnorm_backward against batchnorm_backward_alt when both exist.
    on_call: called with each check's title before the learner's code runs in it.
    isolated: a KeyboardInterrupt from the learner's code is a FAIL, not a stop
    (:func:`_user_call`; only for a process of its own, as the CLI runs it).
    """
    result = FileCheck()
    user_dir = _user_root(module)
    functions = _functions(module)

    def call(title: str, fn: Callable[[], Any]) -> Any:
        return _user_call(result, title, user_dir, fn, on_call, isolated)

    for name, spec in _layer_specs().items():
        pair = _forward_and_backwards(functions, f"{name}_forward",
                                      [f"{name}_backward", *COURSE[name].alt_backwards], result)
        if pair is None:
            continue
        fwd, found = pair
        skipped = len(result.skipped)
        for bwd_name, bwd in found:
            reports = call(f"{name}_forward / {bwd_name}",
                           lambda name=name, spec=spec, fwd=fwd, bwd=bwd, bwd_name=bwd_name:
                           _layer_checks(name, spec, fwd, bwd, bwd_name, seed))
            result.reports += reports or []
            if len(result.skipped) > skipped:
                break
        if len(result.skipped) > skipped or f"{name}_forward" in result.not_implemented:
            continue
        if name in BEHAVIOUR:
            report = call(f"{name}_forward (train/test mode)",
                          lambda fwd=fwd, name=name: BEHAVIOUR[name](fwd, seed))
            if report is not None:
                result.reports.append(report)
        pair = dict(found)
        if name == "batchnorm" and timing and len(pair) == 2 and not set(pair) & set(
                result.not_implemented):
            both = call("batchnorm_backward vs batchnorm_backward_alt",
                        lambda fwd=fwd, pair=pair: compare_backwards(
                            fwd, pair["batchnorm_backward"], pair["batchnorm_backward_alt"],
                            seed))
            if both is not None:
                result.reports.append(both[0])
                result.notes.append(both[1])
    for fwd_name, (back_names, spec) in CNN_FUNCTIONS.items():
        pair = _forward_and_backwards(functions, fwd_name, list(back_names), result)
        if pair is None:
            continue
        fwd, found = pair
        for bwd_name, bwd in found:
            first = call(f"{fwd_name} / {bwd_name}",
                         lambda spec=spec, fwd=fwd, bwd=bwd, bwd_name=bwd_name,
                         fwd_name=fwd_name: _layer_checks(fwd_name, spec, fwd, bwd, bwd_name,
                                                          seed, fwd_name))
            result.reports += first or []
            if first is None or fwd_name not in CNN_SECOND or any(
                    r.verdict == FAIL for r in first):  # the second check is for code that
                continue  # passes the first (its parameters written as constants)
            label, second = CNN_SECOND[fwd_name]
            reports = call(f"{fwd_name} / {bwd_name} with {label}",
                           lambda second=second, fwd=fwd, bwd=bwd, bwd_name=bwd_name,
                           fwd_name=fwd_name: _layer_checks(fwd_name, second, fwd, bwd,
                                                            bwd_name, seed, fwd_name))
            for report in reports or []:
                report.title = report.title.replace(":", f" with {label}:", 1)
                report.rows = [dataclasses.replace(row, kind="param dict", kind_text=(
                    (row.kind_text.rstrip(". ") + "; " if row.kind == "forward" else "")
                    + f"it passes with {_CNN_FIRST[fwd_name]} and fails with {label}: "
                    + (_GROUPS_TEXT if "groupnorm" in fwd_name else
                       "read every parameter from the dict ("
                       + ("stride = conv_param['stride'], pad = conv_param['pad']"
                          if "conv" in fwd_name else "pool_height, pool_width and "
                          "stride from pool_param") + ") in the forward and the "
                       "backward pass, not as constants"))) if row.verdict == FAIL
                    and row.kind not in ("in place", "random loss", "not finite")
                    else row for row in report.rows]
            result.reports += reports or []
            if fwd_name not in CNN_THIRD or any(r.verdict == FAIL for r in reports or [1]):
                continue  # the third check too is for code that passes the ones before
            label, third, kind, text = CNN_THIRD[fwd_name]
            reports = call(f"{fwd_name} / {bwd_name} with {label}",
                           lambda third=third, fwd=fwd, bwd=bwd, bwd_name=bwd_name,
                           fwd_name=fwd_name: _third_check(fwd_name, third, fwd, bwd,
                                                           bwd_name, seed))
            for report in reports or []:
                report.title = report.title.replace(":", f" with {label}:", 1)
                report.rows = [dataclasses.replace(row, kind=kind, kind_text=(
                    (row.kind_text.rstrip(". ") + "; " if row.kind == "shape" else "")
                    + f"it passes with {_CNN_FIRST[fwd_name]} and {CNN_SECOND[fwd_name][0]} "
                    f"and fails with {label}: {text}")) if row.verdict == FAIL
                    and row.kind not in ("in place", "random loss", "not finite")
                    else row for row in report.rows]
            result.reports += reports or []
            if fwd_name not in CNN_FOURTH or any(r.verdict == FAIL for r in reports or [1]):
                continue  # the fourth too: non-square shapes, for code square ones pass
            label, fourth = CNN_FOURTH[fwd_name]
            reports = call(f"{fwd_name} / {bwd_name} with {label}",
                           lambda fourth=fourth, fwd=fwd, bwd=bwd, bwd_name=bwd_name,
                           fwd_name=fwd_name, label=label: _fourth_check(
                               fwd_name, fourth, fwd, bwd, bwd_name, seed, label, user_dir))
            result.reports += reports or []
    for fwd_name, rec in RECURRENT.items():
        pair = _forward_and_backwards(functions, fwd_name, [rec.backward], result)
        if pair is None or not pair[1]:
            continue
        fwd, bwd = rec.pair(pair[0], pair[1][0][1])
        reports = call(f"{fwd_name} / {rec.backward}", lambda rec=rec, fwd=fwd, bwd=bwd,
                       fwd_name=fwd_name: _recurrent_checks(fwd_name, rec, fwd, bwd, seed))
        result.reports += reports or []
    known = ({f"{name}_forward" for name in _layer_specs()} | set(CNN_FUNCTIONS)
             | set(RECURRENT))
    for fwd_name in sorted(n for n in dir(functions) if n.endswith("_forward")
                           and n not in known and callable(getattr(functions, n, None))):
        base = fwd_name.removesuffix("_forward")  # a layer of the learner's own naming
        found = [(b, getattr(functions, b)) for b in (f"{base}_backward", f"{base}_backward_alt")
                 if callable(getattr(functions, b, None))]
        if not found:
            continue
        own = getattr(functions, fwd_name)
        spec, why = _composite_spec(own)
        if spec is not None:  # shapes numpynn guessed: a forward that cannot take them
            why = call(fwd_name, lambda spec=spec, own=own: _composite_refuses(spec, own))
            spec = None if why is None or why else spec
        if spec is None:
            if why is not None:
                result.skipped.append(f"{fwd_name} / {found[0][0]} (not a course layer, and "
                                      f"{why})")
            continue
        for bwd_name, bwd in found:
            reports = call(f"{fwd_name} / {bwd_name}", lambda spec=spec, base=base, fwd=own,
                           bwd=bwd, bwd_name=bwd_name, fwd_name=fwd_name: _layer_checks(
                               base, spec, fwd, bwd, bwd_name, seed, fwd_name)) or []
            steps = _steps_text(own, fwd_name, bwd_name)
            for report in reports:
                if report.verdict == FAIL and steps:
                    report.notes.append(steps)
            result.reports += reports
    for name in LOSSES:
        fn = getattr(functions, name, None)
        if callable(fn):
            result.reports += call(name, lambda fn=fn, name=name: _loss_checks(
                name, fn, seed)) or []
    for name in LINEAR_LOSSES:
        fn = getattr(functions, name, None)
        if callable(fn):
            result.reports += call(name, lambda fn=fn, name=name: _linear_checks(
                name, fn, seed)) or []
    for name in OPTIM_STATE:
        fn = getattr(functions, name, None)
        if callable(fn):
            result.reports += call(name, lambda fn=fn, name=name: _optim_checks(
                name, fn, seed)) or []
    _model_checks(module, result, seed, user_dir, on_call, isolated)
    for cname, cls in sorted(vars(module).items()):
        if (inspect.isclass(cls) and cls.__module__ == module.__name__
                and all(callable(getattr(cls, m, None)) for m in SOLVER_METHODS)):
            report = call(f"{cname}._step", lambda cls=cls: _solver_step(cls, seed))
            if report is not None:
                result.reports.append(report)
            report = call(f"{cname}.train", lambda cls=cls: _solver_train(cls, seed,
                                                                          user_dir))
            if report is not None:
                result.reports.append(report)
    loops: set[Any] = set()
    for cname, cls in sorted(vars(module).items()):
        if not (inspect.isclass(cls) and cls.__module__ == module.__name__
                and all(callable(getattr(cls, m, None)) for m in TRAIN_METHODS)
                and not all(callable(getattr(cls, m, None)) for m in SOLVER_METHODS)
                and cls.train not in loops):
            continue
        try:
            names = set(inspect.signature(cls).parameters)
        except (TypeError, ValueError):
            continue
        check = (_a1_net_train if "input_size" in names else _linear_classifier_train
                 if not names else None)
        if check is not None:
            loops.add(cls.train)  # LinearSVM and Softmax share LinearClassifier's
            report = call(f"{cname}.train", lambda cls=cls, check=check: check(
                cls, seed, user_dir))
            if report is not None:
                result.reports.append(report)
    for net, X, y in ng_networks(module, seed):  # deeplearning.ai's, checked whole
        report = call(repr(net), lambda net=net, X=X, y=y: check_gradients(net, X, y))
        if report is not None:
            sizes = [X.shape[1], *(v.shape[0] for k, v in net.params.items() if k[0] == "W")]
            report.title = (f"{net!r} (deeplearning.ai's network, layer sizes {sizes}, X of "
                            f"shape (D, m) = {X.T.shape}, Y of shape (1, m)): numerical "
                            "gradients of the cost")
            result.reports.append(report)
    nielsen, nets = False, None
    if any(callable(getattr(c, "backprop", None)) for c in vars(module).values()
           if inspect.isclass(c) and c.__module__ == module.__name__):  # built: learner's code
        nets = call("Nielsen's Network([6, 5, 4])", lambda: nielsen_networks(module, seed))
    for cname, net, X, y in nets or []:
        nielsen = True
        if isinstance(net, str):
            result.skipped.append(f"class {cname}: Nielsen's network.py style, and {net}")
            continue
        report = call(repr(net), lambda net=net, X=X, y=y: check_gradients(net, X, y))
        if report is not None:
            report.title = (f"{net!r} (Nielsen's network, sizes {list(NIELSEN_SIZES)}, each "
                            f"of {len(X)} examples a column vector, the mean "
                            + ("of self.cost.fn" if callable(getattr(getattr(
                                net.net, "cost", None), "fn", None)) else
                               "quadratic cost 0.5 ||a - y||^2") + "): numerical gradients")
            result.reports.append(report)
    for names, text in other_styles(module, nielsen):  # said instead of "not checked"
        result.skipped = [s for s in result.skipped if s.split(" ")[0] not in names
                          and not any(s.startswith(f"class {n}:") for n in names)]
        result.styles += [text] if text else []
    return result


def _recurrent_checks(fwd_name: str, rec: Recurrent, fwd: Callable, bwd: Callable,
                      seed: int) -> list[GradCheckReport]:
    """Assignment 3's recurrent pair ``fwd_name`` (:mod:`numpynn.gradcheck.recurrent`)
    against numerical gradients (temporal_softmax_loss's value against the course's too,
    :func:`temporal_loss_value`); a sequence backward that does not carry dprev_h back
    through time names the kind "accumulate"."""
    spec = LayerSpec(rec.names, rec.make)
    reports = _layer_checks(fwd_name, spec, fwd, bwd, rec.backward, seed, fwd_name)
    if fwd_name == "temporal_softmax_loss" and reports:  # a value its gradients cannot show
        value = temporal_loss_value(fwd, seed)
        if value is not None:
            reports.append(value)
    if not any(r.verdict == FAIL for r in reports):
        return reports
    try:  # numpynn's own diagnosis: never the learner's error
        hint = recurrent_hint(fwd_name, fwd, bwd, spec.make(seed), seed)
    except Exception:  # noqa: BLE001 - a learner's return value it cannot read: no hint
        hint = None
    if hint is not None:
        for r in reports:
            r.rows = [dataclasses.replace(row, kind=hint[0], kind_text=hint[1])
                      if row.verdict == FAIL and row.kind not in (
                          "in place", "random loss", "not finite") else row for row in r.rows]
    return reports


def _third_check(fwd_name: str, spec: LayerSpec, fwd: Callable, bwd: Callable,
                 bwd_name: str, seed: int) -> list[GradCheckReport]:
    """:data:`CNN_THIRD`'s check: a gradient of the wrong shape there (an empty
    ``dx_pad[:, :, pad:-pad, pad:-pad]`` at pad 0), from a function that passed the first
    two, is a FAIL row of the third check's kind, not an error."""
    try:
        return _layer_checks(fwd_name, spec, fwd, bwd, bwd_name, seed, fwd_name)
    except ReturnError as exc:
        report = GradCheckReport(title=f"{fwd_name} / {bwd_name}: numerical gradients")
        report.rows.append(GradCheckRow("x", spec.make(seed)[0].shape, float("inf"),
                                        REFERENCE_TOL, FAIL, kind="shape",
                                        kind_text=str(exc)))
        return [report]


#: the param dicts a layer of the learner's own naming may take, by argument name (made
#: fresh per call); ``*bn_param`` and ``*norm_param`` take batch norm's
COMPOSITE_PARAMS: dict[str, Callable[[], Any]] = {
    "bn_param": lambda: {"mode": "train"},
    "ln_param": lambda: {"mode": "train"},
    "gn_param": lambda: {"mode": "train"},
    "norm_param": lambda: {"mode": "train"},
    "dropout_param": lambda: {"mode": "train", "p": 0.7, "seed": 123},
    "conv_param": lambda: dict(_CONV_PARAM),
    "pool_param": lambda: dict(_POOL_PARAM),
}
#: the arrays such a layer may take, in the order their gradients come back
COMPOSITE_ARRAYS = ("x", "w", "b", "gamma", "beta")


def _composite_spec(fwd: Callable) -> tuple[LayerSpec | None, str]:
    """How to call a forward of the learner's own naming (``affine_bn_relu_forward(x, w,
    b, gamma, beta, bn_param)``, ``conv_relu_pool_forward(x, w, b, conv_param,
    pool_param)``) from its arguments' names: its arrays (x, w, b, gamma, beta, in that
    order, the order of the gradients its backward returns) made to fit each other (an
    affine's x (4, 6), w (6, 5); a convolution's x (2, 3, 6, 6), w (3, 3, 3, 3)), and the
    course's param dicts (:data:`COMPOSITE_PARAMS`). (None, why) where an argument is
    none of these."""
    try:
        params = [p for p in inspect.signature(fwd).parameters.values()
                  if p.default is inspect.Parameter.empty
                  and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return None, "its signature cannot be read"
    names = [p.name for p in params]
    arrays = [n for n in names if n in COMPOSITE_ARRAYS]
    dicts = [n for n in names if n not in COMPOSITE_ARRAYS]
    key = {n: next((k for k in COMPOSITE_PARAMS if n == k or n.endswith("_" + k)
                    or (k in ("bn_param", "norm_param") and n.endswith(k))), None)
           for n in dicts}
    unknown = [n for n, k in key.items() if k is None]
    if unknown or "x" not in arrays or names[:len(arrays)] != arrays or not (
            set(arrays) <= {"x", "w", "b"} or set(arrays) == set(COMPOSITE_ARRAYS)):
        return None, (f"its arguments ({', '.join(names)}) are not ones numpynn can make up: "
                      "the arrays x, w, b (gamma, beta) first, then the course's param "
                      "dicts (bn_param, ln_param, dropout_param, conv_param, pool_param)")
    spatial = any(key[n] in ("conv_param", "pool_param") for n in dicts)
    conv = "conv_param" in key.values()
    width = 3 if spatial else 5  # F filters, or M features after the affine

    def make(seed: int) -> list[np.ndarray]:
        shapes = {"x": (2, 3, 6, 6) if spatial else (4, 6),
                  "w": (3, 3, 3, 3) if conv else (6, 5),
                  "b": (width,), "gamma": (width,), "beta": (width,)}
        drawn = {n: _draw(seed, f"{n}_composite", shapes[n]) for n in arrays}
        if "x" in drawn and spatial and not conv:  # a pool alone: distinct values
            drawn["x"] = 0.1 * stream(seed, "x_composite").permutation(
                2 * 3 * 6 * 6).reshape(2, 3, 6, 6) - 5.0
        if "gamma" in drawn:
            drawn["gamma"] = 1 + 0.5 * drawn["gamma"]
        return [drawn[n] for n in arrays]

    return LayerSpec(tuple(arrays), make, lambda: tuple(COMPOSITE_PARAMS[key[n]]()
                                                        for n in dicts)), ""


def _composite_refuses(spec: LayerSpec, fwd: Callable) -> str:
    """Why a forward of the learner's own naming cannot run on the arrays numpynn made up
    for it (an error its first call raises: it expects other shapes, as assignment 3's
    ``temporal_affine_forward(x, w, b)`` an x of (N, T, D)), or "" where it runs."""
    inputs = spec.make(0)
    try:
        fwd(*[a.copy() for a in inputs], *spec.extra())
    except Exception as exc:  # noqa: BLE001 - numpynn's guess of the shapes, not a bug
        shapes = ", ".join(f"{n} {a.shape}" for n, a in zip(spec.names, inputs))
        return (f"on the arrays numpynn made up for its arguments ({shapes}) it raised "
                f"{type(exc).__name__}: it takes other shapes, which numpynn cannot guess")
    return ""


def _steps_text(fwd: Callable, fwd_name: str, bwd_name: str) -> str:
    """For a layer made of steps (a forward calling other ``*_forward`` functions), what its
    backward must do: the steps' backwards in reverse order, each on the gradient the one
    after it returned; "" where the forward's source shows no steps."""
    try:
        source = inspect.getsource(fwd)
    except (OSError, TypeError):
        return ""
    steps = [m for m in dict.fromkeys(re.findall(r"\b(\w+_forward\w*)\s*\(", source))
             if m != fwd_name]
    if len(steps) < 2:
        return ""
    back = [m.replace("_forward", "_backward", 1) for m in reversed(steps)]
    return (f"{fwd_name} calls {', '.join(steps)}: {bwd_name} must "
            f"call {', '.join(back)} in that order, each on the gradient the call before it "
            "returned for its own input (da = relu_backward(dout, relu_cache); then the "
            "next step's backward on da, not on dout), and return the gradients in the "
            "order of the forward's arguments")


def _fourth_check(fwd_name: str, spec: LayerSpec, fwd: Callable, bwd: Callable,
                  bwd_name: str, seed: int, label: str, user_dir: str
                  ) -> list[GradCheckReport]:
    """:data:`CNN_FOURTH`'s check, of a function that passed the square shapes of the first
    three: every FAIL, a gradient of the wrong shape and an error raised in the learner's
    code alike, is of kind "height and width" (a height used for a width)."""
    title = f"{fwd_name} / {bwd_name} with {label}: numerical gradients"
    first = (f"it passes with square images, filters and windows and fails with {label}: "
             + _HW_TEXT)
    try:
        reports = _layer_checks(fwd_name, spec, fwd, bwd, bwd_name, seed, fwd_name)
    except Exception as exc:  # noqa: BLE001 - the learner's code, on shapes it mixes up
        report = GradCheckReport(title=title)
        report.rows.append(GradCheckRow(
            spec.names[0], spec.make(seed)[0].shape, float("inf"), REFERENCE_TOL, FAIL,
            kind="height and width", kind_text=f"{first}; with these shapes: "
            f"{_error_text(exc, user_dir).rstrip('. ')}"))
        return [report]
    for report in reports:
        report.title = report.title.replace(":", f" with {label}:", 1)
        report.rows = [dataclasses.replace(row, kind="height and width", kind_text=(
            (row.kind_text.rstrip(". ") + "; " if row.kind in ("forward", "shape") else "")
            + first)) if row.verdict == FAIL
            and row.kind not in ("in place", "random loss", "not finite")
            else row for row in report.rows]
    return reports


def _functions(module: ModuleType) -> Any:
    """The module's attributes, and where the module has no function of a course name,
    the static (or class) method of that name of a class defined in it (``class Layers:
    @staticmethod def affine_forward(x, w, b)``), when one class alone has it."""
    found: dict[str, list[Any]] = {}
    for cls in vars(module).values():
        if not (inspect.isclass(cls) and cls.__module__ == module.__name__):
            continue
        for key, value in vars(cls).items():
            if isinstance(value, (staticmethod, classmethod)):
                found.setdefault(key, []).append(getattr(cls, key))
    extra = {k: v[0] for k, v in found.items() if len(v) == 1
             and not callable(getattr(module, k, None))}
    return types.SimpleNamespace(**{**extra, **vars(module)}) if extra else module


def _forward_and_backwards(module: Any, fwd_name: str, back_names: list[str],
                           result: Any) -> tuple[Callable, list[tuple[str, Callable]]] | None:
    """The module's forward function ``fwd_name`` and its (name, function) backward passes
    among ``back_names``; None where there is no forward. A backward without its forward,
    or a forward without a backward, is noted in ``result.skipped``."""
    fwd = getattr(module, fwd_name, None)
    found = [(b, getattr(module, b)) for b in back_names if callable(getattr(module, b, None))]
    if not callable(fwd):
        if found:
            result.skipped.append(f"{found[0][0]} (no {fwd_name})")
        return None
    if not found:
        result.skipped.append(f"{fwd_name} (no {back_names[0]})")
    return fwd, found


def _missing(name: str) -> bool:
    """Whether the top-level module ``name`` can be neither found nor is imported."""
    if name in sys.modules:
        return False
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return False


def python2_shims() -> list[str]:
    """Where the package ``future`` is not installed, stand-ins for the Python-2 names the
    course's starter code imports (assignment 1's ``from past.builtins import xrange``,
    ``from future import standard_library``): ``past.builtins`` (xrange = range,
    basestring, unicode = str, long = int, raw_input = input, reduce) and
    ``future.standard_library.install_aliases``, a no-op. Only for a process that checks a
    learner's file (the CLI's child); returns the modules added (none where ``future``
    is installed)."""
    added: list[str] = []
    if _missing("past"):
        past, builtins = types.ModuleType("past"), types.ModuleType("past.builtins")
        builtins.__dict__.update(xrange=range, basestring=str, unicode=str, long=int,
                                 raw_input=input, reduce=functools.reduce)
        past.builtins = builtins  # type: ignore[attr-defined]
        past.__path__ = []  # a package, so that "import past.builtins" works
        sys.modules.update({"past": past, "past.builtins": builtins})
        added += ["past", "past.builtins"]
    if _missing("future"):
        future, library = types.ModuleType("future"), types.ModuleType(
            "future.standard_library")
        library.install_aliases = lambda: None  # type: ignore[attr-defined]
        future.standard_library = library  # type: ignore[attr-defined]
        future.__path__ = []
        sys.modules.update({"future": future, "future.standard_library": library})
        added += ["future", "future.standard_library"]
    return added


def _user_root(module: ModuleType) -> str:
    """The folder of the learner's code: the top package's parent folder's package, or
    the module's own folder."""
    file = getattr(module, "__file__", None)
    if not file:
        return ""
    folder = os.path.dirname(os.path.abspath(file))
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder


def _shown(filename: str) -> str:
    """A file name as the learner gave it: relative to the working folder when inside it."""
    path = os.path.abspath(filename)
    here = os.getcwd()
    return os.path.relpath(path, here) if path.startswith(here + os.sep) else filename


def _one_line(exc: BaseException, user_dir: str = "") -> str:
    """``Type: message (line L of FILE)`` with the innermost frame in the learner's code
    (under ``user_dir``), else the innermost frame."""
    tb = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in tb if user_dir and os.path.abspath(f.filename).startswith(
        user_dir + os.sep) and "numpynn" + os.sep not in os.path.abspath(f.filename)[
            len(user_dir):]]
    # numpynn's own complaint about what the learner's code returned has no learner's line
    frame = mine[-1] if mine else (tb[-1] if tb and not user_dir else None)
    where = f" (line {frame.lineno} of {_shown(frame.filename)})" if frame else ""
    if isinstance(exc, SystemExit):
        return (f"SystemExit({exc.code!r}): the code called sys.exit() or exit(){where}; "
                "a layer must return its results, not end the program")
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}{where}"
