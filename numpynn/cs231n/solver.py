"""CS231n's ``Solver`` over numpynn's :class:`~numpynn.training.trainer.Trainer`.

Course notebooks run unchanged::

    solver = Solver(model, data, update_rule="sgd",
                    optim_config={"learning_rate": 1e-3}, lr_decay=0.95,
                    num_epochs=10, batch_size=100, print_every=100)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history
    solver.best_val_acc, solver.best_params, solver.check_accuracy(X_test, y_test)

``data`` holds ``X_train, y_train, X_val, y_val``. Update rules and their
``optim_config`` keys are the course's, mapped to :mod:`numpynn.training.optim`:
``sgd``, ``sgd_momentum`` (``momentum``), ``rmsprop`` (``decay_rate``, ``epsilon``),
``adam`` (``beta1``, ``beta2``, ``epsilon``); ``learning_rate`` is the rate and
``lr_decay`` multiplies it after every epoch (numpynn's ``step`` schedule).

The learner's own optimiser runs as in the course: ``update_rule`` may be a function
``update(w, dw, config) -> (next_w, config)`` (e.g. ``optim.adam`` from the learner's
``optim.py``), or a name looked up in the module given as ``optim=`` (numpynn's addition:
``Solver(..., update_rule="sgd_momentum", optim=my_optim)``, the course's
``getattr(optim, update_rule)``). ``solver.optim_configs`` holds one config per
parameter, as the course's does (for numpynn's own rules, a view in the course's names:
``velocity``, ``cache``, ``m``, ``v``, ``t``). A model that is not a numpynn network (the
learner's ``FullyConnectedNet``) is trained with the course's own rules in that protocol
(:data:`numpynn.cs231n.optim.COURSE_RULES`), which, as the course's Solver, take a
gradient of another float dtype than its parameter (a float32 model's float64 dropout
mask); numpynn's networks with numpynn's optimisers. Checkpoints
(``checkpoint_name``) hold what the course's do, in an ``.npz`` without pickle
(:func:`numpynn.cs231n.solver_checkpoint` reads one back as the course's dict).

What differs from the course's loop: an epoch is one pass over a fresh shuffle of the
training set (numpynn's Trainer; the course draws each minibatch at random, so an
epoch there covers about 63% of the examples), so an epoch has ``ceil(N / batch_size)``
iterations and the last minibatch may be smaller. Accuracies are recorded as the
course does: once after the first iteration ("epoch 0") and after every epoch, on
``num_train_samples`` random training rows and ``num_val_samples`` validation rows;
the parameters of the best validation accuracy are restored at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..models import Network
from ..training.scores import model_scores
from ..training.trainer import Callback, TrainConfig, Trainer
from ..validation import check_int
from .optim import (
    COURSE_RULES,
    CourseOptimizer,
    builtin_configs,
    course_update,
    json_value,
    rule_name,
)

#: CS231n's update rule -> (numpynn optimiser, {CS231n optim_config key: numpynn argument})
UPDATE_RULES: dict[str, tuple[str, dict[str, str]]] = {
    "sgd": ("sgd", {}),
    "sgd_momentum": ("momentum", {"momentum": "momentum"}),
    "rmsprop": ("rmsprop", {"decay_rate": "decay_rate", "epsilon": "eps"}),
    "adam": ("adam", {"beta1": "beta1", "beta2": "beta2", "epsilon": "eps"}),
}

_DEFAULTS: dict[str, Any] = {
    "update_rule": "sgd",
    "optim_config": None,
    "lr_decay": 1.0,
    "batch_size": 100,
    "num_epochs": 10,
    "num_train_samples": 1000,
    "num_val_samples": None,
    "checkpoint_name": None,
    "print_every": 10,
    "verbose": True,
    "seed": 0,
    "optim": None,
}


class Solver:
    """Train a classification model the CS231n way (see the module docstring).

    model: anything :class:`~numpynn.training.trainer.Trainer` trains (``params`` and ``loss(X,
    y)``: every numpynn network, or a course model); data: ``{"X_train": (N, D),
    "y_train": (N,), "X_val": (N_val, D), "y_val": (N_val,)}``.

    Keyword arguments (the course's, with its defaults): update_rule ``"sgd"``;
    optim_config ``{"learning_rate": 1e-2, ...}``; lr_decay 1.0; batch_size 100;
    num_epochs 10; num_train_samples 1000 (rows for the train accuracy; None: all);
    num_val_samples None (all); checkpoint_name None (else a checkpoint
    ``{checkpoint_name}_epoch_{e}.npz`` after every epoch, holding the course's fields,
    read back by :func:`numpynn.cs231n.solver_checkpoint`, and for numpynn's own update
    rules resumable with ``Trainer.resume``); print_every 10 (iterations); verbose True
    (print progress to stdout, as the course does; False: silent). numpynn adds ``seed``
    (default 0): the shuffling and the accuracy subsets; and ``optim`` (default None):
    the module in which a string ``update_rule`` is looked up (the learner's
    ``optim.py``). update_rule may also be a function ``update(w, dw, config) -> (next_w,
    config)``. Any other keyword raises ValueError ("Unrecognized arguments"), as in the course.

    After :meth:`train`: ``loss_history`` (one loss per iteration),
    ``train_acc_history`` and ``val_acc_history`` (num_epochs + 1 entries: after the first
    iteration, then after every epoch), ``best_val_acc``, ``best_params`` (also copied
    into ``model.params``), ``epoch``, and ``trainer`` (the numpynn Trainer, its
    ``history``).
    """

    def __init__(self, model: Any, data: Mapping[str, np.ndarray], **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(_DEFAULTS))
        if unknown:
            raise ValueError("Unrecognized arguments " + ", ".join(unknown))
        opts = {**_DEFAULTS, **kwargs}
        if not isinstance(data, Mapping):
            raise InputError(f"data must be a dict with X_train, y_train, X_val, y_val; got "
                             f"{type(data).__name__}.")
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise InputError(f"data is missing {', '.join(missing)}; give a dict with "
                             "X_train, y_train, X_val, y_val.")
        self.model = model
        self.update_rule = opts["update_rule"]
        self.optim = opts["optim"]
        self._course_fn = None
        if callable(self.update_rule) or self.optim is not None:
            self._course_fn = course_update(self.update_rule, self.optim)
        elif self.update_rule in COURSE_RULES and not isinstance(model, Network):
            # a course model: the course's own rules, which take gradients of any float
            # dtype (a float32 model's float64 dropout mask) as the course's Solver does
            self._course_fn = COURSE_RULES[self.update_rule]
        elif self.update_rule not in UPDATE_RULES:
            raise ValueError(f'Invalid update_rule "{self.update_rule}"; valid: '
                             f"{', '.join(UPDATE_RULES)}, a function update(w, dw, config) "
                             "-> (next_w, config), or a name with optim=your_optim_module")
        self.optim_config = dict(opts["optim_config"] or {})
        self.lr_decay = float(opts["lr_decay"])
        self.batch_size = int(opts["batch_size"])
        self.num_epochs = int(opts["num_epochs"])
        self.num_train_samples = opts["num_train_samples"]
        self.num_val_samples = opts["num_val_samples"]
        self.checkpoint_name = opts["checkpoint_name"]
        # a loss line every print_every iterations (0 would divide by zero in train())
        self.print_every = check_int(opts["print_every"], "print_every", low=1)
        self.verbose = bool(opts["verbose"])
        self.seed = opts["seed"]
        self.rng = np.random.default_rng(np.random.SeedSequence([self.seed or 0, 231]))
        self.trainer = Trainer(model, data["X_train"], data["y_train"], data["X_val"],
                               data["y_val"], config=self._train_config(),
                               callbacks=[_Recorder(self)])
        if self._course_fn is not None:  # update(w, dw, config), the course's protocol
            self.trainer.optimizer = CourseOptimizer(
                self._course_fn, self.optim_config,
                float(self.optim_config.get("learning_rate", 1e-2)), list(model.params))
        # the validated arrays (flattened, in the model's dtype)
        self.X_train, self.y_train = self.trainer.X_train, self.trainer.y_train
        self.X_val, self.y_val = self.trainer.X_val, self.trainer.y_val
        self._reset()

    @property
    def optim_configs(self) -> dict[str, dict[str, Any]]:
        """One config per parameter, as the course's Solver keeps them: the learner's
        update function's own (live) dicts, or for numpynn's rules the current state in
        the course's names (module docstring)."""
        opt = self.trainer.optimizer
        if isinstance(opt, CourseOptimizer):
            return opt.configs
        return builtin_configs(opt, self.optim_config, list(self.model.params))

    def _train_config(self) -> TrainConfig:
        """The TrainConfig that carries out the course's options."""
        if self._course_fn is not None:  # the optimiser is replaced (CourseOptimizer),
            # whose configs' learning rates decay after each epoch as the course's do
            return TrainConfig(
                epochs=self.num_epochs, batch_size=self.batch_size, optimizer="sgd",
                lr=float(self.optim_config.get("learning_rate", 1e-2)),
                schedule="constant", keep_best=False, seed=self.seed)
        name, keys = UPDATE_RULES[self.update_rule]
        kwargs: dict[str, Any] = {}
        lr = 1e-2  # the course's default learning rate
        for key, value in self.optim_config.items():
            if key == "learning_rate":
                lr = float(value)
            elif key in keys:
                kwargs[keys[key]] = value
            else:
                raise ValueError(f"optim_config key {key!r} is not used by update rule "
                                 f"{self.update_rule!r}; it takes learning_rate"
                                 + "".join(f", {k}" for k in keys))
        step = self.lr_decay != 1.0  # 1.0: no decay, the constant schedule (no lr_decay)
        return TrainConfig(
            epochs=self.num_epochs, batch_size=self.batch_size, optimizer=name, lr=lr,
            optimizer_kwargs=kwargs, schedule="step" if step else "constant",
            **({"lr_decay": self.lr_decay} if step else {}), keep_best=False, seed=self.seed)

    def _reset(self) -> None:
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params: dict[str, np.ndarray] = {}
        self.loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []

    @property
    def num_iterations(self) -> int:
        """Iterations of the whole run: ``num_epochs * ceil(N / batch_size)``."""
        n = self.X_train.shape[0]
        return self.num_epochs * -(-n // self.batch_size)

    def train(self) -> None:
        """Run the optimisation; afterwards ``model.params`` hold :attr:`best_params`."""
        self.trainer.train()
        if self.best_params:
            for k, v in self.best_params.items():
                np.copyto(self.model.params[k], v)

    def check_accuracy(self, X: np.ndarray, y: np.ndarray, num_samples: int | None = None,
                       batch_size: int = 100) -> float:
        """Fraction of correctly classified rows of X: (N, D), y: (N,).

        num_samples: evaluate a random subset of this many rows (drawn with replacement,
        as the course does, from the solver's seeded generator); batch_size: rows per
        forward pass.
        """
        X = np.asarray(X)
        y = np.asarray(y)
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = self.rng.choice(N, num_samples)
            X, y, N = X[mask], y[mask], num_samples
        if X.ndim > 2:
            X = X.reshape(N, -1)
        preds = [np.argmax(model_scores(self.model, X[s : s + batch_size]), axis=1)
                 for s in range(0, N, batch_size)]
        return float(np.mean(np.concatenate(preds) == y))

    def course_checkpoint(self) -> dict[str, Any]:
        """The course's checkpoint fields (its dict less ``model``, which the checkpoint
        holds as arrays): update_rule (a name), lr_decay, optim_config, batch_size,
        num_train_samples, num_val_samples, epoch and the three histories."""
        return {"update_rule": rule_name(self.update_rule), "lr_decay": self.lr_decay,
                "optim_config": {k: json_value(v) for k, v in self.optim_config.items()},
                "batch_size": self.batch_size, "num_train_samples": self.num_train_samples,
                "num_val_samples": self.num_val_samples, "epoch": self.epoch,
                "loss_history": [float(v) for v in self.loss_history],
                "train_acc_history": [float(v) for v in self.train_acc_history],
                "val_acc_history": [float(v) for v in self.val_acc_history]}

    def _record_accuracy(self) -> None:
        train_acc = self.check_accuracy(self.X_train, self.y_train,
                                        num_samples=self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if self.verbose:
            print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; "
                  f"val_acc: {val_acc:f}")
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}


class _Recorder(Callback):
    """Records the course's histories, prints every ``print_every`` iterations."""

    def __init__(self, solver: Solver) -> None:
        self.solver = solver

    def on_step_end(self, trainer: Trainer, loss: float) -> None:
        s = self.solver
        s.loss_history.append(loss)
        t = len(s.loss_history) - 1
        if s.verbose and t % s.print_every == 0:
            print(f"(Iteration {t + 1} / {s.num_iterations}) loss: {loss:f}")
        if t == 0:
            s._record_accuracy()  # the course's "epoch 0": after the first iteration

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None:
        s = self.solver
        s.epoch = epoch
        if isinstance(trainer.optimizer, CourseOptimizer) and s.lr_decay != 1.0:
            trainer.optimizer.decay(s.lr_decay)  # the course: every config's learning_rate
        s._record_accuracy()
        if s.checkpoint_name is not None:
            trainer.checkpoint_extra["cs231n"] = s.course_checkpoint()
            trainer.save_checkpoint(Path(f"{s.checkpoint_name}_epoch_{epoch}.npz"))
