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
