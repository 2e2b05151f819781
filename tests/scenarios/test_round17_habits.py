"""Command-line habits of other tools, round 17 of the probes (branch habits17).

``--format json`` (kubectl's, the AWS CLI's, pip's) was refused with no hint, where
``--json`` was answered with where numpynn's JSON is.
"""

from __future__ import annotations

import pytest

from tests.clirun import numpynn


@pytest.mark.parametrize("argv,said", [
    (["predict", "m.npz", "--data", "t.csv", "--format", "json"],
     "numpynn predict writes a CSV table (--output FILE.csv)"),
    (["evaluate", "m.npz", "--data", "t.csv", "--format=json"],
     "numpynn evaluate prints a table, or JSON with --json"),
    (["train", "--data", "t.csv", "--output-format", "json"], "history.json"),
])
def test_an_output_format_flag_says_where_the_json_is(tmp_path, argv, said):
    (tmp_path / "t.csv").write_text("a,label\n1,x\n2,y\n")
    result = numpynn(*argv, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert said in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
