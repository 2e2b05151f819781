"""Packed trials (numpynn.search.packing, ``numpynn search --pack K``): which trials pack,
in which order packs go out, packed rows equal to the same trials trained alone, trials
that cannot pack training alone, and bad values refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from numpynn.cli.main import main
from numpynn.errors import InputError
from numpynn.runs.run import RunOptions
from numpynn.search import SearchSpace, search
from numpynn.search.packing import check_pack, make_packs, pack_key, packing_summary

# 8 grid trials, 2 shapes (hidden 16 / 32) of 4 trials: lr x reg differ within a shape
SPACE = SearchSpace(hidden=[[16], [32]], lr=[1e-3, 1e-2], reg=[0.0, 1e-3], batch_size=[64],
                    optimizer=["adam"], epochs=[4])


def _plan(hidden, batches, epochs=(4,)):
    plan, i = [], 0
    for h in hidden:
        for b in batches:
            for e in epochs:
                plan.append({"trial": i, "seed": i, "hidden": list(h), "batch_size": b,
                             "epochs": e, "activation": "relu", "dropout": 0.0,
                             "normalization": None})
                i += 1
    return plan


def test_packs_share_architecture_and_batch_and_respect_the_limit():
    plan = _plan([(16,), (32,)], [32, 64], epochs=(4, 4, 4))  # 4 shapes x 3 trials
    packs = make_packs(plan, 2)
    assert sorted(len(p) for p in packs) == [1, 1, 1, 1, 2, 2, 2, 2]
    for p in packs:
        assert len({pack_key(t) for t in p}) == 1
    assert sorted(t["trial"] for p in packs for t in p) == list(range(12))
    assert make_packs(plan, 100)[0][0]["hidden"] == [32]  # costliest (wider) first


def test_costliest_packs_go_first_and_pack_1_keeps_every_trial_alone():
    plan = _plan([(16,), (512,)], [64], epochs=(2, 20))
    order = [t["trial"] for p in make_packs(plan, 1) for t in p]
    assert order == [3, 2, 1, 0]  # 512 x 20 epochs, 512 x 2, 16 x 20, 16 x 2
    assert all(len(p) == 1 for p in make_packs(plan, 1))


@pytest.mark.parametrize("pack", [0, -1, 2.5, True, "4", None])
def test_bad_pack_is_refused_naming_it(pack):
    with pytest.raises(InputError) as info:
        check_pack(pack)
    assert info.value.param == "pack"
    with pytest.raises(InputError) as info:
        search(space=SPACE, mode="grid", out=None, pack=pack)
    assert info.value.param == "pack"


def test_packed_rows_equal_the_trials_trained_alone():
    options = RunOptions(dtype="float64")  # packed.py's contract: within 1e-10 in float64
    alone = {r["trial"]: r for r in search(options, SPACE, mode="grid", seed=3, out=None,
                                           pack=1).rows}
    packed = search(options, SPACE, mode="grid", seed=3, out=None, pack=4)
    assert packed.packing == "packed: 8 of 8 trial runs in 2 packs (largest 4)"
    for row in packed.rows:
        solo = alone[row["trial"]]
        assert row["pack"] == 4 and "pack" not in solo
        assert row["status"] == solo["status"] == "ok"
        assert row["best_epoch"] == solo["best_epoch"]
        assert row["val_score"] == solo["val_score"]
        assert row["val_loss"] == pytest.approx(solo["val_loss"], rel=1e-9)
        assert row["train_score"] == solo["train_score"]
    assert packed.best["trial"] == min(alone.values(), key=lambda r: (
        -r["val_score"], r["val_loss"]))["trial"]


def test_packed_halving_search_in_worker_processes(tmp_path):
    result = search(space=SPACE, mode="grid", seed=3, jobs=2, out=tmp_path / "s",
                    report=False, pack=4, halving=True, eta=2)
    assert {r.get("pack") for r in result.rows} <= {1, 2, 4} and result.packing
    assert [r["rung"] for r in result.rows[:2]] == [2, 2]
    assert json.loads((tmp_path / "s" / "search.json").read_text())["pack"] == 4
    header = (tmp_path / "s" / "results.csv").read_text().splitlines()[0]
    assert header.startswith("rank,trial,rung,") and header.endswith(",pack")


def test_trials_that_cannot_pack_train_alone(tmp_path):
    space = SearchSpace(hidden=[[8]], lr=[1e-3, 1e-2], reg=[0.0], batch_size=[64],
                        optimizer=["adam"], epochs=[2], normalization=["batch"])
    result = search(space=space, mode="grid", out=None, pack=4)
    assert all("pack" not in r and r["status"] == "ok" for r in result.rows)
    assert result.packing == ""


def test_regression_trials_pack_and_match_their_rows_alone(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=300)
    path = tmp_path / "r.csv"
    np.savetxt(path, np.c_[X, y], delimiter=",", header="a,b,c,y", comments="")
    space = SearchSpace(hidden=[[8]], lr=[1e-3, 1e-2], reg=[0.0, 1e-2], batch_size=[64],
                        optimizer=["adam"], epochs=[3])
    options = RunOptions(data=str(path), task="regression")
    packed = search(options, space, mode="grid", out=None, pack=4)
    alone = search(options, space, mode="grid", out=None, pack=1)
    assert all(r["pack"] == 4 and r["status"] == "ok" for r in packed.rows)
    assert all("pack" not in r for r in alone.rows)
    by_trial = {r["trial"]: r for r in alone.rows}
    for row in packed.rows:
        assert row["score_name"] == "r2"
        assert row["val_score"] == pytest.approx(by_trial[row["trial"]]["val_score"], rel=1e-3)
        assert row["val_loss"] == pytest.approx(by_trial[row["trial"]]["val_loss"], rel=1e-3)


def test_packing_summary_counts_packs():
    rows = [{"pack": 3}] * 3 + [{"pack": 2}] * 2 + [{}]
    assert packing_summary(rows) == "packed: 5 of 6 trial runs in 2 packs (largest 3)"
    assert packing_summary([{}, {}]) == ""


def test_cli_pack(tmp_path, capsys):
    out = tmp_path / "p"
    code = main(["search", "--grid", "--pack", "2", "--hidden", "16", "--lr", "1e-3,1e-2",
                 "--reg", "0", "--batch-size", "128", "--epochs", "2", "--out", str(out),
                 "--no-report"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "packed: 2 of 2 trial runs in 1 packs (largest 2)" in captured.out
    assert "pack of 2" in captured.err
    assert main(["search", "--pack", "0", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("numpynn: error:") and "--pack" in err and err.count("\n") == 1
