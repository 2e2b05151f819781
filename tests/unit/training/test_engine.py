"""The training engine (numpynn.training.engine) against the readable reference.

The reference is ``Network.loss`` + ``Optimizer.step``; the engine must compute the same
loss and gradients (to float rounding) for every network of registered layers, train to
the same history and parameters through Trainer, stay deterministic, and allocate nothing
of a weight's size per step. The prediction forward (``Network.forward``, kernels in
chunks) must equal the readable forward.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from numpynn import TwoLayerNet
from numpynn import models as models_module
from numpynn.models import MLP
from numpynn.training import blas as blas_module
from numpynn.training import engine as engine_module
from numpynn.training import optim as optim_module
from numpynn.training.engine import Engine
from numpynn.training.optim import SGD
from numpynn.training.trainer import Callback, TrainConfig, Trainer
from tests.clirun import REPO

RTOL = {"float32": 1e-5, "float64": 1e-12}


def assert_close(actual, expected, rtol, what=""):
    """Elementwise rtol, with an absolute floor relative to the array's largest entry
    (entries that cancel to ~0 carry the rounding of the large terms they came from)."""
    expected = np.asarray(expected, dtype=np.float64)
    atol = rtol * max(float(np.max(np.abs(expected))), 1e-30)
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol,
                               atol=atol, err_msg=what)


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    X = (d.data - d.data.mean(axis=0)) / (d.data.std(axis=0) + 1.0)
    return X[:700], d.target[:700].astype(np.int64), X[700:900], d.target[700:900]


# ----------------------------------------------------------------- loss and gradients


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("hidden", [[7], [9, 5], [6, 5, 4]])
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_loss_and_grads_match_reference(dtype, hidden, reg):
    rng = np.random.default_rng(len(hidden) + int(10 * reg))
    model = MLP(11, hidden, 4, reg=reg, dtype=dtype, seed=1)
    fast = Engine(model, 16)
    for b in (16, 5, 16, 1):  # full, partial (views of the workspace), full again, one row
        X = rng.standard_normal((b, 11)).astype(dtype)
        y = rng.integers(0, 4, b)
        loss_ref, grads_ref = model.loss(X, y)
        loss, grads = fast.loss_and_grads(X, y)
        assert grads.keys() == grads_ref.keys()
        assert loss == pytest.approx(loss_ref, rel=RTOL[dtype])
        for k in grads_ref:
            assert grads[k].dtype == grads_ref[k].dtype and grads[k].shape == grads_ref[k].shape
            assert_close(grads[k], grads_ref[k], RTOL[dtype], f"{k} b={b}")


def test_loss_is_stable_for_huge_scores():
    model = MLP(3, [4], 3, dtype="float64", seed=0)
    model.params["W2"] *= 1e5  # scores of order 1e5: a naive softmax overflows
    X = np.random.default_rng(0).standard_normal((6, 3))
    y = np.arange(6) % 3
    loss_ref, grads_ref = model.loss(X, y)
    loss, grads = Engine(model, 6).loss_and_grads(X, y)
    assert np.isfinite(loss) and loss == pytest.approx(loss_ref, rel=1e-12)
    for k in grads_ref:
        assert_close(grads[k], grads_ref[k], 1e-12, k)


def test_batch_larger_than_the_workspace_grows_it():
    model = MLP(5, [6], 3, reg=0.1, dtype="float64", seed=0)
    fast = Engine(model, 4)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((9, 5)), rng.integers(0, 3, 9)
    loss_ref, grads_ref = model.loss(X, y)
    loss, grads = fast.loss_and_grads(X, y)
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    assert_close(grads["W1"], grads_ref["W1"], 1e-12)


# ------------------------------------------------------------------ through Trainer


def train_pair(digits, dtype="float64", hidden=(16, 8), model_cls=MLP, **config):
    """The same run with the fast path and with the reference loop."""
    Xtr, ytr, Xv, yv = digits
    out = []
    for fast in (True, False):
        if model_cls is TwoLayerNet:
            model = TwoLayerNet(64, hidden[0], 10, weight_scale="he", reg=1e-2, dtype=dtype,
                                seed=0)
        else:
            model = MLP(64, list(hidden), 10, reg=1e-2, dtype=dtype, seed=0)
        cfg = TrainConfig(**{"epochs": 3, "batch_size": 64, "lr": 1e-2, "seed": 3, **config})
        trainer = Trainer(model, Xtr, ytr, Xv, yv, config=cfg, fast=fast)
        trainer.train()
        assert (trainer._step is not None) == fast
        assert trainer.history.engine == ("engine" if fast else "reference: fast=False")
        out.append(trainer)
    return out


OPTIMIZERS = {
    "sgd": {"optimizer": "sgd", "lr": 0.1},
    "momentum": {"optimizer": "momentum", "optimizer_kwargs": {"momentum": 0.9}},
    "nesterov": {"optimizer": "nesterov"},
    "rmsprop": {"optimizer": "rmsprop", "lr": 1e-3},
    "adam": {"optimizer": "adam", "lr": 1e-3},
}


@pytest.fixture(params=["ufuncs", "blas"])
def update_mode(request, monkeypatch):
    """Weight updates by NumPy ufuncs, or through BLAS calls at all sizes (SGD/momentum
    fused into the gradient multiply, the L2 term and Adam's passes by axpy/axpby)."""
    if request.param == "blas":
        if not blas_module.blas().available:
            pytest.skip("NumPy's BLAS is not the scipy-openblas ILP64 build: no fused updates")
        size = 0
    else:
        size = 1 << 62
    monkeypatch.setattr(engine_module, "FUSE_MIN_SIZE", size)
    monkeypatch.setattr(optim_module, "FUSE_MIN_SIZE", size)
    return request.param


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_matches_reference(digits, name, update_mode):
    # 700 rows, batch 64: the last batch of every epoch has 60 rows
    fast, ref = train_pair(digits, **OPTIMIZERS[name])
    fused = any(sink.done for sink in fast._step.engine.sinks)
    assert fused == (update_mode == "blas" and name in ("sgd", "momentum"))
    hf, hr = fast.history, ref.history
    assert len(hf.step_loss) == len(hr.step_loss) == 3 * 11
    np.testing.assert_allclose(hf.step_loss, hr.step_loss, rtol=1e-10)
    np.testing.assert_allclose(hf.val_loss, hr.val_loss, rtol=1e-10)
    assert hf.val_acc == hr.val_acc and hf.train_acc == hr.train_acc
    assert hf.best_epoch == hr.best_epoch and hf.stop_reason == hr.stop_reason
    for k, v in ref.model.params.items():
        assert_close(fast.model.params[k], v, 1e-9, k)
    state_f = fast.optimizer.state_dict()
    state_r = ref.optimizer.state_dict()
    assert state_f["t"] == state_r["t"] and state_f["arrays"].keys() == state_r["arrays"].keys()
    for k, v in state_r["arrays"].items():
        assert_close(state_f["arrays"][k], v, 1e-9, k)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_training_matches_reference_float32(digits, name, update_mode):
    fast, ref = train_pair(digits, dtype="float32", hidden=(32,), model_cls=TwoLayerNet,
                           **OPTIMIZERS[name])
    np.testing.assert_allclose(fast.history.step_loss, ref.history.step_loss, rtol=1e-4)
    for k, v in ref.model.params.items():
        assert fast.model.params[k].dtype == np.float32
        assert_close(fast.model.params[k], v, 1e-4, k)


def test_optimizer_without_fusion_gets_true_gradients(digits, monkeypatch):
    """An optimiser that describes no fusion is driven through its public update()."""

    class MySGD(SGD):
        def fusion(self):
            return None

    made = []

    def make(self):
        made.append(MySGD(self.lr))
        return made[-1]

    monkeypatch.setattr(TrainConfig, "make_optimizer", make)
    fast, ref = train_pair(digits, lr=0.1)
    assert isinstance(fast.optimizer, MySGD)
    assert not any(sink.done for sink in fast._step.engine.sinks)
    np.testing.assert_allclose(fast.history.step_loss, ref.history.step_loss, rtol=1e-10)
    for k, v in ref.model.params.items():
        assert_close(fast.model.params[k], v, 1e-9, k)


def test_engine_is_deterministic(digits, update_mode):
    runs = [train_pair(digits, **OPTIMIZERS["momentum"])[0] for _ in range(2)]
    assert runs[1].history.deterministic() == runs[0].history.deterministic()
    for k, v in runs[0].model.params.items():
        assert np.array_equal(runs[1].model.params[k], v)


def test_params_replaced_during_training_are_followed(digits):
    """set_params (new arrays) between steps: the fast path rebinds, like the reference."""

    class Shrink(Callback):
        def on_step_end(self, trainer, loss):
            if trainer.step_count == 5:
                trainer.model.set_params({k: 0.5 * v for k, v in trainer.model.params.items()})

    Xtr, ytr, Xv, yv = digits
    results = []
    for fast in (True, False):
        model = MLP(64, [16], 10, reg=1e-2, dtype="float64", seed=0)
        cfg = TrainConfig(epochs=2, batch_size=64, optimizer="momentum", lr=1e-2, seed=3)
        trainer = Trainer(model, Xtr, ytr, Xv, yv, config=cfg, callbacks=[Shrink()], fast=fast)
        trainer.train()
        results.append(trainer)
    np.testing.assert_allclose(results[0].history.step_loss, results[1].history.step_loss,
                               rtol=1e-10)


def test_overridden_loss_uses_the_reference_loop(digits):
    calls = []

    class Counting(MLP):
        def loss(self, X, y=None, reg=None):
            if y is not None:
                calls.append(len(y))
            return super().loss(X, y, reg)

    Xtr, ytr, Xv, yv = digits
    model = Counting(64, [16], 10, seed=0)
    trainer = Trainer(model, Xtr, ytr, config=TrainConfig(epochs=1, batch_size=100))
    trainer.train()
    assert sum(calls) == 700 and trainer._step is None
    assert trainer.history.engine.startswith("reference: Counting.loss")


# ------------------------------------------------------------------------- allocations


#: measures the tracemalloc peak of steps 3-10 of a fast run (and the weights' total size)
#: for the small and the large network, in a new interpreter: tracemalloc counts the
#: allocations of every thread, and a test process may run threads of earlier tests (a
#: progress bar's monitor, a Dask cluster) that allocate while the steps are measured
PEAK_SCRIPT = """
import json, sys, tracemalloc
import numpy as np
from numpynn.training import engine, optim
from numpynn.training.engine import TrainStep
from numpynn.models import MLP
from numpynn.training.optim import make_optimizer

optimizer, mode = sys.argv[1:3]
engine.FUSE_MIN_SIZE = optim.FUSE_MIN_SIZE = 0 if mode == "blas" else 1 << 62


def step_peak(D, H):
    rng = np.random.default_rng(0)
    N, C, B = 300, 10, 32  # 300 = 9 * 32 + 12: step 10 is the short last batch
    X = rng.standard_normal((N, D)).astype(np.float32)
    y = rng.integers(0, C, N)
    model = MLP(D, [H, 64], C, reg=1e-3, dtype="float32", seed=0)
    step = TrainStep(model, X, y, B)
    opt = make_optimizer(optimizer, 1e-3)
    order = rng.permutation(N)
    step(order, 0, opt)
    step(order, B, opt)  # warm-up: workspaces, optimiser state
    tracemalloc.start()
    tracemalloc.reset_peak()
    for i in range(2, 10):
        step(order, i * B, opt)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, sum(w.nbytes for k, w in model.params.items() if k.startswith("W"))


print(json.dumps([step_peak(256, 128), step_peak(1024, 512)]))
"""


def peaks_in_a_fresh_process(optimizer: str, mode: str) -> list[tuple[int, int]]:
    """[(peak, weight bytes) of the small net, of the large net] (:data:`PEAK_SCRIPT`)."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, optimizer, mode],
                          capture_output=True, text=True, timeout=120,
                          cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return [tuple(p) for p in json.loads(proc.stdout)]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
def test_no_weight_sized_allocations_per_step(optimizer, update_mode):
    (small, small_weights), (large, large_weights) = peaks_in_a_fresh_process(optimizer,
                                                                             update_mode)
    assert large_weights > 10 * small_weights
    # What remains is small change (Python floats, ctypes arguments, views for the short
    # batch) and the buffer NumPy's iterator takes for a broadcasting ufunc such as the
    # bias add (at most np.getbufsize() elements): about 30-50 KB whatever the size of the
    # weights (measured; the exact figure moves by a few KB between runs and builds). An
    # array of a weight's size would be 131 KB for the large net's smallest hidden weight
    # (512 x 64 float32) and 2 MB for its first; so the peak must stay under a twentieth
    # of the weights and must not grow with them.
    assert large < large_weights / 20, (large, large_weights)
    assert large < 2 * small + np.getbufsize() * 8, (small, large)


# --------------------------------------------------------------------------- predict


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("hidden", [[7], [9, 5, 4]])
def test_predict_proba_matches_reference(dtype, hidden, monkeypatch):
    monkeypatch.setattr(models_module, "PREDICT_CHUNK", 64)  # several chunks and a short one
    model = MLP(11, hidden, 4, dtype=dtype, seed=0)
    X = np.random.default_rng(0).standard_normal((300, 11)).astype(dtype)
    expected = reference_proba(model, X)
    got = model.predict_proba(X)
    assert got.dtype == expected.dtype and got.shape == (300, 4)
    assert_close(got, expected, RTOL[dtype])
    # inputs the fast path does not take as they are: the reference (conversion) path
    for other in (X.astype(np.float64 if dtype == "float32" else np.float32),
                  np.asfortranarray(X), X.tolist(), X.reshape(300, 11, 1)):
        assert_close(model.predict_proba(other), expected, 1e-5)


def test_predict_proba_non_finite_input_raises_like_the_reference(monkeypatch):
    monkeypatch.setattr(models_module, "PREDICT_CHUNK", 64)
    model = MLP(5, [6], 3, seed=0)
    X = np.random.default_rng(0).standard_normal((200, 5)).astype(np.float32)
    for value in (np.nan, np.inf, -np.inf):
        bad = X.copy()
        bad[150, 2] = value
        with pytest.raises(ValueError) as fast_err:
            model.predict_proba(bad)
        with pytest.raises(ValueError) as ref_err:
            reference_proba(model, bad)
        assert str(fast_err.value) == str(ref_err.value)
        assert "X[150, 2] (row 151, column 3" in str(fast_err.value)


def test_predict_proba_overflowing_model_gives_the_reference_result():
    model = MLP(5, [6], 3, seed=0, dtype="float32")
    model.params["W1"] *= np.float32(1e37)  # finite input, infinite activations
    X = np.random.default_rng(0).standard_normal((20, 5)).astype(np.float32) * 1e3
    with np.errstate(all="ignore"):
        assert not np.isfinite(X @ model.params["W1"]).all()
        expected = reference_proba(model, X)
        got = model.predict_proba(X)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, equal_nan=True)


def test_blas_self_test_and_fallback(digits, monkeypatch):
    b = blas_module.Blas()
    if b.available:  # the ctypes calls agree with NumPy (checked on load, checked again)
        rng = np.random.default_rng(0)
        for dt in (np.float32, np.float64):
            a, d = rng.standard_normal((6, 4)).astype(dt), rng.standard_normal((6, 3)).astype(dt)
            c = rng.standard_normal((4, 3)).astype(dt)
            want = 0.9 * c + a.T @ d
            b.gemm_tn(a, d, c, 1.0, 0.9)
            np.testing.assert_allclose(c, want, rtol=1e-5 if dt == np.float32 else 1e-12)
            y = rng.standard_normal((4, 3)).astype(dt)
            want = 0.3 * c - 0.7 * y
            b.axpby(0.3, c, -0.7, y)
            np.testing.assert_allclose(y, want, rtol=1e-5 if dt == np.float32 else 1e-12)
            bound = b.bind_axpby(c, y)  # the same call, its addresses read once
            want = 0.3 * c - 0.7 * y
            bound(0.3, -0.7)
            np.testing.assert_allclose(y, want, rtol=1e-5 if dt == np.float32 else 1e-12)
            with pytest.raises(ValueError, match="C-contiguous"):
                b.bind_axpby(c, y.T)
    # a NumPy built against another BLAS: no fused updates, and the same training
    fused_run = train_pair(digits, **OPTIMIZERS["momentum"])[0]
    unavailable = blas_module.Blas.__new__(blas_module.Blas)
    unavailable.available = False
    monkeypatch.setattr(blas_module, "_blas", unavailable)
    monkeypatch.setattr(engine_module, "FUSE_MIN_SIZE", 0)
    fast, ref = train_pair(digits, **OPTIMIZERS["momentum"])
    assert not any(sink.done for sink in fast._step.engine.sinks)
    np.testing.assert_allclose(fast.history.step_loss, ref.history.step_loss, rtol=1e-10)
    np.testing.assert_allclose(fast.history.step_loss, fused_run.history.step_loss, rtol=1e-10)
    for k, v in ref.model.params.items():
        assert_close(fast.model.params[k], v, 1e-9, k)


def reference_proba(model, X):
    """Softmax of the readable test-mode forward (``loss(X)``), in float64."""
    scores = np.asarray(model.loss(X), dtype=np.float64)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(model.dtype)


def test_large_weights_l2_term_by_axpy_matches_reference():
    """Weights of >= FUSE_MIN_SIZE entries get their L2 term by BLAS axpy (no scratch)."""
    model = MLP(300, [260], 3, reg=0.05, dtype="float64", seed=0)  # W1: 78000 entries
    assert model.params["W1"].size >= blas_module.FUSE_MIN_SIZE
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((20, 300)), rng.integers(0, 3, 20)
    loss_ref, grads_ref = model.loss(X, y)
    engine = Engine(model, 20)
    loss, grads = engine.loss_and_grads(X, y)
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    for k in grads_ref:
        assert_close(grads[k], grads_ref[k], 1e-12, k)
    if blas_module.blas().available:
        assert "W1" not in engine._reg_scratch  # the axpy path ran
