"""Sparse input: what a ColumnTransformer with a OneHotEncoder gives the estimators."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from numpynn import MLPClassifier, MLPRegressor
from numpynn.errors import InputError


def _frame(n: int = 200, seed: int = 0):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], size=n)
    size = rng.normal(size=n)
    y = ((colour == "red") ^ (size > 0)).astype(int)
    return pd.DataFrame({"colour": colour, "size": size}), y


def _encoder():
    return ColumnTransformer([("text", OneHotEncoder(), ["colour"]),
                              ("number", StandardScaler(), ["size"])],
                             sparse_threshold=1.0)  # always sparse


def test_a_column_transformer_with_one_hot_feeds_the_classifier():
    X, y = _frame()
    assert sparse.issparse(_encoder().fit_transform(X))
    pipe = make_pipeline(_encoder(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=400,
                                                   random_state=0))
    pipe.fit(X, y)
    dense = make_pipeline(_encoder(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=400,
                                                    random_state=0))
    dense[0].set_params(sparse_threshold=0.0)
    dense.fit(X, y)
    np.testing.assert_allclose(pipe.predict_proba(X), dense.predict_proba(X), rtol=1e-6,
                               atol=1e-9)
    assert pipe.score(X, y) > 0.9


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_matrices_give_the_dense_results(fmt):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 6)) * (rng.random((120, 6)) < 0.3)
    y = X[:, 0] - 2 * X[:, 1]
    Xs = sparse.random(1, 1).asformat(fmt)  # the format's class
    Xs = type(Xs)(X)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    dense = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    np.testing.assert_allclose(reg.fit(Xs, y).predict(Xs), dense.fit(X, y).predict(X),
                               rtol=1e-6, atol=1e-9)


def test_a_sparse_matrix_too_big_to_make_dense_is_refused(monkeypatch):
    import numpynn.memory as memory
    monkeypatch.setattr(memory, "physical_memory", lambda: 1000)
    X = sparse.random(100, 50, density=0.01, format="csr", random_state=0)
    with pytest.raises(InputError, match="dense form of the sparse X"):
        MLPClassifier(max_iter=1).fit(X, np.arange(100) % 2)
