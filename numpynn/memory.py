"""Refuse work that cannot fit in memory, up front, from an estimate.

The estimates are lower bounds of what the work allocates; a request above the machine's
physical memory is refused with an :class:`~numpynn.errors.InputError` naming what to
reduce, instead of failing later with a ``MemoryError`` or the kernel's OOM killer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .errors import InputError

#: Arrays of a model's size that training holds at once: parameters, gradients, two
#: optimiser moments (Adam), the best and the last good parameters.
TRAINING_COPIES = 6


def physical_memory() -> int | None:
    """Bytes of physical memory (None where the OS does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.3g} GiB"


def check_fits(nbytes: float, what: str, reduce: str) -> None:
    """Refuse ``nbytes`` when it exceeds physical memory; the message says ``what`` needs
    it and what to ``reduce``."""
    total = physical_memory()
    if total is not None and nbytes > total:
        raise InputError(f"{what} needs at least {_gib(nbytes)} of memory, more than this "
                         f"machine has ({_gib(total)}); reduce {reduce}.")


def network_parameters(n_inputs: int, hidden: Sequence[int], n_classes: int) -> int:
    """Weights and biases of an MLP with these layer sizes."""
    dims = [int(n_inputs), *(int(h) for h in hidden), int(n_classes)]
    return sum(a * b + b for a, b in zip(dims[:-1], dims[1:]))


def check_training_fits(n_inputs: int, hidden: Sequence[int], n_classes: int,
                        batch_size: int, dtype: str | np.dtype = "float32",
                        option: str = "`hidden_dims`", rows: int | None = None,
                        members: int = 1) -> None:
    """Refuse a network whose training cannot fit in memory (parameters and their copies,
    plus one batch's activations). ``rows``: the training rows, when known: a batch
    never holds more (a ``batch_size`` above them is one batch of every row per epoch).
    ``members``: networks trained together (an ensemble's, packed: each has its copies
    and its activations at once)."""
    if rows is not None:
        batch_size = min(int(batch_size), max(int(rows), 1))
    itemsize = np.dtype(dtype).itemsize
    params = network_parameters(n_inputs, hidden, n_classes)
    activations = int(batch_size) * (int(n_inputs) + 3 * sum(int(h) for h in hidden)
                                     + int(n_classes))
    layers = ",".join(str(int(h)) for h in hidden)
    what = f"a network with hidden layers {layers} ({params:.3g} parameters)"
    reduce = f"{option} (fewer or smaller layers) or `batch_size`"
    members = int(members)
    if members > 1:
        what = (f"an ensemble of {members:,} networks with hidden layers {layers} "
                f"({members * params:.3g} parameters)")
        reduce = f"`ensemble`, {reduce}"
    check_fits(members * (TRAINING_COPIES * params + activations) * itemsize, what, reduce)


#: Entries ``explain --values`` checks numerically at most (each costs four passes of the
#: network; 50,000 take about 15 s on a laptop core).
MAX_NUMERICAL_ENTRIES = 50_000


def numerical_check_entries(n_inputs: int, hidden: Sequence[int], n_classes: int,
                            batch: int) -> int:
    """The numbers a numerical check of one training step perturbs one at a time: every
    parameter and every entry of every layer's input below the loss (N rows)."""
    widths = [int(n_inputs), *(int(h) for h in hidden), int(n_classes)]
    return network_parameters(n_inputs, hidden, n_classes) + int(batch) * sum(widths[1:])


def check_numerical_check_size(n_inputs: int, hidden: Sequence[int], n_classes: int,
                               batch: int, limit: int = MAX_NUMERICAL_ENTRIES) -> int:
    """Refuse, before any work, a numerical gradient check of more than ``limit`` entries
    (it would run for minutes without a word); returns the count."""
    n = numerical_check_entries(n_inputs, hidden, n_classes, batch)
    if n > limit:
        layers = ",".join(str(int(h)) for h in hidden)
        raise InputError(
            f"checking every gradient numerically needs {n:,} perturbed numbers here "
            f"(hidden {layers}, {n_inputs} inputs, {n_classes} classes, a batch of "
            f"{batch}), 4 network passes each: more than the {limit:,} that finish "
            "in seconds; use a smaller network for the check (e.g. --hidden 5 --input-dim 3 "
            "--classes 3 --batch 2), or leave out --values for the shapes alone.")
    return n


#: Parameters ``numpynn explain`` builds at most (float64, copied once for the pass: about
#: 800 MB and a few seconds at the limit).
MAX_EXPLAIN_PARAMETERS = 50_000_000


def check_explain_size(n_inputs: int, hidden: Sequence[int], n_classes: int,
                       limit: int = MAX_EXPLAIN_PARAMETERS) -> int:
    """Refuse, before any allocation, a network too large to explain in seconds (explain
    lists shapes and equations, which a small network shows as well); returns the count."""
    n = network_parameters(n_inputs, hidden, n_classes)
    if n > limit:
        layers = ",".join(str(int(h)) for h in hidden)
        raise InputError(
            f"a network with {n:,} parameters (hidden {layers}, {n_inputs} inputs, "
            f"{n_classes} classes) is more than explain builds ({limit:,}: it would allocate "
            f"{_gib(16 * n)} and run for minutes); the shapes and equations are the same "
            "for a smaller one: reduce --hidden or --input-dim.")
    return n
