"""Networks as lists of layers: every registered layer inside a network (engine == readable
reference, model-file round trip, train/test mode, determinism), a layer of one's own
registered in a test, and the Trainer's CS231n protocol (any ``params`` + ``loss``, and
overrides honoured).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from numpynn import TwoLayerNet
from numpynn.errors import InputError
from numpynn.layers import LAYERS, Layer, ParamSpec, build_layer, register, unregister
from numpynn.model_file import SavedModel, load_model, save_model
from numpynn.models import MLP, Network
from numpynn.training.engine import Engine, supports
from numpynn.training.trainer import TrainConfig, Trainer

#: options for layers that need some to be built
OPTIONS = {"affine": {"units": 5}}
RTOL = {"float32": 2e-5, "float64": 1e-11}


def network_with(name: str, dtype="float64", seed=0, reg=0.1) -> Network:
    """affine(6) -> <layer> -> affine(3): the layer between two parametrised ones."""
    layer = build_layer(name, **OPTIONS.get(name, {}))
    return Network(4, [build_layer("affine", units=6), layer, build_layer("affine", units=3)],
                   reg=reg, dtype=dtype, seed=seed)


def assert_close(actual, expected, rtol, what="", scale=0.0):
    """rtol elementwise, with an absolute floor of rtol times the larger of the array's
    largest entry and ``scale`` (a gradient that is zero in exact arithmetic, such as a
    bias before batch norm, is rounding noise of the size of the other gradients)."""
    expected = np.asarray(expected, dtype=np.float64)
    atol = rtol * max(float(np.max(np.abs(expected))), scale, 1e-30)
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol,
                               atol=atol, err_msg=what)


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    X = (d.data / 16.0).astype(np.float64)
    y = d.target.astype(np.int64)
    return X[:1200], y[:1200], X[1200:], y[1200:]


# ----------------------------------------------------------- every registered layer


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_engine_equals_reference_in_a_network(name, dtype):
    """Loss and every gradient, full and partial batches, the same random draws."""
    model = network_with(name, dtype)
    engine = Engine(model, 8)
    rng = np.random.default_rng(1)
    for b in (8, 3, 8):
        X = rng.standard_normal((b, 4)).astype(dtype)
        y = rng.integers(0, 3, b)
        rng_state = model.rng.bit_generator.state
        buffers = {k: v.copy() for k, v in model.buffers.items()}
        loss_ref, grads_ref = model.loss(X, y)
        buffers_ref = {k: v.copy() for k, v in model.buffers.items()}
        model.rng.bit_generator.state = rng_state
        model.set_buffers(buffers)
        loss, grads = engine.loss_and_grads(X, y)
        assert loss == pytest.approx(loss_ref, rel=RTOL[dtype])
        assert grads.keys() == grads_ref.keys() == model.params.keys()
        scale = max(float(np.max(np.abs(g))) for g in grads_ref.values())
        for k in grads_ref:
            assert_close(grads[k], grads_ref[k], RTOL[dtype], f"{name} {k} b={b}", scale)
        for k in buffers_ref:
            assert_close(model.buffers[k], buffers_ref[k], RTOL[dtype], f"{name} {k}")


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_prediction_forward_equals_readable_test_mode(name):
    model = network_with(name, "float64")
    model.loss(np.random.default_rng(0).standard_normal((16, 4)), np.arange(16) % 3)  # stats
    X = np.random.default_rng(2).standard_normal((30, 4))
    assert_close(model.forward(X), model.loss(X), 1e-12, name)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_model_file_round_trip(name, tmp_path):
    model = network_with(name, "float32", seed=3)
    model.loss(np.random.default_rng(0).standard_normal((16, 4)), np.arange(16) % 3)
    for v in model.params.values():
        v += np.float32(0.01)  # not the initial values
    path = save_model(tmp_path / "m.npz", SavedModel(model, np.array(["a", "b", "c"])))
    loaded = load_model(path).model
    assert loaded.config() == model.config()
    for k in model.params:
        np.testing.assert_array_equal(loaded.params[k], model.params[k])
    for k in model.buffers:
        np.testing.assert_array_equal(loaded.buffers[k], model.buffers[k])
    X = np.random.default_rng(4).standard_normal((9, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_training_is_deterministic_and_test_mode_is_repeatable(name, digits):
    Xtr, ytr, Xv, yv = digits

    def run():
        model = Network(64, [build_layer("affine", units=16),
                             build_layer(name, **OPTIONS.get(name, {})),
                             build_layer("affine", units=10)], dtype="float32", seed=5)
        Trainer(model, Xtr[:300], ytr[:300], Xv, yv,
                config=TrainConfig(epochs=2, batch_size=32, optimizer="adam", seed=1)).train()
        return model

    a, b = run(), run()
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    np.testing.assert_array_equal(a.forward(Xv), a.forward(Xv))  # test mode draws nothing
    np.testing.assert_array_equal(a.forward(Xv), b.forward(Xv))


def test_dropout_and_batchnorm_train_differently_from_test():
    model = MLP(5, [40], 3, dropout=0.5, normalization="batch", dtype="float64", seed=0)
    X = np.random.default_rng(0).standard_normal((64, 5))
    y = np.arange(64) % 3
    before = {k: v.copy() for k, v in model.buffers.items()}
    scores_test = model.loss(X)
    assert all(np.array_equal(before[k], model.buffers[k]) for k in before)  # test: no update
    loss1, _ = model.loss(X, y)
    loss2, _ = model.loss(X, y)
    assert loss1 != loss2  # new dropout masks
    assert not np.array_equal(before["running_mean1"], model.buffers["running_mean1"])
    after = model.loss(X)  # test mode now uses the updated running statistics
    assert not np.allclose(after, scores_test)
    np.testing.assert_array_equal(after, model.loss(X))


# ------------------------------------------------------------- a layer of one's own


class Square(Layer):
    """A toy layer: ``out = x * x * a`` with a learnable per-feature scale ``a``."""

    name = "toy_square"

    def param_specs(self, input_dim):
        return [ParamSpec("a", (input_dim,), "ones")]

    def forward(self, x, params, buffers, train, rng):
        return x * x * params["a"], (x, params["a"])

    def backward(self, dout, cache):
        x, a = cache
        return 2 * x * a * dout, {"a": (dout * x * x).sum(axis=0)}


@pytest.fixture
def toy_layer():
    register(Square)
    yield Square
    unregister("toy_square")


def test_a_registered_toy_layer_costs_no_other_file(toy_layer, digits, tmp_path):
    from numpynn.gradcheck.checks import check_gradients

    model = Network(64, [{"name": "affine", "options": {"units": 12}},
                         {"name": "toy_square"}, {"name": "affine", "options": {"units": 10}}],
                    dtype="float64", seed=0)
    assert "a1" in model.params and supports(model)
    small = Network.from_config(model.config())
    report = check_gradients(small, digits[0][:4], digits[1][:4])
    assert report.passed, report
    Xtr, ytr, Xv, yv = digits
    trainer = Trainer(model, Xtr, ytr, Xv, yv,
                      config=TrainConfig(epochs=8, batch_size=64, optimizer="adam", lr=3e-3))
    history = trainer.train()
    assert history.engine == "engine"  # through the adapter of its readable pair
    assert max(history.val_acc) > 0.85
    path = save_model(tmp_path / "toy.npz", SavedModel(model, np.arange(10)))
    np.testing.assert_array_equal(load_model(path).model.predict(Xv), model.predict(Xv))


def test_unknown_layer_and_clashing_keys_are_clear_errors():
    with pytest.raises(InputError, match="unknown layer 'nope'"):
        Network(3, [{"name": "nope"}])
    with pytest.raises(InputError, match="both define 'W1'"):
        Network(3, [build_layer("affine", units=2), _TwoW()])


class _TwoW(Layer):
    name = "two_w"

    def param_specs(self, input_dim):
        return [ParamSpec("W", (input_dim, input_dim), "weight")]

    def forward(self, x, params, buffers, train, rng):
        return x @ params["W"], x

    def backward(self, dout, cache):
        return dout, {}


# ------------------------------------------------------------------ CS231n protocol


def test_subclass_overriding_loss_is_called_and_honoured(digits):
    """Zero gradients from an override: the parameters must not move."""
    calls = []

    class Frozen(MLP):
        def loss(self, X, y=None, reg=None):
            if y is None:
                return super().loss(X)
            calls.append(len(y))
            loss, grads = super().loss(X, y, reg)
            return loss, {k: np.zeros_like(g) for k, g in grads.items()}

    model = Frozen(64, [16], 10, seed=0)
    before = {k: v.copy() for k, v in model.params.items()}
    Xtr, ytr, Xv, yv = digits
    history = Trainer(model, Xtr, ytr, Xv, yv,
                      config=TrainConfig(epochs=2, batch_size=100, optimizer="sgd", lr=1.0)
                      ).train()
    assert sum(calls) == 2 * len(ytr)
    assert history.engine.startswith("reference")
    for k in before:
        np.testing.assert_array_equal(model.params[k], before[k])


class CS231nTwoLayerNet:
    """A learner's model: only ``params`` and ``loss(X, y=None)``, nothing of numpynn."""

    def __init__(self, D, H, C, std=1e-1, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {"W1": std * rng.standard_normal((D, H)), "b1": np.zeros(H),
                       "W2": std * rng.standard_normal((H, C)), "b2": np.zeros(C)}

    def loss(self, X, y=None, reg=1e-4):
        p = self.params
        h = np.maximum(0, X @ p["W1"] + p["b1"])
        scores = h @ p["W2"] + p["b2"]
        if y is None:
            return scores
        n = X.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(n), y]).mean() + 0.5 * reg * (
            (p["W1"] ** 2).sum() + (p["W2"] ** 2).sum())
        dscores = probs
        dscores[np.arange(n), y] -= 1
        dscores /= n
        dh = (dscores @ p["W2"].T) * (h > 0)
        return loss, {"W1": X.T @ dh + reg * p["W1"], "b1": dh.sum(axis=0),
                      "W2": h.T @ dscores + reg * p["W2"], "b2": dscores.sum(axis=0)}


def test_a_cs231n_style_model_trains_and_learns_digits(digits):
    Xtr, ytr, Xv, yv = digits
    model = CS231nTwoLayerNet(64, 50, 10)
    trainer = Trainer(model, Xtr, ytr, Xv, yv,
                      config=TrainConfig(epochs=15, batch_size=50, optimizer="momentum",
                                         lr=0.1))
    history = trainer.train()
    assert history.engine.startswith("reference")
    assert max(history.val_acc) >= 0.9
    assert np.mean(np.argmax(model.loss(Xv), axis=1) == yv) >= 0.9


def test_trainer_refuses_what_is_not_a_model():
    with pytest.raises(InputError, match="CS231n's protocol"):
        Trainer(object(), np.zeros((3, 2)), np.zeros(3, int))
    with pytest.raises(InputError, match="config must be a TrainConfig"):
        Trainer(MLP(2, [3], 2), np.zeros((3, 2)), np.zeros(3, int), config="adam")


# ---------------------------------------------------------------------- surfaces


def test_summary_lists_layers_shapes_and_counts():
    model = MLP(20, [8, 6], 4, normalization="batch", dropout=0.1)
    text = model.summary()
    assert "Affine(units=8) [W1, b1]" in text and "(N, 8)" in text
    assert "[gamma1, beta1]" in text
    assert f"total parameters: {model.num_parameters():,}" in text
    assert model.num_parameters() == 20 * 8 + 8 + 2 * 8 + 8 * 6 + 6 + 2 * 6 + 6 * 4 + 4


def test_initialisation_follows_the_activation():
    relu = MLP(400, [300], 3, activation="relu", seed=0)
    tanh = MLP(400, [300], 3, activation="tanh", seed=0)
    assert np.std(relu.params["W1"]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert np.std(tanh.params["W1"]) == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    fixed = MLP(400, [300], 3, activation="tanh", weight_scale=0.01, seed=0)
    assert np.std(fixed.params["W1"]) == pytest.approx(0.01, rel=0.02)


def test_cs231n_keys_and_logistic_alias():
    model = MLP(5, [4, 3], 2, normalization="layer", activation="logistic")
    assert list(model.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2",
                                  "beta2", "W3", "b3"]
    assert model.activation == "sigmoid"
    two = TwoLayerNet(5, 4, 3)
    assert list(two.params) == ["W1", "b1", "W2", "b2"] and two.dtype == np.float64


@pytest.mark.parametrize("kwargs, match", [
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"dropout": 1.0}, r"dropout must be a number in \[0, 1\)"),
    ({"dropout": -0.1}, r"dropout must be a number in \[0, 1\)"),
    ({"normalization": "group"}, "normalization must be"),
    ({"weight_scale": None}, "weight_scale must be"),
    ({"seed": -1}, "seed must be"),
    ({"seed": 2**32}, "seed must be"),
])
def test_bad_arguments_name_themselves(kwargs, match):
    with pytest.raises(InputError, match=match):
        MLP(5, [4], 3, **kwargs)


def test_from_config_of_nothing_is_a_clear_error():
    with pytest.raises(InputError, match="missing the entry"):
        MLP.from_config({})


# ------------------------------------------------------------------------ resume


def test_resume_with_dropout_and_batchnorm_is_bit_identical(digits, tmp_path):
    """Checkpoint after epoch 2, a fresh trainer resumes: parameters, running statistics,
    dropout draws and history end exactly as in the uninterrupted run."""
    Xtr, ytr, Xv, yv = digits

    def trainer(epochs, checkpoint):
        model = MLP(64, [32, 16], 10, dropout=0.3, normalization="batch", seed=7)
        cfg = TrainConfig(epochs=epochs, batch_size=50, optimizer="adam", seed=2)
        return Trainer(model, Xtr, ytr, Xv, yv, config=cfg, checkpoint=checkpoint)

    straight = trainer(4, tmp_path / "a.npz")
    straight.train()
    first = trainer(2, tmp_path / "b.npz")
    first.train()
    resumed = trainer(4, None)
    resumed.resume(tmp_path / "b.npz")
    resumed.config.epochs = 4
    resumed.train()
    assert resumed.history.deterministic() == straight.history.deterministic()
    for k in straight.model.params:
        np.testing.assert_array_equal(resumed.model.params[k], straight.model.params[k])
    for k in straight.model.buffers:
        np.testing.assert_array_equal(resumed.model.buffers[k], straight.model.buffers[k])
    assert (resumed.model.rng.bit_generator.state == straight.model.rng.bit_generator.state)


# ----------------------------------------------------------------- the CLI's flags


@pytest.mark.slow  # two whole digits runs: 6-9 s each on 2 cores
@pytest.mark.parametrize("flags", [["--dropout", "0.2", "--norm", "batch"],
                                   ["--activation", "tanh"]])
def test_cli_layer_flags_reach_97_percent_on_digits(flags, tmp_path):
    """Issue acceptance: these configurations reach >= 97% test accuracy on digits."""
    import json

    from tests.clirun import numpynn

    out = tmp_path / "run"
    proc = numpynn("train", *flags, "--quiet", "--out", out)
    assert proc.returncode == 0, proc.stderr
    history = json.loads((out / "history.json").read_text())
    assert history["engine"] == "engine"
    test_line = next(line for line in proc.stdout.splitlines() if line.startswith("test"))
    assert float(test_line.split()[1].rstrip("%")) >= 97.0, proc.stdout
    model = load_model(out / "model.npz").model
    kinds = [layer.name for layer in model.layers]
    assert ("dropout" in kinds and "batchnorm" in kinds) if "--norm" in flags else (
        "tanh" in kinds)
