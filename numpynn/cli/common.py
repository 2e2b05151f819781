"""Helpers shared by the CLI commands: option types that reject bad values clearly."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import InputError
from ..validation import (
    FRACTION,
    NONNEGATIVE_INT,
    NONNEGATIVE_NUMBER,
    POSITIVE_INT,
    POSITIVE_NUMBER,
    SEED,
    Rule,
)

T = TypeVar("T", int, float)

#: The library's parameter names and the CLI flags that set them: the one place where
#: library messages (which name parameters, e.g. ```lr```) become CLI messages (``--lr``).
FLAGS: dict[str, str] = {
    "out": "--out", "output": "--output", "resume": "--resume", "split": "--split",
    "data": "--data", "label_column": "--label-column", "ignore_columns": "--ignore-columns",
    "delimiter": "--delimiter", "impute": "--impute", "handle_unknown": "--handle-unknown",
    "preprocessing": "--preprocessing", "dtype": "--dtype", "lr": "--lr",
    "batch_size": "--batch-size", "hidden_dims": "--hidden", "hidden": "--hidden",
    "weight_scale": "--weight-scale", "epochs": "--epochs", "patience": "--patience",
    "seed": "--seed", "trials": "--trials", "mode": "--mode", "grid_points": "--grid-points",
    "scheduler": "--scheduler", "jobs": "--jobs", "val_fraction": "--val-fraction",
    "test_fraction": "--test-fraction", "optimizer": "--optimizer", "reg": "--reg",
    "schedule": "--schedule", "lr_decay": "--lr-decay", "activation": "--activation",
    "dropout": "--dropout", "norm": "--norm", "class_weight": "--class-weight",
    "task": "--task", "proba": "--proba", "refit": "--refit",
}

_PARAM_RE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)(?:=([^`]*))?`")


def flag_message(text: str) -> str:
    """A library message for the command line: each backquoted parameter becomes its flag
    (```lr``` -> ``--lr``, ```split='all'``` -> ``--split all``, ```resume=True``` ->
    ``--resume``); other backquoted names lose their backquotes."""
    def replace(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        flag = FLAGS.get(name)
        if flag is None:
            return match.group(0)[1:-1]
        if value is None or value == "True":
            return flag
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        return f"{flag} {value}"

    return _PARAM_RE.sub(replace, text)


def checked_number(text: str, convert: Callable[[str], T], ok: Callable[[T], bool],
                   want: str) -> T:
    """``convert(text)`` if it parses and satisfies ``ok``; else an argparse error that
    says what was ``want``ed and what was given."""
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {want}, got {text!r}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"must be {want}, got {text}")
    return value


def rule_type(rule: Rule) -> Callable[[str], int | float]:
    """An argparse type: the text parsed as ``rule.kind``, then checked by the library's
    own ``rule`` (:mod:`numpynn.validation`), so the flag accepts what the library does;
    a bad value becomes argparse's "argument --flag: ..." error (exit code 2)."""
    convert = int if rule.kind == "integer" else float

    def parse(text: str) -> int | float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {rule.words}, got {text!r}") from None
        try:
            return rule.check(value, "value")
        except InputError:
            raise argparse.ArgumentTypeError(f"must be {rule.words}, got {text}") from None

    return parse


positive_int = rule_type(POSITIVE_INT)
nonnegative_int = rule_type(NONNEGATIVE_INT)
positive_float = rule_type(POSITIVE_NUMBER)
nonnegative_float = rule_type(NONNEGATIVE_NUMBER)
fraction = rule_type(FRACTION)
#: A random seed: an integer in 0..2**32-1 (what numpy's legacy seeding accepts).
seed = rule_type(SEED)


def data_spec(text: str) -> str:
    """A data spec with ``~`` expanded in its path (FILE.csv, cifar10:~/DIR, ...)."""
    from ..data.spec import DataSpec  # imported on use: the parser is built at start-up

    return DataSpec.parse(text).expanded()


def path(text: str) -> Path:
    """A file or directory path, ``~`` expanded ('-' stays '-', standard output); an empty
    one (an unset shell variable) is refused rather than read as the current directory."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"empty path {text!r}: give a file or directory "
                                         "(an unset shell variable expands to nothing)")
    return Path(os.path.expanduser(text)) if text != "-" else Path("-")


def dumps_json(value: object) -> str:
    """Strict JSON text (no NaN/Infinity tokens: non-finite numbers become null)."""
    import json

    from ..io import json_safe

    return json.dumps(json_safe(value), allow_nan=False)


def hidden_sizes(text: str) -> list[int]:
    """'100' or '512,256,128' -> [100] / [512, 256, 128]."""
    parts = [p for p in text.replace(" ", "").split(",") if p]
    if not parts:
        raise argparse.ArgumentTypeError("expected sizes like 100 or 512,256,128")
    return [positive_int(p) for p in parts]


DATA_HELP = ("data: digits (bundled); mnist, fashion-mnist or cifar10 (downloaded once into "
             "$NUMPYNN_DATA, default ~/.cache/numpynn; see 'numpynn data'); mnist:DIR, "
             "fashion-mnist:DIR, cifar10:DIR (files already on disk); FILE.csv or .csv.gz "
             "(last column the label unless --label-column) or FILE.npz (arrays X, y)")


def column_spec(text: str) -> int | str:
    """A CSV column by index ('0', '-1') or by name ('species')."""
    text = text.strip()
    if not text:
        raise argparse.ArgumentTypeError("expected a column name or index, got ''")
    try:
        return int(text)
    except ValueError:
        return text


def column_list(text: str) -> list[int | str]:
    """'id,3,notes' -> ['id', 3, 'notes']."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected column names or indices like id,3")
    return [column_spec(p) for p in parts]


def delimiter(text: str) -> str:
    """',' ';' 'tab' (or '\\t') or another single character."""
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(text, text)
    if len(value) != 1 or value in "\"\r\n":
        raise argparse.ArgumentTypeError(f"expected one character such as , ; or tab; "
                                         f"got {text!r}")
    return value


def data_option_values(args: argparse.Namespace) -> dict[str, object]:
    """The RunOptions fields set by :func:`add_data_options`' CSV options."""
    return {"task": args.task, "label_column": args.label_column,
            "ignore_columns": args.ignore_columns,
            "delimiter": args.delimiter, "impute": args.impute,
            "handle_unknown": args.handle_unknown}


def loss_cell(value: float, width: int = 9) -> str:
    """A loss for a table column: 4 decimals when that fits ``width``, else 4 significant
    digits (1.2e+18), so a huge loss never runs into the column before it; never "-0"."""
    text = f"{round(value, 4) + 0.0:.4f}"
    return text if len(text) <= width else f"{value:.4g}"


def format_metrics(metrics: dict[str, dict[str, float]], seconds: float | None = None) -> str:
    """The final table: one row per split with accuracy and loss."""
    lines = [f"{'split':<8}{'accuracy':>10}{'loss':>10}", "-" * 28]
    for split, m in metrics.items():
        lines.append(f"{split:<8}{m['accuracy']:>10.2%}{loss_cell(m['loss']):>10}")
    if seconds is not None:
        lines.append(f"time {seconds:.1f} s")
    return "\n".join(lines)


def add_data_options(p: argparse.ArgumentParser) -> None:
    """The options that choose and split the data, shared by train and search."""
    from ..data import PREPROCESSING_KINDS
    from ..experiment import RunOptions

    o = RunOptions()
    p.add_argument("--data", type=data_spec, default=o.data,
                   help=f"{DATA_HELP} (default {o.data})")
    from ..tasks import TASKS

    p.add_argument("--task", choices=("auto", *TASKS.names()), default="auto",
                   help=f"{', '.join(TASKS.names())}, or auto: regression when a CSV's label "
                   "column looks continuous, with a note (default auto)")
    p.add_argument("--label-column", type=column_spec, default=-1, metavar="NAME|INDEX",
                   help="CSV column holding the label, by header name or index (0 the "
                   "first, -1 the last; default -1)")
    p.add_argument("--ignore-columns", type=column_list, default=[], metavar="COLS",
                   help="CSV columns to skip, by name or index, e.g. id,notes")
    p.add_argument("--delimiter", type=delimiter, default=None,
                   help="CSV field separator: , ; or tab (default: detected among these)")
    p.add_argument("--impute", choices=("none", "median"), default=o.impute,
                   help="missing CSV cells (empty, NA, NaN, ?): none = an error (default); "
                   "median = the training split's median, stored in the model")
    p.add_argument("--handle-unknown", choices=("error", "ignore"), default=o.handle_unknown,
                   help="a category of a text column not seen in training: error (default) "
                   "or ignore (encoded as all zeros)")
    p.add_argument("--preprocessing", choices=PREPROCESSING_KINDS, default=o.preprocessing,
                   help="fitted on the training split only (default standardize)")
    p.add_argument("--val-fraction", type=fraction, default=o.val_fraction,
                   help="validation share of the data; picks the kept epoch and the best "
                   "trial (default: 0.1, or none below 10,000 rows outside the test part: "
                   "then every row trains and the last epoch is kept)")
    p.add_argument("--test-fraction", type=fraction, default=o.test_fraction,
                   help="test share when the data set has no test part (default 0.2)")
    p.add_argument("--dtype", choices=("float32", "float64"), default=o.dtype,
                   help="computation precision (default float32)")
