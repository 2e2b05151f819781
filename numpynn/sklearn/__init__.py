"""scikit-learn estimators over numpynn's networks: :class:`MLPClassifier`
(:mod:`.classifier`) and :class:`MLPRegressor` (:mod:`.regressor`), on a shared base
(:mod:`.base`). Importing this package imports scikit-learn."""

from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
