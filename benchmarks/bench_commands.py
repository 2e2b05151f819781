"""How long a command takes on a small table, as a user's shell runs it (issue 23, item 7):
``numpynn train`` (report included) of a classification and of a regression,
``numpynn evaluate`` and ``numpynn predict`` on a table of a few hundred rows with numbers,
a text column and a label, each in a new process,
median of 5 runs after one warm-up run (which also writes the bytecode cache).

    python benchmarks/bench_commands.py [--repeat 5] [--repo PATH] [--rows 344]

The table is Palmer penguins (344 rows: four measurements, the island and sex as text,
missing cells; the ``palmerpenguins`` package ships it, in the ``[bench]`` extra), or,
without that package, a seeded synthetic table of ``--rows`` rows of the same kinds of
column. Targets: train 1 s, evaluate and predict 0.5 s. The commands run as
``python -m numpynn`` with ``PYTHONPATH`` set to ``--repo`` (default: this checkout), so
the code timed is the checkout's whatever ``numpynn`` is installed; ``--repo`` pointed at
an older checkout gives the before of a change. Printed: the table of medians (and
minimum, maximum) against the targets, the load average before and after, the CPU model.
Exit status 1 when a median misses its target.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"train": 1.0, "train (regression)": 1.0, "evaluate": 0.5, "predict": 0.5}
LABEL = "species"
#: the label of the regression timed beside the classification: a penguin's body mass
#: (two rows of the real table have none: --drop-unlabelled leaves them out)
REGRESSION_LABEL = "body_mass_g"


def write_table(path: Path, rows: int, seed: int = 0) -> str:
    """Write the benchmark table to ``path``; returns its description."""
    try:
        from importlib.resources import files

        source = files("palmerpenguins").joinpath("data", "penguins.csv")
        path.write_bytes(source.read_bytes())
        n = sum(1 for _ in csv.reader(path.open())) - 1
        return f"Palmer penguins ({n} rows, from the palmerpenguins package)"
    except (ImportError, ModuleNotFoundError, FileNotFoundError):
        pass
    import numpy as np

    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], size=rows)
    shift = {"Adelie": 0.0, "Chinstrap": 1.0, "Gentoo": 2.0}
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow([LABEL, "island", "bill_length_mm", "bill_depth_mm",
                      "flipper_length_mm", "body_mass_g", "sex", "year"])
        for s in species:
            k = shift[s]
            out.writerow([s, rng.choice(["Biscoe", "Dream", "Torgersen"]),
                          f"{39 + 5 * k + rng.normal():.1f}", f"{18 - k + rng.normal():.1f}",
                          f"{190 + 10 * k + 3 * rng.normal():.0f}",
                          f"{3700 + 600 * k + 200 * rng.normal():.0f}",
                          rng.choice(["male", "female", "NA"], p=[0.48, 0.48, 0.04]),
                          rng.choice([2007, 2008, 2009])])
    return f"synthetic penguin-like table ({rows} rows; palmerpenguins is not installed)"


def cpu_model() -> str:
    """The CPU's model name, logical CPU count and whether it has AVX-512."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.readlines()
    except OSError:
        return platform.processor() or platform.machine()
    names = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")]
    flags = next((ln.split(":", 1)[1].split() for ln in lines if ln.startswith("flags")), [])
    if not names:
        return platform.processor() or platform.machine()
    return (f"{names[0]} x {len(names)} logical CPUs"
            + (", AVX-512" if "avx512f" in flags else ""))


def blas() -> str:
    """NumPy's BLAS as threadpoolctl sees it (when installed)."""
    try:
        import numpy  # noqa: F401  (loads the BLAS library for threadpoolctl to find)
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    found = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
             f"{p.get('num_threads')} threads)" for p in threadpool_info()
             if p.get("user_api") == "blas"]
    return ", ".join(found) or "none found"


def environment(repo: Path) -> dict[str, str]:
    """The timed processes' environment: ``repo`` first on the path, bytecode written
    (a user's installed package has its cache; the warm-up run writes this one's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(repo), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def seconds(make_argv, repeat: int, cwd: Path, env: dict[str, str]) -> list[float]:
    """Wall times of ``make_argv(i)`` for i = 1..repeat, after one warm-up run (i = 0)."""
    times = []
    for i in range(repeat + 1):
        argv = make_argv(i)
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed (exit {proc.returncode}):\n"
                             f"{proc.stderr[-2000:]}")
        if i:
            times.append(elapsed)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (5)")
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="the numpynn checkout to time (default: this one)")
    parser.add_argument("--rows", type=int, default=344,
                        help="rows of the synthetic table (used without palmerpenguins)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1; got {args.repeat}")
    if not (args.repo / "numpynn" / "__init__.py").is_file():
        parser.error(f"--repo {args.repo} holds no numpynn package (numpynn/__init__.py)")
    base = [sys.executable, "-m", "numpynn"]
    env = environment(args.repo.resolve())
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-commands-") as tmp:
        work = Path(tmp)
        what = write_table(work / "table.csv", args.rows)
        train = seconds(lambda i: [*base, "train", "--data", "table.csv", "--label-column",
                                   LABEL, "--out", f"run-{i}"], args.repeat, work, env)
        regression = seconds(lambda i: [*base, "train", "--data", "table.csv", "--label-column",
                                        REGRESSION_LABEL, "--drop-unlabelled", "--out",
                                        f"reg-{i}"], args.repeat, work, env)
        run = "run-0"
        evaluate = seconds(lambda i: [*base, "evaluate", run, "--data", "table.csv"],
                           args.repeat, work, env)
        predict = seconds(lambda i: [*base, "predict", run, "--data", "table.csv"],
                          args.repeat, work, env)
    load_after = os.getloadavg()

    print(f"numpynn from {args.repo}; {' '.join(Path(a).name for a in base)} COMMAND")
    print(f"table: {what}")
    print(f"CPU: {cpu_model()}; BLAS: {blas()}; Python {platform.python_version()}")
    print(f"load average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"median of {args.repeat} after a warm-up run, new process each time\n")
    print(f"{'command':<58}{'median':>8}{'min':>8}{'max':>8}{'target':>8}  verdict")
    missed = 0
    for name, times, line in (
            ("train", train, f"numpynn train --data T.csv --label-column {LABEL} --out DIR"),
            ("train (regression)", regression, f"numpynn train --data T.csv --label-column "
                                               f"{REGRESSION_LABEL} --drop-unlabelled"),
            ("evaluate", evaluate, "numpynn evaluate DIR --data T.csv"),
            ("predict", predict, "numpynn predict DIR --data T.csv > P.csv")):
        median = statistics.median(times)
        target = TARGETS[name]
        missed += median > target
        print(f"{line:<58}{median:>7.3f}s{min(times):>7.3f}s{max(times):>7.3f}s"
              f"{target:>7.1f}s  {'ok' if median <= target else 'OVER'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
