"""``numpynn train``: train a network on a data set and write model, history and report."""

from __future__ import annotations

import argparse
import os
import sys

from ..data.download import prefetch
from ..errors import InputError
from ..progress import progress_callback
from ..runs.files import (
    RUNS_DIR,
    files_of_no_run,
    first_missing,
    holds_run,
    new_run_dir,
    remove_if_empty,
)
from ..runs.options import resumable_dests, run_options
from ..runs.run import (
    CHECKPOINT_FILE,
    data_inputs,
    final_fit_text,
    refit_text,
    resume_options,
    run_training,
    split_sizes_text,
)
from ..tasks import task_named
from ..training.trainer import Callback, select_rule
from . import common
from .commands import COMMAND_HELP
from .main import interrupted_exit_code, stop_word

EXAMPLES = """examples:
  numpynn train                                    # digits, 1 hidden layer of 100, Adam
  numpynn train --data mnist --hidden 256 --epochs 10   # downloads MNIST once into the cache
  numpynn train --data cifar10:~/cifar-10-batches-py --hidden 100 --epochs 20 \\
                --optimizer momentum --lr 1e-3 --batch-size 200 --out runs/cifar
  numpynn train --data mydata.csv --hidden 256,128 --reg 1e-3 --out runs/mine
  numpynn train --hidden 512,256 --norm batch --dropout 0.2 --activation gelu
  numpynn train --data fashion-mnist --augment shift:2   # images shifted by up to 2 px
  numpynn train --data wine.csv.gz --label-column class --ignore-columns id \\
                --impute median --out runs/wine   # your own table
  numpynn train --data houses.csv --label-column price --task regression --out runs/h
  numpynn train --ensemble 5                       # 5 networks trained packed, averaged
  numpynn train --resume runs/cifar                # continue an interrupted run

outputs in --out (default: a new numpynn-runs/run-N for every run): model.npz,
history.json, checkpoint.npz, report.html + PNG plots. They replace an earlier run's files
only when the run succeeds; an --out that holds a run needs --overwrite (or --resume).
--resume DIR continues with the run's own options; only --epochs and --patience may be
given with it.
"""

#: Options that --resume accepts (the rest are the run's own and cannot change).
RESUME_OPTIONS = resumable_dests() | {"resume", "quiet", "no_report"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help=COMMAND_HELP["train"],
        description="Train an MLP (affine -> [batch/layer norm] -> activation -> [dropout] "
        "blocks, softmax loss) with minibatch gradient descent; print the network, "
        "train/val/test accuracy and write the run's files.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_options(p, "train")
    p.add_argument("--out", type=common.output_path, default=None,
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
        if getattr(model, "n_members", 1) > 1:
            print(f"training {model.n_members} members together (packed); no per-epoch "
                  "output", flush=True)


def keeps(trainer, sizes: dict[str, int]) -> str:
    """Which epoch the run keeps, for the header: by the selection rule, or the last one
    when there is no validation split."""
    folds = (trainer.checkpoint_extra.get("options") or {}).get("cv_folds") or 1
    if folds > 1:
        return (f"trains {trainer.config.epochs} epochs, the count {folds}-fold "
                "cross-validation on the training rows chose")
    if trainer.X_val is None or sizes.get("val") == 0:
        return "no validation split: trains every epoch and keeps the last"
    return f"keeps the epoch with the {select_rule(trainer.select, trainer.score_name)}"


def _option_name(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _same_as_the_runs(dest: str, args: argparse.Namespace, options, out) -> bool:
    """Whether option ``dest`` was given with the value the resumed run (``options``, in
    ``out``) has: ``--out`` its directory, ``--data`` its data, another its value."""
    from ..data.spec import DataSpec
    from ..runs.options import OPTIONS, get

    value = getattr(args, dest, None)
    if dest == "out":
        return value is not None and os.path.realpath(value) == os.path.realpath(out)
    if dest == "overwrite":
        return False
    option = next((o for o in OPTIONS if o.dest == dest), None)
    if option is None:
        return False
    if option.to_value is not None:
        value = option.to_value(value)
    theirs = get(options, option.field)
    if dest == "data":
        mine, run = DataSpec.parse(value), DataSpec.parse(theirs)
        if mine.path is None or run.path is None:
            return str(value).lower() == str(theirs).lower()
        return mine.source == run.source and os.path.realpath(mine.path) == \
            os.path.realpath(run.path)
    if isinstance(theirs, (list, tuple)) and isinstance(value, (list, tuple)):
        return list(theirs) == list(value)
    return value == theirs


def _file_key(path) -> tuple[int, int, int] | None:
    """What tells a file replaced since (an atomic write is a new inode); None: none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def run(args: argparse.Namespace) -> int:
    given = set(getattr(args, "given", ())) - {"command", "run", "given"}
    created = False
    if args.resume is not None:
        out = args.resume
        try:
            options = resume_options(out)
        except InputError as exc:
            options, unreadable = None, exc
        # the run's own values given again (the first command line with --resume added,
        # as Lightning's ckpt_path is added to the same script) change nothing
        fixed = sorted(d for d in given - RESUME_OPTIONS
                       if options is None or not _same_as_the_runs(d, args, options, out))
        if fixed:
            names = ", ".join(_option_name(d) for d in fixed)
            raise InputError(f"--resume continues the run in {args.resume} with its own "
                             f"options; {names} cannot be changed (only --epochs and "
                             "--patience can): drop them, or start a new run with --out.")
        if options is None:
            if unreadable.param != "resume" or not str(unreadable).startswith(
                    "no checkpoint to resume"):
                raise unreadable  # (no checkpoint there: say how to start a run)
            raise InputError(f"{unreadable} Start a run with 'numpynn train --out DIR' "
                             "first.", param="resume") from None
        if "epochs" in given:
            options.train.epochs = args.epochs
        if "patience" in given:
            options.train.patience = args.patience
    else:
        options = run_options("train", vars(args), given)
        # a download (mnist, cifar10...) happens before the run directory is made
        prefetch(options.data, progress=False if args.quiet else None)
        if args.out is None:
            new_base = first_missing(RUNS_DIR)  # numpynn-runs itself, if this run makes it
            out = new_run_dir()
            created = new_base or out  # removed again (if left empty) on a refusal
        else:
            out = args.out
            if holds_run(out) and not args.overwrite:
                raise InputError(f"--out {out} already holds a run (model.npz or "
                                 "checkpoint.npz); continue it with --resume "
                                 f"{out}, replace it with --overwrite, or choose another "
                                 "--out.")
            theirs = [] if args.overwrite else files_of_no_run(
                out, not args.no_report, data_inputs(options.data))
            if theirs:
                raise InputError(f"--out {out} holds {', '.join(theirs)}, which this run "
                                 "would replace, but no run (no model.npz or "
                                 "checkpoint.npz): they are not numpynn's. Choose another "
                                 "--out, or replace them with --overwrite.")
    # an ensemble trains every epoch in one packed call: no per-epoch output to show
    progress = progress_callback(args.quiet) if options.ensemble == 1 else None
    callbacks = [PrintSummary(args.quiet)] + ([progress] if progress is not None else [])
    saved_before = _file_key(out / CHECKPOINT_FILE)
    try:
        result = run_training(options, out, callbacks=callbacks,
                              resume=args.resume is not None,
                              report=not args.no_report)
    except KeyboardInterrupt as exc:

        if progress is not None:
            progress.on_train_end(None)  # type: ignore[arg-type]
        checkpoint = out / CHECKPOINT_FILE
        what = stop_word(exc)
        # this run's checkpoint, not one an earlier run left (--overwrite)
        own = checkpoint.is_file() and (args.resume is not None or _file_key(checkpoint)
                                        not in (None, saved_before))
        earlier = (f" ({checkpoint} is the earlier run's)" if checkpoint.is_file() and not own
                   else "")
        if options.ensemble > 1:  # its members train in one call: no checkpoint
            remove_if_empty(out, created)
            print(f"numpynn: {what}; an ensemble is saved only once all its "
                  f"{options.ensemble} members have trained (it keeps no checkpoint), so "
                  f"nothing of it was saved{earlier}. Run the same command again to start "
                  "over; fewer --epochs or a smaller --ensemble finish sooner.",
                  file=sys.stderr)
        elif own:
            print(f"numpynn: {what}; the last finished epoch is saved in {checkpoint}. "
                  f"Continue with: numpynn train --resume {out}", file=sys.stderr)
        else:
            remove_if_empty(out, created)
            print(f"numpynn: {what} before the first epoch finished; nothing of this run was "
                  f"saved{earlier}. Run the same command again to start over.",
                  file=sys.stderr)
        return interrupted_exit_code(exc)
    except OSError as exc:  # a full disk, a quota: say that the run can be continued
        remove_if_empty(out, created)
        checkpoint = out / CHECKPOINT_FILE
        if args.resume is None and _file_key(checkpoint) in (None, saved_before):
            raise  # no checkpoint of this run (an earlier run's may be there)
        where = f": {exc.filename}" if exc.filename else ""
        raise InputError(f"{exc.strerror or exc}{where}; the run stopped, and its last "
                         f"finished epoch is kept in {checkpoint}: free some space (or fix "
                         f"the cause), then continue with: numpynn train --resume {out}"
                         ) from None
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
    print(f"{'member 1: ' if result.ensemble else ''}{len(h.epochs)} epochs "
          f"({h.stop_reason}); kept epoch {h.best_epoch} ({h.best_rule or 'last epoch'})")
    if result.refit:
        print(f"then {refit_text(result.refit)}; the metrics below are the refit network's")
    for chosen in result.choices:
        print(common.flag_message(chosen))
    if result.final_fit:
        print(f"saved model: {final_fit_text(result.final_fit)} (--final-fit none saves "
              "that network instead)")
    print(task_named(result.task).format_metrics(result.metrics, result.seconds))
    spread = result.spread_text()
    if spread:
        print(spread)
    for name, path in result.paths.items():
        print(f"{name:<8} {path}")
    for warning in result.warnings:
        print(common.flag_message(warning), file=sys.stderr)
    return 0
