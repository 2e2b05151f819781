"""One model, every path: the figures ``train`` prints, ``evaluate``'s, ``predict``'s output
scored by hand, ``load_model(...).predict``, the ONNX export under onnxruntime, and a
``search``'s best row against ``evaluate`` of its saved best must be the same numbers in the
same units. Copies of the pipeline that drift apart give silent wrong answers; each test
here compares two paths on one model."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest

from numpynn.model_file import load_model
from tests.clirun import numpynn, ok


def _write_table(path, rows, header):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """A classification table (string labels in no sorted order, a text column, missing
    cells), a skewed positive regression target, and two imbalanced classes."""
    root = tmp_path_factory.mktemp("paths")
    rng = np.random.default_rng(0)
    n = 240
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    s = x1 + 0.5 * x2 + (color == "red")
    species = np.where(s > 1.2, "gamma", np.where(s > 0, "alpha", "beta"))
    _write_table(root / "cls.csv", [
        ["" if i % 17 == 0 else f"{x1[i]:.4f}", f"{x2[i]:.4f}",
         "" if i % 23 == 0 else color[i], species[i]] for i in range(n)],
        ["x1", "x2", "color", "species"])
    price = np.exp(1 + x1 + 0.5 * x2 + rng.normal(scale=0.2, size=n))
    _write_table(root / "reg.csv", [[f"{x1[i]:.4f}", f"{x2[i]:.4f}", color[i],
                                     f"{price[i]:.4f}"] for i in range(n)],
                 ["x1", "x2", "color", "price"])
    x3 = rng.normal(size=(400, 2))
    rare = np.where(x3[:, 0] + 0.8 * x3[:, 1] + rng.normal(scale=0.8, size=400) > 1.9,
                    "yes", "no")
    _write_table(root / "imb.csv", [[f"{a:.4f}", f"{b:.4f}", c]
                                    for (a, b), c in zip(x3, rare)], ["a", "b", "target"])
    return root


def _read_table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _evaluate(root, model, *args):
    return json.loads(ok(numpynn("evaluate", model, "--json", *args, cwd=root)))


def test_a_tables_classification_agrees_on_every_path(tables):
    """String labels, a text column and missing cells: train's test figure, evaluate's,
    predict's labels and probabilities (columns in the printed class order), the Python
    API and the ONNX graph."""
    root = tables
    train = ok(numpynn("train", "--data", "cls.csv", "--epochs", "10", "--class-weight",
                       "balanced", "--final-fit", "none", "--no-report", "--out", "c",
                       cwd=root))
    printed = re.search(r"^test\s+([\d.]+)%\s+([\d.]+)", train, re.M)
    test = _evaluate(root, "c/model.npz")
    assert float(printed[1]) == pytest.approx(100 * test["accuracy"], abs=0.005)
    assert float(printed[2]) == pytest.approx(test["loss"], abs=5e-5)

    every = _evaluate(root, "c/model.npz", "--data", "cls.csv", "--split", "all")
    ok(numpynn("predict", "c/model.npz", "--data", "cls.csv", "--proba", "--output",
               "p.csv", cwd=root))
    head, rows = _read_table(root / "p.csv")
    assert head == ["prediction"] + [f"p_{c}" for c in every["classes"]]
    labels = np.array([r[0] for r in rows])
    proba = np.array([[float(v) for v in r[1:]] for r in rows])
    assert (np.array(every["classes"])[proba.argmax(1)] == labels).all()
    _, data = _read_table(root / "cls.csv")
    truth = np.array([r[-1] for r in data])
    assert (labels == truth).mean() == pytest.approx(every["accuracy"])
    loss = -np.log(proba[np.arange(len(truth)), [every["classes"].index(t) for t in truth]])
    assert loss.mean() == pytest.approx(every["loss"], abs=1e-4)

    X = np.array([r[:-1] for r in data], dtype=object)
    api = load_model(root / "c/model.npz").predict(X)
    assert (np.asarray(api).astype(str) == labels).all()

    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    ok(numpynn("export", "c/model.npz", "c.onnx", cwd=root))
    session = ort.InferenceSession(str(root / "c.onnx"))
    feed = {}
    for j, name in enumerate(["x1", "x2", "color"]):
        col = X[:, j].reshape(-1, 1)
        feed[name] = (col.astype(str).astype(object) if name == "color" else
                      np.array([float(v) if v else np.nan for v in col.ravel()],
                               np.float32).reshape(-1, 1))
    label, probabilities = session.run(["label", "probabilities"], feed)
    assert (np.asarray(label).astype(str).ravel() == labels).all()
    np.testing.assert_allclose(probabilities, proba, atol=1e-5)


def test_a_log_target_regression_agrees_on_every_path(tables):
    """A target trained on log(1 + y): train's printed R^2/RMSE/MAE (targets' units),
    evaluate's, predict's values scored by hand, the Python API and the ONNX graph."""
    root = tables
    train = ok(numpynn("train", "--data", "reg.csv", "--label-column", "price", "--epochs",
                       "20", "--reg", "0.0001", "--target-transform", "log", "--final-fit",
                       "none", "--no-report", "--out", "r", cwd=root))
    printed = re.search(r"^test\s+\d+\s+([-\d.]+)\s+([\d.]+)\s+([\d.]+)", train, re.M)
    test = _evaluate(root, "r/model.npz")
    assert float(printed[1]) == pytest.approx(test["r2"], abs=1e-4)
    assert float(printed[2]) == pytest.approx(test["rmse"], rel=1e-3)
    assert float(printed[3]) == pytest.approx(test["mae"], rel=1e-3)

    every = _evaluate(root, "r/model.npz", "--data", "reg.csv", "--split", "all")
    ok(numpynn("predict", "r/model.npz", "--data", "reg.csv", "--output", "p.csv", cwd=root))
    _, rows = _read_table(root / "p.csv")
    pred = np.array([float(r[0]) for r in rows])
    _, data = _read_table(root / "reg.csv")
    y = np.array([float(r[-1]) for r in data])
    r2 = 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert r2 == pytest.approx(every["r2"], abs=1e-5)
    assert np.sqrt(((y - pred) ** 2).mean()) == pytest.approx(every["rmse"], rel=1e-5)
    assert np.abs(y - pred).mean() == pytest.approx(every["mae"], rel=1e-5)

    X = np.array([r[:-1] for r in data], dtype=object)
    api = np.asarray(load_model(root / "r/model.npz").predict(X), float).ravel()
    np.testing.assert_allclose(api, pred, rtol=1e-5)

    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    ok(numpynn("export", "r/model.npz", "r.onnx", cwd=root))
    session = ort.InferenceSession(str(root / "r.onnx"))
    feed = {"x1": X[:, 0].astype(np.float32).reshape(-1, 1),
            "x2": X[:, 1].astype(np.float32).reshape(-1, 1),
            "color": X[:, 2].astype(object).reshape(-1, 1)}
    (variable,) = session.run(["variable"], feed)
    np.testing.assert_allclose(np.asarray(variable).ravel(), pred, rtol=1e-4, atol=1e-4)


def test_a_searchs_best_row_and_its_saved_model_agree_in_named_units(tables):
    """On two imbalanced classes a search ranks by balanced accuracy, while its retrained
    best's line printed accuracies under no name: the val figure of the same network read
    84.72% in the row and 90.83% on the next line. The row must equal evaluate's balanced
    accuracy, the line evaluate's accuracy, and the line must say which score it shows."""
    root = tables
    out = ok(numpynn("search", "--data", "imb.csv", "--trials", "2", "--epochs", "8",
                     "--hidden", "16", "--jobs", "1", "--no-refit-best", "--val-fraction",
                     "0.2", "--no-report", "--out", "s", cwd=root))
    with open(root / "s/results.csv", newline="") as f:
        best = next(csv.DictReader(f))
    assert best["score_name"] == "balanced_accuracy"
    val = _evaluate(root, "s/best/model.npz", "--split", "val")
    assert float(best["val_score"]) == pytest.approx(val["balanced_accuracy"], abs=1e-9)
    line = next(ln for ln in out.splitlines() if ln.startswith("retrained best"))
    assert "balanced" not in line and " val accuracy " in line
    shown = float(re.search(r"val accuracy ([\d.]+)%", line)[1])
    assert shown == pytest.approx(100 * val["accuracy"], abs=0.005)
    test = _evaluate(root, "s/best/model.npz")
    assert float(re.search(r"test accuracy ([\d.]+)%", line)[1]) == pytest.approx(
        100 * test["accuracy"], abs=0.005)


def test_the_balanced_accuracy_train_points_to_is_in_evaluates_text(tables):
    """On imbalanced classes train keeps the epoch of the best validation balanced
    accuracy and its note says to judge by the balanced accuracy of numpynn evaluate,
    whose text printed none (only --json had it). Now the text shows it, equal to the
    JSON's, and the kept epoch's validation figure is evaluate's on the val split."""
    root = tables
    train = numpynn("train", "--data", "imb.csv", "--epochs", "8", "--val-fraction", "0.2",
                    "--final-fit", "none", "--no-report", "--out", "i", cwd=root)
    ok(train)
    assert "balanced accuracy of numpynn evaluate" in train.stdout + train.stderr
    text = ok(numpynn("evaluate", "i/model.npz", "--split", "val", cwd=root))
    val = _evaluate(root, "i/model.npz", "--split", "val")
    shown = re.search(r"balanced accuracy ([\d.]+)%", text)
    assert shown and float(shown[1]) == pytest.approx(100 * val["balanced_accuracy"],
                                                      abs=0.005)
    history = json.loads((root / "i/history.json").read_text())
    assert history["score_name"] == "balanced_accuracy"
    kept = history["val_score"][history["best_epoch"] - 1]
    assert kept == pytest.approx(val["balanced_accuracy"], abs=1e-9)


def test_a_searchs_trials_train_with_the_defaults_train_uses(tables, monkeypatch, tmp_path):
    """A search applied neither its task's defaults (a regression's patience and weight
    scale) nor its data set's (mnist's pixels scaled, not standardised, its schedule, its
    shifts), while the README says its trials are prepared as ``numpynn train`` prepares
    a run: the same table searched and trained were two pipelines."""
    from numpynn.data import spec
    from numpynn.runs.run import RunOptions, apply_task_defaults
    from numpynn.search import SearchSpace, search
    from numpynn.search.trials import search_inputs
    from numpynn.tasks import load_for_task

    reg = RunOptions(data=str(tables / "reg.csv"), label_column="price", val_fraction=0.2)
    searched, _ = search_inputs(reg)
    _, task, _ = load_for_task(reg)
    trained = apply_task_defaults(reg, task)
    assert searched.train.patience == trained.train.patience
    assert searched.weight_scale == trained.weight_scale
    assert searched.train.patience != RunOptions().train.patience  # the regression's own

    monkeypatch.setitem(spec.SOURCE_DEFAULTS, "digits",
                        {"preprocessing": "scale", "schedule": "cosine"})
    space = SearchSpace(hidden=((8,),), lr=(1e-2,), reg=(1e-4,), batch_size=(64,),
                        optimizer=("adam",), epochs=(2,))
    result = search(RunOptions(), space, mode="grid", out=tmp_path / "s", report=False)
    saved = load_model(tmp_path / "s" / "best")
    assert saved.preprocessing["kind"] == "scale"
    assert result.saved.preprocessing["kind"] == "scale"


def test_a_search_started_before_the_trials_took_those_defaults_resumes_without_them(
        tables, monkeypatch, tmp_path):
    """Its finished trials trained without them: the rest must too, or one table would
    rank two pipelines."""
    from numpynn.runs.run import RunOptions
    from numpynn.search import SearchSpace, runner, search

    seen = []
    real = runner.search_inputs
    monkeypatch.setattr(runner, "search_inputs",
                        lambda options, own=True: seen.append(own) or real(options, own))
    space = SearchSpace(hidden=((8,),), lr=(1e-2, 3e-2), reg=(1e-4,), batch_size=(64,),
                        optimizer=("adam",), epochs=(2,))
    out = tmp_path / "s"
    search(RunOptions(), space, mode="grid", out=out, report=False)
    settings = json.loads((out / "search.json").read_text())
    assert settings["defaults"] == runner.OWN_DEFAULTS
    lines = (out / "trials.jsonl").read_text().splitlines()
    (out / "trials.jsonl").write_text(lines[0] + "\n")  # one trial left to run
    search(RunOptions(), space, mode="grid", out=out, report=False, resume=True)
    del settings["defaults"]  # as the version before wrote it
    (out / "search.json").write_text(json.dumps(settings))
    (out / "trials.jsonl").write_text(lines[0] + "\n")
    result = search(RunOptions(), space, mode="grid", out=out, report=False, resume=True)
    assert seen == [True, True, False] and len(result.rows) == 2


@pytest.mark.parametrize("reg", ["0.0001", "auto"])  # the Trainer; the packed engine
def test_a_log_target_runs_history_r2_is_evaluates(tables, reg):
    """A network trained on log(1 + y) recorded its epochs' R^2 in log units, in both
    engines: on the diabetes table history.json kept 0.203 for the epoch whose validation
    R^2 ``numpynn evaluate --split val`` gives as 0.183, and a search's row showed that
    figure as the trial's R^2 (0.486 where evaluate of its saved best said 0.550)."""
    root = tables
    ok(numpynn("train", "--data", "reg.csv", "--label-column", "price", "--epochs", "8",
               "--hidden", "8", "--reg", reg, "--target-transform", "log", "--final-fit",
               "none", "--no-report", "--out", f"h{reg}", cwd=root))
    history = json.loads((root / f"h{reg}/history.json").read_text())
    val = _evaluate(root, f"h{reg}/model.npz", "--split", "val")
    assert history["score_name"] == "r2"
    kept = history["val_score"][history["best_epoch"] - 1]
    assert kept == pytest.approx(val["r2"], abs=1e-6)


def test_a_log_target_searchs_row_is_evaluates_r2_of_its_best(tables):
    root = tables
    ok(numpynn("search", "--data", "reg.csv", "--label-column", "price", "--target-transform",
               "log", "--trials", "2", "--epochs", "6", "--hidden", "8", "--jobs", "1",
               "--no-refit-best", "--val-fraction", "0.2", "--no-report", "--out", "sl",
               cwd=root))
    with open(root / "sl/results.csv", newline="") as f:
        best = next(csv.DictReader(f))
    assert best["score_name"] == "r2"
    val = _evaluate(root, "sl/best/model.npz", "--split", "val")
    assert float(best["val_score"]) == pytest.approx(val["r2"], abs=1e-6)


def test_an_ensemble_with_a_validation_split_keeps_epochs_as_one_network_would(tables):
    """``--ensemble 3`` with a validation split stopped with a traceback ('PackedFit' object
    has no attribute 'select'), and its members scored their epochs by accuracy where
    the run's one network is scored, and kept, by balanced accuracy on imbalanced classes."""
    root = tables
    out = ok(numpynn("train", "--data", "imb.csv", "--epochs", "4", "--hidden", "8",
                     "--val-fraction", "0.2", "--ensemble", "3", "--final-fit", "none",
                     "--no-report", "--out", "e", cwd=root))
    assert "keeps the epoch with the best validation balanced accuracy" in out
    history = json.loads((root / "e/history.json").read_text())
    assert {m["score_name"] for m in history["members"]} == {"balanced_accuracy"}
    assert all(m["best_rule"] == "best validation balanced accuracy"
               for m in history["members"])

    from dataclasses import replace  # the Python API: it ran, scored by accuracy

    from numpynn.runs.run import RunOptions, run_training
    options = RunOptions(data=str(root / "imb.csv"), val_fraction=0.2, ensemble=3,
                         hidden=[8], final_fit="none")
    run_training(replace(options, train=replace(options.train, epochs=4)), root / "e_api",
                 report=False)
    history = json.loads((root / "e_api/history.json").read_text())
    assert {m["score_name"] for m in history["members"]} == {"balanced_accuracy"}
