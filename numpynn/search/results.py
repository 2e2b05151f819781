"""Trial results: ranking, reading trials.jsonl, the text table, CSV and the trial log."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .space import PARAMS

#: Columns that describe where and how fast a trial ran: everything else is deterministic.
RUN_COLUMNS = ("seconds", "worker", "pid", "host")
COLUMNS = ("rank", "trial", "status", "val_acc", "val_loss", "train_acc", "best_epoch",
           "epochs_run", *PARAMS, "seed", *RUN_COLUMNS)
SETTINGS_FILE, TRIALS_FILE = "search.json", "trials.jsonl"
RESULTS_CSV, RESULTS_JSON, PLOT_FILE, BEST_DIR = (
    "results.csv", "results.json", "search.png", "best")


def _rank_key(row: Mapping[str, Any]) -> tuple:
    ok = row.get("status") == "ok" and row.get("val_acc") is not None
    if row.get("task") == "regression":  # lower validation loss first
        return (not ok, row["val_loss"] if ok else 0.0, row["trial"])
    return (not ok, -(row["val_acc"] or 0.0) if ok else 0.0,
            row["val_loss"] if ok else 0.0, row["trial"])


def ranked(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows sorted by validation accuracy (then loss, then trial number), with ``rank``;
    regression trials (``task == "regression"``, val_acc holding R^2) by validation loss."""
    out = [dict(r) for r in sorted(rows, key=_rank_key)]
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out


def deterministic(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows without the columns that depend on where/how fast trials ran."""
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in rows]


def read_trials(path: str | Path) -> list[dict[str, Any]]:
    """The finished trials in a ``trials.jsonl`` file (a torn last line is skipped)."""
    path = Path(path)
    rows: dict[int, dict[str, Any]] = {}
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
        if isinstance(row, dict) and isinstance(row.get("trial"), int):
            rows[row["trial"]] = row
    return [rows[i] for i in sorted(rows)]


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def _hidden_text(hidden: Sequence[int]) -> str:
    return ",".join(str(h) for h in hidden)


def _layers_text(row: Mapping[str, Any]) -> str:
    """A hidden block's layers in brief: ``relu``, ``tanh drop0.2 batch``."""
    text = str(row.get("activation") or "relu")
    if row.get("dropout"):
        text += f" drop{row['dropout']:g}"
    if row.get("normalization"):
        text += f" {row['normalization']}"
    return text


def format_table(rows: Sequence[Mapping[str, Any]], limit: int | None = None) -> str:
    """The ranked rows as a text table (``limit``: at most that many rows)."""
    head = (f"{'rank':>4} {'trial':>5} {'val acc':>8} {'val loss':>8} {'hidden':<12} "
            f"{'lr':>9} {'reg':>9} {'batch':>5} {'optimizer':<9} {'layers':<16} {'epochs':>6} "
            f"{'best':>4} "
            f"{'time':>6}  worker")
    lines = [head, "-" * len(head)]
    shown = rows if limit is None else rows[:limit]
    for r in shown:
        acc = f"{100 * r['val_acc']:.2f}%" if r.get("val_acc") is not None else r["status"][:8]
        if r.get("task") == "regression" and r.get("val_acc") is not None:
            acc = f"R2 {r['val_acc']:.3f}"  # a regression's val_acc holds R^2
        lines.append(
            f"{r['rank']:>4} {r['trial']:>5} {acc:>8} {_fmt(r.get('val_loss'), '.4f'):>8} "
            f"{_hidden_text(r['hidden']):<12} {r['lr']:>9.3g} {r['reg']:>9.3g} "
            f"{r['batch_size']:>5} {r['optimizer']:<9} {_layers_text(r):<16} {r['epochs']:>6} "
            f"{_fmt(r.get('best_epoch')):>4} {r['seconds']:>5.1f}s  {r['worker']}"
        )
    if limit is not None and len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows in {RESULTS_CSV}")
    return "\n".join(lines)


def _csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({**{k: ("" if v is None else v) for k, v in r.items()},
                         "hidden": _hidden_text(r["hidden"])})
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
    """Append-only trials.jsonl: each finished trial is on disk before the next is awaited."""

    def __init__(self, path: Path) -> None:
        repair_torn_line(path)
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())

    def append(self, row: Mapping[str, Any]) -> None:
        self.fh.write(json.dumps(row, sort_keys=True) + "\n")
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.fh.close()
