"""Entry point: argument parsing, dispatch, the error contract and exit codes.

Exit codes: 0 success; 1 a check failed or training diverged; 2 bad input (usage,
option values, data or model files, work too large for memory); 130 interrupted (Ctrl-C,
SIGINT); 143 terminated (SIGTERM, as sent by kill, systemd, Docker or Slurm), 129 hung up
(SIGHUP: the terminal closed; left alone under nohup) and 141 (the reader of standard
output left: ``| head``), handled like Ctrl-C: the commands stop cleanly, remove their
temporary files and say how to resume.
A user mistake prints one line ``numpynn: error: ...`` and no traceback unless
``--debug`` is given.
"""

from __future__ import annotations

import argparse
import errno
import functools
import io
import os
import re
import signal
import sys
import traceback
from collections.abc import Collection, Sequence
from importlib import import_module
from pathlib import Path

from ..errors import InputError, NumpynnError
from .commands import COMMAND_HELP

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143


def _plain_path(spec: str) -> str:
    """The path of an ``images:PATH`` spec, as the command line gave it."""
    from ..data.spec import DataSpec

    return DataSpec.parse(spec).path or spec


def _image_files_after_data(parsed: argparse.Namespace, extras: Sequence[str],
                            argv: Sequence[str]) -> bool:
    """Whether ``extras`` are image files that follow predict's ``--data`` value, as a
    shell's ``--data photos/*.jpg`` gives them: the files to predict, one row each."""
    from ..data.image_folder import is_image

    data = getattr(parsed, "data", None)
    if not argv or argv[0] != "predict" or not isinstance(data, str):
        return False
    argv = list(argv)
    first = _plain_path(data)  # images:FILE, as the flag's type wrote it
    if not all(is_image(Path(os.path.expanduser(f))) for f in (first, *extras)):
        return False
    n = len(extras)
    starts = [i for i in range(1, len(argv) - n + 1) if argv[i:i + n] == list(extras)]
    return any(argv[i - 1].startswith("--data=") or (i >= 2 and argv[i - 2] == "--data")
               for i in starts)


class ClosedOutput:
    """Standard output when the process started without one (``numpynn predict ... >&-``):
    the first write raises InputError, so the command ends with one clear line instead of
    a traceback, and nothing it meant to print is lost in silence; once the command has
    written its files (its commit point: ``train --quiet``'s summary comes after) the
    lines are dropped instead, as a command that has succeeded must not fail."""

    def write(self, data: str | bytes) -> int:
        from ..outputs import committed

        if committed():  # the files are written: lines about them are dropped, not errors
            return len(data)
        raise InputError("standard output is closed (started with `>&-`?), where this "
                         "command writes its results; redirect it to a file or /dev/null, "
                         "or give an output file (predict --output FILE).")

    def flush(self) -> None:
        pass

    @property
    def buffer(self) -> ClosedOutput:
        return self

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("standard output is closed")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that it takes the same path."""

    signum = signal.SIGTERM


class HungUp(Terminated):
    """SIGHUP (the terminal was closed, an ssh session dropped): handled like SIGTERM."""

    signum = getattr(signal, "SIGHUP", 1)


class ReaderLeft(Terminated):
    """The reader of standard output went away (``numpynn predict ... | head -1``): what
    SIGPIPE means to a shell, raised like Ctrl-C so that a command stops the same way
    (a run keeps its last finished epoch, a search its trials), quietly, exit 141."""

    signum = getattr(signal, "SIGPIPE", 13)


#: the signals handled like Ctrl-C, and the exception each raises
_ENDING = {signal.SIGTERM: Terminated,
           **({signal.SIGHUP: HungUp} if hasattr(signal, "SIGHUP") else {})}


def interrupted_exit_code(exc: BaseException) -> int:
    """130 for Ctrl-C (SIGINT), 128 + the signal number for a handled signal (143 for
    SIGTERM, 129 for SIGHUP, 141 when the reader of standard output left)."""
    return 128 + int(getattr(exc, "signum", signal.SIGINT))


def stop_word(exc: BaseException) -> str:
    """How a command stopped by ``exc`` (a KeyboardInterrupt) says so on stderr."""
    if isinstance(exc, ReaderLeft):
        return "stopped (the reader of its standard output left)"
    if isinstance(exc, HungUp):
        return "hung up (the terminal was closed)"
    return "terminated" if isinstance(exc, Terminated) else "interrupted"


def _raise_terminated(signum, frame) -> None:
    raise _ENDING.get(signum, Terminated)()


class _GuardedStream:
    """A standard stream that turns the end of its reader into one clean stop.

    Standard output: the first write that fails because the reader left (``| head``,
    ``EPIPE``) raises :class:`ReaderLeft`, one that fails otherwise (a full disk) an
    OSError naming standard output; the stream's descriptor then points at /dev/null so
    that nothing else (the command's closing lines, Python's flush at exit) fails again.
    Once the command has written its files (:func:`numpynn.outputs.committed`) neither is
    raised: the command has succeeded. Text the encoding cannot hold (a file name of
    bytes that are not UTF-8, held as lone surrogates; a class name on a Latin-1
    terminal) is written with backslash escapes, not a UnicodeEncodeError after the work
    is done. Standard error (``quiet``): a write that fails (the reader left, the terminal
    closed: ``EIO`` after a hangup, a full disk) is dropped, as nobody can read it."""

    def __init__(self, stream, quiet: bool = False) -> None:
        self._stream = stream
        self._quiet = quiet
        self._broken = False

    @property
    def buffer(self) -> _GuardedStream:
        inner = getattr(self._stream, "buffer", None)
        if inner is None:
            raise AttributeError("buffer")
        guarded = _GuardedStream(inner, self._quiet)
        guarded._parent = self  # type: ignore[attr-defined]
        return guarded

    def _failed(self, exc: OSError) -> None:
        parent = getattr(self, "_parent", self)
        if parent._broken or self._quiet:  # standard error: nobody can read it
            parent._broken = True
            return
        parent._broken = True
        try:  # later writes and the flush at exit go nowhere instead of failing again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
            pass
        from ..outputs import committed

        if committed():  # the files are written: the command has succeeded
            return
        if isinstance(exc, BrokenPipeError) or exc.errno in (errno.EIO, errno.EPIPE):
            raise ReaderLeft() from None
        raise OSError(exc.errno, exc.strerror, "standard output") from None  # a full disk

    def write(self, data):
        if getattr(self, "_parent", self)._broken:
            return len(data)
        try:
            try:
                return self._stream.write(data)
            except UnicodeEncodeError:  # a name the stream's encoding cannot say
                encoding = getattr(self._stream, "encoding", None) or "utf-8"
                self._stream.write(data.encode(encoding, "backslashreplace").decode(encoding))
                return len(data)
        except OSError as exc:
            self._failed(exc)
            return len(data)

    def flush(self) -> None:
        if getattr(self, "_parent", self)._broken:
            return
        try:
            self._stream.flush()
        except OSError as exc:
            self._failed(exc)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def given_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> set[str]:
    """The destinations of the options written on the command line ``argv`` (not those
    left at their defaults), found by parsing again with every default unset."""
    unset = object()
    saved = []
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            saved.append((action, action.default))
            action.default = unset
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
    try:
        args = parser.parse_args(argv)
    finally:
        for action, default in saved:
            action.default = default
    return {k for k, v in vars(args).items() if v is not unset}


class UsageError(InputError):
    """A command-line usage mistake (argparse's complaints)."""


COMMANDS = tuple(COMMAND_HELP)
_TABLE_ENDINGS = (".csv", ".tsv", ".gz", ".bz2", ".xz", ".zip", ".txt", ".data", ".dat")


def data_hint(prog: str, message: str, argv: Sequence[str]) -> str:
    """A hint for a data file given without ``--data`` (``numpynn train data.csv``): the
    stray table file, said with the flag; '' when there is none."""
    if "--data" not in message and "unrecognized arguments" not in message:
        return ""
    stray = [a for i, a in enumerate(argv) if _names_data(a)
             and (i == 0 or not argv[i - 1].startswith("-"))]
    if not stray:
        return ""
    given = _data_files(argv)
    if len(given) > 1:  # --data a.csv b.csv: the shell expanded --data *.csv
        from ..data.sources import join_recipe

        return (f"; --data takes one file, got {len(given)}: {', '.join(given[:3])}"
                f"{', ...' if len(given) > 3 else ''} (a pattern such as *.csv, expanded by "
                f"the shell?); give one, or join them into one first: {join_recipe(given)}")
    return f"; give the data file with --data: {prog} ... --data {stray[0]}"


def _names_data(arg: str) -> bool:
    """Whether a stray argument names data: a table file, a data set by name or by
    NAME:DIR, or a folder of images (a .npz may be the model: not counted)."""
    if arg.startswith("-"):
        return False
    if arg.lower().endswith(_TABLE_ENDINGS):
        return True
    from ..data.spec import DIRECTORY_SOURCES, NAMES, DataSpec

    lower = arg.lower()
    if lower in NAMES or any(lower.startswith(f"{s}:") for s in DIRECTORY_SOURCES):
        return True
    return os.path.isdir(arg) and DataSpec.parse(arg).source == "images"


def _data_files(argv: Sequence[str]) -> list[str]:
    """The value of ``--data`` and the table files right after it (as the shell writes a
    pattern it expanded: ``--data a.csv b.csv``)."""
    if "--data" not in argv:
        return []
    i = argv.index("--data") + 1
    files = []
    while i < len(argv) and argv[i].lower().endswith(_TABLE_ENDINGS):
        files.append(argv[i])
        i += 1
    return files


_SEEN = "_numpynn_seen_options"  # the namespace's record of the options given, while parsing


def _flag_value_text(values: object) -> str:
    if isinstance(values, (list, tuple)):
        return " ".join(_flag_value_text(v) for v in values) if values and isinstance(
            values[0], (list, tuple)) else ",".join(map(str, values))
    return str(values)


class _StoreOnce(argparse._StoreAction):
    """argparse's ``store``, except that an option given twice (``--epochs 5 --epochs 50``:
    argparse keeps the last in silence) is refused, naming both values. Every option that
    takes one value is declared with it (the parsers register it as the default action)."""

    def __call__(self, parser, namespace, values, option_string=None):
        seen = namespace.__dict__.setdefault(_SEEN, {})
        if self.option_strings and self.dest in seen:
            first_flag, first = seen[self.dest]
            again = _flag_value_text(values)
            parser.error(f"argument {option_string}: given twice ({first_flag} {first} and "
                         f"{option_string} {again}); give it once{self._joined(first, again)}")
        seen[self.dest] = (option_string, _flag_value_text(values))
        super().__call__(parser, namespace, values, option_string)

    def _joined(self, first: str, again: str) -> str:
        """For an option of several values (``--hidden 100 --hidden 50``, the habit of
        tools whose list options repeat): the one option that says both."""
        from .common import column_list, hidden_sizes
        from .hints import takes_a_list

        flag = self.option_strings[-1]
        if self.nargs == "+":  # search's --hidden: architectures, space-separated
            return f": {flag} {first} {again}"
        if self.type in (hidden_sizes, column_list) or takes_a_list(self):
            return f", with the values as one comma list: {flag} {first},{again}"
        return ""


class _Parser(argparse.ArgumentParser):
    """argparse's parser whose complaints are :class:`UsageError` (one line, exit 2), said
    with the command line it was given (``argv``, not ``sys.argv``: ``main(argv)`` is also
    called from Python)."""

    #: what reads as a (negative) number, so an option's value and not an option:
    #: argparse's own pattern knows only -1 and -.5, so ``--lr -1e-3``, ``--lr -inf`` or a
    #: list ``--lr -1,0.1`` got "expected one argument" instead of the value's own check
    NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)

    def __init__(self, *args, argv: Sequence[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.argv = list(argv)
        self._negative_number_matcher = self.NEGATIVE_VALUE
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        self._refuse_misread_starts(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(args, namespace)
        parsed.__dict__.pop(_SEEN, None)
        return parsed, extras

    def _refuse_misread_starts(self, args: Sequence[str]) -> None:
        """argparse completes a flag's start (``--epoch`` is --epochs); a start that other
        tools use as a whole flag of another meaning (``--weight 1e-4``, weight decay,
        completed to --weight-scale: a network that never trains) is refused, naming the
        flags it could mean (:data:`numpynn.cli.hints.MISREAD_STARTS`)."""
        from .hints import MISREAD_STARTS

        own = self._option_string_actions
        for arg in args:
            if arg == "--":
                break
            self._refuse_typographic_dashes(arg)
            name = arg.split("=", 1)[0]
            hint = MISREAD_STARTS.get(name)
            if hint and name not in own and any(o.startswith(name) for o in own):
                self.error(f"argument {name}: not a flag of {self.prog}, and not read as the "
                           f"start of one, as other tools mean other things by it: {hint}; "
                           "give the flag in full")

    #: dashes that word processors, chat tools and web pages put for '--' or '-'
    DASHES = re.compile("^([\u2010-\u2015\u2212\ufe58\ufe63\uff0d][\u2010-\u2015\u2212"
                        "\ufe58\ufe63\uff0d-]?)([A-Za-z][\\w-]*)")

    def _refuse_typographic_dashes(self, arg: str) -> None:
        """``\u2014data x.csv``, ``\u2013-epochs 5`` (a command copied from a web page, a chat or
        a document whose editor turned '--' into a dash): refused, naming the flag with
        its two hyphens, where argparse took it for a value ("unrecognized arguments",
        or a hint about the option before it)."""
        import unicodedata

        found = self.DASHES.match(arg)
        if found is None:
            return
        name = "--" + found.group(2)
        starting = [o for o in self._option_string_actions if o.startswith(name)]
        if not starting:
            return
        if name not in starting and len(starting) == 1:  # —ep: --epochs
            name = starting[0]
        dashes = " and ".join(sorted({f"{c!r} ({unicodedata.name(c, 'a dash').lower()})"
                                      for c in found.group(1) if c != "-"}))
        raise UsageError(f"argument {arg.split('=', 1)[0]}: starts with {dashes}, not the "
                         f"two hyphens of an option (copied from a web page, a chat or a "
                         f"document that turned '--' into a dash?); write {name} (see "
                         f"'{self.prog} --help')")

    def _get_value(self, action, arg_string):  # type: ignore[override]
        """argparse's, except that a choice in other letter case (``--optimizer Adam``,
        ``--task Regression``) is the choice: search's lists and --activation took them
        so, train's other choices refused them; and a number written with a typographic
        minus sign, dash or a fullwidth comma (:func:`numpynn.cli.common.numeric_text`) is
        the number: it was "expected a positive number, got '1e−3'"."""
        from .common import NAME_READERS, numeric_text

        if action.type not in (None, str) and action.type not in NAME_READERS:
            arg_string = numeric_text(arg_string)  # '1e−3' pasted from a paper is 1e-3
        value = super()._get_value(action, arg_string)
        choices = action.choices
        if (isinstance(value, str) and choices is not None and value not in choices
                and not isinstance(choices, dict) and value.lower() in choices):
            return value.lower()
        return value

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras and _image_files_after_data(parsed, extras, self.argv):
            parsed.data, extras = [_plain_path(parsed.data), *extras], []
        if extras:  # argparse's message, with what the arguments most likely meant
            from .hints import extras_hint

            message = f"unrecognized arguments: {' '.join(extras)}"
            prog = f"{self.prog} {self.argv[0]}" if self.argv else self.prog
            hint = "" if data_hint(prog, message, self.argv) else \
                extras_hint(self, extras, self.argv)
            self.error(f"{message}{hint}")
        return parsed

    def error(self, message: str):  # type: ignore[override]
        argv = self.argv
        prog = self.prog
        if " " not in prog and argv and argv[0] in COMMANDS:  # raised by the top parser
            prog = f"{prog} {argv[0]}"
        hint = (data_hint(prog, message, argv) or self._list_hint(message)
                or self._other_tools_hint(message))
        if message.startswith("argument COMMAND: invalid choice: 'help'"):  # numpynn help X
            asked = argv[1] if len(argv) > 1 and argv[1] in COMMANDS else ""
            hint = (f"; for help: numpynn {asked} --help" if asked else
                    "; for help: numpynn --help, or numpynn COMMAND --help for a command's")
        elif message.startswith("argument COMMAND: invalid choice: "):  # numpynn fit ...
            from .hints import command_hint

            hint = command_hint(argv[0]) if argv else ""
        elif "ignored explicit argument" in message:  # --quiet=false, -hidden 8, -help
            hint = self._explicit_argument_hint(message) or hint
        elif message.startswith("the following arguments are required: --data") and \
                _stdin_redirected():  # numpynn predict MODEL < new.csv
            hint = ("; numpynn reads no data from standard input (it reads a file more than "
                    "once): give the file with --data, e.g. --data new.csv")
        elif re.match(r"the following arguments are required: (COMMAND|ACTION)", message) \
                and self._dashed_word():  # numpynn data --list, numpynn --train
            word = self._dashed_word()
            hint = (f"; {word} is written without dashes: "
                    f"{' '.join(self.prog.split()[:2])} {word.lstrip('-')} ...")
        elif message.startswith("the following arguments are required: COMMAND") and any(
                a in ("-V", "-v", "-version", "version") for a in argv):
            hint = "; for the version: numpynn --version"
        raise UsageError(f"{message}{hint} (see '{prog} --help')")

    def _dashed_word(self) -> str:
        """The command or action given as an option (``data --list``, ``--train``), or ''."""
        words = [w for a in self._actions if isinstance(a, argparse._SubParsersAction)
                 for w in a.choices]
        return next((a for a in self.argv if a.startswith("-") and a.lstrip("-") in words), "")

    def _explicit_argument_hint(self, message: str) -> str:
        """argparse's "argument --quiet: ignored explicit argument 'false'" said plainly: a
        switch given a value (``--quiet=false``), or a long flag written with one dash
        whose first letter is a short flag's (``-hidden 8`` read as -h with 'idden')."""
        from .hints import switch_hint

        found = re.match(r"argument (\S+): ignored explicit argument '(.*)'$", message)
        if found is None:
            return ""
        flags, value = found.group(1).split("/"), found.group(2)
        short = next((f for f in flags if not f.startswith("--")), None)
        if short is not None and f"{short}{value}" in self.argv:  # -hidden: not -h
            name = f"-{short}{value}"
            own = [o for o in self._option_string_actions if o.startswith("--")]
            meant = name if name in own else next((o for o in own if o.startswith(name)), "")
            listed = f": write {meant}" if meant else ""
            return (f"; {short}{value} was read as {short} with the value {value!r}: "
                    f"numpynn's options are long, with two hyphens{listed}")
        return switch_hint(flags[-1], value)

    def _other_tools_hint(self, message: str) -> str:
        """Another tool's value for a choice (``--optimizer adamw``, ``--header 0``), a
        flag's start read as another flag (``--target label`` as --target-transform),
        or a start several flags share (``--drop``): numpynn's way; else ''."""
        from .hints import abbreviation_hint, ambiguous_hint, choice_hint

        ambiguous = re.match(r"ambiguous option: (--[\w-]+)", message)
        if ambiguous:
            return ambiguous_hint(ambiguous.group(1))
        match = re.match(r"argument (--[\w-]+)(?:/\S+)?: (?:invalid choice: '(.*)' )?", message)
        if not match:
            return ""
        flag, value = match.groups()
        action = self._option_string_actions.get(flag)
        choices = [str(c) for c in action.choices] if action and action.choices else []
        return (abbreviation_hint(flag, self.argv)
                + (choice_hint(flag, value, choices) if value is not None else ""))

    def _list_hint(self, message: str) -> str:
        """For a comma list refused by an option of one value (``train --lr 1e-3,1e-2``):
        that numpynn search takes the list; else ''."""
        match = re.match(r"argument (--[\w-]+)(?:/\S+)?: ", message)
        if not match or not self.argv or self.argv[0] not in COMMANDS:
            return ""
        flag, argv = match.group(1), self.argv
        given = [v for i, v in enumerate(argv[1:], 1) if argv[i - 1] == flag]
        given += [a.split("=", 1)[1] for a in argv if a.startswith(f"{flag}=")]
        if not given or "," not in given[-1] or "decimal comma" in message:
            return ""
        from .common import decimal_comma
        from .hints import search_list_hint

        point = decimal_comma(given[-1])
        if point is not None:
            return f"; a decimal comma? numpynn reads numbers with a point: {flag} {point}"
        items = [v.strip() for v in given[-1].split(",")]
        values = [v for v in items if v]
        if len(values) == 1 and "is empty" not in message:  # --lr=1e-3, (a list's comma)
            return f"; a comma too many? {flag} {values[0]}"
        return search_list_hint(argv[0], flag, values)


def build_parser(declare: Collection[str] | None = None,
                 argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The ``numpynn`` parser. Only the commands in ``declare`` (default: all) have their
    module imported and their options declared; the others are listed by their one-line
    help (:data:`COMMAND_HELP`), so that ``numpynn --help`` and ``numpynn train ...``
    import no other command's dependencies. ``argv`` is the command line, for messages."""
    parser = _Parser(
        argv=argv,
        prog="numpynn",
        description="Train, check and use small neural networks written in NumPy.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'numpynn COMMAND --help' for a command's options and examples.\n"
        "Docs: 'numpynn docs' lists them; 'numpynn docs backprop' explains the backward pass.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=functools.partial(_Parser, argv=argv))
    sub.required = True
    for name, summary in COMMAND_HELP.items():
        if declare is None or name in declare:
            import_module(f"{__package__}.{name}_cmd").add_parser(sub)
        else:
            sub.add_parser(name, help=summary)  # listed only: another command was given
    return parser


def _version() -> str:
    from .. import __version__

    return f"numpynn {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and argv[0].lower() in COMMANDS:  # numpynn Train
        argv[0] = argv[0].lower()
    debug = "--debug" in argv
    if debug:
        argv.remove("--debug")
    streams = sys.stdout, sys.stderr
    if sys.stdout is None or sys.stderr is None:  # started with `>&-` or `2>&-`
        _fill_closed_descriptors()
    if sys.stdout is None:  # the process started with its standard output closed
        sys.stdout = ClosedOutput()  # type: ignore[assignment]
    if sys.stderr is None:  # messages go nowhere; never into standard output (print's
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # default for file=None)
    sys.stdout = _GuardedStream(sys.stdout)  # type: ignore[assignment]
    if sys.stderr is not None:
        sys.stderr = _GuardedStream(sys.stderr, quiet=True)  # type: ignore[assignment]
    # a signal the caller ignores stays ignored: `nohup numpynn train ...` must outlive
    # its terminal, as Python leaves an ignored SIGINT alone
    previous = {s: _install(s, _raise_terminated) for s in _ENDING
                if signal.getsignal(s) is not signal.SIG_IGN}
    from ..outputs import (
        commit_point,
        hold_signals_after_commit,
        release_held_signals,
        remove_own_temp_files,
    )

    hold_signals_after_commit(True)  # an interrupt after the files are written is too late
    try:
        _refuse_options_before_the_command(argv)
        parser = build_parser(argv[:1], argv)  # the command given, if any: others listed
        args = parser.parse_args(argv)
        args.given = given_options(parser, argv)
        code = args.run(args)
    except KeyboardInterrupt as exc:
        if not isinstance(exc, ReaderLeft):  # a reader that left wants no more words
            print(f"numpynn: {stop_word(exc)}", file=sys.stderr)
        code = interrupted_exit_code(exc)
    except MemoryError as exc:
        if debug:
            traceback.print_exc()
        detail = f" ({_one_line(exc)})" if str(exc) else ""
        print(f"numpynn: error: out of memory{detail}; reduce the work: fewer or smaller "
              "--hidden layers, a smaller --batch-size, fewer --trials or grid values, or "
              "less data.", file=sys.stderr)
        code = EXIT_USAGE
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(f"numpynn: error: {_one_line(exc)}", file=sys.stderr)
        code = EXIT_USAGE
    except NumpynnError as exc:
        if debug:
            traceback.print_exc()
        print(f"numpynn: error: {_one_line(exc)}", file=sys.stderr)
        code = EXIT_FAILED
    except OSError as exc:  # the file system refused: unwritable --out, disk full, ...
        if debug:
            traceback.print_exc()
        where = f": {exc.filename}" if exc.filename else ""
        if not exc.filename and _cwd_is_gone():  # os.getcwd() failed, naming no path
            print("numpynn: error: the current directory no longer exists (it was deleted "
                  "or moved after this shell entered it), and this command needs it; cd to "
                  "an existing directory and run it again.", file=sys.stderr)
        else:
            print(f"numpynn: error: {exc.strerror or exc}{where}; "
                  f"{_OS_ADVICE.get(exc.errno, _OS_ADVICE[None])}.", file=sys.stderr)
        code = EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        code = int(exc.code or 0)
    finally:
        commit_point()  # the command is over: a signal from here on is too late to act on
        remove_own_temp_files()  # an interrupt left between making one and guarding it
        release_held_signals()
        for signum, handler in previous.items():
            _install(signum, handler)
        if streams[1] is None and sys.stderr is not None:
            sys.stderr.close()  # the /dev/null opened above
        sys.stdout, sys.stderr = streams
    return code


def _refuse_options_before_the_command(argv: Sequence[str]) -> None:
    """``numpynn --quiet train ...``, ``numpynn --data x.csv train`` (the habit of tools
    whose global options come first): a UsageError with the command line in numpynn's
    order, where argparse said "unrecognized arguments" or took the option's value for
    the command ("did you mean numpynn data?")."""
    if not argv or not argv[0].startswith("-") or argv[0] in ("-h", "--help", "--version"):
        return
    words = [i for i, a in enumerate(argv) if a.lower() in COMMANDS]
    if not words:
        return
    # the command, not an option's value that is a command's name (--data data train)
    at = next((i for i in words if not argv[i - 1].startswith("-")), words[0])
    import shlex

    command = argv[at].lower()
    ordered = shlex.join([command, *(a for a in argv[:at] if a != "--"), *argv[at + 1:]])
    raise UsageError(f"{shlex.join(argv[:at])}: options come after the command, "
                     f"and numpynn's own options are only --help and --version; "
                     f"write: numpynn {ordered} (see 'numpynn {command} --help')")


#: what to do about a file system's refusal, by its errno (None: any other)
_OS_ADVICE = {
    None: "check the path, its permissions and the free disk space",
    errno.ENOSPC: "free some space on that disk (df shows it), or write elsewhere",
    getattr(errno, "EDQUOT", -122): "your disk quota there is used up: free some space, or "
                                    "write elsewhere",
    errno.EFBIG: "the file is larger than this process may write (see ulimit -f) or than "
                 "the file system allows; raise the limit, or write elsewhere",
    errno.EROFS: "that file system is mounted read-only; write elsewhere",
    errno.ENAMETOOLONG: "a name in the path is longer than the file system allows (255 "
                        "bytes on most; a non-ASCII letter takes 2 or more); shorten it",
    errno.EACCES: "check the permissions of the path and of its directories",
    errno.EPERM: "check the permissions of the path and of its directories",
}


def _fill_closed_descriptors() -> None:
    """Put /dev/null on a closed descriptor 1 or 2: else the next file opened takes its
    number, and whatever writes to "standard error" at the C level (a library's warning)
    writes into that file (a model being saved)."""
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def _stdin_redirected() -> bool:
    """Whether standard input is a pipe or a file (``< new.csv``, ``cat x |``), not a
    terminal nor absent."""
    import stat

    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False
    return stat.S_ISFIFO(mode) or (stat.S_ISREG(mode) and os.fstat(
        sys.stdin.fileno()).st_size > 0)


def _cwd_is_gone() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _install(signum: int, handler):
    """Set a signal handler where Python allows it (the main thread); returns the old."""
    if handler is None:
        return None
    try:
        return signal.signal(signum, handler)
    except ValueError:  # not the main thread (e.g. main() called from a worker thread)
        return None


def _one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (the error contract: one line, no traceback),
    with the library's parameter names written as this CLI's flags."""
    from .common import flag_message

    text = " ".join(str(exc).split())
    param = getattr(exc, "param", None)
    if param and text.startswith(f"{param} "):  # "dropout must be ...": said as its flag
        text = f"`{param}`{text[len(param):]}"
    return flag_message(text) or type(exc).__name__


def run() -> None:
    """Console-script entry point. Once main() has its exit code the command is over: a
    signal arriving on the way out must not turn it into a death by signal."""
    code = main()
    for signum in (signal.SIGINT, *_ENDING):
        _install(signum, signal.SIG_IGN)
    sys.exit(code)
