"""Entry point: argument parsing, dispatch, the error contract and exit codes.

Exit codes: 0 success; 1 a check failed or training diverged; 2 bad input (usage,
option values, data or model files); 130 interrupted. A user mistake prints one line
``numpynn: error: ...`` and no traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from ..errors import InputError, NumpynnError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(InputError):
    """A command-line usage mistake (argparse's complaints)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    from . import gradcheck_cmd

    parser = _Parser(
        prog="numpynn",
        description="Train, check and use small neural networks written in NumPy.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'numpynn COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    commands = [gradcheck_cmd]
    for name in ("train_cmd", "evaluate_cmd", "predict_cmd", "search_cmd", "export_cmd"):
        try:
            commands.append(__import__(f"{__package__}.{name}", fromlist=[name]))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
    for module in commands:
        module.add_parser(sub)
    return parser


def _version() -> str:
    from .. import __version__

    return f"numpynn {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    if debug:
        argv.remove("--debug")
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        code = args.run(args)
    except KeyboardInterrupt:
        print("numpynn: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
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
    except BrokenPipeError:  # e.g. 'numpynn predict ... | head': the reader left, stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's flush at exit must not fail again
        code = EXIT_FAILED
    except OSError as exc:  # the file system refused: unwritable --out, disk full, ...
        if debug:
            traceback.print_exc()
        where = f": {exc.filename}" if exc.filename else ""
        print(f"numpynn: error: {exc.strerror or exc}{where}; check the path, its permissions "
              "and the free disk space.", file=sys.stderr)
        code = EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        code = int(exc.code or 0)
    return code


def _one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (the error contract: one line, no traceback)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
