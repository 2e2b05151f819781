"""Complex-step derivatives settle what centred differences leave inconclusive: tiny
gradients (below the rounding floor) and ReLU inputs within h of their kink."""

from __future__ import annotations

import numpy as np

from numpynn.gradcheck.checks import (
    FAIL,
    INCONCLUSIVE,
    PASS,
    ComplexStep,
    check_array,
    check_gradients,
    check_layer,
)
from numpynn.gradcheck.corpus import LearnerNet
from numpynn.models import MLP


def tiny_relu_net(reg: float = 0.1):
    """The corpus's [7, 6, 5] MLP at weight scale 1e-3, zero biases: third-layer ReLU
    inputs of about 1e-9, first-layer gradients of about 1e-9."""
    rng = np.random.default_rng(1000)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 4, 6)
    return MLP(5, [7, 6, 5], 4, weight_scale=1e-3, reg=reg, dtype=np.float64, seed=0), X, y


def test_tiny_weight_relu_net_that_was_inconclusive_now_passes_and_a_bug_still_fails():
    net, X, y = tiny_relu_net()
    before = check_gradients(net, X, y, complex_step=False)
    assert before.verdict == INCONCLUSIVE and before["b3"].cause == "kink", before
    after = check_gradients(net, X, y)
    assert after.verdict == PASS and after.complex_step, after
    learner = check_gradients(LearnerNet(net.params, net.reg), X, y)
    assert learner.verdict == PASS and learner.complex_step, learner
    for mutation in ("relu_mask_sign", "db_mean"):
        bug = LearnerNet(net.params, net.reg, mutation, 1e-4)
        assert bug.relative_size(X, y) >= 1e-4 * (1 - 1e-9)
        report = check_gradients(bug, X, y)
        assert report.verdict == FAIL, (mutation, report)


def _two_kinks(v):
    """Kinks at v0 = 1e-9 and v0 = -3e-9 (the slope between them is 1), plus v1 ** 2."""
    return np.maximum(v[0] - 1e-9, 0) + np.maximum(v[0] + 3e-9, 0) + v[1] ** 2


def test_an_entry_between_two_kinks_is_settled_by_the_complex_step():
    x = np.array([0.0, 0.7])
    xc = x.astype(complex)
    step = ComplexStep(lambda: _two_kinks(xc), xc)
    assert step.derivative((0,)) == 1.0 and step.derivative((1,)) == 1.4
    row = check_array("x", np.array([1.0, 1.4]), lambda: float(_two_kinks(x)), x,
                      complex_step=step)
    assert row.verdict == PASS, row.explanation()
    # without it: inconclusive; a wrong slope at the kink is not cleared either
    assert check_array("x", np.array([1.0, 1.4]), lambda: float(_two_kinks(x)),
                       x).verdict == INCONCLUSIVE
    wrong = check_array("x", np.array([1.0 + 1e-4, 1.4]), lambda: float(_two_kinks(x)), x,
                        complex_step=step)
    assert wrong.verdict == INCONCLUSIVE


def test_at_an_exact_kink_the_two_complex_steps_give_the_two_slopes():
    xc = np.array([0.0, -1.0, 2.0], dtype=complex)
    step = ComplexStep(lambda: np.maximum(xc, 0).sum(), xc)
    assert step.derivative((0,), 1.0) == 1.0 and step.derivative((0,), -1.0) == 0.0
    assert step.derivative((1,)) == 0.0 and step.derivative((2,)) == 1.0
    np.testing.assert_array_equal(xc, [0.0, -1.0, 2.0])  # restored


def test_code_that_is_not_complex_analytic_is_not_trusted():
    # abs() drops the imaginary part: the complex step says 0 for x1, the centred
    # differences (conclusive there) say 1.4, so it is not used for x0 either.
    x = np.array([0.0, 0.7])
    xc = x.astype(complex)

    def f(v):
        return np.maximum(v[0] - 1e-9, 0) + np.maximum(v[0] + 3e-9, 0) + np.abs(v[1]) ** 2

    step = ComplexStep(lambda: f(xc), xc)
    assert step.derivative((1,)) == 0.0
    row = check_array("x", np.array([1.0, 1.4]), lambda: float(f(x)), x, complex_step=step)
    assert row.verdict == INCONCLUSIVE and row.cause == "kink"


def test_a_layer_that_drops_complex_values_is_checked_without_complex_steps():
    x = np.array([[0.0, 0.7, -0.3]])

    def forward(v):  # a kink between 1e-9 and -3e-9 for v[0, 0], computed in float64
        v = v.astype(np.float64)
        return _two_kinks(v[0])[None] + 0 * v[:, :1] + v[:, 2:] ** 3, None

    def backward(dout, cache):
        return np.array([[1.0, 1.4, 3 * 0.09]]) * dout

    report = check_layer(forward, backward, x, names=["x"])
    assert not report.complex_step and report.verdict == INCONCLUSIVE, report

    def keeps(v):  # the same layer without the cast
        return _two_kinks(v[0])[None] + 0 * v[:, :1] + v[:, 2:] ** 3, None

    report = check_layer(keeps, backward, x, names=["x"])
    assert report.complex_step and report.verdict == PASS, report
