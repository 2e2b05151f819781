"""``numpynn gradcheck``: prove the shipped backward passes against centred differences."""

from __future__ import annotations

import argparse

from ..gradcheck import DEFAULT_TOL, builtin_checks
from . import common

EXAMPLES = """examples:
  numpynn gradcheck              # every layer, the loss, MLPs of depth 1-4, reg 0 and 0.1
  numpynn gradcheck --seed 3     # other random problems
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gradcheck",
        help="check every backward pass against numerical gradients",
        description="Compare each analytic gradient with centred differences in float64 "
        f"and print the max relative error per parameter (pass if < {DEFAULT_TOL:g}).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--seed", type=common.seed, default=0,
                   help="seed of the random problems (0 to 2**32-1, default 0)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    reports = builtin_checks(seed=args.seed)
    for report in reports:
        print(report.to_table())
        print()
    failed = [r.title for r in reports if not r.passed]
    worst = max(r.max_rel_error for r in reports)
    if failed:
        print(f"FAILED: {len(failed)} of {len(reports)} checks ({', '.join(failed)})")
        return 1
    print(f"all {len(reports)} checks passed; worst relative error {worst:.2e} "
          f"(threshold {DEFAULT_TOL:g})")
    return 0
