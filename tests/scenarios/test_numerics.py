"""Numerics under stress: extreme feature scales, learning rates far too high, degenerate
data (all-zero features, duplicated or contradictory rows, one example per class)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from numpynn import MLP
from numpynn.cli.main import main
from numpynn.data import Preprocessor
from numpynn.errors import DataError, DivergenceError
from numpynn.runs.run import RunOptions, run_training
from numpynn.training.trainer import Callback, TrainConfig, Trainer

QUICK = TrainConfig(epochs=8, batch_size=32, optimizer="adam", lr=1e-3, seed=0)


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    return d.data, d.target


def train_on(tmp: Path, X: np.ndarray, y: np.ndarray, **options):
    np.savez(tmp / "data.npz", X=X, y=y)
    options.setdefault("train", QUICK)
    options.setdefault("val_fraction", 0.1)  # digits is below AUTO_VAL_MIN_ROWS; these check val
    return run_training(RunOptions(data=str(tmp / "data.npz"), **options), tmp / "run",
                        report=False)


# ------------------------------------------------------------------------- scales
@pytest.fixture(scope="module")
def unit_scale(digits, tmp_path_factory):
    return train_on(tmp_path_factory.mktemp("unit"), *digits)


@pytest.mark.parametrize("scale", [1e-6, 1e6, 1e-30, 1e30])
def test_feature_scale_does_not_matter_with_standardize(scale, digits, unit_scale, tmp_path):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow or underflow on the way
        result = train_on(tmp_path, X * scale, y)
    assert result.metrics["test"]["accuracy"] > 0.9
    # standardize is scale-free: the run matches the unit-scale run up to float32 rounding
    for split in ("train", "val", "test"):
        assert result.metrics[split]["accuracy"] == pytest.approx(
            unit_scale.metrics[split]["accuracy"], abs=0.02)
        assert result.metrics[split]["loss"] == pytest.approx(
            unit_scale.metrics[split]["loss"], rel=0.05)


def test_constant_training_feature_with_new_values_at_test_time_stays_bounded():
    """Pixels that are 0 in every training image get the data's scale, not 1: unseen
    values at prediction time stay as large as the rest, at any feature scale."""
    X = np.array([[0.0, 1e6], [0.0, 3e6], [0.0, 2e6]])
    pre = Preprocessor("standardize").fit(X)
    out = pre.transform(np.array([[3e6, 2e6]]))
    assert abs(out[0, 0]) <= 1.0
    assert np.allclose(Preprocessor("standardize").fit(X * 1e-9).transform(
        np.array([[3e-3, 2e-3]])), out)


def test_values_too_large_for_float32_are_a_clear_error(digits, tmp_path):
    X, y = digits
    with pytest.raises(DataError, match="too large for float32.*`dtype='float64'`"):
        train_on(tmp_path, X * 1e300, y)


# ------------------------------------------------------------------------ divergence
def test_learning_rate_far_too_high_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc = main(["train", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "3", "--quiet",
               "--out", "run"])
    captured = capsys.readouterr()
    assert rc == 1
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err  # no RuntimeWarnings around the message
    assert lines[0].startswith("numpynn: error: training diverged in epoch 1")
    assert "smaller learning rate" in lines[0] and "--lr 100000" in lines[0]
    assert not (tmp_path / "run" / "model.npz").exists()


class RaiseLearningRate(Callback):
    """After epoch ``at``, remember the parameters and set a learning rate that diverges."""

    def __init__(self, at: int) -> None:
        self.at, self.params = at, None

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None:
        if epoch == self.at:
            self.params = {k: v.copy() for k, v in trainer.model.params.items()}
            trainer.optimizer.lr = 1e8


def test_divergence_keeps_the_last_good_epoch(digits, tmp_path):
    X, y = digits
    np.savez(tmp_path / "d.npz", X=X, y=y)
    spy = RaiseLearningRate(at=2)
    options = RunOptions(data=str(tmp_path / "d.npz"),
                         train=TrainConfig(epochs=6, batch_size=64, optimizer="sgd", lr=0.01))
    with pytest.raises(DivergenceError, match="epoch 3.*last good epoch 2.*smaller learning"):
        run_training(options, tmp_path / "run", callbacks=[spy], report=False)
    assert not (tmp_path / "run" / "model.npz").exists()
    from numpynn.training.trainer import read_checkpoint

    header, arrays = read_checkpoint(tmp_path / "run" / "checkpoint.npz")
    assert header["epoch"] == 2  # the last good epoch is on disk
    for k, v in spy.params.items():
        assert np.array_equal(arrays[f"param/{k}"], v)


def test_divergence_in_the_api_restores_finite_parameters(digits):
    X, y = digits
    model = MLP(64, [32], 10, seed=0)
    before = {k: v.copy() for k, v in model.params.items()}
    trainer = Trainer(model, X / 16, y, config=TrainConfig(epochs=2, optimizer="sgd", lr=1e9))
    with np.errstate(all="ignore"), pytest.raises(DivergenceError, match="smaller"):
        trainer.train()
    for k, v in model.params.items():
        assert np.array_equal(v, before[k]), "diverged in epoch 1: the initial parameters"


# ------------------------------------------------------------------ degenerate data
def test_all_zero_features_predict_the_prior(digits, tmp_path):
    _, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = train_on(tmp_path, np.zeros((len(y), 64)), y)
    model = result.saved.model
    assert all(np.isfinite(v).all() for v in model.params.values())
    proba = result.saved.predict_proba(np.zeros((5, 64)))
    assert np.isfinite(proba).all() and np.allclose(proba.sum(axis=1), 1)
    # inputs carry nothing: every row gets the same probabilities, close to the priors
    assert np.allclose(proba, proba[0], atol=1e-6)
    assert np.allclose(proba[0], np.bincount(y) / len(y), atol=0.05)
    assert 0.05 <= result.metrics["test"]["accuracy"] <= 0.2  # chance is 0.1
    assert result.metrics["test"]["loss"] == pytest.approx(np.log(10), abs=0.05)


def test_duplicated_rows_train_normally(digits, tmp_path):
    X, y = digits
    result = train_on(tmp_path, np.tile(X[:300], (3, 1)), np.tile(y[:300], 3))
    assert result.metrics["train"]["accuracy"] > 0.95
    assert all(np.isfinite(m["loss"]) for m in result.metrics.values())


def test_contradictory_duplicates_give_the_entropy_not_nan(tmp_path):
    """One row, repeated, labelled 0 and 1 half and half: the best loss is log 2."""
    X = np.ones((40, 3))
    y = np.arange(40) % 2
    result = train_on(tmp_path, X, y,
                      train=TrainConfig(epochs=30, batch_size=8, optimizer="adam", lr=1e-2))
    for m in result.metrics.values():
        assert m["loss"] == pytest.approx(np.log(2), abs=0.01)
        assert m["accuracy"] == pytest.approx(0.5, abs=0.2)


def test_one_example_per_class_needs_the_split_turned_off(tmp_path, capsys, monkeypatch):
    """A stratified split cannot put a class with one example in train, val and test:
    a clear error names the fix; with --val-fraction 0 --test-fraction 0 it trains
    (and memorises the ten examples)."""
    monkeypatch.chdir(tmp_path)
    X, y = load_digits(return_X_y=True)
    first = [int(np.flatnonzero(y == c)[0]) for c in range(10)]
    np.savez(tmp_path / "ten.npz", X=X[first], y=y[first])
    assert main(["train", "--data", "ten.npz", "--out", "run", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "has only 1 example(s)" in err and "(set --test-fraction to 0)" in err
    rc = main(["train", "--data", "ten.npz", "--val-fraction", "0", "--test-fraction", "0",
               "--epochs", "60", "--lr", "0.01", "--out", "run", "--quiet", "--no-report"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "100.00%" in out.splitlines()[4]  # the train row: memorised
    assert "val " not in out and "test " not in out
