"""Habits of scikit-learn, Keras and PyTorch users, round 17 of the probes (branch
habits17).

Each case failed on the code before it: Keras' ``fit(X, y, epochs=10,
validation_data=...)`` was Python's bare "unexpected keyword argument"; ``est.evaluate``,
``est.summary()``, ``model.classes_`` of a saved model a bare AttributeError; a PyTorch
tensor that requires grad (a feature extractor's output) PyTorch's RuntimeError; missing
cells of X scikit-learn's message of several lines naming neither row nor column, a
missing label "Input y contains NaN." (the regressor's own message never reached); a
saved model had no ``score``; and the warnings of ``fit`` named a line of numpynn (or,
behind a decorator, would) instead of the user's.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from numpynn.errors import UnknownParameterError
from numpynn.model_file import SavedModel
from numpynn.sklearn import MLPClassifier, MLPRegressor

torch = pytest.importorskip("torch")

X = np.random.RandomState(0).randn(40, 3)
Y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_a_keras_fit_keyword_is_answered_with_the_estimators_way(cls):
    est = cls(max_iter=1)
    cases = {"epochs": "max_iter", "validation_split": "early_stopping=True",
             "validation_data": "est.score(X_val, y_val)", "callbacks": "loss_curve_",
             "verbose": "is a parameter of the estimator", "lr": "learning_rate_init",
             "sample_weights": "did you mean 'sample_weight'"}
    for name, said in cases.items():
        with pytest.raises(UnknownParameterError, match=f"'{name}'.*{said}".replace(
                "(", r"\(").replace(")", r"\)")) as caught:
            est.fit(X, Y, **{name: 1})
        assert isinstance(caught.value, TypeError) and "\n" not in str(caught.value)
    with pytest.raises(TypeError, match="one epoch per call"):
        est.partial_fit(X, Y, epochs=3)
    # the signatures scikit-learn reads stay the methods' own
    assert list(inspect.signature(cls.fit).parameters) == ["self", "X", "y", "sample_weight"]


def test_a_keras_or_pytorch_method_on_an_estimator_says_what_serves():
    est = MLPClassifier(max_iter=1).fit(X, Y)
    for name, said in {"evaluate": "est.score", "compile": "nothing to compile",
                       "summary": "print(est.model_)", "save": "joblib.dump",
                       "to": "CPU", "state_dict": "model_.params"}.items():
        with pytest.raises(AttributeError, match=f"no attribute '{name}'.*"
                           f"{said.replace('(', '.').replace(')', '.')}"):
            getattr(est, name)
        assert not hasattr(est, name)
    with pytest.raises(AttributeError, match="R\\^2"):
        MLPRegressor().evaluate  # noqa: B018
    with pytest.raises(AttributeError, match="^'MLPClassifier' object has no attribute 'x'$"):
        est.x  # noqa: B018
    assert not hasattr(MLPClassifier(), "classes_")  # scikit-learn's fitted check still works


def test_pytorch_tensors_with_grad_or_in_bfloat16_are_read_as_their_values():
    Xt = torch.tensor(X, requires_grad=True)
    est = MLPClassifier(max_iter=1, random_state=0).fit(
        Xt, torch.tensor(Y), sample_weight=torch.ones(40, requires_grad=True))
    assert np.array_equal(est.predict(Xt), est.predict(X))
    assert MLPClassifier(max_iter=1).fit(Xt.to(torch.bfloat16), Y).model_.dtype == np.float32
    reg = MLPRegressor(max_iter=1, random_state=0).fit(Xt, torch.tensor(X[:, 0],
                                                                      requires_grad=True))
    assert reg.predict(Xt).shape == (40,)
    saved = SavedModel(model=est.model_, classes=est.classes_)
    assert np.array_equal(saved.predict(Xt), est.predict(X))


def test_missing_cells_of_x_and_y_are_one_line_saying_where():
    Xn = X.copy()
    Xn[7, 1] = np.nan
    frame = pd.DataFrame({"a": pd.array([1] * 39 + [None], dtype="Int64"), "b": X[:, 1]})
    for data, where in [(Xn, r"row 7, in column\(s\) \[1\]"),
                        (frame, r"row 39, in column\(s\) \['a'\]")]:
        with pytest.raises(ValueError, match=f"^Input X contains NaN: 1 missing value.*"
                                             f"{where}.*SimpleImputer") as caught:
            MLPClassifier(max_iter=1).fit(data, Y)
        assert "\n" not in str(caught.value)
    fitted = MLPClassifier(max_iter=1).fit(X, Y)
    with pytest.raises(ValueError, match="row 7, in column"):
        fitted.predict(Xn)
    labels = pd.array(list(Y[:-1]) + [None], dtype="Int64")
    with pytest.raises(ValueError, match="row 39 .*every row needs its label"):
        MLPClassifier(max_iter=1).fit(X, labels)
    with pytest.raises(ValueError, match="row 39 .*every row needs its target"):
        MLPRegressor(max_iter=1).fit(X, np.r_[X[:-1, 0], np.nan])


def test_a_saved_model_scores_like_an_estimator_and_names_what_serves():
    est = MLPClassifier(max_iter=5, random_state=0).fit(X, np.where(Y, "yes", "no"))
    saved = SavedModel(model=est.model_, classes=est.classes_)
    y = pd.Series(np.where(Y, "yes", "no"))
    assert saved.score(X, y) == pytest.approx(est.score(X, y))
    weights = np.r_[np.ones(20), np.zeros(20)]
    assert saved.score(X, y, sample_weight=weights) == pytest.approx(
        est.score(X, y, sample_weight=weights))
    with pytest.raises(ValueError, match="none of y's labels .* is one of the model's"):
        saved.score(X, Y)  # 0/1 for classes 'no'/'yes': refused, not scored 0
    reg = MLPRegressor(max_iter=5, random_state=0).fit(X, X[:, 0])
    saved_reg = SavedModel(model=reg.model_, classes=np.array([]),
                           metadata={"task": "regression"})
    assert saved_reg.score(X, X[:, 0]) == pytest.approx(reg.score(X, X[:, 0]))
    for name, said in {"classes_": "model.classes", "evaluate": "model.score",
                       "save": "save_model"}.items():
        with pytest.raises(AttributeError, match=f"'{name}': .*{said}"):
            getattr(saved, name)


def test_the_warnings_of_fit_name_the_users_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MLPClassifier(max_iter=1, batch_size=100).fit(X, Y)
        MLPRegressor(max_iter=1).fit(X, X[:, 0])
    assert {w.category.__name__ for w in caught} == {"UserWarning", "ConvergenceWarning"}
    assert {w.filename for w in caught} == {__file__}
