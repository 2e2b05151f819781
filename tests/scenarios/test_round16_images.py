"""Image data as users have it, round 16 of the probes (branch images16).

Each case failed on the code before it: a folder of grey GIFs (Pillow opens them as
palette images) was read as RGB, three times the memory and inputs of its grey pixels; a
photo beyond Pillow's pixel warning printed Pillow's DecompressionBombWarning naming
neither the file nor what to do, and a 90-megapixel one read at 10x8 took 900 MB (a
float plane of the whole photo) where 200 MB do; ...
"""

from __future__ import annotations

import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from numpynn.data.image_folder import load_image_folder


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
