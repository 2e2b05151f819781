"""A user's own images, laid out as torchvision's ImageFolder and Keras's
image_dataset_from_directory expect (DIR/CLASS/IMAGE, or DIR/train/CLASS/IMAGE and
DIR/test/CLASS/IMAGE): train on the folder, evaluate on a labelled one, predict on a
folder of new images named by file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
from PIL import Image

from tests.clirun import numpynn


def _images(root: Path, n: int, rng, size=(10, 8), grey=False) -> None:
    """Dark and bright images: a network tells them apart at once."""
    for name, level in (("dark", 0), ("bright", 140)):
        for i in range(n):
            shape = size if grey else (*size, 3)
            pixels = rng.integers(level, level + 110, size=shape).astype(np.uint8)
            (root / name).mkdir(parents=True, exist_ok=True)
            Image.fromarray(pixels).save(root / name / f"{i}.{'jpg' if i % 2 else 'png'}")


def test_train_evaluate_and_predict_on_folders_of_images(tmp_path):
    rng = np.random.default_rng(3)
    _images(tmp_path / "pets" / "train", 30, rng)
    _images(tmp_path / "pets" / "test", 8, rng)
    (tmp_path / "pets" / "train" / "dark" / "Thumbs.db").write_bytes(b"\0")
    proc = numpynn("train", "--data", "pets", "--epochs", "15", "--out", "run", "--quiet",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    test_line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("test"))
    assert float(test_line.split()[1].rstrip("%")) >= 90

    new = tmp_path / "new"
    new.mkdir()
    Image.fromarray(np.full((20, 16, 3), 5, np.uint8)).save(new / "night.png")  # other size
    Image.fromarray(np.full((10, 8), 250, np.uint8)).save(new / "snow.png")  # grey
    proc = numpynn("predict", "run/model.npz", "--data", "new", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["file", "prediction"]
    assert dict(rows[1:]) == {"night.png": "dark", "snow.png": "bright"}

    proc = numpynn("evaluate", "run/model.npz", "--data", "pets/test", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "bright" in proc.stdout and "dark" in proc.stdout


def test_a_folder_with_a_class_the_model_lacks_is_refused_by_name(tmp_path):
    rng = np.random.default_rng(4)
    _images(tmp_path / "pets", 12, rng, grey=True)
    assert numpynn("train", "--data", "pets", "--epochs", "2", "--out", "run", "--quiet",
                   cwd=tmp_path).returncode == 0
    _images(tmp_path / "other", 2, rng, grey=True)
    (tmp_path / "other" / "dark").rename(tmp_path / "other" / "dusk")
    proc = numpynn("evaluate", "run/model.npz", "--data", "other", cwd=tmp_path)
    assert proc.returncode == 2 and "dusk" in proc.stderr and "Traceback" not in proc.stderr


def test_a_folder_of_other_files_gets_the_layout_in_its_error(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("x")
    proc = numpynn("train", "--data", "docs", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2
    assert "docs/CLASS/IMAGE" in proc.stderr and "Traceback" not in proc.stderr


def test_runs_written_inside_the_image_folder_never_become_classes(tmp_path):
    rng = np.random.default_rng(5)
    _images(tmp_path / "pets", 10, rng)
    for out in ("pets/run", "pets/run2"):  # the second reads pets with run/ in it
        proc = numpynn("train", "--data", "pets", "--epochs", "2", "--out", out, "--quiet",
                       cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        said = proc.stdout + proc.stderr
        assert "without images" not in said  # its own --out, still empty, is no class
    assert "run, run2 left out" in said and "not classes" in said
    header = numpynn("evaluate", "pets/run2", "--data", "pets", "--split", "all", cwd=tmp_path)
    assert header.returncode == 0 and "(20 rows)" in header.stdout.replace(",", "")


def test_a_folder_or_data_set_given_without_data_is_named_with_the_flag(tmp_path):
    rng = np.random.default_rng(6)
    _images(tmp_path / "pets", 4, rng)
    for argv, stray in ((["train", "pets"], "pets"), (["train", "mnist"], "mnist"),
                        (["train", "fashion-mnist:raw"], "fashion-mnist:raw")):
        proc = numpynn(*argv, cwd=tmp_path)
        assert proc.returncode == 2 and f"--data {stray}" in proc.stderr, proc.stderr


def test_a_run_directory_given_as_the_data_is_named_a_run(tmp_path):
    rng = np.random.default_rng(7)
    _images(tmp_path / "pets", 6, rng)
    assert numpynn("train", "--data", "pets", "--epochs", "1", "--out", "run", "--quiet",
                   cwd=tmp_path).returncode == 0
    proc = numpynn("predict", "run", "--data", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "run's directory" in proc.stderr  # weights.png: no data

