"""Tests of numpynn.training.optim: hand-worked updates, an independent oracle, in-place updates,
dtypes, checkpoints that resume bit for bit, and argument validation."""

from __future__ import annotations

import io
import json
import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpynn.errors import InputError
from numpynn.training import optim as optim_module
from numpynn.training.blas import blas
from numpynn.training.optim import (
    OPTIMIZERS,
    SGD,
    Adam,
    Momentum,
    Optimizer,
    RMSprop,
    make_optimizer,
    optimizer_from_state_dict,
)


def run_steps(opt: Optimizer, grads: list[list[float]], dtype=np.float64) -> list[np.ndarray]:
    """Start from w = [1, -2], apply one step per gradient, return w after each step."""
    params = {"w": np.array([1.0, -2.0], dtype=dtype)}
    out = []
    for g in grads:
        opt.step(params, {"w": np.array(g, dtype=dtype)})
        out.append(params["w"].copy())
    return out


G = [0.5, -1.0]  # a fixed gradient


# ----------------------------------------------------------------- hand-worked values


def test_sgd_by_hand():
    w1, w2 = run_steps(SGD(0.1), [G, [-1.0, 2.0]])
    # w1 = [1 - 0.1*0.5, -2 - 0.1*(-1)]
    np.testing.assert_allclose(w1, [0.95, -1.9], rtol=1e-14)
    # w2 = [0.95 - 0.1*(-1), -1.9 - 0.1*2]
    np.testing.assert_allclose(w2, [1.05, -2.1], rtol=1e-14)


def test_momentum_by_hand():
    w1, w2, w3 = run_steps(Momentum(0.1, momentum=0.9), [G, G, G])
    # v1 = 0.9*0 - 0.1*[0.5, -1] = [-0.05, 0.1];            w1 = [0.95, -1.9]
    np.testing.assert_allclose(w1, [0.95, -1.9], rtol=1e-14)
    # v2 = 0.9*[-0.05, 0.1] - [0.05, -0.1] = [-0.095, 0.19];  w2 = [0.855, -1.71]
    np.testing.assert_allclose(w2, [0.855, -1.71], rtol=1e-14)
    # v3 = 0.9*[-0.095, 0.19] - [0.05, -0.1] = [-0.1355, 0.271]; w3 = [0.7195, -1.439]
    np.testing.assert_allclose(w3, [0.7195, -1.439], rtol=1e-14)


def test_nesterov_by_hand():
    w1, w2, w3 = run_steps(Momentum(0.1, momentum=0.9, nesterov=True), [G, G, G])
    # v0 = 0, v1 = [-0.05, 0.1]; w += -0.9*0 + 1.9*v1 = [-0.095, 0.19]
    np.testing.assert_allclose(w1, [0.905, -1.81], rtol=1e-14)
    # v2 = [-0.095, 0.19]; w += -0.9*[-0.05, 0.1] + 1.9*[-0.095, 0.19]
    #                         = [0.045 - 0.1805, -0.09 + 0.361] = [-0.1355, 0.271]
    np.testing.assert_allclose(w2, [0.7695, -1.539], rtol=1e-14)
    # v3 = [-0.1355, 0.271]; w += -0.9*[-0.095, 0.19] + 1.9*[-0.1355, 0.271]
    #                         = [0.0855 - 0.25745, -0.171 + 0.5149] = [-0.17195, 0.3439]
    np.testing.assert_allclose(w3, [0.59755, -1.1951], rtol=1e-14)


def test_nesterov_factory_name():
    opt = make_optimizer("nesterov", 0.1, momentum=0.9)
    assert isinstance(opt, Momentum) and opt.nesterov and opt.name == "nesterov"


def test_rmsprop_by_hand():
    w1, w2 = run_steps(RMSprop(0.01, decay_rate=0.9, eps=1e-8), [G, G])
    # cache1 = 0.1*[0.25, 1] = [0.025, 0.1]
    # step1 = 0.01*[0.5/(sqrt(0.025)+eps), -1/(sqrt(0.1)+eps)]  (both ~ +-0.01*sqrt(10))
    s1 = [0.01 * 0.5 / (math.sqrt(0.025) + 1e-8), 0.01 * -1.0 / (math.sqrt(0.1) + 1e-8)]
    assert s1[0] == pytest.approx(0.01 * math.sqrt(10), rel=1e-6)
    np.testing.assert_allclose(w1, [1.0 - s1[0], -2.0 - s1[1]], rtol=1e-13)
    # cache2 = 0.9*[0.025, 0.1] + 0.1*[0.25, 1] = [0.0475, 0.19]
    s2 = [0.01 * 0.5 / (math.sqrt(0.0475) + 1e-8), 0.01 * -1.0 / (math.sqrt(0.19) + 1e-8)]
    assert s2[0] == pytest.approx(0.01 / math.sqrt(0.19), rel=1e-6)
    np.testing.assert_allclose(w2, [1.0 - s1[0] - s2[0], -2.0 - s1[1] - s2[1]], rtol=1e-13)


def test_adam_by_hand():
    w1, w2 = run_steps(Adam(0.1, beta1=0.9, beta2=0.999, eps=1e-8), [G, [-0.5, 2.0]])
    # t=1: m = 0.1*[0.5, -1] = [0.05, -0.1]; v = 0.001*[0.25, 1] = [0.00025, 0.001]
    #      mhat = m/0.1 = [0.5, -1]; vhat = v/0.001 = [0.25, 1]
    u1 = [0.1 * 0.5 / (0.5 + 1e-8), 0.1 * -1.0 / (1.0 + 1e-8)]
    np.testing.assert_allclose(w1, [1.0 - u1[0], -2.0 - u1[1]], rtol=1e-13)
    # t=2, g = [-0.5, 2]:
    #      m = 0.9*[0.05, -0.1] + 0.1*[-0.5, 2] = [-0.005, 0.11]
    #      v = 0.999*[0.00025, 0.001] + 0.001*[0.25, 4] = [0.00049975, 0.004999]
    #      1 - 0.9**2 = 0.19; 1 - 0.999**2 = 0.001999
    mhat = [-0.005 / 0.19, 0.11 / 0.19]
    vhat = [0.00049975 / 0.001999, 0.004999 / 0.001999]  # = [0.25, 2.50075...]
    assert vhat[0] == pytest.approx(0.25, rel=1e-12)
    u2 = [0.1 * mhat[0] / (math.sqrt(vhat[0]) + 1e-8), 0.1 * mhat[1] / (math.sqrt(vhat[1]) + 1e-8)]
    np.testing.assert_allclose(w2, [w1[0] - u2[0], w1[1] - u2[1]], rtol=1e-10)


# ----------------------------------------------------------------- independent oracle


def oracle(name: str, hyper: dict, w: np.ndarray, grads: list[np.ndarray]) -> np.ndarray:
    """Straight CS231n-style formulas, allocating freely; returns w after all steps."""
    w = w.copy()
    lr = hyper["lr"]
    v = np.zeros_like(w)
    m = np.zeros_like(w)
    cache = np.zeros_like(w)
    for t, dw in enumerate(grads, start=1):
        if name == "sgd":
            w = w - lr * dw
        elif name == "momentum":
            v = hyper["momentum"] * v - lr * dw
            w = w + v
        elif name == "nesterov":
            mu = hyper["momentum"]
            v_prev = v
            v = mu * v - lr * dw
            w = w - mu * v_prev + (1 + mu) * v
        elif name == "rmsprop":
            dr = hyper["decay_rate"]
            cache = dr * cache + (1 - dr) * dw**2
            w = w - lr * dw / (np.sqrt(cache) + hyper["eps"])
        elif name == "adam":
            b1, b2 = hyper["beta1"], hyper["beta2"]
            m = b1 * m + (1 - b1) * dw
            v = b2 * v + (1 - b2) * dw**2
            mhat = m / (1 - b1**t)
            vhat = v / (1 - b2**t)
            w = w - lr * mhat / (np.sqrt(vhat) + hyper["eps"])
    return w


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(OPTIMIZERS.names()),
    lr=st.floats(0.0, 1.0),
    mu=st.floats(0.0, 0.99),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_oracle(name, lr, mu, seed):
    rng = np.random.default_rng(seed)
    kwargs = {
        "sgd": {},
        "momentum": {"momentum": mu},
        "nesterov": {"momentum": mu},
        "rmsprop": {"decay_rate": mu, "eps": 1e-8},
        "adam": {"beta1": mu, "beta2": 0.999, "eps": 1e-8},
    }[name]
    opt = make_optimizer(name, lr, **kwargs)
    w0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(6)]
    params = {"W": w0.copy()}
    for g in grads:
        opt.step(params, {"W": g})
    expected = oracle(name, {"lr": lr, **kwargs}, w0, grads)
    np.testing.assert_allclose(params["W"], expected, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------- in place, dtype, memory


def all_optimizers(lr: float = 0.01) -> list[Optimizer]:
    return [make_optimizer(name, lr) for name in OPTIMIZERS.names()]


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_step_is_in_place_and_leaves_grads_alone(name):
    opt = make_optimizer(name, 0.1)
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((4, 3)), "b1": np.zeros(3)}
    grads = {"W1": rng.standard_normal((4, 3)), "b1": np.ones(3)}
    grads_before = {k: g.copy() for k, g in grads.items()}
    held = dict(params)  # what a model holds
    before = {k: p.copy() for k, p in params.items()}
    for _ in range(2):
        opt.step(params, grads)
    for k in params:
        assert params[k] is held[k]
        assert np.shares_memory(params[k], held[k])
        assert not np.array_equal(params[k], before[k])
        np.testing.assert_array_equal(grads[k], grads_before[k])


def test_step_updates_a_non_contiguous_view_in_place():
    big = np.ones((4, 6))
    params = {"W": big[:, ::2]}
    Adam(0.1).step(params, {"W": np.ones((4, 3))})
    assert np.all(big[:, ::2] < 1.0) and np.all(big[:, 1::2] == 1.0)


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_float32_stays_float32(name):
    opt32 = make_optimizer(name, 0.05)
    opt64 = make_optimizer(name, 0.05)
    rng = np.random.default_rng(1)
    w = rng.standard_normal((5, 2))
    p32 = {"W": w.astype(np.float32)}
    p64 = {"W": w.copy()}
    for _ in range(3):
        g = rng.standard_normal((5, 2))
        opt32.step(p32, {"W": g.astype(np.float32)})
        opt64.step(p64, {"W": g})
    assert p32["W"].dtype == np.float32
    for arr in opt32.state_dict()["arrays"].values():
        assert arr.dtype == np.float32
    np.testing.assert_allclose(p32["W"], p64["W"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_no_weight_sized_allocation_after_first_step(name):
    opt = make_optimizer(name, 0.01)
    params = {"W": np.ones((500, 500))}  # 2 MB
    grads = {"W": np.full((500, 500), 0.5)}
    opt.step(params, grads)  # allocates state and scratch
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        opt.step(params, grads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < params["W"].nbytes // 10


# ----------------------------------------------------------------- convergence


@pytest.mark.parametrize(
    "name,lr",
    [("sgd", 0.05), ("momentum", 0.02), ("nesterov", 0.02), ("rmsprop", 0.01), ("adam", 0.05)],
)
def test_decreases_a_convex_quadratic(name, lr):
    a = np.array([1.0, 10.0, 3.0])  # f(w) = 0.5 * sum(a * w**2), grad = a * w

    def f(w):
        return 0.5 * float(np.sum(a * w**2))

    params = {"w": np.array([1.0, -2.0, 0.5])}
    opt = make_optimizer(name, lr)
    f0 = f(params["w"])
    for _ in range(100):
        opt.step(params, {"w": a * params["w"]})
    assert f(params["w"]) < 0.05 * f0


# ----------------------------------------------------------------- checkpoints


def grad_at(w: np.ndarray, step: int) -> np.ndarray:
    """A gradient that depends on w and on the step (deterministic)."""
    noise = np.random.default_rng(step).standard_normal(w.shape).astype(w.dtype)
    return (w * np.asarray(2.0, w.dtype) + noise).astype(w.dtype)


def roundtrip(state: dict) -> dict:
    """Through JSON (scalars) and .npz (arrays), as a checkpoint file would."""
    scalars = json.loads(json.dumps({k: v for k, v in state.items() if k != "arrays"}))
    buf = io.BytesIO()
    np.savez(buf, **state["arrays"])
    buf.seek(0)
    with np.load(buf) as npz:
        scalars["arrays"] = {k: npz[k] for k in npz.files}
    return scalars


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_state_dict_resumes_bit_identically(name, dtype):
    rng = np.random.default_rng(7)
    init = {"W1": rng.standard_normal((3, 4)).astype(dtype), "b1": np.zeros(4, dtype)}

    def steps(opt, params, start, stop):
        for i in range(start, stop):
            if i == 1:
                opt.lr = 0.02  # a schedule changed the rate
            opt.step(params, {k: grad_at(p, i) for k, p in params.items()})

    straight = {k: v.copy() for k, v in init.items()}
    steps(make_optimizer(name, 0.05), straight, 0, 5)

    first = make_optimizer(name, 0.05)
    resumed = {k: v.copy() for k, v in init.items()}
    steps(first, resumed, 0, 2)
    state = roundtrip(first.state_dict())
    second = optimizer_from_state_dict(state)
    assert second.lr == 0.02 and second.t == 2
    steps(second, resumed, 2, 5)

    for k in init:
        assert resumed[k].dtype == dtype
        assert resumed[k].tobytes() == straight[k].tobytes()


def test_load_state_dict_into_fresh_instance():
    a = Adam(0.1, beta1=0.8)
    run_steps(a, [G, G])
    b = Adam(0.5)
    b.load_state_dict(a.state_dict())
    assert (b.lr, b.beta1, b.t) == (0.1, 0.8, 2)
    assert sorted(b.state_dict()["arrays"]) == ["m/w", "v/w"]


def test_state_dict_layout_and_snapshot():
    opt = make_optimizer("adam", 0.01)
    params = {"W1": np.ones((2, 2)), "b1": np.ones(2)}
    grads = {"W1": np.ones((2, 2)), "b1": np.ones(2)}
    opt.step(params, grads)
    state = opt.state_dict()
    assert state["name"] == "adam" and state["t"] == 1
    assert state["hyper"] == {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert set(state["arrays"]) == {"m/W1", "v/W1", "m/b1", "v/b1"}
    json.dumps({k: v for k, v in state.items() if k != "arrays"})
    saved = state["arrays"]["m/W1"].copy()
    opt.step(params, grads)
    np.testing.assert_array_equal(state["arrays"]["m/W1"], saved)  # a snapshot, not a view
    assert SGD(0.1).state_dict() == {"name": "sgd", "hyper": {"lr": 0.1}, "t": 0, "arrays": {}}


def test_load_state_dict_rejects_foreign_state():
    adam_state = Adam(0.1).state_dict()
    with pytest.raises(InputError, match="adam"):
        SGD(0.1).load_state_dict(adam_state)
    with pytest.raises(InputError, match="nesterov"):
        Momentum(0.1).load_state_dict(Momentum(0.1, nesterov=True).state_dict())
    bad = Adam(0.1).state_dict()
    bad["hyper"]["beta1"] = 1.5
    opt = Adam(0.1)
    with pytest.raises(InputError, match="beta1"):
        opt.load_state_dict(bad)
    assert opt.beta1 == 0.9  # unchanged
    bad = Adam(0.1).state_dict()
    bad["arrays"] = {"q/W1": np.zeros(2)}
    with pytest.raises(InputError, match="q/W1"):
        Adam(0.1).load_state_dict(bad)


def test_loaded_state_must_fit_the_params():
    a = Momentum(0.1)
    a.step({"W1": np.ones(3)}, {"W1": np.ones(3)})
    b = Momentum(0.1)
    b.load_state_dict(a.state_dict())
    params = {"W1": np.ones(4)}
    with pytest.raises(InputError, match="W1"):
        b.step(params, {"W1": np.ones(4)})
    np.testing.assert_array_equal(params["W1"], np.ones(4))


# ----------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "factory,arg,value",
    [
        (lambda: SGD(-0.1), "lr", "-0.1"),
        (lambda: SGD(float("nan")), "lr", "nan"),
        (lambda: SGD("0.1"), "lr", "'0.1'"),
        (lambda: Momentum(0.1, momentum=1.0), "momentum", "1.0"),
        (lambda: Momentum(0.1, momentum=-0.5), "momentum", "-0.5"),
        (lambda: Momentum(0.1, nesterov="yes"), "nesterov", "'yes'"),
        (lambda: RMSprop(0.1, decay_rate=1.5), "decay_rate", "1.5"),
        (lambda: RMSprop(0.1, eps=0.0), "eps", "0.0"),
        (lambda: Adam(0.1, beta1=-0.1), "beta1", "-0.1"),
        (lambda: Adam(0.1, beta2=1), "beta2", "1"),
        (lambda: make_optimizer("adam", -1.0), "lr", "-1.0"),
    ],
)
def test_bad_hyperparameters_raise_input_error(factory, arg, value):
    with pytest.raises(InputError) as info:
        factory()
    msg = str(info.value)
    assert arg in msg and value in msg
    assert isinstance(info.value, ValueError)


def test_lr_setter_validates():
    opt = SGD(0.1)
    opt.lr = 0.5
    assert opt.lr == 0.5
    with pytest.raises(InputError, match="lr"):
        opt.lr = -0.5
    assert opt.lr == 0.5


def test_make_optimizer_names():
    assert OPTIMIZERS.names() == ("sgd", "momentum", "nesterov", "rmsprop", "adam")
    for name in OPTIMIZERS.names():
        assert make_optimizer(name.upper(), 0.1).name == name
    assert isinstance(make_optimizer(" Adam ", 0.1), Adam)
    with pytest.raises(InputError) as info:
        make_optimizer("adamw", 0.1)
    assert "adamw" in str(info.value)
    for name in OPTIMIZERS.names():
        assert name in str(info.value)
    with pytest.raises(InputError, match="momentum"):
        make_optimizer("sgd", 0.1, momentum=0.9)
    with pytest.raises(InputError, match="beta3"):
        make_optimizer("adam", 0.1, beta3=0.9)


@pytest.mark.parametrize(
    "grads,key",
    [
        ({"W1": np.ones((2, 3))}, "b1"),  # missing
        ({"W1": np.ones((2, 3)), "b1": np.ones(3), "W2": np.ones(1)}, "W2"),  # extra
        ({"W1": np.ones((3, 2)), "b1": np.ones(3)}, "W1"),  # shape
        ({"W1": np.ones((2, 3)), "b1": np.ones(3, np.float32)}, "b1"),  # dtype
        ({"W1": [[1.0] * 3] * 2, "b1": np.ones(3)}, "W1"),  # not an array
    ],
)
@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_mismatched_grads_raise_and_change_nothing(name, grads, key):
    opt = make_optimizer(name, 0.1)
    params = {"W1": np.ones((2, 3)), "b1": np.ones(3)}
    with pytest.raises(InputError, match=key):
        opt.step(params, grads)
    np.testing.assert_array_equal(params["W1"], np.ones((2, 3)))
    np.testing.assert_array_equal(params["b1"], np.ones(3))
    assert opt.t == 0


def test_params_must_be_writable_float_arrays():
    ro = np.ones(2)
    ro.flags.writeable = False
    with pytest.raises(InputError, match="read-only"):
        SGD(0.1).step({"w": ro}, {"w": np.ones(2)})
    with pytest.raises(InputError, match="floating"):
        SGD(0.1).step({"w": np.ones(2, dtype=int)}, {"w": np.ones(2, dtype=int)})


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-9), ("float32", 2e-5)])
def test_adam_blas_passes_match_ufuncs_and_the_formula(dtype, rtol, monkeypatch):
    """Adam's one-pass BLAS route (axpby for the moments, axpy for the weight, bias
    corrections folded into two scalars) gives the textbook update; so does the ufunc
    route it falls back to (small, non-contiguous or other-BLAS arrays)."""
    if not blas().available:
        pytest.skip("NumPy's BLAS is not the scipy-openblas ILP64 build")
    rng = np.random.default_rng(7)
    w0 = rng.standard_normal((300, 256)).astype(dtype)  # >= FUSE_MIN_SIZE entries
    grads = [rng.standard_normal(w0.shape).astype(dtype) for _ in range(4)]
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 1e-2
    w, m, v = w0.astype(np.float64), np.zeros(w0.shape), np.zeros(w0.shape)
    for t, g in enumerate(grads, 1):  # the formula in float64
        g = g.astype(np.float64)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    calls: list[int] = []
    real = type(blas()).axpby
    monkeypatch.setattr(type(blas()), "axpby",
                        lambda self, *a: (calls.append(1), real(self, *a))[1])
    out = {}
    for route, size in (("blas", 0), ("ufuncs", 1 << 62)):
        monkeypatch.setattr(optim_module, "FUSE_MIN_SIZE", size)
        opt, params = Adam(lr, b1, b2, eps), {"W": w0.copy()}
        calls.clear()
        for g in grads:
            opt.step(params, {"W": g})
        assert bool(calls) == (route == "blas")
        out[route] = params["W"]
        assert out[route].dtype == np.dtype(dtype)
        np.testing.assert_allclose(out[route], w, rtol=rtol, atol=rtol * np.abs(w).max())
    np.testing.assert_allclose(out["blas"], out["ufuncs"], rtol=rtol,
                               atol=rtol * np.abs(w).max())


# ---------------------------------------------------------------- the registry
def test_an_optimiser_is_one_class_registered_with_its_hyper_parameters(monkeypatch):
    """A new optimiser costs its class: the factory, TrainConfig's check, a checkpoint
    round trip and the name an instance answers to come from the registration."""
    import dataclasses

    from numpynn.training.optim import OPTIMIZERS, Hyper, Optimizer, optimizer_from_state_dict
    from numpynn.training.trainer import TrainConfig
    from numpynn.validation import POSITIVE_NUMBER

    monkeypatch.setattr(OPTIMIZERS, "_entries", dict(OPTIMIZERS._entries))

    @OPTIMIZERS.register("signsgd")
    class SignSGD(Optimizer):
        """w -= lr * scale * sign(dw)"""

        hyper = {"scale": Hyper(1.0, POSITIVE_NUMBER)}

        def _update(self, w, dw, state, s):
            np.sign(dw, out=s)
            w -= self.lr * self.scale * s

    assert OPTIMIZERS.names()[-1] == "signsgd"
    opt = make_optimizer("SignSGD", 0.1, scale=2.0)
    assert isinstance(opt, SignSGD) and opt.name == "signsgd"
    w = np.array([1.0, -1.0])
    opt.step({"w": w}, {"w": np.array([3.0, -0.5])})
    np.testing.assert_allclose(w, [0.8, -0.8])
    again = optimizer_from_state_dict(opt.state_dict())
    assert again.scale == 2.0 and again.t == 1
    with pytest.raises(InputError, match="scale"):
        make_optimizer("signsgd", 0.1, scale=-1)
    with pytest.raises(InputError, match="momentum"):
        make_optimizer("signsgd", 0.1, momentum=0.9)
    config = TrainConfig(optimizer="signsgd", optimizer_kwargs={"scale": 0.5})
    assert dataclasses.replace(config).make_optimizer().scale == 0.5


def test_a_preset_name_leaves_its_preset_to_the_name():
    """'nesterov' is momentum with nesterov=True: the caller cannot give nesterov there."""
    from numpynn.training.optim import OPTIMIZERS

    assert OPTIMIZERS.entry("nesterov").arguments == ("momentum",)
    with pytest.raises(InputError, match="nesterov"):
        make_optimizer("nesterov", 0.1, nesterov=False)
    assert Momentum(0.1, 0.5, True).name == "nesterov"
    with pytest.raises(InputError, match="twice"):
        Momentum(0.1, 0.5, momentum=0.5)


def test_blas_threads_limits_the_pool_inside_the_block_and_restores_it():
    """Blas.threads(1): one OpenBLAS thread inside the block (the packed evaluation's),
    the pool's own count after it, also when the block raises; a no-op where NumPy's
    OpenBLAS is not the one numpynn can reach."""
    from numpynn.training.blas import blas

    b = blas()
    if not b.available:
        with b.threads(1):
            pass
        pytest.skip("NumPy's BLAS is not the scipy-openblas build")
    get, put = b._fns["", "get_threads"], b._fns["", "set_threads"]
    before = get()
    put(2)
    try:
        with b.threads(1):
            assert get() == 1
        assert get() == 2
        with pytest.raises(ValueError), b.threads(1):
            raise ValueError
        assert get() == 2
        put(1)
        with b.threads(4):  # never raised above what the pool runs
            assert get() == 1
    finally:
        put(before)
