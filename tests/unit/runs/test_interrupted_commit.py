"""A run's commit (its staged files moved into place, model.npz last) that stopped half
way, as a SIGKILL among the moves leaves it, is finished by the next command that reads
or writes the run: never a new history.json beside the old model.npz."""

from __future__ import annotations

import os

import pytest

import numpynn.outputs as outputs
from numpynn.model_file import load_model
from numpynn.runs.files import StagedOutputs, finish_interrupted_commits
from tests.clirun import numpynn

TRAIN = ("train", "--data", "digits", "--epochs", "1", "--hidden", "8", "--quiet")


def _kill_after_first_move(monkeypatch):
    """Make the next commit stop after its first move, as a SIGKILL would leave it (the
    process "dies": nothing after the move runs, the commit's directory stays)."""
    move = outputs.move_into_place

    def first_then_die(staged, target):
        move(staged, target)
        raise SystemExit(-9)

    monkeypatch.setattr(outputs, "move_into_place", first_then_die)
    monkeypatch.setattr(outputs, "_COMMITTING", set())  # the "dead" process's commits


def _commit_dirs(run):
    return [p for p in run.iterdir() if p.name.startswith(".commit.")]


def test_the_next_read_finishes_a_commit_cut_short(tmp_path, monkeypatch):
    run = tmp_path / "run"
    assert numpynn(*TRAIN, "--out", str(run), cwd=tmp_path).returncode == 0
    old_model = (run / "model.npz").read_bytes()
    _kill_after_first_move(monkeypatch)
    proc = numpynn(*TRAIN, "--out", str(run), "--overwrite", "--seed", "5", "--no-report",
                   cwd=tmp_path)
    assert proc.returncode != 0
    monkeypatch.undo()
    (left,) = _commit_dirs(run)
    assert "model.npz" in os.listdir(left)  # moved last: not yet in
    assert (run / "model.npz").read_bytes() == old_model  # the old one, beside a new history
    assert (run / "report.html").exists()  # the old run's report, to go with its model

    load_model(run)  # as numpynn evaluate run/ does: the commit is finished first
    assert not _commit_dirs(run)
    assert (run / "model.npz").read_bytes() != old_model
    assert not (run / "report.html").exists()  # the replaced run's report went with it
    assert numpynn("evaluate", str(run), "--data", "digits", cwd=tmp_path).returncode == 0


def test_the_next_train_into_the_directory_finishes_it_first(tmp_path, monkeypatch):
    run = tmp_path / "run"
    _kill_after_first_move(monkeypatch)
    assert numpynn(*TRAIN, "--out", str(run), "--no-report", cwd=tmp_path).returncode != 0
    monkeypatch.undo()
    assert _commit_dirs(run) and not (run / "model.npz").exists()
    assert finish_interrupted_commits(run) == ["model.npz"]  # history.json was moved
    assert (run / "model.npz").is_file() and (run / "history.json").is_file()
    assert finish_interrupted_commits(run) == []  # nothing left to do


def test_a_running_commit_of_this_process_is_left_to_it(tmp_path):
    out = tmp_path / "run"
    with StagedOutputs(out) as staged:
        staged.path("history.json").write_text("{}")
        committing = out / (".commit." + staged.dir.name[len(".staging."):])
        outputs._COMMITTING.add(committing)
        try:
            committing.mkdir()
            (committing / "model.npz").write_bytes(b"x")
            assert finish_interrupted_commits(out) == []  # under way: not ours to move
        finally:
            outputs._COMMITTING.discard(committing)
        assert finish_interrupted_commits(out) == ["model.npz"]
        staged.discard()


def test_a_commit_that_cannot_be_finished_says_why(tmp_path, monkeypatch):
    run = tmp_path / "run"
    _kill_after_first_move(monkeypatch)
    numpynn(*TRAIN, "--out", str(run), "--no-report", cwd=tmp_path)
    monkeypatch.undo()

    def no_space(staged, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "move_into_place", no_space)
    with pytest.raises(outputs.InputError, match="being moved into place.*No space left"):
        finish_interrupted_commits(run)
    proc = numpynn("evaluate", str(run), "--data", "digits", cwd=tmp_path)
    assert proc.returncode == 2 and "No space left" in proc.stderr
    assert "Traceback" not in proc.stderr
