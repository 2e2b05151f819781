"""The one way tests run ``numpynn ARGS``.

* :func:`numpynn` runs the command in this process: the same ``main(argv)`` as the console
  script, with stdout and stderr captured as pipes would capture them (not terminals, so
  the progress output is the piped one) and the exit code returned, in ``cwd``.
* :func:`numpynn_process` and :func:`start_numpynn` start a real ``python -m numpynn``:
  only for what needs a process (signals, kills, the console script, closed or piped
  standard streams, a fresh interpreter).

Both return objects with ``returncode``, ``stdout`` and ``stderr``.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
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
