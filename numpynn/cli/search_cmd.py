"""``numpynn search``: random or grid hyper-parameter search, local or on a Dask cluster."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from ..data.spec import DataSpec
from ..errors import InputError
from ..models import check_activation, check_dropout, check_normalization
from ..runs.files import SEARCH_SETTINGS_FILE
from ..runs.options import get, options_for, run_options
from ..runs.run import RunOptions, default_train_config
from ..search import (
    BEST_DIR,
    DEFAULT_ETA,
    DEFAULT_PACK,
    PARAMS,
    PLOT_FILE,
    RESULTS_CSV,
    RESULTS_JSON,
    TRIALS_FILE,
    LogUniform,
    SearchSpace,
    format_table,
    load_settings,
    read_trials,
    resume_search,
    score_cell,
    score_text,
    search,
)
from ..search.space import RANDOM_LAYERS
from ..tasks import task_named
from ..training.optim import OPTIMIZERS
from ..training.scores import score_label
from . import common
from .commands import COMMAND_HELP
from .main import interrupted_exit_code, stop_word

EXAMPLES = """examples:
  numpynn search                                  # 40 random trials on digits, 1 process
  numpynn search --trials 40 --jobs 2 --out runs/search
  numpynn search --grid --hidden 128 512 --lr 3e-4,1e-3,3e-3 --reg 0,1e-4,1e-3
  numpynn search --lr 1e-4:1e-2 --reg 1e-6:1e-2 --optimizer adam,nesterov --epochs 30
  numpynn search --data mydata.csv --trials 100 --scheduler tcp://10.0.0.5:8786
  numpynn search --resume runs/search              # finish an interrupted search
  numpynn search --grid --halving --eta 3          # successive halving over the grid
  numpynn search --grid --pack 1 --jobs 2          # every trial alone (default: packs of 8)

--halving: every trial starts on a small epoch budget (the plan's epochs / eta^(rungs-1));
the best 1 in --eta of each rung are retrained with eta times the epochs, up to the
plan's. The table keeps every trial, with the rung it reached (its epochs: that rung's).

values: a comma list (1e-3,3e-3) is sampled uniformly (random) or taken whole (grid);
LOW:HIGH (lr, reg) is sampled log-uniformly (random) or gives --grid-points log-spaced
values (grid). --hidden takes one or more architectures: 256 512,256 ...

outputs in --out: trials.jsonl (one line per finished trial, kept when interrupted),
results.csv and results.json (sorted by validation accuracy), search.png, and best/
with the best configuration refitted on train + validation rows for the epoch count its
trial kept (--no-refit-best: retrained on the training split): model.npz (numpynn
evaluate/predict), report.html. The validation scores that rank the trials come from
networks trained on the training split; the test figures from the saved model.
Dask: workers need numpynn installed and the data path readable (see README).
"""


class _Range:
    """LOW:HIGH from the command line; becomes a LogUniform once --grid-points is known."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high


#: ``loguniform(1e-4, 1e-2)`` (scipy.stats, Optuna's suggest_float(log=True), Ray Tune,
#: W&B sweeps), ``1e-4..1e-2``, ``1e-4-1e-2``, ``1e-4 to 1e-2``: other tools' ranges
_OTHER_RANGE = re.compile(
    r"^(?:(?:log_?uniform|reciprocal|uniform|log|range)\s*\(\s*(?P<a>[^,()]+?)\s*,\s*"
    r"(?P<b>[^,()]+?)\s*\)|(?P<c>[+]?[\d.]+(?:e[+-]?\d+)?)\s*(?:\.\.\.?|-|–|\s+to\s+)\s*"
    r"(?P<d>[+]?[\d.]+(?:e[+-]?\d+)?))$", re.IGNORECASE)


def _list_text(text: str, flag: str, ranges: bool = False) -> str:
    """The comma list a search flag's ``text`` writes, from other tools' habits: a JSON or
    Python list (``[1e-3, 1e-2]``, ``(32, 64)``: as --hidden takes them) is its items;
    a range where the flag takes none (``--epochs 10:50``: only --lr and --reg take
    LOW:HIGH), or another tool's way of writing one (``loguniform(1e-4,1e-2)``,
    ``1e-4..1e-2``), is refused saying how numpynn writes it. Before, each was "expected
    a positive number, got '[1e-3'"."""
    text = text.strip()
    if len(text) > 2 and text[0] + text[-1] in ("[]", "()"):
        text = text[1:-1].strip().removesuffix(",").strip()
    if ranges:
        match = _OTHER_RANGE.match(text)
        if match:
            low, high = match.group("a") or match.group("c"), match.group("b") or match.group("d")
            raise argparse.ArgumentTypeError(
                f"{flag} writes a range as LOW:HIGH, sampled log-uniformly (a grid search "
                f"takes --grid-points values from it): {flag} {low}:{high}")
    elif ":" in text or _OTHER_RANGE.match(text):  # --epochs 2:10, --batch-size 32..128
        ends = re.fullmatch(r"\s*([^:]+?)\s*:\s*([^:]+?)\s*", text) or _OTHER_RANGE.match(text)
        example = (",".join(g for g in ends.groups() if g) if ends
                   else _EXAMPLES.get(flag, "1,2,3"))
        raise argparse.ArgumentTypeError(
            f"got {text!r}, a range; only --lr and --reg take a LOW:HIGH range: give the "
            f"values of {flag} to try as a comma list, e.g. {flag} {example}")
    return text


_EXAMPLES = {"--epochs": "10,20,50", "--batch-size": "32,64,128", "--dropout": "0,0.1,0.3",
             "--activation": "relu,gelu", "--norm": "none,batch", "--optimizer": "adam,nesterov"}


def _float_values(name: str, allow_zero: bool):
    def parse(text: str) -> Any:
        text = _list_text(text, f"--{name}", ranges=True)
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 2:
                raise argparse.ArgumentTypeError(f"expected LOW:HIGH, got {text!r}" + (
                    " (LOW:HIGH:N? the number of grid values is --grid-points N)"
                    if len(parts) == 3 else ""))
            if allow_zero and parts[0].strip() and common.decimal_comma(parts[0]) is None:
                try:
                    zero = float(parts[0]) == 0
                except ValueError:
                    zero = False
                if zero:  # --reg 0:1e-2: a log range cannot start at 0
                    raise argparse.ArgumentTypeError(
                        f"a LOW:HIGH range is sampled log-uniformly, so LOW must be above 0, "
                        f"got {text!r}; to try 0 too, list the values, e.g. --{name} "
                        f"0,1e-4,1e-3,{parts[1].strip() or '1e-2'}")
            low, high = (common.positive_float(p) for p in parts)
            if low > high:
                raise argparse.ArgumentTypeError(f"LOW must not exceed HIGH in {text!r}")
            return _Range(low, high)
        point = common.decimal_comma(text, in_a_list=True)
        if point is not None:  # --reg 0,001: not the list 0 and 1
            first, second = (t.strip() for t in text.split(","))
            listed = (f" (the list of {first} and {second}: {first}.0,{second})"
                      if "e" in second.lower() else "")
            raise argparse.ArgumentTypeError(
                f"{text!r} reads as one number with a decimal comma, not a list (write "
                f"{point}); a list is written like 1e-3,3e-3{listed}")
        check = common.nonnegative_float if allow_zero else common.positive_float
        return tuple(common.list_items(text, "1e-3,3e-3 or 1e-4:1e-2", check))
    return parse


def _int_values(flag: str, convert=common.positive_int):
    def parse(text: str) -> tuple[int, ...]:
        return tuple(common.list_items(_list_text(text, flag), _EXAMPLES[flag], convert))
    return parse


def _choice(allowed: tuple[str, ...], what: str):
    """An item of a comma list of names: one of ``allowed``, as the flag writes them."""
    def check(text: str) -> str:
        value = text.lower()
        if value not in allowed:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {what}: choose among {','.join(allowed)}")
        return value
    return check


def _optimizers(text: str) -> tuple[str, ...]:
    return tuple(common.list_items(_list_text(text, "--optimizer"), "adam,nesterov",
                                   _choice(tuple(OPTIMIZERS.names()), "an optimizer")))


def _eta(text: str) -> int:
    return common.checked_number(text, int, lambda v: v >= 2, "an integer >= 2")


def _jobs(text: str) -> int:
    return common.checked_number(text, int, lambda v: v >= 1 or v == -1,
                                 "a positive integer or -1 (all cores)")


def _listed(layer: str) -> str:
    """The default random space's values of a layer dimension, as the flag writes them."""
    return ",".join("none" if v is None else f"{v:g}" if isinstance(v, float) else str(v)
                    for v in RANDOM_LAYERS[layer])


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search", help=COMMAND_HELP["search"],
        description="Train one network per trial (hidden sizes, learning rate, reg, batch "
        "size, optimizer, epochs, layers) on the training split, rank the trials by "
        "validation accuracy, and save the best refitted on train + validation rows for "
        "the epoch count its trial kept (scored on the test split). Trials run in "
        "parallel (--jobs) or on a Dask cluster (--scheduler); each trial's seed derives "
        "from --seed, so the results do not depend on where or in which order trials ran.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_options(p, "search")
    p.add_argument("--mode", choices=("random", "grid"), default="random",
                   help="random sampling (default) or every combination of the values")
    p.add_argument("--grid", dest="mode", action="store_const", const="grid",
                   help="same as --mode grid")
    p.add_argument("--trials", type=common.positive_int, default=None,
                   help="number of random trials (default 40; not with --mode grid)")
    p.add_argument("--hidden", type=common.hidden_sizes, nargs="+", metavar="SIZES",
                   help="architectures to try, e.g. 128 512 256,128 "
                   "(default random: 100 256 512 256,128; grid: 128 512)")
    p.add_argument("--lr", type=_float_values("lr", allow_zero=False), metavar="VALUES",
                   help="learning rates: LOW:HIGH or a list (default random 1e-4:1e-2; "
                   "grid 3e-4,1e-3,3e-3)")
    p.add_argument("--reg", type=_float_values("reg", allow_zero=True), metavar="VALUES",
                   help="L2 strengths (loss + 0.5*reg*sum(W**2)): LOW:HIGH or a list "
                   "with 0 allowed (default random 1e-6:1e-2; grid 1e-5,1e-4,1e-3)")
    p.add_argument("--batch-size", type=_int_values("--batch-size"), metavar="VALUES",
                   help="batch sizes (default random 32,64,128; grid 64)")
    p.add_argument("--optimizer", type=_optimizers, metavar="NAMES",
                   help=f"update rules among {','.join(OPTIMIZERS.names())} "
                   "(default random adam,rmsprop,nesterov; grid adam)")
    p.add_argument("--epochs", type=_int_values("--epochs", common.epochs), metavar="VALUES",
                   help="epochs per trial (default random 20,40; grid 30)")
    p.add_argument("--activation", type=_names("--activation", check_activation),
                   metavar="NAMES", help="hidden activations to try, e.g. relu,tanh,gelu "
                   f"(default random {_listed('activation')}; grid relu)")
    p.add_argument("--dropout", type=_names("--dropout", _dropout_value,
                                                 "a drop probability in [0, 1)"), metavar="VALUES",
                   help="drop probabilities to try, e.g. 0,0.2 (default random "
                   f"{_listed('dropout')}; grid 0)")
    p.add_argument("--norm", type=_names("--norm", check_normalization,
                                              "none, batch or layer"), metavar="NAMES",
                   help="normalisations to try among none,batch,layer (default random "
                   f"{_listed('normalization')}; grid none)")
    p.add_argument("--halving", action="store_true",
                   help="successive halving: trials start on few epochs, the best 1 in "
                   "--eta go on with eta times the epochs (see below)")
    p.add_argument("--eta", type=_eta, default=None,
                   help=f"halving factor of --halving, an integer >= 2 (default {DEFAULT_ETA})")
    p.add_argument("--pack", type=common.positive_int, default=DEFAULT_PACK, metavar="K",
                   help="train up to K trials that share hidden sizes, batch size and layers "
                   "together, one engine step for all (packed; fewer where memory is short; "
                   f"default {DEFAULT_PACK}; 1: each alone)")
    p.add_argument("--grid-points", type=common.positive_int, default=3,
                   help="values taken from a LOW:HIGH range in grid mode (default 3)")
    p.add_argument("--seed", type=common.seed, default=0,
                   help="search seed: the split and every trial's seed (0 to 2**32-1, "
                   "default 0)")
    p.add_argument("--jobs", type=_jobs, default=1,
                   help="trials run in parallel on this machine (default 1; -1: all cores); "
                   "never more processes than trials left or cores")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the trials on a Dask cluster, e.g. tcp://10.0.0.5:8786 "
                   "(--jobs is then not used: every worker thread runs trials)")
    p.add_argument("--patience", type=common.positive_int,
                   default=default_train_config().patience,
                   help="stop a trial after this many epochs without a lower validation "
                   f"loss (default {default_train_config().patience}, as numpynn train)")
    p.add_argument("--out", type=common.output_path, default=Path("numpynn-search"),
                   help="output directory (default ./numpynn-search)")
    p.add_argument("--resume", type=common.path, metavar="DIR",
                   help="finish the interrupted search in DIR with its own settings")
    p.add_argument("--top", type=common.positive_int, default=None,
                   help="print only the best N rows (all are saved)")
    p.add_argument("--refit-best", action=argparse.BooleanOptionalAction, default=None,
                   help="the saved best model: the best configuration refitted on train + "
                   "validation rows for the epoch count its trial kept, its test figures "
                   "that network's (default; a regression, or a search without validation "
                   "rows, keeps the trial's network and says so); --no-refit-best: the "
                   "trial's network, trained on the training split (with --resume: how a "
                   "best model not yet saved is made; default as the search was started)")
    p.add_argument("--no-report", action="store_true",
                   help="skip report.html for the best model (search.png is still drawn)")
    p.add_argument("--quiet", action="store_true", help="no line per finished trial")
    p.set_defaults(run=run)


def _space(args: argparse.Namespace) -> SearchSpace:
    default = SearchSpace.default_grid() if args.mode == "grid" else SearchSpace.default_random()
    ranges = [f"--{n}" for n in ("lr", "reg") if isinstance(getattr(args, n), _Range)]
    if "grid_points" in set(getattr(args, "given", ())) and not (args.mode == "grid"
                                                                 and ranges):
        # a count of values that no range was there to take (before: ignored in silence)
        why = ("a random search samples a LOW:HIGH range log-uniformly, it takes no points"
               if args.mode != "grid" else
               "this grid has no range: its --lr and --reg are lists (the default grid's "
               "too)")
        raise InputError(f"--grid-points {args.grid_points} is the number of values a grid "
                         f"search takes from a LOW:HIGH range of --lr or --reg; {why}. Drop "
                         "--grid-points" + (", or give a range with --grid, e.g. --grid "
                                            "--lr 1e-4:1e-2" if args.mode != "grid" else
                                            ", or give a range, e.g. --lr 1e-4:1e-2") + ".",
                         param="grid_points")
    kwargs: dict[str, Any] = {}
    if args.hidden is not None:
        kwargs["hidden"] = [tuple(h) for h in args.hidden]
    for name in ("lr", "reg"):
        value = getattr(args, name)
        if isinstance(value, _Range):
            try:
                value = LogUniform(value.low, value.high, args.grid_points)
            except InputError as exc:
                raise InputError(f"--{name}: {exc}") from None
        if value is not None:
            kwargs[name] = value
    for name in ("batch_size", "optimizer", "epochs", "activation", "dropout"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    if args.norm is not None:
        kwargs["normalization"] = args.norm
    return SearchSpace(**{**{n: getattr(default, n) for n in PARAMS}, **kwargs})


def _dropout_value(text: str) -> float:
    return check_dropout(common.checked_number(text, float, lambda v: True, "a number"))


def _names(flag: str, check, allowed: str | None = None):
    """A comma list whose items ``check`` validates; a refused item is named with its
    position, and with ``allowed`` where the library's message would not say it as the
    flag takes it (``none``, not the library's None)."""

    def item(text: str) -> Any:
        try:
            return check(text.lower())
        except (InputError, ValueError) as exc:
            if allowed is None:
                raise argparse.ArgumentTypeError(common.flag_message(str(exc))) from None
            raise argparse.ArgumentTypeError(f"got {text!r}; expected {allowed}") from None

    def parse(text: str) -> tuple[Any, ...]:
        return tuple(common.list_items(_list_text(text, flag), _EXAMPLES[flag], item))

    return parse


def layer_text(row: dict[str, Any]) -> str:
    """`` gelu dropout=0.2 norm=batch`` for a row whose layers are not the defaults."""
    parts = []
    if row.get("activation", "relu") != "relu":
        parts.append(str(row["activation"]))
    if row.get("dropout"):
        parts.append(f"dropout={row['dropout']:g}")
    if row.get("normalization"):
        parts.append(f"norm={row['normalization']}")
    return "".join(" " + p for p in parts)


def _progress(quiet: bool):
    if quiet:
        return None

    def show(row: dict[str, Any], done: int, total: int) -> None:
        acc = (f"val {score_cell(row)} loss {row['val_loss']:.4g}"
               if row["val_score"] is not None else row["status"])
        hidden = ",".join(map(str, row["hidden"]))
        rung = f"rung {row['rung']} " if "rung" in row else ""
        packed = f", pack of {row['pack']}" if row.get("pack") else ""
        print(f"[{done:>{len(str(total))}}/{total}] {rung}trial {row['trial']:<3} {acc}  "
              f"hidden={hidden} lr={row['lr']:.3g} reg={row['reg']:.3g} "
              f"batch={row['batch_size']} {row['optimizer']} epochs={row['epochs']}"
              f"{layer_text(row)}  "
              f"({row['seconds']:.1f} s, {row['worker']}{packed})", file=sys.stderr,
              flush=True)
    return show


#: Options that --resume accepts: where and how the remaining trials run, and what is
#: printed; the rest are the search's own (data, space, trials, seed) and cannot change.
RESUME_OPTIONS = {"resume", "jobs", "scheduler", "top", "refit_best", "no_report", "quiet",
                  "data"}  # --data: where the search's data moved (the same rows: checked)


#: the command line's destinations that write a field of the search space
_SPACE_DESTS = {"hidden": "hidden", "lr": "lr", "reg": "reg", "batch_size": "batch_size",
                "optimizer": "optimizer", "epochs": "epochs", "activation": "activation",
                "dropout": "dropout", "norm": "normalization"}


def _changed(args: argparse.Namespace, given: list[str], stored: dict[str, Any],
             out: Path) -> list[str]:
    """The options among ``given`` (argparse destinations) whose values differ from the
    search's own in ``stored`` (search.json): the same command again with --resume added
    repeats them unchanged, which is no change (before, every one was refused as
    changed). An option that cannot be compared counts as changed."""
    own: dict[str, Any] = {
        "out": lambda: Path(args.out).resolve() == Path(out).resolve(),
        "mode": lambda: args.mode == stored["mode"],
        "seed": lambda: int(args.seed) == int(stored["seed"]),
        "trials": lambda: args.trials == stored["trials"],
        "halving": lambda: bool(args.halving) == bool(stored.get("halving")),
        "eta": lambda: bool(stored.get("halving"))
        and args.eta == stored["halving"].get("eta", DEFAULT_ETA),
        "pack": lambda: args.pack == stored.get("pack", DEFAULT_PACK),
    }
    space = None
    same: list[str] = []
    for dest in given:
        try:
            if dest in own:
                ok = own[dest]()
            elif dest in _SPACE_DESTS or dest == "grid_points":
                space = space or as_plain(_space(args).to_json())
                fields = [_SPACE_DESTS[dest]] if dest in _SPACE_DESTS else ["lr", "reg"]
                ok = all(space[f] == stored["space"][f] for f in fields)
            else:
                ok = _same_option(args, dest, stored)
        except (InputError, KeyError, TypeError, ValueError, AttributeError):
            ok = False
        if ok:
            same.append(dest)
    return [d for d in given if d not in same]


def _same_option(args: argparse.Namespace, dest: str, stored: dict[str, Any]) -> bool:
    """Whether run option ``dest`` as given equals the search's stored option."""
    train = default_train_config()
    train.patience = args.patience
    fresh = run_options("search", vars(args), args.given, base=RunOptions(train=train))
    was = RunOptions.from_dict(stored["options"])
    for option in options_for("search"):
        if option.dest == dest:
            now, then = get(fresh, option.field), get(was, option.field)
            if option.field == "data":
                return DataSpec.parse(str(now)).absolute() == str(then)
            return as_plain(now) == as_plain(then)
    return False


def as_plain(value: Any) -> Any:
    """``value`` as JSON reads it back (tuples as lists), for comparing with a stored one."""
    return json.loads(json.dumps(value, default=str))


def run(args: argparse.Namespace) -> int:
    if args.resume is not None:
        out = args.resume
        try:
            stored = load_settings(out)
        except InputError as exc:
            if exc.param != "resume" or not str(exc).startswith("no search to resume"):
                raise  # (no search there: say how to start one)
            raise InputError(f"{exc} Start one with 'numpynn search --out DIR'.",
                             param="resume") from None
        given = set(getattr(args, "given", ())) - {"command", "run", "given"}
        fixed = _changed(args, sorted(given - RESUME_OPTIONS), stored, out)
        if fixed:
            names = ", ".join("--" + d.replace("_", "-") for d in fixed)
            raise InputError(f"--resume finishes the search in {args.resume} with its own "
                             f"settings; {names} cannot be changed (only --jobs, "
                             "--scheduler, --top, --refit-best, --no-report, --quiet, "
                             "and --data where the same data file moved, can): drop them, "
                             "or start a new search with --out.")
        space = SearchSpace.from_json(stored["space"])
        options = RunOptions.from_dict(stored["options"])
        mode, trials, seed = stored["mode"], stored["trials"], int(stored["seed"])
    else:
        out = args.out
        space = _space(args)
        if args.hidden is not None and len(args.hidden) == 1 and len(args.hidden[0]) > 1:
            sizes = list(args.hidden[0])
            print(common.flag_message(
                f"note: --hidden {','.join(map(str, sizes))} is one architecture of "
                f"{len(sizes)} hidden layers ({', '.join(map(str, sizes))}); to try widths "
                f"one at a time, separate them by spaces: --hidden "
                f"{' '.join(map(str, sizes))}"), file=sys.stderr)
        mode, seed = args.mode, args.seed
        trials = args.trials
        if mode == "grid" and trials is not None:
            raise InputError(f"--trials is for random search; a grid search runs every "
                             f"combination ({space.grid_size()} here): drop --trials.")
        if args.eta is not None and not args.halving:
            raise InputError(f"--eta {args.eta} is the halving factor of --halving: add "
                             "--halving, or drop --eta.", param="eta")
        train = default_train_config()
        train.patience = args.patience
        options = run_options("search", vars(args), args.given, base=RunOptions(train=train))
    try:
        if args.resume is not None:
            result = resume_search(out, jobs=args.jobs, scheduler=args.scheduler,
                                   report=not args.no_report, on_trial=_progress(args.quiet),
                                   refit_best=args.refit_best,
                                   data=args.data if "data" in given else None)
        else:
            result = search(options, space, mode=mode, trials=trials, seed=seed,
                            jobs=args.jobs, out=out, scheduler=args.scheduler,
                            report=not args.no_report, on_trial=_progress(args.quiet),
                            halving=args.halving,
                            eta=DEFAULT_ETA if args.eta is None else args.eta,
                            pack=args.pack,
                            refit_best=args.refit_best is not False)
    except KeyboardInterrupt as exc:

        n = len(read_trials(Path(out) / TRIALS_FILE))
        what = stop_word(exc)
        if n == 0 and args.resume is None:  # nothing to keep, nor a results.csv to name
            print(f"\n{what} before any trial finished; nothing was kept in {out}. Run the "
                  "same command again to start the search over.", file=sys.stderr)
        else:
            print(f"\n{what}; {n} finished trials are kept in {out}/{TRIALS_FILE} and "
                  f"{out}/{RESULTS_CSV}. Continue with: numpynn search --resume {out}",
                  file=sys.stderr)
        return interrupted_exit_code(exc)
    except OSError as exc:  # a full disk, a quota: the finished trials are kept
        if not (Path(out) / SEARCH_SETTINGS_FILE).is_file():
            raise
        try:
            n = len(read_trials(Path(out) / TRIALS_FILE))
        except Exception:  # noqa: BLE001 - the table unreadable too: the error as it was
            raise exc from None
        where = f": {exc.filename}" if exc.filename else ""
        raise InputError(f"{exc.strerror or exc}{where}; the search stopped, and its {n} "
                         f"finished trials are kept in {out}/{TRIALS_FILE}: free some space "
                         "(or fix the cause), then continue with: numpynn search --resume "
                         f"{out}") from None
    rows = result.rows
    if args.resume is not None:  # its data's place as now recorded (--data: moved)
        options = RunOptions.from_dict(load_settings(out)["options"])
    if result.unchanged:
        print(f"the search in {out} had already finished; nothing was run or changed")
    for note in result.notes:
        print(common.flag_message(note))
    print(f"search: {mode}, {len(rows)} trials, seed {seed}, data {options.data}; "
          f"{result.backend}; {result.seconds:.1f} s")
    if result.halving:
        print(result.halving)
    if result.packing:
        print(result.packing)
    print(format_table(rows, args.top))
    b = result.best
    print(f"\nbest: trial {b['trial']} (seed {b['seed']}): hidden "
          f"{','.join(map(str, b['hidden']))}, lr {b['lr']:.4g}, reg {b['reg']:.4g}, batch "
          f"{b['batch_size']}, {b['optimizer']}, {b['epochs']} epochs{layer_text(b)}: "
          "validation "
          + f"{score_cell(b)}, loss {b['val_loss']:.4g}")
    if result.figures.get("val_score"):
        print(f"  validation: {result.figures['val_score']}")
    if result.metrics:
        key = task_named(b.get("task") or "classification").score_key
        names = {"train": "train + val"} if result.refit else {}
        head = ("refitted best" if result.refit else "retrained best")
        # a bare percentage reads as the score that ranked the trials: where that was
        # another (balanced accuracy), each figure names its own
        unit = f" {score_label(key)}" if (b.get("score_name") or key) != key else ""
        print(f"{head}: " + "  ".join(
            f"{names.get(split, split)}{unit} {score_text(key, m[key])}"
            for split, m in result.metrics.items()))
        if result.figures.get("model"):
            print(f"  saved model: {result.figures['model']}")
        if result.figures.get("test"):
            print(f"  test: {result.figures['test']}")
        if result.refit_note:
            print(f"  no refit: {result.refit_note}")
    print(f"results  {out}/{RESULTS_CSV}, {out}/{RESULTS_JSON}")
    print(f"trials   {out}/{TRIALS_FILE}")
    print(f"plot     {out}/{PLOT_FILE}")
    if "model" in result.paths:
        print(f"model    {out}/{BEST_DIR}/model.npz  "
              f"(numpynn evaluate {out}/{BEST_DIR}/model.npz)")
    return 0
