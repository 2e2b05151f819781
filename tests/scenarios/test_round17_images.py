"""Image data as users have it, round 17 of the probes (branch images17).

Each case failed on the code before it: the colours that transparent pixels of a PNG
hold (garbage an editor left there, invisible in any viewer) were read as its pixels;
a folder of icons (.ico), Targa (.tga) or other images Pillow reads was "a directory;
name what it holds", and so were images saved without an ending (``IMG_0001``, a
browser's ``photo.jpg_large``); ``--data .`` named its notes ":" (the name of ``.``);
a zip of class folders was told to "unzip it and give the CSV file"; photos of every
size were all enlarged to the largest of them (12 photos: a model of 146 million
parameters).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from numpynn.data.image_folder import MIXED_SIDE, load_image_files, load_image_folder
from tests.clirun import numpynn


def _classes(root: Path, n: int = 3, size=(10, 8), ext: str = "png", seed: int = 0,
             **save) -> Path:
    """root/dark and root/bright, ``n`` RGB images each, saved as ``ext``."""
    rng = np.random.default_rng(seed)
    for name, level in (("dark", 0), ("bright", 140)):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            pixels = rng.integers(level, level + 110, size=(*size, 3)).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.{ext}", **save)
    return root


def test_transparent_pixels_are_read_on_white_not_as_the_colours_they_hold(tmp_path):
    rgb = np.full((4, 6, 3), (10, 200, 30), np.uint8)
    alpha = np.full((4, 6), 255, np.uint8)
    alpha[:, :2], alpha[:, 2] = 0, 128  # transparent, half transparent
    rgb[:, :2] = (250, 3, 99)  # garbage under the transparent pixels
    Image.fromarray(np.dstack([rgb, alpha])).save(tmp_path / "rgba.png")
    grey = np.dstack([np.full((4, 6), 40, np.uint8), alpha])
    Image.fromarray(grey, mode="LA").save(tmp_path / "la.png")
    pal = Image.fromarray(np.full((4, 6), 1, np.uint8), mode="P")
    pal.putpalette([0, 0, 0, 90, 90, 90] + [0] * 762)
    pal.save(tmp_path / "p.png", transparency=1)  # a palette's transparent colour
    x = load_image_files([tmp_path / "rgba.png"]).X.reshape(4, 6, 3)
    np.testing.assert_array_equal(x[:, :2], 255)
    np.testing.assert_array_equal(x[:, 3:], np.broadcast_to([10, 200, 30], (4, 3, 3)))
    assert 125 < x[0, 2, 0] < 135  # half of 10, half of white
    la = load_image_files([tmp_path / "la.png"]).X.reshape(4, 6)
    np.testing.assert_array_equal(la[:, :2], 255)
    np.testing.assert_array_equal(la[:, 3:], 40)
    p = load_image_files([tmp_path / "p.png"])
    assert p.image_shape == (4, 6)  # a grey palette stays one channel
    np.testing.assert_array_equal(p.X, 255)


def test_icons_targa_and_the_other_images_pillow_reads_are_images(tmp_path):
    for ext in ("ico", "tga", "pcx", "dib"):
        ds = load_image_folder(_classes(tmp_path / ext, ext=ext))
        assert ds.X.shape == (6, 240) and list(ds.classes) == ["bright", "dark"], ext


def test_images_without_an_image_ending_are_known_by_their_first_bytes(tmp_path):
    root = _classes(tmp_path / "pets")
    for i, p in enumerate(sorted(root.rglob("*.png"))):
        p.rename(p.with_name(["IMG_0001", "photo.jpg_large", "scan.0001"][i % 3]))
    (root / "dark" / "README").write_text("dark pets, photographed at night\n")
    ds = load_image_folder(root)
    assert ds.X.shape == (6, 240) and "bright/IMG_0001" in ds.ids
    assert any("README" in note for note in ds.notes)  # no image: skipped with a note
    proc = numpynn("train", "--data", "pets", "--epochs", "1", "--out", "run", "--quiet",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = numpynn("predict", "run", "--data", "pets/dark/IMG_0001", cwd=tmp_path)
    assert proc.returncode == 0 and "IMG_0001," in proc.stdout, proc.stderr


def test_the_current_folder_given_as_dot_names_its_notes_by_its_name(tmp_path,
                                                                    monkeypatch):
    root = _classes(tmp_path / "pets", n=4)
    Image.new("RGB", (5, 5)).save(root / "dark" / "small.png")  # resized: a note
    monkeypatch.chdir(root)
    ds = load_image_folder(".")
    assert ds.name == "pets" and ds.notes
    assert all(note.startswith("pets: ") for note in ds.notes), ds.notes
    monkeypatch.chdir(root / "dark")
    one = load_image_files(["small.png", "0.png"])
    assert one.notes and one.notes[0].startswith("dark: "), one.notes


def test_a_zip_of_class_folders_says_to_unzip_it_and_give_the_folder(tmp_path):
    root = _classes(tmp_path / "pets")
    with zipfile.ZipFile(tmp_path / "pets.zip", "w") as zf:
        for p in sorted(root.rglob("*.png")):
            zf.write(p, p.relative_to(tmp_path).as_posix())
    proc = numpynn("train", "--data", "pets.zip", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "CSV" not in proc.stderr and "unzip pets.zip" in proc.stderr
    assert "--data pets" in proc.stderr
    (tmp_path / "data").mkdir()  # elsewhere: unzipped beside it, where --data says
    (tmp_path / "pets.zip").rename(tmp_path / "data" / "pets.zip")
    proc = numpynn("train", "--data", "data/pets.zip", "--out", "run", cwd=tmp_path)
    assert "unzip data/pets.zip -d data)" in proc.stderr and "--data data/pets" in proc.stderr


def test_photos_of_every_size_are_read_at_their_median_size_made_small(tmp_path):
    rng = np.random.default_rng(1)
    sizes = [(300, 200), (400, 260), (500, 330), (200, 140), (900, 600), (350, 240)]
    for i, (h, w) in enumerate(sizes):
        (tmp_path / "pets" / "ab"[i % 2]).mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(
            tmp_path / "pets" / "ab"[i % 2] / f"{i}.png")
    ds = load_image_folder(tmp_path / "pets")
    h, w, _ = ds.image_shape
    assert max(h, w) == MIXED_SIDE and 1.3 < h / w < 1.6  # the photos' aspect, small
    assert any("median size" in note for note in ds.notes), ds.notes
    # a size that most images share is kept, as it was
    for i in range(3):
        Image.new("RGB", (200, 300)).save(tmp_path / "pets" / "a" / f"s{i}.png")
    Image.new("RGB", (200, 300)).save(tmp_path / "pets" / "b" / "s.png")
    assert load_image_folder(tmp_path / "pets").image_shape == (300, 200, 3)


def test_copies_of_an_image_in_two_classes_or_in_both_splits_are_named(tmp_path):
    root = tmp_path / "pets"
    _classes(root / "train")
    _classes(root / "test", seed=1)
    (root / "train" / "bright" / "copy.png").write_bytes(
        (root / "train" / "dark" / "0.png").read_bytes())
    (root / "test" / "dark" / "again.png").write_bytes(
        (root / "train" / "dark" / "1.png").read_bytes())
    notes = load_image_folder(root).notes
    both = [n for n in notes if "two classes" in n]
    leak = [n for n in notes if "training images too" in n]
    assert both and "train/bright/copy.png" in both[0] and "train/dark/0.png" in both[0]
    assert leak and "test/dark/again.png" in leak[0]
    assert not any("same pixels" in n for n in load_image_folder(root / "test").notes)


def _rgba_classes(root: Path) -> Path:
    """root/a and root/b, RGBA images whose transparent pixels hold the class's colours,
    of three sizes, none shared by half of them (20x20 the most common): the two ways of
    reading (IMAGE_READER 1 and 2) read them differently."""
    rng = np.random.default_rng(0)
    sizes = [(20, 20)] * 4 + [(30, 30)] * 3 + [(40, 40)] * 3
    for name, level in (("a", 0), ("b", 150)):
        (root / name).mkdir(parents=True)
        for i, (h, w) in enumerate(sizes):
            pixels = rng.integers(level, level + 100, (h, w, 4)).astype(np.uint8)
            pixels[..., 3] = np.where(rng.random((h, w)) > 0.5, 255, 0)
            Image.fromarray(pixels, "RGBA").save(root / name / f"{i}.png")
    return root


def test_a_run_trained_before_the_new_reading_resumes_and_predicts_as_it_read(
        tmp_path, monkeypatch):
    """A checkpoint and a model written before transparency was flattened and photos of
    every size read at their median size (they record no IMAGE_READER) read their images
    as they did: a resume was refused as "the data changed", and an RGBA model's
    predictions changed (50% where they were 100%)."""
    from numpynn.data.image_folder import read_images
    from numpynn.model_file import load_model, read_container, write_container
    from numpynn.runs import run

    _rgba_classes(tmp_path / "icons")
    with monkeypatch.context() as old:  # trained the old way, then its records removed
        old.setattr(run, "IMAGE_READER", 1)
        result = numpynn("train", "--data", "icons", "--epochs", "2", "--out", "r",
                         "--quiet", "--no-report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name, kind in (("checkpoint.npz", "checkpoint"), ("model.npz", "model")):
        header, arrays = read_container(tmp_path / "r" / name, kind)
        place = header["extra"] if kind == "checkpoint" else header["metadata"]
        assert place.pop("image_reader") == 1
        write_container(tmp_path / "r" / name, header, arrays)
    saved = load_model(tmp_path / "r")
    assert saved.image_reader == 1 and saved.metadata["image_shape"] == [20, 20, 3]
    image = tmp_path / "icons" / "a" / "5.png"
    old_way = read_images([image], (20, 20, 3), reader=1)
    assert not np.array_equal(old_way, read_images([image], (20, 20, 3), reader=2))
    np.testing.assert_array_equal(saved.transform([image]),
                                  saved.preprocessor().transform(old_way))
    resumed = numpynn("train", "--resume", "r", "--epochs", "3", "--quiet", "--no-report",
                      cwd=tmp_path)
    assert resumed.returncode == 0 and "changed" not in resumed.stderr, resumed.stderr
    # a run of today records its reading, and reads the folder the new way
    fresh = numpynn("train", "--data", "icons", "--epochs", "1", "--out", "n", "--quiet",
                    "--no-report", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert load_model(tmp_path / "n").image_reader == 2
    assert read_container(tmp_path / "n" / "checkpoint.npz", "checkpoint")[0]["extra"][
        "image_reader"] == 2
