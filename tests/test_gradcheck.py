"""The gradient-checking tools themselves: they must catch wrong backward passes."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.gradcheck import check_layer, numerical_gradient, rel_error
from numpynn.layers import affine_backward, affine_forward


def test_rel_error_definition():
    a = np.array([1.0, 2.0, 0.0])
    b = np.array([1.0, 2.2, 0.0])
    assert rel_error(a, b) == pytest.approx(0.2 / 4.2)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.array([1e-9]), np.array([0.0])) == pytest.approx(1e-9 / 1e-8)
    with pytest.raises(ValueError, match="one shape"):
        rel_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_of_known_function_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def boom(v):
        raise RuntimeError("fail")

    with pytest.raises(RuntimeError):
        numerical_gradient(boom, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_array_output_needs_df():
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="pass df"):
        numerical_gradient(lambda v: v * 2, x)
    df = np.array([1.0, -1.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: v**2, x, df=df), 2 * x * df)


def wrong_affine_backward(dout, cache):
    dx, dw, db = affine_backward(dout, cache)
    return dx, dw, db / dout.shape[0]  # a classic slip: averaging the bias gradient twice


def test_check_layer_catches_a_wrong_backward():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    good = check_layer(affine_forward, affine_backward, x, w, b, names="xwb")
    bad = check_layer(affine_forward, wrong_affine_backward, x, w, b, names="xwb")
    assert good.passed
    assert not bad.passed and not bad["b"].passed and bad["w"].passed
    assert "FAIL" in bad.to_table() and "pass" in good.to_table()


def test_check_layer_reports_shape_and_count_mistakes():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="1 gradients for 2 inputs"):
        check_layer(lambda a, b: (a * b, (a, b)), lambda d, c: d * c[1], x, x)
    with pytest.raises(ValueError, match="has shape"):
        check_layer(lambda a: (a * 2, None), lambda d, c: d.sum(axis=0), x)
