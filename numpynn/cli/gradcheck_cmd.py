"""``numpynn gradcheck``: check backward passes against numerical gradients.

Without options it checks numpynn's own layers, loss and MLPs; ``--file`` checks a
learner's CS231n-style layers module; ``--corpus`` runs the checker's own test bench.
Every check answers pass / FAIL / inconclusive (see ``numpynn docs gradcheck``).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path
from types import ModuleType

from ..errors import InputError
from ..gradcheck import notebook
from ..gradcheck.checks import DEFAULT_TOL, FAIL, INCONCLUSIVE, builtin_checks
from . import common
from .commands import COMMAND_HELP

EXAMPLES = """examples:
  numpynn gradcheck                    # numpynn's layers, loss, MLPs of depth 1-4
  numpynn gradcheck --file layers.py   # your CS231n layers: affine_forward/_backward, ...
  numpynn gradcheck --file cs231n/classifiers/fc_net.py   # your FullyConnectedNet too
  numpynn gradcheck --file cs231n/optim.py   # your update rules against the course's
  numpynn gradcheck --corpus           # the checker's own false-alarm / detection table

Each array gets pass, FAIL (a wrong backward pass; the likely kind of bug is named when
the numbers show it: a factor of N, a sign, a mask, the regularisation term, an in-place
edit, a random loss) or inconclusive (the numerical gradient cannot referee it: rounding
floor, ReLU kink or truncation; the report says which and what to do). Exit code 1 on
any FAIL.

docs: 'numpynn docs gradcheck' (how the check decides, measured rates) and
'numpynn docs backprop' (the backward equations, shape by shape).
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gradcheck",
        help=COMMAND_HELP["gradcheck"],
        description="Compare each analytic gradient with Richardson-extrapolated centred "
        "differences in float64 (extended precision where a layer allows it) and report "
        f"pass (relative error < {DEFAULT_TOL:g}), FAIL or inconclusive per array, with "
        "the worst entry.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = p.add_mutually_exclusive_group()
    what.add_argument("--file", metavar="PATH", help="a Python file with CS231n-named "
                      "forward/backward functions (affine_forward, relu_backward, "
                      "batchnorm_backward_alt, softmax_loss, svm_loss, svm_loss_naive, "
                      "conv_forward_naive, max_pool_forward_naive, ...), the update "
                      "rules of optim.py (sgd, sgd_momentum, rmsprop, adam) and model "
                      "classes (params and loss(X, y=None)) to check: gradients, forward "
                      "and test mode; a file in a package (cs231n/layer_utils.py) is "
                      "imported as its member")
    what.add_argument("--corpus", action="store_true", help="run the checker's corpus of "
                      "correct models and wrong backward passes and print the rates")
    p.add_argument("--seed", type=common.seed, default=0,
                   help="seed of the random problems (0 to 2**32-1, default 0)")
    p.add_argument("--timeout", type=_positive_seconds, default=STALL_S, metavar="SECONDS",
                   help="--file: stop the check when importing the file, or checking one "
                   "of its functions, takes longer than this (an infinite loop, training "
                   f"at import); default {STALL_S:g}")
    p.set_defaults(run=run)


#: ``--file``: the longest the import, or the check of one function or class, may run
#: before the child process is stopped (an infinite loop, training at the top level).
STALL_S = 120.0


def _import_advice(exc: BaseException, file: Path) -> str:
    """What to do about an error raised while importing the learner's file: a module that
    is not installed (named, and whether the check needs it), ``input()`` at the top level
    (no one types in the check), or else the command that shows the same error."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        if top == "cs231n" or top == file.parent.name:
            return (f"the module {exc.name!r} is part of the assignment's own package, which "
                    "is not beside this file: check the file where it lies in the assignment "
                    "folder (numpynn gradcheck --file cs231n/classifiers/fc_net.py, run from "
                    "the folder that holds cs231n/), where its imports work.")
        return (f"the module {top!r} is not installed in this Python ({sys.executable}): "
                f"install it (pip install {top}), or, if the functions numpynn checks do not "
                "use it (they are checked with NumPy arrays alone), remove the import or "
                "move it into the function or notebook cell that needs it.")
    if isinstance(exc, EOFError):
        return ("the file asks for input (input() at its top level) and the check types "
                "nothing: put that code under if __name__ == \"__main__\": so that "
                "importing the file runs only its definitions.")
    return (f"fix the file so that 'python -c \"import {file.stem}\"' in its folder "
            "runs without an error.")


def _read_text(file: Path) -> str:
    """The file's text (undecodable bytes replaced: the import says what is wrong)."""
    return file.read_text(encoding="utf-8", errors="replace")


def _positive_seconds(text: str) -> float:
    return common.checked_number(text, float, lambda v: 0 < v < float("inf"),
                                 "a positive number of seconds")


def load_user_module(path: str, keep_path: bool = False) -> ModuleType:
    """Import the Python file at ``path`` as a module; InputError if it cannot be.

    A file inside a package (its folder has ``__init__.py``, as ``cs231n/layer_utils.py``)
    is imported as a member of that package (``cs231n.layer_utils``), so that its relative
    imports (``from .layers import *``) work; any other file is imported on its own with
    its folder on ``sys.path`` (so it can import its neighbours). keep_path: leave that
    folder on ``sys.path`` (the checking child process does, for imports inside functions).
    An exception at import, ``SystemExit`` (``sys.exit``, ``exit()``) included, is an
    InputError naming the file and line.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"--file {path}: {_not_a_file(file)}; give the path of your layers "
                         ".py file.")
    if file.suffix not in (".py", ".ipynb"):
        raise InputError(f"--file {path}: not a .py file; give the path of your layers .py "
                         "file (or the .ipynb notebook that defines them).")
    text: str | None = _read_text(file)
    if not notebook.is_notebook(file, text or ""):
        text = None  # a plain module, imported as Python imports it
    elif file.suffix == ".ipynb":
        try:
            notebook.cells(file, text or "")
        except ValueError as exc:
            raise InputError(f"--file {path}: {exc}.") from None
    folder, parts = file.resolve().parent, [file.stem]
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    root = str(folder)
    sys.path.insert(0, root)
    try:
        if text is not None:  # a notebook: cell by cell, a cell that raises noted
            module = types.ModuleType(f"numpynn_user_{file.stem}")
            module.__file__ = str(file.resolve())
            module.__numpynn_notes__ = notebook.run_cells(module, file, text)  # type: ignore[attr-defined]
        elif len(parts) > 1:
            name = ".".join(parts)
            taken = sys.modules.get(parts[0])
            if taken is not None and not str(getattr(taken, "__file__", "") or "").startswith(
                    root):
                raise InputError(f"--file {path}: its package {parts[0]!r} has the name of a "
                                 "module already imported here; rename the package folder.")
            module = importlib.import_module(name)
        else:
            spec = importlib.util.spec_from_file_location(f"numpynn_user_{file.stem}", file)
            if spec is None or spec.loader is None:
                raise InputError(f"--file {path}: cannot be imported as Python; give a .py "
                                 "file.")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
    except InputError:
        raise
    except SyntaxError as exc:
        raise InputError(f"--file {path}: syntax error at line {exc.lineno} of "
                         f"{exc.filename}: {exc.msg}; fix it and run again.") from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the user's module may raise anything on import
        from ..gradcheck.file import _one_line

        raise InputError(f"--file {path}: importing it raised {_one_line(exc, root)}; "
                         + _import_advice(exc, file)) from None
    finally:
        if not keep_path and root in sys.path:
            sys.path.remove(root)
    return module


def run(args: argparse.Namespace) -> int:
    if args.file:
        return _run_file(args.file, args.seed, getattr(args, "timeout", STALL_S))
    if args.corpus:
        return _run_corpus(args.seed)
    reports = builtin_checks(seed=args.seed)
    for report in reports:
        print(report)
        print()
    failed = [r.title for r in reports if r.verdict == FAIL]
    unsure = [r.title for r in reports if r.verdict == INCONCLUSIVE]
    worst = max(r.max_rel_error for r in reports)
    if failed:
        print(f"FAILED: {len(failed)} of {len(reports)} checks ({', '.join(failed)})")
        return 1
    if unsure:
        print(f"no check failed; {len(unsure)} of {len(reports)} inconclusive "
              f"({', '.join(unsure)}): see the notes under their tables")
        return 0
    print(f"all {len(reports)} checks passed; worst relative error {worst:.2e} "
          f"(threshold {DEFAULT_TOL:g})")
    return 0


def _run_file(path: str, seed: int, timeout: float = STALL_S) -> int:
    result = check_file_isolated(path, seed, timeout)
    if "input_error" in result:
        raise InputError(result["input_error"])
    if not result["checks"] and not result["failed"] and result.get("styles"):
        raise InputError(f"--file {path}: nothing numpynn checks found; "
                         + "; ".join(result["styles"]) + "." + "".join(
                             f" ({note})" for note in result.get("notes", [])
                             if note.startswith("notebook:")))
    if result["empty"]:
        raise InputError(f"--file {path}: nothing numpynn checks found. It checks "
                         "CS231n-named layers (affine_forward and affine_backward, relu_*, "
                         "batchnorm_*, conv_forward_naive, ...), the losses softmax_loss "
                         "and svm_loss, assignment 1's svm_loss_naive / _vectorized and "
                         "softmax_loss_naive / _vectorized, optim.py's update rules (sgd, "
                         "sgd_momentum, "
                         "rmsprop, adam), model classes with params and loss(X, y=None) "
                         "(fc_net.py, neural_net.py), and a Solver (a class with _step, "
                         "train and check_accuracy), in a .py file or a notebook "
                         "(.ipynb, or its export by nbconvert); name your functions as "
                         "the assignments do." + "".join(
                             f" ({note})" for note in result.get("notes", [])
                             if note.startswith("notebook:")))
    print(result["text"])
    print()
    if result["failed"]:
        print(f"FAILED: {', '.join(result['failed'])}")
        return 1
    if not result["checks"]:
        print(f"nothing checked yet in {path}: see 'not implemented yet' and 'not checked' "
              "above")
        return 0
    print(f"no failures ({result['verdict']}) in {result['checks']} checks of {path}")
    return 0


def check_file_isolated(path: str, seed: int = 0, timeout: float = STALL_S) -> dict:
    """Import and check the learner's file in a child Python process (``--child``), so
    that nothing the learner's code does can end the check as a pass: ``sys.exit`` and
    other exceptions become that function's FAIL (in the child), and a process that ends
    without its result (``os._exit``, a signal, a crash) is a FAIL naming the function that
    was running. A child whose import, or the check of one function or class, runs longer
    than ``timeout`` seconds (an infinite loop, training at the file's top level) is
    stopped: a FAIL naming what was running (the import: an InputError). Returns the
    child's result: ``text``, ``failed``, ``verdict``, ``checks``, ``empty``, or
    ``input_error`` when the file cannot be imported."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"--file {path}: {_not_a_file(file)}; give the path of your layers "
                         ".py file.")
    with tempfile.TemporaryDirectory(prefix="numpynn-gradcheck-") as tmp:
        result_file, progress_file = Path(tmp, "result.json"), Path(tmp, "progress.txt")
        cmd = [sys.executable, "-m", "numpynn.cli.gradcheck_cmd", "--child", str(file),
               str(seed), str(result_file), str(progress_file)]
        env = dict(os.environ)
        here = str(Path(__file__).resolve().parents[2])  # this numpynn, first on the path
        env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
        env.setdefault("MPLBACKEND", "Agg")  # a notebook's plt.show() opens no window
        # its own process group: a stop ends the processes the learner's code started too
        proc = subprocess.Popen(cmd, cwd=os.getcwd(), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace", start_new_session=os.name == "posix")
        # the learner's prints: only the last lines are kept (a file that prints in a loop
        # must neither fill memory nor block on a full pipe)
        lines: collections.deque[str] = collections.deque(maxlen=20)
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True)
        reader.start()
        try:
            stalled = _wait_or_stop(proc, progress_file, timeout)
            reader.join(timeout=5)
        finally:
            _stop(proc)  # anything of the group still running (the child has ended)
            if not reader.is_alive() and proc.stdout is not None:
                proc.stdout.close()
        if result_file.is_file() and not stalled:
            return json.loads(result_file.read_text())
        running = progress_file.read_text().splitlines() if progress_file.is_file() else []
        tail = "\n".join("".join(list(lines)).strip().splitlines()[-5:])
        if stalled and not running:
            raise InputError(
                f"--file {path}: importing it did not finish within {timeout:g} s, and was "
                "stopped. Code at the file's top level runs on import: training, loading "
                "data, or a loop that never ends; put it under 'if __name__ == "
                "\"__main__\":' (or in a function) and keep only definitions at the top "
                "level (--timeout SECONDS allows longer)." + (
                    f" Last output: {tail.splitlines()[-1][:200]}" if tail else ""))
        where = f"while checking {running[-1]}" if running else "while importing the file"
        title = running[-1] if running else f"import of {path}"
        if stalled:
            text = (f"{title}: FAIL: it did not finish within {timeout:g} s, and the check "
                    "was stopped; the checks after it did not run. A loop that never ends "
                    "is the usual cause: a while loop whose condition never changes (an "
                    "index never incremented, a convergence test that is never met), or a "
                    "training loop inside the function; a correct layer takes well under a "
                    "second on the check's small arrays (--timeout SECONDS allows longer).")
        else:
            how = (f"killed by signal {-proc.returncode}" if proc.returncode < 0 else
                   f"ended with exit code {proc.returncode} without a result (os._exit or a "
                   "crash)")
            text = (f"{title}: FAIL: the process {how} {where}; the checks after it did not "
                    "run. A layer must return its results, never end the program (os._exit, "
                    "os.kill, sys.exit in a thread or at exit).")
        if tail:
            text += "\nlast output:\n" + tail
        return {"text": text, "failed": [title], "verdict": FAIL, "checks": len(running),
                "empty": False}


def _wait_or_stop(proc: subprocess.Popen, progress_file: Path, timeout: float) -> bool:
    """Wait for the child; stop it (and say so: True) when its progress file has not grown
    for ``timeout`` seconds, i.e. the import or one check has run that long."""
    size, since = -1, time.monotonic()
    try:
        while True:
            try:
                proc.wait(timeout=min(0.2, timeout))
                return False
            except subprocess.TimeoutExpired:
                pass
            now_size = progress_file.stat().st_size if progress_file.is_file() else 0
            if now_size != size:
                size, since = now_size, time.monotonic()
            elif time.monotonic() - since > timeout:
                _stop(proc)
                return True
    except BaseException:  # Ctrl-C, a signal: the learner's code must not outlive the check
        _stop(proc)
        raise


def _stop(proc: subprocess.Popen) -> None:
    """Kill the child and its process group (what the learner's code started), then reap
    the child."""
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone already
    elif proc.poll() is None:  # pragma: no cover - Windows
        proc.kill()
    proc.wait()


def _child(path: str, seed: int, result_file: str, progress_file: str) -> int:
    """The child process of :func:`check_file_isolated`: import, check, write the result
    (JSON, written last: its absence means the process was ended early)."""
    from ..gradcheck.file import check_module

    progress = open(progress_file, "a", encoding="utf-8")  # noqa: SIM115 - open to the end

    def started(title: str) -> None:
        progress.write(title + "\n")
        progress.flush()

    from ..gradcheck.file import python2_shims

    python2_shims()  # the course's "from past.builtins import xrange" without "future"
    try:
        module = load_user_module(path, keep_path=True)
    except InputError as exc:
        out = {"input_error": str(exc)}
    else:
        try:
            result = check_module(module, seed=seed, on_call=started, isolated=True)
        except KeyboardInterrupt as exc:  # raised by the learner's code (a real Ctrl-C stops
            from ..gradcheck.file import _one_line  # the parent too)

            out = {"text": f"FAIL: raised {_one_line(exc)}", "failed": ["KeyboardInterrupt"],
                   "verdict": FAIL, "checks": 0, "empty": False}
        else:
            result.notes += [f"notebook: {note}; the checks use what the other cells "
                             "defined" for note in getattr(module, "__numpynn_notes__", [])]
            out = {"text": result.to_table(), "failed": result.failed,
                   "verdict": result.verdict, "checks": len(result.reports),
                   "styles": result.styles, "notes": result.notes,
                   "empty": not (result.reports or result.errors or result.not_implemented
                                 or result.skipped)}
    tmp = result_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f)
    os.replace(tmp, result_file)
    return 0


def _run_corpus(seed: int) -> int:
    from ..gradcheck.corpus import run_corpus

    result = run_corpus(seed=seed)
    print(result)
    return 0 if result.meets_target() else 1


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    sys.exit(_child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]))


def _not_a_file(file: Path) -> str:
    """Why ``file`` cannot be imported: a directory (with the .py files in it), or none."""
    if not file.is_dir():
        return "no such file"
    inside = sorted(p.name for p in file.glob("*.py"))[:3]
    listed = f" (it holds {', '.join(inside)})" if inside else ""
    return f"a directory{listed}, not a file"
