"""Round 17 numerics: held-out rows far outside the training rows, learning rates too
small to move a network, and hints that fit the network they are about."""

from __future__ import annotations

import numpy as np

from numpynn.runs.run import RunOptions, run_training
from numpynn.training.trainer import TrainConfig


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
