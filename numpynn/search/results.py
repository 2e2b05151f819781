"""Trial results: ranking, reading trials.jsonl, the text table, CSV and the trial log."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..runs.files import SEARCH_BEST_DIR, SEARCH_SETTINGS_FILE, SEARCH_TRIALS_FILE
from ..tasks import task_named
from ..training.scores import PERCENT_SCORES, score_label
from .space import PARAMS

#: Columns that describe where and how fast a trial ran: everything else is deterministic.
RUN_COLUMNS = ("seconds", "worker", "pid", "host")
COLUMNS = ("rank", "trial", "status", "score_name", "val_score", "val_loss", "train_score",
           "best_epoch", "epochs_run", *PARAMS, "seed", *RUN_COLUMNS)
SETTINGS_FILE, TRIALS_FILE = SEARCH_SETTINGS_FILE, SEARCH_TRIALS_FILE
RESULTS_CSV, RESULTS_JSON, PLOT_FILE, BEST_DIR = (
    "results.csv", "results.json", "search.png", SEARCH_BEST_DIR)


def _finite(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _rank_key(row: Mapping[str, Any]) -> tuple:
    # a row ranks among the finished only with finite figures: a NaN compares false
    # with everything and would leave the sort (and so the best) to the rows' order
    ok = (row.get("status") == "ok" and _finite(row.get("val_score"))
          and _finite(row.get("val_loss")))
    rung = -(row.get("rung") or 0)  # a halving search's: more epochs, ranked first
    if task_named(row.get("task") or "classification").ranks_by == "loss":
        return (not ok, rung, row["val_loss"] if ok else 0.0, row["trial"])
    return (not ok, rung, -(row["val_score"] or 0.0) if ok else 0.0,
            row["val_loss"] if ok else 0.0, row["trial"])


def ranked(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows sorted as their task ranks trials (a classification by validation score,
    then loss; a regression by validation loss; then trial number), with ``rank``.
    A halving search's rows rank by rung first (the highest rung reached: its scores
    come from the most epochs), failed trials last."""
    out = [dict(r) for r in sorted(map(current_row, rows), key=_rank_key)]
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out


def ranks_above(row: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether ``row`` ranks before ``other`` in :func:`ranked`'s order."""
    return _rank_key(current_row(row)) < _rank_key(current_row(other))


def deterministic(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows without the columns that depend on where/how fast trials ran."""
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in rows]


def current_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A trial row with today's names: rows written before numpynn 0.3 hold the score as
    ``val_acc``/``train_acc`` (R^2 for a regression) and name no score."""
    out = dict(row)
    for part in ("val", "train"):
        if f"{part}_acc" in out:
            out.setdefault(f"{part}_score", out.pop(f"{part}_acc"))
    out.setdefault("score_name", "r2" if out.get("task") == "regression" else "accuracy")
    return out


def score_text(score_name: str, value: float) -> str:
    """A score as tables show it: ``97.50%`` (accuracy), ``R^2 0.812``."""
    if score_name == "accuracy":
        return f"{100 * value:.2f}%"
    if score_name in PERCENT_SCORES:
        return f"{score_label(score_name)} {100 * value:.2f}%"
    return f"{score_label(score_name)} {value:.3f}"


def score_cell(row: Mapping[str, Any]) -> str:
    """A trial's validation score as a table shows it, or its status when it has none."""
    value = row.get("val_score")
    if value is None:
        return str(row.get("status", ""))[:8]
    return score_text(row.get("score_name", "accuracy"), value)


def latest(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per trial: the one of the highest rung it reached (a plain search's rows,
    without ``rung``: the last one given), in trial order."""
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        old = out.get(r["trial"])
        if old is None or (r.get("rung") or 0) >= (old.get("rung") or 0):
            out[r["trial"]] = dict(r)
    return [out[i] for i in sorted(out)]


def read_trials(path: str | Path) -> list[dict[str, Any]]:
    """The finished trials in a ``trials.jsonl`` file, one row per trial (a halving
    search's: the highest rung it reached); a torn last line is skipped."""
    return latest(read_log(path))


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every finished (trial, rung) row of a ``trials.jsonl`` file (a plain search's rows
    have no rung: one per trial), ordered by trial then rung."""
    path = Path(path)
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # the write of a killed search's last trial
        row = current_row(row) if isinstance(row, dict) else row
        if well_formed(row):
            rows[row["trial"], int(row.get("rung") or 0)] = row
    return [rows[k] for k in sorted(rows)]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def well_formed(row: Any) -> bool:
    """Whether a line of ``trials.jsonl`` (its names today's: :func:`current_row`) is a
    trial row a search can rank and print: its
    trial number, seed, hyper-parameters and status of the right types, its figures
    numbers or null. Another line (a hand edit, another program's line, a bit flip that
    kept the JSON valid) is skipped as a torn line is, and its trial runs again on a
    resume; before, ``"val_score": "high"`` stopped every later resume with a TypeError
    traceback."""
    if not isinstance(row, dict):
        return False
    figures = ("val_score", "val_loss", "train_score")
    return (_whole(row.get("trial")) and _whole(row.get("seed"))
            and (row.get("rung") is None or _whole(row.get("rung")))
            and isinstance(row.get("status"), str)
            and isinstance(row.get("hidden"), list) and bool(row["hidden"])
            and all(_whole(h) for h in row["hidden"])
            and all(_finite(row.get(k)) for k in ("lr", "reg"))
            and _whole(row.get("batch_size")) and _whole(row.get("epochs"))
            and isinstance(row.get("optimizer"), str)
            and all(row.get(k) is None or (isinstance(row[k], (int, float))
                                           and not isinstance(row[k], bool))
                    for k in figures))


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def _hidden_text(hidden: Sequence[int], sep: str = ",") -> str:
    return sep.join(str(h) for h in hidden)


#: the hidden sizes' separator in results.csv: a comma there ("256,128") is read by
#: Excel and LibreOffice as a number grouped in thousands (256128), a hyphen as a date
#: ("12-10"); "256x128" stays text (results.json keeps the list)
CSV_HIDDEN_SEP = "x"


def _layers_text(row: Mapping[str, Any]) -> str:
    """A hidden block's layers in brief: ``relu``, ``tanh drop0.2 batch``."""
    text = str(row.get("activation") or "relu")
    if row.get("dropout"):
        text += f" drop{row['dropout']:g}"
    if row.get("normalization"):
        text += f" {row['normalization']}"
    return text


def format_table(rows: Sequence[Mapping[str, Any]], limit: int | None = None) -> str:
    """The ranked rows as a text table (``limit``: at most that many rows). A halving
    search's table has a ``rung`` column: the rung each trial reached (its ``epochs``
    are that rung's)."""
    rungs = any("rung" in r for r in rows)
    head = (f"{'rank':>4} {'trial':>5} " + (f"{'rung':>4} " if rungs else "")
            + f"{'val score':>10} {'val loss':>8} {'hidden':<12} "
            f"{'lr':>9} {'reg':>9} {'batch':>5} {'optimizer':<9} {'layers':<16} {'epochs':>6} "
            f"{'best':>4} "
            f"{'time':>6}  worker")
    lines = [head, "-" * len(head)]
    shown = rows if limit is None else rows[:limit]
    for r in shown:
        lines.append(
            f"{r['rank']:>4} {r['trial']:>5} "
            + (f"{_fmt(r.get('rung')):>4} " if rungs else "")
            + f"{score_cell(r):>10} "
            f"{_fmt(r.get('val_loss'), '.4f'):>8} "
            f"{_hidden_text(r['hidden']):<12} {r['lr']:>9.3g} {r['reg']:>9.3g} "
            f"{r['batch_size']:>5} {r['optimizer']:<9} {_layers_text(r):<16} {r['epochs']:>6} "
            f"{_fmt(r.get('best_epoch')):>4} {r['seconds']:>5.1f}s  {r['worker']}"
        )
    if limit is not None and len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows in {RESULTS_CSV}")
    return "\n".join(lines)


def _csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    columns = COLUMNS
    if any("rung" in r for r in rows):  # a halving search's: the rung each trial reached
        columns = (*columns[:2], "rung", *columns[2:])
    if any("pack" in r for r in rows):  # a packed search's: trials trained together
        columns = (*columns, "pack")
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({**{k: ("" if v is None else v) for k, v in r.items()},
                         "hidden": _hidden_text(r["hidden"], CSV_HIDDEN_SEP)})
    return buf.getvalue()


def repair_torn_line(path: str | Path) -> int:
    """Cut a torn last line (the write of a killed search: no final newline) off the trial
    log, so that the next trial starts on a line of its own. Returns the bytes removed."""
    try:
        with open(path, "rb+") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return 0
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return 0
            keep, pos, block = 0, size, 1 << 16
            while pos > 0:  # find the last newline, reading backwards
                start = max(0, pos - block)
                fh.seek(start)
                chunk = fh.read(pos - start)
                i = chunk.rfind(b"\n")
                if i >= 0:
                    keep = start + i + 1
                    break
                pos = start
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
            return size - keep
    except FileNotFoundError:
        return 0


class _TrialLog:
    """Append-only trials.jsonl: each finished pack's trials are on disk before the next
    pack is awaited."""

    def __init__(self, path: Path) -> None:
        repair_torn_line(path)
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())

    def append(self, row: Mapping[str, Any]) -> None:
        self.extend([row])

    def extend(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append the rows (a finished pack's) in one write and one fsync."""
        self.fh.write("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()
