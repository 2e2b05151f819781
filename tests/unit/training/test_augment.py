"""Tests of numpynn.training.augment (random translations of image minibatches) and of
the Trainer's ``augment``: the shift against hand-written images, the zero or per-pixel
fill, the draws (seeded, covering -S..S), training batches only."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from numpynn import MLP
from numpynn.errors import InputError
from numpynn.training.augment import (
    Shift,
    check_augment,
    check_image_shape,
    max_shift,
    shift_images,
)
from numpynn.training.trainer import TrainConfig, Trainer

#: a 3x4 image, pixel (r, c) = 10 * (r + 1) + (c + 1)
IMAGE = np.array([[11, 12, 13, 14],
                  [21, 22, 23, 24],
                  [31, 32, 33, 34]], dtype=np.float64)


def test_shift_against_hand_written_images():
    x = np.stack([IMAGE.ravel()] * 4)
    out = shift_images(x, (3, 4), dy=np.array([0, 1, -1, 2]), dx=np.array([0, -1, 2, 3]))
    expected = [
        IMAGE,  # no move
        [[0, 0, 0, 0],  # down 1, left 1: the top row and the right column come in empty
         [12, 13, 14, 0],
         [22, 23, 24, 0]],
        [[0, 0, 21, 22],  # up 1, right 2
         [0, 0, 31, 32],
         [0, 0, 0, 0]],
        [[0, 0, 0, 0],  # down 2, right 3: only the top-left pixel stays, at the bottom right
         [0, 0, 0, 0],
         [0, 0, 0, 11]],
    ]
    np.testing.assert_array_equal(out.reshape(4, 3, 4), np.array(expected, np.float64))
    np.testing.assert_array_equal(x[0], IMAGE.ravel())  # the input is left as it was


def test_shift_fills_each_pixel_with_its_own_background():
    fill = -np.arange(12, dtype=np.float64)  # pixel p's background: -p
    out = shift_images(IMAGE.reshape(1, -1), (3, 4), np.array([1]), np.array([1]), fill)
    np.testing.assert_array_equal(out.reshape(3, 4), [[-0, -1, -2, -3],
                                                      [-4, 11, 12, 13],
                                                      [-8, 21, 22, 23]])


def test_shift_moves_every_channel_of_an_rgb_image_together():
    rgb = np.stack([IMAGE, IMAGE + 100, IMAGE + 200], axis=-1)  # (3, 4, 3), HWC as CIFAR
    out = shift_images(rgb.reshape(1, -1).astype(np.float32), (3, 4, 3), np.array([-1]),
                       np.array([1]))
    assert out.dtype == np.float32
    got = out.reshape(3, 4, 3)
    for ch in range(3):
        want = np.zeros((3, 4))
        want[:2, 1:] = (IMAGE + 100 * ch)[1:, :3]
        np.testing.assert_array_equal(got[..., ch], want)


def test_shift_draws_are_seeded_and_cover_the_range():
    shift = Shift(2, (3, 4))
    dy, dx = shift.draw(np.random.default_rng(5), 2000)
    again = shift.draw(np.random.default_rng(5), 2000)
    np.testing.assert_array_equal(dy, again[0])
    np.testing.assert_array_equal(dx, again[1])
    for d in (dy, dx):
        counts = np.bincount(d + 2, minlength=5)
        assert d.min() == -2 and d.max() == 2
        assert counts.min() > 2000 / 5 * 0.8  # uniform over -2..2
    assert not np.array_equal(dy, dx)  # drawn apart
    x = np.tile(IMAGE.ravel(), (6, 1))
    a, b = x.copy(), x.copy()
    shift(a, np.random.default_rng(1))
    shift(b, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    dy, dx = shift.draw(np.random.default_rng(1), 6)
    np.testing.assert_array_equal(a, shift_images(x, (3, 4), dy, dx))  # in place, same draw


@pytest.mark.parametrize("text, canonical", [
    ("none", "none"), (None, "none"), ("shift:2", "shift:2"), (" SHIFT:03 ", "shift:3")])
def test_check_augment_accepts(text, canonical):
    assert check_augment(text) == canonical
    assert max_shift(canonical) == (0 if canonical == "none" else int(canonical[6:]))


@pytest.mark.parametrize("text, words", [
    ("shift:x", ["shift:S", "'shift:x'"]), ("rotate:3", ["none, or shift:S", "rotate:3"]),
    ("shift", ["shift:S"]), ("shift:-1", ["shift:S"]), ("shift:0", ["0 pixels", "shift:1"]),
    (2, ["shift:S", "2"])])
def test_check_augment_refuses(text, words):
    with pytest.raises(InputError) as err:
        check_augment(text)
    assert err.value.param == "augment"
    for word in words:
        assert word in str(err.value)


def test_image_shape_refusals():
    check_image_shape("shift:7", (8, 8), "digits")  # below the side: fine
    check_image_shape("none", None, "x.csv")  # nothing asked: fine
    with pytest.raises(InputError, match=r"x\.csv holds no images.*leave out `augment`"):
        check_image_shape("shift:1", None, "x.csv")
    with pytest.raises(InputError, match=r"8x8: the shift must be below 8, e.g. shift:2"):
        check_image_shape("shift:8", (8, 8), "digits")
    with pytest.raises(InputError, match="max_shift"):
        Shift(3, (3, 4))


class Recorder:
    """An augmentation that records what it was given and changes nothing."""

    def __init__(self) -> None:
        self.rows = 0
        self.batches: list[np.ndarray] = []

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> None:
        self.rows += x.shape[0]
        self.batches.append(x.copy())


@functools.cache
def digits_rows() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data[:300] / 16.0, d.target[:300]


def digits_trainer(augment, fast=True, seed=0):
    X, y = digits_rows()
    model = MLP(64, [16], 10, seed=0, dtype="float64")
    cfg = TrainConfig(epochs=2, batch_size=64, optimizer="adam", lr=1e-2, seed=seed)
    return Trainer(model, X[:200], y[:200], X[200:], y[200:], config=cfg, augment=augment,
                   fast=fast)


@pytest.mark.parametrize("fast", [True, False])
def test_trainer_augments_training_batches_only(fast):
    rec = Recorder()
    trainer = digits_trainer(rec, fast=fast)
    X_before = trainer.X_train.copy()
    trainer.train()
    assert rec.rows == 2 * 200  # every training row once per epoch, nothing else
    assert all(b.shape[1] == 64 for b in rec.batches)
    np.testing.assert_array_equal(trainer.X_train, X_before)  # batches are copies
    plain = digits_trainer(None, fast=fast)
    plain.train()  # a recorder that changes nothing trains exactly as no augmentation
    assert plain.history.deterministic() == trainer.history.deterministic()


@pytest.mark.parametrize("fast", [True, False])
def test_shifted_training_is_reproducible(fast):
    runs = [digits_trainer(Shift(1, (8, 8)), fast=fast) for _ in range(2)]
    for t in runs:
        t.train()
    assert runs[0].history.deterministic() == runs[1].history.deterministic()
    for k in runs[0].model.params:
        np.testing.assert_array_equal(runs[0].model.params[k], runs[1].model.params[k])
    plain = digits_trainer(None, fast=fast)
    plain.train()
    assert plain.history.step_loss != runs[0].history.step_loss  # the shifts changed it


def test_engine_and_reference_loop_shift_alike():
    fast, slow = digits_trainer(Shift(2, (8, 8))), digits_trainer(Shift(2, (8, 8)), fast=False)
    fast.train(), slow.train()
    np.testing.assert_allclose(fast.history.step_loss, slow.history.step_loss, rtol=1e-9)


def test_trainer_refuses_a_non_callable_augment():
    with pytest.raises(InputError, match="augment must be callable"):
        digits_trainer("shift:2")
