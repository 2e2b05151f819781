"""Progress bar for training (tqdm), as a :class:`numpynn.train.Callback`."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm.auto import tqdm

from .train import Callback, Trainer


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
        self.bar.set_postfix(loss=f"{h.step_loss[-1]:.4f}", train_acc=f"{h.train_acc[-1]:.3f}",
                             val_acc=f"{h.val_acc[-1]:.3f}")

    def on_train_end(self, trainer: Trainer) -> None:
        if self.bar is not None:
            self.bar.close()
