"""numpynn.validation's declarative argument checks: one message format,
"<name> must be <what>; got <value>.", and InputError.param naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn import models, optim
from numpynn.errors import InputError
from numpynn.validation import (
    check_bool,
    check_choice,
    check_int,
    check_number,
    check_sample_weight,
    check_seed,
)


@pytest.mark.parametrize("call, message", [
    (lambda: check_number(-1, "lr", low=0.0), "lr must be a finite number >= 0; got -1."),
    (lambda: check_number(1.0, "beta1", low=0.0, high=1.0, high_open=True),
     "beta1 must be a finite number in [0, 1); got 1.0."),
    (lambda: check_number(float("nan"), "reg"), "reg must be a finite number; got nan."),
    (lambda: check_number(True, "lr"), "lr must be a finite number; got True."),
    (lambda: check_int(0, "epochs", low=1), "epochs must be an integer >= 1; got 0."),
    (lambda: check_int(2.0, "epochs", low=1), "epochs must be an integer >= 1; got 2.0."),
    (lambda: check_int(9, "k", low=0, high=3), "k must be an integer in 0..3; got 9."),
    (lambda: check_bool(1, "nesterov"), "nesterov must be True or False; got 1."),
    (lambda: check_choice("sgdd", "optimizer", ("sgd", "adam")),
     "optimizer must be one of 'sgd', 'adam'; got 'sgdd'."),
    (lambda: check_seed(-1), "seed must be None or an integer in 0..4294967295; got -1."),
])
def test_one_message_format(call, message):
    with pytest.raises(InputError) as info:
        call()
    assert str(info.value) == message
    assert info.value.param == message.split(" ")[0]


def test_valid_values_come_back_converted():
    assert check_number(np.float32(0.5), "x", low=0, high=1) == 0.5
    assert check_int(np.int64(3), "n", low=1) == 3 and check_bool(np.True_, "b") is True
    assert check_choice("adam", "optimizer", ("sgd", "adam")) == "adam"
    assert check_seed(None) is None and check_seed(2**32 - 1) == 2**32 - 1
    np.testing.assert_array_equal(check_sample_weight([1, 0, 2], 3), [1.0, 0.0, 2.0])
    with pytest.raises(InputError, match="one weight per row"):
        check_sample_weight([1, 2], 3)


def test_models_and_optim_use_the_shared_checks():
    assert models.check_seed is check_seed  # still importable from models
    assert models.check_sample_weight is check_sample_weight
    with pytest.raises(InputError, match=r"^momentum must be a finite number in \[0, 1\); got 1"):
        optim.make_optimizer("momentum", lr=0.1, momentum=1.0)
