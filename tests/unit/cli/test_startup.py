"""A command that starts at once, and a package that imports only what it declares.

Start-up time itself is measured by ``benchmarks/bench_startup.py`` (median of 5); these
tests pin its cause: which libraries a fresh interpreter imports for ``--help``."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

from numpynn.cli.commands import COMMAND_HELP
from tests.clirun import REPO

PACKAGE = REPO / "numpynn"
#: libraries that cost 0.1-1.5 s to import: none may load before a command needs it
HEAVY = ("sklearn", "scipy", "matplotlib", "joblib", "dask", "distributed", "pandas", "onnx", "PIL",
         "onnxruntime", "threadpoolctl")
#: import name -> distribution name, where they differ
DISTRIBUTION = {"sklearn": "scikit-learn", "distributed": "dask", "PIL": "pillow"}


#: what a piped command on a table needs neither: the progress bar, the download's network
TABLE_RUN_NEEDS_NOT = (*HEAVY, "tqdm", "http.client", "urllib.request")


def _imported_by(argv: list[str], modules: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after ``numpynn ARGV``."""
    code = ("import contextlib, io, sys\n"
            "from numpynn.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    code = main({argv!r})\n"
            "assert code == 0, code\n"
            f"print(' '.join(m for m in {modules!r} if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


@pytest.mark.parametrize("command", ["", *COMMAND_HELP])
def test_help_imports_no_heavy_library(command):
    argv = [command, "--help"] if command else ["--help"]
    assert _imported_by(argv) == []


def test_train_evaluate_and_predict_on_a_table_import_no_heavy_library(tmp_path):
    """The commands of ``benchmarks/bench_commands.py`` (train with its report, evaluate,
    predict, piped) load no plotting, SciPy, scikit-learn or pandas, no progress bar and
    no network module: their time is numpynn's own (issue 23, item 7)."""
    rows = ["size,weight,colour,kind"] + [
        f"{i % 7 + 0.5},{(i * 13) % 11},{('red', 'green', 'blue')[i % 3]},{'ab'[i % 2]}"
        for i in range(60)]
    data = tmp_path / "t.csv"
    data.write_text("\n".join(rows) + "\n")
    run = tmp_path / "run"
    commands = [["train", "--data", str(data), "--label-column", "kind", "--epochs", "3",
                 "--out", str(run)],
                ["evaluate", str(run), "--data", str(data)],
                ["predict", str(run), "--data", str(data), "--output",
                 str(tmp_path / "p.csv")]]
    for argv in commands:
        assert _imported_by(argv, TABLE_RUN_NEEDS_NOT) == [], argv[0]
    assert (run / "report.html").is_file() and (run / "loss.svg").is_file()


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in requirements}


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level module names imported by ``path``: (at module level, inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top, local = set(), set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            (top if node.col_offset == 0 else local).add(name.split(".")[0])
    return top, local


def test_every_imported_library_is_declared_and_optional_ones_are_imported_on_use():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    core = _requirement_names(project["dependencies"])
    extras = set().union(*map(_requirement_names, project["optional-dependencies"].values()))
    for path in sorted(PACKAGE.rglob("*.py")):
        top, local = _imports(path)
        for module in (top | local) - set(sys.stdlib_module_names) - {"numpynn"}:
            dist = DISTRIBUTION.get(module, module).lower()
            where = path.relative_to(REPO)
            assert dist in core | extras, f"{where} imports {module}, declared nowhere"
            if module in top:
                assert dist in core, f"{where} imports the optional {module} at module level"


@pytest.mark.slow  # runs the benchmark script's commands in real processes: 6 s
def test_bench_commands_times_the_commands_of_a_checkout():
    """The benchmark of issue 23, item 7 runs (one timed run each; its times are its
    output, never asserted) and says what it timed."""
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_commands.py"),
                           "--repeat", "1"], capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr  # 1: a median over its target
    out = proc.stdout
    assert f"numpynn from {REPO}" in out and "load average" in out and "CPU:" in out
    for command, target in (("numpynn train --data T.csv --label-column species", "1.0s"),
                            ("numpynn train --data T.csv --label-column body_mass_g", "1.0s"),
                            ("numpynn evaluate DIR", "0.5s"), ("numpynn predict DIR", "0.5s")):
        line = next(ln for ln in out.splitlines() if ln.startswith(command))
        assert target in line and ("ok" in line or "OVER" in line)
    bad = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_commands.py"),
                          "--repo", str(REPO / "tests")], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "holds no numpynn package" in bad.stderr
