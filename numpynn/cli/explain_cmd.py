"""``numpynn explain``: every forward and backward tensor of a network, shape by shape."""

from __future__ import annotations

import argparse

import numpy as np

from ..validation import Rule
from .commands import COMMAND_HELP
from .common import fraction, hidden_sizes, nonnegative_float, positive_int, rule_type, seed

#: a classifier needs two classes at least (the network's own rule, said as the flag's)
class_count = rule_type(Rule("integer", low=2))
#: explain shows one step on a small batch; its shapes read the same for any N, and a huge
#: N only fills the memory (numpy's "Maximum allowed dimension exceeded", a traceback)
EXPLAIN_BATCH = Rule("integer", low=1, high=10_000,
                     why="(the shapes and equations are the same for any N: a small batch "
                         "shows them)")

EXAMPLES = """examples:
  numpynn explain                          # the two-layer net on digits-shaped input (D=64, C=10)
  numpynn explain --hidden 100 50 --norm batch --dropout 0.5
  numpynn explain --hidden 5 --input-dim 3 --classes 3 --batch 2 --values
                                           # the numbers, each gradient checked numerically

Equations are numbered as in numpynn/docs/backprop.md (eqs. 1-4) and numpynn/docs/layers.md
(numpynn docs backprop, numpynn docs layers).
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help=COMMAND_HELP["explain"],
        description="Run one training step of an MLP on a random batch and list every "
        "tensor (X, h1, a1, ..., scores, P, dscores, dW2, ...) with its shape in symbols "
        "and numbers and the equation that produces it; --values also prints the numbers "
        "and checks each gradient against centred differences (exit 1 on a FAIL).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--hidden", type=hidden_sizes, nargs="+", default=[[100]], metavar="H",
                   help="hidden widths, one per hidden layer: 100 50, or as numpynn train "
                   "writes them, 100,50 (default 100)")
    p.add_argument("--activation", default="relu",
                   help="activation of the hidden layers (default relu)")
    p.add_argument("--norm", default="none", choices=["none", "batch", "layer"],
                   help="normalisation after each hidden affine layer (default none)")
    p.add_argument("--dropout", type=fraction, default=0.0,
                   help="drop probability after each hidden activation (default 0)")
    p.add_argument("--reg", type=nonnegative_float, default=0.0,
                   help="L2 strength (default 0)")
    p.add_argument("--input-dim", type=positive_int, default=64,
                   help="D, features per example (default 64, the digits)")
    p.add_argument("--classes", type=class_count, default=10,
                   help="C, number of classes (default 10)")
    p.add_argument("--batch", type=rule_type(EXPLAIN_BATCH), default=4,
                   help=f"N, examples (default 4, at most {EXPLAIN_BATCH.high:,})")
    p.add_argument("--values", action="store_true",
                   help="print the numbers and check each backward tensor numerically")
    p.add_argument("--seed", type=seed, default=0,
                   help="seed of the weights and the random batch (0 to 2**32-1, default 0)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..explanation import explain
    from ..models import MLP, check_seed

    seed = check_seed(args.seed)
    # --hidden 100 50 (explain's own form) and 100,50 (train's) are the same layers
    args.hidden = [size for sizes in args.hidden for size in sizes]
    from ..memory import check_explain_size, check_numerical_check_size

    check_explain_size(args.input_dim, args.hidden, args.classes)  # before any allocation
    if args.values:  # a size guard before minutes of silent numerical differences
        check_numerical_check_size(args.input_dim, args.hidden, args.classes, args.batch)
    model = MLP(args.input_dim, args.hidden, args.classes, reg=args.reg, dtype=np.float64,
                seed=seed, activation=args.activation, dropout=args.dropout,
                normalization=args.norm)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((args.batch, args.input_dim))
    y = rng.integers(0, args.classes, size=args.batch)
    result = explain(model, X, y, values=args.values)
    print(result.to_table())
    return 1 if result.verdict == "FAIL" else 0  # inconclusive is not evidence of a bug
