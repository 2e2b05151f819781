"""What numpynn writes for people and tools to read back, probed in round 15: the
prediction table's bytes (file names that are not UTF-8, a standard output of another
encoding) and the graphs ``numpynn export`` writes."""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.clirun import numpynn


def _image_model(root: Path) -> None:
    rng = np.random.default_rng(5)
    for name, level in (("dark", 0), ("bright", 140)):
        (root / "pets" / name).mkdir(parents=True)
        for i in range(6):
            pixels = rng.integers(level, level + 110, size=(6, 5, 3)).astype(np.uint8)
            Image.fromarray(pixels).save(root / "pets" / name / f"{i}.png")
    proc = numpynn("train", "--data", "pets", "--epochs", "2", "--out", "run", "--quiet",
                   "--no-report", cwd=root)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="file names of any bytes: Linux's")
def test_an_image_whose_name_is_not_utf8_is_named_by_its_own_bytes(tmp_path):
    """A Latin-1 file name (b'caf\\xe9.png') used to end predict --output in a
    UnicodeEncodeError traceback; it is written as its bytes, which name the file."""
    _image_model(tmp_path)
    new = tmp_path / "new"
    new.mkdir()
    names = [b"caf\xe9.png", "été.png".encode(), b"a,b.png"]
    for name in names:
        Image.fromarray(np.zeros((6, 5, 3), np.uint8)).save(os.path.join(bytes(new), name))
    proc = numpynn("predict", "run", "--data", "new", "--output", "p.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = (tmp_path / "p.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"))))
    assert sorted(os.fsencode(r[0]) for r in rows[1:]) == sorted(names)
    assert all(os.path.exists(os.path.join(bytes(new), os.fsencode(r[0]))) for r in rows[1:])


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_predictions_on_a_redirected_stdout_of_another_encoding_are_the_files_bytes(
        tmp_path, monkeypatch, encoding):
    """`numpynn predict ... > p.csv` where stdout's encoding is not UTF-8 (a Windows
    console's cp1252, PYTHONIOENCODING) wrote a class name it cannot hold as backslash
    escapes ('\\u65e5'), a wrong label, and others in cp1252: the bytes differ from
    --output's. Now both are the same UTF-8 file."""
    from numpynn.cli.main import main

    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    labels = np.where(x > 0, "日本", "café")
    (tmp_path / "t.csv").write_text(
        "x,label\n" + "".join(f"{v:.3f},{c}\n" for v, c in zip(x, labels)), encoding="utf-8")
    (tmp_path / "new.csv").write_text("x\n2.5\n-2.5\n", encoding="utf-8")
    assert numpynn("train", "--data", "t.csv", "--epochs", "20", "--lr", "0.05", "--out",
                   "run", "--quiet", "--no-report", cwd=tmp_path).returncode == 0
    assert numpynn("predict", "run", "--data", "new.csv", "--proba", "--output", "p.csv",
                   cwd=tmp_path).returncode == 0
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding=encoding, newline="", write_through=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["predict", "run", "--data", "new.csv", "--proba"]) == 0
    stdout.flush()
    assert raw.getvalue() == (tmp_path / "p.csv").read_bytes()
    assert "日本" in raw.getvalue().decode("utf-8")


def test_predictions_are_never_written_over_the_table_the_model_was_trained_on(tmp_path):
    """predict --output train.csv (the model's own training table, not this command's
    --data) replaced the labelled data with a prediction table; it is refused, exit 2,
    by any spelling of its path, the file untouched."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=40)
    table = "x,label\n" + "".join(f"{v:.3f},{'ab'[int(v > 0)]}\n" for v in x)
    (tmp_path / "train.csv").write_text(table, encoding="utf-8")
    (tmp_path / "new.csv").write_text("x\n1.0\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert numpynn("train", "--data", "train.csv", "--epochs", "2", "--out", "run",
                   "--quiet", "--no-report", cwd=tmp_path).returncode == 0
    for output, cwd in (("train.csv", tmp_path), ("../train.csv", tmp_path / "sub"),
                        (str(tmp_path / "train.csv"), tmp_path / "sub")):
        proc = numpynn("predict", tmp_path / "run", "--data", tmp_path / "new.csv",
                       "--output", output, cwd=cwd)
        assert proc.returncode == 2, proc.stderr
        assert "the data the model was trained on" in proc.stderr
        assert (tmp_path / "train.csv").read_text(encoding="utf-8") == table
    proc = numpynn("predict", "run", "--data", "new.csv", "--output", "p.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # the library call that writes the table refuses it as well
    from numpynn.errors import InputError
    from numpynn.model_file import load_model
    from numpynn.runs.predictions import write_predictions

    with pytest.raises(InputError, match="trained on"):
        write_predictions(tmp_path / "train.csv", load_model(tmp_path / "run"),
                          np.array([[1.0]]))
    assert (tmp_path / "train.csv").read_text(encoding="utf-8") == table
