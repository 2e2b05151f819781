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


class DivergenceError(NumpynnError, RuntimeError):
    """Training produced a non-finite loss; the last good parameters were kept."""
