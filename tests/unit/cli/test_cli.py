"""End-to-end tests of the ``numpynn`` command: each runs the program's ``main(argv)`` in
this process (:mod:`tests.clirun`) in a temporary directory, as a user would; the console
script itself is run once as a real process.

The acceptance test runs ``numpynn train`` with its defaults (up to 200 epochs on digits,
early stopping on the validation loss); the
other trainings are short (``--epochs 3 --no-report``)."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import numpy as np
import pytest

from numpynn.cli.main import build_parser
from numpynn.data import load_dataset
from numpynn.model_file import load_model
from tests.clirun import numpynn, numpynn_process, ok


def printed_accuracies(stdout: str) -> dict[str, str]:
    """{'train': '99.92', 'val': ..., 'test': ...} from train's final table."""
    return dict(re.findall(r"^(train|val|test)\s+(\d+\.\d\d)%\s+\d", stdout, re.MULTILINE))


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


# --------------------------------------------------------------- the default training


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """``numpynn train`` with no arguments, in an empty directory."""
    cwd = tmp_path_factory.mktemp("cli-default")
    return cwd, ok(numpynn("train", cwd=cwd))


def test_train_with_no_arguments_reaches_97_percent(default_run):
    cwd, out = default_run
    acc = printed_accuracies(out)
    # digits' 1,437 non-test rows are below AUTO_VAL_MIN_ROWS: no validation split
    assert set(acc) == {"train", "test"}, out
    assert "1,437 train / 0 val / 360 test rows" in out
    assert float(acc["test"]) >= 97.0, out
    run = cwd / "numpynn-runs" / "run-1"
    for name in ("model.npz", "history.json", "checkpoint.npz"):
        assert (run / name).is_file(), name
        assert f"numpynn-runs/run-1/{name}" in out or name == "checkpoint.npz"
    assert (run / "report.html").is_file()
    assert "numpynn-runs/run-1/report.html" in out
    assert "200 epochs (completed 200 epochs); kept epoch 200 (last epoch, no validation " \
           "data)" in out
    assert "refit" not in out  # refit needs a validation split (and --refit)


def test_train_refit_saves_the_network_trained_on_train_and_val(tmp_path):
    out = ok(numpynn("train", "--val-fraction", "0.1", "--epochs", "3", "--hidden", "16",
                     "--refit", "--no-report", "--quiet", "--out", "run", cwd=tmp_path))
    assert set(printed_accuracies(out)) == {"train", "test"}, out
    m = re.search(r"^then refit on train \+ val \(1,437 rows\) for (\d) epochs, the count "
                  r"chosen on 180 validation rows .*; the metrics below are the refit "
                  "network's$", out, re.MULTILINE)
    assert m, out
    meta = load_model(tmp_path / "run" / "model.npz").metadata
    assert meta["refit"]["epochs"] == int(m.group(1)) == meta["best_epoch"]
    assert meta["options"]["refit"] is True
    assert meta["split_sizes"] == {"train": 1437, "val": 0, "test": 360}


def test_evaluate_prints_the_accuracy_train_printed(default_run):
    cwd, train_out = default_run
    out = ok(numpynn("evaluate", "numpynn-runs/run-1/model.npz", cwd=cwd))
    assert "(test split)" in out
    m = re.search(r"^accuracy (\d+\.\d\d)%", out, re.MULTILINE)
    assert m, out
    assert m.group(1) == printed_accuracies(train_out)["test"]
    assert "confusion matrix" in out


def test_predict_matches_the_library(default_run):
    cwd, _ = default_run
    out = ok(numpynn("predict", "numpynn-runs/run-1/model.npz", "--data", "digits", cwd=cwd))
    header, rows = read_csv(out)
    assert header == ["prediction"]
    saved = load_model(cwd / "numpynn-runs" / "run-1" / "model.npz")
    expected = saved.predict(load_dataset("digits").X)
    assert [r[0] for r in rows] == [str(v) for v in expected.tolist()]


def test_predict_proba_to_a_file(default_run):
    cwd, _ = default_run
    proc = numpynn("predict", "numpynn-runs/run-1/model.npz", "--data", "digits", "--proba",
                   "--output", "preds/p.csv", cwd=cwd)
    assert ok(proc) == ""  # the CSV went to the file
    assert "1797 predictions" in proc.stderr
    header, rows = read_csv((cwd / "preds" / "p.csv").read_text())
    assert header == ["prediction"] + [f"p_{i}" for i in range(10)]
    assert len(rows) == 1797
    probs = np.array([[float(v) for v in r[1:]] for r in rows])
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    predicted = np.array([int(r[0]) for r in rows])
    assert np.all(probs[np.arange(len(rows)), predicted] == probs.max(axis=1))


# ---------------------------------------------------------------------- CSV workflow


def test_csv_train_and_predict(tmp_path):
    ds = load_dataset("digits")
    X, labels = ds.X[:600], np.array([f"digit_{d}" for d in ds.y[:600]])
    with open(tmp_path / "train.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"px{i}" for i in range(64)] + ["label"])
        w.writerows([*(f"{v:g}" for v in row), lab] for row, lab in zip(X, labels))
    new = ds.X[1500:1540]
    np.savetxt(tmp_path / "features_only.csv", new, delimiter=",", fmt="%g")

    out = ok(numpynn("train", "--data", "train.csv", "--epochs", "3", "--no-report",
                     "--quiet", "--out", "run", cwd=tmp_path))
    # a user's file: a validation split chooses the epoch, then the saved model is fitted
    # on all 600 rows
    assert set(printed_accuracies(out)) == {"train", "test"}  # folds, no validation split
    assert "(the epoch count 3-fold cross-validation chose)" in out
    assert "saved model: fitted on every row (600: train + val + test)" in out
    assert (tmp_path / "run" / "model.npz").is_file()
    assert not (tmp_path / "run" / "report.html").exists()

    pred = ok(numpynn("predict", "run/model.npz", "--data", "features_only.csv",
                      cwd=tmp_path))
    header, rows = read_csv(pred)
    assert header == ["prediction"]
    expected = load_model(tmp_path / "run" / "model.npz").predict(new)
    assert [r[0] for r in rows] == expected.tolist()
    assert all(r[0].startswith("digit_") for r in rows)


# ------------------------------------------------------------------- help and errors


COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help(tmp_path, command):
    args = [command, "--help"] if command else ["--help"]
    out = ok(numpynn(*args, cwd=tmp_path))
    assert out.startswith("usage: numpynn")
    assert "examples" in out
    if not command:
        for name in ("train", "evaluate", "predict", "gradcheck"):
            assert name in out


def test_train_help_lists_augment(tmp_path):
    out = " ".join(ok(numpynn("train", "--help", cwd=tmp_path)).split())
    assert "--augment none|shift:S" in out
    assert "shift:S = each training image" in out and "(default none" in out


@pytest.mark.parametrize("args, words", [
    (["--augment", "shift:8"], ["--augment shift:8", "8x8", "below 8"]),
])
def test_augment_refusals_after_reading_the_data(tmp_path, args, words):
    proc = numpynn("train", *args, "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
    line, = proc.stderr.strip().splitlines()
    assert all(word in line for word in words), line
    assert not (tmp_path / "run").exists()


def test_augment_refuses_a_table(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,label\n" + "".join(
        f"{i},{i % 3},{i % 2}\n" for i in range(40)))
    proc = numpynn("train", "--data", "t.csv", "--augment", "shift:2", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line, = proc.stderr.strip().splitlines()
    assert "--augment shift:2" in line and "t.csv holds no images" in line
    assert "leave out --augment" in line


def test_gradcheck(tmp_path):
    """Every registered layer, alone and inside a network, plus the loss and MLPs."""
    from numpynn.layers import LAYERS

    out = ok(numpynn("gradcheck", cwd=tmp_path))
    n_checks = 4 + 2 * len(LAYERS) + 8  # affine/relu/affine+relu/loss, layers, MLPs
    assert f"all {n_checks} checks passed" in out
    for name in LAYERS:
        assert f"\nlayer {name}\n" in out and f"\nnetwork affine -> {name} -> affine\n" in out


@pytest.mark.parametrize("args, words", [
    (["train", "--batch-size", "0"], ["--batch-size", "0"]),
    (["evaluate", "missing.npz"], ["missing.npz", "does not exist"]),
    (["train", "--augment", "rotate:3"], ["--augment must be none, or shift:S", "rotate:3"]),
    (["train", "--augment", "shift:x"], ["--augment must be", "shift:x"]),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, words):
    proc = numpynn(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("numpynn: error:")
    for word in words:
        assert word in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_evaluate_a_model_without_recorded_data_needs_data(tmp_path):
    from numpynn import MLP
    from numpynn.model_file import SavedModel, save_model

    save_model(tmp_path / "lib.npz", SavedModel(MLP(64, [8], 10, seed=0), np.arange(10)))
    proc = numpynn("evaluate", "lib.npz", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--data" in lines[0]


def test_the_console_script_runs_as_a_real_process(tmp_path):
    """The installed ``numpynn`` (``numpynn.cli.main:run``) and ``python -m numpynn`` exit
    with main's code: 0 for help, 2 for a usage mistake said in one line."""
    import shutil

    script = shutil.which("numpynn")
    runs = [numpynn_process("--help", cwd=tmp_path), numpynn_process("train", "--hidden", "x",
                                                                     cwd=tmp_path)]
    if script:
        runs.append(subprocess.run([script, "train", "--hidden", "x"], cwd=tmp_path,
                                   capture_output=True, text=True, timeout=120))
    assert runs[0].returncode == 0 and runs[0].stdout.startswith("usage: numpynn")
    for bad in runs[1:]:
        assert bad.returncode == 2
        line, = bad.stderr.strip().splitlines()  # one line, no traceback
        assert line.startswith("numpynn: error:")
        for carried in ("--hidden", "'x'", "numpynn train --help"):  # flag, value, where
            assert carried in line, line


def test_usage_errors_name_the_command_given_to_main_not_sys_argv():
    """main(argv) called from Python (sys.argv is the caller's) names the command it got."""
    result = numpynn("search", "--trials", "0")
    assert result.returncode == 2
    assert "see 'numpynn search --help'" in result.stderr


def test_the_package_lists_exactly_what_it_exports():
    """``numpynn.__all__`` (written out for tools) and the lazily imported names agree."""
    import numpynn

    assert set(numpynn.__all__) == {*numpynn._PUBLIC, "__version__"}
    for name in numpynn.__all__:
        assert getattr(numpynn, name) is not None


def test_numpynn_explain_stays_the_function_once_its_module_is_imported():
    import numpynn
    import numpynn.explanation

    assert numpynn.explain is numpynn.explanation.explain
