"""Command lines as users bring them, round 16 of the probes (branch cli16).

Each case failed on the code before it: a flag copied from a web page or a document whose
editor turned '--' into a dash (``\u2014data``, ``\u2013-epochs``) got a hint about the option
before it ("--data takes one value, got t.csv and then \u2013-epochs"); a number pasted with
a minus sign (``1e\u22123``) or a list typed with a fullwidth comma (``8\uff0c4``) was refused as
no number; ``--quiet=false`` and ``-hidden 8`` got argparse's "ignored explicit argument";
an output path with a pasted space (``--out 'run '``) made a directory that every listing
shows as ``run``; a named pipe without a writer given as --data waited for ever; ``numpynn
report`` was "did you mean numpynn export?"; ``--lr=1e-3,`` was sent to numpynn search.
"""

from __future__ import annotations

import os

import pytest

from tests.clirun import numpynn


def _table(path, rows=40):
    lines = ["a,b,label"] + [f"{i % 7 - 3},{(i * 3) % 5},{'yes' if i % 2 else 'no'}"
                             for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _refused(tmp_path, *argv, said: str):
    _table(tmp_path / "t.csv")
    result = numpynn(*argv, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert said in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]  # nothing made
    return result.stderr


@pytest.mark.parametrize("argv,said", [
    (["train", "\u2014data", "t.csv"], "argument \u2014data: starts with '\u2014' (em dash), not "
     "the two hyphens of an option (copied from a web page, a chat or a document that "
     "turned '--' into a dash?); write --data (see 'numpynn train --help')"),
    (["train", "--data", "t.csv", "\u2013-epochs", "1"], "starts with '\u2013' (en dash)"),
    (["train", "--data", "t.csv", "\u2212\u2212epochs", "1"], "(minus sign), not the two"),
    (["train", "--data", "t.csv", "\u2014ep", "1"], "write --epochs"),  # the flag it starts
    (["train", "--data", "t.csv", "--epochs", "1", "\u2014quiet"], "write --quiet"),
    (["predict", "m.npz", "\u2014data", "t.csv"], "write --data (see 'numpynn predict"),
])
def test_a_flag_whose_hyphens_became_a_dash_is_named_with_them(tmp_path, argv, said):
    stderr = _refused(tmp_path, *argv, said=said)
    assert "takes one value" not in stderr and "search" not in stderr


def test_a_value_that_starts_with_a_dash_and_names_no_flag_is_left_a_value(tmp_path):
    _table(tmp_path / "t.csv")
    result = numpynn("train", "--data", "t.csv", "--label-column", "\u2014x", cwd=tmp_path)
    assert result.returncode == 2 and "not a column of the file" in result.stderr


@pytest.mark.parametrize("argv,dest,value", [
    (["--lr", "1e\u22123"], "lr", 1e-3),               # a minus sign, pasted from a paper
    (["--lr=1e\u20133"], "lr", 1e-3),                  # an en dash
    (["--reg", "1e\u22124"], "reg", 1e-4),             # a reader of its own (auto or a number)
    (["--hidden", "8\uff0c4"], "hidden", [8, 4]),      # a CJK input method's comma
    (["--hidden", "\uff18"], "hidden", [8]),           # fullwidth digits (read before too)
    (["--val-fraction", "0\uff0e2"], "val_fraction", 0.2),
])
def test_numbers_written_with_typographic_signs_are_the_numbers(argv, dest, value):
    from numpynn.cli.main import build_parser

    full = ["train", "--data", "t.csv", *argv]
    args = build_parser(["train"], full).parse_args(full)
    assert getattr(args, dest) == pytest.approx(value)


def test_a_negative_number_with_a_minus_sign_gets_the_values_own_check(tmp_path):
    _refused(tmp_path, "train", "--data", "t.csv", "--lr", "\u22121e-3",
             said="argument --lr: must be a positive number, got -1e-3")


def test_a_search_list_written_with_typographic_signs_is_the_list():
    from numpynn.cli.main import build_parser

    argv = ["search", "--data", "t.csv", "--lr", "1e\u22123\uff0c1e\u22122"]
    args = build_parser(["search"], argv).parse_args(argv)
    assert list(args.lr) == pytest.approx([1e-3, 1e-2])


def test_a_column_name_with_a_minus_sign_stays_that_name():
    from numpynn.cli.common import numeric_text

    assert numeric_text("Gr\u00f6\u00dfe\u2212x") == "Gr\u00f6\u00dfe\u2212x"
    assert numeric_text("1e\u22123") == "1e-3"


@pytest.mark.parametrize("argv,said", [
    (["train", "--data", "t.csv", "--quiet=false"], "--quiet is a switch, which takes no "
     "value: to leave it off, leave --quiet out"),
    (["train", "--data", "t.csv", "--quiet=yes"], "give --quiet alone"),
    (["train", "--data", "t.csv", "-hidden", "8"], "-hidden was read as -h with the value "
     "'idden': numpynn's options are long, with two hyphens: write --hidden"),
    (["train", "-help"], "write --help"),
    (["predict", "m.npz", "--data", "t.csv", "--proba=0"], "leave --proba out"),
])
def test_a_switch_given_a_value_with_equals_or_a_one_dash_flag_is_said_plainly(
        tmp_path, argv, said):
    _refused(tmp_path, *argv, said=said)


@pytest.mark.parametrize("argv", [
    ["train", "--data", "t.csv", "--out", "run "],
    ["train", "--data", "t.csv", "--out", " run/sub"],
    ["search", "--data", "t.csv", "--out", " s"],
    ["predict", "m.npz", "--data", "t.csv", "--output", " p.csv"],
    ["export", "m.npz", "m.onnx "],
])
def test_an_output_path_with_a_pasted_space_is_refused_not_made(tmp_path, argv):
    stderr = _refused(tmp_path, *argv, said="would make a name that begins or ends with")
    assert "give the path without it" in stderr


def test_an_existing_directory_with_a_space_is_still_written_into(tmp_path):
    from numpynn.cli.common import output_path

    (tmp_path / "my runs ").mkdir()
    assert output_path(str(tmp_path / "my runs " / "run")) == tmp_path / "my runs " / "run"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_given_as_data_is_refused_at_once_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # no writer: opening it would wait for ever
    result = numpynn("train", "--data", "pipe", "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "--data pipe is a pipe or a device" in result.stderr


@pytest.mark.parametrize("argv,said", [
    (["report", "run"], "numpynn has no command for it: numpynn train and numpynn search "
     "write their report (report.html"),
    (["plot"], "open RUN/report.html"),
    (["train", "help"], "unrecognized arguments: help; for help: numpynn train --help"),
    (["data", "--list"], "--list is written without dashes: numpynn data list"),
    (["train", "--data", "t.csv", "--lr=1e-3,"], "got '1e-3,'; a comma too many? --lr 1e-3 "
     "(see"),
    (["--", "train", "--data", "t.csv"], "write: numpynn train --data t.csv (see"),
])
def test_other_commands_and_stray_words_are_answered_with_numpynns_way(tmp_path, argv, said):
    stderr = _refused(tmp_path, *argv, said=said)
    assert "did you mean numpynn export" not in stderr and "numpynn search ..." not in stderr


def test_a_list_option_with_a_comma_too_many_says_so_once(tmp_path):
    stderr = _refused(tmp_path, "train", "--data", "t.csv", "--ignore-columns", "a,",
                      said="item 2 of 2 in 'a,' is empty")
    assert "a comma too many" not in stderr


@pytest.mark.parametrize("command", ["train", "search"])
@pytest.mark.parametrize("out", ["~", "~/", "/"])
def test_out_that_is_the_home_directory_or_the_root_is_refused(tmp_path, monkeypatch,
                                                               command, out):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    _table(tmp_path / "t.csv")
    result = numpynn(command, "--data", "t.csv", "--out", out, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "a directory of their own" in result.stderr
    assert not list(home.iterdir())  # no run strewn among the user's files


def test_a_decimal_comma_before_an_exponent_is_one_number_for_train_and_search(tmp_path):
    """'1,5e-3' is 1.5e-3 with a decimal comma: train said so but offered the search the
    same text, which the search then read as the list 1 and 0.005 (round 17)."""
    stderr = _refused(tmp_path, "train", "--data", "t.csv", "--lr", "1,5e-3",
                      said="got '1,5e-3'; a decimal comma? numpynn reads numbers with a "
                      "point: --lr 1.5e-3")
    assert "numpynn search" not in stderr
    _refused(tmp_path, "search", "--data", "t.csv", "--lr", "1,5e-3",
             said="'1,5e-3' reads as one number with a decimal comma, not a list (write "
             "1.5e-3); a list is written like 1e-3,3e-3 (the list of 1 and 5e-3: 1.0,5e-3)")
    _refused(tmp_path, "train", "--data", "t.csv", "--reg", "0,001",  # its own parser
             said="got '0,001'; a decimal comma? numpynn reads numbers with a point: 0.001")


@pytest.mark.parametrize("argv,said", [
    (["train", "--data", "t.csv", "--no-overwrite"], "--overwrite is off unless given, so "
     "--no-overwrite is the default already: leave it out"),
    (["train", "--data", "t.csv", "--no-quiet"], "--quiet is off unless given"),
    (["search", "--data", "t.csv", "--no-halving"], "--halving is off unless given"),
    (["train", "--data", "t.csv", "--report"], "the report is made unless --no-report is "
     "given, so --report is the default already"),
    (["train", "--data", "t.csv", "--silent"], "numpynn's flag for it is --quiet"),
    (["train", "--data", "t.csv", "--force"], "numpynn's flag for it is --overwrite"),
    (["train", "--data", "t.csv", "--dry-run"], "numpynn has no dry run"),
])
def test_a_switch_of_the_opposite_meaning_is_not_offered(tmp_path, argv, said):
    stderr = _refused(tmp_path, *argv, said=said)
    assert "did you mean" not in stderr


def test_a_fullwidth_comma_as_the_delimiter_stays_that_character():
    from numpynn.cli.main import build_parser

    argv = ["train", "--data", "t.csv", "--delimiter", "\uff0c"]
    assert build_parser(["train"], argv).parse_args(argv).delimiter == "\uff0c"


def test_a_path_or_column_written_like_a_number_with_a_minus_sign_stays_that_name():
    from numpynn.cli.main import build_parser

    argv = ["predict", "m.npz", "--data", "1\u22122", "--output", "3\u22124", "--id-column",
            "5\u22126"]
    args = build_parser(["predict"], argv).parse_args(argv)
    assert str(args.output) == "3\u22124" and args.data.endswith("1\u22122")
    assert args.id_column == "5\u22126"
