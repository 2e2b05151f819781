"""The prediction table under the name numpynn 0.2 gave it (``from numpynn.predictions
import prediction_table, write_predictions``): the code is :mod:`numpynn.runs.predictions`."""

from .runs.predictions import prediction_csv, prediction_table, write_predictions

__all__ = ["prediction_csv", "prediction_table", "write_predictions"]
