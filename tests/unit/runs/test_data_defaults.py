"""A data set's own defaults (numpynn.data.spec.SOURCE_DEFAULTS): real MNIST's where the
user left an option unset, the user's value wherever they gave one."""

from __future__ import annotations

from numpynn.data.spec import SOURCE_DEFAULTS, DataSpec
from numpynn.runs.options import run_options
from numpynn.runs.run import RunOptions, apply_task_defaults
from numpynn.tasks import task_named

CLASSIFICATION = task_named("classification")


def _cli(*argv: str) -> RunOptions:
    """RunOptions as ``numpynn train ARGV`` builds them (only the typed flags given)."""
    import argparse

    from numpynn.cli.common import add_options

    parser = argparse.ArgumentParser()
    add_options(parser, "train")
    values = vars(parser.parse_args(list(argv)))
    typed = {a.lstrip("-").split("=")[0].replace("-", "_") for a in argv if a.startswith("--")}
    return run_options("train", values, typed)


def test_mnist_named_or_from_a_directory_gets_its_image_defaults():
    for spec in ("mnist", "mnist:/data/mnist", "MNIST"):
        got = apply_task_defaults(_cli("--data", spec), CLASSIFICATION, n_rows=70000)
        assert got.preprocessing == "scale" and got.hidden == [800]
        assert got.dropout == 0.3 and got.train.batch_size == 128 and got.train.epochs == 50
        assert got.train.schedule == "cosine" and got.train.patience == 50
        assert got.augment == "shift:2"
    assert DataSpec.parse("mnist").defaults == SOURCE_DEFAULTS["mnist"]


def test_a_typed_option_wins_over_the_data_sets_default():
    got = apply_task_defaults(_cli("--data", "mnist", "--hidden", "64", "--dropout", "0",
                                   "--preprocessing", "standardize", "--epochs", "3",
                                   "--augment", "none"),
                              CLASSIFICATION, n_rows=70000)
    assert got.hidden == [64] and got.dropout == 0.0 and got.preprocessing == "standardize"
    assert got.augment == "none"
    assert got.train.epochs == 3 and got.train.batch_size == 128  # the untyped one: mnist's
    python = apply_task_defaults(RunOptions(data="mnist", hidden=[32], dropout=0.5),
                                 CLASSIFICATION, n_rows=70000)
    assert python.hidden == [32] and python.dropout == 0.5 and python.preprocessing == "scale"


def test_other_data_keeps_the_task_defaults():
    for spec in ("digits", "table.csv", "cifar10", "fashion-mnist"):
        got = apply_task_defaults(_cli("--data", spec), CLASSIFICATION, n_rows=1797)
        assert got.preprocessing == "standardize" and got.hidden == [100]
        assert got.dropout == 0.0 and got.train.batch_size == 32
        assert got.train.schedule == "constant" and got.augment == "none"
    assert DataSpec.parse("table.csv").defaults == {}


def test_the_help_names_the_data_sets_defaults(capsys):
    from numpynn.cli.main import main

    assert main(["train", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "(default standardize; mnist scale)" in out and "mnist 800" in out
    assert "(default 0.0; mnist 0.3)" in out and "(default constant; mnist cosine)" in out
    assert "(default none; mnist shift:2)" in out
