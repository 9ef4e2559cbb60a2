"""Small numpy helpers shared by scoring and estimation."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def nan_mean(values: NDArray[np.float64], axis: int | None = None) -> NDArray[np.float64]:
    """Mean ignoring NaN; NaN (without a warning) where nothing is left."""
    valid = ~np.isnan(values)
    total = np.where(valid, values, 0.0).sum(axis=axis)
    count = valid.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(
            np.where(count > 0, total / np.maximum(count, 1), np.nan), dtype=np.float64
        )
