"""Alignment of a learner's poses to reference time.

Live: a frame's timestamp is dance time, so the reference pose is read at that time with
interpolation. Offline: a global offset between the two videos is found first (the shift that
makes the poses agree best), then a bounded time warp lets each moment be a little early or
late, so that timing is measured as a lag instead of being scored as wrong shapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.arrays import nan_mean
from dancecoach.pipeline.comparison import compare_features
from dancecoach.pipeline.features import PoseFeatures, compute_features
from dancecoach.pipeline.sequence import PoseSequence

# Cost given to a frame that cannot be compared: the same for every lag, so it never steers.
_NEUTRAL_COST = 0.5
# Time-warp smoothness: cost per second of lag change between neighbouring frames, and a weak
# pull towards zero lag so that held poses do not drift.
_LAG_CHANGE_COST_PER_S = 5.0
_LAG_PRIOR_COST_PER_S = 0.05
_MIN_OVERLAP_FRACTION = 0.6
_MIN_OVERLAP_FRAMES = 8


def poses_at(reference: PoseSequence, times_s: NDArray[np.float64]) -> NDArray[np.float32]:
    """Reference poses at arbitrary times `(..., 33, 4)`, linearly interpolated.

    Outside the reference, or next to a frame without a person, the result is NaN (a missing
    neighbour is replaced by the present one when the time is within half a frame of it).
    """
    times = np.asarray(times_s, dtype=np.float64)
    result = np.full((*times.shape, *reference.landmarks.shape[1:]), np.nan, dtype=np.float32)
    count = len(reference)
    if count == 0:
        return result
    stamps = reference.timestamps_s
    half_frame = 0.5 / reference.fps
    inside = (times >= stamps[0] - half_frame) & (times <= stamps[-1] + half_frame)
    upper = (
        np.clip(np.searchsorted(stamps, times, side="right"), 1, count - 1) if count > 1 else None
    )
    if upper is None:
        result[inside] = reference.landmarks[0]
        return result
    lower = upper - 1
    span = stamps[upper] - stamps[lower]
    fraction = np.clip((times - stamps[lower]) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    before, after = reference.landmarks[lower], reference.landmarks[upper]
    before_missing = np.isnan(before[..., 0, 0])
    after_missing = np.isnan(after[..., 0, 0])
    # Fill a missing neighbour from the other so that a single gap does not spread.
    before = np.where(before_missing[..., None, None], after, before)
    after = np.where(after_missing[..., None, None], before, after)
    blended = before + (after - before) * fraction[..., None, None].astype(np.float32)
    near_before = (times - stamps[lower]) <= half_frame
    near_after = (stamps[upper] - times) <= half_frame
    usable = (~before_missing & ~after_missing) | (
        (~before_missing & near_before) | (~after_missing & near_after)
    )
    keep = inside & usable
    result[keep] = blended[keep]
    return result


def reference_pose_at(reference: PoseSequence, time_s: float) -> NDArray[np.float32] | None:
    """The reference pose `(33, 4)` at one time (seconds), or None where there is none.

    The same pose as poses_at, worked out with scalars: this runs for every live frame, where
    the per-call cost of poses_at's array operations outweighs the arithmetic.
    """
    count = len(reference)
    if count == 0:
        return None
    stamps = reference.timestamps_s
    half_frame = 0.5 / reference.fps
    if not stamps[0] - half_frame <= time_s <= stamps[-1] + half_frame:
        return None
    if count == 1:
        return _present(reference.landmarks[0].copy())
    upper = min(max(int(np.searchsorted(stamps, time_s, side="right")), 1), count - 1)
    lower = upper - 1
    start_s, end_s = float(stamps[lower]), float(stamps[upper])
    span = end_s - start_s
    fraction = min(max((time_s - start_s) / (span if span > 0 else 1.0), 0.0), 1.0)
    before, after = reference.landmarks[lower], reference.landmarks[upper]
    before_present = not math.isnan(before[0, 0])
    after_present = not math.isnan(after[0, 0])
    usable = (before_present and after_present) or (
        (before_present and time_s - start_s <= half_frame)
        or (after_present and end_s - time_s <= half_frame)
    )
    if not usable:
        return None
    # Fill a missing neighbour from the other, as poses_at does.
    if not before_present:
        before = after
    elif not after_present:
        after = before
    return _present(before + (after - before) * np.float32(fraction))


def _present(pose: NDArray[np.float32]) -> NDArray[np.float32] | None:
    return None if math.isnan(pose[0, 0]) else pose


def _nearest_frame_features(
    reference: PoseSequence, features: PoseFeatures, times_s: NDArray[np.float64]
) -> PoseFeatures:
    """Reference features at the frames nearest to the given times (NaN outside)."""
    index = np.rint((times_s - reference.timestamps_s[0]) * reference.fps).astype(np.int64)
    inside = (index >= 0) & (index < len(reference))
    safe = np.clip(index, 0, max(len(reference) - 1, 0))
    values = np.where(inside[..., None], features.values[safe], np.nan)
    visibility = np.where(inside[..., None], features.visibility[safe], 0.0)
    return PoseFeatures(values, visibility, features.left_side_sign[safe])


@dataclass(frozen=True)
class OffsetEstimate:
    """reference time = attempt time + offset_s; agreement is the mean accuracy at that shift.

    distinctness: how far the best shift stands out from all the others, in standard
    deviations. A real match of the same choreography stands out clearly; an accidental best
    shift between unrelated dances does not. 0 when only one shift was tried.
    """

    offset_s: float
    agreement: float
    distinctness: float = 0.0


def estimate_offset(
    reference: PoseSequence,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    *,
    max_offset_s: float,
    importance: NDArray[np.float64] | None = None,
) -> OffsetEstimate:
    """The global shift that makes the attempt's poses agree best with the reference."""
    reference_features = compute_features(reference.landmarks, reference.aspect_ratio)
    step_s = 1.0 / reference.fps
    offsets = np.arange(-max_offset_s, max_offset_s + step_s / 2, step_s)
    present = int(attempt.present.sum())
    min_overlap = max(
        _MIN_OVERLAP_FRAMES, int(_MIN_OVERLAP_FRACTION * min(present, int(reference.present.sum())))
    )
    agreement = np.full(offsets.shape, np.nan)
    chunk = max(1, 200_000 // max(len(attempt), 1))
    for start in range(0, len(offsets), chunk):
        block = offsets[start : start + chunk]
        times = attempt.timestamps_s[None, :] + block[:, None]
        matched = _nearest_frame_features(reference, reference_features, times)
        user = PoseFeatures(
            np.broadcast_to(attempt_features.values, matched.values.shape),
            np.broadcast_to(attempt_features.visibility, matched.visibility.shape),
            np.broadcast_to(attempt_features.left_side_sign, matched.left_side_sign.shape),
        )
        accuracy = compare_features(user, matched, importance).accuracy
        valid = ~np.isnan(accuracy)
        counts = valid.sum(axis=1)
        means = nan_mean(accuracy, axis=1)
        agreement[start : start + chunk] = np.where(counts >= min_overlap, means, np.nan)
    if np.all(np.isnan(agreement)):
        return OffsetEstimate(0.0, float("nan"))
    tried = agreement[~np.isnan(agreement)]
    best = int(np.nanargmax(agreement))
    offset = float(offsets[best])
    # Parabolic refinement between neighbouring shifts for sub-frame precision.
    if 0 < best < len(offsets) - 1 and not np.isnan(agreement[[best - 1, best + 1]]).any():
        left, centre, right = agreement[best - 1], agreement[best], agreement[best + 1]
        curvature = left - 2 * centre + right
        if curvature < 0:
            offset += float(0.5 * (left - right) / curvature) * step_s
    spread = float(tried.std())
    distinctness = (float(agreement[best]) - float(tried.mean())) / spread if spread > 0 else 0.0
    return OffsetEstimate(offset, float(agreement[best]), distinctness)


def warp_lags(
    reference: PoseSequence,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    *,
    offset_s: float,
    window_s: float,
    importance: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Per attempt frame, the lag (seconds) added to `time + offset_s` to reach its reference pose.

    A dynamic-programming time warp over lags within +-window_s: each frame picks the lag whose
    reference pose agrees best, paying for lag changes so the warp stays smooth, and never
    going backwards in reference time.
    """
    count = len(attempt)
    if count == 0:
        return np.zeros(0)
    step_s = 1.0 / reference.fps
    steps = max(0, round(window_s / step_s))
    lags = np.arange(-steps, steps + 1) * step_s
    times = attempt.timestamps_s[:, None] + offset_s + lags[None, :]
    matched_poses = poses_at(reference, times)
    matched = compute_features(matched_poses, reference.aspect_ratio)
    user = PoseFeatures(
        np.broadcast_to(attempt_features.values[:, None, :], matched.values.shape),
        np.broadcast_to(attempt_features.visibility[:, None, :], matched.visibility.shape),
        np.broadcast_to(attempt_features.left_side_sign[:, None], matched.left_side_sign.shape),
    )
    accuracy = compare_features(user, matched, importance).accuracy
    cost = np.where(np.isnan(accuracy), _NEUTRAL_COST, 1.0 - accuracy)
    cost = cost + _LAG_PRIOR_COST_PER_S * np.abs(lags)[None, :]

    change_cost = _LAG_CHANGE_COST_PER_S * np.abs(lags[:, None] - lags[None, :])  # [to, from]
    total = cost[0].copy()
    back = np.zeros((count, len(lags)), dtype=np.int64)
    for i in range(1, count):
        gap = attempt.timestamps_s[i] - attempt.timestamps_s[i - 1]
        # Reference time must not run backwards: lag[to] - lag[from] >= -gap.
        allowed = (lags[:, None] - lags[None, :]) >= -gap - 1e-9
        candidates = np.where(allowed, total[None, :] + change_cost, np.inf)
        back[i] = np.argmin(candidates, axis=1)
        total = candidates[np.arange(len(lags)), back[i]] + cost[i]
    path = np.empty(count, dtype=np.int64)
    path[-1] = int(np.argmin(total))
    for i in range(count - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return lags[path]
