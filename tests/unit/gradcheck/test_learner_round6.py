"""``numpynn gradcheck --file``, the sixth learner round: learners' files the checker
passed although they were wrong (a height used for a width on square images, the 2017
and 2018-2019 FullyConnectedNet signatures whose batch norm and dropout were never built,
batch norm without eps, initial weights drawn with ``rand`` or a scale of their own, a
net that normalises only some hidden layers, a layer of the learner's own naming such as
``affine_bn_relu_backward``, a float32 gradient), misdiagnosed (eps added to the std read
as "a choice", the unbiased variance's note, a bias summed over the wrong axis where a
hidden size equalled N) or explained vaguely (Python 2's ``xrange``, ``/`` for ``//``,
``x[:, y]``, ``if not y:``, a list returned, a module not installed, ``input()`` at the
top level). Each test fails on the code before this round."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from numpynn.errors import InputError
from numpynn.gradcheck.checks import FAIL
from numpynn.gradcheck.corpus import (
    LEARNER_A2_NET,
    LEARNER_CNN,
    LEARNER_CONVNET,
    LEARNER_FC_2017,
    LEARNER_FC_2019,
    LEARNER_LAYERS,
    LEARNER_MODEL,
    LEARNER_TEMPORAL,
    LEARNER_UTILS,
    SIXTH_ROUND_CORRECT,
    SIXTH_ROUND_FILES,
    SIXTH_ROUND_MUTATIONS,
    names_kind,
)
from numpynn.gradcheck.file import (
    CONV_INPUT,
    MODEL_C,
    MODEL_D,
    MODEL_N,
    _course_instances,
    check_module,
)

from .test_file import module_of


def check(tmp_path, text, name="learner6"):
    return check_module(module_of(tmp_path, text, name), timing=False)


def fails(result, kind):
    return [r for rep in result.reports for r in rep.rows if r.verdict == FAIL
            and r.kind == kind]


def replaced(text, *pairs):
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


# ------------------------------------------------- a height used for a width (square shapes)
@pytest.mark.parametrize("pairs", [
    (("1 + (W + 2 * pad - WW) // stride", "1 + (H + 2 * pad - HH) // stride"),
     ("j * stride:j * stride + WW]", "j * stride:j * stride + HH]")),  # conv forward
    (("return dxp[:, :, pad:pad + H, pad:pad + W]",
      "return dxp[:, :, pad:pad + H, pad:pad + H]"),),  # conv backward
    (("1 + (W - pw) // s", "1 + (H - ph) // s"),
     ("j * s:j * s + pw].max", "j * s:j * s + ph].max")),  # max pool forward
], ids=["conv forward", "conv backward", "max pool forward"])
def test_a_height_used_for_a_width_fails_on_non_square_shapes(tmp_path, pairs):
    result = check(tmp_path, replaced(LEARNER_CNN, *pairs))
    assert result.failed, result.to_table()
    assert fails(result, "height and width"), result.to_table()
    assert "pool_height used for pool_width" in result.to_table()


def test_a_correct_cnn_passes_the_non_square_check(tmp_path):
    result = check(tmp_path, LEARNER_CNN)
    assert result.verdict == "pass", result.to_table()
    titles = [r.title for r in result.reports]
    assert any("with x of H x W = 4 x 6, a 3 x 2 filter" in t for t in titles), titles
    assert any("with x of H x W = 4 x 7, a 2 x 3 window" in t for t in titles), titles


def test_a_three_layer_convnet_is_built_on_non_square_images(tmp_path):
    assert CONV_INPUT[1] != CONV_INPUT[2]  # the correct net passes: test_learner_files
    bad = replaced(LEARNER_CONVNET, ("num_filters * (H // 2) * (W // 2)",
                                     "num_filters * (H // 2) * (H // 2)"))
    result = check(tmp_path, bad, "convnet_bad")
    assert any(t.startswith("ThreeLayerConvNet") for t in result.failed), result.to_table()


# ------------------------------------------------ the course's older FullyConnectedNets
FC_2017, FC_2019 = LEARNER_FC_2017, LEARNER_FC_2019


def test_the_2017_fully_connected_net_is_built_with_batch_norm_and_dropout(tmp_path):
    result = check(tmp_path, FC_2017)
    assert result.verdict == "pass", result.to_table()
    titles = " ".join(r.title for r in result.reports)
    assert "FullyConnectedNet(use_batchnorm=True)" in titles
    assert "FullyConnectedNet(dropout=0.5, seed=123)" in titles


@pytest.mark.parametrize("text, old, new, kind", [
    (FC_2017, 'dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dh, bn)',
     'dh, grads[f"beta{i}"], grads[f"gamma{i}"] = batchnorm_backward(dh, bn)', "swapped"),
    (FC_2017, 'self.dropout_param["mode"] = mode', 'self.dropout_param["mode"] = "train"',
     "test mode"),
    (FC_2019, 'self.dropout_param["mode"] = mode', 'self.dropout_param["mode"] = "train"',
     "test mode"),
], ids=["2017 gamma and beta swapped", "2017 dropout at test time",
        "2019 dropout at test time"])
def test_bugs_in_the_older_nets_batch_norm_and_dropout_fail(tmp_path, text, old, new, kind):
    result = check(tmp_path, replaced(text, (old, new)))
    assert result.failed and kind in result.kinds, result.to_table()


def test_a_net_normalising_only_some_hidden_layers_fails(tmp_path):
    bad = replaced(LEARNER_MODEL,
                   ('if normalization == "batchnorm" and i < self.num_layers - 1:',
                    'if normalization == "batchnorm" and i < self.num_layers - 2:'),
                   ('if self.normalization == "batchnorm":\n                h, bn',
                    'if self.normalization == "batchnorm" and i < L - 1:\n                h, bn'))
    result = check(tmp_path, bad)
    rows = [r for r in fails(result, "forward") if r.name == "normalised layers"]
    assert rows and "beta2, gamma2 missing" in rows[0].kind_text, result.to_table()
    # a net without layer norm at all is checked as it is, with a note (not a FAIL)
    assert "layernorm is not implemented in it yet" in result.to_table()


def test_the_models_sizes_all_differ(tmp_path):
    """A hidden size equal to N let a bias gradient summed over the wrong axis (axis=1)
    have the bias's shape: a FAIL named 'mask', not the shape it has."""
    for cls_text in (LEARNER_MODEL,):
        module = module_of(tmp_path, cls_text, "sizes")
        (_, kwargs, _), *_ = _course_instances(module.FullyConnectedNet)[0]  # the plain net
        sizes = [MODEL_N, MODEL_D, MODEL_C, *kwargs["hidden_dims"]]
        assert len(set(sizes)) == len(sizes), sizes
    bad = replaced(LEARNER_MODEL, (
        '            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc)',
        '            db = dh.sum(axis=1)\n'
        '            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc)\n'
        '            grads[f"b{i}"] = db'))
    result = check(tmp_path, bad, "sizes_bad")
    text = result.to_table()
    assert "summed over the wrong axis" in text, text
    assert "likely bug: mask" not in text, text


# ------------------------------------------------------------------ batch and layer norm
def test_batch_norm_without_eps_is_not_a_choice(tmp_path):
    bad = replaced(LEARNER_LAYERS, ('eps, momentum = bn_param.get("eps", 1e-5), '
                                    'bn_param.get("momentum", 0.9)',
                                    'eps, momentum = 0.0, bn_param.get("momentum", 0.9)'))
    result = check(tmp_path, bad)
    rows = [r for r in fails(result, "not finite") if r.name == "constant feature"]
    assert rows, result.to_table()
    assert "a choice, not a bug" not in " ".join(
        n for rep in result.reports for n in rep.notes if "batchnorm" in n)


def test_layer_norm_without_eps_fails(tmp_path):
    bad = replaced(LEARNER_LAYERS, ('    eps = ln_param.get("eps", 1e-5)\n',
                                    '    eps = 0\n'))
    result = check(tmp_path, bad)
    assert [r for r in fails(result, "not finite") if r.name == "constant example"], \
        result.to_table()


def test_eps_added_to_the_std_is_named_not_read_as_another_eps(tmp_path):
    bad = replaced(LEARNER_LAYERS, (
        "    xhat = (x - mu) / np.sqrt(var + eps)\n    bn_param",
        "    xhat = (x - mu) / (np.sqrt(var) + eps)\n    bn_param"), (
        "return gamma * xhat + beta, (xhat, gamma, np.sqrt(var + eps))\n\ndef batchnorm_b",
        "return gamma * xhat + beta, (xhat, gamma, np.sqrt(var) + eps)\n\ndef batchnorm_b"))
    result = check(tmp_path, bad)
    text = result.to_table()
    assert "adds eps = 1e-05 to the standard deviation" in text, text
    assert "uses eps (added to the variance) =" not in text, text
    assert "out" in [r.name for r in fails(result, "forward")], text


def test_batch_norm_with_the_unbiased_variance_is_named(tmp_path):
    bad = replaced(LEARNER_LAYERS, ("mu, var = x.mean(axis=0), x.var(axis=0)",
                                    "mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)"))
    result = check(tmp_path, bad)
    text = result.to_table()
    assert "normalises with the unbiased variance (ddof=1" in text, text
    assert "running variance averages the unbiased" not in text, text


# --------------------------------------------------------------- what a function returns
def test_a_layer_returning_python_lists_says_so(tmp_path):
    text = '''
import numpy as np
def relu_forward(x):
    return np.maximum(0, x), x
def relu_backward(dout, x):
    return [[d if v > 0 else 0.0 for d, v in zip(dr, xr)] for dr, xr in zip(dout, x)]
'''
    result = check(tmp_path, text)
    (title, message), = result.errors
    assert "Python list of 4 rows" in message and "gradients for 1 inputs" not in message
    out_list = text.replace("return np.maximum(0, x), x",
                            "return [[max(0.0, v) for v in row] for row in x], x")
    (title, message), = check(tmp_path, out_list, "lists2").errors
    assert "returned out as a Python list" in message


def test_a_float32_layer_gradient_fails_as_a_return_value(tmp_path):
    bad = replaced(LEARNER_LAYERS, ("def relu_backward(dout, x):\n    return dout * (x > 0)",
                                    "def relu_backward(dout, x):\n"
                                    "    return (dout * (x > 0)).astype(np.float32)"))
    result = check(tmp_path, bad)
    rows = fails(result, "return value")
    assert rows and "dx is float32 where x is float64" in rows[0].kind_text


# ---------------------------------------------------------------- initial weights
TLN = LEARNER_A2_NET


@pytest.mark.parametrize("old, new, row", [
    ("weight_scale * np.random.randn", "weight_scale * np.random.rand", "share of W < 0"),
    ("weight_scale * np.random.randn", "0.01 * np.random.randn", "rms(W) / weight_scale"),
    # one weight of two drawn with rand: the pooled share of negatives (27%) passed
    ("weight_scale * np.random.randn(input_dim", "weight_scale * np.random.rand(input_dim",
     "share of W1 < 0"),
], ids=["rand", "a scale of its own", "rand for W1 only"])
def test_initial_weights_not_drawn_as_the_course_does_fail(tmp_path, old, new, row):
    assert check(tmp_path, TLN, "tln").verdict == "pass"
    result = check(tmp_path, TLN.replace(old, new), "tln_bad")
    rows = [r for r in fails(result, "initialisation") if r.name == row]
    assert rows, result.to_table()


def test_normal_draws_of_the_scale_pass(tmp_path):
    text = TLN.replace("weight_scale * np.random.randn(input_dim, hidden_dim)",
                       "np.random.normal(0, weight_scale, (input_dim, hidden_dim))")
    assert check(tmp_path, text, "tln_normal").verdict == "pass"


# ------------------------------------------------------- layers of the learner's own naming
UTILS = LEARNER_UTILS


def test_a_layer_of_the_learners_own_naming_is_checked(tmp_path):
    result = check(tmp_path, UTILS)
    assert "affine_bn_relu_forward / affine_bn_relu_backward: numerical gradients" in [
        r.title for r in result.reports]
    assert result.verdict == "pass", result.to_table()
    bad = UTILS.replace("dx, dw, db = affine_backward(dan, fc_cache)",
                        "dx, dw, db = affine_backward(da, fc_cache)")
    result = check(tmp_path, bad, "utils_bad")
    assert result.failed == ["affine_bn_relu_forward / affine_bn_relu_backward: numerical "
                             "gradients"], result.to_table()
    assert ("affine_bn_relu_backward must call relu_backward, batchnorm_backward, "
            "affine_backward in that order") in result.to_table()


def test_a_learners_layer_with_arguments_it_cannot_make_is_listed(tmp_path):
    text = UTILS.replace("def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):",
                         "def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param, mode):")
    result = check(tmp_path, text, "utils_listed")
    assert any(s.startswith("affine_bn_relu_forward / affine_bn_relu_backward (not a "
                            "course layer") for s in result.skipped), result.skipped


# ------------------------------------------------------------ what an error means
@pytest.mark.parametrize("old, new, says", [
    ("    N = x.shape[0]\n    shifted", "    N = x.shape[0]\n    for i in xrange(N): pass\n"
     "    shifted", "xrange is Python 2's"),
    ("margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1.0)",
     "margins = np.maximum(0, x - x[:, y] + 1.0)", "x[np.arange(N), y]"),
], ids=["xrange", "x[:, y]"])
def test_an_error_in_a_loss_says_what_it_means(tmp_path, old, new, says):
    result = check(tmp_path, replaced(LEARNER_LAYERS, (old, new)))
    messages = " ".join(m for _, m in result.errors)
    assert says in messages, messages
    assert "a variable of the notebook" not in messages
    assert "labels y used as one-hot rows" not in messages


def test_a_float_size_from_true_division_is_named(tmp_path):
    bad = replaced(LEARNER_CNN, ("Ho, Wo = 1 + (H + 2 * pad - HH) // stride, "
                                 "1 + (W + 2 * pad - WW) // stride",
                                 "Ho, Wo = 1 + (H + 2 * pad - HH) / stride, "
                                 "1 + (W + 2 * pad - WW) / stride"))
    messages = " ".join(m for _, m in check(tmp_path, bad).errors)
    assert "Ho = 5.0" in messages and "//" in messages, messages


@pytest.mark.parametrize("test", ["if not y:", "if y == None:"])
def test_a_test_for_y_that_asks_an_array_for_its_truth_says_is_none(tmp_path, test):
    result = check(tmp_path, TLN.replace("if y is None:", test), "tln_y")
    messages = " ".join(m for _, m in result.errors)
    assert "if y is None:" in messages, messages


@pytest.mark.parametrize("top, says", [
    ("import torch_not_installed_here\n", "is not installed in this Python"),
    ("name = input('name? ')\n", 'if __name__ == "__main__":'),
], ids=["not installed", "input"])
def test_an_import_error_says_what_to_do(tmp_path, top, says, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(InputError) as err:
        module_of(tmp_path, top + LEARNER_LAYERS, "imports")
    assert says in str(err.value) and 'import ...' not in str(err.value), str(err.value)


def test_distinct_sizes_in_the_layer_checks():
    """The shapes numpynn draws for a layer differ in every dimension it could confuse."""
    from numpynn.gradcheck.file import _affine_inputs, _conv_inputs_4, _pool_inputs_4

    x, w, b = _affine_inputs(0)
    assert len({x.shape[0], w.shape[0], w.shape[1]}) == 3
    x, w, _ = _conv_inputs_4(0)
    assert x.shape[2] != x.shape[3] and w.shape[2] != w.shape[3]
    (x,) = _pool_inputs_4(0)
    assert x.shape[2] != x.shape[3]
    assert all(a != b for a, b in itertools.combinations(x.shape[1:], 2))
    assert np.unique(x).size == x.size


def test_a_net_whose_params_count_from_zero_passes_the_normalised_layers_row(tmp_path):
    """W0, gamma0, ..., as a learner may index them: its hidden layers are all but the
    last weight's, whatever the first index."""
    key, replacements = SIXTH_ROUND_CORRECT[
        "FullyConnectedNet with its parameters numbered from 0 (W0, gamma0, ...)"]
    zero = replaced(SIXTH_ROUND_FILES[key], *replacements)  # the corpus's own case
    result = check(tmp_path, zero, "zero_indexed")
    rows = [r for rep in result.reports for r in rep.rows if r.name == "normalised layers"]
    assert rows and all(r.verdict != FAIL for r in rows), result.to_table()
    assert result.verdict == "pass", result.to_table()


def test_a_learners_temporal_affine_layer_is_checked_on_its_own_shapes(tmp_path):
    """Assignment 3's temporal_affine_forward(x, w, b) wants x of (N, T, D): it was listed
    as not checked (on the (N, D) numpynn guessed it raised); since the ninth learner round
    it is a course layer checked on x (N, T, D) (``numpynn.gradcheck.recurrent``)."""
    text = LEARNER_TEMPORAL
    result = check(tmp_path, text, "temporal")
    assert not result.failed, result.to_table()
    assert not result.skipped, result.skipped
    assert any(r.title.startswith("temporal_affine_forward") for r in result.reports)


# --------------------------------------------------- the corpus's sixth-round tables
#: what the FAIL of each bug without a kind must say (the table's kind is None)
UNNAMED_SAYS = {
    "ThreeLayerConvNet sizing W2 from the height twice (H // 2 * H // 2)":
        "a shape mismatch",
    "affine_bn_relu_backward passing batch norm's input gradient over (da for dan)":
        "must call relu_backward, batchnorm_backward, affine_backward in that order",
    "conv_relu_pool_backward without the ReLU's mask":
        "must call max_pool_backward_naive, relu_backward, conv_backward_naive in that order",
    "FullyConnectedNet summing the biases' gradients over the features (axis=1)":
        "summed over the wrong axis",
}


@pytest.mark.parametrize("name", list(SIXTH_ROUND_MUTATIONS))
def test_each_sixth_round_corpus_bug_fails_naming_its_kind(tmp_path, name):
    base, pairs, kind = SIXTH_ROUND_MUTATIONS[name]
    result = check(tmp_path, replaced(SIXTH_ROUND_FILES[base], *pairs), "round6_bug")
    table = result.to_table()
    assert result.verdict == FAIL, table
    if kind is None:
        assert "likely bug:" not in table and UNNAMED_SAYS[name] in table, table
    else:
        assert names_kind(result, kind), table


@pytest.mark.parametrize("name", list(SIXTH_ROUND_CORRECT))
def test_each_sixth_round_corpus_correct_file_passes(tmp_path, name):
    base, pairs = SIXTH_ROUND_CORRECT[name]
    result = check(tmp_path, replaced(SIXTH_ROUND_FILES[base], *pairs), "round6_ok")
    assert result.verdict == "pass", result.to_table()
    assert not result.failed and not result.errors, result.to_table()
