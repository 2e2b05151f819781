"""Gradient checking: the proofs of the backward passes.

* :mod:`.checks`: the checker (centred differences with Richardson extrapolation, the
  three-valued verdict, complex-step confirmation, the bug kind a FAIL names):
  :func:`check_gradients` for a model, :func:`check_layer` for a forward/backward pair,
  :func:`numerical_gradient`, :func:`rel_error`;
* :mod:`.file`: a learner's own CS231n layers and models (``numpynn gradcheck --file``);
* :mod:`.corpus`: the bug corpus the checker is measured on (``numpynn gradcheck --corpus``).
"""

from .checks import (
    DEFAULT_TOL,
    FAIL,
    GRAD_FLOOR,
    INCONCLUSIVE,
    KINDS,
    PASS,
    Entry,
    GradCheckReport,
    GradCheckRow,
    ReturnError,
    bug_kind,
    builtin_checks,
    check_array,
    check_gradients,
    check_layer,
    is_well_conditioned,
    numerical_gradient,
    probe_gradient,
    random_problem,
    registry_checks,
    rel_error,
    stream,
    well_conditioned_problem,
)

__all__ = ["DEFAULT_TOL", "FAIL", "GRAD_FLOOR", "INCONCLUSIVE", "KINDS", "PASS", "Entry",
           "GradCheckReport", "GradCheckRow", "ReturnError", "bug_kind", "builtin_checks",
           "check_array",
           "check_gradients", "check_layer", "is_well_conditioned", "numerical_gradient",
           "probe_gradient", "random_problem", "registry_checks", "rel_error", "stream",
           "well_conditioned_problem"]
