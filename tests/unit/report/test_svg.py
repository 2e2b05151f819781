"""Tests of the report's drawing without matplotlib: numpynn.report.svg (charts as SVG
text), numpynn.report.charts (the report's figures) and numpynn.report.png (the PNG of the
first-layer weights), each against an independent reader (an XML parser, matplotlib's
PNG reader)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.image import imread

from numpynn.errors import InputError
from numpynn.report import charts
from numpynn.report.png import png_bytes, weights_grid
from numpynn.report.svg import MAX_POINTS, Chart, Line, Series, heatmap, nice_ticks, panels
from tests.unit.report.test_kit import fake_history

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def polylines(root: ET.Element) -> list[np.ndarray]:
    return [np.array([[float(v) for v in p.split(",")] for p in e.get("points").split()])
            for e in root.iter(f"{SVG}polyline")]


@pytest.mark.parametrize(("lo", "hi", "expected"), [
    (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (0.13, 0.97, [0.2, 0.4, 0.6, 0.8]),
    (1.0, 200.0, [50.0, 100.0, 150.0, 200.0]),
    (-3.0, 3.0, [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]),
    (5.0, 5.0, [5.0]),
])
def test_nice_ticks(lo, hi, expected):
    assert nice_ticks(lo, hi) == pytest.approx(expected)


def test_nice_ticks_integer_steps_are_whole():
    ticks = nice_ticks(0.5, 3.5, integer=True)
    assert ticks == [1.0, 2.0, 3.0]
    assert nice_ticks(float("nan"), 1.0) == []


def test_a_chart_draws_its_points_in_order_and_breaks_lines_at_nan():
    chart = Chart("t", "x", "y", [Series([1, 2, 3, 4, 5], [1.0, 2.0, np.nan, 4.0, 5.0], "s")])
    root = parse(chart.svg())
    lines = polylines(root)
    assert [len(p) for p in lines] == [2, 2]  # the NaN splits the line in two
    a, b = lines
    assert a[0, 0] < a[1, 0] < b[0, 0] < b[1, 0]  # x grows to the right
    assert a[0, 1] > a[1, 1] > b[0, 1] > b[1, 1]  # larger y is higher (smaller SVG y)
    assert {"t", "x", "y", "s"} <= set(texts(root))


def test_a_log_chart_has_decade_ticks_and_drops_non_positive_values():
    chart = Chart("loss", series=[Series(np.arange(1, 6), [10.0, 1.0, 0.1, 0.0, 0.01])],
                  ylog=True)
    root = parse(chart.svg())
    labels = texts(root)
    assert {"10", "1", "0.1", "0.01"} <= set(labels)
    # the 0.0 is not drawn: it breaks the line, and the lone 0.01 after it makes none
    assert [len(p) for p in polylines(root)] == [3]


def test_percent_axis_and_reference_lines_in_the_legend():
    chart = Chart("acc", series=[Series([1, 2, 3], [0.5, 0.75, 1.0], "train")], percent=True,
                  ylim=(0.5, 1.0), lines=[Line(2, label="kept epoch 2"),
                                          Line(0.6, vertical=False)])
    labels = texts(parse(chart.svg()))
    assert "100%" in labels and "50%" in labels
    assert "kept epoch 2" in labels and labels.count("train") == 1


def test_long_series_are_thinned_to_their_envelope():
    y = np.sin(np.arange(20000) / 50.0)
    y[12345] = 9.0  # a spike survives the thinning
    root = parse(Chart("t", series=[Series(np.arange(y.size), y)]).svg())
    (line,) = polylines(root)
    assert len(line) <= 2 * MAX_POINTS
    top = float(root.find(f".//{SVG}rect[@fill='none']").get("y"))
    assert line[:, 1].min() < top + 20  # the spike reaches the top of the plot


def test_empty_chart_says_so():
    assert "nothing to see" in texts(parse(Chart("t", empty="nothing to see").svg()))


def test_panels_put_charts_side_by_side():
    root = parse(panels([Chart("a", series=[Series([0, 1], [0, 1])], width=300),
                         Chart("b", series=[Series([0, 1], [1, 0])], width=200)]))
    assert root.get("width") == "500"
    assert {"a", "b"} <= set(texts(root))


def test_heatmap_cells_texts_and_long_names_rotate():
    values = np.array([[1.0, 0.0], [0.25, 0.75]])
    root = parse(heatmap("m", values, [["4", "0"], ["1", "3"]], ["first class", "b"],
                         ["first class", "b"], "pred", "true", "bar", subtitle="8 rows"))
    labels = texts(root)
    assert {"4", "0", "1", "3", "m", "8 rows", "pred", "true", "bar"} <= set(labels)
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("fill", "").startswith("#")]
    colours = [c.get("fill") for c in cells[:4]]
    assert colours[0] == "#08306b" and colours[1] == "#f7fbff"  # 1.0 darkest, 0.0 white
    assert len(set(colours)) == 4


def test_loss_chart_labels_follow_the_history():
    history = fake_history(n_epochs=6)  # 10 steps an epoch
    labels = [s.label for s in charts.loss_chart(history).series]
    assert labels == ["loss per step", "moving average (10 steps)", "train loss (per epoch)",
                      "validation loss (per epoch)"]
    history.val_loss = []
    assert "validation loss (per epoch)" not in [s.label for s in
                                                 charts.loss_chart(history).series]
    wide = charts.loss_chart(fake_history(n_epochs=20, start_loss=50.0))
    assert wide.ylog and wide.ylabel == "loss (log scale)"


def test_score_chart_marks_the_kept_epoch_with_its_rule():
    history = fake_history(n_epochs=6, best_epoch=4)
    history.best_rule = "lowest validation loss"
    chart = charts.score_chart(history, True, "Accuracy", "accuracy")
    star = chart.series[-1]
    assert star.marker == "*" and list(star.x) == [4]
    assert star.label == (f"kept epoch 4, lowest validation loss (val "
                          f"{100 * history.val_acc[3]:.2f}%)")
    assert [ln.at for ln in chart.lines] == [4]


def test_confusion_svg_rejects_bad_input():
    with pytest.raises(InputError, match="square"):
        charts.confusion_svg(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(InputError, match="one name per class"):
        charts.confusion_svg(np.eye(3), ["a", "b"])
    with pytest.raises(InputError, match="non-negative"):
        charts.confusion_svg(-np.eye(2), ["a", "b"])
    many = parse(charts.confusion_svg(np.eye(30) * 3, [f"c{i}" for i in range(30)]))
    assert "3" not in texts(many) and "c29" in texts(many)  # past 20 classes: no counts


@pytest.mark.parametrize("shape", [(5, 7), (4, 6, 3)])
def test_png_bytes_round_trip(shape):
    rng = np.random.default_rng(0)
    image = np.round(rng.random(shape) * 255) / 255
    decoded = imread(io.BytesIO(png_bytes(image)), format="png")
    assert decoded.shape == shape
    np.testing.assert_allclose(decoded, image, atol=1e-6)
    scaled = imread(io.BytesIO(png_bytes(image, scale=3)), format="png")
    assert scaled.shape[:2] == (shape[0] * 3, shape[1] * 3)
    np.testing.assert_allclose(scaled[::3, ::3], image, atol=1e-6)


def test_png_bytes_rejects_other_shapes():
    with pytest.raises(InputError, match="image must be"):
        png_bytes(np.zeros((2, 2, 2)))


def test_weights_grid_tiles_each_unit_scaled_on_its_own():
    W = np.arange(8 * 8 * 3, dtype=float).reshape(64, 3)
    grid, n = weights_grid(W, (8, 8))
    assert n == 3 and grid.shape == (2 * 9 + 1, 2 * 9 + 1)
    tile = grid[1:9, 1:9]
    assert tile.min() == 0.0 and tile.max() == 1.0
    np.testing.assert_allclose(tile.reshape(-1), np.linspace(0, 1, 64))
    assert grid[10:18, 10:18].tolist() == np.ones((8, 8)).tolist()  # the empty fourth place
    with pytest.raises(InputError, match="image_shape"):
        weights_grid(W, (8, 7))
    with pytest.raises(InputError, match="2-D"):
        weights_grid(np.zeros(64), (8, 8))
