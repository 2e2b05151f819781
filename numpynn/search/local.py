"""A search's packs on this machine: ``n`` processes, this one and ``n - 1`` pool workers.

The pool is a loky executor of the search's own (not joblib's, which scikit-learn's
``n_jobs`` uses), one per thread that searches (:func:`_pool`): started in the background
while the search reads its data (:func:`start_workers`), reused by every rung of a halving
search and by the next search of that thread, killed at once by an interrupt or an error
(:func:`kill_workers`).
Its workers take the packs, costliest first, from the same queue as this process, which
trains too, from the start: it does not wait for the workers. On Linux a worker is a
fork of this process (:func:`_start_method`: ready in about 10 ms, numpynn imported);
elsewhere loky starts a fresh interpreter that imports joblib and numpynn (0.4-0.55 s on
the development machine, against 0.05 s for digits' data), paid by one process fewer.

The data go to the workers once: their arrays above 1 MB written to ``.npy`` files, which
each worker maps read-only (``np.load(..., mmap_mode="r", allow_pickle=False)``) on its
first pack and keeps for the others; the rest (small arrays, the recipe) comes with
each pack.
"""

from __future__ import annotations

import copy
import multiprocessing as mp
import os
import queue
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SearchError
from ..outputs import drop_lock_descriptor, own_lock_descriptor, process_alive
from ..training import forked
from . import packing  # noqa: F401 - a worker's warm-up imports what a pack needs
from .trials import _blas_one_thread

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: A pack's rows and trained networks, as :func:`numpynn.search.packing.run_pack` returns.
Outcome = list[tuple[dict[str, Any], Any]]

_DONE = object()
_MAPPED: dict[tuple[str, ...], Any] = {}  # in a worker: the data it mapped last


def worker_count(jobs: int, trials: int, cores: int | None = None) -> int:
    """The local processes a search trains in, this one included: ``jobs`` (-1: every
    core), never more than the packs to run nor the machine's cores (more would only
    compete for them and for memory: ``jobs=1000`` with 2 trials uses 2), at least 1.
    ``cores``: by default those this process may use (:func:`numpynn.training.forked.cores`:
    a container limited to 2 CPUs on a 64-core host runs 2, not 64)."""
    cores = max(1, cores if cores is not None else forked.cores())
    wanted = cores if jobs < 0 else jobs
    return max(1, min(wanted, trials, cores))


#: seconds a pool worker waits idle before it exits (loky starts another when needed)
IDLE_TIMEOUT = 300
_POOLS: dict[int, dict[str, Any]] = {}  # thread id -> the search pool of that thread's
_POOLS_LOCK = threading.Lock()


def _pool() -> dict[str, Any]:
    """The calling thread's search pool, ``{"executor", "workers", "forked"}``: each
    thread has its own, so that searches running at once in two threads (a notebook's
    search in the background and another) leave each other's workers alone: one pool
    shared, the second search's other size, error or interrupt killed the first's workers
    in the middle of its packs (loky's ShutdownExecutorError). The pool of a thread that
    ended is shut down here, on the next search."""
    me = threading.get_ident()
    with _POOLS_LOCK:
        # (the caller is alive even where threading does not know its thread)
        alive = {t.ident for t in threading.enumerate()} | {me}
        for ident in [i for i in _POOLS if i not in alive]:
            _shut(_POOLS.pop(ident)["executor"])
        return _POOLS.setdefault(me, {"executor": None, "workers": 0,
                                          "forked": False})


def _shut(executor: Any) -> None:
    """Shut ``executor`` down, killing its workers (None: nothing to do), and wait a
    moment (at most :data:`SHUT_WAIT` s) for its manager thread to end: while it runs, it
    may hold its executor's lock, and a fork made meanwhile (the next search's pool)
    copies the lock held for good: the new worker's first garbage collection ran
    that executor's weakref callback, which waited on the lock forever (seen in the
    suite: a hung search)."""
    try:
        if executor is not None:
            # taken before the shutdown, which forgets it
            manager = getattr(executor, "_executor_manager_thread", None)
            executor.shutdown(wait=False, kill_workers=True)
            if manager is not None and manager is not threading.current_thread():
                manager.join(SHUT_WAIT)
    except Exception:  # pragma: no cover - best effort on the way out of an interrupt
        pass


#: seconds :func:`_shut` waits for a pool's manager thread (killing the workers takes ms)
SHUT_WAIT = 5.0


def _executor(workers: int, fresh: bool = False) -> Any:
    """The search's pool of ``workers`` loky processes: one of its own, kept for the next
    rung and the next search (made again when the size changes or it was killed, and
    for a ``fresh`` start where its workers are forks: see :func:`start_workers`).

    Never loky's global reusable executor: joblib takes that one for its own pool
    (scikit-learn's ``n_jobs``) and expects the attributes of the executor it makes
    itself; a search in the same process made ``cross_val_score(..., n_jobs=2)`` fail
    with ``'_ReusablePoolExecutor' object has no attribute '_temp_folder_manager'``."""
    from joblib.externals.loky import ProcessPoolExecutor

    pool = _pool()
    executor = pool["executor"]
    if executor is not None and (pool["workers"] != workers or _unusable(executor)
                                 or (fresh and pool["forked"])):
        _shut(executor)
        executor = None
    if executor is None:
        context = _start_method()
        if context is None:
            executor = ProcessPoolExecutor(max_workers=workers, timeout=IDLE_TIMEOUT)
        else:  # forks live as long as their search (end_forked_pool): no idle timeout,
            # so loky's thread never forks a replacement while this one trains
            executor = ProcessPoolExecutor(max_workers=workers, timeout=None,
                                           context=context, initializer=_forked_worker)
        pool.update(executor=executor, workers=workers, forked=context is not None)
    return executor


def _start_method() -> Any:
    """How the pool starts a worker: a fork of this process on Linux (ready in about
    10 ms, with numpynn and the data's modules imported), else loky's own start (a fresh
    interpreter importing numpynn: 0.4-0.55 s on the development machine, a sixth of
    digits' grid, while the second core idled). Not inside a joblib or loky worker: loky
    refuses to fork there (a search with ``jobs=2`` run by ``joblib.Parallel``). Not
    while another thread runs (:func:`_alone`)."""
    from joblib.externals.loky import process_executor

    if (sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()
            and process_executor._CURRENT_DEPTH == 0 and _alone()):
        return mp.get_context("fork")
    return None


def _alone() -> bool:
    """Whether this is the process's only Python thread, as in the command line: a fork
    copies one thread, and a lock another thread held at that moment (a notebook
    kernel's, a web server's, pytest-xdist's) stays held in the child for good: a worker
    that never answers, and a search with no deadline waiting for it. loky's own
    threads start after its workers are forked (``_adjust_process_count`` before its
    manager thread), so they do not count; BLAS's native threads stop around a fork.
    Threads are counted by their Python frames: one started by ``_thread`` (execnet's)
    is not in ``threading.enumerate()``."""
    return len(sys._current_frames()) == 1


def _forked_worker() -> None:
    """A forked pool worker's first step: the ending signals as a fresh interpreter has
    them (the command line's handlers turn SIGTERM into an exception, which loky would
    report as the task's error while the worker went on), those the caller ignores
    (``nohup``) left ignored. The locks this process held were let go at the fork
    (:func:`numpynn.outputs.close_lock_copies`)."""
    for signum, default in ((signal.SIGINT, signal.default_int_handler),
                            (signal.SIGTERM, signal.SIG_DFL),
                            (getattr(signal, "SIGHUP", None), signal.SIG_DFL)):
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, default)


def end_forked_pool() -> None:
    """Kill this thread's pool if its workers are forks: at a search's end (made for it
    alone, see :func:`start_workers`: not left holding memory) and at the start of a
    resumed search, which starts no pool (it may have nothing left to run): forks of an
    earlier search would run that search's code, so its first pack forks anew."""
    if _pool()["forked"]:
        kill_workers()


@contextmanager
def _quiet_fork() -> Iterator[None]:
    """Python 3.12+ warns on a fork with threads running: here loky's own (its queue's
    feeder; its manager, which forks only to replace a worker that left while tasks
    waited) and BLAS's pool (OpenBLAS stops it around a fork). Used where the pool
    starts, in the search's thread: warnings' filters are the whole process's, and
    changing them from loky's threads (which submit the later packs) would race."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks",
                                category=DeprecationWarning)
        yield


def _unusable(executor: Any) -> bool:
    """A pool shut down, killed or broken (a worker died): it takes no more tasks."""
    flags = getattr(executor, "_flags", None)
    return flags is None or bool(flags.broken or flags.shutdown)


def _worker_ready(parent: int | None = None) -> int:
    """A pool worker's first task: the imports of a pack (this module imports numpynn's
    search; threadpoolctl's first limit inspects the loaded libraries), and the watch on
    the search process ``parent`` (:func:`_watch_parent`)."""
    _watch_parent(parent)
    with _blas_one_thread():
        return os.getpid()


#: how often a pool worker looks whether the search process that started it still runs
PARENT_POLL_SECONDS = 1.0
_WATCHING: dict[str, int] = {}  # in a worker: the search process it watches


def _watch_parent(parent: int | None) -> None:
    """In a pool worker: end this process soon after the search process ``parent`` is
    gone. A search killed by SIGKILL (the OOM killer, ``kill -9``, a batch system's
    hard limit) runs no cleanup, and its workers lingered for :data:`IDLE_TIMEOUT`
    seconds (after finishing the pack they were training, for nobody), holding their
    memory, the data's maps and loky's resource trackers. A worker's parent that dies
    leaves it to init (or a subreaper): its parent process id changes."""
    if parent is None or "parent" in _WATCHING or os.getppid() != parent:
        return  # (not a worker of ``parent``: a pool that another process made)
    _WATCHING["parent"] = parent

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)  # nothing to save: a worker's results go only to its parent

    threading.Thread(target=watch, name="numpynn-parent-watch", daemon=True).start()


def start_workers(n: int) -> Iterator[int] | None:
    """Start the ``n - 1`` pool workers of ``n`` local processes and their imports in the
    background, while this process reads the data. None for one process (no pool).
    Returns the workers' process ids as they come.

    Forked workers are forked again for each search (:func:`end_forked_pool`): a
    fork holds this process as it was at the fork, and a search must run the code and
    settings of its own start (a layer registered, a module reloaded since the last
    search), as a fresh interpreter would import them."""
    if n < 2:
        return None
    executor = _executor(n - 1, fresh=True)
    with _quiet_fork():  # the pool forks its workers here, in this thread
        futures = [executor.submit(_worker_ready, os.getpid()) for _ in range(n - 1)]
    return (f.result() for f in futures)


def kill_workers() -> None:
    """Kill the worker processes of this thread's pool now (none started: nothing to
    do); another thread's search keeps its own."""
    pool = _pool()
    executor, pool["executor"] = pool["executor"], None
    _shut(executor)


#: arrays above this many bytes go to the workers as memory maps of one file each
MAP_BYTES = 1 << 20


@dataclass(frozen=True)
class _Mapped:
    """Where an array of the data was written (``np.save``), for a worker to map."""

    path: str


def _in_worker(run: Callable[[Any, Any], Outcome], source: Any, pack: Any,
               parent: int | None = None) -> Outcome:
    """``run(pack, data)`` in a pool worker: ``source`` is the data with their large
    arrays as :class:`_Mapped` paths, mapped read-only on the first pack (and kept for
    the others: the same ``source`` comes with every pack of a run); the worker watches
    the search process ``parent`` (:func:`_watch_parent`)."""
    _watch_parent(parent)
    key = _arrays_key(source)
    if key is None:
        return run(pack, source)
    if key not in _MAPPED:
        _MAPPED.clear()  # a new search's data: the last one's maps go
        _MAPPED[key] = _replaced(source, lambda _, v: np.load(v.path, mmap_mode="r",
                                                              allow_pickle=False)
                                 if isinstance(v, _Mapped) else v)
    return run(pack, _MAPPED[key])


def _fields(data: Any) -> dict[str, Any] | None:
    """The named parts of ``data``: a dict's items, an object's attributes (None for
    anything else)."""
    if isinstance(data, dict):
        return data
    return vars(data) if hasattr(data, "__dict__") else None


def _replaced(data: Any, change: Callable[[str, Any], Any]) -> Any:
    """A shallow copy of ``data`` (a dict or an object) whose parts are
    ``change(name, part)``."""
    if isinstance(data, dict):
        return {k: change(k, v) for k, v in data.items()}
    twin = copy.copy(data)
    for name, value in vars(data).items():
        setattr(twin, name, change(name, value))
    return twin


def _arrays_key(source: Any) -> tuple[str, ...] | None:
    """The paths of ``source``'s mapped arrays (None: it has none)."""
    parts = _fields(source)
    paths = tuple(v.path for v in (parts or {}).values() if isinstance(v, _Mapped))
    return paths or None


def _data_file(data: Any) -> tuple[str | None, Any]:
    """(the temporary folder, what :func:`_in_worker` takes): ``data`` with each array of
    its parts above :data:`MAP_BYTES` written to a ``.npy`` file in a new folder (no
    pickle: the workers map them with ``allow_pickle=False``); where no file can be
    written (no writable temporary directory, a full disk), (None, ``data``), sent
    whole with each pack instead."""
    parts = _fields(data)
    big = [k for k, v in (parts or {}).items()
           if isinstance(v, np.ndarray) and v.nbytes > MAP_BYTES and not v.dtype.hasobject]
    if not big:
        return None, data
    folder = None
    remove_stale_data_folders()
    try:
        folder = tempfile.mkdtemp(prefix=f"{DATA_FOLDER_PREFIX}{os.getpid()}-{_host()}-")
        _hold(folder)
        paths = {}
        for i, name in enumerate(big):
            paths[name] = str(Path(folder) / f"{i}.npy")
            np.save(paths[name], np.ascontiguousarray(parts[name]), allow_pickle=False)
    except BaseException as exc:  # an interrupt while writing: nothing left in the temp dir
        if folder is not None:
            _remove(folder)
        if not isinstance(exc, OSError):
            raise
        return None, data
    return folder, _replaced(data, lambda k, v: _Mapped(paths[k]) if k in paths else v)


#: the temporary folders of a search's mapped data: ``numpynn-search-PID-HOST-RANDOM``
DATA_FOLDER_PREFIX = "numpynn-search-"


def _host() -> str:
    """This machine's name as a folder name takes it (a temporary directory shared by
    machines holds their searches' folders side by side)."""
    return "".join(c if c.isalnum() else "_" for c in socket.gethostname()) or "host"


_HELD: dict[str, int] = {}  # this process's data folders -> their lock file's descriptor
_LOCK_FILE = ".lock"
if hasattr(os, "register_at_fork"):  # a fork holds none of them (close_lock_copies)
    os.register_at_fork(after_in_child=_HELD.clear)


def _hold(folder: str) -> None:
    """Lock ``folder/.lock`` while this search uses the folder: another search (another
    container sharing /tmp and the host name, whose process ids are not ours) sees it in
    use and leaves it (:func:`remove_stale_data_folders`)."""
    if fcntl is None:  # pragma: no cover - Windows: the process id alone says
        return
    fd = os.open(os.path.join(folder, _LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without locks: the process id alone says
        os.close(fd)
        return
    _HELD[folder] = fd
    own_lock_descriptor(fd)


def _remove(folder: str) -> None:
    """Remove a data folder of this process's, its lock let go."""
    fd = _HELD.pop(folder, None)
    if fd is not None:
        drop_lock_descriptor(fd)
        os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    """Whether another process holds ``folder``'s lock (:func:`_hold`)."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(folder / _LOCK_FILE, os.O_RDWR)
    except OSError:
        return False  # no lock file: the process id alone says
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def remove_stale_data_folders(directory: str | None = None) -> list[Path]:
    """Remove the data folders (:func:`_data_file`) in ``directory`` (the temporary
    directory) of this machine's searches whose process no longer runs: one killed by
    SIGKILL (the OOM killer, ``kill -9``) removes nothing, and its copy of the data
    (hundreds of MB for MNIST or CIFAR-10) stayed in /tmp. Another machine's folders (a
    shared temporary directory) are left alone: its process ids are not this one's.
    A folder whose lock another process holds (:func:`_hold`) is in use and kept.
    Returns the folders removed."""
    removed: list[Path] = []
    try:
        entries = list(Path(directory or tempfile.gettempdir()).iterdir())
    except OSError:
        return removed
    for p in entries:
        pid, _, rest = p.name[len(DATA_FOLDER_PREFIX):].partition("-")
        if not (p.name.startswith(DATA_FOLDER_PREFIX) and pid.isdigit()
                and rest.startswith(f"{_host()}-")) \
                or int(pid) == os.getpid() or process_alive(int(pid)) \
                or p.is_symlink() or not p.is_dir() or _in_use(p):
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def run_shared(run: Callable[[Any, Any], Outcome], packs: Sequence[Any], data: Any,
               n: int) -> Iterator[Outcome]:
    """``run(pack, data)`` for every pack in ``n`` >= 2 processes: this one and ``n - 1``
    pool workers, each taking the next pack (``packs`` in their order) when it is free;
    yields each pack's outcome as soon as it is known (any order). ``run`` must be
    picklable (a module-level function or a ``functools.partial`` of one); ``data`` (a
    dict or an object of named parts) has its large arrays written once to temporary
    files the workers map, removed at the end (:func:`_data_file`).

    This process looks at the pool's outcomes between its own packs, so one of them
    waits at most a pack of this process's before it is yielded. An error or an
    interrupt (in a pack, or a ``GeneratorExit`` from the consumer) kills the pool's
    workers at once: nothing is left running, nothing is awaited. A worker that dies (the
    out-of-memory killer, ``kill -9``, a crash) is a :class:`SearchError` saying so in one
    line, not loky's ``TerminatedWorkerError`` of several."""
    left = deque(packs)
    folder, source = _data_file(data)
    try:
        yield from _share(run, left, data, source, n)
    except BrokenExecutor as exc:
        left.clear()
        kill_workers()
        from joblib.externals.loky.process_executor import TerminatedWorkerError

        if not isinstance(exc, TerminatedWorkerError):  # (not a worker that died)
            raise SearchError(f"the search's worker pool failed: "
                              f"{str(exc).strip().splitlines()[0]}") from exc
        raise SearchError(worker_lost_message(exc)) from None
    except BaseException:
        left.clear()  # nothing more for the pool either
        kill_workers()
        raise
    finally:
        if folder is not None:
            _remove(folder)


def _share(run: Callable[[Any, Any], Outcome], left: deque, data: Any, source: Any, n: int
           ) -> Iterator[Outcome]:
    results: queue.SimpleQueue = queue.SimpleQueue()
    executor = _executor(n - 1)
    lock = threading.Lock()
    running = 0

    def submit_next() -> bool:  # the next pack to a free worker; False: none left
        nonlocal running
        try:
            pack = left.popleft()
        except IndexError:
            return False
        with lock:
            running += 1
        executor.submit(_in_worker, run, source, pack, os.getpid()).add_done_callback(
            finished)
        return True

    def finished(future: Any) -> None:  # in loky's thread: hand over, then the next
        nonlocal running
        try:
            results.put(future.result())
        except BaseException as exc:  # noqa: BLE001 - raised in the consumer's thread
            results.put(exc)
            left.clear()
        submitted = submit_next()
        with lock:
            running -= 1
            if not submitted and running == 0:
                results.put(_DONE)

    mine = left.popleft() if left else None  # the costliest: this process is ready now
    with _quiet_fork():  # (a pool not started before forks its workers here)
        busy = sum(submit_next() for _ in range(n - 1))
    if not busy:
        results.put(_DONE)
    pool_done = False
    while mine is not None:
        yield run(mine, data)
        while not pool_done:  # what the pool finished meanwhile
            try:
                got = results.get_nowait()
            except queue.Empty:
                break
            pool_done = got is _DONE
            if not pool_done:
                yield _outcome(got)
        mine = left.popleft() if left else None
    while not pool_done:
        got = results.get()
        pool_done = got is _DONE
        if not pool_done:
            yield _outcome(got)


def worker_lost_message(exc: BaseException) -> str:
    """What to say of a pool whose worker process died (loky's ``TerminatedWorkerError``
    lists the exit codes, ``{SIGKILL(-9)}``): how it ended, the likely cause, and what to
    do; the trials finished before it are in the log a resumed search skips."""
    codes = re.search(r"exit codes of the workers are \{([^}]*)\}", str(exc))
    how = f" ({codes.group(1)})" if codes else ""
    killed = "SIGKILL" in how or not codes  # (no codes: killed before it said)
    cause = ("killed, most often by the out-of-memory killer: too many trials in memory at "
             "once" if killed else "a crash in native code, or memory running out")
    return (f"a worker process of the search ended unexpectedly{how}: {cause}. The trials "
            "it finished are kept (with an output directory, in its trials.jsonl); "
            "continue with `resume=True` and fewer processes (`jobs=1`) or smaller packs "
            "(`pack=1`).")


def _outcome(got: Any) -> Outcome:
    if isinstance(got, BaseException):
        raise got
    return got
