"""numpynn.runs.options: a run option is one declaration, and the command line's parser, its
flag names in messages, the resume rules and the options built from a command line all
follow it (issue 18)."""

from __future__ import annotations

import dataclasses

import pytest

from numpynn.cli.common import flag_message, flags
from numpynn.cli.main import UsageError, build_parser
from numpynn.runs import options as options_module
from numpynn.runs.options import OPTIONS, Option, default_options, run_options
from numpynn.runs.run import RunOptions
from numpynn.training.trainer import TrainConfig
from numpynn.validation import POSITIVE_INT
from tests.clirun import numpynn


def _parser_flags(command: str) -> set[str]:
    sub = build_parser([command])._subparsers._group_actions[0].choices[command]
    return {s for a in sub._actions for s in a.option_strings}


def test_every_declared_option_reaches_its_commands_and_its_field():
    run_fields = {f.name for f in dataclasses.fields(RunOptions)}
    train_fields = {f.name for f in dataclasses.fields(TrainConfig)}
    for option in OPTIONS:
        head, _, rest = option.field.partition(".")
        assert (rest in train_fields) if rest else (head in run_fields), option.field
        for command in option.commands:
            assert option.flag in _parser_flags(command), (option.flag, command)
        assert flags()[option.name] == option.flag


def test_defaults_come_from_run_options_not_from_the_declarations():
    parsed = build_parser(["train"]).parse_args(["train"])
    built = run_options("train", vars(parsed), given=set())
    assert dataclasses.replace(built, task_defaults=[]) == dataclasses.replace(
        default_options(), task_defaults=[])
    assert set(built.task_defaults) == {o.name for o in OPTIONS if o.per_task}


def test_a_new_option_is_one_declaration(monkeypatch):
    """An option added to the table (here TrainConfig's eval_samples) is a flag of train,
    a value of the run's options, and the flag named in messages, with nothing else
    touched."""
    added = Option("train.eval_samples", "--eval-samples", POSITIVE_INT,
                   "training rows scored per epoch (default {default})")
    monkeypatch.setattr(options_module, "OPTIONS", (*OPTIONS, added))
    assert "--eval-samples" in _parser_flags("train")
    parsed = build_parser(["train"]).parse_args(["train", "--eval-samples", "50"])
    assert run_options("train", vars(parsed), {"eval_samples"}).train.eval_samples == 50
    assert flag_message("`eval_samples` must be positive") == "--eval-samples must be positive"
    with pytest.raises(UsageError, match="--eval-samples: must be a positive integer"):
        build_parser(["train"]).parse_args(["train", "--eval-samples", "0"])


def test_resume_may_change_only_the_resumable_options(tmp_path):
    resumable = {o.flag for o in OPTIONS if o.resumable}
    assert resumable == {"--epochs", "--patience"}
    result = numpynn("train", "--resume", "run", "--lr", "0.1", cwd=tmp_path)
    assert result.returncode == 2 and "--lr" in result.stderr
    assert "--epochs" in result.stderr and "--patience" in result.stderr
