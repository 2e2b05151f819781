"""Round 17: ``numpynn predict`` writes one row per row of the file, as its help says: a
row of empty cells, a repeated header or a note below the table among the rows (which
pandas and spreadsheets count as rows) gets an empty prediction, instead of being left
out and shifting every prediction after it against the rows they belong to."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from numpynn.errors import InputError
from numpynn.model_file import load_model
from tests.clirun import numpynn, ok

_QUICK = ("--epochs", "3", "--cv-folds", "1", "--quiet", "--no-report", "--out", "run")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A model of a table with columns a, b and a text label."""
    d = tmp_path_factory.mktemp("predict_rows")
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    X = np.c_[y * 3 + rng.normal(0, 0.3, 60), rng.normal(size=60)]
    lines = ["a,b,label"] + [f"{a:.3f},{b:.3f},{'yes' if k else 'no'}"
                             for (a, b), k in zip(X, y)]
    (d / "t.csv").write_text("\n".join(lines) + "\n")
    ok(numpynn("train", "--data", "t.csv", *_QUICK, cwd=d))
    return d


def test_skipped_rows_among_and_below_the_rows_keep_their_place_in_the_predictions(run_dir):
    rows = ["a,b", "3.1,0.2", "0.1,-0.4", ",", "a,b", "2.9,1.0", "0.0,0.3", "Total,", ","]
    (run_dir / "new.csv").write_text("\n".join(rows) + "\n")
    result = numpynn("predict", "run", "--data", "new.csv", "--output", "p.csv", cwd=run_dir)
    ok(result)
    assert "empty row for each row skipped" in result.stderr
    assert "wrote 4 predictions and 4 empty rows" in result.stderr
    out = pd.read_csv(run_dir / "p.csv", skip_blank_lines=False)
    assert len(out) == len(pd.read_csv(run_dir / "new.csv")) == 8
    alone = load_model(run_dir / "run").predict(np.array([[3.1, 0.2], [0.1, -0.4],
                                                          [2.9, 1.0], [0.0, 0.3]]))
    got = out["prediction"].tolist()
    assert [got[i] for i in (0, 1, 4, 5)] == alone.tolist()
    assert all(pd.isna(got[i]) for i in (2, 3, 6, 7))


def test_an_id_column_and_probabilities_stay_in_step_too(run_dir):
    rows = ["id,a,b", "7,3.1,0.2", ",,", "9,0.1,-0.4"]
    (run_dir / "ids.csv").write_text("\n".join(rows) + "\n")
    lines = ok(numpynn("predict", "run", "--data", "ids.csv", "--id-column", "id",
                       "--proba", cwd=run_dir)).splitlines()
    assert lines[0] == "id,prediction,p_no,p_yes"
    assert lines[1].startswith("7,") and lines[2] == ",,," and lines[3].startswith("9,")


def test_training_still_skips_rows_of_empty_cells(run_dir):
    """Only the predictions keep a place for them: a training table loses nothing."""
    text = (run_dir / "t.csv").read_text().splitlines()
    (run_dir / "gap.csv").write_text("\n".join([*text[:5], ",,", *text[5:]]) + "\n")
    result = numpynn("train", "--data", "gap.csv", *_QUICK[:-1], "run2", cwd=run_dir)
    ok(result)
    said = result.stdout + result.stderr
    assert "hold empty cells only" in said and "empty row for each" not in said


def test_a_file_name_given_to_saved_model_predict_says_how_to_read_it(run_dir):
    """Was "rows: expected rows of 2 feature cells (shape (N, 2)); got shape ()"."""
    with pytest.raises(InputError, match=r"X is the name 'new.csv', not rows.*read_csv"):
        load_model(run_dir / "run").predict("new.csv")
