"""numpynn.data.image_folder: a folder of image files, one subfolder per class (as
torchvision's ImageFolder and Keras's image_dataset_from_directory lay them out)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from numpynn.data import load_dataset
from numpynn.data.image_folder import load_image_folder, looks_like_image_folder
from numpynn.data.spec import DIRECTORY_SOURCES, NAMES, DataSpec
from numpynn.data.table import SOURCES
from numpynn.errors import DataError

RNG = np.random.default_rng(0)


def _save(path: Path, pixels: np.ndarray, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.astype(np.uint8)).save(path, **kw)
    return path


def _rgb(h=6, w=5, level=0):
    return RNG.integers(level, level + 100, size=(h, w, 3))


def _folder(root: Path, classes=("cat", "dog"), n=3, h=6, w=5) -> Path:
    for c in classes:
        for i in range(n):
            _save(root / c / f"{i}.png", _rgb(h, w))
    return root


def test_classes_are_the_subfolders_sorted_and_rows_keep_their_pixels(tmp_path):
    root = tmp_path / "pets"
    first = _rgb()
    _save(root / "dog" / "a.png", first)
    _save(root / "cat" / "b.png", _rgb())
    _save(root / "cat" / "c.bmp", _rgb())
    ds = load_image_folder(root)
    assert list(ds.classes) == ["cat", "dog"] and ds.image_shape == (6, 5, 3)
    assert ds.X.shape == (3, 90) and ds.X.dtype == np.float32
    assert ds.ids == ["cat/b.png", "cat/c.bmp", "dog/a.png"]
    assert list(ds.y) == [0, 0, 1]
    np.testing.assert_array_equal(ds.X[2].reshape(6, 5, 3), first)  # PNG: lossless


def test_grey_images_give_one_channel_and_a_colour_one_makes_all_rgb(tmp_path):
    root = tmp_path / "g"
    for c in ("a", "b"):
        _save(root / c / "0.png", RNG.integers(0, 255, size=(4, 4)))
    assert load_image_folder(root).image_shape == (4, 4)
    _save(root / "b" / "1.png", _rgb(4, 4))
    ds = load_image_folder(root)
    assert ds.image_shape == (4, 4, 3)
    grey = ds.X[0].reshape(4, 4, 3)
    np.testing.assert_array_equal(grey[..., 0], grey[..., 2])  # grey repeated


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "1", "CMYK"])
def test_other_modes_are_read_as_grey_or_rgb(tmp_path, mode):
    root = _folder(tmp_path / "m", n=1, h=4, w=4)
    im = Image.fromarray(_rgb(4, 4).astype(np.uint8)).convert(mode)
    ending = ".jpg" if mode == "CMYK" else ".png"
    im.save(root / "cat" / f"odd{ending}")
    ds = load_image_folder(root)
    assert ds.image_shape == (4, 4, 3) and ds.X.shape == (3, 48)


def test_other_sizes_are_resized_to_the_most_common_with_a_note(tmp_path):
    root = _folder(tmp_path / "s", h=6, w=5)
    _save(root / "dog" / "big.jpg", _rgb(30, 20))
    ds = load_image_folder(root)
    assert ds.image_shape == (6, 5, 3) and ds.X.shape == (7, 90)
    assert any("1 of 7" in n and "6x5" in n for n in ds.notes)
    forced = load_image_folder(root, size=(3, 3), channels=1)
    assert forced.image_shape == (3, 3) and forced.X.shape == (7, 9)


def test_files_that_are_not_images_and_hidden_files_are_skipped_with_a_note(tmp_path):
    root = _folder(tmp_path / "j")
    (root / "cat" / ".DS_Store").write_bytes(b"\0\1")
    (root / "cat" / "._0.png").write_bytes(b"AppleDouble")  # macOS resource fork
    (root / "dog" / "Thumbs.db").write_bytes(b"\0")
    (root / "labels.txt").write_text("cat\ndog\n")
    (root / ".hidden").mkdir()
    ds = load_image_folder(root)
    assert ds.X.shape[0] == 6
    assert any("not images were skipped (hidden 2, .db 1)" in n for n in ds.notes)


def test_the_skipped_files_are_named_by_kind_and_other_photo_endings_are_read(tmp_path):
    root = _folder(tmp_path / "k")
    Image.fromarray(_rgb().astype(np.uint8)).save(root / "cat" / "web.jfif", format="JPEG")
    (root / "dog" / "IMG_0001.HEIC").write_bytes(b"\0\0\0\x18ftypheic")
    ds = load_image_folder(root)
    assert "cat/web.jfif" in ds.ids and ds.X.shape[0] == 7
    note = next(n for n in ds.notes if "skipped" in n)
    assert "(.heic 1)" in note and "export them as JPEG" in note


def test_system_folders_of_zips_and_nas_boxes_are_no_classes_nor_images(tmp_path):
    root = _folder(tmp_path / "nas")
    for c in ("cat", "dog"):  # a Synology NAS's thumbnail of each image, beside it
        _save(root / c / "@eaDir" / "0.png" / "SYNOPHOTO_THUMB_S.jpg", _rgb())
    _save(root / "@eaDir" / "x" / "SYNOPHOTO_THUMB_M.jpg", _rgb())
    (root / "__MACOSX" / "cat").mkdir(parents=True)
    (root / "__MACOSX" / "cat" / "._0.png").write_bytes(b"AppleDouble")
    ds = load_image_folder(root)
    assert list(ds.classes) == ["cat", "dog"] and ds.X.shape[0] == 6 and not ds.notes


def test_a_train_and_test_layout_gives_the_test_split(tmp_path):
    root = tmp_path / "split"
    _folder(root / "train", n=4)
    _folder(root / "test", n=2)
    ds = load_image_folder(root)
    assert ds.X.shape[0] == 8 and ds.X_test.shape[0] == 4
    assert list(ds.y_test) == [0, 0, 1, 1] and list(ds.classes) == ["cat", "dog"]


def test_val_is_the_test_split_without_test_and_joins_train_with_it(tmp_path):
    root = tmp_path / "v"
    _folder(root / "train", n=4)
    _folder(root / "val", n=1)
    ds = load_image_folder(root)
    assert ds.X_test.shape[0] == 2 and any("val/" in n for n in ds.notes)
    _folder(root / "test", n=2)
    ds = load_image_folder(root)
    assert ds.X.shape[0] == 10 and ds.X_test.shape[0] == 4


def test_a_test_class_the_training_images_lack_is_named(tmp_path):
    root = tmp_path / "t"
    _folder(root / "train", classes=("cat", "dog"))
    _folder(root / "test", classes=("cat", "fox"))
    with pytest.raises(DataError, match="fox"):
        load_image_folder(root)


@pytest.mark.parametrize("make, words", [
    (lambda r: (r / "cat").mkdir(parents=True) or (r / "cat" / "x.png").write_bytes(b"no"),
     ["x.png", "not a readable image"]),
    (lambda r: _folder(r, classes=("only",)), ["one class", "only"]),
    (lambda r: _folder(r / "pets") and (r / "__MACOSX" / "pets").mkdir(parents=True),
     ["one subfolder, pets/", "--data", "bad/pets"]),  # an unzipped archive's top folder
    (lambda r: _folder(r / "ds" / "train") and _folder(r / "ds" / "test"),
     ["one subfolder, ds/", "--data", "bad/ds"]),
    (lambda r: _folder(r) and _save(r / "stray.png", _rgb()), ["stray.png", "class"]),
    (lambda r: _save(r / "a.png", _rgb()) and _save(r / "b.png", _rgb()),
     ["no class subfolders", "predict"]),
    (lambda r: _folder(r / "train") and _folder(r / "test") and _folder(r / "extra"),
     ["extra", "not a split"]),
])
def test_a_folder_that_cannot_train_says_why(tmp_path, make, words):
    root = tmp_path / "bad"
    root.mkdir()
    make(root)
    with pytest.raises(DataError) as err:
        load_image_folder(root)
    for word in words:
        assert word in str(err.value)


def test_unlabelled_images_are_named_by_their_files(tmp_path):
    root = tmp_path / "new"
    _save(root / "b.png", _rgb())
    _save(root / "a.jpg", _rgb())
    ds = load_dataset(str(root), label_column=None, image_shape=(6, 5, 3))
    assert ds.y is None and ds.ids == ["a.jpg", "b.png"] and ds.X.shape == (2, 90)


def test_a_plain_folder_of_images_is_an_images_spec_and_other_folders_are_not(tmp_path):
    root = _folder(tmp_path / "pets")
    assert DataSpec.parse(str(root)).source == "images"
    assert DataSpec.parse(f"images:{root}").source == "images"
    assert looks_like_image_folder(root)
    other = tmp_path / "docs"
    other.mkdir()
    (other / "readme.txt").write_text("x")
    assert DataSpec.parse(str(other)).source == "unknown"
    with pytest.raises(DataError, match="subfolder per class"):
        load_dataset(str(other))


def test_every_source_a_spec_names_can_be_recorded_in_a_model():
    """A model's recipe records its data's source: every kind DataSpec gives is known
    there (an image folder's model was refused as tampered with when it was not)."""
    assert {*NAMES, *DIRECTORY_SOURCES, "csv", "npz"} <= set(SOURCES)


def test_a_run_written_inside_the_image_folder_is_not_a_class(tmp_path):
    """`numpynn train --data pets --out pets/run` writes weights.png into pets/run: the
    next read of pets must not find a class "run" (nor numpynn-runs/)."""
    root = _folder(tmp_path / "pets")
    for run in ("run", "numpynn-runs"):
        (root / run).mkdir()
        _save(root / run / "weights.png", _rgb())
    (root / "run" / "model.npz").write_bytes(b"")
    ds = load_image_folder(root)
    assert list(ds.classes) == ["cat", "dog"] and ds.X.shape[0] == 6
    assert any("run" in n and "left out" in n for n in ds.notes)


def test_a_class_may_keep_its_images_in_subfolders_of_its_folder(tmp_path):
    """torchvision's ImageFolder takes every image below a class's folder: cat/indoor/
    and cat/outdoor/ are both cat (a link back up is followed once)."""
    root = tmp_path / "pets"
    _save(root / "cat" / "indoor" / "1.png", _rgb())
    _save(root / "cat" / "outdoor" / "2.png", _rgb())
    _save(root / "dog" / "3.png", _rgb())
    (root / "dog" / "loop").symlink_to(root, target_is_directory=True)
    ds = load_image_folder(root)
    assert list(ds.classes) == ["cat", "dog"] and list(ds.y) == [0, 0, 1]
    assert ds.ids[:2] == ["cat/indoor/1.png", "cat/outdoor/2.png"]
    unlabelled = load_image_folder(root, labelled=False)
    assert unlabelled.ids == ["cat/indoor/1.png", "cat/outdoor/2.png", "dog/3.png"]


@pytest.mark.parametrize("spec, words", [
    ("images:nope", ["not found", "nope"]),
    ("images:{file}", ["is a file", "folder"]),
    ("images:", ["names no directory", "images:DIR"]),
])
def test_an_images_spec_that_names_no_folder_says_so(tmp_path, spec, words):
    image = _save(tmp_path / "one.png", _rgb())
    with pytest.raises(DataError) as err:
        load_dataset(spec.format(file=image))
    for word in words:
        assert word in str(err.value)
    assert "download cache" not in str(err.value)  # images are never downloaded


def test_a_folder_too_large_for_the_memory_is_refused_before_decoding(tmp_path, monkeypatch):
    import numpynn.data.image_folder as image_folder

    root = _folder(tmp_path / "big", h=40, w=30)
    monkeypatch.setattr(image_folder, "physical_memory", lambda: 2 * 4 * 6 * 40 * 30 * 3 - 2)
    decoded = []
    monkeypatch.setattr(image_folder, "_decode", lambda *a: decoded.append(a))
    with pytest.raises(DataError) as err:
        load_image_folder(root)
    assert "6 images of 40x30x3" in str(err.value) and "64x64" in str(err.value)
    assert decoded == []


def test_a_truncated_image_is_named(tmp_path):
    root = _folder(tmp_path / "t")
    data = (root / "dog" / "0.png").read_bytes()
    (root / "dog" / "0.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"dog/0\.png is not a readable image"):
        load_image_folder(root)


def test_sixteen_bit_grey_images_are_read_and_resized_on_the_0_255_scale(tmp_path):
    root = tmp_path / "deep"
    for c in ("a", "b"):
        (root / c).mkdir(parents=True)
        Image.fromarray(np.full((6, 4), 40000, np.uint16)).save(root / c / "0.png")
    Image.fromarray(np.full((12, 8), 1000, np.uint16)).save(root / "b" / "1.png")
    ds = load_image_folder(root)
    assert ds.image_shape == (6, 4)
    np.testing.assert_allclose(ds.X[0], 40000 / 257, rtol=1e-6)
    np.testing.assert_allclose(ds.X[2], 1000 / 257, rtol=1e-6)  # resized, scale kept


@pytest.mark.parametrize("colour", [False, True])
def test_a_16_bit_and_an_8_bit_copy_of_one_picture_read_alike(tmp_path, colour):
    root = tmp_path / "mixed"
    for c in ("a", "b"):
        _save(root / c / "8.png", np.full((4, 4), 128))
        Image.fromarray(np.full((4, 4), 128 * 257, np.uint16)).save(root / c / "16.png")
    if colour:  # an RGB image makes every image RGB: the 16-bit one is not clipped to 255
        _save(root / "a" / "rgb.png", _rgb(4, 4))
    ds = load_image_folder(root)
    sixteen = [i for i, f in enumerate(ds.ids) if f.endswith("16.png")]
    np.testing.assert_allclose(ds.X[sixteen], 128, rtol=1e-6)


def test_float_images_stay_as_stored_and_are_not_mixed_with_8_bit_ones(tmp_path):
    root = tmp_path / "float"
    for c in ("a", "b"):
        (root / c).mkdir(parents=True)
        Image.fromarray(np.full((4, 4), 0.25, np.float32)).save(root / c / "0.tif")
    np.testing.assert_allclose(load_image_folder(root).X, 0.25)
    _save(root / "b" / "8.png", np.full((4, 4), 64))
    with pytest.raises(DataError, match=r"0\.tif holds 32-bit or floating-point.*8\.png"):
        load_image_folder(root)


def test_a_photo_is_read_upright_as_its_exif_orientation_shows_it(tmp_path):
    root = _folder(tmp_path / "phone", n=2, h=6, w=4)
    stored = np.zeros((4, 6, 3), np.uint8)
    stored[0] = 255  # the stored top row: the right column once turned (orientation 6)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(root / "cat" / "turned.jpg", exif=exif, quality=100)
    ds = load_image_folder(root)
    assert ds.image_shape == (6, 4, 3) and not ds.notes  # no resize: it is 6 x 4 upright
    upright = ds.X[ds.ids.index("cat/turned.jpg")].reshape(6, 4, 3)[..., 0]
    assert (upright[:, -1] > 200).all() and (upright[:, :-1] < 50).all()



def test_an_image_that_cannot_be_read_for_its_permissions_says_so(tmp_path, monkeypatch):
    """Not "not a readable image ... export it again": the file may be fine."""
    root = _folder(tmp_path / "p")
    opened = Image.open

    def refused(path, *a, **k):
        if str(path).endswith("dog/1.png"):
            raise PermissionError(13, "Permission denied", str(path))
        return opened(path, *a, **k)

    monkeypatch.setattr(Image, "open", refused)
    with pytest.raises(DataError) as err:
        load_image_folder(root)
    assert "dog/1.png" in str(err.value) and "permission denied" in str(err.value)
    assert "export it again" not in str(err.value)


def test_a_project_folder_of_plots_and_a_table_points_to_the_table(tmp_path):
    """`--data .` in a folder holding data.csv beside some plots: the error names the
    table's file, not only the layout of an image folder."""
    _save(tmp_path / "loss.png", _rgb())
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError) as err:
        load_dataset(str(tmp_path))
    assert "no class subfolders" in str(err.value)
    assert f"--data {tmp_path / 'data.csv'}" in str(err.value)


def test_an_image_too_large_for_pillow_to_open_says_so(tmp_path, monkeypatch):
    root = _folder(tmp_path / "huge", h=6, w=5)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)  # the folder's 30-pixel images: > 2x
    with pytest.raises(DataError, match=r"cat/0\.png is too large for Pillow to open.*resize"):
        load_image_folder(root)


@pytest.mark.parametrize("link", ["cat/9.png", "fox"])
def test_a_link_to_an_image_or_a_class_folder_that_is_gone_is_named(tmp_path, link):
    """Not left out in silence: an unmounted drive would drop a class or its images."""
    root = _folder(tmp_path / "links")
    (root / link).symlink_to(tmp_path / "unmounted" / link)
    with pytest.raises(DataError,
                       match=rf"links/{link} is a symbolic link to .*unmounted.*not exist"):
        load_image_folder(root)
    assert looks_like_image_folder(root)  # read as images, so that the error is said


def test_a_folder_below_the_classes_that_cannot_be_listed_is_named(tmp_path, monkeypatch):
    root = _folder(tmp_path / "locked")
    _save(root / "dog" / "more" / "0.png", _rgb())
    listed = os.scandir

    def refused(path="."):
        if str(path).endswith("dog/more"):
            raise PermissionError(13, "Permission denied", str(path))
        return listed(path)

    monkeypatch.setattr(os, "scandir", refused)
    with pytest.raises(DataError, match=r"dog/more cannot be read: permission denied"):
        load_image_folder(root)


def test_class_folders_named_on_macos_and_on_linux_are_one_class_in_composed_form(tmp_path):
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    root = _folder(tmp_path / "drinks", classes=(nfd, "thé"))
    _save(root / nfc / "linux.png", _rgb())  # copied in on Linux: a second, composed folder
    ds = load_image_folder(root)
    assert ds.classes.tolist() == [nfc, "thé"] and ds.y.tolist() == [0] * 4 + [1] * 3
    _folder(tmp_path / "one", classes=(nfd,))
    with pytest.raises(DataError, match="one class only"):
        load_image_folder(tmp_path / "one")


def test_an_unlabelled_test_folder_beside_train_is_left_out_with_a_note(tmp_path):
    """Kaggle's layout: train/CLASS/ and test/ of images to submit predictions for."""
    root = _folder(tmp_path / "kaggle" / "train").parent
    _save(root / "test" / "1.png", _rgb())
    ds = load_image_folder(root)
    assert ds.X.shape[0] == 6 and ds.X_test is None
    assert any("test/ holds images without class folders" in n
               and "any test split is drawn from train/" in n
               and f"--data {root / 'test'}" in n for n in ds.notes)
