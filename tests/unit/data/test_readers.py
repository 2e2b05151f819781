"""Tests of numpynn.data: every reader on small files made here, splits, preprocessing."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numpynn.data import (
    Dataset,
    Preprocessor,
    load_cifar10,
    load_csv,
    load_dataset,
    load_mnist,
    load_npz,
    read_idx,
    train_val_test_split,
)
from numpynn.data.cifar import read_binary_batch, read_python_batch
from numpynn.data.idx import IMAGES_MAGIC, LABELS_MAGIC
from numpynn.errors import DataError, InputError

# ----------------------------------------------------------------------------- helpers


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def idx_bytes(arr: np.ndarray, magic: int) -> bytes:
    header = struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + np.ascontiguousarray(arr, dtype=np.uint8).tobytes()


def make_mnist(
    directory: Path,
    *,
    gz: bool = False,
    n_train: int = 6,
    n_test: int = 4,
    shape: tuple[int, int] = (28, 28),
    seed: int = 0,
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, *shape), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, *shape), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, arr in arrays.items():
        raw = idx_bytes(arr, IMAGES_MAGIC if arr.ndim == 3 else LABELS_MAGIC)
        if gz:
            (directory / (name + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (directory / name).write_bytes(raw)
    return arrays


CIFAR_NAMES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def cifar_batches(n: int = 20, seed: int = 0) -> list[tuple[np.ndarray, list[int]]]:
    rng = np.random.default_rng(seed)
    return [
        (rng.integers(0, 256, (n, 3072), dtype=np.uint8), rng.integers(0, 10, n).tolist())
        for _ in CIFAR_NAMES
    ]


def make_cifar_python(
    directory: Path, *, protocol: int = 2, n: int = 20, meta: bool = False
) -> list[tuple[np.ndarray, list[int]]]:
    batches = cifar_batches(n)
    directory.mkdir(parents=True, exist_ok=True)
    for name, (data, labels) in zip(CIFAR_NAMES, batches):
        batch = {
            b"batch_label": name.encode(),
            b"labels": labels,
            b"data": data,
            b"filenames": [b"img.png"] * n,
        }
        (directory / name).write_bytes(pickle.dumps(batch, protocol=protocol))
    if meta:
        names = [
            b"airplane",
            b"automobile",
            b"bird",
            b"cat",
            b"deer",
            b"dog",
            b"frog",
            b"horse",
            b"ship",
            b"truck",
        ]
        meta_dict = {b"label_names": names, b"num_cases_per_batch": n, b"num_vis": 3072}
        (directory / "batches.meta").write_bytes(pickle.dumps(meta_dict, protocol=protocol))
    return batches


def make_cifar_binary(directory: Path, *, n: int = 20) -> list[tuple[np.ndarray, list[int]]]:
    batches = cifar_batches(n, seed=1)
    directory.mkdir(parents=True, exist_ok=True)
    for name, (data, labels) in zip(CIFAR_NAMES, batches):
        records = np.concatenate([np.array(labels, dtype=np.uint8)[:, None], data], axis=1)
        (directory / f"{name}.bin").write_bytes(records.tobytes())
    return batches


def hwc(data: np.ndarray) -> np.ndarray:
    """Independent oracle: channel-first rows -> (N, 32, 32, 3) by explicit indexing."""
    out = np.empty((len(data), 32, 32, 3), dtype=data.dtype)
    for c in range(3):
        out[:, :, :, c] = data[:, c * 1024 : (c + 1) * 1024].reshape(-1, 32, 32)
    return out


# ----------------------------------------------------------------------------- CSV


def test_csv_without_header(tmp_path: Path) -> None:
    path = write_text(tmp_path / "d.csv", "1,2,0\n3.5,-4,1\n5,6e2,1\n")
    ds = load_csv(path)
    assert isinstance(ds, Dataset)
    assert ds.X.dtype == np.float64 and ds.X.shape == (3, 2)
    np.testing.assert_array_equal(ds.X, [[1, 2], [3.5, -4], [5, 600]])
    assert ds.y.dtype == np.int64
    np.testing.assert_array_equal(ds.y, [0, 1, 1])
    np.testing.assert_array_equal(ds.classes, [0, 1])
    assert ds.name == "d.csv" and ds.image_shape is None and ds.X_test is None
    assert ds.n_features == 2 and ds.n_classes == 2 and ds.n_examples == 3


def test_csv_header_and_string_labels(tmp_path: Path) -> None:
    path = write_text(tmp_path / "s.csv", "a, b ,label\n1,2,dog\n3,4,cat\n\n5,6,dog\n")
    ds = load_csv(path)
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4], [5, 6]])
    assert ds.classes.dtype.kind == "U"
    np.testing.assert_array_equal(ds.classes, ["cat", "dog"])
    np.testing.assert_array_equal(ds.classes[ds.y], ["dog", "cat", "dog"])


def test_csv_numeric_header_names_like_pandas(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "0,1,label\n1,2,3\n4,5,7\n")
    ds = load_csv(path)
    np.testing.assert_array_equal(ds.X, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(ds.classes, [3, 7])


def test_csv_label_column_first_and_none(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.csv", "9,1,2\n7,3,4\n")
    ds = load_csv(path, label_column=0)
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(ds.classes[ds.y], [9, 7])
    ds = load_csv(path, label_column=None)
    assert ds.y is None and ds.X.shape == (2, 3) and ds.classes.shape == (0,)
    ds = load_csv(path, label_column=None, classes=[7, 9])
    np.testing.assert_array_equal(ds.classes, [7, 9])


def test_csv_integral_float_labels(tmp_path: Path) -> None:
    ds = load_csv(write_text(tmp_path / "f.csv", "1,2.0\n3,1.0\n"))
    np.testing.assert_array_equal(ds.classes, [1, 2])
    assert ds.classes.dtype == np.int64


def test_csv_non_integer_label(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.csv", "1,2\n3,1.5\n")
    with pytest.raises(DataError, match=r"row 2.*'1\.5'.*not an integer"):
        load_csv(path)


def test_csv_known_classes(tmp_path: Path) -> None:
    path = write_text(tmp_path / "k.csv", "1,2,b\n3,4,a\n")
    ds = load_csv(path, classes=["c", "b", "a"])
    np.testing.assert_array_equal(ds.y, [1, 2])
    np.testing.assert_array_equal(ds.classes, ["c", "b", "a"])
    with pytest.raises(DataError, match=r"k\.csv.*'a'.*not among"):
        load_csv(path, classes=["b", "z"])
    num = write_text(tmp_path / "n.csv", "1,2,5\n3,4,2\n")
    np.testing.assert_array_equal(load_csv(num, classes=[5, 2, 9]).y, [0, 1])
    with pytest.raises(DataError, match=r"\b5\b.*not among"):
        load_csv(num, classes=[2, 9])


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ("", "empty"),
        ("\n\n", "empty"),
        ("x,y,label\n", "header.*no data rows"),
        ("1,2,0\n3,4,1\n5,6\n", r"row 3 has 2 columns, expected 3"),
        ("1,2,0\n3,abc,1\n", r"row 2, column index 1.*'abc'"),
        ("1,2,0\n3,,1\n", r"row 2, column index 1.*empty cell"),
        ("1,nan,0\n3,4,1\ninf,1,0\n", r"row 1, column index 1.*missing.*`impute='median'`"),
        ("1,2,0\n3,4,1\ninf,1,0\n", r"1 feature value\(s\) are infinite.*row 3, column index 0"),
        ("1,2,\n", r"row 1: the label is empty; 1 row\(s\) have no label"),
        ("1\n2\n", "single column"),
    ],
)
def test_csv_errors(tmp_path: Path, content: str, pattern: str) -> None:
    path = write_text(tmp_path / "bad.csv", content)
    with pytest.raises(DataError, match=pattern) as info:
        load_csv(path)
    assert "bad.csv" in str(info.value)


def test_csv_file_problems(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found.*missing.csv"):
        load_csv(tmp_path / "missing.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(DataError, match="dir.csv is a directory"):
        load_csv(tmp_path / "dir.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(DataError, match="not a UTF-8 text file"):
        load_csv(tmp_path / "bin.csv")
    path = write_text(tmp_path / "ok.csv", "1,2,0\n")
    with pytest.raises(DataError, match="`label_column=5` is out of range"):
        load_csv(path, label_column=5)
    with pytest.raises(InputError, match="label_column"):
        load_csv(path, label_column="last")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- NPZ


def test_npz_round_trip(tmp_path: Path) -> None:
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.savez(tmp_path / "a.npz", X=X, y=np.array([3, 1, 3, 1]))
    ds = load_npz(tmp_path / "a.npz")
    assert ds.X.dtype == np.float64
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.classes[ds.y], [3, 1, 3, 1])
    assert ds.name == "a.npz"
    np.savez(tmp_path / "s.npz", X=X, y=np.array(["b", "a", "b", "a"]))
    ds = load_npz(tmp_path / "s.npz", classes=["b", "a"])
    np.testing.assert_array_equal(ds.y, [0, 1, 0, 1])
    np.savez(tmp_path / "f.npz", X=X, y=np.array([1.0, 0.0, 1.0, 0.0]))
    np.testing.assert_array_equal(load_npz(tmp_path / "f.npz").y, [1, 0, 1, 0])


def test_npz_bool_labels_are_false_and_true_as_in_a_csv(tmp_path: Path) -> None:
    """A bool y was read as the classes 0 and 1: predict wrote 0/1 (and p_0, p_1) where the
    same labels in a CSV give False/True."""
    np.savez(tmp_path / "b.npz", X=np.eye(4), y=np.array([True, False, True, False]))
    ds = load_npz(tmp_path / "b.npz")
    assert ds.classes.tolist() == ["False", "True"]
    np.testing.assert_array_equal(ds.y, [1, 0, 1, 0])
    again = load_npz(tmp_path / "b.npz", classes=ds.classes)  # evaluate's reading
    np.testing.assert_array_equal(again.y, [1, 0, 1, 0])


def test_npz_without_labels(tmp_path: Path) -> None:
    np.savez(tmp_path / "x.npz", X=np.ones((2, 2)))
    ds = load_npz(tmp_path / "x.npz", label_column=None)
    assert ds.y is None and ds.X.shape == (2, 2)
    with pytest.raises(DataError, match=r"features 'X' but no labels.*holds 'X'"):
        load_npz(tmp_path / "x.npz")


@pytest.mark.parametrize(
    ("arrays", "pattern"),
    [
        ({"feats": np.ones((2, 2)), "y": np.ones(2)}, r"no array of features.*'feats'"),
        ({"X": np.ones(4), "y": np.ones(4)}, r"X has shape \(4,\).*rows \(N, D\)"),
        ({"X": np.ones((2, 2, 2, 2, 2)), "y": np.ones(2)}, r"\(2, 2, 2, 2, 2\).*reshape"),
        ({"X": np.ones((2, 2, 2, 5)), "y": np.ones(2)}, r"C in 1, 3, 4"),
        ({"X": np.ones((2, 2)), "y": np.ones((2, 3))}, r"one label per row.*\(2, 3\)"),
        ({"X": np.ones((2, 2)), "y": np.array([0.5, 1])}, r"not an integer.*--task regression"),
        ({"X": np.ones((3, 2)), "y": np.ones(2)}, "3 rows but y has 2 labels"),
        ({"X": np.array([[1.0, np.inf], [np.nan, 0]]), "y": np.ones(2)}, r"2 NaN.*X\[0, 1\]"),
        ({"X": np.ones((2, 2)), "y": np.array([0.5, 1])}, r"y\[0\].*not an integer"),
        ({"X": np.array([["a", "b"]]), "y": np.ones(1)}, "X must hold numbers"),
    ],
)
def test_npz_errors(tmp_path: Path, arrays: dict, pattern: str) -> None:
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataError, match=pattern) as info:
        load_npz(tmp_path / "bad.npz")
    assert "bad.npz" in str(info.value)


def test_npz_refuses_pickled_objects(tmp_path: Path) -> None:
    X = np.empty((2, 2), dtype=object)
    X[:] = 1.0
    np.savez(tmp_path / "o.npz", X=X, y=np.array([0, 1]))
    with pytest.raises(DataError, match="pickled Python objects.*refuses"):
        load_npz(tmp_path / "o.npz")


def test_npz_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "p.npz").write_bytes(pickle.dumps({"X": [[1.0]], "y": [0]}))
    with pytest.raises(DataError, match="p.npz: not a valid .npz.*pickle"):
        load_npz(tmp_path / "p.npz")
    (tmp_path / "r.npz").write_bytes(bytes(range(256)))
    with pytest.raises(DataError, match="not a valid .npz"):
        load_npz(tmp_path / "r.npz")
    np.save(tmp_path / "a.npy", np.ones((2, 2)))
    (tmp_path / "a.npy").rename(tmp_path / "n.npz")
    with pytest.raises(DataError, match="not a valid .npz.*single .npy"):
        load_npz(tmp_path / "n.npz")


def test_npz_truncated(tmp_path: Path) -> None:
    np.savez(tmp_path / "t.npz", X=np.ones((50, 4)), y=np.zeros(50))
    data = (tmp_path / "t.npz").read_bytes()
    (tmp_path / "t.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="t.npz"):
        load_npz(tmp_path / "t.npz")


# ----------------------------------------------------------------------------- MNIST


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_round_trip(tmp_path: Path, gz: bool) -> None:
    arrays = make_mnist(tmp_path / "m", gz=gz)
    ds = load_mnist(tmp_path / "m")
    assert ds.name == "mnist" and ds.image_shape == (28, 28)
    assert ds.X.dtype == np.float32 and ds.X.shape == (6, 784)
    assert ds.X_test.dtype == np.float32 and ds.X_test.shape == (4, 784)
    images = arrays["train-images-idx3-ubyte"]
    np.testing.assert_array_equal(ds.X.reshape(6, 28, 28), images)
    assert ds.X[2, 5 * 28 + 7] == images[2, 5, 7]
    np.testing.assert_array_equal(ds.classes, np.arange(10))
    np.testing.assert_array_equal(ds.classes[ds.y], arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(ds.classes[ds.y_test], arrays["t10k-labels-idx1-ubyte"])
    np.testing.assert_array_equal(ds.X_test.reshape(4, 28, 28), arrays["t10k-images-idx3-ubyte"])


def test_mnist_via_load_dataset_and_dotted_names(tmp_path: Path) -> None:
    make_mnist(tmp_path / "m", shape=(5, 4))
    for name in ("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (tmp_path / "m" / name).rename(tmp_path / "m" / name.replace("-idx", ".idx"))
    ds = load_dataset(f"mnist:{tmp_path / 'm'}")
    assert ds.image_shape == (5, 4) and ds.X.shape == (6, 20)


def test_idx_sets_named_with_a_prefix_as_emnist_and_kmnist_ship_them(tmp_path: Path) -> None:
    arrays = make_mnist(tmp_path / "m", gz=True, shape=(5, 4))
    for p in sorted((tmp_path / "m").iterdir()):  # emnist-balanced-test-images-idx3-ubyte.gz
        p.rename(p.with_name("emnist-balanced-" + p.name.replace("t10k-", "test-")))
    ds = load_dataset(f"mnist:{tmp_path / 'm'}")
    assert ds.X.shape == (6, 20) and ds.X_test.shape == (4, 20)
    np.testing.assert_array_equal(ds.classes[ds.y_test], arrays["t10k-labels-idx1-ubyte"])
    other = tmp_path / "m" / "emnist-letters-train-images-idx3-ubyte.gz"
    other.write_bytes((tmp_path / "m" / "emnist-balanced-train-images-idx3-ubyte.gz").read_bytes())
    with pytest.raises(DataError, match="several train-images-idx3-ubyte files.*letters"):
        load_dataset(f"mnist:{tmp_path / 'm'}")


def test_mnist_missing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="MNIST directory not found"):
        load_mnist(tmp_path / "nowhere")
    make_mnist(tmp_path / "m")
    (tmp_path / "m" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="missing MNIST file.*t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path / "m")


def test_mnist_corrupt_files(tmp_path: Path) -> None:
    arrays = make_mnist(tmp_path / "m")
    images = tmp_path / "m" / "train-images-idx3-ubyte"
    good = images.read_bytes()
    images.write_bytes(good[:-10])
    with pytest.raises(DataError, match=r"truncated.*need 4704 bytes.*holds 4694"):
        load_mnist(tmp_path / "m")
    images.write_bytes(good + b"\x00")
    with pytest.raises(DataError, match="trailing bytes"):
        load_mnist(tmp_path / "m")
    images.write_bytes(b"\x00\x00\x08\x01" + good[4:])
    with pytest.raises(DataError, match=r"bad magic number 0x00000801, expected 0x00000803"):
        load_mnist(tmp_path / "m")
    images.write_bytes(good[:10])
    with pytest.raises(DataError, match="truncated IDX header"):
        load_mnist(tmp_path / "m")
    images.write_bytes(idx_bytes(arrays["train-images-idx3-ubyte"][:5], IMAGES_MAGIC))
    with pytest.raises(DataError, match="holds 5 images but .* holds 6 labels"):
        load_mnist(tmp_path / "m")
    images.write_bytes(gzip.compress(good)[:-8])
    with pytest.raises(DataError, match="corrupt or truncated gzip"):
        load_mnist(tmp_path / "m")


def test_mnist_labels_beyond_nine(tmp_path: Path) -> None:
    arrays = make_mnist(tmp_path / "m")
    labels = np.array([1, 12, 12, 3, 1, 1], dtype=np.uint8)
    (tmp_path / "m" / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels, LABELS_MAGIC))
    ds = load_mnist(tmp_path / "m")
    expected = np.unique(np.concatenate([labels, arrays["t10k-labels-idx1-ubyte"]]))
    np.testing.assert_array_equal(ds.classes, expected)
    np.testing.assert_array_equal(ds.classes[ds.y], labels)


# ----------------------------------------------------------------------------- CIFAR-10


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_cifar_python_round_trip(tmp_path: Path, protocol: int) -> None:
    batches = make_cifar_python(tmp_path / "c", protocol=protocol, meta=True)
    ds = load_cifar10(tmp_path / "c")
    assert ds.name == "cifar10" and ds.image_shape == (32, 32, 3)
    assert ds.X.dtype == np.float32 and ds.X.shape == (100, 3072)
    assert ds.X_test.shape == (20, 3072) and ds.y_test.shape == (20,)
    np.testing.assert_array_equal(ds.classes, np.arange(10))
    train = np.concatenate([data for data, _ in batches[:5]])
    np.testing.assert_array_equal(ds.X.reshape(100, 32, 32, 3), hwc(train))
    np.testing.assert_array_equal(ds.X_test.reshape(20, 32, 32, 3), hwc(batches[5][0]))
    # one pixel by hand: row 3 of batch 2, channel 2 (blue), height 5, width 7
    assert ds.X.reshape(100, 32, 32, 3)[23, 5, 7, 2] == batches[1][0][3, 2 * 1024 + 5 * 32 + 7]
    np.testing.assert_array_equal(ds.y, sum((labels for _, labels in batches[:5]), []))
    np.testing.assert_array_equal(ds.y_test, batches[5][1])
    assert ds.class_names is not None and ds.class_names[0] == "airplane"


def test_cifar_python_subfolder_via_load_dataset(tmp_path: Path) -> None:
    make_cifar_python(tmp_path / "c" / "cifar-10-batches-py", n=3)
    ds = load_dataset(f"cifar10:{tmp_path / 'c'}")
    assert ds.X.shape == (15, 3072) and ds.class_names is None


def test_cifar_python2_style_pickle(tmp_path: Path) -> None:
    """A protocol-2 pickle as Python 2 wrote it (byte strings, numpy.core module)."""
    pixels = bytes(range(256)) * 12
    body = (
        b"\x80\x02}q\x00(U\x04dataq\x01cnumpy.core.multiarray\n_reconstruct\nq\x02"
        b"cnumpy\nndarray\nq\x03K\x00\x85q\x04U\x01bq\x05\x87q\x06Rq\x07(K\x01K\x01M\x00\x0c"
        b"\x86q\x08cnumpy\ndtype\nq\tU\x02u1q\nK\x00K\x01\x87q\x0bRq\x0c(K\x03U\x01|q\rNNN"
        b"J\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tq\x0eb\x89T\x00\x0c\x00\x00"
        + pixels
        + b"q\x0ftq\x10bU\x06labelsq\x11]q\x12K\x07aU\x0bbatch_labelq\x13U\x03oneq\x14u."
    )
    (tmp_path / "data_batch_1").write_bytes(body)
    data, labels = read_python_batch(tmp_path / "data_batch_1")
    assert data.shape == (1, 3072) and data.dtype == np.uint8
    np.testing.assert_array_equal(data[0], np.frombuffer(pixels, np.uint8))
    np.testing.assert_array_equal(labels, [7])


def test_cifar_binary_round_trip(tmp_path: Path) -> None:
    batches = make_cifar_binary(tmp_path / "b" / "cifar-10-batches-bin")
    (tmp_path / "b" / "cifar-10-batches-bin" / "batches.meta.txt").write_text(
        "\n".join(f"name{i}" for i in range(10)) + "\n\n"
    )
    ds = load_dataset(f"cifar10:{tmp_path / 'b'}")
    train = np.concatenate([data for data, _ in batches[:5]])
    np.testing.assert_array_equal(ds.X.reshape(100, 32, 32, 3), hwc(train))
    assert ds.X.reshape(100, 32, 32, 3)[0, 31, 0, 1] == train[0, 1024 + 31 * 32]
    np.testing.assert_array_equal(ds.y_test, batches[5][1])
    assert ds.class_names == [f"name{i}" for i in range(10)]
    assert ds.X.dtype == np.float32


def test_cifar_missing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="CIFAR-10 directory not found"):
        load_cifar10(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no CIFAR-10 batches found.*data_batch_1"):
        load_cifar10(tmp_path / "empty")
    make_cifar_python(tmp_path / "c", n=2)
    (tmp_path / "c" / "data_batch_3").unlink()
    (tmp_path / "c" / "test_batch").unlink()
    with pytest.raises(DataError, match="missing CIFAR-10 batch file.*data_batch_3, test_batch"):
        load_cifar10(tmp_path / "c")
    make_cifar_binary(tmp_path / "b", n=2)
    (tmp_path / "b" / "data_batch_5.bin").unlink()
    with pytest.raises(DataError, match=r"missing .*data_batch_5\.bin"):
        load_cifar10(tmp_path / "b")


def test_cifar_corrupt(tmp_path: Path) -> None:
    make_cifar_python(tmp_path / "c", n=2)
    batch = tmp_path / "c" / "data_batch_2"
    good = batch.read_bytes()
    batch.write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match="data_batch_2: not a valid pickle.*truncated"):
        load_cifar10(tmp_path / "c")
    batch.write_bytes(pickle.dumps({b"data": np.zeros((2, 1024), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(DataError, match=r"data_batch_2.*\(N, 3072\)"):
        load_cifar10(tmp_path / "c")
    batch.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}))
    with pytest.raises(DataError, match="data_batch_2.*labels"):
        load_cifar10(tmp_path / "c")
    batch.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(DataError, match="expected a pickled dict"):
        load_cifar10(tmp_path / "c")
    batch.write_bytes(pickle.dumps({b"labels": [0]}))
    with pytest.raises(DataError, match="no 'data' entry"):
        load_cifar10(tmp_path / "c")
    batch.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}))
    with pytest.raises(DataError, match=r"data_batch_2.*\b10\b.*not among"):
        load_cifar10(tmp_path / "c")
    make_cifar_binary(tmp_path / "b", n=2)
    (tmp_path / "b" / "test_batch.bin").write_bytes(b"\x00" * (2 * 3073 - 1))
    with pytest.raises(DataError, match=r"test_batch\.bin: truncated.*6145 bytes.*3073"):
        load_cifar10(tmp_path / "b")


# ----------------------------------------------------------------------------- load_dataset


def test_load_dataset_digits() -> None:
    ds = load_dataset("digits")
    assert ds.X.shape == (1797, 64) and ds.X.dtype == np.float64
    assert ds.image_shape == (8, 8) and ds.name == "digits"
    assert ds.X.max() == 16 and ds.X.min() == 0
    np.testing.assert_array_equal(ds.classes, np.arange(10))
    assert ds.y.dtype == np.int64


def test_load_dataset_paths(tmp_path: Path) -> None:
    write_text(tmp_path / "d.CSV", "1,2,0\n3,4,1\n")
    assert load_dataset(str(tmp_path / "d.CSV")).X.shape == (2, 2)
    np.savez(tmp_path / "d.npz", X=np.ones((3, 2)), y=np.zeros(3))
    assert load_dataset(tmp_path / "d.npz").X.shape == (3, 2)
    assert load_dataset(tmp_path / "d.npz", label_column=None).y is None


@pytest.mark.parametrize("spec", ["imagenet", "data.txt", "", "cifar-10", "mnist:"])
def test_load_dataset_unknown_spec(spec: str) -> None:
    with pytest.raises(DataError, match="digits|DIR") as info:
        load_dataset(spec)
    if spec != "mnist:":
        for form in ("digits", "cifar10:DIR", "mnist:DIR", ".csv", ".npz"):
            assert form in str(info.value)


# ----------------------------------------------------------------------------- split


def test_split_stratified_and_deterministic() -> None:
    y = np.repeat([0, 1, 2], [100, 60, 40])
    X = np.arange(200, dtype=np.float32).reshape(200, 1)
    parts = train_val_test_split(X, y, val_fraction=0.1, test_fraction=0.2, seed=3)
    X_tr, y_tr, X_val, y_val, X_te, y_te = parts
    assert (len(y_tr), len(y_val), len(y_te)) == (140, 20, 40)
    assert X_tr.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(y_te), [20, 12, 8])
    np.testing.assert_array_equal(np.bincount(y_val), [10, 6, 4])
    rows = np.concatenate([X_tr, X_val, X_te]).ravel().astype(int)
    np.testing.assert_array_equal(np.sort(rows), np.arange(200))
    for Xp, yp in ((X_tr, y_tr), (X_val, y_val), (X_te, y_te)):
        np.testing.assert_array_equal(y[Xp.ravel().astype(int)], yp)
    again = train_val_test_split(X, y, val_fraction=0.1, test_fraction=0.2, seed=3)
    for a, b in zip(parts, again):
        np.testing.assert_array_equal(a, b)
    other = train_val_test_split(X, y, val_fraction=0.1, test_fraction=0.2, seed=4)
    assert not np.array_equal(other[0], parts[0])


def test_split_without_test_part() -> None:
    X, y = np.ones((30, 4)), np.repeat([0, 1], 15)
    X_tr, y_tr, X_val, y_val, X_te, y_te = train_val_test_split(X, y, test_fraction=0)
    assert X_te.shape == (0, 4) and y_te.shape == (0,)
    assert len(y_val) == 3 and len(y_tr) == 27
    X_tr, _, X_val, y_val, _, _ = train_val_test_split(X, y, val_fraction=0, test_fraction=0)
    assert X_tr.shape == (30, 4) and X_val.shape == (0, 4) and y_val.shape == (0,)


def test_split_too_few_examples() -> None:
    X, y = np.ones((21, 2)), np.array([0] * 10 + [1] * 10 + [7])
    with pytest.raises(DataError, match=r"class 7 has only 1 example.*at least 3"):
        train_val_test_split(X, y)
    with pytest.raises(DataError, match=r"test part would hold 1 of 21.*3 classes"):
        train_val_test_split(
            np.ones((21, 2)), np.repeat([0, 1, 2], 7), val_fraction=0, test_fraction=0.01
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"val_fraction": -0.1},
        {"test_fraction": 1.0},
        {"val_fraction": 0.5, "test_fraction": 0.5},
        {"val_fraction": "0.1"},
    ],
)
def test_split_bad_fractions(kwargs: dict) -> None:
    with pytest.raises(InputError, match="fraction"):
        train_val_test_split(np.ones((10, 1)), np.zeros(10), **kwargs)


def test_split_length_mismatch() -> None:
    with pytest.raises(DataError, match="lengths must match"):
        train_val_test_split(np.ones((10, 1)), np.zeros(9))


# ----------------------------------------------------------------------------- preprocessing


def test_standardize_fitted_on_train_only() -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(5, 3, (200, 4))
    test = rng.normal(-2, 1, (50, 4))
    pre = Preprocessor("standardize").fit(train)
    out = pre.transform(train)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-12)
    expected = (test - train.mean(axis=0)) / train.std(axis=0)
    np.testing.assert_allclose(pre.transform(test), expected, rtol=1e-12)


def test_preprocessing_kinds_and_dtypes() -> None:
    digits = load_dataset("digits").X
    scaled = Preprocessor("scale").fit_transform(digits)
    assert scaled.min() == 0 and scaled.max() == 1
    X = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    for kind in ("standardize", "center", "scale", "none"):
        assert Preprocessor(kind).fit(X).transform(X).dtype == np.float32
    np.testing.assert_array_equal(Preprocessor("center").fit_transform(X), [[-1, -2], [1, 2]])
    np.testing.assert_array_equal(Preprocessor("none").fit_transform(X), X)
    ints = np.array([[1, 2], [3, 4]])
    assert Preprocessor("standardize").fit_transform(ints).dtype == np.float64


def test_zero_variance_feature() -> None:
    X = np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]])
    out = Preprocessor("standardize").fit_transform(X)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:, 1], 0)
    zeros = Preprocessor("scale").fit_transform(np.zeros((3, 2)))
    assert np.isfinite(zeros).all()


def test_preprocessor_state_round_trip() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    pre = Preprocessor("standardize").fit(X)
    state = pre.state()
    assert set(state) == {"mean", "scale"} and state["mean"].shape == (3,)
    again = Preprocessor.from_state("standardize", state)
    np.testing.assert_array_equal(again.transform(X), pre.transform(X))
    with pytest.raises(InputError, match="lacks"):
        Preprocessor.from_state("standardize", {"mean": np.zeros(3)})
    with pytest.raises(InputError, match="positive"):
        Preprocessor.from_state("center", {"mean": np.zeros(3), "scale": np.zeros(3)})


def test_preprocessor_errors() -> None:
    with pytest.raises(InputError, match="not fitted"):
        Preprocessor("standardize").transform(np.ones((2, 2)))
    with pytest.raises(InputError, match="not fitted"):
        Preprocessor("scale").state()
    pre = Preprocessor("center").fit(np.ones((3, 4)))
    with pytest.raises(InputError, match="X has 3 features but .* fitted on 4"):
        pre.transform(np.ones((2, 3)))
    with pytest.raises(InputError, match="must be one of"):
        Preprocessor("minmax")


# ----------------------------------------------------------------------------- fuzzing


def _edit(valid: bytes, edits: list[tuple[int, int]]) -> bytes:
    data = bytearray(valid)
    for position, value in edits:
        data[position % len(data)] = value
    return bytes(data)


def corrupted(valid: bytes, header: int) -> st.SearchStrategy[bytes]:
    """Random bytes, truncations, and byte edits (in the header or anywhere) of ``valid``."""
    edits = st.tuples(st.integers(0, header - 1), st.integers(0, 255))
    anywhere = st.tuples(st.integers(0, len(valid) - 1), st.integers(0, 255))
    return st.one_of(
        st.binary(max_size=64),
        st.integers(0, len(valid) - 1).map(lambda k: valid[:k]),
        st.lists(edits, min_size=1, max_size=4).map(lambda e: _edit(valid, e)),
        st.lists(anywhere, min_size=1, max_size=4).map(lambda e: _edit(valid, e)),
    )


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_IDX_IMAGES = idx_bytes(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), IMAGES_MAGIC)
_IDX_LABELS = idx_bytes(np.array([1, 2], dtype=np.uint8), LABELS_MAGIC)


@FUZZ
@given(
    data=st.one_of(
        corrupted(_IDX_IMAGES, 16),
        corrupted(gzip.compress(_IDX_IMAGES), 16),
        corrupted(_IDX_LABELS, 8),
    )
)
def test_fuzz_idx(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(data)
    for magic in (IMAGES_MAGIC, LABELS_MAGIC):
        try:
            read_idx(path, magic)
        except DataError:
            pass


def _npz_bytes() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, X=np.arange(6.0).reshape(3, 2), y=np.array([0, 1, 1]))
    return buffer.getvalue()


@FUZZ
@given(data=corrupted(_npz_bytes(), 160))
def test_fuzz_npz(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.npz"
    path.write_bytes(data)
    try:
        ds = load_npz(path)
    except DataError:
        return
    assert ds.X.ndim == 2 and len(ds.y) == len(ds.X)


@FUZZ
@given(
    data=st.one_of(
        corrupted(b"a,b,label\n1,2,x\n3,4.5,y\n-1e3,7,x\n", 40),
        st.text(alphabet=st.sampled_from("0123456789.,-e\n\r\"' nai"), max_size=40).map(str.encode),
    )
)
def test_fuzz_csv(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    for label_column in (-1, 0, None):
        try:
            ds = load_csv(path, label_column=label_column)
        except DataError:
            continue
        assert ds.X.ndim == 2 and np.isfinite(ds.X).all()


_CIFAR_PICKLES = [
    pickle.dumps({b"data": np.full((1, 3072), 7, np.uint8), b"labels": [3]}, protocol=p)
    for p in (2, 4, 5)
]
_CIFAR_RECORD = bytes([3]) + bytes(3072)


@FUZZ
@given(data=st.one_of(*(corrupted(p, 120) for p in _CIFAR_PICKLES)))
def test_fuzz_cifar_python(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "data_batch_1"
    path.write_bytes(data)
    try:
        read_python_batch(path)
    except DataError:
        pass


@FUZZ
@given(data=corrupted(_CIFAR_RECORD * 2, 4))
def test_fuzz_cifar_binary(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(data)
    try:
        pixels, labels = read_binary_batch(path)
    except DataError:
        return
    assert pixels.shape == (len(labels), 3072)


def test_preprocessor_fit_needs_no_float64_copy_of_x():
    """Statistics are accumulated in row blocks: CIFAR-sized inputs are not copied whole."""
    import tracemalloc

    X = np.random.default_rng(0).standard_normal((100_000, 50)).astype(np.float32)
    tracemalloc.start()
    prep = Preprocessor("standardize").fit(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < X.nbytes / 2  # a float64 copy alone would be 2 * X.nbytes
    np.testing.assert_allclose(prep.state()["mean"], X.mean(axis=0, dtype=np.float64), atol=1e-12)
    np.testing.assert_allclose(prep.state()["scale"], X.astype(np.float64).std(axis=0),
                               rtol=1e-12)


def test_transform_in_place_when_asked():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    prep = Preprocessor("center").fit(X)
    copied = prep.transform(X)
    assert copied is not X and X[0, 0] == 0
    same = prep.transform(X, copy=False)
    assert same is X and np.array_equal(X, copied)


def test_preprocessing_keeps_the_columns_asked():
    X = np.array([[1.0, 0.0, 10.0], [3.0, 1.0, 30.0], [5.0, 0.0, 20.0]])
    prep = Preprocessor("standardize").fit(X, keep=[1])
    np.testing.assert_allclose(prep.transform(X)[:, 1], X[:, 1])
    np.testing.assert_allclose(prep.transform(X)[:, 0].mean(), 0.0, atol=1e-12)
    with pytest.raises(InputError, match="outside"):
        Preprocessor("standardize").fit(X, keep=[3])


def make_cifar100(directory: Path, n: int = 12) -> dict[str, tuple[np.ndarray, list[int]]]:
    """CIFAR-100's python version: train, test and meta pickles as its tarball holds them."""
    rng = np.random.default_rng(2)
    directory.mkdir(parents=True, exist_ok=True)
    parts = {}
    for name in ("train", "test"):
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        fine, coarse = rng.integers(0, 100, n).tolist(), rng.integers(0, 20, n).tolist()
        (directory / name).write_bytes(pickle.dumps(
            {b"filenames": [b"x.png"] * n, b"batch_label": b"b", b"fine_labels": fine,
             b"coarse_labels": coarse, b"data": data}, protocol=3))
        parts[name] = (data, fine)
    meta = {b"fine_label_names": [f"c{i}".encode() for i in range(100)],
            b"coarse_label_names": [f"s{i}".encode() for i in range(20)]}
    (directory / "meta").write_bytes(pickle.dumps(meta, protocol=3))
    return parts


def test_cifar100_python_version(tmp_path: Path) -> None:
    parts = make_cifar100(tmp_path / "c" / "cifar-100-python")
    ds = load_dataset(f"cifar100:{tmp_path / 'c'}")
    assert ds.name == "cifar100" and ds.image_shape == (32, 32, 3) and len(ds.classes) == 100
    data, fine = parts["train"]
    np.testing.assert_array_equal(ds.X.reshape(12, 32, 32, 3)[3, 4, 5],
                                  data.reshape(12, 3, 32, 32)[3, :, 4, 5])
    np.testing.assert_array_equal(ds.classes[ds.y], fine)
    np.testing.assert_array_equal(ds.classes[ds.y_test], parts["test"][1])
    assert ds.class_names[7] == "c7"
    with pytest.raises(DataError, match="holds CIFAR-100.*give cifar100:"):
        load_dataset(f"cifar10:{tmp_path / 'c' / 'cifar-100-python'}")
    make_cifar_python(tmp_path / "ten")
    with pytest.raises(DataError, match="missing CIFAR-100 file.*CIFAR-10's batches"):
        load_dataset(f"cifar100:{tmp_path / 'ten'}")


def test_missing_code_finds_a_code_far_from_the_other_values():
    from numpynn.data.csv_file import missing_code

    values = np.array([0, 1, 2, -99, 3, 4, -99, 5, 6, np.nan])
    code, count, lo, hi = missing_code(values)
    assert (code, count) == (-99.0, 2) and (lo, hi) == (0.0, 6.0)
    assert missing_code(np.array([20.0, 50, 99, 80, 99, 98])) is None  # ages
    assert missing_code(np.array([0.0, 1, 2, -99, 3])) is None  # one cell: a value
    assert missing_code(np.array([-99.0, -99, -99])) is None  # nothing else to compare


def test_csv_numeric_labels_with_decimal_commas_are_the_numbers(tmp_path: Path) -> None:
    """In a file separated by ; a label '2,0' is the class 2, as '2.0' is in a comma file:
    not a class of its own beside '2'."""
    cells = ["1,0", "2", "1", "2,0", "3,0", "3"] * 4
    lines = ["a;b;grade"] + [f"{i},5;{i % 3};{c}" for i, c in enumerate(cells)]
    ds = load_csv(write_text(tmp_path / "g.csv", "\n".join(lines) + "\n"))
    assert ds.classes.tolist() == [1, 2, 3]
    np.testing.assert_array_equal(ds.classes[ds.y], [int(c[0]) for c in cells])
    text = ["a,b", "c", "a,b", "c"]  # text labels with a comma stay as written
    lines = ["a;label"] + [f"{i};{c}" for i, c in enumerate(text)]
    assert load_csv(write_text(tmp_path / "t.csv", "\n".join(lines) + "\n")).classes.tolist() \
        == ["a,b", "c"]
