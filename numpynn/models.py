"""Networks: an ordered list of layers (:mod:`numpynn.layers`) plus a loss
(:mod:`numpynn.losses`).

:class:`Network` is the general form; :class:`MLP` builds CS231n's FullyConnectedNet list
``{affine - [batch/layer norm] - activation - [dropout]} x L - affine - softmax`` and
:class:`TwoLayerNet` is its one-hidden-layer case, the seed's network. All keep CS231n's
surface so course notebooks work unchanged: ``params`` with keys ``W1, b1, gamma1,
beta1, ..., WL, bL``; ``reg``; ``loss(X, y=None)``, which returns test-mode scores
without ``y`` and ``(loss, grads)`` in training mode with it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InputError
from .layers import (
    LAYERS,
    Layer,
    build_layer,
    canonical_name,
    layer_config,
    layer_from_config,
    make_kernel,
)
from .layers.base import Arrays
from .losses import Loss, loss_value, make_loss
from .validation import (
    OTHER_NAMES,
    check_features,
    check_hidden_dims,
    check_nonnegative_float,
    check_positive_int,
    check_sample_weight,
    check_seed,
    unknown_keyword,
)

INIT_SCHEMES = ("auto", "he", "glorot")
DTYPES = ("float32", "float64")
NORMALIZATIONS = ("batch", "layer")

#: Rows per chunk of the prediction forward: a chunk's activations stay in cache.
PREDICT_CHUNK = 4096


def check_dtype(dtype: Any) -> np.dtype:
    """float32 or float64 as a NumPy dtype (InputError otherwise)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in DTYPES:
        raise InputError(f"dtype must be float32 or float64; got {dtype!r}.")
    return dt


def check_weight_scale(weight_scale: Any) -> float | str:
    """A positive finite number or one of :data:`INIT_SCHEMES`."""
    if isinstance(weight_scale, str):
        if weight_scale in INIT_SCHEMES:
            return weight_scale
    elif isinstance(weight_scale, (int, float, np.integer, np.floating)) and not isinstance(
            weight_scale, bool):
        if np.isfinite(weight_scale) and weight_scale > 0:
            return float(weight_scale)
    other = OTHER_WEIGHT_SCALES.get(str(weight_scale).strip().lower()) if isinstance(
        weight_scale, str) else None
    raise InputError(f"weight_scale must be a positive number or one of "
                     f"{', '.join(INIT_SCHEMES)}; got {weight_scale!r}"
                     f"{f' ({other})' if other else ''}.", param="weight_scale")


#: other libraries' names of initial weight schemes -> what numpynn calls them
OTHER_WEIGHT_SCALES: dict[str, str] = {
    **dict.fromkeys(("xavier", "xavier_uniform", "xavier_normal", "glorot_uniform",
                     "glorot_normal", "lecun", "lecun_normal"),
                    "Keras' and PyTorch's Glorot/Xavier scheme is numpynn's glorot"),
    **dict.fromkeys(("kaiming", "kaiming_uniform", "kaiming_normal", "he_uniform",
                     "he_normal", "msra"),
                    "Keras' and PyTorch's He/Kaiming scheme is numpynn's he"),
}


def init_std(scheme: float | str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of initial weights: a number as given, He ``sqrt(2 / fan_in)``
    (ReLU family) or Glorot ``sqrt(2 / (fan_in + fan_out))`` (tanh, sigmoid)."""
    if scheme == "he":
        return float(np.sqrt(2.0 / fan_in))
    if scheme == "glorot":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    return float(scheme)


class ArrayPlan:
    """Widths, keys and specs of a layer list, computed without allocating any array (so a
    model file's header can be checked before it is believed).

    dims: [D, width after layer 1, ...]; keys: per layer, local name -> network key;
    params/buffers: ``(layer index, key, spec)`` in layer order.
    """

    def __init__(self, input_dim: int, layers: Sequence[Layer]) -> None:
        self.dims = [input_dim]
        self.keys: list[dict[str, str]] = []
        self.params: list[tuple[int, str, Any]] = []
        self.buffers: list[tuple[int, str, Any]] = []
        taken: set[str] = set()
        block = 0
        for i, layer in enumerate(layers):
            d_in = self.dims[-1]
            block += bool(layer.starts_block)
            keymap: dict[str, str] = {}
            for specs, into in ((layer.param_specs(d_in), self.params),
                                (layer.buffer_specs(d_in), self.buffers)):
                for spec in specs:
                    key = f"{spec.name}{block}"
                    if key in taken:
                        raise InputError(
                            f"two layers of one block both define {key!r} (the second is "
                            f"{layer!r}); put an affine layer between them.")
                    taken.add(key)
                    keymap[spec.name] = key
                    into.append((i, key, spec))
            self.keys.append(keymap)
            self.dims.append(check_positive_int(layer.output_dim(d_in),
                                                f"output width of layer {i + 1}"))

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """``{key: shape}`` of every parameter and buffer."""
        return {key: tuple(spec.shape) for _, key, spec in self.params + self.buffers}


class Network:
    """A feed-forward network: ``layers`` applied in order, scored by ``loss``.

    input_dim: D, features per example; layers: :class:`~numpynn.layers.Layer` instances
    or ``{"name": ..., "options": {...}}`` entries of the registry; loss: a
    :class:`~numpynn.losses.Loss` or its name (``"softmax"``); reg: L2 strength, the loss
    adds ``0.5 * reg * sum(p**2)`` over every parameter whose spec says so (weights);
    weight_scale: std of the normal initial weights, ``"he"``, ``"glorot"`` or ``"auto"``
    (per affine layer, the scheme of the activation that follows it: He for the ReLU
    family, Glorot for tanh/sigmoid); dtype: float32 (fast) or float64 (checks); seed:
    initial weights and the generator of random layers (dropout), ``rng``.

    Parameters are keyed CS231n's way: block i (opened by the i-th affine layer) owns
    ``W{i}, b{i}`` and the parameters of the layers after it (``gamma{i}, beta{i}``);
    buffers likewise (``running_mean{i}``). ``params[key]`` arrays are updated in place by
    optimisers and never rebound by the network.
    """

    def __init__(
        self,
        input_dim: int,
        layers: Sequence[Layer | Mapping[str, Any]],
        loss: Loss | str = "softmax",
        reg: float = 0.0,
        weight_scale: float | str = "auto",
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        self.input_dim = check_positive_int(input_dim, "input_dim")
        if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Sequence) or (
                not layers):
            raise InputError(f"layers must be a non-empty list of layers; got {layers!r:.80}")
        self.layers: list[Layer] = [
            layer if isinstance(layer, Layer) else layer_from_config(layer) for layer in layers]
        self.loss_fn = make_loss(loss)
        self.reg = check_nonnegative_float(reg, "reg")
        self.weight_scale = check_weight_scale(weight_scale)
        self.dtype = check_dtype(dtype)
        self.seed = check_seed(seed)
        if self.seed is None:
            init_seq, random_seq = np.random.SeedSequence().spawn(2)
            init_rng = np.random.default_rng(init_seq)
        else:  # the initial weights depend on the seed alone (as in numpynn 0.1)
            init_rng = np.random.default_rng(self.seed)
            random_seq = np.random.SeedSequence([self.seed, 1])
        #: generator of the random layers (dropout); saved in checkpoints
        self.rng = np.random.default_rng(random_seq)
        self._build(init_rng)

    # ------------------------------------------------------------------------- building
    def _build(self, init_rng: np.random.Generator) -> None:
        """Widths, keys, initial parameters and buffers, in layer order."""
        plan = ArrayPlan(self.input_dim, self.layers)
        self.dims, self.keys = plan.dims, plan.keys
        self.params: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.decay_keys: list[str] = []
        for i, key, spec in plan.params:
            if spec.init == "weight":
                std = init_std(self._scheme(i), spec.shape[0], spec.shape[-1])
                value = std * init_rng.standard_normal(spec.shape)
            else:
                value = np.zeros(spec.shape) if spec.init == "zeros" else np.ones(spec.shape)
            self.params[key] = value.astype(self.dtype)
            if spec.decay:
                self.decay_keys.append(key)
        for _, key, spec in plan.buffers:
            self.buffers[key] = (np.ones if spec.init == "ones" else np.zeros)(
                spec.shape, self.dtype)

    def _scheme(self, index: int) -> float | str:
        """Initial scale of the weights of layer ``index``."""
        if self.weight_scale != "auto":
            return self.weight_scale
        for layer in self.layers[index + 1:]:
            if layer.starts_block:
                break
            if layer.init_scheme is not None:
                return layer.init_scheme
        return "he"

    @property
    def num_outputs(self) -> int:
        """Width of the scores: C, the number of classes for a classifier."""
        return self.dims[-1]

    @property
    def num_classes(self) -> int:
        return self.num_outputs

    def _local(self, i: int, arrays: Mapping[str, np.ndarray]) -> Arrays:
        return {local: arrays[key] for local, key in self.keys[i].items() if key in arrays}

    # --------------------------------------------------------------- forward / backward
    def loss(
        self, X: np.ndarray, y: np.ndarray | None = None, reg: float | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Scores, or loss and gradients (CS231n's ``loss``): the readable reference.

        X: (N, D) (or (N, d1, ..., dk) flattening to D); y: (N,) targets. Without ``y``:
        test-mode scores (N, C). With ``y``: training mode (dropout active, batch
        statistics used and running ones updated) and ``(loss, grads)``, where ``grads``
        has exactly the keys and shapes of ``params``. reg: L2 strength for this call
        (None: ``self.reg``; CS231n assignment 1's argument). sample_weight: (N,) weights of
        the examples: the data loss is their weighted mean (see the loss).
        """
        X = check_features(X, self.input_dim, self.dtype)
        if y is None:
            return self._forward_reference(X, train=False)[0]
        y = self.loss_fn.check_targets(y, X.shape[0], self.num_outputs)
        reg = self.reg if reg is None else check_nonnegative_float(reg, "reg")
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X.shape[0])
        scores, caches = self._forward_reference(X, train=True)
        # eq. 1: dS = (P - Y) / N for softmax
        data_loss, dscores = self.loss_fn(scores, y, sample_weight)
        reg_loss = 0.5 * reg * sum(loss_value(np.sum(self.params[k] ** 2))
                                  for k in self.decay_keys)
        grads: dict[str, np.ndarray] = {}
        dh = dscores
        for i in range(len(self.layers) - 1, -1, -1):
            dh, dlocal = self.layers[i].backward(dh, caches[i])
            for local, g in dlocal.items():
                grads[self.keys[i][local]] = g
        for k in self.decay_keys:
            grads[k] = grads[k] + reg * self.params[k]
        return data_loss + reg_loss, grads

    def _forward_reference(self, X: np.ndarray, train: bool) -> tuple[np.ndarray, list[Any]]:
        """Every layer's readable forward on a validated X; returns scores and caches."""
        h, caches = X, []
        for i, layer in enumerate(self.layers):
            h, cache = layer.forward(h, self._local(i, self.params),
                                     self._local(i, self.buffers), train, self.rng)
            caches.append(cache)
        return h, caches

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Test-mode scores (N, C) of X: (N, D): the one forward that ``predict``,
        ``predict_proba``, evaluation and the Trainer's accuracy use.

        Runs each layer's kernel (in place, a chunk of :data:`PREDICT_CHUNK` rows at a
        time). A C-contiguous float X of the model's dtype is used as it is: its
        finiteness is read off the first affine layer's output (an inf or NaN in a row
        makes that row of ``X @ W1`` non-finite), and only then is X checked in full.
        """
        arr = X if isinstance(X, np.ndarray) else None
        trusted = (arr is not None and arr.ndim == 2 and arr.dtype == self.dtype
                   and arr.flags.c_contiguous and arr.shape[0] > 0
                   and arr.shape[1] == self.input_dim and self.layers[0].starts_block)
        if not trusted:
            arr = check_features(X, self.input_dim, self.dtype)
        n = arr.shape[0]
        rows = min(n, PREDICT_CHUNK)
        kernels = [make_kernel(layer, d, self.dtype, rows)
                   for layer, d in zip(self.layers, self.dims)]
        out = np.empty((n, self.num_outputs), self.dtype)
        work = [np.empty((rows, d), self.dtype) for d in self.dims[1:-1]]
        params = [self._local(i, self.params) for i in range(len(self.layers))]
        buffers = [self._local(i, self.buffers) for i in range(len(self.layers))]
        last = len(kernels) - 1
        for start in range(0, n, rows):
            h = arr[start : start + rows]
            b = h.shape[0]
            for i, k in enumerate(kernels):
                if i == last:
                    dst = out[start : start + b]
                else:  # no backward follows: an in-place kernel may overwrite any buffer of ours
                    dst = h if k.inplace and i else work[i][:b]
                k.forward(h, dst, params[i], buffers[i], False, self.rng)
                if i == 0 and trusted and not np.isfinite(np.add.reduce(dst, axis=None)):
                    check_features(X, self.input_dim, self.dtype)  # raises if X is not finite
                    trusted = False  # finite X: the overflow is the model's own
                h = dst
        return out

    def predict_output(self, X: np.ndarray) -> np.ndarray:
        """What the loss makes of the scores: class probabilities for softmax (N, C)."""
        return self.loss_fn.output(self.forward(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities. X: (N, D) -> (N, C), rows sum to 1."""
        return self.predict_output(X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class indices. X: (N, D) -> (N,) int64."""
        return np.argmax(self.forward(X), axis=1).astype(np.int64)

    # ---------------------------------------------------------------------- description
    def summary(self) -> str:
        """One row per layer: its type, output shape and parameter count; then totals
        (like Keras' ``model.summary()``)."""
        rows = [("layer", "output shape", "params")]
        for i, layer in enumerate(self.layers):
            count = sum(self.params[k].size for k in self.keys[i].values() if k in self.params)
            keys = ", ".join(k for k in self.keys[i].values() if k in self.params)
            rows.append((f"{i + 1} {layer!r}" + (f" [{keys}]" if keys else ""),
                         f"(N, {self.dims[i + 1]})", f"{count:,}"))
        widths = [max(len(r[c]) for r in rows) for c in range(3)]
        line = "-" * (sum(widths) + 4)
        out = [f"{type(self).__name__}: input (N, {self.input_dim}), loss {self.loss_fn.name}, "
               f"reg {self.reg:g}, {self.dtype.name}", line]
        for j, r in enumerate(rows):
            out.append(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}")
            if j == 0:
                out.append(line)
        out += [line, f"total parameters: {self.num_parameters():,}"
                      + (f" (buffers: {sum(b.size for b in self.buffers.values()):,})"
                         if self.buffers else "")]
        return "\n".join(out)

    def num_parameters(self) -> int:
        """Number of learnable scalars."""
        return int(sum(p.size for p in self.params.values()))

    def config(self) -> dict[str, Any]:
        """Architecture as JSON-serialisable values (everything but parameters/buffers)."""
        return {
            "class": "Network",
            "input_dim": self.input_dim,
            "layers": [layer_config(layer) for layer in self.layers],
            "loss": self.loss_fn.name,
            "weight_scale": self.weight_scale,
            "reg": self.reg,
            "dtype": self.dtype.name,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any],
                    params: Mapping[str, np.ndarray] | None = None,
                    buffers: Mapping[str, np.ndarray] | None = None) -> Network:
        """Rebuild a network from :meth:`config` output (of any class here, or a numpynn
        0.1 MLP architecture) and, optionally, its parameters and buffers."""
        if not isinstance(config, Mapping):
            raise InputError(f"config must be a dict from model.config(); got {config!r:.60}")
        kind = config.get("class", "MLP" if "layers" not in config else "Network")
        builder = {"Network": Network, "MLP": MLP, "TwoLayerNet": MLP}.get(kind)
        if builder is None:
            raise InputError(f"config names an unknown network class {kind!r}.")
        try:
            model = builder._from_config(config)
        except KeyError as exc:
            raise InputError(f"config is missing the entry {exc}; pass what model.config() "
                             "returned.") from None
        if params is not None:
            model.set_params(params)
        if buffers is not None:
            model.set_buffers(buffers)
        return model

    @staticmethod
    def plan_from_config(config: Mapping[str, Any]) -> ArrayPlan:
        """The :class:`ArrayPlan` of the network ``config`` describes (nothing allocated)."""
        if "layers" in config:
            layers = [layer_from_config(entry) for entry in config["layers"]]
        else:  # a numpynn 0.1 MLP
            layers = []
            for h in check_hidden_dims(config["hidden_dims"]):
                layers += hidden_block(h)
            layers.append(build_layer("affine", units=check_positive_int(
                config["num_classes"], "num_classes")))
        return ArrayPlan(check_positive_int(config["input_dim"], "input_dim"), layers)

    @classmethod
    def _from_config(cls, config: Mapping[str, Any]) -> Network:
        return Network(config["input_dim"], config["layers"], loss=config.get("loss", "softmax"),
                       weight_scale=config.get("weight_scale", "auto"),
                       reg=config.get("reg", 0.0), dtype=config.get("dtype", "float32"), seed=0)

    def set_params(self, params: Mapping[str, np.ndarray]) -> None:
        """Replace all parameters, checking keys and shapes; arrays are copied to ``dtype``."""
        _assign(self.params, params, self.dtype, "params")

    def set_buffers(self, buffers: Mapping[str, np.ndarray]) -> None:
        """Replace all buffers (running statistics), checking keys and shapes."""
        _assign(self.buffers, buffers, self.dtype, "buffers")

    def astype(self, dtype: Any) -> Network:
        """A copy of this network with parameters and buffers cast to ``dtype``."""
        copy = Network.from_config({**self.config(), "dtype": check_dtype(dtype).name})
        copy.set_params(self.params)
        copy.set_buffers(self.buffers)
        copy.rng.bit_generator.state = self.rng.bit_generator.state
        return copy

    def copy(self) -> Network:
        """An independent copy (parameters, buffers and generator state copied)."""
        return self.astype(self.dtype)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(input_dim={self.input_dim}, layers={self.layers}, "
                f"loss={self.loss_fn.name!r}, reg={self.reg}, dtype={self.dtype.name})")


def _assign(target: dict[str, np.ndarray], source: Mapping[str, np.ndarray], dtype: np.dtype,
            what: str) -> None:
    if not isinstance(source, Mapping) or set(source) != set(target):
        got = sorted(source) if isinstance(source, Mapping) else repr(source)[:60]
        raise InputError(f"{what} must have keys {sorted(target)}; got {got}.")
    for k, v in source.items():
        v = np.asarray(v)
        if v.shape != target[k].shape:
            raise InputError(f"{what}[{k!r}] must have shape {target[k].shape}; got {v.shape}.")
        target[k] = np.array(v, dtype=dtype, copy=True)


def hidden_block(units: int, activation: str = "relu", dropout: float = 0.0,
                 normalization: str | None = None) -> list[Layer]:
    """CS231n's hidden block: affine -> [batch/layer norm] -> activation -> [dropout]."""
    block = [build_layer("affine", units=units)]
    if normalization is not None:
        block.append(build_layer(f"{normalization}norm"))
    block.append(build_layer(activation))
    if dropout:
        block.append(build_layer("dropout", p=dropout))
    return block


#: other libraries' activation names that numpynn has under another name, or not at all
OTHER_ACTIVATIONS: dict[str, str] = {
    **dict.fromkeys(("linear", "none", "no", "id"), "Keras' linear activation is numpynn's "
                    "identity"),
    **dict.fromkeys(("swish", "silu", "mish"), "numpynn has no swish/SiLU; gelu is the "
                    "nearest (a smooth ReLU)"),
    **dict.fromkeys(("selu", "celu"), "numpynn has no SELU; elu is the nearest"),
    **dict.fromkeys(("relu6", "prelu", "lrelu", "leakyrelu", "leaky-relu"),
                    "numpynn's ReLU variants are relu and leaky_relu"),
    **dict.fromkeys(("softmax", "log_softmax", "logsoftmax"), "softmax is the output of "
                    "every classifier already (with its loss), not a hidden activation"),
    **dict.fromkeys(("hard_sigmoid", "hardsigmoid", "softsign", "softplus"),
                    "not in numpynn; sigmoid or tanh are the nearest"),
}


def check_activation(activation: Any) -> str:
    """A registered activation name (aliases such as ``"logistic"`` resolved)."""
    activations = sorted(n for n, cls in LAYERS.items() if cls.init_scheme is not None)
    try:
        name = canonical_name(activation, "activation")
    except InputError:
        name = None
    if name is None or LAYERS[name].init_scheme is None:
        other = OTHER_ACTIVATIONS.get(str(activation).strip().lower())
        raise InputError(f"unknown activation {activation!r}; "
                         f"{other + '; ' if other else ''}choose one of "
                         f"{', '.join(activations)} (or logistic for sigmoid).") from None
    return name


def check_dropout(dropout: Any) -> float:
    """A drop probability in [0, 1)."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.integer,
                                                             np.floating)) or not (
            0 <= dropout < 1):
        raise InputError(f"dropout must be a number in [0, 1) (the probability of dropping "
                         f"a unit); got {dropout!r}.", param="dropout")
    return float(dropout)


def check_normalization(normalization: Any) -> str | None:
    """None, ``"batch"`` or ``"layer"``."""
    if normalization in (None, "none"):
        return None
    if normalization not in NORMALIZATIONS:
        raise InputError(f"normalization must be None, 'batch' or 'layer'; got "
                         f"{normalization!r}.")
    return normalization


#: other libraries' names for MLP's parameters (PyTorch, Keras, scikit-learn)
_MLP_NAMES = {
    **{n: "input_dim" for n in ("input_size", "in_features", "n_features", "input_shape",
                                "n_inputs", "num_features")},
    **{n: "hidden_dims" for n in ("hidden", "hidden_layer_sizes", "units", "layers",
                                  "hidden_sizes", "hidden_units")},
    **{n: "num_classes" for n in ("n_classes", "classes", "output_dim", "out_features",
                                  "num_outputs", "n_outputs", "output_size")},
}


@functools.cache
def _keywords(cls: type) -> list[str] | None:
    """The keyword names ``cls.__init__`` takes (read once per class), or None where it
    takes ``**kwargs`` (a subclass's own: it checks them itself)."""
    params = inspect.signature(cls.__init__).parameters
    known = [p for p, v in params.items() if p != "self" and v.kind != v.VAR_KEYWORD]
    return known if len(known) == len(params) - 1 else None


class MLP(Network):
    """Fully connected network (CS231n's FullyConnectedNet):
    ``{affine - [norm] - activation - [dropout]} x len(hidden_dims) - affine - softmax``.

    input_dim: D; hidden_dims: [H1, H2, ...]; num_classes: C. Parameters ``W1`` (D, H1),
    ``b1`` (H1,), (``gamma1``, ``beta1`` (H1,) with normalisation), ..., ``WL``
    (H_{L-1}, C), ``bL`` (C,), L = len(hidden_dims) + 1.

    activation: a registered activation (``relu``, ``leaky_relu``, ``elu``, ``tanh``,
    ``sigmoid``/``logistic``, ``gelu``, ``identity``); dropout: drop probability after each
    hidden activation (0: none); normalization: None, ``"batch"`` or ``"layer"``;
    weight_scale: ``"auto"`` (He for the ReLU family, Glorot for tanh/sigmoid), ``"he"``,
    ``"glorot"`` or a std. reg, dtype, seed: as :class:`Network`.
    """

    def __new__(cls, *args: Any, **kwargs: Any):
        # MLP(units=...), MLP(n_classes=...): numpynn's name for it, not a bare TypeError
        known = _keywords(cls) if kwargs else None
        for name in kwargs if known is not None else ():
            if name not in known:
                raise unknown_keyword(cls.__name__, name, known, what="parameters",
                                      equivalent=_MLP_NAMES.get(name) or OTHER_NAMES.get(name))
        return super().__new__(cls)

    def __init__(
        self,
        input_dim: int,
        hidden_dims: Sequence[int],
        num_classes: int,
        weight_scale: float | str = "auto",
        reg: float = 0.0,
        dtype: Any = np.float32,
        seed: int | None = None,
        activation: str = "relu",
        dropout: float = 0.0,
        normalization: str | None = None,
    ) -> None:
        self.hidden_dims = check_hidden_dims(hidden_dims)
        num_classes = check_positive_int(num_classes, "num_classes")
        if num_classes < 2:
            raise InputError(f"num_classes must be at least 2; got {num_classes}.")
        self.activation = check_activation(activation)
        self.dropout = check_dropout(dropout)
        self.normalization = check_normalization(normalization)
        layers: list[Layer] = []
        for h in self.hidden_dims:
            layers += hidden_block(h, self.activation, self.dropout, self.normalization)
        layers.append(build_layer("affine", units=num_classes))
        super().__init__(input_dim, layers, "softmax", reg=reg, weight_scale=weight_scale,
                         dtype=dtype, seed=seed)

    @property
    def num_layers(self) -> int:
        """Number of affine layers (hidden layers + 1)."""
        return len(self.hidden_dims) + 1

    def config(self) -> dict[str, Any]:
        return {
            **super().config(),
            "class": "MLP",
            "hidden_dims": list(self.hidden_dims),
            "num_classes": self.num_classes,
            "activation": self.activation,
            "dropout": self.dropout,
            "normalization": self.normalization,
        }

    @classmethod
    def _from_config(cls, config: Mapping[str, Any]) -> MLP:
        # numpynn 0.1 files: no activation/dropout/normalization, weight_scale "he"
        return MLP(config["input_dim"], config["hidden_dims"], config["num_classes"],
                   weight_scale=config.get("weight_scale", "he"), reg=config.get("reg", 0.0),
                   dtype=config.get("dtype", "float32"), seed=0,
                   activation=config.get("activation", "relu"),
                   dropout=config.get("dropout", 0.0),
                   normalization=config.get("normalization"))

    def astype(self, dtype: Any) -> MLP:
        copy = MLP._from_config({**self.config(), "dtype": check_dtype(dtype).name})
        copy.set_params(self.params)
        copy.set_buffers(self.buffers)
        copy.rng.bit_generator.state = self.rng.bit_generator.state
        return copy

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={v!r}" for k, v in (("activation", self.activation),
                                        ("dropout", self.dropout),
                                        ("normalization", self.normalization))
            if v != {"activation": "relu", "dropout": 0.0, "normalization": None}[k])
        return (f"{type(self).__name__}(input_dim={self.input_dim}, hidden_dims="
                f"{self.hidden_dims}, num_classes={self.num_classes}{extra}, reg={self.reg}, "
                f"dtype={self.dtype.name})")
