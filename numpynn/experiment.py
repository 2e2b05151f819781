"""The run under the name numpynn 0.2 gave it (``from numpynn.experiment import
RunOptions, run_training, evaluation_data``): the code is :mod:`numpynn.runs.run`."""

from .runs.run import (
    RunOptions,
    RunResult,
    default_train_config,
    evaluation_data,
    prediction_data,
    prepare_splits,
    resume_options,
    run_training,
)

__all__ = ["RunOptions", "RunResult", "default_train_config", "evaluation_data",
           "prediction_data", "prepare_splits", "resume_options", "run_training"]
