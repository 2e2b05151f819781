"""numpynn: a small, fast, correct neural-network library on NumPy."""

from typing import Any

from .explain import explain
from .models import MLP, Network, TwoLayerNet
from .solver import Solver
from .train import History, TrainConfig, Trainer

__version__ = "0.2.0"
__all__ = ["MLP", "History", "MLPClassifier", "MLPRegressor", "Network", "Solver",
           "TrainConfig", "Trainer", "TwoLayerNet", "__version__", "explain"]


def __getattr__(name: str) -> Any:
    # Imported on first use: scikit-learn's estimator machinery is slow to import and the
    # CLI's train/evaluate/predict commands do not need it.
    if name == "MLPClassifier":
        from .estimator import MLPClassifier

        return MLPClassifier
    if name == "MLPRegressor":
        from .regressor import MLPRegressor

        return MLPRegressor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
