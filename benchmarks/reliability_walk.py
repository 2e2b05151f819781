"""The hostile walk of issue 21 (reliability, round three): cases of each kind that broke,
run through the CLI in this process (``numpynn.cli.main.main``) and the library, each
checked against its promise. Prints one row per kind (cases, held) and every case that
did not hold; exits 1 if any did not.

    python benchmarks/reliability_walk.py            # about a minute on one core
    python -m pytest -m slow tests/scenarios/test_reliability_round3.py -k walk_script

Kinds (numbers as in the issue): 1 a second name for an input (model, data and output
spelt as files, run directories, ``~``, ``..``, links; data of every ending; data inside
``--out`` named like a run file; empty paths); 2 bounds (search workers, explain's size
guard); 3 divergence with a finite loss (CLI and estimators); 5 resume and overwrite
promises; 6 ONNX fed by column name against ``numpynn predict``; 7 no validation, no
validation figures; 8 tracebacks; 9 documented behaviour (batch above the data,
``--refit``).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from numpynn.cli.main import main  # noqa: E402
from numpynn.runs.files import OLD_REPORT_FILES, REPORT_FILES  # noqa: E402


@dataclass
class Walk:
    """Cases run so far: kind -> [held, total], and what did not hold."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def case(self, kind: str, name: str, check: Callable[[], object]) -> None:
        held = self.counts.setdefault(kind, [0, 0])
        held[1] += 1
        try:
            check()
        except Exception as exc:  # a broken promise or a crash: recorded, the walk goes on
            self.failures.append(f"[{kind}] {name}: {type(exc).__name__}: {exc}"[:400])
        else:
            held[0] += 1

    @property
    def total(self) -> tuple[int, int]:
        return (sum(h for h, _ in self.counts.values()), sum(n for _, n in self.counts.values()))


def cli(*argv: str) -> tuple[int, str, str]:
    """Exit code, stdout, stderr of ``numpynn ARGV`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def expect(cond: bool, why: str) -> None:
    if not cond:
        raise AssertionError(why)


def no_traceback(err: str) -> None:
    expect("Traceback" not in err, "a traceback: " + err[-200:])


def write_table(path: Path, n: int = 80, seed: int = 0, text: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    head = "a,b,c" + (",kind" if text else "") + ",label"
    lines = [head]
    for x in X:
        kind = ["," + ("red", "green", "blue")[int(abs(x[1]) * 3) % 3]] if text else []
        lines.append(",".join(f"{v:.4f}" for v in x) + "".join(kind)
                     + (",yes" if x[0] > 0 else ",no"))
    path.write_text("\n".join(lines) + "\n")
    return path


@contextlib.contextmanager
def place() -> Iterator[Path]:
    """A fresh directory as cwd and HOME, holding d.csv."""
    old_cwd, old_home = os.getcwd(), os.environ.get("HOME")
    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        os.chdir(here)
        os.environ["HOME"] = str(here)
        write_table(here / "d.csv")
        try:
            yield here
        finally:
            os.chdir(old_cwd)
            if old_home is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = old_home


TRAIN = ("--epochs", "2", "--quiet", "--hidden", "8")
REGRESSION = ("--task", "regression", "--label-column", "a", "--ignore-columns", "label")


# ------------------------------------------------------------------------------ kinds
def kind1_paths(w: Walk) -> None:
    with place() as here:
        expect(cli("train", "--data", "d.csv", "--out", "run", "--no-report", *TRAIN)[0] == 0,
               "setup")
        (here / "link.npz").symlink_to(here / "run" / "model.npz")
        (here / "link-run").symlink_to(here / "run")
        (here / "link.csv").symlink_to(here / "d.csv")
        model_bytes = (here / "run" / "model.npz").read_bytes()
        data_bytes = (here / "d.csv").read_bytes()

        def restore() -> None:  # each case starts from the intact files, whatever the last did
            for path, content in ((here / "run" / "model.npz", model_bytes),
                                  (here / "d.csv", data_bytes)):
                if path.read_bytes() != content:
                    path.write_bytes(content)
        models = ["run", "run/", "./run", "~/run", "run/model.npz", "~/run/model.npz",
                  "run/../run", "link.npz", "link-run", "~/link-run/"]
        as_inputs = ["run/model.npz", "~/run/model.npz", "link.npz", "link-run/model.npz",
                     "./run/./model.npz", "d.csv", "~/d.csv", "link.csv", "run/../d.csv"]
        fresh = ["p.csv", "~/p.csv", "run/p.csv"]
        for model, output in itertools.product(models, as_inputs + fresh):
            def predict(model: str = model, output: str = output) -> None:
                code, _, err = cli("predict", model, "--data", "d.csv", "--output", output)
                no_traceback(err)
                if output in as_inputs:
                    expect(code == 2 and "input" in err, f"exit {code}: {err[-150:]}")
                else:
                    expect(code == 0, f"exit {code}: {err[-150:]}")
                expect((here / "run" / "model.npz").read_bytes() == model_bytes, "model changed")
                expect((here / "d.csv").read_bytes() == data_bytes, "data changed")
            w.case("1 paths", f"predict {model} --output {output}", predict)
            restore()
        for model, output in itertools.product(models, as_inputs[:5] + ["m.onnx", "~/m.onnx"]):
            def export(model: str = model, output: str = output) -> None:
                code, _, err = cli("export", model, output)
                no_traceback(err)
                expect(code == (0 if output.endswith(".onnx") else 2), f"exit {code}: {err}")
                expect((here / "run" / "model.npz").read_bytes() == model_bytes, "model changed")
            w.case("1 paths", f"export {model} {output}", export)
            restore()
        for suffix, spell in itertools.product(
                [".csv", ".tsv", ".txt", ".data", ".csv.gz", "", ".html"],
                ["{}", "~/{}", "./{}", "run/../{}"]):
            name = f"x{suffix}"
            raw = data_bytes if suffix != ".csv.gz" else gzip.compress(data_bytes)
            (here / name).write_bytes(raw)

            def data_out(name: str = name, spell: str = spell, raw: bytes = raw) -> None:
                code, _, err = cli("predict", "run", "--data", spell.format(name),
                                   "--output", name)
                no_traceback(err)
                expect(code == 2 and "input" in err, f"exit {code}: {err[-150:]}")
                expect((here / name).read_bytes() == raw, "data overwritten")
            w.case("1 paths", f"predict --data {spell.format(name)} --output {name}", data_out)
        for i, name in enumerate([*REPORT_FILES, *OLD_REPORT_FILES, "history.json"]):
            out = here / f"o{i}"
            out.mkdir()
            (out / name).write_bytes(data_bytes)

            def inside(out: Path = out, name: str = name) -> None:
                code, _, err = cli("train", "--data", f"{out.name}/{name}", "--out", out.name,
                                   *TRAIN)
                no_traceback(err)
                expect(code == 2, f"exit {code}")
                expect((out / name).read_bytes() == data_bytes, "data overwritten")
            w.case("1 paths", f"train --data OUT/{name} --out OUT", inside)
        for i, name in enumerate(["results.csv", "best/loss.svg", "best/report.html",
                                  "search.png"]):
            (here / f"s{i}" / "best").mkdir(parents=True)
            (here / f"s{i}" / name).write_bytes(data_bytes)

            def search_inside(i: int = i, name: str = name) -> None:
                code, _, err = cli("search", "--data", f"s{i}/{name}", "--out", f"s{i}",
                                   "--trials", "1", "--epochs", "1", "--hidden", "8")
                no_traceback(err)
                expect(code == 2, f"exit {code}")
                expect((here / f"s{i}" / name).read_bytes() == data_bytes, "data overwritten")
            w.case("1 paths", f"search --data OUT/{name} --out OUT", search_inside)
        for argv in (["train", "--data", "d.csv", "--out", ""],
                     ["predict", "run", "--data", "d.csv", "--output", ""],
                     ["export", "run", ""], ["search", "--data", "d.csv", "--out", ""],
                     ["train", "--resume", ""]):
            def empty(argv: list[str] = argv) -> None:
                listing = sorted(os.listdir(here))
                code, _, err = cli(*argv)
                expect(code == 2 and "empty path" in err, f"exit {code}: {err}")
                expect(sorted(os.listdir(here)) == listing, "files appeared")
            w.case("1 paths", " ".join(argv), empty)


def kind2_bounds(w: Walk) -> None:
    for jobs, trials, cores in itertools.product([1, 2, 4, 200, 1000, -1], [1, 2, 3, 40],
                                                 [1, 2, 16]):
        def bound(jobs: int = jobs, trials: int = trials, cores: int = cores) -> None:
            from numpynn.search.runner import worker_count

            n = worker_count(jobs, trials, cores)
            expect(1 <= n <= min(trials, cores), f"{n} workers")
            expect(jobs < 0 or n <= jobs, f"{n} workers for jobs={jobs}")
        w.case("2 bounds", f"workers jobs={jobs} trials={trials} cores={cores}", bound)
    with place():
        def search() -> None:
            code, out, err = cli("search", "--data", "d.csv", "--trials", "2", "--jobs", "1000",
                                 "--hidden", "8", "--epochs", "1", "--out", "s", "--no-report")
            expect(code == 0 and f"local, {min(2, os.cpu_count() or 1)} process" in out + err,
                   err[-200:])
        w.case("2 bounds", "search --jobs 1000 --trials 2", search)
    for hidden, dim in [("1000", "784"), ("512", "3072"), ("300", "200"), ("5", "3"),
                        ("100", "64"), ("64", "32")]:
        def guard(hidden: str = hidden, dim: str = dim) -> None:
            from numpynn.memory import MAX_NUMERICAL_ENTRIES, numerical_check_entries

            big = numerical_check_entries(int(dim), [int(hidden)], 10, 4) > MAX_NUMERICAL_ENTRIES
            if not big:
                return  # a check that runs: not timed here
            started = time.perf_counter()
            code, out, err = cli("explain", "--values", "--hidden", hidden, "--input-dim", dim)
            expect(code == 2 and out == "" and time.perf_counter() - started < 1, err)
        w.case("2 bounds", f"explain --values --hidden {hidden} --input-dim {dim}", guard)


    for hidden, dim in [("20000", "20000"), ("100000", "100000"), ("8000", "8000")]:
        def explain_size(hidden: str = hidden, dim: str = dim) -> None:
            started = time.perf_counter()
            code, out, err = cli("explain", "--hidden", hidden, "--input-dim", dim)
            expect(code == 2 and out == "" and "parameters" in err
                   and time.perf_counter() - started < 1, f"exit {code}: {err[-150:]}")
        w.case("2 bounds", f"explain --hidden {hidden} --input-dim {dim}", explain_size)


def kind3_divergence(w: Walk) -> None:
    import warnings

    from numpynn import MLPClassifier, MLPRegressor
    from numpynn.errors import DivergenceError

    with place() as here:
        for i, flags in enumerate([("--lr", "1e9"), ("--lr", "1e6"), ("--lr", "1e4"),
                                   ("--lr", "1e9", "--optimizer", "sgd"),
                                   ("--lr", "1e6", "--optimizer", "sgd"),
                                   ("--lr", "1e9", "--optimizer", "rmsprop"),
                                   ("--weight-scale", "1e10"), ("--weight-scale", "1e6"),
                                   ("--lr", "1e9", *REGRESSION),
                                   ("--weight-scale", "1e10", *REGRESSION)]):
            def diverge(flags: tuple[str, ...] = flags, i: int = i) -> None:
                code, _, err = cli("train", "--data", "d.csv", "--out", f"r{i}", "--epochs",
                                   "5", "--quiet", *flags)
                no_traceback(err)
                expect(code == 1, f"exit {code}: {err[-200:]}")
                expect(not (here / f"r{i}" / "model.npz").exists(), "a model was saved")
            w.case("3 divergence", "train " + " ".join(flags), diverge)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    for est, lr in itertools.product(["classifier", "regressor"], [1e4, 1e6, 1e9]):
        def fit(est: str = est, lr: float = lr) -> None:
            model = (MLPClassifier if est == "classifier" else MLPRegressor)(
                learning_rate_init=lr, max_iter=20)
            y = (X[:, 0] > 0).astype(int) if est == "classifier" else 3 * X[:, 0]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    model.fit(X, y)
                except DivergenceError:
                    return
            raise AssertionError("no DivergenceError")
        w.case("3 divergence", f"MLP{est} lr={lr:g}", fit)


def _listing(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def kind5_resume(w: Walk) -> None:
    for task, report in itertools.product(["classification", "regression"], [True, False]):
        def finished(task: str = task, report: bool = report) -> None:
            with place() as here:
                extra = REGRESSION if task == "regression" else ()
                code, _, err = cli("train", "--data", "d.csv", "--out", "run", *TRAIN, *extra,
                                   *(() if report else ("--no-report",)))
                expect(code == 0, err)
                before = _listing(here / "run")
                code, out, err = cli("train", "--resume", "run", "--quiet")
                expect(code == 0 and "nothing was changed" in out, err)
                expect(_listing(here / "run") == before, "files changed")
        w.case("5 resume", f"resume a finished {task} run, report={report}", finished)
    for task, first, second in itertools.product(["classification", "regression"],
                                                 [True, False], [True, False]):
        def overwrite(task: str = task, first: bool = first, second: bool = second) -> None:
            with place() as here:
                extra = REGRESSION if task == "regression" else ()
                for report in (first, second):
                    code, _, err = cli("train", "--data", "d.csv", "--out", "run", *TRAIN,
                                       *extra, "--overwrite",
                                       *(() if report else ("--no-report",)))
                    expect(code == 0, err)
                has_report = (here / "run" / "report.html").exists()
                plots = [*(here / "run").glob("*.svg"), *(here / "run").glob("*.png")]
                expect(has_report == second and bool(plots) == second,
                       f"report {has_report}, plots {len(plots)}")
        w.case("5 resume", f"{task} --overwrite report {first}->{second}", overwrite)


    for report in (True, False):
        def search_finished(report: bool = report) -> None:
            with place() as here:
                code, _, err = cli("search", "--data", "d.csv", "--trials", "2", "--epochs", "1",
                                   "--hidden", "8", "--out", "s", "--jobs", "1",
                                   *(() if report else ("--no-report",)))
                expect(code == 0, err)
                before = {str(p): p.read_bytes() for p in (here / "s").rglob("*")
                          if p.is_file()}
                code, out, err = cli("search", "--resume", "s")
                expect(code == 0 and "nothing was run" in out, err)
                after = {str(p): p.read_bytes() for p in (here / "s").rglob("*") if p.is_file()}
                expect(after == before, "files changed")
        w.case("5 resume", f"resume a finished search, report={report}", search_finished)


def kind6_onnx(w: Walk) -> None:
    import pandas as pd

    from numpynn.export.onnx import to_onnx
    from numpynn.model_file import load_model
    from numpynn.runs.run import RunOptions, run_training
    from numpynn.training.trainer import TrainConfig

    try:
        import onnxruntime as ort
    except ImportError:
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rng = np.random.default_rng(0)
        n = 150
        y = np.arange(n) % 3
        frame = pd.DataFrame({
            "length": rng.normal(size=n) + 2.0 * y,
            "color": np.array(["red", "green", "blue"])[(y + (rng.random(n) < 0.2)) % 3],
            "width": rng.normal(size=n) - 1.5 * y,
            "size": np.array(["S", "M", "L", "XL"])[rng.integers(0, 4, n)],
            "species": np.array(["setosa", "versicolor", "virginica"])[y]})
        frame.loc[::9, "length"] = np.nan
        frame.to_csv(tmp / "train.csv", index=False)
        for dtype in ("float32", "float64"):
            run_training(RunOptions(data=str(tmp / "train.csv"), hidden=[12], impute="median",
                                    handle_unknown="ignore", dtype=dtype,
                                    train=TrainConfig(epochs=5, batch_size=16, seed=0)),
                         tmp / dtype, report=False)
        pads = [" ", "  ", "\t", " \t ", "", "\u00a0"]
        for dtype, seed in itertools.product(("float32", "float64"), range(8)):
            def agree(dtype: str = dtype, seed: int = seed) -> None:
                r = np.random.default_rng(seed)
                rows = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
                order = list(rows.columns)
                r.shuffle(order)
                rows = rows[order].copy()
                for col in ("color", "size"):
                    rows[col] = [f"{pads[r.integers(6)]}{v}{pads[r.integers(6)]}"
                                 for v in rows[col]]
                rows.loc[int(r.integers(n)), "color"] = "purple"
                rows.loc[int(r.integers(n)), "size"] = ""
                rows.to_csv(tmp / "new.csv", index=False)
                code, out, err = cli("predict", str(tmp / dtype), "--data",
                                     str(tmp / "new.csv"), "--proba")
                expect(code == 0, err)
                table = [line.split(",") for line in out.strip().splitlines()[1:]]
                sess = ort.InferenceSession(to_onnx(load_model(tmp / dtype))
                                            .SerializeToString())
                read = pd.read_csv(tmp / "new.csv")
                feed = {i.name: read[[i.name]].fillna("").astype(str).to_numpy()
                        if i.type == "tensor(string)" else read[[i.name]].to_numpy(
                            np.float64 if i.type == "tensor(double)" else np.float32)
                        for i in sess.get_inputs()}
                label, proba = sess.run(["label", "probabilities"], feed)
                expect(label.tolist() == [t[0] for t in table], "labels differ")
                want = np.array([[float(v) for v in t[1:]] for t in table])
                expect(float(np.abs(proba - want).max()) <= 1e-5, "probabilities differ")
            w.case("6 onnx", f"{dtype} seed {seed}", agree)


def kind7_no_validation(w: Walk) -> None:
    for task, report in itertools.product(["classification", "regression"], [True, False]):
        def none(task: str = task, report: bool = report) -> None:
            with place() as here:
                extra = (*REGRESSION, "--val-fraction", "0") if task == "regression" else ()
                code, out, err = cli("train", "--data", "d.csv", "--out", "run", *TRAIN, *extra,
                                     *(() if report else ("--no-report",)))
                expect(code == 0, err)
                h = json.loads((here / "run" / "history.json").read_text())
                score = h.get("val_score", h.get("val_acc"))  # the score's name changed
                expect(h["val_loss"] == [] and score == [], "validation figures")
                expect("validation R^2" not in out, out)
                if report:
                    page = (here / "run" / "report.html").read_text()
                    expect("(val " not in page and "and validation" not in page
                           and "validation R²" not in page, "the report claims validation")
        w.case("7 no validation", f"{task} report={report}", none)


def kind8_tracebacks(w: Walk) -> None:
    from numpynn import Solver, TwoLayerNet
    from numpynn.errors import NumpynnError
    from numpynn.model_file import save_model

    with place():
        for flags in [("--test-fraction", "0"), ("--val-fraction", "0"),
                      ("--test-fraction", "0", "--val-fraction", "0"),
                      ("--test-fraction", "0.5", "--val-fraction", "0")]:
            def empty_split(flags: tuple[str, ...] = flags) -> None:
                code, _, err = cli("train", "--data", "d.csv", "--out", "r", *TRAIN,
                                   *REGRESSION, "--overwrite", "--no-report", *flags)
                no_traceback(err)
                expect(code == 0, err)
            w.case("8 tracebacks", "regression " + " ".join(flags), empty_split)
        code, _, _ = cli("train", "--data", "d.csv", "--out", "reg", *TRAIN, *REGRESSION,
                         "--no-report")

        def recipe() -> None:
            from numpynn.model_file import load_model
            from numpynn.runs.predictions import prediction_table, write_predictions
            from numpynn.runs.run import evaluation_data

            saved = load_model("reg")
            X, y, _ = evaluation_data(saved, "d.csv", split="all")
            header, rows = prediction_table(saved, X)
            expect(header == ["prediction"] and len(rows) == len(y), "table")
            expect(write_predictions("p.csv", saved, X) == len(y), "written")
        w.case("8 tracebacks", "README library recipe on a regression model", recipe)
    rng = np.random.default_rng(0)
    data = {"X_train": rng.normal(size=(20, 4)), "y_train": rng.integers(0, 3, 20),
            "X_val": rng.normal(size=(5, 4)), "y_val": rng.integers(0, 3, 5)}
    for value in (0, -3, None, "10"):
        def solver(value: object = value) -> None:
            try:
                Solver(TwoLayerNet(4, 5, 3), data, print_every=value)
            except NumpynnError:
                return
            raise AssertionError("accepted")
        w.case("8 tracebacks", f"Solver(print_every={value!r})", solver)
    for value in (None, 3, "model", {}):
        def save(value: object = value) -> None:
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    save_model(Path(tmp) / "m.npz", value)  # type: ignore[arg-type]
                except NumpynnError:
                    expect(not (Path(tmp) / "m.npz").exists(), "a file was written")
                    return
            raise AssertionError("accepted")
        w.case("8 tracebacks", f"save_model(path, {value!r})", save)


def kind9_documented(w: Walk) -> None:
    with place() as here:
        for i, batch in enumerate(["65", "640", "1000000000"]):
            def big_batch(batch: str = batch, i: int = i) -> None:
                code, _, err = cli("train", "--data", "d.csv", "--out", f"b{i}", *TRAIN,
                                   "--no-report", "--batch-size", batch)
                expect(code == 0, err)
                steps = json.loads((here / f"b{i}" / "history.json").read_text())["step_loss"]
                expect(len(steps) == 2, f"{len(steps)} steps in 2 epochs")
            w.case("9 documented", f"train --batch-size {batch}", big_batch)

            def big_search(batch: str = batch, i: int = i) -> None:
                code, _, err = cli("search", "--data", "d.csv", "--trials", "1", "--epochs", "1",
                                   "--hidden", "8", "--batch-size", batch, "--out", f"s{i}",
                                   "--no-report")
                expect(code == 0, err)
            w.case("9 documented", f"search --batch-size {batch}", big_search)
        for i, (flags, ok) in enumerate([((), False), (REGRESSION, False),
                                         (("--val-fraction", "0.2"), True)]):
            def refit(flags: tuple[str, ...] = flags, ok: bool = ok, i: int = i) -> None:
                code, out, err = cli("train", "--data", "d.csv", "--out", f"f{i}", *TRAIN,
                                     "--no-report", "--refit", *flags)
                if ok:
                    expect(code == 0 and "refit" in out, err)
                else:
                    expect(code == 2 and "--refit" in err, f"exit {code}: {err}")
            w.case("9 documented", "train --refit " + " ".join(flags), refit)


KINDS = (kind1_paths, kind2_bounds, kind3_divergence, kind5_resume, kind6_onnx,
         kind7_no_validation, kind8_tracebacks, kind9_documented)


def run_walk() -> Walk:
    w = Walk()
    for kind in KINDS:
        kind(w)
    return w


def main_() -> int:
    started = time.perf_counter()
    w = run_walk()
    print(f"{'kind':<18}{'held':>6}{'cases':>7}")
    for kind, (held, total) in w.counts.items():
        print(f"{kind:<18}{held:>6}{total:>7}")
    held, total = w.total
    print(f"{'all':<18}{held:>6}{total:>7}   ({time.perf_counter() - started:.0f} s)")
    for line in w.failures:
        print("FAILED", line)
    return 0 if held == total else 1


if __name__ == "__main__":
    sys.exit(main_())
