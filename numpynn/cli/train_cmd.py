"""``numpynn train``: train a network on a data set and write model, history and report."""

from __future__ import annotations

import argparse
import sys

from ..data.download import prefetch
from ..errors import InputError
from ..experiment import (
    CHECKPOINT_FILE,
    RunOptions,
    default_train_config,
    refit_text,
    resume_options,
    run_training,
    split_sizes_text,
)
from ..optim import OPTIMIZERS
from ..progress import progress_callback
from ..runfiles import RUNS_DIR, holds_run, new_run_dir, remove_if_empty
from ..schedules import SCHEDULES
from ..tasks import task_named
from ..train import SELECT_RULES, Callback, TrainConfig
from . import common
from .commands import COMMAND_HELP
from .main import interrupted_exit_code

EXAMPLES = """examples:
  numpynn train                                    # digits, 1 hidden layer of 100, Adam
  numpynn train --data mnist --hidden 256 --epochs 10   # downloads MNIST once into the cache
  numpynn train --data cifar10:~/cifar-10-batches-py --hidden 100 --epochs 20 \\
                --optimizer momentum --lr 1e-3 --batch-size 200 --out runs/cifar
  numpynn train --data mydata.csv --hidden 256,128 --reg 1e-3 --out runs/mine
  numpynn train --hidden 512,256 --norm batch --dropout 0.2 --activation gelu
  numpynn train --data wine.csv.gz --label-column class --ignore-columns id \\
                --impute median --out runs/wine   # your own table
  numpynn train --data houses.csv --label-column price --task regression --out runs/h
  numpynn train --resume runs/cifar                # continue an interrupted run

outputs in --out (default: a new numpynn-runs/run-N for every run): model.npz,
history.json, checkpoint.npz, report.html + PNG plots. They replace an earlier run's files
only when the run succeeds; an --out that holds a run needs --overwrite (or --resume).
--resume DIR continues with the run's own options; only --epochs and --patience may be
given with it.
"""

#: Options that --resume accepts (the rest are the run's own and cannot change).
RESUME_OPTIONS = {"resume", "epochs", "patience", "quiet", "no_report"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = default_train_config()
    o = RunOptions()
    p = sub.add_parser(
        "train", help=COMMAND_HELP["train"],
        description="Train an MLP (affine -> [batch/layer norm] -> activation -> [dropout] "
        "blocks, softmax loss) with minibatch gradient descent; print the network, "
        "train/val/test accuracy and write the run's files.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_data_options(p)
    r = task_named("regression").defaults
    p.add_argument("--hidden", type=common.hidden_sizes, default=None,
                   help="hidden layer sizes, e.g. 100 or 512,256,128 (default 100)")
    p.add_argument("--epochs", type=common.positive_int, default=None,
                   help=f"passes over the training data (default {d.epochs}; regression "
                   f"{r['epochs']})")
    p.add_argument("--batch-size", type=common.positive_int, default=None,
                   help=f"examples per step (default {d.batch_size}; regression "
                   f"{r['batch_size']})")
    p.add_argument("--optimizer", choices=OPTIMIZERS.names(), default=d.optimizer,
                   help=f"update rule (default {d.optimizer})")
    p.add_argument("--lr", type=common.positive_float, default=None,
                   help=f"learning rate (default {d.lr:g}; regression {r['lr']:g})")
    p.add_argument("--schedule", choices=SCHEDULES.names(), default=d.schedule,
                   help="learning-rate schedule (default constant)")
    p.add_argument("--lr-decay", type=common.positive_float, default=d.lr_decay,
                   help="factor per epoch for --schedule step (default 0.95)")
    p.add_argument("--reg", type=common.nonnegative_float, default=o.reg,
                   help=f"L2 strength: loss + 0.5*reg*sum(W**2) (default {o.reg:g})")
    p.add_argument("--weight-scale", default=None,
                   help="initial weight std, or he / glorot / auto (auto: He for the ReLU "
                   f"family, Glorot for tanh and sigmoid; default {o.weight_scale}; "
                   f"regression {r['weight_scale']})")
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
    p.add_argument("--patience", type=common.positive_int, default=None,
                   help="stop after this many epochs without a lower validation loss "
                   f"(default {d.patience}; regression {r['patience']})")
    p.add_argument("--select", choices=tuple(SELECT_RULES), default=d.select,
                   help="which validation epoch's parameters are kept: loss = the lowest "
                   "validation loss (default), accuracy = the earliest best accuracy")
    p.add_argument("--refit", action="store_true",
                   help="once the validation split has chosen the epoch count, train a fresh "
                   "network on train + validation rows for that many epochs and save it "
                   "instead (classification with a validation split only: refused "
                   "without one; default off)")
    p.add_argument("--seed", type=common.seed, default=d.seed,
                   help="seed for init, split, shuffling (0 to 2**32-1)")
    p.add_argument("--out", type=common.path, default=None,
                   help=f"output directory (default: a new {RUNS_DIR}/run-N)")
    p.add_argument("--overwrite", action="store_true",
                   help="let this run replace the run already in --out (when it succeeds)")
    p.add_argument("--resume", type=common.path, metavar="DIR",
                   help="continue the interrupted run in DIR with its own options "
                   "(--epochs and --patience may be changed)")
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
        extra = trainer.checkpoint_extra
        for note in extra.get("notes", ()):
            print(common.flag_message(note), flush=True)
        model = trainer.model
        k = model.num_outputs
        task = task_named(extra.get("task", "classification"))
        outputs = (f"{k} classes" if task.has_classes
                   else f"{k} target{'s' if k > 1 else ''} ({task.name})")
        sizes = extra.get("split_sizes", {})
        print(f"{extra.get('options', {}).get('data', 'data')}: "
              f"{split_sizes_text(sizes)}; {model.input_dim} features, "
              f"{outputs}; {model.num_parameters():,} parameters; "
              f"{keeps(trainer, sizes)}", flush=True)
        print(model.summary(), flush=True)


def keeps(trainer, sizes: dict[str, int]) -> str:
    """Which epoch the run keeps, for the header: by the selection rule, or the last one
    when there is no validation split."""
    if trainer.X_val is None or sizes.get("val") == 0:
        return "no validation split: trains every epoch and keeps the last"
    return f"keeps the epoch with the {SELECT_RULES[trainer.config.select]}"


def _weight_scale(text: str) -> float | str:
    if text in ("he", "glorot", "auto"):
        return text
    try:
        return float(text)
    except ValueError:
        return text  # MLP rejects it with a clear message


def _option_name(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def run(args: argparse.Namespace) -> int:
    given = set(getattr(args, "given", ())) - {"command", "run", "given"}
    created = False
    if args.resume is not None:
        fixed = sorted(given - RESUME_OPTIONS)
        if fixed:
            names = ", ".join(_option_name(d) for d in fixed)
            raise InputError(f"--resume continues the run in {args.resume} with its own "
                             f"options; {names} cannot be changed (only --epochs and "
                             "--patience can): drop them, or start a new run with --out.")
        out = args.resume
        try:
            options = resume_options(out)
        except InputError as exc:
            if exc.param != "resume":  # no checkpoint there: say how to start a run
                raise
            raise InputError(f"{exc} Start a run with 'numpynn train --out DIR' first.",
                             param="resume") from None
        if "epochs" in given:
            options.train.epochs = args.epochs
        if "patience" in given:
            options.train.patience = args.patience
    else:
        d, o = default_train_config(), RunOptions()
        unset = [name for name in ("hidden", "epochs", "batch_size", "lr", "patience",
                                   "weight_scale")
                 if getattr(args, name) is None]  # a regression picks its own defaults
        config = TrainConfig(
            epochs=args.epochs or d.epochs, batch_size=args.batch_size or d.batch_size,
            optimizer=args.optimizer, lr=args.lr or d.lr, schedule=args.schedule,
            lr_decay=args.lr_decay,
            patience=d.patience if args.patience is None else args.patience,
            select=args.select, seed=args.seed,
        )
        options = RunOptions(
            data=args.data, hidden=args.hidden or o.hidden,
            task_defaults=unset, preprocessing=args.preprocessing,
            val_fraction=args.val_fraction, test_fraction=args.test_fraction,
            weight_scale=(o.weight_scale if args.weight_scale is None else
                          _weight_scale(args.weight_scale)),
            reg=args.reg, dtype=args.dtype, activation=args.activation, dropout=args.dropout,
            normalization=None if args.norm == "none" else args.norm,
            class_weight=None if args.class_weight == "none" else args.class_weight,
            refit=args.refit, train=config, **common.data_option_values(args),
        )
        # a download (mnist, cifar10...) happens before the run directory is made
        prefetch(options.data, progress=False if args.quiet else None)
        if args.out is None:
            out, created = new_run_dir(), True
        else:
            out = args.out
            if holds_run(out) and not args.overwrite:
                raise InputError(f"--out {out} already holds a run (model.npz or "
                                 "checkpoint.npz); continue it with --resume "
                                 f"{out}, replace it with --overwrite, or choose another "
                                 "--out.")
    progress = progress_callback(args.quiet)
    callbacks = [PrintSummary(args.quiet)] + ([progress] if progress is not None else [])
    try:
        result = run_training(options, out, callbacks=callbacks,
                              resume=args.resume is not None,
                              report=not args.no_report)
    except KeyboardInterrupt as exc:

        if progress is not None:
            progress.on_train_end(None)  # type: ignore[arg-type]
        checkpoint = out / CHECKPOINT_FILE
        what = "terminated" if getattr(exc, "signum", None) else "interrupted"
        if checkpoint.is_file():
            print(f"numpynn: {what}; the last finished epoch is saved in {checkpoint}. "
                  f"Continue with: numpynn train --resume {out}", file=sys.stderr)
        else:
            remove_if_empty(out, created)
            print(f"numpynn: {what} before the first epoch finished; nothing was saved. "
                  "Run the same command again to start over.", file=sys.stderr)
        return interrupted_exit_code(exc)
    except BaseException:
        remove_if_empty(out, created)
        raise
    h = result.history
    if result.unchanged:
        print(f"the run in {out} had already finished ({h.stop_reason}); nothing was "
              "changed (give a larger --epochs to train it further)")
    if args.quiet:  # else the run header printed them before training
        for note in result.notes:
            print(common.flag_message(note))
    print(f"{options.data}: {result.saved.model!r}")
    print(f"{len(h.epochs)} epochs ({h.stop_reason}); kept epoch {h.best_epoch} "
          f"({h.best_rule or 'last epoch'})")
    if result.refit:
        print(f"then {refit_text(result.refit)}; the metrics below are the refit network's")
    print(task_named(result.task).format_metrics(result.metrics, result.seconds))
    for name, path in result.paths.items():
        print(f"{name:<8} {path}")
    return 0
