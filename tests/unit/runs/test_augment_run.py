"""A run's ``augment`` (random translations of its training images): recorded in the model
file and the run's configuration, the background after preprocessing, kept out of the
packed engine, refused where there are no images or the shift is too large."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.errors import InputError
from numpynn.model_file import load_model
from numpynn.runs.run import (
    RunOptions,
    augmentation,
    evaluation_data,
    packable,
    prepare_splits,
    resume_options,
    run_training,
)
from numpynn.training.augment import Shift
from numpynn.training.trainer import TrainConfig


def options(**kw) -> RunOptions:
    cfg = TrainConfig(epochs=2, batch_size=64, optimizer="adam", lr=5e-3, seed=3)
    return RunOptions(**{"data": "digits", "hidden": [16], "val_fraction": 0.1, "train": cfg,
                         **kw})


def test_the_model_file_records_the_augmentation_and_predicts_unchanged(tmp_path):
    result = run_training(options(augment="shift:1"), tmp_path, report=False)
    saved = load_model(tmp_path / "model.npz")
    assert saved.metadata["options"]["augment"] == "shift:1"
    assert RunOptions.from_dict(saved.metadata["options"]).augment == "shift:1"
    assert resume_options(tmp_path).augment == "shift:1"
    for split in ("train", "test"):  # the figures are of the rows as they are, unshifted
        X, y, _ = evaluation_data(saved, "digits", split)  # raw rows, as predict reads them
        accuracy = float(np.mean(saved.predict(X) == y))
        assert accuracy == pytest.approx(result.metrics[split]["accuracy"]), split
    assert RunOptions.from_dict({"data": "digits"}).augment == "none"  # files of before


@pytest.mark.parametrize("kind, background", [("scale", 0.0), ("none", 0.0),
                                              ("standardize", None)])
def test_the_background_is_what_a_raw_zero_becomes(kind, background):
    opts = options(augment="shift:2", preprocessing=kind)
    splits = prepare_splits(opts)
    shift = augmentation(opts, splits)
    assert isinstance(shift, Shift) and shift.image_shape == (8, 8) and shift.max_shift == 2
    prep = splits.preprocessor
    if background == 0.0:
        assert shift.fill is None  # zero-filled
    else:
        np.testing.assert_allclose(shift.fill, -prep.mean_ / prep.scale_, rtol=1e-6)
        assert np.ptp(shift.fill) > 0  # a value per pixel
    assert augmentation(options(), splits) is None
    assert packable(opts, splits)  # the packed engine augments as the Trainer does


def test_a_table_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.normal(size=(60, 3)), np.arange(60) % 2])
    path = tmp_path / "t.csv"
    np.savetxt(path, rows, delimiter=",", header="a,b,c,label", comments="")
    with pytest.raises(InputError, match=r"t\.csv holds no images") as info:
        run_training(options(data=str(path), augment="shift:1"), tmp_path / "out",
                     report=False)
    assert info.value.param == "augment"
    assert not (tmp_path / "out").exists()


def test_too_large_a_shift_is_refused(tmp_path):
    with pytest.raises(InputError, match="8x8: the shift must be below 8"):
        run_training(options(augment="shift:8"), tmp_path / "a", report=False)
    with pytest.raises(InputError, match="`augment` must be"):
        options(augment="rotate:3")


def test_an_ensemble_is_augmented_packed(tmp_path):
    shifted = run_training(options(augment="shift:1", ensemble=2), tmp_path / "a",
                           report=False)
    plain = run_training(options(ensemble=2), tmp_path / "b", report=False)
    assert shifted.saved.metadata["options"]["augment"] == "shift:1"
    assert shifted.history.engine.startswith("packed")
    assert shifted.history.step_loss != plain.history.step_loss


def test_a_resumed_augmented_run_equals_an_uninterrupted_one(tmp_path):
    from numpynn.training.trainer import Callback

    class StopAfter1(Callback):
        def on_epoch_end(self, trainer, epoch):
            if epoch == 1:
                raise KeyboardInterrupt

    opts = options(augment="shift:2")
    straight = run_training(opts, tmp_path / "a", report=False)
    with pytest.raises(KeyboardInterrupt):
        run_training(opts, tmp_path / "b", callbacks=[StopAfter1()], report=False)
    resumed = run_training(resume_options(tmp_path / "b"), tmp_path / "b", resume=True,
                           report=False)
    assert resumed.history.deterministic() == straight.history.deterministic()
    for k, v in straight.saved.model.params.items():
        assert np.array_equal(resumed.saved.model.params[k], v), k
