"""Tests of numpynn.runs.run: a whole run as ``numpynn train`` does it, its files, the
train-only preprocessing, and re-creating the run's data for evaluate and predict."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from numpynn.data import load_dataset, train_val_test_split
from numpynn.errors import DataError, InputError
from numpynn.evaluation import evaluate
from numpynn.model_file import load_model
from numpynn.runs.run import (
    CHECKPOINT_FILE,
    HISTORY_FILE,
    MODEL_FILE,
    RunOptions,
    evaluation_data,
    prediction_data,
    resume_options,
    run_training,
)
from numpynn.training.trainer import Callback, TrainConfig


def small_options(**train) -> RunOptions:
    cfg = {"epochs": 3, "batch_size": 64, "optimizer": "adam", "lr": 5e-3, "seed": 3, **train}
    # digits is below AUTO_VAL_MIN_ROWS: the validation split these tests check is asked for
    return RunOptions(data="digits", hidden=[32], val_fraction=0.1, train=TrainConfig(**cfg))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return run_training(small_options(), out, report=False), out


def test_run_writes_its_files(run):
    result, out = run
    assert (out / MODEL_FILE).is_file()
    assert (out / HISTORY_FILE).is_file()
    assert (out / CHECKPOINT_FILE).is_file()
    assert not (out / "report.html").exists()  # report=False
    assert result.paths == {"model": out / MODEL_FILE, "history": out / HISTORY_FILE}
    history = json.loads((out / HISTORY_FILE).read_text())
    assert history == json.loads(json.dumps(result.history.to_dict()))
    assert history["epochs"] == [1, 2, 3]
    ds = load_dataset("digits")
    X_tr, *_ = train_val_test_split(ds.X, ds.y, val_fraction=0.1, test_fraction=0.2, seed=3)
    assert len(history["step_loss"]) == 3 * -(-len(X_tr) // 64)


def test_metrics(run):
    result, _ = run
    assert set(result.metrics) == {"train", "val", "test"}
    for split, m in result.metrics.items():
        assert set(m) == {"accuracy", "loss"}, split
        assert 0.0 <= m["accuracy"] <= 1.0
        assert np.isfinite(m["loss"]) and m["loss"] > 0
    assert result.metrics["test"]["accuracy"] > 0.85  # 3 epochs of Adam on digits
    assert result.test_evaluation is not None
    assert result.test_evaluation.accuracy == result.metrics["test"]["accuracy"]
    assert int(result.test_evaluation.support.sum()) == 360  # 20% of 1797, stratified


def test_model_file_holds_the_run(run):
    result, out = run
    saved = load_model(out / MODEL_FILE)
    for k, v in result.saved.model.params.items():
        assert np.array_equal(saved.model.params[k], v)
    assert saved.metadata["metrics"] == result.metrics
    assert saved.metadata["data"] == "digits"
    assert saved.metadata["epochs_run"] == 3
    assert saved.metadata["class_names"] == [str(i) for i in range(10)]
    # recorded as run: the task chosen by name, its defaults applied (none to apply here)
    ran = replace(small_options(), task="classification", task_defaults=[], final_fit="none",
                  cv_folds=1)
    assert saved.metadata["task"] == "classification"
    assert RunOptions.from_dict(saved.metadata["options"]) == ran
    assert resume_options(out) == ran


def test_preprocessing_is_fitted_on_the_training_split_only(run):
    result, _ = run
    ds = load_dataset("digits")
    X_tr, *_ = train_val_test_split(ds.X, ds.y, val_fraction=0.1, test_fraction=0.2, seed=3)
    state = result.saved.preprocessing["state"]
    assert result.saved.preprocessing["kind"] == "standardize"
    train_mean = X_tr.astype(np.float32).astype(np.float64).mean(axis=0)
    np.testing.assert_array_equal(state["mean"], train_mean)
    assert not np.allclose(state["mean"], ds.X.mean(axis=0), rtol=1e-3, atol=1e-3)
    train_std = X_tr.std(axis=0)
    # constant features get the training set's peak as scale (standardize stays scale-free)
    np.testing.assert_allclose(state["scale"],
                               np.where(train_std > 0, train_std, np.abs(X_tr).max()))


def test_evaluation_data_reproduces_the_test_accuracy(run):
    result, out = run
    saved = load_model(out / MODEL_FILE)
    X, y, split = evaluation_data(saved, "digits")  # auto: the run's test split
    assert split == "test"
    ev = evaluate(saved.model, saved.transform(X), y)
    assert ev.accuracy == result.metrics["test"]["accuracy"]
    assert ev.loss == result.metrics["test"]["loss"]
    for name in ("train", "val"):
        X, y, _ = evaluation_data(saved, "digits", split=name)
        ev = evaluate(saved.model, saved.transform(X), y)
        assert ev.accuracy == result.metrics[name]["accuracy"], name
    X, y, split = evaluation_data(saved, "digits", split="all")
    assert split == "all" and X.shape == (1797, 64)


def test_evaluation_data_rejects_bad_splits(run, tmp_path):
    _, out = run
    saved = load_model(out / MODEL_FILE)
    with pytest.raises(InputError, match="`split`"):
        evaluation_data(saved, "digits", split="validation")
    other = tmp_path / "other.csv"
    np.savetxt(other, np.c_[np.ones((4, 64)), np.arange(4)], delimiter=",", fmt="%g")
    with pytest.raises(InputError, match="`split='all'`"):
        evaluation_data(saved, str(other), split="test")


def _write_csv(path, X, y=None):
    rows = X if y is None else np.c_[X, y]
    np.savetxt(path, rows, delimiter=",", fmt="%g")
    return str(path)


def test_prediction_data_with_and_without_labels(run, tmp_path):
    _, out = run
    saved = load_model(out / MODEL_FILE)
    ds = load_dataset("digits")
    X, y = ds.X[:25], ds.y[:25]
    with_labels = _write_csv(tmp_path / "labelled.csv", X, y)
    without = _write_csv(tmp_path / "features.csv", X)
    np.testing.assert_array_equal(prediction_data(saved, with_labels), X)
    np.testing.assert_array_equal(prediction_data(saved, without), X)
    np.testing.assert_array_equal(prediction_data(saved, "digits"), ds.X)
    bad = _write_csv(tmp_path / "narrow.csv", X[:, :10])
    with pytest.raises(DataError, match="64"):
        prediction_data(saved, bad)


def test_resumed_run_equals_an_uninterrupted_one(tmp_path):
    class StopAfter2(Callback):
        def on_epoch_end(self, trainer, epoch):
            if epoch == 2:
                raise KeyboardInterrupt

    straight = run_training(small_options(epochs=4), tmp_path / "a", report=False)
    with pytest.raises(KeyboardInterrupt):
        run_training(small_options(epochs=4), tmp_path / "b", callbacks=[StopAfter2()],
                     report=False)
    assert not (tmp_path / "b" / MODEL_FILE).exists()
    resumed = run_training(resume_options(tmp_path / "b"), tmp_path / "b", resume=True,
                           report=False)
    assert resumed.history.deterministic() == straight.history.deterministic()
    for k, v in straight.saved.model.params.items():
        assert np.array_equal(resumed.saved.model.params[k], v), k
    assert resumed.metrics == straight.metrics


def test_out_must_be_a_directory(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError, match="directory"):
        run_training(small_options(epochs=1), f, report=False)


def test_prepare_splits_holds_the_rows_once():
    """The data set's own arrays are released after splitting (peak memory ~2x data)."""
    from numpynn.runs.run import RunOptions, prepare_splits

    splits = prepare_splits(RunOptions())
    assert splits.dataset.X.shape == (0, 64) and splits.dataset.X_test is None
    n = splits.X_train.shape[0] + splits.X_val.shape[0] + splits.X_test.shape[0]
    assert n == 1797 and splits.dataset.n_features == 64 and splits.dataset.n_classes == 10


def test_predict_says_which_rows_of_an_npz_with_a_test_part_are_which(tmp_path):
    """`numpynn predict` on an .npz with x_train/x_test arrays wrote the rows of both, train
    first, with nothing saying so."""
    from numpynn.runs.run import prediction_input

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    np.savez(tmp_path / "s.npz", x_train=X[:40], y_train=y[:40], x_test=X[40:],
             y_test=y[40:])
    run_training(RunOptions(data=str(tmp_path / "s.npz"), hidden=[4], final_fit="none",
                            train=TrainConfig(epochs=1)), tmp_path / "run", report=False)
    read = prediction_input(load_model(tmp_path / "run" / "model.npz"),
                            str(tmp_path / "s.npz"))
    assert read.X.shape == (50, 2)
    assert read.notes == ["note: s.npz: rows 1 to 40 are its training part's, 41 to 50 its "
                          "test part's (train rows first, then test)."]


def test_labels_written_in_another_case_name_the_models_classes(tmp_path):
    """A file given to evaluate whose every label is a class of the model in another case
    ('YES' for 'yes', as another program exports it) is not "data of another model": the
    refusal names the class the model knows for each label."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    labels = np.where(X[:, 0] > 0, "yes", "no")
    lines = ["a,b,label", *(f"{a:.3f},{b:.3f},{c}" for (a, b), c in zip(X, labels))]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = replace(small_options(), data=str(tmp_path / "train.csv"), hidden=[4],
                      val_fraction=0.0)
    run_training(options, tmp_path / "out", report=False)
    saved = load_model(tmp_path / "out" / MODEL_FILE)
    upper = tmp_path / "upper.csv"
    upper.write_text("\n".join([lines[0], *(line.upper() for line in lines[1:6])]) + "\n",
                     encoding="utf-8")
    with pytest.raises(DataError, match=r"'YES' \(the model knows 'yes'\)") as info:
        evaluation_data(saved, str(upper), "all")
    assert "another model" not in str(info.value)
    other = tmp_path / "other.csv"
    other.write_text("a,b,label\n1,2,cat\n3,4,dog\n", encoding="utf-8")
    with pytest.raises(DataError, match="data of another model or task"):
        evaluation_data(saved, str(other), "all")
