"""A data spec, parsed once: what kind of source it names, its path, the files it reads,
its absolute form.

Every command, the search, the run metadata and the output-clash check read a spec
through :class:`DataSpec`, so that ``fashion-mnist:DIR``, ``~/x.tsv`` or UCI's
``adult.data`` mean the same thing to all of them.

The forms (:data:`SPEC_FORMS`): a bundled or cached data set by name (``digits``;
``mnist``, ``fashion-mnist``, ``cifar10``); a directory of one (``cifar10:DIR``,
``cifar100:DIR``, ``mnist:DIR``, ``fashion-mnist:DIR``); a folder of images, one
subfolder per class (``DIR`` or ``images:DIR``); a CSV file (``.csv``, ``.tsv``,
either compressed: ``.csv.gz``, ``.csv.bz2``, ``.csv.xz``, ``.csv.zip``; a ``.zip`` of one
table; or an existing text file with another ending: ``.txt``, ``.data``...); an ``.npz``
file.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .csv_file import UTF16_BOMS
from .formats import OTHER_FORMATS
from .image_folder import is_image, looks_like_image_folder

SPEC_FORMS = (
    "'digits' (bundled with scikit-learn)",
    "'mnist', 'fashion-mnist', 'cifar10' (downloaded once into the cache)",
    "'cifar10:DIR' (CIFAR-10 python or binary batches)",
    "'cifar100:DIR' (CIFAR-100's python version: train, test, meta)",
    "'mnist:DIR' or 'fashion-mnist:DIR' (IDX files)",
    "'PATH.csv' (or .csv.gz/.bz2/.xz/.zip, .tsv, a .zip of one table, or another text "
    "table such as UCI's .data)",
    "'PATH.npz' (arrays X and y)",
    "'DIR' or 'images:DIR' (image files, one subfolder per class: DIR/CLASS/IMAGE.png)",
)

def _looks_like_text(path: str) -> bool:
    """Whether the file's first 64 KiB are UTF-8 text with no NUL byte, or UTF-16 text
    that starts with its byte-order mark (Excel's "Unicode Text" export)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return False
    utf16 = head[:2] in UTF16_BOMS
    if b"\0" in head and not utf16:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8")().decode(
            head, final=False)
    except UnicodeDecodeError:
        return False
    return "\0" not in text

#: the data sets a spec names without a path
NAMES = ("digits", "mnist", "fashion-mnist", "cifar10")
#: the data sets a spec names with a directory: ``NAME:DIR``
DIRECTORY_SOURCES = ("cifar10", "cifar100", "mnist", "fashion-mnist", "images")
#: compressed as pandas' ``to_csv`` writes by the ending (and Kaggle's downloads: a zip
#: of one table); the reader tells the compression by the file's first bytes
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zip")
CSV_SUFFIXES = (".csv", ".tsv", *(f"{table}{c}" for table in (".csv", ".tsv")
                                  for c in COMPRESSED_SUFFIXES), ".zip")
#: an ``.npz`` archive, or a gzip, bz2 or xz copy of one (the reader tells by its bytes)
NPZ_SUFFIXES = (".npz", ".npz.gz", ".npz.bz2", ".npz.xz")
#: a data set's own defaults, used where the user left the option unset (they take
#: precedence over its task's): what works for its images, measured on the data set
#: (benchmarks/RESULTS.md, "Real MNIST"); the others have none measured yet
SOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    # pixels divided by 255 (not standardised one by one: a border pixel that is almost
    # always 0 is blown up to noise), 800 ReLU units as scikit-learn's reference MLP,
    # dropout 0.3, batch 128, 50 epochs of a cosine learning rate run to the end (patience
    # 50), each training image shifted by up to 2 pixels (random translations, a fresh
    # draw per batch); the epoch of the best validation accuracy (6,000 rows) kept: 99.00%
    # on t10k (98.54% without the shifts), against 98.51% for scikit-learn's
    # MLPClassifier(800) on the same rows
    "mnist": {"preprocessing": "scale", "hidden": [800], "dropout": 0.3, "batch_size": 128,
              "epochs": 50, "schedule": "cosine", "patience": 50, "augment": "shift:2"},
}


@dataclass(frozen=True)
class DataSpec:
    """One data spec.

    text: as given; source: "digits", "mnist", "fashion-mnist", "cifar10", "csv", "npz",
    or "unknown" (a missing file with an ending numpynn does not read, a misspelt name:
    loading says what is wrong); path: the file or directory it reads (``~`` expanded;
    None for a name).
    """

    text: str
    source: str
    path: str | None

    @classmethod
    def parse(cls, spec: str | os.PathLike[str]) -> DataSpec:
        """The spec's kind and path, without reading any file (but for telling a text
        file with an unusual ending from other files)."""
        text = os.fspath(spec)
        lower = text.lower()
        for source in DIRECTORY_SOURCES:
            if lower.startswith(f"{source}:"):
                return cls(text, source, os.path.expanduser(text[len(source) + 1:]))
        if lower in NAMES:
            return cls(text, lower, None)
        path = os.path.expanduser(text)
        if lower.endswith(CSV_SUFFIXES):
            return cls(text, "csv", path)
        if lower.endswith(NPZ_SUFFIXES):
            return cls(text, "npz", path)
        if not lower.endswith(tuple(e for endings in OTHER_FORMATS for e in endings)) and (
                os.path.isfile(path) and _looks_like_text(path)):
            return cls(text, "csv", path)  # UCI's adult.data, a .txt, a file with no ending
        if os.path.isdir(path) and looks_like_image_folder(path):
            return cls(text, "images", path)  # DIR/CLASS/IMAGE: images:DIR said on its own
        if os.path.isfile(path) and is_image(Path(path)):
            return cls(text, "images", path)  # one image, to predict
        return cls(text, "unknown", path)

    @property
    def defaults(self) -> dict[str, Any]:
        """The data set's own option defaults (:data:`SOURCE_DEFAULTS`; {} for a file)."""
        return {k: (list(v) if isinstance(v, list) else v)
                for k, v in SOURCE_DEFAULTS.get(self.source, {}).items()}

    @property
    def is_named(self) -> bool:
        """A data set named without a path (read from the package or the cache)."""
        return self.path is None

    @property
    def prefix(self) -> str:
        """``"cifar10:"`` for a directory spec, else ``""``."""
        return f"{self.source}:" if self.source in DIRECTORY_SOURCES and self.path is not None \
            else ""

    def expanded(self) -> str:
        """The spec with ``~`` expanded in its path."""
        return self.text if self.path is None else self.prefix + self.path

    def absolute(self, base: str | None = None) -> str:
        """The spec with its path made absolute against ``base`` (default: the current
        directory), so that it reads the same files from anywhere; names unchanged."""
        if self.path is None or not self.path:
            return self.text
        path = self.path if os.path.isabs(self.path) else os.path.join(
            base if base is not None else os.getcwd(), self.path)
        return self.prefix + os.path.normpath(path)

    def inputs(self) -> list[str]:
        """The paths the spec reads, which no output may replace: its file, or its
        directory (every file in it); none for a named data set."""
        return [] if not self.path else [self.path]

    def same_data(self, other: str | os.PathLike[str] | DataSpec) -> bool:
        """Whether ``other`` names the same data: the same name, or the same file or
        directory however its path is spelt (relative, absolute, ``~``, a link)."""
        other = other if isinstance(other, DataSpec) else DataSpec.parse(other)
        if self.path is None or other.path is None:
            return self.text.lower() == other.text.lower() and self.path == other.path
        if self.source != other.source and "unknown" not in (self.source, other.source):
            return False
        try:
            return os.path.samefile(self.path, other.path)
        except OSError:
            return os.path.abspath(self.path) == os.path.abspath(other.path)
