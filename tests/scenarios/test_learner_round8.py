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
from numpynn.gradcheck.corpus import (
    ADAPTER_CLASSES,
    ADAPTER_FUNCTIONAL,
    EIGHTH_ROUND_CORRECT,
    EIGHTH_ROUND_FILES,
    EIGHTH_ROUND_MUTATIONS,
    LEARNER_CLASSES,
    LEARNER_FUNCTIONAL,
    LEARNER_NG,
    LEARNER_NIELSEN,
    _module_from,
    _replaced,
)
from numpynn.gradcheck.file import check_module
from tests.clirun import REPO, gradcheck_here, numpynn

CLASSES, FUNCTIONAL, NG, NIELSEN = LEARNER_CLASSES, LEARNER_FUNCTIONAL, LEARNER_NG, LEARNER_NIELSEN

LOSS_AND_GRAD = """\
import numpy as np

def loss_and_grad(W1, b1, W2, b2, X, y, reg=0.0):
    N = X.shape[0]
    z1 = X @ W1 + b1
    a1 = np.maximum(0, z1)
    scores = a1 @ W2 + b2
    s = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(s); p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).mean() + 0.5*reg*(np.sum(W1*W1)+np.sum(W2*W2))
    d = p.copy(); d[np.arange(N), y] -= 1; d /= N
    dW2 = a1.T @ d + reg*W2; db2 = d.sum(0)
    dz1 = (d @ W2.T) * (z1 > 0)
    dW1 = X.T @ dz1 + reg*W1; db1 = dz1.sum(0)
    return loss, (dW1, db1, dW2, db2)
"""


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
    (FUNCTIONAL, "functions forward(X, params), backward(X, y, params, cache)"),
    (LOSS_AND_GRAD, "functions loss_and_grad(W1, b1, W2, b2, X, y, reg)"),
    ("\n".join(b for b in NG.split("\n\n") if "def L_model" not in b),
     "deeplearning.ai's functions (linear_activation_forward, linear_activation_backward"),
])
def test_another_style_is_named_with_what_to_change(tmp_path: Path, source: str,
                                                     said: str) -> None:
    (tmp_path / "net.py").write_text(source, encoding="utf-8")
    result = gradcheck_here("--file", "net.py", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr and "Networks in other styles" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("after", "adapter"), [("For layer classes", ADAPTER_CLASSES),
                                                ("For a functional script", ADAPTER_FUNCTIONAL)])
def test_the_docs_adapters_are_the_corpus_ones(after: str, adapter: str) -> None:
    assert _adapter(after).strip() == adapter.strip()


@pytest.mark.parametrize("name", [*EIGHTH_ROUND_CORRECT, *EIGHTH_ROUND_MUTATIONS])
def test_eighth_round_corpus_cases(tmp_path: Path, name: str) -> None:
    base, pairs, *kind = EIGHTH_ROUND_CORRECT.get(name) or EIGHTH_ROUND_MUTATIONS[name]
    result = check_module(_module_from(_replaced(EIGHTH_ROUND_FILES[base], pairs), "net",
                                       str(tmp_path)), timing=False)
    assert result.verdict == (FAIL if kind else PASS), result.to_table()
    assert not kind or kind[0] is None or kind[0] in result.kinds, result.to_table()
    assert not result.styles, result.styles


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


@pytest.mark.parametrize(("bug", "kind"), [
    (None, None),
    (("dW = 1/m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)"), "factor N"),
    (("dAL = - (np.divide", "dAL = (np.divide"), "negation"),
    (("    dZ[Z <= 0] = 0", "    pass"), None),
    (("dW = 1/m * np.dot(dZ, A_prev.T)", "dW = 1/m * np.dot(A_prev, dZ.T)"), "shape"),
])
def test_deeplearning_ai_network_is_checked_whole(tmp_path: Path, bug: tuple[str, str] | None,
                                                   kind: str | None) -> None:
    source = NG
    if bug is not None:
        assert bug[0] in source
        source = source.replace(*bug)
    (tmp_path / "net.py").write_text(source, encoding="utf-8")
    result = check_module(load_user_module(str(tmp_path / "net.py")), timing=False)
    assert result.verdict == (PASS if bug is None else FAIL), result.to_table()
    assert not result.styles and not result.skipped, result.to_table()
    assert "L_model_forward / compute_cost / L_model_backward" in result.to_table()
    if kind == "shape":
        assert "grads['dW1'] has shape (6, 5), but W1 has shape (5, 6): it is transposed; in "\
            "the course's column-major" in result.to_table()
    elif kind is not None:
        assert kind in result.kinds, result.to_table()


@pytest.mark.parametrize(("bug", "kind"), [
    (None, None),
    (("return sigmoid(z)*(1-sigmoid(z))", "return sigmoid(z)*(1+sigmoid(z))"), None),
    (("return (output_activations-y)", "return (y-output_activations)"), "negation"),
    (("nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())",
      "nabla_w[-l] = np.dot(activations[-l-1], delta.transpose())"), "shape"),
    (("def __init__(self, sizes):", "def __init__(self, sizes, data):"), "raised"),
])
def test_nielsens_network_is_checked(tmp_path: Path, bug: tuple[str, str] | None,
                                     kind: str | None) -> None:
    source = NIELSEN
    if bug is not None:
        assert bug[0] in source
        source = source.replace(*bug)
    (tmp_path / "network.py").write_text(source, encoding="utf-8")
    result = check_module(load_user_module(str(tmp_path / "network.py")), timing=False)
    assert result.verdict == (PASS if bug is None else FAIL), result.to_table()
    if kind in ("shape", "raised"):
        assert ("nabla_w[0] has shape (6, 5), but self.weights[0] has shape (5, 6): it is "
                "transposed" if kind == "shape" else "missing 1 required") in result.to_table()
    else:
        assert "quadratic cost" in result.to_table() and not result.styles
        assert kind is None or kind in result.kinds, result.to_table()


@pytest.mark.parametrize("bug", [False, True])
def test_nielsens_network2_is_checked_with_its_cost(tmp_path: Path, bug: bool) -> None:
    source = NIELSEN.replace("    def cost_derivative(self, output_activations, y):\n"
                             "        return (output_activations-y)\n", "")
    source = source.replace("self.sizes = sizes", "self.sizes = sizes\n        self.cost = Cost")
    source = source.replace("delta = self.cost_derivative(activations[-1], y) * "
                            "sigmoid_prime(zs[-1])", "delta = self.cost.delta(zs[-1], "
                            "activations[-1], y)")
    source += (
        "\nclass Cost:\n    @staticmethod\n    def fn(a, y):\n"
        "        return np.sum(np.nan_to_num(-y*np.log(a)-(1-y)*np.log(1-a)))\n"
        "    @staticmethod\n    def delta(z, a, y):\n        return (a-y)"
        + (" * sigmoid_prime(z)\n" if bug else "\n"))
    (tmp_path / "network2.py").write_text(source, encoding="utf-8")
    result = check_module(load_user_module(str(tmp_path / "network2.py")), timing=False)
    assert result.verdict == (FAIL if bug else PASS), result.to_table()
    assert "the mean of self.cost.fn" in result.to_table()


@pytest.mark.parametrize(("args", "said"), [
    (("gradcheck", "net.py"), "numpynn gradcheck --file net.py"),
    (("gradcheck", "--file", "bad.ipynb"), "not a Jupyter notebook that can be read"),
])
def test_a_file_given_otherwise_says_how(tmp_path: Path, args: tuple[str, ...],
                                         said: str) -> None:
    (tmp_path / "net.py").write_text(FUNCTIONAL, encoding="utf-8")
    (tmp_path / "bad.ipynb").write_text('{"cells": 3}', encoding="utf-8")
    result = numpynn(*args, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert "import bad" not in result.stderr and "Traceback" not in result.stderr
