"""One run for every task: the behaviours the two copies of the run once did differently
(issue 18), each checked for classification and regression alike through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from numpynn.model_file import load_model
from tests.clirun import numpynn, ok

TASKS = ["classification", "regression"]


def write_table(path: Path, task: str, n: int = 120, scale: float = 1.0) -> Path:
    """A CSV with a header: three numeric features and the label ``y`` (classes a/b/c, or
    a continuous value)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3)) * scale
    if task == "classification":
        y = np.array(["a", "b", "c"])[np.argmax(X @ rng.normal(size=(3, 3)), axis=1)]
    else:
        y = [f"{v:.5f}" for v in X @ np.array([1.5, -2.0, 0.5]) + 3.0]
    lines = ["x0,x1,x2,y"] + [",".join([*(f"{v:.6g}" for v in row), str(t)])
                              for row, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def train(where: Path, task: str, *extra: str, data: str = "t.csv") -> Path:
    ok(numpynn("train", "--data", data, "--task", task, "--epochs", "3", "--hidden", "8",
               "--val-fraction", "0.2", "--no-report", "--quiet", "--out", "run", *extra,
               cwd=where))
    return where / "run"


@pytest.fixture(params=TASKS)
def task(request) -> str:
    return request.param


def test_resume_extends_a_finished_run_with_more_epochs(tmp_path, task):
    write_table(tmp_path / "t.csv", task)
    run = train(tmp_path, task, "--patience", "100")
    assert json.loads((run / "history.json").read_text())["epochs"] == [1, 2, 3]
    ok(numpynn("train", "--resume", "run", "--epochs", "6", "--quiet", cwd=tmp_path))
    assert json.loads((run / "history.json").read_text())["epochs"] == [1, 2, 3, 4, 5, 6]
    assert load_model(run / "model.npz").metadata["epochs_run"] == 6


def test_resume_from_another_directory_finds_the_relative_data(tmp_path, task):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_table(tmp_path / "a" / "t.csv", task)
    train(tmp_path / "a", task, "--patience", "100")
    ok(numpynn("train", "--resume", str(tmp_path / "a" / "run"), "--epochs", "5", "--quiet",
               cwd=tmp_path / "b"))
    history = json.loads((tmp_path / "a" / "run" / "history.json").read_text())
    assert history["epochs"] == [1, 2, 3, 4, 5]


def test_evaluate_on_the_training_file_by_its_absolute_path_scores_the_test_rows(
        tmp_path, task):
    data = write_table(tmp_path / "t.csv", task)
    run = train(tmp_path, task)
    sizes = load_model(run / "model.npz").metadata["split_sizes"]
    for spelling in ("t.csv", str(data), "./t.csv"):
        result = json.loads(ok(numpynn("evaluate", "run", "--data", spelling, "--json",
                                       cwd=tmp_path)))
        assert result["split"] == "test", spelling
        rows = sum(result["support"]) if "support" in result else result["n"]
        assert rows == sizes["test"], spelling


def test_values_too_large_for_float32_are_refused_naming_the_dtype(tmp_path, task):
    write_table(tmp_path / "t.csv", task, scale=1e37)
    result = numpynn("train", "--data", "t.csv", "--task", task, "--epochs", "1",
                     "--no-report", "--quiet", "--out", "run", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line, = result.stderr.strip().splitlines()
    assert "too large for float32" in line and "--dtype float64" in line
    assert "NaN" not in line and "Traceback" not in result.stderr


@pytest.mark.parametrize("ending", [".tsv", ".txt", ".csv.gz", ".data", ".csv"])
def test_predict_never_writes_over_its_data_file(tmp_path, task, ending):
    write_table(tmp_path / "t.csv", task)
    train(tmp_path, task)
    text = (tmp_path / "t.csv").read_text()
    if ending == ".csv.gz":
        import gzip

        (tmp_path / f"x{ending}").write_bytes(gzip.compress(text.encode()))
    else:
        (tmp_path / f"x{ending}").write_text(text.replace(",", "\t") if ending == ".tsv"
                                             else text)
    before = (tmp_path / f"x{ending}").read_bytes()
    result = numpynn("predict", "run", "--data", f"x{ending}", "--output", f"x{ending}",
                     cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert (tmp_path / f"x{ending}").read_bytes() == before
    assert f"x{ending}" in result.stderr


def test_a_regression_refuses_class_weight_instead_of_ignoring_it(tmp_path):
    write_table(tmp_path / "t.csv", "regression")
    result = numpynn("train", "--data", "t.csv", "--task", "regression", "--class-weight",
                     "balanced", "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert result.returncode == 2 and "--class-weight" in result.stderr
    assert not (tmp_path / "run" / "model.npz").exists()


def test_the_model_file_records_the_task_and_where_the_run_started(tmp_path, task):
    write_table(tmp_path / "t.csv", task)
    meta = load_model(train(tmp_path, task) / "model.npz").metadata
    assert meta["task"] == task and meta["data_dir"] == str(tmp_path)
    assert meta["options"]["task"] == task and meta["best_rule"]


@pytest.mark.parametrize("ending", [".tsv", ".data"])
def test_resume_elsewhere_finds_data_of_any_ending(tmp_path, ending):
    """The recorded spec is resolved for every file ending (it was for .csv and .npz)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    text = write_table(tmp_path / "a" / "t.csv", "classification").read_text()
    (tmp_path / "a" / f"t{ending}").write_text(
        text.replace(",", "\t") if ending == ".tsv" else text)
    train(tmp_path / "a", "classification", "--patience", "100", data=f"t{ending}")
    ok(numpynn("train", "--resume", str(tmp_path / "a" / "run"), "--epochs", "4", "--quiet",
               cwd=tmp_path / "b"))
    history = json.loads((tmp_path / "a" / "run" / "history.json").read_text())
    assert history["epochs"] == [1, 2, 3, 4]


def test_one_hot_columns_are_left_as_0_1_and_numbers_standardised(tmp_path, task):
    """Preprocessing by column kind: a text column's indicators keep mean 0 / scale 1."""
    rng = np.random.default_rng(2)
    colours = rng.choice(["red", "green", "blue"], size=120)
    x = rng.normal(10, 3, size=120)
    y = (["a", "b"] * 60) if task == "classification" else [f"{v:.3f}" for v in x * 2]
    (tmp_path / "t.csv").write_text("x,colour,y\n" + "\n".join(
        f"{a:.4f},{c},{t}" for a, c, t in zip(x, colours, y)) + "\n")
    saved = load_model(train(tmp_path, task) / "model.npz")
    onehot = saved.recipe.one_hot_columns()
    assert onehot == [1, 2, 3]
    state = saved.preprocessing["state"]
    np.testing.assert_array_equal(state["mean"][onehot], 0.0)
    np.testing.assert_array_equal(state["scale"][onehot], 1.0)
    assert abs(state["mean"][0] - 10) < 1.5 and abs(state["scale"][0] - 3) < 1.0
