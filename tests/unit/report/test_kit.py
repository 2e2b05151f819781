"""Tests of numpynn.report.kit: every matplotlib plot writes a readable PNG (the run report,
numpynn.report.page, is tested in test_page.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.image import imread

from numpynn.errors import InputError
from numpynn.report.kit import (
    accuracy_figure,
    confusion_figure,
    loss_figure,
    plot_accuracy,
    plot_confusion,
    plot_first_layer_weights,
    plot_loss,
    plot_search,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def fake_history(n_epochs: int = 6, steps_per_epoch: int = 10, start_loss: float = 2.3,
                 best_epoch: int | None = None, seed: int = 0) -> SimpleNamespace:
    rng = np.random.default_rng(seed)
    n_steps = n_epochs * steps_per_epoch
    t = np.arange(n_steps) / steps_per_epoch
    step_loss = start_loss * np.exp(-0.4 * t) + 0.1 + 0.05 * rng.random(n_steps)
    epochs = list(range(1, n_epochs + 1))
    e = np.asarray(epochs, dtype=float)
    train_loss = start_loss * np.exp(-0.4 * e) + 0.1
    val_loss = train_loss + 0.05
    train_acc = 1 - 0.9 * np.exp(-0.5 * e)
    val_acc = train_acc - 0.03
    return SimpleNamespace(
        step_loss=step_loss.tolist(),
        epochs=epochs,
        train_loss=train_loss.tolist(),
        train_acc=train_acc.tolist(),
        val_loss=val_loss.tolist(),
        val_acc=val_acc.tolist(),
        lr=[1e-3 * 0.95**i for i in range(n_epochs)],
        best_epoch=int(np.argmax(val_acc)) + 1 if best_epoch is None else best_epoch,
    )


def assert_png(path: Path, min_size: int = 100) -> np.ndarray:
    path = Path(path)
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    image = imread(path)
    assert image.shape[0] > min_size and image.shape[1] > min_size
    # Not a blank canvas: something was drawn.
    assert image[..., :3].std() > 0.01
    return image


def confusion_matrix(n_classes: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cm = rng.integers(0, 5, size=(n_classes, n_classes))
    cm[np.diag_indices(n_classes)] += rng.integers(40, 100, size=n_classes)
    return cm


# ----------------------------------------------------------------------------- plots


def test_plot_loss_writes_png_and_returns_path(tmp_path):
    out = plot_loss(fake_history(), str(tmp_path / "loss.png"))
    assert isinstance(out, Path) and out == tmp_path / "loss.png"
    assert_png(out)


def recorded_yscales(monkeypatch) -> list[str]:
    from matplotlib.axes import Axes

    scales: list[str] = []
    original = Axes.set_yscale

    def recording(self, value, **kwargs):
        scales.append(value)
        return original(self, value, **kwargs)

    monkeypatch.setattr(Axes, "set_yscale", recording)
    return scales


def line_data(ax, label: str) -> tuple[np.ndarray, np.ndarray]:
    """The x and y data of the line labelled ``label`` on ``ax``."""
    lines = [ln for ln in ax.get_lines() if ln.get_label() == label]
    assert len(lines) == 1, [ln.get_label() for ln in ax.get_lines()]
    x, y = lines[0].get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def test_loss_figure_plots_the_history_values():
    history = fake_history(n_epochs=5, steps_per_epoch=8)
    fig = loss_figure(history)
    ax = fig.axes[0]
    assert ax.get_title() == "Training loss"
    assert ax.get_xlabel() == "step (minibatch)" and ax.get_ylabel() == "loss"
    x, y = line_data(ax, "loss per step")
    np.testing.assert_array_equal(x, np.arange(1, 41))
    np.testing.assert_array_equal(y, history.step_loss)
    x, y = line_data(ax, "train loss (per epoch)")
    np.testing.assert_array_equal(x, np.arange(1, 6) * 8)  # at each epoch's last step
    np.testing.assert_array_equal(y, history.train_loss)
    _, y = line_data(ax, "val loss (per epoch)")
    np.testing.assert_array_equal(y, history.val_loss)
    # the moving average is the mean of a window of 8 steps
    _, avg = line_data(ax, "centred moving average (8 steps)")
    np.testing.assert_allclose(avg[10], np.mean(history.step_loss[6:14]))


def test_accuracy_figure_marks_the_kept_epoch_with_its_rule():
    history = fake_history(n_epochs=6, best_epoch=4)
    history.best_rule = "lowest validation loss"
    fig = accuracy_figure(history)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "accuracy"
    x, y = line_data(ax, "train")
    np.testing.assert_array_equal(x, history.epochs)
    np.testing.assert_array_equal(y, history.train_acc)
    _, y = line_data(ax, "validation")
    np.testing.assert_array_equal(y, history.val_acc)
    star = f"kept epoch 4, lowest validation loss (val {100 * history.val_acc[3]:.2f}%)"
    x, y = line_data(ax, star)
    assert x.tolist() == [4] and y.tolist() == [history.val_acc[3]]


def test_confusion_figure_cells_show_the_counts():
    cm = np.array([[12, 3, 0], [1, 20, 2], [0, 4, 9]])
    fig = confusion_figure(cm, ["cat", "dog", "eel"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "eel"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "eel"]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    assert cells == {(i, j): str(cm[i, j]) for i in range(3) for j in range(3)}
    assert ax.get_title().endswith(f"51 examples, accuracy {100 * 41 / 51:.2f}%")
    # the colours are the row-normalised counts
    np.testing.assert_allclose(ax.images[0].get_array(), cm / cm.sum(axis=1, keepdims=True))


def test_plot_loss_log_scale_only_for_wide_ranges(tmp_path, monkeypatch):
    scales = recorded_yscales(monkeypatch)
    plot_loss(fake_history(), tmp_path / "linear.png")  # 2.4 -> 0.1: under 2 decades
    assert "log" not in scales
    plot_loss(fake_history(n_epochs=20, start_loss=50.0), tmp_path / "log.png")  # > 400x
    assert "log" in scales


def test_plot_loss_edge_cases(tmp_path):
    # A diverged NaN step and no validation set.
    history = fake_history(start_loss=500.0)
    history.step_loss[3] = float("nan")
    history.val_loss = []
    assert_png(plot_loss(history, tmp_path / "log.png"))
    # Only per-epoch losses (no step losses), a single epoch, and a nested output dir.
    one = fake_history(n_epochs=1)
    one.step_loss = []
    assert_png(plot_loss(one, tmp_path / "sub" / "dir" / "one.png"))
    # Nothing at all: still a valid (placeholder) image.
    empty = SimpleNamespace(step_loss=[], epochs=[], train_loss=[], train_acc=[], val_loss=[],
                            val_acc=[], lr=[], best_epoch=0)
    assert_png(plot_loss(empty, tmp_path / "empty.png"))


def test_plot_accuracy(tmp_path):
    assert_png(plot_accuracy(fake_history(n_epochs=12), tmp_path / "acc.png"))
    no_best = fake_history(n_epochs=1, best_epoch=0)
    assert_png(plot_accuracy(no_best, tmp_path / "acc1.png"))


@pytest.mark.parametrize("n_classes", [2, 10, 30])
def test_plot_confusion_sizes(tmp_path, n_classes):
    names = [f"class {i}" for i in range(n_classes)]
    out = plot_confusion(confusion_matrix(n_classes), names, tmp_path / "cm.png")
    image = assert_png(out)
    # Larger matrices get larger figures so the labels stay readable.
    if n_classes == 30:
        assert image.shape[0] > 900


def test_plot_confusion_annotates_only_small_matrices(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    calls = []
    original = Axes.text

    def counting_text(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "text", counting_text)
    cm = confusion_matrix(10)
    plot_confusion(cm, [str(i) for i in range(10)], tmp_path / "ten.png")
    annotated = {str(args[2]) for args in calls}
    assert len(calls) == 100 and str(cm[0, 0]) in annotated
    calls.clear()
    plot_confusion(confusion_matrix(30), [str(i) for i in range(30)], tmp_path / "thirty.png")
    assert calls == []


def test_plot_confusion_empty_rows_and_bad_input(tmp_path):
    cm = np.array([[5, 1, 0], [0, 0, 0], [2, 0, 7]])  # a class never seen in the test set
    assert_png(plot_confusion(cm, ["a", "b", "c"], tmp_path / "cm.png"))
    with pytest.raises(InputError, match="square"):
        plot_confusion(np.zeros((2, 3)), ["a", "b"], tmp_path / "bad.png")
    with pytest.raises(InputError, match="class_names"):
        plot_confusion(np.eye(3), ["a", "b"], tmp_path / "bad.png")


@pytest.mark.parametrize(
    ("image_shape", "n_units"),
    [((8, 8), 10), ((8, 8), 100), ((32, 32, 3), 7), ((32, 32, 3), 70), ((28, 28), 64)],
)
def test_plot_first_layer_weights(tmp_path, image_shape, n_units):
    rng = np.random.default_rng(1)
    W1 = rng.standard_normal((int(np.prod(image_shape)), n_units))
    W1[:, 0] = 0.0  # a constant unit must not divide by zero
    assert_png(plot_first_layer_weights(W1, image_shape, tmp_path / "w.png"))


def test_plot_first_layer_weights_rejects_wrong_shape(tmp_path):
    with pytest.raises(InputError, match="image_shape"):
        plot_first_layer_weights(np.zeros((64, 5)), (8, 7), tmp_path / "w.png")
    with pytest.raises(InputError, match="2-D"):
        plot_first_layer_weights(np.zeros(64), (8, 8), tmp_path / "w.png")


def test_plot_search(tmp_path):
    results = [
        {"lr": 1e-3, "reg": 0.0, "val_acc": 0.91, "hidden": 50, "seconds": 1.2},
        {"lr": 1e-2, "reg": 1e-4, "val_acc": 0.95, "hidden": 100},
        {"lr": 1e-1, "reg": 1e-3, "val_acc": 0.62, "hidden": 100},
        {"lr": 3e-4, "reg": 1e-2, "val_acc": 0.80, "hidden": 50},
        {"lr": 3e-2, "reg": 1e-1, "val_acc": float("nan"), "hidden": 200},
    ]
    assert_png(plot_search(results, tmp_path / "search.png"))
    with pytest.raises(InputError, match="reg"):
        plot_search([{"lr": 1e-3, "val_acc": 0.5}], tmp_path / "bad.png")
    with pytest.raises(InputError, match="at least one"):
        plot_search([], tmp_path / "bad.png")
