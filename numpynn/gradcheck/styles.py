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
    ``compute_cost``'s cost and the backward's ``grads['dW1']`` ... as ``'W1'`` ....
    ``column_major``: ``W l`` is (n_l, n_l-1), ``b l`` (n_l, 1), ``Z = W A + b`` (what the
    checks that look inside the network read)."""

    column_major = True

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
        for k, v in self.params.items():
            got = np.shape(grads[f"d{k}"])
            if got != v.shape:
                raise ReturnError(
                    f"{self.backward.__name__}'s grads['d{k}'] has shape {got}, but {k} has "
                    f"shape {v.shape}" + ((
                        ": it is transposed; in the course's column-major convention dW = "
                        "np.dot(dZ, A_prev.T) / m, and db = np.sum(dZ, axis=1, keepdims=True)"
                        " / m") if got == v.shape[::-1] else
                        "; a gradient has the shape of what it differentiates"))
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


#: the layer sizes Nielsen's Network is built with, and the batch it is checked on
NIELSEN_SIZES, NIELSEN_M = (6, 5, 4), 5


class NielsenNetwork:
    """Nielsen's ``Network`` (network.py, network2.py) as CS231n's model protocol: ``loss(X,
    y)`` runs ``feedforward`` and ``backprop`` on each row as a column vector with its label
    one-hot, and returns the mean cost and the mean ``(nabla_b, nabla_w)`` as ``'b1'``,
    ``'W1'``, ... . The cost is the network's ``self.cost.fn(a, y)`` (network2.py), else
    network.py's quadratic cost ``0.5 ||a - y||^2`` (its ``cost_derivative`` is ``a - y``)."""

    def __init__(self, net: Any) -> None:
        self.net = net
        self.params = {}
        for i, (w, b) in enumerate(zip(net.weights, net.biases), 1):
            self.params[f"W{i}"], self.params[f"b{i}"] = w, b

    def __repr__(self) -> str:
        return f"{type(self.net).__name__}.backprop"

    def cost(self, a: np.ndarray, t: np.ndarray) -> Any:
        fn = getattr(getattr(self.net, "cost", None), "fn", None)
        return fn(a, t) if callable(fn) else 0.5 * np.sum((a - t) ** 2)

    def loss(self, X: np.ndarray, y: np.ndarray | None = None) -> Any:
        L = len(self.params) // 2
        self.net.weights = [self.params[f"W{i}"] for i in range(1, L + 1)]
        self.net.biases = [self.params[f"b{i}"] for i in range(1, L + 1)]
        C = self.net.weights[-1].shape[0]
        outs = [self.net.feedforward(x.reshape(-1, 1)) for x in X]
        if y is None:
            return np.hstack(outs).T
        total, grads = 0.0, {k: 0.0 for k in self.params}
        for x, label, a in zip(X, y, outs):
            t = np.zeros((C, 1))
            t[label] = 1.0
            total = total + self.cost(a, t)
            got = self.net.backprop(x.reshape(-1, 1), t)
            if not (isinstance(got, tuple) and len(got) == 2 and len(got[0]) == L
                    and len(got[1]) == L):
                raise ReturnError(f"backprop(x, y) returned {_describe(got)}; it must return "
                                  f"(nabla_b, nabla_w), two lists of {L} arrays")
            for i in range(L):
                for what, g, p in (("nabla_b", got[0][i], "biases"),
                                   ("nabla_w", got[1][i], "weights")):
                    want = getattr(self.net, p)[i].shape
                    if np.shape(g) != want:
                        raise ReturnError(
                            f"backprop's {what}[{i}] has shape {np.shape(g)}, but "
                            f"self.{p}[{i}] has shape {want}" + ((
                                ": it is transposed; nabla_w[-l] = np.dot(delta, "
                                "activations[-l-1].transpose()), delta of shape (n_l, 1)")
                                if np.shape(g) == want[::-1] else "; a gradient has the "
                                "shape of what it differentiates (column vectors: x of "
                                "shape (n, 1), not (n,))"))
                grads[f"b{i + 1}"] = grads[f"b{i + 1}"] + got[0][i]
                grads[f"W{i + 1}"] = grads[f"W{i + 1}"] + got[1][i]
        return total / len(X), {k: v / len(X) for k, v in grads.items()}


def nielsen_networks(module: ModuleType, seed: int
                     ) -> list[tuple[str, NielsenNetwork | str, np.ndarray, np.ndarray]]:
    """Nielsen-style classes in ``module`` (``feedforward`` and ``backprop``), each built as
    ``cls([6, 5, 4])`` with weights and biases from their own streams: (class name, the
    model to check or why it cannot be checked, X (m, D), y (m,))."""
    out: list[tuple[str, NielsenNetwork | str, np.ndarray, np.ndarray]] = []
    X = stream(seed, "nielsen_X").standard_normal((NIELSEN_M, NIELSEN_SIZES[0]))
    y = np.arange(NIELSEN_M) % NIELSEN_SIZES[-1]
    for name, cls in sorted(_classes(module).items()):
        if not (callable(getattr(cls, "backprop", None))
                and callable(getattr(cls, "feedforward", None))):
            continue
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            net = cls(list(NIELSEN_SIZES))
        finally:
            np.random.set_state(state)
        if not (isinstance(getattr(net, "weights", None), list)
                and isinstance(getattr(net, "biases", None), list)):
            out.append((name, "it keeps no lists self.weights and self.biases, as "
                        "network.py's Network does", X, y))
            continue
        net.weights = [stream(seed, f"nielsen_W{i}").standard_normal((n, m))
                       for i, (m, n) in enumerate(zip(NIELSEN_SIZES, NIELSEN_SIZES[1:]), 1)]
        net.biases = [stream(seed, f"nielsen_b{i}").standard_normal((n, 1))
                      for i, n in enumerate(NIELSEN_SIZES[1:], 1)]
        derivative = getattr(net, "cost_derivative", None)
        if not callable(getattr(getattr(net, "cost", None), "fn", None)) and callable(
                derivative):
            a, t = np.full((2, 1), 0.75), np.array([[1.0], [0.0]])
            got = derivative(a, t)
            if not (np.allclose(got, a - t) or np.allclose(got, t - a)):  # y - a: a sign
                # error of the quadratic cost's derivative, which the check names
                out.append((name, (
                    f"its cost_derivative(a, y) is not a - y (at a = [0.75, 0.75], y = [1, 0] "
                    f"it returns {np.ravel(got).tolist()}, a - y = [-0.25, 0.75]): numpynn "
                    "checks backprop against network.py's quadratic cost, whose derivative "
                    "is a - y, or against network2.py's self.cost.fn(a, y); with another "
                    "cost, give the network a cost object as network2.py does (fn(a, y) and "
                    "delta(z, a, y))"), X, y))
                continue
        out.append((name, NielsenNetwork(net), X, y))
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


def other_styles(module: ModuleType, constructible: bool = False
                 ) -> list[tuple[list[str], str]]:
    """The other styles ``module`` is written in: (the names that show it, what to say).

    Recognised: deeplearning.ai's functions (:data:`NG_NAMES`), Nielsen's ``Network``
    (``feedforward`` and ``backprop``), layer classes with ``forward`` and ``backward``
    methods (PyTorch-like), and a functional script's ``forward`` / ``backward`` /
    ``loss_and_grad`` functions (:data:`FUNCTIONAL`). constructible: Nielsen's classes
    are checked (:func:`nielsen_networks`), and not named here."""
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
    if nielsen and not constructible:
        out.append((nielsen, (
            f"class {', '.join(nielsen)}: Nielsen's network.py style (feedforward(a), "
            "backprop(x, y) -> (nabla_b, nabla_w) for one example as column vectors): "
            "numpynn checks it when Network([6, 5, 4]) builds it, as network.py's and "
            "network2.py's constructors take the layer sizes alone, with lists "
            "self.weights and self.biases; backprop's gradients against a numerical "
            "gradient of self.cost.fn(a, y) (network2.py) or of the quadratic cost "
            f"(network.py) (see {DOCS})")))
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
