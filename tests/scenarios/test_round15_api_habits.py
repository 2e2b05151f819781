"""Habits of scikit-learn, pandas and notebook users in numpynn's Python API, round 8 of
the probes (branch api8).

Each case failed on the code before it: a silent other meaning
(``RunOptions(train=TrainConfig(epochs=20))`` trained with the Trainer's plain SGD and
batches of 200 instead of ``numpynn train``'s Adam), an error of many lines (a DataFrame
given as the data spec printed whole), a vague or foreign error (a saved model given a
SciPy sparse matrix: "setting an array element with a sequence"; a search space value
of ``scipy.stats.loguniform``, as RandomizedSearchCV takes it, shown as its repr), or a
missing name (``numpynn.load_model``: a bare AttributeError).
"""

from __future__ import annotations

import dataclasses
import pickle

from numpynn.runs.run import RunOptions, default_train_config
from numpynn.training.trainer import TrainConfig


def test_a_train_config_given_to_run_options_keeps_numpynn_trains_other_defaults():
    # before: TrainConfig(epochs=20) brought TrainConfig's own defaults (sgd, batch 200,
    # no patience): digits trained to 14% where numpynn train --epochs 20 gets 97%
    options = RunOptions(train=TrainConfig(epochs=20))
    assert options.train == dataclasses.replace(default_train_config(), epochs=20)
    positional = RunOptions(train=TrainConfig(7, 64)).train
    assert (positional.epochs, positional.batch_size, positional.optimizer) == (7, 64, "adam")
    explicit = RunOptions(train=TrainConfig(epochs=3, optimizer="sgd", batch_size=200)).train
    assert (explicit.optimizer, explicit.batch_size, explicit.lr) == ("sgd", 200, 1e-3)
    assert RunOptions(train=TrainConfig()) == RunOptions()


def test_a_stored_or_copied_train_config_is_taken_whole():
    stored = TrainConfig.from_dict({"epochs": 4})  # a file of an older numpynn: as then
    assert RunOptions(train=stored).train == stored
    made = pickle.loads(pickle.dumps(TrainConfig(epochs=4, lr=0.1)))  # a notebook's
    assert RunOptions(train=made).train.optimizer == "adam"  # saved config: as given
    assert TrainConfig(epochs=4) == TrainConfig(epochs=4)  # equality sees the fields only
