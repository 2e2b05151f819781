"""Progress bar for training (tqdm), as a :class:`numpynn.training.trainer.Callback`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from .training.scores import PERCENT_SCORES, score_label
from .training.trainer import Callback, Trainer

if TYPE_CHECKING:
    from tqdm.auto import tqdm


class ProgressBar(Callback):
    """One bar over all steps of a run, with epoch, loss and accuracies.

    enabled: None shows the bar only when ``file`` is a terminal; False never shows it.
    """

    def __init__(self, enabled: bool | None = None, file: TextIO | None = None) -> None:
        self.enabled = enabled
        self.file = file if file is not None else sys.stderr
        self.bar: tqdm | None = None

    def on_train_begin(self, trainer: Trainer) -> None:
        n = trainer.X_train.shape[0]
        steps_per_epoch = -(-n // trainer.config.batch_size)
        from tqdm.auto import tqdm  # when a bar is drawn: a piped or quiet run never is

        self.bar = tqdm(
            total=steps_per_epoch * trainer.config.epochs,
            initial=steps_per_epoch * trainer.epoch,
            unit="step",
            file=self.file,
            disable=False if self.enabled else None if self.enabled is None else True,
            dynamic_ncols=True,
            leave=True,
        )

    def on_step_end(self, trainer: Trainer, loss: float) -> None:
        assert self.bar is not None
        self.bar.update(1)
        if trainer.step_count % 20 == 0:
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None:
        assert self.bar is not None
        h = trainer.history
        self.bar.set_description(f"epoch {epoch}/{trainer.config.epochs}")
        score = "acc" if h.score_name == "accuracy" else h.score_name
        shown = {"loss": f"{h.step_loss[-1]:.4f}", f"train_{score}": f"{h.train_score[-1]:.3f}"}
        if h.val_score:  # no validation data: no validation figure
            shown[f"val_{score}"] = f"{h.val_score[-1]:.3f}"
        self.bar.set_postfix(shown)

    def on_train_end(self, trainer: Trainer) -> None:
        if self.bar is not None:
            self.bar.close()


def score_text(score_name: str, value: float) -> str:
    """A score as printed: ``acc 97.50%``, ``R^2 0.8123``."""
    if score_name == "accuracy":
        return f"acc {value:.2%}"
    if score_name in PERCENT_SCORES:
        return f"{score_label(score_name)} {value:.2%}"
    return f"{score_label(score_name)} {value:.4f}"


class EpochLog(Callback):
    """One flushed line per finished epoch, like Keras' ``verbose=2``: the epoch, train
    and validation loss, validation accuracy (the training accuracy when there is no
    validation data) and the epoch's seconds; "(best)" marks a new kept epoch. For logs and pipes
    (``numpynn train ... | tee log``), where a progress bar would print nothing useful.
    """

    def __init__(self, file: TextIO | None = None) -> None:
        self.file = file

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None:
        h = trainer.history
        total = trainer.config.epochs
        line = f"epoch {epoch:>{len(str(total))}}/{total}  train loss {h.train_loss[-1]:.4f}"
        if trainer.X_val is not None:
            line += (f"  val loss {h.val_loss[-1]:.4f}  val "
                     f"{score_text(h.score_name, h.val_score[-1])}")
        else:  # no validation split: the training score, named as such
            line += f"  train {score_text(h.score_name, h.train_score[-1])}"
        line += f"  {h.seconds[-1]:.2f}s"
        if h.best_epoch == epoch and trainer.X_val is not None:
            line += "  (best)"
        print(line, file=self.file if self.file is not None else sys.stdout, flush=True)


def progress_callback(quiet: bool, stdout: TextIO | None = None,
                      stderr: TextIO | None = None) -> Callback | None:
    """The per-epoch output that suits where it goes: a bar (on stderr) when stdout and
    stderr are both terminals; else :class:`EpochLog` lines on stdout; None when quiet."""
    if quiet:
        return None
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    if _isatty(out) and _isatty(err):
        return ProgressBar(enabled=True, file=err)
    return EpochLog(out)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
