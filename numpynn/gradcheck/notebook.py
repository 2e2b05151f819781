"""A learner's notebook as ``gradcheck --file`` runs it: a ``.ipynb`` file, or one exported
with ``jupyter nbconvert --to script`` (``# In[3]:`` cell markers, ``get_ipython()`` calls).

Its code cells run one after the other in one module, as the notebook's kernel would:
IPython's line magics and shell escapes (``%matplotlib inline``, ``!pip install numpy``,
a line of their own) are skipped, except that a magic that runs Python (``%%time`` on
a cell, ``%time stmt``: :data:`RUNS_BODY`) runs it; ``get_ipython()`` and ``display()``
do nothing, and a cell that raises (loading a data set that is not there, training that
needs it) is noted
and the next cell runs: the checks use the definitions of every cell that ran.
"""

from __future__ import annotations

import json
import linecache
import re
import types
from pathlib import Path

from .file import _one_line

#: nbconvert's marker of a code cell in an exported script
CELL_MARKER = re.compile(r"^# In\[[ 0-9]*\]:\s*$", re.MULTILINE)
#: a line of IPython's own syntax: a magic (%, %%) or a shell escape (!), or ``x = !ls``
MAGIC_LINE = re.compile(r"^(\s*)(?:[%!]|\w+\s*=\s*[%!])")


#: IPython's magics that run their Python body (a cell's, %%time, or a line's, %time
#: stmt) as well as timing, profiling or capturing it: the body runs once, as the cell's
#: code. Other cell magics (%%bash, %%html, %%writefile, ...) hold no Python to run.
RUNS_BODY = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "mprun"})
#: a line magic's options before its statement (%timeit -n 10 -r 3 stmt)
_OPTIONS = re.compile(r"^(?:-[a-zA-Z](?:\s+\d+)?\s+)*")


class _Nothing:
    """``get_ipython()``'s stand-in: every method call does nothing and returns None,
    except that ``run_cell_magic`` and ``run_line_magic`` of a magic in
    :data:`RUNS_BODY` run their Python (nbconvert writes ``%%time`` as
    ``get_ipython().run_cell_magic('time', '', 'body')``) in ``namespace``."""

    def __init__(self, namespace: dict | None = None) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> object:
        return lambda *args, **kwargs: None

    def run_cell_magic(self, magic: str, line: str = "", cell: str = "") -> None:
        if magic in RUNS_BODY and self._namespace is not None:
            exec(compile(_without_magics(cell), "<cell magic>", "exec"),  # noqa: S102
                 self._namespace)

    def run_line_magic(self, magic: str, line: str = "", *args: object) -> None:
        if magic in RUNS_BODY and self._namespace is not None:
            exec(compile(_OPTIONS.sub("", line.strip()), "<line magic>", "exec"),  # noqa: S102
                 self._namespace)


def is_notebook(path: Path, text: str) -> bool:
    """Whether ``text`` (the file at ``path``) is a notebook or nbconvert's script of one."""
    return path.suffix == ".ipynb" or bool(CELL_MARKER.search(text)) or (
        "get_ipython()" in text) or _needs_magic_removal(text)


def _needs_magic_removal(text: str) -> bool:
    try:
        compile(text, "<file>", "exec")
    except SyntaxError:
        return any(MAGIC_LINE.match(line) for line in text.splitlines())
    except ValueError:  # a null byte: compile's own error is said by the import
        return False
    return False


def cells(path: Path, text: str) -> list[tuple[str, int, str]]:
    """The code cells of the notebook ``text``: (label, first line, source) with the
    magic lines replaced by ``pass`` (the line numbers stay those of the file; for a
    ``.ipynb``, those of each cell)."""
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(text)
            raw = [c for c in nb["cells"] if c.get("cell_type") == "code"]
            sources = ["".join(c["source"]) if isinstance(c["source"], list)
                       else str(c["source"]) for c in raw]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a Jupyter notebook that can be read ({type(exc).__name__}: "
                             f"{exc}); save it again from Jupyter, or export it with "
                             "'jupyter nbconvert --to script'") from None
        parts = [(f"cell In[{i}]", 1, src) for i, src in enumerate(sources, 1)]
        return [(label, first, _without_magics(src)) for label, first, src in parts]
    marks = [m.start() for m in CELL_MARKER.finditer(text)]
    starts = [0, *marks] if not marks or marks[0] else marks
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        src = text[start:end]
        head = src.splitlines()[0] if src else ""
        label = f"cell {head[2:].rstrip(':').strip()}" if CELL_MARKER.match(head) else \
            "the lines before the first cell"
        out.append((label, text.count("\n", 0, start) + 1, _without_magics(src)))
    return out


def _without_magics(src: str) -> str:
    """``src`` with each magic or shell-escape line (and a cell magic's whole cell, %%)
    made ``pass``, so that the line numbers stay."""
    lines = src.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()
                  and not line.lstrip().startswith("#")), None)
    if start is not None and lines[start].lstrip().startswith("%%"):
        magic = lines[start].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in RUNS_BODY:  # %%bash, %%html, ...: no Python
            return "\n".join("pass" if i == start else "" for i in range(len(lines)))
        lines[start] = "pass  # " + lines[start].strip()  # %%time: its body runs
    return "\n".join(_line(line) for line in lines)


def _line(line: str) -> str:
    """One line with a line magic or shell escape made ``pass``, or, for a magic of
    :data:`RUNS_BODY` (``%time W = train()``), its statement."""
    m = MAGIC_LINE.match(line)
    if m is None:
        return line
    body = line[m.end(1):]
    if body.startswith("%") and not body.startswith("%%"):
        name, _, rest = body[1:].partition(" ")
        if name in RUNS_BODY and rest.strip():
            return m.group(1) + _OPTIONS.sub("", rest.strip())
    return f"{m.group(1)}pass  # {line.strip()}"


def run_cells(module: types.ModuleType, path: Path, text: str) -> list[str]:
    """Run the notebook's cells in ``module``; returns a note per cell that raised (the
    cell, the exception, its line). A cell with a syntax error is one too; a
    ``KeyboardInterrupt`` stops."""
    shell = _Nothing(module.__dict__)
    module.__dict__.setdefault("get_ipython", lambda: shell)
    module.__dict__.setdefault("display", lambda *args, **kwargs: None)
    notes = []
    for label, first, src in cells(path, text):
        filename = str(path)
        if path.suffix == ".ipynb":  # tracebacks name the cell and show its lines
            filename = f"{path.resolve()} ({label})"
            linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
        try:
            code = compile("\n" * (first - 1) + src, filename, "exec")
        except SyntaxError as exc:
            notes.append(f"{label}: syntax error at line {exc.lineno}: {exc.msg}; it did not "
                         "run")
            continue
        try:
            exec(code, module.__dict__)  # noqa: S102 - the learner's own notebook, in a child
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a cell may raise anything
            notes.append(f"{label} raised {_one_line(exc, str(path.resolve().parent))}; "
                         "its lines after that did not run")
    return notes
