"""Tests of numpynn.training.schedules: per-epoch values worked out by hand, plateau behaviour,
state round trips and argument validation."""

from __future__ import annotations

import json
import math

import pytest

from numpynn.errors import InputError
from numpynn.training.optim import SGD
from numpynn.training.schedules import (
    SCHEDULES,
    ConstantLR,
    CosineDecay,
    ReduceOnPlateau,
    StepDecay,
    make_schedule,
    schedule_from_state_dict,
)


def rates(schedule, epochs, losses=None):
    losses = losses or [None] * epochs
    return [schedule.lr_for_epoch_end(e, loss) for e, loss in enumerate(losses, start=1)]


def test_constant():
    s = ConstantLR(0.1)
    assert s.initial_lr == 0.1
    assert rates(s, 4, [1.0, 2.0, 3.0, None]) == [0.1, 0.1, 0.1, 0.1]


def test_step_decay_every_epoch_like_cs231n():
    s = StepDecay(0.1)  # decay 0.95 after each epoch
    # 0.1*0.95 = 0.095; 0.095*0.95 = 0.09025; 0.09025*0.95 = 0.0857375
    assert rates(s, 3) == pytest.approx([0.095, 0.09025, 0.0857375], rel=1e-12)


def test_step_decay_every_two_epochs():
    s = StepDecay(0.1, decay=0.5, every=2)
    # after epochs 1..5: 0.1, 0.1*0.5, 0.1*0.5, 0.1*0.25, 0.1*0.25
    assert rates(s, 5) == pytest.approx([0.1, 0.05, 0.05, 0.025, 0.025], rel=1e-12)


def test_cosine_values():
    s = CosineDecay(1.0, total_epochs=4)
    # e=1: 0.5*(1 + cos(pi/4)) = 0.5*(1 + 0.70710678) = 0.85355339
    # e=2: 0.5*(1 + cos(pi/2)) = 0.5;  e=3: 0.5*(1 - 0.70710678) = 0.14644661
    # e=4: 0.5*(1 + cos(pi)) = 0;      e=5: clipped to e=4
    expected = [0.8535533905932737, 0.5, 0.14644660940672624, 0.0, 0.0]
    assert rates(s, 5) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_cosine_with_floor():
    s = CosineDecay(1.1, total_epochs=2, min_lr=0.1)
    # e=1: 0.1 + 0.5*1.0*(1 + 0) = 0.6; e=2: 0.1 + 0.5*1.0*(1 - 1) = 0.1
    assert rates(s, 3) == pytest.approx([0.6, 0.1, 0.1], rel=1e-12)


def test_plateau_by_hand():
    s = ReduceOnPlateau(1.0, factor=0.5, patience=2, min_lr=0.2, threshold=0.1)
    losses = [1.0, 0.95, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    # 1.0  first loss: best = 1.0
    # 0.95 not < 1.0 - 0.1*1.0 = 0.9: bad 1
    # 0.85 < 0.9: best = 0.85, bad 0
    # 0.9, 0.9 bad 1, 2 -> lr 0.5, count restarts
    # 0.9, 0.9 -> lr 0.25;  0.9, 0.9 -> max(0.125, 0.2) = 0.2;  0.9 -> stays 0.2
    expected = [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2]
    assert rates(s, len(losses), losses) == expected
    assert s.best == 0.85


def test_plateau_patience_zero_cuts_every_bad_epoch():
    s = ReduceOnPlateau(1.0, factor=0.5, patience=0, min_lr=0.0)
    # 2.0 best; 1.0 improves; 1.5 bad -> 0.5; 1.2 bad -> 0.25; 0.5 improves -> 0.25
    assert rates(s, 5, [2.0, 1.0, 1.5, 1.2, 0.5]) == [1.0, 1.0, 0.5, 0.25, 0.25]


def test_plateau_non_finite_loss_is_no_improvement():
    s = ReduceOnPlateau(1.0, factor=0.5, patience=1, min_lr=0.0)
    assert rates(s, 3, [float("nan"), 1.0, float("inf")]) == [0.5, 0.5, 0.25]
    assert s.best == 1.0


def test_plateau_needs_val_loss():
    s = ReduceOnPlateau(0.1)
    with pytest.raises(InputError, match="val_loss"):
        s.lr_for_epoch_end(1, None)
    with pytest.raises(InputError, match="val_loss"):
        s.lr_for_epoch_end(1, "0.3")


def test_epoch_must_be_positive_int():
    with pytest.raises(InputError, match="epoch"):
        ConstantLR(0.1).lr_for_epoch_end(0, None)
    with pytest.raises(InputError, match="epoch"):
        ConstantLR(0.1).lr_for_epoch_end(1.5, None)


@pytest.mark.parametrize(
    "name,kw,losses",
    [
        ("constant", {}, None),
        ("step", {"decay": 0.9, "every": 2}, None),
        ("cosine", {"total_epochs": 5, "min_lr": 0.01}, None),
        ("plateau", {"patience": 1, "threshold": 0.0}, [3.0, 2.0, 2.5, 2.5, 1.0, 1.5, 1.5, 1.5]),
    ],
)
def test_state_round_trip_resumes(name, kw, losses):
    losses = losses or [None] * 8
    straight = make_schedule(name, 0.1, **kw)
    expected = rates(straight, 8, losses)

    first = make_schedule(name, 0.1, **kw)
    got = [first.lr_for_epoch_end(e, losses[e - 1]) for e in (1, 2, 3)]
    state = json.loads(json.dumps(first.state_dict()))
    second = schedule_from_state_dict(state)
    assert second.lr == first.lr
    got += [second.lr_for_epoch_end(e, losses[e - 1]) for e in range(4, 9)]
    assert got == expected

    third = make_schedule(name, 0.1, **kw)
    third.load_state_dict(state)
    assert third.state_dict() == first.state_dict()


def test_plateau_state_layout():
    s = ReduceOnPlateau(0.1, patience=1)
    s.lr_for_epoch_end(1, 0.5)
    s.lr_for_epoch_end(2, 0.6)
    assert s.state_dict() == {
        "name": "plateau",
        "hyper": {"lr": 0.1, "factor": 0.5, "patience": 1, "min_lr": 1e-6, "threshold": 1e-4},
        "lr": 0.05,
        "best": 0.5,
        "num_bad_epochs": 0,
    }


def test_load_rejects_foreign_state():
    with pytest.raises(InputError, match="step"):
        ConstantLR(0.1).load_state_dict(StepDecay(0.1).state_dict())
    with pytest.raises(InputError, match="arguments"):
        StepDecay(0.1, decay=0.5).load_state_dict(StepDecay(0.1, decay=0.9).state_dict())


def test_schedule_drives_an_optimizer():
    opt = SGD(0.1)
    sched = make_schedule("step", opt.lr, decay=0.5)
    for epoch in (1, 2):
        opt.lr = sched.lr_for_epoch_end(epoch, None)
    assert opt.lr == pytest.approx(0.025)


def test_make_schedule_names():
    assert SCHEDULES.names() == ("constant", "step", "cosine", "plateau")
    assert isinstance(make_schedule("CONSTANT", 0.1), ConstantLR)
    assert isinstance(make_schedule("Cosine", 0.1, total_epochs=3), CosineDecay)
    with pytest.raises(InputError) as info:
        make_schedule("exponential", 0.1)
    assert "exponential" in str(info.value)
    for name in SCHEDULES.names():
        assert name in str(info.value)
    with pytest.raises(InputError, match="patience"):
        make_schedule("step", 0.1, patience=2)
    with pytest.raises(InputError, match="total_epochs"):
        make_schedule("cosine", 0.1)


@pytest.mark.parametrize(
    "name,kw,arg,value",
    [
        ("constant", {"lr": -0.1}, "lr", "-0.1"),
        ("step", {"lr": 0.1, "decay": 0.0}, "decay", "0.0"),
        ("step", {"lr": 0.1, "decay": 1.5}, "decay", "1.5"),
        ("step", {"lr": 0.1, "every": 0}, "every", "0"),
        ("cosine", {"lr": 0.1, "total_epochs": 0}, "total_epochs", "0"),
        ("cosine", {"lr": 0.1, "total_epochs": 2.5}, "total_epochs", "2.5"),
        ("cosine", {"lr": 0.1, "total_epochs": 3, "min_lr": 0.5}, "min_lr", "0.5"),
        ("plateau", {"lr": 0.1, "factor": 1.0}, "factor", "1.0"),
        ("plateau", {"lr": 0.1, "factor": 0.0}, "factor", "0.0"),
        ("plateau", {"lr": 0.1, "patience": -1}, "patience", "-1"),
        ("plateau", {"lr": 0.1, "min_lr": -1.0}, "min_lr", "-1.0"),
        ("plateau", {"lr": 0.1, "threshold": math.inf}, "threshold", "inf"),
    ],
)
def test_bad_arguments_raise_input_error(name, kw, arg, value):
    kw = dict(kw)
    lr = kw.pop("lr")
    with pytest.raises(InputError) as info:
        make_schedule(name, lr, **kw)
    assert arg in str(info.value) and value in str(info.value)
