"""``numpynn predict``: class predictions (and probabilities) of a saved model as CSV."""

from __future__ import annotations

import argparse
import csv
import io
import sys

import numpy as np

from ..errors import InputError
from ..experiment import data_inputs, prediction_data
from ..io import load_model
from ..outputs import check_output, write_path
from . import common

EXAMPLES = """examples:
  numpynn predict numpynn-runs/run-1/model.npz --data new.csv > predictions.csv
  numpynn predict model.npz --data new.csv --proba --output predictions.csv
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict", help="predict classes of new data with a saved model",
        description="Write one CSV row per input row: the predicted label and, with --proba, "
        "the probability of each class. A CSV is read as the model's training file was: "
        "with a header, columns are matched by name in any order (a label column is "
        "ignored); without one, by position.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", type=common.path,
                   help="model file written by numpynn train (model.npz)")
    p.add_argument("--data", required=True, type=common.data_spec,
                   help="digits, mnist, fashion-mnist, cifar10 (cached downloads), cifar10:DIR, "
                   "mnist:DIR, fashion-mnist:DIR, .csv or .npz")
    p.add_argument("--proba", action="store_true", help="add one probability column per class")
    p.add_argument("--output", type=common.path,
                   help="write the CSV here instead of stdout ('-': stdout). A regular file "
                   "is replaced atomically; a symlink, FIFO or device is written through; "
                   "the model or data file is refused")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    inputs = [args.model, *data_inputs(args.data)]
    if args.output is not None:  # before any work: never the model or the data being read
        check_output(args.output, inputs, what="`output`")
    saved = load_model(args.model)
    X = prediction_data(saved, args.data)
    with np.errstate(all="ignore"):  # overflowing scores are reported below, not warned
        proba = saved.predict_proba(X)
    bad = ~np.isfinite(proba).all(axis=1)
    if bad.any():
        raise InputError(
            f"the model's scores overflow for {int(bad.sum())} of {len(bad)} rows of "
            f"{args.data} (first: row {int(np.argmax(bad)) + 1}): their probabilities are "
            "not finite numbers. The inputs are far outside the range of the training "
            "data, or the model's weights are extreme; check the data (its scale and "
            "columns) or train the model again.")
    labels = saved.classes[np.argmax(proba, axis=1)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = [str(c) for c in saved.classes.tolist()]
    writer.writerow(["prediction"] + ([f"p_{n}" for n in names] if args.proba else []))
    for label, row in zip(labels.tolist(), proba):
        writer.writerow([label] + ([f"{p:.6g}" for p in row] if args.proba else []))
    if args.output is None or str(args.output) == "-":
        sys.stdout.write(buf.getvalue())
    else:
        write_path(args.output, lambda fh: fh.write(buf.getvalue().encode("utf-8")), inputs,
                   what="`output`")
        print(f"wrote {len(labels)} predictions to {args.output}", file=sys.stderr)
    return 0
