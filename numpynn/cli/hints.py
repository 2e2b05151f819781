"""What a refused command line most likely meant, said after argparse's complaint.

argparse says "unrecognized arguments: --trials 5" and nothing more; users bring the
habits of other tools: ``--model m.npz`` where numpynn takes the model as an argument,
``numpynn export m.npz --out m.onnx``, ``--learning-rate``, ``-e 5``, an option of another
command (``train --trials``), or several values where one is taken (``train --hidden 100
50``, ``train --lr 1e-3,1e-2``: lists are numpynn search's). Each hint is ``"; ..."``, to
follow the message, or ``""``.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence

from ..validation import OTHER_NAMES

#: a positional argument's other tools' flags (``--model m.npz``, ``-o out.onnx``)
POSITIONAL_FLAGS: dict[str, tuple[str, ...]] = {
    "model": ("--model", "-m", "--model-path", "--model-file", "--load"),
    "output": ("--output", "--out", "-o", "--output-file", "--outfile"),
}
#: other tools' flags for numpynn's (library parameter names, as in OTHER_NAMES)
CLI_NAMES: dict[str, tuple[str, ...]] = {
    "output": ("out",), "output_dir": ("out",), "outdir": ("out",), "o": ("out", "output"),
    "n_trials": ("trials",), "n_iter": ("trials",), "num_trials": ("trials",),
    "e": ("epochs",),
}
#: the commands whose results are what they print (no output file of their own)
PRINTING = ("evaluate", "explain", "docs", "gradcheck")
_ORDINALS = ("first", "second", "third")
_NUMBER = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {o: a for a in parser._actions for o in a.option_strings}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def takes_a_list(action: argparse.Action | None) -> bool:
    """Whether ``action`` takes several values (search's ``--lr 1e-3,1e-2``, ``--hidden
    128 256,128``)."""
    return action is not None and (action.nargs == "+" or action.metavar in ("VALUES",
                                                                              "NAMES"))


def extras_hint(top: argparse.ArgumentParser, extras: Sequence[str],
                argv: Sequence[str]) -> str:
    """The hint for the arguments ``extras`` that ``argv``'s command did not take."""
    if not extras or not argv:
        return ""
    command = argv[0]
    parser = _subparsers(top).get(command)
    if parser is None:
        return ""
    first = extras[0]
    if first.startswith("-") and not _NUMBER.match(first):
        return _option_hint(command, parser, first.split("=", 1)[0])
    return _value_hint(command, parser, first, argv)


def _option_hint(command: str, parser: argparse.ArgumentParser, flag: str) -> str:
    prog = f"numpynn {command}"
    original = flag
    own = _options(parser)
    positionals = [a for a in parser._actions if not a.option_strings]
    name = flag.lstrip("-").replace("-", "_").lower()
    for i, action in enumerate(positionals):  # --model m.npz: an argument without a flag
        if flag in POSITIONAL_FLAGS.get(action.dest, ()) or name == action.dest:
            usage = " ".join((a.metavar or a.dest).upper() for a in positionals)
            more = " ..." if len(own) > 2 else ""  # options besides -h/--help
            return (f"; {prog} takes the {action.dest} as its {_ORDINALS[min(i, 2)]} argument, "
                    f"without a flag: {prog} {usage}{more}")
    if command in PRINTING and flag in POSITIONAL_FLAGS["output"]:  # evaluate -o m.json
        json = " (--json: as JSON)" if "--json" in own else ""
        return (f"; {prog} prints its results to standard output: redirect them, {prog} ... "
                f"> FILE{json}")
    if name in ("config", "config_file", "configfile", "cfg"):
        return ("; numpynn reads no configuration file: give the options as flags (a "
                "shell script or an alias keeps them)")
    from .common import flags
    from .main import COMMANDS, build_parser  # every command's options, on this error only

    everyone = _subparsers(build_parser())
    named = flags()
    for equivalent in (*CLI_NAMES.get(name, ()), OTHER_NAMES.get(name)):
        other = named.get(equivalent or "")
        if other in own:
            return f"; numpynn's flag for it is {other}"
        if other and other != flag:
            flag = other  # said below as the other command's option
    elsewhere = [c for c in COMMANDS if c != command and flag in _options(everyone[c])]
    if elsewhere:
        where = " and ".join(f"numpynn {c}" for c in elsewhere)
        said = f"numpynn's flag for it is {flag}, an option" if flag != original else \
            f"{flag} is an option"
        return f"; {said} of {where}, not of {prog}"
    longs = [o for o in own if o.startswith("--")]
    if re.fullmatch(r"-[A-Za-z]", flag):  # a short flag: numpynn's are long, but -h
        near = [o for o in longs if o[2:3] == flag[1].lower()]
        if near:
            listed = " or ".join(near[:4])
            return f"; numpynn's options are long (only -h is short): did you mean {listed}?"
        return "; numpynn's options are long (only -h is short)"
    near = difflib.get_close_matches(flag, longs, n=1, cutoff=0.75)
    return f"; did you mean {near[0]}?" if near else ""


def _value_hint(command: str, parser: argparse.ArgumentParser, value: str,
                argv: Sequence[str]) -> str:
    """``--hidden 100 50``, ``--lr 0.1 0.01``: a value after an option's one value."""
    own = _options(parser)
    for i in range(2, len(argv)):
        if argv[i] != value:
            continue
        flag, given = argv[i - 2], argv[i - 1]
        if "=" in argv[i - 1] and argv[i - 1].startswith("--"):
            flag, given = argv[i - 1].split("=", 1)
        action = own.get(flag)
        if action is None or action.nargs is not None or given.startswith("-") and \
                not _NUMBER.match(given):
            continue
        return one_value_hint(command, flag, [given, value])
    return ""


def one_value_hint(command: str, flag: str, values: Sequence[str]) -> str:
    """The hint for several ``values`` given to ``command``'s ``flag``, which takes one:
    a network's layers are one comma list; several values to try are numpynn search's."""
    if flag == "--hidden" and command != "search":
        return (f"; {flag} takes one comma list, one size per hidden layer: {flag} "
                f"{','.join(values)} (numpynn search {flag} {' '.join(values)} tries "
                "several networks, one per list)")
    return search_list_hint(command, flag, values) or (
        f"; {flag} takes one value, got {values[0]} and then {values[1]}")


def search_list_hint(command: str, flag: str, values: Sequence[str]) -> str:
    """Where numpynn search takes a list for ``flag`` and ``command`` one value: that
    search tries several; else ""."""
    if command == "search" or flag == "--hidden":
        return ""
    from .main import build_parser

    search = _options(_subparsers(build_parser(["search"]))["search"])
    if not takes_a_list(search.get(flag)):
        return ""
    return (f"; numpynn {command} takes one {flag} value; numpynn search tries several: "
            f"numpynn search ... {flag} {','.join(values)}")
