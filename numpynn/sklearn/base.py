"""``_BaseMLP``: what :class:`numpynn.MLPClassifier` and :class:`numpynn.MLPRegressor`
share: the parameter constraints and checks, the solver configuration, the batch size,
sample weights, the early-stopping split, the training run over
:class:`numpynn.training.trainer.Trainer` and the per-epoch bookkeeping (:class:`_Monitor`).

Each subclass keeps its own ``__init__`` signature (scikit-learn reads the parameters
from it; the defaults differ), its output layer, its targets and its predictions.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import re
import sys
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import _check_sample_weight

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6: the same checks were a BaseEstimator method

    def validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)


from ..data.cells import date_value, number_either_way, number_value
from ..data.labels import is_number
from ..errors import DivergenceError, InputError, UnknownParameterError
from ..memory import check_fits
from ..models import check_activation, check_dropout, check_normalization, check_weight_scale
from ..training.optim import OPTIMIZERS
from ..training.trainer import Callback, TrainConfig, Trainer
from ..validation import MAX_EPOCHS, tensor_values, unknown_keyword, user_stacklevel

__all__ = ["_BaseMLP", "_Monitor", "_SEED_MAX", "answers_fit_keywords", "estimator_message",
           "validate_dense"]


def validate_dense(estimator: BaseEstimator, X: Any, y: Any = "no_validation", **checks: Any
                   ) -> Any:
    """scikit-learn's ``validate_data`` that also takes a SciPy sparse X (what a
    ``ColumnTransformer`` with a ``OneHotEncoder`` gives), made dense: the network
    multiplies dense arrays. Returns X (n_samples, n_features), or (X, y) when y is
    given. A sparse X whose dense form would not fit in memory is refused, naming what
    to reduce."""
    from scipy import sparse  # installed with scikit-learn

    X, y = tensor_values(X), tensor_values(y)  # PyTorch's, with grad or on a GPU too
    _check_no_text_columns(X)
    _check_rows(estimator, X)
    _check_array_layout(X)
    try:
        out = validate_data(estimator, X, y, accept_sparse=True, **checks)
    except ValueError as exc:
        text = str(exc)
        for name, data in (("X", X), ("y", y)):
            if text.startswith(f"Input {name} contains NaN"):
                raise ValueError(_missing_message(name, data, estimator)) from None
        if not text.startswith("The feature names should match"):
            raise
        raise ValueError(f"{text.rstrip()}\n{_columns_fix(estimator, X)}") from None
    X_checked = out[0] if isinstance(out, tuple) else out
    if sparse.issparse(X_checked):
        n, d = X_checked.shape
        check_fits(float(n) * d * X_checked.dtype.itemsize,
                   f"the dense form of the sparse X ({n:,} x {d:,})",
                   "the columns (e.g. OneHotEncoder's max_categories or min_frequency) or "
                   "the rows")
        X_checked = X_checked.toarray()
    return (X_checked, out[1]) if isinstance(out, tuple) else X_checked

def _missing_message(name: str, data: Any, estimator: BaseEstimator) -> str:
    """scikit-learn's "Input X contains NaN" (several lines, advising another estimator)
    as one line that says where: how many cells are missing (NaN, None or pandas' NA), in
    which columns of X (by name for a frame) or rows of y, and the fix."""
    try:
        values = (data.to_numpy(dtype=np.float64, na_value=np.nan) if hasattr(data, "to_numpy")
                  else np.asarray(data, dtype=np.float64))
    except (TypeError, ValueError):
        values = None
    where = ""
    if values is not None and values.ndim in (1, 2):
        missing = np.isnan(values)
        rows = np.flatnonzero(missing.reshape(len(values), -1).any(axis=1))
        if rows.size:
            where = f" {int(missing.sum())} missing value(s), e.g. row {rows[0]}"
            if name == "X" and values.ndim == 2:
                cols = np.flatnonzero(missing.any(axis=0))
                names = ([str(c) for c in data.columns[cols]] if hasattr(data, "columns")
                         else [int(c) for c in cols])
                more = f" and {len(names) - 5} more" if len(names) > 5 else ""
                where += f", in column(s) {names[:5]}{more}"
            where = ":" + where
    if name == "y":
        what = "label" if isinstance(estimator, ClassifierMixin) else "target"
        return (f"Input y contains NaN{where or ' (missing values)'} (None, NaN or pandas' "
                f"NA): every row needs its {what}; drop those rows (keep = pd.notna(y); X, "
                f"y = X[keep], y[keep]), or give them a {what}.")
    return (f"Input X contains NaN{where or ' (missing values)'} (None, NaN or pandas' NA); "
            "the network takes a number in every cell: fill them first, e.g. make_pipeline("
            "SimpleImputer(strategy='median'), estimator) (or train from the file with "
            "`numpynn train --data FILE.csv`, which fills them with each column's median).")


def _columns_fix(estimator: BaseEstimator, X: Any) -> str:
    """The fix for a DataFrame X whose columns are not the fit's (scikit-learn's "The
    feature names should match" names them, and says no fix): the selection that gives
    them, where X holds every one of them; else where the list of them is."""
    fitted = [str(c) for c in getattr(estimator, "feature_names_in_", [])]
    names = {str(c) for c in getattr(X, "columns", [])}
    if fitted and set(fitted) <= names:
        return ("Select the columns of the fit, in its order: X[est.feature_names_in_] "
                "(numpynn's estimators follow scikit-learn, which matches columns by "
                "position).")
    return ("Give a frame with every column of the fit, in its order "
            "(est.feature_names_in_ lists them).")


def _check_no_text_columns(X: Any) -> None:
    """A DataFrame X with text or categorical columns: a ValueError (scikit-learn's type)
    naming them and the encoder to put before the network, instead of "could not convert
    string to float"; with date, time or duration columns, naming them and how to make
    numbers of them."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return
    dates = [str(name) for name, dtype in dtypes.items() if getattr(dtype, "kind", "O") in "mM"]
    texts = {name: _filled(X[name]) for name, dtype in dtypes.items()  # columns of text
             if getattr(dtype, "kind", "O") == "O" or str(dtype) == "string"}
    written = [str(name) for name, cells in texts.items() if _dates_as_text(cells)]
    if dates or written:  # an encoder of categories is the wrong advice for them
        shown = (dates + written)[:5] + (["..."] if len(dates + written) > 5 else [])
        as_text = (" (those of text first made dates: df[col] = pd.to_datetime(df[col]))"
                   if written else "")
        raise ValueError(
            f"X has {len(dates + written)} column(s) of dates, times or durations {shown}"
            f"{as_text}; the network takes numbers: turn each into one first, e.g. "
            "df[col].dt.year + "
            "df[col].dt.dayofyear / 365 for a date, or (df[col] - df[col].min()).dt."
            "total_seconds() (numpynn's CSV reader reads dates written year first or with "
            "the month named, such as 2020-03-15 or 07-Dec-2026, as the year with its "
            "fraction).")
    text = [str(name) for name, dtype in dtypes.items()
            if getattr(dtype, "kind", "O") not in "biufc"
            and not (str(dtype) == "object" and _numbers_as_objects(X[name]))]
    numbers = {name: example for name, cells in texts.items()
               if (example := _number_as_text(cells)) is not None}
    if numbers:  # an encoder of categories is the wrong advice for them too
        raise ValueError(_numbers_as_text_message(numbers))
    if text:
        shown = text[:5] + (["..."] if len(text) > 5 else [])
        raise ValueError(
            f"X has {len(text)} column(s) of text or categories {shown}; the network takes "
            "numbers: encode them first, e.g. make_pipeline(make_column_transformer("
            f"(OneHotEncoder(handle_unknown='ignore'), {text[:5]!r}), remainder="
            "StandardScaler()), estimator) (or train from the file with `numpynn train "
            "--data FILE.csv`, which encodes them).")


def _check_rows(estimator: BaseEstimator, X: Any) -> None:
    """An X of one axis (a list of numbers, a Series, ``X[0]``) or a single number: a
    one-line ValueError (scikit-learn's type) saying which reshape makes rows of it,
    instead of scikit-learn's "Expected 2D array", which prints the whole array: one
    example where its length is the fitted network's feature count, else one feature."""
    if not isinstance(X, (np.ndarray, list, tuple, numbers.Number)) and not (
            hasattr(X, "to_numpy") and getattr(X, "ndim", 2) == 1):
        return
    try:
        arr = np.asarray(X)
    except ValueError:  # ragged nested lists: scikit-learn says so
        return
    if arr.ndim >= 2:
        return
    fitted = getattr(estimator, "n_features_in_", None)
    if arr.ndim == 0:
        raise ValueError(f"X is a single value ({arr.item()!r}); the network takes rows "
                         "(n_samples, n_features): give a 2-D array, e.g. [[value, ...]].")
    if fitted is not None and arr.shape[0] == fitted:
        hint = (f"one example of the network's {fitted} features is X.reshape(1, -1) (or "
                "X[i:i + 1] of a 2-D X instead of X[i])")
    else:
        hint = ("a single feature is X.reshape(-1, 1) (of a DataFrame column: df[['col']], "
                "not df['col']); one example is X.reshape(1, -1)")
    raise ValueError(f"X is 1-D (shape {arr.shape}); the network takes rows (n_samples, "
                     f"n_features). Reshape your data: {hint}.")


def _check_array_layout(X: Any) -> None:
    """A NumPy array X (or nested lists) that is not rows of numbers: a ValueError
    (scikit-learn's type) naming what it is and the fix, instead of scikit-learn's "Found
    array with dim 3" or "could not convert string to float": images (N, H, W[, C]) to
    flatten, or a column of text, by its index, its first such cell and its row."""
    if not isinstance(X, (np.ndarray, list, tuple)):
        return
    try:
        arr = np.asarray(X) if not isinstance(X, np.ndarray) else X
    except ValueError:  # ragged nested lists: scikit-learn says so
        return
    if arr.ndim >= 3 and arr.dtype.kind in "biuf":
        raise ValueError(
            f"X has shape {arr.shape}: images or other arrays of several axes per example; "
            "the network takes rows (n_samples, n_features): flatten each example first, "
            "X.reshape(len(X), -1) (and the same for the X given to predict).")
    if arr.ndim != 2 or arr.dtype.kind not in "OUS":
        return
    try:
        arr.astype(np.float64)
        return  # numbers, some written as text: scikit-learn reads them
    except (ValueError, TypeError):
        pass
    for j in range(arr.shape[1]):
        for i, cell in enumerate(arr[:, j]):
            if not isinstance(cell, (str, bytes)):  # other objects: scikit-learn's message
                continue
            text = cell.decode(errors="replace") if isinstance(cell, bytes) else cell
            if not is_number(text):
                raise ValueError(
                    f"X's column {j} holds text ({text[:40]!r}, row {i}); the network takes "
                    "numbers: encode that column first, e.g. make_pipeline(make_column_"
                    f"transformer((OneHotEncoder(handle_unknown='ignore'), [{j}]), remainder="
                    "StandardScaler()), estimator) (or train from the file with `numpynn "
                    "train --data FILE.csv`, which encodes text columns).")


def _filled(column: Any) -> list[Any]:
    """The filled cells of a DataFrame column (pandas' missing values left out)."""
    try:
        return column.dropna().tolist()
    except (AttributeError, TypeError):
        return []


def _numbers_as_objects(column: Any) -> bool:
    """Whether an object column holds numbers (Python ints, floats or bools, as a frame
    built from lists of mixed rows or transposed holds them; missing cells aside), which
    scikit-learn reads as numbers: not text to encode."""
    cells = _filled(column)
    return bool(cells) and all(isinstance(v, (numbers.Real, np.bool_)) for v in cells)


def _dates_as_text(cells: list[Any]) -> bool:
    """Whether every cell is a string that writes a date (``2026-12-07``, ``07-Dec-2026``),
    which numpynn's CSV reader reads as a number but a DataFrame holds as text."""
    return bool(cells) and all(isinstance(v, str) and date_value(v) is not None
                               for v in cells)


def _number_as_text(cells: list[Any]) -> str | None:
    """Where every cell is a string that writes a number (``'0,126'``, ``'45%'``,
    ``'1,200.50'``, ``'3.5'``): the first that ``float`` does not read as it is (else the
    first); None for other text, or cells that are not all strings."""
    if not cells or not all(isinstance(v, str) and number_either_way(v) for v in cells):
        return None
    return next((v for v in cells if not is_number(v)), cells[0])


def _numbers_as_text_message(numbers: dict[Any, str], target: bool = False) -> str:
    """What to say of DataFrame columns of numbers stored as text (``target``: of the
    targets y): which, an example, and the conversion that reads them (a decimal comma, a
    percent sign, separators)."""
    names = [str(n) for n in numbers][:5]
    name, example = next(iter(numbers.items()))
    left, col = ("y", "pd.Series(y)") if target else (f"df[{name!r}]", f"df[{name!r}]")
    decimal = re.fullmatch(r"\s*[+-]?(\d+),(\d+)\s*", example)
    if is_number(example):
        how = f"{left} = {col}.astype(float)"
    elif example.strip().endswith("%") and is_number(example.strip()[:-1]):
        how = f"{left} = {col}.str.rstrip('%').astype(float) / 100"
    elif decimal and (decimal.group(1).lstrip("0") == "" or len(decimal.group(2)) != 3):
        how = (f"{left} = {col}.str.replace(',', '.').astype(float) (a decimal comma; "
               "pd.read_csv(..., decimal=',') reads such a file as numbers)")
    elif number_value(example, False) is not None and is_number(example.replace(",", "")):
        how = (f"{left} = {col}.str.replace(',', '').astype(float) (thousands separators; "
               "pd.read_csv(..., thousands=',') reads such a file as numbers)")
    else:
        how = f"rewrite {left} as plain numbers (1234.5)"
    if target:
        return (f"y holds numbers stored as text (such as {example!r}); MLPRegressor "
                f"predicts numbers: convert them first, e.g. {how}.")
    more = len(numbers) - len(names)
    listed = f"{names}{f' and {more} more' if more > 0 else ''}"
    return (f"X has {len(numbers)} column(s) of numbers stored as text {listed} (e.g. "
            f"{name!r} holds {example!r}); the network takes numbers, not text: convert "
            f"them first, e.g. {how} (or train from the file with `numpynn train --data "
            "FILE.csv`, which reads such numbers).")


#: scikit-learn's parameter name of an optimiser hyper-parameter, where it differs
SKLEARN_NAMES: dict[str, str] = {"beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon"}

_SEED_MAX = 2**31 - 1

#: parameters of scikit-learn's MLP estimators (and other libraries' habits) that numpynn's
#: estimators name otherwise or do not have: the name -> (numpynn's parameter or None, what
#: to know); said when one is passed, instead of Python's bare "unexpected keyword"
OTHER_NAMES: dict[str, tuple[str | None, str]] = {
    "alpha": ("reg", "numpynn's L2 strength, not divided by the batch size: reg = alpha / "
                     "batch_size gives scikit-learn's objective (its alpha=1e-4 with batches "
                     "of 200 is reg=5e-7)"),
    "learning_rate": (None, "the learning rate is constant (scikit-learn's "
                            "learning_rate='constant'); its size is learning_rate_init"),
    "power_t": (None, "it is the exponent of scikit-learn's learning_rate='invscaling'; the "
                      "rate here is constant, its size learning_rate_init"),
    "shuffle": (None, "the training rows are shuffled every epoch, always (scikit-learn's "
                      "default shuffle=True)"),
    "nesterovs_momentum": ("solver", "solver='nesterov' is SGD with Nesterov's momentum, "
                                     "solver='momentum' without (both use momentum)"),
    "max_fun": (None, "it is the 'lbfgs' solver's, which numpynn does not have; the solvers "
                      "are " + ", ".join(OPTIMIZERS.names())),
    "lr": ("learning_rate_init", "the learning rate"),
    "epochs": ("max_iter", "the number of epochs"),
    "hidden": ("hidden_layer_sizes", "e.g. (512, 256)"),
    "hidden_dims": ("hidden_layer_sizes", "e.g. (512, 256)"),
    "optimizer": ("solver", "the update rule"),
    "seed": ("random_state", "the seed"),
    "patience": ("n_iter_no_change", "epochs without improvement before stopping"),
    "val_fraction": ("validation_fraction", "the share held out with early_stopping=True"),
    "weight_decay": ("reg", "the L2 strength"),
    "l2": ("reg", "the L2 strength"),
    "norm": ("normalization", "None, 'batch' or 'layer'"),
    "ensemble": ("n_ensemble", "networks averaged"),
    "n_estimators": ("n_ensemble", "networks averaged"),
}
#: ... and those of MLPClassifier that MLPRegressor does not have
REGRESSOR_OTHER_NAMES: dict[str, tuple[str | None, str]] = {
    "n_ensemble": (None, "MLPClassifier's only; to average regressors of several seeds: "
                         "sklearn.ensemble.VotingRegressor([(str(s), MLPRegressor("
                         "random_state=s)) for s in range(5)])"),
    "class_weight": (None, "MLPClassifier's (weights of classes); a regressor's rows are "
                           "weighted by fit(X, y, sample_weight=...)"),
}


def unknown_parameter(cls: type, name: str, call: str = "") -> UnknownParameterError:
    """The error for keyword ``name``, which ``cls`` does not take (in ``call``, default
    its constructor): numpynn's parameter for it where there is one, else why there is
    none, and the valid names (:func:`numpynn.validation.unknown_keyword`)."""
    known = {**OTHER_NAMES, **(REGRESSOR_OTHER_NAMES if cls.__name__ == "MLPRegressor"
                               else {})}
    equivalent, why = known.get(name, (None, ""))
    return unknown_keyword(cls.__name__, name, cls._get_param_names(), equivalent=equivalent,
                           why=why, call=call, what="parameters")


#: keywords other libraries' ``fit`` takes (Keras' ``model.fit``, XGBoost's, LightGBM's)
#: -> where numpynn's estimators keep what they do; said when one is given to ``fit`` or
#: ``partial_fit``, instead of Python's bare "unexpected keyword argument"
FIT_OTHER_NAMES: dict[str, str] = {
    "epochs": "the epoch count is the estimator's max_iter: {cls}(max_iter=10) or "
              "est.set_params(max_iter=10), then fit(X, y)",
    "validation_split": "hold a share of X out with the estimator's early_stopping=True, "
                        "validation_fraction=0.2: fit then stops on its score and keeps the "
                        "best epoch",
    "validation_data": "fit holds its validation rows out of X itself, with the estimator's "
                       "early_stopping=True, validation_fraction=0.1; to measure rows of your "
                       "own after fit: est.score(X_val, y_val)",
    "callbacks": "there are none: verbose=True prints every epoch, est.loss_curve_ (and "
                 "validation_scores_ with early_stopping=True) hold them after fit, and "
                 "partial_fit(X, y) trains one epoch per call for a loop of your own",
    "initial_epoch": "the estimator's warm_start=True makes fit continue the fitted network "
                     "(est.n_iter_ counts its epochs)",
    "steps_per_epoch": "an epoch is one pass over X in minibatches of the estimator's "
                       "batch_size",
    "device": "numpynn computes with NumPy on the CPU; give X as an array (a PyTorch "
              "tensor is read as its values)",
}
for _name in ("eval_set", "X_val", "x_val", "X_valid", "valid_data"):
    FIT_OTHER_NAMES[_name] = FIT_OTHER_NAMES["validation_data"]
FIT_OTHER_NAMES["validation_steps"] = FIT_OTHER_NAMES["validation_split"]


def answers_fit_keywords(method: Any) -> Any:
    """A decorator of ``fit`` / ``partial_fit``: a keyword the method does not take is an
    :class:`~numpynn.errors.UnknownParameterError` (a TypeError, as Python's own) saying
    where numpynn keeps it: the estimator's parameter of that name (``verbose``,
    ``batch_size``: set in the constructor, not given to fit) or of another library's
    name for it (``lr``), or numpynn's way for another library's ``fit`` keyword
    (:data:`FIT_OTHER_NAMES`: Keras' ``epochs``, ``validation_data`` ...). The signature
    stays the method's (scikit-learn reads it)."""
    taken = [p for p in inspect.signature(method).parameters if p != "self"]

    @functools.wraps(method)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        for name in kwargs:
            if name not in taken:
                raise _fit_keyword_error(type(self), method.__name__, name, taken) from None
        return method(self, *args, **kwargs)

    return checked


def _fit_keyword_error(cls: type, method: str, name: str, taken: list[str]
                       ) -> UnknownParameterError:
    """The error for keyword ``name`` given to ``cls.method`` (see
    :func:`answers_fit_keywords`)."""
    owner = cls.__name__
    params = cls._get_param_names()
    equivalent, why = {**OTHER_NAMES, **(REGRESSOR_OTHER_NAMES if owner == "MLPRegressor"
                                         else {})}.get(name, (None, ""))
    if name in params or (equivalent in params and name not in FIT_OTHER_NAMES):
        param = name if name in params else equivalent
        about = f" ({why})" if param != name and why else ""
        home = (f"{param!r} is a parameter of the estimator{about}, not of {method}: "
                f"{owner}({param}=...) or est.set_params({param}=...), then "
                f"{method}(X, y)")
    elif name == "epochs" and method == "partial_fit":
        home = ("partial_fit trains one epoch per call: call it once per epoch (fit(X, y) "
                "trains the estimator's max_iter epochs)")
    elif name in FIT_OTHER_NAMES:
        home = FIT_OTHER_NAMES[name].format(cls=owner)
    elif why:
        home = f"{owner} has no such parameter: {why}"
    else:
        home = ""
    return unknown_keyword(owner, name, taken, home=home, call=f"{owner}.{method}()",
                           what="parameters")


#: methods of Keras' and PyTorch's models that a user calls on an estimator -> what
#: serves (``{cls}``: the estimator's class name); said by the AttributeError
OTHER_METHODS: dict[str, str] = {
    "evaluate": "est.score(X, y) gives the {score}; sklearn.metrics has the others "
                "(e.g. {metric}(y, est.predict(X)))",
    "compile": "there is nothing to compile: the loss is fixed and the solver and its "
               "learning rate are parameters, {cls}(solver='adam', learning_rate_init=1e-3)",
    "summary": "est.model_ is the numpynn network (print(est.model_)); "
               "print(numpynn.explain(est.model_, X[:2], y_idx[:2])) shows every layer's "
               "tensors and shapes (y_idx: the labels' indices in est.classes_)",
    "save": "joblib.dump(est, 'model.joblib') saves it (joblib.load reads it back), as any "
            "scikit-learn estimator",
    "predict_classes": "est.predict(X) gives the classes (est.predict_proba(X) their "
                       "probabilities)",
    "count_params": "sum(p.size for p in est.model_.params.values())",
    "get_weights": "est.coefs_ and est.intercepts_ are the weights and biases of each layer",
    "parameters": "est.coefs_ and est.intercepts_ are the weights and biases of each layer "
                  "(est.model_.params names them)",
    "state_dict": "est.model_.params is the dict of the network's arrays; "
                  "joblib.dump(est, 'model.joblib') saves the whole estimator",
    "forward": "est.predict(X) (est.predict_proba(X) for the probabilities) runs the "
               "network",
    "eval": "there is no training mode to leave: predict uses no dropout",
    "train": "fit(X, y) trains (partial_fit(X, y) one epoch)",
    "to": "numpynn computes with NumPy on the CPU; there is no device to move to",
    "cuda": "numpynn computes with NumPy on the CPU; there is no device to move to",
}
OTHER_METHODS["load_state_dict"] = OTHER_METHODS["set_weights"] = (
    "fit(X, y) sets the weights; joblib.load('model.joblib') reads back an estimator that "
    "joblib.dump saved")
OTHER_METHODS["save_weights"] = OTHER_METHODS["save"]


def other_method_error(est: Any, name: str) -> AttributeError:
    """The AttributeError for attribute ``name`` that ``est`` lacks: Python's words, and
    for a Keras or PyTorch model's method (:data:`OTHER_METHODS`) what serves."""
    owner = type(est).__name__
    hint = OTHER_METHODS.get(name)
    if hint is None:
        return AttributeError(f"{owner!r} object has no attribute {name!r}")
    regressor = owner == "MLPRegressor"
    hint = hint.format(cls=owner, score="R^2" if regressor else "accuracy",
                       metric="mean_absolute_error" if regressor else "f1_score")
    return AttributeError(f"{owner!r} object has no attribute {name!r} (a Keras or PyTorch "
                          f"model's; this is a scikit-learn estimator): {hint}.")


#: numpynn's library parameter names, as its messages write them in backquotes (```lr```),
#: -> the estimators' names for them; a name not here is the estimators' too (``reg``)
LIBRARY_NAMES: dict[str, str] = {
    "lr": "learning_rate_init", "epochs": "max_iter", "hidden_dims": "hidden_layer_sizes",
    "seed": "random_state", "patience": "n_iter_no_change", "norm": "normalization",
    "val_fraction": "validation_fraction",
}

_PARAM_RE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)(?:=([^`]*))?`")


def estimator_message(text: str) -> str:
    """A library message (which names parameters in backquotes: ```lr=0.01```,
    ```preprocessing='standardize'```) in the estimators' terms: ``learning_rate_init=0.01``,
    and a StandardScaler in a pipeline for the preprocessing the estimators do not have
    (the CLI's counterpart is :func:`numpynn.cli.common.flag_message`)."""
    def replace(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if name == "preprocessing":
            return "a StandardScaler before the estimator: make_pipeline(StandardScaler(), est)"
        name = LIBRARY_NAMES.get(name, name)
        return name if value is None else f"{name}={value}"

    return _PARAM_RE.sub(replace, text)


def train_in_estimator_terms(train: Any) -> Any:
    """``train()``'s result; a DivergenceError it raises is raised again with its message
    in the estimators' parameter names (:func:`estimator_message`): a scikit-learn user
    sets ``learning_rate_init``, not the library's ``lr``."""
    try:
        return train()
    except DivergenceError as exc:
        raise DivergenceError(estimator_message(str(exc))) from None


class _BaseMLP(BaseEstimator):
    """The shared part of the numpynn MLP estimators (not an estimator by itself)."""

    def __new__(cls, *args: Any, **kwargs: Any):
        # before __init__, whose signature scikit-learn reads (no **kwargs allowed there):
        # a parameter of scikit-learn's own MLP, or a misspelt one, is named with numpynn's
        known = cls._get_param_names()
        for name in kwargs:
            if name not in known:
                raise unknown_parameter(cls, name)
        return super().__new__(cls)

    def __getattr__(self, name: str) -> Any:
        # only for names not found: a Keras or PyTorch model's method (est.evaluate) is
        # answered with what serves; reads nothing of self (unpickling calls it early).
        # A descriptor of the class that raised AttributeError (partial_fit of an
        # ensemble, a property) is asked again, so that its own message is the one said.
        for klass in type(self).__mro__:
            if name in vars(klass) and hasattr(vars(klass)[name], "__get__"):
                return vars(klass)[name].__get__(self, type(self))
        raise other_method_error(self, name)

    def set_params(self, **params: Any):
        known = self._get_param_names()
        for key in params:
            if "__" not in key and key not in known:  # GridSearchCV(param_grid={"alpha": ..})
                raise unknown_parameter(type(self), key, f"{type(self).__name__}.set_params()")
        return super().set_params(**params)

    # read by _weights; MLPClassifier's class_weight parameter overrides it
    class_weight = None
    # the fewest rows early stopping's validation part may have (MLPRegressor: 2, for R^2)
    _min_validation_rows = 1

    def _store_params(self, values: dict[str, Any]) -> None:
        """Store each ``__init__`` parameter (``values``: the subclass's ``locals()``)."""
        for name in self._get_param_names():
            setattr(self, name, values[name])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------ validation
    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None,
                                                      closed="left")],
        "solver": [StrOptions(set(OPTIMIZERS.names()))],
        "reg": [Interval(numbers.Real, 0.0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None,
                                                      closed="left")],
        "learning_rate_init": [Interval(numbers.Real, 0.0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, MAX_EPOCHS, closed="both")],
        "tol": [Interval(numbers.Real, 0.0, None, closed="left")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0.0, 1.0, closed="neither")],
        "momentum": [Interval(numbers.Real, 0.0, 1.0, closed="left")],
        "beta_1": [Interval(numbers.Real, 0.0, 1.0, closed="left")],
        "beta_2": [Interval(numbers.Real, 0.0, 1.0, closed="left")],
        "epsilon": [Interval(numbers.Real, 0.0, None, closed="neither")],
        "decay_rate": [Interval(numbers.Real, 0.0, 1.0, closed="left")],
        # the model's own checks (below): the layer registry decides what is valid
        "weight_scale": "no_validation",
        "activation": "no_validation",
        "dropout": "no_validation",
        "normalization": "no_validation",
        "random_state": ["random_state"],
        "verbose": ["verbose"],  # a bool, or an int as scikit-learn's verbose=1
        "warm_start": ["boolean"],
    }

    def _validate_params(self) -> None:
        """scikit-learn's check of ``_parameter_constraints`` (InvalidParameterError, a
        ValueError), then what the constraints cannot say: every hidden size a positive
        int, finite reals, and the model's own checks of the layer options."""
        super()._validate_params()
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        if not sizes or not all(
            isinstance(h, numbers.Integral) and not isinstance(h, (bool, np.bool_)) and h >= 1
            for h in sizes
        ):
            raise ValueError(
                f"hidden_layer_sizes must be a non-empty tuple of positive ints; got "
                f"{self.hidden_layer_sizes!r}."
            )
        self._hidden = [int(h) for h in sizes]
        if not np.isfinite(self.reg):
            raise ValueError(f"reg must be a finite number >= 0; got {self.reg!r}.")
        try:
            check_activation(self.activation)
            check_dropout(self.dropout)
            check_normalization(self.normalization)
            check_weight_scale(self.weight_scale)
        except InputError as exc:
            raise ValueError(str(exc)) from None

    def _check_warm_hidden(self, fitted_hidden: list[int]) -> None:
        if self._hidden != list(fitted_hidden):
            raise ValueError(
                f"warm_start continues the fitted network of hidden sizes "
                f"{tuple(fitted_hidden)}; hidden_layer_sizes is now "
                f"{self.hidden_layer_sizes!r}. Set warm_start=False to start a new network."
            )

    # ---------------------------------------------------------------- solver setup
    def _train_config(self, batch_size: int, epochs: int, keep_best: bool) -> TrainConfig:
        # the solver's hyper-parameters this estimator has parameters for; others keep
        # their defaults (e.g. momentum's nesterov: that is the solver 'nesterov')
        names = {h: SKLEARN_NAMES.get(h, h) for h in OPTIMIZERS.entry(self.solver).arguments}
        kwargs = {h: float(getattr(self, p)) for h, p in names.items() if hasattr(self, p)}
        return TrainConfig(
            epochs=epochs, batch_size=batch_size, optimizer=self.solver,
            lr=float(self.learning_rate_init), optimizer_kwargs=kwargs, patience=None,
            # eval_samples=1: the Trainer's per-epoch training accuracy is not used here
            # (loss_curve_ comes from the steps), so it costs one row instead of a pass.
            keep_best=keep_best, eval_samples=1, seed=self._shuffle_seed,
        )

    def _batch_size(self, n: int) -> int:
        if isinstance(self.batch_size, str):
            return min(200, n)
        if self.batch_size > n:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n} training samples; "
                f"it is clipped to {n}.", UserWarning, stacklevel=user_stacklevel(),
            )
            return n
        return int(self.batch_size)

    def _weights(self, y, sample_weight, X) -> np.ndarray | None:
        """Per-sample weights from ``sample_weight`` and ``class_weight`` (None: unweighted)."""
        if sample_weight is None and self.class_weight is None:
            return None
        weights = _check_sample_weight(tensor_values(sample_weight), X, dtype=np.float64)
        _check_nonnegative(weights, "sample_weight")
        if self.class_weight is not None:
            per_class = compute_sample_weight(self.class_weight, y)
            _check_nonnegative(per_class, "class_weight")
            weights = weights * per_class
        if not weights.any():
            raise ValueError("sample_weight is zero for every sample; give some samples a "
                             "positive weight.")
        return weights

    # ------------------------------------------------------------------------ fit
    def _draw_seeds(self, rng: np.random.RandomState) -> int:
        """The network's initialisation seed (returned) and the shuffling seed (kept)."""
        init_seed, self._shuffle_seed = (int(s) for s in rng.randint(_SEED_MAX, size=2))
        return init_seed

    def _reset_fit_state(self, n_outputs: int, out_activation: str) -> None:
        """The fitted attributes of a new network, before any epoch."""
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._optimizer_state = None
        self._rng_state = None
        self.best_loss_ = np.inf
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self.n_layers_ = len(self._hidden) + 2
        self.n_outputs_ = n_outputs
        self.out_activation_ = out_activation

    def _fit_split(self, X, y, weights, rng: np.random.RandomState, stratify=None):
        """``fit``'s preparation: the early-stopping split (``stratify``: the labels to
        stratify on, or None) and the stopping bookkeeping; returns ``_run``'s
        ``(X, y, X_val, y_val, weights)``."""
        X_val = y_val = None
        if self.early_stopping:
            _check_early_stopping_split(len(y), self.validation_fraction,
                                        None if stratify is None else len(np.unique(stratify)),
                                        self._min_validation_rows)
            split_seed = int(rng.randint(_SEED_MAX))
            parts = train_test_split(
                X, y, *([] if weights is None else [weights]),
                test_size=self.validation_fraction, random_state=split_seed, stratify=stratify,
            )
            X, X_val, y, y_val = parts[:4]
            weights = parts[4] if weights is not None else None
        self._no_improvement = 0
        if self.early_stopping:
            if self.validation_scores_ is None:
                self.validation_scores_ = []
            self.best_loss_ = None
        else:
            self.validation_scores_ = self.best_validation_score_ = None
            if self.best_loss_ is None:
                self.best_loss_ = np.inf
        return X, y, X_val, y_val, weights

    def _run(self, X, y, X_val, y_val, epochs: int, stopping: bool,
             sample_weight: np.ndarray | None = None) -> None:
        model = self.model_
        model.reg = float(self.reg)
        config = self._train_config(self._batch_size(X.shape[0]), epochs,
                                    keep_best=X_val is not None)
        monitor = _Monitor(self, X.shape[0], config.batch_size, stopping)
        trainer = Trainer(model, X, y, X_val, y_val, config=config, callbacks=[monitor],
                          sample_weight=sample_weight)
        if self._optimizer_state is not None and self._optimizer_state["name"] == self.solver:
            trainer.optimizer.load_state_dict(self._optimizer_state)
            trainer.optimizer.lr = config.lr
        if self._rng_state is not None:
            trainer.rng.bit_generator.state = self._rng_state
        try:
            train_in_estimator_terms(trainer.train)
        finally:
            self._optimizer_state = trainer.optimizer.state_dict()
            self._rng_state = trainer.rng.bit_generator.state
            L = self.n_layers_ - 1  # affine layers
            self.coefs_ = [model.params[f"W{i}"] for i in range(1, L + 1)]
            self.intercepts_ = [model.params[f"b{i}"] for i in range(1, L + 1)]
        if stopping and not monitor.stopped and epochs == self.max_iter:
            warnings.warn(
                f"numpynn {type(self).__name__}: maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.", ConvergenceWarning,
                stacklevel=user_stacklevel(),
            )


def _check_nonnegative(weights: np.ndarray, name: str) -> None:
    """Refuse negative weights (scikit-learn's MLP fits them, pushing the loss of those
    rows up; numpynn's loss takes weights >= 0) before the fit starts, naming the
    parameter that gave them (``class_weight``'s come out as per-row weights)."""
    negative = weights < 0
    if negative.any():
        raise ValueError(
            f"{name} gives {int(negative.sum())} row(s) a negative weight (e.g. "
            f"{weights[negative][0]:g}); weights must be >= 0: 0 leaves a row out.")


class _Monitor(Callback):
    """Per-epoch bookkeeping: loss curve, validation scores, tol-based stopping, verbose."""

    def __init__(self, est: _BaseMLP, n: int, batch_size: int, stopping: bool) -> None:
        self.est, self.n, self.batch_size, self.stopping = est, n, batch_size, stopping
        self.loss_sum, self.seen, self.stopped = 0.0, 0, False

    def on_step_end(self, trainer: Trainer, loss: float) -> None:
        size = min(self.batch_size, self.n - self.seen)
        self.loss_sum += loss * size
        self.seen += size

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None:
        est = self.est
        loss = self.loss_sum / self.n
        self.loss_sum, self.seen = 0.0, 0
        est.loss_curve_.append(loss)
        est.n_iter_ += 1
        est.t_ += self.n
        if trainer.X_val is not None:
            score = float(trainer.history.val_score[-1])
            est.validation_scores_.append(score)
            best = est.best_validation_score_
            improved = best is None or score >= best + est.tol
            if best is None or score > best:
                est.best_validation_score_ = score
            message = f"Iteration {est.n_iter_}, loss = {loss:.8f}, validation score = {score:.6f}"
        else:
            improved = loss <= est.best_loss_ - est.tol
            est.best_loss_ = min(est.best_loss_, loss)
            message = f"Iteration {est.n_iter_}, loss = {loss:.8f}"
        est._no_improvement = 0 if improved else est._no_improvement + 1
        if est.verbose:
            print(message, file=sys.stdout)
        if self.stopping and est._no_improvement > est.n_iter_no_change:
            self.stopped = True
            what = "validation score" if trainer.X_val is not None else "training loss"
            trainer.stop(
                f"{what} did not improve more than tol={est.tol} for "
                f"{est.n_iter_no_change} consecutive epochs"
            )
            if est.verbose:
                print(f"{trainer.history.stop_reason}. Stopping.", file=sys.stdout)


def _check_early_stopping_split(n: int, fraction: float, n_classes: int | None,
                                min_validation: int = 1) -> None:
    """Refuse an early-stopping split that cannot be made, before train_test_split's "The
    test_size = 1 should be greater or equal to the number of classes = 3": the rows held
    out (``ceil(fraction * n)``, as scikit-learn counts them) and those left must each be
    at least one, and one per class where the split is stratified (``n_classes``); the
    rows held out at least ``min_validation`` (2 for a validation R^2: that of one row is
    0.0 whatever the network predicts, so early stopping would keep the first epoch)."""
    held = math.ceil(fraction * n)
    least = n_classes or 1
    need_val = max(least, min_validation)
    if held >= need_val and n - held >= least:
        return
    short_val = held < need_val
    part, rows = ("validation", held) if short_val else ("training", n - held)
    if n_classes and rows < n_classes:
        why = f", fewer than the {n_classes} classes"
    elif short_val and held < min_validation:
        why = (f", fewer than the {min_validation} that a validation R^2 needs (that of one "
               "row is no score)")
    else:
        why = ""
    raise ValueError(
        f"early_stopping=True holds out validation_fraction={fraction:g} of the {n} rows: "
        f"{held} for validation and {n - held} for training, so the {part} part would have "
        f"{rows} row(s){why}; give more rows, "
        f"{'a larger' if short_val else 'a smaller'} validation_fraction, or "
        "early_stopping=False.")
