"""Training with subnormal floats flushed to zero (the CPU's FTZ and DAZ modes).

Numbers below the smallest normal float (1.2e-38 in float32, 2.2e-308 in float64) are
*subnormal*. On Intel CPUs every vector instruction that meets one takes a microcode
assist of about a hundred cycles: a float32 multiply of 100,000 subnormals took 586 us
instead of 13, a 512 x 512 matrix product of them 397 ms instead of 1.8 (one thread of an
AVX-512 Xeon, OpenBLAS 0.3.31; ``benchmarks/bench_denormals.py``).

Training makes them. Adam's first moment of a gradient that stays zero (a dead ReLU
unit's bias) decays by beta1 = 0.9 a step into the subnormal range within a few hundred
steps. The weights of an input that is always zero (the border pixels of digits) decay
there under weight decay. A confident softmax's exp(-90) is one. On digits, a 64-100-10
network's epochs took 4.6 ms in its first 20 and 16.8 ms in its last 20 of 200 (4.3 ms
with the flushing).

Values that small carry nothing a network can use, so the engines (the ``Trainer``,
``train_packed``) run with the modes on that treat them as zero: FTZ (results below the
normal range become 0) and DAZ (subnormal inputs read as 0), as TensorFlow does in its
thread pools and ``torch.set_flush_denormal(True)`` offers. The mode is a register of the
calling thread (a thread started inside the block inherits it, one started before does
not); :func:`flush_denormals` sets it for a block and puts the caller's back after, so
code outside training (a user's own NumPy, ``model.loss``, ``predict``, the gradient
checks) sees IEEE arithmetic as before. OpenBLAS's worker threads keep their own mode,
but the values a training step writes (activations, softmax probabilities, the updated
moments and weights) are computed in the training thread, so its multiplies are not given
subnormals to read.

Where the register cannot be set (another CPU or C library than those below, or the
self-test fails), :func:`flush_denormals` does nothing and training runs as before.
"""

from __future__ import annotations

import ctypes
import platform
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

__all__ = ["available", "flush_denormals"]


class _Register(NamedTuple):
    """Where a C library's ``fenv_t`` keeps the control register, and its flushing bits."""

    offset: int  # bytes into fenv_t
    ctype: type  # the register's C type
    bits: int  # the bits that flush


#: (system, machine) -> the register: x86-64's MXCSR (FTZ bit 15, DAZ bit 6) and
#: AArch64's FPCR (FZ, bit 24), as glibc, musl and macOS's libSystem lay out fenv_t
_LAYOUTS: dict[tuple[str, str], _Register] = {
    ("Linux", "x86_64"): _Register(28, ctypes.c_uint32, (1 << 15) | (1 << 6)),
    ("Linux", "aarch64"): _Register(0, ctypes.c_uint32, 1 << 24),
    ("Darwin", "x86_64"): _Register(4, ctypes.c_uint32, (1 << 15) | (1 << 6)),
    ("Darwin", "arm64"): _Register(8, ctypes.c_uint64, 1 << 24),
}
_ENV_BYTES = 64  # more than any of these C libraries' fenv_t (32 at most)


class _FloatEnv(NamedTuple):
    """The C library's ``fegetenv`` and ``fesetenv`` and this platform's register."""

    get: Callable[[ctypes.Array], int]
    put: Callable[[ctypes.Array], int]
    register: _Register


_lock = threading.Lock()
_state: dict[str, _FloatEnv | None] = {}  # "env": once loaded and self-tested


def _load() -> _FloatEnv | None:
    register = _LAYOUTS.get((platform.system(), platform.machine()))
    if register is None:
        return None
    for name in ("libm.so.6", "libSystem.B.dylib", None):  # None: the process's own symbols
        try:
            lib = ctypes.CDLL(name)
            get, put = lib.fegetenv, lib.fesetenv
        except (OSError, AttributeError):
            continue
        get.argtypes = put.argtypes = [ctypes.c_void_p]
        get.restype = put.restype = ctypes.c_int
        return _FloatEnv(get, put, register)
    return None


def _env() -> _FloatEnv | None:
    """This platform's :class:`_FloatEnv` after a self-test (a float32 subnormal times one
    is zero inside, itself after); None where it is not there or the test fails."""
    if "env" not in _state:
        with _lock:
            if "env" not in _state:
                env = None
                try:
                    env = _load()
                    if env is not None and not _self_test(env):
                        env = None
                except Exception:  # noqa: BLE001 - any failure means: leave the mode alone
                    env = None
                _state["env"] = env
    return _state["env"]


def _subnormal_times_one() -> float:
    tiny = np.array([1e-39], np.float32)
    return float((tiny * np.float32(1.0))[0])


def _self_test(env: _FloatEnv) -> bool:
    saved = _set(env)
    if saved is None:
        return False
    try:
        inside = _subnormal_times_one()
    finally:
        env.put(saved)
    return inside == 0.0 and _subnormal_times_one() != 0.0


def _set(env: _FloatEnv) -> ctypes.Array | None:
    """Turn flushing on in this thread; returns the environment to put back (None where
    the C library refused)."""
    saved = ctypes.create_string_buffer(_ENV_BYTES)
    if env.get(saved) != 0:
        return None
    flushing = ctypes.create_string_buffer(saved.raw, _ENV_BYTES)
    reg = env.register
    reg.ctype.from_buffer(flushing, reg.offset).value |= reg.bits  # type: ignore[attr-defined]
    if env.put(flushing) != 0:
        return None
    return saved


def available() -> bool:
    """Whether :func:`flush_denormals` can set this CPU's mode (tested once)."""
    return _env() is not None


@contextmanager
def flush_denormals() -> Iterator[None]:
    """Run the block with subnormal floats flushed to zero in this thread (FTZ and DAZ,
    see the module docstring); the thread's floating-point environment is put back
    after, also on an exception. Nested blocks are fine. Nothing happens where the mode
    is not :func:`available`."""
    env = _env()
    saved = None if env is None else _set(env)
    try:
        yield
    finally:
        if saved is not None:
            env.put(saved)  # type: ignore[union-attr]
