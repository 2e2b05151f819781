"""The refit of ``RunOptions.refit``: once the validation split has chosen the epoch count,
a fresh network trains on training + validation rows for that many epochs, and the saved
model, the metrics and the model file all describe that network."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from numpynn.errors import InputError
from numpynn.evaluation import evaluate
from numpynn.model_file import load_model
from numpynn.runs.run import (
    MODEL_FILE,
    RunOptions,
    evaluation_data,
    prepare_splits,
    resume_options,
    run_training,
)
from numpynn.training.trainer import Callback, TrainConfig, Trainer


def options(refit: bool, **train) -> RunOptions:
    cfg = {"epochs": 4, "batch_size": 64, "optimizer": "adam", "lr": 5e-3, "seed": 5,
           "patience": 2, **train}
    return RunOptions(data="digits", hidden=[16], val_fraction=0.1, refit=refit,
                      train=TrainConfig(**cfg))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("refit")
    return (run_training(options(True), base / "refit", report=True), base / "refit",
            run_training(options(False), base / "plain", report=False), base / "plain")


def test_the_saved_network_is_a_fresh_one_trained_on_train_and_val(runs):
    refit, out, plain, _ = runs
    opts = options(True)
    splits = prepare_splits(opts)
    n_tr, n_val = splits.y_train.shape[0], splits.y_val.shape[0]
    epochs = refit.history.best_epoch
    assert refit.history.deterministic() == plain.history.deterministic()  # same selection
    assert refit.refit == {
        "epochs": epochs, "rows": n_tr + n_val, "selected_on": {"train": n_tr, "val": n_val},
        "val_loss": refit.history.val_loss[epochs - 1],
        "val_accuracy": refit.history.val_acc[epochs - 1]}
    model = opts.build_model(64, 10, 5)  # what the refit must have done, by hand
    Trainer(model, np.concatenate([splits.X_train, splits.X_val]),
            np.concatenate([splits.y_train, splits.y_val]),
            config=replace(opts.train, epochs=epochs, patience=None)).train()
    saved = load_model(out / MODEL_FILE)
    for k, v in model.params.items():
        assert np.array_equal(refit.saved.model.params[k], v), k
        assert np.array_equal(saved.model.params[k], v), k
    assert any(not np.array_equal(plain.saved.model.params[k], v)
               for k, v in model.params.items())


def test_metrics_and_model_file_describe_the_refit_network(runs):
    refit, out, plain, plain_out = runs
    saved = load_model(out / MODEL_FILE)
    assert set(refit.metrics) == {"train", "test"}  # the val rows trained: no val metric
    assert set(plain.metrics) == {"train", "val", "test"}
    assert saved.metadata["refit"] == json.loads(json.dumps(refit.refit))
    assert saved.metadata["split_sizes"] == {"train": refit.refit["rows"], "val": 0,
                                             "test": 360}
    assert "refit" not in load_model(plain_out / MODEL_FILE).metadata
    assert plain.refit is None
    X, y, split = evaluation_data(saved, "digits")  # the run's test split
    assert split == "test"
    ev = evaluate(saved.model, saved.transform(X), y)
    assert ev.accuracy == refit.metrics["test"]["accuracy"] == refit.test_evaluation.accuracy
    assert "refit on train + val (1,437 rows)" in (out / "report.html").read_text()


def test_refit_without_a_validation_split_is_refused(tmp_path):
    """Issue 21: it was silently ignored; now a clear error before any training."""
    from numpynn.errors import InputError

    with pytest.raises(InputError, match="no validation split") as info:
        run_training(replace(options(True, epochs=2), val_fraction=0.0), tmp_path / "r",
                     report=False)
    assert info.value.param == "refit" and not (tmp_path / "r").exists()


def test_a_resumed_run_repeats_the_refit(tmp_path):
    class StopAfter2(Callback):
        def on_epoch_end(self, trainer, epoch):
            if epoch == 2:
                raise KeyboardInterrupt

    straight = run_training(options(True), tmp_path / "a", report=False)
    with pytest.raises(KeyboardInterrupt):
        run_training(options(True), tmp_path / "b", callbacks=[StopAfter2()], report=False)
    resumed = run_training(resume_options(tmp_path / "b"), tmp_path / "b", resume=True,
                           report=False)
    assert resumed.refit == straight.refit
    for k, v in straight.saved.model.params.items():
        assert np.array_equal(resumed.saved.model.params[k], v), k


def test_refit_must_be_a_bool():
    with pytest.raises(InputError, match="refit must be True or False"):
        RunOptions(refit="yes")
