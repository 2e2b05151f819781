"""Squared-error loss: values, gradcheck in float64, the engine's kernel against the
readable reference (float32/float64, weighted), R^2 / RMSE / MAE and the target scaler."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.neural_network._base import squared_loss

from numpynn.data.preprocessing import TargetScaler
from numpynn.errors import InputError, ModelFileError
from numpynn.evaluation import r2_and_loss, regression_metrics
from numpynn.gradcheck.checks import numerical_gradient, rel_error
from numpynn.layers import build_layer
from numpynn.losses import LOSSES, SquaredError, make_loss, squared_error
from numpynn.models import Network, hidden_block
from numpynn.training.engine import Engine
from numpynn.training.trainer import TrainConfig, Trainer


def test_registered_and_values_by_hand():
    assert LOSSES["squared_error"] is SquaredError
    loss = make_loss("squared_error")
    scores = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[0.0, 2.0], [2.0, 1.0]])
    value, d = loss(scores, y)
    assert value == pytest.approx(0.5 * (1 + 0 + 4 + 4) / 2)
    np.testing.assert_allclose(d, (scores - y) / 2)
    assert loss.output(scores) is scores


@pytest.mark.parametrize("k", [1, 3])
def test_relation_to_scikit_learns_reported_value(k):
    rng = np.random.default_rng(k)
    scores, y, w = rng.standard_normal((9, k)), rng.standard_normal((9, k)), rng.random(9)
    ours = squared_error(scores, y, w)[0]
    assert ours == pytest.approx(k * squared_loss(y, scores, w), rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k", [1, 4])
def test_gradcheck_float64(weighted, k):
    rng = np.random.default_rng(10 * k + weighted)
    scores, y = rng.standard_normal((7, k)), 3 * rng.standard_normal((7, k))
    w = rng.random(7) if weighted else None
    _, d = squared_error(scores, y, w)
    num = numerical_gradient(lambda s: squared_error(s, y, w)[0], scores.copy())
    assert rel_error(d, num) < 1e-7


def test_weights_are_a_weighted_mean():
    rng = np.random.default_rng(0)
    scores, y = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    w = np.array([2.0, 0, 1, 1, 0, 0])
    rows = [0, 0, 2, 3]  # weight 2 is the row twice
    assert squared_error(scores, y, w)[0] == pytest.approx(
        squared_error(scores[rows], y[rows])[0])
    assert squared_error(scores, y, np.zeros(6))[0] == 0.0
    np.testing.assert_allclose(squared_error(scores, y, np.ones(6))[1],
                               squared_error(scores, y)[1])


def test_targets_checked():
    loss = SquaredError()
    assert loss.check_targets(np.arange(4), 4, 1).shape == (4, 1)
    assert loss.check_targets(np.ones((4, 2), np.float32), 4, 2).dtype == np.float64
    for bad, word in ((np.ones(4), "shape"), (np.ones((3, 2)), "rows"),
                      (np.array([[1.0, np.nan]] * 4), "NaN"), (np.array(["a"] * 4), "numbers")):
        with pytest.raises(InputError, match=word):
            loss.check_targets(bad, 4, 2)


def regression_net(dtype, k, reg=0.0, hidden=(8, 5), normalization=None):
    layers = []
    for h in hidden:
        layers += hidden_block(h, "tanh", 0.0, normalization)
    layers.append(build_layer("affine", units=k))
    return Network(6, layers, loss="squared_error", reg=reg, dtype=dtype, seed=3)


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_engine_matches_reference(dtype, tol, k, weighted):
    rng = np.random.default_rng(k)
    model = regression_net(dtype, k, reg=0.1)
    fast = Engine(model, 16)
    assert type(fast.loss_kernel).__name__ == "SquaredErrorKernel"
    for b in (16, 5, 16, 1):
        X = rng.standard_normal((b, 6)).astype(dtype)
        y = model.loss_fn.check_targets(rng.standard_normal((b, k)), b, k)
        w = rng.random(b) if weighted else None
        loss_ref, grads_ref = model.loss(X, y, sample_weight=w)
        loss, grads = fast.loss_and_grads(X, y, w)
        assert loss == pytest.approx(loss_ref, rel=tol)
        for key, g in grads_ref.items():
            scale = max(float(np.max(np.abs(g))), 1e-30)
            np.testing.assert_allclose(grads[key], g, rtol=tol, atol=tol * scale, err_msg=key)


def test_training_engine_equals_reference_loop():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 6))
    y = np.c_[np.sin(X[:, 0]), X[:, 1] * X[:, 2]]
    results = []
    for fast in (True, False):
        model = regression_net("float64", 2)
        cfg = TrainConfig(epochs=3, batch_size=32, optimizer="adam", lr=1e-2, seed=1)
        h = Trainer(model, X, y, X[:30], y[:30], config=cfg, fast=fast).train()
        assert h.engine.startswith("engine" if fast else "reference")
        results.append((model.params["W1"].copy(), h.val_loss))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)


def test_trainer_records_r2_and_keeps_the_best_validation_epoch():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((400, 6))
    y = X[:, :1] * 2 + X[:, 1:2] ** 2
    model = regression_net("float64", 1)
    cfg = TrainConfig(epochs=15, batch_size=32, optimizer="adam", lr=1e-2, seed=0)
    h = Trainer(model, X[:300], y[:300], X[300:], y[300:], config=cfg).train()
    best = h.best_epoch - 1
    assert h.val_score[best] == max(h.val_score) and h.val_loss[best] == min(h.val_loss)
    r2, loss = r2_and_loss(model, X[300:], y[300:])
    assert r2 == pytest.approx(h.val_score[best]) and r2 > 0.8
    assert r2 == pytest.approx(r2_score(y[300:], model.forward(X[300:])))


def test_chunked_r2_matches_scikit_learn_on_offset_targets():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((100, 6))
    y = 1e6 + rng.standard_normal((100, 2))  # large offset: no cancellation
    model = regression_net("float64", 2)
    r2, _ = r2_and_loss(model, X, y, chunk=7)
    assert r2 == pytest.approx(r2_score(y, model.forward(X)), rel=1e-9)


def test_regression_metrics_agree_with_scikit_learn():
    rng = np.random.default_rng(3)
    t, p = rng.standard_normal((50, 2)), rng.standard_normal((50, 2))
    m = regression_metrics(t, p)
    assert m["r2"] == pytest.approx(r2_score(t, p))
    assert m["rmse"] == pytest.approx(np.sqrt(mean_squared_error(t, p)))
    assert m["mae"] == pytest.approx(mean_absolute_error(t, p))
    assert regression_metrics(np.ones(4), np.ones(4))["r2"] == 1.0


def test_target_scaler_round_trip_and_state():
    rng = np.random.default_rng(4)
    y = rng.standard_normal((30, 2)) * [10.0, 0.1] + [100.0, -3.0]
    y[:, 1] = 5.0  # a constant column keeps scale 1
    s = TargetScaler().fit(y)
    z = s.transform(y)
    np.testing.assert_allclose(z[:, 0].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(z[:, 0].std(), 1)
    assert s.scale[1] == 1.0
    again = TargetScaler.from_state(s.state(), 2)
    np.testing.assert_allclose(again.inverse_transform(z), y)
    with pytest.raises(ModelFileError, match="target scaler"):
        TargetScaler.from_state(s.state(), 3)
    with pytest.raises(ModelFileError, match="damaged"):
        TargetScaler.from_state({"mean": [1.0]}, 1)


def test_best_epoch_kept_when_r2_is_below_minus_one(tmp_path):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 6))
    y = 100.0 + rng.standard_normal((60, 1))  # unscaled: R^2 far below -1 for a while
    model = regression_net("float64", 1)
    cfg = TrainConfig(epochs=2, batch_size=30, optimizer="sgd", lr=1e-6, seed=0)
    trainer = Trainer(model, X, y, X, y, config=cfg, checkpoint=tmp_path / "c.npz")
    h = trainer.train()
    assert max(h.val_score) < -1 and h.best_epoch >= 1 and trainer.best_state is not None
    again = Trainer(regression_net("float64", 1), X, y, X, y, config=cfg)
    again.resume(tmp_path / "c.npz")  # the checkpoint's best score round-trips
    assert again.best_val_score == trainer.best_val_score
