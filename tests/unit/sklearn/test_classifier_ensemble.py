"""MLPClassifier(n_ensemble=K): scikit-learn conventions (get_params, set_params, clone,
GridSearchCV), probabilities the mean of the members', K=1 the single network, and what
the packed engine cannot do refused with a ValueError naming it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from numpynn import MLPClassifier
from numpynn.ensemble import Ensemble
from numpynn.training.ensemble import member_seeds

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, ...]:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return X[:600], y[:600], X[600:900], y[600:900]


def test_params_clone_and_set_params():
    est = MLPClassifier(n_ensemble=4, max_iter=5)
    assert est.get_params()["n_ensemble"] == 4
    copy = clone(est)
    assert copy.get_params() == est.get_params() and copy is not est
    assert est.set_params(n_ensemble=2) is est and est.n_ensemble == 2
    assert MLPClassifier().n_ensemble == 1


def test_probabilities_are_the_mean_of_the_members(digits):
    X, y, Xt, yt = digits
    est = MLPClassifier(n_ensemble=3, max_iter=8, random_state=0).fit(X, y)
    assert isinstance(est.model_, Ensemble) and est.model_.n_members == 3
    by_hand = np.mean([m.predict_proba(Xt) for m in est.model_.members], axis=0)
    np.testing.assert_allclose(est.predict_proba(Xt), by_hand, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(est.predict(Xt), np.argmax(by_hand, axis=1))
    assert est.n_iter_ == 8 and len(est.loss_curve_) == 8
    assert not hasattr(est, "coefs_")
    # members differ (their own seeds), and the same random_state repeats the fit
    w = [m.params["W1"] for m in est.model_.members]
    assert not np.array_equal(w[0], w[1])
    again = MLPClassifier(n_ensemble=3, max_iter=8, random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(Xt), est.predict_proba(Xt))


def test_members_are_seeded_from_random_state(digits):
    X, y = digits[:2]
    est = MLPClassifier(n_ensemble=2, max_iter=1, random_state=5).fit(X, y)
    seed = int(np.random.RandomState(5).randint(2**31 - 1, size=2)[0])
    assert [m.seed for m in est.model_.members] == member_seeds(seed, 2)


def test_one_member_is_the_single_network(digits):
    X, y, Xt, _ = digits
    one = MLPClassifier(n_ensemble=1, max_iter=5, random_state=1).fit(X, y)
    plain = MLPClassifier(max_iter=5, random_state=1).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(Xt), plain.predict_proba(Xt))
    assert not isinstance(one.model_, Ensemble)


def test_early_stopping_keeps_each_members_best_epoch(digits):
    X, y = digits[:2]
    est = MLPClassifier(n_ensemble=2, max_iter=30, early_stopping=True, n_iter_no_change=2,
                        learning_rate_init=3e-2, random_state=0).fit(X, y)
    assert len(est.validation_scores_) >= 1
    assert est.best_validation_score_ == max(est.validation_scores_)
    for h in est.model_.histories:
        assert h.best_rule and h.best_epoch <= len(h.epochs)


def test_grid_search_over_n_ensemble(digits):
    X, y = digits[:2]
    grid = GridSearchCV(MLPClassifier(max_iter=5, random_state=0), {"n_ensemble": [1, 2]},
                        cv=2).fit(X, y)
    assert grid.best_params_["n_ensemble"] in (1, 2)


@pytest.mark.parametrize("params, fit_kw, match", [
    ({"n_ensemble": 0}, {}, "n_ensemble"),
    ({"n_ensemble": 2.5}, {}, "n_ensemble"),
    ({"n_ensemble": 2, "normalization": "batch"}, {}, "normalization"),
    ({"n_ensemble": 2, "class_weight": "balanced"}, {}, "class_weight"),
    ({"n_ensemble": 2, "warm_start": True}, {}, "warm_start"),
    ({"n_ensemble": 2}, {"sample_weight": np.arange(600.0)}, "sample_weight"),
])
def test_refused_with_the_parameter_named(digits, params, fit_kw, match):
    X, y = digits[:2]
    with pytest.raises(ValueError, match=match):
        MLPClassifier(max_iter=2, **params).fit(X, y, **fit_kw)


def test_partial_fit_is_refused_for_an_ensemble(digits):
    X, y = digits[:2]
    with pytest.raises(AttributeError, match="n_ensemble=2"):  # hasattr: False
        MLPClassifier(n_ensemble=2).partial_fit(X, y, classes=np.arange(10))


def test_a_diverging_ensemble_raises_as_one_network_does(digits):
    """n_ensemble=3 with a learning rate that diverges raised a bare ValueError (min()
    of an empty loss curve) where n_ensemble=1 raises DivergenceError."""
    from numpynn.errors import DivergenceError

    X, y = digits[:2]
    for k in (1, 3):
        with pytest.raises(DivergenceError, match="diverged"):
            MLPClassifier(solver="sgd", learning_rate_init=100.0, max_iter=3, n_ensemble=k,
                          random_state=0).fit(X, y)
