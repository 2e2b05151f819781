"""Tests of numpynn.report.page: the run report's files, and a page that leads with what a
person looks at (figures, then the per-class table, the configuration folded away last),
its captions true to the rows that ran."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from matplotlib.image import imread

from numpynn.report.page import write_regression_report, write_report
from tests.unit.report.test_kit import confusion_matrix, fake_history

SVG = "{http://www.w3.org/2000/svg}"


def assert_svg(path: Path) -> ET.Element:
    """A well-formed SVG document that draws something."""
    root = ET.fromstring(Path(path).read_text(encoding="utf-8"))
    assert root.tag == f"{SVG}svg"
    assert float(root.get("width")) > 100 and float(root.get("height")) > 100
    assert len(list(root.iter())) > 10
    return root


def svg_texts(path: Path) -> list[str]:
    return ["".join(t.itertext()) for t in assert_svg(path).iter(f"{SVG}text")]


class Outline(HTMLParser):
    """The page's order: ("img", src), ("table", class), ("details",), ("/details",)
    and ("h2", text) in document order, with whether each lies inside <details>."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str, bool]] = []
        self.depth = 0
        self._h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "details":
            self.events.append(("details", a.get("class", ""), True))
            self.depth += 1
        elif tag == "img":
            self.events.append(("img", a["src"], self.depth > 0))
        elif tag == "table":
            self.events.append(("table", a.get("class", ""), self.depth > 0))
        elif tag == "h2":
            self._h2 = True

    def handle_endtag(self, tag):
        if tag == "details":
            self.depth -= 1
            self.events.append(("/details", "", False))
        elif tag == "h2":
            self._h2 = False

    def handle_data(self, data):
        if self._h2:
            self.events.append(("h2", data.strip(), self.depth > 0))


def outline(page: Path) -> list[tuple[str, str, bool]]:
    parser = Outline()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.events


def assert_leads_with_figures(page: Path, first: list[str], tables: list[str]) -> None:
    """The figures ``first`` come before every table; ``tables`` (outside <details>) come
    in that order after them; the configuration is folded in one <details> at the end."""
    events = outline(page)
    kinds = [(k, v) for k, v, _ in events]
    images = [v for k, v in kinds if k == "img"]
    assert images[:len(first)] == first
    first_table = next(i for i, (k, _) in enumerate(kinds) if k == "table")
    last_image = max(i for i, (k, _) in enumerate(kinds) if k == "img")
    assert last_image < first_table, kinds
    shown = [v for k, v, inside in events if k == "table" and not inside]
    assert shown == tables
    opened = [i for i, (k, _) in enumerate(kinds) if k == "details"]
    assert len(opened) == 1 and kinds[opened[0]][1] == "configuration"
    assert kinds[-1] == ("/details", "")  # nothing after the folded configuration
    folded = [v for k, v, inside in events if k == "table" and inside]
    assert "configuration" in folded or "details" in folded


def classification_report(tmp_path: Path, history=None, sizes=None, **kwargs) -> Path:
    ev = SimpleNamespace(precision=np.array([0.9, 0.5, 1.0]), recall=np.array([0.75, 1.0, 1.0]),
                         f1=np.array([0.818, 0.667, 1.0]), support=np.array([8, 2, 5]))
    return write_report(
        tmp_path, history if history is not None else fake_history(),
        metrics={"train": {"accuracy": 0.95, "loss": 0.1}, "test": {"accuracy": 0.8,
                                                                   "loss": 0.4}},
        confusion=np.array([[6, 2, 0], [0, 2, 0], [0, 0, 5]]), class_names=["a", "b", "c"],
        split_sizes={"train": 120, "val": 30, "test": 15} if sizes is None else sizes,
        evaluation=ev, details={"data": "t.csv", "seed": 0},
        configuration={"hidden": [100], "train": {"lr": 0.001}}, **kwargs)


# ----------------------------------------------------------------------------- files


def test_write_report_writes_everything(tmp_path):
    out_dir = tmp_path / "run"  # does not exist yet
    metrics = {"train": {"accuracy": 0.99123, "loss": 0.031234},
               "val": {"accuracy": 0.975, "loss": 0.0812},
               "test": {"accuracy": 0.9655, "loss": 0.10456}}
    details = {"data set": "digits", "architecture": "64-100-10", "optimiser": "adam",
               "epochs": 6, "seed": 0, "time": 1.23456789}
    rng = np.random.default_rng(0)
    report = write_report(str(out_dir), fake_history(), metrics=metrics,
                          confusion=confusion_matrix(10), class_names=[str(i) for i in range(10)],
                          W1=rng.standard_normal((64, 20)), image_shape=(8, 8), details=details)
    assert report == out_dir / "report.html"
    for name in ("loss.svg", "accuracy.svg", "confusion.svg"):
        assert_svg(out_dir / name)
    weights = imread(out_dir / "weights.png")
    assert weights.ndim == 2 and weights.shape[0] > 100 and weights.std() > 0.01  # grey
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for formatted in ("99.12%", "97.50%", "96.55%", "0.0312", "0.0812", "0.1046"):
        assert formatted in text
    for key, value in (("data set", "digits"), ("architecture", "64-100-10"),
                       ("optimiser", "adam"), ("seed", "0"), ("time", "1.23457")):
        assert f"<th>{key}</th><td>{value}</td>" in text
    for name in ("loss.svg", "accuracy.svg", "confusion.svg", "weights.png"):
        assert f'<img src="{name}"' in text
    # Self-contained and static: no scripts, no external or absolute references.
    assert "<script" not in text.lower()
    assert not re.search(r"(src|href)=\"(https?:|/)", text)


def test_the_confusion_figure_shows_the_counts_and_names(tmp_path):
    classification_report(tmp_path)
    texts = svg_texts(tmp_path / "confusion.svg")
    assert texts.count("6") == 1 and texts.count("2") == 2 and texts.count("5") == 1
    assert texts.count("0") == 5  # the empty cells
    assert {"a", "b", "c", "predicted class", "true class"} <= set(texts)
    assert "15 rows, accuracy 86.67%" in texts


def test_write_report_escapes_text_and_skips_optional_plots(tmp_path):
    title = "<script>alert('x')</script> & co"
    report = write_report(tmp_path, fake_history(), metrics={"test<b>": {"accuracy": 0.5}},
                          W1=np.zeros((64, 4)), image_shape=None, title=title,
                          details={"note": "<img src=x onerror=alert(1)>"})
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;" in text and "&amp; co" in text
    assert "test&lt;b&gt;" in text and "&lt;img src=x" in text
    assert not (tmp_path / "weights.png").exists()
    assert not (tmp_path / "confusion.svg").exists()
    assert '<img src="weights.png"' not in text and '<img src="confusion.svg"' not in text
    assert (tmp_path / "loss.svg").exists() and (tmp_path / "accuracy.svg").exists()


def test_write_report_skips_weights_when_shape_does_not_match(tmp_path):
    write_report(tmp_path, fake_history(), metrics={}, W1=np.zeros((64, 4)), image_shape=(7, 7),
                 confusion=np.eye(3, dtype=int))
    assert not (tmp_path / "weights.png").exists()
    assert {"0", "1", "2"} <= set(svg_texts(tmp_path / "confusion.svg"))  # default names


def test_write_report_adds_splits_per_class_configuration_and_kept_rule(tmp_path):
    history = fake_history(n_epochs=6, best_epoch=3)
    history.best_rule = "lowest validation loss"
    ev = SimpleNamespace(precision=np.array([0.9, 0.5]), recall=np.array([0.75, 1.0]),
                         f1=np.array([0.818, 0.667]), support=np.array([8, 2]))
    report = write_report(
        tmp_path, history, metrics={"test": {"accuracy": 0.8}},
        class_names=["<b>ok</b>", "bad"], split_sizes={"train": 1293, "val": 144, "test": 10},
        evaluation=ev, configuration={"hidden": [100], "train": {"lr": 0.001, "select": "loss"}},
    )
    text = report.read_text(encoding="utf-8")
    assert "parameters kept from epoch 3 (lowest validation loss)." in text
    assert "Test accuracy 80.00% on the 10 test rows" in text
    assert '<tr><th>train</th><td class="num">1,293</td></tr>' in text
    assert '<tr><th>test</th><td class="num">10</td></tr>' in text
    assert ('<tr><th>&lt;b&gt;ok&lt;/b&gt;</th><td class="num">0.900</td>'
            '<td class="num">0.750</td><td class="num">0.818</td><td class="num">8</td></tr>'
            in text)
    assert ('<tr><th>bad</th><td class="num">0.500</td><td class="num">1.000</td>'
            '<td class="num">0.667</td><td class="num">2</td></tr>' in text)
    assert "<tr><th>train.lr</th><td>0.001</td></tr>" in text
    assert "<tr><th>train.select</th><td>loss</td></tr>" in text
    assert "<tr><th>hidden</th><td>100</td></tr>" in text


# ----------------------------------------------------------------------------- order


def test_the_page_leads_with_the_figures_then_per_class_and_folds_the_configuration(tmp_path):
    page = classification_report(tmp_path)
    assert_leads_with_figures(page, ["loss.svg", "accuracy.svg", "confusion.svg"],
                              ["per-class", "metrics", "splits"])
    headings = [v for k, v, _ in outline(page) if k == "h2"]
    assert headings[0] == "Per class (the 15 test rows)"


def test_the_regression_page_leads_with_its_figures(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.normal(size=(40, 1))
    history = fake_history()
    history.train_score, history.val_score = history.train_acc, history.val_acc
    page = write_regression_report(
        tmp_path, history, {"test": {"r2": 0.91, "rmse": 0.3, "mae": 0.2, "loss": 0.05}},
        y, y + 0.1 * rng.normal(size=y.shape), split_sizes={"train": 120, "val": 30,
                                                           "test": 40},
        details={"data": "h.csv"}, configuration={"hidden": [100]})
    assert_leads_with_figures(page, ["loss.svg", "r2.svg", "predicted_vs_true.svg",
                                     "residuals.svg"], ["metrics", "splits"])
    for name in ("loss.svg", "r2.svg", "predicted_vs_true.svg", "residuals.svg"):
        assert_svg(tmp_path / name)
    text = page.read_text(encoding="utf-8")
    assert "Test R² 0.91 on the 40 test rows." in text
    assert "y = x" in svg_texts(tmp_path / "predicted_vs_true.svg")


# ----------------------------------------------------------------------------- truth


def test_without_validation_rows_nothing_is_labelled_validation(tmp_path):
    history = fake_history(best_epoch=6)
    history.val_loss, history.val_acc = [], []
    history.best_rule = "last epoch, no validation data"
    page = classification_report(tmp_path, history, {"train": 150, "val": 0, "test": 15})
    text = page.read_text(encoding="utf-8")
    assert "on the 150 training rows (no validation rows, so no validation curve)" in text
    assert "training and validation" not in text
    for name in ("loss.svg", "accuracy.svg"):
        texts = svg_texts(tmp_path / name)
        assert "validation" not in texts, texts  # no validation series
        assert not any("validation loss" in t or "(val " in t for t in texts), texts
    assert "(train " in " ".join(svg_texts(tmp_path / "accuracy.svg"))


def test_captions_name_the_rows_of_each_figure(tmp_path):
    history = fake_history(best_epoch=4)
    history.best_rule = "lowest validation loss"
    text = classification_report(tmp_path, history).read_text(encoding="utf-8")
    assert ("per epoch, on the 120 training rows; validation curve: the 30 validation rows."
            in text)
    assert "the 15 test rows, held out from training" in text
    legend = " ".join(svg_texts(tmp_path / "accuracy.svg"))
    assert "kept epoch 4, lowest validation loss (val " in legend
    assert "validation loss (per epoch)" in " ".join(svg_texts(tmp_path / "loss.svg"))


def test_after_a_refit_the_curves_are_said_to_be_the_selection_fit(tmp_path):
    history = fake_history(best_epoch=4)
    history.best_rule = "lowest validation loss"
    text = classification_report(tmp_path, history, {"train": 150, "val": 0, "test": 15}
                                 ).read_text(encoding="utf-8")
    assert "of the fit that chose the epoch count" in text
    assert "trained again on train + val for 4 epochs" in text
    assert "parameters kept from epoch" not in text


def test_the_regression_page_states_the_rule_that_ran_and_empty_splits(tmp_path):
    history = fake_history(best_epoch=5)
    history.best_rule = "lowest validation loss"
    empty = np.zeros((0, 1))
    page = write_regression_report(tmp_path, history, {"train": {"r2": 0.5}}, empty, empty,
                                   split="val", split_sizes={"train": 50, "val": 10, "test": 0})
    text = page.read_text(encoding="utf-8")
    assert "parameters kept from epoch 5 (lowest validation loss)." in text
    assert "best validation R" not in text
    assert "no validation rows (the split is empty): nothing to draw." in text
    root = ET.fromstring((tmp_path / "predicted_vs_true.svg").read_text(encoding="utf-8"))
    assert "no rows" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_an_ensembles_members_table_follows_the_per_class_table(tmp_path):
    rows = [{"model": "member 1", "seed": 3735928559, "kept epoch": 7, "val accuracy": 0.9512,
             "val loss": 0.16789},
            {"model": "member 2", "seed": 12, "kept epoch": 9, "val accuracy": 0.96,
             "val loss": 0.15},
            {"model": "ensemble <2>", "seed": None, "kept epoch": None, "val accuracy": 0.975,
             "val loss": 0.12}]
    text = write_report(tmp_path, fake_history(), metrics={"test": {"accuracy": 0.9}},
                        members=rows).read_text()
    assert "<h2>Ensemble members</h2>" in text
    table = text.split('<table class="members">')[1].split("</table>")[0]
    assert "<th>model</th><th>seed</th><th>kept epoch</th>" in table
    assert ">3735928559<" in table and ">7<" in table  # integers as they are
    assert ">95.12%<" in table and ">0.1679<" in table and ">97.50%<" in table
    assert "ensemble &lt;2&gt;" in table and table.count("<tr><th>") == 4  # head + 3
    assert text.index('.svg"') < text.index("Ensemble members")  # the plots lead
    assert "Ensemble members" not in write_report(tmp_path / "one", fake_history(),
                                                  metrics={}).read_text()
