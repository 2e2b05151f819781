"""numpynn.runs.ensembles through run_training: K members trained packed and saved as one
model whose probabilities are their mean (checked against members rebuilt from the
file's arrays by hand), K=1 the single-network run unchanged, the spread in the model
file, history.json and the report, and the runs the packed engine cannot do refused
naming ``ensemble``."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from numpynn.ensemble import Ensemble
from numpynn.errors import InputError
from numpynn.evaluation import evaluate
from numpynn.model_file import load_model
from numpynn.models import MLP
from numpynn.runs.ensembles import member_eval_samples, spread_text
from numpynn.runs.run import (
    CHECKPOINT_FILE,
    HISTORY_FILE,
    MODEL_FILE,
    RunOptions,
    evaluation_data,
    prepare_splits,
    run_training,
)
from numpynn.training.ensemble import member_seeds
from numpynn.training.trainer import TrainConfig, Trainer


def options(ensemble: int = 3, **run) -> RunOptions:
    cfg = TrainConfig(epochs=6, batch_size=32, optimizer="adam", lr=3e-3, seed=2)
    return RunOptions(data="digits", hidden=[32], val_fraction=0.15, ensemble=ensemble,
                      train=cfg, **run)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ensemble")
    return run_training(options(), out, report=True), out


def test_model_predicts_the_mean_of_its_members_rebuilt_by_hand(run):
    result, out = run
    saved = load_model(out / MODEL_FILE)
    assert isinstance(saved.model, Ensemble) and saved.model.n_members == 3
    X, y, split = evaluation_data(saved, "digits")
    assert split == "test"
    Z = saved.transform(X)
    probs = []
    with np.load(out / MODEL_FILE) as npz:
        for i in range(3):
            net = MLP(64, [32], 10)
            net.set_params({k: npz[f"member{i}/param/{k}"] for k in net.params})
            probs.append(net.predict_proba(Z))
    mean = np.mean(probs, axis=0)
    np.testing.assert_allclose(saved.predict_proba(X), mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(saved.predict(X), saved.classes[np.argmax(mean, axis=1)])
    assert result.metrics["test"]["accuracy"] == pytest.approx(
        np.mean(np.argmax(mean, axis=1) == y))
    # the members are the run's networks from member_seeds(seed, 3)
    assert [m.seed for m in result.saved.model.members] == member_seeds(2, 3)


def test_spread_is_in_the_metadata_history_and_report(run):
    result, out = run
    meta = load_model(out / MODEL_FILE).metadata["ensemble"]
    assert meta["n_members"] == 3 and meta["seeds"] == member_seeds(2, 3)
    rows = meta["members"]
    assert [r["model"] for r in rows] == ["member 1", "member 2", "member 3", "ensemble (3)"]
    assert rows[-1]["test accuracy"] == result.metrics["test"]["accuracy"]
    assert rows[-1]["val loss"] == result.metrics["val"]["loss"]
    for row, member in zip(rows, result.saved.model.members):
        assert row["val accuracy"] == evaluate(member, *_val(run)).accuracy
    # the ensemble's log loss is never above its members' mean (log is concave)
    for split in ("val", "test"):
        assert rows[-1][f"{split} loss"] <= np.mean([r[f"{split} loss"] for r in rows[:-1]])
    history = json.loads((out / HISTORY_FILE).read_text())
    assert len(history["members"]) == 3 and history["epochs"] == history["members"][0]["epochs"]
    report = (out / "report.html").read_text()
    assert "Ensemble members" in report and report.count("<tr><th>member ") == 3
    assert not (out / CHECKPOINT_FILE).exists()
    text = result.spread_text()
    assert text.startswith("ensemble of 3: test accuracy") and "members" in text
    assert text == spread_text(rows)


def _val(run):
    splits = prepare_splits(replace(options(), task="classification"))
    return splits.X_val, splits.y_val


def test_one_member_is_the_single_network_run(tmp_path):
    one = run_training(options(ensemble=1), tmp_path / "one", report=False)
    default = RunOptions(data="digits", hidden=[32], val_fraction=0.15, train=options().train)
    assert default.ensemble == 1
    plain = run_training(default, tmp_path / "plain", report=False)
    assert not isinstance(one.saved.model, Ensemble) and one.ensemble is None
    assert one.spread_text() is None
    for k, v in plain.saved.model.params.items():
        np.testing.assert_array_equal(one.saved.model.params[k], v)
    assert one.metrics == plain.metrics
    assert (tmp_path / "one" / CHECKPOINT_FILE).exists()


@pytest.mark.parametrize("run_kw, words", [
    ({"normalization": "batch"}, "`normalization='batch'`"),
    ({"class_weight": "balanced"}, "`class_weight='balanced'`"),
    ({"refit": True}, "`refit`"),
])
def test_what_packing_cannot_do_is_refused(tmp_path, run_kw, words):
    with pytest.raises(InputError, match="`ensemble=3`") as info:
        run_training(options(**run_kw), tmp_path / "out", report=False)
    assert words in str(info.value) and info.value.param == "ensemble"
    assert not (tmp_path / "out").exists()


def test_an_ensemble_fitted_on_every_row_is_refused_for_that_not_for_auto_folds(tmp_path):
    """`final_fit='all'` on a small table chooses cross-validation folds by itself
    (`cv_folds` None, auto); the ensemble's check then refused `cv_folds=3`, an option the
    user never gave, instead of the `final_fit='all'` they did."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2))
    lines = ["a,b,label"] + [f"{a:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'}" for a, b in X]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    opts = replace(options(), data=str(tmp_path / "t.csv"), val_fraction=None,
                   final_fit="all")
    assert opts.cv_folds is None
    with pytest.raises(InputError, match="`ensemble=3`") as info:
        run_training(opts, tmp_path / "out", report=False)
    assert "`final_fit='all'`" in str(info.value) and "cv_folds" not in str(info.value)
    assert info.value.param == "ensemble"


def test_a_regression_ensemble_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    lines = ["a,b,c,target"] + [f"{a:.3f},{b:.3f},{c:.3f},{a + 2 * b:.4f}" for a, b, c in X]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    opts = replace(options(), data=str(tmp_path / "t.csv"), task="regression")
    with pytest.raises(InputError, match="regression") as info:
        run_training(opts, tmp_path / "out", report=False)
    assert info.value.param == "ensemble"


@pytest.mark.parametrize("bad", [0, -1, "x", 2.5, True])
def test_bad_member_counts_are_refused(bad):
    with pytest.raises(InputError, match="ensemble"):
        options(ensemble=bad)


def test_member_eval_samples_split_one_networks_evaluation():
    assert member_eval_samples(None, 1437, 5) == 288
    assert member_eval_samples(10_000, 1437, 5) == 288
    assert member_eval_samples(1000, 1437, 3) == 334
    assert member_eval_samples(None, 3, 5) == 1


def test_each_member_is_the_run_network_trained_alone(tmp_path):
    opts = options(ensemble=2)
    result = run_training(opts, tmp_path / "out", report=False)
    splits = prepare_splits(replace(opts, task="classification"))
    seeds = member_seeds(2, 2)
    rows = member_eval_samples(opts.train.eval_samples, splits.X_train.shape[0], 2)
    for member, history, seed in zip(result.saved.model.members,
                                     result.saved.model.histories, seeds):
        alone = opts.build_model(64, 10, seed)
        trainer = Trainer(alone, splits.X_train, splits.y_train, splits.X_val, splits.y_val,
                          config=replace(opts.train, seed=seed, eval_samples=rows))
        alone_history = trainer.train()
        for key, value in alone.params.items():
            np.testing.assert_allclose(member.params[key], value, rtol=0,
                                       atol=1e-4 * np.abs(value).max())
        np.testing.assert_allclose(history.train_loss, alone_history.train_loss, rtol=1e-4)
        assert history.best_epoch == alone_history.best_epoch


def test_a_diverged_member_fails_the_run_and_saves_nothing(tmp_path):
    """numpynn train --ensemble 3 with a diverging learning rate saved a model of
    untrained members (chance accuracy) and exited 0; one network's run fails (exit 1)."""
    from tests.clirun import numpynn

    proc = numpynn("train", "--data", "digits", "--optimizer", "sgd", "--lr", "100",
                   "--epochs", "3", "--ensemble", "3", "--out", "run", "--quiet",
                   cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "diverged" in proc.stderr and "--lr 10" in proc.stderr
    assert not (tmp_path / "run" / "model.npz").exists()
