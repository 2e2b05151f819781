"""Model files written by numpynn 0.1 (format version 1) keep loading and predicting.

The fixtures in ``tests/fixtures`` were written by numpynn 0.1 before the model format
changed: a digits model (float32, one hidden layer, pixel scaling) and a CSV model
(float64, two hidden layers, string labels, standardisation). ``v0_1_expected.npz`` holds
the probabilities and labels 0.1 predicted for a few rows. Labels must stay identical;
probabilities equal up to the rounding of another machine's BLAS (see :data:`ATOL`).
"""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.model_file import load_model
from tests.clirun import REPO

FIXTURES = REPO / "tests" / "fixtures"

#: Absolute tolerance on a probability, by the model's dtype. Another BLAS build or CPU
#: sums a layer's products in another order (blocking, FMA, SIMD width); each score moves by
#: a few units in the last place of its largest terms, and so does each probability (softmax
#: is 1-Lipschitz). Measured: 3e-7 (float32, 40 digits rows) and 1.1e-16 (float64) between an
#: AVX2 and an AVX-512 machine. The bounds keep 30x margin and stay far below any change in
#: the model's arithmetic (1e-3 or more).
ATOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}


@pytest.mark.parametrize("name", ["digits", "table"])
def test_v0_1_model_predicts_identically(name):
    expected = np.load(FIXTURES / "v0_1_expected.npz", allow_pickle=False)
    saved = load_model(FIXTURES / f"v0_1_{name}_model.npz")
    X = expected[f"X_{name}"]
    proba = saved.predict_proba(X)
    np.testing.assert_allclose(proba, expected[f"proba_{name}"], rtol=0,
                               atol=ATOL[np.dtype(proba.dtype)])
    np.testing.assert_array_equal(np.asarray(saved.predict(X)).astype(str),
                                  expected[f"pred_{name}"].astype(str))
