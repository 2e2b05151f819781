"""Reports: the run report (:mod:`.page`: ``report.html`` and its SVG figures drawn by
:mod:`.charts`, no matplotlib) and matplotlib figures for notebooks and a user's own plots
(:mod:`.kit`: loss, score, confusion, weight and search plots; :mod:`.regression`).

The names below are imported on first use (PEP 562): importing this package, or writing a
run's report, loads no matplotlib; using one of the ``plot_*``/``*_figure`` functions does.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: public name -> the module that defines it
_PUBLIC: dict[str, str] = {
    "accuracy_figure": ".kit",
    "confusion_figure": ".kit",
    "loss_figure": ".kit",
    "plot_accuracy": ".kit",
    "plot_confusion": ".kit",
    "plot_first_layer_weights": ".kit",
    "plot_loss": ".kit",
    "plot_search": ".kit",
    "write_report": ".page",
    "write_regression_report": ".page",
}

__all__ = ["accuracy_figure", "confusion_figure", "loss_figure", "plot_accuracy",
           "plot_confusion", "plot_first_layer_weights", "plot_loss", "plot_search",
           "write_regression_report", "write_report"]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


if TYPE_CHECKING:
    from .kit import (
        accuracy_figure,
        confusion_figure,
        loss_figure,
        plot_accuracy,
        plot_confusion,
        plot_first_layer_weights,
        plot_loss,
        plot_search,
    )
    from .page import write_regression_report, write_report
