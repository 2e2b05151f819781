"""Packed training on each model's own rows (numpynn.training.packed.MemberRows: the folds
of a cross-validation) against its oracle: each model trained alone by the Trainer on its
fold's rows, validated on its held-out fold, with its own targets. Tolerances as
test_packed.py's (float64 1e-10 relative)."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.errors import InputError
from numpynn.layers import build_layer
from numpynn.models import MLP, Network
from numpynn.training.packed import MemberRows, train_packed
from numpynn.training.trainer import TrainConfig, Trainer


def _rel_err(a: Network, b: Network) -> float:
    return max(float(np.max(np.abs(a.params[k] - b.params[k])))
               / max(float(np.max(np.abs(a.params[k]))), 1e-30) for k in a.params)


def _folds(n: int, k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(training rows, held-out rows) of k folds of n rows; the training rows in the order
    cross-validation concatenates them (not sorted)."""
    held = np.array_split(np.random.default_rng(seed).permutation(n), k)
    return [(np.concatenate([h for j, h in enumerate(held) if j != i]), held[i])
            for i in range(k)]


def _same_history(hp, ha, tol: float = 1e-10) -> None:
    assert hp.epochs == ha.epochs and hp.best_epoch == ha.best_epoch
    assert hp.stop_reason == ha.stop_reason and hp.best_rule == ha.best_rule
    np.testing.assert_allclose(hp.val_score, ha.val_score, rtol=1e3 * tol, atol=1e3 * tol)
    np.testing.assert_allclose(hp.val_loss, ha.val_loss, rtol=1e3 * tol)
    np.testing.assert_allclose(hp.train_score, ha.train_score, rtol=1e3 * tol, atol=1e3 * tol)
    np.testing.assert_allclose(hp.step_loss, ha.step_loss, rtol=1e3 * tol)


@pytest.mark.parametrize("n", [300, 301])  # folds of one size, or of two (two packs)
def test_folds_packed_end_as_each_fold_trained_alone(n):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:n] / 16.0, y[:n]
    folds = _folds(n, 3)
    # each fold's model: its own seed, L2 and dropout stream; early stopping, so the
    # members leave the pack at different epochs; training figures on a subset of 64 rows
    def models():
        return [MLP(64, [24], 10, seed=5 + i, reg=[1e-3, 0.0, 3e-3][i], dropout=0.1,
                    dtype="float64") for i in range(3)]

    def configs():
        return [TrainConfig(epochs=60, batch_size=32, optimizer="adam", lr=2e-2, seed=i,
                            patience=3, eval_samples=64) for i in range(3)]

    alone, packed = models(), models()
    h_alone = [Trainer(m, X[t], y[t], X[v], y[v], config=c).train()
               for m, c, (t, v) in zip(alone, configs(), folds)]
    h_packed = train_packed(packed, X, y, configs(),
                            rows=[MemberRows(train=t, val=v) for t, v in folds])
    sizes = {t.shape[0] for t, _ in folds}
    for a, p, ha, hp in zip(alone, packed, h_alone, h_packed):
        assert _rel_err(a, p) < 1e-10
        _same_history(hp, ha)
    assert len({h.best_epoch for h in h_packed} | {len(h.epochs) for h in h_packed}) > 1
    if len(sizes) == 1:
        assert {h.engine for h in h_packed} == {"packed (3 models)"}
    else:  # 301 rows: two folds train on 201 rows, one on 200
        assert sorted(h.engine for h in h_packed) == [
            "packed (1 models)", "packed (2 models)", "packed (2 models)"]


def test_folds_with_their_own_targets_regression():
    """A regression's folds: each standardises the target on its own training rows (its
    own y of every row), and is scored on its held-out fold in those units."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(180, 5))
    y = np.c_[np.sin(X[:, 0]) + X[:, 1] ** 2, X[:, 2] - X[:, 3]] + 0.1 * rng.normal(size=(180, 2))
    folds = _folds(180, 3, seed=2)
    own_y = [(y - y[t].mean(axis=0)) / y[t].std(axis=0) for t, _ in folds]

    def models():
        return [Network(5, [build_layer("affine", units=12), build_layer("relu"),
                            build_layer("affine", units=2)], loss="squared_error",
                        reg=1e-3 * i, weight_scale="he", dtype="float64", seed=3 + i)
                for i in range(3)]

    def configs():
        return [TrainConfig(epochs=40, batch_size=32, optimizer="adam", lr=2e-2, seed=i,
                            patience=4, select="loss") for i in range(3)]

    alone, packed = models(), models()
    h_alone = [Trainer(m, X[t], yk[t], X[v], yk[v], config=c).train()
               for m, c, (t, v), yk in zip(alone, configs(), folds, own_y)]
    h_packed = train_packed(packed, X, y, configs(), rows=[
        MemberRows(train=t, val=v, y=yk) for (t, v), yk in zip(folds, own_y)])
    for a, p, ha, hp in zip(alone, packed, h_alone, h_packed):
        assert _rel_err(a, p) < 1e-10
        assert hp.score_name == "r2"
        _same_history(hp, ha)


def test_a_member_diverging_on_its_own_rows_stops_alone():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:240] / 16.0, y[:240]
    folds = _folds(240, 3)
    lrs = [0.1, 1e6, 0.1]  # the second fold's model blows up
    models = [MLP(64, [16], 10, seed=i, dtype="float64") for i in range(3)]
    configs = [TrainConfig(epochs=4, batch_size=32, optimizer="sgd", lr=lr, seed=0)
               for lr in lrs]
    hist = train_packed(models, X, y, configs,
                        rows=[MemberRows(train=t, val=v) for t, v in folds])
    assert hist[1].stop_reason.startswith("diverged")
    assert [len(h.epochs) for h in (hist[0], hist[2])] == [4, 4]
    alone = MLP(64, [16], 10, seed=0, dtype="float64")
    t, v = folds[0]
    Trainer(alone, X[t], y[t], X[v], y[v], config=configs[0]).train()
    assert _rel_err(alone, models[0]) < 1e-10


@pytest.mark.parametrize("rows, message", [
    ("folds", "rows must be a list of 2 MemberRows"),
    ([MemberRows(train=np.arange(5)), MemberRows(train=np.array([0, 99]))],
     r"rows\[1\].train must be a non-empty 1-D array of row indices of X_train \(0 to 49\)"),
    ([MemberRows(train=np.arange(5)), MemberRows(train=np.arange(5), val=np.array([0.5]))],
     r"rows\[1\].val must be"),
    ([MemberRows(train=np.arange(5), y=np.zeros(3, int)), MemberRows(train=np.arange(5))],
     r"rows\[0\].y"),
])
def test_bad_rows_are_refused_with_the_member_named(rows, message):
    X, y = np.random.default_rng(0).normal(size=(50, 4)), np.arange(50) % 3
    models = [MLP(4, [5], 3, seed=i) for i in range(2)]
    with pytest.raises(InputError, match=message):
        train_packed(models, X, y, TrainConfig(epochs=1, batch_size=8), rows=rows)
