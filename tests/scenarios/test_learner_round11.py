"""``numpynn gradcheck --file``, the eleventh learner round: habits whose bug the checker
named wrongly, named no kind for, or passed. ``dscores *= 1 // N`` (Python 2's integer
division: a factor of 0) was named "mask"; gradients clipped inside loss FAILed naming no
kind; a one-hot matrix sized from the labels (``np.eye(y.max() + 1)[y]``) passed, the
checks' labels holding every class; grads under the key 'w1' for 'W1' said nothing of the
spelling; ``dx = dout; dx[x <= 0] = 0`` (editing the caller's dout) passed without a word.
PyTorch's (out, in) weight layout and a ReLU backward masked by its output pass. Each
test fails on the code before this round."""

from __future__ import annotations

from pathlib import Path

import pytest

from numpynn.cli.gradcheck_cmd import load_user_module
from numpynn.gradcheck.checks import FAIL, PASS
from numpynn.gradcheck.corpus import (
    ELEVENTH_ROUND_CORRECT,
    ELEVENTH_ROUND_FILES,
    ELEVENTH_ROUND_MUTATIONS,
    _replaced,
    names_kind,
)
from numpynn.gradcheck.file import check_module


def _check(tmp_path: Path, base: str, pairs: tuple[tuple[str, str], ...]):  # noqa: ANN202
    path = tmp_path / "learner.py"
    path.write_text(_replaced(ELEVENTH_ROUND_FILES[base], pairs), encoding="utf-8")
    return check_module(load_user_module(str(path)), timing=False)


@pytest.mark.parametrize("name", [n for n, (_, _, k) in ELEVENTH_ROUND_MUTATIONS.items() if k])
def test_eleventh_round_bugs_fail_naming_their_kind(tmp_path: Path, name: str) -> None:
    base, pairs, kind = ELEVENTH_ROUND_MUTATIONS[name]
    result = _check(tmp_path, base, pairs)
    assert result.verdict == FAIL and names_kind(result, kind), result.to_table()[-1500:]


def test_integer_division_is_not_called_a_mask(tmp_path: Path) -> None:
    base, pairs, _ = ELEVENTH_ROUND_MUTATIONS[
        "TwoLayerNet dividing dscores by N with Python 2's integer division (* (1 // N))"]
    table = _check(tmp_path, base, pairs).to_table()
    assert "likely bug: mask" not in table and "1 // N" in table, table[-1500:]


@pytest.mark.parametrize("name", list(ELEVENTH_ROUND_CORRECT))
def test_eleventh_round_correct_files_pass(tmp_path: Path, name: str) -> None:
    base, pairs = ELEVENTH_ROUND_CORRECT[name]
    result = _check(tmp_path, base, pairs)
    assert result.verdict == PASS, result.to_table()[-1500:]


def test_a_backward_editing_its_dout_passes_with_a_note(tmp_path: Path) -> None:
    base, pairs = ELEVENTH_ROUND_CORRECT[
        "relu_backward editing the dout it is given (dx = dout; dx[x <= 0] = 0)"]
    table = _check(tmp_path, base, pairs).to_table()
    assert "backward changed the dout it was given" in table and "dout.copy()" in table
    # the correct relu_backward (dout * (x > 0)) leaves dout as it was
    assert "backward changed the dout" not in _check(tmp_path, base, ()).to_table()


def test_a_gradient_key_spelled_otherwise_is_said(tmp_path: Path) -> None:
    base, pairs, _ = ELEVENTH_ROUND_MUTATIONS["TwoLayerNet's grads key 'w1' for the parameter 'W1'"]
    result = _check(tmp_path, base, pairs)
    assert result.verdict == FAIL
    assert "its key 'w1' is 'W1' spelled otherwise" in result.to_table()
