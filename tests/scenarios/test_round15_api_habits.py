"""Habits of scikit-learn, pandas and notebook users in numpynn's Python API, round 8 of
the probes (branch api8).

Each case failed on the code before it: a silent other meaning
(``RunOptions(train=TrainConfig(epochs=20))`` trained with the Trainer's plain SGD and
batches of 200 instead of ``numpynn train``'s Adam), an error of many lines (a DataFrame
given as the data spec printed whole), a vague or foreign error (a saved model given a
SciPy sparse matrix: "setting an array element with a sequence"; a search space value
of ``scipy.stats.loguniform``, as RandomizedSearchCV takes it, shown as its repr), or a
missing name (``numpynn.load_model``: a bare AttributeError).
"""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest

from numpynn.data import load_dataset
from numpynn.errors import InputError
from numpynn.model_file import SavedModel, load_model, save_model
from numpynn.models import MLP
from numpynn.runs.run import RunOptions, default_train_config
from numpynn.search import LogUniform, SearchSpace
from numpynn.training.trainer import TrainConfig


def test_a_train_config_given_to_run_options_keeps_numpynn_trains_other_defaults():
    # before: TrainConfig(epochs=20) brought TrainConfig's own defaults (sgd, batch 200,
    # no patience): digits trained to 14% where numpynn train --epochs 20 gets 97%
    options = RunOptions(train=TrainConfig(epochs=20))
    assert options.train == dataclasses.replace(default_train_config(), epochs=20)
    positional = RunOptions(train=TrainConfig(7, 64)).train
    assert (positional.epochs, positional.batch_size, positional.optimizer) == (7, 64, "adam")
    explicit = RunOptions(train=TrainConfig(epochs=3, optimizer="sgd", batch_size=200)).train
    assert (explicit.optimizer, explicit.batch_size, explicit.lr) == ("sgd", 200, 1e-3)
    assert RunOptions(train=TrainConfig()) == RunOptions()


def test_a_stored_or_copied_train_config_is_taken_whole():
    stored = TrainConfig.from_dict({"epochs": 4})  # a file of an older numpynn: as then
    assert RunOptions(train=stored).train == stored
    made = pickle.loads(pickle.dumps(TrainConfig(epochs=4, lr=0.1)))  # a notebook's
    assert RunOptions(train=made).train.optimizer == "adam"  # saved config: as given
    assert TrainConfig(epochs=4) == TrainConfig(epochs=4)  # equality sees the fields only


@pytest.mark.parametrize("make", [
    lambda frame: RunOptions(data=frame),
    lambda frame: load_dataset(frame),
    lambda frame: TrainConfig(optimizer_kwargs=frame),
])
def test_a_frame_or_array_given_for_a_spec_or_option_is_one_line(make):
    # before: the whole DataFrame's repr, 150 lines, in the message
    frame = pd.DataFrame(np.arange(600.0).reshape(150, 4), columns=list("abcd"))
    with pytest.raises(InputError) as err:
        make(frame)
    message = str(err.value)
    assert "\n" not in message and "DataFrame of shape (150, 4)" in message
    if "data" in message.split(";")[0]:
        assert "df.to_csv('data.csv', index=False)" in message and "MLPClassifier" in message


def test_scipy_distributions_in_a_search_space_are_numpynns_forms_or_named():
    from scipy.stats import loguniform, randint, uniform

    space = SearchSpace(lr=loguniform(1e-4, 1e-2), epochs=randint(5, 8))
    assert space.lr == LogUniform(1e-4, 1e-2) and space.epochs == (5, 6, 7)
    with pytest.raises(InputError, match=r"'dropout' is scipy.stats' uniform distribution.*"
                                         r"give a list of values.*\[0.0, 0.1, 0.3\]"):
        SearchSpace(dropout=uniform(0, 0.5))
    with pytest.raises(InputError, match=r"got 0.001 \(one value is a list of one: \[0.001\]\)"):
        SearchSpace(lr=1e-3)


def _digits_model(tmp_path):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    model = MLP(64, [16], 10, seed=0)
    saved = SavedModel(model, np.arange(10), {"kind": "none", "state": {}})
    save_model(tmp_path / "model.npz", saved)
    return load_model(tmp_path / "model.npz"), X


def test_a_saved_model_takes_sparse_rows_and_images_and_names_a_single_row(tmp_path):
    from scipy import sparse

    saved, X = _digits_model(tmp_path)
    expected = saved.predict_proba(X[:5])
    # before: "setting an array element with a sequence"; images (N, 8, 8): "must be 2-D"
    np.testing.assert_allclose(saved.predict_proba(sparse.csr_matrix(X[:5])), expected)
    np.testing.assert_allclose(saved.predict_proba(X[:5].reshape(5, 8, 8)), expected)
    with pytest.raises(InputError, match=r"shape \(64,\); one example .*X.reshape\(1, -1\)"):
        saved.predict(X[0])
    with pytest.raises(InputError, match=r"shape \(5, 7, 7\); the model takes rows of 64"):
        saved.predict(np.zeros((5, 7, 7)))


def test_names_other_libraries_keep_at_the_top_are_there_or_say_where():
    import numpynn
    from numpynn import load_model as top  # before: ImportError, cannot import name

    assert top is load_model
    with pytest.raises(AttributeError, match=r"run_training\(RunOptions\(data="):
        numpynn.train  # noqa: B018
    assert not hasattr(numpynn, "no_such_name")


def test_a_saved_regression_of_one_target_predicts_a_vector_and_no_probabilities(tmp_path):
    from numpynn.layers import build_layer
    from numpynn.models import Network

    net = Network(2, [build_layer("affine", units=1)], loss="squared_error", seed=0)
    save_model(tmp_path / "r.npz", SavedModel(net, np.array([]), {"kind": "none", "state": {}},
                                              {"task": "regression"}))
    saved = load_model(tmp_path / "r.npz")
    X, y = np.ones((4, 2)), np.zeros(4)
    # before: (4, 1), so y - predict(X) broadcast to (4, 4) and a mean of it was no error
    assert saved.predict(X).shape == (4,) and (y - saved.predict(X)).shape == (4,)
    assert saved.values(X).shape == (4, 1)
    with pytest.raises(InputError, match="regression model .*use predict"):
        saved.predict_proba(X)  # before: the values, as if probabilities


def test_a_classifiers_parameter_given_to_the_regressor_says_what_serves():
    from numpynn import MLPRegressor

    with pytest.raises(TypeError, match="MLPClassifier's only.*VotingRegressor"):
        MLPRegressor(n_ensemble=3)
    with pytest.raises(TypeError, match=r"sample_weight"):
        MLPRegressor().set_params(class_weight="balanced")


def test_a_saved_model_names_missing_cells_of_a_nullable_frame_and_empty_rows(tmp_path):
    saved, X = _digits_model(tmp_path)
    frame = pd.DataFrame(X[:3]).astype("Float64")
    frame.iloc[1, 5] = pd.NA
    # before: TypeError "float() argument must be a string or a real number, not 'NAType'"
    with pytest.raises(InputError, match=r"NaN .*X\[1, 5\] \(row 2, column 6"):
        saved.predict(frame)
    assert saved.predict(pd.DataFrame(X[:3]).astype("Int64")).shape == (3,)
    with pytest.raises(InputError, match=r"X has no rows \(shape \(0, 64\)\)"):
        saved.predict(pd.DataFrame(X[:0]))
