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
    "load_model": ".model_file",
}

#: names a user reaches for at the top (``numpynn.load_model``, ``numpynn.train``, as other
#: libraries have them) -> where numpynn keeps them, said by the AttributeError
_ELSEWHERE: dict[str, str] = {
    "save_model": "from numpynn.model_file import save_model",
    "RunOptions": "from numpynn.runs.run import RunOptions",
    "run_training": "from numpynn.runs.run import run_training",
    "train": ("numpynn train's Python form is from numpynn.runs.run import RunOptions, "
              "run_training; run_training(RunOptions(data='wine.csv'), 'runs/wine'); for "
              "arrays in memory, numpynn.MLPClassifier().fit(X, y)"),
    "fit": "for arrays in memory: numpynn.MLPClassifier().fit(X, y) (or MLPRegressor)",
    "predict": ("from numpynn.model_file import load_model; load_model('run/model.npz')"
                ".predict(X)"),
    "evaluate": "from numpynn.evaluation import evaluate",
    "SearchSpace": "from numpynn.search import SearchSpace",
    "LogUniform": "from numpynn.search import LogUniform",
}

__all__ = ["MLP", "History", "MLPClassifier", "MLPRegressor", "Network", "Solver",
           "TrainConfig", "Trainer", "TwoLayerNet", "__version__", "explain", "load_model"]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        where = f": {_ELSEWHERE[name]}" if name in _ELSEWHERE else ""
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}{where}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


if TYPE_CHECKING:  # for type checkers and IDEs: the names above, eagerly
    from .cs231n.solver import Solver
    from .cs231n.two_layer_net import TwoLayerNet
    from .explanation import explain
    from .model_file import load_model
    from .models import MLP, Network
    from .sklearn.classifier import MLPClassifier
    from .sklearn.regressor import MLPRegressor
    from .training.trainer import History, TrainConfig, Trainer
