"""``gemm`` with ``beta``, ``axpy`` and ``axpby`` from NumPy's own OpenBLAS (through
ctypes), for the training engine's fused optimiser updates and the optimisers' passes.
NumPy has no ``C = alpha A B + beta C`` and no one-pass ``y = a x + b y``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["FUSE_MIN_SIZE", "Blas", "blas"]

#: Weights with at least this many entries are updated by SGD and momentum through BLAS
#: (see :class:`Blas`); smaller ones by NumPy ufuncs (a ctypes call costs more for them).
FUSE_MIN_SIZE = 1 << 16


class Blas:
    """``gemm`` with ``beta`` and ``axpy`` from NumPy's own OpenBLAS, through ctypes.

    ``np.dot`` has no ``C = alpha A B + beta C``; with it the momentum update of a weight
    ``v = mu v - lr dW`` happens inside the multiply that computes ``dW`` (no gradient
    array written and read back, no separate passes over ``v``), and ``axpy`` adds
    ``-lr reg W`` and ``v`` to ``W`` in one pass each, on every core. This is the memory
    traffic that dominates a step's non-multiply time (the arrays are larger than the
    caches). Used only for the library NumPy itself calls (the scipy-openblas ILP64 build
    of the NumPy wheels, already loaded; so one thread pool), after a numerical self-test;
    anywhere else, or if anything fails, ``available`` is False and NumPy ufuncs are used.
    """

    ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

    def __init__(self) -> None:
        self.available = False
        self._fns: dict[tuple[str, str], Any] = {}
        try:
            self._load()
            self.available = self._self_test()
        except Exception:  # noqa: BLE001 - any failure means: use NumPy
            self.available = False

    def _load(self) -> None:
        import ctypes
        import glob
        import os

        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        if blas.get("name") != "scipy-openblas" or "USE64BITINT" not in str(
            blas.get("openblas configuration", "")
        ):
            return
        root = os.path.dirname(os.path.abspath(np.__file__))
        paths = glob.glob(os.path.join(root, os.pardir, "numpy.libs", "libscipy_openblas64_*"))
        paths += glob.glob(os.path.join(root, ".dylibs", "libscipy_openblas64_*"))
        if len(paths) != 1:
            return
        path = os.path.realpath(paths[0])
        if os.path.exists("/proc/self/maps"):
            with open("/proc/self/maps") as f:
                if path not in f.read():
                    return  # not the library NumPy loaded: a second copy would be another pool
        lib = ctypes.CDLL(path)
        i64, p, i32 = ctypes.c_int64, ctypes.c_void_p, ctypes.c_int
        for prefix, real in (("s", ctypes.c_float), ("d", ctypes.c_double)):
            gemm = getattr(lib, f"scipy_cblas_{prefix}gemm64_")
            gemm.argtypes = [i32, i32, i32, i64, i64, i64, real, p, i64, p, i64, real, p, i64]
            gemm.restype = None
            axpy = getattr(lib, f"scipy_cblas_{prefix}axpy64_")
            axpy.argtypes = [i64, real, p, i64, p, i64]
            axpy.restype = None
            axpby = getattr(lib, f"scipy_cblas_{prefix}axpby64_")
            axpby.argtypes = [i64, real, p, i64, real, p, i64]
            axpby.restype = None
            self._fns[prefix, "gemm"] = gemm
            self._fns[prefix, "axpy"] = axpy
            self._fns[prefix, "axpby"] = axpby
        get, put = lib.scipy_openblas_get_num_threads64_, lib.scipy_openblas_set_num_threads64_
        get.argtypes, get.restype, put.argtypes, put.restype = [], i32, [i32], None
        self._fns["", "get_threads"], self._fns["", "set_threads"] = get, put

    def _self_test(self) -> bool:
        if not self._fns:
            return False
        rng = np.random.default_rng(0)
        for dt in (np.float32, np.float64):
            h = rng.standard_normal((5, 7)).astype(dt)[:4]  # a view, like the workspaces
            d = rng.standard_normal((4, 3)).astype(dt)
            c = rng.standard_normal((7, 3)).astype(dt)
            y = rng.standard_normal((7, 3)).astype(dt)
            z = rng.standard_normal((7, 3)).astype(dt)
            want_c = 0.5 * c - 2.0 * (h.T @ d)
            want_y = y + 0.25 * want_c
            want_z = 0.75 * z - 1.5 * want_y
            self.gemm_tn(h, d, c, -2.0, 0.5)
            self.axpy(0.25, c, y)
            self.axpby(-1.5, y, 0.75, z)
            tol = 1e-5 if dt == np.float32 else 1e-12
            if not (np.allclose(c, want_c, rtol=tol, atol=tol)
                    and np.allclose(y, want_y, rtol=tol, atol=tol)
                    and np.allclose(z, want_z, rtol=tol, atol=tol)):
                return False
        return True

    def gemm_tn(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, alpha: float,
                beta: float) -> None:
        """``c = alpha a.T b + beta c`` in place. a: (k, m), b: (k, n), c: (m, n); rows of
        a and b contiguous, c C-contiguous, one float dtype."""
        k, m = a.shape
        n = b.shape[1]
        it = a.itemsize
        self._fns["s" if it == 4 else "d", "gemm"](
            self.ROW_MAJOR, self.TRANS, self.NO_TRANS, m, n, k, alpha,
            a.ctypes.data, a.strides[0] // it, b.ctypes.data, b.strides[0] // it, beta,
            c.ctypes.data, n,
        )

    def axpy(self, alpha: float, x: np.ndarray, y: np.ndarray) -> None:
        """``y += alpha x`` in place (C-contiguous arrays of one shape and float dtype)."""
        self._fns["s" if x.itemsize == 4 else "d", "axpy"](
            x.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)


    def axpby(self, alpha: float, x: np.ndarray, beta: float, y: np.ndarray) -> None:
        """``y = alpha x + beta y`` in place, one pass (C-contiguous arrays of one shape
        and float dtype)."""
        self._fns["s" if x.itemsize == 4 else "d", "axpby"](
            x.size, alpha, x.ctypes.data, 1, beta, y.ctypes.data, 1)

    def bind_axpby(self, x: np.ndarray, y: np.ndarray) -> Callable[[float, float], None]:
        """``f(alpha, beta)``: :meth:`axpby` ``y = alpha x + beta y`` on these two arrays,
        their addresses read once (reading ``ndarray.ctypes`` costs about 1 us, as much as
        the pass over 8,000 floats; a step calls this several times). x and y: C-contiguous,
        of one shape and float dtype; ``f`` holds them (their memory stays valid), so
        they must not be resized."""
        if not (x.shape == y.shape and x.dtype == y.dtype
                and x.dtype in (np.float32, np.float64) and x.flags.c_contiguous
                and y.flags.c_contiguous and y.flags.writeable):
            raise ValueError("bind_axpby needs C-contiguous arrays of one shape and of one "
                             "dtype, float32 or float64")
        fn = self._fns["s" if x.itemsize == 4 else "d", "axpby"]
        n, px, py = x.size, x.ctypes.data, y.ctypes.data

        def call(alpha: float, beta: float) -> None:
            fn(n, alpha, px, 1, beta, py, 1)

        call.arrays = (x, y)  # type: ignore[attr-defined]  # alive while the call is
        return call


    def thread_count(self) -> int:
        """The BLAS pool's thread count now (1 where :attr:`available` is False)."""
        return int(self._fns["", "get_threads"]()) if self.available else 1

    @contextmanager
    def threads(self, n: int) -> Iterator[int]:
        """Run the block with at most ``n`` BLAS threads (the pool's count restored after);
        nothing happens where :attr:`available` is False. Many small multiplies of one
        pack's evaluation (K x (rows x D) @ (D x H)) cost more on two threads than on one:
        OpenBLAS splits each and its threads wait for one another. Yields the pool's
        thread count before the block (1 where :attr:`available` is False): how many
        threads the caller was allowed (a search's trial: 1)."""
        if not self.available:
            yield 1
            return
        before = self._fns["", "get_threads"]()
        if before <= n:
            yield before
            return
        self._fns["", "set_threads"](n)
        try:
            yield before
        finally:
            self._fns["", "set_threads"](before)


_blas: Blas | None = None


def blas() -> Blas:
    """The process-wide :class:`Blas` (loaded and self-tested on first use)."""
    global _blas
    if _blas is None:
        _blas = Blas()
    return _blas
