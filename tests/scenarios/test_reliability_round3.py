"""Issue 21 (reliability, round three): one test or more per kind of failure found by the
hostile walk. Commands run in-process (``numpynn.cli.main.main``) unless a signal or a
closed descriptor needs a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from numpynn.cli.main import main
from tests.clirun import REPO

ROOT = REPO


def _csv(path: Path, n: int = 60, seed: int = 0) -> Path:
    """Two classes ('no', 'yes') set by the first of three numeric columns."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    lines = ["a,b,c,label"] + [",".join(f"{v:.4f}" for v in x) + (",yes" if x[0] > 0 else ",no")
                               for x in X]
    path.write_text("\n".join(lines) + "\n")
    return path


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``numpynn ARGV`` run in this process."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def run_dir(tmp_path, monkeypatch, capsys) -> Path:
    """A trained run in ``tmp_path/run`` (cwd: tmp_path, HOME: tmp_path) from ``d.csv``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
                       "--no-report", "--quiet")
    assert code == 0, err
    return tmp_path / "run"


def _bytes(*paths: Path) -> list[bytes]:
    return [p.read_bytes() for p in paths]


# ------------------------------------------------------------ 1. a second name for an input
@pytest.mark.parametrize("model,output", [
    ("run", "run/model.npz"), ("run/", "run/model.npz"), ("./run", "./run/../run/model.npz"),
    ("~/run", "run/model.npz"), ("run", "~/run/model.npz"), ("run/model.npz", "~/run/model.npz"),
    ("run", "link.npz"), ("link-dir", "run/model.npz"),
])
def test_predict_never_writes_over_the_model_by_another_name(run_dir, capsys, model, output):
    (run_dir.parent / "link.npz").symlink_to(run_dir / "model.npz")
    (run_dir.parent / "link-dir").symlink_to(run_dir)
    before = _bytes(run_dir / "model.npz")
    code, _, err = cli(capsys, "predict", model, "--data", "d.csv", "--output", output)
    assert code == 2 and "same file as the input" in err and "Traceback" not in err
    assert _bytes(run_dir / "model.npz") == before


@pytest.mark.parametrize("output", ["run/model.npz", "~/run/model.npz", "run/../run/model.npz"])
def test_export_never_writes_over_the_model_given_as_its_run_directory(run_dir, capsys, output):
    before = _bytes(run_dir / "model.npz")
    code, _, err = cli(capsys, "export", "run", output)
    assert code == 2 and "same file as the input" in err
    assert _bytes(run_dir / "model.npz") == before


@pytest.mark.parametrize("name", ["x.tsv", "x.txt", "x.data", "x.csv.gz", "x", "report.html"])
def test_predict_never_writes_over_its_data_whatever_its_ending(run_dir, capsys, name):
    import gzip

    data = (run_dir.parent / "d.csv").read_bytes()
    target = run_dir.parent / name
    target.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    before = target.read_bytes()
    code, _, err = cli(capsys, "predict", "run", "--data", name, "--output", name)
    assert code == 2 and f"same file as the input {name}" in err, err
    assert target.read_bytes() == before
    code, _, err = cli(capsys, "predict", "run", "--data", f"~/{name}", "--output", name)
    assert code == 2 and target.read_bytes() == before


@pytest.mark.parametrize("name", ["report.html", "loss.svg", "loss.png", "history.json"])
def test_a_data_file_inside_out_named_like_a_run_file_is_refused(tmp_path, monkeypatch, capsys,
                                                                  name):
    """A text table named report.html (read as CSV, as any text file is) in --out."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r").mkdir()
    data = _csv(tmp_path / "r" / name).read_bytes()
    code, _, err = cli(capsys, "train", "--data", f"r/{name}", "--out", "r", "--epochs", "1",
                       "--quiet")
    assert code == 2 and ("same file as the input" in err or "JSON" in err), err
    assert (tmp_path / "r" / name).read_bytes() == data
    assert not (tmp_path / "r" / "model.npz").exists()


def test_an_output_replacing_a_file_of_a_data_directory_is_refused(tmp_path, capsys):
    from numpynn.errors import InputError
    from numpynn.outputs import check_output
    from numpynn.runs.run import data_inputs

    (tmp_path / "cifar").mkdir()
    (tmp_path / "cifar" / "data_batch_1").write_bytes(b"x")
    inputs = data_inputs(f"cifar10:{tmp_path / 'cifar'}")
    with pytest.raises(InputError, match="inside the input directory"):
        check_output(tmp_path / "cifar" / "data_batch_1", inputs)
    assert check_output(tmp_path / "cifar" / "new.csv", inputs) == "missing"
    assert data_inputs("digits") == [] and data_inputs("mnist") == []


@pytest.mark.parametrize("argv", [
    ("train", "--data", "d.csv", "--out", ""), ("train", "--data", "d.csv", "--out", " "),
    ("predict", "run", "--data", "d.csv", "--output", ""), ("export", "run", ""),
    ("search", "--data", "d.csv", "--out", "", "--trials", "1"),
])
def test_an_empty_path_is_refused_not_read_as_the_current_directory(run_dir, capsys, argv):
    listing = sorted(os.listdir(run_dir.parent))
    code, _, err = cli(capsys, *argv)
    assert code == 2 and "empty path" in err and "Traceback" not in err
    assert sorted(os.listdir(run_dir.parent)) == listing


def test_library_refuses_an_empty_out(tmp_path, monkeypatch):
    from numpynn.errors import InputError
    from numpynn.runs.run import RunOptions, run_training

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="empty"):
        run_training(RunOptions(data=str(_csv(tmp_path / "d.csv"))), "")
    assert sorted(os.listdir(tmp_path)) == ["d.csv"]


# --------------------------------------------------- 2. work that cannot be stopped or bounded
def test_search_workers_are_bounded_by_trials_and_cores():
    from numpynn.search.runner import worker_count

    assert worker_count(1000, 2, cores=16) == 2
    assert worker_count(200, 40, cores=4) == 4
    assert worker_count(-1, 3, cores=8) == 3
    assert worker_count(2, 40, cores=8) == 2 and worker_count(1, 1, cores=1) == 1


def test_search_jobs_1000_trials_2_runs_at_most_2_workers(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, out, err = cli(capsys, "search", "--data", "d.csv", "--trials", "2", "--jobs", "1000",
                         "--hidden", "8", "--epochs", "2", "--out", "s", "--no-report")
    assert code == 0, err
    assert f"local, {min(2, os.cpu_count() or 1)} process(es)" in out + err


def test_ctrl_c_stops_a_search_and_all_its_workers_within_5_s(tmp_path):
    """SIGINT to the search process alone (its workers do not get it) of a search asked
    for 200 workers (the issue's case: it started hundreds and went on for 45 s): it
    exits, its process group is empty within 5 s, and the finished trials can be
    resumed."""
    from numpynn.search import load_settings, read_trials

    _csv(tmp_path / "d.csv", n=200)
    proc = subprocess.Popen(
        [sys.executable, "-m", "numpynn", "search", "--data", "d.csv", "--trials", "30",
         "--jobs", "200", "--out", "s", "--no-report", "--epochs", "60"],
        cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    log = tmp_path / "s" / "trials.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (log.exists() and log.read_text().count("\n")):
        time.sleep(0.05)
    assert log.exists(), proc.communicate(timeout=60)
    os.kill(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=30)
    while time.monotonic() - sent < 10:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
    gone = time.monotonic() - sent
    assert proc.returncode == 130 and "--resume s" in err
    assert gone < 5, f"workers still alive {gone:.1f} s after Ctrl-C"
    assert len(read_trials(log)) >= 1 and load_settings(tmp_path / "s")["trials"] == 30


def test_explain_values_refuses_a_network_too_large_to_check_before_any_work(capsys,
                                                                              monkeypatch):
    """The size guards come before any work: no network is built, nothing is checked (a
    test of what runs, not of how long it takes, which a busy machine stretches)."""
    from numpynn import explanation, models

    def must_not_run(*args, **kwargs):
        raise AssertionError("work started before the size guard")

    monkeypatch.setattr(models.MLP, "__init__", must_not_run)
    monkeypatch.setattr(explanation, "explain", must_not_run)
    code, out, err = cli(capsys, "explain", "--values", "--hidden", "1000", "--input-dim", "784")
    assert code == 2 and out == "" and "799,050" in err and "--hidden 5" in err
    code, out, err = cli(capsys, "explain", "--hidden", "20000", "--input-dim", "20000")
    assert code == 2 and out == "" and "400,220,010 parameters" in err and "--hidden" in err
    monkeypatch.undo()
    from numpynn.memory import numerical_check_entries

    assert numerical_check_entries(3, [5], 3, 2) == (3 * 5 + 5 + 5 * 3 + 3) + 2 * (5 + 3)
    code, out, _ = cli(capsys, "explain", "--values", "--hidden", "5", "--input-dim", "3",
                       "--classes", "3", "--batch", "2")
    assert "dW1" in out


# ---------------------------------------------------------- 3. divergence with a finite loss
@pytest.mark.parametrize("flags,words", [
    (("--lr", "1e9"), "grew to"), (("--weight-scale", "1e10"), "training cannot start"),
    (("--lr", "1e6", "--optimizer", "sgd"), "grew to"),
])
def test_a_finite_but_exploding_loss_is_a_divergence_exit_1(tmp_path, monkeypatch, capsys,
                                                            flags, words):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "5", "--out", "run",
                       "--quiet", *flags)
    assert code == 1 and words in err and "Traceback" not in err, err
    assert not (tmp_path / "run" / "model.npz").exists()


def test_the_estimator_raises_divergence_on_a_finite_explosion():
    from numpynn import MLPClassifier, MLPRegressor
    from numpynn.errors import DivergenceError

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    with pytest.raises(DivergenceError, match="grew to"):
        MLPClassifier(learning_rate_init=1e6, max_iter=20).fit(X, (X[:, 0] > 0).astype(int))
    with pytest.raises(DivergenceError):
        MLPRegressor(learning_rate_init=1e4, max_iter=20).fit(X, X[:, 0] * 3)


def test_divergence_rule_leaves_ordinary_training_alone(tmp_path, monkeypatch, capsys):
    """Large but sane settings (lr 0.5 with SGD, unscaled regression targets) train."""
    from numpynn import MLPRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    model = MLPRegressor(max_iter=30).fit(X, 1e4 * X[:, 0] + 5e4)
    assert np.isfinite(model.predict(X)).all()
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "5", "--out", "run",
                       "--quiet", "--no-report", "--lr", "0.5", "--optimizer", "sgd")
    assert code == 0, err


def test_a_huge_loss_never_runs_into_the_accuracy_column():
    from numpynn.tasks import Classification, loss_cell

    format_metrics = Classification().format_metrics

    row = format_metrics({"train": {"accuracy": 0.5, "loss": 4.9e17}}).splitlines()[-1]
    assert row.split() == ["train", "50.00%", "4.9e+17"]
    assert loss_cell(-1e-9) == "0.0000" and loss_cell(0.12345) == "0.1235"


# ------------------------------------------------------- 5. resume and overwrite promises
def _listing(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_resuming_a_finished_run_changes_no_file(tmp_path, monkeypatch, capsys, task):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    extra = ["--task", "regression", "--label-column", "a", "--ignore-columns", "label"] \
        if task == "regression" else []
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
                       "--no-report", "--quiet", *extra)
    assert code == 0, err
    before = _listing(tmp_path / "run")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "run").iterdir()}
    code, out, err = cli(capsys, "train", "--resume", "run")
    assert code == 0 and "already finished" in out and "nothing was changed" in out, out + err
    assert _listing(tmp_path / "run") == before  # no report written, model not rewritten
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "run").iterdir()} == mtimes
    code, out, err = cli(capsys, "train", "--resume", "run", "--epochs", "3", "--quiet")
    assert code == 0, err
    assert sorted(_listing(tmp_path / "run")) == sorted(before)  # still no report
    assert _listing(tmp_path / "run")["model.npz"] != before["model.npz"]


def test_overwrite_without_report_leaves_no_report_of_the_old_run(tmp_path, monkeypatch,
                                                                   capsys):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    assert cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
               "--quiet")[0] == 0
    assert (tmp_path / "run" / "report.html").exists()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    assert cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
               "--quiet", "--overwrite", "--no-report")[0] == 0
    assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint.npz", "history.json",
                                                    "model.npz", "notes.txt"]


def test_overwriting_a_run_removes_the_png_plots_of_its_older_report(tmp_path, monkeypatch,
                                                                     capsys):
    """Reports were PNG plots before they were SVG: a run that replaces such a run leaves
    none of them to describe the old model."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    assert cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "run",
               "--quiet")[0] == 0
    for name in ("loss.png", "accuracy.png", "confusion.png"):
        (tmp_path / "run" / name).write_bytes(b"old plot")
    assert cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "run",
               "--quiet", "--overwrite")[0] == 0
    names = set(os.listdir(tmp_path / "run"))
    assert not names & {"loss.png", "accuracy.png", "confusion.png"}
    assert {"loss.svg", "accuracy.svg", "confusion.svg", "report.html"} <= names


def test_a_fresh_run_keeps_a_users_file_named_like_a_plot(tmp_path, monkeypatch, capsys):
    """Only the files of an earlier run (a model was there) are removed as stale."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "r2.png").write_bytes(b"my plot")
    assert cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "run",
               "--quiet", "--no-report")[0] == 0
    assert (tmp_path / "run" / "r2.png").read_bytes() == b"my plot"


# ------------------------------------------------- 7. a report that says what did not happen
def test_no_validation_split_records_and_reports_no_validation(tmp_path, monkeypatch, capsys):
    import json

    from numpynn.report.kit import accuracy_figure, loss_figure
    from numpynn.training.trainer import History

    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "3", "--out", "run",
                         "--quiet")
    assert code == 0, err
    saved = json.loads((tmp_path / "run" / "history.json").read_text())
    score = saved.get("val_score", saved.get("val_acc"))  # the score's name may change
    assert saved["val_loss"] == [] and score == [] and len(saved["train_loss"]) == 3
    page = (tmp_path / "run" / "report.html").read_text()
    assert "training and validation" not in page and "(val " not in page
    history = History.from_dict(saved)
    labels = [t.get_text() for fig in (loss_figure(history), accuracy_figure(history))
              for t in fig.axes[0].get_legend().get_texts()]
    assert labels and not any(label == "validation" or "val loss" in label or "(val " in label
                              for label in labels), labels
    assert any("(train " in label for label in labels)
    import xml.etree.ElementTree as ET

    svg = "{http://www.w3.org/2000/svg}"
    drawn = ["".join(t.itertext()) for name in ("loss.svg", "accuracy.svg")
             for t in ET.parse(tmp_path / "run" / name).getroot().iter(f"{svg}text")]
    assert "validation" not in drawn and not any("validation loss" in t or "(val " in t
                                                  for t in drawn), drawn
    assert any("(train " in t for t in drawn)


def test_an_old_history_with_copied_validation_figures_loads_without_them():
    from numpynn.training.trainer import History

    old = {"epochs": [1, 2], "train_loss": [0.5, 0.4], "train_acc": [0.8, 0.9],
           "val_loss": [0.5, 0.4], "val_acc": [0.8, 0.9], "best_epoch": 2,
           "best_rule": "last epoch, no validation data"}
    h = History.from_dict(old)
    assert h.val_loss == [] and h.val_acc == [] and h.train_loss == [0.5, 0.4]
    assert h.train_acc == [0.8, 0.9]
    real = {**old, "best_rule": "lowest validation loss"}
    assert History.from_dict(real).val_loss == [0.5, 0.4]  # a real validation stays


def test_regression_without_validation_claims_no_validation_r2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
                         "--task", "regression", "--label-column", "a", "--ignore-columns",
                         "label", "--quiet", "--val-fraction", "0")
    assert code == 0, err
    assert "validation R^2" not in out and "no validation data" in out
    assert "validation R²" not in (tmp_path / "run" / "report.html").read_text()


# ------------------------------------------------------------------------- 8. tracebacks
@pytest.mark.parametrize("flags", [("--test-fraction", "0"), ("--val-fraction", "0"),
                                   ("--test-fraction", "0", "--val-fraction", "0")])
def test_regression_with_an_empty_split_trains(tmp_path, monkeypatch, capsys, flags):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
                         "--task", "regression", "--label-column", "a", "--ignore-columns",
                         "label", "--quiet", "--no-report", *flags)
    assert code == 0 and "Traceback" not in err, err
    assert (tmp_path / "run" / "model.npz").exists()


def test_closed_standard_output_is_one_clear_error_not_a_traceback(run_dir):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for argv, code in ((["predict", "run", "--data", "d.csv"], 2),
                       (["predict", "run", "--data", "d.csv", "--output", "p.csv"], 0)):
        proc = subprocess.run(  # as the shell's `>&-`: no descriptor 1 when Python starts
            [sys.executable, "-m", "numpynn", *argv], cwd=run_dir.parent, env=env,
            stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
            preexec_fn=lambda: os.close(1))
        assert proc.returncode == code and "Traceback" not in proc.stderr, proc.stderr
        if code == 2:
            assert "standard output is closed" in proc.stderr and "--output" in proc.stderr
    assert (run_dir.parent / "p.csv").read_text().startswith("prediction")


def test_the_readme_library_recipe_works_on_a_regression_model(tmp_path, monkeypatch, capsys):
    from numpynn.errors import InputError
    from numpynn.evaluation import evaluate, regression_metrics
    from numpynn.model_file import load_model
    from numpynn.runs.predictions import prediction_table, write_predictions
    from numpynn.runs.run import evaluation_data


    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    assert cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run", "--task",
               "regression", "--label-column", "a", "--ignore-columns", "label", "--quiet",
               "--no-report")[0] == 0
    saved = load_model("run")
    X, y, split = evaluation_data(saved, "d.csv", split="all")
    assert split == "all" and X.shape == (60, 2) and y.shape == (60, 1)
    with pytest.raises(InputError, match="regression_metrics"):
        evaluate(saved.model, saved.transform(X), y)
    assert np.isfinite(regression_metrics(y, saved.values(X))["r2"])
    header, rows = prediction_table(saved, X)
    assert header == ["prediction"] and len(rows) == 60
    assert abs(float(rows[0][0]) - saved.values(X)[0, 0]) < 1e-6
    assert write_predictions("p.csv", saved, X) == 60
    with pytest.raises(InputError, match="proba"):
        prediction_table(saved, X, proba=True)
    code, out, _ = cli(capsys, "predict", "run", "--data", "d.csv")
    assert code == 0 and out.splitlines()[1] == rows[0][0]


def test_library_calls_with_values_of_the_wrong_kind_raise_input_error(tmp_path):
    from numpynn import Solver, TwoLayerNet
    from numpynn.errors import InputError
    from numpynn.model_file import SavedModel, save_model

    with pytest.raises(InputError, match="SavedModel.*NoneType"):
        save_model(tmp_path / "m.npz", None)
    with pytest.raises(InputError, match="got model NoneType"):
        save_model(tmp_path / "m.npz", SavedModel(None, None, None, None))
    assert not (tmp_path / "m.npz").exists()
    rng = np.random.default_rng(0)
    data = {"X_train": rng.normal(size=(20, 4)), "y_train": rng.integers(0, 3, 20),
            "X_val": rng.normal(size=(5, 4)), "y_val": rng.integers(0, 3, 5)}
    for bad in (0, -1, None):
        with pytest.raises(InputError, match="print_every"):
            Solver(TwoLayerNet(4, 5, 3), data, print_every=bad)


def test_more_library_calls_of_the_wrong_kind_raise_input_error(run_dir):
    from numpynn.errors import InputError
    from numpynn.evaluation import evaluate
    from numpynn.model_file import load_model
    from numpynn.runs.predictions import write_predictions
    from numpynn.runs.run import RunOptions, prediction_data, run_training

    saved = load_model(run_dir)
    with pytest.raises(InputError, match="data spec must be a string; got int"):
        prediction_data(saved, 3)
    with pytest.raises(InputError, match="numpynn network"):
        evaluate(None, np.zeros((2, 3)), np.zeros(2, int))
    with pytest.raises(InputError, match="RunOptions"):
        run_training(None, run_dir.parent / "x")
    with pytest.raises(InputError, match="must be a path"):
        run_training(RunOptions(data="d.csv"), None)
    with pytest.raises(InputError, match="must be a path"):
        write_predictions(None, saved, np.zeros((2, 3)))


# ------------------------------------------------------------ 9. documented behaviour refused
def test_a_batch_larger_than_the_data_is_one_batch_per_epoch(tmp_path, monkeypatch, capsys):
    import json

    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "3", "--out", "run",
                       "--quiet", "--no-report", "--batch-size", "1000000000")
    assert code == 0, err
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["step_loss"]) == 3  # one step per epoch
    code, _, err = cli(capsys, "search", "--data", "d.csv", "--trials", "1", "--epochs", "1",
                       "--hidden", "8", "--batch-size", "1000000000", "--out", "s",
                       "--no-report")
    assert code == 0, err


@pytest.mark.parametrize("flags,words", [
    ((), "no validation split"), (("--task", "regression", "--label-column", "a",
                                   "--ignore-columns", "label"), "regression"),
])
def test_refit_where_it_cannot_apply_is_refused(tmp_path, monkeypatch, capsys, flags, words):
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
                       "--quiet", "--refit", *flags)
    assert code == 2 and "--refit" in err and words in err, err
    assert not (tmp_path / "run").exists()
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
                         "--quiet", "--no-report", "--refit", "--val-fraction", "0.2")
    assert code == 0 and "refit" in out, err


# ------------------------------------- hypothesis: run directories and ~ as inputs, outputs
def test_walk_of_path_spellings_never_writes_over_an_input(run_dir, capsys):
    """Hypothesis picks the model's spelling (file, run directory, ``~``, ``..``, links),
    the data's and the output's (any of those names of the model or the data, the run
    directory, a new file): predict succeeds only when the output is no input, and the
    model and the data are never changed."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    home = run_dir.parent
    (home / "link.npz").symlink_to(run_dir / "model.npz")
    (home / "link-run").symlink_to(run_dir)
    (home / "link.csv").symlink_to(home / "d.csv")
    models = ["run", "run/", "./run", "~/run", "run/model.npz", "~/run/model.npz",
              "run/../run", "link.npz", "link-run", "~/link-run/"]
    datas = ["d.csv", "~/d.csv", "./d.csv", "run/../d.csv", "link.csv"]
    inputs_out = ["run/model.npz", "~/run/model.npz", "link.npz", "link-run/model.npz",
                  "./run/./model.npz", "d.csv", "~/d.csv", "link.csv", "run/../d.csv"]
    fresh = ["p.csv", "~/p.csv", "run/p.csv", "~/run/p.csv", "link-run/p.csv"]
    model_bytes, data_bytes = (run_dir / "model.npz").read_bytes(), (home / "d.csv").read_bytes()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(models), st.sampled_from(datas),
           st.sampled_from(inputs_out + fresh + ["run", "~/run", "link-run"]))
    def walk(model, data, output):
        seen.add((model, data, output))
        code, _, err = cli(capsys, "predict", model, "--data", data, "--output", output)
        assert "Traceback" not in err
        if output in inputs_out:
            assert code == 2 and "input" in err, (model, data, output, err)
        elif output in fresh:
            assert code == 0, (model, data, output, err)
        else:  # a directory
            assert code == 2 and "directory" in err, err
        assert (run_dir / "model.npz").read_bytes() == model_bytes
        assert (home / "d.csv").read_bytes() == data_bytes

    seen: set[tuple[str, str, str]] = set()
    walk()
    assert len(seen) >= 40  # distinct combinations tried


@pytest.mark.slow
def test_walk_script_holds_every_case():
    """benchmarks/reliability_walk.py: >= 300 cases of issue 21's kinds, all held
    (about 15 s; `python benchmarks/reliability_walk.py` prints the table)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "reliability_walk", ROOT / "benchmarks" / "reliability_walk.py")
    walk = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = walk  # its dataclass looks its module up there
    spec.loader.exec_module(walk)
    result = walk.run_walk()
    held, total = result.total
    assert total >= 300 and held == total, result.failures[:10]


def test_resuming_a_finished_search_changes_no_file_and_keeps_no_report(tmp_path, monkeypatch,
                                                                        capsys):
    import shutil

    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    argv = ["search", "--data", "d.csv", "--trials", "2", "--epochs", "2", "--hidden", "8",
            "--out", "s", "--jobs", "1", "--quiet"]
    assert cli(capsys, *argv, "--no-report")[0] == 0

    def files() -> dict[str, bytes]:
        return {str(p.relative_to(tmp_path)): p.read_bytes()
                for p in sorted((tmp_path / "s").rglob("*")) if p.is_file()}

    before = files()
    code, out, err = cli(capsys, "search", "--resume", "s", "--quiet")
    assert code == 0 and "nothing was run or changed" in out, err
    assert files() == before
    # an unfinished search started with --no-report resumes without a report
    log = tmp_path / "s" / "trials.jsonl"
    log.write_text(log.read_text().splitlines()[0] + "\n")
    shutil.rmtree(tmp_path / "s" / "best")
    assert cli(capsys, "search", "--resume", "s", "--quiet")[0] == 0
    assert sorted(p.name for p in (tmp_path / "s" / "best").iterdir()) == [
        "history.json", "model.npz"]


@pytest.mark.parametrize("name", ["results.csv", "best/loss.svg", "best/loss.png",
                                  "best/report.html"])
def test_search_never_writes_over_its_data_inside_out(tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s" / "best").mkdir(parents=True)
    data = _csv(tmp_path / "s" / name).read_bytes()
    code, _, err = cli(capsys, "search", "--data", f"s/{name}", "--trials", "1", "--epochs",
                       "1", "--hidden", "8", "--out", "s", "--quiet")
    assert code == 2 and "same file as the input" in err, err
    assert (tmp_path / "s" / name).read_bytes() == data


def test_walk_of_run_directory_spellings_as_out_and_resume(run_dir, capsys):
    """Hypothesis spells the run directory as ``--out`` or ``--resume`` (``~``, ``./``,
    a trailing slash, ``..``, a link): a new run there is refused (it holds a run), a
    resume of the finished run changes no file."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    home = run_dir.parent
    (home / "link-run").symlink_to(run_dir)
    before = _listing(run_dir)
    spellings = ["run", "run/", "./run", "~/run", "~/run/", "run/../run", "link-run",
                 "~/link-run", str(run_dir)]

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(spellings), st.booleans())
    def walk(spelling, resume):
        if resume:
            code, out, err = cli(capsys, "train", "--resume", spelling)
            assert code == 0 and "nothing was changed" in out, (spelling, err)
        else:
            code, _, err = cli(capsys, "train", "--data", "d.csv", "--out", spelling)
            assert code == 2 and "already holds a run" in err, (spelling, err)
        assert _listing(run_dir) == before

    walk()
