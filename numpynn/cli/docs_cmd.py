"""``numpynn docs [TOPIC]``: list or print the documentation shipped with numpynn."""

from __future__ import annotations

import argparse

from ..docs_topics import read_topic, topics
from .commands import COMMAND_HELP


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "docs",
        help=COMMAND_HELP["docs"],
        description="Without TOPIC, list the documentation topics shipped with numpynn; "
        "with one, print it (Markdown).",
        epilog="examples:\n"
        "  numpynn docs                     # the topics\n"
        "  numpynn docs backprop | less     # the backward pass, shape by shape\n"
        "  numpynn docs gradcheck           # how gradcheck decides pass / FAIL / inconclusive",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("topic", nargs="?", help="a topic name, e.g. backprop")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.topic is None:
        print("documentation topics (numpynn docs TOPIC prints one):")
        for name, title in topics().items():
            print(f"  {name:<12} {title}")
        return 0
    print(read_topic(args.topic), end="")
    return 0
