"""``reg='auto'``: the L2 strength chosen on held-out rows (numpynn.runs.folds.settings,
choose_by_folds, numpynn.runs.run.try_other_settings), a regression's default."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from numpynn.cli.main import main
from numpynn.errors import InputError
from numpynn.model_file import load_model
from numpynn.runs.folds import settings
from numpynn.runs.run import (
    RunOptions,
    apply_task_defaults,
    prepare_splits,
    run_training,
    train_together,
)
from numpynn.tasks import Regression, task_named
from numpynn.training.trainer import TrainConfig

CANDIDATES = Regression.reg_candidates


def _table(path, n=200, seed=0, skewed=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.3 * rng.normal(size=n)
    if skewed:
        y = np.exp(1 + 0.6 * X[:, 0] + 0.2 * rng.normal(size=n))
    path.write_text("a,b,c,d,target\n" + "".join(
        ",".join(f"{v:.5f}" for v in row) + f",{t:.5f}\n" for row, t in zip(X, y)))
    return path


def _choice(line: str, where: str) -> tuple[float, list[float]]:
    """(the kept setting's score, the others' scores) of a choice line."""
    kept, against = line.split(", against ")
    best = float(re.search(rf"{where} R\^2 (-?[\d.]+)$", kept)[1])
    others = [float(v) for v in re.findall(r" (-?\d+\.\d{4})(?:,|$)",
                                           against.split("); ")[0])]
    return best, others


def test_a_regression_chooses_its_l2_on_the_folds_and_saves_the_number(tmp_path):
    path = _table(tmp_path / "t.csv")
    short = TrainConfig(epochs=40, patience=10)
    result = run_training(RunOptions(data=str(path), train=short), tmp_path / "run",
                          report=False)
    line = result.choices[0]
    assert line.startswith("epochs: ") and "3-fold cross-validation" in line
    best, others = _choice(line, "mean fold")
    assert len(others) == len(CANDIDATES) - 1 and all(best >= v for v in others)
    chosen = float(re.search(r"L2 reg ([\d.e-]+)", line)[1])
    assert chosen in CANDIDATES
    saved = load_model(tmp_path / "run")
    assert saved.model.reg == pytest.approx(chosen)
    assert saved.metadata["options"]["reg"] == pytest.approx(chosen)  # the number, not auto
    assert "give `reg` a number" in line


def test_a_given_number_is_kept_and_nothing_is_chosen(tmp_path):
    path = _table(tmp_path / "t.csv")
    result = run_training(RunOptions(data=str(path), reg=0.01, task_defaults=["epochs"],
                                     train=TrainConfig(epochs=20, patience=5)),
                          tmp_path / "run", report=False)
    assert all("L2 reg" not in c for c in result.choices)
    assert load_model(tmp_path / "run").model.reg == pytest.approx(0.01)


def test_on_a_validation_split_each_candidate_trains_and_the_best_is_kept(tmp_path):
    path = _table(tmp_path / "t.csv", skewed=True)
    options = RunOptions(data=str(path), cv_folds=1, train=TrainConfig(epochs=30, patience=8))
    result = run_training(options, tmp_path / "run", report=False)
    line = next(c for c in result.choices if "L2 reg" in c)
    best, others = _choice(line, "validation")
    # three strengths x (the values, log(1 + y)): five others
    assert len(others) == 2 * len(CANDIDATES) - 1 and all(best >= v for v in others)
    chosen = float(re.search(r"L2 reg ([\d.e-]+)", line)[1])
    assert load_model(tmp_path / "run").model.reg == pytest.approx(chosen)
    # the saved figures are the kept network's: its validation R^2 is the line's
    assert result.metrics["val"]["r2"] == pytest.approx(best, abs=1e-4)


def test_settings_cross_strengths_with_target_transforms():
    task = task_named("regression")
    y = np.exp(np.random.default_rng(0).normal(size=(300, 1)))  # skewed: a log candidate
    auto = settings(RunOptions(reg="auto", target_transform="auto"), task, y)
    assert [(s.name, s.reg) for s in auto] == (
        [("", r) for r in CANDIDATES] + [("log(1 + y)", r) for r in CANDIDATES])
    fixed = settings(RunOptions(reg=1e-3, target_transform="none"), task, y)
    assert [(s.name, s.reg) for s in fixed] == [("", 1e-3)]


def test_packed_candidates_end_as_each_trained_alone(tmp_path):
    path = _table(tmp_path / "t.csv")
    task = task_named("regression")
    options = apply_task_defaults(RunOptions(data=str(path), cv_folds=1,
                                             train=TrainConfig(epochs=15, patience=5)),
                                  task, n_rows=200)
    options = replace(options, reg=1e-4)
    splits = prepare_splits(options, task=task)
    each = [replace(options, reg=r) for r in CANDIDATES]
    packed = train_together(each, splits)
    alone = [train_together([o], splits)[0] for o in each]
    for (pm, ph), (am, ah) in zip(packed, alone):
        assert ph.engine.startswith("packed") and not ah.engine.startswith("packed")
        assert ph.best_epoch == ah.best_epoch and ph.epochs == ah.epochs
        for key in am.params:
            np.testing.assert_allclose(pm.params[key], am.params[key], rtol=1e-3, atol=1e-5)


def test_auto_needs_held_out_rows_and_one_network(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("x,label\n" + "".join(f"{i % 7},{'ab'[i % 2]}\n" for i in range(60)))
    with pytest.raises(InputError, match="held-out rows") as caught:
        run_training(RunOptions(data=str(path), reg="auto", final_fit="none",
                                val_fraction=0.0), tmp_path / "run", report=False)
    assert caught.value.param == "reg"
    with pytest.raises(InputError, match="reg='auto'") as caught:
        run_training(RunOptions(data="digits", reg="auto", ensemble=3), tmp_path / "e",
                     report=False)
    assert caught.value.param == "ensemble"
    for bad in (-1, "often", float("nan")):
        with pytest.raises(InputError, match="'auto'"):
            RunOptions(reg=bad)


def test_cli_reads_auto_and_refuses_a_bad_value(tmp_path, capsys):
    data = _table(tmp_path / "t.csv", n=150)
    code = main(["train", "--data", str(data), "--label-column", "target", "--reg", "AUTO",
                 "--epochs", "10", "--out", str(tmp_path / "r"), "--no-report", "--quiet"])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    assert load_model(tmp_path / "r").model.reg in CANDIDATES
    assert main(["train", "--data", str(data), "--reg", "lots", "--out",
                 str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("numpynn: error:") and "--reg" in err and "'auto'" in err
    assert err.count("\n") == 1


def test_classification_keeps_its_fixed_default():
    task = task_named("classification")
    assert apply_task_defaults(RunOptions(data="t.csv"), task, n_rows=500).reg == 1e-4
    regression = apply_task_defaults(RunOptions(data="t.csv"), task_named("regression"),
                                     n_rows=500)
    assert regression.reg == "auto"


def test_without_held_out_rows_the_default_falls_back_and_says_so(tmp_path, capsys):
    data = _table(tmp_path / "t.csv", n=150)
    code = main(["train", "--data", str(data), "--label-column", "target", "--val-fraction",
                 "0", "--cv-folds", "1", "--epochs", "5", "--out", str(tmp_path / "r"),
                 "--no-report"])
    out = capsys.readouterr().out
    assert code == 0
    assert "L2 strength: 0.0001, not chosen" in out and "--reg sets another" in out
    assert load_model(tmp_path / "r").model.reg == pytest.approx(1e-4)
    code = main(["train", "--data", str(data), "--label-column", "target", "--val-fraction",
                 "0", "--cv-folds", "1", "--reg", "auto", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2 and "--reg auto" in err and "held-out rows" in err


def test_options_set_in_python_are_not_replaced_by_the_tasks_defaults():
    """RunOptions lists the per-task options in task_defaults; a value the caller set
    (not the classification default) is theirs, for every task."""
    mine = RunOptions(data="t.csv", hidden=[7], reg=0.01,
                      train=TrainConfig(lr=0.05, epochs=5, batch_size=16, patience=3))
    got = apply_task_defaults(mine, task_named("regression"), n_rows=500)
    assert (got.hidden, got.reg, got.train.lr, got.train.epochs, got.train.batch_size,
            got.train.patience) == ([7], 0.01, 0.05, 5, 16, 3)
    left = apply_task_defaults(RunOptions(data="t.csv"), task_named("regression"), n_rows=500)
    defaults = Regression.defaults
    assert (left.hidden, left.reg, left.train.lr, left.train.epochs) == (
        defaults["hidden"], "auto", defaults["lr"], defaults["epochs"])


@pytest.mark.parametrize("n", [200, 202])  # folds of one size, or a row borrowed
def test_every_fold_of_every_candidate_trains_in_one_pack_as_it_would_alone(tmp_path, n):
    """choose_by_folds trains the K folds x candidates networks in one packed call (its
    held-out rows topped up so that every fold trains on as many rows) and chooses what
    the same networks trained one by one choose."""
    from numpynn.runs.folds import choose_by_folds

    path = _table(tmp_path / "t.csv", n=n, skewed=True)
    task = task_named("regression")
    options = apply_task_defaults(RunOptions(data=str(path),
                                             train=TrainConfig(epochs=15, patience=4)),
                                  task, n_rows=n)
    splits = prepare_splits(options, task=task)
    engines: list[str] = []

    def packed(opts, pool, seed=None, parts=None):
        out = train_together(opts, pool, seed, parts)
        engines.extend(h.engine for _, h in out)
        return out

    def alone(opts, pool, seed=None, parts=None):
        return [train_together([o], pool, seed, [p])[0] for o, p in zip(opts, parts)]

    together = choose_by_folds(options, splits, 3, packed)
    each = choose_by_folds(options, splits, 3, alone)
    networks = 3 * len(settings(options, task, splits.y_train))
    assert networks == 18 and engines == [f"packed ({networks} models)"] * networks
    assert together.fold_epochs == each.fold_epochs and together.reg == each.reg
    np.testing.assert_allclose(together.fold_scores, each.fold_scores, rtol=1e-4, atol=1e-5)
    assert together.epochs == each.epochs
    assert together.text.split(" (")[0] == each.text.split(" (")[0]  # "epochs: N, ..."
