"""numpynn.MLPClassifier on scikit-learn's digits in 5-fold cross-validation, the figure
the README's estimator section rests on (about 50 s on 2 cores: a benchmark, not a unit
test; ``tests/`` runs it under the ``slow`` marker).

    python benchmarks/digits_cv.py          # prints both cross-validations, exits 1 if
                                            # a mean is under its bar (0.98 / 0.95)
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from numpynn import MLPClassifier  # noqa: E402

#: the README's settings for digits: a long, constant-rate Adam run (tol=0, no early stop)
#: generalises best to the unshuffled folds, whose writers differ from the training ones
DIGITS_SETTINGS = dict(hidden_layer_sizes=(512,), batch_size=100, reg=1e-4, max_iter=400,
                       tol=0.0, weight_scale="he", random_state=0)
#: the bars: shuffled stratified folds, and scikit-learn's plain cv=5 (ordered folds)
BARS = {"shuffled": 0.98, "plain": 0.95}


def scale_pixels(X: np.ndarray) -> np.ndarray:
    """digits' pixels 0..16 to 0..1. X: (N, 64)."""
    return X / 16.0


def cross_validate(n_jobs: int = 2) -> dict[str, np.ndarray]:
    """Fold accuracies of both cross-validations: {'shuffled': (5,), 'plain': (5,)}."""
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(FunctionTransformer(scale_pixels), MLPClassifier(**DIGITS_SETTINGS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the epoch cap
        shuffled = cross_val_score(pipe, X, y, n_jobs=n_jobs,
                                   cv=StratifiedKFold(5, shuffle=True, random_state=0))
        plain = cross_val_score(pipe, X, y, cv=5, n_jobs=n_jobs)
    return {"shuffled": shuffled, "plain": plain}


def main() -> int:
    started = time.perf_counter()
    scores = cross_validate()
    seconds = time.perf_counter() - started
    for name, folds in scores.items():
        print(f"{name:9s} mean {folds.mean():.4f}  folds {np.round(folds, 4)}  "
              f"bar {BARS[name]:.2f}")
    print(f"{seconds:.1f} s")
    return 0 if all(scores[k].mean() >= bar for k, bar in BARS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
