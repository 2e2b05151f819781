"""The course's optimiser protocol in numpynn's training loop, and the course's checkpoint.

CS231n's ``optim.py`` functions have the form ``update(w, dw, config) -> (next_w, config)``:
``w``, ``dw`` one parameter and its gradient, ``config`` a dict of that parameter's
hyper-parameters and state (``learning_rate``, ``momentum``, ``velocity``, ``m``, ``v``,
``t``, ...), which the function may change or replace. :class:`CourseOptimizer` runs such
a function as a numpynn :class:`~numpynn.training.optim.Optimizer` (so the Trainer and its engine,
schedules and checkpoints use it) and keeps ``optim_configs``: one config per parameter,
each starting as a copy of ``optim_config``, as the course's Solver keeps them.

:func:`solver_checkpoint` reads back a :class:`~numpynn.Solver` checkpoint as the
course's dict (``model``, ``update_rule``, ``lr_decay``, ``optim_config``, ...,
``val_acc_history``) plus ``optim_configs``: a NumPy ``.npz`` with a JSON header, no pickle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError
from ..training.optim import Optimizer
from ..training.trainer import read_checkpoint

UpdateRule = Callable[[np.ndarray, np.ndarray, dict], tuple[np.ndarray, dict]]

#: numpynn's optimiser state slots under the course's config names, per update rule.
COURSE_STATE_NAMES: dict[str, dict[str, str]] = {
    "momentum": {"v": "velocity"},
    "rmsprop": {"cache": "cache"},
    "adam": {"m": "m", "v": "v"},
}


def rule_name(rule: Any) -> str:
    """A name for an update rule: the string itself, or ``module.qualname`` of a function."""
    if isinstance(rule, str):
        return rule
    module = getattr(rule, "__module__", None) or ""
    name = getattr(rule, "__qualname__", None) or type(rule).__name__
    return f"{module}.{name}" if module else name


def course_update(rule: Any, optim: Any = None) -> UpdateRule:
    """The update function a Solver's ``update_rule`` names: a callable as it is, or a
    string looked up as an attribute of ``optim`` (the learner's ``optim`` module, as
    the course's Solver does ``getattr(optim, update_rule)``). ValueError otherwise."""
    if callable(rule):
        return rule
    if isinstance(rule, str) and optim is not None:
        fn = getattr(optim, rule, None)
        if callable(fn):
            return fn
        where = getattr(optim, "__name__", type(optim).__name__)
        raise ValueError(f'Invalid update_rule "{rule}": {where} has no function of that '
                         "name")
    raise ValueError(f"update_rule must be a name or a function update(w, dw, config) -> "
                     f"(next_w, config); got {rule!r}")


# ------------------------------------------------- the course's update rules, its protocol
def sgd(w: np.ndarray, dw: np.ndarray, config: dict | None = None
        ) -> tuple[np.ndarray, dict]:
    """Plain SGD: ``w - learning_rate * dw`` (learning_rate 1e-2 by default)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w: np.ndarray, dw: np.ndarray, config: dict | None = None
                 ) -> tuple[np.ndarray, dict]:
    """SGD with momentum: ``velocity = momentum * velocity - learning_rate * dw``, then
    ``w + velocity`` (learning_rate 1e-2, momentum 0.9, velocity zeros by default)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    config["velocity"] = velocity
    return w + velocity, config


def rmsprop(w: np.ndarray, dw: np.ndarray, config: dict | None = None
            ) -> tuple[np.ndarray, dict]:
    """RMSProp: ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``, then ``w -
    learning_rate * dw / (sqrt(cache) + epsilon)`` (1e-2, 0.99, 1e-8 by default)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))
    cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w: np.ndarray, dw: np.ndarray, config: dict | None = None
         ) -> tuple[np.ndarray, dict]:
    """Adam with bias correction, step ``t`` counted per parameter (learning_rate 1e-3,
    beta1 0.9, beta2 0.999, epsilon 1e-8, m and v zeros, t 0 by default)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    config.update(t=t, m=m, v=v)
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


#: The course's update rules by name, in its protocol (used for models that are not
#: numpynn networks, whose parameters and gradients may differ in dtype).
COURSE_RULES: dict[str, UpdateRule] = {"sgd": sgd, "sgd_momentum": sgd_momentum,
                                       "rmsprop": rmsprop, "adam": adam}


class CourseOptimizer(Optimizer):
    """A course update function as a numpynn optimiser (module docstring).

    update: ``update(w, dw, config) -> (next_w, config)``; optim_config: the initial
    config of every parameter (copied per parameter, as the course's Solver does);
    keys: the parameter names (their configs exist from the start); lr: the learning rate
    given (``optim_config["learning_rate"]``; informational, the function reads its
    config's). :meth:`decay` multiplies every config's ``learning_rate``, as the course's
    ``lr_decay`` does after each epoch.

    ``configs`` (``optim_configs``): parameter name -> its config, as the function last
    returned it. ``next_w`` is copied into the parameter in place (numpynn updates arrays
    in place); a ``next_w`` of another shape is an InputError naming the parameter. As in
    the course, a gradient may have another float dtype than its parameter (a float64
    dropout mask in a float32 model): only keys and shapes are checked.
    """

    name: ClassVar[str] = "course"
    slots: ClassVar[tuple[str, ...]] = ()

    def __init__(self, update: UpdateRule, optim_config: Mapping[str, Any] | None = None,
                 lr: float = 1e-2, keys: list[str] | None = None) -> None:
        super().__init__(lr)
        self.update_fn = update
        self.optim_config = dict(optim_config or {})
        self.configs: dict[str, dict[str, Any]] = {k: self._fresh() for k in keys or []}
        self._key = ""

    def _fresh(self) -> dict[str, Any]:
        return {k: (v.copy() if isinstance(v, np.ndarray) else v)
                for k, v in self.optim_config.items()}

    def decay(self, factor: float) -> None:
        """Multiply every config's ``learning_rate`` (where the function set one) and
        ``lr`` by ``factor`` (the course's per-epoch ``lr_decay``)."""
        for config in self.configs.values():
            if "learning_rate" in config:
                config["learning_rate"] *= factor
        self.lr = self.lr * factor

    def step(self, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """One update of every parameter (keys and shapes checked, dtypes may differ)."""
        if set(params) != set(grads):
            raise InputError(f"the loss returned gradients for {sorted(grads)} but the model "
                             f"has parameters {sorted(params)}; they must match")
        for key, w in params.items():
            if np.shape(grads[key]) != np.shape(w):
                raise InputError(f"grads[{key!r}] has shape {np.shape(grads[key])} but "
                                 f"params[{key!r}] has shape {np.shape(w)}; they must match")
        self.begin_step()
        for key, w in params.items():
            self.update(key, w, np.asarray(grads[key]))

    def update(self, key: str, w: np.ndarray, dw: np.ndarray) -> None:
        self._key = key
        super().update(key, w, dw)

    def _update(self, w: np.ndarray, dw: np.ndarray, state: tuple[np.ndarray, ...],
                s: np.ndarray) -> None:
        key = self._key
        config = self.configs.get(key)
        if config is None:
            config = self._fresh()
        out = self.update_fn(w.copy(), dw, config)
        if not isinstance(out, tuple) or len(out) != 2 or out[0] is None:
            raise InputError(f"update_rule {rule_name(self.update_fn)} returned {out!r:.60} for "
                             f"{key}; it must return (next_w, config)")
        next_w, config = out
        next_w = np.asarray(next_w)
        if next_w.shape != w.shape:
            raise InputError(f"update_rule {rule_name(self.update_fn)} returned next_w of shape "
                             f"{next_w.shape} for {key} of shape {w.shape}")
        np.copyto(w, next_w, casting="same_kind")
        self.configs[key] = config if config is not None else {}

    def state_dict(self) -> dict[str, Any]:
        """The configs: their arrays under ``"<config key>/<param>"``, the rest (numbers,
        strings) in ``hyper["configs"]``; the update function by name."""
        arrays, scalars = {}, {}
        for param, config in self.configs.items():
            scalars[param] = {}
            for k, v in config.items():
                if isinstance(v, np.ndarray):
                    arrays[f"{k}/{param}"] = v.copy()
                else:
                    scalars[param][k] = json_value(v)
        return {"name": self.name, "t": self.t, "arrays": arrays,
                "hyper": {"lr": self.lr, "update_rule": rule_name(self.update_fn),
                          "optim_config": {k: json_value(v) for k, v in
                                           self.optim_config.items()},
                          "configs": scalars}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """The configs back from :meth:`state_dict` (the function stays this one's)."""
        if not isinstance(state, Mapping) or state.get("name") != self.name:
            raise InputError("this state was not written by a course update rule")
        self.lr = state["hyper"]["lr"]
        self.t = int(state["t"])
        configs: dict[str, dict[str, Any]] = {p: dict(c) for p, c in
                                              state["hyper"]["configs"].items()}
        for name, arr in state["arrays"].items():
            k, _, param = name.rpartition("/")
            configs.setdefault(param, {})[k] = np.array(arr)
        self.configs = configs


def json_value(v: Any) -> Any:
    """A config value as JSON keeps it (NumPy scalars as Python numbers)."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    return repr(v)


def builtin_configs(optimizer: Optimizer, optim_config: Mapping[str, Any],
                    keys: list[str]) -> dict[str, dict[str, Any]]:
    """``optim_configs`` of one of numpynn's optimisers, in the course's names: per
    parameter the ``optim_config`` given, the current ``learning_rate``, the step count
    ``t`` (adam) and the state arrays (``velocity``, ``cache``, ``m``, ``v``)."""
    names = COURSE_STATE_NAMES.get(optimizer.name, {})
    state = optimizer.state_dict()["arrays"]
    out = {}
    for key in keys:
        config = {**optim_config, "learning_rate": optimizer.lr}
        if optimizer.name == "adam":
            config["t"] = optimizer.t
        for slot, course in names.items():
            if f"{slot}/{key}" in state:
                config[course] = state[f"{slot}/{key}"]
        out[key] = config
    return out


def solver_checkpoint(path: str | Path) -> dict[str, Any]:
    """A Solver checkpoint (``{checkpoint_name}_epoch_{epoch}.npz``) as the course's dict:
    ``model`` (``{name: array}`` of the parameters), ``update_rule`` (its name),
    ``lr_decay``, ``optim_config``, ``batch_size``, ``num_train_samples``,
    ``num_val_samples``, ``epoch``, ``loss_history``, ``train_acc_history``,
    ``val_acc_history``; and ``optim_configs`` (per parameter: numbers and state arrays).
    The file is also a numpynn Trainer checkpoint (``Trainer.resume``) for numpynn's
    update rules. Read without pickle."""

    header, arrays = read_checkpoint(path)
    course = (header.get("extra") or {}).get("cs231n")
    if course is None:
        raise InputError(f"{path} is not a Solver checkpoint (no course fields in it).")
    out = dict(course)
    out["model"] = {k.partition("/")[2]: v for k, v in arrays.items() if k.startswith("param/")}
    opt = header.get("optimizer", {})
    opt_arrays = {k[4:]: v for k, v in arrays.items() if k.startswith("opt/")}
    keys = list(out["model"])
    if opt.get("name") == CourseOptimizer.name:
        configs: dict[str, dict[str, Any]] = {p: dict(c) for p, c in
                                              opt["hyper"]["configs"].items()}
        for name, arr in opt_arrays.items():
            k, _, param = name.rpartition("/")
            configs.setdefault(param, {})[k] = arr
    else:
        names = COURSE_STATE_NAMES.get(opt.get("name", ""), {})
        configs = {}
        for key in keys:
            config = {**course.get("optim_config", {}),
                      "learning_rate": opt.get("hyper", {}).get("lr")}
            for slot, name in names.items():
                if f"{slot}/{key}" in opt_arrays:
                    config[name] = opt_arrays[f"{slot}/{key}"]
            configs[key] = config
    out["optim_configs"] = configs
    return out
