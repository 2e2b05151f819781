"""numpynn.validation's declarative argument checks: one message format,
"<name> must be <what>; got <value>.", and InputError.param naming the argument."""

from __future__ import annotations

import re

import numpy as np
import pytest

from numpynn import models
from numpynn.errors import InputError
from numpynn.training import optim
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
    (lambda: check_number(0, "lr", low=0.0, low_open=True), "lr must be a positive number; got 0."),
    (lambda: check_int(0, "epochs", low=1), "epochs must be a positive integer; got 0."),
    (lambda: check_int(2.0, "epochs", low=1), "epochs must be a positive integer; got 2.0."),
    (lambda: check_int(-1, "jobs", low=0), "jobs must be an integer >= 0; got -1."),
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


# ------------------------------------ one rule per argument: library, estimator and CLI
# TrainConfig's name -> (MLPClassifier's parameter, the CLI flag of `numpynn train`)
SHARED = {"lr": ("learning_rate_init", "--lr"), "epochs": ("max_iter", "--epochs"),
          "batch_size": ("batch_size", "--batch-size"), "seed": ("random_state", "--seed"),
          "patience": ("n_iter_no_change", "--patience")}
BAD = [(name, value) for name in SHARED for value in (0, -1, float("nan"), True, "x")
       if not (name == "seed" and value == 0)]  # seed 0 is a good seed


@pytest.mark.parametrize("name, value", BAD, ids=[f"{n}={v!r}" for n, v in BAD])
def test_the_same_bad_value_is_refused_everywhere_naming_the_parameter(name, value, capsys):
    from numpynn import MLPClassifier
    from numpynn.cli.main import main
    from numpynn.training.trainer import TrainConfig

    with pytest.raises(InputError) as info:
        TrainConfig(**{name: value})
    assert info.value.param == name and str(info.value).startswith(f"{name} must be ")

    est_name, flag = SHARED[name]
    if value is not True:  # scikit-learn's constraints count a bool as an int (its choice)
        X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1] * 3)
        with pytest.raises(ValueError, match=f"'{est_name}' parameter of MLPClassifier"):
            MLPClassifier(**{"max_iter": 1, est_name: value}).fit(X, y)

    # the flag is refused by argparse before any data is read (none exists here)
    capsys.readouterr()
    assert main(["train", "--data", "missing.csv", flag, str(value)]) == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: " in err and str(value) in err, err


@pytest.mark.parametrize("rule, good, bad", [
    ("POSITIVE_INT", ["1", "7"], ["0", "-3", "1.5", "x"]),
    ("NONNEGATIVE_INT", ["0", "3", "2.0"], ["-1", "2.5"]),  # a whole number as a float
    ("POSITIVE_NUMBER", ["1e-3", "2"], ["0", "-1", "nan", "inf"]),
    ("NONNEGATIVE_NUMBER", ["0", "0.5"], ["-0.1", "nan"]),
    ("FRACTION", ["0", "0.99"], ["1", "-0.1", "nan"]),
    ("SEED", ["0", str(2**32 - 1), "1.0"], ["-1", str(2**32), "1.5"]),
])
def test_cli_option_types_apply_the_library_rule(rule, good, bad):
    import argparse

    from numpynn import validation
    from numpynn.cli import common

    the_rule = getattr(validation, rule)
    parse = {"POSITIVE_INT": common.positive_int, "NONNEGATIVE_INT": common.nonnegative_int,
             "POSITIVE_NUMBER": common.positive_float,
             "NONNEGATIVE_NUMBER": common.nonnegative_float, "FRACTION": common.fraction,
             "SEED": common.seed}[rule]
    convert = common.whole_number if the_rule.kind == "integer" else float
    for text in good:
        assert parse(text) == the_rule.check(convert(text), "v")
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError, match=re.escape(the_rule.words)):
            parse(text)


@pytest.mark.parametrize("text,listed", [("100,50", "[100, 50]"), ("(100, 50)", "[100, 50]"),
                                         ("abc", "[100, 50]")])
def test_hidden_sizes_given_as_text_are_named_not_read_a_character_at_a_time(text, listed):
    """RunOptions(hidden='100,50') said "hidden[0] must be a positive integer; got '1'"."""
    from numpynn.validation import check_hidden_dims

    with pytest.raises(InputError, match="must be a list of positive integers; got the "
                                         "text") as info:
        check_hidden_dims(text, "hidden")
    assert str(info.value).endswith(f"give the sizes as a list, {listed}.")
