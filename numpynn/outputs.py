"""Where numpynn writes: one policy for every output path.

Every file the library or the CLI writes goes through :func:`write_path`, which looks at
what is at the target first (:func:`classify`) and then:

==============================  ===========================================================
target                          behaviour
==============================  ===========================================================
missing, or a regular file      atomic replace: a temporary file beside it
                                (``.NAME.PID.RANDOM.tmp``), flushed, fsynced, renamed over it
a symbolic link                 the link is kept; its target gets the policy of its kind
                                (a regular file behind the link is replaced atomically)
a FIFO (named pipe)             written through; refused at once when no process reads it
a character or block device     written through (``/dev/null``, ``/dev/stdout``, a tty)
``-``                           standard output
a directory                     refused
an input of the same command    refused (the model or data file being read, a checkpoint,
                                a file inside a data directory being read)
==============================  ===========================================================

Every path a command reads is named by one resolution first (:func:`input_paths`): ``~``
expanded, made absolute, links followed, and a run directory given for its model turned
into the ``model.npz`` in it, so no second name of an input (``run`` for
``run/model.npz``, ``~/d.csv`` for ``/home/me/d.csv``, a link) slips past the check.

:func:`check_output` applies the same checks without writing, so that a command can refuse
a bad output path before it starts working.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InputError

STDOUT = "-"
TEMP_SUFFIX = ".tmp"
#: a run's files being moved into place (``numpynn.runs.files.StagedOutputs.commit``): a
#: killed process's is finished by the next command, never removed as stale
COMMIT_PREFIX = ".commit."
#: in a commit's directory: the order of its moves and the files to remove after them
COMMIT_MANIFEST = ".manifest.json"
_COMMITTING: set[Path] = set()  # this process's commits under way (another thread's)
#: The directories this process made a temporary file or staging directory in, and those
#: of them still in use: an interrupt that lands between making one and guarding it (a
#: few bytecodes inside ``mkstemp``, or a ``with`` block's ``__enter__``) leaves it
#: unguarded, and :func:`remove_own_temp_files` finds it by the PID in its name.
_TEMP_PARENTS: set[Path] = set()
_LIVE_TEMPS: dict[str, int] = {}  # path -> the thread that made it

#: The kinds :func:`classify` returns.
KINDS = ("stdout", "missing", "file", "symlink", "fifo", "device", "directory", "other")


def classify(path: str | os.PathLike[str], follow: bool = False) -> str:
    """What is at ``path`` now: one of :data:`KINDS`; a symlink is reported as such unless
    ``follow``, which gives the kind of what it points to ("missing" when dangling)."""
    if os.fspath(path) == STDOUT:
        return "stdout"
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        return "missing"
    except NotADirectoryError:
        return "missing"  # a parent is a file: creating it fails with a clear message later
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


_KIND_WORDS = {"file": "a file", "fifo": "a FIFO (named pipe)", "missing": "nothing",
               "device": "a character or block device", "directory": "a directory",
               "other": "a socket or another special file"}


def what_is_there(path: str | os.PathLike[str]) -> str:
    """What is at ``path`` where a directory is wanted, in words for a message: "a file",
    "a symbolic link to X, which does not exist", "a character or block device", ..."""
    kind = classify(path)
    if kind != "symlink":
        return _KIND_WORDS.get(kind, kind)
    target, followed = os.readlink(path), classify(path, follow=True)
    if followed == "missing":
        return f"a symbolic link to {target}, which does not exist"
    return f"a symbolic link to {target}, {_KIND_WORDS.get(followed, followed)}"


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when ``a`` and ``b`` name the same file (links and ``..`` resolved)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


#: the file a run directory given as a model stands for (``numpynn predict RUN_DIR``)
RUN_MODEL_FILE = "model.npz"


def nonempty_path(path: str | os.PathLike[str], what: str) -> str | os.PathLike[str]:
    """``path`` itself; InputError when it is empty (an unset shell variable, ``--out ""``),
    which ``pathlib`` would silently turn into the current directory."""
    if not isinstance(path, (str, os.PathLike)):
        opened = (" numpynn opens the file itself, to replace it whole or not at all: give "
                  "its path." if hasattr(path, "write") or hasattr(path, "read") else "")
        raise InputError(f"{what} must be a path (a str or pathlib.Path); got "
                         f"{type(path).__name__} {path!r:.60}.{opened}")
    if os.fspath(path) in ("", b""):
        raise InputError(f"{what} is empty ({path!r}); give a path (an unset shell variable "
                         "expands to nothing: check it).")
    return path


def expanded(path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """``path`` with a leading ``~`` expanded (``save_model("~/m.npz", ...)``): what every
    reader does (:func:`numpynn.model_file.read_container`, data specs, ``out``), so that a
    file written is found where it is read back, not under a directory named ``~``."""
    text = os.fspath(path)
    return path if not text.startswith("~") else os.path.expanduser(text)


def output_directory(path: str | os.PathLike[str], what: str = "`out`") -> Path:
    """The directory ``path`` that receives a command's files (a run's, a search's), ``~``
    expanded; InputError when it is empty or ``-``: standard output, where a file goes
    (``predict --output -``), cannot hold a directory's files, and a directory named
    ``-`` is one a shell cannot even name without ``./-``."""
    path = expanded(nonempty_path(path, what))
    if os.fspath(path) == STDOUT:
        raise InputError(f"{what} - is standard output, which cannot hold the files this "
                         "command writes (model.npz, history.json, report.html, ...); give "
                         "a directory, such as ./run.")
    return Path(path)


def input_paths(paths: Iterable[str | os.PathLike[str] | None],
                run_dir_model: bool = False) -> list[str]:
    """The one resolution of the paths a command reads, for :func:`check_output`: each
    path with ``~`` expanded (links and relative parts are resolved by the comparison,
    :func:`same_file`); with ``run_dir_model``, a directory holding ``model.npz`` (a run
    directory given for its model) becomes that file. ``None`` and ``-`` are left out."""
    resolved = []
    for p in paths:
        if p is None or os.fspath(p) == STDOUT:
            continue
        text = os.path.expanduser(os.fspath(p))
        if run_dir_model and os.path.isdir(text) and os.path.isfile(
                os.path.join(text, RUN_MODEL_FILE)):
            text = os.path.join(text, RUN_MODEL_FILE)
        resolved.append(text)
    return resolved


def _reads(path: str | os.PathLike[str], source: str | os.PathLike[str]) -> bool:
    """Whether writing ``path`` would replace the input ``source``: the same file, or an
    existing file inside ``source`` when it is a directory (a data directory)."""
    if same_file(path, source):
        return True
    src = os.path.realpath(os.path.expanduser(os.fspath(source)))
    if not os.path.isdir(src) or not os.path.lexists(path):
        return False
    real = os.path.realpath(path)
    return os.path.isfile(real) and os.path.commonpath([real, src]) == src


#: what an existing file holds, by its first bytes: a zip archive (a numpynn model, an
#: .npz), other binary data (a NUL byte), or text
_HEAD_BYTES = 4096


def _content_kind(path: str | os.PathLike[str]) -> str:
    """"zip", "binary" or "text" (empty counts as text) for an existing regular file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return "text"  # unreadable: writing it reports the problem
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    head = _decompressed(head)
    return "binary" if b"\x00" in head else "text"


def _decompressed(head: bytes) -> bytes:
    """The start of the text that ``head`` compresses where it starts as gzip, bz2 or xz
    data does (a table written as preds.csv.gz), else ``head`` itself."""
    import bz2  # imported on use: only an existing compressed output needs them
    import lzma
    import zlib

    makers = {b"\x1f\x8b": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
              b"BZh": bz2.BZ2Decompressor, b"\xfd7zXZ\x00": lzma.LZMADecompressor}
    for magic, make in makers.items():
        if head.startswith(magic):
            try:
                return make().decompress(head)
            except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error):
                return head
    return head


#: for each kind of output, the kinds of existing file it may replace
_REPLACEABLE = {"text": ("text",), "onnx": ("binary",)}
_CONTENT_NAMES = {"zip": "a zip archive (a numpynn model or an .npz file?)",
                  "binary": "a binary file (a model or an export?)",
                  "text": "a text file (a CSV data file?)"}


def check_output(path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (),
                 what: str = "output file", content: str | None = None) -> str:
    """Refuse an output path that cannot be written as a file, before any work is done.

    Raises InputError when ``path`` is a directory, is (or links to) one of ``inputs``,
    or sits below a file (a FIFO without a reader is refused when written); with
    ``content`` ("text": a CSV; "onnx": an ONNX graph), also when it is a regular file
    that holds another kind of data (a model where a CSV would go, a CSV where an ONNX
    graph would go): replacing it would lose a file of another command. Returns the kind
    (:func:`classify`; a link's target's kind, "symlink" when it dangles).
    """
    path = expanded(nonempty_path(path, what))
    text = os.fspath(path)
    if isinstance(text, str) and text.endswith(("/", os.sep)) and text != "/":
        raise InputError(f"{what} {text} ends with '/', which names a directory; give the "
                         "file to write in it (pathlib would drop the '/' and write a file "
                         "of that name).")
    kind = classify(path)
    if kind == "stdout":
        return kind
    for source in inputs:
        if source is not None and os.fspath(source) != STDOUT and _reads(path, source):
            which = ("a file inside the input directory" if not same_file(path, source)
                     else "the same file as the input")
            raise InputError(f"{what} {path} is {which} {source}, which this command "
                             "reads: writing it would destroy it; choose another output "
                             "path.")
    if kind == "symlink":
        kind = classify(path, follow=True)
        if kind == "missing":  # a dangling link: what it points to is created
            return "symlink"
    if kind == "directory":
        example = f" (e.g. {Path(path) / 'predictions.csv'})" if what == "`output`" else ""
        raise InputError(f"{what} {path} is a directory; give a file path{example}, or "
                         "remove the directory.")
    if kind == "other":
        raise InputError(f"{what} {path} is a socket or another special file; give a file "
                         "path.")
    if kind == "file" and write_protected(path):
        raise InputError(f"{what} {path} exists and is write-protected (no write "
                         "permission): it would be replaced all the same, by a rename; make "
                         "it writable (chmod u+w) if it may go, or choose another output "
                         "path.")
    if content is not None and kind == "file" and os.path.getsize(path) > 0:
        found = _content_kind(path)
        if found not in _REPLACEABLE[content]:
            raise InputError(f"{what} {path} exists and is {_CONTENT_NAMES[found]}, not "
                             f"{'a CSV' if content == 'text' else 'an ONNX file'}: writing "
                             "it would replace that file; choose another output path, or "
                             "remove the file first.")
    blocker = blocker_text(Path(path).parent)
    if blocker is not None:
        raise InputError(f"{what} {path} cannot be created: {blocker}; check the path.")
    return kind


def write_protected(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` was protected from writing (``chmod a-w``, a file
    kept read-only on purpose): no write bit for anyone, or none for this user (root may
    write any file, so the bits themselves are read). A rename replaces such a file
    without asking, as ``open(path, 'w')`` would not."""
    mode = os.stat(path).st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
        path, os.W_OK)


def write_path(path: str | os.PathLike[str], write: Callable[[BinaryIO], object],
               inputs: Iterable[str | os.PathLike[str]] = (),
               what: str = "output file", durable: bool = True) -> Path:
    """Call ``write(fh)`` with a binary file handle for ``path``, by the module's policy;
    ``durable=False`` skips the fsync of an atomic replace (see :func:`atomic_replace`).
    ``~`` is expanded, as the readers expand it (:func:`expanded`)."""
    kind = check_output(path, inputs, what)
    path = expanded(path)
    if kind == "stdout":
        sys.stdout.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return Path(STDOUT)
    if kind in ("fifo", "device"):  # written through (a link to one is followed)
        fd = _open_fifo(path, what) if kind == "fifo" else os.open(path, os.O_WRONLY)
        with naming(path), os.fdopen(fd, "wb") as fh:
            write(fh)
        return Path(path)
    # a link is kept: the regular file it points to (or will) is replaced atomically
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    return atomic_replace(target, write, durable)


#: The signals that end a command early (Ctrl-C, kill, a closed terminal); see
#: :func:`commit_point`.
ENDING_SIGNALS = (signal.SIGINT, signal.SIGTERM,
                  *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))


@dataclass
class _SignalHold:
    enabled: bool = False  # the command line asked for it
    previous: dict[int, Any] | None = None  # the handlers replaced at the commit point
    late: list[int] = field(default_factory=list)  # signals that arrived after it
    committed: bool = False  # the command reached its commit point


_HOLD = _SignalHold()


def hold_signals_after_commit(enabled: bool) -> None:
    """The command line turns this on: from a command's commit point on (its final files
    start to replace the old ones), SIGINT, SIGTERM and SIGHUP only get recorded until
    :func:`release_held_signals`, so a command never reports an interrupt after it has
    written its files. Off (the default) for library callers, whose Ctrl-C is theirs."""
    _HOLD.enabled = enabled


def commit_point() -> None:
    """Where a command's final outputs are about to be written: when
    :func:`hold_signals_after_commit` asked for it, the ending signals are recorded from
    here on instead of raising (Python runs signal handlers in the main thread whichever
    thread the signal reached, so BLAS threads cannot let one through)."""
    if not _HOLD.enabled or _HOLD.previous is not None:
        return
    _HOLD.committed = True
    try:
        _HOLD.previous = {s: signal.signal(s, lambda signum, frame: _HOLD.late.append(signum))
                          for s in ENDING_SIGNALS}
    except ValueError:  # not the main thread: nothing to hold
        _HOLD.previous = None


def committed() -> bool:
    """Whether the command has reached its commit point (its final files are written or
    being written; only when :func:`hold_signals_after_commit` asked for it): from then
    on nothing may turn it into a failure, not even standard output that went away."""
    return _HOLD.committed


def release_held_signals() -> list[int]:
    """End the hold and restore the handlers; returns the signals that arrived after the
    commit point (they are not acted on: the command had finished its work)."""
    previous, late = _HOLD.previous, _HOLD.late
    _HOLD.enabled, _HOLD.previous, _HOLD.late, _HOLD.committed = False, None, [], False
    for s, handler in (previous or {}).items():
        signal.signal(s, handler)
    return late


def atomic_replace(path: Path, write: Callable[[BinaryIO], object],
                   durable: bool = True) -> Path:
    """Write a temporary file beside ``path``, fsync it, rename it over ``path``: readers
    see the old file or the complete new one, never a partial one.

    ``durable=False`` leaves out the fsync (about 3 ms a file): for files that are drawn
    again from the durable ones (a run's report and plots), where the rename alone is
    enough for readers and a power cut may cost the new file but never mixes two."""
    make_parent(path)
    fd, tmp = temp_file_beside(path)
    try:
        with naming(path), os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        temp_done(tmp)
    return path


@contextlib.contextmanager
def naming(path: str | os.PathLike[str]) -> Iterator[None]:
    """A ``with`` block whose OSError that names no file (a write or flush on a full
    disk, ``ulimit -f``: ``[Errno 28] No space left on device``) is raised again naming
    ``path``, the file being written, so that the message says which one failed."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.errno:
            raise type(exc)(exc.errno, exc.strerror, os.fspath(path)) from None
        raise


def _open_fifo(path: str | os.PathLike[str], what: str) -> int:
    """Open a FIFO for writing without blocking when no process reads it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise InputError(f"{what} {path} is a FIFO (named pipe) that no process is "
                             "reading; start the reader first, or give a file path.") from None
        raise
    os.set_blocking(fd, True)
    return fd


def make_parent(path: Path) -> None:
    """Create ``path``'s directory; errors name the part of the path that is in the way."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise NotADirectoryError(errno.ENOTDIR, blocker_text(path.parent) or
                                 "a part of the path is not a directory", str(path)) from None


def blocker_text(directory: str | os.PathLike[str]) -> str | None:
    """What stops ``directory`` from being made, in words: its nearest part that exists
    and is no directory ("d/x is a file, not a directory", "d/l is a symbolic link to
    /gone, which does not exist, not a directory"); None when there is none. A dangling
    link counts: ``Path.exists`` follows it, so that "." was named instead."""
    for p in (Path(directory), *Path(directory).parents):
        if os.path.lexists(p):
            if os.path.isdir(p):
                return None
            return f"{p} is {what_is_there(p)}, not a directory"
    return None


def temp_file_beside(path: Path) -> tuple[int, str]:
    """Open a temporary file ``.NAME.PID.RANDOM.tmp`` in ``path``'s directory (for an atomic
    rename onto ``path``), with the permissions of an ordinary new file."""
    try:
        fd, tmp = new_temp(tempfile.mkstemp, path.parent, _short_prefix(f".{path.name}"))
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        os.chmod(tmp, 0o666 & ~mask)
    except OSError:  # e.g. a file system without POSIX permissions: keep mkstemp's
        pass
    return fd, tmp


#: the longest file name most file systems take (ext4, xfs, btrfs, tmpfs, APFS, NTFS)
NAME_MAX = 255


def _short_prefix(prefix: str) -> str:
    """``prefix`` cut so that ``PREFIX.PID.RANDOM.tmp`` is a name of at most
    :data:`NAME_MAX` bytes: a file named up to that limit gets a temporary file too
    (before: "File name too long" for a legal name of 236 bytes or more)."""
    room = NAME_MAX - len(f".{os.getpid()}.") - 8 - len(TEMP_SUFFIX)  # 8: mkstemp's
    raw = os.fsencode(prefix)
    if len(raw) <= room:
        return prefix
    return os.fsdecode(raw[:room].decode("utf-8", "ignore").encode("utf-8")) \
        if _is_utf8(raw) else os.fsdecode(raw[:room])


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def new_temp(make: Callable[..., Any], directory: Path, prefix: str) -> Any:
    """``make`` (``tempfile.mkstemp`` or ``mkdtemp``) of ``PREFIX.PID.RANDOM.tmp`` in
    ``directory``, recorded as this process's and in use until :func:`temp_done`: one
    an interrupt left unguarded is removed by :func:`remove_own_temp_files`."""
    # the directory first: an interrupt inside make() leaves a file the sweep still finds
    _TEMP_PARENTS.add(Path(os.path.abspath(directory)))
    made = make(prefix=f"{prefix}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=directory)
    name = made[1] if isinstance(made, tuple) else made
    _LIVE_TEMPS[os.path.abspath(name)] = threading.get_ident()
    return made


def temp_done(path: str | os.PathLike[str]) -> None:
    """The temporary ``path`` of :func:`new_temp` is renamed, removed or handed on."""
    _LIVE_TEMPS.pop(os.path.abspath(path), None)


def remove_own_temp_files() -> list[Path]:
    """Delete this process's temporary files and staging directories (see
    :func:`new_temp`) in every directory it made one in, but those another thread still
    uses: the command line calls it when this thread's command has ended, however it
    ended. Returns them."""
    removed = [p for d in sorted(_TEMP_PARENTS) for p in remove_stale_temp_files(d, True)]
    for path, thread in list(_LIVE_TEMPS.items()):
        if thread == threading.get_ident():
            temp_done(path)
    _TEMP_PARENTS.intersection_update(Path(t).parent for t in _LIVE_TEMPS)
    return removed


def remove_stale_temp_files(directory: str | os.PathLike[str],
                            ended: bool = False) -> list[Path]:
    """Delete the temporary files in ``directory`` left by killed numpynn processes (those
    whose process no longer runs) and this process's own that nothing uses any more (an
    interrupt left them; see :func:`new_temp`), or also those this thread made when its
    command has ``ended``; another live process's files are left alone. Returns them."""
    removed = []
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return removed
    for p in entries:
        parts = p.name.split(".")
        if not (p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX) and len(parts) >= 4) \
                or p.name.startswith(COMMIT_PREFIX):  # finished, never removed
            continue
        try:
            pid = int(parts[-3])
        except ValueError:
            continue
        if pid != os.getpid():
            stale = not process_alive(pid)
        else:
            thread = _LIVE_TEMPS.get(os.path.abspath(p))
            stale = thread is None or ended and thread == threading.get_ident()
        if stale:
            try:
                if p.is_dir() and not p.is_symlink():  # a staging directory (runfiles)
                    shutil.rmtree(p)
                else:
                    p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


def process_alive(pid: int) -> bool:
    """True when process ``pid`` runs (or cannot be asked: another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


# ------------------------------------------------------------------ commits of staged files
def finish_commit(committing: Path, out: Path) -> dict[str, Path]:
    """Move the files left in the directory ``committing`` into ``out`` in its manifest's
    order (:data:`COMMIT_MANIFEST`; the rest after them), remove the files the manifest
    names to remove, then ``committing``; returns name -> path of the files moved."""
    _COMMITTING.add(committing)
    try:
        try:
            manifest = json.loads((committing / COMMIT_MANIFEST).read_text())
        except (OSError, ValueError):
            manifest = {}
        order = manifest.get("order", []) if isinstance(manifest, dict) else []
        left = {p.name for p in committing.iterdir() if p.name != COMMIT_MANIFEST}
        names = [n for n in order if n in left] + sorted(left - set(order))
        done = {name: move_into_place(committing / name, out / name) for name in names}
        for name in manifest.get("remove", []) if isinstance(manifest, dict) else []:
            if isinstance(name, str) and Path(name).name == name and classify(
                    out / name) in ("file", "symlink"):
                (out / name).unlink()
        shutil.rmtree(committing, ignore_errors=True)
        return done
    finally:
        _COMMITTING.discard(committing)


def finish_interrupted_commits(out: str | os.PathLike[str]) -> list[str]:
    """Finish the commits into ``out`` that a process left half done (killed among its
    moves, or a move failed: ``numpynn.runs.files.StagedOutputs.commit``), oldest first;
    returns the names of the files moved now. A running process's commit is left to it.
    Nothing to do (or ``out`` unreadable): []."""
    out = Path(out)
    try:
        found = [p for p in out.iterdir() if p.name.startswith(COMMIT_PREFIX)
                 and p.name.endswith(TEMP_SUFFIX) and p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    moved: list[str] = []
    for committing in sorted(found, key=lambda p: p.stat().st_mtime):
        try:
            pid = int(committing.name.split(".")[2])
        except (IndexError, ValueError):
            continue
        if committing in _COMMITTING or pid != os.getpid() and process_alive(pid):
            continue
        try:
            moved += list(finish_commit(committing, out))
        except OSError as exc:
            raise InputError(f"{out} holds a run whose files were being moved into place "
                             f"when its process stopped (in {committing.name}), and they "
                             f"cannot be moved now ({exc.strerror or exc}); fix the "
                             "directory's permissions or space and run the command "
                             "again.") from None
    return moved


def move_into_place(staged: Path, target: Path) -> Path:
    """Move the finished file ``staged`` to ``target`` by the policy above: a regular
    file replaced by a rename, a symlink kept and its target replaced, a FIFO or device
    written through; across file systems, copied then renamed."""
    kind = classify(target, follow=True)
    if kind in ("fifo", "device"):
        write_path(target, lambda fh: _copy_file(staged, fh))
        return target
    real = Path(os.path.realpath(target)) if os.path.islink(target) else target
    try:
        os.replace(staged, real)
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # a link to another file system: copy, then rename
            raise
        atomic_replace(real, lambda fh: _copy_file(staged, fh))
    return target


def _copy_file(src: Path, fh: BinaryIO) -> None:
    with open(src, "rb") as f:
        shutil.copyfileobj(f, fh)


#: descriptors of the ``flock`` locks this process holds (a run's or a search's
#: directory, a search's data folder). ``flock`` holds while any copy of a descriptor is
#: open, so a forked process (a search's pool worker, packed training's second process)
#: that kept its copy would hold the lock after this process let it go, as long as it
#: lived: :func:`close_lock_copies` closes them in every child at its fork.
_LOCK_DESCRIPTORS: set[int] = set()


def own_lock_descriptor(fd: int) -> None:
    """Record ``fd`` as the descriptor of a lock this process holds."""
    _LOCK_DESCRIPTORS.add(fd)


def drop_lock_descriptor(fd: int) -> None:
    """``fd`` is about to be closed: no longer a lock of this process's."""
    _LOCK_DESCRIPTORS.discard(fd)


def close_lock_copies() -> None:
    """In a forked child: close its copies of the parent's lock descriptors (closing, not
    unlocking: the parent's hold stays) and forget the parent's holds."""
    for fd in _LOCK_DESCRIPTORS:
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_DESCRIPTORS.clear()
    DirectoryLock._held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=close_lock_copies)


class DirectoryLock:
    """An exclusive hold on an output directory while one process writes a run or a
    search into it, so that a second ``numpynn train --out DIR`` (or a second resume of
    the same search) started meanwhile is refused at once, with the directory named,
    instead of mixing two runs' checkpoint, history and model in one directory.

    The lock is ``flock`` on the directory itself (no lock file is left behind, and the
    kernel drops it when the process dies, even by SIGKILL). Re-entrant within a process
    (a search's best model is written below its own directory). Where the file system has
    no such locks (some network file systems, other systems) nothing is held."""

    _held: dict[str, list[Any]] = {}  # realpath -> [fd, count]

    def __init__(self, directory: str | os.PathLike[str], what: str = "`out`",
                 then: str = "then --resume or --overwrite as needed") -> None:
        self.directory = Path(directory)
        self.what = what
        self.then = then  # what to do once the other process is done (a search: no overwrite)
        self.key: str | None = None

    def __enter__(self) -> DirectoryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return
        key = os.path.realpath(self.directory)
        held = self._held.get(key)
        if held is not None:
            held[1] += 1
            self.key = key
            return
        try:
            fd = os.open(key, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return  # the directory's own checks report it
        # recorded before it is taken: an interrupt from here on is undone by release()
        self._held[key], self.key = [fd, 1], key
        own_lock_descriptor(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self.release()
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise InputError(
                    f"{self.what} {self.directory} is in use: another numpynn process is "
                    f"writing a run or a search there now. Wait for it to finish "
                    f"({self.then}), or choose another directory."
                ) from None
            return  # no locks on this file system: nothing to hold

    @classmethod
    def held_here(cls, directory: str | os.PathLike[str]) -> bool:
        """Whether this process holds ``directory`` (writes a run or a search there)."""
        return os.path.realpath(directory) in cls._held

    def release(self) -> None:
        key, self.key = self.key, None
        held = self._held.get(key) if key is not None else None
        if held is None:
            return
        held[1] -= 1
        if held[1] <= 0:
            del self._held[key]
            drop_lock_descriptor(held[0])
            os.close(held[0])  # closing the descriptor drops the flock
