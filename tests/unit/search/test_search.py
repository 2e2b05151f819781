"""numpynn.search and ``numpynn search``: plans, determinism across local processes and a
real Dask LocalCluster, files that survive a SIGKILL, resuming, and the CLI contract."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import time

import pytest

from numpynn.cli.main import main
from numpynn.errors import InputError
from numpynn.model_file import load_model
from numpynn.runs.run import RunOptions
from numpynn.search import (
    LogUniform,
    SearchSpace,
    deterministic,
    read_trials,
    search,
    trial_plan,
)
from numpynn.search.space import RANDOM_LAYERS
from tests.clirun import start_numpynn

# Small and fast: 8 trials of a few epochs on digits.
SPACE = SearchSpace(hidden=[[16], [32]], lr=LogUniform(1e-3, 1e-2), reg=[0.0, 1e-4, 1e-3],
                    batch_size=[64, 128], optimizer=["adam", "nesterov"], epochs=[3, 5])
TRIALS, SEED = 8, 5


# ----------------------------------------------------------------------------- plans
def test_trial_plan_is_a_function_of_seed_and_index():
    long = trial_plan(SPACE, "random", 12, seed=1)
    assert trial_plan(SPACE, "random", 5, seed=1) == long[:5]
    assert [t["trial"] for t in long] == list(range(12))
    assert len({t["seed"] for t in long}) == 12
    assert trial_plan(SPACE, "random", 5, seed=2) != long[:5]
    for t in long:
        assert 1e-3 <= t["lr"] <= 1e-2 and t["reg"] in (0.0, 1e-4, 1e-3)
        assert t["hidden"] in ([16], [32]) and t["optimizer"] in ("adam", "nesterov")


def test_grid_plan_enumerates_every_combination():
    space = SearchSpace(hidden=[[8], [16, 8]], lr=LogUniform(1e-4, 1e-2, points=3),
                        reg=[0.0, 1e-3], batch_size=[32], optimizer=["adam"], epochs=[2])
    plan = trial_plan(space, "grid", None, seed=0)
    assert len(plan) == space.grid_size() == 12
    assert {t["lr"] for t in plan} == {1e-4, 1e-3, 1e-2}
    assert plan[0]["hidden"] == [8] and plan[-1]["hidden"] == [16, 8]
    with pytest.raises(InputError, match="`trials` is for random search"):
        trial_plan(space, "grid", 5, seed=0)
    assert len(SearchSpace.default_grid().grid()) == 18


def test_log_uniform_checks_its_bounds():
    with pytest.raises(InputError, match="log range"):
        LogUniform(0.0, 1.0)
    with pytest.raises(InputError, match="low <= high"):
        LogUniform(1.0, 0.1)
    assert LogUniform(1e-4, 1e-2, points=3).grid() == [1e-4, 1e-3, 1e-2]


@pytest.mark.parametrize("kwargs, word", [
    ({"hidden": []}, "hidden"),
    ({"hidden": [[0]]}, "hidden"),
    ({"lr": [0.0]}, "lr"),
    ({"reg": [-1.0]}, "reg"),
    ({"batch_size": [0]}, "batch_size"),
    ({"optimizer": ["lbfgs"]}, "optimizer"),
    ({"epochs": [1.5]}, "epochs"),
])
def test_search_space_rejects_bad_values(kwargs, word):
    with pytest.raises(InputError, match=word):
        SearchSpace(**kwargs)


# ------------------------------------------------------------------ local and Dask runs
@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield cluster, client


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("search") / "local"
    started = time.perf_counter()
    result = search(space=SPACE, trials=TRIALS, seed=SEED, jobs=2, out=out, report=False)
    return result, out, time.perf_counter() - started


def test_local_search_writes_table_plot_and_best_model(local_run):
    result, out, seconds = local_run
    rows = result.rows
    assert [r["rank"] for r in rows] == list(range(1, TRIALS + 1))
    assert all(r["score_name"] == "accuracy" for r in rows)
    accs = [r["val_score"] for r in rows]
    assert accs == sorted(accs, reverse=True) and all(r["status"] == "ok" for r in rows)
    assert {r["pid"] for r in rows} - {os.getpid()}, "jobs=2 ran every trial in-process"
    with open(out / "results.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [int(r["trial"]) for r in table] == [r["trial"] for r in rows]
    assert float(table[0]["val_score"]) == rows[0]["val_score"]
    assert [r["hidden"] for r in table] == [str(*r["hidden"]) for r in rows]
    summary = json.loads((out / "results.json").read_text())
    assert summary["best"] == rows[0] and summary["finished"] == TRIALS
    assert len(read_trials(out / "trials.jsonl")) == TRIALS
    assert (out / "search.png").stat().st_size > 0
    # the best configuration, refitted on train + validation for the epochs its trial kept
    saved = load_model(out / "best" / "model.npz")
    assert saved.metadata["refit"]["epochs"] == rows[0]["best_epoch"]
    assert saved.metadata["refit"]["val_accuracy"] == rows[0]["val_score"]
    assert set(result.metrics) == {"train", "test"}  # the validation rows trained it
    assert saved.model.hidden_dims == rows[0]["hidden"]
    assert saved.metadata["init_seed"] == rows[0]["seed"]
    print(f"local search, jobs=2: {TRIALS} trials in {seconds:.1f} s")


def test_evaluate_reproduces_the_retrained_best_test_accuracy(local_run, capsys):
    result, out, _ = local_run
    assert main(["evaluate", str(out / "best" / "model.npz"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accuracy"] == pytest.approx(result.metrics["test"]["accuracy"], abs=1e-12)


def test_dask_cluster_gives_the_same_table(local_run, cluster, tmp_path):
    local, _, local_seconds = local_run
    _, client = cluster
    workers = set(client.scheduler_info()["workers"])
    started = time.perf_counter()
    result = search(space=SPACE, trials=TRIALS, seed=SEED, client=client, out=tmp_path / "dask",
                    report=False)
    seconds = time.perf_counter() - started
    ran_on = {r["worker"] for r in result.rows}
    assert ran_on <= workers, f"trials ran outside the cluster: {ran_on - workers}"
    assert os.getpid() not in {r["pid"] for r in result.rows}
    assert deterministic(result.rows) == deterministic(local.rows)
    assert result.metrics == local.metrics
    print(f"LocalCluster (2 workers): {TRIALS} trials in {seconds:.1f} s on {len(ran_on)} "
          f"workers; local jobs=2: {local_seconds:.1f} s")


def test_halving_on_the_dask_cluster_gives_the_local_table(cluster, tmp_path):
    _, client = cluster
    kwargs = dict(space=SPACE, trials=TRIALS, seed=SEED, report=False, halving=True, eta=2)
    local = search(jobs=1, out=tmp_path / "local", **kwargs)
    dask = search(client=client, out=tmp_path / "dask", **kwargs)
    assert os.getpid() not in {r["pid"] for r in dask.rows}
    assert {r["rung"] for r in dask.rows} == {0, 1}  # 8 trials, 3 epochs at least: 2 rungs
    assert deterministic(dask.rows) == deterministic(local.rows)
    assert dask.halving == local.halving


def test_cli_scheduler_option(local_run, cluster, tmp_path, capsys):
    local, _, _ = local_run
    lc, _ = cluster
    out = tmp_path / "cli"
    argv = ["search", "--trials", str(TRIALS), "--seed", str(SEED), "--hidden", "16", "32",
            "--lr", "1e-3:1e-2", "--reg", "0,1e-4,1e-3", "--batch-size", "64,128",
            "--optimizer", "adam,nesterov", "--epochs", "3,5", "--activation", "relu",
            "--dropout", "0", "--norm", "none", "--scheduler",
            lc.scheduler_address, "--out", str(out), "--no-report", "--quiet"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "dask tcp://127.0.0.1" in printed and "rank" in printed
    rows = json.loads((out / "results.json").read_text())["trials"]
    assert deterministic(rows) == deterministic(local.rows)


# --------------------------------------------------------------- interruption and resume
def test_killed_search_keeps_finished_trials_and_resumes(tmp_path, capsys):
    out = tmp_path / "killed"
    # --pack 1: one trial per log write, so results.json (written after the first) exists
    # once two trials are logged, and the resumed rows equal a fresh search's exactly
    argv = ["search", "--trials", "12", "--seed", "7", "--hidden", "64", "--epochs", "12",
            "--batch-size", "32", "--optimizer", "adam", "--jobs", "1", "--pack", "1",
            "--out", str(out), "--no-report", "--quiet"]
    proc = start_numpynn(*argv, cwd=tmp_path, stdout=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(read_trials(out / "trials.jsonl")) < 2:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no trial finished in 120 s"
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    kept = read_trials(out / "trials.jsonl")
    assert 2 <= len(kept) < 12
    summary = json.loads((out / "results.json").read_text())  # atomic: always parseable
    assert {r["trial"] for r in summary["trials"]} <= {r["trial"] for r in kept}
    assert not (out / "best").exists()

    # a new search refuses to overwrite it; --resume runs only the missing trials
    assert main(argv) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["search", "--resume", str(out), "--no-report", "--quiet"]) == 0
    rows = json.loads((out / "results.json").read_text())["trials"]
    assert len(rows) == 12 and len(read_trials(out / "trials.jsonl")) == 12
    kept_rows = {r["trial"]: r for r in kept}
    for r in rows:
        if r["trial"] in kept_rows:
            assert r["pid"] == kept_rows[r["trial"]]["pid"]  # not run again
    fresh = search(space=SearchSpace(hidden=[[64]], epochs=[12], batch_size=[32],
                                     optimizer=["adam"], **RANDOM_LAYERS),
                   trials=12, seed=7, out=None, pack=1)  # the CLI's random space: its layers
    assert deterministic(rows) == deterministic(fresh.rows)


# ----------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("args, word", [
    (["--lr", "abc"], "--lr"),
    (["--lr", "1e-2:1e-4"], "LOW must not exceed HIGH"),
    (["--lr", "0"], "--lr"),
    (["--reg", "-1"], "--reg"),
    (["--reg", "0:1e-2"], "--reg"),
    (["--jobs", "0"], "--jobs"),
    (["--trials", "0"], "--trials"),
    (["--grid", "--trials", "5"], "--trials is for random search"),
    (["--optimizer", "adam,lbfgs"], "--optimizer"),
    (["--hidden", "0"], "--hidden"),
    (["--batch-size", "x"], "--batch-size"),
    (["--scheduler", "not an address"], "--scheduler"),
    (["--seed", "-1"], "--seed"),
    (["--data", "nope.csv"], "nope.csv"),
    (["--resume", "/nonexistent/dir"], "no search to resume"),
])
def test_cli_bad_values_exit_2_with_one_line(args, word, tmp_path, capsys):
    code = main(["search", "--out", str(tmp_path / "s"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("numpynn: error:") and err.count("\n") == 1, err
    assert word in err


def test_cli_help_has_examples(capsys):
    assert main(["search", "--help"]) == 0
    text = capsys.readouterr().out
    for needle in ("examples:", "--trials 40 --jobs 2", "--grid", "--scheduler tcp://",
                   "--resume", "trials.jsonl"):
        assert needle in text


def test_cli_grid_search_end_to_end(tmp_path, capsys):
    out = tmp_path / "grid"
    code = main(["search", "--grid", "--hidden", "16", "--lr", "1e-3:1e-2", "--grid-points",
                 "2", "--reg", "0", "--batch-size", "128", "--epochs", "2", "--out", str(out),
                 "--seed", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "search: grid, 2 trials" in captured.out
    assert captured.err.count("trial") >= 2  # one progress line per trial
    rows = json.loads((out / "results.json").read_text())["trials"]
    assert sorted(r["lr"] for r in rows) == [1e-3, 1e-2]
    assert (out / "best" / "report.html").exists()
    assert main(["predict", str(out / "best" / "model.npz"), "--data", "digits"]) == 0


# ----------------------------------------------------------------------- failures
def test_trial_on_other_data_is_an_error_row_not_a_crash():
    from numpynn.runs.run import RunOptions
    from numpynn.search import _absolute_spec, run_trial

    trial = trial_plan(SPACE, "random", 1, seed=0)[0]
    row = run_trial(RunOptions(), trial, fingerprint="0" * 40)
    assert row["status"].startswith("error: InputError") and "other data" in row["status"]
    assert row["val_score"] is None
    assert _absolute_spec("digits") == "digits"
    assert _absolute_spec("data/x.csv") == os.path.abspath("data/x.csv")
    assert _absolute_spec("cifar10:rel/dir") == "cifar10:" + os.path.abspath("rel/dir")


def test_every_trial_diverging_exits_1(tmp_path, capsys):
    code = main(["search", "--trials", "2", "--lr", "1e8", "--optimizer", "sgd", "--hidden",
                 "8", "--epochs", "2", "--out", str(tmp_path / "s"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "every trial failed" in err and "diverged" in err
    assert len(read_trials(tmp_path / "s" / "trials.jsonl")) == 2


def test_search_refuses_an_ensemble_it_would_ignore(tmp_path):
    with pytest.raises(InputError, match="`ensemble=3`") as info:
        search(options=RunOptions(ensemble=3), trials=1, out=tmp_path / "s")
    assert info.value.param == "ensemble"


def test_search_refuses_a_final_fit_it_would_ignore(tmp_path, capsys):
    """`numpynn search --final-fit all` was accepted and ignored: the saved best model was
    still the one trained on the training rows. The CLI no longer takes the flag and the
    Python search refuses final_fit='all'."""
    with pytest.raises(InputError, match="`final_fit='all'`") as info:
        search(options=RunOptions(final_fit="all"), trials=1, out=tmp_path / "s")
    assert info.value.param == "final_fit"
    assert main(["search", "--final-fit", "all", "--trials", "1", "--out",
                 str(tmp_path / "t")]) != 0
    assert "--final-fit is an option of numpynn train" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_a_dict_space_is_a_search_space_as_scikit_learns_param_grid_is(monkeypatch):
    """search(options, {"lr": [...], ...}): GridSearchCV's habit; it raised AttributeError
    ('dict' object has no attribute 'sample'). Its keys are SearchSpace's, and other
    libraries' names are answered with numpynn's."""
    seen = {}

    def stop(space, *args):  # the space as search() will use it; no training
        seen["space"] = space
        raise _StopError

    monkeypatch.setattr("numpynn.search.runner._check_search_size", stop)
    with pytest.raises(_StopError):
        search(RunOptions(), {"lr": [0.1, 0.01], "hidden": [(8,)]}, trials=1, out=None)
    assert seen["space"] == SearchSpace(lr=[0.1, 0.01], hidden=[(8,)])
    with pytest.raises(TypeError, match="numpynn's name for it is 'hidden'") as info:
        search(RunOptions(), {"hidden_layer_sizes": [(8,)]}, trials=1, out=None)
    assert isinstance(info.value, InputError)
    with pytest.raises(InputError, match="numpynn's name for it is 'lr'"):
        SearchSpace(learning_rate=[0.1])


@pytest.mark.parametrize("options,space,said", [
    ("wine.csv", None, "`options` must be a RunOptions (e.g. RunOptions(data='wine.csv')); "
                       "got str"),
    (None, [("lr", [0.1])], "`space` must be a SearchSpace or a dict of its fields"),
])
def test_search_arguments_of_the_wrong_kind_are_input_errors(options, space, said):
    with pytest.raises(InputError) as info:
        search(options, space, trials=1, out=None)
    assert said in str(info.value)


class _StopError(Exception):
    pass


def test_trials_score_a_subset_of_training_rows_and_the_validation_split_in_full():
    from dataclasses import replace

    from numpynn.search.trials import SEARCH_EVAL_SAMPLES, _splits, _train, trial_options

    trial = trial_plan(SPACE, "random", 1, seed=0)[0]
    base = RunOptions(val_fraction=0.2)
    options = trial_options(base, trial)
    assert options.train.eval_samples == SEARCH_EVAL_SAMPLES
    small = replace(base, train=replace(base.train, eval_samples=50))
    assert trial_options(small, trial).train.eval_samples == 50
    splits = _splits(base)
    full = replace(options, train=replace(options.train, eval_samples=None))
    _, subset, _ = _train(options, splits, trial["seed"])
    _, every, _ = _train(full, splits, trial["seed"])
    # training and the validation figures do not depend on the rows scored for training
    assert subset.history.val_loss == every.history.val_loss
    assert subset.history.best_epoch == every.history.best_epoch
    assert subset.eval_idx.shape == (SEARCH_EVAL_SAMPLES,) and every.eval_idx is None


def test_a_search_says_its_auto_target_transform_keeps_a_heavy_tail(tmp_path):
    """numpynn train's target_transform='auto' also trains on log(1 + y) where the targets
    have a heavy right tail, and keeps the better; a search's trials train once, on the
    values: that used to be silent (train 0.84 test R^2 against the search's 0.57)."""
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = np.exp(1.5 * X[:, 0]) * 10
    np.savetxt(tmp_path / "h.csv", np.c_[X, y], delimiter=",", header="a,b,y",
               comments="", fmt="%.5f")
    space = {"lr": [0.01], "hidden": [(4,)], "epochs": [1]}
    notes = {t: search(RunOptions(data=str(tmp_path / "h.csv"), task="regression",
                                  target_transform=t), space, mode="grid", out=None).notes
             for t in ("auto", "none")}
    assert any("heavy right tail" in n and "`target_transform='log'`" in n
               for n in notes["auto"])
    assert not any("heavy right tail" in n for n in notes["none"])


def test_search_refuses_options_its_space_would_replace(monkeypatch):
    """search(RunOptions(hidden=[7], train=TrainConfig(epochs=2)), {"lr": [...]}) trained
    every trial with the default space's hidden sizes and epochs (216 trials of
    (256, 128), 20 or 40 epochs...), the options' values silently dropped."""
    from numpynn.training.trainer import TrainConfig

    monkeypatch.setattr("numpynn.search.runner._check_search_size",
                        lambda *a: (_ for _ in ()).throw(_StopError()))
    with pytest.raises(InputError, match=r"hidden=\[7\], epochs=2 in the search's options "
                       r"would be ignored") as info:
        search(RunOptions(hidden=[7], train=TrainConfig(epochs=2, patience=3)),
               {"lr": [0.01]}, mode="grid", out=None)
    assert info.value.param == "hidden"
    assert "{'hidden': [(7,)], 'epochs': [2], ...}" in str(info.value)
    with pytest.raises(InputError, match=r"seed=5 in its options would be ignored: give "
                       r"search\(..., seed=5\)"):
        search(RunOptions(train=TrainConfig(seed=5)), {"lr": [0.01]}, mode="grid", out=None)
    with pytest.raises(_StopError):  # not searched ones (patience), and defaults, are fine
        search(RunOptions(train=TrainConfig(seed=5)), {"lr": [0.01]}, mode="grid", seed=5,
               out=None)
    with pytest.raises(_StopError):
        search(RunOptions(train=TrainConfig(patience=3)), {"lr": [0.01]}, mode="grid",
               out=None)


def test_a_refused_search_into_a_directory_frees_it_at_once(tmp_path):
    """A library caller's search refused after it took the directory (it holds a search
    already): the hold is given back, so another process may write there while this one
    lives on (a notebook), and the directory is not reported in use."""
    import fcntl

    from numpynn.outputs import DirectoryLock

    out = tmp_path / "s"
    small = SearchSpace(hidden=[[8]], epochs=[1], batch_size=[64], optimizer=["adam"])
    search(space=small, trials=1, seed=1, jobs=1, out=out, report=False)
    with pytest.raises(InputError, match="already holds a search"):
        search(space=small, trials=1, seed=1, jobs=1, out=out, report=False)
    assert os.path.realpath(out) not in DirectoryLock._held
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another process would take it
    finally:
        os.close(fd)


def test_results_csv_writes_the_hidden_sizes_as_text_a_spreadsheet_keeps():
    """Excel and LibreOffice read the cell "256,128" as the number 256128 (a thousands
    comma) and "12-10" as a date: the sizes are written 256x128 (results.json: a list)."""
    from numpynn.search.results import _csv_text

    rows = [{"rank": 1, "trial": 0, "status": "ok", "hidden": [256, 128]},
            {"rank": 2, "trial": 1, "status": "ok", "hidden": [64]}]
    table = list(csv.DictReader(io.StringIO(_csv_text(rows))))
    assert [r["hidden"] for r in table] == ["256x128", "64"]
