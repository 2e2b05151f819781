"""Shared test helpers."""

from __future__ import annotations

from numpynn.gradcheck import is_well_conditioned, random_problem

gradcheck_problem = random_problem

__all__ = ["gradcheck_problem", "is_well_conditioned"]
