"""``numpynn predict``: class predictions (and probabilities) of a saved model as CSV."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

from ..experiment import prediction_data
from ..io import load_model

EXAMPLES = """examples:
  numpynn predict numpynn-run/model.npz --data new.csv > predictions.csv
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
    p.add_argument("model", help="model file written by numpynn train (model.npz)")
    p.add_argument("--data", required=True, help="digits, cifar10:DIR, mnist:DIR, .csv or .npz")
    p.add_argument("--proba", action="store_true", help="add one probability column per class")
    p.add_argument("--output", type=Path, help="write the CSV here instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    saved = load_model(args.model)
    X = prediction_data(saved, args.data)
    proba = saved.predict_proba(X)
    labels = saved.classes[np.argmax(proba, axis=1)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = [str(c) for c in saved.classes.tolist()]
    writer.writerow(["prediction"] + ([f"p_{n}" for n in names] if args.proba else []))
    for label, row in zip(labels.tolist(), proba):
        writer.writerow([label] + ([f"{p:.6g}" for p in row] if args.proba else []))
    if args.output is None:
        sys.stdout.write(buf.getvalue())
    else:
        from ..io import write_text_atomic

        write_text_atomic(args.output, buf.getvalue())
        print(f"wrote {len(labels)} predictions to {args.output}", file=sys.stderr)
    return 0
