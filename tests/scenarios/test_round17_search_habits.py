"""numpynn search in the workflows of its users (round 17): a project folder moved with
its data and search, a data set too small for a search's split, other tuners' flags, a
search whose every trial diverged, its table opened in a spreadsheet. Each test failed
before its fix."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from tests.clirun import numpynn


def _table(path, rows: int = 90) -> str:
    rng = np.random.default_rng(0)
    with open(path, "w") as fh:
        fh.write("a,b,c,y\n")
        for x in rng.normal(size=(rows, 3)):
            fh.write(",".join(f"{v:.4f}" for v in x) + f",{'yes' if x[0] > 0 else 'no'}\n")
    return str(path)


ARGS = ("search", "--data", "t.csv", "--grid", "--hidden", "4", "--lr", "0.01,0.02",
        "--reg", "0", "--epochs", "1", "--seed", "3", "--no-report", "--quiet",
        "--out", "s")


def test_a_search_moved_with_its_data_resumes_given_the_datas_new_place(tmp_path):
    """A project folder (data + search) moved elsewhere could not be resumed: "CSV file
    not found: /old/t.csv", and --data with --resume was refused as a change of
    settings. Now the missing file is named with the way on, --data NEW resumes when
    it holds the same rows (and is recorded), and a file of other rows is refused."""
    old = tmp_path / "old"
    old.mkdir()
    _table(old / "t.csv")
    assert numpynn(*ARGS, cwd=old).returncode == 0
    lines = (old / "s" / "trials.jsonl").read_text().splitlines()
    (old / "s" / "trials.jsonl").write_text(lines[0] + "\n")  # as if interrupted
    shutil.rmtree(old / "s" / "best")
    new = tmp_path / "new"
    old.rename(new)

    lost = numpynn("search", "--resume", "s", "--no-report", cwd=new)
    assert lost.returncode == 2 and "Traceback" not in lost.stderr
    assert "is no longer there" in lost.stderr and "--data" in lost.stderr, lost.stderr

    _table(new / "other.csv", rows=80)
    other = numpynn("search", "--resume", "s", "--data", "other.csv", "--no-report",
                    cwd=new)
    assert other.returncode == 2 and "holds other rows" in other.stderr, other.stderr

    done = numpynn("search", "--resume", "s", "--data", "t.csv", "--no-report", "--quiet",
                   cwd=new)
    assert done.returncode == 0, done.stderr
    assert len((new / "s" / "trials.jsonl").read_text().splitlines()) == 2
    settings = json.loads((new / "s" / "search.json").read_text())
    assert settings["options"]["data"] == str(new / "t.csv")
    assert str(new / "t.csv") in done.stdout


@pytest.mark.parametrize("flags,said", [
    (("--space", "space.json"), "takes its space as flags"),
    (("--param-grid", "grid.json"), "json.load(open('space.json'))"),
    (("--max-evals", "20"), "--trials"),
    (("--num-samples", "20"), "--trials"),
    (("--cv", "5"), "one validation split"),
    (("--metric", "f1"), "ranks its trials by validation accuracy"),
    (("--scoring", "r2"), "no flag changes it"),
])
def test_other_tuners_flags_are_answered_with_numpynn_searchs_way(tmp_path, flags, said):
    """--space s.json was answered "did you mean --pack?", --metric with train's
    --select, --max-evals, --num-samples and --cv with nothing at all."""
    result = numpynn("search", *flags, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert said in line and "--pack" not in line and "--select" not in line, line


def test_a_search_on_few_rows_per_class_suggests_only_parts_a_search_can_drop(tmp_path):
    """A search on 2 rows per class was told to "set --val-fraction or --test-fraction
    to 0", and --val-fraction 0 was then refused (a search ranks on its validation
    rows); it is told to drop the test part only, which then runs."""
    with open(tmp_path / "tiny.csv", "w") as fh:
        fh.write("a,b,y\n")
        for c in range(2):
            for k in range(4 if c else 2):
                fh.write(f"{c + 0.1 * k},{k},c{c}\n")
    args = ("search", "--data", "tiny.csv", "--trials", "1", "--epochs", "1", "--hidden",
            "4", "--no-report", "--quiet", "--out", "s")
    first = numpynn(*args, cwd=tmp_path)
    assert first.returncode == 2 and "Traceback" not in first.stderr
    line = first.stderr.strip().splitlines()[-1]
    assert "--val-fraction or" not in line and "set --test-fraction to 0" in line, line
    then = numpynn(*args, "--test-fraction", "0", "--val-fraction", "0.5", cwd=tmp_path)
    assert then.returncode == 0, then.stderr


def test_a_search_whose_every_trial_diverged_says_which_rates_to_lower(tmp_path):
    """"every trial failed (2 trials; first: diverged)" said nothing of the cause (the
    learning rates tried) nor of what to change, nor where the rows were kept."""
    _table(tmp_path / "t.csv")
    result = numpynn("search", "--data", "t.csv", "--grid", "--lr", "1e6,1e7", "--reg", "0",
                     "--optimizer", "sgd", "--hidden", "4", "--epochs", "2", "--no-report",
                     "--quiet", "--out", "s", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert "all diverged" in line and "1e+06 to 1e+07" in line and "--lr" in line, line
    assert "s/results.csv" in line


def test_evaluate_of_a_best_model_without_test_rows_says_why_there_are_none(tmp_path):
    """Was "... had no test split (0 rows; small tables get no validation split by
    default)": the reason of another split."""
    _table(tmp_path / "t.csv")
    assert numpynn(*ARGS, "--test-fraction", "0", cwd=tmp_path).returncode == 0
    result = numpynn("evaluate", "s/best", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "had no test split (0 rows: --test-fraction 0)" in result.stderr
    assert "small tables" not in result.stderr


@pytest.mark.parametrize("hidden,said", [(["8,4"], True), (["8", "4"], False),
                                         (["8", "8,4"], False)])
def test_one_comma_list_of_hidden_sizes_is_said_to_be_one_architecture(tmp_path, hidden,
                                                                       said):
    """--hidden 64,128,256,512 (written as the other options' lists) searched one network
    of four layers in silence; widths one by one are separated by spaces."""
    _table(tmp_path / "t.csv")
    argv = [*ARGS[:5], *hidden, *ARGS[6:]]
    result = numpynn(*argv, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    note = "--hidden 8,4 is one architecture of 2 hidden layers (8, 4); to try widths one"
    assert (note in result.stderr) is said
