"""A search's packs on this machine: ``n`` processes, this one and ``n - 1`` pool workers.

The pool is loky's reusable executor (joblib's): started in the background while the
search reads its data (:func:`start_workers`), reused by every rung of a halving search
and by the next search, killed at once by an interrupt or an error (:func:`kill_workers`).
Its workers take the packs, costliest first, from the same queue as this process, which
trains too: a worker's start (a Python interpreter, joblib's and numpynn's imports:
0.5-0.7 s for two on 2 cores, against 0.05 s for digits' data) is paid by one process
fewer, and this process trains from the start instead of waiting.

The data go to the workers once: written to one file, which each worker maps read-only
(``joblib.load(..., mmap_mode="r")``) on its first pack and keeps for the others.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .trials import _blas_one_thread

#: A pack's rows and trained networks, as :func:`numpynn.search.packing.run_pack` returns.
Outcome = list[tuple[dict[str, Any], Any]]

_DONE = object()
_MAPPED: dict[str, Any] = {}  # in a worker: the data file it mapped last, by path


def worker_count(jobs: int, trials: int, cores: int | None = None) -> int:
    """The local processes a search trains in, this one included: ``jobs`` (-1: every
    core), never more than the packs to run nor the machine's cores (more would only
    compete for them and for memory: ``jobs=1000`` with 2 trials uses 2), at least 1."""
    cores = max(1, cores if cores is not None else (os.cpu_count() or 1))
    wanted = cores if jobs < 0 else jobs
    return max(1, min(wanted, trials, cores))


def _executor(workers: int) -> Any:
    """loky's reusable executor of ``workers`` processes (the one joblib's pool is)."""
    from joblib.externals.loky import get_reusable_executor

    return get_reusable_executor(max_workers=workers)


def _worker_ready() -> int:
    """A pool worker's first task: the imports of a pack (numpynn's search; threadpoolctl,
    whose first limit inspects the loaded libraries)."""
    from . import packing  # noqa: F401

    with _blas_one_thread():
        return os.getpid()


def start_workers(n: int) -> Iterator[int] | None:
    """Start the ``n - 1`` pool workers of ``n`` local processes and their imports in the
    background, while this process reads the data. None for one process (no pool).
    Returns the workers' process ids as they come, to be awaited before the pool is used."""
    if n < 2:
        return None
    executor = _executor(n - 1)
    futures = [executor.submit(_worker_ready) for _ in range(n - 1)]
    return (f.result() for f in futures)


def kill_workers() -> None:
    """Kill the pool's worker processes now (none started: nothing to do)."""
    try:
        from joblib.externals.loky import reusable_executor

        executor = reusable_executor._executor
        if executor is not None:
            executor.shutdown(wait=False, kill_workers=True)
    except Exception:  # pragma: no cover - best effort on the way out of an interrupt
        pass


def _in_worker(run: Callable[[Any, Any], Outcome], source: Any, pack: Any) -> Outcome:
    """``run(pack, data)`` in a pool worker: the data mapped once from ``source``, the
    path of their file (a ``str``), or ``source`` itself (sent with the pack)."""
    if not isinstance(source, str):
        return run(pack, source)
    if source not in _MAPPED:
        import joblib

        _MAPPED.clear()  # a new search's data: the last one's map goes
        _MAPPED[source] = joblib.load(source, mmap_mode="r")
    return run(pack, _MAPPED[source])


def _data_file(data: Any) -> tuple[str | None, Any]:
    """(the temporary folder, the source :func:`_in_worker` takes): ``data`` written to
    a file in a new folder, or where that cannot be (no writable temporary directory, a
    full disk), (None, ``data``): sent with each pack instead."""
    import joblib

    folder = None
    try:
        folder = tempfile.mkdtemp(prefix="numpynn-search-")
        path = str(Path(folder) / "data.pkl")
        joblib.dump(data, path)
        return folder, path
    except OSError:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        return None, data


def run_shared(run: Callable[[Any, Any], Outcome], packs: Sequence[Any], data: Any,
               n: int) -> Iterator[Outcome]:
    """``run(pack, data)`` for every pack in ``n`` >= 2 processes: this one and ``n - 1``
    pool workers, each taking the next pack (``packs`` in their order) when it is free;
    yields each pack's outcome as soon as it is known (any order). ``run`` must be
    picklable (a module-level function or a ``functools.partial`` of one); ``data``
    (picklable by joblib: arrays and the objects holding them) is written once to a
    temporary file the workers map, removed at the end (sent with each pack where no
    temporary file can be written).

    This process looks at the pool's outcomes between its own packs, so one of them
    waits at most a pack of this process's before it is yielded. An error or an
    interrupt (in a pack, or a ``GeneratorExit`` from the consumer) kills the pool's
    workers at once: nothing is left running, nothing is awaited."""
    left = deque(packs)
    folder, source = _data_file(data)
    try:
        yield from _share(run, left, data, source, n)
    except BaseException:
        left.clear()  # nothing more for the pool either
        kill_workers()
        raise
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


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
        executor.submit(_in_worker, run, source, pack).add_done_callback(finished)
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


def _outcome(got: Any) -> Outcome:
    if isinstance(got, BaseException):
        raise got
    return got
