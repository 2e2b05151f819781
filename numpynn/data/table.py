"""The data-reading recipe of a table: which columns are features, label and ignored,
how categorical columns are one-hot encoded and how missing cells are imputed.

A :class:`TableRecipe` is produced when a CSV file is read for training (its layout and
the file's categories), fitted on the training rows only (categories seen in training,
medians), stored in the model file's JSON header, and used again to read new files for
``predict`` / ``evaluate``, so that new data are read exactly as the training data were.

Raw features ("recipe space"): an (N, F) float64 array with one column per feature
column of the file, in training order. Numeric columns hold their values; categorical
columns hold the index of the cell's category in :attr:`TableRecipe.categorical` (-1
for a category not seen in training); NaN marks a missing cell. :meth:`TableRecipe.encode`
turns it into the model's inputs (N, D): numeric columns (imputed) and one column per
category of each categorical column (one-hot).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import DataError, InputError
from .cells import cell_repr, composed, date_value, number_value, preview

IMPUTE = ("none", "median")
HANDLE_UNKNOWN = ("error", "ignore")
#: cells read as "missing" (compared after stripping, case-insensitively): besides the
#: usual ones, what Excel writes for a missing value (#N/A, #NA) or a formula without
#: one (#DIV/0!, #VALUE!, #SPILL!, ...; Google Sheets' #ERROR!), in English and as the
#: Excel of other languages writes them (#NV, #WERT!, #VALEUR!), pandas' other defaults
#: (<NA>, #N/A N/A, 1.#IND, 1.#QNAN) and the "." of SAS and Stata
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "-nan", "+nan", "null", "?", "#n/a",
                            "#na", "<na>", "#n/a n/a", "1.#ind", "-1.#ind", "1.#qnan",
                            "-1.#qnan", "#div/0!", "#value!", "#ref!", "#name?", "#num!",
                            "#null!", "#error!", "#spill!", "#calc!", "#field!",
                            "#getting_data", "#blocked!", "#connect!", "#busy!",
                            "#unknown!", "."}) | frozenset(token.lower() for token in (
    # Excel's errors as its other languages write them, in the files those locales save
    # (";" and decimal commas): #N/A, #VALUE!, #REF!, #DIV/0!, #NAME?, #NUM!, #NULL!
    "#NV", "#WERT!", "#BEZUG!", "#ZAHL!",  # German
    "#VALEUR!", "#NOM?", "#NOMBRE!", "#NUL!",  # French
    "#N/D", "#¡VALOR!", "#¡REF!", "#¡DIV/0!", "#¿NOMBRE?", "#¡NUM!", "#¡NULO!",  # Spanish
    "#VALORE!", "#RIF!", "#NOME?", "#NULLO!",  # Italian
    "#VALOR!", "#NÚM!", "#NULO!",  # Portuguese
    "#N/B", "#WAARDE!", "#VERW!", "#DEEL/0!", "#NAAM?", "#GETAL!", "#LEEG!",  # Dutch
    "#SAKNAS!", "#VÄRDEFEL!", "#REFERENS!", "#DIVISION/0!", "#NAMN?", "#OGILTIGT!",
    "#SKÄRNING!",  # Swedish
    "#I/T", "#VÆRDI!", "#REFERENCE!", "#NAVN?", "#VERDI!",  # Danish, Norwegian
    "#PUUTTUU!", "#ARVO!", "#VIITTAUS!", "#JAKO/0!", "#NIMI?", "#LUKU!",
    "#TYHJÄ!",  # Finnish
    "#N/D!", "#ARG!", "#ADR!", "#DZIEL/0!", "#NAZWA?", "#LICZBA!", "#ZERO!",  # Polish
    "#Н/Д", "#ЗНАЧ!", "#ССЫЛКА!", "#ДЕЛ/0!", "#ИМЯ?", "#ЧИСЛО!", "#ПУСТО!",  # Russian
    "#YOK", "#DEĞER!", "#BAŞV!", "#SAYI/0!", "#AD?", "#SAYI!", "#BOŞ!",  # Turkish
    "#HODNOTA!", "#ODKAZ!", "#NÁZEV?", "#ČÍSLO!",  # Czech
    "#HIÁNYZIK", "#ÉRTÉK!", "#HIV!", "#ZÉRÓOSZTÓ!", "#NÉV?", "#SZÁM!",
    "#NULLA!",  # Hungarian
))
#: the name pandas' read_csv gives a column under an empty header cell (an index)
_PANDAS_UNNAMED = re.compile(r"Unnamed: \d+")
SOURCES = ("csv", "npz", "digits", "mnist", "fashion-mnist", "cifar10", "cifar100", "images")


def is_missing(cell: str) -> bool:
    """True for an empty cell or one of NA, N/A, NaN, null, ?, #N/A, #NA, <NA>, an Excel
    formula's error in English or another language (#DIV/0!, #VALUE!, #NV, #WERT!, ...) or
    SAS's and Stata's "." (any case)."""
    return cell.lower() in MISSING_TOKENS


def absent(cell: Any) -> bool:
    """Whether a cell of a frame or an array is a missing value: None, NaN (float or
    NumPy), NaT, or pandas' ``pd.NA`` and ``pd.NaT`` (what nullable ``Int64``, ``string``
    and datetime columns hold for a missing cell)."""
    if cell is None:
        return True
    if isinstance(cell, (float, np.floating)):
        return bool(np.isnan(cell))
    if isinstance(cell, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(cell))
    return type(cell).__name__ in ("NAType", "NaTType")


def looks_continuous(values: np.ndarray, *, max_classes: int = 20,
                     max_share: float = 0.5, max_singletons: float = 0.25) -> bool:
    """Whether a label column looks like a continuous quantity rather than classes.

    True when ``values`` (N,) are numbers and either some are not integers (1.5), or
    there are more than ``max_classes`` distinct values and either they make up more than
    ``max_share`` of the rows (e.g. wine's ``proline``: 121 values in 178 rows) or more
    than ``max_singletons`` of them occur only once (scikit-learn's diabetes target:
    214 integers in 442 rows, 84 of them once; classes come with several examples each).
    Text labels are never continuous.
    """
    values = np.asarray(values)
    if values.dtype.kind not in "biuf" or values.size == 0:
        return False
    if values.dtype.kind == "f":
        finite = values[np.isfinite(values)]
        if finite.size and not np.all(finite == np.round(finite)):
            return True
    _, counts = np.unique(values, return_counts=True)
    distinct = counts.size
    return distinct > max_classes and (distinct > max_share * values.size
                                       or np.count_nonzero(counts == 1) > max_singletons * distinct)


def continuous_label_message(source: str, column: str, values: np.ndarray,
                             example: tuple[int, str] | None = None) -> str:
    """The one-line refusal of a continuous-looking label column (for callers that reuse
    :func:`looks_continuous`); ``example``: (row, text) of a label that is not an integer."""
    distinct = np.unique(values)
    shown = ", ".join(f"{v:g}" for v in distinct[:3].tolist())
    why = (f"row {example[0]}: label {cell_repr(example[1])} is not an integer; "
           if example is not None else "")
    return (f"{source}: the label column {column} looks continuous ({why}{len(distinct)} "
            f"distinct values in {len(values)} rows, e.g. {shown}); numpynn classifies, so "
            "the label must hold classes: if another column holds them, name it with "
            "`label_column` (a name or an index)")


#: header names that say "this column holds the classes" (compared lower-case, with
#: spaces, dashes and underscores removed)
LABEL_NAMES = frozenset({"class", "classes", "label", "labels", "target", "targets", "y",
                         "species", "category", "diagnosis", "outcome", "classlabel",
                         "targetclass"})


def _name_key(name: str) -> str:
    """A column name with case, spaces and punctuation aside: "Class Label" -> "classlabel"."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def named_like_a_label(name: str | None) -> bool:
    """Whether a column name is one of :data:`LABEL_NAMES` (by :func:`_name_key`)."""
    return name is not None and _name_key(name) in LABEL_NAMES


def column_label(names: Sequence[str] | None, position: int) -> str:
    """How messages name a column: ``'age' (column index 2)`` or ``column index 2``: by
    the index the options take (``--label-column``, ``--ignore-columns``, ``--id-column``:
    0 the first), so that the number a message says is the number to give a flag."""
    if names is not None and position < len(names) and names[position]:
        return f"{names[position]!r} (column index {position})"
    return f"column index {position}"


def resolve_column(spec: int | str, names: Sequence[str] | None, n_columns: int,
                   source: str, what: str) -> int:
    """A column given by name or index (negative counts from the end) -> its position; a
    number beyond the columns that is a column's name (``2020``) is that column; an index
    written as a whole float (``2.0``, as configs and notebooks write counts) that is no
    column's name is that index."""
    if isinstance(spec, (float, np.floating)) and float(spec).is_integer():
        spec = int(spec)
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, (int, np.integer, str)):
        raise InputError(f"{what} must be a column name or an integer index; got {spec!r}")
    if isinstance(spec, str):
        text = spec.strip()
        try:
            return resolve_column(int(text), names, n_columns, source, what)
        except ValueError:
            pass
        letter = _spreadsheet_letter(text, n_columns)
        if names is None:
            raise DataError(f"{source}: `{what}={spec!r}` names a column, but the file has no "
                            "header row; give the column's index instead (0 is the first)"
                            f"{letter}")
        spaced = [i for i, name in enumerate(names) if name and " ".join(name.split()) ==
                  " ".join(text.split())]
        if text not in names and len(spaced) == 1:  # 'Weight (kg)' for Excel's wrapped
            return spaced[0]  # header cell 'Weight\n(kg)': the same words, other spaces
        if text not in names and re.fullmatch(r"[+-]?\d+\.0*", text):  # '2.0': index 2
            return resolve_column(int(float(text)), names, n_columns, source, what)
        if text not in names:
            close = _closest_name(text, names)
            hint = f"; did you mean {close!r}?" if close else letter
            raise DataError(f"{source}: `{what}={spec!r}` is not a column of the file{hint} "
                            f"(names are matched exactly); its columns are "
                            f"{preview(list(names))}")
        return list(names).index(text)
    if not -n_columns <= spec < n_columns:
        if names is not None and str(spec) in names:  # a column named 2020: its name
            return list(names).index(str(spec))
        raise DataError(f"{source}: `{what}={spec}` is out of range for a file with "
                        f"{n_columns} columns; use 0..{n_columns - 1}, -1 for the last column, "
                        "or a name")
    return int(spec) % n_columns


def _spreadsheet_letter(text: str, n_columns: int) -> str:
    """For a spreadsheet's column letter (``D``, ``AB``) of a column the file has: the
    index that gives it ("; ..."); else ""."""
    if not (1 <= len(text) <= 2 and text.isascii() and text.isalpha() and text.isupper()):
        return ""
    index = 0
    for ch in text:
        index = index * 26 + ord(ch) - ord("A") + 1
    index -= 1
    if index >= n_columns:
        return ""
    return (f"; a spreadsheet's column letter? column {text} is index {index} (0 is the "
            f"first): give {index}")


def _closest_name(text: str, names: Sequence[str]) -> str | None:
    """The column name ``text`` most likely meant: the same but for case, spaces and
    punctuation, else the nearest spelling (difflib), else None."""
    import difflib

    same = [n for n in names if _name_key(n) == _name_key(text)]
    if same:
        return same[0]
    near = difflib.get_close_matches(text.lower(), [n.lower() for n in names], n=1,
                                     cutoff=0.75)
    return next(n for n in names if n.lower() == near[0]) if near else None


def _renamed(missing: Sequence[str], unexpected: Sequence[str], label: str | None = None
             ) -> str:
    """For the missing columns that an unexpected one probably is (the same name but for
    case, spaces, '_' or '-', or a close spelling): "'Sex' is probably 'sex', ...: rename
    it to the name the model knows"; "" for none. A missing ``label`` (a file to evaluate
    on) is the one unexpected column left, whatever its name ('target' for 'species')."""
    import difflib

    def plain(name: str) -> str:
        return re.sub(r"[\s_\-.]+", "", name).lower()

    pairs = []
    left = list(unexpected)
    for name in missing:
        same = [u for u in left if plain(u) == plain(name)]
        close = same or difflib.get_close_matches(name, left, n=1, cutoff=0.8)
        if close:
            pairs.append(f"{close[0]!r} is probably {name!r}")
            left.remove(close[0])
    if label is not None and label in missing and not any(
            p.endswith(f"is probably {label!r}") for p in pairs) and len(left) == 1:
        pairs.append(f"{left[0]!r} is probably the label {label!r}")
    if not pairs:
        return ""
    return (", ".join(pairs) + ": rename " + ("it" if len(pairs) == 1 else "them")
            + " to the name the model knows")


@dataclass
class TableRecipe:
    """How a table's columns become a model's inputs (see the module docstring).

    Attributes:
        source: "csv", or the kind of another data source (then only ``n_features``
            is used and :meth:`encode` is the identity).
        n_features: F, the number of feature columns (raw features).
        delimiter: the CSV field separator.
        header: whether the training file had a header row.
        columns: names of all columns of the training file (None without a header).
        n_columns: number of columns of the training file.
        label: position of the label column in the training file (None: no label).
        ignored: positions of the ignored columns.
        features: positions of the F feature columns in the training file, in order.
        categorical: feature number (0..F-1) -> its categories (sorted strings); fitted
            on the training rows.
        impute: "none" (a missing cell is an error) or "median" (a missing number gets
            the training median, a missing text cell the most frequent training category).
        medians: per feature, the training median of a numeric column (None for
            categorical ones); set when fitted with ``impute="median"``.
        modes: text feature number -> its most frequent training category (ties: the
            first in sorted order); set when fitted with ``impute="median"``.
        handle_unknown: "error" or "ignore" (an unseen category becomes all zeros).
        header_given: ``header`` was given by the user (``--header yes|no``), not
            detected: new files are read the same way.
        thousands_points: feature numbers whose training column wrote decimal commas
            (``1.234,5``): in new files separated by ; or tab a point groups thousands
            there (``12.345`` is 12345) even when none of their cells has a comma; a new
            file's own cells never add one (a model reads as it was trained).
        label_thousands_points: the regression target's training column wrote decimal
            commas: its new values are read the same way.
    """

    source: str = "csv"
    n_features: int = 0
    delimiter: str = ","
    header: bool = False
    columns: list[str] | None = None
    n_columns: int = 0
    label: int | None = None
    ignored: list[int] = field(default_factory=list)
    features: list[int] = field(default_factory=list)
    categorical: dict[int, list[str]] = field(default_factory=dict)
    impute: str = "none"
    medians: list[float | None] | None = None
    handle_unknown: str = "error"
    modes: dict[int, str] = field(default_factory=dict)
    header_given: bool = False
    thousands_points: list[int] = field(default_factory=list)
    label_thousands_points: bool = False

    def __post_init__(self) -> None:
        if self.impute not in IMPUTE:
            raise InputError(f"impute must be one of {list(IMPUTE)}; got {self.impute!r}")
        if self.handle_unknown not in HANDLE_UNKNOWN:
            raise InputError(f"handle_unknown must be one of {list(HANDLE_UNKNOWN)}; "
                             f"got {self.handle_unknown!r}")

    # ------------------------------------------------------------------ description
    @property
    def feature_names(self) -> list[str] | None:
        """Names of the F feature columns (None for a file without a header)."""
        if self.columns is None:
            return None
        return [self.columns[p] for p in self.features]

    @property
    def label_name(self) -> str | None:
        if self.columns is None or self.label is None:
            return None
        return self.columns[self.label]

    @property
    def n_outputs(self) -> int:
        """D, the number of model inputs after one-hot encoding."""
        return self.n_features + sum(len(c) - 1 for c in self.categorical.values())

    def one_hot_columns(self) -> list[int]:
        """The model inputs (indices into the D encoded columns) that one-hot encode a
        text column: 0/1 indicators, which preprocessing leaves as they are."""
        columns, at = [], 0
        for j in range(self.n_features):
            width = len(self.categorical[j]) if j in self.categorical else 1
            if j in self.categorical:
                columns.extend(range(at, at + width))
            at += width
        return columns if self.source == "csv" else []

    def feature_label(self, j: int) -> str:
        """How messages name feature ``j``: its name and column number in the file."""
        return column_label(self.columns, self.features[j]) if self.features else (
            f"feature {j + 1}")

    # ----------------------------------------------------------------------- fitting
    def fit(self, X: np.ndarray, file_categories: Mapping[int, Sequence[str]] | None = None,
            *, impute: str | None = None, handle_unknown: str | None = None) -> TableRecipe:
        """A fitted copy: categories and medians from the training rows ``X`` (N, F).

        ``X`` holds codes into ``file_categories`` (the categories of the whole file,
        default the recipe's own) for the categorical columns; the fitted categories
        are those that occur in ``X``, sorted. Call :meth:`recode` afterwards on every
        split to express its codes in the fitted categories.
        """
        impute = self.impute if impute is None else impute
        handle_unknown = self.handle_unknown if handle_unknown is None else handle_unknown
        file_categories = self.categorical if file_categories is None else file_categories
        X = np.asarray(X, dtype=np.float64)
        categorical: dict[int, list[str]] = {}
        for j, cats in file_categories.items():
            codes = X[:, j]
            present = np.unique(codes[np.isfinite(codes) & (codes >= 0)]).astype(np.int64)
            categorical[j] = sorted(str(cats[k]) for k in present)
            if not categorical[j]:
                raise DataError(f"the categorical {self.feature_label(j)} has no value in the "
                                "training split; fill it in or ignore the column "
                                "(`ignore_columns`)")
        medians: list[float | None] | None = None
        modes: dict[int, str] = {}
        if impute == "median":
            medians = []
            for j in range(self.n_features):
                if j in categorical:
                    medians.append(None)
                    codes = X[:, j]
                    codes = codes[np.isfinite(codes) & (codes >= 0)].astype(np.int64)
                    names = np.asarray([str(c) for c in file_categories[j]], dtype=object)
                    found, counts = np.unique(names[codes], return_counts=True)
                    modes[j] = str(found[np.argmax(counts)])
                    continue
                column = X[:, j]
                column = column[~np.isnan(column)]
                if column.size == 0:
                    raise DataError(f"{self.feature_label(j)} has no value in the training "
                                    "split, so it has no median; fill it in or ignore the "
                                    "column (`ignore_columns`)")
                medians.append(float(np.median(column)))
        return replace(self, categorical=categorical, impute=impute, medians=medians,
                       modes=modes, handle_unknown=handle_unknown)

    def recode(self, X: np.ndarray, file_categories: Mapping[int, Sequence[str]],
               *, part: str = "data") -> np.ndarray:
        """Map the categorical codes of ``X`` (N, F) from ``file_categories`` to this
        (fitted) recipe's categories, in place; returns X. A category not seen in
        training becomes -1, or raises with ``handle_unknown="error"``."""
        for j, cats in file_categories.items():
            codes = X[:, j]
            finite = ~np.isnan(codes)
            mapped = self._category_lookup(j, cats)[codes[finite].astype(np.int64)]
            if self.handle_unknown == "error" and (mapped < 0).any():
                unseen = sorted({str(cats[int(k)]) for k in codes[finite][mapped < 0]})
                raise DataError(
                    f"{self.feature_label(j)}: category {preview(unseen)} occurs in the "
                    f"{part} but not in the training split, so it has no one-hot column; "
                    "use `handle_unknown='ignore'` (all-zero encoding) or more data")
            codes[finite] = mapped
            X[:, j] = codes
        return X

    def _category_lookup(self, j: int, file_categories: Sequence[str]) -> np.ndarray:
        """File category code -> this recipe's code for feature ``j`` (-1: not seen in
        training), with a last entry -1."""
        known = {c: i for i, c in enumerate(self.categorical.get(j, []))}
        return np.array([known.get(str(c), -1) for c in file_categories] + [-1],
                        dtype=np.float64)

    def fit_splits(self, X_train: np.ndarray, held_out: Sequence[tuple[str, np.ndarray]],
                   *, impute: str, handle_unknown: str
                   ) -> tuple[TableRecipe, list[np.ndarray], list[str]]:
        """Fit on the training split ``X_train`` (N, F) of this file's rows, then encode it
        and each ``(name, X)`` held-out split: (the fitted recipe, the encoded splits in
        order, notes).

        The categories are the user's whole file's, not the training split's: a rare
        value that numpynn's own random split put in the validation or test rows only
        keeps its one-hot column (all zeros in the training split, so the network trained
        there learns nothing of it; the final fit on every row does), and files given to
        the model later may hold it. Medians and most frequent categories, which fill
        missing cells, come from the training split alone. ``handle_unknown`` rules the
        files given to the model later.
        """
        file_categories = self.categorical
        parts = [X_train, *(X for _, X in held_out)]
        fitted = self.fit(X_train, file_categories, impute=impute,
                          handle_unknown=handle_unknown)
        whole = self.fit(np.concatenate(parts) if len(parts) > 1 else X_train,
                         file_categories, impute="none", handle_unknown=handle_unknown)
        fitted = replace(fitted, categorical=whole.categorical)
        encoded = [fitted.encode(fitted.recode(X, file_categories, part=name))
                   for name, X in [("training split", X_train), *held_out]]
        filled = fitted.filled_note(parts)
        return fitted, encoded, [filled] if filled else []

    def filled_note(self, parts: Sequence[np.ndarray]) -> str | None:
        """The note naming the missing cells of ``parts`` (raw features (N, F) each) that
        ``impute="median"`` fills, column by column with what they get; None if none."""
        if self.impute != "median":
            return None
        filled = []
        for j in range(self.n_features):
            count = sum(int(np.isnan(np.asarray(X[:, j], dtype=np.float64)).sum())
                        for X in parts)
            if not count:
                continue
            value = (f"the most frequent category {cell_repr(self.modes[j])}" if j in self.modes
                     else f"the median {self.medians[j]:.6g}")
            filled.append(f"{self.feature_label(j)}: {count:,} with {value}")
        if not filled:
            return None
        shown = "; ".join(filled[:6]) + (f"; and {len(filled) - 6} more column(s)"
                                          if len(filled) > 6 else "")
        return (f"note: missing cells filled from the training split ({shown}); "
                "`impute='none'` refuses missing cells instead.")

    # ---------------------------------------------------------------------- applying
    def encode(self, X: np.ndarray) -> np.ndarray:
        """Raw features (N, F) in recipe space -> model inputs (N, D) float64.

        Missing numeric cells get the training median and missing text cells the most
        frequent training category (``impute="median"``); otherwise a missing text cell,
        and (with ``handle_unknown="ignore"``) an unseen category, get all-zero one-hot
        columns.
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise InputError(f"expected raw features of shape (N, {self.n_features}) "
                             f"(one column per feature column); got shape {X.shape}")
        if self.source != "csv" or (not self.categorical and self.impute == "none"):
            return X
        X = X.astype(np.float64, copy=False)
        out = np.zeros((X.shape[0], self.n_outputs), dtype=np.float64)
        at = 0
        for j in range(self.n_features):
            column = X[:, j]
            cats = self.categorical.get(j)
            if cats is None:
                missing = np.isnan(column)
                if missing.any():
                    if self.medians is None:
                        row = int(np.argmax(missing))
                        raise DataError(f"{self.feature_label(j)}: row {row} of the data is "
                                        "missing a value; fill it in or train with "
                                        "`impute='median'`")
                    column = np.where(missing, self.medians[j], column)
                out[:, at] = column
                at += 1
                continue
            if j in self.modes:
                column = np.where(np.isnan(column), cats.index(self.modes[j]), column)
            ok = np.isfinite(column) & (column >= 0)
            if self.handle_unknown == "error" and (np.isfinite(column) & (column < 0)).any():
                raise DataError(f"{self.feature_label(j)}: a category not seen in training; "
                                "use handle_unknown='ignore' for an all-zero encoding")
            rows = np.flatnonzero(ok)
            out[rows, at + column[ok].astype(np.int64)] = 1.0
            at += len(cats)
        return out

    def cells_to_raw(self, rows: Any, *, source: str = "rows") -> np.ndarray:
        """Table rows as a user has them -> raw features (N, F) in recipe space.

        ``rows``: a pandas DataFrame (columns matched by name when the recipe has names;
        the label and ignored columns may be present), one row as a Series or a dict
        ``{column: cell}``, a dict ``{column: cells}``, a list of such records (JSON's
        rows), or a 2-D sequence / array of
        cells (numbers or strings) with the F feature columns in training order.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is optional
            pd = None
        if pd is not None and isinstance(rows, pd.Series) and self.feature_names is not None:
            rows = rows.to_frame().T  # one row, its cells named by the series' index
        if (pd is not None and isinstance(rows, list) and rows
                and all(isinstance(r, Mapping) for r in rows)):  # records: one dict a row
            rows = pd.DataFrame(rows)
        if pd is not None and isinstance(rows, Mapping):  # {column: cells} or one record
            rows = pd.DataFrame(rows if all(np.ndim(v) == 1 for v in rows.values())
                                else [rows])
        if pd is not None and isinstance(rows, pd.DataFrame):
            names = [str(c) for c in rows.columns]
            if self.feature_names is not None:
                # the index of a file that pandas wrote, read back without index_col=0:
                # 'Unnamed: 0' (its header cell was empty), never one of the features
                index = {n for n in names if _PANDAS_UNNAMED.fullmatch(n)
                         and n not in self.feature_names}
                order = self.match_names(
                    names, source, labelled=False, extra=index,
                    fix=f"select the model's columns first: rows[{self.feature_names!r}]")
            else:
                order = list(range(len(names)))
                if len(names) != self.n_features:
                    raise DataError(f"{source} has {len(names)} columns but the model "
                                    f"expects {self.n_features} features")
            columns = [rows.iloc[:, p].to_numpy() for p in order]
        else:
            arr = np.asarray(rows, dtype=object)
            if arr.ndim != 2 or arr.shape[1] != self.n_features:
                raise DataError(f"{source}: expected rows of {self.n_features} feature cells "
                                f"(shape (N, {self.n_features})); got shape {arr.shape}")
            columns = [arr[:, j] for j in range(self.n_features)]
        X = np.empty((len(columns[0]) if columns else 0, self.n_features), dtype=np.float64)
        for j, column in enumerate(columns):
            for i, cell in enumerate(column.tolist()):
                X[i, j] = self.cell_value(j, cell, f"{source}: row {i}")  # 0-based
        return X

    def cell_value(self, j: int, cell: Any, where: str) -> float:
        """One cell of feature ``j`` (a string or a number) -> its recipe-space value."""
        cats = self.categorical.get(j)
        if absent(cell):
            return math.nan
        if isinstance(cell, str):
            text = composed(cell.strip())
            if is_missing(text):
                return math.nan
        else:
            text = format_number(cell) if cats is not None else ""
        if cats is not None:
            try:
                return float(cats.index(text))
            except ValueError:
                if self.handle_unknown == "ignore":
                    return -1.0
                raise DataError(
                    f"{where}, {self.feature_label(j)}: category {cell_repr(text)} was not seen in "
                    f"training (known: {preview(cats)}); fix the value, or train with "
                    "`handle_unknown='ignore'` to encode unseen categories as all zeros"
                ) from None
        try:
            value = float(cell)
        except (TypeError, ValueError):
            # text as the CSV reader takes it ("1,234", a date); a datetime or Timestamp
            parsed = (number_value(text, False) if isinstance(cell, str) else
                      date_value(cell.isoformat()) if hasattr(cell, "isoformat") else None)
            if parsed is None:
                raise DataError(f"{where}, {self.feature_label(j)}: cannot read "
                                f"{cell_repr(cell)} as a number; this column was numeric in "
                                "the training data") from None
            value = parsed
        return value

    def match_names(self, names: Sequence[str], source: str, *, labelled: bool,
                    extra: Iterable[str] = (), fix: str | None = None) -> list[int]:
        """Positions in ``names`` (a new file's header) of the F feature columns.

        The label column (required when ``labelled``), ignored columns and ``extra``
        ones (this file's to leave out) may be present; any other column, or a feature
        column that is absent, is an error naming them (``fix``: what to do about an
        unexpected one, where the file's reading options do not apply: a frame).
        """
        # "Äpfel" typed on macOS (decomposed) is the same name: compared composed
        wanted = [composed(n) for n in self.feature_names or []]
        names = [composed(n) for n in names]
        label_name = None if self.label_name is None else composed(self.label_name)
        duplicates = sorted({n for n in names if list(names).count(n) > 1})
        if duplicates:
            raise DataError(f"{source}: the header names {preview(duplicates)} more than once; "
                            "give every column a distinct name")
        allowed = (set(wanted) | {composed(self.columns[p]) for p in self.ignored
                                  if self.columns}
                   | {composed(n) for n in extra})
        if label_name is not None:
            allowed.add(label_name)
        missing = [n for n in wanted if n not in names]
        if labelled and label_name is not None and label_name not in names:
            missing.append(label_name)
        unexpected = [n for n in names if n not in allowed]
        if labelled and missing == [label_name] and not unexpected:  # a test file
            raise DataError(
                f"{source}: missing column(s) {preview(missing)}, the label: the file has "
                "the model's feature columns only (a test file without its answers?); "
                "evaluating needs the labels to compare with; for predictions of such a "
                "file use numpynn predict.")
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing column(s) {preview(missing)}")
            if unexpected:
                parts.append(f"unexpected column(s) {preview(unexpected)}")
            renamed = _renamed(missing, unexpected,
                               label=label_name if labelled else None)
            raise DataError(
                f"{source}: {' and '.join(parts)}; the model was trained on the columns "
                f"{preview(wanted)}"
                + (f" with the label {label_name!r}" if label_name else "")
                + " (matched by name, in any order)"
                + (f"; {renamed}" if renamed else "")
                + ((f"; {fix}" if fix is not None else
                    "; leave other columns out with `ignore_columns`"
                    + ("" if labelled else ", or carry one to the output with `id_column`"))
                   if unexpected else ""))
        return [list(names).index(n) for n in wanted]

    # ---------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable description (categorical keys become strings); the label
        and feature names are repeated for people reading the header (not read back)."""
        return {
            "source": self.source, "n_features": self.n_features,
            "label_name": self.label_name, "feature_names": self.feature_names,
            "delimiter": self.delimiter, "header": self.header, "columns": self.columns,
            "n_columns": self.n_columns, "label": self.label, "ignored": self.ignored,
            "features": self.features,
            "categorical": {str(j): cats for j, cats in self.categorical.items()},
            "impute": self.impute, "medians": self.medians,
            "modes": {str(j): mode for j, mode in self.modes.items()},
            "handle_unknown": self.handle_unknown,
            **({"header_given": True} if self.header_given else {}),
            **({"thousands_points": self.thousands_points} if self.thousands_points else {}),
            **({"label_thousands_points": True} if self.label_thousands_points else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableRecipe:
        """Rebuild a recipe from :meth:`to_dict`; inconsistent data raise ValueError."""
        if not isinstance(data, Mapping):
            raise ValueError("the data recipe is not a JSON object")
        source = data.get("source")
        if source not in SOURCES:
            raise ValueError(f"unknown data source {source!r} in the recipe")
        n = _int(data.get("n_features"), "n_features")
        if source != "csv":
            return cls(source=source, n_features=n)
        n_columns = _int(data.get("n_columns"), "n_columns")
        features = [_int(p, "features") for p in data.get("features", [])]
        ignored = [_int(p, "ignored") for p in data.get("ignored", [])]
        label = data.get("label")
        label = None if label is None else _int(label, "label")
        columns = data.get("columns")  # names and categories composed as files read them
        if isinstance(columns, list):
            columns = [composed(c) if isinstance(c, str) else c for c in columns]
        categorical = {int(j): [composed(str(c)) for c in cats]
                       for j, cats in dict(data.get("categorical") or {}).items()}
        medians = data.get("medians")
        used = features + ignored + ([] if label is None else [label])
        if (len(features) != n or sorted(used) != list(range(n_columns))
                or any(not 0 <= j < n or not cats for j, cats in categorical.items())
                or (columns is not None and (len(columns) != n_columns or not all(
                    isinstance(c, str) for c in columns)))
                or (medians is not None and len(medians) != n)):
            raise ValueError("the data recipe's columns are inconsistent")
        modes = {int(j): composed(str(m)) for j, m in dict(data.get("modes") or {}).items()}
        if any(j not in categorical or m not in categorical[j] for j, m in modes.items()):
            raise ValueError("the data recipe's most frequent categories are inconsistent")
        if medians is not None:
            medians = [None if m is None else float(m) for m in medians]
            if any(m is not None and not math.isfinite(m) for m in medians):
                raise ValueError("the data recipe's medians are not finite")
        thousands_points = [_int(j, "thousands_points")
                            for j in data.get("thousands_points") or []]
        if any(not 0 <= j < n or j in categorical for j in thousands_points):
            raise ValueError("the data recipe's columns with decimal commas are inconsistent")
        delimiter = data.get("delimiter", ",")
        if delimiter not in (",", ";", "\t", "|", " ") and not (
                isinstance(delimiter, str) and len(delimiter) == 1):
            raise ValueError(f"bad delimiter {delimiter!r} in the recipe")
        return cls(source="csv", n_features=n, delimiter=delimiter,
                   header=bool(data.get("header")), columns=columns, n_columns=n_columns,
                   label=label, ignored=ignored, features=features, categorical=categorical,
                   impute=data.get("impute", "none"), medians=medians, modes=modes,
                   handle_unknown=data.get("handle_unknown", "error"),
                   header_given=data.get("header_given") is True,
                   thousands_points=thousands_points,
                   label_thousands_points=data.get("label_thousands_points") is True)


def format_number(value: Any) -> str:
    """A number as a CSV would show it: 3 for 3 and 3.0, 2.5 for 2.5."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    number = float(value)
    if math.isfinite(number) and number.is_integer():
        return str(int(number))
    return repr(number)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"recipe field {what} is not a non-negative integer: {value!r}")
    return value
