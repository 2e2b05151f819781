"""Assignment 3's recurrent functions for ``gradcheck --file``: the vanilla RNN and LSTM
step and sequence passes, and the word embedding, which numpynn has no layer for.

Each entry of :data:`RECURRENT` says how to call the learner's pair in the form
``check_layer`` takes (``forward(*arrays) -> (out, cache)``, ``backward(dout, cache) ->
(d_array, ...)``): the LSTM step's two outputs (next_h, next_c) are checked as one array
of (N, 2H) columns, and the embedding's integer indices are held fixed (only ``W`` has a
gradient); assignment 3's ``temporal_affine_*`` (x (N, T, D), w (D, V)) and
``temporal_softmax_loss`` (scores (N, T, V), labels and a mask held fixed, the loss checked
as a layer whose backward is dx). Shapes are all distinct (N=3, T=4, D=5, H=6, V=7), so
a gradient summed over the wrong axis or transposed has the wrong shape; the embedding's
indices repeat a word, so ``dW[x] += dout`` (which keeps one of the repeated rows) shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import FAIL, PASS, Entry, GradCheckReport, GradCheckRow, stream

N, T, D, H, V = 3, 4, 5, 6, 7
#: the embedding's word indices (N, T): word 2 three times, word 5 twice in one row
WORDS = np.array([[2, 5, 2, 0], [1, 2, 5, 6], [3, 3, 4, 2]])


def _draw(seed: int, name: str, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    return scale * stream(seed, name).standard_normal(shape)


def _rnn_step(seed: int) -> list[np.ndarray]:
    return [_draw(seed, "x", (N, D)), _draw(seed, "prev_h", (N, H)),
            _draw(seed, "Wx", (D, H), 0.3), _draw(seed, "Wh", (H, H), 0.3),
            _draw(seed, "b", (H,), 0.3)]


def _rnn(seed: int) -> list[np.ndarray]:
    return [_draw(seed, "x", (N, T, D)), _draw(seed, "h0", (N, H)),
            _draw(seed, "Wx", (D, H), 0.3), _draw(seed, "Wh", (H, H), 0.3),
            _draw(seed, "b", (H,), 0.3)]


def _lstm_step(seed: int) -> list[np.ndarray]:
    return [_draw(seed, "x", (N, D)), _draw(seed, "prev_h", (N, H)),
            _draw(seed, "prev_c", (N, H)), _draw(seed, "Wx", (D, 4 * H), 0.3),
            _draw(seed, "Wh", (H, 4 * H), 0.3), _draw(seed, "b", (4 * H,), 0.3)]


def _lstm(seed: int) -> list[np.ndarray]:
    return [_draw(seed, "x", (N, T, D)), _draw(seed, "h0", (N, H)),
            _draw(seed, "Wx", (D, 4 * H), 0.3), _draw(seed, "Wh", (H, 4 * H), 0.3),
            _draw(seed, "b", (4 * H,), 0.3)]


def _embedding(seed: int) -> list[np.ndarray]:
    return [_draw(seed, "W", (V, D))]


def _temporal_affine(seed: int) -> list[np.ndarray]:
    return [_draw(seed, "x", (N, T, D)), _draw(seed, "w", (D, V), 0.3),
            _draw(seed, "b", (V,), 0.3)]


#: temporal_softmax_loss's labels (N, T) and mask (N, T): two steps of the first caption
#: and one of the third masked out (a loss that ignores the mask counts them)
LABELS = np.array([[1, 4, 0, 6], [2, 2, 5, 3], [0, 1, 6, 4]])
MASK = np.array([[True, True, False, False], [True, True, True, True],
                 [True, True, True, False]])


def _temporal_scores(seed: int) -> list[np.ndarray]:
    return [_draw(seed, "x", (N, T, V))]


Pair = tuple[Callable[..., Any], Callable[..., Any]]


def _same(fwd: Callable, bwd: Callable) -> Pair:
    return fwd, bwd


def _lstm_step_pair(fwd: Callable, bwd: Callable) -> Pair:
    """lstm_step_forward's (next_h, next_c, cache) as ((N, 2H) out, cache); the backward
    takes dnext_h and dnext_c from that out's halves."""
    def forward(*arrays: np.ndarray) -> Any:
        got = fwd(*arrays)
        if not isinstance(got, tuple) or len(got) != 3:
            return got  # None (the course's stub) or another return value: said as such
        if got[0] is None or got[1] is None:
            return None, None
        return np.concatenate([np.asarray(got[0]), np.asarray(got[1])], axis=1), got[2]

    def backward(dout: np.ndarray, cache: Any) -> Any:
        half = dout.shape[1] // 2
        return bwd(dout[:, :half].copy(), dout[:, half:].copy(), cache)
    return forward, backward


def _embedding_pair(fwd: Callable, bwd: Callable) -> Pair:
    """word_embedding_forward(x, W) with x fixed at :data:`WORDS`: W is the one input."""
    def forward(W: np.ndarray) -> Any:  # noqa: N803 - the course's name
        return fwd(WORDS.copy(), W)

    def backward(dout: np.ndarray, cache: Any) -> Any:
        return bwd(dout, cache)
    return forward, backward


def _temporal_loss_pair(fwd: Callable, bwd: Callable) -> Pair:
    """temporal_softmax_loss(x, y, mask) -> (loss, dx) as a layer of x alone (y and mask
    fixed at :data:`LABELS` and :data:`MASK`): out the loss (a 0-d array), and the
    backward the upstream gradient times dx."""
    def forward(x: np.ndarray) -> Any:
        got = fwd(x, LABELS.copy(), MASK.copy())
        if not isinstance(got, tuple) or len(got) != 2 or got[0] is None or got[1] is None:
            return got if not isinstance(got, tuple) else (None, None)
        return np.asarray(got[0], dtype=np.result_type(got[0], np.float64)), got[1]

    def backward(dout: np.ndarray, cache: Any) -> Any:
        return np.asarray(dout) * np.asarray(cache)
    return forward, backward


@dataclass(frozen=True)
class Recurrent:
    """One recurrent function pair: its backward's name, its inputs' names (the
    differentiable ones, in the order the backward returns their gradients), how to draw
    them, how to call the pair as ``check_layer`` does, and the learner's own arguments
    (what a signature error names)."""

    backward: str
    names: tuple[str, ...]
    make: Callable[[int], list[np.ndarray]]
    pair: Callable[[Callable, Callable], Pair] = _same


RECURRENT: dict[str, Recurrent] = {
    "rnn_step_forward": Recurrent("rnn_step_backward", ("x", "prev_h", "Wx", "Wh", "b"),
                                  _rnn_step),
    "rnn_forward": Recurrent("rnn_backward", ("x", "h0", "Wx", "Wh", "b"), _rnn),
    "lstm_step_forward": Recurrent("lstm_step_backward",
                                   ("x", "prev_h", "prev_c", "Wx", "Wh", "b"), _lstm_step,
                                   _lstm_step_pair),
    "lstm_forward": Recurrent("lstm_backward", ("x", "h0", "Wx", "Wh", "b"), _lstm),
    "word_embedding_forward": Recurrent("word_embedding_backward", ("W",), _embedding,
                                        _embedding_pair),
    "temporal_affine_forward": Recurrent("temporal_affine_backward", ("x", "w", "b"),
                                         _temporal_affine),
    # a loss: its own "backward" (it returns (loss, dx)), called as a layer of x
    "temporal_softmax_loss": Recurrent("temporal_softmax_loss", ("x",), _temporal_scores,
                                       _temporal_loss_pair),
}


def _embedding_hint(forward: Callable, backward: Callable, inputs: list[np.ndarray],
                    seed: int) -> tuple[str, str] | None:
    """``dW[x] += dout``: NumPy's fancy-index ``+=`` adds each repeated word's row once
    (the last write wins), where ``np.add.at`` adds them all."""
    out, cache = forward(*[a.copy() for a in inputs])
    dout = stream(seed, "dout").standard_normal(np.shape(out))
    got = np.asarray(backward(dout.copy(), cache))
    bad = np.zeros_like(inputs[0])
    bad[WORDS] += dout
    if got.shape != bad.shape or not np.allclose(got, bad, rtol=1e-9, atol=1e-12):
        return None
    return ("accumulate", "word_embedding_backward keeps one row of dout per word where a "
            "word occurs more than once: dW[x] += dout (fancy indexing) adds a repeated "
            "index once, the last write wins; np.add.at(dW, x, dout) adds every occurrence")


def _first_step_only(forward: Callable, backward: Callable, inputs: list[np.ndarray],
                     seed: int) -> tuple[str, str] | None:
    """rnn_backward whose dWx, dWh or db is step 0's term alone (assigned, ``dWx = dWx_t``,
    in the loop over t from T - 1 down to 0, where it must be added up): step 0's
    pre-activation gradient da0 is dh0 Wh^-T (dh0 = da0 Wh^T; Wh square), and its terms
    are x[:, 0]^T da0, h0^T da0 and the column sums of da0."""
    x, h0, _, Wh, _ = inputs
    out, cache = forward(*[a.copy() for a in inputs])
    dout = stream(seed, "dout").standard_normal(np.shape(out))
    got = [np.asarray(g, dtype=np.float64) for g in backward(dout.copy(), cache)]
    if len(got) != 5 or got[1].shape != h0.shape:
        return None
    da0 = np.linalg.solve(Wh, got[1].T).T  # dh0 = da0 @ Wh.T
    terms = {"dWx": x[:, 0].T @ da0, "dWh": h0.T @ da0, "db": da0.sum(axis=0)}
    alone = [name for (name, term), g in zip(terms.items(), got[2:])
             if g.shape == term.shape and np.allclose(g, term, rtol=1e-6, atol=1e-10)
             and not np.allclose(g, 0)]
    if not alone:
        return None
    return ("accumulate", f"rnn_backward's {', '.join(alone)} "
            f"{'is' if len(alone) == 1 else 'are'} the first time step's term alone: "
            "assigned (dWx = dWx_t) in the loop over the time steps, where each step's "
            "term must be added (dWx += dWx_t, from np.zeros_like(Wx))")


def recurrent_hint(fwd_name: str, forward: Callable, backward: Callable,
                      inputs: list[np.ndarray], seed: int) -> tuple[str, str] | None:
    """For ``word_embedding_backward``: see :func:`_embedding_hint`.
    For ``rnn_backward`` / ``lstm_backward``: with an upstream gradient at the last
    time step only, a correct backward still gives every earlier step's dx and dh0
    (through the hidden state); a backward that does not carry dprev_h back (``dh[:, t]``
    alone, not ``dh[:, t] + dprev_h``) gives them all zero. Returns (kind, text) or None."""
    if fwd_name == "word_embedding_forward":
        return _embedding_hint(forward, backward, inputs, seed)
    if fwd_name not in ("rnn_forward", "lstm_forward"):
        return None
    if fwd_name == "rnn_forward":
        last = _first_step_only(forward, backward, inputs, seed)
        if last is not None:
            return last
    out, cache = forward(*[a.copy() for a in inputs])
    dout = np.zeros(np.shape(out))
    dout[:, -1] = stream(seed, "dout").standard_normal(dout[:, -1].shape)
    got = backward(dout, cache)
    dx, dh0 = np.asarray(got[0]), np.asarray(got[1])
    if dx.shape != inputs[0].shape or dh0.shape != inputs[1].shape:
        return None
    if np.any(dx[:, :-1]) or np.any(dh0) or not np.any(dx[:, -1]):
        return None
    step = fwd_name.replace("_forward", "_step_backward")
    return ("accumulate", f"{fwd_name.replace('_forward', '_backward')} does not carry the "
            "gradient back through time: with an upstream gradient at the last time step "
            "only, dx of every earlier step and dh0 come out 0; each step's backward must "
            f"take dh[:, t] + dprev_h (the dprev_h {step} returned for step t + 1), and dh0 "
            "is the dprev_h of step 0")


def temporal_loss_value(fwd: Callable, seed: int) -> GradCheckReport | None:
    """temporal_softmax_loss's loss against assignment 3's: the cross-entropy of every
    unmasked step summed, then averaged over the N captions (``/ N``, not ``/ (N * T)``:
    the course's reference and its expected loss of about 2.3 * T for small scores). A
    loss divided by N * T whose dx is too agrees with its own gradients, so only this
    value shows it. fwd: the pair's forward (:func:`_temporal_loss_pair`, x alone). None
    when the call does not return a number first."""
    x = _temporal_scores(seed)[0]
    got = fwd(x.copy())
    if not isinstance(got, tuple) or len(got) != 2 or np.size(got[0]) != 1:
        return None
    loss = float(np.asarray(got[0], dtype=np.float64).reshape(()))
    flat = x.reshape(N * T, V)
    shifted = flat - flat.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    terms = -logp[np.arange(N * T), LABELS.reshape(-1)] * MASK.reshape(-1)
    want = float(terms.sum() / N)
    err = abs(loss - want) / max(abs(want), 1e-12)
    ok = bool(np.isfinite(err) and err <= 1e-6)
    text = ""
    if not ok:
        known = {T: f"divided by N * T (N = {N}, T = {T}: np.mean over every time step)",
                 float(MASK.sum()) / N: f"averaged over the {int(MASK.sum())} unmasked steps "
                                        "(mask.sum())",
                 float(N): "summed over the captions, not divided by N"}
        said = next((v for k, v in known.items()
                     if np.isclose(want / loss if loss else np.inf, k, rtol=1e-6)), None)
        text = (f"the loss is {loss:.6g}, the course's {want:.6g}"
                + (f": it is {said}" if said else "")
                + "; assignment 3's temporal_softmax_loss sums the cross-entropy of every "
                  "unmasked time step and divides by N only (loss = -np.sum(mask_flat * "
                  "np.log(probs[np.arange(N * T), y_flat])) / N, and dx_flat /= N to match)")
    row = GradCheckRow("loss", (), err, 1e-6, PASS if ok else FAIL, Entry((), loss, want),
                       kind=None if ok else "loss value", kind_text=text)
    return GradCheckReport(rows=[row], title="temporal_softmax_loss: the loss's value "
                           "against the course's (summed over time, averaged over N)")
