"""Files written by numpynn 0.2 (before tasks, named scores and the new layout) load:
model files of both tasks, their histories (scores named train_acc/val_acc, R^2 for a
regression), checkpoints (best_val_acc) that resume, and search logs (val_acc).

The fixtures in ``tests/fixtures/v0_2`` were written by numpynn 0.2 (commit cb587b1) on
the two small tables beside them: ``numpynn train`` (3 epochs) and ``numpynn search``
(2 trials) of a classification and a regression."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from numpynn.model_file import load_model
from numpynn.runs.run import RunOptions, make_trainer, prepare_splits
from numpynn.search.results import ranked, read_trials
from numpynn.training.trainer import History, read_checkpoint
from tests.clirun import REPO, numpynn, ok

FIXTURES = REPO / "tests" / "fixtures" / "v0_2"
TASKS = {"cls": ("classification", "accuracy"), "reg": ("regression", "r2")}


@pytest.mark.parametrize("kind", TASKS)
def test_a_model_file_of_0_2_predicts_and_says_its_task(kind, tmp_path):
    task, _ = TASKS[kind]
    saved = load_model(FIXTURES / f"{kind}_run" / "model.npz")
    assert saved.task.name == task
    shutil.copy(FIXTURES / f"{kind}.csv", tmp_path / "data.csv")
    table = ok(numpynn("predict", FIXTURES / f"{kind}_run" / "model.npz", "--data",
                       "data.csv", cwd=tmp_path)).splitlines()
    assert table[0] == "prediction" and len(table) == 61
    result = json.loads(ok(numpynn("evaluate", FIXTURES / f"{kind}_run" / "model.npz",
                                   "--data", "data.csv", "--json", cwd=tmp_path)))
    assert result["split"] == "all"
    rows = sum(result["support"]) if task == "classification" else result["n"]
    assert rows == 60 and np.isfinite(result["loss" if task == "classification" else "r2"])


@pytest.mark.parametrize("kind", TASKS)
def test_a_history_of_0_2_names_its_score(kind):
    _, score = TASKS[kind]
    data = json.loads((FIXTURES / f"{kind}_run" / "history.json").read_text())
    assert "val_acc" in data and "val_score" not in data  # the 0.2 names
    history = History.from_dict(data)
    assert history.val_score == data["val_acc"] and len(history.epochs) == 3
    if score == "accuracy":
        assert history.val_acc == data["val_acc"]


@pytest.mark.parametrize("kind", TASKS)
def test_a_checkpoint_of_0_2_resumes(kind, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIXTURES / f"{kind}.csv", tmp_path / f"{kind}.csv")
    header, _ = read_checkpoint(FIXTURES / f"{kind}_run" / "checkpoint.npz")
    assert "best_val_acc" in header and "best_val_score" not in header
    options = RunOptions.from_dict(header["extra"]["options"])
    options.train.epochs = 5
    trainer = make_trainer(options, prepare_splits(options))
    trainer.resume(FIXTURES / f"{kind}_run" / "checkpoint.npz")
    assert trainer.epoch == 3
    trainer.config.epochs = 5
    history = trainer.train()
    assert history.epochs == [1, 2, 3, 4, 5]
    assert history.score_name == TASKS[kind][1]
    assert np.isfinite(history.val_score).all()


@pytest.mark.parametrize("kind", TASKS)
def test_a_search_log_of_0_2_reads_with_named_scores(kind):
    rows = read_trials(FIXTURES / f"{kind}_search" / "trials.jsonl")
    assert len(rows) == 2 and all("val_score" in r and "val_acc" not in r for r in rows)
    assert {r["score_name"] for r in rows} == {TASKS[kind][1]}
    assert [r["rank"] for r in ranked(rows)] == [1, 2]
