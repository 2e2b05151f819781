"""numpynn.MLPClassifier's defaults (100 units, Glorot) against the old ones (256 units,
He): 10 stratified 75/25 splits of iris, wine and breast cancer, test accuracy mean / min.

    python benchmarks/estimator_defaults.py
"""

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sklearn.datasets import load_breast_cancer, load_iris, load_wine  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from numpynn import MLPClassifier  # noqa: E402

CONFIGS = {
    "old (256, He)": {"hidden_layer_sizes": (256,), "weight_scale": "auto"},
    "new (100, Glorot)": {"hidden_layer_sizes": (100,), "weight_scale": "glorot"},
}
TABLES = (("iris", load_iris), ("wine", load_wine), ("breast_cancer", load_breast_cancer))


def main(seeds: int = 10) -> None:
    warnings.simplefilter("ignore")  # ConvergenceWarning of the 200-epoch cap
    for name, loader in TABLES:
        X, y = loader(return_X_y=True)
        for label, kwargs in CONFIGS.items():
            accs = []
            for seed in range(seeds):
                X_tr, X_te, y_tr, y_te = train_test_split(
                    X, y, test_size=0.25, stratify=y, random_state=seed)
                clf = make_pipeline(StandardScaler(),
                                    MLPClassifier(random_state=seed, **kwargs))
                accs.append(100 * clf.fit(X_tr, y_tr).score(X_te, y_te))
            print(f"{name:14s} {label:18s} mean {np.mean(accs):.2f} min {np.min(accs):.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
