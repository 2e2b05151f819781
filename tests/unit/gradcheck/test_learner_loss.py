"""A learner's model ``loss``: what its gradients cannot show (learner round five).

Each bug here passed ``gradcheck --file`` before (or FAILed naming no kind, or the wrong
one): the check passes copies of X, a loss and gradient that agree with each other pass
any gradient check, a softmax without the max shift is right on small scores. Each is
now a FAIL that names the kind and says what to fix; the correct variants still pass."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.gradcheck.checks import FAIL, PASS, check_gradients
from numpynn.gradcheck.corpus import (
    A1_NET_CHOICES,
    A1_NET_LOSS_MUTATIONS,
    A1_NET_RAISING,
    FILE_MUTATIONS,
    FILE_VARIANTS,
    LEARNER_A1_NET,
    LEARNER_LAYERS,
    LEARNER_MODEL,
    MODEL_LOSS_MUTATIONS,
    _optim_text,
)
from numpynn.gradcheck.file import check_module

from .test_file import module_of
from .test_learner_files import run_cli


def check(tmp_path, text):
    return check_module(module_of(tmp_path, text), timing=False)


def failing(result):
    return [r for rep in result.reports for r in rep.rows if r.verdict == FAIL]


@pytest.mark.parametrize("name, says", [
    ("TwoLayerNet softmax without the max shift (overflows on large scores)",
     ["b2 + 1000", "subtract each row's max"]),
    ("TwoLayerNet.loss centring the caller's X in place (X -= X.mean(axis=0))",
     ["changed the caller's X", "X = X - X.mean(axis=0)"]),
    ("TwoLayerNet.loss scaling the caller's X in place (X /= 2)",
     ["loss(X, y) changed the caller's X", "loss(X) changed the caller's X"]),
    ("TwoLayerNet.loss returning the loss as an array of shape (1,)",
     ["an array of shape (1,)", "one number"]),
    ("TwoLayerNet.loss returning the loss as an array of shape (1, 1)",
     ["an array of shape (1, 1)", "float(loss)"]),
    ("TwoLayerNet.loss returning grads['b2'] as float32",
     ["grads['b2'] is float32 where b2 is float64"]),
    ("TwoLayerNet regularising its biases, in the loss and the gradients alike",
     ["the penalty includes b1, b2", "weights W only"]),
    ("TwoLayerNet leaving W2 out of the penalty and its gradient alike",
     ["W2 is left out of the penalty"]),
    ("TwoLayerNet without any penalty, in the loss and the gradients alike",
     ["the same at reg = 0", "no penalty"]),
    ("TwoLayerNet dividing dscores by C (the number of classes) instead of N",
     ["N / 4", "C, the number of classes"]),
    ("TwoLayerNet summing the loss over the batch, its gradient summed too",
     ["x 5 = N times", "summed over the batch", "divide it by N"]),
    ("TwoLayerNet averaging the loss over all N x C entries, its gradient too",
     ["1 / C times", "average over the examples only"]),
    ("TwoLayerNet's loss from probs[y], the rows numbered by the labels",
     ["probs[y] (the rows numbered by the labels", "probs[np.arange(N), y]"]),
    ("TwoLayerNet's loss from probs[:, y], the columns of the labels",
     ["probs[:, y] (the columns of the labels", "probs[np.arange(N), y]"]),
    ("TwoLayerNet subtracting 1 at the labels' columns in every row (dscores[:, y] -= 1)",
     ["dscores[:, y] -= 1 subtracts 1 in every row", "dscores[np.arange(N), y] -= 1"]),
    ("TwoLayerNet taking the ReLU mask from the upstream gradient (dh1[dh1 <= 0] = 0)",
     ["mask taken from the upstream gradient", "dh1[h1 <= 0] = 0"]),
])
def test_an_a1_net_bug_its_gradients_hide_is_a_fail_naming_it(tmp_path, name, says):
    pairs, kind = A1_NET_LOSS_MUTATIONS[name]
    result = check(tmp_path, _optim_text(pairs, LEARNER_A1_NET))
    table = result.to_table()
    assert result.verdict == FAIL, table
    assert kind in result.kinds, table
    if "probs[" not in name:  # a loss alone wrong: its gradients FAIL too, by other kinds
        assert all(r.kind == kind for r in failing(result)), table
    for text in says:
        assert text in table, (text, table)


@pytest.mark.parametrize("name", list(A1_NET_CHOICES))
def test_an_a1_net_written_another_correct_way_passes(tmp_path, name):
    result = check(tmp_path, _optim_text(A1_NET_CHOICES[name], LEARNER_A1_NET))
    assert result.verdict == PASS, result.to_table()


def test_the_a1_penalty_of_older_years_passes_with_a_note(tmp_path):
    result = check(tmp_path, _optim_text(
        A1_NET_CHOICES["penalty 0.5 * reg * sum(W^2) with its gradient reg * W"],
        LEARNER_A1_NET))
    assert result.verdict == PASS
    assert "0.5 * reg * sum(W^2)" in result.to_table()


@pytest.mark.parametrize("name", list(MODEL_LOSS_MUTATIONS))
def test_a_fully_connected_net_bug_its_gradients_hide_is_named(tmp_path, name):
    old, new, kind = MODEL_LOSS_MUTATIONS[name]
    result = check(tmp_path, LEARNER_MODEL.replace(old, new))
    assert result.verdict == FAIL and kind in result.kinds, result.to_table()


def test_a_loss_that_edits_x_is_not_blamed_on_test_mode(tmp_path):
    """``X -= X.mean(axis=0)`` makes test-mode scores depend on the batch: it was named
    "test mode" (batch norm or dropout); the cause is the edit of X."""
    pairs, _ = A1_NET_LOSS_MUTATIONS[
        "TwoLayerNet.loss centring the caller's X in place (X -= X.mean(axis=0))"]
    result = check(tmp_path, _optim_text(pairs, LEARNER_A1_NET))
    assert "test mode" not in result.kinds, result.to_table()


class _Net:
    """An affine - ReLU - affine - softmax net, X (N, D), whose dscores are divided by
    ``by`` (the number of classes where the loss divides by N)."""

    def __init__(self, D, H, C, by_classes):
        rng = np.random.default_rng(3)
        self.params = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal(H),
                       "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C)}
        self.by_classes, self.reg = by_classes, 0.0

    def loss(self, X, y):
        p = self.params
        h = np.maximum(0, X @ p["W1"] + p["b1"])
        s = h @ p["W2"] + p["b2"]
        e = np.exp(s - s.max(axis=1, keepdims=True))
        P = e / e.sum(axis=1, keepdims=True)
        N = X.shape[0]
        loss = -np.log(P[np.arange(N), y]).sum() / N
        ds = P.copy()
        ds[np.arange(N), y] -= 1
        ds /= s.shape[1] if self.by_classes else N
        dh = ds @ p["W2"].T * (h > 0)
        return loss, {"W1": X.T @ dh, "b1": dh.sum(0), "W2": h.T @ ds, "b2": ds.sum(0)}


def test_a_factor_made_of_the_number_of_classes_is_said_so_and_hides_where_n_equals_c():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 4, 5)
    report = check_gradients(_Net(3, 6, 4, True), X, y)
    assert report.verdict == FAIL and "factor" in report.kinds
    assert "N / 4" in report.to_table() and "number of classes" in report.to_table()
    # the same bug with N = C: invisible, which is why the checks use distinct sizes
    assert check_gradients(_Net(3, 6, 5, True), X, rng.integers(0, 5, 5)).verdict == PASS
    assert check_gradients(_Net(3, 6, 4, False), X, y).verdict == PASS


def test_batchnorm_updating_its_running_averages_in_test_mode_is_a_fail(tmp_path):
    """Its test-mode output is right (it normalises before it updates), so it passed."""
    old, new, kind = FILE_MUTATIONS[
        "batchnorm_forward updating its running averages with the test batch in test mode"]
    result = check(tmp_path, LEARNER_LAYERS.replace(old, new))
    table = result.to_table()
    assert result.verdict == FAIL and result.kinds == [kind], table
    assert "a test-mode call changed bn_param['running_mean']" in table
    assert "running_var after test mode" in table
    assert check(tmp_path, LEARNER_LAYERS).verdict == PASS


def test_a_net_returning_probabilities_in_test_mode_is_not_a_loss_value_fail(tmp_path):
    """Its argmax is the scores' (check_accuracy is right): its data loss is compared
    with -mean(log p_y) of those probabilities, not with their softmax loss."""
    text = LEARNER_A1_NET.replace(
        "        if y is None:\n            return scores\n",
        "        if y is None:\n            e = np.exp(scores - scores.max(axis=1, "
        "keepdims=True))\n            return e / e.sum(axis=1, keepdims=True)\n")
    assert text != LEARNER_A1_NET
    result = check(tmp_path, text)
    assert "loss value" not in result.kinds, result.to_table()


@pytest.mark.parametrize("name", list(A1_NET_RAISING))
def test_labels_used_as_one_hot_rows_say_so(tmp_path, name):
    """The broadcast error of (N,) labels against N x C said only "a shape mismatch"."""
    pairs, says = A1_NET_RAISING[name]
    result = check(tmp_path, _optim_text(pairs, LEARNER_A1_NET))
    assert result.verdict == FAIL and says in result.to_table(), result.to_table()
    assert "np.eye(C)[y]" in result.to_table()


def test_a_test_mode_returning_a_tuple_is_named_by_the_test_mode_check(tmp_path):
    """The data-loss row reads loss(X) too: it leaves a tuple to the test-mode check."""
    text = LEARNER_A1_NET.replace("        if y is None:\n            return scores\n",
                                  "        if y is None:\n            return scores, {}\n")
    assert text != LEARNER_A1_NET
    table = check(tmp_path, text).to_table()
    assert "(y=None: test mode) returned a tuple" in table, table


def test_the_command_fails_a_net_without_the_max_shift_and_names_overflow(tmp_path):
    pairs, _ = A1_NET_LOSS_MUTATIONS[
        "TwoLayerNet softmax without the max shift (overflows on large scores)"]
    proc = run_cli(tmp_path, _optim_text(pairs, LEARNER_A1_NET), "neural_net.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "likely bug: overflow:" in proc.stdout and "b2 + 1000" in proc.stdout


def test_a_relu_forward_editing_x_in_place_passes_with_a_note(tmp_path):
    """Idempotent, so calling it again gives the same output and its gradients are right:
    a pass (no false FAIL), but no silent one: the note says the caller's x is edited."""
    old, new = FILE_VARIANTS["relu_forward editing x in place (x[x < 0] = 0), right and noted"]
    result = check(tmp_path, LEARNER_LAYERS.replace(old, new))
    assert result.verdict == PASS, result.to_table()
    assert "relu_forward edited its input x in place" in result.to_table()
    assert "edited its input" not in check(tmp_path, LEARNER_LAYERS).to_table()


def test_a_penalty_reading_another_attribute_than_reg_is_not_called_missing(tmp_path):
    """The check sets model.reg = 0 to read the penalty; a net that keeps reg under another
    name too (self.l2 = reg) has a penalty model.reg does not move: no FAIL for that."""
    text = LEARNER_MODEL.replace(
        "        self.normalization, self.reg = normalization, reg\n",
        "        self.normalization, self.reg, self.l2 = normalization, reg, reg\n").replace(
        'loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)',
        'loss += 0.5 * self.l2 * np.sum(self.params[f"W{i}"] ** 2)').replace(
        'grads[f"W{i}"] += self.reg * self.params[f"W{i}"]',
        'grads[f"W{i}"] += self.l2 * self.params[f"W{i}"]')
    assert text.count("self.l2") == 3
    result = check(tmp_path, text)
    assert "regularisation" not in result.kinds and "loss value" not in result.kinds, \
        result.to_table()
    # without any penalty, in the loss and the gradients alike: still named
    bare = LEARNER_MODEL.replace(
        '            loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)\n', "").replace(
        '            grads[f"W{i}"] += self.reg * self.params[f"W{i}"]\n', "            pass\n")
    assert "no penalty" in check(tmp_path, bare).to_table()
