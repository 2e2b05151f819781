"""Habits of scikit-learn users and of scripts that run numpynn's search, round 16 of the
probes (branch api9).

Each case failed on the code before it: a search whose pool worker was killed (the
out-of-memory killer) ended in loky's ``TerminatedWorkerError`` of several lines instead
of a ``SearchError`` saying what happened and how to go on; ...
"""

from __future__ import annotations

import os
import signal

import pytest

from numpynn.search import SearchError
from numpynn.search import local


def _die_in_worker(parent: int, data: object) -> list:
    """A pack that kills the pool worker running it (as the out-of-memory killer does);
    in the search's own process, an empty outcome."""
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_a_pool_worker_killed_is_a_search_error_of_one_line_saying_how_to_go_on():
    # before: joblib's TerminatedWorkerError, four lines naming loky's executor
    parent = os.getpid()
    with pytest.raises(SearchError) as err:
        list(local.run_shared(_die_in_worker, [parent] * 4, {"x": 1}, 2))
    message = str(err.value)
    assert "\n" not in message and "SIGKILL" in message
    assert "out-of-memory" in message and "`resume=True`" in message
    # the pool is made again for the next search
    assert list(local.run_shared(_die_in_worker, [parent], {"x": 1}, 2)) == [[]]
