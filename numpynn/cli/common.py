"""Helpers shared by the CLI commands: option types that reject bad values clearly."""

from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer (>= 1), got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def fraction(text: str) -> float:
    value = nonnegative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1), got {text}")
    return value


def hidden_sizes(text: str) -> list[int]:
    """'100' or '512,256,128' -> [100] / [512, 256, 128]."""
    parts = [p for p in text.replace(" ", "").split(",") if p]
    if not parts:
        raise argparse.ArgumentTypeError("expected sizes like 100 or 512,256,128")
    return [positive_int(p) for p in parts]


DATA_HELP = ("data: digits (bundled), cifar10:DIR, mnist:DIR, FILE.csv (last column the "
             "label) or FILE.npz (arrays X, y)")


def format_metrics(metrics: dict[str, dict[str, float]], seconds: float | None = None) -> str:
    """The final table: one row per split with accuracy and loss."""
    lines = [f"{'split':<8}{'accuracy':>10}{'loss':>10}", "-" * 28]
    for split, m in metrics.items():
        lines.append(f"{split:<8}{m['accuracy']:>10.2%}{m['loss']:>10.4f}")
    if seconds is not None:
        lines.append(f"time {seconds:.1f} s")
    return "\n".join(lines)


def add_data_options(p: argparse.ArgumentParser) -> None:
    """The options that choose and split the data, shared by train and search."""
    from ..data import PREPROCESSING_KINDS
    from ..experiment import RunOptions

    o = RunOptions()
    p.add_argument("--data", default=o.data, help=f"{DATA_HELP} (default {o.data})")
    p.add_argument("--label-column", type=int, default=-1,
                   help="CSV column holding the label (default -1, the last)")
    p.add_argument("--preprocessing", choices=PREPROCESSING_KINDS, default=o.preprocessing,
                   help="fitted on the training split only (default standardize)")
    p.add_argument("--val-fraction", type=fraction, default=o.val_fraction,
                   help="validation share of the data; picks the best epoch and trial "
                   "(default 0.1)")
    p.add_argument("--test-fraction", type=fraction, default=o.test_fraction,
                   help="test share when the data set has no test part (default 0.2)")
    p.add_argument("--dtype", choices=("float32", "float64"), default=o.dtype,
                   help="computation precision (default float32)")
