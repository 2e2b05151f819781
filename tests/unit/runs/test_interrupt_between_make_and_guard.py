"""An interrupt (Ctrl-C, SIGTERM) that lands in the few bytecodes between making a
temporary file or staging directory and guarding it (inside ``mkstemp``/``mkdtemp`` after
the file exists, or in a ``with`` block's ``__enter__``) used to leave it behind for good:
the command's own cleanup never saw it, and the next command's skips a live process's
files. Now every one is recorded before it is made and removed when the command ends, or
by the next run in the same process (a notebook that pressed Ctrl-C)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

import numpynn.outputs as outputs
import numpynn.runs.files as files
from numpynn.outputs import (
    atomic_replace,
    new_temp,
    remove_own_temp_files,
    remove_stale_temp_files,
    temp_done,
)
from numpynn.runs.run import RunOptions, run_training
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn

TRAIN = ("train", "--data", "digits", "--epochs", "1", "--hidden", "8", "--quiet")


def _temps(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def _interrupted_after(make):
    """``make`` (mkstemp/mkdtemp) that makes its file, then is interrupted before
    returning it, as a signal handler run at the next bytecode would."""
    def made_then_interrupted(*args, **kwargs):
        make(*args, **kwargs)
        raise KeyboardInterrupt
    return made_then_interrupted


def test_an_interrupt_inside_mkdtemp_of_the_staging_directory_leaves_nothing(
        tmp_path, monkeypatch):
    run = tmp_path / "run"
    monkeypatch.setattr(files.tempfile, "mkdtemp", _interrupted_after(tempfile.mkdtemp))
    proc = numpynn(*TRAIN, "--out", str(run), cwd=tmp_path)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _temps(run) == []
    assert (run / "checkpoint.npz").is_file()  # the epoch it finished is kept


def test_an_interrupt_in_enter_after_the_directory_was_made_leaves_nothing(
        tmp_path, monkeypatch):
    def interrupted_enter(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(files.StagedOutputs, "__enter__", interrupted_enter)
    run = tmp_path / "run"
    proc = numpynn(*TRAIN, "--out", str(run), cwd=tmp_path)
    assert proc.returncode == 130, proc.stderr
    assert _temps(run) == []


def test_an_interrupt_inside_mkstemp_of_an_atomic_write_leaves_nothing(tmp_path, monkeypatch):
    run = tmp_path / "run"
    assert numpynn(*TRAIN, "--out", str(run), cwd=tmp_path).returncode == 0
    monkeypatch.setattr(outputs.tempfile, "mkstemp", _interrupted_after(tempfile.mkstemp))
    proc = numpynn("predict", str(run / "model.npz"), "--data", "digits",
                   "--output", str(tmp_path / "p.csv"), cwd=tmp_path)
    assert proc.returncode == 130, proc.stderr
    assert _temps(tmp_path) == [] and not (tmp_path / "p.csv").exists()


def test_a_library_run_in_the_same_process_removes_what_an_interrupt_left(
        tmp_path, monkeypatch):
    """No command line around it (a notebook): the next run into the same directory
    removes this process's unguarded leftovers; a temporary file still in use stays."""
    out = tmp_path / "run"
    options = RunOptions(data="digits", hidden=(8,), train=TrainConfig(epochs=1))
    monkeypatch.setattr(files.tempfile, "mkdtemp", _interrupted_after(tempfile.mkdtemp))
    with pytest.raises(KeyboardInterrupt):
        run_training(options, out, report=False)
    assert [n for n in _temps(out) if n.startswith(".staging.")]
    monkeypatch.undo()
    fd, in_use = new_temp(tempfile.mkstemp, out, ".in-use")
    os.close(fd)
    try:
        run_training(options, out, report=False)
        assert _temps(out) == [Path(in_use).name]
    finally:
        os.unlink(in_use)
        temp_done(in_use)


def test_a_run_keeps_its_own_files_in_use_and_the_end_of_a_command_removes_them(tmp_path):
    fd, live = new_temp(tempfile.mkstemp, tmp_path, ".live")
    fd2, left = new_temp(tempfile.mkstemp, tmp_path, ".left")
    other = tmp_path / ".x.1.abc.tmp"  # pid 1 (init) runs: another live process's
    other.write_bytes(b"")
    for f in (fd, fd2):
        os.close(f)
    temp_done(left)  # as if handed on... but still there: nothing uses it
    assert [p.name for p in remove_stale_temp_files(tmp_path)] == [Path(left).name]
    assert _temps(tmp_path) == sorted([Path(live).name, other.name])
    # the command has ended: nothing of it is in use any more
    assert [p.name for p in remove_own_temp_files()] == [Path(live).name]
    assert _temps(tmp_path) == [other.name]


def test_a_staging_object_lost_before_its_with_block_takes_its_directory(tmp_path):
    """A library caller's interrupt in ``__enter__``: no ``__exit__`` runs, but the
    object is dropped with the exception, and its directory with it."""
    def body():
        staged = files.StagedOutputs(tmp_path)
        assert _temps(tmp_path)
        raise KeyboardInterrupt  # before the with block: no __exit__ runs
        with staged:
            pass
    with pytest.raises(KeyboardInterrupt):
        body()
    assert _temps(tmp_path) == []


def test_atomic_replace_leaves_no_record_behind(tmp_path):
    atomic_replace(tmp_path / "f.bin", lambda fh: fh.write(b"x"))
    assert not [t for t in outputs._LIVE_TEMPS if t.startswith(str(tmp_path))]
