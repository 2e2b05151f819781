"""``numpynn evaluate``: accuracy, per-class precision/recall and confusion of a model."""

from __future__ import annotations

import argparse
import sys

from ..errors import DataError, InputError
from ..runs.options import DATA_HELP
from ..runs.run import evaluation_data, resolve_recorded_spec, seen_rows
from . import common
from .commands import COMMAND_HELP

EXAMPLES = """examples:
  numpynn evaluate numpynn-runs/run-1/model.npz                  # its training data's test split
  numpynn evaluate runs/cifar/model.npz --data cifar10:DIR --split test
  numpynn evaluate model.npz --data labelled.csv --json   # every row of another file
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate", help=COMMAND_HELP["evaluate"],
        description="Accuracy, loss, per-class precision/recall/f1 and the confusion matrix; "
        "for a regression model R^2, RMSE and MAE (in the targets' units).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", type=common.path,
                   help="model file written by numpynn train (model.npz)")
    p.add_argument("--data", type=common.data_spec,
                   help=f"{DATA_HELP} (default: the model's training data)")
    p.add_argument("--split", default="auto", choices=("auto", "all", "train", "val", "test"),
                   help="auto: the training run's test split on its own data, else all rows")
    p.add_argument("--ignore-columns", type=common.column_list, default=[], metavar="COLS",
                   help="columns of the CSV to leave out (names or indices): an id, notes, "
                   "besides those the model ignores")
    p.add_argument("--handle-unknown", choices=("error", "ignore"),
                   help="a category of a text column that the training table did not have: "
                   "error, or ignore (read as all zeros); default: as the model was trained")
    p.add_argument("--drop-unlabelled", action="store_true",
                   help="leave out the CSV rows whose label cell is missing (named in a "
                   "note) instead of refusing the file; on for a model trained with it")
    p.add_argument("--drop-unknown-labels", action="store_true",
                   help="leave out the rows whose label is not one of the model's classes "
                   "(named with their row counts in a note) instead of refusing the file")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    saved = common.load_model_given("evaluate", args.model, args.data)
    if args.handle_unknown is not None:
        saved = saved.with_handle_unknown(args.handle_unknown)
    spec = args.data or saved.metadata.get("data")
    if not spec:
        raise InputError(f"{args.model} does not record its training data; name the data to "
                         "evaluate on with --data (e.g. --data labelled.csv).")
    recorded = None
    if not args.data:  # the model's own data: a relative path is relative to where it ran
        recorded, base = spec, saved.metadata.get("data_dir")
        spec = resolve_recorded_spec(spec, base)
    notes: list[str] = []
    try:
        X, y, split = evaluation_data(saved, spec, args.split, args.ignore_columns,
                                      notes=notes, drop_unlabelled=args.drop_unlabelled,
                                      drop_unknown_labels=args.drop_unknown_labels)
    except DataError as exc:
        if recorded is None or spec == recorded:
            raise
        raise DataError(f"{exc} (the model records its training data as {recorded!r}, "
                        f"relative to {base}, where it was trained; name the data with "
                        "--data)") from None
    for line in notes:
        print(common.flag_message(line), file=sys.stderr)
    figures, text = saved.task.evaluation(saved, X, y)
    seen, note = seen_rows(saved, spec, split)
    if args.json:
        # strict JSON: a non-finite loss (scores that overflow) is null, never NaN/Infinity
        held_out = (saved.metadata.get("metrics") or {}).get("test") if seen else None
        # how the file was read (rows left out, unseen categories): on stderr, and here for
        # a program that reads only the JSON
        said = {"notes": [common.flag_message(n) for n in notes]} if notes else {}
        print(common.dumps_json({"data": spec, "split": split, "seen_in_training": seen,
                                 **({"held_out_test": held_out} if held_out else {}),
                                 **said, **figures}))
    else:
        print(f"{args.model} on {spec} ({split} split)")
        if note:
            print(common.flag_message(note))
        print(text)
    return 0
