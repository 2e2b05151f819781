"""The package's floors: no import cycle, no function-local import used to dodge one, and
lower floors never importing the run or the faces above them (issue 18)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import numpynn

PACKAGE = Path(numpynn.__file__).resolve().parent
#: why a numpynn import may wait for its first use: the command line's start-up time (a
#: command imports what it runs when it runs), and matplotlib's (a report is drawn only
#: when asked for)
LAZY_IMPORTERS = ("cli.",)
LAZY_TARGETS = ("numpynn.report",)
#: floor -> the numpynn modules it must never import (its upper floors)
FORBIDDEN = {
    "layers": ("models", "train", "engine", "data", "tasks", "io", "experiment", "search",
               "report", "cli", "estimator", "regressor", "export"),
    "losses": ("models", "train", "tasks", "io", "experiment", "search", "report", "cli"),
    "data": ("models", "train", "engine", "tasks", "io", "experiment", "search", "report",
             "cli", "estimator", "regressor"),
    "models": ("train", "tasks", "io", "experiment", "search", "report", "cli"),
    "ensemble": ("training", "tasks", "model_file", "runs", "search", "report", "sklearn",
                 "export", "cli"),
    "train": ("tasks", "experiment", "search", "report", "cli"),
    "tasks": ("experiment", "search", "cli", "estimator", "regressor"),
    "io": ("experiment", "search", "report", "cli"),
}


def _module_name(path: Path) -> str:
    parts = ["numpynn", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache  # the package's files, parsed once for the three tests
def _imports() -> tuple[tuple[str, str, int, bool, bool], ...]:
    """(importer, imported numpynn module, line, at module level, under TYPE_CHECKING)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and ast.unparse(node.test).endswith("TYPE_CHECKING")
                       for n in ast.walk(node)}
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - max(node.level - 1, 0)]
                target = (".".join(base + ([node.module] if node.module else []))
                          if node.level else node.module or "")
                if not node.module:  # "from . import engine": the module engine
                    first = f"{target}.{node.names[0].name}"
                    parts = first.split(".")[1:]
                    if PACKAGE.joinpath(*parts).with_suffix(".py").is_file() or \
                            PACKAGE.joinpath(*parts, "__init__.py").is_file():
                        target = first
            elif isinstance(node, ast.Import):
                target = node.names[0].name
            else:
                continue
            if target.startswith("numpynn"):
                found.append((name, target, node.lineno, node.col_offset == 0,
                              id(node) in typing_only))
    return tuple(found)


def _known(target: str, modules: set[str]) -> str:
    while target and target not in modules:
        target = target.rsplit(".", 1)[0] if "." in target else ""
    return target


def test_no_import_cycle_between_modules():
    imports = _imports()
    modules = {i[0] for i in imports} | {_module_name(p) for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for importer, target, _, top, typing_only in imports:
        t = _known(target, modules)
        if top and not typing_only and t and t != importer and t != "numpynn":
            graph[importer].add(t)
            parts = t.split(".")  # importing a.b.c runs the packages a.b's __init__ first
            for k in range(2, len(parts)):
                parent = ".".join(parts[:k])
                if parent in modules and not (importer + ".").startswith(parent + "."):
                    graph[importer].add(parent)  # (its own packages are initialised already)

    def path_back(start: str) -> list[str] | None:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return trail + [start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))
        return None

    cycles = [c for m in sorted(graph) if (c := path_back(m))]
    assert cycles == [], f"import cycle: {' -> '.join(cycles[0])}"


def test_function_local_imports_are_for_start_up_or_matplotlib_only():
    lazy = [f"{importer}:{line} imports {target}"
            for importer, target, line, top, typing_only in _imports()
            if not top and not typing_only and importer != "numpynn"
            and not importer.startswith(tuple(f"numpynn.{p}" for p in LAZY_IMPORTERS))
            and not target.startswith(LAZY_TARGETS)]
    assert lazy == [], "a function-local import with no reason (start-up, matplotlib):\n" + \
        "\n".join(lazy)


def test_lower_floors_never_import_upper_ones():
    wrong = []
    for importer, target, line, _, typing_only in _imports():
        floor = importer.split(".")[1] if "." in importer else ""
        above = FORBIDDEN.get(floor, ())
        imported = target.split(".")[1] if target.count(".") else ""
        if not typing_only and imported in above:
            wrong.append(f"{importer}:{line} imports {target}")
    assert wrong == [], "\n".join(wrong)
