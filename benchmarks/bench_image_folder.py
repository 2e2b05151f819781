#!/usr/bin/env python
"""Reading a folder of images (``numpynn.data.image_folder.load_image_folder``): decoded in
threads, one per core, against one thread, on the same files.

Workload: N PNG files of H x W grey pixels (random, so that PNG cannot compress them
away) in 10 class folders, written once into a temporary folder; each round reads them
with threads and with one thread (``DECODE_CHUNK`` above N), in alternating order; the
medians are reported with the machine and the load average.

Usage::

    python benchmarks/bench_image_folder.py                   # 5,000 images of 28x28
    python benchmarks/bench_image_folder.py --n 20000 --size 32 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import machine  # noqa: E402

import numpynn.data.image_folder as image_folder  # noqa: E402


def write_images(root: Path, n: int, size: int) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    for i in range(n):
        folder = root / str(i % 10)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8)).save(
            folder / f"{i}.png")


def timed_read(root: Path, chunk: int) -> float:
    saved = image_folder.DECODE_CHUNK
    image_folder.DECODE_CHUNK = chunk
    try:
        start = time.perf_counter()
        image_folder.load_image_folder(root)
        return time.perf_counter() - start
    finally:
        image_folder.DECODE_CHUNK = saved


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=5000, help="images")
    p.add_argument("--size", type=int, default=28, help="height and width in pixels")
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "images"
        write_images(root, a.n, a.size)
        timed_read(root, image_folder.DECODE_CHUNK)  # warm: the files in the page cache
        threads, one = [], []
        for r in range(a.rounds):
            pair = [(threads, image_folder.DECODE_CHUNK), (one, a.n + 1)]
            for times, chunk in (pair if r % 2 == 0 else pair[::-1]):
                times.append(timed_read(root, chunk))
    t, o = statistics.median(threads), statistics.median(one)
    print(f"Command: `python benchmarks/bench_image_folder.py --n {a.n} --size {a.size} "
          f"--rounds {a.rounds}`\n")
    for key, value in machine().items():
        print(f"- {key}: {value}")
    print(f"- load average (1 min) before / after: {load_before:.2f} / "
          f"{os.getloadavg()[0]:.2f}\n")
    print("| images | threads | one thread | threads / one thread |\n|---|---|---|---|")
    print(f"| {a.n:,} of {a.size}x{a.size} | {t:.3f} s | {o:.3f} s | {t / o:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
