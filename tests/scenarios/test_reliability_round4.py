"""Reliability, round four: the sixth case of each kind (signals at other moments, files
and directories of other shapes, the environment). Commands run in-process
(``numpynn.cli.main.main``) unless a signal or a pipe needs a real process."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from numpynn.cli.main import main
from tests.clirun import numpynn_process, start_numpynn
from tests.scenarios.test_reliability_round3 import _csv, cli

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
def run_dir(tmp_path, monkeypatch, capsys) -> Path:
    """A trained run in ``tmp_path/run`` (cwd: tmp_path) from ``d.csv``."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "2", "--out", "run",
                       "--no-report", "--quiet")
    assert code == 0, err
    return tmp_path / "run"


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# ------------------------------------------------------------ signals at other moments
LONG = ["train", "--data", "d.csv", "--hidden", "16", "--epochs", "100000", "--batch-size",
        "4", "--val-fraction", "0", "--test-fraction", "0", "--quiet", "--no-report"]


def _start_and_wait_for_checkpoint(tmp_path: Path, **kwargs) -> subprocess.Popen:
    _csv(tmp_path / "d.csv")
    proc = start_numpynn(*LONG, "--out", "run", cwd=tmp_path, **kwargs)
    deadline = time.monotonic() + 60
    while not (tmp_path / "run" / "checkpoint.npz").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no checkpoint: {proc.communicate()}")
        time.sleep(0.005)
    return proc


@posix_only
def test_sighup_is_handled_like_sigterm_and_exits_129(tmp_path):
    """A closed terminal (or a dropped ssh session) sends SIGHUP, whose default kills the
    process where it stands: the epochs since the last checkpoint lost, temporary files
    left, nothing said. It is handled as SIGTERM is: the last finished epoch is saved, the
    resume command printed, exit 129 (128 + SIGHUP)."""
    proc = _start_and_wait_for_checkpoint(tmp_path)
    time.sleep(0.2)
    proc.send_signal(signal.SIGHUP)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 129, (proc.returncode, err)
    assert "Traceback" not in err
    assert "hung up" in err and "numpynn train --resume run" in err
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["checkpoint.npz"]


@posix_only
def test_the_reader_of_standard_output_leaving_stops_a_run_with_141(tmp_path):
    """``numpynn train ... | head -1``: the reader leaves after one line. Before, the next
    print raised BrokenPipeError, which ended the run with exit 1 (a failed check, by the
    table), said nothing and removed what it had trained. Now it stops as an interrupt
    does: the last finished epoch kept, the resume command on stderr, exit 141 (128 +
    SIGPIPE, what a shell reports for `| head`), no traceback."""
    _csv(tmp_path / "d.csv")
    argv = [a for a in LONG if a != "--quiet"]  # a line per epoch: the reader leaves
    proc = start_numpynn(*argv, "--out", "run", cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (tmp_path / "run" / "checkpoint.npz").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.005)
    proc.stdout.readline()
    proc.stdout.close()  # as head does after its line
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 141, (proc.returncode, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert "reader of its standard output left" in err
    assert "numpynn train --resume run" in err
    assert (tmp_path / "run" / "checkpoint.npz").is_file()
    assert _leftovers(tmp_path / "run") == []


class _LeavingBytes(io.BytesIO):
    """A pipe whose reader left: every write fails with EPIPE."""

    def write(self, data) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def _leaving_stdout() -> io.TextIOWrapper:
    return io.TextIOWrapper(_LeavingBytes(), encoding="utf-8", write_through=True)


@pytest.mark.parametrize("argv", [["predict", "run", "--data", "d.csv"],
                                  ["predict", "run", "--data", "d.csv", "--output", "-"],
                                  ["data", "list"]])
def test_a_reader_leaving_predict_or_data_is_a_quiet_141(run_dir, monkeypatch, capsys, argv):
    """`numpynn predict ... | head -1`, `numpynn data list | head -1`: exit 141 and not a
    word (the reader asked for no more), not exit 1, which the table gives to a failed
    check."""
    monkeypatch.setenv("NUMPYNN_DATA", str(run_dir.parent / "cache"))
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", _leaving_stdout())
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 141, err
    assert err == ""


# ------------------------------------------------------------ the environment
def test_a_deleted_current_directory_is_named_as_the_cause(run_dir, monkeypatch, capsys):
    """The shell's directory deleted under it (``rm -rf`` from another terminal): before,
    ``train`` with absolute paths said "No such file or directory; check the path" naming
    no path. Now it names the current directory and the fix; a command that does not need
    it (predict with absolute paths) still works."""
    base = run_dir.parent
    gone = base / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    code, out, err = cli(capsys, "train", "--data", str(base / "d.csv"), "--out",
                         str(base / "new"), "--epochs", "1", "--quiet", "--no-report")
    assert code == 2 and "Traceback" not in err
    assert "current directory no longer exists" in err and "cd to" in err
    assert not (base / "new" / "model.npz").exists()
    code, out, err = cli(capsys, "predict", str(run_dir), "--data", str(base / "d.csv"))
    assert code == 0, err
    assert out.startswith("prediction")


# ------------------------------------------------------------ files: one directory, two writers
@posix_only
def test_a_second_train_into_a_directory_in_use_is_refused(tmp_path, monkeypatch, capsys):
    """Two ``numpynn train --out same_dir`` at once: before, both trained, wrote
    ``checkpoint.npz`` in turn and moved their files in, so the directory could end with
    one run's model beside the other's history. Now the directory is held (flock) while a
    run writes there: the second command (fresh with --overwrite, or --resume) is refused
    at once, exit 2, the first run's files untouched; the held directory leaves no lock
    file behind."""
    proc = _start_and_wait_for_checkpoint(tmp_path)
    monkeypatch.chdir(tmp_path)
    try:
        for argv in (["train", "--data", "d.csv", "--epochs", "1", "--out", "run",
                      "--overwrite", "--quiet"], ["train", "--resume", "run"]):
            code, out, err = cli(capsys, *argv)
            assert code == 2, (argv, err)
            assert "is in use" in err and "another numpynn process" in err
            assert "Traceback" not in err
        assert not (tmp_path / "run" / "model.npz").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["checkpoint.npz"]
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "run",
                         "--overwrite", "--quiet", "--no-report")
    assert code == 0, err  # free again once the first process ended


@posix_only
def test_a_search_directory_in_use_is_refused(tmp_path, monkeypatch, capsys):
    """A search resumed while another process writes that search: refused (exit 2), not
    a second set of the same trials appended to its log."""
    import fcntl

    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "search", "--data", "d.csv", "--trials", "2", "--epochs", "1",
                       "--hidden", "4", "--jobs", "1", "--out", "s", "--no-report", "--quiet")
    assert code == 0, err
    before = (tmp_path / "s" / "trials.jsonl").read_bytes()
    fd = os.open(tmp_path / "s", os.O_RDONLY)  # as another process holding it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        code, _, err = cli(capsys, "search", "--resume", "s", "--jobs", "1")
    finally:
        os.close(fd)
    assert code == 2 and "is in use" in err and "Traceback" not in err, err
    assert (tmp_path / "s" / "trials.jsonl").read_bytes() == before


# ------------------------------------------------------------ a search resumed differently
@pytest.fixture
def search_dir(tmp_path, monkeypatch, capsys) -> Path:
    """A search of 3 trials in ``tmp_path/s`` on ``d.csv`` with its last trial unfinished."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    code, _, err = cli(capsys, "search", "--data", "d.csv", "--trials", "3", "--epochs", "1",
                       "--hidden", "4", "--jobs", "1", "--out", "s", "--no-report", "--quiet")
    assert code == 0, err
    log = tmp_path / "s" / "trials.jsonl"
    log.write_text("".join(log.read_text().splitlines(keepends=True)[:2]))
    return tmp_path / "s"


@pytest.mark.parametrize("extra", [["--data", "other.csv"], ["--trials", "9"],
                                   ["--lr", "0.1"], ["--seed", "3"], ["--out", "elsewhere"]])
def test_search_resume_refuses_options_it_would_ignore(search_dir, capsys, extra):
    """``search --resume s --data other.csv``: before, every option but the resume's own
    was dropped in silence (exit 0, the old data searched). Now it is refused by name,
    as ``train --resume`` refuses, and nothing runs; --data only where it names the
    search's own rows moved elsewhere (round 17), so other rows are refused."""
    _csv(search_dir.parent / "other.csv", seed=1)
    before = (search_dir / "trials.jsonl").read_bytes()
    code, _, err = cli(capsys, "search", "--resume", "s", "--jobs", "1", *extra)
    assert code == 2 and "Traceback" not in err, err
    if extra[0] == "--data":
        assert "holds other rows" in err
    else:
        assert f"{extra[0]} cannot be changed" in err and "--jobs" in err
    assert (search_dir / "trials.jsonl").read_bytes() == before


def test_search_resume_refuses_data_changed_since_its_trials(search_dir, capsys):
    """The data file edited between a search and its resume: before, the remaining trials
    trained on the new rows and were ranked with the old ones, without a word. Now the
    search records its data's fingerprint and a resume on other rows is refused."""
    _csv(search_dir.parent / "d.csv", seed=1)
    before = (search_dir / "trials.jsonl").read_bytes()
    code, _, err = cli(capsys, "search", "--resume", "s", "--jobs", "1", "--quiet")
    assert code == 2 and "Traceback" not in err, err
    assert "has changed since its trials were run" in err and "d.csv" in err
    assert (search_dir / "trials.jsonl").read_bytes() == before
    _csv(search_dir.parent / "d.csv")  # restored as it was: the resume finishes it
    code, _, err = cli(capsys, "search", "--resume", "s", "--jobs", "1", "--quiet")
    assert code == 0, err
    assert len((search_dir / "trials.jsonl").read_text().splitlines()) == 3


# ------------------------------------------------------------ files: names of any bytes
@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names of any bytes")
def test_a_data_file_name_that_is_not_utf8_does_not_lose_the_run(tmp_path, monkeypatch,
                                                                 capsys):
    """``--data $'d\\xff.csv'`` (a name written in Latin-1 on a UTF-8 system): Python holds
    the byte as a lone surrogate, and the report, which names the data, failed to encode
    after training: a traceback, exit 1, no model. Now the report writes it as
    ``\\udcff`` and the run is saved."""
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"d\xff.csv")
    _csv(tmp_path / name)
    code, out, err = cli(capsys, "train", "--data", name, "--epochs", "1", "--out", "run",
                         "--quiet")
    assert code == 0 and "Traceback" not in err, err
    assert (tmp_path / "run" / "model.npz").is_file()
    assert "d\\udcff.csv" in (tmp_path / "run" / "report.html").read_text(encoding="utf-8")


# ------------------------------------------------------------ numbers: sizes
def test_a_csv_far_too_wide_is_refused_from_its_first_row(tmp_path):
    """A table of 10^5+ columns (a transposed export, a one-line dump): before, a header
    check quadratic in the width (``names.count`` per name) ran for hours on 10^6 columns
    before anything was said. Now the width is refused from the first row, before the
    rows are held as text. (A real process, so that the old hang fails by its timeout.)"""
    n = 100_001
    (tmp_path / "wide.csv").write_text(",".join(f"c{i}" for i in range(n)) + ",label\n"
                                       + ("1," * n + "a\n") + ("0," * n + "b\n"))
    proc = numpynn_process("train", "--data", "wide.csv", "--out", "run", "--epochs", "1",
                           cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{n + 1:,} columns" in proc.stderr and ".npz" in proc.stderr
    assert not (tmp_path / "run").exists()


# ------------------------------------------------------------ standard output gone after the files
@posix_only
def test_closed_standard_output_after_the_files_are_written_is_not_a_failure(tmp_path):
    """``numpynn train --quiet >&-`` prints nothing until its files are written: before,
    its summary then failed with "standard output is closed", exit 2, beside a complete
    run, so a script took the run for failed. Lines after the commit point are dropped:
    exit 0. (Without --quiet the first line comes before any work: refused, exit 2.)"""
    _csv(tmp_path / "d.csv")
    for argv, code in ((["--quiet"], 0), ([], 2)):
        out = f"run{code}"
        proc = numpynn_process("train", "--data", "d.csv", "--epochs", "1", "--out", out,
                               "--no-report", *argv, cwd=tmp_path, stdin=subprocess.DEVNULL,
                               stdout=None, stderr=subprocess.PIPE, capture_output=False,
                               preexec_fn=lambda: os.close(1))
        assert proc.returncode == code and "Traceback" not in proc.stderr, proc.stderr
        assert (tmp_path / out / "model.npz").is_file() == (code == 0)


def test_a_reader_leaving_after_the_files_are_written_is_not_a_failure(tmp_path, monkeypatch,
                                                                       capsys):
    """`numpynn train --quiet ... | head -0`: the reader left before the summary, which
    comes after the files are written: exit 0 (the run is complete), not 141."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    monkeypatch.setattr(sys, "stdout", _leaving_stdout())
    code = main(["train", "--data", "d.csv", "--epochs", "1", "--out", "run", "--quiet",
                 "--no-report"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "run" / "model.npz").is_file()


@pytest.mark.parametrize("argv", [["data", "list"], ["data", "download", "mnist"],
                                  ["train", "--data", "mnist", "--out", "run"]])
def test_numpynn_data_naming_a_file_is_named_as_the_cause(tmp_path, monkeypatch, capsys,
                                                          argv):
    """``NUMPYNN_DATA=~/data.csv`` (the variable meant for the cache folder, set to a
    file): before, ``data list`` listed folders inside the file and the others said "Not a
    directory: .../data.csv/mnist; check the path", never the variable. Now the variable
    is named, with the fix; data sets that need no cache (digits, files) are unaffected."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    monkeypatch.setenv("NUMPYNN_DATA", str(tmp_path / "d.csv"))
    code, out, err = cli(capsys, *argv)
    assert code == 2 and "Traceback" not in err, err
    assert "$NUMPYNN_DATA is" in err and "not a directory" in err and out == ""
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "r2",
                         "--quiet", "--no-report")
    assert code == 0, err


def test_an_out_of_the_users_files_named_like_a_runs_is_not_overwritten(tmp_path,
                                                                        monkeypatch, capsys):
    """``--out docs`` that holds the user's own ``report.html`` and ``history.json`` but no
    run: before, a fresh run replaced them without a word (only a directory holding a
    model or checkpoint needed --overwrite). Now they are named and kept, exit 2;
    --overwrite replaces them; files the run does not write (notes) are never touched."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    mine = tmp_path / "docs"
    mine.mkdir()
    (mine / "report.html").write_text("<p>my report</p>")
    (mine / "history.json").write_text('{"mine": 1}')
    (mine / "notes.txt").write_text("notes")
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "docs",
                         "--quiet")
    assert code == 2 and "Traceback" not in err, err
    assert "history.json, report.html" in err and "--overwrite" in err
    assert (mine / "report.html").read_text() == "<p>my report</p>"
    assert sorted(p.name for p in mine.iterdir()) == ["history.json", "notes.txt",
                                                      "report.html"]
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "docs",
                         "--quiet", "--no-report")  # only history.json is the run's then
    assert code == 2 and "holds history.json, which" in err, err
    code, out, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "docs",
                         "--quiet", "--overwrite")
    assert code == 0, err
    assert (mine / "notes.txt").read_text() == "notes"


@posix_only
@pytest.mark.parametrize("command", ["train", "search"])
@pytest.mark.parametrize("target,words", [("nowhere", "a symbolic link to nowhere, which "
                                           "does not exist"),
                                          ("/dev/null", "a symbolic link to /dev/null, a "
                                           "character or block device")])
def test_an_out_that_is_a_link_to_no_directory_says_what_it_is(tmp_path, monkeypatch, capsys,
                                                               command, target, words):
    """``--out`` a dangling link, or a link to /dev/null: before, "is a file" (train) or
    "cannot create the output directory (File exists)" (search), neither of them true.
    Now the message says what is there; the link is left as it was."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    os.symlink(target, tmp_path / "out")
    extra = ["--trials", "1", "--hidden", "4"] if command == "search" else []
    code, _, err = cli(capsys, command, "--data", "d.csv", "--out", "out", "--epochs", "1",
                       "--quiet", *extra)
    assert code == 2 and "Traceback" not in err, err
    assert f"--out out is {words}" in err
    assert os.readlink(tmp_path / "out") == target


# ------------------------------------------------------------ signals after export's commit point
@posix_only
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_after_export_wrote_its_graph_does_not_undo_it(run_dir, monkeypatch, capsys,
                                                                signum):
    """A signal that arrives while ``export`` renames its graph into place: before, the
    command then said "interrupted"/"terminated", exit 130/143, beside the complete file
    it had written (train and predict held such a signal; export had no commit point).
    Now it ends with 0 and its file, as they do."""
    pytest.importorskip("onnx")
    import numpynn.cli.export_cmd as export_cmd

    real_write = export_cmd.atomic_write

    def write_then_signal(path, write, *args, **kwargs):
        done = real_write(path, write, *args, **kwargs)
        os.kill(os.getpid(), signum)
        time.sleep(0.05)  # the handler runs now, in the main thread
        return done

    monkeypatch.setattr(export_cmd, "atomic_write", write_then_signal)
    code, _, err = cli(capsys, "export", "run", "m.onnx")
    assert code == 0 and "interrupted" not in err and "terminated" not in err, err
    assert (run_dir.parent / "m.onnx").stat().st_size > 0


@posix_only
def test_nohup_keeps_a_run_going_when_the_terminal_closes(tmp_path):
    """``nohup numpynn train ... &`` ignores SIGHUP so that the run outlives its terminal:
    the handler that stops a run on SIGHUP is installed only where SIGHUP is not ignored."""
    proc = _start_and_wait_for_checkpoint(
        tmp_path, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    try:
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert proc.poll() is None, proc.communicate()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err


@posix_only
def test_closed_standard_error_keeps_messages_out_of_the_predictions(run_dir):
    """``numpynn predict ... 2>&-``: Python's sys.stderr is then None, and print(...,
    file=None) writes to standard output, so the notes and errors meant for stderr went
    into the prediction CSV. Now they go nowhere (the exit code still tells), and the
    closed descriptors are filled with /dev/null so that no file opened later takes
    their number."""
    data = run_dir.parent / "t.csv"  # every row ends with the delimiter: a note is printed
    data.write_text("".join(line + ",\n" for line in
                            (run_dir.parent / "d.csv").read_text().splitlines()))
    for argv, code in ((["--data", "t.csv"], 0), (["--data", "nope.csv"], 2)):
        proc = numpynn_process("predict", "run", *argv, cwd=run_dir.parent,
                               stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(2))
        assert proc.returncode == code
        lines = proc.stdout.splitlines()
        assert "note" not in proc.stdout and "error" not in proc.stdout, proc.stdout
        if code == 0:
            assert lines[0] == "prediction" and len(lines) == 61


# ------------------------------------------------------------ numbers: huge values in float64
def test_features_beyond_1e154_standardize_in_float64_as_small_ones_do(tmp_path, monkeypatch,
                                                                       capsys):
    """Feature scale does not matter (section 5), up to float64's range: a column of
    values near 1e200 under --dtype float64 overflowed the variance (its squares pass
    1.8e308): a numpy RuntimeWarning, an infinite std, and the column scaled by its peak
    instead. Now it is standardized like the same column divided by 1e200, without a
    warning; values too large even for float64 are refused without suggesting float64."""
    import warnings

    from numpynn.data.preprocessing import Preprocessor

    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=200) * 1e200, rng.normal(size=200)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = Preprocessor("standardize").fit(X)
        small = Preprocessor("standardize").fit(X / [1e200, 1.0])
        np.testing.assert_allclose(big.transform(X), small.transform(X / [1e200, 1.0]),
                                   atol=1e-12)
    monkeypatch.chdir(tmp_path)
    lines = ["a,b,label"] + [f"{float(v) * 1e300!r},{float(w)!r},{'xy'[i % 2]}"
                             for i, (v, w) in enumerate(rng.normal(size=(60, 2)))]
    (tmp_path / "h.csv").write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, _, err = cli(capsys, "train", "--data", "h.csv", "--dtype", "float64",
                           "--epochs", "2", "--out", "run", "--quiet", "--no-report")
    assert code == 0 and "Warning" not in err, err
    (tmp_path / "m.csv").write_text("a,b,label\n1e308,1,x\n-1e308,2,y\n" * 10)
    code, _, err = cli(capsys, "train", "--data", "m.csv", "--dtype", "float64", "--epochs",
                       "1", "--out", "run2", "--quiet")
    assert code == 2 and "too large for float64" in err and "dtype" not in err, err


def test_float16_labels_in_an_npz_read_without_a_numpy_warning(tmp_path, monkeypatch,
                                                               capsys):
    """y saved as float16 (``y.astype(np.float16)`` to save space): the integer check
    compared it with 2**63, beyond float16's range: "RuntimeWarning: overflow encountered
    in cast" on every run. Now the labels are checked in float64: no warning, and a
    non-integer float16 label is still refused by its index."""
    import warnings

    monkeypatch.chdir(tmp_path)
    X = np.random.default_rng(0).normal(size=(60, 3)).astype(np.float16)
    y = (np.arange(60) % 2).astype(np.float16)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, _, err = cli(capsys, "train", "--data", "d.npz", "--epochs", "1", "--out",
                           "run", "--quiet", "--no-report")
    assert code == 0 and "Warning" not in err, err
    y[7] = 0.5
    np.savez(tmp_path / "e.npz", X=X, y=y)
    code, _, err = cli(capsys, "train", "--data", "e.npz", "--epochs", "1", "--out", "run2",
                       "--task", "classification")  # (auto: a fraction makes a regression)
    assert code == 2 and "y[7] = 0.5 is not an integer" in err, err


class _FullBytes(io.BytesIO):
    """A stream on a full disk (``> /dev/full``): every write fails with ENOSPC."""

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def _full_stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(_FullBytes(), encoding="utf-8", write_through=True)


def test_standard_streams_on_a_full_disk(run_dir, monkeypatch, capsys):
    """``> /dev/full``: predictions that cannot be written are an error naming standard
    output (before: "No space left on device; check the path", no path), a run whose
    files are written is not (its summary is dropped, exit 0: before, exit 2 beside the
    complete run), and ``2> /dev/full`` drops the messages instead of failing on them."""
    monkeypatch.setattr(sys, "stdout", _full_stream())
    code = main(["predict", "run", "--data", "d.csv"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device: standard output" in err, err
    code = main(["train", "--data", "d.csv", "--epochs", "1", "--out", "run2", "--quiet",
                 "--no-report"])
    assert code == 0, capsys.readouterr().err
    assert (run_dir.parent / "run2" / "model.npz").is_file()
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", _full_stream())
    assert main(["predict", "run", "--data", "nope.csv"]) == 2


@posix_only
def test_no_home_directory_at_all_is_a_clear_error_where_the_cache_is_needed(
        tmp_path, monkeypatch, capsys):
    """A container run with ``--user 1234``: no $HOME and no entry in the password
    database. pathlib's expanduser then raises RuntimeError: a traceback from ``data
    list``, ``train --data mnist`` and a model path starting with ``~``. Now the cache
    says what to set, ``~/x`` is a missing file, and files need no home at all."""
    import pwd

    def no_entry(uid):
        raise KeyError(uid)

    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "d.csv")
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("NUMPYNN_DATA", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    for argv in (["data", "list"], ["train", "--data", "mnist", "--out", "run"]):
        code, _, err = cli(capsys, *argv)
        assert code == 2 and "Traceback" not in err, err
        assert "NUMPYNN_DATA (or HOME)" in err
    code, _, err = cli(capsys, "predict", "~/run", "--data", "d.csv")
    assert code == 2 and "~/run does not exist" in err, err
    code, _, err = cli(capsys, "train", "--data", "d.csv", "--epochs", "1", "--out", "run",
                       "--quiet", "--no-report")
    assert code == 0, err


# ------------------------------------------------------------ files: a directory named for a file
@pytest.mark.parametrize("argv,example", [
    (["predict", "run", "--data", "d.csv", "--output", "preds/"], "preds/predictions.csv"),
    (["predict", "run", "--data", "d.csv", "--output", "f.csv/"], "f.csv/predictions.csv"),
    (["export", "run", "onnx/"], "onnx/model.onnx"),
])
def test_an_output_file_ending_with_a_slash_is_refused(run_dir, capsys, argv, example):
    """``--output preds/`` (a directory meant): before, pathlib dropped the '/' and a file
    named ``preds`` was written, and ``--output f.csv/`` replaced the file ``f.csv``.
    Now the path is refused, the file to give suggested; nothing is written."""
    here = run_dir.parent
    (here / "f.csv").write_text("mine")
    before = sorted(p.name for p in here.iterdir())
    code, out, err = cli(capsys, *argv)
    assert code == 2 and "Traceback" not in err and out == "", err
    assert "ends with '/'" in err and example in err
    assert sorted(p.name for p in here.iterdir()) == before
    assert (here / "f.csv").read_text() == "mine"


def test_the_library_refuses_an_output_file_ending_with_a_slash(run_dir):
    from numpynn.errors import InputError
    from numpynn.model_file import load_model
    from numpynn.runs.predictions import write_predictions

    saved = load_model(run_dir)
    with pytest.raises(InputError, match="ends with '/'"):
        write_predictions(str(run_dir.parent / "preds") + "/", saved, np.zeros((2, 3)))
    assert not (run_dir.parent / "preds").exists()
