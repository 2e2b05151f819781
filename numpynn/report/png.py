"""First-layer weights as one image: the tiles arranged in a grid (:func:`weights_grid`)
and written as a PNG by :func:`png_bytes` (zlib and struct: no matplotlib, no Pillow)."""

from __future__ import annotations

import math
import struct
import zlib

import numpy as np

from ..errors import InputError

__all__ = ["png_bytes", "weights_grid"]


def weights_grid(W1: np.ndarray, image_shape: tuple[int, ...], max_units: int = 64
                 ) -> tuple[np.ndarray, int]:
    """The input weights of the first ``max_units`` hidden units as one image.

    ``W1`` is (D, H); each column is reshaped (row-major) to ``image_shape`` -- (h, w) for
    grey images, (h, w, 3) for colour -- and min-max scaled to [0, 1] on its own (a
    constant column is 0.5). Returns (grid, n): the tiles in a near-square grid with a
    white (1.0) border, (rows * (h + pad) + pad, cols * (w + pad) + pad[, 3]), and the
    number of units shown (0: W1 has none; the grid is then one white pixel).
    """
    try:
        W = np.asarray(W1, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"W1 must be a numeric array: {exc}") from None
    if W.ndim != 2:
        raise InputError(f"W1 must be a 2-D (D, H) weight matrix; got shape {W.shape}.")
    try:
        shape = tuple(int(d) for d in image_shape)
    except (TypeError, ValueError):
        raise InputError(f"image_shape must be a tuple of ints; got {image_shape!r}.") from None
    if int(np.prod(shape)) != W.shape[0]:
        raise InputError(
            f"image_shape {shape} has {int(np.prod(shape))} values but W1 has {W.shape[0]} "
            "rows; pass the shape of the network's input images.")
    if len(shape) == 3 and shape[2] == 1:
        shape = shape[:2]
    colour = len(shape) == 3 and shape[2] == 3
    if len(shape) != 2 and not colour:
        raise InputError(f"image_shape must be (h, w) or (h, w, 3); got {tuple(image_shape)}.")
    if int(max_units) < 1:
        raise InputError(f"max_units must be at least 1; got {max_units}.")
    n = min(W.shape[1], int(max_units))
    if n == 0:
        return np.ones((1, 1)), 0

    tiles = W[:, :n].T.reshape(n, *shape)
    lo = tiles.reshape(n, -1).min(axis=1)
    hi = tiles.reshape(n, -1).max(axis=1)
    span = hi - lo
    expand = (slice(None),) + (None,) * (tiles.ndim - 1)
    scaled = np.where((span > 0)[expand],
                      (tiles - lo[expand]) / np.where(span > 0, span, 1.0)[expand], 0.5)
    h, w = shape[:2]
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    pad = max(1, min(h, w) // 12)
    grid = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad) + ((3,) if colour else ()))
    for k in range(n):
        r, c = divmod(k, cols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        grid[top:top + h, left:left + w] = scaled[k]
    return grid, n


def png_bytes(image: np.ndarray, scale: int = 1) -> bytes:
    """A PNG file of ``image``: (H, W) grey or (H, W, 3) RGB values in [0, 1] (clipped),
    8 bits per channel, each pixel repeated ``scale`` times along both axes."""
    img = np.asarray(image, dtype=np.float64)
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3) or 0 in img.shape:
        raise InputError(f"image must be (H, W) or (H, W, 3) with H, W >= 1; got {img.shape}.")
    if scale > 1:
        img = np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)
    pixels = np.round(np.clip(np.nan_to_num(img, nan=0.5), 0.0, 1.0) * 255).astype(np.uint8)
    h, w = pixels.shape[:2]
    rows = pixels.reshape(h, -1)
    raw = np.hstack([np.zeros((h, 1), dtype=np.uint8), rows]).tobytes()  # filter 0 per row

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, 2 if pixels.ndim == 3 else 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
