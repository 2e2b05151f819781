"""A run's output directory: checked before work starts, committed only on success.

Contract (``numpynn train`` and the retrained best model of ``numpynn search``):

- :func:`prepare_run_dir` runs before any data is loaded or trained on: the directory is
  created (or must be one), must be writable, and none of the run's file names may be a
  directory or an input of the run (the data file);
- :class:`StagedOutputs` collects the run's finished files (model, history, report and
  plots) in a hidden staging directory inside the output directory; :meth:`commit` moves
  them into place only after all of them were written, ``model.npz`` last, each by the
  policy of :mod:`numpynn.outputs` (a regular file is replaced by a rename, a symlink is
  kept and its target replaced, a FIFO or device is written through). A run that fails
  (an error, a full disk, ``ulimit -f``, a signal) discards the staging directory and
  leaves every earlier output as it was.
- Without an explicit directory, :func:`new_run_dir` makes ``numpynn-runs/run-N`` with
  the first free N (``mkdir`` decides, so concurrent runs never share one).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..outputs import (
    COMMIT_MANIFEST,
    COMMIT_PREFIX,
    blocker_text,
    check_output,
    commit_point,
    finish_commit,
    finish_interrupted_commits,
    make_parent,
    new_temp,
    same_file,
    temp_done,
    what_is_there,
)

MODEL_FILE, HISTORY_FILE, CHECKPOINT_FILE = "model.npz", "history.json", "checkpoint.npz"
#: a search's settings and trial log (numpynn.search): a directory with either holds a search
SEARCH_SETTINGS_FILE, SEARCH_TRIALS_FILE = "search.json", "trials.jsonl"
#: the folder of a search's best model (its retrained best trial, which results.json describes)
SEARCH_BEST_DIR = "best"
REPORT_FILES = ("report.html", "loss.svg", "accuracy.svg", "confusion.svg", "weights.png",
                "r2.svg", "predicted_vs_true.svg", "residuals.svg")
#: the plots that earlier reports wrote as PNG: removed with a replaced run's report files
OLD_REPORT_FILES = ("loss.png", "accuracy.png", "confusion.png", "r2.png",
                    "predicted_vs_true.png", "residuals.png")
#: every name a run writes, or removes (a replaced run's old plots): checked before a run
RUN_FILES = (MODEL_FILE, HISTORY_FILE, CHECKPOINT_FILE, *REPORT_FILES, *OLD_REPORT_FILES)
RUNS_DIR = "numpynn-runs"
#: a run's files while written (``StagedOutputs``) and while moved into place (its commit)
STAGING_PREFIX = ".staging."


def check_not_a_run_file(output: str | os.PathLike[str], model: str | os.PathLike[str],
                         what: str = "`output`") -> None:
    """InputError when ``output`` is one of the files of the run whose model is read
    (``model``: a run directory or its model.npz): its history.json, checkpoint.npz,
    report.html or a plot. The model itself is an input (:func:`numpynn.outputs.
    check_output`); these are not read, but a prediction CSV or an ONNX graph written
    over them destroys the run's record (resume, report) as surely."""
    if output is None or os.fspath(output) == "-":
        return
    path = Path(os.path.expanduser(os.fspath(model)))
    run_dir = path if path.is_dir() else path.parent
    if path.is_file() and path.name != MODEL_FILE or not (run_dir / MODEL_FILE).is_file():
        return  # a model file of another name: no run around it
    out = Path(os.path.expanduser(os.fspath(output)))
    if not os.path.lexists(out):
        return
    for name in RUN_FILES[1:]:
        if os.path.lexists(run_dir / name) and same_file(out, run_dir / name):
            raise InputError(f"{what} {output} is the {name} of the run in {run_dir}, whose "
                             "model this command reads: writing it would destroy that "
                             "file of the run; choose another output path.")
    search = run_dir.parent  # a search's best model (DIR/best): the search's own files
    if (search / SEARCH_SETTINGS_FILE).is_file() and same_file(out.parent, search):
        raise InputError(f"{what} {output} is a file of the search in {search}, whose best "
                         "model this command reads: writing it would destroy that file of "
                         "the search; choose another output path.")


def holds_run(out: str | os.PathLike[str]) -> bool:
    """True when ``out`` holds the model or checkpoint of an earlier run."""
    out = Path(out)
    return any(os.path.lexists(out / name) for name in (MODEL_FILE, CHECKPOINT_FILE))


def holds_search(out: str | os.PathLike[str]) -> bool:
    """True when ``out`` holds a search (its settings or its trial log)."""
    return any(os.path.lexists(Path(out) / n) for n in (SEARCH_SETTINGS_FILE,
                                                         SEARCH_TRIALS_FILE))


def files_of_no_run(out: str | os.PathLike[str], report: bool = True,
                    inputs: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """The files in ``out`` that a run would replace (``history.json``; with ``report``,
    the report and its figures) while ``out`` holds no run (no model or checkpoint):
    files of the user's that only share a name with the run's. The run's ``inputs`` are
    left out (:func:`prepare_run_dir` refuses those, saying so)."""
    out = Path(out)
    if not out.is_dir() or holds_run(out):
        return []
    names = (HISTORY_FILE, *(REPORT_FILES if report else ()))
    inputs = [i for i in inputs if i is not None]
    return [n for n in names if os.path.lexists(out / n)
            and not any(same_file(out / n, i) for i in inputs)]


def new_run_dir(base: str | os.PathLike[str] = RUNS_DIR) -> Path:
    """Create and return ``base/run-N`` for the smallest free N >= 1 (race-safe)."""
    base = Path(base)
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {base} for the run ({exc.strerror or exc}); give "
                         "an output directory as `out`.", param="out") from None
    taken = [int(p.name[4:]) for p in base.glob("run-*") if p.name[4:].isdigit()]
    n = max(taken, default=0) + 1
    while True:
        path = base / f"run-{n}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            n += 1


#: endings of file names that a user may give by habit where a run directory is wanted
FILE_SUFFIXES = frozenset({".npz", ".npy", ".json", ".csv", ".csv.gz", ".gz", ".onnx", ".html",
                           ".png", ".txt", ".pkl", ".pickle", ".pt", ".pth", ".h5", ".joblib"})


def prepare_run_dir(out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (),
                    what: str = "`out`") -> Path | None:
    """Check and create the output directory ``out`` before any work; returns the
    outermost directory created now (``out`` or a parent made for it; None: it existed),
    so that a run failing early can remove them again (:func:`remove_if_empty`).

    Raises InputError naming ``what`` when ``out`` is a file, cannot be created or
    written, or one of the run's files in it is a directory or an input of the run.
    """
    out = Path(out)
    if os.path.lexists(out) and not out.is_dir():
        raise InputError(f"{what} {out} is {what_is_there(out)}; give a directory for the "
                         "run's outputs.")
    if not os.path.lexists(out) and "".join(out.suffixes[-2:]).lower() in FILE_SUFFIXES:
        raise InputError(f"{what} {out} looks like a file name, but it is the directory that "
                         "receives the run's files (model.npz, history.json, report.html); "
                         f"give a directory such as {out.with_name(out.name.split('.')[0])}.")
    if holds_search(out):  # --overwrite replaces a run, never a search's directory
        raise InputError(f"{what} {out} holds a search ({SEARCH_SETTINGS_FILE}, "
                         f"{SEARCH_TRIALS_FILE}): a run written there would mix its files "
                         f"with the search's. Choose another directory (e.g. {out / 'run'}); "
                         f"to continue the search: numpynn search --resume {out}.")
    search = Path(os.path.abspath(out)).parent
    if Path(os.path.abspath(out)).name == SEARCH_BEST_DIR and holds_search(search):
        # (before: --overwrite replaced the search's best model with the run's, and the
        # search's results, its summary and `search --resume` went on describing the trial)
        raise InputError(f"{what} {out} is the folder of the best model of the search in "
                         f"{out.parent} (its results.json and search --resume describe that "
                         f"model): a run "
                         f"written there would replace it with another model. Choose "
                         f"another directory (e.g. {out.parent / 'run'}).")
    created = first_missing(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = (blocker_text(out) or "a part of the path is a file") if isinstance(
            exc, (FileExistsError, NotADirectoryError)) else (exc.strerror or str(exc))
        raise InputError(f"cannot create the output directory {out} ({why}); "
                         f"choose another {what}.") from None
    try:
        fd, probe = new_temp(tempfile.mkstemp, out, ".probe")
        os.close(fd)
        os.unlink(probe)
        temp_done(probe)
    except OSError as exc:
        remove_if_empty(out, created)
        raise InputError(f"the output directory {out} is not writable "
                         f"({exc.strerror or exc}); choose another {what} or fix its "
                         "permissions.") from None
    try:
        finish_interrupted_commits(out)  # a killed run's: its files, not half of them
        inputs = [i for i in inputs if i is not None]
        for name in RUN_FILES:
            check_output(out / name, inputs, what="the run's file")
    except InputError:
        remove_if_empty(out, created)
        raise
    return created


def first_missing(path: str | os.PathLike[str]) -> Path | None:
    """The outermost of ``path`` and its parents that does not exist (None: ``path``
    exists): what making ``path`` with its parents creates."""
    missing = None
    for p in (Path(path), *Path(path).parents):
        if os.path.lexists(p):
            break
        missing = p
    return missing


def remove_if_empty(out: Path, created: Path | bool | None) -> None:
    """Remove ``out`` if this run created it and left nothing in it, and then each parent
    this run created for it while empty, up to ``created`` (the outermost one created, as
    :func:`prepare_run_dir` returns it; True: ``out`` alone; None/False: nothing)."""
    if not created:
        return
    top = Path(out) if created is True else Path(created)
    p = Path(out)
    while True:
        try:
            p.rmdir()
        except OSError:  # not empty, or not ours to remove
            return
        if p == top or p.parent == p:
            return
        p = p.parent


def _remove_staging(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
    temp_done(directory)


class StagedOutputs:
    """Files of a run written into ``out/.staging.PID.RANDOM.tmp`` and moved into ``out``
    together by :meth:`commit`; :meth:`discard` (or leaving the ``with`` block with an
    exception) deletes them and leaves ``out`` as it was."""

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = Path(out)
        make_parent(self.out / "x")
        self.dir = Path(new_temp(tempfile.mkdtemp, self.out, STAGING_PREFIX.rstrip(".")))
        # an object lost before its ``with`` block began (an interrupt in __enter__)
        # takes its directory with it
        self._lost = weakref.finalize(self, _remove_staging, self.dir)
        self.committing = False

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            return
        staging = self.dir
        self.discard()
        if isinstance(value, OSError) and value.filename is not None and value.errno:
            name = Path(os.fsdecode(value.filename))  # a staged file: say the run's file
            if os.path.abspath(name.parent) == os.path.abspath(staging) and not self.committing:
                raise type(value)(value.errno, value.strerror,
                                  os.fspath(self.out / name.name)) from None

    def path(self, name: str) -> Path:
        """Where to write the file ``name`` now (it reaches ``out/name`` on commit)."""
        return self.dir / name

    def commit(self) -> dict[str, Path]:
        """Move every staged file into ``out`` (``model.npz`` last); returns name -> path.

        When ``out`` held a run's model before (``--overwrite``, a resumed run), the
        report files of that run which this one did not write (its report and plots
        under ``--no-report``, a confusion matrix or weight images of other data) are
        removed after the new model is in place: no file describes another run's model.

        The moves start with the staging directory renamed to
        ``out/.commit.PID.RANDOM.tmp`` (one atomic rename, with a manifest of what to
        remove after them): a process killed among the moves (SIGKILL, a power cut) or
        a move that fails leaves that directory, and the next command that reads or
        writes ``out`` finishes the commit (:func:`numpynn.outputs.
        finish_interrupted_commits`): the run is never left half old, half new.
        """
        names = sorted(p.name for p in self.dir.iterdir())
        names.sort(key=lambda n: n == MODEL_FILE)
        for name in names:  # check them all before moving any
            check_output(self.out / name, what="the run's file")
        replacing = MODEL_FILE in names and os.path.lexists(self.out / MODEL_FILE)
        stale = [n for n in (*REPORT_FILES, *OLD_REPORT_FILES) if n not in names] \
            if replacing else []
        (self.dir / COMMIT_MANIFEST).write_text(json.dumps({"order": names, "remove": stale}))
        commit_point()
        committing = self.dir.with_name(COMMIT_PREFIX + self.dir.name[len(STAGING_PREFIX):])
        os.rename(self.dir, committing)
        self._lost.detach()
        temp_done(self.dir)
        self.dir, self.committing = committing, True
        return finish_commit(committing, self.out)

    def discard(self) -> None:
        if not self.committing:  # a commit under way is finished, never thrown away
            self._lost()


