"""Load pickles that may only rebuild numpy arrays and plain Python containers.

CIFAR-10's "python version" stores each batch as a pickle, and unpickling an arbitrary
pickle can run any code (``__reduce__`` may name ``os.system``). :class:`SafeUnpickler`
admits only the globals that a pickled ``dict`` of numpy arrays, lists, bytes and
numbers needs, under protocols 0..5 and from numpy 1.x or 2.x:

- ``numpy.core.multiarray._reconstruct`` / ``numpy._core.multiarray._reconstruct``
  (rebuilds an empty array that ``BUILD`` then fills; the requested shape is ignored,
  so no large allocation can be asked for),
- ``numpy.ndarray`` (only as the class argument of ``_reconstruct``; it cannot be
  called to allocate memory),
- ``numpy.dtype`` (object dtypes refused),
- ``_codecs.encode`` (protocols 0..2 store ``bytes`` as latin-1 text; only the
  latin-1 codec is admitted),
- ``numpy.core.numeric._frombuffer`` / ``numpy._core.numeric._frombuffer``
  (protocol 5 arrays).

Everything else (``os.system``, ``builtins.open``, ``builtins.eval``, ...) raises
:class:`~numpynn.errors.DataError` before anything is called. Before unpickling, a
scan of the opcodes rejects malformed streams and memo indices larger than the file
(a huge memo index makes CPython's unpickler allocate memory in proportion to it).
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
import pickletools

import numpy as np

from ..errors import DataError
from ._files import as_path, read_bytes

try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct as _np_reconstruct
    from numpy._core.numeric import _frombuffer as _np_frombuffer
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import _reconstruct as _np_reconstruct
    from numpy.core.numeric import _frombuffer as _np_frombuffer


class _NdarrayClass:
    """Stands in for ``numpy.ndarray`` inside a pickle: accepted by ``_reconstruct`` only."""

    def __repr__(self) -> str:
        return "numpy.ndarray"


_NDARRAY = _NdarrayClass()


def _reconstruct(subtype: object, shape: object, dtype: object) -> np.ndarray:
    if subtype is not _NDARRAY:
        raise DataError(f"refusing to rebuild an array of type {subtype!r}")
    return _np_reconstruct(np.ndarray, (0,), dtype)


def _dtype(*args: object) -> np.dtype:
    dt = np.dtype(*args)
    if dt.hasobject:
        raise DataError("refusing to load an array of Python objects (object dtype)")
    return dt


def _frombuffer(buf: object, dtype: object, shape: object, order: object) -> np.ndarray:
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise DataError("refusing to load an array of Python objects (object dtype)")
    return _np_frombuffer(buf, dtype, shape, order)


def _latin1_encode(obj: object, encoding: object = "utf-8", errors: object = "strict") -> bytes:
    if not isinstance(obj, str) or str(encoding).lower() not in ("latin1", "latin-1"):
        raise DataError(f"refusing _codecs.encode with encoding {encoding!r}")
    return codecs.encode(obj, "latin1")


_ALLOWED: dict[tuple[str, str], object] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _dtype,
    ("_codecs", "encode"): _latin1_encode,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
}

_MEMO_PUTS = {"PUT", "BINPUT", "LONG_BINPUT"}


class SafeUnpickler(pickle.Unpickler):
    """An unpickler whose :meth:`find_class` admits only numpy array reconstruction.

    Byte strings written by Python 2 (as in the original CIFAR-10 files) load as
    ``bytes`` (``encoding="bytes"``), so dict keys are ``b"data"``, ``b"labels"``.
    """

    def __init__(self, file: io.BufferedIOBase, *, source: str = "<pickle>") -> None:
        super().__init__(file, encoding="bytes")
        self._source = source

    def find_class(self, module: str, name: str) -> object:
        """Return the admitted stand-in for ``module.name`` or raise DataError."""
        try:
            return _ALLOWED[(module, name)]
        except (KeyError, TypeError):
            raise DataError(
                f"{self._source}: numpynn refuses to load this pickle: it asks for the "
                f"global {module}.{name}, but a data batch only needs numpy arrays. The file "
                "may be malicious; do not open it with pickle. Get the data set again from "
                "its original source."
            ) from None


def _scan(data: bytes, source: str) -> None:
    """Walk the opcodes without running them: malformed streams and bogus memo indices."""
    try:
        for opcode, arg, _ in pickletools.genops(data):
            # picklers number memo entries 0, 1, 2, ...: there are fewer than bytes
            if opcode.name in _MEMO_PUTS and not (isinstance(arg, int) and 0 <= arg < len(data)):
                raise DataError(f"{source}: corrupt pickle (memo index {arg!r} out of range)")
    except DataError:
        raise
    except Exception as exc:  # genops raises ValueError and friends on malformed input
        raise DataError(
            f"{source}: not a valid pickle, it is corrupt or truncated "
            f"({type(exc).__name__}: {exc})"
        ) from None


def safe_loads(data: bytes, *, source: str = "<bytes>") -> object:
    """Unpickle ``data`` with :class:`SafeUnpickler`; ``source`` names it in errors.

    Raises:
        DataError: the pickle is malformed or truncated, or asks for a global that is
            not admitted (nothing it names is called).
    """
    if not data:
        raise DataError(f"{source}: the file is empty, expected a pickle")
    _scan(data, source)
    try:
        return SafeUnpickler(io.BytesIO(data), source=source).load()
    except DataError:
        raise
    except Exception as exc:  # corrupt input raises many kinds of error while unpickling
        raise DataError(
            f"{source}: not a valid pickle, it is corrupt or truncated "
            f"({type(exc).__name__}: {exc})"
        ) from None


def safe_load_pickle(path: str | os.PathLike[str]) -> object:
    """Load the pickle file ``path``, admitting only numpy arrays and plain containers.

    Raises:
        DataError: the file is missing, malformed, truncated, or asks for any other
            global (``os.system``, ``builtins.open``, ...), which is never called.
    """
    path = as_path(path)
    return safe_loads(read_bytes(path, "pickle file"), source=str(path))
