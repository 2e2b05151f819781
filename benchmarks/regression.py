#!/usr/bin/env python
"""numpynn's default regression against scikit-learn's MLPRegressor, side by side.

For each data set and seed, both see the same split (``train_test_split(test_size=0.2,
random_state=seed)``) and are scored by R^2 on the same test rows:

* scikit-learn: ``make_pipeline(StandardScaler(), MLPRegressor(random_state=seed))``
  (all of MLPRegressor's defaults: 100 ReLU units, Adam lr 1e-3, batch 200, up to 200
  epochs, tol-based stopping; y not scaled);
* numpynn: what ``numpynn train --task regression`` does with its default options
  (:class:`numpynn.experiment.RunOptions` defaults with
  :data:`numpynn.regression_run.REGRESSION_DEFAULTS`): 10% of the training rows held out
  (random), features standardised and targets standardised on the rest, the network of
  :func:`numpynn.regression_run.build_regression_model`, the Trainer's default run, the
  epoch with the best validation R^2 kept (:func:`numpynn.regression_run.train_regression`).

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

from numpynn.experiment import RunOptions  # noqa: E402
from numpynn.regression_run import (  # noqa: E402
    random_split,
    splits_from_arrays,
    train_regression,
    with_regression_defaults,
)


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
    options = with_regression_defaults(RunOptions(data="benchmark", task="regression"))
    options.train.seed = seed
    started = time.perf_counter()
    tr, va, _ = random_split(X_tr.shape[0], options.val_fraction, 0.0, seed)
    splits = splits_from_arrays(X_tr[tr], y_tr[tr], X_tr[va], y_tr[va], X_te,
                                np.zeros(len(X_te)), options)
    model, history = train_regression(splits, options)
    seconds = time.perf_counter() - started
    pred = splits.scaler.inverse_transform(model.forward(splits.X_test))[:, 0]
    return pred, seconds


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
