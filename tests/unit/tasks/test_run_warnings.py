"""A finished run says loudly when its held-out figures are no better than a constant
guess: a regression's R^2 below 0, a classifier's accuracy at the most frequent class's."""

from __future__ import annotations

import re

import numpy as np
import pytest

from numpynn.runs.run import RunOptions, run_training
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn, ok


def _write(path, header, rows):
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows])
                    + "\n")


def test_a_regression_on_noise_warns_with_the_likely_causes(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 6))
    y = rng.normal(size=150)  # nothing to learn
    _write(tmp_path / "noise.csv", [*(f"x{i}" for i in range(6)), "target"],
           [[*(f"{v:.4f}" for v in x), f"{t:.4f}"] for x, t in zip(X, y)])
    proc = numpynn("train", "--data", "noise.csv", "--hidden", "128", "--epochs", "60",
                   "--patience", "60", "--no-report", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 0
    warning = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and " R^2 -" in warning[0]
    assert "worse than always answering the training mean" in warning[0]
    assert "--label-column" in warning[0] and "--hidden" in warning[0]


def test_a_regression_that_learns_does_not_warn(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5]
    _write(tmp_path / "lin.csv", ["a", "b", "c", "target"],
           [[*(f"{v:.4f}" for v in x), f"{t:.4f}"] for x, t in zip(X, y)])
    result = run_training(RunOptions(data=str(tmp_path / "lin.csv")), tmp_path / "run",
                          report=False)
    assert result.metrics["test"]["r2"] > 0.5 and result.warnings == []


def test_a_classifier_at_the_majority_rate_warns(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 4))
    y = np.where(rng.random(400) < 0.8, "stay", "leave")  # labels unrelated to X
    _write(tmp_path / "churn.csv", ["a", "b", "c", "d", "label"],
           [[*(f"{v:.4f}" for v in x), t] for x, t in zip(X, y)])
    result = run_training(RunOptions(data=str(tmp_path / "churn.csv"),
                                     train=TrainConfig(epochs=5)), tmp_path / "run",
                          report=False)
    assert len(result.warnings) == 1
    assert "'stay', the most frequent training class" in result.warnings[0]
    assert "test accuracy" in result.warnings[0]


def test_a_classifier_that_learns_does_not_warn(tmp_path):
    out = ok(numpynn("train", "--data", "digits", "--epochs", "3", "--no-report", "--out",
                     "run", cwd=tmp_path))
    assert "warning:" not in out


def test_imbalanced_classes_get_the_class_weight_suggestion(tmp_path):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 2))
    y = np.where(rng.random(400) < 0.08, "yes", "no")
    _write(tmp_path / "imb.csv", ["a", "b", "label"],
           [[f"{a:.3f}", f"{b:.3f}", t] for (a, b), t in zip(X, y)])
    out = ok(numpynn("train", "--data", "imb.csv", "--epochs", "2", "--no-report", "--out",
                     "run", cwd=tmp_path))
    note = next(line for line in out.splitlines() if "imbalanced" in line)
    assert re.search(r"'yes' \d+% of the training rows", note) and "--class-weight balanced" in note
    weighed = numpynn("train", "--data", "imb.csv", "--epochs", "2", "--no-report", "--out",
                      "w", "--class-weight", "balanced", cwd=tmp_path)
    assert weighed.returncode == 0
    assert "imbalanced" not in weighed.stdout + weighed.stderr  # asked: no note, no warning
    balanced = ok(numpynn("train", "--data", "digits", "--epochs", "1", "--no-report",
                          "--out", "d", cwd=tmp_path))
    assert "imbalanced" not in balanced


def test_two_imbalanced_classes_keep_the_epoch_of_the_best_balanced_accuracy(tmp_path):
    """On two imbalanced classes a run scores its epochs by balanced accuracy (what its
    note tells the user to judge by) and keeps the best one, in the folds (packed) and
    in the validation split alike, and its report names that score; three classes with a
    rare one, and balanced classes, keep the accuracy."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(600, 3))
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=600) > 1.3, "churn", "stay")  # ~12%
    _write(tmp_path / "churn.csv", ["a", "b", "c", "label"],
           [[*(f"{v:.4f}" for v in x), t] for x, t in zip(X, y)])
    for folds in (None, 1):  # 3 folds trained packed, then one validation split
        result = run_training(RunOptions(data=str(tmp_path / "churn.csv"), cv_folds=folds,
                                         train=TrainConfig(epochs=6, select="auto")),
                              tmp_path / f"run-{folds}", report=folds == 1)
        h = result.history
        assert h.score_name == "balanced_accuracy", folds
        if folds is None:  # the folds' networks kept their epochs by it
            assert "; best validation balanced accuracy; " in result.choices[0]
        else:
            assert h.best_rule == "best validation balanced accuracy"
            assert h.val_score[h.best_epoch - 1] == max(h.val_score)
    page = (tmp_path / "run-1" / "report.html").read_text()
    assert "Balanced accuracy" in page
    three = np.where(X[:, 1] > 1.2, "rare", np.where(X[:, 2] > 0, "b", "c"))
    _write(tmp_path / "three.csv", ["a", "b", "c", "label"],
           [[*(f"{v:.4f}" for v in x), t] for x, t in zip(X, three)])
    result = run_training(RunOptions(data=str(tmp_path / "three.csv"),
                                     train=TrainConfig(epochs=2)), tmp_path / "r3",
                          report=False)
    assert result.history.score_name == "accuracy"


def test_the_smaller_hidden_suggested_is_smaller_than_the_runs():
    """The R^2-below-0 warning said "try a smaller `hidden` (e.g. 16)" to a run of hidden
    16; the example is now below the run's widest layer."""
    from types import SimpleNamespace

    from numpynn.tasks.regression import Regression

    splits = SimpleNamespace(y_train=np.zeros((240, 1)), targets=None)
    metrics = {"test": {"r2": -0.4, "n": 60}}

    def example(hidden):
        text = Regression().warnings(metrics, splits, RunOptions(hidden=hidden))[0]
        return int(re.search(r"smaller `hidden` \(e\.g\. (\d+)\)", text).group(1))

    assert example([256, 128]) == 16
    assert example([16]) == 4 and example([32]) == 8 and example([4]) == 2


@pytest.mark.parametrize("dataset, says, not_said", [
    ({"table": object(), "ids": None}, "label column", "folder"),
    ({"table": None, "ids": ["a/1.png"]}, "class's folder", "label column"),
    ({"table": None, "ids": None}, "Check the labels", "label column"),
])
def test_the_majority_warning_points_to_where_the_labels_come_from(dataset, says, not_said):
    """A table's labels are a column, an image folder's are its folders, an array's are
    its y: the warning names what to check."""
    from types import SimpleNamespace

    from numpynn.tasks import task_named

    y_train = np.array([0] * 30 + [1] * 10)
    ds = SimpleNamespace(classes=np.array(["a", "b"]), **dataset)
    splits = SimpleNamespace(y_train=y_train, y_val=np.zeros(0, int),
                             y_test=np.array([0] * 15 + [1] * 5), dataset=ds)
    (warning,) = task_named("classification").warnings({"test": {"accuracy": 0.7}}, splits)
    assert says in warning and not_said not in warning
