"""Affine, ReLU and softmax cross-entropy: values and gradients in float64."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from numpynn.gradcheck.checks import GRAD_FLOOR, check_layer, numerical_gradient, rel_error
from numpynn.layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    relu_backward,
    relu_forward,
)
from numpynn.losses import log_softmax, softmax, softmax_cross_entropy

TOL = 1e-7


def test_affine_forward_matches_hand_computed_values():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = np.array([0.1, 0.2, 0.3])
    out, _ = affine_forward(x, w, b)
    np.testing.assert_allclose(out, [[2.1, 4.2, 1.3], [5.1, 8.2, 1.3]])


def test_affine_accepts_cs231n_image_shaped_input():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 2, 2))
    w = rng.standard_normal((8, 4))
    b = rng.standard_normal(4)
    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(np.ones_like(out), cache)
    assert out.shape == (3, 4) and dx.shape == x.shape and dw.shape == w.shape


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 6),
    d=st.integers(1, 6),
    m=st.integers(1, 6),
    scale=st.sampled_from([1e-2, 1.0, 10.0]),
    seed=st.integers(0, 2**16),
)
def test_affine_gradients(n, d, m, scale, seed):
    rng = np.random.default_rng(seed)
    x, w, b = (scale * rng.standard_normal(s) for s in [(n, d), (d, m), (m,)])
    report = check_layer(affine_forward, affine_backward, x, w, b, names="xwb", seed=seed)
    assert report.max_rel_error < TOL, report.to_table()


@settings(max_examples=25, deadline=None)
@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 6)), seed=st.integers(0, 2**16))
def test_relu_gradient_away_from_kink(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    x = np.where(np.abs(x) < 1e-3, 0.5, x)  # the kink itself has no derivative
    report = check_layer(relu_forward, relu_backward, x, names=["x"], seed=seed)
    assert report.max_rel_error < TOL, report.to_table()


def test_relu_values_and_mask():
    x = np.array([[-2.0, 0.0, 3.0]])
    out, cache = relu_forward(x)
    np.testing.assert_array_equal(out, [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu_backward(np.array([[5.0, 6.0, 7.0]]), cache), [[0, 0, 7]])


def test_affine_relu_sandwich_gradients():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal(6)
    report = check_layer(affine_relu_forward, affine_relu_backward, x, w, b, names="xwb")
    assert report.max_rel_error < TOL, report.to_table()


def test_softmax_rows_sum_to_one_and_match_definition():
    s = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = softmax(s)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], np.exp(s[0]) / np.exp(s[0]).sum())
    np.testing.assert_allclose(np.exp(log_softmax(s)), p)


def test_softmax_cross_entropy_value_and_gradient_shape():
    s = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    y = np.array([0, 2])
    loss, ds = softmax_cross_entropy(s, y)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-(np.log(p[0, 0]) + np.log(p[1, 2])) / 2)
    onehot = np.eye(3)[y]
    assert ds.shape == (2, 3)  # N x C: one row per example, not N x 1
    np.testing.assert_allclose(ds, (p - onehot) / 2)
    np.testing.assert_allclose(ds.sum(axis=1), 0.0, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 8),
    c=st.integers(2, 6),
    scale=st.sampled_from([1e-3, 1.0, 5.0]),
    seed=st.integers(0, 2**16),
)
def test_softmax_cross_entropy_gradient(n, c, scale, seed):
    rng = np.random.default_rng(seed)
    s = scale * rng.standard_normal((n, c))
    y = rng.integers(0, c, n)
    _, ds = softmax_cross_entropy(s, y)
    assume(np.abs(ds).min() > GRAD_FLOOR)  # saturated rows sit below the rounding floor
    num = numerical_gradient(lambda _: softmax_cross_entropy(s, y)[0], s)
    assert rel_error(ds, num) < TOL


@pytest.mark.parametrize("big", [1e4, -1e4, 1e300])
def test_softmax_cross_entropy_is_stable_for_huge_logits(big):
    s = np.array([[big, 0.0, -big], [0.0, big, 0.0]])
    y = np.array([2, 1])
    loss, ds = softmax_cross_entropy(s, y)
    assert np.isfinite(loss) and np.isfinite(ds).all()
    assert np.isfinite(softmax(s)).all()


def test_softmax_cross_entropy_float32_stays_float32():
    s = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    _, ds = softmax_cross_entropy(s, np.array([0, 1, 2, 0]))
    assert ds.dtype == np.float32
