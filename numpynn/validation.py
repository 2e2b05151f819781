"""Input checks shared by the models and the training loop.

Each check raises :class:`numpynn.errors.InputError` (a ``ValueError``) naming the
argument, what was wrong with it and how to fix it.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .errors import InputError, UnknownParameterError, shown


def check_features(X: object, n_features: int, dtype: np.dtype, name: str = "X") -> np.ndarray:
    """Return ``X`` as a C-contiguous (N, n_features) array of ``dtype``.

    Accepts (N, D) or CS231n-style (N, d1, ..., dk) with d1*...*dk == D (flattened).
    """
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} cannot be converted to a numeric array: {exc}") from None
    if arr.ndim < 2:
        hint = " For a single example use X.reshape(1, -1)." if arr.ndim == 1 else ""
        raise InputError(
            f"{name} must be a 2-D array of shape (N, D); got shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise InputError(f"{name} is an empty batch (shape {arr.shape}); pass at least one row.")
    if arr.dtype.kind not in "biuf":
        raise InputError(
            f"{name} must hold numbers (int or float); got dtype {arr.dtype}. "
            "Convert non-numeric columns first."
        )
    d = int(np.prod(arr.shape[1:]))
    if d != n_features:
        raise InputError(
            f"{name} has {d} features per row (shape {arr.shape}) but the model expects "
            f"{n_features}; use data with the same columns the model was built for."
        )
    given = arr.reshape(arr.shape[0], d)
    with np.errstate(over="ignore"):  # a value beyond dtype's range: said below
        arr = np.ascontiguousarray(given, dtype=dtype)
    if not _all_finite(arr):
        r, c = (int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        where = f"{name}[{r}, {c}] (row {r + 1}, column {c + 1} of the data)"
        if given.dtype.kind == "f" and np.isfinite(given[r, c]):  # beyond dtype's range
            check_range(given, arr, dtype, name)
        raise InputError(
            f"{name} contains NaN or infinite values (first at {where}); remove or impute "
            "them before training or predicting."
        )
    return arr


def check_range(given: np.ndarray, cast: np.ndarray, dtype: np.dtype, name: str = "X"
                ) -> None:
    """InputError where a finite value of ``given`` (N, D) became infinite in ``cast``
    (``given`` in ``dtype``): 1e300 in a float32 model's column."""
    over = np.isinf(cast) & np.isfinite(given)
    if over.any():
        r, c = (int(i) for i in np.argwhere(over)[0])
        raise InputError(
            f"{name}[{r}, {c}] (row {r + 1}, column {c + 1} of the data) is "
            f"{float(given[r, c]):g}, beyond {np.dtype(dtype).name}'s range (about "
            f"{float(np.finfo(dtype).max):.1e}); scale that feature (other units, or "
            "standardised), or train in float64 (dtype='float64', --dtype float64).")


def _all_finite(arr: np.ndarray, chunk_bytes: int = 1 << 24) -> bool:
    """``np.isfinite(arr).all()`` for a C-contiguous 2-D array, a block of rows at a time.

    The one-shot form makes a boolean array of arr's size (150 MB for CIFAR-10's training
    set); blocks of <= chunk_bytes keep the temporary small and in cache.
    """
    rows = max(1, chunk_bytes // max(1, arr.shape[1] * arr.itemsize))
    return all(bool(np.isfinite(arr[s : s + rows]).all()) for s in range(0, arr.shape[0], rows))


def check_labels(y: object, n_rows: int, n_classes: int, name: str = "y") -> np.ndarray:
    """Return ``y`` as an (N,) int64 array of class indices in 0..n_classes-1."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        how = ""
        if arr.ndim == 2 and arr.shape[1] == 1:
            how = f" (a column: give {name}.ravel())"
        elif (arr.ndim == 2 and arr.dtype.kind in "biuf" and np.isin(arr, (0, 1)).all()
              and (arr.sum(axis=1) == 1).all()):
            how = (f" (one-hot encoded, as Keras' to_categorical makes: give the class "
                   f"indices, {name}.argmax(axis=1))")
        raise InputError(f"{name} must be a 1-D array of shape (N,); got shape "
                         f"{arr.shape}{how}.")
    if arr.shape[0] != n_rows:
        raise InputError(
            f"{name} has {arr.shape[0]} labels but X has {n_rows} rows; they must match."
        )
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or not np.all(arr == np.round(arr)):
            raise InputError(
                f"{name} must hold integer class indices; got non-integer values "
                f"such as {arr[~(arr == np.round(arr))][:3].tolist()}."
            )
    elif arr.dtype.kind not in "biu":
        raise InputError(
            f"{name} must hold integer class indices 0..{n_classes - 1}; got dtype {arr.dtype}. "
            "Map labels to indices first (numpynn.MLPClassifier does this for you)."
        )
    arr = arr.astype(np.int64, copy=False)
    if n_rows and (arr.min() < 0 or arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= n_classes)][:3].tolist()
        raise InputError(
            f"{name} must hold class indices in 0..{n_classes - 1}; found {bad}."
        )
    return arr


def check_positive_int(value: object, name: str) -> int:
    """An integer >= 1 (bools refused): :func:`check_int` with ``low=1``."""
    return check_int(value, name, low=1)


def check_hidden_dims(hidden_dims: Sequence[int] | int, name: str = "hidden_dims") -> list[int]:
    """A non-empty list of positive hidden-layer sizes."""
    if isinstance(hidden_dims, (int, np.integer)) and not isinstance(hidden_dims, bool):
        hidden_dims = [int(hidden_dims)]
    if isinstance(hidden_dims, (str, bytes)):  # '100,50', the command line's form: it was
        sizes = [p.strip() for p in str(hidden_dims).strip("()[]").split(",")]  # read
        listed = f"[{', '.join(sizes)}]" if all(p.isdigit() for p in sizes) else "[100, 50]"
        raise InputError(f"{name} must be a list of positive integers; got the text "
                         f"{hidden_dims!r}: give the sizes as a list, {listed}.")
    try:
        dims = list(hidden_dims)
    except TypeError:
        raise InputError(
            f"{name} must be a list of positive integers; got {hidden_dims!r}."
        ) from None
    if not dims:
        raise InputError(f"{name} must name at least one hidden layer; got {hidden_dims!r}.")
    return [check_positive_int(h, f"{name}[{i}]") for i, h in enumerate(dims)]


def check_nonnegative_float(value: object, name: str) -> float:
    """A finite float >= 0."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number >= 0; got {value!r}.") from None
    if not np.isfinite(v) or v < 0:
        raise InputError(f"{name} must be a finite number >= 0; got {value!r}.")
    return v


# ------------------------------------------------------------ declarative argument checks
# One message format for every argument: "<name> must be <what>; got <value>."


def _fail(name: str, what: str, value: object) -> InputError:
    return InputError(f"{name} must be {what}; got {shown(value)}.", param=name)


def _is_bool(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


def _range_words(kind: str, low: float | None, high: float | None, low_open: bool = False,
                 high_open: bool = False) -> str:
    """What a value must be, e.g. "a finite number in (0, 1]", "an integer >= 0",
    "a positive integer" (``kind``: "number" or "integer")."""
    integer = kind == "integer"
    noun = "an integer" if integer else "a finite number"
    if high is None and low == (1 if integer else 0) and (integer or low_open):
        return "a positive integer" if integer else "a positive number"
    if low is not None and high is not None:
        if integer:
            return f"{noun} in {low}..{high}"
        return (f"{noun} in {'(' if low_open else '['}{low:g}, "
                f"{high:g}{')' if high_open else ']'}")
    if low is not None:
        return f"{noun} {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{noun} {'<' if high_open else '<='} {high:g}"
    return noun


def _in_range(x: float, low: float | None, high: float | None, low_open: bool,
              high_open: bool) -> bool:
    return ((low is None or (x > low if low_open else x >= low))
            and (high is None or (x < high if high_open else x <= high)))


def check_number(value: object, name: str, *, low: float | None = None,
                 high: float | None = None, low_open: bool = False,
                 high_open: bool = False) -> float:
    """A finite real number (bools refused) in the range given by ``low``/``high``
    (closed unless ``low_open``/``high_open``); returned as a float."""
    if (_is_bool(value) or not isinstance(value, (int, float, np.integer, np.floating))
            or not np.isfinite(float(value))
            or not _in_range(float(value), low, high, low_open, high_open)):
        raise _fail(name, _range_words("number", low, high, low_open, high_open), value)
    return float(value)


def check_int(value: object, name: str, *, low: int | None = None,
              high: int | None = None) -> int:
    """An integer (bools refused) in ``low..high`` (either may be None); returned as int."""
    if (_is_bool(value) or not isinstance(value, (int, np.integer))
            or not _in_range(value, low, high, False, False)):  # type: ignore[arg-type]
        raise _fail(name, _range_words("integer", low, high), value)
    return int(value)


def check_bool(value: object, name: str) -> bool:
    """True or False (numpy bools too; 0/1 refused)."""
    if not _is_bool(value):
        raise _fail(name, "True or False", value)
    return bool(value)


def check_choice(value: object, name: str, choices: Sequence[object], *,
                 ignore_case: bool = False) -> object:
    """One of ``choices`` (a string compared case-insensitively with ``ignore_case``);
    returned as given."""
    key = value.lower() if ignore_case and isinstance(value, str) else value
    try:
        ok = key in choices
    except TypeError:  # an unhashable value against a set
        ok = False
    if not ok:
        raise _fail(name, "one of " + ", ".join(map(repr, choices)), value)
    return value


def check_type(value: object, name: str, types: type | tuple[type, ...], what: str) -> object:
    """An instance of ``types`` (``what`` says it in words, e.g. "a dict of keyword
    arguments")."""
    if not isinstance(value, types):
        raise _fail(name, what, value)
    return value


SEED_MAX = 2**32 - 1


def check_seed(seed: object, name: str = "seed") -> int | None:
    """None or an integer in 0..2**32-1 (what NumPy's seeding accepts)."""
    if seed is None:
        return None
    try:
        return SEED.check(seed, name)
    except InputError:
        raise _fail(name, f"None or {SEED.words}", seed) from None


@dataclass(frozen=True)
class Rule:
    """A numeric argument rule, shared by the library's checks and the command line's
    option types (:mod:`numpynn.cli.common`), so that both accept the same values and
    describe them in the same words."""

    kind: str  # "number" (a finite real) or "integer"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    #: why the upper bound is what it is, said after refusing a value above it
    why: str = ""

    def reason(self, value: object) -> str:
        """" " + :attr:`why` where ``value`` is a number above :attr:`high`; where it is
        written as a finite number too large for a float (``1e400``), that it reads as
        infinity; else ""."""
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return ""
        if (math.isinf(number) and isinstance(value, str)
                and value.strip().lstrip("+-").lower() not in ("inf", "infinity")):
            return (f" ({value.strip()} is beyond a float's range, about ±1.8e308, so it "
                    f"reads as {'-' if number < 0 else ''}infinity)")
        above = self.high is not None and number > self.high
        return f" {self.why}" if self.why and above else ""

    @property
    def words(self) -> str:
        """What a value must be, e.g. "a positive integer"."""
        return _range_words(self.kind, self.low, self.high, self.low_open, self.high_open)

    def check(self, value: object, name: str) -> float | int:
        """``value`` as an int or float, or InputError naming ``name``."""
        try:
            if self.kind == "integer":
                return check_int(value, name, low=self.low, high=self.high)  # type: ignore[arg-type]
            return check_number(value, name, low=self.low, high=self.high,
                                low_open=self.low_open, high_open=self.high_open)
        except InputError as exc:
            if not self.reason(value):
                raise
            raise InputError(f"{exc}{self.reason(value)}", param=exc.param) from None


POSITIVE_INT = Rule("integer", low=1)
NONNEGATIVE_INT = Rule("integer", low=0)
POSITIVE_NUMBER = Rule("number", low=0, low_open=True)
NONNEGATIVE_NUMBER = Rule("number", low=0)
FRACTION = Rule("number", low=0, high=1, high_open=True,  # a share of the data: [0, 1)
                why="(a share of the rows, not a percentage: 20% is 0.2)")
SEED = Rule("integer", low=0, high=SEED_MAX)
#: the most epochs a run may ask for: a million passes over even a tiny table take hours;
#: a bound, so that a typo (10**22, an extra zero or two) is refused rather than run for ever
MAX_EPOCHS = 1_000_000
EPOCHS = Rule("integer", low=1, high=MAX_EPOCHS,
              why="(a million passes over even a tiny table take hours: a larger number is "
                  "taken for a typo)")
#: a factor that shrinks a learning rate: (0, 1] (above 1 the rate would grow)
DECAY = Rule("number", low=0, high=1, low_open=True,
             why="(the factor the learning rate is multiplied by: above 1 it would grow)")


def check_sample_weight(sample_weight: object, n_rows: int, name: str = "sample_weight"
                        ) -> np.ndarray:
    """(N,) finite weights >= 0 as float64, one per row (InputError naming ``name``)."""
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of numbers; got {sample_weight!r:.60}",
                         param=name) from None
    if w.shape != (n_rows,):
        raise InputError(f"{name} must have shape ({n_rows},), one weight per row; got "
                         f"shape {w.shape}.", param=name)
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError(f"{name} must hold finite weights >= 0; found "
                         f"{w[~np.isfinite(w) | (w < 0)][:3].tolist()}.", param=name)
    if n_rows and not w.any():
        raise InputError(f"{name} is zero for every row; give some rows a positive weight.",
                         param=name)
    return w


#: other libraries' names for numpynn's run and training options (scikit-learn, Keras)
OTHER_NAMES: dict[str, str] = {
    "learning_rate": "lr", "learning_rate_init": "lr", "max_iter": "epochs",
    "n_epochs": "epochs", "num_epochs": "epochs", "alpha": "reg", "weight_decay": "reg",
    "hidden_layer_sizes": "hidden", "hidden_dims": "hidden", "solver": "optimizer",
    "random_state": "seed", "n_iter_no_change": "patience", "validation_fraction":
    "val_fraction", "test_size": "test_fraction", "norm": "normalization",
}


#: class name -> {a keyword it does not take: where that option lives, said as code};
#: filled by the modules that know both classes (numpynn.runs.run for RunOptions and
#: TrainConfig), so that a lower module needs no import of a higher one
KEYWORD_HOMES: dict[str, dict[str, str]] = {}


def unknown_keyword(owner: str, name: str, known: Sequence[str], *, equivalent: str | None = None,
                    why: str = "", home: str = "", call: str = "", what: str = "options"
                    ) -> UnknownParameterError:
    """The error for keyword ``name``, which ``owner`` (a class name; ``call``: how the
    call is written, default ``owner()``) does not take: ``home`` (where that option
    lives) where given, else numpynn's ``equivalent`` for another library's name (with
    ``why``), else why there is none, else a close match among ``known``; then ``known``
    (its ``what``: "options", "parameters"). An :class:`UnknownParameterError`: a TypeError
    (what Python raises for it) and an InputError."""
    why_text = f" ({why})" if why else ""
    if home:
        hint = home
    elif equivalent is not None and equivalent in known:
        hint = f"numpynn's name for it is {equivalent!r}{why_text}"
    elif equivalent is not None:
        hint = f"{owner} has no such {what[:-1]}, nor {equivalent!r}{why_text}"
    elif why:
        hint = f"{owner} has no such {what[:-1]}: {why}"
    else:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"did you mean {close[0]!r}" if close else f"not one of its {what}"
    return UnknownParameterError(
        f"{call or owner + '()'} got an unexpected keyword argument {name!r}: {hint}. Its "
        f"{what}: {', '.join(known)}.", param=name)


def answers_other_keywords(others: Mapping[str, tuple[str | None, str]]
                           ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator: a keyword the function does not take (another library's habit, such
    as scikit-learn's ``n_jobs`` given to :func:`numpynn.search.search`) is an
    :class:`~numpynn.errors.UnknownParameterError` (a TypeError, as Python's own) naming
    numpynn's parameter for it, or why there is none (``others``: the name ->
    (numpynn's parameter or None, what to know)), else a close match, instead of Python's
    bare "unexpected keyword argument". The signature stays the function's."""
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        known = list(inspect.signature(function).parameters)

        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            for name in kwargs:
                if name not in known:
                    equivalent, why = others.get(name, (None, ""))
                    raise unknown_keyword(function.__name__, name, known,
                                          equivalent=equivalent, why=why,
                                          what="parameters") from None
            return function(*args, **kwargs)

        return checked

    return decorate


def check_keywords(cls: type, kwargs: Mapping[str, object]) -> None:
    """Refuse a keyword that the dataclass ``cls`` does not take, before Python's bare
    "unexpected keyword argument": naming where that option lives (:data:`KEYWORD_HOMES`),
    numpynn's name for another library's, or a close match. Raises
    :class:`numpynn.errors.UnknownParameterError` (a TypeError and an InputError)."""
    known = [f.name for f in fields(cls)]
    homes = KEYWORD_HOMES.get(cls.__name__, {})
    for name in kwargs:
        if name in known:
            continue
        equivalent = OTHER_NAMES.get(name)
        home = homes.get(name, "")
        if not home and equivalent not in known and equivalent in homes:
            home = f"numpynn's name for it is {equivalent!r}, {homes[equivalent]}"
        why = "not divided by the batch size: reg = alpha / batch_size" if (
            name == "alpha" and equivalent in known) else ""
        raise unknown_keyword(cls.__name__, name, known, equivalent=equivalent, why=why,
                              home=home)


def tensor_values(x: Any) -> Any:
    """A PyTorch tensor as a NumPy array of its values (detached from autograd's graph,
    copied from a GPU, bfloat16 widened to float32: the three NumPy's own conversion
    refuses with "Can't call numpy() on Tensor that requires grad", "can't convert cuda:0
    device type tensor" or "unsupported ScalarType BFloat16"); anything else as it is.
    PyTorch is not imported: a tensor is known by its type's module and methods."""
    if not (type(x).__module__.startswith("torch") and hasattr(x, "detach")
            and hasattr(x, "cpu")):
        return x
    x = x.detach().cpu()
    if str(getattr(x, "dtype", "")) == "torch.bfloat16":
        x = x.float()
    return x.numpy()


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` of ``warnings.warn``, called in the function that warns, that
    names the line of the first caller outside numpynn (the user's ``est.fit(...)``, or
    scikit-learn's where one of its tools called), however many of numpynn's functions
    and decorators lie between."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level
