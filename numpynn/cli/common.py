"""Helpers shared by the CLI commands: option types that reject bad values clearly."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError
from ..validation import (
    EPOCHS,
    FRACTION,
    NONNEGATIVE_INT,
    NONNEGATIVE_NUMBER,
    POSITIVE_INT,
    POSITIVE_NUMBER,
    SEED,
    Rule,
)

T = TypeVar("T", int, float)

#: The library's parameter names and the CLI flags that set them: the one place where
#: library messages (which name parameters, e.g. ```lr```) become CLI messages (``--lr``).
#: The run options' come from their declarations (:data:`numpynn.runs.options.OPTIONS`, read
#: when a message is turned, not at start-up); these are the other commands' parameters.
OTHER_FLAGS: dict[str, str] = {
    "out": "--out", "output": "--output", "resume": "--resume", "split": "--split",
    "hidden_dims": "--hidden", "norm": "--norm", "trials": "--trials", "mode": "--mode",
    "grid_points": "--grid-points", "scheduler": "--scheduler", "jobs": "--jobs",
    "proba": "--proba", "id_column": "--id-column", "eta": "--eta", "halving": "--halving",
    "pack": "--pack", "drop_unknown_labels": "--drop-unknown-labels",
}


def flags() -> dict[str, str]:
    """Every library parameter name -> its flag."""
    from ..runs.options import OPTIONS  # imported on use: the declarations import the library

    return {**OTHER_FLAGS, **{o.name: o.flag for o in OPTIONS}}


_PARAM_RE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)(?:=([^`]*))?`")


def flag_message(text: str) -> str:
    """A library message for the command line: each backquoted parameter becomes its flag
    (```lr``` -> ``--lr``, ```split='all'``` -> ``--split all``, ```resume=True``` ->
    ``--resume``, ```resume=True, out='run'``` -> ``--resume run``); other backquoted
    names lose their backquotes."""
    def replace(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        flag = flags().get(name)
        if flag is None:
            return match.group(0)[1:-1]
        if value is None or value == "True":
            return flag
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        return f"{flag} {value}"

    text = _RESUME_RE.sub(lambda m: f"--resume {m.group(1)}", text)
    return _PARAM_RE.sub(replace, text)


#: the library's "resume the run in DIR" (```resume=True, out='DIR'```): the CLI's
#: ``--resume DIR``, which takes the directory itself
_RESUME_RE = re.compile(r"`resume=True, out='([^`']*)'`")


class NotWholeError(ValueError):
    """A number written for an integer option that is not a whole number ('5.5')."""


def whole_number(text: str) -> int:
    """The integer ``text`` writes: '5', '+5', '1_000', or a whole number written as a
    float, '5.0' or '1e3' (as configs, notebooks and other tools' flags write counts:
    ``epochs=5.0``). ValueError where it is no number; :class:`NotWholeError` where it is one
    but not whole ('5.5', 'inf'). The one reading of every integer option's text."""
    try:
        return int(text)
    except ValueError:
        pass
    number = float(text)  # ValueError where it is no number at all
    if not math.isfinite(number) or number != int(number):
        raise NotWholeError(text)
    return int(number)


#: characters that word processors, web pages and input methods put in numbers for the
#: ASCII ones Python reads (fullwidth digits it reads already): the minus sign and dashes
#: ('1e\u22123', '\u22121'), fullwidth commas, points and colons ('8\uff0c4', '1e-4\uff1a1e-2')
_TYPOGRAPHIC = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-",
                              "\uff0d": "-", "\uff0b": "+", "\uff0c": ",", "\u3001": ",",
                              "\uff0e": ".", "\uff1a": ":"})
#: what a number or a list of numbers is written with, once in ASCII
_NUMERIC = re.compile(r"[\s\d.,:eE+\-()\[\]]*")


def numeric_text(text: str) -> str:
    """``text`` with its typographic minus signs, dashes, fullwidth commas, points and
    colons as ASCII where it is a number or a list of them written so (``1e\u22123`` pasted
    from a paper is ``1e-3``; ``8\uff0c4`` typed with a CJK input method is ``8,4``); any
    other text (a column's name) unchanged."""
    ascii_text = text.translate(_TYPOGRAPHIC)
    numeric = _NUMERIC.fullmatch(ascii_text) and re.search(r"\d", ascii_text)
    return ascii_text if ascii_text != text and numeric else text  # not --delimiter ，


def percent_reason(text: str) -> str:
    """For a number written as a percentage ('20%', the habit of spreadsheets and of
    sizes said in words): " (... 20% is 0.2)"; else ""."""
    match = re.fullmatch(r"\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*%\s*", text)
    if match is None:
        return ""
    share = float(match.group(1)) / 100
    return f" (a percentage: numpynn takes the share as a number, {text.strip()} is {share:g})"


def _expected(want: str, text: str, exc: ValueError, reason: str = ""
              ) -> argparse.ArgumentTypeError:
    why = (reason or " (not a whole number)") if isinstance(exc, NotWholeError) else reason
    return argparse.ArgumentTypeError(f"expected {want}, got {text!r}{why}")


def checked_number(text: str, convert: Callable[[str], T], ok: Callable[[T], bool],
                   want: str) -> T:
    """``convert(text)`` if it parses and satisfies ``ok``; else an argparse error that
    says what was ``want``ed and what was given. ``convert`` int reads whole numbers
    written as floats too (:func:`whole_number`)."""
    try:
        value = whole_number(text) if convert is int else convert(text)
    except ValueError as exc:
        raise _expected(want, text, exc) from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"must be {want}, got {text}")
    return value


def rule_type(rule: Rule) -> Callable[[str], int | float]:
    """An argparse type: the text parsed as ``rule.kind``, then checked by the library's
    own ``rule`` (:mod:`numpynn.validation`), so the flag accepts what the library does;
    a bad value becomes argparse's "argument --flag: ..." error (exit code 2)."""
    convert = whole_number if rule.kind == "integer" else float

    def parse(text: str) -> int | float:
        try:
            value = convert(text)
        except ValueError as exc:
            share = rule.kind == "number"  # a share, a rate (not --epochs 20%)
            raise _expected(rule.words, text, exc, rule.reason(text)
                            or (percent_reason(text) if share else "")) from None
        try:
            return rule.check(value, "value")
        except InputError:
            raise argparse.ArgumentTypeError(
                f"must be {rule.words}, got {text}{rule.reason(text) or rule.reason(value)}"
            ) from None

    return parse


positive_int = rule_type(POSITIVE_INT)
nonnegative_int = rule_type(NONNEGATIVE_INT)
positive_float = rule_type(POSITIVE_NUMBER)
nonnegative_float = rule_type(NONNEGATIVE_NUMBER)
fraction = rule_type(FRACTION)
#: A random seed: an integer in 0..2**32-1 (what numpy's legacy seeding accepts).
seed = rule_type(SEED)
#: An epoch count: 1..numpynn.validation.MAX_EPOCHS.
epochs = rule_type(EPOCHS)


def data_spec(text: str) -> str:
    """A data spec with ``~`` expanded in its path (FILE.csv, cifar10:~/DIR, ...)."""
    from ..data.sources import url_error  # imported on use: the parser is built at start-up
    from ..data.spec import DataSpec

    url = url_error(text, what="")
    if url is not None:
        raise argparse.ArgumentTypeError(url)
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"empty data spec {text!r}: give a data file, a folder or a data set's name "
            "such as digits (an unset shell variable expands to nothing)")
    cleaned = text.strip().strip("\"'").strip()  # a path pasted with its quotes or spaces
    if cleaned != text and cleaned and not os.path.exists(os.path.expanduser(text)) \
            and os.path.exists(os.path.expanduser(cleaned)):
        text = cleaned
    spec = DataSpec.parse(text)
    variable = (unexpanded_variable(spec.path) or foreign_path(spec.path)) if spec.path \
        else None
    if variable is not None:
        raise variable
    return spec.expanded()


#: characters below the space and DEL: invisible in a listing and in every message
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


#: a shell's or Windows' variable left in a path: $HOME, ${DATA}, %USERPROFILE%
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|%([A-Za-z_][A-Za-z0-9_]*)%")


#: cmd's variables a path copied from Windows holds, set or not here (%NAME% of another
#: name counts only where it is set: '50%_80%' is a name, not a variable)
_WINDOWS_VARIABLES = frozenset({"USERPROFILE", "APPDATA", "LOCALAPPDATA", "HOMEPATH",
                                "HOMEDRIVE", "TEMP", "TMP", "PROGRAMFILES", "PROGRAMDATA",
                                "ONEDRIVE", "USERNAME", "CD", "PUBLIC", "SYSTEMROOT"})


def unexpanded_variable(text: str) -> argparse.ArgumentTypeError | None:
    """For a path that does not exist and holds a variable no shell expanded
    (``'$PWD/data.csv'`` in single quotes, a path read from a file of settings, cmd's
    ``%USERPROFILE%`` in a POSIX shell): the error that says so, with the path as the
    variable's value would make it; else None. Read, it was "not found"; written, a
    directory named ``$PWD`` was made."""
    if text == "-" or os.path.lexists(os.path.expanduser(text)):
        return None
    found = next((m for m in _VARIABLE.finditer(text) if m.group(1) or (
        m.group(2) in os.environ or m.group(2).upper() in _WINDOWS_VARIABLES)), None)
    if found is None:  # 'res_50%_80%', 'caf%C3%A9': no variable a shell would expand
        return None
    name, written = found.group(1) or found.group(2), found.group(0)
    value = os.environ.get(name)
    expanded = os.path.expandvars(text) if found.group(1) else text.replace(
        written, value or written)
    meant = (f"; here {written} is {value!r}, which makes {expanded}" if value is not None
             else f"; {written} is not set here")
    return argparse.ArgumentTypeError(
        f"{text!r} holds {found.group(0)}, which no shell expanded (the path written in "
        f"single quotes, or read from a file?){meant}: give the path written out")


#: a path written for Windows: a drive letter (``C:\\data``, ``C:/data``) or a UNC share
_WINDOWS_DRIVE = re.compile(r"([A-Za-z]):[\\/](.*)", re.S)


def foreign_path(text: str, *, output: bool = False) -> argparse.ArgumentTypeError | None:
    """For a path that does not exist and is written for another system or program: a
    Windows path (``C:\\data\\x.csv``, ``data\\x.csv``: backslashes, a drive letter), a
    ``~NAME`` of no user here, or (``output``) a URL: the error that says so and what to
    write instead; else None. Read, such a path was "not found" (or another file was
    offered); written, a directory named ``C:\\runs\\a``, ``~nosuchuser`` or ``file:`` was
    made where nobody would look for it."""
    if text == "-" or not text.strip() or os.path.lexists(os.path.expanduser(text)):
        return None
    url = re.fullmatch(r"([A-Za-z][A-Za-z0-9+.-]+)://.*", text.strip(), re.S)
    if output and url is not None:
        local = urllib.parse.unquote(urllib.parse.urlparse(text.strip()).path)
        return argparse.ArgumentTypeError(
            f"{text} is a {url.group(1)}:// URL; numpynn writes its files to a path on disk: "
            f"give one{f' ({local})' if url.group(1).lower() == 'file' else ''}")
    drive = _WINDOWS_DRIVE.fullmatch(text.strip())
    if drive is not None or text.startswith("\\\\"):
        rest = drive.group(2).replace("\\", "/") if drive else ""
        wsl = f" (under WSL, drive {drive.group(1).upper()}: is /mnt/{drive.group(1).lower()}: " \
            f"/mnt/{drive.group(1).lower()}/{rest})" if drive else ""
        return argparse.ArgumentTypeError(
            f"{text} is a Windows path{' (a network share)' if not drive else ''}; this "
            f"system has no drive letters and separates names with '/': give the path as it "
            f"is here{wsl}")
    if "\\" in text:
        unix = text.replace("\\", "/")
        there = " (which exists)" if os.path.lexists(os.path.expanduser(unix)) else ""
        return argparse.ArgumentTypeError(
            f"{text} separates its names with '\\', as Windows does; here the separator "
            f"is '/': {unix}{there}")
    user = re.match(r"~([^/]+)", text)
    if user is not None:
        import pwd

        try:
            pwd.getpwnam(user.group(1))
        except KeyError:
            return argparse.ArgumentTypeError(
                f"{text!r} begins with ~{user.group(1)}, the home directory of a user "
                f"{user.group(1)!r}, and there is no such user here (a path copied from "
                f"another machine?); your own home directory is ~/: "
                f"~/{text[user.end():].lstrip('/')}")
    return None


def _plain_path(text: str) -> Path:
    """``text`` as a path, ``~`` expanded ('-' stays '-'); an empty one refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"empty path {text!r}: give a file or directory "
                                         "(an unset shell variable expands to nothing)")
    return Path(os.path.expanduser(text)) if text != "-" else Path("-")


def path(text: str) -> Path:
    """A file or directory path to read, ``~`` expanded ('-' stays '-', standard output);
    an empty one (an unset shell variable) is refused rather than read as the current
    directory. One that does not exist but does without its surrounding spaces, quotes
    or line ends (a carriage return: a script saved with Windows line endings) is that."""
    cleaned = text.strip().strip("\"'").strip()
    if cleaned != text and cleaned and not os.path.lexists(os.path.expanduser(text)) \
            and os.path.lexists(os.path.expanduser(cleaned)):
        text = cleaned
    variable = unexpanded_variable(text) or foreign_path(text)
    if variable is not None:
        raise variable
    return _plain_path(text)


def output_path(text: str) -> Path:
    """A file or directory path to write, ``~`` expanded: one that does not exist yet and
    holds a control character (a carriage return from a script saved with Windows line
    endings, a pasted newline) is refused, as the name made would look like another in
    every listing and message (``run`` for ``run\\r``) and nothing would find it; so is
    one that would make a name beginning or ending with white space (``--out 'run '``)."""
    found = _CONTROL.search(text)
    if found and not os.path.lexists(os.path.expanduser(text)):
        char = found.group()
        cause = {"\r": " (a carriage return: a script saved with Windows line endings? "
                        "convert it with dos2unix)",
                 "\n": " (a newline: a pasted line end?)"}.get(char, "")
        raise argparse.ArgumentTypeError(
            f"{text!r} holds the control character {char!r}{cause}, which would make a "
            "name that no listing shows as it is; give the path without it, e.g. "
            f"{_CONTROL.sub('', text).strip()!r}")
    shared = _shared_directory(text) if text.strip() else None  # '': refused below
    if shared is not None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is {shared} (what `~/$NAME` or `$DIR/` become where the variable is "
            "empty or unset?): the command's files would be strewn among everything else "
            "there; give a directory of their own, e.g. "
            f"{os.path.join(text, 'numpynn-runs', 'run-1')}")
    spaced = _spaced_new_name(text) if text.strip() else None
    if spaced is not None:
        raise argparse.ArgumentTypeError(
            f"{text!r} would make a name that begins or ends with a space"
            f"{'' if spaced == text else f' ({spaced!r})'} (pasted from a terminal, or a "
            "quote closed one character late?), which looks "
            "like another in every listing and message and nothing finds; give the path "
            f"without it, e.g. {_unspaced(text)!r}")
    variable = unexpanded_variable(text) or foreign_path(text, output=True)
    if variable is not None:
        raise variable
    return _plain_path(text)


def _shared_directory(text: str) -> str | None:
    """For a path that is the home directory or the file system's root: its words ("your
    home directory"); else None."""
    try:
        given = os.path.realpath(os.path.expanduser(text))
        home = os.path.realpath(os.path.expanduser("~"))
    except (OSError, ValueError):
        return None
    if given == os.path.realpath(os.sep):
        return "the file system's root"
    return "your home directory" if given == home and home != os.path.realpath(os.sep) \
        else None


def _spaced_new_name(text: str) -> str | None:
    """The first name in the path ``text`` that does not exist yet and begins or ends with
    white space (``'run '``, ``' preds.csv'``), which writing it would make; else None."""
    current = Path(os.path.expanduser(text))
    while not os.path.lexists(current) and current.name:
        if current.name != current.name.strip():
            return current.name
        current = current.parent
    return None


def _unspaced(text: str) -> str:
    return os.sep.join(part.strip() for part in text.strip().split(os.sep))


def file_path(example: str) -> Callable[[str], Path]:
    """:func:`output_path` for a file to write (``example``: a name for one): a path
    ending with ``/`` names a directory, refused (``Path`` drops the slash, so that
    ``--output preds/`` wrote a file named ``preds``)."""
    def parse(text: str) -> Path:
        if text != "-" and text.endswith(("/", os.sep)) and text.strip("/" + os.sep):
            raise argparse.ArgumentTypeError(
                f"{text!r} ends with '/', so it names a directory; give a file path, e.g. "
                f"{os.path.join(text, example)}")
        return output_path(text)
    NAME_READERS.add(parse)
    return parse


def dumps_json(value: object) -> str:
    """Strict JSON text (no NaN/Infinity tokens: non-finite numbers become null)."""
    import json

    from ..model_file import json_safe

    return json.dumps(json_safe(value), allow_nan=False)


def write_table(text: str, data: bytes) -> None:
    """A machine-readable table on standard output: ``data``, its bytes as a file of it
    holds them, where stdout is redirected or piped (whatever the locale's encoding, a
    Windows console's cp1252 or PYTHONIOENCODING: the same file as ``--output`` writes,
    never a label turned into backslash escapes); ``text`` on a terminal, for reading."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is None or out.isatty():
        out.write(text)
        return
    out.flush()
    buffer.write(data)
    buffer.flush()


def comma_list(text: str, example: str) -> list[str]:
    """The items of a comma list, stripped. An empty item (``8,,8``, ``8,``, ``,8``: a
    typo that would otherwise vanish and change the list) is refused, naming its position;
    ``example`` shows what the option takes (``512,256,128``)."""
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise argparse.ArgumentTypeError(f"expected a comma list like {example}, got {text!r}")
    for i, part in enumerate(parts, 1):
        if not part:
            raise argparse.ArgumentTypeError(
                f"item {i} of {len(parts)} in {text!r} is empty (two commas in a row, or one "
                f"at an end?); write the values like {example}")
    return parts


def list_items(text: str, example: str, convert: Callable[[str], Any],
               brackets: bool = True) -> list[Any]:
    """:func:`comma_list` with each item converted, written as Python writes a list too
    (``[1e-3, 1e-2]``, ``(32, 64)``; not with ``brackets`` False: a column may be named
    ``(Intercept)``); an item ``convert`` refuses is named by its position in the list."""
    text = text.strip()
    if brackets and len(text) > 2 and text[0] + text[-1] in ("()", "[]"):
        text = text[1:-1].strip().removesuffix(",") if text[0] == "(" else text[1:-1]
    parts = comma_list(text, example)
    values = []
    for i, part in enumerate(parts, 1):
        try:
            values.append(convert(part))
        except (argparse.ArgumentTypeError, InputError, ValueError) as exc:
            where = f"item {i} of {len(parts)} ({part!r}) in {text!r}: " if len(parts) > 1 else ""
            raise argparse.ArgumentTypeError(f"{where}{flag_message(str(exc))}") from None
    return values


#: sizes written with another separator than the comma: "128 64" (a quoted list, numpy's
#: print of an array), 128x64, 128-64, 128;64, 128:64, 128/64, 128|64
_OTHER_SEPARATED = re.compile(r"\d+(?:\s*[x×;:/|\-]\s*\d+|\s+\d+)+", re.IGNORECASE)


def hidden_sizes(text: str) -> list[int]:
    """'100' or '512,256,128' -> [100] / [512, 256, 128]; written as Python writes them
    (scikit-learn's ``hidden_layer_sizes=(100, 50)``, Keras' ``[100, 50]``, ``(100,)``),
    the same. Sizes separated otherwise ("128 64", 128x64, 128-64, 128;64) are refused
    with the comma list: the spaces of "128 64" were dropped, a single layer of 12864."""
    inner = text.strip()
    if len(inner) > 2 and inner[0] + inner[-1] in ("()", "[]"):
        inner = inner[1:-1].strip()
    if _OTHER_SEPARATED.fullmatch(inner):
        sizes = re.findall(r"\d+", inner)
        raise argparse.ArgumentTypeError(
            f"expected sizes separated by commas, got {text!r}; one size per hidden layer "
            f"is written {','.join(sizes)}")
    text = text.replace(" ", "")
    if len(text) > 2 and text[0] + text[-1] in ("()", "[]"):
        text = text[1:-1].removesuffix(",") if text[0] == "(" else text[1:-1]
    return list_items(text, "100 or 512,256,128", positive_int)


def decimal_comma(text: str, in_a_list: bool = False) -> str | None:
    """``text`` with its decimal comma as a point ('0,001' -> '0.001') where it reads as
    one number written with a decimal comma; else None. A comma list of numbers never has
    an item with a leading zero ('001'); with ``in_a_list`` False (an option of one value)
    a 0 before the comma ('0,2') is a decimal comma too. A whole number other than 0 before
    the comma and an exponent after it ('1,5e-3') is one number: a list of 1 and 0.005 is
    not what anyone searches ('0,1e-4' stays a list: 0 and 1e-4, as an L2 search has it)."""
    match = re.fullmatch(r"\s*([+-]?\d+),(\d+)([eE][+-]?\d+)?\s*", text)
    if match is None:
        return None
    whole, part, exponent = match.groups()
    zero = whole.lstrip("+-") == "0"
    if exponent:
        return None if zero else f"{whole}.{part}{exponent}"
    if (len(part) > 1 and part[0] == "0") or (not in_a_list and zero):
        return f"{whole}.{part}"
    return None


def column_spec(text: str) -> int | str:
    """A CSV column by index ('0', '-1') or by name ('species')."""
    text = text.strip()
    if not text:
        raise argparse.ArgumentTypeError("expected a column name or index, got ''")
    try:
        return int(text)
    except ValueError:
        return text


def column_list(text: str) -> list[int | str]:
    """'id,3,notes' -> ['id', 3, 'notes']."""
    return list_items(text, "id,3,notes (names or indices)", column_spec, brackets=False)


def delimiter(text: str) -> str:
    """',' ';' 'tab' (or '\\t'), 'space', 'pipe' or another single character."""
    from ..data.csv_file import DELIMITER_NAMES

    value = DELIMITER_NAMES.get(text, text)
    if len(value) != 1 or value in "\"\r\n":
        raise argparse.ArgumentTypeError(f"expected one character such as , ; | or tab; "
                                         f"got {text!r}")
    return value


def weight_scale(text: str) -> float | str:
    """``he``, ``glorot``, ``auto`` or a number (the network rejects others clearly)."""
    if text in ("he", "glorot", "auto"):
        return text
    try:
        return float(text)
    except ValueError:
        return text


def reg_value(text: str) -> float | str:
    """``auto`` or a number (the run options reject others clearly)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        return text


#: the readers whose text is a name (a path, a column), never read as a number
#: (:func:`numeric_text` leaves their text alone: a file named ``1−2``)
NAME_READERS: set[Callable[[str], Any]] = {data_spec, path, output_path, column_spec,
                                           column_list, delimiter}

#: how a declared option's flag is read (:data:`numpynn.runs.options.READERS`)
READERS: dict[str, Callable[[str], Any]] = {
    "text": str, "lower": str.lower, "sizes": hidden_sizes, "column": column_spec,
    "columns": column_list, "delimiter": delimiter, "spec": data_spec, "scale": weight_scale,
    "reg": reg_value,
}


def add_options(p: argparse.ArgumentParser, command: str) -> None:
    """``command``'s run options, each as its declaration says
    (:data:`numpynn.runs.options.OPTIONS`): flag, reader, choices, default, help."""
    from ..runs.options import options_for  # imported on use: the declarations import the library

    for option in options_for(command):
        if option.read == "switch":
            p.add_argument(option.flag, action="store_true", help=option.help_text())
            continue
        reader = rule_type(option.read) if isinstance(option.read, Rule) else \
            READERS[option.read]
        default = None if option.per_task else option.flag_value(option.default())
        p.add_argument(option.flag, dest=option.dest, type=reader, choices=option.allowed(),
                       default=default, metavar=option.metavar, help=option.help_text())


def load_model_given(command: str, model: Path, data: str | None) -> Any:
    """``load_model(model)`` for ``numpynn COMMAND MODEL --data DATA``; where MODEL is not
    a model file but DATA is one (the two given the other way round), an InputError that
    says so with the command in the right order."""
    from ..errors import ModelFileError
    from ..model_file import load_model

    try:
        return load_model(model)
    except ModelFileError:
        if data is None or not str(data).lower().endswith(".npz") or not os.path.isfile(data):
            raise
        try:
            load_model(data)
        except (InputError, OSError):  # not a model either: the first refusal stands
            swapped = False
        else:
            swapped = True
        if not swapped:
            raise
        raise InputError(f"{model} is not a model file, but --data {data} is one: the two are "
                         f"the other way round; numpynn {command} {data} --data {model}") \
            from None
