"""``numpynn gradcheck --file``: a learner's CS231n layers, checked end to end; svm_loss."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from numpynn.gradcheck import check_array
from numpynn.losses import svm_loss

from .test_cli import numpynn, ok

CORRECT = '''
import numpy as np

def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = np.sum(dout, axis=0)
    return dx, dw, db

def relu_forward(x):
    return np.maximum(0, x), x

def relu_backward(dout, cache):
    dx = dout            # in place, as many learners write it
    dx[cache <= 0] = 0
    return dx

def sigmoid_forward(x):
    s = 1 / (1 + np.exp(-x))
    return s, s

def sigmoid_backward(dout, s):
    dout *= s * (1 - s)
    return dout

def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps))

def batchnorm_backward_alt(dout, cache):
    xhat, gamma, std = cache
    N = dout.shape[0]
    dgamma = np.sum(dout * xhat, axis=0)
    dbeta = np.sum(dout, axis=0)
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    return dx, dgamma, dbeta

def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = (np.random.rand(*x.shape) < p) / p
    return x * mask, mask

def dropout_backward(dout, mask):
    return dout * mask

def softmax_loss(x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    P = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    N = x.shape[0]
    loss = -np.log(P[np.arange(N), y]).mean()
    P[np.arange(N), y] -= 1
    return loss, P / N
'''


def write(tmp_path, text, name="layers.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_correct_learner_layers_pass(tmp_path):
    write(tmp_path, CORRECT)
    out = ok(numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path, timeout=300))
    for title in ("affine_forward / affine_backward", "relu_forward / relu_backward",
                  "sigmoid_forward / sigmoid_backward",
                  "batchnorm_forward / batchnorm_backward_alt",
                  "dropout_forward / dropout_backward", "softmax_loss"):
        assert title in out
    assert "vs numpynn's affine" in out and "softmax_loss vs numpynn's" in out
    assert "FAIL" not in out
    assert "not checked: batchnorm_forward (no batchnorm_backward)" not in out


def test_buggy_learner_layers_fail_and_are_named(tmp_path):
    buggy = CORRECT.replace("db = np.sum(dout, axis=0)", "db = np.sum(dout, axis=0) / x.shape[0]")
    buggy = buggy.replace("dout *= s * (1 - s)", "dout *= s * (1 - s) * 1.0001")
    write(tmp_path, buggy)
    proc = numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    failed = proc.stdout.strip().splitlines()[-1]
    assert failed.startswith("FAILED:")
    assert "affine_forward / affine_backward" in failed
    assert "sigmoid_forward / sigmoid_backward" in failed
    assert "relu" not in failed and "softmax" not in failed
    assert "b: FAIL at [" in proc.stdout


def test_a_forward_that_differs_from_numpynn_fails_the_reference_check(tmp_path):
    # Consistent with its own backward (so the numerical check passes), but not ReLU.
    write(tmp_path, '''
        import numpy as np
        def relu_forward(x):
            return np.maximum(0, x) * 2, x
        def relu_backward(dout, x):
            return dout * 2 * (x > 0)
    ''')
    proc = numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert "relu_forward / relu_backward vs numpynn's relu" in proc.stdout
    assert "numerical gradients" in proc.stdout


def test_a_raising_layer_is_a_failure_with_its_message(tmp_path):
    write(tmp_path, '''
        def relu_forward(x):
            return x, x
        def relu_backward(dout, cache):
            raise NotImplementedError("TODO")
    ''')
    proc = numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "NotImplementedError: TODO" in proc.stdout


@pytest.mark.parametrize("text, message", [
    ("def affine_forward(x:\n", "syntax error at line 1"),
    ("import no_such_module_xyz\n", "ModuleNotFoundError"),
    ("def helper():\n    pass\n", "no CS231n-named layer found"),
])
def test_unusable_files_exit_2_with_one_line(tmp_path, text, message):
    write(tmp_path, text)
    proc = numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_missing_file_exits_2(tmp_path):
    proc = numpynn("gradcheck", "--file", "nope.py", cwd=tmp_path)
    assert proc.returncode == 2 and "no such file" in proc.stderr


def svm_loss_naive(x, y):
    n, c = x.shape
    loss, dx = 0.0, np.zeros_like(x)
    for i in range(n):
        for j in range(c):
            if j == y[i]:
                continue
            margin = x[i, j] - x[i, y[i]] + 1
            if margin > 0:
                loss += margin
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    return loss / n, dx / n


def test_svm_loss_matches_the_loops_and_its_numerical_gradient():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((7, 5)), rng.integers(0, 5, 7)
    loss, dx = svm_loss(x, y)
    want_loss, want_dx = svm_loss_naive(x, y)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    np.testing.assert_allclose(dx, want_dx, atol=1e-15)
    assert dx.shape == x.shape
    work = x.copy()
    assert check_array("x", dx, lambda: svm_loss(work, y)[0], work).verdict == "pass"


def test_other_signatures_are_skipped_not_failed(tmp_path):
    write(tmp_path, '''
        import numpy as np
        def leaky_relu_forward(x, alpha):
            return np.where(x > 0, x, alpha * x), (x, alpha)
        def leaky_relu_backward(dout, cache):
            x, alpha = cache
            return dout * np.where(x > 0, 1, alpha)
        def tanh_forward(x):
            t = np.tanh(x)
            return t, t
        def tanh_backward(dout, t):
            return dout * (1 - t ** 2)
    ''')
    out = ok(numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path))
    assert "not checked: leaky_relu_forward: called with (x)" in out
    assert "tanh_forward / tanh_backward: numerical gradients" in out
