"""Packed training on two cores: half of a pack's members trained in a forked copy of this
process (:func:`train_halves`).

A pack's step is one thread of NumPy calls, each too small to share out. A second thread
does not help: it waits for the interpreter's lock between calls (two threads each
training half of 16 digits-sized models took 0.186 s against one thread's 0.170 s,
benchmarks/RESULTS.md round 13). A second process does. The trained values come back
through a pipe: each model's parameters, its dropout generator's state and its
:class:`~numpynn.training.trainer.History`. Each process trains its half with one BLAS
thread. The models end as they would in one process: a member's arithmetic does not depend
on the others in its pack (only the per-epoch figures' chunks of rows, summed in another
order, differ by rounding).

The first such pack forks a warm worker (:class:`_Worker`), which stays for the packs that
follow until :data:`WORKER_IDLE` seconds pass without one. Its jobs (this pack's second
half, and each later pack's) come pickled through a pipe, the members with the data (at
most :data:`JOB_BYTES_MAX`): it cannot know whether arrays it inherited have changed.
A fork's copy-on-write faults are paid once (on the development machine, whose page
faults are slow, 40-60 ms a fork), so a later pack is worth splitting from
:data:`WORK_MIN_WARM` on. A pack whose training function or members do not pickle or
name code other than numpynn's (a user's ``augment``, a layer class of a notebook: the
worker would run them as they were when it was forked), or whose data are larger, gets a
child forked for it alone, which inherits them.

When (:func:`usable`): on Linux (``fork`` copies the live process; macOS's system libraries
are not safe to use after it and Windows has none), with at least two cores this process
may use, BLAS allowed at least two threads (a search's trial and a joblib worker run with
one: their processes already fill the cores), outside a daemonic process, with at least
two members and :data:`WORK_MIN` of work (:data:`WORK_MIN_WARM` where the warm worker is
there).

Nothing is lost when the other process fails: one that raises, dies or does not answer
within its allowance (:func:`allowance`) is killed and its members are trained here
afterwards, from the state this process kept untouched. An interrupt (Ctrl-C reaches both
processes; the other ignores it) kills it and goes on up as before.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from multiprocessing.reduction import ForkingPickler
from typing import Any

import numpy as np

from .blas import blas

__all__ = ["FORKED", "WORK_MIN", "WORK_MIN_WARM", "allowance", "cores", "train_halves",
           "usable"]

#: The least work (members x epochs x training rows x parameters) worth a second process:
#: about 0.35 s of packed training (16 digits-sized models x 20 epochs is 3.5e9) on the
#: development machine, whose page faults are slow: there a child's copy-on-write faults
#: cost 40-60 ms (a bare fork and its answer 3-10 ms), and 16 x 5 epochs forked took as long
#: as one process (0.17 s), 16 x 20 epochs 0.42 s against 0.68 s.
WORK_MIN = 2_000_000_000

#: The least work worth a job of the warm worker (:class:`_Worker`), forked for an earlier
#: pack: about 35 ms of packed training; a job's pickling and its answer cost 1-5 ms.
WORK_MIN_WARM = 200_000_000

#: The name of this module's processes (``-half``: a child of one call; ``-worker``: the
#: warm worker), as ``multiprocessing.active_children()`` lists them, apart from
#: a search's pool workers (forks too).
PROCESS_NAME = "numpynn-packed"

#: What a History's ``engine`` says after its model trained in the child.
FORKED = "in a forked second process"

#: Seconds a child may take beyond ``CHILD_FACTOR`` times this process's own half.
CHILD_GRACE = 30.0
CHILD_FACTOR = 10.0


def _warm() -> bool:
    """Whether this process has a warm worker (:class:`_Worker`) alive."""
    return _worker is not None and _worker.usable()


@functools.cache
def cores() -> int:
    """The cores this process may use: its affinity (``taskset``, a container's CPU set)
    and a container's CPU quota (cgroups' ``cpu.max``: ``docker --cpus 2`` on a 64-core
    host is 2), as loky counts them; else the machine's. Counted once (read per epoch)."""
    from joblib.externals.loky import cpu_count  # (the command line's start: imported late)

    try:
        return max(1, int(cpu_count()))
    except Exception:  # pragma: no cover - loky cannot tell: the affinity or the machine's
        try:
            return len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            return os.cpu_count() or 1


def usable(members: Sequence[Any], work: float) -> bool:
    """Whether :func:`train_halves` forks for these members (see the module docstring)."""
    if len(members) < 2 or work < WORK_MIN_WARM or not sys.platform.startswith("linux"):
        return False
    if work < WORK_MIN and not _warm():
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if multiprocessing.current_process().daemon or cores() < 2:
        return False
    b = blas()  # unavailable: no way to give each half one BLAS thread
    return b.available and b.thread_count() >= 2


def allowance(own_seconds: float, ratio: float = 1.0) -> float:
    """Seconds the child may still take once this process has trained its half in
    ``own_seconds``, the child's half being ``ratio`` times this one's work (members may
    differ in epochs): a child this late is stuck or starved."""
    return CHILD_GRACE + CHILD_FACTOR * own_seconds * max(1.0, ratio)


def train_halves(members: Sequence[Any], train: Callable[[list[Any]], None],
                 work: Callable[[list[Any]], float] | None = None) -> bool:
    """``train(members)`` with the second half of ``members`` trained in another process
    (each member: ``.model``, a numpynn network, and ``.history``, a History, which the
    other process's values replace); ``work(members)``: their work, which scales that
    process's allowance to its half's share. Returns True if the other half came back,
    False if it was trained here (the other process failed, died or was too late).

    Where ``train`` and the members pickle, name only numpynn's code and hold at most
    :data:`JOB_BYTES_MAX` of arrays, the half goes to this process's warm :class:`_Worker`
    (started here if there is none); else to a child forked for this call alone, or, for
    less than :data:`WORK_MIN` of work, nowhere: all of it trains here."""
    half = -(-len(members) // 2)
    mine, theirs = list(members[:half]), list(members[half:])
    for stream in (sys.stdout, sys.stderr):  # else a child would write their buffers again
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    job = _job(train, theirs)
    if job is not None and _worker_lock.acquire(blocking=False):
        try:
            return _with_worker(job, mine, theirs, train, work)
        finally:
            _worker_lock.release()
    if work is not None and work(mine + theirs) < WORK_MIN:  # repays a warm worker's job only
        train(mine + theirs)
        return False
    return _with_child(mine, theirs, train, work)


def _with_child(mine: list[Any], theirs: list[Any], train: Callable[[list[Any]], None],
                work: Callable[[list[Any]], float] | None) -> bool:
    """:func:`train_halves` with ``theirs`` trained in a child forked for this call."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, train, theirs), daemon=True,
                        name=f"{PROCESS_NAME}-half")
    try:
        _start(child)
    except OSError:  # no process to be had (memory, a process limit): all of it here
        send.close()
        receive.close()
        train(mine + theirs)
        return False
    send.close()
    answer = None
    try:
        answer = _train_mine(mine, theirs, train, work,
                             lambda seconds: _await(receive, child, seconds))
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    return _take(answer, theirs, train)


def _with_worker(job: tuple[int, bytes], mine: list[Any], theirs: list[Any],
                 train: Callable[[list[Any]], None],
                 work: Callable[[list[Any]], float] | None) -> bool:
    """:func:`train_halves` with ``theirs`` (pickled in ``job``) trained by the warm worker."""
    global _worker
    worker = _worker if _worker is not None and _worker.usable() else None
    if worker is None:
        _release()
        try:
            worker = _Worker()
        except OSError:  # no process to be had: all of it here
            train(mine + theirs)
            return False
        _worker = worker
    answer = None
    try:
        worker.send(job)
        answer = _train_mine(mine, theirs, train, work, worker.answer)
    finally:
        if answer is None:  # failed, late, or an interrupt here: never reuse it mid-job
            _release()
    return _take(answer, theirs, train)


def _train_mine(mine: list[Any], theirs: list[Any], train: Callable[[list[Any]], None],
                work: Callable[[list[Any]], float] | None,
                wait: Callable[[float], list[Any] | None]) -> list[Any] | None:
    """Train ``mine`` here with one BLAS thread, then the other process's answer (None if
    it failed or took longer than its allowance)."""
    started = time.perf_counter()
    with blas().threads(1):
        train(mine)
    ratio = work(theirs) / max(work(mine), 1.0) if work is not None else 1.0
    return wait(allowance(time.perf_counter() - started, ratio))


def _take(answer: list[Any] | None, theirs: list[Any],
          train: Callable[[list[Any]], None]) -> bool:
    """The other process's values into ``theirs``; without them, ``theirs`` trained here."""
    if answer is None:
        with blas().threads(1):
            train(theirs)
        return False
    for m, (params, rng_state, history) in zip(theirs, answer):
        for key, value in params.items():
            np.copyto(m.model.params[key], value)
        if rng_state is not None:
            m.model.rng.bit_generator.state = rng_state
        vars(m.history).update(vars(history))
    return True


def _start(process: Any) -> None:
    with warnings.catch_warnings():
        # Python 3.12+ warns on fork with threads running: here BLAS's pool (OpenBLAS
        # stops it around a fork) and an idle evaluation thread, neither holding a lock.
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks",
                                category=DeprecationWarning)
        process.start()


def _await(receive: Any, child: Any, seconds: float) -> list[Any] | None:
    """The child's trained values, or None if it failed, died or took over ``seconds``."""
    deadline = time.perf_counter() + seconds
    while not receive.poll(0.05):
        if not child.is_alive() and not receive.poll(0):
            return None
        if time.perf_counter() > deadline:
            return None
    try:
        status, payload = receive.recv()
    except (EOFError, OSError):
        return None
    return payload if status == "ok" else None


def _run_job(train: Callable[[list[Any]], None], members: list[Any]) -> list[Any]:
    """In the other process: train ``members`` with one BLAS thread; what
    :func:`_take` copies in: ``[(params, rng state, history), ...]``."""
    with blas().threads(1):
        train(members)
    for m in members:
        m.history.engine += f", {FORKED}"
    return [({key: np.asarray(v) for key, v in m.model.params.items()},
             _rng_state(m.model), m.history) for m in members]


def _child(send: Any, train: Callable[[list[Any]], None], members: list[Any]) -> None:
    """The child of one call: ``("ok", _run_job(...))`` or ``("error", text)`` sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us on Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        send.send(("ok", _run_job(train, members)))
    except BaseException as exc:  # noqa: BLE001 - the parent trains these members itself
        try:
            send.send(("error", repr(exc)))
        except BaseException:  # noqa: BLE001 - a closed pipe: the parent sees EOF
            pass
    finally:
        send.close()


def _rng_state(model: Any) -> dict[str, Any] | None:
    rng = getattr(model, "rng", None)
    return rng.bit_generator.state if isinstance(rng, np.random.Generator) else None


# ------------------------------------------------------------------------ the warm worker
#: Bytes of arrays a job may carry to the warm worker (the data go with every job: it
#: cannot know that arrays it inherited are unchanged); more go to a child of their own.
JOB_BYTES_MAX = 32 * 2**20

#: Seconds the warm worker waits for its next job before it exits (and stops holding
#: this process's memory of the moment it was forked).
WORKER_IDLE = 20.0

_worker: _Worker | None = None
_job_numbers = itertools.count(1)
_worker_lock = threading.Lock()


def _job(train: Callable[[list[Any]], None], members: list[Any]) -> tuple[int, bytes] | None:
    """(its number, ``(number, train, members)`` pickled as a pipe sends objects) for the
    warm worker, or None where they do not pickle (a closure), their arrays exceed
    :data:`JOB_BYTES_MAX`, or they hold code other than numpynn's (:func:`_numpynn_code`)."""
    if not isinstance(train, functools.partial) or not _numpynn_code(train, members):
        return None
    if _array_bytes((train.args, train.keywords)) > JOB_BYTES_MAX:
        return None
    number = next(_job_numbers)
    try:
        job = bytes(ForkingPickler.dumps((number, train, members)))
    except Exception:  # noqa: BLE001 - whatever does not pickle goes to a forked child
        return None
    return (number, job) if len(job) <= JOB_BYTES_MAX else None


def _numpynn_code(train: functools.partial, members: list[Any]) -> bool:
    """Whether every function and class the job names is numpynn's (or NumPy's): the warm
    worker runs the code of the moment it was forked, so a function or a layer class
    defined again since (a notebook's cell run again, a user's ``augment``) would run
    there in its old version. Such jobs go to a child forked for the call."""
    def ours(obj: Any) -> bool:
        module = getattr(obj, "__module__", None) if callable(obj) and not isinstance(
            obj, np.ndarray) else type(obj).__module__
        return isinstance(module, str) and module.split(".")[0] in ("numpynn", "numpy",
                                                                    "builtins")

    values = [train.func, *train.args, *train.keywords.values()]
    values = [v for v in values if v is not None and not isinstance(
        v, (np.ndarray, tuple, list, dict, str, int, float))]
    for m in members:
        model = getattr(m, "model", None)
        values += [model, *getattr(model, "layers", [])]
    return all(ours(v) for v in values)


def _array_bytes(obj: Any) -> int:
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, (tuple, list)):
        return sum(_array_bytes(o) for o in obj)
    if isinstance(obj, dict):
        return sum(_array_bytes(o) for o in obj.values())
    return 0


class _Worker:
    """A process forked once that trains the second halves of this process's packs, one
    job at a time, for as long as jobs keep coming (:data:`WORKER_IDLE`): later packs do
    not pay a fork's copy-on-write faults again (40-60 ms each on the development
    machine). Jobs and answers go through one pipe, each answer tagged with its job."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, theirs = ctx.Pipe()
        self.owner = os.getpid()
        self.jobs = 0  # sent
        self.job = 0  # the number of the job it trains
        self.sending: threading.Thread | None = None
        self.process = ctx.Process(target=_serve, args=(theirs, self.conn), daemon=True,
                                   name=f"{PROCESS_NAME}-worker")
        try:
            _start(self.process)
        finally:
            theirs.close()

    def usable(self) -> bool:
        """Alive, and this process's (not a copy inherited by a fork of this one)."""
        return os.getpid() == self.owner and self.process.is_alive()

    def send(self, job: tuple[int, bytes]) -> None:
        """Send the job from a thread of its own: this process trains its half meanwhile,
        and a worker that does not read it (stuck) cannot hold this one (:meth:`answer`
        waits for the sending within its allowance)."""
        self.jobs += 1
        self.job = job[0]

        def write() -> None:
            try:
                self.conn.send_bytes(job[1])
            except OSError:  # it has gone: answer() sees it dead
                pass

        self.sending = threading.Thread(target=write, name="numpynn-forked-send", daemon=True)
        self.sending.start()

    def answer(self, seconds: float) -> list[Any] | None:
        """The current job's values, or None if it failed, died or took over ``seconds``."""
        deadline = time.perf_counter() + seconds
        if self.sending is not None:
            self.sending.join(seconds)
            if self.sending.is_alive():  # it never took the job: stuck
                return None
        while True:
            while not self.conn.poll(0.05):
                if not self.process.is_alive() and not self.conn.poll(0):
                    return None
                if time.perf_counter() > deadline:
                    return None
            try:
                job, status, payload = self.conn.recv()
            except (EOFError, OSError):
                return None
            if job == self.job or job is None:  # None: a job it could not read
                return payload if status == "ok" else None

    def close(self) -> None:
        if os.getpid() != self.owner:
            return
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _release() -> None:
    """Stop the warm worker (if any): on failure, an interrupt, and in tests."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.close()


def _serve(conn: Any, parents: Any) -> None:
    """The warm worker: ``(job, "ok", _run_job(...))`` or ``(job, "error", text)`` for
    each job, until no job comes for :data:`WORKER_IDLE` seconds or this process's parent
    is gone (its end of the pipe closed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us on Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parents.close()
    try:
        while conn.poll(WORKER_IDLE):
            job = None
            try:  # from our parent alone, as _Worker.send made it
                job, train, members = conn.recv()
                answer = (job, "ok", _run_job(train, members))
            except (EOFError, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - the parent trains these itself
                answer = (job, "error", repr(exc))
            try:
                conn.send(answer)
            except (EOFError, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - an answer that does not pickle
                conn.send((job, "error", repr(exc)))
    except (EOFError, OSError):  # the parent is gone
        pass
    finally:
        conn.close()
