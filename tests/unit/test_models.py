"""MLP and TwoLayerNet: gradients, CS231n compatibility, initialisation, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from numpynn import MLP, TwoLayerNet
from numpynn.errors import InputError
from numpynn.gradcheck.checks import check_gradients
from tests.conftest import gradcheck_problem, is_well_conditioned

TOL = 1e-7


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_mlp_gradients_float64(depth, reg):
    hidden = [7, 6, 5, 4][:depth]
    for seed in range(20):
        model, X, y = gradcheck_problem(seed, 9, 5, hidden, 4, reg)
        if is_well_conditioned(model, X, y):
            break
    else:
        pytest.fail("no well-conditioned problem among 20 seeds")
    report = check_gradients(model, X, y)
    assert report.passed, report.to_table()
    assert [r.name for r in report.rows] == list(model.params)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    n=st.integers(2, 10),
    d=st.integers(1, 8),
    hidden=st.lists(st.integers(2, 8), min_size=1, max_size=4),
    c=st.integers(2, 5),
    reg=st.sampled_from([0.0, 0.05, 1.0]),
    scale=st.sampled_from([0.1, 0.5, 1.0]),  # larger inputs: truncation error of h^2 f''' grows
    seed=st.integers(0, 2**16),
)
def test_mlp_gradients_property(n, d, hidden, c, reg, scale, seed):
    model, X, y = gradcheck_problem(seed, n, d, hidden, c, reg, scale)
    assume(is_well_conditioned(model, X, y))
    report = check_gradients(model, X, y)
    assert report.max_rel_error < TOL, report.to_table()


def test_two_layer_net_gradients_and_shapes():
    model = TwoLayerNet(input_dim=6, hidden_dim=8, num_classes=3, weight_scale=0.5, reg=0.1,
                        seed=0)
    rng = np.random.default_rng(1)
    model.params["b1"][:] = rng.standard_normal(8)
    X, y = rng.standard_normal((5, 6)), rng.integers(0, 3, 5)
    assert is_well_conditioned(model, X, y)
    loss, grads = model.loss(X, y)
    assert set(grads) == {"W1", "b1", "W2", "b2"}
    for k in model.params:
        assert grads[k].shape == model.params[k].shape
    assert model.params["W1"].shape == (6, 8) and model.params["b1"].shape == (8,)
    assert check_gradients(model, X, y).passed


def test_float32_model_is_checked_in_float64():
    model, X, y = gradcheck_problem(2, 8, 4, [6], 3, 0.1)
    model32 = model.astype(np.float32)
    assert model32.params["W1"].dtype == np.float32
    report = check_gradients(model32, X, y)
    assert report.max_rel_error < 1e-5  # the float32 weights, checked in float64


def test_cs231n_toy_values_honour_user_params():
    """CS231n's two-layer-net notebook sets params by hand and checks scores and loss."""
    N, D, H, C = 3, 5, 50, 7
    X = np.random.default_rng(0).standard_normal((N, D))
    y = np.array([0, 5, 1])
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-3)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    W1, b1, W2, b2 = (model.params[k] for k in ("W1", "b1", "W2", "b2"))
    scores = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(model.loss(X), scores, rtol=1e-12)
    model.reg = 1.0
    p = np.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    expected = -np.log(p[np.arange(N), y]).mean() + 0.5 * (np.sum(W1**2) + np.sum(W2**2))
    assert model.loss(X, y)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("c", [2, 10, 100])
def test_untrained_loss_is_about_log_c(c):
    rng = np.random.default_rng(0)
    model = TwoLayerNet(20, 30, c, weight_scale=1e-3, seed=0)
    loss, _ = model.loss(rng.standard_normal((50, 20)), rng.integers(0, c, 50))
    assert loss == pytest.approx(np.log(c), rel=1e-3)


def test_gradient_descent_overfits_five_examples():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 10)), np.array([0, 1, 2, 0, 1])
    model = TwoLayerNet(10, 20, 3, weight_scale=0.1, seed=0)
    for _ in range(300):
        loss, grads = model.loss(X, y)
        for k in model.params:
            model.params[k] -= 0.5 * grads[k]
    assert model.loss(X, y)[0] < 0.02
    np.testing.assert_array_equal(model.predict(X), y)


def test_seed_gives_identical_weights_and_init_schemes():
    a = MLP(10, [20, 5], 3, seed=7)
    b = MLP(10, [20, 5], 3, seed=7)
    c = MLP(10, [20, 5], 3, seed=8)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    he = MLP(1000, [500], 3, weight_scale="he", seed=0).params["W1"].std()
    glorot = MLP(1000, [500], 3, weight_scale="glorot", seed=0).params["W1"].std()
    fixed = MLP(1000, [500], 3, weight_scale=0.01, seed=0).params["W1"].std()
    assert he == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert glorot == pytest.approx(np.sqrt(2 / 1500), rel=0.02)
    assert fixed == pytest.approx(0.01, rel=0.02)


def test_predict_and_predict_proba():
    model, X, y = gradcheck_problem(0, 12, 4, [8], 3, 0.0)
    proba = model.predict_proba(X)
    assert proba.shape == (12, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))


def test_dtype_float32_default_and_preserved():
    model = MLP(4, [5], 3, seed=0)
    assert model.params["W1"].dtype == np.float32
    X = np.random.default_rng(0).standard_normal((6, 4))
    loss, grads = model.loss(X, np.zeros(6, dtype=int))
    assert all(g.dtype == np.float32 for g in grads.values())


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(4), None, r"X must be a 2-D array.*reshape\(1, -1\)"),
        (np.zeros((0, 4)), None, "empty batch"),
        (np.zeros((3, 5)), None, "5 features per row.*expects 4"),
        (np.array([[1.0, np.nan, 0, 0]]), None, r"NaN or infinite.*X\[0, 1\] \(row 1, column 2"),
        (np.array([[1.0, np.inf, 0, 0]]), None, "NaN or infinite"),
        (np.zeros((2, 4)), np.array([0, 3]), r"class indices in 0..2; found \[3\]"),
        (np.zeros((2, 4)), np.array([0, -1]), r"found \[-1\]"),
        (np.zeros((2, 4)), np.array([0, 1, 2]), "3 labels but X has 2 rows"),
        (np.zeros((2, 4)), np.array([0.5, 1.0]), "integer class indices"),
        (np.zeros((2, 4)), np.array(["a", "b"]), "integer class indices"),
        (np.zeros((2, 4)), np.zeros((2, 1), dtype=int), "y must be a 1-D array"),
        (np.array([["a", "b", "c", "d"]]), None, "must hold numbers"),
    ],
)
def test_invalid_inputs_raise_clear_value_errors(X, y, match):
    model = MLP(4, [5], 3, seed=0)
    with pytest.raises(ValueError, match=match):
        model.loss(X, y)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(input_dim=0), "input_dim must be a positive integer"),
        (dict(hidden_dims=[]), "hidden_dims must name at least one"),
        (dict(hidden_dims=[5, 0]), r"hidden_dims\[1\] must be a positive integer"),
        (dict(num_classes=1), "num_classes must be at least 2"),
        (dict(reg=-1.0), "reg must be a finite number >= 0"),
        (dict(weight_scale="xavier"), "weight_scale must be a positive number or one of"),
        (dict(weight_scale=-1.0), "weight_scale must be a positive number"),
        (dict(dtype="int32"), "dtype must be float32 or float64"),
    ],
)
def test_invalid_constructor_arguments(kwargs, match):
    args = dict(input_dim=4, hidden_dims=[5], num_classes=3) | kwargs
    with pytest.raises(InputError, match=match):
        MLP(**args)


def test_set_params_checks_keys_and_shapes():
    model = MLP(4, [5], 3, seed=0)
    with pytest.raises(InputError, match="must have keys"):
        model.set_params({"W1": np.zeros((4, 5))})
    bad = {k: np.zeros(v.shape) for k, v in model.params.items()} | {"W1": np.zeros((5, 4))}
    with pytest.raises(InputError, match=r"params\['W1'\] must have shape \(4, 5\)"):
        model.set_params(bad)


def test_config_round_trip():
    model = MLP(4, [5, 6], 3, reg=0.2, seed=0)
    clone = MLP.from_config(model.config(), model.params)
    X = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(clone.loss(X), model.loss(X))
    assert clone.reg == 0.2 and clone.hidden_dims == [5, 6]


@pytest.mark.parametrize("kwargs,said", [
    ({"input_dim": 4, "units": [8], "num_classes": 3}, "numpynn's name for it is 'hidden_dims'"),
    ({"in_features": 4, "hidden_dims": [8], "num_classes": 3},
     "numpynn's name for it is 'input_dim'"),
    ({"input_dim": 4, "hidden_dims": [8], "n_classes": 3},
     "numpynn's name for it is 'num_classes'"),
    ({"input_dim": 4, "hidden_dims": [8], "num_classes": 3, "random_state": 0},
     "numpynn's name for it is 'seed'"),
    ({"input_dim": 4, "hidden_dims": [8], "num_classes": 3, "dropuot": 0.1},
     "did you mean 'dropout'"),
])
def test_mlp_answers_another_librarys_parameter_name_with_its_own(kwargs, said):
    """MLP(units=...), MLP(in_features=...): Python's bare "unexpected keyword argument";
    still a TypeError, and an InputError."""
    with pytest.raises(TypeError, match="unexpected keyword argument") as info:
        MLP(**kwargs)
    assert isinstance(info.value, InputError) and said in str(info.value)
    TwoLayerNet(4, 8, 3, weight_scale=0.1)  # a subclass's own parameters are its own
