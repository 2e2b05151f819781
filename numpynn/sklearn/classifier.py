"""``MLPClassifier``: a scikit-learn estimator over :class:`numpynn.models.MLP`.

The network and the training loop are numpynn's own (:class:`numpynn.models.MLP`,
:class:`numpynn.training.trainer.Trainer`); this module adds scikit-learn's interface: ``fit`` /
``predict`` / ``predict_proba`` / ``score`` / ``partial_fit``, ``get_params`` /
``set_params``, label encoding (any label type), input validation with scikit-learn's
own utilities, and the fitted attributes of :class:`sklearn.neural_network.MLPClassifier`
(``classes_``, ``loss_curve_``, ``validation_scores_``, ``n_iter_``, ``coefs_`` ...).
It works in ``Pipeline``, ``GridSearchCV``, ``cross_val_score`` and ``clone``.
``n_ensemble=K`` fits K networks from different seeds together (packed:
:func:`numpynn.training.ensemble.train_ensemble`) and averages their probabilities.

Regularisation differs from scikit-learn and therefore has another name. numpynn's
``reg`` adds ``0.5 * reg * sum(W**2)`` to the *mean* cross-entropy of each minibatch
(gradient ``reg * W``), whatever the batch size. scikit-learn's ``alpha`` adds
``0.5 * alpha * sum(W**2) / n_batch`` (its ``_backprop`` divides the penalty, like the
summed data loss, by the number of samples in the batch), so for the same minibatch
``reg == alpha / batch_size``: sklearn's default ``alpha=1e-4`` with its default batch
of 200 is ``reg=5e-7``. In both, biases are not penalised.
"""

from __future__ import annotations

import functools
import numbers
import sys
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.special import log_softmax
from sklearn.base import ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..data.csv_file import look_alike
from ..models import MLP
from ..training.ensemble import train_ensemble
from ..validation import tensor_values, user_stacklevel
from .base import _BaseMLP, answers_fit_keywords, train_in_estimator_terms, validate_dense

__all__ = ["MLPClassifier"]


def check_labels(y: object) -> None:
    """Refuse a y that is not one label per row, saying what it looks like and what to
    pass instead, before scikit-learn's "y should be a 1d array" or "Unknown label type":
    one-hot rows (Keras' ``to_categorical``, pandas' ``get_dummies``), multi-label rows,
    several target columns, fractional numbers (a regression's), labels mixing text and
    numbers or holding None. A ValueError, scikit-learn's type for a bad y."""
    y = tensor_values(y)
    if y is None or hasattr(y, "toarray"):  # scikit-learn's own message for these
        return
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError):
        return
    if arr.ndim == 2 and arr.shape[1] > 1:
        n, k = arr.shape
        if arr.dtype.kind in "biuf" and np.isin(arr, (0, 1)).all():
            ones = arr.sum(axis=1)
            if (ones == 1).all():
                raise ValueError(
                    f"y has shape {arr.shape} with one 1 per row: one-hot encoded labels (as "
                    "Keras' to_categorical or pandas' get_dummies make). MLPClassifier takes "
                    "one label per row: fit(X, y.argmax(axis=1)) (its classes_ are then the "
                    "column numbers), or the labels themselves.")
            raise ValueError(
                f"y has shape {arr.shape} of 0s and 1s with {int((ones != 1).sum())} row(s) "
                "holding several 1s or none: multi-label targets, which MLPClassifier does "
                "not fit (it predicts one class per row); fit one per column, e.g. "
                "sklearn.multioutput.MultiOutputClassifier(MLPClassifier()).")
        raise ValueError(
            f"y has shape {arr.shape}: {k} target columns for {n} rows; MLPClassifier takes "
            "one label per row (a 1-d y); for several numbers to predict, use "
            "numpynn.MLPRegressor.")
    flat = arr.ravel() if arr.ndim == 2 and arr.shape[1] == 1 else arr
    if flat.ndim != 1:
        return
    if flat.dtype.kind == "f":
        finite = flat[np.isfinite(flat)]
        fractional = finite[finite != np.round(finite)]
        if fractional.size:
            raise ValueError(
                f"Unknown label type: continuous. y holds numbers that are not whole "
                f"({fractional.size} of them, e.g. {fractional[0]:g}): MLPClassifier predicts "
                "classes; to predict numbers, use numpynn.MLPRegressor.")
    elif flat.dtype == object:
        missing = sum(map(_missing, flat))
        if missing:
            raise ValueError(f"y has {missing} missing label(s) (None, NaN or pandas' NA); "
                             "drop those rows, or give them a label.")
        kinds = {"text" if isinstance(v, (str, bytes)) else "number" for v in flat}
        if len(kinds) > 1:
            text = next(v for v in flat if isinstance(v, (str, bytes)))
            number = next(v for v in flat if not isinstance(v, (str, bytes)))
            raise ValueError(
                f"Mix of label input types (string and number): y holds text ({text!r}) and "
                f"numbers ({number!r}); make the labels one kind, e.g. y.astype(str).")


class _OneNetworkOnly:
    """A method of one network only (``partial_fit``): an ensemble's members train
    together in ``fit`` alone, so for ``n_ensemble > 1`` ``hasattr(est, "partial_fit")``
    is False (what scikit-learn's meta-estimators and checks ask, as of its
    ``available_if``), and the lookup an AttributeError saying why (``available_if``'s
    says only "has no attribute")."""

    def __init__(self, method: Any) -> None:
        self.method = method
        functools.update_wrapper(self, method)

    def __get__(self, est: Any, owner: type | None = None) -> Any:
        if est is None:
            return self.method
        k = est.n_ensemble
        if isinstance(k, numbers.Integral) and k > 1:
            raise AttributeError(f"{self.method.__name__} trains one network one epoch; "
                                 f"n_ensemble={k} fits its members together with fit: call "
                                 "fit, or set n_ensemble=1.")
        return self.method.__get__(est, owner)


def _missing(value: object) -> bool:
    """Whether a label is missing: None, NaN, NaT or pandas' NA (whose comparisons are NA,
    so not a truth value)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return True


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier (ReLU hidden layers, softmax output) on numpynn.

    Parameters follow :class:`sklearn.neural_network.MLPClassifier` where the meaning is
    the same.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer (one int means one layer); 100 as ``numpynn train``
        and scikit-learn.
    solver : {"adam", "sgd", "momentum", "nesterov", "rmsprop"}, default="adam"
        numpynn's update rules (:mod:`numpynn.training.optim`). scikit-learn's ``"sgd"`` with
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
        unweighted. ``partial_fit`` refuses ``"balanced"`` (a batch's counts are not the
        data set's): give the dict of ``compute_class_weight("balanced", ...)`` instead.
    decay_rate : float, default=0.99
        RMSprop's decay of the squared-gradient average.
    weight_scale : float or {"auto", "he", "glorot"}, default="glorot"
        Initial weight standard deviation (see :class:`numpynn.models.MLP`): Glorot, as
        ``numpynn train`` and scikit-learn (measured in benchmarks/RESULTS.md, "Defaults on
        users' tables"); ``"auto"`` follows the activation (He for the ReLU family,
        Glorot for tanh/logistic).
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
        Print the loss (and validation accuracy) of every epoch to stdout (with
        ``n_ensemble > 1``, the members' means, once they finish: they train in one call).
    warm_start : bool, default=False
        ``fit`` continues from the previous solution (parameters and solver state).
    n_ensemble : int, default=1
        Networks fitted, from seeds drawn from ``random_state``; ``predict_proba`` is
        the mean of their probabilities. K > 1 trains them together with numpynn's packed
        engine (:mod:`numpynn.training.packed`), which sets what they support: no
        ``normalization``, ``sample_weight`` of unequal weights (equal ones are no
        weights), ``class_weight`` or ``warm_start`` (each refused with a ValueError),
        no ``partial_fit`` (``hasattr`` is False, a call an AttributeError saying why),
        and no ``tol`` stopping: each member trains ``max_iter`` epochs, or, with
        ``early_stopping``, stops after ``n_iter_no_change`` epochs without a lower
        validation loss and keeps its best epoch. 1: one network, as without the parameter.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of ``predict_proba``'s columns (any label type).
    model_ : numpynn.models.MLP or numpynn.ensemble.Ensemble
        The fitted network (an Ensemble of ``n_ensemble`` networks, ``model_.members``,
        when K > 1); float32 when ``X`` was float32, else float64.
    coefs_, intercepts_ : list of ndarray
        Weight matrices and bias vectors of each layer (views of ``model_.params``); not
        set for an ensemble (each member's are in ``model_.members[i].params``).
    loss_curve_ : list of float
        Mean training objective (data loss + L2 term) of every epoch; for an ensemble
        the members' mean training data loss, measured after each epoch (with
        ``early_stopping``, the mean of the members still training that epoch).
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
        weight_scale="glorot",
        activation="relu",
        dropout=0.0,
        normalization=None,
        class_weight=None,
        random_state=None,
        verbose=False,
        warm_start=False,
        n_ensemble=1,
    ):
        self._store_params(locals())

    # -------------------------------------------------------------------------- tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags

    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "n_ensemble": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    # ------------------------------------------------------------------------ fit
    @answers_fit_keywords
    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and labels y (n_samples,), optionally with
        sample_weight (n_samples,) (see ``class_weight``). Returns self."""
        self._validate_params()
        check_labels(y)
        if self.n_ensemble > 1:
            return self._fit_ensemble(X, y, sample_weight)
        continuing = self.warm_start and hasattr(self, "model_")
        X, y = validate_dense(self, X, y, reset=not continuing,
                             dtype=[np.float64, np.float32], y_numeric=False)
        check_classification_targets(y)
        y = column_or_1d(y)
        if continuing:
            self._check_warm_hidden(self.model_.hidden_dims)
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
        stratify = y_idx if np.bincount(y_idx).min() >= 2 else None
        X, y_idx, X_val, y_val, weights = self._fit_split(X, y_idx, weights, rng, stratify)
        self._run(X, y_idx, X_val, y_val, self.max_iter, stopping=True, sample_weight=weights)
        return self

    @_OneNetworkOnly
    @answers_fit_keywords
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
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            # each batch would be balanced on its own counts, not the data set's
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit (as scikit-learn's "
                "SGDClassifier): each batch would be balanced on its own class counts. Give "
                "the data set's weights as a dict instead: class_weight=dict(zip(classes, "
                "sklearn.utils.class_weight.compute_class_weight('balanced', classes=classes, "
                "y=y_all))), with y_all the labels of all the batches (or a large sample).")
        check_labels(y)
        X, y = validate_dense(self, X, y, reset=first, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        y = column_or_1d(y)
        if first:
            given = np.unique(np.asarray(classes))
            unknown = np.setdiff1d(np.unique(y), given)
            if unknown.size:  # before _set_classes, which would count only those given
                raise ValueError(f"y contains labels {unknown.tolist()} not in classes="
                                 f"{given.tolist()}; classes must list every label.")
            self._set_classes(given)
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

    def _fit_ensemble(self, X, y, sample_weight):
        """``fit`` for ``n_ensemble > 1``: the members trained packed from seeds drawn
        from ``random_state`` (:func:`numpynn.training.ensemble.train_ensemble`)."""
        k = self.n_ensemble
        refused = [(self.warm_start, "warm_start=True"),
                   (self.class_weight is not None, f"class_weight={self.class_weight!r}"),
                   (self.normalization is not None, f"normalization={self.normalization!r}")]
        for hit, what in refused:
            if hit:
                raise ValueError(f"n_ensemble={k} trains its members together with numpynn's "
                                 f"packed engine, which does not support {what}; leave it "
                                 "out or set n_ensemble=1.")
        X, y = validate_dense(self, X, y, dtype=[np.float64, np.float32], y_numeric=False)
        check_classification_targets(y)
        y = column_or_1d(y)
        # equal weights are no weights (the weighted mean loss is the mean): those that
        # scikit-learn's tools pass (ones) train; weights that differ are refused
        weights = self._weights(y, sample_weight, X)
        if weights is not None and np.ptp(weights) > 0:
            raise ValueError(f"n_ensemble={k} trains its members together with numpynn's "
                             "packed engine, which does not support sample_weight of unequal "
                             f"weights (here from {weights.min():g} to {weights.max():g}); "
                             "leave it out or set n_ensemble=1.")
        self._set_classes(np.unique(y))
        y_idx = np.searchsorted(self.classes_, y)
        rng = check_random_state(self.random_state)
        seed = self._draw_seeds(rng)
        self._reset_fit_state(len(self.classes_), "softmax")
        stratify = y_idx if np.bincount(y_idx).min() >= 2 else None
        X, y_idx, X_val, y_val, _ = self._fit_split(X, y_idx, None, rng, stratify)
        config = self._train_config(self._batch_size(X.shape[0]), self.max_iter,
                                    keep_best=X_val is not None)
        config = replace(config, patience=self.n_iter_no_change if X_val is not None
                         else None)
        n_features, n_classes, dtype = X.shape[1], len(self.classes_), X.dtype

        def build(member_seed: int) -> MLP:
            return MLP(n_features, self._hidden, n_classes, weight_scale=self.weight_scale,
                       reg=float(self.reg), dtype=dtype, seed=member_seed,
                       activation=self.activation, dropout=float(self.dropout))

        with np.errstate(over="ignore", invalid="ignore"):
            self.model_ = train_in_estimator_terms(
                lambda: train_ensemble(build, k, X, y_idx, config, X_val, y_val, seed=seed))
        histories = self.model_.histories or []
        self.n_iter_ = max(len(h.epochs) for h in histories)
        self.t_ = self.n_iter_ * X.shape[0]

        def mean_curve(curve: str) -> list[float]:
            # one value per epoch run (len == n_iter_, as one network's): the mean over
            # the members still training; before, the curves ended where the first
            # member stopped early (8 values against n_iter_ 47)
            return [float(np.mean([getattr(h, curve)[e] for h in histories
                                   if len(getattr(h, curve)) > e]))
                    for e in range(self.n_iter_)]

        self.loss_curve_ = mean_curve("train_loss")
        if X_val is not None:
            self.validation_scores_ = mean_curve("val_score")
            self.best_validation_score_ = max(self.validation_scores_)
        else:
            self.best_loss_ = min(self.loss_curve_)
        for name in ("coefs_", "intercepts_"):
            if hasattr(self, name):
                delattr(self, name)
        if self.verbose:  # the packed members train in one call: their epochs said after
            scores = self.validation_scores_ or []
            for e, loss in enumerate(self.loss_curve_):
                score = f", validation score = {scores[e]:.6f}" if e < len(scores) else ""
                print(f"Iteration {e + 1}, loss = {loss:.8f}{score}", file=sys.stdout)
        return self

    def _set_classes(self, classes: np.ndarray) -> None:
        if classes.shape[0] < 2:
            raise ValueError(
                f"MLPClassifier needs samples of at least 2 classes in the data; got 1 class "
                f"({classes[0]!r})."
            )
        alike = look_alike([c for c in classes.tolist() if isinstance(c, str)])
        if alike:  # ' pos' and 'pos': two classes, which a person rarely means
            shown = ", ".join(" / ".join(repr(v) for v in g) for g in alike[:4])
            warnings.warn(f"y holds labels that differ only in letter case, spaces or how "
                          f"yes or no is written ({shown}): each is a class of its own. If "
                          "they mean the same, write them alike first, e.g. "
                          "y = np.char.lower(np.char.strip(y.astype(str))).",
                          UserWarning, stacklevel=user_stacklevel())
        self.classes_ = classes

    def _initialize(self, n_features: int, dtype: np.dtype, rng: np.random.RandomState) -> None:
        init_seed = self._draw_seeds(rng)
        self.model_ = MLP(n_features, self._hidden, len(self.classes_),
                          weight_scale=self.weight_scale, reg=float(self.reg),
                          dtype=np.dtype(dtype), seed=init_seed, activation=self.activation,
                          dropout=float(self.dropout), normalization=self.normalization)
        self._reset_fit_state(len(self.classes_), "softmax")

    # -------------------------------------------------------------------- predict
    def _scores(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_dense(self, X, reset=False, dtype=[np.float64, np.float32])
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

