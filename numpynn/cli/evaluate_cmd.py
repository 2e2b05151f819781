"""``numpynn evaluate``: accuracy, per-class precision/recall and confusion of a model."""

from __future__ import annotations

import argparse
import json

from ..errors import InputError
from ..evaluation import evaluate, format_evaluation
from ..experiment import evaluation_data
from ..io import load_model
from ..regression import regression_metrics
from ..regression_run import is_regression_model, predict_values, regression_evaluation_data
from . import common

EXAMPLES = """examples:
  numpynn evaluate numpynn-run/model.npz                  # its training data's test split
  numpynn evaluate runs/cifar/model.npz --data cifar10:DIR --split test
  numpynn evaluate model.npz --data labelled.csv --json   # every row of another file
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate", help="measure a saved model on labelled data",
        description="Accuracy, loss, per-class precision/recall/f1 and the confusion matrix; "
        "for a regression model R^2, RMSE and MAE (in the targets' units).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", help="model file written by numpynn train (model.npz)")
    p.add_argument("--data", help=f"{common.DATA_HELP} (default: the model's training data)")
    p.add_argument("--split", default="auto", choices=("auto", "all", "train", "val", "test"),
                   help="auto: the training run's test split on its own data, else all rows")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    saved = load_model(args.model)
    spec = args.data or saved.metadata.get("data")
    if not spec:
        raise InputError(f"{args.model} does not record its training data; name the data to "
                         "evaluate on with --data (e.g. --data labelled.csv).")
    if is_regression_model(saved):
        return _run_regression(args, saved, spec)
    X, y, split = evaluation_data(saved, spec, args.split)
    ev = evaluate(saved.model, saved.transform(X), y)
    names = [str(c) for c in saved.metadata.get("class_names") or saved.classes.tolist()]
    if args.json:
        print(json.dumps({"data": spec, "split": split, "accuracy": ev.accuracy,
                          "loss": ev.loss, "precision": ev.precision.tolist(),
                          "recall": ev.recall.tolist(), "confusion": ev.confusion.tolist()}))
    else:
        print(f"{args.model} on {spec} ({split} split)")
        print(format_evaluation(ev, names))
    return 0


def _run_regression(args: argparse.Namespace, saved, spec: str) -> int:
    X, y, split = regression_evaluation_data(saved, spec, args.split)
    m = regression_metrics(y, predict_values(saved, X))
    if args.json:
        print(json.dumps({"data": spec, "split": split, "task": "regression", **m}))
    else:
        print(f"{args.model} on {spec} ({split} split, {m['n']} rows)")
        print(f"R^2   {m['r2']:.4f}\nRMSE  {m['rmse']:.6g}\nMAE   {m['mae']:.6g}")
    return 0
