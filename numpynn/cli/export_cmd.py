"""``numpynn export``: a saved model as an ONNX graph (preprocessing, network, labels)."""

from __future__ import annotations

import argparse
import sys

from ..io import atomic_write, load_model
from ..outputs import check_output, input_paths
from . import common
from .commands import COMMAND_HELP

EXAMPLES = """examples:
  numpynn export numpynn-run/model.npz model.onnx
  numpynn export runs/cifar/model.npz /srv/models/cifar.onnx

serving (README, "Serving with onnxruntime"):
  sess = onnxruntime.InferenceSession("model.onnx")
  label, proba = sess.run(["label", "probabilities"], {"X": X})
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help=COMMAND_HELP["export"],
        description="Write the model's whole prediction (its preprocessing, every layer, "
        "softmax and the class labels) as one ONNX graph: input X (N, D) of raw features in "
        "the model's dtype, outputs 'label' (N,) and 'probabilities' (N, C), named as "
        "scikit-learn's ONNX converters name them. Needs the onnx package "
        '(pip install "numpynn[onnx]").',
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", type=common.path,
                   help="model file written by numpynn train (model.npz), or its run directory")
    p.add_argument("output", type=common.path, help="the ONNX file to write (model.onnx)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..export import OPSET, to_onnx

    model_path, out = args.model, args.output
    # the model by its one resolution (a run directory is its model.npz), before any work
    check_output(out, input_paths([model_path], run_dir_model=True), what="the output")
    saved = load_model(model_path)
    proto = to_onnx(saved)
    data = proto.SerializeToString()
    atomic_write(out, lambda fh: fh.write(data))
    net = saved.model
    outputs = ", ".join(o.name for o in proto.graph.output)
    print(f"wrote {out} (ONNX opset {OPSET}, {len(data):,} bytes): input X {net.dtype.name} "
          f"(N, {net.input_dim}) -> {outputs}", file=sys.stderr)
    return 0
