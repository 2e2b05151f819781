"""The saved model sees every row: after the held-out figures (a network trained on the
training split, its epoch chosen on the validation split, scored on the test split), a
user's file gets a final fit on all its rows; evaluate says which rows produced which
figure."""

from __future__ import annotations

import json

import numpy as np
import pytest

from numpynn.errors import InputError
from numpynn.model_file import load_model
from numpynn.runs.run import RunOptions, run_training
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn, ok


def _table(path, n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=n) > 0, "yes", "no")
    path.write_text("a,b,c,d,label\n" + "".join(
        f"{a:.4f},{b:.4f},{c:.4f},{d:.4f},{t}\n" for (a, b, c, d), t in zip(X, y)))
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("final")
    data = _table(tmp / "t.csv")
    every = run_training(RunOptions(data=str(data), train=TrainConfig(epochs=30),
                                    cv_folds=1), tmp / "every", report=False)
    kept = run_training(RunOptions(data=str(data), final_fit="none", val_fraction=0.2,
                                   train=TrainConfig(epochs=30)), tmp / "kept", report=False)
    return tmp, data, every, kept


def test_a_users_file_is_fitted_on_every_row_after_the_estimate(runs):
    _, _, every, kept = runs
    assert every.final_fit["rows"] == 300
    assert every.final_fit["estimate"] == {"train": 180, "val": 60, "test": 60}
    assert every.final_fit["epochs"] == every.history.best_epoch
    # the figures are the estimate's: the same as the run that keeps that network
    assert every.metrics == kept.metrics and kept.final_fit is None
    saved, scored = every.saved.model.params, kept.saved.model.params
    assert any(not np.allclose(saved[k], scored[k]) for k in saved)
    options = every.saved.metadata["options"]
    assert options["final_fit"] == "all" and options["val_fraction"] == 0.2


def test_evaluate_says_the_final_model_has_seen_the_rows_and_gives_the_held_out_figure(runs):
    tmp, data, every, kept = runs
    res = json.loads(ok(numpynn("evaluate", str(tmp / "every"), "--json", cwd=tmp)))
    assert res["split"] == "test" and res["seen_in_training"] is True
    assert res["held_out_test"]["accuracy"] == pytest.approx(every.metrics["test"]["accuracy"])
    text = ok(numpynn("evaluate", str(tmp / "every"), "--data", str(data), "--split", "all",
                      cwd=tmp))
    assert "fitted on every row of this data" in text and "not a held-out estimate" in text
    # in the units the figures beside it are printed in (was "accuracy 0.9667")
    assert f"test rows: accuracy {every.metrics['test']['accuracy']:.2%}." in text
    # the network the figures describe reproduces them, and its test rows are unseen
    res = json.loads(ok(numpynn("evaluate", str(tmp / "kept"), "--json", cwd=tmp)))
    assert res["seen_in_training"] is False
    assert res["accuracy"] == pytest.approx(kept.metrics["test"]["accuracy"])
    text = ok(numpynn("evaluate", str(tmp / "kept"), "--split", "train", cwd=tmp))
    assert "the model trained on these rows" in text


def test_the_cli_says_which_rows_gave_the_figures_and_which_the_saved_model(tmp_path):
    _table(tmp_path / "t.csv")
    out = ok(numpynn("train", "--data", "t.csv", "--epochs", "5", "--no-report", "--out",
                     "run", cwd=tmp_path))
    line = next(x for x in out.splitlines() if x.startswith("saved model: "))
    assert "fitted on every row (300: train + val + test)" in line
    assert "tested on 60 rows it never saw" in line and "--final-fit none" in line
    details = load_model(tmp_path / "run").metadata["final_fit"]
    assert details["rows"] == 300 and details["kept_epoch_rule"]


def test_named_data_sets_and_refit_keep_the_estimated_network(tmp_path):
    result = run_training(RunOptions(data="digits", train=TrainConfig(epochs=1)),
                          tmp_path / "d", report=False)
    assert result.final_fit is None
    assert result.saved.metadata["options"]["final_fit"] == "none"
    with pytest.raises(InputError, match="give one of them"):
        RunOptions(data="digits", refit=True, final_fit="all")
    with pytest.raises(InputError, match="final_fit must be one of"):
        RunOptions(final_fit="some")


def test_a_small_table_trains_every_epoch_then_fits_every_row(tmp_path):
    data = _table(tmp_path / "small.csv", n=80)
    result = run_training(RunOptions(data=str(data), train=TrainConfig(epochs=4)),
                          tmp_path / "run", report=False)
    assert result.saved.metadata["split_sizes"]["val"] == 0  # under 100 rows: no split
    assert result.final_fit["rows"] == 80 and result.final_fit["epochs"] == 4


def test_a_finished_run_resumed_keeps_its_final_model(tmp_path):
    _table(tmp_path / "t.csv")
    ok(numpynn("train", "--data", "t.csv", "--epochs", "3", "--no-report", "--out", "run",
               cwd=tmp_path))
    before = load_model(tmp_path / "run").model.params
    out = ok(numpynn("train", "--resume", "run", "--no-report", cwd=tmp_path))
    assert "had already finished" in out
    after = load_model(tmp_path / "run").model.params
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_the_reports_lead_says_the_saved_model_saw_every_row(tmp_path):
    _table(tmp_path / "t.csv")
    ok(numpynn("train", "--data", "t.csv", "--epochs", "3", "--out", "run", cwd=tmp_path))
    page = (tmp_path / "run" / "report.html").read_text()
    lead = page.split('<p class="lead">')[1].split("</p>")[0]
    assert "Test accuracy" in lead and "(held out from training)" in lead
    assert "The saved model was then fitted on every row (300: train + val + test)" in lead
    ok(numpynn("train", "--data", "t.csv", "--epochs", "3", "--final-fit", "none", "--out",
               "kept", cwd=tmp_path))
    assert "saved model was then" not in (tmp_path / "kept" / "report.html").read_text()


@pytest.mark.parametrize("schedule", ["constant", "plateau"])
def test_the_final_fit_is_the_network_a_plain_trainer_fits(runs, schedule):
    """The final fit scores a few rows per epoch (its figures are shown nowhere) unless a
    plateau schedule reads them; the network is the one a Trainer scoring every row fits."""
    from dataclasses import replace

    from numpynn.runs.run import fit_on_every_row, make_trainer, prepare_splits
    from numpynn.tasks import task_named

    _, data, every, _ = runs
    options = RunOptions(data=str(data), cv_folds=1, train=TrainConfig(epochs=30,
                                                                     schedule=schedule))
    task = task_named("classification")
    splits = prepare_splits(options, task=task)
    model, info, _ = fit_on_every_row(options, splits, every.history)
    X = np.concatenate([splits.X_train, splits.X_val, splits.X_test])
    y = np.concatenate([splits.y_train, splits.y_val, splits.y_test])
    plain = make_trainer(replace(options, train=replace(options.train, epochs=info["epochs"],
                                                        patience=None)),
                         replace(splits, X_train=X, y_train=y, X_val=X[:0], y_val=y[:0]))
    history = plain.train()
    assert history.epochs[-1] == info["epochs"]
    for key in model.params:
        np.testing.assert_allclose(model.params[key], plain.model.params[key], rtol=1e-6,
                                   atol=1e-7)
