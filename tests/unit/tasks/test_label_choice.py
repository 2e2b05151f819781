"""Which column is the label when the user does not say (numpynn.tasks.label_choice): the
last column is kept only where the file makes it clear, otherwise the run is refused with
the candidates; the first line of a run names the label and how it was chosen."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.errors import DataError
from numpynn.runs.run import RunOptions
from numpynn.tasks import load_for_task

N = 120


def _columns(seed: int = 0) -> dict[str, list[str]]:
    """Columns of the kinds real tables have, N rows each."""
    rng = np.random.default_rng(seed)
    return {
        "measure": [f"{v:.3f}" for v in rng.normal(size=N)],
        "amount": [f"{v:.2f}" for v in rng.lognormal(3, 1, size=N)],
        "count": [str(v) for v in rng.integers(0, 17, size=N)],  # 17 whole numbers
        "codes": [str(v) for v in rng.integers(1, 4, size=N)],  # 1..3
        "yesno": list(rng.choice(["yes", "no"], size=N)),
        "flag": [str(v) for v in rng.integers(0, 2, size=N)],  # 0/1
        "region": list(rng.choice(["north", "south", "east", "west"], size=N)),
        "species": list(rng.choice([f"sp{i}" for i in range(32)], size=N * 0 + N)),
    }


def _write(path, names: list[str], columns: dict[str, list[str]], header: bool = True):
    rows = zip(*(columns[n.split(":")[0]] for n in names))
    lines = ([",".join(n.split(":")[-1] for n in names)] if header else [])
    path.write_text("\n".join(lines + [",".join(r) for r in rows]) + "\n")
    return path


def _choose(tmp_path, names: list[str], **options):
    """load_for_task on a table of the named columns ("kind:header" renames a column)."""
    path = _write(tmp_path / "t.csv", names, _columns())
    ds, task, note = load_for_task(RunOptions(data=str(path), **options))
    return ds, task.name, note


@pytest.mark.parametrize("names, why", [
    # R's OJ: the label first, a few store codes last
    (["yesno:Purchase", "measure", "amount", "codes:STORE"], "could be the label too"),
    # a yes/no label in the middle, a yes/no indicator last (hmda, cps1985, carseats)
    (["measure", "yesno:deny", "amount", "flag:married"], "could be the label too"),
    # a continuous last column and a 0/1 column (Boston's chas) or class codes (R's wine)
    (["measure", "flag:chas", "amount:medv"], "could be the label too"),
    (["codes:Type", "measure", "amount:Proline"], "could be the label too"),
    # codes last and other codes (auto-mpg written with origin last)
    (["amount:mpg", "codes:cylinders", "measure", "count:origin"], "could be the label"),
    # a text category last and other text categories (titanic, womenlf)
    (["yesno:survived", "region:embarked", "measure", "region:deck"], "could be the label"),
    # a column named like the label, the last one not (species with 32 classes, first)
    (["species", "measure", "amount:width"], "while another column is"),
    (["measure", "codes:target", "region"], "while another column is"),
    # two columns named like labels
    (["flag:target", "measure", "yesno:class"], "so do other columns' names"),
])
def test_a_table_that_does_not_say_is_refused_with_the_candidates(tmp_path, names, why):
    with pytest.raises(DataError) as info:
        _choose(tmp_path, names)
    text = str(info.value)
    assert "which column is the label?" in text and why in text
    last = names[-1].split(":")[-1]
    assert f"`label_column={last!r}`" in text  # the way to keep the last column
    candidates = [n.split(":")[-1] for n in names[:-1] if n.split(":")[0] in
                  ("yesno", "flag", "codes", "region", "species", "count")]
    assert any(f"`label_column={c!r}`" in text for c in candidates)


@pytest.mark.parametrize("names, task, why", [
    # iris: measurements and the species last
    (["measure", "amount", "region:variety"], "classification",
     "no other column looks like a label"),
    # Pima: counts among the features, a 0/1 outcome last
    (["count:pregnancies", "measure", "flag:diabetic"], "classification",
     "no other column looks like a label"),
    # California housing: all measurements, the value last
    (["measure", "amount:rooms", "amount:value"], "regression",
     "no other column looks like a label"),
    # the last column named like a label among categories and codes
    (["yesno", "region", "codes", "flag:target"], "classification", "named like a label"),
    (["species:kind", "region", "codes:Class"], "classification", "named like a label"),
])
def test_a_table_that_says_trains_on_its_last_column_and_names_it(tmp_path, names, task,
                                                                  why):
    ds, chosen, note = _choose(tmp_path, names)
    last = names[-1].split(":")[-1]
    assert chosen == task and ds.table.label_name == last
    first = note.splitlines()[0]
    assert first.startswith(f"label: {last!r} (column index {len(names) - 1})") and why in first


def test_a_named_label_column_is_said_so(tmp_path):
    ds, task, note = _choose(tmp_path, ["yesno:Purchase", "measure", "codes:STORE"],
                             label_column="Purchase")
    assert task == "classification" and list(ds.classes) == ["no", "yes"]
    assert note == "label: 'Purchase' (column index 0), as `label_column` names it."


def test_a_regression_asked_for_looks_only_at_names_of_numeric_columns(tmp_path):
    """Text named like a label cannot be a regression's target: the last column is it;
    a numeric column named ``target`` could be, and is asked about."""
    _, task, note = _choose(tmp_path, ["species", "measure", "amount:width"],
                            task="regression")
    assert task == "regression" and note.startswith("label: 'width' (column index 2)")
    with pytest.raises(DataError, match="while another column is"):
        _choose(tmp_path, ["measure:target", "amount", "amount:width"], task="regression")


def test_a_file_without_a_header_takes_its_last_column_and_says_so(tmp_path):
    path = _write(tmp_path / "t.csv", ["yesno", "measure", "region"], _columns(),
                  header=False)
    ds, task, note = load_for_task(RunOptions(data=str(path)))
    assert task.name == "classification" and len(ds.classes) == 4
    assert note.startswith("label: column index 2, the last one (the file has no header")


def test_the_refusal_names_numeric_columns_for_a_regression(tmp_path):
    with pytest.raises(DataError) as info:
        _choose(tmp_path, ["amount:wage", "measure", "region", "yesno:married"])
    assert "A regression predicts a column of numbers, such as 'wage', 'measure'" in str(
        info.value)


def test_the_refusal_names_numeric_columns_when_the_last_column_holds_numbers(tmp_path):
    """R's Sacramento (longitude last, price in the middle) and txhousing: the last column
    is an amount, and the column to predict may be another amount; the refusal names the
    columns of numbers as well as the class-like ones."""
    with pytest.raises(DataError) as info:
        _choose(tmp_path, ["region", "amount:price", "measure", "yesno:married",
                           "measure:longitude"])
    message = str(info.value)
    assert "which column is the label?" in message
    assert "A regression predicts a column of numbers, such as 'price', 'measure'" in message


def test_the_cli_prints_the_label_first_and_refuses_with_flags(tmp_path):
    from tests.clirun import numpynn, ok
    _write(tmp_path / "t.csv", ["yesno:Purchase", "measure", "amount", "codes:STORE"],
           _columns())
    proc = numpynn("train", "--data", "t.csv", "--epochs", "1", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--label-column Purchase" in proc.stderr and "--label-column STORE" in proc.stderr
    assert not (tmp_path / "run").exists()
    out = ok(numpynn("train", "--data", "t.csv", "--label-column", "Purchase", "--epochs",
                     "1", "--no-report", "--out", "run", cwd=tmp_path))
    assert out.splitlines()[0] == "label: 'Purchase' (column index 0), as --label-column names it."
