"""The one way tests run ``numpynn ARGS``.

* :func:`numpynn` runs the command in this process: the same ``main(argv)`` as the console
  script, with stdout and stderr captured as pipes would capture them (not terminals, so
  the progress output is the piped one) and the exit code returned, in ``cwd``.
* :func:`gradcheck_here` runs ``numpynn gradcheck --file ...`` as :func:`numpynn` does, but
  checks the file in this process too: the CLI's child (``--child``) code itself, called
  here rather than in a new interpreter (whose start, numpy and numpynn imported again, is
  most of a small file's check). For tests of the verdicts and messages; what needs the
  child to be a process (a loop stopped, ``os._exit``, a learner's processes ended) keeps
  :func:`numpynn`.
* :func:`numpynn_process` and :func:`start_numpynn` start a real ``python -m numpynn``:
  only for what needs a process (signals, kills, the console script, closed or piped
  standard streams, a fresh interpreter).

Both return objects with ``returncode``, ``stdout`` and ``stderr``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    """What a command left: its exit code and everything it printed."""

    returncode: int
    stdout: str
    stderr: str


class _Pipe(io.TextIOWrapper):
    """A text stream over bytes, like a pipe: ``.buffer`` works, ``isatty()`` is False."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="replace", newline="",
                         write_through=True)

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8", errors="replace")


@contextlib.contextmanager
def _captured(cwd: Path | str | None, stdin: str | None) -> Iterator[tuple[_Pipe, _Pipe]]:
    out, err = _Pipe(), _Pipe()
    saved = sys.stdin, sys.stdout, sys.stderr, os.getcwd()
    sys.stdout, sys.stderr = out, err
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved[:3]
        os.chdir(saved[3])


def numpynn(*args: str | os.PathLike, cwd: Path | str | None = None,
            stdin: str | None = None) -> Result:
    """``numpynn ARGS`` in this process (in ``cwd``, with ``stdin`` as standard input)."""
    from numpynn.cli.main import main

    with _captured(cwd, stdin) as (out, err):
        code = main([os.fspath(a) for a in args])
    return Result(code, out.text(), err.text())


def gradcheck_here(*args: str | os.PathLike, cwd: Path | str | None = None) -> Result:
    """``numpynn gradcheck ARGS`` in this process, as :func:`numpynn`, with the file's check
    (the child process's :func:`~numpynn.cli.gradcheck_cmd._child`, its JSON result
    included) run here as well; the modules and ``sys.path`` entries the learner's file
    brings (its package, the Python-2 stand-ins) are taken away after it."""
    from numpynn.cli import gradcheck_cmd

    real = gradcheck_cmd.check_file_isolated

    def here(path: str, seed: int = 0, timeout: float = 0.0) -> dict:
        if not Path(path).is_file():
            return real(path, seed, timeout)  # its InputError, as the CLI says it
        modules, path_before = set(sys.modules), list(sys.path)
        with tempfile.TemporaryDirectory(prefix="numpynn-gradcheck-") as tmp:
            result_file = os.path.join(tmp, "result.json")
            try:
                with warnings.catch_warnings():  # the child leaves its progress file to exit
                    warnings.simplefilter("ignore", ResourceWarning)
                    gradcheck_cmd._child(path, seed, result_file,
                                         os.path.join(tmp, "progress.txt"))
            finally:
                for name in set(sys.modules) - modules:
                    del sys.modules[name]
                sys.path[:] = path_before
            with open(result_file, encoding="utf-8") as f:
                return json.load(f)

    gradcheck_cmd.check_file_isolated = here
    try:
        return numpynn("gradcheck", *args, cwd=cwd)
    finally:
        gradcheck_cmd.check_file_isolated = real


def _env(env: dict[str, str] | None) -> dict[str, str]:
    full = dict(os.environ if env is None else env)
    full["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [full.get("PYTHONPATH")])])
    full["MPLBACKEND"] = "Agg"
    return full


def numpynn_process(*args: str | os.PathLike, cwd: Path | str, timeout: float = 120,
                    env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """``python -m numpynn ARGS`` as a real process, its output captured as text."""
    kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "numpynn", *map(os.fspath, args)], cwd=cwd,
                          env=_env(env), text=True, timeout=timeout, **kwargs)


def start_numpynn(*args: str | os.PathLike, cwd: Path | str,
                  env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """``python -m numpynn ARGS`` started and left running (to be signalled or killed)."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([sys.executable, "-m", "numpynn", *map(os.fspath, args)], cwd=cwd,
                            env=_env(env), text=True, **kwargs)


def ok(result: Result | subprocess.CompletedProcess) -> str:
    """The standard output of a command that must have succeeded without a traceback."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout
