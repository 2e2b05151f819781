"""Shared test helpers and the hypothesis profile.

Under CI (``CI`` set) hypothesis runs derandomized: the same examples every run, so a
green suite stays green; locally it explores new random examples each time.
"""

from __future__ import annotations

import os

from hypothesis import settings

from numpynn.gradcheck.checks import is_well_conditioned, random_problem

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

gradcheck_problem = random_problem

__all__ = ["gradcheck_problem", "is_well_conditioned"]
