"""Hostile and damaged files: no code execution, and only numpynn's own clear errors.

1. A source scan: every ``np.load`` / ``read_array`` passes ``allow_pickle=False`` and
   nothing but ``numpynn/data/safe_pickle.py`` unpickles.
2. Crafted CIFAR-10 pickles that would run code (create a file) are refused through
   ``numpynn train --data cifar10:DIR``, and the file is never created.
3. Fuzzing (hypothesis): random bytes, truncations and mutated headers for model files,
   checkpoints, CSV, NPZ, IDX and CIFAR-10 batches. Whatever the bytes, a loader either
   returns its result or raises an :class:`~numpynn.errors.InputError` subclass.
"""

from __future__ import annotations

import ast
import atexit
import copy
import functools
import gzip
import io
import json
import os
import pickle
import shutil
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numpynn
from numpynn import MLP
from numpynn.cli.main import main
from numpynn.data import Preprocessor, load_cifar10, load_csv, load_mnist, load_npz, read_idx
from numpynn.data.cifar import read_binary_batch, read_python_batch
from numpynn.data.idx import IMAGES_MAGIC, LABELS_MAGIC
from numpynn.errors import DataError, InputError
from numpynn.model_file import SavedModel, load_model, save_model
from numpynn.training.trainer import TrainConfig, Trainer, read_checkpoint
from tests.clirun import numpynn_process

PACKAGE = Path(numpynn.__file__).resolve().parent
ROOT = PACKAGE.parent
# NUMPYNN_FUZZ_EXAMPLES=5000 python -m pytest tests/scenarios/test_hostile_files.py: a deeper search
EXAMPLES = int(os.environ.get("NUMPYNN_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SCRATCH = Path(tempfile.mkdtemp(prefix="numpynn-fuzz-"))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)


# ---------------------------------------------------------------------- 1. source scan
def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def test_every_np_load_refuses_pickles_and_only_safe_pickle_unpickles():
    np_loads, unpicklers = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, name in _calls(tree):
            last = name.rsplit(".", 1)[-1]
            if name in ("np.load", "numpy.load") or last in ("read_array", "load_npz_members"):
                np_loads.append(rel)
                kw = {k.arg: k.value for k in node.keywords}
                assert isinstance(kw.get("allow_pickle"), ast.Constant) and \
                    kw["allow_pickle"].value is False, \
                    f"{rel}:{node.lineno}: {name}(...) must pass allow_pickle=False"
            if name in ("pickle.load", "pickle.loads", "pickle.Unpickler", "_pickle.load",
                        "_pickle.loads", "joblib.load", "marshal.load", "marshal.loads",
                        "shelve.open", "dill.load", "dill.loads", "cloudpickle.load",
                        "cloudpickle.loads", "torch.load", "pd.read_pickle",
                        "pandas.read_pickle", "eval", "exec"):
                unpicklers.append(f"{rel}:{node.lineno}: {name}")
        for node in ast.walk(tree):
            bases = [ast.unparse(b) for b in getattr(node, "bases", [])]
            if any(b.endswith("Unpickler") for b in bases):
                unpicklers.append(f"{rel}:{node.lineno}: class {node.name}({', '.join(bases)})")
            if isinstance(node, ast.ImportFrom) and node.module in ("pickle", "_pickle"):
                unpicklers.append(f"{rel}:{node.lineno}: from {node.module} import ...")
    assert np_loads, "the scan found the known np.load calls"
    assert unpicklers, "the scan found safe_pickle's unpickler"
    # the checker runs a learner's notebook cells as it imports a learner's .py file: code
    # given to be checked (in a child process), never a data or model file
    runs_code = ("numpynn/gradcheck/notebook.py:", ": exec")
    outside = [u for u in unpicklers if not u.startswith("numpynn/data/safe_pickle.py:")
               and not (u.startswith(runs_code[0]) and u.endswith(runs_code[1]))]
    assert outside == [], "only numpynn/data/safe_pickle.py may unpickle"


# ----------------------------------------------------- 2. pickles that would run code
class Payload:
    """Unpickling this object would call ``function(*args)``."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


def marker_payloads(marker: Path) -> dict[str, bytes]:
    cmd = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    good = np.zeros((2, 3072), np.uint8)
    return {
        "os.system": pickle.dumps({b"data": Payload(os.system, cmd), b"labels": [0, 1]}),
        "builtins.exec": pickle.dumps(Payload(exec, code), protocol=0),
        "builtins.eval-protocol-5": pickle.dumps({b"data": good, b"labels": Payload(eval, code)},
                                                 protocol=5),
        "subprocess.Popen": pickle.dumps(Payload(subprocess.Popen, ["touch", str(marker)])),
        "builtins.open": pickle.dumps({b"data": good, b"labels": [0, 1],
                                       b"x": Payload(open, str(marker), "w")}, protocol=2),
        # hand-written protocol-0 stream: GLOBAL posix.system, as old exploits write it
        "hand-written": f"cposix\nsystem\n(V{cmd}\ntR.".encode(),
        # an allowed numpy name asked to rebuild a non-ndarray type
        "numpy-reconstruct-subtype": (
            b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncos\nsystem\n"
            b"K\x00\x85C\x01b\x87R."
        ),
    }


@pytest.mark.parametrize("name", list(marker_payloads(Path("m"))))
def test_crafted_cifar_pickle_is_refused_through_the_cli(name, tmp_path, capsys, monkeypatch):
    marker = tmp_path / "PWNED"
    payload = marker_payloads(marker)[name]
    cifar = tmp_path / "cifar"
    cifar.mkdir()
    good = pickle.dumps({b"data": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2, 3]})
    for i, batch in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        (cifar / batch).write_bytes(payload if i == 2 else good)
    monkeypatch.chdir(tmp_path)
    rc = main(["train", "--data", f"cifar10:{cifar}", "--out", "run", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert not marker.exists(), "the pickle ran code"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("numpynn: error: "), err
    assert "data_batch_3" in err
    assert "refuses" in err or "not a valid pickle" in err
    assert not (tmp_path / "run" / "model.npz").exists()


def test_crafted_cifar_meta_file_is_refused(tmp_path):
    marker = tmp_path / "PWNED"
    cifar = tmp_path / "cifar"
    cifar.mkdir()
    good = pickle.dumps({b"data": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2, 3]})
    for batch in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (cifar / batch).write_bytes(good)
    (cifar / "batches.meta").write_bytes(pickle.dumps(Payload(os.system, f"touch {marker}")))
    with pytest.raises(DataError, match="refuses"):
        load_cifar10(cifar)
    assert not marker.exists()


def test_crafted_pickle_is_refused_in_a_real_process(tmp_path):
    marker = tmp_path / "PWNED"
    cifar = tmp_path / "cifar"
    cifar.mkdir()
    for batch in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (cifar / batch).write_bytes(marker_payloads(marker)["os.system"])
    proc = numpynn_process("train", "--data", "cifar10:cifar", cwd=tmp_path)
    assert proc.returncode == 2
    assert not marker.exists()
    assert "refuses to load this pickle" in proc.stderr and "system" in proc.stderr


def test_pickled_model_file_is_not_executed(tmp_path):
    marker = tmp_path / "PWNED"
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(Payload(os.system, f"touch {marker}")))
    with pytest.raises(InputError, match="pickle"):
        load_model(path)
    np.savez(path, evil=np.array([Payload(os.system, f"touch {marker}")], dtype=object))
    with pytest.raises(InputError):
        load_model(path)
    assert not marker.exists()


# -------------------------------------------------------------------------- 3. fuzzing
def expect_clean(call, *args, **kwargs):
    """Run a loader on hostile bytes: a result or an InputError, nothing else."""
    try:
        return call(*args, **kwargs)
    except InputError as exc:
        message = str(exc)
        assert message.strip(), "an error must say what is wrong"
        return exc


def scratch(name: str, data: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


def mutated(sample: bytes, *, head: int = 64) -> st.SearchStrategy[bytes]:
    """``sample`` with a few bytes changed (often in the headers) and maybe truncated."""
    n = len(sample)
    positions = st.one_of(st.integers(0, min(head, n) - 1), st.integers(max(0, n - 200), n - 1),
                          st.integers(0, n - 1))
    edits = st.lists(st.tuples(positions, st.integers(0, 255)), min_size=0, max_size=6)
    cut = st.one_of(st.none(), st.integers(0, n))

    def apply(args):
        edit_list, end = args
        data = bytearray(sample)
        for pos, value in edit_list:
            data[pos] = value
        return bytes(data[:end] if end is not None else data)

    return st.tuples(edits, cut).map(apply)


def hostile(sample: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=600), mutated(sample))


def _model_bytes() -> bytes:
    rng = np.random.default_rng(0)
    model = MLP(5, [4, 3], 3, seed=0)
    X = rng.normal(size=(20, 5))
    prep = Preprocessor("standardize").fit(X)
    path = SCRATCH / "sample-model.npz"
    save_model(path, SavedModel(model, np.array(["a", "b", "c"]),
                                {"kind": "standardize", "state": prep.state()},
                                {"data": "x.csv"}))
    return path.read_bytes()


def _trainer(checkpoint: Path | None = None) -> Trainer:
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 5)), np.arange(30) % 3
    return Trainer(MLP(5, [4], 3, seed=0), X, y, X[:6], y[:6],
                   config=TrainConfig(epochs=2, batch_size=10, optimizer="adam",
                                      schedule="plateau"),
                   checkpoint=checkpoint)


@functools.cache
def _checkpoint_bytes() -> bytes:
    path = SCRATCH / "sample-checkpoint.npz"
    _trainer(path).train()
    return path.read_bytes()


MODEL = _model_bytes()


def _container(data: bytes) -> tuple[dict, dict]:
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    return json.loads(bytes(arrays.pop("__header__")).decode()), arrays


def _write_container(header: dict, arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, __header__=np.frombuffer(json.dumps(header).encode(), np.uint8), **arrays)
    return buf.getvalue()


DTYPES = ["f4", "f8", "i8", "u1", "b1", "c8", "U3", "S2", "f2", "M8[s]"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**12) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=8,
)


def header_edits(sample: bytes) -> st.SearchStrategy[bytes]:
    """A well-formed zip whose JSON header has some (nested) values replaced."""
    header, arrays = _container(sample)
    paths = []

    def walk(obj, prefix):
        if isinstance(obj, dict):
            for k, v in obj.items():
                paths.append((*prefix, k))
                walk(v, (*prefix, k))

    walk(header, ())

    def apply(edits):
        h = copy.deepcopy(header)
        for path, value in edits:
            target = h
            for key in path[:-1]:
                if not isinstance(target, dict) or key not in target:
                    break
                target = target[key]
            else:
                if isinstance(target, dict):
                    if value is _DELETE:
                        target.pop(path[-1], None)
                    else:
                        target[path[-1]] = value
        return _write_container(h, arrays)

    edit = st.tuples(st.sampled_from(paths), st.one_of(JSON, st.just(_DELETE)))
    return st.lists(edit, min_size=1, max_size=3).map(apply)


_DELETE = object()


def array_edits(sample: bytes) -> st.SearchStrategy[bytes]:
    """The right header, with arrays replaced by random ones (any dtype and shape)."""
    header, arrays = _container(sample)
    names = sorted(arrays)
    random_array = st.sampled_from(DTYPES).flatmap(
        lambda dt: hnp.arrays(np.dtype(dt), hnp.array_shapes(min_dims=0, max_dims=3,
                                                             max_side=6)))

    def apply(edits):
        new = dict(arrays)
        for name, value in edits:
            if value is None:
                new.pop(name, None)
            else:
                new[name] = value
        return _write_container(header, new)

    edit = st.tuples(st.sampled_from(names), st.one_of(st.none(), random_array))
    return st.lists(edit, min_size=1, max_size=3).map(apply)


@FUZZ
@given(st.one_of(hostile(MODEL), header_edits(MODEL), array_edits(MODEL)))
def test_fuzz_model_files(data):
    result = expect_clean(load_model, scratch("model.npz", data))
    if isinstance(result, SavedModel):  # loaded: then it predicts, or refuses the input
        X = np.random.default_rng(0).normal(size=(3, result.model.input_dim))
        expect_clean(result.predict, X)


@FUZZ
@given(st.deferred(lambda: st.one_of(hostile(_checkpoint_bytes()),
                                     header_edits(_checkpoint_bytes()),
                                     array_edits(_checkpoint_bytes()))))
def test_fuzz_checkpoints(data):
    path = scratch("checkpoint.npz", data)
    expect_clean(read_checkpoint, path)
    trainer = _trainer()
    result = expect_clean(trainer.resume, path)
    if not isinstance(result, InputError):  # resumed: it trains on, or refuses clearly
        with np.errstate(all="ignore"):
            try:
                trainer.train()
            except (InputError, numpynn.errors.DivergenceError):
                pass


CSV_TEXT = st.text(alphabet="0123456789,.-+eE naifINF\n\r\"';\tx#\x00é", max_size=300)


@FUZZ
@given(st.one_of(CSV_TEXT.map(lambda s: s.encode("utf-8")), st.binary(max_size=300)),
       st.sampled_from([-1, 0, None, 2]))
def test_fuzz_csv(data, label_column):
    path = scratch("data.csv", data)
    expect_clean(load_csv, path, label_column=label_column)
    expect_clean(load_csv, path, label_column=label_column, classes=[0, 1, 2])


def _npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


NPZ = _npz_bytes(X=np.arange(12.0).reshape(4, 3), y=np.array([0, 1, 0, 1]))
ANY_ARRAY = st.sampled_from(DTYPES).flatmap(
    lambda dt: hnp.arrays(np.dtype(dt), hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)))


@FUZZ
@given(st.one_of(hostile(NPZ),
                 st.tuples(ANY_ARRAY, ANY_ARRAY).map(lambda a: _npz_bytes(X=a[0], y=a[1]))),
       st.sampled_from([-1, None]))
def test_fuzz_npz(data, label_column):
    expect_clean(load_npz, scratch("data.npz", data), label_column=label_column)


def _idx(arr: np.ndarray, magic: int) -> bytes:
    return (struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape)
            + arr.astype(np.uint8).tobytes())


IDX_IMAGES = _idx(np.arange(2 * 4 * 4).reshape(2, 4, 4), IMAGES_MAGIC)
IDX_LABELS = _idx(np.array([3, 1]), LABELS_MAGIC)


@FUZZ
@given(st.one_of(hostile(IDX_IMAGES), hostile(IDX_LABELS)), st.booleans(),
       st.sampled_from([IMAGES_MAGIC, LABELS_MAGIC]))
def test_fuzz_idx(data, gz, magic):
    if gz:
        data = gzip.compress(data)
    expect_clean(read_idx, scratch("file-idx-ubyte", data), magic)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))
@given(hostile(IDX_IMAGES), hostile(IDX_LABELS))
def test_fuzz_mnist_directory(images, labels):
    d = SCRATCH / "mnist"
    d.mkdir(exist_ok=True)
    (d / "train-images-idx3-ubyte").write_bytes(images)
    (d / "train-labels-idx1-ubyte").write_bytes(labels)
    (d / "t10k-images-idx3-ubyte").write_bytes(IDX_IMAGES)
    (d / "t10k-labels-idx1-ubyte").write_bytes(IDX_LABELS)
    expect_clean(load_mnist, d)


BATCH = pickle.dumps({b"data": np.arange(2 * 3072).reshape(2, 3072).astype(np.uint8),
                      b"labels": [3, 7], b"batch_label": b"x"}, protocol=2)
BATCH5 = pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2]}, protocol=5)
PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.binary(max_size=8)
    | st.text(max_size=8) | ANY_ARRAY,
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.sampled_from([b"data", b"labels", "data", b"x"]), inner, max_size=3),
    max_leaves=6,
)


@FUZZ
@given(st.one_of(
    hostile(BATCH), mutated(BATCH5),
    st.tuples(PLAIN, st.integers(0, 5)).map(lambda a: pickle.dumps(a[0], protocol=a[1])),
))
def test_fuzz_cifar_python_batch(data):
    expect_clean(read_python_batch, scratch("data_batch_1", data))


@FUZZ
@given(st.one_of(st.binary(max_size=7000), st.integers(0, 3).map(lambda k: bytes(3073 * k))))
def test_fuzz_cifar_binary_batch(data):
    expect_clean(read_binary_batch, scratch("data_batch_1.bin", data))


@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))
@given(hostile(BATCH), st.sampled_from(["data_batch_1", "test_batch", "batches.meta"]))
def test_fuzz_cifar_directory(data, name):
    d = SCRATCH / "cifar"
    d.mkdir(exist_ok=True)
    for batch in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (d / batch).write_bytes(BATCH)
    (d / "batches.meta").unlink(missing_ok=True)
    (d / name).write_bytes(data)
    expect_clean(load_cifar10, d)


def test_fuzz_scratch_is_writable():
    """The fuzzers write into one scratch directory; a zip read from it is closed again."""
    path = scratch("probe.npz", NPZ)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["X.npy", "y.npy"]


# ------------------------------------------- issue 10: output paths and overflowing scores
def _trained_model(tmp: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 4)), np.arange(60) % 3
    np.savez(tmp / "d.npz", X=X + 2 * y[:, None], y=y)
    assert main(["train", "--data", str(tmp / "d.npz"), "--hidden", "8", "--epochs", "2",
                 "--quiet", "--no-report", "--out", str(tmp / "run")]) == 0
    return tmp / "run" / "model.npz", tmp / "d.npz"


def _predict(model: Path, data: Path, output: str) -> int:
    return main(["predict", str(model), "--data", str(data), "--output", output])


def test_output_policy_per_kind_of_target(tmp_path, capsys):
    """A regular file is replaced; a symlink is kept and its target written; a FIFO with a
    reader and a device are written through; the model and data are refused."""
    import threading

    model, data = _trained_model(tmp_path)
    capsys.readouterr()
    target = tmp_path / "target.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert _predict(model, data, str(link)) == 0
    assert link.is_symlink() and target.read_text().startswith("prediction\n")
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "new.csv")
    assert _predict(model, data, str(dangling)) == 0
    assert dangling.is_symlink() and (tmp_path / "new.csv").read_text().count("\n") == 61

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    import time

    time.sleep(0.2)  # let the reader open its end
    assert _predict(model, data, str(fifo)) == 0
    reader.join(30)
    assert fifo.exists() and not fifo.is_file()  # still a FIFO, not replaced by a file
    assert got and got[0].startswith(b"prediction\n")
    assert _predict(model, data, os.devnull) == 0
    assert Path(os.devnull).is_char_device()
    capsys.readouterr()
    assert _predict(model, data, "-") == 0
    assert capsys.readouterr().out.startswith("prediction\n")
    for refused in (model, data):
        before = refused.read_bytes()
        assert _predict(model, data, str(refused)) == 2
        assert refused.read_bytes() == before
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_overflowing_scores_never_give_nan_predictions_or_invalid_json(tmp_path, capsys):
    """Weights so large that the scores overflow: predict refuses (exit 2) instead of
    printing NaN probabilities, and evaluate --json stays strict JSON (null for inf/NaN)."""
    model, data = _trained_model(tmp_path)
    with np.load(model) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["param/W1"] = np.full_like(arrays["param/W1"], 3e38)
    np.savez(tmp_path / "huge.npz", **arrays)
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "huge.npz"), "--data", str(data), "--proba"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "overflow" in captured.err
    assert len(captured.err.splitlines()) == 1, captured.err  # no numpy warnings either
    rc = main(["evaluate", str(tmp_path / "huge.npz"), "--data", str(data), "--split", "all",
               "--json"])
    out = capsys.readouterr().out

    def refuse(token):
        raise AssertionError(f"non-JSON token {token}")

    if rc == 0:
        result = json.loads(out, parse_constant=refuse)
        assert result["loss"] is None or np.isfinite(result["loss"])
    else:
        assert rc == 2


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16",
                                   "uint32", "uint64", "bool"])
def test_labels_of_every_integer_width_and_sign_are_kept_exactly(dtype, tmp_path):
    """The classes a model stores and predicts are the data's own labels: negative ones,
    and uint64 labels above 2**63-1 (which wrapped to negative numbers before)."""
    from numpynn.runs.run import RunOptions, prediction_data, run_training

    info = np.iinfo(dtype) if dtype != "bool" else None
    values = (np.array([info.min, 0, info.max], dtype=dtype) if info is not None
              else np.array([False, True, True]))
    rng = np.random.default_rng(0)
    y = np.resize(values, 60)
    X = rng.normal(size=(60, 3)) + 3 * (np.arange(60) % 3)[:, None]
    np.savez(tmp_path / "d.npz", X=X, y=y)
    run_training(RunOptions(data=str(tmp_path / "d.npz"), hidden=[8],
                            train=TrainConfig(epochs=1, batch_size=16)), tmp_path / "run",
                 report=False)
    saved = load_model(tmp_path / "run" / "model.npz")
    # bools are the labels "False" and "True", as a CSV's cells (not the integers 0, 1)
    want = {str(v) for v in values.tolist()} if dtype == "bool" else set(values.tolist())
    assert sorted(saved.classes.tolist()) == sorted(want)
    predicted = saved.predict(prediction_data(saved, str(tmp_path / "d.npz")))
    assert set(predicted.tolist()) <= want
