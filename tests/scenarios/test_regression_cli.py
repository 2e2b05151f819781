"""Regression end to end: the CSV task choice, numpynn train/evaluate/predict in a
subprocess, the model file with its target scaler, old files, and the benchmark's quick
mode."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numpynn.data import load_csv
from numpynn.errors import DataError, ModelFileError
from numpynn.model_file import load_model, save_model
from numpynn.runs.run import RunOptions, apply_task_defaults, run_training
from numpynn.tasks import Regression, load_for_task, random_split
from tests.clirun import REPO, numpynn, ok

REGRESSION_DEFAULTS = Regression.defaults
SCALER_KEY = "target_scaler"  # the model file's metadata key


def load_task(options):
    """(dataset, the task's name, note) of the options' data."""
    ds, task, note = load_for_task(options)
    return ds, task.name, note


def with_regression_defaults(options):
    return apply_task_defaults(options, Regression())


def target_scaler(saved):
    return saved.targets().scaler




def write_table(path: Path, n: int = 240, seed: int = 0, offset: float = 1000.0) -> Path:
    """A CSV with a text category, two numbers and a continuous target far from 0."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
    colour = rng.choice(["red", "blue"], n)
    target = offset + 50 * x1 + 20 * x2 ** 2 + 30 * (colour == "red")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["x1", "colour", "x2", "price"])
        for row in zip(x1, colour, x2, target):
            w.writerow([f"{row[0]:.5f}", row[1], f"{row[2]:.5f}", f"{row[3]:.3f}"])
    return path


def test_csv_task_choice(tmp_path):
    path = write_table(tmp_path / "t.csv")
    auto = load_csv(path, label_column="price", task="auto")
    assert auto.y.dtype == np.float64 and auto.classes.size == 0
    forced = load_csv(path, label_column="price", task="regression")
    np.testing.assert_array_equal(forced.y, auto.y)
    with pytest.raises(DataError, match="looks continuous"):  # the refusal, worded as before
        load_csv(path, label_column="price", task="classification")
    classes = load_csv(path, label_column="colour", task="auto")  # text: classes
    assert classes.y.dtype == np.int64 and list(classes.classes) == ["blue", "red"]
    with pytest.raises(DataError, match="not a number"):
        load_csv(path, label_column="colour", task="regression")


def test_load_task_notes_the_automatic_choice(tmp_path):
    path = write_table(tmp_path / "t.csv")
    ds, task, note = load_task(RunOptions(data=str(path), label_column="price"))
    assert task == "regression" and "looks continuous" in note
    assert "`task='classification'`" in note  # the CLI prints --task classification
    _, task, note = load_task(RunOptions(data=str(path), label_column="price",
                                         task="regression"))
    assert task == "regression" and note == (
        "label: 'price' (column index 3), as `label_column` names it.")
    _, task, note = load_task(RunOptions(data="digits"))
    assert task == "classification" and note is None


def test_random_split_is_reproducible_and_disjoint():
    a = random_split(100, 0.1, 0.2, seed=3)
    b = random_split(100, 0.1, 0.2, seed=3)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert [len(p) for p in a] == [70, 10, 20]
    assert len(np.unique(np.concatenate(a))) == 100


def test_regression_defaults_only_replace_unset_options():
    o = with_regression_defaults(RunOptions(task="regression"))
    assert o.train.batch_size == REGRESSION_DEFAULTS["batch_size"]
    assert o.train.patience == REGRESSION_DEFAULTS["patience"] and o.task_defaults == []
    # classification's Glorot default is not regression's (He for ReLU, measured there)
    assert RunOptions().weight_scale == "glorot" and o.weight_scale == "auto"
    mine = RunOptions(task="regression", hidden=[7], weight_scale="glorot",
                      task_defaults=["epochs"])
    mine.train.lr = 0.5
    o = with_regression_defaults(mine)
    assert o.hidden == [7] and o.train.lr == 0.5 and o.weight_scale == "glorot"
    assert o.train.epochs == REGRESSION_DEFAULTS["epochs"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("regression")
    data = write_table(tmp / "houses.csv")
    proc = numpynn("train", "--data", str(data), "--label-column", "price", "--epochs", "40",
                   "--out", str(tmp / "run"), "--quiet", cwd=tmp)
    return tmp, data, ok(proc)


def test_cli_train_chooses_regression_with_a_note(trained):
    tmp, _, out = trained
    first, second = out.splitlines()[:2]
    assert first.startswith("label: 'price'") and "as --label-column names it" in first
    assert second.startswith("note: the label column 'price' looks continuous")
    # the kept epoch is said by the rule that chose it, as for a classification
    assert "kept epoch" in out and "(the epoch count 3-fold cross-validation chose)" in out
    assert "RMSE" in out
    test_row = next(line for line in out.splitlines() if line.startswith("test"))
    assert float(test_row.split()[2]) > 0.8  # R^2 on the test split
    for name in ("report.html", "predicted_vs_true.svg", "residuals.svg", "loss.svg", "r2.svg"):
        assert (tmp / "run" / name).stat().st_size > 0
    html = (tmp / "run" / "report.html").read_text()
    assert "Residuals" in html
    assert re.search(r"split sizes</th><td>\d+ train / \d+ val / \d+ test rows", html)
    assert re.search(r"kept epoch</th><td>\d+ \(the epoch count 3-fold cross-validation "
                     r"chose\)", html)


def test_cli_forced_classification_keeps_the_refusal(trained):
    tmp, data, _ = trained
    proc = numpynn("train", "--data", str(data), "--label-column", "price", "--task",
                   "classification", "--out", str(tmp / "cls"), cwd=tmp)
    assert proc.returncode == 2 and "looks continuous" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_model_file_stores_the_target_scaler(trained):
    tmp, _, _ = trained
    saved = load_model(tmp / "run" / "model.npz")
    assert saved.classes.shape == (0,) and saved.metadata["task"] == "regression"
    scaler = target_scaler(saved)
    assert scaler.mean[0] > 900 and scaler.scale[0] > 10  # fitted on the raw prices
    raw = [[0.5, "red", 1.0], [-0.5, "blue", 0.0]]
    pred = saved.values(raw)
    assert pred.shape == (2, 1) and saved.predict(raw).shape == (2,)  # one target: (N,)
    assert 900 < pred[1, 0] < pred[0, 0] < 1200  # in price units, red and larger x1 higher
    # round trip, and a damaged scaler is refused
    again = load_model(save_model(tmp / "copy.npz", saved))
    np.testing.assert_array_equal(again.values(raw), pred)
    saved.metadata[SCALER_KEY] = {"mean": [1.0, 2.0], "scale": [1.0, 1.0]}
    save_model(tmp / "bad.npz", saved)
    with pytest.raises(ModelFileError, match="target scaler"):
        load_model(tmp / "bad.npz")


def test_cli_evaluate_gives_the_held_out_figures_and_says_the_rows_were_seen(trained):
    """The saved model was fitted on every row after the held-out figures (final fit):
    evaluate on the run's test rows says so and gives the held-out figure it printed."""
    tmp, data, out = trained
    test_row = next(line for line in out.splitlines() if line.startswith("test")).split()
    res = json.loads(ok(numpynn("evaluate", str(tmp / "run" / "model.npz"), "--json",
                                cwd=tmp)))
    assert res["task"] == "regression" and res["split"] == "test"
    assert res["seen_in_training"] is True
    assert res["held_out_test"]["r2"] == pytest.approx(float(test_row[2]), abs=1e-4)
    assert res["held_out_test"]["rmse"] == pytest.approx(float(test_row[3]), rel=1e-4)
    every = json.loads(ok(numpynn("evaluate", str(tmp / "run" / "model.npz"), "--json",
                                  "--split", "all", cwd=tmp)))
    assert every["n"] == 240 and {"r2", "rmse", "mae"} <= set(every)
    text = ok(numpynn("evaluate", str(tmp / "run" / "model.npz"), cwd=tmp))
    assert "R^2" in text and "RMSE" in text and "MAE" in text
    assert "not a held-out estimate" in text and f"R^2 {float(test_row[2]):.4f}" in text


def test_cli_predict_prints_values(trained):
    tmp, data, _ = trained
    text = ok(numpynn("predict", str(tmp / "run" / "model.npz"), "--data", str(data),
                      cwd=tmp))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["prediction"] and len(rows) == 241
    values = np.array([float(r[0]) for r in rows[1:]])
    truth = load_csv(data, label_column="price", task="regression").y
    assert np.corrcoef(values, truth)[0, 1] > 0.9
    # the features alone, in another column order, predict the same
    with open(data) as fh:
        table = list(csv.reader(fh))
    reordered = tmp / "features.csv"
    with open(reordered, "w", newline="") as fh:
        csv.writer(fh).writerows([[r[2], r[0], r[1]] for r in table])
    again = ok(numpynn("predict", str(tmp / "run" / "model.npz"), "--data", str(reordered),
                       cwd=tmp))
    assert again == text
    proc = numpynn("predict", str(tmp / "run" / "model.npz"), "--data", str(data), "--proba",
                   cwd=tmp)
    assert proc.returncode == 2 and "--proba" in proc.stderr


def test_run_training_library_regression(tmp_path):
    data = write_table(tmp_path / "t.csv", n=120)
    result = run_training(RunOptions(data=str(data), label_column="price", task="regression",
                                     task_defaults=[]), tmp_path / "run", report=False)
    assert result.task == "regression"
    assert result.notes == ["label: 'price' (column index 3), as `label_column` names it."]
    assert set(result.metrics) == {"train", "val", "test"}
    assert len(result.history.epochs) == RunOptions().train.epochs  # no defaults replaced


def test_old_classifier_files_still_load():
    fixtures = REPO / "tests" / "fixtures"
    files = sorted(fixtures.rglob("*.npz"))
    assert files
    for f in files:
        try:
            saved = load_model(f)
        except ModelFileError:
            continue  # deliberately damaged fixtures
        want = (saved.model.num_classes,) if saved.task.has_classes else (0,)
        assert saved.classes.shape == want, f


@pytest.mark.slow  # a benchmark script's quick mode: 4-5 s
def test_benchmark_quick_mode_runs():
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "regression.py"),
                           "--quick"], capture_output=True, text=True, timeout=300,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("| diabetes")]
    assert len(lines) == 2 and "2 seeds" in lines[0]
    numpynn_r2 = float(lines[1].split("|")[3].split("±")[0])
    assert numpynn_r2 > 0.2  # diabetes: linear models reach about 0.45


def test_search_ranks_regression_trials_by_validation_loss(tmp_path):
    from numpynn.search.results import ranked

    rows = [{"trial": 0, "status": "ok", "task": "regression", "val_acc": 0.9, "val_loss": 0.2},
            {"trial": 1, "status": "ok", "task": "regression", "val_acc": 0.8, "val_loss": 0.1},
            {"trial": 2, "status": "diverged", "task": "regression", "val_acc": None,
             "val_loss": None}]
    assert [r["trial"] for r in ranked(rows)] == [1, 0, 2]
    data = write_table(tmp_path / "t.csv", n=150)
    out = ok(numpynn("search", "--data", str(data), "--label-column", "price", "--trials", "3",
                     "--epochs", "4", "--out", str(tmp_path / "s"), "--quiet", cwd=tmp_path))
    assert "validation R^2" in out and ", loss " in out  # the score named, and the loss
    trials = json.loads((tmp_path / "s" / "results.json").read_text())["trials"]
    losses = [r["val_loss"] for r in trials if r["status"] == "ok"]
    assert all(r["task"] == "regression" for r in trials) and losses == sorted(losses)
    best = load_model(tmp_path / "s" / "best" / "model.npz")
    assert best.metadata["task"] == "regression" and target_scaler(best) is not None


def test_a_heavy_tailed_target_trains_in_log_space_and_predicts_in_its_units(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    wage = np.exp(1.5 + 0.8 * X[:, 0] - 0.4 * X[:, 1] + 0.2 * rng.normal(size=300))
    path = tmp_path / "wages.csv"
    path.write_text("a,b,c,wage\n" + "".join(
        f"{x[0]:.4f},{x[1]:.4f},{x[2]:.4f},{w:.4f}\n" for x, w in zip(X, wage)))
    folded = ok(numpynn("train", "--data", "wages.csv", "--label-column", "wage",
                        "--no-report", "--out", "folded", cwd=tmp_path))
    chosen = next(line for line in folded.splitlines() if line.startswith("epochs: "))
    assert "3-fold cross-validation" in chosen and "target: trained on log(1 + y)" in chosen
    assert "--target-transform none" in chosen
    assert load_model(tmp_path / "folded").metadata["target_scaler"]["log"] == [True]
    # with one validation split instead of folds
    out = ok(numpynn("train", "--data", "wages.csv", "--label-column", "wage", "--no-report",
                     "--cv-folds", "1", "--out", "run", cwd=tmp_path))
    chosen = next(line for line in out.splitlines() if "target: " in line)
    kept, against = chosen.split(", against ")
    against = against.split("); ")[0]
    best = float(re.search(r"validation R\^2 (-?[\d.]+)$", kept)[1])
    others = [float(v) for v in re.findall(r" (-?\d+\.\d{4})(?:,|$)", against)]
    assert "trained on log(1 + y)" in chosen and len(others) == 5  # 3 L2 x 2 targets
    assert all(best >= v for v in others)  # validation chose it
    assert "--target-transform none" in chosen
    saved = load_model(tmp_path / "run")
    assert saved.metadata["target_scaler"]["log"] == [True]
    predictions = ok(numpynn("predict", "run", "--data", "wages.csv", cwd=tmp_path))
    values = np.array([float(v) for v in predictions.splitlines()[1:]])
    assert (values >= 0).all() and np.corrcoef(values, wage)[0, 1] > 0.9
    plain = ok(numpynn("train", "--data", "wages.csv", "--label-column", "wage",
                       "--target-transform", "none", "--no-report", "--out", "plain",
                       cwd=tmp_path))
    assert "log(1 + y)" not in plain
    assert "log" not in load_model(tmp_path / "plain").metadata["target_scaler"]
    asked = ok(numpynn("train", "--data", "wages.csv", "--label-column", "wage",
                       "--target-transform", "log", "--no-report", "--out", "asked",
                       cwd=tmp_path))
    assert "target: " not in asked  # asked for: nothing to choose
    assert load_model(tmp_path / "asked").metadata["target_scaler"]["log"] == [True]
    proc = numpynn("train", "--data", "digits", "--target-transform", "log", "--out", "d",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "--target-transform" in proc.stderr


def test_validation_keeps_the_values_where_log_does_not_help(tmp_path):
    """Targets linear in a skewed feature: skewed themselves (a log candidate), but the
    network fits them better as they are; the run says which it kept and why."""
    rng = np.random.default_rng(4)
    X = np.c_[rng.exponential(2.0, size=300), rng.normal(size=300)]
    y = 5.0 * X[:, 0] + 0.1 * X[:, 1]
    path = tmp_path / "linear.csv"
    path.write_text("a,b,target\n" + "".join(f"{a:.5f},{b:.5f},{t:.5f}\n"
                                             for (a, b), t in zip(X, y)))
    result = run_training(RunOptions(data=str(path)), tmp_path / "run", report=False)
    assert len(result.choices) == 1, result.choices
    assert "target: the values as they are (mean fold R^2 " in result.choices[0]
    assert "log" not in result.saved.metadata["target_scaler"]
