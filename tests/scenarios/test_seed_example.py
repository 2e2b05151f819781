"""examples/seed_question.py: the seed question's eq. 1 variants, run and imported."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from numpynn import TwoLayerNet
from numpynn.losses import softmax_cross_entropy
from tests.clirun import REPO

ROOT = REPO
SCRIPT = ROOT / "examples" / "seed_question.py"
SEEDS = range(8)


def _load_script():
    spec = importlib.util.spec_from_file_location("seed_question", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sq():
    return _load_script()


def _run_script(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", [(), ("--seed", "3")])
def test_script_prints_the_verdicts(args):
    proc = _run_script(*args)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "mask: WRONG" in lines
    assert "commented: correct" in lines
    assert "reference: correct" in lines
    for variant in ("mask", "commented", "reference"):
        assert f"{variant:<10} dS shape (5, 3)" in lines


def _dscores(sq, seed):
    X, y, params = sq.make_problem(seed)
    _, a2 = sq.forward(params, X)
    return a2, y, {name: ds(a2, y) for name, ds in sq.VARIANTS.items()}


@pytest.mark.parametrize("seed", SEEDS)
def test_commented_line_equals_reference(sq, seed):
    _, _, ds = _dscores(sq, seed)
    assert ds["commented"].shape == ds["reference"].shape == (sq.N, sq.C)
    np.testing.assert_allclose(ds["commented"], ds["reference"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_mask_keeps_only_the_target_column(sq, seed):
    a2, y, ds = _dscores(sq, seed)
    n = a2.shape[0]
    rows = np.arange(n)
    target = np.zeros(a2.shape, dtype=bool)
    target[rows, y] = True
    truth, mask = ds["reference"], ds["mask"]
    # Non-target columns: the truth is P / N (nonzero), the mask version leaves 0.
    np.testing.assert_allclose(truth[~target], a2[~target] / n, rtol=1e-12)
    assert np.all(truth[~target] > 0)
    assert np.all(mask[~target] == 0)
    # Target column: (1 - p_y) / N, the truth (p_y - 1) / N without the minus of -log p_y;
    # with that sign restored, the mask version matches the truth there and only there.
    np.testing.assert_allclose(-mask[target], truth[target], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_errors_give_the_verdicts(sq, seed):
    _, errors = sq.gradient_errors(seed)
    for variant in ("commented", "reference"):
        assert max(errors[variant].values()) < sq.TOL, (variant, errors[variant])
    assert min(errors["mask"].values()) > 1e-2, errors["mask"]


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_reference_matches_the_library(sq, seed):
    """The script's plain-NumPy eqs. 1-4 agree with numpynn's losses and TwoLayerNet."""
    X, y, params = sq.make_problem(seed)
    a1, a2 = sq.forward(params, X)
    loss, dscores = softmax_cross_entropy(a1 @ params["W2"] + params["b2"], y)
    np.testing.assert_allclose(sq.ds_reference(a2, y), dscores, rtol=1e-12, atol=1e-15)

    model = TwoLayerNet(sq.D, sq.H, sq.C, reg=sq.REG, dtype=np.float64, seed=0)
    model.set_params(params)
    model_loss, grads = model.loss(X, y)
    assert model_loss == pytest.approx(sq.loss(params, X, y), rel=1e-12)
    mine = sq.backward(params, X, a1, sq.ds_reference(a2, y))
    for name in sq.PARAMS:
        np.testing.assert_allclose(mine[name], grads[name], rtol=1e-10, atol=1e-14)
