"""Small file-system checks shared by the readers; each problem becomes a DataError."""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
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


def join_recipe(files: Sequence[str], pattern: str | None = None) -> str:
    """The shell line that joins CSV ``files`` (each with its header; ``pattern``: the
    shell pattern that names them, written instead of the list) into one table."""
    shown = pattern if pattern is not None else " ".join(shlex.quote(f) for f in files)
    return f"(head -n 1 {shlex.quote(files[0])}; tail -n +2 -q {shown}) > all.csv"


#: how many of a directory's entries are looked at for its data files
_MAX_LOOKED_AT = 2000


def directory_hint(path: str | os.PathLike[str]) -> str:
    """What a directory given as a data file holds, as the end of a sentence: its one
    data file (", e.g. DIR/data.csv"), or its CSV files, the parts of one table as Spark,
    Dask or Hive write them (``part-00000-....csv`` beside ``_SUCCESS``), with the line
    that joins them; "" for a directory of none."""
    try:
        names = sorted(e.name for i, e in zip(range(_MAX_LOOKED_AT), os.scandir(path))
                       if e.is_file() and not e.name.startswith((".", "_")))
    except OSError:
        return ""
    tables = [n for n in names if n.lower().endswith((".csv", ".tsv", ".csv.gz", ".npz"))]
    if len(tables) == 1:
        return f": it holds {os.path.join(path, tables[0])}"
    csvs = [os.path.join(path, n) for n in tables if n.lower().endswith(".csv")]
    parts = [n for n in names if n.startswith("part-")]
    if len(csvs) > 1 or len(parts) > 1:
        files = csvs if len(csvs) > 1 else [os.path.join(path, n) for n in parts]
        whose = "the parts of one table (as Spark or Dask write it)" if parts else "tables"
        shown = ", ".join(os.path.basename(f) for f in files[:3]) + (
            f", ... ({len(files)} files)" if len(files) > 3 else "")
        ext = os.path.splitext(files[0])[1]
        pattern = os.path.join(shlex.quote(os.fspath(path)), f"part-*{ext}" if parts
                               else f"*{ext}")
        return (f"; it holds {len(files)} files, {whose}: {shown}; numpynn reads one: give "
                f"one, or join them into one first: {join_recipe(files, pattern)}")
    return ""


def shell_meant(path: str | os.PathLike[str]) -> str | None:
    """For a missing relative ``path`` that climbs with ``..`` from a directory the shell
    entered through a symbolic link ($PWD ``/data/link`` for the real ``/store/x/y``): the
    file the shell (and its completion) reads it as, where that exists; else None. The
    program's ``..`` is the real directory's parent, as for every program."""
    path = Path(path)
    logical = os.environ.get("PWD", "")
    if path.is_absolute() or ".." not in path.parts or not os.path.isabs(logical):
        return None
    try:
        cwd = os.getcwd()
        if logical == cwd or not os.path.samefile(logical, cwd):
            return None
    except OSError:
        return None
    meant = os.path.normpath(os.path.join(logical, path))
    return meant if os.path.exists(meant) else None


def not_found_where(path: str | os.PathLike[str]) -> str:
    """Where a missing relative ``path`` was looked for, said after "not found: PATH":
    " (relative to CWD)", and where the shell's ``..`` reads it as a file that exists
    (:func:`shell_meant`), that file; "" for an absolute path."""
    if Path(path).is_absolute():
        return ""
    cwd, meant = Path.cwd(), shell_meant(path)
    if meant is None:
        return f" (relative to {cwd})"
    return (f" (relative to {cwd}, which the shell calls {os.environ['PWD']}: it was "
            "entered through a symbolic link, and '..' is the parent of the real "
            f"directory, not of the link; the file as the shell reads the path is {meant}: "
            "give that)")


def require_file(path: Path, what: str = "file") -> Path:
    """Check that ``path`` is an existing regular file."""
    if dangling_link(path):
        raise DataError(f"{what}: {dangling_link(path)}")
    if not path.exists():
        raise DataError(f"{what} not found: {path}; check the path{not_found_where(path)}")
    if path.is_dir():
        raise DataError(
            f"{path} is a directory, but a {what} was expected; name the file inside it"
            f"{directory_hint(path)}"
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
