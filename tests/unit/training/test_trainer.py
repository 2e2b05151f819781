"""Tests of numpynn.training.trainer.Trainer: every example once per epoch, history bookkeeping,
determinism, early stopping with the best parameters restored, divergence handling,
checkpoints that resume bit for bit, schedules and dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import load_digits

from numpynn import MLP
from numpynn.errors import DivergenceError, InputError, ModelFileError
from numpynn.training.trainer import Callback, History, TrainConfig, Trainer, read_checkpoint

N_TRAIN = 1000  # not a multiple of the batch sizes used below: the last batch is short


@pytest.fixture(scope="module")
def digits():
    """Standardised digits as float64: (X_train, y_train, X_val, y_val)."""
    d = load_digits()
    X = (d.data - d.data.mean(axis=0)) / (d.data.std(axis=0) + 1.0)
    y = d.target.astype(np.int64)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:1400], y[N_TRAIN:1400]


def training_only(fn, inner):
    """A ``loss`` replacement set on the model instance: ``fn(X, y)`` for training calls,
    the original ``inner(X)`` for scores. The Trainer must then run it (not the engine)."""

    def loss(X, y=None, reg=None):
        return inner(X) if y is None else fn(X, y)

    return loss


def make_trainer(digits, dtype="float32", model_seed=0, hidden=(32,), callbacks=(),
                 checkpoint=None, checkpoint_every=5.0, **config) -> Trainer:
    Xtr, ytr, Xv, yv = digits
    model = MLP(64, list(hidden), 10, reg=1e-4, dtype=dtype, seed=model_seed)
    cfg = TrainConfig(**{"epochs": 3, "batch_size": 64, "optimizer": "adam", "lr": 1e-3,
                         **config})
    return Trainer(model, Xtr, ytr, Xv, yv, config=cfg, callbacks=callbacks,
                   checkpoint=checkpoint, checkpoint_every=checkpoint_every)


def params_copy(model: MLP) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.params.items()}


def assert_params_identical(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        assert np.array_equal(a[k], b[k]), f"parameter {k} differs"


class Snapshots(Callback):
    """Copies of the parameters after every epoch (epoch 0: before training)."""

    def __init__(self) -> None:
        self.params: dict[int, dict[str, np.ndarray]] = {}

    def on_train_begin(self, trainer: Trainer) -> None:
        self.params.setdefault(trainer.epoch, params_copy(trainer.model))

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None:
        self.params[epoch] = params_copy(trainer.model)


class StopAfter(Callback):
    """Simulates Ctrl-C after the given epoch (after its checkpoint was written)."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_end(self, trainer: Trainer, epoch: int) -> None:
        if epoch == self.epoch:
            raise KeyboardInterrupt


# ----------------------------------------------------------------- minibatches, history


def test_every_example_exactly_once_per_epoch(digits):
    Xtr, ytr, Xv, yv = digits
    X = Xtr.copy()
    X[:, 0] = np.arange(N_TRAIN)  # the first feature identifies the row (exact in float32)
    B, epochs = 64, 3
    trainer = make_trainer((X, ytr, Xv, yv), epochs=epochs, batch_size=B)
    seen: list[np.ndarray] = []
    ends: list[int] = []

    inner = trainer.model.loss

    def recording_loss(Xb, yb):
        ids = Xb[:, 0].astype(np.int64)
        assert np.array_equal(yb, ytr[ids]), "labels travel with their rows"
        seen.append(ids)
        return inner(Xb, yb)

    class EpochEnds(Callback):
        def on_epoch_end(self, trainer, epoch):
            ends.append(len(seen))

    trainer.model.loss = training_only(recording_loss, inner)
    trainer.callbacks.append(EpochEnds())
    trainer.train()

    steps = math.ceil(N_TRAIN / B)
    assert ends == [steps * (e + 1) for e in range(epochs)]
    orders = []
    for e in range(epochs):
        batches = seen[e * steps : (e + 1) * steps]
        assert [len(b) for b in batches] == [B] * (steps - 1) + [N_TRAIN - B * (steps - 1)]
        order = np.concatenate(batches)
        assert np.array_equal(np.sort(order), np.arange(N_TRAIN)), f"epoch {e + 1}"
        orders.append(order)
    # shuffled, and differently each epoch
    assert not np.array_equal(orders[0], np.arange(N_TRAIN))
    assert not np.array_equal(orders[0], orders[1])


@pytest.mark.parametrize("batch_size", [64, 100, 1000, 4096])
def test_history_lengths(digits, batch_size):
    epochs = 3
    h = make_trainer(digits, epochs=epochs, batch_size=batch_size).train()
    assert len(h.step_loss) == epochs * math.ceil(N_TRAIN / batch_size)
    for name in ("train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"):
        assert len(getattr(h, name)) == epochs, name
    assert h.epochs == [1, 2, 3]
    assert h.stop_reason == "completed 3 epochs"
    assert 1 <= h.best_epoch <= epochs
    assert h.val_loss[h.best_epoch - 1] == min(h.val_loss)  # the default rule
    assert h.best_rule == "lowest validation loss"
    assert all(math.isfinite(v) for v in h.step_loss)
    assert History.from_dict(h.to_dict()) == h


def test_learns_digits(digits):
    h = make_trainer(digits, epochs=8, lr=3e-3).train()
    assert h.val_acc[-1] > 0.85
    assert h.step_loss[-1] < h.step_loss[0]


# ------------------------------------------------------------------------ determinism


def test_same_seed_same_result(digits):
    a, b = make_trainer(digits, seed=7), make_trainer(digits, seed=7)
    ha, hb = a.train(), b.train()
    assert ha.deterministic() == hb.deterministic()
    assert_params_identical(a.model.params, b.model.params)


def test_different_seed_different_result(digits):
    # the same initial weights: only the shuffling (the trainer's seed) differs
    a, b = make_trainer(digits, seed=1), make_trainer(digits, seed=2)
    a.train()
    b.train()
    assert a.history.step_loss != b.history.step_loss
    assert not np.array_equal(a.model.params["W1"], b.model.params["W1"])


def test_seed_none_is_drawn_and_recorded(digits):
    a = make_trainer(digits, seed=None, epochs=1)
    assert isinstance(a.config.seed, int)
    b = make_trainer(digits, seed=a.config.seed, epochs=1)
    a.train()
    b.train()
    assert a.history.deterministic() == b.history.deterministic()


# ---------------------------------------------------------------------- early stopping


@pytest.mark.parametrize("select", ["accuracy", "loss"])
def test_early_stopping_restores_best_params(digits, select):
    # a rate this high makes the validation accuracy peak early and then wander
    snaps = Snapshots()
    trainer = make_trainer(digits, epochs=40, optimizer="sgd", lr=0.5, batch_size=32,
                           patience=2, callbacks=[snaps], select=select)
    h = trainer.train()
    assert len(h.epochs) < 40, "patience=2 should stop the run early"
    assert h.stop_reason.startswith("early stopping after epoch")
    best = h.best_epoch
    if select == "accuracy":  # the highest accuracy, the lowest loss among its epochs
        assert h.val_acc[best - 1] == max(h.val_acc)
        tied = [i for i, v in enumerate(h.val_acc) if v == max(h.val_acc)]
        assert h.val_loss[best - 1] == min(h.val_loss[i] for i in tied)
        assert h.best_rule == "best validation accuracy"
    else:
        assert h.val_loss[best - 1] == min(h.val_loss)
        assert all(v >= h.val_loss[best - 1] for v in h.val_loss[best:])
        assert h.best_rule == "lowest validation loss"
    # it stopped exactly `patience` epochs after the best one
    assert h.epochs[-1] == best + 2
    assert_params_identical(trainer.model.params, snaps.params[best])
    # and the best parameters are not simply the last ones
    assert not np.array_equal(snaps.params[best]["W1"], snaps.params[h.epochs[-1]]["W1"])


def test_keep_best_false_keeps_last(digits):
    snaps = Snapshots()
    trainer = make_trainer(digits, epochs=6, optimizer="sgd", lr=0.5, batch_size=32,
                           keep_best=False, callbacks=[snaps])
    h = trainer.train()
    assert_params_identical(trainer.model.params, snaps.params[h.epochs[-1]])


def test_without_validation_data_the_last_params_are_kept(digits):
    """No validation set: nothing to select or stop on (the training accuracy is no
    stand-in), so patience never fires and the last epoch's parameters are kept."""
    Xtr, ytr, _, _ = digits
    snaps = Snapshots()
    trainer = Trainer(MLP(64, [32], 10, seed=0), Xtr, ytr,
                      config=TrainConfig(epochs=8, optimizer="sgd", lr=0.5, batch_size=32,
                                         patience=1),
                      callbacks=[snaps])
    h = trainer.train()
    assert h.epochs == list(range(1, 9))
    assert h.stop_reason == "completed 8 epochs"
    assert h.best_epoch == 8
    assert h.best_rule == "last epoch, no validation data"
    assert_params_identical(trainer.model.params, snaps.params[8])


def scripted_trainer(digits, monkeypatch, select, accs, losses, **config) -> Trainer:
    """A Trainer whose validation metrics per epoch are ``accs``/``losses`` (the
    selection logic alone is under test)."""
    trainer = make_trainer(digits, epochs=len(accs), select=select, **config)
    metrics = iter(zip(accs, losses, strict=True))
    import numpynn.training.scores as scores_module

    real = scores_module.score_and_loss

    def fake(model, X, y, idx=None, **kw):
        if X is trainer.X_val:
            return next(metrics)
        return real(model, X, y, idx=idx, **kw)

    monkeypatch.setattr("numpynn.training.scores.score_and_loss", fake)
    return trainer


@pytest.mark.parametrize("select, expected", [
    # loss: the lowest loss; its tie (epochs 2 and 4) broken by the higher accuracy
    ("loss", 4),
    # accuracy: the highest accuracy; its tie (epochs 1 and 3) broken by the lower loss
    ("accuracy", 3),
])
def test_select_rule_chooses_the_kept_epoch(digits, monkeypatch, select, expected):
    accs = [0.9, 0.8, 0.9, 0.85, 0.7]
    losses = [0.5, 0.3, 0.4, 0.3, 0.35]
    trainer = scripted_trainer(digits, monkeypatch, select, accs, losses)
    snaps = Snapshots()
    trainer.callbacks.append(snaps)
    h = trainer.train()
    assert h.best_epoch == expected
    assert_params_identical(trainer.model.params, snaps.params[expected])


def test_patience_counts_epochs_without_a_lower_loss(digits, monkeypatch):
    # accuracy rises after epoch 2 but the loss does not fall: the loss rule stops
    accs = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
    losses = [1.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    trainer = scripted_trainer(digits, monkeypatch, "loss", accs, losses, patience=3)
    h = trainer.train()
    assert h.epochs == [1, 2, 3, 4, 5] and h.best_epoch == 2
    assert "no lowest validation loss improvement for 3 epochs" in h.stop_reason


def test_select_must_be_a_known_rule():
    from numpynn.errors import InputError

    with pytest.raises(InputError,
                       match="select must be one of 'loss', 'accuracy', 'auto'; got 'acc'"):
        TrainConfig(select="acc")


@pytest.mark.parametrize("n_val, rule", [(0, "loss"), (999, "loss"), (1000, "accuracy")])
def test_auto_selects_by_the_score_on_a_large_validation_split_only(n_val, rule):
    from numpynn.training.trainer import resolve_select
    assert resolve_select("auto", n_val) == rule
    assert resolve_select("loss", 5000) == "loss"
    assert resolve_select("accuracy", 10) == "accuracy"


def test_old_checkpoint_without_select_resumes_with_the_accuracy_rule(digits, tmp_path):
    """Checkpoints of numpynn 0.1 have no "select" (nor "best_val_loss"): they resume
    with the rule they were started with."""
    from numpynn.model_file import read_container, write_container

    ckpt = tmp_path / "checkpoint.npz"
    first = make_trainer(digits, epochs=2, checkpoint=ckpt, select="accuracy")
    first.train()
    header, arrays = read_container(ckpt, "checkpoint")
    del header["config"]["select"], header["best_val_loss"]
    del header["history"]["best_rule"]
    old = tmp_path / "old.npz"
    write_container(old, header, arrays)
    trainer = make_trainer(digits, epochs=4)
    trainer.resume(old)
    assert trainer.config.select == "accuracy" and trainer.best_val_loss == math.inf
    trainer.config.epochs = 4
    h = trainer.train()
    assert h.epochs == [1, 2, 3, 4] and h.val_acc[h.best_epoch - 1] == max(h.val_acc)


# -------------------------------------------------------------------------- divergence


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_raises_and_keeps_finite_params(digits):
    snaps = Snapshots()
    trainer = make_trainer(digits, epochs=5, optimizer="sgd", lr=1e6, callbacks=[snaps])
    with pytest.raises(DivergenceError) as info:
        trainer.train()
    msg = str(info.value)
    assert "smaller learning rate" in msg
    assert "`lr=100000`" in msg  # a concrete suggestion: a tenth of the rate
    h = trainer.history
    assert h.stop_reason.startswith("diverged in epoch")
    last_good = len(h.epochs)  # epochs that ended before the divergence
    assert_params_identical(trainer.model.params, snaps.params[last_good])
    assert all(np.isfinite(v).all() for v in trainer.model.params.values())


def test_a_first_loss_made_by_the_l2_term_names_reg_not_the_weights(digits):
    """reg=1e10: the first batch's loss is almost all 0.5 * reg * sum(W**2); the message
    blamed the initial weights and the inputs' scale, and named neither reg nor its fix."""
    trainer = make_trainer(digits, epochs=2)
    trainer.model.reg = 1e10
    with pytest.raises(DivergenceError, match="training cannot start") as info:
        trainer.train()
    msg = str(info.value)
    assert "`reg`=1e+10 is far too large" in msg and "weight_scale" not in msg
    assert trainer.step_count == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_in_a_later_epoch_keeps_that_epochs_params(digits):
    class BlowUpAfter(Callback):
        def on_epoch_end(self, trainer, epoch):
            if epoch == 2:
                trainer.optimizer.lr = 1e6

    snaps = Snapshots()
    trainer = make_trainer(digits, epochs=6, optimizer="sgd", lr=1e-2,
                           callbacks=[snaps, BlowUpAfter()])
    with pytest.raises(DivergenceError, match="epoch 2 were kept"):
        trainer.train()
    assert trainer.history.epochs == [1, 2]
    assert_params_identical(trainer.model.params, snaps.params[2])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nonfinite_update_at_the_end_of_an_epoch_is_not_kept(digits):
    """The last step of an epoch has a finite loss but an infinite update: the epoch's
    parameters are not finite and must not become the 'last good' ones."""
    snaps = Snapshots()
    trainer = make_trainer(digits, epochs=4, optimizer="sgd", lr=1e-2, batch_size=500,
                           callbacks=[snaps])
    inner = trainer.model.loss
    calls = []

    def poisoned(Xb, yb):
        loss, grads = inner(Xb, yb)
        calls.append(1)
        if len(calls) == 4:  # the last step of epoch 2 (2 steps per epoch)
            grads = {k: np.full_like(g, np.inf) for k, g in grads.items()}
        return loss, grads

    trainer.model.loss = training_only(poisoned, inner)
    with pytest.raises(DivergenceError):
        trainer.train()
    assert all(np.isfinite(v).all() for v in trainer.model.params.values())
    assert_params_identical(trainer.model.params, snaps.params[1])
    assert trainer.history.epochs == [1]


# ------------------------------------------------------------------------- checkpoints


@pytest.mark.parametrize(("every", "written"), [(0.0, [1, 2, 3, 4, 5]), (3600.0, [1, 5])])
def test_checkpoints_are_written_first_last_and_every_so_many_seconds(
        digits, tmp_path, monkeypatch, every, written):
    import numpynn.training.trainer as train_module

    epochs_written = []
    real_write = train_module.write_container

    def counting_write(path, header, arrays):
        epochs_written.append(header["epoch"])
        return real_write(path, header, arrays)

    monkeypatch.setattr(train_module, "write_container", counting_write)
    ckpt = tmp_path / "checkpoint.npz"
    make_trainer(digits, checkpoint=ckpt, checkpoint_every=every, epochs=5).train()
    assert epochs_written == written
    assert read_checkpoint(ckpt)[0]["epoch"] == 5


def test_checkpoint_every_must_be_a_number_at_least_zero(digits):
    for bad in (-1.0, "5", float("nan"), True):
        with pytest.raises(InputError, match="checkpoint_every must be"):
            make_trainer(digits, checkpoint_every=bad)


RESUME_CASES = {
    "adam": {"optimizer": "adam", "lr": 1e-3},
    "momentum": {"optimizer": "momentum", "lr": 1e-2, "optimizer_kwargs": {"momentum": 0.9}},
    "plateau": {"optimizer": "sgd", "lr": 0.05, "schedule": "plateau",
                "schedule_kwargs": {"patience": 1, "factor": 0.5, "threshold": 0.5}},
}


@pytest.mark.parametrize("every", [0.0, 3600.0])
@pytest.mark.parametrize("case", sorted(RESUME_CASES))
def test_resume_from_checkpoint_is_bit_identical(digits, tmp_path, case, every):
    """every 0: epoch 3 was written when it ended; every 3600: it was held in memory and
    written when the interrupt left train()."""
    cfg = {"epochs": 6, "batch_size": 100, "patience": None, **RESUME_CASES[case]}
    straight = make_trainer(digits, **cfg)
    straight.train()

    ckpt = tmp_path / "checkpoint.npz"
    first = make_trainer(digits, checkpoint=ckpt, callbacks=[StopAfter(3)],
                         checkpoint_every=every, **cfg)
    with pytest.raises(KeyboardInterrupt):
        first.train()
    header, _ = read_checkpoint(ckpt)
    assert header["epoch"] == 3

    # a fresh process would build a fresh model (other init) and trainer
    second = make_trainer(digits, model_seed=99, checkpoint=ckpt, **cfg)
    second.resume(ckpt)
    second.train()

    assert second.history.deterministic() == straight.history.deterministic()
    assert_params_identical(second.model.params, straight.model.params)
    assert second.step_count == straight.step_count
    if case == "plateau":  # the test is only meaningful if the rate was really cut
        assert len(set(straight.history.lr)) > 1


def test_resume_rejects_another_architecture(digits, tmp_path):
    ckpt = tmp_path / "checkpoint.npz"
    make_trainer(digits, epochs=1, checkpoint=ckpt).train()
    other = make_trainer(digits, hidden=(16,))
    with pytest.raises(ModelFileError, match="architecture"):
        other.resume(ckpt)


# ------------------------------------------------------------------ schedules, dtypes


def test_step_decay_changes_the_learning_rate(digits):
    h = make_trainer(digits, epochs=4, optimizer="sgd", lr=0.1, schedule="step",
                     lr_decay=0.5).train()
    np.testing.assert_allclose(h.lr, [0.1, 0.05, 0.025, 0.0125], rtol=1e-12)
    constant = make_trainer(digits, epochs=4, optimizer="sgd", lr=0.1).train()
    assert constant.lr == [0.1] * 4
    assert h.step_loss[:16] == constant.step_loss[:16]  # same first epoch
    assert h.step_loss[16:] != constant.step_loss[16:]  # the smaller rate was used


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept(digits, dtype):
    trainer = make_trainer(digits, dtype=dtype, epochs=2, optimizer="adam")
    inner = trainer.model.loss
    seen = set()

    def checking(Xb, yb):
        loss, grads = inner(Xb, yb)
        seen.add(Xb.dtype.name)
        seen.update(g.dtype.name for g in grads.values())
        return loss, grads

    trainer.model.loss = training_only(checking, inner)
    trainer.train()
    assert seen == {dtype}
    assert trainer.X_train.dtype == dtype and trainer.X_val.dtype == dtype
    assert {v.dtype.name for v in trainer.model.params.values()} == {dtype}
    state = trainer.optimizer.state_dict()["arrays"]
    assert state and {v.dtype.name for v in state.values()} == {dtype}
    assert {v.dtype.name for v in trainer.best_params.values()} == {dtype}


def test_balanced_accuracy_is_scikit_learns_on_any_chunking_and_rows():
    """score_and_loss(balanced=True): the mean per-class recall over the classes present
    in y (scikit-learn's balanced_accuracy_score), the same in one chunk or many and on a
    row subset; the plain score stays the accuracy, and the loss is the same either way."""
    from sklearn.metrics import balanced_accuracy_score

    from numpynn.models import MLP
    from numpynn.training.scores import class_score, score_and_loss

    rng = np.random.default_rng(3)
    X = rng.standard_normal((257, 6))
    y = np.where(rng.random(257) < 0.8, 0, rng.integers(1, 3, 257))  # class 3 absent
    model = MLP(6, [5], 4, seed=1, dtype="float64")
    pred = np.argmax(model.forward(X), axis=1)
    idx = np.sort(rng.choice(257, 90, replace=False))
    for chunk in (7, 8192):
        bal, loss = score_and_loss(model, X, y, chunk=chunk, balanced=True)
        acc, loss_plain = score_and_loss(model, X, y, chunk=chunk)
        assert bal == pytest.approx(balanced_accuracy_score(y, pred), rel=1e-12)
        assert acc == pytest.approx(np.mean(pred == y), rel=1e-12)
        assert loss == pytest.approx(loss_plain, rel=1e-12)
        sub, _ = score_and_loss(model, X, y, chunk=chunk, idx=idx, balanced=True)
        assert sub == pytest.approx(balanced_accuracy_score(y[idx], pred[idx]), rel=1e-12)
    assert bal != pytest.approx(acc)  # the imbalance makes them differ
    assert class_score(np.array([[1, 0, 0], [2, 2, 0]]), np.array([[2, 2, 0], [2, 4, 0]]),
                       True).tolist() == [0.25, 0.75]


def test_a_balanced_scorer_selects_its_epoch_and_names_it():
    """A Trainer given BalancedAccuracyScorer records that score, and "auto" selects the
    epoch by it (on a validation split far under 1,000 rows)."""
    from numpynn.models import MLP
    from numpynn.training.scores import BalancedAccuracyScorer

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 4))
    y = (X[:, 0] + 0.5 * rng.standard_normal(300) > 1.2).astype(int)  # about 15% ones
    h = Trainer(MLP(4, [8], 2, seed=0), X[:200], y[:200], X[200:], y[200:],
                config=TrainConfig(epochs=6, batch_size=20, lr=0.1, select="auto"),
                scorer=BalancedAccuracyScorer()).train()
    assert h.score_name == "balanced_accuracy"
    assert h.best_rule == "best validation balanced accuracy"
    assert h.val_score[h.best_epoch - 1] == max(h.val_score)
    with pytest.raises(AttributeError, match="balanced accuracy, not accuracy"):
        _ = h.val_acc


@pytest.mark.parametrize("kwargs,said", [
    ({"epochs": 1}, "an option of TrainConfig: Trainer(model, X, y, config=TrainConfig(epochs"),
    ({"learning_rate": 0.1}, "numpynn's name for it is 'lr', an option of TrainConfig"),
    ({"validation_data": None}, "give the validation rows as X_val and y_val"),
    ({"verbose": 1}, "callbacks=[numpynn.progress.EpochLog()]"),
    ({"callback": []}, "did you mean 'callbacks'"),
])
def test_a_keyword_of_a_fit_call_is_answered_with_where_it_goes(kwargs, said):
    """Keras' fit(X, y, epochs=5, validation_data=...): it was Python's bare "unexpected
    keyword argument"; still a TypeError, and an InputError."""
    X, y = np.zeros((6, 2)), np.arange(6) % 3
    with pytest.raises(TypeError, match="unexpected keyword argument") as info:
        Trainer(MLP(2, [3], 3), X, y, **kwargs)
    assert isinstance(info.value, InputError) and said in str(info.value)


@pytest.mark.parametrize("make_y,said", [
    (lambda y: np.eye(3)[y], "(one-hot encoded, as Keras' to_categorical makes: give the class "
                             "indices, y_train.argmax(axis=1))"),
    (lambda y: y[:, None], "(a column: give y_train.ravel())"),
])
def test_labels_of_another_shape_say_how_to_make_them_class_indices(make_y, said):
    X, y = np.zeros((6, 2)), np.arange(6) % 3
    with pytest.raises(InputError) as info:
        Trainer(MLP(2, [3], 3), X, make_y(y))
    assert said in str(info.value)
