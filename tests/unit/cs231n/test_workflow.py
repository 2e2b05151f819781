"""CS231n's workflow: assignment 1's TwoLayerNet calls and the course's Solver."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

import numpynn
from numpynn import Solver, TwoLayerNet
from numpynn.training.trainer import Trainer


@pytest.fixture(scope="module")
def digits() -> dict[str, np.ndarray]:
    d = load_digits()
    X = (d.data / 16.0 - 0.5).astype(np.float64)
    y = d.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X[order], y[order]
    return {"X_train": X[:1200], "y_train": y[:1200], "X_val": X[1200:1500],
            "y_val": y[1200:1500]}


def test_assignment1_loss_with_reg_argument() -> None:
    """``net.loss(X, y, reg=0.05)``: the reg argument is used for this call only."""
    net = TwoLayerNet(4, 10, 3, weight_scale=1e-1, seed=0)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 4)), np.array([0, 1, 2, 2, 1])
    scores = net.loss(X)
    assert scores.shape == (5, 3)
    loss0, grads0 = net.loss(X, y)
    loss, grads = net.loss(X, y, reg=0.05)
    penalty = 0.5 * 0.05 * (np.sum(net.params["W1"] ** 2) + np.sum(net.params["W2"] ** 2))
    assert loss == pytest.approx(loss0 + penalty, rel=1e-12)
    np.testing.assert_allclose(grads["W1"], grads0["W1"] + 0.05 * net.params["W1"])
    np.testing.assert_allclose(grads["b1"], grads0["b1"])
    assert net.reg == 0.0  # the model's own reg is unchanged


def test_assignment1_train_and_predict(digits, capsys) -> None:
    net = TwoLayerNet(64, 50, 10, weight_scale=1e-1, seed=0)
    X, y = digits["X_train"], digits["y_train"]
    stats = net.train(X, y, digits["X_val"], digits["y_val"], learning_rate=0.5,
                      learning_rate_decay=0.95, reg=1e-4, num_iters=300, batch_size=200)
    assert set(stats) == {"loss_history", "train_acc_history", "val_acc_history"}
    assert len(stats["loss_history"]) == 300
    # iterations_per_epoch = 1200 / 200 = 6: records at it = 0, 6, ..., 294
    assert len(stats["train_acc_history"]) == len(stats["val_acc_history"]) == 50
    first, last = np.mean(stats["loss_history"][:10]), np.mean(stats["loss_history"][-10:])
    assert first == pytest.approx(np.log(10), rel=0.1)
    assert last < 0.5 * first
    pred = net.predict(digits["X_val"])
    assert pred.shape == (300,) and pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, np.argmax(net.loss(digits["X_val"]), axis=1))
    assert np.mean(pred == digits["y_val"]) > 0.85
    assert capsys.readouterr().out == ""  # verbose=False: silent


def test_assignment1_train_semantics(digits, capsys) -> None:
    """Minibatches drawn with replacement from the seeded generator; the learning rate
    decays at each recorded epoch; verbose prints every 100 iterations."""
    X, y = digits["X_train"][:100], digits["y_train"][:100]
    a = TwoLayerNet(64, 20, 10, weight_scale=1e-1, seed=3)
    b = TwoLayerNet(64, 20, 10, weight_scale=1e-1, seed=3)
    sa = a.train(X, y, X, y, num_iters=201, batch_size=50, verbose=True)
    out = capsys.readouterr().out.splitlines()
    assert out == [f"iteration {i} / 201: loss {sa['loss_history'][i]:f}" for i in (0, 100, 200)]
    sb = b.train(X, y, X, y, num_iters=201, batch_size=50)
    assert sa == sb  # same seed, same run
    assert len(sa["val_acc_history"]) == len(range(0, 201, 2))
    # batch_size > N: iterations_per_epoch = max(N / B, 1) = 1, every iteration records
    c = TwoLayerNet(64, 20, 10, seed=0)
    sc = c.train(X[:30], y[:30], X, y, num_iters=5, batch_size=64)
    assert len(sc["train_acc_history"]) == 5


def test_assignment1_train_decay_and_replacement(monkeypatch) -> None:
    """Minibatches drawn with replacement; w -= lr * dw, the rate decayed after the step of
    every epoch's first iteration (the course's schedule): with every gradient 1, each
    step moves a weight by exactly the rate it used."""
    net = TwoLayerNet(3, 4, 2, weight_scale=1e-1, seed=0)
    X = np.random.default_rng(0).standard_normal((10, 3))
    y = np.arange(10) % 2
    draws, weights = [], []
    real = net.rng
    real_choice = net.rng.choice

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def choice(self, *args, **kwargs):
            draws.append(kwargs.get("replace"))
            weights.append(float(net.params["W1"][0, 0]))  # before this iteration's step
            return real_choice(*args, **kwargs)

    net.rng = Spy()
    ones = {k: np.ones_like(v) for k, v in net.params.items()}
    monkeypatch.setattr(net, "loss", lambda X, y=None, reg=0.0: (0.0, ones) if y is not None
                        else np.zeros((len(X), 2)))
    net.train(X, y, X, y, learning_rate=1.0, learning_rate_decay=0.5, num_iters=6,
              batch_size=5)
    weights.append(float(net.params["W1"][0, 0]))
    assert draws == [True] * 6
    lrs = -np.diff(weights)
    # iterations_per_epoch = 10 / 5 = 2: the course decays after the step of it = 0, 2, 4
    assert lrs == pytest.approx([1.0, 0.5, 0.5, 0.25, 0.25, 0.125])


def test_solver_as_the_course_uses_it(digits, capsys) -> None:
    model = TwoLayerNet(64, 50, 10, weight_scale=1e-1, reg=1e-4, seed=0)
    solver = Solver(model, digits, update_rule="sgd", optim_config={"learning_rate": 0.2},
                    lr_decay=0.95, num_epochs=5, batch_size=100, print_every=20)
    solver.train()
    out = capsys.readouterr().out.splitlines()
    its = 5 * 12
    assert len(solver.loss_history) == its
    assert solver.loss_history[-1] < 0.5 * solver.loss_history[0]
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 5 + 1
    assert solver.epoch == 5
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.85
    # the course's printing: iterations 1, 21, 41 and epochs 0..5
    assert out[0] == f"(Iteration 1 / {its}) loss: {solver.loss_history[0]:f}"
    assert sum(line.startswith("(Iteration") for line in out) == 3
    epochs = [line for line in out if line.startswith("(Epoch")]
    assert epochs[0].startswith("(Epoch 0 / 5) train acc: ")
    assert epochs[-1] == (f"(Epoch 5 / 5) train acc: {solver.train_acc_history[-1]:f}; "
                          f"val_acc: {solver.val_acc_history[-1]:f}")
    # best_params restored into the model
    for k, v in solver.best_params.items():
        np.testing.assert_array_equal(model.params[k], v)
    assert solver.check_accuracy(digits["X_val"], digits["y_val"]) == solver.best_val_acc
    sub = solver.check_accuracy(digits["X_train"], digits["y_train"], num_samples=50,
                                batch_size=7)
    assert 0.0 <= sub <= 1.0 and sub * 50 == pytest.approx(round(sub * 50))
    assert isinstance(solver.trainer, Trainer)


def test_solver_restores_the_best_not_the_last(digits, monkeypatch) -> None:
    """Validation accuracies scripted to peak at epoch 1: its parameters come back."""
    model = TwoLayerNet(64, 30, 10, weight_scale=1e-1, seed=0)
    solver = Solver(model, digits, optim_config={"learning_rate": 0.3}, num_epochs=3,
                    batch_size=100, verbose=False)
    scripted = iter([0.1, 0.9, 0.2, 0.3])
    snapshots = []
    real = Solver.check_accuracy

    def fake(self, X, y, num_samples=None, batch_size=100):
        if X is self.X_val:
            snapshots.append({k: v.copy() for k, v in self.model.params.items()})
            return next(scripted)
        return real(self, X, y, num_samples, batch_size)

    monkeypatch.setattr(Solver, "check_accuracy", fake)
    solver.train()
    assert solver.val_acc_history == [0.1, 0.9, 0.2, 0.3]
    assert solver.best_val_acc == 0.9
    for k in model.params:
        np.testing.assert_array_equal(model.params[k], snapshots[1][k])
        assert not np.array_equal(model.params[k], snapshots[3][k])


@pytest.mark.parametrize("rule,config", [
    ("sgd_momentum", {"learning_rate": 0.05, "momentum": 0.9}),
    ("rmsprop", {"learning_rate": 1e-3, "decay_rate": 0.99, "epsilon": 1e-8}),
    ("adam", {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
])
def test_solver_update_rules(digits, rule, config, capsys) -> None:
    model = TwoLayerNet(64, 30, 10, weight_scale=1e-1, seed=0)
    solver = Solver(model, digits, update_rule=rule, optim_config=config, num_epochs=2,
                    batch_size=100, verbose=False, num_train_samples=200, num_val_samples=100)
    solver.train()
    assert solver.trainer.optimizer.name == {"sgd_momentum": "momentum"}.get(rule, rule)
    if "epsilon" in config:
        assert solver.trainer.optimizer.eps == 1e-8
    assert np.mean(solver.loss_history[-5:]) < np.mean(solver.loss_history[:5])
    assert capsys.readouterr().out == ""


def test_solver_rejects_what_the_course_rejects(digits) -> None:
    model = TwoLayerNet(64, 10, 10, seed=0)
    with pytest.raises(ValueError, match="Unrecognized arguments"):
        Solver(model, digits, learning_rate=1e-3)
    with pytest.raises(ValueError, match="update_rule"):
        Solver(model, digits, update_rule="adagrad")
    with pytest.raises(ValueError, match="optim_config key 'momentum'"):
        Solver(model, digits, update_rule="sgd", optim_config={"momentum": 0.9})
    with pytest.raises(numpynn.errors.InputError, match="y_val"):
        Solver(model, {k: v for k, v in digits.items() if k != "y_val"})


def test_solver_checkpoints(digits, tmp_path) -> None:
    model = TwoLayerNet(64, 10, 10, weight_scale=1e-1, seed=0)
    solver = Solver(model, digits, num_epochs=2, verbose=False,
                    checkpoint_name=str(tmp_path / "net"))
    solver.train()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net_epoch_1.npz", "net_epoch_2.npz"]
    fresh = TwoLayerNet(64, 10, 10, weight_scale=1e-1, seed=5)
    trainer = Trainer(fresh, digits["X_train"], digits["y_train"])
    trainer.resume(tmp_path / "net_epoch_2.npz")
    assert trainer.epoch == 2
