"""The seed question's backward pass, three ways, checked against numerical gradients.

Network: X -> affine (W1, b1) -> ReLU -> affine (W2, b2) -> softmax -> cross-entropy,
with loss L = -(1/N) sum_i log P[i, y_i] + (reg/2)(|W1|^2 + |W2|^2).

Three versions of "eq. 1" (dL/dS, the gradient with respect to the scores) go through
the same eqs. 2-4:

  mask       the question's eq. 1:      ((1/a2) * mask) * da2 / N
  commented  the question's comment:    -(1/a2[rows, y])[:, None] * da2 / N
  reference  the textbook formula:      (P - Y) / N

Each resulting gradient is compared with a centred-difference gradient of the loss.
See numpynn/docs/backprop.md (``numpynn docs backprop``) for the derivation. Run from
the repository root:

    python examples/seed_question.py [--seed N]

For about 1 seed in 100, some true gradient entry lands near zero (|g| ~ 1e-5) and even
the correct variants show a relative error a little above 1e-7 there: the numerical
gradient's own error, about 1e-11, is no longer small next to |g|. The docs explain this
under "How to check your own backward pass"; the mask variant's errors are near 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

try:
    from numpynn.gradcheck import numerical_gradient, rel_error
except ImportError:  # a source checkout that was not installed: use the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from numpynn.gradcheck import numerical_gradient, rel_error

N, D, H, C = 5, 4, 6, 3  # examples, input features, hidden units, classes
REG = 0.1
TOL = 1e-7
PARAMS = ("W1", "b1", "W2", "b2")


def make_problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A small float64 problem. Biases are nonzero so no ReLU input sits on its kink."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    params = {
        "W1": 0.5 * rng.standard_normal((D, H)),
        "b1": rng.standard_normal(H),
        "W2": 0.5 * rng.standard_normal((H, C)),
        "b2": rng.standard_normal(C),
    }
    return X, y, params


def forward(params: dict[str, np.ndarray], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Returns the question's a1 = relu(X W1 + b1), shape (N, H), and a2 = softmax(S), (N, C)."""
    a1 = np.maximum(0, X @ params["W1"] + params["b1"])
    scores = a1 @ params["W2"] + params["b2"]
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    a2 = exp / exp.sum(axis=1, keepdims=True)
    return a1, a2


def loss(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, reg: float = REG) -> float:
    """Mean cross-entropy plus (reg/2)(|W1|^2 + |W2|^2)."""
    _, a2 = forward(params, X)
    data_loss = -np.mean(np.log(a2[np.arange(len(y)), y]))
    return data_loss + 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))


# ------------------------------------------------------------------ eq. 1, three ways
def softmax_derivative(a2: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The question's da2, (N, C): da2[i, j] = p_y * (delta(j, y_i) - p_j).

    Row i is d P[i, y_i] / d S[i, :], the correct class's row of example i's softmax
    Jacobian.
    """
    N = a2.shape[0]
    da2 = -a2
    da2[np.arange(N), y] += 1
    da2 *= (a2[np.arange(N), y])[:, None]
    return da2


def ds_mask(a2: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The question's eq. 1 (wrong): keeps only the correct-class column, with the wrong sign."""
    N = a2.shape[0]
    da2 = softmax_derivative(a2, y)
    mask = np.zeros(a2.shape)
    mask[np.arange(N), y] = 1  # the question wrote `mask = [np.arange(N),y] = 1`
    return ((1 / a2) * mask) * da2 / N


def ds_commented(a2: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The question's commented line: an (N, 1) factor times the (N, C) da2 -> (N, C)."""
    N = a2.shape[0]
    da2 = softmax_derivative(a2, y)
    return -(1 / a2[np.arange(N), y])[:, None] * da2 / N


def ds_reference(a2: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dS = (P - Y) / N, with Y the one-hot labels."""
    N = a2.shape[0]
    Y = np.zeros_like(a2)
    Y[np.arange(N), y] = 1
    return (a2 - Y) / N


VARIANTS = {"mask": ds_mask, "commented": ds_commented, "reference": ds_reference}


# ------------------------------------------------------------------ eqs. 2-4
def backward(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    a1: np.ndarray,
    delta_2: np.ndarray,
    reg: float = REG,
) -> dict[str, np.ndarray]:
    """Eqs. 2-4 as in the question, given delta_2 = dL/dS. Returns grads like params."""
    # derivative of ReLU. The question's `da1 = a1` does not copy: `da1[a1>0] = 1` would
    # then overwrite a1 itself, and grad_w2 below would use the 0/1 mask instead of a1.
    da1 = a1.copy()
    da1[a1 > 0] = 1  # entries not > 0 are already 0, since a1 = relu(...) >= 0
    delta_1 = np.dot(delta_2, params["W2"].T) * da1  # eq. 2
    return {
        "W1": np.dot(X.T, delta_1) + reg * params["W1"],  # eq. 4
        "b1": np.sum(delta_1, axis=0),  # eq. 3
        "W2": np.dot(a1.T, delta_2) + reg * params["W2"],  # eq. 4
        "b2": np.sum(delta_2, axis=0),  # eq. 3
    }


def gradient_errors(seed: int = 0) -> tuple[dict[str, tuple[int, ...]], dict[str, dict]]:
    """For each variant: the shape of its dS, and rel_error of each grad vs numerical."""
    X, y, params = make_problem(seed)
    numeric = {
        name: numerical_gradient(lambda _: loss(params, X, y), params[name]) for name in PARAMS
    }
    a1, a2 = forward(params, X)
    shapes, errors = {}, {}
    for variant, ds in VARIANTS.items():
        delta_2 = ds(a2, y)
        grads = backward(params, X, a1, delta_2)
        shapes[variant] = delta_2.shape
        errors[variant] = {name: rel_error(grads[name], numeric[name]) for name in PARAMS}
    return shapes, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="random seed of the problem")
    args = parser.parse_args(argv)

    shapes, errors = gradient_errors(args.seed)
    print(f"N={N} D={D} H={H} C={C} reg={REG} seed={args.seed}, float64; correct if < {TOL:g}")
    print()
    for variant, shape in shapes.items():
        print(f"{variant:<10} dS shape {shape}")
    print(f"(the commented line's factor -(1/a2[rows, y])[:, None] has shape ({N}, 1):")
    print(" one number per example, scaling that example's row of da2; the gradient is N x C)")
    print()
    print(f"{'variant':<10} {'parameter':<9} {'max rel error':>13}  verdict")
    print("-" * 43)
    for variant, errs in errors.items():
        for name, err in errs.items():
            verdict = "correct" if err < TOL else "WRONG"
            print(f"{variant:<10} {name:<9} {err:>13.2e}  {verdict}")
    print()
    for variant, errs in errors.items():
        ok = all(err < TOL for err in errs.values())
        print(f"{variant}: {'correct' if ok else 'WRONG'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
