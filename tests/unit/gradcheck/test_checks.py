"""The gradient-checking tools themselves: they must catch wrong backward passes."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.gradcheck.checks import check_layer, numerical_gradient, rel_error
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


# ------------------------------------------------------------ the three-valued check
from numpynn import TwoLayerNet  # noqa: E402
from numpynn.gradcheck.checks import (  # noqa: E402
    FAIL,
    INCONCLUSIVE,
    PASS,
    ReturnError,
    check_array,
    check_gradients,
)
from numpynn.gradcheck.corpus import LearnerNet  # noqa: E402


def sigmoid_forward(x):
    s = 1 / (1 + np.exp(-x))
    return s, s


def sigmoid_backward_inplace(dout, s):
    dout *= s * (1 - s)  # correct, but edits the caller's dout
    return dout


def test_in_place_backward_passes_and_a_wrong_one_fails():
    x = np.random.default_rng(3).standard_normal((4, 5))
    good = check_layer(sigmoid_forward, sigmoid_backward_inplace, x, names=["x"])
    assert good.verdict == PASS, good
    bad = check_layer(sigmoid_forward, lambda d, s: d * s * (1 - s) * (1 + 1e-4), x,
                      names=["x"])
    assert bad.verdict == FAIL, bad
    assert bad["x"].worst is not None and bad["x"].worst.rel_error > 1e-5


def test_report_prints_as_a_table_with_the_worst_entry():
    x = np.random.default_rng(3).standard_normal((4, 5))
    bad = check_layer(sigmoid_forward, lambda d, s: d * s, x, names=["x"])
    text = str(bad)
    assert "GradCheckRow(" not in text and "worst entry" in text and "analytic" in text
    w = bad["x"].worst
    assert f"{w.analytic:.4e}" in text and "x: FAIL at [" in text


def cs231n_fcn_twolayer(reg):
    np.random.seed(231)
    N, D, H, C = 3, 5, 50, 7
    X, y = np.random.randn(N, D), np.random.randint(C, size=N)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-3, reg=reg,
                        seed=0)
    for k, v in model.params.items():
        model.params[k] = 1e-3 * np.random.randn(*v.shape) if k[0] == "W" else np.zeros(v.shape)
    return model, X, y


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_cs231n_fullyconnectednets_check_never_fails(reg):
    model, X, y = cs231n_fcn_twolayer(reg)
    # The old two-valued check (centred differences, max rel error < 1e-7) said FAIL here.
    _, grads = model.loss(X, y)
    old = rel_error(grads["W1"], numerical_gradient(lambda _: model.loss(X, y)[0],
                                                    model.params["W1"]))
    assert old > 1e-7
    report = check_gradients(model, X, y)
    assert report.verdict in (PASS, INCONCLUSIVE), report
    for row in report.rows:
        if row.verdict == INCONCLUSIVE:
            assert row.cause in ("rounding", "kink", "truncation") and row.explanation()


def test_a_kink_on_one_side_is_resolved_by_the_other_side():
    x = np.array([1e-9, 0.7, -0.4])  # relu's kink 1e-9 to the left of x[0]
    row = check_array("x", np.array([1.0, 1.0, 0.0]),
                      lambda: float(np.maximum(x, 0).sum()), x)
    assert row.verdict == PASS, row.explanation()


def test_inconclusive_between_two_kinks_names_the_cause():
    x = np.array([0.0, 0.7])

    def f():  # kinks at x0 = 1e-9 and x0 = -3e-9; the slope between them is 1
        return float(np.maximum(x[0] - 1e-9, 0) + np.maximum(x[0] + 3e-9, 0) + x[1] ** 2)

    row = check_array("x", np.array([1.0, 1.4]), f, x)
    assert row.verdict == INCONCLUSIVE and row.cause == "kink"
    assert row.worst.index == (0,) and "kink" in row.explanation()
    wrong = check_array("x", np.array([1.0, 1.4 * (1 + 1e-4)]), f, x)
    assert wrong.verdict == FAIL  # a bug elsewhere in the array is still caught


def test_inconclusive_below_the_rounding_floor():
    x = np.array([0.3])
    # f = 1 + 1e-14 x: a gradient of 1e-14 is invisible next to f's rounding (2e-16).
    row = check_array("x", np.array([2e-14]), lambda: float(1 + 1e-14 * x[0]), x)
    assert row.verdict == INCONCLUSIVE and row.cause == "rounding"
    assert "rounding floor" in row.explanation()


def test_a_tiny_but_resolvable_bug_still_fails():
    x = np.array([0.3, -1.2])
    row = check_array("x", 3 * x**2 * (1 + 1e-4), lambda: float(np.sum(x**3)), x)
    assert row.verdict == FAIL


def test_duck_typed_float32_model_is_checked_on_a_float64_copy():
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((4, 6)), "b1": rng.standard_normal(6),
              "W2": rng.standard_normal((6, 3)), "b2": rng.standard_normal(3)}
    net = LearnerNet(params, reg=0.1)
    for k in net.params:
        net.params[k] = net.params[k].astype(np.float32)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    report = check_gradients(net, X, y)
    assert report.verdict == PASS, report
    assert net.params["W1"].dtype == np.float32  # the user's model is left alone
    bad = check_gradients(LearnerNet(params, 0.1, "db_mean"), X, y)
    assert bad.verdict == FAIL and bad["b1"].verdict == FAIL and bad["W1"].verdict == PASS


def test_check_layer_uses_extended_precision_when_the_layer_keeps_it():
    from numpynn.gradcheck.checks import _extended_inputs

    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("no extended precision on this platform")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)]
    out = affine_forward(*arrays)[0]
    assert _extended_inputs(affine_forward, arrays, out) is not None
    def to64(*arrays):  # a layer that computes in float64 whatever it is given
        return affine_forward(*(a.astype(np.float64) for a in arrays))

    assert _extended_inputs(to64, arrays, out) is None


def _cs231n_fcn_deep(reg: float):
    """CS231n's FullyConnectedNets check: seed 231, N=3, D=5, C=7, hidden [20, 30],
    weight_scale 1e-3, zero biases; first-layer gradients of about 1e-9."""
    from numpynn.models import MLP

    np.random.seed(231)
    X, y = np.random.randn(3, 5), np.random.randint(7, size=3)
    model = MLP(5, [20, 30], 7, weight_scale=1e-3, reg=reg, dtype=np.float64, seed=0)
    for k, v in model.params.items():
        model.params[k] = 1e-3 * np.random.randn(*v.shape) if k[0] == "W" else np.zeros(v.shape)
    return model, X, y


@pytest.mark.slow  # 7-14 s each; the default suite's tiny-weight case: test_complex_step.py
@pytest.mark.parametrize("reg", [0.0, 3.14])
def test_deep_small_weight_network_resolves_in_extended_precision(reg):
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("no extended precision on this platform")
    model, X, y = _cs231n_fcn_deep(reg)
    report = check_gradients(model, X, y)
    assert report.extended and report.verdict == PASS, report
    assert model.params["W1"].dtype == np.float64  # the user's model is left alone
    plain = check_gradients(model, X, y, extended=False, complex_step=False)
    assert not plain.extended and plain.verdict == INCONCLUSIVE  # float64 cannot referee it
    # complex steps take no differences: float64 centred differences + complex steps pass
    stepped = check_gradients(model, X, y, extended=False)
    assert stepped.complex_step and stepped.verdict == PASS, stepped
    # a learner's net on the same weights, with a bug of relative size 1e-4, fails
    bug = LearnerNet(model.params, reg, "relu_mask_sign", 1e-4)
    assert check_gradients(bug, X, y).verdict == FAIL


def test_a_model_that_cannot_run_in_longdouble_is_checked_in_float64():
    from numpynn.models import MLP

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    gelu = MLP(3, [5], 3, activation="gelu", reg=0.1, dtype=np.float64, seed=0)
    report = check_gradients(gelu, X, y)  # scipy.special.erf has no longdouble loop
    assert not report.extended and report.verdict == PASS, report
    relu = MLP(3, [5], 3, reg=0.1, dtype=np.float64, seed=0)
    class FloatLoss:  # returns its loss as a Python float
        def __init__(self, net):
            self.net, self.params = net, net.params

        def loss(self, X, y):
            loss, grads = self.net.loss(X, y)
            return float(loss), grads

    as_float = FloatLoss(relu)
    report = check_gradients(as_float, X, y)
    assert not report.extended and report.verdict == PASS, report
    assert check_gradients(relu, X, y).extended


def test_an_entry_cleared_at_a_kink_reports_the_estimate_that_cleared_it():
    """ReLU input 1e-7 (within h of its kink): the centred difference is about half the
    slope; the one-sided estimate on x's side agrees, and the report shows that one."""
    from numpynn.gradcheck.checks import check_layer
    from numpynn.layers.relu import relu_backward, relu_forward

    x = np.array([[1e-7, 0.5, -0.3], [0.2, -1e-7, 0.9]])
    report = check_layer(relu_forward, relu_backward, x, names=["x"], complex_step=False)
    row = report.rows[0]
    assert row.verdict == "pass"
    assert row.max_rel_error < 1e-7, row
    assert row.worst.rel_error < 1e-7


class _Float32InsideNet:
    """A learner's two-layer net whose loss casts its float64 parameters to float32 (the
    course's FullyConnectedNet(dtype=np.float32) habit, written inside loss)."""

    def __init__(self, params, reg=0.1, cast=True):
        self.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.reg, self.cast = reg, cast

    def loss(self, X, y):
        dt = np.float32 if self.cast else np.float64
        W1, b1, W2, b2 = (self.params[k].astype(dt) for k in ("W1", "b1", "W2", "b2"))
        N = X.shape[0]
        z = X @ W1 + b1
        h = np.maximum(0, z)
        s = h @ W2 + b2
        s = s - s.max(axis=1, keepdims=True)
        p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
        loss = -np.sum(np.log(p[np.arange(N), y])) / N
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        d = p.copy()
        d[np.arange(N), y] -= 1
        d /= N
        dh = d @ W2.T * (z > 0)
        return loss, {"W1": X.T @ dh + self.reg * W1, "b1": dh.sum(0),
                      "W2": h.T @ d + self.reg * W2, "b2": d.sum(0)}


def test_a_model_computing_in_float32_is_inconclusive_for_precision_not_kinks():
    rng = np.random.default_rng(0)
    params = {"W1": 0.1 * rng.standard_normal((6, 7)), "b1": 0.1 * rng.standard_normal(7),
              "W2": 0.1 * rng.standard_normal((7, 4)), "b2": 0.1 * rng.standard_normal(4)}
    X, y = rng.standard_normal((5, 6)), rng.integers(0, 4, 5)
    report = check_gradients(_Float32InsideNet(params), X, y)
    assert report.verdict == INCONCLUSIVE, report
    unsure = [r for r in report.rows if r.verdict == INCONCLUSIVE]
    assert unsure and {r.cause for r in unsure} == {"precision"}, report
    assert "float32" in unsure[0].explanation()
    # the same net in float64 passes: the diagnosis is not made for float64 code
    assert check_gradients(_Float32InsideNet(params, cast=False), X, y).verdict == PASS


def test_a_loss_of_one_value_per_example_is_named_not_a_reshape_error():
    class PerExample(_Float32InsideNet):
        def loss(self, X, y):
            loss, grads = super().loss(X, y)
            return np.full(X.shape[0], loss / X.shape[0]), grads

    rng = np.random.default_rng(1)
    params = {"W1": rng.standard_normal((6, 7)), "b1": rng.standard_normal(7),
              "W2": rng.standard_normal((7, 4)), "b2": rng.standard_normal(4)}
    with pytest.raises(ReturnError, match=r"shape \(5,\), one loss per example \(N = 5\)"):
        check_gradients(PerExample(params, cast=False), rng.standard_normal((5, 6)),
                        rng.integers(0, 4, 5))


def test_a_model_whose_loss_is_nan_is_not_finite_not_a_random_loss():
    class NanLoss(_Float32InsideNet):
        def loss(self, X, y):
            loss, grads = super().loss(X, y)
            return loss + np.log(-1.0 + 0 * loss), grads   # log of a negative number

    rng = np.random.default_rng(2)
    params = {"W1": rng.standard_normal((6, 7)), "b1": rng.standard_normal(7),
              "W2": rng.standard_normal((7, 4)), "b2": rng.standard_normal(4)}
    with np.errstate(invalid="ignore"):
        report = check_gradients(NanLoss(params, cast=False), rng.standard_normal((5, 6)),
                                 rng.integers(0, 4, 5))
    assert report.verdict == FAIL
    assert {r.kind for r in report.rows} == {"not finite"}, report
    assert "returned the loss nan" in report.rows[0].kind_text
    assert "dscores = probs.copy()" in report.rows[0].kind_text  # its gradients are finite


@pytest.mark.parametrize("returned, match", [
    ("skeleton", r"no gradient for parameter 'W1'"),  # the course's loss, grads = None, {}
    ("none", r"returned a NoneType as the loss; it must be a number"),
    ("text", r"as the loss; it must be a number"),
])
def test_a_loss_that_is_no_number_is_named_before_any_finite_test(returned, match):
    class Unfinished(_Float32InsideNet):
        def loss(self, X, y):
            loss, grads = super().loss(X, y)
            if returned == "skeleton":
                return None, {}
            return (None if returned == "none" else "0.5"), grads

    rng = np.random.default_rng(2)
    params = {"W1": rng.standard_normal((6, 7)), "b1": rng.standard_normal(7),
              "W2": rng.standard_normal((7, 4)), "b2": rng.standard_normal(4)}
    with pytest.raises(ReturnError, match=match):
        check_gradients(Unfinished(params, cast=False), rng.standard_normal((5, 6)),
                        rng.integers(0, 4, 5))


def test_check_gradients_takes_a_fitted_estimator_or_a_loaded_model_and_names_what_it_cannot_check(
        tmp_path):
    """A fitted estimator (its network, model_) and a SavedModel (its model) are checked;
    an unfitted estimator, an ensemble and an object without params/loss are refused with
    what to do (before: AttributeError 'MLPClassifier' object has no attribute 'params')."""
    import warnings

    from numpynn import MLPClassifier
    from numpynn.errors import InputError
    from numpynn.model_file import SavedModel, load_model, save_model

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 3)), np.arange(12) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=2, random_state=0).fit(X, y)
        ens = MLPClassifier(hidden_layer_sizes=(5,), max_iter=2, random_state=0,
                            n_ensemble=2).fit(X, y)
    report = check_gradients(est, X, y)
    assert [r.name for r in report.rows] == ["W1", "b1", "W2", "b2"]
    save_model(tmp_path / "m.npz", SavedModel(est.model_, np.arange(3)))
    assert len(check_gradients(load_model(tmp_path / "m.npz"), X, y).rows) == 4
    with pytest.raises(InputError, match="not fitted; call fit"):
        check_gradients(MLPClassifier(), X, y)
    with pytest.raises(InputError, match=r"members\[0\]"):
        check_gradients(ens, X, y)
    with pytest.raises(InputError, match="has no params or loss.*check_layer"):
        check_gradients(object(), X, y)
