"""The saved best of a search: refitted on train + validation rows for the epoch count its
trial kept (issue 22, item 5), its test figures the refitted network's, and every output
saying which rows produced which figure; --no-refit-best keeps the trial's network."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from numpynn.model_file import load_model
from numpynn.runs.run import RunOptions, evaluation_data, refit_on_train_and_val
from numpynn.search import LogUniform, SearchSpace, resume_search, search
from numpynn.search.runner import refit_refusal
from numpynn.search.trials import _splits, _train, search_splits, trial_options
from tests.clirun import numpynn

SPACE = SearchSpace(hidden=[[16], [32]], lr=LogUniform(1e-3, 1e-2), reg=[1e-4],
                    batch_size=[64], optimizer=["adam"], epochs=[6, 8])
TRIALS, SEED = 4, 3


@pytest.fixture(scope="module")
def refitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("refit") / "s"
    # pack=1: the trials train alone, as the networks these tests train again to compare
    return search(space=SPACE, trials=TRIALS, seed=SEED, out=out, report=False, pack=1), out


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    out = tmp_path_factory.mktemp("norefit") / "s"
    return search(space=SPACE, trials=TRIALS, seed=SEED, out=out, report=False,
                  refit_best=False, pack=1), out


def test_the_best_is_refit_on_train_and_val_for_its_trials_kept_epochs(refitted):
    result, out = refitted
    best = result.rows[0]
    assert best["val_score"] == max(r["val_score"] for r in result.rows)  # ranked by val
    saved = load_model(out / "best" / "model.npz")
    # the same network refit_on_train_and_val trains from the trial's options and seed
    base = RunOptions(data="digits", train=replace(RunOptions().train, seed=SEED),
                      val_fraction=saved.metadata["options"]["val_fraction"])
    splits = _splits(base)
    options = trial_options(base, best)
    _, trainer, _ = _train(options, splits, best["seed"])
    assert trainer.history.best_epoch == best["best_epoch"]
    model, merged, info = refit_on_train_and_val(
        replace(options, train=replace(options.train, seed=best["seed"])), splits,
        trainer.history)
    for name, value in model.params.items():
        np.testing.assert_array_equal(saved.model.params[name], value)
    assert saved.metadata["refit"] == info == result.refit
    assert info["epochs"] == best["best_epoch"]
    assert info["rows"] == splits.y_train.shape[0] + splits.y_val.shape[0]
    # its test figure is the refitted network's, on the test rows it never saw
    X, y, split = evaluation_data(saved, "digits")
    assert split == "test" and y.shape == splits.y_test.shape
    accuracy = float(np.mean(saved.predict(X) == y))
    assert result.metrics["test"]["accuracy"] == pytest.approx(accuracy, abs=1e-12)
    assert set(result.metrics) == {"train", "test"}
    assert saved.metadata["metrics"] == result.metrics


def test_the_refit_differs_from_the_trials_network(refitted, kept):
    refit, _ = refitted
    plain, out = kept
    assert [r["trial"] for r in plain.rows] == [r["trial"] for r in refit.rows]
    assert plain.refit is None and "refit" not in load_model(out / "best" / "model.npz").metadata
    # --no-refit-best: today's model, the trial's network on the training split
    assert plain.metrics["val"]["accuracy"] == plain.rows[0]["val_score"]
    assert plain.metrics["train"] != refit.metrics["train"]
    assert json.loads((out / "search.json").read_text())["refit_best"] is False


def test_outputs_say_which_rows_made_which_figure(refitted, kept):
    result, out = refitted
    summary = json.loads((out / "results.json").read_text())
    model = summary["best_model"]
    assert model["refit"] == result.refit and model["metrics"] == result.metrics
    n = load_model(out / "best" / "model.npz").metadata["search"]["figures"]
    assert model["figures"] == n == result.figures
    assert "training rows" in n["val_score"] and "validation rows" in n["val_score"]
    assert n["model"].startswith("refitted on train + validation")
    assert f"{result.refit['rows']:,} rows" in n["model"]
    assert "test rows it never trained on" in n["test"]
    plain = json.loads((kept[1] / "results.json").read_text())["best_model"]
    assert plain["refit"] is None and plain["figures"]["model"].startswith("retrained on")


def test_resuming_a_finished_refitted_search_changes_nothing(refitted, tmp_path):
    result, out = refitted
    copy = tmp_path / "s"
    shutil.copytree(out, copy)
    again = resume_search(copy, report=False)
    assert again.unchanged and again.refit == result.refit
    assert again.metrics == result.metrics and again.figures == result.figures
    # a best model not yet saved is made as the search was started: refitted, the same
    shutil.rmtree(copy / "best")
    redone = resume_search(copy, report=False)
    assert redone.refit == result.refit and redone.metrics == result.metrics


def test_a_search_recorded_before_the_refit_resumes_without_it(refitted, tmp_path):
    _, out = refitted
    copy = tmp_path / "s"
    shutil.copytree(out, copy)
    settings = json.loads((copy / "search.json").read_text())
    del settings["refit_best"]
    (copy / "search.json").write_text(json.dumps(settings))
    shutil.rmtree(copy / "best")
    old = resume_search(copy, report=False)
    assert old.refit is None and "val" in old.metrics
    shutil.rmtree(copy / "best")
    assert resume_search(copy, report=False, refit_best=True).refit is not None


def test_no_refit_without_validation_rows_or_for_a_regression():
    splits = search_splits(RunOptions(val_fraction=0.1))
    assert refit_refusal(RunOptions(), splits) is None
    empty = replace(splits, X_val=splits.X_val[:0], y_val=splits.y_val[:0])
    assert "no validation rows" in refit_refusal(RunOptions(), empty)


def test_cli_prints_where_each_figure_comes_from(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -0.5, 0.25]) + 0.1 * rng.normal(size=200)
    (tmp_path / "r.csv").write_text("a,b,c,y\n" + "".join(
        f"{a:.5f},{b:.5f},{c:.5f},{t:.5f}\n" for (a, b, c), t in zip(X, y)))
    proc = numpynn("search", "--data", "r.csv", "--task", "regression", "--trials", "2",
                   "--epochs", "3", "--hidden", "8", "--out", "s", "--quiet", "--no-report",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "no refit: a regression search keeps its best trial's network" in proc.stdout
    assert load_model(tmp_path / "s" / "best" / "model.npz").metadata["search"][
        "refit_note"].startswith("a regression search")
    proc = numpynn("search", "--trials", "2", "--epochs", "3", "--hidden", "8", "--out", "d",
                   "--quiet", "--no-report", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "refitted best: train + val " in proc.stdout and "  test " in proc.stdout
    assert "validation: trial " in proc.stdout and "training rows" in proc.stdout
    proc = numpynn("search", "--trials", "2", "--epochs", "3", "--hidden", "8", "--out", "k",
                   "--quiet", "--no-report", "--no-refit-best", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "retrained best: train " in proc.stdout and " val " in proc.stdout
    assert "refitted" not in proc.stdout


def test_an_imbalanced_search_ranks_by_balanced_accuracy_and_names_each_figure(tmp_path):
    """On two imbalanced classes the trials are ranked by validation balanced accuracy
    (their epoch score) and the table and best line say so; the refitted model's figures
    are accuracies (what the task's metrics are) and are named as such, not as the
    trials' score."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    y = np.where(X[:, 0] + 0.7 * rng.normal(size=400) > 1.2, "yes", "no")  # about 15% yes
    (tmp_path / "imb.csv").write_text("a,b,c,label\n" + "".join(
        f"{a:.5f},{b:.5f},{c:.5f},{t}\n" for (a, b, c), t in zip(X, y)))
    proc = numpynn("search", "--data", "imb.csv", "--trials", "2", "--epochs", "3",
                   "--hidden", "8", "--out", "s", "--quiet", "--no-report", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    best = next(line for line in proc.stdout.splitlines() if line.startswith("best:"))
    assert "validation balanced accuracy " in best
    refit = next(line for line in proc.stdout.splitlines()
                 if line.startswith("refitted best:"))
    assert "balanced" not in refit and "%" in refit
    rows = json.loads((tmp_path / "s" / "results.json").read_text())
    rows = rows["trials"] if isinstance(rows, dict) else rows
    assert {r["score_name"] for r in rows} == {"balanced_accuracy"}
