"""Reliability, round six: a full disk names the file it could not write (and the run's
file, not its staging copy), and an output path with a control character in it (a
script saved with Windows line endings: ``--out run\\r``) is refused, not made into a
name that every listing shows as another."""

from __future__ import annotations

import errno
import hashlib
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from numpynn import outputs
from tests.clirun import numpynn

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="names an open descriptor's file by /proc/self/fd")


def _csv(path: Path, n: int = 60) -> Path:
    rng = np.random.default_rng(0)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 4)) + 3.0 * y[:, None]
    rows = [",".join(f"{v:g}" for v in row) + f",{t}" for row, t in zip(X, y)]
    path.write_text("a,b,c,d,label\n" + "\n".join(rows) + "\n")
    return path


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _disk_full_for(monkeypatch, name: str) -> None:
    """Writes to a file called ``name`` (or a temporary file for it) fail as on a full
    disk: ENOSPC from write(), naming no file, as the kernel reports it."""
    real = os.fdopen

    def fdopen(fd, *args, **kwargs):
        fh = real(fd, *args, **kwargs)
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return fh
        if Path(target).name == name or Path(target).name.startswith(f".{name}."):
            def write(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            fh.write = write
        return fh

    monkeypatch.setattr(outputs.os, "fdopen", fdopen)


@linux_only
@pytest.mark.parametrize("name", ["report.html", "model.npz", "history.json"])
def test_a_full_disk_while_a_run_saves_names_the_runs_file_and_keeps_the_old_run(
        tmp_path, monkeypatch, name):
    """Before: "No space left on device; check the path, ..." naming no file; a file of
    the staging directory would have been named as ``.staging.PID.X.tmp/NAME``."""
    _csv(tmp_path / "d.csv")
    train = ("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
             "--out", "run")
    assert numpynn(*train, cwd=tmp_path).returncode == 0
    before = _digest(tmp_path / "run")
    _disk_full_for(monkeypatch, name)
    proc = numpynn(*train, "--overwrite", "--seed", "5", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"No space left on device: {Path('run') / name};" in proc.stderr, proc.stderr
    assert ".staging." not in proc.stderr
    after = _digest(tmp_path / "run")
    after.pop("checkpoint.npz"), before.pop("checkpoint.npz")  # the new run's may advance
    assert after == before  # its model, history and report: the earlier run's
    assert not [p for p in (tmp_path / "run").iterdir() if p.name.startswith(".")]


@linux_only
def test_a_full_disk_while_writing_predictions_or_an_export_names_the_file(
        tmp_path, monkeypatch):
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    (tmp_path / "p.csv").write_text("an earlier prediction\n")
    _disk_full_for(monkeypatch, "p.csv")
    proc = numpynn("predict", "run", "--data", "d.csv", "--output", "p.csv", cwd=tmp_path)
    assert proc.returncode == 2 and "No space left on device: p.csv;" in proc.stderr, \
        proc.stderr
    assert (tmp_path / "p.csv").read_text() == "an earlier prediction\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "p.csv", "run"]


@pytest.mark.parametrize("argv", [
    ("train", "--data", "d.csv", "--epochs", "1", "--out", "run\r"),
    ("search", "--data", "d.csv", "--trials", "1", "--out", "s\r"),
    ("predict", "run", "--data", "d.csv", "--output", "p.csv\r"),
    ("export", "run", "m.onnx\r"),
    ("train", "--data", "d.csv", "--epochs", "1", "--out", "a\nb"),
])
def test_an_output_path_with_a_control_character_is_refused(tmp_path, argv):
    """A script saved with Windows line endings ends its last argument with '\\r': before,
    ``run\\r`` was made (shown as ``run`` in ls and in the summary) and ``predict run``
    then found nothing."""
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    listing = sorted(p.name for p in tmp_path.iterdir())
    proc = numpynn(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "control character" in proc.stderr and len(proc.stderr.splitlines()) == 1
    if "\r" in argv[-1]:
        assert "Windows line endings" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_an_input_path_ending_with_a_carriage_return_is_the_file(tmp_path):
    """Before: "model file run does not exist ...; did you mean run?" (the '\\r' unseen)."""
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    proc = numpynn("predict", "run\r", "--data", "d.csv\r", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 61
    proc = numpynn("train", "--resume", "run\r", "--epochs", "2", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_an_existing_output_named_with_a_control_character_is_still_written(tmp_path):
    """A name the user made on purpose stays theirs to write."""
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    (tmp_path / "p\tq.csv").write_text("")
    proc = numpynn("predict", "run", "--data", "d.csv", "--output", "p\tq.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "p\tq.csv").read_text().startswith("prediction")


@linux_only
def test_a_resume_after_an_overwrite_that_failed_to_save_finishes_the_new_run(
        tmp_path, monkeypatch):
    """``--overwrite`` trains (its checkpoint replaces the earlier run's), then the disk
    fills while its files are saved: the earlier run's model stays, as it should. Before,
    ``--resume`` then took that model for the new run's ("had already finished; nothing
    was changed") and printed the new run's epochs beside the old model: the new run was
    never saved. Now the failure says how to continue, and the resume saves the new run."""
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "2", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    old = (tmp_path / "run" / "model.npz").read_bytes()
    with monkeypatch.context() as m:
        _disk_full_for(m, "report.html")
        proc = numpynn("train", "--data", "d.csv", "--epochs", "3", "--hidden", "20",
                       "--seed", "7", "--quiet", "--out", "run", "--overwrite", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "continue with: numpynn train --resume run" in proc.stderr, proc.stderr
    assert (tmp_path / "run" / "model.npz").read_bytes() == old
    proc = numpynn("train", "--resume", "run", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0 and "already finished" not in proc.stdout, proc.stdout
    assert "hidden_dims=[20]" in proc.stdout and "3 epochs" in proc.stdout
    assert (tmp_path / "run" / "model.npz").read_bytes() != old
    assert (tmp_path / "run" / "report.html").is_file()
    # and a finished run resumed again is left as it is
    before = _digest(tmp_path / "run")
    proc = numpynn("train", "--resume", "run", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0 and "already finished" in proc.stdout
    assert _digest(tmp_path / "run") == before


@linux_only
def test_a_full_disk_in_the_middle_of_training_says_how_to_continue(tmp_path, monkeypatch):
    """The second epoch's checkpoint cannot be written: the first one's is kept, and the
    message names the file and the resume command (before: the bare OSError)."""
    _csv(tmp_path / "d.csv")
    real, calls = outputs.atomic_replace, []

    def second_checkpoint_fails(path, write, durable=True):
        if Path(path).name == "checkpoint.npz":
            calls.append(path)
            if len(calls) == 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, write, durable)

    monkeypatch.setattr(outputs, "atomic_replace", second_checkpoint_fails)
    proc = numpynn("train", "--data", "d.csv", "--epochs", "4", "--hidden", "8", "--quiet",
                   "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "No space left on device" in proc.stderr
    assert "continue with: numpynn train --resume run" in proc.stderr
    monkeypatch.setattr(outputs, "atomic_replace", real)
    proc = numpynn("train", "--resume", "run", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0 and "4 epochs" in proc.stdout, proc.stderr


@linux_only
def test_a_full_disk_during_a_search_says_its_trials_are_kept_and_how_to_continue(
        tmp_path, monkeypatch):
    """Before: "No space left on device; check the path, ..." and nothing about the
    trials already run, which ``search --resume`` keeps."""
    _csv(tmp_path / "d.csv")
    search = ("search", "--data", "d.csv", "--trials", "2", "--epochs", "1", "--hidden",
              "8", "--jobs", "1", "--quiet", "--no-report", "--out", "s")
    with monkeypatch.context() as m:
        _disk_full_for(m, "results.json")
        proc = numpynn(*search, cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert f"No space left on device: {Path('s') / 'results.json'};" in proc.stderr
    assert "finished trials are kept" in proc.stderr
    assert "continue with: numpynn search --resume s" in proc.stderr
    proc = numpynn("search", "--resume", "s", "--jobs", "1", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "s" / "best" / "model.npz").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors, /dev/full")
def test_export_to_standard_output_that_is_closed_or_full_fails_not_says_wrote(tmp_path):
    """``export MODEL -`` writes the graph to standard output; its commit point came
    before the write, so with standard output closed (``>&-``) the graph was dropped and
    the command said "wrote -", exit 0: a lost result reported as written. Real
    processes: a closed descriptor 1 and /dev/full are the process's own."""
    pytest.importorskip("onnx")
    import subprocess

    from tests.clirun import numpynn_process

    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    proc = numpynn_process("export", "run", "-", cwd=tmp_path, stdout=None,
                           stderr=subprocess.PIPE, capture_output=False,
                           stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2 and "standard output is closed" in proc.stderr, proc.stderr
    assert "wrote" not in proc.stderr
    with open("/dev/full", "w") as full:
        proc = numpynn_process("export", "run", "-", cwd=tmp_path, stdout=full,
                               stderr=subprocess.PIPE, capture_output=False)
    assert proc.returncode == 2 and "No space left on device: standard output" in \
        proc.stderr, proc.stderr
    with open(tmp_path / "g.onnx", "wb") as graph:
        proc = numpynn_process("export", "run", "-", cwd=tmp_path, stdout=graph,
                               stderr=subprocess.PIPE, capture_output=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "g.onnx").stat().st_size > 1000  # the graph, whole


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "free some space on that disk"),
    (errno.EFBIG, "ulimit -f"),
    (errno.EROFS, "mounted read-only"),
    (errno.EACCES, "permissions"),
    (errno.EIO, "check the path, its permissions and the free disk space"),
])
def test_a_file_system_refusal_gets_the_advice_of_its_kind(tmp_path, monkeypatch, code,
                                                          words):
    """Before, every refusal ended "check the path, its permissions and the free disk
    space", also a file size limit (``ulimit -f``: "File too large") or a read-only
    mount, where neither the path nor the space is the cause."""
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0

    def refused(path, write, durable=True):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(outputs, "atomic_replace", refused)
    proc = numpynn("predict", "run", "--data", "d.csv", "--output", "p.csv", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert f"{os.strerror(code)}: p.csv; " in proc.stderr and words in proc.stderr


def test_a_zip_of_other_files_given_as_the_model_says_what_it_holds(tmp_path):
    """Before: "r.zip is an .npz file but not a numpynn model file (no header)"."""
    import zipfile

    _csv(tmp_path / "d.csv")
    for name in ("r.zip", "r.npz"):
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            z.writestr("notes.txt", "hello")
        proc = numpynn("predict", name, "--data", "d.csv", cwd=tmp_path)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert f"{name} is a zip archive of other files (notes.txt), not a numpynn model" \
            in proc.stderr


@pytest.mark.parametrize("stem", ["z" * 250, "\u00e9" * 125])
def test_an_output_named_up_to_the_file_systems_limit_is_written(tmp_path, stem):
    """A name of up to 255 bytes is legal, but the temporary file beside it
    (``.NAME.PID.RANDOM.tmp``) was not: "File name too long" for a name of 236 bytes or
    more. Its temporary file's name is now cut to fit, and the stale-file sweep still
    reads the PID in it."""
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    name = f"{stem}.csv"
    assert len(os.fsencode(name)) <= 255
    proc = numpynn("predict", "run", "--data", "d.csv", "--output", name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / name).read_text().startswith("prediction")
    fd, tmp = outputs.temp_file_beside(tmp_path / name)
    os.close(fd)
    assert len(os.fsencode(Path(tmp).name)) <= 255
    assert int(Path(tmp).name.split(".")[-3]) == os.getpid()
    outputs.temp_done(tmp)
    assert outputs.remove_stale_temp_files(tmp_path) == [Path(tmp)]


def test_a_name_too_long_for_the_file_system_says_so(tmp_path):
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    proc = numpynn("predict", "run", "--data", "d.csv", "--output", "y" * 300 + ".csv",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "File name too long" in proc.stderr, proc.stderr
    assert "longer than the file system allows" in proc.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a search starts workers on 2+ cores")
def test_a_search_killed_by_sigkill_leaves_no_worker_behind(tmp_path):
    """SIGKILL (the OOM killer, ``kill -9``) runs no cleanup: the pool's workers, left to
    init, lingered for the pool's idle timeout (300 s) with their memory and loky's
    resource trackers. Now each worker watches the search process and ends within about
    a second of it. A real process: the kill is the point."""
    import signal
    import subprocess
    import time

    from tests.clirun import start_numpynn

    _csv(tmp_path / "d.csv", n=200)
    proc = start_numpynn("search", "--data", "d.csv", "--trials", "400", "--epochs", "200",
                         "--jobs", "2", "--out", "s", "--no-report", "--quiet",
                         cwd=tmp_path, start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)  # (an orphan would hold a pipe open)
    try:
        log = tmp_path / "s" / "trials.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (log.exists()
                                                   and log.read_text().count("\n")):
            time.sleep(0.05)
        assert log.exists() and proc.poll() is None, "the search ended before its kill"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        sent = time.monotonic()
        while time.monotonic() - sent < 15:
            try:
                os.killpg(proc.pid, 0)  # the group: its workers, loky's resource trackers
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("a worker of the killed search was still running 15 s later")
        assert time.monotonic() - sent < 10
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_killed_searchs_copy_of_its_data_is_removed_by_the_next_search(tmp_path,
                                                                       monkeypatch):
    """A search maps its large arrays from ``$TMPDIR/numpynn-search-...``; one killed by
    SIGKILL left that copy of the data (hundreds of MB for MNIST) in /tmp for good. The
    folder now carries its PID, and the next search that writes one removes those of
    processes that no longer run; a live process's, and other files, are left alone."""
    import subprocess
    import tempfile

    from numpynn.search import local

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = local._host()
    stale = tmp_path / f"numpynn-search-{dead.pid}-{host}-abc"
    live = tmp_path / f"numpynn-search-{os.getppid()}-{host}-def"
    other = tmp_path / "numpynn-search-notes"
    elsewhere = tmp_path / f"numpynn-search-{dead.pid}-{host}x-ghi"  # another machine's
    for folder in (stale, live, other, elsewhere):
        folder.mkdir()
        (folder / "0.npy").write_bytes(b"x")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    big = {"X": np.zeros((local.MAP_BYTES // 8 + 1,)), "y": np.zeros(3)}
    folder, source = local._data_file(big)
    try:
        assert folder is not None and Path(folder).name.startswith(
            f"numpynn-search-{os.getpid()}-{host}-")
        assert not stale.exists() and live.exists() and other.exists()
        assert elsewhere.exists()  # a shared temporary directory: not this machine's pids
        # a folder another process holds (another container, its own process ids) is kept
        held = tmp_path / f"numpynn-search-{dead.pid}-{host}-jkl"
        held.mkdir()
        holder = subprocess.Popen([sys.executable, "-c", (
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"),
            str(held / ".lock")], stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            assert local.remove_stale_data_folders(str(tmp_path)) == []
            assert held.exists()
        finally:
            holder.kill()
            holder.wait()
        assert local.remove_stale_data_folders(str(tmp_path)) == [held]  # let go: stale
    finally:
        local._remove(folder)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
@pytest.mark.parametrize("make", ["file", "dangling link"])
@pytest.mark.parametrize("argv", [
    ("predict", "run", "--data", "d.csv", "--output", "X/p.csv"),
    ("export", "run", "X/m.onnx"),
    ("train", "--data", "d.csv", "--epochs", "1", "--out", "X/run"),
    ("search", "--data", "d.csv", "--trials", "1", "--out", "X/s"),
])
def test_an_output_below_a_file_or_a_dangling_link_names_it(tmp_path, make, argv):
    """Before: below a dangling link, "'.' is a file, not a directory" (Path.exists
    follows the link, so the walk up blamed the current directory), "a part of the path
    is a file" or "(File exists)"; below a file, search said "Not a directory:
    F/s/trials.jsonl"."""
    if argv[0] == "export":
        pytest.importorskip("onnx")
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    if make == "file":
        (tmp_path / "X").write_text("a file\n")
        words = "X is a file, not a directory"
    else:
        (tmp_path / "X").symlink_to(tmp_path / "gone" / "deeper")
        words = f"X is a symbolic link to {tmp_path / 'gone' / 'deeper'}, which does not exist"
    proc = numpynn(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert words in proc.stderr, proc.stderr
    assert not (tmp_path / "gone").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
@pytest.mark.parametrize("argv, link", [
    (("predict", "m.npz", "--data", "d.csv"), "m.npz"),
    (("predict", "run", "--data", "l.csv"), "l.csv"),
    (("train", "--data", "l.csv", "--epochs", "1", "--out", "r"), "l.csv"),
    (("train", "--data", "mnist:ml", "--epochs", "1", "--out", "r"), "ml"),
])
def test_an_input_that_is_a_dangling_link_says_so(tmp_path, argv, link):
    """``ls`` lists the link, so "does not exist; check the path" misled."""
    _csv(tmp_path / "d.csv")
    assert numpynn("train", "--data", "d.csv", "--epochs", "1", "--hidden", "8", "--quiet",
                   "--no-report", "--out", "run", cwd=tmp_path).returncode == 0
    (tmp_path / link).symlink_to(tmp_path / "moved" / "away")
    proc = numpynn(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert f"{link} is a symbolic link to {tmp_path / 'moved' / 'away'}, which does not " \
        "exist" in proc.stderr, proc.stderr
    assert not (tmp_path / "r").exists()
