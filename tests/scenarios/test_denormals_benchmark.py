"""benchmarks/bench_denormals.py, the measurement behind training with subnormals flushed,
must keep running: a two-epoch round of each column, each operation timed once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from numpynn.denormals import available
from tests.clirun import REPO

SCRIPT = REPO / "benchmarks" / "bench_denormals.py"


@pytest.mark.slow  # a benchmark script in a process of its own (about 5-9 s), as the others
@pytest.mark.skipif(not available(), reason="no flush-to-zero mode on this CPU")
def test_a_short_run_prints_both_rows_with_both_modes():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines()
            if line.startswith(("| one network", "| 5 networks"))]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[1]) > 0 and float(cells[2]) > 0
        assert cells[3].endswith("x")
    assert proc.stderr.count("flushed") == 2 and proc.stderr.count("ieee") == 2
    ops = [line for line in proc.stdout.splitlines()
           if line.startswith(("| multiply", "| 512 x 512", "| predict_proba"))]
    assert len(ops) == 3 and all(line.count(" us") == 3 for line in ops)
