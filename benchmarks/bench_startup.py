"""How long ``numpynn`` takes to start: ``numpynn --help`` and each ``numpynn COMMAND
--help``, as a user's shell runs them (a new process each time), median of 5 runs after
one warm-up run (which also writes the bytecode cache).

    python benchmarks/bench_startup.py [--repeat 5]

The target is 0.3 s for each line; the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from numpynn.cli.commands import COMMAND_HELP  # noqa: E402

TARGET_S = 0.3


def command_line() -> list[str]:
    """The installed console script where there is one, else ``python -m numpynn``."""
    script = shutil.which("numpynn")
    return [script] if script else [sys.executable, "-m", "numpynn"]


def seconds(argv: list[str], repeat: int) -> float:
    """Median wall time of ``argv`` over ``repeat`` runs, after one warm-up run."""
    times = []
    for i in range(repeat + 1):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if i:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = command_line()
    print(f"{' '.join(base)}  (load average {os.getloadavg()[0]:.2f})")
    slow = 0
    for command in ["", *COMMAND_HELP]:
        argv = [*base, *([command] if command else []), "--help"]
        t = seconds(argv, args.repeat)
        slow += t > TARGET_S
        label = f"numpynn {command} --help".replace("  ", " ")
        print(f"{label:28s} {t:6.3f} s  {'ok' if t <= TARGET_S else 'over ' + str(TARGET_S)}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
