"""``MLPRegressor``: a scikit-learn regressor over a numpynn :class:`~numpynn.models.Network`
with the squared-error loss (:class:`numpynn.losses.SquaredError`).

It shares :class:`numpynn.sklearn.classifier.MLPClassifier`'s parameters, validation, solver
configuration and per-epoch bookkeeping (both derive from
:class:`numpynn.sklearn.base._BaseMLP`), and has
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
from sklearn.base import RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..data.preprocessing import TargetScaler
from ..layers import build_layer
from ..models import Network, hidden_block
from ..validation import tensor_values, user_stacklevel
from .base import (
    _BaseMLP,
    _number_as_text,
    _numbers_as_text_message,
    answers_fit_keywords,
    validate_dense,
)

__all__ = ["MLPRegressor"]


class MLPRegressor(RegressorMixin, _BaseMLP):
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
    "identity"``, ``y_scaler_`` (a :class:`~numpynn.data.preprocessing.TargetScaler`, or None).
    """

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
        self._store_params(locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    _parameter_constraints: dict = {**_BaseMLP._parameter_constraints, "scale_y": ["boolean"]}
    # the validation R^2 of one row is 0.0 whatever is predicted (scikit-learn's
    # MLPRegressor refuses fewer than 2 validation rows too)
    _min_validation_rows = 2

    # ------------------------------------------------------------------------ fit
    def _targets(self, X, y, reset: bool):
        _check_numeric_targets(y)
        X, y = validate_dense(self, X, y, reset=reset, dtype=[np.float64, np.float32],
                             y_numeric=True, multi_output=True)
        y = np.asarray(y, dtype=np.float64)
        bad = ~np.isfinite(y)
        if bad.any():  # None in an object y passes scikit-learn's check and becomes NaN
            rows = np.flatnonzero(bad.reshape(len(y), -1).any(axis=1))
            raise ValueError(
                f"y has {rows.size} missing or infinite target(s) (None, NaN or inf; e.g. "
                f"row {rows[0]}); drop those rows, or fill them.")
        return X, y

    @answers_fit_keywords
    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and targets y (n_samples,) or
        (n_samples, n_outputs), optionally weighted by sample_weight (n_samples,)."""
        self._validate_params()
        continuing = self.warm_start and hasattr(self, "model_")
        X, y = self._targets(X, y, reset=not continuing)
        y2 = y[:, None] if y.ndim == 1 else y
        if continuing:
            self._check_warm_hidden(self._fitted_hidden)
            if y2.shape[1] != self.n_outputs_:
                raise ValueError(f"y has {y2.shape[1]} outputs but the fitted network has "
                                 f"{self.n_outputs_}.")
        rng = check_random_state(self.random_state)
        if not continuing:
            self._initialize(X.shape[1], y2, X.dtype, rng)
        weights = self._weights(y, sample_weight, X)
        X, y_fit, X_val, y_val, weights = self._fit_split(X, self._scaled(y2), weights, rng)
        self._run(X, y_fit, X_val, y_val, self.max_iter, stopping=True, sample_weight=weights)
        return self

    @answers_fit_keywords
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current parameters and solver state
        (``early_stopping`` and ``max_iter`` are not used)."""
        first = not hasattr(self, "model_")
        if first:
            self._validate_params()
        X, y = self._targets(X, y, reset=first)
        y2 = y[:, None] if y.ndim == 1 else y
        if first:
            self._initialize(X.shape[1], y2, X.dtype, check_random_state(self.random_state))
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {y2.shape[1]} outputs but the network was fitted with "
                             f"{self.n_outputs_}.")
        self._run(X, self._scaled(y2), None, None, 1, stopping=False,
                  sample_weight=self._weights(y, sample_weight, X))
        return self

    def _scaled(self, y2: np.ndarray) -> np.ndarray:
        return y2 if self.y_scaler_ is None else self.y_scaler_.transform(y2)

    def _initialize(self, n_features: int, y2: np.ndarray, dtype, rng) -> None:
        init_seed = self._draw_seeds(rng)
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
        if not self.scale_y:
            _warn_unscaled_targets(y2)
        self._reset_fit_state(n_outputs, "identity")

    # -------------------------------------------------------------------- predict
    def predict(self, X) -> np.ndarray:
        """Predicted values: (n_samples,) for one output (a training y of (n_samples,) or
        (n_samples, 1), as scikit-learn's MLPRegressor: an (n, 1) column minus a Series of
        n targets would broadcast to (n, n)), else (n_samples, n_outputs); in the targets'
        units and the input's float dtype (float64 with ``scale_y``)."""
        check_is_fitted(self)
        X = validate_dense(self, X, reset=False, dtype=[np.float64, np.float32])
        out = self.model_.forward(X)
        if self.y_scaler_ is not None:
            out = self.y_scaler_.inverse_transform(out)
        return out[:, 0] if out.shape[1] == 1 else out


#: y whose size (the larger of |mean| and the standard deviation) is outside this range
#: trains badly without ``scale_y``: the network's outputs start within about 1 of 0
UNSCALED_Y_RANGE = (1e-4, 1e4)


def _warn_unscaled_targets(y2: np.ndarray) -> None:
    """A UserWarning naming ``scale_y=True`` when a column of y (n, K) is far from unit
    scale (around 1e8, or 1e-8): without scaling, the fit ends far off (R^2 of -1e3 on
    targets around 1e8, of -1e13 on targets around 1e-8) and only a ConvergenceWarning
    said so, which asks for more iterations."""
    if y2.shape[0] < 2:
        return
    mean, std = np.abs(y2.mean(axis=0)), y2.std(axis=0)
    size = np.maximum(mean, std)
    low, high = UNSCALED_Y_RANGE
    far = (size > high) | ((std > 0) & (size < low))
    if not far.any():
        return
    k = int(np.flatnonzero(far)[0])
    column = f"y's column {k}" if y2.shape[1] > 1 else "y"
    warnings.warn(
        f"{column} is far from unit scale (mean {y2[:, k].mean():.3g}, standard deviation "
        f"{std[k]:.3g}) and scale_y=False, so the network (whose outputs start near 0) "
        "fits it slowly or badly (more iterations rarely help); give scale_y=True (y is "
        "standardised for training and predictions mapped back), or rescale y.",
        UserWarning, stacklevel=user_stacklevel())


def _check_numeric_targets(y: object) -> None:
    """A y of text that is not numbers ('setosa'): a ValueError pointing at the classifier,
    before NumPy's "could not convert string to float"; numbers written as text ('1.5')
    are numbers, as scikit-learn reads them."""
    try:
        arr = np.asarray(tensor_values(y))
    except (TypeError, ValueError):
        return
    if arr.dtype.kind not in "USO":
        return
    for value in arr.ravel():
        if value is None:
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            cells = [v for v in arr.ravel().tolist() if v is not None]
            example = _number_as_text(cells)
            if example is not None:  # '0,13', '45%', '1,200': numbers written as text
                raise ValueError(_numbers_as_text_message({"y": example}, target=True)) \
                    from None
            raise ValueError(
                f"y holds text that is not a number ('{value}'): MLPRegressor predicts "
                "numbers; to predict classes, use numpynn.MLPClassifier.") from None

