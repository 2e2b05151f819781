"""``MLPRegressor``: a scikit-learn regressor over a numpynn :class:`~numpynn.models.Network`
with the squared-error loss (:class:`numpynn.losses.SquaredError`).

It shares :class:`numpynn.estimator.MLPClassifier`'s parameters, validation, solver
configuration and per-epoch bookkeeping (its methods are reused, not copied), and has
scikit-learn's :class:`sklearn.neural_network.MLPRegressor` interface: ``fit`` /
``partial_fit`` / ``predict`` / ``score`` (R^2), multi-output targets (n_samples,
n_outputs), ``loss_curve_``, ``validation_scores_`` (validation R^2 with
``early_stopping``), ``n_iter_``, ``coefs_`` / ``intercepts_``.

Target scaling: ``scale_y=True`` standardises y (mean and standard deviation fitted on the
training targets of the first ``fit``) and inverts it in ``predict``. It is off by default
because scikit-learn's MLPRegressor does not scale y (so the defaults behave like
scikit-learn's); ``numpynn train --task regression`` always scales, and stores the scaler
in the model file. Loss values (``loss_curve_``) are in the units the network is trained
in (scaled units when ``scale_y``).

The loss is ``0.5 * mean_i sum_k (y_ik - yhat_ik)**2`` (see
:func:`numpynn.losses.squared_error` for how it relates to scikit-learn's reported value;
the gradients are the same), plus ``0.5 * reg * sum(W**2)`` per minibatch (``reg`` as in
MLPClassifier: ``reg = alpha / batch_size``).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .estimator import _SEED_MAX, MLPClassifier, _Monitor, validate_data
from .layers import build_layer
from .models import Network, hidden_block
from .regression import TargetScaler
from .train import Trainer

__all__ = ["MLPRegressor"]


class MLPRegressor(RegressorMixin, BaseEstimator):
    """Multi-layer perceptron regressor (identity output, squared error) on numpynn.

    Parameters are those of :class:`numpynn.MLPClassifier` (see there) except
    ``class_weight``, plus:

    scale_y : bool, default=False
        Standardise the targets for training (fitted on the first ``fit``'s y) and map
        predictions back. scikit-learn's MLPRegressor does not; it helps when targets are
        far from unit scale (e.g. house prices).

    Defaults follow :class:`sklearn.neural_network.MLPRegressor`: one hidden layer of 100
    ReLU units, Adam with learning rate 1e-3, batches of ``min(200, n)``, 200 epochs.
    With ``early_stopping`` the validation split is random (not stratified), training stops
    on the validation R^2 (``validation_scores_``) and ends with the best epoch's
    parameters.

    Attributes: ``model_`` (the :class:`~numpynn.models.Network`), ``coefs_``,
    ``intercepts_``, ``loss_curve_``, ``best_loss_``, ``validation_scores_``,
    ``best_validation_score_``, ``n_iter_``, ``t_``, ``n_features_in_``,
    ``feature_names_in_``, ``n_layers_``, ``n_outputs_``, ``out_activation_ ==
    "identity"``, ``y_scaler_`` (a :class:`~numpynn.regression.TargetScaler`, or None).
    """

    # MLPClassifier's validation reads class_weight; a regressor has none (this class
    # attribute is not a parameter: get_params reads __init__'s signature).
    class_weight = None

    def __init__(
        self,
        hidden_layer_sizes=(100,),
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
        scale_y=False,
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
        self.scale_y = scale_y
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags

    # the classifier's parameter checks, solver configuration and batch size
    _train_config = MLPClassifier._train_config
    _batch_size = MLPClassifier._batch_size

    _parameter_constraints: dict = {
        **{k: v for k, v in MLPClassifier._parameter_constraints.items()
           if k != "class_weight"},
        "scale_y": ["boolean"],
    }

    def _validate_params(self) -> None:
        MLPClassifier._validate_params(self)
        if not isinstance(self.scale_y, (bool, np.bool_)):
            raise ValueError(f"scale_y must be True or False; got {self.scale_y!r}.")

    # ------------------------------------------------------------------------ fit
    def _targets(self, X, y, reset: bool):
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32],
                             y_numeric=True, multi_output=True)
        return X, np.asarray(y, dtype=np.float64)

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and targets y (n_samples,) or
        (n_samples, n_outputs), optionally weighted by sample_weight (n_samples,)."""
        self._validate_params()
        continuing = self.warm_start and hasattr(self, "model_")
        X, y = self._targets(X, y, reset=not continuing)
        y2 = y[:, None] if y.ndim == 1 else y
        if continuing:
            if self._hidden != list(self._fitted_hidden):
                raise ValueError(
                    f"warm_start continues the fitted network of hidden sizes "
                    f"{tuple(self._fitted_hidden)}; hidden_layer_sizes is now "
                    f"{self.hidden_layer_sizes!r}. Set warm_start=False to start a new network.")
            if y2.shape[1] != self.n_outputs_:
                raise ValueError(f"y has {y2.shape[1]} outputs but the fitted network has "
                                 f"{self.n_outputs_}.")
        rng = check_random_state(self.random_state)
        if not continuing:
            self._y_1d = y.ndim == 1
            self._initialize(X.shape[1], y2, X.dtype, rng)
        weights = self._weights(sample_weight, X)
        y_fit = self._scaled(y2)
        X_val = y_val = None
        if self.early_stopping:
            split_seed = int(rng.randint(_SEED_MAX))
            parts = train_test_split(X, y_fit, *([] if weights is None else [weights]),
                                     test_size=self.validation_fraction,
                                     random_state=split_seed)
            X, X_val, y_fit, y_val = parts[:4]
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
        self._run(X, y_fit, X_val, y_val, self.max_iter, stopping=True, sample_weight=weights)
        return self

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current parameters and solver state
        (``early_stopping`` and ``max_iter`` are not used)."""
        first = not hasattr(self, "model_")
        if first:
            self._validate_params()
        X, y = self._targets(X, y, reset=first)
        y2 = y[:, None] if y.ndim == 1 else y
        if first:
            self._y_1d = y.ndim == 1
            self._initialize(X.shape[1], y2, X.dtype, check_random_state(self.random_state))
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {y2.shape[1]} outputs but the network was fitted with "
                             f"{self.n_outputs_}.")
        self._run(X, self._scaled(y2), None, None, 1, stopping=False,
                  sample_weight=self._weights(sample_weight, X))
        return self

    def _weights(self, sample_weight, X) -> np.ndarray | None:
        if sample_weight is None:
            return None
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if not weights.any():
            raise ValueError("sample_weight is zero for every sample; give some samples a "
                             "positive weight.")
        return weights

    def _scaled(self, y2: np.ndarray) -> np.ndarray:
        return y2 if self.y_scaler_ is None else self.y_scaler_.transform(y2)

    def _initialize(self, n_features: int, y2: np.ndarray, dtype, rng) -> None:
        init_seed, self._shuffle_seed = (int(s) for s in rng.randint(_SEED_MAX, size=2))
        n_outputs = y2.shape[1]
        layers = []
        for h in self._hidden:
            layers += hidden_block(h, self.activation, float(self.dropout), self.normalization)
        layers.append(build_layer("affine", units=n_outputs))
        self.model_ = Network(n_features, layers, loss="squared_error",
                              reg=float(self.reg), weight_scale=self.weight_scale,
                              dtype=np.dtype(dtype), seed=init_seed)
        self._fitted_hidden = list(self._hidden)
        self.y_scaler_ = TargetScaler().fit(y2) if self.scale_y else None
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
        self.out_activation_ = "identity"

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
            trainer.train()
        finally:
            self._optimizer_state = trainer.optimizer.state_dict()
            self._rng_state = trainer.rng.bit_generator.state
            L = len(self._fitted_hidden) + 1
            self.coefs_ = [model.params[f"W{i}"] for i in range(1, L + 1)]
            self.intercepts_ = [model.params[f"b{i}"] for i in range(1, L + 1)]
        if stopping and not monitor.stopped and epochs == self.max_iter:
            warnings.warn(
                f"numpynn MLPRegressor: maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3,
            )

    # -------------------------------------------------------------------- predict
    def predict(self, X) -> np.ndarray:
        """Predicted values: (n_samples,) for a 1-D training y, else (n_samples, n_outputs),
        in the targets' units; the input's float dtype (float64 with ``scale_y``)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        out = self.model_.forward(X)
        if self.y_scaler_ is not None:
            out = self.y_scaler_.inverse_transform(out)
        return out[:, 0] if self._y_1d else out
