"""The training engine: a :class:`~numpynn.models.Network` compiled into a training step
for one batch size.

``Network.loss`` is written for reading: every layer call returns fresh arrays. The engine
computes the same loss and gradients (tests assert agreement to float tolerance) with:

* **preallocated workspaces** for one batch capacity (views of their first rows serve the
  shorter last batch of an epoch), every NumPy call writing through ``out=``: a step
  allocates no array of a weight's size;
* **each layer's kernel** (:class:`numpynn.layers.Kernel`; in place where the kernel allows
  it), or its readable pair through :class:`numpynn.layers.ReferenceKernel`; a kernel is
  used only if it belongs to the class that defines the layer's forward and backward, so
  a subclass that overrides the pair is run through its own code;
* **the loss's kernel** (fused softmax cross-entropy in place);
* **no input gradient for the first layer**;
* **the optimiser's update folded in** when it describes itself by a
  :class:`numpynn.training.optim.Fusion` (SGD, momentum, Nesterov): the delta of the scores is
  scaled by ``-lr / b`` instead of ``1 / b``, so every gradient comes out already
  multiplied by ``-lr``, and for large affine weights the update happens inside the
  multiply that computes the gradient (``gemm`` with ``beta``, :mod:`numpynn.training.blas`).
  Other optimisers receive the true gradient through their public ``update``.

:class:`Engine` computes loss and gradients; :class:`TrainStep` is what
:class:`numpynn.training.trainer.Trainer` calls once per minibatch. The engine is used only for
models :func:`supports` accepts; everything else trains through ``model.loss``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..layers import GradSink, Kernel, Layer, ReferenceKernel
from ..layers.base import Arrays
from ..losses import Loss, LossKernel
from ..models import Network
from .blas import FUSE_MIN_SIZE, blas
from .optim import Optimizer

__all__ = ["Engine", "FlatParams", "TrainStep", "faithful_kernel", "flat_views", "supports"]


def _owner(cls: type, attr: str) -> type | None:
    """The class in ``cls``'s MRO whose body defines ``attr``."""
    return next((c for c in cls.__mro__ if attr in c.__dict__), None)


def _kernel_is_faithful(cls: type, kernel: type | None, pair: tuple[str, ...]) -> bool:
    """True if ``kernel`` was declared by (or below) the class that defines ``pair``."""
    if kernel is None:
        return True
    owner = _owner(cls, "kernel")
    return owner is not None and all(
        issubclass(owner, _owner(cls, name) or object) for name in pair)


def faithful_kernel(layer: Layer, input_dim: int, dtype: Any, capacity: int) -> Kernel:
    """The layer's kernel if it computes what the layer's readable pair computes (it was
    declared by the class defining ``forward``/``backward``), else the pair in an adapter."""
    cls = type(layer)
    kernel = cls.kernel if _kernel_is_faithful(cls, cls.kernel, ("forward", "backward")) else (
        None)
    return (kernel or ReferenceKernel)(layer, input_dim, np.dtype(dtype), capacity)


def _loss_kernel(loss: Loss, n_outputs: int, dtype: Any, capacity: int) -> LossKernel:
    cls = type(loss)
    kernel = cls.kernel if _kernel_is_faithful(cls, cls.kernel, ("__call__",)) else None
    return (kernel or LossKernel)(loss, n_outputs, np.dtype(dtype), capacity)


def supports(model: Any) -> bool:
    """True if the engine computes what ``model.loss`` computes: a :class:`Network` whose
    ``loss`` (and reference forward) are not overridden."""
    return (isinstance(model, Network)
            and type(model).loss is Network.loss
            and type(model)._forward_reference is Network._forward_reference
            and "loss" not in vars(model))  # nor replaced on the instance


class _Sink(GradSink):
    """A layer's gradient buffers, with optional fused targets for ``a.T @ b`` gradients:
    ``fused[name] = (C, beta)`` makes :meth:`matmul_tn` compute ``C = a.T b + beta C``
    through BLAS instead of writing the gradient; ``done`` records which ones it did."""

    def __init__(self, buffers: Arrays) -> None:
        super().__init__(buffers)
        self.fused: dict[str, tuple[np.ndarray, float]] = {}
        self.done: set[str] = set()

    def matmul_tn(self, name: str, a: np.ndarray, b: np.ndarray) -> None:
        target = self.fused.get(name)
        if target is None:
            np.dot(a.T, b, out=self.buffers[name])
        else:
            blas().gemm_tn(a, b, target[0], 1.0, target[1])
            self.done.add(name)


class Engine:
    """Training-mode forward and backward of ``model`` in preallocated buffers.

    capacity: the largest batch the workspaces hold (a larger one grows them). Gradients
    are written into :attr:`grads` (keys of ``model.params``), overwritten by every call.
    """

    def __init__(self, model: Network, capacity: int) -> None:
        self.model = model
        self.dtype = model.dtype
        # the gradients: views of one flat array (an elementwise optimiser updates them
        # all at once, :class:`FlatParams`)
        self.flat_grad, self.grads = flat_views(model.params, self.dtype)
        self.sinks = [_Sink({local: self.grads[key] for local, key in keymap.items()
                             if key in self.grads}) for keymap in model.keys]
        self._reg_scratch: dict[str, np.ndarray] = {}
        self.capacity = 0
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        m, dt = self.model, self.dtype
        dims = m.dims
        self.capacity = capacity
        self.kernels = [faithful_kernel(layer, d, dt, capacity)
                        for layer, d in zip(m.layers, dims)]
        self.loss_kernel = _loss_kernel(m.loss_fn, m.num_outputs, dt, capacity)
        acts: list[np.ndarray] = []
        for i, k in enumerate(self.kernels):
            if i and k.inplace and not self.kernels[i - 1].reads_output:
                acts.append(acts[i - 1])  # the kernel overwrites its input
            else:
                acts.append(np.empty((capacity, dims[i + 1]), dt))
        self.acts = acts
        # the loss overwrites the scores, unless the last kernel reads them in backward
        self.loss_buf = (np.empty((capacity, dims[-1]), dt) if self.kernels[-1].reads_output
                         else acts[-1])
        self.dxs: list[np.ndarray | None] = [
            None if (i == 0 or k.inplace) else np.empty((capacity, dims[i]), dt)
            for i, k in enumerate(self.kernels)]

    def _local(self) -> tuple[list[Arrays], list[Arrays]]:
        m = self.model
        n = len(m.layers)
        return [m._local(i, m.params) for i in range(n)], [m._local(i, m.buffers)
                                                           for i in range(n)]

    def forward(self, x: np.ndarray, y: np.ndarray,
                sample_weight: np.ndarray | None = None) -> float:
        """Training-mode loss (mean data loss + L2 term) of the batch x: (b, D), y: (b,...),
        optionally weighted by sample_weight: (b,) (see the loss).

        x must be C-contiguous in the model's dtype; running statistics are updated and
        random layers draw from ``model.rng``, as in ``model.loss(X, y)``.
        """
        b = x.shape[0]
        if b > self.capacity:
            self._allocate(b)
        params, buffers = self._local()
        rng = self.model.rng
        h = x
        for i, k in enumerate(self.kernels):
            out = self.acts[i][:b]
            k.forward(h, out, params[i], buffers[i], True, rng)
            h = out
        scores = self.loss_buf[:b]
        if scores is not h:
            np.copyto(scores, h)
        self._b = b
        loss = self.loss_kernel.forward(scores, y, sample_weight)
        reg = self.model.reg
        if reg:
            vdot = np.vdot
            p = self.model.params
            loss += 0.5 * reg * sum(float(vdot(p[k], p[k])) for k in self.model.decay_keys)
        return loss

    def backward(self, alpha: float) -> None:
        """``alpha * b`` times the gradients of the mean data loss into :attr:`grads` (or
        into fused targets, see :class:`_Sink`). ``alpha = 1 / b`` gives the gradients;
        ``-lr / b`` gives ``-lr`` times them. The L2 term is not included
        (:meth:`add_reg`). Uses what :meth:`forward` left in the workspaces."""
        b = self._b
        delta = self.loss_buf[:b]
        self.loss_kernel.backward(alpha, delta)  # eq. 1, scaled
        for i in range(len(self.kernels) - 1, -1, -1):
            k = self.kernels[i]
            dx_buf = self.dxs[i]
            dx = None if i == 0 else (delta if dx_buf is None else dx_buf[:b])
            self.sinks[i].done.clear()
            k.backward(delta, dx, self.sinks[i])
            delta = dx

    def add_reg(self, scale: float) -> None:
        """``grads[k] += scale * reg * params[k]`` for every penalised parameter."""
        reg = self.model.reg
        if not reg:
            return
        p = self.model.params
        lib = blas()
        for k in self.model.decay_keys:
            w, g = p[k], self.grads[k]
            if lib.available and w.size >= FUSE_MIN_SIZE and w.flags.c_contiguous and (
                    w.dtype == g.dtype):
                lib.axpy(scale * reg, w, g)  # one pass, no scratch
                continue
            s = self._reg_scratch.get(k)
            if s is None:
                s = self._reg_scratch[k] = np.empty_like(p[k])
            np.multiply(p[k], scale * reg, out=s)
            np.add(self.grads[k], s, out=self.grads[k])

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray,
                       sample_weight: np.ndarray | None = None
                       ) -> tuple[float, dict[str, np.ndarray]]:
        """Same result as ``model.loss(X, y, sample_weight=...)`` on validated X (N, D), y:
        the gradient arrays are workspace buffers, overwritten by the next call."""
        x = np.ascontiguousarray(X, dtype=self.dtype)
        loss = self.forward(x, y, sample_weight)
        self.backward(1.0 / x.shape[0])
        self.add_reg(1.0)
        return loss, self.grads


def flat_views(arrays: Mapping[str, np.ndarray], dtype: Any
               ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A flat array of ``dtype`` holding one element per element of ``arrays``, and a
    view of it shaped like each array (in ``arrays``' order); values undefined."""
    flat = np.empty(sum(a.size for a in arrays.values()), dtype)
    views, start = {}, 0
    for key, a in arrays.items():
        views[key] = flat[start : start + a.size].reshape(a.shape)
        start += a.size
    return flat, views


class FlatParams:
    """While a Trainer trains: the model's parameters and the optimiser's state as views
    of flat arrays laid out as the engine's gradients, so that an elementwise optimiser
    (Adam, RMSprop) updates every parameter in one call instead of one call per
    parameter (on a 10-100-3 network, Adam's step: 10 us against 32).

    The model's ``params`` entries are the views until :meth:`release`, which copies the
    values back into the model's own arrays and puts them back in ``params``; the
    optimiser keeps copies of its state. :meth:`applies` says when it can be used."""

    def __init__(self, model: Network, engine: Engine, optimizer: Optimizer) -> None:
        self.model, self.optimizer = model, optimizer
        self.own = dict(model.params)
        self.w, views = flat_views(self.own, engine.dtype)
        for key, v in views.items():
            np.copyto(v, self.own[key])
            model.params[key] = v
        self.g = engine.flat_grad
        self.state = []
        for slot in optimizer.slots:
            flat, slot_views = flat_views(self.own, engine.dtype)
            for key, v in slot_views.items():
                optimizer.adopt(slot, key, v)
            self.state.append(flat)
        self.s = np.empty_like(self.w)

    @staticmethod
    def applies(model: Network, optimizer: Optimizer) -> bool:
        """An elementwise optimiser that the engine does not fuse, and parameters all of
        the model's dtype, C-contiguous."""
        return (optimizer.fusion() is None and optimizer.elementwise()
                and all(p.dtype == model.dtype and p.flags.c_contiguous
                        for p in model.params.values()))

    def step(self) -> None:
        """Every parameter's update, after the gradients are in ``engine.grads``."""
        self.optimizer.update_flat(self.w, self.g, self.state, self.s)

    def release(self) -> None:
        """The values back into the model's own arrays (and those back in ``params``);
        the optimiser's state into arrays of its own."""
        for key, own in self.own.items():
            np.copyto(own, self.model.params[key])
            self.model.params[key] = own
        for slot in self.optimizer.slots:
            for key in self.own:
                self.optimizer.adopt(slot, key, np.empty_like(self.own[key]))


class TrainStep:
    """One training step (gather, forward, backward, optimiser update) per call.

    model: the trainer's; X, y: validated training data (C-contiguous, the model's dtype;
    targets as the loss checked them); batch_size: the configured size; sample_weight:
    (N,) weights of the rows, or None; augment: called as ``augment(x, rng)`` on each
    gathered batch x (b, D) to change it in place (random translations:
    :class:`numpynn.training.augment.Shift`), drawing from ``rng`` (the trainer's), or None.
    ``step(order, start, optimizer)`` trains on ``order[start:start + batch_size]`` and
    returns the minibatch loss. A non-finite loss is returned *without* an update (the
    caller handles divergence), as the reference loop checks the loss before its update.
    """

    def __init__(self, model: Network, X: np.ndarray, y: np.ndarray, batch_size: int,
                 sample_weight: np.ndarray | None = None,
                 augment: Callable[[np.ndarray, np.random.Generator], None] | None = None,
                 rng: np.random.Generator | None = None) -> None:
        self.model = model
        self.X, self.y, self.w = X, y, sample_weight
        if augment is not None and rng is None:
            raise ValueError("an augmented TrainStep needs the generator it draws from (rng)")
        self.augment, self.rng = augment, rng
        self.B = batch_size
        cap = min(batch_size, X.shape[0])
        self.engine = Engine(model, cap)
        self._x = np.empty((cap, X.shape[1]), model.dtype)
        self._y = np.empty((cap, *y.shape[1:]), y.dtype)
        self._w = None if sample_weight is None else np.empty(cap, np.float64)
        self._scratch: dict[str, np.ndarray] = {}
        self.flat: FlatParams | None = None  # set by the Trainer while it trains

    def __call__(self, order: np.ndarray, start: int, optimizer: Optimizer) -> float:
        x, y, w = self.gather(order, start)
        loss = self.engine.forward(x, y, w)
        if not math.isfinite(loss):
            return loss  # no update: the caller raises DivergenceError
        self.update(optimizer)
        return loss

    def gather(self, order: np.ndarray, start: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The minibatch ``order[start:start + batch_size]`` copied into the step's buffers:
        x (b, D) (augmented, when the step augments), y (b, ...), the sample weights (b,)
        or None (views, overwritten by the next call)."""
        idx = order[start : start + self.B]
        b = idx.shape[0]
        if b > self._x.shape[0]:
            self._x = np.empty((b, self.X.shape[1]), self.model.dtype)
            self._y = np.empty((b, *self.y.shape[1:]), self.y.dtype)
            self._w = None if self.w is None else np.empty(b, np.float64)
        x, y = self._x[:b], self._y[:b]
        np.take(self.X, idx, axis=0, out=x, mode="clip")  # mode="raise" buffers: 3x slower
        np.take(self.y, idx, axis=0, out=y, mode="clip")
        if self.augment is not None:
            self.augment(x, self.rng)
        w = None
        if self.w is not None:
            w = self._w[:b]
            np.take(self.w, idx, out=w, mode="clip")
        return x, y, w

    def update(self, optimizer: Optimizer) -> None:
        """Backward pass and optimiser step after :meth:`Engine.forward` of a batch."""
        engine = self.engine
        b = engine._b
        fusion = optimizer.fusion()
        optimizer.begin_step()
        if fusion is None or fusion.rule not in ("sgd", "momentum", "nesterov"):
            engine.backward(1.0 / b)
            engine.add_reg(1.0)
            if self.flat is not None and self.flat.optimizer is optimizer:
                self.flat.step()
                return
            for key, w in self.model.params.items():
                optimizer.update(key, w, engine.grads[key])
            return
        self._fused_step(fusion, optimizer, b)

    def _fused_step(self, fusion: Any, optimizer: Optimizer, b: int) -> None:
        """SGD, momentum, Nesterov: the backward pass yields g = -lr * (data gradient)."""
        engine, model = self.engine, self.model
        params, grads = model.params, engine.grads
        lr, mu, rule = fusion.lr, fusion.momentum, fusion.rule
        c = lr * model.reg  # the L2 term adds -c * W to g
        decay = set(model.decay_keys) if c else set()
        velocity = {} if rule == "sgd" else {k: optimizer.state("v", k, w)
                                             for k, w in params.items()}
        fusable = blas().available and rule != "nesterov"
        for sink, keymap in zip(engine.sinks, model.keys):
            sink.fused.clear()
            if not fusable:
                continue
            for local, key in keymap.items():
                w = params.get(key)
                if key in model.decay_keys and w is not None and w.size >= FUSE_MIN_SIZE and (
                        w.flags.c_contiguous):
                    # sgd: W = (1 - c) W + g; momentum: v = mu v + g, inside the multiply
                    sink.fused[local] = (w, 1.0 - c) if rule == "sgd" else (velocity[key], mu)
        engine.backward(-lr / b)
        done = {keymap[local] for sink, keymap in zip(engine.sinks, model.keys)
                for local in sink.done}
        multiply, add = np.multiply, np.add
        for key, w in params.items():
            g = grads[key]
            if rule == "sgd":
                if key in done:
                    continue
                if key in decay:
                    multiply(w, 1.0 - c, out=w)
                add(w, g, out=w)
            elif rule == "momentum":
                vel = velocity[key]
                if key in done:
                    if key in decay:
                        blas().axpy(-c, w, vel)
                    blas().axpy(1.0, vel, w)
                    continue
                multiply(vel, mu, out=vel)
                add(vel, g, out=vel)
                if key in decay:
                    s = self._scratch_for(key, w)
                    multiply(w, c, out=s)
                    np.subtract(vel, s, out=vel)
                add(w, vel, out=w)
            else:  # Nesterov: v = mu v - lr dw; w += mu v - lr dw (dw = dW + reg W)
                vel = velocity[key]
                s = self._scratch_for(key, w)
                if key in decay:
                    multiply(w, -c, out=s)
                    add(g, s, out=g)
                multiply(vel, mu, out=vel)
                add(vel, g, out=vel)
                add(w, g, out=w)
                multiply(vel, mu, out=s)
                add(w, s, out=w)

    def _scratch_for(self, key: str, w: np.ndarray) -> np.ndarray:
        s = self._scratch.get(key)
        if s is None or s.shape != w.shape:
            s = self._scratch[key] = np.empty_like(w)
        return s
