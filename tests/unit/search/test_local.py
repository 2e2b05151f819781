"""numpynn.search.local: the packs shared by this process and the pool's workers."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from numpynn.search.local import run_shared, start_workers, worker_count

MARK = ["as imported"]  # a setting of this process, changed by a test


def marked(pack: int, data: dict) -> tuple[int, int, str]:
    time.sleep(0.05)
    return pack, os.getpid(), MARK[0]


def where(pack: int, data: dict) -> tuple[int, int, float]:
    """A pack's outcome: its number, the process that ran it and a figure of the data
    (slow enough that a worker ready in time takes some)."""
    time.sleep(0.05)
    return pack, os.getpid(), float(data["x"][pack].sum())


def fails_in_a_worker(pack: int, data: dict) -> tuple[int, int, float]:
    if os.getpid() != data["parent"]:
        raise ValueError(f"pack {pack} failed in a worker")
    time.sleep(0.2)
    return pack, os.getpid(), 0.0


def interrupted_here(pack: int, data: dict) -> tuple[int, int, float]:
    if os.getpid() == data["parent"]:
        time.sleep(0.3)  # the worker has its pack by now
        raise KeyboardInterrupt
    time.sleep(30)  # a worker's long pack: killed, not awaited
    return pack, os.getpid(), 0.0


def _gone(pid: int, within: float = 5.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_every_core_is_those_this_process_may_use_not_the_hosts(monkeypatch):
    """``--jobs -1`` in a container limited to 2 CPUs on a 64-core host started 64
    processes (os.cpu_count()); the count is now loky's: affinity and cgroup quota."""
    import os

    from numpynn.training import forked

    assert 1 <= forked.cores() <= len(os.sched_getaffinity(0))
    monkeypatch.setattr(forked, "cores", lambda: 3)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert worker_count(-1, 40) == 3


def test_worker_count_is_the_processes_training_this_one_included():
    assert worker_count(2, 40, cores=8) == 2
    assert worker_count(-1, 40, cores=4) == 4
    assert worker_count(8, 3, cores=16) == 3  # never more than the packs


def test_every_pack_runs_once_here_or_in_the_worker_on_the_same_data(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the data file goes
    (worker,) = start_workers(2)  # one worker; this process is the second
    data = {"x": np.arange(12 * 30_000, dtype=np.float64).reshape(12, -1)}  # 2.9 MB
    outcomes = list(run_shared(where, range(12), data, 2))
    assert sorted(p for p, _, _ in outcomes) == list(range(12))
    assert {pid for _, pid, _ in outcomes} == {os.getpid(), worker}  # both trained
    mine = [p for p, pid, _ in outcomes if pid == os.getpid()]
    assert mine[0] == 0  # this process took the first pack at once
    for p, _, total in outcomes:  # the worker's map holds the same numbers
        assert total == pytest.approx(float(data["x"][p].sum()))
    assert not list(tmp_path.iterdir())  # the data file is gone


def test_a_workers_error_reaches_the_caller_and_stops_the_pool():
    (worker,) = start_workers(2)
    with pytest.raises(ValueError, match="failed in a worker"):
        list(run_shared(fails_in_a_worker, range(6), {"parent": os.getpid()}, 2))
    assert _gone(worker)


def test_an_interrupt_here_kills_the_worker_at_once():
    (worker,) = start_workers(2)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        list(run_shared(interrupted_here, range(4), {"parent": os.getpid()}, 2))
    assert _gone(worker) and time.monotonic() - started < 10  # not the worker's 30 s


def test_a_consumer_that_stops_early_leaves_no_worker():
    (worker,) = start_workers(2)
    outcomes = run_shared(where, range(20), {"x": np.ones((20, 3))}, 2)
    next(outcomes)
    outcomes.close()  # GeneratorExit: as when the search's loop raises
    assert _gone(worker)


def test_without_a_writable_temporary_directory_the_data_go_with_each_pack(monkeypatch):
    def refused(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    (worker,) = start_workers(2)
    data = {"x": np.arange(8 * 20_000.0).reshape(8, -1)}  # 1.3 MB: a file, were it writable
    outcomes = list(run_shared(where, range(8), data, 2))
    assert sorted(p for p, _, _ in outcomes) == list(range(8))
    assert worker in {pid for _, pid, _ in outcomes}
    assert all(t == float(data["x"][p].sum()) for p, _, t in outcomes)


def test_an_interrupt_while_the_data_are_written_leaves_no_temporary_folder(
        tmp_path, monkeypatch):
    """Ctrl-C during the arrays' np.save (milliseconds for a large data set): the folder
    and the arrays already written go, and the interrupt goes on to the caller."""
    import numpynn.search.local as local

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    save = np.save
    calls = []

    def interrupted_save(path, array, **kw):
        save(path, array, **kw)
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(local.np, "save", interrupted_save)
    data = {"x": np.zeros((400, 1000)), "y": np.ones((400, 1000))}  # two 3.2 MB arrays
    with pytest.raises(KeyboardInterrupt):
        list(run_shared(where, range(2), data, 2))
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []


def test_a_search_leaves_joblibs_pool_to_scikit_learn(tmp_path):
    """A search's pool is its own: joblib (scikit-learn's n_jobs) in the same process
    makes and uses its own pool afterwards, and the search's is reused by the next
    search. (It used loky's global executor, and cross_val_score(..., n_jobs=2) then
    failed: '_ReusablePoolExecutor' object has no attribute '_temp_folder_manager'.)"""
    from joblib import Parallel, delayed

    import numpynn.search.local as local

    outcomes = list(run_shared(where, range(4), {"x": np.ones((4, 3))}, 2))
    assert len(outcomes) == 4
    squares = Parallel(n_jobs=2)(delayed(pow)(i, 2) for i in range(4))
    assert squares == [0, 1, 4, 9]
    ours = local._pool()["executor"]
    list(run_shared(where, range(2), {"x": np.ones((2, 3))}, 2))
    assert local._pool()["executor"] is ours  # kept for the next search


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux's start here")
def test_on_linux_a_worker_is_a_fork_of_this_process_not_a_fresh_interpreter(monkeypatch):
    """A fresh interpreter imports joblib and numpynn before its first pack (0.4-0.55 s on
    the development machine, a sixth of digits' grid); a fork has them already."""
    from numpynn.search import local

    monkeypatch.setattr(local, "_alone", lambda: True)  # as in the command line
    local.kill_workers()  # a pool made before the test may be of another start method
    (worker,) = start_workers(2)
    own = Path("/proc/self/cmdline").read_bytes()
    assert Path(f"/proc/{worker}/cmdline").read_bytes() == own  # the same program, forked
    assert local._start_method() is not None


@pytest.mark.parametrize("start", ["threading", "_thread"])
def test_no_fork_while_another_thread_runs(start):
    """A fork copies one thread: a lock another held (a notebook kernel's, a server's,
    pytest-xdist's) stays held in the worker, which then never answers a search with no
    deadline. One started by ``_thread`` (not in threading.enumerate()) counts too."""
    import _thread
    import threading

    from numpynn.search import local

    release, running = threading.Event(), threading.Event()

    def wait() -> None:
        running.set()
        release.wait(10)

    if start == "threading":
        threading.Thread(target=wait, daemon=True).start()
    else:
        _thread.start_new_thread(wait, ())
    running.wait(10)
    try:
        assert not local._alone() and local._start_method() is None
    finally:
        release.set()


def test_a_killed_pool_s_manager_thread_has_ended_before_the_next_fork(monkeypatch):
    """Left running, it may hold its executor's lock at the next search's fork: the new
    worker's first garbage collection then waited on that lock for good (a hung search,
    seen in the suite)."""
    from numpynn.search import local

    monkeypatch.setattr(local, "_alone", lambda: True)
    local.kill_workers()
    list(start_workers(2))
    manager = local._pool()["executor"]._executor_manager_thread
    assert manager.is_alive()
    local.kill_workers()
    assert not manager.is_alive() and local._alone()


def test_elsewhere_loky_starts_its_workers_its_own_way(monkeypatch):
    from numpynn.search import local

    monkeypatch.setattr(sys, "platform", "darwin")  # macOS's libraries break after fork
    assert local._start_method() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux's start here")
def test_a_fork_started_with_threads_running_says_nothing_to_the_user(monkeypatch, recwarn):
    """Python 3.12+ warns on a fork with threads running (os.fork's own warning, made here
    on every Python); the pool's start forks while loky's threads run."""
    import warnings

    from numpynn.search import local

    fork, forks = os.fork, []

    def warning_fork() -> int:
        forks.append(1)
        warnings.warn(f"This process (pid={os.getpid()}) is multi-threaded, use of fork() "
                      "may lead to deadlocks in the child.", DeprecationWarning, stacklevel=2)
        return fork()

    local.kill_workers()
    monkeypatch.setattr(local, "_alone", lambda: True)
    monkeypatch.setattr(os, "fork", warning_fork)
    list(start_workers(2))
    assert forks  # the pool forked through os.fork
    assert not [w for w in recwarn if "fork" in str(w.message)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux's start here")
def test_each_search_forks_its_workers_again_with_this_process_as_it_is_now(monkeypatch):
    """A fork holds this process as it was at the fork: a pool of forks kept from the
    last search would run that search's code and settings (a layer registered since, a
    module reloaded), so each search forks its own; its rungs share it."""
    from numpynn.search import local

    monkeypatch.setattr(local, "_alone", lambda: True)  # as in the command line

    (first,) = start_workers(2)
    assert {v for _, _, v in run_shared(marked, range(4), {}, 2)} == {"as imported"}
    MARK[0] = "changed"
    try:
        (second,) = start_workers(2)  # the next search
        assert second != first and _gone(first)
        outcomes = list(run_shared(marked, range(4), {}, 2))
        assert {pid for _, pid, _ in outcomes} == {os.getpid(), second}
        assert {v for _, _, v in outcomes} == {"changed"}
        local.end_forked_pool()  # a resumed search: no pool kept, one forked when needed
        assert _gone(second) and local._pool()["executor"] is None
        outcomes = list(run_shared(marked, range(4), {}, 2))
        assert len({pid for _, pid, _ in outcomes} - {os.getpid(), second}) == 1
    finally:
        MARK[0] = "as imported"


LINUX_FORK = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="fork is Linux's start here")


@LINUX_FORK
def test_a_fork_holds_none_of_this_process_s_locks(tmp_path):
    """flock holds while any copy of its descriptor is open: a worker forked while the
    search held its directory (a resumed search, a halving rung of fewer workers) kept
    it locked after the search let it go, until the worker died."""
    import fcntl

    from numpynn.outputs import DirectoryLock
    from numpynn.search import local

    held = tmp_path / "search"
    held.mkdir()
    folder = tmp_path / "data"
    folder.mkdir()
    lock = DirectoryLock(held)
    lock.acquire()
    local._hold(str(folder))
    (worker,) = start_workers(2)  # forked while both are held
    assert worker != os.getpid()
    lock.release()
    local._remove(str(folder))  # (the folder goes, and its lock with it)
    fd = os.open(held, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: nobody else holds it
    finally:
        os.close(fd)


def _ending_signals() -> tuple[bool, bool]:
    import signal

    return (signal.getsignal(signal.SIGTERM) is signal.SIG_DFL,
            signal.getsignal(signal.SIGINT) is signal.default_int_handler)


@LINUX_FORK
def test_a_forked_worker_takes_the_signals_of_a_fresh_interpreter():
    """The command line turns SIGTERM into an exception; inherited by a worker, a SIGTERM
    sent to it (by an out-of-memory daemon) became the task's error while it went on."""
    import signal

    from numpynn.search import local

    def handler(signum, frame):  # pragma: no cover - never called
        raise RuntimeError

    before = signal.signal(signal.SIGTERM, handler)
    try:
        start_workers(2)
        assert local._pool()["executor"].submit(_ending_signals).result() == (True, True)
    finally:
        signal.signal(signal.SIGTERM, before)
        local.kill_workers()


def test_inside_a_joblib_worker_the_pool_is_loky_s_own(monkeypatch):
    """loky refuses to fork in its own workers (a search with jobs=2 inside
    joblib.Parallel failed with LokyRecursionError)."""
    from joblib.externals.loky import process_executor

    from numpynn.search import local

    monkeypatch.setattr(process_executor, "_CURRENT_DEPTH", 1)
    assert local._start_method() is None


def _broken_pool(pack: int, data: dict) -> tuple[int, int, float]:
    from concurrent.futures.process import BrokenProcessPool

    if os.getpid() != data["parent"]:
        raise BrokenProcessPool("A task has failed to un-serialize. Please ensure that the "
                                "arguments of the function are all picklable.")
    time.sleep(0.3)
    return pack, os.getpid(), 0.0


def test_a_pool_broken_otherwise_than_by_a_dead_worker_says_what_loky_said():
    from numpynn.errors import SearchError

    start_workers(2)
    with pytest.raises(SearchError) as info:
        list(run_shared(_broken_pool, range(4), {"parent": os.getpid()}, 2))
    assert "failed to un-serialize" in str(info.value)
    assert "out-of-memory" not in str(info.value)
