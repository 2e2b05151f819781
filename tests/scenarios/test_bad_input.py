"""The error contract, case by case: bad data, bad options and bad model files.

Every case runs through the CLI (in-process, ``numpynn.cli.main.main(argv)``) and, where
the Python API has the same operation, through the API:

- CLI: exit code 2, nothing on stdout, stderr exactly one line ``numpynn: error: ...``
  naming the problem (the case's expected words), no traceback, and a failed ``train``
  leaves an existing ``model.npz`` / ``history.json`` in ``--out`` untouched;
- API: an :class:`numpynn.errors.InputError` subclass with the same words.

Two cases also run as real processes (``python -m numpynn``) to check the exit code the
shell sees and that a fresh ``--out`` gets no ``model.npz``; ``--debug`` shows the
traceback.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from numpynn.cli.main import main
from numpynn.errors import InputError
from numpynn.model_file import load_model
from numpynn.runs.run import (
    RunOptions,
    evaluation_data,
    prediction_data,
    resume_options,
    run_training,
)
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn, numpynn_process

D, C = 4, 3  # features and classes of the small CSV data set used throughout
SENTINEL = b"an earlier run's model: a failed run must not touch it"


# ------------------------------------------------------------------------------ helpers
def toy_data(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n rows, D features, C well-separated classes."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % C
    X = rng.normal(size=(n, D)) + 3.0 * y[:, None]
    return X, y


def write_csv(path: Path, X: np.ndarray, y: np.ndarray | None = None) -> Path:
    rows = X if y is None else np.column_stack([X, y])
    path.write_text("\n".join(",".join(f"{v:g}" for v in row) for row in rows) + "\n")
    return path


def good_csv(tmp: Path, name: str = "good.csv") -> Path:
    return write_csv(tmp / name, *toy_data())


def idx_bytes(arr: np.ndarray, magic: int) -> bytes:
    return (struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape)
            + arr.astype(np.uint8).tobytes())


def write_mnist(d: Path, *, bad_magic: bool = False, truncate: bool = False,
                drop: str | None = None) -> None:
    d.mkdir()
    rng = np.random.default_rng(0)
    files = {
        "train-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (12, 28, 28)), 0x803),
        "train-labels-idx1-ubyte": idx_bytes(np.arange(12) % 10, 0x801),
        "t10k-images-idx3-ubyte": idx_bytes(rng.integers(0, 256, (4, 28, 28)), 0x803),
        "t10k-labels-idx1-ubyte": idx_bytes(np.arange(4) % 10, 0x801),
    }
    if bad_magic:  # a labels file where the images belong
        files["train-images-idx3-ubyte"] = files["train-labels-idx1-ubyte"]
    if truncate:
        files["t10k-images-idx3-ubyte"] = files["t10k-images-idx3-ubyte"][:-100]
    for name, data in files.items():
        if name != drop:
            (d / name).write_bytes(data)


CIFAR_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def cifar_batch(n: int = 10, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    return pickle.dumps({b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                         b"labels": [int(v) for v in np.arange(n) % 10]}, protocol=2)


def write_cifar(d: Path, *, drop: str | None = None, truncate: str | None = None,
                binary: bool = False) -> None:
    d.mkdir()
    for i, name in enumerate(CIFAR_BATCHES):
        if name == drop:
            continue
        if binary:
            rng = np.random.default_rng(i)
            records = np.column_stack([np.arange(10) % 10, rng.integers(0, 256, (10, 3072))])
            data = records.astype(np.uint8).tobytes()
            name += ".bin"
        else:
            data = cifar_batch(seed=i)
        if truncate and name.startswith(truncate):
            data = data[: len(data) // 2 + 1]
        (d / name).write_bytes(data)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A model file trained (fast) on the toy CSV through the Python API."""
    tmp = tmp_path_factory.mktemp("trained")
    csv = good_csv(tmp)
    options = RunOptions(data=str(csv), hidden=[8],
                         train=TrainConfig(epochs=2, batch_size=16, optimizer="adam", lr=1e-2))
    run_training(options, tmp / "run", report=False)
    return tmp / "run" / "model.npz"


# ------------------------------------------------------------------------- the cases
@dataclass
class Case:
    id: str
    setup: Callable[[Path, Path], None]  # (tmp_path, trained model file) -> writes files
    argv: list[str]
    expect: tuple[str, ...]  # words of the one-line message (case-insensitive)
    api: Callable[[Path], object] | None = None  # same operation through the Python API
    api_expect: tuple[str, ...] | None = None  # words of the API message (default: expect)


def nothing(tmp: Path, model: Path) -> None:
    pass


def with_good_csv(tmp: Path, model: Path) -> None:
    good_csv(tmp)


def text(name: str, content: str | bytes) -> Callable[[Path, Path], None]:
    def setup(tmp: Path, model: Path) -> None:
        data = content.encode() if isinstance(content, str) else content
        (tmp / name).write_bytes(data)
    return setup


def npz(name: str, **arrays: object) -> Callable[[Path, Path], None]:
    def setup(tmp: Path, model: Path) -> None:
        np.savez(tmp / name, **arrays)
    return setup


def train_api(spec: str, **options: object) -> Callable[[Path], object]:
    """run_training on ``spec`` (paths relative to tmp_path, the working directory)."""
    def call(tmp: Path) -> object:
        train = TrainConfig(epochs=1, batch_size=16)
        return run_training(RunOptions(data=spec, train=train, **options), "api-out",
                            report=False)
    return call


def load_api(name: str) -> Callable[[Path], object]:
    return lambda tmp: load_model(name)


def copy_model(name: str = "model.npz", mutate: Callable[[bytes], bytes] | None = None):
    def setup(tmp: Path, model: Path) -> None:
        data = model.read_bytes()
        (tmp / name).write_bytes(mutate(data) if mutate else data)
        good_csv(tmp)
    return setup


def flip_middle_byte(data: bytes) -> bytes:
    """Flip a bit in the middle of the largest member's data (the file's middle byte may
    fall on a zip header field, such as a timestamp, that no reader checks)."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = max(archive.infolist(), key=lambda i: i.compress_size)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:
                                                    info.header_offset + 30])
    b = bytearray(data)
    b[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0x10
    return bytes(b)


def flip_weight_byte(data: bytes) -> bytes:
    """A bit flipped inside W1's stored values (the middle byte of a model file can land
    in a zip header field that readers ignore, depending on the header's length)."""
    start = data.index(b"\x93NUMPY", data.index(b"param/W1.npy"))
    b = bytearray(data)
    b[start + 128 + 4] ^= 0x10  # past the 128-byte .npy header, into the float32 values
    return bytes(b)


def rewrite_model(edit: Callable[[dict, dict], None]) -> Callable[[Path, Path], None]:
    """Copy the trained model with its header and arrays edited (a well-formed file)."""
    def setup(tmp: Path, model: Path) -> None:
        with np.load(model) as f:
            arrays = {k: f[k] for k in f.files}
        header = json.loads(bytes(arrays["__header__"]).decode())
        edit(header, arrays)
        arrays["__header__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
        np.savez(tmp / "model.npz", **arrays)
        good_csv(tmp)
    return setup


def newer_version(header: dict, arrays: dict) -> None:
    header["format_version"] = 99


def nan_weights(header: dict, arrays: dict) -> None:
    arrays["param/W1"] = arrays["param/W1"].copy()
    arrays["param/W1"][0, 0] = np.nan


def forget_data(header: dict, arrays: dict) -> None:
    header["metadata"].pop("data", None)
    header["metadata"].pop("options", None)


def pickled_model(tmp: Path, model: Path) -> None:
    (tmp / "model.npz").write_bytes(pickle.dumps({"W1": np.zeros((D, 8))}))


def make_dir(name: str) -> Callable[[Path, Path], None]:
    return lambda tmp, model: (tmp / name).mkdir()


def checkpoint_dir(mutate: Callable[[bytes], bytes]) -> Callable[[Path, Path], None]:
    def setup(tmp: Path, model: Path) -> None:
        (tmp / "run").mkdir()
        ckpt = model.parent / "checkpoint.npz"
        (tmp / "run" / "checkpoint.npz").write_bytes(mutate(ckpt.read_bytes()))
    return setup


def fifo(name: str) -> Callable[[Path, Path], None]:
    """A named pipe that nobody writes to or reads from: opening it would block."""
    def setup(tmp: Path, model: Path) -> None:
        copy_model()(tmp, model)
        os.mkfifo(tmp / name)
    return setup


def format_version(value: object) -> Callable[[dict, dict], None]:
    def edit(header: dict, arrays: dict) -> None:
        header["format_version"] = value
    return edit


def checkpoint_arrays(edit: Callable[[dict], None]) -> Callable[[Path, Path], None]:
    """The trained run's checkpoint in run/, with its arrays edited (a well-formed file)."""
    def setup(tmp: Path, model: Path) -> None:
        (tmp / "run").mkdir()
        with np.load(model.parent / "checkpoint.npz") as f:
            arrays = {k: f[k] for k in f.files}
        edit(arrays)
        np.savez(tmp / "run" / "checkpoint.npz", **arrays)
    return setup


def wrong_optimizer_state(arrays: dict) -> None:
    key = next(k for k in arrays if k.startswith("opt/"))
    arrays[key] = np.zeros((3, 3), dtype=np.float32)


def mnist_of_empty_images(tmp: Path, model: Path) -> None:
    d = tmp / "mn"
    d.mkdir()
    for split, n in (("train", 12), ("t10k", 4)):
        (d / f"{split}-images-idx3-ubyte").write_bytes(
            struct.pack(">IIII", 0x803, n, 0, 0))
        (d / f"{split}-labels-idx1-ubyte").write_bytes(idx_bytes(np.arange(n) % 10, 0x801))


def run_file_is_a_directory(tmp: Path, model: Path) -> None:
    good_csv(tmp)
    (tmp / "o2" / "history.json").mkdir(parents=True)


X, Y = toy_data()
X4 = np.c_[X, Y].astype(str)
# --overwrite: "out" holds an earlier run (test_cli), which a failed run must leave alone
TRAIN = ["train", "--quiet", "--no-report", "--epochs", "1", "--overwrite", "--out", "out"]


def train(*args: str) -> list[str]:
    return [*TRAIN, *args]


CASES = [
    # --------------------------------------------------------------- data files (train)
    Case("missing-file", nothing, train("--data", "missing.csv"),
         ("not found", "missing.csv", "check the path"), train_api("missing.csv")),
    Case("directory-instead-of-file", make_dir("d.csv"), train("--data", "d.csv"),
         ("d.csv is a directory", "name the file"), train_api("d.csv")),
    Case("empty-csv", text("e.csv", ""), train("--data", "e.csv"),
         ("e.csv", "empty"), train_api("e.csv")),
    Case("header-only", text("h.csv", "a,b,c,label\n"), train("--data", "h.csv"),
         ("header", "no data rows"), train_api("h.csv")),
    Case("ragged-rows", text("r.csv", "1,2,0\n3,4,1\n5,1\n"), train("--data", "r.csv"),
         ("row 3 has 2 columns, expected 3", "same number of cells"), train_api("r.csv")),
    Case("non-numeric-cell", text("n.csv", "1,2,0\n3,abc,1\n5,6,1\n"), train("--data", "n.csv"),
         ("row 2, column index 1", "'abc'", "numeric"), train_api("n.csv")),
    # missing cells when they are asked to be refused (the default fills them, noted)
    Case("empty-cell", text("m.csv", "1,2,0\n3,,1\n5,6,1\n"),
         train("--data", "m.csv", "--impute", "none"),
         ("row 2, column index 1", "empty cell", "fill in"), train_api("m.csv", impute="none")),
    Case("nan-feature", text("nan.csv", "1,2,0\n3,nan,1\n5,6,1\n"),
         train("--data", "nan.csv", "--impute", "none"),
         ("missing value", "row 2", "--impute median"), train_api("nan.csv", impute="none"),
         ("missing value", "row 2", "`impute='median'`")),
    Case("inf-feature", text("inf.csv", "1,2,0\n3,4,1\n-inf,6,1\n"), train("--data", "inf.csv"),
         ("nan or infinite", "row 3"), train_api("inf.csv")),
    # a fractional label trains a regression unless classification is asked for
    Case("non-integer-label", text("l.csv", "1,2,0\n3,4,1.5\n5,6,1\n"),
         train("--data", "l.csv", "--task", "classification"),
         ("label '1.5' is not an integer", "--label-column"),
         train_api("l.csv", task="classification"),
         ("label '1.5' is not an integer", "`label_column`")),
    Case("single-class", lambda t, m: write_csv(t / "one.csv", X, np.zeros(len(X), int)),
         train("--data", "one.csv"), ("same class", "at least 2 classes", "--label-column"),
         train_api("one.csv"), ("same class", "at least 2 classes", "`label_column`")),
    Case("fewer-rows-than-parts", lambda t, m: write_csv(t / "few.csv", X[:9], Y[:9]),
         train("--data", "few.csv"), ("test part would hold 2 of 9", "fewer than the 3 "
                                      "classes", "use more data"), train_api("few.csv")),
    Case("class-with-one-example",
         lambda t, m: write_csv(t / "rare.csv", X, np.r_[Y[:-1] % 2, 2]),
         # the part there is to drop: the split is training/test (no validation part to
         # set to 0, which the message named too)
         train("--data", "rare.csv"), ("class 2 has only 1 example", "--test-fraction to 0"),
         train_api("rare.csv"), ("class 2 has only 1 example", "`test_fraction` to 0")),
    Case("not-utf8", text("latin.csv", b"1,2,\xe9\x00\n3,4,1\n"), train("--data", "latin.csv"),
         ("not a utf-8 text file",), train_api("latin.csv")),
    Case("single-column", text("one.csv", "1\n2\n"), train("--data", "one.csv"),
         ("single column", "--delimiter"), train_api("one.csv"),
         ("single column", "`delimiter`")),
    Case("label-column-out-of-range", with_good_csv,
         train("--data", "good.csv", "--label-column", "9"),
         ("--label-column 9 is out of range", "-1 for the last column"),
         train_api("good.csv", label_column=9),
         ("`label_column=9` is out of range", "-1 for the last column")),
    Case("unknown-data-spec", nothing, train("--data", "data.txt"),
         ("unknown data spec 'data.txt'", "cifar10:DIR", ".csv"), train_api("data.txt")),
    Case("spec-without-directory", nothing, train("--data", "mnist:"),
         ("names no directory", "mnist:DIR"), train_api("mnist:")),
    # ------------------------------------------------------------------------ NPZ files
    Case("npz-without-X", npz("nox.npz", Xtrain=X, y=Y), train("--data", "nox.npz"),
         ("no array of features", "'Xtrain'", "np.savez"), train_api("nox.npz")),
    Case("npz-without-y", npz("noy.npz", X=X), train("--data", "noy.npz"),
         ("features 'X' but no labels", "np.savez"), train_api("noy.npz")),
    Case("npz-wrong-dtype", npz("str.npz", X=X4, y=Y), train("--data", "str.npz"),
         ("x must hold numbers", "<U"), train_api("str.npz")),
    Case("npz-object-array", npz("obj.npz", X=np.array([{"a": 1}] * 3, dtype=object), y=Y[:3]),
         train("--data", "obj.npz"), ("pickled python objects", "refuses"), train_api("obj.npz")),
    Case("npz-is-a-renamed-pickle", text("p.npz", pickle.dumps({"X": X, "y": Y})),
         train("--data", "p.npz"), ("not a zip archive", "pickle", "np.savez"),
         train_api("p.npz")),
    Case("npz-truncated",
         lambda t, m: (np.savez(t / "full.npz", X=X, y=Y),
                       (t / "cut.npz").write_bytes((t / "full.npz").read_bytes()[:900])),
         train("--data", "cut.npz"), ("cut.npz", "np.savez"), train_api("cut.npz")),
    Case("npz-5d-features", npz("img.npz", X=np.zeros((6, 2, 2, 2, 2)), y=np.arange(6) % 2),
         train("--data", "img.npz"), ("(6, 2, 2, 2, 2)", "reshape"), train_api("img.npz")),
    Case("npz-length-mismatch", npz("len.npz", X=X, y=Y[:-5]), train("--data", "len.npz"),
         ("60 rows but y has 55 labels",), train_api("len.npz")),
    Case("npz-nan-features", npz("nanx.npz", X=np.where(X > 5, np.nan, X), y=Y),
         train("--data", "nanx.npz"), ("nan or infinite", "impute"), train_api("nanx.npz")),
    # ---------------------------------------------------------------- CIFAR-10 and MNIST
    Case("cifar-missing-batches", lambda t, m: write_cifar(t / "cif", drop="data_batch_3"),
         train("--data", "cifar10:cif"), ("missing cifar-10 batch", "data_batch_3", "download"),
         train_api("cifar10:cif")),
    Case("cifar-truncated-batch", lambda t, m: write_cifar(t / "cif", truncate="data_batch_2"),
         train("--data", "cifar10:cif"), ("data_batch_2", "truncated", "download"),
         train_api("cifar10:cif")),
    Case("cifar-binary-truncated",
         lambda t, m: write_cifar(t / "cif", truncate="test_batch", binary=True),
         train("--data", "cifar10:cif"), ("test_batch.bin", "truncated", "download"),
         train_api("cifar10:cif")),
    Case("cifar-directory-missing", nothing, train("--data", "cifar10:nowhere"),
         ("cifar-10 directory not found", "nowhere"), train_api("cifar10:nowhere")),
    Case("cifar-directory-empty", make_dir("cif"), train("--data", "cifar10:cif"),
         ("no cifar-10 batches found", "data_batch_1"), train_api("cifar10:cif")),
    Case("mnist-wrong-magic", lambda t, m: write_mnist(t / "mn", bad_magic=True),
         train("--data", "mnist:mn"), ("bad magic number", "download"), train_api("mnist:mn")),
    Case("mnist-truncated", lambda t, m: write_mnist(t / "mn", truncate=True),
         train("--data", "mnist:mn"), ("t10k-images", "truncated", "download"),
         train_api("mnist:mn")),
    Case("mnist-missing-file", lambda t, m: write_mnist(t / "mn", drop="train-labels-idx1-ubyte"),
         train("--data", "mnist:mn"), ("missing mnist file", "train-labels-idx1-ubyte"),
         train_api("mnist:mn")),
    # ------------------------------------------------------------------- option values
    Case("negative-learning-rate", with_good_csv, train("--data", "good.csv", "--lr", "-0.1"),
         ("--lr", "positive number", "--help"), lambda t: TrainConfig(lr=-0.1),
         ("lr", "positive")),
    Case("nan-learning-rate", with_good_csv, train("--data", "good.csv", "--lr", "nan"),
         ("--lr", "positive number"), lambda t: TrainConfig(lr=float("nan")), ("lr", "positive")),
    Case("zero-hidden-units", with_good_csv, train("--data", "good.csv", "--hidden", "100,0"),
         ("--hidden", "positive integer"), lambda t: RunOptions(hidden=[100, 0]),
         ("hidden[1]", "positive integer")),
    Case("batch-size-zero", with_good_csv, train("--data", "good.csv", "--batch-size", "0"),
         ("--batch-size", "positive integer"), lambda t: TrainConfig(batch_size=0),
         ("batch_size", "positive integer")),
    Case("epochs-zero", with_good_csv, train("--data", "good.csv", "--epochs", "0"),
         ("--epochs", "integer in 1..1000000"), lambda t: TrainConfig(epochs=0),
         ("epochs", "integer in 1..1000000")),
    Case("unknown-optimizer", with_good_csv, train("--data", "good.csv", "--optimizer", "adamw"),
         ("--optimizer", "invalid choice", "'adam'"), lambda t: TrainConfig(optimizer="adamw"),
         ("optimizer must be one of", "adam")),
    Case("fractions-leave-no-training-data", with_good_csv,
         train("--data", "good.csv", "--val-fraction", "0.6", "--test-fraction", "0.5"),
         ("below 1", "training data"), train_api("good.csv", val_fraction=0.6, test_fraction=0.5)),
    Case("bad-weight-scale", with_good_csv, train("--data", "good.csv", "--weight-scale", "big"),
         ("--weight-scale must be", "'big'", "he"), train_api("good.csv", weight_scale="big"),
         ("weight_scale must be", "'big'", "he")),
    # an option the run would ignore, or a value it would misread, is refused
    Case("lr-decay-without-step-schedule", with_good_csv,
         train("--data", "good.csv", "--lr-decay", "0.9"),
         ("--lr-decay 0.9", "--schedule step", "ignore"),
         lambda t: TrainConfig(lr_decay=0.9), ("`lr_decay=0.9`", "`schedule='step'`")),
    Case("lr-decay-default-value-typed-without-step", with_good_csv,
         train("--data", "good.csv", "--lr-decay", "0.95"),
         ("--lr-decay is used with --schedule step only", "'constant'")),
    Case("lr-decay-above-one", with_good_csv,
         train("--data", "good.csv", "--schedule", "step", "--lr-decay", "2"),
         ("--lr-decay", "(0, 1]", "got 2", "grow"),
         lambda t: TrainConfig(schedule="step", lr_decay=2.0), ("lr_decay", "(0, 1]")),
    Case("option-given-twice", with_good_csv,
         train("--data", "good.csv", "--epochs", "50"),  # TRAIN gives --epochs 1
         ("--epochs: given twice", "--epochs 1 and --epochs 50", "give it once")),
    Case("empty-size-in-hidden", with_good_csv, train("--data", "good.csv", "--hidden", "8,,8"),
         ("--hidden", "item 2 of 3", "'8,,8' is empty")),
    Case("empty-column-in-ignore-columns", with_good_csv,
         train("--data", "good.csv", "--ignore-columns", "0,"),
         ("--ignore-columns", "item 2 of 2", "empty")),
    Case("number-beyond-a-float", with_good_csv,
         train("--data", "good.csv", "--lr", "1e400"),
         ("--lr", "got 1e400", "beyond a float's range", "reads as infinity"),
         lambda t: TrainConfig(lr="1e400"), ("lr", "reads as infinity")),
    Case("absurd-epochs", with_good_csv, train("--data", "good.csv", "--epochs", "10**22"),
         ("--epochs", "expected an integer in 1..1000000", "10**22")),
    Case("epochs-over-the-bound", with_good_csv,
         train("--data", "good.csv", "--epochs", "100000000000000000000000"),
         ("--epochs", "integer in 1..1000000", "typo"),
         lambda t: TrainConfig(epochs=10**23), ("epochs", "1..1000000")),
    Case("patience-without-validation", with_good_csv,
         train("--data", "good.csv", "--patience", "3"),
         ("--patience 3", "validation split", "has none", "--val-fraction"),
         lambda t: run_training(RunOptions(data="good.csv", train=TrainConfig(
             epochs=1, batch_size=16, patience=3)), "api-out", report=False),
         ("`patience=3`", "validation split", "`val_fraction`")),
    Case("select-accuracy-without-validation", with_good_csv,
         train("--data", "good.csv", "--select", "accuracy"),
         ("--select accuracy", "has none", "--val-fraction")),
    Case("select-loss-without-validation", with_good_csv,  # typed: refused as accuracy
         train("--data", "good.csv", "--select", "loss"),
         ("--select loss", "has none", "--val-fraction")),
    Case("fractions-leave-a-class-out", with_good_csv,
         train("--data", "good.csv", "--test-fraction", "0.99"),
         ("training part would hold 0 of 60", "--val-fraction or --test-fraction")),
    Case("explain-huge-batch", nothing, ["explain", "--batch", "100000000000000000000"],
         ("--batch", "1..10000")),
    Case("data-is-a-directory", make_dir("dd"), train("--data", "dd"),
         ("dd is a directory", "mnist:dd", "cifar10:dd", ".csv"), train_api("dd")),
    Case("resume-epochs-in-the-past",
         lambda t, m: shutil.copytree(m.parent, t / "run"),
         ["train", "--resume", "run", "--epochs", "1"],
         ("already run 2 epochs", "--epochs 1 would end it in the past")),
    Case("evaluate-split-the-run-did-not-have", copy_model(),
         ["evaluate", "model.npz", "--split", "val"],
         ("had no val split", "--split all")),
    Case("search-norm-typo", with_good_csv,
         ["search", "--data", "good.csv", "--out", "s", "--norm", "batch,bach"],
         ("--norm", "item 2 of 2", "'bach'", "none, batch or layer")),
    Case("search-empty-value-in-list", with_good_csv,
         ["search", "--data", "good.csv", "--out", "s", "--lr", "1e-3,,1e-2"],
         ("--lr", "item 2 of 3", "empty")),
    Case("search-option-given-twice", with_good_csv,
         ["search", "--data", "good.csv", "--out", "s", "--trials", "2", "--trials", "20"],
         ("--trials: given twice", "--trials 2 and --trials 20")),
    Case("predict-option-given-twice", copy_model(),
         ["predict", "model.npz", "--data", "good.csv", "--output", "a.csv", "--output",
          "b.csv"], ("--output: given twice", "a.csv", "b.csv")),
    Case("unknown-option", nothing, ["train", "--learning-rate", "0.1"],
         ("unrecognized arguments", "--learning-rate", "--help")),
    Case("unknown-command", nothing, ["fit"], ("invalid choice: 'fit'", "train")),
    Case("out-is-a-file", lambda t, m: (good_csv(t), (t / "taken").write_text("x")),
         ["train", "--data", "good.csv", "--out", "taken"], ("taken is a file", "directory"),
         lambda t: run_training(RunOptions(data=str(t / "good.csv")), t / "taken")),
    Case("out-cannot-be-created", with_good_csv,
         ["train", "--data", "good.csv", "--out", "/dev/null/run"],
         ("cannot create the output directory /dev/null/run", "choose another --out"),
         lambda t: run_training(RunOptions(data="good.csv"), "/dev/null/run"),
         ("cannot create the output directory /dev/null/run", "choose another `out`")),
    Case("predict-output-cannot-be-written", copy_model(),
         ["predict", "model.npz", "--data", "good.csv", "--output", "/dev/null/p.csv"],
         ("/dev/null/p.csv", "check the path")),
    # --------------------------------------------------------------- resume (checkpoints)
    Case("resume-without-checkpoint", make_dir("run"), ["train", "--resume", "run"],
         ("no checkpoint to resume in run", "numpynn train --out"),
         lambda t: resume_options("run"), ("no checkpoint to resume in run", "`out`")),
    Case("resume-truncated-checkpoint", checkpoint_dir(lambda b: b[: len(b) // 3]),
         ["train", "--resume", "run"], ("checkpoint.npz", "truncated or corrupted"),
         lambda t: resume_options("run")),
    Case("resume-bit-flipped-checkpoint", checkpoint_dir(flip_middle_byte),
         ["train", "--resume", "run"], ("checkpoint.npz", "corrupted"),
         lambda t: resume_options("run")),
    # ------------------------------------------------------------ model files (evaluate)
    Case("model-missing", with_good_csv, ["evaluate", "nomodel.npz", "--data", "good.csv"],
         ("nomodel.npz does not exist", "check the path"), load_api("nomodel.npz")),
    Case("model-is-a-directory", make_dir("m.npz"), ["evaluate", "m.npz", "--data", "x.csv"],
         ("m.npz is a directory", "model file"), load_api("m.npz")),
    Case("model-truncated", copy_model(mutate=lambda b: b[: len(b) // 2]),
         ["evaluate", "model.npz", "--data", "good.csv"],
         ("model.npz", "truncated or corrupted", "train it again"), load_api("model.npz")),
    Case("model-truncated-by-one-byte", copy_model(mutate=lambda b: b[:-1]),
         ["evaluate", "model.npz", "--data", "good.csv"], ("model.npz", "train it again"),
         load_api("model.npz")),
    Case("model-bit-flipped", copy_model(mutate=flip_weight_byte),
         ["evaluate", "model.npz", "--data", "good.csv"], ("model.npz", "corrupted"),
         load_api("model.npz")),
    Case("model-newer-format-version", rewrite_model(newer_version),
         ["evaluate", "model.npz", "--data", "good.csv"],
         ("format version 99", "upgrade numpynn"), load_api("model.npz")),
    Case("model-with-nan-weights", rewrite_model(nan_weights),
         ["predict", "model.npz", "--data", "good.csv"], ("w1", "nan"), load_api("model.npz")),
    Case("model-is-a-renamed-pickle", pickled_model, ["predict", "model.npz", "--data", "x.csv"],
         ("python pickle", "refuses", "could run code"), load_api("model.npz")),
    Case("model-is-a-csv", with_good_csv, ["evaluate", "good.csv"],
         ("good.csv is not a numpynn model file", "not an .npz"), load_api("good.csv")),
    Case("model-is-a-data-npz", npz("data.npz", X=X, y=Y), ["evaluate", "data.npz"],
         ("not a numpynn model file", "no header"), load_api("data.npz")),
    Case("checkpoint-given-as-model", checkpoint_dir(lambda b: b),
         ["evaluate", "run/checkpoint.npz"], ("'checkpoint' file, not a model file",),
         load_api("run/checkpoint.npz")),
    Case("model-without-data-and-no---data", rewrite_model(forget_data),
         ["evaluate", "model.npz"], ("does not record its training data", "--data")),
    Case("predict-without---data", copy_model(), ["predict", "model.npz"],
         ("--data", "required")),
    # ---------------------------------------------------- data that does not fit a model
    Case("predict-wrong-feature-count",
         lambda t, m: (copy_model()(t, m), write_csv(t / "wide.csv", np.ones((3, 9)))),
         ["predict", "model.npz", "--data", "wide.csv"],
         ("wide.csv has 9 columns", "expects 4 (the features) or 5"),
         lambda t: prediction_data(load_model(t / "model.npz"), str(t / "wide.csv"))),
    Case("evaluate-wrong-feature-count",
         lambda t, m: (copy_model()(t, m), write_csv(t / "narrow.csv", X[:, :2], Y)),
         ["evaluate", "model.npz", "--data", "narrow.csv"],
         ("narrow.csv has 3 columns", "expects 5 (4 features and the label)"),
         lambda t: evaluation_data(load_model(t / "model.npz"), str(t / "narrow.csv"))),
    Case("evaluate-wrong-feature-count-npz",
         lambda t, m: (copy_model()(t, m), np.savez(t / "w.npz", X=np.ones((3, 7)), y=Y[:3])),
         ["evaluate", "model.npz", "--data", "w.npz"],
         ("w.npz has 7 feature columns", "expects 4"),
         lambda t: evaluation_data(load_model(t / "model.npz"), str(t / "w.npz"))),
    Case("evaluate-unknown-label",
         lambda t, m: (copy_model()(t, m), write_csv(t / "new.csv", X,
                                                     np.r_[Y[:-3], 7, 7, 9])),
         ["evaluate", "model.npz", "--data", "new.csv"],
         ("7 (2 rows), 9 (1 row) (3 rows in all)", "not among the known classes [0, 1, 2]",
          "--drop-unknown-labels"),
         lambda t: evaluation_data(load_model(t / "model.npz"), str(t / "new.csv")),
         ("3 rows in all", "7 (2 rows)", "`drop_unknown_labels`")),
    Case("evaluate-split-needs-training-data", copy_model(),
         ["evaluate", "model.npz", "--data", "digits", "--split", "test"],
         ("--split test", "--split all")),
    # ----------------------------------------------- issue 10: outputs that destroy inputs
    Case("predict-output-is-the-model", copy_model(),
         ["predict", "model.npz", "--data", "good.csv", "--output", "model.npz"],
         ("--output model.npz is the same file as the input model.npz",)),
    Case("predict-output-is-the-data", copy_model(),
         ["predict", "model.npz", "--data", "good.csv", "--output", "good.csv"],
         ("same file as the input good.csv", "choose another output path")),
    Case("predict-output-is-a-link-to-the-data",
         lambda t, m: (copy_model()(t, m), (t / "link.csv").symlink_to(t / "good.csv")),
         ["predict", "model.npz", "--data", "good.csv", "--output", "link.csv"],
         ("same file as the input good.csv",)),
    Case("predict-output-is-a-directory", lambda t, m: (copy_model()(t, m), (t / "d").mkdir()),
         ["predict", "model.npz", "--data", "good.csv", "--output", "d"],
         ("--output d is a directory", "file path")),
    Case("predict-output-fifo-without-reader", fifo("p.fifo"),
         ["predict", "model.npz", "--data", "good.csv", "--output", "p.fifo"],
         ("p.fifo is a fifo", "no process is reading")),
    Case("out-holds-a-run", with_good_csv, ["train", "--data", "good.csv", "--out", "out"],
         ("--out out already holds a run", "--resume out", "--overwrite")),
    Case("run-file-is-a-directory", run_file_is_a_directory,
         [*TRAIN[:-2], "--data", "good.csv", "--out", "o2"],
         ("o2/history.json is a directory",),
         lambda t: run_training(RunOptions(data="good.csv"), "o2")),
    # ------------------------------------------- special files where a file is expected
    Case("data-is-a-fifo", fifo("f.csv"), train("--data", "f.csv"),
         ("f.csv is not a regular file",), train_api("f.csv")),
    Case("predict-data-is-a-fifo", fifo("f.csv"), ["predict", "model.npz", "--data", "f.csv"],
         ("f.csv is not a regular file",),
         lambda t: prediction_data(load_model(t / "model.npz"), "f.csv")),
    Case("model-is-a-fifo", fifo("f.npz"), ["predict", "f.npz", "--data", "good.csv"],
         ("f.npz is not a regular file", "model file"), load_api("f.npz")),
    Case("model-is-dev-zero", with_good_csv, ["evaluate", "/dev/zero", "--data", "good.csv"],
         ("/dev/zero is not a regular file",), load_api("/dev/zero")),
    Case("model-path-is-none", nothing, ["evaluate", "x"], ("x does not exist",),
         lambda t: load_model(None), ("str or pathlib.path", "none")),
    # ------------------------------------------ model format versions, validated exactly
    *[Case(f"model-format-version-{name}", rewrite_model(format_version(value)),
           ["evaluate", "model.npz", "--data", "good.csv"],
           (f"format version {value!r}", want), load_api("model.npz"))
      for name, value, want in (("string", "1.0", "not a numpynn format version"),
                                ("zero", 0, "not a numpynn format version"),
                                ("negative", -7, "not a numpynn format version"),
                                ("true", True, "not a numpynn format version"),
                                ("float", 1.0, "not a numpynn format version"))],
    # ------------------------------------------------------------- seeds and sizes
    Case("gradcheck-negative-seed", nothing, ["gradcheck", "--seed", "-1"],
         ("--seed", "0..4294967295", "-1")),
    Case("train-seed-above-2**32-1", with_good_csv,
         train("--data", "good.csv", "--seed", str(2**32)),
         ("--seed", "4294967296"), lambda t: TrainConfig(seed=2**32), ("seed", "4294967295")),
    Case("train-negative-seed-api", with_good_csv, train("--data", "good.csv", "--seed", "-5"),
         ("--seed", "-5"), lambda t: TrainConfig(seed=-5), ("seed", "-5")),
    Case("hidden-too-large-for-memory", with_good_csv,
         train("--data", "good.csv", "--hidden", "1000000,1000000"),
         ("hidden layers 1000000,1000000", "memory", "reduce --hidden"),
         train_api("good.csv", hidden=[1000000, 1000000]),
         ("hidden layers 1000000,1000000", "memory", "reduce `hidden_dims`")),
    Case("search-trials-too-many", with_good_csv,
         ["search", "--data", "good.csv", "--trials", str(10**9), "--out", "s"],
         ("1e+09 trials", "memory", "reduce --trials")),
    Case("search-grid-too-large", with_good_csv,
         ["search", "--data", "good.csv", "--grid", "--lr", "1e-4:1e-1", "--reg", "1e-6:1e-1",
          "--grid-points", "1000000", "--out", "s"],
         ("grid of 2e+12 combinations", "--grid-points")),
    # ------------------------------------------------ messages that name what was written
    Case("class-with-one-example-named-by-its-label",
         lambda t, m: write_csv(t / "lab.csv", X, np.r_[np.where(Y[:-1] % 2, 30, 10), 20]),
         train("--data", "lab.csv"), ("class 20 has only 1 example",), train_api("lab.csv")),
    Case("csv-row-number-of-a-multiline-row", text("ml.csv", '1,2,0\n3,4,1\n"5,6,1\n7,8\n'),
         train("--data", "ml.csv"), ("row 3 has 1 columns",), train_api("ml.csv")),
    Case("cifar-under-home-is-expanded", nothing, train("--data", "cifar10:~/no-such-cifar"),
         (f"{Path('~').expanduser()}/no-such-cifar",)),
    # ------------------------------------------------ exit code 2, not a traceback
    Case("mnist-of-0x0-images", mnist_of_empty_images, train("--data", "mnist:mn"),
         ("0x0 pixels", "empty"), train_api("mnist:mn")),
    Case("resume-optimizer-state-of-the-wrong-shape", checkpoint_arrays(wrong_optimizer_state),
         ["train", "--resume", "run", "--quiet"],
         ("checkpoint", "optimiser state", "start the training again")),
    Case("resume-with-options-that-cannot-change", checkpoint_dir(lambda b: b),
         ["train", "--resume", "run", "--epochs", "10", "--lr", "0.5", "--hidden", "999"],
         ("--hidden, --lr cannot be changed", "only --epochs and --patience")),
    # ------------------------------- round 4: values argparse took for options, flags named
    # a negative number argparse's own pattern misses (an exponent, inf, a list) is the
    # flag's value, checked as such, not "expected one argument"
    Case("lr-negative-in-scientific-notation", with_good_csv,
         train("--data", "good.csv", "--lr", "-1e-3"), ("--lr", "positive number", "-1e-3"),
         lambda t: TrainConfig(lr=-1e-3), ("lr", "positive number")),
    Case("lr-minus-inf", with_good_csv, train("--data", "good.csv", "--lr", "-inf"),
         ("--lr", "positive number", "-inf")),
    Case("search-lr-list-with-a-negative-value", with_good_csv,
         ["search", "--data", "good.csv", "--lr", "-1,0.1", "--out", "s"],
         ("--lr", "positive number", "-1")),
    # a library check that names its parameter bare is said with the flag
    Case("dropout-one-said-as-its-flag", with_good_csv,
         train("--data", "good.csv", "--dropout", "1"), ("--dropout must be", "[0, 1)"),
         train_api("good.csv", dropout=1.0), ("dropout must be", "[0, 1)")),
    Case("weight-scale-negative-said-as-its-flag", with_good_csv,
         train("--data", "good.csv", "--weight-scale", "-1"), ("--weight-scale must be",),
         train_api("good.csv", weight_scale=-1.0), ("weight_scale must be",)),
    Case("explain-one-class", nothing, ["explain", "--classes", "1"],
         ("--classes", "integer >= 2")),
    Case("explain-dropout-one", nothing, ["explain", "--dropout", "1"],
         ("--dropout", "[0, 1)")),
    Case("explain-seed-above-2**32-1", nothing, ["explain", "--seed", str(2**32)],
         ("--seed", "0..4294967295")),
    # an ensemble's members are trained together: the memory estimate counts each
    Case("ensemble-too-large-for-memory", with_good_csv,
         train("--data", "good.csv", "--ensemble", str(10**8)),
         ("ensemble of 100,000,000 networks", "memory", "reduce --ensemble"),
         train_api("good.csv", ensemble=10**8),
         ("ensemble of 100,000,000 networks", "memory", "reduce `ensemble`")),
]

IDS = [c.id for c in CASES]
assert len(set(IDS)) == len(IDS) >= 30
# issue 10's special files need POSIX FIFOs
if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
    CASES = [c for c in CASES if "fifo" not in c.id]
    IDS = [c.id for c in CASES]


def test_the_matrix_is_big_enough():
    assert len(CASES) >= 30
    assert sum(c.api is not None for c in CASES) >= 30


def check_one_line(err: str, expect: tuple[str, ...]) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"stderr must be exactly one line, got:\n{err}"
    line = lines[0]
    assert line.startswith("numpynn: error: "), line
    assert "Traceback" not in err
    for word in expect:
        assert word.lower() in line.lower(), f"{word!r} not in {line!r}"
    return line


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli(case: Case, tmp_path, trained, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    case.setup(tmp_path, trained)
    out = tmp_path / "out"
    if "--out" in case.argv and case.argv[case.argv.index("--out") + 1] == "out":
        out.mkdir()  # an earlier run's outputs: a failed run must leave them alone
        (out / "model.npz").write_bytes(SENTINEL)
        (out / "history.json").write_bytes(SENTINEL)
    capsys.readouterr()
    rc = main(case.argv)
    captured = capsys.readouterr()
    assert rc == 2, captured.err
    assert captured.out == "", "a failed command prints no results"
    check_one_line(captured.err, case.expect)
    if out.is_dir():
        assert (out / "model.npz").read_bytes() == SENTINEL
        assert (out / "history.json").read_bytes() == SENTINEL
        assert sorted(p.name for p in out.iterdir()) == ["history.json", "model.npz"]


API_CASES = [c for c in CASES if c.api is not None]


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_api(case: Case, tmp_path, trained, monkeypatch):
    monkeypatch.chdir(tmp_path)
    case.setup(tmp_path, trained)
    with pytest.raises(InputError) as info:
        case.api(tmp_path)
    message = str(info.value).lower()
    for word in case.api_expect or case.expect:
        assert word.lower() in message, f"{word!r} not in {message!r}"
    # the library names its parameters, never the CLI's flags
    assert not re.search(r"(?<![\w-])--[a-z]", message), message
    assert not (tmp_path / "api-out" / "model.npz").exists()


# ------------------------------------------------------------------ real processes
#: a data mistake and a model-file mistake (every case runs in-process in test_cli)
PROCESS_CASES = ["missing-file", "model-is-a-renamed-pickle"]


@pytest.mark.parametrize("case_id", PROCESS_CASES)
def test_subprocess(case_id: str, tmp_path, trained):
    case = next(c for c in CASES if c.id == case_id)
    case.setup(tmp_path, trained)
    argv = [a if a != "out" else "fresh-out" for a in case.argv]
    proc = numpynn_process(*argv, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    check_one_line(proc.stderr, case.expect)
    assert not (tmp_path / "fresh-out" / "model.npz").exists()


def test_debug_shows_the_traceback(tmp_path):
    proc = numpynn("train", "--data", "missing.csv", "--debug", "--out", "o", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert "DataError" in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("numpynn: error: CSV file not found")


# ------------------------------------------------ decisions about awkward but valid input
def test_batch_larger_than_the_training_set_is_one_smaller_batch(tmp_path, capsys,
                                                                 monkeypatch):
    """A demanding user expects what Keras and PyTorch do: one (smaller) batch per epoch."""
    monkeypatch.chdir(tmp_path)
    good_csv(tmp_path)
    rc = main(["train", "--data", "good.csv", "--batch-size", "100000", "--epochs", "3",
               "--quiet", "--no-report", "--out", "run"])
    assert rc == 0, capsys.readouterr().err
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["step_loss"]) == 3  # one step per epoch
    assert (tmp_path / "run" / "model.npz").exists()


def test_tiny_data_set_with_no_validation_or_test_part_trains(tmp_path, capsys, monkeypatch):
    """Four rows, two classes: the split refuses (see the matrix), but without a
    validation and test part the run works and says so in its table."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "few.csv").write_text("1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    rc = main(["train", "--data", "few.csv", "--val-fraction", "0", "--test-fraction", "0",
               "--epochs", "2", "--quiet", "--no-report", "--out", "run"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "train" in out and "test " not in out


# ------------------------------------------------ the same mistakes with arrays in Python
def _trainer(X, y, **config):
    from numpynn import MLP
    from numpynn.training.trainer import Trainer

    return Trainer(MLP(D, [8], C, seed=0), X, y, config=TrainConfig(**config))


ARRAY_CASES = [
    ("labels-out-of-range", lambda: _trainer(X, np.r_[Y[:-1], 5]), ("0..2", "[5]")),
    ("negative-label", lambda: _trainer(X, np.r_[Y[:-1], -1]), ("0..2", "[-1]")),
    ("non-integer-labels", lambda: _trainer(X, Y + 0.5), ("integer class indices",)),
    ("string-labels", lambda: _trainer(X, Y.astype(str)), ("integer class indices",
                                                           "MLPClassifier")),
    ("wrong-feature-count", lambda: _trainer(X[:, :3], Y), ("3 features", "expects 4")),
    ("string-features", lambda: _trainer(X.astype(str), Y), ("must hold numbers",)),
    ("nan-features", lambda: _trainer(np.where(X > 5, np.nan, X), Y), ("nan or infinite",
                                                                       "impute")),
    ("1-d-features", lambda: _trainer(X[:, 0], Y), ("2-d", "reshape")),
    ("empty-features", lambda: _trainer(X[:0], Y[:0]), ("empty batch",)),
    ("length-mismatch", lambda: _trainer(X, Y[:-1]), ("59 labels", "60 rows")),
    ("batch-size-zero", lambda: _trainer(X, Y, batch_size=0), ("batch_size",)),
    ("negative-lr", lambda: _trainer(X, Y, lr=-1.0), ("lr", "positive number")),
    ("unknown-schedule", lambda: _trainer(X, Y, schedule="warmup"), ("schedule", "cosine")),
    ("keep-best-not-a-bool", lambda: TrainConfig(keep_best="no"), ("keep_best", "'no'")),
    ("seed-above-2**32-1", lambda: TrainConfig(seed=2**32), ("seed", "4294967295")),
    ("config-is-a-string", lambda: _trainer_with_config(X, Y, "adam"),
     ("config must be a TrainConfig", "'adam'")),
    ("run-options-data-is-none", lambda: RunOptions(data=None), ("`data`", "pathlib.path",
                                                                 "nonetype")),
    ("run-options-train-is-a-dict", lambda: RunOptions(train={"epochs": 1}),
     ("`train` must be a TrainConfig", "dict")),
    ("lr-decay-zero", lambda: TrainConfig(lr_decay=0), ("lr_decay", "(0, 1]")),
]


def _trainer_with_config(X, y, config):
    from numpynn import MLP
    from numpynn.training.trainer import Trainer

    return Trainer(MLP(D, [8], C, seed=0), X, y, config=config)


@pytest.mark.parametrize("build, expect", [c[1:] for c in ARRAY_CASES],
                         ids=[c[0] for c in ARRAY_CASES])
def test_trainer_api_rejects_bad_arrays(build, expect):
    with pytest.raises(InputError) as info:
        build()
    for word in expect:
        assert word.lower() in str(info.value).lower()


def test_flag_message_maps_parameters_to_flags():
    from numpynn.cli.common import flag_message

    assert flag_message("use `lr=0.01` or `split='all'`; `out` is a file") == (
        "use --lr 0.01 or --split all; --out is a file")
    assert flag_message("resume it (`resume=True`); `hidden_dims`, `batch_size`") == (
        "resume it (--resume); --hidden, --batch-size")
    assert flag_message("`unknown_thing` stays") == "unknown_thing stays"


def test_input_error_names_its_parameter():
    from numpynn.search.runner import check_scheduler

    with pytest.raises(InputError) as info:
        check_scheduler("not an address")
    assert info.value.param == "scheduler" and "`scheduler`" in str(info.value)


def test_run_options_take_a_path_and_numpy_dtypes():
    """``RunOptions(data=Path(...))`` and ``dtype=np.float64`` are what Python users write:
    they were a TypeError from the JSON encoder when the run saved its options."""
    options = RunOptions(data=Path("wine.csv"), dtype=np.float64)
    assert options.data == "wine.csv" and options.dtype == "float64"
    assert json.dumps(options.to_dict())


def test_an_output_never_replaces_a_file_of_another_kind(tmp_path):
    """`export MODEL data.csv` or `predict ... --output other_run/model.npz` named an
    existing file of another kind: it is refused (exit 2, the file untouched) instead of
    replaced; the same kind of file (a CSV by predictions, an ONNX file by an export) is
    replaced as before."""
    pytest.importorskip("onnx")
    from tests.clirun import numpynn, ok

    ok(numpynn("train", "--data", "digits", "--epochs", "1", "--no-report", "--out", "a",
               cwd=tmp_path))
    ok(numpynn("train", "--data", "digits", "--epochs", "1", "--no-report", "--out", "b",
               cwd=tmp_path))
    data = tmp_path / "data.csv"
    data.write_text("a,b,label\n1,2,x\n3,4,y\n")
    model_b = (tmp_path / "b" / "model.npz").read_bytes()
    for argv, victim, before in ((["export", "a", "data.csv"], data, data.read_bytes()),
                                 (["predict", "a", "--data", "digits", "--output",
                                   "b/model.npz"], tmp_path / "b" / "model.npz", model_b)):
        refused = numpynn(*argv, cwd=tmp_path)
        assert refused.returncode == 2 and "exists and is" in refused.stderr
        assert victim.read_bytes() == before
    for _ in range(2):  # the same kind: replaced
        ok(numpynn("export", "a", "a.onnx", cwd=tmp_path))
        ok(numpynn("predict", "a", "--data", "digits", "--output", "p.csv", cwd=tmp_path))


def test_evaluate_can_leave_out_the_rows_of_classes_the_model_never_saw(tmp_path, trained):
    """The refusal names a way forward: --drop-unknown-labels evaluates the other rows,
    with a note naming the labels left out and their row counts."""
    copy_model()(tmp_path, trained)
    write_csv(tmp_path / "new.csv", X, np.r_[Y[:-3], 7, 7, 9])
    proc = numpynn("evaluate", "model.npz", "--data", "new.csv", "--drop-unknown-labels",
                   "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "3 rows left out" in proc.stderr and "7 (2), 9 (1)" in proc.stderr
    figures = json.loads(proc.stdout)
    assert sum(figures["support"]) == len(Y) - 3
    assert any("3 rows left out" in n for n in figures["notes"])  # in the JSON too
    notes: list[str] = []
    Xe, ye, _ = evaluation_data(load_model(tmp_path / "model.npz"), str(tmp_path / "new.csv"),
                                notes=notes, drop_unknown_labels=True)
    assert Xe.shape[0] == len(Y) - 3 and set(ye.tolist()) == {0, 1, 2}
    assert any("3 rows left out" in n for n in notes)
    # every row unknown: nothing to evaluate, said so
    write_csv(tmp_path / "none.csv", X[:4], np.full(4, 8))
    with pytest.raises(InputError, match="no row is left to evaluate"):
        evaluation_data(load_model(tmp_path / "model.npz"), str(tmp_path / "none.csv"),
                        drop_unknown_labels=True)


def test_a_stored_lr_decay_that_a_schedule_ignored_still_loads():
    """Runs and models of before the refusal stored `lr_decay` whatever the schedule; it
    changed nothing, and their options must still load (evaluate --split, --resume)."""
    config = TrainConfig.from_dict({"epochs": 2, "schedule": "constant", "lr_decay": 0.5})
    assert config.lr_decay == 0.95
    assert TrainConfig.from_dict({"schedule": "step", "lr_decay": 0.5}).lr_decay == 0.5
    assert TrainConfig(schedule="step", lr_decay=0.5).make_schedule().decay == 0.5


def test_every_single_valued_option_is_refused_when_repeated():
    """One mechanism, the parsers' default action: every command's options that take a
    value (not the repeatable switches) refuse a second occurrence."""
    import argparse

    from numpynn.cli.main import COMMANDS, build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    store = [(name, a) for name in COMMANDS for a in sub.choices[name]._actions
             if type(a).__name__ == "_StoreOnce"]
    assert len(store) > 40
    assert not [(name, a.option_strings) for name in COMMANDS
                for a in sub.choices[name]._actions
                if type(a) is argparse._StoreAction and a.option_strings]


@pytest.mark.parametrize("build,expect", [
    (lambda: RunOptions(lr=0.1), "an option of TrainConfig: RunOptions(train=TrainConfig(lr"),
    (lambda: TrainConfig(hidden=[8]), "an option of RunOptions: RunOptions(hidden="),
    (lambda: TrainConfig(learning_rate=0.1), "numpynn's name for it is 'lr'"),
    (lambda: RunOptions(alpha=1e-4), "'reg' (not divided by the batch size"),
    (lambda: RunOptions(hiden=[8]), "did you mean 'hidden'"),
])
def test_an_option_of_the_other_class_or_library_is_named(build, expect):
    """RunOptions and TrainConfig name where a misplaced option lives, or numpynn's name
    for scikit-learn's, instead of Python's bare "unexpected keyword argument"; still a
    TypeError, and an InputError."""
    with pytest.raises(TypeError, match="unexpected keyword argument") as info:
        build()
    assert isinstance(info.value, InputError) and expect in str(info.value)
