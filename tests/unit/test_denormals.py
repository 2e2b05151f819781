"""Subnormal floats flushed to zero while the engines train, and only then."""

import threading

import numpy as np
import pytest

from numpynn import denormals
from numpynn.denormals import available, flush_denormals
from numpynn.models import MLP
from numpynn.training.packed import train_packed
from numpynn.training.trainer import TrainConfig, Trainer

needs_mode = pytest.mark.skipif(not available(), reason="this CPU/C library has no FTZ/DAZ "
                                "mode that numpynn can set")

SUBNORMAL32 = np.float32(1e-39)
SUBNORMAL64 = 1e-310


def times_one(value, dtype):
    return (np.array([value], dtype) * dtype(1.0))[0]


@needs_mode
@pytest.mark.parametrize("value, dtype", [(SUBNORMAL32, np.float32),
                                          (SUBNORMAL64, np.float64)])
def test_inside_the_block_subnormals_are_zero_and_after_it_they_are_back(value, dtype):
    assert times_one(value, dtype) != 0
    with flush_denormals():
        assert times_one(value, dtype) == 0
        assert times_one(1e-30, np.float32) != 0  # normal numbers are untouched
    assert times_one(value, dtype) != 0


@needs_mode
def test_the_mode_is_restored_after_an_exception_and_nested_blocks():
    with pytest.raises(RuntimeError):
        with flush_denormals():
            with flush_denormals():
                assert times_one(SUBNORMAL32, np.float32) == 0
            assert times_one(SUBNORMAL32, np.float32) == 0  # the outer block still flushes
            raise RuntimeError("boom")
    assert times_one(SUBNORMAL32, np.float32) != 0


@needs_mode
def test_the_mode_belongs_to_the_thread_that_set_it():
    seen, go, done = [], threading.Event(), threading.Event()

    def other_thread():  # started before the block: its own mode stays IEEE's
        go.wait()
        seen.append(times_one(SUBNORMAL32, np.float32))
        done.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with flush_denormals():
        go.set()
        done.wait()
        assert times_one(SUBNORMAL32, np.float32) == 0
    t.join()
    assert seen[0] != 0


def test_without_the_mode_the_block_changes_nothing(monkeypatch):
    monkeypatch.setitem(denormals._state, "env", None)
    assert not available()
    with flush_denormals():
        assert times_one(SUBNORMAL32, np.float32) != 0


def _data_with_a_zero_column(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5)).astype(np.float32)
    X[:, 0] = 0  # an input that is always zero: its weights only see weight decay
    return X, rng.integers(0, 3, n)


def _subnormal_first_row(model):
    model.params["W1"][0] = SUBNORMAL32  # the weights of the zero input


@needs_mode
@pytest.mark.parametrize("fast", [True, False])
def test_the_trainer_trains_with_subnormals_flushed(fast):
    X, y = _data_with_a_zero_column()
    model = MLP(5, [8], 3, reg=1e-3, dtype="float32", seed=0)
    _subnormal_first_row(model)
    Trainer(model, X, y, config=TrainConfig(epochs=1, batch_size=16, optimizer="adam",
                                            seed=0), fast=fast).train()
    # without the mode: W1[0] = 1e-39 - step (reg 1e-39) / ... stays subnormal, not zero
    assert (model.params["W1"][0] == 0).all()
    assert times_one(SUBNORMAL32, np.float32) != 0  # the caller's mode is back


@needs_mode
def test_packed_training_flushes_subnormals_too():
    X, y = _data_with_a_zero_column()
    models = [MLP(5, [8], 3, reg=1e-3, dtype="float32", seed=s) for s in range(3)]
    for m in models:
        _subnormal_first_row(m)
    train_packed(models, X, y, TrainConfig(epochs=1, batch_size=16, optimizer="adam", seed=0))
    for m in models:
        assert (m.params["W1"][0] == 0).all()
    assert times_one(SUBNORMAL32, np.float32) != 0
