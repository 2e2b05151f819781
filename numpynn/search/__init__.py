"""Hyper-parameter search: random or grid, in parallel with joblib, locally or on Dask.

A search trains one network per *trial* (hidden sizes, learning rate, reg, batch size,
optimiser, epochs) on the training split of a data set and ranks the trials by their
accuracy on the validation split. Data loading, splitting and preprocessing are those of
``numpynn train`` (:func:`numpynn.runs.run.prepare_splits`): every trial sees the same
split, made with the search seed; preprocessing is fitted on the training part only; the
test part is never looked at during the search.

Determinism: trial ``i`` has its own seed, derived from the search seed and ``i`` alone
(``numpy.random.SeedSequence(seed, spawn_key=(i,))``); it drives the trial's
hyper-parameter sample (random mode), weight initialisation and shuffling. A trial runs
with one BLAS thread. So a trial's result does not depend on the worker that ran it, on
the order in which trials finish or on the number of trials: ``--jobs 1``, ``--jobs 4``
and a Dask cluster give the same table, and a longer search extends a shorter one.

Parallelism: trials are joblib tasks, run by joblib's process pool (``jobs``) or, given a
``dask.distributed.Client`` or a scheduler address, by joblib's Dask backend on the
cluster's workers. Workers load the data themselves (once per process), from the data
spec: they need numpynn installed and the data path readable.

Successive halving (``halving=True``, :mod:`numpynn.search.halving`): the trials run in
rungs of growing epoch budgets; the best 1 in ``eta`` of each rung go on to the next.

Files in the output directory:

* ``search.json``: the search's settings (written first; ``resume`` checks against it);
* ``trials.jsonl``: one JSON line per finished trial (a halving search's: per finished
  trial and rung), appended, flushed and fsynced as
  each trial finishes, so an interrupted (even killed) search keeps its finished trials;
* ``results.csv`` / ``results.json``: the table sorted by validation score (a
  regression's by validation loss), rewritten atomically after every trial;
* ``search.png``: validation score against learning rate and reg;
* ``best/``: the best configuration refitted on the training and validation rows together
  for the epoch count its trial kept (its seed; ``refit_best=False``: retrained on the
  training split, the same network as its trial) and saved as ``model.npz`` for
  ``numpynn evaluate`` / ``numpynn predict``, with ``history.json`` and ``report.html``.
  The trials' validation scores come from networks trained on the training split; the
  test figures from the saved model (``results.json``'s ``best_model`` and the model's
  ``search.figures`` say which rows gave which figure).
"""

# The old numpynn.search module's names, from the modules that now define them. ``__all__``
# is unchanged; ``X as X`` marks the other names as re-exported on purpose.
from .halving import DEFAULT_ETA as DEFAULT_ETA
from .halving import Rungs as Rungs
from .packing import DEFAULT_PACK as DEFAULT_PACK
from .results import BEST_DIR as BEST_DIR
from .results import COLUMNS as COLUMNS
from .results import PLOT_FILE as PLOT_FILE
from .results import RESULTS_CSV as RESULTS_CSV
from .results import RESULTS_JSON as RESULTS_JSON
from .results import RUN_COLUMNS as RUN_COLUMNS
from .results import SETTINGS_FILE as SETTINGS_FILE
from .results import TRIALS_FILE as TRIALS_FILE
from .results import deterministic as deterministic
from .results import format_table, read_trials
from .results import ranked as ranked
from .results import score_cell as score_cell
from .results import score_text as score_text
from .runner import SearchError, SearchResult, search
from .runner import _absolute_spec as _absolute_spec
from .runner import check_scheduler as check_scheduler
from .runner import load_settings as load_settings
from .runner import resume_search as resume_search
from .runner import retrain_best as retrain_best
from .space import MODES as MODES
from .space import PARAMS, LogUniform, SearchSpace, trial_plan
from .space import Dimension as Dimension
from .space import trial_seeds as trial_seeds
from .trials import data_fingerprint as data_fingerprint
from .trials import run_trial
from .trials import trial_options as trial_options

__all__ = [
    "PARAMS",
    "LogUniform",
    "SearchError",
    "SearchResult",
    "SearchSpace",
    "format_table",
    "read_trials",
    "run_trial",
    "search",
    "trial_plan",
]
