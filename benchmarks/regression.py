#!/usr/bin/env python
"""numpynn's default regression against scikit-learn's MLPRegressor, side by side.

For each data set and seed, both see the same split (``train_test_split(test_size=0.2,
random_state=seed)``) and are scored by R^2 on the same test rows:

* scikit-learn: ``make_pipeline(StandardScaler(), MLPRegressor(random_state=seed))``
  (all of MLPRegressor's defaults: 100 ReLU units, Adam lr 1e-3, batch 200, up to 200
  epochs, tol-based stopping; y not scaled);
* numpynn: ``numpynn train --task regression`` with its default options on the
  training rows (written as a CSV file; :func:`numpynn.runs.run.run_training`, the one
  run every command uses): the epoch count and the L2 strength chosen on held-out rows
  (3-fold cross-validation below 2,000 training rows, else a validation split), then the
  saved model fitted on every training row.

Data sets: ``load_diabetes`` (442 rows, 10 features) and
``make_friedman1(n_samples=5000, noise=1.0, random_state=seed)``. Wall time is the fit
(split/scaling included) on this machine's cores.

Usage::

    python benchmarks/regression.py              # 10 seeds, both data sets
    python benchmarks/regression.py --quick      # 2 seeds, diabetes only
    python benchmarks/regression.py --seeds 3 --datasets friedman1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from numpynn.runs.run import RunOptions, run_training  # noqa: E402


def data(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    if name == "friedman1":
        return make_friedman1(n_samples=5000, noise=1.0, random_state=seed)
    raise SystemExit(f"unknown data set {name!r}; use diabetes or friedman1")


def fit_sklearn(X_tr, y_tr, X_te, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        model = make_pipeline(StandardScaler(), MLPRegressor(random_state=seed))
        model.fit(X_tr, y_tr)
        seconds = time.perf_counter() - started
    return model.predict(X_te), seconds


def fit_numpynn(X_tr, y_tr, X_te, seed):
    """``numpynn train`` on the training rows (a CSV file, task regression), defaults
    otherwise: the one run every command uses (:func:`numpynn.runs.run.run_training`)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.csv"
        X_tr = np.asarray(X_tr, np.float64)
        header = ",".join([f"x{i}" for i in range(X_tr.shape[1])] + ["target"])
        np.savetxt(path, np.c_[X_tr, y_tr], delimiter=",", header=header, comments="",
                   fmt="%.17g")
        options = RunOptions(data=str(path), task="regression", test_fraction=0.0,
                             label_column="target")
        options.train.seed = seed
        started = time.perf_counter()
        result = run_training(options, Path(tmp) / "run", report=False)
        seconds = time.perf_counter() - started
    return result.saved.values(np.asarray(X_te, np.float64))[:, 0], seconds


def run(datasets: list[str], seeds: int) -> list[dict]:
    rows = []
    for name in datasets:
        for seed in range(seeds):
            X, y = data(name, seed)
            X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=seed)
            for tool, fit in (("scikit-learn", fit_sklearn), ("numpynn", fit_numpynn)):
                pred, seconds = fit(X_tr, y_tr, X_te, seed)
                rows.append({"data": name, "seed": seed, "tool": tool,
                             "r2": float(r2_score(y_te, pred)), "seconds": seconds})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| data | tool | R² mean ± sd | R² min | fit seconds (median) |",
             "|---|---|---|---|---|"]
    for name in dict.fromkeys(r["data"] for r in rows):
        for tool in ("scikit-learn", "numpynn"):
            sel = [r for r in rows if r["data"] == name and r["tool"] == tool]
            r2 = np.array([r["r2"] for r in sel])
            sec = np.median([r["seconds"] for r in sel])
            lines.append(f"| {name} ({len(sel)} seeds) | {tool} | {r2.mean():.4f} ± "
                         f"{r2.std():.4f} | {r2.min():.4f} | {sec:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="2 seeds, diabetes only")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--datasets", default="diabetes,friedman1")
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = p.parse_args(argv)
    datasets = ["diabetes"] if args.quick else args.datasets.split(",")
    seeds = 2 if args.quick else args.seeds
    rows = run(datasets, seeds)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
