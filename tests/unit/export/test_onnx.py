"""ONNX export: onnxruntime runs the exported graph and must agree with numpynn.

Every registered layer (numpynn.layers.LAYERS, iterated) in float32 and float64, batch
norm folded and standalone, every preprocessing kind, integer / string / float labels,
batches of 1 and many rows (dynamic batch), onnx.checker, the errors, and the CLI followed
by the README's five-line onnxruntime script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from numpynn.data import Preprocessor  # noqa: E402
from numpynn.errors import InputError  # noqa: E402
from numpynn.export.onnx import OPSET, to_onnx  # noqa: E402
from numpynn.layers import LAYERS, Layer, build_layer, register, unregister  # noqa: E402
from numpynn.model_file import SavedModel, load_model, save_model  # noqa: E402
from numpynn.models import MLP, Network  # noqa: E402
from tests.clirun import REPO, numpynn, ok  # noqa: E402

TOL = {np.float32: 1e-5, np.float64: 1e-10}
DTYPES = (np.float32, np.float64)
D, H, C = 6, 9, 4


def session(proto) -> ort.InferenceSession:
    onnx.checker.check_model(proto, full_check=True)
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def run_graph(proto, X: np.ndarray) -> dict[str, np.ndarray]:
    sess = session(proto)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {"X": X})))


def randomise(net: Network, seed: int) -> Network:
    """Non-trivial gamma/beta and running statistics (fresh ones are ones and zeros)."""
    rng = np.random.default_rng(seed)
    for key, value in net.params.items():
        if key.startswith(("gamma", "beta", "b")):
            value[...] = rng.normal(0.5 if key.startswith("gamma") else 0.0, 0.5, value.shape)
    for key, value in net.buffers.items():
        value[...] = (rng.uniform(0.3, 3.0, value.shape) if "var" in key
                      else rng.normal(0, 1, value.shape))
    return net


def layer_cases() -> list[tuple[str, list]]:
    """One network per registered layer type: ``affine - LAYER - affine``, the layer
    with non-default options where it has them; batch norm also standalone (first
    layer and after an activation) and chained after the output affine."""
    options = {"leaky_relu": {"negative_slope": 0.2}, "elu": {"alpha": 0.7},
               "dropout": {"p": 0.3}, "batchnorm": {"eps": 1e-3}, "layernorm": {"eps": 1e-4}}
    cases = []
    for name in sorted(LAYERS):
        if name == "affine":
            cases.append(("affine", [("affine", {"units": C})]))
            continue
        cases.append((name, [("affine", {"units": H}), (name, options.get(name, {})),
                             ("affine", {"units": C})]))
    cases += [
        ("batchnorm-first", [("batchnorm", {}), ("affine", {"units": H}), ("tanh", {}),
                             ("affine", {"units": C})]),
        ("batchnorm-after-relu", [("affine", {"units": H}), ("relu", {}), ("batchnorm", {}),
                                  ("affine", {"units": C})]),
        ("batchnorm-after-dropout", [("affine", {"units": H}), ("dropout", {"p": 0.5}),
                                     ("batchnorm", {}), ("gelu", {}),
                                     ("affine", {"units": C}), ("batchnorm", {})]),
    ]
    return cases


def test_cases_cover_every_registered_layer():
    covered = {name for _, spec in layer_cases() for name, _ in spec}
    assert covered == set(LAYERS)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("case", layer_cases(), ids=lambda c: c[0])
def test_every_layer_agrees_with_numpynn(case, dtype):
    name, spec = case
    net = randomise(Network(D, [build_layer(n, **o) for n, o in spec], dtype=dtype, seed=3),
                    seed=4)
    proto = to_onnx(net)
    rng = np.random.default_rng(5)
    for n in (1, 257):  # one row and many: the batch dimension is dynamic
        X = rng.normal(0, 2, (n, D)).astype(dtype)
        out = run_graph(proto, X)
        assert out["probabilities"].dtype == dtype and out["probabilities"].shape == (n, C)
        assert np.abs(out["probabilities"] - net.predict_proba(X)).max() <= TOL[dtype]
        np.testing.assert_array_equal(out["label"], net.predict(X))
        assert out["label"].dtype == np.int64


def test_batchnorm_after_affine_is_folded_and_standalone_is_the_operator():
    fold = randomise(MLP(D, [H], C, normalization="batch", seed=0), 1)
    ops = [n.op_type for n in to_onnx(fold).graph.node]
    assert "BatchNormalization" not in ops and ops.count("Gemm") == 2
    alone = randomise(Network(D, [build_layer("batchnorm"), build_layer("affine", units=C)],
                              seed=0), 1)
    assert "BatchNormalization" in [n.op_type for n in to_onnx(alone).graph.node]


def test_dropout_and_identity_leave_no_node():
    net = MLP(D, [H, H], C, dropout=0.5, activation="identity", seed=0)
    assert [n.op_type for n in to_onnx(net).graph.node] == [
        "Gemm", "Gemm", "Gemm", "Softmax", "ArgMax", "Gather"]


def test_graph_declares_dynamic_batch_opset_and_sklearn_output_names():
    proto = to_onnx(MLP(D, [H], C, seed=0))
    (inp,) = proto.graph.input
    dims = inp.type.tensor_type.shape.dim
    assert inp.name == "X" and dims[0].dim_param == "N" and dims[1].dim_value == D
    assert [o.name for o in proto.graph.output] == ["label", "probabilities"]
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", OPSET)]
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    proto64 = to_onnx(MLP(D, [H], C, seed=0, dtype=np.float64))
    assert proto64.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE


def saved_model(kind: str, classes, dtype=np.float32,
                seed: int = 0) -> tuple[SavedModel, np.ndarray]:
    """A SavedModel with ``kind`` preprocessing fitted on shifted, scaled raw data."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(0, 1, (300, D)) * rng.uniform(0.5, 40, D) + rng.uniform(-50, 50, D)
    raw[:, 2] = 7.0  # a constant column: standardize's special case
    pre = Preprocessor(kind).fit(raw)
    net = randomise(MLP(D, [H, H], len(classes), normalization="batch", activation="elu",
                        dtype=dtype, seed=seed), seed + 1)
    prep = {"kind": kind, "state": pre.state()}
    saved = SavedModel(net, np.asarray(classes), prep)
    # centre the scores on the data so that every class gets predicted
    net.params[f"b{net.num_layers}"] -= net.forward(saved.transform(raw)).mean(axis=0)
    return saved, raw.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("kind", Preprocessor.kinds)
def test_preprocessing_is_in_the_graph(kind, dtype):
    saved, raw = saved_model(kind, [3, 1, 4, 15], dtype)
    out = run_graph(to_onnx(saved), raw)
    assert np.abs(out["probabilities"] - saved.predict_proba(raw)).max() <= TOL[dtype]
    np.testing.assert_array_equal(out["label"], saved.predict(raw))
    if kind != "none":  # the statistics matter: without them the answer changes
        bare = run_graph(to_onnx(saved.model), raw)
        assert np.abs(bare["probabilities"] - out["probabilities"]).max() > 1e-3


@pytest.mark.parametrize("classes, onnx_dtype", [
    (np.array(["cat", "dog", "émeu", "a b"]), np.object_),
    (np.array([10, -3, 7, 2**40], dtype=np.int64), np.int64),
    (np.array([0, 1, 2, 200], dtype=np.uint8), np.int64),
    (np.array([5, 6, 7, 8], dtype=np.int16), np.int64),
    (np.array([0.5, 1.0, -2.25, 3.0]), np.float64),
])
def test_labels_of_any_type(classes, onnx_dtype):
    saved, raw = saved_model("standardize", classes, seed=2)
    out = run_graph(to_onnx(saved), raw)
    expected = saved.predict(raw)
    assert len(set(expected.tolist())) > 1  # the test sees more than one label
    assert out["label"].dtype == onnx_dtype
    assert out["label"].tolist() == expected.tolist()


def test_uint64_label_beyond_int64_is_refused():
    saved, _ = saved_model("none", np.array([0, 2**63 + 5], dtype=np.uint64))
    with pytest.raises(InputError, match="int64"):
        to_onnx(saved)


def test_metadata_records_classes_and_preprocessing():
    saved, _ = saved_model("scale", np.array(["no", "yes"]))
    props = {p.key: p.value for p in to_onnx(saved).metadata_props}
    assert props["numpynn.classes"] == '["no", "yes"]'
    assert props["numpynn.preprocessing"] == "scale"
    assert props["numpynn.loss"] == "softmax"


class Cube(Layer):
    """A user's own layer without an ONNX mapping."""

    name = "cube_for_export_test"

    def forward(self, x, params, buffers, train, rng):
        return x**3, x

    def backward(self, dout, cache):
        return 3 * cache**2 * dout, {}


def test_unknown_layer_is_named_and_a_converter_makes_it_exportable():
    from numpynn.export import onnx as export

    register(Cube)
    try:
        net = Network(D, [build_layer("affine", units=H), Cube(),
                          build_layer("affine", units=C)], seed=0)
        with pytest.raises(InputError, match=r"'cube_for_export_test'.*register_converter"):
            to_onnx(net)
        export.register_converter("cube_for_export_test")(
            lambda g, layer, p, b, x: g.op("Mul", [g.op("Mul", [x, x]), x]))
        X = np.random.default_rng(0).normal(size=(20, D)).astype(np.float32)
        out = run_graph(to_onnx(net), X)
        assert np.abs(out["probabilities"] - net.predict_proba(X)).max() <= 1e-5
    finally:
        unregister("cube_for_export_test")
        export.CONVERTERS.pop("cube_for_export_test", None)


def test_a_layer_that_maps_itself_exports_with_no_other_file_touched():
    """What a layer knows lives with it: its class's onnx method is its ONNX mapping."""

    class SelfMappedCube(Cube):
        name = "self_mapped_cube_for_export_test"

        def onnx(self, g, params, buffers, x):
            return g.op("Mul", [g.op("Mul", [x, x]), x])

    register(SelfMappedCube)
    try:
        net = Network(D, [build_layer("affine", units=H), SelfMappedCube(),
                          build_layer("affine", units=C)], seed=0)
        X = np.random.default_rng(0).normal(size=(20, D)).astype(np.float32)
        out = run_graph(to_onnx(net), X)
        assert np.abs(out["probabilities"] - net.predict_proba(X)).max() <= 1e-5
    finally:
        unregister("self_mapped_cube_for_export_test")


def test_unknown_loss_is_refused():
    net = MLP(D, [H], C, seed=0)

    class Other:
        name = "hinge"

    net.loss_fn = Other()
    with pytest.raises(InputError, match="'hinge'"):
        to_onnx(net)


def test_wrong_argument_is_refused():
    with pytest.raises(InputError, match="SavedModel"):
        to_onnx("model.npz")


# ------------------------------------------------------------------------------- CLI
README_SCRIPT = """\
import numpy as np, onnxruntime as ort
sess = ort.InferenceSession("model.onnx")
X = np.loadtxt("new.csv", delimiter=",", dtype=np.float32)
label, proba = sess.run(["label", "probabilities"], {"X": X})
print("\\n".join(map(str, label)))
"""


README_TABLE_SCRIPT = """\
import numpy as np, pandas as pd, onnxruntime as ort
sess = ort.InferenceSession("model.onnx")
table = pd.read_csv("new.csv")  # a header; columns in any order, others unused
feed = {i.name: table[[i.name]].fillna("").astype(str).to_numpy() if i.type == "tensor(string)"
        else table[[i.name]].to_numpy(np.float64 if i.type == "tensor(double)" else np.float32)
        for i in sess.get_inputs()}
label, proba = sess.run(["label", "probabilities"], feed)
"""


def test_readme_serving_snippet_is_the_tested_one():
    readme = (REPO / "README.md").read_text()
    assert README_SCRIPT in readme and README_TABLE_SCRIPT in readme
    assert "numpynn export model.npz model.onnx" in readme


def test_cli_export_then_five_line_onnxruntime_script(tmp_path):
    saved, raw = saved_model("standardize", np.array(["setosa", "versicolor", "virginica",
                                                      "x"]), seed=7)
    save_model(tmp_path / "model.npz", saved)
    np.savetxt(tmp_path / "new.csv", raw[:40], delimiter=",")
    proc = numpynn("export", "model.npz", "model.onnx", cwd=tmp_path)
    ok(proc)
    assert "model.onnx" in proc.stderr and f"opset {OPSET}" in proc.stderr
    assert not list(tmp_path.glob("*.tmp*")) and not list(tmp_path.glob(".*"))
    (tmp_path / "serve.py").write_text(README_SCRIPT)
    assert len(README_SCRIPT.splitlines()) == 5
    served = subprocess.run([sys.executable, "serve.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert served.returncode == 0, served.stderr
    X = np.loadtxt(tmp_path / "new.csv", delimiter=",", dtype=np.float32)
    expected = load_model(tmp_path / "model.npz").predict(X)
    assert served.stdout.split() == expected.tolist()


def test_cli_refuses_to_overwrite_the_model(tmp_path):
    saved, _ = saved_model("none", [0, 1])
    save_model(tmp_path / "model.npz", saved)
    before = (tmp_path / "model.npz").read_bytes()
    proc = numpynn("export", "model.npz", "./model.npz", cwd=tmp_path)
    assert proc.returncode == 2 and "same file as the input model.npz" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "model.npz").read_bytes() == before


def test_cli_missing_model_is_one_line(tmp_path):
    proc = numpynn("export", "nope.npz", "out.onnx", cwd=tmp_path)
    assert proc.returncode == 2 and "nope.npz" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out.onnx").exists()


def test_cli_without_onnx_names_the_extra(tmp_path):
    saved, _ = saved_model("none", [0, 1])
    save_model(tmp_path / "model.npz", saved)
    code = ("import sys; sys.modules['onnx'] = None\n"
            "from numpynn.cli.main import main\n"
            "sys.exit(main(['export', 'model.npz', 'model.onnx']))\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO),
                                         *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert 'pip install "numpynn[onnx]"' in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "model.onnx").exists()


# ------------------------------------------------------------------ CSV recipes
def csv_table(n: int = 150, seed: int = 0):
    """Numeric columns with missing cells, a text column 'color' and string classes."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    length = rng.normal(size=n) + 2.0 * y
    length[::7] = np.nan
    frame = pd.DataFrame({
        "id": np.arange(n),
        "length": length,
        "color": np.array(["red", "green", "blue"])[(y + (rng.random(n) < 0.2)) % 3],
        "width": rng.normal(size=n) - 1.5 * y,
        "size": np.array(["S", "M", "L", "XL"])[rng.integers(0, 4, n)],
        "species": np.array(["setosa", "versicolor", "virginica"])[y],
    })
    return frame


@pytest.fixture(scope="module")
def csv_model(tmp_path_factory):
    from numpynn.runs.run import RunOptions, run_training
    from numpynn.training.trainer import TrainConfig

    tmp = tmp_path_factory.mktemp("csv_export")
    frame = csv_table()
    frame.to_csv(tmp / "train.csv", index=False)
    opts = RunOptions(data=str(tmp / "train.csv"), hidden=[12], label_column="species",
                      ignore_columns=["id"], impute="median", handle_unknown="ignore",
                      train=TrainConfig(epochs=5, batch_size=16, lr=1e-2, seed=0))
    run_training(opts, tmp / "run", report=False)
    return tmp, frame, load_model(tmp / "run" / "model.npz")


def test_csv_recipe_one_hot_and_imputation_are_in_the_graph(csv_model):
    tmp, frame, saved = csv_model
    assert saved.recipe.categorical and saved.recipe.medians is not None
    proto = to_onnx(saved)
    assert [(i.name, i.type.tensor_type.elem_type) for i in proto.graph.input] == [
        ("length", onnx.TensorProto.FLOAT), ("color", onnx.TensorProto.STRING),
        ("width", onnx.TensorProto.FLOAT), ("size", onnx.TensorProto.STRING)]
    assert all([d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] == ["N", 1]
               for i in proto.graph.input)
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["numpynn.input_columns"]) == {
        "length": ["length"], "color": ["color"], "width": ["width"], "size": ["size"]}
    assert json.loads(props["numpynn.categories"]) == {
        "color": ["blue", "green", "red"], "size": ["L", "M", "S", "XL"]}
    rows = frame.drop(columns=["species"]).copy()
    rows.loc[3, "color"] = "purple"  # unseen in training: all-zero one-hot in both
    rows.loc[5, "size"] = np.nan  # a missing category: the most frequent size in both
    feed = {n: rows[[n]].to_numpy(np.float32) for n in ("length", "width")}
    feed |= {n: rows[[n]].fillna("").to_numpy(object) for n in ("color", "size")}
    sess = session(proto)
    label, proba = sess.run(None, feed)
    expected = saved.predict_proba(rows)
    assert np.isnan(feed["length"]).any()
    assert np.abs(proba - expected).max() <= 1e-5
    assert label.tolist() == saved.predict(rows).tolist()
    # the encoding matters: another category or no imputation changes the answer
    other = {**feed, "color": np.full_like(feed["color"], "red")}
    assert np.abs(sess.run(None, other)[1] - proba).max() > 1e-3


def _hostile_rows(frame, seed: int = 1):
    """New rows for a served model: columns reordered (the label and an id among them),
    text cells padded with spaces and tabs, an unseen category, missing cells."""
    rng = np.random.default_rng(seed)
    rows = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    rows = rows[["size", "width", "species", "color", "id", "length"]].copy()
    pads = [" ", "  ", "\t", " \t ", ""]
    for col in ("color", "size"):
        rows[col] = [f"{pads[rng.integers(5)]}{v}{pads[rng.integers(5)]}" for v in rows[col]]
    rows.loc[2, "color"] = "purple"
    rows.loc[4, "size"] = " XXL "
    rows.loc[6, "size"] = ""
    rows.loc[8, "length"] = np.nan
    return rows


def test_onnx_fed_by_column_name_agrees_with_numpynn_predict(csv_model, tmp_path,
                                                            monkeypatch, capsys):
    """Issue 21's acceptance: the README's serving script on a file with reordered
    columns, padded text and unseen categories gives numpynn predict's labels, and its
    probabilities within 1e-5."""
    import csv
    import io

    from numpynn.cli.main import main

    tmp, frame, saved = csv_model
    rows = _hostile_rows(frame)
    rows.to_csv(tmp_path / "new.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(tmp / "run"), "model.onnx"]) == 0
    err = capsys.readouterr().err
    assert "4 inputs, one per column, (N, 1) each: length float32, color string" in err
    assert "opset 20" in err
    assert main(["predict", str(tmp / "run"), "--data", "new.csv", "--proba"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    want_labels = [r[0] for r in table[1:]]
    want_proba = np.array([[float(v) for v in r[1:]] for r in table[1:]])
    space: dict = {}
    exec(README_TABLE_SCRIPT, space)  # the README's recipe, run here as a user would
    label, proba = space["label"], space["proba"]
    assert label.tolist() == want_labels
    assert np.abs(proba - want_proba).max() <= 1e-5
    assert np.abs(proba - saved.predict_proba(rows.drop(columns=["species", "id"]))).max() \
        <= 1e-5
    # by position (the old recipe) the same file would be fed wrongly: names matter
    assert [i.name for i in space["sess"].get_inputs()] != list(rows.columns)


def test_text_cells_are_stripped_in_the_graph_as_the_csv_reader_strips(csv_model):
    tmp, frame, saved = csv_model
    sess = session(to_onnx(saved))
    n = 6
    base = {"length": np.full((n, 1), 1.0, np.float32), "width": np.full((n, 1), -1.0,
                                                                        np.float32),
            "size": np.array([["M"]] * n, object)}
    padded = np.array([["red"], [" red"], ["red\t"], ["\u3000red\xa0"], [" \n red \r"],
                       ["r ed"]], object)
    proba = sess.run(["probabilities"], {**base, "color": padded})[0]
    assert np.abs(proba[1:5] - proba[0]).max() == 0.0  # padding: the same category
    unseen = sess.run(["probabilities"], {**base, "color": np.array([["purple"]] * n,
                                                                     object)})[0]
    assert np.abs(proba[5] - unseen[0]).max() == 0.0  # "r ed" is not "red"


def test_regex_characters_in_categories_are_literal(tmp_path):
    """Categories holding RE2 syntax (dots, brackets, \\E) match only themselves."""
    from numpynn.runs.run import RunOptions, run_training
    from numpynn.training.trainer import TrainConfig

    pd = pytest.importorskip("pandas")
    cats = np.array(["a.b", "[x]", "p\\Eq", "(y|z)*"])
    rng = np.random.default_rng(0)
    k = rng.integers(0, 4, 120)
    pd.DataFrame({"v": rng.normal(size=120), "kind": cats[k],
                  "label": np.array(["u", "w"])[k % 2]}).to_csv(tmp_path / "t.csv",
                                                                 index=False)
    run_training(RunOptions(data=str(tmp_path / "t.csv"), hidden=[4], handle_unknown="ignore",
                            train=TrainConfig(epochs=2, seed=0)), tmp_path / "run",
                 report=False)
    saved = load_model(tmp_path / "run")
    sess = session(to_onnx(saved))
    cells = np.array([[c] for c in [*cats, "aXb", "x", "p\\\\Eq", "yz"]], object)
    v = np.zeros((len(cells), 1), np.float32)
    proba = sess.run(["probabilities"], {"v": v, "kind": cells})[0]
    rows = pd.DataFrame({"v": v[:, 0], "kind": cells[:, 0]})
    assert np.abs(proba - saved.predict_proba(rows)).max() <= 1e-5


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-10)])
def test_regression_model_exports_variable(tmp_path, dtype, tol):
    """A regression run (target scaling stored in the model): the graph's ``variable``
    equals numpynn's predicted values, the scaling undone in the graph."""
    import subprocess
    import sys



    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 4))
    y = X @ np.array([1.5, -2.0, 0.5, 3.0]) + 0.1 * rng.normal(size=240) + 50.0
    path = tmp_path / "r.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header="a,b,c,d,target",
               comments="", fmt="%.6f")
    proc = subprocess.run([sys.executable, "-m", "numpynn", "train", "--data", str(path),
                           "--task", "regression", "--epochs", "4", "--dtype", dtype,
                           "--quiet", "--out", str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    saved = load_model(tmp_path / "run" / "model.npz")
    sess = ort.InferenceSession(to_onnx(saved).SerializeToString())
    assert [o.name for o in sess.get_outputs()] == ["variable"]
    feed = {name: X[:25, [j]].astype(dtype) for j, name in enumerate("abcd")}  # by column
    got = sess.run(["variable"], feed)[0]
    want = saved.values(X[:25])
    assert got.shape == want.shape == (25, 1)
    assert np.abs(got - want).max() <= tol * max(1.0, float(np.abs(want).max()) / 50)


def test_regression_with_a_text_column_fed_by_name_agrees_with_predict(tmp_path):
    """A regression's graph takes the table's columns by name too, text stripped."""
    from numpynn.runs.run import RunOptions, prediction_data, run_training
    from numpynn.training.trainer import TrainConfig

    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    n = 200
    city = np.array(["Lyon", "Paris", "Nice"])[rng.integers(0, 3, n)]
    area = rng.uniform(20, 200, n)
    price = 3000 * area * np.where(city == "Paris", 2.0, 1.0) + rng.normal(0, 1e4, n)
    pd.DataFrame({"area": area, "city": city, "price": price}).to_csv(tmp_path / "h.csv",
                                                                       index=False)
    run_training(RunOptions(data=str(tmp_path / "h.csv"), task="regression", hidden=[8],
                            train=TrainConfig(epochs=3, seed=0)), tmp_path / "run",
                 report=False)
    saved = load_model(tmp_path / "run")
    new = pd.DataFrame({"city": [f"  {c}\t" for c in city[:20]], "area": area[:20]})
    new.to_csv(tmp_path / "new.csv", index=False)
    want = saved.values(prediction_data(saved, str(tmp_path / "new.csv")))
    sess = session(to_onnx(saved))
    read = pd.read_csv(tmp_path / "new.csv")
    got = sess.run(["variable"], {"area": read[["area"]].to_numpy(np.float32),
                                  "city": read[["city"]].astype(str).to_numpy()})[0]
    assert np.abs(got - want).max() <= 1e-5 * np.abs(want).max()


def test_missing_text_cells_get_the_most_frequent_category_in_both(csv_model):
    """`impute='median'` fills a missing text cell with the training split's most frequent
    category (never all zeros), in numpynn and in the graph, whatever token marks it."""
    tmp, frame, saved = csv_model
    mode = saved.recipe.modes[saved.recipe.columns.index("size") - 1]  # 'id' is ignored
    counts = frame["size"].value_counts()
    assert counts[mode] >= counts.max() - 3  # the split's mode, near the file's
    rows = frame.drop(columns=["species", "id"]).head(6).copy()
    rows["size"] = ["", "NA", " nan ", "?", "null", mode]
    sess = session(to_onnx(saved))
    feed = {n: rows[[n]].to_numpy(np.float32) for n in ("length", "width")}
    feed |= {n: rows[[n]].to_numpy(object) for n in ("color", "size")}
    proba = sess.run(["probabilities"], feed)[0]
    filled = rows.assign(size=mode)
    assert np.abs(proba - saved.predict_proba(filled)).max() <= 1e-5
    assert np.abs(saved.predict_proba(rows.assign(size=np.nan))
                  - saved.predict_proba(filled)).max() <= 1e-12


def test_a_path_or_a_fitted_estimator_is_answered_with_what_to_pass(tmp_path):
    """to_onnx('run/model.npz') and to_onnx(clf): said "got str" / "got MLPClassifier"."""
    import warnings

    from numpynn import MLPClassifier

    with pytest.raises(InputError, match=r"got str 'run/model.npz': load the model file "
                                         r"first, to_onnx\(load_model\('run/model.npz'\)\)"):
        to_onnx("run/model.npz")
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(max_iter=1, hidden_layer_sizes=(4,)).fit(X, y)
    with pytest.raises(InputError, match=r"its network is to_onnx\(est.model_\), whose labels "
                                         r"are the class indices 0..1"):
        to_onnx(clf)


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-10)])
def test_regression_trained_on_log_targets_exports_values_in_the_training_units(
        tmp_path, dtype, tol):
    """A regression trained on log(1 + y) (``target_transform='log'``): the graph's
    ``variable`` was the log-space value (5.5 where predict said 248.8); it is expm1 (at
    least 0) of it on the logged columns, the others only unscaled, as ``values``."""
    from numpynn.runs.run import RunOptions, run_training
    from numpynn.training.trainer import TrainConfig

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = np.column_stack([np.exp(2 * X[:, 0]) * 10, X[:, 1] - 5])  # the second below 0
    np.savez(tmp_path / "m.npz", X=X, y=Y)
    run_training(RunOptions(data=str(tmp_path / "m.npz"), task="regression", hidden=[4],
                            dtype=dtype, target_transform="none", final_fit="none",
                            train=TrainConfig(epochs=2, seed=0)), tmp_path / "run",
                 report=False)
    saved = load_model(tmp_path / "run")
    saved.metadata["target_scaler"]["log"] = [True, False]  # one column logged, one not
    saved.metadata["target_scaler"]["mean"] = [3.0, -5.0]
    want = saved.values(X)
    assert want[:, 0].max() > 100  # expm1 of the first column's values
    got = session(to_onnx(saved)).run(["variable"], {"X": X.astype(dtype)})[0]
    assert np.abs(got - want).max() <= tol * max(1.0, float(np.abs(want).max()))


@pytest.mark.parametrize("norm", ["layer", "batch"])
def test_a_normalised_network_of_a_table_with_text_columns_exports(tmp_path, norm):
    """A table with a text column gets an opset-20 graph, where ReduceMean takes its axes
    as an input: layer norm, written for opset 17, used to fail onnx.checker (a traceback
    from numpynn export); each normalisation agrees with predict there."""
    from numpynn.runs.run import RunOptions, run_training
    from numpynn.training.trainer import TrainConfig

    frame = csv_table(60)
    frame.to_csv(tmp_path / "train.csv", index=False)
    opts = RunOptions(data=str(tmp_path / "train.csv"), hidden=[8], label_column="species",
                      ignore_columns=["id"], impute="median", normalization=norm,
                      train=TrainConfig(epochs=2, batch_size=16, lr=1e-2, seed=0))
    run_training(opts, tmp_path / "run", report=False)
    saved = load_model(tmp_path / "run" / "model.npz")
    proto = to_onnx(saved)
    assert proto.opset_import[0].version == 20
    rows = frame.drop(columns=["species", "id"])
    feed = {n: rows[[n]].to_numpy(np.float32) for n in ("length", "width")}
    feed |= {n: rows[[n]].to_numpy(object) for n in ("color", "size")}
    label, proba = session(proto).run(None, feed)
    assert np.abs(proba - saved.predict_proba(rows)).max() <= 1e-5
