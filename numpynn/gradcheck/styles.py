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
from types import ModuleType

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
    if len(ng) >= 2:
        out.append((ng, (
            f"deeplearning.ai's functions ({', '.join(ng)}): numpynn does not check this "
            "style itself. Its arrays are column-major (X of shape (D, m), W of shape "
            "(n_l, n_l-1), Z = W A + b) where CS231n's are row-major (x of shape (N, D), "
            "out = x w + b), and its linear_backward averages dW and db over m, which "
            "CS231n's affine_backward does not; its output is a sigmoid with a binary "
            "cross-entropy cost, and numpynn's model check is of softmax or SVM scores. "
            "To check it, compare L_model_backward's grads with a numerical gradient of "
            "compute_cost(L_model_forward(X, parameters)[0], Y), as the course's 'Gradient "
            f"Checking' notebook does (see {DOCS})")))
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
