"""Round 15's probe of real tables (R's data sets, penguins, scikit-learn's tables written
as pandas, R and spreadsheets write them): each case a defect found and fixed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.clirun import numpynn, ok


def _coded_table(path, codes, rows=60):
    """``rows`` rows: two features that tell the class apart, the class as ``codes`` writes
    it."""
    rng = np.random.default_rng(0)
    lines = ["x1,x2,group"]
    for i in range(rows):
        k = i % len(codes)
        lines.append(f"{k * 3 + rng.normal(0, 0.3):.3f},{rng.normal():.3f},{codes[k]}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("codes", [["01", "02", "10"], ["007", "012", "100"]])
def test_class_codes_written_with_leading_zeros_are_predicted_as_written(tmp_path, codes):
    """Classes written as codes ('01', '02', '10': a region, a product group) were read as
    the numbers 1, 2, 10, and predict answered '1' for the file's '01': predictions that
    match none of the user's labels. They are now classes as the file writes them."""
    _coded_table(tmp_path / "train.csv", codes)
    ok(numpynn("train", "--data", "train.csv", "--label-column", "group", "--epochs", "5",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "new.csv").write_text("x1,x2\n0.0,0.1\n3.0,0.2\n6.0,-0.1\n")
    header, *rows = ok(numpynn("predict", "run", "--data", "new.csv", "--proba",
                               cwd=tmp_path)).splitlines()
    assert header.split(",")[1:] == [f"p_{c}" for c in codes]
    assert {row.split(",")[0] for row in rows} <= set(codes)
    report = ok(numpynn("evaluate", "run", "--data", "train.csv", "--split", "all", "--json",
                        cwd=tmp_path))
    assert json.loads(report)["classes"] == codes


def test_a_code_whose_zeros_a_spreadsheet_dropped_names_the_class_the_model_knows(tmp_path):
    _coded_table(tmp_path / "train.csv", ["01", "02", "10"])
    ok(numpynn("train", "--data", "train.csv", "--label-column", "group", "--epochs", "2",
               "--cv-folds", "1", "--quiet", "--no-report", "--out", "run", cwd=tmp_path))
    (tmp_path / "test.csv").write_text("x1,x2,group\n0.0,0.1,1\n3.0,0.2,2\n6.0,0.0,10\n")
    result = numpynn("evaluate", "run", "--data", "test.csv", "--split", "all", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'1' (the model knows '01')" in result.stderr


def test_many_zero_padded_codes_as_the_label_are_classes_not_a_regression(tmp_path):
    """Postcodes as the label looked continuous (many values) and trained a regression."""
    codes = [f"0{2100 + 7 * k}" for k in range(30)]
    _coded_table(tmp_path / "train.csv", codes, rows=300)
    result = numpynn("train", "--data", "train.csv", "--label-column", "group",
                     "--epochs", "1", "--cv-folds", "1", "--quiet", "--no-report",
                     "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "num_classes=30" in result.stdout and "regression" not in result.stdout + result.stderr
