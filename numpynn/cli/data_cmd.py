"""``numpynn data``: list the downloadable data sets and download them into the cache."""

from __future__ import annotations

import argparse

from ..data import download
from .commands import COMMAND_HELP

EXAMPLES = f"""examples:
  numpynn data list                  # name, download size, cached or not, cache folder
  numpynn data download mnist        # fetch and verify now (train --data mnist does it too)
  {download.CACHE_ENV}=/data/numpynn numpynn data download cifar10

The cache is ${download.CACHE_ENV} (default ~/.cache/numpynn); ${download.MIRROR_ENV}
(a base URL) is tried before the official sources.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "data", help=COMMAND_HELP["data"],
        description="The data sets that --data can name without a directory, and their cache.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    ls = actions.add_parser("list", help="name, size, whether cached, and the cache folder")
    ls.set_defaults(run=run_list)
    dl = actions.add_parser("download", help="download (and verify) a data set into the cache")
    dl.add_argument("name", type=_downloadable, choices=list(download.DATASETS),
                    metavar="NAME",
                    help=f"one of: {', '.join(download.DATASETS)}")
    dl.add_argument("--quiet", action="store_true", help="no progress bar")
    dl.set_defaults(run=run_download)


def _downloadable(text: str) -> str:
    """The name of a data set to download, in any letter case; the data sets that are
    not downloaded (digits: bundled; CIFAR-100: read from its files) say so."""
    name = text.strip().lower()
    if name == "digits":
        raise argparse.ArgumentTypeError("digits is bundled with numpynn (scikit-learn's "
                                         "8x8 digits): there is nothing to download; "
                                         "--data digits reads it")
    if name in ("cifar100", "cifar-100"):
        raise argparse.ArgumentTypeError("CIFAR-100 is not downloaded by numpynn: unpack "
                                         "cifar-100-python.tar.gz and give --data "
                                         "cifar100:DIR")
    return name


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def run_list(args: argparse.Namespace) -> int:
    rows = [(ds.name, _size(ds.size), "yes" if download.is_cached(ds.name) else "no",
             str(download.dataset_dir(ds.name))) for ds in download.DATASETS.values()]
    width = max(len("name"), *(len(r[0]) for r in rows)) + 2
    print(f"{'name':<{width}}{'size':>10}  {'cached':<8}path")
    for name, size, cached, path in rows:
        print(f"{name:<{width}}{size:>10}  {cached:<8}{path}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    folder = download.download_dataset(args.name, progress=False if args.quiet else None)
    print(f"{args.name}: {folder}")
    return 0
