"""Every registered layer, checked once: the tests iterate ``numpynn.layers.LAYERS``, so a
new layer module is covered as soon as it is registered (give it options in OPTIONS if
its constructor needs some).

(a) the readable pair against numerical gradients (float64); (b) the kernel (or the
ReferenceKernel adapter) against the readable pair, float32 and float64, full and
partial batches, train and test, in place where the kernel says it may run in place;
(c) train vs test mode; (d) same-seed determinism; (e) buffers updated in place. Then
layer-specific checks (closed forms, options, stability, validation).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from numpynn.errors import InputError
from numpynn.gradcheck.checks import numerical_gradient, rel_error
from numpynn.layers import (
    LAYERS,
    BatchNorm,
    Dropout,
    GradSink,
    Sigmoid,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    build_layer,
    canonical_name,
    dropout_backward,
    dropout_forward,
    keep_mask,
    layer_config,
    layer_from_config,
    layernorm_forward,
    make_kernel,
    unregister,
)
from tests.clirun import REPO

OPTIONS = {"affine": {"units": 4}}  # layers whose constructor needs options
D = 5  # input width
CAPACITY = 8
NAMES = sorted(LAYERS)
TOL = 1e-7


def build(name: str):
    return LAYERS[name](**OPTIONS.get(name, {}))


def make_arrays(layer, dtype=np.float64, seed: int = 0):
    """Parameters and buffers near (not at) their initial values, so that a gradient
    that ignores, e.g., gamma or a running statistic cannot pass by luck."""
    rng = np.random.default_rng(seed)
    params = {}
    for spec in layer.param_specs(D):
        if spec.init == "weight":
            value = rng.standard_normal(spec.shape) / math.sqrt(spec.shape[0])
        else:
            value = (1.0 if spec.init == "ones" else 0.0) + 0.3 * rng.standard_normal(spec.shape)
        params[spec.name] = value.astype(dtype)
    buffers = {}
    for spec in layer.buffer_specs(D):
        value = (rng.uniform(0.5, 1.5, spec.shape) if spec.init == "ones"
                 else 0.2 * rng.standard_normal(spec.shape))
        buffers[spec.name] = value.astype(dtype)
    return params, buffers


def make_input(n: int, dtype=np.float64, seed: int = 1, d: int = D) -> np.ndarray:
    """Entries of both signs with |x| in [0.05, 2]: away from the kinks of the ReLU family
    (a centred difference with h = 1e-5 never crosses 0)."""
    rng = np.random.default_rng(seed)
    magnitude = rng.uniform(0.05, 2.0, (n, d))
    return (magnitude * rng.choice([-1.0, 1.0], (n, d))).astype(dtype)


def copy_arrays(arrays):
    return {k: v.copy() for k, v in arrays.items()}


# ---- (a) gradcheck of the readable pair -----------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", NAMES)
def test_readable_pair_matches_numerical_gradients(name, seed):
    layer = build(name)
    params, buffers = make_arrays(layer, seed=seed)
    x = make_input(6, seed=seed + 10)

    def run(_=None):
        # A fresh generator with one seed per evaluation: dropout draws the same mask.
        return layer.forward(x, params, copy_arrays(buffers), True,
                             np.random.default_rng(123))[0]

    out, cache = layer.forward(x, params, copy_arrays(buffers), True, np.random.default_rng(123))
    dout = np.random.default_rng(seed + 20).standard_normal(out.shape)
    dx, grads = layer.backward(dout, cache)
    assert set(grads) == set(params), "every parameter gets a gradient"
    assert dx.shape == x.shape
    errors = {"x": rel_error(dx, numerical_gradient(run, x, df=dout))}
    for pname, value in params.items():
        assert grads[pname].shape == value.shape
        errors[pname] = rel_error(grads[pname], numerical_gradient(run, value, df=dout))
    assert max(errors.values()) < TOL, errors


# ---- (b) kernel == readable pair --------------------------------------------------------

def assert_close(actual, expected, dtype, what):
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    atol = rtol * max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    assert actual.dtype == dtype, f"{what}: dtype {actual.dtype}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", NAMES)
def test_kernel_matches_readable_pair(name, dtype, train):
    layer = build(name)
    params, buffers = make_arrays(layer, dtype)
    ref_buffers, kernel_buffers = copy_arrays(buffers), copy_arrays(buffers)
    kernel = make_kernel(layer, D, dtype, CAPACITY)
    m = layer.output_dim(D)
    in_place = kernel.inplace and m == D
    x_ws = np.empty((CAPACITY, D), dtype)
    out_ws = x_ws if in_place else np.empty((CAPACITY, m), dtype)
    dout_ws = np.empty((CAPACITY, m), dtype)
    dx_ws = dout_ws if in_place else np.empty((CAPACITY, D), dtype)
    scale = -0.37  # the engine may pass dout already scaled (e.g. by -lr / b)
    # Full batch, partial batch, full again (stale slices would show), the last without dx.
    for step, (b, want_dx) in enumerate([(CAPACITY, True), (5, True), (CAPACITY, False)]):
        x = make_input(b, dtype, seed=step)
        x_ws[:b] = x
        xv, outv = x_ws[:b], out_ws[:b]
        out_ref, cache = layer.forward(x.copy(), params, ref_buffers, train,
                                       np.random.default_rng(step))
        kernel.forward(xv, outv, params, kernel_buffers, train, np.random.default_rng(step))
        assert out_ref.dtype == dtype, f"{name}: the readable pair returned {out_ref.dtype}"
        assert_close(outv, out_ref, dtype, f"{name} out, b={b}")
        for bname in buffers:
            assert_close(kernel_buffers[bname], ref_buffers[bname], dtype, f"{name} {bname}")
        if not train:
            continue
        dout = (scale * np.random.default_rng(step + 50).standard_normal((b, m))).astype(dtype)
        dx_ref, grads_ref = layer.backward(dout.copy(), cache)
        assert all(g.dtype == dtype for g in [dx_ref, *grads_ref.values()]), name
        if not kernel.reads_output:
            outv.fill(np.nan)  # the next layer may overwrite it (and, in place, it is x)
        dout_ws[:b] = dout
        sink = GradSink({p: np.full(v.shape, np.nan, dtype) for p, v in params.items()})
        dxv = dx_ws[:b] if want_dx else None
        kernel.backward(dout_ws[:b], dxv, sink)
        if want_dx:
            assert_close(dxv, dx_ref, dtype, f"{name} dx, b={b}")
        for pname in params:
            assert_close(sink[pname], grads_ref[pname], dtype, f"{name} d{pname}, b={b}")


# ---- (c) train vs test mode -----------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_test_mode_draws_nothing_and_changes_no_buffer(name):
    layer = build(name)
    params, buffers = make_arrays(layer)
    before = copy_arrays(buffers)
    x = make_input(6)
    rng = np.random.default_rng(7)
    state = rng.bit_generator.state
    out1, _ = layer.forward(x, params, buffers, False, rng)
    kernel = make_kernel(layer, D, np.float64, CAPACITY)
    out2 = np.empty_like(out1)
    kernel.forward(x.copy(), out2, params, buffers, False, rng)
    assert rng.bit_generator.state == state
    for bname, value in buffers.items():
        np.testing.assert_array_equal(value, before[bname])
    np.testing.assert_allclose(out2, out1, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "name", [n for n in NAMES if not LAYERS[n].random and not build(n).buffer_specs(D)])
def test_layers_without_state_compute_the_same_in_train_and_test(name):
    layer = build(name)
    params, _ = make_arrays(layer)
    x = make_input(6)
    train_out, _ = layer.forward(x, params, {}, True, np.random.default_rng(0))
    test_out, _ = layer.forward(x, params, {}, False, np.random.default_rng(0))
    np.testing.assert_array_equal(train_out, test_out)


def test_dropout_is_identity_at_test_time_and_masks_and_scales_in_training():
    layer = Dropout(p=0.3)
    x = np.random.default_rng(99).uniform(1.0, 2.0, (400, 250))  # not the mask's stream
    test_out, _ = layer.forward(x, {}, {}, False, np.random.default_rng(0))
    np.testing.assert_array_equal(test_out, x)
    out, cache = layer.forward(x, {}, {}, True, np.random.default_rng(0))
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / 0.7, rtol=1e-15)
    assert abs((1 - kept.mean()) - 0.3) < 0.01  # 100k draws: std of the fraction ~0.0015
    assert abs(out.mean() / x.mean() - 1) < 0.01  # inverted dropout preserves the mean
    dout = np.ones_like(x)
    np.testing.assert_array_equal(dropout_backward(dout, cache) != 0, kept)


def test_dropout_with_p_zero_is_the_identity_even_in_training():
    x = make_input(4)
    out, _ = Dropout(p=0.0).forward(x, {}, {}, True, np.random.default_rng(0))
    np.testing.assert_array_equal(out, x)


def test_batchnorm_uses_batch_statistics_in_training_and_running_ones_at_test():
    layer = BatchNorm()
    params = {"gamma": np.array([1.0, 2.0, 0.5]), "beta": np.array([0.0, -1.0, 3.0])}
    buffers = {"running_mean": np.zeros(3), "running_var": np.ones(3)}
    x = np.random.default_rng(0).normal([1.0, -2.0, 5.0], [2.0, 0.5, 3.0], (200, 3))
    out, _ = layer.forward(x, params, buffers, True, np.random.default_rng(0))
    np.testing.assert_allclose(out.mean(axis=0), params["beta"], atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), params["gamma"], rtol=1e-4)  # eps = 1e-5
    np.testing.assert_allclose(buffers["running_mean"], 0.1 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(buffers["running_var"], 0.9 + 0.1 * x.var(axis=0), rtol=1e-12)
    frozen = copy_arrays(buffers)
    test_out, _ = layer.forward(x, params, buffers, False, np.random.default_rng(0))
    expected = (params["gamma"] * (x - frozen["running_mean"])
                / np.sqrt(frozen["running_var"] + 1e-5) + params["beta"])
    np.testing.assert_allclose(test_out, expected, rtol=1e-12)
    for bname in buffers:
        np.testing.assert_array_equal(buffers[bname], frozen[bname])
    # At test time a row's output does not depend on the rest of its batch.
    alone, _ = layer.forward(x[:1], params, buffers, False, np.random.default_rng(0))
    np.testing.assert_allclose(alone[0], test_out[0], rtol=1e-12)


def test_batchnorm_fresh_buffers_give_finite_test_output():
    layer = BatchNorm()
    buffers = {s.name: (np.ones if s.init == "ones" else np.zeros)(s.shape)
               for s in layer.buffer_specs(3)}
    x = make_input(4, d=3)
    out, _ = layer.forward(x, {"gamma": np.ones(3), "beta": np.zeros(3)}, buffers, False,
                           np.random.default_rng(0))
    np.testing.assert_allclose(out, x / np.sqrt(1 + 1e-5), rtol=1e-12)


def test_layernorm_normalises_each_row_the_same_in_train_and_test():
    x = np.random.default_rng(0).normal(3.0, 5.0, (4, 50))
    out, _ = layernorm_forward(x, np.ones(50), np.zeros(50), {"eps": 1e-5})
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1, rtol=1e-5)
    # a row alone gives the same output as within the batch
    alone, _ = layernorm_forward(x[2:3], np.ones(50), np.zeros(50), {})
    np.testing.assert_allclose(alone[0], out[2], rtol=1e-12)


# ---- (d) same-seed determinism --------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_identical_outputs(name):
    layer = build(name)
    params, buffers = make_arrays(layer)
    x = make_input(CAPACITY)
    outs = []
    for _ in range(2):
        readable, _ = layer.forward(x, params, copy_arrays(buffers), True,
                                    np.random.default_rng(42))
        kernel = make_kernel(layer, D, np.float64, CAPACITY)
        fast = np.empty_like(readable)
        kernel.forward(x.copy(), fast, params, copy_arrays(buffers), True,
                       np.random.default_rng(42))
        outs.append((readable, fast))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])
    if LAYERS[name].random:  # and another seed draws differently
        other, _ = layer.forward(x, params, copy_arrays(buffers), True,
                                 np.random.default_rng(43))
        assert not np.array_equal(other, outs[0][0])


def test_dropout_seed_in_dropout_param_is_reproducible():
    x = make_input(20)
    a, _ = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 3})
    b, _ = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 3})
    c, _ = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 4})
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_keep_mask_draws_the_same_into_a_buffer_as_fresh():
    for dtype in (np.float32, np.float64):
        fresh = keep_mask(np.random.default_rng(5), (6, 7), 0.4, dtype)
        buffer = np.empty((10, 7), dtype)
        filled = keep_mask(np.random.default_rng(5), (6, 7), 0.4, dtype, out=buffer[:6])
        assert fresh.dtype == dtype and set(np.unique(fresh)) <= {0.0, 1.0}
        np.testing.assert_array_equal(fresh, filled)


# ---- (e) buffers updated in place -------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in NAMES if build(n).buffer_specs(D)])
@pytest.mark.parametrize("path", ["readable", "kernel"])
def test_buffers_are_updated_in_place(name, path):
    layer = build(name)
    params, buffers = make_arrays(layer)
    held = dict(buffers)  # the arrays the network holds
    before = copy_arrays(buffers)
    x = make_input(CAPACITY)
    if path == "readable":
        layer.forward(x, params, buffers, True, np.random.default_rng(0))
    else:
        kernel = make_kernel(layer, D, np.float64, CAPACITY)
        kernel.forward(x, np.empty((CAPACITY, layer.output_dim(D))), params, buffers, True,
                       np.random.default_rng(0))
    for bname, array in held.items():
        assert buffers[bname] is array
    assert any(not np.array_equal(held[b], before[b]) for b in held)


# ---- registry-wide properties -----------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_config_round_trips(name):
    layer = build(name)
    again = layer_from_config(layer_config(layer))
    assert again == layer and type(again) is type(layer)


def test_activations_name_their_initialisation():
    schemes = {n: LAYERS[n].init_scheme for n in
               ["relu", "leaky_relu", "elu", "gelu", "identity", "tanh", "sigmoid"]}
    assert schemes == {"relu": "he", "leaky_relu": "he", "elu": "he", "gelu": "he",
                       "identity": "he", "tanh": "glorot", "sigmoid": "glorot"}
    for name in ["dropout", "batchnorm", "layernorm", "affine"]:
        assert LAYERS[name].init_scheme is None


# ---- layer-specific --------------------------------------------------------------------

def forward_backward(name, x, **options):
    layer = build_layer(name, **options)
    out, cache = layer.forward(x, {}, {}, True, np.random.default_rng(0))
    dx, _ = layer.backward(np.ones_like(x), cache)
    return out, dx


def test_gelu_matches_the_normal_cdf_at_known_points():
    phi1, phi2 = 0.8413447460685429, 0.9772498680518208  # standard normal CDF at 1, 2
    x = np.array([[-2.0, -1.0, 0.0, 1.0, 2.0]])
    out, dx = forward_backward("gelu", x)
    np.testing.assert_allclose(out[0], [-2 * (1 - phi2), -(1 - phi1), 0, phi1, 2 * phi2],
                               rtol=1e-14, atol=1e-16)
    density1 = math.exp(-0.5) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(dx[0, 1:4], [1 - phi1 - density1, 0.5, phi1 + density1],
                               rtol=1e-14)


def test_leaky_relu_default_slope_is_pytorchs():
    x = np.array([[-3.0, -0.5, 0.5, 3.0]])
    out, dx = forward_backward("leaky_relu", x)
    np.testing.assert_array_equal(out, [[-0.03, -0.005, 0.5, 3.0]])
    np.testing.assert_array_equal(dx, [[0.01, 0.01, 1.0, 1.0]])
    out, dx = forward_backward("leaky_relu", x, negative_slope=0.2)
    np.testing.assert_allclose(out, [[-0.6, -0.1, 0.5, 3.0]], rtol=1e-15)


@pytest.mark.parametrize("slope", [0.0, 0.01, 1.0, 1.5, -0.2])
def test_leaky_relu_kernel_matches_for_any_slope(slope):
    layer = build_layer("leaky_relu", negative_slope=slope)
    x = make_input(CAPACITY)
    out, cache = layer.forward(x, {}, {}, True, np.random.default_rng(0))
    dout = np.random.default_rng(1).standard_normal(x.shape)
    dx = layer.backward(dout, cache)[0]
    kernel = make_kernel(layer, D, np.float64, CAPACITY)
    ws, dws = x.copy(), dout.copy()
    kernel.forward(ws, ws, {}, {}, True, np.random.default_rng(0))
    np.testing.assert_array_equal(ws, out)
    kernel.backward(dws, dws, GradSink({}))
    np.testing.assert_array_equal(dws, dx)
    np.testing.assert_array_equal(dx, dout * np.where(x > 0, 1.0, slope))


@pytest.mark.parametrize("alpha", [1.0, 2.5])
def test_elu_alpha(alpha):
    x = np.array([[-1.0, -1e-9, 2.0, 800.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, dx = forward_backward("elu", x) if alpha == 1.0 else forward_backward(
            "elu", x, alpha=alpha)
    # expm1 keeps the digits of exp(x) - 1 near 0 (exp(x) - 1 would be off by ~1e-7 here)
    np.testing.assert_allclose(
        out, [[alpha * math.expm1(-1), alpha * math.expm1(-1e-9), 2.0, 800.0]], rtol=1e-14)
    np.testing.assert_allclose(dx, [[alpha * math.exp(-1), alpha, 1.0, 1.0]], rtol=1e-8)
    with pytest.raises(InputError, match="alpha"):
        build_layer("elu", alpha=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_for_large_inputs(dtype):
    x = np.array([[-1e3, -50.0, 0.0, 50.0, 1e3]], dtype)
    layer = Sigmoid()
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        out, cache = layer.forward(x, {}, {}, True, np.random.default_rng(0))
        dx, _ = layer.backward(np.ones_like(x), cache)
        kernel = make_kernel(layer, 5, dtype, 1)
        fast = x.copy()
        kernel.forward(fast, fast, {}, {}, True, np.random.default_rng(0))
        kernel.backward(np.ones_like(x), dk := np.ones_like(x), GradSink({}))
    for values in (out, fast):
        assert values.dtype == dtype
        np.testing.assert_allclose(values[0, [0, 2, 4]], [0.0, 0.5, 1.0], atol=1e-30)
        np.testing.assert_allclose(values[0, 1], math.exp(-50) / (1 + math.exp(-50)),
                                   rtol=1e-6)
    for grad in (dx, dk):
        np.testing.assert_allclose(grad[0, [0, 2, 4]], [0.0, 0.25, 0.0], atol=1e-30)


def test_logistic_is_sigmoids_scikit_learn_name():
    assert canonical_name("logistic") == "sigmoid" == canonical_name("Logistic")
    assert type(build_layer("logistic")) is Sigmoid


def test_batchnorm_backward_step_by_step_equals_compact_form():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (10, 6))
    gamma, beta = rng.normal(1, 0.3, 6), rng.normal(0, 0.3, 6)
    out, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dout = rng.standard_normal(out.shape)
    dx1, dgamma1, dbeta1 = batchnorm_backward(dout, cache)
    dx2, dgamma2, dbeta2 = batchnorm_backward_alt(dout, cache)
    assert rel_error(dx1, dx2) < 1e-10
    np.testing.assert_allclose(dgamma1, dgamma2, rtol=1e-14)
    np.testing.assert_allclose(dbeta1, dbeta2, rtol=1e-14)
    # and the step-by-step form against numerical gradients
    def run(_):
        return batchnorm_forward(x, gamma, beta, {"mode": "train"})[0]
    assert rel_error(dx1, numerical_gradient(run, x, df=dout)) < TOL
    assert np.allclose(dx1.sum(axis=0), 0, atol=1e-12)  # the mean removes a shift


def test_batchnorm_param_dict_works_as_in_cs231n():
    rng = np.random.default_rng(0)
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(3), np.zeros(3)
    for _ in range(50):
        batchnorm_forward(rng.normal(4.0, 2.0, (64, 3)), gamma, beta, bn_param)
    np.testing.assert_allclose(bn_param["running_mean"], 4.0, rtol=0.05)
    np.testing.assert_allclose(bn_param["running_var"], 4.0, rtol=0.15)
    bn_param["mode"] = "test"
    out, _ = batchnorm_forward(rng.normal(4.0, 2.0, (2000, 3)), gamma, beta, bn_param)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=0.15)


@pytest.mark.parametrize("p", [1, 1.0, -0.1, 1.5, float("nan"), True, "0.5"])
def test_dropout_rejects_p_outside_zero_one(p):
    with pytest.raises(ValueError, match="dropout p"):
        Dropout(p=p)
    with pytest.raises(ValueError, match="dropout p"):
        dropout_forward(np.ones((2, 2)), {"p": p, "mode": "train", "seed": 0})
    with pytest.raises(InputError, match="dropout p"):
        build_layer("dropout", p=p)


@pytest.mark.parametrize("options", [{"eps": 0}, {"eps": -1e-5}, {"momentum": 1.5},
                                     {"momentum": float("nan")}])
def test_batchnorm_rejects_bad_options(options):
    with pytest.raises(InputError, match="batchnorm " + next(iter(options))):
        build_layer("batchnorm", **options)


def test_the_adding_a_layer_example_in_the_docs_is_a_working_layer():
    """numpynn/docs/layers.md's example layer registers and passes the registry checks."""
    import re

    doc = REPO / "numpynn" / "docs" / "layers.md"
    text = doc.read_text("utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert "scale" not in LAYERS
    try:
        exec(compile(code, "numpynn/docs/layers.md", "exec"), {})
        assert "scale" in LAYERS and LAYERS["scale"].kernel is None
        test_readable_pair_matches_numerical_gradients("scale", 0)
        for dtype in (np.float32, np.float64):
            test_kernel_matches_readable_pair("scale", dtype, True)  # via ReferenceKernel
        test_same_seed_gives_identical_outputs("scale")
    finally:
        unregister("scale")
    assert "scale" not in LAYERS


def test_unregistering_a_subclass_leaves_its_parents_course_functions():
    """A ReLU subclass registered and unregistered (as a test does) inherits ReLU's course
    pair: unregistering it removed "relu" from COURSE, and gradcheck --file stopped
    checking relu_forward/relu_backward in that process (the suite's order decided it)."""
    from numpynn.layers.registry import COURSE, register, unregister
    from numpynn.layers.relu import ReLU

    before = COURSE["relu"]

    class Halved(ReLU):
        name = "halved_relu_registry_test"

    register(Halved)
    unregister("halved_relu_registry_test")
    assert COURSE.get("relu") is before
