"""numpynn.training.forked: half of a pack trained in a forked child, the same models as in
one process, and every way the child can fail leaves the training done here."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

import numpy as np
import pytest

from numpynn.models import MLP
from numpynn.training import forked
from numpynn.training.blas import blas
from numpynn.training.packed import train_packed
from numpynn.training.trainer import TrainConfig

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods(),
    reason="the forked halves are Linux's")

OPTIMIZERS = ["adam", "sgd", "momentum", "rmsprop", "adam"]


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16.0, y[:400]
    return X[:300], y[:300], X[300:], y[300:]


def _models(dropout: float | None = 0.2) -> list[MLP]:
    return [MLP(64, [24], 10, seed=10 + i, reg=1e-3 * i, dtype="float64", dropout=dropout)
            for i in range(len(OPTIMIZERS))]


def _configs() -> list[TrainConfig]:
    return [TrainConfig(batch_size=32, optimizer=o, lr=3e-3 * (1 + i), seed=i, epochs=3,
                        patience=2 if i == 1 else None)
            for i, o in enumerate(OPTIMIZERS)]


@pytest.fixture(autouse=True)
def no_warm_worker():
    """Each test starts and ends without this process's warm worker."""
    forked._release()
    yield
    forked._release()


PATHS = ["warm worker", "child of the call"]


def _path(monkeypatch, path: str) -> None:
    """The call's child instead of the warm worker: as for a job that does not pickle
    (and as much work as a child of its own repays)."""
    if path == "child of the call":
        monkeypatch.setattr(forked, "_job", lambda train, members: None)
        monkeypatch.setattr(forked, "WORK_MIN", 0)


def _one_process(data) -> tuple[list[MLP], list]:
    models = _models()
    return models, train_packed(models, *data[:2], _configs(), *data[2:])


def _forked(data, monkeypatch) -> tuple[list[MLP], list, list[bool]]:
    """train_packed with its pack always split; what train_halves returned."""
    returned: list[bool] = []
    halves = forked.train_halves

    def spy(members, train, work=None):
        returned.append(halves(members, train, work))
        return returned[-1]

    monkeypatch.setattr(forked, "usable", lambda members, work: True)
    monkeypatch.setattr(forked, "train_halves", spy)
    models = _models()
    return models, train_packed(models, *data[:2], _configs(), *data[2:]), returned


def _assert_same(models_a, hist_a, models_b, hist_b) -> None:
    for a, b, ha, hb in zip(models_a, models_b, hist_a, hist_b):
        for key in a.params:
            np.testing.assert_allclose(b.params[key], a.params[key], rtol=1e-12, atol=1e-14)
        assert a.rng.bit_generator.state == b.rng.bit_generator.state  # dropout's stream
        assert hb.epochs == ha.epochs and hb.stop_reason == ha.stop_reason
        assert hb.val_acc == ha.val_acc and hb.best_epoch == ha.best_epoch
        np.testing.assert_allclose(hb.step_loss, ha.step_loss, rtol=1e-12)
        np.testing.assert_allclose(hb.val_loss, ha.val_loss, rtol=1e-10)


def _children() -> set:
    """This process's packed-training children (another test's search pool, forks too,
    may have some that leave on their own)."""
    return {p for p in multiprocessing.active_children()
            if p.name.startswith(forked.PROCESS_NAME)}


@pytest.mark.parametrize("path", PATHS)
def test_the_childs_half_comes_back_equal_to_one_process(digits, monkeypatch, path):
    _path(monkeypatch, path)
    before = _children()
    alone, h_alone = _one_process(digits)
    models, hist, returned = _forked(digits, monkeypatch)
    assert returned == [True]
    _assert_same(alone, h_alone, models, hist)
    assert [forked.FORKED in h.engine for h in hist] == [False] * 3 + [True] * 2
    assert all(h.engine.startswith("packed (") for h in hist)
    assert _children() - before == ({forked._worker.process} if path == "warm worker" else set())
    p = models[-1].predict_proba(digits[2])  # ordinary networks afterwards
    assert p.shape == (100, 10) and np.allclose(p.sum(axis=1), 1)


def test_the_warm_worker_serves_the_next_packs(digits, monkeypatch):
    """Forked once: a later pack's half goes to the same process, equal to one process."""
    alone, h_alone = _one_process(digits)
    _forked(digits, monkeypatch)
    worker = forked._worker
    assert worker is not None and worker.usable()
    for _ in range(2):
        models, hist, returned = _forked(digits, monkeypatch)
        assert returned == [True]
        _assert_same(alone, h_alone, models, hist)
    assert forked._worker is worker and worker.jobs == 3 and worker.process.is_alive()


def test_the_warm_worker_leaves_when_idle_and_the_next_pack_starts_another(digits,
                                                                          monkeypatch):
    monkeypatch.setattr(forked, "WORKER_IDLE", 0.2)
    alone, h_alone = _one_process(digits)
    _forked(digits, monkeypatch)
    first = forked._worker
    first.process.join(10)
    assert not first.process.is_alive()  # gone by itself
    assert not forked._warm()
    models, hist, returned = _forked(digits, monkeypatch)
    assert returned == [True] and forked._worker is not first
    _assert_same(alone, h_alone, models, hist)


def test_a_fork_of_this_process_does_not_use_its_warm_worker(digits, monkeypatch):
    _forked(digits, monkeypatch)
    monkeypatch.setattr(forked._worker, "owner", os.getpid() + 1)  # as seen from a fork
    assert not forked._warm()


def test_only_small_picklable_jobs_of_numpynns_code_go_to_the_warm_worker(monkeypatch):
    import functools

    from numpynn.training import packed
    from numpynn.training.augment import Shift

    members = _members(2)
    job = functools.partial(packed._train_members, kinds=["affine"], X=np.zeros((4, 4)),
                            y=np.zeros(4), val=None, augment=None)
    assert forked._job(job, members) is not None
    assert forked._job(functools.partial(job, augment=Shift(1, (8, 8))), members) is not None
    assert forked._job(lambda ms: None, members) is None  # a closure: a child of the call
    big = functools.partial(job, X=np.zeros(forked.JOB_BYTES_MAX // 8 + 1))
    assert forked._job(big, members) is None  # the data would go with every job
    # code the worker may hold in an older version (a notebook's cell run again)
    assert forked._job(functools.partial(_raising), members) is None
    assert forked._job(functools.partial(job, augment=_flip), members) is None
    members[0].model.layers.append(_OwnLayer())
    assert forked._job(job, members) is None


def _flip(x, rng):
    x[:] = x[:, ::-1]


class _OwnLayer:
    pass


def test_a_worker_that_never_takes_its_job_is_stopped(digits, monkeypatch):
    """A worker alive but not reading (stuck): the job's sending, in a thread of its own,
    is awaited only within the allowance; its half is trained here."""
    before = _children()
    alone, h_alone = _one_process(digits)
    monkeypatch.setattr(forked, "_serve", lambda conn, parents: time.sleep(60))
    monkeypatch.setattr(forked, "CHILD_GRACE", 0.5)
    monkeypatch.setattr(forked, "CHILD_FACTOR", 0.0)
    models, hist, returned = _forked(digits, monkeypatch)
    assert returned == [False]
    _assert_same(alone, h_alone, models, hist)
    assert _children() == before and forked._worker is None


def _failing_job(how: str):
    real = forked._run_job  # (before the test replaces it)

    def job(train, members):
        if how == "dies":
            os._exit(3)
        if how == "raises":  # the real job, its error sent back as ("error", ...)
            return real(_raising, members)
        time.sleep(60)  # hangs
    return job


def _raising(members):
    raise MemoryError("the child ran out of memory")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("how", ["dies", "raises", "hangs"])
def test_a_failed_child_leaves_its_half_trained_here(digits, monkeypatch, how, path):
    _path(monkeypatch, path)
    before = _children()
    alone, h_alone = _one_process(digits)
    monkeypatch.setattr(forked, "_run_job", _failing_job(how))
    monkeypatch.setattr(forked, "CHILD_GRACE", 0.5)
    monkeypatch.setattr(forked, "CHILD_FACTOR", 0.0)
    started = time.perf_counter()
    models, hist, returned = _forked(digits, monkeypatch)
    assert returned == [False]
    assert time.perf_counter() - started < 20
    _assert_same(alone, h_alone, models, hist)
    assert _children() == before  # killed and reaped, the warm worker too
    assert forked._worker is None


def _interrupted_here(members):
    if os.getpid() == PARENT:
        raise KeyboardInterrupt  # Ctrl-C while this process trains its half
    time.sleep(60)  # the worker, still training


PARENT = os.getpid()


def test_an_interrupt_here_stops_the_warm_worker_and_goes_on_up(monkeypatch):
    monkeypatch.setattr(forked, "_numpynn_code", lambda train, members: True)
    import functools

    train = functools.partial(_interrupted_here)
    assert forked._job(train, _members(2)) is not None  # the warm worker's path
    started_workers = []
    real = forked._Worker

    def spy():
        started_workers.append(real())
        return started_workers[-1]

    monkeypatch.setattr(forked, "_Worker", spy)
    before = _children()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        forked.train_halves(_members(4), train)
    assert time.perf_counter() - started < 10
    assert len(started_workers) == 1 and not started_workers[0].process.is_alive()
    assert _children() == before and forked._worker is None


def test_an_interrupt_here_kills_the_child_and_goes_on_up():
    parent, before = os.getpid(), _children()

    def train(members):
        if os.getpid() == parent:
            raise KeyboardInterrupt  # Ctrl-C while this process trains its half
        time.sleep(60)  # the child, still training

    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        forked.train_halves(_members(4), train)
    assert time.perf_counter() - started < 10
    assert _children() == before


class _Member:
    def __init__(self, i: int) -> None:
        self.model = MLP(4, [3], 2, seed=i)
        self.history = None


def _members(n: int) -> list[_Member]:
    return [_Member(i) for i in range(n)]


def test_usable_only_where_a_second_process_pays(monkeypatch):
    if not blas().available:
        pytest.skip("no OpenBLAS of NumPy's to give each half one thread")
    monkeypatch.setattr(forked, "cores", lambda: 2)
    monkeypatch.setattr(type(blas()), "thread_count", lambda self: 2)
    big = forked.WORK_MIN
    assert forked.usable(_members(2), big)
    assert not forked.usable(_members(1), big)  # nothing to split
    assert not forked.usable(_members(4), big - 1)  # less than a fork costs
    monkeypatch.setattr(forked, "cores", lambda: 1)
    assert not forked.usable(_members(4), big)  # one core: the halves would take turns
    monkeypatch.setattr(forked, "cores", lambda: 2)
    monkeypatch.setattr(forked, "_warm", lambda: True)  # a worker forked for an earlier pack
    assert forked.usable(_members(4), forked.WORK_MIN_WARM)
    assert not forked.usable(_members(4), forked.WORK_MIN_WARM - 1)
    monkeypatch.setattr(forked, "_warm", lambda: False)
    monkeypatch.setattr(type(blas()), "thread_count", lambda self: 1)
    assert not forked.usable(_members(4), big)  # a search's trial: its processes fill the cores
    monkeypatch.setattr(type(blas()), "thread_count", lambda self: 2)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not forked.usable(_members(4), big)  # fork is not safe there


def test_a_search_trials_blas_limit_keeps_one_process():
    from threadpoolctl import threadpool_limits

    if not blas().available:
        pytest.skip("no OpenBLAS of NumPy's")
    with threadpool_limits(limits=1):
        assert blas().thread_count() == 1
        assert not forked.usable(_members(4), forked.WORK_MIN)


def test_the_allowance_grows_with_the_parents_half_and_the_childs_share():
    assert forked.allowance(0.0) == forked.CHILD_GRACE
    assert forked.allowance(2.0) == forked.CHILD_GRACE + 2 * forked.CHILD_FACTOR
    assert forked.allowance(2.0, 3.0) == forked.CHILD_GRACE + 6 * forked.CHILD_FACTOR
    assert forked.allowance(2.0, 0.5) == forked.allowance(2.0)  # never below its own


@pytest.mark.parametrize("path", PATHS)
def test_no_process_to_be_had_trains_everything_here(digits, monkeypatch, path):
    """fork refused (a process limit, no memory): the whole pack trains in this process."""
    _path(monkeypatch, path)
    alone, h_alone = _one_process(digits)

    def refuse(self):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", refuse)
    models, hist, returned = _forked(digits, monkeypatch)
    assert returned == [False]
    _assert_same(alone, h_alone, models, hist)
