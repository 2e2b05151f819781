"""The search space: hyper-parameter ranges, their validation, and the plan of trials."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError, shown
from ..models import check_activation, check_dropout, check_normalization
from ..training.optim import OPTIMIZERS
from ..validation import (
    NONNEGATIVE_NUMBER,
    POSITIVE_INT,
    POSITIVE_NUMBER,
    check_choice,
    check_keywords,
)

#: The searched hyper-parameters, in table order.
PARAMS = ("hidden", "lr", "reg", "batch_size", "optimizer", "epochs", "activation", "dropout",
          "normalization")
#: Values of the layer dimensions in search spaces written before they existed (and in
#: the default grid).
LAYER_DEFAULTS = {"activation": ("relu",), "dropout": (0.0,), "normalization": (None,)}
#: The default random space's layer dimensions: the choices measured to help on tables the
#: tests do not use (benchmarks/search_space.py; benchmarks/RESULTS.md, "Default search
#: space (issue 22, item 5)").
RANDOM_LAYERS = {"activation": ("relu", "gelu"), "dropout": (0.0, 0.1, 0.3),
                 "normalization": (None, "batch")}
MODES = ("random", "grid")


@dataclass(frozen=True)
class LogUniform:
    """A continuous range sampled log-uniformly (random search); ``points`` log-spaced
    values from ``low`` to ``high`` in a grid search."""

    low: float
    high: float
    points: int = 3

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            POSITIVE_NUMBER.check(getattr(self, name), f"the log range's {name} bound")
        if self.low > self.high:
            raise InputError(f"a log range needs low <= high; got {self.low:g} > {self.high:g}.")
        POSITIVE_INT.check(self.points, "grid points")

    def sample(self, rng: np.random.Generator) -> float:
        return float(np.exp(rng.uniform(np.log(self.low), np.log(self.high))))

    def grid(self) -> list[float]:
        if self.points == 1 or self.low == self.high:
            return [float(self.low)]
        return [float(f"{v:.4g}") for v in np.geomspace(self.low, self.high, self.points)]

    def to_json(self) -> dict[str, Any]:
        return {"log_uniform": [self.low, self.high], "points": self.points}


Dimension = Sequence[Any] | LogUniform


#: the most values a discrete distribution (scipy.stats.randint) may be made a list of
MAX_DISTRIBUTION_VALUES = 10_000


def from_distribution(name: str, value: Any) -> Any:
    """A scipy.stats frozen distribution given as a search-space entry (scikit-learn's
    ``RandomizedSearchCV`` habit) as numpynn's own form of it: ``loguniform(a, b)`` (of
    ``lr`` or ``reg``) is ``LogUniform(a, b)``, ``randint(a, b)`` the list ``a..b-1``,
    sampled alike; any other distribution is refused, naming the forms numpynn samples.
    Other values are returned as they are."""
    dist = getattr(value, "dist", None)
    if dist is None or not callable(getattr(value, "rvs", None)):
        return value
    kind = str(getattr(dist, "name", type(dist).__name__))
    try:
        low, high = (float(b) for b in value.support())
        middle = float(value.ppf(0.5))
    except Exception:  # a distribution that cannot say its bounds: refused below
        low = high = middle = math.nan
    log_uniform = 0 < low <= high and math.isclose(middle, math.sqrt(low * high), rel_tol=1e-6)
    if kind in ("loguniform", "reciprocal") and name in ("lr", "reg") and log_uniform:
        return LogUniform(low, high)
    if kind == "randint" and math.isfinite(high - low) and high - low < MAX_DISTRIBUTION_VALUES:
        return list(range(int(low), int(high) + 1))
    ranges = "or a LogUniform(low, high) range " if name in ("lr", "reg") else ""
    raise InputError(
        f"search space {name!r} is scipy.stats' {kind} distribution, which numpynn does not "
        f"sample; give a list of values (each equally likely) {ranges}instead, e.g. "
        f"{name!r}: {_example(name)} (scipy's loguniform(a, b) of lr or reg and "
        "randint(a, b) are read as those).", param=name)


def _example(name: str) -> str:
    return {"lr": "LogUniform(1e-4, 1e-2)", "reg": "LogUniform(1e-6, 1e-2)",
            "hidden": "[(128,), (256, 128)]", "dropout": "[0.0, 0.1, 0.3]",
            "epochs": "[20, 40]", "optimizer": "['adam', 'rmsprop']",
            "activation": "['relu', 'gelu']", "normalization": "[None, 'batch']"}.get(
        name, "[32, 64, 128]")


def _choices(name: str, values: Any, check: Callable[[Any], Any]) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        one = (f" (one value is a list of one: [{shown(values)}])"
               if isinstance(values, (str, bytes, int, float, np.number)) else "")
        raise InputError(f"search space {name!r} must be a list of values or a LogUniform "
                         f"range; got {shown(values)}{one}.", param=name)
    out = tuple(check(v) for v in values)
    if not out:
        raise InputError(f"search space {name!r} has no values; give at least one.")
    return out


def _each(entry: str, rule: Callable[[Any, str], Any], what: str = "value"
          ) -> Callable[[Any], Any]:
    """A check of one value of search-space entry ``entry`` by one of the library's checks
    (``rule(value, name)``); the message names the entry ("search space 'lr' value must
    be ...") and its ``param`` is the entry."""
    def check(v: Any) -> Any:
        try:
            return rule(v, f"search space {entry!r} {what}")
        except InputError as exc:
            exc.param = entry
            raise
    return check


def _hidden(v: Any) -> tuple[int, ...]:
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = (v,)
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        raise InputError(f"search space 'hidden' value must be a list of layer sizes like "
                         f"[256, 128]; got {v!r}.", param="hidden")
    sizes = tuple(_each("hidden", POSITIVE_INT.check, "layer size")(h) for h in v)
    if not sizes:
        raise InputError("search space 'hidden' value must have at least one layer size; "
                         "got an empty list.", param="hidden")
    return sizes


def _activation(v: Any) -> str:
    return check_activation(v)


def _dropout(v: Any) -> float:
    return check_dropout(v)


def _normalization(v: Any) -> str | None:
    return check_normalization(v)


def _optimizer_name(v: Any, name: str) -> str:
    return str(check_choice(v, name, OPTIMIZERS.names(), ignore_case=True)).lower()


@dataclass(frozen=True)
class SearchSpace:
    """Where trials come from. Each field is a list of values (chosen uniformly in random
    mode, all of them in grid mode) or, for ``lr`` and ``reg``, a :class:`LogUniform`
    range. ``hidden`` is a list of layer-size lists, e.g. ``[(256,), (512, 256)]``;
    ``activation``, ``dropout`` and ``normalization`` (None, "batch", "layer") are the
    hidden blocks' layers (see :class:`numpynn.models.MLP`)."""

    hidden: Sequence[Sequence[int]] = ((100,), (256,), (512,), (256, 128))
    lr: Dimension = LogUniform(1e-4, 1e-2)
    reg: Dimension = LogUniform(1e-6, 1e-2)
    batch_size: Sequence[int] = (32, 64, 128)
    optimizer: Sequence[str] = ("adam", "rmsprop", "nesterov")
    epochs: Sequence[int] = (20, 40)
    activation: Sequence[str] = LAYER_DEFAULTS["activation"]
    dropout: Sequence[float] = LAYER_DEFAULTS["dropout"]
    normalization: Sequence[str | None] = LAYER_DEFAULTS["normalization"]

    def __new__(cls, *args: Any, **kwargs: Any):
        # SearchSpace(learning_rate=...) -> numpynn's name for it, not a bare TypeError
        check_keywords(cls, kwargs)
        return super().__new__(cls)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in PARAMS:  # scipy.stats' loguniform / randint: numpynn's forms of them
            set_(self, name, from_distribution(name, getattr(self, name)))
        set_(self, "hidden", _choices("hidden", self.hidden, _hidden))
        for name, rule in (("lr", POSITIVE_NUMBER), ("reg", NONNEGATIVE_NUMBER)):
            value = getattr(self, name)
            if not isinstance(value, LogUniform):
                set_(self, name, _choices(name, value, _each(name, rule.check)))
        set_(self, "batch_size", _choices("batch_size", self.batch_size,
                                          _each("batch_size", POSITIVE_INT.check)))
        set_(self, "optimizer", _choices("optimizer", self.optimizer,
                                         _each("optimizer", _optimizer_name)))
        set_(self, "epochs", _choices("epochs", self.epochs, _each("epochs", POSITIVE_INT.check)))
        set_(self, "activation", _choices("activation", self.activation, _activation))
        set_(self, "dropout", _choices("dropout", self.dropout, _dropout))
        set_(self, "normalization", _choices("normalization", self.normalization,
                                             _normalization))

    @classmethod
    def default_random(cls) -> SearchSpace:
        """The space of ``numpynn search`` (random mode) and of ``search()`` without one:
        the fields' defaults, with the hidden blocks' layers of :data:`RANDOM_LAYERS`
        (a space built field by field keeps one value of each layer, as before)."""
        return cls(**RANDOM_LAYERS)

    @classmethod
    def default_grid(cls) -> SearchSpace:
        """The grid of ``numpynn search --mode grid``: 2 x 3 x 3 = 18 trials (the layers:
        :data:`LAYER_DEFAULTS`, one value each)."""
        return cls(hidden=((128,), (512,)), lr=(3e-4, 1e-3, 3e-3), reg=(1e-5, 1e-4, 1e-3),
                   batch_size=(64,), optimizer=("adam",), epochs=(30,), **LAYER_DEFAULTS)

    @classmethod
    def from_partial(cls, values: Mapping[str, Any], grid: bool = False) -> SearchSpace:
        """The space of a dict of some of its fields (scikit-learn's ``param_grid`` habit,
        ``search(space={"lr": [...]})``): in a grid search the others are those of
        :meth:`default_grid`, as ``numpynn search --grid`` fills them; else the fields'
        defaults (one value of each layer dimension, as before)."""
        if not grid:
            return cls(**values)
        check_keywords(cls, dict(values))
        default = cls.default_grid()
        return cls(**{**{n: getattr(default, n) for n in PARAMS}, **values})

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """One random configuration (fixed draw order: the same rng gives the same one)."""
        out: dict[str, Any] = {}
        for name in PARAMS:
            dim = getattr(self, name)
            if isinstance(dim, LogUniform):
                out[name] = dim.sample(rng)
            else:
                out[name] = dim[int(rng.integers(len(dim)))]
        out["hidden"] = list(out["hidden"])
        return out

    def grid(self) -> list[dict[str, Any]]:
        """Every combination, in a fixed order (hidden varies slowest)."""
        axes = [getattr(self, n).grid() if isinstance(getattr(self, n), LogUniform)
                else list(getattr(self, n)) for n in PARAMS]
        return [{**dict(zip(PARAMS, combo)), "hidden": list(combo[0])}
                for combo in itertools.product(*axes)]

    def grid_size(self) -> int:
        return math.prod(len(getattr(self, n).grid()) if isinstance(getattr(self, n), LogUniform)
                         else len(getattr(self, n)) for n in PARAMS)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in PARAMS:
            dim = getattr(self, name)
            out[name] = dim.to_json() if isinstance(dim, LogUniform) else [
                list(v) if name == "hidden" else v for v in dim]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SearchSpace:
        kwargs: dict[str, Any] = {}
        for name in PARAMS:
            value = data[name] if name in data or name not in LAYER_DEFAULTS else (
                LAYER_DEFAULTS[name])
            if isinstance(value, Mapping):
                low, high = value["log_uniform"]
                value = LogUniform(low, high, value.get("points", 3))
            kwargs[name] = value
        return cls(**kwargs)


def trial_seeds(seed: int, index: int) -> tuple[np.random.Generator, int]:
    """Trial ``index``'s sampling generator and its training seed, from the search seed."""
    sample_seq, train_seq = np.random.SeedSequence(seed, spawn_key=(index,)).spawn(2)
    return np.random.default_rng(sample_seq), int(train_seq.generate_state(1)[0])


def trial_plan(space: SearchSpace, mode: str = "random", trials: int | None = 40,
               seed: int = 0) -> list[dict[str, Any]]:
    """The trials of a search: ``{"trial": i, "seed": s, "hidden": [...], "lr": ...}``.

    random: ``trials`` samples; trial i depends only on (seed, i). grid: every
    combination of ``space`` (``trials`` must be None).
    """
    check_choice(mode, "mode", MODES)
    if mode == "random":
        trials = POSITIVE_INT.check(trials, "trials")
        plan = []
        for i in range(trials):
            rng, train_seed = trial_seeds(seed, i)
            plan.append({"trial": i, "seed": train_seed, **space.sample(rng)})
        return plan
    if trials is not None:
        raise InputError(f"a grid search runs every combination ({space.grid_size()} here); "
                         "`trials` is for random search: drop it or use `mode='random'`.",
                         param="trials")
    return [{"trial": i, "seed": trial_seeds(seed, i)[1], **params}
            for i, params in enumerate(space.grid())]
