"""Load pickles that may only rebuild numpy arrays and plain Python containers.

CIFAR-10's "python version" stores each batch as a pickle, and unpickling an arbitrary
pickle can run any code (``__reduce__`` may name ``os.system``). :class:`SafeUnpickler`
admits only the globals that a pickled ``dict`` of numpy arrays, lists, bytes and
numbers needs, under protocols 0..5 and from numpy 1.x or 2.x:

- ``numpy.core.multiarray._reconstruct`` / ``numpy._core.multiarray._reconstruct``,
- ``numpy.ndarray`` (only as the class argument of ``_reconstruct``),
- ``numpy.dtype`` (plain numeric, bool and fixed-size string dtypes only),
- ``_codecs.encode`` (protocols 0..2 store ``bytes`` as latin-1 text; only the
  latin-1 codec is admitted),
- ``numpy.core.numeric._frombuffer`` / ``numpy._core.numeric._frombuffer``
  (protocol 5 arrays),
- ``builtins.bytes`` / ``__builtin__.bytes`` with no argument (protocols 0..2 write an
  empty ``bytes``, e.g. the data of an empty array, as ``bytes()``).

Everything else (``os.system``, ``builtins.open``, ``builtins.eval``, ...) raises
:class:`~numpynn.errors.DataError` before anything is called.

numpy's own ``ndarray.__setstate__`` and ``dtype.__setstate__`` are never given the
file's state: they trust it, and a corrupt dtype state can crash the interpreter. The
admitted names return stand-ins whose ``__setstate__`` checks the state (shape, dtype,
byte order, data length) and builds the array with ``np.frombuffer``; the stand-ins are
swapped for the arrays once loading ends. Before unpickling, a scan of the opcodes
rejects malformed streams and memo indices larger than the file (a huge memo index
makes CPython's unpickler allocate memory in proportion to it).
"""

from __future__ import annotations

import codecs
import io
import math
import os
import pickle
import pickletools
import warnings
from collections.abc import Callable

import numpy as np

from ..errors import DataError
from ._files import as_path, read_bytes

_ALLOWED_KINDS = "biufcSU"  # bool, integers, floats, complex, fixed-size strings
_BYTE_ORDERS = {"<", ">", "|", "="}


class _Admitted:
    """A global that a pickle may name: calls go to ``function``, nothing else is allowed.

    ``__slots__`` and a refusing ``__setstate__`` keep a pickle's ``BUILD`` opcode from
    changing these shared objects; not being a class, ``NEWOBJ`` cannot instantiate it.
    """

    __slots__ = ("_name", "_function")

    def __init__(self, name: str, function: Callable[..., object] | None) -> None:
        self._name = name
        self._function = function

    def __call__(self, *args: object) -> object:
        if self._function is None:
            raise DataError(f"refusing to call {self._name}")
        return self._function(*args)

    def __setstate__(self, state: object) -> None:
        raise DataError(f"refusing to modify {self._name}")

    def __repr__(self) -> str:
        return self._name


_NDARRAY = _Admitted("numpy.ndarray", None)


def _text(value: object) -> object:
    return value.decode("latin1") if isinstance(value, bytes) else value


class _DtypeStandIn:
    """What ``numpy.dtype(...)`` gives inside a pickle: a checked, simple dtype."""

    def __init__(self, spec: object, align: object = False, copy: object = True) -> None:
        spec = _text(spec)
        if not isinstance(spec, str):
            raise DataError(f"refusing dtype specification {spec!r}")
        dtype = np.dtype(spec)
        if dtype.kind not in _ALLOWED_KINDS or dtype.fields is not None or dtype.shape:
            raise DataError(
                f"refusing to load an array of dtype {dtype} (Python objects or structured "
                "data); only numbers and fixed-size strings are loaded"
            )
        self.dtype = dtype

    def __setstate__(self, state: object) -> None:
        if not isinstance(state, tuple) or len(state) < 5 or state[0] not in (3, 4):
            raise DataError(f"refusing unknown dtype state {state!r:.100}")
        order = _text(state[1])
        if order not in _BYTE_ORDERS or any(part is not None for part in state[2:5]):
            raise DataError(f"refusing dtype state {state!r:.100}")
        if order in ("<", ">"):
            self.dtype = self.dtype.newbyteorder(order)


def _check_dtype(dtype: object) -> np.dtype:
    if not isinstance(dtype, _DtypeStandIn):
        raise DataError(f"refusing array dtype {dtype!r:.100}")
    return dtype.dtype


def _build_array(data: object, dtype: np.dtype, shape: object, fortran: bool) -> np.ndarray:
    if not isinstance(data, (bytes, bytearray)):
        raise DataError(f"refusing array data of type {type(data).__name__}")
    if not (
        isinstance(shape, tuple)
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise DataError(f"refusing array shape {shape!r:.100}")
    expected = math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise DataError(
            f"array data is {len(data)} bytes but shape {shape} of {dtype} needs {expected}"
        )
    flat = np.frombuffer(data, dtype=dtype)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


class _ArrayStandIn:
    """What ``_reconstruct(ndarray, ...)`` gives: ``BUILD`` fills it with a checked array."""

    array: np.ndarray | None = None

    def __setstate__(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 5:
            state = state[1:]  # (version, shape, dtype, is_fortran, data)
        if not isinstance(state, tuple) or len(state) != 4:
            raise DataError(f"refusing array state {state!r:.100}")
        shape, dtype, fortran, data = state
        self.array = _build_array(data, _check_dtype(dtype), shape, bool(fortran))


def _reconstruct(subtype: object, shape: object, dtype: object) -> _ArrayStandIn:
    if subtype is not _NDARRAY:
        raise DataError(f"refusing to rebuild an array of type {subtype!r:.100}")
    return _ArrayStandIn()


def _frombuffer(buf: object, dtype: object, shape: object, order: object) -> np.ndarray:
    if order not in ("C", "F"):
        raise DataError(f"refusing array order {order!r:.20}")
    return _build_array(buf, _check_dtype(dtype), shape, order == "F")


def _latin1_encode(obj: object, encoding: object = "utf-8", errors: object = "strict") -> bytes:
    if not isinstance(obj, str) or str(encoding).lower() not in ("latin1", "latin-1"):
        raise DataError(f"refusing _codecs.encode with encoding {encoding!r:.40}")
    return codecs.encode(obj, "latin1")


def _empty_bytes() -> bytes:
    return b""


_RECONSTRUCT = _Admitted("numpy.core.multiarray._reconstruct", _reconstruct)
_FROMBUFFER = _Admitted("numpy.core.numeric._frombuffer", _frombuffer)
_ALLOWED: dict[tuple[str, str], _Admitted] = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _Admitted("numpy.dtype", _DtypeStandIn),
    ("_codecs", "encode"): _Admitted("_codecs.encode", _latin1_encode),
    ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
    ("builtins", "bytes"): _Admitted("builtins.bytes", _empty_bytes),
    ("__builtin__", "bytes"): _Admitted("builtins.bytes", _empty_bytes),
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
    try:
        with warnings.catch_warnings():
            # protocol 0 strings with invalid escapes ("\\c") warn while being decoded
            warnings.simplefilter("ignore", DeprecationWarning)
            _scan(data, source)
            return _swap_stand_ins(SafeUnpickler(io.BytesIO(data), source=source).load())
    except DataError as exc:
        if str(exc).startswith(source):
            raise
        raise DataError(f"{source}: numpynn refuses to load this pickle: {exc}") from None
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


def _swap_stand_ins(obj: object) -> object:
    """Replace array and dtype stand-ins by real arrays and dtypes, in place where possible.

    Walks dicts, lists, tuples and sets (cycles included) without recursion.
    """
    done: dict[int, object] = {}
    keep_alive: list[object] = []

    def swap(item: object) -> object:
        if isinstance(item, _ArrayStandIn):
            if item.array is None:
                raise DataError("an array in the pickle was never filled with data")
            return item.array
        if isinstance(item, _DtypeStandIn):
            return item.dtype
        return done.get(id(item), item)

    # first pass: collect every container, children before parents for tuples/frozensets
    order: list[object] = []
    seen: set[int] = set()
    stack: list[tuple[object, bool]] = [(obj, False)]
    while stack:
        item, expanded = stack.pop()
        if expanded:
            order.append(item)
            continue
        if id(item) in seen or not isinstance(item, (dict, list, tuple, set, frozenset)):
            continue
        seen.add(id(item))
        keep_alive.append(item)
        stack.append((item, True))
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else list(item)
        stack.extend((child, False) for child in children)
    for item in order:
        if isinstance(item, dict):
            pairs = [(swap(k), swap(v)) for k, v in item.items()]
            item.clear()
            item.update(pairs)
        elif isinstance(item, list):
            item[:] = [swap(x) for x in item]
        elif isinstance(item, set):
            members = [swap(x) for x in item]
            item.clear()
            item.update(members)
        elif isinstance(item, tuple):
            done[id(item)] = tuple(swap(x) for x in item)
        else:
            done[id(item)] = frozenset(swap(x) for x in item)
    return swap(obj)
