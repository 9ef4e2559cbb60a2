"""Alignment of a learner's poses to reference time.

Live: a frame's timestamp is dance time, so the reference pose is read at that time with
interpolation. Offline: a global offset between the two videos comes first (from the shared
soundtrack where there is one, else from a bounded search over the poses), then a bounded time
warp lets each moment be a little early or late, so that timing is measured as a lag instead
of being scored as wrong shapes. Both maximise agreement above chance (agreement.py), never
raw credit, so that a search cannot make two unrelated dances look alike by itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dancecoach.pipeline.agreement import Chance
from dancecoach.pipeline.comparison import compare_features
from dancecoach.pipeline.features import PoseFeatures, compute_features
from dancecoach.pipeline.sequence import PoseSequence

# Time-warp smoothness. Frame costs are gains times the frame's duration (gain-seconds), so that
# the warp behaves the same at a webcam's 10 FPS and a video's 15: a cost in gain-seconds per
# second of lag change between neighbouring frames, and a weak pull towards zero lag (gain per
# second of lag) so that held poses do not drift. The change cost is high enough that the warp
# follows a dancer who is late or early for a while, but does not hop between lags frame by
# frame to pick the best-looking pose: between unrelated dances such hopping alone raised the
# gain by 0.08 at a third of this cost, at this cost by < 0.02.
_LAG_CHANGE_COST = 10.0 / 15.0
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


def nearest_frames(reference: PoseSequence, times_s: NDArray[np.float64]) -> NDArray[np.intp]:
    """Index of the reference frame nearest to each time, -1 outside the reference."""
    index = np.rint((times_s - reference.timestamps_s[0]) * reference.fps).astype(np.intp)
    return np.where((index >= 0) & (index < len(reference)), index, -1)


def _take(values: NDArray[np.float64], index: NDArray[np.intp]) -> NDArray[np.float64]:
    """values[index] along the first axis, NaN where index is -1."""
    taken = values[np.maximum(index, 0)]
    missing = (index < 0).reshape(index.shape + (1,) * (taken.ndim - index.ndim))
    return np.asarray(np.where(missing, np.nan, taken))


@dataclass(frozen=True)
class PairChance:
    """Chance levels of both sides (agreement.chance_levels against a sample of the other
    side): one per attempt frame and one per reference frame."""

    attempt: Chance
    reference: Chance

    def matched(self, reference_index: NDArray[np.intp]) -> NDArray[np.float64]:
        """Chance of attempt frames matched to reference frames (reference_index: attempt
        frames on the first axis, -1 for none): the mean of the two sides' levels."""
        own = self.attempt.overall
        attempt = own.reshape(own.shape + (1,) * (reference_index.ndim - 1))
        return (attempt + _take(self.reference.overall, reference_index)) / 2.0

    def matched_groups(self, reference_index: NDArray[np.intp]) -> NDArray[np.float64]:
        """Per body-part group `(attempt frames, groups)` for a one-to-one match."""
        return (self.attempt.groups + _take(self.reference.groups, reference_index)) / 2.0


@dataclass(frozen=True)
class OffsetEstimate:
    """reference time = rate * attempt time + offset_s; gain is the agreement above chance there.

    rate: the reference's tempo over the attempt's (1.1: the attempt dances 10 % slower).
    confidence: 0..1, how far the chosen shift stands above the typical tried shift, as a share
    of what was left above it (0 when only one shift was tried).
    """

    offset_s: float
    gain: float
    confidence: float = 0.0
    rate: float = 1.0


def _diagonal_gains(
    reference: PoseSequence,
    reference_features: PoseFeatures,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    chance: PairChance,
    rate: float,
    offsets_s: NDArray[np.float64],
    min_overlap: int,
) -> NDArray[np.float64]:
    """The gain of every global shift at one tempo rate (NaN where the overlap is too short)."""
    gains = np.full(offsets_s.shape, np.nan)
    chunk = max(1, 200_000 // max(len(attempt), 1))
    for start in range(0, len(offsets_s), chunk):
        block = offsets_s[start : start + chunk]
        index = nearest_frames(reference, rate * attempt.timestamps_s[None, :] + block[:, None])
        matched = PoseFeatures(
            _take(reference_features.values, index),
            np.nan_to_num(_take(reference_features.visibility, index), nan=0.0),
            np.nan_to_num(_take(reference_features.left_side_sign, index), nan=1.0),
        )
        user = PoseFeatures(
            np.broadcast_to(attempt_features.values, matched.values.shape),
            np.broadcast_to(attempt_features.visibility, matched.visibility.shape),
            np.broadcast_to(attempt_features.left_side_sign, matched.left_side_sign.shape),
        )
        credit = compare_features(user, matched).credit
        level = chance.matched(index.T).T
        valid = ~np.isnan(credit) & ~np.isnan(level)
        above = np.where(valid, credit - level, 0.0).sum(axis=1)
        room = np.where(valid, 1.0 - level, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            gains[start : start + chunk] = np.where(
                valid.sum(axis=1) >= min_overlap, above / room, np.nan
            )
    return gains


def estimate_offset(
    reference: PoseSequence,
    reference_features: PoseFeatures,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    chance: PairChance,
    offsets_s: NDArray[np.float64],
    *,
    rates: tuple[float, ...] = (1.0,),
    shift_cost_per_s: float = 0.0,
) -> OffsetEstimate:
    """Of the given global shifts (an evenly spaced grid) and tempo rates, the best by gain.

    shift_cost_per_s: gain subtracted per second of mean shift of the attempt's frames (offset
    and tempo together), so that among near-equal readings the plainest wins and a large shift
    must earn its place.
    """
    present = int(attempt.present.sum())
    min_overlap = max(
        _MIN_OVERLAP_FRAMES, int(_MIN_OVERLAP_FRACTION * min(present, int(reference.present.sum())))
    )
    times = attempt.timestamps_s
    best: tuple[float, float, float, NDArray[np.float64], NDArray[np.float64]] | None = None
    tried: list[NDArray[np.float64]] = []
    for rate in rates:
        gains = _diagonal_gains(
            reference, reference_features, attempt, attempt_features, chance, rate, offsets_s,
            min_overlap,
        )  # fmt: skip
        if np.all(np.isnan(gains)):
            continue
        tried.append(gains[~np.isnan(gains)])
        shift = np.abs((rate - 1.0) * times[None, :] + offsets_s[:, None]).mean(axis=1)
        ranked = gains - shift_cost_per_s * shift
        index = int(np.nanargmax(ranked))
        if best is None or ranked[index] > best[0]:
            best = (float(ranked[index]), rate, float(gains[index]), ranked, np.array([index]))
    if best is None:
        return OffsetEstimate(0.0, float("nan"))
    _, rate, best_gain, ranked, where = best
    index = int(where[0])
    offset = float(offsets_s[index])
    # Parabolic refinement between neighbouring shifts for sub-frame precision.
    if 0 < index < len(offsets_s) - 1 and not np.isnan(ranked[[index - 1, index + 1]]).any():
        left, centre, right = ranked[index - 1], ranked[index], ranked[index + 1]
        curvature = left - 2 * centre + right
        if curvature < 0:
            step_s = float(offsets_s[index + 1] - offsets_s[index])
            offset += float(0.5 * (left - right) / curvature) * step_s
    every = np.concatenate(tried)
    typical = float(np.median(every))
    headroom = 1.0 - typical
    confidence = (
        float(np.clip((best_gain - typical) / headroom, 0.0, 1.0))
        if len(every) > 1 and headroom > 0
        else 0.0
    )
    return OffsetEstimate(offset, best_gain, confidence, rate)


def offset_grid(centre_s: float, half_width_s: float, step_s: float) -> NDArray[np.float64]:
    """Shifts centre_s + k * step_s within +-half_width_s (centre_s itself included)."""
    steps = int(np.floor(half_width_s / step_s + 1e-9))
    return centre_s + np.arange(-steps, steps + 1) * step_s


def warp_lags(
    reference: PoseSequence,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    chance: PairChance,
    *,
    offset_s: float,
    window_s: float,
    rate: float = 1.0,
) -> NDArray[np.float64]:
    """Per attempt frame, the lag (seconds) added to `rate * time + offset_s` to reach its
    reference pose.

    A dynamic-programming time warp over lags within +-window_s: each frame picks the lag whose
    reference pose agrees best above chance, paying for lag changes so the warp stays smooth,
    and never going backwards in reference time.
    """
    count = len(attempt)
    if count == 0:
        return np.zeros(0)
    step_s = 1.0 / reference.fps
    steps = max(0, round(window_s / step_s))
    lags = np.arange(-steps, steps + 1) * step_s
    times = rate * attempt.timestamps_s[:, None] + offset_s + lags[None, :]
    matched_poses = poses_at(reference, times)
    matched = compute_features(matched_poses, reference.aspect_ratio)
    user = PoseFeatures(
        np.broadcast_to(attempt_features.values[:, None, :], matched.values.shape),
        np.broadcast_to(attempt_features.visibility[:, None, :], matched.visibility.shape),
        np.broadcast_to(attempt_features.left_side_sign[:, None], matched.left_side_sign.shape),
    )
    credit = compare_features(user, matched).credit
    above = credit - chance.matched(nearest_frames(reference, times))
    # A frame that cannot be compared costs the same at every lag, so it never steers.
    cost = np.where(np.isnan(above), 0.0, -above)
    cost = (cost + _LAG_PRIOR_COST_PER_S * np.abs(lags)[None, :]) / attempt.fps

    change_cost = _LAG_CHANGE_COST * np.abs(lags[:, None] - lags[None, :])  # [to, from]
    total = cost[0].copy()
    back = np.zeros((count, len(lags)), dtype=np.int64)
    for i in range(1, count):
        gap = rate * (attempt.timestamps_s[i] - attempt.timestamps_s[i - 1])
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
