"""``numpynn gradcheck --file`` on learners' own files: the mistakes of the kinds the
corpus holds, written by other learners (and correct files written other ways), each
with its verdict, the kind named, and a message that says where to look; never a
traceback."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.gradcheck.checks import FAIL, check_gradients, check_layer
from numpynn.gradcheck.corpus import (
    A1_NET_MUTATIONS,
    CNN_BACKWARD_MUTATIONS,
    CNN_MUTATIONS,
    FILE_CHOICES,
    FILE_MUTATIONS,
    LEARNER_A1_NET,
    LEARNER_CNN,
    LEARNER_CONVNET,
    LEARNER_LAYERS,
    LEARNER_LINEAR,
    LEARNER_OPTIM,
    LEARNER_SOLVER,
    LINEAR_MUTATIONS,
    OPTIM_MUTATIONS,
    SOLVER_MUTATIONS,
    _optim_text,
)
from numpynn.gradcheck.corpus import (
    _module_from as _corpus_module,
)
from numpynn.gradcheck.file import check_module
from tests.clirun import gradcheck_here

from .test_file import module_of, write

AFF = '''
import numpy as np

def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
'''
SOFTMAX = '''
import numpy as np

def softmax_loss(x, y):
    N = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx
'''
SVM = '''
import numpy as np

def svm_loss(x, y):
    N = x.shape[0]
    margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1.0)
    margins[np.arange(N), y] = 0
    dx = np.zeros_like(x)
    dx[margins > 0] = 1
    dx[np.arange(N), y] -= np.sum(margins > 0, axis=1)
    return np.sum(margins) / N, dx / N
'''
BN = '''
import numpy as np

def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))  # as CS231n's
    cache = None
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        xhat = (x - mu) / np.sqrt(var + eps)
        out = gamma * xhat + beta
        cache = (x, mu, var, xhat, gamma, eps)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return out, cache

def batchnorm_backward(dout, cache):
    x, mu, var, xhat, gamma, eps = cache
    N = x.shape[0]
    std = np.sqrt(var + eps)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * (x - mu) * -0.5 * std ** -3, axis=0)
    dmu = np.sum(-dxhat / std, axis=0) + dvar * np.mean(-2 * (x - mu), axis=0)
    dx = dxhat / std + dvar * 2 * (x - mu) / N + dmu / N
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
'''
DROPOUT = '''
import numpy as np

def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "test":
        return x, None
    mask = (np.random.rand(*x.shape) < p) / p
    return x * mask, mask

def dropout_backward(dout, mask):
    return dout * mask
'''
NET = '''
import numpy as np

class TwoLayerNet(object):
    def __init__(self, input_dim=3*32*32, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0):
        self.reg = reg
        self.params = {"W1": weight_scale * np.random.randn(input_dim, hidden_dim),
                       "b1": np.zeros(hidden_dim),
                       "W2": weight_scale * np.random.randn(hidden_dim, num_classes),
                       "b2": np.zeros(num_classes)}

    def loss(self, X, y=None):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        N = X.shape[0]
        z1 = X.dot(W1) + b1
        a1 = np.maximum(0, z1)
        scores = a1.dot(W2) + b2
        if y is None:
            return scores
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        a2 = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(a2[np.arange(N), y]).sum() / N
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        delta_2 = a2.copy()
        delta_2[np.arange(N), y] -= 1
        delta_2 /= N
        grads = {}
        grads["W2"] = a1.T.dot(delta_2) + self.reg * W2
        grads["b2"] = np.sum(delta_2, axis=0)
        delta_1 = delta_2.dot(W2.T) * (z1 > 0)
        grads["W1"] = X.T.dot(delta_1) + self.reg * W1
        grads["b1"] = np.sum(delta_1, axis=0)
        return loss, grads
'''


def mutate(text, *pairs):
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def run_cli(tmp_path, text, name="learner.py"):
    write(tmp_path, text, name)
    proc = gradcheck_here("--file", name, cwd=tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def rows_with(result, kind):
    return [r for rep in result.reports for r in rep.rows if r.verdict == FAIL
            and r.kind == kind]


# ------------------------------------------------------------------ correct, written other ways
@pytest.mark.parametrize("text", [
    BN,  # running_var started at zeros, as CS231n's starter code (numpynn starts at ones)
    mutate(SOFTMAX, ("    dx = probs.copy()\n    dx[np.arange(N), y] -= 1\n    dx /= N",
                     "    dx = (probs - np.eye(x.shape[1])[y]) / N")),
    mutate(SOFTMAX, ("    N = x.shape[0]\n", "    from scipy.special import logsumexp\n"
                     "    N = x.shape[0]\n    lse = logsumexp(x, axis=1)\n"),
           ("loss = -np.sum(np.log(probs[np.arange(N), y])) / N",
            "loss = np.mean(lse - x[np.arange(N), y])")),
    mutate(SOFTMAX, ("    return loss, dx", "    return float(loss), dx")),
    # a small constant inside the log, against log(0): its gradient is the exact formula's
    # (the numerical check FAILed it by 1.4e-7)
    mutate(SOFTMAX, ("np.log(probs[np.arange(N), y])", "np.log(probs[np.arange(N), y] + 1e-7)")),
    # the seed question's commented line: -(1 / a2[y]) * da2 / N is (P - Y) / N
    mutate(SOFTMAX, ("    dx = probs.copy()\n    dx[np.arange(N), y] -= 1\n    dx /= N",
                     "    da2 = -probs.copy()\n    da2[np.arange(N), y] += 1\n"
                     "    da2 *= probs[np.arange(N), y][:, None]\n"
                     "    dx = -(1 / probs[np.arange(N), y])[:, None] * da2 / N")),
    NET,
    mutate(NET, ('"b2": np.zeros(num_classes)}', '"b2": np.zeros(num_classes)}\n'
                 '        self.params = {k: v.astype(np.float32) for k, v in '
                 'self.params.items()}')),
    # the seed's da1 = a1; da1[a1 > 0] = 1, after a1's last use: right
    mutate(NET, ("delta_1 = delta_2.dot(W2.T) * (z1 > 0)",
                 "da1 = a1\n        da1[a1 > 0] = 1\n        delta_1 = delta_2.dot(W2.T) * da1")),
])
def test_correct_files_written_other_ways_pass(tmp_path, text):
    proc = run_cli(tmp_path, text)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout


# ------------------------------------------------------------------ what a learner returns
@pytest.mark.parametrize("old, new, says", [
    ("db = np.sum(dout, axis=0)", "db = np.sum(dout, axis=1)", "summed over the wrong axis"),
    ("db = np.sum(dout, axis=0)", "db = np.sum(dout, axis=0, keepdims=True)", "keepdims"),
    ("dw = x.reshape(x.shape[0], -1).T.dot(dout)",
     "dw = dout.T.dot(x.reshape(x.shape[0], -1))", "shape transposed"),
    ("dx = dout.dot(w.T).reshape(x.shape)", "dx = dout.dot(w.T)", "reshape it to x's shape"),
    ("dw = x.reshape(x.shape[0], -1).T.dot(dout)", "dw = x.T.dot(dout)",
     "must be flattened to (N, D) in the backward pass too"),
    ("    return dx, dw, db", "    return dx, dw", "return dx, dw, db"),
    ("    return out, (x, w, b)", "    return out", "must return the tuple (out, cache)"),
])
def test_a_gradient_of_the_wrong_shape_says_what_to_fix(tmp_path, old, new, says):
    proc = run_cli(tmp_path, mutate(AFF, (old, new)))
    assert proc.returncode == 1
    line = next(s for s in proc.stdout.splitlines() if "affine_backward: FAIL" in s)
    assert says in line and "raised" not in line, line


@pytest.mark.parametrize("dx", ["(probs[np.arange(N), y] - 1)[:, None] / N",
                                "(probs[np.arange(N), y] - 1) / N"])
def test_a_softmax_gradient_of_n_by_1_explains_why_it_is_n_by_c(tmp_path, dx):
    """The seed question: is the softmax/cross-entropy gradient N x C or N x 1?"""
    text = mutate(SOFTMAX, ("    dx = probs.copy()\n    dx[np.arange(N), y] -= 1\n"
                            "    dx /= N", f"    dx = {dx}"))
    proc = run_cli(tmp_path, text)
    assert proc.returncode == 1
    assert "N x C" in proc.stdout and "every score" in proc.stdout
    assert "dx[np.arange(N), y] -= 1" in proc.stdout


@pytest.mark.parametrize("ret, says", [("dx, loss", "returned (dx, loss)"),
                                       ("loss", "must return the tuple (loss, dx)")])
def test_a_loss_returning_the_wrong_values_says_so(tmp_path, ret, says):
    proc = run_cli(tmp_path, mutate(SOFTMAX, ("    return loss, dx", f"    return {ret}")))
    assert proc.returncode == 1 and says in proc.stdout, proc.stdout


@pytest.mark.parametrize("old, new, says", [
    ("        return loss, grads", "        return grads", "returned a dict"),
    ('        grads["b1"] = np.sum(delta_1, axis=0)\n', "",
     "returned no gradient for parameter 'b1'"),
    ('grads["b1"] = np.sum(delta_1, axis=0)', 'grads["b1"] = np.sum(delta_1, axis=0, '
     'keepdims=True)', "keepdims"),
    ("        delta_2 = a2.copy()\n        delta_2[np.arange(N), y] -= 1\n        delta_2 /= N",
     "        delta_2 = (a2[np.arange(N), y] - 1)[:, None] / N", "print the shapes"),
])
def test_a_model_returning_unusable_gradients_says_what_to_fix(tmp_path, old, new, says):
    proc = run_cli(tmp_path, mutate(NET, (old, new)))
    assert proc.returncode == 1 and says in proc.stdout, proc.stdout


def test_a_class_without_params_is_a_fail_not_nothing_checked(tmp_path):
    proc = run_cli(tmp_path, '''
import numpy as np
class TwoLayerNet:
    def __init__(self, input_dim=3072, hidden_dim=100, num_classes=10, weight_scale=1e-3,
                 reg=0.0):
        self.W1 = weight_scale * np.random.randn(input_dim, hidden_dim)
    def loss(self, X, y=None):
        return 0.0, {}
''')
    assert proc.returncode == 1, proc.stdout
    assert "has no attribute params" in proc.stdout and "W1" in proc.stdout


# ------------------------------------------------------------------ bugs, and the kind named
def test_a_nan_gradient_is_a_fail_not_inconclusive():
    x = np.random.default_rng(0).standard_normal((4, 5))
    report = check_layer(lambda x: (2 * x, None), lambda d, c: d * np.nan, x, names=["x"])
    assert report.verdict == FAIL and report["x"].kind == "not finite", report
    assert "NaN" in report["x"].explanation()


def test_softmax_without_the_max_shift_fails_with_overflow(tmp_path):
    text = mutate(SOFTMAX, ("shifted = x - np.max(x, axis=1, keepdims=True)", "shifted = x"))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.verdict == FAIL and result.kinds == ["overflow"], result.to_table()
    assert "subtract each row's max" in result.to_table()


def test_the_loss_summed_but_the_gradient_averaged_says_so(tmp_path):
    text = mutate(SOFTMAX, ("loss = -np.sum(np.log(probs[np.arange(N), y])) / N",
                            "loss = -np.sum(np.log(probs[np.arange(N), y]))"))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert "factor 1/N" in result.kinds
    assert "summed over the examples, not averaged" in result.to_table()


def test_svm_counting_the_correct_class_margin_says_the_loss_is_one_too_large(tmp_path):
    # before: "svm_loss computes another loss than numpynn's", nothing more
    text = mutate(SVM, ("    margins[np.arange(N), y] = 0\n", ""))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.kinds == ["forward"], result.to_table()
    assert "the loss is numpynn's + 1" in result.to_table()
    assert "margins[np.arange(N), y] = 0" in result.to_table()


def test_svm_without_the_count_of_margins_names_the_correct_class(tmp_path):
    text = mutate(SVM, ("dx[np.arange(N), y] -= np.sum(margins > 0, axis=1)",
                        "dx[np.arange(N), y] = -1"))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.kinds == ["correct class"], result.to_table()
    assert "number of such classes" in result.to_table()


@pytest.mark.parametrize("dx, kind", [("dxhat / std + dvar * 2 * (x - mu) / N", "mean term"),
                                      ("dxhat / std + dmu / N", "variance term")])
def test_batchnorm_backward_missing_a_path_names_it(tmp_path, dx, kind):
    text = mutate(BN, ("dx = dxhat / std + dvar * 2 * (x - mu) / N + dmu / N", f"dx = {dx}"))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.kinds == [kind], result.to_table()


@pytest.mark.parametrize("text, kind, says", [
    ('''
import numpy as np
def sigmoid_forward(x):
    return 1 / (1 + np.exp(-x)), x
def sigmoid_backward(dout, x):
    return dout * x * (1 - x)
''', "wrong array", "the forward's output"),
    ('''
import numpy as np
def tanh_forward(x):
    return np.tanh(x), x
def tanh_backward(dout, x):
    return dout * (1 - x ** 2)
''', "wrong array", "1 - tanh(x)**2"),
    ('''
import numpy as np
def leaky_relu_forward(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x), (x, alpha)
def leaky_relu_backward(dout, cache):
    x, alpha = cache
    return dout * (x > 0)
''', "mask", "slope there is alpha"),
    ('''
import numpy as np
def relu_forward(x):
    return np.maximum(0, x), x
def relu_backward(dout, x):
    dx = dout.copy()
    dx[dout < 0] = 0
    return dx
''', "mask", "takes its mask from dout"),
    (mutate(DROPOUT, ("    return dout * mask",
                      "    return dout * (np.random.rand(*dout.shape) < 0.7) / 0.7")),
     "mask", "mask stored in the cache"),
    (AFF + """
def affine_relu_forward(x, w, b):
    a, fc_cache = affine_forward(x, w, b)
    return np.maximum(0, a), (fc_cache, a)

def affine_relu_backward(dout, cache):
    fc_cache, a = cache
    return affine_backward(dout, fc_cache)   # the ReLU's mask skipped
""", "mask", "skips the ReLU"),
])
def test_a_backward_at_the_wrong_array_names_the_layers_mistake(tmp_path, text, kind, says):
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.kinds == [kind], result.to_table()
    assert says in result.to_table()


def test_a_bias_gradient_averaged_names_1_over_n_with_the_batch_size(tmp_path):
    result = check_module(module_of(tmp_path, mutate(
        AFF, ("db = np.sum(dout, axis=0)", "db = np.mean(dout, axis=0)"))), timing=False)
    assert result.kinds == ["factor 1/N"], result.to_table()


@pytest.mark.parametrize("old, new, kind", [
    ('grads["b2"] = np.sum(delta_2, axis=0)', 'grads["b2"] = np.sum(delta_2, axis=0) + '
     'self.reg * b2', "regularisation"),  # invisible at the constructor's zero biases
    ("        delta_2 /= N\n", "", "factor N"),  # with reg > 0 the weights' ratio is blurred
    ("        return loss, grads", "        for k in self.params:\n"
     "            self.params[k] -= 1e-3 * grads[k]\n        return loss, grads",
     "changes params"),
])
def test_model_bugs_are_named(tmp_path, old, new, kind):
    result = check_module(module_of(tmp_path, mutate(NET, (old, new))), timing=False)
    assert result.verdict == FAIL and kind in result.kinds, result.to_table()
    failing = [r for r in result.reports[0].rows if r.verdict == FAIL]
    assert all(r.kind == kind for r in failing), result.to_table()


def test_a_loss_that_changes_params_is_named_and_the_params_restored():
    class Stepping:
        def __init__(self):
            self.params = {"W": np.ones((3, 2))}

        def loss(self, X, y):
            loss = float(np.sum((X @ self.params["W"]) ** 2))
            grad = 2 * X.T @ (X @ self.params["W"])
            self.params["W"] -= 0.1 * grad
            return loss, {"W": grad}

    model = Stepping()
    X = np.random.default_rng(0).standard_normal((4, 3))
    report = check_gradients(model, X, np.zeros(4, dtype=int))
    assert report.kinds == ["changes params"], report
    np.testing.assert_array_equal(model.params["W"], np.ones((3, 2)))


# ------------------------------------------------------------------ assignment 2's CNN functions
CNN = """import numpy as np

def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    win = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(win * w[f]) + b[f]
    return out, (x, w, b, conv_param)

def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    win = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    dw[f] += win * dout[n, f, i, j]
                    dxp[n, :, i * stride:i * stride + HH,
                        j * stride:j * stride + WW] += w[f] * dout[n, f, i, j]
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db

def max_pool_forward_naive(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // s, 1 + (W - pw) // s
    out = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, pool_param)

def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    _, _, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * s:i * s + ph, j * s:j * s + pw]
                    a, bb = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * s + a, j * s + bb] += dout[n, c, i, j]
    return dx
"""


def test_cnn_naive_functions_are_checked_and_pass(tmp_path):
    proc = run_cli(tmp_path, CNN)
    assert proc.returncode == 0, proc.stdout
    assert "conv_forward_naive / conv_backward_naive: numerical gradients" in proc.stdout
    assert "max_pool_forward_naive / max_pool_backward_naive: numerical gradients" in proc.stdout


@pytest.mark.parametrize("old, new, kind, says", [
    ("                    dw[f] += win * dout[n, f, i, j]",
     "                    dw[f] += win * dout[n, f, i, j] / N", "factor 1/N", "factor 1/N"),
    ("                    dx[n, c, i * s + a, j * s + bb] += dout[n, c, i, j]",
     "                    dx[n, c, i * s:i * s + ph, j * s:j * s + pw] += dout[n, c, i, j] / 4",
     "mask", "argmax of x in the window"),
    ("db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=(2, 3))", None,
     "summed over too few axes"),
])
def test_cnn_bugs_fail_and_say_where(tmp_path, old, new, kind, says):
    result = check_module(module_of(tmp_path, mutate(CNN, (old, new))), timing=False)
    assert result.verdict == FAIL and says in result.to_table(), result.to_table()
    if kind:
        assert result.kinds == [kind], result.to_table()


def test_a_loss_that_raises_on_large_scores_is_the_overflow_fail_with_its_line(tmp_path):
    text = mutate(SOFTMAX, ("shifted = x - np.max(x, axis=1, keepdims=True)",
                            "shifted = x\n    assert np.all(np.exp(shifted) < np.inf), 'big'"))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.kinds == ["overflow"] and not result.errors, result.to_table()
    assert "raised AssertionError: big (line" in result.to_table()


def test_the_seed_questions_mask_version_of_eq1_says_every_class_has_a_gradient(tmp_path):
    """The seed's eq. 1 (mask at the correct class): dx is 0 for every other class."""
    text = mutate(SOFTMAX, ("    dx = probs.copy()\n    dx[np.arange(N), y] -= 1\n    dx /= N",
                            "    a2 = probs\n    da2 = -a2.copy()\n"
                            "    da2[np.arange(N), y] += 1\n"
                            "    da2 *= (a2[np.arange(N), y])[:, None]\n"
                            "    mask = np.zeros(a2.shape)\n    mask[np.arange(N), y] = 1\n"
                            "    dx = ((1 / a2) * mask) * da2 / N"))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.kinds == ["mask"], result.to_table()
    assert "0 for every class but the correct one" in result.to_table()
    assert "x: FAIL" in result.to_table() and "likely bug: mask" in result.to_table()


# ------------------------------------------------------------------ optim.py: update rules
def test_an_optim_file_is_checked_against_the_course_rules(tmp_path):
    # before: "no CS231n-named layer or model class found", exit 2
    proc = run_cli(tmp_path, LEARNER_OPTIM, "optim.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("sgd", "sgd_momentum", "rmsprop", "adam"):
        assert f"{name} from config" in proc.stdout
    assert "adam from the notebook's config" in proc.stdout


@pytest.mark.parametrize("name", list(OPTIM_MUTATIONS))
def test_update_rule_bugs_fail_and_name_the_mistake(tmp_path, name):
    pairs, kind = OPTIM_MUTATIONS[name]
    result = check_module(module_of(tmp_path, _optim_text(pairs)), timing=False)
    assert result.verdict == FAIL and kind in result.kinds, result.to_table()
    assert not result.errors, result.to_table()


@pytest.mark.parametrize("pairs", [
    # epsilon inside the square root: as right (it differs where the state is below eps)
    (('dw / (np.sqrt(config["cache"]) + config["epsilon"])',
      'dw / np.sqrt(config["cache"] + config["epsilon"])'),
     ('mt / (np.sqrt(vt) + config["epsilon"])', 'mt / np.sqrt(vt + config["epsilon"])')),
    # a new config dict returned instead of the one passed in
    (("    return next_w, config\n", "    return next_w, dict(config)\n"),),
])
def test_update_rules_written_other_ways_pass(tmp_path, pairs):
    result = check_module(module_of(tmp_path, _optim_text(pairs)), timing=False)
    assert result.verdict == "pass", result.to_table()


def test_an_update_rule_stub_is_not_implemented_yet(tmp_path):
    text = _optim_text((("    next_w = w - config[\"learning_rate\"] * mt", "    next_w = None"
                         "\n    _ = config[\"learning_rate\"] * mt"),))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert "adam" in result.not_implemented and result.verdict == "pass", result.to_table()


# ------------------------------------------------------------------ mistakes named by the layer
@pytest.mark.parametrize("text, old, new, kind", [
    # before: FAIL, no kind (analytic = dout: nonzero where the numerical is 0, and 1/p off
    # elsewhere, so neither a mask nor a factor)
    (DROPOUT, "    return dout * mask", "    return dout", "mask"),
    # before: FAIL, no kind (the ratio is 1 where x > 0 and 10 elsewhere)
    ("import numpy as np\n\ndef leaky_relu_forward(x, alpha=0.01):\n"
     "    return np.where(x > 0, x, alpha * x), x\n\ndef leaky_relu_backward(dout, x):\n"
     "    return dout * np.where(x > 0, 1, 0.01)\n", "np.where(x > 0, 1, 0.01)",
     "np.where(x > 0, 1, 0.1)", "factor"),
    # before: FAIL, no kind
    (BN, "return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)",
     "return dx, dout.sum(axis=0), (dout * xhat).sum(axis=0)", "swapped"),
])
def test_a_layers_backward_mistake_is_named(tmp_path, text, old, new, kind):
    result = check_module(module_of(tmp_path, mutate(text, (old, new))), timing=False)
    assert result.verdict == FAIL and result.kinds == [kind], result.to_table()
    if kind == "swapped":
        assert "return dx, dgamma, dbeta" in result.to_table()
    if kind == "factor":
        assert "slope where x <= 0 is 0.1, not the forward pass's" in result.to_table()


def _fc_net_cli(tmp_path, old=None, new=None):
    """gradcheck --file on cs231n/classifiers/fc_net.py (test_file's FC_NET, with old
    replaced by new) over test_file's CORRECT layers, as the course lays them out."""
    from .test_file import CORRECT, FC_NET

    pkg = tmp_path / "cs231n"
    (pkg / "classifiers").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "classifiers" / "__init__.py").write_text("")
    write(pkg, CORRECT, "layers.py")
    text = FC_NET.replace("from ..layer_utils import *\n", "")
    text = text if old is None else mutate(text, (old, new))
    (pkg / "classifiers" / "fc_net.py").write_text(text)
    return gradcheck_here("--file", "cs231n/classifiers/fc_net.py", cwd=tmp_path)


def test_a_models_gradients_stored_under_each_others_names_are_named_swapped(tmp_path):
    # before: gamma1, beta1, gamma2, beta2 FAIL with no kind
    proc = _fc_net_cli(tmp_path, 'dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_',
                       'dh, grads[f"beta{i}"], grads[f"gamma{i}"] = batchnorm_')
    out = proc.stdout
    assert proc.returncode == 1 and "Traceback" not in out + proc.stderr, out
    assert ("likely bug: swapped: grads['gamma1'] and grads['beta1'] hold each other's "
            "gradients") in out, out
    assert "grads['gamma2'] and grads['beta2']" in out, out


# ------------------------------------------------------------------ a model's test mode
@pytest.mark.parametrize("old, new, says", [
    (None, None, None),
    # before: pass (only loss(X, y) was checked); batch norm left in train mode at test time
    ('            for bn_param in self.bn_params:\n                bn_param["mode"] = mode\n',
     "            pass\n", "FullyConnectedNet(normalization='batchnorm'): test mode"),
    # before: pass; dropout left in train mode at test time (its mask seeded: repeatable)
    ('            self.dropout_param["mode"] = mode\n', "            pass\n",
     "FullyConnectedNet(dropout_keep_ratio=0.5, seed=123): test mode"),
    # before: pass; loss(X) returns (loss, grads): softmax_loss(scores, None) indexes [:, None]
    ('        if mode == "test":\n            return scores\n', "",
     "loss(X) (y=None: test mode) returned a tuple of 2 values"),
])
def test_a_models_test_mode_is_checked(tmp_path, old, new, says):
    proc = _fc_net_cli(tmp_path, old, new)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    if old is None:  # (its layer norm variant is unfinished: no gamma gradients)
        assert out.count(": test mode, loss(X)") == 3 and "test mode:" not in out, out
        return
    assert proc.returncode == 1 and says in out, out
    if "returned a tuple" not in says:
        assert "likely bug: test mode:" in out and "dropout_param['mode']" in out, out


# ------------------------------------------------------------------ float32 inside a layer
@pytest.mark.parametrize("text, old, new", [
    (AFF, "    out = x.reshape(x.shape[0], -1).dot(w) + b",
     "    out = x.reshape(x.shape[0], -1).astype(np.float32).dot(w.astype(np.float32)) + b"),
    (SOFTMAX, "    shifted = x - np.max", "    x = x.astype(np.float32)\n    shifted = x - np.max"),
])
def test_a_layer_computing_in_float32_is_inconclusive_for_precision_not_a_kink(
        tmp_path, text, old, new):
    # before: inconclusive with the cause "at a ReLU kink ... re-run with another seed",
    # which no seed resolves (the affine layer has no kink)
    result = check_module(module_of(tmp_path, mutate(text, (old, new))), timing=False)
    assert result.verdict == "inconclusive", result.to_table()
    causes = {r.cause for rep in result.reports for r in rep.rows if r.verdict != "pass"}
    assert causes == {"precision"}, result.to_table()
    assert "lower precision than float64" in result.to_table()


# ------------------------------------------------------------------ CNN forward outputs
SPATIAL_BN = BN + '''
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = batchnorm_forward(x.transpose(0, 2, 3, 1).reshape(-1, C), gamma, beta,
                                   bn_param)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2), cache

def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta
'''


@pytest.mark.parametrize("name", [*CNN_MUTATIONS, "spatial batch norm without the transpose"])
def test_a_cnn_forward_bug_its_backward_agrees_with_fails_as_forward(tmp_path, name):
    # before: pass (the numerical gradients agree with the learner's own forward)
    if name in CNN_MUTATIONS:
        text = _optim_text(CNN_MUTATIONS[name][0], LEARNER_CNN)
    else:
        text = mutate(SPATIAL_BN, ("x.transpose(0, 2, 3, 1).reshape(-1, C), gamma",
                                   "x.reshape(-1, C), gamma"),
                      ("out.reshape(N, H, W, C).transpose(0, 3, 1, 2), cache",
                       "out.reshape(N, C, H, W), cache"),
                      ("dout.transpose(0, 2, 3, 1).reshape(-1, C), cache",
                       "dout.reshape(-1, C), cache"),
                      ("dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma",
                       "dx.reshape(N, C, H, W), dgamma"))
    result = check_module(module_of(tmp_path, text), timing=False)
    failed = [r for r in result.reports if r.verdict == FAIL]
    # (the second parameters, CNN_SECOND, only for a function that passes the first)
    assert [r.title.split(":")[1] for r in failed] == [
        " forward output vs the course's definition (analytic = yours, numerical = expected)"
    ], result.to_table()
    assert result.kinds == ["forward"], result.to_table()


@pytest.mark.parametrize("text", [LEARNER_CNN, CNN, SPATIAL_BN])
def test_correct_cnn_forwards_match_the_course_definition(tmp_path, text):
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.verdict == "pass", result.to_table()
    assert "forward output vs the course's definition" in result.to_table()


# ------------------------------------------------------------------ hyper-parameters of one's own
@pytest.mark.parametrize("name", FILE_CHOICES)
def test_a_hyper_parameter_chosen_otherwise_and_used_consistently_passes(tmp_path, name):
    """A leaky ReLU slope, an eps, a dropout p of the older course's meaning: read from the
    learner's forward, not held to numpynn's default (each FAILed as 'forward' before)."""
    old, new = FILE_CHOICES[name]
    result = check_module(module_of(tmp_path, mutate(LEARNER_LAYERS, (old, new))),
                          timing=False)
    assert result.verdict != FAIL, result.to_table()
    text = result.to_table()
    assert "unbiased" not in name or "averages the unbiased batch variance" in text
    assert "a choice, not a bug" in text or "older years'" in text \
        or "vanilla (non-inverted) dropout: checked as such" in text


def test_the_leaky_relu_slope_found_is_named_and_a_backward_with_another_still_fails(tmp_path):
    text = mutate(LEARNER_LAYERS, ("def leaky_relu_forward(x, alpha=0.01)",
                                   "def leaky_relu_forward(x, alpha=0.2)"))
    assert "alpha (the slope where x < 0) = 0.2" in check_module(
        module_of(tmp_path, text), timing=False).to_table()
    bad = mutate(text, ("    return dout * np.where(x > 0, 1.0, alpha)",
                        "    return dout * np.where(x > 0, 1.0, 0.01)"))
    result = check_module(module_of(tmp_path, bad, "bad"), timing=False)
    assert result.verdict == FAIL and result.kinds == ["factor"], result.to_table()
    no_leak = mutate(text, ("def leaky_relu_forward(x, alpha=0.2)",
                            "def leaky_relu_forward(x, alpha=0.0)"))  # a plain ReLU
    result = check_module(module_of(tmp_path, no_leak, "no_leak"), timing=False)
    assert result.verdict == FAIL and result.kinds[0] == "forward", result.to_table()


@pytest.mark.parametrize("doc, says", [
    ("We keep each neuron output with probability p.", "your docstring says p keeps them"),
    ("", "older years of the course"),
])
def test_dropout_p_as_the_drop_probability_names_the_convention(tmp_path, doc, says):
    text = mutate(DROPOUT, ('    p, mode = dropout_param["p"], dropout_param["mode"]',
                            f'    """- p: Dropout parameter. {doc}"""\n'
                            '    p, mode = 1 - dropout_param["p"], dropout_param["mode"]'))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.kinds == ["forward"], result.to_table()
    assert says in result.to_table() and "KEEPING" in result.to_table()


# ------------------------------------------------------------------ caught, and now named
@pytest.mark.parametrize("name, says", [
    ("sigmoid backward applying the sigmoid to its cached output again",
     "applies the sigmoid to the cached output again"),
    ("relu backward without dout (the local derivative alone)", "the chain rule multiplies"),
    ("batchnorm backward's dgamma from x - mu, not xhat", "np.sum(dout * (x - mu), axis=0)"),
    ("softmax dx divided by N on the correct classes only",
     "only the correct classes' entries dx[i, y[i]] are divided by N"),
    ("layernorm backward dividing by N where it needs D",
     "divides by N = 6 in both the mean and the variance terms, where layernorm averages "
     "over D = 5"),
    ("batchnorm backward dividing by D where it needs N", "divides by D = 5"),
])
def test_a_layer_bug_caught_without_a_kind_is_named(tmp_path, name, says):
    old, new, kind = FILE_MUTATIONS[name]
    result = check_module(module_of(tmp_path, mutate(LEARNER_LAYERS, (old, new))),
                          timing=False)
    assert result.kinds == [kind], result.to_table()
    assert says in result.to_table()


@pytest.mark.parametrize("old, new, says", [
    (*CNN_BACKWARD_MUTATIONS["conv dw assigned in the loop, not accumulated"][0][0],
     "the last window's"),
    ("    dw = dk\n",  # one example's windows at a time, dw = ... per example
     "    dw = np.tensordot(dout[-1], np.lib.stride_tricks.sliding_window_view(\n"
     "        xp[-1], (HH, WW), axis=(1, 2))[:, ::stride, ::stride], axes=([1, 2], [1, 2]))\n",
     "the last example's"),
])
def test_a_conv_dw_assigned_where_it_must_accumulate_is_named(tmp_path, old, new, says):
    result = check_module(module_of(tmp_path, mutate(LEARNER_CNN, (old, new))), timing=False)
    assert result.kinds == ["accumulate"], result.to_table()
    assert says in result.to_table() and "dw[f] += ..." in result.to_table()


def test_an_a1_relu_mask_on_the_output_with_less_than_is_named(tmp_path):
    assert check_module(module_of(tmp_path, LEARNER_A1_NET), timing=False).verdict != FAIL
    old, new, kind = A1_NET_MUTATIONS["ReLU mask on the ReLU's output with < (never applies)"]
    result = check_module(module_of(tmp_path, LEARNER_A1_NET.replace(old, new), "bad"),
                          timing=False)
    assert result.kinds == [kind], result.to_table()
    assert "dh1[h1 <= 0] = 0" in result.to_table()


@pytest.mark.parametrize("text, old, new, says", [
    (LEARNER_A1_NET, "        dscores[np.arange(N), y] -= 1\n", "",
     "dscores[np.arange(N), y] -= 1 is missing"),
    (LEARNER_A1_NET, "dscores[np.arange(N), y] -= 1", "dscores[np.arange(N), y] += 1",
     "off by 2 x each class's count in y / N")])
def test_a_models_dscores_wrong_at_the_correct_class_is_named(tmp_path, text, old, new, says):
    """A whole model's dscores without its -1 (or with +1) at the correct class: every
    gradient FAILs; the last layer's db, off by c x the class counts / N, names it
    (before: a FAIL that named no kind)."""
    assert old in text
    result = check_module(module_of(tmp_path, text.replace(old, new)), timing=False)
    assert result.kinds == ["correct class"], result.to_table()
    assert says in result.to_table()


def test_a_batchnorm_backward_with_the_running_statistics_is_named_so(tmp_path):
    """Both backwards with the running averages (started at zeros, as CS231n's starter
    code: one step gives var / 10): before, the alt's FAIL was named 'factor 3.162'."""
    text = mutate(BN, ("        cache = (x, mu, var, xhat, gamma, eps)\n", ""),
                  ("        running_var = momentum * running_var + (1 - momentum) * var\n",
                   "        running_var = momentum * running_var + (1 - momentum) * var\n"
                   "        cache = (x, running_mean, running_var, xhat, gamma, eps)\n"))
    alt = """
def batchnorm_backward_alt(dout, cache):
    x, mu, var, xhat, gamma, eps = cache
    N = x.shape[0]
    dxhat = dout * gamma
    dx = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx / (N * np.sqrt(var + eps)), (dout * xhat).sum(axis=0), dout.sum(axis=0)
"""
    result = check_module(module_of(tmp_path, text + alt), timing=False)
    assert result.kinds == ["running statistics"], result.to_table()
    assert "3.162" not in result.to_table() and "x.mean(axis=0)" in result.to_table()


# ------------------------------------------------------------------ the Solver
def test_a_solver_is_checked_and_says_what_is_not(tmp_path):
    # before: "no CS231n-named layer or model class found", exit 2
    proc = run_cli(tmp_path, LEARNER_SOLVER, "solver.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Solver._step, 2 steps" in proc.stdout
    # train and check_accuracy are checked too (before: "are not checked")
    assert "Solver.check_accuracy and .train" in proc.stdout
    assert "not checked" not in proc.stdout


def test_the_course_solver_with_its_future_imports_passes(tmp_path):
    """The course's solver.py (``from future import standard_library``, ``from cs231n
    import optim``, an in-place sgd): train and check_accuracy as the course wrote them."""
    (tmp_path / "cs231n").mkdir()
    (tmp_path / "cs231n" / "__init__.py").write_text("")
    (tmp_path / "cs231n" / "optim.py").write_text(
        "def sgd(w, dw, config=None):\n    config = config or {}\n"
        "    config.setdefault('learning_rate', 1e-2)\n"
        "    w -= config['learning_rate'] * dw\n    return w, config\n")
    text = ("from __future__ import print_function, division\n"
            "from future import standard_library\n\nstandard_library.install_aliases()\n"
            "from builtins import range\nfrom builtins import object\n"
            "import pickle as pickle\n"
            + LEARNER_SOLVER.replace("self.update_rule = globals()[self.update_rule]",
                                     "self.update_rule = getattr(optim, self.update_rule)")
            .replace("import numpy as np\n", "import numpy as np\n\nfrom cs231n import optim\n",
                     1))
    proc = run_cli(tmp_path / "cs231n", text, "solver.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Solver.check_accuracy and .train" in proc.stdout


@pytest.mark.parametrize("name, says", [
    ("Solver's _step not storing the returned config", "self.optim_configs[p] = next_config"),
    ("Solver's _step not storing next_w", "self.model.params[p] = next_w"),
    ("Solver's _step passing one config from parameter to parameter",
     "another parameter's config"),
    # train and check_accuracy (before: not checked, these passed)
    ("Solver's check_accuracy dropping the last, shorter batch",
     "the last one shorter too"),
    ("Solver's train decaying the learning rate every iteration",
     "after every epoch each parameter's config['learning_rate'] *= lr_decay"),
    ("Solver's train keeping the last parameters, not the best",
     "the parameters of the best validation accuracy"),
    ("Solver's train keeping the best parameters without copying them",
     "best_params[k] = v.copy()"),
])
def test_solver_step_bugs_are_named(tmp_path, name, says):
    old, new, kind = SOLVER_MUTATIONS[name]
    result = check_module(module_of(tmp_path, LEARNER_SOLVER.replace(old, new)),
                          timing=False)
    failing = [r for rep in result.reports for r in rep.rows if r.verdict == FAIL]
    assert failing and {r.kind for r in failing} == {kind}, result.to_table()
    assert says in result.to_table()


GROUPNORM = '''
import numpy as np

def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = 1e-3
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mu, var = xg.mean(axis=2, keepdims=True), xg.var(axis=2, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(x.shape)
    return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps), G)

def spatial_groupnorm_backward(dout, cache):
    xhat, gamma, std, G = cache
    N, C, H, W = dout.shape
    dxhat, xh = (dout * gamma).reshape(N, G, -1), xhat.reshape(N, G, -1)
    M = xh.shape[2]
    dx = (M * dxhat - dxhat.sum(axis=2, keepdims=True)
          - xh * (dxhat * xh).sum(axis=2, keepdims=True)) / (M * std)
    return (dx.reshape(dout.shape), (dout * xhat).sum(axis=(0, 2, 3), keepdims=True),
            dout.sum(axis=(0, 2, 3), keepdims=True))
'''


@pytest.mark.parametrize("text", [
    mutate(SPATIAL_BN, ('eps, momentum = bn_param.get("eps", 1e-5),', "eps, momentum = 1e-3,")),
    GROUPNORM,
])
def test_a_spatial_normalisation_with_its_own_eps_passes(tmp_path, text):
    # before: FAIL, "forward output vs the course's definition"
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.verdict == "pass", result.to_table()
    assert "eps (added to the variance) = 0.001" in result.to_table()


def test_a_three_layer_convnet_is_built_with_an_image_input_and_checked(tmp_path):
    # before: FAIL, "raised TypeError: cannot unpack non-iterable int object" (built as
    # assignment 2's TwoLayerNet, input_dim an int)
    result = check_module(module_of(tmp_path, LEARNER_CONVNET), timing=False)
    assert result.verdict == "pass", result.to_table()
    assert "ThreeLayerConvNet(input_dim=(3, 4, 6)" in result.to_table()


# ------------------------------------------------------------------ batch norm's momentum
@pytest.mark.parametrize("old, new, choice", [
    # hard-coded, the running averages updated in place: a choice (FAILed before)
    ('    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)\n',
     '    eps, momentum = bn_param.get("eps", 1e-5), 0.99\n', True),
    ("        running_mean = momentum * running_mean + (1 - momentum) * mu\n"
     "        running_var = momentum * running_var + (1 - momentum) * var\n",
     "        running_mean *= momentum\n        running_mean += (1 - momentum) * mu\n"
     "        running_var *= momentum\n        running_var += (1 - momentum) * var\n", None),
    # the momentum on the wrong side of both: 0.1, still a FAIL, and said so
    ('bn_param.get("momentum", 0.9)\n', '1 - bn_param.get("momentum", 0.9)\n', False),
])
def test_a_batchnorm_momentum_of_ones_own_is_a_choice_and_the_wrong_side_is_not(
        tmp_path, old, new, choice):
    text = mutate(BN, (old, new))
    if choice is None:  # in place, and hard-coded
        text = mutate(text, ('bn_param.get("momentum", 0.9)', "0.95"))
    result = check_module(module_of(tmp_path, text), timing=False)
    if choice is False:
        assert result.kinds == ["test mode"], result.to_table()
        assert "the momentum is on the wrong side" in result.to_table()
    else:
        assert result.verdict != FAIL, result.to_table()
        assert "uses momentum = 0.9" in result.to_table()


# ------------------------------------------------------ assignment 1's linear classifiers
def test_assignment_1_linear_classifiers_are_checked_with_the_starter_codes_imports(tmp_path):
    """classifiers/linear_svm.py and softmax.py (``from past.builtins import xrange``,
    without the package ``future``): both losses, naive and vectorised, and either
    penalty convention (before: the import failed, exit 2; then 'nothing found')."""
    folder = tmp_path / "cs231n" / "classifiers"
    folder.mkdir(parents=True)
    (tmp_path / "cs231n" / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    proc = run_cli(folder, LEARNER_LINEAR, "linear_svm.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout
    for name in ("svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive",
                 "softmax_loss_vectorized"):
        assert f"{name}: numerical gradient of W" in proc.stdout
    assert "0.5 * reg * np.sum(W * W) (older years" in proc.stdout


@pytest.mark.parametrize("name", LINEAR_MUTATIONS)
def test_linear_classifier_bugs_are_named(tmp_path, name):
    old, new, kind = LINEAR_MUTATIONS[name]
    result = check_module(_corpus_module(mutate(LEARNER_LINEAR, (old, new)), "linear"),
                          timing=False)
    assert result.kinds == [kind], result.to_table()
    failed = {r.title.split(":")[0].split(" ")[0].split(".")[0] for r in result.reports
              if r.verdict == FAIL}
    assert failed == {name.split(" ")[0].split(".")[0]}, result.to_table()


# ------------------------------------------------------ a CNN function's param dict
@pytest.mark.parametrize("name", [n for n, (_, k) in CNN_BACKWARD_MUTATIONS.items()
                                  if k == "param dict" and "pad:-pad" not in n])
def test_a_cnn_function_ignoring_its_param_dict_is_named(tmp_path, name):
    """Stride, pad or window written as constants pass with the notebook's parameters;
    the second check (stride 2; a 3 x 3 window) fails them (before: they passed)."""
    pairs, kind = CNN_BACKWARD_MUTATIONS[name]
    result = check_module(module_of(tmp_path, _optim_text(pairs, LEARNER_CNN)), timing=False)
    assert result.kinds == [kind], result.to_table()
    assert "read every parameter from the dict" in result.to_table()
    assert all("with conv_param stride 2, pad 1:" in t or "with pool_param 3 x 3, stride 3:"
               in t for t in result.failed), result.failed


def test_correct_cnn_functions_pass_with_the_second_parameters_too(tmp_path):
    result = check_module(module_of(tmp_path, LEARNER_CNN), timing=False)
    assert result.verdict != FAIL, result.to_table()
    titles = [r.title for r in result.reports]
    assert any("with conv_param stride 2, pad 1: numerical" in t for t in titles)
    assert any("with pool_param 3 x 3, stride 3: forward" in t for t in titles)


@pytest.mark.parametrize("name, says", [
    ("conv backward slicing dx_pad[pad:-pad] (empty at pad 0)",
     "slice pad:pad + H and pad:pad + W"),
    ("max pool backward assigning each window's gradient (overlapping windows)",
     "add each window's gradient")])
def test_a_cnn_backward_right_at_pad_1_only_or_without_overlap_is_named(tmp_path, name, says):
    """dx_pad[:, :, pad:-pad, pad:-pad] is right at pad 1 and empty at pad 0; a max pool
    dx assigned per window is right without overlap: the third check (pad 0; a 2 x 2
    window at stride 1) names them (before: both passed)."""
    pairs, kind = CNN_BACKWARD_MUTATIONS[name]
    result = check_module(module_of(tmp_path, _optim_text(pairs, LEARNER_CNN)), timing=False)
    assert result.kinds == [kind], result.to_table()
    assert says in result.to_table()
    assert result.failed and all(" with conv_param stride 1, pad 0:" in t
                                 or " with pool_param 2 x 2, stride 1:" in t
                                 for t in result.failed), result.failed


def test_vanilla_dropout_under_the_courses_docstring_says_what_it_is(tmp_path):
    """Scaled by p at test time (passes under a docstring that says 'vanilla': above);
    under the course's '(inverted) dropout' it FAILs and the message says why."""
    old, new, kind = FILE_MUTATIONS[
        "vanilla dropout (scaled at test time) under the course's inverted docstring"]
    result = check_module(module_of(tmp_path, mutate(LEARNER_LAYERS, (old, new))),
                          timing=False)
    assert kind in result.kinds, result.to_table()
    assert "yours scales by p at test time, as vanilla dropout does" in result.to_table()


def test_a_leaky_relu_with_a_param_dict_of_its_own_is_checked(tmp_path):
    """leaky_relu_forward(x, lrelu_param) (before: not checked, a TypeError)."""
    text = mutate(LEARNER_LAYERS, (
        "def leaky_relu_forward(x, alpha=0.01):\n",
        "def leaky_relu_forward(x, lrelu_param):\n"
        "    alpha = lrelu_param.get('alpha', 0.01)\n"))
    result = check_module(module_of(tmp_path, text), timing=False)
    assert result.verdict != FAIL and not result.skipped, result.to_table()
    assert "leaky_relu_forward / leaky_relu_backward vs numpynn's" in result.to_table()
    bad = mutate(text, ("    return dout * np.where(x > 0, 1.0, alpha)",
                        "    return dout * np.where(x > 0, 1.0, 0.1)"))
    assert check_module(module_of(tmp_path, bad, "bad"), timing=False).kinds == ["factor"]


@pytest.mark.parametrize("old, new", [
    ("    xg = x.reshape(N, G, -1)\n", "    xg = x.reshape(N, 1, -1)\n"),  # G ignored
    # the groups taken across the channels (channel c in group c % G)
    ("    xg = x.reshape(N, G, -1)\n",
     "    xg = x.reshape(N, C // G, G, H, W).transpose(0, 2, 1, 3, 4).reshape(N, G, -1)\n"),
])
def test_a_group_norm_ignoring_g_or_grouping_otherwise_is_named(tmp_path, old, new):
    """Checked with G = 1 alone these passed; with G = 2 of 6 channels they FAIL."""
    result = check_module(module_of(tmp_path, mutate(GROUPNORM, (old, new))), timing=False)
    assert result.verdict == FAIL and "param dict" in result.kinds, result.to_table()
    assert all("with G = 2 (6 channels)" in t for t in result.failed), result.failed
    assert "x.reshape(N, G, C // G, H, W)" in result.to_table()


# ------------------------------------------------------ assignment 1's training loops
@pytest.mark.parametrize("name", [n for n, (_, _, k) in A1_NET_MUTATIONS.items()
                                  if k == "training loop"])
def test_an_a1_nets_train_and_predict_are_checked(tmp_path, name):
    """TwoLayerNet.train and .predict of neural_net.py (before: not checked)."""
    old, new, kind = A1_NET_MUTATIONS[name]
    result = check_module(module_of(tmp_path, LEARNER_A1_NET.replace(old, new)),
                          timing=False)
    assert result.kinds == [kind], result.to_table()
    assert result.failed == ["TwoLayerNet.train and .predict, 5 iterations (analytic = "
                             "yours, numerical = expected)"], result.failed


def test_a_linear_softmax_with_a_constant_in_its_log_passes_with_a_note(tmp_path):
    text = mutate(LEARNER_LINEAR, ("    loss = np.mean(log_sum - scores[np.arange(N), y])",
                                   "    loss = -np.mean(np.log(np.exp(scores[np.arange(N), y] "
                                   "- log_sum) + 1e-7))"))
    result = check_module(_corpus_module(text, "linear"), timing=False)
    assert result.verdict != FAIL, result.to_table()
    assert "holds a small constant of its own" in result.to_table()


def test_linear_classifiers_train_is_checked_once_and_not_listed_as_unchecked(tmp_path):
    result = check_module(_corpus_module(LEARNER_LINEAR, "linear"), timing=False)
    assert result.verdict != FAIL and not result.skipped, result.to_table()
    titles = [r.title for r in result.reports if ".train" in r.title]
    assert titles == ["LinearClassifier.train and .predict, 5 iterations (analytic = yours, "
                      "numerical = expected)"], titles  # LinearSVM, Softmax: the same train


def test_layers_written_as_static_methods_of_a_class_are_checked(tmp_path):
    """class Layers: @staticmethod def relu_forward... (before: nothing found, exit 2)."""
    text = ("import numpy as np\n\nclass Layers(object):\n"
            + "".join(f"    @staticmethod\n    {line}\n" if line.startswith("def ") else
                      f"    {line}\n" for line in AFF.strip().splitlines()
                      if not line.startswith("import")))
    proc = run_cli(tmp_path, text)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "affine_forward / affine_backward: numerical gradients" in proc.stdout
    bad = mutate(text, ("db = np.sum(dout, axis=0)", "db = np.mean(dout, axis=0)"))
    result = check_module(module_of(tmp_path, bad, "bad"), timing=False)
    assert result.kinds == ["factor 1/N"], result.to_table()


def test_a_stub_raising_not_implemented_error_is_not_implemented_yet(tmp_path):
    """raise NotImplementedError in an unfinished function (before: that function's FAIL,
    exit 1), in a layer, a loss and a model."""
    text = (AFF + "\ndef relu_forward(x):\n    raise NotImplementedError('TODO')\n\n"
            "def relu_backward(dout, cache):\n    raise NotImplementedError\n\n"
            "def softmax_loss(x, y):\n    raise NotImplementedError()\n"
            + mutate(NET, ("        z1 = X.dot(W1) + b1\n",
                           "        raise NotImplementedError\n")).replace(
                               "import numpy as np\n", ""))
    proc = run_cli(tmp_path, text)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("relu_forward / relu_backward (raises NotImplementedError, line",
                 "softmax_loss (raises NotImplementedError, line",
                 "TwoLayerNet(hidden_dim=7, reg=0.1) (raises NotImplementedError, line"):
        assert name in proc.stdout, proc.stdout


# ------------------------------------------------------ a model's batch norm and dropout
def _model_module(tmp_path, text):
    from numpynn.gradcheck.corpus import LEARNER_MODEL

    return module_of(tmp_path, "import numpy as np\n" + text(LEARNER_MODEL))


def test_a_model_rebuilding_its_bn_params_on_every_loss_call_is_named(tmp_path):
    """The running averages start again on every call (before: it passed, each call's
    test mode consistent with its own one-step averages): two train-mode calls must move
    the test-mode scores."""
    from numpynn.gradcheck.corpus import MODEL_MUTATIONS

    old, new, kind = MODEL_MUTATIONS[
        "bn_params rebuilt on every loss call (running averages never kept)"]
    result = check_module(_model_module(tmp_path, lambda t: t.replace(old, new)),
                          timing=False)
    assert result.kinds == [kind], result.to_table()
    assert "running averages are not kept between calls" in result.to_table()
    assert all("normalization='batchnorm'" in t for t in result.failed), result.failed


def _vanilla_model(doc):
    from numpynn.gradcheck.corpus import _DROPOUT_FORWARD, _vanilla

    return lambda t: t.replace(_DROPOUT_FORWARD, _vanilla(doc))


def test_a_model_on_vanilla_dropout_as_its_docstring_says_passes_with_a_note(tmp_path):
    """Vanilla dropout scales by p at test time; a model on it, consistent with the
    docstring, passes its test-mode check (before: FAIL, 'must pass its input through')."""
    result = check_module(_model_module(tmp_path, _vanilla_model(
        '"""Vanilla (non-inverted) dropout: scaled by p at test time."""')), timing=False)
    assert result.verdict != FAIL, result.to_table()
    assert "each hidden layer's output scaled by the keep probability (0.5)" in \
        result.to_table()


def test_a_model_on_vanilla_dropout_under_the_inverted_docstring_fails(tmp_path):
    result = check_module(_model_module(tmp_path, _vanilla_model(
        '"""Performs the forward pass for (inverted) dropout."""')), timing=False)
    assert "test mode" in result.kinds, result.to_table()
    assert "yours scale each hidden layer's output by p, as vanilla dropout does" in \
        result.to_table()


def test_a_vanilla_docstring_with_a_model_that_passes_its_input_through_fails(tmp_path):
    """The docstring says vanilla, the forward returns x at test time (inverted): the
    model's test mode disagrees with the docstring and FAILs."""
    from numpynn.gradcheck.corpus import _DROPOUT_FORWARD

    doc = '    """Vanilla (non-inverted) dropout."""\n'
    result = check_module(_model_module(tmp_path, lambda t: t.replace(
        _DROPOUT_FORWARD, _DROPOUT_FORWARD.replace("dropout_param):\n",
                                                   "dropout_param):\n" + doc))), timing=False)
    rows = [r for r in result.reports if "dropout_keep_ratio=0.5" in r.title
            and "test mode" in r.title]
    assert rows and rows[0].verdict == FAIL, result.to_table()
    assert "yours passes the input through" in rows[0].to_table()
