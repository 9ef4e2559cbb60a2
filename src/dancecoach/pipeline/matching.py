"""Matching a learner's attempt to reference time, frame by frame, with mirror detection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.alignment import OffsetEstimate, estimate_offset, poses_at, warp_lags
from dancecoach.pipeline.comparison import (
    FeatureComparison,
    compare_features,
    feature_importance,
    mirror_importance,
)
from dancecoach.pipeline.features import compute_features
from dancecoach.pipeline.sequence import PoseSequence

Alignment = Literal["timestamp", "search"]

# A mirrored reading is chosen only when it agrees clearly better than the direct one.
_MIRROR_MARGIN = 0.05
# A searched offset that stands out by this many standard deviations is a real match; between
# unrelated dances the best shift stands out by 1-4 (measured on the test footage).
_CLEAR_MATCH_DISTINCTNESS = 5.0
# ...or whose poses agree this well (a repetitive routine has many good shifts, so it may not
# stand out, but then its agreement is high).
_CLEAR_MATCH_AGREEMENT = 0.5


@dataclass(frozen=True)
class MatchedPerformance:
    """Every attempt frame matched to its reference moment."""

    attempt: PoseSequence
    reference_times_s: NDArray[np.float64]  # matched reference time per attempt frame
    lags_s: NDArray[np.float64]  # warp lag per frame (negative: the learner was late)
    in_range: NDArray[np.bool_]  # the matched time lies inside the reference
    comparison: FeatureComparison
    accuracy: NDArray[np.float64]  # 0..1, NaN where not compared
    offset_s: float
    mirrored: bool


def _looks_mirrored(direct: OffsetEstimate, flipped: OffsetEstimate) -> bool:
    """A mirrored reading wins only when it agrees clearly better and stands out more."""
    if np.isnan(flipped.agreement):
        return False
    if np.isnan(direct.agreement):
        return True
    return bool(
        flipped.agreement > direct.agreement + _MIRROR_MARGIN
        and flipped.distinctness >= direct.distinctness
        and (
            flipped.distinctness >= _CLEAR_MATCH_DISTINCTNESS
            or flipped.agreement >= _CLEAR_MATCH_AGREEMENT
            or flipped.distinctness == 0.0
        )
    )


def match_performance(
    reference: PoseSequence,
    attempt: PoseSequence,
    *,
    mirror: bool | None,
    alignment: Alignment,
    max_offset_s: float = 12.0,
    warp_window_s: float = 0.5,
) -> MatchedPerformance:
    """Align the attempt to the reference and compare every frame.

    mirror: True when the learner performs the mirror image of the reference, None to detect it.
    alignment: "timestamp" when attempt timestamps already are reference time (live), "search"
    to estimate the global offset between two recordings first.
    """
    attempt_features = compute_features(attempt.landmarks, attempt.aspect_ratio)
    importance = feature_importance(compute_features(reference.landmarks, reference.aspect_ratio))
    candidates = [False, True] if mirror is None else [mirror]
    estimates = {}
    for mirrored in candidates:
        candidate_reference = reference.mirrored() if mirrored else reference
        limit = max_offset_s if alignment == "search" else 0.0
        estimates[mirrored] = estimate_offset(
            candidate_reference,
            attempt,
            attempt_features,
            max_offset_s=limit,
            importance=mirror_importance(importance) if mirrored else importance,
        )
    chosen = (
        candidates[0]
        if len(candidates) == 1
        else _looks_mirrored(estimates[False], estimates[True])
    )
    offset_s = estimates[chosen].offset_s if alignment == "search" else 0.0
    matched_reference = reference.mirrored() if chosen else reference
    if chosen:
        importance = mirror_importance(importance)

    lags = warp_lags(
        matched_reference,
        attempt,
        attempt_features,
        offset_s=offset_s,
        window_s=warp_window_s,
        importance=importance,
    )
    reference_times = attempt.timestamps_s + offset_s + lags
    half_frame = 0.5 / reference.fps
    in_range = (
        (reference_times >= reference.timestamps_s[0] - half_frame)
        & (reference_times <= reference.timestamps_s[-1] + half_frame)
        if len(reference)
        else np.zeros(len(attempt), dtype=bool)
    )
    matched_poses = poses_at(matched_reference, reference_times)
    comparison = compare_features(
        attempt_features, compute_features(matched_poses, reference.aspect_ratio), importance
    )
    accuracy = np.where(in_range, comparison.accuracy, np.nan)
    return MatchedPerformance(
        attempt, reference_times, lags, in_range, comparison, accuracy, offset_s, chosen
    )
