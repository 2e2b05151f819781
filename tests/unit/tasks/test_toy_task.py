"""A task costs one class: a toy third task, registered here and nowhere else, runs through
``numpynn train``, ``--resume``, ``evaluate``, ``predict``, ``search`` and the report, as
the toy layer proves that a layer costs one file (issue 18).

The toy task learns two targets from one numeric label column, the value and its square,
by squared error on their standardised values; its own score is the negative mean
absolute error of the two (higher is better): the history records it every epoch and the
search ranks its trials by it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from numpynn.model_file import load_model
from numpynn.tasks import TASKS, Regression, ScaledTargets, Targets
from numpynn.training.trainer import Scorer
from tests.clirun import numpynn, ok


class NegativeMAE(Scorer):
    """-mean |prediction - target| over both targets, in the targets' units."""

    name = "neg_mae"

    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    def __call__(self, model, X, y, idx=None):
        rows = slice(None) if idx is None else idx
        outputs = model.forward(X[rows])
        loss = float(model.loss_fn(outputs.astype(np.float64), y[rows])[0])
        error = np.abs(self.targets.inverse(outputs) - self.targets.inverse(y[rows]))
        return -float(error.mean()), loss


class ValueAndSquare(Regression):
    """Regression's network, split and target scaling; its own targets, score and files."""

    name: ClassVar[str] = "value_and_square"
    score_key: ClassVar[str] = "neg_mae"
    score_label: ClassVar[str] = "-MAE"
    ranks_by: ClassVar[str] = "score"
    report_title: ClassVar[str] = "toy report"
    defaults: ClassVar[Mapping[str, Any]] = {"lr": 1e-2}  # where the user left lr unset

    def targets_array(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, np.float64).reshape(-1)
        return np.column_stack([y, y * y])

    def epoch_scorer(self, targets: Targets) -> Scorer:
        return NegativeMAE(targets)

    def metrics(self, model, X, y, targets):
        outputs = model.forward(X)
        error = np.abs(targets.inverse(outputs) - y)
        loss = float(model.loss_fn(outputs.astype(np.float64), targets.transform(y))[0])
        return {"neg_mae": -float(error.mean()), "loss": loss, "n": int(len(y))}

    def format_metrics(self, metrics, seconds=None):
        return "\n".join(f"{name} -MAE {m['neg_mae']:.4f}" for name, m in metrics.items())

    def evaluation(self, saved, X, y):
        error = np.abs(saved.values(X) - y)
        figures = {"task": self.name, "neg_mae": -float(error.mean()), "n": int(len(y))}
        return figures, f"-MAE {figures['neg_mae']:.4f} on {figures['n']} rows"

    def prediction_table(self, saved, X, proba, source):
        values = saved.values(X)
        return ["value", "square"], [[f"{a:.6g}", f"{b:.6g}"] for a, b in values]

    def metadata(self, splits, options):
        return {"image_shape": None, "class_names": [], "target_names": ["value", "square"],
                "target_scaler": splits.targets.state()}

    def write_report(self, out_dir: Path, *, history, metrics, model, splits, title,
                     details, configuration, evaluation, sizes) -> Path:
        from numpynn.report import plot_loss

        plot_loss(history, Path(out_dir) / "loss.png")
        rows = "".join(f"<tr><td>{k}</td><td>{m['neg_mae']:.4f}</td></tr>"
                       for k, m in metrics.items())
        path = Path(out_dir) / "report.html"
        path.write_text(f"<h1>{title}</h1><table>{rows}</table><img src='loss.png'>")
        return path


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The toy task joins the registry for one test (and leaves it afterwards)."""
    monkeypatch.setattr(TASKS, "_entries", dict(TASKS._entries))
    TASKS.register("value_and_square")(ValueAndSquare)
    assert ScaledTargets  # the toy task reuses regression's target scaling


def write_table(path: Path, n: int = 200) -> Path:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.0, -0.5, 0.25]) + 0.05 * rng.normal(size=n)
    lines = ["a,b,c,y"] + [",".join(f"{v:.6g}" for v in [*row, t]) for row, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_toy_task_trains_resumes_evaluates_predicts_and_reports(tmp_path):
    write_table(tmp_path / "t.csv")
    out = ok(numpynn("train", "--data", "t.csv", "--task", "value_and_square", "--epochs",
                     "30", "--hidden", "16", "--val-fraction", "0.2", "--patience", "100",
                     "--out", "run", cwd=tmp_path))
    assert "train -MAE" in out and "test -MAE" in out  # its own final table
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert history["score_name"] == "neg_mae" and len(history["val_score"]) == 30
    assert all(v <= 0 for v in history["val_score"])
    assert history["best_rule"] == "lowest validation loss"  # 40 validation rows: the loss
    saved = load_model(tmp_path / "run" / "model.npz")
    assert saved.metadata["task"] == "value_and_square" and saved.task.name == "value_and_square"
    assert saved.model.num_outputs == 2 and saved.classes.shape == (0,)
    assert (tmp_path / "run" / "report.html").read_text().startswith("<h1>toy report: t.csv")

    ok(numpynn("train", "--resume", "run", "--epochs", "32", "--quiet", cwd=tmp_path))
    assert json.loads((tmp_path / "run" / "history.json").read_text())["epochs"] == list(
        range(1, 33))

    result = json.loads(ok(numpynn("evaluate", "run", "--json", cwd=tmp_path)))
    assert result["split"] == "test" and result["task"] == "value_and_square"
    assert result["n"] == load_model(tmp_path / "run" / "model.npz").metadata[
        "split_sizes"]["test"]
    y = np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1)[:, -1]
    targets = np.column_stack([y, y * y])
    constant = np.abs(targets - targets.mean(axis=0)).mean()  # predicting the mean
    assert -result["neg_mae"] < 0.8 * constant  # a fitted value and square

    table = ok(numpynn("predict", "run", "--data", "t.csv", cwd=tmp_path)).splitlines()
    assert table[0] == "value,square" and len(table) == 201
    value, square = map(float, table[1].split(","))
    assert abs(square - value * value) < 1.0  # learnt together, roughly consistent


def test_the_toy_task_searches_and_ranks_by_its_own_score(tmp_path):
    write_table(tmp_path / "t.csv")
    ok(numpynn("search", "--data", "t.csv", "--task", "value_and_square", "--trials", "3",
               "--epochs", "3", "--jobs", "1", "--out", "s", "--quiet", "--no-report",
               cwd=tmp_path))
    rows = json.loads((tmp_path / "s" / "results.json").read_text())["trials"]
    assert {r["task"] for r in rows} == {"value_and_square"}
    assert {r["score_name"] for r in rows} == {"neg_mae"}
    scores = [r["val_score"] for r in rows if r["status"] == "ok"]
    assert scores == sorted(scores, reverse=True)  # ranked by the task's score
    best = load_model(tmp_path / "s" / "best" / "model.npz")
    assert best.task.name == "value_and_square" and best.model.num_outputs == 2


def test_a_scorer_must_say_how_it_scores():
    """Scorer is an interface: a task's scorer without ``__call__`` cannot be made."""
    class Unfinished(Scorer):
        name = "mae"

    with pytest.raises(TypeError, match="abstract"):
        Unfinished()
    assert NegativeMAE(None).name == "neg_mae"
