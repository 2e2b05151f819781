"""numpynn.explain: every tensor of a pass, its shape, its equation, and its check."""

from __future__ import annotations

import numpy as np
import pytest

import numpynn
from numpynn import TwoLayerNet
from numpynn.explanation import Explanation
from numpynn.layers import LAYERS, Layer, ReLU, build_layer, register, unregister
from numpynn.models import MLP, Network
from tests.clirun import REPO, ok
from tests.clirun import numpynn as run_cli


def batch(n: int, d: int, c: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, size=n)


def test_two_layer_net_shapes_and_equations() -> None:
    net = TwoLayerNet(64, 100, 10, seed=0)
    X, y = batch(4, 64, 10)
    ex = numpynn.explain(net, X, y)
    assert isinstance(ex, Explanation)
    assert [s.name for s in ex.forward] == ["X", "h1", "a1", "scores", "P", "L"]
    assert [s.name for s in ex.backward] == ["dscores", "dW2", "db2", "da1", "dh1", "dW1",
                                             "db1"]
    shapes = {s.name: (s.symbols, s.shape) for s in ex.steps}
    assert shapes["X"] == (("N", "D"), (4, 64))
    assert shapes["h1"] == shapes["a1"] == shapes["da1"] == shapes["dh1"] == (("N", "H"),
                                                                               (4, 100))
    assert shapes["scores"] == shapes["P"] == shapes["dscores"] == (("N", "C"), (4, 10))
    assert shapes["dW1"] == (("D", "H"), (64, 100))
    assert shapes["dW2"] == (("H", "C"), (100, 10))
    assert shapes["db1"] == (("H",), (100,)) and shapes["db2"] == (("C",), (10,))
    assert shapes["L"] == ((), ())
    refs = {s.name: s.ref for s in ex.steps}
    assert refs["dscores"] == "backprop.md eq. 1"
    assert refs["dh1"] == "backprop.md eq. 2"
    assert refs["db1"] == refs["db2"] == "backprop.md eq. 3"
    assert refs["dW1"] == refs["dW2"] == "backprop.md eq. 4"
    assert ex["dscores"].equation == "dscores = (P - Y) / N"
    assert ex["dh1"].equation == "dh1 = da1 ⊙ 1[h1 > 0]"
    assert ex["dW2"].equation == "dW2 = a1^T dscores + reg W2"
    assert "C x C" in ex["dscores"].note and "P - Y" in ex["dscores"].note
    assert ex.passed is None and all(s.value is None for s in ex.steps)
    text = str(ex)
    assert "(N, C) = (4, 10)" in text and "Why dscores is N x C" in text
    assert ex.symbols == {"N": 4, "D": 64, "H": 100, "C": 10}


def test_values_match_the_networks_own_gradients() -> None:
    net = TwoLayerNet(5, 6, 3, weight_scale=0.5, reg=0.1, seed=1)
    X, y = batch(3, 5, 3, seed=2)
    ex = numpynn.explain(net, X, y, values=True)
    loss, grads = net.loss(X, y)
    assert float(ex["L"].value) == pytest.approx(loss, rel=1e-12)
    for key, g in grads.items():
        np.testing.assert_allclose(ex[f"d{key}"].value, g, rtol=1e-10, atol=1e-14)
    assert ex.passed is True
    assert all(s.passed for s in ex.backward)
    assert "all pass" in ex.to_table()


def every_layer_network() -> Network:
    layers = []
    for name in sorted(set(LAYERS) - {"affine"}):
        layers += [build_layer("affine", units=6), build_layer(name)]
    layers.append(build_layer("affine", units=4))
    return Network(5, layers, reg=0.05, weight_scale=0.7, dtype=np.float64, seed=0)


def test_every_registered_layer_explains_and_checks() -> None:
    net = every_layer_network()
    X, y = batch(4, 5, 4, seed=3)
    ex = numpynn.explain(net, X, y, values=True)
    names = [s.name for s in ex.forward]
    assert len(names) == len(set(names)) == len(net.layers) + 3  # X, layers, P, L
    # every registered layer's equations come from the docs, none from the fallback
    assert all(s.ref.startswith(("backprop.md", "layers.md")) for s in ex.steps[1:])
    # one backward row per parameter and per hidden tensor
    params = {s.name[1:] for s in ex.backward if s.name[1:] in net.params}
    assert params == set(net.params)
    assert len(ex.backward) == 1 + len(net.params) + len(net.layers) - 1
    failed = [(s.name, s.rel_error, s.abs_error) for s in ex.backward if not s.passed]
    assert not failed
    assert ex["scores"].symbols == ("N", "C") and ex["X"].symbols == ("N", "D")


def test_mlp_symbols_and_layer_references() -> None:
    net = MLP(8, [7, 5], 3, normalization="batch", dropout=0.3, dtype=np.float64, seed=0)
    X, y = batch(4, 8, 3)
    ex = numpynn.explain(net, X, y)
    assert ex["h1"].symbols == ("N", "H1") and ex["h2"].symbols == ("N", "H2")
    assert ex["dW2"].symbols == ("H1", "H2") and ex["dgamma1"].symbols == ("H1",)
    assert ex["dh1"].ref == "layers.md batch normalisation"  # dh1 from dbn1
    assert ex["dbn1"].equation == "dbn1 = da1 ⊙ 1[bn1 > 0]"
    assert ex["da1"].ref == "layers.md dropout"
    assert ex["ddrop1"].equation == "ddrop1 = dh2 W2^T"


def test_a_wrong_backward_fails_its_row() -> None:
    class HalfReLU(ReLU):
        name = "half_relu_test"

        def backward(self, dout, cache):  # wrong: half the gradient
            dx, grads = super().backward(dout, cache)
            return 0.5 * dx, grads

    register(HalfReLU)
    try:
        layers: list[Layer] = [build_layer("affine", units=6), HalfReLU(),
                               build_layer("affine", units=3)]
        net = Network(4, layers, weight_scale=0.5, dtype=np.float64, seed=0)
        X, y = batch(3, 4, 3)
        ex = numpynn.explain(net, X, y, values=True)
    finally:
        unregister("half_relu_test")
    verdict = {s.name: s.passed for s in ex.backward}
    assert verdict["dscores"] and verdict["dW2"] and verdict["da1"]
    assert not verdict["dh1"] and not verdict["dW1"]
    assert ex.passed is False and ex.verdict == "FAIL"
    assert "FAIL" in ex.to_table()


def test_explain_leaves_the_model_alone() -> None:
    net = MLP(5, [6], 3, normalization="batch", dropout=0.5, seed=0)
    before = {k: v.copy() for k, v in {**net.params, **net.buffers}.items()}
    state = net.rng.bit_generator.state
    numpynn.explain(net, *batch(4, 5, 3), values=True)
    for k, v in {**net.params, **net.buffers}.items():
        np.testing.assert_array_equal(v, before[k])
    assert net.rng.bit_generator.state == state


def test_explain_rejects_what_it_cannot_explain() -> None:
    with pytest.raises(numpynn.errors.InputError, match="Network"):
        numpynn.explain(object(), np.zeros((2, 3)), np.zeros(2, int))
    with pytest.raises(numpynn.errors.InputError):
        numpynn.explain(TwoLayerNet(3, 4, 2), np.zeros((2, 5)), np.zeros(2, int))


def test_cli_explain(tmp_path) -> None:
    out = ok(run_cli("explain", "--hidden", "100", cwd=tmp_path))
    assert "dscores  (N, C) = (4, 10)" in out
    assert "dW1      (D, H) = (64, 100)" in out
    assert "backprop.md eq. 4" in out
    # the docs show this very output (regenerate them if the format changes)
    root = REPO
    assert out in (root / "numpynn" / "docs" / "explain.md").read_text(encoding="utf-8")
    backward = out[out.index("BACKWARD"):out.index("\ndscores: Why")].rstrip()
    assert backward in (root / "README.md").read_text(encoding="utf-8")


def test_cli_explain_values(tmp_path) -> None:
    out = ok(run_cli("explain", "--hidden", "4", "--input-dim", "3", "--classes", "3",
                     "--batch", "2", "--norm", "layer", "--activation", "tanh", "--values",
                     cwd=tmp_path))
    assert out.count(" pass") >= 9 and " FAIL" not in out
    assert "all pass" in out


def test_cli_explain_bad_input(tmp_path) -> None:
    proc = run_cli("explain", "--activation", "softplus", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("numpynn: error:") and len(proc.stderr.splitlines()) == 1


def test_a_batch_of_one_through_batch_norm_is_not_a_fail(tmp_path) -> None:
    """Issue 21: one example through batch norm puts every ReLU input at its kink (the
    normalised value is 0, the ReLU sees beta = 0); explain decides as gradcheck does
    (pass, FAIL or inconclusive), so numpynn's own correct network is never a FAIL."""
    net = MLP(3, [3], 3, normalization="batch", dtype=np.float64, seed=0)
    X, y = batch(1, 3, 3)
    ex = numpynn.explain(net, X, y, values=True)
    assert ex.verdict in ("pass", "inconclusive"), ex.to_table()
    assert all(s.verdict is not None for s in ex.backward)
    proc = run_cli("explain", "--values", "--batch", "1", "--norm", "batch", "--hidden", "8",
                   "--input-dim", "5", "--classes", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " FAIL" not in proc.stdout
