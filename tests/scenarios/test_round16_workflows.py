"""Round 16: workflows across several commands and sessions (a run moved, a search's
best model reused, outputs written where another command's files are)."""

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


def test_a_run_into_a_searchs_best_folder_is_refused_and_the_best_model_kept(tmp_path):
    """(before: train --out S/best --overwrite replaced the search's best model with
    another, and search --resume S went on describing the trial as its best)"""
    assert numpynn(*SEARCH, "--out", "s", cwd=tmp_path).returncode == 0
    before = _digest(tmp_path / "s")
    for out in ("s/best", "s/best/"):
        proc = numpynn(*TRAIN, "--out", out, "--overwrite", cwd=tmp_path)
        assert proc.returncode == 2 and "best model of the search in s" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert _digest(tmp_path / "s") == before
    proc = numpynn(*TRAIN, "--out", "best", "--overwrite", cwd=tmp_path / "s")
    assert proc.returncode == 2 and "best model of the search" in proc.stderr
    assert _digest(tmp_path / "s") == before
    assert numpynn(*TRAIN, "--out", "s/run", cwd=tmp_path).returncode == 0  # as suggested
