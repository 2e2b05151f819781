"""Reports: the kit (:mod:`.kit`: loss, score, confusion, weight and search plots and
``report.html``, matplotlib's object API) and the regression panels
(:mod:`.regression`). Each task draws its report from these
(:meth:`numpynn.tasks.Task.write_report`)."""

from .kit import (
    accuracy_figure,
    confusion_figure,
    loss_figure,
    plot_accuracy,
    plot_confusion,
    plot_first_layer_weights,
    plot_loss,
    plot_search,
    write_report,
)

__all__ = ["accuracy_figure", "confusion_figure", "loss_figure", "plot_accuracy",
           "plot_confusion", "plot_first_layer_weights", "plot_loss", "plot_search",
           "write_report"]
