"""Tests of numpynn.data.cells and of the CSV reader's use of it: points that group
thousands in a column that writes decimal commas (German, French, ... spreadsheets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numpynn.data import load_csv
from numpynn.data.cells import number_value, writes_decimal_comma
from numpynn.data.table import TableRecipe


@pytest.mark.parametrize(("text", "expected"), [
    ("2,5", True), ("1.234,50", True), ("12,5 %", True), ("€ 1.234,50", True),
    ("12.345", False), ("1,500", False), ("3.75", False), ("abc", False), ("", False),
])
def test_writes_decimal_comma(text: str, expected: bool) -> None:
    assert writes_decimal_comma(text) is expected


@pytest.mark.parametrize(("text", "value"), [
    ("12.345", 12345.0), ("1.500.000", 1500000.0), ("-1.500", -1500.0),
    ("€ 12.345", 12345.0), ("3.75", 3.75), ("0.500", 0.5), ("1.234,5", 1234.5),
    ("980", 980.0), ("1e3", 1000.0),
])
def test_number_value_with_thousands_points(text: str, value: float) -> None:
    assert number_value(text, True, thousands_points=True) == pytest.approx(value)


def test_number_value_reads_points_as_float_does_by_default() -> None:
    assert number_value("12.345", True) == pytest.approx(12.345)


def _german(value: float, decimals: bool = True) -> str:
    text = f"{value:,.2f}" if decimals else f"{value:,.0f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def test_csv_column_with_decimal_commas_reads_points_as_thousands(tmp_path: Path) -> None:
    # Excel in a German locale: 1.500,00 with a format, 12.345 without decimals
    rows = [(1500.0, True), (12345.0, False), (2340.5, True), (12345.0, True),
            (980.0, False), (1500.0, False)] * 4
    lines = ["price;size;label"] + [f"{_german(v, d)};{i % 3};{'ab'[i % 2]}"
                                     for i, (v, d) in enumerate(rows)]
    path = tmp_path / "de.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_csv(path)
    np.testing.assert_allclose(ds.X[:, 0], [v for v, _ in rows])
    np.testing.assert_allclose(ds.X[:, 1], [i % 3 for i in range(len(rows))])
    # 'size' writes no decimal point either: in this file of decimal commas a point in it
    # would group thousands too
    assert ds.table.thousands_points == [0, 1]


def test_csv_column_of_points_only_keeps_them_decimal(tmp_path: Path) -> None:
    # a ; file whose numbers use decimal points: nothing changes
    path = tmp_path / "points.csv"
    path.write_text("a;b;label\n12.345;1;x\n0.5;2;y\n1.500;3;x\n", encoding="utf-8")
    ds = load_csv(path)
    np.testing.assert_allclose(ds.X[:, 0], [12.345, 0.5, 1.5])
    assert ds.table.thousands_points == []


def test_regression_target_with_decimal_commas(tmp_path: Path) -> None:
    values = [f"{_german(1000.0 * k + 0.25 * k)}" for k in range(1, 30)] + ["12.000"]
    lines = ["x;price"] + [f"{i % 5};{v}" for i, v in enumerate(values)]
    path = tmp_path / "prices.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_csv(path, task="regression")
    assert ds.y[-1] == pytest.approx(12000.0)
    assert ds.y[0] == pytest.approx(1000.25)


def test_model_reads_new_files_with_its_columns_convention(tmp_path: Path) -> None:
    # the training column wrote decimal commas; a file to predict holds whole numbers only
    train = tmp_path / "train.csv"
    train.write_text("area;rooms;label\n" + "".join(
        f"{_german(100.0 * k + 0.5)};{k % 4};{'ab'[k % 2]}\n" for k in range(1, 25)),
        encoding="utf-8")
    recipe = TableRecipe.from_dict(load_csv(train).table.to_dict())
    assert recipe.thousands_points == [0, 1]  # 'rooms' writes no decimal point
    new = tmp_path / "new.csv"
    new.write_text("area;rooms\n1.200;3\n80;1\n", encoding="utf-8")
    ds = load_csv(new, recipe=recipe, label_column=None)
    np.testing.assert_allclose(ds.X, [[1200.0, 3.0], [80.0, 1.0]])
    # the same file separated by commas writes points as decimals: read as float does
    comma = tmp_path / "new_comma.csv"
    comma.write_text("area,rooms\n1.200,3\n80,1\n", encoding="utf-8")
    ds = load_csv(comma, recipe=recipe, label_column=None)
    np.testing.assert_allclose(ds.X, [[1.2, 3.0], [80.0, 1.0]])


def test_recipe_without_thousands_points_field_still_loads() -> None:
    data = TableRecipe(n_features=1, n_columns=2, label=1, features=[0]).to_dict()
    assert "thousands_points" not in data
    assert TableRecipe.from_dict(data).thousands_points == []
    with pytest.raises(ValueError, match="decimal commas"):
        TableRecipe.from_dict({**data, "thousands_points": [3]})


def test_a_models_regression_target_is_read_as_it_was_trained(tmp_path: Path) -> None:
    """A target column that wrote decimal commas: a new ;-file of whole targets ('250.000')
    is read in thousands, as the training file's; a model trained without commas reads
    '12.345' as float does in a new file without commas, and in thousands in one whose
    numbers write decimal commas (a file of another locale than the training file's)."""
    train = tmp_path / "train.csv"
    train.write_text("x;price\n" + "".join(
        f"{k % 5};{_german(1000.0 * k + 0.25)}\n" for k in range(1, 30)), encoding="utf-8")
    recipe = TableRecipe.from_dict(load_csv(train, task="regression").table.to_dict())
    assert recipe.label_thousands_points
    new = tmp_path / "new.csv"
    new.write_text("x;price\n1;250.000\n2;1.500\n", encoding="utf-8")
    ds = load_csv(new, recipe=recipe, task="regression")
    np.testing.assert_allclose(ds.y, [250000.0, 1500.0])
    plain = tmp_path / "plain.csv"
    plain.write_text("x;price\n" + "".join(f"{k % 5};{k}.5\n" for k in range(1, 30)),
                     encoding="utf-8")
    old = TableRecipe.from_dict(load_csv(plain, task="regression").table.to_dict())
    assert not old.label_thousands_points and old.thousands_points == []
    points = tmp_path / "points.csv"  # no comma: the model's convention, decimal points
    points.write_text("x;price\n1.5;12.345\n12.345;2\n", encoding="utf-8")
    ds = load_csv(points, recipe=old, task="regression")
    np.testing.assert_allclose(ds.y, [12.345, 2.0])
    np.testing.assert_allclose(ds.X[:, 0], [1.5, 12.345])
    mixed = tmp_path / "mixed.csv"  # its feature writes a comma, which the model's did not
    mixed.write_text("x;price\n1,5;12.345\n12.345;2\n", encoding="utf-8")
    ds = load_csv(mixed, recipe=old, task="regression")
    np.testing.assert_allclose(ds.y, [12345.0, 2.0])
    np.testing.assert_allclose(ds.X[:, 0], [1.5, 12345.0])
