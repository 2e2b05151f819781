"""numpynn search given what users of other tuners type (round 16): the same command
again with ``--resume`` added, as Optuna's ``load_if_exists`` or Ray Tune's
``resume=True`` take the study's own configuration. Each test failed before its fix."""

from __future__ import annotations

import numpy as np
import pytest

from tests.clirun import numpynn


def _table(path) -> str:
    rng = np.random.default_rng(0)
    with open(path, "w") as fh:
        fh.write("a,b,c,y\n")
        for x in rng.normal(size=(90, 3)):
            fh.write(",".join(f"{v:.4f}" for v in x) + f",{'yes' if x[0] > 0 else 'no'}\n")
    return str(path)


ARGS = ("search", "--data", "t.csv", "--grid", "--hidden", "4", "--lr", "0.01,0.02",
        "--reg", "0", "--epochs", "1", "--seed", "3", "--no-report", "--quiet",
        "--out", "s")


def test_the_same_command_with_resume_added_resumes(tmp_path):
    """Repeating the search's own options with --resume was refused: "--data, --epochs,
    --hidden, --lr, ... cannot be changed", though none was changed."""
    _table(tmp_path / "t.csv")
    first = numpynn(*ARGS, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = numpynn(*ARGS, "--resume", "s", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already finished" in again.stdout


@pytest.mark.parametrize("flag,value", [("--lr", "0.03"), ("--seed", "4"),
                                        ("--epochs", "2"), ("--out", "elsewhere")])
def test_resume_names_only_the_options_that_differ(tmp_path, flag, value):
    """An option that differs is still refused, and it alone is named."""
    _table(tmp_path / "t.csv")
    assert numpynn(*ARGS, cwd=tmp_path).returncode == 0
    args = list(ARGS)
    args[args.index(flag) + 1] = value
    result = numpynn(*args, "--resume", "s", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert f"; {flag} cannot be changed" in line, line  # the one option, not all the given ones
