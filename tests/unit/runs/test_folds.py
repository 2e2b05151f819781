"""K-fold choice of the epoch count on small tables (numpynn.runs.folds)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpynn.errors import InputError
from numpynn.runs.folds import (
    FOLDS_MAX_ROWS,
    FOLDS_MIN_ROWS,
    auto_folds,
    fold_indices,
    held_out_rows,
)
from numpynn.runs.run import RunOptions, apply_task_defaults, run_training
from numpynn.tasks import task_named
from numpynn.training.trainer import TrainConfig


@settings(max_examples=30, deadline=None)
@given(st.integers(10, 200), st.integers(2, 6), st.integers(0, 3), st.booleans())
def test_folds_are_disjoint_cover_every_row_and_keep_the_class_shares(n, k, seed, stratified):
    y = np.arange(n) % 3
    folds = fold_indices(y, k, seed, stratified)
    joined = np.sort(np.concatenate(folds))
    np.testing.assert_array_equal(joined, np.arange(n))
    assert max(len(f) for f in folds) - min(len(f) for f in folds) <= (3 if stratified else 1)
    if stratified:
        for f in folds:  # each class in proportion, to one row
            counts = np.bincount(y[f], minlength=3)
            assert counts.max() - counts.min() <= 1
    assert [list(f) for f in fold_indices(y, k, seed, stratified)] == [list(f) for f in folds]


@settings(max_examples=40, deadline=None)
@given(st.integers(10, 200), st.integers(2, 6), st.integers(0, 3), st.booleans())
def test_held_out_rows_leave_every_network_as_many_training_rows(n, k, seed, stratified):
    """Each fold's held-out rows hold its fold, topped up by at most a row or so of the
    next; every network then trains on the same number of rows (so they pack)."""
    y = np.arange(n) % 3
    folds = fold_indices(y, k, seed, stratified)
    held = held_out_rows(folds)
    assert len({h.shape[0] for h in held}) == 1
    assert held[0].shape[0] == max(f.shape[0] for f in folds)
    for i, (f, h) in enumerate(zip(folds, held)):
        assert np.isin(f, h).all() and np.unique(h).shape == h.shape
        extra = h[~np.isin(h, f)]
        assert np.isin(extra, folds[(i + 1) % k]).all()
    if n % k == 0:
        assert all(np.array_equal(f, h) for f, h in zip(folds, held))
    if k >= 3:  # every row trained on by at least one network
        trained = np.zeros(n, int)
        for h in held:
            trained[np.setdiff1d(np.arange(n), h)] += 1
        assert trained.min() >= 1


def test_auto_cross_validates_small_tables_only():
    assert auto_folds(FOLDS_MIN_ROWS - 1) == 1 and auto_folds(FOLDS_MIN_ROWS) == 3
    assert auto_folds(FOLDS_MAX_ROWS - 1) == 3 and auto_folds(FOLDS_MAX_ROWS) == 1
    task = task_named("classification")
    small = apply_task_defaults(RunOptions(data="t.csv"), task, n_rows=500)
    assert small.cv_folds == 3 and small.val_fraction == 0.0
    mid = apply_task_defaults(RunOptions(data="t.csv"), task, n_rows=5000)
    assert mid.cv_folds == 3 and mid.val_fraction == 0.0  # 4,000 training rows: folds too
    big = apply_task_defaults(RunOptions(data="t.csv"), task, n_rows=20_000)
    assert big.cv_folds == 1 and big.val_fraction == 0.2
    named = apply_task_defaults(RunOptions(data="digits"), task, n_rows=1797)
    assert named.cv_folds == 1  # named data sets keep their own rules
    asked = apply_task_defaults(RunOptions(data="t.csv", val_fraction=0.1), task, n_rows=500)
    assert asked.cv_folds == 1 and asked.val_fraction == 0.1
    with pytest.raises(InputError, match="give one of them"):
        apply_task_defaults(RunOptions(data="t.csv", cv_folds=3, val_fraction=0.2), task,
                            n_rows=500)
    with pytest.raises(InputError, match="cv_folds"):
        RunOptions(cv_folds=0)


def test_a_small_table_trains_the_median_of_its_folds_epochs(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = np.where(X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=200) > 0, "a", "b")
    path = tmp_path / "t.csv"
    path.write_text("x1,x2,x3,label\n" + "".join(
        f"{a:.4f},{b:.4f},{c:.4f},{t}\n" for (a, b, c), t in zip(X, y)))
    result = run_training(RunOptions(data=str(path), cv_folds=4,
                                     train=TrainConfig(epochs=40, patience=5)),
                          tmp_path / "run", report=False)
    text = result.choices[0]
    kept = [int(v) for v in text.split("kept (")[1].split(";")[0].split(", ")]
    assert len(kept) == 4 and text.startswith(f"epochs: {int(np.median(kept))}, the median")
    assert len(result.history.epochs) == int(np.median(kept))
    assert result.history.best_rule == "the epoch count 4-fold cross-validation chose"
    assert result.saved.metadata["split_sizes"]["val"] == 0
    assert result.final_fit["epochs"] == int(np.median(kept)) and result.final_fit["rows"] == 200


def test_more_folds_than_the_rows_allow_are_refused_naming_the_flag(tmp_path):
    from tests.clirun import numpynn
    rng = np.random.default_rng(1)
    rows = "".join(f"{a:.3f},{b:.3f},{'ab'[i % 2]}\n" for i, (a, b) in
                   enumerate(rng.normal(size=(120, 2))))
    (tmp_path / "t.csv").write_text("x1,x2,label\n" + rows)
    proc = numpynn("train", "--data", "t.csv", "--cv-folds", "500", "--out", "run",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--cv-folds 500" in proc.stderr and "give at most 48" in proc.stderr
    assert not (tmp_path / "run").exists()


def test_an_ensemble_with_folds_is_refused():
    from numpynn.runs.ensembles import check_ensemble
    options = RunOptions(data="t.csv", ensemble=3, cv_folds=3)
    with pytest.raises(InputError, match="cv_folds=3"):
        check_ensemble(options, task_named("classification"))
