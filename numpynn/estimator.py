"""``MLPClassifier``: a scikit-learn estimator over :class:`numpynn.models.MLP`.

The network and the training loop are numpynn's own (:class:`numpynn.models.MLP`,
:class:`numpynn.train.Trainer`); this module adds scikit-learn's interface: ``fit`` /
``predict`` / ``predict_proba`` / ``score`` / ``partial_fit``, ``get_params`` /
``set_params``, label encoding (any label type), input validation with scikit-learn's
own utilities, and the fitted attributes of :class:`sklearn.neural_network.MLPClassifier`
(``classes_``, ``loss_curve_``, ``validation_scores_``, ``n_iter_``, ``coefs_`` ...).
It works in ``Pipeline``, ``GridSearchCV``, ``cross_val_score`` and ``clone``.

Regularisation differs from scikit-learn and therefore has another name. numpynn's
``reg`` adds ``0.5 * reg * sum(W**2)`` to the *mean* cross-entropy of each minibatch
(gradient ``reg * W``), whatever the batch size. scikit-learn's ``alpha`` adds
``0.5 * alpha * sum(W**2) / n_batch`` (its ``_backprop`` divides the penalty, like the
summed data loss, by the number of samples in the batch), so for the same minibatch
``reg == alpha / batch_size``: sklearn's default ``alpha=1e-4`` with its default batch
of 200 is ``reg=5e-7``. In both, biases are not penalised.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from typing import Any

import numpy as np
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6: the same checks were a BaseEstimator method

    def validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)


from .errors import InputError
from .models import (
    MLP,
    check_activation,
    check_dropout,
    check_normalization,
    check_weight_scale,
)
from .optim import OPTIMIZERS
from .train import Callback, TrainConfig, Trainer

__all__ = ["MLPClassifier"]

_SEED_MAX = 2**31 - 1


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier (ReLU hidden layers, softmax output) on numpynn.

    Parameters follow :class:`sklearn.neural_network.MLPClassifier` where the meaning is
    the same.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256,)
        Width of each hidden layer (one int means one layer).
    solver : {"adam", "sgd", "momentum", "nesterov", "rmsprop"}, default="adam"
        numpynn's update rules (:mod:`numpynn.optim`). scikit-learn's ``"sgd"`` with
        momentum is ``"momentum"`` / ``"nesterov"`` here; ``"sgd"`` is plain SGD.
    reg : float, default=1e-4
        L2 strength in numpynn's convention: each minibatch's objective is its *mean*
        cross-entropy plus ``0.5 * reg * sum(W**2)`` over all weight matrices (gradient
        ``reg * W``). Not scikit-learn's ``alpha``, which is divided by the batch size:
        ``reg = alpha / batch_size`` gives the same objective.
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``. Values above the number of
        training samples are clipped (with a warning).
    learning_rate_init : float, default=1e-3
        Learning rate of the solver (constant).
    max_iter : int, default=200
        Maximum number of epochs (passes over the training data) per ``fit``.
    tol : float, default=1e-4
        Stop when the training loss (or, with ``early_stopping``, the validation
        accuracy) has not improved by at least ``tol`` for more than
        ``n_iter_no_change`` consecutive epochs, as in scikit-learn.
    n_iter_no_change : int, default=10
        Epochs without improvement tolerated before stopping.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified), stop on its
        accuracy, and end with the parameters of the best validation epoch.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    momentum : float, default=0.9
        Momentum of the ``"momentum"`` and ``"nesterov"`` solvers.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's moment decays and epsilon (``epsilon`` also for RMSprop).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn: ``"balanced"`` gives class
        c the weight ``n_samples / (n_classes * count_c)``; multiplied with ``fit``'s
        ``sample_weight``. The minibatch loss is the weighted mean
        ``sum_i w_i CE_i / sum_i w_i`` (scikit-learn's convention); validation scores stay
        unweighted.
    decay_rate : float, default=0.99
        RMSprop's decay of the squared-gradient average.
    weight_scale : float or {"auto", "he", "glorot"}, default="auto"
        Initial weight standard deviation (see :class:`numpynn.models.MLP`); ``"auto"``
        follows the activation (He for the ReLU family, Glorot for tanh/logistic).
    activation : str, default="relu"
        Hidden activation: any registered one (``relu``, ``leaky_relu``, ``elu``,
        ``tanh``, ``logistic``/``sigmoid``, ``gelu``, ``identity``).
    dropout : float, default=0.0
        Probability of dropping a hidden unit in training (inverted dropout).
    normalization : {None, "batch", "layer"}, default=None
        Normalisation after each hidden affine layer.
    random_state : int, RandomState instance or None, default=None
        Controls initialisation, shuffling and the early-stopping split.
    verbose : bool, default=False
        Print the loss (and validation accuracy) of every epoch to stdout.
    warm_start : bool, default=False
        ``fit`` continues from the previous solution (parameters and solver state).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of ``predict_proba``'s columns (any label type).
    model_ : numpynn.models.MLP
        The fitted network; float32 when ``X`` was float32, else float64.
    coefs_, intercepts_ : list of ndarray
        Weight matrices and bias vectors of each layer (views of ``model_.params``).
    loss_curve_ : list of float
        Mean training objective (data loss + L2 term) of every epoch.
    best_loss_ : float or None
        Lowest ``loss_curve_`` value (None with ``early_stopping``).
    validation_scores_ : list of float or None
        Validation accuracy of every epoch (None without ``early_stopping``).
    best_validation_score_ : float or None
        Best ``validation_scores_`` value (None without ``early_stopping``).
    n_iter_ : int
        Epochs run (cumulative over ``warm_start`` fits and ``partial_fit`` calls).
    t_ : int
        Training samples seen by the solver.
    n_features_in_, feature_names_in_ : int, ndarray
        Input features seen during ``fit``.
    n_layers_, n_outputs_, out_activation_
        As in scikit-learn (``out_activation_ == "softmax"``).
    """

    def __init__(
        self,
        hidden_layer_sizes=(256,),
        solver="adam",
        reg=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        decay_rate=0.99,
        weight_scale="auto",
        activation="relu",
        dropout=0.0,
        normalization=None,
        class_weight=None,
        random_state=None,
        verbose=False,
        warm_start=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.solver = solver
        self.reg = reg
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.decay_rate = decay_rate
        self.weight_scale = weight_scale
        self.activation = activation
        self.dropout = dropout
        self.normalization = normalization
        self.class_weight = class_weight
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # -------------------------------------------------------------------------- tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags

    # ------------------------------------------------------------------ validation
    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(numbers.Integral, 1, None,
                                                      closed="left")],
        "solver": [StrOptions(set(OPTIMIZERS))],
        "reg": [Interval(numbers.Real, 0.0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None,
                                                      closed="left")],
        "learning_rate_init": [Interval(numbers.Real, 0.0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
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
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
        "warm_start": ["boolean"],
    }

    def _validate_params(self) -> None:
        """scikit-learn's check of ``_parameter_constraints`` (InvalidParameterError, a
        ValueError), then what the constraints cannot say: every hidden size a positive
        int, finite reals, and the model's own checks of the layer options."""
        BaseEstimator._validate_params(self)  # also for MLPRegressor, which reuses this
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

    def _train_config(self, batch_size: int, epochs: int, keep_best: bool) -> TrainConfig:
        kwargs: dict[str, Any] = {}
        if self.solver in ("momentum", "nesterov"):
            kwargs["momentum"] = float(self.momentum)
        elif self.solver == "rmsprop":
            kwargs.update(decay_rate=float(self.decay_rate), eps=float(self.epsilon))
        elif self.solver == "adam":
            kwargs.update(beta1=float(self.beta_1), beta2=float(self.beta_2),
                          eps=float(self.epsilon))
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
                f"it is clipped to {n}.", UserWarning, stacklevel=3,
            )
            return n
        return int(self.batch_size)

    # ------------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and labels y (n_samples,), optionally with
        sample_weight (n_samples,) (see ``class_weight``). Returns self."""
        self._validate_params()
        continuing = self.warm_start and hasattr(self, "model_")
        X, y = validate_data(self, X, y, reset=not continuing,
                             dtype=[np.float64, np.float32], y_numeric=False)
        check_classification_targets(y)
        y = column_or_1d(y)
        if continuing and self._hidden != list(self.model_.hidden_dims):
            raise ValueError(
                f"warm_start continues the fitted network of hidden sizes "
                f"{tuple(self.model_.hidden_dims)}; hidden_layer_sizes is now "
                f"{self.hidden_layer_sizes!r}. Set warm_start=False to start a new network."
            )
        if continuing:
            classes = np.unique(y)
            if set(classes.tolist()) != set(self.classes_.tolist()):
                raise ValueError(
                    "warm_start can only be used where y has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, y has {classes}."
                )
        else:
            self._set_classes(np.unique(y))
        y_idx = np.searchsorted(self.classes_, y)
        weights = self._weights(y, sample_weight, X)
        rng = check_random_state(self.random_state)
        if not continuing:
            self._initialize(X.shape[1], X.dtype, rng)
        X_val = y_val = None
        if self.early_stopping:
            split_seed = int(rng.randint(_SEED_MAX))
            stratify = y_idx if np.bincount(y_idx).min() >= 2 else None
            parts = train_test_split(
                X, y_idx, *([] if weights is None else [weights]),
                test_size=self.validation_fraction, random_state=split_seed, stratify=stratify,
            )
            X, X_val, y_idx, y_val = parts[:4]
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
        self._run(X, y_idx, X_val, y_val, self.max_iter, stopping=True, sample_weight=weights)
        return self

    def _weights(self, y, sample_weight, X) -> np.ndarray | None:
        """Per-sample weights from ``sample_weight`` and ``class_weight`` (None: unweighted)."""
        if sample_weight is None and self.class_weight is None:
            return None
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if self.class_weight is not None:
            weights = weights * compute_sample_weight(self.class_weight, y)
        if not weights.any():
            raise ValueError("sample_weight is zero for every sample; give some samples a "
                             "positive weight.")
        return weights

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y). ``classes`` (every label) is required on the first call.

        Continues from the current parameters and solver state; ``early_stopping`` and
        ``max_iter`` are not used.
        """
        first = not hasattr(self, "classes_")
        if first:
            self._validate_params()
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
        X, y = validate_data(self, X, y, reset=first, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        y = column_or_1d(y)
        if first:
            self._set_classes(np.unique(np.asarray(classes)))
            self._initialize(X.shape[1], X.dtype, check_random_state(self.random_state))
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes)} differs from the classes of the first "
                f"partial_fit call {self.classes_}."
            )
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown.tolist()} not in classes {self.classes_.tolist()}."
            )
        y_idx = np.searchsorted(self.classes_, y)
        self._run(X, y_idx, None, None, 1, stopping=False,
                  sample_weight=self._weights(y, sample_weight, X))
        return self

    def _set_classes(self, classes: np.ndarray) -> None:
        if classes.shape[0] < 2:
            raise ValueError(
                f"MLPClassifier needs samples of at least 2 classes in the data; got 1 class "
                f"({classes[0]!r})."
            )
        self.classes_ = classes

    def _initialize(self, n_features: int, dtype: np.dtype, rng: np.random.RandomState) -> None:
        init_seed, self._shuffle_seed = (int(s) for s in rng.randint(_SEED_MAX, size=2))
        self.model_ = MLP(n_features, self._hidden, len(self.classes_),
                          weight_scale=self.weight_scale, reg=float(self.reg),
                          dtype=np.dtype(dtype), seed=init_seed, activation=self.activation,
                          dropout=float(self.dropout), normalization=self.normalization)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._optimizer_state = None
        self._rng_state = None
        self.best_loss_ = np.inf
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self.n_layers_ = len(self._hidden) + 2
        self.n_outputs_ = len(self.classes_)
        self.out_activation_ = "softmax"

    def _run(self, X, y_idx, X_val, y_val, epochs: int, stopping: bool,
             sample_weight: np.ndarray | None = None) -> None:
        model = self.model_
        model.reg = float(self.reg)
        config = self._train_config(self._batch_size(X.shape[0]), epochs,
                                    keep_best=X_val is not None)
        monitor = _Monitor(self, X.shape[0], config.batch_size, stopping)
        trainer = Trainer(model, X, y_idx, X_val, y_val, config=config, callbacks=[monitor],
                          sample_weight=sample_weight)
        if self._optimizer_state is not None and self._optimizer_state["name"] == self.solver:
            trainer.optimizer.load_state_dict(self._optimizer_state)
            trainer.optimizer.lr = config.lr
        if self._rng_state is not None:
            trainer.rng.bit_generator.state = self._rng_state
        try:
            trainer.train()
        finally:
            self._optimizer_state = trainer.optimizer.state_dict()
            self._rng_state = trainer.rng.bit_generator.state
            L = model.num_layers
            self.coefs_ = [model.params[f"W{i}"] for i in range(1, L + 1)]
            self.intercepts_ = [model.params[f"b{i}"] for i in range(1, L + 1)]
        if stopping and not monitor.stopped and epochs == self.max_iter:
            warnings.warn(
                f"numpynn MLPClassifier: maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3,
            )

    # -------------------------------------------------------------------- predict
    def _scores(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self.model_.forward(X)

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of class probabilities, (n_samples, n_classes), columns in ``classes_`` order."""
        return log_softmax(self._scores(X), axis=1)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, (n_samples, n_classes), columns in ``classes_`` order."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X) -> np.ndarray:
        """Predicted labels (n_samples,), values of ``classes_``."""
        scores = self._scores(X)
        return self.classes_[np.argmax(scores, axis=1)]


class _Monitor(Callback):
    """Per-epoch bookkeeping: loss curve, validation scores, tol-based stopping, verbose."""

    def __init__(self, est: MLPClassifier, n: int, batch_size: int, stopping: bool) -> None:
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
            score = float(trainer.history.val_acc[-1])
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
