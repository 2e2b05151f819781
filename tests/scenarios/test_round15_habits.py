"""Habits of other tools' users and bad inputs, round 7 of the probes (branch habits7).

Each case failed on the code before it: a traceback, a silent other meaning (``--hidden
"128 64"`` trained one layer of 12864 units, ``--weight 1e-4`` set the initial weights'
spread, ``--out '$PWD/run'`` made a directory named ``$PWD``, ``--label-column`` with an
.npz was ignored, ``evaluate`` of a run whose data file grew scored other rows as its
"test split"), a vague or wrong hint (``numpynn --data x.csv train``: "did you mean
numpynn data?", ``--l2``: "did you mean --lr?"), or a refusal of what is the same
(``train --resume RUN`` with the run's own options given again).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.clirun import REPO, numpynn, numpynn_process, ok


def _table(path, rows=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 3))
    lines = ["a,b,c,label"] + [f"{x[0]:.3f},{x[1]:.3f},{x[2]:.3f},{'yes' if x[0] > 0 else 'no'}"
                               for x in X]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def table(tmp_path):
    return _table(tmp_path / "t.csv")


def _refused(tmp_path, *argv, said: str, made=("t.csv",)):
    result = numpynn(*argv, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert said in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(made)  # nothing made
    return result.stderr


@pytest.mark.parametrize("argv,said", [
    # sizes with another separator than the comma: "128 64" was one layer of 12864
    (["--hidden", "128 64"], "expected sizes separated by commas, got '128 64'; one size per "
     "hidden layer is written 128,64"),
    (["--hidden", "[128  64]"], "is written 128,64"),  # numpy's print of an array
    (["--hidden", "128x64"], "is written 128,64"),
    (["--hidden", "128-64-32"], "is written 128,64,32"),
    (["--hidden", "128;64"], "is written 128,64"),
    # a share written as a percentage
    (["--val-fraction", "20%"], "(a percentage: numpynn takes the share as a number, 20% is "
     "0.2)"),
    (["--dropout", "50%"], "50% is 0.5"),
    # a flag's start that other tools mean otherwise: --weight was --weight-scale
    (["--weight", "1e-4"], "argument --weight: not a flag of numpynn train, and not read as "
     "the start of one, as other tools mean other things by it: --weight-scale is the "
     "initial weights' spread; weight decay (L2) is --reg, class weights --class-weight"),
    (["--weight=1e-4"], "weight decay (L2) is --reg"),
    # other tools' flags
    (["--l2", "1e-4"], "unrecognized arguments: --l2 1e-4; numpynn's flag for it is --reg"),
    (["--lambda", "1"], "numpynn's flag for it is --reg"),
    (["--reg-lambda", "1"], "numpynn's flag for it is --reg"),
    (["--eta", "0.1"], "--eta is an option of numpynn search, not of numpynn train (XGBoost's "
     "eta, the learning rate, is --lr)"),
    (["--num-boost-round", "10"], "numpynn's flag for it is --epochs"),
    (["--n-estimators", "10"], "numpynn's flag for it is --epochs"),
    (["--early-stopping-rounds", "5"], "numpynn's flag for it is --patience"),
    (["--nthread", "2"], "numpynn's flag for it is --jobs, an option of numpynn search"),
    # Weka's one-letter options
    (["-x", "10"], "Weka's -x N (N-fold cross-validation) is --cv-folds N"),
    (["-c", "last"], "Weka's -c N (the class attribute, counted from 1; 'last') is "
     "--label-column INDEX"),
    (["-t", "t.csv"], "Weka's -t FILE (the training file) is --data FILE"),
    # other tools' values
    (["--activation", "linear"], "Keras' linear activation is numpynn's identity"),
    (["--activation", "swish"], "numpynn has no swish/SiLU; gelu is the nearest"),
    (["--activation", "softmax"], "softmax is the output of every classifier already"),
    (["--weight-scale", "xavier"], "(Keras' and PyTorch's Glorot/Xavier scheme is numpynn's "
     "glorot)"),
    (["--weight-scale", "he_normal"], "He/Kaiming scheme is numpynn's he"),
    (["--reg", "none"], "got 'none'; no L2 is --reg 0"),
    (["--reg", "l2"], "numpynn's regularisation is L2 only: give its strength"),
    (["--schedule", "exponential"], "--schedule step with --lr-decay F multiplies the rate"),
    (["--norm", "bn"], "; --norm batch"),
    (["--select", "val_loss"], "--select loss (Keras' monitor='val_loss')"),
    (["--class-weight", "auto"], "--class-weight balanced (scikit-learn's"),
    (["--final-fit", "true"], "--final-fit all"),
    (["--task", "reg:squarederror"], "--task regression (its loss is squared error)"),
    (["--task", "multi:softprob"], "--task classification"),
    # a switch given a value
    (["--refit", "true"], "unrecognized arguments: true; --refit is a switch, which takes "
     "no value: give --refit alone"),
    (["--quiet", "0"], "--quiet is a switch, which takes no value: to leave it off, leave "
     "--quiet out"),
    # the shell's end of options, a JSON habit
    (["--", "--epochs", "1"], "'--' ends the options, and numpynn train takes no arguments "
     "after it: leave it out"),
    (["--json"], "numpynn train writes its results as JSON into --out: history.json"),
    (["--version"], "unrecognized arguments: --version; the version is numpynn's own "
     "option, before any command: numpynn --version"),
])
def test_a_train_habit_of_another_tool_is_answered_with_numpynns_way(tmp_path, table, argv,
                                                                     said):
    _refused(tmp_path, "train", "--data", "t.csv", *argv, said=said)


@pytest.mark.parametrize("argv,said", [
    (["--lr", "1e-3..1e-2"], "argument --lr: --lr writes a range as LOW:HIGH, sampled "
     "log-uniformly (a grid search takes --grid-points values from it): --lr 1e-3:1e-2"),
    (["--lr", "1e-3-1e-2"], "--lr 1e-3:1e-2"),
    (["--lr", "1e-3...1e-2"], "--lr 1e-3:1e-2"),
    (["--reg", "1e-5 to 1e-3"], "--reg 1e-5:1e-3"),
    (["--epochs", "2:10"], "argument --epochs: got '2:10', a range; only --lr and --reg take a "
     "LOW:HIGH range: give the values of --epochs to try as a comma list, e.g. --epochs 2,10"),
    (["--batch-size", "32..128"], "give the values of --batch-size to try as a comma list, "
     "e.g. --batch-size 32,128"),
    (["--dropout", "0:0.5"], "e.g. --dropout 0,0.5"),
    (["--optimizer", "adam", "sgd"], "unrecognized arguments: sgd; --optimizer takes one comma "
     "list of the values to try: --optimizer adam,sgd"),
    (["--hidden", "128 64"], "one size per hidden layer is written 128,64"),
    (["--schedule", "cosine"], "--scheduler is the address of a Dask cluster; the "
     "learning-rate schedule, --schedule, is an option of numpynn train"),
    (["--json"], "results.json (every trial, best first)"),
])
def test_a_search_habit_of_another_tool_is_answered_with_numpynns_way(tmp_path, table, argv,
                                                                      said):
    _refused(tmp_path, "search", "--data", "t.csv", *argv, said=said)


def test_a_python_list_of_search_values_is_the_list(tmp_path, table):
    out = ok(numpynn("search", "--data", "t.csv", "--trials", "2", "--epochs", "1", "--quiet",
                     "--lr", "[1e-3, 1e-2]", "--reg", "(0,1e-4)", "--out", "s", cwd=tmp_path))
    assert "2 trials" in out
    rows = json.loads((tmp_path / "s" / "results.json").read_text())
    rows = rows["trials"] if isinstance(rows, dict) else rows
    assert {r["lr"] for r in rows} <= {1e-3, 1e-2} and {r["reg"] for r in rows} <= {0, 1e-4}


@pytest.mark.parametrize("argv,said", [
    (["--quiet", "train", "--data", "t.csv"], "--quiet: options come after the command, and "
     "numpynn's own options are only --help and --version; write: numpynn train --quiet "
     "--data t.csv"),
    # the value was taken for the command: "invalid choice: 't.csv' ... did you mean data?"
    (["--data", "t.csv", "train", "--epochs", "1"], "--data t.csv: options come after the "
     "command, and numpynn's own options are only --help and --version; write: numpynn "
     "train --data t.csv --epochs 1"),
    (["--data", "data", "train"], "write: numpynn train --data data"),
])
def test_options_before_the_command_are_answered_with_the_command_first(tmp_path, table,
                                                                         argv, said):
    stderr = _refused(tmp_path, *argv, said=said)
    assert "did you mean" not in stderr


@pytest.mark.parametrize("argv,said", [
    (["train", "--data", "$PWD/t.csv"], "argument --data: '$PWD/t.csv' holds $PWD, which no "
     "shell expanded (the path written in single quotes, or read from a file?); here $PWD "
     "is "),
    (["train", "--data", "${NUMPYNN_PROBE_UNSET}/t.csv"], "${NUMPYNN_PROBE_UNSET} is not set "
     "here: give the path written out"),
    (["train", "--data", "t.csv", "--out", "$PWD/run"], "argument --out: '$PWD/run' holds "
     "$PWD, which no shell expanded"),
    (["predict", "$HOME/run", "--data", "t.csv"], "argument model: '$HOME/run' holds $HOME"),
    (["train", "--data", "%USERPROFILE%/t.csv"], "holds %USERPROFILE%, which no shell "
     "expanded"),
    (["train", "--data", ""], "argument --data: empty data spec '': give a data file, a "
     "folder or a data set's name such as digits (an unset shell variable expands to "
     "nothing)"),
])
def test_a_path_with_a_variable_no_shell_expanded_is_named_so(tmp_path, table, argv, said,
                                                              monkeypatch):
    monkeypatch.delenv("NUMPYNN_PROBE_UNSET", raising=False)
    _refused(tmp_path, *argv, said=said)  # and no directory named $PWD made


def test_a_path_that_holds_a_dollar_sign_and_exists_is_that_path(tmp_path):
    _table(tmp_path / "$t.csv")
    ok(numpynn("train", "--data", "$t.csv", "--epochs", "1", "--quiet", "--out", "r",
               cwd=tmp_path))


@pytest.mark.parametrize("data,flags,said", [
    ("x.npz", ["--label-column", "2"], "--label-column reads the columns of a CSV file, and "
     "--data x.npz is an .npz file (its arrays are the features and the labels), so it "
     "would be ignored: leave it out, or give the data as a CSV file."),
    ("x.npz", ["--ignore-columns", "0,1", "--delimiter", ";"], "--ignore-columns, --delimiter "
     "read the columns of a CSV file"),
    ("digits", ["--label-column", "a"], "--data digits is the data set digits (its features "
     "and labels are fixed)"),
    ("digits", ["--header", "no"], "--header reads the columns of a CSV file"),
    ("digits", ["--impute", "none"], "--impute reads the columns of a CSV file"),
])
@pytest.mark.parametrize("command", ["train", "search"])
def test_table_options_for_data_that_is_no_table_are_refused_not_ignored(tmp_path, command,
                                                                        data, flags, said):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "x.npz", X=rng.normal(size=(40, 4)), y=np.arange(40) % 2)
    result = numpynn(command, "--data", data, *flags, "--epochs", "1", "--out", "o",
                     cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv,said", [
    (["data", "download", "digits"], "digits is bundled with numpynn (scikit-learn's 8x8 "
     "digits): there is nothing to download; --data digits reads it"),
    (["data", "download", "cifar100"], "give --data cifar100:DIR"),
    (["gradcheck", "--file", "."], "--file .: a directory, not a file; give the path of your "
     "layers .py file."),
])
def test_other_commands_say_what_is_wrong(tmp_path, argv, said):
    result = numpynn(*argv, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr


def test_a_docs_topic_in_other_letter_case_is_the_topic(tmp_path):
    assert ok(numpynn("docs", "BACKPROP", cwd=tmp_path)).startswith("# Backprop")
    assert ok(numpynn("docs", "Backprop.MD", cwd=tmp_path)).startswith("# Backprop")


def test_evaluating_a_run_whose_data_file_changed_refuses_its_split(tmp_path, table):
    ok(numpynn("train", "--data", "t.csv", "--epochs", "2", "--quiet", "--out", "run",
               cwd=tmp_path))
    before = ok(numpynn("evaluate", "run", cwd=tmp_path))
    assert "(test split)" in before
    with table.open("a") as f:  # 30 more rows: the re-created "test split" is other rows
        f.write("".join(table.read_text().splitlines(keepends=True)[1:31]))
    result = numpynn("evaluate", "run", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert ("changed since the model was trained: its split now has 120 train / 0 val / 30 "
            "test rows, the training run's had 96 train / 0 val / 24 test rows, so the "
            "--split test rows are not the run's") in result.stderr, result.stderr
    assert "--split all" in result.stderr
    assert numpynn("evaluate", "run", "--split", "train", cwd=tmp_path).returncode == 2
    assert "(all split)" in ok(numpynn("evaluate", "run", "--split", "all", cwd=tmp_path))


def test_resume_takes_the_runs_own_options_given_again(tmp_path, table):
    first = ["train", "--data", "t.csv", "--hidden", "8", "--lr", "0.01", "--out", "run",
             "--quiet"]
    ok(numpynn(*first, "--epochs", "2", cwd=tmp_path))
    # the same command line with --resume added (Lightning's habit): the options are the
    # run's, so nothing changes but the epochs
    out = ok(numpynn(*first, "--epochs", "4", "--resume", "run", cwd=tmp_path))
    assert "4 epochs" in out
    ok(numpynn("train", "--data", "./t.csv", "--out", "run/", "--resume", "run", "--epochs",
               "5", "--quiet", cwd=tmp_path))
    changed = numpynn("train", "--resume", "run", "--lr", "0.02", "--hidden", "8",
                      "--epochs", "6", cwd=tmp_path)
    assert changed.returncode == 2
    assert "; --lr cannot be changed (only --epochs and --patience can)" in changed.stderr


def test_a_finished_search_and_its_best_model_say_what_they_are(tmp_path, table):
    search = ["search", "--data", "t.csv", "--trials", "1", "--epochs", "1", "--quiet"]
    ok(numpynn(*search, cwd=tmp_path))
    again = numpynn(*search, cwd=tmp_path)  # the same command again, the default --out
    assert again.returncode == 2
    assert ("numpynn-search already holds a search, finished (1 trials; its best model is "
            "numpynn-search/best/model.npz); a new search needs another --out, which keeps "
            "this one's results.") in again.stderr, again.stderr
    resumed = numpynn("train", "--resume", "numpynn-search/best", cwd=tmp_path)
    assert resumed.returncode == 2
    assert ("numpynn-search/best holds the best model of the search in numpynn-search, which "
            "keeps no checkpoint, so it cannot be resumed") in resumed.stderr, resumed.stderr
    assert "Start a run with 'numpynn train --out DIR' first" not in resumed.stderr


def test_a_model_without_its_checkpoint_says_it_cannot_be_resumed(tmp_path, table):
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--quiet", "--out", "run",
               cwd=tmp_path))
    (tmp_path / "run" / "checkpoint.npz").unlink()
    result = numpynn("train", "--resume", "run", cwd=tmp_path)
    assert result.returncode == 2
    assert "run holds a model (model.npz) but no checkpoint.npz to resume from" in \
        result.stderr, result.stderr


def test_data_on_standard_input_without_data_says_to_give_the_file(tmp_path, table):
    """``numpynn predict MODEL < new.csv``: a real process, as the point is the redirect."""
    ok(numpynn("train", "--data", "t.csv", "--epochs", "1", "--quiet", "--out", "run",
               cwd=tmp_path))
    with table.open() as stdin:
        proc = numpynn_process("predict", "run", cwd=tmp_path, stdin=stdin)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert ("the following arguments are required: --data; numpynn reads no data from "
            "standard input") in proc.stderr, proc.stderr
    proc = numpynn_process("predict", "run", cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert "standard input" not in proc.stderr  # no input given: nothing to say of it


def test_the_console_script_puts_options_before_the_command_in_order(tmp_path, table):
    """Through ``python -m numpynn``, as a shell runs it."""
    proc = subprocess.run([sys.executable, "-m", "numpynn", "--quiet", "train"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 2
    assert "write: numpynn train --quiet" in proc.stderr, proc.stderr


def test_names_with_percent_signs_and_brackets_are_names(tmp_path, table):
    """The review's cases: an output named 'res_50%_80%' (no variable a shell expands) was
    refused as an unexpanded %VAR%, a column named '(Intercept)' lost its brackets in
    --ignore-columns, and --epochs 20% was said to be 0.2."""
    from numpynn.cli.common import column_list, unexpanded_variable

    assert unexpanded_variable("res_50%_80%") is None
    assert unexpanded_variable("caf%C3%A9") is None
    assert "%USERPROFILE%" in str(unexpanded_variable("%USERPROFILE%/data.csv"))
    assert column_list("(Intercept),[mm]") == ["(Intercept)", "[mm]"]
    result = numpynn("train", "--data", "t.csv", "--epochs", "20%", cwd=tmp_path)
    assert result.returncode == 2 and "is 0.2" not in result.stderr
    result = numpynn("train", "--data", "t.csv", "--val-fraction", "20%", cwd=tmp_path)
    assert result.returncode == 2 and "20% is 0.2" in result.stderr
