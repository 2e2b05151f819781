"""Round 17 numerics: held-out rows far outside the training rows, learning rates too
small to move a network, and hints that fit the network they are about."""

from __future__ import annotations

import numpy as np

from numpynn.runs.run import RunOptions, run_training
from numpynn.tasks.regression import Regression
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn


def _table(seed: int = 0, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ [1.0, 2.0, -1.0] + 0.1 * rng.normal(size=n)


def test_a_feature_far_out_only_in_held_out_rows_does_not_wreck_the_final_fit(tmp_path):
    """A column 0 in every row but one (1e6, a sentinel), that row among the test rows:
    the training rows' preprocessing mapped it to 3e5, and the fit on every row 'diverged'
    with advice to lower the learning rate. The column is standardised again on every row
    for that fit, and the saved model says so and predicts as well as the estimate."""
    X, y = _table()
    odd = np.zeros(len(y))
    odd[5] = 1e6  # row 5 is a test row of the default split of 300 rows
    np.savez(tmp_path / "odd.npz", X=np.c_[X, odd], y=y)
    result = run_training(RunOptions(data=str(tmp_path / "odd.npz"), task="regression",
                                     reg=1e-3, train=TrainConfig(epochs=5)),
                          tmp_path / "run", report=False)
    assert result.final_fit is not None and result.final_fit["restandardised"] == [3]
    predicted = result.saved.predict(np.c_[X, odd][:100]).ravel()
    assert 1 - np.mean((predicted - y[:100]) ** 2) / np.var(y[:100]) > 0.5


def test_the_warning_names_a_feature_far_out_in_the_held_out_rows(tmp_path):
    """The estimate's network met 2.6e5 where it trained on 0: test R^2 -8.8e6, and the
    warning listed every cause but the one in the data."""
    X, y = _table()
    odd = np.zeros(len(y))
    odd[5] = 1e6
    np.savez(tmp_path / "odd.npz", X=np.c_[X, odd], y=y)
    result = run_training(RunOptions(data=str(tmp_path / "odd.npz"), task="regression",
                                     reg=1e-3, final_fit="none", train=TrainConfig(epochs=5)),
                          tmp_path / "run", report=False)
    (warning,) = [w for w in result.warnings if "worse than always answering" in w]
    assert "Likely causes: held-out rows far outside the training rows: feature column 3 " \
           "reaches" in warning


def test_a_one_unit_network_is_called_too_narrow_not_too_big(tmp_path):
    """`hidden=[1]` predicting worse than the mean was told to try a smaller `hidden`
    (e.g. 2)."""
    X, _ = _table(1)
    noise = np.random.default_rng(2).normal(size=len(X))
    np.savez(tmp_path / "noise.npz", X=X, y=noise)
    result = run_training(RunOptions(data=str(tmp_path / "noise.npz"), task="regression",
                                     hidden=[1], reg=1e-3, final_fit="none",
                                     train=TrainConfig(epochs=3)),
                          tmp_path / "run", report=False)
    (warning,) = [w for w in result.warnings if "worse than always answering" in w]
    assert "too narrow a network (its widest layer has 1 unit" in warning
    assert "smaller `hidden`" not in warning


def test_a_learning_rate_too_small_to_move_the_network_is_said(tmp_path):
    """`lr=1e-12` trained every epoch asked without a word; the test score was the random
    network's. The run now says the parameters hardly moved, and what to give."""
    X, y = _table(3)
    np.savez(tmp_path / "t.npz", X=X, y=y)
    still, moving = (run_training(RunOptions(data=str(tmp_path / "t.npz"), task="regression",
                                             reg=1e-3, final_fit="none", cv_folds=1,
                                             train=TrainConfig(epochs=2, lr=lr)),
                                  tmp_path / f"run{lr}", report=False) for lr in (1e-12, 1e-3))
    (warning,) = [w for w in still.warnings if "hardly moved" in w]
    assert "learning rate 1e-12" in warning and "`lr=0.001`" in warning
    assert not [w for w in moving.warnings if "hardly moved" in w]


def test_r2_of_rows_without_spread_is_not_shown_as_zero(tmp_path):
    """evaluate on one row, or on rows whose targets hold one value, printed R^2 0.0000 (a
    figure of the formula's fallback, not of the model); the run's table did the same for
    a validation split of one row."""
    X, y = _table(4, n=40)
    header = "a,b,c,target\n"
    (tmp_path / "t.csv").write_text(header + "".join(
        f"{a:.6f},{b:.6f},{c:.6f},{t:.6f}\n" for (a, b, c), t in zip(X, y)))
    (tmp_path / "one.csv").write_text(header + "0.1,0.2,0.3,1.5\n")
    (tmp_path / "flat.csv").write_text(header + "0.1,0.2,0.3,1.5\n0.4,0.5,0.6,1.5\n")
    assert numpynn("train", "--data", "t.csv", "--task", "regression", "--epochs", "2",
                   "--quiet", "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    for name, why in (("one.csv", "1 row"), ("flat.csv", "the targets hold one value")):
        proc = numpynn("evaluate", "run/model.npz", "--data", name, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert f"R^2   n/a ({why}: " in proc.stdout
    table = Regression().format_metrics({"val": {"r2": 0.0, "rmse": 1.5, "mae": 1.5, "n": 1}})
    assert table.splitlines()[1].split()[:3] == ["val", "1", "n/a"]
