"""Shared test helpers and the hypothesis profile.

Under CI (``CI`` set) hypothesis runs derandomized: the same examples every run, so a
green suite stays green; locally it explores new random examples each time.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from numpynn.gradcheck.checks import is_well_conditioned, random_problem
from numpynn.training import forked

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

gradcheck_problem = random_problem


@pytest.fixture(autouse=True)
def no_warm_worker_between_tests():
    """A packed run's warm worker (numpynn.training.forked) lives 20 s after its last
    pack: stopped after each test, so no later test's packs reach it (under pytest-xdist
    one process runs many tests)."""
    yield
    forked._release()

__all__ = ["gradcheck_problem", "is_well_conditioned"]
