"""Running a search: settings, the scheduler, parallel trials, output files, retraining."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..data.spec import DataSpec
from ..data.split import AUTO_VAL_FRACTION
from ..errors import InputError, SearchError
from ..memory import check_fits, check_training_fits
from ..model_file import SavedModel, load_model, write_json_atomic, write_text_atomic
from ..outputs import (
    DirectoryLock,
    blocker_text,
    check_output,
    output_directory,
    what_is_there,
)
from ..runs.files import CHECKPOINT_FILE, MODEL_FILE, RUN_FILES, holds_run, holds_search
from ..runs.options import FIELDS, default_options, get
from ..runs.run import (
    RunOptions,
    Splits,
    check_out_outside_images,
    data_inputs,
    refit_on_train_and_val,
    refit_text,
    save_run,
    split_sizes,
)
from ..training.augment import check_image_shape
from ..training.trainer import TrainConfig
from ..validation import SEED, answers_other_keywords, check_bool, check_choice, check_int
from .halving import DEFAULT_ETA, Rungs, check_eta, summary
from .local import (
    end_forked_pool,
    kill_workers,
    run_shared,
    start_workers,
    worker_count,
)
from .packing import (
    DEFAULT_PACK,
    check_pack,
    make_packs,
    packing_summary,
    run_pack,
    run_pack_on,
)
from .results import (
    BEST_DIR,
    PLOT_FILE,
    RESULTS_CSV,
    RESULTS_JSON,
    SETTINGS_FILE,
    TRIALS_FILE,
    _csv_text,
    _TrialLog,
    latest,
    ranked,
    ranks_above,
    read_log,
)
from .space import MODES, PARAMS, LogUniform, SearchSpace, trial_plan
from .trials import (
    _SPLITS_CACHE,
    Trained,
    _blas_one_thread,
    _data_key,
    _train,
    data_fingerprint,
    search_inputs,
    trial_options,
)


@dataclass
class SearchResult:
    """rows: every trial, ranked (best first); best: the best row; metrics: the saved
    best model's figures per split (refitted: "train" holds the train + validation rows
    it trained on, and there is no "val"); notes: what reading and splitting the data
    decided (see :func:`numpynn.search.trials.search_inputs`); paths: the files written;
    refit: what the refit of the best on train + validation rows did
    (:func:`numpynn.runs.run.refit_on_train_and_val`'s record), None when the saved model
    was trained on the training split only (``refit_note`` then says why); figures:
    which rows produced which figure (:func:`figures`)."""

    rows: list[dict[str, Any]]
    best: dict[str, Any] | None
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    saved: SavedModel | None = None
    seconds: float = 0.0
    backend: str = ""
    paths: dict[str, Path] = field(default_factory=dict)
    #: a resumed search that had already finished: nothing was run or written
    unchanged: bool = False
    #: a halving search's rungs as run (:func:`numpynn.search.halving.summary`); else ""
    halving: str = ""
    #: how many trial runs trained packed (:func:`numpynn.search.packing.packing_summary`)
    packing: str = ""
    refit: dict[str, Any] | None = None
    refit_note: str = ""
    figures: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # only for names not found: scikit-learn's search attributes (best_params_ ...)
        # are answered with numpynn's, instead of a bare AttributeError
        if name in SKLEARN_RESULT_NAMES:
            raise AttributeError(f"'SearchResult' object has no attribute {name!r} "
                                 f"(scikit-learn's): {SKLEARN_RESULT_NAMES[name]}.")
        raise AttributeError(f"'SearchResult' object has no attribute {name!r}")


#: scikit-learn's search attributes -> where a SearchResult holds what they hold
SKLEARN_RESULT_NAMES: dict[str, str] = {
    "best_params_": "result.best is the best trial's row (its hidden, lr, reg, batch_size, "
                    "optimizer, epochs ... and its scores)",
    "best_score_": "result.best['val_score'] is the best trial's validation score "
                   "(result.best['score_name'] says which)",
    "best_index_": "result.rows is ranked, best first: result.rows[0] is result.best",
    "cv_results_": "result.rows holds every trial, ranked best first: "
                   "pd.DataFrame(result.rows)",
    "best_estimator_": "result.saved is the best configuration's model (a SavedModel: "
                       "result.saved.predict(X)), written to out/best/model.npz; None where "
                       "the search saved none (`out=None` or `retrain=False`)",
    "classes_": "result.saved.classes are the best model's classes",
    "scorer_": "trials rank by validation accuracy (a regression's: validation loss)",
    "n_splits_": "a search ranks on one validation split, no cross-validation",
}


def all_failed(rows: Sequence[Mapping[str, Any]], out_dir: Path | None = None) -> str:
    """Why a search whose every trial failed has no best, and what to change: the count of
    each way they failed; where all diverged, the learning rates they tried (before: "every
    trial failed (3 trials; first: diverged)", and nothing on what to change)."""
    if not rows:
        return "every trial failed (no trials ran)."
    kinds: dict[str, int] = {}
    for r in rows:
        kind = str(r.get("status", "")).split(":", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    counts = ", ".join(f"{n} {k}" for k, n in kinds.items())
    where = f" Their rows are in {out_dir / RESULTS_CSV}." if out_dir is not None else ""
    errors = [r["status"] for r in rows if str(r.get("status", "")).startswith("error")]
    if errors:
        return f"every trial failed ({len(rows)} trials: {counts}; first: {errors[0]}).{where}"
    rates = sorted(float(r["lr"]) for r in rows if isinstance(r.get("lr"), (int, float)))
    tried = (f"learning rates {rates[0]:.3g} to {rates[-1]:.3g}" if rates and
             rates[0] != rates[-1] else f"learning rate {rates[0]:.3g}" if rates else "")
    if kinds.get("diverged") == len(rows) and tried:
        return (f"every trial failed ({len(rows)} trials: all diverged, their loss no longer "
                f"finite, with {tried}): search lower learning rates (`lr`), e.g. below "
                f"{rates[0] / 10:.3g}.{where}")
    return f"every trial failed ({len(rows)} trials: {counts}).{where}"


def _absolute_spec(spec: str) -> str:
    """Data specs with paths made absolute, so that workers elsewhere read the same files."""
    return DataSpec.parse(spec).absolute()


_SCHEDULER_RE = re.compile(r"^(?:(tcp|tls|ws|wss|ucx|inproc)://)?\[?[\w.\-:]+\]?:\d{1,5}/?$")


def check_scheduler(address: str) -> str:
    """A Dask scheduler address like ``tcp://10.0.0.5:8786`` (InputError otherwise)."""
    if not isinstance(address, str) or not _SCHEDULER_RE.match(address.strip()):
        raise InputError(f"`scheduler` must be a Dask scheduler address like "
                         f"tcp://HOST:8786; got {address!r}.", param="scheduler")
    port = int(re.search(r":(\d+)/?$", address.strip()).group(1))
    if not 0 < port < 65536:  # (before: a 10 s wait for a connection that cannot be)
        raise InputError(f"`scheduler` {address.strip()} has port {port}; a port is "
                         "1 to 65535 (Dask's scheduler listens on 8786 by default).",
                         param="scheduler")
    return address.strip()


def _connect(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise InputError("`scheduler` needs Dask: pip install 'numpynn[dask]' "
                         "(dask[distributed]) here and on the workers.",
                         param="scheduler") from None
    try:
        return Client(check_scheduler(scheduler), timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot connect to the Dask scheduler at {scheduler} "
                         f"({' '.join(str(exc).split())[:200]}); start one with 'dask scheduler' "
                         "and workers with 'dask worker ADDRESS'.") from None


def _execute(base: RunOptions, plan: Sequence[Mapping[str, Any]], jobs: int,
             client: Any, fingerprint: str, pack: int = 1, splits: Splits | None = None
             ) -> Iterator[list[tuple[dict[str, Any], Trained]]]:
    """Run the trials, in packs of at most ``pack`` (:func:`make_packs`: one joblib task
    each); yield each pack's rows and trained networks (:func:`run_pack`) as soon as it
    finishes (any order).

    Locally :func:`worker_count` processes train, this one among them
    (:func:`numpynn.search.local.run_shared`); the search's ``splits`` go to the pool's
    workers as one file each maps (written once per rung), not a copy per trial nor a
    load per worker; a Dask worker loads the data once and keeps it (``fingerprint``
    checks it is the client's). An interrupt (Ctrl-C, SIGTERM) or any error stops the
    workers at once (killed, not awaited), so that the trials already yielded (and
    logged) are what a resumed search skips."""
    from joblib import Parallel, delayed, parallel_config

    packs = make_packs(plan, pack)
    if client is not None:
        tasks = (delayed(run_pack)(base, p, fingerprint) for p in packs)
        with parallel_config(backend="dask", client=client):
            yield from Parallel(return_as="generator_unordered", batch_size=1)(tasks)
        return
    n = worker_count(jobs, len(packs))
    if n == 1:  # in this process: nothing to start, nothing left behind by an interrupt
        # one process: plan order (costliest first only shortens a parallel run)
        for p in sorted(packs, key=lambda p: p[0]["trial"]):
            yield run_pack(base, p, fingerprint, splits)
        return
    if splits is None:  # pragma: no cover - a local search always sends its splits
        raise RuntimeError("a local search's packs need the search's splits")
    yield from run_shared(partial(run_pack_on, base, fingerprint), packs, splits, n)


class _Runner:
    """Runs lists of trials (:func:`_execute`) on the search's backend; connects to a
    scheduler address on the first trials it is given (a resumed search with nothing
    left to run connects to nothing). ``backend``: its description, None until it ran."""

    def __init__(self, base: RunOptions, jobs: int, client: Any, scheduler: str | None,
                 fingerprint: str, pack: int = 1, splits: Splits | None = None) -> None:
        self.base, self.jobs, self.client, self.scheduler = base, jobs, client, scheduler
        self.fingerprint, self.pack, self.splits = fingerprint, pack, splits
        self.backend: str | None = None
        self._own: Any = None

    def run(self, todo: Sequence[Mapping[str, Any]]
            ) -> Iterator[list[tuple[dict[str, Any], Trained]]]:
        if not todo:
            return
        if self.client is None and self.scheduler is not None:
            self._own = self.client = _connect(self.scheduler)
        if self.backend is None:
            self.backend = _backend_name(self.client, self.jobs,
                                         len(make_packs(todo, self.pack)))
        # the pool's workers (:func:`start_workers`, started while the data was read) are
        # not awaited: this process trains its first pack while they start, and their
        # packs wait in the pool's queue
        try:
            yield from _execute(self.base, todo, self.jobs, self.client, self.fingerprint,
                                self.pack, self.splits)
        except ModuleNotFoundError as exc:
            if self.client is not None and (exc.name or "").startswith("numpynn"):
                raise SearchError("the Dask workers cannot import numpynn; install it on "
                                  "every worker (pip install numpynn).") from None
            raise

    def close(self) -> None:
        if self._own is not None:
            self._own.close()


def _settings(base: RunOptions, space: SearchSpace, mode: str, trials: int | None,
              seed: int) -> dict[str, Any]:
    return {"format": "numpynn-search", "version": 1, "mode": mode, "trials": trials,
            "seed": seed, "space": space.to_json(), "options": base.to_dict()}


def load_settings(out: str | Path) -> dict[str, Any]:
    """The settings of the search in ``out`` (for resuming it), checked."""
    path = Path(out) / SETTINGS_FILE
    if Path(out).is_file():  # --resume s/results.csv, s/best/model.npz: a file of the search
        where = next((p for p in Path(out).parents if (p / SETTINGS_FILE).is_file()),
                     Path(out).parent)
        raise InputError(f"{out} is a file; a search is resumed by its directory, the one "
                         f"that holds {SETTINGS_FILE}: `resume='{where}'`.", param="resume")
    if not path.exists() and any((Path(out) / f).is_file() for f in RUN_FILES[:3]):
        raise InputError(f"{out} holds a training run, not a search: resume it with "
                         f"'numpynn train --resume {out}'.", param="resume")
    if not path.exists():
        raise InputError(f"no search to resume in {out} (expected {path}); a search "
                         "writes it there when started with `out` set to that directory.",
                         param="resume")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != "numpynn-search":
            raise ValueError("not a numpynn search settings file")
        SearchSpace.from_json(data["space"])
        RunOptions.from_dict(data["options"])
        return data
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path} is damaged or not a numpynn search ({exc}); start a new "
                         "search in another directory.") from None


#: keywords of scikit-learn's searches (and other tuners') that :func:`search` names
#: otherwise or does not have: the name -> (numpynn's parameter or None, what to know)
SEARCH_OTHER_NAMES: dict[str, tuple[str | None, str]] = {
    "n_jobs": ("jobs", "local processes; -1 every core"),
    "n_iter": ("trials", "the random search's trial count"),
    "n_trials": ("trials", "the random search's trial count"),
    "num_samples": ("trials", "the random search's trial count"),
    "max_evals": ("trials", "the random search's trial count"),
    "random_state": ("seed", "the split and every trial's seed"),
    "param_grid": ("space", "with `mode='grid'`: search(options, {'lr': [1e-3, 1e-2]}, "
                            "mode='grid')"),
    "param_distributions": ("space", "a dict of lists or LogUniform(low, high)"),
    "param_space": ("space", "a dict of lists or LogUniform(low, high)"),
    "search_space": ("space", "a dict of lists or LogUniform(low, high)"),
    "refit": ("refit_best", "with `retrain`, how the best configuration is saved"),
    "cv": (None, "a search ranks its trials on one validation split, the options' "
                 "`val_fraction` (RunOptions(val_fraction=0.2)): no cross-validation"),
    "scoring": (None, "trials rank by validation accuracy (a regression's: validation loss)"),
    "verbose": (None, "`on_trial=lambda row, done, total: print(done, total, row['val_score'])` "
                      "says each finished trial"),
    "data": (None, "the data go in the options: search(RunOptions(data='wine.csv'), space)"),
    "output_dir": ("out", "the output directory"),
    "out_dir": ("out", "the output directory"),
    "n_workers": ("jobs", "local processes; -1 every core"),
}


@answers_other_keywords(SEARCH_OTHER_NAMES)
def resume_search(
    out: str | Path,
    *,
    jobs: int = 1,
    client: Any = None,
    scheduler: str | None = None,
    retrain: bool = True,
    report: bool = True,
    on_trial: Callable[[dict[str, Any], int, int], None] | None = None,
    refit_best: bool | None = None,
    data: str | os.PathLike[str] | None = None,
) -> SearchResult:
    """Finish the search whose outputs are in ``out`` with its own recorded settings
    (data, space, mode, trials, seed, halving): only the trials (a halving search's:
    the (trial, rung) pairs) not yet in its trials file run.

    jobs, client, scheduler, retrain, report, on_trial: as in :func:`search` (where the
    trials run may change; what they are may not). refit_best: None (default) as the
    search was started (a search of before the refit: False, its best retrained on the
    training split); it only decides how a best model not yet saved is made. data: where
    the search's data file is now, when it moved since the search started (a project
    folder moved or copied elsewhere): its rows must be those the trials trained on
    (checked), and the search records the new place. Raises InputError
    (``param="resume"``) when ``out`` holds no search settings, and (``param="data"``)
    when its data file is no longer where the search read it and ``data`` is not given.
    """
    stored = load_settings(out)
    report = report and bool(stored.get("report", True))  # a search started without one
    if refit_best is None:
        refit_best = bool(stored.get("refit_best", False))
    options = RunOptions.from_dict(stored["options"])
    if data is not None:
        options = replace(options, data=_moved_data(out, stored, data))
    else:
        _check_data_there(out, options)
    return search(options, SearchSpace.from_json(stored["space"]),
                  mode=stored["mode"], trials=stored["trials"], seed=int(stored["seed"]),
                  jobs=jobs, out=out, client=client, scheduler=scheduler, resume=True,
                  retrain=retrain, report=report, on_trial=on_trial,
                  halving="halving" in stored,
                  eta=int(stored.get("halving", {}).get("eta", DEFAULT_ETA)),
                  pack=int(stored.get("pack", 1)), refit_best=refit_best)


def _check_data_there(out: str | Path, options: RunOptions) -> None:
    """Refuse, saying how to go on, to resume the search in ``out`` whose data file is no
    longer where it was read (before: "CSV file not found: /old/place/data.csv", and
    ``--data`` with ``--resume`` refused as a change of settings: a search moved with its
    data could not be finished)."""
    spec = DataSpec.parse(str(options.data))
    if spec.path and not os.path.exists(spec.path):
        raise InputError(f"the data of the search in {out}, {spec.path}, is no longer there; "
                         "if it moved, give its new place: `resume='"
                         f"{os.fspath(out)}'` with `data='NEW/{os.path.basename(spec.path)}'` "
                         "(the rows must be those the search trained on: checked).",
                         param="data")


def _moved_data(out: str | Path, stored: Mapping[str, Any],
                data: str | os.PathLike[str]) -> str:
    """The data spec of a resumed search whose data moved to ``data`` (made absolute); the
    same data as recorded, however spelt, is the recorded spec. A search recorded before
    its data's fingerprint cannot check that the moved file holds the same rows."""
    if not isinstance(data, (str, os.PathLike)):
        raise InputError(f"`data` must be a path or a data set name; got "
                         f"{type(data).__name__}.", param="data")
    was = str(stored["options"]["data"])
    if DataSpec.parse(was).same_data(data):
        return was
    if stored.get("data_fingerprint") is None:
        raise InputError(f"the search in {out} was recorded without a fingerprint of its "
                         f"data, so a file elsewhere cannot be checked to hold its rows: "
                         f"put its data back at {was}, or start a new search with `out` "
                         "elsewhere.", param="data")
    return _absolute_spec(os.fspath(data))


@answers_other_keywords(SEARCH_OTHER_NAMES)
def search(
    options: RunOptions | None = None,
    space: SearchSpace | None = None,
    *,
    mode: str = "random",
    trials: int | None = None,
    seed: int = 0,
    jobs: int = 1,
    out: str | Path | None = "numpynn-search",
    client: Any = None,
    scheduler: str | None = None,
    resume: bool = False,
    retrain: bool = True,
    report: bool = True,
    on_trial: Callable[[dict[str, Any], int, int], None] | None = None,
    halving: bool = False,
    eta: int = DEFAULT_ETA,
    pack: int = DEFAULT_PACK,
    refit_best: bool = True,
) -> SearchResult:
    """Run a hyper-parameter search and return its ranked results.

    options: what ``numpynn train`` would use besides the searched parameters (data spec,
    preprocessing, split fractions, dtype, weight_scale, schedule, patience...); default
    ``RunOptions()`` (digits). space: default :meth:`SearchSpace.default_random` or
    :meth:`SearchSpace.default_grid` (grid). trials: random mode, default 40; must be None
    for a grid. seed: the split and every trial's seed. jobs: parallel local processes
    (joblib ``n_jobs``; -1 all cores). client / scheduler: a ``dask.distributed.Client``,
    or a scheduler address to connect to: the trials then run on the cluster (``jobs`` is
    not used). out: output directory (None: write nothing, no retraining). resume:
    continue the search in ``out`` (same settings), running only unfinished trials.
    retrain: train the best configuration again and save it in ``out/best``. refit_best:
    that model is the best configuration refitted on the training and validation rows
    together for the epoch count its trial kept, and its test figures are the refitted
    network's (the trials' validation scores, which ranked them, come from networks
    trained on the training split alone); False: retrained on the training split, the
    same network as its trial. A search without validation rows, or of a task that keeps
    its best validation epoch instead (a regression), is not refitted, and says so
    (``SearchResult.refit_note``). on_trial:
    called as ``on_trial(row, done, total)`` after each finished trial (a halving
    search's: each finished (trial, rung); ``total`` counts the rungs' planned trials).
    halving: successive halving (:mod:`numpynn.search.halving`): every trial starts on a
    small epoch budget and the best 1 in ``eta`` (an integer >= 2) of each rung go on with
    ``eta`` times the epochs, up to the plan's; the table keeps one row per trial, from
    the highest rung it reached, ranked by rung first. pack: trials that share an
    architecture and a batch size train together, at most ``pack`` at a time, in one
    engine step (:mod:`numpynn.search.packing`; default :data:`DEFAULT_PACK`; 1: each
    alone); rows then say ``pack``.
    """
    started = time.perf_counter()
    check_choice(mode, "mode", MODES)
    seed = SEED.check(seed, "seed")
    if check_bool(halving, "halving"):
        eta = check_eta(eta)
    elif not (isinstance(eta, int) and not isinstance(eta, bool) and eta == DEFAULT_ETA):
        # search(eta=2) without halving: the factor of nothing, said as the CLI's --eta is
        raise InputError(f"`eta={eta!r}` is the halving factor of successive halving; this "
                         "search does not halve: add `halving=True`, or leave out `eta`.",
                         param="eta")
    pack = check_pack(pack)
    try:
        ok = check_int(jobs, "jobs", low=-1) != 0
    except InputError:
        ok = False
    if not ok:  # check_int's message format, with the -1 exception in its words
        raise InputError(f"jobs must be a positive integer or -1 (all cores); got {jobs!r}.",
                         param="jobs")
    if client is not None and scheduler is not None:
        raise InputError("give a Dask client or a scheduler address, not both.")
    if isinstance(client, (str, os.PathLike)):  # (before: AttributeError "'str' object has
        # no attribute 'loop'" from deep in joblib's Dask backend, after the data loaded)
        raise InputError(f"`client` is a dask.distributed.Client; an address goes in "
                         f"`scheduler`: search(..., scheduler={os.fspath(client)!r}).",
                         param="client")
    if client is not None and not callable(getattr(client, "submit", None)):
        raise InputError(f"`client` must be a dask.distributed.Client (e.g. Client("
                         f"'tcp://HOST:8786')); got {type(client).__name__}.", param="client")
    if scheduler is not None:
        scheduler = check_scheduler(scheduler)
    if options is not None and not isinstance(options, RunOptions):
        example = f"RunOptions(data={os.fspath(options)!r})" if isinstance(
            options, (str, os.PathLike)) else "RunOptions(data='wine.csv')"
        raise InputError(f"`options` must be a RunOptions (e.g. {example}); got "
                         f"{type(options).__name__} {options!r:.60}.", param="options")
    if isinstance(space, Mapping):  # scikit-learn's param_grid habit: {"lr": [...], ...}
        # the fields not given are those of the mode's default space, as numpynn search
        # --grid fills them: a grid of {"hidden": [(8,), (16,)]} tries the default grid's
        # 9 (lr, reg) pairs for each (18 trials), not the random space's 3-valued batch
        # size and optimiser as well (162)
        space = SearchSpace.from_partial(space, grid=mode == "grid")
    elif space is not None and not isinstance(space, SearchSpace):
        raise InputError(f"`space` must be a SearchSpace or a dict of its fields (e.g. "
                         f"{{'lr': [1e-3, 3e-3], 'hidden': [(256,), (512, 256)]}}); got "
                         f"{type(space).__name__} {space!r:.60}.", param="space")
    if space is None:
        space = SearchSpace.default_grid() if mode == "grid" else SearchSpace.default_random()
    if trials is None and mode == "random":
        trials = 40
    base = options if options is not None else RunOptions()
    if base.train.seed not in (0, seed):  # 0: TrainConfig's default
        raise InputError(f"the search's `seed` ({seed}) seeds its split and every trial; "
                         f"seed={base.train.seed} in its options would be ignored: give "
                         f"search(..., seed={base.train.seed}) instead.", param="seed")
    base = replace(base, data=_absolute_spec(str(base.data)),
                   train=replace(base.train, seed=seed))
    if base.val_fraction is None:  # a search always needs its validation split
        base = replace(base, val_fraction=AUTO_VAL_FRACTION)
    if not base.val_fraction > 0:
        raise InputError("a search ranks trials on the validation split: `val_fraction` must "
                         f"be above 0; got {base.val_fraction}.", param="val_fraction")
    if base.ensemble != 1:
        raise InputError(f"a search trains one network per trial; `ensemble={base.ensemble}` in "
                         "its options would be ignored: leave it at 1, and train the best "
                         "settings as an ensemble afterwards (numpynn train --ensemble K).",
                         param="ensemble")
    _check_no_searched_options(base)
    if base.final_fit == "all":
        raise InputError("a search saves its best trial's configuration trained on the "
                         "training rows (refitted on train + validation for a "
                         "classification: `refit_best`), scored on the test rows; "
                         "`final_fit='all'` in its options (a fresh network on every row, "
                         "test rows included) would be ignored: leave it at 'auto', and "
                         "train the best settings on every row afterwards (numpynn train "
                         "--final-fit all).", param="final_fit")
    _check_search_size(space, mode, trials, base)
    plan = trial_plan(space, mode, trials, seed)
    settings = {**_settings(base, space, mode, trials, seed), "defaults": OWN_DEFAULTS,
                "report": bool(report),
                "refit_best": check_bool(refit_best, "refit_best")}
    if halving:
        settings["halving"] = {"eta": eta}
    if pack != 1:
        settings["pack"] = pack
    warm = None
    if client is None and scheduler is None:
        if resume:
            end_forked_pool()  # forks of an earlier search: the first pack forks anew
        else:
            warm = start_workers(worker_count(jobs, len(make_packs(plan, pack))))
    lock = None
    try:
        # the data checked here, with a clear error; a search started before its trials
        # took the task's and the data set's defaults resumes without them (one table)
        older = resume and out is not None and _older(output_directory(out))
        base, splits = search_inputs(base, own=not older)
        if not resume:  # (a resumed search runs with the options it was started with)
            check_search_options(base, splits)
        _check_networks_fit(space, splits, base)
        fingerprint = data_fingerprint(splits)
        _SPLITS_CACHE.clear()
        _SPLITS_CACHE[_data_key(base) + fingerprint] = splits
        out_dir = output_directory(out) if out is not None else None
        if out_dir is not None:
            check_out_outside_images(out_dir, base.data)
        finished: list[dict[str, Any]] = []
        settings["data_fingerprint"] = fingerprint  # a resume must train on the same rows
        if out_dir is not None:
            if not resume and not os.path.lexists(out_dir):  # made now, held from the start
                try:
                    out_dir.mkdir(parents=True, exist_ok=True)
                except OSError:
                    pass  # _prepare_out says why
            # held while the search writes there (a search has --resume, no --overwrite)
            lock = DirectoryLock(out_dir, then="then `resume=True` if it was interrupted")
            lock.acquire()
            finished = _prepare_out(out_dir, settings, resume)
    except BaseException as exc:
        if lock is not None:  # a refused resume, an interrupt: the directory is free again
            lock.release()
        if warm is not None:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                kill_workers()  # an interrupt leaves no worker behind, started or not
            else:
                end_forked_pool()  # forks are this search's alone
        raise
    try:
        return _run_search(base, space, plan, settings, splits, fingerprint, out_dir,
                           finished, jobs, client, scheduler, pack, resume, retrain, report,
                           on_trial, halving, eta, refit_best, started)
    finally:
        end_forked_pool()
        if lock is not None:
            lock.release()


def _run_search(base, space, plan, settings, splits, fingerprint, out_dir, finished, jobs,
                client, scheduler, pack, resume, retrain, report, on_trial, halving, eta,
                refit_best, started) -> SearchResult:
    """The trials and the best model of :func:`search`, its ``out_dir`` checked and held."""
    done = {(r["trial"], r.get("rung")): r for r in finished if r["trial"] < len(plan)}
    rungs = Rungs(plan, eta) if halving else None
    total = sum(rungs.sizes) if rungs is not None else len(plan)

    runner = _Runner(base, jobs, client, scheduler, fingerprint, pack, splits)
    log = _TrialLog(out_dir / TRIALS_FILE) if out_dir is not None else None
    table = _Summary(out_dir, settings) if out_dir is not None else None
    best_net = _BestNetwork()
    try:
        for stage in range(rungs.count if rungs is not None else 1):
            if rungs is None:
                current, key = plan, None
            else:
                current, key = rungs.plan(stage, done), stage
            todo = [t for t in current if (t["trial"], key) not in done]
            for batch in runner.run(todo):  # one pack's trials: one write of the log
                rows = [row for row, _ in batch]
                if log is not None:
                    log.extend(rows)
                for row, trained in batch:
                    done[row["trial"], key] = row
                    best_net.offer(row, trained)
                    if on_trial is not None:
                        on_trial(row, len(done), total)
                if table is not None:
                    table.update(done)
    except BaseException:
        if table is not None:
            table.flush(done)  # an interrupted search's table holds every logged trial
        raise
    finally:
        if log is not None:
            log.close()
        runner.close()
    rows = latest(done.values())
    if resume and out_dir is not None and runner.backend is None and (
            not retrain or (out_dir / BEST_DIR / "model.npz").is_file()):
        result = _finished(out_dir, rows, retrain, splits, time.perf_counter() - started)
        result.halving = summary(done.values(), eta) if halving else ""
        result.notes += one_rung_note(rungs)
        return result
    backend = runner.backend or _backend_name(client, jobs, 1)

    result = SearchResult(ranked(rows), None, backend=backend,
                          notes=[*splits.notes, *one_rung_note(rungs)],
                          halving=summary(done.values(), eta) if halving else "",
                          packing=packing_summary(list(done.values())))
    ok = [r for r in result.rows if r["status"] == "ok"]
    if out_dir is not None and not (retrain and ok):  # else written once, after the retrain
        result.paths.update(_write_summary(out_dir, result.rows, settings))
    if not ok:
        raise SearchError(all_failed(result.rows, out_dir))
    result.best = ok[0]
    if out_dir is not None:
        result.paths.update(_plot(out_dir, result.rows))
        if retrain:
            try:
                saved, metrics, paths = retrain_best(
                    base, result.best, splits, out_dir / BEST_DIR, settings, report=report,
                    refit=refit_best, trained=best_net.of(result.best))
            except BaseException:
                _write_summary(out_dir, result.rows, settings)
                raise
            result.saved, result.metrics = saved, metrics
            result.paths.update(paths)
            _describe_best(result, saved)
            result.paths.update(_write_summary(out_dir, result.rows, settings, result))
    result.seconds = time.perf_counter() - started
    return result


def one_rung_note(rungs: Rungs | None) -> list[str]:
    """A halving search of one rung (too few trials or epochs for two): the note that
    it ran as a plain search, and what a second rung needs; else []. Before, the summary
    line "rung 0: 2 trials x 20 epochs" was all that said the halving asked for did
    nothing."""
    if rungs is None or rungs.count > 1:
        return []
    eta, n = rungs.eta, len(rungs.trials)
    least = min(int(t["epochs"]) for t in rungs.trials)
    short = [f"{n} trial{'s' if n != 1 else ''}" if n < eta else "",
             f"a smallest epoch count of {least}" if least < eta else ""]
    return [f"note: `halving` ran one rung, every trial on its full epochs: a plain search. "
            f"A second rung needs at least eta = {eta} trials and epochs of at least "
            f"{eta} in every trial; this search has {' and '.join(p for p in short if p)}. "
            "Give more trials or epochs" + (", or a smaller `eta` (2 at the least)."
                                             if eta > 2 else ".")]


#: Seconds between two rewrites of results.csv / results.json while a search runs (every
#: finished pack is in trials.jsonl at once; the table follows at this pace and at the end).
SUMMARY_SECONDS = 2.0


class _Summary:
    """results.csv and results.json while trials finish: rewritten when the last rewrite
    is :data:`SUMMARY_SECONDS` old (the first trial's at once), not once per trial (the
    48-trial grid rewrote both 48 times, each with every row)."""

    def __init__(self, out_dir: Path, settings: Mapping[str, Any]) -> None:
        self.out_dir, self.settings = out_dir, settings
        self.written_at = -float("inf")
        self.stale = False

    def update(self, done: Mapping[Any, dict[str, Any]]) -> None:
        self.stale = True
        if time.perf_counter() - self.written_at >= SUMMARY_SECONDS:
            self.flush(done)

    def flush(self, done: Mapping[Any, dict[str, Any]]) -> None:
        if self.stale:
            _write_summary(self.out_dir, ranked(latest(done.values())), self.settings)
            self.written_at, self.stale = time.perf_counter(), False


class _BestNetwork:
    """The trained network of the best trial run so far in this process's search (the
    trials' networks come back with their rows; only the best is kept)."""

    def __init__(self) -> None:
        self.row: dict[str, Any] | None = None
        self.trained: Trained = None

    def offer(self, row: dict[str, Any], trained: Trained) -> None:
        if trained is not None and (self.row is None or ranks_above(row, self.row)):
            self.row, self.trained = row, trained

    def of(self, best: Mapping[str, Any]) -> Trained:
        """The network of ``best`` (a ranked row), or None where it was not trained here
        (a resumed search's trial from an earlier run)."""
        row = self.row
        if row is None or (row["trial"], row.get("rung")) != (best["trial"], best.get("rung")):
            return None
        return self.trained


def _finished(out_dir: Path, rows: list[dict[str, Any]], retrain: bool, splits: Any,
              seconds: float) -> SearchResult:
    """A resumed search with every trial done and its best model saved: the result as the
    files hold it; nothing is run or written (resuming a finished search changes
    nothing)."""

    result = SearchResult(ranked(rows), None, notes=list(splits.notes),
                          backend="finished earlier: nothing to run", seconds=seconds,
                          unchanged=True)
    ok = [r for r in result.rows if r["status"] == "ok"]
    if not ok:
        raise SearchError(all_failed(result.rows, out_dir))
    result.best = ok[0]
    result.paths = {"csv": out_dir / RESULTS_CSV, "json": out_dir / RESULTS_JSON,
                    "trials": out_dir / TRIALS_FILE}
    if retrain:
        model = out_dir / BEST_DIR / "model.npz"
        result.saved = load_model(model)
        result.metrics = dict(result.saved.metadata.get("metrics") or {})
        result.paths["model"] = model
        _describe_best(result, result.saved)
    return result


def _describe_best(result: SearchResult, saved: SavedModel) -> None:
    """``result``'s refit, refit_note and figures, as the saved best model records them
    (a model saved before the refit existed: retrained on the training split)."""
    search_meta = saved.metadata.get("search") or {}
    result.refit = saved.metadata.get("refit") or None
    result.refit_note = str(search_meta.get("refit_note") or "")
    result.figures = dict(search_meta.get("figures") or {})


#: Bytes a trial takes in the plan, the results and the files (a generous lower bound).
TRIAL_BYTES = 4096


def _check_no_searched_options(options: RunOptions) -> None:
    """Refuse options that set a parameter the search space sets for every trial
    (``RunOptions(hidden=[7])``, ``TrainConfig(epochs=5)``): each trial's value replaces
    it, so it would be ignored; the space takes it instead (``{"hidden": [(7,)]}``)."""
    defaults = (RunOptions(), default_options(), RunOptions(train=TrainConfig()))
    given = {name: get(options, FIELDS[name]) for name in PARAMS}
    given = {name: value for name, value in given.items()
             if all(value != get(d, FIELDS[name]) for d in defaults)}
    if given.get("reg") == "auto":  # the space takes numbers: what 'auto' tries, listed
        raise InputError("reg='auto' in the search's options would be ignored: the search "
                         "space sets reg for every trial, and searching it is what 'auto' "
                         "does. Give the values to try in the space, e.g. search(options, "
                         "{'reg': [1e-4, 3e-3, 3e-2], ...}) or {'reg': LogUniform(1e-6, "
                         "1e-2)}, and leave reg out of the options.", param="reg")
    if given:
        shown = ", ".join(f"{name}={value!r}" for name, value in given.items())
        space = ", ".join(f"{name!r}: [{tuple(v) if isinstance(v, list) else v!r}]"
                          for name, v in given.items())
        raise InputError(f"{shown} in the search's options would be ignored: the search "
                         f"space sets {'it' if len(given) == 1 else 'them'} for every "
                         f"trial ({', '.join(PARAMS)}). Give "
                         f"{'it' if len(given) == 1 else 'them'} in the space instead, "
                         f"e.g. search(options, {{{space}, ...}}), and leave the options "
                         "at their defaults.", param=next(iter(given)))


def check_search_options(options: RunOptions, splits: Splits) -> None:
    """Refuse, before any trial, the search's options that its task cannot honour (a
    regression's ``class_weight``, a classification's ``target_transform``: what
    ``numpynn train`` refuses), ``augment`` on data without images, and options that a
    search would ignore (``refit``: its best is refitted by ``refit_best``; ``cv_folds``:
    it ranks its trials on the validation split). Before, each was ignored in silence, or
    failed every trial one by one."""
    splits.task.check_options(options)
    check_image_shape(options.augment, splits.dataset.image_shape, options.data)
    if options.refit:
        raise InputError("`refit` in the search's options would be ignored: a search "
                         "refits its best configuration on train + validation itself "
                         "(`refit_best`, the default for a classification): leave `refit` "
                         "out.", param="refit")
    if (options.cv_folds or 1) > 1:
        raise InputError(f"`cv_folds={options.cv_folds}` in the search's options would be "
                         "ignored: a search ranks its trials on the validation split "
                         "(`val_fraction`): leave `cv_folds` out.", param="cv_folds")


def _check_search_size(space: SearchSpace, mode: str, trials: int | None,
                       base: RunOptions) -> None:
    """Refuse, from an estimate and before any work, a search that cannot fit in memory:
    too many trials or grid combinations, or a network too large to train."""

    if mode == "grid":
        count = 1
        for name in PARAMS:
            dim = getattr(space, name)
            count *= int(dim.points) if isinstance(dim, LogUniform) else len(dim)
        check_fits(count * TRIAL_BYTES, f"a grid of {count:.3g} combinations",
                   "the values per option or `grid_points`")
    elif isinstance(trials, int) and not isinstance(trials, bool):
        check_fits(trials * TRIAL_BYTES, f"{trials:.3g} trials", "`trials`")


def _check_networks_fit(space: SearchSpace, splits: Splits, base: RunOptions) -> None:

    batch = max(space.batch_size) if not isinstance(space.batch_size, LogUniform) else 1
    outputs = splits.task.n_outputs(splits.dataset, splits.y_train)
    for hidden in space.hidden:
        check_training_fits(splits.X_train.shape[1], hidden, outputs, batch, base.dtype,
                            rows=splits.X_train.shape[0])


def _backend_name(client: Any, jobs: int, trials: int) -> str:
    if client is None:
        return f"local, {worker_count(jobs, trials)} process(es)"
    try:
        workers = client.scheduler_info().get("workers", {})
        threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
        return f"dask {client.scheduler.address}, {len(workers)} workers, {threads} threads"
    except Exception:  # pragma: no cover - informational only
        return "dask"


#: ``search.json``'s "defaults": the trials take the task's and the data set's own
#: defaults (:func:`numpynn.search.trials.search_inputs`); a search without it resumes
#: without them
OWN_DEFAULTS = "task and data set"


def _older(out_dir: Path) -> bool:
    """Whether the search in ``out_dir`` was started before its trials took the task's
    and the data set's own defaults (False where there is no readable one: resuming it
    says what is wrong)."""
    try:
        return load_settings(out_dir).get("defaults") != OWN_DEFAULTS
    except (InputError, OSError, ValueError):
        return False


def _prepare_out(out_dir: Path, settings: Mapping[str, Any], resume: bool) -> list[dict]:
    if os.path.lexists(out_dir) and not out_dir.is_dir():
        raise InputError(f"`out` {out_dir} is {what_is_there(out_dir)}; give a directory for "
                         "the search's outputs.", param="out")
    blocker = None if os.path.lexists(out_dir) else blocker_text(out_dir)
    if blocker is not None:  # (before: "Not a directory: F/s/trials.jsonl", read first)
        raise InputError(f"cannot create the output directory {out_dir} ({blocker}); "
                         "choose another `out`.", param="out")
    trials_path = out_dir / TRIALS_FILE
    existing = read_log(trials_path)
    # not settings of what runs: a resume may not change them (a halving search's rungs
    # depend on its number of trials: that one may not change either)
    free = ("report", "refit_best", "data_fingerprint", "defaults") if "halving" in settings \
        else ("trials", "report", "refit_best", "data_fingerprint", "defaults")
    moved = None
    if resume:
        stored = load_settings(out_dir)
        was = stored.get("data_fingerprint")  # None: a search of before it was recorded
        if was is not None and was != settings.get("data_fingerprint"):
            data, then = settings["options"].get("data"), stored["options"].get("data")
            if data != then:  # resume_search(data=...): another file, not the moved one
                raise InputError(f"{data} holds other rows than the data of the search in "
                                 f"{out_dir} ({then}) when its trials ran: a search resumes "
                                 "only on the same rows (its file moved is fine). Give the "
                                 "search's own data file, or start a new search on this "
                                 "one with another `out`.", param="data")
            raise InputError(f"the data of the search in {out_dir} ({data}) has changed "
                             "since its trials were run: resuming would rank trials trained "
                             "on other rows together. Restore the data file as it was, or "
                             "start a new search on the new data with another `out`.",
                             param="resume")
        moved = _data_moved(stored, settings)
        if moved:  # the same rows from another place: the same search
            stored = {**stored, "options": {**stored["options"], "data": moved}}
        if {k: v for k, v in stored.items() if k not in free} != {
                k: v for k, v in json.loads(json.dumps(settings)).items() if k not in free}:
            raise InputError(f"the search in {out_dir} has other settings; resume it with its "
                             "own settings (`resume=True` and no others) or use another `out`.",
                             param="out")
    elif holds_search(out_dir) and not _nothing_run(out_dir, existing):
        best = out_dir / BEST_DIR / MODEL_FILE
        if best.is_file():  # finished: nothing to resume, and `out` is where it stays
            raise InputError(f"{out_dir} already holds a search, finished ({len(existing)} "
                             f"trials; its best model is {best}); a new search needs "
                             "another `out`, which keeps this one's results.", param="out")
        raise InputError(f"{out_dir} already holds a search ({len(existing)} finished trials); "
                         "it can be resumed (`resume=True`), or choose another `out`.",
                         param="out")
    elif holds_run(out_dir):
        raise InputError(f"`out` {out_dir} holds a training run ({MODEL_FILE} or "
                         f"{CHECKPOINT_FILE}): the search's files would mix with the run's. "
                         f"Choose another `out` (e.g. {out_dir / 'search'}).", param="out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = blocker_text(out_dir) if isinstance(
            exc, (FileExistsError, NotADirectoryError)) else None
        raise InputError(f"cannot create the output directory {out_dir} "
                         f"({why or exc.strerror or exc}); choose another `out`.",
                         param="out") from None

    inputs = data_inputs(settings["options"]["data"])

    for name in (SETTINGS_FILE, TRIALS_FILE, RESULTS_CSV, RESULTS_JSON, PLOT_FILE):
        check_output(out_dir / name, inputs, what="the search's file")  # before any trial
    for name in RUN_FILES:  # the retrained best model's files, in out/best
        check_output(out_dir / BEST_DIR / name, inputs, what="the search's file")
    if not resume:  # a resumed search keeps the settings file it was started with
        write_json_atomic(out_dir / SETTINGS_FILE, settings)
    elif moved:  # ... but for where its data now is, for the next resume
        stored = load_settings(out_dir)
        stored["options"]["data"] = moved
        write_json_atomic(out_dir / SETTINGS_FILE, stored)
    return existing


def _data_moved(stored: Mapping[str, Any], settings: Mapping[str, Any]) -> str | None:
    """The new data spec of a resumed search whose data file moved (its fingerprint, the
    rows it holds, recorded and the same), else None."""
    now = settings["options"].get("data")
    if stored["options"].get("data") == now or stored.get("data_fingerprint") is None:
        return None
    return now if stored["data_fingerprint"] == settings.get("data_fingerprint") else None


def _nothing_run(out_dir: Path, existing: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the search in ``out_dir`` finished nothing: no trial in its (empty) trial
    log, no table, no best model. One stopped before its first trial (a Dask scheduler
    that was down, Ctrl-C while the data loaded) left only its settings; the same command
    run again starts it over instead of being refused ("already holds a search (0
    finished trials)") for a directory with nothing in it to keep."""
    trials = out_dir / TRIALS_FILE
    if existing or (os.path.lexists(trials) and (not trials.is_file()
                                                 or trials.stat().st_size > 0)):
        return False
    return not any(os.path.lexists(out_dir / name)
                   for name in (RESULTS_CSV, RESULTS_JSON, PLOT_FILE, BEST_DIR))


def _write_summary(out_dir: Path, rows: list[dict[str, Any]],
                   settings: Mapping[str, Any],
                   result: SearchResult | None = None) -> dict[str, Path]:
    """results.csv and results.json; with ``result`` (once the best model is saved),
    results.json also says how that model was made and which rows gave which figure
    (``best_model``)."""
    best = next((r for r in rows if r["status"] == "ok"), None)
    summary: dict[str, Any] = {"search": settings, "finished": len(rows), "best": best,
                               "trials": rows}
    if result is not None and result.saved is not None:
        summary["best_model"] = {"refit": result.refit, "refit_note": result.refit_note or None,
                                 "figures": result.figures, "metrics": result.metrics}
    # renamed into place whole, never torn; fsynced only once the best model is saved
    # (before, a resumed search draws them again from trials.jsonl, which is fsynced)
    durable = result is not None
    return {
        "csv": write_text_atomic(out_dir / RESULTS_CSV, _csv_text(rows), durable=durable),
        "json": write_json_atomic(out_dir / RESULTS_JSON, summary, durable=durable),
        "trials": out_dir / TRIALS_FILE,
    }


def _plot(out_dir: Path, rows: Sequence[Mapping[str, Any]]) -> dict[str, Path]:
    from ..report.kit import plot_search

    points = [{"lr": r["lr"], "reg": r["reg"],
               "val_score": r["val_score"] if r["val_score"] is not None else float("nan"),
               "score_name": r.get("score_name", "accuracy")}
              for r in rows]
    return {"plot": plot_search(points, out_dir / PLOT_FILE)}


def refit_refusal(options: RunOptions, splits: Splits) -> str | None:
    """Why the best of a search with these options and splits is not refitted on the
    training and validation rows (None: it is)."""
    if splits.X_val.shape[0] == 0:
        return ("the search has no validation rows: the best configuration is retrained "
                "on the training split")
    try:
        splits.task.check_options(replace(options, refit=True))
    except InputError as exc:
        if splits.task.has_classes:  # another option the task refuses: that one, named
            return f"the best configuration could not be refitted: {exc}"
        return (f"a {splits.task.name} search keeps its best trial's network (its best "
                "validation epoch, trained on the training split); refitting on train + "
                f"validation is for classification")
    return None


def figures(refit: Mapping[str, Any] | None, sizes: Mapping[str, int], best: Mapping[str, Any]
            ) -> dict[str, str]:
    """Which rows produced which figure of a search: the validation score that ranked
    the trials, and the saved best model's test figures. ``sizes``: the search's split
    sizes (:func:`numpynn.runs.run.split_sizes`)."""
    n_train, n_val, n_test = sizes.get("train", 0), sizes.get("val", 0), sizes.get("test", 0)
    out = {"val_score": f"trial {best['trial']}, trained on the {n_train:,} training rows and "
                        f"scored on the {n_val:,} validation rows (epoch "
                        f"{best.get('best_epoch')} kept); it ranked the trials"}
    if refit:
        out["model"] = (f"refitted on train + validation ({refit['rows']:,} rows) for "
                        f"{refit['epochs']} epochs, the count trial {best['trial']} kept")
    else:
        out["model"] = (f"retrained on the {n_train:,} training rows: the same network as "
                        f"trial {best['trial']}")
    trained = refit["rows"] if refit else n_train
    out["train"] = (f"the saved model, on the {trained:,} rows it trained on"
                    + (" (train + validation)" if refit else ""))
    if n_test:
        out["test"] = f"the saved model, on the {n_test:,} test rows it never trained on"
    return out


def retrain_best(base: RunOptions, best: Mapping[str, Any], splits: Splits, out_dir: Path,
                 settings: Mapping[str, Any], report: bool = True, refit: bool = False,
                 trained: Trained = None
                 ) -> tuple[SavedModel, dict[str, dict[str, float]], dict[str, Path]]:
    """Save the best trial's network as ``out_dir/model.npz`` (+ history.json, report.html),
    like ``numpynn train``: ``trained`` (the trial's network and history, as the search's
    worker returned them), else the configuration trained again (its seed, the search's
    split: the same network, to float rounding).

    refit: then train a fresh network of that configuration (the trial's seed) on the
    training and validation rows together for the epoch count the trial kept
    (:func:`numpynn.runs.run.refit_on_train_and_val`, as ``numpynn train --refit``) and
    save it instead: its metrics are the refitted network's ("train": the train +
    validation rows; no "val"), its metadata says so (``refit``, ``search.figures``).
    Not done where :func:`refit_refusal` says why (recorded as ``search.refit_note``).
    """
    options = trial_options(base, best)
    seed = int(best["seed"])
    started = time.perf_counter()
    if trained is not None:
        model, history = trained
        started -= float(best.get("seconds") or 0.0)  # the trial's training time counts
    else:
        with _blas_one_thread():
            model, trainer, status = _train(options, splits, seed)
        if status != "ok":
            raise SearchError(f"retraining the best trial {best['trial']} diverged although "
                              "the trial did not; the search's results are in the table.")
        history = trainer.history
    sizes = split_sizes(splits)
    note = refit_refusal(options, splits) if refit else None
    info: dict[str, Any] | None = None
    saved_splits = splits
    if refit and note is None:
        kept = best.get("best_epoch")
        selection = history
        if isinstance(kept, int) and kept in history.epochs and kept != history.best_epoch:
            selection = replace(history, best_epoch=kept)  # the trial's own kept epoch
        with _blas_one_thread():
            model, saved_splits, info = refit_on_train_and_val(
                replace(options, train=replace(options.train, seed=seed)), splits, selection)
    seconds = time.perf_counter() - started
    described = figures(info, sizes, best)
    search_meta = {"trial": best["trial"], "seed": settings["seed"],
                   "mode": settings["mode"], "val_score": best["val_score"],
                   "score_name": best["score_name"], "val_loss": best["val_loss"],
                   "figures": described}
    if note:
        search_meta["refit_note"] = note
    # train.seed is the split's seed (numpynn evaluate re-creates the split with it);
    # the network was initialised and shuffled with init_seed, the trial's seed.
    extra: dict[str, Any] = {"init_seed": seed, "search": search_meta}
    details: dict[str, Any] = {"trial": best["trial"], "seed": best["seed"]}
    if info is not None:
        extra["refit"] = info
        details["refit"] = refit_text(info)
    saved, metrics, _, paths = save_run(
        out_dir, options, saved_splits, model, history, seconds, report=report,
        title=f"numpynn search: best of {options.data}",
        extra_metadata=extra, extra_details=details,
    )
    return saved, metrics, paths
