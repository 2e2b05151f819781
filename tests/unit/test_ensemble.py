"""numpynn.ensemble.Ensemble as a network: forward is the log of the members' mean
probabilities (checked against probabilities averaged by hand), evaluation scores it as
one classifier, and its log loss is never above the members' mean (the log is concave)."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.ensemble import Ensemble
from numpynn.errors import InputError
from numpynn.evaluation import evaluate
from numpynn.losses import softmax
from numpynn.models import MLP, Network


def members(k: int = 3, dtype: str = "float64") -> list[MLP]:
    return [MLP(5, [7], 4, seed=s, dtype=dtype) for s in range(k)]


def rows(n: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return 2 * rng.standard_normal((n, 5)), rng.integers(0, 4, n)


def test_forward_is_the_log_of_the_mean_probabilities_averaged_by_hand():
    nets = members()
    ens = Ensemble(nets)
    X, _ = rows()
    by_hand = sum(softmax(m.loss(X).astype(np.float64)) for m in nets) / 3
    np.testing.assert_allclose(np.exp(ens.forward(X)), by_hand, rtol=1e-12)
    np.testing.assert_allclose(ens.predict_proba(X), by_hand, rtol=1e-12)
    np.testing.assert_allclose(ens.predict_output(X), by_hand, rtol=1e-12)
    np.testing.assert_array_equal(ens.predict(X), np.argmax(by_hand, axis=1))
    assert ens.forward(X).dtype == np.float64


def test_forward_keeps_tiny_probabilities_finite():
    nets = members(2)
    nets[0].params["W2"][:] *= 1e4  # member 0's probabilities underflow to 0
    X, _ = rows()
    out = Ensemble(nets).forward(X)
    assert np.isfinite(out).all()


def test_surface_of_a_network():
    nets = members(3, "float32")
    ens = Ensemble(nets)
    assert (ens.input_dim, ens.num_outputs, ens.num_classes) == (5, 4, 4)
    assert ens.dtype == np.float32 and ens.loss_fn.name == "softmax"
    assert ens.num_parameters() == 3 * nets[0].num_parameters()
    assert ens.summary().startswith("Ensemble of 3 members") and "W1" in ens.summary()
    assert ens.config() == {"class": "Ensemble", "n_members": 3, "member": nets[0].config()}
    assert repr(ens).startswith("Ensemble(3 x MLP(")


def test_evaluation_scores_the_ensemble_and_its_log_loss_is_at_most_the_members_mean():
    nets = members(4)
    X, y = rows(200, 1)
    ens = Ensemble(nets)
    ev = evaluate(ens, X, y)
    p = ens.predict_proba(X)
    assert ev.accuracy == pytest.approx(np.mean(np.argmax(p, axis=1) == y))
    assert ev.loss == pytest.approx(-np.mean(np.log(p[np.arange(200), y])), rel=1e-12)
    assert ev.loss <= np.mean([evaluate(m, X, y).loss for m in nets])


def test_refuses_members_it_cannot_average():
    with pytest.raises(InputError, match="softmax classifiers"):
        Ensemble([MLP(5, [7], 4), Network(5, [{"name": "affine", "options": {"units": 4}}],
                                          loss="squared_error")])
    with pytest.raises(InputError, match="float64"):
        Ensemble([MLP(5, [7], 4, dtype="float32"), MLP(5, [7], 4, dtype="float64")])
