"""numpynn.data.spec.DataSpec: one parser of data specs for every command, the search, the
run metadata and the output-clash check."""

from __future__ import annotations

import os

import pytest

from numpynn.data.spec import DataSpec
from numpynn.runs.run import data_inputs, resolve_recorded_spec, source_kind


@pytest.mark.parametrize("text, source, has_path", [
    ("digits", "digits", False), ("MNIST", "mnist", False),
    ("fashion-mnist", "fashion-mnist", False), ("cifar10", "cifar10", False),
    ("cifar10:batches", "cifar10", True), ("mnist:idx", "mnist", True),
    ("fashion-mnist:idx", "fashion-mnist", True),
    ("t.csv", "csv", True), ("t.CSV.gz", "csv", True), ("t.tsv", "csv", True),
    ("t.tsv.gz", "csv", True), ("a.npz", "npz", True), ("nowhere.data", "unknown", True),
])
def test_every_form_is_parsed_to_its_source(text, source, has_path):
    spec = DataSpec.parse(text)
    assert spec.source == source and (spec.path is not None) == has_path
    assert source_kind(text) == source


def test_a_text_file_with_another_ending_is_a_table_and_a_binary_one_is_not(tmp_path):
    (tmp_path / "adult.data").write_text("1,2,yes\n3,4,no\n")
    (tmp_path / "notes.txt").write_text("a\tb\n1\t2\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / "sheet.json").write_text("[1, 2]")
    assert DataSpec.parse(str(tmp_path / "adult.data")).source == "csv"
    assert DataSpec.parse(str(tmp_path / "notes.txt")).source == "csv"
    assert DataSpec.parse(str(tmp_path / "blob.bin")).source == "unknown"
    assert DataSpec.parse(str(tmp_path / "sheet.json")).source == "unknown"  # not a table


def test_absolute_form_inputs_and_same_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "t.tsv").write_text("a\tb\n1\t2\n")
    assert DataSpec.parse("t.tsv").absolute() == str(tmp_path / "t.tsv")
    assert DataSpec.parse("fashion-mnist:d").absolute("/base") == "fashion-mnist:/base/d"
    assert DataSpec.parse("digits").absolute("/base") == "digits"
    assert resolve_recorded_spec("x.data", "/runs") == "/runs/x.data"
    assert data_inputs("mnist:d") == [os.path.join("d")] and data_inputs("mnist") == []
    assert DataSpec.parse("t.tsv").same_data(str(tmp_path / "t.tsv"))
    assert DataSpec.parse("./t.tsv").same_data("t.tsv")
    assert not DataSpec.parse("t.tsv").same_data("digits")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert DataSpec.parse("~/t.tsv").expanded() == str(tmp_path / "t.tsv")
    assert DataSpec.parse("cifar10:~/d").expanded() == f"cifar10:{tmp_path / 'd'}"
