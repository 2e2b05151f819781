"""numpynn.data.split.stratified_indices: the rows scikit-learn's stratified
``train_test_split`` chooses, without importing scikit-learn, for any labels and seed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split

from numpynn.data.split import stratified_indices


@st.composite
def split_cases(draw):
    classes = draw(st.integers(1, 7))
    labels = draw(st.lists(st.integers(0, classes - 1), min_size=2, max_size=120))
    as_text = draw(st.booleans())
    y = np.array([f"c{v}" for v in labels]) if as_text else np.array(labels)
    n_take = draw(st.integers(1, len(labels) - 1))
    return y, n_take, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=150, deadline=None)
@given(split_cases())
def test_same_rows_as_scikit_learn_or_the_same_refusal(case):
    """Old runs keep their test rows: the split equals scikit-learn's, row for row and in
    order, and refuses exactly where scikit-learn refuses (a class of one, a part smaller
    than the number of classes)."""
    y, n_take, seed = case
    try:
        want = train_test_split(np.arange(len(y)), test_size=n_take, stratify=y,
                                random_state=seed)
    except ValueError:
        with pytest.raises(ValueError):
            stratified_indices(y, n_take, seed)
        return
    keep, take = stratified_indices(y, n_take, seed)
    np.testing.assert_array_equal(keep, want[0])
    np.testing.assert_array_equal(take, want[1])


def test_every_class_in_both_parts_in_proportion():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    keep, take = stratified_indices(y, 20, seed=3)
    assert sorted([*keep, *take]) == list(range(100))
    np.testing.assert_array_equal(np.bincount(y[take]), [10, 6, 4])


def test_a_percentage_given_as_a_fraction_is_named():
    from numpynn.data.split import _check_fraction
    from numpynn.errors import InputError

    with pytest.raises(InputError, match=r"got 20 \(a share of the rows, not a percentage: "
                                         r"20% is 0.2\)"):
        _check_fraction("val_fraction", 20)
