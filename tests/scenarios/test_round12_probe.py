"""Round 12's probe: images, tables and arrays as other users' habits bring them (pixel
units, missing-value codes of statistics packages, arrays of another shape), each case a
defect found and fixed."""

from __future__ import annotations

import numpy as np
import pytest

from tests.clirun import numpynn, ok


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    """A model trained on 8x8 uint8 images (pixels 0..255), and the directory."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (60, 8, 8), dtype=np.uint8)
    np.savez(root / "train.npz", X=images, y=rng.integers(0, 3, 60))
    ok(numpynn("train", "--data", "train.npz", "--epochs", "1", "--quiet", "--no-report",
               "--out", "run", cwd=root))
    return root, images


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_images_in_other_units_than_trainings_are_warned_with_the_factor(image_run, command):
    """Images scaled to 0..1 given to a model trained on 0..255 pixels were predicted
    without a word (every answer wrong): now a warning names the file and the factor."""
    root, images = image_run
    np.savez(root / "scaled.npz", X=images[:10] / 255.0, y=np.arange(10) % 3)
    result = numpynn(command, "run/model.npz", "--data", "scaled.npz", cwd=root)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "warning: scaled.npz" in result.stderr and "multiply X by 255" in result.stderr


def test_images_in_the_trainings_units_get_no_warning(image_run):
    root, images = image_run
    np.savez(root / "same.npz", X=images[:5])
    result = numpynn("predict", "run/model.npz", "--data", "same.npz", cwd=root)
    assert result.returncode == 0 and "warning" not in result.stderr


def test_raw_pixels_given_to_the_digits_model_are_warned(tmp_path):
    """The bundled digits are 0..16: 0..255 images are in other units."""
    ok(numpynn("train", "--epochs", "1", "--quiet", "--no-report", "--out", "d",
               cwd=tmp_path))
    np.savez(tmp_path / "mine.npz", X=np.full((2, 8, 8), 255, dtype=np.uint8))
    result = numpynn("predict", "d/model.npz", "--data", "mine.npz", cwd=tmp_path)
    assert result.returncode == 0 and "divide X by 16" in result.stderr
