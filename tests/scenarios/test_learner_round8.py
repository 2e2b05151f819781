"""``numpynn gradcheck --file``, the eighth learner round: the seed question's network
written in styles other than CS231n's. A notebook (``.ipynb``, its nbconvert export with
``get_ipython()`` calls, a ``.py`` with ``%matplotlib inline`` / ``!pip install`` lines) was
an import error; layer classes, a functional script, deeplearning.ai's and Nielsen's code
got the generic "nothing numpynn checks found". Now a notebook runs cell by cell, and each
style is named with the smallest change that makes it checkable (the model-class adapters
of docs/gradcheck.md, checked here). Each test fails on the code before this round."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from numpynn.cli.gradcheck_cmd import load_user_module
from numpynn.gradcheck.checks import FAIL, PASS
from numpynn.gradcheck.file import check_module
from tests.clirun import REPO, numpynn

CLASSES = 'import numpy as np\n\nclass Linear:\n    def __init__(self, n_in, n_out):\n        self.W = 0.01 * np.random.randn(n_in, n_out)\n        self.b = np.zeros(n_out)\n    def forward(self, x):\n        self.x = x\n        return x @ self.W + self.b\n    def backward(self, grad):\n        self.dW = self.x.T @ grad\n        self.db = grad.sum(axis=0)\n        return grad @ self.W.T\n\nclass ReLU:\n    def forward(self, x):\n        self.mask = x > 0\n        return x * self.mask\n    def backward(self, grad):\n        return grad * self.mask\n\nclass SoftmaxCrossEntropy:\n    def forward(self, scores, y):\n        s = scores - scores.max(axis=1, keepdims=True)\n        p = np.exp(s); p /= p.sum(axis=1, keepdims=True)\n        self.p, self.y = p, y\n        return -np.log(p[np.arange(len(y)), y]).mean()\n    def backward(self):\n        N = len(self.y)\n        d = self.p.copy(); d[np.arange(N), self.y] -= 1\n        return d / N\n\nclass Net:\n    def __init__(self, D, H, C):\n        self.layers = [Linear(D, H), ReLU(), Linear(H, C)]\n        self.loss_fn = SoftmaxCrossEntropy()\n    def forward(self, X):\n        for l in self.layers:\n            X = l.forward(X)\n        return X\n    def backward(self, dout):\n        for l in reversed(self.layers):\n            dout = l.backward(dout)\n        return dout\n'

NIELSEN = 'import random\nimport numpy as np\n\nclass Network(object):\n    def __init__(self, sizes):\n        self.num_layers = len(sizes)\n        self.sizes = sizes\n        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]\n        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]\n    def feedforward(self, a):\n        for b, w in zip(self.biases, self.weights):\n            a = sigmoid(np.dot(w, a)+b)\n        return a\n    def backprop(self, x, y):\n        nabla_b = [np.zeros(b.shape) for b in self.biases]\n        nabla_w = [np.zeros(w.shape) for w in self.weights]\n        activation = x\n        activations = [x]\n        zs = []\n        for b, w in zip(self.biases, self.weights):\n            z = np.dot(w, activation)+b\n            zs.append(z)\n            activation = sigmoid(z)\n            activations.append(activation)\n        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])\n        nabla_b[-1] = delta\n        nabla_w[-1] = np.dot(delta, activations[-2].transpose())\n        for l in range(2, self.num_layers):\n            z = zs[-l]\n            sp = sigmoid_prime(z)\n            delta = np.dot(self.weights[-l+1].transpose(), delta) * sp\n            nabla_b[-l] = delta\n            nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())\n        return (nabla_b, nabla_w)\n    def cost_derivative(self, output_activations, y):\n        return (output_activations-y)\n\ndef sigmoid(z):\n    return 1.0/(1.0+np.exp(-z))\n\ndef sigmoid_prime(z):\n    return sigmoid(z)*(1-sigmoid(z))\n'

FUNCTIONAL = 'import numpy as np\n\ndef init_params(D, H, C):\n    return {"W1": 0.01*np.random.randn(D, H), "b1": np.zeros(H),\n            "W2": 0.01*np.random.randn(H, C), "b2": np.zeros(C)}\n\ndef forward(X, params):\n    z1 = X @ params["W1"] + params["b1"]\n    a1 = np.maximum(0, z1)\n    scores = a1 @ params["W2"] + params["b2"]\n    s = scores - scores.max(axis=1, keepdims=True)\n    p = np.exp(s); p /= p.sum(axis=1, keepdims=True)\n    return p, {"z1": z1, "a1": a1, "p": p}\n\ndef backward(X, y, params, cache):\n    N = X.shape[0]\n    d = cache["p"].copy(); d[np.arange(N), y] -= 1; d /= N\n    grads = {"W2": cache["a1"].T @ d, "b2": d.sum(0)}\n    da1 = d @ params["W2"].T\n    dz1 = da1 * (cache["z1"] > 0)\n    grads["W1"] = X.T @ dz1\n    grads["b1"] = dz1.sum(0)\n    return grads\n'

LOSS_AND_GRAD = 'import numpy as np\n\ndef loss_and_grad(W1, b1, W2, b2, X, y, reg=0.0):\n    N = X.shape[0]\n    z1 = X @ W1 + b1\n    a1 = np.maximum(0, z1)\n    scores = a1 @ W2 + b2\n    s = scores - scores.max(axis=1, keepdims=True)\n    p = np.exp(s); p /= p.sum(axis=1, keepdims=True)\n    loss = -np.log(p[np.arange(N), y]).mean() + 0.5*reg*(np.sum(W1*W1)+np.sum(W2*W2))\n    d = p.copy(); d[np.arange(N), y] -= 1; d /= N\n    dW2 = a1.T @ d + reg*W2; db2 = d.sum(0)\n    dz1 = (d @ W2.T) * (z1 > 0)\n    dW1 = X.T @ dz1 + reg*W1; db1 = dz1.sum(0)\n    return loss, (dW1, db1, dW2, db2)\n'

NG = 'import numpy as np\n\ndef initialize_parameters_deep(layer_dims):\n    np.random.seed(3)\n    parameters = {}\n    L = len(layer_dims)\n    for l in range(1, L):\n        parameters[\'W\' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l-1]) * 0.01\n        parameters[\'b\' + str(l)] = np.zeros((layer_dims[l], 1))\n    return parameters\n\ndef sigmoid(Z):\n    A = 1/(1+np.exp(-Z))\n    return A, Z\n\ndef relu(Z):\n    A = np.maximum(0,Z)\n    return A, Z\n\ndef relu_backward(dA, cache):\n    Z = cache\n    dZ = np.array(dA, copy=True)\n    dZ[Z <= 0] = 0\n    return dZ\n\ndef sigmoid_backward(dA, cache):\n    Z = cache\n    s = 1/(1+np.exp(-Z))\n    return dA * s * (1-s)\n\ndef linear_forward(A, W, b):\n    Z = np.dot(W, A) + b\n    cache = (A, W, b)\n    return Z, cache\n\ndef linear_activation_forward(A_prev, W, b, activation):\n    Z, linear_cache = linear_forward(A_prev, W, b)\n    if activation == "sigmoid":\n        A, activation_cache = sigmoid(Z)\n    elif activation == "relu":\n        A, activation_cache = relu(Z)\n    return A, (linear_cache, activation_cache)\n\ndef L_model_forward(X, parameters):\n    caches = []\n    A = X\n    L = len(parameters) // 2\n    for l in range(1, L):\n        A_prev = A\n        A, cache = linear_activation_forward(A_prev, parameters[\'W\' + str(l)], parameters[\'b\' + str(l)], "relu")\n        caches.append(cache)\n    AL, cache = linear_activation_forward(A, parameters[\'W\' + str(L)], parameters[\'b\' + str(L)], "sigmoid")\n    caches.append(cache)\n    return AL, caches\n\ndef compute_cost(AL, Y):\n    m = Y.shape[1]\n    cost = -1/m * np.sum(Y*np.log(AL) + (1-Y)*np.log(1-AL))\n    return np.squeeze(cost)\n\ndef linear_backward(dZ, cache):\n    A_prev, W, b = cache\n    m = A_prev.shape[1]\n    dW = 1/m * np.dot(dZ, A_prev.T)\n    db = 1/m * np.sum(dZ, axis=1, keepdims=True)\n    dA_prev = np.dot(W.T, dZ)\n    return dA_prev, dW, db\n\ndef linear_activation_backward(dA, cache, activation):\n    linear_cache, activation_cache = cache\n    if activation == "relu":\n        dZ = relu_backward(dA, activation_cache)\n    elif activation == "sigmoid":\n        dZ = sigmoid_backward(dA, activation_cache)\n    return linear_backward(dZ, linear_cache)\n\ndef L_model_backward(AL, Y, caches):\n    grads = {}\n    L = len(caches)\n    Y = Y.reshape(AL.shape)\n    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))\n    current_cache = caches[L-1]\n    grads["dA" + str(L-1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, current_cache, "sigmoid")\n    for l in reversed(range(L-1)):\n        current_cache = caches[l]\n        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, "relu")\n        grads["dA" + str(l)] = dA_prev_temp\n        grads["dW" + str(l + 1)] = dW_temp\n        grads["db" + str(l + 1)] = db_temp\n    return grads\n\ndef update_parameters(parameters, grads, learning_rate):\n    L = len(parameters) // 2\n    for l in range(L):\n        parameters["W" + str(l+1)] -= learning_rate * grads["dW" + str(l+1)]\n        parameters["b" + str(l+1)] -= learning_rate * grads["db" + str(l+1)]\n    return parameters\n'

AFFINE = """def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(0)
    return dx, dw, db
"""


def _export(affine: str) -> str:
    """A notebook as nbconvert exports it, with the magics left as typed."""
    return ("#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\n!pip install numpy\n"
            "import numpy as np\n%matplotlib inline\n\n\n# In[2]:\n\n\n" + affine
            + "\n\n# In[3]:\n\n\nget_ipython().run_line_magic('load_ext', 'autoreload')\n"
            "X = load_CIFAR10('cs231n/datasets')\n")


@pytest.mark.parametrize("bug", [False, True])
def test_a_notebook_export_with_magic_lines_is_checked(tmp_path: Path, bug: bool) -> None:
    code = AFFINE.replace("db = dout.sum(0)", "db = dout.sum(0) * 2") if bug else AFFINE
    (tmp_path / "net.py").write_text(_export(code), encoding="utf-8")
    module = load_user_module(str(tmp_path / "net.py"))
    assert any("cell In[3] raised NameError" in n for n in module.__numpynn_notes__)
    result = check_module(module, timing=False)
    assert result.verdict == (FAIL if bug else PASS), result.to_table()


def test_an_ipynb_runs_cell_by_cell(tmp_path: Path) -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": src} for src in (["%matplotlib inline\n", "import numpy as np\n"],
                                         "data = load_CIFAR10('x')", AFFINE)]
    cells.insert(1, {"cell_type": "markdown", "metadata": {}, "source": ["# affine"]})
    (tmp_path / "net.ipynb").write_text(json.dumps({"cells": cells, "metadata": {},
                                                    "nbformat": 4, "nbformat_minor": 5}))
    module = load_user_module(str(tmp_path / "net.ipynb"))
    assert [n for n in module.__numpynn_notes__ if "cell In[2] raised NameError: name "
            "'load_CIFAR10' is not defined (line 1 of" in n and "(cell In[2]))" in n]
    assert check_module(module, timing=False).verdict == PASS


@pytest.mark.parametrize(("source", "said"), [
    (CLASSES, "class Linear, ReLU, SoftmaxCrossEntropy, Net: layers as classes"),
    (NIELSEN, "class Network: Nielsen's network.py style"),
    (FUNCTIONAL, "functions forward(X, params), backward(X, y, params, cache)"),
    (LOSS_AND_GRAD, "functions loss_and_grad(W1, b1, W2, b2, X, y, reg)"),
    (NG, "deeplearning.ai's functions (L_model_forward, L_model_backward"),
])
def test_another_style_is_named_with_what_to_change(tmp_path: Path, source: str,
                                                     said: str) -> None:
    (tmp_path / "net.py").write_text(source, encoding="utf-8")
    result = numpynn("gradcheck", "--file", "net.py", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr and "Networks in other styles" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def _adapter(after: str) -> str:
    """The model-class adapter the docs show after ``after``."""
    text = (REPO / "numpynn" / "docs" / "gradcheck.md").read_text(encoding="utf-8")
    start = text.index(after)
    return "\n\n" + re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)


@pytest.mark.parametrize(("source", "after", "bug", "kind"), [
    (CLASSES, "For layer classes", None, None),
    (CLASSES, "For layer classes", ("        return d / N", "        return d"), "factor N"),
    (CLASSES, "For layer classes", ("return grad * self.mask", "return grad"), "mask"),
    (FUNCTIONAL, "For a functional script", None, None),
    (FUNCTIONAL, "For a functional script", ("d[np.arange(N), y] -= 1; d /= N",
                                             "d[np.arange(N), y] -= 1"), "factor N"),
    (FUNCTIONAL, "For a functional script", ("dz1 = da1 * (cache[\"z1\"] > 0)",
                                             "dz1 = da1"), "mask"),
])
def test_the_docs_adapters_check_the_learners_code(tmp_path: Path, source: str, after: str,
                                                   bug: tuple[str, str] | None,
                                                   kind: str | None) -> None:
    if bug is not None:
        assert bug[0] in source
        source = source.replace(*bug)
    (tmp_path / "net.py").write_text(source + _adapter(after), encoding="utf-8")
    result = check_module(load_user_module(str(tmp_path / "net.py")), timing=False)
    assert result.verdict == (PASS if bug is None else FAIL), result.to_table()
    assert not result.styles, result.styles
    if kind is not None:
        assert kind in result.kinds, result.to_table()
