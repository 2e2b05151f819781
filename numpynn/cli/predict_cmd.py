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
from ..regression_run import is_regression_model, predict_values

EXAMPLES = """examples:
  numpynn predict numpynn-run/model.npz --data new.csv > predictions.csv
  numpynn predict model.npz --data new.csv --proba --output predictions.csv
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict", help="predict classes (or values) of new data with a saved model",
        description="Write one CSV row per input row: the predicted label and, with --proba, "
        "the probability of each class; for a regression model the predicted values, one "
        "column per output. A CSV is read as the model's training file was: "
        "with a header, columns are matched by name in any order (a label column is "
        "ignored); without one, by position.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", help="model file written by numpynn train (model.npz)")
    p.add_argument("--data", required=True, help="digits, mnist, fashion-mnist, cifar10 (cached "
                   "downloads), cifar10:DIR, mnist:DIR, fashion-mnist:DIR, .csv or .npz")
    p.add_argument("--proba", action="store_true", help="add one probability column per class")
    p.add_argument("--output", type=Path, help="write the CSV here instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    saved = load_model(args.model)
    X = prediction_data(saved, args.data)
    if is_regression_model(saved):
        return _write(args, _regression_rows(saved, X, args.proba))
    proba = saved.predict_proba(X)
    labels = saved.classes[np.argmax(proba, axis=1)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = [str(c) for c in saved.classes.tolist()]
    writer.writerow(["prediction"] + ([f"p_{n}" for n in names] if args.proba else []))
    for label, row in zip(labels.tolist(), proba):
        writer.writerow([label] + ([f"{p:.6g}" for p in row] if args.proba else []))
    return _write(args, buf.getvalue())


def _regression_rows(saved, X: np.ndarray, proba: bool) -> str:
    """CSV of predicted values: one column per output (``prediction`` for one output)."""
    from ..errors import InputError

    if proba:
        raise InputError("--proba gives class probabilities; a regression model predicts "
                         "values: leave out --proba.")
    values = predict_values(saved, X)
    k = values.shape[1]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["prediction"] if k == 1 else [f"prediction_{j}" for j in range(k)])
    for row in values:
        writer.writerow([f"{v:.10g}" for v in row])
    return buf.getvalue()


def _write(args: argparse.Namespace, text: str) -> int:
    n = text.count("\n") - 1
    if args.output is None:
        sys.stdout.write(text)
    else:
        from ..io import write_text_atomic

        write_text_atomic(args.output, text)
        print(f"wrote {n} predictions to {args.output}", file=sys.stderr)
    return 0
