"""A FAIL names the kind of bug its numbers show (numpynn.gradcheck.checks.KINDS), and the
checks draw every array from its own stream."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.gradcheck.checks import FAIL, PASS, bug_kind, check_gradients, check_layer, stream
from numpynn.gradcheck.corpus import LearnerNet
from numpynn.layers import relu_forward, sigmoid_backward, sigmoid_forward


def _x(seed=0, shape=(4, 5)):
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.where(np.abs(x) < 0.05, 0.5, x)


def test_streams_differ_by_name_and_repeat_by_seed():
    a, b = stream(0, "x").standard_normal(5), stream(0, "dout").standard_normal(5)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a, stream(0, "x").standard_normal(5))


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_relu_backward_that_masks_with_dout_fails_for_every_seed(seed):
    # the false reassurance of issue 20: dout == x made this pass
    report = check_layer(relu_forward, lambda dout, x: dout * (dout > 0), _x(seed),
                         names=["x"], seed=seed)
    assert report.verdict == FAIL and report["x"].kind == "mask", report
    assert "mask" in report.to_table()


@pytest.mark.parametrize("factor, kind", [(-1.0, "negation"), (2.0, "factor 2"),
                                          (0.5, "factor 1/2"), (4.0, "factor N"),
                                          (0.25, "factor 1/N"), (3.0, "factor")])
def test_a_constant_factor_is_named(factor, kind):
    report = check_layer(sigmoid_forward, lambda d, c: factor * sigmoid_backward(d, c),
                         _x(), names=["x"])  # N = 4 rows
    row = report["x"]
    assert row.verdict == FAIL and row.kind == kind, report
    assert f"likely bug: {kind}" in row.explanation()


def test_bug_kind_names_nothing_for_an_unstructured_difference():
    rng = np.random.default_rng(0)
    a, n = rng.standard_normal(10), rng.standard_normal(10)
    assert bug_kind(a, n, 5) == (None, "")
    assert bug_kind(n * 25, n, 5)[0] == "factor N"  # /N twice (N^2)
    assert "N^2" in bug_kind(n * 25, n, 5)[1]



def test_a_gradient_the_loss_does_not_depend_on_is_not_called_a_mask():
    """b before batch norm (affine_bn_relu_backward handing the affine da for dan): the
    numerical gradient is 0 everywhere, the analytic not; a skipped step, not a mask."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(5)
    assert bug_kind(a, np.zeros(5), 4) == (None, "")
    masked = a.copy()
    masked[:2] = 0  # a mask still is one
    assert bug_kind(a, masked, 4)[0] == "mask"

def test_forward_that_edits_its_input_in_place_is_named():
    def forward(x):
        x *= 2  # edits the caller's array: a second call on it doubles again
        return x, None

    report = check_layer(forward, lambda d, c: 2 * d, _x(), names=["x"])
    assert report.verdict == FAIL and "in place" in report.kinds, report
    assert "changed its input x in place" in report.to_table()


def test_backward_that_edits_its_cache_is_named():
    def backward(dout, s):  # right once, but it overwrites the cached output s
        s *= 1 - s
        return dout * s

    report = check_layer(sigmoid_forward, backward, _x(), names=["x"])
    assert report.verdict == FAIL and "in place" in report.kinds, report
    assert "backward" in [r.name for r in report.rows if r.kind == "in place"]
    # a backward that edits dout in place (not its cache) is correct
    def inplace_dout(dout, s):
        dout *= s * (1 - s)
        return dout

    assert check_layer(sigmoid_forward, inplace_dout, _x(), names=["x"]).verdict == PASS


def test_a_random_forward_is_named_not_called_a_kink():
    def forward(x):
        return x * (np.random.rand(*x.shape) < 0.5), None

    report = check_layer(forward, lambda d, c: d, _x(), names=["x"])
    assert report.verdict == FAIL and report.kinds == ["random loss"], report


class _RandomNet(LearnerNet):
    def loss(self, X, y):
        loss, grads = super().loss(X, y)
        return loss + 1e-3 * np.random.rand(), grads  # unseeded dropout's effect


def _params(seed=5):
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((4, 6)), "b1": rng.standard_normal(6),
            "W2": rng.standard_normal((6, 3)), "b2": rng.standard_normal(3)}


def test_a_random_loss_is_named_with_both_values():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    report = check_gradients(_RandomNet(_params(), 0.1), X, y)
    assert report.verdict == FAIL and report.kinds == ["random loss"]
    assert "two calls of loss" in report.to_table()
    assert "kink" not in report.to_table()


@pytest.mark.parametrize("mutation", ["reg_missing", "reg_doubled"])
def test_the_regularisation_term_is_named(mutation):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    report = check_gradients(LearnerNet(_params(), 0.3, mutation), X, y)
    assert report.verdict == FAIL and report.kinds == ["regularisation"], report
    assert {r.name for r in report.rows if r.verdict == FAIL} == {"W1", "W2"}
    assert "reg = 0.3" in report.to_table()
    # the same net without the bug is not named anything
    assert check_gradients(LearnerNet(_params(), 0.3), X, y).verdict == PASS


@pytest.mark.parametrize("mutation, kind", [("no_1/N", "factor N"),
                                            ("db_mean", "factor 1/N"),
                                            ("dW_extra_1/N", "factor 1/N")])
def test_factors_of_n_are_named_on_a_model(mutation, kind):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    report = check_gradients(LearnerNet(_params(), 0.1, mutation), X, y)
    assert report.verdict == FAIL and kind in report.kinds, report
    assert "N = 5" in report.to_table()
