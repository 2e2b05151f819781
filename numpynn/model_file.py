"""Model files and checkpoints: one ``.npz`` holding named arrays plus a JSON header.

Layout of every file numpynn writes::

    __header__      uint8 array: UTF-8 JSON {"format": "numpynn", "kind": "model" |
                    "checkpoint", "format_version": 2, ...}; the header's
                    "architecture" lists the layers (version 1, numpynn 0.1: an MLP's
                    sizes; still read)
    param/W1 ...    model parameters
    buffer/running_mean1 ...  layer buffers (running statistics of batch norm)
    member0/param/W1 ...      an ensemble's (format version 3, header "n_members": K):
                    member i's parameters and buffers under ``member{i}/``, every member
                    of the header's "architecture" (a numpynn that reads versions 1-2 only
                    refuses the file as newer instead of predicting with one member)
    prep/mean ...   preprocessing statistics (model files)
    classes         (C,) class labels when they are numbers; strings go in the header

Files are read with ``allow_pickle=False`` (a hostile file cannot run code) and checked
against the header; every problem raises :class:`numpynn.errors.ModelFileError` with the
path and what to do. Writes are atomic: a temporary file in the same directory, flushed
and fsynced, then renamed over the target, so an interrupted save never leaves a
half-written file behind.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .data import Preprocessor
from .data._files import dangling_link, not_found_where, not_the_data, shell_meant
from .data.image_folder import IMAGE_SUFFIXES, is_image_input, read_images
from .data.table import TableRecipe
from .ensemble import Ensemble
from .errors import InputError, ModelFileError
from .evaluation import r2_score
from .memory import check_fits
from .models import Network
from .outputs import expanded, finish_interrupted_commits, nonempty_path, write_path
from .tasks import TASKS, Targets, Task, task_named
from .validation import check_range, tensor_values

FORMAT = "numpynn"
FORMAT_VERSION = 2  # 2: layer lists and buffers (numpynn 0.2)
#: The version of a file that holds an ensemble (3: members under ``member{i}/``); a
#: single network's file stays version 2.
ENSEMBLE_FORMAT_VERSION = 3
#: The format versions this numpynn reads (ints only: "1.0", 1.0 or true are refused);
#: 1 is numpynn 0.1's (an MLP's sizes, no buffers).
SUPPORTED_VERSIONS = (1, 2, 3)
#: The most members a model file may declare (a bound on what a header can make us build).
MAX_MEMBERS = 1024
HEADER_KEY = "__header__"


# --------------------------------------------------------------------------- container
def write_container(path: str | Path, header: Mapping[str, Any], arrays: Mapping[str, Any]) -> Path:
    """Atomically write ``arrays`` and a JSON ``header`` to the ``.npz`` file ``path``
    (a str or pathlib.Path; InputError for anything else, e.g. an open file)."""
    nonempty_path(path, "output file")
    full_header = {"format": FORMAT, "format_version": FORMAT_VERSION, **header}
    payload = {HEADER_KEY: np.frombuffer(json.dumps(full_header).encode(), dtype=np.uint8)}
    for key, value in arrays.items():
        arr = np.asarray(value)
        if arr.dtype == object:
            raise ValueError(f"array {key!r} has dtype object; only numeric arrays are stored")
        payload[key] = arr
    return atomic_write(path, lambda fh: np.savez(fh, **payload))


def atomic_write(path: str | Path, write: Callable[[BinaryIO], object],
                 inputs: Iterable[str | Path] = (), durable: bool = True) -> Path:
    """Call ``write(fh)`` for ``path`` by numpynn's output policy (:mod:`numpynn.outputs`):
    a regular or new file is replaced atomically (temporary file, fsync, rename), so
    readers see the old file or the complete new one; a symlink is kept and its target
    written; a FIFO or device is written through; a directory, or one of ``inputs``, is
    refused. ``durable=False``: no fsync, for files drawn again from durable ones."""
    return write_path(path, write, inputs, durable=durable)


def read_container(path: str | Path, kind: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a file written by :func:`write_container`; check format, version and ``kind``.
    A model may be given by its run directory (the ``model.npz`` in it is read)."""
    what = "model file" if kind == "model" else f"{kind} file"
    if not isinstance(path, (str, os.PathLike)):
        raise ModelFileError(f"the {what} path must be a str or pathlib.Path; got "
                             f"{type(path).__name__} {path!r:.60}.")
    path = Path(expanded(path))  # (pathlib's raises where no home is found)
    if dangling_link(path):
        raise ModelFileError(f"{what}: {dangling_link(path)}.")
    if not path.exists():
        where = not_found_where(path)
        near = _near_model_path(path) if kind == "model" and shell_meant(path) is None \
            else None
        hint = f"did you mean {near}?" if near is not None else "check the path."
        raise ModelFileError(f"{what} {path} does not exist{where}; {hint}")
    finish_interrupted_commits(path if path.is_dir() else path.parent)  # a killed commit's
    if path.is_dir() and kind == "model" and (path / "model.npz").is_file():
        path = path / "model.npz"  # a run directory (numpynn train --out DIR)
    elif path.is_dir() and kind == "model" and (path / "best" / "model.npz").is_file():
        raise ModelFileError(f"{path} is a search's directory; its best model is in "
                             f"{path / 'best'}: give that (or {path / 'best' / 'model.npz'}).")
    elif path.is_dir() and kind == "model" and (path / "checkpoint.npz").is_file():
        raise ModelFileError(
            f"{path} holds a checkpoint.npz but no model.npz: its run was stopped before it "
            f"finished; finish the run (`resume=True, out='{path}'`), then give the "
            "directory again.")
    elif path.is_dir():
        raise ModelFileError(f"{path} is a directory without a model.npz; give the path of "
                             f"the {what} (.npz) or of a run directory that holds one.")
    if not path.is_file():  # a FIFO would block the reader, a device never ends
        raise ModelFileError(f"{path} is not a regular file (a FIFO, device or socket); give "
                             f"the path of the {what} (.npz).")
    _check_zip_signature(path, what)
    try:
        with zipfile.ZipFile(path) as archive:  # numpy does not check the CRCs it skips
            damaged = archive.testzip()
            members = archive.namelist()
        if damaged is not None:
            raise zipfile.BadZipFile(f"member {damaged} fails its checksum")
        if not any(m.endswith(".npy") for m in members):  # a zip of other files
            held = ", ".join(members[:3]) + (", ..." if len(members) > 3 else "")
            raise ModelFileError(
                f"{path} is a zip archive of other files ({held or 'none'}), not a numpynn "
                f"{what} (an .npz of arrays); use a file written by numpynn.")
        with np.load(path, allow_pickle=False) as npz:
            if HEADER_KEY not in npz.files:
                raise ModelFileError(
                    f"{path} is an .npz file but not a numpynn {what} (no header); "
                    "use a file written by numpynn."
                )
            header = json.loads(bytes(npz[HEADER_KEY]).decode())
            arrays = {k: npz[k] for k in npz.files if k != HEADER_KEY}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        again = "train it again" if kind == "model" else "start the run again (not resumed)"
        raise ModelFileError(
            f"{path} is not a readable numpynn {what} ({_reason(exc)}); it may be truncated "
            f"or corrupted: {again}."
        ) from None
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise ModelFileError(
                f"{path} holds pickled Python objects, which numpynn refuses to load "
                "(they could run code); use a file written by numpynn."
            ) from None
        raise ModelFileError(f"{path} is not a valid numpynn {what}: {_reason(exc)}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{path} has a damaged header; save or train it again.") from None
    except Exception as exc:  # zlib.error, struct.error etc. from damaged zip members
        raise ModelFileError(
            f"{path} is damaged ({type(exc).__name__}: {_reason(exc)}); save or train it again."
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a numpynn {what}; use a file written by numpynn.")
    version = header.get("format_version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_VERSIONS))
        if type(version) is int and version > max(SUPPORTED_VERSIONS):
            raise ModelFileError(
                f"{path} has format version {version!r}, newer than this numpynn understands "
                f"({supported}); upgrade numpynn to read it."
            )
        raise ModelFileError(
            f"{path} has format version {version!r}, which is not a numpynn format version "
            f"(this numpynn reads {supported}); the file was edited or written by another "
            "tool: use a file written by numpynn."
        )
    if header.get("kind") != kind:
        hint = "" if header.get("kind") != "checkpoint" else (
            f" (the run's model is {path.parent / 'model.npz'}: give it or the directory)"
            if (path.parent / "model.npz").is_file() else
            f" (its run was stopped before it saved a model: finish the run (`resume=True, "
            f"out='{path.parent}'`), then give the directory)")
        raise ModelFileError(
            f"{path} is a numpynn {header.get('kind')!r} file, not a {what}{hint}."
        )
    return header, arrays


def _near_model_path(path: Path) -> Path | None:
    """What a missing model path most likely meant: its name with ``.npz`` (``run/model``),
    or a run directory or model file of a close name beside it (``rn`` for ``run``)."""
    import difflib

    if path.suffix != ".npz" and path.with_name(path.name + ".npz").is_file():
        return path.with_name(path.name + ".npz")
    parent = path.parent if str(path.parent) else Path(".")
    try:
        names = [p.name for p in parent.iterdir() if p.suffix == ".npz" and p.is_file()
                 or p.is_dir() and (p / "model.npz").is_file()]
    except OSError:
        return None
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
    return parent / close[0] if close else None


def _check_zip_signature(path: Path, what: str) -> None:
    """Refuse files that are not zip archives before numpy guesses (it would try pickle)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ModelFileError(f"cannot read {path}: {exc.strerror or exc}; check the path "
                             "and its permissions.") from None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return
    if not head:
        kind = "it is empty"
    elif head.startswith(b"\x93NUMPY"):
        kind = "it is a single .npy array"
    elif head[:1] == b"\x80" or head.startswith(b"(dp"):
        kind = "it is a Python pickle, which numpynn refuses to load because it could run code"
    elif path.suffix.lower() == ".onnx" and head[:1] == b"\x08":  # ModelProto's ir_version
        kind = ("it is an ONNX graph, as numpynn export writes one: that is for onnxruntime; "
                "numpynn's commands read the model.npz it was exported from")
    elif (other := not_the_data(more := _more(path))) is not None:  # a Git LFS pointer,
        kind = f"it is {other}"  # a saved web page
    elif _looks_like_text(head + more):
        kind = ("it is a text file, not an .npz (zip) archive: a table, a JSON or a "
                "prediction file? A table is read with `data`")
    else:
        kind = "it is not an .npz (zip) archive"
    example = "model.npz" if what == "model file" else "checkpoint.npz"
    raise ModelFileError(
        f"{path} is not a numpynn {what} ({kind}); give a {what} written by numpynn "
        f"(e.g. numpynn-runs/run-1/{example} from 'numpynn train')."
    )


def _more(path: Path, size: int = 512) -> bytes:
    """The first ``size`` bytes of ``path`` ("" when unreadable)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _looks_like_text(data: bytes) -> bool:
    """Whether ``data`` reads as UTF-8 text of printable characters and line ends."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and all(c.isprintable() or c in "\r\n\t" for c in text)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _group(arrays: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


# ------------------------------------------------------------------------------ models
@dataclass
class SavedModel:
    """A model with everything needed to predict on raw inputs.

    model: the network, or an :class:`~numpynn.ensemble.Ensemble` of networks (a
    classifier whose probabilities are its members' mean); classes: (C,) original labels
    (numbers or strings), empty (0,) for a regression network (its target scaler is
    ``metadata["target_scaler"]``);
    preprocessing: ``{"kind": str, "state": {name: array}}`` fitted on the training
    data (see :class:`numpynn.data.Preprocessor`); metadata: JSON-serialisable extras
    (data set, training config, final metrics, image shape); recipe: how the training
    data were read (:class:`numpynn.data.TableRecipe`: source, columns, label, feature
    names, categories, medians), stored in the file's JSON header as ``data_recipe``;
    None for files written before numpynn recorded it.

    Inputs of :meth:`predict` / :meth:`predict_proba` / :meth:`transform` are **raw**:
    for a model trained on a CSV table, rows as the table has them (a pandas DataFrame,
    matched by column name, or rows of the F feature cells in training order, strings
    or numbers); a numeric array (N, F) is taken as numpynn's raw features, where a
    categorical column holds the index of the category in ``recipe.categorical``.
    """

    model: Network | Ensemble
    classes: np.ndarray
    preprocessing: dict[str, Any] = field(default_factory=lambda: {"kind": "none", "state": {}})
    metadata: dict[str, Any] = field(default_factory=dict)
    recipe: TableRecipe | None = None

    def preprocessor(self):
        """The fitted :class:`numpynn.data.Preprocessor` stored with the model."""

        kind, state = self.preprocessing["kind"], self.preprocessing["state"]
        if kind == "none" and not state:  # the default: identity, no statistics needed
            d = self.model.input_dim
            state = {"mean": np.zeros(d), "scale": np.ones(d)}
        return Preprocessor.from_state(kind, state)

    def with_handle_unknown(self, handle_unknown: str) -> SavedModel:
        """This model reading a category its training table did not have as
        ``handle_unknown`` says: "error" (the cell named) or "ignore" (all-zero one-hot),
        whatever it was trained with; for rows to predict that bring a new category."""
        recipe = self.recipe
        if recipe is None or recipe.source != "csv" or not recipe.categorical:
            raise InputError("`handle_unknown` rules the text columns of a model trained on "
                             "a CSV table; this model has none (it reads numbers only). "
                             "Leave it out.", param="handle_unknown")
        return replace(self, recipe=replace(recipe, handle_unknown=handle_unknown))

    def encode(self, X: Any) -> np.ndarray:
        """Raw rows (N, F) -> encoded features (N, D) (one-hot, imputed), before scaling.
        A SciPy sparse matrix is made dense; a model of numbers takes images (N, H, W[, C])
        of its D pixels as rows, as its network does; a PyTorch tensor is its values."""
        X = _dense(tensor_values(X))
        images = _image_items(X, any_text=bool(self.metadata.get("image_shape")) and (
            self.recipe is None or self.recipe.source != "csv"))
        if images is not None:
            X = self._read_images(images)
        elif isinstance(X, (str, os.PathLike)):
            raise InputError(
                f"X is the name {os.fspath(X)!r}, not rows: read the file first (for a CSV, "
                "pandas.read_csv(...) gives the rows, named columns matched by name), or "
                "let the command line read it as the model's training file was: numpynn "
                f"predict MODEL --data {os.fspath(X)}.", param="X")
        if not isinstance(X, dict) and hasattr(X, "__len__") and len(X) == 0:
            shape = getattr(X, "shape", (0,))  # the rows' own, not their encoded width
            raise InputError(f"X has no rows (shape {shape}); pass at least one row.",
                             param="X")
        recipe = self.recipe
        if recipe is None or recipe.source != "csv":
            return _feature_rows(X, self.model.input_dim, self.metadata.get("image_shape"))
        arr = X if isinstance(X, np.ndarray) else None
        if arr is None or arr.dtype.kind not in "biuf":
            X = recipe.cells_to_raw(X)
        return recipe.encode(X)

    def _read_images(self, items: list[Any]) -> np.ndarray:
        """Image files or Pillow images as this model's rows (N, D), read as its training
        images were; refused, saying what to give, for a model not trained on a folder of
        image files (its pixels' units are its arrays', which a file need not share)."""
        shape = self.metadata.get("image_shape")
        data = str(self.metadata.get("data") or "")
        if (self.recipe is not None and self.recipe.source == "csv") or not shape:
            what = "a CSV table" if self.recipe is not None and self.recipe.source == "csv" \
                else (f"rows of {self.model.input_dim} values" + (f" ({data})" if data else ""))
            raise InputError(f"X is {_said_images(items)}, but this model was trained on "
                             f"{what}, not images: give its rows (numpynn predict MODEL "
                             "--data FILE reads a file of them).", param="X")
        if not data.lower().startswith("images:"):
            raise InputError(
                f"X is {_said_images(items)}, but this model was trained on image arrays "
                f"({data or 'not a folder of image files'}), whose pixel units a file's "
                "0..255 need not share: read the files into arrays (N, "
                f"{', '.join(map(str, shape))}) in the units of the training data and give "
                "those.", param="X")
        return read_images(items, shape, self.image_reader)

    def transform(self, X: Any) -> np.ndarray:
        """Raw rows (N, F) -> the model's inputs (N, D), with the stored recipe and
        preprocessing."""
        raw = np.asarray(self.encode(X))
        with np.errstate(over="ignore"):  # beyond the model's dtype: said by check_range
            rows = np.asarray(raw, dtype=self.model.dtype)
        if raw.dtype.kind == "f" and rows.dtype.itemsize < raw.dtype.itemsize:
            check_range(raw, rows, self.model.dtype)
        return self.preprocessor().transform(rows)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Raw features (N, D) -> class probabilities (N, C); a regression has none (its
        network's outputs are values, not probabilities): refused."""
        if not self.task.has_classes:
            raise InputError(f"predict_proba gives class probabilities, and this is a "
                             f"{self.task.name} model (it predicts values): use "
                             "predict(X).", param="X")
        return self.model.predict_proba(self.transform(X))

    @property
    def image_reader(self) -> int:
        """How this image model's files were read (:data:`numpynn.data.image_folder.
        IMAGE_READER`), for reading new ones alike: 1 for a model that records none."""
        return int(self.metadata.get("image_reader") or 1)

    @property
    def task(self) -> Task:
        """The model's task, by the name its file records (files written before numpynn
        recorded it: a squared-error network is a regression, any other a classification)."""
        name = self.metadata.get("task") or (
            "regression" if self.model.loss_fn.task == "regression" else "classification")
        return task_named(name)

    def targets(self) -> Targets:
        """The target transform the model was trained with (a regression's scaler)."""
        return self.task.targets_from_state(self.metadata.get("target_scaler"),
                                            self.model.num_outputs)

    def values(self, X: Any) -> np.ndarray:
        """Raw rows (N, F) -> the network's outputs (N, K) in the targets' units (float64;
        a regression's stored target scaling inverted)."""
        outputs = self.model.forward(np.ascontiguousarray(self.transform(X),
                                                          dtype=self.model.dtype))
        return np.asarray(self.targets().inverse(outputs), np.float64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Raw features (N, D) -> original class labels (N,); for a model without classes
        (a regression) the predicted values in the targets' units: (N,) for one target,
        as scikit-learn's regressors give them (an (N, 1) column minus a Series of N
        targets would broadcast to (N, N)), else (N, K); :meth:`values` is always (N, K)."""
        if self.classes.shape[0] == 0:
            values = self.values(X)
            return values[:, 0] if values.shape[1] == 1 else values
        return self.classes[self.model.predict(self.transform(X))]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """scikit-learn's ``score``: the accuracy of :meth:`predict` on raw rows X (N, F)
        against labels y (N,), or for a regression the R^2 (uniform average over outputs)
        against targets y (N,) or (N, K); ``sample_weight`` (N,) weights the accuracy.
        Labels none of which are among the model's classes (``1`` for a class ``'1'``)
        are refused, not scored 0."""
        y = np.asarray(tensor_values(y))
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        pred = self.predict(X)
        if y.shape[0] != pred.shape[0]:
            raise InputError(f"y has {y.shape[0]} rows and X {pred.shape[0]}; give one label "
                             "or target per row of X.", param="y")
        if self.classes.shape[0] == 0:
            if sample_weight is not None:
                raise InputError("sample_weight is taken by a classifier's score; a "
                                 "regression's R^2 here is unweighted (sklearn.metrics."
                                 "r2_score(y, model.predict(X), sample_weight=w) weighs "
                                 "it).", param="sample_weight")
            return float(r2_score(np.asarray(y, dtype=np.float64), pred))
        if y.ndim != 1:
            raise InputError(f"y has shape {y.shape}; a classifier's score takes one label "
                             "per row (N,).", param="y")
        known = np.isin(y, self.classes)
        if not known.any():
            raise InputError(
                f"none of y's labels (e.g. {y.tolist()[0]!r}) is one of the model's classes "
                f"{self.classes.tolist()[:10]}: give y as the labels were in training "
                "(e.g. y.astype(str) for classes written as text).", param="y")
        weights = None if sample_weight is None else np.asarray(tensor_values(sample_weight),
                                                                dtype=np.float64)
        return float(np.average(pred == y, weights=weights))

    def __getattr__(self, name: str) -> Any:
        # only for names not found: a scikit-learn, Keras or PyTorch habit is answered
        # with what serves; reads nothing of self by attribute (unpickling calls it early)
        hint = SAVED_MODEL_OTHER_NAMES.get(name)
        raise AttributeError(f"'SavedModel' object has no attribute {name!r}"
                             + (f": {hint}" if hint else ""))


#: names other libraries' models have -> what a SavedModel offers for them
SAVED_MODEL_OTHER_NAMES: dict[str, str] = {
    "classes_": "model.classes holds the class labels, in predict_proba's column order",
    "n_features_in_": "model.recipe.feature_names lists the columns of a model trained on a "
                      "table; model.model.input_dim is the network's input width",
    "feature_names_in_": "model.recipe.feature_names lists the columns of a model trained "
                         "on a table (None for one trained on arrays)",
    "evaluate": "model.score(X, y) gives the accuracy (a regression's R^2); `numpynn "
                "evaluate MODEL --data FILE` the full report",
    "save": "from numpynn.model_file import save_model; save_model('model.npz', model)",
    "predict_classes": "model.predict(X) gives the classes (model.predict_proba(X) their "
                       "probabilities)",
    "fit": "a saved model is trained already; numpynn.MLPClassifier().fit(X, y) trains "
           "one in Python, `numpynn train --resume RUN` continues a run",
    "summary": "print(model.model) shows the network; `numpynn explain` every layer with "
               "its shapes",
}
SAVED_MODEL_OTHER_NAMES["partial_fit"] = SAVED_MODEL_OTHER_NAMES["fit"]
SAVED_MODEL_OTHER_NAMES["save_weights"] = SAVED_MODEL_OTHER_NAMES["save"]


def _dense(X: Any) -> Any:
    """A SciPy sparse matrix (what a vectoriser or OneHotEncoder gives) as a dense array,
    refused where that would not fit in memory; anything else as it is."""
    if not (type(X).__module__.startswith("scipy.sparse") and hasattr(X, "toarray")):
        return X
    n, d = X.shape
    check_fits(float(n) * d * X.dtype.itemsize, f"the dense form of the sparse X ({n:,} x "
               f"{d:,})", "the rows: predict in parts")
    return X.toarray()


def _numbers(X: Any) -> np.ndarray:
    """``X`` as an array; a pandas frame of numbers as float64 with its missing cells
    (pandas' NA of nullable columns) NaN, which the checks name by row and column,
    instead of NumPy's "float() argument must be ... not 'NAType'"."""
    if hasattr(X, "to_numpy"):
        try:
            return X.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):  # text cells: the checks after say so
            pass
    return np.asarray(X)


def _image_items(X: Any, any_text: bool) -> list[Any] | None:
    """The images ``X`` names, as a list: a path (str or os.PathLike) or a Pillow image,
    or a list, tuple or 1-D array of those; None for anything else (rows of values).
    ``any_text``: every string is a path (an image model's); else only one with an
    image's ending (the strings of a table's model are its cells)."""
    def image(x: Any) -> bool:
        if isinstance(x, str) and not any_text:
            return Path(x).suffix.lower() in IMAGE_SUFFIXES
        return is_image_input(x)

    if image(X):
        return [X]
    if isinstance(X, np.ndarray):
        if X.ndim != 1 or X.dtype.kind not in "UO" or not len(X):
            return None
        X = X.tolist()
    if isinstance(X, (list, tuple)) and X and all(image(x) for x in X):
        return list(X)
    return None


def _said_images(items: list[Any]) -> str:
    """How an error names the images given as X: 'the path cat.png', '3 paths', ..."""
    first = items[0]
    kind = "path" if isinstance(first, (str, os.PathLike)) else "Pillow image"
    if len(items) == 1:
        return f"the {kind} {os.fspath(first)!r}" if kind == "path" else f"a {kind}"
    return f"{len(items)} {kind}s"


def _feature_rows(X: Any, n_inputs: int, image_shape: Any = None) -> Any:
    """``X`` of a model of ``n_inputs`` numbers per row: an array (N, n_inputs) as it is,
    images (N, H, W[, C]) of that many values flattened to rows; a single row (D,) or
    other shapes refused, naming the fix (before the preprocessor's bare "must be 2-D")."""
    arr = X if isinstance(X, np.ndarray) else _numbers(X)
    if arr.ndim > 2 and arr.shape[0] and int(np.prod(arr.shape[1:])) == n_inputs:
        return arr.reshape(arr.shape[0], n_inputs)
    one_image = bool(image_shape) and tuple(arr.shape) == tuple(image_shape)
    if arr.ndim == 2 and not (one_image and arr.shape[1] != n_inputs):
        return arr
    if arr.ndim == 1 and arr.shape[0] == n_inputs:
        fix = f"one example of {n_inputs} values: give X.reshape(1, -1) (rows of one)"
    elif arr.ndim == 1:
        fix = f"the model takes rows of {n_inputs} values: give X.reshape(-1, {n_inputs})"
    elif one_image:
        fix = ("one image of the model's shape: give X[None] (a batch of one image), or "
               "its file's path")
    elif image_shape:
        hwc = "x".join(map(str, image_shape))
        fix = (f"the model takes images of {hwc} (height x width"
               f"{' x channels' if len(image_shape) > 2 else ', grey'}), (N, "
               f"{', '.join(map(str, image_shape))}), or rows of {n_inputs} values; image "
               "files (their paths) are read at the model's size and channels")
    else:
        fix = (f"the model takes rows of {n_inputs} values, or examples of that many values "
               f"each (images of {n_inputs} pixels)")
    raise InputError(f"X has shape {arr.shape}; {fix}.", param="X")


def _savable_hint(path: Any, saved: Any) -> str:
    """What to do with a ``saved`` that is not a SavedModel (after "; got ..."): the
    arguments in the other order, a numpynn estimator (its network and classes wrapped,
    or joblib), a bare network (wrapped); else nothing."""
    if isinstance(path, SavedModel):
        return ": the path comes first, save_model(path, saved)"
    if isinstance(saved, (Network, Ensemble)):
        return (": a network alone is wrapped first, save_model(path, SavedModel(model, "
                "classes)) with classes its C labels (e.g. np.arange(C))")
    if hasattr(saved, "get_params") and hasattr(saved, "fit"):  # a scikit-learn estimator
        fitted = isinstance(getattr(saved, "model_", None), (Network, Ensemble))
        wrap = (" (its network in a numpynn model file, for numpynn predict and export: "
                "save_model(path, SavedModel(est.model_, est.classes_)), without the "
                "pipeline steps before it)") if fitted and hasattr(saved, "classes_") else ""
        return (f": a scikit-learn estimator is saved whole with joblib.dump(est, "
                f"'model.joblib'){wrap}")
    return ""


def save_model(path: str | Path, saved: SavedModel) -> Path:
    """Write ``saved`` to ``path`` (.npz) atomically. Returns the path."""
    if not isinstance(saved, SavedModel):
        hint = _savable_hint(path, saved)
        got = f"{type(saved).__name__}{hint}" if hint else \
            f"{type(saved).__name__} {saved!r:.60}"
        raise InputError(
            f"`saved` must be a SavedModel (what load_model returns, or "
            f"SavedModel(model, classes, preprocessing, metadata)); got {got}.",
            param="saved")
    if not isinstance(saved.model, (Network, Ensemble)) or not isinstance(
            saved.metadata, dict) or not (
            isinstance(saved.preprocessing, dict) and "kind" in saved.preprocessing):
        raise InputError(
            "`saved` holds no savable model: SavedModel(model, classes, preprocessing, "
            "metadata) needs a numpynn Network or Ensemble, a preprocessing dict "
            "{'kind', 'state'} and a metadata dict; got model "
            f"{type(saved.model).__name__}, preprocessing "
            f"{type(saved.preprocessing).__name__}, metadata {type(saved.metadata).__name__}.",
            param="saved")
    classes = np.asarray(saved.classes)
    members = saved.model.members if isinstance(saved.model, Ensemble) else [saved.model]
    first = members[0]
    for i, m in enumerate(members[1:], 1):
        if m.config() != first.config():
            raise InputError(f"the ensemble's members[{i}] has another architecture than "
                             f"members[0] ({m!r} vs {first!r}); a model file holds members "
                             "of one architecture.", param="saved")
    header: dict[str, Any] = {
        "kind": "model",
        "architecture": first.config(),
        "param_keys": list(first.params),
        "preprocessing": saved.preprocessing["kind"],
        "metadata": saved.metadata,
    }
    arrays: dict[str, Any] = {}
    if isinstance(saved.model, Ensemble):
        header |= {"format_version": ENSEMBLE_FORMAT_VERSION, "n_members": len(members)}
        for i, m in enumerate(members):
            arrays |= {f"member{i}/param/{k}": v for k, v in m.params.items()}
            arrays |= {f"member{i}/buffer/{k}": v for k, v in m.buffers.items()}
    else:
        arrays |= {f"param/{k}": v for k, v in first.params.items()}
        arrays |= {f"buffer/{k}": v for k, v in first.buffers.items()}
    if saved.recipe is not None:
        header["data_recipe"] = saved.recipe.to_dict()
    arrays |= {f"prep/{k}": v for k, v in saved.preprocessing["state"].items()}
    if classes.dtype.kind in "biuf":
        arrays["classes"] = classes
    else:
        header["class_names"] = [str(c) for c in classes.tolist()]
    return write_container(path, header, arrays)


def load_model(path: str | Path) -> SavedModel:
    """Read a model file written by :func:`save_model`; damaged files raise ModelFileError."""
    header, arrays = read_container(path, "model")
    try:
        arch = header["architecture"]
        prefixes = _member_prefixes(path, header, arrays)
        members, arrays_read = [], {}
        for prefix in prefixes:
            params = _group(arrays, f"{prefix}param/")
            buffers = _group(arrays, f"{prefix}buffer/")
            if sorted(params) != sorted(header["param_keys"]):
                raise ModelFileError(f"{path}: parameter arrays do not match the header.")
            # the shapes the header implies, checked before the network allocates them
            _check_array_shapes(path, Network.plan_from_config(arch).shapes(),
                                params | buffers)
            members.append(Network.from_config(arch, params, buffers))
            arrays_read |= {f"{prefix}{k}": v for k, v in (params | buffers).items()}
        model = members[0] if "n_members" not in header else Ensemble(members)
        if "classes" in arrays:
            classes = arrays["classes"]
        else:
            classes = np.asarray(header["class_names"], dtype=str)
        metadata = header.get("metadata", {})
        task_name = metadata.get("task") if isinstance(metadata, dict) else None
        if task_name is not None and task_name not in TASKS.names():
            raise ModelFileError(f"{path}: the model's task {task_name!r} is not one of "
                                 f"{', '.join(TASKS.names())}; it was written by another "
                                 "program, or the task's module is not imported.")
        task = task_named(task_name or ("regression" if model.loss_fn.task == "regression"
                                        else "classification"))
        n_classes = model.num_classes if task.has_classes else 0  # a regression has none
        if classes.shape != (n_classes,):
            raise ModelFileError(
                f"{path}: class labels of shape {classes.shape} for a {n_classes}-class "
                "model; the file was tampered with: train the model again."
            )
        for name, value in arrays_read.items():
            if not np.isfinite(value).all():
                raise ModelFileError(f"{path}: parameter {name} holds NaN or inf values; "
                                     "train the model again (a smaller `lr` may help).")
        prep = {"kind": header["preprocessing"], "state": _group(arrays, "prep/")}
        if any(v.dtype.kind not in "fiu" for v in prep["state"].values()):
            raise ModelFileError(f"{path}: the preprocessing statistics are not real numbers; "
                                 "the file was tampered with: train the model again.")
        _check_metadata(metadata, n_classes)
        task.targets_from_state(metadata.get("target_scaler"), model.num_outputs)  # checks it
        recipe = None
        if "data_recipe" in header:
            recipe = TableRecipe.from_dict(header["data_recipe"])
            width = recipe.n_outputs if recipe.source == "csv" else recipe.n_features
            if width != model.input_dim:
                raise ModelFileError(
                    f"{path}: the data recipe gives {width} inputs for a model of "
                    f"{model.input_dim}; the file was tampered with: train the model again.")
        saved = SavedModel(model, classes, prep, dict(metadata), recipe)
        saved.preprocessor()  # validates the preprocessing state against its kind
        return saved
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
        raise ModelFileError(
            f"{path} has an inconsistent numpynn model header ({_reason(exc)}); "
            "it was tampered with or written by an incompatible tool."
        ) from None


def _member_prefixes(path: str | Path, header: Mapping[str, Any],
                     arrays: Mapping[str, np.ndarray]) -> list[str]:
    """Where each network's arrays are: ``[""]`` for a single network (``param/...``),
    ``["member0/", ...]`` for an ensemble of the header's ``n_members`` (format version
    3); a file whose arrays and header disagree is refused."""
    keyed = [k for k in arrays if k.startswith(("param/", "buffer/", "member"))]
    if "n_members" not in header:
        if any(k.startswith("member") for k in keyed):
            raise ModelFileError(f"{path}: ensemble member arrays in a file whose header "
                                 "declares no members; the file was tampered with: train "
                                 "the model again.")
        return [""]
    n = header["n_members"]
    if header.get("format_version") != ENSEMBLE_FORMAT_VERSION or type(n) is not int or not (
            1 <= n <= MAX_MEMBERS):
        raise ModelFileError(f"{path}: the header declares {n!r} ensemble members (format "
                             f"version {header.get('format_version')!r}); an ensemble file "
                             f"has version {ENSEMBLE_FORMAT_VERSION} and 1 to {MAX_MEMBERS} "
                             "members: the file was tampered with: train the model again.")
    prefixes = [f"member{i}/" for i in range(n)]
    stray = [k for k in keyed if not k.startswith(tuple(p + w for p in prefixes
                                                        for w in ("param/", "buffer/")))]
    if stray:
        raise ModelFileError(f"{path}: array {stray[0]!r} belongs to no member of the "
                             f"{n}-member ensemble its header declares; the file was "
                             "tampered with: train the model again.")
    return prefixes


def _check_array_shapes(path: str | Path, expected: Mapping[str, tuple[int, ...]],
                        arrays: Mapping[str, np.ndarray]) -> None:
    for name, value in arrays.items():
        if value.dtype.kind not in "fiu":
            raise ModelFileError(f"{path}: array {name} has dtype {value.dtype}, not real "
                                 "numbers; the file was tampered with: train the model again.")
    got = {k: tuple(v.shape) for k, v in arrays.items()}
    if got != dict(expected):
        raise ModelFileError(
            f"{path}: the parameter arrays do not match the layers in the header; the file "
            "was tampered with: train the model again.")


def _check_metadata(metadata: Any, num_classes: int) -> None:
    """The metadata fields that evaluate/predict read must have the types they expect."""
    if not isinstance(metadata, dict):
        raise TypeError("metadata is not a JSON object")
    if not isinstance(metadata.get("data", ""), (str, type(None))):
        raise TypeError("metadata 'data' is not a data spec string")
    if not isinstance(metadata.get("options", {}), (dict, type(None))):
        raise TypeError("metadata 'options' is not a JSON object")
    names = metadata.get("class_names")
    if names is not None and (not isinstance(names, list) or len(names) != num_classes):
        raise TypeError(f"metadata 'class_names' is not a list of {num_classes} names")


def json_safe(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None, so that it is valid
    (strict) JSON: Python's NaN/Infinity tokens are not JSON and many readers refuse them."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def json_text(value: Any, indent: str = "") -> str:
    """``value`` as strict JSON (non-finite numbers as null), objects and lists of
    objects indented by two spaces, a list of plain values (numbers, strings) on one
    line: a history's 10,000 step losses are one line, not 10,000, and are written by
    the json module's C encoder (``indent=2`` runs its pure-Python one: 0.2 s for the
    60,000 numbers of a 5-member ensemble's history)."""
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{inner}{json.dumps(k if isinstance(k, str) else json.dumps(k))}: "
                 f"{json_text(v, inner)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (dict, list, tuple)) for v in value):
            return "[\n" + ",\n".join(inner + json_text(v, inner) for v in value) + \
                "\n" + indent + "]"
    try:  # a plain value, or a list of them: one line
        return json.dumps(value, allow_nan=False)
    except ValueError:  # a NaN or an infinity: null
        return json.dumps(json_safe(value), allow_nan=False)


def write_json_atomic(path: str | Path, data: Any, durable: bool = True) -> Path:
    """Write ``data`` as strict JSON (non-finite numbers as null; :func:`json_text`) to
    ``path`` by the output policy (a regular file: temp file + rename; fsync unless not
    ``durable``)."""
    return write_text_atomic(path, json_text(data) + "\n", durable=durable)


def write_text_atomic(path: str | Path, text: str, durable: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (temp file + rename; fsync unless
    not ``durable``). A file name that is not valid UTF-8 (``data\xff.csv``: Python holds
    its bytes as lone surrogates) is written as ``\udcff``, readable, never an
    encoding error that would lose the run whose report names it."""
    data = text.encode("utf-8", errors="backslashreplace")
    return atomic_write(path, lambda fh: fh.write(data), durable=durable)
