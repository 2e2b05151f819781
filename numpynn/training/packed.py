"""Packed training: K networks of one architecture trained together, one step for all.

A 64-100-10 network on 32-row batches spends most of a step in Python and in NumPy's
per-call overhead, not in arithmetic. :func:`train_packed` trains K such networks with
the calls of one step: every parameter of every model lives in one array ``flat``
(K, P) (model k's ``W1`` is the view ``W1[k]`` of a (K, D, H1) view of it), activations
are (K, b, H) arrays, each affine layer is one stacked multiply
(``np.matmul`` of (K, b, H) by (K, H, H2)), the loss and its gradient are vectorised
over K, and the optimiser update is one set of ufunc calls over ``flat`` with per-model
hyper-parameters as (K, 1) columns.

What each model keeps of its own (as :class:`numpynn.training.trainer.Trainer` would give it):
initial weights (its own ``seed``), L2 strength (``model.reg``), optimiser and its state
(SGD, momentum, Nesterov, RMSprop, Adam: models with different optimisers may share a
pack), learning rate and schedule, dropout stream (``model.rng``), shuffling order and
evaluation subset (``config.seed``), epochs, patience, ``select``/``keep_best``, and its
:class:`~numpynn.training.trainer.History`. A model trained here ends equal, to rounding, to the
same model trained alone by ``Trainer(model, X, y, X_val, y_val, config=config)``:
the arithmetic is the same, only its rounding differs (stacked multiplies, vectorised
updates instead of the engine's fused ones). tests/unit/training/test_packed.py asserts
float64 within 1e-10 relative (measured about 1e-14 after 30 steps) and float32 within
1e-4 (measured about 4e-6), with the same epochs, kept epoch, stop reason and validation accuracy.

The batches: each model draws its own permutation per epoch, as the Trainer does. When
all of them drew the same order (same ``config.seed``: an ensemble, or a search that
shares its data order), the step gathers one batch x (b, D) and the first layer is
``np.matmul([x, 1], [W1; b1])`` broadcast over K (W1 and b1 are stored as one (D + 1, H)
matrix and the batch gets a column of ones, so the multiply adds the bias and
``[dW1; db1] = [x, 1]^T dH1`` gives the bias gradient); otherwise it gathers (K, b, D).
A search whose trials have their own seeds (``numpynn.search`` gives each trial one)
therefore packs with the second, equally exact path.

Measured on the development machine (2 vCPUs, AVX-512, OpenBLAS; K=16, b=32, D=64, H=100,
float32): the block layout ``x @ [W1_1 ... W1_K]`` (one (b, D) x (D, K*H) GEMM) took
75 us single-threaded and 380-580 us when OpenBLAS threads it on a shared machine, the
stacked ``np.matmul`` 62-92 us (its per-model GEMMs are too small to be threaded), so the
steps use the stacked layout. The per-epoch evaluation runs each model's own forward
(see :func:`_evaluate` for why).

Two cores: a pack's steps are one thread (a second thread waits for the interpreter's lock);
where the caller allows BLAS two threads, the per-epoch evaluation shares its chunks of
rows with a second thread (:func:`_two_eval_threads`), and a pack with enough work trains
half its members in a forked child process (:mod:`numpynn.training.forked`).

Each model's own rows (:class:`MemberRows`: the folds of a cross-validation): a model may
train on its own rows of the shared X, with its own targets (a regression's target
standardised on its fold) and its own validation rows; the batches are then gathered
per model, (K, b, D), and the per-epoch figures of models with as many rows are computed
in one stacked forward. Models with as many training rows pack together (a step gathers
b rows for each of them, so their epochs have the same steps).

Supported layers: affine, the elementwise activations (every registered layer with an
``init_scheme``: relu, leaky_relu, elu, gelu, tanh, sigmoid, identity) and dropout; the
loss softmax cross-entropy (y: (N,) class indices) or squared error (a regression's; y:
(N, C) targets, scored by R^2 as the Trainer scores it). Batch and layer normalisation,
other layers and other losses are refused with an error naming them (train those with the
Trainer). Not
supported either: sample weights, callbacks and checkpoints (a pack trains in one call).

Divergence: where the Trainer raises :class:`~numpynn.errors.DivergenceError`, a packed
model stops alone: its parameters go back to the last good epoch (as the Trainer leaves
them), its ``History.stop_reason`` starts with ``"diverged"``, and the others go on.

Memory: :func:`max_pack` says how many models fit a byte budget; :func:`train_packed`
trains more models than that as several packs, one after another.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..denormals import flush_denormals
from ..errors import InputError
from ..evaluation import r2_from_sums
from ..layers import Affine, Dropout, Kernel, Layer, keep_mask
from ..losses import SoftmaxCrossEntropy, SquaredError
from ..memory import physical_memory
from ..models import Network
from ..validation import SEED_MAX, check_features
from . import forked
from .blas import blas
from .engine import faithful_kernel
from .schedules import Schedule
from .scores import BALANCED_ACCURACY, class_score, model_score_name, score_label
from .trainer import (
    DIVERGENCE_GROWTH,
    NO_VALIDATION_RULE,
    History,
    TrainConfig,
    resolve_select,
    select_rule,
)

__all__ = ["DEFAULT_BUDGET", "MemberRows", "max_pack", "pack_bytes", "train_packed"]

#: Default memory budget of one pack, in bytes (also at most a quarter of physical memory).
DEFAULT_BUDGET = 1 << 30

#: Optimiser state slots per update rule (numpynn.training.optim's names).
_SLOTS: dict[str, tuple[str, ...]] = {
    "sgd": (), "momentum": ("v",), "nesterov": ("v",), "rmsprop": ("cache",),
    "adam": ("m", "v"),
}

#: Affine layers after the first whose width is at most this store their weights W (d, h)
#: transposed, as (h, d) rows (``model.params`` then holds a transposed view while packed):
#: the stacked multiplies of a narrow layer are faster with W^T contiguous (K=16, b=32,
#: 100 -> 10: forward, delta W^T and dW 16, 20, 16 us against 24, 27, 28).
TRANSPOSE_WIDTH = 32

#: The shortest rows (parameters of one model) that a per-row hyper-parameter (a grid's
#: learning rates, its L2 values) updates with one BLAS pass per row rather than two
#: NumPy passes over the (k, P) block with a (k, 1) column: a call per row costs 1-3 us,
#: so short rows (6 models of 64-100-10: 4,810) are faster the NumPy way; 6 of 64-512-10
#: (38,410) went from 57 to 37 us (measured, round 16).
ROW_PASS_MIN = 16_384

#: Per update rule: the (x, y) pairs its one-pass updates ``y = alpha x + beta y`` use
#: (``w`` parameters, ``g`` gradients, ``s`` scratch, state slots by name).
_ONE_PASS: dict[str, tuple[tuple[str, str], ...]] = {
    "sgd": (("g", "w"),), "momentum": (("g", "v"), ("v", "w")), "nesterov": (),
    "rmsprop": (("s", "cache"),), "adam": (("g", "m"), ("s", "v"), ("s", "w")),
}


# ------------------------------------------------------------------------ architecture


def _layer_kind(layer: Layer, width: int) -> str:
    """``"affine"``, ``"activation"`` or ``"dropout"``; InputError for anything else."""
    if type(layer) is Affine:
        return "affine"
    if type(layer) is Dropout:
        return "dropout"
    if (layer.init_scheme is not None and not layer.random
            and not layer.param_specs(width) and not layer.buffer_specs(width)
            and layer.output_dim(width) == width):
        return "activation"  # elementwise: it may run on (K * b, H) at once
    raise InputError(
        f"packed training does not support the layer {layer!r} (it supports affine, the "
        f"elementwise activations and dropout); train this model with numpynn.Trainer.")


def _check_architecture(models: Sequence[Network]) -> list[str]:
    """The layer kinds of the shared architecture; InputError if the models differ or use
    what packing does not support."""
    if isinstance(models, Network) or not isinstance(models, Sequence) or not models:
        raise InputError(f"models must be a non-empty list of numpynn networks; got "
                         f"{models!r:.80}")
    for i, m in enumerate(models):
        if not isinstance(m, Network) or type(m).loss is not Network.loss or (
                "loss" in vars(m)):
            raise InputError(f"models[{i}] must be a numpynn Network (MLP) whose loss is not "
                             f"overridden; got {type(m).__name__}.")
    if len({id(m) for m in models}) != len(models):
        raise InputError("models holds the same network object twice; pass distinct models.")
    first = models[0]
    if type(first.loss_fn) not in (SoftmaxCrossEntropy, SquaredError):
        raise InputError(f"packed training supports the softmax and squared-error losses "
                         f"only; the models use {first.loss_fn.name!r}: train them with "
                         "numpynn.Trainer.")
    free = ("reg", "weight_scale")  # per model: L2 strength and initial scale
    shape = {k: v for k, v in first.config().items() if k not in free}
    for i, m in enumerate(models[1:], 1):
        other = {k: v for k, v in m.config().items() if k not in free}
        if other != shape:
            diff = sorted(k for k in shape.keys() | other.keys()
                          if shape.get(k) != other.get(k))
            raise InputError(f"models[{i}] differs from models[0] in {diff}: a pack shares "
                             "one architecture, activation, dropout and dtype (only reg, the "
                             "initial weights and the training configuration may differ).")
    kinds = [_layer_kind(layer, d) for layer, d in zip(first.layers, first.dims)]
    if kinds[0] != "affine":
        raise InputError(f"packed training needs a network that starts with an affine layer; "
                         f"the first layer is {first.layers[0]!r}.")
    return kinds


# ------------------------------------------------------------------------ memory


def pack_bytes(model: Network, batch_size: int, k: int = 1) -> int:
    """Bytes a pack of ``k`` models shaped like ``model`` holds while training on batches
    of ``batch_size`` rows (an estimate, a little above what is allocated).

    Per model: the parameters P eight times (packed values, gradients, scratch, up to two
    optimiser moments, the last good and the best copies, the model's own arrays) and the
    workspaces of a batch: for each layer of width H, b x H for the output, the input
    gradient and up to two of a kernel's scratch arrays (activation derivative or dropout
    mask; ReLU's array of zeros), plus the gathered batch b x D and b x (D + 1) (the batch
    with a column of ones that the first layer multiplies).
    """
    if not isinstance(model, Network):
        raise InputError(f"model must be a numpynn Network; got {type(model).__name__}.")
    for name, value in (("batch_size", batch_size), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(f"{name} must be a positive integer; got {value!r}.")
    item = model.dtype.itemsize
    params = model.num_parameters()
    widths = sum(model.dims[1:])
    per_model = 8 * params * item + int(batch_size) * (
        4 * widths + 2 * model.input_dim + 1) * item
    return int(k) * per_model


def max_pack(model: Network, batch_size: int, budget: int | None = None) -> int:
    """How many models shaped like ``model`` one pack may hold within ``budget`` bytes
    (default :data:`DEFAULT_BUDGET`, at most a quarter of physical memory), by
    :func:`pack_bytes`. At least 1: a model that alone exceeds the budget trains alone."""
    if budget is None:
        total = physical_memory()
        budget = DEFAULT_BUDGET if total is None else min(DEFAULT_BUDGET, total // 4)
    elif isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise InputError(f"budget must be a positive number of bytes; got {budget!r}.")
    return max(1, int(budget) // pack_bytes(model, batch_size, 1))


# ------------------------------------------------------------------------ members


@dataclass(frozen=True)
class MemberRows:
    """One model's own part of the shared rows, e.g. a fold of cross-validation.

    train: (N_k,) row indices of ``X_train``: the model trains on ``X_train[train]`` (in
    this order, as a Trainer given those rows would); val: (N_v,) row indices of
    ``X_train`` it is validated on (None: the shared ``X_val``/``y_val``, if any); y: its
    own targets of every row of ``X_train``, (N,) or (N, C) (None: the shared
    ``y_train``), e.g. a regression's target standardised on its own rows.
    """

    train: np.ndarray
    val: np.ndarray | None = None
    y: np.ndarray | None = None


@dataclass
class _Member:
    """One model and everything the Trainer would keep for it."""

    model: Network
    config: TrainConfig
    rule: str
    hyper: dict[str, Any]
    schedule: Schedule
    rng: np.random.Generator
    eval_idx: np.ndarray | None
    lr: float
    history: History = field(default_factory=History)
    t: int = 0  # optimiser steps taken
    state: dict[str, np.ndarray] = field(default_factory=dict)  # slot -> (P,)
    epoch: int = 0
    best_val_acc: float = -math.inf
    best_val_loss: float = math.inf
    best_state: dict[str, np.ndarray] | None = None
    good_state: dict[str, np.ndarray] = field(default_factory=dict)
    bad_epochs: int = 0
    done: bool = False
    diverged: bool = False
    order: np.ndarray | None = None  # this epoch's permutation (rows of the shared X)
    rows: np.ndarray | None = None  # the rows of X it trains on (None: all)
    y: np.ndarray | None = None  # its own targets of every row of X (None: the shared ones)
    val: tuple[np.ndarray, np.ndarray] | None = None  # its validation set (None: shared)
    eval_rows: np.ndarray | None = None  # rows of X its training figures are computed on
    units: Callable[[np.ndarray], np.ndarray] | None = None  # R^2's units (train_packed)
    ref: float = math.nan  # the loss of predicting nothing on its rows (divergence rule)


def _member(model: Network, config: TrainConfig, n_train: int) -> _Member:
    """Seeds, subsets, optimiser and schedule exactly as ``Trainer.__init__`` makes them."""
    if config.seed is None:
        config.seed = int(np.random.SeedSequence().entropy % (SEED_MAX + 1))
    train_seq, eval_seq = np.random.SeedSequence(config.seed).spawn(2)
    k = config.eval_samples
    eval_idx = (np.sort(np.random.default_rng(eval_seq).choice(n_train, k, replace=False))
                if k and k < n_train else None)  # rows of the member's own training rows
    optimizer = config.make_optimizer()
    schedule = config.make_schedule()
    return _Member(model=model, config=config, rule=optimizer.name,
                   hyper=optimizer.state_dict()["hyper"], schedule=schedule,
                   rng=np.random.default_rng(train_seq), eval_idx=eval_idx, lr=optimizer.lr,
                   good_state={key: v.copy() for key, v in model.params.items()})


# ------------------------------------------------------------------------ the pack


def _axpby_cols(x: np.ndarray, y: np.ndarray, s: np.ndarray, alpha_col: np.ndarray,
                beta_col: np.ndarray) -> None:
    """``y = alpha x + beta y`` with per-model (k, 1) columns alpha, beta over (k, P) rows
    (three passes; ``s`` is scratch and may be ``x``)."""
    np.multiply(y, beta_col, out=y)
    np.multiply(x, alpha_col, out=s)
    np.add(y, s, out=y)


class _Pack:
    """K members' parameters, gradients, optimiser state and workspaces, packed.

    flat, grad: (K, P); ``params[key]``/``grads[key]``: (K, *shape) views of them. While
    the pack lives, ``member.model.params[key]`` is ``params[key][k]`` (so the model's own
    ``forward`` evaluates it); :meth:`release` copies the values back into the model's
    own arrays and the optimiser state into the member.
    """

    def __init__(self, members: list[_Member], kinds: list[str], capacity: int) -> None:
        self.members = members
        model = members[0].model
        self.kinds, self.dims, self.dtype = kinds, model.dims, model.dtype
        self.squared = type(model.loss_fn) is SquaredError  # else softmax cross-entropy
        self.balanced = members[0].history.score_name == BALANCED_ACCURACY
        K, dt = len(members), model.dtype
        # the L2-penalised arrays first: their block [:, :Pd] of each row is contiguous;
        # the first layer's W last of them, its bias b next: [W; b] is one (D + 1, H)
        # matrix, so the first layer's multiply adds the bias (a column of ones appended to
        # the batch) and the gradient's multiply gives db (see _Pack.forward)
        decay = set(model.decay_keys)
        w1, b1 = model.keys[0]["W"], model.keys[0]["b"]
        self.keys = ([k for k in model.params if k in decay and k != w1] + [w1, b1]
                     + [k for k in model.params if k not in decay and k != b1])
        if w1 not in decay:
            raise RuntimeError("packed training expects the first layer's W to be L2-penalised")
        self.shapes = {key: model.params[key].shape for key in self.keys}
        # narrow layers after the first store W (d, h) as W^T (h, d) (see TRANSPOSE_WIDTH)
        self.tkeys = {model.keys[i]["W"] for i, kind in enumerate(kinds)
                      if kind == "affine" and i > 0 and model.dims[i + 1] <= TRANSPOSE_WIDTH}
        offsets, P = {}, 0
        for key in self.keys:
            offsets[key] = P
            P += model.params[key].size
        self.offsets = offsets
        self.Pd = sum(model.params[k].size for k in decay)
        self.flat = np.empty((K, P), dt)
        self.grad = np.empty((K, P), dt)
        self.scratch = np.empty((K, P), dt)

        def views(a: np.ndarray) -> dict[str, np.ndarray]:
            out = {}
            for key, o in offsets.items():
                shape, n = self.shapes[key], math.prod(self.shapes[key])
                out[key] = (a[:, o : o + n].reshape(K, shape[1], shape[0]).transpose(0, 2, 1)
                            if key in self.tkeys else a[:, o : o + n].reshape(K, *shape))
            return out

        self.params, self.grads = views(self.flat), views(self.grad)
        # each member's last good epoch (the divergence rule's state) in one array, so an
        # epoch's end copies it in one pass (16 digits-sized models: 64 copies took 0.7 ms)
        self.good = np.empty((K, P), dt)
        good = views(self.good)
        self.own: list[dict[str, np.ndarray]] = []  # each model's own arrays
        for k, m in enumerate(members):
            self.own.append(dict(m.model.params))
            for key in self.keys:
                self.params[key][k] = m.model.params[key]
                m.model.params[key] = self.params[key][k]
                good[key][k] = m.good_state[key]
                m.good_state[key] = good[key][k]
        regs = np.array([m.model.reg for m in members])
        self.regs = regs
        self.regcol = regs[:, None].astype(dt) if regs.any() and self.Pd else None
        self.half_regs = 0.5 * regs
        wd = self.flat[:, : self.Pd]  # the penalised block of every row
        self.wd, self.wd_row, self.wd_col = wd, wd[:, None, :], wd[:, :, None]
        self.gd, self.sd = self.grad[:, : self.Pd], self.scratch[:, : self.Pd]
        lib = blas()
        self._blas = lib if lib.available else None
        self._reg_pass = self._one_reg_pass(regs)
        # optimiser steps: members that start together step together, so one count
        self.t = members[0].t
        self.eval_split = False  # the evaluation's chunks shared with a second thread
        if any(m.t != self.t for m in members):
            raise RuntimeError("members of one pack must have taken the same number of steps")
        self._groups(members, P)
        self._workspaces(model, K, capacity)

    def _one_reg_pass(self, regs: np.ndarray) -> Callable[[], None] | None:
        """Where BLAS is there: ``dW += reg W`` in one pass. Where every model has one L2
        strength (an ensemble): one BLAS pass over the whole of grad (K, P), the gradients
        of the unpenalised entries (K, P - Pd) kept aside and put back; for 5 digits-sized
        models 5 us against 8.4 for the two passes over the penalised (K, Pd) blocks (which
        are not one contiguous range). Where they differ (a grid's): one BLAS pass over
        each row's penalised block, for rows of :data:`ROW_PASS_MIN` or more. None
        otherwise (without BLAS, without L2, or short rows of differing L2)."""
        if self.regcol is None or self._blas is None:
            return None
        if not (regs == regs[0]).all():  # a grid's L2 values: one BLAS pass a row
            if self.Pd < ROW_PASS_MIN:
                return None
            rows = [(float(r), self._blas.bind_axpby(w, g))
                    for r, w, g in zip(regs, self.wd, self.gd) if r]

            def each_row() -> None:
                for r, add_row in rows:
                    add_row(r, 1.0)  # grad_k += reg_k W_k, the penalised block

            return each_row
        reg, add = float(regs[0]), self._blas.bind_axpby(self.flat, self.grad)
        kept = self.grad[:, self.Pd :]
        aside = np.empty_like(kept)

        def reg_pass() -> None:
            np.copyto(aside, kept)
            add(reg, 1.0)  # grad += reg flat, every entry
            np.copyto(kept, aside)

        return reg_pass

    def _groups(self, members: list[_Member], P: int) -> None:
        """Rows [a, b) of one update rule (members arrive sorted by rule), their (k, 1)
        hyper-parameter columns and (k, P) state arrays."""
        dt = self.dtype
        self.groups: list[tuple[str, int, int, dict[str, np.ndarray]]] = []
        self.rows: list[SimpleNamespace] = []  # per group: its views, BLAS calls
        a = 0
        while a < len(members):
            rule = members[a].rule
            b = a
            while b < len(members) and members[b].rule == rule:
                b += 1
            state = {slot: np.zeros((b - a, P), dt) for slot in _SLOTS[rule]}
            for i, m in enumerate(members[a:b]):
                for slot, arr in m.state.items():
                    state[slot][i] = arr
            self.groups.append((rule, a, b, state))
            self.rows.append(self._bind(rule, a, b, state))
            a = b
        h64 = {name: np.array([[m.hyper.get(name, 0.0)] for m in members], np.float64)
               for name in ("momentum", "decay_rate", "eps", "beta1", "beta2")}
        self.h64 = h64
        # columns in the parameters' dtype, each computed in float64 first as the
        # optimisers compute their Python-float constants
        self.hyper = {"mu": h64["momentum"], "dr": h64["decay_rate"],
                      "1-dr": 1.0 - h64["decay_rate"], "eps": h64["eps"],
                      "b1": h64["beta1"], "1-b1": 1.0 - h64["beta1"],
                      "b2": h64["beta2"], "1-b2": 1.0 - h64["beta2"]}
        self.hyper = {k: v.astype(dt) for k, v in self.hyper.items()}
        self.set_lr([m.lr for m in members])

    def set_lr(self, lrs: Sequence[float]) -> None:
        self.lr = np.array(lrs, np.float64)[:, None]
        self.lr_dt = self.lr.astype(self.dtype)
        # per group: each hyper-parameter as one number where all its rows agree (else None)
        self.uniform = []
        for _, a, b, _ in self.groups:
            cols = {"lr": self.lr[a:b], **{k: v[a:b] for k, v in self.h64.items()}}
            self.uniform.append({k: float(c[0, 0]) if (c == c[0, 0]).all() else None
                                 for k, c in cols.items()})

    def _workspaces(self, model: Network, K: int, cap: int) -> None:
        """Flat buffers of K * capacity * width; (K, b, width) views of their first
        K * b * width elements are contiguous for any batch b <= capacity."""
        dt, dims = self.dtype, self.dims
        self.cap = cap
        self.out = [np.empty(K * cap * dims[i + 1], dt) for i in range(len(self.kinds))]
        self.dx = [None if i == 0 else np.empty(K * cap * dims[i], dt)
                   for i in range(len(self.kinds))]
        self.kernels: list[Kernel | None] = []
        self.masks: list[np.ndarray | None] = []
        for layer, kind, d in zip(model.layers, self.kinds, dims):
            self.kernels.append(faithful_kernel(layer, d, dt, K * cap)
                                if kind == "activation" else None)
            self.masks.append(np.empty(K * cap * d, dt) if kind == "dropout" else None)
        self.layers = model.layers
        D = model.input_dim
        self.xbuf = np.empty(K * cap * D, dt)
        # batches with a column of ones appended: (n, D + 1) rows of xa_buf
        self.xa_buf = np.empty(K * cap * (D + 1), dt)
        self.xa_buf.reshape(K * cap, D + 1)[:, D] = 1
        self.xa: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # the first layer's [W; b] (K, D + 1, H) and its gradient, views of flat and grad
        H, o = dims[1], self.offsets[model.keys[0]["W"]]
        self.Wb1 = self.flat[:, o : o + (D + 1) * H].reshape(K, D + 1, H)
        self.dWb1 = self.grad[:, o : o + (D + 1) * H].reshape(K, D + 1, H)
        self.label_rows = np.arange(K * cap, dtype=np.intp) * dims[-1]
        self.flat_idx = np.empty(K * cap, np.intp)
        self.rowmax = np.empty(K * cap, dt)
        self.scores_t = np.empty(K * cap * dims[-1], dt)
        self.ones_c = np.ones(dims[-1], dt)
        self.ones_b = np.ones(cap, dt)
        self.rowsum = np.empty(K * cap, dt)
        self.picked = np.empty(K * cap, dt)
        self.views: dict[int, SimpleNamespace] = {}  # batch size -> its views
        keys = model.keys
        # per affine layer: W (K, d, h), b as (K, 1, h), dW, db, W^T (K, h, d): views, and
        # where W is stored as W^T, the (K, h, d) contiguous view of dW^T (else None)
        self.affine = {i: (self.params[keys[i]["W"]], self.params[keys[i]["b"]][:, None, :],
                           self.grads[keys[i]["W"]], self.grads[keys[i]["b"]],
                           self.params[keys[i]["W"]].transpose(0, 2, 1),
                           self.grads[keys[i]["W"]].transpose(0, 2, 1)
                           if keys[i]["W"] in self.tkeys else None)
                       for i, kind in enumerate(self.kinds) if kind == "affine"}

    def batch_buffers(self, shape: tuple[int, ...], y: np.ndarray, contiguous: bool = False
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Views for a gathered batch: x (*shape, D) and targets (*shape,) of class indices
        or (*shape, C) of a regression's (as ``y``); shape is (b,) (one batch for all
        models) or (K, b). x is the first D columns of :meth:`_augmented`'s rows (the
        forward reads it there, no copy), or with ``contiguous`` a C-contiguous array in
        ``xbuf`` (for an augmentation that changes it in place)."""
        n, D = math.prod(shape), self.members[0].model.input_dim
        x = (self.xbuf[: n * D].reshape(*shape, D) if contiguous
             else self._augmented(shape)[1])
        return x, np.empty((*shape, *y.shape[1:]), y.dtype)

    def _augmented(self, shape: tuple[int, ...]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For a batch of shape (b,) or (K, b): xa (*shape, D + 1), the rows of ``xa_buf``
        whose last column is ones, its first D columns (*shape, D) and xa^T (made once)."""
        got = self.xa.get(shape)
        if got is None:
            D = self.members[0].model.input_dim
            xa = self.xa_buf[: math.prod(shape) * (D + 1)].reshape(*shape, D + 1)
            got = self.xa[shape] = (xa, xa[..., :D], np.swapaxes(xa, -1, -2))
        return got

    def _views(self, b: int) -> SimpleNamespace:
        """The workspaces' views for a batch of b rows (made once per batch size): out[i]
        (K, b, width) and out2[i] (K b, width) of each layer's output, dx[i]/dx2[i] of its
        input gradient, masks[i] (K, b, width) of dropout, the loss's (K b,) buffers."""
        K, C, dims = len(self.members), self.dims[-1], self.dims
        n = K * b
        v = SimpleNamespace(out=[], out2=[], outT=[], dx=[], dx2=[], masks=[])
        for i in range(len(self.kinds)):
            w, d = dims[i + 1], dims[i]
            out = self.out[i][: n * w].reshape(K, b, w)
            v.out.append(out)
            v.out2.append(out.reshape(n, w))
            v.outT.append(out.transpose(0, 2, 1))
            dx = None if self.dx[i] is None else self.dx[i][: n * d].reshape(K, b, d)
            v.dx.append(dx)
            v.dx2.append(None if dx is None else dx.reshape(n, d))
            v.masks.append(None if self.masks[i] is None else
                           self.masks[i][: n * d].reshape(K, b, d))
        v.s2 = v.out2[-1]
        v.s_flat = v.s2.reshape(-1)  # the scores, (K b C,)
        v.rowmax, v.rowsum, v.picked = self.rowmax[:n], self.rowsum[:n], self.picked[:n]
        v.rowmax_col, v.rowsum_col = v.rowmax[:, None], v.rowsum[:, None]
        v.rowmax_kb = v.rowmax.reshape(K, b)
        v.flat = self.flat_idx[:n]
        v.flat_kb = v.flat.reshape(K, b)
        v.label_rows = self.label_rows[:n].reshape(K, b)
        v.st = self.scores_t[: C * n].reshape(C, n)
        v.ones_b = self.ones_b[:b]
        self.views[b] = v
        return v

    # ---------------------------------------------------------------- forward/backward
    def forward(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Training-mode losses (K,) (mean data loss + L2 term of each model) of the batch
        x: (b, D) shared by all models or (K, b, D); y: (b,) or (K, b)."""
        b = x.shape[-2]
        v = self.views.get(b) or self._views(b)
        xa, xd, self.xaT = self._augmented(x.shape[:-1])
        if x.base is not self.xa_buf:  # not gathered in place (batch_buffers): copied
            np.copyto(xd, x)
        self.b, self.v = b, v
        np.matmul(xa, self.Wb1, out=v.out[0])  # x W + b
        h = v.out[0]
        for i, kind in enumerate(self.kinds):
            out = v.out[i]
            if i == 0:
                continue
            if kind == "affine":
                W, bias = self.affine[i][:2]
                np.matmul(h, W, out=out)
                np.add(out, bias, out=out)
            elif kind == "activation":
                self.kernels[i].forward(v.out2[i - 1], v.out2[i], {}, {}, True, None)
            else:  # dropout: model k's mask from model k's generator, as its engine draws
                p = self.layers[i].p
                mask = v.masks[i]
                if p > 0:
                    width = self.dims[i]
                    for k, m in enumerate(self.members):
                        keep_mask(m.model.rng, (b, width), p, self.dtype, out=mask[k])
                    np.multiply(mask, 1 / (1 - p), out=mask)
                else:
                    mask.fill(1)
                np.multiply(h, mask, out=out)
            h = out
        return self._loss(h, y)

    def _loss(self, scores: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Softmax cross-entropy of scores (K, b, C) in place (the engine's kernel, over K):
        the scores become exp(shifted scores); or half the squared error (the engine's
        kernel), the scores becoming the residuals scores - y; returns the losses (K,)."""
        K, b = scores.shape[:2]
        self.scores = scores
        losses = (self._squared_error(scores, y, b) if self.squared
                  else self._cross_entropy(scores, y, b))
        if self.regcol is not None:  # + reg_k |W_k|^2 / 2: K dot products
            losses += self.half_regs * np.matmul(self.wd_row, self.wd_col).reshape(K)
        return losses

    @staticmethod
    def _squared_error(scores: np.ndarray, y: np.ndarray, b: int) -> np.ndarray:
        """Mean half squared error (K,) of scores (K, b, C), which become the residuals."""
        np.subtract(scores, y, out=scores, casting="same_kind")
        return 0.5 * np.einsum("kbc,kbc->k", scores, scores).astype(np.float64) / b

    def _cross_entropy(self, scores: np.ndarray, y: np.ndarray, b: int) -> np.ndarray:
        """Mean softmax cross-entropy (K,) of scores (K, b, C), which become exp(shifted
        scores)."""
        v = self.v
        s2, rowmax, rowsum, picked, flat = v.s2, v.rowmax, v.rowsum, v.picked, v.flat
        # row maxima of a (C, n) copy: NumPy reduces that axis across rows at once, an axis
        # of C = 10 contiguous numbers row by row (measured 4 us against 23, n = 512)
        np.copyto(v.st, s2.T)
        np.maximum.reduce(v.st, axis=0, out=rowmax)
        np.subtract(s2, v.rowmax_col, out=s2)
        # flat index of each row's label; y (b,) is shared by the K models or y is (K, b)
        np.add(v.label_rows, y, out=v.flat_kb)
        v.s_flat.take(flat, out=picked, mode="clip")  # shifted score of the label
        np.exp(s2, out=s2)
        np.dot(s2, self.ones_c, out=rowsum)
        np.log(rowsum, out=rowmax)
        np.subtract(rowmax, picked, out=rowmax)  # -log P[i, y_i]
        return np.divide(np.add.reduce(v.rowmax_kb, axis=1), b, dtype=np.float64)

    def backward(self) -> None:
        """Gradients of every model's loss into ``grad`` (L2 term included)."""
        b, v = self.b, self.v
        s2, rowsum = v.s2, v.rowsum
        if self.squared:  # delta = (scores - y) / b, in the residuals' buffer
            np.multiply(s2, 1.0 / b, out=s2)
        else:  # eq. 1 over K: delta = (P - Y) / b, in the scores' buffer
            np.multiply(rowsum, b, out=rowsum)
            np.divide(s2, v.rowsum_col, out=s2)
            v.s_flat[v.flat] -= 1.0 / b
        delta, delta2 = v.out[-1], v.out2[-1]
        for i in range(len(self.kinds) - 1, -1, -1):
            kind, dx = self.kinds[i], v.dx[i]
            if kind == "affine":
                _, _, dW, db, W_T, dW_T = self.affine[i]
                if dx is not None:
                    np.matmul(delta, W_T, out=dx)  # eq. 2: delta W^T
                if i == 0:  # [dW; db] = [x, 1]^T delta: eqs. 4 and 3 in one
                    np.matmul(self.xaT, delta, out=self.dWb1)
                    continue
                if dW_T is not None:  # stored transposed: dW^T = delta^T x
                    np.matmul(delta.transpose(0, 2, 1), v.out[i - 1], out=dW_T)
                else:
                    np.matmul(v.outT[i - 1], delta, out=dW)  # eq. 4
                np.matmul(v.ones_b, delta, out=db)  # eq. 3: column sums
            elif kind == "activation":
                self.kernels[i].backward(delta2, v.dx2[i], None)
            else:
                np.multiply(delta, v.masks[i], out=dx)
            delta, delta2 = dx, v.dx2[i]
        if self._reg_pass is not None:  # dW += reg W
            self._reg_pass()
        elif self.regcol is not None:
            np.multiply(self.wd, self.regcol, out=self.sd)
            np.add(self.gd, self.sd, out=self.gd)

    # ---------------------------------------------------------------- the update
    # BLAS axpby, never axpy: OpenBLAS threads axpy on arrays this size, which on a shared
    # machine cost 180 us instead of 20 (measured, K=16 digits-sized models)
    def _bind(self, rule: str, a: int, b: int, state: dict[str, np.ndarray]
              ) -> SimpleNamespace:
        """Rows [a, b) of one update rule: w, g, s (k, P) views of flat, grad, scratch,
        its state arrays, and ``axpby[x, y]``: ``y = alpha x + beta y`` through BLAS bound
        to those rows (``Blas.bind_axpby``; none without BLAS), for the one-pass updates."""
        rows = SimpleNamespace(w=self.flat[a:b], g=self.grad[a:b], s=self.scratch[a:b],
                               state=state, axpby={}, each_row=None)
        if self._blas is not None:
            arrays = {"w": rows.w, "g": rows.g, "s": rows.s, **state}
            for x, y in _ONE_PASS[rule]:
                rows.axpby[x, y] = self._blas.bind_axpby(arrays[x], arrays[y])
            if rule == "adam" and rows.w.shape[1] >= ROW_PASS_MIN:  # w_k -= step_k s_k
                rows.each_row = [self._blas.bind_axpby(s, w) for s, w in zip(rows.s, rows.w)]
        return rows

    def update(self) -> None:
        """One optimiser step of every model (numpynn.training.optim's rules, per-model columns;
        one-pass BLAS updates where a group's hyper-parameters are one number)."""
        self.t += 1
        for (rule, a, b, _), uni, rows in zip(self.groups, self.uniform, self.rows):
            if rule == "adam":
                self._adam(a, b, rows, uni)
            elif rule == "sgd":
                self._sgd(a, b, rows, uni)
            elif rule == "rmsprop":
                self._rmsprop(a, b, rows, uni)
            else:
                self._momentum(rule, a, b, rows, uni)

    def _sgd(self, a: int, b: int, rows: SimpleNamespace, uni: dict[str, float | None]
             ) -> None:
        """w -= lr dw."""
        w, g, s, lr = rows.w, rows.g, rows.s, uni["lr"]
        if lr is not None and rows.axpby:
            rows.axpby["g", "w"](-lr, 1.0)
        else:
            np.multiply(g, self.lr_dt[a:b], out=s)
            np.subtract(w, s, out=w)

    def _momentum(self, rule: str, a: int, b: int, rows: SimpleNamespace,
                  uni: dict[str, float | None]) -> None:
        """v = mu v - lr dw; w += v (Nesterov: w += mu v - lr dw)."""
        w, g, s, v = rows.w, rows.g, rows.s, rows.state["v"]
        lr, mu = uni["lr"], uni["momentum"]
        if rule == "momentum" and lr is not None and mu is not None and rows.axpby:
            rows.axpby["g", "v"](-lr, mu)
            rows.axpby["v", "w"](1.0, 1.0)
            return
        mu_col = self.hyper["mu"][a:b]
        np.multiply(g, self.lr_dt[a:b], out=s)
        np.multiply(v, mu_col, out=v)
        np.subtract(v, s, out=v)  # v = mu v - lr dw
        if rule == "nesterov":
            np.subtract(w, s, out=w)
            np.multiply(v, mu_col, out=s)
            np.add(w, s, out=w)  # w += mu v - lr dw
        else:
            np.add(w, v, out=w)

    def _rmsprop(self, a: int, b: int, rows: SimpleNamespace, uni: dict[str, float | None]
                 ) -> None:
        """cache = dr cache + (1 - dr) dw^2; w -= lr dw / (sqrt(cache) + eps)."""
        w, g, s, cache = rows.w, rows.g, rows.s, rows.state["cache"]
        dr, h = uni["decay_rate"], self.hyper
        np.square(g, out=s)
        if dr is not None and rows.axpby:
            rows.axpby["s", "cache"](1.0 - dr, dr)
        else:
            _axpby_cols(s, cache, s, h["1-dr"][a:b], h["dr"][a:b])
        np.sqrt(cache, out=s)
        np.add(s, h["eps"][a:b], out=s)
        np.divide(g, s, out=s)
        np.multiply(s, self.lr_dt[a:b], out=s)
        np.subtract(w, s, out=w)

    def _adam(self, a: int, b: int, rows: SimpleNamespace, uni: dict[str, float | None]
              ) -> None:
        """m = b1 m + (1 - b1) dw; v = b2 v + (1 - b2) dw^2; w -= step m / (sqrt(v) + eps')
        (seven passes over the rows; four where BLAS does the moments and the step)."""
        w, g, s = rows.w, rows.g, rows.s
        m, v = rows.state["m"], rows.state["v"]
        t = self.t
        b1, b2, eps1, lr = uni["beta1"], uni["beta2"], uni["eps"], uni["lr"]
        # as numpynn.training.optim.Adam: step = lr sqrt(bc2) / bc1, eps scaled by sqrt(bc2)
        uniform = None not in (b1, b2, eps1, lr)
        eps: float | np.ndarray
        step: float | np.ndarray
        steps: list[float] | None = None  # each row's step, where only the lr differs
        if None not in (b1, b2, eps1):  # Python floats, as the optimiser's
            root = math.sqrt(1.0 - b2**t)
            eps, bc1 = eps1 * root, 1.0 - b1**t
            if lr is not None:
                step = lr * root / bc1  # (numpynn.training.optim.Adam's order)
            elif rows.each_row is not None:  # a grid's rows, each its own lr: a pass a row
                steps = [x * root / bc1 for x in self.lr[a:b, 0].tolist()]
            else:  # (short rows: a (k, 1) column)
                step = (self.lr[a:b] * root / bc1).astype(self.dtype)
        else:  # (k, 1) columns
            h64 = self.h64
            root_col = np.sqrt(1.0 - h64["beta2"][a:b] ** t)
            eps = (h64["eps"][a:b] * root_col).astype(self.dtype)
            step = (self.lr[a:b] * root_col / (1.0 - h64["beta1"][a:b] ** t)).astype(self.dtype)
        axpby = rows.axpby
        if b1 is not None and b2 is not None and axpby:
            axpby["g", "m"](1.0 - b1, b1)  # m = b1 m + (1 - b1) dw, one pass
            np.square(g, out=s)
            axpby["s", "v"](1.0 - b2, b2)  # v = b2 v + (1 - b2) dw^2
        else:
            h = self.hyper
            _axpby_cols(g, m, s, h["1-b1"][a:b], h["b1"][a:b])
            np.square(g, out=s)
            _axpby_cols(s, v, s, h["1-b2"][a:b], h["b2"][a:b])
        np.sqrt(v, out=s)
        np.add(s, eps, out=s)
        np.divide(m, s, out=s)
        if uniform and axpby:
            axpby["s", "w"](-step, 1.0)
        elif steps is not None:
            for row, x in zip(rows.each_row, steps):
                row(-x, 1.0)
        else:
            np.multiply(s, step, out=s)
            np.subtract(w, s, out=w)

    def eval_workspace(self, k: int, rows: int, slot: int = 0
                       ) -> tuple[list[np.ndarray], list[Any], np.ndarray]:
        """Flat output buffers of k * rows * width per layer, the activations' kernels
        (for k * rows rows) and a (k * rows, D + 1) buffer whose last column is ones (rows
        [x, 1] for the first layer's [W1; b1]) of :func:`_chunk_sums`, made once per
        (k, rows) and per ``slot`` (one per thread evaluating)."""
        cache = self.__dict__.setdefault("_eval", {})
        if (k, rows, slot) not in cache:
            dt, dims = self.dtype, self.dims
            ones = np.empty((k * rows, dims[0] + 1), dt)
            ones[:, dims[0]] = 1
            cache[k, rows, slot] = (
                [np.empty(k * rows * dims[i + 1], dt) for i in range(len(self.kinds))],
                [faithful_kernel(layer, d, dt, k * rows) if kind == "activation" else None
                 for layer, kind, d in zip(self.layers, self.kinds, dims)], ones)
        return cache[k, rows, slot]

    # ---------------------------------------------------------------- unpacking
    def release(self) -> None:
        """Values back into each model's own arrays (rebound in its ``params``), optimiser
        state back into the members. The pack is unusable afterwards."""
        for k, m in enumerate(self.members):
            m.t = self.t
            for key in self.keys:
                own = self.own[k][key]
                np.copyto(own, self.params[key][k])
                m.model.params[key] = own
        for _, a, b, state in self.groups:
            for i, m in enumerate(self.members[a:b]):
                m.state = {slot: arr[i].copy() for slot, arr in state.items()}

    def finite_rows(self) -> np.ndarray:
        """(K,) True where every parameter of the model is finite."""
        return np.isfinite(self.flat).all(axis=1)


# ------------------------------------------------------------------------ training


def _check_configs(configs: TrainConfig | Sequence[TrainConfig], k: int) -> list[TrainConfig]:
    if isinstance(configs, TrainConfig):
        return [replace(configs) for _ in range(k)]
    if not isinstance(configs, Sequence) or len(configs) != k or not all(
            isinstance(c, TrainConfig) for c in configs):
        raise InputError(f"configs must be one TrainConfig or a list of {k} (one per model); "
                         f"got {configs!r:.80}")
    if len({id(c) for c in configs}) != k:
        raise InputError("configs holds the same TrainConfig object twice; give each model "
                         "its own (a config's seed is written into it when it is None).")
    sizes = sorted({c.batch_size for c in configs})
    if len(sizes) > 1:
        raise InputError(f"configs have the batch sizes {sizes}: a pack trains on one batch "
                         "size; pack models with equal batch_size together.")
    return list(configs)


def train_packed(
    models: Sequence[Network],
    X_train: np.ndarray,
    y_train: np.ndarray,
    configs: TrainConfig | Sequence[TrainConfig],
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    budget: int | None = None,
    augment: Callable[[np.ndarray, np.random.Generator], None] | None = None,
    rows: Sequence[MemberRows] | None = None,
    score: str | None = None,
    units: Sequence[Callable[[np.ndarray], np.ndarray] | None] | None = None,
) -> list[History]:
    """Train ``models`` (K networks of one architecture) together; returns their histories.

    models: K numpynn networks (e.g. ``MLP``) with the same layers, activation, dropout and
    dtype; their ``reg`` and seeds may differ. Trained in place: afterwards each is an
    ordinary network (its own arrays; save, load, predict as usual).
    X_train: (N, D), y_train: (N,) class indices or (N, C) regression targets (squared
    error); X_val: (N_val, D), y_val: (N_val,) or (N_val, C) or
    neither. configs: one :class:`TrainConfig` per model (or one for all, copied: a None
    seed is then drawn for each copy), all with the same ``batch_size``. budget: bytes
    one pack may hold (:func:`max_pack`); more models than fit train as several packs,
    one after another. augment: the Trainer's (``augment(x, rng)`` on each training batch,
    e.g. :class:`numpynn.training.augment.Shift`): each model's batch is augmented with
    draws from its own generator, as its Trainer would, so the batches are gathered per
    model, (K, b, D), even where the models share an order. rows: one
    :class:`MemberRows` per model (the folds of a cross-validation: its own training rows,
    validation rows and targets of X_train); models with equally many training rows pack
    together (a step gathers the same number of rows for each), the others in packs of
    their own. score: the epochs' score, None for the loss's own (accuracy, R^2) or
    ``"balanced_accuracy"`` for a classifier (the Trainer's ``BalancedAccuracyScorer``).
    units: per model, a regression's map of outputs and targets (M, C) to the targets'
    own units that its R^2 is computed in (the Trainer's ``UnitsR2Scorer``; None: as
    trained, the default), e.g. a run's inverse of log(1 + y).

    Each model ends as ``Trainer(model, X_train, y_train, X_val, y_val, config).train()``
    would leave it (with ``rows``: ``Trainer(model, X_train[r.train], y[r.train],
    X_train[r.val], y[r.val], config)``), to rounding; ``history.engine`` says ``"packed
    (K models)"`` (K: the models trained together in one process; ``", in a forked
    second process"`` follows for the half a forked child trained,
    :mod:`numpynn.training.forked`) and ``history.seconds`` holds the pack's
    epoch times (shared by its models). A diverging model stops alone (see the module
    docstring) instead of raising.
    """
    kinds = _check_architecture(models)
    configs = _check_configs(configs, len(models))
    first = models[0]
    X = check_features(X_train, first.input_dim, first.dtype, "X_train")
    y = first.loss_fn.check_targets(y_train, X.shape[0], first.num_outputs, "y_train")
    if (X_val is None) != (y_val is None):
        raise InputError("give both X_val and y_val, or neither.")
    val = None
    if X_val is not None:
        Xv = check_features(X_val, first.input_dim, first.dtype, "X_val")
        val = (Xv, first.loss_fn.check_targets(y_val, Xv.shape[0], first.num_outputs,
                                                "y_val"))
    own = _check_rows(rows, len(models), X, y, first)
    score_name = _check_score(score, first)
    size = max_pack(first, configs[0].batch_size, budget)
    members = []
    if units is not None and len(units) != len(models):
        raise InputError(f"units must hold one entry per model ({len(models)}); got "
                         f"{len(units)}.", param="units")
    for i, (model, config, (train, y_k, val_k)) in enumerate(zip(models, configs, own)):
        own_val = val if val_k is None else val_k
        n_val = 0 if own_val is None else own_val[0].shape[0]
        config = replace(config, select=resolve_select(config.select, n_val, score_name))
        n = X.shape[0] if train is None else train.shape[0]
        m = _member(model, config, n)
        m.history.score_name = score_name
        m.rows, m.y, m.val = train, y_k, val_k
        m.units = None if units is None else units[i]
        m.eval_rows = _eval_rows(m, X.shape[0])
        members.append(m)
    # a partial of a module's function, not a closure: it pickles (forked.train_halves'
    # warm worker takes it with the members it trains)
    train = functools.partial(_train_members, kinds=kinds, X=X, y=y, val=val,
                              augment=augment)

    with flush_denormals():
        for group in _equal_sizes(members):
            for start in range(0, len(group), size):
                chunk = group[start : start + size]
                if forked.usable(chunk, _work(chunk, X.shape[0])):
                    forked.train_halves(chunk, train, lambda ms: _work(ms, X.shape[0]))
                else:
                    train(chunk)
    return [m.history for m in members]


def _work(members: list[_Member], n: int) -> int:
    """members x epochs x training rows x parameters: :func:`forked.usable`'s measure."""
    params = sum(v.size for v in members[0].model.params.values())
    return sum(m.config.epochs * (n if m.rows is None else m.rows.shape[0]) * params
               for m in members)


def _check_score(score: str | None, model: Network) -> str:
    """The History.score_name of a pack scored by ``score`` (see :func:`train_packed`)."""
    own = model_score_name(model)
    if score is None or score == own:
        return own
    if score == BALANCED_ACCURACY and own == "accuracy":
        return score
    raise InputError(f"score={score!r} is not one packed networks with a {own} score can "
                     f"report: give None (their {own}) or {BALANCED_ACCURACY!r} for a "
                     "classifier.", param="score")


def _check_rows(rows: Sequence[MemberRows] | None, k: int, X: np.ndarray, y: np.ndarray,
                model: Network
                ) -> list[tuple[np.ndarray | None, np.ndarray | None,
                                tuple[np.ndarray, np.ndarray] | None]]:
    """Each model's (training rows, own targets, own validation set), None where shared;
    InputError naming the model and what is wrong with its rows."""
    if rows is None:
        return [(None, None, None)] * k
    if not isinstance(rows, Sequence) or len(rows) != k or not all(
            isinstance(r, MemberRows) for r in rows):
        raise InputError(f"rows must be a list of {k} MemberRows (one per model); got "
                         f"{rows!r:.80}")
    n = X.shape[0]

    def indices(a: object, what: str) -> np.ndarray:
        idx = np.asarray(a)
        if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu" or (
                idx.min() < 0 or idx.max() >= n):
            raise InputError(f"{what} must be a non-empty 1-D array of row indices of "
                             f"X_train (0 to {n - 1}); got {a!r:.80}")
        return idx

    out = []
    for i, r in enumerate(rows):
        train = indices(r.train, f"rows[{i}].train")
        y_k = None if r.y is None else model.loss_fn.check_targets(
            r.y, n, model.num_outputs, f"rows[{i}].y")
        targets = y if y_k is None else y_k
        val_idx = None if r.val is None else indices(r.val, f"rows[{i}].val")
        val = None if val_idx is None else (X[val_idx], targets[val_idx])
        out.append((train, y_k, val))
    return out


def _equal_sizes(members: list[_Member]) -> list[list[_Member]]:
    """The members grouped by how many training rows each has (in their order): a pack
    steps through one number of rows per member."""
    groups: dict[int, list[_Member]] = {}
    for m in members:
        groups.setdefault(-1 if m.rows is None else m.rows.shape[0], []).append(m)
    return list(groups.values())


def _train_members(members: list[_Member], kinds: list[str], X: np.ndarray, y: np.ndarray,
                   val: tuple[np.ndarray, np.ndarray] | None,
                   augment: Callable[[np.ndarray, np.random.Generator], None] | None = None
                   ) -> None:
    """The Trainer's epochs for every member, packed; members leave the pack when they
    finish, stop early or diverge."""
    B = members[0].config.batch_size
    cap = min(B, X.shape[0] if members[0].rows is None else members[0].rows.shape[0])
    model = members[0].model
    with np.errstate(all="ignore"):  # the Trainer's divergence rule: 1e4 x this loss
        shared = None  # members on all the shared rows and targets: one computation
        for m in members:
            if m.y is None and m.rows is None:
                if shared is None:
                    shared = _loss_of_nothing(model, y)
                m.ref = shared
            else:
                m.ref = _loss_of_nothing(model, _own(m, y))
    engine = f"packed ({len(members)} models)"
    for m in members:
        m.history.engine = engine
    active = sorted(members, key=lambda m: m.rule)  # one slice of rows per update rule
    pack = None
    try:
        while active:
            if pack is None or pack.members != active:  # someone finished: a smaller pack
                if pack is not None and pack.members:
                    pack.release()
                pack = _Pack(active, kinds, cap)
            _run_epoch(pack, X, y, val, augment)
            active = [m for m in pack.members if not m.done]
    finally:
        if pack is not None and pack.members:
            pack.release()
    for m in members:
        if not m.diverged:
            if not m.history.stop_reason:
                m.history.stop_reason = f"completed {m.config.epochs} epochs"
            if m.config.keep_best and m.best_state is not None:
                _restore(m.model, m.best_state)


def _loss_of_nothing(model: Network, y: np.ndarray) -> float:
    """The loss of zero scores on (the first 1000 of) a member's training targets y, as
    the Trainer computes it for its divergence rule."""
    n_ref = min(y.shape[0], 1000)
    return float(model.loss_fn(np.zeros((n_ref, model.num_outputs), model.dtype),
                               y[:n_ref])[0])


def _own(m: _Member, y: np.ndarray) -> np.ndarray:
    """Member m's training targets (N_k,) / (N_k, C) in its rows' order, given the shared
    targets y."""
    targets = y if m.y is None else m.y
    return targets if m.rows is None else targets[m.rows]


def _run_epoch(pack: _Pack, X: np.ndarray, y: np.ndarray,
               val: tuple[np.ndarray, np.ndarray] | None,
               augment: Callable[[np.ndarray, np.random.Generator], None] | None = None
               ) -> None:
    """One epoch of every member of ``pack`` (which may shrink mid-epoch on divergence),
    then each member's evaluation, selection, early stopping and schedule; ``augment``
    changes member k's batch with draws from its generator after its permutation's, in
    the Trainer's order."""
    first, B = pack.members[0], pack.members[0].config.batch_size
    N = X.shape[0] if first.rows is None else first.rows.shape[0]  # rows of each member
    epoch = first.epoch + 1
    started = time.perf_counter()
    for m in pack.members:
        m.order = m.rng.permutation(N)
        if m.rows is not None:
            m.order = m.rows[m.order]
    n_steps = -(-N // B)
    step_losses = np.empty((n_steps, len(pack.members)))
    orders, targets, target_orders, limits = _epoch_data(pack, y, augment is None)
    low = limits.min()
    batches: dict[tuple[tuple[int, ...], ...], tuple[np.ndarray, np.ndarray]] = {}
    for step, start in enumerate(range(0, N, B)):
        idx = orders[..., start : start + B]  # (b,) one order for all, or (K, b)
        target_idx = target_orders[..., start : start + B]  # (K, b) for own targets
        shapes = (idx.shape, target_idx.shape)
        buffers = batches.get(shapes) or batches.setdefault(
            shapes, (pack.batch_buffers(idx.shape, y, augment is not None)[0],
                     pack.batch_buffers(target_idx.shape, y)[1]))
        xb, yb = buffers
        np.take(X, idx, axis=0, out=xb, mode="clip")
        np.take(targets, target_idx, axis=0, out=yb, mode="clip")
        if augment is not None:  # (K, b, D): each member's batch, its own draws
            for k, m in enumerate(pack.members):
                augment(xb[k], m.rng)
        losses = pack.forward(xb, yb)
        pack.backward()
        pack.update()  # a diverging model's update is undone below: it gets its good state
        step_losses[step, : len(pack.members)] = losses
        if not losses.max() <= low:  # a loss above the lowest limit, or NaN
            bad = ~np.isfinite(losses) | (losses > limits)
            if not bad.any():
                continue
            step_losses = _drop_diverged(pack, bad, losses, epoch, step_losses, step)
            if not pack.members:
                return
            orders, targets, target_orders, limits = _epoch_data(pack, y, augment is None)
            low = limits.min()
            batches = {}
    seconds = time.perf_counter() - started
    finite = pack.finite_rows()
    members = list(pack.members)
    for k, m in enumerate(members):
        m.history.step_loss.extend(step_losses[:, k].tolist())
    with blas().threads(EVAL_THREADS) as allowed:
        pack.eval_split = _two_eval_threads(allowed)
        metrics = _evaluate(pack, X, y, val, finite)
    for k, m in enumerate(members):
        if not finite[k]:
            _diverge(m, epoch, "the parameters became inf or NaN")
            continue
        _end_epoch(m, epoch, seconds, *metrics[k])
        m.done = m.epoch >= m.config.epochs or bool(m.history.stop_reason)
    # the finite members' parameters become their good state (views of pack.good)
    if finite.all():
        np.copyto(pack.good, pack.flat)
    else:
        pack.good[finite] = pack.flat[finite]
    pack.set_lr([m.lr for m in members])


def _epoch_data(pack: _Pack, y: np.ndarray, shared: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """This epoch's row orders (:func:`_orders`), the targets and the orders into them
    (the shared y and the same orders, or the members' own targets stacked (K N, ...) and
    member k's order shifted by k N), and the divergence limits (K,) of ``pack``."""
    members = pack.members
    orders = _orders(pack, shared)
    limits = np.array([DIVERGENCE_GROWTH * max(m.ref, 1.0) for m in members])
    if all(m.y is None for m in members):
        return orders, y, orders, limits
    # stacked once per set of members (the pack shrinks as members finish)
    stacked = pack.__dict__.setdefault("_own_targets", {})
    key = tuple(id(m) for m in members)
    if key not in stacked:
        stacked.clear()
        stacked[key] = np.concatenate([y if m.y is None else m.y for m in members])
    targets = stacked[key]
    shift = np.arange(len(members))[:, None] * y.shape[0]
    return orders, targets, np.broadcast_to(orders, (len(members), orders.shape[-1])) + shift, \
        limits


def _orders(pack: _Pack, shared: bool = True) -> np.ndarray:
    """This epoch's permutation (N,) if every member drew the same one and ``shared``
    (then one batch serves all and the first layer broadcasts it), else the members'
    (K, N)."""
    first = pack.members[0].order
    if shared and all(np.array_equal(m.order, first) for m in pack.members[1:]):
        return first
    return np.stack([m.order for m in pack.members])


def _drop_diverged(pack: _Pack, bad: np.ndarray, losses: np.ndarray, epoch: int,
                   step_losses: np.ndarray, step: int) -> np.ndarray:
    """Members whose loss is not finite or above the limit leave the pack mid-epoch
    (parameters back to the last good epoch, as the Trainer leaves them); the others go on
    in a smaller pack, which takes over ``pack``. Returns the remaining step losses."""
    members = pack.members
    pack.release()  # every model's values back into its own arrays
    pack.members = []
    for k in np.flatnonzero(bad):
        m, loss = members[k], float(losses[k])
        m.history.step_loss.extend(step_losses[: step + 1, k].tolist())
        _diverge(m, epoch, f"the loss grew to {loss:.3g}, more than {DIVERGENCE_GROWTH:g} "
                           f"times the loss of predicting nothing ({m.ref:.3g})"
                 if math.isfinite(loss) else f"the loss became {loss}")
    keep = [k for k in range(len(members)) if not bad[k]]
    if keep:
        pack.__dict__.update(_Pack([members[k] for k in keep], pack.kinds, pack.cap).__dict__)
    return step_losses[:, keep]


def _diverge(m: _Member, epoch: int, what: str) -> None:
    """The Trainer's divergence: back to the last good epoch, stop with the reason."""
    _restore(m.model, m.good_state)
    m.history.stop_reason = f"diverged in epoch {epoch} ({what})"
    m.done = m.diverged = True


def _restore(model: Network, state: dict[str, np.ndarray]) -> None:
    for key, v in model.params.items():
        np.copyto(v, state[key], casting="unsafe")


def _end_epoch(m: _Member, epoch: int, seconds: float, train: tuple[float, float],
               valid: tuple[float, float] | None) -> None:
    """``Trainer._end_epoch`` for one member, given its (accuracy, loss) on its training
    subset and on the validation set: the kept epoch, patience, the next learning rate."""
    cfg, h, model = m.config, m.history, m.model
    select = cfg.select  # "auto" resolved by train_packed
    score_name = h.score_name  # the loss's: accuracy, or R^2
    train_score, train_loss = train
    h.epochs.append(epoch)
    h.train_score.append(train_score)
    h.train_loss.append(train_loss)
    if valid is not None:
        val_score, val_loss = valid
        h.val_score.append(val_score)
        h.val_loss.append(val_loss)
    else:  # no validation: none recorded; a plateau schedule watches the training loss
        val_score, val_loss = train_score, train_loss
    h.lr.append(m.lr)
    h.seconds.append(seconds)
    if valid is None:  # nothing to select or stop on: the last epoch is kept
        h.best_epoch, h.best_rule = epoch, NO_VALIDATION_RULE
    elif _improves(select, m, val_score, val_loss):
        m.best_val_acc, m.best_val_loss = val_score, val_loss
        m.bad_epochs, h.best_epoch = 0, epoch
        h.best_rule = select_rule(select, score_name)
        m.best_state = {key: v.copy() for key, v in model.params.items()}
    else:
        m.bad_epochs += 1
        if cfg.patience is not None and m.bad_epochs >= cfg.patience:
            best = (f"loss {m.best_val_loss:.4f}" if select == "loss" else
                    f"{score_label(score_name)} {m.best_val_acc:.4f}")
            h.stop_reason = (
                f"early stopping after epoch {epoch}: no {select_rule(select, score_name)} "
                f"improvement for {cfg.patience} epochs (best {best} at epoch "
                f"{h.best_epoch})")
    m.lr = m.schedule.lr_for_epoch_end(epoch, val_loss)
    m.epoch = epoch


def _evaluate(pack: _Pack, X: np.ndarray, y: np.ndarray,
              val: tuple[np.ndarray, np.ndarray] | None, finite: np.ndarray
              ) -> list[tuple[tuple[float, float], tuple[float, float] | None]]:
    """Each finite member's (score, mean data loss) on its training subset and on its
    validation set, as the Trainer's :func:`numpynn.training.scores.score_and_loss`
    computes them (accuracy or R^2; to float rounding), for all members at once
    (:func:`_stacked_metrics`)."""
    members = pack.members
    n = X.shape[0]
    rows = [m.eval_rows for m in members]
    if all(m.y is None for m in members) and all(
            r.shape == rows[0].shape and np.array_equal(r, rows[0]) for r in rows[1:]):
        shared = rows[0]  # one subset for all: gathered once, the first layer broadcasts
        train = _stacked_metrics(pack, X if shared.shape[0] == n else X[shared],
                                 y if shared.shape[0] == n else y[shared])
    else:
        train = _each_metrics(pack, [(X[r], (y if m.y is None else m.y)[r])
                                     for m, r in zip(members, rows)])
    sets = [val if m.val is None else m.val for m in members]
    if all(v is None for v in sets):
        valid = None
    elif all(v is sets[0] for v in sets[1:]):
        valid = _stacked_metrics(pack, *sets[0])
    else:
        valid = _each_metrics(pack, sets)
    out: list[tuple[tuple[float, float], tuple[float, float] | None]] = []
    for k in range(len(members)):
        if not finite[k]:
            out.append(((math.nan, math.nan), None))
            continue
        out.append((train[k], valid[k] if valid is not None else None))
    return out


def _eval_rows(m: _Member, n: int) -> np.ndarray:
    """The rows of the shared X (n rows) member m's training figures are computed on:
    its evaluation subset of its training rows (all of them without one)."""
    if m.rows is None:
        return np.arange(n) if m.eval_idx is None else m.eval_idx
    return m.rows if m.eval_idx is None else m.rows[m.eval_idx]


def _each_metrics(pack: _Pack, sets: list[tuple[np.ndarray, np.ndarray] | None]
                  ) -> list[tuple[float, float] | None]:
    """(score, loss) of member k on its own set (X_k (n_k, D), y_k), None where it has
    none: stacked (K, n, D) in one forward where every member has n rows, else one
    member at a time."""
    if all(s is not None and s[0].shape[0] == sets[0][0].shape[0] for s in sets):
        return _stacked_metrics(pack, np.stack([s[0] for s in sets]),
                                np.stack([s[1] for s in sets]))
    return [None if s is None else _stacked_metrics(pack, *s, k)[0]
            for k, s in enumerate(sets)]


#: BLAS threads of the per-epoch evaluation (:func:`_evaluate`): its K multiplies of a
#: chunk's rows are small, and OpenBLAS's second thread made them slower, not faster
EVAL_THREADS = 1

_HELPER: dict[str, Any] = {"pid": None, "executor": None}


def _two_eval_threads(allowed: int) -> bool:
    """Whether the evaluation shares its chunks with :func:`_eval_helper`: where the
    caller allows BLAS ``allowed`` >= 2 threads and there are two cores (a search's
    trial, allowed one, keeps its one core). Two threads took 33 ms of 16 digits-sized
    models' 5 epochs of evaluation where one took 41-42 (round 14)."""
    return allowed > 1 and forked.cores() > 1


def _eval_helper() -> ThreadPoolExecutor:
    """This process's one thread that takes every other chunk of the evaluation (made
    again in a forked child, which inherits the executor but not its thread)."""
    if _HELPER["pid"] != os.getpid():
        _HELPER.update(pid=os.getpid(), executor=ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="numpynn-eval"))
    return _HELPER["executor"]


#: bytes of one chunk's widest activations (K x rows x width, float32) in
#: :func:`_stacked_metrics`: its rows are cut to fit (a chunk that stays in the core's
#: cache: for 16 digits-sized models, 1 MiB took 8.2 ms, 8 MiB 12.6 ms)
EVAL_CHUNK_BYTES = 1 << 20


def _stacked_metrics(pack: _Pack, X: np.ndarray, y: np.ndarray, member: int | None = None
                     ) -> list[tuple[float, float]]:
    """(score, mean data loss) of every member of ``pack`` (or of member ``member`` alone)
    on X: (n, D) shared by all members, or (K, n, D) one set of rows each, and y: (n,) /
    (K, n) class indices or (n, C) / (K, n, C) regression targets: one test-mode forward
    of the K networks (dropout is the identity in test mode), a chunk of rows at a time.
    A stacked multiply per affine layer. Scores as the Trainer's: accuracy (or balanced
    accuracy, :func:`~numpynn.training.trainer.class_score`, in a pack scored by it) and
    the mean softmax cross-entropy (float64), or R^2 (uniform average over outputs) and half
    the mean squared error."""
    K, n = (len(pack.members) if member is None else 1), X.shape[-2]
    pick = slice(None) if member is None else slice(member, member + 1)
    rows = max(1, min(n, EVAL_CHUNK_BYTES // (4 * K * max(pack.dims))))
    starts = range(0, n, rows)
    helper = _eval_helper() if pack.eval_split and len(starts) > 1 else None
    units = [m.units for m in pack.members][pick]
    units = None if all(u is None for u in units) else units
    if helper is None:
        hits, per_class, loss, sse, usse = _chunk_sums(pack, X, y, pick, K, rows, starts, 0,
                                                       units)
    else:  # every other chunk in the helper thread, its own buffers and sums
        other = helper.submit(_chunk_sums, pack, X, y, pick, K, rows, starts[1::2], 1,
                              units)
        try:
            mine = _chunk_sums(pack, X, y, pick, K, rows, starts[::2], 0, units)
        finally:
            theirs = other.result()
        hits, per_class, loss, sse, usse = (
            None if a is None else a + b for a, b in zip(mine, theirs))
    if not pack.squared:
        score = hits / n if per_class is None else class_score(hits, per_class, True)
        return list(zip(score.tolist(), (loss / n).tolist()))
    yy = np.asarray(y, np.float64)
    if units is not None:  # R^2 in the targets' own units (each member's map)
        yy = np.stack([_in_units(u, yy if yy.ndim == 2 else yy[k])
                       for k, u in enumerate(units)])
    dev = yy - yy.mean(axis=-2, keepdims=True)
    sst = np.broadcast_to(np.einsum("...bc,...bc->...c", dev, dev), sse.shape)
    score = r2_from_sums(sse if usse is None else usse, sst)
    return list(zip(score.tolist(), (0.5 * sse.sum(axis=1) / n).tolist()))


def _in_units(units: Callable[[np.ndarray], np.ndarray] | None, v: np.ndarray
              ) -> np.ndarray:
    """Outputs or targets v (n, C) in the targets' own units (``units`` None: as they are)."""
    return v if units is None else np.asarray(units(v), np.float64)


def _chunk_sums(pack: _Pack, X: np.ndarray, y: np.ndarray, pick: slice, K: int, rows: int,
                starts: Sequence[int], slot: int, units: Sequence[Any] | None = None
                ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray | None,
                           np.ndarray | None]:
    """The sums :func:`_stacked_metrics` makes of the chunks of ``rows`` rows starting at
    ``starts``: rows right (K,) (or (K, C) per class, with the rows of each class), summed
    cross-entropy (K,) and squared errors (K, C) (None unless a regression), and with
    ``units`` (one map per member, see :func:`train_packed`) the squared errors in the
    targets' own units (K, C) (else None), in workspace ``slot`` (one per thread)."""
    dims = pack.dims
    flats, kernels, ones = pack.eval_workspace(K, rows, slot)
    C = dims[-1]
    hits = np.zeros((K, C) if pack.balanced else K)  # rows right (per class if balanced)
    per_class = np.zeros((K, C)) if pack.balanced else None  # rows of each class
    loss = np.zeros(K)
    sse = None
    usse = None if units is None else np.zeros((K, C))
    for start in starts:
        cut = slice(start, start + rows)
        Xb = X[..., cut, :]
        yb = y[..., cut, :] if pack.squared else y[..., cut]  # targets (.., n, C) or (.., n)
        b = Xb.shape[-2]
        xa = ones[: math.prod(Xb.shape[:-1])].reshape(*Xb.shape[:-1], dims[0] + 1)
        np.copyto(xa[..., : dims[0]], Xb)
        h = xa
        for i, kind in enumerate(pack.kinds):
            w = dims[i + 1]
            out = flats[i][: K * b * w].reshape(K, b, w)
            if i == 0:  # [x, 1] [W1; b1]: the multiply adds the bias
                np.matmul(xa, pack.Wb1[pick], out=out)
            elif kind == "affine":
                W, bias = pack.affine[i][:2]
                np.matmul(h, W[pick], out=out)
                np.add(out, bias[pick], out=out)
            elif kind == "activation":
                kernels[i].forward(h.reshape(K * b, w), out.reshape(K * b, w), {}, {}, False,
                                   None)
            else:  # dropout: the identity in test mode
                continue
            h = out
        if pack.squared:
            diff = h.astype(np.float64)
            if usse is not None:
                for k, u in enumerate(units):
                    r = _in_units(u, diff[k]) - _in_units(u, yb if yb.ndim == 2 else yb[k])
                    usse[k] += np.einsum("bc,bc->c", r, r)
            diff -= yb
            part = np.einsum("kbc,kbc->kc", diff, diff)
            sse = part if sse is None else sse + part
        else:
            labels = np.broadcast_to(yb, h.shape[:2])
            right, sums = _class_sums(h, labels)
            loss += sums
            if per_class is None:
                hits += np.add.reduce(right, axis=1)
            else:  # counted per (model, class): one bincount over model * C + label
                cell = (labels + C * np.arange(K)[:, None]).ravel()
                hits += np.bincount(cell[right.ravel()], minlength=K * C).reshape(K, C)
                per_class += np.bincount(cell, minlength=K * C).reshape(K, C)
    return hits, per_class, loss, sse, usse


def _class_sums(h: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per model, which rows' label is the argmax of its scores (K, b) (bool) and the
    summed softmax cross-entropy (K,) (float64) of scores h (K, b, C) and class indices
    labels (K, b): each row's log-sum-exp of its shifted scores less its label's shifted
    score, i.e. ``-numpynn.losses.log_softmax(h)[label]`` for the label's entry only.
    Computed on a (C, K b) float64 copy: NumPy reduces its first axis across rows at
    once, several times faster than an (n, C) array's last axis for C = 10 (16 models x
    1,437 rows: 0.7 ms against 2.9 for argmax and the loss on (n, C)). A row whose maximum
    is tied counts as argmax does: the first of the tied classes."""
    K, b, C = h.shape
    n = K * b
    st = np.empty((C, n))
    np.copyto(st.reshape(C, K, b), h.transpose(2, 0, 1))
    rowmax = np.maximum.reduce(st, axis=0)
    flat_labels = labels.reshape(n)
    picked = st.reshape(-1).take(flat_labels * n + np.arange(n))  # the label's score
    hits = picked == rowmax
    at_max = st == rowmax
    if np.count_nonzero(at_max) > n:  # some row's maximum is tied: argmax takes the first
        tied = np.flatnonzero(np.add.reduce(at_max, axis=0) > 1)
        hits[tied] = np.argmax(st[:, tied], axis=0) == flat_labels[tied]
    np.subtract(picked, rowmax, out=picked)  # the label's shifted score
    np.subtract(st, rowmax, out=st)
    np.exp(st, out=st)
    lse = np.log(np.add.reduce(st, axis=0))
    np.subtract(lse, picked, out=lse)
    return hits.reshape(K, b), np.add.reduce(lse.reshape(K, b), axis=1)


def _improves(select: str, m: _Member, val_acc: float, val_loss: float) -> bool:
    if select == "accuracy":  # the score; the lower loss breaks ties (as the Trainer)
        return val_acc > m.best_val_acc or (
            val_acc == m.best_val_acc and val_loss < m.best_val_loss)
    if not math.isfinite(val_loss):
        return False
    return val_loss < m.best_val_loss or (
        val_loss == m.best_val_loss and val_acc > m.best_val_acc)
