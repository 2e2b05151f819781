"""The gradient checker against its corpus: no false alarms, no missed bugs, the bug named.

The default run checks that the smoke corpus (``run_corpus(smoke=True)``) holds one case of
every mutation kind; running it (about 30 s), the quick and the full corpora are ``slow``
(``pytest -m slow``)."""

from __future__ import annotations

import numpy as np
import pytest

from numpynn.gradcheck.checks import FAIL, INCONCLUSIVE, PASS, check_gradients
from numpynn.gradcheck.corpus import (
    A1_NET_LOSS_MUTATIONS,
    A1_NET_MUTATIONS,
    A1_NET_RAISING,
    CNN_BACKWARD_MUTATIONS,
    CNN_MUTATIONS,
    CONVNET_MUTATIONS,
    DEEP,
    EIGHTH_ROUND_CORRECT,
    EIGHTH_ROUND_MUTATIONS,
    ELEVENTH_ROUND_CORRECT,
    ELEVENTH_ROUND_MUTATIONS,
    FILE_MUTATIONS,
    LINEAR_MUTATIONS,
    MODEL_LOSS_MUTATIONS,
    MODEL_MUTATIONS,
    MUTATION_KINDS,
    MUTATIONS,
    OPTIM_MUTATIONS,
    SEVENTH_ROUND_CORRECT,
    SEVENTH_ROUND_MUTATIONS,
    SIXTH_ROUND_CORRECT,
    SIXTH_ROUND_MUTATIONS,
    SOLVER_MUTATIONS,
    TENTH_ROUND_CORRECT,
    TENTH_ROUND_MUTATIONS,
    LearnerNet,
    file_cases,
    layer_cases,
    model_cases,
    run_corpus,
)


def _targets(result):
    text = result.to_table()
    assert result.meets_target(), text
    assert result.total("correct", FAIL) == 0, text
    assert result.rate("correct", INCONCLUSIVE) < 0.05, text
    bugs = sum(sum(c.values()) for (_, expect), c in result.counts.items() if expect == "bug")
    assert result.total("bug", FAIL) == bugs, text  # every bug, of every size, a FAIL
    assert result.named_kind_rate == 1.0, text
    assert "kind named" in text and "named kind:" in text
    return text


def test_smoke_corpus_holds_every_kind():
    names = [c.name for c in model_cases(smoke=True)]
    for mutation in MUTATIONS:  # every model mutation, in full
        assert any(n.startswith(f"{mutation} (full)") for n in names), mutation
    layers = [c.name for c in layer_cases()]
    for layer in ("relu", "leaky_relu", "sigmoid", "tanh", "elu", "gelu"):
        assert f"{layer}, backward uses dout where it needs x" in layers
    kinds = {c.kind for c in layer_cases()} | set(MUTATION_KINDS.values()) | {
        k for _, _, k in FILE_MUTATIONS.values()}
    assert {"factor N", "factor 1/N", "factor 2", "negation", "mask", "regularisation",
            "in place", "random loss", "forward", "test mode"} <= kinds
    # round five: what a model's gradients cannot show, in the default run
    assert {"overflow", "in place", "return value", "regularisation", "factor", "mask",
            "loss value"} <= {
        k for _, k in A1_NET_LOSS_MUTATIONS.values()}
    # round six: every kind the checker learned, and the correct counterparts, in the
    # file cases (which the smoke corpus runs whole)
    assert {"height and width", "initialisation", "not finite", "return value", "swapped",
            "test mode", "forward"} <= {k for _, _, k in SIXTH_ROUND_MUTATIONS.values()}
    files = {c.name for c in file_cases()}
    assert set(SIXTH_ROUND_MUTATIONS) <= files
    assert {f"learner's {n}" for n in SIXTH_ROUND_CORRECT} <= files
    # round seven: assignment 3's recurrent functions among them
    assert set(SEVENTH_ROUND_MUTATIONS) <= files
    assert {f"learner's {n}" for n in SEVENTH_ROUND_CORRECT} <= files
    # round eight: the seed question's network in other styles
    assert set(EIGHTH_ROUND_MUTATIONS) <= files
    assert {f"learner's {n}" for n in EIGHTH_ROUND_CORRECT} <= files
    # round ten: the seed question's dscores, the gaps round nine left
    assert set(TENTH_ROUND_MUTATIONS) <= files
    assert {f"learner's {n}" for n in TENTH_ROUND_CORRECT} <= files
    assert {"N x C", "layout", "loss value", "forward", "correct class"} <= {
        k for _, _, k in TENTH_ROUND_MUTATIONS.values()}
    # round eleven: integer division, clipping, one-hot sized from the labels
    assert set(ELEVENTH_ROUND_MUTATIONS) <= files
    assert {f"learner's {n}" for n in ELEVENTH_ROUND_CORRECT} <= files
    assert {"factor 0", "clipped", "one-hot"} <= {
        k for _, _, k in ELEVENTH_ROUND_MUTATIONS.values()}


@pytest.mark.slow  # 27-34 s on 2 cores; most of its tables also run case by case by default
def test_smoke_corpus_meets_the_targets():
    result = run_corpus(smoke=True)
    text = _targets(result)
    assert result.counts[("file", "bug")] == {FAIL: len(FILE_MUTATIONS) + len(MODEL_MUTATIONS)
                                              + len(A1_NET_MUTATIONS) + len(CNN_MUTATIONS)
                                              + len(CNN_BACKWARD_MUTATIONS)
                                              + len(OPTIM_MUTATIONS)
                                              + len(SOLVER_MUTATIONS)
                                              + len(CONVNET_MUTATIONS)
                                              + len(LINEAR_MUTATIONS)
                                              + len(A1_NET_LOSS_MUTATIONS)
                                              + len(A1_NET_RAISING)
                                              + len(MODEL_LOSS_MUTATIONS)
                                              + len(SIXTH_ROUND_MUTATIONS)
                                              + len(SEVENTH_ROUND_MUTATIONS)
                                              + len(EIGHTH_ROUND_MUTATIONS)
                                              + len(TENTH_ROUND_MUTATIONS)
                                              + len(ELEVENTH_ROUND_MUTATIONS)}, text
    named = sum(v[1] for v in result.named.values())
    assert named >= 20, text


@pytest.mark.slow
def test_quick_corpus_meets_the_targets():
    result = run_corpus(quick=True)
    text = _targets(result)
    # the three-hidden-layer net at weight scale 1e-3 (ReLU inputs of about 1e-9, which
    # centred differences alone leave inconclusive) is in, and settled
    assert any("[7, 6, 5] ws=0.001" in c.name for c in model_cases(quick=True)), text
    assert not [c.name for c, _ in result.inconclusive if "[7, 6, 5]" in c.name], text
    assert result.total("bug", FAIL) >= 2 * len(MUTATIONS), text
    assert "cs231n" in text and DEEP in text


@pytest.mark.slow
def test_full_corpus_meets_the_targets():
    _targets(run_corpus())


def test_the_learner_net_is_correct_and_each_mutation_is_caught():
    rng = np.random.default_rng(5)
    params = {"W1": rng.standard_normal((4, 6)), "b1": rng.standard_normal(6),
              "W2": 0.5 * rng.standard_normal((6, 6)), "b2": rng.standard_normal(6),
              "W3": rng.standard_normal((6, 3)), "b3": rng.standard_normal(3)}
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    assert check_gradients(LearnerNet(params, 0.2), X, y).verdict == PASS
    for mutation in MUTATIONS:
        net = LearnerNet(params, 0.2, mutation)
        assert net.relative_size(X, y) > 1e-4, mutation
        report = check_gradients(net, X, y)
        assert report.verdict == FAIL, mutation
        if mutation in MUTATION_KINDS:
            assert MUTATION_KINDS[mutation] in report.kinds, (mutation, report.kinds)
