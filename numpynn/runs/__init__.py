"""A whole run, for every task: options declared once (:mod:`.options`), the run itself
(:mod:`.run`: split, one fit for a run, a refit, a search trial and a retrain, scores,
files, evaluation data), its files (:mod:`.files`) and its prediction table
(:mod:`.predictions`)."""

from .options import OPTIONS, Option
from .predictions import prediction_csv, prediction_table, write_predictions
from .run import (
    RunOptions,
    RunResult,
    evaluation_data,
    make_trainer,
    prediction_data,
    prepare_splits,
    run_training,
)

__all__ = ["OPTIONS", "Option", "RunOptions", "RunResult", "evaluation_data", "make_trainer",
           "prediction_csv", "prediction_data", "prediction_table", "prepare_splits",
           "run_training", "write_predictions"]
