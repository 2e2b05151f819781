"""Small file-system checks shared by the readers; each problem becomes a DataError."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DataError


def as_path(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a :class:`Path`, refusing values that are not paths."""
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"expected a file or directory path, got {type(path).__name__} {path!r}")
    return Path(path)


def require_file(path: Path, what: str = "file") -> Path:
    """Check that ``path`` is an existing regular file."""
    if not path.exists():
        where = "" if path.is_absolute() else f" (relative to {Path.cwd()})"
        raise DataError(f"{what} not found: {path}; check the path{where}")
    if path.is_dir():
        raise DataError(
            f"{path} is a directory, but a {what} was expected; name the file inside it"
        )
    if not path.is_file():
        raise DataError(f"{path} is not a regular file (expected a {what}); give a file path")
    return path


def require_dir(path: Path, what: str = "directory") -> Path:
    """Check that ``path`` is an existing directory."""
    if not path.exists():
        raise DataError(f"{what} not found: {path}; check the path")
    if not path.is_dir():
        raise DataError(
            f"{path} is a file, but a {what} was expected; give the directory "
            "that holds the data set's files"
        )
    return path


def read_bytes(path: Path, what: str = "file") -> bytes:
    """Return the whole content of the file ``path``."""
    require_file(path, what)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
