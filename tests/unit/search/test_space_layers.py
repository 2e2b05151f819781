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


def test_the_default_random_space_searches_the_measured_layers(tmp_path):
    """benchmarks/search_space.py measured these layer choices better on tables the tests
    do not use (benchmarks/RESULTS.md, issue 22 item 5); a space built field by field and
    the default grid keep one value of each layer."""
    from numpynn.cli.main import build_parser
    from numpynn.cli.search_cmd import _space
    from numpynn.search import search
    from numpynn.search.space import LAYER_DEFAULTS, RANDOM_LAYERS

    space = SearchSpace.default_random()
    assert {k: getattr(space, k) for k in RANDOM_LAYERS} == RANDOM_LAYERS
    assert RANDOM_LAYERS == {"activation": ("relu", "gelu"), "dropout": (0.0, 0.1, 0.3),
                             "normalization": (None, "batch")}
    for other in (SearchSpace(), SearchSpace.default_grid()):
        assert {k: getattr(other, k) for k in LAYER_DEFAULTS} == LAYER_DEFAULTS
    assert SearchSpace.default_grid().grid_size() == 18
    plan = trial_plan(space, "random", trials=40, seed=0)
    for name, values in RANDOM_LAYERS.items():
        assert {t[name] for t in plan} == set(values)
    # the command line's and the library's default random space
    args = build_parser().parse_args(["search"])
    assert _space(args) == space
    search(trials=1, seed=0, out=tmp_path / "s", retrain=False, report=False)
    assert json.loads((tmp_path / "s" / "search.json").read_text())["space"] == space.to_json()
