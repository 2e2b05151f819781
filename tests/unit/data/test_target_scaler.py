"""The regression target transform: standardised, after log(1 + y) for a heavy right tail."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpynn.data.preprocessing import TargetScaler, log_candidates, skewness
from numpynn.errors import InputError, ModelFileError

RNG = np.random.default_rng(0)
WAGES = RNG.lognormal(2.0, 0.8, size=500)  # right-skewed, positive
HEIGHTS = RNG.normal(170, 10, size=500)


def test_a_heavy_right_tail_is_a_log_candidate_and_log_logs_the_columns_given():
    assert skewness(WAGES) > 1 and abs(skewness(HEIGHTS)) < 0.5
    columns = log_candidates(np.c_[WAGES, HEIGHTS])
    assert columns.tolist() == [True, False]
    assert TargetScaler().fit(np.c_[WAGES, HEIGHTS], "auto").log.tolist() == [False, False]
    scaler = TargetScaler().fit(np.c_[WAGES, HEIGHTS], "log", columns)
    assert scaler.log.tolist() == [True, False]
    z = scaler.transform(np.c_[WAGES, HEIGHTS])
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(z[:, 0], (np.log1p(WAGES) - np.log1p(WAGES).mean())
                               / np.log1p(WAGES).std())


def test_negative_targets_are_never_logged_and_log_refuses_them():
    shifted = WAGES - 5.0
    assert log_candidates(shifted).tolist() == [False]
    with pytest.raises(InputError, match="at least 0; the smallest is"):
        TargetScaler().fit(shifted, "log")
    with pytest.raises(InputError, match="target_transform must be one of"):
        TargetScaler().fit(WAGES, "sqrt")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=3, max_size=50), st.sampled_from(["none", "log"]))
def test_inverse_undoes_transform(values, transform):
    y = np.array(values)
    scaler = TargetScaler().fit(y, transform)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(y))[:, 0], y,
                               rtol=1e-9, atol=1e-6)


def test_the_state_round_trips_and_old_states_have_no_log():
    scaler = TargetScaler().fit(np.c_[WAGES, HEIGHTS], "log", np.array([True, False]))
    again = TargetScaler.from_state(scaler.state(), 2)
    assert again.log.tolist() == [True, False]
    out = np.array([[0.3, -1.0], [50.0, 2.0]])  # 50: far outside, capped not inf
    assert np.isfinite(again.inverse_transform(out)).all()
    np.testing.assert_allclose(again.inverse_transform(out[:1]),
                               scaler.inverse_transform(out[:1]))
    old = TargetScaler.from_state({"mean": [1.0], "scale": [2.0]}, 1)
    assert old.log.tolist() == [False]
    np.testing.assert_allclose(old.inverse_transform(np.array([[1.0]])), [[3.0]])
    for bad in ({"mean": [1.0], "scale": [2.0], "log": "yes"},
                {"mean": [1.0], "scale": [2.0], "log": [1]},
                {"mean": [1.0], "scale": [2.0], "log": [True, False]}):
        with pytest.raises(ModelFileError):
            TargetScaler.from_state(bad, 1)
