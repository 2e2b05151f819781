"""``numpynn gradcheck --file``, the tenth learner round: the seed question's own mistakes
and the gaps round nine left. dscores N x 1 (broadcast over the classes) or with the
correct classes' entries alone, the seed question's eq. 1, FAILed naming no kind;
``dscores[y] -= 1`` too; deeplearning.ai's network without its ReLU mask named none;
temporal_softmax_loss divided by N * T (loss and dx alike) passed; spatial_batchnorm_backward
without its transpose named none; a FullyConnectedNet keeping no ``self.dropout_param``
passed 1 - dropout_keep_ratio as p unseen; a notebook's ``%%time`` cell ran nothing;
grads returned as a tuple was dict()'s own ValueError; a loss computed in float32 (with a
penalty) was said to be at ReLU kinks. Each test fails on the code before this round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from numpynn.cli.gradcheck_cmd import load_user_module
from numpynn.gradcheck.checks import FAIL, INCONCLUSIVE, PASS
from numpynn.gradcheck.corpus import (
    EIGHTH_ROUND_FILES,
    EIGHTH_ROUND_MUTATIONS,
    LEARNER_A1_NET,
    TENTH_ROUND_CORRECT,
    TENTH_ROUND_FILES,
    TENTH_ROUND_MUTATIONS,
    _replaced,
    names_kind,
)
from numpynn.gradcheck.file import check_module

SOFTMAX_NO_N = '''import numpy as np

def softmax_loss(x, y):
    N = x.shape[0]
    s = x - x.max(axis=1, keepdims=True)
    p = np.exp(s); p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean()
    dx = p.copy(); dx[np.arange(N), y] -= 1
    return loss, dx
'''


def _check(tmp_path: Path, code: str, name: str = "learner.py"):  # noqa: ANN202 - FileCheck
    (tmp_path / name).write_text(code, encoding="utf-8")
    return check_module(load_user_module(str(tmp_path / name)), timing=False)


@pytest.mark.parametrize("name", [n for n, (_, _, k) in TENTH_ROUND_MUTATIONS.items() if k])
def test_tenth_round_bugs_fail_naming_their_kind(tmp_path: Path, name: str) -> None:
    base, pairs, kind = TENTH_ROUND_MUTATIONS[name]
    result = _check(tmp_path, _replaced(TENTH_ROUND_FILES[base], pairs))
    assert result.verdict == FAIL and names_kind(result, kind), result.to_table()[-1500:]


@pytest.mark.parametrize("name", list(TENTH_ROUND_CORRECT))
def test_tenth_round_correct_files_pass(tmp_path: Path, name: str) -> None:
    base, pairs = TENTH_ROUND_CORRECT[name]
    result = _check(tmp_path, _replaced(TENTH_ROUND_FILES[base], pairs))
    assert result.verdict == PASS, result.to_table()[-1500:]


def test_deeplearning_ai_relu_backward_without_its_mask_names_mask(tmp_path: Path) -> None:
    base, pairs, kind = EIGHTH_ROUND_MUTATIONS["deeplearning.ai relu_backward without its mask"]
    result = _check(tmp_path, _replaced(EIGHTH_ROUND_FILES[base], pairs))
    assert kind == "mask" and names_kind(result, "mask"), result.to_table()[-1500:]
    rows = [row for r in result.reports for row in r.rows if row.verdict == FAIL]
    assert {row.name for row in rows} == {"W1", "b1", "W2", "b2"}  # the ReLU layers


def test_temporal_loss_over_n_times_t_says_so(tmp_path: Path) -> None:
    base, pairs, _ = TENTH_ROUND_MUTATIONS[
        "temporal_softmax_loss dividing by N * T in the loss and dx alike"]
    result = _check(tmp_path, _replaced(TENTH_ROUND_FILES[base], pairs))
    rows = [row for r in result.reports for row in r.rows if row.verdict == FAIL]
    assert [row.name for row in rows] == ["loss"]  # its gradients agree with its loss
    assert "divided by N * T" in rows[0].kind_text


@pytest.mark.parametrize("style", ["ipynb", "nbconvert"])
def test_a_time_cell_magic_runs_its_body(tmp_path: Path, style: str) -> None:
    if style == "ipynb":
        cells = ["%matplotlib inline\nimport numpy as np", "%%time\n" + SOFTMAX_NO_N,
                 "%time loss, dx = softmax_loss(np.zeros((2, 3)), np.array([0, 1]))\n"
                 "print(dx.shape)"]
        text = json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {},
                                      "outputs": [], "execution_count": None}
                                     for c in cells],
                           "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
        name = "nb.ipynb"
    else:
        text = ("#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport numpy as np\n"
                "\n\n# In[2]:\n\n\nget_ipython().run_cell_magic('time', '', "
                f"{SOFTMAX_NO_N!r})\n\n\n# In[3]:\n\n\nget_ipython().run_line_magic('time', "
                "'loss, dx = softmax_loss(np.zeros((2, 3)), np.array([0, 1]))')\n"
                "print(dx.shape)\n")
        name = "nb.py"
    result = _check(tmp_path, text, name)
    assert result.verdict == FAIL and names_kind(result, "factor N"), result.to_table()[-800:]


def test_grads_as_a_tuple_is_a_clear_error(tmp_path: Path) -> None:
    result = _check(tmp_path, LEARNER_A1_NET.replace(
        "        return loss, grads\n",
        "        return loss, (grads['W1'], grads['b1'], grads['W2'], grads['b2'])\n"))
    text = result.to_table()
    assert result.verdict == FAIL and "dictionary update sequence" not in text
    assert "gradients as a tuple of 4" in text and "'W1': dW1" in text


def test_a_loss_computed_in_float32_is_said_as_precision(tmp_path: Path) -> None:
    result = _check(tmp_path, LEARNER_A1_NET.replace(
        "h1 = np.maximum(0, X.dot(W1) + b1)",
        "X = X.astype(np.float32)\n        h1 = np.maximum(0, X.dot(W1.astype(np.float32)) + b1)"))
    rows = [row for r in result.reports for row in r.rows if row.verdict != PASS]
    assert result.verdict == INCONCLUSIVE and rows, result.to_table()[-1500:]
    assert {row.cause for row in rows} == {"precision"}
