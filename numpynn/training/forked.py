"""Packed training on two cores: half of a pack's members trained in a forked copy of this
process (:func:`train_halves`).

A pack's step is one thread of NumPy calls, each too small to share out. A second thread
does not help: it waits for the interpreter's lock between calls (two threads each
training half of 16 digits-sized models took 0.186 s against one thread's 0.170 s,
benchmarks/RESULTS.md round 13). A second process does. ``fork`` gives it the data, the
models and their members as they are, nothing copied or pickled on the way in; the trained
values come back through a pipe: each model's parameters, its dropout generator's state and
its :class:`~numpynn.training.trainer.History`. Each process trains its half with one BLAS
thread. The models end as they would in one process: a member's arithmetic does not depend
on the others in its pack (only the per-epoch figures' chunks of rows, summed in another
order, differ by rounding).

When (:func:`usable`): on Linux (``fork`` copies the live process; macOS's system libraries
are not safe to use after it and Windows has none), with at least two cores this process
may use, BLAS allowed at least two threads (a search's trial and a joblib worker run with
one: their processes already fill the cores), outside a daemonic process, with at least
two members and :data:`WORK_MIN` of work (a fork and its answer cost 3-10 ms).

Nothing is lost when the child fails: a child that raises, dies or does not answer within
its allowance (:func:`allowance`) is killed and its members are trained here afterwards,
from the state the fork left untouched in this process. An interrupt (Ctrl-C reaches both
processes; the child ignores it) kills the child and goes on up as before.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .blas import blas

__all__ = ["FORKED", "WORK_MIN", "allowance", "cores", "train_halves", "usable"]

#: The least work (members x epochs x training rows x parameters) worth a second process:
#: about 0.35 s of packed training (16 digits-sized models x 20 epochs is 3.5e9) on the
#: development machine, whose page faults are slow: there a child's copy-on-write faults
#: cost 40-60 ms (a bare fork and its answer 3-10 ms), and 16 x 5 epochs forked took as long
#: as one process (0.17 s), 16 x 20 epochs 0.42 s against 0.68 s.
WORK_MIN = 2_000_000_000

#: What a History's ``engine`` says after its model trained in the child.
FORKED = "in a forked second process"

#: Seconds a child may take beyond ``CHILD_FACTOR`` times this process's own half.
CHILD_GRACE = 30.0
CHILD_FACTOR = 10.0


def cores() -> int:
    """The cores this process may run on (its affinity: ``taskset``, a container's CPU
    set), else the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def usable(members: Sequence[Any], work: float) -> bool:
    """Whether :func:`train_halves` forks for these members (see the module docstring)."""
    if len(members) < 2 or work < WORK_MIN or not sys.platform.startswith("linux"):
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
    """``train(members)`` with the second half of ``members`` trained in a forked child
    (each member: ``.model``, a numpynn network, and ``.history``, a History, which the
    child's values replace); ``work(members)``: their work, which scales the child's
    allowance to its half's share. Returns True if the child's half came back, False if
    it was trained here (the child failed, died or was too late)."""
    half = -(-len(members) // 2)
    mine, theirs = list(members[:half]), list(members[half:])
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):  # else the child would write their buffers again
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    child = ctx.Process(target=_child, args=(send, train, theirs), daemon=True)
    with warnings.catch_warnings():
        # Python 3.12+ warns on fork with threads running: here BLAS's pool (OpenBLAS
        # stops it around a fork) and an idle evaluation thread, neither holding a lock.
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks",
                                category=DeprecationWarning)
        try:
            child.start()
        except OSError:  # no process to be had (memory, a process limit): all of it here
            send.close()
            receive.close()
            train(list(members))
            return False
    send.close()
    answer = None
    try:
        started = time.perf_counter()
        with blas().threads(1):
            train(mine)
        ratio = work(theirs) / max(work(mine), 1.0) if work is not None else 1.0
        answer = _await(receive, child, allowance(time.perf_counter() - started, ratio))
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
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


def _child(send: Any, train: Callable[[list[Any]], None], members: list[Any]) -> None:
    """In the child: train ``members``, send back what :func:`train_halves` copies in
    (``("ok", [(params, rng state, history), ...])``, or ``("error", text)``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us on Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with blas().threads(1):
            train(members)
        for m in members:
            m.history.engine += f", {FORKED}"
        payload = [({key: np.asarray(v) for key, v in m.model.params.items()},
                    _rng_state(m.model), m.history) for m in members]
        send.send(("ok", payload))
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
