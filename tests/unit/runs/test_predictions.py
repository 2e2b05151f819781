"""What the CLI prints, reachable from Python: the prediction table, the evaluation as a
dict, and resuming a search (issue 11, item 6)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from numpynn.cli.main import main
from numpynn.errors import InputError
from numpynn.evaluation import evaluate, evaluation_dict
from numpynn.model_file import load_model
from numpynn.runs.predictions import prediction_csv, prediction_table, write_predictions
from numpynn.runs.run import MODEL_FILE, RunOptions, evaluation_data, run_training
from numpynn.search import SearchSpace, deterministic, read_trials, resume_search, search
from numpynn.training.trainer import TrainConfig


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    cfg = TrainConfig(epochs=2, batch_size=64, optimizer="adam", lr=5e-3, seed=3)
    run_training(RunOptions(data="digits", hidden=[16], train=cfg), out, report=False)
    return out / MODEL_FILE


def test_prediction_table_labels_and_probabilities(model_file):
    saved = load_model(model_file)
    X, _, _ = evaluation_data(saved, "digits", "test")
    header, rows = prediction_table(saved, X)
    assert header == ["prediction"] and len(rows) == len(X)
    assert [r[0] for r in rows] == [str(v) for v in saved.predict(X).tolist()]
    header, rows = prediction_table(saved, X, proba=True)
    assert header == ["prediction"] + [f"p_{c}" for c in saved.classes.tolist()]
    p = np.array([[float(v) for v in r[1:]] for r in rows])
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-4)
    assert [r[0] for r in rows] == [str(saved.classes[i]) for i in p.argmax(axis=1)]


def test_prediction_csv_is_what_predict_prints(model_file, tmp_path, capsys):
    saved = load_model(model_file)
    X = evaluation_data(saved, "digits", "all")[0]
    capsys.readouterr()
    assert main(["predict", str(model_file), "--data", "digits", "--proba"]) == 0
    assert capsys.readouterr().out == prediction_csv(saved, X, proba=True)
    n = write_predictions(tmp_path / "p.csv", saved, X, proba=True)
    assert n == len(X)
    with open(tmp_path / "p.csv", newline="") as fh:
        assert list(csv.reader(fh)) == list(csv.reader(io.StringIO(
            prediction_csv(saved, X, proba=True))))


def test_write_predictions_refuses_its_inputs(model_file):
    saved = load_model(model_file)
    X = evaluation_data(saved, "digits", "test")[0]
    with pytest.raises(InputError, match="same file as the input") as info:
        write_predictions(model_file, saved, X, inputs=[model_file])
    assert "--" not in str(info.value)


def test_prediction_table_refuses_overflowing_scores(model_file):
    saved = load_model(model_file)
    X = evaluation_data(saved, "digits", "test")[0][:3]
    saved.model.params["W1"][...] = 3e38  # scores that overflow
    with pytest.raises(InputError, match="scores overflow for .* rows of huge"):
        prediction_table(saved, X, source="huge")


def test_evaluation_dict_is_what_evaluate_json_prints(model_file, capsys):
    saved = load_model(model_file)
    X, y, split = evaluation_data(saved, "digits", "test")
    ev = evaluate(saved.model, saved.transform(X), y)
    names = [str(c) for c in saved.metadata.get("class_names") or saved.classes.tolist()]
    d = evaluation_dict(ev, data="digits", split=split, class_names=names)
    assert d["split"] == "test" and d["accuracy"] == ev.accuracy and d["classes"] == names
    assert np.asarray(d["confusion"]).sum() == len(y)
    assert len(d["precision"]) == len(d["recall"]) == saved.model.num_classes
    json.dumps(d, allow_nan=False)  # plain values only
    capsys.readouterr()
    assert main(["evaluate", str(model_file), "--data", "digits", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {**d, "seen_in_training": False}
    assert set(evaluation_dict(ev)) == {"accuracy", "balanced_accuracy", "loss", "precision",
                                        "recall", "f1", "support", "confusion"}
    named = evaluation_dict(ev, class_names=[f"digit {i}" for i in range(10)])
    assert named["classes"][3] == "digit 3" and len(named["f1"]) == 10


TINY = SearchSpace(hidden=[[8]], epochs=[2], batch_size=[64], optimizer=["adam"])


def test_resume_search_runs_only_the_missing_trials(tmp_path):
    out = tmp_path / "s"
    # pack=1: equal rows, not equal to float rounding (a resumed search packs what is left)
    full = search(space=TINY, trials=4, seed=5, out=out, retrain=False, report=False, pack=1)
    lines = (out / "trials.jsonl").read_text().splitlines(keepends=True)
    (out / "trials.jsonl").write_text("".join(lines[:2]))  # as if interrupted after two
    ran = []
    result = resume_search(out, retrain=False, report=False,
                           on_trial=lambda row, done, total: ran.append(row["trial"]))
    assert len(ran) == 2 and len(read_trials(out / "trials.jsonl")) == 4
    assert deterministic(result.rows) == deterministic(full.rows)


def test_resume_search_without_a_search_names_the_parameter(tmp_path):
    with pytest.raises(InputError) as info:
        resume_search(tmp_path)
    assert info.value.param == "resume" and "--" not in str(info.value)
