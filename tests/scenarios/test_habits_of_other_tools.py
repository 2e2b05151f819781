"""Command lines written with other tools' habits: an option that is an argument here
(``--model``, ``export ... --out``), other tools' flag names, short flags, an option of
another command, several values where one is taken; each refusal says what was meant."""

from __future__ import annotations

import pytest

from tests.clirun import numpynn


@pytest.mark.parametrize("argv,said", [
    (["export", "run/model.npz", "--out", "m.onnx"],
     "numpynn export takes the output as its second argument, without a flag: numpynn "
     "export MODEL OUTPUT"),
    (["export", "run", "-o", "m.onnx"], "takes the output as its second argument"),
    (["predict", "--model", "m.npz", "--data", "x.csv"],
     "numpynn predict takes the model as its first argument, without a flag: numpynn "
     "predict MODEL ..."),
    (["evaluate", "--model", "run"], "numpynn evaluate takes the model as its first argument"),
    (["train", "--data", "x.csv", "--learning-rate", "0.1"], "numpynn's flag for it is --lr"),
    (["train", "--data", "x.csv", "--max-iter", "5"], "numpynn's flag for it is --epochs"),
    (["train", "--data", "x.csv", "--output", "run"], "numpynn's flag for it is --out"),
    (["train", "--data", "x.csv", "-o", "run"], "numpynn's flag for it is --out"),
    (["train", "--data", "x.csv", "-e", "5"], "numpynn's flag for it is --epochs"),
    (["predict", "m.npz", "--data", "x.csv", "-o", "p.csv"], "numpynn's flag for it is --output"),
    (["predict", "m.npz", "--data", "x.csv", "-p"],
     "numpynn's options are long (only -h is short): did you mean --proba?"),
    (["train", "--data", "x.csv", "--trials", "5"],
     "--trials is an option of numpynn search, not of numpynn train"),
    (["train", "--data", "x.csv", "--n-trials", "5"],
     "numpynn's flag for it is --trials, an option of numpynn search, not of numpynn train"),
    (["evaluate", "m.npz", "--proba"], "--proba is an option of numpynn predict"),
    (["explain", "--lr", "0.1"], "an option of numpynn train and numpynn search"),
    (["train", "--data", "x.csv", "--hiden", "8"], "did you mean --hidden?"),
    (["train", "--config", "c.yaml"], "numpynn reads no configuration file"),
    (["train", "--data", "x.csv", "--hidden", "100", "50"],
     "--hidden takes one comma list, one size per hidden layer: --hidden 100,50 (numpynn "
     "search --hidden 100 50 tries several networks, one per list)"),
    (["train", "--data", "x.csv", "--hidden=100", "50"], "--hidden 100,50"),
    (["train", "--data", "x.csv", "--lr", "0.1", "0.01"],
     "numpynn train takes one --lr value; numpynn search tries several: numpynn search ... "
     "--lr 0.1,0.01"),
    (["train", "--data", "x.csv", "--lr", "1e-3,1e-2"],
     "argument --lr: expected a positive number, got '1e-3,1e-2'; numpynn train takes one "
     "--lr value; numpynn search tries several: numpynn search ... --lr 1e-3,1e-2"),
    (["train", "--data", "x.csv", "--epochs=5,10"], "numpynn search ... --epochs 5,10"),
    (["train", "--data", "x.csv", "--seed", "1", "2"], "--seed takes one value, got 1 and then 2"),
    (["train", "--data", "x.csv", "--lr", "0,001"],
     "got '0,001'; a decimal comma? numpynn reads numbers with a point: --lr 0.001 (see"),
    (["train", "--data", "x.csv", "--val-fraction", "0,2"], "--val-fraction 0.2 (see"),
    (["search", "--data", "x.csv", "--reg", "0,001"],
     "'0,001' reads as one number with a decimal comma, not a list (write 0.001)"),
    (["evaluate", "m.npz", "--output", "m.json"],
     "numpynn evaluate prints its results to standard output: redirect them, numpynn "
     "evaluate ... > FILE (--json: as JSON)"),
    (["explain", "-o", "x.txt"], "numpynn explain prints its results to standard output"),
    (["help", "train"], "invalid choice: 'help' (choose from 'train', 'evaluate', 'predict', "
     "'search', 'data', 'explain', 'export', 'gradcheck', 'docs'); for help: numpynn train "
     "--help"),
    (["help"], "; for help: numpynn --help, or numpynn COMMAND --help for a command's"),
    (["train", "--data", "x.csv", "--hidden", "100", "--hidden", "50"],
     "given twice (--hidden 100 and --hidden 50); give it once, with the values as one comma "
     "list: --hidden 100,50"),
    (["train", "--data", "x.csv", "--ignore-columns", "a", "--ignore-columns", "b"],
     "--ignore-columns a,b"),
    (["search", "--data", "x.csv", "--lr", "0.1", "--lr", "0.01"], "--lr 0.1,0.01 (see"),
    (["search", "--data", "x.csv", "--hidden", "8", "16", "--hidden", "8,4"],
     "give it once: --hidden 8 16 8,4 (see"),
    (["train", "--data", "x.csv", "--epochs", "1", "--epochs", "2"],
     "(--epochs 1 and --epochs 2); give it once (see"),
    (["train", "--data", "x.csv", "--val-fraction", "50"],
     "must be a finite number in [0, 1), got 50 (a share of the rows, not a percentage: 20% "
     "is 0.2)"),
])
def test_a_habit_of_another_tool_is_answered_with_numpynns_way(tmp_path, argv, said):
    proc = numpynn(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert said in proc.stderr, proc.stderr
    assert not list(tmp_path.iterdir())  # refused before any work


@pytest.mark.parametrize("argv", [["train", "--data", "x.csv", "--frobnicate"],
                                  ["train", "--data", "x.csv", "--lerning-rate", "3"]])
def test_no_hint_is_made_up_where_nothing_is_close(tmp_path, argv):
    """A flag like nothing numpynn has gets argparse's message alone: no far-fetched
    guess (--frobnicate is not --overwrite)."""
    proc = numpynn(*argv, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(f"unrecognized arguments: {' '.join(argv[3:])} (see "
                                        "'numpynn train --help')")


def test_the_data_file_hint_still_comes_first(tmp_path):
    proc = numpynn("train", "mine.csv", cwd=tmp_path)
    assert "--data mine.csv" in proc.stderr and "flag for it" not in proc.stderr


def _small_csv(path):
    rows = [f"{i % 7}.5,{(i * 3) % 5}.25,{'ab'[i % 2]}" for i in range(40)]
    path.write_text("x,y,label\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("command", [["train"], ["search", "--trials", "1"]])
def test_out_dash_is_refused_not_made_a_directory_named_dash(tmp_path, command):
    """``--out -`` (standard output, as predict --output - means) cannot hold a run's
    files: train and search wrote them into a directory named ``-``."""
    _small_csv(tmp_path / "t.csv")
    proc = numpynn(*command, "--data", "t.csv", "--label-column", "label", "--epochs", "1",
                   "--out", "-", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--out - is standard output, which cannot hold the files" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


@pytest.mark.parametrize("text,sizes", [("[100, 50]", [100, 50]), ("(100, 50)", [100, 50]),
                                        ("(100,)", [100]), ("[8]", [8]), ("100,50", [100, 50])])
def test_hidden_sizes_written_as_python_writes_them_are_read(text, sizes):
    """scikit-learn's hidden_layer_sizes=(100, 50) and Keras' [100, 50], pasted into a
    command line: the same layers (they were refused as "'[100' is not an integer")."""
    from numpynn.cli.common import hidden_sizes

    assert hidden_sizes(text) == sizes


@pytest.mark.parametrize("text,point", [("0,001", "0.001"), ("1,05", "1.05"), ("0,2", None),
                                        ("1e-3,3e-3", None), ("32,64", None)])
def test_a_list_reads_a_decimal_comma_only_where_no_list_is_written_so(text, point):
    """search's --reg 0,001 was the list 0 and 1 in silence: no list has an item 001."""
    from numpynn.cli.common import decimal_comma

    assert decimal_comma(text, in_a_list=True) == point


@pytest.mark.parametrize("name", ["model.npz", "checkpoint.npz"])
def test_resume_given_a_file_of_the_run_names_the_run_directory(tmp_path, name):
    """--resume run/model.npz: it said "expected run/model.npz/checkpoint.npz" and to start
    a run first."""
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / name).write_bytes(b"PK")
    proc = numpynn("train", "--resume", f"run/{name}", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert (f"run/{name} is a file; a run is resumed by its directory, the one that holds "
            "checkpoint.npz: --resume run.") in proc.stderr
    assert "Start a run" not in proc.stderr


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
def test_a_model_file_given_as_data_is_named_as_one(tmp_path, kind):
    """--data run/model.npz: it said the file has no array 'X' and listed param/W1 ..."""
    import numpy as np

    from numpynn.data import load_dataset
    from numpynn.errors import DataError
    from numpynn.model_file import write_container

    write_container(tmp_path / f"{kind}.npz", {"kind": kind}, {"param/W1": np.zeros((2, 2))})
    for label_column in (None, -1):
        with pytest.raises(DataError) as info:
            load_dataset(str(tmp_path / f"{kind}.npz"), label_column=label_column)
        assert (f"{kind}.npz is a numpynn {kind} file (a network's parameters), not a data "
                "set; give the data") in str(info.value)


def test_explain_takes_hidden_sizes_as_train_writes_them_too(tmp_path):
    """train takes --hidden 100,50 and explain took only --hidden 100 50: both forms are
    the same two layers in explain now."""
    spaced = numpynn("explain", "--hidden", "12", "6", cwd=tmp_path)
    assert spaced.returncode == 0
    assert numpynn("explain", "--hidden", "12,6", cwd=tmp_path).stdout == spaced.stdout
    assert "(4, 6)" in spaced.stdout


def _search_dir(path):
    """The files of a finished search, as far as these checks read them."""
    (path / "best").mkdir(parents=True)
    (path / "search.json").write_text("{}")
    (path / "results.csv").write_text("trial\n0\n")
    (path / "best" / "model.npz").write_bytes(b"PK")


@pytest.mark.parametrize("argv,said", [
    (["search", "--resume", "s/results.csv"], "s/results.csv is a file; a search is resumed "
     "by its directory, the one that holds search.json: --resume s."),
    (["search", "--resume", "s/best/model.npz"], "the one that holds search.json: --resume s."),
    (["search", "--resume", "run"],
     "run holds a training run, not a search: resume it with 'numpynn train --resume run'"),
    (["train", "--resume", "s"],
     "s holds a search, not a training run: resume it with 'numpynn search --resume s'"),
    (["evaluate", "s"], "s is a search's directory; its best model is in s/best: give that"),
    (["predict", "s", "--data", "x.csv"], "its best model is in s/best"),
])
def test_a_search_and_a_run_given_for_each_other_are_named(tmp_path, argv, said):
    """They said "no search to resume in s/results.csv (expected
    s/results.csv/search.json)", "a directory without a model.npz", "no checkpoint"."""
    _search_dir(tmp_path / "s")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoint.npz").write_bytes(b"PK")
    proc = numpynn(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert said in proc.stderr, proc.stderr
    assert "Start" not in proc.stderr


@pytest.mark.parametrize("argv,dest,value", [
    (["train", "--optimizer", "Adam"], "optimizer", "adam"),
    (["train", "--task", "Regression"], "task", "regression"),
    (["train", "--dtype", "Float32"], "dtype", "float32"),
    (["train", "--schedule", "Cosine"], "schedule", "cosine"),
    (["train", "--class-weight", "Balanced"], "class_weight", "balanced"),
    (["evaluate", "m.npz", "--split", "TEST"], "split", "test"),
    (["explain", "--norm", "Batch"], "norm", "batch"),
])
def test_a_choice_in_other_letter_case_is_the_choice(argv, dest, value):
    """train refused --optimizer Adam, which search (and train's --activation) took."""
    from numpynn.cli.main import build_parser

    args = build_parser(argv[:1], argv).parse_args(argv)
    assert [v for k, v in vars(args).items() if k.endswith(dest)] == [value]


def test_a_choice_that_is_none_in_any_case_is_still_refused(tmp_path):
    proc = numpynn("train", "--data", "x.csv", "--optimizer", "AdamW", cwd=tmp_path)
    assert proc.returncode == 2 and "invalid choice: 'AdamW'" in proc.stderr


def test_a_regression_selected_by_its_score_says_r2_not_accuracy(tmp_path):
    """--select accuracy (the score) on a regression keeps the best validation R^2; the
    run's header said "the best validation accuracy"."""
    rows = [f"{i % 13}.5,{(i * 7) % 11}.25,{(i % 13) * 3 + (i * 7) % 11}.75" for i in range(120)]
    (tmp_path / "h.csv").write_text("a,b,price\n" + "\n".join(rows) + "\n")
    proc = numpynn("train", "--data", "h.csv", "--task", "regression", "--select", "accuracy",
                   "--val-fraction", "0.25", "--epochs", "1", "--no-report", "--out", "r",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "keeps the epoch with the best validation R^2" in proc.stdout
    assert "accuracy" not in proc.stdout


@pytest.mark.parametrize("argv", [
    ["predict", "run", "--data", "x.csv", "--output", "run/history.json"],
    ["predict", "run/model.npz", "--data", "x.csv", "--output", "run/history.json"],
    ["export", "run", "run/weights.png"],
])
def test_an_output_never_replaces_another_file_of_the_models_run(tmp_path, argv):
    """predict --output run/history.json replaced the run's history (its record, what
    --resume and the report read) with a prediction CSV; export could replace a plot."""
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "model.npz").write_bytes(b"PK\x03\x04")
    (tmp_path / "run" / "history.json").write_text('{"epochs": [1]}\n')
    (tmp_path / "run" / "weights.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()}
    proc = numpynn(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{argv[-1]} is the {argv[-1].split('/')[1]} of the run in run" in proc.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()} == before


def test_an_output_never_replaces_a_file_of_the_search_whose_best_model_is_read(tmp_path):
    """predict s/best --output s/results.csv replaced the search's table."""
    _search_dir(tmp_path / "s")
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    proc = numpynn("predict", "s/best", "--data", "x.csv", "--output", "s/results.csv",
                   cwd=tmp_path)
    assert proc.returncode == 2
    assert "s/results.csv is a file of the search in s, whose best model" in proc.stderr
    assert (tmp_path / "s" / "results.csv").read_text() == "trial\n0\n"


@pytest.mark.parametrize("spec,what", [("-", "standard input"), ("/dev/stdin", "standard input"),
                                       ("/dev/null", "a pipe or a device")])
def test_data_from_a_stream_says_why_a_file_is_needed(tmp_path, spec, what):
    """`cat new.csv | numpynn predict run --data -` (the habit --output - invites) and
    --data <(zcat t.csv.gz): "unknown data spec '-'", a list of the spec forms."""
    proc = numpynn("train", "--data", spec, cwd=tmp_path, stdin="a,b\n1,2\n")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert (f"--data {spec} is {what}: numpynn reads a data file more than once"
            in proc.stderr) and "write it to a file first" in proc.stderr


def test_evaluating_a_file_whose_label_has_another_name_says_which_column_it_is(tmp_path):
    """evaluate on a file whose label column is 'label' (the model's: 'species'): it said
    missing 'species', unexpected 'label', and to carry one with --id-column, an option
    evaluate does not have."""
    from numpynn.data import load_csv
    from numpynn.errors import DataError

    rows = [f"{i % 5}.5,{i % 3}.25,{'xyz'[i % 3]}" for i in range(30)]
    (tmp_path / "t.csv").write_text("a,b,species\n" + "\n".join(rows) + "\n")
    table = load_csv(tmp_path / "t.csv", label_column="species").table
    with pytest.raises(DataError) as info:
        table.match_names(["A", "b", "label"], "new.csv", labelled=True)
    text = str(info.value)
    assert ("'A' is probably 'a', 'label' is probably the label 'species': rename them"
            in text) and "id_column" not in text
    with pytest.raises(DataError, match="carry one to the output with `id_column`"):
        table.match_names(["a", "b", "x"], "new.csv", labelled=False)  # predict's
