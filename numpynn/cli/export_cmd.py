"""``numpynn export``: a saved model as an ONNX graph (preprocessing, network, labels)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import InputError
from ..model_file import atomic_write, load_model
from ..outputs import check_output, commit_point, input_paths
from ..runs.files import check_not_a_run_file
from . import common
from .commands import COMMAND_HELP

EXAMPLES = """examples:
  numpynn export numpynn-run/model.npz model.onnx
  numpynn export runs/cifar/model.npz /srv/models/cifar.onnx

serving (README, "Serving with onnxruntime"):
  sess = onnxruntime.InferenceSession("model.onnx")
  label, proba = sess.run(["label", "probabilities"], {"X": X})   # arrays
  feed = {"length": np.array([[5.1]], np.float32), "color": np.array([["red"]])}
  label, proba = sess.run(["label", "probabilities"], feed)        # a table's columns
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help=COMMAND_HELP["export"],
        description="Write the model's whole prediction (its preprocessing, every layer, "
        "softmax and the class labels) as one ONNX graph: for a model of a CSV with a "
        "header, one input per column named by the column, (N, 1) each (numbers in the "
        "model's dtype, text as strings, stripped and one-hot encoded in the graph); else "
        "input X (N, D) of raw features in the model's dtype. Outputs 'label' (N,) and "
        "'probabilities' (N, C) ('variable' (N, K) for a regression), named as "
        "scikit-learn's ONNX converters name them; the inputs are printed. Needs the onnx "
        "package "
        '(pip install "numpynn[onnx]").',
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", type=common.path,
                   help="model file written by numpynn train (model.npz), or its run directory")
    p.add_argument("output", type=common.file_path("model.onnx"),
                   help="the ONNX file to write (model.onnx)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..export.onnx import to_onnx

    model_path, out = args.model, args.output
    # the model by its one resolution (a run directory is its model.npz), before any work
    check_output(out, input_paths([model_path], run_dir_model=True), what="the output",
                 content="onnx")
    check_not_a_run_file(out, model_path, what="the output")  # nor a file of its run
    _check_onnx_name(out)  # nor a name of another format (model.pt)
    saved = load_model(model_path)
    proto = to_onnx(saved)
    data = proto.SerializeToString()
    if os.fspath(out) != "-":  # standard output is the graph itself: a reader that
        commit_point()  # left, or none (>&-), is a failure until it is all written
    # (a signal from here on is too late: the graph is being written)
    atomic_write(out, lambda fh: fh.write(data))
    outputs = ", ".join(o.name for o in proto.graph.output)
    opset = max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx"))
    print(f"wrote {out} (ONNX opset {opset}, {len(data):,} bytes): {input_text(proto)} -> "
          f"{outputs}", file=sys.stderr)
    return 0


#: other formats' endings of a model file: the tool whose format it is
_OTHER_MODEL_FORMATS = {".pt": "PyTorch", ".pth": "PyTorch", ".ckpt": "a checkpoint",
                        ".h5": "Keras", ".keras": "Keras", ".pb": "TensorFlow",
                        ".tflite": "TensorFlow Lite", ".pkl": "pickle", ".pickle": "pickle",
                        ".joblib": "joblib", ".npz": "NumPy", ".csv": "a table",
                        ".json": "JSON", ".txt": "text", ".mlmodel": "Core ML",
                        ".engine": "TensorRT", ".zip": "a zip archive"}


def _check_onnx_name(out) -> None:
    """Refuse an output named for another format (``model.pt``): the file would hold an
    ONNX graph that the tool of that ending cannot load."""
    suffix = Path(out).suffix.lower()
    if suffix in _OTHER_MODEL_FORMATS:
        raise InputError(
            f"the output {out} is named as a {_OTHER_MODEL_FORMATS[suffix]} file ({suffix}), "
            f"but numpynn export writes an ONNX graph, which that tool would not load under "
            f"this name; name it {Path(out).with_suffix('.onnx')} (ONNX Runtime, and "
            "converters such as onnx2torch or onnx2tf, read it)")


def input_text(proto) -> str:
    """The graph's inputs as they are declared: ``input X float32 (N, 64)``, or for a
    table's columns ``3 inputs, one per column, (N, 1) each: length float32, color
    string, ...`` (the first 8 named)."""
    from onnx import TensorProto

    def described(i) -> tuple[str, str]:
        t = i.type.tensor_type
        name = TensorProto.DataType.Name(t.elem_type)
        kind = {"FLOAT": "float32", "DOUBLE": "float64"}.get(name, name.lower())
        dims = ", ".join(d.dim_param or str(d.dim_value) for d in t.shape.dim)
        return kind, f"({dims})"

    inputs = list(proto.graph.input)
    shapes = {described(i)[1] for i in inputs}
    if len(inputs) > 1 and shapes == {"(N, 1)"}:
        named = ", ".join(f"{i.name} {described(i)[0]}" for i in inputs[:8])
        more = f", ... ({len(inputs) - 8} more)" if len(inputs) > 8 else ""
        return f"{len(inputs)} inputs, one per column, (N, 1) each: {named}{more}"
    return ", ".join(f"input {i.name} {' '.join(described(i))}" for i in inputs)
