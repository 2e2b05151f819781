"""``numpynn gradcheck --file``, the ninth learner round: CS231n's newer course versions
(2020-2024). The course's own ``dropout_forward`` docstring since 2019 ("Forward pass for
inverted dropout. Note that this is different from the vanilla version of dropout.") was
read as vanilla dropout, so a correct layer and net FAILed; a FullyConnectedNet passing
``1 - dropout_keep_ratio`` as dropout's p passed (the checks build it at 0.5); assignment 3's
``temporal_affine_*`` was listed as not checked and ``temporal_softmax_loss`` ignored.
Each test fails on the code before this round."""

from __future__ import annotations

from pathlib import Path

import pytest

from numpynn.cli.gradcheck_cmd import load_user_module
from numpynn.gradcheck.checks import FAIL, PASS
from numpynn.gradcheck.file import check_module, says_vanilla

COURSE_DROPOUT = '''\
import numpy as np


def dropout_forward(x, dropout_param):
    """Forward pass for inverted dropout.

    Note that this is different from the vanilla version of dropout.
    Here, p is the probability of keeping a neuron output, as opposed to
    the probability of dropping a neuron output.
    See http://cs231n.github.io/neural-networks-2/#reg for more details.

    Inputs:
    - x: Input data, of any shape
    - dropout_param: A dictionary with the following keys:
      - p: Dropout parameter. We keep each neuron output with probability p.
      - mode: 'test' or 'train'.
      - seed: Seed for the random number generator.
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    else:
        out = x
    out = out.astype(x.dtype, copy=False)
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout * mask if dropout_param["mode"] == "train" else dout
'''

NET = COURSE_DROPOUT + '''

def affine_forward(x, w, b):
    return x.reshape(x.shape[0], -1).dot(w) + b, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    return (dout.dot(w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T.dot(dout),
            dout.sum(axis=0))


def softmax_loss(x, y):
    N = x.shape[0]
    s = x - x.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    dx = np.exp(logp)
    dx[np.arange(N), y] -= 1
    return -logp[np.arange(N), y].sum() / N, dx / N


class FullyConnectedNet(object):
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10,
                 dropout_keep_ratio=1, reg=0.0,
                 weight_scale=1e-2, dtype=np.float32, seed=None):
        self.use_dropout = dropout_keep_ratio != 1
        self.reg, self.L, self.params = reg, 1 + len(hidden_dims), {}
        dims = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(self.L):
            self.params["W%d" % (i + 1)] = (weight_scale * np.random.randn(
                dims[i], dims[i + 1])).astype(dtype)
            self.params["b%d" % (i + 1)] = np.zeros(dims[i + 1], dtype=dtype)
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": KEEP}
            if seed is not None:
                self.dropout_param["seed"] = seed

    def loss(self, X, y=None):
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        h, caches = X, []
        for i in range(1, self.L):
            a, ca = affine_forward(h, self.params["W%d" % i], self.params["b%d" % i])
            h = np.maximum(a, 0)
            cd = None
            if self.use_dropout:
                h, cd = dropout_forward(h, self.dropout_param)
            caches.append((ca, a, cd))
        scores, cl = affine_forward(h, self.params["W%d" % self.L],
                                    self.params["b%d" % self.L])
        if y is None:
            return scores
        loss, d = softmax_loss(scores, y)
        grads = {}
        for i in range(1, self.L + 1):
            loss += 0.5 * self.reg * np.sum(self.params["W%d" % i] ** 2)
        d, grads["W%d" % self.L], grads["b%d" % self.L] = affine_backward(d, cl)
        for i in range(self.L - 1, 0, -1):
            ca, a, cd = caches[i - 1]
            if self.use_dropout:
                d = dropout_backward(d, cd)
            d, grads["W%d" % i], grads["b%d" % i] = affine_backward(d * (a > 0), ca)
        for i in range(1, self.L + 1):
            grads["W%d" % i] += self.reg * self.params["W%d" % i]
        return loss, grads
'''

TEMPORAL = '''\
import numpy as np


def temporal_affine_forward(x, w, b):
    N, T, D = x.shape
    M = b.shape[0]
    out = x.reshape(N * T, D).dot(w).reshape(N, T, M) + b
    return out, (x, w, b, out)


def temporal_affine_backward(dout, cache):
    x, w, b, out = cache
    N, T, D = x.shape
    M = b.shape[0]
    dx = dout.reshape(N * T, M).dot(w.T).reshape(N, T, D)
    dw = dout.reshape(N * T, M).T.dot(x.reshape(N * T, D)).T
    db = dout.sum(axis=(0, 1))
    return dx, dw, db


def temporal_softmax_loss(x, y, mask, verbose=False):
    N, T, V = x.shape
    x_flat, y_flat, mask_flat = x.reshape(N * T, V), y.reshape(N * T), mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
    dx_flat = probs.copy()
    dx_flat[np.arange(N * T), y_flat] -= 1
    dx_flat /= N
    dx_flat *= mask_flat[:, None]
    return loss, dx_flat.reshape(N, T, V)
'''


def _check(tmp_path: Path, code: str):  # noqa: ANN202 - a FileCheck
    (tmp_path / "learner.py").write_text(code, encoding="utf-8")
    return check_module(load_user_module(str(tmp_path / "learner.py")), timing=False)


@pytest.mark.parametrize(("doc", "vanilla"), [
    ("Forward pass for inverted dropout. Note that this is different from the vanilla "
     "version of dropout.", False),
    ("Performs the forward pass for (inverted) dropout.", False),
    ("Inverted dropout, unlike vanilla dropout", False),
    ("Vanilla (non-inverted) dropout: scaled by p at test time", True),
    ("vanilla dropout, not inverted", True),
    ("Non-inverted dropout.", True),
])
def test_a_docstring_says_vanilla_only_of_itself(doc: str, vanilla: bool) -> None:
    assert says_vanilla(doc) is vanilla


def test_the_course_dropout_docstring_is_checked_as_inverted_dropout(tmp_path: Path) -> None:
    result = _check(tmp_path, COURSE_DROPOUT)
    assert result.verdict == PASS, [r.title for r in result.reports if r.verdict == FAIL]
    assert not any("vanilla" in n for r in result.reports for n in r.notes)


def test_a_net_on_the_course_dropout_passes(tmp_path: Path) -> None:
    result = _check(tmp_path, NET.replace("KEEP", "dropout_keep_ratio"))
    assert result.verdict == PASS, [r.title for r in result.reports if r.verdict == FAIL]


def test_a_keep_ratio_passed_as_the_drop_probability_fails(tmp_path: Path) -> None:
    result = _check(tmp_path, NET.replace("KEEP", "1 - dropout_keep_ratio"))
    rows = [row for r in result.reports for row in r.rows if row.verdict == FAIL]
    assert [row.name for row in rows] == ["dropout p"]
    assert rows[0].kind == "forward" and "1 - dropout_keep_ratio" in rows[0].kind_text


def test_temporal_layers_are_checked(tmp_path: Path) -> None:
    result = _check(tmp_path, TEMPORAL)
    titles = [r.title for r in result.reports]
    assert result.verdict == PASS and not result.skipped
    assert any(t.startswith("temporal_affine_forward") for t in titles)
    assert any(t.startswith("temporal_softmax_loss") for t in titles)


@pytest.mark.parametrize(("old", "new", "kind"), [
    ("    dx_flat *= mask_flat[:, None]\n", "", "mask"),
    ("-np.sum(mask_flat * np.log(", "-np.sum(np.log(", "mask"),
    ("    dx_flat /= N\n", "", "factor N"),
    ("db = dout.sum(axis=(0, 1))", "db = dout.sum(axis=(0, 1)) * 2", "factor 2"),
])
def test_temporal_bugs_fail_with_their_kind(tmp_path: Path, old: str, new: str,
                                            kind: str) -> None:
    assert old in TEMPORAL
    result = _check(tmp_path, TEMPORAL.replace(old, new))
    rows = [row for r in result.reports for row in r.rows if row.verdict == FAIL]
    assert result.verdict == FAIL and rows and rows[0].kind == kind
