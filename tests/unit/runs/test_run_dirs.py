"""A refused run leaves no directory behind: neither its run-N nor the numpynn-runs/ it
made for it, nor the parents it made for --out; directories that were there stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from numpynn.runs.files import first_missing, remove_if_empty
from tests.clirun import numpynn

#: refusals that come after the data is read (the run directory exists by then)
REFUSED = [
    ["--data", "digits", "--ensemble", "2", "--norm", "batch"],
    ["--data", "digits", "--augment", "shift:8"],
    ["--data", "digits", "--cv-folds", "10000"],
]


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("args", REFUSED, ids=lambda a: " ".join(a[2:]))
def test_a_refused_run_leaves_no_directory(tmp_path, args):
    proc = numpynn("train", *args, "--no-report", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert _files(tmp_path) == []  # no numpynn-runs/, no run-1/
    proc = numpynn("train", *args, "--no-report", "--out", "a/b/run", cwd=tmp_path)
    assert proc.returncode == 2 and _files(tmp_path) == []  # nor a/ and a/b/


def test_directories_that_were_there_stay(tmp_path):
    (tmp_path / "numpynn-runs" / "run-1").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    assert numpynn("train", *REFUSED[0], cwd=tmp_path).returncode == 2
    assert numpynn("train", *REFUSED[0], "--out", "a/b", cwd=tmp_path).returncode == 2
    assert _files(tmp_path) == ["a", "numpynn-runs", "numpynn-runs/run-1"]


def test_remove_if_empty_stops_at_what_it_created_and_at_files(tmp_path):
    out = tmp_path / "x" / "y" / "z"
    top = first_missing(out)
    assert top == tmp_path / "x" and first_missing(tmp_path) is None
    out.mkdir(parents=True)
    (tmp_path / "x" / "keep.txt").write_text("mine")
    remove_if_empty(out, top)
    assert _files(tmp_path) == ["x", "x/keep.txt"]  # y and z removed, x holds a file
    remove_if_empty(tmp_path / "x", None)
    assert (tmp_path / "x").is_dir()
