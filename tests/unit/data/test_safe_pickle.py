"""The restricted unpickler: numpy arrays load, anything that could run code is refused."""

from __future__ import annotations

import builtins
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from numpynn.data import load_cifar10, safe_load_pickle, safe_loads
from numpynn.errors import DataError


class RunsCommand:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple:
        return (os.system, (self.command,))


class OpensFile:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple:
        return (builtins.open, (self.path, "w"))


class Evaluates:
    def __reduce__(self) -> tuple:
        return (builtins.eval, ("__import__('os').getcwd()",))


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_numpy_batch_dict_loads_under_every_protocol(tmp_path: Path, protocol: int) -> None:
    batch = {
        b"data": np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072),
        b"labels": [4, 9],
        b"batch_label": b"training batch 1 of 5",
        b"filenames": [b"a.png", b"b.png"],
        "floats": np.linspace(0, 1, 5, dtype=">f8"),
    }
    (tmp_path / "batch").write_bytes(pickle.dumps(batch, protocol=protocol))
    loaded = safe_load_pickle(tmp_path / "batch")
    assert loaded[b"labels"] == [4, 9] and loaded[b"filenames"] == [b"a.png", b"b.png"]
    np.testing.assert_array_equal(loaded[b"data"], batch[b"data"])
    assert loaded[b"data"].dtype == np.uint8
    np.testing.assert_array_equal(loaded["floats"], batch["floats"])


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_os_system_is_refused_and_never_runs(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "MARKER"
    payload = pickle.dumps(RunsCommand(f"touch {marker}"), protocol=protocol)
    (tmp_path / "data_batch_1").write_bytes(payload)
    with pytest.raises(DataError, match=r"refuses to load.*global (posix|nt|os)\.system"):
        safe_load_pickle(tmp_path / "data_batch_1")
    assert not marker.exists()


def test_evil_batch_inside_cifar_dir_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    good = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}
    for name in [f"data_batch_{i}" for i in range(2, 6)] + ["test_batch"]:
        (tmp_path / name).write_bytes(pickle.dumps(good))
    evil = dict(good, extra=RunsCommand(f"touch {marker}"))
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(evil, protocol=2))
    with pytest.raises(DataError, match=r"data_batch_1.*refuses to load.*system"):
        load_cifar10(tmp_path)
    assert not marker.exists()


def test_builtins_open_and_eval_are_refused(tmp_path: Path) -> None:
    target = tmp_path / "written"
    with pytest.raises(DataError, match=r"global (builtins|io)\.open"):
        safe_loads(pickle.dumps({b"data": OpensFile(str(target))}))
    assert not target.exists()
    with pytest.raises(DataError, match=r"global builtins\.eval"):
        safe_loads(pickle.dumps([Evaluates()], protocol=4))


def test_crafted_globals_are_refused() -> None:
    # protocol 0 GLOBAL opcodes written by hand, including numpy functions not admitted
    for module, name in [
        ("__builtin__", "eval"),
        ("subprocess", "Popen"),
        ("numpy", "load"),
        ("numpy.lib.npyio", "load"),
        ("copyreg", "_reconstructor"),
    ]:
        payload = f"c{module}\n{name}\n(S'x'\ntR.".encode()
        with pytest.raises(DataError, match=f"global {module}.{name}"):
            safe_loads(payload)


def test_admitted_globals_cannot_be_misused() -> None:
    # numpy.ndarray may not be called (it would allocate the shape it is given)
    with pytest.raises(DataError):
        safe_loads(b"cnumpy\nndarray\n((I1000000000000\ntS'b'\ntR.")
    # _codecs.encode only with latin-1
    with pytest.raises(DataError, match="encoding"):
        safe_loads(b"c_codecs\nencode\n(Vabc\nVrot13\ntR.")
    # object arrays are refused
    with pytest.raises(DataError, match="object"):
        safe_loads(b"cnumpy\ndtype\n(S'O8'\nI0\nI1\ntR.")


def test_corrupt_pickles(tmp_path: Path) -> None:
    good = pickle.dumps({b"data": np.zeros((3, 4), np.uint8)}, protocol=2)
    for cut in (1, len(good) // 2, len(good) - 1):
        with pytest.raises(DataError, match="corrupt or truncated"):
            safe_loads(good[:cut], source="batch")
    with pytest.raises(DataError, match="empty"):
        safe_loads(b"")
    # a memo index far beyond the size of the file (would make CPython allocate ~32 GB)
    with pytest.raises(DataError, match="memo index"):
        safe_loads(b"\x80\x02K\x01r\xff\xff\xff\xff.")
    with pytest.raises(DataError, match="not found"):
        safe_load_pickle(tmp_path / "missing")


try:
    from numpy._core.multiarray import _reconstruct
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import _reconstruct


class FakeArray:
    """Pickles as numpy's array reconstruction with a state of our choosing."""

    def __init__(self, state: tuple) -> None:
        self.state = state

    def __reduce__(self) -> tuple:
        return (_reconstruct, (np.ndarray, (0,), b"b"), self.state)


class FakeDtype:
    def __init__(self, spec: str, state: tuple) -> None:
        self.spec, self.state = spec, state

    def __reduce__(self) -> tuple:
        return (np.dtype, (self.spec, False, True), self.state)


U1_STATE = (3, "|", None, None, None, -1, -1, 0)


@pytest.mark.parametrize(
    ("obj", "pattern"),
    [
        (FakeArray((1, (5,), np.dtype("u1"), False, b"\x00\x00")), "2 bytes.*needs 5"),
        (FakeArray((1, (-1,), np.dtype("u1"), False, b"a")), "shape"),
        (FakeArray((1, (2,), np.dtype("u1"), False, [1, 2])), "data of type list"),
        (FakeArray((1, (2,), "u1", False, b"ab")), "dtype"),
        (FakeDtype("u1", (3, "x", None, None, None, -1, -1, 0)), "dtype state"),
        (FakeDtype("u1", (3, "|", None, ("a",), {"a": 1}, -1, -1, 0)), "dtype state"),
        (FakeDtype("V8", U1_STATE), "dtype"),
        (FakeDtype("i4,i4", U1_STATE), "dtype"),
        (FakeDtype("M8[s]", U1_STATE), "dtype"),
    ],
)
def test_array_and_dtype_states_are_checked(obj: object, pattern: str) -> None:
    """numpy's own __setstate__ never sees the file's state (a bad one can crash it)."""
    for protocol in (2, 4):
        with pytest.raises(DataError, match=pattern) as info:
            safe_loads(pickle.dumps({b"data": obj}, protocol=protocol), source="batch")
        assert str(info.value).startswith("batch: numpynn refuses")


def test_stand_ins_are_swapped_everywhere() -> None:
    a = np.arange(6, dtype="<i4").reshape(2, 3).T  # Fortran order
    d: dict = {"a": a, "t": (a, [a]), "u": np.array(["ab", "c"]), "dt": np.dtype(">f8")}
    d["self"] = d
    for protocol in range(6):
        out = safe_loads(pickle.dumps(d, protocol=protocol))
        assert type(out["a"]) is np.ndarray and out["a"].dtype == np.dtype("<i4")
        np.testing.assert_array_equal(out["a"], a)
        assert out["t"][1][0] is out["t"][0] and out["self"] is out
        assert out["dt"] == np.dtype(">f8")
        np.testing.assert_array_equal(out["u"], ["ab", "c"])


@pytest.mark.parametrize("protocol", range(6))
def test_empty_arrays_and_bytes(protocol: int) -> None:
    out = safe_loads(pickle.dumps({"e": np.zeros((0, 3), np.uint8), "b": b""}, protocol=protocol))
    assert out["e"].shape == (0, 3) and out["b"] == b""
    with pytest.raises(DataError, match="bytes"):
        safe_loads(b"c__builtin__\nbytes\n(I1000000000\ntR.")
