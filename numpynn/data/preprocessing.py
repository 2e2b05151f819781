"""Feature preprocessing whose statistics are fitted on the training data only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ..errors import DataError, InputError, ModelFileError

KINDS = ("standardize", "center", "scale", "none")


class Preprocessor:
    """Per-feature affine map ``(X - mean) / scale`` fitted on training data.

    Kinds:
        - ``"standardize"``: mean and standard deviation of each feature (a feature with
          zero variance gets the largest absolute value of the training set as its scale,
          or 1 when that is 0, so it maps to 0 and never to NaN/inf, and unseen values
          stay at the data's scale).
        - ``"center"``: subtract each feature's mean (scale 1).
        - ``"scale"``: divide every feature by the largest absolute value in the whole
          training set (one number; mean 0), e.g. 16 for digits or 255 for images, so
          that non-negative data lands in [0, 1].
        - ``"none"``: identity (mean 0, scale 1).

    The statistics are float64 of shape (D,). ``transform`` keeps a float input's dtype
    (float32 stays float32); integer inputs become float64.
    """

    kinds: ClassVar[tuple[str, ...]] = KINDS

    def __init__(self, kind: str = "standardize") -> None:
        if kind not in KINDS:
            raise InputError(f"preprocessing kind must be one of {list(KINDS)}; got {kind!r}")
        self.kind = kind
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def __repr__(self) -> str:
        fitted = "" if self.mean_ is None else f", n_features={len(self.mean_)}"
        return f"Preprocessor({self.kind!r}{fitted})"

    @property
    def n_features(self) -> int | None:
        """Number of features D it was fitted on, None before :meth:`fit`."""
        return None if self.mean_ is None else len(self.mean_)

    def fit(self, X: np.ndarray, keep: Sequence[int] = ()) -> Preprocessor:
        """Compute the statistics from the training examples X (N, D); returns self.

        keep: columns left as they are (mean 0, scale 1), e.g. the 0/1 indicators of a
        one-hot encoded text column: standardising them would give a rare category's
        indicator a weight of several units and a common one's a fraction.
        Statistics are accumulated in float64 over blocks of rows, so fitting needs no
        float64 copy of X (CIFAR-10's training set would need 1.1 GB for one).
        """
        X = _as_2d_numeric(X, "X")
        if len(X) == 0:
            raise InputError("cannot fit preprocessing on an empty X (0 rows)")
        n, d = X.shape
        total, low, high = np.zeros(d), np.full(d, np.inf), np.full(d, -np.inf)
        for block in _row_blocks(X):
            if not np.isfinite(block).all():
                raise DataError("X contains NaN or infinite values; clean or impute them first")
            with np.errstate(over="ignore"):  # taken again in units below when it does
                total += block.sum(axis=0)
            np.minimum(low, block.min(axis=0), out=low)
            np.maximum(high, block.max(axis=0), out=high)
        mean, scale = np.zeros(d), np.ones(d)
        peak = float(max(np.abs(low).max(), np.abs(high).max()))
        # a column's largest magnitude: sums and squares of values beyond about 1e154
        # overflow float64 (an infinite variance left such a feature unscaled, or zeroed),
        # so they are taken again in units of it (only then: the common case is one pass)
        unit = np.maximum(np.abs(low), np.abs(high))
        unit = np.where((unit > 0) & np.isfinite(unit), unit, 1.0)
        if self.kind in ("standardize", "center"):
            if not np.isfinite(total).all():
                total = sum((block / unit).sum(axis=0) for block in _row_blocks(X)) * unit
            mean = total / n
        if self.kind == "standardize":
            squares = np.zeros(d)
            with np.errstate(over="ignore", invalid="ignore"):
                for block in _row_blocks(X):  # two passes: the stable way to a variance
                    squares += np.square(block - mean).sum(axis=0)
            std = np.sqrt(squares / n)
            if not np.isfinite(std).all():
                with np.errstate(over="ignore", invalid="ignore"):
                    squares = sum(np.square((block - mean) / unit).sum(axis=0)
                                  for block in _row_blocks(X))
                std = np.sqrt(squares / n) * unit
            constant = (high == low) | ~(std > 0) | ~np.isfinite(std)
            # a feature constant in training gets the scale of the data as a whole (not 1),
            # so that the map stays scale-free: X * 1e6 trains and predicts like X
            scale = np.where(constant, peak if peak > 0 and np.isfinite(peak) else 1.0, std)
        elif self.kind == "scale":
            scale = np.full(d, peak if peak > 0 and np.isfinite(peak) else 1.0)
        kept = np.asarray(list(keep), dtype=np.intp)
        if kept.size:
            if kept.min() < 0 or kept.max() >= d:
                raise InputError(f"keep holds a column outside X's {d} columns: "
                                 f"{[int(k) for k in kept if not 0 <= k < d][:3]}")
            mean, scale = mean.copy(), scale.copy()
            mean[kept], scale[kept] = 0.0, 1.0
        self.mean_, self.scale_ = mean, scale
        return self

    def transform(self, X: np.ndarray, copy: bool = True) -> np.ndarray:
        """Return ``(X - mean) / scale`` for X (N, D), in X's float dtype (else float64).

        copy=False transforms a float X in place (and returns it), for callers that own X.
        """
        if self.mean_ is None or self.scale_ is None:
            raise InputError(
                f"this Preprocessor({self.kind!r}) is not fitted yet; call fit(X_train) "
                "first, or build it from saved statistics with Preprocessor.from_state()"
            )
        X = _as_2d_numeric(X, "X")
        if X.shape[1] != len(self.mean_):
            raise InputError(
                f"X has {X.shape[1]} features but the preprocessing was fitted on "
                f"{len(self.mean_)}; use data with the same columns as the training data"
            )
        dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
        out = X.astype(dtype, copy=copy)
        if self.kind != "none":
            out -= self.mean_.astype(dtype)
            out /= self.scale_.astype(dtype)
        return out

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit on X (N, D) and return its transform."""
        return self.fit(X).transform(X)

    def state(self) -> dict[str, np.ndarray]:
        """The fitted statistics: ``{"mean": (D,), "scale": (D,)}`` float64 arrays."""
        if self.mean_ is None or self.scale_ is None:
            raise InputError(f"this Preprocessor({self.kind!r}) is not fitted; nothing to save")
        return {"mean": self.mean_.copy(), "scale": self.scale_.copy()}

    @classmethod
    def from_state(cls, kind: str, state: dict[str, np.ndarray]) -> Preprocessor:
        """Rebuild a fitted preprocessor from ``kind`` and a :meth:`state` dict."""
        pre = cls(kind)
        missing = [key for key in ("mean", "scale") if key not in state]
        if missing:
            raise InputError(f"preprocessing state lacks {missing}; found keys {sorted(state)}")
        mean = np.asarray(state["mean"], dtype=np.float64)
        scale = np.asarray(state["scale"], dtype=np.float64)
        if mean.ndim != 1 or mean.shape != scale.shape:
            raise InputError(
                f"preprocessing state needs 1-D mean and scale of equal length; got shapes "
                f"{mean.shape} and {scale.shape}"
            )
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise InputError("preprocessing state must be finite with positive scales")
        pre.mean_, pre.scale_ = mean.copy(), scale.copy()
        return pre


#: a column whose rows beyond the training split reach more than this many times the
#: largest standardised training value (at least 1) is refitted for a fit on every row
FAR_BEYOND_TRAINING = 10.0


def far_columns(seen: np.ndarray, other: np.ndarray) -> list[int]:
    """Columns of preprocessed rows ``other`` (M, D) whose largest |value| is above
    :data:`FAR_BEYOND_TRAINING` times that of the training rows ``seen`` (N, D) (at least
    1): values the network never saw anything like (a sentinel, a unit change)."""
    if not len(other):
        return []
    reach = np.abs(other).max(axis=0).astype(np.float64)
    limit = FAR_BEYOND_TRAINING * np.maximum(
        np.abs(seen).max(axis=0).astype(np.float64) if len(seen) else 0.0, 1.0)
    return [int(j) for j in np.flatnonzero(reach > limit)]


def refit_far_columns(pre: Preprocessor, seen: np.ndarray, every: np.ndarray
                      ) -> tuple[Preprocessor, np.ndarray, list[int]]:
    """For a fit on every row: ``pre`` (standardize) was fitted on the training rows, whose
    transforms are ``seen`` (N_train, D); ``every`` (N, D) holds the transforms of every
    row. A column whose held-out rows lie far outside the training rows (a value constant
    in training, or an outlier such as a 999999 sentinel in the test rows) reaches
    standardised values of 1e5 there, and a network trained on them diverges. Such a
    column (largest |value| above :data:`FAR_BEYOND_TRAINING` times the training rows'
    largest, at least 1) is standardised again on every row: returns the preprocessor
    (``pre`` itself where no column is far, else a new one whose statistics compose both
    maps), ``every`` in its units (a copy where changed) and the refitted columns."""
    if pre.kind != "standardize" or pre.mean_ is None or pre.scale_ is None or not len(every):
        return pre, every, []
    far = np.asarray(far_columns(seen, every), dtype=np.intp)
    if not far.size:
        return pre, every, []
    inner = Preprocessor("standardize").fit(every[:, far])
    assert inner.mean_ is not None and inner.scale_ is not None
    mean, scale = pre.mean_.copy(), pre.scale_.copy()
    mean[far] += scale[far] * inner.mean_
    scale[far] *= inner.scale_
    out = every.copy()
    out[:, far] = inner.transform(every[:, far])
    return (Preprocessor.from_state("standardize", {"mean": mean, "scale": scale}), out,
            [int(j) for j in far])


def _row_blocks(X: np.ndarray, rows: int = 4096):
    """X (N, D) in float64 blocks of ``rows`` rows (each a fresh array)."""
    for start in range(0, X.shape[0], rows):
        yield X[start : start + rows].astype(np.float64)


def _as_2d_numeric(X: np.ndarray, name: str) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2:
        raise InputError(f"{name} must be 2-D with shape (N, D); got shape {X.shape}")
    if X.dtype.kind not in "biuf":
        raise InputError(f"{name} must hold numbers; got dtype {X.dtype}")
    return X


#: a regression's target transform: auto (a run tries log(1 + y) for a heavy right tail
#: and keeps it where it scores better on validation; the scaler alone: none), none, or
#: log (every column, which must be non-negative)
TARGET_TRANSFORMS = ("auto", "none", "log")
#: a column of non-negative targets more right-skewed than this is a candidate for
#: log(1 + y) (wages, prices, salaries, counts of applications)
LOG_SKEWNESS = 1.0
#: the largest log-space prediction mapped back (expm1 of more overflows float64)
LOG_CAP = 700.0


def log_candidates(y: np.ndarray) -> np.ndarray:
    """Per column of y (N, K): none below 0, skewness above :data:`LOG_SKEWNESS`, and
    less skewed after log(1 + y). Whether log helps the fit is for validation to say: on
    R's College table (applications, skewness 3.7) it lowered the test R^2 from 0.78 to
    0.46, on CPS 1985's wages it raised it from 0.24 to 0.27 (benchmarks/tables.py)."""
    y2 = _as_2d(y)
    out = np.zeros(y2.shape[1], dtype=bool)
    for k in range(y2.shape[1]):
        if y2[:, k].min() >= 0:
            skew = skewness(y2[:, k])
            out[k] = skew > LOG_SKEWNESS and abs(skewness(np.log1p(y2[:, k]))) < skew
    return out


def skewness(y: np.ndarray) -> float:
    """The sample skewness of y (N,): E[(y - mean)^3] / std^3; 0 for a constant y."""
    centred = y - y.mean()
    var = float(np.mean(centred ** 2))
    return 0.0 if var <= 0 else float(np.mean(centred ** 3) / var ** 1.5)


class TargetScaler:
    """Standardises regression targets: ``(y - mean) / scale`` per output column, after
    ``log(1 + y)`` for the columns in ``log``.

    Fitted on the training targets only; ``scale`` is the standard deviation, 1 where a
    column is constant (so a constant target stays finite). ``transform="log"``
    trains in log space (a heavy right tail: squared error on the raw values lets a few
    large targets decide the fit); "auto" is "none" here (a run tries log on
    :func:`log_candidates` and keeps what validates better). ``inverse_transform``
    maps predictions back to the original units (``expm1`` for a log column).
    ``state()`` / ``from_state`` store it in a model file as plain lists (JSON); a file
    without ``log`` has none.
    """

    def __init__(self, mean: np.ndarray | None = None, scale: np.ndarray | None = None,
                 log: np.ndarray | None = None) -> None:
        self.mean = None if mean is None else np.asarray(mean, np.float64).reshape(-1)
        self.scale = None if scale is None else np.asarray(scale, np.float64).reshape(-1)
        self.log = None if log is None else np.asarray(log, bool).reshape(-1)

    def fit(self, y: np.ndarray, transform: str = "none",
            log_columns: np.ndarray | None = None) -> TargetScaler:
        """y: (N, K) (or (N,)) finite training targets; ``transform``: one of
        :data:`TARGET_TRANSFORMS`; ``log_columns`` (K,) bool: with "log", the columns to
        log (default every one)."""
        if transform not in TARGET_TRANSFORMS:
            raise InputError(f"target_transform must be one of {list(TARGET_TRANSFORMS)}; "
                             f"got {transform!r}.", param="target_transform")
        y2 = _as_2d(y)
        self.log = np.full(y2.shape[1], transform == "log")
        if transform == "log" and log_columns is not None:
            self.log = np.asarray(log_columns, bool).reshape(-1)
        low = y2[:, self.log].min() if y2.size and self.log.any() else 0.0
        if low < 0:
            raise InputError(f"`target_transform='log'` trains on log(1 + y), which needs "
                             f"targets of at least 0; the smallest is {low:g}. Give "
                             "`target_transform='none'`.", param="target_transform")
        z = self._forward(y2)
        self.mean = z.mean(axis=0)
        std = z.std(axis=0)
        self.scale = np.where(std > 0, std, 1.0)
        return self

    def _forward(self, y2: np.ndarray) -> np.ndarray:
        if self.log is None or not self.log.any():
            return y2
        out = y2.copy()
        out[:, self.log] = np.log1p(np.maximum(out[:, self.log], 0.0))
        return out

    def transform(self, y: np.ndarray) -> np.ndarray:
        """(N, K) float64 standardised copy of y."""
        return (self._forward(_as_2d(y)) - self.mean) / self.scale

    def inverse_transform(self, y: np.ndarray) -> np.ndarray:
        """Predictions (N, K) in scaled units back to the original units (float64)."""
        out = _as_2d(y) * self.scale + self.mean
        if self.log is not None and self.log.any():
            # targets of at least 0 were logged: predictions stay there too
            out[:, self.log] = np.maximum(np.expm1(np.minimum(out[:, self.log], LOG_CAP)),
                                          0.0)
        return out

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"mean": self.mean.tolist(), "scale": self.scale.tolist()}
        if self.log is not None and self.log.any():
            state["log"] = [bool(v) for v in self.log]
        return state

    @classmethod
    def from_state(cls, state: Any, n_outputs: int) -> TargetScaler:
        """A scaler from :meth:`state` output (ModelFileError when damaged)."""
        try:
            mean = np.asarray(state["mean"], np.float64)
            scale = np.asarray(state["scale"], np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"the model file's target scaler is damaged ({exc}); "
                                 "train the model again.") from None
        log = state.get("log", [False] * n_outputs) if isinstance(state, dict) else None
        if (mean.shape != (n_outputs,) or scale.shape != (n_outputs,) or not (
                np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all())
                or not isinstance(log, list) or len(log) != n_outputs
                or not all(isinstance(v, bool) for v in log)):
            raise ModelFileError(f"the model file's target scaler does not fit the model's "
                                 f"{n_outputs} output(s); train the model again.")
        return cls(mean, scale, np.array(log, dtype=bool))


def _as_2d(y: np.ndarray) -> np.ndarray:
    arr = np.asarray(y, dtype=np.float64)
    return arr[:, None] if arr.ndim == 1 else arr
