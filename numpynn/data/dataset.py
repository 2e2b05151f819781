"""The :class:`Dataset` container that every data source returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .table import TableRecipe


@dataclass
class Dataset:
    """Raw arrays of one data set, as read from its source (not preprocessed).

    Attributes:
        X: (N, D) features. float64 for ``digits``, CSV and NPZ tables; **float32** for
            ``cifar10``, ``mnist`` and NPZ images (their full size would need 1.2 GB as
            float64).
            Images are flattened row-major in ``image_shape`` order, so
            ``X.reshape(N, *image_shape)`` gives the images back; pixel values are as
            stored in the file (0..255 for images, 0..16 for digits).
        y: (N,) int64 class indices in 0..C-1, a regression's float64 targets (N,) or
            (N, K) (CSV and NPZ), or None when the source has no labels.
        classes: (C,) original label values (ints or strings); ``classes[y]`` gives
            the original labels.
        name: "digits", "cifar10", "mnist", "fashion-mnist", or the file name of a CSV/NPZ
            file.
        image_shape: (8, 8) for digits, (28, 28) for MNIST, (32, 32, 3) for CIFAR-10
            (height, width, channels), an NPZ's image arrays' (H, W) or (H, W, C), None for
            CSV files and NPZ tables.
        X_test: (N_test, D) predefined test split (CIFAR ``test_batch``, MNIST
            ``t10k``, an NPZ's ``x_test``) with the same dtype as ``X``, else None.
        y_test: the labels of ``X_test`` as ``y`` holds them, else None.
        class_names: human-readable name of each class (CIFAR-10 ``batches.meta``),
            else None.
        table: CSV files: how the file was read (:class:`~numpynn.data.table.TableRecipe`,
            not yet fitted: its categories are the whole file's); X's categorical columns
            hold codes into them and NaN marks missing cells. None for other sources.
        notes: what the reader decided on its own that the user should hear of (e.g. a
            column of row numbers left out of the features), one sentence each.
        ids: (N,) the cells of a CSV's ``id_column`` as written, to carry to the output
            of ``predict``; None when none was asked for.
        blank_rows: where a CSV's rows of empty cells only (``,,,``) stood among or after
            its rows, as positions in X: i is before X's row i (N: after the last), one
            entry per such row, in order; ``predict`` writes an empty prediction there,
            so that its output keeps one row per row of the file. Empty for other sources.
        image_reader: image files: how they were read
            (:data:`numpynn.data.image_folder.IMAGE_READER`), recorded with a model so
            that it reads new images alike; None for other sources.
    """

    X: np.ndarray
    y: np.ndarray | None
    classes: np.ndarray
    name: str
    image_shape: tuple[int, ...] | None = None
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    class_names: list[str] | None = None
    table: TableRecipe | None = None
    notes: list[str] = field(default_factory=list)
    ids: list[str] | None = None
    blank_rows: list[int] = field(default_factory=list)
    image_reader: int | None = None

    @property
    def n_examples(self) -> int:
        """Number of rows N of ``X``."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of features D per example (columns of ``X``)."""
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes C (length of ``classes``)."""
        return int(len(self.classes))
