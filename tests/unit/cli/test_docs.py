"""The docs ship inside the package and the tool points to them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from numpynn.docs_topics import read_topic, topics
from tests.clirun import REPO, numpynn, ok


def test_topics_and_the_seed_answer_on_the_first_screen():
    assert {"backprop", "gradcheck", "reliability"} <= set(topics())
    text = read_topic("backprop")
    first_screen = "\n".join(text.splitlines()[:25])
    assert "N x C" in first_screen and "dS = (P - Y) / N" in first_screen
    assert "BP1" in first_screen and "element-wise" in first_screen
    assert "Jacobian" in text and "N x 1" in text


def test_package_data_covers_every_topic():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["numpynn"]
    shipped = {p.stem for pattern in patterns for p in (REPO / "numpynn").glob(pattern)}
    assert set(topics()) <= shipped


def test_docs_command_from_an_installed_layout(tmp_path):
    # Only the package directory, as a wheel installs it: no repository docs/ around.
    site = tmp_path / "site"
    shutil.copytree(REPO / "numpynn", site / "numpynn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    run = tmp_path / "run"
    run.mkdir()
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "numpynn", "docs", "backprop"], cwd=run,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Backpropagation") and "dS = (P - Y) / N" in proc.stdout
    listing = subprocess.run([sys.executable, "-m", "numpynn", "docs"], cwd=run, env=env,
                             capture_output=True, text=True, timeout=60)
    assert "backprop" in listing.stdout and "gradcheck" in listing.stdout


def test_help_names_the_docs(tmp_path):
    assert "numpynn docs backprop" in ok(numpynn("--help", cwd=tmp_path))
    out = ok(numpynn("gradcheck", "--help", cwd=tmp_path))
    assert "numpynn docs gradcheck" in out and "numpynn docs backprop" in out


def test_unknown_topic_exits_2(tmp_path):
    proc = numpynn("docs", "nosuch", cwd=tmp_path)
    assert proc.returncode == 2 and "topics are" in proc.stderr


def test_docs_dir_points_to_the_packaged_docs():
    index = (REPO / "docs" / "README.md").read_text()
    for name in topics():
        assert f"../numpynn/docs/{name}.md" in index
        assert Path(REPO / "numpynn" / "docs" / f"{name}.md").is_file()


def _doc_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")),
            *sorted((REPO / "numpynn" / "docs").glob("*.md")),
            *sorted((REPO / "benchmarks").glob("*.md"))]


def test_every_test_the_docs_name_exists():
    """The docs cite tests as the proof of a promise (``tests/x.py::test_y``): each cited
    file and test function must exist, so a moved or renamed test cannot leave a promise
    without its proof."""
    import re

    cited = 0
    for doc in _doc_files():
        text = doc.read_text(encoding="utf-8")
        for path, name in re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", text):
            cited += 1
            source = REPO / path
            assert source.is_file(), f"{doc.name} cites {path}, which does not exist"
            if name:
                assert re.search(rf"^\s*def {name}\b", source.read_text(), re.MULTILINE), (
                    f"{doc.name} cites {path}::{name}, which {path} does not define")
    assert cited > 10


def test_the_imports_readers_of_earlier_readmes_wrote_keep_working():
    """numpynn 0.2's README imported the model file, the run and the prediction table by
    these names; they moved (numpynn.model_file, numpynn.runs) and still answer."""
    from numpynn.experiment import RunOptions, evaluation_data, run_training
    from numpynn.io import load_model, save_model
    from numpynn.model_file import load_model as moved_load_model
    from numpynn.predictions import prediction_table, write_predictions
    from numpynn.runs import RunOptions as MovedRunOptions
    from numpynn.runs import prediction_table as moved_table

    assert load_model is moved_load_model and RunOptions is MovedRunOptions
    assert prediction_table is moved_table
    assert callable(evaluation_data) and callable(run_training) and callable(save_model)
    assert callable(write_predictions)
