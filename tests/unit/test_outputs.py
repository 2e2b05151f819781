"""numpynn.outputs: what an output path may replace."""

from __future__ import annotations

import os

import pytest

from numpynn.errors import InputError
from numpynn.outputs import check_output, write_path


def test_a_write_protected_file_is_not_replaced(tmp_path):
    """An atomic replace is a rename, which a file's own permissions do not stop: a file
    kept read-only on purpose (chmod 444) was replaced without a word."""
    kept = tmp_path / "kept.csv"
    kept.write_text("a,b\n1,2\n")
    os.chmod(kept, 0o444)
    with pytest.raises(InputError, match="write-protected.*chmod u\\+w"):
        write_path(kept, lambda fh: fh.write(b"x\n"), what="`output`")
    assert kept.read_text() == "a,b\n1,2\n"
    os.chmod(kept, 0o644)
    write_path(kept, lambda fh: fh.write(b"x\n"), what="`output`")
    assert kept.read_text() == "x\n"
    assert check_output(tmp_path / "new.csv") == "missing"
