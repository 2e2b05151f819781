"""Tests of numpynn.model_file: model files that reproduce predictions bit for bit, atomic writes,
and damaged, foreign or hostile files rejected with ModelFileError naming the path."""

from __future__ import annotations

import json
import os
import pickle
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpynn import MLP
from numpynn.data import Preprocessor
from numpynn.errors import InputError, ModelFileError
from numpynn.model_file import (
    HEADER_KEY,
    SUPPORTED_VERSIONS,
    SavedModel,
    load_model,
    read_container,
    save_model,
    write_container,
    write_json_atomic,
)
from numpynn.training.trainer import TrainConfig, Trainer

PREP_KINDS = ("standardize", "center", "scale", "none")


def make_saved(dtype="float32", classes=None, prep="standardize", seed=0, D=12, C=4):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 16, size=(50, D))
    model = MLP(D, [9, 7], C, reg=1e-3, dtype=dtype, seed=seed)
    for v in model.params.values():  # non-zero biases, so every array matters
        v += rng.normal(scale=0.1, size=v.shape).astype(v.dtype)
    classes = np.arange(C) if classes is None else np.asarray(classes)
    pre = Preprocessor(prep).fit(X)
    saved = SavedModel(model, classes, {"kind": prep, "state": pre.state()},
                       {"data": "test", "metrics": {"test": {"accuracy": 0.5}}})
    return saved, X


def expect_model_file_error(path: Path, match: str | None = None) -> ModelFileError:
    with pytest.raises(ModelFileError, match=match) as info:
        load_model(path)
    assert str(path) in str(info.value), "the message names the file"
    return info.value


# ------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("prep", PREP_KINDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("classes", [None, ["cat", "dog", "émeu", "a b,c"], [3, 10, 20, 99]],
                         ids=["int-range", "strings", "int-labels"])
def test_save_load_predict_bit_identical(tmp_path, prep, dtype, classes):
    saved, X = make_saved(dtype, classes, prep)
    path = save_model(tmp_path / "model.npz", saved)
    loaded = load_model(path)
    assert loaded.model.config() == saved.model.config()
    assert loaded.model.dtype == np.dtype(dtype)
    for k, v in saved.model.params.items():
        assert loaded.model.params[k].dtype == v.dtype
        assert np.array_equal(loaded.model.params[k], v), k
    assert loaded.preprocessing["kind"] == prep
    p0, p1 = saved.predict_proba(X), loaded.predict_proba(X)
    assert p1.dtype == np.dtype(dtype)
    assert np.array_equal(p0, p1)
    assert np.array_equal(saved.predict(X), loaded.predict(X))
    assert list(loaded.classes) == list(saved.classes)
    assert loaded.predict(X)[0] in list(saved.classes)
    assert loaded.metadata == saved.metadata


def test_default_preprocessing_round_trip(tmp_path):
    """SavedModel's default preprocessing ('none' without statistics) saves and loads."""
    model = MLP(5, [4], 3, seed=1)
    saved = SavedModel(model, np.array([0, 1, 2]))
    X = np.random.default_rng(0).normal(size=(6, 5))
    loaded = load_model(save_model(tmp_path / "m.npz", saved))
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_string_classes_are_returned_as_strings(tmp_path):
    saved, X = make_saved(classes=["b", "a", "c", "d"])
    loaded = load_model(save_model(tmp_path / "m.npz", saved))
    assert loaded.classes.dtype.kind == "U"
    assert set(loaded.predict(X)) <= {"a", "b", "c", "d"}


# ----------------------------------------------------------------------------- atomic


def test_save_leaves_no_temporary_files(tmp_path):
    saved, _ = make_saved()
    save_model(tmp_path / "model.npz", saved)
    save_model(tmp_path / "model.npz", saved)  # overwrite
    write_json_atomic(tmp_path / "h.json", {"a": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.json", "model.npz"]


def test_a_path_under_home_is_written_where_it_is_read_back(tmp_path, monkeypatch):
    """``save_model("~/m.npz")`` (and every write by the output policy: checkpoints, JSON,
    predictions) expands ``~`` as load_model does: the file was written under a directory
    named ``~`` in the working directory, and load_model("~/m.npz") then did not find it."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    saved, _ = make_saved()
    written = save_model("~/models/m.npz", saved)
    assert written == tmp_path / "home" / "models" / "m.npz" and written.is_file()
    assert load_model("~/models/m.npz").model.config() == saved.model.config()
    write_json_atomic(Path("~/h.json"), {"a": 1})
    assert (tmp_path / "home" / "h.json").is_file()
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize("opened", [lambda p: open(p, "wb"), lambda p: __import__("io").BytesIO()])
def test_an_open_file_is_refused_as_load_model_refuses_it(tmp_path, opened):
    saved, _ = make_saved()
    fh = opened(tmp_path / "m.npz")
    with fh, pytest.raises(InputError, match="must be a path .* numpynn opens the file itself"):
        save_model(fh, saved)


def test_save_creates_missing_directories(tmp_path):
    saved, _ = make_saved()
    path = save_model(tmp_path / "a" / "b" / "model.npz", saved)
    assert load_model(path).model.config() == saved.model.config()


def test_failing_save_keeps_the_existing_file(tmp_path, monkeypatch):
    saved, _ = make_saved()
    path = save_model(tmp_path / "model.npz", saved)
    before = path.read_bytes()
    other, _ = make_saved(seed=5)

    def broken_savez(fh, **arrays):
        fh.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="No space left"):
        save_model(path, other)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    monkeypatch.undo()
    assert np.array_equal(load_model(path).model.params["W1"], saved.model.params["W1"])


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saved_files_get_ordinary_permissions(tmp_path):
    """Atomic writes go through a private temporary file; the result must still get the
    usual permissions (0666 minus the umask), like any file the user creates."""
    mask = os.umask(0o022)
    try:
        saved, _ = make_saved()
        model = save_model(tmp_path / "model.npz", saved)
        js = write_json_atomic(tmp_path / "h.json", {})
    finally:
        os.umask(mask)
    assert stat.S_IMODE(model.stat().st_mode) == 0o644
    assert stat.S_IMODE(js.stat().st_mode) == 0o644


def test_object_arrays_are_refused_on_write(tmp_path):
    with pytest.raises(ValueError, match="object"):
        write_container(tmp_path / "x.npz", {"kind": "model"},
                        {"a": np.array([{"x": 1}], dtype=object)})
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ damaged files


@pytest.fixture
def model_file(tmp_path):
    saved, X = make_saved()
    path = save_model(tmp_path / "model.npz", saved)
    return path, saved, X


def _member_payload(path: Path, name: str) -> tuple[int, int]:
    """(offset, length) in the file of the numbers of array ``name``: np.savez stores each
    array as an uncompressed ``name.npy`` zip member; skip the zip local header and the
    .npy header."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name + ".npy")
    assert info.compress_type == zipfile.ZIP_STORED
    raw = path.read_bytes()
    local = info.header_offset
    assert raw[local : local + 4] == b"PK\x03\x04"
    name_len = int.from_bytes(raw[local + 26 : local + 28], "little")
    extra_len = int.from_bytes(raw[local + 28 : local + 30], "little")
    start = local + 30 + name_len + extra_len
    assert raw[start : start + 6] == b"\x93NUMPY"
    if raw[start + 6] == 1:
        npy_header = 10 + int.from_bytes(raw[start + 8 : start + 10], "little")
    else:
        npy_header = 12 + int.from_bytes(raw[start + 8 : start + 12], "little")
    return start + npy_header, info.file_size - npy_header


@pytest.mark.parametrize("fraction", [0.0, 0.001, 0.01, 0.1, 0.33, 0.5, 0.9, 0.99, 0.999])
def test_truncated_file(model_file, fraction):
    path, _, _ = model_file
    data = path.read_bytes()
    cut = int(len(data) * fraction)
    path.write_bytes(data[:cut])
    expect_model_file_error(path)


def test_truncated_by_one_byte(model_file):
    path, _, _ = model_file
    path.write_bytes(path.read_bytes()[:-1])
    expect_model_file_error(path)


@pytest.mark.parametrize("member", ["param/W1", "param/b2", "param/W3", "prep/mean", HEADER_KEY])
def test_flipped_byte_in_an_array_payload_is_detected(model_file, member):
    """np.savez stores members uncompressed; a flipped bit inside the numbers must still
    be caught (the zip CRC-32 of each member), never load different parameters."""
    path, _, _ = model_file
    offset, length = _member_payload(path, member)
    original = path.read_bytes()
    with np.load(path) as npz:
        assert original[offset : offset + length] == npz[member].tobytes() != b""
    for pos in (offset, offset + length // 2, offset + length - 1):
        for bit in (0x01, 0x80):
            data = bytearray(original)
            data[pos] ^= bit
            path.write_bytes(bytes(data))
            expect_model_file_error(path)


def test_flipped_bytes_anywhere_never_load_different_params(model_file):
    path, saved, X = model_file
    original = path.read_bytes()
    expected = saved.predict_proba(X)
    rng = np.random.default_rng(0)
    positions = rng.choice(len(original), size=150, replace=False)
    for pos in positions:
        data = bytearray(original)
        data[pos] ^= 1 << int(rng.integers(8))
        path.write_bytes(bytes(data))
        try:
            loaded = load_model(path)
        except ModelFileError as exc:
            assert str(path) in str(exc)
            continue
        # a flip in zip bookkeeping that does not touch any content may load: then the
        # model must be exactly the saved one
        assert np.array_equal(loaded.predict_proba(X), expected), f"byte {pos}"
        assert loaded.metadata == saved.metadata


def test_newer_format_version(tmp_path):
    saved, _ = make_saved()
    path = save_model(tmp_path / "model.npz", saved)
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(bytes(arrays[HEADER_KEY]).decode())
    header["format_version"] = max(SUPPORTED_VERSIONS) + 1  # 3 is an ensemble file
    arrays[HEADER_KEY] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    expect_model_file_error(path, match="newer.*upgrade numpynn")


def test_npz_without_header(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, W1=np.zeros((2, 2)), b1=np.zeros(2))
    expect_model_file_error(path, match="no header")


def test_npz_with_a_foreign_header(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, **{HEADER_KEY: np.frombuffer(b'{"format": "other"}', dtype=np.uint8)})
    expect_model_file_error(path, match="not a numpynn")


def test_header_that_lies_about_the_parameters(tmp_path):
    saved, _ = make_saved()
    header = {"kind": "model", "architecture": saved.model.config(),
              "param_keys": list(saved.model.params), "preprocessing": "none",
              "metadata": {}}
    path = write_container(tmp_path / "m.npz", header,
                           {"param/W1": saved.model.params["W1"], "classes": np.arange(4)})
    expect_model_file_error(path)


def test_pickle_renamed_to_npz_is_not_executed(tmp_path):
    marker = tmp_path / "PWNED"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps({"W1": Evil()}, protocol=4))
    for proto in (0, 2, 4, 5):
        path.write_bytes(pickle.dumps(Evil(), protocol=proto))
        expect_model_file_error(path)
        assert not marker.exists(), f"unpickling ran code (protocol {proto})"


def test_npz_with_a_pickled_object_array_is_not_executed(tmp_path):
    marker = tmp_path / "PWNED"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    saved, _ = make_saved()
    path = save_model(tmp_path / "model.npz", saved)
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["param/W1"] = np.array([Evil()], dtype=object)
    np.savez(path, **arrays)
    marker.unlink(missing_ok=True)
    expect_model_file_error(path)
    assert not marker.exists()


def test_single_npy_array_renamed(tmp_path):
    path = tmp_path / "model.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.zeros(3))
    expect_model_file_error(path)


def test_text_file_renamed(tmp_path):
    path = tmp_path / "model.npz"
    path.write_text("a,b,c\n1,2,3\n")
    expect_model_file_error(path)


def test_checkpoint_given_where_a_model_is_expected(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 5)), rng.integers(0, 3, size=20)
    trainer = Trainer(MLP(5, [4], 3, seed=0), X, y, config=TrainConfig(epochs=1, batch_size=8))
    trainer.train()
    path = trainer.save_checkpoint(tmp_path / "checkpoint.npz")
    expect_model_file_error(path, match="checkpoint")
    # and the other way round
    saved, _ = make_saved()
    model_path = save_model(tmp_path / "model.npz", saved)
    with pytest.raises(ModelFileError, match="not a checkpoint") as info:
        read_container(model_path, "checkpoint")
    assert str(model_path) in str(info.value)


def test_directory(tmp_path):
    expect_model_file_error(tmp_path, match="directory")


def test_missing_file(tmp_path):
    expect_model_file_error(tmp_path / "nope" / "model.npz", match="does not exist")


_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                          st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5))
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.one_of(st.text(max_size=4), st.integers(),
                                                      st.booleans()), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(_json_values)
def test_json_text_is_strict_json_of_the_safe_value(value):
    """Whatever history, metadata or table a run writes: strict JSON (NaN and infinities
    as null), the same document as json.dumps of json_safe gives, plain lists on a line."""
    from numpynn.model_file import json_safe, json_text

    text = json_text(value)
    assert json.loads(text) == json.loads(json.dumps(json_safe(value), allow_nan=False))
    for line in text.splitlines():
        assert not line.endswith(" ")


def test_a_long_history_is_written_with_its_numbers_on_one_line(tmp_path):
    losses = [float(x) for x in np.linspace(0, 1, 5000)] + [float("nan")]
    path = write_json_atomic(tmp_path / "h.json", {"step_loss": losses, "epochs": [1, 2]})
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[1].startswith('  "step_loss": [0.0, ')
    assert json.loads(path.read_text())["step_loss"][-1] is None


def test_a_missing_model_path_names_what_it_most_likely_meant(tmp_path, monkeypatch):
    """load_model('run/model') (np.load's habit of leaving the ending off) and a run
    directory's name mistyped: "does not exist; check the path" alone."""
    saved, _ = make_saved()
    save_model(tmp_path / "run" / "model.npz", saved)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelFileError, match=r"run/model does not exist .*; did you mean "
                                             r"run/model.npz\?"):
        load_model("run/model")
    with pytest.raises(ModelFileError, match=r"rn does not exist .*; did you mean run\?"):
        load_model("rn")
    with pytest.raises(ModelFileError, match=r"zzz does not exist .*; check the path\."):
        load_model("zzz")


@pytest.mark.parametrize("name,content,said", [
    ("m.onnx", b"\x08\x08\x12\x07numpynn", "it is an ONNX graph, as numpynn export writes one"),
    ("p.csv", b"prediction\nsetosa\n", "it is a text file, not an .npz (zip) archive: a table, "
                                       "a JSON or a prediction file? A table is read with "
                                       "`data`"),
])
def test_a_file_of_another_kind_given_as_the_model_is_named(tmp_path, name, content, said):
    """numpynn evaluate m.onnx (the export) or p.csv (the predictions): "it is not an .npz
    (zip) archive" alone."""
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ModelFileError) as info:
        load_model(tmp_path / name)
    assert said in str(info.value)
