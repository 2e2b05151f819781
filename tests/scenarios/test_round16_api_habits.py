"""Habits of scikit-learn users and of scripts that run numpynn's search, round 16 of the
probes (branch api9).

Each case failed on the code before it: a search whose pool worker was killed (the
out-of-memory killer) ended in loky's ``TerminatedWorkerError`` of several lines instead
of a ``SearchError`` saying what happened and how to go on; ...
"""

from __future__ import annotations

import inspect
import os
import pickle
import re
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from numpynn.errors import InputError
from numpynn.gradcheck import numerical_gradient
from numpynn.model_file import SavedModel, load_model, save_model
from numpynn.runs.run import RunOptions
from numpynn.search import SearchError, local, resume_search, search
from numpynn.search.runner import SearchResult
from numpynn.sklearn import MLPClassifier, MLPRegressor


def _die_in_worker(parent: int, data: object) -> list:
    """A pack that kills the pool worker running it (as the out-of-memory killer does);
    in the search's own process, an empty outcome."""
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_a_pool_worker_killed_is_a_search_error_of_one_line_saying_how_to_go_on():
    # before: joblib's TerminatedWorkerError, four lines naming loky's executor
    parent = os.getpid()
    with pytest.raises(SearchError) as err:
        list(local.run_shared(_die_in_worker, [parent] * 4, {"x": 1}, 2))
    message = str(err.value)
    assert "\n" not in message and "SIGKILL" in message
    assert "out-of-memory" in message and "`resume=True`" in message
    # the pool is made again for the next search
    assert list(local.run_shared(_die_in_worker, [parent], {"x": 1}, 2)) == [[]]


IRIS = load_iris()
SMALL = dict(hidden_layer_sizes=(4,), max_iter=2, random_state=0)


def test_an_ensemble_has_no_partial_fit_for_meta_estimators_and_says_why():
    # before: hasattr(est, "partial_fit") was True and the call a ValueError, so
    # scikit-learn's checks and meta-estimators took the ensemble for an online learner
    ensemble = MLPClassifier(**SMALL, n_ensemble=2)
    assert not hasattr(ensemble, "partial_fit")
    with pytest.raises(AttributeError, match="n_ensemble=2 fits its members together"):
        ensemble.partial_fit(IRIS.data, IRIS.target, classes=[0, 1, 2])
    assert hasattr(MLPClassifier(**SMALL), "partial_fit")
    assert hasattr(ensemble.set_params(n_ensemble=1), "partial_fit")


@pytest.mark.parametrize("make, fitted", [
    (lambda X: X[:, 0], False),  # a column taken as X
    (lambda X: pd.Series(X[:, 0]), False),
    (lambda X: X[0], True),  # one row to predict
    (lambda X: X[0].tolist(), True),
])
def test_a_one_axis_x_is_one_line_naming_the_reshape(make, fitted):
    # before: scikit-learn's "Expected 2D array", with the whole array printed (150 values)
    X, y = IRIS.data, IRIS.target
    est = MLPClassifier(**SMALL)
    with pytest.raises(ValueError) as err:
        est.fit(X, y).predict(make(X)) if fitted else est.fit(make(X), y)
    message = str(err.value)
    assert "\n" not in message and "1-D" in message and len(message) < 300
    assert ("reshape(1, -1)" if fitted else "reshape(-1, 1)") in message
    with pytest.raises(ValueError, match="single value"):
        MLPRegressor(**SMALL).fit(X, X[:, 0]).predict(3.0)


def test_a_verbose_ensemble_prints_its_epochs(capsys):
    # before: nothing at all; one network prints every epoch
    MLPClassifier(**SMALL, n_ensemble=2, verbose=True).fit(IRIS.data, IRIS.target)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["Iteration 1", "Iteration 2"]


@pytest.mark.parametrize("keyword, value, said", [
    ("n_jobs", 2, "numpynn's name for it is 'jobs'"),
    ("n_iter", 5, "numpynn's name for it is 'trials'"),
    ("random_state", 0, "numpynn's name for it is 'seed'"),
    ("param_grid", {"lr": [1e-3]}, "numpynn's name for it is 'space'"),
    ("cv", 3, "val_fraction"),
    ("verbose", 1, "on_trial="),
    ("trails", 5, "did you mean 'trials'"),
])
def test_a_search_given_scikit_learns_keywords_names_its_own(keyword, value, said):
    # before: Python's bare "search() got an unexpected keyword argument 'n_jobs'"
    with pytest.raises(TypeError) as err:
        search(RunOptions(data="digits"), {"lr": [1e-3]}, **{keyword: value})
    assert said in str(err.value) and isinstance(err.value, InputError)
    with pytest.raises(TypeError, match="'jobs'"):
        resume_search("nowhere", n_jobs=2)
    assert "jobs" in inspect.signature(search).parameters  # the signature stays


def test_a_search_results_scikit_learn_attributes_say_where_numpynn_keeps_them():
    # before: a bare AttributeError for best_params_, cv_results_, best_estimator_
    result = SearchResult(rows=[{"trial": 1, "val_score": 0.9}], best={"trial": 1})
    for name, said in [("best_params_", "result.best"), ("cv_results_", "result.rows"),
                       ("best_estimator_", "result.saved"), ("best_score_", "val_score")]:
        with pytest.raises(AttributeError, match=f"{name}.*{re.escape(said)}"):
            getattr(result, name)
    assert not hasattr(result, "anything_else")
    assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize("x, error, said", [
    (np.array([1, 2, 3]), TypeError, "dtype int64"),
    (np.array([True, False]), TypeError, "dtype bool"),
    (np.array([1.0, 2.0], dtype=np.float16), ValueError, "x = x.astype(np.float64)"),
    (np.array([1e12, 1.0]), ValueError, "a larger h"),
])
def test_numerical_gradient_of_an_array_that_h_cannot_move_is_refused(x, error, said):
    # before: an int x gave 50000 for the slope 2 of x**2 (x[i] + h stored as x[i]),
    # silently; float16 the same
    with pytest.raises(error, match=re.escape(said)):
        numerical_gradient(lambda v: float((v.astype(float) ** 2).sum()), x)
    grad = numerical_gradient(lambda v: float((v ** 2).sum()), np.array([1.0, 2.0]))
    np.testing.assert_allclose(grad, [2.0, 4.0], rtol=1e-6)


def test_save_model_given_an_estimator_a_network_or_swapped_arguments_says_how(tmp_path):
    # before: "`saved` must be a SavedModel ... got MLPClassifier MLPClassifier(hidden_l"
    # with no word of how an estimator is saved
    X, y = IRIS.data, IRIS.target
    est = MLPClassifier(**SMALL).fit(X, y)
    path = tmp_path / "m.npz"
    with pytest.raises(InputError, match=r"joblib\.dump\(est.*SavedModel\(est\.model_, "
                                         r"est\.classes_\)"):
        save_model(path, est)
    with pytest.raises(InputError, match=r"SavedModel\(model, classes\)"):
        save_model(path, est.model_)
    saved = SavedModel(est.model_, est.classes_)
    with pytest.raises(InputError, match=r"the path comes first"):
        save_model(saved, path)
    save_model(path, saved)  # the recipe the message gives
    np.testing.assert_array_equal(load_model(path).predict(X[:5]), est.predict(X[:5]))


def test_an_ensemble_takes_equal_sample_weights_and_names_unequal_ones():
    # before: sample_weight=np.ones(n) (what scikit-learn's checks and tools pass) was
    # refused as if weighted; equal weights give the same mean loss as none
    X, y = IRIS.data, IRIS.target
    plain = MLPClassifier(**SMALL, n_ensemble=2).fit(X, y).predict_proba(X)
    for weights in (np.ones(len(y)), pd.Series(np.full(len(y), 3.0)), [2] * len(y)):
        weighted = MLPClassifier(**SMALL, n_ensemble=2).fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(weighted.predict_proba(X), plain, rtol=1e-6)
    with pytest.raises(ValueError, match=r"unequal weights \(here from 0 to 149\)"):
        MLPClassifier(**SMALL, n_ensemble=2).fit(X, y, sample_weight=np.arange(150.0))
    with pytest.raises(ValueError, match="non-zero"):
        MLPClassifier(**SMALL, n_ensemble=2).fit(X, y, sample_weight=np.zeros(150))


def _slow_pack(pack: int, data: object) -> list:
    time.sleep(0.2)
    return [pack]


def test_searches_in_two_threads_at_once_keep_their_own_workers():
    # before: one pool per process: the second search, of another size, shut the first's
    # workers down in the middle of its packs (loky's ShutdownExecutorError)
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            outcome["first"] = sorted(p for [p] in local.run_shared(_slow_pack, range(6),
                                                                    {"x": 1}, 2))
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["first"] = exc

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.3)  # the first search's workers are training
    assert sorted(p for [p] in local.run_shared(_slow_pack, range(4), {"x": 1}, 3)) == \
        [0, 1, 2, 3]
    local.kill_workers()  # this thread's pool only
    thread.join()
    assert outcome["first"] == [0, 1, 2, 3, 4, 5]
