"""The gradient checker against its corpus: no false alarms, no missed bugs."""

from __future__ import annotations

import numpy as np

from numpynn.gradcheck import FAIL, INCONCLUSIVE, PASS, check_gradients
from numpynn.gradcheck_corpus import DEEP, MUTATIONS, LearnerNet, model_cases, run_corpus


def test_quick_corpus_meets_the_targets():
    result = run_corpus(quick=True)
    text = result.to_table()
    assert result.meets_target(), text
    assert result.total("correct", FAIL) == 0
    assert result.rate("correct", INCONCLUSIVE) < 0.05, text
    bugs = sum(sum(c.values()) for (_, expect), c in result.counts.items() if expect == "bug")
    assert result.total("bug", FAIL) == bugs, text  # every bug, of every size, a FAIL
    # the three-hidden-layer net at weight scale 1e-3 (ReLU inputs of about 1e-9, which
    # centred differences alone leave inconclusive) is in, and settled
    assert any("[7, 6, 5] ws=0.001" in c.name for c in model_cases(quick=True)), text
    assert not [c.name for c, _ in result.inconclusive if "[7, 6, 5]" in c.name], text
    # every mutation family was tried and caught in full
    tried = {c.name.split(" (")[0] for c, _ in result.misses}
    assert not tried, text
    assert result.total("bug", FAIL) >= 2 * len(MUTATIONS), text
    assert "cs231n" in text and DEEP in text


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
        assert check_gradients(net, X, y).verdict == FAIL, mutation
