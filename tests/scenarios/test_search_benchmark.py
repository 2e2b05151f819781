"""benchmarks/bench_search.py, the grid behind issue 22's figures, must keep running: each
contender once on 2 epochs (the options it gives a search were refused once, unnoticed:
the search refuses options that its space replaces)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.clirun import REPO

SCRIPT = REPO / "benchmarks" / "bench_search.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_search", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["numpynn grid", "numpynn grid + files"])
def test_each_contender_searches_the_whole_grid(bench, name):
    got = bench.one(name, 2, 1)
    assert got["fits"] == 48 and got["seconds"] > 0
    assert 0.5 < got["best_val"] <= 1  # digits after 2 epochs: far above chance
    assert got["note"].startswith("packed: 48 of 48")


def test_the_breakdown_times_every_pack_and_the_engines_phases(bench):
    lines = bench.breakdown(1)
    rows = [line for line in lines if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 8  # hidden 64-512 x batch 32, 64
    assert any(line.startswith("| all |") for line in lines)
    assert "backward" in lines[-1] and "update" in lines[-1]
    import numpynn.training.packed as packed

    assert packed._Pack.update.__name__ == "update"  # the timing wrappers are gone
