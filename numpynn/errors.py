"""Exception types. Every error caused by a user's input is an :class:`InputError`.

``InputError`` subclasses ``ValueError`` so that Python callers can catch the usual
type; the CLI turns it into a one-line message and exit code 2.
"""

from __future__ import annotations


class NumpynnError(Exception):
    """Base class of every error numpynn raises on purpose."""


class InputError(NumpynnError, ValueError):
    """Bad user input: an argument, an option value or the contents of a file.

    ``param`` names the library parameter at fault (``"lr"``, ``"out"``, ...), or is None.
    Messages write parameters as the library spells them, in backquotes (```lr```,
    ```split='all'```); the CLI rewrites those to its flags (``--lr``, ``--split all``).
    """

    def __init__(self, message: str = "", param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class UnknownParameterError(InputError, TypeError):
    """A keyword argument that a numpynn class does not take (``MLPClassifier(alpha=...)``):
    a TypeError, as Python's own for an unexpected keyword, and an InputError whose
    message names numpynn's parameter for it."""


class DataError(InputError):
    """A data file or directory cannot be read as the data set it claims to be."""


class ModelFileError(InputError):
    """A model or checkpoint file is missing, truncated, tampered with or foreign."""


class SearchError(NumpynnError):
    """The search ran but produced nothing usable (e.g. every trial failed), or could not
    go on (a worker process of its pool was killed)."""


class DivergenceError(NumpynnError, RuntimeError):
    """Training produced a non-finite loss; the last good parameters were kept."""


def shown(value: object, limit: int = 60) -> str:
    """``value`` as one short piece of a one-line message: its repr where that is short
    and of one line (``'wine.csv'``, ``0.001``), else its type and shape where it has one
    (``DataFrame of shape (150, 4)``: a frame's or array's repr runs to many lines), else
    the start of its repr (``<object at ...> ...``)."""
    try:
        text = repr(value)
    except Exception:  # a repr that fails must not hide the error being reported
        text = f"<{type(value).__name__}>"
    if len(text) <= limit and "\n" not in text:
        return text
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple):
        return f"{type(value).__name__} of shape {shape}"
    return text.splitlines()[0][:limit].rstrip() + " ..." if text else text


def in_memory_hint(value: object) -> str:
    """For a table or array given where a path or data spec goes: what to do instead
    ("" for other values)."""
    if not hasattr(value, "shape"):
        return ""
    return (" A table or array in memory: fit numpynn.MLPClassifier or MLPRegressor on it "
            "(X, y), or write it to a file first, e.g. df.to_csv('data.csv', index=False) "
            "or np.savez('data.npz', X=X, y=y).")
