"""``report.html``: a run's report, led by what a person looks at.

The page, top to bottom:

1. the title and one line: the score on the held-out rows and the kept epoch;
2. the figures side by side (loss, score per epoch, then the confusion matrix or the
   predicted-vs-true and residual plots; the first-layer weights for image data), each
   captioned with the rows it was computed on;
3. the per-class table (precision, recall, F1, support), the metrics per split and the
   rows per split;
4. the details and the full configuration, folded away in a ``<details>`` element.

The figures are SVG files drawn by :mod:`.charts` (the weights a PNG, :mod:`.png`), so
writing a report imports no matplotlib. The page has no scripts and no external
resources; images are referenced by relative file name. The files are renamed into place
without an fsync (``durable=False``): they are drawn from the model and history, which
are fsynced.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model_file import atomic_write, write_text_atomic
from ..training.scores import score_label
from . import charts
from .png import png_bytes, weights_grid

__all__ = ["ReportFigure", "write_regression_report", "write_report"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1em auto;
       max-width: 84em; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.5em; margin: .2em 0; border-bottom: 2px solid #ddd; padding-bottom: .2em; }
p.lead { margin: .3em 0 .6em; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(24em, 1fr));
         gap: .8em; align-items: start; }
figure { margin: 0; }
figcaption { font-size: .85em; color: #555; }
img { width: 100%; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: .3em .8em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #f3f3f3; }
details { margin: 1em 0 2em; }
summary { cursor: pointer; font-weight: 600; }
"""


@dataclass(frozen=True)
class ReportFigure:
    """One figure of the page: its file name, heading, the alt text and the caption that
    says which rows it was drawn from; ``write(path)`` writes the file."""

    name: str
    heading: str
    alt: str
    caption: str
    write: Callable[[Path], object]


def _svg_file(text: str) -> Callable[[Path], object]:
    return lambda path: write_text_atomic(path, text, durable=False)


def _rows(n: int | None, split: str) -> str:
    return f"the {n:,} {split} row{'s' if n != 1 else ''}" if n is not None else f"the {split} rows"


def _format_metric(name: str, value: object) -> str:
    if value is None:
        return "–"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return str(number)
    lowered = name.lower()
    if "acc" in lowered:
        return f"{100 * number:.2f}%"
    if "loss" in lowered:
        return f"{number:.4f}"
    return f"{number:.4g}"


def _format_detail(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if isinstance(value, list | tuple):
        return ", ".join(_format_detail(v) for v in value)
    return str(value)


def metrics_table(metrics: Mapping[str, Mapping[str, float]]) -> list[str]:
    """A table of {split: {metric: value}}: one row per split, one column per metric."""
    columns: list[str] = []
    for row in metrics.values():
        for name in row:
            if name not in columns:
                columns.append(name)
    lines = ['<table class="metrics">', "<thead><tr><th>split</th>"]
    lines += [f"<th>{html.escape(str(c))}</th>" for c in columns]
    lines.append("</tr></thead><tbody>")
    for split, row in metrics.items():
        cells = "".join(
            f'<td class="num">{html.escape(_format_metric(str(c), row.get(c)))}</td>'
            for c in columns)
        lines.append(f"<tr><th>{html.escape(str(split))}</th>{cells}</tr>")
    lines.append("</tbody></table>")
    return lines


def per_class_table(ev: object, class_names: Sequence[str] | None) -> list[str]:
    """Rows of precision, recall, F1 and support per class (an Evaluation's (C,) arrays)."""
    columns = ("precision", "recall", "f1", "support")
    values = [np.asarray(getattr(ev, c), dtype=np.float64).reshape(-1) for c in columns]
    n = values[0].size
    names = list(class_names) if class_names is not None and len(class_names) == n else [
        str(i) for i in range(n)]
    lines = ['<table class="per-class">', "<thead><tr><th>class</th>"
             + "".join(f"<th>{c}</th>" for c in columns) + "</tr></thead><tbody>"]
    for i in range(n):
        cells = "".join(f'<td class="num">{v[i]:.3f}</td>' for v in values[:3])
        cells += f'<td class="num">{int(values[3][i])}</td>'
        lines.append(f"<tr><th>{html.escape(str(names[i]))}</th>{cells}</tr>")
    lines.append("</tbody></table>")
    return lines


def _cell(name: str, value: object) -> str:
    """An integer (a seed, an epoch) as it is; other values as :func:`_format_metric`."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(value)
    return _format_metric(name, value)


def rows_table(rows: Sequence[Mapping[str, object]], css_class: str) -> list[str]:
    """A table of ``rows`` ({column: value}, columns in first-seen order): the first
    column as row headings, the other cells as :func:`_cell` writes them."""
    columns: list[str] = []
    for row in rows:
        columns += [str(c) for c in row if str(c) not in columns]
    esc = html.escape
    lines = [f'<table class="{css_class}"><thead><tr>'
             + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr></thead><tbody>"]
    for row in rows:
        head, *rest = columns
        cells = "".join(f'<td class="num">{esc(_cell(c, row.get(c)))}</td>' for c in rest)
        lines.append(f"<tr><th>{esc(str(row.get(head)))}</th>{cells}</tr>")
    lines.append("</tbody></table>")
    return lines


def key_value_table(items: Iterable[tuple[object, object]], css_class: str) -> list[str]:
    """A two-column table of (key, value) rows."""
    esc = html.escape
    return ([f'<table class="{css_class}"><tbody>']
            + [f"<tr><th>{esc(str(key))}</th><td>{esc(_format_detail(value))}</td></tr>"
               for key, value in items]
            + ["</tbody></table>"])


def splits_table(sizes: Mapping[str, int]) -> list[str]:
    """Rows per split."""
    esc = html.escape
    return (['<table class="splits"><thead><tr><th>split</th><th>rows</th></tr>'
             "</thead><tbody>"]
            + [f'<tr><th>{esc(str(k))}</th><td class="num">{int(v):,}</td></tr>'
               for k, v in sizes.items()]
            + ["</tbody></table>"])


def flatten(config: Mapping[str, object], prefix: str = "") -> list[tuple[str, object]]:
    """{"a": 1, "train": {"lr": 0.1}} -> [("a", 1), ("train.lr", 0.1)]."""
    items: list[tuple[str, object]] = []
    for key, value in config.items():
        if isinstance(value, Mapping) and value:
            items += flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _refit(history: object, sizes: Mapping[str, int] | None) -> bool:
    """Whether ``history`` is the selection fit of a refit: it has validation figures but
    the kept network's splits (``sizes``) have no validation rows (they were trained on)."""
    epochs = charts.epochs_of(history)
    has_val = (charts.per_epoch(history, "val_loss", epochs.size) is not None
               or charts.scores(history, epochs.size)[1] is not None)
    return has_val and sizes is not None and "val" in sizes and not sizes["val"]


def kept_summary(history: object, sizes: Mapping[str, int] | None = None) -> str:
    """"N epochs run; parameters kept from epoch B (rule)." with ``history.best_rule``,
    the rule that chose it (after a refit: the epoch count chosen, then the network
    trained again); '' for an empty history."""
    epochs = charts.epochs_of(history)
    if not epochs.size:
        return ""
    best = charts.best_epoch(history, epochs)
    rule = getattr(history, "best_rule", "") or ""
    summary = f"{epochs.size} epoch{'s' if epochs.size != 1 else ''} run"
    if best is not None and _refit(history, sizes):
        summary += (f" to choose the epoch count: {best}" + (f" ({rule})" if rule else "")
                    + f"; the kept network was then trained again on train + val for {best} "
                    f"epoch{'s' if best != 1 else ''}")
    elif best is not None:
        summary += f"; parameters kept from epoch {best}" + (f" ({rule})" if rule else "")
    return summary + "."


def curve_rows(history: object, sizes: Mapping[str, int] | None, what: str) -> str:
    """The caption of a per-epoch figure: which rows gave its train and validation
    curves. A history with validation figures but no validation rows in ``sizes`` is the
    selection fit of a refit (its network was then trained again on train + val)."""
    sizes = sizes or {}
    epochs = charts.epochs_of(history)
    has_val = (charts.per_epoch(history, "val_loss", epochs.size) is not None
               or charts.scores(history, epochs.size)[1] is not None)
    if _refit(history, sizes):
        return (f"{what}, of the fit that chose the epoch count: on its training rows and "
                "the validation rows it held out; the kept network was then trained again "
                "on train + val (see refit under Configuration).")
    text = f"{what}, on {_rows(sizes.get('train'), 'training')}"
    if has_val:
        return text + f"; validation curve: {_rows(sizes.get('val'), 'validation')}."
    return text + " (no validation rows, so no validation curve)."


def _start(title: object) -> list[str]:
    esc = html.escape
    return ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(str(title))}</title>", f"<style>{_CSS}</style>", "</head>",
            "<body>", f"<h1>{esc(str(title))}</h1>"]


def _figures(out: Path, figures: Sequence[ReportFigure]) -> list[str]:
    """Write each figure's file into ``out``; the page's grid of them."""
    esc = html.escape
    lines = ['<section class="plots">']
    for f in figures:
        f.write(out / f.name)
        lines += [f'<figure class="plot" id="{esc(Path(f.name).stem)}">',
                  f'<img src="{esc(f.name)}" alt="{esc(f.alt)}">',
                  f"<figcaption><b>{esc(f.heading)}</b>: {esc(f.caption)}</figcaption>",
                  "</figure>"]
    return lines + ["</section>"]


def _finish(out: Path, lines: list[str], details: Mapping[str, object] | None,
            configuration: Mapping[str, object] | None) -> Path:
    """Fold the details and configuration away at the end; write ``out``/report.html."""
    if details or configuration:
        lines += ['<details class="configuration">',
                  "<summary>Configuration and details of the run</summary>"]
        if details:
            lines.append("<h3>Details</h3>")
            lines += key_value_table(details.items(), "details")
        if configuration:
            lines.append("<h3>Options</h3>")
            lines += key_value_table(flatten(configuration), "configuration")
        lines.append("</details>")
    lines += ["</body>", "</html>", ""]
    report = out / "report.html"
    write_text_atomic(report, "\n".join(lines), durable=False)
    return report


#: the ``details`` entry a run writes when the saved model is not the network the
#: figures describe (the final fit on every row): the lead says it
SAVED_MODEL_DETAIL = "saved model"


def _lead(text: str, history: object, sizes: Mapping[str, int],
          details: Mapping[str, object] | None = None) -> list[str]:
    kept = kept_summary(history, sizes)
    saved = (details or {}).get(SAVED_MODEL_DETAIL)
    saved_text = f"The saved model was then {saved}." if saved else ""
    line = " ".join(t for t in (text, kept, saved_text) if t)
    return [f'<p class="lead">{html.escape(line)}</p>'] if line else []


def _curves(history: object, sizes: Mapping[str, int], loss_alt: str, loss_rows: str,
            score: tuple[str, str, str, bool]) -> list[ReportFigure]:
    """The loss and score curves of a run: ``score`` is (file, title, its name in the
    text, whether it is an accuracy, drawn in percent)."""
    both = "training and validation" if getattr(history, "val_loss", None) else "training"
    file, title, name, percent = score
    return [
        ReportFigure("loss.svg", "Loss", loss_alt, curve_rows(history, sizes, loss_rows),
                     _svg_file(charts.loss_chart(history).svg())),
        ReportFigure(file, title, f"{both} {name} per epoch",
                     curve_rows(history, sizes, "per epoch"),
                     _svg_file(charts.score_chart(history, percent, f"{title} per epoch",
                                                  name).svg())),
    ]


def write_report(
    out_dir: str | Path,
    history: object,
    *,
    metrics: Mapping[str, Mapping[str, float]],
    confusion: np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    W1: np.ndarray | None = None,
    image_shape: tuple[int, ...] | None = None,
    title: str = "numpynn training report",
    details: Mapping[str, object] | None = None,
    split_sizes: Mapping[str, int] | None = None,
    evaluation: object | None = None,
    configuration: Mapping[str, object] | None = None,
    members: Sequence[Mapping[str, object]] = (),
) -> Path:
    """Write the figures and ``report.html`` of a classification into ``out_dir``
    (created); return the HTML path.

    Always writes ``loss.svg`` and ``accuracy.svg``; ``confusion.svg`` when ``confusion``
    (C, C) of the test rows is given (class names default to "0".."C-1"); ``weights.png``
    when ``W1`` (D, H) and ``image_shape`` are given and ``prod(image_shape) == D``.

    ``metrics`` maps split names ("train", "val", "test") to {metric name: value};
    metrics whose name contains "acc" are fractions shown as percent with 2 decimals,
    those containing "loss" with 4 decimals. ``split_sizes`` maps split names to row
    counts (the captions name them); ``evaluation`` (a
    :class:`numpynn.evaluation.Evaluation` of the test rows: ``precision``, ``recall``,
    ``f1``, ``support`` (C,)) adds the per-class table; ``details`` (free key/value) and
    ``configuration`` (e.g. ``RunOptions.to_dict()``, nested dicts flattened as
    ``train.lr``) are folded away at the end. ``members``: an ensemble's spread (one row
    per member, then the ensemble's: {"model", "seed", "kept epoch", scores}), a table
    "Ensemble members" after the per-class one.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sizes = dict(split_sizes or {})
    both = "training and validation" if getattr(history, "val_loss", None) else "training"
    name = score_label(getattr(history, "score_name", "accuracy"))  # or balanced accuracy
    figures = _curves(history, sizes, f"{both} loss", "per minibatch step and per epoch",
                      ("accuracy.svg", name.capitalize(), name, True))
    lead = ""
    if confusion is not None:
        cm = np.asarray(confusion)
        names = (list(class_names) if class_names is not None
                 else [str(i) for i in range(cm.shape[0] if cm.ndim else 0)])
        svg = charts.confusion_svg(cm, names, "Confusion matrix (test)")
        test_rows = int(np.asarray(cm, dtype=np.float64).sum())
        figures.append(ReportFigure(
            "confusion.svg", "Confusion matrix", "confusion matrix on the test rows",
            f"{_rows(test_rows, 'test')}, held out from training; rows: true class, columns: "
            "predicted class.", _svg_file(svg)))
    if "test" in metrics and "accuracy" in metrics["test"]:
        n = sizes.get("test")
        lead = (f"Test accuracy {_format_metric('accuracy', metrics['test']['accuracy'])} on "
                f"{_rows(n, 'test')} (held out from training).")
    if W1 is not None and image_shape is not None:
        W = np.asarray(W1)
        if W.ndim == 2 and int(np.prod(image_shape)) == W.shape[0]:
            grid, n_units = weights_grid(W, tuple(image_shape))
            scale = max(1, 480 // max(grid.shape[:2]))
            shown = (f"the first {n_units} of {W.shape[1]} hidden units" if n_units < W.shape[1]
                     else f"all {n_units} hidden units")
            figures.append(ReportFigure(
                "weights.png", "First-layer weights", "first-layer weights shown as images",
                f"the input weights of {shown}, each scaled to its own range.",
                lambda path: atomic_write(path, lambda fh: fh.write(png_bytes(grid, scale)),
                                          durable=False)))

    lines = _start(title) + _lead(lead, history, sizes, details) + _figures(out, figures)
    if evaluation is not None:
        lines.append(f"<h2>Per class ({_rows(sizes.get('test'), 'test')})</h2>")
        lines += per_class_table(evaluation, class_names)
    if members:
        lines.append("<h2>Ensemble members</h2>")
        lines += rows_table(members, "members")
    if metrics:
        lines.append("<h2>Metrics</h2>")
        lines += metrics_table(metrics)
    if sizes:
        lines.append("<h2>Data splits</h2>")
        lines += splits_table(sizes)
    return _finish(out, lines, details, configuration)


def write_regression_report(
    out_dir: str | Path,
    history: object,
    metrics: Mapping[str, Mapping[str, float]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    split: str = "test",
    names: list[str] | None = None,
    title: str = "numpynn regression report",
    details: Mapping[str, object] | None = None,
    split_sizes: Mapping[str, int] | None = None,
    configuration: Mapping[str, object] | None = None,
) -> Path:
    """Write loss.svg, r2.svg, predicted_vs_true.svg, residuals.svg and report.html into
    ``out_dir``; ``y_true`` / ``y_pred`` (N, K) are the ``split`` rows in the targets'
    units (at most 4 outputs are drawn)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sizes = dict(split_sizes or {})
    has_val = bool(getattr(history, "val_loss", None))
    both = "training and validation" if has_val else "training"
    n = int(np.asarray(y_true).shape[0])
    word = "validation" if split == "val" else split
    rows = _rows(n, word)
    held = ", held out from training" if split == "test" else ""
    shown = f"{rows}{held}" if n else f"no {word} rows (the split is empty): nothing to draw"
    figures = _curves(history, sizes, f"{both} loss (scaled targets)",
                      "half squared error of the standardised targets",
                      ("r2.svg", "R²", "R²", False)) + [
        ReportFigure("predicted_vs_true.svg", f"Predicted vs true ({split})",
                     f"predicted against true values on the {word} rows",
                     f"{shown}; the dashed line is a perfect prediction." if n else shown + ".",
                     _svg_file(charts.scatter_panels(y_true, y_pred, names,
                                                     f"Predicted vs true ({split})"))),
        ReportFigure("residuals.svg", f"Residuals ({split})",
                     f"residuals against predictions on the {word} rows",
                     f"{shown}: true minus predicted against the prediction." if n
                     else shown + ".",
                     _svg_file(charts.residual_panels(y_true, y_pred, names,
                                                      f"Residuals ({split})"))),
    ]
    lead = ""
    if split in metrics and "r2" in metrics[split]:
        lead = f"{word.capitalize()} R² {_format_metric('r2', metrics[split]['r2'])} on {rows}."
    lines = _start(title) + _lead(lead, history, sizes, details) + _figures(out, figures)
    if metrics:
        lines.append("<h2>Metrics</h2>")
        lines.append("<p>R², RMSE and MAE in the targets' units; loss: half squared error "
                     "of the standardised targets.</p>")
        lines += metrics_table(metrics)
    if sizes:
        lines.append("<h2>Data splits</h2>")
        lines += splits_table(sizes)
    return _finish(out, lines, details, configuration)
