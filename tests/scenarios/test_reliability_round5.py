"""Reliability, round five: a run and a search never share a directory, whatever the
flags (--overwrite replaces a run, not a search), and neither is left half the other's."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.clirun import numpynn

TRAIN = ("train", "--data", "digits", "--epochs", "1", "--hidden", "8", "--quiet")
SEARCH = ("search", "--data", "digits", "--trials", "1", "--epochs", "1", "--hidden", "8",
          "--quiet", "--no-report")


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_train_overwrite_into_a_search_directory_is_refused_and_the_search_kept(tmp_path):
    assert numpynn(*SEARCH, "--out", "s", cwd=tmp_path).returncode == 0
    before = _digest(tmp_path / "s")
    proc = numpynn(*TRAIN, "--out", "s", "--overwrite", cwd=tmp_path)
    assert proc.returncode == 2 and "holds a search" in proc.stderr
    assert "--resume s" in proc.stderr and "Traceback" not in proc.stderr
    assert _digest(tmp_path / "s") == before


def test_a_search_into_a_run_directory_is_refused_and_the_run_kept(tmp_path):
    assert numpynn(*TRAIN, "--out", "r", cwd=tmp_path).returncode == 0
    before = _digest(tmp_path / "r")
    proc = numpynn(*SEARCH, "--out", "r", cwd=tmp_path)
    assert proc.returncode == 2 and "holds a training run" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _digest(tmp_path / "r") == before
