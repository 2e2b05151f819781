"""numpynn: a small, fast, correct neural-network library on NumPy.

The public names below are imported on first use (PEP 562), so that ``import numpynn``
and the command line start at once: scikit-learn, SciPy and matplotlib load only when a
part that needs them is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.3.0"

#: public name -> the module that defines it
_PUBLIC: dict[str, str] = {
    "MLP": ".models",
    "Network": ".models",
    "TwoLayerNet": ".cs231n.two_layer_net",
    "Solver": ".cs231n.solver",
    "History": ".training.trainer",
    "TrainConfig": ".training.trainer",
    "Trainer": ".training.trainer",
    "MLPClassifier": ".sklearn.classifier",
    "MLPRegressor": ".sklearn.regressor",
    "explain": ".explanation",
}

__all__ = ["MLP", "History", "MLPClassifier", "MLPRegressor", "Network", "Solver",
           "TrainConfig", "Trainer", "TwoLayerNet", "__version__", "explain"]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


if TYPE_CHECKING:  # for type checkers and IDEs: the names above, eagerly
    from .cs231n.solver import Solver
    from .cs231n.two_layer_net import TwoLayerNet
    from .explanation import explain
    from .models import MLP, Network
    from .sklearn.classifier import MLPClassifier
    from .sklearn.regressor import MLPRegressor
    from .training.trainer import History, TrainConfig, Trainer
