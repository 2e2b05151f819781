"""The tables of ``benchmarks/tables.py`` written the ways users write CSV files, read by
``numpynn train`` / ``evaluate`` / ``predict``: does every variant read as the plain file
does (same feature columns, same text columns, about the same score), and does every
command answer without a traceback?

Variants of train.csv / test.csv (one split, seed 0):

* ``plain``: ``to_csv(index=False)``; ``index``: ``to_csv()`` (pandas' index first);
  ``semicolon``: ``sep=";", decimal=","``; ``tsv``: ``sep="\\t"``; ``na_NA``, ``na_q``,
  ``na_excel``: missing cells written ``NA``, ``?``, ``#N/A``; ``quote_all``: every cell
  quoted; ``bom_crlf``: a UTF-8 byte-order mark and Windows line ends.

For each: the label check (no ``--label-column``), then ``train --label-column L --epochs
E`` and ``evaluate``; the recipe (label, features, text columns) is compared with the
plain file's. Then ``predict`` with the plain model on test.csv with the label, without it,
and with an extra ID column (``--id-column``).

    python benchmarks/table_habits.py --panel unseen --epochs 20
    python benchmarks/table_habits.py --tables icu,cpu --json habits.json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tables import PANELS, Table, _cli, label_check, load_frame, split  # noqa: E402

VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {"index": False},
    "index": {},
    "semicolon": {"index": False, "sep": ";", "decimal": ","},
    "tsv": {"index": False, "sep": "\t"},
    "na_NA": {"index": False, "na_rep": "NA"},
    "na_q": {"index": False, "na_rep": "?"},
    "na_excel": {"index": False, "na_rep": "#N/A"},
    "quote_all": {"index": False, "quoting": csv.QUOTE_ALL},
    "bom_crlf": {"index": False, "encoding": "utf-8-sig", "lineterminator": "\r\n"},
}


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        return "TRACEBACK: " + lines[-1]
    return lines[-1] if lines else ""


def recipe_of(run: Path) -> dict[str, Any]:
    from numpynn.model_file import load_model

    recipe = load_model(run / "model.npz").recipe
    names = recipe.feature_names or []
    return {"label": recipe.label_name, "features": names,
            "text": sorted(names[j] for j in recipe.categorical),
            "ignored": [recipe.columns[p] for p in recipe.ignored] if recipe.columns else []}


def one_table(table: Table, epochs: int) -> dict[str, Any]:
    frame = load_frame(table)
    train, test = split(frame, table, 0)
    out: dict[str, Any] = {"table": table.name, "variants": {}, "predict": {}, "problems": []}
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        for variant, kwargs in VARIANTS.items():
            d = where / variant
            d.mkdir()
            tr, te = d / "train.csv", d / "test.csv"
            train.to_csv(tr, **kwargs)
            test.to_csv(te, **kwargs)
            row: dict[str, Any] = {}
            try:
                row["label_check"] = label_check(table, tr, d)
            except Exception:  # noqa: BLE001
                row["label_check"] = "TRACEBACK: " + traceback.format_exc().splitlines()[-1]
            code, _, err = _cli("train", "--data", str(tr), "--label-column", table.label,
                                "--out", str(d / "run"), "--quiet", "--no-report",
                                "--epochs", str(epochs))
            row["train_rc"] = code
            if code != 0:
                row["train_err"] = first_line(err)
            else:
                row["recipe"] = recipe_of(d / "run")
                code, outp, err = _cli("evaluate", str(d / "run"), "--data", str(te),
                                       "--split", "all", "--json")
                if code != 0:
                    row["evaluate_err"] = first_line(err)
                else:
                    res = json.loads(outp)
                    row["score"] = res.get("r2", res.get("balanced_accuracy"
                                                         if table.balanced else "accuracy"))
            out["variants"][variant] = row
        plain = out["variants"]["plain"]
        for variant, row in out["variants"].items():
            if "TRACEBACK" in str(row.get("label_check")) or "WRONG" in str(
                    row.get("label_check")):
                out["problems"].append(f"{variant}: label check {row['label_check']}")
            if row["train_rc"] != 0:
                out["problems"].append(f"{variant}: train refused: {row['train_err']}")
                continue
            if "evaluate_err" in row:
                out["problems"].append(f"{variant}: evaluate: {row['evaluate_err']}")
            if variant != "plain" and "recipe" in plain:
                a, b = plain["recipe"], row["recipe"]
                for key in ("label", "features", "text"):
                    if a[key] != b[key]:
                        out["problems"].append(f"{variant}: {key} differ: plain {a[key]} vs "
                                               f"{b[key]}")
                if ("score" in row and "score" in plain
                        and abs(row["score"] - plain["score"]) > 0.03):
                    out["problems"].append(f"{variant}: score {row['score']:.3f} vs plain "
                                           f"{plain['score']:.3f}")
        # predict with the plain model
        if plain["train_rc"] == 0:
            run = str(where / "plain" / "run")
            nolabel = where / "test_nolabel.csv"
            test.drop(columns=[table.label]).to_csv(nolabel, index=False)
            with_id = where / "test_id.csv"
            t2 = test.copy()
            t2.insert(0, "row_id", [f"r{i:05d}" for i in range(len(t2))])
            t2.to_csv(with_id, index=False)
            cases = {
                "with_label": ("--data", str(where / "plain" / "test.csv")),
                "no_label": ("--data", str(nolabel)),
                "id_column": ("--data", str(with_id), "--id-column", "row_id"),
                "index_file": ("--data", str(where / "index" / "test.csv")),
                "semicolon_file": ("--data", str(where / "semicolon" / "test.csv")),
                "na_q_file": ("--data", str(where / "na_q" / "test.csv")),
            }
            preds = {}
            for name, argv in cases.items():
                code, outp, err = _cli("predict", run, *argv)
                if code != 0:
                    out["predict"][name] = first_line(err)
                    out["problems"].append(f"predict {name}: {first_line(err)}")
                else:
                    lines = outp.strip().splitlines()
                    preds[name] = [line.split(",")[-1] for line in lines[1:]]
                    out["predict"][name] = f"ok {len(lines) - 1} rows, header {lines[0]!r}"
                    if len(lines) - 1 != len(test):
                        out["problems"].append(f"predict {name}: {len(lines) - 1} rows, "
                                               f"expected {len(test)}")
            base = preds.get("with_label")
            for name, p in preds.items():
                if base is not None and p != base:
                    diff = sum(x != y for x, y in zip(p, base))
                    out["problems"].append(f"predict {name}: {diff} predictions differ "
                                           "from the plain file's")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", choices=sorted(PANELS), default="unseen")
    parser.add_argument("--tables", help="comma-separated table names (default: all)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    panel = PANELS[args.panel]
    names = args.tables.split(",") if args.tables else [t.name for t in panel]
    results = []
    for table in [t for t in panel if t.name in names]:
        try:
            r = one_table(table, args.epochs)
        except Exception:  # noqa: BLE001
            r = {"table": table.name, "problems": ["DRIVER: " + traceback.format_exc()]}
        results.append(r)
        labels = {v: row.get("label_check") for v, row in r.get("variants", {}).items()}
        scores = {v: round(row["score"], 3) for v, row in r.get("variants", {}).items()
                  if "score" in row}
        print(f"== {table.name}: label checks {labels}; scores {scores}", flush=True)
        for p in r["problems"]:
            print(f"   PROBLEM {p}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
