"""An ensemble in one model file (format version 3): every member's arrays saved and
loaded bit for bit, predictions equal after the round trip, a single network's file still
version 2, and tampered ensemble headers refused with the file named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from numpynn.data import Preprocessor
from numpynn.ensemble import Ensemble
from numpynn.errors import InputError, ModelFileError
from numpynn.model_file import HEADER_KEY, SavedModel, load_model, save_model
from numpynn.models import MLP


def make_saved(k: int = 3, dtype: str = "float32", classes=("a", "b", "c", "d")):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 16, size=(40, 6))
    nets = [MLP(6, [9], 4, reg=1e-3, dtype=dtype, seed=s) for s in range(k)]
    for net in nets:  # non-zero biases, so every array matters
        for v in net.params.values():
            v += rng.normal(scale=0.1, size=v.shape).astype(v.dtype)
    pre = Preprocessor("standardize").fit(X)
    saved = SavedModel(Ensemble(nets), np.asarray(classes),
                       {"kind": "standardize", "state": pre.state()}, {"data": "test"})
    return saved, X


def rewrite(path: Path, edit) -> None:
    """Apply ``edit(header, arrays)`` to the file's contents and write them back."""
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(bytes(arrays.pop(HEADER_KEY)).decode())
    edit(header, arrays)
    arrays[HEADER_KEY] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_keeps_every_member_and_predicts_the_same(tmp_path, dtype):
    saved, X = make_saved(dtype=dtype)
    path = save_model(tmp_path / "model.npz", saved)
    loaded = load_model(path)
    assert isinstance(loaded.model, Ensemble) and loaded.model.n_members == 3
    for a, b in zip(saved.model.members, loaded.model.members):
        assert a.params.keys() == b.params.keys()
        for key in a.params:
            np.testing.assert_array_equal(a.params[key], b.params[key])
            assert b.params[key].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded.predict_proba(X), saved.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), saved.predict(X))
    # the probabilities are the members' mean, each member loaded as a network of its own
    by_hand = np.mean([m.predict_proba(loaded.transform(X)) for m in loaded.model.members],
                      axis=0)
    np.testing.assert_allclose(loaded.predict_proba(X), by_hand, rtol=1e-6)


def test_header_records_members_and_a_single_network_stays_version_2(tmp_path):
    saved, _ = make_saved(k=2)
    path = save_model(tmp_path / "ens.npz", saved)
    with np.load(path) as npz:
        header = json.loads(bytes(npz[HEADER_KEY]).decode())
        names = set(npz.files)
    assert header["format_version"] == 3 and header["n_members"] == 2
    assert {"member0/param/W1", "member1/param/W2"} <= names
    assert not any(n.startswith("param/") for n in names)
    single = SavedModel(saved.model.members[0], saved.classes, saved.preprocessing, {})
    with np.load(save_model(tmp_path / "one.npz", single)) as npz:
        header = json.loads(bytes(npz[HEADER_KEY]).decode())
    assert header["format_version"] == 2 and "n_members" not in header


def test_members_of_different_architectures_are_refused(tmp_path):
    saved, _ = make_saved(k=2)
    saved.model.members[1].reg = 0.5
    with pytest.raises(InputError, match="members\\[1\\]"):
        save_model(tmp_path / "m.npz", saved)


@pytest.mark.parametrize("edit, match", [
    (lambda h, a: h.update(n_members=5), "belongs to no member|do not match"),
    (lambda h, a: h.update(n_members=1.5), "ensemble members"),
    (lambda h, a: h.update(n_members=0), "ensemble members"),
    (lambda h, a: h.update(format_version=2), "ensemble members"),
    (lambda h, a: h.pop("n_members"), "declares no members"),
    (lambda h, a: a.update({"member9/param/W1": a["member0/param/W1"]}), "no member"),
    (lambda h, a: a.update({"member1/param/W1": np.zeros((2, 2), np.float32)}),
     "do not match"),
    (lambda h, a: a["member1/param/b1"].__setitem__(0, np.nan), "NaN"),
], ids=["more-members", "float-count", "zero", "version-2", "no-count", "stray-member",
        "bad-shape", "nan"])
def test_tampered_ensemble_files_are_refused(tmp_path, edit, match):
    saved, _ = make_saved(k=2)
    path = save_model(tmp_path / "model.npz", saved)
    rewrite(path, edit)
    with pytest.raises(ModelFileError, match=match) as info:
        load_model(path)
    assert str(path) in str(info.value)
