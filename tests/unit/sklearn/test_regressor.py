"""numpynn.MLPRegressor: scikit-learn's estimator checks and its regressor API."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_friedman1
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import numpynn
from numpynn import MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# No check is skipped or expected to fail (check_array_api_input is skipped by scikit-learn
# itself when SCIPY_ARRAY_API is not set).
@parametrize_with_checks([MLPRegressor()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def friedman(n=600, seed=0):
    X, y = make_friedman1(n_samples=n, noise=0.5, random_state=seed)
    return StandardScaler().fit_transform(X), y


def test_exported_and_defaults_like_scikit_learn():
    assert numpynn.MLPRegressor is MLPRegressor
    p = MLPRegressor().get_params()
    assert p["hidden_layer_sizes"] == (100,) and p["solver"] == "adam"
    assert p["learning_rate_init"] == 1e-3 and p["max_iter"] == 200 and not p["scale_y"]
    assert "class_weight" not in p


def test_fits_friedman_and_scores_r2():
    X, y = friedman()
    est = MLPRegressor(max_iter=150, random_state=0).fit(X[:500], y[:500])
    pred = est.predict(X[500:])
    assert pred.shape == (100,) and pred.dtype == np.float64
    assert est.score(X[500:], y[500:]) > 0.5  # scikit-learn's MLPRegressor: 0.72
    assert MLPRegressor(max_iter=150, random_state=0, scale_y=True).fit(
        X[:500], y[:500]).score(X[500:], y[500:]) > 0.8
    assert len(est.loss_curve_) == est.n_iter_ and est.loss_curve_[-1] < est.loss_curve_[0]
    assert est.out_activation_ == "identity" and est.n_outputs_ == 1
    assert [w.shape for w in est.coefs_] == [(10, 100), (100, 1)]


def test_multi_output():
    X, y = friedman()
    Y = np.c_[y, -2 * y + 5, X[:, 0] ** 2]
    est = MLPRegressor(max_iter=150, random_state=0, scale_y=True).fit(X[:500], Y[:500])
    pred = est.predict(X[500:])
    assert pred.shape == (100, 3) and est.n_outputs_ == 3
    assert est.score(X[500:], Y[500:]) > 0.7
    per_output = r2_score(Y[500:], pred, multioutput="raw_values")  # each column learned
    assert per_output.min() > 0.6, per_output
    one = MLPRegressor(max_iter=5, random_state=0).fit(X, Y[:, :1])
    assert one.predict(X).shape == (600,)  # one output: a vector, as scikit-learn's


def test_scale_y_learns_far_from_unit_targets_and_inverts():
    X, y = friedman()
    big = 1e4 * y + 5e5
    plain = MLPRegressor(max_iter=60, random_state=0).fit(X[:500], big[:500])
    scaled = MLPRegressor(max_iter=60, random_state=0, scale_y=True).fit(X[:500], big[:500])
    assert scaled.y_scaler_ is not None and plain.y_scaler_ is None
    assert scaled.y_scaler_.mean[0] == pytest.approx(big[:500].mean())
    assert scaled.score(X[500:], big[500:]) > 0.6 > 0.0 > plain.score(X[500:], big[500:])


def test_partial_fit_continues_and_matches_epochs():
    X, y = friedman(300)
    est = MLPRegressor(random_state=0)
    for _ in range(3):
        est.partial_fit(X, y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3
    fit = MLPRegressor(random_state=0, max_iter=3, tol=0).fit(X, y)
    np.testing.assert_allclose(est.loss_curve_, fit.loss_curve_, rtol=1e-12)
    with pytest.raises(ValueError, match="outputs"):
        est.partial_fit(X, np.c_[y, y])


def test_early_stopping_on_validation_r2_keeps_best():
    X, y = friedman()
    est = MLPRegressor(early_stopping=True, max_iter=300, n_iter_no_change=5,
                       random_state=0, learning_rate_init=0.01).fit(X, y)
    assert est.n_iter_ < 300 and est.best_loss_ is None
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_) > 0.8


def test_sample_weight_zero_rows_are_ignored():
    X, y = friedman(200)
    w = np.r_[np.ones(100), np.zeros(100)]
    noisy = y.copy()
    noisy[100:] = 1e3  # rows of weight zero must not matter
    est_w = MLPRegressor(max_iter=3, random_state=0, batch_size=200, tol=0).fit(
        X, noisy, sample_weight=w)
    est_plain = MLPRegressor(max_iter=3, random_state=0, batch_size=200, tol=0).fit(
        X, y, sample_weight=w)
    np.testing.assert_allclose(est_w.predict(X), est_plain.predict(X), rtol=1e-12)


def test_sklearn_tools_and_pickle():
    X, y = friedman(300)
    pipe = make_pipeline(StandardScaler(), MLPRegressor(max_iter=50, random_state=0, batch_size=32,
                                                        scale_y=True))
    assert np.mean(cross_val_score(pipe, X, y, cv=3)) > 0.5
    est = clone(pipe[-1])
    with pytest.raises(NotFittedError):
        est.predict(X)
    est.fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    est32 = MLPRegressor(max_iter=2, random_state=0).fit(X.astype(np.float32), y)
    assert est32.model_.dtype == np.float32 and est32.predict(X).dtype == np.float32


def test_bad_parameters_raise_value_errors():
    X, y = friedman(50)
    for params, word in (({"scale_y": "yes"}, "scale_y"), ({"solver": "lbfgs"}, "solver"),
                         ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes")):
        with pytest.raises(ValueError, match=word):
            MLPRegressor(**params).fit(X, y)


def test_one_output_predicts_a_vector_whatever_the_shape_of_y():
    """As scikit-learn's MLPRegressor: y of (n,) or (n, 1) gives predictions (n,), never
    an (n, 1) column that broadcasts against a target vector to (n, n); two outputs
    give (n, 2)."""
    from sklearn.neural_network import MLPRegressor as SkMLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5]
    for target in (y, y[:, None]):
        ours = MLPRegressor(max_iter=3, random_state=0).fit(X, target)
        theirs = SkMLPRegressor(max_iter=3, random_state=0).fit(X, target)
        assert ours.predict(X).shape == theirs.predict(X).shape == (60,)
        ours.partial_fit(X, target)
        assert ours.predict(X).shape == (60,)
    two = MLPRegressor(max_iter=3, random_state=0).fit(X, np.c_[y, -y])
    assert two.predict(X).shape == (60, 2)


def test_text_targets_point_at_the_classifier_and_numbers_as_text_are_numbers():
    """It was NumPy's "could not convert string to float: np.str_('b')"."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    with pytest.raises(ValueError, match=r"y holds text that is not a number \('setosa'\): "
                                         "MLPRegressor predicts numbers; to predict classes, "
                                         "use numpynn.MLPClassifier"):
        MLPRegressor(max_iter=2).fit(X, np.array(["setosa", "virginica"] * 20))
    MLPRegressor(max_iter=2).fit(X, np.array(["1.5", "2.5"] * 20))


def test_an_early_stopping_split_without_training_rows_is_named():
    X = np.random.default_rng(0).normal(size=(3, 2))
    with pytest.raises(ValueError, match="the training part would have 0 row"):
        MLPRegressor(early_stopping=True, validation_fraction=0.9, max_iter=2).fit(X, X[:, 0])


def test_an_early_stopping_split_of_one_validation_row_is_refused():
    """9 rows hold out one for validation, whose R^2 is 0.0 whatever the network predicts:
    early stopping stopped after n_iter_no_change epochs and kept the first epoch's
    parameters, silently."""
    X = np.random.default_rng(0).normal(size=(9, 3))
    with pytest.raises(ValueError, match=r"validation part would have 1 row\(s\), fewer than "
                                         r"the 2 that a validation R\^2 needs"):
        MLPRegressor(early_stopping=True, max_iter=5).fit(X, X[:, 0])
    X = np.random.default_rng(0).normal(size=(11, 3))  # 2 validation rows
    est = MLPRegressor(early_stopping=True, max_iter=3, random_state=0).fit(X, X[:, 0])
    assert len(est.validation_scores_) == 3


@pytest.mark.parametrize("make_y", [
    lambda y: np.r_[None, y[1:]],  # an object array: scikit-learn's check lets None by
    lambda y: pd.Series(y, dtype=object).where(np.arange(len(y)) > 0, None),
])
def test_missing_targets_are_named_before_training(make_y):
    """A None target passed scikit-learn's check of y, became NaN, and was refused from
    the loss, deep in the Trainer, as 'y_train holds NaN' (a name the user never gave)."""
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match=r"y has 1 missing or infinite target\(s\).*row 0"):
        MLPRegressor(max_iter=2).fit(X, make_y(X[:, 0]))
