"""Small file-system checks shared by the readers; each problem becomes a DataError."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DataError, in_memory_hint, shown


def as_path(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a :class:`Path`, refusing values that are not paths."""
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"expected a file or directory path, got {type(path).__name__} "
                        f"{shown(path)}.{in_memory_hint(path)}")
    return Path(path)


def dangling_link(path: str | os.PathLike[str]) -> str | None:
    """"P is a symbolic link to T, which does not exist (...)" when ``path`` is a link
    whose target is gone (``ls`` lists it, so "not found" alone misleads); else None."""
    if not os.path.islink(path) or os.path.exists(path):
        return None
    return (f"{os.fspath(path)} is a symbolic link to {os.readlink(path)}, which does not "
            "exist (moved or deleted?); point the link at it again, or give its new path")


def require_file(path: Path, what: str = "file") -> Path:
    """Check that ``path`` is an existing regular file."""
    if dangling_link(path):
        raise DataError(f"{what}: {dangling_link(path)}")
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
    if dangling_link(path):
        raise DataError(f"{what}: {dangling_link(path)}")
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


#: lines that say a text file is not the data itself: a web page saved instead of the
#: file (GitHub's page around a CSV, a login or error page), a Git LFS pointer
_NOT_THE_DATA = (
    (("<!doctype html", "<html"),
     "a web page (HTML), not the data: a download that saved the page around the "
     "file (GitHub's page, a login or error page)? Download the raw file (GitHub: the Raw "
     "button, a raw.githubusercontent.com address) and give it"),
    (("version https://git-lfs.github.com/spec/",),
     "a Git LFS pointer, not the data: the repository keeps the file in Git LFS; fetch it "
     "with git lfs pull (Git LFS installed), then give it again"),
)


def not_the_data(start: bytes) -> str | None:
    """What a file whose first bytes are ``start`` is instead of data, where they say it
    (:data:`_NOT_THE_DATA`: a web page, a Git LFS pointer), as "a ..." with the fix; else
    None."""
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").decode("utf-8", "replace").lower()
    for starts, what in _NOT_THE_DATA:
        if text.startswith(starts):
            return what
    return None
