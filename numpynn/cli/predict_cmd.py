"""``numpynn predict``: class predictions (and probabilities) of a saved model as CSV."""

from __future__ import annotations

import argparse
import sys

from ..outputs import check_output, commit_point, input_paths
from ..runs.files import check_not_a_run_file
from ..runs.predictions import csv_bytes, output_delimiter, prediction_csv, write_predictions
from ..runs.run import check_not_training_data, data_inputs, prediction_input
from . import common
from .commands import COMMAND_HELP

EXAMPLES = """examples:
  numpynn predict numpynn-runs/run-1/model.npz --data new.csv > predictions.csv
  numpynn predict model.npz --data new.csv --proba --output predictions.csv
  numpynn predict model.npz --data new.csv --id-column penguin_id --ignore-columns notes
  numpynn predict runs/pets --data new_photos/     # one row per image file: file,prediction
  numpynn predict runs/pets --data new_photos/*.jpg  # image files one by one, the same
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict", help=COMMAND_HELP["predict"],
        description="Write one CSV row per input row: the predicted label and, with --proba, "
        "the probability of each class; for a regression model the predicted values, one "
        "column per output. A CSV is read as the model's training file was: "
        "with a header, columns are matched by name in any order (a label column is "
        "ignored); without one, by position.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", type=common.path,
                   help="model file written by numpynn train (model.npz)")
    p.add_argument("--data", required=True, type=common.data_spec,
                   help="digits, mnist, fashion-mnist, cifar10 (cached downloads), cifar10:DIR, "
                   "mnist:DIR, fashion-mnist:DIR, .csv or .npz, or a folder of images (each "
                   "row named by its file, read at the model's image size), or image files "
                   "one or more (--data photos/*.jpg)")
    p.add_argument("--proba", action="store_true", help="add one probability column per class")
    p.add_argument("--id-column", type=common.column_spec, metavar="NAME|INDEX",
                   help="a column of the CSV (name or index, 0 the first) copied as it is to "
                   "the first column of the output, to join the predictions back to the rows")
    p.add_argument("--ignore-columns", type=common.column_list, default=[], metavar="COLS",
                   help="columns of the CSV to leave out (names or indices), besides those "
                   "the model ignores; a pandas index column is left out on its own")
    p.add_argument("--handle-unknown", choices=("error", "ignore"),
                   help="a category of a text column that the training table did not have: "
                   "error, or ignore (read as all zeros); default: as the model was trained")
    p.add_argument("--output", type=common.file_path("predictions.csv"),
                   help="write the CSV here instead of stdout ('-': stdout); a .tsv name "
                   "gets tab-separated values, .gz, .bz2 or .xz compressed text, another "
                   "format's name (.xlsx, .json) is refused. A regular file is replaced "
                   "atomically; a symlink, FIFO or device is written through; the model, the "
                   "data file or the table the model was trained on is refused")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    specs = args.data if isinstance(args.data, list) else [args.data]  # photos/*.jpg: several
    source = specs[0] if len(specs) == 1 else f"{specs[0]} and {len(specs) - 1} more"
    inputs = [*input_paths([args.model], run_dir_model=True),
              *(p for spec in specs for p in data_inputs(spec))]
    if args.output is not None:  # before any work: never the model or the data being read
        check_output(args.output, inputs, what="`output`", content="text")
        check_not_a_run_file(args.output, args.model)  # nor a file of the model's run
        output_delimiter(args.output)  # nor a name of another format (.xlsx)
    saved = common.load_model_given("predict", args.model, specs[0])
    check_not_training_data(args.output, saved)  # nor the table the model came from
    if args.handle_unknown is not None:
        saved = saved.with_handle_unknown(args.handle_unknown)
    read = prediction_input(saved, args.data, ignore_columns=args.ignore_columns,
                            id_column=args.id_column)
    for note in read.notes:
        print(common.flag_message(note), file=sys.stderr)
    ids = {"ids": read.ids, "id_name": read.id_name or "id", "blank_rows": read.blank_rows}
    if args.output is None or str(args.output) == "-":
        text = prediction_csv(saved, read.X, args.proba, source=source, **ids)
        common.write_table(text, csv_bytes(text))
    else:
        commit_point()
        n = write_predictions(args.output, saved, read.X, args.proba, inputs,
                              source=source, **ids)
        blank = len(read.blank_rows)
        rows = f"{n - blank} predictions" + (f" and {blank} empty rows" if blank else "")
        print(f"wrote {rows} to {args.output}", file=sys.stderr)
    return 0
