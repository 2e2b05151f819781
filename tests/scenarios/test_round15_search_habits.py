"""numpynn search and ensembles given what users of other tools type: options the task or
the search cannot honour, grids written in other tools' syntax, halving with too little
to halve, directories left by a search that ran nothing, damaged trial logs. Each test
failed before its fix (the option ignored in silence, a vague or wrong message, a
traceback, a directory that refused the same command again)."""

from __future__ import annotations

import inspect
import json
import types

import numpy as np
import pytest

from numpynn.errors import InputError
from numpynn.runs.run import RunOptions
from numpynn.search import SearchSpace, search
from numpynn.search.results import read_log, read_trials
from numpynn.tasks import task_named
from tests.clirun import numpynn

TINY = {"hidden": [(4,)], "epochs": [1], "batch_size": [64], "lr": [0.01], "reg": [0.0],
        "optimizer": ["adam"]}


def _table(path, regression: bool = False, rows: int = 90):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 3))
    with open(path, "w") as fh:
        fh.write("a,b,c,y\n")
        for x in X:
            y = f"{x @ [1.0, -2.0, 0.5]:.4f}" if regression else ("yes" if x[0] > 0 else "no")
            fh.write(",".join(f"{v:.4f}" for v in x) + f",{y}\n")
    return str(path)


# ----------------------------------------------------------- options a search ignored
@pytest.mark.parametrize("regression,kwargs,param", [
    (True, {"class_weight": "balanced"}, "class_weight"),  # trained unweighted, no word
    (False, {"target_transform": "log"}, "target_transform"),  # + a nonsense refit note
    (False, {"augment": "shift:1"}, "augment"),  # failed every trial, one by one
    (False, {"refit": True}, "refit"),  # the search's refit is refit_best
    (False, {"cv_folds": 3}, "cv_folds"),  # trials rank on the validation split
])
def test_search_refuses_options_it_would_ignore_before_any_trial(tmp_path, regression,
                                                                 kwargs, param):
    """``numpynn train`` refuses class weights for a regression and a target transform
    for a classification; a search trained with the option left out and said nothing
    (a classification's then printed "no refit: a classification search keeps its best
    trial's network ...; refitting on train + validation is for classification")."""
    data = _table(tmp_path / "t.csv", regression)
    out = tmp_path / "s"
    with pytest.raises(InputError) as info:
        search(RunOptions(data=data, **kwargs), TINY, mode="grid", out=out, report=False)
    assert info.value.param == param
    assert not out.exists()  # refused before the directory was made


def test_cli_search_takes_class_weight_that_its_imbalance_note_names(tmp_path):
    """The note on imbalanced classes said "--class-weight balanced weighs every class
    alike", a flag numpynn search refused ("--class-weight is an option of numpynn
    train, not of numpynn search")."""
    rng = np.random.default_rng(1)
    with open(tmp_path / "imb.csv", "w") as fh:
        fh.write("a,b,y\n")
        for i in range(120):
            x = rng.normal(size=2)
            fh.write(f"{x[0]:.4f},{x[1]:.4f},{'rare' if i % 10 == 0 else 'common'}\n")
    args = ("search", "--data", "imb.csv", "--grid", "--hidden", "4", "--lr", "0.01",
            "--reg", "0", "--epochs", "1", "--no-report", "--quiet")
    plain = numpynn(*args, "--out", "a", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "--class-weight balanced" in plain.stdout  # the note names the flag ...
    weighted = numpynn(*args, "--out", "b", "--class-weight", "balanced", cwd=tmp_path)
    assert weighted.returncode == 0, weighted.stderr  # ... which the search takes
    stored = json.loads((tmp_path / "b" / "search.json").read_text())
    assert stored["options"]["class_weight"] == "balanced"


def test_refit_refusal_names_the_option_not_the_task():
    from numpynn.search.runner import refit_refusal

    splits = types.SimpleNamespace(X_val=np.zeros((5, 2)), task=task_named("classification"))
    note = refit_refusal(RunOptions(target_transform="log"), splits)
    assert "is for classification" not in note and "target_transform" in note
    splits.task = task_named("regression")
    assert "refitting on train + validation is for classification" in refit_refusal(
        RunOptions(), splits)


def test_eta_without_halving_is_refused_as_the_cli_refuses_it():
    """search(eta=2) without halving ran a plain search; numpynn search --eta without
    --halving is refused."""
    with pytest.raises(InputError, match="add `halving=True`") as info:
        search(RunOptions(), TINY, mode="grid", eta=2, out=None)
    assert info.value.param == "eta"
    with pytest.raises(InputError, match="halving factor"):
        search(RunOptions(), TINY, mode="grid", eta=1, out=None)


def test_reg_auto_in_the_options_suggests_a_space_the_search_takes():
    """The message said "Give it in the space instead, e.g. {'reg': ['auto']}", a space
    SearchSpace refuses ('auto' is no number)."""
    with pytest.raises(InputError) as info:
        search(RunOptions(reg="auto"), {"lr": [0.01]}, mode="grid", out=None)
    text = str(info.value)
    assert "['auto']" not in text and "LogUniform(1e-6, 1e-2)" in text
    SearchSpace(reg=[1e-4, 3e-3, 3e-2])  # what it suggests is a space


def test_a_dict_grid_takes_the_default_grid_for_the_fields_it_leaves_out(monkeypatch):
    """search(space={"hidden": [(8,), (16,)]}, mode="grid") planned 162 trials (the random
    space's 3 batch sizes, 3 optimisers and 3 log-spaced lr and reg values) where
    numpynn search --grid --hidden 8 16 plans 18 (the default grid's)."""
    from numpynn.cli.main import build_parser
    from numpynn.cli.search_cmd import _space

    seen = {}

    def stop(space, mode, *args):
        seen[mode] = space
        raise KeyboardInterrupt  # no training

    monkeypatch.setattr("numpynn.search.runner._check_search_size", stop)
    with pytest.raises(KeyboardInterrupt):
        search(RunOptions(), {"hidden": [(8,), (16,)], "epochs": [1]}, mode="grid", out=None)
    args = build_parser(["search"]).parse_args(
        ["search", "--grid", "--hidden", "8", "16", "--epochs", "1"])
    assert seen["grid"] == _space(args)
    assert seen["grid"].grid_size() == 18
    with pytest.raises(KeyboardInterrupt):  # random mode: as before, the fields' defaults
        search(RunOptions(), {"hidden": [(8,)]}, trials=2, out=None)
    assert seen["random"] == SearchSpace(hidden=[(8,)])


# ------------------------------------------------------------------------- halving
def test_halving_with_one_rung_says_it_ran_a_plain_search():
    """--halving with 2 trials (eta 3) ran one rung: a plain search, said only by the
    summary line "rung 0: 2 trials x 20 epochs"."""
    space = {**TINY, "lr": [0.01, 0.02]}
    result = search(RunOptions(), space, mode="grid", halving=True, out=None)
    assert any("ran one rung" in n and "2 trials" in n and "smallest epoch count of 1" in n
               for n in result.notes)
    four = search(RunOptions(), {**TINY, "lr": [0.01, 0.02, 0.03, 0.04], "epochs": [4]},
                  mode="grid", halving=True, eta=2, out=None)
    assert "rung 1" in four.halving and not any("one rung" in n for n in four.notes)


# ------------------------------------------------------------------ the CLI's values
@pytest.mark.parametrize("given,said", [
    (["--lr", "loguniform(1e-4,1e-2)"], "--lr 1e-4:1e-2"),  # scipy, Optuna, Ray Tune
    (["--lr", "1e-4..1e-2"], "--lr 1e-4:1e-2"),
    (["--reg", "0:1e-2"], "LOW must be above 0"),  # a log range cannot start at 0
    (["--reg", "1e-6:1e-2:5"], "--grid-points N"),
    (["--epochs", "10:50"], "only --lr and --reg take a LOW:HIGH range"),
    (["--batch-size", "32:128"], "--batch-size 32,128"),
    (["--dropout", "0:0.5"], "only --lr and --reg"),
    (["--grid", "lr=1e-3,1e-2"], "numpynn takes options as flags: --lr 1e-3,1e-2"),
    (["learning_rate=1e-3", "n_trials=5"], "flags: --lr 1e-3 --trials 5"),
    (["--grid-points", "5"], "a random search samples a LOW:HIGH range"),
    (["--grid", "--grid-points", "5"], "this grid has no range"),
])
def test_cli_grid_values_in_other_tools_syntax_are_answered_in_numpynns(tmp_path, given,
                                                                        said):
    result = numpynn("search", *given, "--out", "s", cwd=tmp_path)
    assert result.returncode == 2
    assert said in result.stderr, result.stderr
    assert not (tmp_path / "s").exists()


def test_cli_lists_in_brackets_are_lists_as_for_hidden():
    """--hidden took [256,128] and (100,); --lr [1e-3,1e-2] was "expected a positive
    number, got '[1e-3'"."""
    from numpynn.cli.main import build_parser

    args = build_parser(["search"]).parse_args(
        ["search", "--lr", "[1e-3, 1e-2]", "--batch-size", "(32,64)", "--epochs", "[5]",
         "--optimizer", "[adam,sgd]", "--dropout", "(0,0.1)"])
    assert args.lr == (1e-3, 1e-2) and args.batch_size == (32, 64) and args.epochs == (5,)
    assert args.optimizer == ("adam", "sgd") and args.dropout == (0.0, 0.1)


# ---------------------------------------------------------------- the output directory
def test_a_search_that_finished_nothing_does_not_block_the_same_command(tmp_path,
                                                                        monkeypatch):
    """A search stopped before its first trial (a Dask scheduler that was down, Ctrl-C
    while the data loaded) left search.json and an empty trials.jsonl; the same command
    again was refused: "already holds a search (0 finished trials)"."""
    out = tmp_path / "s"
    real = inspect.unwrap(search).__globals__["_run_search"]  # (search is wrapped)
    monkeypatch.setattr("numpynn.search.runner._run_search",
                        lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        search(RunOptions(), TINY, mode="grid", out=out, report=False)
    assert (out / "search.json").is_file() and read_trials(out / "trials.jsonl") == []
    monkeypatch.setattr("numpynn.search.runner._run_search", real)
    result = search(RunOptions(), {**TINY, "lr": [0.02]}, mode="grid", out=out, report=False)
    assert [r["lr"] for r in result.rows] == [0.02]  # the new settings, recorded
    assert json.loads((out / "search.json").read_text())["space"]["lr"] == [0.02]
    with pytest.raises(InputError, match=r"already holds a search, finished \(1 trials"):
        search(RunOptions(), TINY, mode="grid", out=out, report=False)  # kept: it has one


def test_cli_interrupted_before_any_trial_names_no_file_it_did_not_write(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr("numpynn.search.runner._run_search",
                        lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    result = numpynn("search", "--grid", "--hidden", "4", "--lr", "0.01", "--reg", "0",
                     "--epochs", "1", "--out", "s", cwd=tmp_path)
    assert result.returncode == 130
    assert "before any trial finished" in result.stderr
    assert "results.csv" not in result.stderr and not (tmp_path / "s" / "results.csv").exists()


def test_a_damaged_trial_row_is_skipped_and_rerun_not_a_traceback(tmp_path):
    """A line of trials.jsonl that is valid JSON but no trial row ("val_score": "high")
    made every later read of the table raise TypeError in the ranking."""
    out = tmp_path / "s"
    search(RunOptions(), {**TINY, "lr": [0.01, 0.02]}, mode="grid", out=out, report=False)
    rows = [json.loads(line) for line in (out / "trials.jsonl").read_text().splitlines()]
    bad = {**rows[1], "val_score": "high"}
    (out / "trials.jsonl").write_text(json.dumps(rows[0]) + "\n" + json.dumps(bad) + "\n")
    assert [r["trial"] for r in read_log(out / "trials.jsonl")] == [0]
    (out / "best" / "model.npz").unlink()
    result = numpynn("search", "--resume", out, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [r["trial"] for r in read_trials(out / "trials.jsonl")] == [0, 1]


def test_a_row_with_a_nan_score_ranks_last_not_first():
    from numpynn.search.results import ranked

    rows = [{"trial": 0, "status": "ok", "val_score": float("nan"), "val_loss": 0.1},
            {"trial": 1, "status": "ok", "val_score": 0.5, "val_loss": 0.2},
            {"trial": 2, "status": "ok", "val_score": 0.9, "val_loss": 0.3}]
    assert [r["trial"] for r in ranked(rows)] == [2, 1, 0]


def test_a_scheduler_port_out_of_range_is_refused_at_once():
    from numpynn.search import check_scheduler

    with pytest.raises(InputError, match="a port is 1 to 65535"):
        check_scheduler("tcp://127.0.0.1:99999")
    assert check_scheduler("tcp://[::1]:8786") == "tcp://[::1]:8786"


def test_a_busy_search_directory_does_not_suggest_overwrite(tmp_path):
    from numpynn.outputs import DirectoryLock

    out = tmp_path / "s"
    out.mkdir()
    script = ("import sys, time; from numpynn.outputs import DirectoryLock; "
              "DirectoryLock(sys.argv[1]).acquire(); print('held', flush=True); "
              "time.sleep(30)")
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", script, str(out)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(InputError) as info:
            search(RunOptions(), TINY, mode="grid", out=out, report=False)
        assert "overwrite" not in str(info.value) and "in use" in str(info.value)
        with pytest.raises(InputError, match="--overwrite"):  # a run's, as before
            DirectoryLock(out).acquire()
    finally:
        holder.kill()
        holder.wait()


# ----------------------------------------------------------------------- ensembles
def test_resuming_an_ensemble_run_says_why_it_has_no_checkpoint(tmp_path):
    """numpynn train --resume DIR on a finished ensemble said "no checkpoint to resume
    ...; a run writes one there when started with --out set to that directory", which
    this run was: an ensemble writes none."""
    ran = numpynn("train", "--ensemble", "2", "--hidden", "4", "--epochs", "1", "--out",
                  "e", "--no-report", "--quiet", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    result = numpynn("train", "--resume", "e", "--epochs", "3", cwd=tmp_path)
    assert result.returncode == 2
    assert "trained an ensemble of 2 networks, which writes no checkpoint" in result.stderr


def test_an_early_stopped_ensembles_curves_have_one_value_per_epoch_run():
    """With early_stopping, loss_curve_ and validation_scores_ ended where the first
    member stopped (23 values, n_iter_ 47): len(loss_curve_) == n_iter_ held for one
    network only."""
    import warnings

    from sklearn.datasets import load_digits

    from numpynn import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = X[:600] / 16
    y = y[:600]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=60, n_ensemble=3,
                            early_stopping=True, n_iter_no_change=2,
                            learning_rate_init=0.05, random_state=0).fit(X, y)
    runs = sorted(len(h.epochs) for h in est.model_.histories)
    assert runs[0] < runs[-1]  # the members stopped at different epochs
    assert est.n_iter_ == runs[-1] == len(est.loss_curve_) == len(est.validation_scores_)
    assert est.best_validation_score_ == max(est.validation_scores_)


def test_a_class_too_small_for_the_split_names_only_the_parts_there_are():
    """With test_fraction 0 (a search that needs its validation split) the message said
    "set `val_fraction` or `test_fraction` to 0", the second 0 already."""
    from numpynn.data.split import train_val_test_split
    from numpynn.errors import DataError

    X, y = np.zeros((30, 2)), np.r_[np.zeros(29, int), 1]
    with pytest.raises(DataError, match=r"\(set `val_fraction` to 0\)"):
        train_val_test_split(X, y, val_fraction=0.2, test_fraction=0.0)
    with pytest.raises(DataError, match=r"\(set `val_fraction` or `test_fraction` to 0\)"):
        train_val_test_split(X, y, val_fraction=0.2, test_fraction=0.2)


def _image_folder(root):
    from PIL import Image

    rng = np.random.default_rng(0)
    for c in ("cat", "dog"):
        (root / c).mkdir(parents=True)
        for i in range(8):
            pixels = (rng.random((6, 6)) * 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / c / f"{i}.png")
    return root


@pytest.mark.parametrize("command", ["search", "train"])
@pytest.mark.parametrize("inside", [".", "dog"])
def test_an_output_directory_that_is_the_image_folder_or_a_class_is_refused(
        tmp_path, command, inside):
    """search --data imgs --out imgs/dog wrote best/, the tables and search.png among the
    dog images, and imgs read afterwards had one class (dog/, holding search.json, left
    out as a run's folder); search --out imgs left imgs unreadable as a data set; train
    --out imgs failed with "imgs holds no image files"."""
    _image_folder(tmp_path / "imgs")
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "imgs").rglob("*"))
    extra = ("--trials", "1") if command == "search" else ()
    result = numpynn(command, "--data", "imgs", "--hidden", "4", "--epochs", "1", *extra,
                     "--out", f"imgs/{inside}", "--quiet", "--no-report", cwd=tmp_path)
    assert result.returncode == 2
    assert "would be left out of the data set" in result.stderr, result.stderr
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "imgs").rglob("*")) == before


def test_a_search_in_a_folder_of_its_own_in_the_image_folder_leaves_the_data_whole(tmp_path):
    """A folder of its own is left out of the data set as a run's (as train --out imgs/run
    always was); the search's classes are the image folder's two."""
    _image_folder(tmp_path / "imgs")
    result = numpynn("search", "--data", "imgs", "--grid", "--hidden", "4", "--lr", "0.01",
                     "--reg", "0", "--epochs", "1", "--out", "imgs/run", "--quiet",
                     "--no-report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    again = numpynn("train", "--data", "imgs", "--hidden", "4", "--epochs", "1", "--out",
                    "r", "--quiet", "--no-report", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "run left out" in again.stdout + again.stderr


def test_a_scheduler_address_given_as_the_client_is_answered_not_a_traceback():
    with pytest.raises(InputError, match=r"scheduler='tcp://10.0.0.5:8786'") as info:
        search(RunOptions(), TINY, mode="grid", client="tcp://10.0.0.5:8786", out=None)
    assert info.value.param == "client"
    with pytest.raises(InputError, match="must be a dask.distributed.Client"):
        search(RunOptions(), TINY, mode="grid", client=object(), out=None)
