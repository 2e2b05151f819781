"""``numpynn train``: train a network on a data set and write model, history and report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..data.download import prefetch
from ..experiment import (
    CHECKPOINT_FILE,
    RunOptions,
    default_train_config,
    resume_options,
    run_training,
)
from ..optim import OPTIMIZERS
from ..progress import progress_callback
from ..schedules import SCHEDULES
from ..train import SELECT_RULES, Callback, TrainConfig
from . import common

EXAMPLES = """examples:
  numpynn train                                    # digits, 1 hidden layer of 100, Adam
  numpynn train --data mnist --hidden 256 --epochs 10   # downloads MNIST once into the cache
  numpynn train --data cifar10:~/cifar-10-batches-py --hidden 100 --epochs 20 \\
                --optimizer momentum --lr 1e-3 --batch-size 200 --out runs/cifar
  numpynn train --data mydata.csv --hidden 256,128 --reg 1e-3 --out runs/mine
  numpynn train --hidden 512,256 --norm batch --dropout 0.2 --activation gelu
  numpynn train --data wine.csv.gz --label-column class --ignore-columns id \\
                --impute median --out runs/wine   # your own table
  numpynn train --resume runs/cifar                # continue an interrupted run

outputs in --out: model.npz, history.json, checkpoint.npz, report.html + PNG plots
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = default_train_config()
    o = RunOptions()
    p = sub.add_parser(
        "train", help="train a network and save model, history and report",
        description="Train an MLP (affine -> [batch/layer norm] -> activation -> [dropout] "
        "blocks, softmax loss) with minibatch gradient descent; print the network, "
        "train/val/test accuracy and write the run's files.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_data_options(p)
    p.add_argument("--hidden", type=common.hidden_sizes, default=o.hidden,
                   help="hidden layer sizes, e.g. 100 or 512,256,128 (default 100)")
    p.add_argument("--epochs", type=common.positive_int, default=d.epochs,
                   help=f"passes over the training data (default {d.epochs})")
    p.add_argument("--batch-size", type=common.positive_int, default=d.batch_size,
                   help=f"examples per step (default {d.batch_size})")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=d.optimizer,
                   help=f"update rule (default {d.optimizer})")
    p.add_argument("--lr", type=common.positive_float, default=d.lr,
                   help=f"learning rate (default {d.lr:g})")
    p.add_argument("--schedule", choices=SCHEDULES, default=d.schedule,
                   help="learning-rate schedule (default constant)")
    p.add_argument("--lr-decay", type=common.positive_float, default=d.lr_decay,
                   help="factor per epoch for --schedule step (default 0.95)")
    p.add_argument("--reg", type=common.nonnegative_float, default=o.reg,
                   help=f"L2 strength: loss + 0.5*reg*sum(W**2) (default {o.reg:g})")
    p.add_argument("--weight-scale", default="auto",
                   help="initial weight std, or he / glorot / auto (default auto: He for the "
                   "ReLU family, Glorot for tanh and sigmoid)")
    p.add_argument("--activation", default=o.activation, type=str.lower,
                   help="hidden activation: relu, leaky_relu, elu, tanh, sigmoid (logistic), "
                   "gelu, identity (default relu)")
    p.add_argument("--dropout", type=common.nonnegative_float, default=o.dropout,
                   help="probability of dropping a hidden unit in training (default 0)")
    p.add_argument("--norm", choices=("none", "batch", "layer"), default="none",
                   help="normalisation after each hidden affine layer (default none)")
    p.add_argument("--class-weight", choices=("none", "balanced"), default="none",
                   help="balanced: weight each class by n / (n_classes * count) in the loss, "
                   "for imbalanced tables (default none)")
    p.add_argument("--patience", type=common.positive_int, default=d.patience,
                   help="stop after this many epochs without a lower validation loss "
                   f"(default {d.patience})")
    p.add_argument("--select", choices=tuple(SELECT_RULES), default=d.select,
                   help="which validation epoch's parameters are kept: loss = the lowest "
                   "validation loss (default), accuracy = the earliest best accuracy")
    p.add_argument("--seed", type=int, default=d.seed, help="seed for init, split, shuffling")
    p.add_argument("--out", type=Path, default=Path("numpynn-run"),
                   help="output directory (default ./numpynn-run)")
    p.add_argument("--resume", type=Path, metavar="DIR",
                   help="continue the interrupted run in DIR with its own options")
    p.add_argument("--quiet", action="store_true",
                   help="no run header and no per-epoch output (on a terminal a progress "
                   "bar; piped or redirected, one line per epoch)")
    p.add_argument("--no-report", action="store_true", help="skip the plots and report.html")
    p.set_defaults(run=run)


class PrintSummary(Callback):
    """Prints the run header before training: the split sizes, the parameter count and
    the network's layers with their output shapes and parameter counts."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def on_train_begin(self, trainer) -> None:
        if self.quiet:
            return
        sizes = trainer.checkpoint_extra.get("split_sizes", {})
        model = trainer.model
        print(f"{trainer.checkpoint_extra.get('options', {}).get('data', 'data')}: "
              f"{split_sizes_text(sizes)}; {model.input_dim} features, "
              f"{model.num_outputs} classes; {model.num_parameters():,} parameters; "
              f"keeps the epoch with the {SELECT_RULES[trainer.config.select]}", flush=True)
        print(model.summary(), flush=True)


def split_sizes_text(sizes: dict[str, int]) -> str:
    """{"train": 1293, "val": 144, "test": 360} -> '1,293 train / 144 val / 360 test rows'."""
    return " / ".join(f"{n:,} {name}" for name, n in sizes.items()) + " rows"


def _weight_scale(text: str) -> float | str:
    if text in ("he", "glorot", "auto"):
        return text
    try:
        return float(text)
    except ValueError:
        return text  # MLP rejects it with a clear message


def run(args: argparse.Namespace) -> int:
    if args.resume is not None:
        out = args.resume
        options = resume_options(out)
    else:
        out = args.out
        config = TrainConfig(
            epochs=args.epochs, batch_size=args.batch_size, optimizer=args.optimizer,
            lr=args.lr, schedule=args.schedule, lr_decay=args.lr_decay,
            patience=args.patience, select=args.select, seed=args.seed,
        )
        options = RunOptions(
            data=args.data, hidden=args.hidden, preprocessing=args.preprocessing,
            val_fraction=args.val_fraction, test_fraction=args.test_fraction,
            weight_scale=_weight_scale(args.weight_scale),
            reg=args.reg, dtype=args.dtype, activation=args.activation, dropout=args.dropout,
            normalization=None if args.norm == "none" else args.norm,
            class_weight=None if args.class_weight == "none" else args.class_weight,
            train=config, **common.data_option_values(args),
        )
    prefetch(options.data, progress=False if args.quiet else None)
    progress = progress_callback(args.quiet)
    callbacks = [PrintSummary(args.quiet)] + ([progress] if progress is not None else [])
    try:
        result = run_training(options, out, callbacks=callbacks,
                              resume=args.resume is not None,
                              report=not args.no_report)
    except KeyboardInterrupt:
        if progress is not None:
            progress.on_train_end(None)  # type: ignore[arg-type]
        checkpoint = out / CHECKPOINT_FILE
        if checkpoint.is_file():
            print(f"numpynn: interrupted; the last finished epoch is saved in {checkpoint}. "
                  f"Continue with: numpynn train --resume {out}", file=sys.stderr)
        else:
            print("numpynn: interrupted before the first epoch finished; nothing was saved. "
                  "Run the same command again to start over.", file=sys.stderr)
        return 130
    h = result.history
    print(f"{options.data}: {result.saved.model!r}")
    print(f"{len(h.epochs)} epochs ({h.stop_reason}); kept epoch {h.best_epoch} "
          f"({h.best_rule or 'last epoch'})")
    print(common.format_metrics(result.metrics, result.seconds))
    for name, path in result.paths.items():
        print(f"{name:<8} {path}")
    return 0
