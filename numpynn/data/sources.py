"""``load_dataset(spec)``: pick the reader for a data-set spec string."""

from __future__ import annotations

import difflib
import glob as globmod
import gzip
import os
import re
import urllib.parse
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, in_memory_hint, shown
from ._files import dangling_link, directory_hint, join_recipe, shell_meant
from .cifar import load_cifar10, load_cifar100
from .csv_file import load_csv
from .dataset import Dataset
from .digits import digits_arrays
from .download import DATASETS, FASHION_CLASS_NAMES, download_dataset
from .formats import conversion_message
from .idx import _GZIP_MAGIC, IMAGES_MAGIC, LABELS_MAGIC, MNIST_FILES, load_mnist
from .image_folder import IMAGE_READER, load_image_folder
from .labels import encode_labels
from .npz_file import load_npz
from .spec import CSV_SUFFIXES, NAMES, OTHER_FORMATS, SPEC_FORMS, DataSpec

DATA_FILE_SUFFIXES = (*CSV_SUFFIXES, ".npz")
_NAMES = NAMES
_MAX_LISTED = 2000  # directory entries looked at for a suggestion


def suggest_spec(spec: str) -> str | None:
    """The valid data spec nearest to ``spec``, or None when nothing is close.

    Candidates: the built-in names (``digits``, ``mnist``, ...), the ``NAME:DIR`` forms
    (a misspelt prefix keeps its directory), and the data files (.csv, .csv.gz, .tsv,
    .npz) in the directory ``spec`` points into (the current one for a bare name),
    written as the user wrote the directory. Closeness is difflib's ratio (>= 0.6).
    """
    text = os.fspath(spec)
    head, sep, rest = text.partition(":")
    if sep and rest and len(head) > 1:  # "minst:DIR" (not a Windows drive letter)
        match = difflib.get_close_matches(head.lower(), _NAMES[1:], n=1, cutoff=0.6)
        if match:
            return f"{match[0]}:{rest}"
    candidates = {name: name for name in _NAMES}
    path = Path(text)
    folder = path.parent
    try:
        for i, entry in enumerate(os.scandir(folder)):
            if i >= _MAX_LISTED:
                break
            if entry.name.lower().endswith(DATA_FILE_SUFFIXES) and entry.is_file():
                shown = entry.name if folder == Path(".") else str(folder / entry.name)
                candidates.setdefault(entry.name.lower(), shown)
    except OSError:
        pass  # an unreadable or missing folder offers no files
    match = difflib.get_close_matches(path.name.lower(), list(candidates), n=1, cutoff=0.6)
    return candidates[match[0]] if match else None


def pattern_hint(text: str) -> str:
    """For a file pattern given as it is (``'*.csv'``: the shell expands it only outside
    quotes): what it matches and the line that joins those files; numpynn reads one."""
    matches = sorted(globmod.glob(os.path.expanduser(text)))
    if not matches:
        return ("it is a pattern, and no file matches it; numpynn reads one data file: "
                "give its path")
    shown = ", ".join(matches[:3]) + (f", ... ({len(matches)} files)" if len(matches) > 3
                                      else "")
    if len(matches) == 1:
        return f"it is a pattern (quoted, so the shell left it as it is): give the file, {shown}"
    return (f"it is a pattern that matches {shown}; numpynn reads one data file: give one, "
            f"or join them into one first: {join_recipe(matches, text)}")


def _missing_file_hint(text: str, what: str) -> None:
    """DataError naming the nearest data file when the file ``text`` does not exist."""
    if Path(text).exists():
        return
    if dangling_link(text):
        raise DataError(f"{what}: {dangling_link(text)}")
    if any(c in text for c in "*?["):  # a pattern the shell did not expand (quoted)
        raise DataError(f"{what} not found: {text}; {pattern_hint(text)}")
    if shell_meant(text) is not None:
        return  # the file of the shell's '..': require_file names it
    hint = suggest_spec(text)
    if hint is not None and hint != text:
        raise DataError(f"{what} not found: {text}; did you mean {hint}?")


def is_csv_spec(spec: str) -> bool:
    """Whether a data spec names a CSV file: .csv, .csv.gz, .tsv, .tsv.gz, or an existing
    text file with another ending (UCI's ``adult.data``, ``.txt``, ``.dat``, none)."""
    return DataSpec.parse(spec).source == "csv"


def is_npz_spec(spec: str) -> bool:
    """Whether a data spec names an ``.npz`` file."""
    return DataSpec.parse(spec).source == "npz"


def _other_format_error(text: str) -> DataError | None:
    """A clear refusal of an existing file in a format numpynn does not read."""
    lower = text.lower()
    for endings, (kind, how) in OTHER_FORMATS.items():
        if lower.endswith(endings) and os.path.isfile(os.path.expanduser(text)):
            return DataError(conversion_message(text, kind, how))
    return None


_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+)://(.*)")


def url_error(text: str, what: str = "`data` ") -> str | None:
    """The refusal of a URL given as the data (``what``: how the message names it):
    numpynn reads files on disk; a ``file://`` URL names its path, another says to fetch
    the file first. None for anything else."""
    match = _URL.fullmatch(text.strip())
    if match is None:
        return None
    scheme = match.group(1).lower()
    if scheme == "file":
        path = urllib.parse.unquote(urllib.parse.urlparse(text.strip()).path)
        return f"{what}{text} is a file:// URL; give the file's path instead: {path}"
    name = os.path.basename(urllib.parse.urlparse(text.strip()).path) or "data.csv"
    fetch = (f"download it first (e.g. curl -LO {text})" if scheme in ("http", "https", "ftp")
             else "copy it to a local file first")
    return (f"{what}{text} is a {scheme}:// URL; numpynn reads files on disk: {fetch} and "
            f"give that file ({name})")


def _idx_file_error(text: str) -> DataError | None:
    """One IDX file (MNIST's format, gzip-compressed or not) given as the data: which
    directory spec reads it with its three companions; None for any other file."""
    path = Path(os.path.expanduser(text))
    try:
        with open(path, "rb") as fh:
            start = fh.read(4)
            if start[:2] == _GZIP_MAGIC:
                fh.seek(0)
                start = gzip.GzipFile(fileobj=fh).read(4)
    except (OSError, EOFError, zlib.error):
        return None
    if len(start) < 4 or int.from_bytes(start, "big") not in (IMAGES_MAGIC, LABELS_MAGIC):
        return None
    folder = str(path.parent) if str(path.parent) not in ("", ".") else "."
    *first, last = MNIST_FILES.values()
    return DataError(f"{text} is an IDX file (MNIST's format), one of a set of four; give the "
                     f"directory that holds them: --data mnist:{folder} (or "
                     f"fashion-mnist:{folder}): {', '.join(first)} and {last}, each may end "
                     "in .gz")


def load_digits(*, classes: Sequence[object] | np.ndarray | None = None) -> Dataset:
    """The 8x8 digits bundled with scikit-learn: X (1797, 64) float64 values 0..16 (read
    without importing scikit-learn: :func:`numpynn.data.digits.digits_arrays`)."""
    X, target = digits_arrays()
    y, known = encode_labels(target, classes, source="digits")
    return Dataset(
        X=X,
        y=y,
        classes=known,
        name="digits",
        image_shape=(8, 8),
    )


def load_fashion_mnist(
    directory: str | os.PathLike[str],
    *,
    classes: Sequence[object] | np.ndarray | None = None,
) -> Dataset:
    """Fashion-MNIST from its IDX files: :func:`load_mnist` with the clothing class names.

    Returns:
        Dataset named "fashion-mnist", X (N, 784) float32, class_names "T-shirt/top",
        "Trouser", ... when the classes are 0..9.
    """
    ds = load_mnist(directory, classes=classes)
    names = (FASHION_CLASS_NAMES if np.array_equal(np.asarray(ds.classes), np.arange(10))
             else None)
    return replace(ds, name="fashion-mnist", class_names=names)


_DIRECTORY_LOADERS = {"cifar10": load_cifar10, "cifar100": load_cifar100,
                      "mnist": load_mnist, "fashion-mnist": load_fashion_mnist}
_DOWNLOAD_LOADERS = {"cifar10": load_cifar10, "mnist": load_mnist,
                     "fashion-mnist": load_fashion_mnist}


def load_dataset(
    spec: str | os.PathLike[str],
    *,
    label_column: int | str | None = -1,
    classes: Sequence[object] | np.ndarray | None = None,
    progress: bool | None = None,
    image_shape: Sequence[int] | None = None,
    image_reader: int | None = None,
    **csv_options: Any,
) -> Dataset:
    """Load the data set named by ``spec``, raw (not preprocessed, not split).

    Args:
        spec: ``"digits"``; ``"mnist"``, ``"fashion-mnist"`` or ``"cifar10"`` (read from
            the cache, downloaded there first if missing: see :mod:`numpynn.data.download`);
            ``"cifar10:DIR"``, ``"mnist:DIR"``, ``"fashion-mnist:DIR"``; a path ending
            ``.csv`` (``.csv.gz``, ``.tsv``, ``.tsv.gz``) or a path ending ``.npz``.
        label_column: CSV: the label column's name or index (default last), or None for
            files without labels (then ``y`` is None). NPZ: None means only ``X`` is
            read. Ignored for the other sources.
        progress: a download's progress bar (None: on a terminal only).
        csv_options: for CSV files, more keyword arguments of
            :func:`~numpynn.data.csv_file.load_csv` (``ignore_columns``, ``delimiter``,
            ``allow_missing``, ``recipe``); ignored for the other sources.
        classes: known class labels (e.g. from a saved model): labels are mapped to
            their indices in this sequence, and labels not in it raise DataError.
            Default: the sorted unique labels found (0..9 for digits, MNIST, CIFAR-10).
        progress: download progress bar on stderr: None only when stderr is a terminal,
            False never. Only used when a data set must be downloaded.
        image_shape: a folder of images: (H, W) or (H, W, C) every image is read at (a
            model's: resized, made grey or RGB); default the images' own. Ignored for
            the other sources.
        image_reader: a folder of images: how its files are read (a model's or a
            checkpoint's :data:`~numpynn.data.image_folder.IMAGE_READER`); default the
            current one.

    Returns:
        A :class:`Dataset` with X (N, D): float64 for digits/CSV/NPZ, float32 for
        cifar10/mnist (see :class:`Dataset`).

    Raises:
        DataError: an unknown spec (the message lists the accepted forms), any
            problem with the files, or a download that failed (offline: the message says
            where to place the files by hand).
    """
    if not isinstance(spec, (str, os.PathLike)):
        raise DataError(f"data spec must be a string; got {type(spec).__name__} "
                        f"{shown(spec)}.{in_memory_hint(spec)}")
    text = os.fspath(spec)
    if not isinstance(text, str):
        raise DataError(f"data spec must be a string; got {text!r}")
    url = url_error(text)
    if url is not None:
        raise DataError(url)
    parsed = DataSpec.parse(text)
    if parsed.prefix:
        if not parsed.path:
            cache = (f", or {parsed.source} alone to use the download cache"
                     if parsed.source in DATASETS else "")
            raise DataError(f"data spec {text!r} names no directory; write "
                            f"{parsed.prefix}DIR{cache}")
        if parsed.source == "images":
            shape = tuple(image_shape) if image_shape is not None else None
            return load_image_folder(
                parsed.path, classes=classes, labelled=label_column is not None,
                size=shape[:2] if shape else None,
                channels=(shape[2] if len(shape) == 3 else 1) if shape else None,
                reader=IMAGE_READER if image_reader is None else int(image_reader))
        return _DIRECTORY_LOADERS[parsed.source](parsed.path, classes=classes)
    if parsed.is_named and parsed.source in _DOWNLOAD_LOADERS and parsed.source in DATASETS:
        folder = download_dataset(parsed.source, progress=progress)
        return _DOWNLOAD_LOADERS[parsed.source](folder, classes=classes)
    if parsed.source == "digits":
        return load_digits(classes=classes)
    if parsed.source == "csv":
        _missing_file_hint(text, "CSV file")
        return load_csv(text, label_column=label_column, classes=classes, **csv_options)
    if parsed.source == "npz":
        _missing_file_hint(text, ".npz file")
        return load_npz(text, label_column=label_column, classes=classes,
                        task=csv_options.get("task", "classification"))
    if text.strip().lower() in ("cifar100", "cifar-100"):
        raise DataError(
            "CIFAR-100 is read from its files, not downloaded by numpynn: download "
            "cifar-100-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, "
            "unpack it and give cifar100:DIR (the folder holding train, test and meta)")
    stream = text in ("-", "/dev/stdin") or (
        os.path.exists(text) and not os.path.isfile(text) and not os.path.isdir(text))
    if stream:  # --data -, /dev/stdin, <(zcat t.csv.gz), a named pipe: a stream (first:
        # opened to look at its start, a named pipe without a writer waited for ever)
        what = "standard input" if text in ("-", "/dev/stdin") else "a pipe or a device"
        raise DataError(
            f"`data` {text} is {what}: numpynn reads a data file more than once (its "
            "format first, then its rows), which a stream cannot be; write it to a file first "
            "(e.g. `... > new.csv`, or `zcat t.csv.gz > t.csv`; .csv.gz is read as it is) "
            "and give that file.")
    other = _other_format_error(text) or _idx_file_error(text)
    if other is not None:
        raise other
    if os.path.isdir(text) and any(os.path.isfile(os.path.join(text, n))
                                   for n in ("model.npz", "checkpoint.npz")):
        raise DataError(f"{text} is a numpynn run's directory (its model.npz), not data: "
                        "give the data with --data (a CSV or .npz file, a folder of images, "
                        "a data set's name), and the run or its model.npz where the command "
                        "takes the model.")
    if os.path.isdir(text):  # a folder of files, given without saying what they are
        raise DataError(
            f"{text} is a directory; name what it holds: mnist:{text}, fashion-mnist:{text} "
            f"(IDX files) or cifar10:{text} (CIFAR-10 batches), a folder of images with one "
            f"subfolder per class ({text}/CLASS/IMAGE.png), or for a table the path of "
            f"its .csv or .npz file inside it{directory_hint(text)}")
    near = suggest_spec(text)
    hint = f" (did you mean {near}?)" if near is not None else ""
    raise DataError(f"unknown data spec {text!r}{hint}; use one of: {', '.join(SPEC_FORMS)}")
