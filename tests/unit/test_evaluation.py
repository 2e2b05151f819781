"""numpynn.evaluation: per-class figures from one bincount, equal to scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    balanced_accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
)

from numpynn.evaluation import Evaluation, class_metrics


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6).flatmap(lambda C: st.tuples(
    st.just(C), st.lists(st.tuples(st.integers(0, C - 1), st.integers(0, C - 1)),
                         min_size=1, max_size=40))))
def test_class_metrics_equal_scikit_learns(case):
    """Any labels, including classes never true or never predicted (zero_division=0)."""
    C, pairs = case
    y, pred = map(np.array, zip(*pairs))
    got = class_metrics(y, pred, C)
    labels = np.arange(C)
    precision, recall, f1, support = precision_recall_fscore_support(
        y, pred, labels=labels, zero_division=0)
    np.testing.assert_allclose(got["precision"], precision, rtol=1e-12)
    np.testing.assert_allclose(got["recall"], recall, rtol=1e-12)
    np.testing.assert_allclose(got["f1"], f1, rtol=1e-12)
    np.testing.assert_array_equal(got["support"], support)
    np.testing.assert_array_equal(got["confusion"], confusion_matrix(y, pred, labels=labels))
    ev = Evaluation(accuracy=float(np.mean(y == pred)), loss=0.0, **got)
    with np.errstate(all="ignore"):
        want = balanced_accuracy_score(y, pred) if len(np.unique(y)) else 0.0
    assert ev.balanced_accuracy == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("C", [10, 100])
def test_text_shows_the_matrix_up_to_20_classes_then_the_most_confused_pairs(C):
    from numpynn.evaluation import format_evaluation

    y = np.arange(3 * C) % C
    pred = y.copy()
    pred[0] = pred[C] = 1  # two rows of class 0 taken for class 1
    ev = Evaluation(accuracy=float(np.mean(y == pred)), loss=0.0, **class_metrics(y, pred, C))
    text = format_evaluation(ev, [f"k{i}" for i in range(C)])
    lines = text.splitlines()
    assert max(map(len, lines)) < 200  # fits a terminal either way
    if C <= 20:
        assert "confusion matrix (rows" in text and "most confused" not in text
    else:
        assert "confusion matrix (rows" not in text and "k0 predicted as k1: 2 rows" in text
        assert len(lines) < C + 20
