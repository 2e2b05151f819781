"""A search's fixed costs (issue 22, item 3): the best trial's network saved as trained (not
trained again), the data sent to local workers instead of loaded by each, the trial log
written once per pack and the results table rewritten at a pace, not once per trial."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace

import numpy as np
import pytest

import numpynn.search.results as results_module
import numpynn.search.runner as runner_module
from numpynn.errors import InputError
from numpynn.model_file import load_model
from numpynn.runs.run import RunOptions
from numpynn.search import DEFAULT_PACK, SearchSpace, resume_search, search
from numpynn.search.runner import _BestNetwork, _execute, retrain_best
from numpynn.search.trials import data_fingerprint, search_splits

# 8 grid trials in 2 shapes of 4: hidden 16 / 32, lr x reg differ within a shape
SPACE = SearchSpace(hidden=[[16], [32]], lr=[1e-3, 1e-2], reg=[0.0, 1e-3], batch_size=[64],
                    optimizer=["adam"], epochs=[4])


def _never_trained_again(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the best trial was trained again")

    monkeypatch.setattr(runner_module, "_train", fail)


@pytest.mark.parametrize("jobs,pack,halving", [(1, 1, False), (2, 1, False), (1, 4, False),
                                               (1, 1, True)])
def test_the_best_is_saved_as_its_trial_trained_it(tmp_path, monkeypatch, jobs, pack, halving):
    """In this process, from worker processes, from a pack and from a halving search's
    last rung: the saved model is the trial's own network (the same as training its
    configuration again, to float32 rounding), and nothing trains it a second time."""
    _never_trained_again(monkeypatch)
    out = tmp_path / "s"
    result = search(space=SPACE, mode="grid", out=out, report=False, refit_best=False,
                    jobs=jobs, pack=pack, halving=halving)
    saved = load_model(out / "best" / "model.npz")
    assert saved.metadata["search"]["trial"] == result.best["trial"]
    assert result.metrics["val"]["accuracy"] == pytest.approx(result.best["val_score"])
    monkeypatch.undo()
    base = RunOptions(data="digits", val_fraction=saved.metadata["options"]["val_fraction"])
    again = tmp_path / "again"
    retrain_best(base, result.best, search_splits(base), again, {"seed": 0, "mode": "grid"},
                 report=False)
    retrained = load_model(again / "model.npz")
    for name, value in retrained.model.params.items():
        np.testing.assert_allclose(saved.model.params[name], value, rtol=1e-4, atol=1e-6)
    ours, theirs = (json.loads((d / "history.json").read_text()) for d in (out / "best", again))
    assert ours["best_epoch"] == theirs["best_epoch"] and ours["epochs"] == theirs["epochs"]
    assert ours["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-4)


def test_the_refitted_best_trains_only_its_refit(tmp_path, monkeypatch):
    _never_trained_again(monkeypatch)
    result = search(space=SPACE, mode="grid", out=tmp_path / "s", report=False)
    assert result.refit["epochs"] == result.best["best_epoch"]


def test_a_resumed_search_trains_a_best_from_an_earlier_run_again(tmp_path, monkeypatch):
    out = tmp_path / "s"
    space = replace(SPACE, hidden=[[16]])
    stop_after = 2

    def interrupt(row, done, total):
        if done == stop_after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search(space=space, mode="grid", out=out, report=False, refit_best=False,
               on_trial=interrupt, pack=1)
    calls = []
    original = runner_module._train
    monkeypatch.setattr(runner_module, "_train",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    result = resume_search(out)
    ran_now = {r["trial"] for r in result.rows} - set(range(stop_after))
    assert calls == ([] if result.best["trial"] in ran_now else [1])
    saved = load_model(out / "best" / "model.npz")
    assert result.metrics["val"]["accuracy"] == pytest.approx(result.best["val_score"])
    assert saved.metadata["search"]["trial"] == result.best["trial"]


def test_best_network_keeps_the_best_ranked_and_only_for_its_own_row():
    net = _BestNetwork()
    rows = [{"trial": i, "status": "ok", "task": "classification", "val_score": s,
             "val_loss": 1.0} for i, s in enumerate([0.5, 0.9, 0.7])]
    for r in rows:
        net.offer(r, (f"model {r['trial']}", None))
    net.offer({"trial": 3, "status": "diverged", "val_score": None}, None)
    assert net.of(rows[1]) == ("model 1", None)
    assert net.of(rows[0]) is None  # a row trained elsewhere (a resumed search's)
    assert net.of({**rows[1], "rung": 2}) is None  # another rung of the same trial


def test_local_workers_train_on_the_splits_the_search_sends():
    """Workers take the search's arrays, not a load of their own: splits altered in this
    process (shuffled validation labels) give the same rows in 2 workers as here."""
    base = RunOptions(data="digits", val_fraction=0.2)
    splits = search_splits(base)
    splits.y_val = np.random.default_rng(0).permutation(splits.y_val)
    plan = [{"trial": i, "seed": i, "hidden": [16], "lr": 1e-2, "reg": 1e-4,
             "batch_size": 64, "optimizer": "adam", "epochs": 2, "activation": "relu",
             "dropout": 0.0, "normalization": None} for i in range(2)]
    fp = data_fingerprint(splits)

    def scores(jobs):
        rows = [row for batch in _execute(base, plan, jobs, None, fp, 1, splits)
                for row, _ in batch]
        return {r["trial"]: r["val_score"] for r in rows}

    here, workers = scores(1), scores(2)
    assert max(here.values()) < 0.4  # shuffled labels: about chance, not digits' 90%+
    assert workers == pytest.approx(here, abs=1e-6)


def test_the_log_is_written_once_per_pack(tmp_path, monkeypatch):
    writes = []
    log_class = results_module._TrialLog
    extend = log_class.extend
    monkeypatch.setattr(log_class, "extend",
                        lambda self, rows: writes.append(len(rows)) or extend(self, rows))
    out = tmp_path / "s"
    search(space=SPACE, mode="grid", out=out, pack=4, retrain=False)
    rows = [json.loads(line) for line in (out / "trials.jsonl").read_text().splitlines()]
    assert sorted(r["trial"] for r in rows) == list(range(8))
    assert writes == [4, 4]  # 2 packs of 4: 2 writes (each one fsync)


def test_the_table_is_rewritten_at_a_pace_and_holds_every_trial_at_the_end(
        tmp_path, monkeypatch):
    writes = []
    original = runner_module._write_summary
    monkeypatch.setattr(runner_module, "_write_summary",
                        lambda *a, **k: writes.append(len(a[1])) or original(*a, **k))
    monkeypatch.setattr(runner_module, "SUMMARY_SECONDS", 1e9)
    out = tmp_path / "s"
    search(space=SPACE, mode="grid", out=out, report=False, pack=1)
    assert writes == [1, 8]  # the first trial at once, then once, with the best model
    summary = json.loads((out / "results.json").read_text())
    assert summary["finished"] == 8 and "best_model" in summary


def test_an_interrupted_search_leaves_a_table_of_every_logged_trial(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "SUMMARY_SECONDS", 1e9)
    out = tmp_path / "s"

    def interrupt(row, done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search(space=SPACE, mode="grid", out=out, report=False, on_trial=interrupt, pack=1)
    logged = (out / "trials.jsonl").read_text().splitlines()
    summary = json.loads((out / "results.json").read_text())
    assert len(logged) == summary["finished"] == 3


def test_the_search_packs_by_default_and_a_resumed_one_matches_to_float_rounding(tmp_path):
    out = tmp_path / "s"
    full = search(space=SPACE, mode="grid", out=out, retrain=False)
    assert DEFAULT_PACK > 1
    assert full.packing == "packed: 8 of 8 trial runs in 2 packs (largest 4)"
    lines = (out / "trials.jsonl").read_text().splitlines(keepends=True)
    (out / "trials.jsonl").write_text("".join(lines[:5]))  # one pack and one trial done
    resumed = resume_search(out, retrain=False)
    assert [r["trial"] for r in resumed.rows] == [r["trial"] for r in full.rows]
    for new, old in zip(resumed.rows, full.rows):
        assert new["best_epoch"] == old["best_epoch"]
        assert new["val_loss"] == pytest.approx(old["val_loss"], rel=1e-4)


def test_the_workers_start_while_the_data_is_read_and_then_run_the_trials():
    """The pool started by start_workers (before the search reads its data) is the one
    the trials run in: no second start; with jobs=2 this process is one of the two."""
    import os

    import numpynn.search.runner as runner
    from numpynn.search.local import _pool, start_workers

    assert start_workers(1) is None  # one process: the trials run in this one
    started = []

    def recorded(n):
        warm = start_workers(n)
        started.append((_pool()["executor"], set(_pool()["executor"]._processes)))
        return warm

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runner, "start_workers", recorded)
        result = search(space=SPACE, mode="grid", out=None, jobs=2, pack=1)
    ((_, warm),) = started  # started once, before the data were read
    assert len(warm) == 1 and os.getpid() not in warm  # this process + 1 worker
    pids = {r["pid"] for r in result.rows}
    assert pids == {os.getpid(), *warm}  # the trials ran in it (no second start), and here


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux's start here")
def test_a_search_s_forked_workers_end_with_it_even_a_refused_one(tmp_path, monkeypatch):
    """Forks are made for one search (the next forks its own): kept, they held memory
    and descriptors for nobody."""

    from numpynn.search import local

    monkeypatch.setattr(local, "_alone", lambda: True)  # as in the command line
    local.kill_workers()  # a pool of another start, kept by an earlier test
    search(space=SPACE, mode="grid", out=None, jobs=2, pack=1)
    assert local._pool()["executor"] is None
    with pytest.raises(InputError):  # refused after its workers were started
        search(RunOptions(data=str(tmp_path / "missing.csv")), space=SPACE, mode="grid",
               out=None, jobs=2, pack=1)
    assert local._pool()["executor"] is None
    deadline = time.monotonic() + 10
    while _forks_of_us() and time.monotonic() < deadline:  # killed: gone in a moment
        time.sleep(0.05)
    assert not _forks_of_us()


def _forks_of_us() -> list[str]:
    import os

    return [p for p in os.listdir("/proc")
            if p.isdigit() and _parent(p) == os.getpid() and _is_fork_of_us(p)]


def _parent(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _is_fork_of_us(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f, open("/proc/self/cmdline", "rb") as me:
            return f.read() == me.read()
    except OSError:
        return False
