"""Packed training (numpynn.training.packed) against its oracle: each model trained alone by the
Trainer with the same seed and settings.

Tolerances: float64 1e-10 relative (max |difference| / max |parameter| per array; the
pack's stacked multiplies and vectorised updates round differently from the engine's
fused ones, about 1e-14 after these runs), float32 1e-4 relative (float32 rounding
amplified by training; about 4e-6 measured).
"""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.errors import DivergenceError, InputError
from numpynn.models import MLP, Network
from numpynn.training.packed import max_pack, pack_bytes, train_packed
from numpynn.training.trainer import TrainConfig, Trainer

LR = {"sgd": 0.2, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 3e-3, "adam": 3e-3}


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X[:400] / 16.0
    y = y[:400]
    return X[:300], y[:300], X[300:], y[300:]


def _models(n: int, dtype: str = "float64", **kw) -> list[MLP]:
    regs = [1e-3, 0.0, 3e-4, 1e-2]
    return [MLP(64, [24, 16], 10, seed=10 + i, reg=regs[i % 4], dtype=dtype, **kw)
            for i in range(n)]


def _configs(opts: list[str], seeds: list[int] | None = None, lr_all: float | None = None,
             kwargs: list[dict] | None = None, **kw) -> list[TrainConfig]:
    seeds = seeds or [0] * len(opts)
    kwargs = kwargs or [{}] * len(opts)
    return [TrainConfig(batch_size=32, optimizer=o, lr=lr_all or LR[o] * (1 + 0.25 * i),
                        seed=s, optimizer_kwargs=k, **{"epochs": 3, **kw})
            for i, (o, s, k) in enumerate(zip(opts, seeds, kwargs))]


def _alone(models: list[MLP], configs: list[TrainConfig], data) -> list:
    X, y, Xv, yv = data
    out = []
    for m, c in zip(models, configs):
        try:
            out.append(Trainer(m, X, y, Xv, yv, config=c).train())
        except DivergenceError as exc:
            out.append(exc)
    return out


def _rel_err(a: Network, b: Network) -> float:
    return max(float(np.max(np.abs(a.params[k] - b.params[k])))
               / max(float(np.max(np.abs(a.params[k]))), 1e-30) for k in a.params)


def _check_equal(opts, data, dtype="float64", tol=1e-10, seeds=None, model_kw=None, **cfg):
    model_kw = model_kw or {}
    alone = _models(len(opts), dtype, **model_kw)
    packed = _models(len(opts), dtype, **model_kw)
    h_alone = _alone(alone, _configs(opts, seeds, **cfg), data)
    h_packed = train_packed(packed, *data[:2], _configs(opts, seeds, **cfg), *data[2:])
    for a, p, ha, hp in zip(alone, packed, h_alone, h_packed):
        assert _rel_err(a, p) < tol
        assert hp.engine.startswith("packed")
        if isinstance(ha, DivergenceError):
            assert hp.stop_reason.startswith("diverged")
            continue
        assert hp.epochs == ha.epochs and hp.best_epoch == ha.best_epoch
        assert hp.stop_reason == ha.stop_reason and hp.best_rule == ha.best_rule
        assert hp.val_acc == ha.val_acc and hp.lr == pytest.approx(ha.lr)
        np.testing.assert_allclose(hp.val_loss, ha.val_loss, rtol=1e3 * tol)
        assert hp.train_acc == ha.train_acc
        np.testing.assert_allclose(hp.train_loss, ha.train_loss, rtol=1e3 * tol)
        np.testing.assert_allclose(hp.step_loss, ha.step_loss, rtol=1e3 * tol)
    return alone, packed, h_packed


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("opt", ["sgd", "momentum", "nesterov", "rmsprop", "adam"])
def test_each_optimizer_matches_trainer_float64(digits, opt, activation):
    # three models of one optimiser: different lr, reg, init; shared data order
    _check_equal([opt] * 3, digits, model_kw={"activation": activation})


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mixed_optimizers_dropout_own_orders_float64(digits, activation):
    # each model its own optimiser, shuffle order (seed) and dropout stream; a schedule
    _check_equal(["adam", "sgd", "momentum", "rmsprop", "nesterov"], digits,
                 seeds=[0, 1, 2, 3, 4], model_kw={"activation": activation, "dropout": 0.2},
                 schedule="step", lr_decay=0.8)


@pytest.mark.parametrize("opt", ["sgd", "momentum", "rmsprop", "adam"])
def test_one_setting_for_all_float64(digits, opt):
    # one lr and hyper-parameters for the whole pack: the one-pass BLAS updates
    _check_equal([opt] * 3, digits, lr_all=LR[opt])


@pytest.mark.parametrize("row_pass_min", [0, 10**9])
def test_a_grids_own_lr_and_l2_match_the_trainer_per_row_or_per_column(digits, monkeypatch,
                                                                       row_pass_min):
    """Rows differing only in lr and L2 (a grid's): long rows update with one BLAS pass
    a row (``ROW_PASS_MIN``), short ones with (k, 1) columns; both as the Trainer."""
    import numpynn.training.packed as packed_module

    monkeypatch.setattr(packed_module, "ROW_PASS_MIN", row_pass_min)
    _check_equal(["adam"] * 4, digits)  # L2 1e-3, 0, 3e-4, 1e-2; four learning rates
    _check_equal(["adam"] * 4, digits, dtype="float32", tol=1e-4)


def test_per_model_hyper_parameters_and_eval_subsets(digits):
    opts = ["adam", "adam", "momentum", "momentum", "rmsprop", "rmsprop"]
    kwargs = [{"beta1": 0.8}, {"beta2": 0.99, "eps": 1e-6}, {"momentum": 0.5},
              {"momentum": 0.95}, {"decay_rate": 0.9}, {"decay_rate": 0.999}]
    _check_equal(opts, digits, seeds=[1, 2, 1, 2, 1, 2], kwargs=kwargs, eval_samples=100)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_float32_within_stated_bound(digits, dropout):
    _check_equal(["adam", "momentum", "sgd"], digits, dtype="float32", tol=1e-4,
                 model_kw={"dropout": dropout})


def test_epochs_patience_and_selection_per_model(digits):
    alone = _models(3)
    packed = _models(3)
    cfgs = lambda: [  # noqa: E731
        TrainConfig(epochs=1, batch_size=32, optimizer="adam", lr=3e-3, seed=0),
        TrainConfig(epochs=6, batch_size=32, optimizer="adam", lr=0.5, seed=0, patience=1,
                    select="accuracy"),
        TrainConfig(epochs=4, batch_size=32, optimizer="sgd", lr=0.1, seed=0,
                    keep_best=False, eval_samples=100)]
    ha = _alone(alone, cfgs(), digits)
    hp = train_packed(packed, *digits[:2], cfgs(), *digits[2:])
    assert [len(h.epochs) for h in hp] == [len(h.epochs) for h in ha]
    assert hp[1].stop_reason == ha[1].stop_reason
    assert hp[1].stop_reason.startswith("early stopping")  # the test exercises patience
    for a, p in zip(alone, packed):
        assert _rel_err(a, p) < 1e-10


def test_diverging_model_stops_alone(digits):
    alone = _models(3)
    packed = _models(3)
    cfgs = lambda: [  # noqa: E731
        TrainConfig(epochs=3, batch_size=32, optimizer="sgd", lr=0.1, seed=0),
        TrainConfig(epochs=3, batch_size=32, optimizer="sgd", lr=1e6, seed=0),
        TrainConfig(epochs=3, batch_size=32, optimizer="adam", lr=3e-3, seed=0)]
    ha = _alone(alone, cfgs(), digits)
    assert isinstance(ha[1], DivergenceError)
    hp = train_packed(packed, *digits[:2], cfgs(), *digits[2:])
    assert hp[1].stop_reason.startswith("diverged in epoch")
    assert not hp[0].stop_reason.startswith("diverged")
    for a, p in zip(alone, packed):  # the diverged one: back to its last good epoch
        assert _rel_err(a, p) < 1e-10


def test_models_are_ordinary_networks_afterwards(digits, tmp_path):
    from numpynn.model_file import SavedModel, load_model, save_model

    models = _models(2, "float32")
    own = [dict(m.params) for m in models]
    train_packed(models, *digits[:2], TrainConfig(epochs=1, batch_size=50, seed=3))
    for m, arrays in zip(models, own):
        for key, arr in m.params.items():
            assert arr is arrays[key] and arr.flags.owndata  # trained in place, not a view
        copy = Network.from_config(m.config(), m.params)
        np.testing.assert_array_equal(copy.predict(digits[2]), m.predict(digits[2]))
    path = save_model(tmp_path / "m.npz", SavedModel(models[1], np.arange(10)))
    loaded = load_model(path).model
    np.testing.assert_array_equal(loaded.predict(digits[2]), models[1].predict(digits[2]))


def test_small_budget_trains_several_packs_with_the_same_result(digits):
    one, split = _models(3), _models(3)
    h1 = train_packed(one, *digits[:2], _configs(["adam", "sgd", "adam"]), *digits[2:])
    budget = pack_bytes(split[0], 32, 1) + 1  # one model per pack
    assert max_pack(split[0], 32, budget) == 1
    h2 = train_packed(split, *digits[:2], _configs(["adam", "sgd", "adam"]), *digits[2:],
                      budget=budget)
    for a, b in zip(one, split):
        assert _rel_err(a, b) < 1e-10
    assert [h.engine for h in h2] == ["packed (1 models)"] * 3
    assert h1[0].engine == "packed (3 models)"


def test_max_pack_scales_with_budget_and_workspace():
    m = MLP(64, [100], 10)
    per = pack_bytes(m, 32, 1)
    assert pack_bytes(m, 32, 16) == 16 * per
    assert pack_bytes(m, 256, 1) > per  # workspaces grow with the batch
    assert max_pack(m, 32, 16 * per) == 16
    assert max_pack(m, 32, 1) == 1
    assert max_pack(m, 32) >= 16
    with pytest.raises(InputError, match="budget"):
        max_pack(m, 32, 0)
    with pytest.raises(InputError, match="batch_size"):
        pack_bytes(m, 0)


@pytest.mark.parametrize("bad, match", [
    (lambda: [MLP(64, [8], 10, normalization="batch")] * 1, "BatchNorm"),
    (lambda: [MLP(64, [8], 10, seed=0), MLP(64, [9], 10, seed=1)], "hidden_dims"),
    (lambda: [MLP(64, [8], 10, seed=0), MLP(64, [8], 10, dtype="float64")], "dtype"),
    (lambda: [MLP(64, [8], 10, seed=0, activation="relu"),
              MLP(64, [8], 10, seed=0, activation="tanh")], "activation"),
    (lambda: [], "non-empty"),
])
def test_refuses_what_it_cannot_pack(digits, bad, match):
    with pytest.raises(InputError, match=match):
        train_packed(bad(), *digits[:2], TrainConfig(epochs=1))


def test_refuses_bad_configs_and_data(digits):
    models = _models(2)
    with pytest.raises(InputError, match="batch sizes"):
        train_packed(models, *digits[:2], [TrainConfig(batch_size=32), TrainConfig()])
    with pytest.raises(InputError, match="list of 2"):
        train_packed(models, *digits[:2], [TrainConfig()])
    c = TrainConfig()
    with pytest.raises(InputError, match="same TrainConfig"):
        train_packed(models, *digits[:2], [c, c])
    with pytest.raises(InputError, match="same network"):
        train_packed([models[0], models[0]], *digits[:2], TrainConfig())
    with pytest.raises(InputError, match="X_train"):
        train_packed(models, digits[0][:, :5], digits[1], TrainConfig())
    with pytest.raises(InputError, match="X_val and y_val"):
        train_packed(models, *digits[:2], TrainConfig(), X_val=digits[2])


def test_without_validation_the_history_is_the_trainers(digits):
    X, y = digits[:2]
    alone, packed = _models(2), _models(2)
    cfgs = lambda: [TrainConfig(epochs=2, batch_size=40, optimizer="adam", lr=3e-3,  # noqa: E731
                                seed=s, schedule="plateau") for s in (0, 1)]
    ha = [Trainer(m, X, y, config=c).train() for m, c in zip(alone, cfgs())]
    hp = train_packed(packed, X, y, cfgs())
    for a, p, h1, h2 in zip(alone, packed, ha, hp):
        assert _rel_err(a, p) < 1e-10
        d1, d2 = h1.deterministic(), h2.deterministic()
        assert d2.pop("engine") == "packed (2 models)" and d1.pop("engine") == "engine"
        for key, v in d1.items():
            if isinstance(v, list) and v and isinstance(v[0], float):
                np.testing.assert_allclose(d2[key], v, rtol=1e-7, err_msg=key)
            else:
                assert d2[key] == v, key
        assert h2.val_loss == [] and h2.best_rule.startswith("last epoch")


def test_initial_scale_may_differ_within_a_pack(digits):
    def build():
        return [MLP(64, [16], 10, seed=1, dtype="float64", weight_scale=w)
                for w in (0.01, "he", "glorot")]

    alone, packed = build(), build()
    cfg = TrainConfig(epochs=1, batch_size=32, optimizer="momentum", lr=0.05, seed=0)
    for m in alone:
        Trainer(m, *digits, config=TrainConfig(**cfg.to_dict())).train()
    train_packed(packed, *digits[:2], cfg, *digits[2:])
    for a, p in zip(alone, packed):
        assert _rel_err(a, p) < 1e-10


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-4)])
def test_one_l2_strength_for_all_matches_trainer(digits, dtype, tol, monkeypatch):
    """Models sharing one reg (as an ensemble's do): the L2 gradient in one BLAS pass over
    every parameter, the unpenalised biases' gradients kept aside; each model still ends
    as trained alone."""
    from numpynn.training import blas as blas_module
    from numpynn.training import packed as packed_module

    passes = []
    one_pass = packed_module._Pack._one_reg_pass

    def spy(self, regs):
        passes.append(one_pass(self, regs))
        return passes[-1]

    monkeypatch.setattr(packed_module._Pack, "_one_reg_pass", spy)

    def models():
        return [MLP(64, [24, 16], 10, seed=10 + i, reg=3e-3, dtype=dtype) for i in range(3)]

    opts = ["adam", "adam", "momentum"]
    alone, packed = models(), models()
    h_alone = _alone(alone, _configs(opts, [1, 2, 3]), digits)
    h_packed = train_packed(packed, *digits[:2], _configs(opts, [1, 2, 3]), *digits[2:])
    assert passes and all((p is not None) == blas_module.blas().available for p in passes)
    for a, p, ha, hp in zip(alone, packed, h_alone, h_packed):
        assert _rel_err(a, p) < tol
        assert hp.val_acc == ha.val_acc and hp.best_epoch == ha.best_epoch
        np.testing.assert_allclose(hp.step_loss, ha.step_loss, rtol=1e3 * tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_evaluation_sums_are_argmax_hits_and_log_softmax_of_the_labels(dtype):
    """The evaluation's kernel against argmax and -log_softmax at the labels: one label
    row shared by the models (broadcast) or one each, scores far from 0, tied maxima
    (argmax takes the first tied class), and NaN scores (a diverged model) giving NaN
    loss for that model alone."""
    from numpynn.losses import log_softmax
    from numpynn.training.packed import _class_sums

    rng = np.random.default_rng(0)
    h = (rng.standard_normal((3, 7, 10)) * [[[1.0]], [[50.0]], [[1e4]]]).astype(dtype)
    h[0, 1] = 0.0  # every class tied: argmax says class 0
    h[2, 4, [2, 6]] = h[2, 4].max() + 1  # classes 2 and 6 tied at the maximum
    shared = rng.integers(0, 10, 7)
    shared[1], shared[4] = 0, 6
    each = rng.integers(0, 10, (3, 7))
    each[0, 1], each[2, 4] = 5, 2
    for labels in (np.broadcast_to(shared, (3, 7)), each):
        log_p = log_softmax(h.reshape(-1, 10).astype(np.float64)).reshape(h.shape)
        want_loss = -np.take_along_axis(log_p, labels[..., None], axis=2)[..., 0].sum(axis=1)
        want_hits = np.argmax(h, axis=2) == labels
        hits, loss = _class_sums(h, labels)
        np.testing.assert_array_equal(hits, want_hits)
        np.testing.assert_allclose(loss, want_loss, rtol=1e-13)
    h[1, 2, 3] = np.nan
    _, got = _class_sums(h, each)
    assert np.isnan(got[1]) and np.isfinite(got[[0, 2]]).all()


def _regressors(regs, dtype: str, outputs: int = 2) -> list[Network]:
    from numpynn.layers import build_layer

    return [Network(5, [build_layer("affine", units=12), build_layer("relu"),
                        build_layer("affine", units=outputs)], loss="squared_error", reg=r,
                    weight_scale="he", dtype=dtype, seed=3 + i)
            for i, r in enumerate(regs)]


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-4)])
@pytest.mark.parametrize("shared_order", [True, False])
def test_squared_error_pack_matches_the_trainer(dtype, tol, shared_order):
    """A regression's candidates (L2 strengths) trained packed end as each trained alone:
    parameters, R^2 and loss per epoch, the kept epoch and the stop."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 5))
    y = np.c_[np.sin(X[:, 0]) + X[:, 1] ** 2, X[:, 2] - X[:, 3]] + 0.1 * rng.normal(size=(150, 2))
    data = (X[:110], y[:110], X[110:], y[110:])
    regs = [1e-4, 3e-3, 3e-2]

    def configs():
        return [TrainConfig(epochs=60, batch_size=32, optimizer=o, lr=3e-2, patience=4,
                            seed=0 if shared_order else i, select="loss")
                for i, o in enumerate(["adam", "adam", "rmsprop"])]

    alone, packed = _regressors(regs, dtype), _regressors(regs, dtype)
    ha = _alone(alone, configs(), data)
    hp = train_packed(packed, *data[:2], configs(), *data[2:])
    for a, p, h1, h2 in zip(alone, packed, ha, hp):
        assert _rel_err(a, p) < tol
        assert h2.score_name == h1.score_name == "r2"
        assert h2.epochs == h1.epochs and h2.best_epoch == h1.best_epoch
        assert h2.stop_reason == h1.stop_reason and h2.best_rule == h1.best_rule
        np.testing.assert_allclose(h2.val_score, h1.val_score, rtol=1e3 * tol, atol=1e3 * tol)
        np.testing.assert_allclose(h2.val_loss, h1.val_loss, rtol=1e3 * tol)
        np.testing.assert_allclose(h2.step_loss, h1.step_loss, rtol=1e3 * tol)
    assert len({h.best_epoch for h in hp}) > 1 or len({h.stop_reason for h in hp}) > 1


@pytest.mark.parametrize("seeds", [[0, 0, 0], [1, 2, 3]])  # one shared order, or one each
def test_augmented_pack_equals_augmented_trainers(digits, seeds):
    """Each model's batches shifted with its own draws, as its Trainer shifts them, also
    where the models share an order (the batch is then gathered per model)."""
    from numpynn.training.augment import Shift

    opts = ["adam", "sgd", "momentum"]
    shift = Shift(2, (8, 8), fill=np.linspace(-1, 0, 64))
    X, y, Xv, yv = digits
    alone, packed = _models(3, dropout=0.2), _models(3, dropout=0.2)
    h_alone = [Trainer(m, X, y, Xv, yv, config=c, augment=shift).train()
               for m, c in zip(alone, _configs(opts, seeds))]
    h_packed = train_packed(packed, X, y, _configs(opts, seeds), Xv, yv, augment=shift)
    plain = train_packed(_models(3, dropout=0.2), X, y, _configs(opts, seeds), Xv, yv)
    for a, p, ha, hp, hn in zip(alone, packed, h_alone, h_packed, plain):
        assert _rel_err(a, p) < 1e-10
        assert hp.val_acc == ha.val_acc and hp.best_epoch == ha.best_epoch
        assert hp.step_loss != hn.step_loss  # the shifts changed the training


def test_balanced_accuracy_pack_matches_the_trainers_scorer(digits):
    """``score="balanced_accuracy"``: each member's per-epoch scores are the Trainer's
    BalancedAccuracyScorer figures (scikit-learn's balanced_accuracy_score of its
    predictions), its kept epoch chosen by them ("auto" selects by the score on imbalanced
    classes whatever the validation size), and it ends as that Trainer leaves it. The data
    are made imbalanced (class 0 kept whole, the rest thinned) so that the two scores part."""
    from sklearn.metrics import balanced_accuracy_score

    from numpynn.training.scores import BalancedAccuracyScorer

    X, y, Xv, yv = digits
    keep = (y == 0) | (np.arange(y.size) % 4 == 0)
    keep_v = (yv == 0) | (np.arange(yv.size) % 3 == 0)
    data = X[keep], y[keep], Xv[keep_v], yv[keep_v]
    cfgs = lambda: [TrainConfig(epochs=4, batch_size=16, optimizer="adam", lr=3e-3 * (i + 1),  # noqa: E731
                                seed=i, select="auto", eval_samples=40) for i in range(3)]
    alone, packed = _models(3), _models(3)
    ha = [Trainer(m, *data, config=c, scorer=BalancedAccuracyScorer()).train()
          for m, c in zip(alone, cfgs())]
    hp = train_packed(packed, *data[:2], cfgs(), *data[2:], score="balanced_accuracy")
    for a, p, h_a, h_p in zip(alone, packed, ha, hp):
        assert h_p.score_name == h_a.score_name == "balanced_accuracy"
        assert h_p.best_rule == h_a.best_rule == "best validation balanced accuracy"
        np.testing.assert_allclose(h_p.val_score, h_a.val_score, rtol=1e-12)
        np.testing.assert_allclose(h_p.train_score, h_a.train_score, rtol=1e-12)
        assert h_p.best_epoch == h_a.best_epoch
        assert _rel_err(a, p) < 1e-10
        want = balanced_accuracy_score(data[3], np.argmax(p.forward(data[2]), axis=1))
        if h_p.best_epoch == h_p.epochs[-1]:  # the kept parameters are the last epoch's
            assert h_p.val_score[-1] == pytest.approx(want, rel=1e-12)
        assert h_p.val_score[h_p.best_epoch - 1] == max(h_p.val_score)
    plain = train_packed(_models(1), *data[:2], cfgs()[:1], *data[2:])[0]
    assert plain.score_name == "accuracy"


def test_a_score_the_pack_cannot_compute_is_refused(digits):
    with pytest.raises(InputError, match="score='f1'"):
        train_packed(_models(2), *digits[:2], _configs(["adam"] * 2), *digits[2:],
                     score="f1")


def test_evaluation_in_two_threads_matches_the_trainer(digits, monkeypatch):
    """The per-epoch figures with the evaluation's chunks (here of 20 rows) shared between
    two threads: accuracy, balanced accuracy and R^2 with their losses as the Trainer's."""
    from numpynn.training import packed

    chunks: list[int] = []
    helper = packed._eval_helper
    monkeypatch.setattr(packed, "_two_eval_threads", lambda allowed: True)
    monkeypatch.setattr(packed, "_eval_helper", lambda: chunks.append(1) or helper())
    monkeypatch.setattr(packed, "EVAL_CHUNK_BYTES", 4 * 3 * 24 * 20)
    _check_equal(["adam", "sgd", "momentum"], digits, seeds=[0, 1, 2])
    test_balanced_accuracy_pack_matches_the_trainers_scorer(digits)
    test_squared_error_pack_matches_the_trainer("float64", 1e-10, False)
    assert len(chunks) > 10
