"""numpynn.cs231n: assignment 1's and assignment 2's conventions reproduce the course's
published values; the Solver runs the learner's own update rule and keeps its configs."""

from __future__ import annotations

import types

import numpy as np
import pytest

from numpynn import Solver
from numpynn.cs231n import FullyConnectedNet, TwoLayerNet, solver_checkpoint
from numpynn.errors import InputError
from numpynn.gradcheck.checks import PASS, check_gradients, numerical_gradient, rel_error


def toy_a1():
    """The course's toy-data setup of assignment 1's two_layer_net notebook."""
    np.random.seed(0)
    net = TwoLayerNet(4, 10, 3, std=1e-1)
    np.random.seed(1)
    X = 10 * np.random.randn(5, 4)
    return net, X, np.array([0, 1, 2, 2, 1])


def test_assignment1_toy_loss_and_scores_are_the_course_values():
    net, X, y = toy_a1()
    loss, grads = net.loss(X, y, reg=0.05)
    assert abs(loss - 1.30378789133) < 1e-10  # the course's published value
    correct_scores = np.array([[-0.81233741, -1.27654624, -0.70335995],
                               [-0.17129677, -1.18803311, -0.47310444],
                               [-0.51590475, -1.01354314, -0.8504215],
                               [-0.15419291, -0.48629638, -0.52901952],
                               [-0.00618733, -0.12435261, -0.15226949]])
    np.testing.assert_allclose(net.loss(X), correct_scores, atol=1e-7)
    for name in sorted(grads):  # the notebook's own check: each error below 1e-8
        num = numerical_gradient(lambda _: net.loss(X, y, reg=0.05)[0], net.params[name])
        assert rel_error(num, grads[name]) < 1e-7, name


def test_assignment1_penalty_is_reg_sum_w2_and_weights_follow_np_random():
    net, X, y = toy_a1()
    loss0, g0 = net.loss(X, y)
    loss, g = net.loss(X, y, reg=0.05)
    W1, W2 = net.params["W1"], net.params["W2"]
    np.testing.assert_allclose(loss - loss0, 0.05 * (np.sum(W1**2) + np.sum(W2**2)),
                               rtol=1e-12)
    np.testing.assert_allclose(g["W1"] - g0["W1"], 2 * 0.05 * W1, rtol=1e-10, atol=1e-14)
    again, _, _ = toy_a1()
    np.testing.assert_array_equal(again.params["W1"], W1)
    np.random.seed(5)
    assert not np.array_equal(TwoLayerNet(4, 10, 3, std=1e-1).params["W1"], W1)
    assert np.all(net.params["b1"] == 0) and net.params["W1"].dtype == np.float64


def test_assignment2_initial_losses_are_the_course_values():
    np.random.seed(231)
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X, y = np.random.randn(N, D), np.random.randint(C, size=(N,))
    for reg, want in ((0, 2.3004790897684924), (3.14, 7.052114776533016)):
        model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg,
                                  weight_scale=5e-2, dtype=np.float64)
        assert abs(model.loss(X, y)[0] - want) < 1e-10  # the course's printed values


def test_the_dropout_notebooks_check_on_a_seeded_net_passes():
    np.random.seed(231)
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X, y = np.random.randn(N, D), np.random.randint(C, size=(N,))
    for keep in (1, 0.75, 0.5):
        model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=5e-2,
                                  dtype=np.float64, dropout_keep_ratio=keep, seed=123)
        loss, grads = model.loss(X, y)
        assert model.loss(X, y)[0] == loss  # the same mask on every forward
        if keep == 0.5:  # every entry within 1e-7, three-valued (2 s a network)
            report = check_gradients(model, X, y)
            assert report.verdict == PASS, report
        for name in sorted(grads):  # the notebook's plain centred differences
            num = numerical_gradient(lambda _, m=model: m.loss(X, y)[0], model.params[name])
            assert rel_error(num, grads[name]) < 1e-4, (keep, name)


def test_normalization_uses_the_course_names_and_params():
    model = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, normalization="batchnorm",
                              dtype=np.float64)
    assert sorted(model.params) == ["W1", "W2", "W3", "b1", "b2", "b3", "beta1", "beta2",
                                    "gamma1", "gamma2"]
    assert np.all(model.params["gamma1"] == 1)
    FullyConnectedNet([6], input_dim=4, num_classes=3, normalization="layernorm")
    with pytest.raises(InputError, match="'batchnorm' or 'layernorm'"):
        FullyConnectedNet([6], input_dim=4, num_classes=3, normalization="batch")
    with pytest.raises(InputError, match="dropout_keep_ratio"):
        FullyConnectedNet([6], input_dim=4, num_classes=3, dropout_keep_ratio=0)


def sgd_momentum(w, dw, config=None):
    """The course's optim.sgd_momentum, as a learner writes it."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


@pytest.fixture(scope="module")
def small_data():
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((3, 8)) * 3
    y = rng.integers(0, 3, 300)
    X = centers[y] + rng.standard_normal((300, 8))
    return {"X_train": X[:240], "y_train": y[:240], "X_val": X[240:], "y_val": y[240:]}


@pytest.mark.parametrize("how", ["callable", "by name"])
def test_solver_runs_the_learners_update_rule(small_data, how, tmp_path):
    calls = []

    def spy(w, dw, config):
        calls.append(config.get("learning_rate"))
        return sgd_momentum(w, dw, config)

    optim = types.SimpleNamespace(sgd_momentum=spy)
    np.random.seed(0)
    model = FullyConnectedNet([10], input_dim=8, num_classes=3, weight_scale=1e-1)
    kwargs = ({"update_rule": spy} if how == "callable" else
              {"update_rule": "sgd_momentum", "optim": optim})
    solver = Solver(model, small_data, optim_config={"learning_rate": 0.05}, lr_decay=0.5,
                    num_epochs=2, batch_size=60, verbose=False,
                    checkpoint_name=str(tmp_path / "net"), **kwargs)
    solver.train()
    assert len(calls) == 2 * 4 * len(model.params)  # 2 epochs x 4 batches x parameters
    assert calls[0] == pytest.approx(0.05) and calls[-1] == pytest.approx(0.025)  # decayed
    assert set(solver.optim_configs) == set(model.params)
    assert solver.optim_configs["W1"]["velocity"].shape == model.params["W1"].shape
    assert np.mean(solver.loss_history[-4:]) < np.mean(solver.loss_history[:4])
    saved = solver_checkpoint(tmp_path / "net_epoch_2.npz")
    for key in ("update_rule", "lr_decay", "optim_config", "batch_size", "num_train_samples",
                "num_val_samples", "epoch", "loss_history", "train_acc_history",
                "val_acc_history", "model", "optim_configs"):
        assert key in saved, key
    assert saved["epoch"] == 2 and saved["lr_decay"] == 0.5 and saved["batch_size"] == 60
    assert saved["loss_history"] == pytest.approx(solver.loss_history)
    np.testing.assert_array_equal(saved["optim_configs"]["W1"]["velocity"],
                                  solver.optim_configs["W1"]["velocity"])
    assert set(saved["model"]) == set(model.params)
    with np.load(tmp_path / "net_epoch_2.npz", allow_pickle=False) as f:  # no pickle inside
        assert len(f.files) > 0 and all(f[k].dtype != object for k in f.files)


def test_builtin_rules_show_their_state_in_the_course_names(small_data, tmp_path):
    np.random.seed(0)
    model = FullyConnectedNet([10], input_dim=8, num_classes=3, weight_scale=1e-1)
    solver = Solver(model, small_data, update_rule="adam", num_epochs=1, verbose=False,
                    optim_config={"learning_rate": 1e-3}, checkpoint_name=str(tmp_path / "a"))
    solver.train()
    config = solver.optim_configs["W1"]
    assert config["t"] == 3 and config["m"].shape == config["v"].shape == (8, 10)
    saved = solver_checkpoint(tmp_path / "a_epoch_1.npz")
    assert saved["update_rule"] == "adam"
    np.testing.assert_array_equal(saved["optim_configs"]["W1"]["m"], config["m"])


def test_a_bad_update_rule_is_a_clear_error(small_data):
    model = FullyConnectedNet([4], input_dim=8, num_classes=3)
    with pytest.raises(ValueError, match="has no function of that name"):
        Solver(model, small_data, update_rule="adagrad", optim=types.SimpleNamespace())
    solver = Solver(model, small_data, update_rule=lambda w, dw, c: None, verbose=False)
    with pytest.raises(InputError, match="must return \\(next_w, config\\)"):
        solver.train()


class CourseNet:
    """A learner's model: float32 parameters, a float64 dropout mask in its gradients."""

    def __init__(self, D, H, C):
        self.params = {"W1": (0.1 * np.random.randn(D, H)).astype(np.float32),
                       "b1": np.zeros(H, np.float32),
                       "W2": (0.1 * np.random.randn(H, C)).astype(np.float32),
                       "b2": np.zeros(C, np.float32)}

    def loss(self, X, y=None):
        p = self.params
        h = np.maximum(X.astype(np.float32) @ p["W1"] + p["b1"], 0)
        mask = (np.random.rand(*h.shape) < 0.8) / 0.8 if y is not None else 1.0  # float64
        hd = h * mask
        s = hd @ p["W2"] + p["b2"]
        if y is None:
            return s
        N = X.shape[0]
        e = np.exp(s - s.max(1, keepdims=True))
        P = e / e.sum(1, keepdims=True)
        loss = -np.log(P[np.arange(N), y]).mean()
        P[np.arange(N), y] -= 1
        ds = P / N
        dh = (ds @ p["W2"].T) * mask * (h > 0)
        return loss, {"W1": X.T @ dh, "b1": dh.sum(0), "W2": hd.T @ ds, "b2": ds.sum(0)}


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_a_course_model_trains_with_the_course_rules(small_data, rule):
    np.random.seed(0)
    model = CourseNet(8, 10, 3)
    solver = Solver(model, small_data, update_rule=rule, optim_config={"learning_rate": 1e-2},
                    lr_decay=0.9, num_epochs=3, batch_size=60, verbose=False)
    solver.train()  # float64 gradients of float32 parameters: taken, as the course does
    assert model.params["W1"].dtype == np.float32
    assert solver.optim_configs["W1"]["learning_rate"] == pytest.approx(1e-2 * 0.9**3)
    assert np.mean(solver.loss_history[-4:]) < np.mean(solver.loss_history[:4])


def test_the_course_rules_first_steps():
    from numpynn.cs231n.optim import adam, rmsprop, sgd, sgd_momentum

    w, dw = np.array([1.0, -2.0, 3.0]), np.array([0.5, -0.25, 2.0])
    np.testing.assert_allclose(sgd(w, dw, {"learning_rate": 0.1})[0], w - 0.1 * dw)
    nw, cfg = sgd_momentum(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(cfg["velocity"], -0.1 * dw)
    np.testing.assert_allclose(sgd_momentum(nw, dw, cfg)[1]["velocity"], -0.19 * dw)
    nw, cfg = rmsprop(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(nw, w - 0.1 * dw / (np.sqrt(0.01 * dw**2) + 1e-8))
    nw, cfg = adam(w, dw, {"learning_rate": 0.1})  # bias-corrected: a step of lr * sign
    np.testing.assert_allclose(nw, w - 0.1 * np.sign(dw), rtol=1e-6)
    assert cfg["t"] == 1


def test_assignment_1_arguments_to_the_package_two_layer_net_name_the_class_that_takes_them():
    from numpynn import TwoLayerNet
    from numpynn.errors import InputError

    with pytest.raises(InputError, match=r"numpynn\.cs231n\.TwoLayerNet") as info:
        TwoLayerNet(4, 10, 3, std=1e-1)
    assert "std" in str(info.value) and "reg * sum(W**2)" in str(info.value)
    with pytest.raises(InputError, match="unexpected arguments colour"):
        TwoLayerNet(4, 10, 3, colour=1)
