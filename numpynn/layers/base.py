"""What a layer is: its readable forward/backward pair, its parameters, its buffers, and
(optionally) a fast in-place kernel.

A layer module in :mod:`numpynn.layers` holds, for one operation:

* the CS231n-style pair ``*_forward`` / ``*_backward`` (module functions, each backward
  right beside its forward, shapes in the docstring): the reference a reader checks
  against the equations;
* a :class:`Layer` subclass that tells a network how to use the pair: the parameters it
  owns (:class:`ParamSpec`: shape, initialisation, whether L2 applies), its buffers
  (:class:`BufferSpec`, e.g. running statistics), its output width, and its train/test
  behaviour; registered by name with :func:`numpynn.layers.register`;
* optionally a :class:`Kernel`: the same computation in place, in preallocated buffers,
  for the training engine and for prediction. A layer without one runs through
  :class:`ReferenceKernel`, which calls the readable pair (slower, equally correct).

Parameters reach a layer under their *local* names (``"W"``, ``"b"``, ``"gamma"``...); the
network maps them to CS231n's keys (``W1``, ``gamma1``...) by the block the layer sits in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

Arrays = dict[str, np.ndarray]

#: where a layer's equations are derived (``numpynn docs TOPIC``)
BACKPROP_DOC = "backprop.md"
LAYERS_DOC = "layers.md"
#: one parameter's L2 term in a gradient's equation: " + reg W1", or "" (not decayed)
RegTerm = Callable[[str], str]

INITS = ("weight", "zeros", "ones")


@dataclass(frozen=True)
class ParamSpec:
    """One learnable array of a layer.

    name: local name, the prefix of the network's key (``"W"`` becomes ``W1``, ``W2``...);
    shape: its shape; init: ``"weight"`` (normal with the network's initial scale, which
    depends on fan_in = shape[0] and fan_out = shape[-1]), ``"zeros"`` or ``"ones"``;
    decay: whether the L2 penalty ``0.5 * reg * sum(p**2)`` applies (weights, not biases
    or normalisation parameters, as in CS231n).
    """

    name: str
    shape: tuple[int, ...]
    init: str = "zeros"
    decay: bool = False


@dataclass(frozen=True)
class CoursePair:
    """An operation's CS231n functions as a learner's ``layers.py`` names them
    (``{name}_forward`` / ``{name}_backward``), for ``numpynn gradcheck --file``.

    forward/backward: numpynn's own, the reference a learner's are compared with (None:
    no reference; dropout is checked by its statistics instead); inputs: the names of the
    differentiable arrays the forward takes first; sample: how a check draws them
    ("plain"; "kinked": away from a kink at 0; "positive"; "affine": x (4, 2, 3), w, b;
    "norm": x, gamma, beta); param: the trailing parameter dict, made fresh per call
    (None: none); alt_backwards: other backward names checked against the same forward.
    """

    name: str
    forward: Callable | None
    backward: Callable | None
    inputs: tuple[str, ...] = ("x",)
    sample: str = "plain"
    param: Callable[[], dict] | None = None
    alt_backwards: tuple[str, ...] = ()


@dataclass(frozen=True)
class BufferSpec:
    """A non-learnable array a layer keeps between calls (e.g. a running mean).

    Saved in model files and checkpoints; never touched by the optimiser.
    init: ``"zeros"`` or ``"ones"``.
    """

    name: str
    shape: tuple[int, ...]
    init: str = "zeros"


class Layer(ABC):
    """One operation of a network. Subclasses set ``name`` and implement the pair.

    The constructor takes the layer's options (JSON-serialisable keyword arguments, stored
    in model files by :meth:`config`); shapes follow from the input width the network
    passes to :meth:`param_specs` and :meth:`output_dim`.

    Class attributes:
        name: registry name (``"affine"``, ``"relu"``...).
        starts_block: True for a layer that opens a new numbered block of the network
            (the affine layer: ``W1, b1`` then everything up to the next affine layer
            is block 1, so batch norm after it owns ``gamma1, beta1``).
        init_scheme: the weight initialisation an activation calls for (``"he"`` for the
            ReLU family, ``"glorot"`` for tanh and sigmoid); None for other layers.
        kernel: the fast :class:`Kernel` class, or None (then :class:`ReferenceKernel`).
        random: True if the layer draws random numbers in training (dropout).
        symbol: the letter of its output in ``numpynn explain`` (``h1``, ``bn1``...);
            None: ``a`` for an activation, else the layer's name.
        course: its CS231n functions (:class:`CoursePair`), which ``numpynn gradcheck
            --file`` looks for in a learner's file; None: not a course layer.
    """

    name: ClassVar[str] = ""
    starts_block: ClassVar[bool] = False
    init_scheme: ClassVar[str | None] = None
    kernel: ClassVar[type[Kernel] | None] = None
    random: ClassVar[bool] = False
    symbol: ClassVar[str | None] = None
    course: ClassVar[CoursePair | None] = None

    def __init__(self, **options: Any) -> None:
        if options:
            raise TypeError(f"layer {self.name!r} takes no options; got {sorted(options)}")

    # ---- shapes -----------------------------------------------------------------------
    def output_dim(self, input_dim: int) -> int:
        """Features per example of the output, for ``input_dim`` features in."""
        return input_dim

    def param_specs(self, input_dim: int) -> list[ParamSpec]:
        """The learnable arrays for an input of ``input_dim`` features (default: none)."""
        return []

    def buffer_specs(self, input_dim: int) -> list[BufferSpec]:
        """The buffers for an input of ``input_dim`` features (default: none)."""
        return []

    def config(self) -> dict[str, Any]:
        """The constructor's options, as JSON-serialisable values."""
        return {}

    # ---- the readable pair --------------------------------------------------------------
    @abstractmethod
    def forward(
        self, x: np.ndarray, params: Arrays, buffers: Arrays, train: bool,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, Any]:
        """x: (N, D) -> (out (N, output_dim(D)), cache for :meth:`backward`).

        params/buffers: this layer's arrays under their local names. ``train`` selects
        training behaviour (dropout active, batch statistics used and the running ones
        updated in place); ``rng`` is the network's generator for random layers.
        """

    @abstractmethod
    def backward(self, dout: np.ndarray, cache: Any) -> tuple[np.ndarray, Arrays]:
        """dout: (N, output_dim) -> (dx (N, D), gradients by local parameter name)."""

    # ---- its ONNX mapping ---------------------------------------------------------------
    #: ``onnx(g, params, buffers, x) -> output name``: the layer's test-mode computation as
    #: ONNX nodes added to the graph ``g`` that numpynn.export builds (``g.op``,
    #: ``g.const``, ``g.dtype``); None: not exportable (or exported as the identity:
    #: dropout, identity)
    onnx: ClassVar[Callable[..., str] | None] = None

    # ---- its equations, as numpynn explain lists them -------------------------------------
    def forward_equation(self, out: str, inp: str, keys: Mapping[str, str]) -> tuple[str, str]:
        """``out = f(inp)`` written with the network's keys (local name -> ``W1``...) and
        where it is derived. The default: an elementwise activation, or a named layer."""
        if self.init_scheme is not None:
            return f"{out} = {self.name}({inp})", f"{LAYERS_DOC} elementwise activations"
        return f"{out} = {self.name}({inp})", f"layer {self.name!r}"

    def backward_equations(self, out: str, inp: str, keys: Mapping[str, str], reg: RegTerm
                           ) -> tuple[dict[str, tuple[str, str]], tuple[str, str]]:
        """The equations of the parameter gradients (by local name) and of ``d{inp}``, each
        with where it is derived; ``reg(local)`` is a decayed parameter's L2 term."""
        d = f"d{out}"
        if self.init_scheme is not None:
            return {}, (f"d{inp} = {d} ⊙ {self.name}'({inp})",
                        f"{LAYERS_DOC} elementwise activations")
        params = {local: (f"d{key} = ∂L/∂{key} ({self.name} backward){reg(local)}",
                          f"layer {self.name!r}") for local, key in keys.items()}
        return params, (f"d{inp} = {self.name} backward of {d}", f"layer {self.name!r}")

    def _normalisation_equations(self, what: str, axis: str, count: str, out: str, inp: str,
                                 keys: Mapping[str, str], reg: RegTerm
                                 ) -> tuple[dict[str, tuple[str, str]], tuple[str, str]]:
        """Batch and layer normalisation's backward equations: statistics per ``axis``
        (column or row) over ``count`` (N or D) values."""
        sec, d, g = f"{LAYERS_DOC} {what} normalisation", f"d{out}", keys["gamma"]
        return ({"gamma": (f"d{g} = column sums of {d} ⊙ x̂{reg('gamma')}", sec),
                 "beta": (f"d{keys['beta']} = column sums of {d}{reg('beta')}", sec)},
                (f"d{inp} = (1/{count}) inv_std ⊙ ({count} dx̂ - Σ dx̂ - x̂ ⊙ Σ dx̂ ⊙ x̂), "
                 f"dx̂ = {d} ⊙ {g}, Σ per {axis}", sec))

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({opts})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.config() == self.config()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.config().items()))))


class Kernel(ABC):
    """A layer's computation in place, in buffers owned by the caller.

    Made for one layer, input width, dtype and batch capacity. The caller (the training
    engine, or a network's prediction) passes views of its workspaces: ``x`` (b, D) and
    ``out`` (b, M) with b <= capacity; the kernel keeps whatever its backward needs
    (references to those views, or its own scratch of ``capacity`` rows, sliced to b).

    Class attributes:
        inplace: forward may be called with ``out is x`` and backward with ``dx is dout``;
            then backward must not need x (e.g. ReLU reads its mask off its output).
        reads_output: backward reads this layer's ``out`` buffer, so the next layer must
            not overwrite it in place.
    """

    inplace: ClassVar[bool] = False
    reads_output: ClassVar[bool] = False

    def __init__(self, layer: Layer, input_dim: int, dtype: np.dtype, capacity: int) -> None:
        self.layer = layer
        self.input_dim = input_dim
        self.output_dim = layer.output_dim(input_dim)
        self.dtype = np.dtype(dtype)
        self.capacity = capacity

    @abstractmethod
    def forward(
        self, x: np.ndarray, out: np.ndarray, params: Arrays, buffers: Arrays, train: bool,
        rng: np.random.Generator,
    ) -> None:
        """Write the layer's output for ``x`` (b, D) into ``out`` (b, M)."""

    @abstractmethod
    def backward(self, dout: np.ndarray, dx: np.ndarray | None, grads: GradSink) -> None:
        """From ``dout`` (b, M) (the upstream gradient, possibly scaled by a constant),
        write the input gradient into ``dx`` (b, D) (None: not needed, skip it) and each
        parameter gradient through ``grads``. Only called after a training forward."""


class GradSink:
    """Where a kernel writes its parameter gradients.

    ``sink[name]`` is the buffer for parameter ``name`` (write the gradient into it, e.g.
    with ``out=``). :meth:`matmul_tn` computes a gradient of the form ``a.T @ b``; the
    engine may override it to fuse an optimiser update into that product.
    """

    def __init__(self, buffers: Arrays) -> None:
        self.buffers = buffers

    def __getitem__(self, name: str) -> np.ndarray:
        return self.buffers[name]

    def matmul_tn(self, name: str, a: np.ndarray, b: np.ndarray) -> None:
        """The gradient of ``name`` is ``a.T @ b`` (a: (b, m), b: (b, n))."""
        np.dot(a.T, b, out=self.buffers[name])


class ReferenceKernel(Kernel):
    """A layer without a kernel of its own, run through its readable pair.

    Forward copies the pair's output into ``out`` and keeps the cache; backward copies the
    pair's gradients into the sink. Slower than a real kernel (fresh arrays every call),
    identical in result.
    """

    def __init__(self, layer: Layer, input_dim: int, dtype: np.dtype, capacity: int) -> None:
        super().__init__(layer, input_dim, dtype, capacity)
        self._cache: Any = None

    def forward(self, x, out, params, buffers, train, rng) -> None:
        result, cache = self.layer.forward(x, params, buffers, train, rng)
        np.copyto(out, result, casting="same_kind")
        self._cache = cache if train else None

    def backward(self, dout, dx, grads) -> None:
        dx_ref, dparams = self.layer.backward(dout, self._cache)
        if dx is not None:
            np.copyto(dx, dx_ref, casting="same_kind")
        for name, g in dparams.items():
            np.copyto(grads[name], g, casting="same_kind")


def make_kernel(layer: Layer, input_dim: int, dtype: Any, capacity: int) -> Kernel:
    """The layer's own kernel if it has one, else its readable pair in an adapter."""
    cls = type(layer).kernel or ReferenceKernel
    return cls(layer, input_dim, np.dtype(dtype), capacity)
