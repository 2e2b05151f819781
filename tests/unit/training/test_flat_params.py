"""FlatParams (numpynn.training.engine): while the Trainer trains with an elementwise
optimiser (Adam, RMSprop), the parameters and the optimiser's state are views of flat
arrays and one call updates them all. The result is the per-parameter update's, the
model's own arrays hold the values afterwards (also after a divergence), callbacks see
the live values, and an optimiser with a rule per parameter keeps the per-parameter path."""

from __future__ import annotations

import numpy as np
import pytest

import numpynn.training.engine as engine_module
from numpynn import MLP
from numpynn.errors import DivergenceError
from numpynn.training.optim import Adam
from numpynn.training.trainer import Callback, TrainConfig, Trainer


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((203, 9))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    return X[:150], y[:150], X[150:], y[150:]


def _train(data, optimizer, flat=True, monkeypatch=None, dtype="float64", **config):
    if not flat:
        monkeypatch.setattr(engine_module.FlatParams, "applies", staticmethod(lambda m, o: False))
    model = MLP(9, [16, 8], 3, reg=1e-3, dtype=dtype, seed=1)
    own = dict(model.params)
    trainer = Trainer(model, *data, config=TrainConfig(
        epochs=4, batch_size=32, optimizer=optimizer, lr=1e-2, seed=0, **config))
    history = trainer.train()
    if not flat:
        monkeypatch.undo()
    return model, own, trainer, history


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_one_flat_update_equals_the_update_of_each_parameter(data, optimizer, monkeypatch):
    flat, own, trainer, history = _train(data, optimizer)
    each, _, other, other_history = _train(data, optimizer, flat=False, monkeypatch=monkeypatch)
    for key, w in flat.params.items():
        assert w is own[key]  # the model's own arrays, holding the values again
        np.testing.assert_allclose(w, each.params[key], rtol=1e-12, atol=1e-14)
    assert history.val_loss == pytest.approx(other_history.val_loss, rel=1e-12)
    ours, theirs = trainer.optimizer.state_dict(), other.optimizer.state_dict()
    assert ours["t"] == theirs["t"] == 4 * 5
    assert ours["arrays"].keys() == theirs["arrays"].keys() == {
        f"{slot}/{key}" for slot in trainer.optimizer.slots for key in own}
    for name, arr in ours["arrays"].items():
        np.testing.assert_allclose(arr, theirs["arrays"][name], rtol=1e-12, atol=1e-14)
    # the optimiser's state is its own again: no view of a shared buffer outlives training
    state = trainer.optimizer._state
    assert all(arr.base is None for per_key in state.values() for arr in per_key.values())


def test_training_on_continues_from_the_state(data, monkeypatch):
    """A second train() (more epochs) takes the state the first left, flat or not."""
    def twice(flat):
        if not flat:
            monkeypatch.setattr(engine_module.FlatParams, "applies",
                                staticmethod(lambda m, o: False))
        model = MLP(9, [16], 3, dtype="float64", seed=2)
        trainer = Trainer(model, *data, config=TrainConfig(epochs=2, batch_size=32,
                                                           optimizer="adam", seed=0))
        trainer.train()
        trainer.config.epochs = 4
        trainer.train()
        monkeypatch.undo()
        return model
    a, b = twice(True), twice(False)
    for key in a.params:
        np.testing.assert_allclose(a.params[key], b.params[key], rtol=1e-12, atol=1e-14)


def test_callbacks_see_the_live_parameters(data):
    seen = []

    class Watch(Callback):
        def on_epoch_end(self, trainer, epoch):
            seen.append(trainer.model.params["W1"].copy())

    model = MLP(9, [16], 3, dtype="float64", seed=0)
    Trainer(model, *data, config=TrainConfig(epochs=3, optimizer="adam", seed=0),
            callbacks=[Watch()]).train()
    assert not np.array_equal(seen[0], seen[1]) and not np.array_equal(seen[1], seen[2])
    np.testing.assert_array_equal(seen[-1], model.params["W1"])


def test_a_divergence_leaves_the_last_good_epoch_in_the_models_own_arrays(data):
    model = MLP(9, [16], 3, dtype="float64", seed=0)
    own = dict(model.params)
    trainer = Trainer(model, *data, config=TrainConfig(epochs=5, optimizer="adam", lr=1e9,
                                                       seed=0))
    with pytest.raises(DivergenceError):
        trainer.train()
    for key, w in model.params.items():
        assert w is own[key] and np.isfinite(w).all()


def test_an_optimiser_with_a_rule_per_parameter_is_updated_parameter_by_parameter(data):
    calls = []

    class PerKey(Adam):
        def update(self, key, w, dw):
            calls.append(key)
            super().update(key, w, dw)

    assert Adam(lr=1e-3).elementwise() and not PerKey(lr=1e-3).elementwise()
    model = MLP(9, [16], 3, dtype="float64", seed=0)
    trainer = Trainer(model, *data, config=TrainConfig(epochs=1, batch_size=50,
                                                       optimizer="adam", seed=0))
    trainer.optimizer = PerKey(lr=1e-3)
    trainer.train()
    assert calls == list(model.params) * 3  # 150 rows in batches of 50
