"""Successive halving (numpynn.search.halving, ``numpynn search --halving``): the rung
arithmetic, who goes on (by the task's ranking), the table of pruned trials, resuming
without redoing finished rungs, and the flags refused."""

from __future__ import annotations

import csv
import json

import pytest

from numpynn.cli.main import main
from numpynn.errors import InputError
from numpynn.search import SearchSpace, deterministic, read_trials, resume_search, search
from numpynn.search.halving import (
    Rungs,
    check_eta,
    promoted,
    rung_count,
    rung_epochs,
    rung_plan,
    rung_sizes,
    summary,
)
from numpynn.search.results import format_table, read_log

# 6 grid trials x 9 epochs: 2 rungs with eta 3 (6 x 3 epochs, then 2 x 9)
SPACE = SearchSpace(hidden=[[16], [32]], lr=[1e-3, 3e-3, 1e-2], reg=[1e-4], batch_size=[64],
                    optimizer=["adam"], epochs=[9])


# --------------------------------------------------------------------------- arithmetic
def test_rungs_of_the_48_configuration_digits_grid():
    assert rung_count(48, 20, 3) == 3
    assert [rung_epochs(20, r, 3, 3) for r in range(3)] == [3, 7, 20]
    assert rung_sizes(48, 3, 3) == [48, 16, 6]


@pytest.mark.parametrize("trials, epochs, eta, rungs", [
    (2, 20, 3, 1),    # fewer trials than eta: one rung, a plain search
    (100, 2, 3, 1),   # fewer epochs than eta: one rung
    (9, 9, 3, 3),     # exact powers: log_3(9) = 2 without float rounding
    (8, 8, 2, 4),
    (27, 1000, 3, 4),
    (1000, 27, 3, 4),
])
def test_rung_count_is_bounded_by_trials_and_epochs(trials, epochs, eta, rungs):
    assert rung_count(trials, epochs, eta) == rungs


def test_rung_epochs_end_on_the_plans_epochs_and_never_fall_to_zero():
    assert [rung_epochs(8, r, 4, 2) for r in range(4)] == [1, 2, 4, 8]
    assert [rung_epochs(40, r, 3, 3) for r in range(3)] == [5, 14, 40]
    assert rung_epochs(1, 0, 5, 3) == 1


def test_rung_plan_sets_rung_and_epochs_of_each_trial_of_its_own():
    plan = [{"trial": 0, "seed": 1, "epochs": 20}, {"trial": 1, "seed": 2, "epochs": 40},
            {"trial": 2, "seed": 3, "epochs": 20}]
    out = rung_plan(plan, [2, 1], rung=0, rungs=3, eta=3)
    assert [(t["trial"], t["rung"], t["epochs"]) for t in out] == [(1, 0, 5), (2, 0, 3)]
    assert plan[1]["epochs"] == 40  # the plan itself is not changed


def _row(trial, score, loss, task="classification", status="ok", rung=0):
    return {"trial": trial, "rung": rung, "status": status, "task": task,
            "score_name": "accuracy" if task == "classification" else "r2",
            "val_score": score if status == "ok" else None,
            "val_loss": loss if status == "ok" else None}


def test_promotion_of_a_classification_follows_validation_accuracy():
    rows = [_row(0, 0.90, 0.1), _row(1, 0.95, 0.9), _row(2, 0.95, 0.5), _row(3, 0.80, 0.05),
            _row(4, 0.99, 0.2, status="diverged"), _row(5, 0.10, 3.0)]
    # ceil(6 / 3) = 2 go on: the best accuracies, the lower loss breaking the tie
    assert promoted(rows, 3) == [2, 1]
    assert promoted(rows, 2) == [2, 1, 0]


def test_promotion_of_a_regression_follows_validation_loss():
    rows = [_row(0, 0.90, 0.30, "regression"), _row(1, 0.80, 0.10, "regression"),
            _row(2, 0.85, 0.20, "regression"), _row(3, 0.95, 0.40, "regression")]
    assert promoted(rows, 2) == [1, 2]  # the lowest losses, not the highest R^2


def test_failed_trials_never_go_on():
    rows = [_row(0, 0.5, 1.0), _row(1, 0, 0, status="diverged"),
            _row(2, 0, 0, status="error: X")]
    assert promoted(rows, 2) == [0]
    assert promoted([_row(0, 0, 0, status="diverged")], 3) == []


@pytest.mark.parametrize("eta", [1, 0, -3, 2.5, True, "3", None])
def test_bad_eta_is_refused_naming_it(eta):
    with pytest.raises(InputError, match="`eta`") as info:
        check_eta(eta)
    assert info.value.param == "eta"


def test_search_checks_eta_only_when_halving(tmp_path):
    with pytest.raises(InputError) as info:
        search(space=SPACE, mode="grid", out=None, halving=True, eta=1)
    assert info.value.param == "eta"
    with pytest.raises(InputError) as info:
        search(space=SPACE, mode="grid", out=None, halving="yes")
    assert info.value.param == "halving"


# ------------------------------------------------------------------------ a real search
@pytest.fixture(scope="module")
def halved(tmp_path_factory):
    out = tmp_path_factory.mktemp("halving") / "s"
    ran = []
    result = search(space=SPACE, mode="grid", seed=1, out=out, report=False, halving=True,
                    on_trial=lambda row, done, total: ran.append((row["trial"], row["rung"],
                                                                  total)))
    return result, out, ran


def test_halving_runs_the_rungs_and_keeps_pruned_trials_in_the_table(halved):
    result, out, ran = halved
    assert sorted((t, r) for t, r, _ in ran if r == 0) == [(i, 0) for i in range(6)]
    top = [t for t, r, _ in ran if r == 1]
    assert len(top) == 2 and {total for *_, total in ran} == {8}
    rung0 = [r for r in read_log(out / "trials.jsonl") if r["rung"] == 0]
    assert sorted(top) == sorted(promoted(rung0, 3))
    rows = result.rows
    assert len(rows) == 6 and [r["rank"] for r in rows] == list(range(1, 7))
    assert [r["rung"] for r in rows] == [1, 1, 0, 0, 0, 0]  # reached rung first
    assert {r["trial"] for r in rows[:2]} == set(top)
    assert all(r["epochs"] == (9 if r["rung"] == 1 else 3) for r in rows)
    pruned = {r["trial"]: r for r in rows[2:]}
    for r in rung0:  # a pruned trial keeps its last score
        if r["trial"] in pruned:
            assert pruned[r["trial"]]["val_score"] == r["val_score"]
    with open(out / "results.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [int(r["rung"]) for r in table] == [1, 1, 0, 0, 0, 0]
    assert len(read_trials(out / "trials.jsonl")) == 6  # one row per trial
    assert len(read_log(out / "trials.jsonl")) == 8      # every (trial, rung)
    # the saved best: refitted on train + validation for the epochs its top-rung run kept
    assert result.best == rows[0] and result.refit["epochs"] == rows[0]["best_epoch"]
    assert result.refit["val_accuracy"] == rows[0]["val_score"] and "val" not in result.metrics
    assert result.halving == ("successive halving, eta 3: rung 0: 6 trials x 3 epochs; "
                              "rung 1: 2 x 9")
    assert " rung " in format_table(rows).splitlines()[0]
    assert json.loads((out / "search.json").read_text())["halving"] == {"eta": 3}


def test_a_promoted_trial_is_the_plain_searchs_trial_with_its_epochs(halved):
    result, _, _ = halved
    plain = search(space=SPACE, mode="grid", seed=1, out=None, pack=1)
    by_trial = {r["trial"]: r for r in deterministic(plain.rows)}
    for row in deterministic(result.rows[:2]):
        assert {k: v for k, v in row.items() if k not in ("rank", "rung")} == {
            k: v for k, v in by_trial[row["trial"]].items() if k != "rank"}


def test_a_killed_halving_search_resumes_without_redoing_finished_rungs(halved, tmp_path):
    result, out, _ = halved
    log = read_log(out / "trials.jsonl")
    kept = [r for r in log if r["rung"] == 0] + [r for r in log if r["rung"] == 1][:1]
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "search.json").write_text((out / "search.json").read_text())
    (cut / "trials.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept)
                                      + '{"trial": 9, "rung"')  # a torn last line
    ran = []
    resumed = resume_search(cut, retrain=False, report=False,
                            on_trial=lambda row, done, total: ran.append((row["trial"],
                                                                          row["rung"])))
    missing = [(r["trial"], 1) for r in log if r["rung"] == 1][1:]
    assert ran == missing
    assert deterministic(resumed.rows) == deterministic(result.rows)
    again = resume_search(cut, retrain=False, report=False,
                          on_trial=lambda *a: ran.append(a))
    assert len(ran) == len(missing) and again.unchanged  # nothing left: nothing run


def test_resume_refuses_other_halving_settings(halved):
    _, out, _ = halved
    with pytest.raises(InputError, match="other settings"):
        search(space=SPACE, mode="grid", seed=1, out=out, resume=True, halving=True, eta=2)
    with pytest.raises(InputError, match="other settings"):
        search(space=SPACE, mode="grid", seed=1, out=out, resume=True)


def test_rungs_plan_needs_only_the_rows_of_earlier_rungs():
    plan = [{"trial": i, "seed": i, "epochs": 9} for i in range(9)]
    rungs = Rungs(plan, 3)
    assert (rungs.count, rungs.sizes) == (3, [9, 3, 1])
    done = {(i, 0): {**_row(i, i / 10, 1 - i / 10), "epochs": 1} for i in range(9)}
    assert [(t["trial"], t["epochs"]) for t in rungs.plan(1, done)] == [(6, 3), (7, 3), (8, 3)]
    done |= {(i, 1): {**_row(i, 1 - i / 10, i / 10, rung=1), "epochs": 3} for i in (6, 7, 8)}
    assert [(t["trial"], t["epochs"]) for t in rungs.plan(2, done)] == [(6, 9)]
    assert summary(done.values(), 3) == ("successive halving, eta 3: rung 0: 9 trials x "
                                         "1 epochs; rung 1: 3 x 3")


# ----------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("args, word", [
    (["--halving", "--eta", "1"], "--eta"),
    (["--halving", "--eta", "x"], "--eta"),
    (["--eta", "3"], "--eta 3 is the halving factor of --halving"),
])
def test_cli_bad_halving_flags_exit_2_with_one_line(args, word, tmp_path, capsys):
    code = main(["search", "--out", str(tmp_path / "s"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("numpynn: error:") and err.count("\n") == 1, err
    assert word in err


def test_cli_halving_end_to_end(tmp_path, capsys):
    out = tmp_path / "h"
    code = main(["search", "--grid", "--halving", "--eta", "2", "--hidden", "16", "--lr",
                 "1e-3,1e-2", "--reg", "0", "--batch-size", "128", "--epochs", "2",
                 "--out", str(out), "--no-report", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "successive halving, eta 2: rung 0: 2 trials x 1 epochs; rung 1: 1 x 2" \
        in captured.out
    rows = json.loads((out / "results.json").read_text())["trials"]
    assert [(r["rung"], r["epochs"]) for r in rows] == [(1, 2), (0, 1)]
