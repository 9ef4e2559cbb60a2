"""The credit of many pose comparisons at once, compiled (numba): what a live frame's judgement
spends most of its arithmetic on.

A live frame is compared with its reference at every lag and with the reference's chance
sample, ~135 rows of 20 features (live_judgement.judge_frames). Through numpy that was about
fifteen passes over the rows for the credit alone, a third of a browser-pose frame's scoring;
here it is one pass that keeps nothing but the sums. The arithmetic is compare_features' and
FeatureComparison.credit/group_credit's, feature by feature (the numpy form stays the reference:
tests check both agree on random and degenerate poses); only the order of the additions
differs, by ~1e-16.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from dancecoach.compile_lock import first_use
from dancecoach.scoring.comparison import (
    ANGLE_TOLERANCE_DEG,
    ANGLE_ZERO_CREDIT_DEG,
    DISTANCE_TOLERANCE,
    DISTANCE_ZERO_CREDIT,
    GROUP_MEMBERSHIP,
    MIN_COMPARED_WEIGHT,
    MIN_VISIBILITY,
)
from dancecoach.scoring.features import FEATURE_WEIGHTS, IS_CIRCULAR, IS_DISTANCE, PoseFeatures

_TOLERANCE = np.where(IS_DISTANCE, DISTANCE_TOLERANCE, ANGLE_TOLERANCE_DEG).astype(np.float64)
_ZERO_CREDIT = np.where(IS_DISTANCE, DISTANCE_ZERO_CREDIT, ANGLE_ZERO_CREDIT_DEG).astype(np.float64)
_WEIGHTS = np.asarray(FEATURE_WEIGHTS, dtype=np.float64)
_CIRCULAR = np.asarray(IS_CIRCULAR, dtype=np.bool_)
_MEMBERSHIP = np.ascontiguousarray(GROUP_MEMBERSHIP, dtype=np.float64)


def _row_credits(
    user_values: NDArray[np.float64],
    user_visibility: NDArray[np.float64],
    owner: NDArray[np.intp],
    reference_values: NDArray[np.float64],
    reference_visibility: NDArray[np.float64],
    weights: NDArray[np.float64],
    circular: NDArray[np.bool_],
    tolerance: NDArray[np.float64],
    zero_credit: NDArray[np.float64],
    membership: NDArray[np.float64],
    min_visibility: float,
    min_weight: float,
) -> NDArray[np.float64]:
    """Row r compares user pose owner[r] with reference row r: its credit, then its credit per
    group `(rows, 1 + groups)` (NaN where too little was compared, as FeatureComparison)."""
    rows, features = reference_values.shape
    groups = membership.shape[1]
    out = np.empty((rows, 1 + groups))
    group_total = np.empty(groups)
    group_scored = np.empty(groups)
    for r in range(rows):
        u = owner[r]
        total = 0.0
        scored = 0.0
        group_total[:] = 0.0
        group_scored[:] = 0.0
        for f in range(features):
            difference = user_values[u, f] - reference_values[r, f]
            if math.isnan(difference):
                continue  # nothing compared: no weight
            visibility = min(user_visibility[u, f], reference_visibility[r, f])
            # Both points seen well enough (a NaN visibility fails the comparison).
            if not (
                user_visibility[u, f] >= min_visibility
                and reference_visibility[r, f] >= min_visibility
            ):
                continue
            if circular[f]:
                difference = (difference + 180.0) % 360.0 - 180.0
            weight = visibility * weights[f]
            similarity = 1.0 - (abs(difference) - tolerance[f]) / (zero_credit[f] - tolerance[f])
            similarity = min(max(similarity, 0.0), 1.0)
            total += weight
            scored += weight * similarity
            for g in range(groups):
                if membership[f, g] != 0.0:
                    group_total[g] += weight * membership[f, g]
                    group_scored[g] += weight * similarity * membership[f, g]
        out[r, 0] = scored / total if total >= min_weight else math.nan
        for g in range(groups):
            out[r, 1 + g] = group_scored[g] / group_total[g] if group_total[g] > 0.0 else math.nan
    return out


# Compiled on first use and cached on disk (numba's cache: beside this file, or in the user's
# cache directory when that is read-only); warm_up() pays the compilation at start-up.
_compiled: Any = numba.njit(cache=True, nogil=True)(_row_credits)


def row_credits(
    user: PoseFeatures, owner: NDArray[np.intp], reference: PoseFeatures
) -> NDArray[np.float64]:
    """Per reference row r, the credit of user pose owner[r] against it, then its credit per
    body-part group (BODY_PART_GROUPS order) `(rows, 1 + groups)`: the
    `FeatureComparison.credit` and `group_credit()` of compare_features(user[owner], reference).
    """
    if len(owner) == 0:
        return np.empty((0, 1 + _MEMBERSHIP.shape[1]))
    result: NDArray[np.float64] = _compiled(
        np.ascontiguousarray(user.values, dtype=np.float64),
        np.ascontiguousarray(user.visibility, dtype=np.float64),
        np.ascontiguousarray(owner, dtype=np.intp),
        np.ascontiguousarray(reference.values, dtype=np.float64),
        np.ascontiguousarray(reference.visibility, dtype=np.float64),
        _WEIGHTS,
        _CIRCULAR,
        _TOLERANCE,
        _ZERO_CREDIT,
        _MEMBERSHIP,
        MIN_VISIBILITY,
        MIN_COMPARED_WEIGHT,
    )
    return result


_warm = threading.Event()


def warm_up() -> None:
    """Compile the kernel (~1 s; ~0.2 s from numba's cache), once per process: each process
    that judges live frames calls this as it starts, before its first frame."""
    if _warm.is_set():
        return
    features = _WEIGHTS.shape[0]
    pose = PoseFeatures(np.zeros((1, features)), np.ones((1, features)), np.ones(1))
    with first_use("compiled_credit", "row_credits"):  # processes start together
        row_credits(pose, np.zeros(1, dtype=np.intp), pose)
    _warm.set()
