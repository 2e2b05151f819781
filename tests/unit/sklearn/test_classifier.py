"""numpynn.MLPClassifier: scikit-learn's estimator checks, its API, and digits accuracy."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import numpynn
from numpynn import MLPClassifier
from numpynn.errors import DivergenceError
from numpynn.models import MLP
from tests.clirun import REPO

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# No check is skipped or expected to fail. (check_classifier_data_not_an_array is skipped by
# scikit-learn itself when pandas is not installed, and check_array_api_input when
# SCIPY_ARRAY_API is not set.)
@parametrize_with_checks([MLPClassifier()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def blobs(n=120, d=4, classes=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    centres = 3.0 * rng.standard_normal((classes, d))
    X = centres[y] + rng.standard_normal((n, d))
    return X.astype(dtype), y


def test_exported_from_package():
    assert numpynn.MLPClassifier is MLPClassifier


def test_constructor_stores_params_unchanged_and_validates_in_fit():
    est = MLPClassifier(hidden_layer_sizes=[0], solver="lbfgs", reg=-1)
    assert est.get_params()["hidden_layer_sizes"] == [0]
    X, y = blobs()
    for params, word in (({"solver": "lbfgs"}, "solver"), ({"reg": -1.0}, "reg"),
                         ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
                         ({"batch_size": 0}, "batch_size"), ({"max_iter": 0}, "max_iter"),
                         ({"learning_rate_init": 0.0}, "learning_rate_init"),
                         ({"validation_fraction": 1.0}, "validation_fraction")):
        with pytest.raises(ValueError, match=word):
            MLPClassifier(**params).fit(X, y)


def test_dtype_follows_input():
    X, y = blobs()
    for dtype, expected in ((np.float32, np.float32), (np.float64, np.float64),
                            (np.int64, np.float64)):
        est = MLPClassifier(max_iter=5, random_state=0).fit(X.astype(dtype), y)
        assert est.model_.dtype == expected
        assert all(w.dtype == expected for w in est.coefs_ + est.intercepts_)
        assert est.predict_proba(X.astype(dtype)).dtype == expected


def test_string_and_noncontiguous_labels():
    X, y = blobs()
    for labels in (np.array(["cat", "dog", "emu"]), np.array([-5, 7, 100])):
        yy = labels[y]
        est = MLPClassifier(max_iter=50, random_state=0).fit(X, yy)
        np.testing.assert_array_equal(est.classes_, np.sort(labels))
        pred = est.predict(X)
        assert pred.dtype == yy.dtype and set(pred) <= set(labels)
        assert est.score(X, yy) > 0.9
        proba = est.predict_proba(X)
        assert proba.shape == (len(X), 3)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_array_equal(est.classes_[proba.argmax(axis=1)], pred)
        np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), proba, rtol=1e-12)


def test_unfitted_raises():
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(np.zeros((2, 3)))


def test_fitted_attributes_and_determinism():
    X, y = blobs()
    a = MLPClassifier(max_iter=30, random_state=3).fit(X, y)
    b = clone(a).fit(X, y)
    assert a.n_iter_ == len(a.loss_curve_) <= 30
    assert a.t_ == a.n_iter_ * len(X)
    assert a.validation_scores_ is None and a.best_validation_score_ is None
    assert a.best_loss_ == min(a.loss_curve_)
    assert a.n_layers_ == 3 and a.n_outputs_ == 3 and a.out_activation_ == "softmax"
    assert isinstance(a.model_, MLP) and a.model_.hidden_dims == [100]
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(wa, wb)
    c = MLPClassifier(max_iter=30, random_state=4).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))


def test_tol_stops_before_max_iter_and_max_iter_warns():
    X, y = blobs()
    est = MLPClassifier(max_iter=500, tol=1e-2, n_iter_no_change=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.n_iter_ < 500
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        MLPClassifier(max_iter=2, random_state=0).fit(X, y)


def test_early_stopping_keeps_best_validation_epoch():
    X, y = blobs(n=300)
    est = MLPClassifier(early_stopping=True, validation_fraction=0.2, n_iter_no_change=3,
                        max_iter=200, random_state=0).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_ == len(est.loss_curve_)
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None
    assert est.n_iter_ < 200


def test_partial_fit_is_one_epoch_and_continues():
    X, y = blobs(n=200)
    labels = np.array(["a", "b", "c"])[y]
    est = MLPClassifier(random_state=0, learning_rate_init=1e-2)
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(X, labels)
    est.partial_fit(X[:100], labels[:100], classes=["a", "b", "c"])
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 1
    for _ in range(9):
        est.partial_fit(X[100:], labels[100:])
    assert est.n_iter_ == 10 and est.t_ == 100 + 9 * 100
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert est.score(X, labels) > 0.9
    with pytest.raises(ValueError, match="not in classes"):
        est.partial_fit(X[:3], ["a", "b", "zebra"])
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :2], labels)
    # the same epochs through partial_fit from a fresh estimator give the same network
    again = MLPClassifier(random_state=0, learning_rate_init=1e-2)
    again.partial_fit(X[:100], labels[:100], classes=["a", "b", "c"])
    for _ in range(9):
        again.partial_fit(X[100:], labels[100:])
    np.testing.assert_array_equal(again.coefs_[0], est.coefs_[0])


def test_warm_start_continues_and_cold_start_restarts():
    X, y = blobs()
    est = MLPClassifier(max_iter=5, tol=0.0, warm_start=True, random_state=0).fit(X, y)
    first = est.coefs_[0].copy()
    est.fit(X, y)
    assert est.n_iter_ == 10 and len(est.loss_curve_) == 10
    assert not np.array_equal(est.coefs_[0], first)
    est.set_params(warm_start=False).fit(X, y)
    assert est.n_iter_ == 5
    np.testing.assert_array_equal(est.coefs_[0], first)
    with pytest.raises(ValueError, match="same classes"):
        est.set_params(warm_start=True).fit(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match="hidden"):
        est.set_params(hidden_layer_sizes=(8,)).fit(X, y)


def test_verbose_prints_each_epoch(capsys):
    X, y = blobs()
    MLPClassifier(max_iter=3, verbose=True, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Iteration") == 3 and "loss = " in out


def test_solvers_all_learn():
    X, y = blobs()
    for solver, lr in (("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05),
                       ("rmsprop", 1e-2), ("adam", 1e-2)):
        est = MLPClassifier(solver=solver, learning_rate_init=lr, max_iter=30, random_state=0)
        assert est.fit(X, y).score(X, y) > 0.9, solver


def test_reg_is_sklearn_alpha_divided_by_batch_size():
    """sklearn's loss (penalty alpha / (2 n_batch) * ||W||^2) equals numpynn's with
    reg = alpha / n_batch, on the same weights (sklearn's loss_curve_ of a full-batch epoch
    is the objective at the weights before the epoch's update)."""
    from sklearn.neural_network import MLPClassifier as SkMLP

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 5)), np.arange(60) % 3
    alpha = 0.5
    sk = SkMLP(hidden_layer_sizes=(7,), alpha=alpha, batch_size=60, solver="sgd", momentum=0,
               learning_rate_init=1e-3, max_iter=1, shuffle=False, warm_start=True,
               random_state=0)
    sk.fit(X, y)
    params = {"W1": sk.coefs_[0].copy(), "b1": sk.intercepts_[0].copy(),
              "W2": sk.coefs_[1].copy(), "b2": sk.intercepts_[1].copy()}
    sk.fit(X, y)
    model = MLP(5, [7], 3, reg=alpha / 60, dtype="float64")
    model.set_params(params)
    loss, _ = model.loss(X, y)
    assert loss == pytest.approx(sk.loss_curve_[-1], rel=1e-12)


def test_pipeline_grid_search_cross_val_clone():
    X, y = load_digits(return_X_y=True)
    X, y = X[:400], y[:400]
    pipe = make_pipeline(StandardScaler(),
                         MLPClassifier(max_iter=30, learning_rate_init=1e-2, random_state=0))
    grid = GridSearchCV(pipe, {"mlpclassifier__hidden_layer_sizes": [(16,), (64,)],
                               "mlpclassifier__reg": [1e-4, 1e-2]}, cv=3)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"mlpclassifier__hidden_layer_sizes", "mlpclassifier__reg"}
    assert grid.score(X, y) > 0.9
    scores = cross_val_score(clone(pipe), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85


@pytest.mark.slow
def test_digits_cross_validation_accuracy():
    """The README's figure: benchmarks/digits_cv.py's two cross-validations meet their bars
    (about 50 s: slow)."""
    import importlib.util

    path = REPO / "benchmarks" / "digits_cv.py"
    spec = importlib.util.spec_from_file_location("digits_cv", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    scores = bench.cross_validate()
    for name, bar in bench.BARS.items():
        assert scores[name].mean() >= bar, (name, scores[name])


def test_a_dataframe_with_text_columns_names_them_and_the_encoder():
    """Text or categorical columns in a DataFrame: a ValueError naming them and the
    encoder to use, for fit and predict; numbers, booleans and pandas' nullable integers
    are taken."""
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=40), "n": pd.array(np.arange(40) % 4, "Int64"),
                          "flag": np.arange(40) % 2 == 0})
    y = np.arange(40) % 2
    est = MLPClassifier(max_iter=2, random_state=0).fit(frame, y)
    with_text = frame.assign(town=["a", "b"] * 20, kind=pd.Categorical(["u", "v"] * 20))
    for call in (lambda: MLPClassifier(max_iter=2).fit(with_text, y),
                 lambda: est.predict(with_text)):
        with pytest.raises(ValueError, match=r"2 column\(s\) of text or categories "
                                             r"\['town', 'kind'\].*OneHotEncoder"):
            call()


@pytest.mark.parametrize("name,value,expect", [
    ("alpha", 1e-3, "numpynn's name for it is 'reg'"),
    ("learning_rate", "adaptive", "learning_rate_init"),
    ("shuffle", False, "shuffled every epoch, always"),
    ("nesterovs_momentum", True, "solver='nesterov'"),
    ("power_t", 0.5, "invscaling"),
    ("max_fun", 100, "lbfgs"),
    ("epochs", 5, "'max_iter'"),
    ("max_iterr", 5, "did you mean 'max_iter'"),
])
def test_scikit_learns_own_parameter_names_get_numpynns(name, value, expect):
    """scikit-learn's MLP parameters that numpynn names otherwise (or lacks) are refused
    with numpynn's equivalent, in the constructor and in set_params (GridSearchCV's way),
    as a TypeError (Python's type for an unexpected keyword) that is also an InputError;
    clone, get_params and set_params of the real parameters keep working."""
    from numpynn.errors import InputError

    for cls in (MLPClassifier, numpynn.MLPRegressor):
        with pytest.raises(TypeError, match="unexpected keyword argument") as info:
            cls(**{name: value})
        assert isinstance(info.value, InputError) and expect in str(info.value)
        assert "Its parameters: activation" in str(info.value)
        with pytest.raises(ValueError, match=r"set_params\(\) got an unexpected keyword"):
            cls().set_params(**{name: value})
    est = MLPClassifier(reg=0.1, max_iter=3)
    assert clone(est).get_params()["reg"] == 0.1
    assert est.set_params(reg=0.2).reg == 0.2
    assert pickle.loads(pickle.dumps(est)).reg == 0.2
    assert make_pipeline(StandardScaler(), est).set_params(mlpclassifier__reg=0.3)


def test_max_iter_has_an_upper_bound():
    X, y = blobs()
    with pytest.raises(ValueError, match="max_iter"):
        MLPClassifier(max_iter=10**22).fit(X, y)


def test_a_dataframe_with_date_columns_names_them_and_how_to_make_numbers():
    """A datetime or timedelta column was called one "of text or categories", with a
    OneHotEncoder as the advice: a one-hot column per date."""
    import pandas as pd

    frame = pd.DataFrame({"x": np.arange(40.0), "seen": pd.date_range("2020-01-01", periods=40),
                          "took": pd.to_timedelta(np.arange(40), unit="s")})
    y = np.arange(40) % 2
    with pytest.raises(ValueError, match=r"2 column\(s\) of dates, times or durations "
                                         r"\['seen', 'took'\].*dt\.year") as info:
        MLPClassifier(max_iter=2).fit(frame, y)
    assert "OneHotEncoder" not in str(info.value)


@pytest.mark.parametrize("make_y,said", [
    (lambda y: np.eye(3)[y], "one-hot encoded labels (as Keras' to_categorical or pandas' "
     "get_dummies make). MLPClassifier takes one label per row: fit(X, y.argmax(axis=1))"),
    (lambda y: np.c_[np.eye(3)[y][:, :2], np.ones(len(y))], "multi-label targets"),
    (lambda y: np.c_[y * 0.5, y * 2.0], "2 target columns for 120 rows"),
    (lambda y: y * 0.5, "Unknown label type: continuous. y holds numbers that are not whole"),
    (lambda y: np.array(["a", 1, 2] * 40, dtype=object),
     "y holds text ('a') and numbers (1); make the labels one kind, e.g. y.astype(str)"),
    (lambda y: np.array(["a", None, "b"] * 40, dtype=object), "y has 40 missing label(s)"),
    (lambda y: __import__("pandas").Series(np.array(["a", "b", "c"])[y]).astype("string")
     .where(y != 1), "y has 40 missing label(s) (None, NaN or pandas' NA)"),
])
@pytest.mark.parametrize("fit", ["fit", "partial_fit"])
def test_a_y_that_is_not_one_label_per_row_is_named_with_what_to_pass(make_y, said, fit):
    """Keras' one-hot y, multi-label rows, target columns, a regression's numbers, labels
    mixing text and numbers: a ValueError saying which and what to pass, not scikit-learn's
    "y should be a 1d array" or a TypeError from sorting the labels."""
    X, y = blobs()
    kwargs = {"classes": [0, 1, 2]} if fit == "partial_fit" else {}
    with pytest.raises(ValueError) as info:
        getattr(MLPClassifier(max_iter=2), fit)(X, make_y(y), **kwargs)
    assert said in str(info.value)
    # whole numbers as floats and a column vector are labels, as in scikit-learn
    assert set(MLPClassifier(max_iter=2).fit(X, y + 1.0).classes_) == {1.0, 2.0, 3.0}


@pytest.mark.parametrize("n,fraction,said", [
    (6, 0.1, "holds out validation_fraction=0.1 of the 6 rows: 1 for validation and 5 for "
             "training, so the validation part would have 1 row(s), fewer than the 3 classes"),
    (9, 0.9, "so the training part would have 0 row(s), fewer than the 3 classes; give more "
             "rows, a smaller validation_fraction"),
])
def test_an_early_stopping_split_too_small_for_the_classes_is_named(n, fraction, said):
    """It was train_test_split's "The test_size = 1 should be greater or equal to the number
    of classes = 3", naming neither early_stopping nor validation_fraction."""
    X, y = blobs(n=n)
    with pytest.raises(ValueError) as info:
        MLPClassifier(early_stopping=True, validation_fraction=fraction, max_iter=2).fit(X, y)
    assert said in str(info.value)


@pytest.mark.parametrize("make_X,said", [
    (lambda X: np.repeat(X[:, :, None], 2, axis=2), "X.reshape(len(X), -1)"),
    (lambda X: np.column_stack([X[:, 0], np.where(X[:, 1] > 0, "up", "down")]).astype(object),
     "column 1 holds text ('"),
    (lambda X: [[float(r[0]), "up"] for r in X], "column 1 holds text ('up', row 0)"),
])
def test_images_and_text_columns_of_an_array_are_named_with_the_fix(make_X, said):
    """scikit-learn's "Found array with dim 3" and "could not convert string to float"
    said neither which column nor what to do."""
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    with pytest.raises(ValueError) as err:
        MLPClassifier(max_iter=1).fit(make_X(X), y)
    assert said in str(err.value)


def test_numbers_written_as_text_in_an_array_are_still_read():
    X = np.random.default_rng(0).normal(size=(20, 2))
    model = MLPClassifier(max_iter=1).fit(X.astype(str), np.arange(20) % 2)
    assert model.predict(X.astype(str)).shape == (20,)


def test_labels_that_differ_only_in_case_or_spaces_are_warned():
    """' pos', 'Pos' and 'pos' were three classes without a word (the CLI warned)."""
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.array(["pos", " pos", "Pos", "neg", "neg", "neg"] * 5)
    with pytest.warns(UserWarning, match="differ only in letter case, spaces") as seen:
        MLPClassifier(max_iter=1).fit(X, y)
    assert "' pos'" in str(seen[0].message) or "' pos'" in str(seen[-1].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(max_iter=1).fit(X, np.array(["pos", "neg"] * 15))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("params, scale, said, unsaid", [
    ({"learning_rate_init": 1e6}, 1e3, "learning_rate_init=100000", "`lr"),
    ({"learning_rate_init": 1e6, "n_ensemble": 2}, 1e3, "learning_rate_init=100000", "`lr"),
    ({"weight_scale": 1e4}, 1e6, "make_pipeline(StandardScaler(), est)", "preprocessing"),
    ({"reg": 1e10}, 1.0, "reg=1e+10 is far too large", "weight_scale"),
])
def test_a_divergence_names_the_estimators_parameters(params, scale, said, unsaid):
    """The Trainer's DivergenceError names the library's parameters (```lr=...```,
    ```preprocessing='standardize'```), which the estimators do not have: it is raised
    in their terms (learning_rate_init, a StandardScaler in a pipeline)."""
    X, y = blobs()
    est = MLPClassifier(max_iter=5, random_state=0, **params)
    with pytest.raises(DivergenceError) as info:
        est.fit(X * scale, y)
    assert said in str(info.value) and unsaid not in str(info.value)


def test_verbose_takes_an_int_as_scikit_learns(capsys):
    """verbose=1 (scikit-learn's habit: its constraint is 'verbose', an int or a bool)
    was refused as not a bool."""
    X, y = blobs()
    MLPClassifier(verbose=1, max_iter=1).fit(X, y)
    assert "Iteration 1" in capsys.readouterr().out


@pytest.mark.parametrize("params, fit_kw, said", [
    ({}, {"sample_weight": np.r_[-1.0, np.ones(119)]}, "sample_weight gives 1 row"),
    ({"class_weight": {0: -1.0, 1: 1.0, 2: 1.0}}, {}, "class_weight gives 40 row"),
])
def test_negative_weights_are_refused_naming_their_parameter(params, fit_kw, said):
    """A negative class_weight was refused from the Trainer as 'sample_weight must hold
    finite weights >= 0', naming a parameter the user had not given."""
    X, y = blobs()
    with pytest.raises(ValueError, match=said):
        MLPClassifier(max_iter=2, **params).fit(X, y, **fit_kw)


@pytest.mark.parametrize("cells", [
    lambda y: (y % 2).tolist(),  # Python ints
    lambda y: (y / 3).tolist(),  # Python floats
    lambda y: (y % 2 == 0).tolist(),  # Python bools
])
def test_an_object_column_of_numbers_is_numbers_not_text(cells):
    """A DataFrame column of dtype object holding Python numbers (a frame built from rows
    of mixed lists, or transposed) was refused as 'text or categories' with the advice to
    one-hot encode it; scikit-learn reads it as numbers, and so do the estimators now."""
    pd = pytest.importorskip("pandas")
    X, y = blobs()
    frame = pd.DataFrame(X, columns=list("abcd")).assign(e=pd.Series(cells(y), dtype=object))
    est = MLPClassifier(max_iter=2, random_state=0).fit(frame, y)
    assert est.n_features_in_ == 5 and est.predict(frame).shape == (120,)
    with pytest.raises(ValueError, match=r"text or categories \['e'\]"):  # text still is
        est.fit(frame.assign(e=["x"] + cells(y)[1:]), y)


def test_partial_fit_names_the_labels_its_classes_leave_out():
    """classes=[0] with y of 0s and 1s said 'needs samples of at least 2 classes in the
    data; got 1 class' of data that held 2."""
    X, y = blobs(classes=2)
    with pytest.raises(ValueError, match=r"y contains labels \[1\] not in classes=\[0\]"):
        MLPClassifier().partial_fit(X, y, classes=[0])


def test_partial_fit_refuses_balanced_class_weight_naming_the_dict_to_give():
    """class_weight='balanced' in partial_fit balanced each batch on its own counts (a
    batch of one class weighed it 1), silently unlike fit; scikit-learn's SGDClassifier
    refuses it, and so does partial_fit now, naming the dict that does it."""
    X, y = blobs()
    with pytest.raises(ValueError, match="compute_class_weight"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    MLPClassifier(class_weight={0: 1.0, 1: 2.0, 2: 1.0}).partial_fit(X, y, classes=[0, 1, 2])
