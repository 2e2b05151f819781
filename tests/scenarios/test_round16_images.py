"""Image data as users have it, round 16 of the probes (branch images16).

Each case failed on the code before it: ``SavedModel.predict("cat.png")`` (a path, a list
of paths, a Pillow image) of a model trained on a folder of images was "X has shape ()",
and one image array (H, W, C) or images of the other channel count were named as pixel
counts only; a
table listing image files beside their labels (Kaggle's train.csv) trained on its file
names, one-hot (or, of 20 rows or more, "no feature column is left"), and the folder's
own error pointed to that table; a folder of grey GIFs (Pillow opens them as
palette images) was read as RGB, three times the memory and inputs of its grey pixels; a
photo beyond Pillow's pixel warning printed Pillow's DecompressionBombWarning naming
neither the file nor what to do, and a 90-megapixel one read at 10x8 took 900 MB (a
float plane of the whole photo) where 200 MB do; ...
"""

from __future__ import annotations

import csv
import io
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numpynn.data.image_folder import load_image_folder
from numpynn.errors import InputError
from numpynn.model_file import load_model
from tests.clirun import numpynn


def _classes(root: Path, n: int = 3, size=(10, 8), ext: str = "png", grey: bool = False,
             seed: int = 0) -> Path:
    """root/dark and root/bright, ``n`` images each (grey or RGB), saved as ``ext``."""
    rng = np.random.default_rng(seed)
    for name, level in (("dark", 0), ("bright", 140)):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            shape = size if grey else (*size, 3)
            pixels = rng.integers(level, level + 110, size=shape).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.{ext}")
    return root


def test_grey_gifs_and_grey_palette_pngs_are_read_as_one_channel(tmp_path):
    root = _classes(tmp_path / "gifs", ext="gif", grey=True)
    Image.fromarray(np.full((10, 8), 77, np.uint8)).convert("P").save(root / "dark" / "p.png")
    assert Image.open(root / "dark" / "0.gif").mode == "P"  # how Pillow opens them
    ds = load_image_folder(root)
    assert ds.image_shape == (10, 8) and ds.X.shape == (7, 80)
    row = ds.ids.index("dark/p.png")
    np.testing.assert_array_equal(ds.X[row], 77)  # the grey values as stored
    # a palette of colours stays RGB
    Image.fromarray(np.full((10, 8, 3), (200, 10, 10), np.uint8)).convert("P").save(
        root / "bright" / "red.png")
    assert load_image_folder(root).image_shape == (10, 8, 3)


def test_a_photo_beyond_pillows_warning_is_read_without_it(tmp_path, monkeypatch):
    root = _classes(tmp_path / "photos", size=(6, 5))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 20)  # the 30-pixel images: warned
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = load_image_folder(root)
    assert ds.X.shape == (6, 90)


def test_a_large_photo_is_reduced_before_its_pixels_become_floats(tmp_path):
    root = _classes(tmp_path / "big", size=(10, 8))
    Image.fromarray(np.full((1000, 800, 3), 200, np.uint8)).save(root / "bright" / "big.png")
    tracemalloc.start()
    try:
        ds = load_image_folder(root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # the whole photo as float32 planes: 3.2 MB each
    np.testing.assert_allclose(ds.X[ds.ids.index("bright/big.png")], 200, atol=1e-3)


@pytest.fixture(scope="module")
def image_model(tmp_path_factory) -> Path:
    """A run trained on a folder of RGB images (10x8) of two classes, dark and bright."""
    where = tmp_path_factory.mktemp("images")
    _classes(where / "pets", n=8)
    proc = numpynn("train", "--data", "pets", "--epochs", "8", "--out", "run", "--quiet",
                   "--no-report", cwd=where)
    assert proc.returncode == 0, proc.stderr
    new = where / "new"
    new.mkdir()
    Image.fromarray(np.full((20, 16, 3), 8, np.uint8)).save(new / "night.png")  # other size
    Image.fromarray(np.full((10, 8), 240, np.uint8)).save(new / "snow.gif")  # grey
    Image.fromarray(np.full((10, 8, 4), 230, np.uint8)).save(new / "glass.png")  # alpha
    return where


def test_a_saved_model_predicts_image_files_and_pillow_images_as_the_cli_does(image_model):
    proc = numpynn("predict", "run/model.npz", "--data", "new", cwd=image_model)
    assert proc.returncode == 0, proc.stderr
    cli = dict(list(csv.reader(io.StringIO(proc.stdout)))[1:])
    saved = load_model(image_model / "run" / "model.npz")
    files = sorted((image_model / "new").iterdir())
    expected = [cli[f.name] for f in files]
    assert list(saved.predict([str(f) for f in files])) == expected
    assert list(saved.predict(files)) == expected  # pathlib paths
    assert list(saved.predict(np.array([str(f) for f in files]))) == expected
    assert list(saved.predict([Image.open(f) for f in files])) == expected
    assert saved.predict(files[0])[0] == expected[0]  # one path: one prediction
    X = load_image_folder(image_model / "new", labelled=False, size=(10, 8), channels=3).X
    np.testing.assert_allclose(saved.transform(files), saved.transform(X), atol=1e-5)


def test_one_image_array_and_images_of_other_channels_are_named_as_images(image_model):
    saved = load_model(image_model / "run" / "model.npz")
    with pytest.raises(InputError, match=r"one image of the model's shape: give X\[None\]"):
        saved.predict(np.zeros((10, 8, 3)))
    with pytest.raises(InputError, match=r"images of 10x8x3 \(height x width x channels\)"):
        saved.predict(np.zeros((2, 10, 8)))
    with pytest.raises(InputError, match=r"folder .*numpynn predict MODEL --data"):
        saved.predict(str(image_model / "new"))
    with pytest.raises(InputError, match=r"image file not found: .*gone\.png"):
        saved.predict([str(image_model / "new" / "night.png"), "gone.png"])


def test_image_files_given_to_a_model_of_image_arrays_are_refused_saying_why(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "scaled.npz", X=rng.random((30, 6, 6, 3)), y=np.arange(30) % 2)
    proc = numpynn("train", "--data", "scaled.npz", "--epochs", "1", "--no-report", "--out",
                   "r", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(tmp_path / "a.png")
    with pytest.raises(InputError, match=r"trained on image arrays .*units"):
        load_model(tmp_path / "r" / "model.npz").predict(str(tmp_path / "a.png"))


def _listed_images(root: Path, n: int = 12, extra: str = "") -> Path:
    """root/*.png with root/labels.csv listing each file and its label (Kaggle's
    train.csv), ``extra`` a column of numbers beside them."""
    rng = np.random.default_rng(1)
    root.mkdir(parents=True)
    lines = [f"filename,{extra + ',' if extra else ''}label"]
    for i in range(n):
        level = 0 if i % 2 else 140
        Image.fromarray(rng.integers(level, level + 110, (10, 8, 3)).astype(np.uint8)).save(
            root / f"{i}.png")
        lines.append(f"{i}.png,{str(i % 2) + ',' if extra else ''}{'dark' if i % 2 else 'bright'}")
    (root / "labels.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.parametrize("rows", [12, 40])  # one-hot file names; an identifier column
def test_a_table_that_lists_image_files_is_refused_saying_how_images_are_read(tmp_path, rows):
    _listed_images(tmp_path / "flat", rows)
    proc = numpynn("train", "--data", "flat/labels.csv", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "'filename' (column index 0) names image files (0.png, 1.png" in proc.stderr
    assert "subfolder named by its label (column 'label')" in proc.stderr
    proc = numpynn("train", "--data", "flat", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "labels.csv lists the images" in proc.stderr
    assert "give its file: --data" not in proc.stderr  # it would train on the names


def test_a_column_of_image_files_beside_features_is_left_out_with_a_note(tmp_path):
    _listed_images(tmp_path / "flat", extra="dark")
    proc = numpynn("train", "--data", "flat/labels.csv", "--epochs", "1", "--out", "run",
                   "--no-report", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    said = proc.stdout + proc.stderr
    assert "names image files (0.png, 1.png, ...): a path is not a feature" in said
    assert "input (N, 1)" in said  # the numbers beside, not one column per file name


def test_image_files_given_one_by_one_are_predicted_as_a_shell_glob_gives_them(image_model):
    """`numpynn predict run --data new/*.png`: the shell gives each file as an argument."""
    files = sorted(f"new/{f.name}" for f in (image_model / "new").iterdir())
    folder = numpynn("predict", "run/model.npz", "--data", "new", "--proba", cwd=image_model)
    each = numpynn("predict", "run/model.npz", "--data", *files, "--proba", cwd=image_model)
    assert each.returncode == 0, each.stderr
    rows = list(csv.reader(io.StringIO(each.stdout)))
    assert rows[0][:2] == ["file", "prediction"] and [r[0] for r in rows[1:]] == files
    assert [r[1:] for r in rows[1:]] == [r[1:] for r in csv.reader(io.StringIO(
        folder.stdout))][1:]
    assert "1 of 3 images were not 10x8" in each.stderr  # the resize note, as a folder's
    mixed = numpynn("predict", "run/model.npz", "--data", files[0], "pets", cwd=image_model)
    assert mixed.returncode == 2 and "unrecognized arguments: pets" in mixed.stderr
