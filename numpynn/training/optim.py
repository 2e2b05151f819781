"""First-order optimisers that update parameter arrays in place.

Parameters are a ``dict[str, np.ndarray]`` (``{"W1": (D, H), "b1": (H,), ...}``) and the
gradients a dict with exactly the same keys, shapes and dtypes. ``step(params, grads)``
writes the new values into the very arrays held in ``params`` (a model keeps references to
them), so no entry of ``params`` is ever rebound.

The update rules follow the conventions of CS231n's ``optim.py``. For a parameter ``w``
with gradient ``dw`` and learning rate ``lr``:

* ``SGD``:       ``w -= lr * dw``
* ``Momentum``:  ``v = mu * v - lr * dw; w += v``
* Nesterov:      ``v_prev = v; v = mu * v - lr * dw; w += -mu * v_prev + (1 + mu) * v``
* ``RMSprop``:   ``cache = dr * cache + (1 - dr) * dw**2; w -= lr * dw / (sqrt(cache) + eps)``
* ``Adam``:      ``t += 1; m = b1 * m + (1 - b1) * dw; v = b2 * v + (1 - b2) * dw**2;``
  ``w -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)``

Performance: each optimiser keeps its state arrays (``v``, ``cache``, ``m``...) and one
scratch array per parameter, allocated on the first step in the parameter's dtype, and
computes every update with NumPy ufuncs writing into those buffers (``out=``). After the
first step, ``step`` allocates no array of a parameter's size. float32 parameters stay
float32 throughout.

Checkpoints: ``state_dict()`` returns::

    {
        "name": "adam",                      # one of OPTIMIZERS
        "hyper": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-08},
        "t": 3,                              # number of steps taken so far
        "arrays": {"m/W1": ndarray, "v/W1": ndarray, "m/b1": ndarray, ...},
    }

``"name"``, ``"hyper"`` and ``"t"`` hold plain Python scalars (JSON-serialisable);
``"arrays"`` maps ``"<slot>/<param key>"`` to a copy of each state array (slots: ``v`` for
momentum and Nesterov, ``cache`` for RMSprop, ``m`` and ``v`` for Adam, none for SGD).
``load_state_dict`` on a fresh optimiser of the same kind (or
:func:`optimizer_from_state_dict`) restores it so that training resumes bit for bit.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from numpynn.errors import InputError
from numpynn.named import Hyper, Registry, check_hyper, check_state_header
from numpynn.training.blas import FUSE_MIN_SIZE, blas
from numpynn.validation import Rule, check_int, check_number

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Hyper",
    "Fusion",
    "Adam",
    "Momentum",
    "Optimizer",
    "RMSprop",
    "make_optimizer",
    "optimizer_from_state_dict",
]

#: every optimiser by name: ``OPTIMIZERS.names()``, ``OPTIMIZERS.build(name, lr, **hyper)``;
#: a class joins with ``@OPTIMIZERS.register(name)``
OPTIMIZERS: Registry[Optimizer] = Registry("optimizer")
#: a decay rate or moment coefficient: [0, 1)
_UNIT = Rule("number", low=0, high=1, high_open=True)
#: a denominator's guard: > 0
_EPS = Rule("number", low=0, low_open=True)


# --------------------------------------------------------------------------- fusion


@dataclass(frozen=True)
class Fusion:
    """An update rule an engine may compute inside its own passes (public contract).

    rule ``"sgd"``: ``w -= lr * dw``; ``"momentum"``: ``v = mu * v - lr * dw; w += v``;
    ``"nesterov"``: ``v = mu * v - lr * dw; w += mu * v - lr * dw`` (the same result as
    :class:`Momentum` with ``nesterov=True``), where ``v`` is ``state("v", key, w)``.
    An engine that applies a rule must call :meth:`Optimizer.begin_step` once per step
    and leave ``t`` and the state arrays as :meth:`Optimizer.step` would.
    """

    rule: str
    lr: float
    momentum: float = 0.0


# --------------------------------------------------------------------------- base class


class Optimizer(ABC):
    """Base class: validation, lazily allocated state and scratch buffers, checkpoints.

    Subclasses register a name (``@OPTIMIZERS.register("adam")``), declare ``hyper`` (their
    hyper-parameters besides ``lr``: default and rule, read as attributes of the same name)
    and ``slots`` (the names of their per-parameter state arrays), and implement
    ``_update`` for one parameter.

    Attributes:
        lr: learning rate (float >= 0); may be changed between steps, e.g. by a schedule.
        t: number of steps taken so far.
    """

    hyper: ClassVar[dict[str, Hyper]] = {}
    slots: ClassVar[tuple[str, ...]] = ()

    def __init__(self, lr: float, *args: Any, **hyper: Any) -> None:
        self._set_hyper({"lr": lr, **hyper}, args)
        self.t: int = 0
        # self._state[slot][key]: state array of the parameter `key`, same shape and dtype.
        self._state: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self.slots}
        # self._scratch[key]: work array the size of parameter `key`; never checkpointed.
        self._scratch: dict[str, np.ndarray] = {}

    # ---- learning rate -------------------------------------------------------------
    @property
    def lr(self) -> float:
        """Learning rate used by the next ``step``."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_number(value, "lr", low=0.0)

    @property
    def name(self) -> str:
        """The name this optimiser is registered under (``OPTIMIZERS.name_of``)."""
        return OPTIMIZERS.name_of(self)

    # ---- hyper-parameters --------------------------------------------------------------
    def _hyper(self) -> dict[str, Any]:
        """Hyper-parameters as plain Python scalars, ``lr`` included."""
        return {"lr": self._lr, **{k: getattr(self, k) for k in self.hyper}}

    def _set_hyper(self, hyper: dict[str, Any], positional: tuple[Any, ...] = ()) -> None:
        """Set ``lr`` and the declared hyper-parameters (defaults for those not given; any
        ``positional`` ones in declared order), all checked before any is set."""
        rest = dict(hyper)
        lr = check_number(rest.pop("lr"), "lr", low=0.0)
        values = check_hyper(self.hyper, rest, type(self).__name__, positional)
        self._lr = lr
        for k, v in values.items():
            setattr(self, k, v)

    # ---- hooks for subclasses ------------------------------------------------------
    def _prepare(self) -> None:
        """Called once per step after ``t`` is incremented, before the updates."""
        return None  # a hook: subclasses with extra state override it

    @abstractmethod
    def _update(
        self, w: np.ndarray, dw: np.ndarray, state: tuple[np.ndarray, ...], s: np.ndarray
    ) -> None:
        """Update one parameter in place.

        Args:
            w: the parameter, any shape; written in place.
            dw: its gradient, same shape and dtype; read only.
            state: this parameter's state arrays, one per entry of ``slots``, same shape
                and dtype as ``w``; written in place.
            s: scratch array, same shape and dtype as ``w``; contents undefined on entry.
        """
        ...

    # ---- public API ----------------------------------------------------------------
    def step(self, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Apply one update to every parameter, in place.

        Args:
            params: ``{key: array}``; each array is floating point and writable, any shape.
                Updated in place; the dict itself is not modified.
            grads: ``{key: array}`` with exactly the keys of ``params`` and, for each key,
                the same shape and dtype as ``params[key]``. Not modified.

        Raises:
            InputError: keys, shapes or dtypes do not match (the message names the key),
                or a loaded state array does not fit its parameter. Nothing is updated.
        """
        self._check(params, grads)
        self.begin_step()
        for key, w in params.items():
            self.update(key, w, grads[key])

    # ---- the interface an engine uses ---------------------------------------------------
    def begin_step(self) -> None:
        """Start one step: count it (``t += 1``) and prepare per-step constants. Then call
        :meth:`update` once per parameter (or apply :meth:`fusion`'s rule)."""
        self.t += 1
        self._prepare()

    def update(self, key: str, w: np.ndarray, dw: np.ndarray) -> None:
        """Update the parameter ``key`` in place from its gradient, within a step opened by
        :meth:`begin_step`. w, dw: one shape and float dtype; dw is read only."""
        self._update(w, dw, tuple(self.state(slot, key, w) for slot in self.slots),
                     self.scratch(key, w))

    def fusion(self) -> Fusion | None:
        """How an engine may fold this update into its own arithmetic, or None (then it
        calls :meth:`update` with the true gradient). See :class:`Fusion`."""
        return None

    def elementwise(self) -> bool:
        """True if :meth:`update` treats every parameter alike, element by element (its
        rule, ``_update``, never sees the key): an engine may then update all parameters
        at once as one flat array (:meth:`update_flat`). A subclass that overrides
        ``update`` (a rule per parameter) is not."""
        return type(self).update is Optimizer.update

    def update_flat(self, w: np.ndarray, dw: np.ndarray, state: Sequence[np.ndarray],
                    s: np.ndarray) -> None:
        """One update of every parameter, within a step opened by :meth:`begin_step`, where
        w, dw, each slot's state (in ``slots`` order) and the scratch ``s`` are flat
        arrays of all parameters in one layout, the state arrays of each key being views
        of them (:meth:`adopt`). Only for an :meth:`elementwise` optimiser."""
        self._update(w, dw, tuple(state), s)

    def adopt(self, slot: str, key: str, arr: np.ndarray) -> None:
        """Make ``arr`` (the parameter's shape and dtype) the state ``slot`` of ``key``,
        its values those of the current state (zeros where there is none yet)."""
        old = self._state[slot].get(key)
        if old is None:
            arr.fill(0)
        else:
            np.copyto(arr, old, casting="unsafe")
        self._state[slot][key] = arr

    def state(self, slot: str, key: str, w: np.ndarray) -> np.ndarray:
        """The state array ``slot`` (one of ``slots``) of parameter ``key``, made (zeros, like
        ``w``) on first use. Engines applying :meth:`fusion` update it in place."""
        return self._buffer(slot, key, w)

    def scratch(self, key: str, w: np.ndarray) -> np.ndarray:
        """A work array the size of ``w`` (contents undefined), kept between steps."""
        s = self._scratch.get(key)
        if s is None or s.shape != w.shape or s.dtype != w.dtype:
            s = self._scratch[key] = np.empty_like(w)
        return s

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: see the module docstring for the layout.

        The arrays are copies: later steps do not change a state dict already taken.
        """
        arrays = {
            f"{slot}/{key}": arr.copy()
            for slot, per_key in self._state.items()
            for key, arr in per_key.items()
        }
        return {"name": self.name, "hyper": self._hyper(), "t": self.t, "arrays": arrays}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore hyper-parameters, step count and state arrays from ``state_dict()``.

        Raises:
            InputError: ``state`` is not a state dict of this kind of optimiser. On error
                the optimiser is left unchanged.
        """
        check_state_header(state, "optimizer", {"name", "hyper", "t", "arrays"}, self.name)
        hyper = state["hyper"]
        if not isinstance(hyper, Mapping) or set(hyper) != set(self._hyper()):
            got = sorted(hyper) if isinstance(hyper, Mapping) else hyper
            raise InputError(
                f"optimizer state 'hyper' for {self.name!r} must have the keys "
                f"{sorted(self._hyper())}, got {got!r}"
            )
        t = check_int(state["t"], "optimizer state 't'", low=0)
        arrays = state["arrays"]
        if not isinstance(arrays, Mapping):
            raise InputError(f"optimizer state 'arrays' must be a dict, got {type(arrays)}")
        new_state: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self.slots}
        for name, arr in arrays.items():
            slot, sep, key = str(name).partition("/")
            if not sep or slot not in new_state or not key:
                raise InputError(
                    f"optimizer state array {name!r} is not of the form '<slot>/<param key>' "
                    f"with slot in {list(self.slots)}"
                )
            if not isinstance(arr, np.ndarray) or not np.issubdtype(arr.dtype, np.floating):
                raise InputError(
                    f"optimizer state array {name!r} must be a floating-point numpy array, "
                    f"got {type(arr).__name__} {getattr(arr, 'dtype', '')}".rstrip()
                )
            new_state[slot][key] = np.array(arr, copy=True)
        previous = self._hyper()
        try:
            self._set_hyper(dict(hyper))
        except InputError:
            self._set_hyper(previous)  # leave the optimiser as it was
            raise
        self.t = t
        self._state = new_state
        self._scratch = {}

    # ---- internals -----------------------------------------------------------------
    def _check(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
            raise InputError(
                f"params and grads must be dicts of numpy arrays, got "
                f"{type(params).__name__} and {type(grads).__name__}"
            )
        for key in grads:
            if key not in params:
                raise InputError(
                    f"grads has the key {key!r} that params lacks; params keys: {list(params)}"
                )
        for key, w in params.items():
            if key not in grads:
                raise InputError(f"grads lacks the key {key!r}; every parameter needs a gradient")
            dw = grads[key]
            if not isinstance(w, np.ndarray) or not np.issubdtype(w.dtype, np.floating):
                raise InputError(
                    f"params[{key!r}] must be a floating-point numpy array, got "
                    f"{type(w).__name__} {getattr(w, 'dtype', '')}".rstrip()
                )
            if not w.flags.writeable:
                raise InputError(f"params[{key!r}] is read-only; it must be updated in place")
            if not isinstance(dw, np.ndarray):
                raise InputError(f"grads[{key!r}] must be a numpy array, got {type(dw).__name__}")
            if dw.shape != w.shape:
                raise InputError(
                    f"grads[{key!r}] has shape {dw.shape} but params[{key!r}] has shape "
                    f"{w.shape}; they must match"
                )
            if dw.dtype != w.dtype:
                raise InputError(
                    f"grads[{key!r}] has dtype {dw.dtype} but params[{key!r}] has dtype "
                    f"{w.dtype}; compute the gradient in the parameter's dtype"
                )
            for slot in self.slots:
                buf = self._state[slot].get(key)
                if buf is not None and (buf.shape != w.shape or buf.dtype != w.dtype):
                    raise InputError(
                        f"optimizer state {slot}/{key} has shape {buf.shape} and dtype "
                        f"{buf.dtype} but params[{key!r}] has shape {w.shape} and dtype "
                        f"{w.dtype}; the state belongs to another model"
                    )

    def _buffer(self, slot: str, key: str, w: np.ndarray) -> np.ndarray:
        buf = self._state[slot].get(key)
        if buf is None:
            buf = np.zeros_like(w)
            self._state[slot][key] = buf
        return buf

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({args})"


# --------------------------------------------------------------------------- optimisers


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Vanilla stochastic gradient descent: ``w -= lr * dw``."""

    slots: ClassVar[tuple[str, ...]] = ()

    def _update(
        self, w: np.ndarray, dw: np.ndarray, state: tuple[np.ndarray, ...], s: np.ndarray
    ) -> None:
        np.multiply(dw, self._lr, out=s)  # s = lr * dw
        np.subtract(w, s, out=w)  # w -= lr * dw

    def fusion(self) -> Fusion:
        return Fusion("sgd", self._lr)


@OPTIMIZERS.register("nesterov", nesterov=True)
@OPTIMIZERS.register("momentum")
class Momentum(Optimizer):
    """SGD with momentum, optionally Nesterov's accelerated gradient (CS231n form).

    Plain:    ``v = mu * v - lr * dw; w += v``.
    Nesterov: ``v_prev = v; v = mu * v - lr * dw; w += -mu * v_prev + (1 + mu) * v``,
    computed as the algebraically equal ``w += mu * v - lr * dw`` (with the new ``v``),
    which needs no copy of ``v_prev``.

    Args:
        lr: learning rate >= 0.
        momentum: ``mu`` in [0, 1).
        nesterov: use Nesterov's update.
    """

    hyper: ClassVar[dict[str, Hyper]] = {
        "momentum": Hyper(0.9, _UNIT, "mu, the share of the last step kept"),
        "nesterov": Hyper(False, None, "Nesterov's accelerated gradient"),
    }
    slots: ClassVar[tuple[str, ...]] = ("v",)

    def fusion(self) -> Fusion:
        return Fusion(self.name, self._lr, self.momentum)

    def _update(
        self, w: np.ndarray, dw: np.ndarray, state: tuple[np.ndarray, ...], s: np.ndarray
    ) -> None:
        (v,) = state
        mu = self.momentum
        np.multiply(dw, self._lr, out=s)  # s = lr * dw
        np.multiply(v, mu, out=v)
        np.subtract(v, s, out=v)  # v = mu * v - lr * dw
        if self.nesterov:
            np.subtract(w, s, out=w)  # w -= lr * dw
            np.multiply(v, mu, out=s)
            np.add(w, s, out=w)  # w += mu * v
        else:
            np.add(w, v, out=w)  # w += v


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop: a running mean of squared gradients scales each step.

    ``cache = dr * cache + (1 - dr) * dw**2; w -= lr * dw / (sqrt(cache) + eps)``

    Args:
        lr: learning rate >= 0.
        decay_rate: ``dr`` in [0, 1).
        eps: > 0, keeps the division finite.
    """

    hyper: ClassVar[dict[str, Hyper]] = {
        "decay_rate": Hyper(0.99, _UNIT, "dr, the running mean's decay"),
        "eps": Hyper(1e-8, _EPS, "keeps the division finite"),
    }
    slots: ClassVar[tuple[str, ...]] = ("cache",)

    def _update(
        self, w: np.ndarray, dw: np.ndarray, state: tuple[np.ndarray, ...], s: np.ndarray
    ) -> None:
        (cache,) = state
        dr = self.decay_rate
        np.multiply(cache, dr, out=cache)
        np.square(dw, out=s)
        np.multiply(s, 1.0 - dr, out=s)
        np.add(cache, s, out=cache)  # cache = dr * cache + (1 - dr) * dw**2
        np.sqrt(cache, out=s)
        np.add(s, self.eps, out=s)  # s = sqrt(cache) + eps
        np.divide(dw, s, out=s)
        np.multiply(s, self._lr, out=s)
        np.subtract(w, s, out=w)  # w -= lr * dw / (sqrt(cache) + eps)


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam with bias-corrected first and second moments (one step count ``t`` shared).

    ``t += 1; m = b1 * m + (1 - b1) * dw; v = b2 * v + (1 - b2) * dw**2;``
    ``w -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)``

    Args:
        lr: learning rate >= 0.
        beta1: ``b1`` in [0, 1).
        beta2: ``b2`` in [0, 1).
        eps: > 0, keeps the division finite.
    """

    hyper: ClassVar[dict[str, Hyper]] = {
        "beta1": Hyper(0.9, _UNIT, "b1, the first moment's decay"),
        "beta2": Hyper(0.999, _UNIT, "b2, the second moment's decay"),
        "eps": Hyper(1e-8, _EPS, "keeps the division finite"),
    }
    slots: ClassVar[tuple[str, ...]] = ("m", "v")
    _bc1 = _bc2 = 1.0  # the bias corrections of the current step (set by _prepare)

    def _prepare(self) -> None:
        self._bc1 = 1.0 - self.beta1**self.t  # bias corrections of this step
        self._bc2 = 1.0 - self.beta2**self.t

    def _update(
        self, w: np.ndarray, dw: np.ndarray, state: tuple[np.ndarray, ...], s: np.ndarray
    ) -> None:
        m, v = state
        b1, b2 = self.beta1, self.beta2
        # lr * mhat / (sqrt(vhat) + eps) = step * m / (sqrt(v) + eps * sqrt(bc2)) with
        # step = lr * sqrt(bc2) / bc1: the bias corrections become two scalars
        root = math.sqrt(self._bc2)
        step, eps = self._lr * root / self._bc1, self.eps * root
        if _one_pass(w, dw, m, v, s):
            lib = blas()
            lib.axpby(1.0 - b1, dw, b1, m)  # m = b1 * m + (1 - b1) * dw, one pass
            np.square(dw, out=s)
            lib.axpby(1.0 - b2, s, b2, v)  # v = b2 * v + (1 - b2) * dw**2
        else:
            np.multiply(m, b1, out=m)
            np.multiply(dw, 1.0 - b1, out=s)
            np.add(m, s, out=m)
            np.multiply(v, b2, out=v)
            np.square(dw, out=s)
            np.multiply(s, 1.0 - b2, out=s)
            np.add(v, s, out=v)
        np.sqrt(v, out=s)
        np.add(s, eps, out=s)
        np.divide(m, s, out=s)  # s = mhat / (sqrt(vhat) + eps) / (lr / step)
        if _one_pass(w, s):
            blas().axpy(-step, s, w)
        else:
            np.multiply(s, step, out=s)
            np.subtract(w, s, out=w)


def _one_pass(*arrays: np.ndarray) -> bool:
    """True if BLAS's one-pass vector routines apply: NumPy's OpenBLAS is usable and the
    arrays are C-contiguous, of one float dtype, and large enough to repay a ctypes call."""
    w = arrays[0]
    return (w.size >= FUSE_MIN_SIZE and w.dtype in (np.float32, np.float64)
            and all(a.flags.c_contiguous and a.dtype == w.dtype for a in arrays)
            and blas().available)


# --------------------------------------------------------------------------- factories

def make_optimizer(name: str, lr: float, **kwargs: Any) -> Optimizer:
    """Build an optimiser by name (case-insensitive), one of ``OPTIMIZERS.names()``.

    ``"nesterov"`` is :class:`Momentum` with ``nesterov=True``. ``kwargs`` are the
    hyper-parameters its class declares (``momentum``; ``decay_rate``, ``eps``;
    ``beta1``, ``beta2``, ``eps``), less those its name presets.

    Raises:
        InputError: unknown name, an argument the optimiser does not take, or a value out
            of range.
    """
    return OPTIMIZERS.build(name, lr, **kwargs)


def optimizer_from_state_dict(state: Mapping[str, Any]) -> Optimizer:
    """Build the optimiser a ``state_dict()`` came from and load that state into it."""
    if not isinstance(state, Mapping) or "name" not in state:
        raise InputError("state must be a dict from Optimizer.state_dict() with a 'name' key")
    hyper = state.get("hyper")
    if not isinstance(hyper, Mapping) or "lr" not in hyper:
        raise InputError("optimizer state must have a 'hyper' dict with an 'lr' entry")
    opt = make_optimizer(str(state["name"]), hyper["lr"])
    opt.load_state_dict(state)
    return opt
