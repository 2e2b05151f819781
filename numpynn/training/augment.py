"""Training-time augmentation of image minibatches: random translations.

``augment="shift:S"`` moves each image of each training minibatch by its own random whole
number of pixels ``(dy, dx)``, each drawn uniformly from ``-S..S`` (a fresh draw per batch
from the trainer's seeded generator, so the same seed gives the same run); the pixels that
come in from outside the image take the background value. The rows of X are images
flattened row-major in ``image_shape`` order, (H, W) or (H, W, C) (numpynn's loaders:
digits (8, 8), MNIST and Fashion-MNIST (28, 28), CIFAR-10 (32, 32, 3)).

The batch is already preprocessed (preprocessing comes first): the background of a raw
image is 0, and its value after preprocessing is ``preprocessor.transform(0)``, per pixel:
0 for ``scale`` (pixels / 255, the default of the named image sets) and ``none``,
``-mean / std`` of the pixel for ``standardize``. :class:`Shift` fills the pixels that come
in from outside with that (``fill``). With ``scale`` or ``none`` a shifted batch is then
exactly the preprocessed shifted raw images; with ``standardize`` the border is right but
a moved pixel keeps the value its old position's mean and std gave it (a mismatch that
``scale`` does not have: the named image sets default to ``scale``).

Only training batches are augmented: validation, test, evaluation and prediction see the
images as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import InputError

#: ``augment``'s forms, as messages and help write them
AUGMENT_FORMS = "none, or shift:S (S a whole number of pixels >= 1, e.g. shift:2)"


def check_augment(augment: Any) -> str:
    """``augment`` in its canonical form: ``"none"`` or ``"shift:S"`` (S >= 1)."""
    text = augment.strip().lower() if isinstance(augment, str) else augment
    if text in (None, "none"):
        return "none"
    kind, sep, amount = text.partition(":") if isinstance(text, str) else ("", "", "")
    if kind == "shift" and sep and amount.strip().isdigit() and int(amount) >= 1:
        return f"shift:{int(amount)}"
    if kind == "shift" and sep and amount.strip().isdigit():
        raise InputError(f"`augment={text!r}` shifts by 0 pixels, which changes nothing: "
                         "give shift:1 or more, or none.", param="augment")
    raise InputError(f"`augment` must be {AUGMENT_FORMS}; got {augment!r}.", param="augment")


def max_shift(augment: str) -> int:
    """The S of ``"shift:S"``; 0 for ``"none"``."""
    augment = check_augment(augment)
    return 0 if augment == "none" else int(augment.partition(":")[2])


def check_image_shape(augment: str, image_shape: Sequence[int] | None, data: str) -> None:
    """Refuse ``augment`` on ``data`` whose images are unknown (a table) or smaller
    than the shift allows (S must be below each side)."""
    s = max_shift(augment)
    if not s:
        return
    if not image_shape:
        raise InputError(
            f"`augment='{augment}'` shifts images, and {data} holds no images whose shape "
            "numpynn knows (a CSV or NPZ table is rows of features): leave out `augment` "
            "(or give none), or train on digits, mnist, fashion-mnist or cifar10.",
            param="augment")
    side = min(int(image_shape[0]), int(image_shape[1]))
    if s >= side:
        raise InputError(
            f"`augment='{augment}'` shifts by up to {s} pixels, but the images of {data} are "
            f"{'x'.join(map(str, image_shape))}: the shift must be below {side}, e.g. "
            f"shift:{max(1, min(2, side - 1))}.", param="augment")


def shift_images(x: np.ndarray, image_shape: Sequence[int], dy: np.ndarray, dx: np.ndarray,
                 fill: np.ndarray | None = None) -> np.ndarray:
    """The images x (b, D) (rows flattened row-major in ``image_shape``, (H, W) or
    (H, W, C)) with image i moved down by ``dy[i]`` and right by ``dx[i]`` pixels
    (negative: up, left): ``out[i, r, c] = x[i, r - dy[i], c - dx[i]]`` where that pixel
    exists, else ``fill[r, c]`` (fill: (D,) per pixel, default 0). A new (b, D) array."""
    dy, dx = np.asarray(dy, np.intp), np.asarray(dx, np.intp)
    s = int(max(np.abs(dy).max(initial=0), np.abs(dx).max(initial=0), 1))
    shape = _hwc(image_shape)
    out = np.array(x, copy=True)
    _shift(out, out, _padded(x.shape[0], shape, s, x.dtype), s, shape, dy, dx, fill)
    return out


def _hwc(image_shape: Sequence[int]) -> tuple[int, int, int]:
    H, W = int(image_shape[0]), int(image_shape[1])
    return H, W, int(np.prod(image_shape[2:], dtype=np.int64))


def _padded(b: int, shape: tuple[int, int, int], s: int, dtype: Any) -> np.ndarray:
    """A zero (b, H + 2s, W + 2s, C) array: the images go into its middle."""
    H, W, C = shape
    return np.zeros((b, H + 2 * s, W + 2 * s, C), dtype)


def _shift(out: np.ndarray, x: np.ndarray, padded: np.ndarray, s: int,
           shape: tuple[int, int, int], dy: np.ndarray, dx: np.ndarray,
           fill: np.ndarray | None) -> None:
    """Write the shifted images x (b, D) into out (b, D) (x itself allowed): the images
    are copied once into the middle of ``padded`` (zero border of ``s`` pixels, at least
    the largest |dy|, |dx|), and image i is the H x W window of it whose top-left corner
    is (s - dy[i], s - dx[i]), all b windows taken by one fancy index of a strided view
    (no loop per image); then the pixels that came from the border get ``fill``."""
    H, W, C = shape
    b = x.shape[0]
    padded = padded[:b]
    padded[:, s:s + H, s:s + W] = x.reshape(b, H, W, C)
    windows = sliding_window_view(padded, (H, W), axis=(1, 2))  # (b, 2s+1, 2s+1, C, H, W)
    moved = windows[np.arange(b), s - dy, s - dx]  # (b, C, H, W)
    images = out.reshape(b, H, W, C)
    np.copyto(images, np.moveaxis(moved, 1, -1))
    if fill is not None:
        rows = np.arange(H) - dy[:, None]  # (b, H): each row's source row
        cols = np.arange(W) - dx[:, None]
        outside = ((rows < 0) | (rows >= H))[:, :, None] | ((cols < 0) | (cols >= W))[:, None, :]
        np.copyto(images, np.asarray(fill, out.dtype).reshape(1, H, W, C),
                  where=outside[:, :, :, None])


class Shift:
    """Random translations of up to ``max_shift`` pixels of each image of a batch.

    ``shift(x, rng)`` draws ``(dy, dx)`` for each row of x (b, D) from ``rng``
    (uniform integers in -S..S) and writes the shifted images into x (in place).
    image_shape: (H, W) or (H, W, C), S < min(H, W); fill: (D,) the background value
    of each pixel (default 0; see the module's notes on preprocessing).
    """

    def __init__(self, max_shift: int, image_shape: Sequence[int],
                 fill: np.ndarray | None = None) -> None:
        shape = tuple(int(d) for d in image_shape)
        if len(shape) not in (2, 3) or min(shape) < 1:
            raise InputError(f"image_shape must be (H, W) or (H, W, C); got {image_shape!r}.")
        if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)) or not (
                1 <= max_shift < min(shape[:2])):
            raise InputError(f"max_shift must be a whole number in 1..{min(shape[:2]) - 1} "
                             f"for {'x'.join(map(str, shape))} images; got {max_shift!r}.")
        size = int(np.prod(shape))
        if fill is not None:
            fill = np.asarray(fill, np.float64).reshape(-1)
            if fill.shape[0] != size:
                raise InputError(f"fill must hold one value per pixel ({size}); got "
                                 f"{fill.shape[0]}.")
            if not fill.any():
                fill = None
        self.max_shift, self.image_shape, self.fill = int(max_shift), shape, fill
        self._padded: np.ndarray | None = None  # the zero-bordered buffer, reused
        self._fill: np.ndarray | None = None  # fill in the batches' dtype

    def __repr__(self) -> str:
        return f"Shift({self.max_shift}, {self.image_shape})"

    @property
    def text(self) -> str:
        """As ``augment`` writes it: ``"shift:S"``."""
        return f"shift:{self.max_shift}"

    def draw(self, rng: np.random.Generator, b: int) -> tuple[np.ndarray, np.ndarray]:
        """The shifts (dy, dx) of b images, each (b,), uniform in -S..S."""
        s = self.max_shift
        dy, dx = rng.integers(-s, s + 1, size=(2, b))
        return dy, dx

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> None:
        size = int(np.prod(self.image_shape))
        if x.ndim != 2 or x.shape[1] != size:
            raise InputError(f"the rows hold {x.shape[1:]} values, but {self.image_shape} "
                             f"images hold {size}.")
        b, s, shape = x.shape[0], self.max_shift, _hwc(self.image_shape)
        padded = self._padded
        if padded is None or padded.shape[0] < b or padded.dtype != x.dtype:
            padded = self._padded = _padded(b, shape, s, x.dtype)
        fill = self._fill
        if self.fill is not None and (fill is None or fill.dtype != x.dtype):
            fill = self._fill = self.fill.astype(x.dtype)
        dy, dx = self.draw(rng, b)
        _shift(x, x, padded, s, shape, dy, dx, fill)


def make_augmentation(augment: str, image_shape: Sequence[int] | None, data: str,
                      fill: np.ndarray | None = None) -> Shift | None:
    """The augmentation ``augment`` names for ``data``'s images (None for ``"none"``);
    refused as :func:`check_image_shape` says."""
    check_image_shape(augment, image_shape, data)
    s = max_shift(augment)
    return Shift(s, image_shape, fill) if s else None
