"""ONNX export: a saved model's whole prediction, preprocessing included, as one ONNX graph.

``to_onnx(saved_or_model)`` returns an ``onnx.ModelProto`` (opset :data:`OPSET`) with

- for a model trained on a CSV table with a header, one input per feature column, named
  by the column (as scikit-learn's converters take a table: a row is fed by column name,
  in any order), each (N, 1): a numeric column in the model's dtype (NaN for a missing
  cell, imputed in the graph with ``Where(IsNaN)`` where the model imputes), a text
  column as strings, stripped of surrounding whitespace as the CSV reader strips them and
  one-hot encoded over the training categories (one ``RegexFullMatch`` per category: an
  unseen or missing category is all zeros, as numpynn's default
  ``handle_unknown="ignore"`` encodes it; ``"error"`` refuses the row there). A column
  named like an output (``label``, ``probabilities``, ``variable``) is fed as
  ``NAME_input``; the metadata ``numpynn.input_columns`` maps each input to its column;
- for a headerless CSV model with text columns or median imputation: ``X`` the numeric
  columns (N, F_numeric) in training order and ``categories`` (N, F_categorical) the text
  cells, encoded as above;
- otherwise one input ``X``: (N, D) raw features, float32 or float64 as the model (N is
  dynamic);
- the stored preprocessing, ``(X - mean) / scale`` (``Sub`` then ``Div``, as
  :meth:`numpynn.data.Preprocessor.transform` computes it);
- every layer through its converter in :data:`CONVERTERS` (batch norm right after an
  affine layer is folded into it; identity and dropout, identities at test time, vanish);
- the outputs scikit-learn's converters (skl2onnx, ``zipmap=False``) name: for a
  classifier ``label`` (N,) and ``probabilities`` (N, C).

An :class:`~numpynn.ensemble.Ensemble` (``numpynn train --ensemble K``) is one graph:
the shared input and preprocessing, each member's layers, each member's ``Softmax``,
then ``probabilities = (P_1 + ... + P_K) / K`` (``Add``, ``Div``: onnxruntime has no
float64 ``Mean``) and ``label`` from ``ArgMax`` of it.

``label`` holds the model's class labels (``SavedModel.classes``; a bare network's are
its class indices 0..C-1): integer labels of any width (int8 ... uint64) become int64 (as
skl2onnx does; a uint64 label above 2**63 - 1 is refused), strings a string tensor,
floats double and booleans bool. It is ``ArgMax`` of the scores (as ``predict``), then a
``Gather`` from the constant list of labels.

onnxruntime (1.32) has no float64 kernel for ``Elu`` or ``Erf``: float64 models get ELU
as ``Where(x > 0, x, alpha * (Exp(min(x, 0)) - 1))`` and GELU's ``erf`` as its series
``erf(t) = 2/sqrt(pi) exp(-t^2) sum_n 2^n t^(2n+1) / (1*3*...*(2n+1))`` (all terms
positive: no cancellation; 100 terms on t clipped to [-6, 6] give |error| < 1e-14).
Float32 models use the operators themselves. The float attributes of ONNX operators
(``LeakyRelu``'s alpha, ``BatchNormalization``'s epsilon) are float32, so float64 models
get those two as ``Where``/``Mul``/``Add`` with float64 constants. Layer norm is written
out (``ReduceMean``, ``Sub``, ``Mul``, ``Sqrt``, ``Div``) with numpynn's centred variance:
onnxruntime's fused ``LayerNormalization`` (opset 17) misses by 4e-5 on float32 rows of
mean 100 and by 2e-11 on float64 rows of mean 1e4.

A layer of your own gets an ONNX mapping with :func:`register_converter`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import __version__
from ..data.preprocessing import LOG_CAP
from ..data.table import MISSING_TOKENS
from ..ensemble import Ensemble
from ..errors import InputError
from ..layers import LAYERS, Layer
from ..model_file import SavedModel
from ..models import Network

#: ONNX operator set of the exported graphs (LayerNormalization's first; onnxruntime >= 1.12)
OPSET = 17
#: name of the graph's input, the raw features (N, D)
INPUT_NAME = "X"
#: name of the string input of a CSV model's categorical columns (N, F_categorical)
CATEGORIES_NAME = "categories"
#: operator set of graphs with text columns (RegexFullMatch, onnxruntime >= 1.17)
TEXT_OPSET = 20
#: the characters Python's ``str.strip()`` removes (the CSV reader's), as an RE2 class
_SPACE = ("[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
          "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]*")
#: the graph's output names, which an input never takes
OUTPUT_NAMES = ("label", "probabilities", "variable")
#: operators whose ``axes`` attribute is an input from the opset given on
#: (:meth:`GraphBuilder.axes_as_inputs`); converters write the attribute, as opset 17 has it
AXES_INPUT_SINCE = {"ReduceSum": 13, "Squeeze": 13, "Unsqueeze": 13, "ReduceMean": 18,
                    "ReduceMax": 18, "ReduceMin": 18, "ReduceProd": 18, "ReduceL1": 18,
                    "ReduceL2": 18, "ReduceLogSum": 18, "ReduceLogSumExp": 18,
                    "ReduceSumSquare": 18}
#: layers that are the identity at test time: exported as nothing
TEST_TIME_IDENTITY = ("identity", "dropout")



def _require_onnx():
    """The ``onnx`` module, or an InputError saying how to install it."""
    try:
        import onnx
        import onnx.helper  # noqa: F401
        import onnx.numpy_helper  # noqa: F401
    except ImportError:
        raise InputError('ONNX export needs the onnx package, which is not installed; '
                         'install it with: pip install "numpynn[onnx]"') from None
    return onnx


class GraphBuilder:
    """Nodes and constants of one graph under construction, with unique names.

    dtype: the model's float dtype; every constant made by :meth:`const` takes it.
    """

    def __init__(self, dtype: np.dtype, reserved: tuple[str, ...] = ()) -> None:
        self.onnx = _require_onnx()
        self.dtype = np.dtype(dtype)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0
        self.reserved = set(reserved)  # the inputs' names (a column may be called "W_3")

    def name(self, hint: str) -> str:
        while True:
            self._count += 1
            name = f"{hint}_{self._count}"
            if name not in self.reserved:
                return name

    def const(self, value: Any, hint: str, dtype: Any = None) -> str:
        """A constant (initializer) holding ``value`` in ``dtype`` (default: the model's)."""
        arr = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self.name(hint)
        if arr.dtype.kind == "U":
            tensor = self.onnx.helper.make_tensor(
                name, self.onnx.TensorProto.STRING, arr.shape,
                [s.encode("utf-8") for s in arr.ravel().tolist()])
        else:
            tensor = self.onnx.numpy_helper.from_array(arr, name)
        self.initializers.append(tensor)
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None,
           output: str | None = None, **attrs: Any) -> str:
        """Append one node; returns the name of its (single) output."""
        out = output or self.name(hint or op_type.lower())
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [out], name=out,
                                                     **attrs))
        return out

    def axes_as_inputs(self, opset: int) -> None:
        """Rewrite the nodes written in the opset-17 form for ``opset``: an operator whose
        ``axes`` attribute became an input by then (``ReduceMean`` at 18, ``ReduceSum``
        and ``Squeeze`` at 13...) gets them as an int64 constant input, which
        ``onnx.checker`` and onnxruntime require (a layer norm in a graph of text
        columns, opset 20)."""
        for i, node in enumerate(self.nodes):
            since = AXES_INPUT_SINCE.get(node.op_type) if not node.domain else None
            axes = [a for a in node.attribute if a.name == "axes"]
            if since is None or opset < since or not axes:
                continue
            attrs = {a.name: self.onnx.helper.get_attribute_value(a)
                     for a in node.attribute if a.name != "axes"}
            values = self.onnx.helper.get_attribute_value(axes[0])
            inputs = [*node.input, self.const(list(values), "axes", np.int64)]
            self.nodes[i] = self.onnx.helper.make_node(
                node.op_type, inputs, list(node.output), name=node.name, **attrs)


# ------------------------------------------------------------------------- converters
#: ``Converter(graph, layer, params, buffers, x) -> output name``: params and buffers are
#: the layer's own arrays by local name ("W", "gamma", "running_mean"), x its input's name.
Converter = Callable[[GraphBuilder, Layer, Mapping[str, np.ndarray],
                      Mapping[str, np.ndarray], str], str]
#: ONNX mappings registered here for layers whose class has none (``Layer.onnx``), or to
#: replace theirs, by layer name
CONVERTERS: dict[str, Converter] = {}


def register_converter(name: str, replace: bool = False) -> Callable[[Converter], Converter]:
    """Decorator: the ONNX mapping of the layer registered as ``name`` (see
    :data:`Converter`), over the layer's own (``Layer.onnx``); a layer of another author
    becomes exportable with it."""

    def add(fn: Converter) -> Converter:
        if name in CONVERTERS and not replace:
            raise ValueError(f"an ONNX converter for layer {name!r} is already registered")
        CONVERTERS[name] = fn
        return fn

    return add


# --------------------------------------------------------------------------- the graph
def _test_time_layers(net: Network) -> list[tuple[Layer, dict[str, np.ndarray],
                                                  dict[str, np.ndarray]]]:
    """``(layer, params, buffers)`` of what runs at test time: test-time identities
    dropped, each batch norm directly after an affine layer folded into it::

        W' = W * s,  b' = (b - running_mean) * s + beta,  s = gamma / sqrt(running_var + eps)

    (computed in float64, then cast to the model's dtype).
    """
    steps: list[tuple[Layer, dict[str, np.ndarray], dict[str, np.ndarray]]] = []
    for i, layer in enumerate(net.layers):
        if layer.name in TEST_TIME_IDENTITY:
            continue
        params = {k: net.params[v] for k, v in net.keys[i].items() if v in net.params}
        buffers = {k: net.buffers[v] for k, v in net.keys[i].items() if v in net.buffers}
        if layer.name == "batchnorm" and steps and steps[-1][0].name == "affine":
            prev, prev_params, _ = steps[-1]
            s = (params["gamma"].astype(np.float64)
                 / np.sqrt(buffers["running_var"].astype(np.float64) + layer.eps))
            W = prev_params["W"].astype(np.float64) * s
            b = ((prev_params["b"].astype(np.float64) - buffers["running_mean"]) * s
                 + params["beta"])
            steps[-1] = (prev, {"W": W.astype(net.dtype), "b": b.astype(net.dtype)}, {})
            continue
        steps.append((layer, params, buffers))
    return steps


def _network(g: GraphBuilder, net: Network, x: str) -> str:
    """The network's test-mode scores (N, C) from its input ``x``."""
    for layer, params, buffers in _test_time_layers(net):
        convert = CONVERTERS.get(layer.name)
        if convert is not None:
            x = convert(g, layer, params, buffers, x)
        elif layer.onnx is not None:
            x = layer.onnx(g, params, buffers, x)
        else:
            mapped = sorted({*CONVERTERS, *(n for n, c in LAYERS.items() if c.onnx is not None)})
            raise InputError(
                f"layer {layer.name!r} ({layer!r}, number {net.layers.index(layer) + 1} of "
                f"the network) has no ONNX mapping; give its class an onnx method, register "
                f"one with numpynn.export.register_converter({layer.name!r}), or export a "
                f"network without it (ONNX-mapped layers: {', '.join(mapped)}).")
    return x


def _table_recipe(saved: Any) -> Any:
    """The CSV data-reading recipe of a saved model when the graph takes table columns
    (a header names them, or one-hot categories or median imputation change them), else
    None."""
    recipe = getattr(saved, "recipe", None)
    if recipe is None or recipe.source != "csv" or (
            not recipe.feature_names and not recipe.categorical and recipe.impute == "none"):
        return None
    return recipe


def column_inputs(recipe: Any) -> list[str]:
    """The graph's input names of a headed table's feature columns, in training order:
    the column names, ``NAME_input`` for one named like an output."""
    return [f"{n}_input" if n in OUTPUT_NAMES else n for n in recipe.feature_names]


def _text_one_hot(g: GraphBuilder, cell: str, cats: list[str], j: int,
                  mode: str | None = None) -> str:
    """(N, K) one-hot of the text cells ``cell`` (N, 1) over ``cats``: a cell matches a
    category when it equals it once surrounding whitespace is stripped (as the CSV reader
    strips every cell); an unseen cell matches none (all zeros), and so does a missing one
    (empty, NA, NaN, ?, ... as the reader takes them) unless ``mode`` names the category
    that missing cells get."""
    missing = "|".join(re.escape(token) for token in sorted(MISSING_TOKENS) if token)
    pieces = []
    for c in cats:
        literal = str(c).replace("\\E", "\\E\\\\E\\Q")  # RE2 quoting: \Q...\E
        body = f"\\Q{literal}\\E" + (f"|(?i:{missing})|" if c == mode else "")
        hit = g.op("RegexFullMatch", [cell], f"is{j}",
                   pattern=f"{_SPACE}(?:{body}){_SPACE}")
        pieces.append(g.op("Cast", [hit], f"hot{j}",
                           to=g.onnx.helper.np_dtype_to_tensor_dtype(g.dtype)))
    return pieces[0] if len(pieces) == 1 else g.op("Concat", pieces, f"onehot{j}", axis=1)


def _encode(g: GraphBuilder, recipe: Any, column: Callable[[int], str]) -> str:
    """The recipe's encoding of table rows -> the model's inputs (N, D), feature column by
    feature column in training order. ``column(j)`` gives feature ``j``'s cells (N, 1):
    numbers (NaN: missing, replaced by the training median with ``Where(IsNaN)`` where the
    recipe imputes) or, for a text column, strings (:func:`_text_one_hot`)."""
    pieces = []
    for j in range(recipe.n_features):
        cats = recipe.categorical.get(j)
        x = column(j)
        if cats is not None:
            pieces.append(_text_one_hot(g, x, list(cats), j, recipe.modes.get(j)))
        elif recipe.medians is not None and recipe.medians[j] is not None:
            pieces.append(g.op("Where", [g.op("IsNaN", [x]),
                                         g.const(recipe.medians[j], "median"), x],
                               f"imputed{j}"))
        else:
            pieces.append(x)
    return pieces[0] if len(pieces) == 1 else g.op("Concat", pieces, "encoded", axis=1)


def _table_inputs(g: GraphBuilder, recipe: Any, input_name: str) -> tuple[list[Any], str]:
    """The graph inputs of a table model and the encoded features (N, D) they give."""
    helper, tp = g.onnx.helper, g.onnx.TensorProto
    float_type = helper.np_dtype_to_tensor_dtype(g.dtype)
    if recipe.feature_names:  # one input per column, by name
        names = column_inputs(recipe)
        inputs = [helper.make_tensor_value_info(
            name, tp.STRING if j in recipe.categorical else float_type, ["N", 1])
            for j, name in enumerate(names)]
        return inputs, _encode(g, recipe, lambda j: names[j])
    numeric = [j for j in range(recipe.n_features) if j not in recipe.categorical]
    text = sorted(recipe.categorical)
    inputs = []
    if numeric:
        inputs.append(helper.make_tensor_value_info(input_name, float_type,
                                                    ["N", len(numeric)]))
    if text:
        inputs.append(helper.make_tensor_value_info(CATEGORIES_NAME, tp.STRING,
                                                    ["N", len(text)]))

    def column(j: int) -> str:
        source, k = ((CATEGORIES_NAME, text.index(j)) if j in recipe.categorical
                     else (input_name, numeric.index(j)))
        return g.op("Gather", [source, g.const([k], "column", np.int64)], f"feature{j}",
                    axis=1)

    return inputs, _encode(g, recipe, column)


def _preprocessing(g: GraphBuilder, saved: Any, x: str) -> str:
    """The stored preprocessing ``(X - mean) / scale`` (nothing for kind "none")."""
    if saved is None:
        return x
    pre = saved.preprocessor()
    if pre.kind == "none":
        return x
    if pre.kind not in ("standardize", "center", "scale"):
        raise InputError(f"preprocessing kind {pre.kind!r} has no ONNX mapping yet; export "
                         "the network alone with to_onnx(saved.model) and preprocess outside.")
    centred = g.op("Sub", [x, g.const(pre.mean_, "prep_mean")], "centred")
    return g.op("Div", [centred, g.const(pre.scale_, "prep_scale")], "preprocessed")


def _label_constant(classes: np.ndarray) -> tuple[np.ndarray, Any]:
    """The label list as stored in the graph, and its ONNX element type name."""
    kind = classes.dtype.kind
    if kind in "iu":
        if kind == "u" and classes.size and int(classes.max()) > np.iinfo(np.int64).max:
            raise InputError(f"class label {int(classes.max())} does not fit ONNX's int64 "
                             "labels; relabel the classes below 2**63.")
        return classes.astype(np.int64), "INT64"
    if kind == "f":
        return classes.astype(np.float64), "DOUBLE"
    if kind == "b":
        return classes.astype(bool), "BOOL"
    if kind in "US":
        return classes.astype(str), "STRING"
    raise InputError(f"class labels of dtype {classes.dtype} cannot be exported; use "
                     "numbers or strings.")


def _ensemble_outputs(g: GraphBuilder, member_scores: list[str],
                      classes: np.ndarray) -> list[Any]:
    """An ensemble's ``probabilities`` (N, C) = the mean of its members' softmax
    probabilities (summed in member order, then divided by K, as
    :meth:`numpynn.ensemble.Ensemble.predict_proba`), and ``label`` (N,) =
    classes[ArgMax(probabilities)]."""
    helper, tp = g.onnx.helper, g.onnx.TensorProto
    labels, elem = _label_constant(classes)
    total = ""
    for i, s in enumerate(member_scores):
        p = g.op("Softmax", [s], f"member{i + 1}_probabilities", axis=1)
        total = g.op("Add", [total, p], "probability_sum") if total else p
    # Add and Div: onnxruntime has no float64 kernel for Mean
    g.op("Div", [total, g.const(len(member_scores), "n_members")], output="probabilities")
    index = g.op("ArgMax", ["probabilities"], "class_index", axis=1, keepdims=0)
    g.op("Gather", [g.const(labels, "classes", labels.dtype), index], output="label", axis=0)
    float_type = helper.np_dtype_to_tensor_dtype(g.dtype)
    return [helper.make_tensor_value_info("label", getattr(tp, elem), ["N"]),
            helper.make_tensor_value_info("probabilities", float_type, ["N", len(classes)])]


def _classifier_outputs(g: GraphBuilder, scores: str, classes: np.ndarray,
                        saved: Any) -> list[Any]:
    """``label`` (N,) = classes[ArgMax(scores)] and ``probabilities`` (N, C) = softmax."""
    helper, tp = g.onnx.helper, g.onnx.TensorProto
    labels, elem = _label_constant(classes)
    g.op("Softmax", [scores], output="probabilities", axis=1)
    index = g.op("ArgMax", [scores], "class_index", axis=1, keepdims=0)
    g.op("Gather", [g.const(labels, "classes", labels.dtype), index], output="label", axis=0)
    float_type = helper.np_dtype_to_tensor_dtype(g.dtype)
    return [helper.make_tensor_value_info("label", getattr(tp, elem), ["N"]),
            helper.make_tensor_value_info("probabilities", float_type, ["N", len(classes)])]


def _regressor_outputs(g: GraphBuilder, scores: str, classes: np.ndarray,
                       saved: Any) -> list[Any]:
    """``variable`` (N, K), as skl2onnx names a regressor's output: the scores with the
    model's target scaling undone (``scores * scale + mean``, then ``expm1`` at least 0 on
    the columns trained on log(1 + y), as :meth:`TargetScaler.inverse_transform`; none
    for a bare network)."""
    helper = g.onnx.helper
    k: int | str = "K"
    state = (saved.metadata.get("target_scaler") if saved is not None else None) or {}
    if state.get("mean") is not None:
        scale = np.asarray(state["scale"], g.dtype).reshape(1, -1)
        mean = np.asarray(state["mean"], g.dtype).reshape(1, -1)
        k = scale.shape[1]
        scaled = g.op("Mul", [scores, g.const(scale, "target_scale", g.dtype)], "scaled")
        log = np.asarray(state.get("log") or [False] * k, bool).reshape(1, -1)
        if not log.any():
            g.op("Add", [scaled, g.const(mean, "target_mean", g.dtype)], output="variable")
        else:
            values = g.op("Add", [scaled, g.const(mean, "target_mean", g.dtype)], "unscaled")
            cap = min(LOG_CAP, float(np.log(np.finfo(g.dtype).max)))
            capped = g.op("Min", [values, g.const(cap, "log_cap")], "capped")
            grown = g.op("Sub", [g.op("Exp", [capped], "exp"), g.const(1.0, "one")], "expm1")
            grown = g.op("Max", [grown, g.const(0.0, "zero")], "expm1_at_least_0")
            g.op("Where", [g.const(log, "log_columns", bool), grown, values],
                 output="variable")
    else:
        g.op("Identity", [scores], output="variable")
    float_type = helper.np_dtype_to_tensor_dtype(g.dtype)
    return [helper.make_tensor_value_info("variable", float_type, ["N", k])]


#: The graph outputs for each loss (``model.loss_fn.name``): ``(graph, scores, classes,
#: saved model or None) -> output value infos``: a classifier's ``label`` and
#: ``probabilities``, a regressor's ``variable`` (N, n_outputs), as skl2onnx names them.
OUTPUTS: dict[str, Callable[[GraphBuilder, str, np.ndarray, Any], list[Any]]] = {
    "softmax": _classifier_outputs,
    "squared_error": _regressor_outputs,
}


def to_onnx(saved_or_model: Any, input_name: str = INPUT_NAME) -> Any:
    """The whole prediction of a model as one ONNX graph (opset :data:`OPSET`).

    saved_or_model: a :class:`numpynn.model_file.SavedModel` (its preprocessing and class labels
    go into the graph), a :class:`numpynn.models.Network` / ``MLP`` or an
    :class:`numpynn.ensemble.Ensemble` (no preprocessing; labels are the class indices).
    input_name: the input's name (``"X"``), (N, D) in the model's dtype (a model of a
    CSV with a header has one input per column instead, named by the column: see the
    module's docstring). Returns an ``onnx.ModelProto``
    that ``onnx.checker`` accepts, with outputs ``label`` (N,) and ``probabilities``
    (N, C) for a classifier.

    Raises InputError: onnx is not installed, a layer has no ONNX mapping, the loss or
    the preprocessing kind has none.
    """
    onnx = _require_onnx()

    if isinstance(saved_or_model, SavedModel):
        saved, net = saved_or_model, saved_or_model.model
        classes = np.asarray(saved.classes)
    elif isinstance(saved_or_model, (Network, Ensemble)):
        saved, net = None, saved_or_model
        classes = np.arange(net.num_outputs, dtype=np.int64)
    else:
        given = saved_or_model
        how = ""
        if isinstance(given, (str, os.PathLike)):  # the file: loaded first, as export does
            how = (f" {os.fspath(given)!r}: load the model file first, "
                   f"to_onnx(load_model({os.fspath(given)!r}))")
        elif isinstance(getattr(given, "model_", None), (Network, Ensemble)) and hasattr(
                given, "classes_"):  # a fitted MLPClassifier
            how = (f": its network is to_onnx(est.model_), whose labels are the class "
                   f"indices 0..{len(given.classes_) - 1} in the order of est.classes_")
        raise InputError(f"to_onnx needs a SavedModel (numpynn.model_file.load_model), a "
                         f"Network or an Ensemble; got {type(given).__name__}{how}.")
    if not isinstance(input_name, str) or not input_name:
        raise InputError(f"input_name must be a non-empty string; got {input_name!r}.")
    loss = net.loss_fn.name
    outputs_for = OUTPUTS.get(loss)
    if outputs_for is None:
        raise InputError(f"models trained with the loss {loss!r} cannot be exported to ONNX "
                         f"yet (exportable losses: {', '.join(sorted(OUTPUTS))}).")
    recipe = _table_recipe(saved)
    reserved = (tuple(column_inputs(recipe)) if recipe is not None and recipe.feature_names
                else (input_name, CATEGORIES_NAME))
    g = GraphBuilder(net.dtype, reserved)
    helper = onnx.helper
    float_type = helper.np_dtype_to_tensor_dtype(net.dtype)
    if recipe is None:
        x = input_name
        inputs = [helper.make_tensor_value_info(input_name, float_type, ["N", net.input_dim])]
    else:
        inputs, x = _table_inputs(g, recipe, input_name)
    x = _preprocessing(g, saved, x)
    if isinstance(net, Ensemble):
        outputs = _ensemble_outputs(g, [_network(g, m, x) for m in net.members], classes)
    else:
        scores = _network(g, net, x)
        if scores == input_name:  # a network with no operator at all: still one node
            scores = g.op("Identity", [scores], "scores")
        outputs = outputs_for(g, scores, classes, saved)
    text = any(node.op_type == "RegexFullMatch" for node in g.nodes)
    opset = TEXT_OPSET if text else OPSET
    g.axes_as_inputs(opset)
    graph = helper.make_graph(g.nodes, "numpynn", inputs, outputs, g.initializers)
    opsets = [helper.make_opsetid("", opset)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="numpynn",
                              producer_version=__version__,
                              ir_version=helper.find_min_ir_version_for(opsets),
                              doc_string=f"numpynn {type(net).__name__}: {net!r}")
    meta = {"numpynn.loss": loss, "numpynn.input_dim": str(net.input_dim),
            "numpynn.dtype": net.dtype.name,
            "numpynn.preprocessing": saved.preprocessing["kind"] if saved else "none",
            "numpynn.classes": json.dumps(classes.tolist())}
    if isinstance(net, Ensemble):
        meta["numpynn.ensemble_members"] = str(net.n_members)
    if recipe is not None:  # which table columns go into which input, in which order
        names = recipe.feature_names or [f"column {p + 1}" for p in recipe.features]
        cat = sorted(recipe.categorical)
        if recipe.feature_names:
            meta["numpynn.input_columns"] = json.dumps(
                {i: [n] for i, n in zip(column_inputs(recipe), names)})
        else:
            meta["numpynn.input_columns"] = json.dumps(
                {input_name: [n for j, n in enumerate(names) if j not in recipe.categorical],
                 CATEGORIES_NAME: [names[j] for j in cat]})
        meta["numpynn.categories"] = json.dumps({names[j]: recipe.categorical[j] for j in cat})
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    return model
