"""Round 16 numerics: targets that carry nothing (one value in every row) and targets far
from unit scale in the scikit-learn regressor."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from numpynn.errors import DataError
from numpynn.runs.run import RunOptions, run_training
from numpynn.sklearn import MLPRegressor
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn


def _write(path, header, rows):
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows])
                    + "\n")


def _table(rng, n=60):
    X = rng.normal(size=(n, 3))
    return X, X @ [1.0, 2.0, -1.0]


def test_a_constant_regression_target_is_a_clear_error(tmp_path):
    """It trained, printed R^2 0.0000 on every split and saved a model whose predictions
    were off by 0.1 from the one value there is."""
    X, _ = _table(np.random.default_rng(0))
    _write(tmp_path / "flat.csv", ["a", "b", "c", "target"],
           [[*(f"{v:.4f}" for v in x), "3.5"] for x in X])
    proc = numpynn("train", "--data", "flat.csv", "--epochs", "2", "--no-report", "--out",
                   "run", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "'target' holds the same value (3.5) in every one of the 60 rows" in line
    assert "--label-column" in line
    assert not (tmp_path / "run" / "model.npz").exists()


def test_a_constant_column_of_several_targets_is_named(tmp_path):
    X, y = _table(np.random.default_rng(1))
    np.savez(tmp_path / "two.npz", X=X, y=np.c_[y, np.zeros(len(y))])
    with pytest.raises(DataError, match=r"target column 1 \(of 2\) holds the same value"):
        run_training(RunOptions(data=str(tmp_path / "two.npz"), task="regression",
                                train=TrainConfig(epochs=1)), tmp_path / "run", report=False)


def test_a_varying_regression_target_still_trains(tmp_path):
    X, y = _table(np.random.default_rng(2))
    np.savez(tmp_path / "ok.npz", X=X, y=np.round(y, 1))
    result = run_training(RunOptions(data=str(tmp_path / "ok.npz"), task="regression",
                                     train=TrainConfig(epochs=2)), tmp_path / "run",
                          report=False)
    assert np.isfinite(result.metrics["test"]["r2"])


@pytest.mark.parametrize("shift, scale", [(1e8, 1e6), (0.0, 1e-8)])
def test_the_regressor_names_scale_y_for_targets_far_from_unit_scale(shift, scale):
    """Targets around 1e8 or 1e-8 without scale_y fit to R^2 of -1e3 and -1e13, with only
    the ConvergenceWarning (which asks for more iterations) to say anything."""
    X, y = _table(np.random.default_rng(3))
    with pytest.warns(UserWarning, match=r"far from unit scale.*scale_y=True"):
        MLPRegressor(max_iter=2, random_state=0).fit(X, shift + scale * y)
    with warnings.catch_warnings(record=True) as caught:  # scale_y asked for: no warning
        warnings.simplefilter("always")
        model = MLPRegressor(max_iter=50, random_state=0, scale_y=True)
        model.fit(X, shift + scale * y)
    assert not [w for w in caught if "unit scale" in str(w.message)]
    assert model.score(X, shift + scale * y) > 0.5


@pytest.mark.parametrize("target", ["unit", "zero", "hundreds"])
def test_the_regressor_is_quiet_on_targets_near_unit_scale(target):
    X, y = _table(np.random.default_rng(4))
    t = {"unit": y, "zero": np.zeros(len(y)), "hundreds": 300 + 50 * y}[target]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MLPRegressor(max_iter=2, random_state=0).fit(X, t)
    assert not [w for w in caught if "unit scale" in str(w.message)]


def test_a_target_a_million_deviations_out_of_line_is_named(tmp_path):
    """Three targets of 1e12 among values of a few units (a typo, a code for missing):
    the run trained to R^2 0.04 on its training rows, saved a model that missed the other
    rows (R^2 -17 on them) and said nothing, as R^2 stayed above 0."""
    rng = np.random.default_rng(5)
    X, y = _table(rng, 120)
    y[[0, 1, 2]] = 1e12
    _write(tmp_path / "typo.csv", ["a", "b", "c", "price"],
           [[*(f"{v:.4f}" for v in x), f"{t:.4f}"] for x, t in zip(X, y)])
    result = run_training(RunOptions(data=str(tmp_path / "typo.csv"),
                                     train=TrainConfig(epochs=2)), tmp_path / "run",
                          report=False)
    (warning,) = [w for w in result.warnings if "typical deviations" in w]
    assert warning.startswith("warning: 3 value(s) of the label column 'price' (1e+12, ")
    assert "typo" in warning and "`target_transform='log'`" in warning


@pytest.mark.parametrize("tail", ["lognormal", "pareto", "counts"])
def test_a_real_heavy_tail_is_not_called_out_of_line(tail):
    from numpynn.tasks.regression import extreme_targets

    rng = np.random.default_rng(6)
    y = {"lognormal": rng.lognormal(0, 3, 20000), "pareto": rng.pareto(1.0, 20000),
         "counts": rng.poisson(0.3, 5000).astype(float)}[tail]
    assert extreme_targets(y) is None
