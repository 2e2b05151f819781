"""Defaults measured: ``numpynn train`` as a new user runs it vs scikit-learn's defaults.

For every data set and seed the rows are split once (stratified, 75% train / 25% test)
and written to ``train.csv`` / ``test.csv`` with a header row and string class names, as
a user would have them. Both sides see exactly these rows:

* numpynn: ``numpynn.runs.run.run_training(RunOptions(data="train.csv"))`` (what
  ``numpynn train --data train.csv`` runs, minus argparse and printing; its own
  validation split comes out of train.csv and is part of the defaults measured), then the
  saved model is scored on ``test.csv`` as ``numpynn evaluate model.npz --data test.csv
  --split all`` does (``evaluation_data`` + ``evaluate``).
* scikit-learn: ``make_pipeline(StandardScaler(), MLPClassifier())`` with all defaults
  (``early_stopping=False``: it trains on all of train.csv), fitted on train.csv and
  scored on test.csv.

The imbalanced table is scored with balanced accuracy (mean per-class recall), the others
with accuracy. The bar (issue 11): numpynn's mean >= scikit-learn's mean - 0.5 points and
its min >= scikit-learn's min - 2 points, on every data set.

    python benchmarks/defaults.py                # 10 seeds, all six data sets
    python benchmarks/defaults.py --quick        # 3 seeds, iris/wine/breast cancer
    python benchmarks/defaults.py --data wine --seeds 2 --set select=accuracy
    python benchmarks/defaults.py --quick --seeds 10 --inits 5  # verdict vs initial weights

``--set FIELD=VALUE`` overrides a RunOptions field (or a TrainConfig field: epochs, lr,
select, ...) to measure other defaults; the table says which were set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per worker process

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from numpynn.evaluation import evaluate  # noqa: E402
from numpynn.model_file import load_model  # noqa: E402
from numpynn.runs.run import RunOptions, evaluation_data, run_training  # noqa: E402
from numpynn.training.trainer import TrainConfig  # noqa: E402


@dataclass
class Table:
    """A data set as a user has it: feature names, rows, string class names."""

    name: str
    columns: list[str]
    X: np.ndarray
    labels: np.ndarray  # (N,) str
    balanced: bool = False  # score with balanced accuracy


def _sklearn_table(name: str, loader: Callable, names: Callable[[object], list[str]]) -> Table:
    bunch = loader()
    classes = names(bunch)
    columns = [str(c).replace(" ", "_") for c in bunch.feature_names]
    return Table(name, columns, np.asarray(bunch.data, dtype=np.float64),
                 np.asarray(classes, dtype=object)[bunch.target].astype(str))


def _synthetic(name: str, balanced: bool, **kwargs: object) -> Table:
    from sklearn.datasets import make_classification

    X, y = make_classification(random_state=0, **kwargs)
    columns = [f"x{i}" for i in range(X.shape[1])]
    classes = np.array(["negative", "positive"] if balanced else
                       [f"group_{chr(ord('a') + i)}" for i in range(int(y.max()) + 1)])
    return Table(name, columns, X, classes[y], balanced=balanced)


def load_tables() -> dict[str, Callable[[], Table]]:
    from sklearn import datasets as skd

    return {
        "iris": lambda: _sklearn_table("iris", skd.load_iris, lambda b: list(b.target_names)),
        "wine": lambda: _sklearn_table("wine", skd.load_wine, lambda b: list(b.target_names)),
        "breast_cancer": lambda: _sklearn_table(
            "breast_cancer", skd.load_breast_cancer, lambda b: list(b.target_names)),
        "digits": lambda: _sklearn_table(
            "digits", skd.load_digits,
            lambda b: ["zero", "one", "two", "three", "four", "five", "six", "seven",
                       "eight", "nine"]),
        "imbalanced": lambda: _synthetic(
            "imbalanced", True, n_samples=2000, n_features=20, n_informative=6,
            n_redundant=4, weights=[0.9, 0.1], flip_y=0.02),
        "wide": lambda: _synthetic(
            "wide", False, n_samples=6000, n_features=60, n_informative=20,
            n_redundant=10, n_classes=4, n_clusters_per_class=2, flip_y=0.02),
    }


ALL = ("iris", "wine", "breast_cancer", "digits", "imbalanced", "wide")
QUICK = ("iris", "wine", "breast_cancer")


def write_csv(path: Path, table: Table, rows: np.ndarray) -> None:
    """Header row, features with repr-exact floats, the class name last (column 'class')."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join([*table.columns, "class"]) + "\n")
        for i in rows:
            fh.write(",".join(repr(float(v)) for v in table.X[i]) + f",{table.labels[i]}\n")


def score(y_true: np.ndarray, y_pred: np.ndarray, balanced: bool) -> float:
    if not balanced:
        return float(np.mean(y_true == y_pred))
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]))


def run_numpynn(train_csv: Path, test_csv: Path, out: Path, overrides: dict[str, object],
                seed: int, balanced: bool) -> tuple[float, float, dict[str, object]]:
    """numpynn train defaults on train.csv, scored on test.csv; (score, seconds, info)."""
    opts = RunOptions(data=str(train_csv))
    train_fields = {f.name for f in fields(TrainConfig)}
    run_fields = {k: v for k, v in overrides.items() if k not in train_fields}
    train_over = {k: v for k, v in overrides.items() if k in train_fields}
    opts = replace(opts, **run_fields, train=replace(opts.train, seed=seed, **train_over))
    started = time.perf_counter()
    result = run_training(opts, out, report=False)
    seconds = time.perf_counter() - started
    saved = load_model(out / "model.npz")
    X, y, _ = evaluation_data(saved, str(test_csv), "all")
    ev = evaluate(saved.model, saved.transform(X), y)
    value = float(np.mean(ev.recall[ev.support > 0])) if balanced else ev.accuracy
    h = result.history
    return value, seconds, {"best_epoch": h.best_epoch, "epochs_run": len(h.epochs)}


def run_sklearn(train_csv: Path, test_csv: Path, seed: int, balanced: bool
                ) -> tuple[float, float]:
    """make_pipeline(StandardScaler(), MLPClassifier()) with its defaults."""
    import pandas as pd
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train, test = pd.read_csv(train_csv), pd.read_csv(test_csv)
    started = time.perf_counter()
    model = make_pipeline(StandardScaler(), MLPClassifier(random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(train.drop(columns="class"), train["class"])
    seconds = time.perf_counter() - started
    pred = model.predict(test.drop(columns="class"))
    return score(test["class"].to_numpy(), pred, balanced), seconds


#: initialisation set k seeds both sides' weights (and numpynn's shuffling) with
#: seed + INIT_STRIDE * k; set 0 is the table's own (seed itself)
INIT_STRIDE = 1000


def one_seed(name: str, seed: int, overrides: dict[str, object], sides: tuple[str, ...],
             init: int = 0) -> dict[str, object]:
    """Split ``name`` with ``seed``, write the CSVs, run both sides with the initial weights
    of initialisation set ``init``; a result row."""
    from sklearn.model_selection import train_test_split

    table = load_tables()[name]()
    rows = np.arange(table.labels.shape[0])
    train_rows, test_rows = train_test_split(rows, test_size=0.25, random_state=seed,
                                             stratify=table.labels)
    row: dict[str, object] = {"data": name, "seed": seed, "rows": len(rows),
                              "features": table.X.shape[1],
                              "classes": len(np.unique(table.labels)),
                              "balanced": table.balanced, "init": init}
    model_seed = seed + INIT_STRIDE * init
    with tempfile.TemporaryDirectory(prefix=f"numpynn-defaults-{name}-") as tmp:
        train_csv, test_csv = Path(tmp) / "train.csv", Path(tmp) / "test.csv"
        write_csv(train_csv, table, train_rows)
        write_csv(test_csv, table, test_rows)
        if "numpynn" in sides:
            value, seconds, info = run_numpynn(train_csv, test_csv, Path(tmp) / "run",
                                               overrides, model_seed, table.balanced)
            row |= {"numpynn": value, "numpynn_s": seconds, **info}
        if "sklearn" in sides:
            value, seconds = run_sklearn(train_csv, test_csv, model_seed, table.balanced)
            row |= {"sklearn": value, "sklearn_s": seconds}
    return row


def bar_met(mine: tuple[float, float], theirs: tuple[float, float]) -> bool:
    """Issue 11's bar on (mean, min) in points: mean >= theirs - 0.5, min >= theirs - 2."""
    return mine[0] >= theirs[0] - 0.5 and mine[1] >= theirs[1] - 2.0


def mean_min(rows: list[dict[str, object]], side: str) -> tuple[float, float]:
    values = [100 * float(r[side]) for r in rows]
    return float(np.mean(values)), float(np.min(values))


def summarise_inits(rows: list[dict[str, object]], names: list[str], n_inits: int) -> str:
    """How much the bar's verdict depends on the initial weights: the table redone with
    each initialisation set, and scikit-learn's sets judged against each other."""
    lines = ["| data set | numpynn mean / min per initialisation set | scikit-learn mean / "
             "min per set | numpynn meets the bar (set k vs scikit-learn's set k) | "
             "scikit-learn set j meets the bar set by its set k (j != k) |",
             "|---|---|---|---|---|"]
    for name in names:
        per_set = {side: [mean_min([r for r in rows if r["data"] == name
                                    and r["init"] == k], side) for k in range(n_inits)]
                   for side in ("numpynn", "sklearn")}
        ours = sum(bar_met(a, b) for a, b in zip(per_set["numpynn"], per_set["sklearn"]))
        sk = per_set["sklearn"]
        pairs = [(j, k) for j in range(n_inits) for k in range(n_inits) if j != k]
        theirs = sum(bar_met(sk[j], sk[k]) for j, k in pairs)

        cells = {side: ", ".join(f"{m:.2f} / {lo:.2f}" for m, lo in values)
                 for side, values in per_set.items()}
        lines.append(f"| {name} | {cells['numpynn']} | {cells['sklearn']} | "
                     f"{ours} of {n_inits} | {theirs} of {len(pairs)} |")
    return "\n".join(lines)


def summarise(rows: list[dict[str, object]], names: list[str]) -> tuple[str, bool]:
    """The markdown table and whether the bar is met on every data set."""
    lines = ["| data set (rows x features, classes) | metric | numpynn mean / min | "
             "scikit-learn mean / min | bar met | time per seed numpynn / sklearn |",
             "|---|---|---|---|---|---|"]
    all_ok = True
    for name in names:
        mine = [r for r in rows if r["data"] == name]
        if not mine:
            continue
        first = mine[0]
        metric = "balanced accuracy" if first["balanced"] else "accuracy"
        cells, ok = {}, None
        for side in ("numpynn", "sklearn"):
            vals = [float(r[side]) for r in mine if side in r]
            secs = [float(r[f"{side}_s"]) for r in mine if side in r]
            cells[side] = ((100 * np.mean(vals), 100 * np.min(vals), np.mean(secs))
                           if vals else None)
        if cells["numpynn"] and cells["sklearn"]:
            ok = bar_met(cells["numpynn"][:2], cells["sklearn"][:2])
            all_ok &= ok

        def fmt(c: tuple[float, float, float] | None) -> str:
            return "–" if c is None else f"{c[0]:.2f}% / {c[1]:.2f}%"

        def sec(c: tuple[float, float, float] | None) -> str:
            return "–" if c is None else f"{c[2]:.2f} s"

        lines.append(
            f"| {name} ({first['rows']} x {first['features']}, {first['classes']}) | "
            f"{metric} | {fmt(cells['numpynn'])} | {fmt(cells['sklearn'])} | "
            f"{'–' if ok is None else 'yes' if ok else '**no**'} | "
            f"{sec(cells['numpynn'])} / {sec(cells['sklearn'])} |")
    return "\n".join(lines), all_ok


def parse_override(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE, got {text!r}")
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    return key.strip().replace("-", "_"), parsed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help=f"3 seeds on {', '.join(QUICK)} (unless --seeds/--data say otherwise)")
    p.add_argument("--data", default=None,
                   help=f"comma-separated data sets (default all: {','.join(ALL)})")
    p.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (default 10)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--set", dest="overrides", type=parse_override, action="append",
                   default=[], metavar="FIELD=VALUE",
                   help="measure numpynn with this RunOptions/TrainConfig field changed")
    p.add_argument("--only", choices=("numpynn", "sklearn"), default=None,
                   help="run one side only")
    p.add_argument("--inits", type=int, default=1, metavar="K",
                   help="also run every split with K-1 other initial weights on both sides "
                   f"(set k seeds them with seed + {INIT_STRIDE}*k) and show whether the bar's "
                   "verdict depends on them; the main table stays set 0's")
    p.add_argument("--json", type=Path, default=None, help="also write every row here")
    p.add_argument("--reuse", type=Path, default=None, metavar="JSON",
                   help="with --only: take the other side's rows (same data set and seed) "
                   "from this earlier --json output instead of running it again")
    args = p.parse_args(argv)

    names = (args.data.split(",") if args.data else list(QUICK if args.quick else ALL))
    unknown = [n for n in names if n not in ALL]
    if unknown:
        p.error(f"unknown data set(s) {unknown}; choose from {', '.join(ALL)}")
    n_seeds = args.seeds if args.seeds is not None else (3 if args.quick else 10)
    overrides = dict(args.overrides)
    sides = (args.only,) if args.only else ("numpynn", "sklearn")
    if args.inits < 1:
        p.error(f"--inits must be >= 1; got {args.inits}")
    if args.inits > 1 and args.only:
        p.error("--inits compares both sides; leave out --only")
    tasks = [(name, seed, k) for name in names for seed in range(n_seeds)
             for k in range(args.inits)]
    started = time.perf_counter()
    if args.jobs > 1 and len(tasks) > 1:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=args.jobs)(delayed(one_seed)(n, s, overrides, sides, k)
                                          for n, s, k in tasks)
    else:
        rows = [one_seed(n, s, overrides, sides, k) for n, s, k in tasks]
    if args.reuse is not None:
        if args.only is None:
            p.error("--reuse needs --only (the side to run); the other is read")
        other = "sklearn" if args.only == "numpynn" else "numpynn"
        earlier = {(r["data"], r["seed"]): r for r in json.loads(args.reuse.read_text())
                   if r.get("init", 0) == 0}
        for r in rows:
            old = earlier.get((r["data"], r["seed"]), {})
            r.update({k: old[k] for k in (other, f"{other}_s") if k in old})
    table, ok = summarise([r for r in rows if r["init"] == 0], names)
    print(f"{n_seeds} seeds; numpynn overrides: {overrides or 'none (the defaults)'}; "
          f"{time.perf_counter() - started:.0f} s in all")
    print(table)
    if args.inits > 1:
        print(f"\nThe same splits with {args.inits} initialisation sets on both sides:")
        print(summarise_inits(rows, names, args.inits))
    for name in names:
        kept = [r.get("best_epoch") for r in rows
                if r["data"] == name and "best_epoch" in r and r["init"] == 0]
        if kept:
            print(f"{name}: kept epochs {kept}")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1))
    print("bar met on every data set" if ok else "bar NOT met on every data set")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
