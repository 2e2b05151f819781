"""``numpynn gradcheck --file``: a learner's CS231n layers, checked end to end; svm_loss."""

from __future__ import annotations

import os
import textwrap
import time

import numpy as np
import pytest

from numpynn.gradcheck.checks import check_array
from numpynn.gradcheck.file import check_module
from numpynn.losses import svm_loss
from tests.clirun import gradcheck_here, numpynn, ok

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
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(x.shape[1]))
    running_var = bn_param.get("running_var", np.ones(x.shape[1]))
    if bn_param["mode"] == "test":
        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, None
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
    bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
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
    if mode == "test":
        return x, None
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
    out = ok(numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path))
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
    proc = gradcheck_here("--file", "layers.py", cwd=tmp_path)
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
    proc = gradcheck_here("--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert "relu_forward / relu_backward vs numpynn's relu" in proc.stdout
    assert "numerical gradients" in proc.stdout


def test_a_raising_layer_is_a_failure_with_its_message(tmp_path):
    write(tmp_path, '''
        def relu_forward(x):
            return x, x
        def relu_backward(dout, cache):
            raise ValueError("TODO")
    ''')
    # (NotImplementedError is a stub's: not implemented yet, test_learner_files)
    proc = gradcheck_here("--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "ValueError: TODO" in proc.stdout


@pytest.mark.parametrize("text, message", [
    ("def affine_forward(x:\n", "syntax error at line 1"),
    ("import no_such_module_xyz\n", "ModuleNotFoundError"),
    ("def helper():\n    pass\n", "nothing numpynn checks found"),
])
def test_unusable_files_exit_2_with_one_line(tmp_path, text, message):
    write(tmp_path, text)
    proc = gradcheck_here("--file", "layers.py", cwd=tmp_path)
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
    out = ok(gradcheck_here("--file", "layers.py", cwd=tmp_path))
    assert "not checked: leaky_relu_forward: called with (x)" in out
    assert "tanh_forward / tanh_backward: numerical gradients" in out


# ----------------------------------------------------------------- issue 20 and 21's items
def module_of(tmp_path, text, name="mylayers"):
    """The learner's file imported as the CLI's child imports it."""
    from numpynn.cli.gradcheck_cmd import load_user_module

    return load_user_module(str(write(tmp_path, text, f"{name}.py")))


def test_relu_backward_using_dout_for_x_fails_and_names_the_mask(tmp_path):
    bad = CORRECT.replace("dx = dout            # in place, as many learners write it\n"
                          "    dx[cache <= 0] = 0", "dx = dout * (dout > 0)")
    result = check_module(module_of(tmp_path, bad), timing=False)
    assert "relu_forward / relu_backward: numerical gradients" in result.failed
    assert "mask" in result.kinds


@pytest.mark.parametrize("old, new, row", [
    ("mask = (np.random.rand(*x.shape) < p) / p", "mask = np.random.rand(*x.shape) < p",
     "mean p=0.25"),  # not scaled by 1/p
    ("    if mode == \"test\":\n        return x, None\n", "", "test out"),  # mask in test mode
    ("bn_param[\"running_mean\"] = momentum * running_mean + (1 - momentum) * mu",
     "bn_param[\"running_mean\"] = running_mean", "running_mean"),
    ("return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, None",
     "return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta, None", "test out"),
    ("xhat = (x - mu) / np.sqrt(var + eps)", "xhat = (x - mu) / np.sqrt(var + eps) * 1.1",
     "std (g=1,b=0)"),
])
def test_forward_and_test_mode_bugs_are_caught(tmp_path, old, new, row):
    assert old in CORRECT
    result = check_module(module_of(tmp_path, CORRECT.replace(old, new)), timing=False)
    behaviour = [r for r in result.reports if "train and test mode" in r.title]
    failing = {x.name for r in behaviour for x in r.rows if x.verdict == "FAIL"}
    assert row in failing, result.to_table()
    assert any(x.kind in ("forward", "test mode") and x.kind_text for r in behaviour
               for x in r.rows if x.verdict == "FAIL")


def test_correct_module_passes_the_behaviour_checks(tmp_path):
    result = check_module(module_of(tmp_path, CORRECT), timing=False)
    titles = [r.title for r in result.reports]
    assert any(t.startswith("dropout_forward: train and test mode") for t in titles)
    assert any(t.startswith("batchnorm_forward: train and test mode") for t in titles)
    assert result.verdict == "pass", result.to_table()


def test_batchnorm_backward_and_alt_are_compared_and_timed(tmp_path):
    text = CORRECT + ("\ndef batchnorm_backward(dout, cache):\n"
                      "    return batchnorm_backward_alt(dout, cache)\n")
    result = check_module(module_of(tmp_path, text))
    both = [r for r in result.reports if r.title.startswith("batchnorm_backward vs")]
    assert len(both) == 1 and both[0].verdict == "pass"
    assert [r.name for r in both[0].rows] == ["dx", "dgamma", "dbeta"]
    note = " ".join(result.notes)
    assert "median of" in note and "warm-up" in note and "speedup" in note


def test_stubs_are_not_implemented_yet_not_failures(tmp_path):
    stubs = '''
        import numpy as np
        def affine_forward(x, w, b):
            out = None
            cache = (x, w, b)
            return out, cache
        def affine_backward(dout, cache):
            dx, dw, db = None, None, None
            return dx, dw, db
        def relu_forward(x):
            return np.maximum(0, x), x
        def relu_backward(dout, x):
            dx = None
            return dx
        def softmax_loss(x, y):
            loss, dx = None, None
            return loss, dx
        class FullyConnectedNet:
            def __init__(self, hidden_dims, input_dim=3*32*32, num_classes=10,
                         dropout_keep_ratio=1, normalization=None, reg=0.0,
                         weight_scale=1e-2, dtype=np.float32, seed=None):
                self.params = {}
            def loss(self, X, y=None):
                return None
    '''
    result = check_module(module_of(tmp_path, stubs), timing=False)
    assert not result.failed, result.to_table()
    for name in ("affine_forward", "relu_backward", "softmax_loss",
                 "FullyConnectedNet.__init__"):
        assert any(n.startswith(name) for n in result.not_implemented), result.not_implemented
    assert "not implemented yet" in result.to_table()


def test_a_package_file_with_relative_imports_loads(tmp_path):
    pkg = tmp_path / "cs231n"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    write(pkg, CORRECT, "layers.py")
    write(pkg, '''
        from .layers import *
        def affine_relu_forward(x, w, b):
            a, fc_cache = affine_forward(x, w, b)
            out, relu_cache = relu_forward(a)
            return out, (fc_cache, relu_cache)
        def affine_relu_backward(dout, cache):
            fc_cache, relu_cache = cache
            return affine_backward(relu_backward(dout, relu_cache), fc_cache)
    ''', "layer_utils.py")
    out = ok(gradcheck_here("--file", "cs231n/layer_utils.py", cwd=tmp_path))
    assert "affine_relu_forward / affine_relu_backward: numerical gradients" in out
    assert "FAIL" not in out


A1_NET = '''
import numpy as np

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {"W1": std * np.random.randn(input_size, hidden_size),
                       "b1": np.zeros(hidden_size),
                       "W2": std * np.random.randn(hidden_size, output_size),
                       "b2": np.zeros(output_size)}

    def loss(self, X, y=None, reg=0.0):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        h = np.maximum(X @ W1 + b1, 0)
        s = h @ W2 + b2
        if y is None:
            return s
        N = X.shape[0]
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        loss = -np.log(p[np.arange(N), y]).mean() + reg * (np.sum(W1**2) + np.sum(W2**2))
        ds = p.copy()
        ds[np.arange(N), y] -= 1
        ds /= N
        dh = ds @ W2.T * (h > 0)
        return loss, {"W1": X.T @ dh + 2 * reg * W1, "b1": dh.sum(0),
                      "W2": h.T @ ds + 2 * reg * W2, "b2": ds.sum(0)}

class Helper:
    def __init__(self, config):
        self.config = config
    def loss(self, X, y=None):
        return 0.0
'''


def test_model_classes_in_the_file_are_checked(tmp_path):
    result = check_module(module_of(tmp_path, A1_NET))
    titles = [r.title for r in result.reports]
    assert titles == ["TwoLayerNet(std=1e-1, loss(X, y, reg=0.05)): numerical gradients",
                      "TwoLayerNet(std=1e-1, loss(X, y, reg=0.05)): loss(X, y)'s inputs, "
                      "value and large scores (analytic = yours, numerical = expected)",
                      "TwoLayerNet(std=1e-1, loss(X, y, reg=0.05)): test mode, loss(X) "
                      "(analytic = yours, numerical = expected)",
                      "TwoLayerNet(std=1e-1, loss(X, y, reg=0.05)): initial weights "
                      "(analytic = yours, numerical = expected)"]
    assert result.verdict == "pass", result.to_table()
    assert any(s.startswith("class Helper: its constructor takes (config)")
               for s in result.skipped)
    bad = A1_NET.replace('"W1": X.T @ dh + 2 * reg * W1', '"W1": X.T @ dh + reg * W1')
    result = check_module(module_of(tmp_path, bad, "bad"))
    assert result.failed and result.kinds == ["regularisation"], result.to_table()


def test_a_raised_error_points_at_the_learners_line(tmp_path):
    text = '''
        import numpy as np
        def affine_forward(x, w, b):
            out = x @ w + b   # x is (N, d1, d2): the learner forgot the reshape
            return out, (x, w, b)
        def affine_backward(dout, cache):
            return None, None, None
    '''
    path = write(tmp_path, text)
    proc = gradcheck_here("--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"line 4 of {path}" in proc.stdout or "line 4 of layers.py" in proc.stdout, proc.stdout


@pytest.mark.parametrize("call", ["sys.exit(0)", "exit()", "os._exit(0)",
                                  "os.kill(os.getpid(), signal.SIGKILL)",
                                  "raise KeyboardInterrupt"])
def test_code_that_ends_the_process_is_a_fail_never_a_pass(tmp_path, call):
    write(tmp_path, f'''
        import os, signal, sys
        import numpy as np
        def relu_forward(x):
            return np.maximum(0, x), x
        def relu_backward(dout, x):
            return dout * (x > 0)
        def affine_forward(x, w, b):
            {call}
        def affine_backward(dout, cache):
            return None
    ''')
    proc = numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "affine_forward / affine_backward" in proc.stdout.splitlines()[-1]
    assert "FAIL" in proc.stdout


def test_an_infinite_loop_is_stopped_and_named_a_fail(tmp_path):
    write(tmp_path, '''
        import numpy as np
        def relu_forward(x):
            return np.maximum(0, x), x
        def relu_backward(dout, x):
            i = 0
            while i < 10:   # the learner forgot i += 1
                dout = dout * (x > 0)
            return dout
    ''')
    proc = numpynn("gradcheck", "--file", "layers.py", "--timeout", "2", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "relu_forward / relu_backward: FAIL: it did not finish within 2 s" in proc.stdout
    assert "a loop that never ends" in proc.stdout.lower()
    assert proc.stdout.splitlines()[-1] == "FAILED: relu_forward / relu_backward"


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_a_stopped_check_ends_the_processes_the_learners_code_started(tmp_path):
    """A learner's file that starts a helper process (a data loader, a plot server) and
    then never returns: the stop ends the helper too, not only the check's child."""
    write(tmp_path, '''
        import subprocess, sys
        import numpy as np
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        open("helper.pid", "w").write(str(helper.pid))
        def relu_forward(x):
            return np.maximum(0, x), x
        def relu_backward(dout, x):
            while True:
                pass
    ''')
    proc = numpynn("gradcheck", "--file", "layers.py", "--timeout", "2", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    pid = int((tmp_path / "helper.pid").read_text())
    for _ in range(50):  # killed with its group; reaped by init a moment later
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if open(f"/proc/{pid}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        raise AssertionError("the learner's helper process outlived the check")


def test_training_at_the_top_level_is_stopped_with_the_main_guard_advice(tmp_path):
    write(tmp_path, '''
        import time
        import numpy as np
        def relu_forward(x):
            return np.maximum(0, x), x
        for epoch in range(10 ** 9):   # "training" on import, no __main__ guard
            print("epoch", epoch)
            time.sleep(0.01)
    ''')
    proc = numpynn("gradcheck", "--file", "layers.py", "--timeout", "2", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "importing it did not finish within 2 s" in proc.stderr
    assert 'if __name__ == "__main__":' in proc.stderr and "Last output: epoch" in proc.stderr


def test_a_file_that_prints_a_lot_is_checked_as_usual(tmp_path):
    write(tmp_path, '''
        import numpy as np
        def relu_forward(x):
            print("forward", x, "\\n" * 2000)   # far more than a pipe's buffer
            return np.maximum(0, x), x
        def relu_backward(dout, x):
            print("backward", dout)
            return dout * (x > 0)
    ''')
    proc = numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "forward" not in proc.stdout.splitlines()[-1]


def test_sys_exit_at_import_is_a_usage_error_with_the_line(tmp_path):
    write(tmp_path, "import sys\n\nsys.exit(3)\n")
    proc = numpynn("gradcheck", "--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "SystemExit(3)" in proc.stderr and "(line 3 of layers.py)" in proc.stderr


def test_a_type_error_inside_the_learners_forward_is_a_fail_not_a_skip(tmp_path):
    text = '''
        import numpy as np
        def affine_forward(x, w, b):
            out = x.reshape(x.shape[0], -1) @ w + None   # a bug that raises TypeError
            return out, (x, w, b)
        def affine_backward(dout, cache):
            x, w, b = cache
            return dout @ w.T, x.T @ dout, dout.sum(0)
    '''
    result = check_module(module_of(tmp_path, text), timing=False)
    assert [n for n, _ in result.errors] == ["affine_forward / affine_backward"]
    assert "TypeError" in result.errors[0][1] and "line 4 of" in result.errors[0][1]
    assert not result.skipped


def test_a_file_of_stubs_only_says_nothing_was_checked(tmp_path):
    write(tmp_path, '''
        def relu_forward(x):
            out = None
            return out, x
        def relu_backward(dout, cache):
            return None
    ''')
    proc = gradcheck_here("--file", "layers.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ("not implemented yet (a stub: returns None or raises NotImplementedError; "
            "skipped): relu_forward") in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("nothing checked yet in layers.py")


FC_NET = """import numpy as np
from ..layers import *
from ..layer_utils import *

class FullyConnectedNet(object):
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10,
                 dropout_keep_ratio=1, normalization=None, reg=0.0,
                 weight_scale=1e-2, dtype=np.float32, seed=None):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        dims = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(self.num_layers):
            self.params[f"W{i+1}"] = weight_scale * np.random.randn(dims[i], dims[i+1])
            self.params[f"b{i+1}"] = np.zeros(dims[i+1])
            if normalization and i < self.num_layers - 1:
                self.params[f"gamma{i+1}"] = np.ones(dims[i+1])
                self.params[f"beta{i+1}"] = np.zeros(dims[i+1])
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        self.bn_params = []
        if normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for i in range(self.num_layers - 1)]
        if normalization == "layernorm":
            self.bn_params = [{} for i in range(self.num_layers - 1)]
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode
        h, caches = X, []
        for i in range(1, self.num_layers):
            h, c1 = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            c2 = None
            if self.normalization == "batchnorm":
                h, c2 = batchnorm_forward(h, self.params[f"gamma{i}"],
                                          self.params[f"beta{i}"], self.bn_params[i-1])
            h, c3 = relu_forward(h)
            c4 = None
            if self.use_dropout:
                h, c4 = dropout_forward(h, self.dropout_param)
            caches.append((c1, c2, c3, c4))
        L = self.num_layers
        scores, cL = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        if mode == "test":
            return scores
        loss, ds = softmax_loss(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(ds, cL)
        for i in range(L - 1, 0, -1):
            c1, c2, c3, c4 = caches[i-1]
            if c4 is not None:
                dh = dropout_backward(dh, c4)
            dh = relu_backward(dh, c3)
            if c2 is not None:
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward_alt(dh, c2)
            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, c1)
        for i in range(1, L + 1):
            loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)
            grads[f"W{i}"] += self.reg * self.params[f"W{i}"]
        return loss, grads
"""


def test_a_models_file_in_the_course_package_is_checked(tmp_path):
    """cs231n/classifiers/fc_net.py as the course lays it out: relative imports of the
    layers, a FullyConnectedNet built with the course's arguments, each variant its
    constructor takes checked; an unfinished variant (layer norm) is that check's FAIL."""
    pkg = tmp_path / "cs231n"
    (pkg / "classifiers").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "classifiers" / "__init__.py").write_text("")
    write(pkg, CORRECT, "layers.py")
    (pkg / "classifiers" / "fc_net.py").write_text(FC_NET.replace(
        "from ..layer_utils import *\n", ""))
    proc = gradcheck_here("--file", "cs231n/classifiers/fc_net.py", cwd=tmp_path)
    out = proc.stdout
    for variant in ("hidden_dims=[7, 8], reg=0.1", "normalization='batchnorm'",
                    "dropout_keep_ratio=0.5, seed=123"):
        assert f"FullyConnectedNet({variant}): numerical gradients" in out, out
    assert ("FullyConnectedNet(normalization='layernorm'): FAIL: loss(X, y) returned no "
            "gradient for parameter 'gamma1'") in out
    assert "no gradient for parameter 'gamma1'" in out
    assert out.strip().splitlines()[-1] == "FAILED: FullyConnectedNet(normalization='layernorm')"


def test_layernorm_is_compared_in_train_and_test_mode(tmp_path):
    text = CORRECT + '''
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    if ln_param.get("mode") == "test":   # the bug: batch statistics at test time
        mu, var = x.mean(axis=0), x.var(axis=0)
    else:
        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps))

def layernorm_backward(dout, cache):
    xhat, gamma, std = cache
    D = dout.shape[1]
    dxhat = dout * gamma
    dx = (D * dxhat - dxhat.sum(axis=1, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (D * std)
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
'''
    result = check_module(module_of(tmp_path, text), timing=False)
    ln = [r for r in result.reports if r.title.startswith("layernorm_forward: train and test")]
    assert len(ln) == 1
    failing = {r.name: r.kind for r in ln[0].rows if r.verdict == "FAIL"}
    assert "out (test)" in failing and failing["out (test)"] == "test mode", ln[0]
    assert "out (train)" not in failing
    fixed = text.replace('ln_param.get("mode") == "test"', "False")
    assert check_module(module_of(tmp_path, fixed, "fixed"), timing=False).verdict == "pass"


def test_an_assignment2_two_layer_net_class_is_built_with_its_arguments(tmp_path):
    text = '''
        import numpy as np
        import numpynn

        class TwoLayerNet(numpynn.TwoLayerNet):   # input_dim, hidden_dim, num_classes, ...
            pass
    '''
    result = check_module(module_of(tmp_path, text))
    assert [r.title for r in result.reports] == [
        "TwoLayerNet(hidden_dim=7, reg=0.1): numerical gradients",
        "TwoLayerNet(hidden_dim=7, reg=0.1): loss(X, y)'s inputs, value and large scores "
        "(analytic = yours, numerical = expected)",
        "TwoLayerNet(hidden_dim=7, reg=0.1): test mode, loss(X) (analytic = yours, "
        "numerical = expected)",
        "TwoLayerNet(hidden_dim=7, reg=0.1): initial weights (analytic = yours, "
        "numerical = expected)"]
    assert result.verdict == "pass", result.to_table()


def test_a_course_layer_registered_in_one_file_is_checked_in_learners_files():
    """A layer that declares its CS231n pair (Layer.course) is looked for in a learner's
    file, checked numerically and against numpynn's own pair, with nothing else touched."""
    import types

    from numpynn.layers import Layer, register, unregister
    from numpynn.layers.base import CoursePair

    def cube_forward(x):
        return x ** 3, x

    def cube_backward(dout, x):
        return dout * 3 * x ** 2

    @register
    class Cube(Layer):
        name = "cube_for_gradcheck_test"
        course = CoursePair("cube", cube_forward, cube_backward)

        def forward(self, x, params, buffers, train, rng):
            return cube_forward(x)

        def backward(self, dout, cache):
            return cube_backward(dout, cache), {}

    try:
        right = types.ModuleType("learner_right")
        right.cube_forward, right.cube_backward = cube_forward, cube_backward
        wrong = types.ModuleType("learner_wrong")
        wrong.cube_forward = cube_forward
        wrong.cube_backward = lambda dout, x: dout * 3 * x  # forgot the square
        checked = check_module(right, timing=False)
        titles = [r.title for r in checked.reports]
        assert any("cube_forward / cube_backward" in t for t in titles), titles
        assert any("vs numpynn's cube" in t for t in titles), titles
        assert checked.failed == []
        assert any("cube" in name for name in check_module(wrong, timing=False).failed)
    finally:
        unregister("cube_for_gradcheck_test")
    # unregistered, the pair is a layer of the learner's own naming: checked against
    # numerical gradients only (no numpynn pair to compare with)
    titles = [r.title for r in check_module(right, timing=False).reports]
    assert titles == ["cube_forward / cube_backward: numerical gradients"], titles


ALIASED_SOFTMAX = '''
import numpy as np

def softmax_loss(x, y):
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    dx = probs            # no copy: the next line edits probs too
    dx[np.arange(N), y] -= 1
    dx /= N
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N   # log of (p - 1) / N < 0: NaN
    return loss, dx
'''


def test_a_nan_loss_is_not_finite_not_a_random_loss_and_names_the_aliasing(tmp_path):
    result = check_module(module_of(tmp_path, ALIASED_SOFTMAX), timing=False)
    table = result.to_table()
    assert result.failed and "random loss" not in table, table
    assert "not finite" in result.kinds, table
    assert "softmax_loss(x, y) returned the loss nan" in table
    assert "dx = probs.copy()" in table


SOFTMAX_TEMPLATE = '''
import numpy as np
{top}
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


@pytest.mark.parametrize("old, new, top, says, not_says", [
    # the row max without keepdims: (N,) against (N, C), not the labels
    ("np.max(x, axis=1, keepdims=True)", "np.max(x, axis=1)", "",
     "without keepdims=True", "one-hot"),
    # labels taken as one-hot rows
    ("    loss = -np.sum(np.log(probs[np.arange(N), y])) / N\n",
     "    loss = -np.sum(y * np.log(probs)) / N\n", "", "one-hot rows", "keepdims=True gives"),
    # the batch size read from the file's top level
    ("    N = x.shape[0]\n", "", "N = 50  # the notebook's batch size\n",
     "softmax_loss reads N = 50 from the file's top level", "one-hot"),
    # a constant of the file is not blamed for a shape error it has no part in
    ("np.max(x, axis=1, keepdims=True)", "np.max(x, axis=1) + EPS",
     "EPS = 1e-8\nNUM_CLASSES = 10\n", "without keepdims=True", "top level"),
    # the batch size defined nowhere (it was the notebook's)
    ("    N = x.shape[0]\n", "", "", "N is not defined in the function or the file",
     "one-hot"),
])
def test_a_raised_shape_or_name_error_names_its_likely_cause(tmp_path, old, new, top, says,
                                                             not_says):
    text = SOFTMAX_TEMPLATE.format(top=top)
    assert old in text
    result = check_module(module_of(tmp_path, text.replace(old, new, 1)), timing=False)
    assert [n for n, _ in result.errors] == ["softmax_loss"], result.to_table()
    message = result.errors[0][1]
    assert says in message and not_says not in message, message
    assert check_module(module_of(tmp_path, text, "good"), timing=False).verdict == "pass"


@pytest.mark.parametrize("old, new, says", [
    ("np.max(x, axis=1, keepdims=True)", "np.max(x, axis=0, keepdims=True)",
     "subtracts each column's max"),
    ("np.sum(np.exp(shifted), axis=1, keepdims=True)", "np.sum(np.exp(shifted))",
     "normalises the exponentials over all N x C scores"),
])
def test_a_softmax_forward_mistake_is_named_on_every_failing_row(tmp_path, old, new, says):
    text = SOFTMAX_TEMPLATE.format(top="")
    result = check_module(module_of(tmp_path, text.replace(old, new, 1)), timing=False)
    table = result.to_table()
    assert result.kinds == ["forward"], table
    failing = [r for rep in result.reports for r in rep.rows if r.verdict == "FAIL"]
    assert failing and all(says in r.kind_text for r in failing), table


def test_an_svm_loss_read_after_its_margins_were_edited_names_the_aliasing(tmp_path):
    text = '''
import numpy as np

def svm_loss(x, y):
    N = x.shape[0]
    margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1.0)
    margins[np.arange(N), y] = 0
    dx = margins                       # no copy: the next lines edit margins too
    dx[margins > 0] = 1
    dx[np.arange(N), y] = -np.sum(dx, axis=1)
    loss = np.sum(margins) / N         # 0: each row of dx sums to 0
    return loss, dx / N
'''
    result = check_module(module_of(tmp_path, text), timing=False)
    table = result.to_table()
    assert result.kinds == ["forward"], table  # not the numerical row's "mask"
    failing = [r for rep in result.reports for r in rep.rows if r.verdict == "FAIL"]
    assert {r.name for r in failing} == {"x", "loss"}, table
    assert all("dx equals numpynn's but its loss does not" in r.kind_text for r in failing)
    assert "without .copy()" in failing[0].kind_text


TWO_LAYER_NET = '''
import numpy as np

class TwoLayerNet(object):
    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0):
        self.reg = reg
        self.params = {"W1": weight_scale * np.random.randn(input_dim, hidden_dim),
                       "b1": np.zeros(hidden_dim),
                       "W2": weight_scale * np.random.randn(hidden_dim, num_classes),
                       "b2": np.zeros(num_classes)}

    def loss(self, X, y=None):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        N = X.shape[0]
        h = np.maximum(0, X.reshape(N, -1) @ W1 + b1)
        scores = h @ W2 + b2
        if y is None:
            return scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        loss = -np.sum(np.log(probs[np.arange(N), y])) / N
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        dh = dscores @ W2.T * (h > 0)
        grads = {"W1": X.reshape(N, -1).T @ dh + self.reg * W1, "b1": dh.sum(axis=0),
                 "W2": h.T @ dscores + self.reg * W2, "b2": dscores.sum(axis=0)}
        return loss, grads
'''


def test_a_relu_on_the_scores_passes_the_gradients_and_fails_the_architecture_row(tmp_path):
    good = check_module(module_of(tmp_path, TWO_LAYER_NET, "good"), timing=False)
    rows = [r for rep in good.reports for r in rep.rows if r.name.startswith("scores (affine")]
    assert good.verdict == "pass" and [r.verdict for r in rows] == ["pass"], good.to_table()
    bad_text = TWO_LAYER_NET.replace(
        "        scores = h @ W2 + b2\n",
        "        z = h @ W2 + b2\n        scores = np.maximum(0, z)   # ReLU on the scores too\n"
    ).replace("        dh = dscores @ W2.T * (h > 0)\n",
              "        dscores = dscores * (z > 0)\n        dh = dscores @ W2.T * (h > 0)\n")
    bad = check_module(module_of(tmp_path, bad_text, "bad"), timing=False)
    table = bad.to_table()
    failing = [r for rep in bad.reports for r in rep.rows if r.verdict == "FAIL"]
    assert [r.name for r in failing] == ["scores (affine-ReLU x 1, affine)"], table
    assert failing[0].kind == "forward"
    assert "a ReLU on the last layer's output too" in failing[0].kind_text


def test_a_tanh_net_of_the_same_params_is_not_judged_by_the_architecture_row(tmp_path):
    """A correct two-layer net with tanh instead of ReLU: another network, not a mistake."""
    text = TWO_LAYER_NET.replace("np.maximum(0, X.reshape(N, -1) @ W1 + b1)",
                                 "np.tanh(X.reshape(N, -1) @ W1 + b1)").replace(
        "dh = dscores @ W2.T * (h > 0)", "dh = dscores @ W2.T * (1 - h ** 2)")
    assert text.count("np.tanh") == 1 and "(1 - h ** 2)" in text
    report = check_module(module_of(tmp_path, text, "tanh_net"), timing=False)
    rows = [r for rep in report.reports for r in rep.rows if r.name.startswith("scores (affine")]
    assert rows == [] and report.verdict == "pass", report.to_table()


def test_a_models_dscores_of_the_correct_class_column_alone_is_named(tmp_path):
    old = ("        dscores = probs.copy()\n        dscores[np.arange(N), y] -= 1\n"
           "        dscores /= N\n")
    assert old in TWO_LAYER_NET
    text = TWO_LAYER_NET.replace(
        old, "        dscores = (probs[np.arange(N), y] - 1)[:, None] / N   # N x 1\n")
    result = check_module(module_of(tmp_path, text), timing=False)
    assert len(result.errors) == 1, result.to_table()
    message = result.errors[0][1]
    assert "ValueError" in message and "an array of shape (N, 1) where an N x C" in message
    assert "on that line dscores has shape (5, 1)" in message  # a matmul's error omits it
    assert "dscores[np.arange(N), y] -= 1" in message
