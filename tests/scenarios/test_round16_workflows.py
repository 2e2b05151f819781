"""Round 16: workflows across several commands and sessions (a run moved, a search's
best model reused, outputs written where another command's files are)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.clirun import numpynn
from tests.scenarios.test_reliability_round5 import SEARCH, TRAIN, _digest


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


def _table(path: Path, rows: int = 120) -> list[str]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 3))
    lines = ["a,b,c,label"] + [f"{x[0]:.4f},{x[1]:.4f},{x[2]:.4f},{'yes' if x[0] > 0 else 'no'}"
                               for x in X]
    path.write_text("\n".join(lines) + "\n")
    return lines


def test_evaluate_refuses_a_training_file_reordered_or_edited_since(tmp_path):
    """(before: the same number of rows passed the check, and `evaluate RUN` scored a
    "test split" of other rows, training rows among them, without a word)"""
    lines = _table(tmp_path / "t.csv")
    train = ("train", "--data", "t.csv", "--epochs", "2", "--hidden", "8", "--quiet",
             "--out", "run")
    assert numpynn(*train, cwd=tmp_path).returncode == 0
    assert numpynn("evaluate", "run", cwd=tmp_path).returncode == 0  # as it was: scored
    body = lines[1:]
    for changed in (body[::-1], [body[0].replace("0.", "1.", 1)] + body[1:]):
        (tmp_path / "t.csv").write_text("\n".join([lines[0], *changed]) + "\n")
        for split in ("test", "train"):
            proc = numpynn("evaluate", "run", "--split", split, cwd=tmp_path)
            assert proc.returncode == 2 and "edited or reordered" in proc.stderr
            assert "--split all" in proc.stderr and "Traceback" not in proc.stderr
        assert numpynn("evaluate", "run", "--split", "all", cwd=tmp_path).returncode == 0
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")  # restored: scored again
    assert numpynn("evaluate", "run", "--split", "test", cwd=tmp_path).returncode == 0
