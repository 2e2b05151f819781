"""Model files written by numpynn 0.1 (format version 1) keep loading and predicting.

The fixtures in ``tests/fixtures`` were written by numpynn 0.1 before the model format
changed: a digits model (float32, one hidden layer, pixel scaling) and a CSV model
(float64, two hidden layers, string labels, standardisation). ``v0_1_expected.npz`` holds
the probabilities and labels 0.1 predicted for a few rows; they must stay identical.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from numpynn.io import load_model

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["digits", "table"])
def test_v0_1_model_predicts_identically(name):
    expected = np.load(FIXTURES / "v0_1_expected.npz", allow_pickle=False)
    saved = load_model(FIXTURES / f"v0_1_{name}_model.npz")
    X = expected[f"X_{name}"]
    np.testing.assert_array_equal(saved.predict_proba(X), expected[f"proba_{name}"])
    np.testing.assert_array_equal(np.asarray(saved.predict(X)).astype(str),
                                  expected[f"pred_{name}"].astype(str))
