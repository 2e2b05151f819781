"""Bad input to the command line and its files, round 17 of the probes (branch cli17).

* Paths written for another system or program: ``--out 'C:\\runs\\a'``, ``runs\\a``,
  ``~nosuchuser/r`` and ``file:///tmp/r`` made a directory of that literal name; as
  ``--data`` the Windows path was "not found", ``data\\x.csv`` offered another file.
* A run directory stopped before it saved its model (a checkpoint.npz, no model.npz) was
  "a directory without a model.npz", with no word of --resume; its checkpoint given as the
  model said the run's model.npz was beside it, where there was none.
* Binary files given as a table (a program, a tar archive, random or all-NUL bytes) were
  "mostly UTF-8 text ... the file mixes two encodings" or rows cut short; a Word document
  was "a spreadsheet workbook".
"""

from __future__ import annotations

import io
import os
import tarfile
import zipfile

import numpy as np
import pytest

from numpynn.errors import ModelFileError
from numpynn.model_file import load_model
from tests.clirun import numpynn

TABLE = "a,b,label\n" + "".join(f"{i % 7},{(i * 3) % 5},{i % 2}\n" for i in range(40))


def _refused(result, *said: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for words in said:
        assert words in result.stderr, result.stderr


@pytest.mark.parametrize("out,said", [
    ("C:\\runs\\a", "is a Windows path"),
    ("C:/runs/a", "/mnt/c/runs/a"),
    ("runs\\a", "here the separator is '/': runs/a"),
    ("\\\\server\\share\\run", "a network share"),
    ("~nosuchuser17/r", "no such user here"),
    ("file:///tmp/run17", "give one (/tmp/run17)"),
    ("https://example.org/run", "writes its files to a path on disk"),
])
def test_an_output_path_of_another_system_or_a_url_is_refused_not_made(tmp_path, out, said):
    (tmp_path / "t.csv").write_text(TABLE)
    result = numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", out, cwd=tmp_path)
    _refused(result, "--out", said)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    result = numpynn("predict", "m.npz", "--data", "t.csv", "--output", out + ".csv",
                     cwd=tmp_path)
    _refused(result, "--output", said.replace("/run17)", "/run17.csv)").replace(
        "runs/a", "runs/a.csv"))


@pytest.mark.parametrize("data,said", [
    ("C:\\Users\\me\\t.csv", "(under WSL, drive C: is /mnt/c: /mnt/c/Users/me/t.csv)"),
    ("sub\\t.csv", "here the separator is '/': sub/t.csv (which exists)"),
    ("~nosuchuser17/t.csv", "your own home directory is ~/: ~/t.csv"),
])
def test_an_input_path_of_another_system_says_so_not_offers_another_file(tmp_path, data,
                                                                         said):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "t.csv").write_text(TABLE)
    (tmp_path / "t.csv").write_text(TABLE)
    _refused(numpynn("train", "--data", data, "--out", "r", cwd=tmp_path), "--data", said)
    _refused(numpynn("predict", data.replace("t.csv", "m.npz"), "--data", "t.csv",
                     cwd=tmp_path), "model")
    assert not (tmp_path / "r").exists()


def test_an_existing_file_named_with_a_backslash_is_still_that_file(tmp_path):
    (tmp_path / "a\\t.csv").write_text(TABLE)
    result = numpynn("train", "--data", "a\\t.csv", "--epochs", "1", "--out", "r\\1",
                     "--quiet", cwd=tmp_path)
    assert result.returncode == 2 and "separator" in result.stderr  # a new such name: no
    result = numpynn("train", "--data", "a\\t.csv", "--epochs", "1", "--out", "r",
                     "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def _stopped_run(tmp_path):
    (tmp_path / "t.csv").write_text(TABLE)
    result = numpynn("train", "--data", "t.csv", "--epochs", "2", "--out", "run", "--quiet",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "run" / "model.npz").unlink()  # as a run stopped before it saved its model


def test_a_run_stopped_before_its_model_says_to_resume_it(tmp_path):
    _stopped_run(tmp_path)
    for argv in (["predict", "run", "--data", "t.csv"], ["evaluate", "run"],
                 ["export", "run", "m.onnx"]):
        _refused(numpynn(*argv, cwd=tmp_path), "checkpoint.npz but no model.npz",
                 "finish the run (--resume run)")
    result = numpynn("predict", "run/checkpoint.npz", "--data", "t.csv", cwd=tmp_path)
    _refused(result, "stopped before it saved a model", "finish the run (--resume run)")
    assert "model.npz is in the same directory" not in result.stderr
    with pytest.raises(ModelFileError, match=r"`resume=True, out='[^']*run'`"):
        load_model(tmp_path / "run")  # the library names its parameters


def test_a_finished_runs_checkpoint_given_as_the_model_names_the_model(tmp_path):
    (tmp_path / "t.csv").write_text(TABLE)
    assert numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "run", "--quiet",
                   cwd=tmp_path).returncode == 0
    result = numpynn("predict", "run/checkpoint.npz", "--data", "t.csv", cwd=tmp_path)
    _refused(result, "the run's model is run/model.npz")


def _tar_of_table() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = TABLE.encode()
        info = tarfile.TarInfo("t.csv")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _office(tmp_path, name: str, member: str) -> bytes:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    data = path.read_bytes()
    path.unlink()
    return data


@pytest.mark.parametrize("make,said", [
    (lambda tmp: bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8)),
     "is binary data, not a table in text"),
    (lambda tmp: b"\x7fELF\x02\x01\x01" + bytes(600), "is a program (an executable)"),
    (lambda tmp: _tar_of_table(), "is a tar archive, not a table: extract it (tar xf d.csv)"),
    (lambda tmp: bytes(2000), "only NUL bytes (\\x00) at its start"),
    (lambda tmp: _office(tmp, "w.docx", "word/document.xml"), "a word-processor document"),
    (lambda tmp: _office(tmp, "p.pptx", "ppt/presentation.xml"), "a presentation"),
    (lambda tmp: _office(tmp, "x.xlsx", "xl/workbook.xml"), "a spreadsheet workbook"),
])
def test_a_binary_file_given_as_a_table_says_what_it_is(tmp_path, make, said):
    (tmp_path / "d.csv").write_bytes(make(tmp_path))
    _refused(numpynn("train", "--data", "d.csv", "--out", "r", cwd=tmp_path), said)
    assert "encodings" not in said and not (tmp_path / "r").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "utf-8"])
def test_text_tables_in_every_encoding_read_are_still_read(tmp_path, encoding):
    text = "größe,b,label\n" + "".join(f"{i % 7},{i % 5},{'é' if i % 2 else 'x'}\n"
                                       for i in range(40))
    (tmp_path / "d.csv").write_bytes(text.encode(encoding))
    result = numpynn("train", "--data", "d.csv", "--epochs", "1", "--out", "r", "--quiet",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert os.path.isfile(tmp_path / "r" / "model.npz")


def test_dot_dot_from_a_directory_entered_through_a_link_names_the_shells_file(
        tmp_path, monkeypatch):
    """``cd link; numpynn train --data ../t.csv``: the shell (and its completion) reads
    '..' as the link's parent, every program as the real directory's; "not found" named
    only the real directory, or offered another file."""
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real" / "sub")
    (tmp_path / "t.csv").write_text(TABLE)
    assert numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "run", "--quiet",
                   cwd=tmp_path).returncode == 0
    monkeypatch.setenv("PWD", str(tmp_path / "link"))  # as the shell's cd sets it
    for argv, meant in ((["train", "--data", "../t.csv", "--out", "r"], "t.csv"),
                        (["predict", "../run", "--data", "../t.csv"], "run")):
        result = numpynn(*argv, cwd=tmp_path / "link")
        _refused(result, f"which the shell calls {tmp_path / 'link'}",
                 f"the file as the shell reads the path is {tmp_path / meant}: give that")
    monkeypatch.setenv("PWD", str(tmp_path / "real" / "sub"))  # entered without the link
    result = numpynn("train", "--data", "../t.csv", "--out", "r", cwd=tmp_path / "link")
    _refused(result, f"(relative to {tmp_path / 'real' / 'sub'})")
