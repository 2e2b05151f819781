"""``numpynn gradcheck --file``, the seventh learner round: learners' files the checker
listed as not checked (assignment 3's RNN, LSTM and word embedding), passed although they
were wrong (an integer parameter), or named wrongly or vaguely (a softmax normalised over
axis 0 called "mask", ``dscores -= 1`` called ``dscores[:, y] -= 1``, the SVM without its
margin, a linear loss read after an aliased edit, a loss divided by N twice, a loop that
assigns a gradient it must add up). Each test fails on the code before this round."""

from __future__ import annotations

import pytest

from numpynn.gradcheck.checks import FAIL
from numpynn.gradcheck.corpus import (
    LEARNER_RNN,
    SEVENTH_ROUND_CORRECT,
    SEVENTH_ROUND_FILES,
    SEVENTH_ROUND_MUTATIONS,
    _module_from,
    _replaced,
    names_kind,
)
from numpynn.gradcheck.file import check_module
from tests.clirun import gradcheck_here

#: what each mutation's report must say (besides its kind), which the code before did not
SAID = {
    "rnn_backward not carrying dprev_h back through time": "dh[:, t] + dprev_h",
    "rnn_backward assigning dWx in the loop over time (dWx = dWx_t)": "dWx is the first time",
    "rnn_step_backward taking tanh of the cached output again": "rnn_step_forward / rnn_step",
    "rnn_step_backward averaging db over the batch": "rnn_step_forward / rnn_step_backward",
    "lstm_backward restarting dprev_c at zeros every step": "lstm_forward / lstm_backward",
    "lstm_step_backward without tanh's derivative on the cell": "lstm_step_forward",
    "lstm_backward not carrying dprev_h back through time": "lstm_forward / lstm_backward",
    "word_embedding_backward with dW[x] += dout (repeated words added once)": "np.add.at",
    "assignment-1 net subtracting 1 from every entry of dscores (dscores -= 1)":
        "(dscores -= 1)",
    "assignment-1 net normalising the softmax over axis 0": "not axis=0",
    "assignment-1 net with integer biases (np.zeros(size, dtype=int))": "b1 an array of int",
    "svm_loss_naive without the margin's + 1": "without its margin",
    "svm_loss_vectorized computing its loss after binary = margins is edited":
        "dW equals numpynn's but its loss does not",
    "softmax_loss_naive dividing the loss by N twice": "divided by N twice",
    "softmax_loss_vectorized normalising over axis 0": "not axis=0",
    "svm_loss without the margin's + 1": "without its margin",
    "conv backward assigning db per example (db = dout[n].sum(...))":
        "db is the last example's",
}


def check(tmp_path, text, name="learner7"):
    # imported as the corpus imports it (assignment 1's "from past.builtins import xrange"
    # with its stand-in where the package future is not installed)
    return check_module(_module_from(text, name, str(tmp_path)), timing=False)


def test_every_mutation_says_what_it_is():
    assert set(SAID) == set(SEVENTH_ROUND_MUTATIONS)


@pytest.mark.parametrize("name", list(SEVENTH_ROUND_MUTATIONS))
def test_a_seventh_round_bug_fails_and_is_named(tmp_path, name):
    base, pairs, kind = SEVENTH_ROUND_MUTATIONS[name]
    result = check(tmp_path, _replaced(SEVENTH_ROUND_FILES[base], pairs))
    table = result.to_table()
    assert result.verdict == FAIL, table
    assert SAID[name] in table, table
    if kind is not None:
        assert names_kind(result, kind), table


@pytest.mark.parametrize("name", [n for n, (base, _) in SEVENTH_ROUND_CORRECT.items()
                                  if base in ("rnn", "lstm")])
def test_assignment_3s_recurrent_functions_are_checked_and_pass(tmp_path, name):
    base, pairs = SEVENTH_ROUND_CORRECT[name]
    result = check(tmp_path, _replaced(SEVENTH_ROUND_FILES[base], pairs))
    assert result.verdict == "pass", result.to_table()
    titles = " ".join(r.title for r in result.reports)
    want = (["rnn_step_forward / rnn_step_backward", "rnn_forward / rnn_backward"]
            if base == "rnn" else ["lstm_step_forward / lstm_step_backward",
                                   "lstm_forward / lstm_backward",
                                   "word_embedding_forward / word_embedding_backward"])
    for title in want:
        assert title in titles, titles
    assert not result.skipped, result.skipped


def test_the_axis_0_softmax_is_not_called_a_mask(tmp_path):
    base, pairs, _ = SEVENTH_ROUND_MUTATIONS[
        "assignment-1 net normalising the softmax over axis 0"]
    result = check(tmp_path, _replaced(SEVENTH_ROUND_FILES[base], pairs))
    kinds = {r.kind for rep in result.reports for r in rep.rows if r.verdict == FAIL}
    assert kinds == {"loss value"}, result.to_table()


def test_the_cli_checks_an_rnn_file(tmp_path):
    (tmp_path / "rnn_layers.py").write_text(
        _replaced(LEARNER_RNN, (("rnn_step_backward(dh[:, t, :] + dprev, cache[t])",
                                 "rnn_step_backward(dh[:, t, :], cache[t])"),)),
        encoding="utf-8")
    result = gradcheck_here("--file", "rnn_layers.py", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED: rnn_forward / rnn_backward" in result.stdout, result.stdout
    assert "likely bug: accumulate" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
