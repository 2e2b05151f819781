"""The search over the hidden blocks' layers: activation, dropout, normalisation."""

from __future__ import annotations

import json

import pytest

from numpynn.errors import InputError
from numpynn.search import SearchSpace, trial_plan
from tests.clirun import numpynn


def test_layer_dimensions_are_sampled_and_validated():
    space = SearchSpace(activation=["relu", "logistic", "gelu"], dropout=[0, 0.3],
                        normalization=[None, "batch", "layer"])
    plan = trial_plan(space, "random", trials=30, seed=1)
    assert {t["activation"] for t in plan} == {"relu", "sigmoid", "gelu"}
    assert {t["dropout"] for t in plan} == {0.0, 0.3}
    assert {t["normalization"] for t in plan} == {None, "batch", "layer"}
    assert len(SearchSpace(activation=["relu", "tanh"], normalization=[None, "batch"],
                           hidden=[(8,)], lr=[1e-3], reg=[0], batch_size=[8],
                           optimizer=["adam"], epochs=[1]).grid()) == 4
    for bad in ({"activation": ["swish"]}, {"dropout": [1.0]}, {"normalization": ["group"]}):
        with pytest.raises(InputError):
            SearchSpace(**bad)


def test_adding_layer_dimensions_keeps_the_other_draws():
    """Trials of a search written before the layer dimensions keep their values."""
    plain = trial_plan(SearchSpace(), "random", trials=5, seed=3)
    layered = trial_plan(SearchSpace(activation=["relu", "tanh"]), "random", trials=5, seed=3)
    for a, b in zip(plain, layered):
        assert {k: a[k] for k in ("hidden", "lr", "reg", "batch_size", "optimizer",
                                  "epochs", "seed")} == {
            k: b[k] for k in ("hidden", "lr", "reg", "batch_size", "optimizer", "epochs",
                              "seed")}


def test_a_space_saved_before_the_layer_dimensions_still_loads():
    saved = SearchSpace().to_json()
    for key in ("activation", "dropout", "normalization"):
        saved.pop(key)
    space = SearchSpace.from_json(saved)
    assert space.activation == ("relu",) and space.normalization == (None,)


def test_cli_search_over_layers(tmp_path):
    out = tmp_path / "s"
    proc = numpynn("search", "--grid", "--hidden", "16", "--lr", "3e-3", "--reg", "0",
                   "--epochs", "2", "--activation", "relu,tanh", "--norm", "none,batch",
                   "--dropout", "0.1", "--out", out, "--no-report", "--quiet")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((out / "results.json").read_text())
    rows = rows["trials"]
    assert {(r["activation"], r["normalization"], r["dropout"]) for r in rows} == {
        ("relu", None, 0.1), ("relu", "batch", 0.1), ("tanh", None, 0.1),
        ("tanh", "batch", 0.1)}
    assert "tanh drop0.1 batch" in proc.stdout
    from numpynn.model_file import load_model

    best = load_model(out / "best" / "model.npz").model
    best_row = min(rows, key=lambda r: r["rank"])
    assert best.activation == best_row["activation"]
    assert best.normalization == best_row["normalization"]
    bad = numpynn("search", "--activation", "swish", "--out", tmp_path / "t")
    assert bad.returncode == 2 and "swish" in bad.stderr and "Traceback" not in bad.stderr
