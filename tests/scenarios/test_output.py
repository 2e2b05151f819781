"""What ``numpynn train`` prints where: a bar on a terminal, one line per epoch into a
pipe or a log (Keras' verbose=2), nothing with --quiet; the run header with the split
sizes and the parameter count; the report's per-class table, configuration and the rule
that chose the kept epoch; the nearest valid spec for an unknown --data."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from numpynn import MLP
from numpynn.data import load_dataset
from numpynn.errors import DataError
from numpynn.progress import EpochLog, ProgressBar, progress_callback
from numpynn.runs.run import RunOptions, prepare_splits, split_sizes
from numpynn.training.trainer import TrainConfig, Trainer
from tests.clirun import numpynn  # stdout and stderr captured as pipes, not terminals

EPOCH_LINE = re.compile(r"^epoch +(\d+)/(\d+)  train loss \d+\.\d{4}  val loss \d+\.\d{4}  "
                        r"val acc \d+\.\d\d%  \d+\.\d\ds( +\(best\))?$")


def test_piped_train_prints_one_line_per_epoch_and_the_header(tmp_path):
    proc = numpynn("train", "--epochs", "3", "--val-fraction", "0.1", "--no-report", "--out",
                   "run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    epochs = [m for m in map(EPOCH_LINE.match, lines) if m]
    assert [int(m.group(1)) for m in epochs] == [1, 2, 3]
    assert all(m.group(2) == "3" for m in epochs)
    assert "it/s" not in proc.stderr and "step/s" not in proc.stderr  # no bar in a pipe
    # the header, before the first epoch: split sizes and the parameter count
    sizes = split_sizes(prepare_splits(RunOptions(val_fraction=0.1)))
    header = (f"digits: {sizes['train']:,} train / {sizes['val']:,} val / "
              f"{sizes['test']:,} test rows; 64 features, 10 classes; "
              f"{64 * 100 + 100 + 100 * 10 + 10:,} parameters; keeps the epoch with the "
              "lowest validation loss")
    assert any(line.startswith(header) for line in lines), lines[:3]
    assert lines.index(next(x for x in lines if x.startswith(header))) < lines.index(
        epochs[0].group(0))
    # the kept epoch is named with the rule that chose it, and is the marked one
    kept = re.search(r"kept epoch (\d+) \(lowest validation loss\)", proc.stdout)
    assert kept, proc.stdout
    best_marked = [int(m.group(1)) for m in epochs if m.group(3)]
    assert best_marked[-1] == int(kept.group(1))


def test_without_a_validation_split_the_header_says_the_last_epoch_is_kept(tmp_path):
    proc = numpynn("train", "--epochs", "2", "--no-report", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert ("digits: 1,437 train / 0 val / 360 test rows; 64 features, 10 classes; 7,510 "
            "parameters; no validation split: trains every epoch and keeps the last"
            ) in proc.stdout.splitlines()
    assert re.search(r"^epoch +2/2  train loss \d+\.\d{4}  train acc \d+\.\d\d%  ",
                     proc.stdout, re.MULTILINE), proc.stdout
    assert "kept epoch 2 (last epoch, no validation data)" in proc.stdout


def test_quiet_prints_no_header_and_no_epoch_lines(tmp_path):
    proc = numpynn("train", "--epochs", "2", "--no-report", "--quiet", "--out", "run",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not any(EPOCH_LINE.match(x) for x in proc.stdout.splitlines())
    assert "parameters" not in proc.stdout and "total parameters" not in proc.stdout
    assert proc.stderr == ""
    assert "kept epoch" in proc.stdout  # the result is still printed


class FakeTTY(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty
        self.flushes = 0

    def isatty(self) -> bool:
        return self.tty

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


@pytest.mark.parametrize("out_tty, err_tty, kind", [
    (True, True, ProgressBar), (False, True, EpochLog), (True, False, EpochLog),
    (False, False, EpochLog)])
def test_progress_callback_suits_the_streams(out_tty, err_tty, kind):
    out, err = FakeTTY(out_tty), FakeTTY(err_tty)
    chosen = progress_callback(False, stdout=out, stderr=err)
    assert type(chosen) is kind
    assert progress_callback(True, stdout=out, stderr=err) is None


def test_epoch_log_writes_and_flushes_a_line_as_each_epoch_ends():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 4)), rng.integers(0, 3, 60)
    out = FakeTTY(False)
    seen: list[tuple[int, int]] = []

    class Watch(EpochLog):  # what had been written when each epoch ended
        def on_epoch_end(self, trainer, epoch):
            super().on_epoch_end(trainer, epoch)
            seen.append((len(out.getvalue().splitlines()), out.flushes))

    Trainer(MLP(4, [5], 3, seed=0), X[:40], y[:40], X[40:], y[40:],
            config=TrainConfig(epochs=4, batch_size=16), callbacks=[Watch(out)]).train()
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert all(EPOCH_LINE.match(line) for line in out.getvalue().splitlines())


def test_report_has_split_sizes_configuration_per_class_and_kept_rule(tmp_path):
    proc = numpynn("train", "--epochs", "2", "--quiet", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "run" / "report.html").read_text()
    from numpynn.evaluation import evaluate
    from numpynn.model_file import load_model

    saved = load_model(tmp_path / "run" / "model.npz")
    sizes = saved.metadata["split_sizes"]
    for split, n in sizes.items():
        assert f'<tr><th>{split}</th><td class="num">{n:,}</td></tr>' in page
    kept = saved.metadata["best_epoch"]
    assert sizes["val"] == 0  # digits is below AUTO_VAL_MIN_ROWS
    assert f"parameters kept from epoch {kept} (last epoch, no validation data)" in page
    # per-class rows equal the test split's evaluation
    from numpynn.runs.run import evaluation_data

    X, y, _ = evaluation_data(saved, "digits", "test")
    ev = evaluate(saved.model, saved.transform(X), y)
    table = page[page.index('<table class="per-class">'):]
    rows = re.findall(r"<tr><th>(\w+)</th>((?:<td class=\"num\">[^<]*</td>){4})</tr>", table)
    assert [r[0] for r in rows[:10]] == [str(i) for i in range(10)]
    for i, (_, cells) in enumerate(rows[:10]):
        values = [float(v) for v in re.findall(r">([^<]*)<", cells) if v]
        np.testing.assert_allclose(values[:3], [ev.precision[i], ev.recall[i], ev.f1[i]],
                                   atol=5e-4)
        assert values[3] == ev.support[i]
    # the configuration, nested options flattened
    assert "<tr><th>train.select</th><td>auto</td></tr>" in page
    assert "<tr><th>train.epochs</th><td>2</td></tr>" in page
    assert "<tr><th>hidden</th><td>100</td></tr>" in page


def test_unknown_data_spec_suggests_the_nearest(tmp_path, monkeypatch):
    (tmp_path / "wine.csv").write_text("a,b,label\n1,2,x\n3,4,y\n")
    monkeypatch.chdir(tmp_path)
    cases = {"cifar": "cifar10", "fashion_mnist": "fashion-mnist", "digit": "digits",
             "minst:some/dir": "mnist:some/dir", "wine": "wine.csv"}
    for spec, near in cases.items():
        with pytest.raises(DataError, match=f"did you mean {re.escape(near)}\\?"):
            load_dataset(spec)
    with pytest.raises(DataError, match=r"CSV file not found: wnie\.csv; did you mean "
                                        r"wine\.csv\?"):
        load_dataset("wnie.csv")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "train.csv").write_text("a,label\n1,x\n2,y\n")
    with pytest.raises(DataError, match=r"did you mean sub/train\.csv\?"):
        load_dataset("sub/trian.csv")
    with pytest.raises(DataError) as info:  # nothing near: no suggestion, the forms
        load_dataset("zzzz")
    assert "did you mean" not in str(info.value) and "PATH.csv" in str(info.value)


def test_cli_suggests_the_nearest_data_file(tmp_path):
    (tmp_path / "wine.csv").write_text("a,b,label\n1,2,x\n3,4,y\n")
    proc = numpynn("train", "--data", "wine", "--out", "run", cwd=tmp_path)
    assert proc.returncode == 2
    assert "did you mean wine.csv?" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_epoch_log_without_validation_names_the_training_accuracy():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 2, 30)
    out = io.StringIO()
    Trainer(MLP(3, [4], 2, seed=0), X, y, config=TrainConfig(epochs=2, batch_size=8),
            callbacks=[EpochLog(out)]).train()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert all(re.match(r"^epoch \d/2  train loss \d\.\d{4}  train acc \d+\.\d\d%  "
                        r"\d+\.\d\ds$", x) for x in lines), lines
    assert "val" not in out.getvalue()


def test_evaluating_the_missing_validation_split_of_a_small_table_is_an_error(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["a,b,label"] + [f"{x:.3f},{z:.3f},{'yes' if x > 0 else 'no'}"
                            for x, z in rng.normal(size=(100, 2))]
    (tmp_path / "small.csv").write_text("\n".join(rows) + "\n")
    proc = numpynn("train", "--data", "small.csv", "--epochs", "2", "--no-report",
                   "--out", "run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "80 train / 0 val / 20 test rows" in proc.stdout
    proc = numpynn("evaluate", "run/model.npz", "--split", "val", cwd=tmp_path)
    assert proc.returncode == 2
    assert "had no val split (0 rows" in proc.stderr and "Traceback" not in proc.stderr
