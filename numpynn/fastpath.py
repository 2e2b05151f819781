"""The optimised training step of :class:`numpynn.models.MLP` (the readable layers stay the
reference).

:meth:`numpynn.models.MLP._loss_and_grads` is written for reading: every layer call
returns fresh arrays, the regularisation builds ``W**2`` and ``reg * W`` temporaries, the
first layer computes ``dX`` that nobody needs, and the optimiser then makes its own passes
over every weight. This module computes the same loss and gradients (same convention:
mean data loss + ``0.5 * reg * sum(W**2)``; tests assert agreement to float tolerance)
with:

* **preallocated workspaces** for one batch size (views of their first rows serve the
  shorter last batch of an epoch): activations, deltas, gradients, softmax row buffers;
  every NumPy call writes through ``out=``, so a step allocates no array of a weight's size
  (and only a few of a handful of elements);
* **no ``dX`` for the first layer** (a third of the multiply work of a one-hidden-layer
  network);
* **fused softmax cross-entropy**: max, shift, exp, row sums in place; the data loss is
  ``mean(log(rowsum) - shifted[y])`` (log-sum-exp, finite for any finite scores);
* **the learning rate folded into the backward pass** for SGD, momentum and Nesterov: the
  delta of the scores is scaled by ``-lr / batch`` instead of ``1 / batch``, so every
  gradient comes out of its matrix multiply already multiplied by ``-lr``;
* **the update fused into the multiply** for SGD and momentum on large weights: through
  NumPy's own OpenBLAS, ``gemm`` with ``beta`` computes ``v = mu v - lr dW`` (momentum) or
  ``W = (1 - lr reg) W - lr dW`` (SGD) in the call that computes ``dW``, and two ``axpy``
  add ``-lr reg W`` and ``v`` to ``W`` (see :class:`_Blas`; NumPy ufuncs where that library
  is not available, and for small arrays). The weights are larger than the caches, so the
  update's cost is memory traffic: 8 array transfers instead of 14. RMSprop and Adam
  receive the true gradient and run their own in-place ``_update``;
* **cheap regularisation loss**: ``vdot(W, W)`` (no ``W**2`` temporary);
* **minibatch gather into a fixed buffer** (``np.take(..., out=buf, mode="clip")``:
  ``mode="raise"`` buffers the output and is three times slower). Optionally
  (:data:`PREFETCH`) the next batch is gathered on a background thread during the
  optimiser update; off by default because on the 2-core machine it was measured slower
  (the gather is DRAM-bound, OpenBLAS's own thread keeps the other core busy between
  calls; see ``benchmarks/RESULTS.md``).

The optimiser's state (``v``, ``m``, ``cache``, ``t``) lives in the optimiser object
exactly as with :meth:`numpynn.optim.Optimizer.step`, so checkpoints written during a fast
run resume bit-identically, and the same seed gives the same result every run.

:class:`FastMLP` computes loss and gradients (same interface as ``_loss_and_grads``;
the returned arrays are workspace buffers, overwritten by the next call);
:class:`FastStep` is what :class:`numpynn.train.Trainer` calls once per minibatch.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from .models import MLP
from .optim import SGD, Adam, Momentum, Optimizer, RMSprop

__all__ = ["FastMLP", "FastStep", "supports"]

#: Gather the next batch on a background thread while the current one computes (see
#: :class:`FastStep`). Off by default: measured slower on a 2-core machine (the copy
#: competes with the BLAS threads and the update for the cores and memory bandwidth).
PREFETCH = False

#: Weights with at least this many entries are updated by SGD and momentum through BLAS
#: (see :class:`_Blas`); smaller ones by NumPy ufuncs (a ctypes call costs more for them).
FUSE_MIN_SIZE = 1 << 16


class _Blas:
    """``gemm`` with ``beta`` and ``axpy`` from NumPy's own OpenBLAS, through ctypes.

    ``np.dot`` has no ``C = alpha A B + beta C``; with it the momentum update of a weight
    ``v = mu v - lr dW`` happens inside the multiply that computes ``dW`` (no gradient
    array written and read back, no separate passes over ``v``), and ``axpy`` adds
    ``-lr reg W`` and ``v`` to ``W`` in one pass each, on every core. This is the memory
    traffic that dominates a step's non-multiply time (the arrays are larger than the
    caches). Used only for the library NumPy itself calls (the scipy-openblas ILP64 build
    of the NumPy wheels, already loaded; so one thread pool), after a numerical self-test;
    anywhere else, or if anything fails, ``available`` is False and NumPy ufuncs are used.
    """

    ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

    def __init__(self) -> None:
        self.available = False
        self._fns: dict[tuple[str, str], Any] = {}
        try:
            self._load()
            self.available = self._self_test()
        except Exception:  # noqa: BLE001 - any failure means: use NumPy
            self.available = False

    def _load(self) -> None:
        import ctypes
        import glob
        import os

        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        if blas.get("name") != "scipy-openblas" or "USE64BITINT" not in str(
            blas.get("openblas configuration", "")
        ):
            return
        root = os.path.dirname(os.path.abspath(np.__file__))
        paths = glob.glob(os.path.join(root, os.pardir, "numpy.libs", "libscipy_openblas64_*"))
        paths += glob.glob(os.path.join(root, ".dylibs", "libscipy_openblas64_*"))
        if len(paths) != 1:
            return
        path = os.path.realpath(paths[0])
        if os.path.exists("/proc/self/maps"):
            with open("/proc/self/maps") as f:
                if path not in f.read():
                    return  # not the library NumPy loaded: a second copy would be another pool
        lib = ctypes.CDLL(path)
        i64, p, i32 = ctypes.c_int64, ctypes.c_void_p, ctypes.c_int
        for prefix, real in (("s", ctypes.c_float), ("d", ctypes.c_double)):
            gemm = getattr(lib, f"scipy_cblas_{prefix}gemm64_")
            gemm.argtypes = [i32, i32, i32, i64, i64, i64, real, p, i64, p, i64, real, p, i64]
            gemm.restype = None
            axpy = getattr(lib, f"scipy_cblas_{prefix}axpy64_")
            axpy.argtypes = [i64, real, p, i64, p, i64]
            axpy.restype = None
            self._fns[prefix, "gemm"] = gemm
            self._fns[prefix, "axpy"] = axpy

    def _self_test(self) -> bool:
        if not self._fns:
            return False
        rng = np.random.default_rng(0)
        for dt in (np.float32, np.float64):
            h = rng.standard_normal((5, 7)).astype(dt)[:4]  # a view, like the workspaces
            d = rng.standard_normal((4, 3)).astype(dt)
            c = rng.standard_normal((7, 3)).astype(dt)
            y = rng.standard_normal((7, 3)).astype(dt)
            want_c = 0.5 * c - 2.0 * (h.T @ d)
            want_y = y + 0.25 * want_c
            self.gemm_tn(h, d, c, -2.0, 0.5)
            self.axpy(0.25, c, y)
            tol = 1e-5 if dt == np.float32 else 1e-12
            if not (np.allclose(c, want_c, rtol=tol, atol=tol)
                    and np.allclose(y, want_y, rtol=tol, atol=tol)):
                return False
        return True

    def gemm_tn(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, alpha: float,
                beta: float) -> None:
        """``c = alpha a.T b + beta c`` in place. a: (k, m), b: (k, n), c: (m, n); rows of
        a and b contiguous, c C-contiguous, one float dtype."""
        k, m = a.shape
        n = b.shape[1]
        it = a.itemsize
        self._fns["s" if it == 4 else "d", "gemm"](
            self.ROW_MAJOR, self.TRANS, self.NO_TRANS, m, n, k, alpha,
            a.ctypes.data, a.strides[0] // it, b.ctypes.data, b.strides[0] // it, beta,
            c.ctypes.data, n,
        )

    def axpy(self, alpha: float, x: np.ndarray, y: np.ndarray) -> None:
        """``y += alpha x`` in place (C-contiguous arrays of one shape and float dtype)."""
        self._fns["s" if x.itemsize == 4 else "d", "axpy"](
            x.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)


_blas: _Blas | None = None


def blas() -> _Blas:
    """The process-wide :class:`_Blas` (loaded and self-tested on first use)."""
    global _blas
    if _blas is None:
        _blas = _Blas()
    return _blas


def supports(model: Any) -> bool:
    """True if ``model`` is an :class:`MLP` whose loss is the reference one (not overridden)."""
    return (
        isinstance(model, MLP)
        and type(model)._loss_and_grads is MLP._loss_and_grads
        and len(model.params) == 2 * model.num_layers
    )


class _Views:
    """Workspace arrays for one batch size ``b``: views of the first ``b`` rows."""

    __slots__ = ("b", "x", "y", "flat", "rowsC", "ones", "acts", "dhs", "masks", "rowmax",
                 "rowmax_col", "rowsum", "rowsum_col", "picked", "scores_flat")

    def __init__(self, ws: FastMLP, b: int) -> None:
        self.b = b
        self.x = ws._x[:b]
        self.y = ws._y[:b]
        self.flat = ws._flat[:b]
        self.rowsC = ws._rowsC[:b]
        self.ones = ws._ones[:b]
        self.acts = [a[:b] for a in ws._acts]
        self.dhs = [d[:b] for d in ws._dhs]
        self.masks = [m[:b] for m in ws._masks]
        self.rowmax = ws._rowmax[:b]
        self.rowmax_col = self.rowmax[:, None]
        self.rowsum = ws._rowsum[:b]
        self.rowsum_col = self.rowsum[:, None]
        self.picked = ws._picked[:b]
        self.scores_flat = self.acts[-1].reshape(-1)  # C-contiguous: a view


class FastMLP:
    """Forward and backward of an :class:`MLP` in preallocated buffers.

    model: the network; batch_size: the largest batch the workspace holds (a larger one
    grows it).
    """

    def __init__(self, model: MLP, batch_size: int) -> None:
        self.model = model
        self.dtype = model.dtype
        self.L = model.num_layers
        self.dims = [model.input_dim, *model.hidden_dims, model.num_classes]
        dt = self.dtype
        # gradients (or -lr times the gradients): weight-sized buffers, allocated once
        self.gW = [np.empty((self.dims[i], self.dims[i + 1]), dt) for i in range(self.L)]
        self.gb = [np.empty(self.dims[i + 1], dt) for i in range(self.L)]
        self.grads: dict[str, np.ndarray] = {}
        for i in range(self.L):
            self.grads[f"W{i + 1}"] = self.gW[i]
            self.grads[f"b{i + 1}"] = self.gb[i]
        self._onesC = np.ones(self.dims[-1], dt)
        self._reg_scratch: list[np.ndarray] | None = None
        self.capacity = 0
        self._allocate(batch_size)

    # ------------------------------------------------------------------ workspace
    def _allocate(self, B: int) -> None:
        dt, dims, C = self.dtype, self.dims, self.dims[-1]
        self.capacity = B
        self._x = np.empty((B, dims[0]), dt)
        self._y = np.empty(B, np.int64)
        self._flat = np.empty(B, np.intp)
        self._rowsC = np.arange(B, dtype=np.intp) * C
        self._ones = np.ones(B, dt)
        self._acts = [np.empty((B, d), dt) for d in dims[1:]]
        self._dhs = [np.empty((B, d), dt) for d in dims[1:-1]]
        self._masks = [np.empty((B, d), dt) for d in dims[1:-1]]
        self._rowmax = np.empty(B, dt)
        self._rowsum = np.empty(B, dt)
        self._picked = np.empty(B, dt)
        self._views: dict[int, _Views] = {}

    def views(self, b: int) -> _Views:
        """The workspace for a batch of ``b`` rows (made once per size)."""
        v = self._views.get(b)
        if v is None:
            if b > self.capacity:
                self._allocate(b)
            v = self._views[b] = _Views(self, b)
        return v

    # ------------------------------------------------------------------ forward
    def forward(
        self, x: np.ndarray, y: np.ndarray, v: _Views, Ws: list[np.ndarray],
        bs: list[np.ndarray],
    ) -> float:
        """Loss (mean data loss + regularisation) of the batch ``x`` (b, D), ``y`` (b,).

        Ws, bs: the weights and biases, in layer order. Leaves the hidden activations in
        ``v.acts``, ``exp(shifted scores)`` in ``v.acts[-1]``, their row sums in
        ``v.rowsum`` and each row's flat index of its label in ``v.flat`` for
        :meth:`backward`.
        """
        dot, add = np.dot, np.add
        last = self.L - 1
        acts = v.acts
        h = x
        for i in range(last):
            a = acts[i]
            dot(h, Ws[i], out=a)
            add(a, bs[i], out=a)
            np.maximum(a, 0, out=a)
            h = a
        s = acts[last]
        dot(h, Ws[last], out=s)
        add(s, bs[last], out=s)
        # softmax cross-entropy in place: shift each row by its max, exp, row sums
        rowmax, rowsum, picked = v.rowmax, v.rowsum, v.picked
        np.maximum.reduce(s, axis=1, out=rowmax)
        np.subtract(s, v.rowmax_col, out=s)
        add(v.rowsC, y, out=v.flat)
        np.take(v.scores_flat, v.flat, out=picked, mode="clip")  # shifted score of the label
        np.exp(s, out=s)
        dot(s, self._onesC, out=rowsum)
        np.log(rowsum, out=rowmax)  # log-sum-exp of the shifted row
        np.subtract(rowmax, picked, out=rowmax)  # -log P[i, y_i]
        loss = float(dot(rowmax, v.ones)) / v.b
        reg = self.model.reg
        if reg:
            vdot = np.vdot
            sq = 0.0
            for w in Ws:
                sq += float(vdot(w, w))
            loss += 0.5 * reg * sq
        return loss

    # ------------------------------------------------------------------ backward
    def backward(
        self, x: np.ndarray, v: _Views, alpha: float, Ws: list[np.ndarray],
        fused: list[tuple[np.ndarray, float] | None] | None = None,
    ) -> None:
        """``alpha * b`` times the gradients of the mean data loss into ``gW``/``gb``.

        ``alpha = 1 / b`` gives the gradients; ``-lr / b`` gives ``-lr`` times them.
        Regularisation is not included (see :meth:`add_reg`). Uses what :meth:`forward`
        left in the workspace ``v``; no dX for the first layer. fused: per layer, None or
        ``(C, beta)``: that layer's weight gradient goes into ``C = grad + beta * C``
        (one BLAS call, see :class:`_Blas`) instead of into ``gW``.
        """
        dot = np.dot
        s, rowsum = v.acts[-1], v.rowsum
        # delta of the scores: alpha * (P - Y), P = exp / rowsum
        np.divide(alpha, rowsum, out=rowsum)
        np.multiply(s, v.rowsum_col, out=s)
        sf = v.scores_flat
        sf[v.flat] -= alpha
        delta = s
        gW, gb, ones = self.gW, self.gb, v.ones
        for i in range(self.L - 1, -1, -1):
            h = v.acts[i - 1] if i else x
            if i:
                dh = v.dhs[i - 1]
                dot(delta, Ws[i].T, out=dh)  # first: a fused update below may change W
            f = fused[i] if fused is not None else None
            if f is None:
                dot(h.T, delta, out=gW[i])
            else:
                _blas.gemm_tn(h, delta, f[0], 1.0, f[1])  # type: ignore[union-attr]
            dot(ones, delta, out=gb[i])  # column sums
            if i:
                # ReLU backward, dh * (h > 0) as in layers.relu_backward; the mask is made
                # in the float dtype (a bool one would make multiply allocate a cast buffer)
                mask = v.masks[i - 1]
                np.greater(h, 0, out=mask)
                np.multiply(dh, mask, out=dh)
                delta = dh

    def add_reg(self, Ws: list[np.ndarray], scratch: list[np.ndarray] | None = None) -> None:
        """``gW[i] += reg * Ws[i]`` through weight-sized scratch arrays (made once if None)."""
        reg = self.model.reg
        if not reg:
            return
        if scratch is None:
            if self._reg_scratch is None:
                self._reg_scratch = [np.empty_like(g) for g in self.gW]
            scratch = self._reg_scratch
        for g, w, s in zip(self.gW, Ws, scratch):
            np.multiply(w, reg, out=s)
            np.add(g, s, out=g)

    # ------------------------------------------------------------------ reference API
    def loss_and_grads(
        self, X: np.ndarray, y: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Same result as ``model._loss_and_grads(X, y)`` on validated X (N, D), y (N,).

        The gradient arrays are workspace buffers: the next call overwrites them.
        """
        p = self.model.params
        Ws = [p[f"W{i}"] for i in range(1, self.L + 1)]
        bs = [p[f"b{i}"] for i in range(1, self.L + 1)]
        v = self.views(X.shape[0])
        x = np.ascontiguousarray(X, dtype=self.dtype)
        y = np.asarray(y, dtype=np.int64)
        loss = self.forward(x, y, v, Ws, bs)
        self.backward(x, v, 1.0 / v.b, Ws)
        self.add_reg(Ws)
        return loss, self.grads


class FastStep:
    """One training step (gather, forward, backward, optimiser update) per call.

    model, optimizer: the trainer's; X, y: validated training data (C-contiguous, the
    model's dtype; int64 labels); batch_size: the configured batch size; prefetch: gather
    the next batch on a background thread during the optimiser update (None:
    :data:`PREFETCH`).

    ``step(order, start)`` trains on the rows ``order[start:start + batch_size]`` and
    returns the minibatch loss (data + regularisation). A non-finite loss is returned
    *without* an update (the caller handles divergence), exactly like the reference loop
    which checks the loss before ``optimizer.step``.
    """

    def __init__(
        self,
        model: MLP,
        optimizer: Optimizer,
        X: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        prefetch: bool | None = None,
    ) -> None:
        self.model = model
        self.X, self.y = X, y
        self.B = batch_size
        cap = min(batch_size, X.shape[0])
        self.prefetch = bool(PREFETCH if prefetch is None else prefetch)
        self.net = FastMLP(model, cap)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: tuple[Any, int, Future] | None = None
        self.bind(optimizer)

    # ------------------------------------------------------------------ binding
    def bind(self, optimizer: Optimizer) -> None:
        """(Re)attach to the model's current parameter arrays and the optimiser's state."""
        self.optimizer = optimizer
        params = self.model.params
        L = self.net.L
        self.keys = [k for i in range(1, L + 1) for k in (f"W{i}", f"b{i}")]
        self.arrays = [params[k] for k in self.keys]
        self.Ws, self.bs = self.arrays[0::2], self.arrays[1::2]
        self.grad_list = [g for pair in zip(self.net.gW, self.net.gb) for g in pair]
        kind = type(optimizer)
        if kind is SGD:
            self.kind = "sgd"
        elif kind is Momentum:
            self.kind = "nesterov" if optimizer.nesterov else "momentum"
        elif kind in (Adam, RMSprop):
            self.kind = "generic"  # the true gradient, then the optimiser's own _update
        else:
            self.kind = "step"  # an unknown optimiser: its public step()
        self.state: list[tuple[np.ndarray, ...]] = []
        self.scratch: list[np.ndarray] = []
        if self.kind != "step":
            for k, w in zip(self.keys, self.arrays):
                self.state.append(tuple(optimizer._buffer(slot, k, w) for slot in optimizer.slots))
                s = optimizer._scratch.get(k)
                if s is None or s.shape != w.shape or s.dtype != w.dtype:
                    s = optimizer._scratch[k] = np.empty_like(w)
                self.scratch.append(s)
        # weights updated inside their gradient's multiply (SGD, momentum; large weights)
        self.fuse = [
            self.kind in ("sgd", "momentum") and w.size >= FUSE_MIN_SIZE
            and w.flags.c_contiguous and blas().available
            for w in self.Ws
        ]
        # per parameter: (w, g, state..., scratch, is_weight)
        self.plan = [
            (w, g, st, s, j % 2 == 0)
            for j, (w, g, st, s) in enumerate(
                zip(self.arrays, self.grad_list, self.state or [()] * len(self.arrays),
                    self.scratch or [None] * len(self.arrays)))
        ]
        self._opt_state = optimizer._state
        self._opt_scratch = optimizer._scratch

    def is_bound(self, optimizer: Optimizer) -> bool:
        """False if the parameters or the optimiser (state) were replaced since :meth:`bind`."""
        if optimizer is not self.optimizer or optimizer._state is not self._opt_state or (
            optimizer._scratch is not self._opt_scratch
        ):
            return False
        params = self.model.params
        for k, w in zip(self.keys, self.arrays):
            if params.get(k) is not w:
                return False
        return True

    # ------------------------------------------------------------------ gather
    def _batch(self, order: np.ndarray, start: int) -> tuple[np.ndarray, _Views]:
        """The batch ``order[start:start + B]``: its rows (gathered or prefetched), workspace."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending[2].result()  # never leave a gather writing into the buffers
        idx = order[start : start + self.B]
        v = self.net.views(idx.shape[0])
        np.take(self.y, idx, out=v.y, mode="clip")
        if pending is None or pending[0] is not order or pending[1] != start:
            np.take(self.X, idx, axis=0, out=v.x, mode="clip")
        return v.x, v

    def _prefetch(self, order: np.ndarray, start: int) -> None:
        """Start gathering the batch after ``start`` into the (now free) gather buffer."""
        nxt = start + self.B
        if nxt >= order.shape[0]:
            return
        nidx = order[nxt : nxt + self.B]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="numpynn-prefetch")
        buf = self.net.views(nidx.shape[0]).x
        self._pending = (order, nxt, self._pool.submit(_gather_into, self.X, nidx, buf))

    def close(self) -> None:
        """Wait for a pending prefetch and stop the background thread."""
        if self._pending is not None:
            self._pending[2].result()
            self._pending = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # ------------------------------------------------------------------ the step
    def __call__(self, order: np.ndarray, start: int, optimizer: Optimizer) -> float:
        """:meth:`step`, after re-binding if the parameters or ``optimizer`` were replaced."""
        if not self.is_bound(optimizer):
            self.bind(optimizer)
        return self.step(order, start)

    def step(self, order: np.ndarray, start: int) -> float:
        """Train on ``order[start:start + batch_size]``; returns the minibatch loss."""
        net = self.net
        x, v = self._batch(order, start)
        Ws = self.Ws
        loss = net.forward(x, v.y, v, Ws, self.bs)
        if not math.isfinite(loss):
            return loss  # no update: the caller raises DivergenceError
        opt = self.optimizer
        kind = self.kind
        prefetch = self.prefetch
        if kind == "step":
            net.backward(x, v, 1.0 / v.b, Ws)
            if prefetch:
                self._prefetch(order, start)
            net.add_reg(Ws)
            opt.step(self.model.params, net.grads)
            return loss
        opt.t += 1
        if kind == "generic":
            net.backward(x, v, 1.0 / v.b, Ws)
            if prefetch:
                self._prefetch(order, start)
            net.add_reg(Ws, self.scratch[0::2])
            opt._prepare()
            update = opt._update
            for w, g, st, s, _ in self.plan:
                update(w, g, st, s)
            return loss
        # SGD, momentum, Nesterov: the backward pass yields g = -lr * (data gradient)
        lr = opt.lr
        multiply, add = np.multiply, np.add
        c = lr * self.model.reg  # regularisation adds -c * W to g
        fuse = self.fuse
        fused = None
        if any(fuse):
            if kind == "sgd":  # W = (1 - c) W + g inside the multiply
                fused = [(w, 1.0 - c) if f else None for w, f in zip(self.Ws, fuse)]
            else:  # v = mu v + g inside the multiply
                mu = opt.momentum
                fused = [(st[0], mu) if f else None
                         for st, f in zip(self.state[0::2], fuse)]
        net.backward(x, v, -lr / v.b, Ws, fused)
        if prefetch:  # x is no longer needed: gather the next batch during the update
            self._prefetch(order, start)
        if kind == "sgd":  # w -= lr * (dW + reg W)
            for j, (w, g, _, _, is_w) in enumerate(self.plan):
                if is_w and fuse[j // 2]:
                    continue
                if c and is_w:
                    multiply(w, 1.0 - c, out=w)
                add(w, g, out=w)
            return loss
        mu = opt.momentum
        if kind == "momentum":  # v = mu v - lr (dW + reg W); w += v
            for j, (w, g, (vel,), s, is_w) in enumerate(self.plan):
                if is_w and fuse[j // 2]:
                    if c:
                        _blas.axpy(-c, w, vel)  # type: ignore[union-attr]
                    _blas.axpy(1.0, vel, w)  # type: ignore[union-attr]
                    continue
                multiply(vel, mu, out=vel)
                add(vel, g, out=vel)
                if c and is_w:
                    multiply(w, c, out=s)
                    np.subtract(vel, s, out=vel)
                add(w, vel, out=w)
            return loss
        # Nesterov: v = mu v - lr dw; w += mu v - lr dw (dw = dW + reg W)
        for w, g, (vel,), s, is_w in self.plan:
            if c and is_w:
                multiply(w, -c, out=s)
                add(g, s, out=g)
            multiply(vel, mu, out=vel)
            add(vel, g, out=vel)
            add(w, g, out=w)
            multiply(vel, mu, out=s)
            add(w, s, out=w)
        return loss


def _gather_into(X: np.ndarray, idx: np.ndarray, buf: np.ndarray) -> np.ndarray:
    np.take(X, idx, axis=0, out=buf, mode="clip")
    return buf



# --------------------------------------------------------------------------- prediction

#: Rows per chunk of :func:`predict_proba`: activations of a chunk stay in cache.
PREDICT_CHUNK = 4096


def predict_proba(model: MLP, X: Any) -> np.ndarray:
    """``softmax(model._scores(check_features(X)))``, computed chunk by chunk in place.

    The reference validates X with ``np.isfinite(X).all()`` (a pass over all of X and a
    boolean array of its size) and allocates every layer's output for all rows. Here a
    C-contiguous float X of the model's dtype is used as it is; its finiteness is read off
    the first layer's pre-activations (an inf or NaN anywhere in a row makes every entry of
    that row of ``X @ W1`` inf or NaN), and only if those are not finite is X checked the
    reference way (raising the same error). Other inputs take the reference path.
    """
    from .validation import check_features

    arr = X if isinstance(X, np.ndarray) else None
    if (
        arr is None
        or type(model)._scores is not MLP._scores
        or arr.ndim != 2
        or arr.dtype != model.dtype
        or not arr.flags.c_contiguous
        or arr.shape[0] == 0
        or arr.shape[1] != model.input_dim
    ):
        return model._predict_proba_reference(X)
    N = arr.shape[0]
    L = model.num_layers
    Ws = [model.params[f"W{i}"] for i in range(1, L + 1)]
    bs = [model.params[f"b{i}"] for i in range(1, L + 1)]
    out = np.empty((N, model.num_classes), model.dtype)
    rows = min(N, PREDICT_CHUNK)
    acts = [np.empty((rows, W.shape[1]), model.dtype) for W in Ws[:-1]]
    rowbuf = np.empty((rows, 1), model.dtype)
    checked = False
    for start in range(0, N, rows):
        xc = arr[start : start + rows]
        n = xc.shape[0]
        h = xc
        for i in range(L - 1):
            a = acts[i][:n]
            np.dot(h, Ws[i], out=a)
            if i == 0 and not checked and not np.isfinite(np.add.reduce(a, axis=None)):
                check_features(X, model.input_dim, model.dtype)  # raises if X is not finite
                checked = True  # finite X: the overflow is the model's, as in the reference
            np.add(a, bs[i], out=a)
            np.maximum(a, 0, out=a)
            h = a
        s = out[start : start + n]
        np.dot(h, Ws[-1], out=s)
        np.add(s, bs[-1], out=s)
        r = rowbuf[:n]
        np.maximum.reduce(s, axis=1, out=r[:, 0])
        np.subtract(s, r, out=s)
        np.exp(s, out=s)
        np.add.reduce(s, axis=1, out=r[:, 0])
        np.divide(s, r, out=s)
    return out
