"""``numpynn gradcheck``: check backward passes against numerical gradients.

Without options it checks numpynn's own layers, loss and MLPs; ``--file`` checks a
learner's CS231n-style layers module; ``--corpus`` runs the checker's own test bench.
Every check answers pass / FAIL / inconclusive (see ``numpynn docs gradcheck``).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from ..errors import InputError
from ..gradcheck import DEFAULT_TOL, FAIL, INCONCLUSIVE, builtin_checks
from . import common

EXAMPLES = """examples:
  numpynn gradcheck                    # numpynn's layers, loss, MLPs of depth 1-4
  numpynn gradcheck --file layers.py   # your CS231n layers: affine_forward/_backward, ...
  numpynn gradcheck --corpus           # the checker's own false-alarm / detection table

Each array gets pass, FAIL (a wrong backward pass) or inconclusive (the numerical
gradient cannot referee it: rounding floor, ReLU kink or truncation; the report says
which and what to do). Exit code 1 on any FAIL.

docs: 'numpynn docs gradcheck' (how the check decides, measured rates) and
'numpynn docs backprop' (the backward equations, shape by shape).
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gradcheck",
        help="check backward passes against numerical gradients (docs: numpynn docs gradcheck)",
        description="Compare each analytic gradient with Richardson-extrapolated centred "
        "differences in float64 (extended precision where a layer allows it) and report "
        f"pass (relative error < {DEFAULT_TOL:g}), FAIL or inconclusive per array, with "
        "the worst entry.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = p.add_mutually_exclusive_group()
    what.add_argument("--file", metavar="PATH", help="a Python file with CS231n-named "
                      "forward/backward functions (affine_forward, relu_backward, "
                      "batchnorm_backward_alt, softmax_loss, svm_loss, ...) to check")
    what.add_argument("--corpus", action="store_true", help="run the checker's corpus of "
                      "correct models and wrong backward passes and print the rates")
    p.add_argument("--seed", type=common.seed, default=0,
                   help="seed of the random problems (0 to 2**32-1, default 0)")
    p.set_defaults(run=run)


def load_user_module(path: str) -> ModuleType:
    """Import the Python file at ``path`` as a module; InputError if it cannot be."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"--file {path}: no such file; give the path of your layers .py file.")
    name = f"numpynn_user_{file.stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise InputError(f"--file {path}: cannot be imported as Python; give a .py file.")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.resolve().parent))  # so it can import its neighbours
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise InputError(f"--file {path}: syntax error at line {exc.lineno}: {exc.msg}; "
                         "fix it and run again.") from None
    except Exception as exc:  # noqa: BLE001 - the user's module may raise anything on import
        raise InputError(f"--file {path}: importing it raised {type(exc).__name__}: {exc}; "
                         "fix the module so that 'python -c \"import ...\"' works.") from None
    finally:
        sys.path.remove(str(file.resolve().parent))
    return module


def run(args: argparse.Namespace) -> int:
    if args.file:
        return _run_file(args.file, args.seed)
    if args.corpus:
        return _run_corpus(args.seed)
    reports = builtin_checks(seed=args.seed)
    for report in reports:
        print(report)
        print()
    failed = [r.title for r in reports if r.verdict == FAIL]
    unsure = [r.title for r in reports if r.verdict == INCONCLUSIVE]
    worst = max(r.max_rel_error for r in reports)
    if failed:
        print(f"FAILED: {len(failed)} of {len(reports)} checks ({', '.join(failed)})")
        return 1
    if unsure:
        print(f"no check failed; {len(unsure)} of {len(reports)} inconclusive "
              f"({', '.join(unsure)}): see the notes under their tables")
        return 0
    print(f"all {len(reports)} checks passed; worst relative error {worst:.2e} "
          f"(threshold {DEFAULT_TOL:g})")
    return 0


def _run_file(path: str, seed: int) -> int:
    from ..gradcheck_file import check_module

    module = load_user_module(path)
    result = check_module(module, seed=seed)
    if not result.reports and not result.errors:
        raise InputError(f"--file {path}: no CS231n-named layer found (affine_forward and "
                         "affine_backward, relu_*, batchnorm_*, softmax_loss, ...); name your "
                         "functions as the assignments do.")
    print(result)
    print()
    if result.failed:
        print(f"FAILED: {', '.join(result.failed)}")
        return 1
    print(f"no failures ({result.verdict}) in {len(result.reports)} checks of {path}")
    return 0


def _run_corpus(seed: int) -> int:
    from ..gradcheck_corpus import run_corpus

    result = run_corpus(seed=seed)
    print(result)
    return 0 if result.meets_target() else 1
