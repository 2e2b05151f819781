"""Networks written in styles other than CS231n's, as ``gradcheck --file`` finds them: what
was found, what numpynn checks, and the smallest change that makes the code checkable.

numpynn checks CS231n's protocol (layer functions ``name_forward(x, ...) -> (out, cache)``
and ``name_backward(dout, cache)``; model classes with ``params`` and ``loss(X, y)``).
A file in another style is not guessed at (its shapes, its loss and what its gradients
are of are conventions numpynn cannot read from the code); :func:`other_styles` names it,
so that "nothing numpynn checks found" never stands alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .checks import ReturnError, _describe, stream

#: where the adapters are shown (``numpynn docs gradcheck``)
DOCS = "'numpynn docs gradcheck', section \"Networks in other styles\""

#: deeplearning.ai's function names (Andrew Ng's course: column-major X of shape (D, m))
NG_NAMES = ("L_model_forward", "L_model_backward", "linear_activation_forward",
            "linear_activation_backward", "linear_forward", "linear_backward",
            "forward_propagation", "backward_propagation", "compute_cost",
            "initialize_parameters", "initialize_parameters_deep")

#: top-level function names of a functional script (``forward(X, params)``, ...)
FUNCTIONAL = ("forward", "backward", "backprop", "loss_and_grad", "loss_and_grads",
              "compute_gradients", "compute_grads", "gradients", "grad", "loss",
              "forward_pass", "backward_pass", "predict")


#: deeplearning.ai's networks numpynn checks whole: (forward, cost, backward, the layer
#: sizes it is built with, the backward's arguments in order)
NG_NETWORKS = (
    ("L_model_forward", "compute_cost", "L_model_backward", (6, 5, 4, 1), "AL, Y, caches"),
    ("forward_propagation", "compute_cost", "backward_propagation", (6, 5, 1),
     "parameters, cache, X, Y"),
)
#: the batch deeplearning.ai's network is checked on (m examples, as columns)
NG_M = 5


class NgNetwork:
    """deeplearning.ai's network as CS231n's model protocol (``params``, ``loss(X, y)``), so
    that :func:`numpynn.gradcheck.checks.check_gradients` checks it: ``loss`` gives the
    learner's functions ``X.T`` (D, m) and ``Y = y.reshape(1, m)`` and returns
    ``compute_cost``'s cost and the backward's ``grads['dW1']`` ... as ``'W1'`` ...."""

    def __init__(self, forward: Callable, cost: Callable, backward: Callable, names: str,
                 params: dict[str, np.ndarray]) -> None:
        self.forward, self.cost, self.backward, self.names = forward, cost, backward, names
        self.params = params

    def __repr__(self) -> str:
        return f"{self.forward.__name__} / {self.cost.__name__} / {self.backward.__name__}"

    def loss(self, X: np.ndarray, y: np.ndarray | None = None) -> Any:
        A0, Y = X.T, None if y is None else np.asarray(y).reshape(1, -1)
        out = self.forward(A0, self.params)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ReturnError(f"{self.forward.__name__}(X, parameters) returned "
                              f"{_describe(out)}; it must return (AL, caches)")
        AL, caches = out
        if Y is None:
            return AL
        nargs = len(inspect.signature(self.cost).parameters)
        cost = self.cost(AL, Y, self.params) if nargs >= 3 else self.cost(AL, Y)
        if self.names.startswith("AL"):
            grads = self.backward(AL, Y, caches)
        else:
            grads = self.backward(self.params, caches, A0, Y)
        if not hasattr(grads, "get"):
            raise ReturnError(f"{self.backward.__name__} returned {_describe(grads)}; it "
                              "must return the dict grads with 'dW1', 'db1', ...")
        missing = [f"d{k}" for k in self.params if f"d{k}" not in grads]
        if missing:
            raise ReturnError(f"{self.backward.__name__}'s grads has no {', '.join(missing)}"
                              f" (it has {', '.join(map(str, grads))}); the course names "
                              "the gradient of W1 grads['dW1']")
        return cost, {k: grads[f"d{k}"] for k in self.params}


def ng_networks(module: ModuleType, seed: int) -> list[tuple[NgNetwork, np.ndarray,
                                                             np.ndarray]]:
    """deeplearning.ai's networks ``module`` defines (:data:`NG_NETWORKS`), each with its
    parameters (``W l`` of shape (n_l, n_l-1), ``b l`` of (n_l, 1), drawn from their own
    streams, biases nonzero), the rows X (m, D) and binary labels y (m,) to check on."""
    functions, out = _functions(module), []
    for fwd, cost, bwd, sizes, names in NG_NETWORKS:
        if not all(callable(functions.get(n)) for n in (fwd, cost, bwd)):
            continue
        params = {}
        for layer in range(1, len(sizes)):
            params[f"W{layer}"] = stream(seed, f"ng_W{layer}").standard_normal(
                (sizes[layer], sizes[layer - 1])) * 0.5
            params[f"b{layer}"] = stream(seed, f"ng_b{layer}").standard_normal(
                (sizes[layer], 1)) * 0.1
        X = stream(seed, "ng_X").standard_normal((NG_M, sizes[0]))
        y = np.arange(NG_M) % 2
        out.append((NgNetwork(functions[fwd], functions[cost], functions[bwd], names, params),
                    X, y))
    return out


def _classes(module: ModuleType) -> dict[str, type]:
    return {n: c for n, c in vars(module).items()
            if inspect.isclass(c) and c.__module__ == module.__name__}


def _functions(module: ModuleType) -> dict[str, object]:
    return {n: f for n, f in vars(module).items()
            if inspect.isfunction(f) and f.__module__ == module.__name__}


def _signature(fn: object) -> str:
    try:
        return f"{getattr(fn, '__name__', '?')}({', '.join(inspect.signature(fn).parameters)})"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"{getattr(fn, '__name__', '?')}(...)"


def other_styles(module: ModuleType) -> list[tuple[list[str], str]]:
    """The other styles ``module`` is written in: (the names that show it, what to say).

    Recognised: deeplearning.ai's functions (:data:`NG_NAMES`), Nielsen's ``Network``
    (``feedforward`` and ``backprop``), layer classes with ``forward`` and ``backward``
    methods (PyTorch-like), and a functional script's ``forward`` / ``backward`` /
    ``loss_and_grad`` functions (:data:`FUNCTIONAL`)."""
    out: list[tuple[list[str], str]] = []
    functions, classes = _functions(module), _classes(module)
    ng = [n for n in NG_NAMES if n in functions]
    checked = [n for f, c, b, _, _ in NG_NETWORKS for n in (f, c, b)
               if all(callable(functions.get(m)) for m in (f, c, b))]
    if checked:  # its layers' functions are checked through the whole network
        out.append(([*ng, "relu_backward", "sigmoid_backward", "tanh_backward"], ""))
    elif len(ng) >= 2:
        out.append((ng, (
            f"deeplearning.ai's functions ({', '.join(ng)}): numpynn checks this style "
            "as a whole network, L_model_forward(X, parameters) -> (AL, caches), "
            "compute_cost(AL, Y) and L_model_backward(AL, Y, caches) -> grads (or the "
            "two-layer forward_propagation, compute_cost, backward_propagation), its grads "
            "against a numerical gradient of the cost; its layers alone are not checked "
            "(column-major arrays, dW averaged over m inside linear_backward). The "
            "smallest change: define the three functions with the course's names and "
            f"arguments (see {DOCS})")))
    nielsen = [n for n, c in classes.items() if callable(getattr(c, "backprop", None))
               and callable(getattr(c, "feedforward", None))]
    if nielsen:
        out.append((nielsen, (
            f"class {', '.join(nielsen)}: Nielsen's network.py style (feedforward(a), "
            "backprop(x, y) -> (nabla_b, nabla_w) for one example as column vectors): "
            "numpynn does not check this style itself. Its cost is not in the code "
            "(network.py's quadratic cost is implied by cost_derivative; network2.py's "
            "is self.cost.fn), and numpynn's model check is of softmax or SVM scores "
            "with a batch of rows. To check backprop, compare it with a numerical "
            f"gradient of the cost of feedforward(x) (see {DOCS})")))
    if any(callable(getattr(c, "loss", None)) and n not in nielsen
           for n, c in classes.items()):
        return out  # a model class (an adapter, or the course's own) is what is checked
    layers = [n for n, c in classes.items() if n not in nielsen
              and callable(getattr(c, "forward", None))
              and callable(getattr(c, "backward", None))]
    if layers:
        out.append((layers, (
            f"class {', '.join(layers)}: layers as classes with forward and backward "
            "methods (PyTorch-like): numpynn checks CS231n's protocol, not classes whose "
            "gradients are kept as attributes (self.dW). The smallest change: add a "
            "model class that builds your network and gives CS231n's interface, "
            "__init__(self, input_dim, hidden_dim, num_classes, weight_scale, reg) with "
            "self.params = {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...} (your layers' "
            "arrays) and loss(self, X, y=None) returning the scores without y and "
            "(loss, {'W1': layer.dW, ...}) with y; it is checked like assignment 2's "
            f"TwoLayerNet (the adapter in {DOCS})")))
    fns = [n for n in FUNCTIONAL if n in functions and n not in ng]
    if fns and not ng:
        shown = ", ".join(_signature(functions[n]) for n in fns)
        out.append((fns, (
            f"functions {shown}: a functional script: numpynn cannot tell from their "
            "arguments which arrays are the weights, the data and the labels, nor what "
            "the loss is. The smallest change: add a model class with CS231n's "
            "interface, __init__(self, input_dim, hidden_dim, num_classes, weight_scale, "
            "reg) with self.params = {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...} and "
            "loss(self, X, y=None) that calls your functions with self.params and returns "
            "the scores without y and (loss, grads) with y (grads a dict with the keys of "
            f"params); it is checked like assignment 2's TwoLayerNet (the adapter in {DOCS})"
        )))
    return out
