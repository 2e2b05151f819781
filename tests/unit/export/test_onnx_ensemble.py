"""ONNX export of an ensemble: one graph, the members' softmax probabilities averaged
(``Add``, ``Div``), equal to numpynn's own predict_proba under onnxruntime, in float32 and
float64, with the stored preprocessing and class labels."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from numpynn.data import Preprocessor  # noqa: E402
from numpynn.ensemble import Ensemble  # noqa: E402
from numpynn.export.onnx import to_onnx  # noqa: E402
from numpynn.model_file import SavedModel, load_model, save_model  # noqa: E402
from numpynn.models import MLP  # noqa: E402
from tests.clirun import numpynn, ok  # noqa: E402

TOL = {np.float32: 1e-5, np.float64: 1e-10}


def run_graph(proto, X: np.ndarray) -> dict[str, np.ndarray]:
    onnx.checker.check_model(proto, full_check=True)
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {"X": X})))


def ensemble(dtype, k: int = 3) -> Ensemble:
    return Ensemble([MLP(6, [9, 5], 4, dtype=dtype, seed=s, activation="tanh", dropout=0.2)
                     for s in range(k)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saved_ensemble_graph_equals_predict_proba(dtype):
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 16, (64, 6)).astype(dtype)
    pre = Preprocessor("standardize").fit(X)
    saved = SavedModel(ensemble(dtype), np.array(["w", "x", "y", "z"]),
                       {"kind": "standardize", "state": pre.state()}, {})
    proto = to_onnx(saved)
    out = run_graph(proto, X)
    np.testing.assert_allclose(out["probabilities"], saved.predict_proba(X),
                               rtol=0, atol=TOL[dtype])
    np.testing.assert_array_equal(out["label"], saved.predict(X))
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("Softmax") == 3 and ops.count("Add") >= 2 and ops[-3] == "Div"
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["numpynn.ensemble_members"] == "3"


def test_bare_ensemble_exports_with_index_labels():
    ens = ensemble(np.float64, k=2)
    X = np.random.default_rng(2).standard_normal((10, 6))
    out = run_graph(to_onnx(ens), X)
    np.testing.assert_allclose(out["probabilities"], ens.predict_proba(X), rtol=0, atol=1e-10)
    np.testing.assert_array_equal(out["label"], ens.predict(X))


def test_cli_exports_a_saved_ensemble(tmp_path):
    X = np.random.default_rng(3).uniform(0, 16, (20, 6)).astype(np.float32)
    saved = SavedModel(ensemble(np.float32), np.arange(4), {"kind": "none", "state": {}}, {})
    save_model(tmp_path / "model.npz", saved)
    ok(numpynn("export", "model.npz", "model.onnx", cwd=tmp_path))
    out = run_graph(onnx.load(tmp_path / "model.onnx"), X)
    np.testing.assert_allclose(out["probabilities"],
                               load_model(tmp_path / "model.npz").predict_proba(X),
                               rtol=0, atol=1e-5)
