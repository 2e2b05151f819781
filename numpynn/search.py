"""Hyper-parameter search: random or grid, in parallel with joblib, locally or on Dask.

A search trains one network per *trial* (hidden sizes, learning rate, reg, batch size,
optimiser, epochs) on the training split of a data set and ranks the trials by their
accuracy on the validation split. Data loading, splitting and preprocessing are those of
``numpynn train`` (:func:`numpynn.experiment.prepare_splits`): every trial sees the same
split, made with the search seed; preprocessing is fitted on the training part only; the
test part is never looked at during the search.

Determinism: trial ``i`` has its own seed, derived from the search seed and ``i`` alone
(``numpy.random.SeedSequence(seed, spawn_key=(i,))``); it drives the trial's
hyper-parameter sample (random mode), weight initialisation and shuffling. A trial runs
with one BLAS thread. So a trial's result does not depend on the worker that ran it, on
the order in which trials finish or on the number of trials: ``--jobs 1``, ``--jobs 4``
and a Dask cluster give the same table, and a longer search extends a shorter one.

Parallelism: trials are joblib tasks, run by joblib's process pool (``jobs``) or, given a
``dask.distributed.Client`` or a scheduler address, by joblib's Dask backend on the
cluster's workers. Workers load the data themselves (once per process), from the data
spec: they need numpynn installed and the data path readable.

Files in the output directory:

* ``search.json``: the search's settings (written first; ``resume`` checks against it);
* ``trials.jsonl``: one JSON line per finished trial, appended, flushed and fsynced as
  each trial finishes, so an interrupted (even killed) search keeps its finished trials;
* ``results.csv`` / ``results.json``: the table sorted by validation accuracy, rewritten
  atomically after every trial;
* ``search.png``: validation accuracy against learning rate and reg;
* ``best/``: the best configuration retrained (same seed, same split: the same network as
  its trial) and saved as ``model.npz`` for ``numpynn evaluate`` / ``numpynn predict``,
  with ``history.json`` and ``report.html``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DivergenceError, InputError, NumpynnError
from .experiment import RunOptions, Splits, prepare_splits, save_run
from .io import SavedModel, write_json_atomic, write_text_atomic
from .models import MLP
from .optim import OPTIMIZERS
from .train import Trainer

__all__ = [
    "PARAMS",
    "LogUniform",
    "SearchError",
    "SearchResult",
    "SearchSpace",
    "format_table",
    "read_trials",
    "run_trial",
    "search",
    "trial_plan",
]

#: The searched hyper-parameters, in table order.
PARAMS = ("hidden", "lr", "reg", "batch_size", "optimizer", "epochs")
#: Columns that describe where and how fast a trial ran: everything else is deterministic.
RUN_COLUMNS = ("seconds", "worker", "pid", "host")
COLUMNS = ("rank", "trial", "status", "val_acc", "val_loss", "train_acc", "best_epoch",
           "epochs_run", *PARAMS, "seed", *RUN_COLUMNS)
SETTINGS_FILE, TRIALS_FILE = "search.json", "trials.jsonl"
RESULTS_CSV, RESULTS_JSON, PLOT_FILE, BEST_DIR = (
    "results.csv", "results.json", "search.png", "best")
MODES = ("random", "grid")


class SearchError(NumpynnError):
    """The search ran but produced nothing usable (e.g. every trial failed)."""


# ------------------------------------------------------------------------------ space
@dataclass(frozen=True)
class LogUniform:
    """A continuous range sampled log-uniformly (random search); ``points`` log-spaced
    values from ``low`` to ``high`` in a grid search."""

    low: float
    high: float
    points: int = 3

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (
                math.isfinite(v) and v > 0
            ):
                raise InputError(f"a log range needs positive finite bounds; got {name}={v!r}.")
        if self.low > self.high:
            raise InputError(f"a log range needs low <= high; got {self.low:g} > {self.high:g}.")
        if isinstance(self.points, bool) or not isinstance(self.points, int) or self.points < 1:
            raise InputError(f"grid points must be a positive integer; got {self.points!r}.")

    def sample(self, rng: np.random.Generator) -> float:
        return float(np.exp(rng.uniform(np.log(self.low), np.log(self.high))))

    def grid(self) -> list[float]:
        if self.points == 1 or self.low == self.high:
            return [float(self.low)]
        return [float(f"{v:.4g}") for v in np.geomspace(self.low, self.high, self.points)]

    def to_json(self) -> dict[str, Any]:
        return {"log_uniform": [self.low, self.high], "points": self.points}


Dimension = Sequence[Any] | LogUniform


def _choices(name: str, values: Any, check: Callable[[Any], Any]) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError(f"search space {name!r} must be a list of values or a LogUniform "
                         f"range; got {values!r}.")
    out = tuple(check(v) for v in values)
    if not out:
        raise InputError(f"search space {name!r} has no values; give at least one.")
    return out


def _positive_float(name: str) -> Callable[[Any], float]:
    def check(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or (
            not math.isfinite(v) or v <= 0
        ):
            raise InputError(f"{name} values must be positive numbers; got {v!r}.")
        return float(v)
    return check


def _nonnegative_float(name: str) -> Callable[[Any], float]:
    def check(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or (
            not math.isfinite(v) or v < 0
        ):
            raise InputError(f"{name} values must be numbers >= 0; got {v!r}.")
        return float(v)
    return check


def _positive_int(name: str) -> Callable[[Any], int]:
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InputError(f"{name} values must be positive integers; got {v!r}.")
        return int(v)
    return check


def _hidden(v: Any) -> tuple[int, ...]:
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = (v,)
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        raise InputError(f"hidden values must be lists of layer sizes like [256, 128]; got {v!r}.")
    sizes = tuple(_positive_int("hidden layer size")(h) for h in v)
    if not sizes:
        raise InputError("hidden values need at least one layer size; got an empty list.")
    return sizes


def _optimizer(v: Any) -> str:
    if not isinstance(v, str) or v.lower() not in OPTIMIZERS:
        raise InputError(f"optimizer values must be among {', '.join(OPTIMIZERS)}; got {v!r}.")
    return v.lower()


@dataclass(frozen=True)
class SearchSpace:
    """Where trials come from. Each field is a list of values (chosen uniformly in random
    mode, all of them in grid mode) or, for ``lr`` and ``reg``, a :class:`LogUniform`
    range. ``hidden`` is a list of layer-size lists, e.g. ``[(256,), (512, 256)]``."""

    hidden: Sequence[Sequence[int]] = ((100,), (256,), (512,), (256, 128))
    lr: Dimension = LogUniform(1e-4, 1e-2)
    reg: Dimension = LogUniform(1e-6, 1e-2)
    batch_size: Sequence[int] = (32, 64, 128)
    optimizer: Sequence[str] = ("adam", "rmsprop", "nesterov")
    epochs: Sequence[int] = (20, 40)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "hidden", _choices("hidden", self.hidden, _hidden))
        for name, check in (("lr", _positive_float("lr")), ("reg", _nonnegative_float("reg"))):
            value = getattr(self, name)
            if not isinstance(value, LogUniform):
                set_(self, name, _choices(name, value, check))
        set_(self, "batch_size", _choices("batch_size", self.batch_size,
                                          _positive_int("batch_size")))
        set_(self, "optimizer", _choices("optimizer", self.optimizer, _optimizer))
        set_(self, "epochs", _choices("epochs", self.epochs, _positive_int("epochs")))

    @classmethod
    def default_grid(cls) -> SearchSpace:
        """The grid of ``numpynn search --mode grid``: 2 x 3 x 3 = 18 trials."""
        return cls(hidden=((128,), (512,)), lr=(3e-4, 1e-3, 3e-3), reg=(1e-5, 1e-4, 1e-3),
                   batch_size=(64,), optimizer=("adam",), epochs=(30,))

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """One random configuration (fixed draw order: the same rng gives the same one)."""
        out: dict[str, Any] = {}
        for name in PARAMS:
            dim = getattr(self, name)
            if isinstance(dim, LogUniform):
                out[name] = dim.sample(rng)
            else:
                out[name] = dim[int(rng.integers(len(dim)))]
        out["hidden"] = list(out["hidden"])
        return out

    def grid(self) -> list[dict[str, Any]]:
        """Every combination, in a fixed order (hidden varies slowest)."""
        axes = [getattr(self, n).grid() if isinstance(getattr(self, n), LogUniform)
                else list(getattr(self, n)) for n in PARAMS]
        return [{**dict(zip(PARAMS, combo)), "hidden": list(combo[0])}
                for combo in itertools.product(*axes)]

    def grid_size(self) -> int:
        return math.prod(len(getattr(self, n).grid()) if isinstance(getattr(self, n), LogUniform)
                         else len(getattr(self, n)) for n in PARAMS)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in PARAMS:
            dim = getattr(self, name)
            out[name] = dim.to_json() if isinstance(dim, LogUniform) else [
                list(v) if name == "hidden" else v for v in dim]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SearchSpace:
        kwargs: dict[str, Any] = {}
        for name in PARAMS:
            value = data[name]
            if isinstance(value, Mapping):
                low, high = value["log_uniform"]
                value = LogUniform(low, high, value.get("points", 3))
            kwargs[name] = value
        return cls(**kwargs)


def trial_seeds(seed: int, index: int) -> tuple[np.random.Generator, int]:
    """Trial ``index``'s sampling generator and its training seed, from the search seed."""
    sample_seq, train_seq = np.random.SeedSequence(seed, spawn_key=(index,)).spawn(2)
    return np.random.default_rng(sample_seq), int(train_seq.generate_state(1)[0])


def trial_plan(space: SearchSpace, mode: str = "random", trials: int | None = 40,
               seed: int = 0) -> list[dict[str, Any]]:
    """The trials of a search: ``{"trial": i, "seed": s, "hidden": [...], "lr": ...}``.

    random: ``trials`` samples; trial i depends only on (seed, i). grid: every
    combination of ``space`` (``trials`` must be None).
    """
    if mode not in MODES:
        raise InputError(f"mode must be 'random' or 'grid'; got {mode!r}.")
    if mode == "random":
        if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
            raise InputError(f"trials must be a positive integer; got {trials!r}.")
        plan = []
        for i in range(trials):
            rng, train_seed = trial_seeds(seed, i)
            plan.append({"trial": i, "seed": train_seed, **space.sample(rng)})
        return plan
    if trials is not None:
        raise InputError(f"a grid search runs every combination ({space.grid_size()} here); "
                         "--trials is for random search: drop it or use --mode random.")
    return [{"trial": i, "seed": trial_seeds(seed, i)[1], **params}
            for i, params in enumerate(space.grid())]


# ------------------------------------------------------------------------------ trials
_SPLITS_CACHE: dict[str, Splits] = {}


def _data_key(options: RunOptions) -> str:
    o = options
    return json.dumps([o.data, o.label_column, o.preprocessing, o.val_fraction,
                       o.test_fraction, o.dtype, o.train.seed])


def data_fingerprint(splits: Splits) -> str:
    """SHA-1 of the training and validation arrays: equal on every machine that reads the
    same data."""
    digest = hashlib.sha1()
    for a in (splits.X_train, splits.y_train, splits.X_val, splits.y_val):
        digest.update(f"{a.dtype.str}{a.shape}".encode())
        digest.update(np.ascontiguousarray(a).data)
    return digest.hexdigest()


def _splits(options: RunOptions, fingerprint: str | None = None) -> Splits:
    """The search's splits, loaded once per process (workers keep them between trials).

    fingerprint: the client's :func:`data_fingerprint`; a worker that reads other data
    (another file at the same path) raises instead of producing incomparable results.
    """
    key = _data_key(options) + (fingerprint or "")
    if key not in _SPLITS_CACHE:
        splits = prepare_splits(options)
        if fingerprint is not None and data_fingerprint(splits) != fingerprint:
            raise InputError(
                f"this worker ({socket.gethostname()}) reads other data from {options.data} "
                "than the client did; give every worker the same data at the same path."
            )
        _SPLITS_CACHE.clear()
        _SPLITS_CACHE[key] = splits
    return _SPLITS_CACHE[key]


def trial_options(base: RunOptions, trial: Mapping[str, Any]) -> RunOptions:
    """``base`` with the trial's hyper-parameters (train.seed stays the split seed)."""
    train = replace(base.train, lr=float(trial["lr"]), batch_size=int(trial["batch_size"]),
                    optimizer=str(trial["optimizer"]), epochs=int(trial["epochs"]))
    return replace(base, hidden=list(trial["hidden"]), reg=float(trial["reg"]), train=train)


def _train(options: RunOptions, splits: Splits, seed: int) -> tuple[MLP, Trainer, str]:
    """Train the trial network: init and shuffling from ``seed``, on the given splits."""
    model = MLP(splits.X_train.shape[1], options.hidden, splits.dataset.n_classes,
                weight_scale=options.weight_scale, reg=options.reg, dtype=options.dtype,
                seed=seed)
    config = replace(options.train, seed=seed)
    trainer = Trainer(model, splits.X_train, splits.y_train, splits.X_val, splits.y_val,
                      config=config)
    status = "ok"
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            trainer.train()
        except DivergenceError:
            status = "diverged"
    return model, trainer, status


def _where() -> tuple[str, int, str]:
    worker = "local"
    distributed = sys.modules.get("distributed")
    if distributed is not None:
        try:
            worker = distributed.get_worker().address
        except ValueError:
            pass
    return worker, os.getpid(), socket.gethostname()


def _blas_one_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def run_trial(base: RunOptions, trial: Mapping[str, Any],
              fingerprint: str | None = None) -> dict[str, Any]:
    """Train and validate one trial; returns its result row (never raises for the trial's
    own failures: divergence or errors are recorded in ``status``).

    base: the search's options (``train.seed`` is the split seed); trial: a
    :func:`trial_plan` entry; fingerprint: the client's :func:`data_fingerprint`, checked
    when the data is loaded.
    """
    started = time.perf_counter()
    row: dict[str, Any] = {"trial": int(trial["trial"]), "seed": int(trial["seed"]),
                           **{k: trial[k] for k in PARAMS}}
    row["hidden"] = list(row["hidden"])
    try:
        with _blas_one_thread():
            splits = _splits(base, fingerprint)
            _, trainer, status = _train(trial_options(base, trial), splits, row["seed"])
        h = trainer.history
        best = h.best_epoch
        ok = status == "ok" and best >= 1
        row |= {
            "status": status,
            "val_acc": float(h.val_acc[best - 1]) if ok else None,
            "val_loss": float(h.val_loss[best - 1]) if ok else None,
            "train_acc": float(h.train_acc[best - 1]) if ok else None,
            "best_epoch": int(best) if ok else None,
            "epochs_run": len(h.epochs),
        }
    except Exception as exc:  # a trial must not bring the search down
        row |= {"status": f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
                "val_acc": None, "val_loss": None, "train_acc": None, "best_epoch": None,
                "epochs_run": 0}
    worker, pid, host = _where()
    row |= {"seconds": round(time.perf_counter() - started, 3), "worker": worker, "pid": pid,
            "host": host}
    return row


# ------------------------------------------------------------------------------ results
def _rank_key(row: Mapping[str, Any]) -> tuple:
    ok = row.get("status") == "ok" and row.get("val_acc") is not None
    return (not ok, -(row["val_acc"] or 0.0) if ok else 0.0,
            row["val_loss"] if ok else 0.0, row["trial"])


def ranked(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows sorted by validation accuracy (then loss, then trial number), with ``rank``."""
    out = [dict(r) for r in sorted(rows, key=_rank_key)]
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out


def deterministic(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows without the columns that depend on where/how fast trials ran."""
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in rows]


def read_trials(path: str | Path) -> list[dict[str, Any]]:
    """The finished trials in a ``trials.jsonl`` file (a torn last line is skipped)."""
    path = Path(path)
    rows: dict[int, dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # the write of a killed search's last trial
        if isinstance(row, dict) and isinstance(row.get("trial"), int):
            rows[row["trial"]] = row
    return [rows[i] for i in sorted(rows)]


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def _hidden_text(hidden: Sequence[int]) -> str:
    return ",".join(str(h) for h in hidden)


def format_table(rows: Sequence[Mapping[str, Any]], limit: int | None = None) -> str:
    """The ranked rows as a text table (``limit``: at most that many rows)."""
    head = (f"{'rank':>4} {'trial':>5} {'val acc':>8} {'val loss':>8} {'hidden':<12} "
            f"{'lr':>9} {'reg':>9} {'batch':>5} {'optimizer':<9} {'epochs':>6} {'best':>4} "
            f"{'time':>6}  worker")
    lines = [head, "-" * len(head)]
    shown = rows if limit is None else rows[:limit]
    for r in shown:
        acc = f"{100 * r['val_acc']:.2f}%" if r.get("val_acc") is not None else r["status"][:8]
        lines.append(
            f"{r['rank']:>4} {r['trial']:>5} {acc:>8} {_fmt(r.get('val_loss'), '.4f'):>8} "
            f"{_hidden_text(r['hidden']):<12} {r['lr']:>9.3g} {r['reg']:>9.3g} "
            f"{r['batch_size']:>5} {r['optimizer']:<9} {r['epochs']:>6} "
            f"{_fmt(r.get('best_epoch')):>4} {r['seconds']:>5.1f}s  {r['worker']}"
        )
    if limit is not None and len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows in {RESULTS_CSV}")
    return "\n".join(lines)


def _csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({**{k: ("" if v is None else v) for k, v in r.items()},
                         "hidden": _hidden_text(r["hidden"])})
    return buf.getvalue()


class _TrialLog:
    """Append-only trials.jsonl: each finished trial is on disk before the next is awaited."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())

    def append(self, row: Mapping[str, Any]) -> None:
        self.fh.write(json.dumps(row, sort_keys=True) + "\n")
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()


# ------------------------------------------------------------------------------ search
@dataclass
class SearchResult:
    """rows: every trial, ranked (best first); best: the best row; metrics: the retrained
    best model's train/val/test accuracy and loss; paths: the files written."""

    rows: list[dict[str, Any]]
    best: dict[str, Any] | None
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    saved: SavedModel | None = None
    seconds: float = 0.0
    backend: str = ""
    paths: dict[str, Path] = field(default_factory=dict)


def _absolute_spec(spec: str) -> str:
    """Data specs with paths made absolute, so that workers elsewhere read the same files."""
    for prefix in ("cifar10:", "mnist:"):
        if spec.lower().startswith(prefix):
            rest = spec[len(prefix):]
            return spec[: len(prefix)] + (os.path.abspath(os.path.expanduser(rest))
                                          if rest else rest)
    if spec.lower().endswith((".csv", ".npz")):
        return os.path.abspath(os.path.expanduser(spec))
    return spec


_SCHEDULER_RE = re.compile(r"^(?:(tcp|tls|ws|wss|ucx|inproc)://)?\[?[\w.\-:]+\]?:\d{1,5}/?$")


def check_scheduler(address: str) -> str:
    """A Dask scheduler address like ``tcp://10.0.0.5:8786`` (InputError otherwise)."""
    if not isinstance(address, str) or not _SCHEDULER_RE.match(address.strip()):
        raise InputError(f"--scheduler must be a Dask scheduler address like "
                         f"tcp://HOST:8786; got {address!r}.")
    return address.strip()


def _connect(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'numpynn[dask]' (dask[distributed]) "
                         "here and on the workers.") from None
    try:
        return Client(check_scheduler(scheduler), timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot connect to the Dask scheduler at {scheduler} "
                         f"({' '.join(str(exc).split())[:200]}); start one with 'dask scheduler' "
                         "and workers with 'dask worker ADDRESS'.") from None


def _execute(base: RunOptions, plan: Sequence[Mapping[str, Any]], jobs: int,
             client: Any, fingerprint: str) -> Iterator[dict[str, Any]]:
    """Run the trials; yield each row as soon as its trial finishes (any order)."""
    from joblib import Parallel, delayed, parallel_config

    tasks = (delayed(run_trial)(base, trial, fingerprint) for trial in plan)
    if client is not None:
        with parallel_config(backend="dask", client=client):
            yield from Parallel(return_as="generator_unordered", batch_size=1)(tasks)
    else:
        yield from Parallel(n_jobs=jobs, return_as="generator_unordered")(tasks)


def _settings(base: RunOptions, space: SearchSpace, mode: str, trials: int | None,
              seed: int) -> dict[str, Any]:
    return {"format": "numpynn-search", "version": 1, "mode": mode, "trials": trials,
            "seed": seed, "space": space.to_json(), "options": base.to_dict()}


def load_settings(out: str | Path) -> dict[str, Any]:
    """The settings of the search in ``out`` (for resuming it), checked."""
    path = Path(out) / SETTINGS_FILE
    if not path.exists():
        raise InputError(f"no search to resume in {out} (expected {path}); start one with "
                         "'numpynn search --out DIR'.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != "numpynn-search":
            raise ValueError("not a numpynn search settings file")
        SearchSpace.from_json(data["space"])
        RunOptions.from_dict(data["options"])
        return data
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path} is damaged or not a numpynn search ({exc}); start a new "
                         "search in another directory.") from None


def search(
    options: RunOptions | None = None,
    space: SearchSpace | None = None,
    *,
    mode: str = "random",
    trials: int | None = None,
    seed: int = 0,
    jobs: int = 1,
    out: str | Path | None = "numpynn-search",
    client: Any = None,
    scheduler: str | None = None,
    resume: bool = False,
    retrain: bool = True,
    report: bool = True,
    on_trial: Callable[[dict[str, Any], int, int], None] | None = None,
) -> SearchResult:
    """Run a hyper-parameter search and return its ranked results.

    options: what ``numpynn train`` would use besides the searched parameters (data spec,
    preprocessing, split fractions, dtype, weight_scale, schedule, patience...); default
    ``RunOptions()`` (digits). space: default :class:`SearchSpace` (random) or
    :meth:`SearchSpace.default_grid` (grid). trials: random mode, default 40; must be None
    for a grid. seed: the split and every trial's seed. jobs: parallel local processes
    (joblib ``n_jobs``; -1 all cores). client / scheduler: a ``dask.distributed.Client``,
    or a scheduler address to connect to: the trials then run on the cluster (``jobs`` is
    not used). out: output directory (None: write nothing, no retraining). resume:
    continue the search in ``out`` (same settings), running only unfinished trials.
    retrain: train the best configuration again and save it in ``out/best``. on_trial:
    called as ``on_trial(row, done, total)`` after each finished trial.
    """
    started = time.perf_counter()
    if mode not in MODES:
        raise InputError(f"mode must be 'random' or 'grid'; got {mode!r}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be an integer >= 0; got {seed!r}.")
    seed = int(seed)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs == 0 or jobs < -1:
        raise InputError(f"jobs must be a positive integer or -1 (all cores); got {jobs!r}.")
    if client is not None and scheduler is not None:
        raise InputError("give a Dask client or a scheduler address, not both.")
    if scheduler is not None:
        scheduler = check_scheduler(scheduler)
    if space is None:
        space = SearchSpace.default_grid() if mode == "grid" else SearchSpace()
    if trials is None and mode == "random":
        trials = 40
    base = options if options is not None else RunOptions()
    base = replace(base, data=_absolute_spec(str(base.data)),
                   train=replace(base.train, seed=seed))
    if not base.val_fraction > 0:
        raise InputError("a search ranks trials on the validation split: val_fraction must be "
                         f"above 0; got {base.val_fraction}.")
    plan = trial_plan(space, mode, trials, seed)
    settings = _settings(base, space, mode, trials, seed)

    splits = prepare_splits(base)  # check the data here, with a clear error, before the pool
    fingerprint = data_fingerprint(splits)
    _SPLITS_CACHE.clear()
    _SPLITS_CACHE[_data_key(base) + fingerprint] = splits

    out_dir = Path(out) if out is not None else None
    finished: list[dict[str, Any]] = []
    if out_dir is not None:
        finished = _prepare_out(out_dir, settings, resume)
    done_ids = {r["trial"] for r in finished}
    todo = [t for t in plan if t["trial"] not in done_ids]
    rows = [r for r in finished if r["trial"] < len(plan)]

    own_client = None
    if scheduler is not None:
        own_client = client = _connect(scheduler)
    backend = _backend_name(client, jobs)
    log = _TrialLog(out_dir / TRIALS_FILE) if out_dir is not None else None
    try:
        if todo:
            try:
                for row in _execute(base, todo, jobs, client, fingerprint):
                    rows.append(row)
                    if log is not None:
                        log.append(row)
                        _write_summary(out_dir, ranked(rows), settings)
                    if on_trial is not None:
                        on_trial(row, len(rows), len(plan))
            except ModuleNotFoundError as exc:
                if client is not None and (exc.name or "").startswith("numpynn"):
                    raise SearchError("the Dask workers cannot import numpynn; install it on "
                                      "every worker (pip install numpynn).") from None
                raise
    finally:
        if log is not None:
            log.close()
        if own_client is not None:
            own_client.close()

    result = SearchResult(ranked(rows), None, backend=backend)
    if out_dir is not None:
        result.paths.update(_write_summary(out_dir, result.rows, settings))
    ok = [r for r in result.rows if r["status"] == "ok"]
    if not ok:
        first = result.rows[0]["status"] if result.rows else "no trials ran"
        raise SearchError(f"every trial failed ({len(result.rows)} trials; first: {first}).")
    result.best = ok[0]
    if out_dir is not None:
        result.paths.update(_plot(out_dir, result.rows))
        if retrain:
            saved, metrics, paths = retrain_best(base, result.best, splits, out_dir / BEST_DIR,
                                                 settings, report=report)
            result.saved, result.metrics = saved, metrics
            result.paths.update(paths)
    result.seconds = time.perf_counter() - started
    return result


def _backend_name(client: Any, jobs: int) -> str:
    if client is None:
        return f"local, {jobs if jobs > 0 else os.cpu_count()} process(es)"
    try:
        workers = client.scheduler_info().get("workers", {})
        threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        return f"dask {client.scheduler.address}, {len(workers)} workers, {threads} threads"
    except Exception:  # pragma: no cover - informational only
        return "dask"


def _prepare_out(out_dir: Path, settings: Mapping[str, Any], resume: bool) -> list[dict]:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is a file; give a directory for the search's outputs.")
    trials_path = out_dir / TRIALS_FILE
    existing = read_trials(trials_path)
    if resume:
        stored = load_settings(out_dir)
        if {k: v for k, v in stored.items() if k != "trials"} != {
                k: v for k, v in json.loads(json.dumps(settings)).items() if k != "trials"}:
            raise InputError(f"the search in {out_dir} has other settings; resume it with its "
                             "own settings (numpynn search --resume DIR) or use another --out.")
    elif trials_path.exists() or (out_dir / SETTINGS_FILE).exists():
        raise InputError(f"{out_dir} already holds a search ({len(existing)} finished trials); "
                         f"continue it with --resume {out_dir} or choose another --out.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output directory {out_dir} "
                         f"({exc.strerror or exc}); choose another --out.") from None
    write_json_atomic(out_dir / SETTINGS_FILE, settings)
    return existing


def _write_summary(out_dir: Path, rows: list[dict[str, Any]],
                   settings: Mapping[str, Any]) -> dict[str, Path]:
    best = next((r for r in rows if r["status"] == "ok"), None)
    return {
        "csv": write_text_atomic(out_dir / RESULTS_CSV, _csv_text(rows)),
        "json": write_json_atomic(out_dir / RESULTS_JSON,
                                  {"search": settings, "finished": len(rows), "best": best,
                                   "trials": rows}),
        "trials": out_dir / TRIALS_FILE,
    }


def _plot(out_dir: Path, rows: Sequence[Mapping[str, Any]]) -> dict[str, Path]:
    from .report import plot_search

    points = [{"lr": r["lr"], "reg": r["reg"],
               "val_acc": r["val_acc"] if r["val_acc"] is not None else float("nan")}
              for r in rows]
    return {"plot": plot_search(points, out_dir / PLOT_FILE)}


def retrain_best(base: RunOptions, best: Mapping[str, Any], splits: Splits, out_dir: Path,
                 settings: Mapping[str, Any], report: bool = True
                 ) -> tuple[SavedModel, dict[str, dict[str, float]], dict[str, Path]]:
    """Train the best trial's configuration again (its seed, the search's split) and save it
    as ``out_dir/model.npz`` (+ history.json, report.html), like ``numpynn train``."""
    options = trial_options(base, best)
    started = time.perf_counter()
    with _blas_one_thread():
        model, trainer, status = _train(options, splits, int(best["seed"]))
    if status != "ok":
        raise SearchError(f"retraining the best trial {best['trial']} diverged although the "
                          "trial did not; the search's results are in the table.")
    seconds = time.perf_counter() - started
    saved, metrics, _, paths = save_run(
        out_dir, options, splits, model, trainer.history, seconds, report=report,
        title=f"numpynn search: best of {options.data}",
        # train.seed is the split's seed (numpynn evaluate re-creates the split with it);
        # the network was initialised and shuffled with init_seed, the trial's seed.
        extra_metadata={
            "init_seed": int(best["seed"]),
            "search": {"trial": best["trial"], "seed": settings["seed"],
                       "mode": settings["mode"], "val_acc": best["val_acc"]},
        },
        extra_details={"trial": best["trial"], "seed": best["seed"]},
    )
    return saved, metrics, paths
