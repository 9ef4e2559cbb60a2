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

from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.agreement import Chance
from dancecoach.scoring.comparison import compare_features
from dancecoach.scoring.features import PoseFeatures, compute_features

# Time-warp smoothness. Frame costs are gains times the frame's duration (gain-seconds), so that
# the warp behaves the same at a webcam's 10 FPS and a video's 15: a cost in gain-seconds per
# second of lag change between neighbouring frames, and a weak pull towards zero lag (gain per
# second of lag) so that held poses do not drift. The change cost is high enough that the warp
# follows a dancer who is late or early for a while, but does not hop between lags frame by
# frame to pick the best-looking pose: between unrelated dances such hopping alone raised the
# gain by 0.08 at a third of this cost, at this cost by < 0.02.
_LAG_CHANGE_COST = 10.0 / 15.0
# The pull towards zero lag, in gain per second of lag on every frame. A judgement from the
# first pipeline (a7f0ac5), never measured on its own and kept while the change cost was tuned:
# at the warp's 0.5 s reach it costs at most 0.025 gain, half the 0.05 mirror margin, so it
# chooses between lags that fit about equally well (a held pose) and yields to any lag that
# fits clearly better.
LAG_PRIOR_COST_PER_S = 0.05
# How far (seconds) the warp lets a moment be early or late, live and offline: a dancer on the
# beat but a little behind or ahead of the music is within half a second (a beat at 120 BPM).
WARP_WINDOW_S = 0.5
# A searched shift counts only where the two recordings overlap by this share of the shorter
# one's frames with a person (and at least this many frames): a shift that leaves a few seconds
# of overlap can match one stretch that happens to look alike. Judgements, not measurements:
# 8 frames and 0.4 came with the first pipeline (a7f0ac5); the fraction went to 0.6 when the
# scoring was first calibrated on real footage (ed52830), with no sweep recorded. Two equally
# long recordings of 7.5 s or more keep every shift within the 3 s search bound.
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

    rate: the attempt's tempo over the reference's (1.1: the attempt dances 10 % faster).
    confidence: 0..1, how far the chosen shift stands above the typical tried shift, as a share
    of what was left above it (0 when only one shift was tried).
    optimism: how much of the gain the search found by choosing among its shifts rather than
    by the dances agreeing: the best shift's gain minus its gain on frames the choice did not
    see (two-fold cross-fitting, _CROSS_FIT_BLOCK_S); 0 when nothing was searched.
    """

    offset_s: float
    gain: float
    confidence: float = 0.0
    rate: float = 1.0
    optimism: float = 0.0


# The search's optimism is measured by choosing the shift on alternate blocks of the attempt's
# time and judging it on the others. Poses a fraction of a second apart are alike (a move lasts
# about half a second or more), so blocks of whole seconds keep the two folds apart; shorter
# blocks would let a shift chosen on one frame be judged on its near-copy next door.
_CROSS_FIT_BLOCK_S = 1.0
# Offsets this close (seconds) are one alignment: an offset from the soundtrack is refined by
# the poses within it (the audio peak is exact for the music; dancers run a little ahead of it
# or behind it), and the search's optimism counts only the choice between alignments, not the
# fine placement within one (the held-out fold may re-place it, as the time warp will).
SAME_ALIGNMENT_S = 0.2


def _diagonal_sums(
    reference: PoseSequence,
    reference_features: PoseFeatures,
    attempt: PoseSequence,
    attempt_features: PoseFeatures,
    chance: PairChance,
    rate: float,
    offsets_s: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """For every global shift at one tempo rate, per fold of the attempt's frames
    `(offsets, 2)`: the sums of credit - chance and of 1 - chance, and the frames compared."""
    fold = (np.floor(attempt.timestamps_s / _CROSS_FIT_BLOCK_S) % 2).astype(np.intp)
    in_fold = fold[None, :] == np.arange(2)[:, None]  # (2, frames)
    above_sums = np.zeros((len(offsets_s), 2))
    room_sums = np.zeros((len(offsets_s), 2))
    counts = np.zeros((len(offsets_s), 2), dtype=np.int64)
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
        above = np.where(valid, credit - level, 0.0)
        room = np.where(valid, 1.0 - level, 0.0)
        rows = slice(start, start + len(block))
        above_sums[rows] = above @ in_fold.T
        room_sums[rows] = room @ in_fold.T
        counts[rows] = valid.astype(np.int64) @ in_fold.T.astype(np.int64)
    return above_sums, room_sums, counts


def _ratio(above: NDArray[np.float64], room: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(room > 0, above / np.where(room > 0, room, 1.0), np.nan))


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
    # Per rate: the ranked gain of every shift on all frames `(offsets,)` and on each fold
    # `(offsets, 2)`, and the plain gains of each fold.
    ranked_all: list[NDArray[np.float64]] = []
    ranked_folds: list[NDArray[np.float64]] = []
    fold_gains: list[NDArray[np.float64]] = []
    gains_all: list[NDArray[np.float64]] = []
    for rate in rates:
        above, room, counts = _diagonal_sums(
            reference, reference_features, attempt, attempt_features, chance, rate, offsets_s
        )
        enough = counts.sum(axis=1) >= min_overlap
        gains = np.where(enough, _ratio(above.sum(axis=1), room.sum(axis=1)), np.nan)
        folds = np.where(enough[:, None], _ratio(above, room), np.nan)
        shift = np.abs((rate - 1.0) * times[None, :] + offsets_s[:, None]).mean(axis=1)
        gains_all.append(gains)
        ranked_all.append(gains - shift_cost_per_s * shift)
        fold_gains.append(folds)
        ranked_folds.append(folds - shift_cost_per_s * shift[:, None])
    ranked = np.stack(ranked_all)  # (rates, offsets)
    if np.all(np.isnan(ranked)):
        return OffsetEstimate(0.0, float("nan"))
    rate_index, index = np.unravel_index(int(np.nanargmax(ranked)), ranked.shape)
    rate = rates[rate_index]
    best_gain = float(gains_all[rate_index][index])
    row = ranked[rate_index]
    offset = float(offsets_s[index])
    # Parabolic refinement between neighbouring shifts for sub-frame precision.
    if 0 < index < len(offsets_s) - 1 and not np.isnan(row[[index - 1, index + 1]]).any():
        left, centre, right = row[index - 1], row[index], row[index + 1]
        curvature = left - 2 * centre + right
        if curvature < 0:
            step_s = float(offsets_s[index + 1] - offsets_s[index])
            offset += float(0.5 * (left - right) / curvature) * step_s
    every = np.concatenate([g[~np.isnan(g)] for g in gains_all])
    typical = float(np.median(every))
    headroom = 1.0 - typical
    confidence = (
        float(np.clip((best_gain - typical) / headroom, 0.0, 1.0))
        if len(every) > 1 and headroom > 0
        else 0.0
    )
    optimism = _optimism(best_gain, offsets_s, np.stack(ranked_folds), np.stack(fold_gains))
    return OffsetEstimate(offset, best_gain, confidence, rate, optimism)


def _optimism(
    best_gain: float,
    offsets_s: NDArray[np.float64],
    ranked_folds: NDArray[np.float64],
    fold_gains: NDArray[np.float64],
) -> float:
    """best_gain minus the cross-fitted gain: each fold's best alignment `(rates, offsets,
    fold)` judged on the other fold (at the same rate, its best shift within SAME_ALIGNMENT_S),
    averaged; 0 when a fold has nothing to judge, or the search found nothing it did not earn.
    """
    held_out = []
    for fold in range(2):
        choice = ranked_folds[..., fold]
        if np.all(np.isnan(choice)):
            return 0.0
        rate, index = np.unravel_index(int(np.nanargmax(choice)), choice.shape)
        near = np.abs(offsets_s - offsets_s[index]) <= SAME_ALIGNMENT_S + 1e-9
        judged = fold_gains[rate, near, 1 - fold]
        if np.all(np.isnan(judged)):
            return 0.0
        held_out.append(float(np.nanmax(judged)))
    return max(0.0, best_gain - float(np.mean(held_out)))


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
    cost = (cost + LAG_PRIOR_COST_PER_S * np.abs(lags)[None, :]) / attempt.fps

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
