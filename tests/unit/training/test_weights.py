"""Sample and class weights: the weighted softmax cross-entropy (readable and engine), the
Trainer's sample_weight, and MLPClassifier's sample_weight / class_weight."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import recall_score

from numpynn import MLPClassifier
from numpynn.errors import InputError
from numpynn.gradcheck.checks import numerical_gradient, rel_error
from numpynn.losses import softmax_cross_entropy
from numpynn.models import MLP
from numpynn.training.engine import Engine
from numpynn.training.trainer import TrainConfig, Trainer
from tests.clirun import numpynn


def test_weighted_loss_gradchecks():
    rng = np.random.default_rng(0)
    scores, y = rng.standard_normal((7, 4)), rng.integers(0, 4, 7)
    w = rng.uniform(0.1, 3.0, 7)
    loss, dscores = softmax_cross_entropy(scores, y, w)
    num = numerical_gradient(lambda _: softmax_cross_entropy(scores, y, w)[0], scores)
    assert rel_error(dscores, num) < 1e-7
    per_row = -np.log(np.exp(scores[np.arange(7), y]) / np.exp(scores).sum(axis=1))
    assert loss == pytest.approx(np.dot(w, per_row) / w.sum(), rel=1e-12)


def test_unit_weights_equal_no_weights_and_integer_weights_repeat_rows():
    rng = np.random.default_rng(1)
    scores, y = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    plain = softmax_cross_entropy(scores, y)
    ones = softmax_cross_entropy(scores, y, np.ones(5))
    assert ones[0] == pytest.approx(plain[0], rel=1e-14)
    np.testing.assert_allclose(ones[1], plain[1], rtol=1e-14)
    w = np.array([1, 2, 0, 3, 1])
    rep = np.repeat(np.arange(5), w)
    repeated = softmax_cross_entropy(scores[rep], y[rep])
    assert softmax_cross_entropy(scores, y, w)[0] == pytest.approx(repeated[0], rel=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_engine_weighted_loss_equals_reference(dtype):
    model = MLP(6, [8, 5], 3, reg=0.1, dtype=dtype, seed=0, normalization="batch")
    rng = np.random.default_rng(2)
    engine = Engine(model, 10)
    for b in (10, 4):
        X = rng.standard_normal((b, 6)).astype(dtype)
        y = rng.integers(0, 3, b)
        w = rng.uniform(0, 2, b)
        buffers = {k: v.copy() for k, v in model.buffers.items()}
        loss_ref, grads_ref = model.loss(X, y, sample_weight=w)
        model.set_buffers(buffers)
        loss, grads = engine.loss_and_grads(X, y, w)
        rtol = 2e-5 if dtype == "float32" else 1e-11
        assert loss == pytest.approx(loss_ref, rel=rtol)
        scale = max(float(np.abs(g).max()) for g in grads_ref.values())
        for k in grads_ref:
            np.testing.assert_allclose(grads[k], grads_ref[k], rtol=rtol, atol=rtol * scale)


def test_trainer_engine_and_reference_agree_with_weights():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((120, 6)), rng.integers(0, 3, 120)
    w = rng.uniform(0, 2, 120)
    runs = []
    for fast in (True, False):
        model = MLP(6, [10], 3, dtype="float64", seed=0)
        t = Trainer(model, X, y, config=TrainConfig(epochs=3, batch_size=32, optimizer="adam"),
                    fast=fast, sample_weight=w)
        t.train()
        runs.append(t)
    np.testing.assert_allclose(runs[0].history.step_loss, runs[1].history.step_loss, rtol=1e-10)


@pytest.mark.parametrize("bad, match", [
    (np.ones(3), r"shape \(10,\)"),
    (-np.ones(10), "finite weights >= 0"),
    (np.zeros(10), "zero for every row"),
    (np.full(10, np.nan), "finite weights >= 0"),
])
def test_sample_weight_errors_name_the_argument(bad, match):
    with pytest.raises(InputError, match="sample_weight.*" + match):
        Trainer(MLP(2, [3], 2), np.zeros((10, 2)), np.arange(10) % 2, sample_weight=bad)


def test_class_weight_balanced_raises_minority_recall():
    X, y = make_classification(n_samples=1500, n_features=20, n_informative=5,
                               weights=[0.9, 0.1], flip_y=0.02, class_sep=0.6,
                               random_state=0)
    Xtr, ytr, Xte, yte = X[:1000], y[:1000], X[1000:], y[1000:]
    kwargs = dict(hidden_layer_sizes=(32,), max_iter=30, random_state=0)
    plain = MLPClassifier(**kwargs).fit(Xtr, ytr)
    balanced = MLPClassifier(class_weight="balanced", **kwargs).fit(Xtr, ytr)
    r_plain = recall_score(yte, plain.predict(Xte), pos_label=1)
    r_bal = recall_score(yte, balanced.predict(Xte), pos_label=1)
    assert r_bal > r_plain + 0.05, (r_plain, r_bal)


def test_estimator_sample_weight_and_class_weight_dict():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 4)), np.array(["a", "b", "c"] * 20)
    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0,
                        class_weight={"a": 2.0, "b": 1.0, "c": 1.0})
    est.fit(X, y, sample_weight=rng.uniform(0.5, 1.5, 60))
    assert set(est.predict(X)) <= {"a", "b", "c"}
    with pytest.raises(ValueError, match="class_weight"):
        MLPClassifier(class_weight="heavy").fit(X, y)
    ones = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    a = ones.fit(X, y).predict_proba(X)
    b = ones.fit(X, y, sample_weight=np.ones(60)).predict_proba(X)
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_cli_class_weight_balanced(tmp_path):
    """--class-weight balanced trains with weighted batches and raises minority recall."""

    X, y = make_classification(n_samples=1200, n_features=10, n_informative=4,
                               weights=[0.9, 0.1], class_sep=0.6, random_state=1)
    path = tmp_path / "imb.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.6g")
    recalls = []
    for flag in ("none", "balanced"):
        out = tmp_path / flag
        proc = numpynn("train", "--data", path, "--class-weight", flag, "--epochs", "15",
                       "--quiet", "--out", out)
        assert proc.returncode == 0, proc.stderr
        import json
        report = json.loads((out / "history.json").read_text())
        assert report["engine"] == "engine"
        from numpynn.model_file import load_model
        saved = load_model(out / "model.npz")
        pred = saved.predict(X)
        recalls.append(recall_score(y, pred.astype(float).astype(int), pos_label=1))
    assert recalls[1] > recalls[0], recalls
